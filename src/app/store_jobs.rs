//! What the window asks of its store thread (the sites file, the keyring, the settings, known
//! certificates, a `FileZilla` import) and what comes back: plain data, made by `app::sites` and
//! the other planners, run by `app::store_thread`.

use super::sites::After;
use crate::model::site::Password;
use crate::store::sites::{Bookmark, Sites};

/// Something to do with the sites file or the keyring, off the UI thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreJob {
    /// Change the sites file (re-read under a lock, changed, saved).
    Sites(SitesChange),
    /// Keep a site's password in the keyring (or for the session when there is none).
    SetPassword {
        /// The bookmark's id.
        id: String,
        /// The password (never logged).
        password: Password,
    },
    /// Forget a site's password.
    DeletePassword {
        /// The bookmark's id.
        id: String,
    },
    /// Remember a trusted certificate for a host and port (in the data directory).
    TrustCertificate {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// Its SHA-256 (hex).
        sha256: String,
    },
    /// Write the settings file.
    SaveSettings(Box<crate::store::settings::Settings>),
    /// Import `FileZilla`'s Site Manager file (sites, folders, passwords to the keyring).
    ImportFileZilla(std::path::PathBuf),
    /// Look up a site's password, then connect with it (or test it).
    PasswordForConnect {
        /// The bookmark.
        bookmark: Box<Bookmark>,
        /// Connect, or run the doctor.
        after: After,
    },
}

/// A change to the sites file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SitesChange {
    /// Add or replace (by id) a bookmark.
    Upsert(Box<Bookmark>),
    /// Delete a bookmark.
    Delete(String),
    /// Add a folder.
    AddFolder(String),
    /// Rename a folder (with what is in it).
    RenameFolder(String, String),
    /// Delete a folder with its sites.
    DeleteFolder(String),
    /// Remember a quick-connect URL (without password).
    Remember(String),
}

impl SitesChange {
    /// Applies the change; returns the ids of bookmarks it removed (their passwords go too).
    pub fn apply(self, sites: &mut Sites) -> Vec<String> {
        match self {
            Self::Upsert(bookmark) => {
                if !sites.folders.contains(&bookmark.folder) && !bookmark.folder.is_empty() {
                    sites.add_folder(&bookmark.folder);
                }
                match sites.sites.iter_mut().find(|b| b.id == bookmark.id) {
                    Some(existing) => *existing = *bookmark,
                    None => sites.sites.push(*bookmark),
                }
                Vec::new()
            }
            Self::Delete(id) => {
                sites.sites.retain(|b| b.id != id);
                vec![id]
            }
            Self::AddFolder(path) => {
                sites.add_folder(&path);
                Vec::new()
            }
            Self::RenameFolder(from, to) => {
                sites.rename_folder(&from, &to);
                Vec::new()
            }
            Self::DeleteFolder(path) => sites
                .delete_folder(&path)
                .into_iter()
                .map(|b| b.id)
                .collect(),
            Self::Remember(url) => {
                sites.remember(&url);
                Vec::new()
            }
        }
    }
}

/// What a store job reported.
#[derive(Debug, Clone)]
pub enum StoreDone {
    /// The sites file after a change (or why it could not be changed).
    Sites(Result<Sites, String>),
    /// A password was kept: in the keyring (`true`) or only for this session.
    PasswordKept(bool),
    /// The password for a connect (`None`: none stored), or why it could not be read.
    Password {
        /// The bookmark.
        bookmark: Box<Bookmark>,
        /// What the keyring said.
        password: Result<Option<Password>, String>,
        /// Connect, or test.
        after: After,
    },
    /// Something to tell the user once (no keyring reachable).
    Notice(String),
    /// A `FileZilla` import ended: the summary, or why nothing was imported.
    Imported(Result<String, String>),
}
