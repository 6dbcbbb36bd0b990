//! Huawei Cloud SMS (消息&短信 MSGSMS): a verification code by `batchSendSms`.
//!
//! Sources and decisions: `docs/protocols/huawei.md#sms-product--sms`.
//! - `POST {APP接入地址}/sms/batchSendSms/v1`, a form of `from` (the channel number), `to`,
//!   `templateId`, `templateParas` (a JSON array of strings), and optionally `statusCallback`,
//!   `extend` and `signature`.
//! - Signed either way the platform takes ([`Signing`]): X-WSSE, the API reference's scheme and
//!   the default, whose `PasswordDigest` is Base64 of the *lowercase hex* SHA-256 of
//!   `Nonce + Created + AppSecret` (the reference's worked example decodes to 64 hex digits, as
//!   its Java, Python and PHP samples make it; a Go sample's Base64 of the raw digest is not the
//!   documented form); or SDK-HMAC-SHA256 (特殊AK/SK认证), which Huawei recommends and its
//!   official SDK (`huaweicloudsdksmsapi`) uses, keyed with the App Secret, the form body
//!   unsigned (`X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, as the SDK sends any non-JSON body).
//! - A verification-code template holds one variable, the code, at most 8 digits (模板规范).
//! - One number per send, in E.164; SMS cannot reach landlines. `user_data` is sent as `extend`,
//!   which status reports carry back.
//! - The answer's `code` is the request's; each number has its own `status`. With one number,
//!   `000000` with the number's `smsMsgId` is a sent message, and `E000510` ("every number
//!   failed") is read through the number's status.

use std::borrow::Cow;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::http::{Context, HttpRequest, HttpResponse, Method};
use crate::model::Receipt;
use crate::phone::Phone;
use crate::protocol::checks::{check_header_safe, check_secret, refuse_unsupported, CodeRule};
use crate::protocol::encode;
use crate::protocol::vendor::{CodeSender, ParsedSend, Protocol, Signer, WithBody};
use crate::protocol::wire::{
    borrowed, classify as classify_in, json_body, success_status, Meaning, UNDOCUMENTED,
};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

const PRODUCTION: &str = "https://smsapi.cn-north-4.myhuaweicloud.com";
const PATH: &str = "/sms/batchSendSms/v1";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
/// The signature's name for a body it does not cover.
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
const ALGORITHM: &str = "SDK-HMAC-SHA256";
const WSSE_AUTHORIZATION: &str = r#"WSSE realm="SDP",profile="UsernameToken",type="Appkey""#;
const SIGNED_HEADERS: &str = "content-type;host;x-sdk-content-sha256;x-sdk-date";
/// "验证码短信仅支持一个变量,用于填写数字验证码。验证码变量的最大长度要求为8位及以下".
const CODE: CodeRule = CodeRule::digits(1, 8);
/// `extend`: "最大长度128", echoed in status reports.
const MAX_EXTEND_CHARS: usize = 128;
/// `statusCallback`: 1 to 1024 characters.
const MAX_CALLBACK_CHARS: usize = 1024;
/// `templateId`: 1 to 32 characters.
const MAX_TEMPLATE_ID_CHARS: usize = 32;
/// `signature`: the name of an approved signature, 2 to 16 characters (签名规范).
const SIGNATURE_CHARS: std::ops::RangeInclusive<usize> = 2..=16;

/// Huawei Cloud SMS application (`vendor = "huawei"`, `product = "sms"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuaweiSmsConfig {
    /// The SMS application's Application Key (应用管理 → Application Key).
    pub app_key: String,
    /// The application's Application Secret; used only as the HMAC key, never sent.
    pub app_secret: Secret,
    /// The channel number (通道号) the message goes out on, sent as `from`, e.g. `8824110605***`
    /// or `csms12345678`.
    pub sender: String,
    /// The approved verification-code template's ID (`templateId`).
    pub template_id: String,
    /// The approved signature's name, required with a 通用模板 (a template not bound to one
    /// signature) and left out otherwise.
    pub signature: Option<String>,
    /// Where Huawei pushes status reports (`statusCallback`); a send's `status_url` overrides it.
    pub status_url: Option<String>,
    /// How requests are signed: `wsse` (the default) or `aksk`.
    #[serde(default)]
    pub signing: Signing,
}

