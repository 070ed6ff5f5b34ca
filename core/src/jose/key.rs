//! A public key that verifies JWS signatures, and the one place that dispatches on it.

use super::algorithm::Algorithm;
use super::error::{JoseError, KeyError};
#[cfg(feature = "jose-rsa")]
use super::rsa::RsaPublicKey;
use crate::BufferTooSmall;
use crate::wire::{Writer, json};

/// A public key for one of the algorithms this build verifies. The key decides the
/// algorithm: an RSA key verifies RS256 only, a P-256 key ES256 only, an Ed25519 key
/// EdDSA only.
// No heap to box the RSA variant into: the key lives inline, by design.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// An RSA key (RS256).
    #[cfg(feature = "jose-rsa")]
    Rsa(RsaPublicKey),
    /// A P-256 key (ES256).
    #[cfg(feature = "jose-ec")]
    P256(p256::ecdsa::VerifyingKey),
    /// An Ed25519 key (EdDSA).
    #[cfg(feature = "jose-ed25519")]
    Ed25519(ed25519_dalek::VerifyingKey),
    /// Never made: keeps the type inhabited in a build with no algorithm feature (where
    /// every key is refused with [`KeyError::NotBuilt`]).
    #[cfg(not(any(feature = "jose-rsa", feature = "jose-ec", feature = "jose-ed25519")))]
    #[doc(hidden)]
    NotBuilt,
}

