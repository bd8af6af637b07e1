//! Data connections: which mode a session uses, the passive connector that always dials the
//! control connection's peer (whatever address PASV names), and the words for a failed mode.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use suppaftp::{FtpError, Mode};

use crate::engine::error::EngineError;
use crate::engine::log::LogSink;
use crate::model::site::DataMode;

/// The suppaftp mode a session starts with for `mode` (`Auto` starts with EPSV).
#[must_use]
pub fn initial_mode(mode: DataMode) -> Mode {
    match mode {
        DataMode::Passive => Mode::Passive,
        DataMode::Auto | DataMode::ExtendedPassive => Mode::ExtendedPassive,
        DataMode::Active => Mode::Active,
    }
}

/// A passive-mode connector for suppaftp: dials `peer`'s IP at the port the server named,
/// never the host a PASV reply names, logs both, and gives up after `timeout`.
pub fn passive_connector(
    peer: IpAddr,
    timeout: Duration,
    log: LogSink,
) -> impl Fn(
    SocketAddr,
) -> std::pin::Pin<
    Box<dyn Future<Output = suppaftp::FtpResult<tokio::net::TcpStream>> + Send + Sync>,
> + Send
+ Sync
+ 'static {
    move |named: SocketAddr| {
        let target = SocketAddr::new(peer, named.port());
        if named.ip() == peer {
            log.info(format!("Opening data connection to {target}"));
        } else {
            log.info(format!(
                "The server named {named} for the data connection; connecting to the server's \
                 own address {target} instead"
            ));
        }
        Box::pin(async move {
            match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(target)).await {
                Ok(Ok(stream)) => {
                    // Small reads and writes on a data socket must not wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    Ok(stream)
                }
                Ok(Err(err)) => Err(FtpError::ConnectionError(err)),
                Err(_) => Err(FtpError::ConnectionError(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "no data connection to {target} within {} s",
                        timeout.as_secs()
                    ),
                ))),
            }
        })
    }
}

/// True when a reply code means "this command is not understood", so `Auto` may switch from
/// EPSV to PASV.
#[must_use]
pub fn is_not_supported(code: u16) -> bool {
    matches!(code, 500 | 501 | 502 | 504)
}

/// The words for a data connection that failed in `mode`.
#[must_use]
pub fn explain_failure(mode: Mode, detail: &str) -> EngineError {
    match mode {
        Mode::Active => EngineError::DataConnection(format!(
            "active mode failed: the server could not connect back to this machine ({detail}). \
             A firewall or NAT router usually blocks that connection; use passive mode \
             (--mode pasv) instead"
        )),
        Mode::Passive | Mode::ExtendedPassive => EngineError::DataConnection(format!(
            "could not open the passive data connection ({detail}); the server's passive port \
             range may be blocked by a firewall: try active mode (--mode active), or ask the \
             server's admin to open the passive ports"
        )),
    }
}
