//! Certificate trust from the command line, against the in-process server with explicit TLS
//! and its self-signed certificate: an unknown certificate fails the command and shows its
//! SHA-256 fingerprint (the real one, computed here from the certificate's DER); `skiff trust`
//! makes the next connection work (by URL and through a saved site); a certificate other than
//! the trusted one warns that it CHANGED; bad arguments are usage errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use assert_cmd::Command;
use common::{PASSWORD, ServerOptions, TestServer, USER};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// A user's folders for one test (config, data, home), all temporary, no keyring reachable.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["config", "data", "home"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Self { dir }
    }

    fn known_file(&self) -> PathBuf {
        self.dir.path().join("data/known_certificates.toml")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    /// Runs skiff with `args` and the extra environment `env`.
    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::cargo_bin("skiff").unwrap();
        cmd.timeout(Duration::from_secs(60))
            .env_remove("SKIFF_PASSWORD")
            .env("SKIFF_CONFIG_DIR", self.dir.path().join("config"))
            .env("SKIFF_DATA_DIR", self.dir.path().join("data"))
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("home/.config"))
            .env("XDG_DATA_HOME", self.dir.path().join("home/.local/share"))
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", self.dir.path().join("no-bus").display()),
            )
            .envs(env.iter().copied())
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs skiff, asserting success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "skiff {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs skiff, asserting exit status `code`; returns stderr.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "skiff {args:?}: stdout {:?}, stderr {stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
        stderr
    }
}

/// A TLS server with one file in it.
fn tls_server() -> TestServer {
    let server = TestServer::with(ServerOptions {
        tls: true,
        ..ServerOptions::default()
    });
    std::fs::write(server.file("hello.txt"), "hi\n").unwrap();
    server
}

/// Accepts any certificate: used only to read the test server's certificate.
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Reads one FTP reply (the last line of a multi-line one) and returns it.
fn reply(reader: &mut BufReader<TcpStream>) -> String {
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "server closed");
        let bytes = line.as_bytes();
        if bytes.len() >= 4 && bytes[..3].iter().all(u8::is_ascii_digit) && bytes[3] == b' ' {
            return line;
        }
    }
}

/// The DER of the certificate the server presents after AUTH TLS, fetched by hand. libunftp
/// races its switch to TLS after 234 and may garble the handshake on a busy machine (Skiff
/// tries again too): up to 3 tries.
fn server_certificate(port: u16) -> Vec<u8> {
    let mut last = None;
    for attempt in 0..3u64 {
        std::thread::sleep(Duration::from_millis(100 * attempt));
        match try_server_certificate(port) {
            Ok(der) => return der,
            Err(e) => last = Some(e),
        }
    }
    panic!("no certificate after 3 tries: {last:?}");
}

fn try_server_certificate(port: u16) -> std::io::Result<Vec<u8>> {
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut reader = BufReader::new(socket.try_clone().unwrap());
    assert!(reply(&mut reader).starts_with("220"));
    let mut socket = socket;
    socket.write_all(b"AUTH TLS\r\n").unwrap();
    let answer = reply(&mut reader);
    assert!(answer.starts_with("234"), "{answer}");
    assert!(reader.buffer().is_empty(), "nothing after 234 before TLS");

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    while tls.is_handshaking() {
        tls.complete_io(&mut socket)?;
    }
    Ok(tls.peer_certificates().unwrap()[0].as_ref().to_vec())
}

/// Lowercase hex SHA-256 of `der` (rustls's own SHA-256, independent of Skiff's).
fn sha256_hex(der: &[u8]) -> String {
    let suite = rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256
        .tls13()
        .unwrap();
    let digest = suite.common.hash_provider.hash(der);
    digest.as_ref().iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// `AB:CD:…`.
fn colons(hex: &str) -> String {
    hex.to_ascii_uppercase()
        .as_bytes()
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).unwrap())
        .collect::<Vec<_>>()
        .join(":")
}

/// The value of the `  SHA-256:  ` line skiff printed.
fn printed_fingerprint(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("  SHA-256:  "))
        .unwrap_or_else(|| panic!("no SHA-256 line in {stderr}"))
        .to_owned()
}

