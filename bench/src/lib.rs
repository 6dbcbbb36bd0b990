//! What the benchmark binary, the criterion benches and the examples share: sending a request
//! the sans-IO layer built with plain reqwest, the baseline every layer is compared with.

use voicecode::protocol::{HttpRequest, HttpResponse, Method};

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
