//! The connection doctor's TLS, throughput and active-mode steps, through the engine's API
//! (`diagnose_with` lets a test say where the other kind of TLS listens, since 990 and 21 are
//! not free here): a self-signed certificate stops before the password is sent, a refused AUTH
//! TLS finds implicit TLS, a failed implicit TLS finds explicit TLS, no TLS at all says so
//! without falling back to plain text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::fake::{FakeServer, Script};
use common::{ServerOptions, TestServer};
use skiff::engine::doctor::{Probe, Report, diagnose_with};
use skiff::engine::log::LogSink;
use skiff::model::site::{FtpUrl, Site};

fn site(url: &str) -> Site {
    let mut site = FtpUrl::parse(url).unwrap().site;
    site.timeout = Duration::from_secs(3);
    site
}

fn run(site: &Site, probe: Probe) -> Report {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut ignore = |_: &skiff::engine::doctor::Step| {};
    rt.block_on(diagnose_with(site, &probe, LogSink::none(), &mut ignore))
}

fn step<'a>(report: &'a Report, name: &str) -> &'a skiff::engine::doctor::Step {
    report
        .steps
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step {name} in {report:#?}"))
}

fn names(report: &Report) -> Vec<&str> {
    report.steps.iter().map(|s| s.name.as_str()).collect()
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_self_signed_certificate_is_described_and_nothing_logs_in() {
    let server = TestServer::with(ServerOptions {
        tls: true,
        ..ServerOptions::default()
    });
    let report = run(&site(&server.url("ftpes", "/")), Probe::default());
    let tls = step(&report, "tls");
    assert!(!tls.ok, "{report:#?}");
    for words in ["certificate for", "SHA-256", "NOT trusted", "valid "] {
        assert!(tls.detail.contains(words), "{words}: {}", tls.detail);
    }
    assert!(
        report.verdict.contains("not trusted") && report.verdict.contains("skiff trust"),
        "{}",
        report.verdict
    );
    // The password is never sent to a server whose certificate is not trusted.
    assert!(!names(&report).contains(&"login"), "{report:#?}");
    assert_eq!(report.recommended.mode, None);
}

#[test]
fn a_trusted_tls_session_shows_its_version_certificate_and_data_session_reuse() {
    let server = TestServer::with(ServerOptions {
        tls: true,
        ..ServerOptions::default()
    });
    let mut site = site(&server.url("ftpes", "/"));
    site.insecure = true;
    let report = run(&site, Probe::default());
    let tls = step(&report, "tls");
    assert!(tls.ok, "{report:#?}");
    assert!(
        tls.detail.starts_with("AUTH TLS accepted; TLS 1."),
        "{}",
        tls.detail
    );
    assert!(
        tls.detail.contains("accepted unchecked (--insecure)"),
        "{}",
        tls.detail
    );
    assert!(step(&report, "login").ok, "{report:#?}");
    let pasv = step(&report, "pasv");
    assert!(pasv.ok, "{report:#?}");
    assert!(
        pasv.detail.contains("TLS session") || pasv.detail.contains("TLS handshake"),
        "{}",
        pasv.detail
    );
    assert!(pasv.port.is_some(), "{pasv:?}");
    assert_eq!(report.recommended.protocol, "ftpes");
    assert_eq!(report.recommended.port, server.port);
}

#[test]
fn a_refused_auth_tls_finds_implicit_tls_and_recommends_it() {
    // The fake server answers AUTH TLS with 502; implicit TLS listens elsewhere.
    let plain = FakeServer::start(Script::default());
    let implicit = TestServer::with(ServerOptions {
        implicit: true,
        ..ServerOptions::default()
    });
    let mut site = site(&format!(
        "ftpes://skiff:s3cret%20pass@127.0.0.1:{}/",
        plain.port
    ));
    site.insecure = true;
    let probe = Probe {
        implicit_port: implicit.port,
        explicit_port: closed_port(),
    };
    let report = run(&site, probe);
    let tls = step(&report, "tls");
    assert!(
        !tls.ok && tls.detail.contains("refused AUTH TLS (502"),
        "{report:#?}"
    );
    let other = step(&report, "tls_implicit");
    assert!(other.ok, "{report:#?}");
    assert!(
        other.detail.contains("implicit TLS (ftps://) on port"),
        "{}",
        other.detail
    );
    // The rest of the steps ran against the implicit-TLS server.
    assert!(step(&report, "login").ok, "{report:#?}");
    assert_eq!(report.recommended.protocol, "ftps");
    assert_eq!(report.recommended.port, implicit.port);
    assert!(
        report.verdict.starts_with(&format!(
            "use implicit TLS (ftps://) on port {}",
            implicit.port
        )),
        "{}",
        report.verdict
    );
}

#[test]
fn a_failed_implicit_tls_finds_explicit_tls_on_the_other_port() {
    let explicit = TestServer::with(ServerOptions {
        tls: true,
        ..ServerOptions::default()
    });
    // Implicit TLS to a plain-greeting server: the handshake fails at once.
    let mut site = site(&explicit.url("ftps", "/"));
    site.insecure = true;
    let probe = Probe {
        implicit_port: closed_port(),
        explicit_port: explicit.port,
    };
    let report = run(&site, probe);
    assert!(!step(&report, "tls").ok, "{report:#?}");
    assert!(step(&report, "tls_explicit").ok, "{report:#?}");
    assert_eq!(report.recommended.protocol, "ftpes");
    assert!(
        report.verdict.starts_with("use explicit TLS (ftpes://)"),
        "{}",
        report.verdict
    );
}

#[test]
fn no_tls_anywhere_says_so_and_never_falls_back_to_plain_text() {
    let plain = FakeServer::start(Script::default());
    let site = site(&format!("ftpes://u:p@127.0.0.1:{}/", plain.port));
    let probe = Probe {
        implicit_port: closed_port(),
        explicit_port: closed_port(),
    };
    let report = run(&site, probe);
    assert!(!step(&report, "tls").ok);
    assert!(!step(&report, "tls_implicit").ok);
    assert!(
        report.verdict.starts_with("no TLS works here"),
        "{}",
        report.verdict
    );
    assert!(!names(&report).contains(&"login"), "{report:#?}");
}

#[test]
fn a_big_file_gives_a_throughput_sample_and_active_mode_says_what_it_announced() {
    let server = TestServer::start();
    std::fs::write(server.file("big.bin"), common::bytes(4 << 20, 7)).unwrap();
    let report = run(&site(&server.url("ftp", "/")), Probe::default());
    let sample = step(&report, "throughput");
    assert!(sample.ok, "{report:#?}");
    assert!(
        sample.detail.contains("MiB/s") && sample.detail.contains("big.bin"),
        "{}",
        sample.detail
    );
    let active = step(&report, "active");
    assert!(active.ok, "{report:#?}");
    assert!(
        active.detail.contains("Skiff announced 127.0.0.1:"),
        "{}",
        active.detail
    );
    let announced = active.port.expect("the announced port");
    assert!(active.detail.contains(&format!(":{announced}")));
    assert!(step(&report, "epsv").port.is_some());
    assert_eq!(step(&report, "greeting").detail, "220 Skiff test server");
}

#[test]
fn no_big_file_no_throughput_step() {
    let server = TestServer::start();
    std::fs::write(server.file("small.txt"), b"tiny").unwrap();
    let report = run(&site(&server.url("ftp", "/")), Probe::default());
    assert!(!names(&report).contains(&"throughput"), "{report:#?}");
    assert!(
        report.verdict.contains("everything works"),
        "{}",
        report.verdict
    );
}
