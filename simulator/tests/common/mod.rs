//! Helpers shared by the integration tests: a simulator, clients for it, raw requests.

#![allow(dead_code)] // each test binary uses its own subset

use std::time::Duration;

use serde_json::{json, Value};
use voicecode::protocol::HttpRequest;
use voicecode::{AsyncClient, ChannelConfig, Client, Error, Product, SendCode, Vendor};
use voicecode_sim::{SimOptions, Simulator};

/// The vendors that place voice-code calls.
pub const VOICE_VENDORS: [Vendor; 6] = [
    Vendor::Ytx,
    Vendor::Huawei,
    Vendor::Ihuyi,
    Vendor::Cloud10658,
    Vendor::Aliyun,
    Vendor::Tencent,
];

/// The vendors with a balance operation (Alibaba Cloud's account and Tencent's voice package
/// have a balance in the simulator, but no API to read it).
pub const BALANCE_VENDORS: [Vendor; 3] = [Vendor::Ytx, Vendor::Ihuyi, Vendor::Cloud10658];

pub fn start() -> Simulator {
    Simulator::start(SimOptions::default()).expect("the simulator starts")
}

/// The demo config of `vendor`, with `changes` merged in.
pub fn config_with(sim: &Simulator, vendor: Vendor, changes: Value) -> ChannelConfig {
    let mut config = sim.config_json(vendor);
    if let (Value::Object(base), Value::Object(changes)) = (&mut config, changes) {
        base.extend(changes);
    }
    ChannelConfig::from_value(config).expect("the simulator's config is valid")
}

/// The demo config of `vendor`'s `product`, with `changes` merged in.
pub fn product_config_with(
    sim: &Simulator,
    (vendor, product): (Vendor, Product),
    changes: Value,
) -> ChannelConfig {
    let mut config = sim
        .product_config_json(vendor, product)
        .expect("the vendor has the product");
    if let (Value::Object(base), Value::Object(changes)) = (&mut config, changes) {
        base.extend(changes);
    }
    ChannelConfig::from_value(config).expect("the simulator's config is valid")
}

/// Every product of every vendor, voice first.
pub fn targets() -> Vec<(Vendor, Product)> {
    Product::ALL
        .into_iter()
        .flat_map(|product| {
            Vendor::ALL
                .into_iter()
                .filter(move |v| v.products().contains(&product))
                .map(move |v| (v, product))
        })
        .collect()
}

pub fn client(sim: &Simulator, vendor: Vendor) -> Client {
    Client::new(config_with(sim, vendor, json!({}))).expect("client")
}

pub fn client_with_timeout(sim: &Simulator, vendor: Vendor, timeout_ms: u64) -> Client {
    Client::new(config_with(
        sim,
        vendor,
        json!({ "timeout_ms": timeout_ms }),
    ))
    .expect("client")
}

pub fn async_client(sim: &Simulator, vendor: Vendor) -> AsyncClient {
    AsyncClient::new(config_with(sim, vendor, json!({}))).expect("client")
}

/// A distinct mobile number per `n` (cloud10658 and aliyun call a number at most once a minute).
pub fn mobile(n: u32) -> String {
    format!("1380013{:04}", n % 10_000)
}

/// The vendor's first request of a flow: `send_code`, or `captcha` for OneAccess.
pub fn first_request(client: &Client, n: u32) -> Result<(), Error> {
    match client.vendor() {
        Vendor::Oneaccess => client.captcha().map(drop),
        _ => client
            .send_code(&SendCode::new(mobile(n), "4821"))
            .map(drop),
    }
}

pub async fn first_request_async(client: &AsyncClient, n: u32) -> Result<(), Error> {
    match client.vendor() {
        Vendor::Oneaccess => client.captcha().await.map(drop),
        _ => client
            .send_code(&SendCode::new(mobile(n), "4821"))
            .await
            .map(drop),
    }
}

/// Sends a request built by the protocol layer (possibly altered) as is.
pub fn send_raw(request: &HttpRequest) -> (u16, String) {
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("reqwest client");
    let method = match request.method {
        voicecode::protocol::Method::Get => reqwest::Method::GET,
        voicecode::protocol::Method::Post => reqwest::Method::POST,
    };
    let mut builder = http.request(method, request.url.as_str());
    for (name, value) in &request.headers {
        builder = builder.header(*name, value.as_ref());
    }
    let response = builder
        .body(request.body.clone())
        .send()
        .expect("the simulator answers");
    let status = response.status().as_u16();
    (status, response.text().expect("a text answer"))
}

/// POSTs `body` to the simulator at `path` with no vendor headers.
pub fn post(sim: &Simulator, path: &str, content_type: &str, body: &str) -> (u16, String) {
    let request = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
        .post(format!("{}{path}", sim.base_url()))
        .header("Content-Type", content_type)
        .body(body.to_owned())
        .send()
        .expect("the simulator answers");
    let status = request.status().as_u16();
    (status, request.text().expect("a text answer"))
}
