//! One file between the server and the local disk: downloads into a `.skiff-part` file beside
//! the target that is renamed only when complete and the size matches; REST resume both ways;
//! size verification; modification times kept.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWrite, AsyncWriteExt};

use crate::engine::bandwidth::Bandwidth;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::events::ProgressReporter;
use crate::engine::existing::{FileFacts, RENAME_TRIES, Resolved, numbered_name, resolve};
use crate::engine::ftp::{FtpVfs, bounded};
use crate::engine::part_file::{self, PlanRules};
use crate::model::entry::EntryKind;
use crate::model::path::RemotePath;
use crate::protocol::ExistingTarget;

/// The copy buffer.
pub const CHUNK: usize = 1024 * 1024;

/// Bytes gathered from reads before they are written.
const WRITE_AT: usize = 256 * 1024;

/// How one file transfer ended well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Transferred; the number of bytes the target now holds.
    Done(u64),
    /// Left alone: the target exists and was not to be replaced (or is already complete).
    Skipped,
}

/// Settings of one file transfer.
#[derive(Debug, Clone)]
pub struct FileOptions {
    /// What to do with an existing target.
    pub existing: ExistingTarget,
    /// Continue our own `.skiff-part` file (a retry), whatever `existing` says.
    pub resume_part: bool,
    /// Keep modification times.
    pub keep_times: bool,
    /// Limit for each network wait.
    pub timeout: Duration,
    /// The speed limit this transfer shares with the others going the same way.
    pub bandwidth: Option<Arc<Bandwidth>>,
}

/// The size and time of a remote file; an error when it is missing or a folder.
pub async fn remote_file_facts(
    ftp: &mut FtpVfs,
    remote: &RemotePath,
) -> EngineResult<(Option<u64>, Option<i64>)> {
    match ftp.stat(remote).await? {
        None => Err(EngineError::Server {
            action: format!("reading {remote}"),
            code: 550,
            text: "no such file on the server".to_owned(),
        }),
        Some(e) if e.kind == EntryKind::Dir => Err(EngineError::Invalid(format!(
            "{remote} is a folder: use -r to copy a folder"
        ))),
        Some(e) => {
            let modified = match e.modified {
                Some(t) => Some(t),
                None => ftp.mdtm(remote).await?,
            };
            Ok((e.size, modified))
        }
    }
}

/// Downloads `remote` to `target` (a file path). Progress goes to `progress`.
pub async fn download(
    ftp: &mut FtpVfs,
    remote: &RemotePath,
    target: &Path,
    opts: &FileOptions,
    facts: (Option<u64>, Option<i64>),
    progress: &mut ProgressReporter,
) -> EngineResult<Outcome> {
    let (size, modified) = facts;
    let mut existing = opts.existing;
    let renamed;
    let target = if existing == ExistingTarget::Rename {
        existing = ExistingTarget::Refuse;
        renamed = free_local_name(target).await?;
        if renamed != target {
            ftp.log().info(format!(
                "{} exists: downloading {remote} as {}",
                target.display(),
                renamed.display()
            ));
        }
        renamed.as_path()
    } else {
        target
    };
    let rules = PlanRules {
        size,
        modified,
        existing,
        resume_part: opts.resume_part,
    };
    let Some((plan, mut file)) = part_file::plan_and_open(target, rules).await? else {
        return Ok(Outcome::Skipped);
    };
    let part = part_file::part_path(target);
    let mut stream = ftp.open_read(remote, plan.offset).await?;
    let copied = copy(&mut stream, &mut file, plan.offset, opts, progress, &part).await;
    let done = match copied {
        Ok(done) => done,
        Err(e) => {
            drop(stream);
            return Err(e);
        }
    };
    ftp.finish(stream, &format!("RETR {remote}")).await?;
    file.flush()
        .await
        .map_err(|e| EngineError::local(&part, &e))?;
    if let Some(expected) = size
        && done != expected
    {
        return Err(EngineError::Disconnected(format!(
            "downloading {remote}: {done} of {expected} bytes arrived"
        )));
    }
    let keep = modified.filter(|_| opts.keep_times);
    part_file::finish(file, target, keep, plan.replace).await?;
    progress.finish(done);
    Ok(Outcome::Done(done))
}

