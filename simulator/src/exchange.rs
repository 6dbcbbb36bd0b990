//! One exchange between a client and a simulated vendor, and what every exchange shares: the
//! request as read, the answer the vendor's logic gives, and the flow in between (faults first,
//! then the vendor's checks, the journal, the pushes owed).
//!
//! This is the layer the vendor modules stand on; it knows no vendor itself, so that the
//! vendors, the admin API and the server can all depend on it without any of them depending on
//! one another in a circle.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State as Extract};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::Utc;
use futures_util::future::BoxFuture;
use voicecode::{Product, Vendor};

use crate::faults::{self, ConnControl};
use crate::journal::{JournalEntry, Operation, Verdict};
use crate::options::SimOptions;
use crate::push::{FollowUp, Pusher};
use crate::state::State;
use crate::wire::json_response;

/// Vendor requests are a few hundred bytes; anything near this is not a vendor request.
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// What every handler shares: the mutable state behind one lock, and what never changes.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// `http://127.0.0.1:{port}`.
    pub(crate) base_url: String,
    /// Sends call-progress pushes and receipts.
    pub(crate) http: reqwest::Client,
    /// Where each vendor's account-wide pushes go ([`SimOptions::push_urls`]).
    push_urls: HashMap<Vendor, String>,
}

impl Shared {
    /// `with_balance`: the vendors whose accounts have a balance.
    pub(crate) fn new(
        options: SimOptions,
        port: u16,
        with_balance: &[Vendor],
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            // Push receivers are local test servers: a proxy from the environment would only
            // get in the way.
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("voicecode-sim/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("push client: {e}"))?;
        Ok(Shared {
            state: Mutex::new(State::new(&options.balances, with_balance)),
            base_url: format!("http://127.0.0.1:{port}"),
            http,
            push_urls: options.push_urls,
        })
    }

    /// The state. No lock is ever held across an `.await`, so a poisoned lock can only come
    /// from a panic in plain bookkeeping; the state is still consistent enough to go on.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A vendor request, read in full.
pub(crate) struct VendorRequest {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) conn: Option<ConnControl>,
}

impl<S: Send + Sync> FromRequest<S> for VendorRequest {
    type Rejection = Response;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, MAX_REQUEST_BODY)
            .await
            .map_err(|_| {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "request body too large or broken\n",
                )
                    .into_response()
            })?;
        Ok(VendorRequest {
            method: parts.method,
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            conn: parts.extensions.get::<ConnControl>().cloned(),
            headers: parts.headers,
            body,
        })
    }
}

impl VendorRequest {
    /// A header's value, if present and visible ASCII.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Query and form fields together, form last so it wins: the vendors with form APIs also
    /// take their fields in the query string (ihuyi's GET samples, cloud10658's balance sample).
    /// An unparsable query or form reads as no fields, which the vendor then reports as missing.
    pub(crate) fn fields(&self) -> Vec<(String, String)> {
        let mut fields = self.query_fields();
        fields.extend(
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(&self.body).unwrap_or_default(),
        );
        fields
    }

    /// The query string's fields.
    pub(crate) fn query_fields(&self) -> Vec<(String, String)> {
        self.query
            .as_deref()
            .and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default()
    }

    /// The last value of a query or form field.
    pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
        fields
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of field `key`: a string or number member of a JSON object body, else the last
    /// query or form field of that name.
    pub(crate) fn text(&self, key: &str) -> Option<String> {
        let Some(body) = self.json_object() else {
            return VendorRequest::field(&self.fields(), key).map(str::to_owned);
        };
        match body.get(key)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The body as a JSON object, if it is one.
    pub(crate) fn json_object(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        match serde_json::from_slice(&self.body) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        }
    }
}

/// What a vendor's logic decided.
pub(crate) struct Answer {
    pub(crate) response: Response,
    pub(crate) verdict: Verdict,
    /// Pushes to make once the answer is out (call progress, receipts, reports).
    pub(crate) follow_up: Option<FollowUp>,
}

impl Answer {
    pub(crate) fn new(response: Response, verdict: Verdict) -> Self {
        Answer {
            response,
            verdict,
            follow_up: None,
        }
    }

    /// HTTP 200 with `body`, the vendor having done what was asked.
    pub(crate) fn accepted(body: &serde_json::Value) -> Self {
        Answer::new(json_response(StatusCode::OK, body), Verdict::Accepted)
    }

    pub(crate) fn with_follow_up(self, follow_up: Option<FollowUp>) -> Self {
        Answer { follow_up, ..self }
    }
}

/// A vendor's refusal, as each vendor module's `refusal` gives it.
impl From<(Response, Verdict)> for Answer {
    fn from((response, verdict): (Response, Verdict)) -> Self {
        Answer::new(response, verdict)
    }
}

