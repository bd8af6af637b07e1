//! The connection doctor in the window: the Test button runs it against the in-process
//! server, the steps and the verdict show, and Apply stores the mode that worked; the site
//! manager's "Test connection" tests a bookmark and Apply writes into the sites file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/window.rs"]
mod window;

use common::fake::{FakeServer, Script};
use common::{PASSWORD, TestServer};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use skiff::model::site::DataMode;

/// The doctor's window once its verdict is in.
fn finished_doctor(w: &mut window::Window) -> skiff::app::state::DoctorState {
    w.wait_until("the doctor's verdict", |app| {
        app.state()
            .doctor
            .as_ref()
            .is_some_and(|d| d.report.is_some())
    });
    w.state().doctor.clone().unwrap()
}

#[test]
fn the_test_button_runs_the_doctor_and_apply_keeps_the_mode_that_worked() {
    let server = TestServer::start();
    let mut w = window::open_window();
    w.connect(server.port, PASSWORD);
    // Test is enabled once the connect attempt is over.
    w.wait_until("connected", |app| app.state().session().is_some());
    w.harness.step();
    w.harness
        .get_by_role_and_label(Role::Button, "Test")
        .click();
    let doctor = finished_doctor(&mut w);
    let names: Vec<&str> = doctor.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "resolve", "tcp", "greeting", "login", "features", "rtt", "epsv", "pasv", "active"
        ]
    );
    let report = doctor.report.unwrap();
    assert_eq!(report.recommended.mode.as_deref(), Some("epsv"));
    w.wait_for_label(&report.verdict);
    // Copy report puts the JSON report on the clipboard.
    w.harness
        .get_by_role_and_label(Role::Button, "Copy report")
        .click();
    w.harness.step();
    let copied = w
        .harness
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .expect("the report copied");
    let json: serde_json::Value = serde_json::from_str(&copied).unwrap();
    assert_eq!(json["verdict"], report.verdict.as_str());
    assert_eq!(json["steps"].as_array().unwrap().len(), doctor.steps.len());
    w.harness
        .get_by_role_and_label(Role::Button, "Apply to this site")
        .click();
    w.wait_until("the mode applied", |app| {
        // Extended passive working keeps the default (EPSV, then PASV).
        app.state().form.data_mode == Some(DataMode::Auto) && app.state().doctor.is_none()
    });
}

#[test]
fn test_connection_in_the_site_manager_applies_the_working_mode_to_the_bookmark() {
    // EPSV refused, PASV and active work: the doctor recommends PASV.
    let server = FakeServer::start(Script {
        listing: "-rw-r--r-- 1 u g 5 Jan 01 2026 a.txt\r\n".to_owned(),
        refuse_epsv: true,
        connects_back: true,
        ..Script::default()
    });
    let config = tempfile::tempdir().unwrap();
    let sites_file = config.path().join("sites.toml");
    let path = sites_file.clone();
    let mut w = window::open_window_with(move |start| start.sites_path = Some(path));
    w.open_site_manager();
    w.harness
        .get_by_role_and_label(Role::Button, "New site")
        .click();
    w.wait_for_label("Site name:");
    w.replace_text("Site name:", "shop");
    w.replace_text("Host name:", "127.0.0.1");
    w.replace_text("Port number:", &server.port.to_string());
    w.replace_text("User name:", "u");
    w.replace_text("Site password:", "p");
    w.harness
        .get_by_role_and_label(Role::Button, "Test connection")
        .click();
    let doctor = finished_doctor(&mut w);
    assert!(doctor.bookmark.is_some(), "the doctor tests the bookmark");
    let report = doctor.report.unwrap();
    assert_eq!(
        report.recommended.mode.as_deref(),
        Some("pasv"),
        "{report:#?}"
    );
    w.wait_for_label(&report.verdict);
    // The picture's labels carry the real ports.
    let pasv_port = doctor
        .steps
        .iter()
        .find(|s| s.name == "pasv")
        .and_then(|s| s.port)
        .unwrap();
    w.wait_for_label_containing(&format!(
        "passive (PASV): you connect to the server's port {pasv_port} (works)"
    ));
    w.harness
        .get_by_role_and_label(Role::Button, "Apply to this site")
        .click();
    w.wait_until("the bookmark saved with PASV", |_| {
        skiff::store::sites::load(&sites_file).is_ok_and(|sites| {
            sites
                .sites
                .iter()
                .any(|b| b.name == "shop" && b.mode == DataMode::Passive)
        })
    });
    assert!(w.state().doctor.is_none(), "Apply closes the doctor");

    // Connected with the bookmark, the bar's Test applies to the bookmark too.
    w.harness
        .get_all_by_role_and_label(Role::Button, "Connect")
        .last()
        .unwrap()
        .click();
    w.wait_until("connected with the bookmark", |app| {
        app.state().session().is_some() && app.state().connected_bookmark.is_some()
    });
    w.harness.step();
    w.harness
        .get_by_role_and_label(Role::Button, "Test")
        .click();
    let again = finished_doctor(&mut w);
    assert_eq!(
        again.bookmark, doctor.bookmark,
        "the bar's Test tests the bookmark"
    );
}

#[test]
fn a_mode_switch_in_the_message_log_links_to_the_doctor() {
    let server = FakeServer::start(Script {
        listing: "-rw-r--r-- 1 u g 5 Jan 01 2026 a.txt\r\n".to_owned(),
        refuse_epsv: true,
        ..Script::default()
    });
    let mut w = window::open_window();
    w.connect(server.port, "p");
    w.wait_until("the listing through PASV", |app| {
        app.state().remote.entries.iter().any(|e| e.name == "a.txt")
    });
    w.wait_for_label_containing("The server refused EPSV; switching this session to passive");
    w.wait_for_label("Test connection…");
    w.harness
        .get_by_role_and_label(Role::Link, "Test connection…")
        .click();
    w.wait_until("the doctor runs", |app| app.state().doctor.is_some());
}
