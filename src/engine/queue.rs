//! The transfer queue's engine side: expands folders into file jobs as they are scanned, and
//! moves files on N connections at once, retrying transient failures with resume. The command
//! line runs a whole request here (`run`); the window's queue scans (`scan_to_events`) and
//! then moves its items one by one (`run_one`) through the same per-file code.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;

use crate::engine::bandwidth::Bandwidth;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::events::{EventSink, ProgressReporter};
use crate::engine::session::{Session, breaks_connection};
use crate::engine::transfer::{self, FileOptions, Outcome};
use crate::engine::vfs::Vfs;
use crate::engine::{local, segments};
use crate::model::entry::EntryKind;
use crate::model::path::{RemotePath, is_safe_name};
use crate::model::transfer::{Direction, TransferId, TransferState};
use crate::protocol::{Event, RequestId, ScannedFile, TransferRequest};

/// Attempts per file: the first and two retries.
const ATTEMPTS: u32 = 3;

/// One file to move.
type FileJob = ScannedFile;

/// The speed limits, one per direction, shared by every transfer of the engine.
#[derive(Debug, Clone, Default)]
pub struct Bandwidths {
    /// All downloads together.
    pub download: Arc<Bandwidth>,
    /// All uploads together.
    pub upload: Arc<Bandwidth>,
}

/// What a request needs from the engine.
pub struct RequestContext {
    /// The session it runs on.
    pub session: Arc<Session>,
    /// The request.
    pub request: RequestId,
    /// The outbox.
    pub events: EventSink,
    /// Where transfer ids come from.
    pub next_transfer: Arc<AtomicU64>,
    /// The speed limits.
    pub bandwidths: Bandwidths,
}

/// Batches of scanned files sent at most this large.
const SCAN_BATCH: usize = 500;

/// Scans `job` (creating target folders as it goes) and reports its files as
/// [`Event::Scanned`] batches while the scan goes on, so the front end can start moving them.
pub async fn scan_to_events(ctx: Arc<RequestContext>, job: TransferRequest) -> EngineResult<()> {
    let (tx, mut rx) = mpsc::channel::<FileJob>(SCAN_BATCH * 2);
    let scanning = async {
        let result = match job.direction {
            Direction::Download => scan_download(&ctx, &job, &tx).await,
            Direction::Upload => scan_upload(&ctx, &job, &tx).await,
        };
        drop(tx);
        result
    };
    let forwarding = async {
        while let Some(first) = rx.recv().await {
            let mut files = vec![first];
            while files.len() < SCAN_BATCH
                && let Ok(file) = rx.try_recv()
            {
                files.push(file);
            }
            ctx.events.send(Event::Scanned {
                request: ctx.request,
                files,
            });
        }
    };
    let (result, ()) = tokio::join!(scanning, forwarding);
    result
}

/// Moves one file exactly between the paths given, on a transfer connection from the
/// session's pool (given back after), with the same retries as a whole request.
pub async fn run_one(
    ctx: Arc<RequestContext>,
    direction: Direction,
    file: ScannedFile,
    (existing, resume): (crate::protocol::ExistingTarget, bool),
    keep_times: bool,
) -> EngineResult<()> {
    let request = TransferRequest {
        direction,
        local: file.local.clone(),
        remote: file.remote.clone(),
        recursive: false,
        existing,
        connections: 1,
        segments: 1,
        keep_times,
    };
    let mut connection = None;
    let result = run_file(&ctx, &request, &file, &mut connection, resume).await;
    if let Some(c) = connection {
        ctx.session.give_back(c);
    }
    result
}

/// Runs `job` to the end. Fails if any file failed (after retries).
pub async fn run(ctx: Arc<RequestContext>, job: TransferRequest) -> EngineResult<()> {
    let workers = job.connections.clamp(1, 10);
    let (tx, rx) = mpsc::channel::<FileJob>(1024);
    let rx = Arc::new(Mutex::new(rx));
    let mut set = JoinSet::new();
    for _ in 0..workers {
        set.spawn(worker(Arc::clone(&ctx), job.clone(), Arc::clone(&rx)));
    }
    let scanned = match job.direction {
        Direction::Download => scan_download(&ctx, &job, &tx).await,
        Direction::Upload => scan_upload(&ctx, &job, &tx).await,
    };
    drop(tx);
    let mut failures: Vec<EngineError> = Vec::new();
    let mut total = 0;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((count, errors)) => {
                total += count;
                failures.extend(errors);
            }
            Err(e) => failures.push(EngineError::Invalid(format!(
                "a transfer worker stopped: {e}"
            ))),
        }
    }
    scanned?;
    match failures.len() {
        0 => Ok(()),
        1 => Err(failures.remove(0)),
        n => Err(EngineError::Partial {
            failed: n,
            total,
            first: Box::new(failures.remove(0)),
        }),
    }
}

