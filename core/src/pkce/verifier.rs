//! The code verifier: the client's PKCE secret.

use core::fmt;
use core::str::FromStr;

use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::TryCryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{ShownByte, first_disallowed, is_unreserved};

/// The length of a code verifier in characters: 43 to 128 (RFC 7636 §4.1).
///
/// Holding a `VerifierLength` proves the length is in range, so generation cannot fail
/// because of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VerifierLength(u8);

impl VerifierLength {
    /// The shortest verifier: 43 characters.
    pub const MIN: Self = Self(43);
    /// The longest verifier: 128 characters.
    pub const MAX: Self = Self(128);
    /// The default: 43 characters, the base64url encoding of 32 random bytes — the length
    /// RFC 7636 §4.1 recommends, carrying 256 bits of entropy.
    pub const DEFAULT: Self = Self::MIN;

    /// A length of `chars` characters.
    ///
    /// # Errors
    ///
    /// [`VerifierError::Length`] when `chars` is outside 43..=128.
    pub const fn new(chars: usize) -> Result<Self, VerifierError> {
        if chars >= Self::MIN.get() && chars <= Self::MAX.get() {
            // In range, so it fits in a u8 (max 128).
            #[allow(clippy::cast_possible_truncation)]
            Ok(Self(chars as u8))
        } else {
            Err(VerifierError::Length { found: chars })
        }
    }

    /// The length in characters.
    #[must_use]
    pub const fn get(self) -> usize {
        self.0 as usize
    }

    /// Random bytes whose base64url encoding covers this many characters: ⌈chars × 3 / 4⌉
    /// (at most 96).
    const fn random_bytes(self) -> usize {
        self.get().saturating_mul(3).div_ceil(4)
    }
}

impl Default for VerifierLength {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A PKCE code verifier (RFC 7636 §4.1): 43 to 128 characters from `A-Z a-z 0-9 - . _ ~`.
///
/// It is a secret. Its bytes are wiped when it is dropped, `Debug` shows only its length,
/// and [`crate::pkce::Challenge::verify`] compares against it in constant time.
/// Cloning makes a second secret that is wiped on its own drop.
#[derive(Clone)]
pub struct Verifier {
    /// The characters, `len` of them used; the rest are always zero.
    chars: [u8; VerifierLength::MAX.get()],
    len: VerifierLength,
}

impl Verifier {
    /// Generates a verifier of `length` characters from a cryptographically secure RNG.
    ///
    /// The verifier is the base64url encoding (no padding) of ⌈length × 3 / 4⌉ random
    /// bytes, cut to `length` characters: the default 43 characters carry 256 bits of
    /// entropy, as RFC 7636 §7.1 recommends. The random bytes are wiped before return.
    ///
    /// For an infallible generator (`R::Error = Infallible`) the only possible error is
    /// [`GenerateError::Encoding`], which cannot happen for any [`VerifierLength`].
    ///
    /// # Errors
    ///
    /// [`GenerateError::Randomness`] carries the RNG's own error when it fails (for
    /// example when the OS source is unavailable).
    pub fn generate<R>(rng: &mut R, length: VerifierLength) -> Result<Self, GenerateError<R::Error>>
    where
        R: TryCryptoRng + ?Sized,
    {
        let mut random = [0u8; 96];
        let result = Self::encode_random(rng, length, &mut random);
        if let Some(used) = random.get_mut(..length.random_bytes()) {
            used.zeroize();
        }
        result
    }

    fn encode_random<R>(
        rng: &mut R,
        length: VerifierLength,
        random: &mut [u8; 96],
    ) -> Result<Self, GenerateError<R::Error>>
    where
        R: TryCryptoRng + ?Sized,
    {
        let random = random
            .get_mut(..length.random_bytes())
            .ok_or(GenerateError::Encoding)?;
        rng.try_fill_bytes(random)
            .map_err(GenerateError::Randomness)?;

        let mut verifier = Self {
            chars: [0; VerifierLength::MAX.get()],
            len: length,
        };
        // ⌈4n/3⌉ ≤ 128 characters for n ≤ 96 bytes, so the array always has room. The
        // constant-time encoder is used because these bytes are the secret.
        let encoded = Base64UrlUnpadded::encode(random, &mut verifier.chars)
            .map_err(|_| GenerateError::Encoding)?
            .len();
        // The encoding may run one character past `length`; cut it off and wipe it, so that
        // every byte past `len` is zero (which `Drop` relies on).
        if let Some(tail) = verifier.chars.get_mut(length.get()..encoded) {
            tail.zeroize();
        }
        Ok(verifier)
    }

