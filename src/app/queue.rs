//! The window's transfer queue as plain data: items in order, their states, the settings that
//! drive them (`app::transfer_settings`), and `pump`, which starts the next items on free
//! transfer connections. Pure: the reducer feeds it engine events, `actions` feeds it what the
//! user asked for.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::model::path::RemotePath;
use crate::model::transfer::{Direction, Progress, TransferId};
use crate::protocol::{Command, ExistingTarget, RequestId, ScannedFile, SessionId};
use crate::store::queue_file::SavedTransfer;

use super::transfer_settings::TransferSettings;

/// Names one item of the queue for its whole life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(pub u64);

/// Where an item stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemState {
    /// Waiting for the queue to hand it to the engine (or for the queue to be started).
    Queued,
    /// Handed to the engine as the request named; waiting there for a free connection.
    Sent(RequestId),
    /// Moving, as the request named.
    Running(RequestId),
    /// The target exists: waiting for the user's answer.
    Asking,
    /// Gave up (after the automatic retries), or cancelled; the text says why.
    Failed(String),
    /// Arrived, size checked.
    Done,
    /// Left alone (the target was kept).
    Skipped,
}

/// Items handed to the engine per transfer connection: the engine runs only as many as there
/// are connections, and the rest wait there, so a slow frame never leaves a connection idle.
const SENT_PER_CONNECTION: usize = 8;

impl ItemState {
    /// Handed to the engine (waiting there or moving).
    #[must_use]
    pub fn in_engine(&self) -> bool {
        matches!(self, Self::Sent(_) | Self::Running(_))
    }

    /// The engine request moving the item, while it is there.
    #[must_use]
    pub fn request(&self) -> Option<RequestId> {
        match self {
            Self::Sent(r) | Self::Running(r) => Some(*r),
            _ => None,
        }
    }
}

/// One file to move.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    /// Its id.
    pub id: ItemId,
    /// Download or upload.
    pub direction: Direction,
    /// The local file.
    pub local: PathBuf,
    /// The remote file.
    pub remote: RemotePath,
    /// The source's size, when known.
    pub size: Option<u64>,
    /// The source's modification time, when known.
    pub modified: Option<i64>,
    /// The site it belongs to (its URL without a password); it runs only while connected there.
    pub site: String,
    /// What to do when the target exists (the user's answer, or the default).
    pub existing: ExistingTarget,
    /// Continue what an earlier run left (our part file, or a shorter upload target).
    pub resume: bool,
    /// Where it stands.
    pub state: ItemState,
    /// The latest progress while it runs.
    pub progress: Option<Progress>,
}

impl QueueItem {
    /// The folder the item's target goes into, as the destination pane names it.
    #[must_use]
    pub fn target_folder(&self) -> String {
        match self.direction {
            Direction::Download => self
                .local
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            Direction::Upload => self.remote.parent().to_string(),
        }
    }

    /// The file's name.
    #[must_use]
    pub fn name(&self) -> String {
        self.remote.file_name().unwrap_or("/").to_owned()
    }
}

/// The queue panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueTab {
    /// Waiting, running and asking items.
    #[default]
    Queued,
    /// Items that failed.
    Failed,
    /// Items that arrived (or were skipped).
    Successful,
}

impl QueueTab {
    /// True when `state` is listed under this tab.
    #[must_use]
    pub fn shows(self, state: &ItemState) -> bool {
        match self {
            Self::Queued => matches!(
                state,
                ItemState::Queued | ItemState::Sent(_) | ItemState::Running(_) | ItemState::Asking
            ),
            Self::Failed => matches!(state, ItemState::Failed(_)),
            Self::Successful => matches!(state, ItemState::Done | ItemState::Skipped),
        }
    }
}

/// A folder being scanned into items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Download or upload.
    pub direction: Direction,
    /// The site.
    pub site: String,
    /// The folder the scanned tree goes into, as the destination pane names it (that pane
    /// lists it again when the scan ends: the new folders show).
    pub into: String,
}

