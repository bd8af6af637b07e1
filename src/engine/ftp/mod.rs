//! `FtpVfs`: one FTP control connection: connect, TLS, login, FEAT, TYPE I, PWD, and single
//! commands, every wait bounded by the site's timeout, every command and reply logged
//! (passwords masked). Data connections are in `data`, file operations in `files`.

mod active_log;
pub mod data;
mod files;
pub use files::{MAX_TREE_DEPTH, MAX_TREE_FOLDERS};
pub mod listing;
mod reply;
pub mod tls;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::log::LogSink;
use crate::model::path::RemotePath;
use crate::model::site::{Protocol, Site};
use reply::{connect_failure, map_error, parse_pwd, reply_code, reply_text, reply_text_full, verb};
use suppaftp::tokio::{
    AsyncRustlsConnector, AsyncRustlsFtpStream, AsyncRustlsStream, TransferStream,
};
use suppaftp::{FtpError, Mode, Status};

/// An open data connection (a file being read or written).
pub type DataStream = TransferStream<AsyncRustlsStream>;

/// How many times a connection whose TLS handshake the server garbled is tried.
pub const GARBLED_HANDSHAKE_TRIES: usize = 3;

/// The pause before the `attempt`th new try of a garbled TLS handshake (50 ms, then 200 ms):
/// the servers that garble it lose a race on a busy machine.
#[must_use]
pub fn garbled_pause(attempt: usize) -> Duration {
    Duration::from_millis(if attempt <= 1 { 50 } else { 200 })
}

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
    /// The certificate checks of this session's TLS connections (None without TLS).
    trust: Option<std::sync::Arc<tls::TrustCheck>>,
}

impl FtpVfs {
    /// The log this connection writes its conversation to.
    #[must_use]
    pub fn log(&self) -> &LogSink {
        &self.log
    }

    /// Connects, secures (when asked), logs in, reads FEAT, sets binary mode and reads PWD.
    ///
    /// Some servers (libunftp among them) race their switch to TLS after `234` and answer the
    /// client's first TLS bytes in plain text; such a garbled handshake is tried again, up to
    /// [`GARBLED_HANDSHAKE_TRIES`] times in all, with TLS again (never without it).
    pub async fn connect(site: &Site, log: LogSink) -> EngineResult<Self> {
        let mut tries = 1;
        loop {
            match Self::connect_once(site, log.clone()).await {
                Err(EngineError::Tls(reason))
                    if reason.contains("InvalidContentType") && tries < GARBLED_HANDSHAKE_TRIES =>
                {
                    log.info(format!(
                        "The server garbled the TLS handshake ({reason}); trying again"
                    ));
                    tokio::time::sleep(garbled_pause(tries)).await;
                    tries += 1;
                }
                other => return other,
            }
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
        let mut trust = None;
        let mut stream = match site.protocol {
            Protocol::ImplicitTls => {
                let (connector, check) = connector(site)?;
                trust = Some(std::sync::Arc::clone(&check));
                let fut =
                    AsyncRustlsFtpStream::connect_secure_implicit(peer, connector, &site.host);
                bounded(timeout, "connecting", fut)
                    .await?
                    .map_err(|e| match check.refused() {
                        Some(info) => EngineError::UntrustedCertificate(Box::new(info)),
                        None => connect_failure(e, &connect_error),
                    })?
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
            let (secured, check) = start_explicit_tls(stream, site, &log).await?;
            stream = secured;
            trust = Some(check);
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
        // The active-mode wait is set whatever the mode: `Auto` may switch to active later.
        let mode = data::initial_mode(site.data_mode);
        stream = stream.active_mode(timeout);
        stream.set_mode(mode);
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
            trust,
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

    /// What the certificate checks of this session saw (None without TLS).
    #[must_use]
    pub fn trust_check(&self) -> Option<&tls::TrustCheck> {
        self.trust.as_deref()
    }

    /// The site this connection was opened for.
    #[must_use]
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The mode `Auto` switched this connection to (PASV when EPSV was refused, active when
    /// the passive port could not be reached), if it switched.
    #[must_use]
    pub fn learned_mode(&self) -> Option<Mode> {
        let switched = matches!(self.mode, Mode::Passive | Mode::Active);
        (self.site.data_mode == crate::model::site::DataMode::Auto && switched).then_some(self.mode)
    }

    /// Uses `mode` from now on (the session learned it from another connection).
    pub fn use_mode(&mut self, mode: Mode) {
        self.mode = mode;
        self.stream.set_mode(mode);
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

/// AUTH TLS on a plain control connection; never falls back to plain text. An untrusted
/// certificate becomes [`EngineError::UntrustedCertificate`] with what the user needs to decide.
async fn start_explicit_tls(
    stream: AsyncRustlsFtpStream,
    site: &Site,
    log: &LogSink,
) -> EngineResult<(AsyncRustlsFtpStream, std::sync::Arc<tls::TrustCheck>)> {
    let timeout = site.timeout;
    log.sent("AUTH TLS");
    let (connector, check) = connector(site)?;
    let kept = std::sync::Arc::clone(&check);
    let fut = stream.into_secure(connector, &site.host);
    let stream =
        bounded(timeout, "starting TLS", fut)
            .await?
            .map_err(|e| match (check.refused(), e) {
                (Some(info), _) => EngineError::UntrustedCertificate(Box::new(info)),
                (None, FtpError::UnexpectedResponse(r)) => EngineError::Tls(format!(
                    "the server refused TLS ({}); Skiff does not fall back to plain text: use \
                 ftp:// only if you accept an unencrypted connection",
                    reply_text(&r)
                )),
                (None, FtpError::SecureError(reason)) => tls::explain(&reason),
                (None, other) => map_error(other, "starting TLS", timeout),
            })?;
    log.info("TLS established; PBSZ 0 and PROT P accepted: data connections are encrypted");
    Ok((stream, kept))
}

fn connector(site: &Site) -> EngineResult<(AsyncRustlsConnector, std::sync::Arc<tls::TrustCheck>)> {
    let (config, check) = tls::client_config(site)?;
    Ok((
        AsyncRustlsConnector::from(tokio_rustls::TlsConnector::from(config)),
        check,
    ))
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
