//! Producing JWSs: a signer trait the host can implement (keys in the Keychain, the
//! Android Keystore, an HSM, or RSA in the host), ES256 and Ed25519 signers over keys
//! handed to the core, and the compact serialization written into a caller buffer.

use core::fmt;

use super::algorithm::Algorithm;
use super::base64url;
use crate::BufferTooSmall;
use crate::wire::{Writer, json};

/// The largest signature a signer may produce (RSA-4096).
pub const MAX_SIGNED_LEN: usize = 512;

/// Why a signer could not sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignError {
    /// The key is not available (a locked keystore, a removed token, a failing HSM).
    Unavailable,
    /// The output does not fit (`needed` bytes).
    BufferTooSmall(BufferTooSmall),
    /// The protected header (`alg`, `typ`, `kid`) is longer than [`MAX_WRITTEN_HEADER_LEN`]
    /// bytes: a shorter `kid` or `typ` is needed.
    HeaderTooLong,
}

/// The longest protected header [`sign_compact`] writes.
pub const MAX_WRITTEN_HEADER_LEN: usize = 256;

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable => f.write_str("the signing key is unavailable"),
            Self::BufferTooSmall(error) => fmt::Display::fmt(error, f),
            Self::HeaderTooLong => write!(
                f,
                "the JWS header (alg, typ, kid) is longer than {MAX_WRITTEN_HEADER_LEN} bytes"
            ),
        }
    }
}

impl core::error::Error for SignError {}

impl From<BufferTooSmall> for SignError {
    fn from(error: BufferTooSmall) -> Self {
        Self::BufferTooSmall(error)
    }
}

/// Something that signs JWS signing inputs with one key.
pub trait JwsSigner {
    /// The algorithm of the key.
    fn algorithm(&self) -> Algorithm;
    /// The `kid` to put in the header, if any.
    fn key_id(&self) -> Option<&str>;
    /// Signs `signing_input` into `signature` (at most [`MAX_SIGNED_LEN`] bytes), in the
    /// JWS encoding of the algorithm (`r || s` for ES256), and returns the length.
    ///
    /// # Errors
    ///
    /// [`SignError`].
    fn sign(&self, signing_input: &[u8], signature: &mut [u8]) -> Result<usize, SignError>;
}

/// An ES256 signer over a P-256 key held by the core (deterministic signatures,
/// RFC 6979, so no random number generator is needed).
#[cfg(feature = "jose-ec")]
#[derive(Clone)]
pub struct Es256Signer<'k> {
    key: p256::ecdsa::SigningKey,
    kid: Option<&'k str>,
}

#[cfg(feature = "jose-ec")]
impl<'k> Es256Signer<'k> {
    /// A signer from the 32-byte private scalar.
    ///
    /// # Errors
    ///
    /// [`SignError::Unavailable`] for a scalar that is not 32 bytes, is zero, or is not
    /// below the group order.
    pub fn from_bytes(secret: &[u8], kid: Option<&'k str>) -> Result<Self, SignError> {
        // Exactly 32 bytes: `from_slice` would also take shorter ones, left-padded.
        if secret.len() != 32 {
            return Err(SignError::Unavailable);
        }
        let key =
            p256::ecdsa::SigningKey::from_slice(secret).map_err(|_| SignError::Unavailable)?;
        Ok(Self { key, kid })
    }

    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> super::PublicKey {
        super::PublicKey::P256(*self.key.verifying_key())
    }
}

#[cfg(feature = "jose-ec")]
impl JwsSigner for Es256Signer<'_> {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Es256
    }

    fn key_id(&self) -> Option<&str> {
        self.kid
    }

    fn sign(&self, signing_input: &[u8], signature: &mut [u8]) -> Result<usize, SignError> {
        use p256::ecdsa::signature::Signer as _;
        let signed: p256::ecdsa::Signature = self.key.sign(signing_input);
        copy_into(&signed.to_bytes(), signature)
    }
}

/// An ES256 signature as JWS carries it — `r || s`, 64 bytes (RFC 7518 §3.4) — from the
/// ASN.1 DER `ECDSA-Sig-Value` that platform keystores return (iOS `SecKeyCreateSignature`
/// with `.ecdsaSignatureMessageX962SHA256`, Android Keystore `SHA256withECDSA`, PKCS#11,
/// OpenSSL). 64 bytes are taken as `r || s` already.
///
/// # Errors
///
/// [`SignError::Unavailable`] when `signature` is neither.
#[cfg(feature = "jose-ec")]
pub fn es256_signature(signature: &[u8]) -> Result<[u8; 64], SignError> {
    if let Ok(fixed) = <[u8; 64]>::try_from(signature) {
        return Ok(fixed);
    }
    let parsed = p256::ecdsa::Signature::from_der(signature).map_err(|_| SignError::Unavailable)?;
    Ok(parsed.to_bytes().into())
}

