//! The verification lifecycle: make a code, send it, check it — on one process, or on many
//! behind one store.
//!
//! [`AsyncVerifier`] is the implementation, over an [`AsyncRouter`] (so failover applies);
//! [`Verifier`] is its blocking face over a [`Router`], as [`crate::Client`] is of
//! [`crate::AsyncClient`].
//!
//! A start goes in three steps, so that nothing can ring a phone twice or be lost:
//! 1. **reserve** atomically in the store (quiet hours, cooldown, caps; the new code's keyed
//!    hash): of 50 parallel starts for one number exactly one gets through;
//! 2. **send** through the router;
//! 3. **record** the outcome. A send that certainly placed no call (`not_sent`, `refused`) gives
//!    the reservation back, and the code the user already held is the valid one again; one whose
//!    outcome is `unknown` keeps the verification live, since the phone may ring, and says so
//!    instead of sending again. An earlier code stays valid until a newer call is known to be
//!    placed, so a resend never takes away a code the user holds.
//!
//! A verifier may send by several channels, one router each (SMS and voice): the first send of a
//! code goes by the first channel of its `workflow`, each resend within the code's lifetime by
//! the next, and a resend sends **the same code**, so the late SMS and the voice call agree.
//! Cooldown, caps and wrong attempts count across channels.
//!
//! A stored record that cannot be read fails closed: `store_unavailable`, no call, nothing
//! overwritten, until [`Verifier::clear`] deletes it.
//!
//! Codes come from the OS CSPRNG and are stored as HMAC-SHA256 under the verifier's secret, and,
//! for a resend, sealed with ChaCha20-Poly1305 under a key derived from it (bound to the
//! number); never in clear, never logged, printed, or put in an error. The rules themselves are pure
//! functions (`policy`) shared by every [`store::Store`].
//!
//! ```no_run
//! use voicecode::{ChannelConfig, Router, StartOptions, Verifier, VerifierConfig};
//!
//! let sms = Router::new(vec![ChannelConfig::from_file("aliyun-sms.toml")?])?;
//! let voice = Router::new(vec![ChannelConfig::from_file("huawei.toml")?])?;
//! let config = VerifierConfig::new(std::env::var("VOICECODE_VERIFIER_SECRET")?).store("sqlite:codes.db");
//! let verifier = Verifier::with_routers(vec![sms, voice], config)?; // SMS first, then voice
//! let start = StartOptions::new().key("203.0.113.7");
//! verifier.start("+8613800138000", &start)?; // texts the user a code
//! // "收不到短信？获取语音验证码", a minute later: calls the user with the same code.
//! verifier.start("+8613800138000", &start)?;
//! let approved = verifier.check("+8613800138000", "482193")?.is_approved(); // what they typed
//! # let _ = approved;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod policy;
pub mod store;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac as _};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use self::policy::{Change, Pending, Refusal, Rules, Start, State, Stored, Write};
pub use self::policy::{Check, QuietHours};
use self::store::Store;
use crate::client::refuse_inside_runtime;
use crate::http::random_bytes;
use crate::model::SendOptions;
use crate::phone::Phone;
use crate::protocol::checks::CodeRule;
use crate::protocol::encode::{self, Hex64, ShortText};
use crate::protocol::vendor::ParsedSend;
use crate::router::Plan;
use crate::{AsyncRouter, Error, Outcome, Product, Receipt, Result, Router, Secret};

/// The prefix of every key the verifier writes; `v1` changes if the record format does.
const NAMESPACE: &str = "voicecode:v1";
/// How long a record is kept after its last write: the longest window a rule looks back on.
const RECORD_TTL: Duration = Duration::from_secs(24 * 3600);

/// What became of a start's call.
#[derive(Debug, Clone, Serialize, strum::VariantNames)]
#[serde(tag = "status", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Delivery {
    /// A vendor accepted the call.
    Sent {
        /// The vendor's receipt.
        receipt: Receipt,
    },
    /// The send failed with outcome `unknown`: the phone may ring, so the verification is live
    /// and nothing was resent. Wait for the user (or the call status) before starting again.
    MayHaveBeenSent {
        /// The send's error.
        error: Error,
    },
}

/// A started verification. Serialises (`--json`, bindings) to
/// `{"to","channel","expires_at","max_attempts","unverified_starts",
/// "status":"sent"|"may_have_been_sent","receipt"|"error"}`. It never holds the code.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The number, in E.164.
    pub to: String,
    /// How the code was sent: by voice or SMS.
    pub channel: Product,
    /// When the code stops being accepted (a resend of a live code keeps its expiry).
    pub expires_at: DateTime<Utc>,
    /// Checks allowed.
    pub max_attempts: u32,
    /// Starts for this number since its last approved check, this one included: a number that
    /// keeps being started and never verified is being called by someone other than its owner.
    pub unverified_starts: u32,
    /// Whether the call was placed.
    #[serde(flatten)]
    pub delivery: Delivery,
}

impl Verification {
    /// True when the send's outcome is unknown ([`Delivery::MayHaveBeenSent`]).
    pub fn may_have_been_sent(&self) -> bool {
        matches!(self.delivery, Delivery::MayHaveBeenSent { .. })
    }
}

/// Options of one [`Verifier::start`].
#[derive(Clone, Default)]
pub struct StartOptions {
    /// A code of the caller's own instead of a generated one; validated like a generated one.
    pub code: Option<String>,
    /// A caller-given key (client IP, account id) for the per-key caps. Stored only as a hash.
    pub key: Option<String>,
    /// The channel to send by, instead of the workflow's step.
    pub channel: Option<Product>,
    /// The send's options (`play_times`, `user_data`, Huawei overrides).
    pub send: SendOptions,
}

