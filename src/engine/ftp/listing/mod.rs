//! Turns the text of an FTP directory listing (`MLSD` or `LIST`) into entries.
//!
//! Skiff parses listings itself rather than trusting a generic parser: every line either
//! becomes an [`Entry`] with a safe, single-component name, or is reported in
//! [`ParsedListing::skipped`] for the caller to log. `total 20`, server messages and garbage
//! never become entries, and neither do names that are empty or contain `/` or NUL. The
//! current and parent folders (`.` and `..`) are dropped silently.

pub mod dos;
pub mod mlsd;
pub mod unix;

use chrono::NaiveDateTime;

use crate::model::entry::Entry;
pub use crate::model::path::{escape_control, is_safe_name};

/// How many characters of a skipped line are kept for the log.
const SKIPPED_LINE_CHARS: usize = 200;

/// Which command produced the listing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListingFormat {
    /// `MLSD` output: RFC 3659 facts, then the name.
    Mlsd,
    /// `LIST` output: Unix `ls -l` style or DOS/IIS style, possibly mixed.
    List,
}

/// The result of parsing a whole listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedListing {
    /// The entries, in listing order, without `.` and `..`.
    pub entries: Vec<Entry>,
    /// Lines that parsed as nothing or named something unsafe, truncated to 200 characters
    /// with control characters escaped, ready to log.
    pub skipped: Vec<String>,
}

/// Parses a listing's text, line by line.
///
/// Lines are split on `\n` with a trailing `\r` removed; blank lines are ignored. `MLSD` lines
/// go to [`mlsd::parse_line`]; each `LIST` line is tried as Unix ([`unix::parse_line`]) and
/// then as DOS/IIS ([`dos::parse_line`]), so a server mixing the two still lists fully.
/// `now` is used to give year-less Unix dates (`Nov 25 14:44`) their year.
#[must_use]
pub fn parse_listing(text: &str, format: ListingFormat, now: NaiveDateTime) -> ParsedListing {
    let mut listing = ParsedListing::default();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let parsed = match format {
            ListingFormat::Mlsd => mlsd::parse_line(line),
            ListingFormat::List => unix::parse_line(line, now).or_else(|| dos::parse_line(line)),
        };
        match parsed {
            Some(entry) if entry.name == "." || entry.name == ".." => {}
            Some(entry) if is_acceptable_name(&entry.name) => listing.entries.push(entry),
            _ => listing.skipped.push(loggable_line(line)),
        }
    }
    listing
}

/// Whether a parsed name may become an entry: not empty, no `/`, no NUL. (Backslash is kept:
/// Unix servers may have such names; [`is_safe_name`] guards local paths.)
fn is_acceptable_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\0'])
}

