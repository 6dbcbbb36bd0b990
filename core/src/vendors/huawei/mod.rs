//! Huawei Cloud VoiceCall (语音通话): voice code `callVerify`. The SMS product (消息&短信) is
//! [`sms`]; it shares the vendor's push URL parser but not the signature.
//!
//! Sources (API, result codes, status push) and decisions: `docs/protocols/huawei.md#sources`.
//! - `X-AKSK` carries `PasswordDigest = Base64(HMAC-SHA256(appSecret, Nonce + Created))`.
//! - `Created` is UTC `yyyy-MM-ddTHH:mm:ssZ`; the public demos format *local* time with a literal
//!   `Z`, which the platform rejects (`1010013`) on any host not set to UTC.
//! - `statusUrl`/`feeUrl` travel Base64-encoded; `returnIdlePort` is the *string* "true"/"false".
//! - Errors come with HTTP 400/401/403/500 and the same JSON shape. The code table is keyed by
//!   (HTTP status, code) as in the vendor's table, because `1010010` means "invalid digest" under
//!   401 and "platform flow control" under 403.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub mod push;
pub mod report;
pub mod sms;

use crate::http::{Context, HttpRequest, HttpResponse, Method};
use crate::model::Receipt;
use crate::protocol::checks::{check_header_safe, check_play_times, check_secret, CodeRule};
use crate::protocol::encode;
use crate::protocol::vendor::{
    CodeSender, ParsedSend, Protocol, PushAck, PushParser, Signer, VendorFacts, WithBody,
};
use crate::protocol::wire::{
    json_body, json_bytes, required, success_status, Meaning, Scalar, UNDOCUMENTED,
};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

pub(crate) const PRODUCTION: &str = "https://rtccall.cn-north-1.myhuaweicloud.cn:443";
const PATH: &str = "/rest/httpsessions/callVerify/v1.0";
const AUTHORIZATION: &str = r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#;

/// Huawei Cloud VoiceCall application (`vendor = "huawei"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuaweiConfig {
    /// APP_Key.
    pub app_key: String,
    /// APP_Secret; used only as the HMAC key.
    pub app_secret: Secret,
    /// Caller ID shown to the user, E.164 as registered (`+8675528001234`).
    pub display_number: String,
    /// Approved `.wav` file played before the code.
    pub pre_tone: String,
    /// Approved `.wav` file played after the code.
    pub pos_tone: Option<String>,
    /// Language of the spoken code; `2` is Chinese.
    #[serde(default = "default_language_type")]
    pub language_type: u8,
    /// Where the platform pushes call status events (plain URL; voicecode Base64-encodes it).
    pub status_url: Option<String>,
    /// Where the platform pushes call detail records.
    pub fee_url: Option<String>,
}

fn default_language_type() -> u8 {
    2
}

use ErrorKind::*;
use Outcome::*;