impl PublicKey {
    /// The algorithm this key verifies.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        match self {
            #[cfg(feature = "jose-rsa")]
            Self::Rsa(_) => Algorithm::Rs256,
            #[cfg(feature = "jose-ec")]
            Self::P256(_) => Algorithm::Es256,
            #[cfg(feature = "jose-ed25519")]
            Self::Ed25519(_) => Algorithm::EdDsa,
            #[cfg(not(any(feature = "jose-rsa", feature = "jose-ec", feature = "jose-ed25519")))]
            _ => Algorithm::Rs256,
        }
    }

    /// An RSA key from its big-endian modulus and exponent (leading zero bytes allowed).
    ///
    /// # Errors
    ///
    /// [`KeyError::RsaModulus`], [`KeyError::RsaExponent`]; [`KeyError::NotBuilt`]
    /// without the `jose-rsa` feature.
    pub fn rsa(modulus: &[u8], exponent: &[u8]) -> Result<Self, KeyError> {
        #[cfg(feature = "jose-rsa")]
        return RsaPublicKey::new(modulus, exponent).map(Self::Rsa);
        #[cfg(not(feature = "jose-rsa"))]
        {
            let _ = (modulus, exponent);
            Err(KeyError::NotBuilt)
        }
    }

    /// A P-256 key from its affine coordinates (32 bytes each, big-endian).
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidPoint`] off the curve; [`KeyError::NotBuilt`] without
    /// `jose-ec`.
    pub fn p256(x: &[u8], y: &[u8]) -> Result<Self, KeyError> {
        if x.len() != 32 || y.len() != 32 {
            return Err(KeyError::InvalidPoint);
        }
        // SEC1 uncompressed: 0x04 || x || y.
        let mut sec1 = [0u8; 65];
        for (slot, byte) in sec1.iter_mut().zip([0x04].iter().chain(x).chain(y)) {
            *slot = *byte;
        }
        Self::p256_sec1(&sec1)
    }

    /// A P-256 key from a SEC1 point (uncompressed or compressed).
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidPoint`]; [`KeyError::NotBuilt`] without `jose-ec`.
    pub fn p256_sec1(point: &[u8]) -> Result<Self, KeyError> {
        #[cfg(feature = "jose-ec")]
        return p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
            .map(Self::P256)
            .map_err(|_| KeyError::InvalidPoint);
        #[cfg(not(feature = "jose-ec"))]
        {
            let _ = point;
            Err(KeyError::NotBuilt)
        }
    }

    /// An Ed25519 key from its 32 bytes.
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidPoint`]; [`KeyError::NotBuilt`] without `jose-ed25519`.
    pub fn ed25519(bytes: &[u8]) -> Result<Self, KeyError> {
        #[cfg(feature = "jose-ed25519")]
        {
            let bytes: &[u8; 32] = bytes.try_into().map_err(|_| KeyError::InvalidPoint)?;
            ed25519_dalek::VerifyingKey::from_bytes(bytes)
                .map(Self::Ed25519)
                .map_err(|_| KeyError::InvalidPoint)
        }
        #[cfg(not(feature = "jose-ed25519"))]
        {
            let _ = bytes;
            Err(KeyError::NotBuilt)
        }
    }

    /// Verifies `signature` over `message` with algorithm `algorithm`, which must be this
    /// key's.
    ///
    /// # Errors
    ///
    /// [`JoseError::AlgorithmMismatch`]; [`JoseError::BadSignature`].
    pub fn verify(
        &self,
        algorithm: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), JoseError> {
        if algorithm != self.algorithm() {
            return Err(JoseError::AlgorithmMismatch {
                header: algorithm,
                key: self.algorithm(),
            });
        }
        let verified = match self {
            #[cfg(feature = "jose-rsa")]
            Self::Rsa(key) => key.verify_sha256(message, signature),
            #[cfg(feature = "jose-ec")]
            Self::P256(key) => {
                use p256::ecdsa::signature::Verifier as _;
                p256::ecdsa::Signature::from_slice(signature)
                    .is_ok_and(|signature| key.verify(message, &signature).is_ok())
            }
            #[cfg(feature = "jose-ed25519")]
            Self::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify_strict(message, &signature).is_ok()),
            #[cfg(not(any(feature = "jose-rsa", feature = "jose-ec", feature = "jose-ed25519")))]
            _ => {
                let _ = (message, signature);
                false
            }
        };
        if verified {
            Ok(())
        } else {
            Err(JoseError::BadSignature)
        }
    }

    /// Writes the public key as a JWK (`kty`, the key members, `alg`, `use":"sig"`, and
    /// `kid` when given) into `out`, for a JWK Set the host publishes.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] with the size needed (an RSA-4096 key needs about 800 bytes).
    pub fn write_jwk<'out>(
        &self,
        kid: Option<&str>,
        out: &'out mut [u8],
    ) -> Result<&'out str, BufferTooSmall> {
        let mut writer = Writer::new(out);
        #[allow(dead_code)]
        fn member(writer: &mut Writer<'_>, name: &str, bytes: &[u8]) {
            let mut text = [0u8; 700];
            writer.push(",\"");
            writer.push(name);
            writer.push("\":\"");
            writer.push(super::base64url::encode(bytes, &mut text).unwrap_or_default());
            writer.push("\"");
        }
        match self {
            #[cfg(feature = "jose-rsa")]
            Self::Rsa(key) => {
                writer.push("{\"kty\":\"RSA\"");
                member(&mut writer, "n", key.modulus());
                let exponent = key.exponent().to_be_bytes();
                let first = exponent.iter().position(|&b| b != 0).unwrap_or(7);
                member(&mut writer, "e", exponent.get(first..).unwrap_or_default());
            }
            #[cfg(feature = "jose-ec")]
            Self::P256(key) => {
                let point = key.to_sec1_point(false);
                writer.push("{\"kty\":\"EC\",\"crv\":\"P-256\"");
                member(
                    &mut writer,
                    "x",
                    point.x().map(|x| x.as_slice()).unwrap_or_default(),
                );
                member(
                    &mut writer,
                    "y",
                    point.y().map(|y| y.as_slice()).unwrap_or_default(),
                );
            }
            #[cfg(feature = "jose-ed25519")]
            Self::Ed25519(key) => {
                writer.push("{\"kty\":\"OKP\",\"crv\":\"Ed25519\"");
                member(&mut writer, "x", key.as_bytes());
            }
            #[cfg(not(any(feature = "jose-rsa", feature = "jose-ec", feature = "jose-ed25519")))]
            _ => {}
        }
        writer.push(",\"alg\":\"");
        writer.push(self.algorithm().name());
        writer.push("\",\"use\":\"sig\"");
        if let Some(kid) = kid {
            writer.push(",\"kid\":");
            json::write_string(&mut writer, kid);
        }
        writer.push("}");
        writer.finish()
    }
}
