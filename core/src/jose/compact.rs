//! The JWS compact serialization (RFC 7515 §3.1, §5.2): split, decode the protected header,
//! check the signature, decode the payload.

use heapless::String;

use super::algorithm::Algorithm;
use super::base64url;
use super::error::{JoseError, Part};
use super::key::PublicKey;
use crate::wire::json::{JsonError, RawStr, Value};
use crate::wire::named::{self, ObjectError};

/// The largest protected header accepted, decoded.
pub const MAX_HEADER_LEN: usize = 1024;
/// The largest signature accepted, decoded (RSA-4096).
pub const MAX_SIGNATURE_LEN: usize = 512;
/// The longest `kid` kept.
pub const MAX_KID_LEN: usize = 128;
/// The longest `typ` kept.
const MAX_TYP_LEN: usize = 64;

const HEADER_NAMES: [&str; 4] = ["alg", "kid", "typ", "crit"];

/// A JWS in compact serialization, split but not yet verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compact<'a> {
    signing_input: &'a [u8],
    header: &'a [u8],
    payload: &'a [u8],
    signature: &'a [u8],
}

/// The protected header's members this crate reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    alg: Algorithm,
    kid: Option<String<MAX_KID_LEN>>,
    typ: Option<String<MAX_TYP_LEN>>,
}

impl Header {
    /// `alg`.
    #[must_use]
    pub const fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// `kid`, when present.
    #[must_use]
    pub fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `typ`, when present (`JWT`, `at+jwt`, …).
    #[must_use]
    pub fn token_type(&self) -> Option<&str> {
        self.typ.as_deref()
    }
}

fn is_base64url(part: &[u8]) -> bool {
    part.iter()
        .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl<'a> Compact<'a> {
    /// Splits `token` into its three parts (surrounding ASCII whitespace is ignored).
    ///
    /// # Errors
    ///
    /// [`JoseError::Malformed`] unless it is `header.payload.signature` with three
    /// base64url parts and a non-empty header and signature; [`JoseError::TooLarge`] for
    /// a header or signature beyond [`MAX_HEADER_LEN`] / [`MAX_SIGNATURE_LEN`].
    pub fn parse(token: &'a [u8]) -> Result<Self, JoseError> {
        let token = token.trim_ascii();
        let mut parts = token.split(|&b| b == b'.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::Malformed { part: Part::Token });
        };
        for (part, which) in [
            (header, Part::Header),
            (payload, Part::Payload),
            (signature, Part::Signature),
        ] {
            if !is_base64url(part) {
                return Err(JoseError::Malformed { part: which });
            }
        }
        if header.is_empty() {
            return Err(JoseError::Malformed { part: Part::Header });
        }
        if signature.is_empty() {
            return Err(JoseError::Malformed {
                part: Part::Signature,
            });
        }
        if base64url::decoded_len(header) > MAX_HEADER_LEN {
            return Err(JoseError::TooLarge {
                part: Part::Header,
                max: MAX_HEADER_LEN,
            });
        }
        if base64url::decoded_len(signature) > MAX_SIGNATURE_LEN {
            return Err(JoseError::TooLarge {
                part: Part::Signature,
                max: MAX_SIGNATURE_LEN,
            });
        }
        let signing_input = token
            .get(..header.len().saturating_add(1).saturating_add(payload.len()))
            .ok_or(JoseError::Malformed { part: Part::Token })?;
        Ok(Self {
            signing_input,
            header,
            payload,
            signature,
        })
    }

    /// `ASCII(BASE64URL(header) || '.' || BASE64URL(payload))`, what the signature covers.
    #[must_use]
    pub const fn signing_input(&self) -> &'a [u8] {
        self.signing_input
    }

    /// Decodes and reads the protected header: `alg` (required), `kid`, `typ`; `crit` is
    /// refused (no extension is understood).
    ///
    /// # Errors
    ///
    /// [`JoseError::Malformed`], [`JoseError::Json`], [`JoseError::DuplicateMember`],
    /// [`JoseError::InvalidMember`], [`JoseError::MissingAlgorithm`], the `alg`
    /// refusals of [`Algorithm::from_name`], [`JoseError::UnknownCritical`].
    pub fn header(&self) -> Result<Header, JoseError> {
        let mut buf = [0u8; MAX_HEADER_LEN];
        let json = base64url::decode(self.header, &mut buf)
            .ok_or(JoseError::Malformed { part: Part::Header })?;
        let [alg, kid, typ, crit] = read(json, Part::Header, &HEADER_NAMES)?;
        if crit.is_some() {
            return Err(JoseError::UnknownCritical);
        }
        let alg = match alg {
            None => return Err(JoseError::MissingAlgorithm),
            Some(Value::String(raw)) => {
                let name: String<16> = text(raw, "alg")?;
                Algorithm::from_name(&name)?
            }
            Some(_) => return Err(JoseError::InvalidMember { member: "alg" }),
        };
        Ok(Header {
            alg,
            kid: optional_text(kid, "kid")?,
            typ: optional_text(typ, "typ")?,
        })
    }

    /// Verifies the signature with `key` — the header's `alg` must be the key's
    /// algorithm — and only then decodes the payload into `payload`.
    ///
    /// # Errors
    ///
    /// Everything [`Compact::header`] refuses; [`JoseError::AlgorithmMismatch`];
    /// [`JoseError::BadSignature`]; [`JoseError::TooLarge`] for a payload that does not
    /// fit `payload`; [`JoseError::Malformed`].
    pub fn verify<'p>(
        &self,
        key: &PublicKey,
        payload: &'p mut [u8],
    ) -> Result<&'p [u8], JoseError> {
        let header = self.header()?;
        self.verify_with(&header, key, payload)
    }

    /// As [`Compact::verify`] with the header this JWS's [`Compact::header`] read (to
    /// choose the key by its `kid` without reading it twice). Crate-private: a header of
    /// another JWS would skip this one's `crit` check.
    pub(crate) fn verify_with<'p>(
        &self,
        header: &Header,
        key: &PublicKey,
        payload: &'p mut [u8],
    ) -> Result<&'p [u8], JoseError> {
        let mut signature = [0u8; MAX_SIGNATURE_LEN];
        let signature =
            base64url::decode(self.signature, &mut signature).ok_or(JoseError::Malformed {
                part: Part::Signature,
            })?;
        key.verify(header.algorithm(), self.signing_input, signature)?;
        let max = payload.len();
        if base64url::decoded_len(self.payload) > max {
            return Err(JoseError::TooLarge {
                part: Part::Payload,
                max,
            });
        }
        base64url::decode(self.payload, payload).ok_or(JoseError::Malformed {
            part: Part::Payload,
        })
    }
}

