//! The doctor's data-connection trials: a LIST in each mode (EPSV, PASV, active), each on its
//! own control connection and bounded, saying which port was used, whether the server named
//! another address (NAT), what active mode announced and whether the server connected back,
//! and, with TLS, whether the data connection resumed the control connection's session. Then
//! a throughput sample in the first mode that worked. One connection at a time, so a server
//! that allows few connections per address is tested as it is.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;

use super::Steps;
use crate::engine::error::EngineError;
use crate::engine::ftp::tls::TrustCheck;
use crate::engine::ftp::{FtpVfs, bounded};
use crate::engine::log::LogSink;
use crate::model::entry::{Entry, EntryKind};
use crate::model::site::{DataMode, Site};

/// How long one data-connection test may take (its connect, login and LIST; active mode's
/// wait for the server's reply and connection back is half of it).
pub const DATA_STEP_LIMIT: Duration = Duration::from_secs(8);
/// The throughput sample reads at most this long.
const SAMPLE_LIMIT: Duration = Duration::from_secs(3);
/// The smallest file worth a throughput sample.
const SAMPLE_MIN_SIZE: u64 = 1024 * 1024;

/// What the trials found.
#[derive(Default)]
pub struct Trials {
    /// The first mode that worked (`epsv`, `pasv`, `active`).
    pub working: Option<&'static str>,
    /// Why active mode failed, when the server could not connect back (for the verdict).
    pub active_blocked: Option<String>,
    /// Whether each mode worked: EPSV, PASV, active.
    pub worked: [bool; 3],
}

/// Lines of the connection's own log the trial reads: the address used, the address the
/// server named, what active mode announced.
#[derive(Default)]
struct Seen {
    opened: Option<String>,
    named_elsewhere: Option<String>,
    announced: Option<String>,
    connected_back: Option<String>,
}

fn watch(log: &LogSink) -> (LogSink, Arc<Mutex<Seen>>) {
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let into = Arc::clone(&seen);
    let outer = log.clone();
    let watching = LogSink::new(move |kind, text| {
        if let Ok(mut seen) = into.lock() {
            if let Some(rest) = text.strip_prefix("Opening data connection to ") {
                seen.opened = Some(rest.to_owned());
            } else if text.starts_with("The server named") {
                seen.named_elsewhere = Some(text.clone());
            } else if let Some(rest) = text.strip_prefix("Active mode: listening on ") {
                seen.announced = rest.split(',').next().map(str::to_owned);
            } else if let Some(rest) = text.strip_prefix("The server connected back from ") {
                seen.connected_back = Some(rest.to_owned());
            }
        }
        outer.line(kind, text);
    });
    (watching, seen)
}

/// The port of `host:port` text.
fn port_of(addr: &str) -> Option<u16> {
    addr.rsplit(':').next().and_then(|p| p.parse().ok())
}

/// Runs the trials, then the throughput sample in the first mode that worked.
pub async fn trials(site: &Site, log: &LogSink, steps: &mut Steps<'_>) -> Trials {
    let mut found = Trials::default();
    let mut first: Option<(Site, Vec<Entry>)> = None;
    for (index, (name, mode)) in [
        ("epsv", DataMode::ExtendedPassive),
        ("pasv", DataMode::Passive),
        ("active", DataMode::Active),
    ]
    .into_iter()
    .enumerate()
    {
        let mut trial = site.clone();
        trial.data_mode = mode;
        trial.timeout = trial.timeout.min(DATA_STEP_LIMIT / 2);
        let started = Instant::now();
        let (watching, seen) = watch(log);
        let limit = DATA_STEP_LIMIT + Duration::from_secs(2);
        let listed = bounded(limit, "testing a data connection", async {
            let mut vfs = FtpVfs::connect(&trial, watching).await?;
            let before = vfs.trust_check().map(TrustCheck::full_handshakes);
            let home = vfs.home().clone();
            let entries = vfs.list(&home).await?;
            let after = vfs.trust_check().map(TrustCheck::full_handshakes);
            vfs.quit().await;
            Ok::<_, EngineError>((entries, before.zip(after)))
        })
        .await
        .and_then(|r| r);
        let seen = seen
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        match listed {
            Ok((entries, handshakes)) => {
                found.worked[index] = true;
                found.working = found.working.or(Some(name));
                let detail = success(mode, &seen, entries.len(), handshakes);
                let port = port_of_mode(mode, &seen);
                steps.push_port(name, true, started, detail, port);
                if first.is_none() {
                    first = Some((trial, entries));
                }
            }
            Err(e) => {
                let detail = failure(mode, &seen, &e, started.elapsed());
                if mode == DataMode::Active && detail.contains("blocks") {
                    found.active_blocked = Some(detail.clone());
                }
                let port = port_of_mode(mode, &seen);
                steps.push_port(name, false, started, detail, port);
            }
        }
    }
    if let Some((trial, entries)) = first {
        sample(&trial, &entries, log, steps).await;
    }
    found
}

fn port_of_mode(mode: DataMode, seen: &Seen) -> Option<u16> {
    let addr = if mode == DataMode::Active {
        seen.announced.as_deref()
    } else {
        seen.opened.as_deref().or(seen.named_elsewhere.as_deref())
    };
    addr.and_then(port_of)
}

