//! Data connections: which mode a session uses, the passive connector that always dials the
//! control connection's peer (whatever address PASV names), and the words for a failed mode.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use std::pin::Pin;

use suppaftp::{FtpError, Mode, Status};

use super::reply::{map_error, reply_code, reply_text, reply_text_full};
use super::{DataStream, FtpVfs, bounded};
use crate::engine::error::EngineResult;

use crate::engine::error::EngineError;
use crate::engine::log::LogSink;
use crate::model::site::DataMode;

/// The suppaftp mode a session starts with for `mode` (`Auto` starts with EPSV).
#[must_use]
pub fn initial_mode(mode: DataMode) -> Mode {
    match mode {
        DataMode::Passive => Mode::Passive,
        DataMode::Auto | DataMode::ExtendedPassive => Mode::ExtendedPassive,
        DataMode::Active => Mode::Active,
    }
}

/// A passive-mode connector for suppaftp: dials `peer`'s IP at the port the server named,
/// never the host a PASV reply names, logs both, and gives up after `timeout`.
pub fn passive_connector(
    peer: IpAddr,
    timeout: Duration,
    log: LogSink,
) -> impl Fn(
    SocketAddr,
) -> std::pin::Pin<
    Box<dyn Future<Output = suppaftp::FtpResult<tokio::net::TcpStream>> + Send + Sync>,
> + Send
+ Sync
+ 'static {
    move |named: SocketAddr| {
        let target = SocketAddr::new(peer, named.port());
        if named.ip() == peer {
            log.info(format!("Opening data connection to {target}"));
        } else {
            log.info(format!(
                "The server named {named} for the data connection; connecting to the server's \
                 own address {target} instead"
            ));
        }
        Box::pin(async move {
            match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(target)).await {
                Ok(Ok(stream)) => {
                    // Small reads and writes on a data socket must not wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    Ok(stream)
                }
                Ok(Err(err)) => Err(FtpError::ConnectionError(err)),
                Err(_) => Err(FtpError::ConnectionError(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "no data connection to {target} within {} s",
                        timeout.as_secs()
                    ),
                ))),
            }
        })
    }
}

/// True when a reply code means "this command is not understood", so `Auto` may switch from
/// EPSV to PASV.
#[must_use]
pub fn is_not_supported(code: u16) -> bool {
    matches!(code, 500 | 501 | 502 | 504)
}

/// The words for a data connection that failed in `mode`.
#[must_use]
pub fn explain_failure(mode: Mode, detail: &str) -> EngineError {
    match mode {
        Mode::Active => EngineError::DataConnection(format!(
            "active mode failed: the server could not connect back to this machine ({detail}). \
             A firewall or NAT router usually blocks that connection; use passive mode \
             (--mode pasv) instead"
        )),
        Mode::Passive | Mode::ExtendedPassive => EngineError::DataConnection(format!(
            "could not open the passive data connection ({detail}); the server's passive port \
             range may be blocked by a firewall: try active mode (--mode active), or ask the \
             server's admin to open the passive ports"
        )),
    }
}

type BoxedOpen<'a> = Pin<Box<dyn Future<Output = suppaftp::FtpResult<DataStream>> + Send + 'a>>;

