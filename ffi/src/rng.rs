//! Randomness: the host's callback, or (with `std`) the operating system's source.

use core::ffi::c_void;
use core::fmt;

use rand_core::{TryCryptoRng, TryRng};

/// A cryptographically secure random source supplied by the host — for hosts without an
/// OS, a hardware TRNG driver. `fill` writes `len` random bytes to `buf` and returns 0 on
/// success, anything else on failure. `context` is passed back unchanged.
///
/// Wherever a function takes `const authcode_rng *rng`, NULL means the operating system's
/// source (builds with the `std` feature; without it NULL is `AUTHCODE_RESULT_NULL_POINTER`).
/// A non-NULL `authcode_rng` with a NULL `fill` is `AUTHCODE_RESULT_NULL_POINTER`.
///
/// The callback's contract:
/// - it is called synchronously, on the thread that made the authcode call that needs
///   randomness, only during that call (never later, never from another thread), possibly
///   several times per call; authcode keeps no pointer to the struct after the call;
/// - it must write exactly `len` bytes from a cryptographically secure source;
/// - it must not call authcode functions on the object being called (re-entrancy is not
///   supported); calls on other objects, or none at all, are fine;
/// - a non-zero return is a failure: the authcode call stops, returns
///   `AUTHCODE_RESULT_RANDOMNESS` and leaves every object unchanged (no half-made secret
///   is ever used).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_rng {
    /// Passed to `fill` unchanged.
    pub context: *mut c_void,
    /// Fills `buf` with `len` random bytes; returns 0 on success.
    pub fill: Option<unsafe extern "C" fn(context: *mut c_void, buf: *mut u8, len: usize) -> i32>,
}

/// The RNG failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RngFailed;

impl fmt::Display for RngFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the random number generator failed")
    }
}

impl core::error::Error for RngFailed {}

/// The host's callback, or the OS source.
pub(crate) enum Rng {
    Callback(authcode_rng),
    #[cfg(feature = "std")]
    Os,
}

impl Rng {
    /// The RNG a `const authcode_rng *` names.
    ///
    /// # Safety
    ///
    /// When non-NULL, `rng` must point to a valid `authcode_rng` whose callback is sound to
    /// call with its context.
    pub(crate) unsafe fn from_ptr(
        rng: *const authcode_rng,
    ) -> Result<Self, crate::authcode_result> {
        // SAFETY: valid when non-NULL, per the caller.
        match unsafe { rng.as_ref() } {
            Some(callback) if callback.fill.is_some() => Ok(Self::Callback(*callback)),
            Some(_) => Err(crate::authcode_result::NullPointer),
            #[cfg(feature = "std")]
            None => Ok(Self::Os),
            #[cfg(not(feature = "std"))]
            None => Err(crate::authcode_result::NullPointer),
        }
    }
}

impl TryRng for Rng {
    type Error = RngFailed;

    fn try_next_u32(&mut self) -> Result<u32, RngFailed> {
        let mut bytes = [0u8; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, RngFailed> {
        let mut bytes = [0u8; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), RngFailed> {
        match self {
            Self::Callback(callback) => {
                let fill = callback.fill.ok_or(RngFailed)?;
                // SAFETY: the host promised a sound callback; `dst` is valid for its length.
                let status = unsafe { fill(callback.context, dst.as_mut_ptr(), dst.len()) };
                if status == 0 { Ok(()) } else { Err(RngFailed) }
            }
            #[cfg(feature = "std")]
            Self::Os => getrandom::fill(dst).map_err(|_| RngFailed),
        }
    }
}

impl TryCryptoRng for Rng {}
