//! The S256 code challenge.

use core::fmt;
use core::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64ct::{Base64UrlUnpadded, Encoding as _};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use super::{Method, ShownByte, Verifier, first_disallowed, is_base64url};
use crate::BufferTooSmall;

/// An S256 code challenge: `BASE64URL(SHA256(code_verifier))` (RFC 7636 §4.2).
///
/// It is held as the 32-byte SHA-256 digest, not as text: parsing decodes once, and
/// [`Challenge::verify`] then costs one SHA-256 of the verifier plus a constant-time
/// comparison. [`Challenge::encode_into`] and `Display` give the 43-character text.
///
/// A challenge is not a secret (it travels in the authorization request), but comparing it
/// with a verifier's digest is done in constant time all the same.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Challenge {
    digest: [u8; 32],
}

impl Challenge {
    /// The length of an S256 challenge's text: 43 base64url characters, no padding.
    pub const ENCODED_LEN: usize = 43;

    /// The challenge of `verifier`: `SHA256(verifier)`.
    #[must_use]
    pub fn s256(verifier: &Verifier) -> Self {
        Self {
            digest: Sha256::digest(verifier.as_bytes()).into(),
        }
    }

    /// A challenge from its 32-byte SHA-256 digest, as a server stores it.
    #[must_use]
    pub const fn from_digest(digest: [u8; 32]) -> Self {
        Self { digest }
    }

    /// The 32-byte SHA-256 digest.
    #[must_use]
    pub const fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The method that derives this challenge: always [`Method::S256`].
    #[must_use]
    pub const fn method(&self) -> Method {
        Method::S256
    }

    /// Parses the `code_challenge` parameter of an S256 request.
    ///
    /// # Errors
    ///
    /// * [`ChallengeError::Length`] unless the text is exactly 43 characters (a padded or
    ///   plain-method value is longer or shorter);
    /// * [`ChallengeError::InvalidCharacter`] for the first byte outside the base64url
    ///   alphabet `A-Z a-z 0-9 - _`, with its position;
    /// * [`ChallengeError::NonCanonical`] when the last character carries bits past the
    ///   32-byte digest — no SHA-256 encoder produces such text.
    pub fn parse(text: &str) -> Result<Self, ChallengeError> {
        Self::parse_bytes(text.as_bytes())
    }

    /// Parses a `code_challenge` from raw bytes. See [`Challenge::parse`].
    ///
    /// # Errors
    ///
    /// As [`Challenge::parse`].
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, ChallengeError> {
        if bytes.len() != Self::ENCODED_LEN {
            return Err(ChallengeError::Length { found: bytes.len() });
        }
        if let Some((position, byte)) = first_disallowed(bytes, is_base64url) {
            return Err(ChallengeError::InvalidCharacter { byte, position });
        }
        // `base64ct` refuses set bits past the digest in the last character (non-canonical
        // text). (The `base64` crate's decoder keeps panic paths the release build cannot
        // prove away — see `panic-check/` — so it only encodes here.)
        let mut digest = [0u8; 32];
        match Base64UrlUnpadded::decode(bytes, &mut digest) {
            Ok(decoded) if decoded.len() == 32 => Ok(Self { digest }),
            _ => Err(ChallengeError::NonCanonical),
        }
    }

    /// Whether `verifier` hashes to this challenge, compared in constant time.
    #[must_use]
    pub fn verify(&self, verifier: &Verifier) -> bool {
        self.verify_choice(verifier).into()
    }

    /// [`Challenge::verify`] as a [`subtle::Choice`], for callers that combine it with
    /// other constant-time checks before branching.
    #[must_use]
    pub fn verify_choice(&self, verifier: &Verifier) -> Choice {
        // The verifier's digest is the challenge the client already sent in the clear, so it
        // needs no wiping. The comparison runs over four 64-bit words rather than 32 bytes:
        // the same constant-time `subtle` primitive, an eighth of the optimisation barriers.
        let computed: [u8; 32] = Sha256::digest(verifier.as_bytes()).into();
        let (computed_words, _) = computed.as_chunks::<8>();
        let (stored_words, _) = self.digest.as_chunks::<8>();
        computed_words.iter().zip(stored_words).fold(
            Choice::from(1),
            |equal, (computed, stored)| {
                equal & u64::from_ne_bytes(*computed).ct_eq(&u64::from_ne_bytes(*stored))
            },
        )
    }

    /// Writes the 43-character text into `out` and returns it.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] (needing 43 bytes) when `out` is shorter.
    pub fn encode_into<'out>(&self, out: &'out mut [u8]) -> Result<&'out str, BufferTooSmall> {
        let out = out.get_mut(..Self::ENCODED_LEN).ok_or(BufferTooSmall {
            needed: Self::ENCODED_LEN,
        })?;
        let written = URL_SAFE_NO_PAD
            .encode_slice(self.digest, out)
            .map_err(|_| BufferTooSmall {
                needed: Self::ENCODED_LEN,
            })?;
        // The base64url alphabet is ASCII, so the text is always UTF-8.
        core::str::from_utf8(out.get(..written).unwrap_or_default()).map_err(|_| BufferTooSmall {
            needed: Self::ENCODED_LEN,
        })
    }
}

