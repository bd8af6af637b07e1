//! Each subcommand: parse its URL, connect (trusting the certificates `skiff trust`
//! remembered), send the engine command, print the result.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use super::client::{Client, ConnectError};
use super::progress::ProgressView;
use super::{Action, Common, output, trust};
use crate::model::path::RemotePath;
use crate::model::site::{FtpUrl, Password, Site};
use crate::model::transfer::Direction;
use crate::protocol::{
    CertificateInfo, Command, ErrorReport, Event, ExistingTarget, TransferRequest,
};
use crate::store::resolve::{is_site_url, resolve_site_url};
use crate::store::secrets::Secrets;
use crate::store::sites;

/// Runs one subcommand to the end; returns the exit status (0 ok, 1 failure, 2 usage).
pub fn run(common: &Common, action: Action) -> i32 {
    let runtime = match crate::engine::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("skiff: cannot start: {e}");
            return 1;
        }
    };
    match runtime.block_on(run_async(common, action)) {
        Ok(()) => 0,
        Err(Failure::Usage(message)) => {
            eprintln!("skiff: {message}");
            2
        }
        Err(Failure::Engine(report)) => {
            eprintln!("skiff: {}", report.message);
            1
        }
        Err(Failure::Other(message)) => {
            eprintln!("skiff: {message}");
            1
        }
        Err(Failure::Untrusted { info, scheme }) => {
            eprint!("{}", trust::explain(&info, scheme));
            1
        }
    }
}

enum Failure {
    /// A bad argument (exit 2).
    Usage(String),
    /// What the engine reported (exit 1).
    Engine(ErrorReport),
    /// Anything else that failed, e.g. an unreadable bookmarks file (exit 1).
    Other(String),
    /// The server's certificate is not trusted (exit 1): what it is and how to trust it.
    Untrusted {
        /// The refused certificate.
        info: Box<CertificateInfo>,
        /// The URL scheme to suggest in `skiff trust SCHEME://host:port`.
        scheme: &'static str,
    },
}

impl From<ErrorReport> for Failure {
    fn from(e: ErrorReport) -> Self {
        Self::Engine(e)
    }
}

impl Failure {
    /// A failed command's report, or the certificate that made it fail when there is one.
    fn from_report(
        report: ErrorReport,
        certificate: Option<Box<CertificateInfo>>,
        scheme: &'static str,
    ) -> Self {
        match certificate {
            Some(info) => Self::Untrusted { info, scheme },
            None => Self::Engine(report),
        }
    }
}

/// The site and path of `url` (an FTP URL or `site:NAME/path`) with the common options and
/// the password applied.
fn target(common: &Common, url: &str) -> Result<(Site, FtpUrl), Failure> {
    let parsed = if is_site_url(url) {
        saved_site(common, url)?
    } else {
        FtpUrl::parse(url).map_err(|e| Failure::Usage(e.to_string()))?
    };
    let mut site = parsed.site.clone();
    if let Some(mode) = common.mode {
        site.data_mode = mode.into();
    }
    site.timeout = Duration::from_secs(common.timeout);
    site.insecure = common.insecure;
    if site.protocol.is_tls() && !site.insecure && site.trusted_certificate.is_none() {
        site.trusted_certificate = trust::trusted_fingerprint(&site.host, site.port);
    }
    if site.password.is_none() {
        if let Ok(p) = std::env::var("SKIFF_PASSWORD") {
            site.password = Some(Password::new(p));
        } else if common.password_stdin {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| Failure::Usage(format!("cannot read the password from stdin: {e}")))?;
            site.password = Some(Password::new(line.trim_end_matches(['\r', '\n'])));
        }
    }
    Ok((site, parsed))
}

/// `site:NAME/path` as a URL: the saved site, its password from the keyring when there is
/// one. Without one, says why when no keyring is reachable (the login may then fail).
fn saved_site(common: &Common, text: &str) -> Result<FtpUrl, Failure> {
    let path = sites::default_path().ok_or_else(|| {
        Failure::Other(format!(
            "cannot find the saved sites: no home folder (set {})",
            sites::CONFIG_DIR_VAR
        ))
    })?;
    let saved = sites::load(&path).map_err(|e| Failure::Other(e.to_string()))?;
    let secrets = Secrets::new();
    let url = resolve_site_url(text, &saved, &secrets)
        .map_err(Failure::Usage)?
        .ok_or_else(|| Failure::Usage(format!("'{text}' is not a site:NAME reference")))?;
    if url.site.password.is_none()
        && url.site.user.is_some()
        && !common.quiet
        && std::env::var_os("SKIFF_PASSWORD").is_none()
        && !common.password_stdin
        && let Some(notice) = secrets.take_notice()
    {
        eprintln!("skiff: {notice}; give the password with SKIFF_PASSWORD or --password-stdin");
    }
    Ok(url)
}

