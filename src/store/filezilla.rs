//! Importing the Site Manager of `FileZilla` (`sitemanager.xml`): folders, hosts, ports, protocols,
//! users, data modes, folders to open and comments. Saved passwords are decoded for the
//! keyring and never written anywhere else; sites Skiff cannot use (SFTP, cloud storage) are
//! skipped with the reason.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use quick_xml::events::{BytesStart, Event};

use super::sites::{Bookmark, Logon, Sites};
use crate::model::path::RemotePath;
use crate::model::site::{DataMode, Password, Protocol};

/// What a Site Manager file held, ready to merge into the bookmarks.
#[derive(Debug, Default)]
pub struct Imported {
    /// The usable sites (new ids), in file order.
    pub sites: Vec<Bookmark>,
    /// Every folder, also empty ones, parents first.
    pub folders: Vec<String>,
    /// Saved passwords by bookmark id, for the keyring (`Password` hides them from `Debug`).
    pub passwords: Vec<(String, Password)>,
    /// Sites not imported: (path, why).
    pub skipped: Vec<(String, String)>,
    /// Sites imported with a caveat, e.g. an encrypted password: (path, what).
    pub warnings: Vec<(String, String)>,
}

/// Why a file could not be imported at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not well-formed XML.
    #[error("not a readable XML file: {0}")]
    Xml(String),
    /// XML, but not a `FileZilla` Site Manager file.
    #[error(
        "not a FileZilla Site Manager file (expected <FileZilla3><Servers>…; FileZilla keeps it as sitemanager.xml in its settings folder)"
    )]
    NotSiteManager,
}

/// What [`Imported::merge_into`] did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// Sites added.
    pub added: usize,
    /// Folders in the imported file.
    pub folders: usize,
    /// Passwords of the added sites, for the keyring: (bookmark id, password).
    pub passwords: Vec<(String, Password)>,
    /// Sites not added: (path, why).
    pub skipped: Vec<(String, String)>,
    /// Sites added with a caveat: (path, what).
    pub warnings: Vec<(String, String)>,
}

impl ImportReport {
    /// One line for the user, e.g. "Imported 12 sites in 3 folders (9 passwords to the
    /// keyring); skipped 1: sftp-box (SFTP is not supported)". `passwords_saved` says how many
    /// passwords reached the keyring.
    #[must_use]
    pub fn summary(&self, passwords_saved: usize) -> String {
        let mut line = format!(
            "Imported {} {} in {} {}",
            self.added,
            plural(self.added, "site", "sites"),
            self.folders,
            plural(self.folders, "folder", "folders")
        );
        if passwords_saved > 0 {
            let _ = write!(
                line,
                " ({passwords_saved} {} to the keyring)",
                plural(passwords_saved, "password", "passwords")
            );
        }
        if !self.skipped.is_empty() {
            let list: Vec<String> = self
                .skipped
                .iter()
                .map(|(name, why)| format!("{name} ({why})"))
                .collect();
            let _ = write!(
                line,
                "; skipped {}: {}",
                self.skipped.len(),
                list.join(", ")
            );
        }
        line
    }
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

impl Imported {
    /// Adds the folders and sites to `sites`. A site whose path is already taken there is
    /// skipped ("already saved"), so importing the same file twice adds nothing twice.
    #[must_use]
    pub fn merge_into(self, sites: &mut Sites) -> ImportReport {
        let mut report = ImportReport {
            folders: self.folders.len(),
            skipped: self.skipped,
            warnings: self.warnings,
            ..ImportReport::default()
        };
        for folder in &self.folders {
            sites.add_folder(folder);
        }
        let mut passwords = self.passwords;
        for bookmark in self.sites {
            let path = bookmark.path();
            if sites.sites.iter().any(|s| s.path() == path) {
                report
                    .skipped
                    .push((path, "a site with this name is already saved".to_owned()));
                passwords.retain(|(id, _)| *id != bookmark.id);
                continue;
            }
            sites.add_folder(&bookmark.folder);
            sites.sites.push(bookmark);
            report.added += 1;
        }
        report.passwords = passwords;
        report
    }
}

/// Where `FileZilla` keeps its Site Manager on this platform (`~/.config/filezilla/` on Linux
/// and macOS, `%APPDATA%\\FileZilla\\` on Windows); `None` when there is no home folder.
#[must_use]
pub fn default_location() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    let folder = if cfg!(windows) {
        base.config_dir().join("FileZilla")
    } else if cfg!(target_os = "macos") {
        base.home_dir().join(".config").join("filezilla")
    } else {
        base.config_dir().join("filezilla")
    };
    Some(folder.join("sitemanager.xml"))
}

/// Reads and parses a Site Manager file; the error names the file.
pub fn read(file: &Path) -> Result<Imported, String> {
    let xml = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    parse_sitemanager(&xml).map_err(|e| format!("{}: {e}", file.display()))
}

/// Where the imported passwords went.
#[derive(Debug, Default)]
pub struct PasswordsSaved {
    /// Saved in the keyring.
    pub in_keyring: usize,
    /// Kept in memory only (no keyring reachable).
    pub in_memory: usize,
    /// Why the others could not be saved.
    pub failed: Vec<String>,
}

