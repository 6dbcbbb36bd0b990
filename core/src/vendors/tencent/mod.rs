//! Tencent Cloud VMS (语音消息): voice code `SendCodeVoice`, API 3.0 version `2020-09-02`, and
//! the voice-code status callbacks.
//!
//! Sources:
//! - SendCodeVoice, <https://cloud.tencent.com/document/api/1128/51559>: `POST /` on
//!   `vms.tencentcloudapi.com`, JSON body `CodeMessage` (digits only), `CalledNumber` (E.164 with
//!   `+`), `VoiceSdkAppid`, optional `PlayTimes` (at most 3, default 2) and `SessionContext`
//!   (echoed back); answer `Response.SendStatus.CallId` and `Response.RequestId`. Its error
//!   codes are the ones the official Go SDK lists for the action
//!   (`tencentcloud/vms/v20200902/errors.go`, `client.go`).
//! - VMS 简介, <https://cloud.tencent.com/document/api/1128/51568>: mainland mobiles only, play
//!   count 1–3.
//! - 错误码, <https://cloud.tencent.com/document/api/1128/51567>: the API 3.0 common codes. Errors
//!   come as `Response.Error.{Code,Message}` with HTTP 200.
//! - Signature v3 (TC3-HMAC-SHA256), the same page under every product, e.g.
//!   <https://tencentcloud.com/document/api/1150/49447>: canonical request, string to sign with a credential scope of the *UTC* date of
//!   `X-TC-Timestamp`, and the derived key chain `TC3 + SecretKey → date → service →
//!   tc3_request`. The document warns that a local-time date fails every night at 00:00 UTC+8;
//!   here the date comes from the injected clock's UTC timestamp.
//! - 语音验证码状态通知 <https://cloud.tencent.com/document/product/1128/51533> and 语音送达失败原因
//!   通知 <https://cloud.tencent.com/document/product/1128/51536>: the callbacks.
//!
//! Decisions where the documents are silent:
//! - Besides the two required headers, `x-tc-action` is signed too, as the signature document
//!   recommends for custom headers: a captured signature then cannot be replayed for another
//!   action.
//! - The code is 2–8 digits (no length is documented; the range is the one Huawei and
//!   cloud10658 document, so one request fits every voice-code channel of a router).
//! - `SessionContext` is at most 512 bytes, the limit Tencent documents for the same parameter
//!   of SMS `SendSms`.
//! - SendCodeVoice has no template, so the config has no `template_id` (a key with no place in
//!   the request would be silently ignored).
//!
//! Callbacks carry no signature or token of any kind. A receiver must authenticate them itself:
//! put a long random secret in the callback URL registered in the VMS console and check it
//! before parsing, allow only Tencent's callback source addresses, and de-duplicate by `callid`
//! ([`crate::callbacks::Deduplicator`]). It answers [`CALLBACK_ACK`].

use std::borrow::Cow;
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, TimeZone as _, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

pub mod sms;

use crate::http::{Context, HttpRequest, HttpResponse, Method};
use crate::model::{CallEvent, EventKind, Receipt};
use crate::protocol::checks::{
    check_header_safe, check_play_times, check_secret, refuse_unsupported, CodeRule,
};
use crate::protocol::encode::{self, Hex64};
use crate::protocol::vendor::{
    CodeSender, ParsedSend, Protocol, PushAck, PushParser, Signer, VendorFacts, WithBody,
};
use crate::protocol::wire::{
    bad_body, int_field, json_body, required, success_status, text, text_field, JsonObject,
    Meaning, UNDOCUMENTED,
};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

/// What a receiver of VMS callbacks answers once it has taken the callback ("回调响应").
pub const CALLBACK_ACK: &str = r#"{"result":0,"errmsg":"OK"}"#;

pub(crate) const PRODUCTION: &str = "https://vms.tencentcloudapi.com";
/// The service name in the credential scope: the first label of the product's domain.
pub const SERVICE: &str = "vms";
/// `X-TC-Action` of a voice code.
pub const ACTION: &str = "SendCodeVoice";
/// `X-TC-Version` of the VMS API 3.0.
pub const VERSION: &str = "2020-09-02";
/// The content type that is both sent and signed: the document warns that a library adding its
/// own charset makes the signed and the sent value differ.
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";
const ALGORITHM: &str = "TC3-HMAC-SHA256";
const DEFAULT_REGION: &str = "ap-guangzhou";
const MAX_SESSION_CONTEXT: usize = 512;

/// Tencent Cloud VMS application (`vendor = "tencent"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentConfig {
    /// SecretId of the API key (sent in `Authorization`).
    pub secret_id: String,
    /// SecretKey of the API key; used only to derive the signing key.
    pub secret_key: Secret,
    /// `VoiceSdkAppid` of the VMS application (`1400006666`).
    pub voice_sdk_appid: String,
    /// `X-TC-Region`; `ap-guangzhou` when unset.
    pub region: Option<String>,
}

impl TencentConfig {
    fn region(&self) -> &str {
        self.region.as_deref().unwrap_or(DEFAULT_REGION)
    }
}

use ErrorKind::*;
use Outcome::*;

/// SendCodeVoice's own codes (the official SDK's list for the action), line for line, each with
/// its kind and outcome: `Unknown` for the service's own failures, upstream timeouts and "try
/// again later", which come with HTTP 200 and say nothing of the call; `Refused` where the words
/// say the request was turned away before the action ran. [`COMMON_CODES`] follow.
#[rustfmt::skip] // one line per code, as in the vendor's lists
pub const CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("FailedOperation.AccessUpstreamTimeout", VendorError, Unknown),                     // 访问上下游模块超时
    ("FailedOperation.ContainSensitiveWord", ContentRejected, Refused),                  // 语音内容中含有敏感词
    ("FailedOperation.FailResolvePacket", InvalidInput, Refused),                        // 后端请求包解析失败 (request off the spec)
    ("FailedOperation.InsufficientBalanceInVoicePackage", InsufficientBalance, Refused), // 套餐包余量不足
    ("FailedOperation.InvalidJsonParameters", InvalidInput, Refused),                    // 无效 JSON
    ("FailedOperation.InvalidParameters", InvalidInput, Refused),                        // 无效参数
    ("FailedOperation.JsonParseFail", InvalidInput, Refused),                            // 解析请求包体时候失败
    ("FailedOperation.ParametersOtherError", VendorError, Unknown),                      // 语音未知错误: a failure of its own
    ("FailedOperation.PhonenumberUnappliedOrExpired", InvalidConfig, Refused),           // 未申请号码或号码资源已过期
    ("FailedOperation.TemplateIncorrectOrUnapproved", InvalidConfig, Refused),           // 模版未审核或内容不匹配
    ("InternalError.AccessUpstreamTimeout", VendorError, Unknown),                       // 访问上游超时网络,请稍后重试
    ("InternalError.RequestTimeException", AuthFailed, Refused),                         // 请求发起时间不正常 (clock off by > 10 min)
    ("InternalError.RestApiInterfaceNotExist", VendorError, Refused),                    // 后端不存在该 REST API 接口: no action to run
    ("InternalError.SigVerificationFail", AuthFailed, Refused),                          // 后端 Sig 校验失败
    ("InternalError.SsoSendRecvFail", VendorError, Unknown),                             // 内部sso通道超时
    ("InternalError.UpstreamError", VendorError, Unknown),                               // 语音上游错误
    ("InvalidParameterValue.CalledNumberVerifyFail", InvalidInput, Refused),             // 被叫手机号码格式校验失败
    ("InvalidParameterValue.ContentLengthLimit", InvalidInput, Refused),                 // 单个变量长度超过限制
    ("InvalidParameterValue.SdkAppidNotExist", InvalidConfig, Refused),                  // SDK AppID 不存在
    ("LimitExceeded.DeliveryFrequencyLimit", RateLimited, Refused),                      // 命中频率限制策略
    ("UnauthorizedOperation.SdkAppidIsDisabled", Forbidden, Refused),                    // SDK AppID 禁用发送语音消息
    ("UnauthorizedOperation.ServiceSuspendDueToArrears", InsufficientBalance, Refused),  // 欠费被停止服务
    ("UnauthorizedOperation.VoiceSdkAppidVerifyFail", Forbidden, Refused),               // VoiceSdkAppid 校验失败
    ("UnsupportedOperation", InvalidConfig, Refused),                                    // 操作不支持
];

