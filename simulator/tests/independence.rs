//! The simulator checks requests independently of the client: no source under `src/` may use
//! the core's signing, code tables, phone parsing or any other of its logic, so that a mistake
//! in the client cannot pass the simulator's check of it. Of the core it may name only what
//! [`ALLOWED`] lists; everything else reached through `voicecode::` fails this test.

use std::path::{Path, PathBuf};

/// The core items the simulator may use, by the first segment of their path: the vendor and
/// product enums (names, keying demo accounts, faults, balances and the journal), and the error
/// type its library API answers a caller's mistake with. No checking logic.
const ALLOWED: &[&str] = &["Vendor", "Product", "Error"];

/// Every `voicecode::…` path in `source` whose first segment is not allowed, with its line
/// number. Comment lines are skipped (docs may name the client); a `use voicecode as …` alias
/// or a bare `use voicecode;` counts as using everything.
fn forbidden_paths(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = find_crate(rest) {
            let after = &rest[at + "voicecode".len()..];
            match after.strip_prefix("::") {
                Some(path) => {
                    for item in items(path) {
                        let first = item.split("::").next().unwrap_or_default().trim();
                        if !ALLOWED.contains(&first) {
                            found.push((n + 1, format!("voicecode::{item}")));
                        }
                    }
                }
                // `use voicecode;`, `use voicecode as core;`, `extern crate voicecode`.
                None => found.push((n + 1, format!("voicecode{}", after.trim_end()))),
            }
            rest = after;
        }
    }
    found
}

/// Where the crate name `voicecode` starts in `text`, as a whole word (not `voicecode_sim`,
/// nor the `voicecode-sim` of messages).
fn find_crate(text: &str) -> Option<usize> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    text.match_indices("voicecode")
        .map(|(at, _)| at)
        .find(|&at| {
            let before = text[..at].chars().next_back();
            let after = text[at + "voicecode".len()..].chars().next();
            !before.is_some_and(is_name) && !after.is_some_and(is_name)
        })
}

/// The paths named after `voicecode::`: one, or each of a `{…}` group (one level).
fn items(path: &str) -> Vec<String> {
    let end = |text: &str| {
        text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '*'))
            .unwrap_or(text.len())
    };
    match path.strip_prefix('{') {
        Some(group) => {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            group
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        }
        None => vec![path[..end(path)].to_owned()],
    }
}

fn sources(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[test]
fn the_simulator_uses_no_checking_logic_of_the_core() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 10, "the simulator's sources: {files:?}");
    let offences: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            forbidden_paths(&text)
                .into_iter()
                .map(move |(line, path)| format!("{}:{line}: {path}", file.display()))
        })
        .collect();
    assert!(
        offences.is_empty(),
        "the simulator must check requests with its own code, written from \
         docs/protocols/<vendor>.md; of the core only {ALLOWED:?} may be used:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_check_finds_every_way_of_reaching_the_core() {
    let source = r#"
use voicecode::Vendor;
use voicecode::protocol::signing::{ytx_authorization, ytx_sign};
use voicecode::{Vendor, phone::Phone};
use voicecode as core;
    let key = voicecode::phone::Phone::parse("to", number);
    let all = voicecode::Vendor::ALL;
// voicecode::protocol::codes in a comment is fine
use voicecode_sim::Simulator;
use voicecode::*;
    let agent = "voicecode-sim";
"#;
    let found = forbidden_paths(source);
    let expected = [
        (3, "voicecode::protocol::signing::"),
        (4, "voicecode::phone::Phone"),
        (5, "voicecode as core;"),
        (6, "voicecode::phone::Phone::parse"),
        (10, "voicecode::*"),
    ]
    .map(|(line, path)| (line, path.to_owned()));
    assert_eq!(found, expected);
}
