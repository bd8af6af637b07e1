//! `Action`: what a widget asks for; `plan` turns it into engine commands and state changes
//! (a pane starts loading, a pending request is remembered). Pure: the caller sends the
//! commands.

use std::path::{Path, PathBuf};

use super::state::{AppState, Connection, Pending, Side, SortKey};
use super::transfers::QueueAction;
use crate::model::path::RemotePath;
use crate::model::site::Site;
use crate::protocol::{Command, RequestId};

/// Something the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Connect with the quick-connect form.
    Connect,
    /// Close the connection.
    Disconnect,
    /// Show this local folder.
    OpenLocal(String),
    /// Show this remote folder.
    OpenRemote(String),
    /// Open the named entry of a pane (a folder: go in).
    Open(Side, String),
    /// Go to the parent folder.
    Up(Side),
    /// List the pane's folder again.
    Refresh(Side),
    /// Sort a pane by a column (again: reverse).
    Sort(Side, SortKey),
    /// A click on a row: select it alone, add or remove it (`toggle`, Ctrl), or select the
    /// rows from the last click to it (`range`, Shift).
    Select {
        /// The pane.
        side: Side,
        /// The row's name.
        name: String,
        /// Ctrl was held.
        toggle: bool,
        /// Shift was held.
        range: bool,
    },
    /// Expand or collapse a folder in a pane's tree (listing it the first time).
    ToggleTree(Side, String),
    /// Move the selection by rows (arrow keys).
    MoveSelection(Side, isize),
    /// Select the first name starting with the typed text.
    JumpTo(Side, String),
    /// Create a folder in a pane's folder.
    Mkdir(Side, String),
    /// Delete these names from a pane's folder (folders with their contents).
    Delete(Side, Vec<String>),
    /// Rename in a pane's folder.
    Rename(Side, String, String),
    /// Download the remote selection into the local folder (through the queue).
    Download,
    /// Upload the local selection into the remote folder (through the queue).
    Upload,
    /// Queue a pane's selection without starting the queue.
    AddToQueue(Side),
    /// Something for the transfer queue (also what a drop between the panes asks for).
    Queue(QueueAction),
    /// Something for the site manager or the sites menu.
    Sites(super::sites::SiteAction),
    /// Connect with a bookmark's site (its password already looked up), open its remote
    /// folder, show its local folder, and use its transfer connections.
    ConnectSite {
        /// Where and how (with the password, when there is one).
        site: Box<Site>,
        /// The remote folder to open.
        path: RemotePath,
        /// The local folder to show.
        local_folder: Option<String>,
        /// Transfer connections for the queue.
        connections: usize,
        /// The bookmark's id (the bar's Test then applies to it).
        bookmark: String,
    },
    /// Ask for a new folder's name.
    AskNewFolder(Side),
    /// Ask for a new name for a pane's selected entry.
    AskRename(Side),
    /// Ask before deleting a pane's selection.
    AskDelete(Side),
    /// Ask for the permissions of the remote selection (`FileZilla`'s "File permissions…").
    AskChmod,
    /// Set these remote entries' permission bits (and, with a [`crate::protocol::Recurse`],
    /// what is inside the folders among them, as it says).
    Chmod(Vec<String>, u32, Option<crate::protocol::Recurse>),
    /// Close the dialog without doing anything.
    CloseDialog,
    /// Test the quick-connect bar's server with the connection doctor.
    Doctor,
    /// Test a site (from the site manager) with the connection doctor.
    DoctorSite {
        /// The site, with its password.
        site: Box<Site>,
        /// The bookmark "Apply" writes into.
        bookmark: Option<String>,
    },
    /// Close the doctor's window.
    CloseDoctor,
    /// Store the settings the doctor found (mode, and the kind of TLS and port when only the
    /// other kind worked) in the bookmark tested, or the quick connection.
    ApplyDoctor,
    /// Trust the certificate shown (for this session, or `always`: remembered) and connect
    /// again.
    TrustCertificate {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// Its SHA-256 (hex).
        sha256: String,
        /// Remember it in the data directory.
        always: bool,
    },
    /// Put the URL of the remote folder or entry on the clipboard (never with the password).
    CopyUrl(Option<String>),
}

fn join_local(folder: &str, name: &str) -> String {
    Path::new(folder).join(name).display().to_string()
}

fn parent_local(folder: &str) -> String {
    Path::new(folder)
        .parent()
        .map_or_else(|| folder.to_owned(), |p| p.display().to_string())
}

