//! The fault matrix: every vendor × every send-like operation it has × every way an answer can
//! go wrong → the kind and outcome the README's error tables give, within the timeout plus
//! 200 ms, with exactly one request at the vendor (never a resend; none when the port is
//! closed). Then the same faults on the first channel of a two-channel `Router`: it moves on to
//! the healthy second channel only where no call can have been placed (`not_sent`).
//!
//! The matrix covers vendors and products added later by itself: it walks every product of
//! every vendor (voice and SMS) and every operation,
//! and skips an operation where the core answers that the vendor lacks it (`invalid_config` on
//! `vendor`). Each vendor runs on a thread of its own with simulators of its own, so that the
//! timeouts overlap; the whole matrix takes a few seconds. Its table is written to stderr
//! directly, past the test harness's capture, so that every run shows it.

mod common;

use std::io::Write as _;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use voicecode::{
    ChannelConfig, Client, Error, ErrorKind, Outcome, Product, Router, SendCode, SendSmsCode,
    SmsPurpose, Vendor, VerifyCaptcha,
};

/// A vendor's product: what the matrix crosses with every fault.
type Target = (Vendor, Product);
use voicecode_sim::{Fault, Simulator};

/// The client's timeout: short, so that the timeouts in the matrix cost little.
const TIMEOUT_MS: u64 = 300;
/// How long past the timeout a failure may take to come back.
const SLACK_MS: u64 = 200;

/// A send-like operation: one that may place a call or send a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    SendCode,
    Captcha,
    VerifyCaptcha,
    SendSmsCode,
}

const OPS: [Op; 4] = [
    Op::SendCode,
    Op::Captcha,
    Op::VerifyCaptcha,
    Op::SendSmsCode,
];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::SendCode => "send_code",
            Op::Captcha => "captcha",
            Op::VerifyCaptcha => "verify_captcha",
            Op::SendSmsCode => "send_sms_code",
        }
    }

    /// Whether the vendor has this operation, asked of the protocol layer (no I/O): the core
    /// refuses an operation a vendor lacks as `invalid_config` on `vendor`.
    fn supported_by(self, client: &Client) -> bool {
        let channel = client.channel();
        let built = match self {
            Op::SendCode => channel.check_send_code(&send_code(0)),
            Op::Captcha => channel.captcha_request().map(drop),
            Op::VerifyCaptcha => channel.verify_captcha_request(&verify_captcha(0)).map(drop),
            Op::SendSmsCode => channel.send_sms_code_request(&send_sms_code(0)).map(drop),
        };
        match built {
            Ok(()) => true,
            Err(e) if e.kind() == ErrorKind::InvalidConfig && e.field() == Some("vendor") => false,
            Err(e) => panic!(
                "{}: {} is refused locally: {e}",
                client.vendor(),
                self.name()
            ),
        }
    }

    fn call(self, client: &Client, n: u32) -> Result<(), Error> {
        match self {
            Op::SendCode => client.send_code(&send_code(n)).map(drop),
            Op::Captcha => client.captcha().map(drop),
            Op::VerifyCaptcha => client.verify_captcha(&verify_captcha(n)).map(drop),
            Op::SendSmsCode => client.send_sms_code(&send_sms_code(n)).map(drop),
        }
    }
}

fn send_code(n: u32) -> SendCode {
    SendCode::new(mobile(n), "4821")
}

fn verify_captcha(n: u32) -> VerifyCaptcha {
    // The fault answers before the vendor looks at the token.
    VerifyCaptcha {
        token: "fault-matrix-token".into(),
        x: 237.0,
        y: 5.0,
        mobile: mobile(n),
    }
}

fn send_sms_code(n: u32) -> SendSmsCode {
    SendSmsCode {
        mobile: mobile(n),
        purpose: SmsPurpose::Login,
        captcha_token: "fault-matrix-token".into(),
    }
}

/// One column of the matrix: what goes wrong, and what the caller must be told.
struct Case {
    name: &'static str,
    /// `None`: nothing listens on the port.
    fault: Option<Fault>,
    kind: ErrorKind,
    outcome: Outcome,
}

