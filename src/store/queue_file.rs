//! The persisted transfer queue: `queue.json` read at start, written atomically, and kept up to
//! date in the background by [`QueueWriter`] so the window never waits on the disk.
//!
//! A crash (even `kill -9`) at any moment leaves either the previous file or the new one. A file
//! that does not parse is moved aside, never deleted and never silently overwritten.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

pub use super::StoreError;
use super::atomic;
use crate::model::transfer::Direction;

/// The queue file's name inside the data folder.
pub const FILE_NAME: &str = "queue.json";

/// The environment variable that overrides the data folder (tests, portable installs).
pub const DATA_DIR_VAR: &str = "SKIFF_DATA_DIR";

/// The on-disk format this build writes and the newest it reads.
const FORMAT_VERSION: u64 = 1;

/// How errors name this file.
const WHAT: &str = "the transfer queue";

/// One transfer as saved. Paths are as the user saw them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedTransfer {
    /// Which way the bytes go.
    pub direction: Direction,
    /// The file on this machine.
    pub local: PathBuf,
    /// The remote path, '/'-separated.
    pub remote: String,
    /// The site's URL without any password, e.g. `"ftp://ann@host:21"`.
    pub site: String,
    /// The size when known.
    pub size: Option<u64>,
    /// The last error; `None` = still pending.
    pub failed: Option<String>,
}

/// The file as written: a format version around the items.
#[derive(serde::Serialize)]
struct FileOut<'a> {
    version: u64,
    items: &'a [SavedTransfer],
}

/// The file as read, version 1.
#[derive(serde::Deserialize)]
struct FileIn {
    items: Vec<SavedTransfer>,
}

/// Just the version, read first so a newer format is told apart from a damaged file.
#[derive(serde::Deserialize)]
struct Header {
    version: u64,
}

/// Why the bytes of a queue file were not a queue.
enum ParseError {
    /// A format version newer than [`FORMAT_VERSION`].
    Newer(u64),
    /// Not a queue file of a known version (the detail says why).
    Damaged(String),
}

/// Where the queue file lives: `$SKIFF_DATA_DIR/queue.json` when that variable is set (tests,
/// portable installs), else the platform data dir from
/// `directories::ProjectDirs::from("", "", "skiff")` (on Linux `~/.local/share/skiff/queue.json`).
/// `None` when there is no home directory.
#[must_use]
pub fn default_path() -> Option<PathBuf> {
    path_for(std::env::var_os(DATA_DIR_VAR))
}

/// [`default_path`] given the value of [`DATA_DIR_VAR`] (an empty value counts as unset).
fn path_for(data_dir: Option<OsString>) -> Option<PathBuf> {
    match data_dir {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir).join(FILE_NAME)),
        _ => directories::ProjectDirs::from("", "", "skiff").map(|d| d.data_dir().join(FILE_NAME)),
    }
}

/// Reads the queue. A missing file is an empty queue. A file that does not parse is moved aside
/// to `queue.json.bak-<unix seconds>` (never deleted, never silently overwritten: when that name
/// is taken, `-1`, `-2`, … is appended) and the error says where it went; the caller then starts
/// with an empty queue. A file from a newer Skiff is left in place and reported.
///
/// Also removes temp files a crashed save left next to the file (see [`save`]).
pub fn load(path: &Path) -> Result<Vec<SavedTransfer>, StoreError> {
    atomic::remove_stale_temp_files(path);
    let Some(bytes) = atomic::read(path, WHAT)? else {
        return Ok(Vec::new());
    };
    match parse(&bytes) {
        Ok(items) => Ok(items),
        Err(ParseError::Newer(version)) => Err(StoreError::Newer {
            what: WHAT,
            path: path.to_owned(),
            version,
        }),
        Err(ParseError::Damaged(detail)) => Err(atomic::damaged(path, WHAT, detail)),
    }
}

/// The items of a queue file's bytes.
fn parse(bytes: &[u8]) -> Result<Vec<SavedTransfer>, ParseError> {
    let header: Header =
        serde_json::from_slice(bytes).map_err(|e| ParseError::Damaged(e.to_string()))?;
    match header.version {
        FORMAT_VERSION => serde_json::from_slice::<FileIn>(bytes)
            .map(|file| file.items)
            .map_err(|e| ParseError::Damaged(e.to_string())),
        v if v > FORMAT_VERSION => Err(ParseError::Newer(v)),
        v => Err(ParseError::Damaged(format!("unknown format version {v}"))),
    }
}

