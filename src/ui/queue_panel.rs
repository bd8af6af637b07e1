//! The transfer queue at the bottom of the window: tabs Queued / Failed / Successful with
//! counts, start/pause, retry, clear, overall progress and speed, the settings menu (transfers,
//! default data-connection mode, theme; saved in settings.toml), and a
//! virtualized table of items (direction, paths, size, progress, speed, ETA, state) with a
//! menu per item (cancel, move to the top or bottom).

use egui::{Align, Layout, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::app::actions::Action;
use crate::app::queue::{ItemState, QueueItem, QueueState, QueueTab};
use crate::app::transfer_settings::TransferSettings;
use crate::app::transfers::QueueAction;
use crate::model::appearance::Theme;
use crate::model::path::escape_control;
use crate::model::site::DataMode;
use crate::model::transfer::{Direction, human_bytes};
use crate::protocol::ExistingTarget;

const ROW_HEIGHT: f32 = 20.0;

fn eta(seconds: f64) -> String {
    if !seconds.is_finite() || seconds <= 0.0 {
        return String::new();
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive, finite count of seconds for display"
    )]
    let s = seconds.round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn state_text(state: &ItemState) -> String {
    match state {
        ItemState::Queued => "Queued".to_owned(),
        ItemState::Sent(_) => "Waiting for a connection".to_owned(),
        ItemState::Running(_) => "Transferring".to_owned(),
        ItemState::Asking => "Target exists: waiting for your answer".to_owned(),
        ItemState::Failed(why) => format!("Failed: {why}"),
        ItemState::Done => "Done".to_owned(),
        ItemState::Skipped => "Skipped (target kept)".to_owned(),
    }
}

/// The transfer settings, in a menu.
fn settings_menu(ui: &mut Ui, current: &TransferSettings) -> Option<Action> {
    let mut edited = current.clone();
    ui.menu_button("Settings", |ui| {
        ui.horizontal(|ui| {
            let label = ui.label("Transfer connections:");
            ui.add(egui::DragValue::new(&mut edited.connections).range(1..=10))
                .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let label = ui.label("Download limit (KiB/s, 0 = none):");
            ui.add(egui::DragValue::new(&mut edited.download_limit_kib).range(0..=10_000_000))
                .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let label = ui.label("Upload limit (KiB/s, 0 = none):");
            ui.add(egui::DragValue::new(&mut edited.upload_limit_kib).range(0..=10_000_000))
                .labelled_by(label.id);
        });
        ui.checkbox(&mut edited.keep_times, "Keep modification times");
        ui.horizontal(|ui| {
            let label = ui.label("Quick connections use:");
            egui::ComboBox::from_id_salt("default_mode")
                .selected_text(edited.data_mode.as_str())
                .show_ui(ui, |ui| {
                    for mode in [
                        DataMode::Auto,
                        DataMode::Passive,
                        DataMode::ExtendedPassive,
                        DataMode::Active,
                    ] {
                        ui.selectable_value(&mut edited.data_mode, mode, mode.as_str());
                    }
                })
                .response
                .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            ui.label("Theme:");
            for (theme, name) in [
                (Theme::System, "System"),
                (Theme::Light, "Light"),
                (Theme::Dark, "Dark"),
            ] {
                ui.radio_value(&mut edited.theme, theme, name);
            }
        });
        ui.label("When the target exists:");
        let ask = [("Ask", ExistingTarget::Refuse)];
        for (label, choice) in ask.into_iter().chain(super::EXISTING_CHOICES) {
            ui.radio_value(&mut edited.existing, choice, label);
        }
    });
    (edited != *current).then_some(Action::Queue(QueueAction::Settings(edited)))
}

/// The tabs, the buttons and the overall progress.
fn toolbar(ui: &mut Ui, state: &QueueState) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let counts = state.counts();
        for ((tab, name), count) in [
            (QueueTab::Queued, "Queued"),
            (QueueTab::Failed, "Failed"),
            (QueueTab::Successful, "Successful"),
        ]
        .into_iter()
        .zip(counts)
        {
            if ui
                .selectable_label(state.tab == tab, format!("{name} ({count})"))
                .clicked()
            {
                action = Some(Action::Queue(QueueAction::ShowTab(tab)));
            }
        }
        ui.separator();
        let toggle = if state.running { "Pause" } else { "Start" };
        if ui
            .button(toggle)
            .on_hover_text("Pause: running files finish, no new ones start")
            .clicked()
        {
            action = Some(Action::Queue(QueueAction::ToggleRunning));
        }
        if ui
            .add_enabled(counts[1] > 0, egui::Button::new("Retry failed"))
            .clicked()
        {
            action = Some(Action::Queue(QueueAction::RetryFailed));
        }
        if ui
            .add_enabled(counts[2] > 0, egui::Button::new("Clear successful"))
            .clicked()
        {
            action = Some(Action::Queue(QueueAction::ClearSuccessful));
        }
        action = action.take().or(settings_menu(ui, &state.settings));
        let (done, total, rate) = state.overall();
        if total > 0 {
            ui.separator();
            #[expect(clippy::cast_precision_loss, reason = "a fraction for a progress bar")]
            let fraction = done as f32 / total as f32;
            let text = format!(
                "{} of {}, {}/s",
                human_bytes(done),
                human_bytes(total),
                human_bytes(rate_bytes(rate))
            );
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(260.0)
                    .text(text),
            );
        }
    });
    action
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a rate for display"
)]
fn rate_bytes(rate: f64) -> u64 {
    if rate.is_finite() && rate > 0.0 {
        rate as u64
    } else {
        0
    }
}