/// The doctor's lines are folded to the terminal's width, or this many columns when the output
/// is not a terminal.
const DOCTOR_WIDTH: usize = 100;

/// The width the doctor folds its lines to.
fn doctor_width() -> usize {
    console::Term::stdout()
        .size_checked()
        .map_or(DOCTOR_WIDTH, |(_, columns)| usize::from(columns).max(40))
}

/// `head` then `text` folded at spaces to `width` columns, later lines indented under the text.
fn wrap(head: &str, text: &str, width: usize) -> String {
    let indent = head.chars().count();
    let room = width.saturating_sub(indent).max(20);
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split(' ') {
        let Some(line) = lines.last_mut() else { break };
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    let pad = " ".repeat(indent);
    let mut out = head.to_owned();
    out.push_str(&lines.join(&format!("\n{pad}")));
    out
}

/// `skiff doctor`: every step as it ends (or JSON at the end), then the verdict; fails (exit
/// 1) when no data connection works.
async fn doctor(common: &Common, site: &Site, json: bool) -> Result<(), Failure> {
    let log = if common.verbose {
        crate::engine::log::LogSink::new(|_, text| eprintln!("  {text}"))
    } else {
        crate::engine::log::LogSink::none()
    };
    let width = doctor_width();
    let mut show = |step: &crate::engine::doctor::Step| {
        if !json {
            let mark = if step.ok { "ok  " } else { "FAIL" };
            let head = format!("{mark} {:<12}{:>6} ms  ", step.name, step.millis);
            println!("{}", wrap(&head, &step.detail, width));
        }
    };
    let report = crate::engine::doctor::diagnose(site, log, &mut show).await;
    if json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| Failure::Other(e.to_string()))?;
        println!("{text}");
    } else {
        println!("{}", wrap("Verdict: ", &report.verdict, width));
    }
    if report.recommended.mode.is_some() {
        Ok(())
    } else {
        Err(Failure::Other(report.verdict))
    }
}

async fn run_async(common: &Common, action: Action) -> Result<(), Failure> {
    if let Action::Doctor { url, json } = &action {
        let (site, _) = target(common, url)?;
        return doctor(common, &site, *json).await;
    }
    let url = match &action {
        Action::Ls { url, .. }
        | Action::Get { url, .. }
        | Action::Put { url, .. }
        | Action::Mkdir { url }
        | Action::Chmod { url, .. }
        | Action::Rm { url, .. }
        | Action::Mv { url, .. } => url.clone(),
        Action::Doctor { .. } | Action::Sites { .. } | Action::Trust { .. } => {
            return Err(Failure::Usage(
                "skiff sites and skiff trust run without a connection".to_owned(),
            ));
        }
    };
    let (site, parsed) = target(common, &url)?;
    let scheme = site.protocol.scheme();
    let mut client = Client::connect(site, common.verbose, ProgressView::new(common.quiet))
        .await
        .map_err(
            |ConnectError {
                 report,
                 certificate,
             }| Failure::from_report(report, certificate, scheme),
        )?;
    let result = match perform(&mut client, &parsed, action).await {
        Err(Failure::Engine(report)) => {
            let certificate = client.take_certificate(&report);
            Err(Failure::from_report(report, certificate, scheme))
        }
        other => other,
    };
    client.progress().summary();
    client.close().await;
    result
}

/// `skiff chmod [-r] MODE URL`.
async fn chmod(
    client: &mut Client,
    session: crate::protocol::SessionId,
    path: RemotePath,
    mode: u32,
    recursive: bool,
) -> Result<(), Failure> {
    let recurse = recursive.then_some(crate::protocol::Recurse {
        files: true,
        folders: true,
    });
    client
        .call(|request| Command::Chmod {
            request,
            session,
            path,
            mode,
            recurse,
        })
        .await?;
    Ok(())
}