impl ImportReport {
    /// Saves the added sites' passwords with `secrets` (the keyring, or memory without one).
    #[must_use]
    pub fn save_passwords(&self, secrets: &super::secrets::Secrets) -> PasswordsSaved {
        let mut saved = PasswordsSaved::default();
        for (id, password) in &self.passwords {
            match secrets.set(&super::secrets::key_for(id), password.expose()) {
                Ok(super::secrets::Stored::Keyring) => saved.in_keyring += 1,
                Ok(super::secrets::Stored::SessionOnly) => saved.in_memory += 1,
                Err(e) => saved.failed.push(e.to_string()),
            }
        }
        saved
    }
}

/// Reads `FileZilla`'s `sitemanager.xml`: `<FileZilla3><Servers>` with nested `<Folder>`s and
/// `<Server>`s.
pub fn parse_sitemanager(xml: &str) -> Result<Imported, ImportError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut imported = Imported::default();
    // Open elements, outermost first.
    let mut open: Vec<Element> = Vec::new();
    let mut seen_servers = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| ImportError::Xml(format!("{e} at byte {}", reader.error_position())))?;
        match event {
            Event::Start(start) => {
                let element = Element::start(&start);
                if element.name == "Servers"
                    && open.len() == 1
                    && open.first().is_some_and(|e| e.name == "FileZilla3")
                {
                    seen_servers = true;
                }
                open.push(element);
            }
            Event::Empty(start) => {
                // `<Folder/>` or `<Server/>` hold nothing; `<Pass/>` etc. are empty values.
                let element = Element::start(&start);
                if let Some(parent) = open.last_mut() {
                    parent.fields.push((element.name, String::new(), None));
                }
            }
            Event::Text(text) => push_text(&mut open, &text.xml10_content().unwrap_or_default()),
            Event::CData(data) => push_text(&mut open, &data.decode().unwrap_or_default()),
            Event::GeneralRef(reference) => {
                let text = if let Ok(Some(c)) = reference.resolve_char_ref() {
                    c.to_string()
                } else {
                    let name = reference.decode().unwrap_or_default();
                    quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap_or_default()
                        .to_owned()
                };
                push_text(&mut open, &text);
            }
            Event::End(_) => {
                let Some(element) = open.pop() else { continue };
                close(element, &mut open, &mut imported);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if seen_servers {
        imported.folders.sort();
        Ok(imported)
    } else {
        Err(ImportError::NotSiteManager)
    }
}

/// An element being read: its name, the `encoding` attribute (for `<Pass>`), its own text,
/// and the simple children read so far as (name, text, encoding).
struct Element {
    name: String,
    encoding: Option<String>,
    text: String,
    fields: Vec<(String, String, Option<String>)>,
}

impl Element {
    fn start(start: &BytesStart<'_>) -> Self {
        let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
        let encoding = start
            .try_get_attribute("encoding")
            .ok()
            .flatten()
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(std::borrow::Cow::into_owned)
            });
        Self {
            name,
            encoding,
            text: String::new(),
            fields: Vec::new(),
        }
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, text, _)| text.trim())
    }
}

fn push_text(open: &mut [Element], text: &str) {
    if let Some(element) = open.last_mut() {
        element.text.push_str(text);
    }
}

