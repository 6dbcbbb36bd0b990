//! The journal: every request that reached a vendor endpoint, with the simulator's verdict.
//!
//! Tests use it to assert what reached the "vendor" — "nothing was sent", "sent exactly once",
//! "the retry did not happen" — which the client's own result cannot tell. Requests answered
//! with an injected fault are journaled too: they did reach the vendor.

use chrono::{DateTime, Utc};
use serde::Serialize;
use voicecode::Vendor;

/// What a request asked the vendor to do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr, strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Operation {
    /// Place a voice-code call (ytx, huawei, ihuyi, cloud10658).
    SendCode,
    /// Read the account balance (ytx, ihuyi, cloud10658).
    Balance,
    /// OneAccess: get a slider captcha.
    Captcha,
    /// OneAccess: check the slider position.
    VerifyCaptcha,
    /// OneAccess: send an SMS code.
    SendSmsCode,
}

impl Operation {
    /// The snake_case name the journal and every binding use.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::str::FromStr for Operation {
    type Err = String;

    /// Reads a name as [`Operation::as_str`] writes it; the error lists the valid names.
    fn from_str(name: &str) -> Result<Self, String> {
        crate::wire::parse_name("operation", name)
    }
}

/// How the simulator answered a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The vendor would have done it (a call placed, a balance read, a captcha issued).
    Accepted,
    /// The simulator's own checks refused it with this vendor code (for cloud10658 the code is
    /// the message text, the vendor's only reason).
    Refused {
        /// The vendor's code, as sent.
        code: String,
        /// The HTTP status of the answer.
        http_status: u16,
    },
    /// The client went away before the simulator answered (during injected latency, say): the
    /// request arrived, so a real vendor may have acted on it.
    Unanswered,
    /// An injected fault answered instead of the vendor logic.
    Fault {
        /// The fault's snake_case name, as in the admin API (`hang`, `vendor_code`, …).
        fault: String,
        /// For `vendor_code`, the code answered.
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
}

impl Verdict {
    /// A refusal by the simulator's own checks.
    pub(crate) fn refused(code: impl Into<String>, http_status: u16) -> Self {
        Verdict::Refused {
            code: code.into(),
            http_status,
        }
    }
}

/// One request as the vendor saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// The vendor whose endpoint was called.
    pub vendor: Vendor,
    /// What was asked.
    pub operation: Operation,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query string (ytx signs there).
    pub path: String,
    /// The recipient's number as the request gave it, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// How the simulator answered.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// When the request arrived.
    pub at: DateTime<Utc>,
}

/// The journal itself, in arrival order.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    entries: Vec<JournalEntry>,
    /// Each entry's arrival number, so that a verdict finds its entry after a `clear`.
    ids: Vec<u64>,
    next_id: u64,
}

impl Journal {
    /// Records a request as it arrives, before any latency or answer: a request whose client
    /// gives up still counts. Returns the id that [`Journal::settle`] takes.
    pub(crate) fn arrive(&mut self, entry: JournalEntry) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.entries.push(JournalEntry {
            verdict: Verdict::Unanswered,
            ..entry
        });
        self.ids.push(id);
        id
    }

    /// Sets the verdict of the request that arrived as `id` (if the journal still holds it).
    pub(crate) fn settle(&mut self, id: u64, verdict: Verdict) {
        if let Some(i) = self.ids.iter().rposition(|&x| x == id) {
            self.entries[i].verdict = verdict;
        }
    }

    pub(crate) fn entries(&self) -> &[JournalEntry] {
        &self.entries
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.ids.clear();
    }

    pub(crate) fn count(&self, vendor: Vendor, operation: Operation) -> usize {
        self.entries
            .iter()
            .filter(|e| e.vendor == vendor && e.operation == operation)
            .count()
    }
}
