//! Tests of the bookmarks file: round trip, damage, newer formats, concurrent changes, and
//! the folder operations.

use std::sync::Arc;

use std::fs;

use super::*;
use crate::model::bookmark::without_password;
use crate::model::site::{DataMode, FtpUrl, Password, Protocol};

fn sample() -> Sites {
    let mut sites = Sites::default();
    let mut work = Bookmark::new("work", "ftp.example.com");
    work.user = "ann".to_owned();
    work.protocol = Protocol::ExplicitTls;
    work.remote_folder = "/www".to_owned();
    work.comment = "the \"main\" one\nsecond line".to_owned();
    let mut acme = Bookmark::new("acme", "2001:db8::1");
    acme.folder = "Work/Clients".to_owned();
    acme.port = Some(2121);
    acme.mode = DataMode::Active;
    acme.logon = Logon::Ask;
    acme.user = "bob@acme".to_owned();
    acme.connections = 7;
    acme.local_folder = "/home/ann/acme".to_owned();
    let mut public = Bookmark::new("public", "mirror.example.org");
    public.logon = Logon::Anonymous;
    public.protocol = Protocol::ImplicitTls;
    sites.sites = vec![work, acme, public];
    sites.add_folder("Work/Clients");
    sites.add_folder("Empty");
    sites.remember("ftp://ann:secret@ftp.example.com/x");
    sites.remember("ftpes://host2");
    sites
}

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
    let path = dir.path().join(FILE_NAME);
    let sites = sample();
    save(&path, &sites).unwrap();
    assert_eq!(load(&path).unwrap(), sites);

    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("version = 1"), "{text}");
    assert!(text.contains("[[site]]"), "{text}");
    assert!(text.contains("protocol = \"ftpes\""), "{text}");
    assert!(text.contains("mode = \"active\""), "{text}");
    assert!(text.contains("logon = \"ask\""), "{text}");
    assert!(
        !text.contains("secret"),
        "no password in the history: {text}"
    );
    assert!(!text.contains("password ="), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "sites file readable by others: {mode:o}");
    }
}

#[test]
fn missing_file_is_no_sites() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load(&dir.path().join(FILE_NAME)).unwrap(), Sites::default());
}

#[test]
fn a_hand_written_file_gets_defaults_ids_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    fs::write(
        &path,
        "version = 1\n\n[[site]]\nname = \"mine\"\nhost = \"h\"\nfolder = \"A//B/\"\nconnections = 99\n\
         unknown = \"ignored\"\n\n[[site]]\nname = \"two\"\nhost = \"h2\"\n",
    )
    .unwrap();
    let sites = load(&path).unwrap();
    let [one, two] = sites.sites.as_slice() else {
        panic!("{sites:?}")
    };
    assert_eq!((one.folder.as_str(), one.connections), ("A/B", 10));
    assert_eq!(
        (two.protocol, two.logon, two.connections),
        (Protocol::Ftp, Logon::Normal, 2)
    );
    assert_eq!(one.id.len(), 32);
    assert_ne!(one.id, two.id);
    assert_eq!(sites.folders, ["A", "A/B"]);
}

#[test]
fn corrupt_file_is_kept_aside_with_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let corrupt: &[u8] = b"version = 1\n[[site]]\nname = \"half\nhost = ";
    fs::write(&path, corrupt).unwrap();

    let error = load(&path).unwrap_err();
    let StoreError::Corrupt { moved_to, .. } = &error else {
        panic!("expected Corrupt, got {error:?}");
    };
    assert!(!path.exists(), "moved, not copied");
    let name = moved_to.file_name().unwrap().to_str().unwrap();
    let seconds = name.strip_prefix("sites.toml.bak-").unwrap();
    assert!(seconds.parse::<u64>().is_ok(), "{name}");
    assert_eq!(fs::read(moved_to).unwrap(), corrupt);
    let message = error.to_string();
    assert!(message.starts_with("the bookmarks file "), "{message}");
    assert!(
        message.contains(&moved_to.display().to_string()),
        "{message}"
    );
    assert!(message.contains("line 3"), "{message}");
    assert!(!error.file_left_in_place());
    // The next start finds no file; the backup stays.
    assert_eq!(load(&path).unwrap(), Sites::default());
    assert!(moved_to.exists());
}

