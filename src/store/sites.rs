//! The bookmarks file `sites.toml`: saved sites in folders and the quick-connect history,
//! versioned, written atomically, changed under a lock so two Skiff processes never lose each
//! other's changes. It holds no passwords: those are in the keyring (see `secrets`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{StoreError, atomic, versioned};
pub use crate::model::bookmark::{Bookmark, FindError, HISTORY_LIMIT, Logon, Sites};

/// The bookmarks file's name inside the config folder.
pub const FILE_NAME: &str = "sites.toml";

/// The environment variable that overrides the config folder (tests, portable installs).
pub const CONFIG_DIR_VAR: &str = "SKIFF_CONFIG_DIR";

/// The on-disk format this build writes and the newest it reads.
const FORMAT_VERSION: i64 = 1;

/// How errors name this file.
const WHAT: &str = "the bookmarks file";

/// The first lines of the file, for whoever opens it in an editor.
const HEADER: &str = "# Skiff's saved sites. Passwords are not in this file: they are kept in the \
system keyring.\n\n";

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
    atomic::with_lock(path, WHAT, || {
        let mut sites = load(path)?;
        let result = change(&mut sites);
        sites.tidy();
        save(path, &sites)?;
        Ok((sites, result))
    })
}

#[cfg(test)]
#[path = "sites_tests.rs"]
mod tests;
