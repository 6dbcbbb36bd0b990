//! The verifier's rules as pure functions: a record and the time in, the changed record and a
//! decision out.
//!
//! Every store runs these same functions inside its one atomic read-modify-write, so the rules
//! exist once whatever the store, and tests drive them with plain millisecond timestamps instead
//! of sleeping. Records are JSON text in a [`Store`](super::store::Store) ([`on_text`]) and
//! themselves in the memory store ([`on_value`]). Nothing here does I/O or reads the clock.

use std::borrow::Cow;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{ErrorKind, Product};

/// The result of [`Verifier::check`](crate::Verifier::check). Every case is distinct, so "expired" can be told from
/// "never started" and a user can be told what to do.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantNames,
)]
#[serde(tag = "status", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Check {
    /// The code is right; the verification is used up (a second check finds nothing).
    Approved {
        /// How the approved code was last sent: the channel that delivered it, as far as the
        /// verifier can know (a code resent by voice may also have arrived by SMS).
        channel: Product,
    },
    /// The code is wrong; `attempts_left` more may be tried.
    WrongCode {
        /// Checks left before the verification locks.
        attempts_left: u32,
    },
    /// The code's time to live has passed; start again.
    Expired,
    /// Too many wrong codes: the verification is locked, even for the right code.
    TooManyAttempts,
    /// No verification is pending for this number (never started, approved, or given back).
    NotFound,
    /// The verification was canceled.
    Canceled,
}

impl Check {
    /// The stable snake_case name used by every binding.
    pub fn as_str(&self) -> &'static str {
        self.into()
    }

    /// True only for [`Check::Approved`].
    pub fn is_approved(&self) -> bool {
        matches!(self, Check::Approved { .. })
    }
}

/// One hour and one day, in milliseconds: the windows of the start caps.
pub(crate) const HOUR_MS: i64 = 3_600_000;
pub(crate) const DAY_MS: i64 = 24 * HOUR_MS;

/// Asia/Shanghai is UTC+8 all year (China has had no daylight saving time since 1991).
const SHANGHAI_OFFSET_MS: i64 = 8 * HOUR_MS;

/// What a store writes back after a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write<V = String> {
    /// Leave the stored value as it is.
    Keep,
    /// Replace it (JSON text in every [`Store`](super::store::Store)).
    Put(V),
    /// Remove the key.
    Delete,
}

/// What a decision does with the record it was handed: the changes it made are written only
/// with `Put`, and a decision that answers `Keep` has made none (the memory store decides on
/// its records where they lie, so a change then would stay; see [`on_value`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Keep,
    Put,
    Delete,
}

impl Change {
    /// The write of `record` this change asks for, the record stored as `put` makes it.
    fn write<R, V>(self, record: R, put: impl FnOnce(R) -> V) -> Write<V> {
        match self {
            Change::Keep => Write::Keep,
            Change::Put => Write::Put(put(record)),
            Change::Delete => Write::Delete,
        }
    }
}

/// A value of the memory store: JSON text written through
/// [`Store::update`](super::store::Store::update), or a verifier's record as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Text(String),
    /// Boxed: the map's slots stay small, which matters when it grows and moves them all.
    Record(Box<Record>),
}

impl Value {
    /// The value as JSON text, as every store holds it.
    pub(crate) fn text(&self) -> Cow<'_, str> {
        match self {
            Value::Text(text) => Cow::Borrowed(text),
            Value::Record(record) => Cow::Owned(json(record)),
        }
    }
}

/// A record itself, not its JSON (which is the record's own: `untagged`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum Record {
    Number(NumberRecord),
    Key(KeyRecord),
}

/// A kind of record the verifier stores: JSON text in a store, a [`Record`] in the memory store.
pub(crate) trait Stored: Serialize + DeserializeOwned + Default + Clone + PartialEq {
    /// The record, if `record` is of this kind.
    fn of_mut(record: &mut Record) -> Option<&mut Self>;
    fn into_record(self) -> Record;
}

impl Stored for NumberRecord {
    fn of_mut(record: &mut Record) -> Option<&mut Self> {
        match record {
            Record::Number(record) => Some(record),
            Record::Key(_) => None,
        }
    }

    fn into_record(self) -> Record {
        Record::Number(self)
    }
}

impl Stored for KeyRecord {
    fn of_mut(record: &mut Record) -> Option<&mut Self> {
        match record {
            Record::Key(record) => Some(record),
            Record::Number(_) => None,
        }
    }

    fn into_record(self) -> Record {
        Record::Key(self)
    }
}

/// The limits, in milliseconds and counts, as [`super::VerifierConfig`] sets them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rules {
    pub ttl_ms: i64,
    pub max_attempts: u32,
    pub cooldown_ms: i64,
    pub number_hourly_cap: u32,
    pub number_daily_cap: u32,
    pub key_hourly_cap: Option<u32>,
    pub key_daily_cap: Option<u32>,
    pub quiet_hours: Option<QuietHours>,
}

/// Why a start was refused before any call, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub kind: ErrorKind,
    pub wait_ms: i64,
    pub rule: String,
}

/// Everything stored about one number, under `voicecode:v1:number:<E.164>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NumberRecord {
    /// The newest verification, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// Earlier codes the user may still hold, newest first. A start moves the code it replaces
    /// here, and it stays valid until a newer call is known to be placed: a resend that fails
    /// (or is still ringing) never takes away the code already spoken to the user.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<Pending>,
    /// When each start of the last day was reserved (ms since the epoch), oldest first.
    #[serde(default)]
    pub starts: Vec<i64>,
    /// Starts since the last approved check: an abuse signal (someone is calling a number
    /// whose owner never enters the code).
    #[serde(default)]
    pub unverified: u32,
}

/// A verification: the keyed hash of its code, never the code.
///
/// Its texts are shared by the copies a start makes of it (the record's, the reservation's,
/// the one handed back to the verifier), not written again for each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pending {
    /// Identifies the start that reserved it, so a failed send releases only its own.
    pub id: Arc<str>,
    /// HMAC-SHA256 of the number and the code, hex.
    pub mac: Arc<str>,
    pub started_ms: i64,
    pub expires_ms: i64,
    /// Wrong codes compared with this one so far.
    pub attempts: u32,
    pub state: State,
    /// How its code was sent (records of older versions: by voice).
    #[serde(default = "voice")]
    pub channel: Product,
    /// The step of the verifier's workflow that sent it, 0 for the first send of a code.
    #[serde(default)]
    pub step: u32,
    /// The code sealed under a key derived from the verifier secret (see `super::seal`), so
    /// that a resend within its lifetime sends the same code; never the code in clear. Absent
    /// in records of older versions, whose codes are never resent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<Arc<str>>,
}

