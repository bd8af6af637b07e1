//! Tests of the trusted certificates file: round trip, fingerprint forms, host keys (IPv6),
//! damage, newer formats and locked changes.

use std::sync::Arc;

use std::fs;

use super::*;

const FP: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OTHER: &str = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join(FILE_NAME);
    let mut known = KnownCertificates::default();
    known.trust_at("ftp.example.org", 990, FP, 1_767_225_600);
    known.trust_at("::1", 990, OTHER, 5);
    known.trust_at("ftp.example.org", 21, OTHER, 7);
    save(&path, &known).unwrap();

    let loaded = load(&path).unwrap();
    assert_eq!(loaded, known);
    assert_eq!(loaded.fingerprint("ftp.example.org", 990), Some(FP));
    assert_eq!(loaded.fingerprint("ftp.example.org", 21), Some(OTHER));
    assert_eq!(loaded.fingerprint("ftp.example.org", 2121), None);
    assert_eq!(
        loaded.trusted_at("ftp.example.org", 990),
        Some(1_767_225_600)
    );
    let entries: Vec<_> = loaded.entries().collect();
    assert_eq!(
        entries,
        [
            ("::1", 990, OTHER),
            ("ftp.example.org", 21, OTHER),
            ("ftp.example.org", 990, FP)
        ]
    );
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# "), "{text}");
    assert!(text.contains("version = 1"), "{text}");
}

#[test]
fn missing_file_is_no_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let known = load(&dir.path().join(FILE_NAME)).unwrap();
    assert!(known.is_empty());
    assert_eq!(known.entries().count(), 0);
}

#[test]
fn fingerprints_are_normalized_from_what_people_paste() {
    let colons = fingerprint_colons(FP);
    assert_eq!(&colons[..8], "01:23:45");
    assert_eq!(colons.len(), 64 + 31);
    for text in [
        FP.to_owned(),
        FP.to_ascii_uppercase(),
        colons.clone(),
        colons.to_ascii_lowercase(),
        format!("sha256:{colons}"),
        format!("SHA256:{FP}"),
        format!("SHA-256 {colons}"),
        format!("  {}  ", colons.replace(':', " ")),
        format!("sha256 Fingerprint={colons}"),
        format!("{colons}:"),
    ] {
        assert_eq!(normalize_fingerprint(&text).as_deref(), Some(FP), "{text}");
    }
    for bad in [
        "",
        "sha256:",
        &FP[..62],
        &format!("{FP}00"),
        &FP.replace('0', "g"),
        "md5:0123",
        &format!("{FP}:x"),
    ] {
        assert_eq!(normalize_fingerprint(bad), None, "{bad}");
    }
}

#[test]
fn trust_normalizes_and_refuses_what_is_not_a_fingerprint() {
    let mut known = KnownCertificates::default();
    known.trust("FTP.Example.org.", 21, &fingerprint_colons(FP));
    assert_eq!(known.fingerprint("ftp.example.org", 21), Some(FP));
    assert!(known.trusted_at("ftp.example.org", 21).unwrap() > 1_700_000_000);

    known.trust("ftp.example.org", 21, "not a fingerprint");
    known.trust("", 21, OTHER);
    assert_eq!(known.fingerprint("ftp.example.org", 21), Some(FP));
    assert_eq!(known.entries().count(), 1);

    known.trust("ftp.example.org", 21, OTHER);
    assert_eq!(
        known.fingerprint("ftp.example.org", 21),
        Some(OTHER),
        "replaced"
    );
    assert!(known.forget("ftp.example.org", 21));
    assert!(!known.forget("ftp.example.org", 21));
    assert!(known.is_empty());
}

#[test]
fn ipv6_hosts_are_keyed_unambiguously() {
    let mut known = KnownCertificates::default();
    known.trust("::1", 990, FP);
    // The same address however it is written.
    assert_eq!(known.fingerprint("[::1]", 990), Some(FP));
    assert_eq!(known.fingerprint("0:0:0:0:0:0:0:1", 990), Some(FP));
    // "::1" port 990 is not "::1:990" on the default port.
    assert_eq!(known.fingerprint("::1:990", 21), None);
    assert_eq!(address("::1", 990), "[::1]:990");
    assert_eq!(address("[2001:DB8::1]", 21), "[2001:db8::1]:21");
    assert_eq!(address("Example.ORG", 21), "example.org:21");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    known.trust("::1:990", 21, OTHER);
    save(&path, &known).unwrap();
    let loaded = load(&path).unwrap();
    assert_eq!(loaded.fingerprint("::1", 990), Some(FP));
    assert_eq!(loaded.fingerprint("0:0:0:0:0:0:1:990", 21), Some(OTHER));
}

