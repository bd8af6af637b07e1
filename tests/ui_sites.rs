//! Bookmarks in the real window: make a site in the site manager, save it (the sites file has
//! no password), connect with it; a new window from that file asks for the password (no
//! keyring here) and connects; folders are made and deleted with a confirmation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/window.rs"]
mod window;

use common::{PASSWORD, TestServer, USER};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use skiff::app::state::Connection;
use window::open_window_with;

#[test]
fn a_site_made_in_the_site_manager_connects_and_keeps_no_password_on_disk() {
    let server = TestServer::start();
    std::fs::write(server.file("hello.txt"), b"hi").unwrap();
    let config = tempfile::tempdir().unwrap();
    let sites_file = config.path().join("sites.toml");
    let path = sites_file.clone();
    let mut w = open_window_with(move |start| start.sites_path = Some(path));
    w.open_site_manager();
    w.harness
        .get_by_role_and_label(Role::Button, "New site")
        .click();
    w.wait_for_label("Site name:");
    w.replace_text("Site name:", "work");
    w.replace_text("Host name:", "127.0.0.1");
    w.replace_text("Port number:", &server.port.to_string());
    w.replace_text("User name:", USER);
    w.replace_text("Site password:", PASSWORD);
    w.harness
        .get_by_role_and_label(Role::Button, "Save")
        .click();
    w.wait_until("the site saved", |app| {
        app.state().sites.sites.iter().any(|b| b.name == "work")
    });
    let on_disk = std::fs::read_to_string(&sites_file).unwrap();
    assert!(on_disk.contains("127.0.0.1") && on_disk.contains("work"));
    assert!(
        !on_disk.contains(PASSWORD),
        "a password reached the sites file"
    );

    // The quick-connect bar has a Connect button too; the site manager is drawn later.
    w.harness
        .get_all_by_role_and_label(Role::Button, "Connect")
        .last()
        .unwrap()
        .click();
    w.wait_until("connected with the site", |app| {
        matches!(app.state().connection, Connection::Connected { .. })
            && app
                .state()
                .remote
                .entries
                .iter()
                .any(|e| e.name == "hello.txt")
    });
    drop(w);

    // A new window reads the file; with no keyring the password was kept only for the last
    // session, so this one asks.
    let path = sites_file.clone();
    let sites = skiff::store::sites::load(&sites_file).unwrap();
    let mut w = open_window_with(move |start| {
        start.sites_path = Some(path);
        start.sites = sites;
    });
    w.sites_menu("work");
    w.wait_for_label("Password for this site:");
    w.type_into("Password for this site:", PASSWORD);
    w.harness
        .get_all_by_role_and_label(Role::Button, "Connect")
        .last()
        .unwrap()
        .click();
    w.wait_until("connected after asking", |app| {
        app.state()
            .remote
            .entries
            .iter()
            .any(|e| e.name == "hello.txt")
    });
    let on_disk = std::fs::read_to_string(&sites_file).unwrap();
    assert!(!on_disk.contains(PASSWORD));
}