async fn perform(client: &mut Client, url: &FtpUrl, action: Action) -> Result<(), Failure> {
    let session = client.session;
    let path = url.path.clone();
    match action {
        Action::Ls { long, json, .. } => ls(client, path, long, json).await,
        Action::Get {
            local,
            recursive,
            resume,
            overwrite,
            segments,
            jobs,
            ..
        } => {
            let existing = existing_policy(overwrite, resume);
            let local = local.unwrap_or_else(|| PathBuf::from("."));
            let job = transfer_job(
                Direction::Download,
                local,
                path,
                recursive,
                existing,
                jobs,
                segments,
            );
            run_transfer(client, job).await
        }
        Action::Put {
            local,
            recursive,
            overwrite,
            jobs,
            ..
        } => {
            let existing = existing_policy(overwrite, false);
            let job = transfer_job(Direction::Upload, local, path, recursive, existing, jobs, 1);
            run_transfer(client, job).await
        }
        Action::Mkdir { .. } => {
            client
                .call(|request| Command::Mkdir {
                    request,
                    session,
                    path,
                })
                .await?;
            Ok(())
        }
        Action::Chmod {
            permissions,
            recursive,
            ..
        } => chmod(client, session, path, permissions, recursive).await,
        Action::Rm { recursive, .. } => {
            if path.is_root() {
                return Err(Failure::Usage(
                    "refusing to delete the server's root folder".to_owned(),
                ));
            }
            client
                .call(|request| Command::Remove {
                    request,
                    session,
                    path,
                    recursive,
                })
                .await?;
            Ok(())
        }
        Action::Doctor { .. } | Action::Sites { .. } | Action::Trust { .. } => Ok(()),
        Action::Mv { new_path, .. } => {
            let to = if new_path.starts_with('/') {
                RemotePath::new(&new_path)
            } else {
                RemotePath::new(&format!("{}/{new_path}", path.parent()))
            };
            client
                .call(|request| Command::Rename {
                    request,
                    session,
                    from: path,
                    to,
                })
                .await?;
            Ok(())
        }
    }
}

/// `skiff ls`: a folder's entries (or one file's), folders first.
async fn ls(client: &mut Client, path: RemotePath, long: bool, json: bool) -> Result<(), Failure> {
    let session = client.session;
    let listed = client
        .call(|request| Command::List {
            request,
            session,
            path: path.clone(),
        })
        .await;
    let mut entries = match listed {
        Ok(Event::Listing { entries, .. }) => entries,
        Ok(_) => Vec::new(),
        // A file, not a folder: show just that entry.
        Err(e) if e.code.is_some() => match client
            .call(|request| Command::Stat {
                request,
                session,
                path: path.clone(),
            })
            .await?
        {
            Event::Stat {
                entry: Some(entry), ..
            } if !entry.is_dir() => vec![entry],
            _ => return Err(e.into()),
        },
        Err(e) => return Err(e.into()),
    };
    output::sort(&mut entries);
    let text = if json {
        output::json(&entries) + "\n"
    } else if long {
        output::long(&entries)
    } else {
        output::short(&entries)
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    Ok(())
}

/// A transfer request with the CLI's defaults (modification times kept).
fn transfer_job(
    direction: Direction,
    local: PathBuf,
    remote: RemotePath,
    recursive: bool,
    existing: ExistingTarget,
    jobs: u16,
    segments: u16,
) -> TransferRequest {
    TransferRequest {
        direction,
        local,
        remote,
        recursive,
        existing,
        connections: usize::from(jobs),
        segments: usize::from(segments),
        keep_times: true,
    }
}

/// `--overwrite` replaces, `--resume` continues, neither refuses.
fn existing_policy(overwrite: bool, resume: bool) -> ExistingTarget {
    if overwrite {
        ExistingTarget::Overwrite
    } else if resume {
        ExistingTarget::Resume
    } else {
        ExistingTarget::Refuse
    }
}

/// Sends a transfer request and waits for it to finish.
async fn run_transfer(client: &mut Client, job: TransferRequest) -> Result<(), Failure> {
    let session = client.session;
    client
        .call(|request| Command::Transfer {
            request,
            session,
            job,
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_doctor_lines_fold_under_their_text() {
        let text = "one two three four five six seven eight nine ten";
        let folded = wrap("head: ", text, 26);
        let lines: Vec<&str> = folded.lines().collect();
        assert!(lines.len() > 1, "{folded}");
        assert!(lines.iter().all(|l| l.chars().count() <= 26), "{folded}");
        assert!(lines[1].starts_with("      ") && !lines[1].starts_with("       "));
        assert_eq!(
            folded
                .split_whitespace()
                .skip(1)
                .collect::<Vec<_>>()
                .join(" "),
            text
        );
        assert_eq!(wrap("h ", "short", 80), "h short");
    }
}
