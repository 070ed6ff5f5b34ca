//! Proof Key for Code Exchange (RFC 7636), S256 only.
//!
//! * [`Verifier`] — the client's secret: 43 to 128 characters from the unreserved set
//!   `A-Z a-z 0-9 - . _ ~` (RFC 7636 §4.1). Generated from a caller-supplied
//!   cryptographic RNG or parsed from text; wiped on drop; never printed.
//! * [`Challenge`] — `BASE64URL(SHA256(verifier))`, 43 characters (RFC 7636 §4.2). It is
//!   held as its 32-byte digest: parsing decodes the text once, so a server's
//!   [`Challenge::verify`] is one SHA-256 of the verifier and a constant-time compare, with
//!   no base64 work on the hot path.
//! * [`Method`] — `S256`. The `plain` method is refused: it offers no protection when the
//!   authorization request leaks (RFC 7636 §7.2, RFC 9700 §2.1.1), and every client this
//!   engine serves can compute SHA-256.

mod challenge;
mod method;
mod verifier;

pub use challenge::{Challenge, ChallengeError};
pub use method::{Method, MethodError};
pub use verifier::{GenerateError, Verifier, VerifierError, VerifierLength};

/// Whether `byte` may appear in a code verifier: the unreserved characters
/// `A-Z a-z 0-9 - . _ ~` (RFC 7636 §4.1, RFC 3986 §2.3).
///
/// Written with non-short-circuiting `|` so it has no data-dependent branch and a loop
/// over it vectorises.
#[allow(clippy::nonminimal_bool)]
const fn is_unreserved(byte: u8) -> bool {
    (byte.wrapping_sub(b'A') < 26)
        | (byte.wrapping_sub(b'a') < 26)
        | (byte.wrapping_sub(b'0') < 10)
        | (byte == b'-')
        | (byte == b'.')
        | (byte == b'_')
        | (byte == b'~')
}

/// Whether `byte` belongs to the base64url alphabet `A-Z a-z 0-9 - _` (RFC 4648 §5).
const fn is_base64url(byte: u8) -> bool {
    (byte.wrapping_sub(b'A') < 26)
        | (byte.wrapping_sub(b'a') < 26)
        | (byte.wrapping_sub(b'0') < 10)
        | (byte == b'-')
        | (byte == b'_')
}

/// The first byte of `bytes` that `allowed` rejects, with its position.
///
/// The common case — every byte allowed — is checked in one pass over all the bytes with
/// no early exit, which the compiler vectorises and whose timing does not depend on the
/// (secret) content; only a rejected input pays for the second pass that finds the
/// position.
fn first_disallowed(bytes: &[u8], allowed: impl Fn(u8) -> bool) -> Option<(usize, u8)> {
    let all_allowed = bytes.iter().fold(true, |ok, &byte| ok & allowed(byte));
    if all_allowed {
        return None;
    }
    bytes
        .iter()
        .copied()
        .enumerate()
        .find(|&(_, byte)| !allowed(byte))
}

/// Writes `byte` readably for an error message: the character itself when printable
/// ASCII, else its hexadecimal value.
struct ShownByte(u8);

impl core::fmt::Display for ShownByte {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            b' ' => f.write_str("a space (0x20)"),
            printable @ 0x21..=0x7e => {
                write!(f, "'{}' (0x{:02x})", char::from(printable), printable)
            }
            other => write!(f, "byte 0x{other:02x}"),
        }
    }
}