/// The API 3.0 common codes of 错误码 (1128/51567), which every product's action can answer,
/// line for line, read as [`CODES`] are (`UnsupportedOperation` is in the product's list).
#[rustfmt::skip] // one line per code, as in the vendor's lists
pub const COMMON_CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("ActionOffline", InvalidConfig, Refused),                                           // 接口已下线
    ("AuthFailure.InvalidAuthorization", AuthFailed, Refused),                           // Authorization 不符合腾讯云标准
    ("AuthFailure.InvalidSecretId", AuthFailed, Refused),                                // 密钥非法
    ("AuthFailure.MFAFailure", AuthFailed, Refused),                                     // MFA 错误
    ("AuthFailure.SecretIdNotFound", AuthFailed, Refused),                               // 密钥不存在
    ("AuthFailure.SignatureExpire", AuthFailed, Refused),                                // 签名过期 (clock off by > 5 min)
    ("AuthFailure.SignatureFailure", AuthFailed, Refused),                               // 签名错误
    ("AuthFailure.TokenFailure", AuthFailed, Refused),                                   // token 错误
    ("AuthFailure.UnauthorizedOperation", Forbidden, Refused),                           // 请求未授权 (CAM)
    ("DryRunOperation", VendorError, Refused),                                           // DryRun 操作 (voicecode never sends DryRun)
    ("FailedOperation", VendorError, Refused),                                           // 操作失败: says the operation did not happen
    ("InternalError", VendorError, Unknown),                                             // 内部错误
    ("InvalidAction", InvalidConfig, Refused),                                           // 接口不存在
    ("InvalidParameter", InvalidInput, Refused),                                         // 参数错误
    ("InvalidParameterValue", InvalidInput, Refused),                                    // 参数取值错误
    ("InvalidRequest", InvalidInput, Refused),                                           // 请求 body 的 multipart 格式错误
    ("IpInBlacklist", Forbidden, Refused),                                               // IP 地址在黑名单中
    ("IpNotInWhitelist", Forbidden, Refused),                                            // IP 地址不在白名单中
    ("LimitExceeded", RateLimited, Refused),                                             // 超过配额限制
    ("MissingParameter", InvalidInput, Refused),                                         // 缺少参数
    ("NoSuchProduct", InvalidConfig, Refused),                                           // 产品不存在
    ("NoSuchVersion", InvalidConfig, Refused),                                           // 接口版本不存在
    ("RequestLimitExceeded", RateLimited, Refused),                                      // 请求的次数超过了频率限制: turned away at the gateway
    ("RequestLimitExceeded.GlobalRegionUinLimitExceeded", RateLimited, Refused),         // 主账号超过频率限制
    ("RequestLimitExceeded.IPLimitExceeded", RateLimited, Refused),                      // IP 限频
    ("RequestLimitExceeded.UinLimitExceeded", RateLimited, Refused),                     // 主账号限频
    ("RequestSizeLimitExceeded", InvalidInput, Refused),                                 // 请求包超过限制大小
    ("ResourceInUse", VendorError, Refused),                                             // 资源被占用
    ("ResourceInsufficient", VendorError, Refused),                                      // 资源不足
    ("ResourceNotFound", InvalidConfig, Refused),                                        // 资源不存在
    ("ResourceUnavailable", VendorError, Refused),                                       // 资源不可用
    ("ResponseSizeLimitExceeded", VendorError, Unknown),                                 // 返回包超过限制大小: the action ran, its answer was lost
    ("ServiceUnavailable", VendorError, Unknown),                                        // 当前服务暂时不可用: try again later
    ("UnauthorizedOperation", Forbidden, Refused),                                       // 未授权操作
    ("UnknownParameter", InvalidInput, Refused),                                         // 未知参数错误
    ("UnsupportedProtocol", VendorError, Refused),                                       // 只支持 GET 和 POST 请求
    ("UnsupportedRegion", InvalidConfig, Refused),                                       // 接口不支持所传地域
];

/// The meaning of an error code under a product's own table and then [`COMMON_CODES`]: the
/// exact line, else its family (`LimitExceeded.New` reads as `LimitExceeded`,
/// `InternalError.New` as `InternalError`: API 3.0 codes are `Family.Detail` and new details
/// appear without notice). `AuthFailure` is a family with no bare line in the tables.
pub(crate) fn classify_in(own: &[(&str, ErrorKind, Outcome)], code: &str) -> Meaning {
    let exact = |c: &str| {
        own.iter()
            .chain(COMMON_CODES)
            .find(|(k, ..)| *k == c)
            .map(|&(_, kind, outcome)| (kind, outcome))
    };
    let family = code.split('.').next().unwrap_or(code);
    exact(code)
        .or_else(|| exact(family))
        .unwrap_or(if family == "AuthFailure" {
            (AuthFailed, Refused)
        } else {
            UNDOCUMENTED
        })
}

/// What TC3-HMAC-SHA256 signs: generic over the service, action and payload, so that the
/// signature document's own example (CVM `DescribeInstances`) can be run through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tc3Request<'a> {
    /// `POST` (API 3.0 signs the method; voicecode always posts JSON).
    pub method: &'a str,
    /// The `Host` header as sent.
    pub host: &'a str,
    /// `Content-Type` as sent.
    pub content_type: &'a str,
    /// When set, `x-tc-action` is signed too, with this value.
    pub signed_action: Option<&'a str>,
    /// The product in the credential scope (`vms`, `cvm`).
    pub service: &'a str,
    /// `X-TC-Timestamp`, Unix seconds.
    pub timestamp: i64,
    /// The body, byte for byte.
    pub payload: &'a [u8],
}

