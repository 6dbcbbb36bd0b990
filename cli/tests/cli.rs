//! The built `voicecode` binary against the simulator: what it prints and how it exits.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;
use voicecode::Vendor;
use voicecode_sim::{Fault, Operation, SimOptions, Simulator};

fn voicecode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_voicecode"))
        .args(args)
        .output()
        .unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

struct Fixture {
    sim: Simulator,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            sim: Simulator::start(SimOptions::default()).unwrap(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Writes the simulator's config for `vendor` as JSON, with `edit` applied.
    fn config(&self, vendor: Vendor, edit: impl FnOnce(&mut Value)) -> PathBuf {
        let mut value = self.sim.config_json(vendor);
        edit(&mut value);
        let path = self
            .dir
            .path()
            .join(format!("{vendor}-{}.json", rand_suffix()));
        std::fs::write(&path, value.to_string()).unwrap();
        path
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[test]
fn send_prints_the_receipt_and_exits_0() {
    let f = Fixture::new();
    let config = f.config(Vendor::Huawei, |_| {});
    let out = voicecode(&[
        "send",
        "--config",
        config.to_str().unwrap(),
        "--to",
        "+8613800138000",
        "--code",
        "4821",
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["receipt"]["vendor"], "huawei");
    assert!(!v["receipt"]["message_id"].as_str().unwrap().is_empty());
    assert_eq!(f.sim.count(Vendor::Huawei, Operation::SendCode), 1);

    let out = voicecode(&[
        "send",
        "--config",
        config.to_str().unwrap(),
        "--to",
        "13800138000",
        "--code",
        "4821",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("huawei accepted the call"));
}

#[test]
fn send_with_an_sms_config_texts_the_code() {
    let f = Fixture::new();
    for (n, vendor) in [Vendor::Ihuyi, Vendor::Aliyun, Vendor::Tencent]
        .into_iter()
        .enumerate()
    {
        let config = f
            .sim
            .product_config_json(vendor, voicecode::Product::Sms)
            .unwrap();
        let path = f.dir.path().join(format!("{vendor}-sms.json"));
        std::fs::write(&path, config.to_string()).unwrap();
        let to = format!("1380013500{n}");
        let out = voicecode(&[
            "send",
            "--config",
            path.to_str().unwrap(),
            "--to",
            &to,
            "--code",
            "482156",
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        assert!(
            stdout.contains(&format!("{vendor} accepted the message")),
            "{stdout}"
        );
        assert_eq!(f.sim.count(vendor, Operation::SendSmsCode), 1);
        assert_eq!(f.sim.last_code(&to).as_deref(), Some("482156"));
        // A voice channel beside an SMS one is a config error: nothing is sent.
        let voice = f.config(vendor, |_| {});
        let out = voicecode(&[
            "send",
            "--config",
            path.to_str().unwrap(),
            "--config",
            voice.to_str().unwrap(),
            "--to",
            &to,
            "--code",
            "482156",
            "--json",
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(json(&out)["error"]["field"], "channels");
        assert_eq!(f.sim.count(vendor, Operation::SendSmsCode), 1);
    }
}

#[test]
fn toml_configs_work_too() {
    let f = Fixture::new();
    let mut toml = String::new();
    for (key, value) in f.sim.config_json(Vendor::Ihuyi).as_object().unwrap() {
        toml.push_str(&format!("{key} = {value}\n"));
    }
    let path = f.dir.path().join("ihuyi.toml");
    std::fs::write(&path, toml).unwrap();
    let out = voicecode(&["balance", "--config", path.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)["balance"]["unit"], "units");
}

#[test]
fn invalid_input_exits_2_and_sends_nothing() {
    let f = Fixture::new();
    let config = f.config(Vendor::Ihuyi, |_| {});
    let out = voicecode(&[
        "send",
        "--config",
        config.to_str().unwrap(),
        "--to",
        "13800138000",
        "--code",
        "12",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(
        (
            v["ok"].clone(),
            v["error"]["kind"].clone(),
            v["error"]["outcome"].clone()
        ),
        (false.into(), "invalid_input".into(), "not_sent".into())
    );
    assert_eq!(v["error"]["field"], "code");
    assert_eq!(f.sim.count(Vendor::Ihuyi, Operation::SendCode), 0);
    // People get one line on stderr.
    let out = voicecode(&[
        "send",
        "--config",
        config.to_str().unwrap(),
        "--to",
        "13800138000",
        "--code",
        "12",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("invalid_input"), "{stderr}");
}

#[test]
fn several_configs_fail_over_in_order_and_report_attempts() {
    let f = Fixture::new();
    let huawei = f.config(Vendor::Huawei, |_| {});
    let ytx = f.config(Vendor::Ytx, |_| {});
    f.sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1010009".into(),
            times: 1,
        },
    );
    let args = [
        "send",
        "--config",
        huawei.to_str().unwrap(),
        "--config",
        ytx.to_str().unwrap(),
        "--to",
        "13800138000",
        "--code",
        "4821",
        "--json",
    ];
    let v = json(&voicecode(&args));
    assert_eq!(v["receipt"]["vendor"], "ytx");

    f.sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1010009".into(),
            times: 1,
        },
    );
    f.sim.inject(
        Vendor::Ytx,
        Fault::VendorCode {
            code: "-204".into(),
            times: 1,
        },
    );
    let out = voicecode(&args);
    assert_eq!(out.status.code(), Some(1));
    let attempts = json(&out)["error"]["attempts"].clone();
    let vendors: Vec<_> = attempts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["vendor"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(vendors, ["huawei", "ytx"]);
    assert_eq!(attempts[1]["vendor_code"], "-204");
}

#[test]
fn an_unknown_outcome_exits_3_without_failover() {
    let f = Fixture::new();
    let huawei = f.config(Vendor::Huawei, |v| v["timeout_ms"] = 300.into());
    let ytx = f.config(Vendor::Ytx, |_| {});
    f.sim.inject(Vendor::Huawei, Fault::Hang { times: 1 });
    let out = voicecode(&[
        "send",
        "--config",
        huawei.to_str().unwrap(),
        "--config",
        ytx.to_str().unwrap(),
        "--to",
        "13800138000",
        "--code",
        "4821",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not resend"));
    assert_eq!(f.sim.count(Vendor::Ytx, Operation::SendCode), 0);
}

/// The reproduction of a server error: Alibaba Cloud answering HTTP 500 with its JSON error
/// body. The call's fate is unknown, so the command exits 3 and never calls Tencent.
#[test]
fn a_server_error_with_the_vendors_error_body_exits_3_without_failover() {
    let f = Fixture::new();
    let aliyun = f.config(Vendor::Aliyun, |_| {});
    let tencent = f.config(Vendor::Tencent, |_| {});
    for code in [
        "500:InternalError",
        "500:isp.SYSTEM_ERROR",
        "503:ServiceUnavailable",
    ] {
        f.sim.inject(
            Vendor::Aliyun,
            Fault::VendorCode {
                code: code.into(),
                times: 1,
            },
        );
        let out = voicecode(&[
            "send",
            "--config",
            aliyun.to_str().unwrap(),
            "--config",
            tencent.to_str().unwrap(),
            "--to",
            "13800138000",
            "--code",
            "4821",
            "--json",
        ]);
        assert_eq!(out.status.code(), Some(3), "{code}");
        let error = json(&out)["error"].clone();
        let (status, bare) = code.split_once(':').unwrap();
        assert_eq!(error["outcome"], "unknown", "{code}");
        assert_eq!(error["retryable"], false);
        assert_eq!(error["vendor"], "aliyun");
        assert_eq!(error["vendor_code"], bare);
        assert_eq!(error["http_status"].to_string(), status);
        assert_eq!(error["attempts"].as_array().unwrap().len(), 1);
    }
    assert_eq!(f.sim.count(Vendor::Aliyun, Operation::SendCode), 3);
    assert_eq!(f.sim.count(Vendor::Tencent, Operation::SendCode), 0);
}

#[test]
fn a_secret_may_come_from_the_environment() {
    let f = Fixture::new();
    let mut secret = String::new();
    let config = f.config(Vendor::Huawei, |v| {
        secret = v
            .as_object_mut()
            .unwrap()
            .remove("app_secret")
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
    });
    let run = |env: Option<&std::ffi::OsStr>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_voicecode"));
        cmd.args([
            "send",
            "--config",
            config.to_str().unwrap(),
            "--to",
            "13800138000",
            "--code",
            "4821",
            "--json",
        ]);
        cmd.env_remove("VOICECODE_APP_SECRET");
        if let Some(value) = env {
            cmd.env("VOICECODE_APP_SECRET", value);
        }
        cmd.output().unwrap()
    };
    let missing = run(None);
    assert_eq!(json(&missing)["error"]["field"], "app_secret");
    // A secret that is set but unreadable is reported as such, not as missing.
    let garbled = run(Some(std::os::unix::ffi::OsStrExt::from_bytes(
        b"\xffs3cret",
    )));
    assert_eq!(garbled.status.code(), Some(2));
    let error = &json(&garbled)["error"];
    assert_eq!(error["kind"], "invalid_config");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("VOICECODE_APP_SECRET is set but is not valid UTF-8"),
        "{error}"
    );
    let ok = run(Some(secret.as_ref()));
    assert_eq!(
        json(&ok)["ok"],
        true,
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(!String::from_utf8_lossy(&missing.stdout).contains(&secret));
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in ["send", "balance", "sim", "demo"] {
        let out = voicecode(&[sub, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Example"),
            "{sub}"
        );
    }
    assert_eq!(
        voicecode(&["send", "--to", "1"]).status.code(),
        Some(2),
        "missing --config is a usage error"
    );
}

#[test]
fn demo_walks_through_every_vendor_with_call_events() {
    let out = voicecode(&["demo"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "== ytx ==",
        "== huawei ==",
        "== ihuyi ==",
        "== cloud10658 ==",
        "== aliyun ==",
        "== tencent ==",
        "== oneaccess ==",
        "event: answered",
        "event: hangup",
        "event: fee",
        "event: delivered",
        "insufficient_balance",
        "ytx accepted",
        "outcome unknown",
        "== one verification, SMS then voice ==",
        "spoken by voice (the same code",
        "approved (last sent by voice)",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // The code texted is the code spoken.
    let texted = stdout
        .split(" went to ")
        .next()
        .and_then(|l| l.rsplit(' ').next());
    let spoken = stdout
        .split(" spoken by voice")
        .next()
        .and_then(|l| l.rsplit(' ').next());
    assert!(texted.is_some() && texted == spoken, "{stdout}");
}

#[test]
fn sim_serves_and_writes_configs_that_send_works_with() {
    use std::io::{BufRead as _, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_voicecode"))
        .args([
            "sim",
            "--port",
            "0",
            "--config-dir",
            dir.path().to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("http://127.0.0.1:"), "{first}");
    // The config lines follow the URL; read them so the files are known to be written.
    let products: usize = Vendor::ALL.iter().map(|v| v.products().len()).sum();
    let written: Vec<String> = lines.by_ref().take(products).map(Result::unwrap).collect();
    assert!(
        written.iter().any(|l| l.contains("tencent-sms.json")),
        "{written:?}"
    );
    assert!(
        written.iter().any(|l| l.contains("ytx.json")),
        "{written:?}"
    );

    let config = dir.path().join("ytx.json");
    let out = voicecode(&[
        "send",
        "--config",
        config.to_str().unwrap(),
        "--to",
        "13800138000",
        "--code",
        "4821",
        "--json",
    ]);
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(json(&out)["receipt"]["vendor"], "ytx");
}

/// Argument errors that the flags parser finds, before any config is read, still print the
/// `{"ok":false,…}` shape under `--json`, naming the flag.
#[test]
fn argument_errors_print_json_under_json_and_exit_2() {
    let f = Fixture::new();
    let config = f.config(Vendor::Huawei, |_| {});
    let config = config.to_str().unwrap();
    for (args, field) in [
        (
            vec![
                "--to",
                "13800138000",
                "--code",
                "4821",
                "--play-times",
                "256",
            ],
            "play_times",
        ),
        (
            vec!["--to", "13800138000", "--code", "4821", "--colour", "red"],
            "colour",
        ),
    ] {
        let mut line = vec!["send", "--config", config, "--json"];
        line.extend(&args);
        let out = voicecode(&line);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let v = json(&out);
        assert_eq!(v["ok"], false, "{v}");
        assert_eq!(v["error"]["kind"], "invalid_input", "{v}");
        assert_eq!(v["error"]["outcome"], "not_sent", "{v}");
        assert_eq!(v["error"]["field"], field, "{v}");
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Without --json, people get clap's usage text on stderr, and the same status.
    let out = voicecode(&[
        "send",
        "--config",
        config,
        "--to",
        "1",
        "--code",
        "1",
        "--play-times",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--play-times"));
    assert_eq!(f.sim.count(Vendor::Huawei, Operation::SendCode), 0);
}

/// A code or number that starts with `-` is a value the core refuses by name, not a flag.
#[test]
fn a_code_starting_with_a_dash_is_refused_by_the_core_naming_the_field() {
    let f = Fixture::new();
    let config = f.config(Vendor::Huawei, |_| {});
    let out = voicecode(&[
        "send",
        "--config",
        config.to_str().unwrap(),
        "--to",
        "13800138000",
        "--code",
        "-4821",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v["error"]["kind"], "invalid_input", "{v}");
    assert_eq!(v["error"]["field"], "code", "{v}");
    assert_eq!(f.sim.count(Vendor::Huawei, Operation::SendCode), 0);
}

/// The help of `--user-data` names every vendor whose core module takes it, and no other.
#[test]
fn send_help_names_the_vendors_that_take_user_data() {
    let out = voicecode(&["send", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout).replace(char::is_whitespace, "");
    let sim = Simulator::start(SimOptions::default()).unwrap();
    for vendor in Vendor::ALL {
        let config = voicecode::ChannelConfig::from_value(sim.config_json(vendor)).unwrap();
        let channel = voicecode::protocol::Channel::new(config).unwrap();
        let takes = channel
            .check_send_code(&voicecode::SendCode::new("+8613800138000", "4821").user_data("x"))
            .is_ok();
        let named = help.contains(&vendor.display_name().replace(' ', ""));
        assert_eq!(
            takes, named,
            "{vendor}: takes user_data {takes}, named in help {named}"
        );
    }
}

/// The help names every vendor's secret variable, from the core's list.
#[test]
fn send_help_lists_every_secret_variable() {
    let out = voicecode(&["send", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    let vars = voicecode::config::secret_env_vars();
    assert!(
        vars.contains(&"VOICECODE_ACCESS_KEY_SECRET".to_owned()),
        "{vars:?}"
    );
    for var in vars {
        assert!(help.contains(&var), "{var} missing from:\n{help}");
    }
}
