//! Bookmarks in the window: the site manager's state, what its buttons ask for, and the store
//! jobs (`app::store_jobs`: sites file, keyring) those turn into. Pure: the jobs wait in
//! `AppState::store_jobs` for the app's store thread (`app::store_thread`); their results come
//! back through `apply_done`.

use crate::app::actions::Action;
use crate::app::state::{AppState, Dialog};
use crate::model::path::RemotePath;
use crate::model::site::Password;
use crate::store::sites::{Bookmark, Logon, Sites};

use super::store_jobs::{SitesChange, StoreDone, StoreJob};

/// The site manager window while it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteManagerState {
    /// The site being edited (a copy; saved with Save).
    pub editing: Option<Bookmark>,
    /// The password typed for it ("" with `password_saved`: keep the stored one).
    pub password: String,
    /// The folder new sites and folders go into.
    pub folder: String,
    /// The name typed for a new folder.
    pub new_folder: String,
    /// A folder being renamed: (old path, new name typed).
    pub renaming: Option<(String, String)>,
    /// The last message (saved, failed…).
    pub message: String,
}

/// What a site's password is wanted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Connect with the site.
    Connect,
    /// Test the site with the connection doctor ("Apply" then writes into it).
    Test,
}

impl After {
    /// The action that connects with (or tests) `bookmark`'s settings.
    #[must_use]
    pub fn action(self, bookmark: &Bookmark, password: Option<Password>) -> Action {
        match self {
            Self::Connect => connect_action(bookmark, password),
            Self::Test => Action::DoctorSite {
                site: Box::new(bookmark.site(password)),
                bookmark: Some(bookmark.id.clone()),
            },
        }
    }
}

/// Something the user asked of the site manager or the sites menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteAction {
    /// Open the site manager.
    Open,
    /// Close it.
    Close,
    /// Edit this bookmark.
    Select(String),
    /// Start a new site in the current folder.
    NewSite,
    /// The folder new things go into.
    SelectFolder(String),
    /// Create the folder typed in the current folder.
    NewFolder,
    /// Start renaming a folder.
    StartRename(String),
    /// Rename the folder being renamed to the typed name.
    FinishRename,
    /// Ask before deleting a folder with its sites.
    AskDeleteFolder(String),
    /// Ask before deleting the edited site.
    AskDeleteSite,
    /// Delete (confirmed).
    DeleteFolder(String),
    /// Delete a site (confirmed).
    DeleteSite(String),
    /// Save the edited site (and its password, when one was typed).
    Save,
    /// Connect with a bookmark (by id).
    Connect(String),
    /// Connect with the edited site (saved first).
    SaveAndConnect,
    /// Test the edited site with the connection doctor (saved first).
    SaveAndTest,
    /// Ask which `FileZilla` Site Manager file to import (its usual place filled in).
    AskImport,
    /// Import this `FileZilla` Site Manager file.
    Import(String),
    /// Connect with this bookmark as given (`skiff site:work/www`: another remote folder).
    ConnectWith(Box<Bookmark>),
    /// Make a bookmark of the current connection (the quick-connect form).
    SaveCurrent,
    /// Connect to a quick-connect history URL.
    ConnectRecent(String),
    /// The password asked for a site with "ask for password" (or without a stored one).
    PasswordGiven {
        /// The bookmark.
        bookmark: Box<Bookmark>,
        /// What was typed.
        password: String,
        /// Keep it (keyring, or the session when there is none).
        remember: bool,
        /// Connect, or test.
        after: After,
    },
}

