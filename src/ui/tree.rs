//! A pane's folder tree: one row per visible folder, indented by depth, with an expander
//! (⏵/⏷) and the name. Clicking a name opens that folder in the table; expanding a folder
//! the tree has not listed yet asks for its listing. A folder can be dragged to the other pane,
//! and the other pane's drags dropped on one. Rows are virtualized.

use egui::{Button, Label, RichText, Role, Sense, Ui, WidgetInfo};

use crate::app::actions::Action;
use crate::app::state::Side;
use crate::app::tree::FolderTree;
use crate::model::path::escape_control;

const ROW_HEIGHT: f32 = 18.0;
const INDENT: f32 = 14.0;

/// Draws the tree; `current` is the folder the table shows (highlighted).
pub fn show(ui: &mut Ui, side: Side, tree: &mut FolderTree, current: &str) -> Option<Action> {
    let mut action = None;
    let rows = tree.rows();
    egui::ScrollArea::both()
        .id_salt((side, "tree"))
        .auto_shrink([false, false])
        .show_rows(ui, ROW_HEIGHT, rows.len(), |ui, range| {
            for row in &rows[range] {
                ui.horizontal(|ui| {
                    ui.set_height(ROW_HEIGHT);
                    let depth = u16::try_from(row.depth).unwrap_or(u16::MAX);
                    ui.add_space(INDENT * f32::from(depth));
                    let name = escape_control(&row.name);
                    if row.leaf {
                        ui.add_space(INDENT + ui.spacing().item_spacing.x);
                    } else {
                        let (glyph, verb) = if row.expanded {
                            ("⏷", "Collapse")
                        } else {
                            ("⏵", "Expand")
                        };
                        let toggle = ui.add(Button::new(glyph).frame(false).small());
                        // Named for screen readers and tests: "Expand docs".
                        toggle.widget_info(|| {
                            WidgetInfo::labeled(Role::Button, true, format!("{verb} {name}"))
                        });
                        if toggle.clicked() {
                            action = Some(Action::ToggleTree(side, row.path.clone()));
                        }
                    }
                    ui.add(Label::new("📁").selectable(false));
                    let selected = row.path == current;
                    let text = if selected {
                        RichText::new(&name).strong()
                    } else {
                        RichText::new(&name)
                    };
                    let label = ui.add(
                        Button::selectable(selected, text)
                            .truncate()
                            .sense(Sense::click_and_drag()),
                    );
                    // A tree folder can be dragged to the other side (not the root).
                    if row.depth > 0 {
                        label.dnd_set_drag_payload(super::DragNames {
                            side,
                            names: Vec::new(),
                            folder: Some(row.path.clone()),
                        });
                    }
                    if label
                        .dnd_hover_payload::<super::DragNames>()
                        .is_some_and(|p| p.side != side)
                    {
                        super::highlight_drop_target(&label);
                    }
                    if let Some(payload) = label.dnd_release_payload::<super::DragNames>() {
                        action = super::drop_action(&payload, side, Some(row.path.clone()));
                    } else if label.clicked() {
                        action = Some(match side {
                            Side::Local => Action::OpenLocal(row.path.clone()),
                            Side::Remote => Action::OpenRemote(row.path.clone()),
                        });
                    }
                    if row.loading {
                        ui.spinner();
                    }
                });
            }
        });
    action
}
