//! The Rust side of `bench/run.sh`: every figure is printed next to a baseline measured in the
//! same run against the same simulator process (absolute times depend on the machine; ratios
//! much less so). Each part appends one JSON object per figure to the results file, which
//! `bench/report.py` turns into `bench/RESULTS.md`.
//!
//! ```text
//! voicecode-bench <part> <simulator base URL> <results.jsonl> [seconds] [extra]
//!   loopback     one caller, keep-alive: bare reqwest (async and blocking) against
//!                AsyncClient and Client, Huawei callVerify and ihuyi Submit, and the bare
//!                async loop against itself on a second client (a control)
//!   design       Client (the caller's thread) against an I/O-thread hand-off, and one
//!                shared Client against a Client per send
//!   concurrency  AsyncClient sends per second at each in-flight count in `extra`
//!                (comma-separated), latency injected by the caller
//!   memory       `extra` sends through one Client, RSS sampled every tenth
//!   verifier     start+check pairs per second on the memory, SQLite and Redis (`extra`, a
//!                redis:// URL) stores, against plain sends and plain Redis round trips
//! ```

use std::cell::Cell;
use std::fs::OpenOptions;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use voicecode::protocol::{Channel, Context};
use voicecode::{
    AsyncClient, ChannelConfig, Client, Router, SendCode, Vendor, Verifier, VerifierConfig,
};
use voicecode_bench::{
    bare_blocking_send, bare_send, send_to_nth, start_and_check, verifier_options,
};

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// The vendors of the loopback comparison: one signed with HMAC-SHA256 in headers (JSON body),
/// one signed with MD5 in a form.
const LOOPBACK_VENDORS: [Vendor; 2] = [Vendor::Huawei, Vendor::Ihuyi];

fn main() -> Fallible<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err(
            "usage: voicecode-bench <part> <sim base URL> <results.jsonl> [seconds] [extra]".into(),
        );
    }
    let bench = Bench {
        sim: args[2].trim_end_matches('/').to_owned(),
        results: args[3].clone(),
        seconds: args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(2.0),
    };
    let extra = args.get(5).cloned().unwrap_or_default();
    match args[1].as_str() {
        "loopback" => bench.loopback(),
        "design" => bench.design(),
        "concurrency" => bench.concurrency(&extra),
        "memory" => bench.memory(extra.parse().unwrap_or(100_000)),
        "verifier" => bench.verifier(&extra),
        other => Err(format!("unknown part {other}").into()),
    }
}

struct Bench {
    sim: String,
    results: String,
    seconds: f64,
}

impl Bench {
    /// The simulator's channel config for `vendor` (`GET /_sim/config/{vendor}`).
    fn config(&self, vendor: Vendor) -> Fallible<ChannelConfig> {
        let url = format!("{}/_sim/config/{vendor}", self.sim);
        let value: Value = serde_json::from_str(&reqwest::blocking::get(url)?.text()?)?;
        Ok(ChannelConfig::from_value(value)?)
    }

