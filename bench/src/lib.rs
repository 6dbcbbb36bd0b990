//! What the benchmark binary, the criterion benches and the examples share: sending a request
//! the sans-IO layer built with plain reqwest, the baseline every layer is compared with, and
//! the verification a verifier's figures time.

use voicecode::protocol::{HttpRequest, HttpResponse, Method};
use voicecode::{Check, Client, Product, SendCode, StartOptions, Verifier};

fn reqwest_method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
    }
}

/// The same request bytes sent with plain reqwest: no error model, no answer parsed.
pub async fn bare_send(http: &reqwest::Client, req: HttpRequest) -> HttpResponse {
    let mut builder = http.request(reqwest_method(req.method), req.url.as_str());
    for (name, value) in &req.headers {
        builder = builder.header(*name, value.as_ref());
    }
    let response = builder
        .body(req.body)
        .send()
        .await
        .expect("the simulator answers");
    let status = response.status().as_u16();
    HttpResponse::new(status, response.bytes().await.expect("a whole answer"))
}

/// [`bare_send`] with reqwest's blocking client.
pub fn bare_blocking_send(http: &reqwest::blocking::Client, req: HttpRequest) -> HttpResponse {
    let mut builder = http.request(reqwest_method(req.method), req.url.as_str());
    for (name, value) in &req.headers {
        builder = builder.header(*name, value.as_ref());
    }
    let response = builder
        .body(req.body)
        .send()
        .expect("the simulator answers");
    let status = response.status().as_u16();
    HttpResponse::new(status, response.bytes().expect("a whole answer"))
}

/// One request to the simulator on a client of its own, for answers captured once.
pub fn exchange(req: HttpRequest) -> HttpResponse {
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    bare_blocking_send(&http, req)
}

/// The code every timed verification is started with.
pub const VERIFIER_CODE: &str = "482193";

/// The options every timed verification is started with: [`VERIFIER_CODE`].
pub fn verifier_options() -> StartOptions {
    StartOptions::new().code(VERIFIER_CODE)
}

/// The `number`th mobile number of a run. Every verification the verifier's figures time goes
/// to a number of its own (so that no per-number rule refuses the run), and so does every plain
/// send they are compared with: the simulator, like a vendor, keeps state per number, and a
/// new number costs it more than one it has seen.
pub fn nth_number(number: u64) -> String {
    format!("+86139{:08}", number % 100_000_000)
}

/// A plain send of the verifier's figures' baseline: the code to the `number`th number.
pub fn send_to_nth(client: &Client, number: u64) {
    let request = SendCode::new(nth_number(number), "4821");
    client.send_code(&request).expect("the simulator accepts");
}

/// One verification as the verifier's figures time it: a start for the `number`th number of
/// the run and a check of the right code, which must approve it.
pub fn start_and_check(verifier: &Verifier, options: &StartOptions, number: u64) {
    let to = nth_number(number);
    verifier.start(&to, options).expect("started");
    let check = verifier.check(&to, VERIFIER_CODE).expect("checked");
    assert_eq!(
        check,
        Check::Approved {
            channel: Product::Voice
        }
    );
}
