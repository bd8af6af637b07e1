//! Crash-safe file handling shared by the store's files: atomic replace (temp file in the same
//! folder, write, fsync, rename, fsync the folder), moving a damaged file aside without
//! overwriting an earlier backup, and removing temp files a crash left behind.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::StoreError;

/// Temp files are named `.<file name>.<random>.tmp` next to their file.
const TEMP_SUFFIX: &str = ".tmp";

/// Temp files older than this are leftovers of a crash and are removed by
/// [`remove_stale_temp_files`]; a live save holds its temp file for milliseconds.
const STALE_TEMP_AGE: Duration = Duration::from_secs(60);

/// The bytes of `path`, or `None` when there is no such file.
pub(crate) fn read(path: &Path, what: &'static str) -> Result<Option<Vec<u8>>, StoreError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StoreError::Read {
            what,
            path: path.to_owned(),
            source,
        }),
    }
}

/// The error for a file that did not parse, after moving it aside (see [`move_aside`]):
/// [`StoreError::Corrupt`] naming where it went, or [`StoreError::CorruptNotMoved`].
pub(crate) fn damaged(path: &Path, what: &'static str, detail: String) -> StoreError {
    match move_aside(path) {
        Ok(moved_to) => StoreError::Corrupt {
            what,
            path: path.to_owned(),
            moved_to,
            detail,
        },
        Err(source) => StoreError::CorruptNotMoved {
            what,
            path: path.to_owned(),
            detail,
            source,
        },
    }
}

/// Renames `path` to a free `<name>.bak-<unix seconds>[-n]` next to it; returns the new path.
/// An earlier backup is never overwritten: when the name is taken, `-1`, `-2`, … is appended.
pub(crate) fn move_aside(path: &Path) -> io::Result<PathBuf> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut base = file_name_of(path).to_owned();
    base.push(format!(".bak-{seconds}"));
    for n in 0..1000_u32 {
        let mut name = base.clone();
        if n > 0 {
            name.push(format!("-{n}"));
        }
        let candidate = path.with_file_name(name);
        match fs::symlink_metadata(&candidate) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::rename(path, &candidate)?;
                return Ok(candidate);
            }
            Err(e) => return Err(e),
            Ok(_) => {}
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "too many earlier backups with the same name; remove some",
    ))
}

/// Replaces `path` with `bytes` atomically: a temp file in the same folder (the folder is
/// created if missing), write, fsync, rename over the old file, fsync the folder. A crash at
/// any point leaves the old file or the new one, never an empty or half-written one; a failure
/// before the rename removes the temp file and leaves the old file as it was.
///
/// The file is created readable by the user only (on Unix).
pub(crate) fn write(path: &Path, bytes: &[u8], what: &'static str) -> Result<(), StoreError> {
    write_with(path, bytes, what, |_| Ok(()))
}

/// [`write`], calling `before_rename` with the written and synced temp file just before the
/// rename (tests use it to fail there, as a crash or a full disk would).
fn write_with(
    path: &Path,
    bytes: &[u8],
    what: &'static str,
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> Result<(), StoreError> {
    let write_error = |source: io::Error| StoreError::Write {
        what,
        path: path.to_owned(),
        source,
    };
    let folder = folder_of(path);
    fs::create_dir_all(folder).map_err(write_error)?;
    // Deleted again (on drop) if anything below fails before the rename.
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(folder)
        .map_err(write_error)?;
    temp.write_all(bytes).map_err(write_error)?;
    temp.as_file().sync_all().map_err(write_error)?;
    before_rename(temp.path()).map_err(write_error)?;
    temp.persist(path).map_err(|e| write_error(e.error))?;
    sync_folder(folder).map_err(|source| StoreError::Sync {
        what,
        path: path.to_owned(),
        source,
    })
}

/// The folder holding `path` (`.` for a bare file name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// The file name of `path` (`file` for a path without one).
fn file_name_of(path: &Path) -> &OsStr {
    path.file_name().unwrap_or(OsStr::new("file"))
}

/// `.<file name>.`: the start of every temp file name [`write`] uses for `path`.
fn temp_prefix(path: &Path) -> OsString {
    let mut prefix = OsString::from(".");
    prefix.push(file_name_of(path));
    prefix.push(".");
    prefix
}

/// Makes a rename in `folder` durable.
#[cfg(unix)]
fn sync_folder(folder: &Path) -> io::Result<()> {
    fs::File::open(folder)?.sync_all()
}

/// Windows cannot open a folder as a file; its rename is already journaled by NTFS.
#[cfg(not(unix))]
#[expect(
    clippy::unnecessary_wraps,
    reason = "same signature as the Unix version"
)]
fn sync_folder(_folder: &Path) -> io::Result<()> {
    Ok(())
}

