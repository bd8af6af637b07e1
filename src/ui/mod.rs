//! The widgets: each draws from state and returns the [`Action`](crate::app::actions::Action)
//! the user asked for; none touches the engine, the network or the disk.

pub mod connect_bar;
pub mod dialogs;
pub mod doctor;
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

/// Outlines a drop target (a widget's `response`) while something droppable hovers it.
pub fn highlight_drop_target(response: &egui::Response) {
    let color = response.ctx.global_style().visuals.selection.stroke.color;
    response.ctx.layer_painter(response.layer_id).rect_stroke(
        response.rect,
        3.0,
        egui::Stroke::new(2.0, color),
        egui::StrokeKind::Inside,
    );
}

/// The answers to "the target exists", as the prompt and the settings name them.
pub const EXISTING_CHOICES: [(&str, crate::protocol::ExistingTarget); 6] = [
    ("Overwrite", crate::protocol::ExistingTarget::Overwrite),
    (
        "Overwrite if source is newer",
        crate::protocol::ExistingTarget::OverwriteIfNewer,
    ),
    (
        "Overwrite if size differs",
        crate::protocol::ExistingTarget::OverwriteIfSizeDiffers,
    ),
    ("Resume", crate::protocol::ExistingTarget::Resume),
    ("Rename", crate::protocol::ExistingTarget::Rename),
    ("Skip", crate::protocol::ExistingTarget::Skip),
];

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
