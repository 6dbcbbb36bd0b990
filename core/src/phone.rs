//! Phone numbers as the user gives them, converted to what each vendor wants.
//!
//! Users pass E.164 (`+8613800138000`) or national digits (`13800138000`, landline with its
//! area code `075528001234`). Huawei wants E.164 with the area code's leading 0 dropped;
//! ytx and aliyun want national digits (mobile or landline); ihuyi, cloud10658 and OneAccess
//! take only 11-digit mainland mobiles. Anything a vendor cannot call is refused before a
//! request exists.

use std::fmt;

use crate::protocol::encode::ShortText;
use crate::{Error, Result};

/// A parsed recipient number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phone {
    /// Mainland mobile, 11 digits starting with 1.
    Mobile(String),
    /// Mainland landline in national form, area code with its leading 0.
    Landline(String),
    /// Outside mainland China, E.164 with the `+`.
    International(String),
}

impl Phone {
    /// Parses `input` as E.164 or mainland national digits. `field` names the request field in
    /// the error.
    pub fn parse(field: &str, input: &str) -> Result<Phone> {
        const RULE: &str = "expected E.164 (+8613800138000) or national digits (13800138000)";
        let input = input.trim();
        if let Some(international) = input.strip_prefix('+') {
            if !is_digits(international) || !(7..=15).contains(&international.len()) {
                return Err(Error::invalid_input(field, format!("{input:?}: {RULE}")));
            }
            if international.starts_with('0') {
                return Err(Error::invalid_input(
                    field,
                    format!("{input:?}: no country code starts with 0; {RULE}"),
                ));
            }
            return match international.strip_prefix("86") {
                // Beijing's area code 10 also starts with 1: mobiles are the 11-digit ones.
                Some(national) if national.len() == 11 && national.starts_with('1') => {
                    Self::national(field, national)
                }
                Some(national) => Self::national(field, &format!("0{national}")),
                None => Ok(Phone::International(input.to_owned())),
            };
        }
        if !is_digits(input) {
            return Err(Error::invalid_input(field, format!("{input:?}: {RULE}")));
        }
        Self::national(field, input)
    }

    fn national(field: &str, digits: &str) -> Result<Phone> {
        if digits.len() == 11 && digits.starts_with('1') {
            Ok(Phone::Mobile(digits.to_owned()))
        } else if digits.starts_with('0')
            && !digits.starts_with("00")
            && (10..=12).contains(&digits.len())
        {
            Ok(Phone::Landline(digits.to_owned()))
        } else {
            Err(Error::invalid_input(
                field,
                format!(
                    "{digits:?} is neither an 11-digit mainland mobile nor a landline with its area code"
                ),
            ))
        }
    }

    /// E.164, as Huawei wants it (`+86` and the area code without its leading 0).
    pub fn e164(&self) -> String {
        self.e164_text().into_string()
    }

    /// E.164 on the stack, for the requests that carry it: every send writes it once. Every
    /// number [`Phone::parse`] returns fits (`+` and at most 15 digits).
    pub(crate) fn e164_text(&self) -> ShortText<16> {
        let (country, rest) = match self {
            Phone::Mobile(n) => ("+86", n.as_str()),
            Phone::Landline(n) => ("+86", &n[1..]),
            Phone::International(n) => ("", n.as_str()),
        };
        ShortText::join(&[country, rest])
    }

    /// National digits for vendors that call mainland mobiles and landlines (ytx, aliyun).
    pub fn mainland(&self, field: &str, vendor: &str) -> Result<&str> {
        match self {
            Phone::Mobile(n) | Phone::Landline(n) => Ok(n),
            Phone::International(n) => Err(Error::invalid_input(
                field,
                format!("{n} is outside mainland China, which {vendor} cannot call"),
            )),
        }
    }

    /// The 11 digits of a mainland mobile, for vendors that call nothing else.
    pub fn mobile(&self, field: &str, vendor: &str) -> Result<&str> {
        match self {
            Phone::Mobile(n) => Ok(n),
            Phone::Landline(n) => Err(Error::invalid_input(
                field,
                format!("{n} is a landline; {vendor} calls only 11-digit mainland mobiles"),
            )),
            Phone::International(n) => Err(Error::invalid_input(
                field,
                format!(
                    "{n} is outside mainland China; {vendor} calls only 11-digit mainland mobiles"
                ),
            )),
        }
    }
}

/// E.164 ([`Phone::e164`]).
impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.e164_text().as_str())
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_and_national_mobiles_are_the_same_number() {
        assert_eq!(
            Phone::parse("to", "+8613800138000").unwrap(),
            Phone::Mobile("13800138000".into())
        );
        assert_eq!(
            Phone::parse("to", " 13800138000 ").unwrap(),
            Phone::Mobile("13800138000".into())
        );
    }

    #[test]
    fn landlines_keep_their_area_code_and_drop_the_zero_in_e164() {
        let national = Phone::parse("to", "075528001234").unwrap();
        assert_eq!(national, Phone::Landline("075528001234".into()));
        assert_eq!(national.e164(), "+8675528001234");
        assert_eq!(Phone::parse("to", "+8675528001234").unwrap(), national);
    }

    #[test]
    fn international_numbers_are_kept_for_huawei_and_refused_for_mainland_vendors() {
        let p = Phone::parse("to", "+14155550100").unwrap();
        assert_eq!(p.e164(), "+14155550100");
        let err = p.mainland("to", "ytx").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(err.message().contains("outside mainland China"), "{err}");
    }

    #[test]
    fn the_longest_numbers_read_whole_in_e164() {
        let longest = "+123456789012345";
        assert_eq!(Phone::parse("to", longest).unwrap().e164(), longest);
        // Not a number `parse` returns, but one a caller can build.
        let built = Phone::International(format!("+{}", "9".repeat(20)));
        assert_eq!(built.e164(), format!("+{}", "9".repeat(20)));
        assert_eq!(built.to_string(), built.e164());
    }

    #[test]
    fn no_e164_number_starts_with_zero() {
        let err = Phone::parse("to", "+013800138000").unwrap_err();
        assert_eq!(err.field(), Some("to"));
        assert!(err.message().contains("country code"), "{err}");
    }

    #[test]
    fn mobile_only_vendors_refuse_landlines() {
        let err = Phone::parse("to", "01088886666")
            .unwrap()
            .mobile("to", "ihuyi")
            .unwrap_err();
        assert_eq!(err.field(), Some("to"));
        assert!(err.message().contains("landline"));
    }

    #[test]
    fn garbage_is_refused_naming_the_field() {
        for bad in [
            "",
            "+",
            "1380013800a",
            "12345",
            "+86",
            "138001380001",
            "0012345678",
        ] {
            let err = Phone::parse("to", bad).unwrap_err();
            assert_eq!(err.field(), Some("to"), "{bad:?}");
            assert_eq!(err.outcome(), crate::Outcome::NotSent);
        }
    }
}
