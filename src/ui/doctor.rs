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

/// The picture: client and server, the control connection, the data connection of `step`.
fn picture(ui: &mut Ui, port: u16, step: &DoctorStep) {
    let (response, _) = ui.allocate_painter(Vec2::new(480.0, 150.0), Sense::hover());
    let area = response.rect;
    let client = Rect::from_min_size(area.min + vec2(10.0, 20.0), vec2(110.0, 90.0));
    let server = Rect::from_min_size(
        pos2(area.max.x - 120.0, area.min.y + 20.0),
        vec2(110.0, 90.0),
    );
    labelled_box(ui, client, "You (Skiff)");
    labelled_box(ui, server, "Server");
    let text_color = ui.visuals().text_color();
    // Control connection: always client to server.
    let y1 = client.min.y + 25.0;
    arrow(
        ui,
        pos2(client.max.x, y1),
        pos2(server.min.x, y1),
        WORKED,
        false,
    );
    ui.painter().text(
        pos2(area.center().x, y1 - 10.0),
        Align2::CENTER_BOTTOM,
        format!("control connection, to port {port}"),
        FontId::proportional(12.0),
        text_color,
    );
    // Data connection: its direction follows the mode.
    let y2 = client.max.y - 20.0;
    let active = mode_of(&step.name) == Some(DataMode::Active);
    let (from, to) = if active {
        (pos2(server.min.x, y2), pos2(client.max.x, y2))
    } else {
        (pos2(client.max.x, y2), pos2(server.min.x, y2))
    };
    let color = if step.ok {
        WORKED
    } else {
        crate::ui::ERROR_COLOR
    };
    arrow(ui, from, to, color, !step.ok);
    let what = if active {
        "data connection (active: the server connects back to you)"
    } else {
        "data connection (passive: you connect to the server)"
    };
    // Under the boxes: the sentence is wider than the gap between them.
    ui.painter().text(
        pos2(area.center().x, client.max.y + 8.0),
        Align2::CENTER_TOP,
        what,
        FontId::proportional(12.0),
        text_color,
    );
}

/// Which picture to draw: the mode that worked, else the last one tried.
fn shown_step(steps: &[DoctorStep]) -> Option<&DoctorStep> {
    let data: Vec<&DoctorStep> = steps
        .iter()
        .filter(|s| mode_of(&s.name).is_some())
        .collect();
    data.iter().find(|s| s.ok).or(data.last()).copied()
}

/// Draws the doctor's window; returns what the user asked for.
#[must_use]
pub fn show(ctx: &Context, doctor: &DoctorState) -> Option<Action> {
    let mut action = None;
    let mut open = true;
    egui::Window::new("Connection doctor")
        .open(&mut open)
        .default_width(520.0)
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(format!("Testing {}", doctor.target));
            egui::Grid::new("doctor_steps")
                .num_columns(4)
                .show(ui, |ui| {
                    for step in &doctor.steps {
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
            if let Some(step) = shown_step(&doctor.steps) {
                picture(ui, doctor.port, step);
                if !step.ok {
                    ui.colored_label(crate::ui::ERROR_COLOR, step.detail.as_str());
                }
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
                    let mode = report.recommended.mode.as_deref().and_then(mode_of);
                    if let Some(mode) = mode
                        && ui
                            .button("Apply to this site")
                            .on_hover_text("Quick connections to this server use this mode")
                            .clicked()
                    {
                        action = Some(Action::ApplyDoctor(mode));
                    }
                }
            }
        });
    if !open {
        action = Some(Action::CloseDoctor);
    }
    action
}
