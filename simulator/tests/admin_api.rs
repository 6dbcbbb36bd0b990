//! The admin HTTP API under `/_sim/` and the `voicecode-sim` binary, as the other languages'
//! test suites use them.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use common::*;
use serde_json::{json, Value};
use voicecode::{ChannelConfig, Client, ErrorKind, Product, SendCode, Vendor};

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
}

fn admin(
    sim: &voicecode_sim::Simulator,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut request = http().request(method, format!("{}/_sim{path}", sim.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

#[test]
fn faults_are_injected_listed_and_cleared_over_http() {
    let sim = start();
    let spec = json!({ "vendor": "huawei", "fault": "vendor_code", "code": "1010009", "times": 1 });
    assert_eq!(
        admin(&sim, reqwest::Method::POST, "/faults", Some(spec.clone())).0,
        204
    );
    let latency = json!({ "vendor": "ytx", "fault": "latency", "ms": 5 });
    assert_eq!(
        admin(
            &sim,
            reqwest::Method::POST,
            "/faults",
            Some(latency.clone())
        )
        .0,
        204
    );
    let (status, listed) = admin(&sim, reqwest::Method::GET, "/faults", None);
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&listed).unwrap(),
        json!([latency, spec])
    );

    let err = first_request(&client(&sim, Vendor::Huawei), 0).unwrap_err();
    assert_eq!(
        (err.kind(), err.vendor_code(), err.http_status()),
        (ErrorKind::RateLimited, Some("1010009"), Some(403))
    );
    first_request(&client(&sim, Vendor::Huawei), 1).unwrap();

    assert_eq!(admin(&sim, reqwest::Method::DELETE, "/faults", None).0, 204);
    assert!(sim.faults().is_empty());
}

#[test]
fn bad_fault_specs_are_refused_with_the_reason() {
    let sim = start();
    for (spec, needle) in [
        (
            json!({ "vendor": "ytx", "fault": "explode" }),
            "unknown fault",
        ),
        (json!({ "vendor": "ytx", "fault": "vendor_code" }), "code"),
        (json!({ "vendor": "ytx", "fault": "latency" }), "ms"),
        (
            json!({ "vendor": "acme", "fault": "hang" }),
            "unknown variant",
        ),
        (
            json!({ "vendor": "ytx", "fault": "hang", "tims": 2 }),
            "unknown field",
        ),
    ] {
        let (status, body) = admin(&sim, reqwest::Method::POST, "/faults", Some(spec.clone()));
        assert_eq!(status, 400, "{spec}");
        assert!(body.contains(needle), "{spec}: {body}");
    }
    assert!(sim.faults().is_empty());
}

#[test]
fn the_journal_is_read_and_cleared_over_http() {
    let sim = start();
    client(&sim, Vendor::Ihuyi)
        .send_code(&SendCode::new("13800138000", "1234"))
        .unwrap();
    let (status, body) = admin(&sim, reqwest::Method::GET, "/journal", None);
    assert_eq!(status, 200);
    let journal: Value = serde_json::from_str(&body).unwrap();
    let entry = &journal[0];
    assert_eq!(journal.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (
            &entry["vendor"],
            &entry["operation"],
            &entry["method"],
            &entry["path"],
            &entry["phone"],
            &entry["verdict"]
        ),
        (
            &json!("ihuyi"),
            &json!("send_code"),
            &json!("POST"),
            &json!("/webservice/voice.php"),
            &json!("13800138000"),
            &json!("accepted")
        )
    );
    assert!(
        entry["at"].as_str().is_some_and(|at| at.ends_with('Z')),
        "{entry}"
    );
    assert_eq!(
        admin(&sim, reqwest::Method::DELETE, "/journal", None).0,
        204
    );
    assert!(sim.journal().is_empty());
}

#[test]
fn outcome_balance_and_configs_over_http() {
    let sim = start();
    assert_eq!(
        admin(
            &sim,
            reqwest::Method::POST,
            "/outcome",
            Some(json!({ "outcome": "busy" }))
        )
        .0,
        204
    );
    assert_eq!(
        admin(
            &sim,
            reqwest::Method::POST,
            "/outcome",
            Some(json!({ "outcome": "maybe" }))
        )
        .0,
        400
    );

    assert_eq!(
        admin(
            &sim,
            reqwest::Method::POST,
            "/balance",
            Some(json!({ "vendor": "ihuyi", "units": 0 }))
        )
        .0,
        204
    );
    assert_eq!(
        admin(
            &sim,
            reqwest::Method::POST,
            "/balance",
            Some(json!({ "vendor": "huawei", "units": 5 }))
        )
        .0,
        400
    );
    let err = first_request(&client(&sim, Vendor::Ihuyi), 0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InsufficientBalance);

    for vendor in Vendor::ALL {
        let (status, body) = admin(
            &sim,
            reqwest::Method::GET,
            &format!("/config/{vendor}"),
            None,
        );
        assert_eq!(status, 200);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            sim.config_json(vendor)
        );
    }
    assert_eq!(
        admin(&sim, reqwest::Method::GET, "/config/acme", None).0,
        404
    );
}

