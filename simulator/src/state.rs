//! The simulator's mutable state: balances, journal, faults, call outcome and what each vendor
//! remembers between requests (nonces, last calls, captchas). All of it sits behind one lock in
//! [`crate::exchange::Shared`]: requests are tiny, so one lock is simpler than many and never
//! contended for long.
//!
//! Each vendor's memory is a type of its own module, kept here by type ([`State::memory`]), so
//! that the state depends on no vendor.

use std::any::{Any, TypeId};
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use voicecode::{Product, Vendor};

use crate::demo::DEFAULT_BALANCE;
use crate::faults::FaultBook;
use crate::journal::Journal;
use crate::push::CallOutcome;

/// The code an accepted send would have spoken or written, and by whom: what [`crate::Simulator::last_code`]
/// and `GET /_sim/last_code/{number}` answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct SentCode {
    pub(crate) vendor: Vendor,
    /// How it went: by a voice call or by SMS.
    pub(crate) product: Product,
    pub(crate) code: String,
    pub(crate) at: DateTime<Utc>,
}

/// The key a number is remembered under: its national form, so that `13800138000`,
/// `+8613800138000` and ` 13800138000 ` are one number. The vendors write mainland numbers
/// either way (`docs/protocols/huawei.md#request-fields`: E.164, a landline's area code without
/// its 0; `docs/protocols/ytx.md#request-fields`: national digits, a landline with its 0), so
/// `+8675528001234` is `075528001234`. Any other text is its own key.
pub(crate) fn number_key(number: &str) -> String {
    let number = number.trim();
    match number.strip_prefix("+86") {
        Some(mobile) if mobile.starts_with('1') => mobile.to_owned(),
        Some(landline) => format!("0{landline}"),
        None => number.to_owned(),
    }
}

pub(crate) struct State {
    pub(crate) journal: Journal,
    pub(crate) faults: FaultBook,
    pub(crate) outcome: CallOutcome,
    /// What each vendor remembers between requests, by the type its module keeps it in.
    memories: HashMap<TypeId, Box<dyn Any + Send>>,
    /// The last code sent to each number, by [`number_key`].
    last_codes: HashMap<String, SentCode>,
    balances: HashMap<Vendor, u64>,
    last_id: u64,
}

impl State {
    pub(crate) fn new(overrides: &HashMap<Vendor, u64>, with_balance: &[Vendor]) -> Self {
        let balances = with_balance
            .iter()
            .map(|v| (*v, overrides.get(v).copied().unwrap_or(DEFAULT_BALANCE)))
            .collect();
        State {
            journal: Journal::default(),
            faults: FaultBook::default(),
            outcome: CallOutcome::default(),
            memories: HashMap::new(),
            last_codes: HashMap::new(),
            balances,
            last_id: 0,
        }
    }

    /// What a vendor remembers between requests (nonces, last calls, captchas), kept in a type
    /// of its module's own; empty until first used.
    pub(crate) fn memory<M: Default + Send + 'static>(&mut self) -> &mut M {
        self.memories
            .entry(TypeId::of::<M>())
            .or_insert_with(|| Box::new(M::default()))
            .downcast_mut()
            .expect("each memory is stored under its own type")
    }

    pub(crate) fn balance(&self, vendor: Vendor) -> Option<u64> {
        self.balances.get(&vendor).copied()
    }

    pub(crate) fn set_balance(&mut self, vendor: Vendor, units: u64) {
        if let Some(balance) = self.balances.get_mut(&vendor) {
            *balance = units;
        }
    }

    /// Takes the price of one call; `false` (and nothing taken) when the account is empty.
    pub(crate) fn charge(&mut self, vendor: Vendor) -> bool {
        match self.balances.get_mut(&vendor) {
            Some(balance) if *balance > 0 => {
                *balance -= 1;
                true
            }
            _ => false,
        }
    }

    /// Remembers the code an accepted send would speak to `number`, replacing any earlier one.
    pub(crate) fn record_code(&mut self, vendor: Vendor, number: &str, code: &str) {
        self.record(vendor, Product::Voice, number, code);
    }

    /// Remembers the code an accepted SMS would carry to `number`, replacing any earlier one.
    pub(crate) fn record_sms_code(&mut self, vendor: Vendor, number: &str, code: &str) {
        self.record(vendor, Product::Sms, number, code);
    }

    fn record(&mut self, vendor: Vendor, product: Product, number: &str, code: &str) {
        let sent = SentCode {
            vendor,
            product,
            code: code.to_owned(),
            at: Utc::now(),
        };
        self.last_codes.insert(number_key(number), sent);
    }

    /// The last code sent to `number`, however it is written.
    pub(crate) fn last_code(&self, number: &str) -> Option<&SentCode> {
        self.last_codes.get(&number_key(number))
    }

    /// A number unique within this simulator, for message ids.
    pub(crate) fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }
}
