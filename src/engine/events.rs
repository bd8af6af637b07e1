//! `EventSink`: sends events to the front end and wakes it, and `ProgressReporter`, which turns
//! byte counts into throttled progress events.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use crate::engine::log::LogSink;
use crate::engine::throttle::ProgressThrottle;
use crate::model::transfer::{Progress, RateMeter, TransferId};
use crate::protocol::{Event, SessionId};

/// Called after events are sent, so a window repaints only when something happened.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// The engine's outbox.
#[derive(Clone)]
pub struct EventSink {
    tx: mpsc::UnboundedSender<Event>,
    waker: Waker,
    log_conversation: bool,
}

impl EventSink {
    /// An outbox over `tx` that calls `waker` after each event; without `log_conversation`
    /// no [`Event::Log`] is ever built (a script that does not show the log saves the work).
    #[must_use]
    pub fn new(tx: mpsc::UnboundedSender<Event>, waker: Waker, log_conversation: bool) -> Self {
        Self {
            tx,
            waker,
            log_conversation,
        }
    }

    /// Sends one event (dropped silently when the front end is gone).
    pub fn send(&self, event: Event) {
        if self.tx.send(event).is_ok() {
            (self.waker)();
        }
    }

    /// A log sink whose lines become [`Event::Log`] for `session`.
    #[must_use]
    pub fn log_sink(&self, session: Option<SessionId>) -> LogSink {
        if !self.log_conversation {
            return LogSink::none();
        }
        let sink = self.clone();
        LogSink::new(move |kind, text| {
            sink.send(Event::Log {
                session,
                kind,
                text,
            });
        })
    }
}

/// Turns byte counts of one transfer into at most ~10 progress events a second.
pub struct ProgressReporter {
    id: TransferId,
    events: EventSink,
    total: Option<u64>,
    throttle: ProgressThrottle,
    meter: RateMeter,
    last_sample: (Instant, u64),
}

impl ProgressReporter {
    /// The transfer's size, when known.
    #[must_use]
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Starts reporting transfer `id` of `total` bytes, `done` of them already in place.
    #[must_use]
    pub fn new(id: TransferId, events: EventSink, total: Option<u64>, done: u64) -> Self {
        Self {
            id,
            events,
            total,
            throttle: ProgressThrottle::default(),
            meter: RateMeter::default(),
            last_sample: (Instant::now(), done),
        }
    }

    /// `done` bytes are in place now; sends an event if the throttle allows.
    pub fn update(&mut self, done: u64) {
        let now = Instant::now();
        if self.throttle.ready(now) {
            self.emit(now, done);
        }
    }

    /// The last event of the transfer, always sent.
    pub fn finish(&mut self, done: u64) {
        self.emit(Instant::now(), done);
    }

    fn emit(&mut self, now: Instant, done: u64) {
        let (then, before) = self.last_sample;
        let rate = self
            .meter
            .sample(done.saturating_sub(before), now.duration_since(then));
        self.last_sample = (now, done);
        self.events.send(Event::TransferProgress {
            id: self.id,
            progress: Progress {
                done,
                total: self.total,
                rate,
            },
        });
    }
}
