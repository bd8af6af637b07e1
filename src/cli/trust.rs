//! `skiff trust URL FINGERPRINT | --list | --forget URL`: the server certificates the user
//! trusts, in the same file the window's "always trust" writes; and what a command prints when
//! a server's certificate is not trusted (what it is, and how to trust it).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::Common;
use super::output::Failure;
use crate::model::path::escape_control;
use crate::model::site::FtpUrl;
use crate::protocol::CertificateInfo;
use crate::store::known_certs::{self, address, fingerprint_colons, normalize_fingerprint};
use crate::store::resolve::{find_site, is_site_url};
use crate::store::{queue_file, sites};

/// What `skiff trust` was asked (its arguments).
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The server's URL or `site:NAME`.
    pub url: Option<String>,
    /// The fingerprint to trust.
    pub fingerprint: Option<String>,
    /// `--list`.
    pub list: bool,
    /// `--forget`.
    pub forget: bool,
}

/// Runs `skiff trust`; returns the exit status (0 ok, 1 failure, 2 a bad URL or fingerprint).
pub fn run(common: &Common, request: &Request) -> i32 {
    let result = known_file().and_then(|path| {
        if request.list {
            return list(&path);
        }
        let Some(url) = &request.url else {
            return Err(Failure::usage(
                "give the server's URL (see skiff trust --help)",
            ));
        };
        let (host, port) = server(url)?;
        if request.forget {
            return forget(common, &path, &host, port);
        }
        let Some(fingerprint) = &request.fingerprint else {
            return Err(Failure::usage(
                "give the certificate's SHA-256 fingerprint (see skiff trust --help)",
            ));
        };
        trust(common, &path, &host, port, fingerprint)
    });
    match result {
        Ok(()) => 0,
        Err(failure) => {
            eprintln!("skiff: {}", failure.message);
            failure.status
        }
    }
}

/// The trusted certificates file's path.
fn known_file() -> Result<PathBuf, Failure> {
    known_certs::default_path().ok_or_else(|| {
        Failure::failed(format!(
            "no home folder to keep trusted certificates in (set {})",
            queue_file::DATA_DIR_VAR
        ))
    })
}

/// The host and port `url` names: an `ftp://`, `ftpes://` or `ftps://` URL (the scheme's
/// default port when it names none), or a saved site.
fn server(url: &str) -> Result<(String, u16), Failure> {
    if !is_site_url(url) {
        let parsed = FtpUrl::parse(url).map_err(|e| Failure::usage(e.to_string()))?;
        return Ok((parsed.site.host, parsed.site.port));
    }
    let path = sites::default_path().ok_or_else(|| {
        Failure::failed(format!(
            "cannot find the saved sites: no home folder (set {})",
            sites::CONFIG_DIR_VAR
        ))
    })?;
    let saved = sites::load(&path).map_err(|e| Failure::failed(e.to_string()))?;
    let (bookmark, _, _) = find_site(url, &saved)
        .map_err(|e| Failure::usage(e.to_string()))?
        .ok_or_else(|| Failure::usage(format!("'{url}' is not a site:NAME reference")))?;
    let port = bookmark
        .port
        .unwrap_or_else(|| bookmark.protocol.default_port());
    Ok((bookmark.host.clone(), port))
}

/// Writes `text` to stdout (a closed pipe is not an error).
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// `skiff trust URL FINGERPRINT`.
fn trust(
    common: &Common,
    path: &Path,
    host: &str,
    port: u16,
    fingerprint: &str,
) -> Result<(), Failure> {
    let sha256 = normalize_fingerprint(fingerprint).ok_or_else(|| {
        Failure::usage(format!(
            "'{}' is not a SHA-256 fingerprint: give its 64 hex digits, e.g. AB:CD:… as skiff printed it",
            escape_control(fingerprint)
        ))
    })?;
    let (_, before) = known_certs::update(path, |known| {
        let before = known.fingerprint(host, port).map(str::to_owned);
        known.trust(host, port, &sha256);
        before
    })
    .map_err(|e| Failure::failed(e.to_string()))?;
    if common.quiet {
        return Ok(());
    }
    let server = escape_control(&address(host, port));
    let mut text = format!(
        "Trusted the certificate of {server}: SHA-256 {}\n",
        fingerprint_colons(&sha256)
    );
    match before {
        Some(before) if before == sha256 => text.push_str("(it was trusted already)\n"),
        Some(before) => {
            let _ = writeln!(
                text,
                "It replaces the certificate trusted before: SHA-256 {}",
                fingerprint_colons(&before)
            );
        }
        None => {}
    }
    print(&text);
    Ok(())
}

/// `skiff trust --forget URL`.
fn forget(common: &Common, path: &Path, host: &str, port: u16) -> Result<(), Failure> {
    let server = escape_control(&address(host, port));
    let known = known_certs::load(path).map_err(|e| Failure::failed(e.to_string()))?;
    if known.fingerprint(host, port).is_none() {
        return Err(Failure::failed(format!(
            "no certificate is trusted for {server} (skiff trust --list shows them)"
        )));
    }
    let (_, forgotten) = known_certs::update(path, |known| known.forget(host, port))
        .map_err(|e| Failure::failed(e.to_string()))?;
    if forgotten && !common.quiet {
        print(&format!("Forgot the certificate of {server}\n"));
    }
    Ok(())
}