/// Best effort: removes temp files of `path` older than [`STALE_TEMP_AGE`] (left by a crash
/// between creating and renaming them). Younger ones may belong to a save in progress.
pub(crate) fn remove_stale_temp_files(path: &Path) {
    let prefix = temp_prefix(path);
    let (Some(prefix), Ok(entries)) = (prefix.to_str(), fs::read_dir(folder_of(path))) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(prefix) || !name.ends_with(TEMP_SUFFIX) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_TEMP_AGE);
        if stale {
            // Best effort: a file that cannot be removed is harmless.
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Runs `body` holding an exclusive lock on the sibling `<name>.lock` of `path` (waiting for
/// another process's change to finish), so a read-change-save by two Skiff processes at once
/// loses nothing. The lock is released when `body` returns.
pub(crate) fn with_lock<T>(
    path: &Path,
    what: &'static str,
    body: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let lock_error = |source| StoreError::Lock {
        what,
        path: path.to_owned(),
        source,
    };
    fs::create_dir_all(folder_of(path)).map_err(lock_error)?;
    let mut lock_name = path.file_name().unwrap_or_default().to_owned();
    lock_name.push(".lock");
    let lock = fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path.with_file_name(lock_name))
        .map_err(lock_error)?;
    lock.lock().map_err(lock_error)?;
    let result = body();
    // Closing the file releases the lock; said here so it is not dropped earlier.
    drop(lock);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHAT: &str = "the test file";

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failure_just_before_the_rename_leaves_the_old_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.toml");
        write(&path, b"old contents\n", WHAT).unwrap();

        let mut seen_temp = None;
        let error = write_with(&path, b"new contents, longer than before\n", WHAT, |temp| {
            // The new bytes are complete and synced in the temp file, beside the old file.
            assert_eq!(
                fs::read(temp).unwrap(),
                b"new contents, longer than before\n"
            );
            assert_eq!(temp.parent(), Some(dir.path()));
            seen_temp = Some(temp.to_owned());
            Err(io::Error::other("simulated crash before rename"))
        })
        .unwrap_err();

        assert!(matches!(error, StoreError::Write { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains("the test file"), "{message}");
        assert!(message.contains("simulated crash"), "{message}");
        assert_eq!(fs::read(&path).unwrap(), b"old contents\n");
        assert!(!seen_temp.unwrap().exists(), "temp file removed");
        assert_eq!(names(dir.path()), ["data.toml"]);
    }

    #[test]
    fn a_crash_before_the_rename_leaves_the_old_file_and_a_temp_that_is_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.toml");
        write(&path, b"old", WHAT).unwrap();
        // What a process killed between write and rename leaves: the temp file, no rename.
        let (_, left) = tempfile::Builder::new()
            .prefix(&temp_prefix(&path))
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir.path())
            .unwrap()
            .keep()
            .unwrap();
        fs::write(&left, b"ne").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"old");

        fs::File::options()
            .write(true)
            .open(&left)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(600))
            .unwrap();
        remove_stale_temp_files(&path);
        assert_eq!(names(dir.path()), ["data.toml"]);
    }

    #[test]
    fn move_aside_never_overwrites_a_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.toml");
        let mut backups = Vec::new();
        for n in 0..3 {
            fs::write(&path, format!("version {n}")).unwrap();
            backups.push(move_aside(&path).unwrap());
        }
        for (n, backup) in backups.iter().enumerate() {
            assert_eq!(fs::read_to_string(backup).unwrap(), format!("version {n}"));
            let name = backup.file_name().unwrap().to_str().unwrap();
            assert!(name.starts_with("data.toml.bak-"), "{name}");
        }
        assert!(!path.exists());
    }

    #[test]
    fn read_tells_missing_from_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(&dir.path().join("none"), WHAT).unwrap(), None);
        let error = read(dir.path(), WHAT).unwrap_err();
        assert!(matches!(error, StoreError::Read { .. }), "{error:?}");
        assert!(error.file_left_in_place());
    }
}
