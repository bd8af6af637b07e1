//! The connection doctor in the window: the Test button runs it against the in-process
//! server, the steps and the verdict show, and Apply stores the mode that worked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/window.rs"]
mod window;

use common::{PASSWORD, TestServer};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use skiff::model::site::DataMode;

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
    w.wait_until("the doctor's verdict", |app| {
        app.state()
            .doctor
            .as_ref()
            .is_some_and(|d| d.report.is_some())
    });
    let doctor = w.state().doctor.clone().unwrap();
    let names: Vec<&str> = doctor.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "resolve", "tcp", "login", "features", "epsv", "pasv", "active", "rtt"
        ]
    );
    let report = doctor.report.unwrap();
    assert_eq!(report.recommended.mode.as_deref(), Some("epsv"));
    w.wait_for_label(&report.verdict);
    w.harness
        .get_by_role_and_label(Role::Button, "Apply to this site")
        .click();
    w.wait_until("the mode applied", |app| {
        app.state().form.data_mode == Some(DataMode::ExtendedPassive)
            && app.state().doctor.is_none()
    });
}
