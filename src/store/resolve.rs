//! `site:NAME/path`: a saved site used wherever a URL is accepted (the command line, the
//! window's `skiff site:work`). Turns it into the same [`FtpUrl`] a typed URL gives, with the
//! password from the keyring.

use super::secrets::{Secrets, key_for};
use super::sites::{Bookmark, FindError, Logon, Sites};
use crate::model::path::RemotePath;
use crate::model::site::{FtpUrl, Password};

/// What starts a saved-site reference.
pub const PREFIX: &str = "site:";

/// True when `text` is a `site:` reference rather than a URL.
#[must_use]
pub fn is_site_url(text: &str) -> bool {
    text.starts_with(PREFIX)
}

/// The bookmark and path a `site:` reference names, without touching the keyring.
/// `Ok(None)` when `text` is not a `site:` reference.
///
/// The name is a site's path or its name (see [`Sites::find`]); what follows is a path from
/// the server's root: `site:work/www` is `/www` on the site `work`, `site:Work/Clients/acme/x`
/// is `/x` on `Work/Clients/acme`. With no path (`site:work`) it is the bookmark's remote
/// folder, or `/` (the login folder, as for `ftp://host`).
pub fn find_site<'a>(
    text: &str,
    sites: &'a Sites,
) -> Result<Option<(&'a Bookmark, RemotePath, bool)>, FindError> {
    let Some(rest) = text.strip_prefix(PREFIX) else {
        return Ok(None);
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let mut first_error = None;
    // The longest prefix that names a site wins: `Work/acme/www` before `Work`.
    for n in (1..=parts.len()).rev() {
        let name = parts[..n].join("/");
        if name.trim_matches('/').is_empty() {
            continue;
        }
        match sites.find(&name) {
            Ok(bookmark) => {
                let path = parts[n..].join("/");
                let names_folder = path.is_empty() || path.ends_with('/');
                let path = if path.trim_matches('/').is_empty() {
                    RemotePath::new(&bookmark.remote_folder)
                } else {
                    RemotePath::new(&path)
                };
                return Ok(Some((bookmark, path, names_folder)));
            }
            // An ambiguous name says more than "not found" for a shorter one.
            Err(e @ FindError::Ambiguous { .. }) => first_error = Some(e),
            Err(e) => {
                if n == 1 && first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    Err(first_error.unwrap_or_else(|| FindError::NotFound(rest.to_owned())))
}

/// A `site:NAME/path` reference as the URL it stands for, with the saved password (from the
/// keyring, or this session's memory) for a normal logon. `Ok(None)` when `text` is not a
/// `site:` reference. The site's password is `None` when none is saved (an "ask" logon never
/// has one): the caller asks, or uses `SKIFF_PASSWORD` / `--password-stdin`.
///
/// Blocking (the keyring); call it off the UI thread. The error is a message for the user.
pub fn resolve_site_url(
    text: &str,
    sites: &Sites,
    secrets: &Secrets,
) -> Result<Option<FtpUrl>, String> {
    let Some((bookmark, path, names_folder)) = find_site(text, sites).map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let password = if bookmark.logon == Logon::Normal {
        secrets
            .get(&key_for(&bookmark.id))
            .map_err(|e| format!("site {}: {e}", bookmark.path()))?
            .map(Password::new)
    } else {
        None
    };
    Ok(Some(FtpUrl {
        site: bookmark.site(password),
        path,
        names_folder,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::site::Protocol;

    fn sites() -> Sites {
        let mut sites = Sites::default();
        let mut work = Bookmark::new("work", "ftp.example.com");
        work.user = "ann".to_owned();
        work.remote_folder = "/www/site".to_owned();
        let mut acme = Bookmark::new("acme", "acme.example.com");
        acme.folder = "Work/Clients".to_owned();
        acme.protocol = Protocol::ExplicitTls;
        acme.port = Some(2121);
        acme.user = "bob".to_owned();
        let mut home_x = Bookmark::new("x", "home.example.com");
        home_x.folder = "Home".to_owned();
        let mut work_x = Bookmark::new("x", "work.example.com");
        work_x.folder = "Work".to_owned();
        let mut public = Bookmark::new("public", "mirror.example.com");
        public.logon = Logon::Anonymous;
        sites.sites = vec![work, acme, home_x, work_x, public];
        sites.add_folder("Work/Clients");
        sites.add_folder("Home");
        sites
    }

    fn resolve(text: &str, sites: &Sites, secrets: &Secrets) -> FtpUrl {
        resolve_site_url(text, sites, secrets).unwrap().unwrap()
    }

    #[test]
    fn urls_are_not_site_references() {
        let secrets = Secrets::memory_only();
        assert_eq!(resolve_site_url("ftp://h/x", &sites(), &secrets), Ok(None));
        assert!(!is_site_url("ftp://site:x@h/"));
        assert!(is_site_url("site:work"));
    }

    #[test]
    fn paths_are_from_the_server_root() {
        let secrets = Secrets::memory_only();
        let sites = sites();
        let url = resolve("site:work/www", &sites, &secrets);
        assert_eq!(url.path.as_str(), "/www");
        assert!(!url.names_folder);
        assert_eq!(url.site.host, "ftp.example.com");
        assert_eq!(url.site.user.as_deref(), Some("ann"));

        let url = resolve("site:work", &sites, &secrets);
        assert_eq!(
            url.path.as_str(),
            "/www/site",
            "the bookmark's remote folder"
        );
        assert!(url.names_folder);
        assert_eq!(
            resolve("site:work/", &sites, &secrets).path.as_str(),
            "/www/site"
        );
        assert!(resolve("site:work/a/b/", &sites, &secrets).names_folder);

        let url = resolve("site:Work/Clients/acme/pub/file.txt", &sites, &secrets);
        assert_eq!(url.site.host, "acme.example.com");
        assert_eq!(
            (url.site.port, url.site.protocol),
            (2121, Protocol::ExplicitTls)
        );
        assert_eq!(url.path.as_str(), "/pub/file.txt");
        assert_eq!(resolve("site:acme", &sites, &secrets).path.as_str(), "/");

        let url = resolve("site:public/debian", &sites, &secrets);
        assert_eq!(url.site.user, None, "anonymous");
    }

    #[test]
    fn the_saved_password_comes_from_the_secrets() {
        let secrets = Secrets::memory_only();
        let sites = sites();
        assert_eq!(resolve("site:work", &sites, &secrets).site.password, None);
        let work = sites.find("work").unwrap();
        secrets.set(&key_for(&work.id), "s3cret").unwrap();
        let url = resolve("site:work/x", &sites, &secrets);
        assert_eq!(url.site.password, Some(Password::new("s3cret")));
    }

    #[test]
    fn unknown_and_ambiguous_names_say_so() {
        let secrets = Secrets::memory_only();
        let sites = sites();
        let error = resolve_site_url("site:nope/www", &sites, &secrets).unwrap_err();
        assert_eq!(error, "no site named nope (skiff sites list shows them)");
        let error = resolve_site_url("site:x/www", &sites, &secrets).unwrap_err();
        assert_eq!(
            error,
            "x is ambiguous: Home/x, Work/x (give the folder too)"
        );
        assert_eq!(
            resolve("site:Work/x/www", &sites, &secrets).site.host,
            "work.example.com"
        );
        assert!(resolve_site_url("site:", &sites, &secrets).is_err());
    }
}
