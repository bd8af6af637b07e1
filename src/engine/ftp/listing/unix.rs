//! Parses one line of a Unix-style `LIST` reply (`ls -l` output) into an [`Entry`].
//!
//! The date is the anchor: the token before it is the size (or a device's minor number),
//! the tokens between the mode and the size (link count, owner, group) are ignored, and the
//! name is everything after the date's last field and the single space that follows it.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};

use crate::model::entry::{Entry, EntryKind};

/// How many leading tokens are looked at; the date must start within them.
const MAX_TOKENS: usize = 14;

/// A whitespace-separated field of the line and where it ends (a byte offset).
struct Token<'a> {
    text: &'a str,
    end: usize,
}

/// A well-formed date field's time: `None` inside when the fields were well-formed but the
/// date does not exist (like `Feb 30`).
struct Stamp(Option<i64>);

/// Where the date was found: its first token's index, where the name starts, and its time.
struct DateMatch {
    first: usize,
    name_start: usize,
    modified: Option<i64>,
}

/// Parses one `ls -l`-style line such as `drwxr-xr-x 2 owner group 4096 Nov 25 14:44 name`.
///
/// Handles lines with and without the group column, year-less (`Nov 25 14:44`, year inferred
/// from `now`) and yearly (`Jan  5  2023`) dates, `25 Nov` day-first and `2023-11-25 14:44`
/// ISO dates, symlinks (`name -> target`), device files (`4, 1` instead of a size), ACL and
/// extended-attribute markers (`+`, `@`, `.`) and setuid/setgid/sticky bits. Returns `None`
/// for anything else (`total 20`, server messages, garbage).
#[must_use]
pub fn parse_line(line: &str, now: NaiveDateTime) -> Option<Entry> {
    let tokens: Vec<Token<'_>> = tokenize(line).take(MAX_TOKENS).collect();
    let (type_char, permissions) = parse_mode(tokens.first()?.text)?;
    let device = matches!(type_char, 'c' | 'b');
    let date = find_date(&tokens, device, now)?;
    let size = if device {
        None
    } else {
        // find_date checked the size token is all digits; only overflow can fail here.
        tokens
            .get(date.first.checked_sub(1)?)
            .and_then(|t| t.text.parse::<u64>().ok())
    };
    let raw_name = line.get(date.name_start..)?;
    let kind = match type_char {
        '-' => EntryKind::File,
        'd' => EntryKind::Dir,
        'l' => EntryKind::Link,
        _ => EntryKind::Other,
    };
    let (name, link_target) = match (kind, raw_name.split_once(" -> ")) {
        (EntryKind::Link, Some((name, target))) => (name, Some(target.to_owned())),
        _ => (raw_name, None),
    };
    if name.is_empty() {
        return None;
    }
    Some(Entry {
        name: name.to_owned(),
        kind,
        size,
        modified: date.modified,
        permissions: Some(permissions),
        link_target,
    })
}

/// Splits on spaces and tabs (both one byte), remembering where each token ends.
fn tokenize(line: &str) -> impl Iterator<Item = Token<'_>> {
    let mut offset = 0;
    line.split([' ', '\t']).filter_map(move |piece| {
        let end = offset + piece.len();
        offset = end + 1;
        (!piece.is_empty()).then_some(Token { text: piece, end })
    })
}

/// Checks the mode field (`drwxr-xr-x`, optionally followed by `+`, `@` or `.`) and returns
/// the type character and the nine permission characters.
fn parse_mode(text: &str) -> Option<(char, String)> {
    let bytes = text.as_bytes();
    match bytes.len() {
        10 => {}
        11 if matches!(bytes.get(10), Some(b'+' | b'@' | b'.')) => {}
        _ => return None,
    }
    let type_char = char::from(*bytes.first()?);
    if !matches!(
        type_char,
        '-' | 'd' | 'l' | 'c' | 'b' | 'p' | 's' | 'D' | 'n' | 'w'
    ) {
        return None;
    }
    let perms = bytes.get(1..10)?;
    let valid = perms.iter().enumerate().all(|(i, b)| match i % 3 {
        0 => matches!(b, b'r' | b'-'),
        1 => matches!(b, b'w' | b'-'),
        _ => matches!(b, b'x' | b'-' | b's' | b'S' | b't' | b'T' | b'l' | b'L'),
    });
    valid.then(|| (type_char, perms.iter().map(|&b| char::from(b)).collect()))
}

