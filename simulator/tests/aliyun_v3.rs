//! Alibaba Cloud's V3 signature (`ACS3-HMAC-SHA256`), the default of its current official SDKs,
//! against the simulator. The requests are signed here by hand from the document
//! ("V3版本请求体&签名机制"), with neither the core's signers nor the simulator's, so that users
//! can point their official-SDK code at the simulator and have it checked like the service does.
//! The official SDKs themselves are run against it in `bindings-python/tests/test_official_sdks.py`.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};
use voicecode::Vendor;
use voicecode_sim::demo::{
    ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET, ALIYUN_CALLED_SHOW_NUMBER, ALIYUN_TTS_CODE,
};
use voicecode_sim::{Operation, Simulator, Verdict};

/// One V3 request as the official SDK (alibabacloud-tea-openapi) builds `SingleCallByTts`:
/// `POST /?<parameters>`, empty body, the common headers, every header signed.
struct V3 {
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    access_key_id: String,
    algorithm: String,
}

impl V3 {
    fn call(sim: &Simulator, called: &str, nonce: &str, date: DateTime<Utc>) -> Self {
        let owned = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let host = sim.base_url().trim_start_matches("http://").to_owned();
        V3 {
            query: vec![
                owned("CalledNumber", called),
                owned("CalledShowNumber", ALIYUN_CALLED_SHOW_NUMBER),
                owned("TtsCode", ALIYUN_TTS_CODE),
                owned("TtsParam", r#"{"code":"4821"}"#),
            ],
            headers: vec![
                owned("accept", "application/json"),
                owned("host", &host),
                owned("x-acs-action", "SingleCallByTts"),
                owned("x-acs-date", &date.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
                owned("x-acs-signature-nonce", nonce),
                owned("x-acs-version", "2017-05-25"),
            ],
            body: Vec::new(),
            access_key_id: ALIYUN_ACCESS_KEY_ID.to_owned(),
            algorithm: "ACS3-HMAC-SHA256".to_owned(),
        }
    }

    /// The `Authorization` value over the request as it stands, signing `signed` headers.
    fn authorization(&self, signed: &[&str]) -> String {
        let encode = |s: &str| {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        let mut query: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        query.sort();
        let mut names: Vec<&str> = signed.to_vec();
        names.sort_unstable();
        let headers: String = names
            .iter()
            .map(|name| format!("{name}:{}\n", self.header(name).trim()))
            .collect();
        let canonical = format!(
            "POST\n/\n{}\n{headers}\n{}\n{}",
            query.join("&"),
            names.join(";"),
            hex::encode(Sha256::digest(&self.body))
        );
        let to_sign = format!(
            "ACS3-HMAC-SHA256\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(ALIYUN_ACCESS_KEY_SECRET.as_bytes()).unwrap();
        mac.update(to_sign.as_bytes());
        format!(
            "{} Credential={},SignedHeaders={},Signature={}",
            self.algorithm,
            self.access_key_id,
            names.join(";"),
            hex::encode(mac.finalize().into_bytes())
        )
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Adds the payload hash and signs every header, as the SDK does.
    fn signed(mut self) -> (Self, String) {
        let hash = hex::encode(Sha256::digest(&self.body));
        self.headers.push(("x-acs-content-sha256".into(), hash));
        let names: Vec<String> = self.headers.iter().map(|(k, _)| k.clone()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let authorization = self.authorization(&names);
        (self, authorization)
    }

    /// Sends it with this `Authorization`; the HTTP status and the answer's `Code`.
    fn send(&self, sim: &Simulator, authorization: &str) -> (u16, String, Value) {
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap();
        let url =
            reqwest::Url::parse_with_params(&format!("{}/", sim.base_url()), &self.query).unwrap();
        let mut request = http.post(url).header("Authorization", authorization);
        for (name, value) in &self.headers {
            if name != "host" {
                request = request.header(name, value);
            }
        }
        let response = request.body(self.body.clone()).send().unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let text = response.text().unwrap();
        assert!(content_type.starts_with("application/json"), "{text}");
        let body: Value = serde_json::from_str(&text).unwrap();
        let code = body["Code"].as_str().unwrap_or_default().to_owned();
        (status, code, body)
    }
}

/// The `Authorization` value with the last hex digit of its signature changed.
fn flip_last_digit(authorization: &str) -> String {
    let mut flipped = authorization.to_owned();
    let last = flipped.pop().unwrap();
    flipped.push(if last == '0' { '1' } else { '0' });
    flipped
}

#[test]
fn a_v3_signed_call_is_accepted_and_answered_in_json() {
    let sim = start();
    let (request, authorization) = V3::call(&sim, "13800138000", "n1", Utc::now()).signed();
    let (status, code, body) = request.send(&sim, &authorization);
    assert_eq!((status, code.as_str()), (200, "OK"), "{body}");
    assert!(body["CallId"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(sim.journal()[0].verdict, Verdict::Accepted);
    assert_eq!(sim.last_code("13800138000").as_deref(), Some("4821"));
}

#[test]
fn one_flipped_signature_byte_is_refused_as_the_gateway_does() {
    let sim = start();
    let (request, authorization) = V3::call(&sim, "13800138000", "n1", Utc::now()).signed();
    let (status, code, body) = request.send(&sim, &flip_last_digit(&authorization));
    assert_eq!((status, code.as_str()), (400, "SignatureDoesNotMatch"));
    let message = body["Message"].as_str().unwrap();
    assert!(
        message.contains("server string to sign is:ACS3-HMAC-SHA256\n"),
        "{message}"
    );
    assert!(!message.contains(ALIYUN_ACCESS_KEY_SECRET));
    assert_eq!(sim.last_code("13800138000"), None);
}

#[test]
fn the_signature_covers_the_query_the_headers_and_the_body() {
    let sim = start();
    let now = Utc::now();
    let (mut query, authorization) = V3::call(&sim, "13800138000", "q", now).signed();
    query.query[0].1 = "13800138999".into();
    let (mut header, header_auth) = V3::call(&sim, "13800138000", "h", now).signed();
    header.headers[0].1 = "application/xml".into();
    let (mut body, body_auth) = V3::call(&sim, "13800138000", "b", now).signed();
    body.body = b"CalledNumber=13800138999".to_vec();
    for (request, authorization) in [
        (query, authorization),
        (header, header_auth),
        (body, body_auth),
    ] {
        let (status, code, answer) = request.send(&sim, &authorization);
        assert_eq!(
            (status, code.as_str()),
            (400, "SignatureDoesNotMatch"),
            "{answer}"
        );
    }
    assert_eq!(sim.count(Vendor::Aliyun, Operation::SendCode), 3);
    assert_eq!(sim.last_code("13800138999"), None);
}

#[test]
fn the_v3_checks_come_in_the_gateways_order_with_its_codes() {
    let sim = start();
    let now = Utc::now();
    let call = |nonce: &str| V3::call(&sim, "13800138000", nonce, now);
    let mut unsigned_header = call("u");
    unsigned_header
        .headers
        .push(("x-acs-security-token".into(), "t".into()));
    let unsigned_header = {
        let names = ["accept", "host", "x-acs-action", "x-acs-date"];
        let mut r = unsigned_header;
        let hash = hex::encode(Sha256::digest(&r.body));
        r.headers.push(("x-acs-content-sha256".into(), hash));
        let auth = r.authorization(&names);
        (r, auth)
    };
    let mut other_key = call("k");
    other_key.access_key_id = "LTAI5tSomeoneElse".into();
    let mut sm3 = call("m");
    sm3.algorithm = "ACS3-HMAC-SM3".into();
    let mut other_action = call("a");
    other_action.headers[2].1 = "SingleCallByVoice".into();
    let stale = V3::call(&sim, "13800138000", "s", now - Duration::minutes(16));
    let cases = [
        (unsigned_header, 400, "IncompleteSignature"),
        (other_key.signed(), 404, "InvalidAccessKeyId.NotFound"),
        (sm3.signed(), 400, "InvalidSignatureMethod"),
        (other_action.signed(), 404, "InvalidApi.NotFound"),
        (stale.signed(), 400, "InvalidTimeStamp.Expired"),
    ];
    for ((request, authorization), status, code) in cases {
        let answer = request.send(&sim, &authorization);
        assert_eq!(
            (answer.0, answer.1.as_str()),
            (status, code),
            "{}",
            answer.2
        );
    }
    let (request, authorization) = call("shape").signed();
    let shapeless = authorization.replace(",SignedHeaders=", ",Headers=");
    let (status, code, _) = request.send(&sim, &shapeless);
    assert_eq!((status, code.as_str()), (400, "IncompleteSignature"));
    assert_eq!(sim.last_code("13800138000"), None);
}

#[test]
fn a_v3_nonce_is_used_once_and_the_voice_services_checks_follow() {
    let sim = start();
    let now = Utc::now();
    let (first, authorization) = V3::call(&sim, "13800138000", "same", now).signed();
    assert_eq!(first.send(&sim, &authorization).1, "OK");
    let (again, authorization) = V3::call(&sim, "13800138001", "same", now).signed();
    let (status, code, _) = again.send(&sim, &authorization);
    assert_eq!((status, code.as_str()), (400, "SignatureNonceUsed"));
    let mut bad_template = V3::call(&sim, "13800138002", "t", now);
    bad_template.query[2].1 = "TTS_0".into();
    let (request, authorization) = bad_template.signed();
    let (status, code, _) = request.send(&sim, &authorization);
    assert_eq!((status, code.as_str()), (200, "isv.TTS_TEMPLATE_ILLEGAL"));
}

#[test]
fn the_rpc_signature_still_works_beside_v3() {
    let sim = start();
    let (request, authorization) = V3::call(&sim, "13800138000", "v3", Utc::now()).signed();
    assert_eq!(request.send(&sim, &authorization).1, "OK");
    first_request(&client(&sim, Vendor::Aliyun), 1).unwrap();
    assert_eq!(sim.count(Vendor::Aliyun, Operation::SendCode), 2);
}