/// A line shortened and escaped for logging.
fn loggable_line(line: &str) -> String {
    let short: String = line.chars().take(SKIPPED_LINE_CHARS).collect();
    escape_control(&short)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::model::entry::EntryKind;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 15)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    fn names(listing: &ParsedListing) -> Vec<&str> {
        listing.entries.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn unix_listing_with_total_dots_and_crlf() {
        let text = "total 20\r\n\
            drwxr-xr-x  5 u g 4096 Nov 25 14:44 .\r\n\
            drwxr-xr-x 10 u g 4096 Nov 25 14:44 ..\r\n\
            -rw-r--r--  1 u g   12 Jan  5  2023 a file\r\n\
            lrwxrwxrwx  1 u g    4 Nov 25 14:44 a -> b\r\n\
            \r\n";
        let listing = parse_listing(text, ListingFormat::List, now());
        assert_eq!(names(&listing), ["a file", "a"]);
        assert_eq!(listing.skipped, ["total 20"]);
        assert_eq!(listing.entries[1].link_target.as_deref(), Some("b"));
    }

    #[test]
    fn messages_and_garbage_are_skipped() {
        let text = "550 No files found\ngarbage line\n   \n\u{1b}[31mred\u{7}";
        for format in [ListingFormat::List, ListingFormat::Mlsd] {
            let listing = parse_listing(text, format, now());
            assert!(listing.entries.is_empty());
            assert_eq!(
                listing.skipped,
                ["550 No files found", "garbage line", "\\x1b[31mred\\x07"]
            );
        }
    }

    #[test]
    fn mixed_unix_and_dos_lines() {
        let text = "-rw-r--r-- 1 u g 3 Nov 25 14:44 unix.txt\n\
                    11-25-26  02:44PM       <DIR>          dos dir\n";
        let listing = parse_listing(text, ListingFormat::List, now());
        assert_eq!(names(&listing), ["unix.txt", "dos dir"]);
        assert_eq!(listing.entries[1].kind, EntryKind::Dir);
    }

    #[test]
    fn mlsd_listing_drops_cdir_and_pdir_silently() {
        let text = "type=cdir;perm=el; /pub\r\n\
                    type=pdir;perm=el; /\r\n\
                    type=file;size=3;UNIX.mode=0755; run me; now\r\n\
                    type=file;size=3; sub/dir\r\n";
        let listing = parse_listing(text, ListingFormat::Mlsd, now());
        assert_eq!(names(&listing), ["run me; now"]);
        assert_eq!(listing.entries[0].permissions.as_deref(), Some("rwxr-xr-x"));
        assert_eq!(listing.skipped, ["type=file;size=3; sub/dir"]);
    }

    #[test]
    fn unsafe_names_are_skipped_and_escaped() {
        let text = "-rw-r--r-- 1 u g 3 Nov 25 14:44 a/b\n\
                    -rw-r--r-- 1 u g 3 Nov 25 14:44 nul\0name\n\
                    -rw-r--r-- 1 u g 3 Nov 25 14:44 back\\slash\n\
                    -rw-r--r-- 1 u g 3 Nov 25 14:44 tab\there";
        let listing = parse_listing(text, ListingFormat::List, now());
        assert_eq!(names(&listing), ["back\\slash", "tab\there"]);
        assert_eq!(listing.skipped.len(), 2);
        assert!(listing.skipped[1].ends_with("nul\\x00name"));
    }

    #[test]
    fn skipped_lines_are_truncated() {
        let long = "é".repeat(500);
        let listing = parse_listing(&long, ListingFormat::List, now());
        assert_eq!(listing.skipped.len(), 1);
        assert_eq!(listing.skipped[0].chars().count(), SKIPPED_LINE_CHARS);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_control("plain ünï 日本"), "plain ünï 日本");
        assert_eq!(escape_control("a\tb\r\n\u{7f}"), "a\\x09b\\x0d\\x0a\\x7f");
        assert_eq!(escape_control("\u{85}\u{9b}x"), "\\u{85}\\u{9b}x");
        assert_eq!(
            escape_control("evil\u{202e}txt.exe"),
            "evil\\u{202e}txt.exe"
        );
        assert_eq!(escape_control("\0"), "\\x00");
    }

    #[test]
    fn safe_names() {
        for name in ["a", "a b", " x ", "...", "日本", "a\tb"] {
            assert!(is_safe_name(name), "{name:?}");
        }
        for name in ["", ".", "..", "a/b", "/", "a\\b", "a\0b"] {
            assert!(!is_safe_name(name), "{name:?}");
        }
    }

    fn assert_invariants(listing: &ParsedListing) {
        for entry in &listing.entries {
            let name = entry.name.as_str();
            assert!(!name.is_empty() && name != "." && name != "..", "{name:?}");
            assert!(!name.contains(['/', '\0']), "{name:?}");
        }
        for line in &listing.skipped {
            assert!(!line.chars().any(char::is_control), "{line:?}");
        }
    }

    fn check_all_formats(text: &str) {
        for format in [ListingFormat::List, ListingFormat::Mlsd] {
            assert_invariants(&parse_listing(text, format, now()));
        }
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "drwxr-xr-x",
                "-rw-r--r--+",
                "lrwxrwxrwx",
                "crw-rw----",
                "-rwsr-xr-x",
                "1",
                "owner",
                "4,",
                "4,1",
                "Nov",
                "25",
                "14:44",
                "2023",
                "->",
                ".",
                "..",
                "/",
                "\0",
                "a/b",
                "type=cdir;",
                "type=pdir;",
                "type=file;size=1;",
                "modify=20231125144400;",
                "UNIX.mode=0755;",
                "type=OS.unix=slink:/x;",
                "<DIR>",
                "11-25-26",
                "02:44PM",
                "PM",
                "1,234",
                "99999999999999999999999",
                "total",
                "550",
                "\r",
                "\n",
                "\r\n",
                " ",
                "  ",
                "\t",
                "; ",
                "é",
                "日本",
                "\u{202e}",
            ])
            .prop_map(str::to_owned),
            "[a-z0-9.]{1,5}",
            "\\PC{0,4}",
            any::<char>().prop_map(String::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_strings_never_panic_or_yield_unsafe_names(text in any::<String>()) {
            check_all_formats(&text);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            check_all_formats(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn listing_fragments_never_panic(parts in prop::collection::vec(fragment(), 0..40)) {
            check_all_formats(&parts.concat());
        }

        #[test]
        fn unix_lines_round_trip_name_and_size(
            leading in 0..3usize,
            name in "[^/\\s\\p{Cc}.][^/\\p{Cc}]{0,30}",
            size in any::<u64>(),
            dir in any::<bool>(),
            group in any::<bool>(),
            marker in prop::sample::select(vec!["", "+", "@", "."]),
            month in 0..12usize,
            day in 1..=28u32,
            yearly in any::<bool>(),
            pad in 1..8usize,
        ) {
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let name = format!("{}{name}", " ".repeat(leading));
            let mode = if dir { "drwxr-xr-x" } else { "-rw-r--r--" };
            let group = if group { " staff" } else { "" };
            let when = if yearly { " 2021".to_owned() } else { "09:07".to_owned() };
            let line = format!(
                "{mode}{marker} 1 owner{group}{}{size} {} {day:>2} {when} {name}",
                " ".repeat(pad),
                MONTHS[month],
            );
            let listing = parse_listing(&line, ListingFormat::List, now());
            prop_assert!(listing.skipped.is_empty(), "{:?}", listing.skipped);
            prop_assert_eq!(listing.entries.len(), 1);
            let entry = &listing.entries[0];
            prop_assert_eq!(&entry.name, &name);
            prop_assert_eq!(entry.size, Some(size));
            prop_assert_eq!(entry.is_dir(), dir);
            prop_assert!(entry.modified.is_some());
        }
    }
}
