//! JWS signing over the C ABI: the host's key behind a callback (Keychain, Android
//! Keystore, an HSM, a secure element), or a P-256 / Ed25519 private key handed to the
//! core for the duration of a call.

use core::ffi::c_void;

use authcode::jose::{
    Algorithm, Ed25519Signer, Es256Signer, JwsSigner, MAX_SIGNED_LEN, SignError, es256_signature,
};

use crate::result::authcode_result;
use crate::util::{authcode_str, enum_from_u32};

/// A JWS algorithm: `AUTHCODE_JWS_ALGORITHM_RS256`, `AUTHCODE_JWS_ALGORITHM_ES256` or
/// `AUTHCODE_JWS_ALGORITHM_EDDSA`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_jws_algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (the host signs; the core holds no RSA key).
    Rs256 = 0,
    /// ECDSA on P-256 with SHA-256.
    Es256 = 1,
    /// Ed25519.
    Eddsa = 2,
}

enum_from_u32!(authcode_jws_algorithm {
    Rs256,
    Es256,
    Eddsa
});

impl From<authcode_jws_algorithm> for Algorithm {
    fn from(algorithm: authcode_jws_algorithm) -> Self {
        match algorithm {
            authcode_jws_algorithm::Rs256 => Self::Rs256,
            authcode_jws_algorithm::Es256 => Self::Es256,
            authcode_jws_algorithm::Eddsa => Self::EdDsa,
        }
    }
}

/// The shape of `authcode_signer.sign` (see there).
pub(crate) type SignFn = unsafe extern "C" fn(
    context: *mut c_void,
    input: *const u8,
    input_len: usize,
    signature: *mut u8,
    signature_capacity: usize,
    signature_len: *mut usize,
) -> i32;

/// A JWS signing key: the host's, behind `sign`, or (when `sign` is NULL) a private key
/// the core signs with during the call. Read during the call only; authcode keeps no
/// pointer to it or to the key bytes, and wipes its copy of the key before returning.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_signer {
    /// One of `AUTHCODE_JWS_ALGORITHM_*`.
    pub algorithm: u32,
    /// The `kid` to put in the JWS header (at most 128 bytes), or absent (NULL `ptr`).
    pub key_id: authcode_str,
    /// When `sign` is NULL: the private key, 32 bytes — the P-256 scalar (ES256) or the
    /// Ed25519 seed (EdDSA). RS256 needs `sign`. Ignored when `sign` is set.
    pub private_key: authcode_str,
    /// Passed to `sign` unchanged.
    pub context: *mut c_void,
    /// The host's signing callback, or NULL to sign with `private_key`. It signs the `input_len` bytes at `input` (a JWS signing
    /// input, ASCII) with the key and algorithm of its `authcode_signer`, writes the
    /// signature to `signature` (room for `signature_capacity` bytes: 512, enough for
    /// RSA-4096), stores its length in `*signature_len` and returns 0. Any other return is a
    /// failure (a locked keystore, a cancelled biometric prompt, a removed token).
    ///
    /// Signatures: RS256, the RSASSA-PKCS1-v1_5 signature (as long as the modulus); ES256,
    /// either the 64-byte `r || s` JWS uses or the ASN.1 DER `ECDSA-Sig-Value` keystores return
    /// (iOS `.ecdsaSignatureMessageX962SHA256`, Android `SHA256withECDSA`); EdDSA, 64 bytes.
    ///
    /// Called synchronously, on the calling thread, during the authcode call only, at most
    /// once per call; `input` is valid only during the callback. It must not call authcode
    /// functions on the object being called.
    pub sign: Option<
        unsafe extern "C" fn(
            context: *mut c_void,
            input: *const u8,
            input_len: usize,
            signature: *mut u8,
            signature_capacity: usize,
            signature_len: *mut usize,
        ) -> i32,
    >,
}

/// A signer a C `authcode_signer` describes.
pub(crate) enum Signer<'a> {
    /// The host's callback.
    Host {
        algorithm: Algorithm,
        key_id: Option<&'a str>,
        context: *mut c_void,
        sign: SignFn,
    },
    /// A P-256 key held during the call.
    Es256(Es256Signer<'a>),
    /// An Ed25519 key held during the call.
    Ed25519(Ed25519Signer<'a>),
}

impl<'a> Signer<'a> {
    /// The signer `signer` describes.
    ///
    /// # Safety
    ///
    /// `signer` is a valid `authcode_signer` whose strings are NULL or valid for their
    /// lengths, and whose callback is sound to call with its context.
    pub(crate) unsafe fn from_c(signer: &'a authcode_signer) -> Result<Self, authcode_result> {
        let algorithm = authcode_jws_algorithm::try_from(signer.algorithm)?.into();
        let key_id = if signer.key_id.ptr.is_null() {
            None
        } else {
            // SAFETY: valid for its length, per the caller.
            Some(unsafe { crate::util::text(signer.key_id.ptr, signer.key_id.len)? })
        };
        if key_id.is_some_and(|kid| kid.len() > authcode::jose::MAX_KID_LEN) {
            return Err(authcode_result::InvalidArgument);
        }
        if let Some(sign) = signer.sign {
            return Ok(Self::Host {
                algorithm,
                key_id,
                context: signer.context,
                sign,
            });
        }
        if signer.private_key.ptr.is_null() {
            return Err(authcode_result::NullPointer);
        }
        // SAFETY: per the caller.
        let key = unsafe { crate::util::bytes(signer.private_key.ptr, signer.private_key.len)? };
        let invalid = |_: SignError| authcode_result::InvalidArgument;
        match algorithm {
            Algorithm::Es256 => Es256Signer::from_bytes(key, key_id)
                .map(Self::Es256)
                .map_err(invalid),
            Algorithm::EdDsa => Ed25519Signer::from_bytes(key, key_id)
                .map(Self::Ed25519)
                .map_err(invalid),
            _ => Err(authcode_result::InvalidArgument),
        }
    }

    /// Writes the public JWK of a key the core holds (`InvalidArgument` for the host's).
    pub(crate) fn write_public_jwk<'buf>(&self, buf: &'buf mut [u8]) -> Result<&'buf str, FfiJwk> {
        let key = match self {
            Self::Es256(signer) => signer.public_key(),
            Self::Ed25519(signer) => signer.public_key(),
            Self::Host { .. } => return Err(FfiJwk::HostKey),
        };
        key.write_jwk(self.key_id(), buf)
            .map_err(|_| FfiJwk::TooSmall)
    }
}

