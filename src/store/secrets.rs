//! Saved passwords: the OS keyring (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows). When no keyring is reachable, passwords are kept in memory for the
//! session and the user is told once; they never go to a file.
//!
//! Every keyring call runs on one helper thread that Skiff owns, so the API is blocking and
//! safe from any thread: a plain `std::thread`, or even inside a tokio runtime (the Linux
//! keyring's D-Bus client runs its own small runtime, which must not be started on a thread
//! that is already in one). A keyring that does not answer within [`ANSWER_TIMEOUT`] counts as
//! unreachable.

use std::collections::HashMap;
use std::fmt;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The service name Skiff's passwords are filed under in the keyring.
const SERVICE: &str = "skiff";

/// The keyring key used to find out whether a keyring is reachable (never written).
const PROBE_KEY: &str = "probe";

/// How long to wait for the keyring (long enough for a desktop's unlock prompt).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// The keyring key of a bookmark's password: `site:<id>`.
#[must_use]
pub fn key_for(site_id: &str) -> String {
    format!("site:{site_id}")
}

/// Where [`Secrets::set`] put a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// In the OS keyring: it is there next time.
    Keyring,
    /// In memory only: gone when Skiff quits.
    SessionOnly,
}

/// A keyring operation that failed for a reason other than "no keyring" (those fall back to
/// memory). Never contains the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The keyring answered with an error.
    #[error("cannot {action} the saved password {key} in the keyring: {detail}")]
    Keyring {
        /// "read", "save" or "delete".
        action: &'static str,
        /// The key (`site:<id>`).
        key: String,
        /// What the keyring said.
        detail: String,
    },
}

/// What the helper thread is asked to do with one key.
enum Op {
    Get,
    Set(String),
    Delete,
}

/// The helper thread's answer.
enum Answer {
    /// Done; the password for [`Op::Get`] (`None`: no such entry).
    Done(Option<String>),
    /// No keyring is reachable (the text says why): use memory from now on.
    Unreachable(String),
    /// The keyring refused this one operation (the text says why).
    Failed(String),
}

/// The store behind the helper thread: the OS keyring, or a stand-in in tests.
type Backend = Box<dyn FnMut(&str, Op) -> Answer + Send>;

/// One request to the helper thread.
struct Job {
    key: String,
    op: Op,
    reply: mpsc::Sender<Answer>,
}

/// Where passwords go now.
enum Mode {
    /// The keyring, through the helper thread; `confirmed` once it has answered.
    Keyring {
        jobs: mpsc::Sender<Job>,
        confirmed: bool,
    },
    /// Memory only.
    Memory,
}

/// The state all clones of a [`Secrets`] share.
struct State {
    mode: Mode,
    /// Passwords kept for this session (when in memory mode).
    memory: HashMap<String, String>,
    /// The message about falling back to memory, until taken.
    notice: Option<String>,
}

/// Passwords by key: the OS keyring, or memory when none is reachable. A cheap handle: clones
/// share the same store. Blocking; see the module docs for why it is safe on any thread.
#[derive(Clone)]
pub struct Secrets {
    shared: Arc<Mutex<State>>,
    timeout: Duration,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let memory = matches!(self.lock().mode, Mode::Memory);
        f.debug_struct("Secrets")
            .field("memory_only", &memory)
            .finish_non_exhaustive()
    }
}

impl Default for Secrets {
    /// [`Secrets::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl Secrets {
    /// The OS keyring; falls back to memory (with a notice) on the first "no keyring"
    /// failure. Starts the helper thread but does not contact the keyring yet.
    #[must_use]
    pub fn new() -> Self {
        Self::with_backend(os_keyring(), ANSWER_TIMEOUT)
    }

    /// Memory only, no notice (tests, or when the user opted out of the keyring).
    #[must_use]
    pub fn memory_only() -> Self {
        Self::from_mode(Mode::Memory, None, ANSWER_TIMEOUT)
    }

