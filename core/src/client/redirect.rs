//! Reading the redirect back from the authorization server (RFC 6749 §4.1.2, RFC 9207).

use core::fmt;

use crate::wire::named;
use crate::wire::query::{DecodeError, QueryError};

/// Why a redirect was refused. The session is left as it was, so a forged or mangled
/// redirect cannot end a login that is still in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedirectError {
    /// The redirect has no query (`?…`) to read.
    NoQuery,
    /// A parameter is repeated, or there are too many.
    Query(QueryError),
    /// `iss` differs from the expected issuer (RFC 9207 §2.4): a mix-up attack, or a
    /// redirect from another server.
    IssuerMismatch,
    /// An issuer is configured but the redirect carries no `iss`.
    MissingIssuer,
    /// No `state` parameter: the redirect cannot be tied to this login (CSRF defence,
    /// RFC 6749 §10.12).
    MissingState,
    /// `state` differs from the one this login sent.
    StateMismatch,
    /// Neither `code` nor `error`.
    MissingCode,
    /// A parameter value could not be decoded.
    Decode {
        /// The parameter.
        parameter: &'static str,
        /// The problem.
        error: DecodeError,
    },
    /// A parameter holds characters its grammar does not allow: the `code` must be
    /// `VSCHAR`s (0x20–0x7E, RFC 6749 Appendix A.11) — never a control character such as
    /// CR or LF.
    InvalidCharacters {
        /// The parameter.
        parameter: &'static str,
    },
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoQuery => f.write_str("the redirect carries no query parameters"),
            Self::Query(error) => write!(f, "redirect: {error}"),
            Self::IssuerMismatch => {
                f.write_str("the redirect's iss is not the expected issuer (RFC 9207)")
            }
            Self::MissingIssuer => {
                f.write_str("the redirect has no iss, but an issuer is expected (RFC 9207)")
            }
            Self::MissingState => f.write_str("the redirect has no state parameter"),
            Self::StateMismatch => f.write_str("the redirect's state does not match this login"),
            Self::MissingCode => f.write_str("the redirect has neither code nor error"),
            Self::Decode { parameter, error } => {
                write!(f, "redirect parameter {parameter}: {error}")
            }
            Self::InvalidCharacters { parameter } => write!(
                f,
                "redirect parameter {parameter} holds characters outside 0x20-0x7E"
            ),
        }
    }
}

impl core::error::Error for RedirectError {}

/// The query of a redirect: from a full URL (`https://app/cb?code=…`), a request target
/// (`/cb?code=…`), or the query itself (`code=…&state=…`, with or without `?`). A
/// `#fragment` is dropped.
pub(crate) fn query_of(redirect: &[u8]) -> Result<&[u8], RedirectError> {
    let without_fragment = redirect.split(|&b| b == b'#').next().unwrap_or_default();
    let query = match without_fragment.iter().position(|&b| b == b'?') {
        Some(question) => without_fragment
            .get(question.saturating_add(1)..)
            .unwrap_or_default(),
        // No `?`: it is the query itself, unless it is a path or starts with a scheme.
        None if without_fragment.starts_with(b"/") || starts_with_scheme(without_fragment) => &[],
        None => without_fragment,
    };
    if query.is_empty() {
        return Err(RedirectError::NoQuery);
    }
    Ok(query)
}

/// Whether `text` begins with `scheme:` (RFC 3986 §3.1: a letter, then letters, digits,
/// `+`, `-`, `.`). A query starts with a parameter name and `=` or `&` comes before any `:`.
fn starts_with_scheme(text: &[u8]) -> bool {
    let Some(colon) = text.iter().position(|&b| b == b':') else {
        return false;
    };
    let scheme = text.get(..colon).unwrap_or_default();
    scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// The parameters of a redirect that the client reads, still encoded.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RedirectParams<'a> {
    pub(crate) code: Option<&'a [u8]>,
    pub(crate) state: Option<&'a [u8]>,
    pub(crate) iss: Option<&'a [u8]>,
    pub(crate) error: Option<&'a [u8]>,
    pub(crate) error_description: Option<&'a [u8]>,
    pub(crate) error_uri: Option<&'a [u8]>,
    pub(crate) domain: Option<&'a [u8]>,
    pub(crate) lane: Option<&'a [u8]>,
}

/// Splits the query into the known parameters, after refusing repeated ones.
/// The parameters a redirect may carry, in the order [`read_params`] reads them.
const NAMES: [&str; 8] = [
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
    "domain",
    "lane",
];

pub(crate) fn read_params(query_bytes: &[u8]) -> Result<RedirectParams<'_>, RedirectError> {
    let [
        code,
        state,
        iss,
        error,
        error_description,
        error_uri,
        domain,
        lane,
    ] = named::read_query(query_bytes, &NAMES)
        .and_then(named::QueryParams::unique)
        .map_err(RedirectError::Query)?;
    Ok(RedirectParams {
        code,
        state,
        iss,
        error,
        error_description,
        error_uri,
        domain,
        lane,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_query_in_every_form() {
        assert_eq!(
            query_of(b"https://app.example/cb?code=1&state=2#x"),
            Ok(&b"code=1&state=2"[..])
        );
        assert_eq!(query_of(b"/cb?code=1"), Ok(&b"code=1"[..]));
        assert_eq!(query_of(b"?code=1"), Ok(&b"code=1"[..]));
        assert_eq!(query_of(b"code=1"), Ok(&b"code=1"[..]));
        assert_eq!(query_of(b"com.example.app:/cb?code=1"), Ok(&b"code=1"[..]));
        assert_eq!(
            query_of(b"https://app.example/cb"),
            Err(RedirectError::NoQuery)
        );
        assert_eq!(query_of(b"/cb"), Err(RedirectError::NoQuery));
        assert_eq!(query_of(b""), Err(RedirectError::NoQuery));
        assert_eq!(
            query_of(b"https://app.example/cb?"),
            Err(RedirectError::NoQuery)
        );
        assert_eq!(
            query_of(b"com.example.app:/cb"),
            Err(RedirectError::NoQuery)
        );
        assert_eq!(query_of(b"code=a:b&state=c"), Ok(&b"code=a:b&state=c"[..]));
    }

    #[test]
    fn reads_known_parameters() {
        let params =
            read_params(b"code=abc&state=xyz&domain=acme.my.workfront.com&lane=l1&other=1")
                .unwrap();
        assert_eq!(params.code, Some(&b"abc"[..]));
        assert_eq!(params.state, Some(&b"xyz"[..]));
        assert_eq!(params.domain, Some(&b"acme.my.workfront.com"[..]));
        assert_eq!(params.lane, Some(&b"l1"[..]));
        assert_eq!(params.error, None);
    }

    #[test]
    fn refuses_repeated_parameters() {
        assert!(matches!(
            read_params(b"code=a&code=b&state=s"),
            Err(RedirectError::Query(QueryError::Duplicate { .. }))
        ));
    }
}
