//! What the command prints: one line for people, or `{"ok":…}` JSON for programs.

use std::process::ExitCode;

use serde::Serialize;
use serde_json::json;

/// Prints a result and returns the documented exit status.
pub fn report<T: Serialize>(
    json: bool,
    result: Result<(&str, &T), &voicecode::Error>,
    human: impl Fn(&T) -> String,
) -> ExitCode {
    match result {
        Ok((name, value)) => {
            if json {
                println!("{}", json!({ "ok": true, name: value }));
            } else {
                println!("{}", human(value));
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            if json {
                println!("{}", json!({ "ok": false, "error": error }));
            } else {
                eprintln!(
                    "voicecode: {} ({}, outcome {}): {error}",
                    verb(error),
                    error.kind(),
                    error.outcome()
                );
            }
            crate::exit_code(error)
        }
    }
}

fn verb(error: &voicecode::Error) -> &'static str {
    match error.outcome() {
        voicecode::Outcome::NotSent => "not sent",
        voicecode::Outcome::Refused => "refused",
        voicecode::Outcome::Unknown => "outcome unknown",
    }
}

/// For the commands that print as they go: an error line and status 1.
pub fn report_plain(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("voicecode: {e:#}");
            ExitCode::FAILURE
        }
    }
}