fn cases() -> Vec<Case> {
    use ErrorKind::*;
    use Outcome::*;
    let case = |name, fault, kind, outcome| Case {
        name,
        fault,
        kind,
        outcome,
    };
    vec![
        case(
            "latency",
            Some(Fault::Latency(Duration::from_millis(TIMEOUT_MS * 7))),
            Timeout,
            Unknown,
        ),
        case("hang", Some(Fault::Hang { times: 1 }), Timeout, Unknown),
        case(
            "reset_before_answer",
            Some(Fault::ResetBeforeAnswer { times: 1 }),
            Network,
            Unknown,
        ),
        case(
            "reset_mid_body",
            Some(Fault::TruncatedBody { times: 1 }),
            Network,
            Unknown,
        ),
        case(
            "http_500",
            Some(Fault::Http500 { times: 1 }),
            Protocol,
            Unknown,
        ),
        case(
            "http_502_html",
            Some(Fault::Http5xxHtml { times: 1 }),
            Protocol,
            Unknown,
        ),
        case(
            "truncated_json",
            Some(Fault::TruncatedJson { times: 1 }),
            Protocol,
            Unknown,
        ),
        case(
            "truncated_xml",
            Some(Fault::TruncatedXml { times: 1 }),
            Protocol,
            Unknown,
        ),
        case(
            "non_utf8",
            Some(Fault::NonUtf8Body { times: 1 }),
            Protocol,
            Unknown,
        ),
        case(
            "oversized_1mib",
            Some(Fault::OversizedBody { times: 1 }),
            Protocol,
            Unknown,
        ),
        case(
            "huge_10mib",
            Some(Fault::HugeBody { times: 1 }),
            Protocol,
            Unknown,
        ),
        case(
            "slow_drip",
            Some(Fault::SlowDrip { times: 1 }),
            Timeout,
            Unknown,
        ),
        case("connection_refused", None, Network, NotSent),
    ]
}

/// A distinct number per call across the whole matrix (cloud10658 calls a number once a minute).
fn next_n() -> u32 {
    static N: AtomicU32 = AtomicU32::new(100);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A `base_url` where nothing listens: a port the OS just handed out and took back.
fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn config(sim: &Simulator, target: Target, base_url: Option<String>) -> ChannelConfig {
    let mut changes = json!({ "timeout_ms": TIMEOUT_MS });
    if let Some(url) = base_url {
        changes["base_url"] = json!(url);
    }
    product_config_with(sim, target, changes)
}

/// One cell's result, as the table shows it.
struct Row {
    target: Target,
    layer: &'static str,
    op: &'static str,
    case: &'static str,
    got: String,
    elapsed: Duration,
    /// Requests the faulted vendor received, and the healthy second channel (routers only).
    journal: usize,
    second: Option<usize>,
    problems: Vec<String>,
}

/// Runs `call` against a fresh client of `sim` (or a closed port), with `case`'s fault injected.
fn faulted<T>(
    sim: &Simulator,
    target: Target,
    case: &Case,
    call: impl FnOnce(ChannelConfig) -> T,
) -> (T, Duration, usize) {
    sim.clear_faults();
    let before = sim.journal().len();
    let base_url = match &case.fault {
        Some(fault) => {
            sim.inject(target.0, fault.clone());
            None
        }
        None => Some(closed_port_url()),
    };
    let config = config(sim, target, base_url);
    let started = Instant::now();
    let result = call(config);
    let elapsed = started.elapsed();
    sim.clear_faults();
    (result, elapsed, sim.journal().len() - before)
}

fn check_error(result: &Result<(), Error>, vendor: Vendor, case: &Case) -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let got = match result {
        Ok(()) => {
            problems.push("succeeded".to_owned());
            "ok".to_owned()
        }
        Err(e) => {
            if (e.kind(), e.outcome()) != (case.kind, case.outcome) {
                problems.push(format!(
                    "expected {}/{}: {e}",
                    case.kind.as_str(),
                    case.outcome.as_str()
                ));
            }
            if e.vendor() != Some(vendor) {
                problems.push(format!("error names vendor {:?}", e.vendor()));
            }
            format!("{}/{}", e.kind().as_str(), e.outcome().as_str())
        }
    };
    (got, problems)
}

fn check_timing_and_journal(
    elapsed: Duration,
    journal: usize,
    case: &Case,
    problems: &mut Vec<String>,
) {
    if elapsed > Duration::from_millis(TIMEOUT_MS + SLACK_MS) {
        problems.push(format!("took {elapsed:?}"));
    }
    let expected = usize::from(case.fault.is_some());
    if journal != expected {
        problems.push(format!(
            "the vendor received {journal} requests, expected {expected}"
        ));
    }
}

