//! A blocking-style conversation with the engine for one CLI run: send a command, then handle
//! events (log lines, progress, an untrusted certificate) until the answer to that command
//! arrives.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use super::progress::ProgressView;
use crate::engine::EngineHandle;
use crate::model::site::Site;
use crate::protocol::{
    CertificateInfo, Command, ErrorKind, ErrorReport, Event, LogKind, RequestId, SessionId,
};

/// One CLI run's link to the engine.
pub struct Client {
    engine: EngineHandle,
    events: UnboundedReceiver<Event>,
    verbose: bool,
    progress: ProgressView,
    /// The last certificate the engine refused (it comes just before the failure).
    certificate: Option<Box<CertificateInfo>>,
    /// The connected session.
    pub session: SessionId,
}

/// Why [`Client::connect`] failed: the engine's report and, when the server's certificate was
/// not trusted, that certificate.
pub struct ConnectError {
    /// What the engine said.
    pub report: ErrorReport,
    /// The refused certificate, for a report of kind [`ErrorKind::Certificate`].
    pub certificate: Option<Box<CertificateInfo>>,
}

fn gone() -> ErrorReport {
    ErrorReport {
        kind: ErrorKind::Invalid,
        message: "the engine stopped unexpectedly".to_owned(),
        code: None,
    }
}

impl Client {
    /// Starts the engine on the current runtime and connects to `site`.
    pub async fn connect(
        site: Site,
        verbose: bool,
        progress: ProgressView,
    ) -> Result<Self, ConnectError> {
        let (engine, events) = EngineHandle::spawn_with_log(
            &tokio::runtime::Handle::current(),
            EngineHandle::no_waker(),
            verbose,
        );
        let mut client = Self {
            engine,
            events,
            verbose,
            progress,
            certificate: None,
            session: SessionId(0),
        };
        match client
            .call(|request| Command::Connect { request, site })
            .await
        {
            Ok(Event::Connected { session, .. }) => {
                client.session = session;
                Ok(client)
            }
            Ok(other) => Err(ConnectError {
                report: ErrorReport {
                    kind: ErrorKind::Protocol,
                    message: format!("unexpected answer {other:?}"),
                    code: None,
                },
                certificate: None,
            }),
            Err(report) => {
                let certificate = client.take_certificate(&report);
                Err(ConnectError {
                    report,
                    certificate,
                })
            }
        }
    }

    /// The certificate the engine refused, when `report` says a certificate was not trusted.
    pub fn take_certificate(&mut self, report: &ErrorReport) -> Option<Box<CertificateInfo>> {
        if report.kind == ErrorKind::Certificate {
            self.certificate.take()
        } else {
            None
        }
    }

    /// Sends the command `make` builds and waits for its answer.
    pub async fn call(
        &mut self,
        make: impl FnOnce(RequestId) -> Command,
    ) -> Result<Event, ErrorReport> {
        let request = self.engine.next_request();
        self.engine.send(make(request)).await.map_err(|_| gone())?;
        loop {
            let event = self.events.recv().await.ok_or_else(gone)?;
            match event {
                Event::Failed { request: r, error } if r == request => return Err(error),
                Event::Connected { request: r, .. }
                | Event::Listing { request: r, .. }
                | Event::LocalListing { request: r, .. }
                | Event::Stat { request: r, .. }
                | Event::Done { request: r }
                    if r == request =>
                {
                    return Ok(event);
                }
                other => self.side_event(other),
            }
        }
    }

    fn side_event(&mut self, event: Event) {
        match event {
            Event::Certificate { info, .. } => self.certificate = Some(info),
            Event::Log { kind, text, .. } if self.verbose => {
                let prefix = match kind {
                    LogKind::Sent => "> ",
                    LogKind::Received => "< ",
                    LogKind::Info | LogKind::ModeSwitch => "* ",
                    LogKind::Error => "! ",
                };
                self.progress.println(&format!("{prefix}{text}"));
            }
            Event::TransferStarted {
                id,
                remote,
                size,
                direction,
                ..
            } => self
                .progress
                .start(id, &remote.to_string(), size, direction),
            Event::TransferProgress { id, progress } => self.progress.update(id, &progress),
            Event::TransferFinished { id, state } => self.progress.finish(id, &state),
            _ => {}
        }
    }

    /// Closes the session politely (QUIT), waiting at most a few seconds.
    pub async fn close(mut self) {
        let session = self.session;
        if self
            .engine
            .send(Command::Disconnect { session })
            .await
            .is_err()
        {
            return;
        }
        let wait = async {
            while let Some(event) = self.events.recv().await {
                if matches!(event, Event::Disconnected { session: s } if s == session) {
                    break;
                }
                self.side_event(event);
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(3), wait).await;
    }

    /// The progress display (for the closing summary).
    pub fn progress(&mut self) -> &mut ProgressView {
        &mut self.progress
    }
}
