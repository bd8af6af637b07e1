//! Parses one line of an `MLSD` reply (RFC 3659 facts, then the name) into an [`Entry`].

use chrono::NaiveDate;

use crate::model::entry::{Entry, EntryKind};

/// Parses one `fact=value;fact=value; name` line.
///
/// Facts are matched case-insensitively; the name is everything after the `; ` that ends
/// the facts, so it may contain spaces and `;`. Known facts: `type` (`file`, `dir`, `cdir`,
/// `pdir`, `OS.unix=slink:target`, `OS.unix=symlink`, other `OS.*` types become
/// [`EntryKind::Other`]), `size` (or `sizd`), `modify` (`YYYYMMDDHHMMSS[.sss]`, UTC), `perm`,
/// and `UNIX.mode` (octal, rendered as `rwxr-xr-x` and preferred over `perm`).
///
/// The current (`cdir`) and parent (`pdir`) folder come back as entries named `.` and `..`
/// whatever name the server gave them, so the caller can drop them. Returns `None` for a line
/// that is not a fact list followed by a name (server messages, garbage).
#[must_use]
pub fn parse_line(line: &str) -> Option<Entry> {
    let (facts, name) = split_facts(line)?;
    let mut kind = EntryKind::File;
    let mut special_name = None;
    let mut link_target = None;
    let (mut size, mut dir_size, mut modified, mut perm, mut mode) = (None, None, None, None, None);
    for fact in facts.split(';').filter(|f| !f.is_empty()) {
        let (key, value) = fact.split_once('=')?;
        if key.is_empty() {
            return None;
        }
        match key.to_ascii_lowercase().as_str() {
            "type" => {
                let (k, special, target) = parse_type(value);
                (kind, special_name, link_target) = (k, special, target);
            }
            "size" => size = value.parse::<u64>().ok(),
            "sizd" => dir_size = value.parse::<u64>().ok(),
            "modify" => modified = parse_time(value),
            "perm" => perm = (!value.is_empty()).then(|| value.to_owned()),
            "unix.mode" => mode = render_mode(value),
            _ => {}
        }
    }
    if name.is_empty() && special_name.is_none() {
        return None;
    }
    Some(Entry {
        name: special_name.unwrap_or(name).to_owned(),
        kind,
        size: size.or(dir_size),
        modified,
        permissions: mode.or(perm),
        link_target,
    })
}

/// Splits a line into its facts (without the final `;`) and the name. A line starting with a
/// space has no facts (as MLST allows). A non-conforming line whose facts lack the final `;`
/// is split at its first space. The facts must contain at least one `=`.
fn split_facts(line: &str) -> Option<(&str, &str)> {
    if let Some(name) = line.strip_prefix(' ') {
        return Some(("", name));
    }
    let (facts, name) = line.split_once("; ").or_else(|| line.split_once(' '))?;
    facts.contains('=').then_some((facts, name))
}

/// The kind for a `type` fact value, the special name (`.`/`..`) for `cdir`/`pdir`, and a
/// symlink's target when the value carries one (`OS.unix=slink:/target`).
fn parse_type(value: &str) -> (EntryKind, Option<&'static str>, Option<String>) {
    let lower = value.to_ascii_lowercase();
    match lower.as_str() {
        "file" => (EntryKind::File, None, None),
        "dir" => (EntryKind::Dir, None, None),
        "cdir" => (EntryKind::Dir, Some("."), None),
        "pdir" => (EntryKind::Dir, Some(".."), None),
        _ => {
            let os_type = lower.strip_prefix("os.unix=").unwrap_or_default();
            if os_type.starts_with("slink") || os_type.starts_with("symlink") {
                let target = value
                    .split_once(':')
                    .map(|(_, t)| t)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned);
                (EntryKind::Link, None, target)
            } else {
                (EntryKind::Other, None, None)
            }
        }
    }
}

/// `YYYYMMDDHHMMSS` with an optional `.sss` fraction (ignored), UTC, as seconds since the epoch
/// (`MLSx` `modify` facts and MDTM replies).
#[must_use]
pub fn parse_time(value: &str) -> Option<i64> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, "0"));
    if whole.len() != 14
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.is_empty()
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let field = |range: std::ops::Range<usize>| whole.get(range)?.parse::<u32>().ok();
    let year = i32::try_from(field(0..4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, field(4..6)?, field(6..8)?)?;
    let time = date.and_hms_opt(field(8..10)?, field(10..12)?, field(12..14)?)?;
    Some(time.and_utc().timestamp())
}

