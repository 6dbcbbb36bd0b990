//! The HTTP server: one listener for every vendor, the request flow they share, and the
//! connection control that lets a fault drop a connection without answering.
//!
//! The accept loop is written out (rather than `axum::serve`) for one reason: the
//! `reset_before_answer` fault must close the TCP connection after reading the request and
//! before any byte of an answer, which a handler cannot do by itself. Each connection gets a
//! [`ConnControl`] in its requests' extensions; aborting it drops the connection.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tower::ServiceExt as _;
use voicecode::Vendor;

use crate::journal::{JournalEntry, Operation, Verdict};
use crate::push::FollowUp;
use crate::state::State;
use crate::vendors::{cloud10658, huawei, ihuyi, oneaccess, ytx};
use crate::{admin, faults, push, SimError, SimOptions};

/// Vendor requests are a few hundred bytes; anything near this is not a vendor request.
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// What every handler shares: the mutable state behind one lock, and what never changes.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// `http://127.0.0.1:{port}`.
    pub(crate) base_url: String,
    /// Sends call-progress pushes and receipts.
    pub(crate) http: reqwest::Client,
    /// Where cloud10658 receipts go.
    pub(crate) cloud10658_receipt_url: Option<String>,
}

impl Shared {
    pub(crate) fn new(options: SimOptions, port: u16) -> Result<Self, String> {
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
            state: Mutex::new(State::new(&options.balances)),
            base_url: format!("http://127.0.0.1:{port}"),
            http,
            cloud10658_receipt_url: options.cloud10658_receipt_url,
        })
    }

    /// The state. No lock is ever held across an `.await`, so a poisoned lock can only come
    /// from a panic in plain bookkeeping; the state is still consistent enough to go on.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Lets a handler drop the connection its request came on.
#[derive(Clone, Default)]
pub(crate) struct ConnControl(Arc<Notify>);

impl ConnControl {
    /// Closes the connection without answering.
    pub(crate) fn abort(&self) {
        // `notify_one` stores a permit, so an abort before the connection task waits still counts.
        self.0.notify_one();
    }

    async fn aborted(&self) {
        self.0.notified().await;
    }
}

/// Every route: the vendors' endpoints and the admin API.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/201512/sid/{sid}/call/CodeCallOut.wx",
            post(ytx::send_code),
        )
        .route("/201612/sid/{sid}/account/getBlance.wx", post(ytx::balance))
        .route(
            "/rest/httpsessions/callVerify/v1.0",
            post(huawei::send_code),
        )
        .route("/webservice/voice.php", post(ihuyi::dispatch))
        .route("/voiceApi", post(cloud10658::send_code))
        .route("/voiceApi/getBalance", post(cloud10658::balance))
        .route("/voiceApi/group/getBalance", post(cloud10658::balance))
        .route("/api/v2/sdk/captcha", get(oneaccess::captcha))
        .route(
            "/api/v2/sdk/captcha/verify",
            post(oneaccess::verify_captcha),
        )
        .route("/api/v2/sdk/sms/send", post(oneaccess::send_sms_code))
        .nest("/_sim", admin::routes())
        .fallback(|| async { (StatusCode::NOT_FOUND, "voicecode-sim: no such endpoint\n") })
        .with_state(shared)
}

/// The server thread: builds a runtime, reports on `ready` whether it is listening, then serves
/// until `stop` fires.
pub(crate) fn run(
    listener: std::net::TcpListener,
    router: Router,
    stop: oneshot::Receiver<()>,
    ready: std::sync::mpsc::Sender<Result<(), SimError>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(SimError::Start(format!("tokio runtime: {e}"))));
            return;
        }
    };
    let listener = {
        // Registering the socket with the reactor needs the runtime's context.
        let _guard = runtime.enter();
        tokio::net::TcpListener::from_std(listener)
    };
    match listener {
        Ok(listener) => {
            // The caller may have given up waiting; the server then stops when it is dropped.
            let _ = ready.send(Ok(()));
            runtime.block_on(serve(listener, router, stop));
        }
        Err(e) => {
            let _ = ready.send(Err(SimError::Start(format!("cannot listen: {e}"))));
        }
    }
    // Hanging handlers never finish by themselves; do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(200));
}

/// Accepts connections until `stop` fires (or its sender is dropped).
async fn serve(listener: TcpListener, router: Router, mut stop: oneshot::Receiver<()>) {
    loop {
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    log::warn!("voicecode-sim: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let control = ConnControl::default();
        let aborted = control.clone();
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(control.clone());
                router.clone().oneshot(request)
            });
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                // A client that goes away mid-request is no concern of the simulator's.
                _ = connection => {}
                () = aborted.aborted() => {}
            }
        });
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
    /// Pushes to make once the answer is out (Huawei call progress, cloud10658 receipt).
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
}

/// The flow every vendor request goes through: faults first (a fault answers instead of the
/// vendor), then the vendor's checks; the journal records the verdict before the answer leaves,
/// so a test reading it right after its call returns sees the entry.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    vendor: Vendor,
    operation: Operation,
    phone: Option<String>,
    req: VendorRequest,
    logic: impl FnOnce(&mut State, &VendorRequest) -> Answer,
) -> Response {
    let entry = JournalEntry {
        vendor,
        operation,
        method: req.method.to_string(),
        path: req.path.clone(),
        phone,
        verdict: Verdict::Accepted,
        at: Utc::now(),
    };
    let (latency, fault) = shared.lock().faults.take(vendor);
    if let Some(delay) = latency {
        tokio::time::sleep(delay).await;
    }
    if let Some(fault) = fault {
        let verdict = fault.verdict();
        shared
            .lock()
            .journal
            .record(JournalEntry { verdict, ..entry });
        return faults::respond(fault, vendor, operation, &req).await;
    }
    let answer = {
        let mut state = shared.lock();
        let answer = logic(&mut state, &req);
        let verdict = answer.verdict.clone();
        state.journal.record(JournalEntry { verdict, ..entry });
        answer
    };
    if let Some(follow_up) = answer.follow_up {
        tokio::spawn(push::deliver(Arc::clone(&shared), follow_up));
    }
    answer.response
}
