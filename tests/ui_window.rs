//! The real `SkiffApp` driven by `egui_kittest` against the in-process server: connect through
//! the quick-connect bar, see the server's files, open a folder and go up, sort by size, the
//! folder trees, file operations in both panes, selection by keys and Shift, and a wrong
//! password shown in the log and in the pane.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/window.rs"]
mod window;

use common::{PASSWORD, TestServer};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use skiff::app::state::Connection;
use window::open_window;

fn server_with_files() -> TestServer {
    let server = TestServer::start();
    std::fs::create_dir(server.file("docs")).unwrap();
    std::fs::write(server.file("docs/inner.txt"), b"inside").unwrap();
    std::fs::write(server.file("big.bin"), vec![7u8; 3000]).unwrap();
    std::fs::write(server.file("small.txt"), b"tiny").unwrap();
    server
}

#[test]
fn connect_browse_and_sort() {
    let server = server_with_files();
    let mut w = open_window();
    w.wait_until("the local folder listed", |app| {
        app.state()
            .local
            .entries
            .iter()
            .any(|e| e.name == "notes.txt")
    });
    w.connect(server.port, PASSWORD);
    w.wait_until("the remote folder listed", |app| {
        app.state().remote.entries.len() == 3
    });
    assert!(matches!(
        w.harness.state().state().connection,
        Connection::Connected { .. }
    ));
    assert_eq!(
        w.remote_names(),
        ["docs", "big.bin", "small.txt"],
        "folders first, then by name"
    );
    assert!(
        w.harness.query_by_label_contains("small.txt").is_some(),
        "the table shows the server's files"
    );
    assert!(
        w.harness
            .state()
            .state()
            .log
            .iter()
            .any(|l| l.text.contains("PASS ****")),
        "the log shows the masked login"
    );

    // Sort by size: folders stay first, then small before big; again reverses.
    // Both panes have a Size header; the remote pane is drawn second.
    w.harness
        .get_all_by_role_and_label(Role::Button, "Size")
        .last()
        .unwrap()
        .click();
    w.harness.step();
    assert_eq!(w.remote_names(), ["docs", "small.txt", "big.bin"]);

    // Select the folder, Enter opens it, Backspace goes up.
    w.harness.get_by_label("📁 docs").click();
    w.harness.step();
    assert!(w.harness.state().state().remote.selected.contains("docs"));
    w.harness.key_press(egui::Key::Enter);
    w.wait_until("inside docs", |app| {
        app.state().remote.path == "/docs" && app.state().remote.loading.is_none()
    });
    assert_eq!(w.remote_names(), ["inner.txt"]);
    w.harness.key_press(egui::Key::Backspace);
    w.wait_until("back at the root", |app| {
        app.state().remote.path == "/" && app.state().remote.loading.is_none()
    });
    assert_eq!(w.remote_names().len(), 3);
}

#[test]
fn wrong_password_shows_in_the_log_and_the_pane() {
    let server = server_with_files();
    let mut w = open_window();
    w.connect(server.port, "not the password");
    w.wait_until("the login failed", |app| {
        matches!(app.state().connection, Connection::Failed(_))
    });
    let state = w.harness.state().state();
    assert!(
        state
            .log
            .iter()
            .any(|l| l.kind == skiff::protocol::LogKind::Error && l.text.contains("login refused"))
    );
    assert!(
        state
            .remote
            .error
            .as_deref()
            .is_some_and(|e| e.contains("password"))
    );
    assert!(
        !state
            .log
            .iter()
            .any(|l| l.text.contains("not the password")),
        "the password leaked into the log"
    );
    w.harness.step();
    let shown = w
        .harness
        .query_all_by_label_contains("login refused")
        .count();
    assert!(
        shown >= 2,
        "the error shows in the log and in the pane ({shown} places)"
    );
}

