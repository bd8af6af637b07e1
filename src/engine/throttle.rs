//! `ProgressThrottle`: lets at most ~10 progress events a second through per transfer; the
//! caller always sends the final one.

use std::time::{Duration, Instant};

/// Decides whether a progress update is worth an event now.
#[derive(Debug, Clone)]
pub struct ProgressThrottle {
    interval: Duration,
    last: Option<Instant>,
}

impl Default for ProgressThrottle {
    fn default() -> Self {
        Self::new(Duration::from_millis(100))
    }
}

impl ProgressThrottle {
    /// At most one event per `interval`.
    #[must_use]
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last: None,
        }
    }

    /// True (and remembers `now`) when an event may go out at `now`.
    pub fn ready(&mut self, now: Instant) -> bool {
        match self.last {
            Some(last) if now.duration_since(last) < self.interval => false,
            _ => {
                self.last = Some(now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_ten_a_second() {
        let mut t = ProgressThrottle::default();
        let start = Instant::now();
        // 1000 updates spread over one simulated second.
        let passed = (0..1000)
            .filter(|i| t.ready(start + Duration::from_millis(*i)))
            .count();
        assert_eq!(passed, 10);
    }

    #[test]
    fn first_update_passes() {
        let mut t = ProgressThrottle::default();
        assert!(t.ready(Instant::now()));
    }
}
