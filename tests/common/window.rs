//! The Skiff window under `egui_kittest`, for the GUI tests: open it on a temp folder, wait for
//! conditions with a deadline, type, connect, and drag between widgets.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use skiff::app::{SkiffApp, Start};

use super::common::USER;

pub struct Window {
    pub harness: Harness<'static, SkiffApp>,
    _runtime: tokio::runtime::Runtime,
    pub local: tempfile::TempDir,
}

pub fn open_window() -> Window {
    open_window_with(|_| {})
}

/// A window whose `Start` `adjust` may change (a queue file, a saved queue); the local pane
/// shows a fresh temp folder holding `notes.txt`.
pub fn open_window_with(adjust: impl FnOnce(&mut Start)) -> Window {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("notes.txt"), b"local file").unwrap();
    let handle = runtime.handle().clone();
    let mut start = Start {
        local_folder: local.path().to_path_buf(),
        ..Start::default()
    };
    adjust(&mut start);
    let harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| SkiffApp::new(&cc.egui_ctx, &handle, start));
    Window {
        harness,
        _runtime: runtime,
        local,
    }
}

impl Window {
    /// Steps frames until `done` holds or 10 s pass.
    pub fn wait_until(&mut self, what: &str, done: impl Fn(&SkiffApp) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.harness.step();
            if done(self.harness.state()) {
                return;
            }
            if Instant::now() >= deadline {
                let state = self.harness.state().state();
                let log: Vec<&str> = state.log.iter().map(|l| l.text.as_str()).collect();
                panic!(
                    "timed out waiting for: {what} (status: {}; log: {log:?})",
                    state.status
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Steps frames until a widget labelled `label` is shown (a new window takes a sizing frame).
    pub fn wait_for_label(&mut self, label: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.harness.query_by_label(label).is_none() {
            assert!(Instant::now() < deadline, "timed out waiting for {label}");
            self.harness.step();
        }
        // A new window sizes itself over a frame or two: click where it settles.
        self.harness.run_steps(2);
    }

    pub fn type_into(&mut self, label: &str, text: &str) {
        let role = if label.to_lowercase().contains("password") {
            Role::PasswordInput
        } else {
            Role::TextInput
        };
        let field = self.harness.get_by_role_and_label(role, label);
        field.click();
        field.type_text(text);
        self.harness.step();
    }

    pub fn connect(&mut self, port: u16, password: &str) {
        self.type_into("Host:", "127.0.0.1");
        self.type_into("User:", USER);
        self.type_into("Password:", password);
        self.type_into("Port:", &port.to_string());
        self.harness
            .get_by_role_and_label(Role::Button, "Connect")
            .click();
        self.harness.step();
    }

    pub fn remote_names(&self) -> Vec<String> {
        self.harness
            .state()
            .state()
            .remote
            .entries
            .iter()
            .map(|e| e.name.clone())
            .collect()
    }

    /// Drags the widget labelled `from` and drops it on the widget labelled `onto` (pointer
    /// events, one frame each, as a mouse would).
    pub fn drag(&mut self, from: &str, onto: &str) {
        let start = self.harness.get_by_label(from).rect().center();
        let end = self.harness.get_by_label(onto).rect().center();
        self.drag_points(start, end);
    }

    /// Drags from `start` to `end` with the primary button.
    pub fn drag_points(&mut self, start: egui::Pos2, end: egui::Pos2) {
        let send = |harness: &mut Harness<'static, SkiffApp>, event: egui::Event| {
            harness.event(event);
            harness.step();
        };
        let button = |pressed| egui::Event::PointerButton {
            pos: if pressed { start } else { end },
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        };
        send(&mut self.harness, egui::Event::PointerMoved(start));
        send(&mut self.harness, button(true));
        for step in 1..=5u8 {
            let t = f32::from(step) / 5.0;
            send(
                &mut self.harness,
                egui::Event::PointerMoved(start + (end - start) * t),
            );
        }
        send(&mut self.harness, button(false));
        self.harness.step();
    }

    /// Replaces the text of the field labelled `label` (a password field when the label says
    /// "password").
    pub fn replace_text(&mut self, label: &str, text: &str) {
        let role = if label.to_lowercase().contains("password") {
            Role::PasswordInput
        } else {
            Role::TextInput
        };
        let field = self.harness.get_by_role_and_label(role, label);
        field.focus();
        self.harness.step();
        self.harness
            .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        self.harness.key_press(egui::Key::Backspace);
        self.harness
            .get_by_role_and_label(role, label)
            .type_text(text);
        self.harness.step();
    }

    /// Opens the Sites menu and clicks `item` in it.
    pub fn sites_menu(&mut self, item: &str) {
        self.harness
            .get_by_role_and_label(Role::Button, "Sites")
            .click();
        self.harness.run_steps(2);
        self.wait_for_label(item);
        self.harness
            .get_by_role_and_label(Role::Button, item)
            .click();
    }

    /// Opens the site manager from the Sites menu.
    pub fn open_site_manager(&mut self) {
        self.sites_menu("Site Manager…");
        self.wait_for_label("New site");
    }

    /// Steps frames until a widget whose label contains `text` is shown.
    pub fn wait_for_label_containing(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.harness.query_by_label_contains(text).is_none() {
            assert!(Instant::now() < deadline, "timed out waiting for {text}");
            self.harness.step();
        }
    }

    /// The rectangle of the `n`th widget labelled `label` (in drawing order: the local pane
    /// before the remote one).
    pub fn nth_rect(&self, label: &str, n: usize) -> egui::Rect {
        self.harness.get_all_by_label(label).nth(n).unwrap().rect()
    }

    /// The app's state.
    pub fn state(&self) -> &skiff::app::state::AppState {
        self.harness.state().state()
    }
}
