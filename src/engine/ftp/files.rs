//! File operations over a logged-in connection: listings (MLSD or LIST, parsed by Skiff),
//! stat (MLST, else SIZE/MDTM/CWD), times (MDTM/MFMT), reading and writing files, folders,
//! deletes and renames.

use std::time::Duration;

use tokio::io::AsyncReadExt;

use super::data::DataCommand;
use super::reply::{reply_code, reply_text, reply_text_full};
use super::{DataStream, FtpVfs, MAX_LISTING_BYTES, bounded, data, listing};
use crate::engine::error::{EngineError, EngineResult};
use crate::model::entry::{Entry, EntryKind};
use crate::model::path::RemotePath;

/// How deep a recursive chmod goes before it stops.
pub const MAX_TREE_DEPTH: usize = 64;
/// How many folders a recursive chmod visits before it stops.
pub const MAX_TREE_FOLDERS: usize = 100_000;

impl FtpVfs {
    /// Lists a folder: MLSD when advertised, else CWD + LIST; parsed by Skiff's own parsers.
    pub async fn list(&mut self, path: &RemotePath) -> EngineResult<Vec<Entry>> {
        let (cmd, format) = if self.has_feature("MLSD") || self.has_feature("MLST") {
            (
                DataCommand::Mlsd(path.as_str()),
                listing::ListingFormat::Mlsd,
            )
        } else {
            self.command(&format!("CWD {path}"), &[250, 200]).await?;
            (DataCommand::List, listing::ListingFormat::List)
        };
        let mut stream = self.open_data(cmd, 0).await?;
        let bytes = read_bounded(&mut stream, self.site.timeout, path).await?;
        self.finish(stream, &cmd.text()).await?;
        let text = String::from_utf8_lossy(&bytes);
        let parsed = listing::parse_listing(&text, format, chrono::Utc::now().naive_utc());
        for line in &parsed.skipped {
            self.log
                .info(format!("Skipped a listing line Skiff cannot use: {line}"));
        }
        self.log
            .info(format!("Listed {path}: {} entries", parsed.entries.len()));
        Ok(parsed.entries)
    }

    /// Facts about one path: `None` when it does not exist.
    pub async fn stat(&mut self, path: &RemotePath) -> EngineResult<Option<Entry>> {
        if path.is_root() {
            return Ok(Some(Entry::new("/", EntryKind::Dir)));
        }
        let name = path.file_name().unwrap_or("/").to_owned();
        if self.has_feature("MLST") {
            let reply = self.command_raw(&format!("MLST {path}")).await?;
            let code = reply_code(&reply);
            if code == 250 {
                let text = reply_text_full(&reply);
                let facts = text
                    .lines()
                    .find(|l| l.starts_with(' '))
                    .map(str::trim_start);
                if let Some(mut entry) = facts.and_then(listing::mlsd::parse_line) {
                    entry.name = name;
                    return Ok(Some(entry));
                }
            } else if code != 550 && code != 450 && !data::is_not_supported(code) {
                return Err(EngineError::Server {
                    action: format!("MLST {path}"),
                    code,
                    text: reply_text(&reply),
                });
            } else if code == 550 || code == 450 {
                return Ok(None);
            }
        }
        let reply = self.command_raw(&format!("SIZE {path}")).await?;
        if reply_code(&reply) == 213 {
            let mut entry = Entry::new(name, EntryKind::File);
            entry.size = reply_text(&reply).trim().parse().ok();
            entry.modified = self.mdtm(path).await?;
            return Ok(Some(entry));
        }
        let reply = self.command_raw(&format!("CWD {path}")).await?;
        if reply_code(&reply) == 250 {
            return Ok(Some(Entry::new(name, EntryKind::Dir)));
        }
        Ok(None)
    }

    /// The modification time from MDTM, when the server gives one.
    pub async fn mdtm(&mut self, path: &RemotePath) -> EngineResult<Option<i64>> {
        if !self.has_feature("MDTM") {
            return Ok(None);
        }
        let reply = self.command_raw(&format!("MDTM {path}")).await?;
        if reply_code(&reply) != 213 {
            return Ok(None);
        }
        Ok(listing::mlsd::parse_time(reply_text(&reply).trim()))
    }

    /// Sets a file's modification time with MFMT, when advertised. Returns whether it was set.
    pub async fn mfmt(&mut self, path: &RemotePath, unix_seconds: i64) -> EngineResult<bool> {
        if !self.has_feature("MFMT") {
            return Ok(false);
        }
        let Some(time) = chrono::DateTime::from_timestamp(unix_seconds, 0) else {
            return Ok(false);
        };
        let stamp = time.format("%Y%m%d%H%M%S");
        Ok(self
            .command(&format!("MFMT {stamp} {path}"), &[213, 253])
            .await
            .is_ok())
    }