fn voice() -> Product {
    Product::Voice
}

impl Pending {
    /// Whether a right code could still approve it at `now`.
    fn can_approve(&self, now: i64, rules: &Rules) -> bool {
        self.state != State::Canceled && now < self.expires_ms && self.attempts < rules.max_attempts
    }
}

/// Where a verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum State {
    /// Reserved; the call is being placed. A process killed here leaves it live, as the phone
    /// may ring.
    Sending,
    /// The vendor accepted the call.
    Sent,
    /// The send's outcome is unknown: the phone may ring, so the code stays valid.
    MaybeSent,
    /// Canceled by the caller.
    Canceled,
}

/// Starts of one caller-given key (IP, account), under `voicecode:v1:key:<HMAC of the key>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeyRecord {
    #[serde(default)]
    pub starts: Vec<i64>,
}

/// A stored value that does not parse (a hand edit, a damaged file, another format). Every
/// decision on it is refused and nothing is written: read as absent, it would hand out a new
/// call inside the cooldown, with the caps and attempts reset, so the verifier fails closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unreadable;

/// A decision run on a stored value: what to write back, and the decision's answer or
/// [`Unreadable`] (an unreadable value is left as it is).
pub(crate) type Decided<V, T> = (Write<V>, Result<T, Unreadable>);

/// Runs `decide` on a record stored as JSON text (absent: an empty record).
pub(crate) fn on_text<R: Stored, T>(
    stored: Option<&str>,
    decide: impl FnOnce(&mut R) -> (Change, T),
) -> Decided<String, T> {
    decided(parse(stored), decide, |record| json(&record))
}

/// Runs `decide` on a value of the memory store (absent: an empty record). A record kept as it
/// is, not as JSON, is decided on where it lies, with no copy: a `Put` hands the same record
/// back to be stored again, a `Keep` leaves it where it is.
pub(crate) fn on_value<R: Stored, T>(
    stored: Option<&mut Value>,
    decide: impl FnOnce(&mut R) -> (Change, T),
) -> Decided<Value, T> {
    let put = |record: R| Value::Record(Box::new(record.into_record()));
    let Some(value) = stored else {
        return decided(Ok(R::default()), decide, put);
    };
    let record = match value {
        Value::Text(text) => return decided(parse(Some(text)), decide, put),
        Value::Record(record) => R::of_mut(record),
    };
    // Another kind of record under this key: nothing the verifier writes.
    let Some(record) = record else {
        return (Write::Keep, Err(Unreadable));
    };
    let (change, answer) = in_place(record, decide);
    let write = match change {
        Change::Keep => Write::Keep,
        // The record was changed where it lies: it is moved out (leaving an empty text, which
        // allocates nothing) only to be written back with a new expiry.
        Change::Put => Write::Put(std::mem::replace(value, Value::Text(String::new()))),
        Change::Delete => Write::Delete,
    };
    (write, Ok(answer))
}

/// Runs `decide` on a stored record itself. A decision that answers `Keep` must have changed
/// nothing: the JSON stores write nothing then, so a change would live only in memory. Debug
/// builds, which run the tests, check every such decision against a copy taken before it.
fn in_place<R: Stored, T>(
    record: &mut R,
    decide: impl FnOnce(&mut R) -> (Change, T),
) -> (Change, T) {
    #[cfg(debug_assertions)]
    let before = record.clone();
    let (change, answer) = decide(record);
    #[cfg(debug_assertions)]
    assert!(
        change != Change::Keep || *record == before,
        "a decision that keeps a record changed it"
    );
    (change, answer)
}

/// Runs `decide` on a record read, and writes the result as `put` makes it; an unreadable
/// record is left as it is.
fn decided<R, T, V>(
    record: Result<R, Unreadable>,
    decide: impl FnOnce(&mut R) -> (Change, T),
    put: impl FnOnce(R) -> V,
) -> Decided<V, T> {
    let Ok(mut record) = record else {
        return (Write::Keep, Err(Unreadable));
    };
    let (change, answer) = decide(&mut record);
    (change.write(record, put), Ok(answer))
}

fn json<R: Serialize>(record: &R) -> String {
    serde_json::to_string(record).expect("records serialise")
}

/// Reads a stored record; an absent one is empty.
pub(crate) fn parse<T: DeserializeOwned + Default>(stored: Option<&str>) -> Result<T, Unreadable> {
    match stored {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(text).map_err(|_| Unreadable),
    }
}

/// The longest wait among the caps that `starts` (sorted) has reached at `now`, if any.
fn capped(starts: &[i64], now: i64, caps: &[(Option<u32>, i64, &str)]) -> Option<Refusal> {
    caps.iter()
        .filter_map(|&(cap, window, name)| {
            let cap = cap? as usize;
            let recent = || starts.iter().copied().filter(|&t| t > now - window);
            let count = recent().count();
            // The oldest start that must leave the window for one more to fit.
            let leaving = recent().nth(count.checked_sub(cap)?)?;
            Some(Refusal {
                kind: ErrorKind::RateLimited,
                wait_ms: leaving + window - now,
                rule: format!("{name} of {cap} starts reached"),
            })
        })
        .max_by_key(|r| r.wait_ms)
}

fn prune(starts: &mut Vec<i64>, now: i64) {
    starts.retain(|&t| t > now - DAY_MS);
}

/// A start to reserve: its own code's verification, and how to choose its channel.
#[derive(Debug, Clone)]
pub(crate) struct Start<'a> {
    /// The verification of a new code, as if none were live.
    pub fresh: Pending,
    /// The caller gave the code: it is sent as it is, never replaced by the live one.
    pub own_code: bool,
    /// The channel the caller asked for; otherwise the workflow's step.
    pub channel: Option<Product>,
    /// The channels of successive sends of one code: the first send goes by the first, each
    /// resend within the code's lifetime by the next, the last repeating.
    pub workflow: &'a [Product],
}

