//! Pure data: the vocabulary of Skiff. No I/O, no async, no other module of the crate.

pub mod appearance;
pub mod bookmark;
pub mod entry;
pub mod path;
pub mod permissions;
pub mod site;
pub mod transfer;
