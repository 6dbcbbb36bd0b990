//! Text that goes into signatures and requests, written without the general machinery: the
//! vendors' timestamp shapes, hex, and percent-encoding into a buffer. Each of these runs on
//! every request, where `chrono`'s format strings (parsed anew on each call) and `hex`'s
//! char-by-char collecting cost more than the hashing they feed.

use chrono::{Datelike as _, NaiveDate, NaiveDateTime, NaiveTime, Timelike as _};

/// `yyyy-MM-ddTHH:mm:ssZ`, for a UTC time (Huawei's `Created`, Alibaba Cloud's `Timestamp`), on
/// the stack.
pub(crate) fn iso8601_z_text(utc: NaiveDateTime) -> ShortText<20> {
    Shape {
        format: "%Y-%m-%dT%H:%M:%SZ",
        template: *b"0000-00-00T00:00:00Z",
        date_at: [0, 5, 8],
        time_at: Some([11, 14, 17]),
    }
    .write(utc)
}

/// `yyyyMMddTHHmmssZ`, for a UTC time (Huawei's `X-Sdk-Date`).
pub(crate) fn basic_iso8601_z(utc: NaiveDateTime) -> String {
    Shape {
        format: "%Y%m%dT%H%M%SZ",
        template: *b"00000000T000000Z",
        date_at: [0, 4, 6],
        time_at: Some([9, 11, 13]),
    }
    .write(utc)
    .into_string()
}

/// `yyyyMMddHHmmss`, of a wall-clock time (ytx's `ts`).
pub(crate) fn compact(time: NaiveDateTime) -> String {
    Shape {
        format: "%Y%m%d%H%M%S",
        template: *b"00000000000000",
        date_at: [0, 4, 6],
        time_at: Some([8, 10, 12]),
    }
    .write(time)
    .into_string()
}

/// `yyyy-MM-dd` (Tencent's credential scope).
pub(crate) fn date(date: NaiveDate) -> String {
    Shape {
        format: "%Y-%m-%d",
        template: *b"0000-00-00",
        date_at: [0, 5, 8],
        time_at: None,
    }
    .write(date.and_time(NaiveTime::MIN))
    .into_string()
}

/// A timestamp's text: chrono's format string for it, and the template a four-digit year is
/// written into, with where the year, month and day go, and the hour, minute and second if it
/// has them.
struct Shape<const N: usize> {
    format: &'static str,
    template: [u8; N],
    date_at: [usize; 3],
    time_at: Option<[usize; 3]>,
}

impl<const N: usize> Shape<N> {
    fn write(&self, time: NaiveDateTime) -> ShortText<N> {
        if !plain_year(time.date()) {
            return ShortText::Long(time.format(self.format).to_string());
        }
        let mut out = self.template;
        put_date(&mut out, time.date(), self.date_at);
        if let Some(at) = self.time_at {
            put_time(&mut out, time, at);
        }
        ShortText::whole(out)
    }
}

/// Years that `%Y` writes as exactly four digits; chrono writes others with a sign, and they
/// are left to it.
fn plain_year(date: NaiveDate) -> bool {
    (0..=9999).contains(&date.year())
}

/// The year, month and day at their places in a timestamp's template.
fn put_date(out: &mut [u8], date: NaiveDate, [year, month, day]: [usize; 3]) {
    // `plain_year` holds, so the year is 0..=9999.
    put_digits(&mut out[year..year + 4], date.year().unsigned_abs());
    put_digits(&mut out[month..month + 2], date.month());
    put_digits(&mut out[day..day + 2], date.day());
}

/// The hour, minute and second at their places in a timestamp's template.
fn put_time(out: &mut [u8], time: NaiveDateTime, [hour, minute, second]: [usize; 3]) {
    put_digits(&mut out[hour..hour + 2], time.hour());
    put_digits(&mut out[minute..minute + 2], time.minute());
    // A leap second (second 59 with nanoseconds past one second) is written 60, as chrono does.
    let leap = u32::from(time.nanosecond() >= 1_000_000_000);
    put_digits(&mut out[second..second + 2], time.second() + leap);
}