#[test]
fn create_rename_and_delete_a_remote_folder() {
    let server = server_with_files();
    let mut w = open_window();
    w.connect(server.port, PASSWORD);
    w.wait_until("the remote folder listed", |app| {
        app.state().remote.entries.len() == 3
    });

    // Both panes have a New folder button; the remote pane is drawn second.
    w.harness
        .get_all_by_role_and_label(Role::Button, "New folder")
        .last()
        .unwrap()
        .click();
    w.harness.run_steps(2); // the click, then the frame that shows the dialog
    w.wait_for_label("Folder name:");
    w.type_into("Folder name:", "fresh");
    w.harness
        .get_by_role_and_label(Role::Button, "Create")
        .click();
    w.wait_until("the new folder listed", |app| {
        app.state().remote.entries.iter().any(|e| e.name == "fresh")
    });
    assert!(server.file("fresh").is_dir());

    w.harness.get_by_label("📁 fresh").click();
    w.harness.step();
    w.harness.key_press(egui::Key::F2);
    w.wait_for_label("New name:");
    let field = w
        .harness
        .get_by_role_and_label(Role::TextInput, "New name:");
    field.focus();
    for _ in 0.."fresh".len() {
        w.harness.key_press(egui::Key::Backspace);
    }
    w.harness
        .get_by_role_and_label(Role::TextInput, "New name:")
        .type_text("renamed");
    w.harness.step();
    // The toolbar has a Rename button too; the dialog's is drawn last.
    w.harness
        .get_all_by_role_and_label(Role::Button, "Rename")
        .last()
        .unwrap()
        .click();
    w.wait_until("the renamed folder listed", |app| {
        app.state()
            .remote
            .entries
            .iter()
            .any(|e| e.name == "renamed")
    });
    assert!(server.file("renamed").is_dir() && !server.file("fresh").exists());

    std::fs::write(server.file("renamed/inside.txt"), b"x").unwrap();
    w.harness.get_by_label("📁 renamed").click();
    w.harness.step();
    w.harness.key_press(egui::Key::Delete);
    w.wait_for_label("Delete from the server");
    assert!(
        w.harness
            .query_by_label_contains("deleted with everything in them")
            .is_some(),
        "the confirmation says folders go whole"
    );
    w.harness
        .get_by_role_and_label(Role::Button, "Delete from the server")
        .click();
    w.wait_until("the folder gone", |app| {
        !app.state()
            .remote
            .entries
            .iter()
            .any(|e| e.name == "renamed")
    });
    assert!(!server.file("renamed").exists());
}

#[test]
fn arrow_keys_and_typing_select_rows() {
    let server = server_with_files();
    let mut w = open_window();
    w.connect(server.port, PASSWORD);
    w.wait_until("the remote folder listed", |app| {
        app.state().remote.entries.len() == 3
    });
    // Keys act on the pane last clicked: click a row of the remote pane first.
    w.harness.get_by_label("📄 big.bin").click();
    w.harness.step();
    w.harness.key_press(egui::Key::ArrowUp);
    w.harness.step();
    assert!(w.harness.state().state().remote.selected.contains("docs"));
    w.harness.key_press(egui::Key::ArrowDown);
    w.harness.key_press(egui::Key::ArrowDown);
    w.harness.step();
    assert!(
        w.harness
            .state()
            .state()
            .remote
            .selected
            .contains("small.txt")
    );
    w.harness.event(egui::Event::Text("bi".to_owned()));
    w.harness.step();
    let selected = &w.harness.state().state().remote.selected;
    assert!(
        selected.contains("big.bin") && selected.len() == 1,
        "{selected:?}"
    );
}

