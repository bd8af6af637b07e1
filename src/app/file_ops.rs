//! File operations in a pane (new folder, rename, delete, permissions): the dialogs that ask
//! for them, the names checked, then one command per entry, on the browsing connection or the
//! engine's local side.

use std::path::Path;

use super::actions::Action;
use super::state::{AppState, Pending, Side};
use crate::model::path::RemotePath;
use crate::protocol::{Command, LocalChange, RequestId};

/// New folder, rename, delete in either pane: checked names, then one command per name (on
/// the browsing connection, or the engine's local side).
pub(super) fn file_operation(
    state: &mut AppState,
    action: Action,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    let (side, changes) = match action {
        Action::Mkdir(side, name) => (side, vec![(format!("Created {name}"), Change::Mkdir(name))]),
        Action::Rename(side, from, to) => (
            side,
            vec![(format!("Renamed {from} to {to}"), Change::Rename(from, to))],
        ),
        Action::Delete(side, names) => (
            side,
            names
                .into_iter()
                .map(|name| (format!("Deleted {name}"), Change::Delete(name)))
                .collect(),
        ),
        Action::Chmod(names, mode, recurse) => (
            Side::Remote,
            names
                .into_iter()
                .map(|name| {
                    let what = format!(
                        "Set the permissions of {name} to {}",
                        crate::model::permissions::octal(mode)
                    );
                    (what, Change::Chmod(name, mode, recurse))
                })
                .collect(),
        ),
        _ => return Vec::new(),
    };
    let mut commands = Vec::new();
    for (what, change) in changes {
        if let Some(bad) = change.unsafe_name() {
            state.status = format!("'{bad}' cannot be a file or folder name");
            return Vec::new();
        }
        let folder = state.pane(side).path.clone();
        let session = state.session();
        if side == Side::Remote && session.is_none() {
            return Vec::new();
        }
        let request = next_id();
        let command = match session.filter(|_| side == Side::Remote) {
            Some(session) => change.remote_command(request, session, &RemotePath::new(&folder)),
            None => match change.local(Path::new(&folder)) {
                Some(change) => Command::ChangeLocal { request, change },
                None => continue,
            },
        };
        state.pending.insert(request, Pending::Change(side, what));
        commands.push(command);
    }
    commands
}

/// One file operation, by names inside a pane's folder.
enum Change {
    Mkdir(String),
    Rename(String, String),
    Delete(String),
    /// Remote only: the local pane has no permissions dialog.
    Chmod(String, u32, Option<crate::protocol::Recurse>),
}

impl Change {
    /// A name that must not reach the file system (`..`, `a/b`, control characters).
    fn unsafe_name(&self) -> Option<&str> {
        let names: &[&String] = match self {
            Self::Mkdir(name) | Self::Delete(name) | Self::Chmod(name, ..) => &[name],
            Self::Rename(from, to) => &[from, to],
        };
        names
            .iter()
            .find(|n| !crate::model::path::is_safe_name(n))
            .map(|n| n.as_str())
    }

    fn remote_command(
        self,
        request: RequestId,
        session: crate::protocol::SessionId,
        folder: &RemotePath,
    ) -> Command {
        match self {
            Self::Mkdir(name) => Command::Mkdir {
                request,
                session,
                path: folder.join(&name),
            },
            Self::Rename(from, to) => Command::Rename {
                request,
                session,
                from: folder.join(&from),
                to: folder.join(&to),
            },
            Self::Delete(name) => Command::Remove {
                request,
                session,
                path: folder.join(&name),
                recursive: true,
            },
            Self::Chmod(name, mode, recurse) => Command::Chmod {
                request,
                session,
                path: folder.join(&name),
                mode,
                recurse,
            },
        }
    }

    /// The change in a local folder (`None`: it has no local form).
    fn local(self, folder: &Path) -> Option<LocalChange> {
        Some(match self {
            Self::Mkdir(name) => LocalChange::Mkdir(folder.join(name)),
            Self::Rename(from, to) => LocalChange::Rename {
                from: folder.join(from),
                to: folder.join(to),
            },
            Self::Delete(name) => LocalChange::Remove(folder.join(name)),
            Self::Chmod(..) => return None,
        })
    }
}

/// The dialog an `Ask…` action opens (`None` closes it, or when there is nothing to act on).
pub(super) fn dialog_for(state: &AppState, action: &Action) -> Option<super::state::Dialog> {
    use super::state::Dialog;
    let side = match action {
        Action::AskNewFolder(side) | Action::AskRename(side) | Action::AskDelete(side) => *side,
        Action::AskChmod => Side::Remote,
        _ => return None,
    };
    if side == Side::Remote {
        state.session()?;
    }
    let selected: Vec<&crate::model::entry::Entry> = state.pane(side).selected_entries().collect();
    match action {
        Action::AskNewFolder(_) => Some(Dialog::NewFolder {
            side,
            name: String::new(),
        }),
        Action::AskRename(_) => selected.first().map(|e| Dialog::Rename {
            side,
            from: e.name.clone(),
            to: e.name.clone(),
        }),
        Action::AskDelete(_) if !selected.is_empty() => Some(Dialog::ConfirmDelete {
            side,
            names: selected.iter().map(|e| e.name.clone()).collect(),
            folders: selected.iter().filter(|e| e.is_dir()).count(),
        }),
        Action::AskChmod => selected.first().map(|first| {
            // What the listing shows for the first one; else the usual default.
            let default = if first.is_dir() { 0o755 } else { 0o644 };
            let mode = first
                .permissions
                .as_deref()
                .and_then(crate::model::permissions::mode_from_text)
                .unwrap_or(default);
            Dialog::Permissions {
                names: selected.iter().map(|e| e.name.clone()).collect(),
                mode,
                text: crate::model::permissions::octal(mode),
                has_folders: selected.iter().any(|e| e.is_dir()),
                recurse: false,
                apply_to: super::state::ApplyTo::All,
            }
        }),
        _ => None,
    }
}
