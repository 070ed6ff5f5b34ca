//! A `core::fmt::Write` sink over a caller's buffer that keeps counting past the end.

use core::fmt;

use crate::BufferTooSmall;

/// Writes text into a caller-owned buffer.
///
/// When the buffer runs out, writing goes on *counting* without storing, so that
/// [`Writer::finish`] can report exactly how many bytes the whole output needs
/// ([`BufferTooSmall::needed`]) and the caller can retry once with the right size.
#[derive(Debug)]
pub struct Writer<'buf> {
    buf: &'buf mut [u8],
    len: usize,
    needed: usize,
}

impl<'buf> Writer<'buf> {
    /// A writer that starts at the beginning of `buf`.
    pub fn new(buf: &'buf mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            needed: 0,
        }
    }

    /// Appends `text` (or, past the end of the buffer, only counts it).
    pub fn push(&mut self, text: &str) {
        self.push_bytes(text.as_bytes());
    }

    /// Appends raw bytes. A writer that received non-UTF-8 bytes can only be finished
    /// with [`Writer::finish_bytes`].
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        self.needed = self.needed.saturating_add(bytes.len());
        if self.needed > self.len.saturating_add(bytes.len()) {
            return; // already overflowed: keep counting only
        }
        // `get_mut(..n)` yields exactly `n` bytes, which lets the compiler drop
        // `copy_from_slice`'s length check (and its panic path).
        if let Some(slot) = self
            .buf
            .get_mut(self.len..)
            .and_then(|rest| rest.get_mut(..bytes.len()))
        {
            slot.copy_from_slice(bytes);
            self.len = self.len.saturating_add(bytes.len());
        }
    }

    /// Bytes written so far (equal to [`Writer::needed`] until the buffer overflows).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.needed == 0
    }

    /// The bytes written, or how many bytes they needed.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] with the total size of everything pushed, when it did not fit.
    pub fn finish_bytes(self) -> Result<&'buf [u8], BufferTooSmall> {
        if self.needed != self.len {
            return Err(BufferTooSmall {
                needed: self.needed,
            });
        }
        Ok(self.buf.get(..self.len).unwrap_or_default())
    }

    /// Bytes the output needs so far.
    #[must_use]
    pub const fn needed(&self) -> usize {
        self.needed
    }

    /// The text written, or how many bytes it needed.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] with the total size of everything pushed, when it did not fit.
    pub fn finish(self) -> Result<&'buf str, BufferTooSmall> {
        if self.needed != self.len {
            return Err(BufferTooSmall {
                needed: self.needed,
            });
        }
        let needed = self.needed;
        let written = self.finish_bytes()?;
        // Text writers only ever receive whole `&str` values, so the bytes are UTF-8.
        core::str::from_utf8(written).map_err(|_| BufferTooSmall { needed })
    }
}

impl fmt::Write for Writer<'_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.push(text);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use core::fmt::Write as _;

    use super::*;

    #[test]
    fn writes_what_fits() {
        let mut buf = [0u8; 16];
        let mut writer = Writer::new(&mut buf);
        writer.push("hello ");
        write!(writer, "{}", 42).unwrap();
        assert_eq!(writer.finish(), Ok("hello 42"));
    }

    #[test]
    fn counts_everything_past_the_end() {
        let mut buf = [0u8; 4];
        let mut writer = Writer::new(&mut buf);
        writer.push("abc");
        writer.push("defgh"); // does not fit
        writer.push("i"); // would fit in the room left, but output is already broken
        assert_eq!(writer.finish(), Err(BufferTooSmall { needed: 9 }));
    }

    #[test]
    fn exact_fit_is_fine() {
        let mut buf = [0u8; 3];
        let mut writer = Writer::new(&mut buf);
        writer.push("abc");
        assert_eq!(writer.finish(), Ok("abc"));
    }
}