#[test]
fn files_that_are_not_bookmarks_are_damaged() {
    for bytes in [
        &b""[..],
        b"folders = []",
        b"version = \"one\"",
        b"version = 0",
        b"version = 1\nsite = 5",
        b"version = 1\n[[site]]\nport = 70000",
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
fn a_parse_error_does_not_quote_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    fs::write(&path, "version = 1\npassword = \"hunter2\" oops\n").unwrap();
    let error = load(&path).unwrap_err().to_string();
    assert!(!error.contains("hunter2"), "{error}");
}

#[test]
fn newer_format_is_left_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let newer = "version = 2\n[[site]]\nname = \"x\"\nprotocol = \"sftp\"\n";
    fs::write(&path, newer).unwrap();
    let error = load(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::Newer { version: 2, .. }),
        "{error:?}"
    );
    assert!(error.file_left_in_place());
    assert!(error.to_string().contains("newer Skiff"), "{error}");
    assert_eq!(fs::read_to_string(&path).unwrap(), newer);

    // update() changes nothing either.
    let result = update(&path, |sites| sites.add_folder("x"));
    assert!(matches!(result, Err(StoreError::Newer { .. })));
    assert_eq!(fs::read_to_string(&path).unwrap(), newer);
}

#[test]
fn update_reads_changes_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new folder").join(FILE_NAME);
    let (sites, count) = update(&path, |sites| {
        sites.sites.push(Bookmark::new("a", "h"));
        sites.sites.len()
    })
    .unwrap();
    assert_eq!(count, 1);
    assert_eq!(load(&path).unwrap(), sites);
    let (sites, ()) = update(&path, |sites| sites.sites.push(Bookmark::new("b", "h"))).unwrap();
    assert_eq!(sites.sites.len(), 2);
    assert_eq!(
        names(path.parent().unwrap()),
        ["sites.toml", "sites.toml.lock"]
    );
}

