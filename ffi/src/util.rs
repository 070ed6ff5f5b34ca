//! Checked conversions between C arguments and Rust values, and the panic guard.

use crate::result::{FfiResult, authcode_result};

/// A string or byte range passed to or from C: `ptr` to `len` bytes (not NUL-terminated).
/// `ptr` is NULL exactly when the value is absent.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct authcode_str {
    /// First byte, or NULL when absent.
    pub ptr: *const u8,
    /// Number of bytes.
    pub len: usize,
}

impl authcode_str {
    /// An absent value (NULL pointer).
    pub const NONE: Self = Self {
        ptr: core::ptr::null(),
        len: 0,
    };

    /// A view of `text`, valid as long as `text` is.
    #[must_use]
    pub fn of(text: &str) -> Self {
        Self {
            ptr: text.as_ptr(),
            len: text.len(),
        }
    }

    pub(crate) fn of_option(text: Option<&str>) -> Self {
        text.map_or(Self::NONE, Self::of)
    }
}

/// The bytes at `(ptr, len)`. `(NULL, 0)` is empty; NULL with a length is an error.
///
/// # Safety
///
/// When non-NULL, `ptr` must point to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], authcode_result> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(authcode_result::NullPointer)
        };
    }
    // SAFETY: non-NULL, and the caller promises `len` readable bytes.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// The UTF-8 text at `(ptr, len)`.
///
/// # Safety
///
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize) -> Result<&'a str, authcode_result> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { bytes(ptr, len)? };
    core::str::from_utf8(bytes).map_err(|_| authcode_result::InvalidUtf8)
}

/// The writable buffer `(buf, len)`. `(NULL, 0)` is an empty buffer (to ask for the size).
///
/// # Safety
///
/// When non-NULL, `buf` must point to `len` writable bytes, not aliased, that outlive `'a`.
pub(crate) unsafe fn buffer<'a>(buf: *mut u8, len: usize) -> Result<&'a mut [u8], authcode_result> {
    if buf.is_null() {
        return if len == 0 {
            Ok(&mut [])
        } else {
            Err(authcode_result::NullPointer)
        };
    }
    // SAFETY: non-NULL, and the caller promises `len` writable, unaliased bytes.
    Ok(unsafe { core::slice::from_raw_parts_mut(buf, len) })
}

/// A reference from a handle pointer.
///
/// # Safety
///
/// When non-NULL, `ptr` must point to a live object of type `T` not used elsewhere now.
pub(crate) unsafe fn object<'a, T>(ptr: *const T) -> Result<&'a T, authcode_result> {
    // SAFETY: the caller promises a live object when non-NULL.
    unsafe { ptr.as_ref() }.ok_or(authcode_result::NullPointer)
}

/// A mutable reference from a handle pointer.
///
/// # Safety
///
/// As [`object`], and no other reference to it may exist during the call.
pub(crate) unsafe fn object_mut<'a, T>(ptr: *mut T) -> Result<&'a mut T, authcode_result> {
    // SAFETY: the caller promises a live, unaliased object when non-NULL.
    unsafe { ptr.as_mut() }.ok_or(authcode_result::NullPointer)
}

/// Writes `value` through an out pointer.
///
/// # Safety
///
/// When non-NULL, `out` must be valid for a write of `T`.
pub(crate) unsafe fn put<T>(out: *mut T, value: T) -> FfiResult {
    if out.is_null() {
        return Err(authcode_result::NullPointer);
    }
    // SAFETY: non-NULL and valid for writes, per the caller.
    unsafe { out.write(value) };
    Ok(())
}

/// Reports bytes written into a caller buffer: their length on success, the size needed on
/// `BufferTooSmall`.
///
/// # Safety
///
/// `out_len` must be valid for a write (it was checked non-NULL by the caller of this
/// function via [`check_out`]).
pub(crate) unsafe fn report_len(
    result: Result<usize, authcode::BufferTooSmall>,
    out_len: *mut usize,
) -> FfiResult {
    match result {
        Ok(len) => {
            // SAFETY: checked non-NULL up front; valid per the caller.
            unsafe { put(out_len, len) }
        }
        Err(too_small) => {
            // SAFETY: as above.
            unsafe { put(out_len, too_small.needed)? };
            Err(authcode_result::BufferTooSmall)
        }
    }
}

/// Fails with `NullPointer` when an out pointer is NULL — checked before any work.
pub(crate) fn check_out<T>(out: *mut T) -> FfiResult {
    if out.is_null() {
        Err(authcode_result::NullPointer)
    } else {
        Ok(())
    }
}

