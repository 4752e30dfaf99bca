//! Log output: JSON lines for machines, readable lines on a terminal. Each
//! line of a request carries its `request_id` from the request span.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Installs the global subscriber. An invalid filter falls back to `info`
/// with a warning, rather than silencing the logs.
pub fn init(config: &LogConfig) {
    let (filter, filter_error) = match EnvFilter::try_new(&config.log) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    let json = match config.log_format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        builder.init();
    }
    if let Some(error) = filter_error {
        tracing::warn!(filter = %config.log, %error, "invalid log filter; using `info`");
    }
}