/// The last `out.len()` decimal digits of `value`, zero-padded.
fn put_digits(out: &mut [u8], mut value: u32) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Text of at most `N` bytes kept on the stack, for what a request writes and reads within one
/// signature (a timestamp, a number); longer text, which only unusual input makes, is kept on
/// the heap.
pub(crate) enum ShortText<const N: usize> {
    /// The first `len` bytes of the array, which hold text.
    Inline {
        bytes: [u8; N],
        len: usize,
    },
    Long(String),
}

impl<const N: usize> ShortText<N> {
    /// The pieces joined.
    pub(crate) fn join(pieces: &[&str]) -> Self {
        let len = pieces.iter().map(|p| p.len()).sum();
        if len > N {
            return ShortText::Long(pieces.concat());
        }
        let mut bytes = [0u8; N];
        let mut at = 0;
        for piece in pieces {
            bytes[at..at + piece.len()].copy_from_slice(piece.as_bytes());
            at += piece.len();
        }
        ShortText::Inline { bytes, len }
    }

    /// ASCII filling the whole array.
    fn whole(bytes: [u8; N]) -> Self {
        debug_assert!(bytes.is_ascii());
        ShortText::Inline { bytes, len: N }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Joined from whole `str`s or written as ASCII.
            ShortText::Inline { bytes, len } => {
                std::str::from_utf8(&bytes[..*len]).expect("text joined from str")
            }
            ShortText::Long(text) => text,
        }
    }

    pub(crate) fn into_string(self) -> String {
        match self {
            ShortText::Long(text) => text,
            inline => inline.as_str().to_owned(),
        }
    }
}

/// The pieces one after the other, in one allocation of the right size (`format!` goes through
/// `fmt::write` for each piece).
pub(crate) fn concat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// `host[:port]` of a base URL, as an HTTP client writes the `Host` header (which the TC3 and
/// SDK-HMAC-SHA256 signatures sign).
pub(crate) fn host_of(base: &str) -> crate::Result<String> {
    use crate::Error;
    let url = url::Url::parse(base)
        .map_err(|e| Error::invalid_config("base_url", format!("{base:?} is not a URL ({e})")))?;
    let host = url
        .host_str()
        .ok_or_else(|| Error::invalid_config("base_url", format!("{base:?} has no host")))?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// A SHA-256 digest in lowercase hex, on the stack: the signatures that hash their parts
/// (Tencent's TC3, Huawei's SDK-HMAC-SHA256) write several of these a request.
#[derive(Clone, Copy)]
pub(crate) struct Hex64([u8; 64]);

impl Hex64 {
    pub(crate) fn of(digest: &[u8; 32]) -> Self {
        let mut out = [0u8; 64];
        hex_lower_into(digest, &mut out);
        Hex64(out)
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Lowercase hex.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    hex_with(bytes, &LOWER)
}

/// Uppercase hex.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    hex_with(bytes, &UPPER)
}

/// Lowercase hex of `bytes` into `out`, which holds exactly two digits a byte.
pub(crate) fn hex_lower_into(bytes: &[u8], out: &mut [u8]) {
    debug_assert_eq!(out.len(), bytes.len() * 2);
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&LOWER[usize::from(b)]);
    }
}

fn hex_with(bytes: &[u8], pairs: &[[u8; 2]; 256]) -> String {
    // Bytes first, checked as UTF-8 once: `String::push` per digit costs several times more.
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.extend_from_slice(&pairs[usize::from(b)]);
    }
    String::from_utf8(out).expect("hex digits are ASCII")
}

/// Each byte's two hex digits, looked up whole: half the lookups and stores of a digit at a
/// time, on the digests every signature writes out.
static LOWER: [[u8; 2]; 256] = hex_pairs(b"0123456789abcdef");
static UPPER: [[u8; 2]; 256] = hex_pairs(b"0123456789ABCDEF");

