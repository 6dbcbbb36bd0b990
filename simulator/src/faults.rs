//! Injected faults: what a real vendor (or the network in between) does on a bad day.
//!
//! A fault belongs to one vendor and hits that vendor's next requests, whatever the operation.
//! Counted faults are used up first in, first out; `Latency` delays every answer until the
//! faults are cleared. Each fault is chosen to exercise one branch of the client's error model:
//! a vendor code is a refusal (`Refused`) unless the vendor's table says the code leaves the
//! call's fate open or it comes with an HTTP 5xx, and everything else leaves the client unable
//! to know whether the vendor acted (`Unknown`): a timeout, a broken connection, an unreadable
//! answer.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use voicecode::Vendor;

use crate::journal::Verdict;

/// Something to go wrong on a vendor's next requests. Its snake_case name (`Fault::name`) is
/// what the admin API, the journal and every binding call it.
#[derive(
    Debug, Clone, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::VariantNames,
)]
#[strum(serialize_all = "snake_case")]
pub enum Fault {
    /// Wait this long before answering, on every request until cleared.
    Latency(Duration),
    /// Answer the next `times` requests with this vendor code, in the vendor's own shape.
    /// Huawei answers with the HTTP status of the code's first row in the vendor's table;
    /// write `"403:1010010"` to choose another row of a code listed twice. For cloud10658 the
    /// code is the message text (`余额不足`), its only reason. Alibaba Cloud's gateway codes take
    /// their documented status, `isv.*` codes 200; `"403:Forbidden.Custom"` names one.
    /// For every vendor, a status before a colon sends the vendor's own error answer under that
    /// status: `"500:-204"` is ytx's `-204` body with HTTP 500, a server failing as it writes
    /// its usual error.
    VendorCode {
        /// The vendor's code.
        code: String,
        /// How many requests get it.
        times: u32,
    },
    /// HTTP 502 with an HTML page, as a load balancer in front of the vendor answers.
    #[strum(serialize = "http_5xx_html")]
    Http5xxHtml {
        /// How many requests get it.
        times: u32,
    },
    /// HTTP 500 with a plain-text body, as a crashed application server answers.
    #[strum(serialize = "http_500")]
    Http500 {
        /// How many requests get it.
        times: u32,
    },
    /// Read the request in full, then close the connection without a byte of answer.
    ResetBeforeAnswer {
        /// How many requests get it.
        times: u32,
    },
    /// Read the request and never answer: the client's timeout must fire.
    Hang {
        /// How many requests get it.
        times: u32,
    },
    /// Announce a full answer in `Content-Length`, send half of it, close the connection: a
    /// reset in the middle of the body.
    TruncatedBody {
        /// How many requests get it.
        times: u32,
    },
    /// HTTP 200, correctly framed, whose JSON body stops halfway through a success answer
    /// (a gateway that buffered part of it, a vendor that crashed while writing).
    TruncatedJson {
        /// How many requests get it.
        times: u32,
    },
    /// The same with an XML body (ihuyi answers in XML too).
    TruncatedXml {
        /// How many requests get it.
        times: u32,
    },
    /// HTTP 200 and its headers at once, then the body one byte a second: only a timeout on
    /// the whole exchange, not on each read, ends it.
    SlowDrip {
        /// How many requests get it.
        times: u32,
    },
    /// HTTP 200 with a body that is not UTF-8.
    NonUtf8Body {
        /// How many requests get it.
        times: u32,
    },
    /// HTTP 200 with a body larger than 1 MiB, which no vendor answer is.
    OversizedBody {
        /// How many requests get it.
        times: u32,
    },
    /// HTTP 200 with a 10 MiB body streamed without `Content-Length`, so that only the
    /// client's own cap stops it.
    HugeBody {
        /// How many requests get it.
        times: u32,
    },
}

impl Fault {
    /// The snake_case name used by the admin API and the journal.
    pub fn name(&self) -> &'static str {
        self.into()
    }

    /// How many more requests a counted fault answers; `None` for latency.
    fn times_mut(&mut self) -> Option<&mut u32> {
        match self {
            Fault::Latency(_) => None,
            Fault::VendorCode { times, .. }
            | Fault::Http5xxHtml { times }
            | Fault::Http500 { times }
            | Fault::ResetBeforeAnswer { times }
            | Fault::Hang { times }
            | Fault::TruncatedBody { times }
            | Fault::TruncatedJson { times }
            | Fault::TruncatedXml { times }
            | Fault::SlowDrip { times }
            | Fault::NonUtf8Body { times }
            | Fault::OversizedBody { times }
            | Fault::HugeBody { times } => Some(times),
        }
    }

    /// The same counted fault for `times` requests.
    fn with_times(mut self, times: u32) -> Fault {
        if let Some(t) = self.times_mut() {
            *t = times;
        }
        self
    }

    fn times(&self) -> Option<u32> {
        self.clone().times_mut().copied()
    }

    /// How the journal shows a request this fault answered.
    pub(crate) fn verdict(&self) -> Verdict {
        let code = match self {
            Fault::VendorCode { code, .. } => Some(code.clone()),
            _ => None,
        };
        Verdict::Fault {
            fault: self.name().to_owned(),
            code,
        }
    }
}

