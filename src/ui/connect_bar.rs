//! The quick-connect bar: the sites menu (site manager, bookmarks, recent connections), host
//! (or a whole URL), user, password (masked), port, protocol, Connect/Disconnect. Enter in any
//! field connects.

use egui::{ComboBox, TextEdit, Ui};

use crate::app::actions::Action;
use crate::app::sites::SiteAction;
use crate::app::state::{ConnectForm, Connection};
use crate::model::bookmark::Sites;
use crate::model::site::Protocol;

/// How a protocol is named in the window.
#[must_use]
pub fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Ftp => "FTP",
        Protocol::ExplicitTls => "FTP over explicit TLS",
        Protocol::ImplicitTls => "FTP over implicit TLS",
    }
}

fn field(ui: &mut Ui, label: &str, text: &mut String, width: f32, password: bool) -> bool {
    let label = ui.label(label);
    let response = ui
        .add(
            TextEdit::singleline(text)
                .desired_width(width)
                .password(password),
        )
        .labelled_by(label.id);
    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// A field that edits the bar: the bookmark's data mode no longer applies.
fn bar_field(
    ui: &mut Ui,
    label: &str,
    text: &mut String,
    width: f32,
    password: bool,
    data_mode: &mut Option<crate::model::site::DataMode>,
) -> bool {
    let before = text.clone();
    let enter = field(ui, label, text, width, password);
    if *text != before {
        *data_mode = None;
    }
    enter
}

/// The sites menu: the site manager, every bookmark by folder, and the recent quick
/// connections.
fn sites_menu(ui: &mut Ui, sites: &Sites) -> Option<Action> {
    let mut action = None;
    ui.menu_button("Sites", |ui| {
        if ui.button("Site Manager…").clicked() {
            action = Some(Action::Sites(SiteAction::Open));
        }
        if ui.button("Save this connection as a site").clicked() {
            action = Some(Action::Sites(SiteAction::SaveCurrent));
        }
        if ui.button("Import from FileZilla…").clicked() {
            action = Some(Action::Sites(SiteAction::AskImport));
        }
        if !sites.sites.is_empty() || !sites.folders.is_empty() {
            ui.separator();
            action = action.take().or(folder_menu(ui, sites, ""));
        }
        if !sites.history.is_empty() {
            ui.separator();
            ui.menu_button("Recent", |ui| {
                for url in &sites.history {
                    if ui.button(url.as_str()).clicked() {
                        action = Some(Action::Sites(SiteAction::ConnectRecent(url.clone())));
                    }
                }
            });
        }
    });
    action
}

/// The sites of `folder`, with a submenu per sub-folder.
fn folder_menu(ui: &mut Ui, sites: &Sites, folder: &str) -> Option<Action> {
    let mut action = None;
    for sub in sites.folders.iter().filter(|f| parent_of(f) == folder) {
        let name = sub.rsplit('/').next().unwrap_or(sub);
        ui.menu_button(format!("📁 {name}"), |ui| {
            action = action.take().or(folder_menu(ui, sites, sub));
        });
    }
    for site in sites.sites.iter().filter(|b| b.folder == folder) {
        if ui.button(site.name.as_str()).clicked() {
            action = Some(Action::Sites(SiteAction::Connect(site.id.clone())));
        }
    }
    action
}

/// The folder `path` is in ("" at the top).
#[must_use]
pub fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// Draws the bar; returns Connect or Disconnect when asked, or what the sites menu asked.
pub fn show(
    ui: &mut Ui,
    form: &mut ConnectForm,
    connection: &Connection,
    sites: &Sites,
) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        action = sites_menu(ui, sites);
        let mode = &mut form.data_mode;
        let mut enter = bar_field(ui, "Host:", &mut form.host, 180.0, false, mode);
        enter |= bar_field(ui, "User:", &mut form.user, 110.0, false, mode);
        enter |= bar_field(ui, "Password:", &mut form.password, 110.0, true, mode);
        enter |= bar_field(ui, "Port:", &mut form.port, 45.0, false, mode);
        let label = ui.label("Protocol:");
        ComboBox::from_id_salt("protocol")
            .selected_text(protocol_name(form.protocol))
            .show_ui(ui, |ui| {
                for p in [Protocol::Ftp, Protocol::ExplicitTls, Protocol::ImplicitTls] {
                    ui.selectable_value(&mut form.protocol, p, protocol_name(p));
                }
            })
            .response
            .labelled_by(label.id);
        let busy = matches!(connection, Connection::Connecting { .. });
        if ui
            .add_enabled(!busy, egui::Button::new("Connect"))
            .clicked()
            || (enter && !busy)
        {
            action = Some(Action::Connect);
        }
        if ui
            .add_enabled(!busy, egui::Button::new("Test"))
            .on_hover_text("Test this server step by step: which data-connection mode works")
            .clicked()
        {
            action = Some(Action::Doctor);
        }
        let connected = matches!(connection, Connection::Connected { .. });
        if ui
            .add_enabled(connected, egui::Button::new("Disconnect"))
            .clicked()
        {
            action = Some(Action::Disconnect);
        }
        if busy {
            ui.spinner();
        }
    });
    action
}
