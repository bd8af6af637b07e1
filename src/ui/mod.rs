//! The widgets: each draws from state and returns the [`Action`](crate::app::actions::Action)
//! the user asked for; none touches the engine, the network or the disk.

pub mod connect_bar;
pub mod dialogs;
pub mod log_panel;
pub mod pane;
pub mod status_bar;
pub mod tree;

/// The color of errors, in the log and in the panes.
pub const ERROR_COLOR: egui::Color32 = egui::Color32::from_rgb(220, 50, 50);