    /// Parses a verifier from text, validating it per RFC 7636 §4.1.
    ///
    /// # Errors
    ///
    /// [`VerifierError::Length`] when the text is not 43 to 128 bytes long;
    /// [`VerifierError::InvalidCharacter`] with the first byte outside
    /// `A-Z a-z 0-9 - . _ ~` and its position.
    pub fn parse(text: &str) -> Result<Self, VerifierError> {
        Self::parse_bytes(text.as_bytes())
    }

    /// Parses a verifier from raw bytes (as received, before any UTF-8 check), validating
    /// it per RFC 7636 §4.1.
    ///
    /// # Errors
    ///
    /// As [`Verifier::parse`].
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, VerifierError> {
        let len = VerifierLength::new(bytes.len())?;
        if let Some((position, byte)) = first_disallowed(bytes, is_unreserved) {
            return Err(VerifierError::InvalidCharacter { byte, position });
        }
        let mut chars = [0; VerifierLength::MAX.get()];
        chars
            .get_mut(..bytes.len())
            .ok_or(VerifierError::Length { found: bytes.len() })?
            .copy_from_slice(bytes);
        Ok(Self { chars, len })
    }

    /// The verifier's characters, as sent in the `code_verifier` parameter.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.chars.get(..self.len.get()).unwrap_or_default()
    }

    /// The verifier as text. Every character is ASCII, so this is the same bytes as
    /// [`Verifier::as_bytes`].
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only unreserved ASCII characters are ever stored, which is always valid UTF-8.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// Moves the verifier out, leaving an all-zero placeholder behind (for a state that is
    /// replaced at once: the session moves its verifier on without a copy of the whole
    /// stage it sits in).
    pub(crate) fn take(&mut self) -> Self {
        core::mem::replace(
            self,
            Self {
                chars: [0; VerifierLength::MAX.get()],
                len: VerifierLength::MIN,
            },
        )
    }

    /// The length in characters.
    #[must_use]
    pub const fn len(&self) -> VerifierLength {
        self.len
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Verifier(<{} characters, redacted>)", self.len.get())
    }
}

impl Drop for Verifier {
    fn drop(&mut self) {
        // Only the first `len` bytes ever hold the secret; the rest are always zero.
        match self.chars.get_mut(..self.len.get()) {
            Some(secret) => secret.zeroize(),
            None => self.chars.zeroize(),
        }
    }
}

impl ZeroizeOnDrop for Verifier {}

impl FromStr for Verifier {
    type Err = VerifierError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<&[u8]> for Verifier {
    type Error = VerifierError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        Self::parse_bytes(bytes)
    }
}

/// Why text is not a valid code verifier (RFC 7636 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifierError {
    /// The verifier is `found` characters long; it must have 43 to 128.
    Length {
        /// The length of the input in bytes.
        found: usize,
    },
    /// `byte`, at zero-based `position`, is not one of `A-Z a-z 0-9 - . _ ~`.
    InvalidCharacter {
        /// The offending byte.
        byte: u8,
        /// Its zero-based position in the input.
        position: usize,
    },
}

impl fmt::Display for VerifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Length { found } => write!(
                f,
                "{found} characters; a code verifier has {} to {} (RFC 7636 §4.1)",
                VerifierLength::MIN.get(),
                VerifierLength::MAX.get()
            ),
            Self::InvalidCharacter { byte, position } => write!(
                f,
                "{} at position {position} is not allowed; a code verifier uses only \
                 A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)",
                ShownByte(byte)
            ),
        }
    }
}

impl core::error::Error for VerifierError {}

/// Why [`Verifier::generate`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GenerateError<E> {
    /// The random number generator failed; its error is inside.
    Randomness(E),
    /// The base64url encoder refused the output buffer. This cannot happen for any
    /// [`VerifierLength`]; it exists so that no path in the core can panic.
    Encoding,
}

