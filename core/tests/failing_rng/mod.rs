//! An RNG that always fails, for the tests of what a failing entropy source leaves behind.

/// Every call fails.
pub(crate) struct FailingRng;

impl rand::TryRng for FailingRng {
    type Error = std::io::Error;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Err(std::io::Error::other("no entropy"))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Err(std::io::Error::other("no entropy"))
    }
    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
        Err(std::io::Error::other("no entropy"))
    }
}

impl rand::TryCryptoRng for FailingRng {}
