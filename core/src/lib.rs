//! # authcode — an embedded OAuth 2.0 authorization-code + PKCE engine
//!
//! `authcode` is the protocol core of an OAuth 2.0 authorization-code flow with PKCE
//! (RFC 6749, RFC 7636, RFC 8252, RFC 9700). It is written for the places a general-purpose
//! OAuth library does not fit: mobile apps linking a static library, C and C++ hosts,
//! firmware.
//!
//! ## The sans-IO picture
//!
//! The core never touches a socket, a clock, a file or the operating system's random
//! source. The host passes in what the core needs:
//!
//! * **randomness** — any [`rand_core::TryCryptoRng`] (the OS generator on a phone, a
//!   hardware TRNG on a microcontroller);
//! * **bytes it received** — a redirect URL, a request body, a response body;
//! * **the time** — Unix seconds, when a step depends on it.
//!
//! and the core hands back values, or writes what to send into a buffer the caller owns.
//!
//! ## Guarantees
//!
//! * `#![no_std]`, and the crate does not link `alloc`: every buffer is the caller's or a
//!   fixed-size array. Running out of room is an error value, never a panic.
//! * `#![forbid(unsafe_code)]`.
//! * No panics on input: every byte from outside is parsed into a typed value or rejected
//!   with a typed error that says what is wrong (the workspace denies `unwrap`, `expect`,
//!   `panic!` and unchecked indexing in this crate).
//! * Secrets are compared in constant time ([`subtle`]) and wiped when dropped
//!   ([`zeroize`]); their `Debug` output never shows them.
//!
//! ## Modules
//!
//! * [`pkce`] — code verifiers, S256 code challenges, and the challenge method
//!   (RFC 7636).
//! * [`client`] — the client session an app runs: authorize URL, redirect, token
//!   exchange, refresh, revocation, save/restore.
//! * [`server`] — the authorization server a host embeds: app registry, code and token
//!   tables, the authorization, token and revocation endpoints, validation.
//! * [`jose`] (feature `jose` and one per algorithm) — JWS compact serialization, JWKs,
//!   JWT claims; RS256, ES256 and EdDSA verification without a heap.
//! * [`wire`] — caller-buffer writing, query/form encoding, a flat JSON reader, Basic auth.
//! * [`secret`], [`time`], [`profile`] — fixed-capacity secrets, host-supplied time,
//!   Workfront vs plain-RFC behaviour.
//! * [`BufferTooSmall`] — the error every "write into the caller's buffer" call shares.
//!
//! ## Example
//!
//! ```
//! use authcode::pkce::{Challenge, Verifier, VerifierLength};
//! # use rand_core::{TryCryptoRng, TryRng, Infallible};
//! # struct Rng(u8);
//! # impl TryRng for Rng {
//! #     type Error = Infallible;
//! #     fn try_next_u32(&mut self) -> Result<u32, Infallible> { Ok(7) }
//! #     fn try_next_u64(&mut self) -> Result<u64, Infallible> { Ok(7) }
//! #     fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
//! #         for b in dst { self.0 = self.0.wrapping_mul(31).wrapping_add(7); *b = self.0; }
//! #         Ok(())
//! #     }
//! # }
//! # impl TryCryptoRng for Rng {}
//! # let mut rng = Rng(1);
//! // A client: make a verifier, send its challenge with the authorize request.
//! let verifier = Verifier::generate(&mut rng, VerifierLength::DEFAULT)?;
//! let challenge = Challenge::s256(&verifier);
//! let mut text = [0u8; Challenge::ENCODED_LEN];
//! let sent = challenge.encode_into(&mut text)?;
//!
//! // A server: parse the challenge it received, later check the verifier.
//! let stored = Challenge::parse(sent)?;
//! assert!(stored.verify(&verifier));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
// Input-driven arithmetic must not overflow: checked, saturating or wrapping on purpose.
// (Applied here rather than workspace-wide, where it would only add noise to tests.)
#![warn(clippy::arithmetic_side_effects)]
// Closure patterns (`split(|c: char| c == ' ')`) on purpose: a `char` pattern uses
// `CharSearcher`, whose release code keeps a panic path that `panic-check/` would flag.
#![allow(clippy::manual_pattern_char_comparison)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod buffer;
pub mod client;
#[cfg(feature = "jose")]
pub mod jose;
pub mod oauth;
pub mod pkce;
pub mod profile;
pub mod secret;
pub mod server;
pub mod time;
pub mod wire;

pub use buffer::BufferTooSmall;
pub use profile::Profile;
pub use secret::Secret;
pub use time::Timestamp;
