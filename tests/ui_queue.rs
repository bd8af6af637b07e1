//! The transfer queue driven through the real window: drag files between the panes both ways
//! (they arrive byte-exact), a folder of 50 files on 4 connections, a file cut mid-way that
//! the retry resumes, every answer of the overwrite prompt, and a saved queue that comes back.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/window.rs"]
mod window;

use common::{PASSWORD, TestServer, bytes, fake};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use skiff::app::actions::Action;
use skiff::app::queue::ItemState;
use skiff::app::transfer_settings::TransferSettings;
use skiff::app::transfers::QueueAction;
use window::{Window, open_window, open_window_with};

fn connected(server: &TestServer) -> Window {
    let mut w = open_window();
    w.connect(server.port, PASSWORD);
    w.wait_until("the remote folder listed", |app| {
        app.state().remote.loading.is_none() && !app.state().remote.entries.is_empty()
    });
    w.wait_until("the local folder listed", |app| {
        !app.state().local.entries.is_empty()
    });
    w
}

fn queue_counts(w: &Window) -> [usize; 3] {
    w.state().queue.counts()
}

fn settings(w: &mut Window, change: impl FnOnce(&mut TransferSettings)) {
    let mut s = w.state().queue.settings.clone();
    change(&mut s);
    w.harness
        .state_mut()
        .dispatch(Action::Queue(QueueAction::Settings(s)));
}

#[test]
fn dragging_files_uploads_and_downloads_them() {
    let server = TestServer::start();
    std::fs::create_dir(server.file("docs")).unwrap();
    let remote_body = bytes(300_000, 7);
    std::fs::write(server.file("photo.bin"), &remote_body).unwrap();
    let mut w = connected(&server);
    let local = w.local.path().to_path_buf();

    // Local file onto a remote file row: into the remote folder.
    w.drag("📄 notes.txt", "📄 photo.bin");
    w.wait_until("the upload arrived", |app| {
        app.state().queue.counts()[2] == 1
    });
    assert_eq!(
        std::fs::read(server.file("notes.txt")).unwrap(),
        b"local file"
    );
    w.wait_until("the remote pane refreshed", |app| {
        app.state()
            .remote
            .entries
            .iter()
            .any(|e| e.name == "notes.txt")
    });

    // Local file onto a remote folder row: into that folder. (notes.txt now shows in both
    // panes; the local one is drawn first.)
    let from = w.nth_rect("📄 notes.txt", 0).center();
    let onto = w.harness.get_by_label("📁 docs").rect().center();
    w.drag_points(from, onto);
    w.wait_until("the upload into docs arrived", |app| {
        app.state().queue.counts()[2] == 2
    });
    assert_eq!(
        std::fs::read(server.file("docs/notes.txt")).unwrap(),
        b"local file"
    );

    // And back: a remote file onto the local pane.
    let from = w.harness.get_by_label("📄 photo.bin").rect().center();
    let onto = w.nth_rect("📄 notes.txt", 0).center();
    w.drag_points(from, onto);
    w.wait_until("the download arrived", |app| {
        app.state().queue.counts()[2] == 3
    });
    assert_eq!(std::fs::read(local.join("photo.bin")).unwrap(), remote_body);
    assert!(
        !local.join("photo.bin.skiff-part").exists(),
        "no part file left behind"
    );
    w.wait_until("the local pane refreshed", |app| {
        app.state()
            .local
            .entries
            .iter()
            .any(|e| e.name == "photo.bin")
    });
}

