//! HTTP Basic client authentication (RFC 6749 §2.3.1, RFC 7617).

use core::fmt::Write as _;

use base64ct::{Base64, Encoding};
use zeroize::Zeroize;

use super::Writer;
use super::query::encode;

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
/// encoder is used and the scratch buffers are wiped.
///
/// # Errors
///
/// [`CredentialsTooLong`]; nothing is written to `out` then.
pub fn write_header(
    out: &mut Writer<'_>,
    client_id: &str,
    client_secret: &str,
) -> Result<(), CredentialsTooLong> {
    let mut plain = [0u8; MAX_CREDENTIALS];
    let mut encoded = [0u8; (MAX_CREDENTIALS / 3 + 1) * 4];
    let result =
        encode_credentials(&mut plain, &mut encoded, client_id, client_secret).map(|text| {
            out.push("Basic ");
            out.push(text);
        });
    plain.zeroize();
    encoded.zeroize();
    result
}

fn encode_credentials<'e>(
    plain: &mut [u8],
    encoded: &'e mut [u8],
    client_id: &str,
    client_secret: &str,
) -> Result<&'e str, CredentialsTooLong> {
    let mut writer = Writer::new(plain);
    // Writing into a Writer never fails; overflow is counted and reported by finish().
    let _ = write!(writer, "{}:{}", encode(client_id), encode(client_secret));
    let credentials = writer.finish().map_err(|_| CredentialsTooLong)?;
    Base64::encode(credentials.as_bytes(), encoded).map_err(|_| CredentialsTooLong)
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
    fn credentials_are_form_urlencoded_before_base64() {
        // "a:b" / "p@ss w%rd:" → "a%3Ab:p%40ss%20w%25rd%3A"
        assert_eq!(
            header("a:b", "p@ss w%rd:"),
            "Basic YSUzQWI6cCU0MHNzJTIwdyUyNXJkJTNB"
        );
    }
}
