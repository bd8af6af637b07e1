//! The engine task: owns every session, routes each command to a task of its own, and turns
//! results into events. Cancel aborts a request's task (and with it every connection it holds).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::events::EventSink;
use crate::engine::ftp::FtpVfs;
use crate::engine::local::{DisplayPath, LocalVfs};
use crate::engine::queue::{self, RequestContext};
use crate::engine::session::Session;
use crate::engine::vfs::{self, Vfs};
use crate::model::entry::EntryKind;
use crate::protocol::{Command, Event, LocalChange, RequestId, SessionId};

type Shared<T> = Arc<Mutex<T>>;

/// The engine's state, owned by its task.
pub struct Actor {
    events: EventSink,
    sessions: Shared<HashMap<SessionId, Arc<Session>>>,
    running: Shared<HashMap<RequestId, AbortHandle>>,
    next_session: u64,
    next_transfer: Arc<AtomicU64>,
    bandwidths: queue::Bandwidths,
}

impl Actor {
    /// A fresh engine that reports to `events`.
    #[must_use]
    pub fn new(events: EventSink) -> Self {
        Self {
            events,
            sessions: Arc::default(),
            running: Arc::default(),
            next_session: 1,
            next_transfer: Arc::new(AtomicU64::new(1)),
            bandwidths: queue::Bandwidths::default(),
        }
    }