/// The folder path of the open `<Folder>`s (each named by its own text, which comes before
/// the folder's children).
fn folder_path(open: &[Element]) -> String {
    open.iter()
        .filter(|e| e.name == "Folder")
        .map(|e| folder_name(&e.text))
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

/// A `FileZilla` folder name as one Skiff folder part ('/' would nest).
fn folder_name(text: &str) -> String {
    text.trim().replace('/', "-")
}

/// Handles a closed element: a server becomes a bookmark, a folder is recorded, anything
/// else becomes a field of its parent.
fn close(element: Element, open: &mut [Element], imported: &mut Imported) {
    match element.name.as_str() {
        "Server"
            if open
                .last()
                .is_some_and(|p| p.name == "Servers" || p.name == "Folder") =>
        {
            server(&element, &folder_path(open), imported);
        }
        "Folder" => {
            let mut path = folder_path(open);
            let name = folder_name(&element.text);
            if !name.is_empty() {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(&name);
                if !imported.folders.contains(&path) {
                    imported.folders.push(path);
                }
            }
        }
        _ => {
            if let Some(parent) = open.last_mut() {
                parent
                    .fields
                    .push((element.name, element.text, element.encoding));
            }
        }
    }
}

/// A `<Server>` as a bookmark (or a reason to skip it).
fn server(element: &Element, folder: &str, imported: &mut Imported) {
    let host = element.field("Host").unwrap_or("").to_owned();
    let name = element
        .field("Name")
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .or_else(|| Some(element.text.trim().to_owned()).filter(|t| !t.is_empty()))
        .unwrap_or_else(|| host.clone());
    let path = if folder.is_empty() {
        name.clone()
    } else {
        format!("{folder}/{name}")
    };
    let protocol = match element.field("Protocol").unwrap_or("0") {
        "0" | "6" => Protocol::Ftp,
        "3" => Protocol::ImplicitTls,
        "4" => Protocol::ExplicitTls,
        other => {
            imported.skipped.push((path, unsupported(other)));
            return;
        }
    };
    if host.is_empty() {
        imported.skipped.push((path, "no host".to_owned()));
        return;
    }
    let field = |name: &str| element.field(name).unwrap_or("").to_owned();
    let logon_type = element.field("Logontype").unwrap_or("1");
    let bookmark = Bookmark {
        folder: folder.to_owned(),
        port: element
            .field("Port")
            .and_then(|p| p.parse::<u16>().ok())
            .filter(|&p| p != 0 && p != protocol.default_port()),
        protocol,
        logon: match logon_type {
            "0" => Logon::Anonymous,
            "2" => Logon::Ask,
            _ => Logon::Normal,
        },
        user: field("User"),
        mode: match element.field("PasvMode").unwrap_or("") {
            "MODE_PASSIVE" => DataMode::Passive,
            "MODE_ACTIVE" => DataMode::Active,
            _ => DataMode::Auto,
        },
        connections: element
            .field("MaximumMultipleConnections")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .map_or(2, |n| n.min(10)),
        local_folder: field("LocalDir"),
        remote_folder: element
            .field("RemoteDir")
            .and_then(remote_dir)
            .filter(|p| !p.is_root())
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        comment: field("Comments"),
        ..Bookmark::new(name, host)
    };
    // Only FileZilla's normal logon (1) brings its password; "ask", anonymous and the
    // others (interactive, account, key) import without one.
    let pass = element.fields.iter().find(|(n, _, _)| n == "Pass");
    if logon_type == "1"
        && let Some((_, text, encoding)) = pass
    {
        match password(text, encoding.as_deref()) {
            Ok(Some(p)) => imported.passwords.push((bookmark.id.clone(), p)),
            Ok(None) => {}
            Err(why) => imported.warnings.push((path, why)),
        }
    }
    imported.sites.push(bookmark);
}

/// The reason a `FileZilla` protocol number is skipped.
fn unsupported(protocol: &str) -> String {
    let name = match protocol {
        "1" => "SFTP",
        "2" => "HTTP",
        "5" => "HTTPS",
        "7" => "Amazon S3",
        "9" | "19" => "WebDAV",
        _ => return format!("FileZilla protocol {protocol} is not supported"),
    };
    format!("{name} is not supported")
}

/// A `<Pass>` value: base64 (`FileZilla` 3.26 and later), plain text (older), or encrypted
/// with a master password (not importable).
fn password(text: &str, encoding: Option<&str>) -> Result<Option<Password>, String> {
    let secret = match encoding {
        Some("base64") => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|_| "its saved password is not valid base64; not imported".to_owned())?;
            String::from_utf8(bytes)
                .map_err(|_| "its saved password is not UTF-8 text; not imported".to_owned())?
        }
        None | Some("" | "plain") => text.to_owned(),
        Some("crypt") => {
            return Err(
                "its password is encrypted with FileZilla's master password; Skiff will ask for it"
                    .to_owned(),
            );
        }
        Some(_) => return Err("its password is in an unknown encoding; not imported".to_owned()),
    };
    Ok((!secret.is_empty()).then(|| Password::new(secret)))
}

/// `FileZilla`'s `RemoteDir`: `type prefix-length [prefix] (length segment)*`, e.g.
/// `1 0 3 www 4 site` is `/www/site`. Lengths count characters, so segments may hold spaces.
fn remote_dir(text: &str) -> Option<RemotePath> {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let _server_type = number_at(&chars, &mut at)?;
    let prefix_len = number_at(&chars, &mut at)?;
    let take = |at: &mut usize, len: usize| -> Option<String> {
        // One space separates a length from its text.
        if chars.get(*at) != Some(&' ') {
            return None;
        }
        let start = *at + 1;
        let end = start.checked_add(len)?;
        let part = chars.get(start..end)?.iter().collect();
        *at = end;
        Some(part)
    };
    if prefix_len > 0 {
        take(&mut at, prefix_len)?;
    }
    let mut segments = Vec::new();
    loop {
        while chars.get(at) == Some(&' ') && chars.get(at + 1) == Some(&' ') {
            at += 1;
        }
        if chars[at..].iter().all(|c| *c == ' ') {
            break;
        }
        let len = number_at(&chars, &mut at)?;
        if len == 0 {
            return None;
        }
        segments.push(take(&mut at, len)?);
    }
    if segments.iter().any(|s| s.contains('/')) {
        return None;
    }
    Some(RemotePath::new(&segments.join("/")))
}

/// A decimal number at `at` after any spaces.
fn number_at(chars: &[char], at: &mut usize) -> Option<usize> {
    while chars.get(*at) == Some(&' ') {
        *at += 1;
    }
    let start = *at;
    while chars.get(*at).is_some_and(char::is_ascii_digit) {
        *at += 1;
    }
    chars[start..*at].iter().collect::<String>().parse().ok()
}

#[cfg(test)]
#[path = "filezilla_tests.rs"]
mod tests;