/// The local target of a download named `name`: inside `local` when it is a folder.
async fn inside_if_folder(local: &Path, name: &str) -> PathBuf {
    if is_local_dir(local).await {
        local.join(name)
    } else {
        local.to_path_buf()
    }
}

/// True when `path` is a local folder (asked off the engine's threads, like every disk call).
async fn is_local_dir(path: &Path) -> bool {
    tokio::fs::metadata(path).await.is_ok_and(|m| m.is_dir())
}

async fn scan_download(
    ctx: &RequestContext,
    job: &TransferRequest,
    tx: &mpsc::Sender<FileJob>,
) -> EngineResult<()> {
    let root = job.remote.clone();
    let name = root.file_name().unwrap_or("download").to_owned();
    if !is_safe_name(&name) {
        return Err(EngineError::Invalid(format!(
            "{root} has no usable file name"
        )));
    }
    let mut browse = ctx.session.browse().await?;
    let stat = browse.vfs()?.stat(&root).await;
    let entry = browse.finish(stat)?.ok_or_else(|| EngineError::Server {
        action: format!("reading {root}"),
        code: 550,
        text: "no such file or folder on the server".to_owned(),
    })?;
    if entry.kind != EntryKind::Dir {
        let target = inside_if_folder(&job.local, &name).await;
        let file = FileJob {
            remote: root,
            local: target,
            size: entry.size,
            modified: entry.modified,
        };
        return send(tx, file).await;
    }
    if !job.recursive {
        return Err(EngineError::Invalid(format!(
            "{root} is a folder: use -r to copy a folder"
        )));
    }
    let top = inside_if_folder(&job.local, &name).await;
    let mut folders = vec![(root, top)];
    while let Some((remote, local)) = folders.pop() {
        match tokio::fs::create_dir(&local).await {
            Ok(()) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::AlreadyExists && is_local_dir(&local).await => {}
            Err(e) => return Err(EngineError::local(&local, &e)),
        }
        let mut browse = ctx.session.browse().await?;
        let listed = browse.vfs()?.list(&remote).await;
        let entries = browse.finish(listed)?;
        for entry in entries {
            let child_remote = remote.join(&entry.name);
            let child_local = local.join(&entry.name);
            match entry.kind {
                EntryKind::Dir => folders.push((child_remote, child_local)),
                EntryKind::File => {
                    let file = FileJob {
                        remote: child_remote,
                        local: child_local,
                        size: entry.size,
                        modified: entry.modified,
                    };
                    send(tx, file).await?;
                }
                EntryKind::Link | EntryKind::Other => ctx.session.log().info(format!(
                    "Skipped {child_remote}: not a regular file or folder"
                )),
            }
        }
    }
    Ok(())
}

async fn scan_upload(
    ctx: &RequestContext,
    job: &TransferRequest,
    tx: &mpsc::Sender<FileJob>,
) -> EngineResult<()> {
    let source = &job.local;
    let meta = tokio::fs::metadata(source)
        .await
        .map_err(|e| EngineError::local(source, &e))?;
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| EngineError::Invalid(format!("{} has no file name", source.display())))?;
    let mut browse = ctx.session.browse().await?;
    let stat = browse.vfs()?.stat(&job.remote).await;
    let target_is_dir = browse
        .finish(stat)?
        .is_some_and(|e| e.kind == EntryKind::Dir);
    let top = if target_is_dir {
        job.remote.join(&name)
    } else {
        job.remote.clone()
    };
    if !meta.is_dir() {
        return send(
            tx,
            FileJob {
                remote: top,
                local: source.clone(),
                size: Some(meta.len()),
                modified: None,
            },
        )
        .await;
    }
    if !job.recursive {
        return Err(EngineError::Invalid(format!(
            "{} is a folder: use -r to copy a folder",
            source.display()
        )));
    }
    let mut folders = vec![(source.clone(), top)];
    let mut disk = local::LocalVfs;
    while let Some((local_dir, remote)) = folders.pop() {
        let mut browse = ctx.session.browse().await?;
        let made = mkdir_if_missing(browse.vfs()?, &remote).await;
        browse.finish(made)?;
        for entry in disk.list(&local::DisplayPath(local_dir.clone())).await? {
            let child_local = local_dir.join(&entry.name);
            let child_remote = remote.join(&entry.name);
            match entry.kind {
                EntryKind::Dir => folders.push((child_local, child_remote)),
                EntryKind::File => {
                    send(
                        tx,
                        FileJob {
                            remote: child_remote,
                            local: child_local,
                            size: entry.size,
                            modified: None,
                        },
                    )
                    .await?;
                }
                EntryKind::Link | EntryKind::Other => ctx.session.log().info(format!(
                    "Skipped {}: not a regular file or folder",
                    child_local.display()
                )),
            }
        }
    }
    Ok(())
}

async fn mkdir_if_missing(
    ftp: &mut crate::engine::ftp::FtpVfs,
    path: &RemotePath,
) -> EngineResult<()> {
    match ftp.mkdir(path).await {
        Ok(()) => Ok(()),
        Err(e) => match ftp.stat(path).await? {
            Some(entry) if entry.kind == EntryKind::Dir => Ok(()),
            _ => Err(e),
        },
    }
}

