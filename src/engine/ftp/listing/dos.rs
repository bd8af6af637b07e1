//! Parses one line of a DOS/IIS-style `LIST` reply (`11-25-26  02:44PM  <DIR>  name`) into an
//! [`Entry`].

use chrono::NaiveDate;

use crate::model::entry::{Entry, EntryKind};

/// Parses one DOS/IIS line: a date, a time, `<DIR>` or a size, then the name.
///
/// Dates are `MM-DD-YY`, `MM-DD-YYYY` (also with `/` or `.`), day-first when the first field
/// cannot be a month, or `YYYY-MM-DD`; two-digit years 70–99 are 19xx, the others 20xx.
/// Times are 12-hour (`02:44PM`, `02:44 PM`) or 24-hour (`14:44`), taken as UTC. Sizes may
/// have thousands separators (`1,234`). `<JUNCTION>`, `<SYMLINK>` and `<SYMLINKD>` become
/// links, with the target when the name ends in `[target]`. The name is everything after the
/// whitespace that follows the size. Returns `None` for anything else.
#[must_use]
pub fn parse_line(line: &str) -> Option<Entry> {
    let (date_text, rest) = next_token(line)?;
    let (year, month, day) = parse_date(date_text)?;
    let (time_text, mut rest) = next_token(rest)?;
    let meridiem = match next_token(rest) {
        Some((m, after)) if is_meridiem(m) && !has_meridiem(time_text) => {
            rest = after;
            Some(m)
        }
        _ => None,
    };
    let (hour, minute) = parse_time(time_text, meridiem)?;
    let (size_text, rest) = next_token(rest)?;
    let name = rest.trim_start_matches([' ', '\t']);
    let (kind, size) = parse_size_field(size_text)?;
    let (name, link_target) = match (kind, link_parts(name)) {
        (EntryKind::Link, Some((name, target))) => (name, Some(target.to_owned())),
        _ => (name, None),
    };
    if name.is_empty() {
        return None;
    }
    let modified = NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(hour, minute, 0))
        .map(|dt| dt.and_utc().timestamp());
    Some(Entry {
        name: name.to_owned(),
        kind,
        size,
        modified,
        permissions: None,
        link_target,
    })
}

/// The next space- or tab-separated token and what follows its single separator.
fn next_token(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start_matches([' ', '\t']);
    if text.is_empty() {
        return None;
    }
    Some(text.split_once([' ', '\t']).unwrap_or((text, "")))
}

/// Up to `max_digits` ASCII digits as a number.
fn number(text: &str, max_digits: usize) -> Option<u32> {
    if text.is_empty() || text.len() > max_digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A date as year, month (1–12), day (1–31).
fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let separator = text.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let mut parts = text.split(separator);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year_text, first, second) = if a.len() == 4 { (a, b, c) } else { (c, a, b) };
    let (first, second) = (number(first, 2)?, number(second, 2)?);
    let (month, day) = if a.len() != 4 && first > 12 && second <= 12 {
        (second, first)
    } else {
        (first, second)
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let year = match year_text.len() {
        2 => {
            let yy = number(year_text, 2)?;
            if yy >= 70 { 1900 + yy } else { 2000 + yy }
        }
        4 => number(year_text, 4)?,
        _ => return None,
    };
    Some((i32::try_from(year).ok()?, month, day))
}

/// True for `AM` or `PM`, any case.
fn is_meridiem(text: &str) -> bool {
    text.eq_ignore_ascii_case("am") || text.eq_ignore_ascii_case("pm")
}

/// True when a time token ends in `AM` or `PM`.
fn has_meridiem(text: &str) -> bool {
    text.len() > 2 && text.get(text.len() - 2..).is_some_and(is_meridiem)
}

/// `HH:MM` with an optional `AM`/`PM` (attached, or given separately) as a 24-hour time.
fn parse_time(text: &str, separate_meridiem: Option<&str>) -> Option<(u32, u32)> {
    let (clock, meridiem) = if has_meridiem(text) {
        let split = text.len() - 2;
        (text.get(..split)?, text.get(split..))
    } else {
        (text, separate_meridiem)
    };
    let (h, m) = clock.split_once(':')?;
    let (hour, minute) = (number(h, 2)?, number(m, 2)?);
    if minute > 59 {
        return None;
    }
    match meridiem {
        None if hour < 24 => Some((hour, minute)),
        Some(am_pm) if (1..=12).contains(&hour) => {
            let pm = am_pm.eq_ignore_ascii_case("pm");
            Some((hour % 12 + if pm { 12 } else { 0 }, minute))
        }
        _ => None,
    }
}

