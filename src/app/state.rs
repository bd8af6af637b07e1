//! The window's state as plain data: the connect form, the connection, both panes, the log.
//! No I/O here; `reduce` changes it from engine events, `actions` from what widgets ask for.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;

use crate::app::tree::FolderTree;
use crate::model::entry::{Entry, EntryKind};
use crate::model::path::RemotePath;
use crate::model::site::{DataMode, Password, Protocol};
use crate::protocol::{LogKind, RequestId, SessionId};

/// Log lines kept (older ones are dropped).
pub const LOG_LIMIT: usize = 5000;

/// Which pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// This machine, on the left.
    Local,
    /// The server, on the right.
    Remote,
}

/// What the quick-connect bar holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectForm {
    /// Host name, IP address, or a whole `ftp://` URL.
    pub host: String,
    /// User name (empty: anonymous).
    pub user: String,
    /// Password (never logged or saved).
    pub password: String,
    /// Port (empty: the protocol's default).
    pub port: String,
    /// Plain, explicit or implicit TLS.
    pub protocol: Protocol,
    /// The data-connection mode a bookmark set (not in the bar; editing the bar clears it, and
    /// then the settings' default applies).
    pub data_mode: Option<DataMode>,
}

impl Default for ConnectForm {
    fn default() -> Self {
        Self {
            host: String::new(),
            user: String::new(),
            password: String::new(),
            port: String::new(),
            protocol: Protocol::Ftp,
            data_mode: None,
        }
    }
}

/// Where the connection stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Connection {
    /// Not connected.
    #[default]
    Idle,
    /// Logging in.
    Connecting {
        /// The connect request.
        request: RequestId,
        /// `host:port`, for the status line.
        target: String,
    },
    /// Logged in.
    Connected {
        /// The engine's session.
        session: SessionId,
        /// `host:port`.
        target: String,
    },
    /// The last attempt failed, or the connection was lost.
    Failed(String),
}

/// Table column a pane is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// By name (folders first).
    #[default]
    Name,
    /// By size.
    Size,
    /// By modification time.
    Modified,
}

/// One side of the window: a folder and its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneState {
    /// The folder shown (a local path, or a remote path).
    pub path: String,
    /// The path bar's text while the user edits it.
    pub path_edit: String,
    /// The entries, sorted.
    pub entries: Vec<Entry>,
    /// The listing being waited for (answers to older requests are dropped).
    pub loading: Option<(RequestId, String)>,
    /// Why the last listing failed.
    pub error: Option<String>,
    /// Selected names.
    pub selected: BTreeSet<String>,
    /// Sort column and direction.
    pub sort: SortKey,
    /// Ascending (false: descending).
    pub ascending: bool,
    /// The row the table should scroll to on its next frame (keyboard moves).
    pub scroll_to: Option<usize>,
    /// The last row clicked without Shift: where a Shift-click range starts.
    pub anchor: Option<String>,
    /// The folder tree above the table.
    pub tree: FolderTree,
}

impl PaneState {
    /// An empty pane on `side` at `path`.
    #[must_use]
    pub fn new(side: Side, path: impl Into<String>) -> Self {
        let path = path.into();
        Self {
            anchor: None,
            tree: FolderTree::new(side),
            path_edit: path.clone(),
            path,
            entries: Vec::new(),
            loading: None,
            error: None,
            selected: BTreeSet::new(),
            sort: SortKey::Name,
            ascending: true,
            scroll_to: None,
        }
    }

    /// Sorts the entries by the pane's key and direction; folders always first.
    pub fn sort_entries(&mut self) {
        let (key, ascending) = (self.sort, self.ascending);
        self.entries.sort_by(|a, b| {
            let folders_first = b.is_dir().cmp(&a.is_dir());
            let by_key = match key {
                SortKey::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
                SortKey::Size => a.size.cmp(&b.size),
                SortKey::Modified => a.modified.cmp(&b.modified),
            }
            .then_with(|| a.name.cmp(&b.name));
            folders_first.then(if ascending { by_key } else { by_key.reverse() })
        });
    }

