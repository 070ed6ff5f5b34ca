//! The JWS algorithms this crate verifies (RFC 7518 §3, RFC 8037 §3.1).

use core::fmt;

use super::error::JoseError;

/// A JWS signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `RS256`: RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// `ES256`: ECDSA on P-256 with SHA-256, signature `r || s` (64 bytes).
    Es256,
    /// `EdDSA` with Ed25519 (RFC 8037).
    EdDsa,
}

impl Algorithm {
    /// The `alg` value: `RS256`, `ES256`, `EdDSA`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// Reads a header's or key's `alg` value.
    ///
    /// # Errors
    ///
    /// [`JoseError::AlgorithmNone`] for `none`; [`JoseError::SymmetricAlgorithm`] for
    /// `HS256` / `HS384` / `HS512`; [`JoseError::UnsupportedAlgorithm`] for anything else
    /// this crate does not verify (names are case-sensitive, RFC 7515 §4.1.1).
    pub fn from_name(name: &str) -> Result<Self, JoseError> {
        match name {
            "RS256" => Ok(Self::Rs256),
            "ES256" => Ok(Self::Es256),
            "EdDSA" => Ok(Self::EdDsa),
            "none" => Err(JoseError::AlgorithmNone),
            "HS256" | "HS384" | "HS512" => Err(JoseError::SymmetricAlgorithm),
            _ => Err(JoseError::UnsupportedAlgorithm),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
