//! The one named-parameter reader: "read these known names, each at most once; a repeat is
//! an error naming the parameter" — for query strings and form bodies
//! ([`read_query`]) and its twin for flat JSON objects ([`read_object`]). Every endpoint
//! and response reader names the parameters it knows in a table beside its own code and
//! gets their raw values back in that order.

use super::json::{JsonError, ObjectReader, Value};
use super::query::{self, ParamName, QueryError, RawParam};

/// The raw values of the known parameters of a query or form body, in the order of the
/// names asked for, and the first repeated parameter if there was one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryParams<'q, const N: usize> {
    /// Each known parameter's percent-encoded value (its first occurrence).
    pub values: [Option<&'q [u8]>; N],
    /// The first parameter that appears twice (known or not), if any.
    pub repeated: Option<Repeated>,
}

/// A parameter that appears more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repeated {
    /// Its position in the names asked for, when it is one of them.
    pub known: Option<usize>,
    /// Its decoded name, as far as it fits.
    pub name: ParamName,
}

impl<'q, const N: usize> QueryParams<'q, N> {
    /// The values, or the repeated parameter as a [`QueryError`].
    ///
    /// # Errors
    ///
    /// [`QueryError::Duplicate`] naming the first repeated parameter.
    pub fn unique(self) -> Result<[Option<&'q [u8]>; N], QueryError> {
        match self.repeated {
            Some(repeated) => Err(QueryError::Duplicate {
                name: repeated.name,
            }),
            None => Ok(self.values),
        }
    }
}

/// Which of `names` the raw parameter name is.
fn position(param: &RawParam<'_>, names: &[&str]) -> Option<usize> {
    names.iter().position(|name| param.is(name))
}

/// Reads the parameters `names` from a query string or form body in one pass. Every
/// parameter — known or not — may appear once; the first repeat is reported in
/// [`QueryParams::repeated`] (the values of the other parameters are still read, so an
/// endpoint can tell where to send the error).
///
/// # Errors
///
/// [`QueryError::TooManyParameters`] for more than [`query::MAX_PARAMS`] parameters.
pub fn read_query<'q, const N: usize>(
    body: &'q [u8],
    names: &[&str; N],
) -> Result<QueryParams<'q, N>, QueryError> {
    let mut values: [Option<&'q [u8]>; N] = [None; N];
    let mut repeated: Option<Repeated> = None;
    // Unknown names are compared with each other only (known ones by their slot).
    let mut unknown: [&[u8]; query::MAX_PARAMS] = [&[]; query::MAX_PARAMS];
    let mut unknown_count = 0usize;
    for (count, param) in query::params(body).enumerate() {
        if count >= query::MAX_PARAMS {
            return Err(QueryError::TooManyParameters);
        }
        match position(&param, names) {
            Some(index) => {
                let Some(slot) = values.get_mut(index) else {
                    continue;
                };
                if slot.is_some() {
                    repeated = repeated.or(Some(Repeated {
                        known: Some(index),
                        name: ParamName::from_decoded(query::decoded(param.name)),
                    }));
                } else {
                    *slot = Some(param.value);
                }
            }
            None => {
                let seen = unknown
                    .get(..unknown_count)
                    .unwrap_or_default()
                    .iter()
                    .any(|other| query::same_name(other, param.name));
                if seen {
                    repeated = repeated.or(Some(Repeated {
                        known: None,
                        name: ParamName::from_decoded(query::decoded(param.name)),
                    }));
                } else if let Some(slot) = unknown.get_mut(unknown_count) {
                    *slot = param.name;
                    unknown_count = unknown_count.saturating_add(1);
                }
            }
        }
    }
    Ok(QueryParams { values, repeated })
}

/// Why [`read_object`] refused an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectError {
    /// The body is not a well-formed JSON object.
    Json(JsonError),
    /// The known member at this position in the names asked for appears twice.
    Duplicate(usize),
}

/// Reads the members `names` of one flat JSON object; unknown members (of any type) are
/// checked and ignored; a known member may appear once.
///
/// # Errors
///
/// [`ObjectError::Json`] for malformed JSON; [`ObjectError::Duplicate`].
pub fn read_object<'a, const N: usize>(
    body: &'a [u8],
    names: &[&str; N],
) -> Result<[Option<Value<'a>>; N], ObjectError> {
    let mut values: [Option<Value<'a>>; N] = [None; N];
    let mut reader = ObjectReader::new(body);
    while let Some((name, value)) = reader.next_member().map_err(ObjectError::Json)? {
        let Some(index) = names.iter().position(|wanted| name.is(wanted)) else {
            continue;
        };
        let Some(slot) = values.get_mut(index) else {
            continue;
        };
        if slot.replace(value).is_some() {
            return Err(ObjectError::Duplicate(index));
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 3] = ["code", "state", "iss"];

    #[test]
    fn reads_known_names_in_table_order() {
        let params = read_query(b"state=s&other=1&code=c%20d", &NAMES).unwrap();
        assert_eq!(params.repeated, None);
        assert_eq!(params.values, [Some(&b"c%20d"[..]), Some(&b"s"[..]), None]);
    }

    #[test]
    fn a_repeat_names_the_parameter_known_or_not() {
        let params = read_query(b"code=a&state=s&c%6Fde=b", &NAMES).unwrap();
        let repeated = params.repeated.unwrap();
        assert_eq!(
            (repeated.known, repeated.name.as_bytes()),
            (Some(0), &b"code"[..])
        );
        assert_eq!(params.values[0], Some(&b"a"[..]), "the first one counts");
        let params = read_query(b"x=1&code=a&x=2", &NAMES).unwrap();
        let repeated = params.repeated.unwrap();
        assert_eq!(
            (repeated.known, repeated.name.as_bytes()),
            (None, &b"x"[..])
        );
        assert!(params.unique().is_err());
    }

    #[test]
    fn too_many_parameters_are_refused() {
        extern crate std;
        let body: std::vec::Vec<std::string::String> =
            (0..65).map(|i| std::format!("p{i}=1")).collect();
        let body = body.join("&");
        assert_eq!(
            read_query(body.as_bytes(), &NAMES),
            Err(QueryError::TooManyParameters)
        );
    }

    #[test]
    fn json_twin_reads_known_members_and_refuses_repeats() {
        let values = read_object(br#"{"iss":"x","code":"c","z":[1,{"a":2}]}"#, &NAMES).unwrap();
        assert!(matches!(values[0], Some(Value::String(_))));
        assert!(values[1].is_none());
        assert_eq!(
            read_object(br#"{"code":"a","code":"b"}"#, &NAMES),
            Err(ObjectError::Duplicate(0))
        );
        assert!(matches!(
            read_object(b"[]", &NAMES),
            Err(ObjectError::Json(JsonError::NotAnObject))
        ));
    }
}
