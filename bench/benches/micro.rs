//! Micro benchmarks (criterion): what the sans-IO layer costs per send — build, sign and parse
//! a canned answer — for every vendor and product with a send (every vendor's `send_code`, its
//! SMS product's as `<vendor>-sms`, and OneAccess's `send_sms_code`), and the cost of a call that fails validation at once (the
//! core's side of the per-call overhead each binding adds).
//!
//! The canned answers are the simulator's own, captured once before measuring, so that they
//! are the vendor's shapes and parse as accepted. Each iteration takes a fresh context (clock
//! and nonce), checks and signs the whole request and parses the answer: nothing is carried
//! from one iteration to the next.
//!
//! `floor/tencent-sms` is the slowest send's floor: only the work its scheme and answer
//! demand, by hand ([`tc3_floor`]), timed the same way in the same run.

mod tc3_floor;

use chrono::Utc;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use tc3_floor::Tc3Floor;
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
    tencent_sms_floor(c, &sim);

    let client =
        Client::new(ChannelConfig::from_value(sim.config_json(Vendor::Huawei)).expect("valid"))
            .expect("valid");
    let invalid = SendCode::new("not a phone", "4821");
    c.bench_function("invalid_input/core", |b| {
        b.iter(|| black_box(client.send_code(black_box(&invalid)).expect_err("invalid")))
    });
}

/// [`Tc3Floor`] beside `send/tencent-sms`, once checked to sign the same bytes as voicecode and
/// to read the same answer. Its send goes to another number than the others: the simulator, as
/// Tencent, refuses a second message to one number within 30 seconds.
fn tencent_sms_floor(c: &mut Criterion, sim: &Simulator) {
    let request = SendCode::new("+8613800138001", "4821");
    let config = sim
        .product_config_json(Vendor::Tencent, Product::Sms)
        .expect("Tencent has SMS");
    let channel = channel(sim, Vendor::Tencent, Product::Sms);
    let ctx = Context::fresh();
    let floor = Tc3Floor::new(&config, ctx.now);
    let signed = floor.sign(ctx.now, &request.code, &request.to);
    let req = channel.send_code_request(&request, &ctx).expect("valid");
    assert_eq!(signed.body, req.body, "the floor writes voicecode's body");
    assert_eq!(
        Some(signed.timestamp.as_str()),
        req.header_value("X-TC-Timestamp")
    );
    assert_eq!(
        Some(signed.authorization.as_str()),
        req.header_value("Authorization"),
        "the floor signs as voicecode does"
    );
    let answer = exchange(req);
    let receipt = channel.parse_send_code(&answer).expect("accepted");
    let accepted = Tc3Floor::read(&answer.body).expect("the floor reads it as accepted");
    assert_eq!(accepted.serial_no, receipt.message_id);
    assert_eq!(accepted.request_id, receipt.vendor_message);
    let mut group = c.benchmark_group("floor");
    group.bench_function("tencent-sms", |b| {
        b.iter(|| {
            let signed = floor.sign(Utc::now(), black_box(&request.code), black_box(&request.to));
            black_box(signed);
            black_box(Tc3Floor::read(black_box(&answer.body)).expect("accepted"))
        })
    });
    group.finish();
}

criterion_group!(benches, sans_io);
criterion_main!(benches);