#[test]
fn concurrent_updates_lose_nothing() {
    const THREADS: usize = 4;
    const EACH: usize = 15;
    let dir = tempfile::tempdir().unwrap();
    let path = Arc::new(dir.path().join(FILE_NAME));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let path = Arc::clone(&path);
            std::thread::spawn(move || {
                for n in 0..EACH {
                    update(&path, |sites| {
                        sites.sites.push(Bookmark::new(format!("t{t}-{n}"), "h"));
                        sites.add_folder(&format!("thread {t}"));
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let sites = load(&path).unwrap();
    assert_eq!(sites.sites.len(), THREADS * EACH);
    for t in 0..THREADS {
        for n in 0..EACH {
            assert!(sites.find(&format!("t{t}-{n}")).is_ok(), "t{t}-{n} lost");
        }
    }
    assert_eq!(sites.folders.len(), THREADS);
}

#[test]
fn bookmark_urls_and_sites() {
    let sites = sample();
    let [work, acme, public] = sites.sites.as_slice() else {
        panic!()
    };
    assert_eq!(work.url(), "ftpes://ann@ftp.example.com/www");
    assert_eq!(acme.url(), "ftp://bob%40acme@[2001:db8::1]:2121");
    assert_eq!(public.url(), "ftps://mirror.example.org");
    assert_eq!(acme.path(), "Work/Clients/acme");
    assert_eq!(work.path(), "work");

    // The URL parses back to the same site.
    let parsed = FtpUrl::parse(&acme.url()).unwrap();
    assert_eq!(parsed.site.user.as_deref(), Some("bob@acme"));
    assert_eq!(parsed.site.host, "2001:db8::1");
    assert_eq!(parsed.site.port, 2121);

    let site = acme.site(Some(Password::new("pw")));
    assert_eq!(site.port, 2121);
    assert_eq!(site.data_mode, DataMode::Active);
    assert_eq!(site.password, Some(Password::new("pw")));
    let site = public.site(Some(Password::new("pw")));
    assert_eq!((site.user, site.password, site.port), (None, None, 990));
}

#[test]
fn bookmark_from_url_takes_everything_but_the_password() {
    let url = FtpUrl::parse("ftpes://ann:secret@example.org:2121/www/my%20site/").unwrap();
    let bookmark = Bookmark::from_url("mine", &url);
    assert_eq!(bookmark.host, "example.org");
    assert_eq!(bookmark.port, Some(2121));
    assert_eq!(bookmark.protocol, Protocol::ExplicitTls);
    assert_eq!(
        (bookmark.logon, bookmark.user.as_str()),
        (Logon::Normal, "ann")
    );
    assert_eq!(bookmark.remote_folder, "/www/my site");
    assert!(!format!("{bookmark:?}").contains("secret"));
    assert_eq!(bookmark.url(), "ftpes://ann@example.org:2121/www/my%20site");

    let anonymous = Bookmark::from_url("pub", &FtpUrl::parse("ftp://h:21").unwrap());
    assert_eq!(anonymous.logon, Logon::Anonymous);
    assert_eq!(anonymous.port, None);
    assert_eq!(anonymous.remote_folder, "");
    assert_ne!(anonymous.id, bookmark.id);
}

#[test]
fn find_by_path_or_unique_name() {
    let mut sites = sample();
    assert_eq!(sites.find("acme").unwrap().host, "2001:db8::1");
    assert_eq!(sites.find("Work/Clients/acme").unwrap().host, "2001:db8::1");
    assert_eq!(
        sites.find("nope").unwrap_err().to_string(),
        "no site named nope (skiff sites list shows them)"
    );
    let mut other = Bookmark::new("acme", "other");
    other.folder = "Home".to_owned();
    sites.sites.push(other);
    assert_eq!(
        sites.find("acme").unwrap_err().to_string(),
        "acme is ambiguous: Work/Clients/acme, Home/acme (give the folder too)"
    );
    assert_eq!(sites.find("Home/acme").unwrap().host, "other");
}

#[test]
fn history_strips_passwords_dedupes_and_caps() {
    let mut sites = Sites::default();
    for n in 0..15 {
        sites.remember(&format!("ftp://u:pw{n}@host{n}/dir"));
    }
    assert_eq!(sites.history.len(), HISTORY_LIMIT);
    assert_eq!(sites.history[0], "ftp://u@host14/dir");
    assert!(sites.history.iter().all(|u| !u.contains("pw")));
    sites.remember("ftp://u:other@host10/dir");
    assert_eq!(sites.history[0], "ftp://u@host10/dir");
    assert_eq!(sites.history.len(), HISTORY_LIMIT);
    assert_eq!(
        sites
            .history
            .iter()
            .filter(|u| u.contains("host10"))
            .count(),
        1
    );
    sites.remember("  ");
    assert_eq!(sites.history.len(), HISTORY_LIMIT);
    assert_eq!(without_password("ftp://host/a:b@c"), "ftp://host/a:b@c");
    assert_eq!(without_password("ftp://u@h:21/x"), "ftp://u@h:21/x");
}

#[test]
fn folder_operations() {
    let mut sites = sample();
    assert_eq!(sites.folders, ["Empty", "Work", "Work/Clients"]);

    sites.rename_folder("Work", "Jobs/Old");
    assert_eq!(
        sites.folders,
        ["Empty", "Jobs", "Jobs/Old", "Jobs/Old/Clients"]
    );
    assert_eq!(sites.find("acme").unwrap().folder, "Jobs/Old/Clients");

    let id = sites.find("work").unwrap().id.clone();
    sites.move_site(&id, "Jobs/Old");
    assert_eq!(sites.find("Jobs/Old/work").unwrap().id, id);
    sites.move_site(&id, "New/Place");
    assert!(sites.folders.contains(&"New/Place".to_owned()));

    let removed = sites.delete_folder("Jobs");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].name, "acme");
    assert_eq!(sites.folders, ["Empty", "New", "New/Place"]);
    assert!(sites.delete_folder("").is_empty(), "the top level stays");
    assert_eq!(sites.sites.len(), 2);

    // A prefix that is not a whole folder name is not inside it.
    sites.add_folder("Newer");
    sites.delete_folder("New");
    assert_eq!(sites.folders, ["Empty", "Newer"]);
}
