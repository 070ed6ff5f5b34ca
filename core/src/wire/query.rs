//! Query strings and `application/x-www-form-urlencoded` bodies: percent-encoding values
//! into a [`Writer`](super::Writer), and reading `name=value&…` pairs without allocating.

use core::fmt;

use percent_encoding::percent_decode;

/// `value` percent-encoded for a query component or a form body, as a `Display` value.
///
/// RFC 3986's unreserved characters `A-Z a-z 0-9 - . _ ~` stay as they are; every other
/// byte becomes `%XX`, which is correct both in a URL query component and in a form body.
/// (Written here rather than with `percent_encoding::utf8_percent_encode`, whose `Display`
/// keeps a panic path the release build cannot prove away — see `panic-check/`.)
pub fn encode(value: &str) -> impl fmt::Display + '_ {
    Encoded(value)
}

struct Encoded<'a>(&'a str);

impl fmt::Display for Encoded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut run_start = 0;
        for (index, &byte) in self.0.as_bytes().iter().enumerate() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                continue;
            }
            // The run before `index` is ASCII, so both ends are character boundaries.
            f.write_str(self.0.get(run_start..index).unwrap_or_default())?;
            let high = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
            let low = HEX.get(usize::from(byte & 0xf)).copied().unwrap_or(b'0');
            f.write_str(core::str::from_utf8(&[b'%', high, low]).unwrap_or_default())?;
            run_start = index.saturating_add(1);
        }
        f.write_str(self.0.get(run_start..).unwrap_or_default())
    }
}

/// Most parameters one query or form body may hold. Bounds the duplicate check, and no
/// OAuth message needs more.
pub const MAX_PARAMS: usize = 64;

/// One `name=value` pair, still encoded as it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawParam<'a> {
    /// The name, percent-encoded.
    pub name: &'a [u8],
    /// The value, percent-encoded; empty when the pair had no `=`.
    pub value: &'a [u8],
}

impl RawParam<'_> {
    /// Whether the decoded name equals `name`.
    #[must_use]
    pub fn is(&self, name: &str) -> bool {
        if is_plain(self.name) {
            return self.name == name.as_bytes();
        }
        decoded(self.name).eq(name.bytes())
    }
}

/// The pairs of a query or form body, in order. Empty segments (`a=1&&b=2`) are skipped.
pub fn params(query: &[u8]) -> impl Iterator<Item = RawParam<'_>> {
    query
        .split(|&byte| byte == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut halves = pair.splitn(2, |&byte| byte == b'=');
            RawParam {
                name: halves.next().unwrap_or_default(),
                value: halves.next().unwrap_or_default(),
            }
        })
}

/// Why a query or form body was refused before any parameter was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryError {
    /// A parameter appears more than once (RFC 6749 §3.1, §3.2: parameters must not be
    /// repeated). `name` holds the first bytes of its decoded name.
    Duplicate {
        /// The repeated parameter's name, as far as it fits.
        name: ParamName,
    },
    /// More than [`MAX_PARAMS`] parameters.
    TooManyParameters,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Duplicate { name } => write!(f, "parameter \"{name}\" appears more than once"),
            Self::TooManyParameters => write!(f, "more than {MAX_PARAMS} parameters"),
        }
    }
}

impl core::error::Error for QueryError {}

/// Checks that no parameter name appears twice (compared after decoding) and that there
/// are at most [`MAX_PARAMS`] parameters.
///
/// # Errors
///
/// [`QueryError::Duplicate`] naming the first repeated parameter;
/// [`QueryError::TooManyParameters`].
pub fn check_unique(query: &[u8]) -> Result<(), QueryError> {
    // Split once into a fixed array, then compare names pairwise (n ≤ 64).
    let mut names: [&[u8]; MAX_PARAMS] = [&[]; MAX_PARAMS];
    let mut count = 0usize;
    for param in params(query) {
        let slot = names.get_mut(count).ok_or(QueryError::TooManyParameters)?;
        *slot = param.name;
        count = count.saturating_add(1);
    }
    let names = names.get(..count).unwrap_or_default();
    for (index, name) in names.iter().enumerate() {
        let later = names.get(index.saturating_add(1)..).unwrap_or_default();
        if later.iter().any(|other| same_name(name, other)) {
            return Err(QueryError::Duplicate {
                name: ParamName::from_decoded(decoded(name)),
            });
        }
    }
    Ok(())
}

