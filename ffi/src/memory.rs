//! Where objects live: on the heap (`std`: `_new`/`_free`) or in storage the caller
//! provides (`_size`/`_align`/`_init`/`_deinit`).

use crate::result::{FfiResult, authcode_result};
use crate::util::check_out;

/// Moves `value` into caller storage and hands back the pointer.
///
/// # Safety
///
/// `storage` must be valid for `storage_len` writable bytes for as long as the object is
/// used, and `out` valid for a write.
pub(crate) unsafe fn init_in<T>(
    storage: *mut u8,
    storage_len: usize,
    value: impl FnOnce() -> Result<T, authcode_result>,
    out: *mut *mut T,
) -> FfiResult {
    check_out(out)?;
    if storage.is_null() {
        return Err(authcode_result::NullPointer);
    }
    if storage_len < core::mem::size_of::<T>() {
        return Err(authcode_result::StorageTooSmall);
    }
    if !(storage as usize).is_multiple_of(core::mem::align_of::<T>()) {
        return Err(authcode_result::StorageMisaligned);
    }
    let value = value()?;
    let object = storage.cast::<T>();
    // SAFETY: large enough, aligned, writable (checked above / promised by the caller).
    unsafe {
        object.write(value);
        out.write(object);
    }
    Ok(())
}

/// Drops an object that lives in caller storage (wiping its secrets); NULL is a no-op.
///
/// # Safety
///
/// `object` must come from the matching `_init` and not be used afterwards.
pub(crate) unsafe fn deinit<T>(object: *mut T) {
    if !object.is_null() {
        // SAFETY: a live object initialised by `init_in`, per the caller.
        unsafe { core::ptr::drop_in_place(object) };
    }
}

/// Moves `value` to the heap and hands back the pointer.
///
/// # Safety
///
/// `out` must be valid for a write.
#[cfg(feature = "std")]
pub(crate) unsafe fn boxed<T>(value: T, out: *mut *mut T) -> FfiResult {
    check_out(out)?;
    // SAFETY: checked non-NULL; valid for writes per the caller.
    unsafe { out.write(Box::into_raw(Box::new(value))) };
    Ok(())
}

/// Frees a heap object; NULL is a no-op.
///
/// # Safety
///
/// `object` must come from the matching `_new` and not be used afterwards.
#[cfg(feature = "std")]
pub(crate) unsafe fn free<T>(object: *mut T) {
    if !object.is_null() {
        // SAFETY: created by `Box::into_raw` in `boxed`, per the caller.
        drop(unsafe { Box::from_raw(object) });
    }
}