/// Turns a site action into state changes, store jobs (queued in `state.store_jobs`) and
/// follow-up actions (a connect).
pub fn plan(state: &mut AppState, action: SiteAction) -> Vec<Action> {
    match action {
        SiteAction::Open => {
            state
                .site_manager
                .get_or_insert_with(SiteManagerState::default);
        }
        SiteAction::Close => state.site_manager = None,
        SiteAction::Select(_)
        | SiteAction::NewSite
        | SiteAction::SelectFolder(_)
        | SiteAction::NewFolder
        | SiteAction::StartRename(_)
        | SiteAction::FinishRename
        | SiteAction::AskDeleteFolder(_)
        | SiteAction::AskDeleteSite
        | SiteAction::DeleteFolder(_)
        | SiteAction::DeleteSite(_) => edit_tree(state, action),
        SiteAction::Save => save_edited(state),
        SiteAction::SaveAndConnect | SiteAction::SaveAndTest => {
            let after = if action == SiteAction::SaveAndTest {
                After::Test
            } else {
                After::Connect
            };
            save_edited(state);
            let edited = state.site_manager.as_ref().and_then(|m| m.editing.clone());
            if let Some(b) = edited {
                let typed = state
                    .site_manager
                    .as_ref()
                    .map(|m| m.password.clone())
                    .unwrap_or_default();
                let typed = Some(typed).filter(|p| !p.is_empty());
                return connect_bookmark(state, b, typed, after);
            }
        }
        SiteAction::Connect(id) => {
            if let Some(b) = state.sites.sites.iter().find(|b| b.id == id).cloned() {
                return connect_bookmark(state, b, None, After::Connect);
            }
        }
        SiteAction::ConnectWith(bookmark) => {
            return connect_bookmark(state, *bookmark, None, After::Connect);
        }
        SiteAction::SaveCurrent => save_current(state),
        SiteAction::AskImport => {
            let path = crate::store::filezilla::default_location()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            state.dialog = Some(Dialog::ImportFileZilla { path });
        }
        SiteAction::Import(path) => {
            state.dialog = None;
            let path = path.trim().to_owned();
            state.status = format!("Importing {path}…");
            state
                .store_jobs
                .push(StoreJob::ImportFileZilla(std::path::PathBuf::from(path)));
        }
        SiteAction::ConnectRecent(url) => {
            state.form = crate::app::state::ConnectForm {
                host: url,
                ..Default::default()
            };
            return vec![Action::Connect];
        }
        SiteAction::PasswordGiven {
            bookmark,
            password,
            remember,
            after,
        } => {
            state.dialog = None;
            if bookmark.logon == Logon::Ask {
                // "Ask for password": asked once, kept in memory for the session.
                state
                    .session_passwords
                    .insert(bookmark.id.clone(), Password::new(password.clone()));
            } else if remember {
                state.store_jobs.push(StoreJob::SetPassword {
                    id: bookmark.id.clone(),
                    password: Password::new(password.clone()),
                });
            }
            return vec![after.action(&bookmark, Some(Password::new(password)))];
        }
    }
    Vec::new()
}

/// Selecting, making, renaming and deleting sites and folders in the site manager.
fn edit_tree(state: &mut AppState, action: SiteAction) {
    match action {
        SiteAction::Select(id) => {
            let bookmark = state.sites.sites.iter().find(|b| b.id == id).cloned();
            let manager = state.site_manager.get_or_insert_with(Default::default);
            if let Some(b) = bookmark {
                manager.folder.clone_from(&b.folder);
                manager.editing = Some(b);
                manager.password.clear();
                manager.message.clear();
            }
        }
        SiteAction::NewSite => {
            let manager = state.site_manager.get_or_insert_with(Default::default);
            let mut bookmark = Bookmark::new(free_name(&state.sites, "New site"), "");
            bookmark.folder.clone_from(&manager.folder);
            manager.editing = Some(bookmark);
            manager.password.clear();
        }
        SiteAction::SelectFolder(folder) => {
            state
                .site_manager
                .get_or_insert_with(Default::default)
                .folder = folder;
        }
        SiteAction::NewFolder => {
            if let Some(m) = &mut state.site_manager {
                let name = m.new_folder.trim().replace('/', "-");
                if !name.is_empty() {
                    let path = join_folder(&m.folder, &name);
                    state
                        .store_jobs
                        .push(StoreJob::Sites(SitesChange::AddFolder(path)));
                    m.new_folder.clear();
                }
            }
        }
        SiteAction::StartRename(folder) => {
            if let Some(m) = &mut state.site_manager {
                let name = folder.rsplit('/').next().unwrap_or_default().to_owned();
                m.renaming = Some((folder, name));
            }
        }
        SiteAction::FinishRename => finish_rename(state),
        SiteAction::AskDeleteFolder(folder) => {
            let inside = state
                .sites
                .sites
                .iter()
                .filter(|b| b.folder == folder || b.folder.starts_with(&format!("{folder}/")))
                .count();
            state.dialog = Some(Dialog::ConfirmDeleteFolder { folder, inside });
        }
        SiteAction::AskDeleteSite => {
            if let Some(b) = state.site_manager.as_ref().and_then(|m| m.editing.as_ref()) {
                state.dialog = Some(Dialog::ConfirmDeleteSite {
                    id: b.id.clone(),
                    name: b.path(),
                });
            }
        }
        SiteAction::DeleteFolder(folder) => {
            state.dialog = None;
            state
                .store_jobs
                .push(StoreJob::Sites(SitesChange::DeleteFolder(folder)));
        }
        SiteAction::DeleteSite(id) => {
            state.dialog = None;
            if let Some(m) = &mut state.site_manager
                && m.editing.as_ref().is_some_and(|b| b.id == id)
            {
                m.editing = None;
            }
            state
                .store_jobs
                .push(StoreJob::Sites(SitesChange::Delete(id)));
        }
        _ => {}
    }
}

