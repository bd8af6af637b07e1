//! Files and secrets Skiff keeps between runs: the transfer queue, the bookmarks (sites) and
//! their passwords in the OS keyring. Every file write is atomic (temp file, fsync, rename);
//! nothing here talks to an FTP server.

use std::path::PathBuf;

mod atomic;
pub mod filezilla;
pub mod known_certs;
pub mod queue_file;
pub mod resolve;
pub mod secrets;
pub mod settings;
pub mod sites;
mod versioned;

/// Errors of the store. Each message names the file (what it is and where) and says what the
/// user can do. `what` is the kind of file, e.g. "the transfer queue" or "the bookmarks file".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but could not be read (permissions, a folder in its place, I/O error).
    #[error(
        "cannot read {what} {}: {source} (check the file's permissions; it was left as it is)",
        path.display()
    )]
    Read {
        /// Which file this is, e.g. "the transfer queue".
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file did not parse and was moved aside; nothing was deleted.
    #[error(
        "{what} {} is damaged ({detail}); it was moved to {} and Skiff starts with an empty one (open that file to recover its contents by hand)",
        path.display(),
        moved_to.display()
    )]
    Corrupt {
        /// Which file this is.
        what: &'static str,
        /// The file as it was.
        path: PathBuf,
        /// Where the damaged file is now.
        moved_to: PathBuf,
        /// Why it did not parse.
        detail: String,
    },
    /// The file did not parse and could not be moved aside either, so it is still in place.
    #[error(
        "{what} {} is damaged ({detail}) and could not be moved aside: {source} (copy it somewhere safe before Skiff saves it again)",
        path.display()
    )]
    CorruptNotMoved {
        /// Which file this is.
        what: &'static str,
        /// The file, still in place.
        path: PathBuf,
        /// Why it did not parse.
        detail: String,
        /// Why the move failed.
        source: std::io::Error,
    },
    /// The file is in a format version this Skiff does not know; it was left as it is.
    #[error(
        "{what} {} was written by a newer Skiff (format {version}); update Skiff to use it (the file was left as it is)",
        path.display()
    )]
    Newer {
        /// Which file this is.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The version found in it.
        version: u64,
    },
    /// The new contents could not be written; the previous file is unchanged.
    #[error(
        "cannot save {what} to {}: {source} (check free disk space and the folder's permissions; the previous file is unchanged)",
        path.display()
    )]
    Write {
        /// Which file this is.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The new file is in place but the folder could not be synced to disk.
    #[error(
        "saved {what} to {} but could not sync its folder to disk: {source} (if the computer loses power now the previous version may come back)",
        path.display()
    )]
    Sync {
        /// Which file this is.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The lock that keeps two Skiff processes from changing the file at once could not be
    /// taken; nothing was changed.
    #[error(
        "cannot lock {what} {} for a change: {source} (check the folder's permissions; nothing was changed)",
        path.display()
    )]
    Lock {
        /// Which file this is.
        what: &'static str,
        /// The file (the lock is a sibling file next to it).
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

impl StoreError {
    /// True when `load` failed and the file is still in its place (unreadable, damaged but not
    /// movable, or from a newer Skiff): saving now would overwrite it, so the caller should not
    /// save this session, or ask first.
    #[must_use]
    pub fn file_left_in_place(&self) -> bool {
        matches!(
            self,
            Self::Read { .. } | Self::CorruptNotMoved { .. } | Self::Newer { .. }
        )
    }
}