    /// Selects the entry `delta` rows from the current one (the first when none is selected),
    /// clamped to the table, and asks the table to scroll to it.
    pub fn move_selection(&mut self, delta: isize) {
        if self.entries.is_empty() {
            return;
        }
        let current = self
            .entries
            .iter()
            .position(|e| self.selected.contains(&e.name));
        let last = self.entries.len() - 1;
        let next = match current {
            None => 0,
            Some(i) => i.saturating_add_signed(delta).min(last),
        };
        self.select_only(next);
    }

    /// Selects the first entry whose name starts with `prefix` (case-insensitive).
    pub fn jump_to(&mut self, prefix: &str) {
        let prefix = prefix.to_lowercase();
        if let Some(i) = self
            .entries
            .iter()
            .position(|e| e.name.to_lowercase().starts_with(&prefix))
        {
            self.select_only(i);
        }
    }

    fn select_only(&mut self, index: usize) {
        self.selected.clear();
        self.selected.insert(self.entries[index].name.clone());
        self.anchor = Some(self.entries[index].name.clone());
        // Row 0 of the table is `..`.
        self.scroll_to = Some(index + 1);
    }

    /// A click on `name`: selects it alone; with `toggle` (Ctrl) adds or removes it; with
    /// `range` (Shift) selects every row from the last clicked one to it.
    pub fn click(&mut self, name: &str, toggle: bool, range: bool) {
        let position = |n: &str| self.entries.iter().position(|e| e.name == n);
        let from = self.anchor.as_deref().and_then(position);
        if range && let (Some(from), Some(to)) = (from, position(name)) {
            let (low, high) = (from.min(to), from.max(to));
            if !toggle {
                self.selected.clear();
            }
            let names = self.entries[low..=high].iter().map(|e| e.name.clone());
            self.selected.extend(names);
            return; // the anchor stays, so Shift-clicks can move the range's end
        }
        if toggle {
            if !self.selected.remove(name) {
                self.selected.insert(name.to_owned());
            }
        } else {
            self.selected.clear();
            self.selected.insert(name.to_owned());
        }
        self.anchor = Some(name.to_owned());
    }

    /// Total bytes of the selected files.
    #[must_use]
    pub fn selected_bytes(&self) -> u64 {
        self.entries
            .iter()
            .filter(|e| self.selected.contains(&e.name))
            .filter_map(|e| e.size)
            .sum()
    }

    /// The selected entries.
    pub fn selected_entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| self.selected.contains(&e.name))
    }

    /// The entry named `name`.
    #[must_use]
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }
}

/// A line of the message log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Who said it.
    pub kind: LogKind,
    /// The text (passwords already masked by the engine).
    pub text: String,
}

/// What a pending request was for, so its answer can be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// A connect.
    Connect,
    /// A local listing of this folder.
    ListLocal(PathBuf),
    /// A remote listing of this folder.
    ListRemote(RemotePath),
    /// A listing the folder tree asked for (it does not change the table).
    Tree(Side, String),
    /// A change (mkdir, delete, rename) in the pane on `Side`, which refreshes after it; the
    /// text is the status line's message when it is done.
    Change(Side, String),
    /// The facts of a queue item's existing target, for the overwrite prompt.
    TargetFacts(crate::app::queue::ItemId),
}

