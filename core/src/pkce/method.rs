//! The code challenge method.

use core::fmt;
use core::str::FromStr;

/// How a code challenge is derived from its verifier. Only `S256` is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Method {
    /// `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
    #[default]
    S256,
}

impl Method {
    /// The value of the `code_challenge_method` parameter: `"S256"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
        }
    }

    /// Parses a `code_challenge_method` value. The comparison is exact, as RFC 7636 §4.3
    /// defines the values case-sensitively.
    ///
    /// # Errors
    ///
    /// [`MethodError::PlainRefused`] for `plain`, [`MethodError::Unsupported`] for anything
    /// else that is not `S256`.
    pub fn parse(text: &str) -> Result<Self, MethodError> {
        match text {
            "S256" => Ok(Self::S256),
            "plain" => Err(MethodError::PlainRefused),
            _ => Err(MethodError::Unsupported),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = MethodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// Why a `code_challenge_method` value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodError {
    /// `plain` sends the verifier itself as the challenge, so anyone who sees the
    /// authorization request can redeem the code. Refused (RFC 7636 §7.2, RFC 9700 §2.1.1).
    PlainRefused,
    /// A value other than `S256` or `plain`.
    Unsupported,
}

impl fmt::Display for MethodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PlainRefused => f.write_str(
                "code_challenge_method \"plain\" is refused: it exposes the verifier to anyone who \
                 sees the authorization request (RFC 7636 §7.2, RFC 9700 §2.1.1); use S256",
            ),
            Self::Unsupported => {
                f.write_str("unsupported code_challenge_method; only S256 is supported")
            }
        }
    }
}

impl core::error::Error for MethodError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_parses_and_prints() {
        assert_eq!(Method::parse("S256"), Ok(Method::S256));
        assert_eq!("S256".parse::<Method>(), Ok(Method::S256));
        assert_eq!(Method::S256.as_str(), "S256");
        assert_eq!(Method::default(), Method::S256);
    }

    #[test]
    fn plain_is_refused_with_its_reason() {
        assert_eq!(Method::parse("plain"), Err(MethodError::PlainRefused));
    }

    #[test]
    fn other_values_are_unsupported() {
        for text in ["", "s256", "S256 ", "SHA256", "S512", "PLAIN"] {
            assert_eq!(
                Method::parse(text),
                Err(MethodError::Unsupported),
                "{text:?}"
            );
        }
    }
}
