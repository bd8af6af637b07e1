//! `apply`: how an engine event changes the window's state. Pure (no I/O, no engine), so every
//! rule is a plain unit test. Returns follow-up actions (list the home folder after login,
//! refresh a pane after a change).

use super::actions::Action;
use super::state::{AppState, Connection, Dialog, Pending, Side};
use crate::model::entry::Entry;
use crate::protocol::{ErrorKind, ErrorReport, Event, LogKind, RequestId, SessionId};

/// Applies `event` to `state`; returns what should happen next.
pub fn apply(state: &mut AppState, event: Event) -> Vec<Action> {
    if let Some(next) = super::transfers::apply(state, &event) {
        return next;
    }
    match event {
        Event::Log { kind, text, .. } => state.push_log(kind, text),
        Event::Connected {
            request,
            session,
            home,
            ..
        } => return connected(state, request, session, home.to_string()),
        Event::Listing {
            request,
            path,
            entries,
        } => listing(state, Side::Remote, request, path.to_string(), entries),
        Event::LocalListing {
            request,
            path,
            entries,
        } => listing(
            state,
            Side::Local,
            request,
            path.display().to_string(),
            entries,
        ),
        Event::Stat { request, entry } => target_facts(state, request, entry.as_ref()),
        Event::DoctorStep { request, step } => {
            if let Some(d) = state.doctor.as_mut().filter(|d| d.request == request) {
                d.steps.push(step);
            }
        }
        Event::DoctorDone { request, report } => {
            if let Some(d) = state.doctor.as_mut().filter(|d| d.request == request) {
                d.report = Some(*report);
            }
        }
        Event::Certificate { request, info } => {
            // Only for the connect the window waits for.
            if matches!(&state.connection, Connection::Connecting { request: r, .. } if *r == request)
            {
                state.dialog = Some(Dialog::Certificate(info));
            }
        }
        Event::Done { request } => return done(state, request),
        Event::Failed { request, error } => failed(state, request, &error),
        Event::Scanned { .. }
        | Event::TransferStarted { .. }
        | Event::TransferProgress { .. }
        | Event::TransferFinished { .. } => {}
        Event::Disconnected { .. } => {
            state.connection = Connection::Idle;
            state.remote.entries.clear();
            state.remote.loading = None;
            "Disconnected".clone_into(&mut state.status);
        }
    }
    Vec::new()
}

fn connected(
    state: &mut AppState,
    request: RequestId,
    session: SessionId,
    home: String,
) -> Vec<Action> {
    state.pending.remove(&request);
    let target = match &state.connection {
        Connection::Connecting { request: r, target } if *r == request => target.clone(),
        // An answer to a connect the user has since abandoned.
        _ => return Vec::new(),
    };
    state.status = format!("Connected to {target}");
    state.connection = Connection::Connected { session, target };
    // A reconnect returns to the folder the user was in; a new connection starts at home.
    let folder = if state.remote.path == "/" {
        home
    } else {
        state.remote.path.clone()
    };
    vec![Action::OpenRemote(folder)]
}

/// A listing arrived: shown only if it answers the request the pane waits for.
fn listing(
    state: &mut AppState,
    side: Side,
    request: RequestId,
    path: String,
    entries: Vec<Entry>,
) {
    state.pending.remove(&request);
    if side == Side::Remote {
        state.connection_lost = false;
    }
    let pane = state.pane_mut(side);
    let folders = entries
        .iter()
        .filter(|e| e.is_dir())
        .map(|e| e.name.clone());
    pane.tree.listed(&path, folders);
    if pane.loading.as_ref().is_some_and(|(r, _)| *r == request) {
        pane.tree.reveal(&path);
        pane.loading = None;
        pane.error = None;
        pane.path_edit.clone_from(&path);
        pane.path = path;
        pane.entries = entries;
        pane.selected.clear();
        pane.sort_entries();
    }
}

fn done(state: &mut AppState, request: RequestId) -> Vec<Action> {
    match state.pending.remove(&request) {
        Some(Pending::Change(side, what)) => {
            state.status = what;
            vec![Action::Refresh(side)]
        }
        _ => Vec::new(),
    }
}

