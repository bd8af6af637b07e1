//! The widgets: each draws from state and returns the [`Action`](crate::app::actions::Action)
//! the user asked for; none touches the engine, the network or the disk.

pub mod connect_bar;
pub mod dialogs;
pub mod log_panel;
pub mod pane;
pub mod status_bar;