/// Turns `action` into engine commands, updating `state` (loading, pending, selection).
/// `next_id` gives fresh request ids.
pub fn plan(
    state: &mut AppState,
    action: Action,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    if matches!(
        action,
        Action::Mkdir(..) | Action::Rename(..) | Action::Delete(..) | Action::Chmod(..)
    ) {
        state.dialog = None;
    }
    match action {
        Action::Connect => super::connect::connect(state, next_id),
        Action::Disconnect => match state.session() {
            Some(session) => {
                state.connection = Connection::Idle;
                vec![Command::Disconnect { session }]
            }
            None => Vec::new(),
        },
        Action::OpenLocal(path) => {
            let request = next_id();
            let path = PathBuf::from(path);
            state.local.loading = Some((request, path.display().to_string()));
            state
                .pending
                .insert(request, Pending::ListLocal(path.clone()));
            vec![Command::ListLocal { request, path }]
        }
        Action::OpenRemote(path) => {
            let Some(session) = state.session() else {
                return Vec::new();
            };
            let request = next_id();
            let path = RemotePath::new(&path);
            state.remote.loading = Some((request, path.to_string()));
            state
                .pending
                .insert(request, Pending::ListRemote(path.clone()));
            vec![Command::List {
                request,
                session,
                path,
            }]
        }
        Action::Open(..) | Action::Up(_) | Action::Refresh(_) => navigate(state, action, next_id),
        Action::MoveSelection(side, delta) => {
            state.pane_mut(side).move_selection(delta);
            Vec::new()
        }
        Action::JumpTo(side, prefix) => {
            state.pane_mut(side).jump_to(&prefix);
            Vec::new()
        }
        Action::ToggleTree(side, path) => toggle_tree(state, side, &path, next_id),
        Action::Sort(..) | Action::Select { .. } => {
            pane_change(state, action);
            Vec::new()
        }
        Action::Mkdir(..) | Action::Rename(..) | Action::Delete(..) | Action::Chmod(..) => {
            super::file_ops::file_operation(state, action, next_id)
        }
        Action::AskNewFolder(_)
        | Action::AskRename(_)
        | Action::AskDelete(_)
        | Action::AskChmod
        | Action::CloseDialog => {
            state.dialog = super::file_ops::dialog_for(state, &action);
            Vec::new()
        }
        Action::CopyUrl(_) => Vec::new(), // the window does it: the clipboard is the UI's
        Action::Doctor | Action::DoctorSite { .. } | Action::CloseDoctor | Action::ApplyDoctor => {
            super::doctor::plan(state, action, next_id)
        }
        Action::TrustCertificate {
            host,
            port,
            sha256,
            always,
        } => super::connect::trust_certificate(state, (host, port), sha256, always, next_id),
        Action::Download => transfer_selection(state, Side::Remote, true, next_id),
        Action::Upload => transfer_selection(state, Side::Local, true, next_id),
        Action::AddToQueue(side) => transfer_selection(state, side, false, next_id),
        Action::Queue(action) => super::transfers::plan(state, action, next_id),
        Action::Sites(action) => super::sites::plan(state, action)
            .into_iter()
            .flat_map(|next| plan(state, next, next_id))
            .collect(),
        Action::ConnectSite { .. } => super::connect::connect_bookmark_site(state, action, next_id),
    }
}

/// Open a folder entry, go up, or list again: each becomes a listing of some folder.
fn navigate(
    state: &mut AppState,
    action: Action,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    let target = match action {
        Action::Open(side, name) => {
            let pane = state.pane(side);
            if !pane.entry(&name).is_some_and(super::state::opens_as_folder) {
                // A file: double-click or Enter sends it across, as in FileZilla.
                let enqueue = QueueAction::Enqueue {
                    from: side,
                    names: vec![name],
                    into: None,
                    start: true,
                };
                return super::transfers::plan(state, enqueue, next_id);
            }
            match side {
                Side::Local => Action::OpenLocal(join_local(&pane.path, &name)),
                Side::Remote => {
                    Action::OpenRemote(RemotePath::new(&pane.path).join(&name).to_string())
                }
            }
        }
        Action::Up(side) => {
            let path = &state.pane(side).path;
            match side {
                Side::Local => Action::OpenLocal(parent_local(path)),
                Side::Remote => Action::OpenRemote(RemotePath::new(path).parent().to_string()),
            }
        }
        Action::Refresh(side) => {
            let path = state.pane(side).path.clone();
            match side {
                Side::Local => Action::OpenLocal(path),
                Side::Remote => Action::OpenRemote(path),
            }
        }
        _ => return Vec::new(),
    };
    plan(state, target, next_id)
}

/// Expands or collapses a tree folder; the first expand lists it (the answer fills the tree
/// only, the table stays where it is).
fn toggle_tree(
    state: &mut AppState,
    side: Side,
    path: &str,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    if !state.pane_mut(side).tree.toggle(path) {
        return Vec::new();
    }
    let session = state.session();
    if side == Side::Remote && session.is_none() {
        state.pane_mut(side).tree.failed(path);
        return Vec::new();
    }
    let request = next_id();
    state
        .pending
        .insert(request, Pending::Tree(side, path.to_owned()));
    match session.filter(|_| side == Side::Remote) {
        Some(session) => vec![Command::List {
            request,
            session,
            path: RemotePath::new(path),
        }],
        None => vec![Command::ListLocal {
            request,
            path: PathBuf::from(path),
        }],
    }
}

/// Sorting and selecting: state only, no command.
fn pane_change(state: &mut AppState, action: Action) {
    match action {
        Action::Sort(side, key) => {
            let pane = state.pane_mut(side);
            if pane.sort == key {
                pane.ascending = !pane.ascending;
            } else {
                pane.sort = key;
                pane.ascending = true;
            }
            pane.sort_entries();
        }
        Action::Select {
            side,
            name,
            toggle,
            range,
        } => state.pane_mut(side).click(&name, toggle, range),
        _ => {}
    }
}

/// Queues a pane's selection for the other side (`start`: and starts the queue).
fn transfer_selection(
    state: &mut AppState,
    from: Side,
    start: bool,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    let names = state
        .pane(from)
        .selected_entries()
        .map(|e| e.name.clone())
        .collect();
    let enqueue = QueueAction::Enqueue {
        from,
        names,
        into: None,
        start,
    };
    super::transfers::plan(state, enqueue, next_id)
}
