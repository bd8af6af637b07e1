//! `SkiffApp`: the window. Wires the state, the engine and the widgets: events from the engine
//! go through `reduce`, actions from widgets through `actions::plan`, and the commands that
//! come out are sent without ever blocking a frame. The frame is drawn in `frame`; `run` opens
//! the window.

pub mod actions;
pub mod connect;
pub mod doctor;
mod file_ops;
mod frame;
pub mod queue;
pub mod reduce;
mod run;
pub mod sites;
pub mod state;
pub mod store_jobs;
pub mod store_thread;
pub mod transfer_settings;
pub mod transfers;
pub mod tree;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc::UnboundedReceiver;

use crate::engine::EngineHandle;
use crate::protocol::{Command, Event};
use crate::store::queue_file::QueueWriter;
use actions::Action;
use queue::QueueState;
use state::{AppState, Connection, Side};

/// How the window starts.
#[derive(Debug, Clone, Default)]
pub struct Start {
    /// Connect to this URL at once (`skiff ftp://…`, `skiff --demo`).
    pub connect_to: Option<String>,
    /// The local pane's first folder.
    pub local_folder: PathBuf,
    /// Where the transfer queue is kept (`None`: not kept, as in tests that do not ask).
    pub queue_file: Option<PathBuf>,
    /// The queue as saved by the last run (pending and failed items come back).
    pub saved_queue: Vec<crate::store::queue_file::SavedTransfer>,
    /// Something to tell the user at once (a queue file that could not be read).
    pub notice: Option<String>,
    /// The bookmarks as read at start.
    pub sites: crate::store::sites::Sites,
    /// Where the bookmarks are kept (`None`: in memory only, as in tests that do not ask).
    pub sites_path: Option<PathBuf>,
    /// Where passwords go (`None`: memory only, for this session).
    pub secrets: Option<crate::store::secrets::Secrets>,
    /// The settings as read at start.
    pub settings: crate::store::settings::Settings,
    /// Where settings are kept (`None`: not saved).
    pub settings_path: Option<PathBuf>,
    /// Certificates the user trusted before: `host`, `port`, SHA-256.
    pub known_certs: Vec<(String, u16, String)>,
}

/// The Skiff window.
pub struct SkiffApp {
    state: AppState,
    engine: EngineHandle,
    events: UnboundedReceiver<Event>,
    /// Commands the engine's queue had no room for yet (sent on the next frame).
    outbox: VecDeque<Command>,
    /// The pane keys act on (the last one clicked).
    active: Side,
    title: String,
    /// What was typed to jump to a name, and when (seconds of egui time): keys typed within a
    /// second of each other add up ("rea" finds README).
    typed: (String, f64),
    /// `SKIFF_FRAME_STATS` is set: print each frame's CPU time to stderr (for bench/window.sh).
    frame_stats: bool,
    /// Writes the queue file in the background.
    queue_writer: Option<QueueWriter>,
    /// Runs the sites-file and keyring jobs.
    store: store_thread::StoreThread,
    /// The theme last applied.
    theme: crate::store::settings::Theme,
    /// The next engine event asks for a repaint (cleared by that event, set by each drain).
    wake_armed: Arc<AtomicBool>,
    /// The engine's runtime (to wait for the last queue write at exit).
    runtime: tokio::runtime::Handle,
    /// The queue version last handed to the writer.
    saved_version: u64,
}

