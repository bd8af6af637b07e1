//! `LocalVfs`: the local disk behind the same `Vfs` trait as a server, on tokio's file system
//! calls (so a slow mount never blocks the caller's thread).

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::vfs::Vfs;
use crate::model::entry::{Entry, EntryKind};

/// The local file system.
#[derive(Debug, Default, Clone, Copy)]
pub struct LocalVfs;

/// Converts a file's metadata to an entry named `name`.
#[must_use]
pub fn entry_from_metadata(name: String, meta: &std::fs::Metadata) -> Entry {
    let file_type = meta.file_type();
    let kind = if file_type.is_symlink() {
        EntryKind::Link
    } else if file_type.is_dir() {
        EntryKind::Dir
    } else if file_type.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    };
    let mut entry = Entry::new(name, kind);
    if kind == EntryKind::File {
        entry.size = Some(meta.len());
    }
    entry.modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        entry.permissions = Some(unix_mode_string(meta.permissions().mode()));
    }
    entry
}

/// `0o755` as `rwxr-xr-x`.
#[must_use]
pub fn unix_mode_string(mode: u32) -> String {
    let mut out = String::with_capacity(9);
    for shift in [6u32, 3, 0] {
        let bits = (mode >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        out.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    out
}

impl Vfs for LocalVfs {
    type Path = DisplayPath;

    fn child(folder: &Self::Path, name: &str) -> Self::Path {
        DisplayPath(folder.0.join(name))
    }

    async fn list(&mut self, path: &Self::Path) -> EngineResult<Vec<Entry>> {
        let mut dir = tokio::fs::read_dir(&path.0)
            .await
            .map_err(|e| EngineError::local(&path.0, &e))?;
        let mut entries = Vec::new();
        while let Some(item) = dir
            .next_entry()
            .await
            .map_err(|e| EngineError::local(&path.0, &e))?
        {
            let name = item.file_name().to_string_lossy().into_owned();
            match tokio::fs::symlink_metadata(item.path()).await {
                Ok(meta) => entries.push(entry_from_metadata(name, &meta)),
                // Gone between listing and stat: not an entry any more.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(EngineError::local(&item.path(), &e)),
            }
        }
        Ok(entries)
    }

    async fn stat(&mut self, path: &Self::Path) -> EngineResult<Option<Entry>> {
        match tokio::fs::symlink_metadata(&path.0).await {
            Ok(meta) => {
                let name = path
                    .0
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Ok(Some(entry_from_metadata(name, &meta)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(EngineError::local(&path.0, &e)),
        }
    }

    async fn mkdir(&mut self, path: &Self::Path) -> EngineResult<()> {
        tokio::fs::create_dir(&path.0)
            .await
            .map_err(|e| EngineError::local(&path.0, &e))
    }

    async fn remove_file(&mut self, path: &Self::Path) -> EngineResult<()> {
        tokio::fs::remove_file(&path.0)
            .await
            .map_err(|e| EngineError::local(&path.0, &e))
    }

    async fn remove_dir(&mut self, path: &Self::Path) -> EngineResult<()> {
        tokio::fs::remove_dir(&path.0)
            .await
            .map_err(|e| EngineError::local(&path.0, &e))
    }

    async fn rename(&mut self, from: &Self::Path, to: &Self::Path) -> EngineResult<()> {
        tokio::fs::rename(&from.0, &to.0)
            .await
            .map_err(|e| EngineError::local(&from.0, &e))
    }
}

/// A local path that can be shown (`Vfs::Path` must be `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayPath(pub PathBuf);

impl std::fmt::Display for DisplayPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.display().fmt(f)
    }
}

impl From<&Path> for DisplayPath {
    fn from(path: &Path) -> Self {
        Self(path.to_path_buf())
    }
}