impl Tc3Request<'_> {
    /// `content-type;host[;x-tc-action]`.
    pub fn signed_headers(&self) -> &'static str {
        if self.signed_action.is_some() {
            "content-type;host;x-tc-action"
        } else {
            "content-type;host"
        }
    }

    /// CanonicalRequest: method, URI `/`, empty query (POST), canonical headers (names and values
    /// lowercased and trimmed, sorted by name), signed headers, hashed payload.
    pub fn canonical_request(&self) -> String {
        let mut text = self.with_canonical_head(encode::concat);
        text.push_str(payload_hash(self.payload).as_str());
        text
    }

    /// Hands `f` the canonical request up to the payload's hash, in pieces: the same for every
    /// request of a channel.
    fn with_canonical_head<R>(&self, f: impl FnOnce(&[&str]) -> R) -> R {
        let content_type = lowercase(self.content_type);
        let host = lowercase(self.host);
        let action = self.signed_action.map(lowercase);
        let (action_line, action, action_end) = match &action {
            Some(action) => ("x-tc-action:", action.as_ref(), "\n"),
            None => ("", "", ""),
        };
        f(&[
            self.method,
            "\n/\n\ncontent-type:",
            &content_type,
            "\nhost:",
            &host,
            "\n",
            action_line,
            action,
            action_end,
            "\n",
            self.signed_headers(),
            "\n",
        ])
    }

    /// SHA-256 fed the canonical request's head: longer than a hash block, so a channel
    /// absorbs it once and each send adds only the payload's hash ([`canonical_hash`]).
    fn canonical_head(&self) -> Sha256 {
        self.with_canonical_head(|pieces| {
            let mut hash = Sha256::new();
            pieces.iter().for_each(|piece| hash.update(piece));
            hash
        })
    }

    /// `Date/service/tc3_request`, the date being the UTC date of the timestamp.
    pub fn credential_scope(&self) -> String {
        encode::concat(&self.scope_of(&utc_date(self.timestamp)))
    }

    fn scope_of<'a>(&'a self, date: &'a str) -> [&'a str; 4] {
        [date, "/", self.service, "/tc3_request"]
    }

    /// StringToSign: algorithm, timestamp, credential scope, hashed canonical request.
    pub fn string_to_sign(&self) -> String {
        self.with_string_to_sign(&self.signing(), encode::concat)
    }

    /// What the string to sign takes besides the fixed parts, worked out from the request alone.
    fn signing(&self) -> Signing {
        Signing {
            timestamp: self.timestamp.to_string(),
            date: utc_date(self.timestamp),
            canonical: canonical_hash(self.canonical_head(), &payload_hash(self.payload)),
        }
    }

    /// Hands `f` the string to sign in pieces.
    fn with_string_to_sign<R>(
        &self,
        signing: &Signing<impl AsRef<str>>,
        f: impl FnOnce(&[&str]) -> R,
    ) -> R {
        let [date, slash, service, suffix] = self.scope_of(signing.date.as_ref());
        f(&[
            ALGORITHM,
            "\n",
            signing.timestamp.as_ref(),
            "\n",
            date,
            slash,
            service,
            suffix,
            "\n",
            signing.canonical.as_str(),
        ])
    }

    /// Hex HMAC of the string to sign under the key derived from `secret_key`.
    pub fn signature(&self, secret_key: &str) -> String {
        let signing = self.signing();
        let signing_key = signing_key(&keyed(secret_key), &signing.date, self.service);
        self.signature_in(keyed_with(&signing_key), &signing)
            .as_str()
            .to_owned()
    }

    /// The signature under `signing_key`, the end of the derived key chain for the date, already
    /// set up as an HMAC key; the string to sign is hashed in pieces, never joined.
    fn signature_in(
        &self,
        mut signing_key: Hmac<Sha256>,
        signing: &Signing<impl AsRef<str>>,
    ) -> Hex64 {
        self.with_string_to_sign(signing, |pieces| {
            pieces
                .iter()
                .for_each(|piece| signing_key.update(piece.as_bytes()));
        });
        Hex64::of(&signing_key.finalize().into_bytes().into())
    }

    /// The `Authorization` header.
    pub fn authorization(&self, secret_id: &str, secret_key: &str) -> String {
        let signing = self.signing();
        let key = keyed_with(&signing_key(
            &keyed(secret_key),
            &signing.date,
            self.service,
        ));
        self.authorization_with(secret_id, &signing, key)
    }

    /// The `Authorization` header under the signing key for the date.
    fn authorization_with(
        &self,
        secret_id: &str,
        signing: &Signing<impl AsRef<str>>,
        key: Hmac<Sha256>,
    ) -> String {
        let [date, slash, service, suffix] = self.scope_of(signing.date.as_ref());
        encode::concat(&[
            ALGORITHM,
            " Credential=",
            secret_id,
            "/",
            date,
            slash,
            service,
            suffix,
            ", SignedHeaders=",
            self.signed_headers(),
            ", Signature=",
            self.signature_in(key, signing).as_str(),
        ])
    }
}

/// The canonical request's hash, in hex: its `head` ([`Tc3Request::canonical_head`]) followed by
/// the payload's hash.
fn canonical_hash(mut head: Sha256, payload_hash: &Hex64) -> Hex64 {
    head.update(payload_hash.as_bytes());
    Hex64::of(&head.finalize().into())
}

/// HashedRequestPayload: the body's SHA-256 in hex.
fn payload_hash(payload: &[u8]) -> Hex64 {
    Hex64::of(&Sha256::digest(payload).into())
}

/// A request body and its hash, the canonical request's last line: both known before the time
/// is, so worked out once per send however often it is signed.
#[derive(Clone)]
pub(crate) struct Payload {
    body: Vec<u8>,
    hash: Hex64,
}

impl Payload {
    #[cfg(test)]
    fn of(body: Vec<u8>) -> Self {
        let hash = payload_hash(&body);
        Payload { body, hash }
    }
}

/// The fields of a body that are the same for every send of a channel, written and hashed once
/// (the hash state holds them): a send writes its own fields after them and hashes only those.
pub(crate) struct BodyHead {
    json: JsonObject,
    hash: Sha256,
}

impl BodyHead {
    pub(crate) fn new(json: JsonObject) -> Self {
        let hash = Sha256::new_with_prefix(json.written());
        BodyHead { json, hash }
    }

    /// A send's body, its fixed fields written.
    pub(crate) fn body(&self) -> JsonObject {
        self.json.continued()
    }

