//! The `skiff` binary when things go wrong: clear messages, the right exit status, passwords
//! never shown, and nothing lost.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::{PASSWORD, ServerOptions, TestServer};

fn skiff() -> Command {
    let mut cmd = Command::cargo_bin("skiff").unwrap();
    cmd.timeout(Duration::from_secs(60))
        .env_remove("SKIFF_PASSWORD");
    cmd
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn wrong_password_is_a_clear_failure() {
    let server = TestServer::start();
    let url = format!("ftp://skiff:wrong-one@127.0.0.1:{}/", server.port);
    let out = skiff().args(["ls", "-v", &url]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("login refused") && err.contains("password"),
        "{err}"
    );
    assert!(err.contains("PASS ****"), "{err}");
    assert!(!err.contains("wrong-one"), "the password leaked: {err}");
}

#[test]
fn verbose_log_masks_the_password() {
    let server = TestServer::start();
    let out = skiff()
        .args(["ls", "-v", &server.url("ftp", "/")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("> USER skiff") && err.contains("> PASS ****"),
        "{err}"
    );
    assert!(!err.contains(PASSWORD), "the password leaked: {err}");
}

#[test]
fn password_from_environment_and_stdin() {
    let server = TestServer::start();
    let bare = format!("ftp://skiff@127.0.0.1:{}/", server.port);
    let out = skiff()
        .args(["ls", &bare])
        .env("SKIFF_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = skiff()
        .args(["ls", "--password-stdin", &bare])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[test]
fn unreachable_port_is_a_clear_failure() {
    // Bind and drop a listener to find a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = skiff()
        .args(["ls", &format!("ftp://127.0.0.1:{port}/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("cannot connect") && err.contains("server is running"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["ls", "http://example.org/"],
        vec!["ls", "not a url"],
        vec!["get"],
        vec!["frobnicate"],
        vec!["get", "--segments", "0", "ftp://h/x"],
    ] {
        let out = skiff().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
    }
}

#[test]
fn missing_remote_file_fails_and_creates_nothing() {
    let server = TestServer::start();
    let local = tempfile::tempdir().unwrap();
    let out = skiff()
        .args([
            "get",
            &server.url("ftp", "/nope.txt"),
            local.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("no such file"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read_dir(local.path()).unwrap().count(), 0);
}

#[test]
fn untrusted_certificate_is_refused_without_insecure() {
    let server = TestServer::with(ServerOptions {
        tls: true,
        ..ServerOptions::default()
    });
    let out = skiff()
        .args(["ls", &server.url("ftpes", "/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("not trusted") && err.contains("--insecure"),
        "{err}"
    );
}

#[test]
fn tls_is_never_downgraded_when_the_server_lacks_it() {
    let server = TestServer::start();
    let out = skiff()
        .args(["ls", "--insecure", &server.url("ftpes", "/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("refused TLS") && err.contains("does not fall back"),
        "{err}"
    );
}

#[test]
fn timeout_bounds_a_silent_server() {
    // A server that accepts and never greets.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let start = Instant::now();
    let out = skiff()
        .args(["ls", "--timeout", "1", &format!("ftp://127.0.0.1:{port}/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
    assert!(
        stderr_of(&out).contains("no answer from the server within 1 s"),
        "{}",
        stderr_of(&out)
    );
    drop(listener);
}
