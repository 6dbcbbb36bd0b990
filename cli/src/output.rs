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

/// A command line the flags parser refused: under `--json` the `{"ok":false,…}` shape of an
/// `invalid_input` error naming the flag, so that programs read one shape whatever failed;
/// otherwise clap's own text (help and version too). Exits 2 either way.
pub fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let wants_json = std::env::args_os().any(|arg| arg == "--json");
    let is_help = matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if !wants_json || is_help {
        error.exit();
    }
    // `--play-times <PLAY_TIMES>` → `play_times`: the field name the core's errors use.
    let field = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => Some(arg.as_str()),
        Some(ContextValue::Strings(args)) => args.first().map(String::as_str),
        _ => None,
    }
    .and_then(|arg| arg.split_whitespace().next())
    .map(|flag| flag.trim_start_matches('-').replace('-', "_"))
    .unwrap_or_else(|| "arguments".to_owned());
    let rendered = error.render().to_string();
    let rule = rendered
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    let error = voicecode::Error::invalid_input(&field, rule);
    println!("{}", json!({ "ok": false, "error": error }));
    ExitCode::from(2)
}