/// Reserves a start for a number: refused while its cooldown runs or a cap is reached;
/// otherwise a verification becomes the newest, and the one it replaces joins the earlier codes
/// (see [`NumberRecord::earlier`]).
///
/// While a code is live (unexpired, not locked, not canceled) a start is a resend: it goes by the
/// workflow's next channel and, unless the caller gave a code, sends the live code again (its
/// seal, MAC, expiry and attempts carried over), so that a late SMS and the voice call agree and
/// wrong guesses count across channels. Returns the unverified-start count including this one,
/// and the verification reserved.
pub(crate) fn reserve(
    record: &mut NumberRecord,
    now: i64,
    rules: &Rules,
    start: Start<'_>,
) -> (Change, Result<(u32, Pending), Refusal>) {
    // Starts older than a day count against nothing (the cooldown is at most a day): they are
    // pruned only when the record is written, as a refusal leaves it as it is.
    let cooldown = record
        .starts
        .last()
        .map(|&last| last + rules.cooldown_ms - now)
        .filter(|&wait| wait > 0)
        .map(|wait_ms| Refusal {
            kind: ErrorKind::RateLimited,
            wait_ms,
            rule: format!(
                "a code was sent to this number less than {} s ago",
                rules.cooldown_ms / 1000
            ),
        });
    let caps = capped(
        &record.starts,
        now,
        &[
            (
                Some(rules.number_hourly_cap),
                HOUR_MS,
                "the number's hourly cap",
            ),
            (
                Some(rules.number_daily_cap),
                DAY_MS,
                "the number's daily cap",
            ),
        ],
    );
    if let Some(refusal) = [cooldown, caps]
        .into_iter()
        .flatten()
        .max_by_key(|r| r.wait_ms)
    {
        return (Change::Keep, Err(refusal));
    }
    prune(&mut record.starts, now);
    let live = record
        .pending
        .as_ref()
        .filter(|p| p.can_approve(now, rules));
    let last = start.workflow.len().saturating_sub(1) as u32;
    let step = live.map_or(0, |p| (p.step + 1).min(last));
    let mut pending = start.fresh;
    pending.step = step;
    pending.channel = start
        .channel
        .or_else(|| start.workflow.get(step as usize).copied())
        .unwrap_or(Product::Voice);
    if let Some(live) = live.filter(|p| !start.own_code && p.sealed.is_some()) {
        pending.mac = live.mac.clone();
        pending.sealed = live.sealed.clone();
        pending.expires_ms = live.expires_ms;
        pending.attempts = live.attempts;
    }
    record.starts.push(now);
    record.unverified = record.unverified.saturating_add(1);
    if let Some(replaced) = record.pending.replace(pending.clone()) {
        if replaced.state == State::Sent {
            // Its call was placed: the codes before it were superseded then.
            record.earlier.clear();
        }
        record.earlier.insert(0, replaced);
    }
    record.earlier.retain(|p| p.can_approve(now, rules));
    (Change::Put, Ok((record.unverified, pending)))
}

/// Gives back what [`reserve`] took for the start `id` at `started_ms`, after a send that
/// certainly placed no call: its code (the code it replaced is the newest again), the start
/// (cooldown and caps) and its count.
pub(crate) fn release(record: &mut NumberRecord, id: &str, started_ms: i64) -> Change {
    if record.pending.as_ref().is_some_and(|p| *p.id == *id) {
        record.pending = (!record.earlier.is_empty()).then(|| record.earlier.remove(0));
    } else if let Some(i) = record.earlier.iter().position(|p| *p.id == *id) {
        // A newer start came since (no cooldown): only this start's own code goes.
        record.earlier.remove(i);
    } else {
        // Approved or canceled since: nothing of this start is left to give back.
        return Change::Keep;
    }
    remove_one(&mut record.starts, started_ms);
    record.unverified = record.unverified.saturating_sub(1);
    if *record == NumberRecord::default() {
        Change::Delete
    } else {
        Change::Put
    }
}

/// Removes the last start at `at`; false if there is none.
fn remove_one(starts: &mut Vec<i64>, at: i64) -> bool {
    let found = starts.iter().rposition(|&t| t == at);
    if let Some(i) = found {
        starts.remove(i);
    }
    found.is_some()
}

/// Records how the send of start `id` ended (`Sent` or `MaybeSent`). A call known to be
/// placed supersedes every code before it; one that may have been keeps them valid.
pub(crate) fn mark(record: &mut NumberRecord, id: &str, state: State) -> Change {
    // Newest first: position 0 is `pending`, 1.. are `earlier`.
    let Some(at) = record
        .pending
        .iter()
        .chain(&record.earlier)
        .position(|p| *p.id == *id && p.state == State::Sending)
    else {
        return Change::Keep;
    };
    match at {
        0 => record.pending.as_mut().expect("found at 0").state = state,
        i => record.earlier[i - 1].state = state,
    }
    if state == State::Sent {
        record.earlier.truncate(at);
    }
    Change::Put
}

/// Checks a code: `matches` compares it (in constant time) with a stored MAC. Every code the
/// user may hold (the newest and [`NumberRecord::earlier`]) is compared with its own MAC and
/// has its own attempts. An approval ends the verification (single use, every code) and resets
/// the unverified-start count; a wrong code uses up one attempt of each code it was compared
/// with.
pub(crate) fn check(
    record: &mut NumberRecord,
    now: i64,
    rules: &Rules,
    matches: &dyn Fn(&str) -> bool,
) -> (Change, Check) {
    let Some(newest) = &record.pending else {
        return (Change::Keep, Check::NotFound);
    };
    if newest.state == State::Canceled {
        return (Change::Keep, Check::Canceled);
    }
    let mut live: Vec<&mut Pending> = record
        .pending
        .iter_mut()
        .chain(&mut record.earlier)
        .filter(|p| p.can_approve(now, rules))
        .collect();
    if live.is_empty() {
        let unexpired = record
            .pending
            .iter()
            .chain(&record.earlier)
            .any(|p| now < p.expires_ms);
        let answer = if unexpired {
            Check::TooManyAttempts
        } else {
            Check::Expired
        };
        return (Change::Keep, answer);
    }
    // Every MAC is compared, without stopping at a match; the newest match names the channel.
    let approved = live.iter().fold(None, |hit, p| {
        let matched = matches(&p.mac);
        hit.or(matched.then_some(p.channel))
    });
    if let Some(channel) = approved {
        record.pending = None;
        record.earlier.clear();
        record.unverified = 0;
        return (Change::Put, Check::Approved { channel });
    }
    for p in &mut live {
        p.attempts += 1;
    }
    let attempts_left = live
        .iter()
        .map(|p| rules.max_attempts - p.attempts)
        .max()
        .unwrap_or(0);
    (Change::Put, Check::WrongCode { attempts_left })
}

