//! Tests of the saved queue file: round trip, atomic replacement, damage kept aside, newer
//! formats, the background writer.

use std::fs;
use std::time::{Duration, SystemTime};

use super::*;

fn item(n: usize, failed: Option<&str>) -> SavedTransfer {
    SavedTransfer {
        direction: if n.is_multiple_of(2) {
            Direction::Download
        } else {
            Direction::Upload
        },
        local: PathBuf::from(format!("/home/ann/Downloads/file {n}.bin")),
        remote: format!("/pub/dir/file {n}.bin"),
        site: "ftp://ann@example.com:21".to_owned(),
        size: if n.is_multiple_of(3) {
            None
        } else {
            Some(n as u64 * 1000)
        },
        failed: failed.map(str::to_owned),
    }
}

fn queue(len: usize, tag: usize) -> Vec<SavedTransfer> {
    (0..len)
        .map(|n| {
            let message = format!("550 snapshot {tag}");
            item(n, (n % 2 == tag % 2).then_some(message.as_str()))
        })
        .collect()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let items = vec![
        item(0, None),
        item(1, Some("550 Permission denied")),
        item(2, None),
    ];
    save(&path, &items).unwrap();
    assert_eq!(load(&path).unwrap(), items);

    let text = fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["items"].as_array().unwrap().len(), 3);
}

#[test]
fn empty_queue_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    save(&path, &[]).unwrap();
    assert_eq!(load(&path).unwrap(), Vec::new());
}

#[test]
fn missing_file_is_an_empty_queue() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load(&dir.path().join(FILE_NAME)).unwrap(), Vec::new());
    assert_eq!(
        load(&dir.path().join("no such folder").join(FILE_NAME)).unwrap(),
        Vec::new()
    );
}

#[test]
fn corrupt_file_is_kept_aside_with_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let corrupt: &[u8] = b"{\"version\": 1, \"items\": [{\"direction\": \"Upl";
    fs::write(&path, corrupt).unwrap();

    let error = load(&path).unwrap_err();
    let StoreError::Corrupt { moved_to, .. } = &error else {
        panic!("expected Corrupt, got {error:?}");
    };
    assert!(!path.exists(), "the damaged file is moved, not copied");
    assert_eq!(moved_to.parent(), Some(dir.path()));
    let name = moved_to.file_name().unwrap().to_str().unwrap();
    let seconds = name.strip_prefix("queue.json.bak-").unwrap();
    assert!(seconds.parse::<u64>().is_ok(), "{name}");
    assert_eq!(fs::read(moved_to).unwrap(), corrupt);
    let message = error.to_string();
    assert!(
        message.contains(&moved_to.display().to_string()),
        "{message}"
    );
    assert!(!error.file_left_in_place());

    // The caller starts empty; the next start finds no queue and the backup still there.
    assert_eq!(load(&path).unwrap(), Vec::new());
    assert_eq!(fs::read(moved_to).unwrap(), corrupt);
}

#[test]
fn a_second_corrupt_file_does_not_overwrite_the_first_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let contents: [&[u8]; 3] = [b"", b"not json", b"{\"version\": 1, \"items\": 7}"];
    let mut backups = Vec::new();
    for bytes in contents {
        fs::write(&path, bytes).unwrap();
        match load(&path) {
            Err(StoreError::Corrupt { moved_to, .. }) => backups.push(moved_to),
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }
    for (backup, bytes) in backups.iter().zip(contents) {
        assert_eq!(fs::read(backup).unwrap(), bytes, "{}", backup.display());
    }
    assert_eq!(names(dir.path()).len(), 3);
}

#[test]
fn newer_format_is_left_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let newer = b"{\"version\": 2, \"items\": [], \"groups\": []}";
    fs::write(&path, newer).unwrap();

    let error = load(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::Newer { version: 2, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("newer Skiff"), "{error}");
    assert!(error.file_left_in_place());
    assert_eq!(fs::read(&path).unwrap(), newer);
    assert_eq!(names(dir.path()), [FILE_NAME]);
}

#[test]
fn unknown_fields_of_the_same_version_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let mut json = serde_json::to_value(FileOut {
        version: 1,
        items: &[item(1, None)],
    })
    .unwrap();
    json["items"][0]["priority"] = 3.into();
    json["window"] = "left".into();
    fs::write(&path, json.to_string()).unwrap();
    assert_eq!(load(&path).unwrap(), [item(1, None)]);
}

