//! Files Skiff keeps between runs: the transfer queue (bookmarks and settings will follow).
//! Every write is atomic (temp file, fsync, rename); nothing here talks to the network.

use std::path::PathBuf;

pub mod queue_file;

/// Errors of the store. Each message names the file and says what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but could not be read (permissions, a folder in its place, I/O error).
    #[error(
        "cannot read the transfer queue {}: {source} (check the file's permissions; it was left as it is)",
        path.display()
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file did not parse and was moved aside; nothing was deleted.
    #[error(
        "the transfer queue {} is damaged ({detail}); it was moved to {} and Skiff starts with an empty queue (open that file to recover the transfers by hand)",
        path.display(),
        moved_to.display()
    )]
    Corrupt {
        /// The file as it was.
        path: PathBuf,
        /// Where the damaged file is now.
        moved_to: PathBuf,
        /// Why it did not parse.
        detail: String,
    },
    /// The file did not parse and could not be moved aside either, so it is still in place.
    #[error(
        "the transfer queue {} is damaged ({detail}) and could not be moved aside: {source} (copy it somewhere safe before the queue is saved again)",
        path.display()
    )]
    CorruptNotMoved {
        /// The file, still in place.
        path: PathBuf,
        /// Why it did not parse.
        detail: String,
        /// Why the move failed.
        source: std::io::Error,
    },
    /// The file is in a format version this Skiff does not know; it was left as it is.
    #[error(
        "the transfer queue {} was written by a newer Skiff (format {version}); update Skiff to use it (the file was left as it is)",
        path.display()
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// The version found in it.
        version: u64,
    },
    /// The new queue could not be written; the previous file is unchanged.
    #[error(
        "cannot save the transfer queue to {}: {source} (check free disk space and the folder's permissions; the previous queue file is unchanged)",
        path.display()
    )]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The new queue is in place but the folder could not be synced to disk.
    #[error(
        "saved the transfer queue to {} but could not sync its folder to disk: {source} (if the computer loses power now the previous queue may come back)",
        path.display()
    )]
    Sync {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

impl StoreError {
    /// True when `load` failed and the queue file is still in its place (unreadable, damaged
    /// but not movable, or from a newer Skiff): saving a queue now would overwrite it, so the
    /// caller should not save this session, or ask first.
    #[must_use]
    pub fn file_left_in_place(&self) -> bool {
        matches!(
            self,
            Self::Read { .. } | Self::CorruptNotMoved { .. } | Self::Newer { .. }
        )
    }
}
