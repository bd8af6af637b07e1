//! The queue file survives a crash: a child process that keeps rewriting its queue is killed
//! with SIGKILL at random moments, and a fresh load finds every item exactly once.
//!
//! The child is this test binary itself, re-run on the ignored test
//! `child_keeps_rewriting_the_queue` with [`CHILD_DIR_VAR`] naming the folder to write in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::hash::{BuildHasher as _, RandomState};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use skiff::model::transfer::Direction;
use skiff::store::queue_file::{self, QueueWriter, SavedTransfer};

/// Set (to a folder) only in the child process.
const CHILD_DIR_VAR: &str = "SKIFF_CRASH_CHILD_DIR";
/// What the child prints once its first queue is on disk.
const READY: &str = "skiff-queue-child-ready";
/// Items in every snapshot.
const ITEMS: usize = 200;
/// Children started and killed.
const KILLS: usize = 5;

/// Snapshot `round`: always the same `ITEMS` transfers; in round 0 all pending, then every
/// other one failed, alternating which half from round to round.
fn snapshot(round: u64) -> Vec<SavedTransfer> {
    (0..ITEMS)
        .map(|n| SavedTransfer {
            direction: if n.is_multiple_of(2) {
                Direction::Download
            } else {
                Direction::Upload
            },
            local: PathBuf::from(format!("/home/ann/queue/file-{n:03}.bin")),
            remote: remote_path(n),
            site: "ftp://ann@files.example.com:21".to_owned(),
            size: Some(n as u64 * 4096),
            failed: (round > 0 && (n as u64 + round).is_multiple_of(2))
                .then(|| format!("round {round}: 421 Service not available")),
        })
        .collect()
}

fn remote_path(n: usize) -> String {
    format!("/pub/queue/file-{n:03}.bin")
}

/// The round a loaded queue was written in, checking it is exactly `snapshot(round)`.
fn round_of(items: &[SavedTransfer]) -> u64 {
    let round = items
        .iter()
        .find_map(|item| item.failed.as_deref())
        .map_or(0, |message| {
            message
                .strip_prefix("round ")
                .and_then(|rest| rest.split(':').next())
                .and_then(|digits| digits.parse().ok())
                .unwrap_or_else(|| panic!("unexpected message {message:?}"))
        });
    assert!(
        items == snapshot(round),
        "the loaded queue is not exactly snapshot {round}"
    );
    round
}

/// A child process that is killed and waited for however the test ends.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // Already dead and reaped after a normal kill: both calls then are harmless.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A random duration in `[min, min + spread)`.
fn random_duration(min: Duration, spread: Duration) -> Duration {
    let random = RandomState::new().hash_one(Instant::now());
    let spread_ns = u64::try_from(spread.as_nanos()).unwrap().max(1);
    min + Duration::from_nanos(random % spread_ns)
}

fn start_child(
    dir: &Path,
) -> (
    ChildGuard,
    mpsc::Receiver<String>,
    std::thread::JoinHandle<()>,
) {
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_keeps_rewriting_the_queue",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR_VAR, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut child = ChildGuard(child);
    let stdout = child.0.stdout.take().unwrap();
    let (lines_tx, lines) = mpsc::channel();
    // Ends at end of file, that is when the child is gone.
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, lines, reader)
}

/// Waits (bounded) for the child's ready line.
fn wait_until_ready(lines: &mpsc::Receiver<String>, child: &mut ChildGuard) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "the child never said it was ready");
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(READY) => return,
            Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!(
                    "the child ended before it was ready: {:?}",
                    child.0.wait().unwrap()
                );
            }
        }
    }
}

#[test]
fn killed_writer_loses_no_queue_item() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(queue_file::FILE_NAME);
    let mut rounds_seen = Vec::new();

    for kill in 0..KILLS {
        let (mut child, lines, reader) = start_child(dir.path());
        wait_until_ready(&lines, &mut child);
        // The point is to kill it at an arbitrary moment of its rewriting.
        std::thread::sleep(random_duration(
            Duration::from_millis(20),
            Duration::from_millis(300),
        ));
        assert!(
            child.0.try_wait().unwrap().is_none(),
            "kill {kill}: the child stopped by itself"
        );
        child.0.kill().unwrap();
        let status = child.0.wait().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            assert_eq!(status.signal(), Some(9), "kill {kill}: {status:?}");
        }
        #[cfg(not(unix))]
        assert!(!status.success(), "kill {kill}: {status:?}");
        reader.join().unwrap();

        let items = queue_file::load(&path)
            .unwrap_or_else(|e| panic!("kill {kill}: the queue does not load: {e}"));
        assert_eq!(items.len(), ITEMS, "kill {kill}");
        let remotes: HashSet<&str> = items.iter().map(|item| item.remote.as_str()).collect();
        assert_eq!(remotes.len(), ITEMS, "kill {kill}: an item is there twice");
        for n in 0..ITEMS {
            assert!(
                remotes.contains(remote_path(n).as_str()),
                "kill {kill}: item {n} lost"
            );
        }
        rounds_seen.push(round_of(&items));
    }

    // The children really were rewriting (a later snapshot than the first made it to disk).
    assert!(
        rounds_seen.iter().any(|&round| round > 0),
        "only the first snapshot was ever on disk: {rounds_seen:?}"
    );
    eprintln!("rounds on disk after each kill: {rounds_seen:?}");
}

/// The child of `killed_writer_loses_no_queue_item`; does nothing unless [`CHILD_DIR_VAR`] is
/// set, so `cargo test -- --ignored` returns at once.
#[test]
#[ignore = "the child process of killed_writer_loses_no_queue_item"]
fn child_keeps_rewriting_the_queue() {
    let Some(dir) = std::env::var_os(CHILD_DIR_VAR) else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let path = PathBuf::from(dir).join(queue_file::FILE_NAME);
    // Picks up where the previous (killed) child left off, as the app would at start.
    let mut round = match queue_file::load(&path) {
        Ok(items) if items.is_empty() => 0,
        Ok(items) => round_of(&items),
        Err(e) => panic!("the child cannot load the queue: {e}"),
    };
    let writer = QueueWriter::start(runtime.handle(), path);
    writer.write(snapshot(round));
    runtime.block_on(writer.flush());
    assert_eq!(writer.take_error(), None);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{READY}").unwrap();
    stdout.flush().unwrap();
    drop(stdout);

    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        round += 1;
        writer.write(snapshot(round));
        if round.is_multiple_of(4) {
            // Saves run back to back; the snapshots in between replace unwritten ones.
            runtime.block_on(writer.flush());
            assert_eq!(writer.take_error(), None);
        }
    }
    runtime.block_on(writer.flush());
}
