//! The engine against a scripted hostile or broken server: foreign PASV addresses, a 1 MiB
//! reply line, unsafe names, a link cut mid-file (then resumed), a refused EPSV, an active
//! connection that never comes, and a cancel in the middle of a slow file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::bytes;
use common::fake::{FakeServer, Script};
use skiff::engine::EngineHandle;
use skiff::model::path::RemotePath;
use skiff::model::site::FtpUrl;
use skiff::model::transfer::Direction;
use skiff::protocol::{
    Command as EngineCommand, ErrorKind, Event, ExistingTarget, TransferRequest,
};

fn skiff() -> Command {
    let mut cmd = Command::cargo_bin("skiff").unwrap();
    cmd.timeout(Duration::from_secs(60))
        .env_remove("SKIFF_PASSWORD");
    cmd
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

const LISTING: &str = "-rw-r--r-- 1 u g 5 Nov 25 10:00 ok.txt\r\n\
    -rw-r--r-- 1 u g 5 Nov 25 10:00 ../../x\r\n\
    drwxr-xr-x 1 u g 0 Nov 25 10:00 ..\r\n\
    -rw-r--r-- 1 u g 5 Nov 25 10:00 a/b\r\n\
    total 20\r\n\
    550 Permission denied\r\n";

#[test]
fn foreign_pasv_address_is_never_dialled() {
    // 192.0.2.1 is TEST-NET-1: nothing answers there. Skiff must connect to 127.0.0.1 instead.
    let server = FakeServer::start(Script {
        listing: LISTING.into(),
        pasv_names: Some([192, 0, 2, 1]),
        ..Script::default()
    });
    let out = skiff()
        .args([
            "ls",
            "-v",
            "--mode",
            "pasv",
            "--timeout",
            "5",
            &server.url("/"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("The server named 192.0.2.1:"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("connecting to the server's own address 127.0.0.1:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn unsafe_names_and_junk_lines_never_become_entries() {
    let server = FakeServer::start(Script {
        listing: LISTING.into(),
        ..Script::default()
    });
    let out = skiff()
        .args(["ls", "--json", "-v", &server.url("/")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ok.txt"]);
    let log = text(&out.stderr);
    assert!(
        log.contains("Skipped a listing line") && log.contains("../../x"),
        "{log}"
    );
}

#[test]
fn a_one_mib_reply_line_is_a_clear_error() {
    let server = FakeServer::start(Script {
        huge_greeting: true,
        ..Script::default()
    });
    let start = Instant::now();
    let out = skiff()
        .args(["ls", "--timeout", "10", &server.url("/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(start.elapsed() < Duration::from_secs(8));
    let err = text(&out.stderr);
    assert!(err.contains("reply larger than"), "{err}");
}

#[test]
fn unreachable_passive_ports_switch_auto_mode_to_active_once_and_say_so() {
    let server = FakeServer::start(Script {
        listing: LISTING.into(),
        passive_unreachable: true,
        connects_back: true,
        ..Script::default()
    });
    let out = skiff()
        .args(["ls", "-v", "--timeout", "3", &server.url("/")])
        .output()
        .unwrap();
    let log = text(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert_eq!(
        log.matches("passive port could not be reached").count(),
        1,
        "{log}"
    );
    assert!(
        log.contains("switching this session to active mode"),
        "{log}"
    );
    assert!(
        log.contains("Active mode: listening on 127.0.0.1:"),
        "{log}"
    );
    assert!(
        text(&out.stdout).contains("ok.txt"),
        "{}",
        text(&out.stdout)
    );
    // Forcing passive mode is an error that names the cause, not a silent switch.
    let out = skiff()
        .args(["ls", "--mode", "pasv", "--timeout", "3", &server.url("/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("passive data connection"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn with_neither_passive_nor_active_working_the_error_names_both() {
    let server = FakeServer::start(Script {
        listing: LISTING.into(),
        passive_unreachable: true,
        ..Script::default()
    });
    let out = skiff()
        .args(["ls", "--timeout", "2", &server.url("/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("no data connection works"), "{err}");
    assert!(err.contains("skiff doctor"), "{err}");
}

#[test]
fn refused_epsv_switches_auto_mode_to_pasv() {
    let server = FakeServer::start(Script {
        listing: LISTING.into(),
        refuse_epsv: true,
        ..Script::default()
    });
    let out = skiff()
        .args(["ls", "-v", &server.url("/")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("refused EPSV; switching this session to passive mode"),
        "{}",
        text(&out.stderr)
    );
    // Forcing EPSV is an error, not a silent switch.
    let out = skiff()
        .args(["ls", "--mode", "epsv", &server.url("/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn active_mode_that_never_connects_back_is_explained() {
    // The fake server accepts PORT but never connects: like a client behind a firewall.
    let server = FakeServer::start(Script {
        listing: LISTING.into(),
        ..Script::default()
    });
    let start = Instant::now();
    let out = skiff()
        .args(["ls", "--mode", "active", "--timeout", "2", &server.url("/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("active mode failed")
            && err.contains("firewall")
            && err.contains("--mode pasv"),
        "{err}"
    );
}

#[test]
fn dropped_link_leaves_a_part_file_that_resume_completes() {
    let body = bytes(3 * 1024 * 1024, 7);
    let server = FakeServer::start(Script {
        file: body.clone(),
        cut_first_retr_at: Some(1024 * 1024 + 5),
        ..Script::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("file.bin");
    let part = dir.path().join("file.bin.skiff-part");
    // A single-file CLI get retries transient failures by itself: it resumes from the part file.
    let out = skiff()
        .args([
            "get",
            "-v",
            &server.url("/file.bin"),
            target.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = text(&out.stderr);
    assert!(
        log.contains("REST 1048581"),
        "the retry did not resume: {log}"
    );
    assert!(std::fs::read(&target).unwrap() == body);
    assert!(!part.exists());
    assert_eq!(server.retrs.load(Ordering::SeqCst), 2);
}

#[test]
fn resume_flag_continues_a_partial_local_file() {
    let body = bytes(2 * 1024 * 1024, 9);
    let server = FakeServer::start(Script {
        file: body.clone(),
        ..Script::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("file.bin");
    std::fs::write(&target, &body[..700_000]).unwrap();
    let out = skiff()
        .args([
            "get",
            "-v",
            "--resume",
            &server.url("/file.bin"),
            target.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("REST 700000"),
        "{}",
        text(&out.stderr)
    );
    assert!(std::fs::read(&target).unwrap() == body);
}

fn connect_engine(
    url: &str,
) -> (
    tokio::runtime::Runtime,
    EngineHandle,
    tokio::sync::mpsc::UnboundedReceiver<Event>,
    skiff::protocol::SessionId,
) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (engine, mut events) = EngineHandle::spawn(rt.handle(), EngineHandle::no_waker());
    let site = FtpUrl::parse(url).unwrap().site;
    let request = engine.next_request();
    rt.block_on(engine.send(EngineCommand::Connect { request, site }))
        .unwrap();
    let session = rt.block_on(async {
        loop {
            match tokio::time::timeout(Duration::from_secs(10), events.recv())
                .await
                .unwrap()
                .unwrap()
            {
                Event::Connected { session, .. } => break session,
                Event::Failed { error, .. } => panic!("{error:?}"),
                _ => {}
            }
        }
    });
    (rt, engine, events, session)
}

#[test]
fn cancel_stops_a_transfer_mid_file_within_a_second() {
    let body = bytes(8 * 1024 * 1024, 3);
    // 64 KiB every 50 ms: the whole file would take over 6 s.
    let server = FakeServer::start(Script {
        file: body,
        slow_chunk_delay: Some(Duration::from_millis(50)),
        ..Script::default()
    });
    let (rt, engine, mut events, session) = connect_engine(&server.url("/"));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("file.bin");
    let request = engine.next_request();
    let job = TransferRequest {
        direction: Direction::Download,
        local: target.clone(),
        remote: RemotePath::new("/file.bin"),
        recursive: false,
        existing: ExistingTarget::Refuse,
        connections: 1,
        segments: 1,
        keep_times: true,
    };
    rt.block_on(engine.send(EngineCommand::Transfer {
        request,
        session,
        job,
    }))
    .unwrap();
    let (cancelled_after, progressed) = rt.block_on(async {
        // Wait until some bytes have moved, then cancel.
        loop {
            match tokio::time::timeout(Duration::from_secs(10), events.recv())
                .await
                .unwrap()
                .unwrap()
            {
                Event::TransferProgress { progress, .. } if progress.done > 1024 * 1024 => break,
                Event::Failed { error, .. } => panic!("{error:?}"),
                _ => {}
            }
        }
        let start = Instant::now();
        engine
            .send(EngineCommand::Cancel { request })
            .await
            .unwrap();
        loop {
            match tokio::time::timeout(Duration::from_secs(5), events.recv())
                .await
                .unwrap()
                .unwrap()
            {
                Event::Failed { request: r, error } if r == request => {
                    assert_eq!(error.kind, ErrorKind::Cancelled);
                    break (start.elapsed(), true);
                }
                Event::Done { request: r } if r == request => {
                    panic!("finished instead of cancelled")
                }
                _ => {}
            }
        }
    });
    assert!(progressed);
    assert!(
        cancelled_after < Duration::from_secs(1),
        "cancel took {cancelled_after:?}"
    );
    assert!(
        !target.exists(),
        "a cancelled download must not sit under its final name"
    );
    let part = dir.path().join("file.bin.skiff-part");
    // What arrived before the cancel stays in the part file, for a resume.
    let kept = common::wait_for(Duration::from_secs(2), || {
        std::fs::metadata(&part)
            .ok()
            .map(|m| m.len())
            .filter(|len| *len > 0)
    });
    assert!(
        kept.is_some_and(|len| len > 0 && len < 8 * 1024 * 1024),
        "part file: {kept:?}"
    );
}

#[test]
fn a_refused_epsv_is_remembered_for_the_session() {
    let body = bytes(70_000, 5);
    let listing = format!("-rw-r--r-- 1 u g {} Nov 25 10:00 file.bin\r\n", body.len());
    let server = FakeServer::start(Script {
        file: body.clone(),
        listing,
        refuse_epsv: true,
        ..Script::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let out = skiff()
        .args([
            "get",
            "-r",
            "-v",
            &server.url("/"),
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = text(&out.stderr);
    // The browsing connection learns it; the transfer connection starts with PASV.
    assert_eq!(log.matches("refused EPSV; switching").count(), 1, "{log}");
    assert!(std::fs::read(dir.path().join("download").join("file.bin")).unwrap() == body);
}
