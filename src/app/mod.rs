//! `SkiffApp`: the window. Wires the state, the engine and the widgets: events from the engine
//! go through `reduce`, actions from widgets through `actions::plan`, and the commands that
//! come out are sent without ever blocking a frame.

pub mod actions;
pub mod doctor;
pub mod queue;
pub mod reduce;
pub mod sites;
pub mod state;
pub mod store_thread;
pub mod transfers;
pub mod tree;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::engine::EngineHandle;
use crate::protocol::{Command, Event};
use crate::store::queue_file::QueueWriter;
use crate::ui;
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
        apply_theme(ctx, theme);
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
                .insert(actions::certificate_key(host, *port), sha256.clone());
        }
        let wake = ctx.clone();
        state.queue.settings = queue::TransferSettings::from_file(&start.settings);
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

    fn keys(&mut self, ctx: &egui::Context) -> Option<Action> {
        if ctx.memory(|m| m.focused().is_some()) {
            return None; // typing in a text field
        }
        let side = self.active;
        ctx.input(|i| {
            if i.key_pressed(egui::Key::F5) {
                Some(Action::Refresh(side))
            } else if i.key_pressed(egui::Key::Backspace) {
                Some(Action::Up(side))
            } else if i.key_pressed(egui::Key::F2) {
                Some(Action::AskRename(side))
            } else if i.key_pressed(egui::Key::Delete) {
                Some(Action::AskDelete(side))
            } else if i.key_pressed(egui::Key::ArrowDown) {
                Some(Action::MoveSelection(side, 1))
            } else if i.key_pressed(egui::Key::ArrowUp) {
                Some(Action::MoveSelection(side, -1))
            } else if let Some(typed) = typed_text(i) {
                if i.time - self.typed.1 > 1.0 {
                    self.typed.0.clear();
                }
                self.typed.0.push_str(&typed);
                self.typed.1 = i.time;
                Some(Action::JumpTo(side, self.typed.0.clone()))
            } else if i.key_pressed(egui::Key::Enter) {
                let pane = self.state.pane(side);
                pane.selected
                    .iter()
                    .next()
                    .map(|name| Action::Open(side, name.clone()))
            } else {
                None
            }
        })
    }

    /// The URL of the remote folder, or of `name` in it; never with the password.
    fn url_of(&self, name: Option<&str>) -> Option<String> {
        let (site, _) = actions::site_from_form(&self.state).ok()?;
        let folder = crate::model::path::RemotePath::new(&self.state.remote.path);
        let path = name.map_or_else(|| folder.clone(), |n| folder.join(n));
        Some(site.url_for(&path))
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match &self.state.connection {
            Connection::Connected { target, .. } => format!("Skiff — {target}"),
            _ => "Skiff".to_owned(),
        };
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}

impl SkiffApp {
    /// The two panes side by side (with the remote pane's Reconnect offer).
    fn panes(&mut self, ui: &mut egui::Ui, asked: &mut Vec<Action>) {
        let half = ui.available_width() / 2.0;
        let connected = self.state.session().is_some();
        egui::Panel::left("local_pane")
            .resizable(true)
            .default_size(half)
            .show(ui, |ui| {
                let asked_here = ui::pane::show(
                    ui,
                    Side::Local,
                    "Local site:",
                    &mut self.state.local,
                    connected,
                );
                asked.extend(asked_here);
            });
        egui::CentralPanel::default_margins().show(ui, |ui| {
            if self.state.connection_lost && connected {
                ui.horizontal(|ui| {
                    ui.colored_label(ui::ERROR_COLOR, "The connection to the server was lost.");
                    // The engine reconnects to the same site on the next request.
                    if ui.button("Reconnect").clicked() {
                        asked.push(Action::Refresh(Side::Remote));
                    }
                });
            } else if let Connection::Failed(_) = &self.state.connection
                && !self.state.form.host.is_empty()
                && ui.button("Reconnect").clicked()
            {
                asked.push(Action::Connect);
            }
            asked.extend(ui::pane::show(
                ui,
                Side::Remote,
                "Remote site:",
                &mut self.state.remote,
                connected,
            ));
        });
    }
}

