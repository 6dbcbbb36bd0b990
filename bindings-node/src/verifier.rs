//! `Verifier`: the core's verification lifecycle (`AsyncVerifier`) on napi's tokio runtime.
//!
//! Everything a verifier decides — the code, the limits, quiet hours, what the store holds, when
//! a reservation is given back — is the core's. This file reads the arguments into the core's
//! types (`VerifierConfig::from_value`, `StartOptions::from_value`), runs `start`, `check` and
//! `cancel` as `#[napi] async fn`s like `Client`'s, and turns the results into their camelCase
//! shapes. The store's own blocking calls run on tokio's blocking pool (the core's
//! `spawn_blocking`), never on the JavaScript thread or on libuv's 4 worker threads.

use napi::bindgen_prelude::{
    ClassInstance, Either, Either3, JsObjectValue, Object, ToNapiValue, Unknown,
};
use napi::{sys, Env, JsValue};
use napi_derive::napi;
use serde_json::{json, Value};
use voicecode::{
    AsyncRouter, AsyncVerifier, Check, Delivery, StartOptions, Verification, VerifierConfig,
};

use crate::client::{read_channels, Client, Router};
use crate::convert::{camel, cannot_read, napi_arg, JsonArg};
use crate::error::{settle, Failure, Reply};

/// Makes voice codes, calls numbers with them and checks what users type, with limits that
/// hold across every process sharing the store.
#[napi]
pub struct Verifier {
    inner: AsyncVerifier,
}

#[napi]
impl Verifier {
    /// A verifier sending through `channels` (a `Router`, a `Client`, one `Router` per channel,
    /// or channel configs and `Client`s in order of preference, grouped by product: SMS and
    /// voice channels make one router each) with `config`'s rules (the core's verifier schema,
    /// camelCase keys; `workflow: ['sms', 'voice']` sends a code by SMS first and by voice on a
    /// resend, the same code). Throws `VoiceCodeError` (`invalid_config`,
    /// naming the key) when a key is unknown or wrong, the secret is shorter than 16 bytes, the
    /// code length does not suit every channel, or `store` is malformed.
    ///
    /// Opening the store happens here, on the calling thread, once: an SQLite file is opened
    /// (and its table created) before the constructor returns, which is local file I/O; a Redis
    /// store connects lazily, so a server that is down shows as `store_unavailable` on the first
    /// `start`, `check` or `cancel`, never here.
    #[napi(
        constructor,
        ts_args_type = "channels: Router | Client | Router[] | Array<ChannelConfig | Client>, config: VerifierConfig"
    )]
    pub fn new(env: Env, channels: VerifierChannels, config: JsonArg) -> napi::Result<Self> {
        let verifier = channels.0.and_then(|routers| {
            let config = VerifierConfig::from_value(config.object("config")?)?;
            Ok(AsyncVerifier::with_routers(routers, config)?)
        });
        settle(&env, verifier).map(|inner| Verifier { inner })
    }

    /// Makes a code (or takes `options.code`), reserves it for `to` in the store and calls `to`
    /// with it. Rejects with no call placed on `invalid_input` (the field named), `quiet_hours`
    /// or `rate_limited` (both with `retryAfter`, in seconds), `store_unavailable`, or a send
    /// error whose `outcome` is `not_sent` or `refused`. A send whose outcome is `unknown`
    /// resolves with `status: 'may_have_been_sent'` and its `error`: the phone may ring, so do
    /// not start again; let the user type the code.
    #[napi(
        ts_args_type = "to: string, options?: StartOptions",
        ts_return_type = "Promise<Verification>"
    )]
    pub async fn start(&self, to: JsonArg, options: JsonArg) -> Reply<VerificationReply> {
        let verifier = self.inner.clone();
        Reply(
            async move {
                let to = to.string("to")?;
                let options = options
                    .optional_object("options")?
                    .unwrap_or_else(|| json!({}));
                let options = StartOptions::from_value(options)?;
                Ok(VerificationReply(verifier.start(&to, &options).await?))
            }
            .await,
        )
    }

    /// Checks the code the user typed for `to`. Resolves to a `Check` for every answer (only
    /// `approved` lets the user in); rejects with `invalid_input` naming `code` for an empty or
    /// malformed code (no attempt is used), and with `store_unavailable`.
    #[napi(
        ts_args_type = "to: string, code: string",
        ts_return_type = "Promise<Check>"
    )]
    pub async fn check(&self, to: JsonArg, code: JsonArg) -> Reply<Value> {
        let verifier = self.inner.clone();
        Reply(
            async move {
                let (to, code) = (to.string("to")?, code.string("code")?);
                Ok(check_value(verifier.check(&to, &code).await?))
            }
            .await,
        )
    }

    /// Cancels `to`'s pending verification, if any: later checks answer `canceled`. The start
    /// still counts against the cooldown and the caps.
    #[napi(ts_args_type = "to: string", ts_return_type = "Promise<void>")]
    pub async fn cancel(&self, to: JsonArg) -> Reply<()> {
        let verifier = self.inner.clone();
        Reply(async move { Ok(verifier.cancel(&to.string("to")?).await?) }.await)
    }

    /// Forgets everything stored about `to` (codes, cooldown, caps), even a record that cannot
    /// be read, which `start`, `check` and `cancel` reject with `store_unavailable`. An
    /// operator's tool.
    #[napi(ts_args_type = "to: string", ts_return_type = "Promise<void>")]
    pub async fn clear(&self, to: JsonArg) -> Reply<()> {
        let verifier = self.inner.clone();
        Reply(async move { Ok(verifier.clear(&to.string("to")?).await?) }.await)
    }
}

