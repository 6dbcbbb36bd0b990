//! Heap allocations per send, for every vendor and product: the context (clock and nonce),
//! checking and signing the request, and parsing the simulator's answer, counted by a global
//! allocator that wraps the system's. Allocations are a fifth of a micro-benchmarked send, and
//! this is where to look before and after changing how requests are built. Last, what a
//! verifier's start + check (memory store) allocates beside a plain send over the same client,
//! as the verifier's figures time them.
//!
//!   cargo run --release -p voicecode-bench --example allocations

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use voicecode::protocol::{Channel, Context};
use voicecode::{
    ChannelConfig, Client, Product, Router, SendCode, Vendor, Verifier, VerifierConfig,
};
use voicecode_bench::{exchange, send_to_nth, start_and_check, verifier_options};
use voicecode_sim::{SimOptions, Simulator};

struct Counting;

thread_local! {
    /// This thread's allocations: the simulator answers the verifier's sends from threads of
    /// its own in this process, and what it allocates is not the client's.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    ALLOCATIONS.with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is passed on unchanged to the system allocator; the count is a
// const-initialised thread-local `Cell`, which allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    (value, ALLOCATIONS.with(Cell::get) - before)
}

fn main() {
    let sim = Simulator::start(SimOptions::default()).expect("the simulator starts");
    let request = SendCode::new("+8613800138000", "4821");
    println!(
        "{:<18} {:>7} {:>7} {:>7}",
        "send", "context", "request", "parse"
    );
    for vendor in Vendor::ALL {
        for &product in vendor.products() {
            if vendor == Vendor::Oneaccess {
                continue; // captcha-gated SMS, no voice-code send
            }
            let config = sim
                .product_config_json(vendor, product)
                .expect("the vendor has the product");
            let channel =
                Channel::new(ChannelConfig::from_value(config).expect("valid")).expect("valid");
            let first = channel
                .send_code_request(&request, &Context::fresh())
                .expect("valid");
            let answer = exchange(first);
            let (ctx, context) = counted(Context::fresh);
            let (req, signing) = counted(|| channel.send_code_request(&request, &ctx));
            drop(req.expect("valid"));
            let (receipt, parsing) = counted(|| channel.parse_send_code(&answer));
            receipt.expect("the simulator accepts");
            let name = match product {
                Product::Voice => vendor.to_string(),
                _ => format!("{vendor}-{product}"),
            };
            println!("{name:<18} {context:>7} {signing:>7} {parsing:>7}");
        }
    }

    let config = ChannelConfig::from_value(sim.config_json(Vendor::Huawei)).expect("valid");
    let client = Client::new(config).expect("valid");
    let router = Router::from_clients(vec![client.clone()]).expect("one client");
    let config = VerifierConfig::new("bench-verifier-secret-0123456789").store("memory");
    let verifier = Verifier::new(router, config).expect("valid");
    let options = verifier_options();
    // Warmed up first: the connection, the store's table and the allocator's pools.
    for number in 0..100 {
        send_to_nth(&client, number);
        start_and_check(&verifier, &options, 1_000 + number);
    }
    let ((), send) = counted(|| send_to_nth(&client, 5_000));
    let ((), pair) = counted(|| start_and_check(&verifier, &options, 6_000));
    println!(
        "\nhuawei over loopback: a plain send {send}, a verifier start + check {pair} ({} more)",
        pair.saturating_sub(send)
    );
}
