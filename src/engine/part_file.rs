//! The `.skiff-part` file of a download: deciding where it starts (refusing, skipping,
//! replacing or resuming an existing target), opening it, and finishing it (fsync, keep the
//! modification time, move it to its final name without ever replacing a file it may not).
//! Each step is one trip to tokio's blocking pool: with thousands of small files, trips add up.

use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::existing::{FileFacts, Resolved, resolve};
use crate::protocol::ExistingTarget;

/// The suffix of a download that is not finished yet.
pub const PART_SUFFIX: &str = ".skiff-part";

/// The `.skiff-part` path beside `target`.
#[must_use]
pub fn part_path(target: &Path) -> PathBuf {
    let mut name = target
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(PART_SUFFIX);
    target.with_file_name(name)
}

/// Where a download starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadPlan {
    /// Where to REST (the length of the part file kept).
    pub offset: u64,
    /// Replace an existing target at the end.
    pub replace: bool,
}

/// What a download must respect.
#[derive(Debug, Clone, Copy)]
pub struct PlanRules {
    /// The size on the server, when known.
    pub size: Option<u64>,
    /// The modification time on the server, when known ("overwrite if newer").
    pub modified: Option<i64>,
    /// What to do with an existing target.
    pub existing: ExistingTarget,
    /// Continue our own part file (a retry), whatever `existing` says.
    pub resume_part: bool,
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> EngineResult<T> + Send + 'static,
) -> EngineResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| EngineError::Invalid(format!("a file task stopped: {e}")))?
}

fn len_of(path: &Path) -> EngineResult<Option<u64>> {
    match fs::metadata(path) {
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(EngineError::local(path, &e)),
    }
}