/// Why no public JWK was written.
pub(crate) enum FfiJwk {
    /// The key is the host's: it knows its public half.
    HostKey,
    /// The buffer is too small.
    TooSmall,
}

impl JwsSigner for Signer<'_> {
    fn algorithm(&self) -> Algorithm {
        match self {
            Self::Host { algorithm, .. } => *algorithm,
            Self::Es256(_) => Algorithm::Es256,
            Self::Ed25519(_) => Algorithm::EdDsa,
        }
    }

    fn key_id(&self) -> Option<&str> {
        match self {
            Self::Host { key_id, .. } => *key_id,
            Self::Es256(signer) => signer.key_id(),
            Self::Ed25519(signer) => signer.key_id(),
        }
    }

    fn sign(&self, signing_input: &[u8], signature: &mut [u8]) -> Result<usize, SignError> {
        let (algorithm, context, sign) = match self {
            Self::Es256(signer) => return signer.sign(signing_input, signature),
            Self::Ed25519(signer) => return signer.sign(signing_input, signature),
            Self::Host {
                algorithm,
                context,
                sign,
                ..
            } => (*algorithm, *context, *sign),
        };
        let mut produced = [0u8; MAX_SIGNED_LEN];
        let mut produced_len = 0usize;
        // SAFETY: the host promised a sound callback; the pointers are valid for the
        // lengths given during the call.
        let status = unsafe {
            sign(
                context,
                signing_input.as_ptr(),
                signing_input.len(),
                produced.as_mut_ptr(),
                produced.len(),
                &raw mut produced_len,
            )
        };
        if status != 0 {
            return Err(SignError::Unavailable);
        }
        let produced = produced.get(..produced_len).ok_or(SignError::Unavailable)?;
        let fixed;
        let produced = match algorithm {
            Algorithm::Es256 => {
                fixed = es256_signature(produced)?;
                &fixed[..]
            }
            // An Ed25519 signature is 64 bytes; an RSA one as long as a 2048–4096-bit modulus.
            Algorithm::EdDsa if produced.len() != 64 => return Err(SignError::Unavailable),
            Algorithm::Rs256 if !(256..=512).contains(&produced.len()) => {
                return Err(SignError::Unavailable);
            }
            _ => produced,
        };
        let slot = signature
            .get_mut(..produced.len())
            .ok_or(SignError::Unavailable)?;
        slot.copy_from_slice(produced);
        Ok(produced.len())
    }
}

/// Writes the public JWK of the key `signer` hands to the core (`sign` NULL), with its
/// `kid`, into `buf` (`len` bytes; 1024 always suffice) — the text to register with the
/// authorization server (`authcode_app_spec.public_keys`, Workfront's "Add a public
/// key"). `signer` and its key are read during the call only.
///
/// `signer` and `out_len` must not be NULL; `buf` may be NULL only when `len` is 0.
/// Returns `AUTHCODE_RESULT_OK` with the bytes written in `*out_len`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL` with the size needed, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8` (`key_id`), `AUTHCODE_RESULT_INVALID_ARGUMENT` (an
/// unknown algorithm, a key that is not 32 bytes or not a valid P-256 scalar, RS256, a
/// `kid` longer than 128 bytes, or a signer with a `sign` callback: the host holds that key
/// and knows its public half).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_signer_public_jwk(
    signer: *const authcode_signer,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    crate::util::guard(|| {
        crate::util::check_out(out_len)?;
        let signer = crate::util::try_ref!(signer);
        // SAFETY: the caller promised a valid signer.
        let signer = unsafe { Signer::from_c(signer)? };
        // A P-256 JWK is about 135 bytes; a 128-byte `kid` escaped at worst 6 bytes a byte.
        let mut jwk = [0u8; 1024];
        let written = match signer.write_public_jwk(&mut jwk) {
            Ok(written) => written,
            Err(FfiJwk::HostKey | FfiJwk::TooSmall) => {
                return Err(authcode_result::InvalidArgument);
            }
        };
        // SAFETY: buffer contract from the caller.
        unsafe { crate::util::copy_out(written.as_bytes(), buf, len, out_len) }
    })
}