#[test]
fn damaged_file_is_kept_aside_with_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let damaged: &[u8] = b"version = 1\n[[certificate]]\nhost = \"half\nport = ";
    fs::write(&path, damaged).unwrap();

    let error = load(&path).unwrap_err();
    let StoreError::Corrupt { moved_to, .. } = &error else {
        panic!("expected Corrupt, got {error:?}");
    };
    assert!(!path.exists(), "moved, not copied");
    let name = moved_to.file_name().unwrap().to_str().unwrap();
    let seconds = name
        .strip_prefix("known_certificates.toml.bak-")
        .unwrap_or_else(|| panic!("{name}"));
    assert!(seconds.parse::<u64>().is_ok(), "{name}");
    assert_eq!(fs::read(moved_to).unwrap(), damaged);
    let message = error.to_string();
    assert!(
        message.starts_with("the trusted certificates file "),
        "{message}"
    );
    assert!(
        message.contains(&moved_to.display().to_string()),
        "{message}"
    );
    assert!(!error.file_left_in_place());
    // The next start finds no file; the backup stays.
    assert!(load(&path).unwrap().is_empty());
    assert!(moved_to.exists());
}

#[test]
fn files_that_are_not_certificates_are_damaged() {
    for bytes in [
        &b""[..],
        b"certificate = []",
        b"version = \"one\"",
        b"version = 0",
        b"version = 1\ncertificate = 5",
        b"version = 1\n[[certificate]]\nhost = \"h\"\nport = 70000\nsha256 = \"\"",
        b"version = 1\n[[certificate]]\nhost = \"h\"\nport = 21\nsha256 = \"abcd\"",
        b"version = 1\n[[certificate]]\nhost = \" \"\nport = 21\nsha256 = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"",
        b"version = 1\n[[certificate]]\nhost = \"h\"\nport = 0\nsha256 = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"",
        b"\xff\xfe",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        fs::write(&path, bytes).unwrap();
        let error = load(&path).unwrap_err();
        assert!(
            matches!(error, StoreError::Corrupt { .. }),
            "{:?}: {error:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn a_hand_written_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let colons = fingerprint_colons(FP);
    fs::write(
        &path,
        format!(
            "version = 1\n[[certificate]]\nhost = \"FTP.example.org\"\nport = 990\nsha256 = \"{colons}\"\n"
        ),
    )
    .unwrap();
    let known = load(&path).unwrap();
    assert_eq!(known.fingerprint("ftp.example.org", 990), Some(FP));
    assert_eq!(known.trusted_at("ftp.example.org", 990), Some(0));
}

#[test]
fn newer_format_is_left_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let newer = "version = 2\n[[pin]]\nspki = \"x\"\n";
    fs::write(&path, newer).unwrap();
    let error = load(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::Newer { version: 2, .. }),
        "{error:?}"
    );
    assert!(error.file_left_in_place());
    let result = update(&path, |known| known.trust("h", 21, FP));
    assert!(matches!(result, Err(StoreError::Newer { .. })));
    assert_eq!(fs::read_to_string(&path).unwrap(), newer);
}

#[test]
fn update_reads_changes_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new folder").join(FILE_NAME);
    let (known, ()) = update(&path, |known| known.trust("a", 21, FP)).unwrap();
    assert_eq!(load(&path).unwrap(), known);
    let (known, forgot) = update(&path, |known| {
        known.trust("b", 990, OTHER);
        known.forget("a", 21)
    })
    .unwrap();
    assert!(forgot);
    assert_eq!(known.entries().collect::<Vec<_>>(), [("b", 990, OTHER)]);
    assert_eq!(load(&path).unwrap(), known);
    assert_eq!(
        names(path.parent().unwrap()),
        ["known_certificates.toml", "known_certificates.toml.lock"]
    );
}

#[test]
fn concurrent_updates_lose_nothing() {
    const THREADS: u16 = 4;
    const EACH: u16 = 10;
    let dir = tempfile::tempdir().unwrap();
    let path = Arc::new(dir.path().join(FILE_NAME));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let path = Arc::clone(&path);
            std::thread::spawn(move || {
                for n in 0..EACH {
                    update(&path, |known| known.trust(&format!("host{t}"), 1 + n, FP)).unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let known = load(&path).unwrap();
    assert_eq!(known.entries().count(), usize::from(THREADS * EACH));
}

#[test]
fn the_data_dir_variable_decides_the_folder() {
    let path = path_for(Some(OsString::from("/tmp/skiff-data"))).unwrap();
    assert_eq!(path, Path::new("/tmp/skiff-data").join(FILE_NAME));
    if let Some(path) = path_for(Some(OsString::new())) {
        assert!(
            path.ends_with(Path::new("skiff").join(FILE_NAME)),
            "{path:?}"
        );
    }
}
