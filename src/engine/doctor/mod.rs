//! The connection doctor: tests a site step by step (name resolution, TCP, the greeting, TLS
//! with the other kind tried when the site's fails, login, the server's features, a data
//! connection in each mode, round-trip time, a throughput sample), each step with its own time
//! limit, and says in words which settings work.

mod data;
mod probe;
mod secure;

use std::net::SocketAddr;
use std::time::Instant;

use crate::engine::error::EngineError;
use crate::engine::ftp::{FtpVfs, bounded};
use crate::engine::log::LogSink;
use crate::model::site::Site;

pub use crate::protocol::{DoctorReport as Report, DoctorStep as Step, Recommended};
pub use data::DATA_STEP_LIMIT;

/// Where the doctor looks for the other kind of TLS when the site's kind fails.
#[derive(Debug, Clone, Copy)]
pub struct Probe {
    /// Implicit TLS is tried here when explicit TLS is refused (990).
    pub implicit_port: u16,
    /// Explicit TLS is tried here when implicit TLS fails (21).
    pub explicit_port: u16,
}

impl Default for Probe {
    fn default() -> Self {
        Self {
            implicit_port: 990,
            explicit_port: 21,
        }
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The steps so far, shown as each ends.
pub struct Steps<'a> {
    done: Vec<Step>,
    on_step: &'a mut (dyn FnMut(&Step) + Send),
}

impl Steps<'_> {
    fn push(&mut self, name: &str, ok: bool, started: Instant, detail: String) -> bool {
        self.push_port(name, ok, started, detail, None)
    }

    fn push_port(
        &mut self,
        name: &str,
        ok: bool,
        started: Instant,
        detail: String,
        port: Option<u16>,
    ) -> bool {
        let step = Step {
            name: name.to_owned(),
            ok,
            millis: millis(started),
            detail,
            port,
        };
        (self.on_step)(&step);
        self.done.push(step);
        ok
    }
}

/// Runs every step against `site`; `on_step` sees each as it ends (a terminal prints it).
/// Stops early, with a verdict, when the server cannot be reached, TLS or the login fails.
pub async fn diagnose(
    site: &Site,
    log: LogSink,
    on_step: &mut (dyn FnMut(&Step) + Send),
) -> Report {
    diagnose_with(site, &Probe::default(), log, on_step).await
}

/// [`diagnose`], looking for the other kind of TLS where `probe` says.
pub async fn diagnose_with(
    site: &Site,
    probe: &Probe,
    log: LogSink,
    on_step: &mut (dyn FnMut(&Step) + Send),
) -> Report {
    let mut steps = Steps {
        done: Vec::new(),
        on_step,
    };
    let report = |steps: Steps<'_>, verdict: String, site: &Site, mode: Option<&str>| Report {
        steps: steps.done,
        verdict,
        recommended: Recommended {
            mode: mode.map(str::to_owned),
            protocol: site.protocol.scheme().to_owned(),
            port: site.port,
        },
    };
    let (tcp, addr) = match reach(site, &mut steps).await {
        Ok(reached) => reached,
        Err(verdict) => return report(steps, verdict, site, None),
    };
    let secured = match secure::secure(site, tcp, addr, probe, &mut steps).await {
        Ok(secured) => secured,
        Err(verdict) => return report(steps, verdict, site, None),
    };
    let site = &secured.site;
    let started = Instant::now();
    let mut control = match FtpVfs::connect(site, log.clone()).await {
        Ok(vfs) => {
            let tls = if site.protocol.is_tls() {
                ", over TLS"
            } else {
                ""
            };
            let detail = format!(
                "logged in as {}{tls}; the server put us in {}",
                site.login_user(),
                vfs.home()
            );
            steps.push("login", true, started, detail);
            vfs
        }
        Err(e) => {
            steps.push("login", false, started, e.to_string());
            return report(steps, format!("the login fails: {e}"), site, None);
        }
    };
    steps.push("features", true, Instant::now(), features(&control));
    let started = Instant::now();
    let mut ok = true;
    for _ in 0..3 {
        ok &= control.command("NOOP", &[200]).await.is_ok();
    }
    let per = started.elapsed().as_secs_f64() * 1000.0 / 3.0;
    steps.push("rtt", ok, started, format!("{per:.1} ms per command"));
    // One connection at a time from here: some servers allow only a few per address.
    control.quit().await;
    let trials = data::trials(site, &log, &mut steps).await;
    let mut verdict = data_verdict(&trials);
    if let Some(switch) = &secured.switched {
        verdict = format!("{switch}; {verdict}");
    }
    report(steps, verdict, site, trials.working)
}

/// The sentence on data connections.
fn data_verdict(trials: &data::Trials) -> String {
    let [epsv, pasv, active] = trials.worked;
    let active_note = match (&trials.active_blocked, active) {
        (Some(_), _) => {
            "; active mode does not work here: your firewall or router blocks the server's \
             connection back to you"
        }
        (None, false) => "; active mode does not work with this server",
        (None, true) => "",
    };
    if epsv {
        if active {
            "everything works: keep the default (extended passive, then passive)".to_owned()
        } else {
            format!("use passive mode (the default: extended passive, then passive){active_note}")
        }
    } else if pasv {
        format!("use passive mode (PASV): the server refuses extended passive{active_note}")
    } else if active {
        "use active mode: the server's passive ports are not reachable from here".to_owned()
    } else {
        "the server refuses both passive and active data connections: ask its admin to open \
         the passive port range"
            .to_owned()
    }
}

/// Name resolution and a TCP connection to the control port (kept for the greeting); the
/// verdict when either fails.
async fn reach(
    site: &Site,
    steps: &mut Steps<'_>,
) -> Result<(tokio::net::TcpStream, SocketAddr), String> {
    let started = Instant::now();
    let looked_up = bounded(
        site.timeout,
        "resolving",
        tokio::net::lookup_host((site.host.as_str(), site.port)),
    )
    .await
    .and_then(|r| r.map_err(|e| EngineError::Invalid(e.to_string())));
    let addrs: Vec<SocketAddr> = match looked_up {
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
    match probe::connect(first, site.timeout).await {
        Ok(tcp) => {
            steps.push("tcp", true, started, format!("connected to {first}"));
            Ok((tcp, first))
        }
        Err(probe::ProbeError::Unreachable(why)) if why.starts_with("no answer") => {
            steps.push("tcp", false, started, why);
            Err("the server does not accept connections in time: a firewall may drop them".into())
        }
        Err(e) => {
            steps.push("tcp", false, started, e.to_string());
            Err(format!(
                "nothing answers on {first}: check the port, or a firewall between you and \
                 the server"
            ))
        }
    }
}

/// The server's features that matter, in words.
fn features(control: &FtpVfs) -> String {
    // MLSD is announced as MLST; AUTH TLS as AUTH.
    let mut words = [
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
    .join(", ");
    if !control.site().protocol.is_tls() && control.has_feature("AUTH") {
        words.push_str(
            "; the server offers TLS (AUTH TLS): explicit TLS (ftpes://) would protect the \
             password",
        );
    }
    words
}