/// How a Huawei SMS request is signed (`signing` in the config); the platform takes both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signing {
    /// `Authorization: WSSE realm="SDP",profile="UsernameToken",type="Appkey"` and an `X-WSSE`
    /// UsernameToken, the API reference's scheme (认证鉴权).
    #[default]
    Wsse,
    /// `Authorization: SDK-HMAC-SHA256 …` (特殊AK/SK认证), which Huawei recommends and its SDK
    /// sends.
    Aksk,
}

use ErrorKind::*;
use Outcome::*;

/// API错误码(发送短信) (support.huaweicloud.com/api-msgsms/sms_05_0050.html), the rows the
/// document shows with their HTTP status: (HTTP status, code, kind, outcome). An HTTP 5xx is
/// `Unknown` whatever the code.
#[rustfmt::skip] // one line per code, as in the vendor's table
pub const CODES: &[(u16, &str, ErrorKind, Outcome)] = &[
    // "System error": the document's first advice is to check templateParas, but the platform
    // does not say whether anything went out.
    (400, "E000000", VendorError, Unknown),
    (400, "E000001", AuthFailed, Refused),     // Authorization not contained in the HTTP header
    (400, "E000002", AuthFailed, Refused),     // realm not contained in Authorization
    (400, "E000003", AuthFailed, Refused),     // profile not contained in Authorization
    (400, "E000004", AuthFailed, Refused),     // realm must be SDP
    (400, "E000005", AuthFailed, Refused),     // profile must be UsernameToken
    (400, "E000006", AuthFailed, Refused),     // type must be Appkey
    (400, "E000007", AuthFailed, Refused),     // type not contained in Authorization
    (400, "E000008", AuthFailed, Refused),     // WSSE not contained in Authorization
    (400, "E000020", AuthFailed, Refused),     // X-WSSE not contained in the HTTP header
    (400, "E000021", AuthFailed, Refused),     // UserName not contained in X-WSSE
    (400, "E000022", AuthFailed, Refused),     // Nonce not contained in X-WSSE
    (400, "E000023", AuthFailed, Refused),     // Created not contained in X-WSSE
    (401, "E000045", AuthFailed, Refused),     // Authorization校验失败 (the AK/SK signature)
    (401, "E000101", AuthFailed, Refused),     // 鉴权失败
    (401, "E000102", AuthFailed, Refused),     // app_key无效
    (401, "E000103", Forbidden, Refused),      // app_key不可用
    (401, "E000104", AuthFailed, Refused),     // app_secret无效
    (401, "E000110", AuthFailed, Refused),     // 时间超出限制: the host clock is off
    (401, "E000111", AuthFailed, Refused),     // 用户名或密码错误
    (403, "E000112", Forbidden, Refused),      // 用户状态已冻结
    (400, "E000503", InvalidInput, Refused),   // 参数格式错误
    (400, "E000510", VendorError, Refused),    // 短信发送失败: see each number's status
    (403, "E000620", Forbidden, Refused),      // 对端app IP不在白名单列表中
];

/// The API gateway's own codes, which come before the SMS platform sees the request
/// (`{"error_code":"APIGW.0301","error_msg":…}`; API网关错误码).
#[rustfmt::skip]
pub const GATEWAY_CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("APIGW.0101", InvalidConfig, Refused),    // The API does not exist: check base_url
    ("APIGW.0301", AuthFailed, Refused),       // Incorrect authentication information
    ("APIGW.0303", AuthFailed, Refused),       // Incorrect app authentication information
    ("APIGW.0308", RateLimited, Refused),      // The throttling threshold has been reached
];