async fn send(tx: &mpsc::Sender<FileJob>, job: FileJob) -> EngineResult<()> {
    tx.send(job).await.map_err(|_| EngineError::Cancelled)
}

/// Takes jobs until there are none; returns how many it ran and the errors of those that failed.
async fn worker(
    ctx: Arc<RequestContext>,
    request: TransferRequest,
    rx: Arc<Mutex<mpsc::Receiver<FileJob>>>,
) -> (usize, Vec<EngineError>) {
    let mut connection = None;
    let mut count = 0;
    let mut errors = Vec::new();
    loop {
        let next = rx.lock().await.recv().await;
        let Some(file) = next else { break };
        count += 1;
        if let Err(e) = run_file(&ctx, &request, &file, &mut connection, false).await {
            errors.push(e);
        }
    }
    if let Some(c) = connection {
        ctx.session.give_back(c);
    }
    (count, errors)
}

async fn run_file(
    ctx: &RequestContext,
    request: &TransferRequest,
    file: &FileJob,
    connection: &mut Option<crate::engine::ftp::FtpVfs>,
    resume: bool,
) -> EngineResult<()> {
    let id = TransferId(ctx.next_transfer.fetch_add(1, Ordering::Relaxed));
    ctx.events.send(Event::TransferStarted {
        request: ctx.request,
        id,
        direction: request.direction,
        local: file.local.clone(),
        remote: file.remote.clone(),
        size: file.size,
    });
    let mut last_error = None;
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            let wait = Duration::from_millis(500 * u64::from(attempt));
            ctx.session.log().info(format!(
                "Retrying {} in {} ms (attempt {} of {ATTEMPTS})",
                file.remote,
                wait.as_millis(),
                attempt + 1
            ));
            tokio::time::sleep(wait).await;
        }
        let bandwidth = match request.direction {
            Direction::Download => &ctx.bandwidths.download,
            Direction::Upload => &ctx.bandwidths.upload,
        };
        let opts = FileOptions {
            existing: request.existing,
            resume_part: resume || attempt > 0,
            keep_times: request.keep_times,
            timeout: ctx.session.site.timeout,
            bandwidth: (bandwidth.limit() > 0).then(|| Arc::clone(bandwidth)),
        };
        let result = attempt_file(ctx, request, file, connection, id, &opts).await;
        match result {
            Ok(outcome) => {
                let state = match outcome {
                    Outcome::Done(_) => TransferState::Done,
                    Outcome::Skipped => TransferState::Skipped,
                };
                ctx.events.send(Event::TransferFinished { id, state });
                return Ok(());
            }
            Err(e) => {
                if breaks_connection(&e) || matches!(e, EngineError::DataConnection(_)) {
                    *connection = None;
                }
                let retry = e.is_transient();
                ctx.session.log().error(format!("{}: {e}", file.remote));
                last_error = Some(e);
                if !retry {
                    break;
                }
            }
        }
    }
    let error = last_error.unwrap_or(EngineError::Cancelled);
    ctx.events.send(Event::TransferFinished {
        id,
        state: TransferState::Failed(error.to_string()),
    });
    Err(error)
}

async fn attempt_file(
    ctx: &RequestContext,
    request: &TransferRequest,
    file: &FileJob,
    connection: &mut Option<crate::engine::ftp::FtpVfs>,
    id: TransferId,
    opts: &FileOptions,
) -> EngineResult<Outcome> {
    if request.direction == Direction::Download
        && request.segments > 1
        && !opts.resume_part
        && let Some(size) = file.size
        && size >= segments::MIN_SEGMENTED_SIZE
        && request.existing != crate::protocol::ExistingTarget::Resume
    {
        let mut progress = ProgressReporter::new(id, ctx.events.clone(), Some(size), 0);
        return segments::download(
            &ctx.session,
            &file.remote,
            &file.local,
            size,
            file.modified,
            request.segments,
            opts,
            &mut progress,
        )
        .await;
    }
    if connection.is_none() {
        *connection = Some(ctx.session.take_connection().await?);
    }
    let ftp = connection.as_mut().ok_or(EngineError::Cancelled)?;
    match request.direction {
        Direction::Download => {
            let facts = match file.size {
                Some(size) => (Some(size), file.modified),
                None => transfer::remote_file_facts(ftp, &file.remote).await?,
            };
            let mut progress = ProgressReporter::new(id, ctx.events.clone(), facts.0, 0);
            transfer::download(ftp, &file.remote, &file.local, opts, facts, &mut progress).await
        }
        Direction::Upload => {
            let mut progress = ProgressReporter::new(id, ctx.events.clone(), file.size, 0);
            transfer::upload(ftp, &file.local, &file.remote, opts, &mut progress).await
        }
    }
}