impl fmt::Debug for StartOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartOptions")
            .field("code", &self.code.as_ref().map(|_| "***"))
            .field("key", &self.key.as_ref().map(|_| "***"))
            .field("channel", &self.channel)
            .field("send", &self.send)
            .finish()
    }
}

impl StartOptions {
    /// No options: a generated code, no caller key, the vendors' defaults.
    pub fn new() -> Self {
        StartOptions::default()
    }

    /// Sends this code instead of a generated one.
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Counts this start against the caller key's caps (an IP, an account).
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Sends by `channel` (`sms` or `voice`) instead of the workflow's step.
    pub fn channel(mut self, channel: Product) -> Self {
        self.channel = Some(channel);
        self
    }

    /// Sets how many times the code is played.
    pub fn play_times(mut self, times: u8) -> Self {
        self.send.play_times = Some(times);
        self
    }

    /// Reads options from the shared JSON schema, as bindings receive them: `code`, `key`,
    /// `channel` and the [`SendOptions`] at the top level (`{"key":"10.0.0.1","play_times":2}`).
    pub fn from_value(value: Value) -> Result<Self> {
        let Value::Object(mut map) = value else {
            return Err(Error::invalid_input("options", "must be an object"));
        };
        let mut text = |name: &str| match map.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Error::invalid_input(name, "must be a string")),
        };
        let (code, key, channel) = (text("code")?, text("key")?, text("channel")?);
        let channel = channel
            .map(|name| Product::from_channel_arg(&name))
            .transpose()?;
        for taken in ["to"] {
            if map.contains_key(taken) {
                return Err(Error::invalid_input(
                    taken,
                    "is the start's own argument, not an option",
                ));
            }
        }
        let send = crate::model::from_value("options", Value::Object(map))?;
        Ok(StartOptions {
            code,
            key,
            channel,
            send,
        })
    }
}

/// Where the verifier reads the time: the system clock, or a test's.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The verifier's settings. Reads from JSON or TOML with the same snake_case keys in every
/// language; unknown keys are refused, naming them.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierConfig {
    /// The HMAC key codes are hashed with (at least 16 bytes). Every process sharing a store
    /// needs the same one; changing it invalidates the pending codes.
    pub secret: Secret,
    /// `memory` (default: this verifier's own, gone with it), `sqlite:PATH` or
    /// `redis://host:port/db`.
    #[serde(default = "defaults::store")]
    pub store: String,
    /// Digits in a generated code (default 6, 4 to 8); must suit every channel of the router.
    #[serde(default = "defaults::code_length")]
    pub code_length: usize,
    /// How long a code is accepted, in seconds (default 600, at most 600).
    #[serde(default = "defaults::ttl_secs")]
    pub ttl_secs: u64,
    /// Checks allowed per code (default 5, 1 to 10).
    #[serde(default = "defaults::max_attempts")]
    pub max_attempts: u32,
    /// Seconds between two starts for one number (default 60, as cloud10658 enforces; at most
    /// a day).
    #[serde(default = "defaults::cooldown_secs")]
    pub cooldown_secs: u64,
    /// Starts per number in any hour (default 5, 1 to 20).
    #[serde(default = "defaults::number_hourly_cap")]
    pub number_hourly_cap: u32,
    /// Starts per number in any 24 hours (default 10, 1 to 50).
    #[serde(default = "defaults::number_daily_cap")]
    pub number_daily_cap: u32,
    /// Starts per caller key (see [`StartOptions::key`]) in any hour; none by default.
    pub key_hourly_cap: Option<u32>,
    /// Starts per caller key in any 24 hours; none by default.
    pub key_daily_cap: Option<u32>,
    /// `HH:MM-HH:MM` in Asia/Shanghai time (UTC+8, no daylight saving) during which no call is
    /// placed, e.g. `22:00-08:00`; none by default.
    pub quiet_hours: Option<String>,
    /// The channels of successive sends of one code, e.g. `["sms", "voice"]`: the first start
    /// goes by SMS, a resend within the code's lifetime by voice (the last repeating). Each
    /// needs a router of that product; by default the routers' products, in their order.
    pub workflow: Option<Vec<Product>>,
}

mod defaults {
    pub fn store() -> String {
        "memory".into()
    }
    pub fn code_length() -> usize {
        6
    }
    pub fn ttl_secs() -> u64 {
        600
    }
    pub fn max_attempts() -> u32 {
        5
    }
    pub fn cooldown_secs() -> u64 {
        60
    }
    pub fn number_hourly_cap() -> u32 {
        5
    }
    pub fn number_daily_cap() -> u32 {
        10
    }
}

/// The shortest secret accepted: 128 bits, if random.
const MIN_SECRET_BYTES: usize = 16;

/// The values each setting may take. A code is guessed with probability `max_attempts` in
/// `10^code_length` per verification: NIST SP 800-63B asks for codes of at least 6 digits (the
/// default) and OWASP's ASVS for out-of-band codes valid at most 10 minutes and few attempts.
/// Huawei and ihuyi speak 4 to 6 digits and 4-digit voice codes are common in China, so 4 is
/// allowed, with at most 10 attempts (1 in 1,000 at worst). The number caps bound how often one
/// phone can be rung; the caller-key caps only need to be positive.
mod bounds {
    use std::ops::RangeInclusive;

    pub const CODE_LENGTH: RangeInclusive<usize> = 4..=8;
    pub const MAX_ATTEMPTS: RangeInclusive<u32> = 1..=10;
    pub const TTL_SECS: RangeInclusive<u64> = 1..=600;
    /// Up to the 24 hours a record is kept: a longer cooldown would be forgotten with it.
    pub const COOLDOWN_SECS: RangeInclusive<u64> = 0..=86_400;
    pub const NUMBER_HOURLY_CAP: RangeInclusive<u32> = 1..=20;
    pub const NUMBER_DAILY_CAP: RangeInclusive<u32> = 1..=50;
    pub const KEY_CAP: RangeInclusive<u32> = 1..=1_000_000;
}

