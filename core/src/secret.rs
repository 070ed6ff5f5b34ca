//! Fixed-capacity storage for secrets: codes, tokens, client secrets, state values.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Up to `N` bytes of secret text, held inline (no allocation).
///
/// Wiped on drop, compared in constant time, and never shown by `Debug`.
#[derive(Clone)]
pub struct Secret<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

/// The value does not fit the secret's fixed capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TooLong {
    /// The capacity in bytes.
    pub max: usize,
    /// The length offered, in bytes.
    pub found: usize,
}

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes; at most {} fit", self.found, self.max)
    }
}

impl core::error::Error for TooLong {}

impl<const N: usize> Secret<N> {
    /// The capacity in bytes.
    pub const CAPACITY: usize = N;

    /// An empty secret.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            bytes: [0; N],
            len: 0,
        }
    }

    /// A secret holding a copy of `text`.
    ///
    /// # Errors
    ///
    /// [`TooLong`] when `text` is longer than `N` bytes.
    pub fn copy_from(text: &str) -> Result<Self, TooLong> {
        let mut secret = Self::new();
        secret.push_str(text)?;
        Ok(secret)
    }

    /// Appends `text`.
    ///
    /// # Errors
    ///
    /// [`TooLong`] when the result would exceed `N` bytes; the secret is unchanged.
    pub fn push_str(&mut self, text: &str) -> Result<(), TooLong> {
        let found = self.len.saturating_add(text.len());
        let slot = self
            .bytes
            .get_mut(self.len..)
            .and_then(|rest| rest.get_mut(..text.len()))
            .ok_or(TooLong { max: N, found })?;
        slot.copy_from_slice(text.as_bytes());
        self.len = found;
        Ok(())
    }

    /// Replaces the secret in place: `fill` writes into the whole capacity and returns
    /// how many bytes it wrote, which must be UTF-8. Decoding straight into the storage
    /// avoids a second stack copy of a large secret.
    ///
    /// # Errors
    ///
    /// Whatever `fill` returns, or `invalid` when the bytes written are not UTF-8 or `fill`
    /// claims more than the capacity. Either way the secret is left empty and wiped.
    pub(crate) fn set_with<E>(
        &mut self,
        fill: impl FnOnce(&mut [u8; N]) -> Result<usize, E>,
        invalid: E,
    ) -> Result<(), E> {
        self.clear();
        match fill(&mut self.bytes) {
            Ok(len)
                if self
                    .bytes
                    .get(..len)
                    .is_some_and(|b| core::str::from_utf8(b).is_ok()) =>
            {
                self.len = len;
                Ok(())
            }
            result => {
                self.bytes.zeroize();
                Err(result.err().unwrap_or(invalid))
            }
        }
    }

    /// Wipes the secret and makes it empty.
    pub fn clear(&mut self) {
        if let Some(used) = self.bytes.get_mut(..self.len) {
            used.zeroize();
        }
        self.len = 0;
    }

    /// The secret text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only whole `&str` values are ever appended, so the bytes are always UTF-8.
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The secret's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// The length in bytes.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the secret is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Compares with `other` in time that depends only on the lengths, never on the
    /// contents.
    #[must_use]
    pub fn ct_eq_bytes(&self, other: &[u8]) -> bool {
        self.as_bytes().ct_eq(other).into()
    }
}

impl<const N: usize> Default for Secret<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Debug for Secret<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes, redacted>)", self.len)
    }
}

impl<const N: usize> Drop for Secret<N> {
    fn drop(&mut self) {
        // Bytes past `len` were wiped when they were last used (or never held anything).
        self.clear();
    }
}

impl<const N: usize> ZeroizeOnDrop for Secret<N> {}

/// Constant-time equality.
impl<const N: usize> PartialEq for Secret<N> {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq_bytes(other.as_bytes())
    }
}

impl<const N: usize> Eq for Secret<N> {}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn holds_text_up_to_capacity() {
        let secret = Secret::<8>::copy_from("abcdefgh").unwrap();
        assert_eq!(secret.as_str(), "abcdefgh");
        assert_eq!(
            Secret::<8>::copy_from("abcdefghi").unwrap_err(),
            TooLong { max: 8, found: 9 }
        );
    }

    #[test]
    fn push_is_all_or_nothing() {
        let mut secret = Secret::<4>::copy_from("ab").unwrap();
        assert!(secret.push_str("cde").is_err());
        assert_eq!(secret.as_str(), "ab");
        secret.push_str("cd").unwrap();
        assert_eq!(secret.as_str(), "abcd");
    }

    #[test]
    fn compares_by_content_and_hides_it() {
        let a = Secret::<16>::copy_from("token").unwrap();
        assert!(a.ct_eq_bytes(b"token"));
        assert!(!a.ct_eq_bytes(b"tokeN"));
        assert!(!a.ct_eq_bytes(b"toke"));
        assert_eq!(a, Secret::<16>::copy_from("token").unwrap());
        assert_eq!(std::format!("{a:?}"), "Secret(<5 bytes, redacted>)");
    }
}
