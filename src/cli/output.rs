//! How `skiff ls` prints entries: names, a long format, or JSON.

use serde::Serialize;

use crate::engine::ftp::listing::escape_control;
use crate::model::entry::{Entry, EntryKind};

/// One entry in `ls --json`.
#[derive(Debug, Serialize)]
struct JsonEntry<'a> {
    name: &'a str,
    kind: EntryKind,
    size: Option<u64>,
    /// RFC 3339 in UTC, or null.
    modified: Option<String>,
}

fn rfc3339(seconds: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// `ls --json`: an array of {name, kind, size, modified}.
pub fn json(entries: &[Entry]) -> String {
    let items: Vec<JsonEntry<'_>> = entries
        .iter()
        .map(|e| JsonEntry {
            name: &e.name,
            kind: e.kind,
            size: e.size,
            modified: e.modified.and_then(rfc3339),
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned())
}

/// `ls`: one name a line, folders with a trailing '/', control characters escaped.
pub fn short(entries: &[Entry]) -> String {
    let mut out = String::new();
    for e in entries {
        out.push_str(&escape_control(&e.name));
        if e.kind == EntryKind::Dir {
            out.push('/');
        }
        out.push('\n');
    }
    out
}

/// `ls -l`: permissions, size, modification time, name (and link target).
pub fn long(entries: &[Entry]) -> String {
    let mut out = String::new();
    for e in entries {
        let kind = match e.kind {
            EntryKind::Dir => 'd',
            EntryKind::Link => 'l',
            EntryKind::File => '-',
            EntryKind::Other => '?',
        };
        let perms = e.permissions.as_deref().unwrap_or("---------");
        let size = e.size.map_or_else(|| "-".to_owned(), |s| s.to_string());
        let time = e
            .modified
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map_or_else(
                || "-".repeat(16),
                |t| t.format("%Y-%m-%d %H:%M").to_string(),
            );
        let mut line = format!(
            "{kind}{perms:<9} {size:>14} {time} {}",
            escape_control(&e.name)
        );
        if let Some(target) = &e.link_target {
            line.push_str(" -> ");
            line.push_str(&escape_control(target));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Folders first, then by name.
pub fn sort(entries: &mut [Entry]) {
    entries.sort_by(|a, b| {
        b.is_dir()
            .cmp(&a.is_dir())
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// Why a command that needs no connection (`sites`, `trust`) failed: the message and the exit
/// status.
pub(super) struct Failure {
    /// What to print after `skiff: `.
    pub(super) message: String,
    /// 1: something did not work; 2: a bad argument.
    pub(super) status: i32,
}

impl Failure {
    /// Exit 1: something did not work.
    pub(super) fn failed(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: 1,
        }
    }

    /// Exit 2: a bad argument.
    pub(super) fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: 2,
        }
    }
}
