//! JSON Web Keys (RFC 7517) and JWK Sets: RSA (`n`, `e`), EC P-256 (`x`, `y`), OKP
//! Ed25519 (`x`). A set is read lazily from the host's document: nothing is copied until
//! a key is chosen.

use heapless::String;

use super::algorithm::Algorithm;
use super::base64url;
use super::compact::{Header, MAX_KID_LEN};
use super::error::{JoseError, KeyError};
use super::key::PublicKey;
use crate::wire::json::{Elements, JsonError, RawStr, Value};
use crate::wire::named::{self, ObjectError};

/// The most keys a JWK Set may hold.
pub const MAX_JWKS_KEYS: usize = 64;
/// The largest single JWK accepted (an RSA-4096 key with certificates is about 6 KiB).
pub const MAX_JWK_LEN: usize = 16 * 1024;

const NAMES: [&str; 8] = ["kty", "kid", "alg", "use", "n", "e", "crv", "x"];
const NAMES_Y: [&str; 1] = ["y"];

/// What a key is for (`use`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyUse {
    /// `sig`: signatures.
    Signature,
    /// `enc`, or any other value: not for signatures.
    Other,
}

/// One public JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    key: PublicKey,
    kid: Option<String<MAX_KID_LEN>>,
    alg: Option<Algorithm>,
    key_use: Option<KeyUse>,
}

impl Jwk {
    /// Reads one JWK object. Private members (`d`, …) are ignored; `alg`, when present,
    /// must be the algorithm the key type verifies.
    ///
    /// # Errors
    ///
    /// [`KeyError`] naming the member at fault; [`KeyError::UnsupportedKeyType`] /
    /// [`KeyError::UnsupportedCurve`] for keys this crate does not verify with;
    /// [`KeyError::NotBuilt`] for a key type whose feature is off.
    pub fn parse(json: &[u8]) -> Result<Self, KeyError> {
        if json.len() > MAX_JWK_LEN {
            return Err(KeyError::TooLarge);
        }
        let [kty, kid, alg, key_use, n, e, crv, x] = members(json, &NAMES)?;
        let [y] = members(json, &NAMES_Y)?;
        let kty: String<8> = required_text(kty, "kty")?;
        let key = match kty.as_str() {
            "RSA" => {
                let mut modulus = [0u8; 520];
                let mut exponent = [0u8; 16];
                PublicKey::rsa(bytes(n, "n", &mut modulus)?, bytes(e, "e", &mut exponent)?)?
            }
            "EC" => {
                let crv: String<16> = required_text(crv, "crv")?;
                if crv != "P-256" {
                    return Err(KeyError::UnsupportedCurve);
                }
                let (mut xb, mut yb) = ([0u8; 33], [0u8; 33]);
                let (x, y) = (bytes(x, "x", &mut xb)?, bytes(y, "y", &mut yb)?);
                if x.len() != 32 {
                    return Err(KeyError::InvalidMember { member: "x" });
                }
                if y.len() != 32 {
                    return Err(KeyError::InvalidMember { member: "y" });
                }
                PublicKey::p256(x, y)?
            }
            "OKP" => {
                let crv: String<16> = required_text(crv, "crv")?;
                if crv != "Ed25519" {
                    return Err(KeyError::UnsupportedCurve);
                }
                let mut xb = [0u8; 33];
                let x = bytes(x, "x", &mut xb)?;
                if x.len() != 32 {
                    return Err(KeyError::InvalidMember { member: "x" });
                }
                PublicKey::ed25519(x)?
            }
            _ => return Err(KeyError::UnsupportedKeyType),
        };
        let alg = match optional_text::<16>(alg, "alg")? {
            None => None,
            Some(name) => {
                let alg = Algorithm::from_name(&name).map_err(|_| KeyError::AlgorithmMismatch)?;
                if alg != key.algorithm() {
                    return Err(KeyError::AlgorithmMismatch);
                }
                Some(alg)
            }
        };
        let key_use = optional_text::<8>(key_use, "use")?.map(|text| {
            if text == "sig" {
                KeyUse::Signature
            } else {
                KeyUse::Other
            }
        });
        Ok(Self {
            key,
            kid: optional_text(kid, "kid")?,
            alg,
            key_use,
        })
    }

    /// The public key.
    #[must_use]
    pub const fn key(&self) -> &PublicKey {
        &self.key
    }

    /// `kid`, when present.
    #[must_use]
    pub fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `alg`, when present.
    #[must_use]
    pub const fn algorithm(&self) -> Option<Algorithm> {
        self.alg
    }

    /// `use`, when present.
    #[must_use]
    pub const fn key_use(&self) -> Option<KeyUse> {
        self.key_use
    }

    /// Whether this key may verify a token with `header`: its algorithm is the header's,
    /// its `use` (when present) is `sig`, and its `kid` equals the header's when the
    /// header has one.
    #[must_use]
    pub fn fits(&self, header: &Header) -> bool {
        self.key.algorithm() == header.algorithm()
            && self
                .key_use
                .is_none_or(|key_use| key_use == KeyUse::Signature)
            && header
                .key_id()
                .is_none_or(|kid| self.kid.as_deref() == Some(kid))
    }
}