#[test]
fn the_remote_tree_expands_lazily_and_opens_folders() {
    let server = server_with_files();
    std::fs::create_dir(server.file("docs/sub")).unwrap();
    std::fs::write(server.file("docs/sub/deep.txt"), b"deep").unwrap();
    let mut w = open_window();
    w.connect(server.port, PASSWORD);
    w.wait_until("the remote folder listed", |app| {
        app.state().remote.entries.len() == 3
    });
    w.wait_for_label("Expand docs");
    assert!(
        w.harness.query_by_label("sub").is_none(),
        "docs is not listed before it is expanded"
    );
    w.harness
        .get_by_role_and_label(Role::Button, "Expand docs")
        .click();
    w.wait_for_label("sub");
    assert_eq!(
        w.harness.state().state().remote.path,
        "/",
        "expanding a folder in the tree does not change the table"
    );
    assert!(w.harness.query_by_label("Collapse docs").is_some());

    w.harness.get_by_role_and_label(Role::Button, "sub").click();
    w.wait_until("the table shows docs/sub", |app| {
        app.state().remote.path == "/docs/sub" && app.state().remote.loading.is_none()
    });
    assert_eq!(w.remote_names(), ["deep.txt"]);

    w.harness
        .get_by_role_and_label(Role::Button, "Collapse docs")
        .click();
    w.harness.run_steps(2);
    assert!(
        w.harness.query_by_label("sub").is_none(),
        "collapsing hides the sub-folders"
    );
}

#[test]
fn local_pane_creates_renames_and_deletes() {
    let mut w = open_window();
    let local = w.local.path().to_path_buf();
    w.wait_until("the local folder listed", |app| {
        app.state()
            .local
            .entries
            .iter()
            .any(|e| e.name == "notes.txt")
    });
    // Not connected: the remote pane has no toolbar, so this is the local pane's button.
    w.harness
        .get_by_role_and_label(Role::Button, "New folder")
        .click();
    w.harness.run_steps(2);
    w.wait_for_label("Folder name:");
    w.type_into("Folder name:", "made here");
    w.harness
        .get_by_role_and_label(Role::Button, "Create")
        .click();
    w.wait_until("the new local folder listed", |app| {
        app.state()
            .local
            .entries
            .iter()
            .any(|e| e.name == "made here")
    });
    assert!(local.join("made here").is_dir());

    // A rename onto an existing name is refused and loses nothing.
    std::fs::write(local.join("other.txt"), b"keep me").unwrap();
    w.harness.get_by_label("📄 notes.txt").click();
    w.harness.step();
    w.harness.key_press(egui::Key::F2);
    w.wait_for_label("New name:");
    let field = w
        .harness
        .get_by_role_and_label(Role::TextInput, "New name:");
    field.focus();
    for _ in 0.."notes.txt".len() {
        w.harness.key_press(egui::Key::Backspace);
    }
    w.harness
        .get_by_role_and_label(Role::TextInput, "New name:")
        .type_text("other.txt");
    w.harness.step();
    w.harness
        .get_all_by_role_and_label(Role::Button, "Rename")
        .last()
        .unwrap()
        .click();
    w.wait_until("the refusal", |app| {
        app.state().status.contains("already exists")
    });
    assert_eq!(std::fs::read(local.join("other.txt")).unwrap(), b"keep me");
    assert_eq!(
        std::fs::read(local.join("notes.txt")).unwrap(),
        b"local file"
    );

    w.harness.step();
    w.harness.get_by_label("📁 made here").click();
    w.harness.step();
    w.harness.key_press(egui::Key::Delete);
    w.wait_for_label("Delete from this computer");
    w.harness
        .get_by_role_and_label(Role::Button, "Delete from this computer")
        .click();
    w.wait_until("the local folder gone", |app| {
        !app.state()
            .local
            .entries
            .iter()
            .any(|e| e.name == "made here")
    });
    assert!(!local.join("made here").exists());
}

#[test]
fn shift_click_selects_a_range() {
    let server = server_with_files();
    let mut w = open_window();
    w.connect(server.port, PASSWORD);
    w.wait_until("the remote folder listed", |app| {
        app.state().remote.entries.len() == 3
    });
    w.harness.get_by_label("📁 docs").click();
    w.harness.step();
    w.harness
        .get_by_label("📄 small.txt")
        .click_modifiers(egui::Modifiers::SHIFT);
    w.harness.step();
    let selected: Vec<String> = w
        .harness
        .state()
        .state()
        .remote
        .selected
        .iter()
        .cloned()
        .collect();
    assert_eq!(selected, ["big.bin", "docs", "small.txt"]);
    w.harness
        .get_by_label("📄 big.bin")
        .click_modifiers(egui::Modifiers::COMMAND);
    w.harness.step();
    assert!(
        !w.harness
            .state()
            .state()
            .remote
            .selected
            .contains("big.bin")
    );
}

