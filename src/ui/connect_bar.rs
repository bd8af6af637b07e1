//! The quick-connect bar: host (or a whole URL), user, password (masked), port, protocol,
//! Connect/Disconnect. Enter in any field connects.

use egui::{ComboBox, TextEdit, Ui};

use crate::app::actions::Action;
use crate::app::state::{ConnectForm, Connection};
use crate::model::site::Protocol;

fn protocol_name(p: Protocol) -> &'static str {
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

/// Draws the bar; returns Connect or Disconnect when asked.
pub fn show(ui: &mut Ui, form: &mut ConnectForm, connection: &Connection) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let mut enter = field(ui, "Host:", &mut form.host, 180.0, false);
        enter |= field(ui, "User:", &mut form.user, 110.0, false);
        enter |= field(ui, "Password:", &mut form.password, 110.0, true);
        enter |= field(ui, "Port:", &mut form.port, 45.0, false);
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
