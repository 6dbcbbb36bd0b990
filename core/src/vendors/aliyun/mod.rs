//! Alibaba Cloud Voice Messaging Service (语音服务, `dyvmsapi` 2017-05-25): voice code
//! `SingleCallByTts`, and the `VoiceReport` / `VoiceCallReport` receipts it pushes.
//!
//! Sources (Alibaba Cloud's own documents):
//! - API: "SingleCallByTts - 发送语音验证码或文本转语音类型的语音通知",
//!   <https://help.aliyun.com/document_detail/393519.html> and
//!   <https://help.aliyun.com/document_detail/114035.htm> (parameters, ranges, answer).
//! - Signature: "HTTP协议及签名" of the voice service,
//!   <https://help.aliyun.com/document_detail/56190.html> (the POP / RPC signature, with a worked
//!   `SingleCallByTts` example), and "API 签名机制(示例)", <https://developer.aliyun.com/ask/210168>.
//! - Codes: "API错误码" <https://help.aliyun.com/document_detail/178344.html>, "错误码列表"
//!   <https://help.aliyun.com/zh/vms/the-error-code-list>, the dyvmsapi 2017-05-25 error codes
//!   <https://help.aliyun.com/zh/vms/developer-reference/api-dyvmsapi-2017-05-25-errorcodes>, and
//!   the OpenAPI gateway's common codes "管控OpenAPI的客户端公用错误码"
//!   <https://developer.aliyun.com/ask/278265>.
//! - Receipts: "VoiceReport" (HTTP 批量推送) <https://help.aliyun.com/zh/vms/voicereport-6>,
//!   "VoiceCallReport" <https://help.aliyun.com/zh/vms/voicecallreport-6>, "回执消息简介与配置流程"
//!   <https://help.aliyun.com/document_detail/112503.html>, "呼叫状态码"
//!   <https://help.aliyun.com/document_detail/112804.htm> and "运营商回执错误码"
//!   <https://help.aliyun.com/document_detail/55085.html>.
//!
//! Decisions:
//! - Signing is the documented RPC signature (`SignatureVersion` 1.0, HMAC-SHA1 keyed with
//!   `AccessKeySecret + "&"` over the percent-encoded, sorted parameters), not ACS3-HMAC-SHA256:
//!   it is the scheme the voice service's own protocol page documents for this API version, the
//!   one its published worked example uses (reproduced byte for byte in the tests below), and
//!   the one every SDK of `dyvmsapi` 2017-05-25 speaks. The secret never travels.
//! - The parameters go in a form body with `POST` (the document's example is a `GET`; the RPC
//!   style accepts both, and the method is part of the signed text), so that the number and the
//!   code stay out of URLs that proxies and servers log.
//! - `Timestamp` is UTC `yyyy-MM-ddTHH:mm:ssZ` (the document's Java sample stresses
//!   `setTimeZone(GMT)`); the gateway refuses a time more than 15 minutes off
//!   (`InvalidTimeStamp.Expired`). `SignatureNonce` is the context's nonce, and a reused one is
//!   refused (`SignatureNonceUsed`).
//! - Success is `Code == "OK"`; business refusals (`isv.*`, `isp.*`) come with HTTP 200, the
//!   gateway's (signature, key, throttling) with 4xx/5xx, both in the same JSON shape.
//! - `user_data` is sent as `OutId` (1–15 bytes), which the receipts carry back as `out_id`.
//! - Receipts are unsigned: Alibaba Cloud documents no signature, token or source addresses for
//!   its HTTP batch push, so a receiver authenticates them itself: a long random secret in the
//!   callback URL, checked before parsing, HTTPS only, and a
//!   [`Deduplicator`](crate::callbacks::Deduplicator) against the platform's repeats.
//! - dyvmsapi has no balance operation (the balance lives in the separate billing API), so
//!   `balance` is refused as `invalid_config` before anything is sent.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha1::Sha1;

pub mod sms;

use crate::http::{Context, HttpRequest, HttpResponse};
use crate::model::{CallEvent, EventKind, Receipt};
use crate::protocol::checks::{
    check_header_safe, check_play_times, check_secret, refuse_unsupported, CodeAlphabet, CodeRule,
};
use crate::protocol::encode;
use crate::protocol::vendor::{
    CodeSender, ParsedSend, Protocol, PushAck, PushParser, Signer, VendorFacts,
};
use crate::protocol::wire::{
    bad_body, china_time, form_post, int_field, json_body, required, success_status, text_field,
    Meaning, UNDOCUMENTED,
};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

pub(crate) const PRODUCTION: &str = "https://dyvmsapi.aliyuncs.com";
/// The SMS product's host.
pub(crate) const PRODUCTION_SMS: &str = "https://dysmsapi.aliyuncs.com";
const ACTION: &str = "SingleCallByTts";
const VERSION: &str = "2017-05-25";
/// The region every dyvmsapi sample signs with; the service has the one endpoint above.
const DEFAULT_REGION_ID: &str = "cn-hangzhou";
/// The variable of a voice-code template unless `tts_param_name` says otherwise (`${code}`).
const DEFAULT_TTS_PARAM_NAME: &str = "code";
/// "模板变量整体长度必须小于 250 个字符以内" (SingleCallByTts, TtsParam).
const MAX_TTS_PARAM_CHARS: usize = 249;
/// "字符串类型,长度为 1~15 个字节" (SingleCallByTts, OutId).
const MAX_OUT_ID_BYTES: usize = 15;

/// What a receiver of Alibaba Cloud's HTTP batch push answers: the platform checks only that
/// `code` is a number and the status is 200, and pushes again (after 1, 5 and 10 minutes) on any
/// other status or after 700 ms without an answer ("VoiceReport", 响应说明).
pub const REPORT_ACK: &str = r#"{"code":0,"msg":"接收成功"}"#;

/// Alibaba Cloud voice service account (`vendor = "aliyun"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliyunConfig {
    /// AccessKey ID (of a RAM user allowed `dyvms:SingleCallByTts`).
    pub access_key_id: String,
    /// AccessKey secret; used only as the HMAC key, never sent.
    pub access_key_secret: Secret,
    /// `CalledShowNumber`: the purchased number (真实号) or service instance shown to the user
    /// (专属模式). Leave it out for the public number pool (公共模式); the template must be of
    /// the same mode.
    pub called_show_number: Option<String>,
    /// `TtsCode`: the approved voice-code template, e.g. `TTS_100000000`.
    pub tts_code: String,
    /// The template's variable that receives the code (`${code}` → `code`, the default).
    pub tts_param_name: Option<String>,
    /// `Volume`, 0–100 (the vendor's default is 100).
    pub volume: Option<u8>,
    /// `Speed`, −500–500.
    pub speed: Option<i16>,
    /// `RegionId`, `cn-hangzhou` unless set.
    pub region_id: Option<String>,
}

use ErrorKind::*;
use Outcome::*;

