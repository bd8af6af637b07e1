//! The doctor's own probe connection: the greeting, AUTH TLS and the TLS handshake read
//! directly (not through suppaftp), so it can say what the server answered, which TLS version
//! and cipher it chose and which certificate it showed, even when a normal connect would just
//! fail. Every read is bounded in time and size.

use std::net::SocketAddr;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::engine::ftp::tls::{SeenCertificate, client_config};
use crate::engine::ftp::{GARBLED_HANDSHAKE_TRIES, garbled_pause};
use crate::model::site::Site;

/// The longest reply line read (a hostile server may send 1 MiB).
const MAX_LINE: u64 = 8 * 1024;
/// The most lines in one reply.
const MAX_LINES: usize = 64;

/// Why a probe stopped.
#[derive(Debug)]
pub enum ProbeError {
    /// Nothing answered in time, or the connection failed.
    Unreachable(String),
    /// The server answered something else than expected (`AUTH TLS` refused, a 421 greeting).
    Refused {
        /// The reply code.
        code: u16,
        /// The reply text.
        text: String,
    },
    /// The certificate was not trusted (what it was is in the check).
    Untrusted(SeenCertificate),
    /// The TLS handshake or the conversation failed otherwise.
    Failed(String),
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(why) | Self::Failed(why) => f.write_str(why),
            Self::Refused { code, text } => write!(f, "the server answered {code} {text}"),
            Self::Untrusted(seen) => write!(f, "the certificate is {}", seen.trust),
        }
    }
}

/// What a TLS handshake showed.
#[derive(Debug, Clone)]
pub struct TlsSeen {
    /// `TLS 1.3`.
    pub version: String,
    /// The cipher suite.
    pub cipher: String,
    /// The server's certificate and whether it is trusted.
    pub certificate: Option<SeenCertificate>,
}

/// A plain control connection opened and its greeting read.
pub struct Greeted {
    reader: BufReader<TcpStream>,
    /// The greeting's code.
    pub code: u16,
    /// The greeting's text.
    pub text: String,
}

/// A TCP connection to `addr` within `limit`.
pub async fn connect(addr: SocketAddr, limit: Duration) -> Result<TcpStream, ProbeError> {
    within(limit, "connecting", TcpStream::connect(addr))
        .await?
        .map_err(|e| ProbeError::Unreachable(format!("{addr}: {e}")))
}

/// Reads the greeting on a plain connection (plain FTP or explicit TLS).
pub async fn greet(tcp: TcpStream, limit: Duration) -> Result<Greeted, ProbeError> {
    let mut reader = BufReader::new(tcp);
    let (code, text) = within(limit, "waiting for the greeting", read_reply(&mut reader)).await??;
    Ok(Greeted { reader, code, text })
}

/// `AUTH TLS` on a greeted connection, then the handshake; says what it saw.
pub async fn explicit(
    greeted: Greeted,
    site: &Site,
    limit: Duration,
) -> Result<TlsSeen, ProbeError> {
    explicit_after(greeted, site, limit, Duration::ZERO).await
}

/// [`explicit`], waiting `pause` between the server's `234` and the handshake.
async fn explicit_after(
    mut greeted: Greeted,
    site: &Site,
    limit: Duration,
    pause: Duration,
) -> Result<TlsSeen, ProbeError> {
    within(limit, "sending AUTH TLS", async {
        greeted.reader.get_mut().write_all(b"AUTH TLS\r\n").await
    })
    .await?
    .map_err(|e| ProbeError::Failed(e.to_string()))?;
    let (code, text) = within(limit, "waiting for the reply to AUTH TLS", async {
        read_reply(&mut greeted.reader).await
    })
    .await??;
    if code != 234 {
        return Err(ProbeError::Refused { code, text });
    }
    tokio::time::sleep(pause).await;
    let (mut tls, seen) = handshake(greeted.reader.into_inner(), site, limit).await?;
    let _ = within(limit, "saying goodbye", tls.write_all(b"QUIT\r\n")).await;
    Ok(seen)
}

/// [`explicit`], tried again on a new connection to `addr` when the handshake was garbled:
/// some servers (libunftp among them) race their switch to TLS after `234` and answer the first
/// TLS bytes in plain text, as `FtpVfs::connect` also allows for. Each new try gives the server
/// a little longer to switch (the race is lost most on a busy machine).
pub async fn explicit_retrying(
    greeted: Greeted,
    addr: SocketAddr,
    site: &Site,
    limit: Duration,
) -> Result<TlsSeen, ProbeError> {
    let mut outcome = explicit(greeted, site, limit).await;
    for attempt in 1..GARBLED_HANDSHAKE_TRIES {
        match &outcome {
            Err(ProbeError::Failed(why)) if why.contains("InvalidContentType") => {
                let again = greet(connect(addr, limit).await?, limit).await?;
                let pause = garbled_pause(attempt);
                outcome = explicit_after(again, site, limit, pause).await;
            }
            _ => break,
        }
    }
    outcome
}

