//! Time as the host tells it: Unix seconds. The core never reads a clock.

use core::fmt;

/// A point in time in whole seconds since the Unix epoch, supplied by the host.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The time `seconds` after the Unix epoch.
    #[must_use]
    pub const fn from_unix_seconds(seconds: u64) -> Self {
        Self(seconds)
    }

    /// Seconds since the Unix epoch.
    #[must_use]
    pub const fn unix_seconds(self) -> u64 {
        self.0
    }

    /// `seconds` later; saturates at the end of time rather than wrapping.
    #[must_use]
    pub const fn plus(self, seconds: u64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// `seconds` earlier; saturates at the epoch.
    #[must_use]
    pub const fn minus(self, seconds: u64) -> Self {
        Self(self.0.saturating_sub(seconds))
    }

    /// Seconds from `self` until `later`, or 0 when `later` is not later.
    #[must_use]
    pub const fn seconds_until(self, later: Self) -> u64 {
        later.0.saturating_sub(self.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        let t = Timestamp::from_unix_seconds(u64::MAX - 1);
        assert_eq!(t.plus(10).unix_seconds(), u64::MAX);
        assert_eq!(Timestamp::from_unix_seconds(5).minus(10).unix_seconds(), 0);
        assert_eq!(
            Timestamp::from_unix_seconds(5).seconds_until(Timestamp::from_unix_seconds(3)),
            0
        );
        assert_eq!(
            Timestamp::from_unix_seconds(5).seconds_until(Timestamp::from_unix_seconds(8)),
            3
        );
    }
}
