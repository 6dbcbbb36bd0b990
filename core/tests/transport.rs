//! The blocking and async clients over real loopback HTTP: what reaches the wire, and what
//! every failure means for the request's fate.

mod support;

use std::time::{Duration, Instant};

use support::{
    closed_port, huawei_config, ytx_config, BreakingServer, Reply, TestServer, HUAWEI_OK, YTX_OK,
};
use voicecode::{AsyncClient, ChannelConfig, Client, ErrorKind, Outcome, SendCode};

fn client(config: &str) -> Client {
    Client::new(ChannelConfig::from_json(config).unwrap()).unwrap()
}

fn send(client: &Client) -> voicecode::Result<voicecode::Receipt> {
    client.send_code(&SendCode::new("+8613800138000", "1234"))
}

#[test]
fn clients_are_send_and_sync() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<Client>();
    shareable::<AsyncClient>();
}

#[test]
fn blocking_send_puts_the_signed_request_on_the_wire() {
    let server = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let receipt = send(&client(&ytx_config(&server.base_url))).unwrap();
    assert_eq!(receipt.message_id, "2016010000000205");

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.method, "POST");
    assert!(req
        .url
        .starts_with("/201512/sid/da5c0518f05c4f939de024e94c0adb6d/call/CodeCallOut.wx?Sign="));
    assert_eq!(
        req.header("Content-Type"),
        Some("application/json;charset=utf-8")
    );
    assert!(req.header("Authorization").is_some());
    assert!(req.body.contains(r#""dst":"13800138000""#));
}

#[test]
fn one_client_reuses_its_connection() {
    let server = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let client = client(&ytx_config(&server.base_url));
    for _ in 0..3 {
        send(&client).unwrap();
    }
    let peers: Vec<_> = server.seen().iter().map(|s| s.peer).collect();
    assert_eq!(peers.len(), 3);
    assert!(peers.iter().all(|p| *p == peers[0]), "{peers:?}");
}

#[test]
fn a_pooled_connection_the_server_closed_is_replaced_not_used() {
    // Each connection answers one request in full, kept alive by its headers, and is then
    // closed by the server while the client holds it in its pool.
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{YTX_OK}",
        YTX_OK.len()
    );
    let server = BreakingServer::start(answer.as_bytes());
    let client = client(&ytx_config(&server.base_url));
    for sent in 1..=3 {
        std::thread::sleep(Duration::from_millis(50));
        let receipt = send(&client).unwrap_or_else(|e| panic!("send {sent}: {e}"));
        assert_eq!(receipt.message_id, "2016010000000205");
    }
    assert_eq!(server.requests(), 3, "each send on a connection of its own");
}

#[test]
fn threads_sharing_a_blocking_client_share_its_connections() {
    let server = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let client = client(&ytx_config(&server.base_url));
    const THREADS: usize = 4;
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..5 {
                    send(&client).unwrap();
                }
            });
        }
    });
    // Each thread holds at most one connection at a time and gives it back to the one pool.
    let peers: std::collections::HashSet<_> = server.seen().iter().map(|s| s.peer).collect();
    assert_eq!(server.seen().len(), THREADS * 5);
    assert!(peers.len() <= THREADS, "{} connections", peers.len());
    let reused = client.clone();
    drop(client);
    send(&reused).unwrap();
    let after: std::collections::HashSet<_> = server.seen().iter().map(|s| s.peer).collect();
    assert_eq!(after, peers, "a clone keeps the pool");
}

#[test]
fn the_async_face_keeps_one_connection_of_its_own() {
    let server = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let client = client(&ytx_config(&server.base_url));
    // As in the bindings: the async face runs on another, always-running runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for _ in 0..3 {
        send(&client).unwrap();
        runtime
            .block_on(
                client
                    .as_async()
                    .send_code(&SendCode::new("13800138000", "1234")),
            )
            .unwrap();
        // A used connection goes back to the async pool from a task just after its answer.
        std::thread::sleep(Duration::from_millis(20));
    }
    let peers: Vec<_> = server.seen().iter().map(|s| s.peer).collect();
    let (blocking, asynch): (Vec<_>, Vec<_>) =
        peers.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    assert!(
        blocking.iter().all(|(_, p)| *p == blocking[0].1),
        "{peers:?}"
    );
    assert!(asynch.iter().all(|(_, p)| *p == asynch[0].1), "{peers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_call_inside_an_async_runtime_is_refused_before_sending() {
    let server = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let client = client(&ytx_config(&server.base_url));
    let err = send(&client).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome(), err.field()),
        (ErrorKind::InvalidConfig, Outcome::NotSent, Some("client"))
    );
    assert!(err.message().contains("as_async"), "{}", err.message());
    assert!(server.seen().is_empty());
    // Dropping the client inside the runtime must not panic either.
    drop(client);
}

