//! A real blocked active-mode connection: the test runs itself again under `unshare -n`, in a
//! network namespace of its own (loopback only), where iptables drops new inbound connections
//! to every port but the server's control and passive ports; a server and the doctor run there.
//! The server's connection back to Skiff's announced port is dropped as a firewall would drop
//! it; the doctor must say so and recommend passive mode.
//!
//! Needs root (or `CAP_NET_ADMIN` and `CAP_SYS_ADMIN`), unshare and iptables; it says why it
//! skipped where it cannot run. Under CI (`CI` set) it must run: CI installs iptables.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::namespace::{Run, rerun_inside};
use common::{ServerOptions, TestServer};
use skiff::engine::doctor::{Probe, diagnose_with};
use skiff::engine::log::LogSink;
use skiff::model::site::FtpUrl;

/// The server's control port and passive range inside the namespace (it is empty, so free).
const CONTROL_PORT: u16 = 2121;
const PASSIVE: (u16, u16) = (30000, 30009);

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Set in the run inside the namespace.
const INSIDE: &str = "SKIFF_TEST_INSIDE_NETNS";
/// A network namespace of its own.
const UNSHARE: &str = "--net";
const TEST_NAME: &str =
    "a_firewall_dropping_the_connect_back_fails_active_mode_and_passive_is_recommended";

/// Loopback up and the firewall rule in place, inside the namespace.
fn firewall() -> Result<(), String> {
    run("ip", &["link", "set", "lo", "up"])?;
    let allowed = format!("{CONTROL_PORT},{}:{}", PASSIVE.0, PASSIVE.1);
    run(
        "iptables",
        &[
            "-A",
            "INPUT",
            "-p",
            "tcp",
            "--syn",
            "-m",
            "multiport",
            "!",
            "--dports",
            &allowed,
            "-j",
            "DROP",
        ],
    )
}

#[test]
fn a_firewall_dropping_the_connect_back_fails_active_mode_and_passive_is_recommended() {
    if let Run::Done = rerun_inside(UNSHARE, INSIDE, TEST_NAME) {
        return;
    }
    if let Err(why) = firewall() {
        println!("SKIPPED: {why}");
        return;
    }
    let server = TestServer::with(ServerOptions {
        control_port: Some(CONTROL_PORT),
        passive_ports: Some(PASSIVE),
        ..ServerOptions::default()
    });
    let mut site = FtpUrl::parse(&server.url("ftp", "/")).unwrap().site;
    site.timeout = Duration::from_secs(3);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut ignore = |_: &skiff::engine::doctor::Step| {};
    let started = std::time::Instant::now();
    let report = rt.block_on(diagnose_with(
        &site,
        &Probe::default(),
        LogSink::none(),
        &mut ignore,
    ));
    let took = started.elapsed();
    drop(server);
    let step = |name: &str| {
        report
            .steps
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no step {name} in {report:#?}"))
    };
    assert!(step("pasv").ok && step("epsv").ok, "{report:#?}");
    let active = step("active");
    assert!(!active.ok, "{report:#?}");
    assert!(
        active.detail.contains("Skiff announced 127.0.0.1:")
            && active
                .detail
                .contains("your firewall or router blocks the server's connection back to you"),
        "{}",
        active.detail
    );
    assert!(active.port.is_some());
    assert_eq!(report.recommended.mode.as_deref(), Some("epsv"));
    assert!(
        report.verdict.starts_with("use passive mode") && report.verdict.contains("firewall"),
        "{}",
        report.verdict
    );
    assert!(
        took < Duration::from_secs(30),
        "every step is bounded: {took:?}"
    );
}
