//! The format of the access and refresh tokens the server issues.
//!
//! A token is 64 base64url characters: a 16-character **key** and 48 characters of
//! **secret** (36 random bytes, 288 bits) — the split-token pattern: the key finds the
//! grant and proves nothing; the secret proves possession and is kept only as a SHA-256
//! digest (of the token's last 48 characters). The keys are themselves digests: a grant's
//! refresh key is base64url of the first 12 bytes of the SHA-256 of its authorization code
//! (so a replayed code finds its grant), its access key base64url of 12 bytes of a
//! domain-separated SHA-256 of the refresh key (so a refresh can mint access tokens, and a
//! resource server that sees access tokens learns nothing about the refresh key). Every
//! refresh token of a grant carries the grant's refresh key, so a rotated-out token is
//! recognised at any depth without a history: its key finds the grant and its secret is
//! not the current one. Reading a presented token decodes nothing: one hash and one
//! lookup.

use base64ct::{Base64UrlUnpadded, Encoding as _};
use rand_core::TryCryptoRng;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroize;

use super::entries::Key;
use super::limits::ISSUED_TOKEN_LEN;
use crate::Secret;

/// Characters of a token's key.
pub(crate) const KEY_LEN: usize = 16;
/// Random bytes of a token's secret (48 base64url characters).
const SECRET_BYTES: usize = 36;

/// SHA-256 of `value`.
pub(crate) fn digest(value: &[u8]) -> [u8; 32] {
    Sha256::digest(value).into()
}

/// base64url of the first 12 bytes of `hash`: a key.
fn key_of(hash: &[u8; 32]) -> Key {
    let mut key = [0u8; KEY_LEN];
    let (head, _) = hash.split_first_chunk::<12>().unwrap_or((&[0; 12], &[]));
    // 12 bytes are exactly 16 characters, so this cannot fail.
    let _ = Base64UrlUnpadded::encode(head, &mut key);
    key
}

/// The refresh key of the grant a code produces, from the code's SHA-256.
pub(crate) fn refresh_key(code_digest: &[u8; 32]) -> Key {
    key_of(code_digest)
}

/// The access key of the grant whose refresh key is `refresh`.
pub(crate) fn access_key(refresh: &Key) -> Key {
    key_of(
        &Sha256::new()
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

/// Makes a token under `key` with a fresh random secret.
pub(crate) fn mint<R: TryCryptoRng + ?Sized>(key: &Key, rng: &mut R) -> Result<Minted, ()> {
    let mut random = [0u8; SECRET_BYTES];
    let mut text = [0u8; ISSUED_TOKEN_LEN];
    let result = (|| {
        rng.try_fill_bytes(&mut random).map_err(|_| ())?;
        let (head, tail) = text.split_at_mut(KEY_LEN);
        head.copy_from_slice(key);
        // The secret: the constant-time encoder.
        let secret = Base64UrlUnpadded::encode(&random, tail).map_err(|_| ())?;
        let secret_digest = digest(secret.as_bytes());
        let text = core::str::from_utf8(&text).map_err(|_| ())?;
        Ok(Minted {
            text: Secret::copy_from(text).map_err(|_| ())?,
            secret_digest,
        })
    })();
    random.zeroize();
    text.zeroize();
    result
}

/// A token as presented: its key and its secret's digest.
pub(crate) struct Presented {
    pub(crate) key: Key,
    pub(crate) secret_digest: [u8; 32],
}

impl Presented {
    /// The token's index key.
    pub(crate) const fn key(&self) -> Key {
        self.key
    }
}

/// Reads a presented token; `None` when it cannot be one of ours (then it is unknown).
pub(crate) fn parse(text: &[u8]) -> Option<Presented> {
    if text.len() != ISSUED_TOKEN_LEN {
        return None;
    }
    let (head, secret) = text.split_at_checked(KEY_LEN)?;
    let mut key = [0u8; KEY_LEN];
    key.copy_from_slice(head);
    Some(Presented {
        key,
        secret_digest: digest(secret),
    })
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
    fn a_minted_token_parses_back_to_its_key_and_secret() {
        let key = refresh_key(&digest(b"some code"));
        let minted = mint(&key, &mut Counter(0)).unwrap();
        let text = minted.text.as_str();
        assert_eq!(text.len(), ISSUED_TOKEN_LEN);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        let presented = parse(minted.text.as_bytes()).unwrap();
        assert_eq!(presented.key(), key);
        assert_eq!(presented.secret_digest, minted.secret_digest);
        let again = mint(&key, &mut Counter(7)).unwrap();
        assert_ne!(again.text.as_str(), text, "a fresh secret");
        assert_eq!(
            &again.text.as_str()[..KEY_LEN],
            &text[..KEY_LEN],
            "the same key"
        );
    }

    #[test]
    fn keys_are_domain_separated() {
        let refresh = refresh_key(&digest(b"code"));
        assert_ne!(access_key(&refresh), refresh);
        assert_ne!(refresh_key(&digest(b"code2")), refresh);
    }

    #[test]
    fn only_64_characters_can_be_a_token() {
        assert!(parse(b"").is_none());
        assert!(parse(&[b'A'; 63]).is_none());
        assert!(parse(&[b'A'; 65]).is_none());
        assert!(parse(&[b'A'; 64]).is_some(), "unknown, but shaped like one");
    }
}
