//! The small modal windows: a name for a new folder, a new name, the confirmation that names
//! what a delete will remove (from the server or from this computer), and the overwrite prompt. Enter confirms, Escape or Cancel closes.

use egui::{Context, Id, Modal, TextEdit};

use crate::app::actions::Action;
use crate::app::queue::ItemId;
use crate::app::sites::SiteAction;
use crate::app::state::{Dialog, Side};
use crate::app::transfers::QueueAction;
use crate::model::path::escape_control;
use crate::model::transfer::{Direction, human_bytes};
use crate::protocol::ExistingTarget;

fn name_field(ui: &mut egui::Ui, label: &str, text: &mut String) -> bool {
    let label = ui.label(label);
    let edit = ui
        .add(TextEdit::singleline(text).desired_width(280.0))
        .labelled_by(label.id);
    if !edit.has_focus() && !edit.lost_focus() {
        edit.request_focus();
    }
    edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

fn buttons(ui: &mut egui::Ui, confirm: &str) -> (bool, bool) {
    let mut pressed = (false, false);
    ui.horizontal(|ui| {
        pressed.0 = ui.button(confirm).clicked();
        pressed.1 = ui.button("Cancel").clicked();
    });
    pressed
}

fn facts(size: Option<u64>, modified: Option<i64>) -> String {
    let size = size.map_or_else(|| "size unknown".to_owned(), human_bytes);
    let time = modified
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(
            || "time unknown".to_owned(),
            |t| t.format("%Y-%m-%d %H:%M").to_string(),
        );
    format!("{size}, {time}")
}

/// The overwrite prompt: both files' facts, the six answers and "apply to all".
fn overwrite(
    ui: &mut egui::Ui,
    item: ItemId,
    name: &str,
    direction: Direction,
    source: (Option<u64>, Option<i64>),
    target: Option<&(Option<u64>, Option<i64>)>,
    all: &mut bool,
) -> Option<Action> {
    let (from, to) = match direction {
        Direction::Download => ("on the server", "on this computer"),
        Direction::Upload => ("on this computer", "on the server"),
    };
    ui.heading(format!("{} already exists", escape_control(name)));
    ui.label(format!("Source ({from}): {}", facts(source.0, source.1)));
    ui.label(match target {
        Some((size, time)) => format!("Target ({to}): {}", facts(*size, *time)),
        None => format!("Target ({to}): reading…"),
    });
    let rename_to = crate::model::path::numbered_name(name, 1);
    let mut chosen = None;
    ui.horizontal_wrapped(|ui| {
        for (label, choice) in super::EXISTING_CHOICES {
            let button = ui.button(label);
            let button = if choice == ExistingTarget::Rename {
                button.on_hover_text(format!(
                    "Transfer it as {rename_to} (or the next free name)"
                ))
            } else {
                button
            };
            if button.clicked() {
                chosen = Some(choice);
            }
        }
    });
    ui.checkbox(all, "Apply to all");
    chosen.map(|choice| {
        Action::Queue(QueueAction::Answer {
            item,
            choice,
            all: *all,
        })
    })
}

fn date(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// An untrusted certificate: who it names, who signed it, when it is valid, its fingerprint;
/// trust it once, always, or not. A changed certificate is said loudly first.
fn certificate(ui: &mut egui::Ui, info: &crate::protocol::CertificateInfo) -> Option<Action> {
    let authority = format!("{}:{}", info.host, info.port);
    if info.changed {
        ui.heading(
            egui::RichText::new(format!("The certificate of {authority} CHANGED"))
                .color(super::ERROR_COLOR)
                .strong(),
        );
        ui.colored_label(
            super::ERROR_COLOR,
            "It is not the one you trusted. Someone may be intercepting the connection: do not \
             trust the new one unless the server's admin confirms the change.",
        );
    } else {
        ui.heading(format!("Unknown certificate for {authority}"));
        ui.label(format!("The system does not trust it: {}", info.reason));
    }
    egui::Grid::new("certificate_facts")
        .num_columns(2)
        .show(ui, |ui| {
            for (label, value) in [
                ("Subject:", info.subject.clone()),
                ("Issuer:", info.issuer.clone()),
                (
                    "Valid:",
                    format!("{} to {}", date(info.not_before), date(info.not_after)),
                ),
                ("SHA-256:", info.fingerprint_colons()),
            ] {
                ui.label(label);
                ui.add(egui::Label::new(egui::RichText::new(value).monospace()).wrap());
                ui.end_row();
            }
        });
    let mut action = None;
    ui.horizontal(|ui| {
        for (label, always) in [("Trust this time", false), ("Always trust", true)] {
            if ui.button(label).clicked() {
                action = Some(Action::TrustCertificate {
                    host: info.host.clone(),
                    port: info.port,
                    sha256: info.sha256.clone(),
                    always,
                });
            }
        }
        if ui.button("Cancel").clicked() {
            action = Some(Action::CloseDialog);
        }
    });
    action
}

/// The site manager's dialogs: a site's password, and deleting a folder or a site.
fn site_dialog(ui: &mut egui::Ui, dialog: &mut Dialog) -> Option<Action> {
    let mut action = None;
    match dialog {
        Dialog::AskPassword {
            bookmark,
            password,
            remember,
            after,
        } => {
            ui.heading(format!("Password for {}", escape_control(&bookmark.path())));
            ui.label(format!(
                "{}@{}",
                escape_control(&bookmark.user),
                escape_control(&bookmark.host)
            ));
            let label = ui.label("Password for this site:");
            let edit = ui
                .add(
                    TextEdit::singleline(password)
                        .password(true)
                        .desired_width(280.0),
                )
                .labelled_by(label.id);
            if !edit.has_focus() && !edit.lost_focus() {
                edit.request_focus();
            }
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if bookmark.logon == crate::model::bookmark::Logon::Normal {
                ui.checkbox(remember, "Remember it (in the system keyring)");
            }
            let verb = match after {
                crate::app::sites::After::Connect => "Connect",
                crate::app::sites::After::Test => "Test",
            };
            let (ok, cancel) = buttons(ui, verb);
            if ok || enter {
                action = Some(Action::Sites(SiteAction::PasswordGiven {
                    bookmark: bookmark.clone(),
                    password: password.clone(),
                    remember: *remember,
                    after: *after,
                }));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
        Dialog::ConfirmDeleteFolder { folder, inside } => {
            ui.heading(format!("Delete the folder {}?", escape_control(folder)));
            if *inside > 0 {
                ui.label(format!(
                    "{inside} site(s) in it will be deleted too, with their saved passwords."
                ));
            }
            let (ok, cancel) = buttons(ui, "Delete folder");
            if ok {
                action = Some(Action::Sites(SiteAction::DeleteFolder(folder.clone())));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
        Dialog::ConfirmDeleteSite { id, name } => {
            ui.heading(format!("Delete the site {}?", escape_control(name)));
            ui.label("Its saved password is deleted too.");
            let (ok, cancel) = buttons(ui, "Delete site");
            if ok {
                action = Some(Action::Sites(SiteAction::DeleteSite(id.clone())));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
        _ => {}
    }
    action
}

/// The permissions dialog: the bits, recursion when folders are among the entries, OK.
fn permissions(ui: &mut egui::Ui, dialog: &mut Dialog) -> Option<Action> {
    let Dialog::Permissions {
        names,
        mode,
        text,
        has_folders,
        recurse,
        apply_to,
    } = dialog
    else {
        return None;
    };
    let valid = permission_bits(ui, names, mode, text);
    if *has_folders {
        recursion(ui, recurse, apply_to);
    }
    let (ok, cancel) = buttons(ui, "OK");
    if ok && valid {
        let reach = recurse.then(|| apply_to.recurse());
        Some(Action::Chmod(names.clone(), *mode, reach))
    } else if cancel {
        Some(Action::CloseDialog)
    } else {
        None
    }
}

/// A folder's permissions dialog: recurse into it, and to what.
fn recursion(ui: &mut egui::Ui, recurse: &mut bool, apply_to: &mut crate::app::state::ApplyTo) {
    use crate::app::state::ApplyTo;
    ui.checkbox(recurse, "Recurse into subfolders");
    if *recurse {
        ui.radio_value(apply_to, ApplyTo::All, "Apply to all files and folders");
        ui.radio_value(apply_to, ApplyTo::Files, "Apply to files only");
        ui.radio_value(apply_to, ApplyTo::Folders, "Apply to folders only");
    }
}

/// "File permissions": a checkbox per bit (owner, group, public × read, write, execute) and
/// the octal value, kept in step whichever is changed; false while the value is not octal.
fn permission_bits(ui: &mut egui::Ui, names: &[String], mode: &mut u32, text: &mut String) -> bool {
    use crate::model::permissions::{WHAT, WHO, octal, parse_octal};
    ui.heading("File permissions");
    let shown = match names {
        [one] => escape_control(one),
        many => format!("{} items", many.len()),
    };
    ui.label(format!("Permissions of {shown}:"));
    egui::Grid::new("permission_bits").show(ui, |ui| {
        for (row, who) in WHO.iter().enumerate() {
            ui.label(*who);
            for (column, what) in WHAT.iter().enumerate() {
                let bit = 1 << (8 - (row * 3 + column));
                let mut set = *mode & bit != 0;
                let label = format!("{who} {}", what.to_lowercase());
                let response = ui.checkbox(&mut set, *what);
                // One accessible name per box: "Owner execute".
                response.widget_info(|| {
                    egui::WidgetInfo::selected(egui::Role::CheckBox, true, set, &label)
                });
                if response.changed() {
                    *mode = if set { *mode | bit } else { *mode & !bit };
                    *text = octal(*mode);
                }
            }
            ui.end_row();
        }
    });
    let label = ui.label("Numeric value:");
    let edit = ui
        .add(TextEdit::singleline(text).desired_width(60.0))
        .labelled_by(label.id);
    let typed = parse_octal(text);
    if edit.changed()
        && let Some(value) = typed
    {
        *mode = value;
    }
    if typed.is_none() {
        ui.colored_label(super::ERROR_COLOR, "Octal digits, e.g. 644 or 755");
    }
    typed.is_some()
}

/// Draws `dialog`; returns the action it ends with (or `CloseDialog`).
pub fn show(ctx: &Context, dialog: &mut Dialog) -> Option<Action> {
    let mut action = None;
    let modal = Modal::new(Id::unique("skiff_dialog")).show(ctx, |ui| match dialog {
        Dialog::Certificate(info) => action = certificate(ui, info),
        Dialog::AskPassword { .. }
        | Dialog::ConfirmDeleteFolder { .. }
        | Dialog::ConfirmDeleteSite { .. } => action = site_dialog(ui, dialog),
        Dialog::Permissions { .. } => action = permissions(ui, dialog),
        Dialog::ImportFileZilla { path } => {
            ui.heading("Import FileZilla sites");
            ui.label(
                "Sites, folders and saved passwords (to the system keyring) from FileZilla's \
                 Site Manager. SFTP and cloud sites are skipped.",
            );
            let enter = name_field(ui, "FileZilla's sitemanager.xml:", path);
            let (ok, cancel) = buttons(ui, "Import");
            if (ok || enter) && !path.trim().is_empty() {
                action = Some(Action::Sites(SiteAction::Import(path.clone())));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
        Dialog::Overwrite {
            item,
            name,
            direction,
            source,
            target,
            all,
        } => action = overwrite(ui, *item, name, *direction, *source, target.as_ref(), all),
        Dialog::NewFolder { side, name } => {
            ui.heading("New folder");
            let enter = name_field(ui, "Folder name:", name);
            let (ok, cancel) = buttons(ui, "Create");
            if (ok || enter) && !name.trim().is_empty() {
                action = Some(Action::Mkdir(*side, name.trim().to_owned()));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
        Dialog::Rename { side, from, to } => {
            ui.heading(format!("Rename {from}"));
            let enter = name_field(ui, "New name:", to);
            let (ok, cancel) = buttons(ui, "Rename");
            if (ok || enter) && !to.trim().is_empty() && to.trim() != from.as_str() {
                action = Some(Action::Rename(*side, from.clone(), to.trim().to_owned()));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
        Dialog::ConfirmDelete {
            side,
            names,
            folders,
        } => {
            let (question, confirm) = match side {
                Side::Remote => ("Delete from the server?", "Delete from the server"),
                Side::Local => (
                    "Delete from this computer? This cannot be undone.",
                    "Delete from this computer",
                ),
            };
            ui.heading(question);
            let shown: Vec<&str> = names.iter().take(10).map(String::as_str).collect();
            ui.label(shown.join(", "));
            if names.len() > shown.len() {
                ui.label(format!("…and {} more", names.len() - shown.len()));
            }
            if *folders > 0 {
                ui.label(format!(
                    "{folders} folder(s) will be deleted with everything in them."
                ));
            }
            let (ok, cancel) = buttons(ui, confirm);
            if ok {
                action = Some(Action::Delete(*side, names.clone()));
            } else if cancel {
                action = Some(Action::CloseDialog);
            }
        }
    });
    if action.is_none() && modal.should_close() {
        action = Some(Action::CloseDialog);
    }
    action
}
