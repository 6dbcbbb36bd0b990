//! `Verifier`: the core's verification lifecycle (`AsyncVerifier`) on napi's tokio runtime.
//!
//! Everything a verifier decides — the code, the limits, quiet hours, what the store holds, when
//! a reservation is given back — is the core's. This file reads the arguments into the core's
//! types (`VerifierConfig::from_value`, `StartOptions::from_value`), runs `start`, `check` and
//! `cancel` as `#[napi] async fn`s like `Client`'s, and turns the results into their camelCase
//! shapes. The store's own blocking calls run on tokio's blocking pool (the core's
//! `spawn_blocking`), never on the JavaScript thread or on libuv's 4 worker threads.

use napi::bindgen_prelude::{
    ClassInstance, FromNapiValue, JavaScriptClassExt, ToNapiValue, Unknown,
};
use napi::{sys, Env};
use napi_derive::napi;
use serde_json::{json, Value};
use voicecode::{
    AsyncRouter, AsyncVerifier, Check, Delivery, StartOptions, Verification, VerifierConfig,
};

use crate::client::{ChannelsArg, Client, Router};
use crate::convert::{camel, napi_arg, Camel, JsonArg};
use crate::error::{error_value, settle, Failure, Reply};

/// Makes voice codes, calls numbers with them and checks what users type, with limits that
/// hold across every process sharing the store.
#[napi]
pub struct Verifier {
    inner: AsyncVerifier,
}

#[napi]
impl Verifier {
    /// A verifier sending through `channels` (a `Router`, a `Client`, or channel configs and
    /// `Client`s in order of preference, as `new Router` takes) with `config`'s rules (the
    /// core's verifier schema, camelCase keys). Throws `VoiceCodeError` (`invalid_config`,
    /// naming the key) when a key is unknown or wrong, the secret is shorter than 16 bytes, the
    /// code length does not suit every channel, or `store` is malformed.
    ///
    /// Opening the store happens here, on the calling thread, once: an SQLite file is opened
    /// (and its table created) before the constructor returns, which is local file I/O; a Redis
    /// store connects lazily, so a server that is down shows as `store_unavailable` on the first
    /// `start`, `check` or `cancel`, never here.
    #[napi(
        constructor,
        ts_args_type = "channels: Router | Client | Array<ChannelConfig | Client>, config: VerifierConfig"
    )]
    pub fn new(env: Env, channels: VerifierChannels, config: JsonArg) -> napi::Result<Self> {
        let verifier = channels.0.and_then(|router| {
            let config = VerifierConfig::from_value(config.object("config")?)?;
            Ok(AsyncVerifier::new(router, config)?)
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
    pub async fn check(&self, to: JsonArg, code: JsonArg) -> Reply<Camel> {
        let verifier = self.inner.clone();
        Reply(
            async move {
                let to = to.string("to")?;
                let code = code.string("code")?;
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
        Reply(
            async move {
                let to = to.string("to")?;
                Ok(verifier.cancel(&to).await?)
            }
            .await,
        )
    }

    /// Forgets everything stored about `to` (codes, cooldown, caps), even a record that cannot
    /// be read, which `start`, `check` and `cancel` reject with `store_unavailable`. An
    /// operator's tool.
    #[napi(ts_args_type = "to: string", ts_return_type = "Promise<void>")]
    pub async fn clear(&self, to: JsonArg) -> Reply<()> {
        let verifier = self.inner.clone();
        Reply(
            async move {
                let to = to.string("to")?;
                Ok(verifier.clear(&to).await?)
            }
            .await,
        )
    }
}

/// `{ status, approved, attemptsLeft? }`: the core's `Check` with the one test callers need.
fn check_value(check: Check) -> Camel {
    let Camel(mut value) = camel(&check);
    if let Value::Object(map) = &mut value {
        map.insert("approved".into(), Value::Bool(check.is_approved()));
    }
    Camel(value)
}

/// A `Verification` on its way to JavaScript: the core's serialisation in camelCase, with its
/// `error` (after an unknown outcome) a `VoiceCodeError` like every thrown one.
pub struct VerificationReply(Verification);

impl ToNapiValue for VerificationReply {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let Camel(mut value) = camel(&val.0);
        if let Value::Object(map) = &mut value {
            map.remove("error");
        }
        let object = unsafe { Value::to_napi_value(env, value) }?;
        if let Delivery::MayHaveBeenSent { error } = val.0.delivery {
            // SAFETY: napi converts results on the JavaScript thread that owns `env`.
            let error = unsafe { error_value(env, error) }?;
            let status =
                unsafe { sys::napi_set_named_property(env, object, c"error".as_ptr(), error) };
            if status != sys::Status::napi_ok {
                return Err(napi::Error::from_status(napi::Status::from(status)));
            }
        }
        Ok(object)
    }
}

/// A verifier's channels: a `Router` or a `Client` as it is (sharing its pools), or an array
/// read as `new Router` reads it.
pub struct VerifierChannels(Result<AsyncRouter, Failure>);

impl FromNapiValue for VerifierChannels {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let js_env = Env::from_raw(env);
        let unknown = unsafe { Unknown::from_raw_unchecked(env, value) };
        if Router::instance_of(&js_env, &unknown)? {
            let router = unsafe { ClassInstance::<Router>::from_napi_value(env, value) }?;
            return Ok(VerifierChannels(Ok(router.as_async().clone())));
        }
        if Client::instance_of(&js_env, &unknown)? {
            let client = unsafe { ClassInstance::<Client>::from_napi_value(env, value) }?;
            let router = AsyncRouter::from_clients(vec![client.as_async().clone()]);
            return Ok(VerifierChannels(router.map_err(Failure::from)));
        }
        let mut is_array = false;
        unsafe { sys::napi_is_array(env, value, &mut is_array) };
        if !is_array {
            return Ok(VerifierChannels(Err(Failure::Type(
                "channels must be a Router, a Client, or an array of channel configs and Clients"
                    .to_owned(),
            ))));
        }
        let clients = unsafe { ChannelsArg::from_napi_value(env, value) }?.0;
        Ok(VerifierChannels(clients.and_then(|clients| {
            Ok(AsyncRouter::from_clients(clients)?)
        })))
    }
}

napi_arg!(
    VerifierChannels,
    "Router | Client | Array<ChannelConfig | Client>",
    Object
);
