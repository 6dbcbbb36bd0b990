//! `voicecode sim` and `voicecode demo`: the simulator in the foreground, and a guided tour of
//! every vendor against it, call events included.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::routing::post;
use voicecode::callbacks::{self, CallEvent, Deduplicator, HuaweiPushVerifier, PushAck};
use voicecode::{
    ChannelConfig, Check, Client, Product, Router, SendCode, SendSmsCode, SmsPurpose, StartOptions,
    Vendor, Verifier, VerifierConfig, VerifyCaptcha,
};
use voicecode_sim::{demo as accounts, Fault, SimOptions, Simulator};

const PHONE: &str = "+8613800138000";

/// Runs the simulator until the process is stopped, after writing one config per vendor.
pub fn run_simulator(port: u16, config_dir: &Path) -> anyhow::Result<()> {
    let sim = Simulator::start(SimOptions {
        port,
        ..SimOptions::default()
    })?;
    let written = sim.write_configs(config_dir)?;
    println!("voicecode simulator listening on {}", sim.base_url());
    for (vendor, product, path) in written {
        let name = format!("{vendor} {product}");
        println!("  {name:<16} config: {}", path.display());
    }
    println!(
        "Admin API: {}/_sim/journal, {}/_sim/faults. Stop with Ctrl-C.",
        sim.base_url(),
        sim.base_url()
    );
    loop {
        std::thread::park();
    }
}

/// The guided demo.
pub fn run() -> anyhow::Result<()> {
    let receiver = Receiver::start()?;
    // Every vendor that pushes to an account-wide URL pushes to the receiver.
    let push_urls = SimOptions::push_url_keys()
        .map(|(vendor, ..)| {
            (
                vendor,
                receiver.url(&format!("/{vendor}/push/{RECEIPT_TOKEN}")),
            )
        })
        .collect();
    let sim = Simulator::start(SimOptions {
        push_urls,
        ..SimOptions::default()
    })?;
    println!(
        "voicecode demo: a simulator of every vendor runs on {}",
        sim.base_url()
    );
    println!(
        "and a callback receiver on {}. No account is needed; no phone rings.\n",
        receiver.base_url
    );

    for (vendor, code, explanation, expected_events) in [
        (Vendor::Ytx, "A1B2", "ytx signs with MD5(sid + token + China-time ts), over plain HTTP (the only scheme ytx publishes).", 0),
        (Vendor::Huawei, "482193", "Huawei signs with HMAC-SHA256 in X-AKSK, Created in UTC; status and fee pushes are signed too.", 5),
        (Vendor::Ihuyi, "4821", "ihuyi gets the dynamic MD5 password, so the API key never travels.", 0),
        (Vendor::Cloud10658, "4821", "cloud10658 has no signature: its app key relies on TLS; its receipts are unsigned.", 1),
        (Vendor::Aliyun, "4821", "Alibaba Cloud signs with HMAC-SHA1 over the sorted parameters, Timestamp in UTC; its VoiceReport pushes are unsigned.", 1),
        (Vendor::Tencent, "4821", "Tencent signs with TC3-HMAC-SHA256, its credential scope dated in UTC; its callbacks are unsigned.", 1),
    ] {
        println!("== {vendor} ==\n{explanation}");
        let mut config = sim.config_json(vendor);
        if vendor == Vendor::Huawei {
            config["status_url"] = receiver.url("/huawei/status").into();
            config["fee_url"] = receiver.url("/huawei/fee").into();
        }
        let client = Client::new(ChannelConfig::from_value(config)?)?;
        let receipt = client.send_code(&SendCode::new(PHONE, code))?;
        // Tencent has no success code and answers with its RequestId alone.
        let answer = format!("{} {}", receipt.vendor_code, receipt.vendor_message);
        println!("  sent {code} to {PHONE}: message_id {}, vendor answer {:?}", receipt.message_id, answer.trim());
        if let Ok(balance) = client.balance() {
            println!("  balance now {} {}", balance.amount, balance.unit.as_str());
        }
        receiver.print_events(expected_events);
        println!();
    }

    println!("== oneaccess ==\nOneAccess sends SMS codes behind a slider captcha: captcha, verify, send.");
    let oneaccess = Client::new(ChannelConfig::from_value(
        sim.config_json(Vendor::Oneaccess),
    )?)?;
    let captcha = oneaccess.captcha()?;
    let (x, y) = accounts::CAPTCHA_ANSWER;
    let token = oneaccess.verify_captcha(&VerifyCaptcha {
        token: captcha.token,
        x,
        y,
        mobile: PHONE.into(),
    })?;
    oneaccess.send_sms_code(&SendSmsCode {
        mobile: PHONE.into(),
        purpose: SmsPurpose::Login,
        captcha_token: token,
    })?;
    println!("  slider solved at ({x}, {y}); SMS code sent\n");

    sms_then_voice(&sim)?;
    error_tour(&sim)?;
    Ok(())
}

