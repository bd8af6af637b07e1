//! `FtpVfs`: one FTP control connection (connect, TLS, login, FEAT, TYPE I, PWD) and the
//! file operations over it, every wait bounded by the site's timeout, every command and reply
//! logged (passwords masked).

pub mod data;
pub mod listing;
pub mod tls;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use suppaftp::tokio::{
    AsyncRustlsConnector, AsyncRustlsFtpStream, AsyncRustlsStream, TransferStream,
};
use suppaftp::{FtpError, Mode, Status};
use tokio::io::AsyncReadExt;

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::log::LogSink;
use crate::model::entry::{Entry, EntryKind};
use crate::model::path::RemotePath;
use crate::model::site::{DataMode, Protocol, Site};

/// An open data connection (a file being read or written).
pub type DataStream = TransferStream<AsyncRustlsStream>;

/// The most a listing may take before Skiff stops reading it.
pub const MAX_LISTING_BYTES: usize = 64 * 1024 * 1024;

/// A logged-in FTP connection.
pub struct FtpVfs {
    stream: AsyncRustlsFtpStream,
    site: Site,
    features: HashMap<String, Option<String>>,
    mode: Mode,
    log: LogSink,
    home: RemotePath,
    greeting: String,
}

type BoxedOpen<'a> = Pin<Box<dyn Future<Output = suppaftp::FtpResult<DataStream>> + Send + 'a>>;