/// The whole queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueState {
    /// The items, in the order they run (read them here; change them through the methods,
    /// which keep the indexes below right).
    pub items: Vec<QueueItem>,
    /// Items start (false: paused; running items finish).
    pub running: bool,
    /// The tab shown.
    pub tab: QueueTab,
    /// The settings.
    pub settings: TransferSettings,
    /// An answer to apply to every later existing target ("apply to all").
    pub answer_for_all: Option<ExistingTarget>,
    /// Scans in progress.
    pub scans: HashMap<RequestId, Scan>,
    /// Which item a running transfer is.
    pub transfers: HashMap<TransferId, ItemId>,
    /// Bumped on every change worth saving.
    pub version: u64,
    next_id: u64,
    /// Where each item is in `items`.
    position: HashMap<ItemId, usize>,
    /// The item each engine request moves.
    requests: HashMap<RequestId, ItemId>,
    /// No item before this index is queued (where `pump` starts looking).
    queued_from: usize,
    /// How many items wait for an overwrite answer.
    asking: usize,
}

impl Default for QueueState {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            running: true,
            tab: QueueTab::Queued,
            settings: TransferSettings::default(),
            answer_for_all: None,
            scans: HashMap::new(),
            transfers: HashMap::new(),
            version: 0,
            next_id: 1,
            position: HashMap::new(),
            requests: HashMap::new(),
            queued_from: 0,
            asking: 0,
        }
    }
}

impl QueueState {
    /// Adds a file at the end; returns its id.
    pub fn push(&mut self, direction: Direction, file: ScannedFile, site: &str) -> ItemId {
        let id = ItemId(self.next_id);
        self.next_id += 1;
        self.position.insert(id, self.items.len());
        self.items.push(QueueItem {
            id,
            direction,
            local: file.local,
            remote: file.remote,
            size: file.size,
            modified: file.modified,
            site: site.to_owned(),
            existing: self.answer_for_all.unwrap_or(self.settings.existing),
            resume: false,
            state: ItemState::Queued,
            progress: None,
        });
        self.version += 1;
        id
    }

    /// The item with `id`.
    #[must_use]
    pub fn item(&self, id: ItemId) -> Option<&QueueItem> {
        self.items.get(*self.position.get(&id)?)
    }

    /// The item with `id`, to change.
    pub fn item_mut(&mut self, id: ItemId) -> Option<&mut QueueItem> {
        self.items.get_mut(*self.position.get(&id)?)
    }

    /// Rebuilds the indexes after the order changed.
    fn reindex(&mut self) {
        self.position = self
            .items
            .iter()
            .enumerate()
            .map(|(at, item)| (item.id, at))
            .collect();
        self.queued_from = 0;
    }

    /// The item a running request moves.
    #[must_use]
    pub fn by_request(&self, request: RequestId) -> Option<ItemId> {
        self.requests.get(&request).copied()
    }

    /// How many items wait for an overwrite answer.
    #[must_use]
    pub fn asking(&self) -> usize {
        self.asking
    }

    /// How many items are in the engine (waiting there or moving).
    #[must_use]
    pub fn in_engine(&self) -> usize {
        self.requests.len()
    }

    /// Sets an item's state (and counts the change for saving).
    pub fn set_state(&mut self, id: ItemId, state: ItemState) {
        let Some(&at) = self.position.get(&id) else {
            return;
        };
        let item = &mut self.items[at];
        if let Some(request) = item.state.request()
            && state.request() != Some(request)
        {
            self.requests.remove(&request);
        }
        if let Some(request) = state.request() {
            self.requests.insert(request, id);
        }
        if !state.in_engine() {
            item.progress = None;
        }
        if state == ItemState::Queued {
            self.queued_from = self.queued_from.min(at);
        }
        self.asking = (self.asking + usize::from(state == ItemState::Asking))
            .saturating_sub(usize::from(item.state == ItemState::Asking));
        item.state = state;
        self.version += 1;
    }

    /// How many items each tab lists.
    #[must_use]
    pub fn counts(&self) -> [usize; 3] {
        let mut counts = [0; 3];
        for item in &self.items {
            for (i, tab) in [QueueTab::Queued, QueueTab::Failed, QueueTab::Successful]
                .into_iter()
                .enumerate()
            {
                if tab.shows(&item.state) {
                    counts[i] += 1;
                }
            }
        }
        counts
    }

    /// Bytes done and bytes in all, over the items still to finish, and the speed now.
    #[must_use]
    pub fn overall(&self) -> (u64, u64, f64) {
        let (mut done, mut total, mut rate) = (0, 0, 0.0);
        for item in &self.items {
            if !QueueTab::Queued.shows(&item.state) {
                continue;
            }
            total += item.size.unwrap_or(0);
            if let Some(p) = &item.progress {
                done += p.done;
                rate += p.rate;
            }
        }
        (done, total, rate)
    }