const fn hex_pairs(digits: &[u8; 16]) -> [[u8; 2]; 256] {
    let mut pairs = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        pairs[b] = [digits[b >> 4], digits[b & 0xf]];
        b += 1;
    }
    pairs
}

/// Appends `bytes` percent-encoded as RFC 3986 has it: every byte but the unreserved
/// `A-Za-z0-9-._~` becomes `%XY` in uppercase hex (spaces `%20`, never `+`). Written by table
/// into the buffer: this runs over every value of every signed Alibaba Cloud query, where the
/// `percent-encoding` crate's general iterator (a string piece per byte) cost a third of
/// building and signing a request.
#[inline]
pub(crate) fn push_rfc3986_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    push_percent_encoded(out, bytes);
}

/// Appends `bytes` percent-encoded to `once` as [`push_rfc3986_bytes`] does, and that text
/// percent-encoded once more to `twice`, as Alibaba Cloud's query and its string to sign have
/// each value, in one pass: each `%XY` of the first is `%25XY` in the second, and every other
/// byte is the same in both.
pub(crate) fn push_rfc3986_twice(once: &mut Vec<u8>, twice: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.iter().all(|&b| UNRESERVED[usize::from(b)]) {
        once.extend_from_slice(bytes);
        twice.extend_from_slice(bytes);
        return;
    }
    let (start_once, start_twice) = (once.len(), twice.len());
    once.resize(start_once + bytes.len() * 3, 0);
    twice.resize(start_twice + bytes.len() * 5, 0);
    let (room_once, room_twice) = (&mut once[start_once..], &mut twice[start_twice..]);
    let (mut at_once, mut at_twice) = (0, 0);
    for &b in bytes {
        if UNRESERVED[usize::from(b)] {
            room_once[at_once] = b;
            room_twice[at_twice] = b;
            at_once += 1;
            at_twice += 1;
        } else {
            let [high, low] = UPPER[usize::from(b)];
            room_once[at_once..at_once + 3].copy_from_slice(&[b'%', high, low]);
            room_twice[at_twice..at_twice + 5].copy_from_slice(&[b'%', b'2', b'5', high, low]);
            at_once += 3;
            at_twice += 5;
        }
    }
    once.truncate(start_once + at_once);
    twice.truncate(start_twice + at_twice);
}

/// Everything but the unreserved characters as `%` and two uppercase hex digits, written into
/// room made once for the longest result: a send's values are short and mixed, where a
/// capacity check per byte or a copy per run of plain bytes cost more than the encoding.
#[inline]
fn push_percent_encoded(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Nonces, numbers and digests are all unreserved: one look at each byte and one copy.
    if bytes.iter().all(|&b| UNRESERVED[usize::from(b)]) {
        out.extend_from_slice(bytes);
        return;
    }
    let start = out.len();
    out.resize(start + bytes.len() * 3, 0);
    let room = &mut out[start..];
    let mut at = 0;
    for &b in bytes {
        if UNRESERVED[usize::from(b)] {
            room[at] = b;
            at += 1;
        } else {
            room[at] = b'%';
            room[at + 1] = HEX[usize::from(b >> 4)];
            room[at + 2] = HEX[usize::from(b & 0xf)];
            at += 3;
        }
    }
    out.truncate(start + at);
}

static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_unreserved(b as u8);
        b += 1;
    }
    table
};

/// [`push_rfc3986_bytes`] onto text.
pub(crate) fn push_rfc3986_encoded(out: &mut String, text: &str) {
    let mut encoded = Vec::new();
    push_rfc3986_bytes(&mut encoded, text.as_bytes());
    out.push_str(std::str::from_utf8(&encoded).expect("percent-encoding writes ASCII"));
}