/// The vendor's code tables, line for line, each under the document it comes from: code, kind, and
/// whether the code says no call was placed (`Refused`) or leaves it open (`Unknown`: the
/// platform's own failures, `isp.*` system errors, "try again later"). A code listed by two
/// documents keeps the first line (they agree). Codes the gateway answers with HTTP 5xx are
/// `Unknown` under any code.
pub const CODES: &[(&str, ErrorKind, Outcome)] = &[
    // 业务错误码, "API错误码" (help.aliyun.com/document_detail/178344.html):
    ("isp.RAM_PERMISSION_DENY", Forbidden, Refused), // RAM权限不足
    ("isv.OUT_OF_SERVICE", InsufficientBalance, Refused), // 业务停机: the account is in arrears
    ("isv.PRODUCT_UN_SUBSCRIPT", Forbidden, Refused), // 未开通云通信产品的阿里云客户
    ("isv.PRODUCT_UNSUBSCRIBE", Forbidden, Refused), // 产品功能未开通
    ("isv.TTS_TEMPLATE_ILLEGAL", InvalidConfig, Refused), // TTS模板不合法
    ("isv.VOICE_ROBOT_CALLEE_LIMIT", InvalidInput, Refused), // 被叫号码超过1000
    ("isv.BUSINESS_LIMIT_CONTROL", RateLimited, Refused), // 触发业务流控限制: 1/min, 5/h, 20/24h per callee
    ("isv.VOICE_ROBOT_NOT_PERIOD", Forbidden, Refused),   // 发送时间不能在限制时段内
    ("isv.MOBILE_COUNT_OVER_LIMIT", InvalidInput, Refused), // 手机号码数量超过限制
    ("isv.VOICE_CALL_PERIOD_ERROR", VendorError, Unknown), // 获取语音呼叫时段失败: the platform failed on its side
    ("isv.VOICE_CALL_FAIL", VendorError, Refused),         // 呼叫发起失败: the call was not started
    ("isv.BILLID_NOT_EXIST", InvalidConfig, Refused), // 计费账号不存在: the caller number is not the account's
    ("isv.BLACK_KEY_CONTROL_LIMIT", ContentRejected, Refused), // 模板变量中存在黑名单关键字
    ("isv.COMPLAINT_REJECT", RecipientBlocked, Refused), // 防骚扰拦截
    ("isv.TEMPLATE_ILLEGAL", InvalidConfig, Refused), // 模板非法或不存在
    ("isv.TEMPLATE_PARAMS_ILLEGAL", ContentRejected, Refused), // 模板变量非法
    ("isv.AMOUNT_NOT_ENOUGH", InsufficientBalance, Refused), // 账户余额不足
    ("isv.ACCOUNT_NOT_EXISTS", AuthFailed, Refused),  // 账户不存在: check the AccessKeyId
    ("isv.ACCOUNT_ABNORMAL", Forbidden, Refused),     // 账户异常
    ("isv.DISPLAY_NUMBER_ILLEGAL", InvalidConfig, Refused), // 号显不合法
    // SDK 错误码列表 (help.aliyun.com/zh/vms/the-error-code-list), codes not listed above:
    ("isv.VOICE_FILE_ILLEGAL", InvalidConfig, Refused), // 语音文件不合法
    ("isv.TEMPLATE_MISSING_PARAMETERS", InvalidConfig, Refused), // 文本转语音模板参数缺失: tts_param_name
    ("isv.INVALID_PARAMETERS", InvalidInput, Refused),           // 参数异常
    ("isv.PARAM_NOT_SUPPORT_URL", ContentRejected, Refused),     // 变量不支持URL参数
    ("isp.SYSTEM_ERROR", VendorError, Unknown),                  // 系统错误
    ("isv.MOBILE_NUMBER_ILLEGAL", InvalidInput, Refused),        // 号码格式非法
    ("isv.PARAM_LENGTH_LIMIT", InvalidInput, Refused),           // 参数长度受限
    // dyvmsapi 2017-05-25 错误码 (api-dyvmsapi-2017-05-25-errorcodes), codes not listed above:
    ("BillidNotExist", InvalidConfig, Refused), // 400 号码不存在
    ("ComplaintReject", RecipientBlocked, Refused), // 400 投诉拦截
    ("InternalError", VendorError, Unknown),    // 500 服务器内部错误
    ("InvalidParameters", InvalidInput, Refused), // 400 无效参数
    ("isp.GATEWAY_ERROR", VendorError, Unknown), // 500 系统异常
    ("isp.RES_OWNER_ID_UNKNOWN", AuthFailed, Refused), // 400 找不到资源归属的阿里云ID
    ("isp.UNKNOWN", VendorError, Unknown), // 400 未知异常: an exception the platform cannot name
    ("isp.USER_ASSERT_NOT_EXIST", AuthFailed, Refused), // 400 用户信息获取失败
    ("isp.USER_NOT_EXIST", AuthFailed, Refused), // 400 用户信息不存在
    ("isv.AMOUNT_NOT_ENOUG", InsufficientBalance, Refused), // 400 账户余额不足 (sic, as the table spells it)
    ("isv.ASR_MODEL_ERROR", Forbidden, Refused),            // 400 无权使用ASR模型
];

/// The OpenAPI gateway's own codes, which come before any product's action runs ("管控OpenAPI
/// 的客户端公用错误码", developer.aliyun.com/ask/278265), read as [`CODES`] are; every product
/// of the account shares them.
pub const GATEWAY_CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("InvalidApi.NotFound", VendorError, Refused), // 404 the action is unknown: a wrong base_url
    ("InvalidAccessKeyId.NotFound", AuthFailed, Refused), // 404 AccessKeyId 找不到
    ("InvalidAccessKeyId.Inactive", AuthFailed, Refused), // 400 AccessKeyId 被禁用
    ("InvalidTimeStamp.Format", AuthFailed, Refused), // 400 时间戳格式不对
    ("InvalidTimeStamp.Expired", AuthFailed, Refused), // 400 more than 15 minutes off: the host clock
    ("SignatureNonceUsed", AuthFailed, Refused),       // 400 SignatureNonce 重复
    ("InvalidParameter.Format", InvalidInput, Refused), // 400 Format is neither XML nor JSON
    ("UnsupportedHTTPMethod", VendorError, Refused),   // 400
    ("InvalidSignatureMethod", AuthFailed, Refused),   // 400
    ("SignatureDoesNotMatch", AuthFailed, Refused),    // 400 签名不通过: wrong access_key_secret
    ("IncompleteSignature", AuthFailed, Refused),      // 400
    ("Throttling", RateLimited, Refused),              // 400: rejected before the action ran
    ("Throttling.User", RateLimited, Refused),         // 400 用户调用频率超限
    ("Throttling.Api", RateLimited, Refused),          // 400 API 访问频率超限
    ("Forbidden.RAM", Forbidden, Refused),             // 403
    ("ServiceUnavailable", VendorError, Unknown),      // 503: try again later
];

/// Families the gateway's table writes with a placeholder (`Missing{ParameterName}`,
/// `Throttling.*`): prefix → kind, tried after the exact codes. Each is a refusal before the
/// action runs.
const FAMILIES: &[(&str, ErrorKind)] = &[
    ("Missing", InvalidInput),
    ("Throttling.", RateLimited),
    ("InvalidAccessKeyId.", AuthFailed),
    ("InvalidTimeStamp.", AuthFailed),
    ("Forbidden", Forbidden),
];

/// The meaning of a code under a product's own table: the exact line (the product's, then the
/// gateway's), then its family, then the HTTP status alone (an HTTP 5xx is `Unknown` whatever
/// this says).
pub(crate) fn classify_in(own: &[(&str, ErrorKind, Outcome)], status: u16, code: &str) -> Meaning {
    own.iter()
        .chain(GATEWAY_CODES)
        .find(|(c, ..)| *c == code)
        .map(|&(_, kind, outcome)| (kind, outcome))
        .or_else(|| {
            FAMILIES
                .iter()
                .find(|(prefix, _)| code.starts_with(prefix))
                .map(|&(_, kind)| (kind, Refused))
        })
        .unwrap_or(match status {
            401 => (AuthFailed, Refused),
            403 => (Forbidden, Refused),
            429 => (RateLimited, Refused),
            _ => UNDOCUMENTED,
        })
}