    /// The finished `body`, which began as [`BodyHead::body`], with its hash.
    pub(crate) fn payload(&self, body: JsonObject) -> Payload {
        let body = body.finish();
        let mut hash = self.hash.clone();
        hash.update(&body[self.json.written().len()..]);
        Payload {
            body,
            hash: Hex64::of(&hash.finalize().into()),
        }
    }
}

/// The parts of the string to sign that change per request: `X-TC-Timestamp` and its UTC date
/// as text, and the canonical request's hash.
struct Signing<T = String> {
    timestamp: T,
    date: T,
    canonical: Hex64,
}

/// Header names and values as the canonical request has them: lowercase and trimmed, borrowed
/// when they already are (a channel's own always are).
fn lowercase(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
    if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(trimmed.to_ascii_lowercase())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// The derived key chain: `TC3 + SecretKey` (already `keyed`) → date → service → `tc3_request`.
fn signing_key(keyed: &Hmac<Sha256>, date: &str, service: &str) -> Digest {
    let secret_date = hmac_with(keyed.clone(), date.as_bytes());
    let secret_service = hmac(&secret_date, service.as_bytes());
    hmac(&secret_service, b"tc3_request")
}

/// A channel's signing key for the day: the chain depends only on the secret, the service and
/// the UTC date, so it is derived once a day instead of three HMACs a send, and kept set up as
/// an HMAC key (its inner and outer pads hashed), which a send clones, with the date as text.
struct DailyKey {
    keyed: Hmac<Sha256>,
    service: &'static str,
    day: RwLock<Option<Day>>,
}

struct Day {
    /// Days since the Unix epoch.
    number: i64,
    date: String,
    key: Hmac<Sha256>,
}

impl DailyKey {
    fn new(secret_key: &str, service: &'static str) -> Self {
        DailyKey {
            keyed: keyed(secret_key),
            service,
            day: RwLock::new(None),
        }
    }

    /// Runs `f` with the UTC date of `timestamp` and the signing key for it.
    fn with_day<R>(&self, timestamp: i64, f: impl FnOnce(&str, Hmac<Sha256>) -> R) -> R {
        let number = timestamp.div_euclid(86_400);
        {
            let day = self.day.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(day) = day.as_ref().filter(|day| day.number == number) {
                return f(&day.date, day.key.clone());
            }
        }
        let date = utc_date(timestamp);
        let key = keyed_with(&signing_key(&self.keyed, &date, self.service));
        let signed = f(&date, key.clone());
        *self.day.write().unwrap_or_else(PoisonError::into_inner) = Some(Day { number, date, key });
        signed
    }
}

/// The first key of the chain: HMAC-SHA256 keyed with `TC3 + SecretKey`, set up once per channel.
fn keyed(secret_key: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(encode::concat(&["TC3", secret_key]).as_bytes())
        .expect("HMAC takes keys of any length")
}

type Digest = [u8; 32];

fn hmac(key: &[u8], message: &[u8]) -> Digest {
    hmac_with(keyed_with(key), message)
}

fn keyed_with(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn hmac_with(mut mac: Hmac<Sha256>, message: &[u8]) -> Digest {
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// `yyyy-MM-dd` in UTC, whatever the host's zone.
fn utc_date(timestamp: i64) -> String {
    let time = Utc
        .timestamp_opt(timestamp, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH);
    encode::date(time.date_naive())
}

/// The answer, borrowing its text from the body where JSON escapes allow.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "Response", borrow)]
    response: Option<Answer<'a>>,
}

/// `Response` of either product's send.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Answer<'a> {
    #[serde(borrow)]
    error: Option<ErrorBody<'a>>,
    /// VMS: the call.
    #[serde(borrow)]
    send_status: Option<SendStatus<'a>>,
    /// SMS: one status per number.
    #[serde(borrow)]
    pub(crate) send_status_set: Option<Vec<sms::SendStatus<'a>>>,
    #[serde(default, borrow, deserialize_with = "text")]
    request_id: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody<'a> {
    #[serde(default, borrow, deserialize_with = "text")]
    code: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "text")]
    message: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus<'a> {
    #[serde(default, borrow, deserialize_with = "text")]
    call_id: Cow<'a, str>,
}

fn check_region(region: &str) -> Result<()> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_config(
            "region",
            format!("{region:?} must be a region id such as ap-guangzhou"),
        ))
    }
}

/// Tencent documents no length for `CodeMessage`: 2–8 digits, as Huawei and cloud10658 take.
const CODE: CodeRule = CodeRule::digits(2, 8);

/// `SendCodeVoice` from one channel: its body begins with `VoiceSdkAppid`.
struct Sender {
    head: BodyHead,
    api: Api,
}

impl CodeSender for Sender {
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer> {
        refuse_unsupported("tencent", req.options, &["play_times", "user_data"])?;
        // VMS calls mainland mobiles only (简介, 使用限制); CalledNumber is their E.164 form.
        req.to.mobile("to", "tencent")?;
        CODE.check(req.code)?;
        let note = " (Tencent plays the code 2 times by default)";
        check_play_times(req.options.play_times, 1..=3, note)?;
        check_session_context(req.options.user_data.as_deref())?;
        let mut body = self.head.body();
        body.field("CodeMessage", req.code);
        body.field("CalledNumber", req.to.e164_text().as_str());
        if let Some(times) = req.options.play_times {
            body.field("PlayTimes", &times);
        }
        if let Some(context) = &req.options.user_data {
            body.field("SessionContext", context);
        }
        let payload = self.head.payload(body);
        Ok(WithBody::signer(payload, move |ctx: &Context, payload| {
            self.api.post(payload, ctx)
        }))
    }
}

/// `user_data`, sent as `SessionContext` by both products.
pub(crate) fn check_session_context(context: Option<&str>) -> Result<()> {
    match context {
        Some(context) if context.is_empty() || context.len() > MAX_SESSION_CONTEXT => {
            Err(Error::invalid_input(
                "user_data",
                format!("is sent as SessionContext and must be 1 to {MAX_SESSION_CONTEXT} bytes"),
            ))
        }
        _ => Ok(()),
    }
}

/// One product's API 3.0 action from one channel: the `Host` worked out of the base URL, the
/// first key of the chain (`TC3 + SecretKey`) set up and the canonical request's fixed head
/// hashed, once.
pub(crate) struct Api {
    action: &'static str,
    version: &'static str,
    service: &'static str,
    secret_id: String,
    region: Arc<str>,
    url: Arc<str>,
    host: Arc<str>,
    key: DailyKey,
    canonical_head: Sha256,
}

