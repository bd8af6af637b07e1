//! The site manager window: bookmark folders and sites on the left (click a site to edit it,
//! double-click to connect; right-click a folder to add, rename or delete), the selected site's
//! settings on the right (Save, Connect, Delete).

use egui::{ComboBox, Context, Grid, RichText, ScrollArea, TextEdit, Ui};

use crate::app::actions::Action;
use crate::app::sites::{SiteAction, SiteManagerState};
use crate::model::bookmark::{Bookmark, Logon, Sites};
use crate::model::site::{DataMode, Protocol};
use crate::ui::connect_bar::{parent_of, protocol_name};

fn mode_name(mode: DataMode) -> &'static str {
    match mode {
        DataMode::Auto => "Default (extended passive, then passive)",
        DataMode::Passive => "Passive (PASV)",
        DataMode::ExtendedPassive => "Extended passive (EPSV)",
        DataMode::Active => "Active (PORT/EPRT)",
    }
}

fn logon_name(logon: Logon) -> &'static str {
    match logon {
        Logon::Anonymous => "Anonymous",
        Logon::Normal => "Normal",
        Logon::Ask => "Ask for password",
    }
}

/// One folder's sub-folders and sites, as a tree.
fn folder_tree(
    ui: &mut Ui,
    manager: &SiteManagerState,
    sites: &Sites,
    folder: &str,
) -> Option<Action> {
    let mut action = None;
    for sub in sites.folders.iter().filter(|f| parent_of(f) == folder) {
        let name = sub.rsplit('/').next().unwrap_or(sub);
        let selected = manager.folder == *sub;
        let text = RichText::new(format!("📁 {name}"));
        let header = egui::CollapsingHeader::new(if selected { text.strong() } else { text })
            .id_salt(("site_folder", sub.as_str()))
            .default_open(true)
            .show(ui, |ui| {
                action = action.take().or(folder_tree(ui, manager, sites, sub));
            });
        let response = header.header_response;
        if response.clicked() {
            action = Some(Action::Sites(SiteAction::SelectFolder(sub.clone())));
        }
        response.context_menu(|ui| {
            if ui.button("New site here").clicked() {
                action = Some(Action::Sites(SiteAction::SelectFolder(sub.clone())));
                ui.close();
            }
            if ui.button("Rename folder…").clicked() {
                action = Some(Action::Sites(SiteAction::StartRename(sub.clone())));
                ui.close();
            }
            if ui.button("Delete folder…").clicked() {
                action = Some(Action::Sites(SiteAction::AskDeleteFolder(sub.clone())));
                ui.close();
            }
        });
    }
    for bookmark in sites.sites.iter().filter(|b| b.folder == folder) {
        let selected = manager
            .editing
            .as_ref()
            .is_some_and(|e| e.id == bookmark.id);
        let response = ui.selectable_label(selected, bookmark.name.as_str());
        if response.double_clicked() {
            action = Some(Action::Sites(SiteAction::Connect(bookmark.id.clone())));
        } else if response.clicked() {
            action = Some(Action::Sites(SiteAction::Select(bookmark.id.clone())));
        }
    }
    action
}

/// The left side: the tree and the buttons that make folders and sites.
fn tree_side(ui: &mut Ui, manager: &mut SiteManagerState, sites: &Sites) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let top = manager.folder.is_empty();
        if ui.selectable_label(top, "All sites").clicked() {
            action = Some(Action::Sites(SiteAction::SelectFolder(String::new())));
        }
    });
    ScrollArea::vertical()
        .id_salt("site_tree")
        .max_height(260.0)
        .show(ui, |ui| {
            action = action.take().or(folder_tree(ui, manager, sites, ""));
        });
    ui.separator();
    let into = if manager.folder.is_empty() {
        "at the top".to_owned()
    } else {
        format!("in {}", manager.folder)
    };
    ui.label(format!("New sites and folders go {into}."));
    ui.horizontal(|ui| {
        if ui.button("New site").clicked() {
            action = Some(Action::Sites(SiteAction::NewSite));
        }
        if ui.button("Save current connection").clicked() {
            action = Some(Action::Sites(SiteAction::SaveCurrent));
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("Folder name:");
        ui.add(TextEdit::singleline(&mut manager.new_folder).desired_width(120.0))
            .labelled_by(label.id);
        if ui.button("Add folder").clicked() {
            action = Some(Action::Sites(SiteAction::NewFolder));
        }
    });
    if let Some((from, name)) = &mut manager.renaming {
        ui.horizontal(|ui| {
            let label = ui
                .label(format!("Rename {from} to:"))
                .on_hover_text("A name renames it; a path such as Work/Old moves it there");
            ui.add(TextEdit::singleline(name).desired_width(120.0))
                .labelled_by(label.id);
            if ui.button("Rename or move").clicked() {
                action = Some(Action::Sites(SiteAction::FinishRename));
            }
        });
    }
    action
}