/// `percentEncode` of the signature document: RFC 3986 percent-encoding, everything but
/// `A-Za-z0-9-_.~` as `%XY` (uppercase), spaces `%20` rather than `+`, `*` `%2A`.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    encode::push_rfc3986_encoded(&mut out, text);
    out
}

/// `Timestamp`: UTC, second precision, literal `Z`.
pub fn timestamp(now: DateTime<Utc>) -> String {
    timestamp_text(now).into_string()
}

/// [`timestamp`] on the stack, for the signature that only reads it.
fn timestamp_text(now: DateTime<Utc>) -> encode::ShortText<20> {
    encode::iso8601_z_text(now.naive_utc())
}

/// The canonicalized query string: parameters sorted by name, each name and value encoded,
/// joined with `=` and `&`.
pub fn canonicalized_query(params: &[(&str, &str)]) -> String {
    String::from_utf8(sorted_query("", params).body).expect("percent-encoding writes ASCII")
}

/// `StringToSign = HTTPMethod + "&" + percentEncode("/") + "&" + percentEncode(query)`.
pub fn string_to_sign(method: &str, params: &[(&str, &str)]) -> String {
    String::from_utf8(sorted_query(method, params).signed).expect("percent-encoding writes ASCII")
}

fn sorted_query(method: &str, params: &[(&str, &str)]) -> Query {
    let mut sorted: Vec<&(&str, &str)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut query = Query::signed_by(method);
    for (name, value) in sorted {
        query.push(name, value);
    }
    query
}

/// A query written both ways at once: as the body has it (`name=value` pairs joined by `&`,
/// each name and value percent-encoded) and as the string to sign has it (the same query
/// percent-encoded once more, after the method and the encoded `/`).
#[derive(Default)]
struct Query {
    body: Vec<u8>,
    signed: Vec<u8>,
}

impl Query {
    fn signed_by(method: &str) -> Self {
        let mut signed = method.as_bytes().to_vec();
        signed.extend_from_slice(b"&%2F&");
        Query {
            body: Vec::new(),
            signed,
        }
    }

    fn push(&mut self, name: &str, value: &str) {
        self.push_value(&SlotName::new(name), value);
    }

    /// A pair whose name is already written both ways.
    fn push_value(&mut self, name: &SlotName, value: &str) {
        self.separate();
        self.body.extend_from_slice(&name.body);
        self.signed.extend_from_slice(&name.signed);
        encode::push_rfc3986_twice(&mut self.body, &mut self.signed, value.as_bytes());
    }

    /// A pair already written both ways.
    fn push_written(&mut self, body: &[u8], signed: &[u8]) {
        self.separate();
        self.body.extend_from_slice(body);
        self.signed.extend_from_slice(signed);
    }

    /// `&` between pairs, `%26` in the string to sign.
    fn separate(&mut self) {
        if !self.body.is_empty() {
            self.body.push(b'&');
            self.signed.extend_from_slice(b"%26");
        }
    }
}

/// A parameter's name with its `=`, as the body has it and as the string to sign has it.
struct SlotName {
    body: Box<[u8]>,
    signed: Box<[u8]>,
}

impl SlotName {
    fn new(name: &str) -> Self {
        let (mut body, mut signed) = (Vec::new(), Vec::new());
        encode::push_rfc3986_twice(&mut body, &mut signed, name.as_bytes());
        body.push(b'=');
        signed.extend_from_slice(b"%3D");
        SlotName {
            body: body.into(),
            signed: signed.into(),
        }
    }
}

/// `Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))`.
pub fn signature(access_key_secret: &str, string_to_sign: &str) -> String {
    let mut mac = keyed(access_key_secret);
    mac.update(string_to_sign.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// HMAC-SHA1 keyed with `AccessKeySecret + "&"`: set up once per channel, cloned per signature.
fn keyed(access_key_secret: &str) -> Hmac<Sha1> {
    Hmac::<Sha1>::new_from_slice(encode::concat(&[access_key_secret, "&"]).as_bytes())
        .expect("HMAC takes keys of any length")
}

impl AliyunConfig {
    fn tts_param_name(&self) -> &str {
        self.tts_param_name
            .as_deref()
            .unwrap_or(DEFAULT_TTS_PARAM_NAME)
    }
}

/// Letters, digits and underscores: what a template variable (`${code}`) may be called, and
/// what template IDs (`TTS_100000000`) are made of.
fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// "验证码模板变量实际内容仅支持数字和英文字母格式", and the whole TtsParam under 250 characters.
fn tts_param(name: &str, code: &str) -> Result<String> {
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid_input(
            "code",
            format!("{code:?} must be letters or digits only (Alibaba Cloud's rule for voice-code variables)"),
        ));
    }
    // Both parts are plain ASCII letters, digits and underscores: nothing needs JSON escaping.
    let param = encode::concat(&[r#"{""#, name, r#"":""#, code, r#""}"#]);
    if param.len() > MAX_TTS_PARAM_CHARS {
        return Err(Error::invalid_input(
            "code",
            format!(
                "is {} characters long; TtsParam {{\"{name}\":\"…\"}} must stay under 250",
                code.len()
            ),
        ));
    }
    Ok(param)
}

fn check_out_id(data: &str) -> Result<()> {
    let ok =
        (1..=MAX_OUT_ID_BYTES).contains(&data.len()) && data.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(Error::invalid_input(
            "user_data",
            format!(
                "is sent as OutId, which must be 1 to {MAX_OUT_ID_BYTES} visible ASCII characters"
            ),
        ));
    }
    Ok(())
}

/// `SingleCallByTts` from one channel.
struct Sender {
    rpc: Rpc,
    tts_param_name: String,
}

/// The parameters a voice-code call fills in per send, in the order [`Sender::prepare`] gives
/// their values; the channel's own (`TtsCode`, `CalledShowNumber`, `Speed`, `Volume`) are
/// encoded once, by [`Rpc::new`].
const SLOTS: [&str; 4] = ["CalledNumber", "TtsParam", "OutId", "PlayTimes"];

impl CodeSender for Sender {
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer> {
        refuse_unsupported("aliyun", req.options, &["play_times", "user_data"])?;
        // "手机号码 … 固话号码": mainland only (calls abroad were discontinued in March 2022).
        let called = req.to.mainland("to", "aliyun")?.to_owned();
        let tts_param = tts_param(&self.tts_param_name, req.code)?;
        let note = " (Alibaba Cloud's PlayTimes)";
        check_play_times(req.options.play_times, 1..=3, note)?;
        if let Some(data) = &req.options.user_data {
            check_out_id(data)?;
        }
        let (out_id, play_times) = (
            req.options.user_data.clone(),
            req.options.play_times.map(|t| t.to_string()),
        );
        Ok(Box::new(move |ctx: &Context| {
            let values = [
                Some(called.as_str()),
                Some(tts_param.as_str()),
                out_id.as_deref(),
                play_times.as_deref(),
            ];
            self.rpc.post(&values, ctx)
        }))
    }
}

/// What signs the RPC requests of one channel (both 2017-05-25 APIs, `dyvmsapi` and `dysmsapi`,
/// speak it), set up once: the URL, HMAC-SHA1 keyed with the secret, and the request's
/// parameters in their signing order, with those that never change (the account, the action,
/// the product's own settings) already encoded for the body and for the string to sign.
pub(crate) struct Rpc {
    url: Arc<str>,
    /// The body's fixed parameters before the first one a send fills in.
    body_head: Box<[u8]>,
    /// HMAC-SHA1 keyed with the secret and fed the string to sign up to the same place: more
    /// than a hash block that no send hashes again.
    keyed_head: Hmac<Sha1>,
    /// The rest, in signing order.
    parts: Vec<Part>,
    /// How many values [`Rpc::post`] takes: the slots the product named.
    slots: usize,
}

/// One parameter of a request, in the canonical (sorted) order.
enum Part {
    /// `Name=Value` pairs that follow one another, as the body has them (joined by `&`), and
    /// encoded again as the string to sign has them.
    Fixed { body: Box<[u8]>, signed: Box<[u8]> },
    /// A value given per send: the product's (by position) or the nonce and time.
    Slot { name: SlotName, source: Source },
}

/// Where a slot's value comes from.
#[derive(Clone, Copy)]
enum Source {
    Given(usize),
    Nonce,
    Timestamp,
}

/// The channel's side of an RPC request: the account and what the product sets once.
pub(crate) struct RpcSetup<'a> {
    pub(crate) base: &'a str,
    pub(crate) access_key_id: &'a str,
    pub(crate) secret: &'a Secret,
    pub(crate) region: Option<&'a str>,
    pub(crate) action: &'static str,
    /// Parameters every send of the channel carries; `None` values are left out.
    pub(crate) fixed: &'a [(&'static str, Option<&'a str>)],
    /// Names of the parameters each send fills in, in the order [`Rpc::post`] takes them.
    pub(crate) slots: &'a [&'static str],
}

