//! The HTTP server: one listener for every vendor, and the routes to each vendor's endpoints and
//! to the admin API.
//!
//! The accept loop is written out (rather than `axum::serve`) for one reason: the
//! `reset_before_answer` fault must close the TCP connection after reading the request and
//! before any byte of an answer, which a handler cannot do by itself. Each connection gets a
//! [`ConnControl`] in its requests' extensions; aborting it drops the connection.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt as _;

use crate::admin;
use crate::exchange::{Shared, VendorRequest};
use crate::faults::ConnControl;
use crate::vendors::{aliyun, cloud10658, huawei, ihuyi, oneaccess, tencent, ytx};

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
        .route("/", any(root))
        .nest("/_sim", admin::routes())
        .fallback(|| async { not_found() })
        .with_state(shared)
}

/// `/`: Alibaba Cloud's RPC API and Tencent Cloud's API 3.0 both live at the root of their own
/// hosts. Tencent names its action in the `X-TC-Action` header; every other request is Alibaba
/// Cloud's, which answers what it cannot read in its own error shape.
async fn root(State(shared): State<Arc<Shared>>, req: VendorRequest) -> Response {
    if req.header("x-tc-action").is_some() {
        return tencent::dispatch(shared, req).await;
    }
    aliyun::dispatch(State(shared), req).await
}

fn not_found() -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, "voicecode-sim: no such endpoint\n")
}

/// The server thread: builds a runtime, reports on `ready` whether it is listening, then serves
/// until `stop` fires.
pub(crate) fn run(
    listener: std::net::TcpListener,
    router: Router,
    stop: oneshot::Receiver<()>,
    ready: std::sync::mpsc::Sender<Result<(), String>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(format!("tokio runtime: {e}")));
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
            let _ = ready.send(Err(format!("cannot listen: {e}")));
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