/// Cancels the number's verification, if one is pending, and every earlier code; its start
/// still counts.
pub(crate) fn cancel(record: &mut NumberRecord) -> Change {
    match &mut record.pending {
        Some(p) if p.state != State::Canceled => p.state = State::Canceled,
        _ => return Change::Keep,
    }
    record.earlier.clear();
    Change::Put
}

/// Reserves a start for a caller key against its optional caps.
pub(crate) fn reserve_key(
    record: &mut KeyRecord,
    now: i64,
    rules: &Rules,
) -> (Change, Result<(), Refusal>) {
    let caps = capped(
        &record.starts,
        now,
        &[
            (rules.key_hourly_cap, HOUR_MS, "the caller key's hourly cap"),
            (rules.key_daily_cap, DAY_MS, "the caller key's daily cap"),
        ],
    );
    if let Some(refusal) = caps {
        return (Change::Keep, Err(refusal));
    }
    prune(&mut record.starts, now);
    record.starts.push(now);
    (Change::Put, Ok(()))
}

/// Gives back a caller key's start at `started_ms`.
pub(crate) fn release_key(record: &mut KeyRecord, started_ms: i64) -> Change {
    if !remove_one(&mut record.starts, started_ms) {
        return Change::Keep;
    }
    if record.starts.is_empty() {
        Change::Delete
    } else {
        Change::Put
    }
}

/// A nightly window, in Shanghai time, in which no call is placed: `22:00-08:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// Minutes after Shanghai midnight at which the window opens, and closes.
    start_min: u32,
    end_min: u32,
}