/// `value`, or `invalid_config` naming `field` and the range it must be in.
fn within<T: PartialOrd + fmt::Display>(
    field: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
    unit: &str,
) -> Result<T> {
    if range.contains(&value) {
        return Ok(value);
    }
    let (min, max) = (range.start(), range.end());
    Err(Error::invalid_config(
        field,
        format!("must be {min} to {max}{unit}"),
    ))
}

impl VerifierConfig {
    /// The defaults, with `secret`.
    pub fn new(secret: impl Into<Secret>) -> Self {
        VerifierConfig {
            secret: secret.into(),
            store: defaults::store(),
            code_length: defaults::code_length(),
            ttl_secs: defaults::ttl_secs(),
            max_attempts: defaults::max_attempts(),
            cooldown_secs: defaults::cooldown_secs(),
            number_hourly_cap: defaults::number_hourly_cap(),
            number_daily_cap: defaults::number_daily_cap(),
            key_hourly_cap: None,
            key_daily_cap: None,
            quiet_hours: None,
            workflow: None,
        }
    }

    /// Sets the store (`memory`, `sqlite:PATH`, `redis://host:port/db`).
    pub fn store(mut self, store: impl Into<String>) -> Self {
        self.store = store.into();
        self
    }

    /// Reads the settings from a JSON value; a wrong or unknown key is `invalid_config` naming
    /// it, and the message never quotes a value.
    pub fn from_value(value: Value) -> Result<Self> {
        if !value.is_object() {
            return Err(Error::invalid_config("verifier", "must be an object"));
        }
        crate::model::deserialize_named(value, "verifier")
            .map_err(|(field, rule)| Error::invalid_config(&field, rule))
    }

    /// The rules in milliseconds, or the key that breaks one.
    fn rules(&self) -> Result<Rules> {
        if self.secret.expose().len() < MIN_SECRET_BYTES {
            return Err(Error::invalid_config(
                "secret",
                format!("must be at least {MIN_SECRET_BYTES} bytes (use a random one)"),
            ));
        }
        let quiet_hours = match &self.quiet_hours {
            None => None,
            Some(text) => Some(QuietHours::parse(text).ok_or_else(|| {
                Error::invalid_config(
                    "quiet_hours",
                    format!(
                        "{text:?} must be HH:MM-HH:MM (Asia/Shanghai), start and end differing"
                    ),
                )
            })?),
        };
        within(
            "code_length",
            self.code_length,
            bounds::CODE_LENGTH,
            " digits",
        )?;
        let ms = |secs: u64| secs as i64 * 1000;
        Ok(Rules {
            ttl_ms: ms(within(
                "ttl_secs",
                self.ttl_secs,
                bounds::TTL_SECS,
                " seconds",
            )?),
            max_attempts: within("max_attempts", self.max_attempts, bounds::MAX_ATTEMPTS, "")?,
            cooldown_ms: ms(within(
                "cooldown_secs",
                self.cooldown_secs,
                bounds::COOLDOWN_SECS,
                " seconds",
            )?),
            number_hourly_cap: within(
                "number_hourly_cap",
                self.number_hourly_cap,
                bounds::NUMBER_HOURLY_CAP,
                " starts",
            )?,
            number_daily_cap: within(
                "number_daily_cap",
                self.number_daily_cap,
                bounds::NUMBER_DAILY_CAP,
                " starts",
            )?,
            key_hourly_cap: self
                .key_hourly_cap
                .map(|c| within("key_hourly_cap", c, bounds::KEY_CAP, " starts"))
                .transpose()?,
            key_daily_cap: self
                .key_daily_cap
                .map(|c| within("key_daily_cap", c, bounds::KEY_CAP, " starts"))
                .transpose()?,
            quiet_hours,
        })
    }
}

impl fmt::Debug for VerifierConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierConfig")
            .field("secret", &self.secret)
            .field("store", &store::redacted(&self.store))
            .field("code_length", &self.code_length)
            .field("ttl_secs", &self.ttl_secs)
            .field("max_attempts", &self.max_attempts)
            .field("cooldown_secs", &self.cooldown_secs)
            .field("number_hourly_cap", &self.number_hourly_cap)
            .field("number_daily_cap", &self.number_daily_cap)
            .field("key_hourly_cap", &self.key_hourly_cap)
            .field("key_daily_cap", &self.key_daily_cap)
            .field("quiet_hours", &self.quiet_hours)
            .field("workflow", &self.workflow)
            .finish()
    }
}

/// The async verifier over an [`AsyncRouter`] (or one per channel). `Send + Sync`, cheap to
/// clone.
#[derive(Clone, Debug)]
pub struct AsyncVerifier {
    inner: Arc<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    /// One router per channel, each of a distinct product.
    routers: Vec<AsyncRouter>,
    /// The channels of successive sends of one code; each has a router.
    workflow: Vec<Product>,
    rules: Rules,
    code_rule: CodeRule,
    code_length: usize,
    keyed: KeyedMac,
    seal: Sealer,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

/// HMAC-SHA256 under the verifier secret, keyed once: every code hash and caller key starts
/// from a clone of it.
#[derive(Clone)]
struct KeyedMac(Hmac<Sha256>);

/// Holds the key's state: nothing of it is shown.
impl std::fmt::Debug for KeyedMac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyedMac(..)")
    }
}

/// ChaCha20-Poly1305 under a key derived from the verifier secret: seals a code the verifier
/// may send again, bound to its number. Each seal takes a fresh random nonce, hence ring's
/// `LessSafeKey` (the caller chooses nonces).
#[derive(Clone)]
struct Sealer(LessSafeKey);

