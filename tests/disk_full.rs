//! A full disk: the test runs itself again under `unshare --mount`, mounts a 1 MiB tmpfs in
//! that private mount namespace, and downloads a 3 MiB file into it with the real binary. The
//! download must fail with words that say the disk is full, leave nothing under the final name,
//! and leave a file the user already had (replaced with --overwrite) whole.
//!
//! Needs root (or `CAP_SYS_ADMIN`), unshare and mount; it says why it skipped where it cannot
//! run. Under CI (`CI` set) it must run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command as Process;
use std::time::Duration;

use assert_cmd::Command;
use common::namespace::{Run, rerun_inside};
use common::{TestServer, bytes};

/// Set in the run inside the namespace.
const INSIDE: &str = "SKIFF_TEST_INSIDE_MOUNT_NS";
/// A mount namespace of its own.
const UNSHARE: &str = "--mount";
const TEST_NAME: &str = "a_full_disk_fails_clearly_and_destroys_nothing";

fn skiff() -> Command {
    let mut cmd = Command::cargo_bin("skiff").unwrap();
    cmd.timeout(Duration::from_secs(60))
        .env_remove("SKIFF_PASSWORD");
    cmd
}

#[test]
fn a_full_disk_fails_clearly_and_destroys_nothing() {
    if let Run::Done = rerun_inside(UNSHARE, INSIDE, TEST_NAME) {
        return;
    }
    let disk = tempfile::tempdir().unwrap();
    let mounted = Process::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(disk.path())
        .output();
    match mounted {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            println!(
                "SKIPPED: mount: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return;
        }
        Err(e) => {
            println!("SKIPPED: mount: {e}");
            return;
        }
    }
    let server = TestServer::start();
    let body = bytes(3 << 20, 11);
    std::fs::write(server.file("big.bin"), &body).unwrap();
    let url = server.url("ftp", "/big.bin");

    // A new download: fails, says why, nothing under the final name.
    let out = skiff()
        .args(["get", &url])
        .arg(disk.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("disk is full"), "{err}");
    assert!(!disk.path().join("big.bin").exists());
    // Free the space the part file took, as a user would, then keep a file of theirs there.
    for entry in std::fs::read_dir(disk.path()).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let theirs = b"the user's own big.bin, which must survive";
    std::fs::write(disk.path().join("big.bin"), theirs).unwrap();

    // Replacing it (--overwrite) fails on the full disk too: their file is still whole.
    let out = skiff()
        .args(["get", "--overwrite", &url])
        .arg(disk.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("disk is full"), "{err}");
    assert_eq!(std::fs::read(disk.path().join("big.bin")).unwrap(), theirs);
    drop(server);
    let _ = Process::new("umount").arg(disk.path()).status();
}
