//! The error shared by every call that writes into a buffer the caller owns.

use core::fmt;

/// The caller's buffer cannot hold the output; nothing useful was written.
///
/// `needed` is the number of bytes the output takes, so the caller can retry with a buffer
/// of at least that size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BufferTooSmall {
    /// Bytes the output needs.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "buffer too small: {} bytes needed", self.needed)
    }
}

impl core::error::Error for BufferTooSmall {}