/// Every operation of `target` under every fault, through a client.
fn client_rows(target: Target) -> Vec<Row> {
    let (vendor, _) = target;
    let sim = start();
    let probe = Client::new(config(&sim, target, None)).expect("client");
    let mut rows = Vec::new();
    for op in OPS.into_iter().filter(|op| op.supported_by(&probe)) {
        for case in cases() {
            let (result, elapsed, journal) = faulted(&sim, target, &case, |config| {
                let client = Client::new(config).expect("client");
                op.call(&client, next_n())
            });
            let (got, mut problems) = check_error(&result, vendor, &case);
            check_timing_and_journal(elapsed, journal, &case, &mut problems);
            rows.push(Row {
                target,
                layer: "client",
                op: op.name(),
                case: case.name,
                got,
                elapsed,
                journal,
                second: None,
                problems,
            });
        }
    }
    rows
}

/// Every fault on the first of two channels of `target` (the second, on a healthy simulator of
/// its own, is the same product, so that any product that sends codes can be tested alone).
fn router_rows(target: Target) -> Vec<Row> {
    let (vendor, _) = target;
    let sim = start();
    let healthy = start();
    let probe = Client::new(config(&sim, target, None)).expect("client");
    if !Op::SendCode.supported_by(&probe) {
        return Vec::new();
    }
    let mut rows = Vec::new();
    for case in cases() {
        let second_before = healthy.journal().len();
        let (result, elapsed, journal) = faulted(&sim, target, &case, |config| {
            let second = product_config_with(&healthy, target, json!({}));
            let router = Router::new(vec![config, second]).expect("router");
            router.send_code(&send_code(next_n()))
        });
        let second = healthy.journal().len() - second_before;
        let mut problems = Vec::new();
        let got = match &result {
            Ok(receipt) => {
                if case.outcome != Outcome::NotSent {
                    problems.push(format!(
                        "moved on after {}/{}",
                        case.kind.as_str(),
                        case.outcome.as_str()
                    ));
                }
                format!("ok via second ({})", receipt.vendor)
            }
            Err(e) => {
                if case.outcome == Outcome::NotSent {
                    problems.push(format!("did not move on: {e}"));
                }
                let (got, more) = check_error(&Err(e.clone()), vendor, &case);
                problems.extend(more);
                if e.attempts().len() != 1 {
                    problems.push(format!(
                        "{} attempts: {:?}",
                        e.attempts().len(),
                        e.attempts()
                    ));
                }
                got
            }
        };
        check_timing_and_journal(elapsed, journal, &case, &mut problems);
        let expected_second = usize::from(case.outcome == Outcome::NotSent);
        if second != expected_second {
            problems.push(format!(
                "the second channel received {second} requests, expected {expected_second}"
            ));
        }
        rows.push(Row {
            target,
            layer: "router",
            op: "send_code",
            case: case.name,
            got,
            elapsed,
            journal,
            second: Some(second),
            problems,
        });
    }
    rows
}

/// `aliyun`, `aliyun sms`: a vendor's voice product goes by the vendor's name.
fn label((vendor, product): Target) -> String {
    match product {
        Product::Voice => vendor.to_string(),
        _ => format!("{vendor} {product}"),
    }
}