/// A number's `status` beside `E000510`, from 状态回执错误码 (sms_05_0051.html), the Huawei
/// platform's rows that say why a message was not taken. Any other status means the number was
/// refused for a reason the table does not name.
#[rustfmt::skip]
pub const STATUS_CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("E200018", InvalidConfig, Refused),       // 国内短信发送方通道校验失败: sender
    ("E200024", Forbidden, Refused),           // 没有国际短信能力
    ("E200025", InvalidInput, Refused),        // 国际短信接收方通道校验失败
    ("E200026", VendorError, Refused),         // 国际短信接收方匹配通道失败
    ("E200027", InvalidConfig, Refused),       // 匹配网关失败: no route for the application
    ("E200032", InvalidConfig, Refused),       // 短信需要模板
    ("SC:0013", InvalidConfig, Refused),       // 签名黑名单拦截
    ("SC:0016", RecipientBlocked, Refused),    // 退订黑名单拦截
    ("SC:0017", InvalidConfig, Refused),       // 非报备模板拦截
    ("SC:0018", InvalidConfig, Refused),       // 非报备签名拦截
];

/// The meaning of a request's code: the exact (status, code) row first, then the code under any
/// status, then the HTTP status alone.
pub(crate) fn classify(status: u16, code: &str) -> Meaning {
    super::classify_keyed(CODES, status, code).unwrap_or_else(|| {
        match classify_in(GATEWAY_CODES, code) {
            UNDOCUMENTED => super::by_status(status),
            meaning => meaning,
        }
    })
}

/// A number's status other than `000000`: it was not sent.
fn classify_status(status: &str) -> Meaning {
    match classify_in(STATUS_CODES, status) {
        UNDOCUMENTED => (VendorError, Refused),
        meaning => meaning,
    }
}

/// X-WSSE's `PasswordDigest`: Base64 of the lowercase hex SHA-256 of `nonce + created +
/// app_secret` (the 64 hex digits are what is Base64-encoded, not the 32 raw bytes).
pub fn wsse_password_digest(app_secret: &str, nonce: &str, created: &str) -> String {
    let digest = Sha256::new()
        .chain_update(nonce)
        .chain_update(created)
        .chain_update(app_secret)
        .finalize();
    BASE64.encode(encode::Hex64::of(&digest.into()).as_bytes())
}

/// The canonical request of a `batchSendSms` POST, whose signed headers are always
/// `content-type;host;x-sdk-content-sha256;x-sdk-date` and whose form body is not signed.
pub fn canonical_request(host: &str, sdk_date: &str) -> String {
    encode::concat(&[
        "POST\n",
        PATH,
        "/\n\ncontent-type:",
        CONTENT_TYPE,
        "\nhost:",
        host,
        "\nx-sdk-content-sha256:",
        UNSIGNED_PAYLOAD,
        "\nx-sdk-date:",
        sdk_date,
        "\n\n",
        SIGNED_HEADERS,
        "\n",
        UNSIGNED_PAYLOAD,
    ])
}

/// The string to sign: the algorithm, `X-Sdk-Date` and the canonical request's SHA-256 in hex.
pub fn string_to_sign(canonical_request: &str, sdk_date: &str) -> String {
    let hashed = encode::hex_lower(&Sha256::digest(canonical_request.as_bytes()));
    encode::concat(&[ALGORITHM, "\n", sdk_date, "\n", &hashed])
}

/// The `Authorization` header: `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`, the
/// signature being the hex HMAC-SHA256 of the string to sign under the App Secret.
pub fn authorization(app_key: &str, app_secret: &str, string_to_sign: &str) -> String {
    sign(super::keyed(app_secret), app_key, string_to_sign)
}

