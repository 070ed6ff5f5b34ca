//! JOSE without a heap: JWS compact serialization (RFC 7515), JSON Web Keys and JWK Sets
//! (RFC 7517, RFC 7518 §6, RFC 8037), JWT claims (RFC 7519), and signature verification
//! with **RS256** (RSASSA-PKCS1-v1_5 + SHA-256, RSA 2048–4096 bits), **ES256** (ECDSA
//! P-256 + SHA-256) and **EdDSA** (Ed25519).
//!
//! Everything decodes into buffers the caller bounds; nothing allocates.
//!
//! The key decides the algorithm: a token is verified only with an algorithm its key is
//! for, never because its header names one. `none`, every HMAC algorithm (a public key
//! is not a shared secret) and unknown `crit` extensions are refused.
//!
//! Features: `jose` (this module: parsing, keys, claims), `jose-rsa`, `jose-ec`,
//! `jose-ed25519` (one per algorithm, so a firmware build pays only for what it checks),
//! `jose-der` (keys from DER / PEM SubjectPublicKeyInfo and X.509 certificates).
//!
//! ```
//! # #[cfg(feature = "jose-ed25519")] {
//! use authcode::jose::{Compact, Jwk};
//! // RFC 8037 §A.4: an Ed25519 JWS and its public key.
//! let key = Jwk::parse(br#"{"kty":"OKP","crv":"Ed25519",
//!     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
//! let jws = Compact::parse(b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.\
//!     hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")?;
//! let mut payload = [0u8; 64];
//! assert_eq!(jws.verify(key.key(), &mut payload)?, b"Example of Ed25519 signing");
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod algorithm;
mod base64url;
mod claims;
mod compact;
#[cfg(feature = "jose-der")]
mod der;
mod error;
mod jwk;
mod key;
#[cfg(feature = "jose-rsa")]
mod rsa;
mod sign;

pub use algorithm::Algorithm;
pub use claims::{Audience, Claims, MAX_CLAIM_LEN};
pub use compact::{Compact, Header, MAX_HEADER_LEN, MAX_KID_LEN, MAX_SIGNATURE_LEN};
#[cfg(feature = "jose-der")]
pub use der::MAX_DER_LEN;
pub use error::{JoseError, KeyError, Part};
pub use jwk::{Jwk, JwkSet, KeyUse, MAX_JWK_LEN, MAX_JWKS_KEYS};
pub use key::PublicKey;
#[cfg(feature = "jose-rsa")]
pub use rsa::{MAX_RSA_BITS, MIN_RSA_BITS, RsaPublicKey};
#[cfg(feature = "jose-ed25519")]
pub use sign::Ed25519Signer;
#[cfg(feature = "jose-ec")]
pub use sign::{Es256Signer, es256_signature};
pub use sign::{JwsSigner, MAX_SIGNED_LEN, MAX_WRITTEN_HEADER_LEN, SignError, sign_compact};