impl Rpc {
    pub(crate) fn new(setup: RpcSetup) -> Self {
        let region = setup.region.unwrap_or(DEFAULT_REGION_ID);
        let common = [
            ("AccessKeyId", Some(setup.access_key_id)),
            ("Action", Some(setup.action)),
            ("Format", Some("JSON")),
            ("RegionId", Some(region)),
            ("SignatureMethod", Some("HMAC-SHA1")),
            ("SignatureVersion", Some("1.0")),
            ("Version", Some(VERSION)),
        ];
        let mut named: Vec<(&str, Part)> = common
            .iter()
            .chain(setup.fixed)
            .filter_map(|&(name, value)| Some((name, fixed_part(name, value?))))
            .collect();
        let given = setup.slots.iter().enumerate();
        named.extend(given.map(|(i, &name)| {
            (
                name,
                Part::Slot {
                    name: SlotName::new(name),
                    source: Source::Given(i),
                },
            )
        }));
        named.push((
            "SignatureNonce",
            Part::Slot {
                name: SlotName::new("SignatureNonce"),
                source: Source::Nonce,
            },
        ));
        named.push((
            "Timestamp",
            Part::Slot {
                name: SlotName::new("Timestamp"),
                source: Source::Timestamp,
            },
        ));
        named.sort_by(|a, b| a.0.cmp(b.0));
        let mut parts = named.into_iter().map(|(_, part)| part).peekable();
        let mut head = Query::signed_by("POST");
        while let Some(Part::Fixed { body, signed }) =
            parts.next_if(|p| matches!(p, Part::Fixed { .. }))
        {
            head.push_written(&body, &signed);
        }
        let mut keyed_head = keyed(setup.secret.expose());
        keyed_head.update(&head.signed);
        // Fixed parameters that follow one another are written as one run.
        let mut runs: Vec<Part> = Vec::new();
        for part in parts {
            match (runs.last_mut(), part) {
                (Some(Part::Fixed { body, signed }), Part::Fixed { body: b, signed: s }) => {
                    *body = [&body[..], b"&", &b].concat().into();
                    *signed = [&signed[..], b"%26", &s].concat().into();
                }
                (_, part) => runs.push(part),
            }
        }
        Rpc {
            url: format!("{}/", setup.base).into(),
            body_head: head.body.into(),
            keyed_head,
            parts: runs,
            slots: setup.slots.len(),
        }
    }

    /// The request with the product's slot `values` (in the order its slots were named; `None`
    /// leaves a parameter out) and the common ones, signed at the context's time with its nonce,
    /// as a form `POST`.
    pub(crate) fn post(&self, values: &[Option<&str>], ctx: &Context) -> HttpRequest {
        debug_assert_eq!(values.len(), self.slots);
        let timestamp = timestamp_text(ctx.now);
        // The canonicalized query is both what is signed and, with the signature, the body.
        let mut body = Vec::with_capacity(512);
        body.extend_from_slice(&self.body_head);
        let mut query = Query {
            body,
            signed: Vec::with_capacity(768),
        };
        for part in &self.parts {
            match part {
                Part::Fixed { body, signed } => query.push_written(body, signed),
                Part::Slot { name, source } => match source {
                    Source::Given(i) => {
                        if let Some(value) = values[*i] {
                            query.push_value(name, value);
                        }
                    }
                    Source::Nonce => query.push_value(name, &ctx.nonce),
                    Source::Timestamp => query.push_value(name, timestamp.as_str()),
                },
            }
        }
        let Query { mut body, signed } = query;
        let mut mac = self.keyed_head.clone();
        mac.update(&signed);
        let mut signature = [0u8; 28];
        let written = BASE64
            .encode_slice(mac.finalize().into_bytes(), &mut signature)
            .expect("a SHA-1 digest is 28 characters in Base64");
        body.extend_from_slice(b"&Signature=");
        encode::push_rfc3986_bytes(&mut body, &signature[..written]);
        form_post(
            &self.url,
            "application/x-www-form-urlencoded;charset=utf-8",
            body,
        )
    }
}

fn fixed_part(name: &str, value: &str) -> Part {
    let mut query = Query::default();
    query.push(name, value);
    Part::Fixed {
        body: query.body.into(),
        signed: query.signed.into(),
    }
}

/// Checks the keys every product of the account has.
pub(crate) fn validate_account(
    access_key_id: &str,
    secret: &Secret,
    region: Option<&str>,
) -> Result<()> {
    check_header_safe("access_key_id", access_key_id)?;
    check_secret("access_key_secret", secret)?;
    if let Some(region) = region {
        let ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(Error::invalid_config(
                "region_id",
                "must be a region id such as cn-hangzhou",
            ));
        }
    }
    Ok(())
}

impl VendorFacts for AliyunConfig {
    const DISPLAY_NAME: &'static str = "Alibaba Cloud";
    const SECRET_KEY: Option<&'static str> = Some("access_key_secret");
    const PUSH: Option<(PushParser, PushAck)> = Some((parse_report, PushAck::json(REPORT_ACK)));
}

impl Protocol for AliyunConfig {
    fn code_rule(&self) -> Option<CodeRule> {
        // The code travels as TtsParam {"<name>":"<code>"}, which must fit MAX_TTS_PARAM_CHARS.
        let wrapper = r#"{"":""}"#.len() + self.tts_param_name().len();
        Some(CodeRule {
            min_len: 1,
            max_len: MAX_TTS_PARAM_CHARS.saturating_sub(wrapper),
            alphabet: CodeAlphabet::Alphanumeric,
        })
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(PRODUCTION)
    }

