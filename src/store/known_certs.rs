//! The server certificates the user chose to trust ("always trust" in the window, `skiff trust`
//! on the command line): `known_certificates.toml` in the data folder, one SHA-256 fingerprint
//! per host and port, versioned, written atomically, changed under a lock, a damaged file kept
//! aside. Nothing here talks to a server: the engine compares what it is given.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{StoreError, atomic, queue_file, versioned};

/// The file's name inside the data folder.
pub const FILE_NAME: &str = "known_certificates.toml";

/// The on-disk format this build writes and the newest it reads.
const FORMAT_VERSION: i64 = 1;

/// How errors name this file.
const WHAT: &str = "the trusted certificates file";

/// The first lines of the file, for whoever opens it in an editor.
const HEADER: &str = "# Server certificates trusted in Skiff (\"always trust\", or skiff trust \
URL FINGERPRINT), by host and port.\n# sha256 is the SHA-256 of the certificate (DER); \
trusted_at is when, in seconds since 1970. Delete an entry to stop trusting it.\n\n";

/// How many hex digits a SHA-256 fingerprint has.
const SHA256_HEX_LEN: usize = 64;

/// When and what was trusted for one host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Trusted {
    /// Lowercase hex, 64 digits.
    sha256: String,
    /// Unix seconds.
    trusted_at: i64,
}

/// Every remembered certificate: host and port → SHA-256 fingerprint, and when it was trusted.
/// Hosts are compared as [`host_key`] makes them (case-insensitive names, canonical IPv6).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownCertificates {
    by_address: BTreeMap<(String, u16), Trusted>,
}

impl KnownCertificates {
    /// The fingerprint trusted for `host` and `port` (lowercase hex), if any.
    #[must_use]
    pub fn fingerprint(&self, host: &str, port: u16) -> Option<&str> {
        self.by_address
            .get(&(host_key(host), port))
            .map(|t| t.sha256.as_str())
    }

    /// When the certificate of `host` and `port` was trusted (unix seconds), if one is.
    #[must_use]
    pub fn trusted_at(&self, host: &str, port: u16) -> Option<i64> {
        self.by_address
            .get(&(host_key(host), port))
            .map(|t| t.trusted_at)
    }

    /// Trusts the certificate with fingerprint `sha256` for `host` and `port` from now on,
    /// replacing any other. The fingerprint is normalized (see [`normalize_fingerprint`]); a
    /// text that is not a SHA-256 fingerprint changes nothing, so check text from a user with
    /// [`normalize_fingerprint`] first.
    pub fn trust(&mut self, host: &str, port: u16, sha256: &str) {
        self.trust_at(host, port, sha256, now());
    }

    /// [`KnownCertificates::trust`], recording `unix_seconds` as the time it was trusted.
    pub fn trust_at(&mut self, host: &str, port: u16, sha256: &str, unix_seconds: i64) {
        let (Some(sha256), Some(host)) = (normalize_fingerprint(sha256), non_empty(host_key(host)))
        else {
            return;
        };
        self.by_address.insert(
            (host, port),
            Trusted {
                sha256,
                trusted_at: unix_seconds,
            },
        );
    }

    /// Stops trusting any certificate for `host` and `port`; false when none was trusted.
    pub fn forget(&mut self, host: &str, port: u16) -> bool {
        self.by_address.remove(&(host_key(host), port)).is_some()
    }

    /// Every remembered certificate as (host, port, SHA-256 hex), sorted by host and port.
    /// IPv6 hosts come without brackets (see [`address`]).
    pub fn entries(&self) -> impl Iterator<Item = (&str, u16, &str)> {
        self.by_address
            .iter()
            .map(|((host, port), t)| (host.as_str(), *port, t.sha256.as_str()))
    }

    /// True when no certificate is remembered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }
}

/// Seconds since 1970 now (0 if the clock is before it).
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `Some(text)` unless it is empty.
fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// How a host is compared and stored: trimmed, without IPv6 brackets or a trailing dot, names
/// lowercase, IPv6 addresses in their canonical form (`0:0::1` is `::1`).
#[must_use]
pub fn host_key(host: &str) -> String {
    let host = host.trim();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let host = host.strip_suffix('.').unwrap_or(host);
    match host.parse::<Ipv6Addr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => host.to_ascii_lowercase(),
    }
}

