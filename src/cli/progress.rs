//! Transfer progress on a terminal (indicatif bars, one per running file) and a closing
//! summary; nothing at all when stderr is not a terminal or with `-q`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::transfer::{Direction, Progress, TransferId, TransferState, human_bytes};

/// What the CLI shows about transfers.
pub struct ProgressView {
    bars: Option<MultiProgress>,
    running: HashMap<TransferId, ProgressBar>,
    last_done: HashMap<TransferId, u64>,
    started: Instant,
    bytes: u64,
    files: usize,
    failed: usize,
    skipped: usize,
    quiet: bool,
}

impl ProgressView {
    /// Bars when stderr is a terminal and not `quiet`.
    #[must_use]
    pub fn new(quiet: bool) -> Self {
        let bars = (!quiet && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10)));
        Self {
            bars,
            running: HashMap::new(),
            last_done: HashMap::new(),
            started: Instant::now(),
            bytes: 0,
            files: 0,
            failed: 0,
            skipped: 0,
            quiet,
        }
    }

    /// Prints a line (above the bars when there are any).
    pub fn println(&self, line: &str) {
        match &self.bars {
            Some(bars) => {
                let _ = bars.println(line);
            }
            None => eprintln!("{line}"),
        }
    }

    /// A file transfer began.
    pub fn start(&mut self, id: TransferId, name: &str, size: Option<u64>, direction: Direction) {
        let Some(bars) = &self.bars else { return };
        let bar = bars.add(ProgressBar::new(size.unwrap_or(0)));
        let style = ProgressStyle::with_template(
            "{msg:30!} {bar:25} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta:>4}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        let arrow = if direction == Direction::Download {
            "↓"
        } else {
            "↑"
        };
        bar.set_message(format!(
            "{arrow} {}",
            name.rsplit('/').next().unwrap_or(name)
        ));
        self.running.insert(id, bar);
    }

    /// A file transfer moved on.
    pub fn update(&mut self, id: TransferId, progress: &Progress) {
        if let Some(bar) = self.running.get(&id) {
            if let Some(total) = progress.total {
                bar.set_length(total);
            }
            bar.set_position(progress.done);
        }
        self.last_done.insert(id, progress.done);
    }

    /// A file transfer ended.
    pub fn finish(&mut self, id: TransferId, state: &TransferState) {
        if let Some(bar) = self.running.remove(&id) {
            bar.finish_and_clear();
        }
        let done = self.last_done.remove(&id).unwrap_or(0);
        match state {
            TransferState::Done => {
                self.files += 1;
                self.bytes += done;
            }
            TransferState::Skipped => self.skipped += 1,
            _ => self.failed += 1,
        }
    }

    /// The closing line on stderr (on a terminal, not with `-q`).
    pub fn summary(&self) {
        if self.quiet || self.bars.is_none() || (self.files + self.failed + self.skipped == 0) {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        #[expect(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a rate for display"
        )]
        let rate = (self.bytes as f64 / secs) as u64;
        let mut line = format!(
            "{} file(s), {} in {secs:.2} s ({}/s)",
            self.files,
            human_bytes(self.bytes),
            human_bytes(rate)
        );
        if self.skipped > 0 {
            let _ = write!(line, ", {} skipped", self.skipped);
        }
        if self.failed > 0 {
            let _ = write!(line, ", {} failed", self.failed);
        }
        eprintln!("{line}");
    }
}
