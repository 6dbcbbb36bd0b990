//! What a verifier's start + check pair costs beside a plain send: wall time and this process's
//! user and system CPU per operation, for a loop of the blocking `Client`'s huawei send and a
//! loop of `Verifier` start + check pairs (memory store, the same client behind a one-channel
//! router, a new number each pair), in rounds. bench/profiles/verifier-memory.txt is recorded
//! over its pair loop.
//!
//!   cargo run --release -p voicecode-bench --example verifier_cpu [send|pair] [SIMULATOR_URL]
//!
//! Without a URL it starts a simulator in this process, whose CPU then counts as the client's.

use std::time::Instant;

use voicecode::{ChannelConfig, Client, Router, Vendor, Verifier, VerifierConfig};
use voicecode_bench::{send_to_nth, start_and_check, verifier_options};
use voicecode_sim::{SimOptions, Simulator};

const PER_ROUND: u32 = 20_000;
const ROUNDS: u32 = 3;

/// This process's user and system CPU so far, in microseconds (Linux's clock ticks of 10 ms).
fn cpu_us() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("Linux /proc");
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("a command name") + 2..]
        .split(' ')
        .collect();
    let ticks = |i: usize| fields[i].parse::<f64>().expect("a tick count") * 10_000.0;
    (ticks(11), ticks(12))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let only = args.next().filter(|a| !a.is_empty());
    let (config, _sim) = match args.next() {
        Some(url) => {
            let text = reqwest::blocking::get(format!("{url}/_sim/config/huawei"))
                .and_then(|r| r.text())
                .expect("the simulator answers");
            let value = serde_json::from_str(&text).expect("a config");
            (ChannelConfig::from_value(value).expect("valid"), None)
        }
        None => {
            let sim = Simulator::start(SimOptions::default()).expect("the simulator starts");
            let config = ChannelConfig::from_value(sim.config_json(Vendor::Huawei));
            (config.expect("valid"), Some(sim))
        }
    };
    let client = Client::new(config).expect("valid");
    let router = Router::from_clients(vec![client.clone()]).expect("one client");
    let config = VerifierConfig::new("bench-verifier-secret-0123456789").store("memory");
    let verifier = Verifier::new(router, config).expect("valid");
    let options = verifier_options();
    let mut number = 0u64;
    for round in 0..ROUNDS {
        for loop_name in ["send", "pair"] {
            if only.as_deref().is_some_and(|o| o != loop_name) {
                continue;
            }
            let (user, system) = cpu_us();
            let started = Instant::now();
            for _ in 0..PER_ROUND {
                number += 1;
                if loop_name == "send" {
                    send_to_nth(&client, number);
                } else {
                    start_and_check(&verifier, &options, number);
                }
            }
            let n = f64::from(PER_ROUND);
            let wall = started.elapsed().as_secs_f64() * 1e6 / n;
            let (user_after, system_after) = cpu_us();
            println!(
                "round {round} {loop_name}: wall {wall:.1} us, user {:.1} us, sys {:.1} us",
                (user_after - user) / n,
                (system_after - system) / n
            );
        }
    }
}
