//! Checks of what goes out: the codes a vendor speaks, strings sent in URLs and headers, and
//! options a vendor has no place for.

use std::ops::RangeInclusive;

use crate::model::SendOptions;
use crate::secret::Secret;
use crate::{Error, Result};

/// Which characters a verification code may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeAlphabet {
    /// ASCII digits only.
    Digits,
    /// ASCII letters and digits.
    Alphanumeric,
}

/// The codes a vendor accepts: `min_len..=max_len` characters of `alphabet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CodeRule {
    pub(crate) min_len: usize,
    pub(crate) max_len: usize,
    pub(crate) alphabet: CodeAlphabet,
}

impl CodeRule {
    /// `min..=max` ASCII digits.
    pub(crate) const fn digits(min_len: usize, max_len: usize) -> Self {
        CodeRule {
            min_len,
            max_len,
            alphabet: CodeAlphabet::Digits,
        }
    }

    /// The codes both rules accept, or `None` when no code satisfies both.
    pub(crate) fn intersect(self, other: CodeRule) -> Option<CodeRule> {
        let alphabet =
            if self.alphabet == CodeAlphabet::Digits || other.alphabet == CodeAlphabet::Digits {
                CodeAlphabet::Digits
            } else {
                CodeAlphabet::Alphanumeric
            };
        let rule = CodeRule {
            min_len: self.min_len.max(other.min_len),
            max_len: self.max_len.min(other.max_len),
            alphabet,
        };
        (rule.min_len <= rule.max_len).then_some(rule)
    }

    /// The rule in words, for error messages: "2 to 8 digits".
    pub(crate) fn describe(&self) -> String {
        let what = match self.alphabet {
            CodeAlphabet::Digits => "digits",
            CodeAlphabet::Alphanumeric => "letters or digits",
        };
        format!("{} to {} {what}", self.min_len, self.max_len)
    }

    /// Whether `code` follows the rule.
    pub(crate) fn accepts(&self, code: &str) -> bool {
        let alphabet_ok = match self.alphabet {
            CodeAlphabet::Digits => code.bytes().all(|b| b.is_ascii_digit()),
            CodeAlphabet::Alphanumeric => code.bytes().all(|b| b.is_ascii_alphanumeric()),
        };
        (self.min_len..=self.max_len).contains(&code.len()) && alphabet_ok
    }

    /// Checks the `code` field of a request. The message quotes the code: this runs before a
    /// send, on the caller's own input (the verifier checks its codes without quoting them).
    pub(crate) fn check(&self, code: &str) -> Result<()> {
        if !self.accepts(code) {
            return Err(Error::invalid_input(
                "code",
                format!("{code:?} must be {}", self.describe()),
            ));
        }
        Ok(())
    }
}

/// Checks a config string that is sent in a URL or header: visible ASCII only.
pub(crate) fn check_header_safe(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid_config(field, "is required"));
    }
    if !value
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"')
    {
        return Err(Error::invalid_config(
            field,
            "must be printable ASCII without quotes (it is sent in an HTTP header)",
        ));
    }
    Ok(())
}

/// Checks that a credential is given.
pub(crate) fn check_secret(field: &str, secret: &Secret) -> Result<()> {
    if secret.expose().is_empty() {
        return Err(Error::invalid_config(field, "is required"));
    }
    Ok(())
}

/// Checks the `play_times` option, when given, against the vendor's range; `note` ends the
/// message.
pub(crate) fn check_play_times(
    times: Option<u8>,
    range: RangeInclusive<u8>,
    note: &str,
) -> Result<()> {
    match times {
        Some(times) if !range.contains(&times) => Err(Error::invalid_input(
            "play_times",
            format!("{times} must be {} to {}{note}", range.start(), range.end()),
        )),
        _ => Ok(()),
    }
}

/// Refuses request fields a vendor has no place for, instead of silently dropping them.
pub(crate) fn refuse_unsupported(
    vendor: &str,
    options: &SendOptions,
    supported: &[&str],
) -> Result<()> {
    match options.given().find(|field| !supported.contains(field)) {
        Some(field) => Err(Error::invalid_input(
            field,
            format!("{vendor} has no such option; leave it unset for this vendor"),
        )),
        None => Ok(()),
    }
}
