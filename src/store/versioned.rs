//! Versioned TOML files (the bookmarks, the trusted certificates): read with the format
//! version checked first, so a file from a newer Skiff is left alone and reported, and a
//! damaged one is moved aside (never deleted) with a message that quotes no content.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::{StoreError, atomic};

/// Reads `path` as a TOML file of `kind` ("bookmarks") whose `version` must be `version`, and
/// turns it into a `T` with `check` (whose error, like a parse error, means the file is
/// damaged). `Ok(None)` when the file does not exist.
pub(crate) fn load<F: DeserializeOwned, T>(
    path: &Path,
    what: &'static str,
    (version, kind): (i64, &str),
    check: impl FnOnce(F) -> Result<T, String>,
) -> Result<Option<T>, StoreError> {
    atomic::remove_stale_temp_files(path);
    let Some(bytes) = atomic::read(path, what)? else {
        return Ok(None);
    };
    let damaged = |detail| atomic::damaged(path, what, detail);
    match parse::<F>(&bytes, version, kind) {
        Ok(file) => check(file).map(Some).map_err(damaged),
        Err(Parsed::Newer(found)) => Err(StoreError::Newer {
            what,
            path: path.to_owned(),
            version: found,
        }),
        Err(Parsed::Damaged(detail)) => Err(damaged(detail)),
    }
}

/// Why a file's bytes were not a file of the known version.
enum Parsed {
    /// A format version newer than the one this Skiff knows.
    Newer(u64),
    /// Not a file of a known version (the detail says why).
    Damaged(String),
}

fn parse<F: DeserializeOwned>(bytes: &[u8], version: i64, kind: &str) -> Result<F, Parsed> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| Parsed::Damaged(format!("not UTF-8 text: {e}")))?;
    // Only the error's message and line: its snippet of the file could show anything.
    let detail = |e: &toml::de::Error| match e.span() {
        Some(span) => format!(
            "line {}: {}",
            text[..span.start.min(text.len())].matches('\n').count() + 1,
            e.message().trim()
        ),
        None => e.message().trim().to_owned(),
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| Parsed::Damaged(detail(&e)))?;
    match table.get("version") {
        Some(toml::Value::Integer(v)) if *v == version => {}
        Some(toml::Value::Integer(v)) if *v > version => {
            return Err(Parsed::Newer(v.unsigned_abs()));
        }
        Some(other) => {
            return Err(Parsed::Damaged(format!("unknown format version {other}")));
        }
        None => {
            return Err(Parsed::Damaged(format!(
                "no `version = {version}` line: not a Skiff {kind} file"
            )));
        }
    }
    toml::from_str(text).map_err(|e| Parsed::Damaged(detail(&e)))
}
