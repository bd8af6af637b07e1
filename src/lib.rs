//! Skiff: a fast, safe FTP/FTPS client. The engine (`engine`) owns every connection on tokio;
//! front ends (the window in `app` with its widgets in `ui`, and the command line in `cli`) talk to it with `protocol`
//! commands and events. `model` is the shared, pure vocabulary.

pub mod app;
pub mod cli;
pub mod demo;
pub mod engine;
pub mod model;
pub mod protocol;
pub mod store;
pub mod ui;
