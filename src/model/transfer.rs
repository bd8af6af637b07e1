//! Transfers as data: ids, direction, state, progress, and the pure rate and ETA math.

use std::time::Duration;

/// Identifies one file transfer for its whole life (progress, cancel, result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransferId(pub u64);

/// Which way the bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    /// Server to this machine.
    Download,
    /// This machine to the server.
    Upload,
}

/// Where a transfer is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferState {
    /// Waiting for a connection.
    Queued,
    /// Bytes are moving.
    Running,
    /// Finished and verified.
    Done,
    /// Stopped with an error (the message says what the user can do).
    Failed(String),
    /// Stopped by the user.
    Cancelled,
    /// Not transferred because the target already exists and was not to be replaced.
    Skipped,
}

/// A snapshot of a transfer's progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Bytes in place at the target, including a resumed prefix.
    pub done: u64,
    /// Total size, when known.
    pub total: Option<u64>,
    /// Bytes per second over the recent window.
    pub rate: f64,
}

impl Progress {
    /// Time left at the current rate, when the total and a rate are known.
    #[must_use]
    pub fn eta(&self) -> Option<Duration> {
        let total = self.total?;
        if self.rate <= 0.0 {
            return None;
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "byte counts far below 2^52 in practice"
        )]
        let left = total.saturating_sub(self.done) as f64;
        Some(Duration::from_secs_f64(left / self.rate))
    }

    /// Fraction done in 0..=1, when the total is known (an empty file is complete).
    #[must_use]
    pub fn fraction(&self) -> Option<f64> {
        let total = self.total?;
        if total == 0 {
            return Some(1.0);
        }
        #[expect(clippy::cast_precision_loss, reason = "a ratio for display")]
        Some((self.done as f64 / total as f64).min(1.0))
    }
}

/// Smoothed transfer rate: an exponential moving average of bytes per second, fed with
/// (elapsed time, bytes) samples. Pure: the caller supplies the clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct RateMeter {
    rate: f64,
    primed: bool,
}

impl RateMeter {
    /// Weight of the newest sample.
    const ALPHA: f64 = 0.3;

    /// Adds `bytes` moved over `elapsed`; returns the smoothed rate in bytes per second.
    pub fn sample(&mut self, bytes: u64, elapsed: Duration) -> f64 {
        let secs = elapsed.as_secs_f64();
        if secs <= 0.0 {
            return self.rate;
        }
        #[expect(clippy::cast_precision_loss, reason = "rates are estimates")]
        let now = bytes as f64 / secs;
        if self.primed {
            self.rate = Self::ALPHA * now + (1.0 - Self::ALPHA) * self.rate;
        } else {
            self.rate = now;
            self.primed = true;
        }
        self.rate
    }

    /// The current smoothed rate.
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.rate
    }
}

/// Formats a byte count for people: `0 B`, `4.0 KiB`, `1.5 GiB`.
#[must_use]
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    #[expect(clippy::cast_precision_loss, reason = "display only")]
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_and_fraction() {
        let p = Progress {
            done: 50,
            total: Some(150),
            rate: 10.0,
        };
        assert_eq!(p.eta(), Some(Duration::from_secs(10)));
        assert_eq!(p.fraction(), Some(50.0 / 150.0));
        let empty = Progress {
            done: 0,
            total: Some(0),
            rate: 0.0,
        };
        assert_eq!(empty.fraction(), Some(1.0));
        assert_eq!(empty.eta(), None);
        assert_eq!(
            Progress {
                done: 1,
                total: None,
                rate: 5.0
            }
            .eta(),
            None
        );
    }

    #[test]
    fn rate_meter_smooths() {
        let mut m = RateMeter::default();
        assert!((m.sample(1000, Duration::from_secs(1)) - 1000.0).abs() < f64::EPSILON);
        let r = m.sample(2000, Duration::from_secs(1));
        assert!(r > 1000.0 && r < 2000.0, "{r}");
        assert!((m.sample(5, Duration::ZERO) - r).abs() < f64::EPSILON);
    }

    #[test]
    fn human() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(4096), "4.0 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }
}