/// `skiff trust --list`: one line per certificate, `host:port  AB:CD:…  trusted YYYY-MM-DD`.
fn list(path: &Path) -> Result<(), Failure> {
    let known = known_certs::load(path).map_err(|e| Failure::failed(e.to_string()))?;
    let rows: Vec<(String, String, String)> = known
        .entries()
        .map(|(host, port, sha256)| {
            let when = known
                .trusted_at(host, port)
                .filter(|&t| t > 0)
                .map_or_else(|| "-".to_owned(), day);
            (
                escape_control(&address(host, port)),
                fingerprint_colons(sha256),
                when,
            )
        })
        .collect();
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let mut text = String::new();
    for (server, fingerprint, when) in &rows {
        let pad = width - server.chars().count();
        let _ = writeln!(
            text,
            "{server}{}  {fingerprint}  trusted {when}",
            " ".repeat(pad)
        );
    }
    print(&text);
    Ok(())
}

/// `YYYY-MM-DD` (UTC) of unix `seconds`, or `?`.
fn day(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map_or_else(|| "?".to_owned(), |t| t.format("%Y-%m-%d").to_string())
}

/// The fingerprint trusted for `host` and `port`, if any. A trusted certificates file that
/// cannot be read is reported on stderr and counts as empty (the connection then fails with
/// the certificate shown, rather than trusting something unchecked).
pub fn trusted_fingerprint(host: &str, port: u16) -> Option<String> {
    let path = known_certs::default_path()?;
    match known_certs::load(&path) {
        Ok(known) => known.fingerprint(host, port).map(str::to_owned),
        Err(e) => {
            eprintln!("skiff: {e}");
            None
        }
    }
}

/// What a command prints (to stderr) when the server's certificate is not trusted: a loud
/// warning first when it changed since the user trusted another one, then the certificate
/// (subject, issuer, validity, SHA-256) and the `skiff trust` command that trusts it. `scheme`
/// is the URL scheme used for that command.
#[must_use]
pub fn explain(info: &CertificateInfo, scheme: &str) -> String {
    let server = escape_control(&address(&info.host, info.port));
    let fingerprint = fingerprint_colons(&info.sha256);
    let mut text = String::new();
    if info.changed {
        let _ = writeln!(
            text,
            "WARNING: the certificate of {server} CHANGED since you trusted it. Someone may be \
intercepting the connection; do not trust the new one unless the server's admin confirms the \
change."
        );
    }
    let _ = writeln!(
        text,
        "skiff: the server's certificate is not trusted ({})",
        escape_control(&info.reason)
    );
    let now = chrono::Utc::now().timestamp();
    let note = if now > info.not_after {
        " (expired)"
    } else if now < info.not_before {
        " (not valid yet)"
    } else {
        ""
    };
    let _ = writeln!(text, "  subject:  {}", escape_control(&info.subject));
    let _ = writeln!(text, "  issuer:   {}", escape_control(&info.issuer));
    let _ = writeln!(
        text,
        "  valid:    {} to {}{note}",
        day(info.not_before),
        day(info.not_after)
    );
    let _ = writeln!(text, "  SHA-256:  {fingerprint}");
    if info.changed {
        text.push_str("Only if the server's admin confirms the new certificate, trust it with:\n");
    } else {
        text.push_str("If this is your server's certificate, trust it once and for all with:\n");
    }
    let _ = writeln!(text, "  skiff trust {scheme}://{server} {fingerprint}");
    if !info.changed {
        text.push_str("(or connect with --insecure to skip the check this time)\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(changed: bool) -> CertificateInfo {
        CertificateInfo {
            host: "::1".to_owned(),
            port: 990,
            subject: "CN=ftp.example.org\u{1b}[31m".to_owned(),
            issuer: "CN=Example CA".to_owned(),
            not_before: 1_704_067_200,
            not_after: 4_102_444_800,
            sha256: "ab".repeat(32),
            changed,
            reason: "invalid peer certificate: UnknownIssuer".to_owned(),
        }
    }

    #[test]
    fn an_unknown_certificate_is_shown_with_the_command_that_trusts_it() {
        let text = explain(&info(false), "ftps");
        let fingerprint = ["AB"; 32].join(":");
        assert!(
            text.starts_with(
                "skiff: the server's certificate is not trusted (invalid peer certificate: UnknownIssuer)\n"
            ),
            "{text}"
        );
        assert!(text.contains("  issuer:   CN=Example CA\n"), "{text}");
        assert!(
            text.contains("  valid:    2024-01-01 to 2100-01-01\n"),
            "{text}"
        );
        assert!(
            text.contains(&format!("  SHA-256:  {fingerprint}\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("  skiff trust ftps://[::1]:990 {fingerprint}\n")),
            "{text}"
        );
        assert!(text.contains("--insecure"), "{text}");
        assert!(!text.contains("WARNING"), "{text}");
        assert!(
            !text.contains('\u{1b}'),
            "control characters escaped: {text:?}"
        );
    }

    #[test]
    fn a_changed_certificate_warns_first_and_does_not_suggest_insecure() {
        let text = explain(&info(true), "ftps");
        assert!(
            text.starts_with("WARNING: the certificate of [::1]:990 CHANGED since you trusted it."),
            "{text}"
        );
        assert!(text.contains("admin confirms"), "{text}");
        assert!(!text.contains("--insecure"), "{text}");
    }
}
