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
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt as _;

use crate::admin;
use crate::exchange::{Shared, VendorRequest};
use crate::faults::ConnControl;
use crate::vendors;

/// Every route: each vendor's endpoints and the admin API.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    vendors::ALL
        .iter()
        .fold(Router::new(), |router, side| router.merge((side.routes)()))
        .route("/", any(root))
        .nest("/_sim", admin::routes())
        .fallback(|| async { not_found() })
        .with_state(shared)
}

/// `/`: several vendors' APIs live at the root of their own hosts. A request goes to the vendor
/// that claims it, else to the one that takes whatever no other claims.
async fn root(State(shared): State<Arc<Shared>>, req: VendorRequest) -> Response {
    let at_root = || {
        vendors::ALL
            .iter()
            .filter_map(|side| Some((side, side.root.as_ref()?)))
    };
    let claimed = at_root().find(|(_, root)| root.claims.is_some_and(|claims| claims(&req)));
    match claimed.or_else(|| at_root().find(|(_, root)| root.claims.is_none())) {
        Some((side, root)) => side.answer(shared, req, root.endpoint).await,
        None => not_found().into_response(),
    }
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