/// Runs `body`, turning `Ok(())` into `AUTHCODE_RESULT_OK` and, with `std`, a panic into
/// `AUTHCODE_RESULT_PANIC` instead of unwinding into C.
pub(crate) fn guard(body: impl FnOnce() -> FfiResult) -> authcode_result {
    #[cfg(feature = "std")]
    let outcome = std::panic::catch_unwind(core::panic::AssertUnwindSafe(body))
        .unwrap_or(Err(authcode_result::Panic));
    #[cfg(not(feature = "std"))]
    let outcome = body();
    match outcome {
        Ok(()) => authcode_result::Ok,
        Err(code) => code,
    }
}

/// Writes the `Display` of `value` into a fixed string, cutting it if needed.
pub(crate) fn describe<const N: usize>(value: &dyn core::fmt::Display) -> heapless::String<N> {
    use core::fmt::Write as _;
    let mut out = Truncating(heapless::String::new());
    let _ = write!(out, "{value}");
    out.0
}

use authcode::wire::utf8::Truncating;

/// Copies `text` into a caller buffer.
///
/// # Safety
///
/// As [`buffer`]; `out_len` valid for a write.
pub(crate) unsafe fn copy_out(
    text: &[u8],
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> FfiResult {
    check_out(out_len)?;
    // SAFETY: forwarded contract.
    let buffer = unsafe { buffer(buf, len)? };
    let result = match buffer.get_mut(..text.len()) {
        Some(slot) => {
            slot.copy_from_slice(text);
            Ok(text.len())
        }
        None => Err(authcode::BufferTooSmall { needed: text.len() }),
    };
    // SAFETY: checked non-NULL above.
    unsafe { report_len(result, out_len) }
}

/// A caller's output buffer and its `*out_len`, validated before any work, so that a call
/// that changes an object never fails afterwards for want of a place to put its result.
pub(crate) struct OutBuf<'a> {
    buf: &'a mut [u8],
    out_len: *mut usize,
}

impl<'a> OutBuf<'a> {
    /// Checks `out_len` non-NULL and `(buf, len)` a valid buffer (NULL only with 0), and
    /// that it holds at least `needed` bytes (else `*out_len = needed`, `BufferTooSmall`).
    ///
    /// # Safety
    ///
    /// As [`buffer`]; `out_len`, when non-NULL, valid for writes during `'a`.
    pub(crate) unsafe fn new(
        buf: *mut u8,
        len: usize,
        out_len: *mut usize,
        needed: usize,
    ) -> Result<Self, authcode_result> {
        check_out(out_len)?;
        // SAFETY: forwarded contract.
        let buf = unsafe { buffer(buf, len)? };
        let out = Self { buf, out_len };
        if out.buf.len() < needed {
            out.set_len(needed)?;
            return Err(authcode_result::BufferTooSmall);
        }
        Ok(out)
    }

    fn set_len(&self, len: usize) -> FfiResult {
        // SAFETY: checked non-NULL in `new`; valid per its contract.
        unsafe { put(self.out_len, len) }
    }

    /// Copies `bytes` in and sets `*out_len`; `BufferTooSmall` (with the size) only when
    /// `bytes` is longer than the `needed` promised to [`OutBuf::new`].
    pub(crate) fn write(self, bytes: &[u8]) -> FfiResult {
        match self.buf.get_mut(..bytes.len()) {
            Some(slot) => {
                slot.copy_from_slice(bytes);
                self.set_len(bytes.len())
            }
            None => {
                self.set_len(bytes.len())?;
                Err(authcode_result::BufferTooSmall)
            }
        }
    }
}

/// The text of the last failure on an object: cleared by every call on it, set by every
/// call that fails (to that failure's reason, or to the result code's message when there
/// is nothing more specific). Inside a `RefCell` so that calls taking a `const` handle
/// keep the rule too; an object is used by one thread at a time (the C API's rule), and no
/// borrow outlives a statement.
pub(crate) struct LastError<const N: usize>(core::cell::RefCell<heapless::String<N>>);

impl<const N: usize> LastError<N> {
    /// No failure yet.
    pub(crate) const fn new() -> Self {
        Self(core::cell::RefCell::new(heapless::String::new()))
    }

    /// Forgets the previous failure.
    pub(crate) fn clear(&self) {
        if let Ok(mut text) = self.0.try_borrow_mut() {
            text.clear();
        }
    }

    /// Records `reason` (cut to `N` bytes at a character boundary).
    pub(crate) fn set(&self, reason: &dyn core::fmt::Display) {
        if let Ok(mut text) = self.0.try_borrow_mut() {
            *text = describe(reason);
        }
    }

    /// Records the message of `code` unless a reason was recorded during this call.
    fn set_default(&self, code: authcode_result) {
        if let Ok(mut text) = self.0.try_borrow_mut()
            && text.is_empty()
        {
            *text = describe(&code.message().to_str().unwrap_or_default());
        }
    }

