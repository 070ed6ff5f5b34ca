//! JWT claims (RFC 7519 §4.1) read from a verified payload: registered claims typed,
//! strings undecoded until asked for.

use heapless::String;

use super::compact::read;
use super::error::{JoseError, Part};
use crate::wire::json::{Elements, RawStr, Value};

/// The longest string claim decoded by [`Claims::text`].
pub const MAX_CLAIM_LEN: usize = 512;

const NAMES: [&str; 10] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "nonce",
    "azp",
    "auth_time",
];

/// `aud`: one string or an array of strings (RFC 7519 §4.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience<'a> {
    /// No `aud`.
    Absent,
    /// A single audience.
    One(RawStr<'a>),
    /// An array of audiences (checked: strings only).
    Many(&'a [u8]),
}

impl Audience<'_> {
    /// Whether `audience` is one of the audiences.
    #[must_use]
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Self::Absent => false,
            Self::One(raw) => raw.is(audience),
            Self::Many(array) => Elements::new(array)
                .into_iter()
                .flatten()
                .any(|element| matches!(element, Value::String(raw) if raw.is(audience))),
        }
    }

    /// How many audiences there are.
    #[must_use]
    pub fn count(&self) -> usize {
        match self {
            Self::Absent => 0,
            Self::One(_) => 1,
            Self::Many(array) => Elements::new(array).into_iter().flatten().count(),
        }
    }
}

/// The registered claims of a JWT payload (and OpenID Connect's `nonce`, `azp`,
/// `auth_time`). Each appears at most once; times are NumericDates (seconds, a fraction
/// is cut off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims<'a> {
    /// `iss`.
    pub issuer: Option<RawStr<'a>>,
    /// `sub`.
    pub subject: Option<RawStr<'a>>,
    /// `aud`.
    pub audience: Audience<'a>,
    /// `exp`.
    pub expires_at: Option<u64>,
    /// `nbf`.
    pub not_before: Option<u64>,
    /// `iat`.
    pub issued_at: Option<u64>,
    /// `jti`.
    pub jwt_id: Option<RawStr<'a>>,
    /// `nonce` (OpenID Connect).
    pub nonce: Option<RawStr<'a>>,
    /// `azp` (OpenID Connect).
    pub authorized_party: Option<RawStr<'a>>,
    /// `auth_time` (OpenID Connect).
    pub auth_time: Option<u64>,
    payload: &'a [u8],
}

impl<'a> Claims<'a> {
    /// Reads the claims of a verified payload.
    ///
    /// # Errors
    ///
    /// [`JoseError::Json`] (payload not a JSON object), [`JoseError::DuplicateMember`],
    /// [`JoseError::InvalidMember`] naming a claim of the wrong type (a string claim that
    /// is not a string, a time that is not a non-negative number, an `aud` array with a
    /// non-string).
    pub fn parse(payload: &'a [u8]) -> Result<Self, JoseError> {
        let [iss, sub, aud, exp, nbf, iat, jti, nonce, azp, auth_time] =
            read(payload, Part::Payload, &NAMES)?;
        let audience = match aud {
            None => Audience::Absent,
            Some(Value::String(raw)) => Audience::One(raw),
            Some(Value::Composite(array)) => {
                let elements =
                    Elements::new(array).ok_or(JoseError::InvalidMember { member: "aud" })?;
                let mut all_strings = true;
                for element in elements {
                    all_strings &= matches!(element, Value::String(_));
                }
                if !all_strings {
                    return Err(JoseError::InvalidMember { member: "aud" });
                }
                Audience::Many(array)
            }
            Some(_) => return Err(JoseError::InvalidMember { member: "aud" }),
        };
        Ok(Self {
            issuer: string(iss, "iss")?,
            subject: string(sub, "sub")?,
            audience,
            expires_at: time(exp, "exp")?,
            not_before: time(nbf, "nbf")?,
            issued_at: time(iat, "iat")?,
            jwt_id: string(jti, "jti")?,
            nonce: string(nonce, "nonce")?,
            authorized_party: string(azp, "azp")?,
            auth_time: time(auth_time, "auth_time")?,
            payload,
        })
    }

    /// The payload the claims were read from (for claims this type does not name).
    #[must_use]
    pub const fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// A string claim decoded, `None` when absent or not a string, or longer than
    /// `N` bytes.
    #[must_use]
    pub fn text<const N: usize>(raw: Option<RawStr<'_>>) -> Option<String<N>> {
        let raw = raw?;
        let mut buf = [0u8; N];
        let decoded = raw.decode_into(&mut buf).ok()?;
        String::try_from(decoded).ok()
    }

    /// Any top-level string member of the payload by name, decoded into `out` (for
    /// `email`, `name`, …). `Ok(None)` when absent, `null` or not a string.
    ///
    /// # Errors
    ///
    /// [`JoseError::Json`] for a string that does not decode or fit `out`;
    /// [`JoseError::DuplicateMember`].
    pub fn string_claim<'out>(
        &self,
        name: &'static str,
        out: &'out mut [u8],
    ) -> Result<Option<&'out str>, JoseError> {
        let [value] = read(self.payload, Part::Payload, &[name])?;
        match value {
            Some(Value::String(raw)) => {
                raw.decode_into(out)
                    .map(Some)
                    .map_err(|error| JoseError::Json {
                        part: Part::Payload,
                        error,
                    })
            }
            _ => Ok(None),
        }
    }

    /// Any top-level boolean member (`email_verified`, …).
    ///
    /// # Errors
    ///
    /// [`JoseError::DuplicateMember`].
    pub fn bool_claim(&self, name: &'static str) -> Result<Option<bool>, JoseError> {
        let [value] = read(self.payload, Part::Payload, &[name])?;
        Ok(match value {
            Some(Value::Bool(flag)) => Some(flag),
            _ => None,
        })
    }
}

fn string<'a>(
    value: Option<Value<'a>>,
    member: &'static str,
) -> Result<Option<RawStr<'a>>, JoseError> {
    match value {
        None => Ok(None),
        Some(Value::String(raw)) => Ok(Some(raw)),
        Some(_) => Err(JoseError::InvalidMember { member }),
    }
}

/// A NumericDate: a non-negative JSON number; the fraction is cut off.
fn time(value: Option<Value<'_>>, member: &'static str) -> Result<Option<u64>, JoseError> {
    match value {
        None => Ok(None),
        Some(Value::Number(number)) => {
            let whole = number
                .split(|c: char| c == '.' || c == 'e' || c == 'E')
                .next()
                .unwrap_or_default();
            if whole.starts_with('-') || number.contains(|c: char| c == 'e' || c == 'E') {
                return Err(JoseError::InvalidMember { member });
            }
            whole
                .parse::<u64>()
                .map(Some)
                .map_err(|_| JoseError::InvalidMember { member })
        }
        Some(_) => Err(JoseError::InvalidMember { member }),
    }
}