/// One verification from SMS to voice: a text first, then, as the page's "收不到短信？获取语音验证码"
/// asks, a call that speaks the same code; the one code approves.
fn sms_then_voice(sim: &Simulator) -> anyhow::Result<()> {
    println!("== one verification, SMS then voice ==");
    const TO: &str = "+8613800138111";
    let router = |vendor: Vendor, product: Product| -> anyhow::Result<Router> {
        let config = sim
            .product_config_json(vendor, product)
            .context("the simulator serves the product")?;
        Ok(Router::new(vec![ChannelConfig::from_value(config)?])?)
    };
    let mut settings = VerifierConfig::new("demo-verifier-secret-0123456789");
    // The demo resends at once; a site keeps the default minute between two starts.
    settings.cooldown_secs = 0;
    let verifier = Verifier::with_routers(
        vec![
            router(Vendor::Aliyun, Product::Sms)?,
            router(Vendor::Huawei, Product::Voice)?,
        ],
        settings,
    )?;
    let texted = verifier.start(TO, &StartOptions::new())?;
    let code = sim.last_code(TO).context("the SMS was recorded")?;
    println!("  start: {code} went to {TO} by {}", texted.channel);
    let called = verifier.start(TO, &StartOptions::new())?;
    let spoken = sim.last_code(TO).context("the call was recorded")?;
    println!(
        "  start again: {spoken} spoken by {} (the same code, valid until {})",
        called.channel,
        called.expires_at.format("%H:%M:%S UTC")
    );
    match verifier.check(TO, &code)? {
        Check::Approved { channel } => {
            println!("  check {code}: approved (last sent by {channel})\n")
        }
        other => anyhow::bail!("the code was not approved: {}", other.as_str()),
    }
    Ok(())
}

fn error_tour(sim: &Simulator) -> anyhow::Result<()> {
    println!("== errors say whether a call may have been placed ==");
    let huawei = Client::new(ChannelConfig::from_value(sim.config_json(Vendor::Huawei))?)?;
    let show = |what: &str, e: &voicecode::Error| {
        println!(
            "  {what}: kind {} / outcome {} / vendor code {}",
            e.kind(),
            e.outcome(),
            e.vendor_code().unwrap_or("-")
        );
    };
    let e = huawei
        .send_code(&SendCode::new(PHONE, "12a4"))
        .err()
        .context("a Huawei code with a letter was accepted")?;
    show("a letter in a Huawei code (checked before sending)", &e);

    sim.inject(
        Vendor::Ihuyi,
        Fault::VendorCode {
            code: "4051".into(),
            times: 1,
        },
    );
    let ihuyi = Client::new(ChannelConfig::from_value(sim.config_json(Vendor::Ihuyi))?)?;
    let e = ihuyi
        .send_code(&SendCode::new(PHONE, "4821"))
        .err()
        .context("the injected ihuyi fault did not fire")?;
    show("ihuyi out of credit", &e);

    println!("\n== failover moves on only when no call can have been placed ==");
    let channels = || -> anyhow::Result<Router> {
        let mut huawei = sim.config_json(Vendor::Huawei);
        huawei["timeout_ms"] = 500.into();
        Ok(Router::new(vec![
            ChannelConfig::from_value(huawei)?,
            ChannelConfig::from_value(sim.config_json(Vendor::Ytx))?,
        ])?)
    };
    sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1010009".into(),
            times: 1,
        },
    );
    let receipt = channels()?.send_code(&SendCode::new(PHONE, "4821"))?;
    println!(
        "  huawei rate-limited (refused) -> {} accepted: message_id {}",
        receipt.vendor, receipt.message_id
    );

    sim.inject(Vendor::Huawei, Fault::Hang { times: 1 });
    let e = channels()?
        .send_code(&SendCode::new(PHONE, "4821"))
        .err()
        .context("the injected Huawei hang did not fire")?;
    show("huawei did not answer in time", &e);
    println!("  no failover after `unknown`: ytx was not asked, so the phone cannot ring twice.");
    println!("  {e}");
    Ok(())
}