/// `<DIR>`, a link marker, or a size (digits, optionally grouped with commas).
/// A size too big for 64 bits gives a file of unknown size.
fn parse_size_field(text: &str) -> Option<(EntryKind, Option<u64>)> {
    if text.eq_ignore_ascii_case("<DIR>") {
        return Some((EntryKind::Dir, None));
    }
    if ["<JUNCTION>", "<SYMLINK>", "<SYMLINKD>"]
        .iter()
        .any(|m| text.eq_ignore_ascii_case(m))
    {
        return Some((EntryKind::Link, None));
    }
    let valid = text.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && text.bytes().all(|b| b.is_ascii_digit() || b == b',');
    if !valid {
        return None;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    Some((EntryKind::File, digits.parse().ok()))
}

/// Splits `name [target]` (as `dir` prints junctions and symlinks) into name and target.
fn link_parts(text: &str) -> Option<(&str, &str)> {
    let (name, target) = text.strip_suffix(']')?.rsplit_once(" [")?;
    Some((name, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Entry {
        parse_line(line).unwrap_or_else(|| panic!("did not parse: {line:?}"))
    }

    fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Option<i64> {
        Some(
            NaiveDate::from_ymd_opt(y, mo, d)?
                .and_hms_opt(h, mi, 0)?
                .and_utc()
                .timestamp(),
        )
    }

    #[test]
    fn iis_directory_12_hour() {
        let e = parse("11-25-26  02:44PM       <DIR>          name with spaces");
        assert_eq!(e.name, "name with spaces");
        assert_eq!((e.kind, e.size), (EntryKind::Dir, None));
        assert_eq!(e.modified, ts(2026, 11, 25, 14, 44));
    }

    #[test]
    fn iis_file_24_hour_four_digit_year() {
        let e = parse("11-25-2026  14:44       1234 file.txt");
        assert_eq!(
            (e.name.as_str(), e.kind, e.size),
            ("file.txt", EntryKind::File, Some(1234))
        );
        assert_eq!(e.modified, ts(2026, 11, 25, 14, 44));
    }

    #[test]
    fn midnight_noon_and_old_years() {
        let e = parse("01-02-98  12:05AM                  0 old.txt");
        assert_eq!(e.modified, ts(1998, 1, 2, 0, 5));
        let e = parse("01-02-03  12:05PM                  0 noon.txt");
        assert_eq!(e.modified, ts(2003, 1, 2, 12, 5));
    }

    #[test]
    fn windows_dir_style() {
        let e = parse("11/25/2026  02:44 PM    <DIR>          Program Files");
        assert_eq!((e.name.as_str(), e.kind), ("Program Files", EntryKind::Dir));
        assert_eq!(e.modified, ts(2026, 11, 25, 14, 44));
        let e = parse("25.11.2026  14:44         1,234,567 report.pdf");
        assert_eq!(e.size, Some(1_234_567));
        assert_eq!(e.modified, ts(2026, 11, 25, 14, 44));
        let e = parse("2026-11-25  14:44    <JUNCTION>     Docs [C:\\Users\\me\\Documents]");
        assert_eq!(e.kind, EntryKind::Link);
        assert_eq!(e.name, "Docs");
        assert_eq!(e.link_target.as_deref(), Some("C:\\Users\\me\\Documents"));
    }

    #[test]
    fn odd_but_accepted() {
        let e = parse("02-30-26  02:44PM   5 bad date.txt");
        assert_eq!((e.size, e.modified), (Some(5), None));
        let e = parse("11-25-26  02:44pm   99999999999999999999999 huge");
        assert_eq!((e.name.as_str(), e.size), ("huge", None));
        let e = parse("11-25-26  02:44PM   7 ünïcödé ファイル ");
        assert_eq!(e.name, "ünïcödé ファイル ");
        let e = parse("11-25-26  02:44PM   <DIR>  dir [not a link]");
        assert_eq!(e.name, "dir [not a link]");
    }

    #[test]
    fn not_dos_lines() {
        for line in [
            "total 20",
            "550 No files found",
            "drwxr-xr-x 2 u g 4096 Nov 25 14:44 name",
            "type=file;size=1; x",
            "11-25-26  02:44PM       <DIR>",
            "11-25-26  02:44PM       <DIR>    ",
            "11-25-26  13:44PM       12 x",
            "11-25-26  00:44AM       12 x",
            "11-25-26  24:00         12 x",
            "11-25-26  12:60         12 x",
            "13-13-26  12:00         12 x",
            "11-25-265  12:00        12 x",
            "11-25  12:00            12 x",
            "11-25-26-1  12:00       12 x",
            "11-25-26  12:00         ,12 x",
            "11-25-26  12:00         <FILE> x",
            "11-25-26  12:00AMX      12 x",
            "11-25-26  ü2:00         12 x",
            "",
        ] {
            assert_eq!(parse_line(line), None, "{line:?}");
        }
    }
}
