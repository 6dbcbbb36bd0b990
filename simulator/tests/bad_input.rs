//! The bad-input corpus (`tests/corpus/bad_input.json`) through the Rust API: every case is
//! refused before anything is sent, as the case's kind naming its field, and the simulator's
//! journal stays empty. The other layers (CLI, C, PHP, Java, Python, Node) read the same file.

mod common;

use std::path::PathBuf;

use base64::Engine as _;
use serde_json::Value;
use voicecode::{
    model, ChannelConfig, Client, Error, Outcome, SendCode, SendSmsCode, Vendor, VerifyCaptcha,
};
use voicecode_sim::Simulator;

fn corpus() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/bad_input.json");
    let text = std::fs::read_to_string(&path).expect("the corpus is readable");
    let doc: Value = serde_json::from_str(&text).expect("the corpus is JSON");
    doc["cases"].as_array().expect("cases").clone()
}

fn text(case: &Value, key: &str) -> String {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {case}"))
        .to_owned()
}

/// A config file's bytes, as the case gives them.
fn config_bytes(case: &Value, sim_url: &str) -> Vec<u8> {
    if let Some(text) = case["text"].as_str() {
        return text.replace("@SIM@", sim_url).into_bytes();
    }
    if let Some(encoded) = case["text_base64"].as_str() {
        return base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("base64");
    }
    let fill = &case["fill"];
    let mut bytes = fill["prefix"].as_str().unwrap_or("").as_bytes().to_vec();
    let unit = fill["text"].as_str().expect("fill.text");
    bytes.extend(
        unit.repeat(fill["repeat"].as_u64().expect("fill.repeat") as usize)
            .bytes(),
    );
    bytes.extend(fill["suffix"].as_str().unwrap_or("").bytes());
    bytes
}

fn with_sim_url(value: &Value, sim_url: &str) -> Value {
    serde_json::from_str(&value.to_string().replace("@SIM@", sim_url)).expect("JSON")
}

fn client_of(config: Value) -> Result<Client, Error> {
    Client::new(ChannelConfig::from_value(config)?)
}

fn send(sim: &Simulator, case: &Value) -> Result<(), Error> {
    let vendor: Vendor = text(case, "vendor").parse().expect("vendor");
    let product = case["product"].as_str().unwrap_or("voice");
    let product = voicecode::Product::from_arg(product).expect("product");
    let config = sim
        .product_config_json(vendor, product)
        .expect("a simulated product");
    let client = client_of(config).expect("the simulator's config is valid");
    let request = case["request"].clone();
    match text(case, "op").as_str() {
        "send_code" => client
            .send_code(&model::from_value::<SendCode>("request", request)?)
            .map(drop),
        "verify_captcha" => client
            .verify_captcha(&model::from_value::<VerifyCaptcha>("request", request)?)
            .map(drop),
        "send_sms_code" => {
            client.send_sms_code(&model::from_value::<SendSmsCode>("request", request)?)
        }
        other => panic!("unknown op {other}"),
    }
}

/// Every way the Rust API reads a config file: `from_file` (named `.json` or `.toml`) and, for
/// JSON, `from_json` on the text when it is UTF-8. Each must refuse it.
fn config_text(
    case: &Value,
    sim_url: &str,
    dir: &std::path::Path,
) -> Vec<(&'static str, Result<(), Error>)> {
    let bytes = config_bytes(case, sim_url);
    let format = text(case, "format");
    let path = dir.join(format!("{}.{format}", text(case, "id")));
    std::fs::write(&path, &bytes).expect("write");
    let mut results = vec![(
        "from_file",
        ChannelConfig::from_file(&path)
            .and_then(Client::new)
            .map(drop),
    )];
    if format == "json" {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            results.push((
                "from_json",
                ChannelConfig::from_json(text)
                    .and_then(Client::new)
                    .map(drop),
            ));
        }
    }
    results
}

/// What is wrong with `result` for `case`, if anything.
fn problem(case: &Value, result: &Result<(), Error>) -> Option<String> {
    let (kind, field) = (text(case, "kind"), text(case, "field"));
    match result {
        Ok(()) => Some("accepted".to_owned()),
        Err(e)
            if e.kind().as_str() == kind
                && e.field() == Some(field.as_str())
                && e.outcome() == Outcome::NotSent =>
        {
            None
        }
        Err(e) => Some(format!(
            "expected {kind} on {field}, got {} on {:?} ({}): {e}",
            e.kind(),
            e.field(),
            e.outcome()
        )),
    }
}

#[test]
fn every_bad_input_is_refused_naming_its_field_and_nothing_is_sent() {
    // The variable would fill a secret the case leaves out.
    for vendor in Vendor::ALL {
        if let Some(key) = vendor.secret_key() {
            assert!(
                std::env::var_os(format!("VOICECODE_{}", key.to_ascii_uppercase())).is_none(),
                "unset VOICECODE_{} to run the corpus",
                key.to_ascii_uppercase()
            );
        }
    }
    let sim = common::start();
    let url = sim.base_url();
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = corpus();
    assert!(cases.len() >= 200, "{} cases", cases.len());
    let mut checks = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let results = match text(case, "what").as_str() {
            "send" => vec![("send", send(&sim, case))],
            "config" => vec![(
                "from_value",
                client_of(with_sim_url(&case["config"], &url)).map(drop),
            )],
            "config_text" => config_text(case, &url, dir.path()),
            other => panic!("unknown case type {other}"),
        };
        for (how, result) in results {
            checks += 1;
            if let Some(problem) = problem(case, &result) {
                failures.push(format!("{} ({how}): {problem}", text(case, "id")));
            }
        }
    }
    let journal = sim.journal();
    println!(
        "bad-input corpus, Rust: {} cases, {checks} checks, {} failed, {} requests reached the simulator",
        cases.len(),
        failures.len(),
        journal.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(journal.is_empty(), "{journal:?}");
    // The same harness does see a request that is sent: the empty journal means something.
    common::first_request(&common::client(&sim, Vendor::Ihuyi), 0).expect("a valid send");
    assert_eq!(sim.journal().len(), 1);
}