/// Uploads `source` (a local file) to `remote`.
pub async fn upload(
    ftp: &mut FtpVfs,
    source: &Path,
    remote: &RemotePath,
    opts: &FileOptions,
    progress: &mut ProgressReporter,
) -> EngineResult<Outcome> {
    let meta = tokio::fs::metadata(source)
        .await
        .map_err(|e| EngineError::local(source, &e))?;
    let size = meta.len();
    let local_facts = FileFacts {
        size: Some(size),
        modified: meta.modified().ok().and_then(unix_seconds),
    };
    let mut existing = ftp.stat(remote).await?;
    let mut rule = opts.existing;
    let renamed;
    let remote = if rule == ExistingTarget::Rename && existing.is_some() && !opts.resume_part {
        renamed = free_remote_name(ftp, remote).await?;
        ftp.log()
            .info(format!("{remote} exists: uploading as {renamed}"));
        existing = None;
        rule = ExistingTarget::Refuse;
        &renamed
    } else {
        remote
    };
    let resume = opts.resume_part || rule == ExistingTarget::Resume;
    let offset = match &existing {
        None => 0,
        Some(e) if e.kind == EntryKind::Dir => {
            return Err(EngineError::Invalid(format!(
                "{remote} is a folder on the server"
            )));
        }
        Some(e) if resume => match e.size {
            Some(s) if s == size => return Ok(Outcome::Skipped),
            Some(s) if s < size => s,
            _ => 0,
        },
        Some(e) => {
            let on_server = FileFacts {
                size: e.size,
                modified: e.modified,
            };
            match resolve(rule, local_facts, on_server) {
                Resolved::Refuse | Resolved::Rename => {
                    return Err(EngineError::Exists(format!("{remote} on the server")));
                }
                Resolved::Skip => return Ok(Outcome::Skipped),
                Resolved::Replace | Resolved::Resume => 0,
            }
        }
    };
    let mut file = tokio::fs::File::open(source)
        .await
        .map_err(|e| EngineError::local(source, &e))?;
    if offset > 0 {
        file.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(|e| EngineError::local(source, &e))?;
    }
    let mut stream = ftp.open_write(remote, offset).await?;
    let done = copy(&mut file, &mut stream, offset, opts, progress, source).await?;
    bounded(opts.timeout, "finishing the upload", stream.flush())
        .await?
        .map_err(|e| EngineError::Disconnected(format!("uploading {remote} ({e})")))?;
    ftp.finish(stream, &format!("STOR {remote}")).await?;
    if let Some(on_server) = ftp.stat(remote).await?.and_then(|e| e.size)
        && on_server != size
    {
        return Err(EngineError::Disconnected(format!(
            "uploading {remote}: the server has {on_server} of {size} bytes"
        )));
    }
    if opts.keep_times
        && let Some(t) = local_facts.modified
    {
        ftp.mfmt(remote, t).await?;
    }
    progress.finish(done);
    Ok(Outcome::Done(done))
}

/// `target`, or the first `name (n).ext` beside it that does not exist.
async fn free_local_name(target: &Path) -> EngineResult<PathBuf> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut candidate = target.to_path_buf();
    for n in 1..=RENAME_TRIES {
        match tokio::fs::symlink_metadata(&candidate).await {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(candidate),
            Err(e) => return Err(EngineError::local(&candidate, &e)),
            Ok(_) => candidate = target.with_file_name(numbered_name(&name, n)),
        }
    }
    Err(EngineError::Exists(target.display().to_string()))
}

/// The first `name (n).ext` beside `remote` that the server does not have.
async fn free_remote_name(ftp: &mut FtpVfs, remote: &RemotePath) -> EngineResult<RemotePath> {
    let name = remote.file_name().unwrap_or_default().to_owned();
    let folder = remote.parent();
    for n in 1..=RENAME_TRIES {
        let candidate = folder.join(&numbered_name(&name, n));
        if ftp.stat(&candidate).await?.is_none() {
            return Ok(candidate);
        }
    }
    Err(EngineError::Exists(format!("{remote} on the server")))
}

fn unix_seconds(time: SystemTime) -> Option<i64> {
    time.duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

/// Copies `from` to `to` until EOF; every read and write bounded by `opts.timeout`, and kept
/// under the speed limit. Returns the total bytes in place (`start` plus what was copied).
/// `local` names the file for errors.
pub async fn copy<R, W>(
    from: &mut R,
    to: &mut W,
    start: u64,
    opts: &FileOptions,
    progress: &mut ProgressReporter,
    local: &Path,
) -> EngineResult<u64>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let timeout = opts.timeout;
    // A small file gets a small buffer: zeroing 1 MiB for each of 5000 files of 4 KiB costs
    // more than moving them. (One byte more than the rest, so EOF is seen in one read.)
    let rest = progress
        .total()
        .map_or(CHUNK as u64, |t| t.saturating_sub(start) + 1);
    let len = usize::try_from(rest)
        .unwrap_or(CHUNK)
        .clamp(16 * 1024, CHUNK);
    let mut buf = vec![0u8; len];
    let mut done = start;
    loop {
        // Gather at least WRITE_AT bytes before writing: fewer, larger writes (each local write
        // is a trip to tokio's blocking pool), while a slow link still reaches the disk often.
        let mut filled = 0;
        while filled < WRITE_AT.min(buf.len()) {
            let n = bounded(timeout, "waiting for data", from.read(&mut buf[filled..]))
                .await?
                .map_err(|e| read_error(&e, local))?;
            if n == 0 {
                break;
            }
            filled += n;
            progress.update(done + filled as u64);
            if let Some(bandwidth) = &opts.bandwidth {
                bandwidth.take(n as u64).await;
            }
        }
        if filled == 0 {
            return Ok(done);
        }

        bounded(timeout, "sending data", to.write_all(&buf[..filled]))
            .await?
            .map_err(|e| write_error(&e, local))?;
        done += filled as u64;
    }
}

fn read_error(e: &std::io::Error, local: &Path) -> EngineError {
    if e.kind() == std::io::ErrorKind::StorageFull
        || e.raw_os_error().is_some() && e.kind() == std::io::ErrorKind::PermissionDenied
    {
        EngineError::local(local, e)
    } else {
        EngineError::Disconnected(format!("transferring {} ({e})", local.display()))
    }
}

fn write_error(e: &std::io::Error, local: &Path) -> EngineError {
    match e.kind() {
        std::io::ErrorKind::StorageFull
        | std::io::ErrorKind::PermissionDenied
        | std::io::ErrorKind::QuotaExceeded => EngineError::local(local, e),
        _ => EngineError::Disconnected(format!("transferring {} ({e})", local.display())),
    }
}