/// Renames the folder being renamed, or moves it when a path was typed.
fn finish_rename(state: &mut AppState) {
    if let Some(m) = &mut state.site_manager
        && let Some((from, name)) = m.renaming.take()
    {
        // A plain name renames in place; a path ("Work/Old", "/Archive") moves the
        // folder there, with what is in it.
        let typed = name.trim();
        let to = if typed.contains('/') {
            typed
                .split('/')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join("/")
        } else {
            let parent = from.rsplit_once('/').map_or("", |(p, _)| p);
            join_folder(parent, typed)
        };
        let inside_itself = to.starts_with(&format!("{from}/"));
        if !to.is_empty() && to != from && !inside_itself {
            state
                .store_jobs
                .push(StoreJob::Sites(SitesChange::RenameFolder(from, to)));
        }
    }
}

fn join_folder(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

/// `base`, or `base 2`, `base 3`… whichever no site has.
fn free_name(sites: &Sites, base: &str) -> String {
    let taken = |n: &str| sites.sites.iter().any(|b| b.name == n);
    if !taken(base) {
        return base.to_owned();
    }
    (2..1000)
        .map(|n| format!("{base} {n}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_owned())
}

fn save_edited(state: &mut AppState) {
    let Some(m) = &mut state.site_manager else {
        return;
    };
    let Some(bookmark) = &m.editing else {
        return;
    };
    if bookmark.host.trim().is_empty() {
        "Enter a host name".clone_into(&mut m.message);
        return;
    }
    let mut bookmark = bookmark.clone();
    let host = bookmark.host.trim().to_owned();
    bookmark.host = host;
    bookmark.connections = bookmark.connections.clamp(1, 10);
    if bookmark.logon == Logon::Normal && !m.password.is_empty() {
        state.store_jobs.push(StoreJob::SetPassword {
            id: bookmark.id.clone(),
            password: Password::new(m.password.clone()),
        });
    } else if bookmark.logon != Logon::Normal {
        state.store_jobs.push(StoreJob::DeletePassword {
            id: bookmark.id.clone(),
        });
    }
    m.message = format!("Saved {}", bookmark.path());
    state
        .store_jobs
        .push(StoreJob::Sites(SitesChange::Upsert(Box::new(bookmark))));
}

/// The quick-connect form as a bookmark, saved with its password (keyring).
fn save_current(state: &mut AppState) {
    let Ok((site, path)) = crate::app::connect::site_from_form(state) else {
        "Connect first: the quick-connect bar has no server to save".clone_into(&mut state.status);
        return;
    };
    let url = crate::model::site::FtpUrl {
        site: site.clone(),
        path,
        names_folder: true,
    };
    let mut bookmark = Bookmark::from_url(&free_name(&state.sites, &site.host), &url);
    if let Some(folder) = state.site_manager.as_ref().map(|m| m.folder.clone()) {
        bookmark.folder = folder;
    }
    if let Some(password) = site.password.clone()
        && bookmark.logon == Logon::Normal
    {
        state.store_jobs.push(StoreJob::SetPassword {
            id: bookmark.id.clone(),
            password,
        });
    }
    state.status = format!("Saved {} in the site manager", bookmark.path());
    let manager = state.site_manager.get_or_insert_with(Default::default);
    manager.editing = Some(bookmark.clone());
    state
        .store_jobs
        .push(StoreJob::Sites(SitesChange::Upsert(Box::new(bookmark))));
}

/// Connects with (or tests) `bookmark`: anonymous at once, "ask" by asking, normal with the
/// typed password or the stored one (looked up off the UI thread first).
fn connect_bookmark(
    state: &mut AppState,
    bookmark: Bookmark,
    typed: Option<String>,
    after: After,
) -> Vec<Action> {
    match (bookmark.logon, typed) {
        (Logon::Anonymous, _) => vec![after.action(&bookmark, None)],
        (_, Some(password)) => vec![after.action(&bookmark, Some(Password::new(password)))],
        (Logon::Ask, None) => {
            if let Some(password) = state.session_passwords.get(&bookmark.id).cloned() {
                return vec![after.action(&bookmark, Some(password))];
            }
            state.dialog = Some(Dialog::AskPassword {
                bookmark: Box::new(bookmark),
                password: String::new(),
                remember: false,
                after,
            });
            Vec::new()
        }
        (Logon::Normal, None) => {
            state.status = match after {
                After::Connect => format!("Connecting to {}…", bookmark.path()),
                After::Test => format!("Testing {}…", bookmark.path()),
            };
            state.store_jobs.push(StoreJob::PasswordForConnect {
                bookmark: Box::new(bookmark),
                after,
            });
            Vec::new()
        }
    }
}

/// The action that connects with a bookmark's settings.
fn connect_action(bookmark: &Bookmark, password: Option<Password>) -> Action {
    let path = if bookmark.remote_folder.is_empty() {
        RemotePath::root()
    } else {
        RemotePath::new(&bookmark.remote_folder)
    };
    Action::ConnectSite {
        site: Box::new(bookmark.site(password)),
        path,
        local_folder: Some(bookmark.local_folder.clone()).filter(|f| !f.is_empty()),
        connections: bookmark.connections,
        bookmark: bookmark.id.clone(),
    }
}

/// A store job's result changes the state; may end in a connect.
pub fn apply_done(state: &mut AppState, done: StoreDone) -> Vec<Action> {
    match done {
        StoreDone::Sites(Ok(sites)) => state.sites = sites,
        StoreDone::Sites(Err(why)) => {
            if let Some(m) = &mut state.site_manager {
                m.message.clone_from(&why);
            }
            state.push_log(crate::protocol::LogKind::Error, why.clone());
            state.status = why;
        }
        StoreDone::PasswordKept(in_keyring) => {
            if !in_keyring && let Some(m) = &mut state.site_manager {
                "Password kept for this session only (no keyring)".clone_into(&mut m.message);
            }
        }
        StoreDone::Password {
            bookmark,
            password,
            after,
        } => match password {
            Ok(Some(password)) => return vec![after.action(&bookmark, Some(password))],
            Ok(None) => {
                state.dialog = Some(Dialog::AskPassword {
                    bookmark,
                    password: String::new(),
                    remember: true,
                    after,
                });
            }
            Err(why) => {
                state.push_log(crate::protocol::LogKind::Error, why.clone());
                state.dialog = Some(Dialog::AskPassword {
                    bookmark,
                    password: String::new(),
                    remember: false,
                    after,
                });
            }
        },
        StoreDone::Imported(Ok(summary)) => {
            state.push_log(crate::protocol::LogKind::Info, summary.clone());
            if let Some(m) = &mut state.site_manager {
                m.message.clone_from(&summary);
            }
            state.status = summary;
        }
        StoreDone::Imported(Err(why)) => {
            state.push_log(crate::protocol::LogKind::Error, why.clone());
            state.status = why;
        }
        StoreDone::Notice(text) => {
            state.push_log(crate::protocol::LogKind::Error, text.clone());
            state.status = text;
        }
    }
    Vec::new()
}
