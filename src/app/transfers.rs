//! The queue's side of the window: what the user asks of the queue (enqueue a selection or a
//! drop, pause, cancel, retry, reorder, answer an overwrite prompt) and how transfer events
//! move its items. Pure, like `actions` and `reduce`, which hand these over.

use std::path::{Path, PathBuf};

use super::actions::Action;
use super::queue::{ItemId, ItemState, QueueTab, Scan};
use super::state::{AppState, Dialog, Pending, Side};
use super::transfer_settings::TransferSettings;
use crate::model::path::RemotePath;
use crate::model::transfer::{Direction, TransferState};
use crate::protocol::{
    Command, ErrorKind, ErrorReport, Event, ExistingTarget, RequestId, ScannedFile, TransferRequest,
};

/// Something the user asked of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueAction {
    /// Move these names of the `from` pane into the other side's folder `into` (`None`: the
    /// folder the other pane shows). Folders are scanned into files.
    Enqueue {
        /// The pane the names are in.
        from: Side,
        /// The entries.
        names: Vec<String>,
        /// The target folder on the other side.
        into: Option<String>,
        /// Start the queue (false: only add).
        start: bool,
    },
    /// Move a whole folder of the `from` side (dragged from its tree) into `into` on the other
    /// side (`None`: the folder the other pane shows).
    EnqueueFolder {
        /// The side it is on.
        from: Side,
        /// Its full path.
        path: String,
        /// The target folder on the other side.
        into: Option<String>,
    },
    /// Upload local paths dropped from another program into the remote pane's folder.
    UploadPaths(Vec<PathBuf>),
    /// Start or pause the queue (running items finish).
    ToggleRunning,
    /// Stop an item (within a second when it runs); it goes to Failed, to be retried.
    Cancel(ItemId),
    /// Move an item to the top (`true`) or the bottom.
    Move(ItemId, bool),
    /// Put every failed item back in the queue.
    RetryFailed,
    /// Drop the items that arrived.
    ClearSuccessful,
    /// Show a tab.
    ShowTab(QueueTab),
    /// The answer to an overwrite prompt, for this item or (`all`) every later one too.
    Answer {
        /// The item that asked.
        item: ItemId,
        /// What to do with its target.
        choice: ExistingTarget,
        /// Apply to all.
        all: bool,
    },
    /// New transfer settings.
    Settings(TransferSettings),
}

/// The site key items are filed under: the connection's URL without a password.
fn site_key(state: &AppState) -> Option<String> {
    state.site_key.clone().filter(|_| state.session().is_some())
}

/// Turns a queue action into commands (scans, cancels, speed limits) and state changes.
pub fn plan(
    state: &mut AppState,
    action: QueueAction,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    match action {
        QueueAction::Enqueue {
            from,
            names,
            into,
            start,
        } => return enqueue(state, from, &names, into, start, next_id),
        QueueAction::EnqueueFolder { from, path, into } => {
            state.queue.running = true;
            let (direction, to) = match from {
                Side::Remote => (Direction::Download, Side::Local),
                Side::Local => (Direction::Upload, Side::Remote),
            };
            let into = into.unwrap_or_else(|| state.pane(to).path.clone());
            let (local, remote) = match direction {
                Direction::Download => (PathBuf::from(into), RemotePath::new(&path)),
                Direction::Upload => (PathBuf::from(path), RemotePath::new(&into)),
            };
            return scan(state, direction, local, remote, next_id)
                .into_iter()
                .collect();
        }
        QueueAction::UploadPaths(paths) => {
            let into = state.remote.path.clone();
            return paths
                .into_iter()
                .filter_map(|p| scan(state, Direction::Upload, p, RemotePath::new(&into), next_id))
                .collect();
        }
        QueueAction::ToggleRunning => state.queue.running = !state.queue.running,
        QueueAction::Cancel(id) => {
            let running = state.queue.item(id).and_then(|i| i.state.request());
            state
                .queue
                .set_state(id, ItemState::Failed("cancelled".to_owned()));
            if let Some(item) = state.queue.item_mut(id) {
                item.resume = true;
            }
            return running
                .map(|request| Command::Cancel { request })
                .into_iter()
                .collect();
        }
        QueueAction::Move(id, to_top) => state.queue.move_item(id, to_top),
        QueueAction::RetryFailed => state.queue.retry_failed(),
        QueueAction::ClearSuccessful => state.queue.clear_successful(),
        QueueAction::ShowTab(tab) => state.queue.tab = tab,
        QueueAction::Answer { item, choice, all } => {
            answer(state, item, choice, all);
            return ask_next(state, next_id);
        }
        QueueAction::Settings(settings) => {
            state
                .store_jobs
                .push(super::store_jobs::StoreJob::SaveSettings(Box::new(
                    settings.to_file(),
                )));
            let limits = (settings.download_limit_kib, settings.upload_limit_kib);
            let changed = limits
                != (
                    state.queue.settings.download_limit_kib,
                    state.queue.settings.upload_limit_kib,
                );
            state.queue.settings = settings;
            if changed {
                return vec![Command::SetSpeedLimits {
                    download: limits.0.saturating_mul(1024),
                    upload: limits.1.saturating_mul(1024),
                }];
            }
        }
    }
    Vec::new()
}

