//! What the token and revocation endpoints share: the request and response types, the
//! request's parameters, and OAuth error answers (RFC 6749 §5.2).

use core::fmt::Write as _;

use heapless::String;

use super::params::{self, Format, MAX_VALUE};
use super::store::StoreError;
use crate::Secret;
use crate::oauth::ErrorCode;
use crate::wire::{Writer, json};

/// A buffer of this many bytes always holds a token or revocation response.
pub const RESPONSE_BUFFER_LEN: usize = 1024;

/// A request to the token or revocation endpoint, as the host's HTTP layer sees it.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    /// The HTTP method; only `POST` is accepted.
    pub method: &'a str,
    /// The `Content-Type` header: `application/x-www-form-urlencoded` or
    /// `application/json` (parameters such as `; charset=UTF-8` are ignored).
    pub content_type: Option<&'a str>,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

/// The HTTP response to send back. Always JSON; always `Cache-Control: no-store` and
/// `Pragma: no-cache` (RFC 6749 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenResponse<'buf> {
    /// The HTTP status: 200, 400, 401, 405, 500 or 503.
    pub status: u16,
    /// `WWW-Authenticate` value, when the client tried HTTP authentication and failed
    /// (RFC 6749 §5.2).
    pub www_authenticate: Option<&'static str>,
    /// The JSON body. On success it holds tokens: do not log it.
    pub body: &'buf str,
}

impl<'buf> TokenResponse<'buf> {
    /// Every header to send: `Content-Type`, `Cache-Control`, `Pragma`, and
    /// `WWW-Authenticate` when due.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        [
            Some(("Content-Type", "application/json")),
            Some(("Cache-Control", "no-store")),
            Some(("Pragma", "no-cache")),
            self.www_authenticate
                .map(|value| ("WWW-Authenticate", value)),
        ]
        .into_iter()
        .flatten()
    }
}

/// An OAuth error answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) status: u16,
    pub(crate) code: ErrorCode,
    pub(crate) description: &'static str,
    pub(crate) www_authenticate: bool,
}

pub(crate) const fn refuse(code: ErrorCode, description: &'static str) -> Refusal {
    Refusal {
        status: match code {
            ErrorCode::InvalidClient => 401,
            ErrorCode::TemporarilyUnavailable => 503,
            ErrorCode::ServerError => 500,
            _ => 400,
        },
        code,
        description,
        www_authenticate: false,
    }
}

/// The answer to a store that refused: whose share is exhausted, or that it is down.
pub(crate) const fn store_refusal(error: StoreError) -> Refusal {
    refuse(
        ErrorCode::TemporarilyUnavailable,
        match error {
            StoreError::AppQuota(super::store::TableKind::Codes) => {
                "this app holds its quota of pending authorizations"
            }
            StoreError::AppQuota(super::store::TableKind::Grants) => {
                "this app holds its quota of active grants"
            }
            StoreError::SubjectQuota => "this user holds too many pending authorizations",
            StoreError::Full(super::store::TableKind::Codes) => "too many pending authorizations",
            StoreError::Full(super::store::TableKind::Grants) => "too many active grants",
            StoreError::AppQuota(super::store::TableKind::Assertions) => {
                "too many live assertions for this app; retry later"
            }
            StoreError::Full(super::store::TableKind::Assertions) => {
                "too many live assertions; retry later"
            }
            StoreError::Unavailable => "the grant store is unavailable",
        },
    )
}

/// The parameters of a token or revocation request.
pub(crate) struct Params {
    pub(crate) grant_type: Option<String<64>>,
    pub(crate) code: Option<Secret<MAX_VALUE>>,
    pub(crate) redirect_uri: Option<String<MAX_VALUE>>,
    pub(crate) code_verifier: Option<Secret<MAX_VALUE>>,
    pub(crate) client_id: Option<String<MAX_VALUE>>,
    pub(crate) client_secret: Option<Secret<MAX_VALUE>>,
    pub(crate) refresh_token: Option<Secret<MAX_VALUE>>,
    pub(crate) scope: Option<String<MAX_VALUE>>,
    pub(crate) token: Option<Secret<MAX_VALUE>>,
    /// Read (so a malformed one is refused) but not needed: a key finds either kind.
    #[allow(dead_code)]
    pub(crate) token_type_hint: Option<String<32>>,
    /// The JWT of the JWT bearer grant (`assertion`, RFC 7523 §2.1), or of Workfront's
    /// machine-to-machine exchange (`jwt_token`).
    #[cfg_attr(not(feature = "jose"), allow(dead_code))]
    pub(crate) assertion: Option<params::Jwt>,
    /// `client_assertion_type` (RFC 7523 §2.2).
    pub(crate) client_assertion_type: Option<String<64>>,
    /// `client_assertion` (RFC 7523 §2.2, `private_key_jwt`).
    pub(crate) client_assertion: Option<params::Jwt>,
}

