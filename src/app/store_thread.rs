//! The window's store thread: runs store jobs (the sites file, the keyring) one at a time, in
//! order, off the UI thread (a keyring over D-Bus or a slow home folder must not freeze a
//! frame), and wakes the window when a result is ready.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::app::store_jobs::{StoreDone, StoreJob};
use crate::store::known_certs;
use crate::store::secrets::{Secrets, Stored, key_for};
use crate::store::sites::{self, Sites};

/// The running store thread.
pub struct StoreThread {
    jobs: Sender<StoreJob>,
    done: Receiver<StoreDone>,
}

impl StoreThread {
    /// Starts the thread. A `None` sites path keeps the sites in memory only (tests, or a
    /// sites file that must not be written over), a `None` settings path does not save
    /// settings; `initial` is what the window starts with.
    /// `wake` is called after each result.
    #[must_use]
    pub fn start(
        (sites_path, settings_path): (Option<PathBuf>, Option<PathBuf>),
        initial: Sites,
        secrets: Secrets,
        wake: impl Fn() + Send + 'static,
    ) -> Self {
        let (jobs, job_rx) = channel::<StoreJob>();
        let (done_tx, done) = channel::<StoreDone>();
        let spawned = std::thread::Builder::new()
            .name("skiff-store".to_owned())
            .spawn(move || {
                let mut memory = initial;
                for job in job_rx {
                    if let StoreJob::SaveSettings(settings) = &job {
                        if let Some(path) = &settings_path
                            && let Err(e) = crate::store::settings::save(path, settings)
                        {
                            let _ = done_tx.send(StoreDone::Notice(e.to_string()));
                        }
                        wake();
                        continue;
                    }
                    for result in run(job, sites_path.as_ref(), &mut memory, &secrets) {
                        if done_tx.send(result).is_err() {
                            return;
                        }
                    }
                    if let Some(notice) = secrets.take_notice() {
                        let _ = done_tx.send(StoreDone::Notice(notice));
                    }
                    wake();
                }
            });
        if let Err(e) = spawned {
            eprintln!("skiff: cannot start the store thread: {e}");
        }
        Self { jobs, done }
    }

    /// Hands a job over (never blocks).
    pub fn send(&self, job: StoreJob) {
        let _ = self.jobs.send(job);
    }

    /// A finished job's result, if any.
    #[must_use]
    pub fn try_recv(&self) -> Option<StoreDone> {
        self.done.try_recv().ok()
    }
}

/// Reads `file`, adds its sites and folders (the sites file, or `memory` without one) and their
/// passwords (keyring); the new sites and the summary line.
fn import_filezilla(
    file: &std::path::Path,
    path: Option<&PathBuf>,
    memory: &mut Sites,
    secrets: &Secrets,
) -> Vec<StoreDone> {
    let imported = match crate::store::filezilla::read(file) {
        Ok(imported) => imported,
        Err(why) => return vec![StoreDone::Imported(Err(why))],
    };
    let result = if let Some(path) = path {
        sites::update(path, |s| imported.merge_into(s)).map_err(|e| e.to_string())
    } else {
        let report = imported.merge_into(memory);
        Ok((memory.clone(), report))
    };
    let (new, report) = match result {
        Ok(done) => done,
        Err(why) => return vec![StoreDone::Imported(Err(why))],
    };
    memory.clone_from(&new);
    let saved = report.save_passwords(secrets);
    let mut summary = report.summary(saved.in_keyring);
    if saved.in_memory > 0 {
        let _ = write!(
            summary,
            "; {} passwords kept only until Skiff quits (no keyring)",
            saved.in_memory
        );
    }
    if !saved.failed.is_empty() {
        let _ = write!(summary, "; {} passwords not saved", saved.failed.len());
    }
    vec![StoreDone::Sites(Ok(new)), StoreDone::Imported(Ok(summary))]
}

fn run(
    job: StoreJob,
    path: Option<&PathBuf>,
    memory: &mut Sites,
    secrets: &Secrets,
) -> Vec<StoreDone> {
    match job {
        StoreJob::Sites(change) => {
            let result = if let Some(path) = path {
                sites::update(path, |s| change.apply(s)).map_err(|e| e.to_string())
            } else {
                let removed = change.apply(memory);
                Ok((memory.clone(), removed))
            };
            match result {
                Ok((new, removed)) => {
                    memory.clone_from(&new);
                    for id in removed {
                        let _ = secrets.delete(&key_for(&id));
                    }
                    vec![StoreDone::Sites(Ok(new))]
                }
                Err(why) => vec![StoreDone::Sites(Err(why))],
            }
        }
        StoreJob::ImportFileZilla(file) => import_filezilla(&file, path, memory, secrets),
        StoreJob::SetPassword { id, password } => {
            match secrets.set(&key_for(&id), password.expose()) {
                Ok(stored) => vec![StoreDone::PasswordKept(matches!(stored, Stored::Keyring))],
                Err(e) => vec![StoreDone::Notice(format!(
                    "The password could not be saved: {e}"
                ))],
            }
        }
        StoreJob::SaveSettings(_) => Vec::new(), // handled by the thread's loop
        StoreJob::TrustCertificate { host, port, sha256 } => {
            trust_certificate(&host, port, &sha256)
        }
        StoreJob::DeletePassword { id } => {
            let _ = secrets.delete(&key_for(&id));
            Vec::new()
        }
        StoreJob::PasswordForConnect { bookmark, after } => {
            let password = secrets
                .get(&key_for(&bookmark.id))
                .map(|p| p.map(crate::model::site::Password::new))
                .map_err(|e| e.to_string());
            vec![StoreDone::Password {
                bookmark,
                password,
                after,
            }]
        }
    }
}

/// Remembers a trusted certificate in the data directory's known certificates.
fn trust_certificate(host: &str, port: u16, sha256: &str) -> Vec<StoreDone> {
    let Some(path) = known_certs::default_path() else {
        return vec![StoreDone::Notice(
            "There is no data folder: the certificate is trusted for this session only".to_owned(),
        )];
    };
    match known_certs::update(&path, |known| known.trust(host, port, sha256)) {
        Ok(_) => Vec::new(),
        Err(e) => vec![StoreDone::Notice(e.to_string())],
    }
}