fn print_table(rows: &[Row]) {
    let mut text = String::from(
        "\nfault matrix (timeout 300 ms; journal = requests at the faulted vendor, then at the \
         router's second channel)\n",
    );
    text.push_str(&format!(
        "{:<16} {:<6} {:<14} {:<19} {:<26} {:>8} {:>7}  {}\n",
        "vendor", "layer", "operation", "fault", "kind/outcome", "elapsed", "journal", "result"
    ));
    for row in rows {
        let journal = match row.second {
            Some(second) => format!("{}+{second}", row.journal),
            None => row.journal.to_string(),
        };
        let verdict = if row.problems.is_empty() {
            "ok".to_owned()
        } else {
            format!("FAIL: {}", row.problems.join("; "))
        };
        text.push_str(&format!(
            "{:<16} {:<6} {:<14} {:<19} {:<26} {:>6}ms {:>7}  {verdict}\n",
            label(row.target),
            row.layer,
            row.op,
            row.case,
            row.got,
            row.elapsed.as_millis(),
            journal,
        ));
    }
    // Straight to the process's stderr: the harness captures print!/eprint! but not this, so the
    // table shows in every run, passing or failing.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[test]
fn every_vendor_operation_and_fault_gives_the_documented_kind_in_time_with_one_request() {
    let rows: Vec<Row> = std::thread::scope(|scope| {
        let threads: Vec<_> = targets()
            .into_iter()
            .map(|target| {
                scope.spawn(move || {
                    let mut rows = client_rows(target);
                    rows.extend(router_rows(target));
                    rows
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().expect("no panic"))
            .collect()
    });
    print_table(&rows);
    let cells = rows.len();
    let failures: Vec<String> = rows
        .iter()
        .filter(|r| !r.problems.is_empty())
        .map(|r| {
            format!(
                "{} {} {} {}: {}",
                label(r.target),
                r.layer,
                r.op,
                r.case,
                r.problems.join("; ")
            )
        })
        .collect();
    // Every product has at least one send-like operation, and each is crossed with every fault.
    for target in targets() {
        assert!(
            rows.iter().filter(|r| r.target == target).count() >= cases().len(),
            "{} has no send-like operation in the matrix",
            label(target)
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One answer that leaves the call's fate open although the vendor answered with a code: what to
/// inject, and the code and HTTP status the caller must see verbatim.
struct OpenAnswer {
    inject: String,
    vendor_code: String,
    http_status: Option<u16>,
}

/// Every row of `target`'s code tables as (what to inject, the code the caller sees, kind,
/// outcome). A new vendor or product must add its tables here (the match has no catch-all).
fn table(target: Target) -> Vec<(String, String, ErrorKind, Outcome)> {
    use voicecode::protocol::codes;
    let plain = |tables: &[&[(&str, ErrorKind, Outcome)]]| {
        tables
            .iter()
            .flat_map(|rows| rows.iter())
            .map(|&(code, kind, outcome)| (code.to_owned(), code.to_owned(), kind, outcome))
            .collect()
    };
    let (vendor, product) = target;
    match (vendor, product) {
        (Vendor::Ihuyi, Product::Sms) => plain(&[codes::IHUYI_SMS]),
        (Vendor::Aliyun, Product::Sms) => plain(&[codes::ALIYUN_SMS, codes::ALIYUN_GATEWAY]),
        (Vendor::Tencent, Product::Sms) => plain(&[codes::TENCENT_SMS, codes::TENCENT_COMMON]),
        // A number's status is injected as itself: the simulator answers it under E000510.
        (Vendor::Huawei, Product::Sms) => codes::HUAWEI_SMS
            .iter()
            .map(|&(status, code, kind, outcome)| {
                (format!("{status}:{code}"), code.to_owned(), kind, outcome)
            })
            .chain(plain(&[
                codes::HUAWEI_SMS_GATEWAY,
                codes::HUAWEI_SMS_STATUS,
            ]))
            .collect(),
        (vendor, Product::Sms) => panic!("{vendor} sms: add its code tables to the matrix"),
        (Vendor::Ytx, _) => plain(&[codes::YTX]),
        (Vendor::Ihuyi, _) => plain(&[codes::IHUYI]),
        (Vendor::Oneaccess, _) => plain(&[codes::ONEACCESS]),
        (Vendor::Aliyun, _) => plain(&[codes::ALIYUN, codes::ALIYUN_GATEWAY]),
        (Vendor::Tencent, _) => plain(&[codes::TENCENT, codes::TENCENT_COMMON]),
        // The simulator takes "status:code" for a code listed under two statuses.
        (Vendor::Huawei, _) => codes::HUAWEI
            .iter()
            .map(|&(status, code, kind, outcome)| {
                (format!("{status}:{code}"), code.to_owned(), kind, outcome)
            })
            .collect(),
        // The reason is the message; the code is always "0".
        (Vendor::Cloud10658, _) => codes::CLOUD10658
            .iter()
            .map(|&(message, kind, outcome)| (message.to_owned(), "0".to_owned(), kind, outcome))
            .collect(),
    }
}

/// For `target`: its error answer under HTTP 500, 502 and 503, using a refusal a router would
/// otherwise move on after; then every code its tables mark `unknown`, with its usual status.
fn open_answers(target: Target) -> Vec<OpenAnswer> {
    let rows = table(target);
    // Under a 2xx or 4xx this code lets a router move on (OneAccess, which a router does not
    // carry, has none of those: any of its refusals will do).
    let refused =
        |(.., outcome): &&(String, String, ErrorKind, Outcome)| *outcome == Outcome::Refused;
    let (inject, code, ..) = rows
        .iter()
        .filter(refused)
        .find(|(.., kind, _)| {
            matches!(
                kind,
                ErrorKind::RateLimited | ErrorKind::InsufficientBalance | ErrorKind::Forbidden
            )
        })
        .or_else(|| rows.iter().find(refused))
        .unwrap_or_else(|| panic!("{} documents no refusal", label(target)));
    // A bare code under a status prefix: the simulator answers the code's body with that status.
    let bare = inject.rsplit_once(':').map_or(inject.as_str(), |(_, c)| c);
    let mut answers: Vec<OpenAnswer> = [500, 502, 503]
        .into_iter()
        .map(|status| OpenAnswer {
            inject: format!("{status}:{bare}"),
            vendor_code: code.clone(),
            http_status: Some(status),
        })
        .collect();
    answers.extend(
        rows.into_iter()
            .filter(|(.., outcome)| *outcome == Outcome::Unknown)
            .map(|(inject, vendor_code, ..)| OpenAnswer {
                http_status: inject
                    .split_once(':')
                    .and_then(|(status, _)| status.parse().ok()),
                inject,
                vendor_code,
            }),
    );
    answers
}

/// One way to send through a fresh channel config: a router's `send_code`, or a client operation.
type Run<'a> = Box<dyn Fn(ChannelConfig) -> Result<(), Error> + 'a>;

/// Checks one failure against an open answer; the problems found.
fn check_open(result: Result<(), Error>, vendor: Vendor, answer: &OpenAnswer) -> Vec<String> {
    let e = match result {
        Ok(()) => return vec!["succeeded".to_owned()],
        Err(e) => e,
    };
    let mut problems = Vec::new();
    if (e.outcome(), e.retryable()) != (Outcome::Unknown, false) {
        problems.push(format!("expected unknown, not retryable: {e}"));
    }
    if (e.vendor(), e.vendor_code()) != (Some(vendor), Some(answer.vendor_code.as_str())) {
        problems.push(format!(
            "expected {vendor} code {}: {:?} {:?}",
            answer.vendor_code,
            e.vendor(),
            e.vendor_code()
        ));
    }
    if answer.http_status.is_some() && e.http_status() != answer.http_status {
        problems.push(format!(
            "expected HTTP {:?}, got {:?}",
            answer.http_status,
            e.http_status()
        ));
    }
    problems
}

/// Every open answer of `target` on the first of two channels of a router (a client for each
/// operation where the vendor places no calls): one request at the vendor, none at the second.
/// Returns how many were tried, and the failures.
fn open_answer_failures(target: Target) -> (usize, Vec<String>) {
    let (vendor, _) = target;
    let sim = start();
    let healthy = start();
    let probe = Client::new(config(&sim, target, None)).expect("client");
    let mut failures = Vec::new();
    let mut tried = 0;
    for answer in open_answers(target) {
        let runs: Vec<(&str, Run)> = if Op::SendCode.supported_by(&probe) {
            let healthy = &healthy;
            vec![(
                "router",
                Box::new(move |config| {
                    let second = product_config_with(healthy, target, json!({}));
                    let router = Router::new(vec![config, second]).expect("router");
                    router.send_code(&send_code(next_n())).map(drop)
                }),
            )]
        } else {
            OPS.into_iter()
                .filter(|op| op.supported_by(&probe))
                .map(|op| {
                    let run: Run = Box::new(move |config| {
                        op.call(&Client::new(config).expect("client"), next_n())
                    });
                    (op.name(), run)
                })
                .collect()
        };
        for (layer, run) in runs {
            tried += 1;
            let case = Case {
                name: "open answer",
                fault: Some(Fault::VendorCode {
                    code: answer.inject.clone(),
                    times: 1,
                }),
                kind: ErrorKind::VendorError,
                outcome: Outcome::Unknown,
            };
            let second_before = healthy.journal().len();
            let (result, _, journal) = faulted(&sim, target, &case, run);
            let mut problems = check_open(result, vendor, &answer);
            if journal != 1 {
                problems.push(format!(
                    "the vendor received {journal} requests, expected 1"
                ));
            }
            let second = healthy.journal().len() - second_before;
            if second != 0 {
                problems.push(format!("the second channel received {second} requests"));
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{} {layer} {}: {}",
                    label(target),
                    answer.inject,
                    problems.join("; ")
                ));
            }
        }
    }
    (tried, failures)
}

#[test]
fn server_errors_and_codes_that_leave_the_call_open_are_unknown_and_never_fail_over() {
    let results: Vec<(Target, usize, Vec<String>)> = std::thread::scope(|scope| {
        let threads: Vec<_> = targets()
            .into_iter()
            .map(|target| {
                scope.spawn(move || {
                    let (tried, failures) = open_answer_failures(target);
                    (target, tried, failures)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("no panic"))
            .collect()
    });
    for (target, tried, _) in &results {
        // At least the three server errors, on every send-like path of the product.
        assert!(
            *tried >= 3,
            "{}: only {tried} open answers tried",
            label(*target)
        );
    }
    let failures: Vec<&String> = results.iter().flat_map(|(.., f)| f).collect();
    assert!(
        failures.is_empty(),
        "{} open answers misread:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