impl Api {
    pub(crate) fn new(
        (service, action, version): (&'static str, &'static str, &'static str),
        base: &str,
        secret_id: &str,
        secret_key: &Secret,
        region: &str,
    ) -> Result<Self> {
        let host = encode::host_of(base)?;
        let canonical_head = Self::unsigned(&host, service, action, 0, &[]).canonical_head();
        Ok(Api {
            action,
            version,
            service,
            secret_id: secret_id.to_owned(),
            region: region.into(),
            url: format!("{base}/").into(),
            host: host.into(),
            key: DailyKey::new(secret_key.expose(), service),
            canonical_head,
        })
    }

    fn unsigned<'a>(
        host: &'a str,
        service: &'a str,
        action: &'a str,
        timestamp: i64,
        payload: &'a [u8],
    ) -> Tc3Request<'a> {
        Tc3Request {
            method: "POST",
            host,
            content_type: CONTENT_TYPE,
            signed_action: Some(action),
            service,
            timestamp,
            payload,
        }
    }

    /// The JSON body as the action's request, signed at the context's time.
    pub(crate) fn post(&self, payload: Payload, ctx: &Context) -> HttpRequest {
        let Payload { body, hash } = payload;
        let timestamp = ctx.now.timestamp();
        let text = timestamp.to_string();
        let canonical = canonical_hash(self.canonical_head.clone(), &hash);
        let signed = Self::unsigned(&self.host, self.service, self.action, timestamp, &body);
        let authorization = self.key.with_day(timestamp, |date, key| {
            let signing = Signing {
                timestamp: text.as_str(),
                date,
                canonical,
            };
            signed.authorization_with(&self.secret_id, &signing, key)
        });
        HttpRequest::new(Method::Post, &self.url)
            .header("Authorization", authorization)
            .header("Content-Type", CONTENT_TYPE)
            .header("Host", &self.host)
            .header("X-TC-Action", self.action)
            .header("X-TC-Timestamp", text)
            .header("X-TC-Version", self.version)
            .header("X-TC-Region", &self.region)
            .body(body)
    }
}

/// Checks the keys every product of the account has.
pub(crate) fn validate_account(secret_id: &str, secret_key: &Secret, region: &str) -> Result<()> {
    check_header_safe("secret_id", secret_id)?;
    check_secret("secret_key", secret_key)?;
    check_region(region)
}

impl VendorFacts for TencentConfig {
    const DISPLAY_NAME: &'static str = "Tencent Cloud VMS";
    const SECRET_KEY: Option<&'static str> = Some("secret_key");
    const PUSH: Option<(PushParser, PushAck)> = Some((parse_callback, PushAck::json(CALLBACK_ACK)));
}

impl Protocol for TencentConfig {
    fn code_rule(&self) -> Option<CodeRule> {
        Some(CODE)
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(PRODUCTION)
    }

    fn validate(&self) -> Result<()> {
        validate_account(&self.secret_id, &self.secret_key, self.region())?;
        let appid = &self.voice_sdk_appid;
        if appid.is_empty() || appid.len() > 32 || !appid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_config(
                "voice_sdk_appid",
                "must be the application's VoiceSdkAppid, digits such as 1400006666",
            ));
        }
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        let mut head = JsonObject::default();
        head.field("VoiceSdkAppid", &self.voice_sdk_appid);
        Ok(Arc::new(Sender {
            head: BodyHead::new(head),
            api: Api::new(
                (SERVICE, ACTION, VERSION),
                base,
                &self.secret_id,
                &self.secret_key,
                self.region(),
            )?,
        }))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        read_answer(resp, CODES, |answer, request_id| {
            let call_id = answer.send_status.as_ref().map(|s| s.call_id.as_ref());
            let missing = "success without SendStatus.CallId";
            let message_id = required(Vendor::Tencent, resp, call_id, missing)?.to_owned();
            // API 3.0 has no success code: success is the absence of Response.Error. RequestId
            // is what Tencent's support asks for about a request.
            Ok(Receipt::new(Vendor::Tencent, message_id, "", request_id))
        })
    }
}

/// Reads an API 3.0 answer of either product: `Response.Error` read through the product's
/// table `own` (and the common codes), else hands `read` the answer and its `RequestId`. The
/// answer stays where it was parsed: it holds either product's fields, and returning it (a
/// copy of the struct per move) made a parse about a tenth slower.
pub(crate) fn read_answer<'a, R>(
    resp: &'a HttpResponse,
    own: &[(&str, ErrorKind, Outcome)],
    read: impl FnOnce(&Answer<'a>, String) -> Result<R>,
) -> Result<R> {
    let envelope: Envelope = json_body(Vendor::Tencent, resp)?;
    let Some(answer) = envelope.response else {
        return Err(Error::protocol(
            Vendor::Tencent,
            resp.status,
            "the answer has no Response",
        ));
    };
    let request_id = answer.request_id.as_ref().to_owned();
    if let Some(error) = &answer.error {
        let missing = "Response.Error without a Code";
        let code = required(Vendor::Tencent, resp, Some(error.code.as_ref()), missing)?;
        return Err(answered(own, resp, code, &error.message, &request_id));
    }
    let what = "an error status without Response.Error";
    success_status(Vendor::Tencent, resp, what)?;
    read(&answer, request_id)
}

/// An answer's error code, read through the product's table `own` (and the common codes), with
/// the `RequestId` Tencent's support asks for.
pub(crate) fn answered(
    own: &[(&str, ErrorKind, Outcome)],
    resp: &HttpResponse,
    code: &str,
    message: &str,
    request_id: &str,
) -> Error {
    let meaning = classify_in(own, code);
    Error::answered(Vendor::Tencent, meaning, resp.status, code, message)
        .with_detail(format!("RequestId {request_id}"))
}

/// Unix seconds as the callbacks write them (strings of digits).
fn unix_time(map: &Map<String, Value>, key: &str) -> Option<DateTime<Utc>> {
    let seconds = int_field(map, key).filter(|s| *s > 0)?;
    Utc.timestamp_opt(seconds, 0).single()
}

