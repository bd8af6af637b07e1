//! Files Skiff keeps between runs: the transfer queue (bookmarks and settings will follow).
//! Every write is atomic (temp file, fsync, rename); nothing here talks to the network.

pub mod queue_file;
