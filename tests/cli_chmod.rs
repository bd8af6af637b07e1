//! `skiff chmod MODE URL`: the octal mode reaches the server as `SITE CHMOD`, a bad mode is a
//! usage error before any connection, and a server without SITE CHMOD gets its answer shown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use assert_cmd::Command;
use common::TestServer;
use common::fake::{FakeServer, Script};

fn skiff() -> Command {
    let mut cmd = Command::cargo_bin("skiff").unwrap();
    cmd.env_remove("SKIFF_PASSWORD")
        .timeout(Duration::from_secs(30));
    cmd
}

#[test]
fn the_mode_reaches_the_server_as_site_chmod() {
    let server = FakeServer::start(Script::default());
    let out = skiff()
        .args(["chmod", "755", &server.url("/www/run.cgi")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        *server.site_commands.lock().unwrap(),
        ["CHMOD 755 /www/run.cgi"]
    );
}

#[test]
fn a_bad_mode_is_a_usage_error_before_connecting() {
    let server = FakeServer::start(Script::default());
    for bad in ["rwx", "999", "12345"] {
        let out = skiff()
            .args(["chmod", bad, &server.url("/a.txt")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("octal"));
    }
    assert!(server.site_commands.lock().unwrap().is_empty());
}

#[test]
fn a_server_without_site_chmod_says_so() {
    let server = TestServer::start();
    std::fs::write(server.file("a.txt"), b"a").unwrap();
    let out = skiff()
        .args(["chmod", "600", &server.url("ftp", "/a.txt")])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("SITE CHMOD"), "{err}");
}