/// `{ status, approved, attemptsLeft? }`: the core's `Check` with the one test callers need.
fn check_value(check: Check) -> Value {
    let mut value = camel(&check);
    if let Value::Object(map) = &mut value {
        map.insert("approved".into(), Value::Bool(check.is_approved()));
    }
    value
}

/// A `Verification` on its way to JavaScript: the core's serialisation in camelCase, with its
/// `error` (after an unknown outcome) a `VoiceCodeError` like every thrown one.
pub struct VerificationReply(Verification);

impl ToNapiValue for VerificationReply {
    // SAFETY (of the contract): napi converts results on the JavaScript thread that owns
    // `env`; the body is safe code.
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(env);
        let mut object = Object::new(&env)?;
        if let Value::Object(map) = camel(&val.0) {
            for (key, value) in map.into_iter().filter(|(key, _)| key != "error") {
                object.set(key, value)?;
            }
        }
        if let Delivery::MayHaveBeenSent { error } = val.0.delivery {
            object.set("error", Failure::Core(error).into_js(&env)?)?;
        }
        Ok(object.raw())
    }
}

/// A verifier's channels: a `Router` or a `Client` as it is (sharing its pools), or an array
/// read as `new Router` reads it.
pub struct VerifierChannels(Result<Vec<AsyncRouter>, Failure>);

type ChannelsFrom<'env> =
    Either3<ClassInstance<'env, Router>, ClassInstance<'env, Client>, Unknown<'env>>;

fn verifier_channels(from: napi::Result<ChannelsFrom>) -> Result<Vec<AsyncRouter>, Failure> {
    let failed = |e| cannot_read("channels", e);
    match from.map_err(failed)? {
        Either3::A(router) => Ok(vec![router.as_async().clone()]),
        Either3::B(client) => Ok(vec![AsyncRouter::from_clients(vec![client
            .as_async()
            .clone()])?]),
        Either3::C(other) if other.is_array().map_err(failed)? => read_routers(other),
        Either3::C(_) => Err(Failure::Type(
            "channels must be a Router, a Client, an array of Routers, or an array of channel configs and Clients"
                .to_owned(),
        )),
    }
}

/// An array of Routers (one per channel), or of channel configs and Clients grouped by product.
fn read_routers(value: Unknown) -> Result<Vec<AsyncRouter>, Failure> {
    let failed = |e| cannot_read("channels", e);
    let array = value.coerce_to_object().map_err(failed)?;
    let mut routers = Vec::new();
    for i in 0..array.get_array_length().map_err(failed)? {
        if let Either::<ClassInstance<Router>, Unknown>::A(router) =
            array.get_element(i).map_err(failed)?
        {
            routers.push(router.as_async().clone());
        }
    }
    if routers.is_empty() {
        return Ok(AsyncRouter::by_product(read_channels(value)?)?);
    }
    if routers.len() as u32 != array.get_array_length().map_err(failed)? {
        return Err(Failure::Type(
            "channels must be an array of Routers, or of channel configs and Clients, not both"
                .to_owned(),
        ));
    }
    Ok(routers)
}

napi_arg!(
    VerifierChannels,
    ChannelsFrom<'_>,
    |from| VerifierChannels(verifier_channels(from)),
    "Router | Client | Router[] | Array<ChannelConfig | Client>",
    Object
);
