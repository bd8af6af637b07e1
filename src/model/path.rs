//! Remote paths ('/'-separated, never a `PathBuf`) and the check that a server-sent name is
//! safe to become a local file name.

use std::fmt;
use std::fmt::Write as _;

/// An absolute path on the server, always '/'-separated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RemotePath(String);

impl RemotePath {
    /// The root folder `/`.
    #[must_use]
    pub fn root() -> Self {
        Self("/".to_owned())
    }

    /// Makes an absolute path from `text`: adds a leading '/', collapses repeated '/',
    /// drops `.` components and a trailing '/'. `..` components go up (never above the root).
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut parts: Vec<&str> = Vec::new();
        for part in text.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                other => parts.push(other),
            }
        }
        Self(format!("/{}", parts.join("/")))
    }

    /// The path as the server sees it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for `/`.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.0 == "/"
    }

    /// This path with one more component. `name` must be a single safe component.
    #[must_use]
    pub fn join(&self, name: &str) -> Self {
        if self.is_root() {
            Self(format!("/{name}"))
        } else {
            Self(format!("{}/{name}", self.0))
        }
    }

    /// The folder that holds this path (the root's parent is the root).
    #[must_use]
    pub fn parent(&self) -> Self {
        match self.0.rfind('/') {
            Some(0) | None => Self::root(),
            Some(i) => Self(self.0[..i].to_owned()),
        }
    }

    /// The last component, or `None` for the root.
    #[must_use]
    pub fn file_name(&self) -> Option<&str> {
        if self.is_root() {
            None
        } else {
            self.0.rsplit('/').next()
        }
    }
}

impl fmt::Display for RemotePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when `name` can become a local file name without escaping the target folder:
/// not empty, not `.` or `..`, and free of '/', '\\' and NUL.
#[must_use]
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// Shows control characters as escapes so a name is visible and harmless in a terminal or UI.
///
/// C0 controls (including tab, CR and LF) and DEL become `\x07`-style escapes; C1 controls,
/// the line and paragraph separators (U+2028, U+2029) and the bidirectional-text controls
/// that can make a name display as something else (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069) become `\u{85}`-style escapes. Everything else, including
/// backslash, is kept as is, so this is for display, not a reversible encoding.
#[must_use]
pub fn escape_control(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let code = u32::from(c);
        if c.is_ascii_control() {
            let _ = write!(out, "\\x{code:02x}");
        } else if c.is_control() || is_invisible_format(c) {
            let _ = write!(out, "\\u{{{code:x}}}");
        } else {
            out.push(c);
        }
    }
    out
}

/// Line breaks and bidirectional controls that are not in Unicode's control category.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// The `n`th alternative to `name`: `photo.jpg` becomes `photo (n).jpg`, `notes` `notes (n)`.
#[must_use]
pub fn numbered_name(name: &str, n: u32) -> String {
    match name.rfind('.') {
        Some(dot) if dot > 0 => format!("{} ({n}){}", &name[..dot], &name[dot..]),
        _ => format!("{name} ({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_normalises() {
        assert_eq!(RemotePath::new("").as_str(), "/");
        assert_eq!(RemotePath::new("a//b/./c/").as_str(), "/a/b/c");
        assert_eq!(RemotePath::new("/a/../../b").as_str(), "/b");
    }

    #[test]
    fn join_parent_name() {
        let p = RemotePath::root().join("www").join("index.html");
        assert_eq!(p.as_str(), "/www/index.html");
        assert_eq!(p.parent().as_str(), "/www");
        assert_eq!(p.parent().parent(), RemotePath::root());
        assert_eq!(RemotePath::root().parent(), RemotePath::root());
        assert_eq!(p.file_name(), Some("index.html"));
        assert_eq!(RemotePath::root().file_name(), None);
    }

    #[test]
    fn safe_names() {
        assert!(is_safe_name("report 2026.pdf"));
        assert!(is_safe_name("..hidden"));
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", "a\0b"] {
            assert!(!is_safe_name(bad), "{bad:?} must be refused");
        }
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered_name("photo.jpg", 1), "photo (1).jpg");
        assert_eq!(numbered_name("archive.tar.gz", 2), "archive.tar (2).gz");
        assert_eq!(numbered_name("notes", 3), "notes (3)");
        assert_eq!(numbered_name(".profile", 1), ".profile (1)");
    }
}
