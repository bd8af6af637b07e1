//! `LogSink`: where a connection reports its FTP conversation (commands, replies, notes).

use std::fmt;
use std::sync::Arc;

use crate::protocol::LogKind;

/// A cheap handle that forwards log lines (already masked) to whoever listens.
#[derive(Clone)]
pub struct LogSink(Arc<dyn Fn(LogKind, String) + Send + Sync>);

impl LogSink {
    /// Forwards every line to `f`.
    pub fn new(f: impl Fn(LogKind, String) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Drops every line.
    #[must_use]
    pub fn none() -> Self {
        Self::new(|_, _| {})
    }

    /// A command Skiff sent; `PASS` arguments are masked here, whoever calls.
    pub fn sent(&self, command: &str) {
        (self.0)(LogKind::Sent, mask_command(command));
    }

    /// A reply from the server (each line of a multi-line reply).
    pub fn received(&self, reply: &str) {
        for line in reply.lines() {
            (self.0)(
                LogKind::Received,
                crate::engine::ftp::listing::escape_control(line),
            );
        }
    }

    /// Skiff's own note.
    pub fn info(&self, text: impl Into<String>) {
        (self.0)(LogKind::Info, text.into());
    }

    /// The session changed its data-connection mode (the window offers the doctor).
    pub fn mode_switch(&self, text: impl Into<String>) {
        (self.0)(LogKind::ModeSwitch, text.into());
    }

    /// An error.
    pub fn error(&self, text: impl Into<String>) {
        (self.0)(LogKind::Error, text.into());
    }

    /// Passes on a line another sink already took (and masked), as it is.
    pub fn line(&self, kind: LogKind, text: String) {
        (self.0)(kind, text);
    }
}

impl fmt::Debug for LogSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LogSink")
    }
}

/// `PASS secret` becomes `PASS ****`; everything else is shown as sent.
#[must_use]
pub fn mask_command(command: &str) -> String {
    if command
        .get(..4)
        .is_some_and(|verb| verb.eq_ignore_ascii_case("PASS"))
    {
        "PASS ****".to_owned()
    } else {
        command.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_password() {
        assert_eq!(mask_command("PASS hunter2"), "PASS ****");
        assert_eq!(mask_command("pass hunter2"), "PASS ****");
        assert_eq!(mask_command("USER ann"), "USER ann");
    }
}