/// Selects the row labelled `row` and opens "File permissions…" from its menu.
fn open_permissions(w: &mut window::Window, row: &str) {
    w.harness.get_by_label(row).click();
    w.harness.step();
    w.harness.get_by_label(row).click_secondary();
    w.harness.run_steps(2);
    w.wait_for_label("File permissions…");
    w.harness
        .get_by_role_and_label(Role::Button, "File permissions…")
        .click();
    w.harness.run_steps(2);
    w.wait_for_label("Numeric value:");
}

#[test]
fn file_permissions_are_set_from_the_row_menu() {
    use common::fake::{FakeServer, Script};
    let server = FakeServer::start(Script {
        listing: "-rw-r--r-- 1 u g 5 Jan 01 2026 run.cgi\r\n".to_owned(),
        ..Script::default()
    });
    let mut w = open_window();
    w.connect(server.port, "p");
    w.wait_until("the remote folder listed", |app| {
        app.state()
            .remote
            .entries
            .iter()
            .any(|e| e.name == "run.cgi")
    });
    open_permissions(&mut w, "📄 run.cgi");
    // The dialog starts from what the listing shows.
    let shown = w
        .harness
        .get_by_role_and_label(Role::TextInput, "Numeric value:")
        .value()
        .unwrap_or_default();
    assert_eq!(shown, "644");
    // Ticking the owner's execute box changes the number too.
    w.harness.get_by_label("Owner execute").click();
    w.harness.run_steps(2);
    let shown = w
        .harness
        .get_by_role_and_label(Role::TextInput, "Numeric value:")
        .value()
        .unwrap_or_default();
    assert_eq!(shown, "744");
    w.harness.get_by_role_and_label(Role::Button, "OK").click();
    w.wait_until("the server asked", |_| {
        server.site_commands.lock().unwrap().as_slice() == ["CHMOD 744 /run.cgi"]
    });
    w.wait_until("the dialog closed and the folder listed again", |app| {
        app.state().dialog.is_none() && app.state().status.contains("permissions of run.cgi")
    });
}

#[test]
fn folder_permissions_recurse_to_files_only_when_asked() {
    use common::fake::{FakeServer, Script};
    let server = FakeServer::start(Script {
        tree: vec![
            (
                "/".to_owned(),
                "drwxr-xr-x 1 u g 0 Jan 01 2026 cgi\r\n".to_owned(),
            ),
            (
                "/cgi".to_owned(),
                "-rw-r--r-- 1 u g 5 Jan 01 2026 run.cgi\r\n\
                 drwxr-xr-x 1 u g 0 Jan 01 2026 lib\r\n"
                    .to_owned(),
            ),
            ("/cgi/lib".to_owned(), String::new()),
        ],
        ..Script::default()
    });
    let mut w = open_window();
    w.connect(server.port, "p");
    w.wait_until("the remote folder listed", |app| {
        app.state().remote.entries.iter().any(|e| e.name == "cgi")
    });
    open_permissions(&mut w, "📁 cgi");
    w.wait_for_label("Recurse into subfolders");
    w.replace_text("Numeric value:", "755");
    w.harness.get_by_label("Recurse into subfolders").click();
    w.harness.run_steps(2);
    w.wait_for_label("Apply to files only");
    w.harness.get_by_label("Apply to files only").click();
    w.harness.run_steps(2);
    w.harness.get_by_role_and_label(Role::Button, "OK").click();
    w.wait_until("the change done", |app| {
        app.state()
            .status
            .contains("Set the permissions of cgi to 755")
    });
    // The files inside changed, the folders (cgi itself, cgi/lib) did not.
    assert_eq!(
        server.site_commands.lock().unwrap().as_slice(),
        ["CHMOD 755 /cgi/run.cgi"]
    );
}