    /// Handles commands until every handle is dropped, then closes all sessions.
    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        while let Some(command) = commands.recv().await {
            self.handle(command);
        }
        let sessions: Vec<Arc<Session>> = self
            .sessions
            .lock()
            .map(|mut s| s.drain().map(|(_, v)| v).collect())
            .unwrap_or_default();
        for session in sessions {
            session.close().await;
        }
    }

    /// The session a request names; when there is none, the request fails with that.
    fn session_or_report(&self, request: RequestId, id: SessionId) -> Option<Arc<Session>> {
        match self.session(id) {
            Ok(session) => Some(session),
            Err(e) => {
                self.events.send(Event::Failed {
                    request,
                    error: e.report(),
                });
                None
            }
        }
    }

    fn session(&self, id: SessionId) -> EngineResult<Arc<Session>> {
        self.sessions
            .lock()
            .ok()
            .and_then(|s| s.get(&id).cloned())
            .ok_or_else(|| EngineError::Invalid(format!("session {} is not connected", id.0)))
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Connect { request, site } => self.connect(request, site),
            Command::ListLocal { request, path } => self.spawn(request, async move {
                let entries = LocalVfs.list(&DisplayPath(path.clone())).await?;
                Ok(Some(Event::LocalListing {
                    request,
                    path,
                    entries,
                }))
            }),
            Command::Transfer {
                request,
                session,
                job,
            } => self.transfer(request, session, job),
            Command::Scan { .. } | Command::TransferFile { .. } => self.queue_command(command),
            Command::StatLocal { request, path } => self.spawn(request, async move {
                let entry = LocalVfs.stat(&DisplayPath(path)).await?;
                Ok(Some(Event::Stat { request, entry }))
            }),
            Command::SetSpeedLimits { download, upload } => {
                self.bandwidths.download.set_limit(download);
                self.bandwidths.upload.set_limit(upload);
            }
            Command::ChangeLocal { request, change } => {
                self.spawn(
                    request,
                    async move { change_local(change).await.map(|()| None) },
                );
            }
            Command::Doctor { request, site } => {
                let events = self.events.clone();
                self.spawn(request, async move {
                    let log = events.log_sink(None);
                    let mut show = |step: &crate::protocol::DoctorStep| {
                        events.send(Event::DoctorStep {
                            request,
                            step: step.clone(),
                        });
                    };
                    let report = crate::engine::doctor::diagnose(&site, log, &mut show).await;
                    Ok(Some(Event::DoctorDone {
                        request,
                        report: Box::new(report),
                    }))
                });
            }
            Command::Cancel { request } => self.cancel(request),
            Command::Disconnect { session } => self.disconnect(session),
            browsing => self.browse_command(browsing),
        }
    }

    fn connect(&mut self, request: RequestId, site: crate::model::site::Site) {
        let id = SessionId(self.next_session);
        self.next_session += 1;
        let events = self.events.clone();
        let sessions = Arc::clone(&self.sessions);
        self.spawn(request, async move {
            let vfs = FtpVfs::connect(&site, events.log_sink(Some(id))).await?;
            let (home, greeting) = (vfs.home().clone(), vfs.greeting().to_owned());
            let session = Arc::new(Session::new(id, site, vfs, events.clone()));
            if let Ok(mut map) = sessions.lock() {
                map.insert(id, session);
            }
            Ok(Some(Event::Connected {
                request,
                session: id,
                home,
                greeting,
            }))
        });
    }

    /// List, stat, mkdir, remove and rename: one operation on the browsing connection.
    fn browse_command(&self, command: Command) {
        let (request, session) = match &command {
            Command::List {
                request, session, ..
            }
            | Command::Stat {
                request, session, ..
            }
            | Command::Mkdir {
                request, session, ..
            }
            | Command::Remove {
                request, session, ..
            }
            | Command::Rename {
                request, session, ..
            }
            | Command::Chmod {
                request, session, ..
            } => (*request, *session),
            _ => return,
        };
        let Some(session) = self.session_or_report(request, session) else {
            return;
        };
        self.spawn(request, async move {
            let mut browse = session.browse().await?;
            let result = browse_operation(browse.vfs()?, command).await;
            browse.finish(result)
        });
    }

    fn transfer(
        &self,
        request: RequestId,
        session: SessionId,
        job: crate::protocol::TransferRequest,
    ) {
        match self.session(session) {
            Ok(session) => {
                let ctx = self.request_context(session, request);
                self.spawn(
                    request,
                    async move { queue::run(ctx, job).await.map(|()| None) },
                );
            }
            Err(e) => self.events.send(Event::Failed {
                request,
                error: e.report(),
            }),
        }
    }

    fn request_context(&self, session: Arc<Session>, request: RequestId) -> Arc<RequestContext> {
        Arc::new(RequestContext {
            session,
            request,
            events: self.events.clone(),
            next_transfer: Arc::clone(&self.next_transfer),
            bandwidths: self.bandwidths.clone(),
        })
    }

    /// Scans, or moves one file, for the window's queue.
    fn queue_command(&self, command: Command) {
        let (request, session) = match &command {
            Command::Scan {
                request, session, ..
            }
            | Command::TransferFile {
                request, session, ..
            } => (*request, *session),
            _ => return,
        };
        let Some(session) = self.session_or_report(request, session) else {
            return;
        };
        let ctx = self.request_context(session, request);
        match command {
            Command::Scan { job, .. } => self.spawn(request, async move {
                queue::scan_to_events(ctx, job).await.map(|()| None)
            }),
            Command::TransferFile {
                direction,
                file,
                existing,
                resume,
                keep_times,
                connections,
                ..
            } => self.spawn(request, async move {
                let session = Arc::clone(&ctx.session);
                session.set_transfer_limit(connections);
                let _slot = session.transfer_slot().await?;
                queue::run_one(ctx, direction, file, (existing, resume), keep_times)
                    .await
                    .map(|()| None)
            }),
            _ => {}
        }
    }

    fn cancel(&self, request: RequestId) {
        let handle = self
            .running
            .lock()
            .ok()
            .and_then(|mut r| r.remove(&request));
        if let Some(handle) = handle {
            handle.abort();
            self.events.send(Event::Failed {
                request,
                error: EngineError::Cancelled.report(),
            });
        }
    }

    fn disconnect(&self, session: SessionId) {
        let removed = self
            .sessions
            .lock()
            .ok()
            .and_then(|mut s| s.remove(&session));
        if let Some(s) = removed {
            let events = self.events.clone();
            tokio::spawn(async move {
                s.close().await;
                events.send(Event::Disconnected { session });
            });
        }
    }

    /// Runs one request in its own task; its answer is `Some(event)`, or [`Event::Done`] for
    /// `None`, or [`Event::Failed`].
    fn spawn<F>(&self, request: RequestId, work: F)
    where
        F: Future<Output = EngineResult<Option<Event>>> + Send + 'static,
    {
        let events = self.events.clone();
        let running = Arc::clone(&self.running);
        // Holding the lock while spawning means the task's removal always follows the insert.
        let Ok(mut guard) = self.running.lock() else {
            return;
        };
        let task = tokio::spawn(async move {
            let result = work.await;
            let still_running = running
                .lock()
                .ok()
                .and_then(|mut r| r.remove(&request))
                .is_some();
            if !still_running {
                return; // Cancelled: the cancel already answered.
            }
            if let Err(EngineError::UntrustedCertificate(info)) = &result {
                // The front end shows the certificate before it reads the failure.
                events.send(Event::Certificate {
                    request,
                    info: info.clone(),
                });
            }
            events.send(match result {
                Ok(Some(event)) => event,
                Ok(None) => Event::Done { request },
                Err(e) => Event::Failed {
                    request,
                    error: e.report(),
                },
            });
        });
        guard.insert(request, task.abort_handle());
    }
}