fn sign(mut mac: Hmac<Sha256>, app_key: &str, string_to_sign: &str) -> String {
    mac.update(string_to_sign.as_bytes());
    let signature = encode::hex_lower(&mac.finalize().into_bytes());
    encode::concat(&[
        ALGORITHM,
        " Access=",
        app_key,
        ", SignedHeaders=",
        SIGNED_HEADERS,
        ", Signature=",
        &signature,
    ])
}

/// Appends `&name=value` (or `name=value` for the first field, `prefix` saying which),
/// form-encoded as the official SDK sends its form.
fn push_field(form: &mut String, prefix: &str, value: &str) {
    form.push_str(prefix);
    form.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
}

fn field(prefix: &str, value: &str) -> String {
    let mut form = String::new();
    push_field(&mut form, prefix, value);
    form
}

/// The answer, borrowing its text from the body where no escape forces a copy.
#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(default, borrow, deserialize_with = "borrowed")]
    code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    description: Cow<'a, str>,
    #[serde(borrow, default)]
    result: Vec<SmsId<'a>>,
    /// The API gateway's error shape.
    #[serde(default, borrow, deserialize_with = "borrowed")]
    error_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error_msg: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SmsId<'a> {
    #[serde(default, borrow, deserialize_with = "borrowed")]
    sms_msg_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "borrowed")]
    status: Option<Cow<'a, str>>,
}

/// The status URL: http(s), 1 to 1024 characters, nothing a form field cannot carry.
fn check_status_url(field: &str, url: &str) -> Result<()> {
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.len() > MAX_CALLBACK_CHARS || url.chars().any(char::is_whitespace) {
        return Err(Error::invalid_input(
            field,
            format!("must be an http:// or https:// URL of at most {MAX_CALLBACK_CHARS} characters without spaces"),
        ));
    }
    Ok(())
}

/// `batchSendSms` from one channel: the host, the key and the fixed form fields, once.
struct Sender {
    url: Arc<str>,
    host: String,
    app_key: String,
    app_secret: Secret,
    signing: Signing,
    keyed: Hmac<Sha256>,
    /// `from=…`, `&templateId=…`, and `&statusCallback=…` and `&signature=…` when configured.
    from_field: String,
    template_field: String,
    callback_field: Option<String>,
    signature_field: Option<String>,
}

impl CodeSender for Sender {
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer> {
        refuse_unsupported("huawei SMS", req.options, &["user_data", "status_url"])?;
        let to = match &req.to {
            Phone::Landline(n) => {
                return Err(Error::invalid_input(
                    "to",
                    format!("{n} is a landline, which Huawei Cloud SMS cannot reach"),
                ))
            }
            phone => phone.e164_text(),
        };
        CODE.check(req.code)?;
        if let Some(url) = &req.options.status_url {
            check_status_url("status_url", url)?;
        }
        if let Some(data) = &req.options.user_data {
            if data.is_empty() || data.chars().count() > MAX_EXTEND_CHARS {
                return Err(Error::invalid_input(
                    "user_data",
                    format!("is sent as extend, which must be 1 to {MAX_EXTEND_CHARS} characters"),
                ));
            }
        }
        // The fields in the SDK's order; the channel's own are encoded once, at its creation.
        let mut body = String::with_capacity(256);
        body.push_str(&self.from_field);
        push_field(&mut body, "&to=", to.as_str());
        body.push_str(&self.template_field);
        // `["<code>"]` form-encoded: the code is digits, which neither JSON nor the form escapes.
        body.push_str("&templateParas=%5B%22");
        body.push_str(req.code);
        body.push_str("%22%5D");
        match &req.options.status_url {
            Some(url) => push_field(&mut body, "&statusCallback=", url),
            None => body.push_str(self.callback_field.as_deref().unwrap_or_default()),
        }
        if let Some(data) = &req.options.user_data {
            push_field(&mut body, "&extend=", data);
        }
        body.push_str(self.signature_field.as_deref().unwrap_or_default());
        let body = body.into_bytes();
        Ok(WithBody::signer(body, move |ctx: &Context, body| {
            let request =
                HttpRequest::new(Method::Post, &self.url).header("Content-Type", CONTENT_TYPE);
            let request = match self.signing {
                Signing::Wsse => {
                    let created = super::created_text(ctx.now);
                    let created = created.as_str();
                    let secret = self.app_secret.expose();
                    let digest = wsse_password_digest(secret, &ctx.nonce, created);
                    let token = super::x_aksk(&self.app_key, &digest, &ctx.nonce, created);
                    request
                        .header("Authorization", WSSE_AUTHORIZATION)
                        .header("X-WSSE", token)
                }
                Signing::Aksk => {
                    let sdk_date = encode::basic_iso8601_z(ctx.now.naive_utc());
                    let canonical = canonical_request(&self.host, &sdk_date);
                    let to_sign = string_to_sign(&canonical, &sdk_date);
                    request
                        .header("X-Sdk-Content-Sha256", UNSIGNED_PAYLOAD)
                        .header("X-Sdk-Date", sdk_date)
                        .header(
                            "Authorization",
                            sign(self.keyed.clone(), &self.app_key, &to_sign),
                        )
                }
            };
            request.body(body)
        }))
    }
}