impl QuietHours {
    /// Parses `HH:MM-HH:MM` (24-hour clock, Asia/Shanghai); the window may cross midnight.
    pub fn parse(text: &str) -> Option<QuietHours> {
        let minutes = |hm: &str| -> Option<u32> {
            let (h, m) = hm.trim().split_once(':')?;
            let all_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
            if !all_digits(h) || !all_digits(m) {
                return None;
            }
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        let (start, end) = text.split_once('-')?;
        let (start_min, end_min) = (minutes(start)?, minutes(end)?);
        (start_min != end_min).then_some(QuietHours { start_min, end_min })
    }

    /// How long until the window closes, if `now` (ms since the epoch) is inside it.
    pub(crate) fn wait_ms(&self, now: i64) -> Option<i64> {
        let of_day = (now + SHANGHAI_OFFSET_MS).rem_euclid(DAY_MS);
        let (start, end) = (
            i64::from(self.start_min) * 60_000,
            i64::from(self.end_min) * 60_000,
        );
        let inside = if start < end {
            (start..end).contains(&of_day)
        } else {
            of_day >= start || of_day < end
        };
        inside.then(|| (end - of_day).rem_euclid(DAY_MS))
    }
}

/// Refuses a start inside the quiet hours, before anything is stored or sent.
pub(crate) fn quiet(now: i64, rules: &Rules) -> Result<(), Refusal> {
    let Some(quiet) = rules.quiet_hours else {
        return Ok(());
    };
    match quiet.wait_ms(now) {
        Some(wait_ms) => Err(Refusal {
            kind: ErrorKind::QuietHours,
            wait_ms,
            rule: "no calls are placed during the configured quiet hours (Asia/Shanghai)".into(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The decisions as a store of JSON text runs them (`on_text`), the form these tests read
    // and write records in; `the_memory_store_decides_as_a_text_store_does` holds the memory
    // store's path to the same results.

    type Decision<T> = Result<(Write, T), Unreadable>;

    fn text<R: Stored, T>(
        stored: Option<&str>,
        decide: impl FnOnce(&mut R) -> (Change, T),
    ) -> Decision<T> {
        match on_text(stored, decide) {
            (write, Ok(answer)) => Ok((write, answer)),
            (_, Err(unreadable)) => Err(unreadable),
        }
    }

    fn reserve(
        s: Option<&str>,
        now: i64,
        rules: &Rules,
        start: Start<'_>,
    ) -> Decision<Result<(u32, Pending), Refusal>> {
        text(s, |r| super::reserve(r, now, rules, start))
    }

    fn check(
        s: Option<&str>,
        now: i64,
        rules: &Rules,
        m: &dyn Fn(&str) -> bool,
    ) -> Decision<Check> {
        text(s, |r| super::check(r, now, rules, m))
    }

    fn release(s: Option<&str>, id: &str, started_ms: i64) -> Result<Write, Unreadable> {
        text(s, |r| (super::release(r, id, started_ms), ())).map(|(write, ())| write)
    }

    fn mark(s: Option<&str>, id: &str, state: State) -> Result<Write, Unreadable> {
        text(s, |r| (super::mark(r, id, state), ())).map(|(write, ())| write)
    }

    fn cancel(s: Option<&str>) -> Result<Write, Unreadable> {
        text(s, |r| (super::cancel(r), ())).map(|(write, ())| write)
    }

    fn reserve_key(s: Option<&str>, now: i64, rules: &Rules) -> Decision<Result<(), Refusal>> {
        text(s, |r| super::reserve_key(r, now, rules))
    }

    fn release_key(s: Option<&str>, started_ms: i64) -> Result<Write, Unreadable> {
        text(s, |r| (super::release_key(r, started_ms), ())).map(|(write, ())| write)
    }

    const T0: i64 = 1_700_000_000_000;
    const MIN: i64 = 60_000;

    fn rules() -> Rules {
        Rules {
            ttl_ms: 10 * MIN,
            max_attempts: 5,
            cooldown_ms: MIN,
            number_hourly_cap: 5,
            number_daily_cap: 10,
            key_hourly_cap: Some(2),
            key_daily_cap: None,
            quiet_hours: None,
        }
    }

    const APPROVED: Check = Check::Approved {
        channel: Product::Voice,
    };

    fn pending(id: &str, now: i64) -> Pending {
        Pending {
            id: id.into(),
            mac: format!("mac-{id}").into(),
            started_ms: now,
            expires_ms: now + rules().ttl_ms,
            attempts: 0,
            state: State::Sending,
            channel: Product::Voice,
            step: 0,
            sealed: Some(format!("sealed-{id}").into()),
        }
    }

    /// A start with a code of the caller's own: every start a new code, as in one channel.
    fn own(fresh: Pending) -> Start<'static> {
        Start {
            fresh,
            own_code: true,
            channel: None,
            workflow: &[Product::Voice],
        }
    }

    /// Applies a write to a stored value, as a store would.
    fn apply(stored: &mut Option<String>, write: Write) {
        match write {
            Write::Keep => {}
            Write::Put(v) => *stored = Some(v),
            Write::Delete => *stored = None,
        }
    }

    fn start(stored: &mut Option<String>, id: &str, now: i64) -> Result<u32, Refusal> {
        let (write, result) =
            reserve(stored.as_deref(), now, &rules(), own(pending(id, now))).unwrap();
        apply(stored, write);
        result.map(|(unverified, _)| unverified)
    }

    fn check_with(stored: &mut Option<String>, now: i64, mac: &str) -> Check {
        let (write, result) = check(stored.as_deref(), now, &rules(), &|m| m == mac).unwrap();
        apply(stored, write);
        result
    }

    fn release_of(stored: &mut Option<String>, id: &str, started_ms: i64) {
        let write = release(stored.as_deref(), id, started_ms).unwrap();
        apply(stored, write);
    }

    fn mark_as(stored: &mut Option<String>, id: &str, state: State) {
        let write = mark(stored.as_deref(), id, state).unwrap();
        apply(stored, write);
    }

    #[test]
    fn a_second_start_within_the_cooldown_is_refused_with_the_time_left() {
        let mut s = None;
        assert_eq!(start(&mut s, "a", T0), Ok(1));
        let refusal = start(&mut s, "b", T0 + 20_000).unwrap_err();
        assert_eq!(
            (refusal.kind, refusal.wait_ms),
            (ErrorKind::RateLimited, 40_000)
        );
        assert_eq!(start(&mut s, "b", T0 + MIN), Ok(2));
    }

    #[test]
    fn the_hourly_cap_waits_for_the_oldest_start_to_leave_the_hour() {
        let mut s = None;
        for i in 0..5 {
            start(&mut s, &format!("s{i}"), T0 + i * 2 * MIN).unwrap();
        }
        let refusal = start(&mut s, "x", T0 + 10 * MIN).unwrap_err();
        assert_eq!(refusal.wait_ms, 50 * MIN, "{refusal:?}");
        assert!(refusal.rule.contains("hourly"), "{refusal:?}");
        assert!(start(&mut s, "x", T0 + HOUR_MS).is_ok());
    }

    #[test]
    fn the_daily_cap_counts_a_rolling_day() {
        let mut s = None;
        for i in 0..10 {
            start(&mut s, &format!("s{i}"), T0 + i * 2 * HOUR_MS).unwrap();
        }
        let refusal = start(&mut s, "x", T0 + 20 * HOUR_MS).unwrap_err();
        assert_eq!(refusal.wait_ms, 4 * HOUR_MS);
        assert!(refusal.rule.contains("daily"), "{refusal:?}");
        assert!(start(&mut s, "x", T0 + DAY_MS).is_ok());
    }

    #[test]
    fn a_released_start_gives_back_the_cooldown_and_the_count() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        release_of(&mut s, "a", T0);
        assert_eq!(s, None, "nothing is left of a start that placed no call");
        assert_eq!(start(&mut s, "b", T0 + 1), Ok(1));
        assert_eq!(check_with(&mut s, T0 + 2, "mac-b"), APPROVED);
    }

    #[test]
    fn releasing_an_older_start_leaves_the_newer_one_alone() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        start(&mut s, "b", T0 + MIN).unwrap();
        release_of(&mut s, "a", T0);
        let record: NumberRecord = parse(s.as_deref()).unwrap();
        assert_eq!(&*record.pending.unwrap().id, "b");
        assert!(record.earlier.is_empty(), "a's code was never spoken");
        assert_eq!((record.starts, record.unverified), (vec![T0 + MIN], 1));
        assert_eq!(
            check_with(&mut s, T0 + MIN, "mac-a"),
            Check::WrongCode { attempts_left: 4 }
        );
        assert_eq!(check_with(&mut s, T0 + MIN, "mac-b"), APPROVED);
    }

    #[test]
    fn a_failed_resend_gives_back_the_code_the_user_holds() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        mark_as(&mut s, "a", State::Sent);
        check_with(&mut s, T0 + MIN, "nope");
        start(&mut s, "b", T0 + MIN).unwrap();
        release_of(&mut s, "b", T0 + MIN);
        let record: NumberRecord = parse(s.as_deref()).unwrap();
        let a = record.pending.clone().unwrap();
        assert_eq!((&*a.id, a.state, a.attempts), ("a", State::Sent, 1));
        assert_eq!((record.starts, record.unverified), (vec![T0], 1));
        // The cooldown is A's again, measured from A's start.
        assert_eq!(start(&mut s, "c", T0 + MIN - 1).unwrap_err().wait_ms, 1);
        assert_eq!(check_with(&mut s, T0 + 2 * MIN, "mac-a"), APPROVED);
    }

    #[test]
    fn both_codes_are_valid_until_the_newer_call_is_known_to_be_placed() {
        for (outcome, a_after) in [
            (None, true),
            (Some(State::MaybeSent), true),
            (Some(State::Sent), false),
        ] {
            let mut s = None;
            start(&mut s, "a", T0).unwrap();
            mark_as(&mut s, "a", State::Sent);
            start(&mut s, "b", T0 + MIN).unwrap();
            if let Some(state) = outcome {
                mark_as(&mut s, "b", state);
            }
            let mut a = s.clone();
            assert_eq!(
                check_with(&mut a, T0 + MIN, "mac-a") == APPROVED,
                a_after,
                "{outcome:?}"
            );
            if a_after {
                assert_eq!(
                    check_with(&mut a, T0 + MIN, "mac-b"),
                    Check::NotFound,
                    "single use"
                );
            }
            assert_eq!(
                check_with(&mut s, T0 + MIN, "mac-b"),
                APPROVED,
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn each_held_code_keeps_its_own_attempts_and_expiry() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        for _ in 0..3 {
            check_with(&mut s, T0, "nope");
        }
        start(&mut s, "b", T0 + MIN).unwrap();
        // A has 2 attempts left, B 5: a wrong code uses one of each.
        assert_eq!(
            check_with(&mut s, T0 + MIN, "nope"),
            Check::WrongCode { attempts_left: 4 }
        );
        assert_eq!(
            check_with(&mut s, T0 + MIN, "nope"),
            Check::WrongCode { attempts_left: 3 }
        );
        // A is locked now, B is not.
        let mut a = s.clone();
        assert_eq!(
            check_with(&mut a, T0 + MIN, "mac-a"),
            Check::WrongCode { attempts_left: 2 }
        );
        // A expires at its own TTL, before B.
        let a_expiry = T0 + rules().ttl_ms;
        let mut a = s.clone();
        start(&mut a, "c", a_expiry).unwrap();
        let record: NumberRecord = parse(a.as_deref()).unwrap();
        assert_eq!(
            record.earlier.iter().map(|p| &*p.id).collect::<Vec<_>>(),
            ["b"],
            "an expired or locked code is not kept"
        );
        assert_eq!(check_with(&mut s, a_expiry + MIN, "mac-b"), Check::Expired);
    }

    #[test]
    fn an_interrupted_send_keeps_every_code_the_user_may_hold() {
        // A process killed mid-send leaves B `Sending`: A and B stay valid, and a failed third
        // start gives both back.
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        mark_as(&mut s, "a", State::Sent);
        start(&mut s, "b", T0 + MIN).unwrap();
        start(&mut s, "c", T0 + 2 * MIN).unwrap();
        release_of(&mut s, "c", T0 + 2 * MIN);
        let mut a = s.clone();
        assert_eq!(check_with(&mut a, T0 + 2 * MIN, "mac-a"), APPROVED);
        let mut b = s.clone();
        assert_eq!(check_with(&mut b, T0 + 2 * MIN, "mac-b"), APPROVED);
        assert_eq!(
            check_with(&mut s, T0 + 2 * MIN, "mac-c"),
            Check::WrongCode { attempts_left: 4 }
        );
        // A placed call supersedes every code before it, even one marked late.
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        start(&mut s, "b", T0 + MIN).unwrap();
        mark_as(&mut s, "a", State::Sent);
        mark_as(&mut s, "b", State::Sent);
        let record: NumberRecord = parse(s.as_deref()).unwrap();
        assert!(record.earlier.is_empty(), "{record:?}");
    }

    #[test]
    fn cancel_ends_every_held_code() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        start(&mut s, "b", T0 + MIN).unwrap();
        let w = cancel(s.as_deref()).unwrap();
        apply(&mut s, w);
        assert_eq!(check_with(&mut s, T0 + MIN, "mac-a"), Check::Canceled);
        // A failed resend after a cancel brings nothing back.
        start(&mut s, "c", T0 + 2 * MIN).unwrap();
        release_of(&mut s, "c", T0 + 2 * MIN);
        assert_eq!(check_with(&mut s, T0 + 2 * MIN, "mac-a"), Check::NotFound);
    }

    #[test]
    fn the_right_code_is_approved_once() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        assert_eq!(check_with(&mut s, T0 + 1, "mac-a"), APPROVED);
        assert_eq!(check_with(&mut s, T0 + 2, "mac-a"), Check::NotFound);
    }

    #[test]
    fn wrong_codes_count_down_then_lock_even_the_right_one() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        for left in (0..5).rev() {
            assert_eq!(
                check_with(&mut s, T0, "nope"),
                Check::WrongCode {
                    attempts_left: left
                }
            );
        }
        assert_eq!(check_with(&mut s, T0, "mac-a"), Check::TooManyAttempts);
    }

