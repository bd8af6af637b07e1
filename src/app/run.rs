//! Opening the window: the engine's runtime, the demo server when asked, eframe's options
//! (glow), and the exit status.

use std::sync::Arc;

use super::{SkiffApp, Start};

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