impl<E: fmt::Display> fmt::Display for GenerateError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Randomness(error) => write!(f, "the random number generator failed: {error}"),
            Self::Encoding => f.write_str("internal error: the verifier could not be encoded"),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for GenerateError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Randomness(error) => Some(error),
            Self::Encoding => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn rng() -> StdRng {
        StdRng::seed_from_u64(0x5eed)
    }

    /// A 43..=128 character verifier made of `fill`.
    fn text_of(len: usize, fill: u8) -> [u8; 200] {
        let mut text = [b'x'; 200];
        text[..len].fill(fill);
        text
    }

    #[test]
    fn default_generation_is_43_unreserved_characters() {
        let verifier = Verifier::generate(&mut rng(), VerifierLength::DEFAULT).unwrap();
        assert_eq!(verifier.len(), VerifierLength::DEFAULT);
        assert_eq!(verifier.as_str().len(), 43);
        assert!(verifier.as_bytes().iter().all(|&b| is_unreserved(b)));
    }

    #[test]
    fn every_length_from_43_to_128_generates_that_length() {
        let mut rng = rng();
        for chars in 43..=128 {
            let length = VerifierLength::new(chars).unwrap();
            let verifier = Verifier::generate(&mut rng, length).unwrap();
            assert_eq!(verifier.as_bytes().len(), chars);
            assert!(Verifier::parse(verifier.as_str()).is_ok());
            // Nothing beyond the length is kept.
            assert!(verifier.chars[chars..].iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn generated_verifiers_differ() {
        let mut rng = rng();
        let a = Verifier::generate(&mut rng, VerifierLength::DEFAULT).unwrap();
        let b = Verifier::generate(&mut rng, VerifierLength::DEFAULT).unwrap();
        assert_ne!(a.as_str(), b.as_str());
    }

    #[test]
    fn rng_failure_is_reported_not_hidden() {
        #[derive(Debug)]
        struct Broken;
        impl fmt::Display for Broken {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("no entropy")
            }
        }
        impl core::error::Error for Broken {}
        struct FailingRng;
        impl rand_core::TryRng for FailingRng {
            type Error = Broken;
            fn try_next_u32(&mut self) -> Result<u32, Broken> {
                Err(Broken)
            }
            fn try_next_u64(&mut self) -> Result<u64, Broken> {
                Err(Broken)
            }
            fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Broken> {
                Err(Broken)
            }
        }
        impl TryCryptoRng for FailingRng {}

        let error = Verifier::generate(&mut FailingRng, VerifierLength::DEFAULT).unwrap_err();
        assert!(matches!(error, GenerateError::Randomness(Broken)));
    }

    #[test]
    fn length_boundaries() {
        for (len, ok) in [
            (0, false),
            (42, false),
            (43, true),
            (128, true),
            (129, false),
        ] {
            let text = text_of(len, b'a');
            let result = Verifier::parse_bytes(&text[..len]);
            assert_eq!(result.is_ok(), ok, "length {len}");
            if !ok {
                assert_eq!(result.unwrap_err(), VerifierError::Length { found: len });
            }
            assert_eq!(VerifierLength::new(len).is_ok(), ok, "VerifierLength {len}");
        }
    }

    #[test]
    fn every_byte_value_is_accepted_exactly_when_unreserved() {
        for byte in 0..=255u8 {
            let mut text = text_of(43, b'a');
            text[17] = byte;
            let expected_ok = byte.is_ascii_alphanumeric() || b"-._~".contains(&byte);
            match Verifier::parse_bytes(&text[..43]) {
                Ok(verifier) => {
                    assert!(expected_ok, "byte 0x{byte:02x} accepted");
                    assert_eq!(verifier.as_bytes()[17], byte);
                }
                Err(error) => {
                    assert!(!expected_ok, "byte 0x{byte:02x} refused");
                    assert_eq!(
                        error,
                        VerifierError::InvalidCharacter { byte, position: 17 }
                    );
                }
            }
        }
    }

    #[test]
    fn the_first_bad_byte_is_reported() {
        let mut text = text_of(50, b'Z');
        text[3] = b'+';
        text[9] = b'/';
        assert_eq!(
            Verifier::parse_bytes(&text[..50]).unwrap_err(),
            VerifierError::InvalidCharacter {
                byte: b'+',
                position: 3
            }
        );
    }

    #[test]
    fn length_is_checked_before_characters() {
        assert_eq!(
            Verifier::parse("short with spaces").unwrap_err(),
            VerifierError::Length { found: 17 }
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        extern crate std;
        use std::string::ToString;
        assert_eq!(
            VerifierError::Length { found: 42 }.to_string(),
            "42 characters; a code verifier has 43 to 128 (RFC 7636 §4.1)"
        );
        assert_eq!(
            VerifierError::InvalidCharacter {
                byte: b'=',
                position: 43
            }
            .to_string(),
            "'=' (0x3d) at position 43 is not allowed; a code verifier uses only \
             A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)"
        );
        assert!(
            VerifierError::InvalidCharacter {
                byte: b'\n',
                position: 0
            }
            .to_string()
            .starts_with("byte 0x0a at position 0")
        );
        assert!(
            VerifierError::InvalidCharacter {
                byte: b' ',
                position: 1
            }
            .to_string()
            .starts_with("a space (0x20) at position 1")
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        extern crate std;
        use std::format;
        let verifier = Verifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        let shown = format!("{verifier:?}");
        assert_eq!(shown, "Verifier(<43 characters, redacted>)");
        assert!(!shown.contains("dBjf"));
    }

    #[test]
    fn parsing_round_trips_through_as_str() {
        let text = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
        let verifier: Verifier = text.parse().unwrap();
        assert_eq!(verifier.as_str(), text);
        assert_eq!(Verifier::try_from(text.as_bytes()).unwrap().as_str(), text);
    }
}