#[test]
fn folders_are_made_and_deleted_with_their_sites_after_a_confirmation() {
    let config = tempfile::tempdir().unwrap();
    let sites_file = config.path().join("sites.toml");
    let path = sites_file.clone();
    let mut w = open_window_with(move |start| start.sites_path = Some(path));
    w.open_site_manager();
    w.type_into("Folder name:", "Clients");
    w.harness
        .get_by_role_and_label(Role::Button, "Add folder")
        .click();
    w.wait_until("the folder made", |app| {
        app.state().sites.folders.iter().any(|f| f == "Clients")
    });
    w.harness.step();
    w.harness.get_by_label_contains("📁 Clients").click();
    w.harness.step();
    w.harness
        .get_by_role_and_label(Role::Button, "New site")
        .click();
    w.wait_for_label("Site name:");
    w.replace_text("Host name:", "ftp.example.org");
    w.harness
        .get_by_role_and_label(Role::Button, "Save")
        .click();
    w.wait_until("the site saved in the folder", |app| {
        app.state()
            .sites
            .sites
            .iter()
            .any(|b| b.folder == "Clients" && b.host == "ftp.example.org")
    });
    w.harness.step();
    w.harness
        .get_by_label_contains("📁 Clients")
        .click_secondary();
    w.harness.run_steps(2);
    w.harness
        .get_by_role_and_label(Role::Button, "Delete folder…")
        .click();
    w.wait_for_label("Delete folder");
    assert!(
        w.harness
            .query_by_label_contains("1 site(s) in it will be deleted too")
            .is_some()
    );
    w.harness
        .get_by_role_and_label(Role::Button, "Delete folder")
        .click();
    w.wait_until("the folder gone", |app| {
        app.state().sites.folders.is_empty() && app.state().sites.sites.is_empty()
    });
    let on_disk = skiff::store::sites::load(&sites_file).unwrap();
    assert!(on_disk.sites.is_empty() && on_disk.folders.is_empty());
}

#[test]
fn settings_changed_in_the_window_are_kept_for_the_next_start() {
    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("settings.toml");
    let path = file.clone();
    let mut w = open_window_with(move |start| start.settings_path = Some(path));
    let mut settings = w.state().queue.settings.clone();
    assert_eq!(settings.connections, 2, "the default");
    settings.connections = 5;
    settings.upload_limit_kib = 300;
    settings.theme = skiff::store::settings::Theme::Light;
    w.harness
        .state_mut()
        .dispatch(skiff::app::actions::Action::Queue(
            skiff::app::transfers::QueueAction::Settings(settings),
        ));
    let saved = common::wait_for(std::time::Duration::from_secs(10), || {
        w.harness.step();
        skiff::store::settings::load(&file)
            .ok()
            .filter(|s| s.connections == 5)
    })
    .expect("the settings were saved");
    assert_eq!(saved.upload_limit_kib, 300);
    assert_eq!(
        w.harness.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Light
    );
    drop(w);
    let w = open_window_with(move |start| start.settings = saved);
    assert_eq!(w.state().queue.settings.connections, 5);
    assert_eq!(w.state().queue.settings.upload_limit_kib, 300);
}

#[test]
fn an_unknown_certificate_is_shown_and_trusting_it_lets_the_connection_proceed() {
    let server = TestServer::with(common::ServerOptions {
        tls: true,
        ..common::ServerOptions::default()
    });
    std::fs::write(server.file("secret.txt"), b"s").unwrap();
    let mut w = window::open_window();
    w.type_into("Host:", &server.url("ftpes", "/"));
    w.type_into("Password:", PASSWORD);
    w.harness
        .get_by_role_and_label(Role::Button, "Connect")
        .click();
    w.wait_until("the certificate prompt", |app| {
        matches!(
            app.state().dialog,
            Some(skiff::app::state::Dialog::Certificate(_))
        )
    });
    w.wait_for_label("SHA-256:");
    let Some(skiff::app::state::Dialog::Certificate(info)) = w.state().dialog.clone() else {
        unreachable!()
    };
    assert_eq!(info.sha256.len(), 64, "a SHA-256 in hex");
    assert!(!info.changed);
    assert!(
        w.harness
            .query_by_label(&info.fingerprint_colons())
            .is_some(),
        "the prompt shows the fingerprint"
    );
    assert!(
        !matches!(w.state().connection, Connection::Connected { .. }),
        "nothing connects before the user decides"
    );
    w.harness
        .get_by_role_and_label(Role::Button, "Trust this time")
        .click();
    w.wait_until("connected over TLS after trusting", |app| {
        app.state()
            .remote
            .entries
            .iter()
            .any(|e| e.name == "secret.txt")
    });
    assert_eq!(
        w.state().trusted_certs.values().next(),
        Some(&info.sha256),
        "trusted for this session"
    );
}

