//! The window's frame: the panels and panes drawn from the state each frame, the keys and
//! the desktop's dropped files turned into actions, the title, the theme. Draws only; what an
//! action does is decided in `actions`.

use std::path::PathBuf;
use std::time::Duration;

use super::actions::Action;
use super::state::{Connection, Side};
use super::{SkiffApp, transfers};
use crate::ui;

impl SkiffApp {
    fn keys(&mut self, ctx: &egui::Context) -> Option<Action> {
        if ctx.memory(|m| m.focused().is_some()) {
            return None; // typing in a text field
        }
        let side = self.active;
        ctx.input(|i| {
            if i.key_pressed(egui::Key::F5) {
                Some(Action::Refresh(side))
            } else if i.key_pressed(egui::Key::Backspace) {
                Some(Action::Up(side))
            } else if i.key_pressed(egui::Key::F2) {
                Some(Action::AskRename(side))
            } else if i.key_pressed(egui::Key::Delete) {
                Some(Action::AskDelete(side))
            } else if i.key_pressed(egui::Key::ArrowDown) {
                Some(Action::MoveSelection(side, 1))
            } else if i.key_pressed(egui::Key::ArrowUp) {
                Some(Action::MoveSelection(side, -1))
            } else if let Some(typed) = typed_text(i) {
                if i.time - self.typed.1 > 1.0 {
                    self.typed.0.clear();
                }
                self.typed.0.push_str(&typed);
                self.typed.1 = i.time;
                Some(Action::JumpTo(side, self.typed.0.clone()))
            } else if i.key_pressed(egui::Key::Enter) {
                let pane = self.state.pane(side);
                pane.selected
                    .iter()
                    .next()
                    .map(|name| Action::Open(side, name.clone()))
            } else {
                None
            }
        })
    }

    /// The URL of the remote folder, or of `name` in it; never with the password.
    fn url_of(&self, name: Option<&str>) -> Option<String> {
        let (site, _) = super::connect::site_from_form(&self.state).ok()?;
        let folder = crate::model::path::RemotePath::new(&self.state.remote.path);
        let path = name.map_or_else(|| folder.clone(), |n| folder.join(n));
        Some(site.url_for(&path))
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match &self.state.connection {
            Connection::Connected { target, .. } => format!("Skiff — {target}"),
            _ => "Skiff".to_owned(),
        };
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}

impl SkiffApp {
    /// The two panes side by side (with the remote pane's Reconnect offer).
    fn panes(&mut self, ui: &mut egui::Ui, asked: &mut Vec<Action>) {
        let half = ui.available_width() / 2.0;
        let connected = self.state.session().is_some();
        egui::Panel::left("local_pane")
            .resizable(true)
            .default_size(half)
            .show(ui, |ui| {
                let asked_here = ui::pane::show(
                    ui,
                    Side::Local,
                    "Local site:",
                    &mut self.state.local,
                    connected,
                );
                asked.extend(asked_here);
            });
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if self.state.connection_lost && connected {
                ui.horizontal(|ui| {
                    ui.colored_label(ui::ERROR_COLOR, "The connection to the server was lost.");
                    // The engine reconnects to the same site on the next request.
                    if ui.button("Reconnect").clicked() {
                        asked.push(Action::Refresh(Side::Remote));
                    }
                });
            } else if let Connection::Failed(_) = &self.state.connection
                && !self.state.form.host.is_empty()
                && ui.button("Reconnect").clicked()
            {
                asked.push(Action::Connect);
            }
            asked.extend(ui::pane::show(
                ui,
                Side::Remote,
                "Remote site:",
                &mut self.state.remote,
                connected,
            ));
        });
    }
}

