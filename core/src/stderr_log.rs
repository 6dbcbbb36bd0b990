//! `VOICECODE_LOG=error|warn|info|debug|trace`: the log records of voicecode (and of the HTTP
//! stack under it) on standard error, for the layers whose language has no logging the core
//! can hand records to — the C ABI (and the PHP and Java layers over it) and Node. Python
//! forwards records to its `logging` module instead; a Rust program installs its own logger.
//!
//! Records carry no secrets: the core logs URLs without their query and never a body.

use std::io::Write as _;
use std::sync::Once;

use log::{LevelFilter, Log, Metadata, Record};

/// The environment variable read by [`init_from_env`].
pub const ENV: &str = "VOICECODE_LOG";

struct Stderr;

impl Log for Stderr {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            // One write per line, so that lines of concurrent calls do not interleave.
            let line = format!(
                "[{} {}] {}\n",
                record.level(),
                record.target(),
                record.args()
            );
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }

    fn flush(&self) {}
}

/// Installs the standard-error logger at the level `VOICECODE_LOG` names, once per process;
/// does nothing when the variable is unset or another logger is already installed. A value
/// that is not a level is reported once on standard error and ignored.
pub fn init_from_env() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let Some(value) = std::env::var_os(ENV) else {
            return;
        };
        let level = value
            .to_str()
            .and_then(|v| v.trim().parse::<LevelFilter>().ok());
        match level {
            Some(level) => {
                if log::set_logger(&Stderr).is_ok() {
                    log::set_max_level(level);
                }
            }
            None => eprintln!(
                "voicecode: {ENV} must be off, error, warn, info, debug or trace; logging stays off"
            ),
        }
    });
}
