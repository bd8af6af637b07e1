//! The connection doctor's window: each step as it ends, a picture of FTP's two connections
//! (the control connection, and the data connection whose direction follows the mode: client
//! to server in passive mode, server to client in active mode; green where it worked, red and
//! dashed where it was blocked, with the reason under it), the verdict, and "Apply".

use egui::{Align2, Color32, Context, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2, pos2, vec2};

use crate::app::actions::Action;
use crate::app::state::DoctorState;
use crate::model::site::DataMode;
use crate::protocol::DoctorStep;

const WORKED: Color32 = Color32::from_rgb(40, 160, 70);

/// The data-connection mode a step name stands for.
fn mode_of(name: &str) -> Option<DataMode> {
    match name {
        "epsv" => Some(DataMode::ExtendedPassive),
        "pasv" => Some(DataMode::Passive),
        "active" => Some(DataMode::Active),
        _ => None,
    }
}

/// An arrow from `from` to `to`; dashed when `blocked`.
fn arrow(ui: &Ui, from: Pos2, to: Pos2, color: Color32, blocked: bool) {
    let painter = ui.painter();
    let stroke = Stroke::new(2.5, color);
    if blocked {
        painter.extend(egui::Shape::dashed_line(&[from, to], stroke, 8.0, 6.0));
    } else {
        painter.line_segment([from, to], stroke);
    }
    let dir = (to - from).normalized();
    let side = vec2(-dir.y, dir.x) * 6.0;
    let back = to - dir * 12.0;
    painter.add(egui::Shape::convex_polygon(
        vec![to, back + side, back - side],
        color,
        Stroke::NONE,
    ));
}

fn labelled_box(ui: &Ui, rect: Rect, title: &str) {
    let painter = ui.painter();
    let visuals = ui.visuals();
    painter.rect_filled(rect, 6.0, visuals.extreme_bg_color);
    painter.rect_stroke(
        rect,
        6.0,
        Stroke::new(1.5, visuals.text_color()),
        egui::StrokeKind::Inside,
    );
    painter.text(
        rect.center(),
        Align2::CENTER_CENTER,
        title,
        FontId::proportional(16.0),
        visuals.strong_text_color(),
    );
}

/// The short sentence under an arrow: why it failed, or the NAT note.
fn reason(step: &DoctorStep) -> Option<&'static str> {
    let active = mode_of(&step.name) == Some(DataMode::Active);
    match (step.ok, active) {
        (true, false) if step.detail.contains("behind NAT") => {
            Some("the server names a private address (NAT); Skiff uses its real one")
        }
        (true, _) => None,
        (false, true) if step.detail.contains("blocks") => {
            Some("your firewall or router blocks the server's connection back to you")
        }
        (false, true) if step.detail.contains("refuses active") => {
            Some("the server refuses active mode")
        }
        (false, true) => Some("the server could not connect back to you"),
        (false, false) if step.name == "epsv" && step.detail.contains("EPSV") => {
            Some("the server refuses extended passive mode (EPSV)")
        }
        (false, false) => {
            Some("the server's passive port cannot be reached: its firewall may block it")
        }
    }
}

/// One data connection's arrow with its label above and its reason below; the words drawn.
fn data_arrow(ui: &Ui, client: Rect, server: Rect, y: f32, step: &DoctorStep) -> String {
    let active = mode_of(&step.name) == Some(DataMode::Active);
    let (from, to) = if active {
        (pos2(server.min.x, y), pos2(client.max.x, y))
    } else {
        (pos2(client.max.x, y), pos2(server.min.x, y))
    };
    let color = if step.ok {
        WORKED
    } else {
        crate::ui::ERROR_COLOR
    };
    arrow(ui, from, to, color, !step.ok);
    let port = step.port.map(|p| format!(" {p}")).unwrap_or_default();
    let label = if active {
        format!("active: the server connects back to your port{port}")
    } else {
        let kind = step.name.to_uppercase();
        format!("passive ({kind}): you connect to the server's port{port}")
    };
    let middle = client.max.x.midpoint(server.min.x);
    let text_color = ui.visuals().text_color();
    ui.painter().text(
        pos2(middle, y - 7.0),
        Align2::CENTER_BOTTOM,
        &label,
        FontId::proportional(12.0),
        text_color,
    );
    let state = if step.ok { "works" } else { "blocked" };
    let mut said = format!("{label} ({state})");
    if let Some(why) = reason(step) {
        ui.painter().text(
            pos2(middle, y + 7.0),
            Align2::CENTER_TOP,
            why,
            FontId::proportional(11.0),
            color,
        );
        said.push_str(": ");
        said.push_str(why);
    }
    said
}

