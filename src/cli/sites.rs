//! `skiff sites list|add|rm|import`: the saved sites from the command line. Passwords go to
//! the system keyring only; without one they are not saved (and the user is told so).

use std::fmt::Write as _;
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::output::Failure;
use super::{Common, SitesAction};
use crate::model::site::FtpUrl;
use crate::store::filezilla;
use crate::store::secrets::{Secrets, Stored, key_for};
use crate::store::sites::{self, Bookmark, FindError, Logon, Sites};

/// Runs one `skiff sites` command; returns the exit status.
pub fn run(common: &Common, action: SitesAction) -> i32 {
    let result = sites_file().and_then(|path| match action {
        SitesAction::List { json } => list(&path, json),
        SitesAction::Add { name, url } => add(common, &path, &name, &url),
        SitesAction::Rm { name } => remove(common, &path, &name),
        SitesAction::Import { file } => import(common, &path, &file),
    });
    match result {
        Ok(()) => 0,
        Err(failure) => {
            eprintln!("skiff: {}", failure.message);
            failure.status
        }
    }
}

/// The bookmarks file's path.
fn sites_file() -> Result<PathBuf, Failure> {
    sites::default_path().ok_or_else(|| {
        Failure::failed(format!(
            "no home folder to keep the sites in (set {})",
            sites::CONFIG_DIR_VAR
        ))
    })
}

/// Writes `text` to stdout (a closed pipe is not an error).
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// One site in `sites list --json`.
#[derive(Serialize)]
struct JsonSite<'a> {
    path: String,
    url: String,
    #[serde(flatten)]
    bookmark: &'a Bookmark,
}

/// `skiff sites list`.
fn list(path: &Path, json: bool) -> Result<(), Failure> {
    let saved = sites::load(path).map_err(|e| Failure::failed(e.to_string()))?;
    let mut rows: Vec<(String, &Bookmark)> = saved.sites.iter().map(|s| (s.path(), s)).collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if json {
        let items: Vec<JsonSite<'_>> = rows
            .iter()
            .map(|(path, bookmark)| JsonSite {
                path: path.clone(),
                url: bookmark.url(),
                bookmark,
            })
            .collect();
        let text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
        print(&(text + "\n"));
        return Ok(());
    }
    let width = rows
        .iter()
        .map(|(path, _)| path.chars().count())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for (path, bookmark) in &rows {
        let pad = width - path.chars().count();
        let _ = writeln!(text, "{path}{}  {}", " ".repeat(pad), bookmark.url());
    }
    print(&text);
    Ok(())
}

/// `skiff sites add NAME URL`.
fn add(common: &Common, path: &Path, name: &str, url: &str) -> Result<(), Failure> {
    let parsed = FtpUrl::parse(url).map_err(|e| Failure::usage(e.to_string()))?;
    let (folder, name) = match name.trim_matches('/').rsplit_once('/') {
        Some((folder, name)) => (folder, name.trim()),
        None => ("", name.trim()),
    };
    if name.is_empty() {
        return Err(Failure::usage("the site needs a name"));
    }
    let mut bookmark = Bookmark::from_url(name, &parsed);
    folder.clone_into(&mut bookmark.folder);
    if let Some(mode) = common.mode {
        bookmark.mode = mode.into();
    }
    let password = if bookmark.logon == Logon::Normal {
        password_from(common, &parsed)?
    } else {
        None
    };
    let wanted = bookmark.path();
    let (saved, added) = sites::update(path, |sites| {
        if sites.sites.iter().any(|s| s.path() == wanted) {
            return false;
        }
        sites.add_folder(&bookmark.folder);
        sites.sites.push(bookmark.clone());
        true
    })
    .map_err(|e| Failure::failed(e.to_string()))?;
    if !added {
        return Err(Failure::failed(format!(
            "a site named {wanted} already exists (skiff sites rm {wanted} first)"
        )));
    }
    let Some(added) = saved.sites.iter().find(|s| s.id == bookmark.id) else {
        return Err(Failure::failed(format!("{wanted} was not saved")));
    };
    let site_path = added.path();
    if !common.quiet {
        print(&format!("Saved {site_path}: {}\n", added.url()));
    }
    if let Some(password) = password {
        let secrets = Secrets::new();
        match secrets.set(&key_for(&added.id), &password) {
            Ok(Stored::Keyring) => {
                if !common.quiet {
                    print("The password is in the system keyring.\n");
                }
            }
            Ok(Stored::SessionOnly) => not_saved(&secrets, 1),
            Err(e) => {
                return Err(Failure::failed(format!(
                    "saved {site_path}, but not its password: {e}"
                )));
            }
        }
    }
    Ok(())
}

/// The password for a new site: in the URL, else `SKIFF_PASSWORD`, else the first line of
/// stdin with `--password-stdin`.
fn password_from(common: &Common, url: &FtpUrl) -> Result<Option<String>, Failure> {
    if let Some(password) = &url.site.password {
        return Ok(Some(password.expose().to_owned()));
    }
    if let Ok(password) = std::env::var("SKIFF_PASSWORD") {
        return Ok(Some(password));
    }
    if common.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::usage(format!("cannot read the password from stdin: {e}")))?;
        return Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()));
    }
    Ok(None)
}

/// Tells the user that `count` passwords were kept only in this process (which now ends).
fn not_saved(secrets: &Secrets, count: usize) {
    let why = secrets
        .take_notice()
        .unwrap_or_else(|| "No keyring is reachable".to_owned());
    let what = if count == 1 {
        "The password was not saved".to_owned()
    } else {
        format!("{count} passwords were not saved")
    };
    eprintln!(
        "skiff: {why}.\nskiff: {what}: Skiff will ask for it when connecting (or give it with SKIFF_PASSWORD or --password-stdin)."
    );
}

/// `skiff sites rm NAME`.
fn remove(common: &Common, path: &Path, name: &str) -> Result<(), Failure> {
    let (_, removed) = sites::update(path, |sites| remove_from(sites, name))
        .map_err(|e| Failure::failed(e.to_string()))?;
    let removed = removed.map_err(|e| Failure::failed(e.to_string()))?;
    if let Err(e) = Secrets::new().delete(&key_for(&removed.id)) {
        eprintln!("skiff: removed {}, but {e}", removed.path());
    }
    if !common.quiet {
        print(&format!("Removed {}\n", removed.path()));
    }
    Ok(())
}

/// Takes the site `name` out of `sites`.
fn remove_from(sites: &mut Sites, name: &str) -> Result<Bookmark, FindError> {
    let id = sites.find(name)?.id.clone();
    let at = sites
        .sites
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| FindError::NotFound(name.to_owned()))?;
    Ok(sites.sites.remove(at))
}

/// `skiff sites import FILE`.
fn import(common: &Common, path: &Path, file: &Path) -> Result<(), Failure> {
    let imported = filezilla::read(file).map_err(Failure::failed)?;
    let (_, report) = sites::update(path, |sites| imported.merge_into(sites))
        .map_err(|e| Failure::failed(e.to_string()))?;

    let secrets = Secrets::new();
    let filezilla::PasswordsSaved {
        in_keyring,
        in_memory,
        failed,
    } = report.save_passwords(&secrets);
    if !common.quiet {
        print(&format!("{}\n", report.summary(in_keyring)));
    }
    for (site, why) in &report.warnings {
        eprintln!("skiff: {site}: {why}");
    }
    if in_memory > 0 {
        not_saved(&secrets, in_memory);
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::failed(format!(
            "{} passwords were not saved: {}",
            failed.len(),
            failed.join("; ")
        )))
    }
}