impl SkiffApp {
    /// Starts the engine on `runtime` (it repaints `ctx` when events arrive), lists the local
    /// folder and, when asked, connects.
    #[must_use]
    pub fn new(ctx: &egui::Context, runtime: &tokio::runtime::Handle, start: Start) -> Self {
        // The settings' theme (the system's by default); SKIFF_THEME=light|dark overrides it
        // where the desktop does not say (X11 without a settings daemon reports none, and egui
        // then picks dark).
        let theme = match std::env::var("SKIFF_THEME").as_deref() {
            Ok("light") => crate::store::settings::Theme::Light,
            Ok("dark") => crate::store::settings::Theme::Dark,
            _ => start.settings.theme,
        };
        frame::apply_theme(ctx, theme);
        let repaint = ctx.clone();
        let wake_armed = Arc::new(AtomicBool::new(true));
        let armed = Arc::clone(&wake_armed);
        // One repaint per batch of events: the first event after a drain asks for a frame,
        // the rest of the batch only queue up (a 5000-file queue sends ~100,000 events).
        let waker = Arc::new(move || {
            if armed.swap(false, Ordering::AcqRel) {
                repaint.request_repaint();
            }
        });
        let (engine, events) = EngineHandle::spawn(runtime, waker);
        let mut state = AppState::new(start.local_folder.display().to_string());
        state.queue = QueueState::from_saved(start.saved_queue);
        state.sites = start.sites.clone();
        for (host, port, sha256) in &start.known_certs {
            state
                .trusted_certs
                .insert(connect::certificate_key(host, *port), sha256.clone());
        }
        let wake = ctx.clone();
        state.queue.settings = transfer_settings::TransferSettings::from_file(&start.settings);
        let start_theme = state.queue.settings.theme;
        let limits = (
            start.settings.download_limit_kib.saturating_mul(1024),
            start.settings.upload_limit_kib.saturating_mul(1024),
        );
        let store = store_thread::StoreThread::start(
            (start.sites_path, start.settings_path),
            start.sites,
            start
                .secrets
                .unwrap_or_else(crate::store::secrets::Secrets::memory_only),
            move || wake.request_repaint(),
        );
        if let Some(notice) = start.notice {
            state.push_log(crate::protocol::LogKind::Error, notice.clone());
            state.status = notice;
        }
        let queue_writer = start
            .queue_file
            .map(|path| QueueWriter::start(runtime, path));
        let mut app = Self {
            state,
            queue_writer,
            store,
            theme: start_theme,
            wake_armed,
            runtime: runtime.clone(),
            saved_version: 0,
            engine,
            events,
            outbox: VecDeque::new(),
            active: Side::Remote,
            title: String::new(),
            typed: (String::new(), 0.0),
            frame_stats: std::env::var_os("SKIFF_FRAME_STATS").is_some(),
        };
        if limits != (0, 0) {
            app.outbox.push_back(Command::SetSpeedLimits {
                download: limits.0,
                upload: limits.1,
            });
        }
        app.dispatch(Action::OpenLocal(start.local_folder.display().to_string()));
        if let Some(url) = start.connect_to {
            app.connect_at_start(url);
        }
        app
    }

    /// `skiff URL` or `skiff site:NAME/path`: connect as soon as the window exists.
    fn connect_at_start(&mut self, url: String) {
        match crate::store::resolve::find_site(&url, &self.state.sites) {
            Ok(Some((bookmark, path, _))) => {
                let mut bookmark = bookmark.clone();
                bookmark.remote_folder = path.to_string();
                self.dispatch(Action::Sites(sites::SiteAction::ConnectWith(Box::new(
                    bookmark,
                ))));
            }
            Ok(None) => {
                self.state.form.host = url;
                self.dispatch(Action::Connect);
            }
            Err(e) => {
                let why = e.to_string();
                self.state
                    .push_log(crate::protocol::LogKind::Error, why.clone());
                self.state.connection = Connection::Failed(why.clone());
                self.state.status = why;
            }
        }
    }

    /// The state (for tests and the status line).
    #[must_use]
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Does what the user asked for.
    pub fn dispatch(&mut self, action: Action) {
        let engine = &self.engine;
        let commands = actions::plan(&mut self.state, action, &mut || engine.next_request());
        self.outbox.extend(commands);
        for job in self.state.store_jobs.drain(..) {
            self.store.send(job);
        }
        self.flush();
    }

    fn flush(&mut self) {
        while let Some(command) = self.outbox.pop_front() {
            if let Err(command) = self.engine.try_send(command) {
                self.outbox.push_front(*command);
                break;
            }
        }
    }

    /// What a frame does besides drawing: applies the engine's events and moves the queue on.
    /// For drivers without a window (the queue benchmark).
    pub fn tick(&mut self) {
        self.drain_events();
        self.pump_queue();
    }

    /// Starts queued items on free connections, opens the next overwrite prompt, and hands a
    /// changed queue to the writer.
    fn pump_queue(&mut self) {
        let engine = &self.engine;
        let mut next_id = || engine.next_request();
        if let (Some(session), Some(site)) = (self.state.session(), self.state.site_key.clone()) {
            let started = self.state.queue.pump(session, &site, &mut next_id);
            self.outbox.extend(started);
        }
        let asked = transfers::ask_next(&mut self.state, &mut next_id);
        self.outbox.extend(asked);
        self.flush();
        if self.state.queue.version != self.saved_version
            && let Some(writer) = &self.queue_writer
        {
            writer.write(self.state.queue.to_saved());
            self.saved_version = self.state.queue.version;
            if let Some(error) = writer.take_error() {
                self.state.status = error;
            }
        }
    }

    fn drain_events(&mut self) {
        self.apply_store_results();
        self.apply_waiting_events();
        // Re-arm, then look once more: an event sent after the drain either is seen here or
        // finds the waker armed and asks for the next frame. None can be left behind.
        self.wake_armed.store(true, Ordering::Release);
        self.apply_waiting_events();
    }

    /// Applies what the store thread finished (sites saved, a password looked up).
    fn apply_store_results(&mut self) {
        while let Some(done) = self.store.try_recv() {
            for action in sites::apply_done(&mut self.state, done) {
                self.dispatch(action);
            }
        }
    }

    fn apply_waiting_events(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            for action in reduce::apply(&mut self.state, event) {
                self.dispatch(action);
            }
        }
    }
}

pub use run::run_window;
