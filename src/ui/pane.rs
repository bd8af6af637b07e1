//! One side of the window: a path bar (editable; Enter goes there), and a sortable,
//! virtualized file table with a `..` row. Click selects (Ctrl toggles), double-click opens a
//! folder. Shows a spinner while a listing loads and the error when it failed.

use egui::{Align, Layout, RichText, Sense, Ui};
use egui_extras::{Column, TableBuilder};

use crate::app::actions::Action;
use crate::app::state::{PaneState, Side, SortKey, opens_as_folder};
use crate::model::entry::{Entry, EntryKind};
use crate::model::path::escape_control;
use crate::model::transfer::human_bytes;

const ROW_HEIGHT: f32 = 20.0;

/// A table cell's text: not selectable, so clicks reach the row (select, open).
fn cell(ui: &mut Ui, text: impl Into<egui::WidgetText>) {
    ui.add(egui::Label::new(text).selectable(false).truncate());
}

fn icon(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Dir => "📁",
        EntryKind::Link => "🔗",
        EntryKind::File => "📄",
        EntryKind::Other => "⚙",
    }
}

fn time(seconds: Option<i64>) -> String {
    seconds
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn header_button(ui: &mut Ui, pane: &PaneState, key: SortKey, label: &str) -> bool {
    let arrow = if pane.sort == key {
        if pane.ascending { " ⬆" } else { " ⬇" }
    } else {
        ""
    };
    ui.add(egui::Button::new(RichText::new(format!("{label}{arrow}")).strong()).frame(false))
        .clicked()
}

/// The editable path: Enter goes there.
fn path_bar(ui: &mut Ui, side: Side, title: &str, pane: &mut PaneState) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let label = ui.label(RichText::new(title).strong());
        let edit = ui
            .add(egui::TextEdit::singleline(&mut pane.path_edit).desired_width(f32::INFINITY))
            .labelled_by(label.id);
        if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            action = Some(match side {
                Side::Local => Action::OpenLocal(pane.path_edit.clone()),
                Side::Remote => Action::OpenRemote(pane.path_edit.clone()),
            });
        }
    });
    action
}

/// The pane's buttons: transfer the selection across, and (remote) folder operations.
fn toolbar(ui: &mut Ui, side: Side, has_selection: bool, connected: bool) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let mut button = |ui: &mut Ui, enabled: bool, label: &str, hint: &str, what: Action| {
            if ui
                .add_enabled(enabled, egui::Button::new(label))
                .on_hover_text(hint)
                .clicked()
            {
                action = Some(what);
            }
        };
        let (across, across_hint, transfer) = match side {
            Side::Local => (
                "Upload ➡",
                "Upload the selection to the remote folder",
                Action::Upload,
            ),
            Side::Remote => (
                "⬅ Download",
                "Download the selection to the local folder",
                Action::Download,
            ),
        };
        button(
            ui,
            has_selection && connected,
            across,
            across_hint,
            transfer,
        );
        button(
            ui,
            true,
            "New folder",
            "Create a folder here",
            Action::AskNewFolder(side),
        );
        button(
            ui,
            has_selection,
            "Rename",
            "Rename the selected entry (F2)",
            Action::AskRename(side),
        );
        button(
            ui,
            has_selection,
            "Delete",
            "Delete the selection (Del)",
            Action::AskDelete(side),
        );
        if side == Side::Remote {
            button(
                ui,
                true,
                "Copy URL",
                "Copy this folder's URL (without the password)",
                Action::CopyUrl(None),
            );
        }
        button(
            ui,
            true,
            "Refresh",
            "List this folder again (F5)",
            Action::Refresh(side),
        );
    });
    action
}

/// The right-click menu of a row.
fn row_menu(ui: &mut Ui, side: Side, entry: &Entry, connected: bool, action: &mut Option<Action>) {
    let mut item = |ui: &mut Ui, label: &str, what: Action| {
        if ui.button(label).clicked() {
            *action = Some(what);
            ui.close();
        }
    };
    if opens_as_folder(entry) {
        item(ui, "Open", Action::Open(side, entry.name.clone()));
    }
    if connected {
        match side {
            Side::Local => item(ui, "Upload", Action::Upload),
            Side::Remote => item(ui, "Download", Action::Download),
        }
        item(ui, "Add to queue", Action::AddToQueue(side));
    }
    item(ui, "Rename…", Action::AskRename(side));
    item(ui, "Delete…", Action::AskDelete(side));
    item(ui, "New folder…", Action::AskNewFolder(side));
    if side == Side::Remote {
        item(ui, "File permissions…", Action::AskChmod);
        item(ui, "Copy URL", Action::CopyUrl(Some(entry.name.clone())));
    }
    item(ui, "Refresh", Action::Refresh(side));
}