/// Pending faults, per vendor.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    vendors: HashMap<Vendor, Pending>,
}

#[derive(Debug, Default)]
struct Pending {
    latency: Option<Duration>,
    /// Counted faults, each with the number of requests it still answers.
    queue: VecDeque<Fault>,
}

impl FaultBook {
    pub(crate) fn inject(&mut self, vendor: Vendor, fault: Fault) {
        let pending = self.vendors.entry(vendor).or_default();
        match (&fault, fault.times()) {
            (Fault::Latency(delay), _) => pending.latency = Some(*delay),
            (_, Some(times)) if times > 0 => pending.queue.push_back(fault),
            _ => {}
        }
    }

    pub(crate) fn clear(&mut self) {
        self.vendors.clear();
    }

    /// The latency to apply and the fault that answers this request, using one count of it
    /// (returned with a count of 1).
    pub(crate) fn take(&mut self, vendor: Vendor) -> (Option<Duration>, Option<Fault>) {
        let Some(pending) = self.vendors.get_mut(&vendor) else {
            return (None, None);
        };
        let fault = pending.queue.pop_front().map(|fault| {
            let left = fault.times().unwrap_or(1).saturating_sub(1);
            if left > 0 {
                pending.queue.push_front(fault.clone().with_times(left));
            }
            fault.with_times(1)
        });
        (pending.latency, fault)
    }

    /// Every pending fault with its remaining count, vendors in their usual order.
    pub(crate) fn pending(&self) -> Vec<(Vendor, Fault)> {
        let mut list = Vec::new();
        for vendor in Vendor::ALL {
            let Some(pending) = self.vendors.get(&vendor) else {
                continue;
            };
            let latency = pending.latency.map(Fault::Latency);
            list.extend(
                latency
                    .iter()
                    .chain(&pending.queue)
                    .map(|f| (vendor, f.clone())),
            );
        }
        list
    }
}

/// A fault as the admin API writes it:
/// `{"vendor":"huawei","fault":"vendor_code","code":"1010009","times":1}`,
/// `{"vendor":"ytx","fault":"latency","ms":250}`. `times` defaults to 1.
///
/// Public so that every binding reads faults in this one shape (C's `vc_sim_inject_json`,
/// Python and Node keyword arguments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub vendor: Vendor,
    pub fault: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
}

impl FaultSpec {
    pub fn from_fault(vendor: Vendor, fault: &Fault) -> Self {
        let (code, ms) = match fault {
            Fault::Latency(delay) => (
                None,
                Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)),
            ),
            Fault::VendorCode { code, .. } => (Some(code.clone()), None),
            _ => (None, None),
        };
        FaultSpec {
            vendor,
            fault: fault.name().to_owned(),
            code,
            times: fault.times(),
            ms,
        }
    }

    /// The fault, or what is wrong with the spec.
    pub fn to_fault(&self) -> Result<Fault, String> {
        let names = <Fault as strum::VariantNames>::VARIANTS;
        let parsed: Fault =
            (self.fault.parse()).map_err(|_| crate::wire::unknown("fault", &self.fault, names))?;
        let mut fault = parsed.with_times(self.times.unwrap_or(1));
        match &mut fault {
            Fault::Latency(delay) => {
                *delay = Duration::from_millis(self.ms.ok_or("latency needs \"ms\"")?);
            }
            Fault::VendorCode { code, .. } => {
                let given = self.code.as_ref().filter(|c| !c.is_empty());
                *code = given.ok_or("vendor_code needs \"code\"")?.clone();
            }
            _ => {}
        }
        Ok(fault)
    }
}

/// More than the 1 MiB the client accepts.
const OVERSIZED_LEN: usize = (1 << 20) + 4096;

/// `huge_body`: 10 MiB, in chunks of 64 KiB.
const HUGE_CHUNK: usize = 64 * 1024;
const HUGE_CHUNKS: usize = 160;