impl Compact<'_> {
    /// The payload decoded into `out` **without** checking the signature: for a token
    /// already checked (an ID token the session verified when it arrived), or to learn
    /// which key to check it with (the `sub` of a client assertion).
    pub(crate) fn unverified_payload<'p>(&self, out: &'p mut [u8]) -> Option<&'p [u8]> {
        base64url::decode(self.payload, out)
    }
}

/// Reads the known members of a JSON object part.
pub(crate) fn read<'j, const N: usize>(
    json: &'j [u8],
    part: Part,
    names: &[&'static str; N],
) -> Result<[Option<Value<'j>>; N], JoseError> {
    named::read_object(json, names).map_err(|error| match error {
        ObjectError::Json(error) => JoseError::Json { part, error },
        ObjectError::Duplicate(index) => JoseError::DuplicateMember {
            member: names.get(index).copied().unwrap_or("?"),
        },
    })
}

/// A string member decoded into a fixed-capacity string.
pub(crate) fn text<const N: usize>(
    raw: RawStr<'_>,
    member: &'static str,
) -> Result<String<N>, JoseError> {
    let mut buf = [0u8; N];
    let decoded = raw.decode_into(&mut buf).map_err(|error| match error {
        JsonError::TooLong { .. } => JoseError::InvalidMember { member },
        error => JoseError::Json {
            part: Part::Header,
            error,
        },
    })?;
    String::try_from(decoded).map_err(|_| JoseError::InvalidMember { member })
}

fn optional_text<const N: usize>(
    value: Option<Value<'_>>,
    member: &'static str,
) -> Result<Option<String<N>>, JoseError> {
    match value {
        None => Ok(None),
        Some(Value::String(raw)) => text(raw, member).map(Some),
        Some(_) => Err(JoseError::InvalidMember { member }),
    }
}
