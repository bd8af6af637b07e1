//! The connection doctor in the window: starting it on the quick connection or a bookmark,
//! closing it, and "Apply": the settings the doctor found (the data mode that works, and the
//! kind of TLS and port when only the other kind worked) written into the bookmark it tested
//! (the sites file, through the store thread) or the quick connection.

use super::actions::Action;
use super::connect::{site_from_form, with_trusted_certificate};
use super::state::AppState;
use super::store_jobs::{SitesChange, StoreJob};
use crate::model::site::{DataMode, Protocol, Site};
use crate::protocol::{Command, DoctorReport, RequestId};

/// The doctor's actions (`Doctor`, `DoctorSite`, `CloseDoctor`, `ApplyDoctor`) as state
/// changes and engine commands.
pub fn plan(
    state: &mut AppState,
    action: Action,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    match action {
        Action::Doctor => match site_from_form(state) {
            Ok((site, _)) => {
                // Connected with a bookmark and still showing its server: Apply writes there.
                let bookmark = state
                    .connected_bookmark
                    .clone()
                    .filter(|_| state.last_target.as_deref() == Some(site.authority().as_str()));
                start(state, site, bookmark, next_id)
            }
            Err(why) => {
                state.status = why;
                Vec::new()
            }
        },
        Action::DoctorSite { site, bookmark } => start(state, *site, bookmark, next_id),
        Action::CloseDoctor => {
            state.doctor = None;
            Vec::new()
        }
        Action::ApplyDoctor => {
            apply(state);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Starts the connection doctor on `site` (with the certificate the user trusts for it);
/// "Apply" writes into `bookmark`, or the quick connection.
fn start(
    state: &mut AppState,
    mut site: Site,
    bookmark: Option<String>,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    with_trusted_certificate(state, &mut site);
    let request = next_id();
    state.doctor = Some(super::state::DoctorState {
        request,
        target: site.authority(),
        port: site.port,
        bookmark,
        steps: Vec::new(),
        report: None,
    });
    vec![Command::Doctor { request, site }]
}

/// The settings a report recommends, as a site stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// The data-connection mode: extended passive working keeps `Auto` (EPSV, then PASV).
    pub mode: DataMode,
    /// Plain, explicit or implicit TLS.
    pub protocol: Protocol,
    /// The control port.
    pub port: u16,
}

/// What `report` recommends, when a data connection worked.
#[must_use]
pub fn found(report: &DoctorReport) -> Option<Found> {
    let mode = match report.recommended.mode.as_deref()? {
        "epsv" => DataMode::Auto,
        "pasv" => DataMode::Passive,
        "active" => DataMode::Active,
        _ => return None,
    };
    let protocol = match report.recommended.protocol.as_str() {
        "ftpes" => Protocol::ExplicitTls,
        "ftps" => Protocol::ImplicitTls,
        _ => Protocol::Ftp,
    };
    Some(Found {
        mode,
        protocol,
        port: report.recommended.port,
    })
}

/// Writes what the finished doctor found and closes its window.
pub fn apply(state: &mut AppState) {
    let Some(doctor) = state.doctor.take() else {
        return;
    };
    let Some(found) = doctor.report.as_ref().and_then(found) else {
        state.doctor = Some(doctor);
        return;
    };
    let said = format!(
        "{} mode, {}:// on port {}",
        found.mode.as_str(),
        found.protocol.scheme(),
        found.port
    );
    let Some(id) = doctor.bookmark else {
        state.form.data_mode = Some(found.mode);
        state.form.protocol = found.protocol;
        state.form.port = found.port.to_string();
        state.status = format!("Quick connections to this server use {said}");
        return;
    };
    // The site manager's copy is the newest (its save may still be on the store thread).
    let editing = state
        .site_manager
        .as_ref()
        .and_then(|m| m.editing.clone())
        .filter(|e| e.id == id);
    let saved = state.sites.sites.iter().find(|b| b.id == id).cloned();
    let Some(mut bookmark) = editing.or(saved) else {
        "The site tested is no longer in the site manager".clone_into(&mut state.status);
        return;
    };
    bookmark.mode = found.mode;
    bookmark.protocol = found.protocol;
    bookmark.port = (found.port != found.protocol.default_port()).then_some(found.port);
    if let Some(saved) = state.sites.sites.iter_mut().find(|b| b.id == id) {
        saved.clone_from(&bookmark);
    }
    state.status = format!("Saved in {}: {said}", bookmark.path());
    if let Some(manager) = &mut state.site_manager
        && manager.editing.as_ref().is_some_and(|e| e.id == id)
    {
        manager.editing = Some(bookmark.clone());
        manager.message.clone_from(&state.status);
    }
    state
        .store_jobs
        .push(StoreJob::Sites(SitesChange::Upsert(Box::new(bookmark))));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Recommended;

    fn report(mode: Option<&str>, protocol: &str, port: u16) -> DoctorReport {
        DoctorReport {
            steps: Vec::new(),
            verdict: String::new(),
            recommended: Recommended {
                mode: mode.map(str::to_owned),
                protocol: protocol.to_owned(),
                port,
            },
        }
    }

    #[test]
    fn working_epsv_keeps_auto_and_the_other_kind_of_tls_is_taken_with_its_port() {
        let f = found(&report(Some("epsv"), "ftp", 21)).unwrap();
        assert_eq!(
            (f.mode, f.protocol, f.port),
            (DataMode::Auto, Protocol::Ftp, 21)
        );
        let f = found(&report(Some("pasv"), "ftps", 990)).unwrap();
        assert_eq!(
            (f.mode, f.protocol, f.port),
            (DataMode::Passive, Protocol::ImplicitTls, 990)
        );
        assert_eq!(
            found(&report(Some("active"), "ftpes", 21)).unwrap().mode,
            DataMode::Active
        );
        assert_eq!(found(&report(None, "ftp", 21)), None);
    }
}