/// 表6 结果码说明, line for line: (HTTP status, result code, kind, outcome). Every 500 row is
/// `Unknown`: the platform failed on its side (HTTP 5xx), whatever the code, so it cannot be
/// trusted to have placed no call. The 403 rows that say "retry in a minute" are flow control and
/// port quotas, checked before any call is placed: `Refused`.
pub const CODES: &[(u16, &str, ErrorKind, Outcome)] = &[
    (400, "1023006", AuthFailed, Refused), // Authorization not contained in the HTTP header
    (400, "1023007", AuthFailed, Refused), // realm not contained in Authorization
    (400, "1023008", AuthFailed, Refused), // profile not contained in Authorization
    (400, "1023009", AuthFailed, Refused), // realm must be SDP
    (400, "1023010", AuthFailed, Refused), // profile must be UsernameToken
    (400, "1023011", AuthFailed, Refused), // type must be Appkey
    (400, "1023012", AuthFailed, Refused), // type not contained in Authorization
    (400, "1023033", AuthFailed, Refused), // no X-AKSK header
    (400, "1023034", AuthFailed, Refused), // UserName not contained in X-AKSK
    (400, "1023035", AuthFailed, Refused), // Nonce not contained in X-AKSK
    (400, "1023036", AuthFailed, Refused), // Created not contained in X-AKSK
    (400, "1023037", AuthFailed, Refused), // PasswordDigest not contained in X-AKSK
    (400, "1023038", AuthFailed, Refused), // UsernameToken not contained in X-AKSK
    (401, "1010010", AuthFailed, Refused), // Invalid digest
    (401, "1010013", AuthFailed, Refused), // Time out limit: the host clock is off
    (403, "1010002", InvalidInput, Refused), // Invalid request
    (403, "1010003", AuthFailed, Refused), // Invalid app_key
    (403, "1010006", VendorError, Refused), // Invalid Rest API
    (403, "1010008", Forbidden, Refused),  // app_key suspended
    (403, "1010009", RateLimited, Refused), // No more APIs can be invoked
    (403, "1010010", RateLimited, Refused), // platform flow control: retry in a minute
    (403, "1010011", Forbidden, Refused),  // no access to the commercial address
    (403, "1010021", Forbidden, Refused),  // Application unavailable
    (403, "1010023", InvalidConfig, Refused), // Invalid display number
    (403, "1010024", InvalidConfig, Refused), // Invalid caller number
    (403, "1010040", Forbidden, Refused),  // app_key may not invoke the API
    (403, "1012001", InvalidConfig, Refused), // number resource not applied
    (403, "1012006", InvalidConfig, Refused), // service number not applied
    (403, "1012012", Forbidden, Refused),  // recording not enabled
    (403, "1013001", RateLimited, Refused), // calls exceed the SP limit
    (403, "1013002", RateLimited, Refused), // calls exceed the APP limit
    (403, "1013003", RateLimited, Refused), // calls exceed the display number limit
    (403, "1013004", RecipientBlocked, Refused), // callee in blacklist
    (403, "1013010", Forbidden, Refused),  // caller in blacklist
    (403, "1013011", RecipientBlocked, Refused), // callee not on the whitelist
    (403, "1013100", VendorError, Refused), // 未知错误, handled as a security-control block
    (403, "1013101", Forbidden, Refused),  // abnormal call restricted
    (403, "1013111", RecipientBlocked, Refused), // international call-in forbidden
    (403, "1013112", RecipientBlocked, Refused), // international call-out forbidden
    (403, "1013113", RecipientBlocked, Refused), // abnormal call duration
    (403, "1013115", RecipientBlocked, Refused), // abnormal completion rate
    (403, "1013116", RateLimited, Refused), // caller call frequency
    (403, "1013117", RateLimited, Refused), // callee call frequency
    (403, "1013118", RateLimited, Refused), // service number call frequency
    (403, "1013119", Forbidden, Refused),  // service number suspended
    (403, "1013120", VendorError, Refused), // IP address is null
    (403, "1013121", Forbidden, Refused),  // quiet hours
    (403, "1013122", Forbidden, Refused),  // sub enterprise suspended
    (403, "1020165", RateLimited, Refused), // voice call ports exceeded: retry in a minute
    (403, "1020166", Forbidden, Refused),  // client IP not in the whitelist
    (403, "1020168", Forbidden, Refused),  // login IP blacklisted
    (403, "1020171", Forbidden, Refused),  // login IP in a restricted area
    (403, "1020176", AuthFailed, Refused), // too many auth failures: IP blocked for 30 minutes
    (500, "1010001", VendorError, Unknown), // Internal system error
    (500, "1020001", InvalidInput, Unknown), // Parameter error
    (500, "1020002", VendorError, Unknown), // Internal error
    (500, "1020150", AuthFailed, Unknown), // The app_key is invalid
    (500, "1020151", InvalidConfig, Unknown), // The bindNum is invalid
    (500, "1020154", RateLimited, Unknown), // Insufficient voice ports: retry in a minute
    (500, "1023001", VendorError, Unknown), // Internal error
    (500, "1023002", VendorError, Unknown), // Response timeout
];