/// Holds the key: nothing of it is shown.
impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// Base64 of a fresh random nonce and the code's ciphertext, the number as associated data.
    fn seal(&self, e164: &str, code: &str) -> String {
        let nonce = random_bytes::<NONCE_LEN>();
        let tag_len = CHACHA20_POLY1305.tag_len();
        let mut out = Vec::with_capacity(NONCE_LEN + code.len() + tag_len);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(code.as_bytes());
        let tag = self
            .0
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(e164.as_bytes()),
                &mut out[NONCE_LEN..],
            )
            .expect("sealing a short code cannot fail");
        out.extend_from_slice(tag.as_ref());
        BASE64.encode(out)
    }

    /// The code sealed for `e164`; `None` if the seal was made under another key or number,
    /// or damaged.
    fn open(&self, e164: &str, sealed: &str) -> Option<String> {
        let mut bytes = BASE64.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at_mut(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let code = self
            .0
            .open_in_place(nonce, Aad::from(e164.as_bytes()), sealed)
            .ok()?;
        String::from_utf8(code.to_vec()).ok()
    }
}

/// The blocking face of an [`AsyncVerifier`], over a [`Router`] (or one per channel).
#[derive(Clone, Debug)]
pub struct Verifier {
    routers: Vec<Router>,
    asynch: AsyncVerifier,
}

/// The codes every channel of every router accepts: a code made for one channel may be resent
/// by another.
fn router_code_rule(routers: &[AsyncRouter]) -> Result<CodeRule> {
    let mut rule: Option<CodeRule> = None;
    for client in routers.iter().flat_map(AsyncRouter::clients) {
        let vendor = client.vendor();
        let own = client.channel().code_rule().ok_or_else(|| {
            Error::invalid_config(
                "vendor",
                format!("{vendor} sends no verification codes, so a verifier cannot use it"),
            )
            .with_vendor(vendor)
        })?;
        rule = Some(match rule {
            None => own,
            Some(r) => r.intersect(own).ok_or_else(|| {
                Error::invalid_config(
                    "channels",
                    "no code length suits every channel of the verifier's routers",
                )
            })?,
        });
    }
    rule.ok_or_else(|| Error::invalid_config("channels", "a verifier needs at least one channel"))
}

/// The product of each router (one each, distinct), and the workflow over them.
fn checked_workflow(routers: &[AsyncRouter], config: &VerifierConfig) -> Result<Vec<Product>> {
    let mut products: Vec<Product> = Vec::with_capacity(routers.len());
    for router in routers {
        let product = router.product();
        if products.contains(&product) {
            return Err(Error::invalid_config(
                "channels",
                format!("two routers send by {product}; a verifier takes one router per channel (put failover channels in one router)"),
            ));
        }
        products.push(product);
    }
    let Some(workflow) = &config.workflow else {
        return Ok(products);
    };
    if workflow.is_empty() || workflow.len() > MAX_WORKFLOW_STEPS {
        return Err(Error::invalid_config(
            "workflow",
            format!("must name 1 to {MAX_WORKFLOW_STEPS} channels, e.g. [\"sms\", \"voice\"]"),
        ));
    }
    if let Some(missing) = workflow.iter().find(|p| !products.contains(p)) {
        return Err(Error::invalid_config(
            "workflow",
            format!("names {missing}, but the verifier has no {missing} router"),
        ));
    }
    Ok(workflow.clone())
}

/// A workflow longer than this is a mistake: a code is sent at most a few times in its life.
const MAX_WORKFLOW_STEPS: usize = 5;

/// `config`'s rules, the codes every channel accepts and the workflow, or the setting at fault.
fn checked(
    routers: &[AsyncRouter],
    config: &VerifierConfig,
) -> Result<(Rules, CodeRule, Vec<Product>)> {
    let rules = config.rules()?;
    let workflow = checked_workflow(routers, config)?;
    let mut code_rule = router_code_rule(routers)?;
    // A caller's own code is held to the same floor as a generated one.
    code_rule.min_len = code_rule.min_len.max(*bounds::CODE_LENGTH.start());
    if !(code_rule.min_len..=code_rule.max_len).contains(&config.code_length) {
        return Err(Error::invalid_config(
            "code_length",
            format!(
                "{} does not suit every channel of the verifier, which accept {}",
                config.code_length,
                code_rule.describe()
            ),
        ));
    }
    Ok((rules, code_rule, workflow))
}

impl AsyncVerifier {
    /// A verifier over `router` with `config`'s rules and store. Checks that the code length
    /// suits every channel (a router with huawei, 2–8 digits, and ihuyi, 4–6, allows 4 to 6)
    /// and opens the store.
    pub fn new(router: AsyncRouter, config: VerifierConfig) -> Result<Self> {
        Self::with_routers(vec![router], config)
    }

    /// A verifier over one router per channel, e.g. an SMS router and a voice router, sending
    /// by `config.workflow` (by default the routers' order). The code length must suit every
    /// channel of every router, as a code may be resent by another channel.
    pub fn with_routers(routers: Vec<AsyncRouter>, config: VerifierConfig) -> Result<Self> {
        // Every setting is checked before the store is opened: a refused config creates no
        // SQLite file and opens no connection.
        let checked = checked(&routers, &config)?;
        let store = store::open(&config.store)?;
        Ok(Self::build(routers, config, checked, store))
    }

    /// As [`AsyncVerifier::new`], on a store of the caller's own (the `store` key is ignored).
    pub fn with_store(
        router: AsyncRouter,
        config: VerifierConfig,
        store: Arc<dyn Store>,
    ) -> Result<Self> {
        Self::with_routers_and_store(vec![router], config, store)
    }

    /// As [`AsyncVerifier::with_routers`], on a store of the caller's own.
    pub fn with_routers_and_store(
        routers: Vec<AsyncRouter>,
        config: VerifierConfig,
        store: Arc<dyn Store>,
    ) -> Result<Self> {
        let checked = checked(&routers, &config)?;
        Ok(Self::build(routers, config, checked, store))
    }