/// Draws the pane; returns what the user asked for. The remote pane shows only its path bar
/// until `connected`.
pub fn show(
    ui: &mut Ui,
    side: Side,
    title: &str,
    pane: &mut PaneState,
    connected: bool,
) -> Option<Action> {
    let usable = side == Side::Local || connected;
    let mut action = path_bar(ui, side, title, pane);
    if usable {
        action = action.or(toolbar(ui, side, !pane.selected.is_empty(), connected));
    }
    if let Some((_, path)) = &pane.loading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("Listing {path}…"));
        });
    }
    if let Some(error) = &pane.error {
        ui.colored_label(super::ERROR_COLOR, error);
    }
    if !usable {
        ui.label("Not connected.");
        return action;
    }
    let tree_id = match side {
        Side::Local => "local_tree",
        Side::Remote => "remote_tree",
    };
    egui::Panel::top(tree_id)
        .resizable(true)
        .default_size(150.0)
        .size_range(40.0..=600.0)
        .show(ui, |ui| {
            let asked = super::tree::show(ui, side, &mut pane.tree, &pane.path);
            action = action.take().or(asked);
        });
    // The whole rest of the pane takes drops, not just the rows drawn (a folder may be empty).
    let zone_rect = ui.available_rect_before_wrap();
    action = action.or(table(ui, side, title, pane, connected));
    let zone = ui.interact(zone_rect, ui.scope_id().with("drop_zone"), Sense::hover());
    if zone
        .dnd_hover_payload::<super::DragNames>()
        .is_some_and(|p| p.side != side)
    {
        super::highlight_drop_target(&zone);
    }
    if let Some(payload) = zone.dnd_release_payload::<super::DragNames>() {
        action = action.or(super::drop_action(&payload, side, None));
    }
    action
}

/// The sortable, virtualized file table with its `..` row.
fn table(
    ui: &mut Ui,
    side: Side,
    title: &str,
    pane: &mut PaneState,
    connected: bool,
) -> Option<Action> {
    let mut action = None;
    let remote = side == Side::Remote;
    let mut table = TableBuilder::new(ui)
        .id_salt(title)
        .striped(true)
        .resizable(true)
        .sense(Sense::click_and_drag())
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(Column::remainder().at_least(140.0).clip(true))
        .column(Column::initial(80.0).at_least(50.0))
        .column(Column::initial(125.0).at_least(60.0));
    if remote {
        table = table.column(Column::initial(85.0).at_least(40.0));
    }
    if let Some(row) = pane.scroll_to.take() {
        table = table.scroll_to_row(row, None);
    }
    table
        .header(ROW_HEIGHT, |mut header| {
            for (key, label) in [
                (SortKey::Name, "Name"),
                (SortKey::Size, "Size"),
                (SortKey::Modified, "Modified"),
            ] {
                header.col(|ui| {
                    if header_button(ui, pane, key, label) {
                        action = Some(Action::Sort(side, key));
                    }
                });
            }
            if remote {
                header.col(|ui| {
                    ui.strong("Permissions");
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, pane.entries.len() + 1, |mut row| {
                let index = row.index();
                if index == 0 {
                    row.col(|ui| {
                        cell(ui, "📁 ..");
                    });
                    row.col(|_| {});
                    row.col(|_| {});
                    if remote {
                        row.col(|_| {});
                    }
                    if row.response().double_clicked() {
                        action = Some(Action::Up(side));
                    }
                    return;
                }
                entry_row(&mut row, side, pane, index - 1, connected, &mut action);
            });
        });
    action
}

/// One entry's row: icon and name, size, time, permissions; click, right-click, double-click.
fn entry_row(
    row: &mut egui_extras::TableRow<'_, '_>,
    side: Side,
    pane: &PaneState,
    index: usize,
    connected: bool,
    action: &mut Option<Action>,
) {
    let remote = side == Side::Remote;
    let entry: &Entry = &pane.entries[index];
    row.set_selected(pane.selected.contains(&entry.name));
    row.col(|ui| {
        cell(
            ui,
            format!("{} {}", icon(entry.kind), escape_control(&entry.name)),
        );
    });
    row.col(|ui| {
        if entry.kind == EntryKind::File {
            cell(ui, entry.size.map(human_bytes).unwrap_or_default());
        }
    });
    row.col(|ui| {
        cell(ui, time(entry.modified));
    });
    if remote {
        row.col(|ui| {
            cell(ui, entry.permissions.as_deref().unwrap_or_default());
        });
    }
    let response = row.response();
    drag_and_drop(&response, side, pane, entry, action);
    if response.secondary_clicked() && !pane.selected.contains(&entry.name) {
        *action = Some(Action::Select {
            side,
            name: entry.name.clone(),
            toggle: false,
            range: false,
        });
    }
    response.context_menu(|ui| row_menu(ui, side, entry, connected, action));
    if response.double_clicked() {
        *action = Some(Action::Open(side, entry.name.clone()));
    } else if response.clicked() {
        let modifiers = response.ctx.input(|i| i.modifiers);
        *action = Some(Action::Select {
            side,
            name: entry.name.clone(),
            toggle: modifiers.command,
            range: modifiers.shift,
        });
    }
}

/// A row is a drag source (the selection when the row is in it, else the row alone) and, when
/// it is a folder, a drop target on the other side's drags.
fn drag_and_drop(
    response: &egui::Response,
    side: Side,
    pane: &PaneState,
    entry: &Entry,
    action: &mut Option<Action>,
) {
    if response.drag_started() {
        let names = if pane.selected.contains(&entry.name) {
            pane.selected_entries().map(|e| e.name.clone()).collect()
        } else {
            vec![entry.name.clone()]
        };
        response.dnd_set_drag_payload(super::DragNames {
            side,
            names,
            folder: None,
        });
    }
    if !opens_as_folder(entry) {
        return;
    }
    if response
        .dnd_hover_payload::<super::DragNames>()
        .is_some_and(|p| p.side != side)
    {
        super::highlight_drop_target(response);
    }
    if let Some(payload) = response.dnd_release_payload::<super::DragNames>() {
        let into = match side {
            Side::Local => std::path::Path::new(&pane.path)
                .join(&entry.name)
                .display()
                .to_string(),
            Side::Remote => crate::model::path::RemotePath::new(&pane.path)
                .join(&entry.name)
                .to_string(),
        };
        *action = super::drop_action(&payload, side, Some(into)).or(action.take());
    }
}