fn cell(ui: &mut Ui, text: impl Into<egui::WidgetText>) {
    ui.add(egui::Label::new(text).selectable(false).truncate());
}

/// One item's row.
fn item_row(row: &mut egui_extras::TableRow<'_, '_>, item: &QueueItem) -> Option<Action> {
    let arrow = match item.direction {
        Direction::Download => "⬇",
        Direction::Upload => "⬆",
    };
    row.col(|ui| cell(ui, arrow));
    row.col(|ui| cell(ui, escape_control(&item.local.display().to_string())));
    row.col(|ui| cell(ui, escape_control(item.remote.as_str())));
    row.col(|ui| cell(ui, item.size.map(human_bytes).unwrap_or_default()));
    let progress = item.progress.as_ref();
    row.col(|ui| {
        let fraction = match (&item.state, progress) {
            (ItemState::Done, _) => Some(1.0),
            (_, Some(p)) => p.fraction(),
            _ => None,
        };
        if let Some(f) = fraction {
            #[expect(clippy::cast_possible_truncation, reason = "a progress bar")]
            ui.add(egui::ProgressBar::new(f as f32).show_percentage());
        }
    });
    row.col(|ui| {
        if let Some(p) = progress {
            cell(ui, format!("{}/s", human_bytes(rate_bytes(p.rate))));
        }
    });
    row.col(|ui| {
        if let Some(p) = progress
            && let Some(left) = p.eta()
        {
            cell(ui, eta(left.as_secs_f64()));
        }
    });
    let state_color = match item.state {
        ItemState::Failed(_) => Some(super::ERROR_COLOR),
        _ => None,
    };
    row.col(|ui| {
        let text = RichText::new(state_text(&item.state));
        cell(
            ui,
            match state_color {
                Some(c) => text.color(c),
                None => text,
            },
        );
    });
    let mut action = None;
    row.response().context_menu(|ui| {
        let mut entry = |ui: &mut Ui, label: &str, what: QueueAction| {
            if ui.button(label).clicked() {
                action = Some(Action::Queue(what));
                ui.close();
            }
        };
        if QueueTab::Queued.shows(&item.state) {
            entry(ui, "Cancel", QueueAction::Cancel(item.id));
        }
        entry(ui, "Move to top", QueueAction::Move(item.id, true));
        entry(ui, "Move to bottom", QueueAction::Move(item.id, false));
    });
    action
}

/// Draws the queue; returns what the user asked for.
pub fn show(ui: &mut Ui, state: &QueueState) -> Option<Action> {
    let mut action = toolbar(ui, state);
    let shown: Vec<&QueueItem> = state
        .items
        .iter()
        .filter(|i| state.tab.shows(&i.state))
        .collect();
    TableBuilder::new(ui)
        .id_salt("queue_table")
        .auto_shrink([false, false])
        .striped(true)
        .resizable(true)
        .cell_layout(Layout::left_to_right(Align::Center))
        .sense(egui::Sense::click())
        .column(Column::exact(22.0))
        .column(Column::initial(300.0).at_least(80.0).clip(true))
        .column(Column::initial(260.0).at_least(80.0).clip(true))
        .column(Column::initial(75.0))
        .column(Column::initial(110.0))
        .column(Column::initial(85.0))
        .column(Column::initial(70.0))
        .column(Column::remainder().at_least(80.0).clip(true))
        .header(ROW_HEIGHT, |mut header| {
            for title in [
                "", "Local", "Remote", "Size", "Progress", "Speed", "ETA", "State",
            ] {
                header.col(|ui| {
                    if !title.is_empty() {
                        ui.strong(title);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, shown.len(), |mut row| {
                let item = shown[row.index()];
                if let Some(asked) = item_row(&mut row, item) {
                    action = Some(asked);
                }
            });
        });
    action
}