/// `truncated_json`: a success answer with every vendor's success fields, cut off in the middle.
const TRUNCATED_JSON: &str =
    r#"{"statusCode":"0","statusMsg":"提交成功","code":"0","resultcode":"0","requestId":"2016010"#;

/// `truncated_xml`: an ihuyi-style success answer, cut off before its root element closes.
const TRUNCATED_XML: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
<SubmitResult xmlns=\"http://106.ihuyi.com/\">\n<code>2</code>\n<msg>提交成功</msg>\n<voiceid>1";

/// `slow_drip`: the answer dripped out, and the pause between its bytes.
const DRIP_BODY: &str =
    r#"{"statusCode":"0","code":"0","resultcode":"0","note":"dripped by voicecode-sim"}"#;
const DRIP_INTERVAL: Duration = Duration::from_secs(1);

const BAD_GATEWAY_PAGE: &str =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// Lets a fault drop the connection its request came on. The server's accept loop puts one in
/// each request's extensions and closes the connection when it is aborted: a handler cannot
/// close its own connection, and `reset_before_answer` must, after reading the request and
/// before any byte of an answer.
#[derive(Clone, Default)]
pub(crate) struct ConnControl(Arc<Notify>);

impl ConnControl {
    /// Closes the connection without answering.
    pub(crate) fn abort(&self) {
        // `notify_one` stores a permit, so an abort before the connection task waits still counts.
        self.0.notify_one();
    }

    /// Resolves once [`ConnControl::abort`] was called.
    pub(crate) async fn aborted(&self) {
        self.0.notified().await;
    }
}

/// Answers (or does not answer) a request the way the fault says; `refusal` is the vendor's
/// own answer with a code, for `vendor_code`.
pub(crate) async fn respond(
    fault: Fault,
    vendor: Vendor,
    conn: Option<&ConnControl>,
    refusal: impl FnOnce(&str) -> Response,
) -> Response {
    let json = [(header::CONTENT_TYPE, "application/json;charset=UTF-8")];
    match fault {
        Fault::VendorCode { code, .. } => match with_status(&code) {
            Some((status, code)) => {
                let mut response = refusal(code);
                *response.status_mut() = status;
                response
            }
            None => refusal(&code),
        },
        Fault::Http5xxHtml { .. } => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            BAD_GATEWAY_PAGE,
        )
            .into_response(),
        Fault::ResetBeforeAnswer { .. } => match conn {
            Some(conn) => {
                conn.abort();
                // The connection task drops this future together with the connection.
                std::future::pending().await
            }
            // Not served by our accept loop: break the answer instead (headers, then an error).
            None => Response::new(Body::from_stream(futures_util::stream::once(async {
                Err::<Bytes, _>(std::io::Error::other("connection reset by voicecode-sim"))
            }))),
        },
        Fault::Http500 { .. } => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain")],
            "Internal Server Error\n",
        )
            .into_response(),
        // Latency delays answers and is never queued, so it cannot arrive here; were it to,
        // hanging is the answer closest to a delay.
        Fault::Hang { .. } | Fault::Latency(_) => std::future::pending().await,
        Fault::TruncatedBody { .. } => truncated(vendor),
        Fault::TruncatedJson { .. } => (StatusCode::OK, json, TRUNCATED_JSON).into_response(),
        Fault::TruncatedXml { .. } => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/xml;charset=utf-8")],
            TRUNCATED_XML,
        )
            .into_response(),
        Fault::SlowDrip { .. } => slow_drip(),
        Fault::NonUtf8Body { .. } => (
            StatusCode::OK,
            json,
            &b"{\"statusCode\":\"\xff\xfe\xfd\"}"[..],
        )
            .into_response(),
        Fault::OversizedBody { .. } => {
            let mut body = Vec::with_capacity(OVERSIZED_LEN + 16);
            body.extend_from_slice(b"{\"padding\":\"");
            body.resize(OVERSIZED_LEN, b'x');
            body.extend_from_slice(b"\"}");
            (StatusCode::OK, json, body).into_response()
        }
        Fault::HugeBody { .. } => {
            let chunk = Bytes::from(vec![b' '; HUGE_CHUNK]);
            let chunks = std::iter::repeat_n(chunk, HUGE_CHUNKS).map(Ok::<_, std::io::Error>);
            let mut response = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json;charset=UTF-8"),
            );
            response
        }
    }
}

/// `"500:InternalError"` → HTTP 500 and the bare code; `None` without a status prefix.
fn with_status(code: &str) -> Option<(StatusCode, &str)> {
    let (status, code) = code.split_once(':')?;
    if status.len() != 3 || !status.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((StatusCode::from_bytes(status.as_bytes()).ok()?, code))
}