    /// True when another queued or running item still goes into `folder` on `direction`'s side.
    #[must_use]
    pub fn more_into(&self, direction: Direction, folder: &str) -> bool {
        self.items.iter().any(|i| {
            i.direction == direction
                && (i.state == ItemState::Queued || i.state.in_engine())
                && i.target_folder() == folder
        })
    }

    /// Moves an item to the top (`true`) or the bottom of the queue.
    pub fn move_item(&mut self, id: ItemId, to_top: bool) {
        if let Some(at) = self.items.iter().position(|i| i.id == id) {
            let item = self.items.remove(at);
            if to_top {
                self.items.insert(0, item);
            } else {
                self.items.push(item);
            }
            self.reindex();
            self.version += 1;
        }
    }

    /// Puts failed items back in the queue; they resume what they left.
    pub fn retry_failed(&mut self) {
        for item in &mut self.items {
            if matches!(item.state, ItemState::Failed(_)) {
                item.state = ItemState::Queued;
                item.resume = true;
            }
        }
        self.queued_from = 0;
        self.version += 1;
    }

    /// Drops the items that arrived or were skipped.
    pub fn clear_successful(&mut self) {
        self.items.retain(|i| !QueueTab::Successful.shows(&i.state));
        self.reindex();
        self.version += 1;
    }

    /// Hands queued items of `site` to the engine, in order, up to a few per connection (the
    /// engine moves `connections` at once): one `TransferFile` each.
    pub fn pump(
        &mut self,
        session: SessionId,
        site: &str,
        next_id: &mut dyn FnMut() -> RequestId,
    ) -> Vec<Command> {
        if !self.running {
            return Vec::new();
        }
        let connections = self.settings.connections.clamp(1, 10);
        let limit = connections * SENT_PER_CONNECTION;
        let keep_times = self.settings.keep_times;
        let mut commands = Vec::new();
        let mut first_queued = None;
        let mut at = self.queued_from;
        while at < self.items.len() {
            if self.requests.len() >= limit {
                first_queued = first_queued.or(Some(at));
                break;
            }
            let item = &mut self.items[at];
            at += 1;
            if item.state != ItemState::Queued {
                continue;
            }
            if item.site != site {
                first_queued = first_queued.or(Some(at - 1));
                continue;
            }
            let request = next_id();
            item.state = ItemState::Sent(request);
            self.requests.insert(request, item.id);
            commands.push(Command::TransferFile {
                request,
                session,
                direction: item.direction,
                file: ScannedFile {
                    local: item.local.clone(),
                    remote: item.remote.clone(),
                    size: item.size,
                    modified: item.modified,
                },
                existing: item.existing,
                resume: item.resume,
                keep_times,
                connections,
            });
        }
        self.queued_from = first_queued.unwrap_or(at);
        commands
    }

    /// What survives a restart: every item not yet done (running ones count as pending).
    #[must_use]
    pub fn to_saved(&self) -> Vec<SavedTransfer> {
        self.items
            .iter()
            .filter(|i| !QueueTab::Successful.shows(&i.state))
            .map(|i| SavedTransfer {
                direction: i.direction,
                local: i.local.clone(),
                remote: i.remote.to_string(),
                site: i.site.clone(),
                size: i.size,
                failed: match &i.state {
                    ItemState::Failed(why) => Some(why.clone()),
                    _ => None,
                },
            })
            .collect()
    }

    /// A queue rebuilt from what was saved: pending items queued, failed ones failed. Nothing
    /// starts until the user connects to the item's site.
    #[must_use]
    pub fn from_saved(saved: Vec<SavedTransfer>) -> Self {
        let mut queue = Self::default();
        for s in saved {
            let file = ScannedFile {
                local: s.local,
                remote: RemotePath::new(&s.remote),
                size: s.size,
                modified: None,
            };
            let id = queue.push(s.direction, file, &s.site);
            if let Some(why) = s.failed {
                queue.set_state(id, ItemState::Failed(why));
            }
            if let Some(item) = queue.item_mut(id) {
                // It may have been half-way: continue its part file (an existing target is
                // still asked about, never clobbered).
                item.resume = true;
            }
        }
        queue.version = 0;
        queue
    }
}

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
