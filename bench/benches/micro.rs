//! Micro benchmarks (criterion): what the sans-IO layer costs per send — build, sign and parse
//! a canned answer — for every vendor and product with a send (every vendor's `send_code`, its
//! SMS product's as `<vendor>-sms`, and OneAccess's `send_sms_code`), and the cost of a call that fails validation at once (the
//! core's side of the per-call overhead each binding adds).
//!
//! The canned answers are the simulator's own, captured once before measuring, so that they
//! are the vendor's shapes and parse as accepted. Each iteration takes a fresh context (clock
//! and nonce), checks and signs the whole request and parses the answer: nothing is carried
//! from one iteration to the next.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use voicecode::protocol::{Channel, Context, HttpResponse};
use voicecode::{
    ChannelConfig, Client, Product, SendCode, SendSmsCode, SmsPurpose, Vendor, VerifyCaptcha,
};
use voicecode_bench::exchange;
use voicecode_sim::demo::CAPTCHA_ANSWER;
use voicecode_sim::{SimOptions, Simulator};

const TO: &str = "+8613800138000";

fn channel(sim: &Simulator, vendor: Vendor, product: Product) -> Channel {
    let config = sim
        .product_config_json(vendor, product)
        .expect("the vendor has the product");
    Channel::new(ChannelConfig::from_value(config).expect("valid")).expect("valid")
}

/// The simulator's answer to one voice-code send, checked to parse as accepted.
fn canned_answer(channel: &Channel, request: &SendCode) -> HttpResponse {
    let req = channel
        .send_code_request(request, &Context::fresh())
        .expect("valid");
    let answer = exchange(req);
    channel
        .parse_send_code(&answer)
        .expect("the simulator accepts");
    answer
}

/// A OneAccess SMS request with a captcha token the simulator verified, and its answer to it.
fn canned_sms(sim: &Simulator, channel: &Channel) -> (SendSmsCode, HttpResponse) {
    let client =
        Client::new(ChannelConfig::from_value(sim.config_json(Vendor::Oneaccess)).expect("valid"))
            .expect("valid");
    let captcha = client.captcha().expect("a captcha");
    let (x, y) = CAPTCHA_ANSWER;
    let verify = VerifyCaptcha {
        token: captcha.token,
        x,
        y,
        mobile: TO.to_owned(),
    };
    let request = SendSmsCode {
        mobile: TO.to_owned(),
        purpose: SmsPurpose::Login,
        captcha_token: client.verify_captcha(&verify).expect("verified"),
    };
    let answer = exchange(channel.send_sms_code_request(&request).expect("valid"));
    channel
        .parse_send_sms_code(&answer)
        .expect("the simulator accepts");
    (request, answer)
}

fn sans_io(c: &mut Criterion) {
    let sim = Simulator::start(SimOptions::default()).expect("the simulator starts");
    let request = SendCode::new(TO, "4821");
    let mut group = c.benchmark_group("send");
    let products = Vendor::ALL
        .into_iter()
        .flat_map(|vendor| vendor.products().iter().map(move |p| (vendor, *p)));
    for (vendor, product) in products {
        let channel = channel(&sim, vendor, product);
        let name = match product {
            Product::Voice => vendor.to_string(),
            _ => format!("{vendor}-{product}"),
        };
        if vendor == Vendor::Oneaccess {
            // SMS codes, unsigned: no context to take.
            let (request, answer) = canned_sms(&sim, &channel);
            group.bench_function(vendor.as_str(), |b| {
                b.iter(|| {
                    let req = channel
                        .send_sms_code_request(black_box(&request))
                        .expect("valid");
                    black_box(req);
                    channel
                        .parse_send_sms_code(black_box(&answer))
                        .expect("accepted")
                })
            });
            continue;
        }
        let answer = canned_answer(&channel, &request);
        group.bench_function(name, |b| {
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