/// Renders an octal `UNIX.mode` (`0755`, `4755`, `100644`) as nine `ls`-style characters,
/// with setuid, setgid and sticky bits shown as `s`/`S` and `t`/`T`.
fn render_mode(value: &str) -> Option<String> {
    if value.is_empty() || value.len() > 7 || !value.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    let mode = u32::from_str_radix(value, 8).ok()?;
    let special = [0o4000, 0o2000, 0o1000];
    let mut out = String::with_capacity(9);
    for (who, special_bit) in special.iter().enumerate() {
        let shift = 6 - 3 * who;
        let bits = (mode >> shift) & 0o7;
        out.push(if bits & 0o4 == 0 { '-' } else { 'r' });
        out.push(if bits & 0o2 == 0 { '-' } else { 'w' });
        let exec = bits & 0o1 != 0;
        let lower = if who == 2 { 't' } else { 's' };
        out.push(match (exec, mode & special_bit != 0) {
            (true, false) => 'x',
            (false, false) => '-',
            (true, true) => lower,
            (false, true) => lower.to_ascii_uppercase(),
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Entry {
        parse_line(line).unwrap_or_else(|| panic!("did not parse: {line:?}"))
    }

    #[test]
    fn proftpd_file_with_unix_mode() {
        let e = parse(
            "modify=20231125144400;perm=adfrw;size=1234;type=file;unique=FD00U1234;\
             UNIX.group=1000;UNIX.mode=0644;UNIX.owner=1000; file.txt",
        );
        assert_eq!(e.name, "file.txt");
        assert_eq!(e.kind, EntryKind::File);
        assert_eq!(e.size, Some(1234));
        assert_eq!(e.modified, Some(1_700_923_440));
        assert_eq!(e.permissions.as_deref(), Some("rw-r--r--"));
    }

    #[test]
    fn pure_ftpd_dir_keeps_perm_without_mode() {
        let e = parse("type=dir;modify=20260101000000;perm=flcdmpe; My Documents");
        assert_eq!((e.name.as_str(), e.kind), ("My Documents", EntryKind::Dir));
        assert_eq!(e.permissions.as_deref(), Some("flcdmpe"));
        assert_eq!(e.modified, Some(1_767_225_600));
    }

    #[test]
    fn names_with_spaces_and_semicolons() {
        let e = parse("type=file;size=5; a; b=c;  d ");
        assert_eq!(e.name, "a; b=c;  d ");
        let e = parse("type=file;size=5;  leading space");
        assert_eq!(e.name, " leading space");
    }

    #[test]
    fn facts_are_case_insensitive() {
        let e = parse("Type=DIR;Size=10;Modify=20231125144400.123;unix.MODE=4755; x");
        assert_eq!(e.kind, EntryKind::Dir);
        assert_eq!(e.size, Some(10));
        assert_eq!(e.modified, Some(1_700_923_440));
        assert_eq!(e.permissions.as_deref(), Some("rwsr-xr-x"));
    }

    #[test]
    fn current_and_parent_dirs() {
        assert_eq!(parse("type=cdir;perm=el; /home/user").name, ".");
        assert_eq!(parse("type=pdir;perm=el; /home").name, "..");
        assert_eq!(parse("type=cdir; .").name, ".");
    }

    #[test]
    fn symlinks_and_other_types() {
        let e = parse("type=OS.unix=slink:/etc/target dir;size=4; link");
        assert_eq!(e.kind, EntryKind::Link);
        assert_eq!(e.link_target.as_deref(), Some("/etc/target dir"));
        let e = parse("type=OS.unix=symlink;size=4; link2");
        assert_eq!((e.kind, e.link_target), (EntryKind::Link, None));
        let e = parse("type=OS.unix=chardev;size=0; tty");
        assert_eq!(e.kind, EntryKind::Other);
    }

    #[test]
    fn sizd_and_bad_values() {
        let e = parse("type=dir;sizd=4096; d");
        assert_eq!(e.size, Some(4096));
        let e = parse("type=file;size=999999999999999999999999;modify=2023;UNIX.mode=999; f");
        assert_eq!((e.size, e.modified, e.permissions), (None, None, None));
        let e = parse("type=file;modify=20231340000000;perm=; f");
        assert_eq!((e.modified, e.permissions), (None, None));
    }

    #[test]
    fn unix_mode_rendering() {
        for (mode, text) in [
            ("0755", "rwxr-xr-x"),
            ("755", "rwxr-xr-x"),
            ("100644", "rw-r--r--"),
            ("1777", "rwxrwxrwt"),
            ("1776", "rwxrwxrwT"),
            ("6644", "rwSr-Sr--"),
            ("0", "---------"),
        ] {
            assert_eq!(render_mode(mode).as_deref(), Some(text), "{mode}");
        }
        assert_eq!(render_mode("07777777"), None);
        assert_eq!(render_mode("0x1"), None);
    }

    #[test]
    fn facts_only_or_no_facts() {
        assert_eq!(parse(" bare name").name, "bare name");
        assert_eq!(parse("type=file name").name, "name");
        for line in [
            "550 No files found",
            "total 20",
            "type=file;size=1;",
            "type=file;size=1; ",
            "garbage",
            "=x; name",
            "type=file;junk; name",
            "drwxr-xr-x 2 u g 4096 Nov 25 14:44 name",
        ] {
            assert_eq!(parse_line(line), None, "{line:?}");
        }
    }
}