#[test]
fn a_folder_moves_into_another_with_its_sites() {
    let mut w = open_window_with(|_| {});
    w.open_site_manager();
    for name in ["Work", "Old"] {
        w.replace_text("Folder name:", name);
        w.harness
            .get_by_role_and_label(Role::Button, "Add folder")
            .click();
        w.wait_until("the folder made", |app| {
            app.state().sites.folders.iter().any(|f| f == name)
        });
        w.harness.step();
    }
    w.harness.get_by_label_contains("📁 Old").click();
    w.harness.step();
    w.harness
        .get_by_role_and_label(Role::Button, "New site")
        .click();
    w.wait_for_label("Site name:");
    w.replace_text("Host name:", "old.example.org");
    w.harness
        .get_by_role_and_label(Role::Button, "Save")
        .click();
    w.wait_until("the site saved", |app| {
        app.state().sites.sites.iter().any(|b| b.folder == "Old")
    });
    w.harness.step();
    w.harness.get_by_label_contains("📁 Old").click_secondary();
    w.harness.run_steps(2);
    w.harness
        .get_by_role_and_label(Role::Button, "Rename folder…")
        .click();
    w.wait_for_label("Rename or move");
    w.replace_text("Rename Old to:", "Work/Old");
    w.harness
        .get_by_role_and_label(Role::Button, "Rename or move")
        .click();
    w.wait_until("the folder moved with its site", |app| {
        let sites = &app.state().sites;
        sites.folders.iter().any(|f| f == "Work/Old")
            && !sites.folders.iter().any(|f| f == "Old")
            && sites.sites.iter().all(|b| b.folder == "Work/Old")
    });
}

#[test]
fn filezilla_sites_are_imported_from_the_sites_menu_without_passwords_on_disk() {
    const PASS: &str = "fz secret 42";
    let source = tempfile::tempdir().unwrap();
    let xml = source.path().join("sitemanager.xml");
    let encoded = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(PASS)
    };
    std::fs::write(
        &xml,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<FileZilla3 version="3.66.5" platform="linux">
  <Servers>
    <Folder expanded="1">Work
      <Server><Host>plain.example.com</Host><Port>21</Port><Protocol>0</Protocol>
        <User>ann</User><Pass encoding="base64">{encoded}</Pass><Logontype>1</Logontype>
        <PasvMode>MODE_ACTIVE</PasvMode><Name>plain</Name></Server>
    </Folder>
    <Server><Host>sftp.example.com</Host><Port>22</Port><Protocol>1</Protocol>
      <User>carol</User><Logontype>1</Logontype><Name>sftp-box</Name></Server>
  </Servers>
</FileZilla3>
"#
        ),
    )
    .unwrap();
    let config = tempfile::tempdir().unwrap();
    let sites_file = config.path().join("sites.toml");
    let path = sites_file.clone();
    let mut w = open_window_with(move |start| start.sites_path = Some(path));
    w.sites_menu("Import from FileZilla…");
    w.wait_for_label("FileZilla's sitemanager.xml:");
    w.harness.run_steps(2);
    w.replace_text("FileZilla's sitemanager.xml:", xml.to_str().unwrap());
    w.harness
        .get_by_role_and_label(Role::Button, "Import")
        .click();
    w.wait_until("the import's summary", |app| {
        app.state()
            .status
            .starts_with("Imported 1 site in 1 folder")
    });
    let status = w.state().status.clone();
    assert!(status.contains("skipped 1: sftp-box (SFTP"), "{status}");
    let plain = w
        .state()
        .sites
        .sites
        .iter()
        .find(|b| b.name == "plain")
        .cloned()
        .expect("the imported site");
    assert_eq!(plain.folder, "Work");
    assert_eq!(plain.mode, skiff::model::site::DataMode::Active);
    let on_disk = std::fs::read_to_string(&sites_file).unwrap();
    assert!(on_disk.contains("plain.example.com"), "{on_disk}");
    assert!(!on_disk.contains(PASS) && !on_disk.contains(&encoded));
}