/// An Ed25519 signer over a key held by the core.
#[cfg(feature = "jose-ed25519")]
#[derive(Clone)]
pub struct Ed25519Signer<'k> {
    key: ed25519_dalek::SigningKey,
    kid: Option<&'k str>,
}

#[cfg(feature = "jose-ed25519")]
impl<'k> Ed25519Signer<'k> {
    /// A signer from the 32-byte seed.
    ///
    /// # Errors
    ///
    /// [`SignError::Unavailable`] unless the seed is 32 bytes.
    pub fn from_bytes(seed: &[u8], kid: Option<&'k str>) -> Result<Self, SignError> {
        let seed: &[u8; 32] = seed.try_into().map_err(|_| SignError::Unavailable)?;
        Ok(Self {
            key: ed25519_dalek::SigningKey::from_bytes(seed),
            kid,
        })
    }

    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> super::PublicKey {
        super::PublicKey::Ed25519(self.key.verifying_key())
    }
}

#[cfg(feature = "jose-ed25519")]
impl JwsSigner for Ed25519Signer<'_> {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDsa
    }

    fn key_id(&self) -> Option<&str> {
        self.kid
    }

    fn sign(&self, signing_input: &[u8], signature: &mut [u8]) -> Result<usize, SignError> {
        use ed25519_dalek::Signer as _;
        copy_into(&self.key.sign(signing_input).to_bytes(), signature)
    }
}

#[cfg(any(feature = "jose-ec", feature = "jose-ed25519"))]
fn copy_into(signed: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
    let slot = out.get_mut(..signed.len()).ok_or(BufferTooSmall {
        needed: signed.len(),
    })?;
    slot.copy_from_slice(signed);
    Ok(signed.len())
}

/// Writes the JWS compact serialization of `payload` (a JSON object's text), signed by
/// `signer`, into `out`: header `{"alg":…,"typ":typ,"kid":…}`.
///
/// # Errors
///
/// [`SignError::BufferTooSmall`] with the size needed; [`SignError::HeaderTooLong`];
/// what the signer returns.
pub fn sign_compact<'out>(
    signer: &(impl JwsSigner + ?Sized),
    typ: &str,
    payload: &[u8],
    out: &'out mut [u8],
) -> Result<&'out str, SignError> {
    let mut header = [0u8; MAX_WRITTEN_HEADER_LEN];
    let mut writer = Writer::new(&mut header);
    writer.push("{\"alg\":\"");
    writer.push(signer.algorithm().name());
    writer.push("\",\"typ\":");
    json::write_string(&mut writer, typ);
    if let Some(kid) = signer.key_id() {
        writer.push(",\"kid\":");
        json::write_string(&mut writer, kid);
    }
    writer.push("}");
    let header = writer.finish().map_err(|_| SignError::HeaderTooLong)?;
    let header_len = encoded_len(header.len());
    let payload_len = encoded_len(payload.len());
    let input_len = header_len.saturating_add(1).saturating_add(payload_len);
    let needed = input_len
        .saturating_add(1)
        .saturating_add(encoded_len(MAX_SIGNED_LEN));
    if out.len() < needed {
        return Err(BufferTooSmall { needed }.into());
    }
    let (input, rest) = out
        .split_at_mut_checked(input_len)
        .ok_or(SignError::Unavailable)?;
    {
        let (head, tail) = input
            .split_at_mut_checked(header_len)
            .ok_or(SignError::Unavailable)?;
        base64url_into(header.as_bytes(), head)?;
        let (dot, body) = tail.split_at_mut_checked(1).ok_or(SignError::Unavailable)?;
        dot.fill(b'.');
        base64url_into(payload, body)?;
    }
    let mut signature = [0u8; MAX_SIGNED_LEN];
    let signed_len = signer.sign(input, &mut signature)?;
    let signature = signature.get(..signed_len).ok_or(SignError::Unavailable)?;
    let (dot, sig_out) = rest.split_at_mut_checked(1).ok_or(SignError::Unavailable)?;
    dot.fill(b'.');
    let sig_len = base64url_into(signature, sig_out)?;
    let total = input_len.saturating_add(1).saturating_add(sig_len);
    let written = out.get(..total).ok_or(SignError::Unavailable)?;
    core::str::from_utf8(written).map_err(|_| SignError::Unavailable)
}

/// Unpadded base64url length of `len` bytes.
const fn encoded_len(len: usize) -> usize {
    len.saturating_mul(4).saturating_add(2) / 3
}

fn base64url_into(bytes: &[u8], out: &mut [u8]) -> Result<usize, SignError> {
    base64url::encode(bytes, out)
        .map(str::len)
        .ok_or(SignError::BufferTooSmall(BufferTooSmall {
            needed: encoded_len(bytes.len()),
        }))
}
