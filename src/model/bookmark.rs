//! Bookmarks as data: a saved site (`Bookmark`), the folders and sites of the site manager
//! (`Sites`) and the quick-connect history. Pure: `store::sites` reads and writes them.

use std::fmt::Write as _;
use std::hash::{BuildHasher as _, Hasher as _, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use crate::model::path::RemotePath;
use crate::model::site::{DataMode, FtpUrl, Password, Protocol, Site};

/// How many quick-connect URLs the history keeps.
pub const HISTORY_LIMIT: usize = 10;

/// Transfer connections per site: the default and the most.
const DEFAULT_CONNECTIONS: usize = 2;
const MAX_CONNECTIONS: usize = 10;

/// How a bookmark logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Logon {
    /// As `anonymous`, no password.
    Anonymous,
    /// User and password (the password in the keyring).
    #[default]
    Normal,
    /// User saved, password never stored: asked at every connect.
    Ask,
}

/// One saved site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Bookmark {
    /// Stable unique id; its password's keyring key is `secrets::key_for(&id)`.
    pub id: String,
    /// The name shown and used on the command line (`site:NAME`).
    pub name: String,
    /// The folder it is in: `""` at the top, nested folders `/`-separated (`"Work/Clients"`).
    pub folder: String,
    /// Host name or IP address.
    pub host: String,
    /// Control port; `None` is the protocol's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Plain, explicit or implicit TLS.
    pub protocol: Protocol,
    /// Anonymous, user and password, or ask for the password.
    pub logon: Logon,
    /// User name (unused for anonymous logon).
    pub user: String,
    /// Data-connection mode.
    pub mode: DataMode,
    /// Transfer connections, 1 to 10.
    pub connections: usize,
    /// The local folder to open on connect; `""` = none.
    pub local_folder: String,
    /// The remote folder to open on connect; `""` = the login folder.
    pub remote_folder: String,
    /// Free text.
    pub comment: String,
}

impl Default for Bookmark {
    /// An unnamed plain-FTP site with an empty id (ids are given by [`Bookmark::new`] and on
    /// load).
    fn default() -> Self {
        Self {
            id: String::new(),
            name: String::new(),
            folder: String::new(),
            host: String::new(),
            port: None,
            protocol: Protocol::Ftp,
            logon: Logon::Normal,
            user: String::new(),
            mode: DataMode::Auto,
            connections: DEFAULT_CONNECTIONS,
            local_folder: String::new(),
            remote_folder: String::new(),
            comment: String::new(),
        }
    }
}

/// Characters escaped in a URL's user name.
const USERINFO: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Characters escaped in a URL's path.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

impl Bookmark {
    /// A new site with a fresh id and default settings (plain FTP, normal logon, 2
    /// connections).
    #[must_use]
    pub fn new(name: impl Into<String>, host: impl Into<String>) -> Self {
        Self {
            id: new_id(),
            name: name.into(),
            host: host.into(),
            ..Self::default()
        }
    }

    /// A new site from a URL: host, port, protocol, user, data mode and remote folder (never
    /// the password). A URL without a user logs in anonymously.
    #[must_use]
    pub fn from_url(name: &str, url: &FtpUrl) -> Self {
        let site = &url.site;
        let mut bookmark = Self::new(name, site.host.clone());
        bookmark.port = (site.port != site.protocol.default_port()).then_some(site.port);
        bookmark.protocol = site.protocol;
        bookmark.mode = site.data_mode;
        if let Some(user) = &site.user {
            bookmark.user.clone_from(user);
            bookmark.logon = Logon::Normal;
        } else {
            bookmark.logon = Logon::Anonymous;
        }
        if !url.path.is_root() {
            url.path.as_str().clone_into(&mut bookmark.remote_folder);
        }
        bookmark
    }

    /// What the engine connects with. `password` is used for normal and ask logons (an
    /// anonymous one sends none).
    #[must_use]
    pub fn site(&self, password: Option<Password>) -> Site {
        let mut site = Site::new(self.host.clone(), self.protocol);
        site.port = self.port.unwrap_or(self.protocol.default_port());
        site.data_mode = self.mode;
        if self.logon != Logon::Anonymous {
            site.user = (!self.user.is_empty()).then(|| self.user.clone());
            site.password = password;
        }
        site
    }

    /// `scheme://user@host:port/folder` (the port only when it is not the default, the user
    /// only when not anonymous). Never contains a password.
    #[must_use]
    pub fn url(&self) -> String {
        let mut url = format!("{}://", self.protocol.scheme());
        if self.logon != Logon::Anonymous && !self.user.is_empty() {
            let _ = write!(url, "{}@", utf8_percent_encode(&self.user, USERINFO));
        }
        if self.host.contains(':') {
            let _ = write!(url, "[{}]", self.host);
        } else {
            url.push_str(&self.host);
        }
        if let Some(port) = self.port {
            let _ = write!(url, ":{port}");
        }
        if !self.remote_folder.is_empty() {
            let path = RemotePath::new(&self.remote_folder);
            let _ = write!(url, "{}", utf8_percent_encode(path.as_str(), PATH));
        }
        url
    }

    /// The site's path in the folder tree: `"Work/Clients/name"`, or `"name"` at the top.
    #[must_use]
    pub fn path(&self) -> String {
        if self.folder.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.folder, self.name)
        }
    }
}

/// A fresh id: 32 hex digits from the clock, the process, a counter and std's random keys.
fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let high = hasher.finish();
    hasher.write_u8(0x5a);
    format!("{high:016x}{:016x}", hasher.finish())
}