/// Everything the window shows.
#[derive(Debug, Clone, Default)]
pub struct AppState {
    /// The quick-connect bar.
    pub form: ConnectForm,
    /// The connection.
    pub connection: Connection,
    /// The left pane.
    pub local: PaneState,
    /// The right pane.
    pub remote: PaneState,
    /// The message log, oldest first.
    pub log: VecDeque<LogLine>,
    /// Requests waiting for an answer.
    pub pending: HashMap<RequestId, Pending>,
    /// The transfer queue.
    pub queue: crate::app::queue::QueueState,
    /// The connected site's URL without a password: the queue files its items under it.
    pub site_key: Option<String>,
    /// The status line's message.
    pub status: String,
    /// The open dialog, if any.
    pub dialog: Option<Dialog>,
    /// `host:port` of the last connection, so a reconnect returns to the same folder.
    pub last_target: Option<String>,
    /// The bookmark (id) the window connected with, if it did: the bar's Test applies to it.
    pub connected_bookmark: Option<String>,
    /// The server connection dropped; the next remote action reconnects (the engine keeps the
    /// site) and the remote pane offers Reconnect.
    pub connection_lost: bool,
    /// The bookmarks (as last read from or written to the sites file).
    pub sites: crate::store::sites::Sites,
    /// The site manager, while it is open.
    pub site_manager: Option<crate::app::sites::SiteManagerState>,
    /// Store jobs waiting for the store thread.
    pub store_jobs: Vec<crate::app::store_jobs::StoreJob>,
    /// Passwords typed for "ask for password" sites: kept in memory for this session only.
    pub session_passwords: HashMap<String, Password>,
    /// The connection doctor's window, while it is open.
    pub doctor: Option<DoctorState>,
    /// Certificates the user trusts, by `host:port` (SHA-256 hex): remembered ones and those
    /// trusted for this session.
    pub trusted_certs: HashMap<String, String>,
}

/// The connection doctor's window: the steps so far and, at the end, the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoctorState {
    /// The doctor request.
    pub request: RequestId,
    /// `host:port` tested.
    pub target: String,
    /// The control port (for the picture).
    pub port: u16,
    /// The bookmark (id) "Apply" writes into; `None`: the quick-connect bar.
    pub bookmark: Option<String>,
    /// The steps that ended.
    pub steps: Vec<crate::protocol::DoctorStep>,
    /// The result, once done.
    pub report: Option<crate::protocol::DoctorReport>,
}

/// What a recursive permissions change reaches (`FileZilla`'s three choices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyTo {
    /// Files and folders.
    All,
    /// Files only.
    Files,
    /// Folders only.
    Folders,
}

impl ApplyTo {
    /// As the engine takes it.
    #[must_use]
    pub fn recurse(self) -> crate::protocol::Recurse {
        crate::protocol::Recurse {
            files: self != Self::Folders,
            folders: self != Self::Files,
        }
    }
}

/// A small window asking for a name, a confirmation or a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// The server's certificate is not trusted: trust it (once or always), or not.
    Certificate(Box<crate::protocol::CertificateInfo>),
    /// A site's password, asked before connecting.
    AskPassword {
        /// The site.
        bookmark: Box<crate::store::sites::Bookmark>,
        /// What was typed so far.
        password: String,
        /// Keep it (in the keyring, or for the session when there is none).
        remember: bool,
        /// Connect, or test with the doctor.
        after: crate::app::sites::After,
    },
    /// The permissions of remote entries ("File permissions…").
    Permissions {
        /// The entries (in the remote folder).
        names: Vec<String>,
        /// The bits as the checkboxes show them.
        mode: u32,
        /// The octal value as typed (kept in step with `mode`).
        text: String,
        /// Folders are among them (the dialog then offers to recurse).
        has_folders: bool,
        /// Also what is inside the folders.
        recurse: bool,
        /// What a recursive change reaches.
        apply_to: ApplyTo,
    },
    /// Which `FileZilla` Site Manager file to import.
    ImportFileZilla {
        /// The file's path, as typed (its usual place to start with).
        path: String,
    },
    /// Confirm deleting a site-manager folder with the sites in it.
    ConfirmDeleteFolder {
        /// The folder's path.
        folder: String,
        /// How many sites go with it.
        inside: usize,
    },
    /// Confirm deleting a site.
    ConfirmDeleteSite {
        /// Its id.
        id: String,
        /// Its path, to name it.
        name: String,
    },
    /// A transfer's target exists: overwrite, resume, rename, skip…
    Overwrite {
        /// The queue item that asks.
        item: crate::app::queue::ItemId,
        /// The file's name.
        name: String,
        /// Which way it goes.
        direction: crate::model::transfer::Direction,
        /// The source's size and modification time.
        source: (Option<u64>, Option<i64>),
        /// The existing target's size and time, once known.
        target: Option<(Option<u64>, Option<i64>)>,
        /// "Apply to all" is ticked.
        all: bool,
    },
    /// Name a new folder.
    NewFolder {
        /// The pane it goes in.
        side: Side,
        /// The name typed so far.
        name: String,
    },
    /// Rename an entry.
    Rename {
        /// The pane it is in.
        side: Side,
        /// The current name.
        from: String,
        /// The new name typed so far.
        to: String,
    },
    /// Confirm deleting entries (folders with everything in them).
    ConfirmDelete {
        /// The pane they are in.
        side: Side,
        /// What goes.
        names: Vec<String>,
        /// How many of them are folders.
        folders: usize,
    },
}

