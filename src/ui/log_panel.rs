//! The message log: every command and reply, passwords masked by the engine, errors in red,
//! newest visible; a line saying `Auto` switched the data-connection mode links to the
//! connection doctor. Virtualized, so a long session costs nothing to draw.

use std::collections::VecDeque;

use egui::{Color32, RichText, ScrollArea, Ui};

use crate::app::actions::Action;
use crate::app::state::LogLine;
use crate::protocol::LogKind;

/// The colour of a mode-switch line (amber: worth reading, not an error).
const SWITCH_COLOR: Color32 = Color32::from_rgb(230, 160, 40);

/// Draws the log; a click on a mode-switch line's link asks for the doctor.
pub fn show(ui: &mut Ui, log: &VecDeque<LogLine>) -> Option<Action> {
    let mut action = None;
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
                    LogKind::ModeSwitch => ("Status:   ", SWITCH_COLOR),
                };
                let text = RichText::new(format!("{prefix}{}", line.text))
                    .monospace()
                    .color(color);
                if line.kind == LogKind::ModeSwitch {
                    ui.horizontal(|ui| {
                        ui.label(text);
                        let link = RichText::new("Test connection…").monospace();
                        if ui.link(link).clicked() {
                            action = Some(Action::Doctor);
                        }
                    });
                } else {
                    ui.label(text);
                }
            }
        });
    action
}