fn failed(state: &mut AppState, request: RequestId, error: &ErrorReport) {
    let pending = state.pending.remove(&request);
    let message = &error.message;
    state.push_log(LogKind::Error, message.clone());
    match pending {
        Some(Pending::Connect) => {
            if matches!(&state.connection, Connection::Connecting { request: r, .. } if *r == request)
            {
                state.connection = Connection::Failed(message.clone());
                state.remote.error = Some(message.clone());
                "Not connected".clone_into(&mut state.status);
            }
        }
        Some(pending @ (Pending::ListRemote(_) | Pending::ListLocal(_))) => {
            let side = if matches!(pending, Pending::ListRemote(_)) {
                Side::Remote
            } else {
                Side::Local
            };
            let pane = state.pane_mut(side);
            if pane.loading.as_ref().is_some_and(|(r, _)| *r == request) {
                pane.loading = None;
                pane.error = Some(message.clone());
            }
            if side == Side::Remote && lost_connection(error.kind) {
                state.connection_lost = true;
            }
        }
        Some(Pending::Tree(side, path)) => state.pane_mut(side).tree.failed(&path),
        Some(Pending::Change(..)) => state.status.clone_from(message),
        Some(Pending::TargetFacts(_)) => {
            if let Some(Dialog::Overwrite { target, .. }) = &mut state.dialog {
                *target = Some((None, None));
            }
        }
        None => {}
    }
}

/// The existing target's facts arrived: the overwrite prompt shows them.
fn target_facts(state: &mut AppState, request: RequestId, entry: Option<&Entry>) {
    if let Some(Pending::TargetFacts(item)) = state.pending.remove(&request)
        && let Some(Dialog::Overwrite {
            item: asking,
            target,
            ..
        }) = &mut state.dialog
        && *asking == item
    {
        *target = Some(entry.map_or((None, None), |e| (e.size, e.modified)));
    }
}

