//! The `skiff` binary against the in-process server, as a user runs it: byte-exact transfers
//! in every data-connection mode, plain and explicit TLS, trees, overwrite protection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::{ServerOptions, TestServer, bytes};

fn skiff() -> Command {
    let mut cmd = Command::cargo_bin("skiff").unwrap();
    cmd.timeout(std::time::Duration::from_secs(120))
        .env_remove("SKIFF_PASSWORD");
    cmd
}

/// Runs skiff with `args`, asserting success; returns stdout.
fn ok(args: &[&str]) -> String {
    let out = skiff().args(args).arg("-v").output().unwrap();
    assert!(
        out.status.success(),
        "skiff {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn names(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

/// put three files (empty, small, 3 MiB), list them, get them back byte-exact.
fn round_trip(server: &TestServer, scheme: &str, mode: &str) {
    let local = tempfile::tempdir().unwrap();
    let files = [
        ("empty.bin", 0usize),
        ("small.txt", 13),
        ("three.bin", 3 * 1024 * 1024 + 7),
    ];
    for (i, (name, len)) in files.iter().enumerate() {
        std::fs::write(local.path().join(name), bytes(*len, i as u64 + 1)).unwrap();
    }
    ok(&[
        "mkdir",
        "--mode",
        mode,
        "--insecure",
        &server.url(scheme, "/up"),
    ]);
    for (name, _) in &files {
        let src = local.path().join(name);
        ok(&[
            "put",
            "--mode",
            mode,
            "--insecure",
            src.to_str().unwrap(),
            &server.url(scheme, "/up/"),
        ]);
    }
    let listed = names(&ok(&[
        "ls",
        "--json",
        "--mode",
        mode,
        "--insecure",
        &server.url(scheme, "/up"),
    ]));
    for (name, _) in &files {
        assert!(
            listed.contains(&(*name).to_owned()),
            "{name} missing from {listed:?}"
        );
    }
    let back = tempfile::tempdir().unwrap();
    for (name, len) in &files {
        ok(&[
            "get",
            "--mode",
            mode,
            "--insecure",
            &server.url(scheme, &format!("/up/{name}")),
            back.path().to_str().unwrap(),
        ]);
        let got = std::fs::read(back.path().join(name)).unwrap();
        assert_eq!(got.len(), *len, "{name}");
        assert!(
            got == std::fs::read(local.path().join(name)).unwrap(),
            "{name} differs"
        );
        assert_eq!(
            std::fs::read(server.file(&format!("up/{name}"))).unwrap(),
            got,
            "{name} on the server"
        );
    }
}

#[test]
fn plain_auto_mode_round_trip() {
    round_trip(&TestServer::start(), "ftp", "auto");
}

#[test]
fn plain_passive_round_trip() {
    round_trip(&TestServer::start(), "ftp", "pasv");
}

#[test]
fn plain_extended_passive_round_trip() {
    round_trip(&TestServer::start(), "ftp", "epsv");
}

#[test]
fn plain_active_round_trip() {
    round_trip(&TestServer::start(), "ftp", "active");
}

#[test]
fn explicit_tls_passive_round_trip() {
    round_trip(
        &TestServer::with(ServerOptions {
            tls: true,
            ..ServerOptions::default()
        }),
        "ftpes",
        "pasv",
    );
}

#[test]
fn explicit_tls_extended_passive_round_trip() {
    round_trip(
        &TestServer::with(ServerOptions {
            tls: true,
            ..ServerOptions::default()
        }),
        "ftpes",
        "epsv",
    );
}

#[test]
fn explicit_tls_active_round_trip() {
    round_trip(
        &TestServer::with(ServerOptions {
            tls: true,
            ..ServerOptions::default()
        }),
        "ftpes",
        "active",
    );
}

#[test]
fn implicit_tls_passive_round_trip() {
    round_trip(
        &TestServer::with(ServerOptions {
            implicit: true,
            ..ServerOptions::default()
        }),
        "ftps",
        "pasv",
    );
}

#[test]
fn implicit_tls_active_round_trip() {
    round_trip(
        &TestServer::with(ServerOptions {
            implicit: true,
            ..ServerOptions::default()
        }),
        "ftps",
        "active",
    );
}

fn big_file(scheme: &str, segments: &str) {
    let server = TestServer::with(ServerOptions {
        tls: scheme == "ftpes",
        ..ServerOptions::default()
    });
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("big.bin");
    std::fs::write(&src, bytes(64 * 1024 * 1024, 99)).unwrap();
    ok(&[
        "put",
        "-q",
        "--insecure",
        src.to_str().unwrap(),
        &server.url(scheme, "/big.bin"),
    ]);
    let dst = local.path().join("back.bin");
    ok(&[
        "get",
        "-q",
        "--insecure",
        "--segments",
        segments,
        &server.url(scheme, "/big.bin"),
        dst.to_str().unwrap(),
    ]);
    assert!(
        std::fs::read(&dst).unwrap() == std::fs::read(&src).unwrap(),
        "64 MiB file differs"
    );
    assert!(!local.path().join("back.bin.skiff-part").exists());
}

#[test]
fn plain_64_mib_round_trip() {
    big_file("ftp", "1");
}

#[test]
fn tls_64_mib_round_trip() {
    big_file("ftpes", "1");
}

#[test]
fn segmented_download_joins_byte_exact() {
    big_file("ftp", "4");
}

fn write_tree(root: &Path) -> usize {
    let mut count = 0;
    for d in 0..3 {
        let dir = root.join(format!("dir {d}")).join("inner");
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..7 {
            std::fs::write(
                dir.join(format!("f{f}.dat")),
                bytes(1000 * f + d, (d * 10 + f) as u64),
            )
            .unwrap();
            count += 1;
        }
    }
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::fs::write(root.join("top.txt"), b"top").unwrap();
    count + 1
}

fn assert_same_tree(a: &Path, b: &Path) {
    for entry in std::fs::read_dir(a).unwrap() {
        let entry = entry.unwrap();
        let other = b.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            assert!(other.is_dir(), "{} missing", other.display());
            assert_same_tree(&entry.path(), &other);
        } else {
            assert!(
                std::fs::read(entry.path()).unwrap() == std::fs::read(&other).unwrap(),
                "{} differs",
                other.display()
            );
        }
    }
}

#[test]
fn recursive_put_and_get_copy_a_tree() {
    let server = TestServer::start();
    let local = tempfile::tempdir().unwrap();
    let tree = local.path().join("site");
    write_tree(&tree);
    ok(&[
        "put",
        "-r",
        "-j",
        "4",
        tree.to_str().unwrap(),
        &server.url("ftp", "/"),
    ]);
    assert_same_tree(&tree, &server.file("site"));
    let back = local.path().join("back");
    std::fs::create_dir(&back).unwrap();
    ok(&[
        "get",
        "-r",
        "-j",
        "3",
        &server.url("ftp", "/site"),
        back.to_str().unwrap(),
    ]);
    assert_same_tree(&tree, &back.join("site"));
    ok(&["rm", "-r", &server.url("ftp", "/site")]);
    assert!(!server.file("site").exists());
}

#[test]
fn existing_local_file_is_kept_without_overwrite() {
    let server = TestServer::start();
    std::fs::write(server.file("report.txt"), b"new from server").unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("report.txt");
    std::fs::write(&target, b"precious local work").unwrap();
    let out = skiff()
        .args([
            "get",
            &server.url("ftp", "/report.txt"),
            target.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already exists"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"precious local work");
    assert!(!local.path().join("report.txt.skiff-part").exists());
    ok(&[
        "get",
        "--overwrite",
        &server.url("ftp", "/report.txt"),
        target.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&target).unwrap(), b"new from server");
}

#[test]
fn existing_remote_file_is_kept_without_overwrite() {
    let server = TestServer::start();
    std::fs::write(server.file("index.html"), b"live site").unwrap();
    let local = tempfile::tempdir().unwrap();
    let src = local.path().join("index.html");
    std::fs::write(&src, b"draft").unwrap();
    let out = skiff()
        .args(["put", src.to_str().unwrap(), &server.url("ftp", "/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read(server.file("index.html")).unwrap(),
        b"live site"
    );
    ok(&[
        "put",
        "--overwrite",
        src.to_str().unwrap(),
        &server.url("ftp", "/"),
    ]);
    assert_eq!(std::fs::read(server.file("index.html")).unwrap(), b"draft");
}

#[test]
fn mkdir_mv_rm_change_the_server() {
    let server = TestServer::start();
    std::fs::write(server.file("a.txt"), b"a").unwrap();
    ok(&["mkdir", &server.url("ftp", "/new folder")]);
    assert!(server.file("new folder").is_dir());
    ok(&["mv", &server.url("ftp", "/a.txt"), "/new folder/b.txt"]);
    assert_eq!(
        std::fs::read(server.file("new folder/b.txt")).unwrap(),
        b"a"
    );
    ok(&["mv", &server.url("ftp", "/new folder/b.txt"), "c.txt"]);
    assert!(server.file("new folder/c.txt").exists());
    ok(&["rm", &server.url("ftp", "/new folder/c.txt")]);
    assert!(!server.file("new folder/c.txt").exists());
    ok(&["rm", &server.url("ftp", "/new folder")]);
    assert!(!server.file("new folder").exists());
}

#[test]
fn ls_long_and_plain_show_names_and_sizes() {
    let server = TestServer::start();
    std::fs::write(server.file("four.bin"), b"1234").unwrap();
    std::fs::create_dir(server.file("docs")).unwrap();
    let plain = ok(&["ls", &server.url("ftp", "/")]);
    assert_eq!(plain, "docs/\nfour.bin\n");
    let long = ok(&["ls", "-l", &server.url("ftp", "/")]);
    assert!(
        long.lines()
            .any(|l| l.starts_with('-') && l.contains(" 4 ") && l.ends_with("four.bin")),
        "{long}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["ls", "--json", &server.url("ftp", "/")])).unwrap();
    let file = json
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "four.bin")
        .unwrap();
    assert_eq!(file["kind"], "file");
    assert_eq!(file["size"], 4);
    assert!(file["modified"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn download_keeps_the_server_modification_time() {
    let server = TestServer::start();
    let remote = server.file("old.txt");
    std::fs::write(&remote, b"from 2001").unwrap();
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&remote)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let local = tempfile::tempdir().unwrap();
    ok(&[
        "get",
        &server.url("ftp", "/old.txt"),
        local.path().to_str().unwrap(),
    ]);
    let got = std::fs::metadata(local.path().join("old.txt"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(got, when);
}