/// The parameters [`Params`] holds, in the order [`read_params`] reads them.
const NAMES: [&str; 14] = [
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "client_id",
    "client_secret",
    "refresh_token",
    "scope",
    "token",
    "token_type_hint",
    "assertion",
    "jwt_token",
    "client_assertion_type",
    "client_assertion",
];

/// Reads the request's method, content type and body parameters.
pub(crate) fn read_params(request: &TokenRequest<'_>) -> Result<Params, Refusal> {
    if !request.method.eq_ignore_ascii_case("POST") {
        return Err(Refusal {
            status: 405,
            ..refuse(ErrorCode::InvalidRequest, "use POST")
        });
    }
    let content_type = request
        .content_type
        .map(|value| {
            value
                .split(|c: char| c == ';')
                .next()
                .unwrap_or_default()
                .trim()
        })
        .unwrap_or_default();
    let format = if content_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Format::Form
    } else if content_type.eq_ignore_ascii_case("application/json") {
        Format::Json
    } else {
        return Err(refuse(
            ErrorCode::InvalidRequest,
            "Content-Type must be application/x-www-form-urlencoded or application/json",
        ));
    };
    let refusal = |error| {
        refuse(
            ErrorCode::InvalidRequest,
            match error {
                params::ParamError::Duplicate => "a parameter is repeated",
                params::ParamError::Malformed => "the body is malformed",
                params::ParamError::NotAString => "parameters must be strings",
                params::ParamError::BadValue => "a parameter value is too long or not UTF-8",
            },
        )
    };
    let [
        grant_type,
        code,
        redirect_uri,
        code_verifier,
        client_id,
        client_secret,
        refresh_token,
        scope,
        token,
        token_type_hint,
        assertion,
        jwt_token,
        client_assertion_type,
        client_assertion,
    ] = params::read(request.body, format, &NAMES).map_err(refusal)?;
    if assertion.is_some() && jwt_token.is_some() {
        return Err(refuse(
            ErrorCode::InvalidRequest,
            "give assertion or jwt_token, not both",
        ));
    }
    Ok(Params {
        grant_type: params::text(grant_type).map_err(refusal)?,
        code: params::secret(code).map_err(refusal)?,
        redirect_uri: params::text(redirect_uri).map_err(refusal)?,
        code_verifier: params::secret(code_verifier).map_err(refusal)?,
        client_id: params::text(client_id).map_err(refusal)?,
        client_secret: params::secret(client_secret).map_err(refusal)?,
        refresh_token: params::secret(refresh_token).map_err(refusal)?,
        scope: params::text(scope).map_err(refusal)?,
        token: params::secret(token).map_err(refusal)?,
        token_type_hint: params::text(token_type_hint).map_err(refusal)?,
        assertion: params::jwt(assertion.or(jwt_token)).map_err(refusal)?,
        client_assertion_type: params::text(client_assertion_type).map_err(refusal)?,
        client_assertion: params::jwt(client_assertion).map_err(refusal)?,
    })
}

/// Writes an error answer.
pub(crate) fn write_refusal<'buf>(refusal: &Refusal, buf: &'buf mut [u8]) -> TokenResponse<'buf> {
    let mut out = Writer::new(buf);
    let _ = write!(
        out,
        "{{\"error\":\"{}\",\"error_description\":",
        refusal.code.as_str()
    );
    json::write_string(&mut out, refusal.description);
    out.push("}");
    TokenResponse {
        status: refusal.status,
        www_authenticate: refusal
            .www_authenticate
            .then_some("Basic realm=\"authcode\""),
        body: out.finish().unwrap_or("{\"error\":\"server_error\"}"),
    }
}