/// A command that opens a data connection.
#[derive(Debug, Clone, Copy)]
pub(super) enum DataCommand<'a> {
    Retr(&'a str),
    Stor(&'a str),
    Appe(&'a str),
    Mlsd(&'a str),
    List,
}

impl DataCommand<'_> {
    pub(super) fn text(&self) -> String {
        match self {
            Self::Retr(p) => format!("RETR {p}"),
            Self::Stor(p) => format!("STOR {p}"),
            Self::Appe(p) => format!("APPE {p}"),
            Self::Mlsd(p) => format!("MLSD {p}"),
            Self::List => "LIST".to_owned(),
        }
    }
}

impl FtpVfs {
    /// Opens a data connection for `cmd` (REST `offset` first when non-zero). In `Auto` mode a
    /// refused EPSV switches the session to PASV once, with a log line saying so.
    pub(super) async fn open_data(
        &mut self,
        cmd: DataCommand<'_>,
        offset: u64,
    ) -> EngineResult<DataStream> {
        let mut switched = false;
        let mut passive_failure: Option<String> = None;
        loop {
            if offset > 0 {
                self.log.sent(&format!("REST {offset}"));
                let offset = usize::try_from(offset)
                    .map_err(|_| EngineError::Invalid(format!("offset {offset} is too large")))?;
                self.stream
                    .resume_transfer(offset)
                    .await
                    .map_err(|e| map_error(e, "REST", self.site.timeout))?;
            }
            self.log_data_mode();
            self.log.sent(&cmd.text());
            let timeout = self.site.timeout;
            let stream = &mut self.stream;
            let fut: BoxedOpen<'_> = match cmd {
                DataCommand::Retr(p) => Box::pin(stream.retr_as_stream(p)),
                DataCommand::Stor(p) => Box::pin(stream.put_with_stream(p)),
                DataCommand::Appe(p) => Box::pin(stream.append_with_stream(p)),
                DataCommand::Mlsd(p) => Box::pin(async move {
                    stream
                        .custom_data_command(
                            format!("MLSD {p}"),
                            &[Status::AboutToSend, Status::AlreadyOpen],
                        )
                        .await
                        .map(|(_, s)| s)
                }),
                DataCommand::List => Box::pin(async move {
                    stream
                        .custom_data_command("LIST", &[Status::AboutToSend, Status::AlreadyOpen])
                        .await
                        .map(|(_, s)| s)
                }),
            };
            // Active mode waits up to `timeout` for the server's connection, on top of the reply.
            let action = format!("opening the data connection for {}", cmd.text());
            let opening = bounded(timeout * 2, &action, fut);
            match super::active_log::with_log(self.log.clone(), opening).await? {
                Ok(stream) => return Ok(stream),
                Err(FtpError::UnexpectedResponse(reply)) => {
                    let code = reply_code(&reply);
                    self.log.received(&reply_text_full(&reply));
                    if self.site.data_mode == DataMode::Auto
                        && self.mode == Mode::ExtendedPassive
                        && is_not_supported(code)
                        && !switched
                    {
                        self.mode = Mode::Passive;
                        self.stream.set_mode(Mode::Passive);
                        self.log.mode_switch(
                            "The server refused EPSV; switching this session to passive mode \
                             (PASV). Test the connection to see which modes work",
                        );
                        switched = true;
                        continue;
                    }
                    if code == 425 {
                        return Err(self.explain(passive_failure, &reply_text(&reply)));
                    }
                    return Err(EngineError::Server {
                        action: cmd.text(),
                        code,
                        text: reply_text(&reply),
                    });
                }
                Err(FtpError::ConnectionError(io))
                    if matches!(
                        io.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::ConnectionRefused
                    ) =>
                {
                    if self.site.data_mode == DataMode::Auto
                        && self.mode != Mode::Active
                        && passive_failure.is_none()
                    {
                        // Behind a server-side firewall the passive port may be closed while
                        // the server can still connect back: try active mode once.
                        self.log.mode_switch(format!(
                            "The server's passive port could not be reached ({io}); switching \
                             this session to active mode (PORT/EPRT). Test the connection to \
                             see why"
                        ));
                        passive_failure = Some(io.to_string());
                        self.mode = Mode::Active;
                        self.stream.set_mode(Mode::Active);
                        continue;
                    }
                    return Err(self.explain(passive_failure, &io.to_string()));
                }
                Err(e) => return Err(map_error(e, &cmd.text(), self.site.timeout)),
            }
        }
    }

    /// The words for a data connection that failed in this connection's mode; after `Auto`
    /// fell back from passive to active, both failures.
    fn explain(&self, passive_failure: Option<String>, detail: &str) -> EngineError {
        match passive_failure {
            Some(passive) => EngineError::DataConnection(format!(
                "no data connection works: the passive connection failed ({passive}) and in \
                 active mode the server could not connect back ({detail}). Test the connection \
                 (skiff doctor) to see why"
            )),
            None => explain_failure(self.mode, detail),
        }
    }

    /// Says how the next data connection is opened (suppaftp sends PASV/EPSV/PORT itself).
    fn log_data_mode(&self) {
        match self.mode {
            Mode::ExtendedPassive => self.log.info("Data connection: extended passive (EPSV)"),
            Mode::Passive => self.log.info("Data connection: passive (PASV)"),
            Mode::Active => self.log.info(format!(
                "Data connection: active (PORT/EPRT with this machine's address); waiting up to {} s for the server to connect back",
                self.site.timeout.as_secs()
            )),
        }
    }

    /// Closes a data connection and reads the server's completion reply.
    pub async fn finish(&mut self, stream: DataStream, action: &str) -> EngineResult<()> {
        let result = bounded(
            self.site.timeout,
            &format!("waiting for the end of {action}"),
            stream.finish(),
        )
        .await?;
        match result {
            Ok(()) => {
                self.log.received("226 Transfer complete");
                Ok(())
            }
            Err(FtpError::UnexpectedResponse(reply)) => {
                self.log.received(&reply_text_full(&reply));
                let code = reply_code(&reply);
                if code == 426 || code == 451 {
                    Err(EngineError::Disconnected(format!(
                        "{action} (the server said {code} {})",
                        reply_text(&reply)
                    )))
                } else {
                    Err(EngineError::Server {
                        action: action.to_owned(),
                        code,
                        text: reply_text(&reply),
                    })
                }
            }
            Err(e) => Err(map_error(e, action, self.site.timeout)),
        }
    }
}