impl eframe::App for SkiffApp {
    /// Quitting: the queue's last state is on disk before the window goes.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(writer) = &self.queue_writer {
            writer.write(self.state.queue.to_saved());
            let flushed = tokio::time::timeout(Duration::from_secs(5), writer.flush());
            if self.runtime.block_on(flushed).is_err() {
                eprintln!("skiff: the transfer queue could not be saved within 5 s");
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if self.frame_stats
            && let Some(seconds) = frame.info().cpu_usage
        {
            eprintln!(
                "frame_cpu_ms {:.2} entries {}",
                seconds * 1000.0,
                self.state.remote.entries.len()
            );
        }
        self.drain_events();
        let ctx = ui.ctx().clone();
        self.update_title(&ctx);
        let mut asked: Vec<Action> = Vec::new();
        egui::Panel::top("connect_bar").show(ui, |ui| {
            asked.extend(ui::connect_bar::show(
                ui,
                &mut self.state.form,
                &self.state.connection,
                &self.state.sites,
            ));
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| ui::status_bar::show(ui, &self.state));
        egui::Panel::bottom("transfer_queue")
            .resizable(true)
            .default_size(170.0)
            .show(ui, |ui| {
                asked.extend(ui::queue_panel::show(ui, &self.state.queue));
            });
        egui::Panel::top("message_log")
            .resizable(true)
            .default_size(140.0)
            .show(ui, |ui| {
                asked.extend(ui::log_panel::show(ui, &self.state.log));
            });
        self.panes(ui, &mut asked);
        asked.extend(desktop_drop(&ctx, &self.state.remote.path));
        if let Some(doctor) = &self.state.doctor {
            asked.extend(ui::doctor::show(&ctx, doctor));
        }
        if let Some(manager) = &mut self.state.site_manager {
            asked.extend(ui::site_manager::show(&ctx, manager, &self.state.sites));
        }
        if let Some(dialog) = &mut self.state.dialog {
            asked.extend(ui::dialogs::show(&ctx, dialog));
        } else {
            asked.extend(self.keys(&ctx));
        }
        let urls: Vec<String> = asked
            .iter()
            .filter_map(|a| match a {
                Action::CopyUrl(name) => self.url_of(name.as_deref()),
                _ => None,
            })
            .collect();
        for url in urls {
            self.state.status = format!("Copied {url}");
            ctx.copy_text(url);
        }
        for action in asked {
            match &action {
                Action::Select { side, .. }
                | Action::ToggleTree(side, _)
                | Action::Mkdir(side, _)
                | Action::Sort(side, _)
                | Action::Open(side, _)
                | Action::Up(side)
                | Action::Refresh(side) => {
                    self.active = *side;
                }
                _ => {}
            }
            self.dispatch(action);
        }
        if self.state.queue.settings.theme != self.theme {
            self.theme = self.state.queue.settings.theme;
            apply_theme(&ctx, self.theme);
        }
        self.pump_queue();
        if !self.outbox.is_empty() {
            ctx.request_repaint_after(Duration::from_millis(20));
        }
    }
}

/// Sets the window's theme.
pub(super) fn apply_theme(ctx: &egui::Context, theme: crate::store::settings::Theme) {
    use crate::store::settings::Theme;
    ctx.set_theme(match theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    });
}

/// Files dropped from another program upload into the remote folder; while they hover, the
/// window says so.
fn desktop_drop(ctx: &egui::Context, remote_folder: &str) -> Option<Action> {
    let (hovering, dropped) = ctx.input(|i| {
        let dropped: Vec<PathBuf> = i
            .raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        (!i.raw.hovered_files.is_empty(), dropped)
    });
    if hovering {
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("desktop_drop"),
        ));
        let rect = ctx.content_rect();
        painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            format!("Drop to upload into {remote_folder}"),
            egui::FontId::proportional(22.0),
            egui::Color32::WHITE,
        );
    }
    (!dropped.is_empty()).then_some(Action::Queue(transfers::QueueAction::UploadPaths(dropped)))
}

/// Text typed this frame (outside text fields): jumps to a matching name.
fn typed_text(input: &egui::InputState) -> Option<String> {
    let typed: String = input
        .events
        .iter()
        .filter_map(|e| match e {
            egui::Event::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    (!typed.is_empty()).then_some(typed)
}
