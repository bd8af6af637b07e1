//! Connecting: the site the quick-connect form describes, a bookmark's site (the bar then
//! shows it), the certificate the user trusts for a host, and the connect request itself.

use super::actions::Action;
use super::state::{AppState, Connection, Pending, Side};
use crate::model::path::RemotePath;
use crate::model::site::{FtpUrl, Password, Site};
use crate::protocol::{Command, RequestId};

/// The site the connect form describes, or why it cannot be used.
pub fn site_from_form(state: &AppState) -> Result<(Site, RemotePath), String> {
    let form = &state.form;
    let host = form.host.trim();
    if host.is_empty() {
        return Err("enter a host name or an ftp:// URL".to_owned());
    }
    let text = if host.contains("://") {
        host.to_owned()
    } else {
        format!("{}://{host}", form.protocol.scheme())
    };
    let url = FtpUrl::parse(&text).map_err(|e| e.to_string())?;
    let mut site = url.site;
    if !form.user.trim().is_empty() {
        site.user = Some(form.user.trim().to_owned());
    }
    if !form.password.is_empty() {
        site.password = Some(Password::new(form.password.clone()));
    }
    site.data_mode = form.data_mode.unwrap_or(state.queue.settings.data_mode);
    if !form.port.trim().is_empty() {
        site.port = form
            .port
            .trim()
            .parse()
            .map_err(|_| format!("'{}' is not a port number", form.port.trim()))?;
    }
    Ok((site, url.path))
}

/// How trusted certificates are keyed: the store's normalized `host:port` (lowercase,
/// IPv6 in its standard form and brackets).
#[must_use]
pub fn certificate_key(host: &str, port: u16) -> String {
    crate::store::known_certs::address(host, port)
}

/// Trusts the certificate the prompt showed (remembered with `always`) and connects again.
pub(super) fn trust_certificate(
    state: &mut AppState,
    (host, port): (String, u16),
    sha256: String,
    always: bool,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    state.dialog = None;
    let key = certificate_key(&host, port);
    if always {
        state
            .store_jobs
            .push(super::store_jobs::StoreJob::TrustCertificate {
                host,
                port,
                sha256: sha256.clone(),
            });
    }
    state.trusted_certs.insert(key, sha256);
    connect(state, next_id)
}

pub(super) fn connect(
    state: &mut AppState,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    // A quick connection: no bookmark (a bookmark's connect sets it after this).
    state.connected_bookmark = None;
    match site_from_form(state) {
        Ok((site, path)) => {
            // The quick-connect history keeps the URL, never the password.
            let url = site.url_for(&path);
            state.store_jobs.push(super::store_jobs::StoreJob::Sites(
                super::store_jobs::SitesChange::Remember(url),
            ));
            connect_site(state, site, &path, next_id)
        }
        Err(why) => {
            state.connection = Connection::Failed(why.clone());
            state.status = why;
            Vec::new()
        }
    }
}

/// Connects with a bookmark's site (`connect` is an [`Action::ConnectSite`]): the bar shows
/// it, the queue takes its connections, the local pane goes to its folder, and the window
/// remembers which bookmark it is connected with.
pub(super) fn connect_bookmark_site(
    state: &mut AppState,
    connect: Action,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    let Action::ConnectSite {
        site,
        path,
        local_folder,
        connections,
        bookmark,
    } = connect
    else {
        return Vec::new();
    };
    let site = *site;
    // The bar shows where the window is connected (Reconnect and Copy URL use it).
    state.form = super::state::ConnectForm {
        host: site.host.clone(),
        user: site.user.clone().unwrap_or_default(),
        password: site
            .password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default(),
        port: site.port.to_string(),
        protocol: site.protocol,
        data_mode: Some(site.data_mode),
    };
    state.queue.settings.connections = connections.clamp(1, 10);
    let mut commands = connect_site(state, site, &path, next_id);
    state.connected_bookmark = Some(bookmark);
    if let Some(folder) = local_folder {
        commands.extend(super::actions::plan(
            state,
            Action::OpenLocal(folder),
            next_id,
        ));
    }
    commands
}

/// Fills in the certificate the user trusts for the site's host and port, unless the site
/// names one itself.
pub fn with_trusted_certificate(state: &AppState, site: &mut Site) {
    if site.trusted_certificate.is_none() {
        site.trusted_certificate = state
            .trusted_certs
            .get(&certificate_key(&site.host, site.port))
            .cloned();
    }
}

fn connect_site(
    state: &mut AppState,
    mut site: Site,
    path: &RemotePath,
    next_id: &mut dyn FnMut() -> RequestId,
) -> Vec<Command> {
    with_trusted_certificate(state, &mut site);
    let request = next_id();
    let target = site.authority();
    if state.last_target.as_deref() != Some(target.as_str()) {
        // Another server: start in its home folder, not in the last one's path.
        state.remote = super::state::PaneState::new(Side::Remote, "/");
    }
    state.last_target = Some(target.clone());
    state.site_key = Some(site.url_for(&RemotePath::root()));
    if !path.is_root() {
        // `skiff ftp://host/www/`: open that folder once logged in.
        state.remote.path = path.to_string();
    }
    state.status = format!("Connecting to {target}…");
    state.remote.error = None;
    state.connection = Connection::Connecting { request, target };
    state.pending.insert(request, Pending::Connect);
    vec![Command::Connect { request, site }]
}