fn facts_of(path: &Path) -> EngineResult<Option<FileFacts>> {
    match fs::metadata(path) {
        Ok(m) => Ok(Some(FileFacts {
            size: Some(m.len()),
            modified: m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok()),
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(EngineError::local(path, &e)),
    }
}

fn plan_now(target: &Path, part: &Path, rules: PlanRules) -> EngineResult<Option<DownloadPlan>> {
    let fits = |len: u64| rules.size.is_none_or(|s| len <= s);
    if let Some(existing) = facts_of(target)? {
        let source = FileFacts {
            size: rules.size,
            modified: rules.modified,
        };
        let len = existing.size.unwrap_or(0);
        match resolve(rules.existing, source, existing) {
            // A rename was decided before the plan (the target is then a free name).
            Resolved::Refuse | Resolved::Rename => {
                return Err(EngineError::Exists(target.display().to_string()));
            }
            Resolved::Skip => return Ok(None),
            Resolved::Replace => {
                return Ok(Some(DownloadPlan {
                    offset: 0,
                    replace: true,
                }));
            }
            Resolved::Resume => {
                if rules.size == Some(len) {
                    return Ok(None);
                }
                if !fits(len) {
                    return Err(EngineError::Invalid(format!(
                        "{} is larger than the file on the server: it cannot be resumed (use --overwrite)",
                        target.display()
                    )));
                }
                // Continue the partial file the user has: it becomes our part file.
                fs::rename(target, part).map_err(|e| EngineError::local(target, &e))?;
                return Ok(Some(DownloadPlan {
                    offset: len,
                    replace: false,
                }));
            }
        }
    }
    let part_len = len_of(part)?.unwrap_or(0);
    let resume = rules.resume_part || rules.existing == ExistingTarget::Resume;
    let offset = if resume && fits(part_len) {
        part_len
    } else {
        0
    };
    Ok(Some(DownloadPlan {
        offset,
        replace: false,
    }))
}

/// Decides where a download starts, or `None` to skip it; refuses an existing target unless
/// the rules allow replacing or resuming it.
pub async fn plan(target: &Path, rules: PlanRules) -> EngineResult<Option<DownloadPlan>> {
    let (target, part) = (target.to_path_buf(), part_path(target));
    blocking(move || plan_now(&target, &part, rules)).await
}

/// Plans the download and opens its part file at the plan's offset (one blocking trip).
pub async fn plan_and_open(
    target: &Path,
    rules: PlanRules,
) -> EngineResult<Option<(DownloadPlan, tokio::fs::File)>> {
    let (target, part) = (target.to_path_buf(), part_path(target));
    blocking(move || {
        let Some(plan) = plan_now(&target, &part, rules)? else {
            return Ok(None);
        };
        let err = |e: std::io::Error| EngineError::local(&part, &e);
        let file = if plan.offset == 0 {
            File::create(&part).map_err(err)?
        } else {
            let mut file = OpenOptions::new().write(true).open(&part).map_err(err)?;
            file.set_len(plan.offset).map_err(err)?;
            file.seek(SeekFrom::Start(plan.offset)).map_err(err)?;
            file
        };
        Ok(Some((plan, tokio::fs::File::from_std(file))))
    })
    .await
}

/// Finishes a complete part file: fsync, modification time (when given), then its final name
/// (one blocking trip).
pub async fn finish(
    file: tokio::fs::File,
    target: &Path,
    modified: Option<i64>,
    replace: bool,
) -> EngineResult<()> {
    let file = file.into_std().await;
    let (target, part) = (target.to_path_buf(), part_path(target));
    blocking(move || {
        file.sync_all().map_err(|e| EngineError::local(&part, &e))?;
        if let Some(secs) = modified.and_then(|t| u64::try_from(t).ok()) {
            file.set_modified(UNIX_EPOCH + Duration::from_secs(secs))
                .map_err(|e| EngineError::local(&part, &e))?;
        }
        drop(file);
        commit(&part, &target, replace)
    })
    .await
}

/// Moves the part file to its final name; without `replace`, never over an existing file (a
/// hard link fails if the name is taken; file systems without links fall back to a check and
/// a rename).
fn commit(part: &Path, target: &Path, replace: bool) -> EngineResult<()> {
    if replace {
        return fs::rename(part, target).map_err(|e| EngineError::local(target, &e));
    }
    match fs::hard_link(part, target) {
        Ok(()) => fs::remove_file(part).map_err(|e| EngineError::local(part, &e)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(EngineError::Exists(target.display().to_string()))
        }
        Err(_) => {
            if len_of(target)?.is_some() {
                return Err(EngineError::Exists(target.display().to_string()));
            }
            fs::rename(part, target).map_err(|e| EngineError::local(target, &e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(existing: ExistingTarget, size: Option<u64>) -> PlanRules {
        PlanRules {
            size,
            modified: None,
            existing,
            resume_part: false,
        }
    }

    #[test]
    fn plans_respect_an_existing_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.bin");
        let part = part_path(&target);
        assert_eq!(part.file_name().unwrap(), "a.bin.skiff-part");
        assert_eq!(
            plan_now(&target, &part, rules(ExistingTarget::Refuse, Some(9))).unwrap(),
            Some(DownloadPlan {
                offset: 0,
                replace: false
            })
        );
        fs::write(&target, b"1234").unwrap();
        assert!(matches!(
            plan_now(&target, &part, rules(ExistingTarget::Refuse, Some(9))),
            Err(EngineError::Exists(_))
        ));
        assert_eq!(
            plan_now(&target, &part, rules(ExistingTarget::Skip, Some(9))).unwrap(),
            None
        );
        assert_eq!(
            plan_now(&target, &part, rules(ExistingTarget::Overwrite, Some(9))).unwrap(),
            Some(DownloadPlan {
                offset: 0,
                replace: true
            })
        );
        assert!(
            plan_now(&target, &part, rules(ExistingTarget::Resume, Some(3))).is_err(),
            "larger than the server's file"
        );
        assert_eq!(
            plan_now(&target, &part, rules(ExistingTarget::Resume, Some(4))).unwrap(),
            None,
            "already complete"
        );
        assert_eq!(
            plan_now(&target, &part, rules(ExistingTarget::Resume, Some(9))).unwrap(),
            Some(DownloadPlan {
                offset: 4,
                replace: false
            })
        );
        assert!(
            !target.exists() && part.exists(),
            "the partial target became the part file"
        );
    }

    #[test]
    fn commit_never_replaces_without_leave() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t");
        let part = part_path(&target);
        fs::write(&part, b"new").unwrap();
        fs::write(&target, b"old").unwrap();
        assert!(matches!(
            commit(&part, &target, false),
            Err(EngineError::Exists(_))
        ));
        assert_eq!(fs::read(&target).unwrap(), b"old");
        commit(&part, &target, true).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert!(!part.exists());
    }
}
