//! The one "valid UTF-8 prefix that fits" helper: informational text (error descriptions,
//! error texts for C callers) is cut rather than refused, always at a character boundary.

use core::fmt;

use heapless::String;

/// The longest prefix of `bytes` that is valid UTF-8.
#[must_use]
pub fn valid_prefix(bytes: &[u8]) -> &str {
    match core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => core::str::from_utf8(bytes.get(..error.valid_up_to()).unwrap_or_default())
            .unwrap_or_default(),
    }
}

/// The longest prefix of `text` of at most `max` bytes (cut at a character boundary).
#[must_use]
pub fn fitting_prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or_default()
}

/// `text` cut to fit `N` bytes.
#[must_use]
pub fn truncated<const N: usize>(text: &str) -> String<N> {
    String::try_from(fitting_prefix(text, N)).unwrap_or_default()
}

/// A [`fmt::Write`] into `N` bytes that keeps what fits, whole characters only.
#[derive(Debug, Default)]
pub struct Truncating<const N: usize>(pub String<N>);

impl<const N: usize> fmt::Write for Truncating<N> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let room = N.saturating_sub(self.0.len());
        // Within capacity by construction.
        let _ = self.0.push_str(fitting_prefix(text, room));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use core::fmt::Write as _;

    use super::*;

    #[test]
    fn cuts_at_character_boundaries() {
        assert_eq!(valid_prefix(b"caf\xc3\xa9\xff"), "café");
        assert_eq!(valid_prefix(b"caf\xc3"), "caf");
        assert_eq!(fitting_prefix("café", 4), "caf");
        assert_eq!(fitting_prefix("café", 9), "café");
        assert_eq!(truncated::<4>("café").as_str(), "caf");
        let mut out = Truncating::<5>::default();
        let more = "éé";
        let _ = write!(out, "é{more}");
        assert_eq!(out.0.as_str(), "éé");
    }
}