fn success(
    mode: DataMode,
    seen: &Seen,
    count: usize,
    handshakes: Option<(usize, usize)>,
) -> String {
    let mut parts = Vec::new();
    if mode == DataMode::Active {
        if let Some(addr) = &seen.announced {
            parts.push(format!("Skiff announced {addr} (PORT/EPRT)"));
        }
        if let Some(from) = &seen.connected_back {
            parts.push(format!("the server connected back from {from}"));
        }
    } else if let Some(line) = &seen.named_elsewhere {
        parts.push(format!(
            "{line}: the server names a private address; it is behind NAT; Skiff connects to \
             the server's own address instead"
        ));
    } else if let Some(addr) = &seen.opened {
        parts.push(format!("data connection to {addr}"));
    }
    parts.push(format!("listing of {count} entries arrived"));
    match handshakes {
        Some((before, after)) if before == after => parts
            .push("the data connection resumed the control connection's TLS session".to_owned()),
        Some(_) => parts.push(
            "the data connection made a new TLS handshake: the server did not resume the \
             session (servers that require reuse would refuse this)"
                .to_owned(),
        ),
        None => {}
    }
    parts.join("; ")
}

fn failure(mode: DataMode, seen: &Seen, error: &EngineError, waited: Duration) -> String {
    if mode != DataMode::Active {
        return match &seen.opened {
            Some(addr) => format!("data connection to {addr}: {error}"),
            None => error.to_string(),
        };
    }
    let announced = seen
        .announced
        .as_ref()
        .map(|addr| format!("Skiff announced {addr} (PORT/EPRT); "))
        .unwrap_or_default();
    let blocked = "your firewall or router blocks the server's connection back to you";
    let why = match error {
        EngineError::DataConnection(_) | EngineError::Timeout { .. } => format!(
            "the server did not connect back within {:.0} s: {blocked}",
            waited.as_secs_f64()
        ),
        EngineError::Server {
            code: 425, text, ..
        } => {
            format!("the server could not connect back ({text}): {blocked}")
        }
        EngineError::Server { code, text, .. } => {
            format!("the server refuses active mode ({code} {text})")
        }
        other => other.to_string(),
    };
    format!("{announced}{why}")
}

/// Reads the largest file of 1 MiB or more in the home folder's listing for at most 3 s, on a
/// connection of its own (`site` has the mode that worked), and reports the rate.
async fn sample(site: &Site, entries: &[Entry], log: &LogSink, steps: &mut Steps<'_>) {
    let biggest = entries
        .iter()
        .filter(|e| e.kind == EntryKind::File && e.size.unwrap_or(0) >= SAMPLE_MIN_SIZE)
        .max_by_key(|e| e.size);
    let Some(file) = biggest else {
        return;
    };
    let started = Instant::now();
    let mut read: u64 = 0;
    let limit = SAMPLE_LIMIT + DATA_STEP_LIMIT;
    let outcome = bounded(limit, "the throughput sample", async {
        let mut vfs = FtpVfs::connect(site, log.clone()).await?;
        let path = vfs.home().join(&file.name);
        let mut stream = vfs.open_read(&path, 0).await?;
        let mut buffer = vec![0u8; 256 * 1024];
        let deadline = tokio::time::Instant::now() + SAMPLE_LIMIT;
        loop {
            match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
                Err(_) | Ok(Ok(0)) => break,
                Ok(Ok(n)) => read += n as u64,
                Ok(Err(e)) => {
                    return Err(EngineError::Disconnected(format!("reading {path}: {e}")));
                }
            }
        }
        // The sample may stop mid-file: the connection is dropped, not reused.
        drop(stream);
        drop(vfs);
        Ok(())
    })
    .await
    .and_then(|r| r);
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    // Exact below 2^52 bytes; a 3-second sample is far below.
    #[allow(clippy::cast_precision_loss)]
    let mib = read as f64 / (1024.0 * 1024.0);
    match outcome {
        Ok(()) => {
            let detail = format!(
                "{:.1} MiB/s ({mib:.1} MiB of {} in {seconds:.2} s)",
                mib / seconds,
                file.name
            );
            steps.push("throughput", true, started, detail);
        }
        Err(e) => {
            steps.push("throughput", false, started, e.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocked_connect_back_is_said_in_words_with_what_was_announced() {
        let seen = Seen {
            announced: Some("127.0.0.1:40123".to_owned()),
            ..Seen::default()
        };
        let error = EngineError::DataConnection("timed out".to_owned());
        let detail = failure(DataMode::Active, &seen, &error, Duration::from_secs(3));
        assert!(
            detail.starts_with("Skiff announced 127.0.0.1:40123"),
            "{detail}"
        );
        assert!(
            detail.contains("your firewall or router blocks"),
            "{detail}"
        );
        assert_eq!(port_of_mode(DataMode::Active, &seen), Some(40123));
        let refused = EngineError::Server {
            action: "LIST".to_owned(),
            code: 500,
            text: "PORT not allowed".to_owned(),
        };
        let detail = failure(DataMode::Active, &seen, &refused, Duration::from_secs(3));
        assert!(detail.contains("refuses active mode (500"), "{detail}");
    }

    #[test]
    fn tls_session_reuse_is_read_from_the_handshake_count() {
        let seen = Seen::default();
        let resumed = success(DataMode::Passive, &seen, 2, Some((1, 1)));
        assert!(resumed.contains("resumed"), "{resumed}");
        let fresh = success(DataMode::Passive, &seen, 2, Some((1, 2)));
        assert!(fresh.contains("new TLS handshake"), "{fresh}");
        assert!(!success(DataMode::Passive, &seen, 2, None).contains("TLS"));
    }
}