/// Files become items at once (the listing gave their size and time); folders are scanned.
fn enqueue(
    state: &mut AppState,
    from: Side,
    names: &[String],
    into: Option<String>,
    start: bool,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    let Some(site) = site_key(state) else {
        "Connect to a server first".clone_into(&mut state.status);
        return Vec::new();
    };
    let (direction, to) = match from {
        Side::Remote => (Direction::Download, Side::Local),
        Side::Local => (Direction::Upload, Side::Remote),
    };
    let into = into.unwrap_or_else(|| state.pane(to).path.clone());
    let folder = state.pane(from).path.clone();
    if start {
        state.queue.running = true;
    } else if state.queue.in_engine() == 0 {
        state.queue.running = false;
    }
    let mut commands = Vec::new();
    for name in names {
        let Some(entry) = state.pane(from).entry(name).cloned() else {
            continue;
        };
        let (local, remote) = match direction {
            Direction::Download => (
                Path::new(&into).join(name),
                RemotePath::new(&folder).join(name),
            ),
            Direction::Upload => (
                Path::new(&folder).join(name),
                RemotePath::new(&into).join(name),
            ),
        };
        if entry.is_dir() {
            let (source_local, target_remote) = match direction {
                Direction::Download => (PathBuf::from(&into), remote),
                Direction::Upload => (local, RemotePath::new(&into)),
            };
            commands.extend(scan(state, direction, source_local, target_remote, next_id));
            continue;
        }
        let file = ScannedFile {
            local,
            remote,
            size: entry.size,
            modified: entry.modified,
        };
        state.queue.push(direction, file, &site);
    }
    commands
}

