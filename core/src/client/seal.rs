//! What closes a saved session: an unkeyed checksum (detects damage) or, with a host's
//! [`SaveKey`], an HMAC-SHA-256 tag (detects tampering too).

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The fewest bytes a [`SaveKey`] holds (128 bits).
pub const MIN_SAVE_KEY: usize = 16;
/// The most bytes a [`SaveKey`] holds (SHA-256's block size; longer HMAC keys are hashed
/// first and gain nothing).
pub const MAX_SAVE_KEY: usize = 64;

/// Bytes of the unkeyed checksum: the first half of SHA-256.
pub(super) const CHECKSUM_LEN: usize = 16;
/// Bytes of the HMAC-SHA-256 tag (not truncated).
pub(super) const TAG_LEN: usize = 32;

/// A key with which saved sessions are authenticated (HMAC-SHA-256).
///
/// Keep it where the platform keeps keys — the iOS Keychain, the Android Keystore — and
/// apart from the saved bytes: whoever can write the saves but not read the key cannot
/// forge a save that [`Session::restore_keyed`](super::Session::restore_keyed) accepts.
/// Wiped on drop; never shown by `Debug`.
#[derive(Clone)]
pub struct SaveKey {
    bytes: [u8; MAX_SAVE_KEY],
    len: usize,
}

/// Why bytes were refused as a [`SaveKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaveKeyError {
    /// Fewer than [`MIN_SAVE_KEY`] bytes.
    TooShort {
        /// The length offered.
        found: usize,
    },
    /// More than [`MAX_SAVE_KEY`] bytes.
    TooLong {
        /// The length offered.
        found: usize,
    },
}

impl fmt::Display for SaveKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort { found } => write!(
                f,
                "a save key of {found} bytes is too short; it needs at least {MIN_SAVE_KEY}"
            ),
            Self::TooLong { found } => write!(
                f,
                "a save key of {found} bytes is too long; at most {MAX_SAVE_KEY} are used"
            ),
        }
    }
}

impl core::error::Error for SaveKeyError {}

impl SaveKey {
    /// A key holding a copy of `key` ([`MIN_SAVE_KEY`]..=[`MAX_SAVE_KEY`] random bytes).
    ///
    /// # Errors
    ///
    /// [`SaveKeyError`] when `key` is shorter or longer than that.
    pub fn new(key: &[u8]) -> Result<Self, SaveKeyError> {
        if key.len() < MIN_SAVE_KEY {
            return Err(SaveKeyError::TooShort { found: key.len() });
        }
        let mut bytes = [0; MAX_SAVE_KEY];
        bytes
            .get_mut(..key.len())
            .ok_or(SaveKeyError::TooLong { found: key.len() })?
            .copy_from_slice(key);
        Ok(Self {
            bytes,
            len: key.len(),
        })
    }
}

impl fmt::Debug for SaveKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SaveKey(<{} bytes, redacted>)", self.len)
    }
}

impl Drop for SaveKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl ZeroizeOnDrop for SaveKey {}

/// How a save is closed; the byte in the format names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SealKind {
    /// SHA-256, truncated: damage is detected, deliberate change is not.
    Checksum = 0,
    /// HMAC-SHA-256 under the host's key.
    Keyed = 1,
}

impl SealKind {
    pub(super) const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Self::Checksum),
            1 => Some(Self::Keyed),
            _ => None,
        }
    }

    /// Bytes the seal takes at the end of a save.
    pub(super) const fn len(self) -> usize {
        match self {
            Self::Checksum => CHECKSUM_LEN,
            Self::Keyed => TAG_LEN,
        }
    }
}

/// A running checksum or MAC over the bytes of a save.
pub(super) enum Sealer {
    /// Unkeyed.
    Checksum(Sha256),
    /// Keyed.
    Keyed(Hmac<Sha256>),
}

impl Sealer {
    pub(super) fn new(key: Option<&SaveKey>) -> Self {
        match key {
            // A key shorter than the block is zero-padded by HMAC itself (RFC 2104 §2),
            // so the padded array is the same key — and this constructor cannot fail.
            Some(key) => Self::Keyed(Hmac::new(&key.bytes.into())),
            None => Self::Checksum(Sha256::new()),
        }
    }

    pub(super) const fn kind(&self) -> SealKind {
        match self {
            Self::Checksum(_) => SealKind::Checksum,
            Self::Keyed(_) => SealKind::Keyed,
        }
    }

    pub(super) fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Checksum(hasher) => hasher.update(bytes),
            Self::Keyed(mac) => mac.update(bytes),
        }
    }

    /// The seal's bytes: `kind().len()` of the returned array.
    pub(super) fn finish(self) -> [u8; TAG_LEN] {
        let mut out = [0; TAG_LEN];
        match self {
            Self::Checksum(hasher) => out.copy_from_slice(&hasher.finalize()),
            Self::Keyed(mac) => out.copy_from_slice(&mac.finalize().into_bytes()),
        }
        out
    }

    /// Whether `seal` closes the bytes fed in, compared in constant time.
    pub(super) fn verify(self, seal: &[u8]) -> bool {
        let len = self.kind().len();
        let computed = self.finish();
        computed
            .get(..len)
            .is_some_and(|computed| bool::from(computed.ct_eq(seal)))
    }
}
