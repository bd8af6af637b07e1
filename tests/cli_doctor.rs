//! `skiff doctor` against real and scripted servers on 127.0.0.1: every step reported, the
//! right verdict, JSON in its documented shape, nothing past its time limit, and no step
//! follows a foreign PASV address.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::fake::{FakeServer, Script};
use common::{TestServer, USER};

fn skiff() -> Command {
    let mut cmd = Command::cargo_bin("skiff").unwrap();
    let home = tempfile::tempdir().unwrap().keep();
    cmd.env("SKIFF_CONFIG_DIR", home.join("config"))
        .env("SKIFF_DATA_DIR", home.join("data"))
        .env_remove("SKIFF_PASSWORD")
        .timeout(Duration::from_secs(60));
    cmd
}

fn json_report(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("the JSON report")
}

fn step<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {report}"))
}

#[test]
fn a_healthy_server_passes_every_step_and_the_json_has_its_shape() {
    let server = TestServer::start();
    let url = server.url("ftp", "/");
    let output = skiff()
        .args(["doctor", "--json", "--timeout", "5", &url])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report = json_report(&output);
    let names: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "resolve", "tcp", "greeting", "login", "features", "rtt", "epsv", "pasv", "active"
        ]
    );
    for name in ["resolve", "tcp", "login", "epsv", "pasv", "rtt"] {
        assert_eq!(step(&report, name)["ok"], true, "{name}: {report}");
        assert!(step(&report, name)["millis"].is_u64());
    }
    assert!(
        step(&report, "login")["detail"]
            .as_str()
            .unwrap()
            .contains(USER)
    );
    assert_eq!(report["recommended"]["mode"], "epsv");
    assert_eq!(report["recommended"]["protocol"], "ftp");
    assert_eq!(report["recommended"]["port"], server.port);
    assert!(step(&report, "epsv")["port"].is_u64(), "{report}");
    assert!(
        report["verdict"]
            .as_str()
            .unwrap()
            .contains("everything works")
    );
    // The password never shows.
    assert!(!String::from_utf8_lossy(&output.stdout).contains("s3cret"));
}

#[test]
fn a_server_refusing_epsv_gets_passive_and_a_silent_active_mode_is_explained_in_time() {
    let server = FakeServer::start(Script {
        listing: "-rw-r--r-- 1 u g 5 Jan 01 2026 a.txt\r\n".to_owned(),
        refuse_epsv: true,
        ..Script::default()
    });
    let started = Instant::now();
    let output = skiff()
        .args(["doctor", "--timeout", "3", &server.url("/")])
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "every step has its own limit"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("FAIL epsv"), "{text}");
    assert!(text.contains("ok   pasv"), "{text}");
    assert!(text.contains("FAIL active"), "{text}");
    // The silent server accepted PORT and never connected back, as behind a firewall.
    assert!(text.contains("Skiff announced 127.0.0.1:"), "{text}");
    assert!(text.contains("firewall or router blocks"), "{text}");
    assert!(text.contains("Verdict: use passive mode"), "{text}");
    // The human output fits a terminal.
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
}

#[test]
fn a_pasv_reply_naming_another_host_is_never_followed() {
    let server = FakeServer::start(Script {
        listing: "-rw-r--r-- 1 u g 5 Jan 01 2026 a.txt\r\n".to_owned(),
        refuse_epsv: true,
        pasv_names: Some([10, 99, 0, 1]),
        ..Script::default()
    });
    let output = skiff()
        .args(["doctor", "--json", "--timeout", "3", &server.url("/")])
        .output()
        .unwrap();
    let report = json_report(&output);
    // Skiff connects to the server it talks to, not to 10.99.0.1: the listing arrives, and
    // the step says why the address was not used.
    let pasv = step(&report, "pasv");
    assert_eq!(pasv["ok"], true, "{report}");
    let detail = pasv["detail"].as_str().unwrap();
    assert!(
        detail.contains("10.99.0.1") && detail.contains("behind NAT"),
        "{detail}"
    );
}

#[test]
fn nothing_listening_fails_at_the_tcp_step_with_a_verdict() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = skiff()
        .args([
            "doctor",
            "--timeout",
            "3",
            &format!("ftp://127.0.0.1:{port}/"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("FAIL tcp"), "{text}");
    assert!(text.contains("Verdict: nothing answers"), "{text}");
}
