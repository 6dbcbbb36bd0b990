//! The admin HTTP API under `/_sim/`, for tests that cannot call the library (C, Python, Node,
//! or a simulator started from the command line):
//!
//! | method and path | body | effect |
//! |---|---|---|
//! | `GET /_sim/faults` | | pending faults, as `FaultSpec`s |
//! | `POST /_sim/faults` | `{"vendor":"huawei","fault":"vendor_code","code":"1010009","times":1}` | inject a fault |
//! | `DELETE /_sim/faults` | | clear every fault |
//! | `GET /_sim/journal` | | the journal, oldest first |
//! | `DELETE /_sim/journal` | | clear the journal |
//! | `POST /_sim/outcome` | `{"outcome":"answered"\|"busy"\|"no_answer"}` | how later calls end |
//! | `POST /_sim/balance` | `{"vendor":"ihuyi","units":0}` | set a balance |
//! | `GET /_sim/config/{vendor}` | | the vendor's channel config (its voice product) |
//! | `GET /_sim/config/{vendor}/{product}` | | the channel config of the vendor's `voice` or `sms` product, or 404 |
//! | `GET /_sim/last_code/{number}` | | `{"vendor":"ytx","product":"voice","code":"4821","at":"…"}` of the last accepted send to the number, or 404 |
//!
//! Bad requests get HTTP 400 `{"error":"…"}`; changes answer 204.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use voicecode::{Product, Vendor};

use crate::config::channel_config;
use crate::exchange::Shared;
use crate::faults::FaultSpec;
use crate::push::CallOutcome;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/faults",
            get(list_faults).post(inject).delete(clear_faults),
        )
        .route("/journal", get(journal).delete(clear_journal))
        .route("/outcome", post(set_outcome))
        .route("/balance", post(set_balance))
        .route("/config/{vendor}", get(config))
        .route("/config/{vendor}/{product}", get(product_config))
        .route("/last_code/{number}", get(last_code))
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    let specs: Vec<FaultSpec> = shared
        .lock()
        .faults
        .pending()
        .iter()
        .map(|(vendor, fault)| FaultSpec::from_fault(*vendor, fault))
        .collect();
    Json(specs).into_response()
}

async fn inject(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let fault = parse::<FaultSpec>(&body).and_then(|spec| Ok((spec.vendor, spec.to_fault()?)));
    match fault {
        Ok((vendor, fault)) => {
            shared.lock().faults.inject(vendor, fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad_request(e),
    }
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.lock().faults.clear();
    StatusCode::NO_CONTENT
}

async fn journal(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.lock().journal.entries().to_vec()).into_response()
}

async fn clear_journal(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.lock().journal.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeRequest {
    outcome: CallOutcome,
}

async fn set_outcome(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse::<OutcomeRequest>(&body) {
        Ok(request) => {
            shared.lock().outcome = request.outcome;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BalanceRequest {
    vendor: Vendor,
    units: u64,
}

async fn set_balance(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request: BalanceRequest = match parse(&body) {
        Ok(request) => request,
        Err(e) => return bad_request(e),
    };
    let mut state = shared.lock();
    if state.balance(request.vendor).is_none() {
        return bad_request(format!("{} has no balance", request.vendor));
    }
    state.set_balance(request.vendor, request.units);
    StatusCode::NO_CONTENT.into_response()
}

async fn config(State(shared): State<Arc<Shared>>, Path(vendor): Path<String>) -> Response {
    product_config(State(shared), Path((vendor, "voice".to_owned()))).await
}

async fn product_config(
    State(shared): State<Arc<Shared>>,
    Path((vendor, product)): Path<(String, String)>,
) -> Response {
    let not_found = |error: String| {
        (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": error })),
        )
            .into_response()
    };
    let vendor = match vendor.parse::<Vendor>() {
        Ok(vendor) => vendor,
        Err(e) => return not_found(e.message().to_owned()),
    };
    let product = match Product::from_arg(&product) {
        Ok(product) => product,
        Err(e) => return not_found(e.message().to_owned()),
    };
    match channel_config(vendor, product, &shared.base_url) {
        Some(config) => Json(config).into_response(),
        None => not_found(format!("{vendor} has no {product} product")),
    }
}

async fn last_code(State(shared): State<Arc<Shared>>, Path(number): Path<String>) -> Response {
    match shared.lock().last_code(&number) {
        Some(sent) => Json(sent).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": format!("no code was sent to {number}") })),
        )
            .into_response(),
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

fn bad_request(message: impl Into<String>) -> Response {
    let body = serde_json::json!({ "error": message.into() });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}