fn text_row(ui: &mut Ui, label: &str, text: &mut String, password: bool) {
    let label = ui.label(label);
    ui.add(
        TextEdit::singleline(text)
            .password(password)
            .desired_width(260.0),
    )
    .labelled_by(label.id);
    ui.end_row();
}

/// The right side: the edited site's settings.
fn editor(ui: &mut Ui, b: &mut Bookmark, password: &mut String, folders: &[String]) {
    Grid::new("site_editor")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            text_row(ui, "Site name:", &mut b.name, false);
            // Moving a site: pick its folder (saved with Save).
            ui.label("Folder:");
            let shown = if b.folder.is_empty() {
                "(top)"
            } else {
                b.folder.as_str()
            };
            ComboBox::from_id_salt("site_folder_choice")
                .selected_text(shown.to_owned())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut b.folder, String::new(), "(top)");
                    for folder in folders {
                        ui.selectable_value(&mut b.folder, folder.clone(), folder.as_str());
                    }
                });
            ui.end_row();
            text_row(ui, "Host name:", &mut b.host, false);
            let mut port = b.port.map(|p| p.to_string()).unwrap_or_default();
            text_row(ui, "Port number:", &mut port, false);
            b.port = port.trim().parse().ok();
            ui.label("Protocol:");
            ComboBox::from_id_salt("site_protocol")
                .selected_text(protocol_name(b.protocol))
                .show_ui(ui, |ui| {
                    for p in [Protocol::Ftp, Protocol::ExplicitTls, Protocol::ImplicitTls] {
                        ui.selectable_value(&mut b.protocol, p, protocol_name(p));
                    }
                });
            ui.end_row();
            ui.label("Logon type:");
            ComboBox::from_id_salt("site_logon")
                .selected_text(logon_name(b.logon))
                .show_ui(ui, |ui| {
                    for l in [Logon::Anonymous, Logon::Normal, Logon::Ask] {
                        ui.selectable_value(&mut b.logon, l, logon_name(l));
                    }
                });
            ui.end_row();
            if b.logon != Logon::Anonymous {
                text_row(ui, "User name:", &mut b.user, false);
            }
            if b.logon == Logon::Normal {
                text_row(ui, "Site password:", password, true);
            }
            ui.label("Data connection:");
            ComboBox::from_id_salt("site_mode")
                .selected_text(mode_name(b.mode))
                .show_ui(ui, |ui| {
                    for m in [
                        DataMode::Auto,
                        DataMode::Passive,
                        DataMode::ExtendedPassive,
                        DataMode::Active,
                    ] {
                        ui.selectable_value(&mut b.mode, m, mode_name(m));
                    }
                });
            ui.end_row();
            let label = ui.label("Transfer connections:");
            ui.add(egui::DragValue::new(&mut b.connections).range(1..=10))
                .labelled_by(label.id);
            ui.end_row();
            text_row(ui, "Default local folder:", &mut b.local_folder, false);
            text_row(ui, "Default remote folder:", &mut b.remote_folder, false);
            let label = ui.label("Comment:");
            ui.add(
                TextEdit::multiline(&mut b.comment)
                    .desired_rows(2)
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
            ui.end_row();
        });
    if b.logon == Logon::Normal {
        ui.label(
            RichText::new(
                "Passwords go to the system keyring, never to a file. Leave it empty to keep \
                 the saved one.",
            )
            .small(),
        );
    }
}

/// Draws the site manager; returns what the user asked for.
pub fn show(ctx: &Context, manager: &mut SiteManagerState, sites: &Sites) -> Option<Action> {
    let mut action = None;
    let mut open = true;
    egui::Window::new("Site Manager")
        .open(&mut open)
        .default_size([760.0, 460.0])
        .collapsible(false)
        .show(ctx, |ui| {
            ui.columns(2, |columns| {
                action = tree_side(&mut columns[0], manager, sites);
                let ui = &mut columns[1];
                if let Some(b) = &mut manager.editing {
                    editor(ui, b, &mut manager.password, &sites.folders);
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            action = Some(Action::Sites(SiteAction::Save));
                        }
                        if ui.button("Connect").clicked() {
                            action = Some(Action::Sites(SiteAction::SaveAndConnect));
                        }
                        if ui
                            .button("Test connection")
                            .on_hover_text(
                                "Save, then test this site step by step and find the \
                                 data-connection mode that works",
                            )
                            .clicked()
                        {
                            action = Some(Action::Sites(SiteAction::SaveAndTest));
                        }
                        if ui.button("Delete site").clicked() {
                            action = Some(Action::Sites(SiteAction::AskDeleteSite));
                        }
                    });
                } else {
                    ui.label("Select a site, or make a new one.");
                }
                if !manager.message.is_empty() {
                    ui.label(manager.message.as_str());
                }
            });
        });
    if !open {
        action = Some(Action::Sites(SiteAction::Close));
    }
    action
}
