//! Reading the parameters of a token or revocation request — a form body or a JSON object
//! — through the one named-parameter reader ([`crate::wire::named`]), then decoding each
//! value into fixed-capacity storage.

use heapless::String;

use crate::Secret;
use crate::wire::json::{RawStr, Value};
use crate::wire::named::{self, ObjectError};

/// Longest value kept for any parameter; longer ones are refused (`invalid_request`).
pub(crate) const MAX_VALUE: usize = 256;

/// Why the parameters could not be read. Each is `invalid_request`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamError {
    /// The body is not valid form or JSON.
    Malformed,
    /// A parameter appears twice.
    Duplicate,
    /// A JSON parameter is not a string.
    NotAString,
    /// A value is longer than [`MAX_VALUE`] or not UTF-8.
    BadValue,
}

/// The request's body format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Form,
    Json,
}

/// One parameter's value as it arrived: percent-encoded, or a JSON string with escapes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RawValue<'a> {
    Form(&'a [u8]),
    Json(RawStr<'a>),
}

impl RawValue<'_> {
    /// Decodes into `out`; returns the length.
    fn decode_into(&self, out: &mut [u8]) -> Result<usize, ParamError> {
        match self {
            Self::Form(raw) => crate::wire::query::decode_into(raw, out)
                .map(str::len)
                .map_err(|_| ParamError::BadValue),
            Self::Json(raw) => raw
                .decode_into(out)
                .map(str::len)
                .map_err(|_| ParamError::BadValue),
        }
    }
}

/// Reads the parameters `names` from `body`. Unknown parameters are ignored, whatever
/// their type; any parameter may appear once.
pub(crate) fn read<'a, const N: usize>(
    body: &'a [u8],
    format: Format,
    names: &[&str; N],
) -> Result<[Option<RawValue<'a>>; N], ParamError> {
    match format {
        Format::Form => {
            let values = named::read_query(body, names)
                .map_err(|_| ParamError::Duplicate)?
                .unique()
                .map_err(|_| ParamError::Duplicate)?;
            Ok(values.map(|value| value.map(RawValue::Form)))
        }
        Format::Json => {
            let values = named::read_object(body, names).map_err(|error| match error {
                ObjectError::Duplicate(_) => ParamError::Duplicate,
                ObjectError::Json(_) => ParamError::Malformed,
            })?;
            let mut out = [None; N];
            for (slot, value) in out.iter_mut().zip(values) {
                *slot = match value {
                    None => None,
                    Some(Value::String(raw)) => Some(RawValue::Json(raw)),
                    Some(_) => return Err(ParamError::NotAString),
                };
            }
            Ok(out)
        }
    }
}

/// A text parameter.
pub(crate) fn text<const N: usize>(
    value: Option<RawValue<'_>>,
) -> Result<Option<String<N>>, ParamError> {
    let Some(value) = value else { return Ok(None) };
    let mut buf = [0u8; MAX_VALUE];
    let len = value.decode_into(&mut buf)?;
    let text = buf
        .get(..len)
        .and_then(|bytes| core::str::from_utf8(bytes).ok())
        .ok_or(ParamError::BadValue)?;
    String::try_from(text)
        .map(Some)
        .map_err(|_| ParamError::BadValue)
}

/// A JWT parameter (`assertion`, `jwt_token`, `client_assertion`): its text when the JOSE
/// layer is built; without it only its presence — the server refuses such requests and
/// keeps no 4 KiB copy of them on the stack.
#[cfg(feature = "jose")]
pub(crate) type Jwt = String<{ super::limits::MAX_ASSERTION }>;

/// A JWT parameter that was present (its text is not kept: the server is built without
/// the JOSE layer and refuses it).
#[cfg(not(feature = "jose"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Jwt;

/// A JWT parameter, decoded straight into its storage.
#[cfg(feature = "jose")]
pub(crate) fn jwt(value: Option<RawValue<'_>>) -> Result<Option<Jwt>, ParamError> {
    let Some(value) = value else { return Ok(None) };
    let mut bytes = heapless::Vec::<u8, { super::limits::MAX_ASSERTION }>::new();
    bytes
        .resize_default(super::limits::MAX_ASSERTION)
        .map_err(|_| ParamError::BadValue)?;
    let len = value.decode_into(&mut bytes)?;
    bytes.truncate(len);
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| ParamError::BadValue)
}

/// A JWT parameter's presence (see [`Jwt`]).
#[cfg(not(feature = "jose"))]
#[allow(clippy::unnecessary_wraps)]
pub(crate) fn jwt(value: Option<RawValue<'_>>) -> Result<Option<Jwt>, ParamError> {
    Ok(value.map(|_| Jwt))
}

/// A secret parameter, decoded straight into wiped-on-drop storage.
pub(crate) fn secret<const N: usize>(
    value: Option<RawValue<'_>>,
) -> Result<Option<Secret<N>>, ParamError> {
    let Some(value) = value else { return Ok(None) };
    let mut secret = Secret::<N>::new();
    secret.set_with(|buf| value.decode_into(buf), ParamError::BadValue)?;
    Ok(Some(secret))
}