    /// A store over `backend` on a new helper thread, waiting at most `timeout` per call.
    fn with_backend(mut backend: Backend, timeout: Duration) -> Self {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("skiff-keyring".to_owned())
            .spawn(move || {
                for job in job_rx {
                    let answer = backend(&job.key, job.op);
                    // The caller may have given up waiting; nothing to do then.
                    let _ = job.reply.send(answer);
                }
            });
        match spawned {
            Ok(_) => Self::from_mode(
                Mode::Keyring {
                    jobs,
                    confirmed: false,
                },
                None,
                timeout,
            ),
            Err(e) => Self::from_mode(
                Mode::Memory,
                Some(notice(&format!("cannot start the keyring thread: {e}"))),
                timeout,
            ),
        }
    }

    fn from_mode(mode: Mode, notice: Option<String>, timeout: Duration) -> Self {
        Self {
            shared: Arc::new(Mutex::new(State {
                mode,
                memory: HashMap::new(),
                notice,
            })),
            timeout,
        }
    }

    /// The saved password for `key`, if any.
    pub fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        match self.call(key, Op::Get) {
            Some(Answer::Done(password)) => Ok(password),
            Some(Answer::Failed(detail)) => Err(error("read", key, detail)),
            Some(Answer::Unreachable(_)) | None => Ok(self.lock().memory.get(key).cloned()),
        }
    }

    /// Saves `password` for `key` (replacing any earlier one); says where it went.
    pub fn set(&self, key: &str, password: &str) -> Result<Stored, SecretError> {
        match self.call(key, Op::Set(password.to_owned())) {
            Some(Answer::Done(_)) => Ok(Stored::Keyring),
            Some(Answer::Failed(detail)) => Err(error("save", key, detail)),
            Some(Answer::Unreachable(_)) | None => {
                self.lock()
                    .memory
                    .insert(key.to_owned(), password.to_owned());
                Ok(Stored::SessionOnly)
            }
        }
    }

    /// Forgets the password for `key` (no error when there is none).
    pub fn delete(&self, key: &str) -> Result<(), SecretError> {
        let answer = self.call(key, Op::Delete);
        self.lock().memory.remove(key);
        match answer {
            Some(Answer::Failed(detail)) => Err(error("delete", key, detail)),
            _ => Ok(()),
        }
    }

    /// The message about the fall back to memory, once: "No keyring is reachable (<why>):
    /// saved passwords are kept only until Skiff quits". `None` before any fall back and
    /// after the first call.
    #[must_use]
    pub fn take_notice(&self) -> Option<String> {
        self.lock().notice.take()
    }

    /// Where [`Secrets::set`] puts passwords now. The first call may ask the keyring whether
    /// it is there (blocking, like every call here).
    #[must_use]
    pub fn backend(&self) -> Stored {
        let unconfirmed = matches!(
            self.lock().mode,
            Mode::Keyring {
                confirmed: false,
                ..
            }
        );
        if unconfirmed {
            let _ = self.call(PROBE_KEY, Op::Get);
        }
        match self.lock().mode {
            Mode::Keyring { .. } => Stored::Keyring,
            Mode::Memory => Stored::SessionOnly,
        }
    }

    /// Runs `op` on the helper thread; `None` when in memory mode. An unreachable keyring
    /// (or no answer in time) switches to memory mode and leaves the notice.
    fn call(&self, key: &str, op: Op) -> Option<Answer> {
        let jobs = match &self.lock().mode {
            Mode::Keyring { jobs, .. } => jobs.clone(),
            Mode::Memory => return None,
        };
        let (reply, answer) = mpsc::channel();
        let job = Job {
            key: key.to_owned(),
            op,
            reply,
        };
        // Not holding the lock while waiting: other clones may read the notice meanwhile.
        let answer = match jobs.send(job) {
            Ok(()) => match answer.recv_timeout(self.timeout) {
                Ok(answer) => answer,
                Err(RecvTimeoutError::Timeout) => Answer::Unreachable(format!(
                    "it did not answer within {} s",
                    self.timeout.as_secs()
                )),
                Err(RecvTimeoutError::Disconnected) => {
                    Answer::Unreachable("the keyring thread stopped".to_owned())
                }
            },
            Err(_) => Answer::Unreachable("the keyring thread stopped".to_owned()),
        };
        let mut state = self.lock();
        match &answer {
            Answer::Unreachable(why) => {
                if matches!(state.mode, Mode::Keyring { .. }) {
                    state.mode = Mode::Memory;
                    state.notice = Some(notice(why));
                }
            }
            Answer::Done(_) | Answer::Failed(_) => {
                if let Mode::Keyring { confirmed, .. } = &mut state.mode {
                    *confirmed = true;
                }
            }
        }
        Some(answer)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The notice for a fall back to memory.
fn notice(why: &str) -> String {
    format!("No keyring is reachable ({why}): saved passwords are kept only until Skiff quits")
}

fn error(action: &'static str, key: &str, detail: String) -> SecretError {
    SecretError::Keyring {
        action,
        key: key.to_owned(),
        detail,
    }
}

/// The OS keyring as a [`Backend`].
fn os_keyring() -> Backend {
    Box::new(|key: &str, op: Op| {
        let entry = match keyring::Entry::new(SERVICE, key) {
            Ok(entry) => entry,
            Err(e) => return answer_for(e),
        };
        let result = match op {
            Op::Get => entry.get_password().map(Some),
            Op::Set(password) => entry.set_password(&password).map(|()| None),
            Op::Delete => entry.delete_credential().map(|()| None),
        };
        result.map_or_else(answer_for, Answer::Done)
    })
}

/// A keyring error in Skiff's words, without anything the keyring holds (its
/// `BadEncoding` carries the stored bytes, `Ambiguous` the entries).
fn answer_for(error: keyring::Error) -> Answer {
    match error {
        keyring::Error::PlatformFailure(why) | keyring::Error::NoStorageAccess(why) => {
            Answer::Unreachable(why.to_string())
        }
        keyring::Error::NoEntry => Answer::Done(None),
        keyring::Error::BadEncoding(_) => {
            Answer::Failed("the saved password is not UTF-8 text".to_owned())
        }
        keyring::Error::TooLong(what, limit) => Answer::Failed(format!(
            "{what} is longer than the keyring allows ({limit} characters)"
        )),
        keyring::Error::Invalid(what, why) => Answer::Failed(format!("{what} is invalid: {why}")),
        keyring::Error::Ambiguous(entries) => Answer::Failed(format!(
            "the keyring holds {} entries for it; remove the extra ones",
            entries.len()
        )),
        _ => Answer::Failed("the keyring reported an unknown error".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn secrets_is_send_and_sync() {
        assert_send_sync::<Secrets>();
    }

    /// A keyring stand-in that works: a map on the helper thread; counts its calls.
    fn working() -> (Backend, Arc<Mutex<HashMap<String, String>>>) {
        let store = Arc::new(Mutex::new(HashMap::new()));
        let inside = Arc::clone(&store);
        let backend: Backend = Box::new(move |key: &str, op: Op| {
            let mut map = inside.lock().unwrap();
            match op {
                Op::Get => Answer::Done(map.get(key).cloned()),
                Op::Set(p) => {
                    map.insert(key.to_owned(), p);
                    Answer::Done(None)
                }
                Op::Delete => {
                    map.remove(key);
                    Answer::Done(None)
                }
            }
        });
        (backend, store)
    }

    #[test]
    fn memory_only_keeps_passwords_for_the_session() {
        let secrets = Secrets::memory_only();
        assert_eq!(secrets.backend(), Stored::SessionOnly);
        assert_eq!(secrets.get("site:a").unwrap(), None);
        assert_eq!(secrets.set("site:a", "pw").unwrap(), Stored::SessionOnly);
        // A clone shares the store.
        assert_eq!(
            secrets.clone().get("site:a").unwrap().as_deref(),
            Some("pw")
        );
        secrets.delete("site:a").unwrap();
        secrets.delete("site:a").unwrap();
        assert_eq!(secrets.get("site:a").unwrap(), None);
        assert_eq!(secrets.take_notice(), None);
    }

    #[test]
    fn a_working_keyring_is_used() {
        let (backend, store) = working();
        let secrets = Secrets::with_backend(backend, Duration::from_secs(10));
        assert_eq!(secrets.set("site:a", "pw 1").unwrap(), Stored::Keyring);
        assert_eq!(store.lock().unwrap().get("site:a").unwrap(), "pw 1");
        assert_eq!(secrets.get("site:a").unwrap().as_deref(), Some("pw 1"));
        secrets.delete("site:a").unwrap();
        assert!(store.lock().unwrap().is_empty());
        assert_eq!(secrets.backend(), Stored::Keyring);
        assert_eq!(secrets.take_notice(), None);
    }

    #[test]
    fn an_unreachable_keyring_falls_back_to_memory_and_says_so_once() {
        let calls = Arc::new(Mutex::new(0));
        let counted = Arc::clone(&calls);
        let backend: Backend = Box::new(move |_: &str, _: Op| {
            *counted.lock().unwrap() += 1;
            Answer::Unreachable("no D-Bus session".to_owned())
        });
        let secrets = Secrets::with_backend(backend, Duration::from_secs(10));
        assert_eq!(
            secrets.set("site:a", "hunter2").unwrap(),
            Stored::SessionOnly
        );
        assert_eq!(secrets.get("site:a").unwrap().as_deref(), Some("hunter2"));
        assert_eq!(secrets.backend(), Stored::SessionOnly);
        assert_eq!(*calls.lock().unwrap(), 1, "the keyring is tried once only");

        let notice = secrets.take_notice().unwrap();
        assert_eq!(
            notice,
            "No keyring is reachable (no D-Bus session): saved passwords are kept only until Skiff quits"
        );
        assert!(!notice.contains("hunter2"));
        assert_eq!(secrets.take_notice(), None);
    }

    #[test]
    fn backend_probes_an_untried_keyring() {
        let backend: Backend = Box::new(|_: &str, _: Op| Answer::Unreachable("none".to_owned()));
        let secrets = Secrets::with_backend(backend, Duration::from_secs(10));
        assert_eq!(secrets.backend(), Stored::SessionOnly);
        assert!(secrets.take_notice().is_some());

        let (backend, store) = working();
        let secrets = Secrets::with_backend(backend, Duration::from_secs(10));
        assert_eq!(secrets.backend(), Stored::Keyring);
        assert!(store.lock().unwrap().is_empty(), "the probe writes nothing");
    }

    #[test]
    fn a_keyring_that_does_not_answer_counts_as_unreachable() {
        let (release, hold) = mpsc::channel::<()>();
        let hold = Mutex::new(hold);
        let backend: Backend = Box::new(move |_: &str, _: Op| {
            // Hangs until the test lets go (as a stuck D-Bus call would).
            let _ = hold.lock().unwrap().recv();
            Answer::Done(None)
        });
        let secrets = Secrets::with_backend(backend, Duration::from_millis(200));
        assert_eq!(secrets.set("site:a", "pw").unwrap(), Stored::SessionOnly);
        assert!(secrets.take_notice().unwrap().contains("did not answer"));
        assert_eq!(secrets.get("site:a").unwrap().as_deref(), Some("pw"));
        drop(release);
    }

    #[test]
    fn keyring_errors_do_not_fall_back_and_never_carry_the_secret() {
        let backend: Backend =
            Box::new(|_: &str, _: Op| answer_for(keyring::Error::BadEncoding(b"hunter2".to_vec())));
        let secrets = Secrets::with_backend(backend, Duration::from_secs(10));
        let error = secrets.get("site:a").unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("site:a"), "{text}");
        assert_eq!(secrets.backend(), Stored::Keyring);
    }

    #[test]
    fn the_os_keyring_is_safe_to_call_inside_a_tokio_runtime() {
        // Whatever this machine has (a keyring, or none: then the fall back), the call must
        // neither panic ("Cannot start a runtime from within a runtime") nor hang.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let secrets = Secrets::new();
        let answer = runtime.block_on(async { secrets.get(&key_for("skiff-unit-test-none")) });
        assert_eq!(answer, Ok(None));
    }
}