    /// Copies the text out by the `(buf, len, out_len)` convention.
    ///
    /// # Safety
    ///
    /// As [`copy_out`].
    pub(crate) unsafe fn copy_out(
        &self,
        buf: *mut u8,
        len: usize,
        out_len: *mut usize,
    ) -> FfiResult {
        let text = self
            .0
            .try_borrow()
            .map_err(|_| authcode_result::WrongState)?;
        // SAFETY: forwarded contract.
        unsafe { copy_out(text.as_bytes(), buf, len, out_len) }
    }
}

/// An object that keeps the text of its last failure.
pub(crate) trait Handle {
    /// The object's last failure.
    fn failure(&self) -> &dyn Failure;
}

/// The part of [`LastError`] the call wrappers use, whatever its size.
pub(crate) trait Failure {
    /// As [`LastError::clear`].
    fn clear(&self);
    /// As [`LastError::set_default`].
    fn set_default(&self, code: authcode_result);
}

impl<const N: usize> Failure for LastError<N> {
    fn clear(&self) {
        LastError::clear(self);
    }
    fn set_default(&self, code: authcode_result) {
        LastError::set_default(self, code);
    }
}

/// Runs `body` on the object behind `handle` under the last-error rule: the object's last
/// error is cleared first and, when the call fails, holds that failure's text after it
/// (also for failures without a specific reason, such as a NULL argument, and for a caught
/// panic). A NULL `handle` is `NullPointer` (there is no object to record it on).
///
/// `handle` must be NULL or point to a live object that no one else uses during the call
/// (the header's rule, which the C caller promises).
pub(crate) fn on_mut<H: Handle>(
    handle: *mut H,
    body: impl FnOnce(&mut H) -> FfiResult,
) -> authcode_result {
    // SAFETY: NULL or live and unaliased, per the header's rule.
    let Some(object) = (unsafe { handle.as_mut() }) else {
        return authcode_result::NullPointer;
    };
    object.failure().clear();
    let result = guard(|| body(&mut *object));
    if result != authcode_result::Ok {
        object.failure().set_default(result);
    }
    result
}

/// The UTF-8 text `(ptr, len)` of a C argument, or `return Err(..)` from the
/// enclosing function (`NullPointer` for NULL with a length, `InvalidUtf8`). Every pointer
/// argument is NULL or valid for its length: the header's convention, which the C caller
/// promises.
macro_rules! try_text {
    ($ptr:expr, $len:expr) => {{
        let (ptr, len) = ($ptr, $len);
        // SAFETY: NULL or `len` readable bytes for the call, per the header's convention.
        unsafe { $crate::util::text(ptr, len)? }
    }};
}

/// A shared reference from a C pointer argument, or `NullPointer`.
macro_rules! try_ref {
    ($ptr:expr) => {{
        let ptr = $ptr;
        // SAFETY: NULL or valid for the call, per the header's convention.
        unsafe { $crate::util::object(ptr)? }
    }};
}

pub(crate) use {try_ref, try_text};

/// `TryFrom<u32>` for a C enum passed in as `uint32_t` (so that no out-of-range number
/// ever becomes a Rust enum): a number that names no variant is `InvalidArgument`.
macro_rules! enum_from_u32 {
    ($ty:ident { $($variant:ident),+ $(,)? }) => {
        impl TryFrom<u32> for $ty {
            type Error = $crate::result::authcode_result;

            fn try_from(value: u32) -> Result<Self, Self::Error> {
                $(
                    if value == Self::$variant as u32 {
                        return Ok(Self::$variant);
                    }
                )+
                Err($crate::result::authcode_result::InvalidArgument)
            }
        }
    };
}

pub(crate) use enum_from_u32;

/// Runs `body` (which reaches the object through `handle` itself) under the last-error
/// rule, as [`on_mut`] does: the object's last error is cleared first and holds the failure's
/// text after a failed call. `handle` may be NULL (`body` then reports it).
///
/// `handle` must be NULL or point to a live object used by no one else during the call
/// (the header's rule); no reference made here outlives a statement, so `body` may make
/// its own.
pub(crate) fn recorded<H: Handle>(
    handle: *const H,
    body: impl FnOnce() -> FfiResult,
) -> authcode_result {
    // SAFETY: NULL or live, per the header's rule; the reference ends with the statement.
    if let Some(object) = unsafe { handle.as_ref() } {
        object.failure().clear();
    }
    let result = guard(body);
    if result != authcode_result::Ok {
        // SAFETY: as above; `body` has returned, so no other reference is in use.
        if let Some(object) = unsafe { handle.as_ref() } {
            object.failure().set_default(result);
        }
    }
    result
}
