//! `Client` and `Router`: the core's async transport on napi's tokio runtime.
//!
//! Every network method is a `#[napi] async fn`: the request is read on the JavaScript thread,
//! the exchange runs on napi's tokio runtime, and the promise settles on the JavaScript thread.
//! Nothing waits on libuv's worker pool (4 threads by default), so thousands of calls can be in
//! flight without stalling timers or other I/O. The `…Sync` variants block the calling thread
//! on the same runtime and the same connection pool, for scripts that want no promises.

use napi::bindgen_prelude::{block_on, ClassInstance, Either, JsObjectValue, Unknown};
use napi::{Env, JsValue};
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde_json::Value;
use voicecode::{AsyncClient, AsyncRouter, ChannelConfig, SendCode, Vendor};

use crate::convert::{camel, cannot_read, napi_arg, JsonArg};
use crate::error::{settle, Failure, Reply};

/// A request object read into one of the core's request types (or a binding's options);
/// the core names the key at fault.
pub fn parse_request<T: DeserializeOwned>(what: &str, value: Value) -> Result<T, Failure> {
    Ok(voicecode::model::from_value(what, value)?)
}

/// The object argument `what` read as [`parse_request`] reads it.
pub fn object_arg<T: DeserializeOwned>(arg: JsonArg, what: &str) -> Result<T, Failure> {
    parse_request(what, arg.object(what)?)
}

fn channel_config(config: JsonArg) -> Result<ChannelConfig, Failure> {
    Ok(ChannelConfig::from_value(config.object("config")?)?)
}

/// One vendor account: sends voice codes, reads the balance, and for OneAccess runs the
/// captcha and SMS flow.
#[napi]
pub struct Client {
    inner: AsyncClient,
}

#[napi]
impl Client {
    /// Validates `config` (the core's channel schema, camelCase keys) and opens a connection
    /// pool; no connection is made yet. Throws `VoiceCodeError` (`invalid_config`).
    #[napi(constructor, ts_args_type = "config: ChannelConfig")]
    pub fn new(env: Env, config: JsonArg) -> napi::Result<Self> {
        let client = channel_config(config).and_then(|c| Ok(AsyncClient::new(c)?));
        settle(&env, client).map(|inner| Client { inner })
    }

    /// Reads a channel config from a TOML file (JSON when the name ends in `.json`) in the
    /// core's snake_case schema, as the `voicecode` command does; a secret missing from the file
    /// is read from `VOICECODE_<KEY>` (`VOICECODE_AUTH_TOKEN`, `VOICECODE_APP_SECRET`,
    /// `VOICECODE_API_KEY`, `VOICECODE_APP_KEY`, `VOICECODE_ACCESS_KEY_SECRET` or
    /// `VOICECODE_SECRET_KEY`).
    #[napi(factory, ts_args_type = "path: string")]
    pub fn from_file(env: Env, path: JsonArg) -> napi::Result<Self> {
        let client = path
            .string("path")
            .and_then(|p| Ok(ChannelConfig::from_file(p)?))
            .and_then(|c| Ok(AsyncClient::new(c)?));
        settle(&env, client).map(|inner| Client { inner })
    }

    /// The vendor behind this client.
    #[napi(getter, ts_return_type = "Vendor")]
    pub fn vendor(&self) -> &'static str {
        self.inner.vendor().as_str()
    }

    /// What this client sends: `voice` calls or `sms`.
    #[napi(getter, ts_return_type = "Product")]
    pub fn product(&self) -> &'static str {
        self.inner.product().as_str()
    }

    /// Sends a voice verification code. Never retried: on failure look at `outcome`.
    #[napi(
        ts_args_type = "request: SendCodeRequest",
        ts_return_type = "Promise<Receipt>"
    )]
    pub async fn send_code(&self, request: JsonArg) -> Reply<Value> {
        let client = self.inner.clone();
        Reply(send_code(client, request).await)
    }

    /// `sendCode`, blocking the calling thread until the vendor answers.
    #[napi(ts_args_type = "request: SendCodeRequest", ts_return_type = "Receipt")]
    pub fn send_code_sync(&self, request: JsonArg) -> Reply<Value> {
        Reply(block_on(send_code(self.inner.clone(), request)))
    }

    /// The account balance (ytx, ihuyi, cloud10658).
    #[napi(ts_return_type = "Promise<Balance>")]
    pub async fn balance(&self) -> Reply<Value> {
        let client = self.inner.clone();
        Reply(async move { Ok(camel(&client.balance().await?)) }.await)
    }

    /// OneAccess: a new slider captcha to show to the user.
    #[napi(ts_return_type = "Promise<Captcha>")]
    pub async fn captcha(&self) -> Reply<Value> {
        let client = self.inner.clone();
        Reply(async move { Ok(camel(&client.captcha().await?)) }.await)
    }

    /// OneAccess: checks where the user dropped the slider; resolves to the `captchaToken`
    /// that `sendSmsCode` needs.
    #[napi(
        ts_args_type = "request: VerifyCaptchaRequest",
        ts_return_type = "Promise<string>"
    )]
    pub async fn verify_captcha(&self, request: JsonArg) -> Reply<String> {
        let (client, req) = (self.inner.clone(), object_arg(request, "request"));
        Reply(async move { Ok(client.verify_captcha(&req?).await?) }.await)
    }

    /// OneAccess: sends an SMS code after a verified captcha.
    #[napi(
        ts_args_type = "request: SendSmsCodeRequest",
        ts_return_type = "Promise<void>"
    )]
    pub async fn send_sms_code(&self, request: JsonArg) -> Reply<()> {
        let (client, req) = (self.inner.clone(), object_arg(request, "request"));
        Reply(async move { Ok(client.send_sms_code(&req?).await?) }.await)
    }
}