/// Writes the queue atomically: a temp file in the same folder (the folder is created if
/// missing), write, fsync, rename over the old file, fsync the folder. A crash at any point
/// leaves the old file or the new one, never an empty or half-written one.
///
/// The file is created readable by the user only (on Unix).
pub fn save(path: &Path, items: &[SavedTransfer]) -> Result<(), StoreError> {
    let mut bytes = serde_json::to_vec_pretty(&FileOut {
        version: FORMAT_VERSION,
        items,
    })
    .map_err(|e| StoreError::Write {
        what: WHAT,
        path: path.to_owned(),
        source: io::Error::other(e),
    })?;
    bytes.push(b'\n');
    atomic::write(path, &bytes, WHAT)
}

/// What the window handed over last, numbered so [`QueueWriter::flush`] knows when it is written.
#[derive(Default)]
struct Snapshot {
    /// 0 before the first write, then 1, 2, …
    seq: u64,
    /// The items of snapshot `seq`.
    items: Option<Arc<Vec<SavedTransfer>>>,
}

/// Writes the queue in the background: the latest snapshot wins, written with
/// `spawn_blocking` off the caller's thread. [`QueueWriter::write`] never blocks and needs no
/// runtime context, so the UI thread can call it.
///
/// Dropping the writer still writes a snapshot that was handed over, as long as the runtime
/// runs; call [`QueueWriter::flush`] before quitting to be sure.
pub struct QueueWriter {
    /// Snapshots to the writer task.
    snapshots: watch::Sender<Snapshot>,
    /// The `seq` of the last snapshot the writer task finished with (written or failed).
    written: watch::Receiver<u64>,
    /// The last write error, until taken.
    error: Arc<Mutex<Option<String>>>,
}

impl QueueWriter {
    /// Starts the writer task on `runtime`, writing to `path`.
    #[must_use]
    pub fn start(runtime: &tokio::runtime::Handle, path: PathBuf) -> Self {
        let (snapshots, snapshot_rx) = watch::channel(Snapshot::default());
        let (written_tx, written) = watch::channel(0);
        let error = Arc::new(Mutex::new(None));
        runtime.spawn(run_writer(
            snapshot_rx,
            written_tx,
            path,
            Arc::clone(&error),
        ));
        Self {
            snapshots,
            written,
            error,
        }
    }

    /// Queues a snapshot to be written (non-blocking; a later snapshot replaces an unwritten one).
    pub fn write(&self, items: Vec<SavedTransfer>) {
        let items = Arc::new(items);
        self.snapshots.send_modify(|snapshot| {
            snapshot.seq += 1;
            snapshot.items = Some(items);
        });
    }

    /// The last write error, if any (for the status line), cleared when read. A later
    /// successful write does not clear it; only reading does.
    #[must_use]
    pub fn take_error(&self) -> Option<String> {
        lock(&self.error).take()
    }

    /// Waits until every snapshot given so far is on disk (for quit and for tests): written,
    /// or failed with an error for [`QueueWriter::take_error`]. Returns at once if the writer
    /// task is gone (its runtime shut down).
    pub async fn flush(&self) {
        let target = self.snapshots.borrow().seq;
        let mut written = self.written.clone();
        // An error means the writer task is gone: nothing more will be written.
        let _ = written.wait_for(|&done| done >= target).await;
    }
}

/// The writer task: saves each newest snapshot, then reports its `seq` as done. Ends when the
/// [`QueueWriter`] is dropped and its last snapshot is handled.
async fn run_writer(
    mut snapshots: watch::Receiver<Snapshot>,
    written: watch::Sender<u64>,
    path: PathBuf,
    error: Arc<Mutex<Option<String>>>,
) {
    while snapshots.changed().await.is_ok() {
        let (seq, items) = {
            let snapshot = snapshots.borrow_and_update();
            (snapshot.seq, snapshot.items.clone())
        };
        if let Some(items) = items {
            let target = path.clone();
            let message = match tokio::task::spawn_blocking(move || save(&target, &items)).await {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(e) => Some(format!(
                    "cannot save the transfer queue to {}: the writer stopped ({e})",
                    path.display()
                )),
            };
            if let Some(message) = message {
                *lock(&error) = Some(message);
            }
        }
        written.send_replace(seq);
    }
}

/// Locks the error slot; a panic elsewhere cannot leave an `Option<String>` inconsistent.
fn lock(error: &Mutex<Option<String>>) -> std::sync::MutexGuard<'_, Option<String>> {
    error.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
#[path = "queue_file_tests.rs"]
mod tests;
