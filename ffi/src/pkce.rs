//! PKCE: generate, challenge, verify.

use authcode::pkce::{Challenge, Verifier, VerifierLength};

use crate::result::authcode_result;
use crate::rng::{Rng, authcode_rng};
use crate::util::{bytes, check_out, copy_out, guard};

/// Generates a code verifier of `length` characters (43 to 128; 43 = 256 bits) into
/// `buf`. `rng` may be NULL for the OS source (see `authcode_rng`).
///
/// Writes `*out_len` characters (no NUL). Returns `AUTHCODE_RESULT_INVALID_ARGUMENT` for a
/// length outside 43..=128, `AUTHCODE_RESULT_RANDOMNESS`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL` (with the size needed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_pkce_generate(
    rng: *const authcode_rng,
    length: usize,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    guard(|| {
        check_out(out_len)?;
        let length = VerifierLength::new(length).map_err(|_| authcode_result::InvalidArgument)?;
        // SAFETY: `rng` is NULL or valid, per the contract above.
        let mut rng = unsafe { Rng::from_ptr(rng)? };
        let verifier =
            Verifier::generate(&mut rng, length).map_err(|_| authcode_result::Randomness)?;
        // SAFETY: buffer contract forwarded from the caller.
        unsafe { copy_out(verifier.as_bytes(), buf, len, out_len) }
    })
}

/// Writes the 43-character S256 challenge of the verifier `(verifier, verifier_len)` into
/// `buf`. Returns `AUTHCODE_RESULT_INVALID_VERIFIER` for a malformed verifier.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_pkce_challenge(
    verifier: *const u8,
    verifier_len: usize,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    guard(|| {
        check_out(out_len)?;
        // SAFETY: the caller promises `verifier_len` readable bytes.
        let verifier = unsafe { bytes(verifier, verifier_len)? };
        let verifier =
            Verifier::parse_bytes(verifier).map_err(|_| authcode_result::InvalidVerifier)?;
        let mut text = [0u8; Challenge::ENCODED_LEN];
        let challenge = Challenge::s256(&verifier).encode_into(&mut text)?;
        // SAFETY: buffer contract forwarded from the caller.
        unsafe { copy_out(challenge.as_bytes(), buf, len, out_len) }
    })
}

/// Checks, in constant time, that the verifier matches the S256 challenge: returns
/// `AUTHCODE_RESULT_OK` on a match, `AUTHCODE_RESULT_VERIFIER_MISMATCH` otherwise, or
/// `AUTHCODE_RESULT_INVALID_VERIFIER` / `AUTHCODE_RESULT_INVALID_CHALLENGE` for malformed
/// input.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_pkce_verify(
    verifier: *const u8,
    verifier_len: usize,
    challenge: *const u8,
    challenge_len: usize,
) -> authcode_result {
    guard(|| {
        // SAFETY: the caller promises readable bytes for both.
        let (verifier, challenge) = unsafe {
            (
                bytes(verifier, verifier_len)?,
                bytes(challenge, challenge_len)?,
            )
        };
        let verifier =
            Verifier::parse_bytes(verifier).map_err(|_| authcode_result::InvalidVerifier)?;
        let challenge =
            Challenge::parse_bytes(challenge).map_err(|_| authcode_result::InvalidChallenge)?;
        if challenge.verify(&verifier) {
            Ok(())
        } else {
            Err(authcode_result::VerifierMismatch)
        }
    })
}