impl Protocol for HuaweiSmsConfig {
    fn code_rule(&self) -> Option<CodeRule> {
        Some(CODE)
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(PRODUCTION)
    }

    fn validate(&self) -> Result<()> {
        check_header_safe("app_key", &self.app_key)?;
        check_secret("app_secret", &self.app_secret)?;
        let sender_ok = (1..=32).contains(&self.sender.len())
            && self.sender.bytes().all(|b| b.is_ascii_graphic());
        if !sender_ok {
            return Err(Error::invalid_config(
                "sender",
                "must be the channel number (通道号) the console shows, e.g. csms12345678",
            ));
        }
        let id_ok = (1..=MAX_TEMPLATE_ID_CHARS).contains(&self.template_id.len())
            && self.template_id.bytes().all(|b| b.is_ascii_alphanumeric());
        if !id_ok {
            return Err(Error::invalid_config(
                "template_id",
                "must be the template's ID as the console shows it: up to 32 letters or digits",
            ));
        }
        if let Some(signature) = &self.signature {
            let chars = signature.chars().count();
            if !SIGNATURE_CHARS.contains(&chars) || signature.trim() != signature {
                return Err(Error::invalid_config(
                    "signature",
                    "must be the approved signature's name, 2 to 16 characters without spaces around it",
                ));
            }
            if signature.contains(['【', '】', '[', ']']) {
                return Err(Error::invalid_config(
                    "signature",
                    "is the signature's name without 【】: Huawei adds the brackets",
                ));
            }
        }
        if let Some(url) = &self.status_url {
            check_status_url("status_url", url).map_err(super::as_config)?;
        }
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        Ok(Arc::new(Sender {
            url: format!("{base}{PATH}").into(),
            host: encode::host_of(base)?,
            app_key: self.app_key.clone(),
            app_secret: self.app_secret.clone(),
            signing: self.signing,
            keyed: super::keyed(self.app_secret.expose()),
            from_field: field("from=", &self.sender),
            template_field: field("&templateId=", &self.template_id),
            callback_field: self
                .status_url
                .as_deref()
                .map(|url| field("&statusCallback=", url)),
            signature_field: self
                .signature
                .as_deref()
                .map(|name| field("&signature=", name)),
        }))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        let answer: Answer = json_body(Vendor::Huawei, resp)?;
        let Some(code) = answer.code else {
            let Some(code) = answer.error_code else {
                let detail = "the answer has neither code nor error_code";
                return Err(Error::protocol(Vendor::Huawei, resp.status, detail));
            };
            let meaning = classify(resp.status, &code);
            return Err(Error::answered(
                Vendor::Huawei,
                meaning,
                resp.status,
                &code,
                &answer.error_msg,
            ));
        };
        let number = answer.result.into_iter().next();
        let status = number.as_ref().and_then(|n| n.status.as_deref());
        match (code.as_ref(), status) {
            ("000000", None) => {}
            ("000000" | "E000510", Some(status)) if status != "000000" => {
                let message = format!("{} (the number's status is {status})", answer.description);
                let meaning = classify_status(status);
                return Err(Error::answered(
                    Vendor::Huawei,
                    meaning,
                    resp.status,
                    status,
                    &message,
                ));
            }
            ("000000", Some(_)) => {}
            (code, _) => {
                return Err(Error::answered(
                    Vendor::Huawei,
                    classify(resp.status, code),
                    resp.status,
                    code,
                    &answer.description,
                ))
            }
        }
        success_status(Vendor::Huawei, resp, "code 000000 with an error status")?;
        let message_id = number
            .and_then(|n| n.sms_msg_id)
            .filter(|id| !id.is_empty());
        let message_id = message_id.ok_or_else(|| {
            Error::protocol(Vendor::Huawei, resp.status, "success without an smsMsgId")
        })?;
        Ok(Receipt::new(
            Vendor::Huawei,
            message_id.into_owned(),
            code.into_owned(),
            answer.description.into_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::*;
    use crate::model::{SendCode, SendOptions};

    fn config() -> HuaweiSmsConfig {
        HuaweiSmsConfig {
            app_key: "my_app_key".into(),
            app_secret: "my_app_secret".into(),
            sender: "8824110605***".into(),
            template_id: "abc123".into(),
            signature: Some("华为云".into()),
            status_url: None,
            signing: Signing::Aksk,
        }
    }

    fn ctx() -> Context {
        Context {
            now: Utc.with_ymd_and_hms(2026, 12, 6, 13, 32, 14).unwrap(),
            nonce: "ac1c911c4792492687f8f6b2264a491e".into(),
        }
    }

    /// The official SDK's signer (`huaweicloudsdkcore.signer.Signer`, 3.1.219) signs this
    /// request, with these headers, to this `Authorization`; Huawei publishes no worked example
    /// of SDK-HMAC-SHA256.
    #[test]
    fn reproduces_the_official_signer() {
        let req = config()
            .send_code(
                "https://smsapi.cn-north-4.myhuaweicloud.com:443",
                &SendCode::new("+8615123456789", "369751"),
                &ctx(),
            )
            .unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            "https://smsapi.cn-north-4.myhuaweicloud.com:443/sms/batchSendSms/v1"
        );
        assert_eq!(
            req.headers,
            vec![
                ("Content-Type", CONTENT_TYPE.into()),
                ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD".into()),
                ("X-Sdk-Date", "20261206T133214Z".into()),
                ("Authorization", OFFICIAL_AUTHORIZATION.into()),
            ]
        );
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            "from=8824110605***&to=%2B8615123456789&templateId=abc123\
             &templateParas=%5B%22369751%22%5D&signature=%E5%8D%8E%E4%B8%BA%E4%BA%91"
        );
    }

    /// The API reference's worked example (认证鉴权) shows the digest's shape, not its inputs in
    /// full (the App Secret is not published): Base64 of 64 lowercase hex digits. This vector is
    /// the formula of Huawei's Python sample (`hashlib.sha256(…).hexdigest()`, then
    /// `base64.b64encode`) over the example's Nonce and Created and a secret of ours.
    #[test]
    fn wsse_reproduces_the_references_digest_shape_and_the_samples_formula() {
        let example = "NDA1MWIwNjI2ZTkyNWFlM2FhMTE5NDE1YTk5NjU1YWE4NjNlZTY1MmRhYzkxZGViNzczZjdjMjkzZWQ4ZjAwNA==";
        let decoded = BASE64.decode(example).unwrap();
        assert_eq!(decoded.len(), 64);
        assert!(decoded
            .iter()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let digest = wsse_password_digest(
            "my_app_secret",
            "ac1c911c4792492687f8f6b2264a491e",
            "2018-05-26T00:35:30Z",
        );
        assert_eq!(digest, WSSE_VECTOR);
        assert_eq!(BASE64.decode(&digest).unwrap().len(), 64);

        let mut config = config();
        config.signing = Signing::Wsse;
        let ctx = Context {
            now: Utc.with_ymd_and_hms(2018, 5, 26, 0, 35, 30).unwrap(),
            nonce: "ac1c911c4792492687f8f6b2264a491e".into(),
        };
        let req = config
            .send_code(PRODUCTION, &SendCode::new("+8615123456789", "369751"), &ctx)
            .unwrap();
        assert_eq!(
            req.headers,
            vec![
                ("Content-Type", CONTENT_TYPE.into()),
                (
                    "Authorization",
                    r#"WSSE realm="SDP",profile="UsernameToken",type="Appkey""#.into()
                ),
                (
                    "X-WSSE",
                    format!(
                        r#"UsernameToken Username="my_app_key",PasswordDigest="{WSSE_VECTOR}",Nonce="ac1c911c4792492687f8f6b2264a491e",Created="2018-05-26T00:35:30Z""#
                    ).into()
                ),
            ]
        );
    }

    const WSSE_VECTOR: &str =
        "ZGY5YTMxMzc2YmJkNjBhMjM2MzdjZWQ3MmY1OGM1YTAxNWRiYTk4YjI3NmQ5ZDIzZjUwYjMyYmNkYjM1ZGQ1Yg==";

    const OFFICIAL_AUTHORIZATION: &str = "SDK-HMAC-SHA256 Access=my_app_key, \
        SignedHeaders=content-type;host;x-sdk-content-sha256;x-sdk-date, \
        Signature=079007e7bf2d90a7d66e3693b01e18c2f1048b14c2bfb09ce319bf15ee25bab2";

    #[test]
    fn options_fill_extend_and_status_callback() {
        let mut config = config();
        config.signature = None;
        config.status_url = Some("https://example.com/configured".into());
        let req = SendCode {
            options: SendOptions {
                user_data: Some("signup 7".into()),
                ..SendOptions::default()
            },
            ..SendCode::new("13800138000", "12345678")
        };
        let req = config.send_code(PRODUCTION, &req, &ctx()).unwrap();
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            "from=8824110605***&to=%2B8613800138000&templateId=abc123\
             &templateParas=%5B%2212345678%22%5D\
             &statusCallback=https%3A%2F%2Fexample.com%2Fconfigured&extend=signup+7"
        );
        let req = SendCode {
            options: SendOptions {
                status_url: Some("http://10.0.0.1:8080/report".into()),
                ..SendOptions::default()
            },
            ..SendCode::new("13800138000", "1234")
        };
        let body = config.send_code(PRODUCTION, &req, &ctx()).unwrap().body;
        assert!(String::from_utf8(body)
            .unwrap()
            .contains("statusCallback=http%3A%2F%2F10.0.0.1%3A8080%2Freport"));
    }

    #[test]
    fn bad_input_names_the_field_and_rule() {
        let base = SendCode::new("13800138000", "1234");
        let cases = [
            (SendCode::new("13800138000", "123456789"), "code"),
            (SendCode::new("13800138000", "12a4"), "code"),
            (SendCode::new("075528001234", "1234"), "to"),
            (base.clone().user_data("x".repeat(129)), "user_data"),
            (base.clone().user_data(""), "user_data"),
            (base.clone().play_times(2), "play_times"),
            (
                SendCode {
                    options: SendOptions {
                        status_url: Some("ftp://example.com".into()),
                        ..SendOptions::default()
                    },
                    ..base.clone()
                },
                "status_url",
            ),
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
    fn config_rules_name_the_key() {
        type Change = fn(&mut HuaweiSmsConfig);
        let cases: [(Change, &str); 6] = [
            (|c| c.sender = String::new(), "sender"),
            (|c| c.template_id = "a-b".into(), "template_id"),
            (|c| c.template_id = "a".repeat(33), "template_id"),
            (|c| c.signature = Some("【华为云】".into()), "signature"),
            (|c| c.signature = Some("华".into()), "signature"),
            (|c| c.status_url = Some("example.com".into()), "status_url"),
        ];
        for (change, field) in cases {
            let mut c = config();
            change(&mut c);
            let err = c.validate().unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (ErrorKind::InvalidConfig, Some(field)),
                "{err}"
            );
        }
    }

    fn answer(status: u16, body: &str) -> Result<Receipt> {
        config().parse_send_code(&HttpResponse::new(status, body))
    }

    #[test]
    fn success_reads_the_numbers_message_id() {
        let body = r#"{"code":"000000","description":"Success","result":[{"originTo":"+8615123456789","createTime":"2018-05-25T16:34:34Z","from":"1069123456789","smsMsgId":"d6e3cdd0-522b-4692-8304-a07553cdf591_8539659","status":"000000","countryId":"CN","total":1}]}"#;
        let receipt = answer(200, body).unwrap();
        assert_eq!(
            receipt.message_id,
            "d6e3cdd0-522b-4692-8304-a07553cdf591_8539659"
        );
        assert_eq!(receipt.vendor_code, "000000");
    }

    #[test]
    fn codes_map_to_their_kind_and_outcome() {
        let cases = [
            (
                400,
                r#"{"code":"E000503","description":"parameter format error"}"#,
                "E000503",
                InvalidInput,
                Refused,
            ),
            (
                401,
                r#"{"code":"E000110","description":"time out of limit"}"#,
                "E000110",
                AuthFailed,
                Refused,
            ),
            (
                403,
                r#"{"code":"E000620","description":"ip not in white list"}"#,
                "E000620",
                Forbidden,
                Refused,
            ),
            (
                400,
                r#"{"code":"E000000","description":"System error"}"#,
                "E000000",
                VendorError,
                Unknown,
            ),
            (
                500,
                r#"{"code":"E000503","description":"d"}"#,
                "E000503",
                InvalidInput,
                Unknown,
            ),
            (
                401,
                r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
                "APIGW.0301",
                AuthFailed,
                Refused,
            ),
            (
                429,
                r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
                "APIGW.0308",
                RateLimited,
                Refused,
            ),
            (
                401,
                r#"{"code":"E009999","description":"d"}"#,
                "E009999",
                AuthFailed,
                Refused,
            ),
            // Every number failed: the number's status says why.
            (
                400,
                r#"{"code":"E000510","description":"send failed","result":[{"smsMsgId":"","status":"E200018"}]}"#,
                "E200018",
                InvalidConfig,
                Refused,
            ),
            (
                400,
                r#"{"code":"E000510","description":"send failed","result":[{"status":"E299999"}]}"#,
                "E299999",
                VendorError,
                Refused,
            ),
            (
                400,
                r#"{"code":"E000510","description":"send failed"}"#,
                "E000510",
                VendorError,
                Refused,
            ),
        ];
        for (status, body, code, kind, outcome) in cases {
            let err = answer(status, body).unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome(), err.vendor_code()),
                (kind, outcome, Some(code)),
                "{body}"
            );
        }
    }

    #[test]
    fn unreadable_answers_are_protocol_errors_with_unknown_outcome() {
        for (status, body) in [
            (502, "<html>Bad Gateway</html>"),
            (200, r#"{"code":"000000","result":[]}"#),
            (200, r#"{"code":"000000","result":[{"smsMsgId":""}]}"#),
            (200, r#"{"description":"Success"}"#),
            (200, ""),
        ] {
            let err = answer(status, body).unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome()),
                (ErrorKind::Protocol, Unknown),
                "{body}"
            );
        }
    }
}
