//! Heap allocations per send, for every vendor and product: the context (clock and nonce),
//! checking and signing the request, and parsing the simulator's answer, counted by a global
//! allocator that wraps the system's. Allocations are a fifth of a micro-benchmarked send, and
//! this is where to look before and after changing how requests are built.
//!
//!   cargo run --release -p voicecode-bench --example allocations

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use voicecode::protocol::{Channel, Context};
use voicecode::{ChannelConfig, Product, SendCode, Vendor};
use voicecode_bench::exchange;
use voicecode_sim::{SimOptions, Simulator};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f`.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.load(Relaxed);
    let value = f();
    (value, ALLOCATIONS.load(Relaxed) - before)
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
}
