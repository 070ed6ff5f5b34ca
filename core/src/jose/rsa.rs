//! RS256 verification on fixed-width integers (`crypto-bigint`), without a heap.
//!
//! RustCrypto's `rsa` crate needs `alloc`, so verification — public inputs only, no
//! private key ever — is built here on `crypto-bigint`'s `Uint` and Montgomery
//! exponentiation: RSAVP1 (RFC 8017 §5.2.2), then EMSA-PKCS1-v1_5 (§9.2) by **building
//! the expected encoded message** and comparing it whole with the recovered one. The
//! padding is never parsed, so there is no padding parser to fool (the Bleichenbacher
//! 2006 family of forgeries needs one).

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Limb, Odd, U64, U2048, U3072, U4096, Uint, Word};
use sha2::{Digest, Sha256};

use super::error::KeyError;

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits.
pub const MAX_RSA_BITS: usize = 4096;
const MAX_BYTES: usize = MAX_RSA_BITS / 8;

/// DER of `DigestInfo { sha256, NULL }` up to the digest (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// An RSA public key: a modulus of 2048–4096 bits and an odd exponent of at most 64
/// bits (as Go's and BoringSSL's verifiers limit it; every deployed key uses 65537).
#[derive(Clone, PartialEq, Eq)]
pub struct RsaPublicKey {
    /// The modulus, big-endian, without leading zeros, in the first `len` bytes.
    modulus: [u8; MAX_BYTES],
    len: usize,
    exponent: u64,
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("bits", &self.bits())
            .field("exponent", &self.exponent)
            .finish()
    }
}

impl RsaPublicKey {
    /// A key from its big-endian modulus and exponent (leading zero bytes allowed).
    ///
    /// # Errors
    ///
    /// [`KeyError::RsaModulus`] for a modulus outside 2048–4096 bits or even;
    /// [`KeyError::RsaExponent`] for an even exponent, one below 3 or wider than 64 bits.
    pub fn new(modulus: &[u8], exponent: &[u8]) -> Result<Self, KeyError> {
        let modulus = strip_zeros(modulus);
        let bits = bit_len(modulus);
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits)
            || modulus.last().is_none_or(|last| last & 1 == 0)
        {
            return Err(KeyError::RsaModulus { bits });
        }
        let exponent = strip_zeros(exponent);
        if exponent.len() > 8 {
            return Err(KeyError::RsaExponent);
        }
        let exponent = exponent
            .iter()
            .fold(0u64, |acc, &byte| (acc << 8) | u64::from(byte));
        if exponent < 3 || exponent & 1 == 0 {
            return Err(KeyError::RsaExponent);
        }
        let mut stored = [0u8; MAX_BYTES];
        for (slot, byte) in stored.iter_mut().zip(modulus) {
            *slot = *byte;
        }
        Ok(Self {
            modulus: stored,
            len: modulus.len(),
            exponent,
        })
    }

    /// The modulus size in bits.
    #[must_use]
    pub fn bits(&self) -> usize {
        bit_len(self.modulus())
    }

    /// The modulus, big-endian, minimal.
    #[must_use]
    pub fn modulus(&self) -> &[u8] {
        self.modulus.get(..self.len).unwrap_or_default()
    }

    /// The public exponent.
    #[must_use]
    pub const fn exponent(&self) -> u64 {
        self.exponent
    }

    /// RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 §8.2.2). The signature must
    /// be exactly as long as the modulus (RFC 7518 §3.3).
    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        let modulus = self.modulus();
        if signature.len() != modulus.len() {
            return false;
        }
        let digest = Sha256::digest(message);
        // EM = 0x00 || 0x01 || PS (0xff…, at least 8) || 0x00 || DigestInfo || H
        let mut expected = [0u8; MAX_BYTES];
        let Some(em) = expected.get_mut(..modulus.len()) else {
            return false;
        };
        let tail_len = SHA256_DIGEST_INFO.len().saturating_add(digest.len());
        let Some(ps_end) = em.len().checked_sub(tail_len.saturating_add(1)) else {
            return false;
        };
        for (index, slot) in em.iter_mut().enumerate() {
            *slot = match index {
                0 => 0x00,
                1 => 0x01,
                i if i < ps_end => 0xff,
                _ => 0x00,
            };
        }
        let tail = SHA256_DIGEST_INFO.iter().chain(digest.iter());
        for (slot, byte) in em.iter_mut().skip(ps_end.saturating_add(1)).zip(tail) {
            *slot = *byte;
        }
        let em = &*em;
        match modulus.len() {
            ..=256 => verify_sized::<{ U2048::LIMBS }>(modulus, self.exponent, signature, em),
            257..=384 => verify_sized::<{ U3072::LIMBS }>(modulus, self.exponent, signature, em),
            _ => verify_sized::<{ U4096::LIMBS }>(modulus, self.exponent, signature, em),
        }
    }
}

/// RSAVP1 at one integer width: `s^e mod n == EM` (as integers, so the comparison covers
/// every byte of the `k`-byte encoding).
fn verify_sized<const LIMBS: usize>(
    modulus: &[u8],
    exponent: u64,
    signature: &[u8],
    expected: &[u8],
) -> bool {
    let (Some(n), Some(s), Some(em)) = (
        uint::<LIMBS>(modulus),
        uint::<LIMBS>(signature),
        uint::<LIMBS>(expected),
    ) else {
        return false;
    };
    // RFC 8017 §5.2.2 step 1: the signature representative must be below n.
    if s >= n {
        return false;
    }
    let Some(n) = Option::<Odd<Uint<LIMBS>>>::from(Odd::new(n)) else {
        return false;
    };
    let params = FixedMontyParams::new_vartime(n);
    let m = FixedMontyForm::new(&s, &params)
        .pow_vartime(&U64::from_u64(exponent))
        .retrieve();
    m == em
}

/// A big-endian byte string as a `Uint`, `None` when it is wider.
fn uint<const LIMBS: usize>(bytes: &[u8]) -> Option<Uint<LIMBS>> {
    if bytes.len() > LIMBS.saturating_mul(Limb::BYTES) {
        return None;
    }
    let mut words = [Word::default(); LIMBS];
    for (index, byte) in bytes.iter().rev().enumerate() {
        let word = words.get_mut(index / Limb::BYTES)?;
        let shift = u32::try_from((index % Limb::BYTES).saturating_mul(8)).ok()?;
        *word |= Word::from(*byte).checked_shl(shift)?;
    }
    Some(Uint::from_words(words))
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

fn bit_len(minimal: &[u8]) -> usize {
    match minimal.first() {
        None => 0,
        Some(first) => minimal
            .len()
            .saturating_sub(1)
            .saturating_mul(8)
            .saturating_add(8usize.saturating_sub(first.leading_zeros() as usize)),
    }
}