    fn record(&self, value: Value) -> Fallible<()> {
        println!("{value}");
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.results)?;
        writeln!(file, "{value}")?;
        Ok(())
    }

    fn loopback(&self) -> Fallible<()> {
        let request = SendCode::new("+8613800138000", "4821");
        // One caller: the async contenders run on one current-thread runtime, like a
        // single-threaded service, with the whole timed loop inside one `block_on`.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        for vendor in LOOPBACK_VENDORS {
            let channel = Channel::new(self.config(vendor)?)?;
            let asynch = AsyncClient::new(self.config(vendor)?)?;
            let blocking = Client::new(self.config(vendor)?)?;
            let seconds = self.seconds / ROUNDS as f64;
            let bare_async = reqwest::Client::builder().no_proxy().build()?;
            // The same loop on a client (and connection) of its own: how far two identical
            // loops read apart in this run, the resolution the async target is judged at.
            let bare_async_again = reqwest::Client::builder().no_proxy().build()?;
            let bare_blocking = reqwest::blocking::Client::builder().no_proxy().build()?;
            let bare_async_loop = |http: &reqwest::Client| {
                runtime.block_on(rate_async(seconds, || async {
                    let req = channel
                        .send_code_request(&request, &Context::fresh())
                        .expect("valid");
                    let status = bare_send(http, req).await.status;
                    assert_eq!(status, 200, "the simulator accepts");
                }))
            };
            // Each contender runs `ROUNDS` short rounds, interleaved with the others so that
            // a burst of load from other builds on the machine hits every one of them alike,
            // and every other round runs a group backwards, so that each layer goes before
            // its baseline as often as after: neither always meets the machine as the other
            // left it.
            let layers = [
                "reqwest-async",
                "core-async",
                "reqwest-async-again",
                "reqwest-blocking",
                "core-blocking",
            ];
            let mut rates: [Vec<f64>; 5] = Default::default();
            for round in 0..ROUNDS {
                for group in [&[0, 1, 2][..], &[3, 4]] {
                    let mut order = group.to_vec();
                    if round % 2 == 1 {
                        order.reverse();
                    }
                    for contender in order {
                        let rate = match contender {
                            0 => bare_async_loop(&bare_async),
                            1 => runtime.block_on(rate_async(seconds, || async {
                                asynch
                                    .send_code(&request)
                                    .await
                                    .expect("the simulator accepts");
                            })),
                            2 => bare_async_loop(&bare_async_again),
                            3 => rate(seconds, || {
                                let req = channel
                                    .send_code_request(&request, &Context::fresh())
                                    .expect("valid");
                                let status = bare_blocking_send(&bare_blocking, req).status;
                                assert_eq!(status, 200, "the simulator accepts");
                            }),
                            _ => rate(seconds, || {
                                blocking.send_code(&request).expect("the simulator accepts");
                            }),
                        };
                        rates[contender].push(rate);
                    }
                }
            }
            // Each short round's ratio to the baseline's round beside it, for the comparisons
            // made in this process: paired round by round, a burst of load that falls on one
            // round moves one ratio, where it would move both medians of the rates.
            for (layer, base) in [(1, 0), (2, 0), (4, 3)] {
                let paired: Vec<f64> = rates[layer]
                    .iter()
                    .zip(&rates[base])
                    .map(|(layer, base)| layer / base)
                    .collect();
                self.record(json!({"part": "loopback-paired", "vendor": vendor.as_str(),
                    "layer": layers[layer], "base": layers[base], "ratios": paired}))?;
            }
            for (layer, rates) in layers.iter().zip(rates.iter_mut()) {
                self.record(
                    json!({"part": "loopback", "vendor": vendor.as_str(), "layer": layer,
                    "per_s": median(rates)}),
                )?;
            }
        }
        Ok(())
    }

    /// The figures behind the README's advice and the blocking client's design: `Client`, which
    /// sends on the caller's thread, against the design it replaced (the async client's future
    /// awaited from the caller while a one-worker runtime drives the connection, two thread
    /// switches per send), and a shared client against a client per send.
    fn design(&self) -> Fallible<()> {
        let request = SendCode::new("+8613800138000", "4821");
        let seconds = self.seconds / ROUNDS as f64;
        for vendor in LOOPBACK_VENDORS {
            let shared_client = Client::new(self.config(vendor)?)?;
            let handed_off = AsyncClient::new(self.config(vendor)?)?;
            let io_thread = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?;
            let config = self.config(vendor)?;
            let (mut shared, mut hand_off, mut fresh) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                shared.push(rate(seconds, || {
                    shared_client
                        .send_code(&request)
                        .expect("the simulator accepts");
                }));
                hand_off.push(rate(seconds, || {
                    io_thread
                        .block_on(handed_off.send_code(&request))
                        .expect("the simulator accepts");
                }));
                fresh.push(rate(seconds, || {
                    let client = Client::new(config.clone()).expect("valid");
                    client.send_code(&request).expect("the simulator accepts");
                }));
            }
            self.record(
                json!({"part": "design", "vendor": vendor.as_str(), "layer": "io-thread-hand-off",
                "per_s": median(&mut hand_off)}),
            )?;
            self.record(
                json!({"part": "design", "vendor": vendor.as_str(), "layer": "shared-client",
                "per_s": median(&mut shared)}),
            )?;
            self.record(
                json!({"part": "design", "vendor": vendor.as_str(), "layer": "client-per-send",
                "per_s": median(&mut fresh)}),
            )?;
        }
        Ok(())
    }

    fn concurrency(&self, in_flight: &str) -> Fallible<()> {
        let vendor = Vendor::Huawei;
        let request = Arc::new(SendCode::new("+8613800138000", "4821"));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let client = AsyncClient::new(self.config(vendor)?)?;
        for n in in_flight.split(',').map(str::parse::<usize>) {
            let n = n?;
            let done = Arc::new(AtomicU64::new(0));
            let failed = Arc::new(AtomicU64::new(0));
            let started = Instant::now();
            let deadline = started + Duration::from_secs_f64(self.seconds);
            runtime.block_on(async {
                let tasks: Vec<_> = (0..n)
                    .map(|_| {
                        let (client, request) = (client.clone(), Arc::clone(&request));
                        let (done, failed) = (Arc::clone(&done), Arc::clone(&failed));
                        tokio::spawn(async move {
                            while Instant::now() < deadline {
                                let result = client.send_code(&request).await;
                                // Only sends completed inside the window count.
                                if Instant::now() > deadline {
                                    break;
                                }
                                match result {
                                    Ok(_) => done.fetch_add(1, Ordering::Relaxed),
                                    Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                                };
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("no panic");
                }
            });
            let elapsed = (deadline - started).as_secs_f64();
            self.record(
                json!({"part": "concurrency", "layer": "core-async", "in_flight": n,
                "per_s": done.load(Ordering::Relaxed) as f64 / elapsed,
                "errors": failed.load(Ordering::Relaxed)}),
            )?;
        }
        Ok(())
    }

    fn memory(&self, sends: usize) -> Fallible<()> {
        let client = Client::new(self.config(Vendor::Huawei)?)?;
        let request = SendCode::new("+8613800138000", "4821");
        let mut samples = Vec::new();
        for i in 1..=sends {
            client.send_code(&request)?;
            if i % (sends / 10).max(1) == 0 {
                samples.push(json!([i, rss_kib()?]));
            }
        }
        self.record(json!({"part": "memory", "layer": "core", "samples": samples}))
    }
}

impl Bench {
    /// What the verifier adds to a send: start+check pairs per second on each store, the
    /// same vendor's plain sends as the baseline, and the Redis server's own round trip (a
    /// PING on a plain connection) for the Redis store's cost per operation.
    fn verifier(&self, redis_url: &str) -> Fallible<()> {
        let vendor = Vendor::Huawei;
        let client = Client::new(self.config(vendor)?)?;
        let dir = std::env::temp_dir().join(format!("voicecode-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let stores = [
            ("memory".to_owned(), "memory"),
            (
                format!("sqlite:{}", dir.join("codes.db").display()),
                "sqlite",
            ),
            (redis_url.to_owned(), "redis"),
        ];
        let mut verifiers = Vec::new();
        for (store, name) in &stores {
            let config = VerifierConfig::new("bench-verifier-secret-0123456789").store(store);
            let router = Router::from_clients(vec![client.clone()])?;
            verifiers.push((*name, Verifier::new(router, config)?));
        }
        let mut redis = redis::Client::open(redis_url)?.get_connection()?;
        let seconds = self.seconds / VERIFIER_ROUNDS as f64;
        // Pairs and plain sends alike go to a new number each, from one count.
        let number = Cell::new(0u64);
        let next = || {
            number.set(number.get() + 1);
            number.get()
        };
        let options = verifier_options();
        let send_one = || send_to_nth(&client, next());
        let pair_on = |verifier: &Verifier| start_and_check(verifier, &options, next());
        let pairs = |verifier: &Verifier| rate(seconds, || pair_on(verifier));
        let send = || rate(seconds, send_one);
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); verifiers.len() + 2];
        // What the memory store adds to a send, per round.
        let mut memory_added = Vec::new();
        for _ in 0..VERIFIER_ROUNDS {
            // The first sends after the SQLite and Redis stores' rounds run faster than any
            // later ones for a while (measured: a third faster for a whole round here), which
            // would favour whichever of the two came first: they are left unmeasured.
            send();
            let (send_rate, memory_rate) =
                interleaved(2.0 * seconds, send_one, || pair_on(&verifiers[0].1));
            memory_added.push(send_rate / memory_rate - 1.0);
            rates[0].push(send_rate);
            rates[2].push(memory_rate);
            rates[1].push(rate(seconds, || {
                let pong: String = redis::cmd("PING").query(&mut redis).expect("redis answers");
                assert_eq!(pong, "PONG");
            }));
            for (i, (_, verifier)) in verifiers.iter().enumerate().skip(1) {
                rates[i + 2].push(pairs(verifier));
            }
        }
        let layers = ["send", "redis-ping"]
            .into_iter()
            .chain(verifiers.iter().map(|(name, _)| *name));
        for (layer, rates) in layers.zip(rates.iter_mut()) {
            self.record(json!({"part": "verifier", "layer": layer, "per_s": median(rates)}))?;
        }
        self.record(json!({"part": "verifier-added", "layer": "memory", "rounds": memory_added}))?;
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}

/// Short rounds of each contender in one loopback or design run, interleaved with the others'
/// (an even number: in the loopback run each of a pair goes first as often as the other).
const ROUNDS: usize = 4;
/// Rounds of the verifier's comparison, whose target (+5 % on a send) is finer than the
/// others' and so needs more of them to read through the machine's noise.
const VERIFIER_ROUNDS: usize = 7;

/// Calls per second of `work` over about `seconds` (after a short warm-up).
fn rate(seconds: f64, mut work: impl FnMut()) -> f64 {
    for _ in 0..20 {
        work();
    }
    let started = Instant::now();
    let mut calls = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        work();
        calls += 1;
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

/// Calls per second of `a` and of `b`, run in turns of [`SLICE`] calls each (which of the two
/// goes first alternating) for about `seconds` in all. A burst of load from elsewhere on the
/// shared machine then falls on both alike: compared in two runs of a few tenths of a second
/// each, the same two moved by up to ±15 % from one round to the next.
fn interleaved(seconds: f64, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    let mut spent = [Duration::ZERO; 2];
    let mut turns = 0u32;
    let started = Instant::now();
    while started.elapsed().as_secs_f64() < seconds {
        for which in [turns % 2, (turns + 1) % 2] {
            let slice = Instant::now();
            for _ in 0..SLICE {
                if which == 0 {
                    a();
                } else {
                    b();
                }
            }
            spent[which as usize] += slice.elapsed();
        }
        turns += 1;
    }
    let calls = f64::from(turns * SLICE);
    (
        calls / spent[0].as_secs_f64(),
        calls / spent[1].as_secs_f64(),
    )
}

/// Calls of each kind per turn of [`interleaved`]: a few milliseconds of sends.
const SLICE: u32 = 32;

/// [`rate`] for an async `work`, awaited in turn on the caller's runtime.
async fn rate_async<F: std::future::Future<Output = ()>>(
    seconds: f64,
    mut work: impl FnMut() -> F,
) -> f64 {
    for _ in 0..20 {
        work().await;
    }
    let started = Instant::now();
    let mut calls = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        work().await;
        calls += 1;
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Resident set size of this process, in KiB.
fn rss_kib() -> Fallible<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .ok_or("no VmRSS value")?
        .parse()?)
}
