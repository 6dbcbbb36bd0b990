//! Micro benchmarks (criterion): what the sans-IO layer costs per send — build, sign and parse
//! a canned answer — for every vendor with a `send_code`, and the cost of a call that fails
//! validation at once (the core's side of the per-call overhead each binding adds).
//!
//! The canned answers are the simulator's own, captured once before measuring, so that they
//! are the vendor's shapes and parse as accepted.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use voicecode::protocol::{Channel, Context, HttpResponse, Method};
use voicecode::{ChannelConfig, Client, SendCode, Vendor};
use voicecode_sim::{SimOptions, Simulator};

const SEND_VENDORS: [Vendor; 4] = [
    Vendor::Ytx,
    Vendor::Huawei,
    Vendor::Ihuyi,
    Vendor::Cloud10658,
];

fn canned_answer(channel: &Channel, request: &SendCode) -> HttpResponse {
    let req = channel
        .send_code_request(request, &Context::fresh())
        .expect("valid");
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
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
    let answer = HttpResponse::new(status, response.bytes().expect("a body").to_vec());
    channel
        .parse_send_code(&answer)
        .expect("the simulator accepts");
    answer
}

fn sans_io(c: &mut Criterion) {
    let sim = Simulator::start(SimOptions::default()).expect("the simulator starts");
    let request = SendCode::new("+8613800138000", "4821");
    let mut group = c.benchmark_group("send");
    for vendor in SEND_VENDORS {
        let config = ChannelConfig::from_value(sim.config_json(vendor)).expect("valid");
        let channel = Channel::new(config).expect("valid");
        let answer = canned_answer(&channel, &request);
        group.bench_function(vendor.as_str(), |b| {
            b.iter(|| {
                let req = channel
                    .send_code_request(black_box(&request), &Context::fresh())
                    .expect("valid");
                black_box(req);
                black_box(
                    channel
                        .parse_send_code(black_box(&answer))
                        .expect("accepted"),
                )
            })
        });
    }
    group.finish();

    let client =
        Client::new(ChannelConfig::from_value(sim.config_json(Vendor::Huawei)).expect("valid"))
            .expect("valid");
    let invalid = SendCode::new("not a phone", "4821");
    c.bench_function("invalid_input/core", |b| {
        b.iter(|| black_box(client.send_code(black_box(&invalid)).expect_err("invalid")))
    });
}

criterion_group!(benches, sans_io);
criterion_main!(benches);
