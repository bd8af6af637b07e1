//! One directory entry as Skiff understands it, whatever listing format it came from.

use serde::Serialize;

/// What kind of thing a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link (its target, when known, is in [`Entry::link_target`]).
    Link,
    /// Anything else: device, socket, pipe.
    Other,
}

/// One entry of a folder listing, local or remote.
///
/// `name` is a single path component: parsers never produce an entry whose name is empty,
/// `.`, `..`, or contains `/` or NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file name (one component, as the server sent it, decoded as UTF-8 lossily).
    pub name: String,
    /// File, folder, link or other.
    pub kind: EntryKind,
    /// Size in bytes, when the listing gave one.
    pub size: Option<u64>,
    /// Modification time in seconds since the Unix epoch (UTC), when known.
    pub modified: Option<i64>,
    /// Permissions as the server shows them (`rwxr-xr-x`, or MLSD's `perm` fact).
    pub permissions: Option<String>,
    /// Where a symbolic link points, when the listing says.
    pub link_target: Option<String>,
}

impl Entry {
    /// A new entry with only a name and kind known.
    #[must_use]
    pub fn new(name: impl Into<String>, kind: EntryKind) -> Self {
        Self {
            name: name.into(),
            kind,
            size: None,
            modified: None,
            permissions: None,
            link_target: None,
        }
    }

    /// True for a folder.
    #[must_use]
    pub fn is_dir(&self) -> bool {
        self.kind == EntryKind::Dir
    }
}