/// The meaning of a result code: the exact (status, code) line first, then the code under any
/// status, then the HTTP status alone (an HTTP 5xx is `Unknown` whatever this says).
pub(crate) fn classify(status: u16, code: &str) -> Meaning {
    classify_keyed(CODES, status, code).unwrap_or(by_status(status))
}

/// A code in a table keyed by (HTTP status, code), as both Huawei products list theirs: the
/// exact line first, then the code under any status.
pub(crate) fn classify_keyed(
    table: &[(u16, &str, ErrorKind, Outcome)],
    status: u16,
    code: &str,
) -> Option<Meaning> {
    table
        .iter()
        .find(|(s, c, ..)| *s == status && *c == code)
        .or_else(|| table.iter().find(|(_, c, ..)| *c == code))
        .map(|&(_, _, kind, outcome)| (kind, outcome))
}

/// What an undocumented code means by its HTTP status alone.
pub(crate) fn by_status(status: u16) -> Meaning {
    match status {
        401 => (AuthFailed, Refused),
        403 => (Forbidden, Refused),
        429 => (RateLimited, Refused),
        _ => UNDOCUMENTED,
    }
}

/// `Created`: UTC, second precision, literal `Z`.
pub fn created(now: DateTime<Utc>) -> String {
    created_text(now).into_string()
}

/// [`created`] on the stack, for the signature that only reads it.
fn created_text(now: DateTime<Utc>) -> encode::ShortText<20> {
    encode::iso8601_z_text(now.naive_utc())
}

/// HMAC-SHA256 keyed with the app secret: set up once per channel and cloned per signature.
fn keyed(secret: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length")
}

fn hmac_base64(mut mac: Hmac<Sha256>, parts: &[&str]) -> String {
    for part in parts {
        mac.update(part.as_bytes());
    }
    BASE64.encode(mac.finalize().into_bytes())
}

/// The `X-AKSK` header of a request or a push, from its `PasswordDigest`.
pub fn x_aksk(app_key: &str, digest: &str, nonce: &str, created: &str) -> String {
    encode::concat(&[
        r#"UsernameToken Username=""#,
        app_key,
        r#"",PasswordDigest=""#,
        digest,
        r#"",Nonce=""#,
        nonce,
        r#"",Created=""#,
        created,
        r#"""#,
    ])
}

/// `PasswordDigest` of a request to the platform: Base64(HMAC-SHA256(appSecret, nonce + created)).
pub fn password_digest(app_secret: &str, nonce: &str, created: &str) -> String {
    hmac_base64(keyed(app_secret), &[nonce, created])
}

/// `PasswordDigest` of a status push from the platform: the configured status URL (plain, not
/// Base64) is prefixed to the signed text.
pub fn push_digest(app_secret: &str, url: &str, nonce: &str, created: &str) -> String {
    hmac_base64(keyed(app_secret), &[url, nonce, created])
}

fn as_config(e: Error) -> Error {
    let field = e.field().unwrap_or("config").to_owned();
    Error::invalid_config(
        &field,
        e.message()
            .trim_start_matches(&format!("invalid {field}: ")),
    )
}

fn check_tone(field: &str, tone: &str) -> Result<()> {
    let ok = (1..=128).contains(&tone.len())
        && tone.to_ascii_lowercase().ends_with(".wav")
        && tone.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("{tone:?} must be the name of an approved .wav file, at most 128 characters"),
        ))
    }
}

/// Status and fee URLs: `[A-Za-z0-9-:./]` only, and at most 128 characters once Base64-encoded.
fn encode_url(field: &str, url: &str) -> Result<String> {
    let charset_ok = !url.is_empty()
        && url
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'.' | b'/'));
    if !charset_ok {
        return Err(Error::invalid_input(
            field,
            format!("{url:?} may contain only letters, digits and - : . / (Huawei's rule)"),
        ));
    }
    // Huawei pushes to "http://IP:Port or a domain, http and https supported".
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .and_then(|rest| rest.split('/').next());
    if host.is_none_or(|host| host.is_empty() || host.starts_with(':')) {
        return Err(Error::invalid_input(
            field,
            format!("{url:?} must be an http:// or https:// URL with a host"),
        ));
    }
    let encoded = BASE64.encode(url);
    if encoded.len() > 128 {
        return Err(Error::invalid_input(
            field,
            "must be at most 96 characters (128 once Base64-encoded)",
        ));
    }
    Ok(encoded)
}

