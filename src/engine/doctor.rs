//! The connection doctor: tests a site step by step (name resolution, TCP, login with TLS when
//! asked, the server's features, a data connection in each mode, round-trip time), each step
//! with its own time limit, and says in words which settings work.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::engine::error::EngineError;
use crate::engine::ftp::{FtpVfs, bounded};
use crate::engine::log::LogSink;
use crate::model::site::{DataMode, Site};

/// How long one data-connection test may take.
const DATA_STEP_LIMIT: Duration = Duration::from_secs(8);

pub use crate::protocol::{DoctorReport as Report, DoctorStep as Step, Recommended};

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The steps so far, shown as each ends.
struct Steps<'a> {
    done: Vec<Step>,
    on_step: &'a mut (dyn FnMut(&Step) + Send),
}

impl Steps<'_> {
    fn push(&mut self, name: &str, ok: bool, started: Instant, detail: String) -> bool {
        let step = Step {
            name: name.to_owned(),
            ok,
            millis: millis(started),
            detail,
        };
        (self.on_step)(&step);
        self.done.push(step);
        ok
    }
}

/// Runs every step against `site`; `on_step` sees each as it ends (a terminal prints it).
/// Stops early, with a verdict, when the server cannot be reached or the login fails.
pub async fn diagnose(
    site: &Site,
    log: LogSink,
    on_step: &mut (dyn FnMut(&Step) + Send),
) -> Report {
    let mut steps = Steps {
        done: Vec::new(),
        on_step,
    };
    let report = |steps: Steps<'_>, verdict: String, mode: Option<&str>| Report {
        steps: steps.done,
        verdict,
        recommended: Recommended {
            mode: mode.map(str::to_owned),
            protocol: site.protocol.scheme().to_owned(),
        },
    };
    if let Err(verdict) = reach(site, &mut steps).await {
        return report(steps, verdict, None);
    }
    let started = Instant::now();
    let mut control = match FtpVfs::connect(site, log.clone()).await {
        Ok(vfs) => {
            let tls = if site.protocol.is_tls() {
                ", over TLS"
            } else {
                ""
            };
            let detail = format!("logged in as {}{tls}", site.login_user());
            steps.push("login", true, started, detail);
            vfs
        }
        Err(e) => {
            steps.push("login", false, started, e.to_string());
            return report(steps, format!("the login fails: {e}"), None);
        }
    };
    steps.push("features", true, Instant::now(), features(&control));
    let working = data_connections(site, &log, &mut steps).await;
    let started = Instant::now();
    let mut ok = true;
    for _ in 0..3 {
        ok &= control.command("NOOP", &[200]).await.is_ok();
    }
    let per = millis(started) / 3;
    steps.push("rtt", ok, started, format!("{per} ms per command"));
    control.quit().await;
    let verdict = match working {
        Some("epsv") => "everything works: keep the default (extended passive, then passive)",
        Some("pasv") => "use passive mode (PASV): the server refuses extended passive",
        Some(_) => "use active mode: the server's passive ports are not reachable from here",
        None => {
            "the server refuses both passive and active data connections: ask its admin to \
             open the passive port range"
        }
    };
    report(steps, verdict.to_owned(), working)
}

/// Name resolution and a TCP connection to the control port; the verdict when either fails.
async fn reach(site: &Site, steps: &mut Steps<'_>) -> Result<(), String> {
    let started = Instant::now();
    let looked_up = bounded(
        site.timeout,
        "resolving",
        tokio::net::lookup_host((site.host.as_str(), site.port)),
    )
    .await
    .and_then(|r| r.map_err(|e| EngineError::Invalid(e.to_string())));
    let addrs: Vec<std::net::SocketAddr> = match looked_up {
        Ok(found) => found.collect(),
        Err(e) => {
            let detail = format!("{} cannot be resolved: {e}", site.host);
            steps.push("resolve", false, started, detail);
            return Err(format!("check the host name {}", site.host));
        }
    };
    let v4 = addrs.iter().filter(|a| a.is_ipv4()).count();
    let detail = format!("{v4} IPv4 and {} IPv6 address(es)", addrs.len() - v4);
    steps.push("resolve", !addrs.is_empty(), started, detail);
    let Some(first) = addrs.first().copied() else {
        return Err(format!("{} has no address", site.host));
    };
    let started = Instant::now();
    match bounded(
        site.timeout,
        "connecting",
        tokio::net::TcpStream::connect(first),
    )
    .await
    {
        Ok(Ok(_)) => {
            steps.push("tcp", true, started, format!("connected to {first}"));
            Ok(())
        }
        Ok(Err(e)) => {
            steps.push("tcp", false, started, format!("{first}: {e}"));
            Err(format!(
                "nothing answers on {first}: check the port, or a firewall between you and \
                 the server"
            ))
        }
        Err(e) => {
            steps.push("tcp", false, started, e.to_string());
            Err("the server does not accept connections in time: a firewall may drop them".into())
        }
    }
}

/// The server's features that matter, in words.
fn features(control: &FtpVfs) -> String {
    // MLSD is announced as MLST.
    [
        ("MLSD", "MLST"),
        ("EPSV", "EPSV"),
        ("UTF8", "UTF8"),
        ("REST STREAM", "REST"),
        ("SIZE", "SIZE"),
        ("MDTM", "MDTM"),
        ("MFMT", "MFMT"),
    ]
    .iter()
    .map(|(name, feat)| {
        let has = if control.has_feature(feat) {
            "yes"
        } else {
            "no"
        };
        format!("{name} {has}")
    })
    .collect::<Vec<_>>()
    .join(", ")
}

/// A data connection in each mode, each on its own control connection, each with a LIST;
/// the first mode that worked.
async fn data_connections(
    site: &Site,
    log: &LogSink,
    steps: &mut Steps<'_>,
) -> Option<&'static str> {
    let mut working = None;
    for (name, mode) in [
        ("epsv", DataMode::ExtendedPassive),
        ("pasv", DataMode::Passive),
        ("active", DataMode::Active),
    ] {
        let mut trial = site.clone();
        trial.data_mode = mode;
        trial.timeout = trial.timeout.min(DATA_STEP_LIMIT);
        let started = Instant::now();
        let limit = DATA_STEP_LIMIT + Duration::from_secs(2);
        // The passive connector says when the server named another address than its own.
        let named_elsewhere: Arc<Mutex<Option<String>>> = Arc::default();
        let seen = Arc::clone(&named_elsewhere);
        let outer = log.clone();
        let watching = LogSink::new(move |kind, text| {
            if text.starts_with("The server named")
                && let Ok(mut slot) = seen.lock()
            {
                *slot = Some(text.clone());
            }
            outer.line(kind, text);
        });
        let listed = bounded(limit, "testing a data connection", async {
            let mut vfs = FtpVfs::connect(&trial, watching).await?;
            let home = vfs.home().clone();
            let listed = vfs.list(&home).await;
            vfs.quit().await;
            listed
        })
        .await
        .and_then(|r| r);
        match listed {
            Ok(entries) => {
                working = working.or(Some(name));
                let listed = format!("listing of {} entries arrived", entries.len());
                let detail = match named_elsewhere.lock().ok().and_then(|l| l.clone()) {
                    Some(line) => format!(
                        "{listed}; {line}: the server is probably behind NAT and names its \
                         private address; Skiff connects to the server's own address instead"
                    ),
                    None => listed,
                };
                steps.push(name, true, started, detail);
            }
            Err(e) => {
                steps.push(name, false, started, e.to_string());
            }
        }
    }
    working
}