#[test]
fn transport_errors_name_the_path_but_never_the_signed_query() {
    let refused = client(&ytx_config(&format!("http://127.0.0.1:{}", closed_port())));
    let server = TestServer::start(|_| Reply::Hang);
    let hanging = client(&ytx_config(&server.base_url));
    for client in [refused, hanging] {
        let err = send(&client).unwrap_err();
        let text = serde_json::to_string(&err).unwrap();
        assert!(text.contains("/call/CodeCallOut.wx"), "{text}");
        assert!(!text.contains("Sign="), "{text}");
    }
}

#[test]
fn an_unknown_outcome_advises_by_what_the_operation_does() {
    let server = TestServer::start(|_| Reply::Hang);
    let client = client(&ytx_config(&server.base_url));
    let send_error = send(&client).unwrap_err().to_string();
    assert!(send_error.contains("ring the phone twice"), "{send_error}");
    let balance_error = client.balance().unwrap_err();
    assert_eq!(balance_error.outcome(), Outcome::Unknown);
    let text = balance_error.to_string();
    assert!(text.contains("asking again is safe"), "{text}");
    assert!(!text.contains("ring"), "{text}");
}

#[test]
fn connection_refused_is_network_and_not_sent() {
    let client = client(&ytx_config(&format!("http://127.0.0.1:{}", closed_port())));
    let err = send(&client).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Network, Outcome::NotSent),
        "{err}"
    );
    assert!(err.retryable());
}

#[test]
fn no_answer_is_a_timeout_with_unknown_outcome_within_the_configured_time() {
    let server = TestServer::start(|_| Reply::Hang);
    let client = client(&ytx_config(&server.base_url)); // timeout_ms = 400
    let started = Instant::now();
    let err = send(&client).unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Timeout, Outcome::Unknown),
        "{err}"
    );
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );
    assert!(!err.retryable());
    assert!(err.to_string().contains("did not resend"), "{err}");
    assert_eq!(server.seen().len(), 1, "a timed-out send is never retried");
}

#[test]
fn a_connection_closed_after_the_request_is_network_with_unknown_outcome() {
    let server = BreakingServer::start(b"");
    let err = send(&client(&ytx_config(&server.base_url))).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Network, Outcome::Unknown),
        "{err}"
    );
    assert_eq!(server.requests(), 1, "never retried");
}

#[test]
fn a_body_cut_short_is_unknown() {
    let server = BreakingServer::start(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"statusCode\":\"0\"",
    );
    let err = send(&client(&ytx_config(&server.base_url))).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Network, Outcome::Unknown),
        "{err}"
    );
}

#[test]
fn html_error_pages_are_protocol_errors_with_unknown_outcome() {
    let server =
        TestServer::start(|_| Reply::Html(502, "<html><body>Bad Gateway</body></html>".into()));
    let err = send(&client(&huawei_config(&server.base_url))).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome(), err.http_status()),
        (ErrorKind::Protocol, Outcome::Unknown, Some(502))
    );
}

#[test]
fn oversized_answers_are_refused_as_protocol_errors() {
    let big = format!(
        r#"{{"statusCode":"0","requestId":"1","pad":"{}"}}"#,
        "x".repeat(2 << 20)
    );
    let server = TestServer::start(move |_| Reply::Json(200, big.clone()));
    let err = send(&client(&ytx_config(&server.base_url))).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Protocol, Outcome::Unknown),
        "{err}"
    );
    assert!(err.message().contains("larger than"), "{err}");
}

#[test]
fn redirects_are_not_followed() {
    let server = BreakingServer::start(
        b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
    );
    let err = send(&client(&ytx_config(&server.base_url))).unwrap_err();
    assert_eq!(
        (err.kind(), err.http_status()),
        (ErrorKind::Protocol, Some(302))
    );
    assert_eq!(server.requests(), 1);
}

#[test]
fn vendor_errors_arrive_typed_with_the_vendor_code_verbatim() {
    let server = TestServer::start(|_| {
        Reply::Json(
            403,
            r#"{"resultcode":"1010009","resultdesc":"No more APIs can be invoked."}"#.into(),
        )
    });
    let err = send(&client(&huawei_config(&server.base_url))).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::RateLimited, Outcome::Refused)
    );
    assert_eq!(err.vendor_code(), Some("1010009"));
    assert_eq!(err.vendor_message(), Some("No more APIs can be invoked."));
    assert_eq!(err.vendor(), Some(voicecode::Vendor::Huawei));
}

