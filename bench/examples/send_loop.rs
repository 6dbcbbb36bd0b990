//! One product's send (check, sign and parse the simulator's answer) in a loop of its own, for
//! counting instructions per send under callgrind. Criterion's times move with the host's load
//! by more than a change of a few allocations; an instruction count does not, so an A/B of two
//! builds reads the same on a busy machine. Under valgrind the hashes run their portable code,
//! not the CPU's SHA instructions, so compare the other parts (`callgrind_annotate`), not
//! totals against criterion's times.
//!
//!   CARGO_PROFILE_RELEASE_STRIP=none cargo build --release -p voicecode-bench --example send_loop
//!   valgrind --tool=callgrind --toggle-collect='send_loop::sends' \
//!       target/release/examples/send_loop tencent-sms 2000
//!
//! The product is named as in the micro benchmark (`huawei`, `aliyun-sms`, …).

use std::hint::black_box;
use std::process::ExitCode;

use voicecode::protocol::{Channel, Context, HttpResponse};
use voicecode::{ChannelConfig, Product, SendCode, Vendor};
use voicecode_bench::exchange;
use voicecode_sim::{SimOptions, Simulator};

/// `n` sends; callgrind counts what runs inside.
#[inline(never)]
fn sends(channel: &Channel, request: &SendCode, answer: &HttpResponse, n: usize) {
    for _ in 0..n {
        let req = channel
            .send_code_request(black_box(request), &Context::fresh())
            .expect("valid");
        black_box(req);
        black_box(
            channel
                .parse_send_code(black_box(answer))
                .expect("accepted"),
        );
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(name), Some(Ok(n))) = (args.first(), args.get(1).map(|n| n.parse::<usize>())) else {
        eprintln!(
            "usage: send_loop PRODUCT SENDS  (PRODUCT as in the micro benchmark: tencent-sms)"
        );
        return ExitCode::FAILURE;
    };
    let products = Vendor::ALL
        .into_iter()
        .filter(|vendor| *vendor != Vendor::Oneaccess)
        .flat_map(|vendor| vendor.products().iter().map(move |p| (vendor, *p)));
    let found = products
        .into_iter()
        .find(|(vendor, product)| match product {
            Product::Voice => vendor.to_string() == *name,
            _ => format!("{vendor}-{product}") == *name,
        });
    let Some((vendor, product)) = found else {
        eprintln!("no product {name:?}");
        return ExitCode::FAILURE;
    };
    let sim = Simulator::start(SimOptions::default()).expect("the simulator starts");
    let config = sim
        .product_config_json(vendor, product)
        .expect("the vendor has the product");
    let channel = Channel::new(ChannelConfig::from_value(config).expect("valid")).expect("valid");
    let request = SendCode::new("+8613800138000", "4821");
    let first = channel
        .send_code_request(&request, &Context::fresh())
        .expect("valid");
    let answer = exchange(first);
    sends(&channel, &request, &answer, n);
    ExitCode::SUCCESS
}