impl Default for PaneState {
    fn default() -> Self {
        Self::new(Side::Remote, "/")
    }
}

impl AppState {
    /// A new state with the local pane at `local_folder`.
    #[must_use]
    pub fn new(local_folder: impl Into<String>) -> Self {
        Self {
            local: PaneState::new(Side::Local, local_folder),
            remote: PaneState::new(Side::Remote, "/"),
            ..Self::default()
        }
    }

    /// The pane on `side`.
    #[must_use]
    pub fn pane(&self, side: Side) -> &PaneState {
        match side {
            Side::Local => &self.local,
            Side::Remote => &self.remote,
        }
    }

    /// The pane on `side`, to change.
    pub fn pane_mut(&mut self, side: Side) -> &mut PaneState {
        match side {
            Side::Local => &mut self.local,
            Side::Remote => &mut self.remote,
        }
    }

    /// The connected session, if any.
    #[must_use]
    pub fn session(&self) -> Option<SessionId> {
        match self.connection {
            Connection::Connected { session, .. } => Some(session),
            _ => None,
        }
    }

    /// Adds a log line, dropping the oldest past [`LOG_LIMIT`].
    pub fn push_log(&mut self, kind: LogKind, text: impl Into<String>) {
        if self.log.len() >= LOG_LIMIT {
            self.log.pop_front();
        }
        self.log.push_back(LogLine {
            kind,
            text: text.into(),
        });
    }
}

/// True for entries a double-click opens (folders and links, which may be folders).
#[must_use]
pub fn opens_as_folder(entry: &Entry) -> bool {
    matches!(entry.kind, EntryKind::Dir | EntryKind::Link)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pane(names: &[&str]) -> PaneState {
        let mut pane = PaneState::new(Side::Remote, "/");
        pane.entries = names
            .iter()
            .map(|n| Entry::new(*n, EntryKind::File))
            .collect();
        pane
    }

    #[test]
    fn arrow_keys_move_and_clamp() {
        let mut p = pane(&["a", "b", "c"]);
        p.move_selection(1);
        assert!(
            p.selected.contains("a"),
            "first press selects the first row"
        );
        p.move_selection(1);
        assert!(p.selected.contains("b") && p.selected.len() == 1);
        p.move_selection(5);
        assert!(p.selected.contains("c"));
        p.move_selection(-9);
        assert!(p.selected.contains("a"));
        assert_eq!(p.scroll_to, Some(1));
    }

    #[test]
    fn shift_click_selects_a_range_and_ctrl_adds() {
        let mut p = pane(&["a", "b", "c", "d", "e"]);
        p.click("b", false, false);
        p.click("d", false, true);
        assert_eq!(p.selected.iter().collect::<Vec<_>>(), ["b", "c", "d"]);
        p.click("a", false, true);
        assert_eq!(
            p.selected.iter().collect::<Vec<_>>(),
            ["a", "b"],
            "the range starts at the last plain click"
        );
        p.click("e", true, false);
        assert_eq!(p.selected.iter().collect::<Vec<_>>(), ["a", "b", "e"]);
        p.click("b", true, false);
        assert_eq!(p.selected.iter().collect::<Vec<_>>(), ["a", "e"]);
    }

    #[test]
    fn typing_jumps_to_a_matching_name() {
        let mut p = pane(&["Alpha", "beta", "Bravo"]);
        p.jump_to("br");
        assert!(p.selected.contains("Bravo"));
        p.jump_to("zzz");
        assert!(p.selected.contains("Bravo"), "no match keeps the selection");
    }
}
