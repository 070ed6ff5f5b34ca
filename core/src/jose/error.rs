//! Why a JWS, a key or a claim set was refused.

use core::fmt;

use super::algorithm::Algorithm;
use crate::wire::json::JsonError;

/// A part of a JWS compact serialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The whole token (not three dot-separated parts).
    Token,
    /// The protected header.
    Header,
    /// The payload.
    Payload,
    /// The signature.
    Signature,
}

impl Part {
    const fn name(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
        }
    }
}

/// Why a JWS was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoseError {
    /// Not the compact serialization: three base64url parts separated by dots.
    Malformed {
        /// The part at fault.
        part: Part,
    },
    /// A part is larger than its buffer allows.
    TooLarge {
        /// The part.
        part: Part,
        /// The limit, in decoded bytes.
        max: usize,
    },
    /// The header or payload is not a JSON object (RFC 7515 §5.2 step 4; RFC 7519 §7.2).
    Json {
        /// The part.
        part: Part,
        /// What is wrong with it.
        error: JsonError,
    },
    /// A header member or claim appears twice (RFC 7515 §5.2 step 4).
    DuplicateMember {
        /// The member.
        member: &'static str,
    },
    /// A header member or claim has the wrong type or is too long.
    InvalidMember {
        /// The member.
        member: &'static str,
    },
    /// The header has no `alg`.
    MissingAlgorithm,
    /// `alg` is `none`: unsecured JWSs are never accepted.
    AlgorithmNone,
    /// `alg` is an HMAC algorithm, which is not verified with a public key.
    SymmetricAlgorithm,
    /// `alg` names an algorithm this crate does not verify.
    UnsupportedAlgorithm,
    /// `alg` is not the algorithm of the key (the key decides).
    AlgorithmMismatch {
        /// What the header says.
        header: Algorithm,
        /// What the key is for.
        key: Algorithm,
    },
    /// The verifier for this algorithm is not built in (its cargo feature is off).
    AlgorithmNotBuilt {
        /// The algorithm.
        algorithm: Algorithm,
    },
    /// The header lists `crit` extensions; none are understood (RFC 7515 §4.1.11).
    UnknownCritical,
    /// No key of the set fits the header's `kid` and `alg`.
    NoMatchingKey,
    /// The header has no `kid` and several keys of the set fit its `alg`.
    AmbiguousKey,
    /// The signature does not verify.
    BadSignature,
}

impl fmt::Display for JoseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed { part } => write!(f, "the JWS {} is malformed", part.name()),
            Self::TooLarge { part, max } => {
                write!(f, "the JWS {} is larger than {max} bytes", part.name())
            }
            Self::Json { part, error } => {
                write!(f, "the JWS {} is not a JSON object: {error}", part.name())
            }
            Self::DuplicateMember { member } => write!(f, "{member} appears twice"),
            Self::InvalidMember { member } => write!(f, "{member} is malformed"),
            Self::MissingAlgorithm => f.write_str("the JWS header has no alg"),
            Self::AlgorithmNone => f.write_str("alg none is refused"),
            Self::SymmetricAlgorithm => f.write_str("HMAC algorithms are refused"),
            Self::UnsupportedAlgorithm => f.write_str("unsupported alg"),
            Self::AlgorithmMismatch { header, key } => {
                write!(f, "alg {header} does not match the key's algorithm {key}")
            }
            Self::AlgorithmNotBuilt { algorithm } => {
                write!(f, "{algorithm} verification is not built in")
            }
            Self::UnknownCritical => f.write_str("unknown crit extension"),
            Self::NoMatchingKey => f.write_str("no key matches the token's kid and alg"),
            Self::AmbiguousKey => f.write_str("the token has no kid and several keys match"),
            Self::BadSignature => f.write_str("the signature does not verify"),
        }
    }
}

impl core::error::Error for JoseError {}

/// Why a public key (JWK, JWK Set, DER, PEM, certificate) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyError {
    /// Not a JSON object / JWK Set.
    Json(JsonError),
    /// A member appears twice.
    DuplicateMember {
        /// The member.
        member: &'static str,
    },
    /// A required member is absent.
    MissingMember {
        /// The member.
        member: &'static str,
    },
    /// A member has the wrong type, is not base64url, or has the wrong length.
    InvalidMember {
        /// The member.
        member: &'static str,
    },
    /// `kty` (or the DER algorithm) is not RSA, EC or OKP.
    UnsupportedKeyType,
    /// The curve is not P-256 (EC) or Ed25519 (OKP).
    UnsupportedCurve,
    /// The key's `alg` does not fit its type (an RSA key with `"alg":"ES256"`).
    AlgorithmMismatch,
    /// The verifier for this key type is not built in (its cargo feature is off).
    NotBuilt,
    /// The RSA modulus is outside 2048–4096 bits or even.
    RsaModulus {
        /// Its size in bits.
        bits: usize,
    },
    /// The RSA exponent is even, below 3, or wider than 64 bits.
    RsaExponent,
    /// The EC point or Ed25519 key is not on the curve / not canonical.
    InvalidPoint,
    /// The JWK Set has more than [`MAX_JWKS_KEYS`](super::MAX_JWKS_KEYS) keys, or a key
    /// is larger than [`MAX_JWK_LEN`](super::MAX_JWK_LEN).
    TooLarge,
    /// The DER is malformed, or is not a SubjectPublicKeyInfo / certificate.
    Der,
    /// The PEM is malformed, or its label is not `PUBLIC KEY` / `CERTIFICATE`.
    Pem,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(error) => write!(f, "the key is not valid JSON: {error}"),
            Self::DuplicateMember { member } => write!(f, "the key's {member} appears twice"),
            Self::MissingMember { member } => write!(f, "the key has no {member}"),
            Self::InvalidMember { member } => write!(f, "the key's {member} is malformed"),
            Self::UnsupportedKeyType => f.write_str("unsupported key type"),
            Self::UnsupportedCurve => f.write_str("unsupported curve"),
            Self::AlgorithmMismatch => f.write_str("the key's alg does not fit its type"),
            Self::NotBuilt => f.write_str("this key type's verifier is not built in"),
            Self::RsaModulus { bits } => {
                write!(
                    f,
                    "RSA modulus of {bits} bits (2048 to 4096, odd, required)"
                )
            }
            Self::RsaExponent => {
                f.write_str("RSA exponent must be odd, at least 3, at most 64 bits")
            }
            Self::InvalidPoint => f.write_str("the public key is not a valid curve point"),
            Self::TooLarge => f.write_str("the key or key set is too large"),
            Self::Der => f.write_str("malformed DER public key or certificate"),
            Self::Pem => f.write_str("malformed PEM, or not a PUBLIC KEY or CERTIFICATE"),
        }
    }
}

impl core::error::Error for KeyError {}