    /// Opens `path` for reading from `offset`.
    pub async fn open_read(&mut self, path: &RemotePath, offset: u64) -> EngineResult<DataStream> {
        self.open_data(DataCommand::Retr(path.as_str()), offset)
            .await
    }

    /// Opens `path` for writing: from the start (`offset` 0, replacing it), or continuing at
    /// `offset` (REST+STOR when REST STREAM is advertised, else APPE).
    pub async fn open_write(&mut self, path: &RemotePath, offset: u64) -> EngineResult<DataStream> {
        if offset == 0 {
            self.open_data(DataCommand::Stor(path.as_str()), 0).await
        } else if self.features.get("REST").is_some_and(|v| {
            v.as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case("STREAM"))
        }) {
            self.open_data(DataCommand::Stor(path.as_str()), offset)
                .await
        } else {
            self.open_data(DataCommand::Appe(path.as_str()), 0).await
        }
    }

    /// Creates a folder.
    pub async fn mkdir(&mut self, path: &RemotePath) -> EngineResult<()> {
        self.command(&format!("MKD {path}"), &[257, 250])
            .await
            .map(drop)
    }

    /// Deletes a file.
    pub async fn remove_file(&mut self, path: &RemotePath) -> EngineResult<()> {
        self.command(&format!("DELE {path}"), &[250, 200])
            .await
            .map(drop)
    }

    /// Deletes an empty folder.
    pub async fn remove_dir(&mut self, path: &RemotePath) -> EngineResult<()> {
        self.command(&format!("RMD {path}"), &[250, 200])
            .await
            .map(drop)
    }

    /// Renames or moves.
    pub async fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> EngineResult<()> {
        self.command(&format!("RNFR {from}"), &[350]).await?;
        self.command(&format!("RNTO {to}"), &[250, 200])
            .await
            .map(drop)
    }

    /// Sets `path`'s permission bits with `SITE CHMOD` (not every server has it: the error then
    /// says what the server answered).
    pub async fn chmod(&mut self, path: &RemotePath, mode: u32) -> EngineResult<()> {
        let mode = crate::model::permissions::octal(mode);
        self.command(&format!("SITE CHMOD {mode} {path}"), &[200, 250])
            .await
            .map(drop)
    }

    /// Sets the mode of the folder `path` and of what is inside it, at every depth, as `recurse`
    /// says (files, folders, or both; links are left alone). Walks without recursion; a tree
    /// deeper than [`MAX_TREE_DEPTH`] or with more than [`MAX_TREE_FOLDERS`] folders (a
    /// hostile server's endless tree) stops with an error.
    pub async fn chmod_tree(
        &mut self,
        path: &RemotePath,
        mode: u32,
        recurse: crate::protocol::Recurse,
    ) -> EngineResult<()> {
        let is_dir = self.stat(path).await?.is_some_and(|e| e.is_dir());
        if !is_dir {
            // A file given to a recursive chmod: the filter decides.
            return if recurse.files {
                self.chmod(path, mode).await
            } else {
                Ok(())
            };
        }
        if recurse.folders {
            self.chmod(path, mode).await?;
        }
        let mut folders = vec![(path.clone(), 0usize)];
        let mut visited = 0usize;
        while let Some((folder, depth)) = folders.pop() {
            visited += 1;
            if depth > MAX_TREE_DEPTH || visited > MAX_TREE_FOLDERS {
                return Err(EngineError::Protocol(format!(
                    "{path} is more than {MAX_TREE_DEPTH} folders deep or holds more than \
                     {MAX_TREE_FOLDERS} folders; stopped at {folder}"
                )));
            }
            for entry in self.list(&folder).await? {
                let child = folder.join(&entry.name);
                match entry.kind {
                    EntryKind::Dir => {
                        if recurse.folders {
                            self.chmod(&child, mode).await?;
                        }
                        folders.push((child, depth + 1));
                    }
                    EntryKind::File if recurse.files => self.chmod(&child, mode).await?,
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Says goodbye (best effort, bounded).
    pub async fn quit(mut self) {
        let _ = self.command("QUIT", &[221]).await;
    }
}

/// Reads a listing's data connection to its end, refusing more than [`MAX_LISTING_BYTES`].
async fn read_bounded(
    stream: &mut DataStream,
    timeout: Duration,
    path: &RemotePath,
) -> EngineResult<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = bounded(
            timeout,
            &format!("reading the listing of {path}"),
            stream.read(&mut chunk),
        )
        .await?
        .map_err(|e| EngineError::Disconnected(format!("reading the listing of {path} ({e})")))?;
        if n == 0 {
            return Ok(bytes);
        }
        if bytes.len() + n > MAX_LISTING_BYTES {
            return Err(EngineError::Protocol(format!(
                "the listing of {path} is larger than {} MiB; Skiff stops reading it",
                MAX_LISTING_BYTES / (1024 * 1024)
            )));
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
}