    fn build(
        routers: Vec<AsyncRouter>,
        config: VerifierConfig,
        (rules, code_rule, workflow): (Rules, CodeRule, Vec<Product>),
        store: Arc<dyn Store>,
    ) -> Self {
        let keyed = KeyedMac(
            <Hmac<Sha256>>::new_from_slice(config.secret.expose().as_bytes())
                .expect("HMAC takes keys of any length"),
        );
        // The sealing key is derived from the secret, apart from every MAC it keys.
        let mut derive = keyed.0.clone();
        derive.update(b"voicecode verifier code seal v1");
        let seal_key = derive.finalize().into_bytes();
        AsyncVerifier {
            inner: Arc::new(Inner {
                routers,
                workflow,
                rules,
                code_rule,
                code_length: config.code_length,
                keyed,
                seal: Sealer(LessSafeKey::new(
                    UnboundKey::new(&CHACHA20_POLY1305, &seal_key)
                        .expect("a 32-byte key is ChaCha20-Poly1305's"),
                )),
                store,
                clock: Arc::new(SystemClock),
            }),
        }
    }

    /// The same verifier reading the time from `clock` (tests).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        let mut inner = Inner::clone(&self.inner);
        inner.clock = clock;
        AsyncVerifier {
            inner: Arc::new(inner),
        }
    }

    /// The router of the workflow's first channel.
    pub fn router(&self) -> &AsyncRouter {
        self.inner.route(self.inner.workflow[0])
    }

    /// Every router, one per channel, in the order given.
    pub fn routers(&self) -> &[AsyncRouter] {
        &self.inner.routers
    }

    /// The channels of successive sends of one code.
    pub fn workflow(&self) -> &[Product] {
        &self.inner.workflow
    }

    /// Makes a code (or takes `options.code`), reserves it for `to` and sends it: by
    /// `options.channel`, else by the workflow's first channel, or its next one when this is a
    /// resend within the live code's lifetime, which sends the same code.
    ///
    /// Refused with nothing sent: `invalid_input` (the field named), `quiet_hours` or
    /// `rate_limited` (with [`Error::retry_after`]), `store_unavailable`, and any send error
    /// whose outcome is `not_sent` or `refused` (the reservation is given back). A send whose
    /// outcome is `unknown` returns `Ok` with [`Delivery::MayHaveBeenSent`].
    pub async fn start(&self, to: &str, options: &StartOptions) -> Result<Verification> {
        let (to, options) = (to.to_owned(), options.clone());
        let (reserved, plan) =
            on_store(&self.inner, move |inner| inner.reserve(&to, &options)).await?;
        let sent = self.inner.routers[reserved.route].send_planned(plan).await;
        on_store(&self.inner, move |inner| inner.finish(reserved, sent)).await
    }

    /// Checks `code` for `to`. A wrong-length or empty code is `invalid_input` naming `code`
    /// (and uses no attempt); every other answer is a [`Check`].
    pub async fn check(&self, to: &str, code: &str) -> Result<Check> {
        let (to, code) = (to.to_owned(), code.to_owned());
        on_store(&self.inner, move |inner| inner.check(&to, &code)).await
    }

    /// Cancels `to`'s pending verification, if any: later checks answer `canceled`. Its start
    /// still counts against the cooldown and caps.
    pub async fn cancel(&self, to: &str) -> Result<()> {
        let to = to.to_owned();
        on_store(&self.inner, move |inner| inner.cancel(&to)).await
    }

    /// Forgets everything stored about `to`: its codes, cooldown, caps and unverified-start
    /// count. The way to clear a record the verifier refuses as unreadable (`store_unavailable`);
    /// an operator's tool, not part of a sign-up flow.
    pub async fn clear(&self, to: &str) -> Result<()> {
        let to = to.to_owned();
        on_store(&self.inner, move |inner| inner.clear(&to)).await
    }
}

/// Runs a step of the async verifier that reads and writes the store: on tokio's blocking pool
/// when the store waits on files or sockets, inline when it only takes a lock (the memory
/// store) or when no runtime is running.
async fn on_store<T: Send + 'static>(
    inner: &Arc<Inner>,
    step: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
) -> Result<T> {
    if !inner.store.blocks() || tokio::runtime::Handle::try_current().is_err() {
        return step(inner);
    }
    let inner = Arc::clone(inner);
    tokio::task::spawn_blocking(move || step(&inner))
        .await
        .map_err(|e| Error::store_unavailable(format!("the store call failed: {e}")))?
}

/// A start between its reservation and its call: what [`Inner::finish`] records the send's
/// outcome against.
struct Reserved {
    /// The number, in E.164.
    to: String,
    /// The router it goes through, and its channel.
    route: usize,
    channel: Product,
    expires_ms: i64,
    id: Arc<str>,
    number_key: ShortText<NUMBER_KEY_LEN>,
    key: Option<String>,
    now: DateTime<Utc>,
    unverified: u32,
}

fn refusal_error(refusal: Refusal) -> Error {
    let wait = Duration::from_millis(u64::try_from(refusal.wait_ms).unwrap_or(0));
    Error::limited(refusal.kind, wait, refusal.rule)
}

/// A start's id: 16 random bytes in hex.
fn new_id() -> Arc<str> {
    let mut text = [0u8; 32];
    encode::hex_lower_into(&random_bytes::<16>(), &mut text);
    std::str::from_utf8(&text)
        .expect("hex digits are ASCII")
        .into()
}

/// Room for a number's store key: the namespace, `:number:` and E.164 (`+` and 15 digits).
const NUMBER_KEY_LEN: usize = NAMESPACE.len() + ":number:".len() + 16;