fn check_user_data(data: &str) -> Result<()> {
    if data.is_empty() || data.len() > 256 {
        return Err(Error::invalid_input(
            "user_data",
            "must be 1 to 256 characters",
        ));
    }
    if data.contains(['{', '}']) {
        return Err(Error::invalid_input("user_data", "must not contain { or }"));
    }
    if !data.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(Error::invalid_input(
            "user_data",
            "must be printable ASCII; Base64-encode Chinese or other text first",
        ));
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallVerify<'a> {
    display_nbr: &'a str,
    callee_nbr: &'a str,
    language_type: u8,
    pre_tone: &'a str,
    verify_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pos_tone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    times: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fee_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_idle_port: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_data: Option<&'a str>,
}

#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(borrow)]
    resultcode: Option<Scalar<'a>>,
    #[serde(default)]
    resultdesc: String,
    #[serde(rename = "sessionId", default)]
    session_id: Option<String>,
    #[serde(rename = "idlePort", default)]
    idle_port: Option<u32>,
}

/// callVerify `verifyCode`: 2 to 8 digits (Huawei VoiceCall API reference).
const CODE: CodeRule = CodeRule::digits(2, 8);

/// `callVerify` from one channel: the configured push URLs are encoded once.
struct Sender {
    config: HuaweiConfig,
    url: Arc<str>,
    keyed: Hmac<Sha256>,
    status_url: Option<String>,
    fee_url: Option<String>,
}

impl CodeSender for Sender {
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer> {
        let config = &self.config;
        let callee = req.to.e164_text();
        CODE.check(req.code)?;
        let note = " (0 repeats until the user hangs up)";
        check_play_times(req.options.play_times, 0..=9, note)?;
        let pre_tone = req.options.pre_tone.as_deref().unwrap_or(&config.pre_tone);
        check_tone("pre_tone", pre_tone)?;
        let pos_tone = req
            .options
            .pos_tone
            .as_deref()
            .or(config.pos_tone.as_deref());
        if let Some(tone) = pos_tone {
            check_tone("pos_tone", tone)?;
        }
        let push_url = |field, given: &Option<String>, configured: &Option<String>| match given {
            Some(url) => encode_url(field, url).map(Some),
            None => Ok(configured.clone()),
        };
        let status_url = push_url("status_url", &req.options.status_url, &self.status_url)?;
        let fee_url = push_url("fee_url", &req.options.fee_url, &self.fee_url)?;
        if let Some(data) = &req.options.user_data {
            check_user_data(data)?;
        }
        let body = CallVerify {
            display_nbr: &config.display_number,
            callee_nbr: callee.as_str(),
            language_type: config.language_type,
            pre_tone,
            verify_code: req.code,
            pos_tone,
            times: req.options.play_times,
            status_url,
            fee_url,
            return_idle_port: req
                .options
                .return_idle_port
                .map(|b| if b { "true" } else { "false" }),
            user_data: req.options.user_data.as_deref(),
        };
        let body = json_bytes(&body);
        Ok(WithBody::signer(body, move |ctx: &Context, body| {
            let created = created_text(ctx.now);
            let created = created.as_str();
            let digest = hmac_base64(self.keyed.clone(), &[&ctx.nonce, created]);
            let app_key = &self.config.app_key;
            HttpRequest::new(Method::Post, &self.url)
                .header("Content-Type", "application/json;charset=UTF-8")
                .header("Authorization", AUTHORIZATION)
                .header("X-AKSK", x_aksk(app_key, &digest, &ctx.nonce, created))
                .body(body)
        }))
    }
}