/// Headers at once, with the body's full length; then one byte per [`DRIP_INTERVAL`]. The
/// stream ends when the client goes away (hyper drops it on the first failed write).
fn slow_drip() -> Response {
    let bytes = Bytes::from_static(DRIP_BODY.as_bytes());
    let length = bytes.len();
    let stream = futures_util::stream::iter(0..length).then(move |i| {
        let byte = bytes.slice(i..i + 1);
        async move {
            if i > 0 {
                tokio::time::sleep(DRIP_INTERVAL).await;
            }
            Ok::<Bytes, std::io::Error>(byte)
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(header::CONTENT_LENGTH, header::HeaderValue::from(length));
    response
}

/// `Content-Length` promises the whole answer; half of it arrives, then the connection breaks.
fn truncated(vendor: Vendor) -> Response {
    let full = Bytes::from(format!(
        r#"{{"vendor":"{vendor}","note":"this answer is cut off by voicecode-sim","padding":"{}"}}"#,
        "x".repeat(200)
    ));
    let length = full.len();
    let half = full.slice(..length / 2);
    // The pause lets the half that was sent be flushed before the stream fails and the
    // connection is dropped.
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(half) })
        .chain(futures_util::stream::once(async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Err(std::io::Error::other("answer truncated by voicecode-sim"))
        }));
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(header::CONTENT_LENGTH, header::HeaderValue::from(length));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_fault() -> Vec<Fault> {
        vec![
            Fault::Latency(Duration::from_millis(250)),
            Fault::VendorCode {
                code: "-204".into(),
                times: 2,
            },
            Fault::Http5xxHtml { times: 1 },
            Fault::Http500 { times: 2 },
            Fault::ResetBeforeAnswer { times: 3 },
            Fault::Hang { times: 1 },
            Fault::TruncatedBody { times: 1 },
            Fault::TruncatedJson { times: 1 },
            Fault::TruncatedXml { times: 1 },
            Fault::SlowDrip { times: 1 },
            Fault::NonUtf8Body { times: 1 },
            Fault::OversizedBody { times: 4 },
            Fault::HugeBody { times: 1 },
        ]
    }

    #[test]
    fn every_fault_survives_the_admin_spec_round_trip() {
        for fault in every_fault() {
            let spec = FaultSpec::from_fault(Vendor::Ytx, &fault);
            assert_eq!(spec.fault, fault.name());
            let json = serde_json::to_value(&spec).unwrap();
            let back: FaultSpec = serde_json::from_value(json).unwrap();
            assert_eq!(back.to_fault().unwrap(), fault);
        }
    }

    #[test]
    fn a_status_before_a_colon_is_the_answers_http_status() {
        assert_eq!(
            with_status("500:-204"),
            Some((StatusCode::INTERNAL_SERVER_ERROR, "-204"))
        );
        assert_eq!(
            with_status("403:1010010"),
            Some((StatusCode::FORBIDDEN, "1010010"))
        );
        for plain in [
            "-204",
            "余额不足",
            "InternalError",
            "50:x",
            "abc:x",
            "5000:x",
        ] {
            assert_eq!(with_status(plain), None, "{plain}");
        }
    }

    #[test]
    fn times_defaults_to_one() {
        let spec: FaultSpec = serde_json::from_str(r#"{"vendor":"ihuyi","fault":"hang"}"#).unwrap();
        assert_eq!(spec.to_fault().unwrap(), Fault::Hang { times: 1 });
    }

    #[test]
    fn counted_faults_are_used_up_first_in_first_out_and_latency_stays() {
        let mut book = FaultBook::default();
        book.inject(Vendor::Ytx, Fault::Hang { times: 0 });
        book.inject(Vendor::Ytx, Fault::Http5xxHtml { times: 2 });
        book.inject(Vendor::Ytx, Fault::NonUtf8Body { times: 1 });
        book.inject(Vendor::Ytx, Fault::Latency(Duration::from_millis(5)));
        let taken: Vec<_> = (0..4)
            .map(|_| {
                let (latency, fault) = book.take(Vendor::Ytx);
                assert_eq!(latency, Some(Duration::from_millis(5)));
                fault.map(|f| f.name())
            })
            .collect();
        assert_eq!(
            taken,
            [
                Some("http_5xx_html"),
                Some("http_5xx_html"),
                Some("non_utf8_body"),
                None
            ]
        );
        assert!(matches!(book.take(Vendor::Huawei), (None, None)));
    }
}
