//! Segmented download: one large file split over N connections, each reading its range with
//! REST at an offset into the same `.skiff-part` file, joined and verified at the end.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::task::JoinSet;

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::events::ProgressReporter;
use crate::engine::ftp::bounded;
use crate::engine::part_file::{self, PlanRules};
use crate::engine::session::Session;
use crate::engine::transfer::{CHUNK, FileOptions, Outcome};
use crate::model::path::RemotePath;

/// Files smaller than this are not worth splitting.
pub const MIN_SEGMENTED_SIZE: u64 = 4 * 1024 * 1024;

/// Downloads `remote` (`size` bytes) to `target` over `segments` connections.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename them"
)]
pub async fn download(
    session: &Arc<Session>,
    remote: &RemotePath,
    target: &Path,
    size: u64,
    modified: Option<i64>,
    segments: usize,
    opts: &FileOptions,
    progress: &mut ProgressReporter,
) -> EngineResult<Outcome> {
    let part = part_file::part_path(target);
    let rules = PlanRules {
        size: Some(size),
        modified,
        existing: opts.existing,
        resume_part: false,
    };
    let Some(plan) = part_file::plan(target, rules).await? else {
        return Ok(Outcome::Skipped);
    };
    let file = tokio::fs::File::create(&part)
        .await
        .map_err(|e| EngineError::local(&part, &e))?;
    file.set_len(size)
        .await
        .map_err(|e| EngineError::local(&part, &e))?;
    let n = u64::try_from(segments.clamp(1, 10)).unwrap_or(1);
    let chunk = size / n;
    let counters: Vec<Arc<AtomicU64>> = (0..n).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let mut set = JoinSet::new();
    for (i, counter) in (0..n).zip(&counters) {
        let start = i * chunk;
        let end = if i + 1 == n { size } else { start + chunk };
        let job = Segment {
            session: Arc::clone(session),
            remote: remote.clone(),
            part: part.clone(),
            start,
            end,
            done: Arc::clone(counter),
            timeout: opts.timeout,
            file_size: size,
        };
        set.spawn(job.run());
    }
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let total = |c: &[Arc<AtomicU64>]| c.iter().map(|x| x.load(Ordering::Relaxed)).sum::<u64>();
    let mut failure = None;
    while !set.is_empty() {
        tokio::select! {
            joined = set.join_next() => match joined {
                Some(Ok(Ok(()))) | None => {}
                Some(Ok(Err(e))) => { failure = Some(e); break; }
                Some(Err(e)) => { failure = Some(EngineError::Invalid(format!("a segment stopped: {e}"))); break; }
            },
            _ = tick.tick() => progress.update(total(&counters)),
        }
    }
    if let Some(e) = failure {
        set.abort_all();
        // Only the first segment's bytes are contiguous from 0: keep those for a resume.
        let keep = counters[0].load(Ordering::Relaxed);
        let _ = file.set_len(keep).await;
        return Err(e);
    }
    let done = total(&counters);
    if done != size {
        return Err(EngineError::Disconnected(format!(
            "downloading {remote}: {done} of {size} bytes arrived"
        )));
    }
    let keep = modified.filter(|_| opts.keep_times);
    part_file::finish(file, target, keep, plan.replace).await?;
    progress.finish(done);
    Ok(Outcome::Done(done))
}

/// One range of the file on its own connection.
struct Segment {
    session: Arc<Session>,
    remote: RemotePath,
    part: std::path::PathBuf,
    start: u64,
    end: u64,
    done: Arc<AtomicU64>,
    timeout: Duration,
    file_size: u64,
}

impl Segment {
    async fn run(self) -> EngineResult<()> {
        let mut ftp = self.session.take_connection().await?;
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(&self.part)
            .await
            .map_err(|e| EngineError::local(&self.part, &e))?;
        file.seek(std::io::SeekFrom::Start(self.start))
            .await
            .map_err(|e| EngineError::local(&self.part, &e))?;
        let mut stream = ftp.open_read(&self.remote, self.start).await?;
        let mut left = self.end - self.start;
        let mut buf = vec![0u8; CHUNK];
        while left > 0 {
            let want = usize::try_from(left).map_or(CHUNK, |l| l.min(CHUNK));
            let n = bounded(
                self.timeout,
                "waiting for data",
                stream.read(&mut buf[..want]),
            )
            .await?
            .map_err(|e| EngineError::Disconnected(format!("downloading {} ({e})", self.remote)))?;
            if n == 0 {
                return Err(EngineError::Disconnected(format!(
                    "downloading {}: the data connection closed early",
                    self.remote
                )));
            }
            file.write_all(&buf[..n])
                .await
                .map_err(|e| EngineError::local(&self.part, &e))?;
            left -= n as u64;
            self.done.fetch_add(n as u64, Ordering::Relaxed);
        }
        file.flush()
            .await
            .map_err(|e| EngineError::local(&self.part, &e))?;
        if self.end == self.file_size {
            // The last range reads to the end of the file: finish normally and keep the connection.
            ftp.finish(stream, &format!("RETR {}", self.remote)).await?;
            self.session.give_back(ftp);
        }
        // Other ranges stop mid-file: the connection is dropped with its data connection.
        Ok(())
    }
}