#[test]
fn the_binary_prints_its_url_and_writes_working_configs() {
    let dir = std::env::temp_dir().join(format!("voicecode-sim-configs-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_voicecode-sim"))
        .args(["--port", "0", "--write-configs"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut base_url = String::new();
    stdout.read_line(&mut base_url).unwrap();
    let mut written = String::new();
    stdout.read_line(&mut written).unwrap();

    let result = std::panic::catch_unwind(|| {
        let base_url = base_url.trim();
        assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
        assert!(written.contains("configs written"), "{written}");
        for vendor in Vendor::ALL {
            let text = std::fs::read_to_string(dir.join(format!("{vendor}.json"))).unwrap();
            let config = ChannelConfig::from_json(&text).unwrap();
            assert_eq!(config.base_url.as_deref(), Some(base_url));
        }
        let config = ChannelConfig::from_json(
            &std::fs::read_to_string(dir.join("cloud10658.json")).unwrap(),
        )
        .unwrap();
        Client::new(config)
            .unwrap()
            .send_code(&SendCode::new("15080929435", "1234"))
            .unwrap();
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn write_configs_writes_one_ready_config_per_vendor_and_names_what_it_cannot_write() {
    let sim = start();
    let root = std::env::temp_dir().join(format!("voicecode-sim-write-{}", std::process::id()));
    let dir = root.join("nested");
    let written = sim.write_configs(&dir).unwrap();
    // The simulator holds locks and clients, none of which a failed assertion leaves broken.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let voice: Vec<Vendor> = written
            .iter()
            .filter(|(_, p, _)| *p == Product::Voice)
            .map(|(v, ..)| *v)
            .collect();
        assert_eq!(voice, Vendor::ALL);
        let sms: Vec<Vendor> = written
            .iter()
            .filter(|(_, p, _)| *p == Product::Sms)
            .map(|(v, ..)| *v)
            .collect();
        let offering: Vec<Vendor> = Vendor::ALL
            .into_iter()
            .filter(|v| v.products().contains(&Product::Sms))
            .collect();
        assert_eq!(sms, offering);
        for (vendor, product, path) in &written {
            let name = match product {
                Product::Voice => format!("{vendor}.json"),
                Product::Sms => format!("{vendor}-sms.json"),
            };
            assert_eq!(*path, dir.join(name));
            let text = std::fs::read_to_string(path).unwrap();
            assert!(text.ends_with("}\n"), "{text}");
            let config = ChannelConfig::from_json(&text).unwrap();
            assert_eq!(config.base_url, Some(sim.base_url()));
            assert_eq!(config.product(), *product);
            assert_eq!(
                Some(serde_json::from_str::<Value>(&text).unwrap()),
                sim.product_config_json(*vendor, *product).ok()
            );
        }
        // A file where the directory should be.
        let blocked = root.join("blocked");
        std::fs::write(&blocked, "").unwrap();
        let e = sim.write_configs(&blocked.join("configs")).unwrap_err();
        assert!(
            matches!(&e, voicecode_sim::SimError::Write { path, .. } if path.starts_with(&blocked)),
            "{e:?}"
        );
        assert!(e.to_string().contains("blocked"), "{e}");
    }));
    let _ = std::fs::remove_dir_all(&root);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