/// Implicit TLS on a fresh connection, then the greeting over it; what the handshake showed and
/// the greeting.
pub async fn implicit(
    tcp: TcpStream,
    site: &Site,
    limit: Duration,
) -> Result<(TlsSeen, u16, String), ProbeError> {
    let (tls, seen) = handshake(tcp, site, limit).await?;
    let mut reader = BufReader::new(tls);
    let (code, text) = within(limit, "waiting for the greeting", read_reply(&mut reader)).await??;
    let _ = within(
        limit,
        "saying goodbye",
        reader.get_mut().write_all(b"QUIT\r\n"),
    )
    .await;
    Ok((seen, code, text))
}

/// The TLS handshake with the session's own verifier (system roots, the certificate the user
/// trusted, or --insecure).
async fn handshake(
    tcp: TcpStream,
    site: &Site,
    limit: Duration,
) -> Result<(tokio_rustls::client::TlsStream<TcpStream>, TlsSeen), ProbeError> {
    let (config, check) = client_config(site).map_err(|e| ProbeError::Failed(e.to_string()))?;
    let name = ServerName::try_from(site.host.clone())
        .map_err(|e| ProbeError::Failed(format!("{} is not a valid TLS name: {e}", site.host)))?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let done = within(limit, "the TLS handshake", connector.connect(name, tcp)).await?;
    let tls = match done {
        Ok(tls) => tls,
        Err(e) => {
            return Err(match check.seen() {
                Some(seen) if !seen.trusted => ProbeError::Untrusted(seen),
                _ => ProbeError::Failed(format!("the TLS handshake failed: {e}")),
            });
        }
    };
    let (_, connection) = tls.get_ref();
    let version = match connection.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_owned(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_owned(),
        Some(other) => format!("{other:?}"),
        None => "TLS".to_owned(),
    };
    let cipher = connection
        .negotiated_cipher_suite()
        .map(|suite| format!("{:?}", suite.suite()))
        .unwrap_or_default();
    let seen = TlsSeen {
        version,
        cipher,
        certificate: check.seen(),
    };
    Ok((tls, seen))
}

/// Reads one FTP reply (all lines of a multi-line one); lines longer than [`MAX_LINE`] or more
/// than [`MAX_LINES`] lines are an error, not a wait.
pub async fn read_reply<R: AsyncBufRead + AsyncRead + Unpin>(
    reader: &mut R,
) -> Result<(u16, String), ProbeError> {
    let mut first_code = None;
    let mut text = Vec::new();
    for _ in 0..MAX_LINES {
        let mut line = Vec::new();
        let read = (&mut *reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| ProbeError::Failed(e.to_string()))?;
        if read == 0 {
            return Err(ProbeError::Failed(
                "the server closed the connection".to_owned(),
            ));
        }
        if !line.ends_with(b"\n") {
            return Err(ProbeError::Failed(format!(
                "the server sent a reply line longer than {MAX_LINE} bytes"
            )));
        }
        let line = String::from_utf8_lossy(&line).trim_end().to_owned();
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok());
        let last = code.is_some() && line.as_bytes().get(3) != Some(&b'-');
        let code = code.or(first_code);
        if first_code.is_none() {
            first_code = code;
        }
        text.push(crate::model::path::escape_control(
            line.get(4..).unwrap_or_default(),
        ));
        if last && code == first_code {
            let code = first_code.unwrap_or_default();
            return Ok((code, text.join(" ").trim().to_owned()));
        }
    }
    Err(ProbeError::Failed(format!(
        "the server sent a reply of more than {MAX_LINES} lines"
    )))
}

/// `fut` within `limit`; running out says what was being waited for.
async fn within<F: Future>(limit: Duration, what: &str, fut: F) -> Result<F::Output, ProbeError> {
    tokio::time::timeout(limit, fut).await.map_err(|_| {
        ProbeError::Unreachable(format!(
            "no answer within {} s while {what}",
            limit.as_secs()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn reply_of(bytes: &[u8]) -> Result<(u16, String), ProbeError> {
        let mut reader = BufReader::new(bytes);
        read_reply(&mut reader).await
    }

    #[tokio::test]
    async fn single_and_multi_line_replies_are_read_whole() {
        let (code, text) = reply_of(b"220 hello\r\n").await.unwrap();
        assert_eq!((code, text.as_str()), (220, "hello"));
        let (code, text) = reply_of(b"220-welcome\r\n to here\r\n220 ready\r\nNEXT")
            .await
            .unwrap();
        assert_eq!(code, 220);
        assert!(
            text.contains("welcome") && text.ends_with("ready"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_huge_line_or_a_closed_connection_is_an_error_not_a_wait() {
        let huge = vec![b'2'; 1024 * 1024];
        assert!(matches!(reply_of(&huge).await, Err(ProbeError::Failed(_))));
        assert!(matches!(reply_of(b"").await, Err(ProbeError::Failed(_))));
        assert!(matches!(
            reply_of(b"220-a\r\n").await,
            Err(ProbeError::Failed(_))
        ));
    }
}
