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

#[test]
fn recursive_chmod_reaches_every_file_and_folder_inside() {
    let server = FakeServer::start(Script {
        tree: vec![
            (
                "/site".to_owned(),
                "drwxr-xr-x 1 u g 0 Jan 01 2026 cgi\r\n\
                 -rw-r--r-- 1 u g 5 Jan 01 2026 index.html\r\n"
                    .to_owned(),
            ),
            (
                "/site/cgi".to_owned(),
                "-rw-r--r-- 1 u g 5 Jan 01 2026 run.cgi\r\n".to_owned(),
            ),
        ],
        ..Script::default()
    });
    let out = skiff()
        .args(["chmod", "-r", "750", &server.url("/site")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut seen = server.site_commands.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        [
            "CHMOD 750 /site",
            "CHMOD 750 /site/cgi",
            "CHMOD 750 /site/cgi/run.cgi",
            "CHMOD 750 /site/index.html"
        ]
    );
}

#[test]
fn an_endless_tree_stops_a_recursive_chmod_with_a_clear_error() {
    // Every folder holds a folder `d`: a hostile or broken server's endless tree.
    let server = FakeServer::start(Script {
        listing: "drwxr-xr-x 1 u g 0 Jan 01 2026 d\r\n".to_owned(),
        ..Script::default()
    });
    let started = std::time::Instant::now();
    let out = skiff()
        .args(["chmod", "-r", "700", &server.url("/x")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("folders deep"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(20));
    let depth = server.site_commands.lock().unwrap().len();
    assert!(depth <= skiff::engine::ftp::MAX_TREE_DEPTH + 2, "{depth}");
}
