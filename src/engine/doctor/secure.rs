//! The doctor's greeting and TLS steps: the greeting, AUTH TLS (or implicit TLS), the protocol
//! version, cipher and certificate; when the site's kind of TLS fails, the other kind on its
//! usual port, suggested when it works. Never falls back to plain text.

use std::net::SocketAddr;
use std::time::Instant;

use tokio::net::TcpStream;

use super::probe::{self, ProbeError, TlsSeen};
use super::{Probe, Steps};
use crate::model::site::{Protocol, Site};

/// What the TLS steps decided: the site the other steps test (its protocol and port may have
/// changed), and the words for the verdict when they did.
pub struct Secured {
    /// The site to log in to.
    pub site: Site,
    /// "use implicit TLS (ftps://) on port 990" when the other kind of TLS is what works.
    pub switched: Option<String>,
}

/// Greeting and TLS over `tcp` (already connected to `addr`); `Err` is the verdict when the
/// doctor cannot go on.
pub async fn secure(
    site: &Site,
    tcp: TcpStream,
    addr: SocketAddr,
    probe: &Probe,
    steps: &mut Steps<'_>,
) -> Result<Secured, String> {
    let kept = |site: &Site| Secured {
        site: site.clone(),
        switched: None,
    };
    match site.protocol {
        Protocol::Ftp => {
            greeting(tcp, site, steps).await?;
            Ok(kept(site))
        }
        Protocol::ExplicitTls => {
            let greeted = greeting(tcp, site, steps).await?;
            let started = Instant::now();
            match probe::explicit_retrying(greeted, addr, site, site.timeout).await {
                Ok(seen) => {
                    steps.push("tls", true, started, describe("AUTH TLS accepted", &seen));
                    Ok(kept(site))
                }
                Err(ProbeError::Untrusted(seen)) => {
                    steps.push("tls", false, started, untrusted_detail(&seen));
                    Err(untrusted_verdict(site, &seen))
                }
                Err(e) => {
                    let refused = match &e {
                        ProbeError::Refused { code, text } => {
                            format!("the server refused AUTH TLS ({code} {text})")
                        }
                        other => other.to_string(),
                    };
                    steps.push("tls", false, started, refused.clone());
                    other_kind(
                        site,
                        addr,
                        Protocol::ImplicitTls,
                        probe.implicit_port,
                        steps,
                    )
                    .await
                    .map_err(|why| no_tls_verdict(&refused, &why))
                }
            }
        }
        Protocol::ImplicitTls => {
            let started = Instant::now();
            match probe::implicit(tcp, site, site.timeout).await {
                Ok((seen, code, text)) => {
                    steps.push("tls", true, started, describe("implicit TLS", &seen));
                    greeting_step(code, &text, Instant::now(), steps)?;
                    Ok(kept(site))
                }
                Err(ProbeError::Untrusted(seen)) => {
                    steps.push("tls", false, started, untrusted_detail(&seen));
                    Err(untrusted_verdict(site, &seen))
                }
                Err(e) => {
                    let failed = format!("implicit TLS failed: {e}");
                    steps.push("tls", false, started, failed.clone());
                    other_kind(
                        site,
                        addr,
                        Protocol::ExplicitTls,
                        probe.explicit_port,
                        steps,
                    )
                    .await
                    .map_err(|why| no_tls_verdict(&failed, &why))
                }
            }
        }
    }
}

/// Reads the greeting on a plain connection as the `greeting` step.
async fn greeting(
    tcp: TcpStream,
    site: &Site,
    steps: &mut Steps<'_>,
) -> Result<probe::Greeted, String> {
    let started = Instant::now();
    match probe::greet(tcp, site.timeout).await {
        Ok(greeted) => {
            greeting_step(greeted.code, &greeted.text, started, steps)?;
            Ok(greeted)
        }
        Err(e) => {
            steps.push("greeting", false, started, e.to_string());
            Err(format!("the server does not greet: {e}"))
        }
    }
}