/// Runs one browsing command on `ftp`; its answer event, or `None` for [`Event::Done`].
async fn browse_operation(ftp: &mut FtpVfs, command: Command) -> EngineResult<Option<Event>> {
    match command {
        Command::List { request, path, .. } => {
            let entries = ftp.list(&path).await?;
            Ok(Some(Event::Listing {
                request,
                path,
                entries,
            }))
        }
        Command::Stat { request, path, .. } => {
            let entry = ftp.stat(&path).await?;
            Ok(Some(Event::Stat { request, entry }))
        }
        Command::Mkdir { path, .. } => ftp.mkdir(&path).await.map(|()| None),
        Command::Remove {
            path, recursive, ..
        } => remove(ftp, &path, recursive).await.map(|()| None),
        Command::Rename { from, to, .. } => ftp.rename(&from, &to).await.map(|()| None),
        Command::Chmod {
            path,
            mode,
            recurse,
            ..
        } => match recurse {
            None => ftp.chmod(&path, mode).await.map(|()| None),
            Some(recurse) => ftp.chmod_tree(&path, mode, recurse).await.map(|()| None),
        },
        other => Err(EngineError::Invalid(format!(
            "not a browsing command: {other:?}"
        ))),
    }
}

/// Deletes a remote file or folder (`recursive`: with its contents).
async fn remove(
    ftp: &mut FtpVfs,
    path: &crate::model::path::RemotePath,
    recursive: bool,
) -> EngineResult<()> {
    let entry = ftp.stat(path).await?.ok_or_else(|| EngineError::Server {
        action: format!("deleting {path}"),
        code: 550,
        text: "no such file or folder on the server".to_owned(),
    })?;
    let is_dir = entry.kind == EntryKind::Dir;
    if is_dir && !recursive {
        return ftp.remove_dir(path).await;
    }
    vfs::remove_tree(ftp, path, is_dir).await
}

/// Creates, deletes or renames a local path through [`LocalVfs`].
async fn change_local(change: LocalChange) -> EngineResult<()> {
    let mut local = LocalVfs;
    match change {
        LocalChange::Mkdir(path) => local.mkdir(&DisplayPath(path)).await,
        LocalChange::Remove(path) => {
            let path = DisplayPath(path);
            let entry = local
                .stat(&path)
                .await?
                .ok_or_else(|| EngineError::Invalid(format!("{path} does not exist")))?;
            vfs::remove_tree(&mut local, &path, entry.kind == EntryKind::Dir).await
        }
        LocalChange::Rename { from, to } => {
            let (from, to) = (DisplayPath(from), DisplayPath(to));
            if local.stat(&to).await?.is_some() {
                return Err(EngineError::Invalid(format!(
                    "{to} already exists; nothing was renamed"
                )));
            }
            local.rename(&from, &to).await
        }
    }
}

/// Allocates request ids.
#[derive(Debug, Clone, Default)]
pub struct RequestIds(Arc<AtomicU64>);

impl RequestIds {
    /// The next unused id.
    #[must_use]
    pub fn next(&self) -> RequestId {
        RequestId(self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
}