/// One simulated vendor as the rest of the simulator knows it. Each vendor module defines its
/// own (`SIDE`) and `vendors::ALL` lists them, so that the server, the configs, the balances and
/// the push options name no vendor.
pub(crate) struct VendorSide {
    pub(crate) vendor: Vendor,
    /// What it sends: a vendor's SMS product is a side of its own, sharing the vendor's
    /// account (balance, faults, pushes' URL option) with its voice side.
    pub(crate) product: Product,
    /// How it answers when a `vendor_code` fault makes it refuse (in its own shape, which only
    /// the vendor's module knows).
    pub(crate) refusal: fn(Operation, &VendorRequest, &str) -> Response,
    /// Its endpoints, at the paths of its own host (no two vendors' paths overlap).
    pub(crate) routes: fn() -> Router<Arc<Shared>>,
    /// For an API at the root of its host, which requests to `/` are its.
    pub(crate) root: Option<AtRoot>,
    /// Its demo account as a channel config in the core's schema, less `vendor` and `base_url`.
    pub(crate) config: fn() -> serde_json::Value,
    /// Whether its account has a balance (an accepted send costs 1).
    pub(crate) balance: bool,
    /// For a vendor whose pushes go to a URL set on the account rather than in each request:
    /// the [`SimOptions`] key that sets it, and what goes there.
    pub(crate) push_url: Option<(&'static str, &'static str)>,
}

/// A vendor served at `/`: several APIs live at the root of their own hosts.
pub(crate) struct AtRoot {
    /// Whether a request to `/` is this vendor's; `None` takes every request no other vendor
    /// claims.
    pub(crate) claims: Option<fn(&VendorRequest) -> bool>,
    pub(crate) endpoint: Endpoint,
}

/// One of a vendor's endpoints: what it does, the request field that names the callee (for
/// the journal), and the vendor's logic.
#[derive(Clone, Copy)]
pub(crate) struct Endpoint(
    pub(crate) Operation,
    pub(crate) Option<&'static str>,
    pub(crate) fn(&mut State, &VendorRequest) -> Answer,
);

impl VendorSide {
    /// `endpoint` as an axum handler.
    pub(crate) fn serve(
        &'static self,
        endpoint: Endpoint,
    ) -> impl Fn(Extract<Arc<Shared>>, VendorRequest) -> BoxFuture<'static, Response>
           + Clone
           + Send
           + Sync
           + 'static {
        move |Extract(shared), req| Box::pin(self.answer(shared, req, endpoint))
    }

    /// Answers `req` at `endpoint`.
    pub(crate) async fn answer(
        &self,
        shared: Arc<Shared>,
        req: VendorRequest,
        Endpoint(operation, phone, logic): Endpoint,
    ) -> Response {
        let phone = phone.and_then(|key| req.text(key));
        self.handle(shared, operation, phone, req, logic).await
    }

    /// The flow every vendor request goes through: the journal records its arrival, then
    /// faults (a fault answers instead of the vendor), then the vendor's checks; the verdict is
    /// recorded before the answer leaves, so a test reading the journal right after its call
    /// returns sees it.
    pub(crate) async fn handle(
        &self,
        shared: Arc<Shared>,
        operation: Operation,
        phone: Option<String>,
        req: VendorRequest,
        logic: impl FnOnce(&mut State, &VendorRequest) -> Answer,
    ) -> Response {
        let vendor = self.vendor;
        let entry = JournalEntry {
            vendor,
            operation,
            method: req.method.to_string(),
            path: req.path.clone(),
            phone,
            verdict: Verdict::Accepted,
            at: Utc::now(),
        };
        let (id, latency, fault) = {
            let mut state = shared.lock();
            let id = state.journal.arrive(entry);
            let (latency, fault) = state.faults.take(vendor);
            (id, latency, fault)
        };
        if let Some(delay) = latency {
            tokio::time::sleep(delay).await;
        }
        if let Some(fault) = fault {
            shared.lock().journal.settle(id, fault.verdict());
            return faults::respond(fault, vendor, req.conn.as_ref(), |code| {
                (self.refusal)(operation, &req, code)
            })
            .await;
        }
        let answer = {
            let mut state = shared.lock();
            let answer = logic(&mut state, &req);
            state.journal.settle(id, answer.verdict.clone());
            answer
        };
        if let Some(follow_up) = answer.follow_up {
            let pusher = Pusher {
                http: shared.http.clone(),
                account_url: shared.push_urls.get(&vendor).cloned(),
            };
            tokio::spawn(follow_up(pusher));
        }
        answer.response
    }
}
