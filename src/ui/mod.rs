//! The widgets: each draws from state and returns the [`Action`](crate::app::actions::Action)
//! the user asked for; none touches the engine, the network or the disk.

pub mod connect_bar;
pub mod dialogs;
pub mod log_panel;
pub mod pane;
pub mod queue_panel;
pub mod site_manager;
pub mod status_bar;
pub mod tree;

/// The color of errors, in the log and in the panes.
pub const ERROR_COLOR: egui::Color32 = egui::Color32::from_rgb(220, 50, 50);

/// What is dragged from a pane: names in the folder its table shows, or a folder of its tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DragNames {
    /// The pane they come from.
    pub side: crate::app::state::Side,
    /// The entries (of the table's folder).
    pub names: Vec<String>,
    /// Instead of names: a folder's full path (dragged from the tree).
    pub folder: Option<String>,
}

/// Outlines a drop target while something droppable hovers it.
pub fn highlight_drop_target(ui: &egui::Ui, rect: egui::Rect) {
    let stroke = egui::Stroke::new(2.0, ui.visuals().selection.stroke.color);
    ui.painter()
        .rect_stroke(rect, 3.0, stroke, egui::StrokeKind::Inside);
}

/// The drop of `payload` onto `into` (a folder on the other side; `None`: the pane's folder),
/// or nothing when it comes from the same pane.
#[must_use]
pub fn drop_action(
    payload: &DragNames,
    onto: crate::app::state::Side,
    into: Option<String>,
) -> Option<crate::app::actions::Action> {
    use crate::app::transfers::QueueAction;
    (payload.side != onto).then(|| {
        crate::app::actions::Action::Queue(match &payload.folder {
            Some(path) => QueueAction::EnqueueFolder {
                from: payload.side,
                path: path.clone(),
                into,
            },
            None => QueueAction::Enqueue {
                from: payload.side,
                names: payload.names.clone(),
                into,
                start: true,
            },
        })
    })
}
