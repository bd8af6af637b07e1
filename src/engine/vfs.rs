//! `Vfs`: the file operations that local folders and FTP servers share, so tree walks and
//! recursive deletes are written once.

use crate::engine::error::EngineResult;
use crate::model::entry::Entry;

/// A file system Skiff can browse and change: the local disk or an FTP server.
pub trait Vfs: Send {
    /// How this file system names a path.
    type Path: Clone + Send + Sync + std::fmt::Display;

    /// The path of `name` inside `folder`.
    fn child(folder: &Self::Path, name: &str) -> Self::Path;

    /// The entries of a folder (without `.` and `..`).
    fn list(&mut self, path: &Self::Path) -> impl Future<Output = EngineResult<Vec<Entry>>> + Send;
    /// Facts about one path; `None` when it does not exist.
    fn stat(
        &mut self,
        path: &Self::Path,
    ) -> impl Future<Output = EngineResult<Option<Entry>>> + Send;
    /// Creates a folder.
    fn mkdir(&mut self, path: &Self::Path) -> impl Future<Output = EngineResult<()>> + Send;
    /// Deletes a file (or a link).
    fn remove_file(&mut self, path: &Self::Path) -> impl Future<Output = EngineResult<()>> + Send;
    /// Deletes an empty folder.
    fn remove_dir(&mut self, path: &Self::Path) -> impl Future<Output = EngineResult<()>> + Send;
    /// Renames or moves.
    fn rename(
        &mut self,
        from: &Self::Path,
        to: &Self::Path,
    ) -> impl Future<Output = EngineResult<()>> + Send;
}

/// Deletes `path`: a file, or a folder with everything in it (links are deleted, never
/// followed). Walks depth-first without recursion so deep trees cannot overflow the stack.
pub async fn remove_tree<V: Vfs>(vfs: &mut V, path: &V::Path, is_dir: bool) -> EngineResult<()> {
    if !is_dir {
        return vfs.remove_file(path).await;
    }
    // (folder, listed?) pairs: a folder is removed after its contents.
    let mut stack = vec![(path.clone(), false)];
    while let Some((folder, listed)) = stack.pop() {
        if listed {
            vfs.remove_dir(&folder).await?;
            continue;
        }
        stack.push((folder.clone(), true));
        for entry in vfs.list(&folder).await? {
            let child = V::child(&folder, &entry.name);
            if entry.is_dir() {
                stack.push((child, false));
            } else {
                vfs.remove_file(&child).await?;
            }
        }
    }
    Ok(())
}

impl Vfs for crate::engine::ftp::FtpVfs {
    type Path = crate::model::path::RemotePath;

    fn child(folder: &Self::Path, name: &str) -> Self::Path {
        folder.join(name)
    }
    async fn list(&mut self, path: &Self::Path) -> EngineResult<Vec<Entry>> {
        Self::list(self, path).await
    }
    async fn stat(&mut self, path: &Self::Path) -> EngineResult<Option<Entry>> {
        Self::stat(self, path).await
    }
    async fn mkdir(&mut self, path: &Self::Path) -> EngineResult<()> {
        Self::mkdir(self, path).await
    }
    async fn remove_file(&mut self, path: &Self::Path) -> EngineResult<()> {
        Self::remove_file(self, path).await
    }
    async fn remove_dir(&mut self, path: &Self::Path) -> EngineResult<()> {
        Self::remove_dir(self, path).await
    }
    async fn rename(&mut self, from: &Self::Path, to: &Self::Path) -> EngineResult<()> {
        Self::rename(self, from, to).await
    }
}