/// A JWK Set document (`{"keys":[…]}`), read in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwkSet<'a> {
    keys: &'a [u8],
}

impl<'a> JwkSet<'a> {
    /// Checks the document: a JSON object whose `keys` is an array of at most
    /// [`MAX_JWKS_KEYS`] objects. The keys themselves are read when one is chosen, so a
    /// set may hold keys of types this crate does not know (they are skipped).
    ///
    /// # Errors
    ///
    /// [`KeyError::Json`], [`KeyError::MissingMember`] / [`KeyError::InvalidMember`]
    /// naming `keys`, [`KeyError::TooLarge`].
    pub fn parse(document: &'a [u8]) -> Result<Self, KeyError> {
        let [keys] = members(document, &["keys"])?;
        let keys = match keys {
            None => return Err(KeyError::MissingMember { member: "keys" }),
            Some(Value::Composite(keys)) => keys,
            Some(_) => return Err(KeyError::InvalidMember { member: "keys" }),
        };
        let mut elements = Elements::new(keys).ok_or(KeyError::InvalidMember { member: "keys" })?;
        let mut count = 0usize;
        for element in elements.by_ref() {
            if !matches!(element, Value::Composite(bytes) if bytes.first() == Some(&b'{')) {
                return Err(KeyError::InvalidMember { member: "keys" });
            }
            count = count.saturating_add(1);
            if count > MAX_JWKS_KEYS {
                return Err(KeyError::TooLarge);
            }
        }
        Ok(Self { keys })
    }

    /// Every key of the set, in order; a key this crate cannot read is an `Err`.
    pub fn keys(&self) -> impl Iterator<Item = Result<Jwk, KeyError>> + 'a {
        Elements::new(self.keys)
            .into_iter()
            .flatten()
            .map(|element| match element {
                Value::Composite(bytes) => Jwk::parse(bytes),
                _ => Err(KeyError::InvalidMember { member: "keys" }),
            })
    }

    /// The key that verifies a token with `header`: the key whose `kid` is the header's
    /// (when the header has one), of the header's algorithm, for signatures. Keys this
    /// crate cannot read are skipped.
    ///
    /// # Errors
    ///
    /// [`JoseError::NoMatchingKey`]; [`JoseError::AmbiguousKey`] when the header has no
    /// `kid` and several keys fit.
    pub fn find(&self, header: &Header) -> Result<PublicKey, JoseError> {
        let mut found: Option<PublicKey> = None;
        for jwk in self.keys().flatten() {
            if !jwk.fits(header) {
                continue;
            }
            if found.is_some() {
                return Err(JoseError::AmbiguousKey);
            }
            found = Some(jwk.key);
        }
        found.ok_or(JoseError::NoMatchingKey)
    }
}

fn members<'j, const N: usize>(
    json: &'j [u8],
    names: &[&'static str; N],
) -> Result<[Option<Value<'j>>; N], KeyError> {
    named::read_object(json, names).map_err(|error| match error {
        ObjectError::Json(error) => KeyError::Json(error),
        ObjectError::Duplicate(index) => KeyError::DuplicateMember {
            member: names.get(index).copied().unwrap_or("?"),
        },
    })
}

fn raw_text<const N: usize>(raw: RawStr<'_>, member: &'static str) -> Result<String<N>, KeyError> {
    let mut buf = [0u8; N];
    let decoded = raw.decode_into(&mut buf).map_err(|error| match error {
        JsonError::TooLong { .. } => KeyError::InvalidMember { member },
        error => KeyError::Json(error),
    })?;
    String::try_from(decoded).map_err(|_| KeyError::InvalidMember { member })
}

fn optional_text<const N: usize>(
    value: Option<Value<'_>>,
    member: &'static str,
) -> Result<Option<String<N>>, KeyError> {
    match value {
        None => Ok(None),
        Some(Value::String(raw)) => raw_text(raw, member).map(Some),
        Some(_) => Err(KeyError::InvalidMember { member }),
    }
}

fn required_text<const N: usize>(
    value: Option<Value<'_>>,
    member: &'static str,
) -> Result<String<N>, KeyError> {
    optional_text(value, member)?.ok_or(KeyError::MissingMember { member })
}

/// A base64url member decoded into `out`.
fn bytes<'out>(
    value: Option<Value<'_>>,
    member: &'static str,
    out: &'out mut [u8],
) -> Result<&'out [u8], KeyError> {
    match value {
        None => Err(KeyError::MissingMember { member }),
        // base64url has no escapes; a JSON escape in it is malformed.
        Some(Value::String(raw)) => {
            base64url::decode(raw.raw(), out).ok_or(KeyError::InvalidMember { member })
        }
        Some(_) => Err(KeyError::InvalidMember { member }),
    }
}