/// Whether two raw names decode to the same bytes.
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    if is_plain(a) && is_plain(b) {
        a == b
    } else {
        decoded(a).eq(decoded(b))
    }
}

/// Whether `raw` decodes to itself (no `%` escapes, no `+`), so it can be compared or
/// copied without decoding.
fn is_plain(raw: &[u8]) -> bool {
    !raw.iter().any(|&byte| byte == b'%' || byte == b'+')
}

/// The bytes `raw` stands for under form decoding: `+` is a space and `%XX` is the byte
/// `XX` (a `%` not followed by two hex digits stands for itself, as browsers do).
pub fn decoded(raw: &[u8]) -> impl Iterator<Item = u8> + '_ {
    raw.split(|&byte| byte == b'+')
        .enumerate()
        .flat_map(|(index, run)| {
            (index > 0)
                .then_some(b' ')
                .into_iter()
                .chain(percent_decode(run))
        })
}

/// Why a parameter value could not be decoded into its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecodeError {
    /// The decoded value is longer than the `max` bytes reserved for it.
    TooLong {
        /// The capacity in bytes.
        max: usize,
    },
    /// The decoded value is not UTF-8.
    NotUtf8,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { max } => write!(f, "longer than the {max} bytes authcode keeps"),
            Self::NotUtf8 => f.write_str("not UTF-8 after percent-decoding"),
        }
    }
}

impl core::error::Error for DecodeError {}

/// Decodes `raw` into `out` and returns the text.
///
/// # Errors
///
/// [`DecodeError::TooLong`] when the decoded value does not fit `out`;
/// [`DecodeError::NotUtf8`].
pub fn decode_into<'out>(raw: &[u8], out: &'out mut [u8]) -> Result<&'out str, DecodeError> {
    let max = out.len();
    if is_plain(raw) {
        let slot = out
            .get_mut(..raw.len())
            .ok_or(DecodeError::TooLong { max })?;
        slot.copy_from_slice(raw);
        return core::str::from_utf8(slot).map_err(|_| DecodeError::NotUtf8);
    }
    let mut len = 0usize;
    for byte in decoded(raw) {
        let slot = out.get_mut(len).ok_or(DecodeError::TooLong { max })?;
        *slot = byte;
        len = len.saturating_add(1);
    }
    let written: &'out [u8] = out.get(..len).unwrap_or_default();
    core::str::from_utf8(written).map_err(|_| DecodeError::NotUtf8)
}

/// Checks what [`decode_into`] would decode, without a buffer of its size: the decoded
/// length (at most `max` bytes) and that it is UTF-8. Returns the decoded length.
///
/// # Errors
///
/// As [`decode_into`] into a buffer of `max` bytes: [`DecodeError::TooLong`] first, then
/// [`DecodeError::NotUtf8`].
pub fn check_decoded(raw: &[u8], max: usize) -> Result<usize, DecodeError> {
    // UTF-8 is checked 64 bytes at a time; a character cut at a window's end moves to the
    // start of the next.
    let mut window = [0u8; 64];
    let mut filled = 0usize;
    let mut len = 0usize;
    let mut utf8 = true;
    for byte in decoded(raw) {
        len = len.saturating_add(1);
        if len > max {
            return Err(DecodeError::TooLong { max });
        }
        if let Some(slot) = window.get_mut(filled) {
            *slot = byte;
            filled = filled.saturating_add(1);
        }
        if filled == window.len() {
            let kept = match core::str::from_utf8(&window) {
                Ok(_) => 0,
                Err(error) if error.error_len().is_none() => {
                    window.len().saturating_sub(error.valid_up_to())
                }
                Err(_) => {
                    utf8 = false;
                    0
                }
            };
            // At most three bytes of a character wait for the rest of it.
            let mut carried = [0u8; 4];
            let tail = window
                .get(window.len().saturating_sub(kept)..)
                .unwrap_or_default();
            for (slot, byte) in carried.iter_mut().zip(tail) {
                *slot = *byte;
            }
            for (slot, byte) in window.iter_mut().zip(carried.iter().take(kept)) {
                *slot = *byte;
            }
            filled = kept.min(carried.len());
        }
    }
    let rest = window.get(..filled).unwrap_or_default();
    if utf8 && core::str::from_utf8(rest).is_ok() {
        Ok(len)
    } else {
        Err(DecodeError::NotUtf8)
    }
}

/// The first bytes of a parameter name, for error messages (no allocation).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamName {
    bytes: [u8; 32],
    len: u8,
}

