//! Helpers shared by the end-to-end tests in `tests/tests/`.
//!
//! The tests here cross crate boundaries: authcode against independent implementations
//! (the `oauth2` crate), and — as later parts land — client against server, and the
//! language bindings against the core.

use rand::SeedableRng;
use rand::rngs::StdRng;

/// A deterministic cryptographic RNG for reproducible tests: the same seed gives the same
/// verifiers on every run and machine.
#[must_use]
pub fn seeded_rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}