/// A command that opens a data connection.
#[derive(Debug, Clone, Copy)]
enum DataCommand<'a> {
    Retr(&'a str),
    Stor(&'a str),
    Appe(&'a str),
    Mlsd(&'a str),
    List,
}

impl DataCommand<'_> {
    fn text(&self) -> String {
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
    /// Connects, secures (when asked), logs in, reads FEAT, sets binary mode and reads PWD.
    ///
    /// Some servers (libunftp among them) race their switch to TLS after `234` and answer the
    /// client's first TLS bytes in plain text; such a garbled handshake is retried once, with TLS
    /// again (never without it).
    pub async fn connect(site: &Site, log: LogSink) -> EngineResult<Self> {
        match Self::connect_once(site, log.clone()).await {
            Err(EngineError::Tls(reason)) if reason.contains("InvalidContentType") => {
                log.info(format!(
                    "The server garbled the TLS handshake ({reason}); trying once more"
                ));
                Self::connect_once(site, log).await
            }
            other => other,
        }
    }

    async fn connect_once(site: &Site, log: LogSink) -> EngineResult<Self> {
        let address = site.authority();
        log.info(format!(
            "Connecting to {address} ({})",
            site.protocol.scheme()
        ));
        let peer = resolve(site).await?;
        let timeout = site.timeout;
        let connect_error = |reason: String| EngineError::Connect {
            address: address.clone(),
            reason,
        };
        let mut stream = match site.protocol {
            Protocol::ImplicitTls => {
                let connector = connector(site)?;
                let fut =
                    AsyncRustlsFtpStream::connect_secure_implicit(peer, connector, &site.host);
                bounded(timeout, "connecting", fut)
                    .await?
                    .map_err(|e| connect_failure(e, &connect_error))?
            }
            Protocol::Ftp | Protocol::ExplicitTls => {
                let tcp = bounded(timeout, "connecting", tokio::net::TcpStream::connect(peer))
                    .await?
                    .map_err(|e| connect_error(e.to_string()))?;
                let _ = tcp.set_nodelay(true);
                bounded(
                    timeout,
                    "waiting for the greeting",
                    AsyncRustlsFtpStream::connect_with_stream(tcp),
                )
                .await?
                .map_err(|e| connect_failure(e, &connect_error))?
            }
        };
        let greeting = stream.get_welcome_msg().unwrap_or_default().to_owned();
        log.received(&greeting);
        if site.protocol == Protocol::ExplicitTls {
            log.sent("AUTH TLS");
            let fut = stream.into_secure(connector(site)?, &site.host);
            stream = bounded(timeout, "starting TLS", fut)
                .await?
                .map_err(|e| match e {
                    FtpError::UnexpectedResponse(r) => EngineError::Tls(format!(
                        "the server refused TLS ({}); Skiff does not fall back to plain text: use \
                     ftp:// only if you accept an unencrypted connection",
                        reply_text(&r)
                    )),
                    FtpError::SecureError(reason) => tls::explain(&reason),
                    other => map_error(other, "starting TLS", timeout),
                })?;
            log.info("TLS established; PBSZ 0 and PROT P accepted: data connections are encrypted");
        }
        if site.protocol == Protocol::ImplicitTls {
            // suppaftp's implicit connect does not ask for protected data connections itself.
            let mut secured = stream;
            for command in ["PBSZ 0", "PROT P"] {
                log.sent(command);
                let fut = secured.custom_command(command, &[Status::CommandOk]);
                bounded(timeout, "setting up TLS", fut).await?.map_err(|e| match e {
                    FtpError::UnexpectedResponse(r) => EngineError::Tls(format!(
                        "the server refused {command} ({}); Skiff does not transfer data unencrypted over ftps://",
                        reply_text(&r)
                    )),
                    other => map_error(other, command, timeout),
                })?;
                log.received(&format!("200 {command} accepted"));
            }
            stream = secured;
            log.info("Implicit TLS established: data connections are encrypted");
        }
        let mode = data::initial_mode(site.data_mode);
        stream.set_mode(mode);
        if mode == Mode::Active {
            stream = stream.active_mode(timeout);
        }
        stream =
            stream.passive_stream_builder(data::passive_connector(peer.ip(), timeout, log.clone()));
        let mut vfs = Self {
            stream,
            site: site.clone(),
            features: HashMap::new(),
            mode,
            log,
            home: RemotePath::root(),
            greeting,
        };
        vfs.login().await?;
        vfs.read_features().await;
        vfs.command("TYPE I", &[200]).await?;
        if vfs.has_feature("UTF8") {
            // Best effort: some servers need it to send names in UTF-8.
            let _ = vfs.command("OPTS UTF8 ON", &[200, 202]).await;
        }
        let pwd = vfs.command("PWD", &[257]).await?;
        vfs.home = RemotePath::new(&parse_pwd(&pwd));
        Ok(vfs)
    }

    /// The folder the server put us in after login.
    #[must_use]
    pub fn home(&self) -> &RemotePath {
        &self.home
    }

    /// The server's greeting.
    #[must_use]
    pub fn greeting(&self) -> &str {
        &self.greeting
    }

    /// The site this connection was opened for.
    #[must_use]
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// True when FEAT advertised `name` (case-insensitive, e.g. "MLSD", "MFMT").
    #[must_use]
    pub fn has_feature(&self, name: &str) -> bool {
        self.features.contains_key(&name.to_ascii_uppercase())
    }

    async fn login(&mut self) -> EngineResult<()> {
        let user = self.site.login_user().to_owned();
        let reply = self.command_raw(&format!("USER {user}")).await?;
        let mut code = reply_code(&reply);
        if code == 331 || code == 332 {
            let password = match &self.site.password {
                Some(p) => p.expose().to_owned(),
                None if self.site.user.is_none() => "anonymous@".to_owned(),
                None => String::new(),
            };
            let reply = self.command_raw(&format!("PASS {password}")).await?;
            code = reply_code(&reply);
            if code == 230 || code == 202 {
                return Ok(());
            }
            return Err(EngineError::Auth {
                code,
                text: reply_text(&reply),
            });
        }
        if code == 230 {
            return Ok(());
        }
        Err(EngineError::Auth {
            code,
            text: reply_text(&reply),
        })
    }

    async fn read_features(&mut self) {
        self.log.sent("FEAT");
        match bounded(self.site.timeout, "reading FEAT", self.stream.feat()).await {
            Ok(Ok(features)) => {
                let mut names: Vec<String> = Vec::new();
                for (name, value) in features {
                    names.push(match &value {
                        Some(v) => format!("{name} {v}"),
                        None => name.clone(),
                    });
                    self.features.insert(name.to_ascii_uppercase(), value);
                }
                names.sort();
                self.log
                    .received(&format!("211 Features: {}", names.join(", ")));
            }
            Ok(Err(e)) => self
                .log
                .info(format!("FEAT not available ({e}); using plain commands")),
            Err(e) => self.log.error(e.to_string()),
        }
    }

    /// Sends one command and returns its reply whatever the code (after logging both).
    async fn command_raw(&mut self, text: &str) -> EngineResult<suppaftp::types::Response> {
        self.log.sent(text);
        let fut = self.stream.custom_command(text, &[]);
        let result = bounded(
            self.site.timeout,
            &format!("waiting for the reply to {}", verb(text)),
            fut,
        )
        .await?;
        let reply = match result {
            Ok(r) | Err(FtpError::UnexpectedResponse(r)) => r,
            Err(e) => {
                return Err(map_error(
                    e,
                    &crate::engine::log::mask_command(text),
                    self.site.timeout,
                ));
            }
        };
        self.log.received(&reply_text_full(&reply));
        Ok(reply)
    }

    /// Sends one command and checks its reply code is one of `expected`; returns the reply text.
    pub async fn command(&mut self, text: &str, expected: &[u16]) -> EngineResult<String> {
        let reply = self.command_raw(text).await?;
        let code = reply_code(&reply);
        if expected.contains(&code) {
            Ok(reply_text(&reply))
        } else {
            Err(EngineError::Server {
                action: crate::engine::log::mask_command(text),
                code,
                text: reply_text(&reply),
            })
        }
    }

    /// Opens a data connection for `cmd` (REST `offset` first when non-zero). In `Auto` mode a
    /// refused EPSV switches the session to PASV once, with a log line saying so.
    async fn open_data(&mut self, cmd: DataCommand<'_>, offset: u64) -> EngineResult<DataStream> {
        let mut switched = false;
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
            match bounded(
                timeout * 2,
                &format!("opening the data connection for {}", cmd.text()),
                fut,
            )
            .await?
            {
                Ok(stream) => return Ok(stream),
                Err(FtpError::UnexpectedResponse(reply)) => {
                    let code = reply_code(&reply);
                    self.log.received(&reply_text_full(&reply));
                    if self.site.data_mode == DataMode::Auto
                        && self.mode == Mode::ExtendedPassive
                        && data::is_not_supported(code)
                        && !switched
                    {
                        self.mode = Mode::Passive;
                        self.stream.set_mode(Mode::Passive);
                        self.log.info("The server refused EPSV; switching this session to passive mode (PASV)");
                        switched = true;
                        continue;
                    }
                    if code == 425 {
                        return Err(data::explain_failure(self.mode, &reply_text(&reply)));
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
                    return Err(data::explain_failure(self.mode, &io.to_string()));
                }
                Err(e) => return Err(map_error(e, &cmd.text(), self.site.timeout)),
            }
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

    /// Lists a folder: MLSD when advertised, else CWD + LIST; parsed by Skiff's own parsers.
    pub async fn list(&mut self, path: &RemotePath) -> EngineResult<Vec<Entry>> {
        let (cmd, format) = if self.has_feature("MLSD") || self.has_feature("MLST") {
            (
                DataCommand::Mlsd(path.as_str()),
                listing::ListingFormat::Mlsd,
            )
        } else {
            self.command(&format!("CWD {path}"), &[250, 200]).await?;
            (DataCommand::List, listing::ListingFormat::List)
        };
        let mut stream = self.open_data(cmd, 0).await?;
        let bytes = read_bounded(&mut stream, self.site.timeout, path).await?;
        self.finish(stream, &cmd.text()).await?;
        let text = String::from_utf8_lossy(&bytes);
        let parsed = listing::parse_listing(&text, format, chrono::Utc::now().naive_utc());
        for line in &parsed.skipped {
            self.log
                .info(format!("Skipped a listing line Skiff cannot use: {line}"));
        }
        self.log
            .info(format!("Listed {path}: {} entries", parsed.entries.len()));
        Ok(parsed.entries)
    }

    /// Facts about one path: `None` when it does not exist.
    pub async fn stat(&mut self, path: &RemotePath) -> EngineResult<Option<Entry>> {
        if path.is_root() {
            return Ok(Some(Entry::new("/", EntryKind::Dir)));
        }
        let name = path.file_name().unwrap_or("/").to_owned();
        if self.has_feature("MLST") {
            let reply = self.command_raw(&format!("MLST {path}")).await?;
            let code = reply_code(&reply);
            if code == 250 {
                let text = reply_text_full(&reply);
                let facts = text
                    .lines()
                    .find(|l| l.starts_with(' '))
                    .map(str::trim_start);
                if let Some(mut entry) = facts.and_then(listing::mlsd::parse_line) {
                    entry.name = name;
                    return Ok(Some(entry));
                }
            } else if code != 550 && code != 450 && !data::is_not_supported(code) {
                return Err(EngineError::Server {
                    action: format!("MLST {path}"),
                    code,
                    text: reply_text(&reply),
                });
            } else if code == 550 || code == 450 {
                return Ok(None);
            }
        }
        let reply = self.command_raw(&format!("SIZE {path}")).await?;
        if reply_code(&reply) == 213 {
            let mut entry = Entry::new(name, EntryKind::File);
            entry.size = reply_text(&reply).trim().parse().ok();
            entry.modified = self.mdtm(path).await?;
            return Ok(Some(entry));
        }
        let reply = self.command_raw(&format!("CWD {path}")).await?;
        if reply_code(&reply) == 250 {
            return Ok(Some(Entry::new(name, EntryKind::Dir)));
        }
        Ok(None)
    }

    /// The modification time from MDTM, when the server gives one.
    pub async fn mdtm(&mut self, path: &RemotePath) -> EngineResult<Option<i64>> {
        if !self.has_feature("MDTM") {
            return Ok(None);
        }
        let reply = self.command_raw(&format!("MDTM {path}")).await?;
        if reply_code(&reply) != 213 {
            return Ok(None);
        }
        Ok(listing::mlsd::parse_time(reply_text(&reply).trim()))
    }

    /// Sets a file's modification time with MFMT, when advertised. Returns whether it was set.
    pub async fn mfmt(&mut self, path: &RemotePath, unix_seconds: i64) -> EngineResult<bool> {
        if !self.has_feature("MFMT") {
            return Ok(false);
        }
        let Some(time) = chrono::DateTime::from_timestamp(unix_seconds, 0) else {
            return Ok(false);
        };
        let stamp = time.format("%Y%m%d%H%M%S");
        Ok(self
            .command(&format!("MFMT {stamp} {path}"), &[213, 253])
            .await
            .is_ok())
    }

    /// Opens `path` for reading from `offset`.
    pub async fn open_read(&mut self, path: &RemotePath, offset: u64) -> EngineResult<DataStream> {
        self.open_data(DataCommand::Retr(path.as_str()), offset)
            .await
    }

    /// Opens `path` for writing: from the start (`offset` 0, replacing it), or continuing at
    /// `offset` (REST+STOR when REST STREAM is advertised, else APPE).
    pub async fn open_write(&mut self, path: &RemotePath, offset: u64) -> EngineResult<DataStream> {
        if offset == 0 {
            self.open_data(DataCommand::Stor(path.as_str()), 0).await
        } else if self.features.get("REST").is_some_and(|v| {
            v.as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case("STREAM"))
        }) {
            self.open_data(DataCommand::Stor(path.as_str()), offset)
                .await
        } else {
            self.open_data(DataCommand::Appe(path.as_str()), 0).await
        }
    }

    /// Creates a folder.
    pub async fn mkdir(&mut self, path: &RemotePath) -> EngineResult<()> {
        self.command(&format!("MKD {path}"), &[257, 250])
            .await
            .map(drop)
    }

    /// Deletes a file.
    pub async fn remove_file(&mut self, path: &RemotePath) -> EngineResult<()> {
        self.command(&format!("DELE {path}"), &[250, 200])
            .await
            .map(drop)
    }

    /// Deletes an empty folder.
    pub async fn remove_dir(&mut self, path: &RemotePath) -> EngineResult<()> {
        self.command(&format!("RMD {path}"), &[250, 200])
            .await
            .map(drop)
    }

    /// Renames or moves.
    pub async fn rename(&mut self, from: &RemotePath, to: &RemotePath) -> EngineResult<()> {
        self.command(&format!("RNFR {from}"), &[350]).await?;
        self.command(&format!("RNTO {to}"), &[250, 200])
            .await
            .map(drop)
    }

    /// Says goodbye (best effort, bounded).
    pub async fn quit(mut self) {
        let _ = self.command("QUIT", &[221]).await;
    }
}

/// Resolves the site's host to the first address (IPv4 or IPv6) the system returns.
async fn resolve(site: &Site) -> EngineResult<SocketAddr> {
    let lookup = tokio::net::lookup_host((site.host.as_str(), site.port));
    let mut addrs = bounded(site.timeout, "resolving the host name", lookup)
        .await?
        .map_err(|e| EngineError::Connect {
            address: site.authority(),
            reason: format!("the host name cannot be resolved ({e})"),
        })?;
    addrs.next().ok_or_else(|| EngineError::Connect {
        address: site.authority(),
        reason: "the host name has no address".to_owned(),
    })
}

fn connector(site: &Site) -> EngineResult<AsyncRustlsConnector> {
    let config = tls::client_config(site.insecure)?;
    Ok(AsyncRustlsConnector::from(
        tokio_rustls::TlsConnector::from(config),
    ))
}

fn connect_failure(err: FtpError, connect_error: &dyn Fn(String) -> EngineError) -> EngineError {
    match err {
        FtpError::SecureError(reason) => tls::explain(&reason),
        FtpError::ConnectionError(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            EngineError::Protocol(format!("the server's greeting is unusable ({io})"))
        }
        FtpError::ConnectionError(io) => connect_error(io.to_string()),
        FtpError::UnexpectedResponse(r) => {
            connect_error(format!("the server is not ready ({})", reply_text(&r)))
        }
        other => connect_error(other.to_string()),
    }
}

/// Runs `fut` with a time limit; running out is an [`EngineError::Timeout`].
pub async fn bounded<F: Future>(limit: Duration, action: &str, fut: F) -> EngineResult<F::Output> {
    tokio::time::timeout(limit, fut)
        .await
        .map_err(|_| EngineError::Timeout {
            action: action.to_owned(),
            after: limit,
        })
}

/// Maps suppaftp's errors to Skiff's, keeping reply codes.
fn map_error(err: FtpError, action: &str, timeout: Duration) -> EngineError {
    match err {
        FtpError::UnexpectedResponse(reply) => EngineError::Server {
            action: action.to_owned(),
            code: reply_code(&reply),
            text: reply_text(&reply),
        },
        FtpError::SecureError(reason) => tls::explain(&reason),
        FtpError::ConnectionError(io) => match io.kind() {
            std::io::ErrorKind::TimedOut => EngineError::Timeout {
                action: action.to_owned(),
                after: timeout,
            },
            std::io::ErrorKind::InvalidData => {
                EngineError::Protocol(format!("{io} (during {action})"))
            }
            _ => EngineError::Disconnected(format!("{action} ({io})")),
        },
        FtpError::BadResponse => EngineError::Protocol(format!("a malformed reply to {action}")),
        other => EngineError::Protocol(format!("{other} (during {action})")),
    }
}

/// Reads a listing's data connection to its end, refusing more than [`MAX_LISTING_BYTES`].
async fn read_bounded(
    stream: &mut DataStream,
    timeout: Duration,
    path: &RemotePath,
) -> EngineResult<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = bounded(
            timeout,
            &format!("reading the listing of {path}"),
            stream.read(&mut chunk),
        )
        .await?
        .map_err(|e| EngineError::Disconnected(format!("reading the listing of {path} ({e})")))?;
        if n == 0 {
            return Ok(bytes);
        }
        if bytes.len() + n > MAX_LISTING_BYTES {
            return Err(EngineError::Protocol(format!(
                "the listing of {path} is larger than {} MiB; Skiff stops reading it",
                MAX_LISTING_BYTES / (1024 * 1024)
            )));
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
}

/// The three-digit code at the start of a reply (0 when there is none).
fn reply_code(reply: &suppaftp::types::Response) -> u16 {
    let code = reply.status.code();
    if code != 0 {
        return u16::try_from(code).unwrap_or(0);
    }
    std::str::from_utf8(reply.body.get(..3).unwrap_or_default())
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// The reply's text after the code, of the last line, control characters escaped.
fn reply_text(reply: &suppaftp::types::Response) -> String {
    let full = String::from_utf8_lossy(&reply.body);
    let last = full.trim_end().lines().last().unwrap_or_default();
    let text = last.get(4..).unwrap_or(last);
    listing::escape_control(text)
}

/// The whole reply as sent (for the log).
fn reply_text_full(reply: &suppaftp::types::Response) -> String {
    String::from_utf8_lossy(&reply.body).trim_end().to_owned()
}

/// The command's verb, for messages (`PASS` never shows its argument).
fn verb(command: &str) -> &str {
    command.split(' ').next().unwrap_or(command)
}

/// The folder in a `257 "/path" is current` reply (`""` inside quotes is one quote).
fn parse_pwd(text: &str) -> String {
    let Some(start) = text.find('"') else {
        return "/".to_owned();
    };
    let mut out = String::new();
    let mut chars = text[start + 1..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                out.push('"');
                chars.next();
            } else {
                break;
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pwd_replies() {
        assert_eq!(
            parse_pwd("\"/home/ann\" is the current directory"),
            "/home/ann"
        );
        assert_eq!(parse_pwd("\"/a \"\"b\"\"\" ok"), "/a \"b\"");
        assert_eq!(parse_pwd("no quotes"), "/");
    }
}