#[test]
fn a_folder_of_50_files_moves_on_4_connections() {
    let server = TestServer::start();
    std::fs::write(server.file("existing.txt"), b"x").unwrap();
    let mut w = open_window();
    let batch = w.local.path().join("batch");
    std::fs::create_dir_all(batch.join("inner")).unwrap();
    for i in 0..50u64 {
        let folder = if i % 5 == 0 {
            batch.join("inner")
        } else {
            batch.clone()
        };
        let len = usize::try_from(20_000 + i * 3_000).unwrap();
        std::fs::write(folder.join(format!("f{i:02}.bin")), bytes(len, i)).unwrap();
    }
    w.harness
        .state_mut()
        .dispatch(Action::Refresh(skiff::app::state::Side::Local));
    w.connect(server.port, PASSWORD);
    w.wait_until("the local folder listed", |app| {
        app.state().local.entries.iter().any(|e| e.name == "batch")
    });
    w.wait_until("connected", |app| app.state().session().is_some());
    settings(&mut w, |s| s.connections = 4);

    w.wait_until("the remote folder listed", |app| {
        !app.state().remote.entries.is_empty()
    });
    // Dropped on the empty part of the remote table: into the folder it shows.
    let from = w.harness.get_by_label("📁 batch").rect().center();
    let below_the_rows =
        w.harness.get_by_label("📄 existing.txt").rect().center() + egui::vec2(0.0, 50.0);
    w.drag_points(from, below_the_rows);
    w.wait_until("50 files done", |app| {
        let queue = &app.state().queue;
        queue.counts()[2] == 50 && queue.scans.is_empty()
    });
    for item in &w.state().queue.items {
        assert_eq!(item.state, ItemState::Done, "{}", item.remote);
    }
    w.wait_until("the remote pane shows the new folder", |app| {
        app.state().remote.entries.iter().any(|e| e.name == "batch")
    });
    for i in 0..50u64 {
        let rel = if i % 5 == 0 {
            format!("batch/inner/f{i:02}.bin")
        } else {
            format!("batch/f{i:02}.bin")
        };
        let len = usize::try_from(20_000 + i * 3_000).unwrap();
        assert_eq!(
            std::fs::read(server.file(&rel)).unwrap(),
            bytes(len, i),
            "{rel}"
        );
    }
}

#[test]
fn the_queue_never_runs_more_than_its_connections() {
    let server = TestServer::start();
    for i in 0..12u64 {
        std::fs::write(server.file(&format!("r{i:02}.bin")), bytes(400_000, i)).unwrap();
    }
    let mut w = connected(&server);
    settings(&mut w, |s| {
        s.connections = 3;
        s.download_limit_kib = 4096; // slow enough to overlap
    });
    let names: Vec<String> = (0..12).map(|i| format!("r{i:02}.bin")).collect();
    w.harness
        .state_mut()
        .dispatch(Action::Queue(QueueAction::Enqueue {
            from: skiff::app::state::Side::Remote,
            names,
            into: None,
            start: true,
        }));
    let mut most = 0;
    let started = std::time::Instant::now();
    let deadline = started + std::time::Duration::from_secs(30);
    while queue_counts(&w)[2] < 12 {
        assert!(std::time::Instant::now() < deadline, "queue did not finish");
        w.harness.step();
        let running = w
            .state()
            .queue
            .items
            .iter()
            .filter(|i| matches!(i.state, ItemState::Running(_)))
            .count();
        most = most.max(running);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(most, 3, "three connections busy at once, never more");
    // 4.8 MB at 4 MiB/s with a quarter second of burst cannot take less than ~0.9 s.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(800),
        "the speed limit held ({:?})",
        started.elapsed()
    );
    for i in 0..12u64 {
        let got = std::fs::read(w.local.path().join(format!("r{i:02}.bin"))).unwrap();
        assert_eq!(got, bytes(400_000, i));
    }
}

#[test]
fn a_file_cut_mid_way_is_resumed_by_the_retry() {
    let body = bytes(300_000, 3);
    let server = fake::FakeServer::start(fake::Script {
        file: body.clone(),
        listing: "-rw-r--r-- 1 u g 300000 Jan 01 2026 file.bin\r\n".to_owned(),
        cut_first_retr_at: Some(100_000),
        ..fake::Script::default()
    });
    let mut w = open_window();
    w.type_into("Host:", &server.url("/"));
    w.harness
        .get_by_role_and_label(Role::Button, "Connect")
        .click();
    w.wait_until("the fake listing", |app| {
        app.state()
            .remote
            .entries
            .iter()
            .any(|e| e.name == "file.bin")
    });
    w.drag("📄 file.bin", "📄 notes.txt");
    w.wait_until("the download done", |app| {
        app.state().queue.counts()[2] == 1
    });
    assert_eq!(
        std::fs::read(w.local.path().join("file.bin")).unwrap(),
        body
    );
    assert_eq!(
        server.retrs.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "one cut, one resumed RETR"
    );
    assert!(
        w.state().log.iter().any(|l| l.text.contains("REST 100000")),
        "the retry continued from the cut"
    );
}