/// The `greeting` step for a greeting already read; a greeting other than 220 stops here.
fn greeting_step(
    code: u16,
    text: &str,
    started: Instant,
    steps: &mut Steps<'_>,
) -> Result<(), String> {
    let ok = code == 220;
    steps.push("greeting", ok, started, format!("{code} {text}"));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the server does not accept the session: it greets with {code} {text}"
        ))
    }
}

/// Tries the other kind of TLS (`protocol` on `port`) as the `tls_implicit` or `tls_explicit`
/// step; the site to use when it works, else why not.
async fn other_kind(
    site: &Site,
    addr: SocketAddr,
    protocol: Protocol,
    port: u16,
    steps: &mut Steps<'_>,
) -> Result<Secured, String> {
    let mut other = site.clone();
    other.protocol = protocol;
    other.port = port;
    let target = SocketAddr::new(addr.ip(), port);
    let started = Instant::now();
    let (name, words) = match protocol {
        Protocol::ImplicitTls => ("tls_implicit", "implicit TLS (ftps://)"),
        _ => ("tls_explicit", "explicit TLS (ftpes://)"),
    };
    let tried = async {
        let tcp = probe::connect(target, site.timeout).await?;
        if protocol == Protocol::ImplicitTls {
            let (seen, code, text) = probe::implicit(tcp, &other, site.timeout).await?;
            if code == 220 {
                Ok(seen)
            } else {
                Err(ProbeError::Refused { code, text })
            }
        } else {
            let greeted = probe::greet(tcp, site.timeout).await?;
            probe::explicit_retrying(greeted, target, &other, site.timeout).await
        }
    }
    .await;
    match tried {
        Ok(seen) => {
            let lead = format!("{words} on port {port} works");
            steps.push(name, true, started, describe(&lead, &seen));
            Ok(Secured {
                site: other,
                switched: Some(format!("use {words} on port {port}")),
            })
        }
        Err(ProbeError::Untrusted(seen)) => {
            let detail = format!("{words} on port {port}: {}", untrusted_detail(&seen));
            steps.push(name, false, started, detail);
            Err(format!(
                "{words} on port {port} answers, but {}",
                untrusted_verdict(&other, &seen)
            ))
        }
        Err(e) => {
            let detail = format!("{words} on port {port}: {e}");
            steps.push(name, false, started, detail.clone());
            Err(detail)
        }
    }
}

/// "AUTH TLS accepted; TLS 1.3 (…); certificate …".
fn describe(lead: &str, seen: &TlsSeen) -> String {
    let mut text = format!("{lead}; {} ({})", seen.version, seen.cipher);
    if let Some(cert) = &seen.certificate {
        text = format!("{text}; {}; {}", certificate(&cert.info), cert.trust);
    } else {
        text.push_str("; the session was resumed, no certificate shown");
    }
    text
}

fn untrusted_detail(seen: &crate::engine::ftp::tls::SeenCertificate) -> String {
    format!("{}; {}", certificate(&seen.info), seen.trust)
}

/// Subject, issuer, validity and fingerprint in one line.
fn certificate(info: &crate::protocol::CertificateInfo) -> String {
    let day = |secs: i64| {
        chrono::DateTime::from_timestamp(secs, 0)
            .map_or_else(|| "?".to_owned(), |t| t.format("%Y-%m-%d").to_string())
    };
    format!(
        "certificate for {}, issued by {}, valid {} to {}, SHA-256 {}",
        info.subject,
        info.issuer,
        day(info.not_before),
        day(info.not_after),
        info.fingerprint_colons()
    )
}

fn untrusted_verdict(site: &Site, seen: &crate::engine::ftp::tls::SeenCertificate) -> String {
    let url = format!("{}://{}", site.protocol.scheme(), site.authority());
    format!(
        "the server's certificate is not trusted ({}): if its SHA-256 fingerprint is the one \
         your server's admin gives, trust it (Always trust in the window, or skiff trust {url} \
         {}) and test again",
        seen.info.reason, seen.info.sha256
    )
}

fn no_tls_verdict(first: &str, other: &str) -> String {
    format!(
        "no TLS works here: {first}, and {other}. Skiff never falls back to plain text: use \
         ftp:// only if you accept that the password and files travel unencrypted"
    )
}
