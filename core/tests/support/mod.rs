//! A loopback HTTP server for transport tests: records every request it receives and answers
//! each as the test says, including the broken ways a vendor or network can answer.

#![allow(dead_code)]

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

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
    server: Arc<tiny_http::Server>,
}

impl TestServer {
    pub fn start(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> TestServer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind loopback"));
        let base_url = format!(
            "http://{}",
            server.server_addr().to_ip().expect("ip listener")
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(answer);
        let (srv, log) = (server.clone(), seen.clone());
        thread::spawn(move || {
            for mut request in srv.incoming_requests() {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let record = Seen {
                    method: request.method().to_string(),
                    url: request.url().to_owned(),
                    headers: request
                        .headers()
                        .iter()
                        .map(|h| (h.field.to_string(), h.value.to_string()))
                        .collect(),
                    body,
                    peer: request.remote_addr().copied(),
                };
                log.lock().unwrap().push(record.clone());
                let answer = answer.clone();
                // Each answer on its own thread so that a hanging one does not block the next.
                thread::spawn(move || reply(request, answer(&record)));
            }
        });
        TestServer {
            base_url,
            seen,
            server,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

fn reply(request: tiny_http::Request, reply: Reply) {
    let respond = |request: tiny_http::Request, status: u16, content_type: &str, body: String| {
        let header = tiny_http::Header::from_bytes("Content-Type", content_type).unwrap();
        let response = tiny_http::Response::from_string(body)
            .with_status_code(status)
            .with_header(header);
        let _ = request.respond(response);
    };
    match reply {
        Reply::Json(status, body) => {
            respond(request, status, "application/json;charset=UTF-8", body)
        }
        Reply::Html(status, body) => respond(request, status, "text/html", body),
        Reply::Hang => {
            thread::sleep(Duration::from_secs(30));
            drop(request);
        }
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
/// none, possibly a cut-short answer) and closes the socket. tiny_http keeps sockets open, so
/// this one speaks TCP directly.
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