/// Why [`Sites::find`] found no single site.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindError {
    /// No site has that path or name.
    #[error("no site named {0} (skiff sites list shows them)")]
    NotFound(String),
    /// Several sites in different folders have that name.
    #[error("{name} is ambiguous: {} (give the folder too)", paths.join(", "))]
    Ambiguous {
        /// The name asked for.
        name: String,
        /// The paths of the sites with that name.
        paths: Vec<String>,
    },
}

/// Everything in the bookmarks file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sites {
    /// Every folder, also empty ones, parents before children (`"Work"`, `"Work/Clients"`).
    pub folders: Vec<String>,
    /// The saved sites.
    pub sites: Vec<Bookmark>,
    /// Quick-connect URLs without passwords, newest first, at most [`HISTORY_LIMIT`].
    pub history: Vec<String>,
}

impl Sites {
    /// The site at path `name` (`"Work/x"`), else the one site called `name` in any folder.
    pub fn find(&self, name: &str) -> Result<&Bookmark, FindError> {
        let name = name.trim_matches('/');
        if let Some(site) = self.sites.iter().find(|s| s.path() == name) {
            return Ok(site);
        }
        let named: Vec<&Bookmark> = self.sites.iter().filter(|s| s.name == name).collect();
        match named.as_slice() {
            [] => Err(FindError::NotFound(name.to_owned())),
            [one] => Ok(one),
            many => Err(FindError::Ambiguous {
                name: name.to_owned(),
                paths: many.iter().map(|s| s.path()).collect(),
            }),
        }
    }

    /// Puts `url` (any password removed) first in the history, once, keeping at most
    /// [`HISTORY_LIMIT`].
    pub fn remember(&mut self, url: &str) {
        let url = without_password(url.trim());
        if url.is_empty() {
            return;
        }
        self.history.retain(|u| *u != url);
        self.history.insert(0, url);
        self.history.truncate(HISTORY_LIMIT);
    }

    /// Adds folder `path` and any missing parents.
    pub fn add_folder(&mut self, path: &str) {
        let path = clean_folder(path);
        let mut prefix = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if !self.folders.contains(&prefix) {
                self.folders.push(prefix.clone());
            }
        }
        self.folders.sort();
    }

    /// Renames folder `from` to `to`, with its nested folders and their sites.
    pub fn rename_folder(&mut self, from: &str, to: &str) {
        let (from, to) = (clean_folder(from), clean_folder(to));
        if from.is_empty() || from == to {
            return;
        }
        let moved = |folder: &str| -> Option<String> {
            if folder == from {
                Some(to.clone())
            } else {
                folder
                    .strip_prefix(&from)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .map(|rest| clean_folder(&format!("{to}/{rest}")))
            }
        };
        let folders = std::mem::take(&mut self.folders);
        for folder in folders {
            let folder = moved(&folder).unwrap_or(folder);
            self.add_folder(&folder);
        }
        for site in &mut self.sites {
            if let Some(folder) = moved(&site.folder) {
                site.folder = folder;
            }
        }
    }

    /// Removes folder `path`, its nested folders and all their sites; returns the removed
    /// sites (the caller deletes their passwords). The top level (`""`) is never removed.
    pub fn delete_folder(&mut self, path: &str) -> Vec<Bookmark> {
        let path = clean_folder(path);
        if path.is_empty() {
            return Vec::new();
        }
        let inside = |folder: &str| {
            folder == path
                || folder
                    .strip_prefix(&path)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        self.folders.retain(|f| !inside(f));
        let (removed, kept) = std::mem::take(&mut self.sites)
            .into_iter()
            .partition(|s| inside(&s.folder));
        self.sites = kept;
        removed
    }

    /// Moves site `id` into `folder` (`""` = top level), creating the folder if needed.
    pub fn move_site(&mut self, id: &str, folder: &str) {
        let folder = clean_folder(folder);
        if let Some(site) = self.sites.iter_mut().find(|s| s.id == id) {
            site.folder.clone_from(&folder);
            self.add_folder(&folder);
        }
    }

    /// Makes a loaded or changed file consistent: clean folder paths, every site's folder
    /// listed, unique non-empty ids, connections in range, a clean history.
    /// Sorts out a file as read: known folders for every site, a capped history.
    pub fn tidy(&mut self) {
        let folders = std::mem::take(&mut self.folders);
        let site_folders: Vec<String> = self.sites.iter().map(|s| s.folder.clone()).collect();
        for folder in folders.iter().chain(&site_folders) {
            self.add_folder(folder);
        }
        let mut ids = std::collections::HashSet::new();
        for site in &mut self.sites {
            site.folder = clean_folder(&site.folder);
            if site.id.is_empty() || !ids.insert(site.id.clone()) {
                site.id = new_id();
                ids.insert(site.id.clone());
            }
            site.connections = site.connections.clamp(1, MAX_CONNECTIONS);
        }
        let history = std::mem::take(&mut self.history);
        for url in history.iter().rev() {
            self.remember(url);
        }
    }
}

/// `a//b/ ` → `a/b`: '/'-separated, no empty parts, no surrounding spaces.
fn clean_folder(path: &str) -> String {
    path.split('/')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// `ftp://ann:secret@host/x` → `ftp://ann@host/x`; other text unchanged.
pub(crate) fn without_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let start = scheme_end + 3;
    let rest = &url[start..];
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!("{}{}", &url[..start + colon], &url[start + at..])
        }
        _ => url.to_owned(),
    }
}
