//! HTTP Basic client authentication (RFC 6749 §2.3.1, RFC 7617), both directions: the
//! client writes the header ([`write_header`]), the server reads it ([`read_header`]).

use core::fmt::Write as _;

use base64ct::{Base64, Encoding};
use heapless::String;
use zeroize::Zeroize;

use super::Writer;
use super::query::{DecodeError, decode_into, encode};
use crate::Secret;

/// Most bytes of `client_id:client_secret` after form-urlencoding that [`write_header`]
/// handles; a percent-encoded byte takes three.
pub const MAX_CREDENTIALS: usize = 3 * (128 + 256) + 1;

/// The client id and secret, form-urlencoded, exceed [`MAX_CREDENTIALS`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CredentialsTooLong;

impl core::fmt::Display for CredentialsTooLong {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "client credentials exceed {MAX_CREDENTIALS} bytes once form-urlencoded"
        )
    }
}

impl core::error::Error for CredentialsTooLong {}

/// Writes the `Authorization` header value `Basic base64(urlenc(id) ":" urlenc(secret))`.
///
/// RFC 6749 §2.3.1 requires the id and secret to be `application/x-www-form-urlencoded`
/// *before* base64, which many clients forget (and then fail on secrets containing `:` or
/// non-ASCII characters). The credentials are secret, so the constant-time `base64ct`
/// encoder is used, three bytes at a time as the encoded text arrives (no scratch copy
/// of the credentials), and its few bytes of state are wiped.
///
/// # Errors
///
/// [`CredentialsTooLong`]; nothing is written to `out` then.
pub fn write_header(
    out: &mut Writer<'_>,
    client_id: &str,
    client_secret: &str,
) -> Result<(), CredentialsTooLong> {
    // Counted first (nothing is written when they are too long), then encoded three bytes
    // at a time straight into `out`: no buffer of the whole credentials on the stack.
    let mut counter = Writer::new(&mut []);
    let _ = write!(counter, "{}:{}", encode(client_id), encode(client_secret));
    if counter.needed() > MAX_CREDENTIALS {
        return Err(CredentialsTooLong);
    }
    out.push("Basic ");
    let mut stream = Base64Stream {
        out,
        pending: [0; 3],
        filled: 0,
    };
    // Writing into a Writer never fails; overflow is counted and reported by finish().
    let _ = write!(stream, "{}:{}", encode(client_id), encode(client_secret));
    stream.finish();
    Ok(())
}

/// Standard base64 with padding, written as the text arrives, three bytes at a time,
/// with the constant-time encoder; what it held is wiped.
struct Base64Stream<'w, 'o> {
    out: &'w mut Writer<'o>,
    pending: [u8; 3],
    filled: usize,
}

impl Base64Stream<'_, '_> {
    /// Encodes the pending bytes (a whole group, or the padded last one).
    fn flush(&mut self) {
        let mut chars = [0u8; 4];
        if let Some(group) = self.pending.get(..self.filled)
            && let Ok(text) = Base64::encode(group, &mut chars)
        {
            self.out.push(text);
        }
        chars.zeroize();
        self.pending.zeroize();
        self.filled = 0;
    }

    fn finish(mut self) {
        if self.filled > 0 {
            self.flush();
        }
    }
}

impl core::fmt::Write for Base64Stream<'_, '_> {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        for &byte in text.as_bytes() {
            if let Some(slot) = self.pending.get_mut(self.filled) {
                *slot = byte;
                self.filled = self.filled.saturating_add(1);
            }
            if self.filled == self.pending.len() {
                self.flush();
            }
        }
        Ok(())
    }
}

impl Drop for Base64Stream<'_, '_> {
    fn drop(&mut self) {
        self.pending.zeroize();
    }
}

/// An `Authorization` header that is not `Basic` credentials this reader can take: another
/// scheme, bad base64, no `:`, a value longer than its capacity or not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MalformedBasic;