/// Uploads local `name` (newer, `local_body`) over the server's (`remote_body`, from 2020),
/// answers the prompt with `answer`, and returns what the server then holds under `name`.
fn upload_and_answer(
    answer: &str,
    name: &str,
    local_body: &[u8],
    remote_body: &[u8],
) -> (Vec<u8>, TestServer) {
    let server = TestServer::start();
    let remote = server.file(name);
    std::fs::write(&remote, remote_body).unwrap();
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800);
    std::fs::File::options()
        .write(true)
        .open(&remote)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let mut w = connected(&server);
    std::fs::write(w.local.path().join(name), local_body).unwrap();
    w.harness
        .state_mut()
        .dispatch(Action::Refresh(skiff::app::state::Side::Local));
    w.wait_until("the local file listed", |app| {
        app.state().local.entries.iter().any(|e| e.name == name)
    });
    let remote_rows = w.harness.query_all_by_label(&format!("📄 {name}")).count();
    assert_eq!(remote_rows, 2, "the name shows in both panes");
    let from = w.nth_rect(&format!("📄 {name}"), 0).center();
    let onto = w.nth_rect(&format!("📄 {name}"), 1).center();
    w.drag_points(from, onto);
    w.wait_for_label("Apply to all");
    assert!(
        w.harness
            .query_by_label(&format!("{name} already exists"))
            .is_some(),
        "the prompt names the file"
    );
    w.wait_for_label_containing("Target (on the server): 4 B");
    // The panes have a Rename button too; the prompt is drawn last.
    w.harness
        .get_all_by_role_and_label(Role::Button, answer)
        .last()
        .unwrap()
        .click();
    w.wait_until("the item finished", |app| {
        let c = app.state().queue.counts();
        c[0] == 0 && c[1] + c[2] == 1
    });
    assert_eq!(
        w.state().queue.counts()[2],
        1,
        "{:?}",
        w.state().queue.items
    );
    (std::fs::read(server.file(name)).unwrap(), server)
}

#[test]
fn every_overwrite_answer_does_what_it_says() {
    let local = b"tiny and then more".as_slice(); // starts with the server's 4 bytes
    let remote = b"tiny".as_slice();
    let (after, _) = upload_and_answer("Skip", "a.txt", local, remote);
    assert_eq!(after, remote, "skip keeps the target");
    let (after, _) = upload_and_answer("Overwrite", "b.txt", local, remote);
    assert_eq!(after, local);
    let (after, _) = upload_and_answer("Resume", "c.txt", local, remote);
    assert_eq!(after, local, "resume sends only the rest");
    let (after, _) = upload_and_answer("Overwrite if source is newer", "d.txt", local, remote);
    assert_eq!(after, local, "the local file is newer");
    let (after, _) = upload_and_answer("Overwrite if size differs", "e.txt", b"same", remote);
    assert_eq!(after, remote, "same size: kept");
    let (after, server) = upload_and_answer("Rename", "f.txt", local, remote);
    assert_eq!(after, remote, "rename keeps the target");
    assert_eq!(std::fs::read(server.file("f (1).txt")).unwrap(), local);
}

