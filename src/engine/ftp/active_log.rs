//! What suppaftp says about active-mode data connections (the address it listens on and sends
//! with PORT/EPRT, who connected back) reaches Skiff only through the `log` facade. A logger
//! passes those lines to the message log of the connection whose task is running, so the log
//! and the connection doctor show the address and port Skiff announced.

use crate::engine::log::LogSink;

tokio::task_local! {
    /// The message log of the connection opening a data connection on this task.
    static CURRENT: LogSink;
}

/// Runs `fut` with `log` receiving suppaftp's active-mode lines (installs the logger once).
pub async fn with_log<F: Future>(log: LogSink, fut: F) -> F::Output {
    install();
    CURRENT.scope(log, fut).await
}

fn install() {
    static LOGGER: ActiveModeLines = ActiveModeLines;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Another logger may already be installed (then these lines are its business).
        if log::set_logger(&LOGGER).is_ok() {
            log::set_max_level(log::LevelFilter::Debug);
        }
    });
}

/// The lines that matter, in Skiff's words; everything else is dropped.
fn translate(message: &str) -> Option<String> {
    if let Some(addr) = message.strip_prefix("Active mode, listening on ") {
        return Some(format!(
            "Active mode: listening on {addr}, announced to the server with PORT/EPRT"
        ));
    }
    if let Some(addr) = message.strip_prefix("Connection received from ") {
        return Some(format!("The server connected back from {addr}"));
    }
    if let Some(addr) = message.strip_prefix("Ignoring data connection from unexpected ") {
        return Some(format!(
            "Ignored a data connection from {addr}: it is not the server"
        ));
    }
    None
}

struct ActiveModeLines;

impl log::Log for ActiveModeLines {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("suppaftp")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let message = record.args().to_string();
        if let Some(line) = translate(&message) {
            let _ = CURRENT.try_with(|log| log.info(line));
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn the_listening_address_and_the_connect_back_are_said_and_the_rest_dropped() {
        assert_eq!(
            translate("Active mode, listening on 127.0.0.1:40123").as_deref(),
            Some(
                "Active mode: listening on 127.0.0.1:40123, announced to the server with PORT/EPRT"
            )
        );
        assert_eq!(
            translate("Connection received from 127.0.0.1:20").as_deref(),
            Some("The server connected back from 127.0.0.1:20")
        );
        assert_eq!(translate("Running PORT command"), None);
    }
}