#[test]
fn save_replaces_atomically_and_leaves_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("not yet").join("there");
    let path = folder.join(FILE_NAME);
    save(&path, &queue(50, 0)).unwrap();
    assert_eq!(names(&folder), [FILE_NAME]);

    save(&path, &queue(20, 1)).unwrap();
    assert_eq!(load(&path).unwrap(), queue(20, 1));
    assert_eq!(names(&folder), [FILE_NAME], "no temp file left behind");

    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
        // A new file renamed over the old one, not the old one rewritten in place.
        let before = fs::metadata(&path).unwrap().ino();
        save(&path, &queue(5, 0)).unwrap();
        assert_ne!(fs::metadata(&path).unwrap().ino(), before);
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "queue file readable by others: {mode:o}");
    }
}

#[test]
fn failed_save_keeps_the_old_file_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    save(&path, &queue(3, 0)).unwrap();
    // A folder in the way of the rename target's name makes the rename fail.
    let blocked = dir.path().join("blocked");
    fs::create_dir(&blocked).unwrap();
    fs::write(blocked.join("inside"), b"x").unwrap();
    let error = save(&blocked, &queue(3, 1)).unwrap_err();
    assert!(matches!(error, StoreError::Write { .. }), "{error:?}");
    assert!(error.to_string().contains("blocked"), "{error}");
    assert_eq!(names(dir.path()), ["blocked", FILE_NAME]);
    assert_eq!(load(&path).unwrap(), queue(3, 0));
}

#[test]
fn load_removes_stale_temp_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    save(&path, &queue(2, 0)).unwrap();
    let stale = dir.path().join(".queue.json.a1b2c3.tmp");
    let fresh = dir.path().join(".queue.json.d4e5f6.tmp");
    let other = dir.path().join(".other.json.a1b2c3.tmp");
    for file in [&stale, &fresh, &other] {
        fs::write(file, b"{\"version\": 1, \"it").unwrap();
    }
    let old = SystemTime::now() - Duration::from_secs(600);
    for file in [&stale, &other] {
        fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    assert_eq!(load(&path).unwrap(), queue(2, 0));
    assert!(!stale.exists());
    assert!(fresh.exists(), "may belong to a save in progress");
    assert!(other.exists(), "not ours");
}

#[test]
fn data_dir_variable_decides_the_path() {
    assert_eq!(
        path_for(Some("/portable/skiff".into())),
        Some(PathBuf::from("/portable/skiff/queue.json"))
    );
    let platform = path_for(None);
    assert_eq!(path_for(Some(OsString::new())), platform);
    if let Some(platform) = platform {
        assert!(
            platform.ends_with(Path::new("skiff").join(FILE_NAME)),
            "{platform:?}"
        );
    }
}

#[test]
fn writer_keeps_the_last_of_rapid_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let runtime = runtime();
    let writer = QueueWriter::start(runtime.handle(), path.clone());
    // Called from this thread, which is not in the runtime, as the UI thread is.
    for tag in 0..50 {
        writer.write(queue(100, tag));
    }
    writer.write(queue(7, 1234));
    runtime.block_on(writer.flush());
    assert_eq!(load(&path).unwrap(), queue(7, 1234));
    assert_eq!(writer.take_error(), None);
    assert_eq!(names(dir.path()), [FILE_NAME]);

    // Again after a pause: the writer task is still there.
    writer.write(Vec::new());
    runtime.block_on(writer.flush());
    assert_eq!(load(&path).unwrap(), Vec::new());
}

#[test]
fn flush_without_writes_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let runtime = runtime();
    let writer = QueueWriter::start(runtime.handle(), path.clone());
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), writer.flush())
            .await
            .unwrap();
    });
    assert!(!path.exists());
}

#[test]
fn writer_reports_an_error_once() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the folder should be: the folder cannot be created.
    fs::write(dir.path().join("file"), b"x").unwrap();
    let path = dir.path().join("file").join(FILE_NAME);
    let runtime = runtime();
    let writer = QueueWriter::start(runtime.handle(), path);
    writer.write(queue(3, 0));
    runtime.block_on(writer.flush());
    let error = writer.take_error().unwrap();
    assert!(error.contains("cannot save the transfer queue"), "{error}");
    assert_eq!(writer.take_error(), None);
}

#[test]
fn dropped_writer_still_writes_its_last_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let runtime = runtime();
    let writer = QueueWriter::start(runtime.handle(), path.clone());
    writer.write(queue(4, 0));
    drop(writer);
    // The task still handles the snapshot it was given, then ends on its own.
    runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while load(&path).unwrap() != queue(4, 0) {
            assert!(tokio::time::Instant::now() < deadline, "never written");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
}

#[test]
fn flush_returns_when_the_runtime_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let first = runtime();
    let writer = QueueWriter::start(first.handle(), dir.path().join(FILE_NAME));
    drop(first);
    writer.write(queue(1, 0));
    runtime().block_on(async {
        tokio::time::timeout(Duration::from_secs(10), writer.flush())
            .await
            .unwrap();
    });
}
