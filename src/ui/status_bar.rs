//! The status bar: connection state, the last message, and the selection's count and size.

use egui::Ui;

use crate::app::state::{AppState, Connection};
use crate::model::transfer::human_bytes;

/// Draws the status line.
pub fn show(ui: &mut Ui, state: &AppState) {
    ui.horizontal(|ui| {
        let connection = match &state.connection {
            Connection::Idle | Connection::Failed(_) => "Not connected".to_owned(),
            Connection::Connecting { target, .. } => format!("Connecting to {target}"),
            Connection::Connected { target, .. } => format!("Connected to {target}"),
        };
        ui.label(&connection);
        if !state.status.is_empty() && state.status != connection {
            ui.separator();
            ui.label(&state.status);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            for (label, pane) in [("remote", &state.remote), ("local", &state.local)] {
                if !pane.selected.is_empty() {
                    ui.label(format!(
                        "{} selected ({}) {label}",
                        pane.selected.len(),
                        human_bytes(pane.selected_bytes())
                    ));
                }
            }
        });
    });
}
