//! The floor of a Tencent Cloud SMS send: the work TC3-HMAC-SHA256 and the answer demand and
//! nothing else, written by hand on the crates voicecode uses (sha2, hmac, hex, serde_json), so
//! that the micro benchmark can show how much of voicecode's send is the scheme's own.
//!
//! Everything a channel can work out once is worked out once, as voicecode does (the body's
//! fixed head hashed, the canonical request's fixed head hashed, the day's signing key set
//! up); a send then reads the clock, writes the rest of the body, hashes it, hashes the
//! canonical request, signs the string to sign and reads the answer into borrowed fields. It
//! checks nothing (no phone number or code rules, no escaping of values known to need none),
//! keeps no request structure or typed errors, and draws no nonce (TC3 takes none). The
//! benchmark checks once that it signs byte for byte what voicecode signs.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::de::IgnoredAny;
use serde::Deserialize;
use sha2::{Digest, Sha256};

const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// A channel's fixed parts, worked out once.
pub struct Tc3Floor {
    body_head: Vec<u8>,
    body_hash: Sha256,
    /// `","5"],"PhoneNumberSet":["`: the template's other parameters and the next key.
    between: Vec<u8>,
    canonical_head: Sha256,
    date: String,
    key: Hmac<Sha256>,
    /// The `Authorization` header up to the signature.
    credential: String,
}

/// What a send produces: the body and the two header values worked out per request.
pub struct Signed {
    pub body: Vec<u8>,
    pub timestamp: String,
    pub authorization: String,
}

/// What a send keeps from an accepted answer.
pub struct Accepted {
    pub serial_no: String,
    pub request_id: String,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Response", borrow)]
    response: Option<Answer<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer<'a> {
    /// Any error refuses the send; which one is not the floor's concern.
    error: Option<IgnoredAny>,
    #[serde(borrow)]
    send_status_set: Option<Vec<Status<'a>>>,
    #[serde(default)]
    request_id: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Status<'a> {
    #[serde(default)]
    code: &'a str,
    #[serde(default)]
    serial_no: &'a str,
}

fn hmac(key: &[u8], message: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().into()
}

fn hex64(digest: &[u8]) -> [u8; 64] {
    let mut text = [0u8; 64];
    hex::encode_to_slice(digest, &mut text).expect("32 bytes");
    text
}

fn field(config: &serde_json::Value, name: &str) -> String {
    serde_json::to_string(&config[name]).expect("a JSON value")
}

impl Tc3Floor {
    /// From a Tencent SMS channel config (the simulator's), for the UTC date of `now`.
    pub fn new(config: &serde_json::Value, now: DateTime<Utc>) -> Self {
        let text = |name: &str| config[name].as_str().expect("a string field").to_owned();
        let body_head = format!(
            r#"{{"SmsSdkAppId":{},"SignName":{},"TemplateId":{},"TemplateParamSet":[""#,
            field(config, "sms_sdk_app_id"),
            field(config, "sign_name"),
            field(config, "template_id"),
        )
        .into_bytes();
        let mut between = String::from("\"");
        for extra in config["extra_template_params"]
            .as_array()
            .into_iter()
            .flatten()
        {
            between.push(',');
            between.push_str(&serde_json::to_string(extra).expect("a JSON value"));
        }
        between.push_str(r#"],"PhoneNumberSet":[""#);
        let base = text("base_url");
        let host = base
            .split_once("://")
            .map_or(base.as_str(), |(_, host)| host);
        let canonical_head = Sha256::new_with_prefix(format!(
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:{host}\n\
             x-tc-action:sendsms\n\ncontent-type;host;x-tc-action\n"
        ));
        let date = now.format("%Y-%m-%d").to_string();
        let secret_date = hmac(format!("TC3{}", text("secret_key")).as_bytes(), &date);
        let signing = hmac(&hmac(&secret_date, "sms"), "tc3_request");
        let credential = format!(
            "{ALGORITHM} Credential={}/{date}/sms/tc3_request, \
             SignedHeaders=content-type;host;x-tc-action, Signature=",
            text("secret_id")
        );
        Tc3Floor {
            body_hash: Sha256::new_with_prefix(&body_head),
            body_head,
            between: between.into_bytes(),
            canonical_head,
            date,
            key: Hmac::new_from_slice(&signing).expect("any key length"),
            credential,
        }
    }

    /// The body and signature of a send of `code` to `phone` at `now`.
    pub fn sign(&self, now: DateTime<Utc>, code: &str, phone: &str) -> Signed {
        let mut body = Vec::with_capacity(self.body_head.len() + 64);
        body.extend_from_slice(&self.body_head);
        body.extend_from_slice(code.as_bytes());
        body.extend_from_slice(&self.between);
        body.extend_from_slice(phone.as_bytes());
        body.extend_from_slice(b"\"]}");
        let mut payload = self.body_hash.clone();
        payload.update(&body[self.body_head.len()..]);
        let mut canonical = self.canonical_head.clone();
        canonical.update(hex64(&payload.finalize()));
        let canonical = hex64(&canonical.finalize());
        let timestamp = now.timestamp().to_string();
        let mut mac = self.key.clone();
        for piece in [ALGORITHM, "\n", &timestamp, "\n", &self.date] {
            mac.update(piece.as_bytes());
        }
        mac.update(b"/sms/tc3_request\n");
        mac.update(&canonical);
        let signature = hex64(&mac.finalize().into_bytes());
        let mut authorization = String::with_capacity(self.credential.len() + 64);
        authorization.push_str(&self.credential);
        authorization.push_str(std::str::from_utf8(&signature).expect("hex"));
        Signed {
            body,
            timestamp,
            authorization,
        }
    }

    /// An accepted answer's serial number and request id; `None` for anything else.
    pub fn read(answer: &[u8]) -> Option<Accepted> {
        let text = std::str::from_utf8(answer).ok()?;
        let answer = serde_json::from_str::<Envelope>(text).ok()?.response?;
        if answer.error.is_some() {
            return None;
        }
        match answer.send_status_set.as_deref() {
            Some([status]) if status.code == "Ok" => Some(Accepted {
                serial_no: status.serial_no.to_owned(),
                request_id: answer.request_id.to_owned(),
            }),
            _ => None,
        }
    }
}