/// Finds the first date (month/day/time-or-year, day/month/time-or-year, or ISO date and time)
/// that is preceded by a valid size field.
fn find_date(tokens: &[Token<'_>], device: bool, now: NaiveDateTime) -> Option<DateMatch> {
    let text = |i: usize| tokens.get(i).map_or("", |t| t.text);
    for i in 2..tokens.len() {
        if !is_size(text(i - 1), device) {
            continue;
        }
        let found = if let (Some(month), Some(day)) = (month(text(i)), day(text(i + 1))) {
            time_or_year(text(i + 2), month, day, now).map(|m| (i + 2, m))
        } else if let (Some(day), Some(month)) = (day(text(i)), month(text(i + 1))) {
            time_or_year(text(i + 2), month, day, now).map(|m| (i + 2, m))
        } else {
            iso_date_time(text(i), text(i + 1)).map(|m| (i + 1, m))
        };
        if let Some((last, Stamp(modified))) = found {
            return Some(DateMatch {
                first: i,
                name_start: tokens.get(last)?.end + 1,
                modified,
            });
        }
    }
    None
}

/// A size is all digits; a device's minor number may also be `4,1` or hex `0x1f`.
fn is_size(text: &str, device: bool) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(text) {
        return true;
    }
    device
        && (text
            .split_once(',')
            .is_some_and(|(a, b)| digits(a) && digits(b))
            || text
                .strip_prefix("0x")
                .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())))
}

/// An English three-letter month name, any case, as 1–12.
fn month(text: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let position = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(text))?;
    u32::try_from(position).ok().map(|m| m + 1)
}

/// A day of the month: one or two digits, 1–31.
fn day(text: &str) -> Option<u32> {
    small_number(text, 2).filter(|d| (1..=31).contains(d))
}

