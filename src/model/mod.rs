//! Pure data: the vocabulary of Skiff. No I/O, no async, no other module of the crate.

pub mod entry;
pub mod path;
pub mod site;
pub mod transfer;