/// Part of the cloud10658 receipt, Alibaba Cloud report and Tencent callback URLs: all are
/// unsigned, so the URL carries a secret.
const RECEIPT_TOKEN: &str = "demo-receipt-token";

/// A callback receiver like the one a service runs: it authenticates Huawei pushes, checks the
/// cloud10658, Alibaba Cloud and Tencent URL secret, parses and de-duplicates events.
struct Receiver {
    base_url: String,
    events: mpsc::Receiver<CallEvent>,
    _runtime: tokio::runtime::Runtime,
}

struct ReceiverState {
    status: HuaweiPushVerifier,
    fee: HuaweiPushVerifier,
    dedupe: Deduplicator,
    events: mpsc::Sender<CallEvent>,
}

impl Receiver {
    fn start() -> anyhow::Result<Receiver> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(SocketAddr::from((
            [127, 0, 0, 1],
            0,
        ))))?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (tx, events) = mpsc::channel();
        let state = Arc::new(ReceiverState {
            status: HuaweiPushVerifier::new(
                accounts::HUAWEI_APP_SECRET,
                format!("{base_url}/huawei/status"),
            ),
            fee: HuaweiPushVerifier::new(
                accounts::HUAWEI_APP_SECRET,
                format!("{base_url}/huawei/fee"),
            ),
            dedupe: Deduplicator::default(),
            events: tx,
        });
        let app = axum::Router::new()
            .route("/huawei/{kind}", post(huawei_push))
            .route("/{vendor}/push/{token}", post(url_secret_push))
            .with_state(state);
        runtime.spawn(async move { axum::serve(listener, app).await });
        Ok(Receiver {
            base_url,
            events,
            _runtime: runtime,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn print_events(&self, expected: usize) {
        for _ in 0..expected {
            match self.events.recv_timeout(Duration::from_secs(3)) {
                Ok(e) => {
                    let at = e.at.map(|t| t.to_rfc3339()).unwrap_or_default();
                    let code = e
                        .state_code
                        .map(|c| format!(" state {c}"))
                        .unwrap_or_default();
                    let talk = e
                        .talk_seconds
                        .map(|s| format!(" talked {s}s"))
                        .unwrap_or_default();
                    println!(
                        "  event: {:<9} {} {at}{code}{talk}",
                        e.event.as_str(),
                        e.message_id
                    );
                }
                Err(_) => {
                    println!("  (no more events arrived)");
                    return;
                }
            }
        }
    }
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_owned())))
        .collect()
}

fn deliver(
    state: &ReceiverState,
    vendor: Vendor,
    headers: &[(String, String)],
    body: &[u8],
) -> StatusCode {
    match callbacks::parse(vendor, headers, body) {
        Ok(events) => {
            for event in events.into_iter().filter(|e| state.dedupe.first_time(e)) {
                let _ = state.events.send(event);
            }
            StatusCode::OK
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

async fn huawei_push(
    State(state): State<Arc<ReceiverState>>,
    UrlPath(kind): UrlPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let headers = header_pairs(&headers);
    let verifier = if kind == "fee" {
        &state.fee
    } else {
        &state.status
    };
    if let Err(e) = verifier.verify(&headers) {
        eprintln!("  refused a push: {e}");
        return StatusCode::UNAUTHORIZED;
    }
    deliver(&state, Vendor::Huawei, &headers, &body)
}

/// cloud10658 receipts, Alibaba Cloud reports and Tencent callbacks carry no signature: the
/// secret in the URL is what authenticates them. Each vendor expects its own acknowledgement.
async fn url_secret_push(
    State(state): State<Arc<ReceiverState>>,
    UrlPath((vendor, token)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, [(HeaderName, &'static str); 1], &'static str) {
    let vendor = match Vendor::from_arg(&vendor) {
        Ok(v @ (Vendor::Cloud10658 | Vendor::Aliyun | Vendor::Tencent))
            if token == RECEIPT_TOKEN =>
        {
            v
        }
        _ => return (StatusCode::NOT_FOUND, [(CONTENT_TYPE, "text/plain")], ""),
    };
    let status = deliver(&state, vendor, &header_pairs(&headers), &body);
    let ack = callbacks::push_ack(vendor).unwrap_or(PushAck::EMPTY);
    let body = match (vendor, status == StatusCode::OK) {
        (_, true) => ack.body,
        // Tencent reads `result` 1 as "not taken".
        (Vendor::Tencent, false) => r#"{"result":1,"errmsg":"unreadable callback"}"#,
        _ => "",
    };
    (status, [(CONTENT_TYPE, ack.content_type)], body)
}