#[test]
fn an_unknown_certificate_is_shown_and_trusting_it_lets_the_command_through() {
    let server = tls_server();
    let home = Home::new();
    let fingerprint = colons(&sha256_hex(&server_certificate(server.port)));
    let url = server.url("ftpes", "/");
    let bare = format!("ftpes://127.0.0.1:{}", server.port);

    let stderr = home.fails(&["ls", &url], 1);
    assert!(
        stderr.starts_with("skiff: the server's certificate is not trusted ("),
        "{stderr}"
    );
    assert!(!stderr.contains("WARNING"), "{stderr}");
    assert_eq!(printed_fingerprint(&stderr), fingerprint, "{stderr}");
    assert!(stderr.contains("  subject:  "), "{stderr}");
    assert!(stderr.contains("  issuer:   "), "{stderr}");
    assert!(stderr.contains("  valid:    "), "{stderr}");
    assert!(
        stderr.contains(&format!("  skiff trust {bare} {fingerprint}\n")),
        "{stderr}"
    );
    assert!(stderr.contains("--insecure"), "{stderr}");
    assert!(!home.known_file().exists(), "nothing trusted by failing");

    // The command skiff printed, as the user would paste it.
    let said = home.ok(&["trust", &bare, &fingerprint]);
    assert!(
        said.contains(&format!(
            "Trusted the certificate of 127.0.0.1:{}",
            server.port
        )),
        "{said}"
    );
    assert_eq!(home.ok(&["ls", &url]), "hello.txt\n");
    // Other commands too: a download over the trusted connection.
    let local = tempfile::tempdir().unwrap();
    home.ok(&[
        "get",
        &server.url("ftpes", "/hello.txt"),
        local.path().to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(local.path().join("hello.txt")).unwrap(),
        "hi\n"
    );

    let listed = home.ok(&["trust", "--list"]);
    assert!(
        listed.starts_with(&format!(
            "127.0.0.1:{}  {fingerprint}  trusted ",
            server.port
        )),
        "{listed}"
    );
    let file = std::fs::read_to_string(home.known_file()).unwrap();
    assert!(
        file.contains(&sha256_hex(&server_certificate(server.port))),
        "{file}"
    );

    // Forgotten, the certificate is unknown again.
    home.ok(&["trust", "--forget", &bare]);
    home.fails(&["ls", &url], 1);
    assert!(
        home.fails(&["trust", "--forget", &bare], 1)
            .contains("no certificate is trusted")
    );
    // --insecure skips the check without trusting anything.
    assert_eq!(home.ok(&["ls", "--insecure", &url]), "hello.txt\n");
    assert_eq!(home.ok(&["trust", "--list"]), "");
}

#[test]
fn a_certificate_other_than_the_trusted_one_warns_that_it_changed() {
    let server = tls_server();
    let home = Home::new();
    let fingerprint = colons(&sha256_hex(&server_certificate(server.port)));
    let bare = format!("ftpes://127.0.0.1:{}", server.port);
    let wrong = "00".repeat(32);
    home.ok(&["trust", &bare, &wrong]);

    let stderr = home.fails(&["ls", &server.url("ftpes", "/")], 1);
    let first = stderr.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "WARNING: the certificate of 127.0.0.1:{} CHANGED since you trusted it. Someone may be \
intercepting the connection; do not trust the new one unless the server's admin confirms the \
change.",
            server.port
        )
    );
    assert_eq!(printed_fingerprint(&stderr), fingerprint, "{stderr}");
    assert!(!stderr.contains("--insecure"), "{stderr}");

    // The admin confirms: trusting the new one replaces the old one.
    let said = home.ok(&["trust", &bare, &fingerprint.to_ascii_lowercase()]);
    assert!(
        said.contains("It replaces the certificate trusted before"),
        "{said}"
    );
    assert_eq!(home.ok(&["ls", &server.url("ftpes", "/")]), "hello.txt\n");
}

#[test]
fn a_saved_site_uses_the_trusted_certificate() {
    let server = tls_server();
    let home = Home::new();
    let fingerprint = sha256_hex(&server_certificate(server.port));
    home.ok(&[
        "sites",
        "add",
        "tls",
        &format!("ftpes://{USER}@127.0.0.1:{}/", server.port),
    ]);
    let ls = || home.run_with(&["ls", "site:tls"], &[("SKIFF_PASSWORD", PASSWORD)]);
    let out = ls();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        printed_fingerprint(&stderr),
        colons(&fingerprint),
        "{stderr}"
    );

    // Trusted through the site's name, in the hex form.
    home.ok(&["trust", "site:tls", &format!("sha256:{fingerprint}")]);
    let out = ls();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "hello.txt\n");
}

#[test]
fn a_bad_fingerprint_or_url_is_a_usage_error_and_trusts_nothing() {
    let home = Home::new();
    let good = "ab".repeat(32);
    for args in [
        vec!["trust", "ftpes://example.org", "AB:CD"],
        vec!["trust", "ftpes://example.org", &"zz".repeat(32)],
        vec!["trust", "not a url", &good],
        vec!["trust", "http://example.org", &good],
        vec!["trust", "site:nothing", &good],
        vec!["trust", "ftpes://example.org"],
        vec!["trust"],
        vec!["trust", "--list", "ftpes://example.org"],
    ] {
        let stderr = home.fails(&args, 2);
        assert!(!stderr.is_empty(), "{args:?}");
    }
    assert!(!home.known_file().exists());
    // IPv6 hosts are listed in brackets.
    home.ok(&["trust", "ftps://[::1]", &good]);
    assert!(
        home.ok(&["trust", "--list"])
            .starts_with("[::1]:990  AB:AB:")
    );
}
