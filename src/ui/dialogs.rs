//! The small modal windows: a name for a new folder, a new name, and the confirmation that
//! names what a delete will remove (from the server or from this computer). Enter confirms, Escape or Cancel closes.

use egui::{Context, Id, Modal, TextEdit};

use crate::app::actions::Action;
use crate::app::state::{Dialog, Side};

fn name_field(ui: &mut egui::Ui, label: &str, text: &mut String) -> bool {
    let label = ui.label(label);
    let edit = ui
        .add(TextEdit::singleline(text).desired_width(280.0))
        .labelled_by(label.id);
    if !edit.has_focus() && !edit.lost_focus() {
        edit.request_focus();
    }
    edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

fn buttons(ui: &mut egui::Ui, confirm: &str) -> (bool, bool) {
    let mut pressed = (false, false);
    ui.horizontal(|ui| {
        pressed.0 = ui.button(confirm).clicked();
        pressed.1 = ui.button("Cancel").clicked();
    });
    pressed
}

/// Draws `dialog`; returns the action it ends with (or `CloseDialog`).
pub fn show(ctx: &Context, dialog: &mut Dialog) -> Option<Action> {
    let mut action = None;
    let modal = Modal::new(Id::unique("skiff_dialog")).show(ctx, |ui| match dialog {
        Dialog::NewFolder { side, name } => {
            ui.heading("New folder");
            let enter = name_field(ui, "Folder name:", name);
            let (ok, cancel) = buttons(ui, "Create");
            if (ok || enter) && !name.trim().is_empty() {
                action = Some(Action::Mkdir(*side, name.trim().to_owned()));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
        Dialog::Rename { side, from, to } => {
            ui.heading(format!("Rename {from}"));
            let enter = name_field(ui, "New name:", to);
            let (ok, cancel) = buttons(ui, "Rename");
            if (ok || enter) && !to.trim().is_empty() && to.trim() != from.as_str() {
                action = Some(Action::Rename(*side, from.clone(), to.trim().to_owned()));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
        Dialog::ConfirmDelete {
            side,
            names,
            folders,
        } => {
            let (question, confirm) = match side {
                Side::Remote => ("Delete from the server?", "Delete from the server"),
                Side::Local => (
                    "Delete from this computer? This cannot be undone.",
                    "Delete from this computer",
                ),
            };
            ui.heading(question);
            let shown: Vec<&str> = names.iter().take(10).map(String::as_str).collect();
            ui.label(shown.join(", "));
            if names.len() > shown.len() {
                ui.label(format!("…and {} more", names.len() - shown.len()));
            }
            if *folders > 0 {
                ui.label(format!(
                    "{folders} folder(s) will be deleted with everything in them."
                ));
            }
            let (ok, cancel) = buttons(ui, confirm);
            if ok {
                action = Some(Action::Delete(*side, names.clone()));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
    });
    if action.is_none() && modal.should_close() {
        action = Some(Action::CloseDialog);
    }
    action
}