/// Errors after which the remote pane offers to reconnect.
fn lost_connection(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Disconnected | ErrorKind::Timeout | ErrorKind::Connect
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::entry::{Entry, EntryKind};
    use crate::model::path::RemotePath;
    use crate::protocol::{ErrorReport, RequestId, SessionId};

    fn remote_names(state: &AppState) -> Vec<&str> {
        state
            .remote
            .entries
            .iter()
            .map(|e| e.name.as_str())
            .collect()
    }

    fn connected_state() -> AppState {
        let mut state = AppState::new("/tmp");
        state.connection = Connection::Connected {
            session: SessionId(1),
            target: "h:21".into(),
        };
        state
    }

    #[test]
    fn login_lists_the_home_folder() {
        let mut state = AppState::new("/tmp");
        state.connection = Connection::Connecting {
            request: RequestId(7),
            target: "h:21".into(),
        };
        state.pending.insert(RequestId(7), Pending::Connect);
        let next = apply(
            &mut state,
            Event::Connected {
                request: RequestId(7),
                session: SessionId(3),
                home: RemotePath::new("/home/ann"),
                greeting: String::new(),
            },
        );
        assert_eq!(next, [Action::OpenRemote("/home/ann".into())]);
        assert_eq!(state.session(), Some(SessionId(3)));
    }

    #[test]
    fn a_lost_connection_offers_reconnect_and_a_listing_clears_it() {
        let mut state = connected_state();
        state.remote.loading = Some((RequestId(5), "/www".into()));
        state
            .pending
            .insert(RequestId(5), Pending::ListRemote(RemotePath::new("/www")));
        let error = ErrorReport {
            kind: crate::protocol::ErrorKind::Disconnected,
            message: "the connection was lost".into(),
            code: None,
        };
        apply(
            &mut state,
            Event::Failed {
                request: RequestId(5),
                error,
            },
        );
        assert!(state.connection_lost);
        assert!(
            state.session().is_some(),
            "the session stays: the engine reconnects on the next request"
        );
        assert_eq!(
            state.remote.error.as_deref(),
            Some("the connection was lost")
        );
        state.remote.loading = Some((RequestId(6), "/www".into()));
        apply(
            &mut state,
            Event::Listing {
                request: RequestId(6),
                path: RemotePath::new("/www"),
                entries: Vec::new(),
            },
        );
        assert!(!state.connection_lost);
        assert!(state.remote.error.is_none());
    }

    #[test]
    fn a_reconnect_returns_to_the_same_folder() {
        let mut state = AppState::new("/tmp");
        state.remote.path = "/www/img".into();
        state.connection = Connection::Connecting {
            request: RequestId(8),
            target: "h:21".into(),
        };
        let next = apply(
            &mut state,
            Event::Connected {
                request: RequestId(8),
                session: SessionId(2),
                home: RemotePath::new("/"),
                greeting: String::new(),
            },
        );
        assert_eq!(next, [Action::OpenRemote("/www/img".into())]);
    }

    #[test]
    fn an_answer_for_a_folder_the_user_left_is_dropped() {
        let mut state = connected_state();
        state.remote.loading = Some((RequestId(2), "/new".into()));
        let old = Event::Listing {
            request: RequestId(1),
            path: RemotePath::new("/old"),
            entries: vec![Entry::new("stale", EntryKind::File)],
        };
        apply(&mut state, old);
        assert!(state.remote.entries.is_empty());
        assert!(state.remote.loading.is_some());
        let new = Event::Listing {
            request: RequestId(2),
            path: RemotePath::new("/new"),
            entries: vec![
                Entry::new("b", EntryKind::File),
                Entry::new("a", EntryKind::Dir),
            ],
        };
        apply(&mut state, new);
        assert_eq!(state.remote.path, "/new");
        assert!(state.remote.loading.is_none());
        let names = remote_names(&state);
        assert_eq!(names, ["a", "b"], "folders first");
    }

    #[test]
    fn a_refused_login_shows_in_the_log_and_the_pane() {
        let mut state = AppState::new("/tmp");
        state.connection = Connection::Connecting {
            request: RequestId(4),
            target: "h:21".into(),
        };
        state.pending.insert(RequestId(4), Pending::Connect);
        let error = ErrorReport {
            kind: crate::protocol::ErrorKind::Auth,
            message: "login refused".into(),
            code: Some(530),
        };
        apply(
            &mut state,
            Event::Failed {
                request: RequestId(4),
                error,
            },
        );
        assert_eq!(state.connection, Connection::Failed("login refused".into()));
        assert_eq!(state.remote.error.as_deref(), Some("login refused"));
        assert!(
            state
                .log
                .iter()
                .any(|l| l.kind == LogKind::Error && l.text == "login refused")
        );
    }

    #[test]
    fn a_remote_change_refreshes_the_remote_pane() {
        let mut state = connected_state();
        state.pending.insert(
            RequestId(9),
            Pending::Change(Side::Remote, "Created x".into()),
        );
        assert_eq!(
            apply(
                &mut state,
                Event::Done {
                    request: RequestId(9)
                }
            ),
            [Action::Refresh(Side::Remote)]
        );
        assert_eq!(state.status, "Created x");
    }

    #[test]
    fn sorting_keeps_folders_first_and_reverses() {
        let mut state = connected_state();
        let mut big = Entry::new("big", EntryKind::File);
        big.size = Some(10);
        let mut small = Entry::new("small", EntryKind::File);
        small.size = Some(1);
        state.remote.entries = vec![big, Entry::new("dir", EntryKind::Dir), small];
        let mut ids = 0;
        let mut next = || {
            ids += 1;
            RequestId(ids)
        };
        crate::app::actions::plan(
            &mut state,
            Action::Sort(Side::Remote, super::super::state::SortKey::Size),
            &mut next,
        );
        let names = remote_names(&state);
        assert_eq!(names, ["dir", "small", "big"]);
        crate::app::actions::plan(
            &mut state,
            Action::Sort(Side::Remote, super::super::state::SortKey::Size),
            &mut next,
        );
        let names = remote_names(&state);
        assert_eq!(names, ["dir", "big", "small"]);
    }
}