/// Up to `max_digits` ASCII digits as a number.
fn small_number(text: &str, max_digits: usize) -> Option<u32> {
    if text.is_empty() || text.len() > max_digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `HH:MM` (or `HH:MM:SS`) as hour, minute, second.
fn clock(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split(':');
    let hour = small_number(parts.next()?, 2).filter(|h| *h < 24)?;
    let minute = parts
        .next()
        .and_then(|m| small_number(m, 2))
        .filter(|m| *m < 60)?;
    let second = match parts.next() {
        Some(s) => small_number(s, 2).filter(|s| *s < 61)?,
        None => 0,
    };
    parts.next().is_none().then_some((hour, minute, second))
}

/// The third date field: a time (year inferred from `now`) or a four-digit year.
fn time_or_year(text: &str, month: u32, day: u32, now: NaiveDateTime) -> Option<Stamp> {
    if let Some((hour, minute, second)) = clock(text) {
        return Some(Stamp(infer_year(now, month, day, hour, minute, second)));
    }
    if text.len() != 4 {
        return None;
    }
    let year = i32::try_from(small_number(text, 4)?).ok()?;
    Some(Stamp(timestamp(year, month, day, 0, 0, 0)))
}

/// `2023-11-25` followed by `14:44`, as `ls --time-style=long-iso` prints.
fn iso_date_time(date: &str, time: &str) -> Option<Stamp> {
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    let year = i32::try_from(small_number(y, 4)?).ok()?;
    let month = small_number(m, 2).filter(|m| (1..=12).contains(m))?;
    let day = day(d)?;
    let (hour, minute, second) = clock(time)?;
    Some(Stamp(timestamp(year, month, day, hour, minute, second)))
}

/// The most recent year in which the date exists and is at most one day after `now`.
fn infer_year(
    now: NaiveDateTime,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
) -> Option<i64> {
    let limit = now.checked_add_signed(TimeDelta::days(1)).unwrap_or(now);
    let this_year = now.year();
    (this_year.saturating_sub(8)..=this_year.saturating_add(1))
        .rev()
        .filter_map(|year| date_time(year, month, day, hour, minute, second))
        .find(|candidate| *candidate <= limit)
        .map(|dt| dt.and_utc().timestamp())
}

/// A calendar date and time, when it exists.
fn date_time(year: i32, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(h, m, s)
}

/// Seconds since the epoch for a date and time taken as UTC.
fn timestamp(year: i32, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<i64> {
    date_time(year, month, day, h, m, s).map(|dt| dt.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        date_time(2026, 3, 15, 12, 0, 0).unwrap()
    }

    fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Option<i64> {
        timestamp(y, mo, d, h, mi, 0)
    }

    fn parse(line: &str) -> Entry {
        parse_line(line, now()).unwrap_or_else(|| panic!("did not parse: {line:?}"))
    }

    #[test]
    fn vsftpd_dir_and_file() {
        let e = parse("drwxr-xr-x    2 1000     1000         4096 Nov 25 14:44 docs");
        assert_eq!(e.name, "docs");
        assert_eq!(e.kind, EntryKind::Dir);
        assert_eq!(e.size, Some(4096));
        assert_eq!(e.modified, ts(2025, 11, 25, 14, 44));
        assert_eq!(e.permissions.as_deref(), Some("rwxr-xr-x"));
        let e = parse("-rw-r--r--    1 ftp      ftp       1048576 Jan 05  2023 big.bin");
        assert_eq!((e.kind, e.size), (EntryKind::File, Some(1_048_576)));
        assert_eq!(e.modified, ts(2023, 1, 5, 0, 0));
    }

    #[test]
    fn without_group_column() {
        let e = parse("-rw-r--r-- 1 owner 1234 Jan 5 2023 name");
        assert_eq!((e.name.as_str(), e.size), ("name", Some(1234)));
        assert_eq!(e.modified, ts(2023, 1, 5, 0, 0));
        let e = parse("-rw-r--r-- 1 owner 5 Nov 25 14:44 five");
        assert_eq!((e.name.as_str(), e.size), ("five", Some(5)));
    }

    #[test]
    fn pure_ftpd_proftpd_busybox_pyftpdlib() {
        let lines = [
            "-rw-r--r--    1 1000     1000       12 Mar  1 09:05 a.txt",
            "-rw-r--r--   1 ftp      ftp         77 Feb 28 23:59 readme",
            "-rw-r--r--    1 0        0         123 Mar 14 10:00 bb",
            "-rw-rw-rw-   1 owner   group 7045120 Sep 02  2012 music.mp3",
            "-rw-r--r--   1 user Domain Users 42 Dec 24  2024 owner with space",
            "-rwxr-xr-x 1 root root 0 2023-11-25 14:44 iso.sh",
        ];
        let sizes = [12, 77, 123, 7_045_120, 42, 0];
        for (line, size) in lines.into_iter().zip(sizes) {
            assert_eq!(parse(line).size, Some(size), "{line}");
        }
        assert_eq!(parse(lines[4]).name, "owner with space");
        assert_eq!(parse(lines[5]).modified, ts(2023, 11, 25, 14, 44));
    }

    #[test]
    fn names_with_spaces_are_kept_whole() {
        let e = parse("-rw-r--r-- 1 u g 10 Nov 25 14:44 my  file  .txt ");
        assert_eq!(e.name, "my  file  .txt ");
        let e = parse("-rw-r--r-- 1 u g 10 Nov 25 14:44  leading");
        assert_eq!(e.name, " leading");
        let e = parse("-rw-r--r-- 1 u g 10 Nov 25  2020 Nov 25 14:44 x");
        assert_eq!(e.name, "Nov 25 14:44 x");
        assert_eq!(e.modified, ts(2020, 11, 25, 0, 0));
    }

    #[test]
    fn symlinks() {
        let e = parse("lrwxrwxrwx    1 0        0              11 Nov 25 14:44 a -> b");
        assert_eq!(e.kind, EntryKind::Link);
        assert_eq!(
            (e.name.as_str(), e.link_target.as_deref()),
            ("a", Some("b"))
        );
        let e = parse("lrwxrwxrwx 1 u g 20 Nov 25 14:44 my link -> ../some dir/x -> y");
        assert_eq!(e.name, "my link");
        assert_eq!(e.link_target.as_deref(), Some("../some dir/x -> y"));
        let e = parse("lrwxrwxrwx 1 u g 20 Nov 25 14:44 no-target");
        assert_eq!((e.name.as_str(), e.link_target), ("no-target", None));
        let e = parse("-rw-r--r-- 1 u g 20 Nov 25 14:44 file -> not a link");
        assert_eq!(e.name, "file -> not a link");
    }

    #[test]
    fn device_files() {
        for line in [
            "crw-rw----    1 root     tty        4,   1 Nov 25 14:44 tty1",
            "crw-rw---- 1 root tty 4,1 Nov 25 14:44 tty1",
            "brw-rw----  1 root  disk  0x0800 Nov 25 14:44 tty1",
        ] {
            let e = parse(line);
            assert_eq!(
                (e.name.as_str(), e.kind, e.size),
                ("tty1", EntryKind::Other, None)
            );
        }
        let e = parse("prw-r--r-- 1 u g 0 Nov 25 14:44 fifo");
        assert_eq!((e.kind, e.size), (EntryKind::Other, Some(0)));
        let e = parse("srwxrwxrwx 1 u g 0 Nov 25 14:44 sock");
        assert_eq!(e.kind, EntryKind::Other);
    }

    #[test]
    fn acl_markers_and_special_bits() {
        for (line, perms) in [
            ("-rw-r--r--+ 1 u g 1 Nov 25 14:44 acl", "rw-r--r--"),
            ("-rw-r--r--@ 1 u staff 1 Nov 25 14:44 xattr", "rw-r--r--"),
            ("-rw-r--r--. 1 u g 1 Nov 25 14:44 selinux", "rw-r--r--"),
            ("-rwsr-xr-x 1 root root 1 Nov 25 14:44 su", "rwsr-xr-x"),
            ("-rwSr-Sr-T 1 root root 1 Nov 25 14:44 odd", "rwSr-Sr-T"),
            ("drwxrwxrwt 9 root root 4096 Nov 25 14:44 tmp", "rwxrwxrwt"),
            ("-rwxr-sr-x 1 root root 1 Nov 25 14:44 sg", "rwxr-sr-x"),
        ] {
            assert_eq!(parse(line).permissions.as_deref(), Some(perms), "{line}");
        }
    }

    #[test]
    fn year_inference_around_new_year() {
        let at = |y, mo, d, h| date_time(y, mo, d, h, 0, 0).unwrap();
        let line = "-rw-r--r-- 1 u g 1 Dec 31 23:00 f";
        let e = parse_line(line, at(2026, 1, 1, 10)).unwrap();
        assert_eq!(e.modified, ts(2025, 12, 31, 23, 0));
        let line = "-rw-r--r-- 1 u g 1 Jan  1 00:30 f";
        let e = parse_line(line, at(2025, 12, 31, 23)).unwrap();
        assert_eq!(e.modified, ts(2026, 1, 1, 0, 30), "a clock slightly ahead");
        let e = parse_line(line, at(2025, 6, 1, 0)).unwrap();
        assert_eq!(e.modified, ts(2025, 1, 1, 0, 30));
        let line = "-rw-r--r-- 1 u g 1 Feb 29 12:00 leap";
        let e = parse_line(line, at(2026, 3, 1, 0)).unwrap();
        assert_eq!(e.modified, ts(2024, 2, 29, 12, 0));
    }

    #[test]
    fn odd_but_accepted() {
        let e = parse("-rw-r--r-- 1 u g 3 25 Nov 14:44 dayfirst");
        assert_eq!((e.name.as_str(), e.size), ("dayfirst", Some(3)));
        let e = parse("-rw-r--r-- 1 u g 3 Feb 30  2023 nodate");
        assert_eq!(e.modified, None);
        let e = parse("-rw-r--r-- 1 u g 99999999999999999999999 Nov 25 14:44 huge");
        assert_eq!((e.name.as_str(), e.size), ("huge", None));
        let e = parse("-rw-r--r-- 1 ü g 3 Nov 25 14:44 日本語 ファイル");
        assert_eq!(e.name, "日本語 ファイル");
        let e = parse("-rw-r--r--\t1\tu\tg\t3\tNov\t25\t14:44\ttabbed");
        assert_eq!(e.name, "tabbed");
    }

    #[test]
    fn not_unix_lines() {
        for line in [
            "total 20",
            "550 No files found",
            "11-25-26  02:44PM       <DIR>          dir",
            "type=file;size=1; x",
            "-rw-r--r-- 1 u g 10 Nov 25 14:44",
            "-rw-r--r-- 1 u g 10 Nov 25 14:44 ",
            "-rw-r--r-- 1 u g ten Nov 25 14:44 x",
            "-rw-r--r-- 1 u g 10 Foo 25 14:44 x",
            "-rw-r--r-- 1 u g 10 Nov 32 14:44 x",
            "-rw-r--r-- 1 u g 10 Nov 25 24:44 x",
            "crw-rw---- 1 root tty 4, x Nov 25 14:44 tty1",
            "xrw-r--r-- 1 u g 10 Nov 25 14:44 x",
            "-rw-r--r--++ 1 u g 10 Nov 25 14:44 x",
            "-rq-r--r-- 1 u g 10 Nov 25 14:44 x",
            "-rw-r--r-é 1 u g 10 Nov 25 14:44 x",
            "",
            "drwxr-xr-x",
        ] {
            assert_eq!(parse_line(line, now()), None, "{line:?}");
        }
    }
}