/// RFC 3986's unreserved characters.
pub(crate) const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same text as the `percent-encoding` crate makes with the unreserved set, over ASCII,
    /// every byte value and multi-byte characters.
    #[test]
    fn rfc3986_encoding_matches_the_percent_encoding_crate() {
        const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'_')
            .remove(b'.')
            .remove(b'~');
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for text in [
            "",
            "a",
            "阿里云短信测试",
            "a b+c*d~e%f",
            "{\"code\":\"4821\"}",
            "é",
            "x阿",
            &every_ascii,
        ] {
            let mut ours = String::from("prefix&");
            push_rfc3986_encoded(&mut ours, text);
            let theirs = percent_encoding::utf8_percent_encode(text, UNRESERVED).to_string();
            assert_eq!(ours, format!("prefix&{theirs}"), "{text:?}");
            // Encoding the encoded text again, as the crate does it from the start.
            let again = percent_encoding::utf8_percent_encode(&theirs, UNRESERVED).to_string();
            let (mut once, mut twice) = (b"a=".to_vec(), b"a%3D".to_vec());
            push_rfc3986_twice(&mut once, &mut twice, text.as_bytes());
            assert_eq!(once, format!("a={theirs}").into_bytes(), "{text:?}");
            assert_eq!(twice, format!("a%3D{again}").into_bytes(), "{text:?}");
        }
    }
    use chrono::{DateTime, Duration};

    /// The shapes as chrono writes them, over leap years, month ends, midnight and the edges of
    /// four-digit years.
    #[test]
    fn timestamps_match_chronos_format_strings() {
        let starts = [
            "0000-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "1999-12-31T23:59:58Z",
            "2024-02-28T23:59:59Z",
            "2026-12-06T08:04:17Z",
            "9999-12-31T23:00:00Z",
        ];
        for start in starts {
            let start = start.parse::<DateTime<chrono::Utc>>().unwrap().naive_utc();
            for step in 0..200 {
                let t = start + Duration::seconds(step * 7919);
                assert_eq!(
                    iso8601_z_text(t).as_str(),
                    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                );
                assert_eq!(compact(t), t.format("%Y%m%d%H%M%S").to_string());
                assert_eq!(basic_iso8601_z(t), t.format("%Y%m%dT%H%M%SZ").to_string());
                assert_eq!(date(t.date()), t.format("%Y-%m-%d").to_string());
            }
        }
        let far = NaiveDate::from_ymd_opt(12345, 6, 7).unwrap();
        assert_eq!(date(far), far.format("%Y-%m-%d").to_string());
        let before = NaiveDate::from_ymd_opt(-1, 6, 7)
            .unwrap()
            .and_hms_opt(1, 2, 3)
            .unwrap();
        assert_eq!(compact(before), before.format("%Y%m%d%H%M%S").to_string());
        let far = far.and_hms_opt(1, 2, 3).unwrap();
        let written = iso8601_z_text(far);
        assert_eq!(
            written.as_str(),
            far.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        );
        assert!(
            written.as_str().len() > 20,
            "longer than the stack's 20 bytes"
        );
    }

    #[test]
    fn short_text_holds_what_fits_and_keeps_the_rest() {
        assert_eq!(ShortText::<4>::join(&["ab", "cd"]).as_str(), "abcd");
        assert_eq!(ShortText::<4>::join(&["ab", "cde"]).as_str(), "abcde");
        assert_eq!(ShortText::<4>::join(&["文", ""]).into_string(), "文");
    }

    #[test]
    fn a_leap_second_is_written_60() {
        let t = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap();
        assert_eq!(
            iso8601_z_text(t).as_str(),
            t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        );
        assert_eq!(iso8601_z_text(t).as_str(), "2016-12-31T23:59:60Z");
    }

    #[test]
    fn concat_joins_without_separator() {
        assert_eq!(concat(&["a", "", "bc"]), "abc");
        assert_eq!(concat(&[]), "");
    }

    #[test]
    fn hex_keeps_leading_zeros_in_either_case() {
        assert_eq!(hex_lower(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex_upper(&[0x00, 0x0f, 0xa5, 0xff]), "000FA5FF");
        assert_eq!(hex_lower(&[]), "");
    }
}
