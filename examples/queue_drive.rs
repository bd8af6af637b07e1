//! Drives the window's transfer queue without a window, for bench/compare.sh: the same
//! `SkiffApp` state, actions, reducer and queue as the window, minus the drawing.
//!
//!   `queue_drive URL get NAME LOCAL_FOLDER [CONNECTIONS]`: download NAME (a file or folder in
//!   URL's folder) into `LOCAL_FOLDER`.
//!   `queue_drive URL put LOCAL_PATH [CONNECTIONS]`: upload `LOCAL_PATH` into URL's folder.
//!
//! Exits 0 when every item arrived, 1 otherwise. The password comes from the URL or
//! `SKIFF_PASSWORD`.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use skiff::app::actions::Action;
use skiff::app::queue::ItemState;
use skiff::app::state::Side;
use skiff::app::transfers::QueueAction;
use skiff::app::{SkiffApp, Start};

fn main() {
    std::process::exit(match run() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("queue_drive: {e}");
            1
        }
    });
}

/// What to move, parsed from the arguments.
struct Job {
    url: String,
    from: Side,
    name: String,
    local_folder: PathBuf,
    connections: usize,
}

fn parse_args() -> Result<Job, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: queue_drive URL get NAME LOCAL_FOLDER [N] | URL put LOCAL_PATH [N]";
    let (mut url, verb) = match args.as_slice() {
        [url, verb, ..] => (url.clone(), verb.as_str()),
        _ => return Err(usage.to_owned()),
    };
    let userinfo_start = url.find("://").map_or(0, |i| i + 3);
    if let Ok(password) = std::env::var("SKIFF_PASSWORD")
        && let Some(at) = url.find('@')
        && !url[userinfo_start..at].contains(':')
    {
        let encoded =
            percent_encoding::utf8_percent_encode(&password, percent_encoding::NON_ALPHANUMERIC);
        url.insert_str(at, &format!(":{encoded}"));
    }
    let (from, name, local_folder, connections) = match (verb, &args[2..]) {
        ("get", [name, folder, rest @ ..]) => {
            (Side::Remote, name.clone(), PathBuf::from(folder), rest)
        }
        ("put", [path, rest @ ..]) => {
            let path = PathBuf::from(path);
            let name = path
                .file_name()
                .ok_or(usage)?
                .to_string_lossy()
                .into_owned();
            let folder = path.parent().ok_or(usage)?.to_path_buf();
            (Side::Local, name, folder, rest)
        }
        _ => return Err(usage.to_owned()),
    };
    let connections = connections
        .first()
        .map_or(Ok(2), |n| n.parse::<usize>())
        .map_err(|e| e.to_string())?;

    Ok(Job {
        url,
        from,
        name,
        local_folder,
        connections,
    })
}

fn run() -> Result<(), String> {
    let Job {
        url,
        from,
        name,
        local_folder,
        connections,
    } = parse_args()?;
    let runtime = skiff::engine::runtime().map_err(|e| e.to_string())?;
    let ctx = egui::Context::default();
    let (wake, woken) = mpsc::channel::<()>();
    ctx.set_request_repaint_callback(move |_| {
        let _ = wake.send(());
    });
    let start = Start {
        connect_to: Some(url),
        local_folder: local_folder.clone(),
        ..Start::default()
    };
    let mut app = SkiffApp::new(&ctx, runtime.handle(), start);
    let tick_until = |app: &mut SkiffApp, what: &str, done: &dyn Fn(&SkiffApp) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(900);
        loop {
            app.tick();
            if done(app) {
                return Ok(());
            }
            if let skiff::app::state::Connection::Failed(why) = &app.state().connection {
                return Err(format!("cannot connect: {why}"));
            }
            if let Some(item) = app
                .state()
                .queue
                .items
                .iter()
                .find(|i| i.state == ItemState::Asking)
            {
                return Err(format!("{} exists (the window would ask)", item.remote));
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {what}"));
            }
            let _ = woken.recv_timeout(Duration::from_millis(50));
            // An empty pass, as the window draws one per repaint: egui calls the repaint
            // callback again only after a pass has consumed the last request.
            let _ = ctx.run_ui(egui::RawInput::default(), |_| {});
        }
    };
    let side_has = |app: &SkiffApp| {
        app.state()
            .pane(from)
            .entries
            .iter()
            .any(|e| e.name == name)
    };
    tick_until(&mut app, "the listing", &|app: &SkiffApp| {
        app.state().session().is_some() && side_has(app)
    })?;
    let mut settings = app.state().queue.settings.clone();
    settings.connections = connections;
    app.dispatch(Action::Queue(QueueAction::Settings(settings)));
    let into = (from == Side::Remote).then(|| local_folder.display().to_string());
    app.dispatch(Action::Queue(QueueAction::Enqueue {
        from,
        names: vec![name.clone()],
        into,
        start: true,
    }));
    tick_until(&mut app, "the queue", &|app: &SkiffApp| {
        let queue = &app.state().queue;
        queue.scans.is_empty() && !queue.items.is_empty() && queue.counts()[0] == 0
    })?;
    let [_, failed, done] = app.state().queue.counts();
    if failed > 0 {
        let first = app
            .state()
            .queue
            .items
            .iter()
            .find(|i| matches!(i.state, ItemState::Failed(_)));
        return Err(format!("{failed} failed, {done} done; first: {first:?}"));
    }
    Ok(())
}