    fn validate(&self) -> Result<()> {
        validate_account(
            &self.access_key_id,
            &self.access_key_secret,
            self.region_id.as_deref(),
        )?;
        if !is_variable_name(&self.tts_code) {
            return Err(Error::invalid_config(
                "tts_code",
                "must be the template's ID as the console shows it, e.g. TTS_100000000",
            ));
        }
        if let Some(number) = &self.called_show_number {
            // A number (0571…, 400…) or a service instance ID: never empty or spaced.
            let ok = !number.is_empty()
                && number.len() <= 64
                && number
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                return Err(Error::invalid_config(
                    "called_show_number",
                    "must be the purchased number or service instance ID (digits, letters, - or _); leave it out for the public number pool",
                ));
            }
        }
        if !is_variable_name(self.tts_param_name()) {
            return Err(Error::invalid_config(
                "tts_param_name",
                "must be the template's variable name (letters, digits, _), e.g. code for ${code}",
            ));
        }
        if self.volume.is_some_and(|v| v > 100) {
            return Err(Error::invalid_config("volume", "must be 0 to 100"));
        }
        if self.speed.is_some_and(|s| !(-500..=500).contains(&s)) {
            return Err(Error::invalid_config("speed", "must be -500 to 500"));
        }
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        let (speed, volume) = (
            self.speed.map(|s| s.to_string()),
            self.volume.map(|v| v.to_string()),
        );
        let rpc = Rpc::new(RpcSetup {
            base,
            access_key_id: &self.access_key_id,
            secret: &self.access_key_secret,
            region: self.region_id.as_deref(),
            action: ACTION,
            fixed: &[
                ("TtsCode", Some(&self.tts_code)),
                ("CalledShowNumber", self.called_show_number.as_deref()),
                ("Speed", speed.as_deref()),
                ("Volume", volume.as_deref()),
            ],
            slots: &SLOTS,
        });
        Ok(Arc::new(Sender {
            rpc,
            tts_param_name: self.tts_param_name().to_owned(),
        }))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        parse_answer(resp, CODES, "CallId")
    }
}

/// The answer every 2017-05-25 action gives, with the id of either product.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: Option<String>,
    message: Option<String>,
    call_id: Option<String>,
    biz_id: Option<String>,
}

/// Reads an answer: `Code` `OK` with the id under `id_key` (`CallId` or `BizId`), or a code
/// read through the product's table `own`.
pub(crate) fn parse_answer(
    resp: &HttpResponse,
    own: &[(&str, ErrorKind, Outcome)],
    id_key: &'static str,
) -> Result<Receipt> {
    let answer: Answer = json_body(Vendor::Aliyun, resp)?;
    let code = required(Vendor::Aliyun, resp, answer.code, "the answer has no Code")?;
    let message = answer.message.unwrap_or_default();
    if code != "OK" {
        return Err(Error::answered(
            Vendor::Aliyun,
            classify_in(own, resp.status, &code),
            resp.status,
            &code,
            &message,
        ));
    }
    success_status(Vendor::Aliyun, resp, "Code OK with an error status")?;
    let id = if id_key == "BizId" {
        answer.biz_id
    } else {
        answer.call_id
    };
    let message_id = match id.filter(|id| !id.is_empty()) {
        Some(id) => id,
        None => {
            let missing = format!("success without a {id_key}");
            return Err(Error::protocol(Vendor::Aliyun, resp.status, missing));
        }
    };
    Ok(Receipt::new(Vendor::Aliyun, message_id, code, message))
}

/// Reads an HTTP batch push of `VoiceReport` (呼叫记录, one per finished call),
/// `VoiceCallReport` (呼叫中间状态) or SMS `SmsReport` (短信状态报告) records: a JSON array, one
/// event per record, in order.
///
/// Alibaba Cloud signs nothing in these pushes and publishes no source addresses, so the
/// receiver must authenticate them itself: register a callback URL that carries a long random
/// secret (path or query) and check it before parsing, serve it over HTTPS only, and
/// de-duplicate ([`crate::callbacks::Deduplicator`]), since the platform pushes again after a
/// timeout. Answer [`REPORT_ACK`] with HTTP 200 within 700 ms.
///
/// Times are China wall-clock time (`yyyy-MM-dd HH:mm:ss`, as the console shows them).
pub(crate) fn parse_report(_headers: &[(String, String)], body: &[u8]) -> Result<Vec<CallEvent>> {
    let bad = |detail: &str| bad_body(Vendor::Aliyun, detail);
    let records: Vec<Value> = serde_json::from_slice(body)
        .map_err(|e| bad(&format!("expected a JSON array of report records ({e})")))?;
    let mut events = Vec::with_capacity(records.len());
    for record in records {
        let Value::Object(record) = record else {
            return Err(bad("a record is not an object"));
        };
        // An SMS report (SmsReport) names its message by `biz_id`; a call record by `call_id`.
        let event = if record.contains_key("biz_id") {
            Some(sms::report_event(record)?)
        } else {
            report_event(record)?
        };
        events.extend(event);
    }
    Ok(events)
}

/// "呼叫状态码": the intermediate states of a single call (VoiceCallReport).
fn call_state(status: &str) -> Option<Option<EventKind>> {
    Some(match status {
        "200101" => Some(EventKind::Dialing),  // 开始呼叫
        "200201" => Some(EventKind::Ringing),  // 被叫响铃
        "200102" => Some(EventKind::Answered), // 被叫接听
        "200100" => Some(EventKind::Hangup),   // 呼叫结束
        "300000" => None,                      // dtmf消息: keys pressed, not a call state
        _ => return None,
    })
}

