//! `Session`: one connected site, its browsing connection and its idle transfer connections.

use std::sync::Mutex as StdMutex;

use tokio::sync::{Mutex, MutexGuard, Semaphore, SemaphorePermit};

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::events::EventSink;
use crate::engine::ftp::FtpVfs;
use crate::engine::log::LogSink;
use crate::model::site::Site;
use crate::protocol::SessionId;
use suppaftp::Mode;

/// Most idle transfer connections kept per session.
const MAX_IDLE: usize = 10;

/// A connected site.
pub struct Session {
    /// Its id.
    pub id: SessionId,
    /// How to (re)connect.
    pub site: Site,
    browse: Mutex<Option<FtpVfs>>,
    idle: StdMutex<Vec<FtpVfs>>,
    events: EventSink,
    /// The data-connection mode `Auto` switched to on one connection (PASV when EPSV was
    /// refused, active when passive ports were unreachable): new connections start with it.
    learned: StdMutex<Option<Mode>>,
    /// Files the window's queue moves at once: one permit per transfer connection.
    slots: Semaphore,
    /// The permits `slots` was given.
    slot_limit: StdMutex<usize>,
}

/// The browsing connection, held for one operation. If the operation is cancelled or fails on
/// the network, the connection is dropped and the next operation reconnects.
pub struct BrowseGuard<'a> {
    guard: MutexGuard<'a, Option<FtpVfs>>,
    finished: bool,
    learned: &'a StdMutex<Option<Mode>>,
}

impl BrowseGuard<'_> {
    /// The connection.
    pub fn vfs(&mut self) -> EngineResult<&mut FtpVfs> {
        self.guard
            .as_mut()
            .ok_or_else(|| EngineError::Invalid("not connected".to_owned()))
    }

    /// Ends the operation with `result`: a network failure drops the connection.
    pub fn finish<T>(mut self, result: EngineResult<T>) -> EngineResult<T> {
        self.finished = true;
        if let Some(mode) = self.guard.as_ref().and_then(FtpVfs::learned_mode) {
            learn(self.learned, mode);
        }
        if let Err(e) = &result
            && breaks_connection(e)
        {
            *self.guard = None;
        }
        result
    }
}

impl Drop for BrowseGuard<'_> {
    fn drop(&mut self) {
        if !self.finished {
            // Cancelled mid-command: the conversation state is unknown.
            *self.guard = None;
        }
    }
}

/// True for errors after which a connection cannot be trusted.
#[must_use]
pub fn breaks_connection(e: &EngineError) -> bool {
    matches!(
        e,
        EngineError::Timeout { .. }
            | EngineError::Disconnected(_)
            | EngineError::Protocol(_)
            | EngineError::Cancelled
    )
}

impl Session {
    /// A session whose browsing connection is `browse`.
    #[must_use]
    pub fn new(id: SessionId, site: Site, browse: FtpVfs, events: EventSink) -> Self {
        Self {
            id,
            site,
            browse: Mutex::new(Some(browse)),
            idle: StdMutex::new(Vec::new()),
            events,
            learned: StdMutex::new(None),
            slots: Semaphore::new(0),
            slot_limit: StdMutex::new(0),
        }
    }

    /// Sets how many files the queue moves at once (1 to 10); a lower limit takes effect as
    /// running files finish.
    pub fn set_transfer_limit(&self, limit: usize) {
        let limit = limit.clamp(1, 10);
        let Ok(mut current) = self.slot_limit.lock() else {
            return;
        };
        if limit > *current {
            self.slots.add_permits(limit - *current);
            *current = limit;
        } else if limit < *current {
            *current -= self.slots.forget_permits(*current - limit);
        }
    }

    /// Waits for a free transfer slot; the file holds it while it moves.
    pub async fn transfer_slot(&self) -> EngineResult<SemaphorePermit<'_>> {
        self.slots
            .acquire()
            .await
            .map_err(|_| EngineError::Cancelled)
    }

    /// A log sink for this session.
    #[must_use]
    pub fn log(&self) -> LogSink {
        self.events.log_sink(Some(self.id))
    }

    /// Opens a new connection to the site.
    pub async fn connect(&self) -> EngineResult<FtpVfs> {
        let mut vfs = FtpVfs::connect(&self.site, self.log()).await?;
        if let Some(mode) = self.learned.lock().ok().and_then(|m| *m) {
            vfs.use_mode(mode);
        }
        Ok(vfs)
    }

    /// The browsing connection, reconnecting (to the same site) when it was lost.
    pub async fn browse(&self) -> EngineResult<BrowseGuard<'_>> {
        let mut guard = self.browse.lock().await;
        if guard.is_none() {
            self.log().info("Reconnecting");
            *guard = Some(self.connect().await?);
        }
        Ok(BrowseGuard {
            guard,
            finished: false,
            learned: &self.learned,
        })
    }

    /// An idle transfer connection, or a new one.
    pub async fn take_connection(&self) -> EngineResult<FtpVfs> {
        let idle = self.idle.lock().ok().and_then(|mut pool| pool.pop());
        match idle {
            Some(c) => Ok(c),
            None => self.connect().await,
        }
    }

    /// Returns a healthy transfer connection for reuse.
    pub fn give_back(&self, connection: FtpVfs) {
        if let Some(mode) = connection.learned_mode() {
            learn(&self.learned, mode);
        }
        if let Ok(mut pool) = self.idle.lock()
            && pool.len() < MAX_IDLE
        {
            pool.push(connection);
        }
    }

    /// Closes every connection (QUIT, best effort).
    pub async fn close(&self) {
        let browse = self.browse.lock().await.take();
        let idle: Vec<FtpVfs> = self
            .idle
            .lock()
            .map(|mut p| p.drain(..).collect())
            .unwrap_or_default();
        for c in browse.into_iter().chain(idle) {
            c.quit().await;
        }
    }
}

/// Remembers the mode a connection switched to; active (the last resort) wins over PASV.
fn learn(learned: &StdMutex<Option<Mode>>, mode: Mode) {
    if let Ok(mut slot) = learned.lock()
        && *slot != Some(Mode::Active)
    {
        *slot = Some(mode);
    }
}
