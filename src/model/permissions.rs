//! Unix permission bits as FTP servers show them (`rwxr-xr-x` in a listing) and as `SITE CHMOD`
//! takes them (octal, `755`).

/// Who a permission is for, in the order `ls` shows them.
pub const WHO: [&str; 3] = ["Owner", "Group", "Public"];
/// What each of the three bits allows, highest first.
pub const WHAT: [&str; 3] = ["Read", "Write", "Execute"];

/// The mode a listing's permission text shows (`rwxr-xr-x`, or with the type letter in front:
/// `-rw-r--r--`; `s`/`t` count as executable), or `None` when the text is not in that form
/// (MLSD `perm` facts such as `flcdmpe`).
#[must_use]
pub fn mode_from_text(text: &str) -> Option<u32> {
    let chars: Vec<char> = text.chars().collect();
    let bits = match chars.len() {
        9 => &chars[..],
        10 => &chars[1..],
        _ => return None,
    };
    let mut mode = 0;
    for (index, c) in bits.iter().enumerate() {
        let expected = ['r', 'w', 'x'][index % 3];
        let set = match (index % 3, c) {
            (_, '-') | (2, 'S' | 'T') => false,
            (2, 'x' | 's' | 't') => true,
            (_, c) if *c == expected => true,
            _ => return None,
        };
        if set {
            mode |= 1 << (8 - index);
        }
    }
    Some(mode)
}

/// Octal digits as `SITE CHMOD` takes them (`644`, `0755`, at most `7777`).
#[must_use]
pub fn parse_octal(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 4 {
        return None;
    }
    u32::from_str_radix(text, 8).ok()
}

/// Three octal digits (four when a set-id or sticky bit is set).
#[must_use]
pub fn octal(mode: u32) -> String {
    if mode > 0o777 {
        format!("{mode:04o}")
    } else {
        format!("{mode:03o}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_text_becomes_bits() {
        assert_eq!(mode_from_text("rw-r--r--"), Some(0o644));
        assert_eq!(mode_from_text("-rwxr-xr-x"), Some(0o755));
        assert_eq!(mode_from_text("drwx------"), Some(0o700));
        assert_eq!(mode_from_text("rwsr-xr-T"), Some(0o754));
        assert_eq!(mode_from_text("flcdmpe"), None);
        assert_eq!(mode_from_text("rw-r--r-q"), None);
        assert_eq!(mode_from_text("xw-r--r--"), None);
    }

    #[test]
    fn octal_text_both_ways() {
        assert_eq!(parse_octal("644"), Some(0o644));
        assert_eq!(parse_octal(" 0755 "), Some(0o755));
        assert_eq!(parse_octal("4755"), Some(0o4755));
        assert_eq!(parse_octal("8"), None);
        assert_eq!(parse_octal(""), None);
        assert_eq!(parse_octal("12345"), None);
        assert_eq!(octal(0o644), "644");
        assert_eq!(octal(0o4755), "4755");
        assert_eq!(octal(0), "000");
    }
}
