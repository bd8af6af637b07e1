//! The message log: every command and reply, passwords masked by the engine, errors in red,
//! newest visible. Virtualized, so a long session costs nothing to draw.

use std::collections::VecDeque;

use egui::{Color32, RichText, ScrollArea, Ui};

use crate::app::state::LogLine;
use crate::protocol::LogKind;

/// Draws the log.
pub fn show(ui: &mut Ui, log: &VecDeque<LogLine>) {
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
    let dark = ui.visuals().dark_mode;
    ScrollArea::vertical()
        .stick_to_bottom(true)
        .auto_shrink([false, false])
        .show_rows(ui, row_height, log.len(), |ui, rows| {
            for line in log.range(rows) {
                let (prefix, color) = match line.kind {
                    LogKind::Sent => (
                        "Command:  ",
                        if dark {
                            Color32::from_rgb(130, 170, 255)
                        } else {
                            Color32::from_rgb(20, 60, 170)
                        },
                    ),
                    LogKind::Received => (
                        "Response: ",
                        if dark {
                            Color32::from_rgb(140, 210, 140)
                        } else {
                            Color32::from_rgb(20, 110, 30)
                        },
                    ),
                    LogKind::Info => ("Status:   ", ui.visuals().text_color()),
                    LogKind::Error => ("Error:    ", super::ERROR_COLOR),
                };
                ui.label(
                    RichText::new(format!("{prefix}{}", line.text))
                        .monospace()
                        .color(color),
                );
            }
        });
}
