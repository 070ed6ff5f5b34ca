//! Reading the parameters of a token or revocation request: a form body or a JSON object,
//! into fixed-capacity fields, refusing repeated parameters.

use heapless::String;

use crate::Secret;
use crate::wire::json::{ObjectReader, Value};
use crate::wire::query::{self, DecodeError};

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

/// A destination for one parameter's decoded value.
pub(crate) trait Field {
    /// Whether a value was already stored.
    fn is_set(&self) -> bool;
    /// Stores the value (decoded by `decode` into up to [`MAX_VALUE`] bytes).
    fn set(
        &mut self,
        decode: &mut dyn FnMut(&mut [u8]) -> Result<usize, ParamError>,
    ) -> Result<(), ParamError>;
}

impl<const N: usize> Field for Option<String<N>> {
    fn is_set(&self) -> bool {
        self.is_some()
    }

    fn set(
        &mut self,
        decode: &mut dyn FnMut(&mut [u8]) -> Result<usize, ParamError>,
    ) -> Result<(), ParamError> {
        let mut buf = [0u8; MAX_VALUE];
        let len = decode(&mut buf)?;
        let text = buf
            .get(..len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .ok_or(ParamError::BadValue)?;
        *self = Some(String::try_from(text).map_err(|_| ParamError::BadValue)?);
        Ok(())
    }
}

impl<const N: usize> Field for Option<Secret<N>> {
    fn is_set(&self) -> bool {
        self.is_some()
    }

    fn set(
        &mut self,
        decode: &mut dyn FnMut(&mut [u8]) -> Result<usize, ParamError>,
    ) -> Result<(), ParamError> {
        let mut secret = Secret::<N>::new();
        secret.set_with(|buf| decode(buf), ParamError::BadValue)?;
        *self = Some(secret);
        Ok(())
    }
}

/// A set of named fields.
pub(crate) trait ParamSet {
    /// The field for the parameter whose name satisfies `is`, if it is one of ours.
    fn field(&mut self, is: &dyn Fn(&str) -> bool) -> Option<&mut dyn Field>;
}

/// Decodes each parameter that `params` has a field for into it. Unknown parameters are
/// ignored, whatever their type.
pub(crate) fn read(
    body: &[u8],
    format: Format,
    params: &mut dyn ParamSet,
) -> Result<(), ParamError> {
    match format {
        Format::Form => {
            query::check_unique(body).map_err(|_| ParamError::Duplicate)?;
            for param in query::params(body) {
                let Some(field) = params.field(&|name| param.is(name)) else {
                    continue;
                };
                if field.is_set() {
                    return Err(ParamError::Duplicate);
                }
                field.set(&mut |buf| {
                    query::decode_into(param.value, buf).map(str::len).map_err(
                        |error| match error {
                            DecodeError::TooLong { .. } | DecodeError::NotUtf8 => {
                                ParamError::BadValue
                            }
                        },
                    )
                })?;
            }
            Ok(())
        }
        Format::Json => {
            let mut reader = ObjectReader::new(body);
            while let Some((name, value)) =
                reader.next_member().map_err(|_| ParamError::Malformed)?
            {
                let Some(field) = params.field(&|wanted| name.is(wanted)) else {
                    continue;
                };
                if field.is_set() {
                    return Err(ParamError::Duplicate);
                }
                let Value::String(raw) = value else {
                    return Err(ParamError::NotAString);
                };
                field.set(&mut |buf| {
                    raw.decode_into(buf)
                        .map(str::len)
                        .map_err(|_| ParamError::BadValue)
                })?;
            }
            Ok(())
        }
    }
}