impl Client {
    /// The core client, for the other classes that take a `Client` (`Router`, `Verifier`).
    pub(crate) fn as_async(&self) -> &AsyncClient {
        &self.inner
    }
}

async fn send_code(client: AsyncClient, request: JsonArg) -> Result<Value, Failure> {
    let req: SendCode = object_arg(request, "request")?;
    Ok(camel(&client.send_code(&req).await?))
}

/// Channels in order of preference, with failover that never rings a phone twice.
#[napi]
pub struct Router {
    inner: AsyncRouter,
}

#[napi]
impl Router {
    /// A router over channels (configs or `Client`s) in order of preference. It moves to the
    /// next channel only when the current one certainly placed no call.
    #[napi(constructor, ts_args_type = "channels: Array<ChannelConfig | Client>")]
    pub fn new(env: Env, channels: ChannelsArg) -> napi::Result<Self> {
        let router = channels
            .0
            .and_then(|clients| Ok(AsyncRouter::from_clients(clients)?));
        settle(&env, router).map(|inner| Router { inner })
    }

    /// Sends through the first channel that accepts; on failure `attempts` lists every channel.
    #[napi(
        ts_args_type = "request: SendCodeRequest",
        ts_return_type = "Promise<Receipt>"
    )]
    pub async fn send_code(&self, request: JsonArg) -> Reply<Value> {
        let router = self.inner.clone();
        Reply(route(router, request).await)
    }

    /// `sendCode`, blocking the calling thread until a channel answers.
    #[napi(ts_args_type = "request: SendCodeRequest", ts_return_type = "Receipt")]
    pub fn send_code_sync(&self, request: JsonArg) -> Reply<Value> {
        Reply(block_on(route(self.inner.clone(), request)))
    }
}

impl Router {
    /// The core router, for a `Verifier` built on this one (sharing its pools).
    pub(crate) fn as_async(&self) -> &AsyncRouter {
        &self.inner
    }
}

async fn route(router: AsyncRouter, request: JsonArg) -> Result<Value, Failure> {
    let req: SendCode = object_arg(request, "request")?;
    Ok(camel(&router.send_code(&req).await?))
}

/// The router's channels: `Client` instances are used as they are (sharing their pools),
/// anything else is read as a channel config.
pub struct ChannelsArg(pub(crate) Result<Vec<AsyncClient>, Failure>);

napi_arg!(
    ChannelsArg,
    Unknown<'_>,
    |from: napi::Result<Unknown>| ChannelsArg(
        from.map_err(|e| cannot_read("channels", e))
            .and_then(read_channels)
    ),
    "Array<ChannelConfig | Client>",
    Object
);

/// An array of channel configs and `Client`s, in order of preference (`Verifier` reads its
/// array channels here too).
pub(crate) fn read_channels(value: Unknown) -> Result<Vec<AsyncClient>, Failure> {
    let failed = |e| cannot_read("channels", e);
    if !value.is_array().map_err(failed)? {
        return Err(Failure::Type(
            "channels must be an array of channel configs or Clients".to_owned(),
        ));
    }
    let array = value.coerce_to_object().map_err(failed)?;
    (0..array.get_array_length().map_err(failed)?)
        .map(|i| match array.get_element(i).map_err(failed)? {
            Either::<ClassInstance<Client>, Unknown>::A(client) => Ok(client.inner.clone()),
            Either::B(config) => Ok(AsyncClient::new(channel_config(JsonArg::read(Ok(
                config,
            )))?)?),
        })
        .collect()
}

/// The vendor named by a string argument.
pub fn vendor(arg: JsonArg) -> Result<Vendor, Failure> {
    Ok(Vendor::from_arg(&arg.string("vendor")?)?)
}