impl ParamName {
    /// Up to 32 bytes of `name`.
    pub fn from_decoded(name: impl Iterator<Item = u8>) -> Self {
        let mut bytes = [0u8; 32];
        let mut len = 0u8;
        for (slot, byte) in bytes.iter_mut().zip(name) {
            *slot = byte;
            len = len.saturating_add(1);
        }
        Self { bytes, len }
    }

    /// The name (invalid UTF-8 shown as replacement characters when displayed).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl fmt::Display for ParamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.as_bytes().utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{fffd}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for ParamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;
    use std::vec::Vec;

    use super::*;
    use crate::wire::Writer;

    #[test]
    fn check_decoded_agrees_with_decode_into() {
        // Multi-byte characters across every window boundary, bad bytes anywhere, and
        // lengths around the limit.
        let mut inputs: Vec<std::string::String> = Vec::new();
        for pad in 0..70 {
            let prefix = "a".repeat(pad);
            inputs.push(std::format!("{prefix}%C3%A9%E2%82%AC%F0%9F%98%80+z"));
            inputs.push(std::format!("{prefix}%FF"));
            inputs.push(std::format!("{prefix}%E2%82"));
            inputs.push(std::format!("{prefix}%C3%A9{prefix}"));
        }
        for input in &inputs {
            for max in [0, 1, 63, 64, 65, 100, 200] {
                let mut buf = [0u8; 200];
                let expected = decode_into(input.as_bytes(), &mut buf[..max]).map(str::len);
                assert_eq!(
                    check_decoded(input.as_bytes(), max),
                    expected,
                    "{input} max {max}"
                );
            }
        }
    }

    #[test]
    fn encodes_all_but_unreserved() {
        let mut buf = [0u8; 128];
        let mut writer = Writer::new(&mut buf);
        core::fmt::Write::write_fmt(&mut writer, format_args!("{}", encode("a b&c=d/é~._-+%")))
            .unwrap();
        assert_eq!(writer.finish().unwrap(), "a%20b%26c%3Dd%2F%C3%A9~._-%2B%25");
    }

    #[test]
    fn splits_pairs_and_skips_empty_segments() {
        let pairs: Vec<_> = params(b"a=1&&b=&c&d=x=y").collect();
        assert_eq!(pairs.len(), 4);
        assert_eq!(
            pairs[0],
            RawParam {
                name: b"a",
                value: b"1"
            }
        );
        assert_eq!(
            pairs[1],
            RawParam {
                name: b"b",
                value: b""
            }
        );
        assert_eq!(
            pairs[2],
            RawParam {
                name: b"c",
                value: b""
            }
        );
        assert_eq!(
            pairs[3],
            RawParam {
                name: b"d",
                value: b"x=y"
            }
        );
    }

    #[test]
    fn decodes_plus_and_percent() {
        let mut out = [0u8; 32];
        assert_eq!(decode_into(b"a+b%20c%2Bd%zz%", &mut out), Ok("a b c+d%zz%"));
        assert_eq!(decode_into(b"%C3%A9", &mut out), Ok("é"));
        assert_eq!(decode_into(b"%FF", &mut out), Err(DecodeError::NotUtf8));
        let mut small = [0u8; 2];
        assert_eq!(
            decode_into(b"abc", &mut small),
            Err(DecodeError::TooLong { max: 2 })
        );
    }

    #[test]
    fn duplicates_are_found_after_decoding() {
        assert_eq!(check_unique(b"a=1&b=2"), Ok(()));
        let error = check_unique(b"state=1&code=2&%73tate=3").unwrap_err();
        assert_eq!(
            error.to_string(),
            "parameter \"state\" appears more than once"
        );
        assert!(matches!(
            check_unique(b"a+b=1&a%20b=2"),
            Err(QueryError::Duplicate { .. })
        ));
    }

    #[test]
    fn too_many_parameters() {
        let query: std::string::String = (0..65).map(|i| std::format!("p{i}=1&")).collect();
        assert_eq!(
            check_unique(query.as_bytes()),
            Err(QueryError::TooManyParameters)
        );
        let query: std::string::String = (0..64).map(|i| std::format!("p{i}=1&")).collect();
        assert_eq!(check_unique(query.as_bytes()), Ok(()));
    }

    #[test]
    fn param_names_match_decoded() {
        let param = params(b"code%5Fchallenge=x").next().unwrap();
        assert!(param.is("code_challenge"));
        assert!(!param.is("code"));
    }
}
