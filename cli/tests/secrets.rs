//! Credentials never reach the command's stdout or stderr, in text or `--json`, whatever
//! happens: success, refusal (a wrong secret), every injected fault, a timeout, a config file
//! that is not valid TOML or JSON around the secret, or a secret given in the environment.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use voicecode::Vendor;
use voicecode_sim::{Fault, SimOptions, Simulator};

/// Secrets shaped like the vendor's (the simulator checks them), distinctive enough to find.
const WRONG: &str = "LEAKCHECK0000000000000000000042";

fn voicecode(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_voicecode"));
    command.args(args);
    for vendor in Vendor::ALL {
        if let Some(key) = vendor.secret_key() {
            command.env_remove(format!("VOICECODE_{}", key.to_ascii_uppercase()));
        }
    }
    command.envs(env.iter().copied()).env("RUST_LOG", "trace");
    let out = command.output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_clean(what: &str, printed: &str, secrets: &[&str]) {
    assert!(!printed.is_empty(), "{what}: printed nothing");
    for secret in secrets {
        assert!(
            !printed.contains(secret),
            "{what}: a secret leaked: {printed}"
        );
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn no_operation_or_failure_prints_a_secret() {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let faults = [
        None,
        Some(Fault::Http5xxHtml { times: 1 }),
        Some(Fault::Http500 { times: 1 }),
        Some(Fault::NonUtf8Body { times: 1 }),
        Some(Fault::TruncatedJson { times: 1 }),
        Some(Fault::ResetBeforeAnswer { times: 1 }),
        Some(Fault::Hang { times: 1 }),
    ];
    let mut runs = 0;
    let products = Vendor::ALL
        .into_iter()
        .flat_map(|vendor| vendor.products().iter().map(move |p| (vendor, *p)));
    for (vendor, product) in products {
        let Some(key) = vendor.secret_key() else {
            continue;
        };
        let mut config = sim.product_config_json(vendor, product).unwrap();
        let account = vendor;
        // Files of one vendor's products apart: `aliyun.json`, `aliyun-sms.json`.
        let vendor = match product {
            voicecode::Product::Voice => vendor.to_string(),
            _ => format!("{vendor}-{product}"),
        };
        let vendor = vendor.as_str();
        config["timeout_ms"] = 300.into();
        let demo = config[key].as_str().unwrap().to_owned();
        let secrets = [demo.as_str(), WRONG];
        let good = write(dir.path(), &format!("{vendor}.json"), &config.to_string());
        let mut wrong = config.clone();
        wrong[key] = Value::from(WRONG);
        let wrong = write(
            dir.path(),
            &format!("{vendor}-wrong.json"),
            &wrong.to_string(),
        );
        let mut no_secret = config.clone();
        no_secret.as_object_mut().unwrap().remove(key);
        let no_secret = write(
            dir.path(),
            &format!("{vendor}-env.json"),
            &no_secret.to_string(),
        );
        let env_name = format!("VOICECODE_{}", key.to_ascii_uppercase());
        let toml = write(
            dir.path(),
            &format!("{vendor}.toml"),
            &format!("vendor = \"{account}\"\nproduct = \"{product}\"\n{key} = \"{WRONG}\n"),
        );
        let json_named_yaml = write(
            dir.path(),
            &format!("{vendor}.yaml"),
            &format!(
                "{{\"vendor\":\"{account}\",\"product\":\"{product}\",\"{key}\":\"{WRONG}\"}}"
            ),
        );
        let duplicate = write(
            dir.path(),
            &format!("{vendor}-dup.json"),
            &format!("{{\"vendor\":\"{account}\",\"product\":\"{product}\",\"{key}\":\"{WRONG}\",\"{key}\":\"{demo}\"}}"),
        );
        for (n, fault) in faults.iter().enumerate() {
            for config in [&good, &wrong] {
                for op in ["send", "balance"] {
                    for json in [false, true] {
                        if let Some(fault) = fault {
                            sim.inject(account, fault.clone());
                        }
                        let mobile = format!("1380013{:04}", runs % 10_000);
                        let mut args = vec![op, "--config", config.as_str()];
                        if op == "send" {
                            args.extend(["--to", mobile.as_str(), "--code", "4821"]);
                        }
                        if json {
                            args.push("--json");
                        }
                        let printed = voicecode(&args, &[]);
                        assert_clean(
                            &format!("{vendor} {op} fault {n} {args:?}"),
                            &printed,
                            &secrets,
                        );
                        sim.clear_faults();
                        runs += 1;
                    }
                }
            }
        }
        for config in [&toml, &json_named_yaml, &duplicate] {
            for json in [&[][..], &["--json"][..]] {
                let mut args = vec![
                    "send",
                    "--config",
                    config.as_str(),
                    "--to",
                    "13800138000",
                    "--code",
                    "4821",
                ];
                args.extend(json);
                assert_clean(
                    &format!("{vendor} {config}"),
                    &voicecode(&args, &[]),
                    &secrets,
                );
                runs += 1;
            }
        }
        let args = [
            "send",
            "--config",
            no_secret.as_str(),
            "--to",
            "13800138001",
            "--code",
            "4821",
            "--json",
        ];
        assert_clean(
            &format!("{vendor} env"),
            &voicecode(&args, &[(&env_name, WRONG)]),
            &secrets,
        );
        runs += 1;
    }
    println!("secrets, CLI: {runs} runs, no secret in stdout or stderr");
}