/// `host:port` as people write it: `ftp.example.org:990`, `[::1]:990` for IPv6.
#[must_use]
pub fn address(host: &str, port: u16) -> String {
    let host = host_key(host);
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// A SHA-256 fingerprint as lowercase hex (64 digits), from the ways people copy one:
/// `AB:CD:…`, `abcd…`, with spaces, with a `sha256:` or `SHA-256` prefix, or as `openssl x509
/// -fingerprint -sha256` prints it (`sha256 Fingerprint=AB:CD:…`). `None` unless it holds
/// exactly 64 hex digits.
#[must_use]
pub fn normalize_fingerprint(text: &str) -> Option<String> {
    let text = text
        .rsplit_once('=')
        .map_or(text, |(_, value)| value)
        .trim();
    let lower = text.to_ascii_lowercase();
    let body = ["sha256:", "sha-256:", "sha256", "sha-256"]
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .unwrap_or(&lower);
    let hex: String = body
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '\t'))
        .collect();
    (hex.len() == SHA256_HEX_LEN && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

/// `AB:CD:…`: a hex fingerprint in upper case, its bytes separated by colons, as certificate
/// viewers show it.
#[must_use]
pub fn fingerprint_colons(sha256: &str) -> String {
    let upper = sha256.to_ascii_uppercase();
    let pairs: Vec<&str> = upper
        .as_bytes()
        .chunks(2)
        .filter_map(|pair| std::str::from_utf8(pair).ok())
        .collect();
    pairs.join(":")
}

/// Where the file lives: `$SKIFF_DATA_DIR/known_certificates.toml` when that variable is set
/// (tests, portable installs), else the platform data dir (on Linux
/// `~/.local/share/skiff/known_certificates.toml`). `None` when there is no home directory.
#[must_use]
pub fn default_path() -> Option<PathBuf> {
    path_for(std::env::var_os(queue_file::DATA_DIR_VAR))
}

/// [`default_path`] given the value of the data-dir variable (an empty value counts as unset).
fn path_for(data_dir: Option<OsString>) -> Option<PathBuf> {
    match data_dir {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir).join(FILE_NAME)),
        _ => directories::ProjectDirs::from("", "", "skiff").map(|d| d.data_dir().join(FILE_NAME)),
    }
}

/// One certificate in the file.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    host: String,
    port: u16,
    sha256: String,
    #[serde(default)]
    trusted_at: i64,
}

/// The file as written.
#[derive(Serialize)]
struct FileOut {
    version: i64,
    certificate: Vec<Entry>,
}

/// The file as read, version 1.
#[derive(Deserialize)]
struct FileIn {
    #[serde(default)]
    certificate: Vec<Entry>,
}

/// Reads the remembered certificates. A missing file is none. A file that does not parse is
/// moved aside to `known_certificates.toml.bak-<unix seconds>` (never deleted or overwritten)
/// and the error says where it went; a file from a newer Skiff is left in place and reported.
/// An entry with an empty host, port 0 or a fingerprint that is not 64 hex digits makes the
/// file damaged; of two entries for one host and port the later wins.
pub fn load(path: &Path) -> Result<KnownCertificates, StoreError> {
    let known = versioned::load(
        path,
        WHAT,
        (FORMAT_VERSION, "trusted certificates"),
        |file: FileIn| {
            let mut known = KnownCertificates::default();
            for (n, entry) in file.certificate.into_iter().enumerate() {
                let which = n + 1;
                let host = non_empty(host_key(&entry.host))
                    .ok_or_else(|| format!("certificate {which} has no host"))?;
                if entry.port == 0 {
                    return Err(format!("certificate {which} has port 0"));
                }
                let sha256 = normalize_fingerprint(&entry.sha256).ok_or_else(|| {
                    format!("the sha256 of certificate {which} is not 64 hex digits")
                })?;
                known.by_address.insert(
                    (host, entry.port),
                    Trusted {
                        sha256,
                        trusted_at: entry.trusted_at,
                    },
                );
            }
            Ok(known)
        },
    )?;
    Ok(known.unwrap_or_default())
}

/// Writes the certificates atomically (temp file, fsync, rename, fsync the folder; readable by
/// the user only on Unix). A crash leaves the old file or the new one, never a partial one.
pub fn save(path: &Path, known: &KnownCertificates) -> Result<(), StoreError> {
    let certificate = known
        .by_address
        .iter()
        .map(|((host, port), t)| Entry {
            host: host.clone(),
            port: *port,
            sha256: t.sha256.clone(),
            trusted_at: t.trusted_at,
        })
        .collect();
    let body = toml::to_string(&FileOut {
        version: FORMAT_VERSION,
        certificate,
    })
    .map_err(|e| StoreError::Write {
        what: WHAT,
        path: path.to_owned(),
        source: std::io::Error::other(e),
    })?;
    atomic::write(path, format!("{HEADER}{body}").as_bytes(), WHAT)
}

/// Changes the file safely with other Skiff processes about: takes an exclusive lock on the
/// sibling `known_certificates.toml.lock` (waiting for another process's change to finish),
/// reads the file again, applies `change`, saves, and returns the new contents with `change`'s
/// result. Nothing is saved when the file cannot be read (a damaged file is moved aside
/// first, see [`load`]).
pub fn update<R>(
    path: &Path,
    change: impl FnOnce(&mut KnownCertificates) -> R,
) -> Result<(KnownCertificates, R), StoreError> {
    atomic::with_lock(path, WHAT, || {
        let mut known = load(path)?;
        let result = change(&mut known);
        save(path, &known)?;
        Ok((known, result))
    })
}

#[cfg(test)]
#[path = "known_certs_tests.rs"]
mod tests;
