//! The format of the access and refresh tokens the server issues.
//!
//! A token is 64 base64url characters: a 16-byte **locator** and a 32-byte **secret**
//! (opaque to the client, 384 bits) — the split-token pattern: the locator finds the grant
//! and proves nothing; the secret proves possession and is kept only as its SHA-256.
//! The locators are themselves digests: the refresh locator is the first 16 bytes of the
//! SHA-256 of the authorization code (so a replayed code finds its grant), the access
//! locator the first 16 bytes of a domain-separated SHA-256 of the refresh locator (so a
//! refresh can mint access tokens, and a resource server that sees access tokens learns
//! nothing about the refresh locator). The key index stores these digests; no table holds
//! a secret. Every refresh token of a grant carries the grant's refresh locator, so a
//! rotated-out token is recognised at any depth without a history: its locator finds the
//! grant and its secret is not the current one.

use base64ct::{Base64UrlUnpadded, Encoding as _};
use rand_core::TryCryptoRng;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroize;

use super::entries::Key;
use super::limits::ISSUED_TOKEN_LEN;
use crate::Secret;

/// Bytes of a locator.
pub(crate) const LOCATOR_BYTES: usize = 16;
/// Bytes of a token's secret half.
const SECRET_BYTES: usize = 32;
const TOKEN_BYTES: usize = LOCATOR_BYTES + SECRET_BYTES;

/// A grant's locator.
pub(crate) type Locator = [u8; LOCATOR_BYTES];

/// SHA-256 of `value`.
pub(crate) fn digest(value: &[u8]) -> [u8; 32] {
    Sha256::digest(value).into()
}

fn truncated(hash: [u8; 32]) -> [u8; 16] {
    let (head, _) = hash.split_first_chunk::<16>().unwrap_or((&[0; 16], &[]));
    *head
}

/// The refresh locator of the grant a code produces, from the code's SHA-256.
pub(crate) fn refresh_locator(code_digest: &[u8; 32]) -> Locator {
    truncated(*code_digest)
}

/// The access locator of the grant whose refresh locator is `refresh`.
pub(crate) fn access_locator(refresh: &Locator) -> Locator {
    truncated(
        Sha256::new()
            .chain_update(b"authcode access locator\0")
            .chain_update(refresh)
            .finalize()
            .into(),
    )
}

/// A token just made: its text (for the client) and its secret's digest (for the table).
pub(crate) struct Minted {
    pub(crate) text: Secret<ISSUED_TOKEN_LEN>,
    pub(crate) secret_digest: [u8; 32],
}

/// Makes a token under `locator` with a fresh random secret.
pub(crate) fn mint<R: TryCryptoRng + ?Sized>(locator: &Locator, rng: &mut R) -> Result<Minted, ()> {
    let mut raw = [0u8; TOKEN_BYTES];
    let mut text = [0u8; ISSUED_TOKEN_LEN];
    let result = (|| {
        let (head, secret) = raw.split_at_mut(LOCATOR_BYTES);
        head.copy_from_slice(locator);
        rng.try_fill_bytes(secret).map_err(|_| ())?;
        let secret_digest = digest(secret);
        let encoded = Base64UrlUnpadded::encode(&raw, &mut text).map_err(|_| ())?;
        let text = Secret::copy_from(encoded).map_err(|_| ())?;
        Ok(Minted {
            text,
            secret_digest,
        })
    })();
    raw.zeroize();
    text.zeroize();
    result
}

/// A token as presented: its locator and its secret's digest.
pub(crate) struct Presented {
    pub(crate) locator: Locator,
    pub(crate) secret_digest: [u8; 32],
}

impl Presented {
    /// The token's index key: its locator.
    pub(crate) const fn key(&self) -> Key {
        self.locator
    }
}

/// Reads a presented token; `None` when it cannot be one of ours (then it is unknown).
pub(crate) fn parse(text: &[u8]) -> Option<Presented> {
    if text.len() != ISSUED_TOKEN_LEN {
        return None;
    }
    let mut raw = [0u8; TOKEN_BYTES];
    // The constant-time decoder: the text is a secret.
    let result = match Base64UrlUnpadded::decode(text, &mut raw) {
        Ok(decoded) if decoded.len() == TOKEN_BYTES => {
            let (locator, secret) = raw.split_at(LOCATOR_BYTES);
            let mut out = Presented {
                locator: [0; LOCATOR_BYTES],
                secret_digest: digest(secret),
            };
            out.locator.copy_from_slice(locator);
            Some(out)
        }
        _ => None,
    };
    raw.zeroize();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter(u8);

    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
            for byte in dest {
                self.0 = self.0.wrapping_add(1);
                *byte = self.0;
            }
            Ok(())
        }
    }

    impl rand_core::TryCryptoRng for Counter {}

    #[test]
    fn a_minted_token_parses_back_to_its_locator_and_secret() {
        let locator = refresh_locator(&digest(b"some code"));
        let minted = mint(&locator, &mut Counter(0)).unwrap();
        assert_eq!(minted.text.as_str().len(), ISSUED_TOKEN_LEN);
        let presented = parse(minted.text.as_bytes()).unwrap();
        assert_eq!(presented.locator, locator);
        assert_eq!(presented.secret_digest, minted.secret_digest);
        assert_eq!(presented.key(), locator);
    }

    #[test]
    fn locators_are_domain_separated() {
        let refresh = refresh_locator(&digest(b"code"));
        assert_ne!(access_locator(&refresh), refresh);
        assert_ne!(refresh_locator(&digest(b"code2")), refresh);
    }

    #[test]
    fn anything_else_is_not_a_token() {
        assert!(parse(b"").is_none());
        assert!(parse(&[b'A'; 63]).is_none());
        assert!(parse(&[b'!'; 64]).is_none());
        assert!(parse(&[b'A'; 65]).is_none());
        assert!(parse(&[b'='; 64]).is_none());
    }
}
