//! The bookmarks file `sites.toml`: saved sites in folders and the quick-connect history,
//! versioned, written atomically, changed under a lock so two Skiff processes never lose each
//! other's changes. It holds no passwords: those are in the keyring (see `secrets`).

use std::fmt::Write as _;
use std::fs;
use std::hash::{BuildHasher as _, Hasher as _, RandomState};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use super::{StoreError, atomic, versioned};
use crate::model::path::RemotePath;
use crate::model::site::{DataMode, FtpUrl, Password, Protocol, Site};

/// The bookmarks file's name inside the config folder.
pub const FILE_NAME: &str = "sites.toml";

/// The environment variable that overrides the config folder (tests, portable installs).
pub const CONFIG_DIR_VAR: &str = "SKIFF_CONFIG_DIR";

/// How many quick-connect URLs the history keeps.
pub const HISTORY_LIMIT: usize = 10;

/// The on-disk format this build writes and the newest it reads.
const FORMAT_VERSION: i64 = 1;

/// How errors name this file.
const WHAT: &str = "the bookmarks file";

/// The first lines of the file, for whoever opens it in an editor.
const HEADER: &str = "# Skiff's saved sites. Passwords are not in this file: they are kept in the \
system keyring.\n\n";

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
    fn tidy(&mut self) {
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
fn without_password(url: &str) -> String {
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

/// Where the bookmarks file lives: `$SKIFF_CONFIG_DIR/sites.toml` when that variable is set,
/// else the platform config dir (on Linux `~/.config/skiff/sites.toml`). `None` when there is
/// no home directory.
#[must_use]
pub fn default_path() -> Option<PathBuf> {
    match std::env::var_os(CONFIG_DIR_VAR) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir).join(FILE_NAME)),
        _ => {
            directories::ProjectDirs::from("", "", "skiff").map(|d| d.config_dir().join(FILE_NAME))
        }
    }
}

/// The file as written.
#[derive(Serialize)]
struct FileOut<'a> {
    version: i64,
    folders: &'a [String],
    history: &'a [String],
    site: &'a [Bookmark],
}

/// The file as read, version 1.
#[derive(Deserialize)]
struct FileIn {
    #[serde(default)]
    folders: Vec<String>,
    #[serde(default)]
    history: Vec<String>,
    #[serde(default)]
    site: Vec<Bookmark>,
}

/// Reads the bookmarks. A missing file is no bookmarks. A file that does not parse is moved
/// aside to `sites.toml.bak-<unix seconds>` (never deleted or overwritten) and the error says
/// where it went; a file from a newer Skiff is left in place and reported.
pub fn load(path: &Path) -> Result<Sites, StoreError> {
    let sites = versioned::load(path, WHAT, (FORMAT_VERSION, "bookmarks"), |file: FileIn| {
        let mut sites = Sites {
            folders: file.folders,
            sites: file.site,
            history: file.history,
        };
        sites.tidy();
        Ok(sites)
    })?;
    Ok(sites.unwrap_or_default())
}

/// Writes the bookmarks atomically (temp file, fsync, rename, fsync the folder; readable by
/// the user only on Unix). A crash leaves the old file or the new one, never a partial one.
pub fn save(path: &Path, sites: &Sites) -> Result<(), StoreError> {
    let body = toml::to_string(&FileOut {
        version: FORMAT_VERSION,
        folders: &sites.folders,
        history: &sites.history,
        site: &sites.sites,
    })
    .map_err(|e| StoreError::Write {
        what: WHAT,
        path: path.to_owned(),
        source: std::io::Error::other(e),
    })?;
    atomic::write(path, format!("{HEADER}{body}").as_bytes(), WHAT)
}

/// Changes the bookmarks safely with other Skiff processes about: takes an exclusive lock on
/// the sibling `sites.toml.lock` (waiting for another process's change to finish), reads the
/// file again, applies `change`, saves, and returns the new sites with `change`'s result.
/// Nothing is saved when the file cannot be read (a damaged file is moved aside first, see
/// [`load`]).
pub fn update<R>(
    path: &Path,
    change: impl FnOnce(&mut Sites) -> R,
) -> Result<(Sites, R), StoreError> {
    let lock_error = |source| StoreError::Lock {
        what: WHAT,
        path: path.to_owned(),
        source,
    };
    fs::create_dir_all(atomic::folder_of(path)).map_err(lock_error)?;
    let mut lock_name = path.file_name().unwrap_or(FILE_NAME.as_ref()).to_owned();
    lock_name.push(".lock");
    let lock = fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path.with_file_name(lock_name))
        .map_err(lock_error)?;
    lock.lock().map_err(lock_error)?;
    let mut sites = load(path)?;
    let result = change(&mut sites);
    sites.tidy();
    save(path, &sites)?;
    // Closing the file releases the lock; said here so it is not dropped earlier.
    drop(lock);
    Ok((sites, result))
}

#[cfg(test)]
#[path = "sites_tests.rs"]
mod tests;