/// A number's store key, on the stack: a start and a check each look one up.
fn number_key(e164: &str) -> ShortText<NUMBER_KEY_LEN> {
    ShortText::join(&[NAMESPACE, ":number:", e164])
}

/// The error for a stored record that does not parse: what it is and how to clear it, without
/// a byte of the value.
fn unreadable(key: &str) -> Error {
    let detail = match key.strip_prefix(&format!("{NAMESPACE}:number:")) {
        Some(e164) => format!(
            "the record of {e164} is unreadable, so nothing was changed and no call was placed; \
             clearing it (Verifier::clear, `voicecode verify clear --to {e164}`) forgets the \
             number's code, cooldown and caps"
        ),
        None => format!(
            "the record of a caller key is unreadable, so nothing was changed and no call was \
             placed; delete the key {key} from the store to clear it"
        ),
    };
    Error::store_unavailable(detail)
}

impl Inner {
    /// Validates a caller's code without quoting it (it is a secret).
    fn check_code_input(&self, code: &str) -> Result<()> {
        if code.is_empty() {
            return Err(Error::invalid_input("code", "is empty"));
        }
        if !self.code_rule.accepts(code) {
            return Err(Error::invalid_input(
                "code",
                format!(
                    "must be {} (the rule every channel of the router accepts)",
                    self.code_rule.describe()
                ),
            ));
        }
        Ok(())
    }

    fn hmac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = self.keyed.0.clone();
        for part in parts {
            // Length-prefixed, so no two different inputs hash the same bytes.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    fn mac_bytes(&self, e164: &str, code: &str) -> [u8; 32] {
        self.hmac(&[b"code", e164.as_bytes(), code.as_bytes()])
    }

    fn mac(&self, e164: &str, code: &str) -> Hex64 {
        Hex64::of(&self.mac_bytes(e164, code))
    }

    /// The store key of a caller key: hashed, as IPs and account ids are personal data.
    fn caller_key(&self, key: &str) -> String {
        let hashed = encode::hex_lower(&self.hmac(&[b"key", key.as_bytes()]));
        encode::concat(&[NAMESPACE, ":key:", &hashed])
    }

    /// The index of the router that sends by `channel`, if the verifier has one.
    fn route_index(&self, channel: Product) -> Option<usize> {
        self.routers.iter().position(|r| r.product() == channel)
    }

    /// The router that sends by `channel`; every channel of the workflow has one.
    fn route(&self, channel: Product) -> &AsyncRouter {
        let index = self.route_index(channel);
        &self.routers[index.expect("every channel of the workflow has a router")]
    }

    /// The channel a start asked for, if it has a router.
    fn asked_channel(&self, options: &StartOptions) -> Result<Option<Product>> {
        let Some(channel) = options.channel else {
            return Ok(None);
        };
        if self.route_index(channel).is_none() {
            let has: Vec<&str> = self.workflow.iter().map(|p| p.as_str()).collect();
            return Err(Error::invalid_input(
                "channel",
                format!(
                    "this verifier has no {channel} channel; it sends by {}",
                    has.join(", ")
                ),
            ));
        }
        Ok(Some(channel))
    }

    /// Step 1 of a start: checks the input, makes the code, and reserves it for the number
    /// (quiet hours, cooldown, caps, the code's hash and seal) and for the caller key in the
    /// store. The reservation says the channel and, for a resend, the live code to send again;
    /// the plan returned is what that channel's router sends. When the channel is known
    /// beforehand (asked for, or the only one), a send no channel can carry is refused before
    /// anything is reserved; otherwise the reservation is given back.
    fn reserve(&self, to: &str, options: &StartOptions) -> Result<(Reserved, Plan)> {
        let to = Phone::parse("to", to)?;
        let e164 = to.e164();
        let asked = self.asked_channel(options)?;
        let code = match &options.code {
            Some(code) => {
                self.check_code_input(code)?;
                code.clone()
            }
            None => generate_code(self.code_length),
        };
        let mac = self.mac(&e164, &code);
        fn send<'a>(to: &Phone, code: &'a str, options: &'a SendOptions) -> Result<ParsedSend<'a>> {
            Ok(ParsedSend {
                to: to.clone(),
                code,
                options,
            })
        }
        // Refused before anything is reserved when no channel can carry the send (a landline
        // for a mobile-only router, a `play_times` out of range). The code suits every
        // channel, so the error names another field and quotes no code.
        let known = asked.or_else(|| {
            let first = self.workflow[0];
            self.workflow.iter().all(|&p| p == first).then_some(first)
        });
        let mut planned = match known {
            Some(channel) => Some((
                channel,
                self.route(channel)
                    .plan(&send(&to, &code, &options.send))
                    .sendable()?,
            )),
            None => None,
        };

        let now = self.clock.now();
        let now_ms = now.timestamp_millis();
        policy::quiet(now_ms, &self.rules).map_err(refusal_error)?;
        let fresh = Pending {
            id: new_id(),
            mac: mac.as_str().into(),
            started_ms: now_ms,
            expires_ms: now_ms + self.rules.ttl_ms,
            attempts: 0,
            state: State::Sending,
            channel: Product::Voice,
            step: 0,
            sealed: Some(self.seal.seal(&e164, &code).into()),
        };
        let (id, number_key) = (fresh.id.clone(), number_key(&e164));
        let start = Start {
            fresh,
            own_code: options.code.is_some(),
            channel: asked,
            workflow: &self.workflow,
        };
        let (unverified, pending) = self
            .update(number_key.as_str(), |record| {
                policy::reserve(record, now_ms, &self.rules, start.clone())
            })?
            .map_err(refusal_error)?;
        let key = options.key.as_deref().map(|k| self.caller_key(k));
        if let Some(key) = &key {
            let reserved = self.update(key, |record| {
                policy::reserve_key(record, now_ms, &self.rules)
            });
            if let Err(e) = reserved.and_then(|r| r.map_err(refusal_error)) {
                self.release(number_key.as_str(), &id, now_ms, None);
                return Err(e);
            }
        }
        let give_back = |e: Error| {
            self.release(number_key.as_str(), &id, now_ms, key.as_deref());
            e
        };
        // A resend sends the live code again; the plan made for the new one will not do.
        let code = if *pending.mac == *mac.as_str() {
            code
        } else {
            planned = None;
            let sealed = pending.sealed.as_deref().unwrap_or_default();
            self.seal.open(&e164, sealed).ok_or_else(|| {
                give_back(Error::store_unavailable(format!(
                    "the live code of {e164} cannot be unsealed (was the verifier secret changed?), \
                     so nothing was sent; it expires by itself, or clear the number"
                )))
            })?
        };
        let plan = match planned {
            Some((channel, plan)) if channel == pending.channel => plan,
            _ => self
                .route(pending.channel)
                .plan(&send(&to, &code, &options.send))
                .sendable()
                .map_err(give_back)?,
        };
        let reserved = Reserved {
            to: e164,
            route: self.route_index(pending.channel).expect("a routed channel"),
            channel: pending.channel,
            expires_ms: pending.expires_ms,
            id,
            number_key,
            key,
            now,
            unverified,
        };
        Ok((reserved, plan))
    }