#[test]
fn invalid_input_sends_nothing() {
    let server = TestServer::start(|_| Reply::Json(200, HUAWEI_OK.into()));
    let client = client(&huawei_config(&server.base_url));
    let err = client
        .send_code(&SendCode::new("+8613800138000", "12a"))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome(), err.field()),
        (ErrorKind::InvalidInput, Outcome::NotSent, Some("code"))
    );
    assert!(server.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_send_puts_the_signed_request_on_the_wire() {
    let server = TestServer::start(|_| Reply::Json(200, HUAWEI_OK.into()));
    let client =
        AsyncClient::new(ChannelConfig::from_json(&huawei_config(&server.base_url)).unwrap())
            .unwrap();
    let receipt = client
        .send_code(&SendCode::new("13800138000", "1234"))
        .await
        .unwrap();
    assert_eq!(receipt.vendor, voicecode::Vendor::Huawei);
    let seen = server.seen();
    assert_eq!(seen[0].url, "/rest/httpsessions/callVerify/v1.0");
    let x_aksk = seen[0].header("X-AKSK").unwrap();
    assert!(
        x_aksk.starts_with(
            r#"UsernameToken Username="ZRBRz4bAXoFgEH7o4Ew308eXc1RA",PasswordDigest=""#
        ),
        "{x_aksk}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_sends_run_concurrently() {
    let server = TestServer::start(|_| {
        std::thread::sleep(Duration::from_millis(200));
        Reply::Json(200, HUAWEI_OK.into())
    });
    // A generous timeout: this test measures concurrency, not timeouts.
    let config =
        huawei_config(&server.base_url).replace(r#""timeout_ms":400"#, r#""timeout_ms":5000"#);
    let client = AsyncClient::new(ChannelConfig::from_json(&config).unwrap()).unwrap();
    let started = Instant::now();
    let sends = (0..16).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .send_code(&SendCode::new("13800138000", "1234"))
                .await
        })
    });
    for handle in sends.collect::<Vec<_>>() {
        handle.await.unwrap().unwrap();
    }
    // 16 sequential sends would take 3.2 s.
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.seen().len(), 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_timeouts_have_unknown_outcome() {
    let server = TestServer::start(|_| Reply::Hang);
    let client =
        AsyncClient::new(ChannelConfig::from_json(&huawei_config(&server.base_url)).unwrap())
            .unwrap();
    let err = client
        .send_code(&SendCode::new("13800138000", "1234"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Timeout, Outcome::Unknown)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_connection_refused_is_not_sent() {
    let config = huawei_config(&format!("http://127.0.0.1:{}", closed_port()));
    let client = AsyncClient::new(ChannelConfig::from_json(&config).unwrap()).unwrap();
    let err = client
        .send_code(&SendCode::new("13800138000", "1234"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Network, Outcome::NotSent)
    );
}

#[test]
fn balance_and_oneaccess_flow_over_http() {
    let server = TestServer::start(|seen| {
        match seen.url.as_str() {
        "/api/v2/sdk/captcha" => Reply::Json(200, r#"{"token":"t1","originalImageBase64":"AA==","jigsawImageBase64":"AQ==","secretKey":null}"#.into()),
        "/api/v2/sdk/captcha/verify" => Reply::Json(200, r#"{"captcha_token":"t1---{\"x\":1.0,\"y\":2.0}"}"#.into()),
        "/api/v2/sdk/sms/send" => Reply::Json(200, String::new()),
        _ => Reply::Json(200, r#"{"AccountSID":"x","Blance":7.08}"#.into()),
    }
    });
    let balance = client(&ytx_config(&server.base_url)).balance().unwrap();
    assert_eq!(balance.amount, "7.08");

    let oneaccess = client(&format!(
        r#"{{"vendor":"oneaccess","base_url":"{}","client_id":"cid",
            "device":{{"os_version":"Android 10","fingerprint":"fp","agent":"UA"}}}}"#,
        server.base_url
    ));
    let captcha = oneaccess.captcha().unwrap();
    let token = oneaccess
        .verify_captcha(&voicecode::VerifyCaptcha {
            token: captcha.token,
            x: 1.0,
            y: 2.0,
            mobile: "13800138000".into(),
        })
        .unwrap();
    oneaccess
        .send_sms_code(&voicecode::SendSmsCode {
            mobile: "13800138000".into(),
            purpose: voicecode::SmsPurpose::Login,
            captcha_token: token,
        })
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert_eq!(
        seen[3].body,
        r#"{"mobile":"13800138000","type":"LOGIN_SMS","captcha_token":"t1---{\"x\":1.0,\"y\":2.0}"}"#
    );
    assert_eq!(seen[1].header("X-client-id"), Some("cid"));
}
