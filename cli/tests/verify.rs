//! `voicecode verify` as separate processes sharing one store: a code started by one
//! invocation is checked by another, as app instances behind a load balancer would.

#[path = "../../core/tests/support/redis_server.rs"]
mod redis_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use voicecode::Vendor;
use voicecode_sim::{Fault, Operation, SimOptions, Simulator};

const SECRET: &str = "cli-test-secret-0123456789abcdef";
const TO: &str = "+8613800138000";

fn verify(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_voicecode"))
        .arg("verify")
        .args(args)
        .env("VOICECODE_VERIFIER_SECRET", SECRET)
        .output()
        .unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} / {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn huawei_config(sim: &Simulator, dir: &Path) -> PathBuf {
    let path = dir.join("huawei.json");
    std::fs::write(&path, sim.config_json(Vendor::Huawei).to_string()).unwrap();
    path
}

/// start, a wrong check, a right check and a second right check, each its own process.
fn lifecycle_across_processes(store: &str) {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = huawei_config(&sim, dir.path());
    let config = config.to_str().unwrap();
    let base = ["--config", config, "--store", store, "--to", TO, "--json"];
    let with = |sub: &str, extra: &[&str]| {
        let mut args = vec![sub];
        args.extend(base);
        args.extend(extra);
        verify(&args)
    };

    let out = with("start", &["--code", "482193"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(
        (v["ok"].clone(), v["verification"]["status"].clone()),
        (true.into(), "sent".into())
    );
    assert_eq!(v["verification"]["receipt"]["vendor"], "huawei");
    assert!(
        !out.stdout.windows(6).any(|w| w == b"482193"),
        "the code is never printed"
    );

    // The cooldown holds across processes too, with the wait in seconds.
    let out = with("start", &[]);
    assert_eq!(out.status.code(), Some(1));
    let e = &json(&out)["error"];
    assert_eq!(e["kind"], "rate_limited");
    assert!(e["retry_after"].as_u64().unwrap() > 0, "{e}");

    let out = with("check", &["--code", "000000"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        json(&out)["check"],
        serde_json::json!({"status": "wrong_code", "attempts_left": 4})
    );
    let out = with("check", &["--code", "482193"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["check"]["status"], "approved");
    let out = with("check", &["--code", "482193"]);
    assert_eq!(
        (out.status.code(), json(&out)["check"]["status"].clone()),
        (Some(1), "not_found".into())
    );
    assert_eq!(sim.count(Vendor::Huawei, Operation::SendCode), 1);
}

#[test]
fn two_processes_share_a_redis_store() {
    if redis_server::skipped() {
        return;
    }
    let server = redis_server::RedisServer::start();
    lifecycle_across_processes(&server.url());
}

#[test]
fn two_processes_share_an_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    lifecycle_across_processes(&format!("sqlite:{}", dir.path().join("codes.db").display()));
}

#[test]
fn cancel_then_check_says_canceled() {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = huawei_config(&sim, dir.path());
    let store = format!("sqlite:{}", dir.path().join("codes.db").display());
    let base = [
        "--config",
        config.to_str().unwrap(),
        "--store",
        &store,
        "--to",
        TO,
    ];
    let run = |sub: &str, extra: &[&str]| {
        let mut args = vec![sub];
        args.extend(base);
        args.extend(extra);
        verify(&args)
    };
    assert_eq!(run("start", &["--code", "482193"]).status.code(), Some(0));
    let out = run("cancel", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("canceled"));
    let out = run("check", &["--code", "482193"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "canceled");
}

/// A record that cannot be read fails closed in every invocation, until `verify clear`.
#[test]
fn an_unreadable_record_fails_closed_until_cleared() {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = huawei_config(&sim, dir.path());
    let file = dir.path().join("codes.db");
    let store = format!("sqlite:{}", file.display());
    let base = [
        "--config",
        config.to_str().unwrap(),
        "--store",
        &store,
        "--to",
        TO,
        "--json",
    ];
    let run = |sub: &str, extra: &[&str]| {
        let mut args = vec![sub];
        args.extend(base);
        args.extend(extra);
        verify(&args)
    };
    assert_eq!(run("start", &["--code", "482193"]).status.code(), Some(0));
    let db = rusqlite::Connection::open(&file).unwrap();
    db.execute("UPDATE voicecode_records SET value = 'not json {'", [])
        .unwrap();
    for (sub, extra) in [
        ("start", &["--code", "111222"][..]),
        ("check", &["--code", "482193"][..]),
        ("cancel", &[][..]),
    ] {
        let out = run(sub, extra);
        assert_eq!(out.status.code(), Some(1), "{sub}");
        let e = &json(&out)["error"];
        assert_eq!(
            (e["kind"].as_str(), e["outcome"].as_str()),
            (Some("store_unavailable"), Some("not_sent")),
            "{sub}"
        );
        assert!(
            e["message"].as_str().unwrap().contains("verify clear --to"),
            "{e}"
        );
    }
    let value: String = db
        .query_row("SELECT value FROM voicecode_records", [], |r| r.get(0))
        .unwrap();
    assert_eq!(value, "not json {", "nothing was overwritten");
    assert_eq!(sim.count(Vendor::Huawei, Operation::SendCode), 1);

    let out = run("clear", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["cleared"], true);
    assert_eq!(run("start", &["--code", "111222"]).status.code(), Some(0));
    assert_eq!(
        json(&run("check", &["--code", "111222"]))["check"]["status"],
        "approved"
    );
    assert_eq!(sim.count(Vendor::Huawei, Operation::SendCode), 2);
}

#[test]
fn bad_store_code_or_missing_secret_exit_2_naming_the_field() {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = huawei_config(&sim, dir.path());
    let config = config.to_str().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "start", "--config", config, "--store", "redis:/x", "--to", TO, "--json",
            ],
            "store",
        ),
        (
            &[
                "check", "--config", config, "--to", TO, "--code", "", "--json",
            ],
            "code",
        ),
        (
            &[
                "start",
                "--config",
                config,
                "--to",
                TO,
                "--secret-env",
                "NO_SUCH_VAR_HERE",
                "--json",
            ],
            "secret",
        ),
    ];
    for (args, field) in cases {
        let out = verify(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(json(&out)["error"]["field"], field, "{args:?}");
    }
    assert_eq!(sim.count(Vendor::Huawei, Operation::SendCode), 0);
}

#[test]
fn verify_subcommands_have_help_with_examples() {
    for sub in ["start", "check", "cancel", "clear"] {
        let out = verify(&[sub, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Example"),
            "{sub}"
        );
    }
}

/// A process killed while its call is being placed (reserved in the store, the vendor not yet
/// answered) loses nothing: the code it reserved is still checked, and its cooldown still holds,
/// since the phone may ring — another process neither calls again nor forgets the code.
fn a_process_killed_mid_send_loses_nothing(store: &str) {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = huawei_config(&sim, dir.path());
    let config = config.to_str().unwrap();
    let base = ["--config", config, "--store", store, "--to", TO, "--json"];
    sim.inject(Vendor::Huawei, Fault::Latency(Duration::from_secs(60)));

    let mut child = Command::new(env!("CARGO_BIN_EXE_voicecode"))
        .args(["verify", "start", "--code", "482193"])
        .args(base)
        .env("VOICECODE_VERIFIER_SECRET", SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while sim.count(Vendor::Huawei, Operation::SendCode) == 0 {
        assert!(
            Instant::now() < deadline,
            "the start never reached the vendor"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no clean-up runs
    assert!(!child.wait().unwrap().success());
    sim.clear_faults();

    let with = |sub: &str, extra: &[&str]| {
        let mut args = vec![sub];
        args.extend(base);
        args.extend(extra);
        verify(&args)
    };
    let out = with("start", &[]);
    assert_eq!(
        json(&out)["error"]["kind"],
        "rate_limited",
        "the cooldown survived"
    );
    let out = with("check", &["--code", "482193"]);
    assert_eq!(
        json(&out)["check"]["status"],
        "approved",
        "the code survived"
    );
    assert_eq!(sim.count(Vendor::Huawei, Operation::SendCode), 1);
}

#[test]
fn a_process_killed_mid_send_loses_nothing_in_redis() {
    if redis_server::skipped() {
        return;
    }
    let server = redis_server::RedisServer::start();
    a_process_killed_mid_send_loses_nothing(&server.url());
}

#[test]
fn a_process_killed_mid_send_loses_nothing_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_process_killed_mid_send_loses_nothing(&format!(
        "sqlite:{}",
        dir.path().join("codes.db").display()
    ));
}

/// `verify start` with an SMS and a voice config: the first start texts the code, the next
/// (another process, the same SQLite store) calls with the same code; `--channel` picks one.
#[test]
fn a_verification_moves_from_sms_to_voice_across_processes() {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sms = dir.path().join("tencent-sms.json");
    let config = sim
        .product_config_json(Vendor::Tencent, voicecode::Product::Sms)
        .unwrap();
    std::fs::write(&sms, config.to_string()).unwrap();
    let voice = huawei_config(&sim, dir.path());
    let store = format!("sqlite:{}", dir.path().join("codes.db").display());
    let base = [
        "--config",
        sms.to_str().unwrap(),
        "--config",
        voice.to_str().unwrap(),
        "--store",
        &store,
        "--to",
        TO,
    ];
    let with = |sub: &str, extra: &[&str]| {
        let mut args = vec![sub];
        args.extend(base);
        args.extend(extra);
        verify(&args)
    };

    let out = with("start", &["--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json(&out)["verification"]["channel"], "sms");
    let code = sim.last_code(TO).unwrap();
    assert_eq!(sim.count(Vendor::Tencent, Operation::SendSmsCode), 1);

    // The cooldown holds across channels; --channel names one, and a bad name is refused.
    let out = with("start", &["--json", "--channel", "voice"]);
    assert_eq!(json(&out)["error"]["kind"], "rate_limited");
    let out = with("start", &["--json", "--channel", "fax"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["error"]["field"], "channel");

    let out = with("check", &["--code", &code]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("approved (the code went by sms)"), "{text}");
    assert_eq!(sim.count(Vendor::Huawei, Operation::SendCode), 0);
}