    /// Step 3 of a start: records how the send ended. A call that certainly was not placed
    /// gives the reservation back; one that may have been keeps it.
    fn finish(&self, reserved: Reserved, sent: Result<Receipt>) -> Result<Verification> {
        let Reserved {
            to,
            route: _,
            channel,
            expires_ms,
            id,
            number_key,
            key,
            now,
            unverified,
        } = reserved;
        let delivery = match sent {
            Ok(receipt) => {
                self.mark(number_key.as_str(), &id, State::Sent);
                Delivery::Sent { receipt }
            }
            Err(error) if error.outcome() == Outcome::Unknown => {
                self.mark(number_key.as_str(), &id, State::MaybeSent);
                Delivery::MayHaveBeenSent { error }
            }
            Err(error) => {
                let started_ms = now.timestamp_millis();
                self.release(number_key.as_str(), &id, started_ms, key.as_deref());
                return Err(error);
            }
        };
        let expires_at = DateTime::from_timestamp_millis(expires_ms)
            .unwrap_or(now + chrono::Duration::milliseconds(self.rules.ttl_ms));
        Ok(Verification {
            to,
            channel,
            expires_at,
            max_attempts: self.rules.max_attempts,
            unverified_starts: unverified,
            delivery,
        })
    }

    fn check(&self, to: &str, code: &str) -> Result<Check> {
        let e164 = Phone::parse("to", to)?.e164_text();
        let e164 = e164.as_str();
        self.check_code_input(code)?;
        let now_ms = self.clock.now().timestamp_millis();
        // Compared as the lowercase hex the verifier stores: anything else matches no code.
        let expected = self.mac(e164, code);
        let matches = |mac: &str| bool::from(mac.as_bytes().ct_eq(expected.as_bytes()));
        self.update(number_key(e164).as_str(), |record| {
            policy::check(record, now_ms, &self.rules, &matches)
        })
    }

    fn cancel(&self, to: &str) -> Result<()> {
        let e164 = Phone::parse("to", to)?.e164();
        self.update(number_key(&e164).as_str(), |record| {
            (policy::cancel(record), ())
        })
    }

    /// Deletes the number's record, whatever it holds (even an unreadable one).
    fn clear(&self, to: &str) -> Result<()> {
        let key = number_key(&Phone::parse("to", to)?.e164());
        let key = key.as_str();
        if let Some(memory) = self.store.as_memory() {
            memory.update_value(key, RECORD_TTL, |_| (Write::Delete, ()));
            return Ok(());
        }
        self.store.update(key, RECORD_TTL, &mut |_| Write::Delete)
    }

    /// One atomic update of `key`'s record; returns what the last call of `decide` said (an
    /// optimistic store may call it more than once). An unreadable value is left as it is and
    /// refused. The memory store keeps the record itself; other stores, its JSON.
    fn update<R: Stored, T>(
        &self,
        key: &str,
        mut decide: impl FnMut(&mut R) -> (Change, T),
    ) -> Result<T> {
        let decided = match self.store.as_memory() {
            Some(memory) => Some(memory.update_value(key, RECORD_TTL, |value| {
                policy::on_value(value, &mut decide)
            })),
            None => {
                let mut decided = None;
                self.store.update(key, RECORD_TTL, &mut |stored| {
                    let (write, answer) = policy::on_text(stored, &mut decide);
                    decided = Some(answer);
                    write
                })?;
                decided
            }
        };
        match decided {
            Some(decided) => decided.map_err(|policy::Unreadable| unreadable(key)),
            None => Err(Error::store_unavailable(
                "the store did not read the record",
            )),
        }
    }

    /// Records a send's outcome. A failure here is logged, not returned: the call was placed
    /// and the reservation already holds the code, so the verification works regardless.
    fn mark(&self, number_key: &str, id: &str, state: State) {
        let marked = self.update(number_key, |record| (policy::mark(record, id, state), ()));
        if let Err(e) = marked {
            log::warn!("verifier: could not record a send's outcome: {e}");
        }
    }

    /// Gives a reservation back after a send that placed no call. A failure leaves the number
    /// in its cooldown, which is safe; it is logged.
    fn release(&self, number_key: &str, id: &str, started_ms: i64, key: Option<&str>) {
        let released = self.update(number_key, |record| {
            (policy::release(record, id, started_ms), ())
        });
        if let Err(e) = released {
            log::warn!("verifier: could not give back a reservation: {e}");
        }
        if let Some(key) = key {
            let released = self.update(key, |record| (policy::release_key(record, started_ms), ()));
            if let Err(e) = released {
                log::warn!("verifier: could not give back a caller key's start: {e}");
            }
        }
    }
}