/// Scans a folder (or a dropped path) into items: `local` and `remote` as the command line's
/// transfer takes them (the source, and the target folder it goes into).
fn scan(
    state: &mut AppState,
    direction: Direction,
    local: PathBuf,
    remote: RemotePath,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Option<Command> {
    let session = state.session()?;
    let site = site_key(state)?;
    let request = next_id();
    let into = match direction {
        Direction::Download => local.display().to_string(),
        Direction::Upload => remote.to_string(),
    };
    state.queue.scans.insert(
        request,
        Scan {
            direction,
            site,
            into,
        },
    );
    let job = TransferRequest {
        direction,
        local,
        remote,
        recursive: true,
        existing: state.queue.settings.existing,
        connections: 1,
        segments: 1,
        keep_times: state.queue.settings.keep_times,
    };
    Some(Command::Scan {
        request,
        session,
        job,
    })
}

/// Applies the user's answer; with `all`, to every item waiting for one and every later one.
fn answer(state: &mut AppState, item: ItemId, choice: ExistingTarget, all: bool) {
    state.dialog = None;
    let queue = &mut state.queue;
    if all {
        queue.answer_for_all = Some(choice);
    }
    let ids: Vec<ItemId> = queue
        .items
        .iter()
        .filter(|i| i.id == item || (all && i.state == ItemState::Asking))
        .map(|i| i.id)
        .collect();
    for id in ids {
        if let Some(it) = queue.item_mut(id) {
            it.existing = choice;
        }
        let next = if choice == ExistingTarget::Skip {
            ItemState::Skipped
        } else {
            ItemState::Queued
        };
        queue.set_state(id, next);
    }
}

/// Opens the overwrite prompt for the next item that waits for an answer (one at a time), and
/// asks for its target's facts to show beside the source's.
pub fn ask_next(state: &mut AppState, next_id: &mut dyn FnMut() -> RequestId) -> Vec<Command> {
    if state.dialog.is_some() || state.queue.asking() == 0 {
        return Vec::new();
    }
    let Some(item) = state
        .queue
        .items
        .iter()
        .find(|i| i.state == ItemState::Asking)
        .cloned()
    else {
        return Vec::new();
    };
    state.dialog = Some(Dialog::Overwrite {
        item: item.id,
        name: item.name(),
        direction: item.direction,
        source: (item.size, item.modified),
        target: None,
        all: false,
    });
    let request = next_id();
    state.pending.insert(request, Pending::TargetFacts(item.id));
    match (item.direction, state.session()) {
        (Direction::Download, _) => vec![Command::StatLocal {
            request,
            path: item.local,
        }],
        (Direction::Upload, Some(session)) => vec![Command::Stat {
            request,
            session,
            path: item.remote,
        }],
        (Direction::Upload, None) => Vec::new(),
    }
}

/// Applies a transfer event to the queue; `None` when the event is not the queue's.
pub fn apply(state: &mut AppState, event: &Event) -> Option<Vec<Action>> {
    let queue = &mut state.queue;
    match event {
        Event::Scanned { request, files } => {
            let scan = queue.scans.get(request)?.clone();
            for file in files {
                queue.push(scan.direction, file.clone(), &scan.site);
            }
            Some(Vec::new())
        }
        Event::TransferStarted { request, id, .. } => {
            let item = queue.by_request(*request)?;
            queue.transfers.insert(*id, item);
            queue.set_state(item, ItemState::Running(*request));
            Some(Vec::new())
        }
        Event::TransferProgress { id, progress } => {
            let item = *queue.transfers.get(id)?;
            if let Some(it) = queue.item_mut(item) {
                it.progress = Some(*progress);
            }
            Some(Vec::new())
        }
        Event::TransferFinished { id, state: end } => {
            // Decided here, not at the request's `Done`: by then the engine may already have
            // started the next file on this connection.
            let item = queue.transfers.remove(id)?;
            let next = match end {
                TransferState::Done => ItemState::Done,
                TransferState::Skipped => ItemState::Skipped,
                _ => return Some(Vec::new()), // a failure: its `Failed` event follows
            };
            queue.set_state(item, next);
            Some(arrived(state, item))
        }
        Event::Done { request } => {
            if let Some(scan) = queue.scans.remove(request) {
                let side = match scan.direction {
                    Direction::Download => Side::Local,
                    Direction::Upload => Side::Remote,
                };
                let shown = state.pane(side).path == scan.into;
                return Some(shown.then_some(Action::Refresh(side)).into_iter().collect());
            }
            let item = queue.by_request(*request)?;
            queue.set_state(item, ItemState::Done);
            Some(arrived(state, item))
        }
        Event::Failed { request, error } => {
            if queue.scans.remove(request).is_some() {
                state.status = format!("Scan failed: {}", error.message);
                return Some(Vec::new());
            }
            let item = queue.by_request(*request)?;
            failed(state, item, error);
            Some(Vec::new())
        }
        _ => None,
    }
}

fn failed(state: &mut AppState, item: ItemId, error: &ErrorReport) {
    let queue = &mut state.queue;
    if error.kind != ErrorKind::Exists {
        queue.set_state(item, ItemState::Failed(error.message.clone()));
        if let Some(it) = queue.item_mut(item) {
            it.resume = true;
        }
        return;
    }
    match queue.answer_for_all {
        Some(ExistingTarget::Skip) => queue.set_state(item, ItemState::Skipped),
        Some(choice) if choice != ExistingTarget::Refuse => {
            if let Some(it) = queue.item_mut(item) {
                it.existing = choice;
            }
            queue.set_state(item, ItemState::Queued);
        }
        _ => queue.set_state(item, ItemState::Asking),
    }
}

/// An item arrived or was skipped: the pane showing its folder refreshes once nothing more
/// goes there.
fn arrived(state: &mut AppState, item: ItemId) -> Vec<Action> {
    let Some(it) = state.queue.item(item) else {
        return Vec::new();
    };
    let (direction, folder) = (it.direction, it.target_folder());
    let side = match direction {
        Direction::Download => Side::Local,
        Direction::Upload => Side::Remote,
    };
    // The cheap test first: most items go into folders no pane shows.
    if state.pane(side).path != folder || state.queue.more_into(direction, &folder) {
        return Vec::new();
    }
    vec![Action::Refresh(side)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ErrorReport;

    fn asking_state(n: usize) -> (AppState, Vec<ItemId>) {
        let mut state = AppState::new("/tmp");
        let ids = (0..n)
            .map(|i| {
                let file = ScannedFile {
                    local: PathBuf::from(format!("/tmp/f{i}")),
                    remote: RemotePath::new(&format!("/f{i}")),
                    size: Some(1),
                    modified: None,
                };
                let id = state.queue.push(Direction::Download, file, "s");
                state.queue.set_state(id, ItemState::Asking);
                id
            })
            .collect();
        (state, ids)
    }

    #[test]
    fn apply_to_all_answers_every_waiting_item_and_the_later_ones() {
        let (mut state, ids) = asking_state(3);
        let mut n = 0;
        let mut next = || {
            n += 1;
            RequestId(n)
        };
        let answer = QueueAction::Answer {
            item: ids[0],
            choice: ExistingTarget::OverwriteIfNewer,
            all: true,
        };
        plan(&mut state, answer, &mut next);
        for id in &ids {
            let item = state.queue.item(*id).unwrap();
            assert_eq!(item.state, ItemState::Queued);
            assert_eq!(item.existing, ExistingTarget::OverwriteIfNewer);
        }
        assert!(state.dialog.is_none());
        // A later item that finds its target is answered the same way, without asking.
        let request = RequestId(99);
        state.queue.set_state(ids[1], ItemState::Sent(request));
        let exists = ErrorReport {
            kind: ErrorKind::Exists,
            message: "exists".into(),
            code: None,
        };
        apply(
            &mut state,
            &Event::Failed {
                request,
                error: exists,
            },
        );
        assert_eq!(state.queue.item(ids[1]).unwrap().state, ItemState::Queued);
    }

    #[test]
    fn one_answer_without_all_leaves_the_others_asking() {
        let (mut state, ids) = asking_state(2);
        let mut next = || RequestId(1);
        let answer = QueueAction::Answer {
            item: ids[0],
            choice: ExistingTarget::Skip,
            all: false,
        };
        plan(&mut state, answer, &mut next);
        assert_eq!(state.queue.item(ids[0]).unwrap().state, ItemState::Skipped);
        assert_eq!(state.queue.item(ids[1]).unwrap().state, ItemState::Asking);
        assert!(
            matches!(state.dialog, Some(Dialog::Overwrite { item, .. }) if item == ids[1]),
            "the next item asks at once"
        );
    }
}
