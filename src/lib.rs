//! Skiff: a fast, safe FTP/FTPS client. The engine (`engine`) owns every connection on tokio;
//! front ends (the command line in `cli`, later the window) talk to it with `protocol`
//! commands and events. `model` is the shared, pure vocabulary.

pub mod cli;
pub mod engine;
pub mod model;
pub mod protocol;
