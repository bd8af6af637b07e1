//! FTP replies and errors: codes and texts out of suppaftp's responses, and suppaftp's errors
//! in Skiff's words.

use std::time::Duration;

use suppaftp::FtpError;
use suppaftp::types::Response;

use super::{listing, tls};
use crate::engine::error::EngineError;

pub(super) fn connect_failure(
    err: FtpError,
    connect_error: &dyn Fn(String) -> EngineError,
) -> EngineError {
    match err {
        FtpError::SecureError(reason) => tls::explain(&reason),
        FtpError::ConnectionError(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            EngineError::Protocol(format!("the server's greeting is unusable ({io})"))
        }
        FtpError::ConnectionError(io) => connect_error(io.to_string()),
        FtpError::UnexpectedResponse(r) => {
            connect_error(format!("the server is not ready ({})", reply_text(&r)))
        }
        other => connect_error(other.to_string()),
    }
}

/// Maps suppaftp's errors to Skiff's, keeping reply codes.
pub(super) fn map_error(err: FtpError, action: &str, timeout: Duration) -> EngineError {
    match err {
        FtpError::UnexpectedResponse(reply) => EngineError::Server {
            action: action.to_owned(),
            code: reply_code(&reply),
            text: reply_text(&reply),
        },
        FtpError::SecureError(reason) => tls::explain(&reason),
        FtpError::ConnectionError(io) => match io.kind() {
            std::io::ErrorKind::TimedOut => EngineError::Timeout {
                action: action.to_owned(),
                after: timeout,
            },
            std::io::ErrorKind::InvalidData => {
                EngineError::Protocol(format!("{io} (during {action})"))
            }
            _ => EngineError::Disconnected(format!("{action} ({io})")),
        },
        FtpError::BadResponse => EngineError::Protocol(format!("a malformed reply to {action}")),
        other => EngineError::Protocol(format!("{other} (during {action})")),
    }
}

/// The three-digit code at the start of a reply (0 when there is none).
pub(super) fn reply_code(reply: &Response) -> u16 {
    let code = reply.status.code();
    if code != 0 {
        return u16::try_from(code).unwrap_or(0);
    }
    std::str::from_utf8(reply.body.get(..3).unwrap_or_default())
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// The reply's text after the code, of the last line, control characters escaped.
pub(super) fn reply_text(reply: &Response) -> String {
    let full = String::from_utf8_lossy(&reply.body);
    let last = full.trim_end().lines().last().unwrap_or_default();
    let text = last.get(4..).unwrap_or(last);
    listing::escape_control(text)
}

/// The whole reply as sent (for the log).
pub(super) fn reply_text_full(reply: &Response) -> String {
    String::from_utf8_lossy(&reply.body).trim_end().to_owned()
}

/// The command's verb, for messages (`PASS` never shows its argument).
pub(super) fn verb(command: &str) -> &str {
    command.split(' ').next().unwrap_or(command)
}

/// The folder in a `257 "/path" is current` reply (`""` inside quotes is one quote).
pub(super) fn parse_pwd(text: &str) -> String {
    let Some(start) = text.find('"') else {
        return "/".to_owned();
    };
    let mut out = String::new();
    let mut chars = text[start + 1..].chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if chars.peek() == Some(&'"') {
                out.push('"');
                chars.next();
            } else {
                break;
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pwd_replies() {
        assert_eq!(
            parse_pwd("\"/home/ann\" is the current directory"),
            "/home/ann"
        );
        assert_eq!(parse_pwd("\"/a \"\"b\"\"\" ok"), "/a \"b\"");
        assert_eq!(parse_pwd("no quotes"), "/");
    }
}