/// `length` uniformly random digits from the CSPRNG that nonces come from.
fn generate_code(length: usize) -> String {
    let mut code = String::with_capacity(length);
    while code.len() < length {
        for byte in random_bytes::<32>() {
            // 250 = 25 × 10: rejecting 250..=255 keeps every digit equally likely.
            if byte < 250 && code.len() < length {
                code.push(char::from(b'0' + byte % 10));
            }
        }
    }
    code
}

impl Verifier {
    /// A blocking verifier over `router`; see [`AsyncVerifier::new`].
    pub fn new(router: Router, config: VerifierConfig) -> Result<Self> {
        Self::with_routers(vec![router], config)
    }

    /// A blocking verifier over one router per channel; see [`AsyncVerifier::with_routers`].
    pub fn with_routers(routers: Vec<Router>, config: VerifierConfig) -> Result<Self> {
        let asynch = AsyncVerifier::with_routers(Self::asyncs(&routers), config)?;
        Ok(Verifier { routers, asynch })
    }

    /// As [`Verifier::new`], on a store of the caller's own.
    pub fn with_store(
        router: Router,
        config: VerifierConfig,
        store: Arc<dyn Store>,
    ) -> Result<Self> {
        Self::with_routers_and_store(vec![router], config, store)
    }

    /// As [`Verifier::with_routers`], on a store of the caller's own.
    pub fn with_routers_and_store(
        routers: Vec<Router>,
        config: VerifierConfig,
        store: Arc<dyn Store>,
    ) -> Result<Self> {
        let asynch = AsyncVerifier::with_routers_and_store(Self::asyncs(&routers), config, store)?;
        Ok(Verifier { routers, asynch })
    }

    fn asyncs(routers: &[Router]) -> Vec<AsyncRouter> {
        routers.iter().map(|r| r.as_async().clone()).collect()
    }

    /// The same verifier reading the time from `clock` (tests).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Verifier {
            asynch: self.asynch.with_clock(clock),
            routers: self.routers,
        }
    }

    /// The async verifier this one waits on; use it inside an async runtime.
    pub fn as_async(&self) -> &AsyncVerifier {
        &self.asynch
    }

    /// See [`AsyncVerifier::start`]. Everything, the send included, runs on the caller's
    /// thread.
    pub fn start(&self, to: &str, options: &StartOptions) -> Result<Verification> {
        refuse_inside_runtime("verifier")?;
        let inner = &self.asynch.inner;
        let (reserved, plan) = inner.reserve(to, options)?;
        let sent = self.routers[reserved.route].send_planned(plan);
        inner.finish(reserved, sent)
    }

    /// See [`AsyncVerifier::check`]; on the caller's thread.
    pub fn check(&self, to: &str, code: &str) -> Result<Check> {
        refuse_inside_runtime("verifier")?;
        self.asynch.inner.check(to, code)
    }

    /// See [`AsyncVerifier::cancel`]; on the caller's thread.
    pub fn cancel(&self, to: &str) -> Result<()> {
        refuse_inside_runtime("verifier")?;
        self.asynch.inner.cancel(to)
    }

    /// See [`AsyncVerifier::clear`]; on the caller's thread.
    pub fn clear(&self, to: &str) -> Result<()> {
        refuse_inside_runtime("verifier")?;
        self.asynch.inner.clear(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_digits_of_the_asked_length_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| generate_code(6)).collect();
        assert!(codes
            .iter()
            .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 40, "{distinct:?}");
        assert_eq!(generate_code(19).len(), 19);
    }

    #[test]
    fn check_results_have_stable_names() {
        let json = serde_json::to_value(Check::WrongCode { attempts_left: 2 }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"status": "wrong_code", "attempts_left": 2})
        );
        assert_eq!(Check::TooManyAttempts.as_str(), "too_many_attempts");
    }

    #[test]
    fn a_seal_is_the_nonce_then_chacha20_poly1305_bound_to_the_number() {
        // Sealed by RustCrypto's `chacha20poly1305` crate, an independent implementation:
        // key 00..1f, nonce a0..ab, code 482193, the number as associated data.
        let sealed = "oKGio6SlpqeoqaqrOJNKbnTV7yyxUO/SIhu6+pgZQghbCg==";
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        let sealer = Sealer(LessSafeKey::new(
            UnboundKey::new(&CHACHA20_POLY1305, &key).unwrap(),
        ));
        let number = "+8613900000001";
        assert_eq!(sealer.open(number, sealed).as_deref(), Some("482193"));
        assert_eq!(sealer.open("+8613900000002", sealed), None);
        let mut damaged = BASE64.decode(sealed).unwrap();
        damaged[12] ^= 1;
        assert_eq!(sealer.open(number, &BASE64.encode(damaged)), None);
        let other = Sealer(LessSafeKey::new(
            UnboundKey::new(&CHACHA20_POLY1305, &[9; 32]).unwrap(),
        ));
        assert_eq!(other.open(number, sealed), None);

        // A new seal takes a fresh nonce and opens as the same code.
        let again = sealer.seal(number, "482193");
        assert_ne!(again, sealer.seal(number, "482193"));
        assert_eq!(again.len(), sealed.len());
        assert_eq!(sealer.open(number, &again).as_deref(), Some("482193"));
    }

    #[test]
    fn start_options_debug_hides_the_code_and_the_key() {
        let shown = format!("{:?}", StartOptions::new().code("482193").key("10.1.2.3"));
        assert!(
            !shown.contains("482193") && !shown.contains("10.1.2.3"),
            "{shown}"
        );
    }
}
