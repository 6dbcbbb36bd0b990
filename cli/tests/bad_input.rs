//! The bad-input corpus (`tests/corpus/bad_input.json`) through `voicecode send --json`: each
//! case exits 2 with `{"ok":false,"error":{…}}` naming the case's kind and field, and nothing
//! reaches the simulator. Requests are given as flags, so the cases the flags cannot express
//! (a JSON type, an unknown key, another operation, a NUL in an argument) are counted as such.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use serde_json::Value;
use voicecode::Vendor;
use voicecode_sim::{SimOptions, Simulator};

fn corpus() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/bad_input.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn text<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {case}"))
}

fn config_bytes(case: &Value, sim_url: &str) -> Vec<u8> {
    if let Some(text) = case["text"].as_str() {
        return text.replace("@SIM@", sim_url).into_bytes();
    }
    if let Some(encoded) = case["text_base64"].as_str() {
        return base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
    }
    let fill = &case["fill"];
    let mut bytes = fill["prefix"].as_str().unwrap_or("").as_bytes().to_vec();
    bytes.extend(
        text(fill, "text")
            .repeat(fill["repeat"].as_u64().unwrap() as usize)
            .bytes(),
    );
    bytes.extend(fill["suffix"].as_str().unwrap_or("").bytes());
    bytes
}

/// The `send` flags for a request, if flags can express it.
fn flags(request: &Value) -> Option<Vec<String>> {
    let object = request.as_object()?;
    let mut flags = Vec::new();
    for (key, value) in object {
        let value = match (key.as_str(), value) {
            ("to" | "code" | "user_data", Value::String(s)) if !s.contains('\0') => s.clone(),
            ("play_times", Value::Number(n)) if n.as_u64().is_some_and(|n| n <= 255) => {
                n.to_string()
            }
            _ => return None,
        };
        // `--code=-482`, not `--code -482`, which reads as an unknown flag.
        flags.push(format!("--{}={value}", key.replace('_', "-")));
    }
    // `to` and `code` are required flags: a request without them is a usage error, not a case.
    (object.contains_key("to") && object.contains_key("code")).then_some(flags)
}

/// The command line for a case, or `None` when flags cannot express it.
fn command(case: &Value, sim: &Simulator, dir: &Path) -> Option<Vec<String>> {
    let id = text(case, "id");
    let url = sim.base_url();
    let (config, request): (PathBuf, Vec<String>) = match text(case, "what") {
        "send" => {
            if text(case, "op") != "send_code" {
                return None;
            }
            let vendor: Vendor = text(case, "vendor").parse().unwrap();
            let product = case["product"].as_str().unwrap_or("voice");
            let product = voicecode::Product::from_arg(product).unwrap();
            let config = sim.product_config_json(vendor, product).unwrap();
            let path = dir.join(format!("{id}.json"));
            std::fs::write(&path, config.to_string()).unwrap();
            (path, flags(&case["request"])?)
        }
        "config" => {
            let path = dir.join(format!("{id}.json"));
            std::fs::write(&path, case["config"].to_string().replace("@SIM@", &url)).unwrap();
            (
                path,
                vec![
                    "--to".into(),
                    "13800138000".into(),
                    "--code".into(),
                    "4821".into(),
                ],
            )
        }
        "config_text" => {
            let path = dir.join(format!("{id}.{}", text(case, "format")));
            std::fs::write(&path, config_bytes(case, &url)).unwrap();
            (
                path,
                vec![
                    "--to".into(),
                    "13800138000".into(),
                    "--code".into(),
                    "4821".into(),
                ],
            )
        }
        other => panic!("unknown case type {other}"),
    };
    let mut args = vec![
        "send".to_owned(),
        "--config".to_owned(),
        config.display().to_string(),
    ];
    args.extend(request);
    args.push("--json".to_owned());
    Some(args)
}

fn run(case: &Value, args: &[String]) -> Option<String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_voicecode"));
    command.args(args);
    for vendor in Vendor::ALL {
        if let Some(key) = vendor.secret_key() {
            // It would fill a secret the case leaves out.
            command.env_remove(format!("VOICECODE_{}", key.to_ascii_uppercase()));
        }
    }
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answer: Value = match serde_json::from_str(&stdout) {
        Ok(answer) => answer,
        Err(e) => return Some(format!("stdout is not JSON ({e}): {stdout:?}")),
    };
    let error = &answer["error"];
    let (kind, field) = (text(case, "kind"), text(case, "field"));
    let right = out.status.code() == Some(2)
        && answer["ok"] == false
        && error["kind"] == kind
        && error["field"] == field
        && error["outcome"] == "not_sent";
    (!right).then(|| {
        format!(
            "expected exit 2 and {kind} on {field}, got exit {:?}: {stdout}",
            out.status.code()
        )
    })
}

#[test]
fn every_bad_input_exits_2_naming_its_field_and_nothing_is_sent() {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases = corpus();
    let runs: Vec<(&Value, Vec<String>)> = cases
        .iter()
        .filter_map(|case| Some((case, command(case, &sim, dir.path())?)))
        .collect();
    // Two at a time: the suite shares two cores.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let halves: Vec<_> = [0, 1]
            .map(|half| {
                let runs = &runs;
                scope.spawn(move || {
                    runs.iter()
                        .skip(half)
                        .step_by(2)
                        .filter_map(|(case, args)| {
                            run(case, args).map(|p| format!("{}: {p}", text(case, "id")))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .into_iter()
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let journal = sim.journal();
    println!(
        "bad-input corpus, CLI: {} cases, {} run, {} not expressible as flags, {} failed, {} requests reached the simulator",
        cases.len(),
        runs.len(),
        cases.len() - runs.len(),
        failures.len(),
        journal.len()
    );
    assert!(runs.len() >= 250, "only {} cases run", runs.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(journal.is_empty(), "{journal:?}");
}