#[test]
fn a_saved_queue_comes_back_and_runs() {
    let server = TestServer::start();
    std::fs::write(server.file("later.bin"), bytes(50_000, 9)).unwrap();
    std::fs::write(server.file("x.txt"), b"x").unwrap();
    let data = tempfile::tempdir().unwrap();
    let queue_file = data.path().join("queue.json");
    let file_for_first = queue_file.clone();
    let mut w = window::open_window_with(move |start| start.queue_file = Some(file_for_first));
    w.connect(server.port, PASSWORD);
    w.wait_until("listed", |app| !app.state().remote.entries.is_empty());
    w.harness.get_by_label("📄 later.bin").click();
    w.harness.step();
    w.harness
        .state_mut()
        .dispatch(Action::AddToQueue(skiff::app::state::Side::Remote));
    w.harness.step();
    assert_eq!(queue_counts(&w), [1, 0, 0]);
    assert!(!w.state().queue.running, "added without starting");
    let target = w.local.path().join("later.bin");
    // The writer is in the background: wait until the file holds the item.
    let saved = common::wait_for(std::time::Duration::from_secs(10), || {
        w.harness.step();
        skiff::store::queue_file::load(&queue_file)
            .ok()
            .filter(|items| items.len() == 1)
    })
    .expect("the queue was saved");
    // Quit: the window goes, the local folder stays.
    let local = std::mem::replace(&mut w.local, tempfile::tempdir().unwrap());
    drop(w);

    // A new window from what was saved: the item is back, and runs once connected.
    let file_for_second = queue_file.clone();
    let mut w = open_window_with(move |start| {
        start.queue_file = Some(file_for_second);
        start.saved_queue = saved;
    });
    assert_eq!(queue_counts(&w), [1, 0, 0]);
    w.connect(server.port, PASSWORD);
    w.wait_until("the restored item done", |app| {
        app.state().queue.counts()[2] == 1
    });
    assert_eq!(std::fs::read(&target).unwrap(), bytes(50_000, 9));
    drop(local);
}

#[test]
fn cancel_stops_an_item_within_a_second_and_retry_resumes_it() {
    let body = bytes(2_000_000, 5);
    let server = fake::FakeServer::start(fake::Script {
        file: body.clone(),
        listing: "-rw-r--r-- 1 u g 2000000 Jan 01 2026 file.bin\r\n".to_owned(),
        slow_chunk_delay: Some(std::time::Duration::from_millis(100)),
        ..fake::Script::default()
    });
    let mut w = open_window();
    w.type_into("Host:", &server.url("/"));
    w.harness
        .get_by_role_and_label(Role::Button, "Connect")
        .click();
    w.wait_until("the fake listing", |app| {
        app.state()
            .remote
            .entries
            .iter()
            .any(|e| e.name == "file.bin")
    });
    // Enter (like a double-click) on a file sends it across.
    w.harness.get_by_label("📄 file.bin").click();
    w.harness.step();
    w.harness.key_press(egui::Key::Enter);
    // Bytes reach the part file 256 KiB at a time.
    w.wait_until("some bytes arrived", |app| {
        app.state()
            .queue
            .items
            .first()
            .is_some_and(|i| i.progress.is_some_and(|p| p.done > 600_000))
    });
    let id = w.state().queue.items[0].id;
    w.harness
        .state_mut()
        .dispatch(Action::Queue(QueueAction::Cancel(id)));
    w.harness.step();
    assert_eq!(
        w.state().queue.items[0].state,
        ItemState::Failed("cancelled".to_owned())
    );
    let part = w.local.path().join("file.bin.skiff-part");
    // Absence of activity cannot be waited for: look twice, half a second apart, after 1 s.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let first = std::fs::metadata(&part).unwrap().len();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(
        std::fs::metadata(&part).unwrap().len(),
        first,
        "the download stopped"
    );
    assert!(first > 0 && first < 2_000_000, "the part file is kept");
    assert!(!w.local.path().join("file.bin").exists());

    w.harness
        .state_mut()
        .dispatch(Action::Queue(QueueAction::RetryFailed));
    w.wait_until("the retried item done", |app| {
        app.state().queue.counts()[2] == 1
    });
    assert_eq!(
        std::fs::read(w.local.path().join("file.bin")).unwrap(),
        body
    );
    assert!(
        w.state().log.iter().any(|l| l.text.starts_with("REST ")),
        "the retry resumed"
    );
}
