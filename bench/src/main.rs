//! Benchmarks behind the README's advice, each a ratio to a baseline measured in the same run
//! (absolute times depend on the machine; ratios much less so).
//!
//! 1. Sharing one `Client` against building a client per send: the advice to keep one client
//!    per process and channel (its connection pool and, for the blocking client, its I/O thread).
//! 2. Building and signing a request (the sans-IO layer) against one loopback round trip to the
//!    simulator: what the protocol layer costs next to the cheapest possible network call.
//! 3. The blocking `Client`'s design — the async client's code awaited on the caller's thread,
//!    one I/O thread driving the sockets — against reqwest's own blocking client sending the
//!    same signed request (the design it replaced, which needed a second pool per channel).
//!
//! Run: `cargo run --release -p voicecode-bench` (a debug build works too, with other figures).

use std::time::{Duration, Instant};

use voicecode::protocol::{Channel, Context, HttpResponse, Method};
use voicecode::{ChannelConfig, Client, SendCode, Vendor};
use voicecode_sim::{SimOptions, Simulator};

const SENDS: usize = 200;
const ROUNDS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Simulator::start(SimOptions::default())?;
    let request = SendCode::new("+8613800138000", "4821");
    println!("voicecode benchmarks against the simulator ({SENDS} sends per round, median of {ROUNDS} rounds)\n");

    for vendor in [Vendor::Huawei, Vendor::Ihuyi] {
        let config = || ChannelConfig::from_value(sim.config_json(vendor));
        // Every send costs a unit of the simulated balance.
        sim.set_balance(vendor, u64::MAX / 2);

        let shared_client = Client::new(config()?)?;
        let shared = median(|| {
            for _ in 0..SENDS {
                shared_client
                    .send_code(&request)
                    .expect("the simulator accepts");
            }
        });
        let fresh = median(|| {
            for _ in 0..SENDS {
                let client = Client::new(config().expect("valid")).expect("valid");
                client.send_code(&request).expect("the simulator accepts");
            }
        });
        report(
            &format!("{vendor}: one shared Client"),
            shared,
            &format!("{vendor}: a new Client per send"),
            fresh,
        );

        let channel = Channel::new(config()?)?;
        let build = median(|| {
            for _ in 0..SENDS {
                let ctx = Context::fresh();
                std::hint::black_box(channel.send_code_request(&request, &ctx).expect("valid"));
            }
        });
        report(
            &format!("{vendor}: build + sign a request"),
            build,
            &format!("{vendor}: a whole loopback send"),
            shared,
        );

        let http = reqwest::blocking::Client::builder().no_proxy().build()?;
        let reqwest_blocking = median(|| {
            for _ in 0..SENDS {
                let req = channel
                    .send_code_request(&request, &Context::fresh())
                    .expect("valid");
                let method = match req.method {
                    Method::Get => reqwest::Method::GET,
                    Method::Post => reqwest::Method::POST,
                };
                let mut builder = http.request(method, &req.url);
                for (name, value) in &req.headers {
                    builder = builder.header(name, value);
                }
                let response = builder
                    .body(req.body)
                    .send()
                    .expect("the simulator answers");
                let status = response.status().as_u16();
                let body = response.bytes().expect("a whole answer").to_vec();
                channel
                    .parse_send_code(&HttpResponse::new(status, body))
                    .expect("the simulator accepts");
            }
        });
        report(
            &format!("{vendor}: Client (awaits the async one)"),
            shared,
            &format!("{vendor}: reqwest::blocking, same request"),
            reqwest_blocking,
        );
    }
    Ok(())
}

/// Median wall time of `ROUNDS` runs of `work`, after one warm-up run.
fn median(mut work: impl FnMut()) -> Duration {
    work();
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[ROUNDS / 2]
}

fn report(measured: &str, time: Duration, baseline: &str, baseline_time: Duration) {
    let per = |d: Duration| d.as_secs_f64() * 1e6 / SENDS as f64;
    println!(
        "{measured:<36} {:>10.1} µs/op\n{baseline:<36} {:>10.1} µs/op\n  ratio: {:.3}× the baseline\n",
        per(time),
        per(baseline_time),
        time.as_secs_f64() / baseline_time.as_secs_f64(),
    );
}