fn report_event(record: Map<String, Value>) -> Result<Option<CallEvent>> {
    let bad = |detail: &str| bad_body(Vendor::Aliyun, detail);
    let message_id =
        text_field(&record, "call_id").ok_or_else(|| bad("a record has no call_id"))?;
    let status =
        text_field(&record, "status_code").ok_or_else(|| bad("a record has no status_code"))?;
    // A VoiceCallReport carries `status_time` and none of VoiceReport's call times.
    let is_call_report = record.contains_key("status_time")
        && !record.contains_key("end_time")
        && !record.contains_key("duration");
    let (event, at) = if is_call_report {
        let event = match call_state(&status) {
            Some(Some(event)) => event,
            Some(None) => return Ok(None),
            None => {
                return Err(bad(&format!(
                    "unknown VoiceCallReport status_code {status:?}"
                )))
            }
        };
        (
            event,
            china_time(text_field(&record, "status_time").as_deref()),
        )
    } else {
        // "运营商回执错误码": 200000 the user heard the whole message, 200001 hung up before the
        // end of it (the code is usually heard by then); every other code is a call that never
        // reached the user's ear.
        let event = match status.as_str() {
            "200000" | "200001" => EventKind::Delivered,
            _ => EventKind::Failed,
        };
        let at = ["end_time", "b_start_time", "ring_time", "originate_time"]
            .iter()
            .find_map(|key| china_time(text_field(&record, key).as_deref()));
        (event, at)
    };
    Ok(Some(CallEvent {
        vendor: Vendor::Aliyun,
        message_id,
        phone: text_field(&record, "callee"),
        event,
        at,
        state_code: int_field(&record, "status_code"),
        state_desc: text_field(&record, "status_msg"),
        talk_seconds: int_field(&record, "duration").and_then(|s| u64::try_from(s).ok()),
        user_data: text_field(&record, "out_id"),
        raw: record,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::http::Method;
    use crate::model::SendCode;
    use crate::model::SendOptions;
    use chrono::TimeZone;

    fn config() -> AliyunConfig {
        AliyunConfig {
            access_key_id: "testId".into(),
            access_key_secret: "testSecret".into(),
            called_show_number: Some("057112345678".into()),
            tts_code: "TTS_0000000".into(),
            tts_param_name: None,
            volume: None,
            speed: None,
            region_id: None,
        }
    }

    fn ctx() -> Context {
        Context {
            now: Utc.with_ymd_and_hms(2017, 9, 28, 14, 31, 56).unwrap(),
            nonce: "f7d2d4ef-6d5f-4da4-86ed-88e001a66abb".into(),
        }
    }

    /// "HTTP协议及签名" of the voice service (help.aliyun.com/document_detail/56190.html, also
    /// developer.aliyun.com/ask/278533): a `GET` of `SingleCallByTts` with AccessKeyId `testId`,
    /// secret `testSecret`, signed to `aMfgrx8DLS7vLfpeR1c2rrKLr0Q=`, and the final URL.
    #[test]
    fn reproduces_the_voice_service_worked_example() {
        let params = [
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "f7d2d4ef-6d5f-4da4-86ed-88e001a66abb"),
            ("AccessKeyId", "testId"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2017-09-28T14:31:56Z"),
            ("Format", "XML"),
            ("Action", "SingleCallByTts"),
            ("Version", "2017-05-25"),
            ("RegionId", "cn-hangzhou"),
            ("CalledNumber", "13000000000"),
            ("CalledShowNumber", "057112345678"),
            ("TtsCode", "TTS_0000000"),
            ("TtsParam", r#"{"code":"1234","product":"test"}"#),
            ("OutId", "123"),
        ];
        let to_sign = string_to_sign("GET", &params);
        assert_eq!(
            to_sign,
            concat!(
                "GET&%2F&AccessKeyId%3DtestId%26Action%3DSingleCallByTts%26CalledNumber%3D13000000000",
                "%26CalledShowNumber%3D057112345678%26Format%3DXML%26OutId%3D123%26RegionId%3Dcn-hangzhou",
                "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Df7d2d4ef-6d5f-4da4-86ed-88e001a66abb",
                "%26SignatureVersion%3D1.0%26Timestamp%3D2017-09-28T14%253A31%253A56Z%26TtsCode%3DTTS_0000000",
                "%26TtsParam%3D%257B%2522code%2522%253A%25221234%2522%252C%2522product%2522%253A%2522test%2522%257D",
                "%26Version%3D2017-05-25"
            )
        );
        let signed = signature("testSecret", &to_sign);
        assert_eq!(signed, "aMfgrx8DLS7vLfpeR1c2rrKLr0Q=");
        assert_eq!(percent_encode(&signed), "aMfgrx8DLS7vLfpeR1c2rrKLr0Q%3D");
        assert_eq!(
            format!("Signature={}&{}", percent_encode(&signed), canonicalized_query(&params)),
            concat!(
                "Signature=aMfgrx8DLS7vLfpeR1c2rrKLr0Q%3D&AccessKeyId=testId&Action=SingleCallByTts",
                "&CalledNumber=13000000000&CalledShowNumber=057112345678&Format=XML&OutId=123",
                "&RegionId=cn-hangzhou&SignatureMethod=HMAC-SHA1",
                "&SignatureNonce=f7d2d4ef-6d5f-4da4-86ed-88e001a66abb&SignatureVersion=1.0",
                "&Timestamp=2017-09-28T14%3A31%3A56Z&TtsCode=TTS_0000000",
                "&TtsParam=%7B%22code%22%3A%221234%22%2C%22product%22%3A%22test%22%7D&Version=2017-05-25"
            )
        );
    }

    /// "API 签名机制(示例)" (developer.aliyun.com/ask/210168): `DescribeRegions` with AccessKeyId
    /// `testid`, secret `testsecret` (HMAC key `testsecret&`) → `CT9X0VtwR86fNWSnsc6v8YGOjuE=`.
    /// That page spells the parameter `TimeStamp`, and its vector depends on it.
    #[test]
    fn reproduces_the_generic_rpc_worked_example() {
        let params = [
            ("TimeStamp", "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("Version", "2014-05-26"),
            ("SignatureVersion", "1.0"),
        ];
        let to_sign = string_to_sign("GET", &params);
        // The page prints the inner separators as `&`; its signature was computed over `%26`,
        // as its own rule (percentEncode of the whole canonicalized query) requires.
        assert_eq!(
            to_sign,
            concat!(
                "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML",
                "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
                "%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
            )
        );
        assert_eq!(
            signature("testsecret", &to_sign),
            "CT9X0VtwR86fNWSnsc6v8YGOjuE="
        );
    }

    #[test]
    fn encoding_follows_rfc_3986_not_forms() {
        assert_eq!(percent_encode("a b*c~d+e/f"), "a%20b%2Ac~d%2Be%2Ff");
        assert_eq!(percent_encode("阿里"), "%E9%98%BF%E9%87%8C");
    }

    #[test]
    fn golden_send_code_request() {
        let req = config()
            .send_code(PRODUCTION, &SendCode::new("+8613000000000", "1234"), &ctx())
            .unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "https://dyvmsapi.aliyuncs.com/");
        assert_eq!(
            req.header_value("Content-Type"),
            Some("application/x-www-form-urlencoded;charset=utf-8")
        );
        let params = [
            ("AccessKeyId", "testId"),
            ("Action", "SingleCallByTts"),
            ("CalledNumber", "13000000000"),
            ("CalledShowNumber", "057112345678"),
            ("Format", "JSON"),
            ("RegionId", "cn-hangzhou"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "f7d2d4ef-6d5f-4da4-86ed-88e001a66abb"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2017-09-28T14:31:56Z"),
            ("TtsCode", "TTS_0000000"),
            ("TtsParam", r#"{"code":"1234"}"#),
            ("Version", "2017-05-25"),
        ];
        let expected_signature = signature("testSecret", &string_to_sign("POST", &params));
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            format!(
                concat!(
                    "AccessKeyId=testId&Action=SingleCallByTts&CalledNumber=13000000000",
                    "&CalledShowNumber=057112345678&Format=JSON&RegionId=cn-hangzhou",
                    "&SignatureMethod=HMAC-SHA1&SignatureNonce=f7d2d4ef-6d5f-4da4-86ed-88e001a66abb",
                    "&SignatureVersion=1.0&Timestamp=2017-09-28T14%3A31%3A56Z&TtsCode=TTS_0000000",
                    "&TtsParam=%7B%22code%22%3A%221234%22%7D&Version=2017-05-25&Signature={}"
                ),
                percent_encode(&expected_signature)
            )
        );
    }

    #[test]
    fn golden_request_with_every_option() {
        let mut c = config();
        c.called_show_number = None;
        c.tts_param_name = Some("AckNum".into());
        c.volume = Some(0);
        c.speed = Some(-500);
        c.region_id = Some("cn-shanghai".into());
        let req = SendCode::new("057112345678", "a1B2")
            .play_times(1)
            .user_data("order-42");
        let req = c.send_code("http://127.0.0.1:9", &req, &ctx()).unwrap();
        assert_eq!(req.url, "http://127.0.0.1:9/");
        let body = String::from_utf8(req.body).unwrap();
        let fields: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
        let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
        assert_eq!(get("CalledNumber"), Some("057112345678"));
        assert_eq!(
            get("CalledShowNumber"),
            None,
            "public pool: no caller number"
        );
        assert_eq!(get("TtsParam"), Some(r#"{"AckNum":"a1B2"}"#));
        assert_eq!(get("PlayTimes"), Some("1"));
        assert_eq!(get("OutId"), Some("order-42"));
        assert_eq!(get("Volume"), Some("0"));
        assert_eq!(get("Speed"), Some("-500"));
        assert_eq!(get("RegionId"), Some("cn-shanghai"));
        // The signature covers every parameter sent, in sorted order.
        let (signature_field, signed) = fields.last().unwrap();
        assert_eq!(signature_field, "Signature");
        let params: Vec<(&str, &str)> = fields[..fields.len() - 1]
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let names: Vec<&str> = params.iter().map(|(k, _)| *k).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert_eq!(
            *signed,
            signature("testSecret", &string_to_sign("POST", &params))
        );
    }

    #[test]
    fn validation_names_the_field_and_rule() {
        let base = SendCode::new("13000000000", "1234");
        for (req, field) in [
            (SendCode::new("13000000000", ""), "code"),
            (SendCode::new("13000000000", "12 4"), "code"),
            (SendCode::new("13000000000", "12-4"), "code"),
            (SendCode::new("13000000000", "9".repeat(240)), "code"),
            (SendCode::new("+14155550100", "1234"), "to"),
            (SendCode::new("12345", "1234"), "to"),
            (base.clone().play_times(0), "play_times"),
            (base.clone().play_times(4), "play_times"),
            (base.clone().user_data("x".repeat(16)), "user_data"),
            (base.clone().user_data("订单"), "user_data"),
            (base.clone().user_data(""), "user_data"),
            (
                SendCode {
                    options: SendOptions {
                        status_url: Some("https://example.com/s".into()),
                        ..SendOptions::default()
                    },
                    ..base.clone()
                },
                "status_url",
            ),
        ] {
            let err = config().send_code(PRODUCTION, &req, &ctx()).unwrap_err();
            assert_eq!(
                (err.kind(), err.field(), err.outcome()),
                (InvalidInput, Some(field), crate::Outcome::NotSent),
                "{req:?}: {err}"
            );
        }
    }

    #[test]
    fn the_longest_code_that_fits_the_tts_param_is_accepted() {
        // {"code":"…"} is 11 characters around the code; the whole must stay under 250.
        let fits = "7".repeat(MAX_TTS_PARAM_CHARS - 11);
        assert!(config()
            .send_code(
                PRODUCTION,
                &SendCode::new("13000000000", fits.clone()),
                &ctx()
            )
            .is_ok());
        let err = config()
            .send_code(
                PRODUCTION,
                &SendCode::new("13000000000", format!("{fits}7")),
                &ctx(),
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("code"));
    }

    #[test]
    fn bad_config_is_refused_naming_the_key() {
        type Breakage = fn(&mut AliyunConfig);
        let cases: [(Breakage, &str); 8] = [
            (|c| c.access_key_id = String::new(), "access_key_id"),
            (|c| c.access_key_secret = "".into(), "access_key_secret"),
            (|c| c.tts_code = "TTS 1".into(), "tts_code"),
            (
                |c| c.called_show_number = Some("0571 1234".into()),
                "called_show_number",
            ),
            (
                |c| c.tts_param_name = Some("${code}".into()),
                "tts_param_name",
            ),
            (|c| c.volume = Some(101), "volume"),
            (|c| c.speed = Some(501), "speed"),
            (|c| c.region_id = Some("CN Hangzhou".into()), "region_id"),
        ];
        for (breaks, field) in cases {
            let mut c = config();
            breaks(&mut c);
            let err = c.validate().unwrap_err();
            assert_eq!((err.kind(), err.field()), (InvalidConfig, Some(field)));
        }
        assert!(config().validate().is_ok());
    }

    #[test]
    fn parses_success() {
        let body = r#"{"Code":"OK","Message":"OK","RequestId":"D9CB3933-9FE3-4870-BA8E-2BEE91B69D23","CallId":"116012354148^10281378****"}"#;
        let receipt = config()
            .parse_send_code(&HttpResponse::new(200, body))
            .unwrap();
        assert_eq!(receipt.message_id, "116012354148^10281378****");
        assert_eq!(
            (
                receipt.vendor_code.as_str(),
                receipt.vendor_message.as_str()
            ),
            ("OK", "OK")
        );
    }

    #[test]
    fn every_documented_code_maps_to_its_kind_and_outcome() {
        // Mirrors the vendor's tables; written out independently of CODES.
        let expected: &[(u16, &str, ErrorKind, Outcome)] = &[
            (200, "isp.RAM_PERMISSION_DENY", Forbidden, Refused),
            (200, "isv.OUT_OF_SERVICE", InsufficientBalance, Refused),
            (200, "isv.PRODUCT_UN_SUBSCRIPT", Forbidden, Refused),
            (200, "isv.PRODUCT_UNSUBSCRIBE", Forbidden, Refused),
            (200, "isv.TTS_TEMPLATE_ILLEGAL", InvalidConfig, Refused),
            (200, "isv.VOICE_ROBOT_CALLEE_LIMIT", InvalidInput, Refused),
            (200, "isv.BUSINESS_LIMIT_CONTROL", RateLimited, Refused),
            (200, "isv.VOICE_ROBOT_NOT_PERIOD", Forbidden, Refused),
            (200, "isv.MOBILE_COUNT_OVER_LIMIT", InvalidInput, Refused),
            (200, "isv.VOICE_CALL_PERIOD_ERROR", VendorError, Unknown),
            (200, "isv.VOICE_CALL_FAIL", VendorError, Refused),
            (200, "isv.BILLID_NOT_EXIST", InvalidConfig, Refused),
            (200, "isv.BLACK_KEY_CONTROL_LIMIT", ContentRejected, Refused),
            (200, "isv.COMPLAINT_REJECT", RecipientBlocked, Refused),
            (200, "isv.TEMPLATE_ILLEGAL", InvalidConfig, Refused),
            (200, "isv.TEMPLATE_PARAMS_ILLEGAL", ContentRejected, Refused),
            (200, "isv.AMOUNT_NOT_ENOUGH", InsufficientBalance, Refused),
            (200, "isv.ACCOUNT_NOT_EXISTS", AuthFailed, Refused),
            (200, "isv.ACCOUNT_ABNORMAL", Forbidden, Refused),
            (200, "isv.DISPLAY_NUMBER_ILLEGAL", InvalidConfig, Refused),
            (200, "isv.VOICE_FILE_ILLEGAL", InvalidConfig, Refused),
            (
                200,
                "isv.TEMPLATE_MISSING_PARAMETERS",
                InvalidConfig,
                Refused,
            ),
            (200, "isv.INVALID_PARAMETERS", InvalidInput, Refused),
            (200, "isv.PARAM_NOT_SUPPORT_URL", ContentRejected, Refused),
            (200, "isp.SYSTEM_ERROR", VendorError, Unknown),
            (200, "isv.MOBILE_NUMBER_ILLEGAL", InvalidInput, Refused),
            (200, "isv.PARAM_LENGTH_LIMIT", InvalidInput, Refused),
            (400, "BillidNotExist", InvalidConfig, Refused),
            (400, "ComplaintReject", RecipientBlocked, Refused),
            (500, "InternalError", VendorError, Unknown),
            (400, "InvalidParameters", InvalidInput, Refused),
            (500, "isp.GATEWAY_ERROR", VendorError, Unknown),
            (400, "isp.RES_OWNER_ID_UNKNOWN", AuthFailed, Refused),
            (400, "isp.UNKNOWN", VendorError, Unknown),
            (400, "isp.USER_ASSERT_NOT_EXIST", AuthFailed, Refused),
            (400, "isp.USER_NOT_EXIST", AuthFailed, Refused),
            (400, "isv.AMOUNT_NOT_ENOUG", InsufficientBalance, Refused),
            (400, "isv.ASR_MODEL_ERROR", Forbidden, Refused),
            (404, "InvalidApi.NotFound", VendorError, Refused),
            (404, "InvalidAccessKeyId.NotFound", AuthFailed, Refused),
            (400, "InvalidAccessKeyId.Inactive", AuthFailed, Refused),
            (400, "InvalidTimeStamp.Format", AuthFailed, Refused),
            (400, "InvalidTimeStamp.Expired", AuthFailed, Refused),
            (400, "SignatureNonceUsed", AuthFailed, Refused),
            (400, "InvalidParameter.Format", InvalidInput, Refused),
            (400, "UnsupportedHTTPMethod", VendorError, Refused),
            (400, "InvalidSignatureMethod", AuthFailed, Refused),
            (400, "SignatureDoesNotMatch", AuthFailed, Refused),
            (400, "IncompleteSignature", AuthFailed, Refused),
            (400, "Throttling", RateLimited, Refused),
            (400, "Throttling.User", RateLimited, Refused),
            (400, "Throttling.Api", RateLimited, Refused),
            (403, "Forbidden.RAM", Forbidden, Refused),
            (503, "ServiceUnavailable", VendorError, Unknown),
        ];
        assert_eq!(expected.len(), CODES.len() + GATEWAY_CODES.len());
        for &(status, code, kind, outcome) in expected {
            let body = format!(r#"{{"Code":"{code}","Message":"m","RequestId":"r"}}"#);
            let err = config()
                .parse_send_code(&HttpResponse::new(status, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome()),
                (kind, outcome),
                "{status} {code}"
            );
            assert_eq!(err.vendor_code(), Some(code));
            assert_eq!(err.vendor_message(), Some("m"));
            assert_eq!(err.http_status(), Some(status));
        }
    }

    #[test]
    fn placeholder_families_and_unknown_codes_fall_back_sensibly() {
        assert_eq!(
            classify_in(CODES, 400, "MissingCalledNumber"),
            (InvalidInput, Refused)
        );
        assert_eq!(
            classify_in(CODES, 400, "Throttling.Concurrency"),
            (RateLimited, Refused)
        );
        assert_eq!(
            classify_in(CODES, 403, "Forbidden.AccessKeyDisabled"),
            (Forbidden, Refused)
        );
        assert_eq!(
            classify_in(CODES, 403, "isv.SOMETHING_NEW"),
            (Forbidden, Refused)
        );
        assert_eq!(
            classify_in(CODES, 200, "isv.SOMETHING_NEW"),
            (VendorError, Refused)
        );
    }

    #[test]
    fn a_server_error_status_leaves_the_outcome_unknown_whatever_the_code() {
        // The issue's reproduction, then refusals a router would move on after, under a 5xx.
        for (status, code, kind) in [
            (500, "InternalError", VendorError),
            (500, "isp.SYSTEM_ERROR", VendorError),
            (503, "ServiceUnavailable", VendorError),
            (500, "isv.AMOUNT_NOT_ENOUGH", InsufficientBalance),
            (502, "Throttling.User", RateLimited),
            (504, "isv.SOMETHING_NEW", VendorError),
        ] {
            let body = format!(
                r#"{{"RequestId":"x","Code":"{code}","Message":"The request processing has failed due to some unknown error."}}"#
            );
            let err = config()
                .parse_send_code(&HttpResponse::new(status, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome(), err.retryable()),
                (kind, Unknown, false),
                "{status} {code}"
            );
            assert_eq!(
                (err.vendor_code(), err.http_status()),
                (Some(code), Some(status))
            );
            assert_eq!(
                err.vendor_message(),
                Some("The request processing has failed due to some unknown error.")
            );
            assert!(err.to_string().contains("did not resend"), "{err}");
        }
    }

    #[test]
    fn unreadable_answers_are_protocol_errors_with_unknown_outcome() {
        for (status, body) in [
            (502, "<html>Bad Gateway</html>"),
            (200, r#"{"Code":"OK","Message":"OK"}"#),
            (200, r#"{"Message":"OK","CallId":"1"}"#),
            (500, r#"{"Code":"OK","CallId":"1"}"#),
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

    #[test]
    fn voice_report_becomes_a_delivered_event_with_every_field_kept() {
        // The document's sample (help.aliyun.com/zh/vms/voicereport-6).
        let body = r#"[{"status_code":"200000","callee":"130****0000","ring_time":"2021-04-28 10:02:40","duration":"10","voice_type":"voice","originate_time":"2021-04-28 10:02:34","b_start_time":"2021-04-28 10:03:40","end_time":"2021-04-28 10:03:50","call_id":"122628733198^10942206****","caller":"20200900****","status_msg":"执行完成","out_id":"order-42","dtmf":"1","toll_type":"LOCAL"}]"#;
        let events = parse_report(&[], body.as_bytes()).unwrap();
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(e.message_id, "122628733198^10942206****");
        assert_eq!(e.event, EventKind::Delivered);
        assert_eq!(e.phone.as_deref(), Some("130****0000"));
        // 10:03:50 in China is 02:03:50 UTC.
        assert_eq!(
            e.at,
            Some(Utc.with_ymd_and_hms(2021, 4, 28, 2, 3, 50).unwrap())
        );
        assert_eq!(e.state_code, Some(200000));
        assert_eq!(e.state_desc.as_deref(), Some("执行完成"));
        assert_eq!(e.talk_seconds, Some(10));
        assert_eq!(e.user_data.as_deref(), Some("order-42"));
        assert_eq!(e.raw["dtmf"], "1");
        assert_eq!(e.raw["toll_type"], "LOCAL");
    }

    #[test]
    fn unanswered_calls_are_failed_events() {
        let body = r#"[{"call_id":"1^2","status_code":"200002","status_msg":"用户占线","duration":"0","originate_time":"2021-04-28 10:02:34","callee":"13000000000"},{"call_id":"3^4","status_code":"200003","duration":0}]"#;
        let events = parse_report(&[], body.as_bytes()).unwrap();
        let kinds: Vec<(String, EventKind, Option<u64>)> = events
            .iter()
            .map(|e| (e.message_id.clone(), e.event, e.talk_seconds))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("1^2".into(), EventKind::Failed, Some(0)),
                ("3^4".into(), EventKind::Failed, Some(0))
            ]
        );
        assert_eq!(
            events[0].at,
            Some(Utc.with_ymd_and_hms(2021, 4, 28, 2, 2, 34).unwrap())
        );
        assert_eq!(events[1].at, None);
    }

    #[test]
    fn voice_call_reports_become_progress_events() {
        let body = r#"[
            {"status_code":"200101","status_time":"2021-04-28 09:55:02","out_id":"o","call_id":"c"},
            {"status_code":"200201","status_time":"2021-04-28 09:55:03","call_id":"c"},
            {"status_code":"200102","status_time":"2021-04-28 09:55:05","call_id":"c"},
            {"status_code":"300000","status_time":"2021-04-28 09:55:06","call_id":"c"},
            {"status_code":"200100","status_time":"2021-04-28 09:55:20","call_id":"c"}
        ]"#;
        let events = parse_report(&[], body.as_bytes()).unwrap();
        let kinds: Vec<EventKind> = events.iter().map(|e| e.event).collect();
        assert_eq!(
            kinds,
            [
                EventKind::Dialing,
                EventKind::Ringing,
                EventKind::Answered,
                EventKind::Hangup
            ]
        );
        assert_eq!(
            events[0].at,
            Some(Utc.with_ymd_and_hms(2021, 4, 28, 1, 55, 2).unwrap())
        );
        assert_eq!(events[0].user_data.as_deref(), Some("o"));
    }

    #[test]
    fn malformed_reports_are_invalid_input_naming_the_body() {
        for body in [
            "",
            "{}",
            r#"[1]"#,
            r#"[{"status_code":"200000"}]"#,
            r#"[{"call_id":"c"}]"#,
            r#"[{"call_id":"c","status_code":"999","status_time":"2021-04-28 09:55:02"}]"#,
        ] {
            let err = parse_report(&[], body.as_bytes()).unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (InvalidInput, Some("body")),
                "{body}"
            );
        }
    }
}
