//! A loopback HTTP server for transport tests: records every request it receives and answers
//! each as the test says, including the broken ways a vendor or network can answer.

#![allow(dead_code)]

use std::io::Write as _;
use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse as _, Response};
use std::sync::{Arc, Mutex};
use std::thread;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub peer: Option<SocketAddr>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How to answer one request.
pub enum Reply {
    Json(u16, String),
    Html(u16, String),
    /// Never answer (the client must time out).
    Hang,
}

pub struct TestServer {
    pub base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestServer {
    /// Serves on 127.0.0.1 from a runtime of its own; `answer` runs on a blocking thread, so
    /// it may sleep to simulate a slow vendor.
    pub fn start(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> TestServer {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer: Arc<dyn Fn(&Seen) -> Reply + Send + Sync> = Arc::new(answer);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, addr) = std::sync::mpsc::channel();
        let log = seen.clone();
        thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(
                    move |ConnectInfo(peer): ConnectInfo<SocketAddr>,
                          request: axum::extract::Request| {
                        let (log, answer) = (log.clone(), answer.clone());
                        async move { handle(peer, request, log, answer).await }
                    },
                );
                let service = app.into_make_service_with_connect_info::<SocketAddr>();
                axum::serve(listener, service)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = addr.recv().unwrap();
        TestServer {
            base_url: format!("http://{addr}"),
            seen,
            _stop: stop,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn handle(
    peer: SocketAddr,
    request: axum::extract::Request,
    log: Arc<Mutex<Vec<Seen>>>,
    answer: Arc<dyn Fn(&Seen) -> Reply + Send + Sync>,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let record = Seen {
        method: parts.method.to_string(),
        url: parts.uri.to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
        peer: Some(peer),
    };
    log.lock().unwrap().push(record.clone());
    let reply = tokio::task::spawn_blocking(move || answer(&record))
        .await
        .unwrap();
    let respond = |status: u16, content_type: &'static str, body: String| {
        let status = StatusCode::from_u16(status).unwrap();
        (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    match reply {
        Reply::Json(status, body) => respond(status, "application/json;charset=UTF-8", body),
        Reply::Html(status, body) => respond(status, "text/html", body),
        Reply::Hang => std::future::pending().await,
    }
}

/// A port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

pub const YTX_OK: &str =
    r#"{"statusCode":"0","statusMsg":"提交成功","requestId":"2016010000000205"}"#;
pub const HUAWEI_OK: &str = r#"{"resultcode":"0","resultdesc":"Success","sessionId":"1200_366_0_20161228102743@callenabler.home1.com"}"#;

pub fn ytx_config(base_url: &str) -> String {
    format!(
        r#"{{"vendor":"ytx","base_url":"{base_url}","account_sid":"da5c0518f05c4f939de024e94c0adb6d",
            "auth_token":"8da2aede2f51498dab04e20b1702d111","app_id":"ff8080813fc70a7b013fc72312324213",
            "timeout_ms":400,"connect_timeout_ms":400}}"#
    )
}

pub fn huawei_config(base_url: &str) -> String {
    format!(
        r#"{{"vendor":"huawei","base_url":"{base_url}","app_key":"ZRBRz4bAXoFgEH7o4Ew308eXc1RA",
            "app_secret":"appSecretExample","display_number":"+8675528001288","pre_tone":"welcome.wav",
            "timeout_ms":400}}"#
    )
}

/// A server that breaks the connection: it reads each request whole, writes `bytes` (possibly
/// none, possibly a cut-short answer) and closes the socket. A well-behaved HTTP server cannot
/// be told to misbehave like that, so this one speaks TCP directly.
pub struct BreakingServer {
    pub base_url: String,
    pub requests: Arc<Mutex<usize>>,
}

impl BreakingServer {
    pub fn start(bytes: &[u8]) -> BreakingServer {
        use std::io::{BufRead as _, BufReader, Read as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(0));
        let (bytes, count) = (bytes.to_vec(), requests.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                *count.lock().unwrap() += 1;
                let _ = stream.write_all(&bytes);
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
        });
        BreakingServer { base_url, requests }
    }

    pub fn requests(&self) -> usize {
        *self.requests.lock().unwrap()
    }
}