impl eframe::App for SkiffApp {
    /// Quitting: the queue's last state is on disk before the window goes.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(writer) = &self.queue_writer {
            writer.write(self.state.queue.to_saved());
            let flushed = tokio::time::timeout(Duration::from_secs(5), writer.flush());
            if self.runtime.block_on(flushed).is_err() {
                eprintln!("skiff: the transfer queue could not be saved within 5 s");
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if self.frame_stats
            && let Some(seconds) = frame.info().cpu_usage
        {
            eprintln!(
                "frame_cpu_ms {:.2} entries {}",
                seconds * 1000.0,
                self.state.remote.entries.len()
            );
        }
        self.drain_events();
        let ctx = ui.ctx().clone();
        self.update_title(&ctx);
        let mut asked: Vec<Action> = Vec::new();
        egui::Panel::top("connect_bar").show(ui, |ui| {
            asked.extend(ui::connect_bar::show(
                ui,
                &mut self.state.form,
                &self.state.connection,
                &self.state.sites,
            ));
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| ui::status_bar::show(ui, &self.state));
        egui::Panel::bottom("transfer_queue")
            .resizable(true)
            .default_size(170.0)
            .show(ui, |ui| {
                asked.extend(ui::queue_panel::show(ui, &self.state.queue));
            });
        egui::Panel::top("message_log")
            .resizable(true)
            .default_size(140.0)
            .show(ui, |ui| {
                asked.extend(ui::log_panel::show(ui, &self.state.log));
            });
        self.panes(ui, &mut asked);
        asked.extend(desktop_drop(&ctx, &self.state.remote.path));
        if let Some(doctor) = &self.state.doctor {
            asked.extend(ui::doctor::show(&ctx, doctor));
        }
        if let Some(manager) = &mut self.state.site_manager {
            asked.extend(ui::site_manager::show(&ctx, manager, &self.state.sites));
        }
        if let Some(dialog) = &mut self.state.dialog {
            asked.extend(ui::dialogs::show(&ctx, dialog));
        } else {
            asked.extend(self.keys(&ctx));
        }
        let urls: Vec<String> = asked
            .iter()
            .filter_map(|a| match a {
                Action::CopyUrl(name) => self.url_of(name.as_deref()),
                _ => None,
            })
            .collect();
        for url in urls {
            self.state.status = format!("Copied {url}");
            ctx.copy_text(url);
        }
        for action in asked {
            match &action {
                Action::Select { side, .. }
                | Action::ToggleTree(side, _)
                | Action::Mkdir(side, _)
                | Action::Sort(side, _)
                | Action::Open(side, _)
                | Action::Up(side)
                | Action::Refresh(side) => {
                    self.active = *side;
                }
                _ => {}
            }
            self.dispatch(action);
        }
        if self.state.queue.settings.theme != self.theme {
            self.theme = self.state.queue.settings.theme;
            apply_theme(&ctx, self.theme);
        }
        self.pump_queue();
        if !self.outbox.is_empty() {
            ctx.request_repaint_after(Duration::from_millis(20));
        }
    }
}

/// Sets the window's theme.
fn apply_theme(ctx: &egui::Context, theme: crate::store::settings::Theme) {
    use crate::store::settings::Theme;
    ctx.set_theme(match theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    });
}

/// Files dropped from another program upload into the remote folder; while they hover, the
/// window says so.
fn desktop_drop(ctx: &egui::Context, remote_folder: &str) -> Option<Action> {
    let (hovering, dropped) = ctx.input(|i| {
        let dropped: Vec<PathBuf> = i
            .raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        (!i.raw.hovered_files.is_empty(), dropped)
    });
    if hovering {
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("desktop_drop"),
        ));
        let rect = ctx.content_rect();
        painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            format!("Drop to upload into {remote_folder}"),
            egui::FontId::proportional(22.0),
            egui::Color32::WHITE,
        );
    }
    (!dropped.is_empty()).then_some(Action::Queue(transfers::QueueAction::UploadPaths(dropped)))
}

/// Text typed this frame (outside text fields): jumps to a matching name.
fn typed_text(input: &egui::InputState) -> Option<String> {
    let typed: String = input
        .events
        .iter()
        .filter_map(|e| match e {
            egui::Event::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    (!typed.is_empty()).then_some(typed)
}

/// Opens the window and runs it until it is closed; returns the exit status.
#[must_use]
pub fn run_window(start: Start, demo: bool) -> i32 {
    let runtime = match crate::engine::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("skiff: cannot start: {e}");
            return 1;
        }
    };
    let mut start = start;
    if !demo {
        // The demo's server is new on every run (another port): its queue is not kept.
        start.queue_file = crate::store::queue_file::default_path();
        if let Some(path) = &start.queue_file {
            match crate::store::queue_file::load(path) {
                Ok(saved) => start.saved_queue = saved,
                Err(e) if e.file_left_in_place() => {
                    // Unreadable or from a newer Skiff: never write over it.
                    start.notice = Some(format!("{e} (the queue is not saved this session)"));
                    start.queue_file = None;
                }
                Err(e) => start.notice = Some(e.to_string()),
            }
        }
    }
    start.sites_path = crate::store::sites::default_path();
    if let Some(path) = &start.sites_path {
        match crate::store::sites::load(path) {
            Ok(sites) => start.sites = sites,
            Err(e) => {
                if e.file_left_in_place() {
                    start.sites_path = None; // never write over a file we could not read
                }
                start.notice = Some(e.to_string());
            }
        }
    }
    start.secrets = Some(crate::store::secrets::Secrets::new());
    if let Some(path) = crate::store::known_certs::default_path() {
        match crate::store::known_certs::load(&path) {
            Ok(known) => {
                start.known_certs = known
                    .entries()
                    .map(|(host, port, sha)| (host.to_owned(), port, sha.to_owned()))
                    .collect();
            }
            Err(e) => start.notice = Some(e.to_string()),
        }
    }
    start.settings_path = crate::store::settings::default_path();
    if let Some(path) = &start.settings_path {
        match crate::store::settings::load(path) {
            Ok(settings) => start.settings = settings,
            Err(e) => {
                if e.file_left_in_place() {
                    start.settings_path = None;
                }
                start.notice = Some(e.to_string());
            }
        }
    }
    let _demo = if demo {
        match crate::demo::DemoServer::start(runtime.handle()) {
            Ok(server) => {
                start.connect_to = Some(server.url());
                Some(server)
            }
            Err(e) => {
                eprintln!("skiff: the demo server cannot start: {e}");
                return 1;
            }
        }
    } else {
        None
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Skiff")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([640.0, 400.0]);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")) {
        viewport = viewport.with_icon(Arc::new(icon));
    }
    let options = eframe::NativeOptions {
        viewport,
        ..eframe::NativeOptions::default()
    };
    let handle = runtime.handle().clone();
    let result = eframe::run_native(
        "Skiff",
        options,
        Box::new(move |cc| Ok(Box::new(SkiffApp::new(&cc.egui_ctx, &handle, start)))),
    );
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("skiff: the window cannot open: {e}");
            1
        }
    }
}