impl VendorFacts for HuaweiConfig {
    const DISPLAY_NAME: &'static str = "Huawei Cloud VoiceCall";
    const SECRET_KEY: Option<&'static str> = Some("app_secret");
    const PUSH: Option<(PushParser, PushAck)> = Some((push::parse, PushAck::EMPTY));
}

impl Protocol for HuaweiConfig {
    fn code_rule(&self) -> Option<CodeRule> {
        Some(CODE)
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(PRODUCTION)
    }

    fn validate(&self) -> Result<()> {
        check_header_safe("app_key", &self.app_key)?;
        check_secret("app_secret", &self.app_secret)?;
        let display = self.display_number.strip_prefix('+').unwrap_or("");
        if !(3..=30).contains(&display.len()) || !display.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_config(
                "display_number",
                "must be the registered caller ID in E.164, e.g. +8675528001234",
            ));
        }
        if self.language_type != 2 {
            return Err(Error::invalid_config(
                "language_type",
                format!(
                    "{} is not a documented languageType; Huawei documents only 2 (Chinese)",
                    self.language_type
                ),
            ));
        }
        check_tone("pre_tone", &self.pre_tone).map_err(as_config)?;
        if let Some(tone) = &self.pos_tone {
            check_tone("pos_tone", tone).map_err(as_config)?;
        }
        for (field, url) in [("status_url", &self.status_url), ("fee_url", &self.fee_url)] {
            if let Some(url) = url {
                encode_url(field, url).map_err(as_config)?;
            }
        }
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        let encoded = |field, url: &Option<String>| url.as_deref().map(|u| encode_url(field, u));
        Ok(Arc::new(Sender {
            config: self.clone(),
            url: format!("{base}{PATH}").into(),
            keyed: keyed(self.app_secret.expose()),
            status_url: encoded("status_url", &self.status_url).transpose()?,
            fee_url: encoded("fee_url", &self.fee_url).transpose()?,
        }))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        let answer: Answer = json_body(Vendor::Huawei, resp)?;
        let code = answer
            .resultcode
            .as_ref()
            .and_then(Scalar::text)
            .ok_or_else(|| {
                Error::protocol(Vendor::Huawei, resp.status, "the answer has no resultcode")
            })?;
        if code != "0" {
            return Err(Error::answered(
                Vendor::Huawei,
                classify(resp.status, code),
                resp.status,
                code,
                &answer.resultdesc,
            ));
        }
        success_status(Vendor::Huawei, resp, "resultcode 0 with an error status")?;
        let missing = "success without a sessionId";
        let message_id = required(Vendor::Huawei, resp, answer.session_id, missing)?;
        Ok(Receipt {
            idle_ports: answer.idle_port,
            ..Receipt::new(Vendor::Huawei, message_id, code, answer.resultdesc)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SendCode;
    use crate::model::SendOptions;
    use chrono::TimeZone;

    fn config() -> HuaweiConfig {
        HuaweiConfig {
            app_key: "ZRBRz4bAXoFgEH7o4Ew308eXc1RA".into(),
            app_secret: "appSecretExample".into(),
            display_number: "+8675528001288".into(),
            pre_tone: "welcome.wav".into(),
            pos_tone: None,
            language_type: 2,
            status_url: None,
            fee_url: None,
        }
    }

    fn ctx() -> Context {
        Context {
            now: Utc.with_ymd_and_hms(2018, 5, 26, 0, 35, 30).unwrap(),
            nonce: "ac1c911c4792492687f8f6b2264a491e".into(),
        }
    }

    #[test]
    fn known_answer_vectors() {
        let created = created(ctx().now);
        assert_eq!(created, "2018-05-26T00:35:30Z");
        assert_eq!(
            password_digest(
                "appSecretExample",
                "ac1c911c4792492687f8f6b2264a491e",
                &created
            ),
            "fZkC1iHD3kPF2iR6PCO/3kDy7+SjvpT/NOc7SNCFd/0="
        );
        assert_eq!(
            push_digest(
                "appSecretExample",
                "https://example.com/status",
                "ac1c911c4792492687f8f6b2264a491e",
                &created
            ),
            "CSuMmH1TsX7hxz8sX7gi+cqjdmlEDSBa83HImWYMF/0="
        );
    }

    #[test]
    fn golden_send_code_request() {
        let req = config()
            .send_code(
                PRODUCTION,
                &SendCode::new("13800138000", "12345678"),
                &ctx(),
            )
            .unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            "https://rtccall.cn-north-1.myhuaweicloud.cn:443/rest/httpsessions/callVerify/v1.0"
        );
        assert_eq!(
            req.headers,
            vec![
                ("Content-Type", "application/json;charset=UTF-8".into()),
                ("Authorization", r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#.into()),
                (
                    "X-AKSK",
                    r#"UsernameToken Username="ZRBRz4bAXoFgEH7o4Ew308eXc1RA",PasswordDigest="fZkC1iHD3kPF2iR6PCO/3kDy7+SjvpT/NOc7SNCFd/0=",Nonce="ac1c911c4792492687f8f6b2264a491e",Created="2018-05-26T00:35:30Z""#.into()
                ),
            ]
        );
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            r#"{"displayNbr":"+8675528001288","calleeNbr":"+8613800138000","languageType":2,"preTone":"welcome.wav","verifyCode":"12345678"}"#
        );
    }

    #[test]
    fn golden_request_with_every_optional_field() {
        let mut config = config();
        config.status_url = Some("https://example.com/status".into());
        config.pos_tone = Some("bye.wav".into());
        let req = SendCode {
            to: "+8675528001234".into(),
            code: "07".into(),
            options: SendOptions {
                play_times: Some(0),
                user_data: Some("order-42".into()),
                fee_url: Some("http://10.0.0.1:8080/fee".into()),
                pre_tone: Some("hello.wav".into()),
                return_idle_port: Some(true),
                ..SendOptions::default()
            },
        };
        let req = config
            .send_code("http://127.0.0.1:9", &req, &ctx())
            .unwrap();
        assert_eq!(
            req.url,
            "http://127.0.0.1:9/rest/httpsessions/callVerify/v1.0"
        );
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            concat!(
                r#"{"displayNbr":"+8675528001288","calleeNbr":"+8675528001234","languageType":2,"#,
                r#""preTone":"hello.wav","verifyCode":"07","posTone":"bye.wav","times":0,"#,
                r#""statusUrl":"aHR0cHM6Ly9leGFtcGxlLmNvbS9zdGF0dXM=","feeUrl":"aHR0cDovLzEwLjAuMC4xOjgwODAvZmVl","#,
                r#""returnIdlePort":"true","userData":"order-42"}"#
            )
        );
    }

    #[test]
    fn validation_names_the_field_and_rule() {
        let base = SendCode::new("13800138000", "1234");
        let cases = [
            (SendCode::new("13800138000", "1"), "code"),
            (SendCode::new("13800138000", "123456789"), "code"),
            (SendCode::new("13800138000", "12a4"), "code"),
            (base.clone().play_times(10), "play_times"),
            (base.clone().user_data("{json}"), "user_data"),
            (base.clone().user_data("订单"), "user_data"),
            (base.clone().user_data("x".repeat(257)), "user_data"),
            (
                SendCode {
                    options: SendOptions {
                        status_url: Some("https://example.com/s?token=1".into()),
                        ..SendOptions::default()
                    },
                    ..base.clone()
                },
                "status_url",
            ),
            (
                SendCode {
                    options: SendOptions {
                        fee_url: Some(format!("https://{}.com", "a".repeat(90))),
                        ..SendOptions::default()
                    },
                    ..base.clone()
                },
                "fee_url",
            ),
            (
                SendCode {
                    options: SendOptions {
                        pre_tone: Some("hello.mp3".into()),
                        ..SendOptions::default()
                    },
                    ..base.clone()
                },
                "pre_tone",
            ),
            (SendCode::new("not a number", "1234"), "to"),
        ];
        for (req, field) in cases {
            let err = config().send_code(PRODUCTION, &req, &ctx()).unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::InvalidInput, Some(field)),
                "{req:?}: {err}"
            );
        }
    }

    #[test]
    fn international_numbers_are_passed_through() {
        let req = config()
            .send_code(PRODUCTION, &SendCode::new("+14155550100", "1234"), &ctx())
            .unwrap();
        assert!(String::from_utf8(req.body)
            .unwrap()
            .contains(r#""calleeNbr":"+14155550100""#));
    }

    #[test]
    fn config_with_bad_urls_or_display_number_is_refused() {
        let mut c = config();
        c.status_url = Some("https://example.com/a b".into());
        assert_eq!(c.validate().unwrap_err().field(), Some("status_url"));
        let mut c = config();
        c.display_number = "075528001288".into();
        assert_eq!(c.validate().unwrap_err().kind(), ErrorKind::InvalidConfig);
    }

    #[test]
    fn push_urls_must_be_http_or_https_with_a_host() {
        for bad in [
            "javascript:1",
            "ftp://example.com",
            "https://",
            "http://:8080/x",
            "example.com",
        ] {
            let mut c = config();
            c.fee_url = Some(bad.into());
            let err = c.validate().unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::InvalidConfig, Some("fee_url")),
                "{bad}"
            );
            let req = SendCode {
                options: SendOptions {
                    status_url: Some(bad.into()),
                    ..SendOptions::default()
                },
                ..SendCode::new("13800138000", "1234")
            };
            let err = config().send_code(PRODUCTION, &req, &ctx()).unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::InvalidInput, Some("status_url")),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_the_documented_language_type_is_accepted() {
        let mut c = config();
        c.language_type = 99;
        let err = c.validate().unwrap_err();
        assert_eq!(
            (err.kind(), err.field()),
            (ErrorKind::InvalidConfig, Some("language_type"))
        );
    }

    #[test]
    fn parses_success_and_idle_ports() {
        let resp = HttpResponse::new(
            200,
            r#"{"resultcode":"0","resultdesc":"Success","sessionId":"1200_366_0_20161228102743@callenabler.home1.com","idlePort":12}"#,
        );
        let receipt = config().parse_send_code(&resp).unwrap();
        assert_eq!(
            receipt.message_id,
            "1200_366_0_20161228102743@callenabler.home1.com"
        );
        assert_eq!(receipt.idle_ports, Some(12));
        assert_eq!(receipt.vendor_code, "0");
    }

    #[test]
    fn every_documented_code_maps_to_its_kind_and_outcome() {
        // Mirrors the vendor's table; written out independently of CODES.
        let expected: &[(u16, &str, ErrorKind, Outcome)] = &[
            (400, "1023006", AuthFailed, Refused),
            (400, "1023007", AuthFailed, Refused),
            (400, "1023008", AuthFailed, Refused),
            (400, "1023009", AuthFailed, Refused),
            (400, "1023010", AuthFailed, Refused),
            (400, "1023011", AuthFailed, Refused),
            (400, "1023012", AuthFailed, Refused),
            (400, "1023033", AuthFailed, Refused),
            (400, "1023034", AuthFailed, Refused),
            (400, "1023035", AuthFailed, Refused),
            (400, "1023036", AuthFailed, Refused),
            (400, "1023037", AuthFailed, Refused),
            (400, "1023038", AuthFailed, Refused),
            (401, "1010010", AuthFailed, Refused),
            (401, "1010013", AuthFailed, Refused),
            (403, "1010002", InvalidInput, Refused),
            (403, "1010003", AuthFailed, Refused),
            (403, "1010006", VendorError, Refused),
            (403, "1010008", Forbidden, Refused),
            (403, "1010009", RateLimited, Refused),
            (403, "1010010", RateLimited, Refused),
            (403, "1010011", Forbidden, Refused),
            (403, "1010021", Forbidden, Refused),
            (403, "1010023", InvalidConfig, Refused),
            (403, "1010024", InvalidConfig, Refused),
            (403, "1010040", Forbidden, Refused),
            (403, "1012001", InvalidConfig, Refused),
            (403, "1012006", InvalidConfig, Refused),
            (403, "1012012", Forbidden, Refused),
            (403, "1013001", RateLimited, Refused),
            (403, "1013002", RateLimited, Refused),
            (403, "1013003", RateLimited, Refused),
            (403, "1013004", RecipientBlocked, Refused),
            (403, "1013010", Forbidden, Refused),
            (403, "1013011", RecipientBlocked, Refused),
            (403, "1013100", VendorError, Refused),
            (403, "1013101", Forbidden, Refused),
            (403, "1013111", RecipientBlocked, Refused),
            (403, "1013112", RecipientBlocked, Refused),
            (403, "1013113", RecipientBlocked, Refused),
            (403, "1013115", RecipientBlocked, Refused),
            (403, "1013116", RateLimited, Refused),
            (403, "1013117", RateLimited, Refused),
            (403, "1013118", RateLimited, Refused),
            (403, "1013119", Forbidden, Refused),
            (403, "1013120", VendorError, Refused),
            (403, "1013121", Forbidden, Refused),
            (403, "1013122", Forbidden, Refused),
            (403, "1020165", RateLimited, Refused),
            (403, "1020166", Forbidden, Refused),
            (403, "1020168", Forbidden, Refused),
            (403, "1020171", Forbidden, Refused),
            (403, "1020176", AuthFailed, Refused),
            (500, "1010001", VendorError, Unknown),
            (500, "1020001", InvalidInput, Unknown),
            (500, "1020002", VendorError, Unknown),
            (500, "1020150", AuthFailed, Unknown),
            (500, "1020151", InvalidConfig, Unknown),
            (500, "1020154", RateLimited, Unknown),
            (500, "1023001", VendorError, Unknown),
            (500, "1023002", VendorError, Unknown),
        ];
        assert_eq!(expected.len(), CODES.len());
        for &(status, code, kind, outcome) in expected {
            let body = format!(r#"{{"resultcode":"{code}","resultdesc":"d","sessionId":""}}"#);
            let err = config()
                .parse_send_code(&HttpResponse::new(status, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome()),
                (kind, outcome),
                "{status} {code}"
            );
            assert_eq!(err.vendor_code(), Some(code));
            assert_eq!(err.http_status(), Some(status));
        }
    }

    #[test]
    fn unknown_codes_fall_back_on_the_http_status() {
        assert_eq!(classify(401, "9999999"), (AuthFailed, Refused));
        assert_eq!(classify(403, "9999999"), (Forbidden, Refused));
        assert_eq!(classify(500, "9999999"), (VendorError, Refused));
        // A documented code under an undocumented status keeps its meaning.
        assert_eq!(classify(200, "1013004"), (RecipientBlocked, Refused));
        assert_eq!(classify(200, "1023002"), (VendorError, Unknown));
    }

    #[test]
    fn a_server_error_status_leaves_the_outcome_unknown_whatever_the_code() {
        for (status, code, kind) in [
            (500, "1013004", RecipientBlocked),
            (502, "1010009", RateLimited),
            (503, "9999999", VendorError),
        ] {
            let body = format!(r#"{{"resultcode":"{code}","resultdesc":"d"}}"#);
            let err = config()
                .parse_send_code(&HttpResponse::new(status, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome(), err.retryable()),
                (kind, Unknown, false),
                "{status} {code}"
            );
            assert_eq!(
                (err.vendor_code(), err.vendor_message(), err.http_status()),
                (Some(code), Some("d"), Some(status))
            );
        }
    }

    #[test]
    fn unreadable_answers_are_protocol_errors_with_unknown_outcome() {
        for (status, body) in [
            (500, "<html>Internal Server Error</html>"),
            (200, r#"{"resultcode":"0""#),
            (200, r#"{"resultcode":"0"}"#),
            (200, ""),
        ] {
            let err = config()
                .parse_send_code(&HttpResponse::new(status, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome()),
                (Protocol, crate::Outcome::Unknown),
                "{body}"
            );
        }
    }
}