/// The 43-character base64url text.
impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = [0u8; Self::ENCODED_LEN];
        f.write_str(self.encode_into(&mut text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Challenge(S256, \"{self}\")")
    }
}

impl FromStr for Challenge {
    type Err = ChallengeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl From<&Verifier> for Challenge {
    fn from(verifier: &Verifier) -> Self {
        Self::s256(verifier)
    }
}

/// Why text is not a valid S256 code challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeError {
    /// The text has `found` characters; an S256 challenge has exactly 43.
    Length {
        /// The length of the input in bytes.
        found: usize,
    },
    /// `byte`, at zero-based `position`, is not in the base64url alphabet.
    InvalidCharacter {
        /// The offending byte.
        byte: u8,
        /// Its zero-based position in the input.
        position: usize,
    },
    /// The last character sets bits beyond the 256-bit digest, so the text is not the
    /// canonical encoding of any SHA-256 output.
    NonCanonical,
}

impl fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Length { found } => write!(
                f,
                "{found} characters; an S256 challenge has exactly {} \
                 (base64url of a SHA-256 digest, no padding)",
                Challenge::ENCODED_LEN
            ),
            Self::InvalidCharacter { byte, position } => write!(
                f,
                "{} at position {position} is not base64url (A-Z a-z 0-9 - _)",
                ShownByte(byte)
            ),
            Self::NonCanonical => f.write_str(
                "not a canonical base64url SHA-256 digest: the last character sets bits past \
                 the 32-byte digest",
            ),
        }
    }
}

impl core::error::Error for ChallengeError {}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc_7636_appendix_b() {
        let verifier = Verifier::parse(RFC_VERIFIER).unwrap();
        let challenge = Challenge::s256(&verifier);
        assert_eq!(challenge.to_string(), RFC_CHALLENGE);
        assert_eq!(Challenge::parse(RFC_CHALLENGE).unwrap(), challenge);
        assert!(challenge.verify(&verifier));
    }

    #[test]
    fn a_different_verifier_does_not_verify() {
        let challenge = Challenge::parse(RFC_CHALLENGE).unwrap();
        let other = Verifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl").unwrap();
        assert!(!challenge.verify(&other));
        assert!(!bool::from(challenge.verify_choice(&other)));
    }

    #[test]
    fn length_errors_name_the_length() {
        for len in [0, 42, 44, 86] {
            let text = "A".repeat(len);
            assert_eq!(
                Challenge::parse(&text),
                Err(ChallengeError::Length { found: len })
            );
        }
        assert_eq!(
            ChallengeError::Length { found: 44 }.to_string(),
            "44 characters; an S256 challenge has exactly 43 (base64url of a SHA-256 digest, \
             no padding)"
        );
    }

    #[test]
    fn padding_and_standard_alphabet_are_refused() {
        let padded = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c=";
        assert_eq!(
            Challenge::parse(padded),
            Err(ChallengeError::InvalidCharacter {
                byte: b'=',
                position: 42
            })
        );
        let standard = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM";
        assert_eq!(
            Challenge::parse(standard),
            Err(ChallengeError::InvalidCharacter {
                byte: b'+',
                position: 40
            })
        );
    }

    #[test]
    fn non_canonical_trailing_bits_are_refused() {
        // 'M' = 12 = 0b001100: its low two bits are past the digest and set → 'N' = 13.
        let tweaked = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN";
        assert_eq!(Challenge::parse(tweaked), Err(ChallengeError::NonCanonical));
    }

    #[test]
    fn every_byte_value_in_a_challenge() {
        for byte in 0..=255u8 {
            let mut text = *b"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
            text[5] = byte;
            let result = Challenge::parse_bytes(&text);
            let allowed = byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_';
            assert_eq!(result.is_ok(), allowed, "byte 0x{byte:02x}");
            if !allowed {
                assert_eq!(
                    result,
                    Err(ChallengeError::InvalidCharacter { byte, position: 5 })
                );
            }
        }
    }

    #[test]
    fn encode_into_reports_the_size_it_needs() {
        let challenge = Challenge::parse(RFC_CHALLENGE).unwrap();
        let mut small = [0u8; 42];
        assert_eq!(
            challenge.encode_into(&mut small),
            Err(BufferTooSmall { needed: 43 })
        );
        let mut large = [0u8; 64];
        assert_eq!(challenge.encode_into(&mut large), Ok(RFC_CHALLENGE));
    }

    #[test]
    fn digest_round_trips() {
        let challenge = Challenge::parse(RFC_CHALLENGE).unwrap();
        assert_eq!(Challenge::from_digest(*challenge.digest()), challenge);
        assert_eq!(challenge.method(), Method::S256);
        assert_eq!(
            std::format!("{challenge:?}"),
            std::format!("Challenge(S256, \"{RFC_CHALLENGE}\")")
        );
    }
}
