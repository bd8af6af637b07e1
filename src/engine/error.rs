//! `EngineError`: what went wrong, in a user's words, keeping the server's reply code.

use std::time::Duration;

use crate::protocol::{ErrorKind, ErrorReport};

/// Every failure the engine reports.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The server could not be reached.
    #[error(
        "cannot connect to {address}: {reason} (check the host name and port, and that the server is running)"
    )]
    Connect {
        /// host:port
        address: String,
        /// What the system said.
        reason: String,
    },
    /// The server refused the login.
    #[error("login refused by the server ({code} {text}): check the user name and password")]
    Auth {
        /// Reply code (530 usually).
        code: u16,
        /// Reply text.
        text: String,
    },
    /// TLS could not be set up, or was refused.
    #[error("TLS failed: {0}")]
    Tls(String),
    /// The server answered a command with an error code.
    #[error("{action} failed: the server answered {code} {text}")]
    Server {
        /// What Skiff was doing (`"DELE /a.txt"`).
        action: String,
        /// Reply code.
        code: u16,
        /// Reply text.
        text: String,
    },
    /// The server broke the protocol or one of Skiff's limits.
    #[error("the server sent something Skiff cannot accept: {0}")]
    Protocol(String),
    /// A data connection could not be opened.
    #[error("{0}")]
    DataConnection(String),
    /// A network wait ran out.
    #[error("no answer from the server within {} s while {action} (the connection may be down; try again, or raise --timeout)", .after.as_secs())]
    Timeout {
        /// What Skiff was waiting for.
        action: String,
        /// How long it waited.
        after: Duration,
    },
    /// The connection dropped.
    #[error(
        "the connection was lost while {0}; what arrived so far is kept, and the transfer can be resumed"
    )]
    Disconnected(String),
    /// A local file or folder problem.
    #[error("{path}: {reason}")]
    Local {
        /// The local path.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// The server's certificate is not trusted by the system nor by the user.
    #[error("{}", untrusted_message(.0))]
    UntrustedCertificate(Box<crate::protocol::CertificateInfo>),
    /// The target exists and the request did not allow replacing it.
    #[error("{0} already exists: use --overwrite to replace it or --resume to continue it")]
    Exists(String),
    /// The user cancelled.
    #[error("cancelled")]
    Cancelled,
    /// Some files of a multi-file transfer failed.
    #[error("{failed} of {total} files failed; the first: {first}")]
    Partial {
        /// How many failed.
        failed: usize,
        /// How many were tried.
        total: usize,
        /// The first failure.
        first: Box<EngineError>,
    },
    /// The request makes no sense.
    #[error("{0}")]
    Invalid(String),
}

/// Engine results.
pub type EngineResult<T> = Result<T, EngineError>;

impl EngineError {
    /// The server's reply code, when the server refused something.
    #[must_use]
    pub fn code(&self) -> Option<u16> {
        match self {
            Self::Auth { code, .. } | Self::Server { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The category a front end reacts to.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Connect { .. } => ErrorKind::Connect,
            Self::Auth { .. } => ErrorKind::Auth,
            Self::Tls(_) => ErrorKind::Tls,
            Self::Server { .. } => ErrorKind::Server,
            Self::Protocol(_) => ErrorKind::Protocol,
            Self::DataConnection(_) => ErrorKind::DataConnection,
            Self::Timeout { .. } => ErrorKind::Timeout,
            Self::Disconnected(_) => ErrorKind::Disconnected,
            Self::Local { .. } => ErrorKind::Local,
            Self::Exists(_) => ErrorKind::Exists,
            Self::UntrustedCertificate(_) => ErrorKind::Certificate,
            Self::Cancelled => ErrorKind::Cancelled,
            Self::Invalid(_) => ErrorKind::Invalid,
            Self::Partial { first, .. } => first.kind(),
        }
    }

    /// True when retrying on a fresh connection may help (the queue's retry rule).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Timeout { .. } | Self::Disconnected(_) | Self::DataConnection(_)
        ) || matches!(self.code(), Some(code) if (400..500).contains(&code))
    }

    /// A local I/O error on `path`.
    #[must_use]
    pub fn local(path: &std::path::Path, err: &std::io::Error) -> Self {
        Self::Local {
            path: path.display().to_string(),
            reason: local_reason(err),
        }
    }

    /// The form that crosses the channel.
    #[must_use]
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            kind: self.kind(),
            message: self.to_string(),
            code: self.code(),
        }
    }
}

fn local_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::StorageFull => {
            "the disk is full: free some space, then resume".to_owned()
        }
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        _ => err.to_string(),
    }
}

fn untrusted_message(info: &crate::protocol::CertificateInfo) -> String {
    if info.changed {
        format!(
            "the certificate of {}:{} CHANGED since you trusted it (now SHA-256 {}): someone may              be intercepting the connection",
            info.host,
            info.port,
            info.fingerprint_colons()
        )
    } else {
        format!(
            "the server's certificate is not trusted ({}); SHA-256 {}",
            info.reason,
            info.fingerprint_colons()
        )
    }
}