/// The picture: client and server, the control connection, and the data connection in each
/// kind of mode tested (passive: you connect to the server; active: it connects back to you).
fn picture(ui: &mut Ui, port: u16, passive: Option<&DoctorStep>, active: Option<&DoctorStep>) {
    let (response, _) = ui.allocate_painter(Vec2::new(600.0, 190.0), Sense::hover());
    let area = response.rect;
    let client = Rect::from_min_size(area.min + vec2(4.0, 10.0), vec2(100.0, 170.0));
    let server = Rect::from_min_size(
        pos2(area.max.x - 104.0, area.min.y + 10.0),
        vec2(100.0, 170.0),
    );
    labelled_box(ui, client, "You (Skiff)");
    labelled_box(ui, server, "Server");
    // Control connection: always client to server.
    let y1 = client.min.y + 30.0;
    arrow(
        ui,
        pos2(client.max.x, y1),
        pos2(server.min.x, y1),
        WORKED,
        false,
    );
    let control = format!("control connection: you connect to port {port}");
    ui.painter().text(
        pos2(client.max.x.midpoint(server.min.x), y1 - 7.0),
        Align2::CENTER_BOTTOM,
        &control,
        FontId::proportional(12.0),
        ui.visuals().text_color(),
    );
    let mut said = vec![control];
    if let Some(step) = passive {
        said.push(data_arrow(ui, client, server, client.min.y + 90.0, step));
    }
    if let Some(step) = active {
        said.push(data_arrow(ui, client, server, client.min.y + 145.0, step));
    }
    // Screen readers (and tests) read the picture as one sentence per arrow.
    let text = said.join(". ");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &text));
}

/// The passive step to draw (the one that worked, else the last tried) and the active step.
fn shown_steps(steps: &[DoctorStep]) -> (Option<&DoctorStep>, Option<&DoctorStep>) {
    let passive: Vec<&DoctorStep> = steps
        .iter()
        .filter(|s| s.name == "epsv" || s.name == "pasv")
        .collect();
    let shown = passive.iter().find(|s| s.ok).or(passive.last()).copied();
    (shown, steps.iter().find(|s| s.name == "active"))
}

/// Draws the doctor's window; returns what the user asked for.
#[must_use]
pub fn show(ctx: &Context, doctor: &DoctorState) -> Option<Action> {
    let mut action = None;
    let mut open = true;
    egui::Window::new("Connection doctor")
        .open(&mut open)
        .default_width(620.0)
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(format!("Testing {}", doctor.target));
            egui::ScrollArea::vertical()
                .max_height(260.0)
                .auto_shrink([false, true])
                .show(ui, |ui| steps_grid(ui, &doctor.steps));
            let (passive, active) = shown_steps(&doctor.steps);
            if passive.is_some() || active.is_some() {
                picture(ui, doctor.port, passive, active);
            }
            match &doctor.report {
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Testing…");
                    });
                }
                Some(report) => {
                    ui.heading(report.verdict.as_str());
                    if ui
                        .button("Copy report")
                        .on_hover_text("The whole report as JSON (as skiff doctor --json prints it), for a bug report")
                        .clicked()
                        && let Ok(json) = serde_json::to_string_pretty(report)
                    {
                        ui.ctx().copy_text(json);
                    }
                    if let Some(found) = crate::app::doctor::found(report) {
                        let target = if doctor.bookmark.is_some() {
                            "this site's bookmark"
                        } else {
                            "quick connections to this server"
                        };
                        let hover = format!(
                            "Store in {target}: {} mode, {}:// on port {}",
                            found.mode.as_str(),
                            found.protocol.scheme(),
                            found.port
                        );
                        if ui
                            .button("Apply to this site")
                            .on_hover_text(hover)
                            .clicked()
                        {
                            action = Some(Action::ApplyDoctor);
                        }
                    }
                }
            }
        });
    if !open {
        action = Some(Action::CloseDoctor);
    }
    action
}

/// Each step that ended: ok or failed, its name, its time, what was seen.
fn steps_grid(ui: &mut Ui, steps: &[DoctorStep]) {
    egui::Grid::new("doctor_steps")
        .num_columns(4)
        .show(ui, |ui| {
            for step in steps {
                let (mark, color) = if step.ok {
                    ("ok", WORKED)
                } else {
                    ("failed", crate::ui::ERROR_COLOR)
                };
                ui.colored_label(color, mark);
                ui.label(step.name.as_str());
                ui.label(format!("{} ms", step.millis));
                ui.add(egui::Label::new(step.detail.as_str()).wrap());
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, ok: bool, detail: &str) -> DoctorStep {
        DoctorStep {
            name: name.to_owned(),
            ok,
            millis: 1,
            detail: detail.to_owned(),
            port: Some(40000),
        }
    }

    #[test]
    fn the_picture_shows_the_passive_mode_that_worked_and_why_active_did_not() {
        let steps = [
            step("epsv", false, "the server answered 500 EPSV not understood"),
            step("pasv", true, "listing of 3 entries arrived"),
            step(
                "active",
                false,
                "the server did not connect back within 3 s: your firewall or router blocks the server's connection back to you",
            ),
        ];
        let (passive, active) = shown_steps(&steps);
        assert_eq!(passive.map(|s| s.name.as_str()), Some("pasv"));
        assert_eq!(reason(passive.unwrap()), None);
        assert!(
            reason(active.unwrap())
                .unwrap()
                .contains("firewall or router")
        );
        assert!(reason(&steps[0]).unwrap().contains("EPSV"));
    }
}
