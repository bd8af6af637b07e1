//! The engine: a tokio actor that owns every FTP connection. Front ends send [`Command`]s
//! through an [`EngineHandle`] and read [`Event`]s back.

pub mod actor;
pub mod bandwidth;
pub mod doctor;
pub mod error;
pub mod events;
pub mod existing;
pub mod ftp;
pub mod local;
pub mod log;
pub mod part_file;
pub mod queue;
pub mod segments;
pub mod session;
pub mod throttle;
pub mod transfer;
pub mod vfs;

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::protocol::{Command, Event, RequestId};
pub use events::Waker;

/// The runtime every front end runs the engine on: two worker threads (the machines Skiff is
/// measured on have two cores; the work is I/O, not computation).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Commands waiting for the engine at most (a full channel makes senders wait).
const COMMAND_CAPACITY: usize = 256;

/// A cheap, cloneable way to talk to the engine. The engine stops when every handle is gone.
#[derive(Clone)]
pub struct EngineHandle {
    commands: mpsc::Sender<Command>,
    ids: actor::RequestIds,
}

/// The engine has stopped (its runtime shut down).
#[derive(Debug, thiserror::Error)]
#[error("the engine has stopped")]
pub struct EngineGone;

impl EngineHandle {
    /// Starts the engine on `runtime`; `waker` is called after events are sent. The FTP
    /// conversation is reported as [`Event::Log`] events.
    pub fn spawn(
        runtime: &tokio::runtime::Handle,
        waker: Waker,
    ) -> (Self, mpsc::UnboundedReceiver<Event>) {
        Self::spawn_with_log(runtime, waker, true)
    }

    /// Like [`EngineHandle::spawn`], with the conversation log on or off.
    pub fn spawn_with_log(
        runtime: &tokio::runtime::Handle,
        waker: Waker,
        log_conversation: bool,
    ) -> (Self, mpsc::UnboundedReceiver<Event>) {
        let (command_tx, command_rx) = mpsc::channel(COMMAND_CAPACITY);
        let (event_tx, event_rx) = mpsc::unbounded_channel();
        let sink = events::EventSink::new(event_tx, waker, log_conversation);
        runtime.spawn(actor::Actor::new(sink).run(command_rx));
        let ids = actor::RequestIds::default();
        (
            Self {
                commands: command_tx,
                ids,
            },
            event_rx,
        )
    }

    /// A fresh request id.
    #[must_use]
    pub fn next_request(&self) -> RequestId {
        self.ids.next()
    }

    /// Sends a command, waiting if the engine is busy.
    pub async fn send(&self, command: Command) -> Result<(), EngineGone> {
        self.commands.send(command).await.map_err(|_| EngineGone)
    }

    /// Sends a command without waiting (for a UI thread); gives it back when the queue is full.
    pub fn try_send(&self, command: Command) -> Result<(), Box<Command>> {
        self.commands
            .try_send(command)
            .map_err(|e| Box::new(e.into_inner()))
    }

    /// A no-op waker, for front ends that poll.
    #[must_use]
    pub fn no_waker() -> Waker {
        Arc::new(|| {})
    }
}