impl core::fmt::Display for MalformedBasic {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("malformed or unsupported Authorization header")
    }
}

impl core::error::Error for MalformedBasic {}

/// Reads `Basic base64(urlenc(id) ":" urlenc(secret))` into an id of at most `ID` bytes and
/// a secret of at most `SECRET` bytes (RFC 6749 §2.3.1: each form-urlencoded before base64;
/// the scheme name is case-insensitive, RFC 9110 §11.1). The credentials are secret: the
/// constant-time `base64ct` decoder, and the scratch buffer is wiped.
///
/// # Errors
///
/// [`MalformedBasic`].
pub fn read_header<const ID: usize, const SECRET: usize>(
    header: &str,
) -> Result<(String<ID>, Secret<SECRET>), MalformedBasic> {
    let header = header.trim();
    let (scheme, credentials) = header
        .split_once(|c: char| c == ' ')
        .ok_or(MalformedBasic)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(MalformedBasic);
    }
    let mut decoded = [0u8; MAX_CREDENTIALS];
    let result = Base64::decode(credentials.trim().as_bytes(), &mut decoded)
        .ok()
        .and_then(|bytes| {
            let colon = bytes.iter().position(|&b| b == b':')?;
            let (id, secret) = (bytes.get(..colon)?, bytes.get(colon.saturating_add(1)..)?);
            let mut id_buf = [0u8; ID];
            let id = String::try_from(decode_into(id, &mut id_buf).ok()?).ok()?;
            let mut secret_out = Secret::<SECRET>::new();
            secret_out
                .set_with(
                    |buf| decode_into(secret, buf).map(str::len),
                    DecodeError::NotUtf8,
                )
                .ok()?;
            Some((id, secret_out))
        });
    decoded.zeroize();
    result.ok_or(MalformedBasic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(id: &str, secret: &str) -> std::string::String {
        extern crate std;
        let mut buf = [0u8; 2048];
        let mut writer = Writer::new(&mut buf);
        write_header(&mut writer, id, secret).unwrap();
        std::string::String::from(writer.finish().unwrap())
    }

    extern crate std;

    #[test]
    fn rfc_6749_example() {
        // RFC 6749 §2.3.1: client id "s6BhdRkqt3", secret "7Fjfp0ZBr1KtDRbnfVdmIw".
        assert_eq!(
            header("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw"),
            "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3"
        );
    }

    #[test]
    fn the_last_group_is_padded() {
        // "a:" is two bytes (one pad character), "ab:c" four (two).
        assert_eq!(header("a", ""), "Basic YTo=");
        assert_eq!(header("ab", "c"), "Basic YWI6Yw==");
        assert_eq!(header("abc", "de"), "Basic YWJjOmRl");
    }

    #[test]
    fn the_reader_takes_what_the_writer_writes_and_any_scheme_case() {
        let written = header("a:b", "p@ss w%rd:");
        let (id, secret) = read_header::<64, 256>(&written).unwrap();
        assert_eq!((id.as_str(), secret.as_str()), ("a:b", "p@ss w%rd:"));
        let lower = written.replacen("Basic", "bAsIc", 1);
        assert!(read_header::<64, 256>(&lower).is_ok());
        for bad in ["Bearer abc", "Basic !!!", "Basic", "Basic YWJj"] {
            assert_eq!(
                read_header::<64, 256>(bad).map(|_| ()),
                Err(MalformedBasic),
                "{bad}"
            );
        }
        assert!(
            read_header::<2, 256>(&written).is_err(),
            "an id over its capacity"
        );
    }

    #[test]
    fn credentials_are_form_urlencoded_before_base64() {
        // "a:b" / "p@ss w%rd:" → "a%3Ab:p%40ss%20w%25rd%3A"
        assert_eq!(
            header("a:b", "p@ss w%rd:"),
            "Basic YSUzQWI6cCU0MHNzJTIwdyUyNXJkJTNB"
        );
    }
}
