//! Test fixtures: an in-process libunftp server on a free loopback port (plain or explicit
//! TLS, passive and active), a scripted hostile server, temp dirs, and a deadline loop.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::many_single_char_names,
    clippy::similar_names
)]

pub mod fake;
pub mod namespace;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, Principal};

/// The user and password the test server accepts.
pub const USER: &str = "skiff";
/// The password the test server accepts.
pub const PASSWORD: &str = "s3cret pass";

#[derive(Debug)]
struct OneUser;

#[async_trait]
impl Authenticator for OneUser {
    async fn authenticate(
        &self,
        username: &str,
        creds: &Credentials,
    ) -> Result<Principal, AuthenticationError> {
        if username == USER && creds.password.as_deref() == Some(PASSWORD) {
            Ok(Principal {
                username: username.to_owned(),
            })
        } else {
            Err(AuthenticationError::BadPassword)
        }
    }
}

/// How the test server is set up.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerOptions {
    /// Offer AUTH TLS with a self-signed certificate.
    pub tls: bool,
    /// Implicit TLS: `port` is a TLS front (TLS from the first byte) before the server, whose
    /// data connections are TLS too (PROT P). Implies `tls`.
    pub implicit: bool,
    /// Listen on this control port (default: any free one).
    pub control_port: Option<u16>,
    /// Offer passive ports from this range only (default: libunftp's).
    pub passive_ports: Option<(u16, u16)>,
}

/// An in-process FTP server serving a temp dir; stopped (its runtime shut down) on drop.
pub struct TestServer {
    /// Control port on 127.0.0.1.
    pub port: u16,
    /// The folder it serves.
    pub root: tempfile::TempDir,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TestServer {
    /// Starts a server (plain FTP).
    pub fn start() -> Self {
        Self::with(ServerOptions::default())
    }

    /// Starts a server with `options`.
    pub fn with(options: ServerOptions) -> Self {
        let root = tempfile::tempdir().unwrap();
        let certs = tempfile::tempdir().unwrap();
        let tls = options.tls || options.implicit;
        let (cert, key) = if tls {
            write_certificate(certs.path())
        } else {
            (PathBuf::new(), PathBuf::new())
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind((
                "127.0.0.1",
                options.control_port.unwrap_or(0),
            )))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let served = root.path().to_path_buf();
        let acceptor = options.implicit.then(|| implicit_tls_acceptor(&cert, &key));
        runtime.spawn(async move {
            let _keep_certs = certs;
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let served = served.clone();
                let mut builder = libunftp::ServerBuilder::with_authenticator(
                    Box::new(move || unftp_sbe_fs::Filesystem::new(served.clone()).unwrap()),
                    Arc::new(OneUser),
                )
                .greeting("Skiff test server")
                .passive_host(std::net::Ipv4Addr::LOCALHOST)
                .active_passive_mode(libunftp::options::ActivePassiveMode::ActiveAndPassive);
                if tls {
                    builder = builder.ftps(cert.clone(), key.clone());
                }
                if let Some((low, high)) = options.passive_ports {
                    builder = builder.passive_ports(low..=high);
                }
                let server = builder.build().unwrap();
                tokio::spawn(server.service(socket));
            }
        });
        let port = match acceptor {
            Some(acceptor) => runtime.block_on(implicit_tls_front(acceptor, port)),
            None => port,
        };
        Self {
            port,
            root,
            runtime: Some(runtime),
        }
    }

    /// `scheme://skiff:pass@127.0.0.1:port/path` (password percent-encoded).
    pub fn url(&self, scheme: &str, path: &str) -> String {
        format!(
            "{scheme}://{USER}:s3cret%20pass@127.0.0.1:{}{path}",
            self.port
        )
    }

    /// A path inside the served folder.
    pub fn file(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Starts a TLS front that forwards the decrypted control connection to `port`; returns its port.
async fn implicit_tls_front(acceptor: tokio_rustls::TlsAcceptor, port: u16) -> u16 {
    let front = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let front_port = front.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = front.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    front_port
}

/// A TLS acceptor for the implicit-TLS front, with the server's certificate.
fn implicit_tls_acceptor(cert: &Path, key: &Path) -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = vec![CertificateDer::from_pem_file(cert).unwrap()];
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

fn write_certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    (cert, key)
}

/// Deterministic pseudo-random bytes (xorshift), so a mismatch is never a lucky pattern.
pub fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Polls `check` until it returns `Some` or `limit` passes.
pub fn wait_for<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