    #[test]
    fn a_code_expires_at_its_ttl() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        let expiry = T0 + rules().ttl_ms;
        assert_eq!(check_with(&mut s, expiry, "mac-a"), Check::Expired);
        assert_eq!(check_with(&mut s, expiry - 1, "mac-a"), APPROVED);
    }

    #[test]
    fn a_canceled_verification_says_so_and_approves_nothing() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        let w = cancel(s.as_deref()).unwrap();
        apply(&mut s, w);
        assert_eq!(check_with(&mut s, T0, "mac-a"), Check::Canceled);
        assert_eq!(cancel(s.as_deref()), Ok(Write::Keep));
    }

    #[test]
    fn unknown_numbers_are_not_found() {
        assert_eq!(check_with(&mut None, T0, "m"), Check::NotFound);
    }

    #[test]
    fn an_unreadable_record_refuses_every_decision() {
        let r = rules();
        for bad in ["{oops", "not json {", "null", "42", r#"{"starts":"x"}"#] {
            let s = Some(bad);
            assert_eq!(
                reserve(s, T0, &r, own(pending("a", T0))).map(drop),
                Err(Unreadable),
                "{bad}"
            );
            assert_eq!(check(s, T0, &r, &|_| true), Err(Unreadable), "{bad}");
            assert_eq!(cancel(s), Err(Unreadable), "{bad}");
            assert_eq!(release(s, "a", T0), Err(Unreadable), "{bad}");
            assert_eq!(mark(s, "a", State::Sent), Err(Unreadable), "{bad}");
            assert_eq!(reserve_key(s, T0, &r), Err(Unreadable), "{bad}");
            assert_eq!(release_key(s, T0), Err(Unreadable), "{bad}");
        }
        let half = Some(r#"{"pending":{"id":1}}"#);
        assert_eq!(check(half, T0, &r, &|_| true), Err(Unreadable));
    }

    #[test]
    fn unverified_starts_add_up_until_an_approval() {
        let mut s = None;
        assert_eq!(start(&mut s, "a", T0), Ok(1));
        assert_eq!(start(&mut s, "b", T0 + MIN), Ok(2));
        assert_eq!(start(&mut s, "c", T0 + 2 * MIN), Ok(3));
        assert_eq!(check_with(&mut s, T0 + 2 * MIN, "mac-c"), APPROVED);
        assert_eq!(start(&mut s, "d", T0 + 3 * MIN), Ok(1));
    }

    #[test]
    fn a_send_outcome_is_recorded_only_on_its_own_start() {
        let mut s = None;
        start(&mut s, "a", T0).unwrap();
        assert_eq!(mark(s.as_deref(), "other", State::Sent), Ok(Write::Keep));
        mark_as(&mut s, "a", State::MaybeSent);
        let record: NumberRecord = parse(s.as_deref()).unwrap();
        assert_eq!(record.pending.unwrap().state, State::MaybeSent);
    }

    #[test]
    fn caller_keys_have_caps_of_their_own() {
        let mut s = None;
        for i in 0..2 {
            let (w, r) = reserve_key(s.as_deref(), T0 + i, &rules()).unwrap();
            apply(&mut s, w);
            r.unwrap();
        }
        let (_, refused) = reserve_key(s.as_deref(), T0 + 2, &rules()).unwrap();
        assert_eq!(refused.unwrap_err().wait_ms, HOUR_MS - 2);
        let w = release_key(s.as_deref(), T0 + 1).unwrap();
        apply(&mut s, w);
        assert!(reserve_key(s.as_deref(), T0 + 2, &rules())
            .unwrap()
            .1
            .is_ok());
    }

    /// 2024-01-01T00:00:00+08:00 (Shanghai midnight) in ms since the epoch.
    const SHANGHAI_MIDNIGHT: i64 = 1_704_038_400_000;

    #[test]
    fn quiet_hours_cross_midnight_in_shanghai_time() {
        let q = QuietHours::parse("22:00-08:00").unwrap();
        let at = |h: i64, m: i64| SHANGHAI_MIDNIGHT + h * HOUR_MS + m * MIN;
        assert_eq!(q.wait_ms(at(21, 59)), None);
        assert_eq!(q.wait_ms(at(22, 0)), Some(10 * HOUR_MS));
        assert_eq!(q.wait_ms(at(23, 30)), Some(8 * HOUR_MS + 30 * MIN));
        assert_eq!(q.wait_ms(at(0, 0)), Some(8 * HOUR_MS));
        assert_eq!(q.wait_ms(at(7, 59)), Some(MIN));
        assert_eq!(q.wait_ms(at(8, 0)), None);
        // 14:00 UTC is 22:00 in Shanghai, whatever the host's timezone.
        let utc_midnight = SHANGHAI_MIDNIGHT + 8 * HOUR_MS;
        assert_eq!(q.wait_ms(utc_midnight + 14 * HOUR_MS), Some(10 * HOUR_MS));
    }

    #[test]
    fn quiet_hours_within_one_day_and_malformed_windows() {
        let q = QuietHours::parse("12:30-14:00").unwrap();
        assert_eq!(q.wait_ms(SHANGHAI_MIDNIGHT + 13 * HOUR_MS), Some(HOUR_MS));
        assert_eq!(q.wait_ms(SHANGHAI_MIDNIGHT + 14 * HOUR_MS), None);
        for bad in [
            "",
            "22:00",
            "22-08",
            "24:00-08:00",
            "22:00-22:00",
            "2:00-08:00",
            "22:60-08:00",
        ] {
            assert_eq!(QuietHours::parse(bad), None, "{bad}");
        }
    }

    fn reserve_by(
        stored: &mut Option<String>,
        id: &str,
        now: i64,
        workflow: &'static [Product],
    ) -> Pending {
        let start = Start {
            fresh: pending(id, now),
            own_code: false,
            channel: None,
            workflow,
        };
        let (write, result) = reserve(stored.as_deref(), now, &rules(), start).unwrap();
        apply(stored, write);
        result.unwrap().1
    }

    const SMS_THEN_VOICE: &[Product] = &[Product::Sms, Product::Voice];

    #[test]
    fn a_resend_of_a_live_code_carries_it_to_the_next_channel() {
        let mut s = None;
        let first = reserve_by(&mut s, "a", T0, SMS_THEN_VOICE);
        assert_eq!((first.channel, first.step), (Product::Sms, 0));
        assert_eq!(
            check_with(&mut s, T0 + 1, "wrong"),
            Check::WrongCode { attempts_left: 4 }
        );
        let resent = reserve_by(&mut s, "b", T0 + MIN, SMS_THEN_VOICE);
        assert_eq!((resent.channel, resent.step), (Product::Voice, 1));
        // The same code: its MAC, seal, expiry and attempts.
        assert_eq!(
            (&*resent.mac, resent.sealed.as_deref()),
            ("mac-a", Some("sealed-a"))
        );
        assert_eq!((resent.expires_ms, resent.attempts), (first.expires_ms, 1));
        let third = reserve_by(&mut s, "c", T0 + 2 * MIN, SMS_THEN_VOICE);
        assert_eq!(
            (third.channel, third.step, &*third.mac),
            (Product::Voice, 1, "mac-a")
        );
    }

    #[test]
    fn a_dead_code_is_never_resent() {
        // Expired.
        let mut s = None;
        reserve_by(&mut s, "a", T0, SMS_THEN_VOICE);
        let late = reserve_by(&mut s, "b", T0 + rules().ttl_ms, SMS_THEN_VOICE);
        assert_eq!((&*late.mac, late.channel), ("mac-b", Product::Sms));
        // Canceled.
        let mut s = None;
        reserve_by(&mut s, "a", T0, SMS_THEN_VOICE);
        let canceled = cancel(s.as_deref()).unwrap();
        apply(&mut s, canceled);
        assert_eq!(
            &*reserve_by(&mut s, "b", T0 + MIN, SMS_THEN_VOICE).mac,
            "mac-b"
        );
        // Locked by wrong codes.
        let mut s = None;
        reserve_by(&mut s, "a", T0, SMS_THEN_VOICE);
        for _ in 0..rules().max_attempts {
            check_with(&mut s, T0 + 1, "wrong");
        }
        let fresh = reserve_by(&mut s, "b", T0 + MIN, SMS_THEN_VOICE);
        assert_eq!((&*fresh.mac, fresh.attempts), ("mac-b", 0));
        // Of an older version, with no seal: a new code.
        let mut s = None;
        reserve_by(&mut s, "a", T0, SMS_THEN_VOICE);
        let old = s.clone().unwrap().replace(r#","sealed":"sealed-a""#, "");
        let mut s = Some(old);
        assert_eq!(
            &*reserve_by(&mut s, "b", T0 + MIN, SMS_THEN_VOICE).mac,
            "mac-b"
        );
    }

    #[test]
    fn the_channel_of_the_newest_matching_code_is_the_approvals() {
        let mut s = None;
        reserve_by(&mut s, "a", T0, SMS_THEN_VOICE);
        reserve_by(&mut s, "b", T0 + MIN, SMS_THEN_VOICE);
        assert_eq!(
            check_with(&mut s, T0 + MIN + 1, "mac-a"),
            Check::Approved {
                channel: Product::Voice
            }
        );
        let mut s = None;
        reserve_by(&mut s, "a", T0, SMS_THEN_VOICE);
        assert_eq!(
            check_with(&mut s, T0 + 1, "mac-a"),
            Check::Approved {
                channel: Product::Sms
            }
        );
    }

    /// Runs one decision on a value as the memory store holds it, and applies its write.
    fn on_memory<R: Stored, T>(
        stored: &mut Option<Value>,
        decide: impl FnOnce(&mut R) -> (Change, T),
    ) -> Result<T, Unreadable> {
        let (write, answer) = on_value(stored.as_mut(), decide);
        match write {
            Write::Keep => {}
            Write::Put(value) => *stored = Some(value),
            Write::Delete => *stored = None,
        }
        answer
    }

    fn shown<T: std::fmt::Debug>((change, answer): (Change, T)) -> (Change, String) {
        (change, format!("{answer:?}"))
    }

    #[test]
    fn the_memory_store_decides_as_a_text_store_does() {
        type Step<'a> = Box<dyn Fn(&mut NumberRecord, i64) -> (Change, String) + 'a>;
        let r = &rules();
        let start = |id: &'static str| -> Step<'_> {
            Box::new(move |rec, now| shown(super::reserve(rec, now, r, own(pending(id, now)))))
        };
        let check_code = |mac: &'static str| -> Step<'_> {
            Box::new(move |rec, now| shown(super::check(rec, now, r, &|m| m == mac)))
        };
        let steps: Vec<(i64, Step)> = vec![
            (T0, start("a")),
            // Refused by the cooldown: a Keep, which changed nothing.
            (T0 + 1, start("x")),
            (T0 + 2, check_code("wrong")),
            (T0 + MIN, start("b")),
            (
                T0 + MIN,
                Box::new(|rec, _| shown((super::mark(rec, "b", State::Sent), ()))),
            ),
            (T0 + 2 * MIN, start("c")),
            (
                T0 + 2 * MIN,
                Box::new(|rec, now| shown((super::release(rec, "c", now), ()))),
            ),
            (T0 + 2 * MIN, check_code("mac-b")),
            (T0 + 3 * MIN, start("d")),
            (
                T0 + 3 * MIN,
                Box::new(|rec, _| shown((super::cancel(rec), ()))),
            ),
            (T0 + 3 * MIN, check_code("mac-d")),
        ];
        let (mut text, mut memory) = (None, None);
        for (i, (now, step)) in steps.iter().enumerate() {
            let (write, by_text) = super::on_text(text.as_deref(), |rec| step(rec, *now));
            apply(&mut text, write);
            let by_memory = on_memory(&mut memory, |rec| step(rec, *now));
            assert_eq!(by_text, by_memory, "step {i}");
            let kept = memory.as_ref().map(|value| value.text().into_owned());
            assert_eq!(kept, text, "step {i}");
        }
        assert!(matches!(&memory, Some(Value::Record(r)) if matches!(**r, Record::Number(_))));

        // A start given back on a number with nothing else: the record goes from both.
        let (mut text, mut memory) = (None, None);
        for step in [
            start("e"),
            Box::new(|rec: &mut NumberRecord, now| shown((super::release(rec, "e", now), ()))),
        ] {
            let (write, by_text) = super::on_text(text.as_deref(), |rec| step(rec, T0));
            apply(&mut text, write);
            assert_eq!(by_text, on_memory(&mut memory, |rec| step(rec, T0)));
        }
        assert_eq!((text, memory), (None, None));
    }

    #[test]
    fn an_unreadable_value_in_the_memory_store_refuses_every_decision() {
        let garbage = Value::Text("{oops".into());
        let a_key_record = Value::Record(Box::new(Record::Key(KeyRecord { starts: vec![T0] })));
        for value in [garbage, a_key_record] {
            let mut stored = Some(value.clone());
            let refused = on_memory(&mut stored, |r: &mut NumberRecord| (super::cancel(r), ()));
            assert_eq!(refused, Err(Unreadable), "{value:?}");
            assert_eq!(stored, Some(value), "left as it was");
        }
        // JSON text written through the Store interface is read as its record.
        let mut stored = Some(Value::Text(r#"{"starts":[1700000000000]}"#.into()));
        let counted = on_memory(&mut stored, |r: &mut KeyRecord| {
            (Change::Keep, r.starts.len())
        });
        assert_eq!(counted, Ok(1));
    }

    #[test]
    fn a_refused_start_leaves_the_record_as_it_was() {
        let r = &rules();
        // A start of two days ago, which counts against nothing, beside one in the cooldown.
        let mut record = NumberRecord {
            starts: vec![T0 - 2 * DAY_MS, T0],
            ..NumberRecord::default()
        };
        let before = record.clone();
        let (change, refused) = super::reserve(&mut record, T0 + 1, r, own(pending("a", T0 + 1)));
        assert_eq!(change, Change::Keep);
        assert!(refused.is_err());
        assert_eq!(record, before);
        // Written, the record drops the old start.
        let (change, _) = super::reserve(&mut record, T0 + MIN, r, own(pending("b", T0 + MIN)));
        assert_eq!((change, record.starts), (Change::Put, vec![T0, T0 + MIN]));

        let capped = Rules {
            key_hourly_cap: Some(1),
            ..rules()
        };
        let mut key = KeyRecord {
            starts: vec![T0 - 2 * DAY_MS, T0],
        };
        let (change, refused) = super::reserve_key(&mut key, T0 + 1, &capped);
        assert_eq!(change, Change::Keep);
        assert!(refused.is_err());
        assert_eq!(key.starts, vec![T0 - 2 * DAY_MS, T0]);
    }

    /// The memory store decides on its records where they lie, trusting a `Keep` to have
    /// changed nothing; debug builds hold every decision to that.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "a decision that keeps a record changed it")]
    fn a_decision_that_keeps_a_changed_record_is_caught() {
        let mut stored = Some(Value::Record(Box::new(Record::Key(KeyRecord::default()))));
        let _ = on_memory(&mut stored, |r: &mut KeyRecord| {
            r.starts.push(T0);
            (Change::Keep, ())
        });
    }

    #[test]
    fn records_of_older_versions_read_as_voice_codes() {
        let old = r#"{"pending":{"id":"a","mac":"mac-a","started_ms":1700000000000,"expires_ms":1700000600000,"attempts":0,"state":"sent"},"starts":[1700000000000],"unverified":1}"#;
        let record: NumberRecord = parse(Some(old)).unwrap();
        let pending = record.pending.unwrap();
        assert_eq!(
            (pending.channel, pending.step, pending.sealed),
            (Product::Voice, 0, None)
        );
    }
}