/// Reads a VMS callback: `voicecode_callback` (the voice code's final status) or
/// `voice_failure_callback` (why a call failed); or an SMS status callback (an array, read by
/// the SMS module). Voice-notice callbacks (`voiceprompt_callback`,
/// `voicekey_callback`) share the URL but belong to notices, not codes, and yield no event.
///
/// Unsigned: check the secret in the callback URL before calling this (see the module docs).
pub(crate) fn parse_callback(_headers: &[(String, String)], body: &[u8]) -> Result<Vec<CallEvent>> {
    let bad = |detail: &str| bad_body(Vendor::Tencent, detail);
    let push: Value = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
    // SMS status callbacks come as an array of reports; VMS callbacks as one object.
    let push = match push {
        Value::Array(reports) => return sms::parse_status(reports),
        Value::Object(push) => push,
        _ => return Err(bad("expected a JSON object or an array of SMS reports")),
    };
    let object = |key: &str| push.get(key).and_then(Value::as_object);
    if let Some(status) = object("voicecode_callback") {
        let message_id = text_field(status, "callid").ok_or_else(|| bad("no callid"))?;
        // result: 0 answered, 1 not answered, 2 call failed.
        let result = int_field(status, "result").ok_or_else(|| bad("no result"))?;
        let (event, desc) = match result {
            0 => (EventKind::Delivered, "用户正常接听"),
            1 => (EventKind::Failed, "用户未接听"),
            2 => (EventKind::Failed, "呼叫异常"),
            other => return Err(bad(&format!("result {other} is not 0, 1 or 2"))),
        };
        let accepted = unix_time(status, "accept_time");
        let ended = unix_time(status, "end_calltime");
        let talk_seconds = match (accepted, ended) {
            (Some(a), Some(e)) if e >= a && result == 0 => {
                u64::try_from((e - a).num_seconds()).ok()
            }
            _ => None,
        };
        return Ok(vec![CallEvent {
            vendor: Vendor::Tencent,
            message_id,
            phone: text_field(status, "mobile"),
            event,
            at: ended.or_else(|| unix_time(status, "start_calltime")),
            state_code: Some(result),
            state_desc: Some(desc.to_owned()),
            talk_seconds,
            user_data: None,
            raw: push,
        }]);
    }
    if let Some(failure) = object("voice_failure_callback") {
        let message_id = text_field(failure, "callid").ok_or_else(|| bad("no callid"))?;
        return Ok(vec![CallEvent {
            vendor: Vendor::Tencent,
            message_id,
            phone: text_field(failure, "mobile"),
            event: EventKind::Failed,
            at: unix_time(failure, "time"),
            state_code: int_field(failure, "failure_code"),
            state_desc: text_field(failure, "failure_reason"),
            talk_seconds: None,
            user_data: None,
            raw: push,
        }]);
    }
    if object("voiceprompt_callback").is_some() || object("voicekey_callback").is_some() {
        return Ok(Vec::new());
    }
    Err(bad("expected voicecode_callback or voice_failure_callback"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SendCode;
    use crate::model::SendOptions;
    use chrono::TimeZone;

    fn config() -> TencentConfig {
        TencentConfig {
            secret_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE".into(),
            secret_key: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE".into(),
            voice_sdk_appid: "1400006666".into(),
            region: None,
        }
    }

    fn ctx() -> Context {
        Context {
            // 2019-02-26 00:44:25 in China, still the 25th in UTC.
            now: Utc.timestamp_opt(1551113065, 0).unwrap(),
            nonce: "0".repeat(32).into(),
        }
    }

    #[test]
    fn a_channels_daily_key_and_hashed_head_sign_as_the_whole_chain_does_on_every_day() {
        let secret = Secret::new("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
        let id = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
        let base = "https://vms.tencentcloudapi.com";
        let api = Api::new(
            (SERVICE, ACTION, VERSION),
            base,
            id,
            &secret,
            "ap-guangzhou",
        )
        .unwrap();
        // The same day twice, the next day, then back: a changed date derives a new key.
        for timestamp in [1551113065, 1551113999, 1551199465, 1551113065] {
            let body = format!(r#"{{"CalledNumber":"+86138{timestamp}"}}"#);
            let signed = Api::unsigned(
                "vms.tencentcloudapi.com",
                SERVICE,
                ACTION,
                timestamp,
                body.as_bytes(),
            );
            let ctx = Context {
                now: Utc.timestamp_opt(timestamp, 0).unwrap(),
                nonce: "0".repeat(32).into(),
            };
            let req = api.post(Payload::of(body.clone().into_bytes()), &ctx);
            assert_eq!(
                req.header_value("Authorization").unwrap(),
                signed.authorization(id, secret.expose()),
                "{timestamp}"
            );
        }
    }

    /// The worked example of Tencent's "Signature v3" document (CVM DescribeInstances in
    /// ap-guangzhou, SecretKey `Gu5t9xGARNpq86cd98joQYCN3EXAMPLE`, X-TC-Timestamp 1551113065),
    /// e.g. <https://tencentcloud.com/document/api/1150/49447>, step by step.
    #[test]
    fn reproduces_the_signature_documents_worked_example() {
        let payload = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let example = Tc3Request {
            method: "POST",
            host: "cvm.tencentcloudapi.com",
            content_type: "application/json; charset=utf-8",
            signed_action: None,
            service: "cvm",
            timestamp: 1551113065,
            payload,
        };
        assert_eq!(
            example.canonical_request(),
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            example.string_to_sign(),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            example.signature("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"),
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
        assert_eq!(
            example.authorization(
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
            ),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn the_credential_scope_date_is_utc_not_china_time() {
        // 23:59:59 UTC is already the next day in China.
        let late = Tc3Request {
            method: "POST",
            host: "vms.tencentcloudapi.com",
            content_type: CONTENT_TYPE,
            signed_action: None,
            service: SERVICE,
            timestamp: Utc
                .with_ymd_and_hms(2024, 2, 29, 23, 59, 59)
                .unwrap()
                .timestamp(),
            payload: b"",
        };
        assert_eq!(late.credential_scope(), "2024-02-29/vms/tc3_request");
    }

    #[test]
    fn golden_send_code_request() {
        let req = config()
            .send_code(PRODUCTION, &SendCode::new("+8613788888888", "8253"), &ctx())
            .unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "https://vms.tencentcloudapi.com/");
        let body = String::from_utf8(req.body.clone()).unwrap();
        assert_eq!(
            body,
            r#"{"VoiceSdkAppid":"1400006666","CodeMessage":"8253","CalledNumber":"+8613788888888"}"#
        );
        // Computed independently from the signature document's algorithm.
        let expected_auth = concat!(
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/vms/tc3_request, ",
            "SignedHeaders=content-type;host;x-tc-action, ",
            "Signature=79a67dda90dc5e66d87fa2a769847bd388f27b8613e52363cadd20b186fc5ef1"
        );
        let headers: Vec<(&str, &str)> =
            req.headers.iter().map(|(k, v)| (*k, v.as_ref())).collect();
        assert_eq!(
            headers,
            vec![
                ("Authorization", expected_auth),
                ("Content-Type", "application/json; charset=utf-8"),
                ("Host", "vms.tencentcloudapi.com"),
                ("X-TC-Action", "SendCodeVoice"),
                ("X-TC-Timestamp", "1551113065"),
                ("X-TC-Version", "2020-09-02"),
                ("X-TC-Region", "ap-guangzhou"),
            ]
        );
    }

    #[test]
    fn optional_fields_region_and_base_url_host_are_sent_and_signed() {
        let mut c = config();
        c.region = Some("ap-beijing".into());
        let req = c
            .send_code(
                "http://127.0.0.1:8080",
                &SendCode::new("13788888888", "12345678")
                    .play_times(3)
                    .user_data("sc-t"),
                &ctx(),
            )
            .unwrap();
        assert_eq!(req.url, "http://127.0.0.1:8080/");
        assert_eq!(req.header_value("Host"), Some("127.0.0.1:8080"));
        assert_eq!(req.header_value("X-TC-Region"), Some("ap-beijing"));
        assert_eq!(
            String::from_utf8(req.body.clone()).unwrap(),
            r#"{"VoiceSdkAppid":"1400006666","CodeMessage":"12345678","CalledNumber":"+8613788888888","PlayTimes":3,"SessionContext":"sc-t"}"#
        );
        let signed = Tc3Request {
            method: "POST",
            host: "127.0.0.1:8080",
            content_type: CONTENT_TYPE,
            signed_action: Some(ACTION),
            service: SERVICE,
            timestamp: 1551113065,
            payload: &req.body,
        };
        assert!(req
            .header_value("Authorization")
            .unwrap()
            .ends_with(&signed.signature("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")));
    }

    #[test]
    fn validation_names_the_field_and_rule() {
        let base = SendCode::new("13788888888", "1234");
        let cases = [
            (SendCode::new("13788888888", "1"), "code"),
            (SendCode::new("13788888888", "123456789"), "code"),
            (SendCode::new("13788888888", "12a4"), "code"),
            (SendCode::new("075528001234", "1234"), "to"),
            (SendCode::new("+14155550100", "1234"), "to"),
            (SendCode::new("not a number", "1234"), "to"),
            (base.clone().play_times(0), "play_times"),
            (base.clone().play_times(4), "play_times"),
            (base.clone().user_data(""), "user_data"),
            (base.clone().user_data("x".repeat(513)), "user_data"),
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
        ];
        for (req, field) in cases {
            let err = config().send_code(PRODUCTION, &req, &ctx()).unwrap_err();
            assert_eq!(
                (err.kind(), err.field(), err.outcome()),
                (InvalidInput, Some(field), crate::Outcome::NotSent),
                "{req:?}: {err}"
            );
        }
    }

    #[test]
    fn config_rules_name_the_key() {
        let broken = |change: &dyn Fn(&mut TencentConfig)| {
            let mut c = config();
            change(&mut c);
            c
        };
        let cases = [
            (broken(&|c| c.secret_id = String::new()), "secret_id"),
            (broken(&|c| c.secret_key = "".into()), "secret_key"),
            (
                broken(&|c| c.voice_sdk_appid = "app-1".into()),
                "voice_sdk_appid",
            ),
            (
                broken(&|c| c.region = Some("AP Guangzhou".into())),
                "region",
            ),
        ];
        for (c, field) in cases {
            let err = c.validate().unwrap_err();
            assert_eq!((err.kind(), err.field()), (InvalidConfig, Some(field)));
        }
    }

    #[test]
    fn the_secret_key_never_shows_in_debug_or_in_the_request() {
        let c = config();
        assert!(!format!("{c:?}").contains("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"));
        let req = c
            .send_code(PRODUCTION, &SendCode::new("13788888888", "1234"), &ctx())
            .unwrap();
        let everything = format!("{:?}{}", req.headers, String::from_utf8_lossy(&req.body));
        assert!(!everything.contains("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"));
    }

    #[test]
    fn parses_the_documented_success_answer() {
        let body = r#"{"Response":{"SendStatus":{"CallId":"12582bce-403c-11eb-96b8-525400476c37","SessionContext":"sc-t"},"RequestId":"91260bb8-cf91-4f3e-a81f-9198110d1e2c"}}"#;
        let receipt = config()
            .parse_send_code(&HttpResponse::new(200, body))
            .unwrap();
        assert_eq!(receipt.message_id, "12582bce-403c-11eb-96b8-525400476c37");
        assert_eq!(
            receipt.vendor_message,
            "91260bb8-cf91-4f3e-a81f-9198110d1e2c"
        );
        assert_eq!(receipt.vendor, Vendor::Tencent);
    }

    #[test]
    fn every_documented_code_maps_to_its_kind_and_outcome() {
        // Mirrors the vendor's lists; written out independently of CODES.
        let expected: &[(&str, ErrorKind, Outcome)] = &[
            (
                "FailedOperation.AccessUpstreamTimeout",
                VendorError,
                Unknown,
            ),
            (
                "FailedOperation.ContainSensitiveWord",
                ContentRejected,
                Refused,
            ),
            ("FailedOperation.FailResolvePacket", InvalidInput, Refused),
            (
                "FailedOperation.InsufficientBalanceInVoicePackage",
                InsufficientBalance,
                Refused,
            ),
            (
                "FailedOperation.InvalidJsonParameters",
                InvalidInput,
                Refused,
            ),
            ("FailedOperation.InvalidParameters", InvalidInput, Refused),
            ("FailedOperation.JsonParseFail", InvalidInput, Refused),
            ("FailedOperation.ParametersOtherError", VendorError, Unknown),
            (
                "FailedOperation.PhonenumberUnappliedOrExpired",
                InvalidConfig,
                Refused,
            ),
            (
                "FailedOperation.TemplateIncorrectOrUnapproved",
                InvalidConfig,
                Refused,
            ),
            ("InternalError.AccessUpstreamTimeout", VendorError, Unknown),
            ("InternalError.RequestTimeException", AuthFailed, Refused),
            (
                "InternalError.RestApiInterfaceNotExist",
                VendorError,
                Refused,
            ),
            ("InternalError.SigVerificationFail", AuthFailed, Refused),
            ("InternalError.SsoSendRecvFail", VendorError, Unknown),
            ("InternalError.UpstreamError", VendorError, Unknown),
            (
                "InvalidParameterValue.CalledNumberVerifyFail",
                InvalidInput,
                Refused,
            ),
            (
                "InvalidParameterValue.ContentLengthLimit",
                InvalidInput,
                Refused,
            ),
            (
                "InvalidParameterValue.SdkAppidNotExist",
                InvalidConfig,
                Refused,
            ),
            ("LimitExceeded.DeliveryFrequencyLimit", RateLimited, Refused),
            (
                "UnauthorizedOperation.SdkAppidIsDisabled",
                Forbidden,
                Refused,
            ),
            (
                "UnauthorizedOperation.ServiceSuspendDueToArrears",
                InsufficientBalance,
                Refused,
            ),
            (
                "UnauthorizedOperation.VoiceSdkAppidVerifyFail",
                Forbidden,
                Refused,
            ),
            ("UnsupportedOperation", InvalidConfig, Refused),
            ("ActionOffline", InvalidConfig, Refused),
            ("AuthFailure.InvalidAuthorization", AuthFailed, Refused),
            ("AuthFailure.InvalidSecretId", AuthFailed, Refused),
            ("AuthFailure.MFAFailure", AuthFailed, Refused),
            ("AuthFailure.SecretIdNotFound", AuthFailed, Refused),
            ("AuthFailure.SignatureExpire", AuthFailed, Refused),
            ("AuthFailure.SignatureFailure", AuthFailed, Refused),
            ("AuthFailure.TokenFailure", AuthFailed, Refused),
            ("AuthFailure.UnauthorizedOperation", Forbidden, Refused),
            ("DryRunOperation", VendorError, Refused),
            ("FailedOperation", VendorError, Refused),
            ("InternalError", VendorError, Unknown),
            ("InvalidAction", InvalidConfig, Refused),
            ("InvalidParameter", InvalidInput, Refused),
            ("InvalidParameterValue", InvalidInput, Refused),
            ("InvalidRequest", InvalidInput, Refused),
            ("IpInBlacklist", Forbidden, Refused),
            ("IpNotInWhitelist", Forbidden, Refused),
            ("LimitExceeded", RateLimited, Refused),
            ("MissingParameter", InvalidInput, Refused),
            ("NoSuchProduct", InvalidConfig, Refused),
            ("NoSuchVersion", InvalidConfig, Refused),
            ("RequestLimitExceeded", RateLimited, Refused),
            (
                "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
                RateLimited,
                Refused,
            ),
            ("RequestLimitExceeded.IPLimitExceeded", RateLimited, Refused),
            (
                "RequestLimitExceeded.UinLimitExceeded",
                RateLimited,
                Refused,
            ),
            ("RequestSizeLimitExceeded", InvalidInput, Refused),
            ("ResourceInUse", VendorError, Refused),
            ("ResourceInsufficient", VendorError, Refused),
            ("ResourceNotFound", InvalidConfig, Refused),
            ("ResourceUnavailable", VendorError, Refused),
            ("ResponseSizeLimitExceeded", VendorError, Unknown),
            ("ServiceUnavailable", VendorError, Unknown),
            ("UnauthorizedOperation", Forbidden, Refused),
            ("UnknownParameter", InvalidInput, Refused),
            ("UnsupportedProtocol", VendorError, Refused),
            ("UnsupportedRegion", InvalidConfig, Refused),
        ];
        assert_eq!(expected.len(), CODES.len() + COMMON_CODES.len());
        for &(code, kind, outcome) in expected {
            let body = format!(
                r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"req-1"}}}}"#
            );
            let err = config()
                .parse_send_code(&HttpResponse::new(200, body))
                .unwrap_err();
            assert_eq!((err.kind(), err.outcome()), (kind, outcome), "{code}");
            assert_eq!(err.vendor_code(), Some(code));
            assert_eq!(err.vendor_message(), Some("m"));
            assert!(err.message().contains("RequestId req-1"), "{err}");
        }
    }

    #[test]
    fn undocumented_codes_fall_back_on_their_family() {
        assert_eq!(
            classify_in(CODES, "LimitExceeded.SomethingNew"),
            (RateLimited, Refused)
        );
        assert_eq!(
            classify_in(CODES, "AuthFailure.SomethingNew"),
            (AuthFailed, Refused)
        );
        assert_eq!(
            classify_in(CODES, "UnauthorizedOperation.New"),
            (Forbidden, Refused)
        );
        assert_eq!(
            classify_in(CODES, "InternalError.New"),
            (VendorError, Unknown)
        );
        assert_eq!(classify_in(CODES, "Brand.New"), (VendorError, Refused));
    }

    #[test]
    fn a_server_error_status_leaves_the_outcome_unknown_whatever_the_code() {
        for (status, code, kind) in [
            (500, "LimitExceeded.DeliveryFrequencyLimit", RateLimited),
            (502, "AuthFailure.SignatureFailure", AuthFailed),
            (503, "Brand.New", VendorError),
        ] {
            let body = format!(
                r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"req-1"}}}}"#
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
                (err.vendor_code(), err.vendor_message(), err.http_status()),
                (Some(code), Some("m"), Some(status))
            );
            assert!(err.message().contains("RequestId req-1"), "{err}");
        }
    }

    #[test]
    fn unreadable_answers_are_protocol_errors_with_unknown_outcome() {
        for (status, body) in [
            (502, "<html>Bad Gateway</html>"),
            (200, ""),
            (200, r#"{"Response":{"RequestId":"r"}}"#),
            (
                200,
                r#"{"Response":{"SendStatus":{"CallId":""},"RequestId":"r"}}"#,
            ),
            (200, r#"{"Response":{"Error":{"Message":"no code"}}}"#),
            (200, r#"{"SendStatus":{"CallId":"c"}}"#),
            (
                500,
                r#"{"Response":{"SendStatus":{"CallId":"c"},"RequestId":"r"}}"#,
            ),
        ] {
            let err = config()
                .parse_send_code(&HttpResponse::new(status, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome()),
                (ErrorKind::Protocol, crate::Outcome::Unknown),
                "{body}"
            );
        }
    }

    #[test]
    fn reads_the_documented_voice_code_status_callback() {
        let body = br#"{"voicecode_callback":{"result":"0","accept_time":"1470196835","call_from":"075583763333","callid":"xxxxxx","end_calltime":"1470196843","fee":"1","mobile":"13xxxxxxxxx","nationcode":"86","start_calltime":"1470196821"}}"#;
        let events = parse_callback(&[], body).unwrap();
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(e.message_id, "xxxxxx");
        assert_eq!(e.event, EventKind::Delivered);
        assert_eq!(e.at, Utc.timestamp_opt(1470196843, 0).single());
        assert_eq!(e.talk_seconds, Some(8));
        assert_eq!(e.state_code, Some(0));
        assert_eq!(e.phone.as_deref(), Some("13xxxxxxxxx"));
        assert_eq!(e.raw["voicecode_callback"]["fee"], "1");
    }

    #[test]
    fn unanswered_and_failed_calls_are_failed_events() {
        let unanswered = br#"{"voicecode_callback":{"result":"1","accept_time":"0","callid":"c1","end_calltime":"1470196843","mobile":"13800138000","start_calltime":"1470196821"}}"#;
        let e = &parse_callback(&[], unanswered).unwrap()[0];
        assert_eq!(
            (e.event, e.state_code, e.talk_seconds),
            (EventKind::Failed, Some(1), None)
        );
        let failure = r#"{"voice_failure_callback":{"call_from":"075583763333","callid":"c2","failure_code":8,"failure_reason":"空号","mobile":"13800138000","nationcode":"86"}}"#;
        let e = &parse_callback(&[], failure.as_bytes()).unwrap()[0];
        assert_eq!(e.event, EventKind::Failed);
        assert_eq!(e.state_code, Some(8));
        assert_eq!(e.state_desc.as_deref(), Some("空号"));
    }

    #[test]
    fn notice_callbacks_yield_no_event_and_others_are_refused() {
        let notice = br#"{"voiceprompt_callback":{"result":"0","callid":"n1"}}"#;
        assert!(parse_callback(&[], notice).unwrap().is_empty());
        for body in [
            &br#"{"something_else":{}}"#[..],
            br#"{"voicecode_callback":{"result":"0"}}"#,
            br#"{"voicecode_callback":{"result":"7","callid":"c"}}"#,
            b"not json",
        ] {
            let err = parse_callback(&[], body).unwrap_err();
            assert_eq!((err.kind(), err.field()), (InvalidInput, Some("body")));
        }
    }
}
