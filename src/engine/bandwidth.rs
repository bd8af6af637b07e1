//! `Bandwidth`: a speed limit shared by every transfer going one way (all download connections
//! together, or all uploads). A token bucket refilled at the limit, with at most a quarter of a
//! second of burst; 0 means no limit. The copy loop takes tokens before each write.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One direction's speed limit.
#[derive(Debug)]
pub struct Bandwidth {
    /// Bytes per second; 0: unlimited.
    limit: AtomicU64,
    /// Bytes that may go now (may go negative: a debt paid by waiting), and when it was counted.
    bucket: Mutex<(f64, Instant)>,
}

impl Default for Bandwidth {
    fn default() -> Self {
        Self {
            limit: AtomicU64::new(0),
            bucket: Mutex::new((0.0, Instant::now())),
        }
    }
}

impl Bandwidth {
    /// Sets the limit in bytes per second (0: none).
    pub fn set_limit(&self, bytes_per_second: u64) {
        self.limit.store(bytes_per_second, Ordering::Relaxed);
    }

    /// The limit in bytes per second (0: none).
    #[must_use]
    pub fn limit(&self) -> u64 {
        self.limit.load(Ordering::Relaxed)
    }

    /// How long to wait before `bytes` may go at `now`; counts them as gone.
    fn charge(&self, bytes: u64, now: Instant) -> Duration {
        let limit = self.limit();
        if limit == 0 {
            return Duration::ZERO;
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "byte counts far below 2^52 in one step"
        )]
        let (rate, bytes) = (limit as f64, bytes as f64);
        let Ok(mut bucket) = self.bucket.lock() else {
            return Duration::ZERO;
        };
        let (tokens, since) = *bucket;
        let refilled = (tokens + now.duration_since(since).as_secs_f64() * rate).min(rate / 4.0);
        let left = refilled - bytes;
        *bucket = (left, now);
        if left >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-left / rate)
        }
    }

    /// Waits until `bytes` may go.
    pub async fn take(&self, bytes: u64) {
        let wait = self.charge(bytes, Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_never_waits() {
        let b = Bandwidth::default();
        assert_eq!(b.charge(u64::MAX / 2, Instant::now()), Duration::ZERO);
    }

    #[test]
    fn a_limit_spreads_bytes_over_time() {
        let start = Instant::now();
        let b = Bandwidth {
            bucket: Mutex::new((0.0, start)),
            ..Bandwidth::default()
        };
        b.set_limit(1000);
        // The bucket starts empty: 500 bytes at 1000 B/s wait half a second.
        assert_eq!(b.charge(500, start), Duration::from_millis(500));
        // The debt carries: another 500 at the same moment wait a whole second.
        assert_eq!(b.charge(500, start), Duration::from_secs(1));
        // After 2 s the debt is paid and 250 bytes of burst are allowed, no more.
        let later = start + Duration::from_secs(3);
        assert_eq!(b.charge(250, later), Duration::ZERO);
        assert!(b.charge(100, later) > Duration::ZERO);
    }
}
