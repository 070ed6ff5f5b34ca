//! base64url without padding (RFC 7515 §2), strict: the alphabet only, no `=`, canonical
//! trailing bits.

use base64ct::{Base64UrlUnpadded, Encoding as _};

/// Decodes `text` into `out`; `None` when it is not canonical unpadded base64url or does
/// not fit.
pub(crate) fn decode<'out>(text: &[u8], out: &'out mut [u8]) -> Option<&'out [u8]> {
    Base64UrlUnpadded::decode(text, out).ok()
}

/// How many bytes `text` decodes to at most.
pub(crate) const fn decoded_len(text: &[u8]) -> usize {
    text.len().saturating_mul(3) / 4
}

/// Encodes `bytes` into `out`; `None` when it does not fit.
pub(crate) fn encode<'out>(bytes: &[u8], out: &'out mut [u8]) -> Option<&'out str> {
    Base64UrlUnpadded::encode(bytes, out).ok()
}
