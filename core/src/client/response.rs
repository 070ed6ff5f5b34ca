//! Reading what the authorization server answers: token responses (RFC 6749 §5.1) and
//! error responses (§4.1.2.1, §5.2).

use core::fmt;

use heapless::String;

use super::limits::{
    MAX_ACCESS_TOKEN, MAX_ERROR_CODE, MAX_ERROR_TEXT, MAX_REFRESH_TOKEN, MAX_SCOPE, MAX_SUBJECT,
    MAX_WORKFRONT_VALUE,
};
use crate::Secret;
use crate::oauth::ErrorCode;
use crate::time::Timestamp;
use crate::wire::json::{JsonError, RawStr, Value};
use crate::wire::named::{self, ObjectError};

/// An error the authorization server answered with. This is the server's decision, carried
/// as data — not a mistake in how the API was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    pub(crate) code: ErrorCode,
    pub(crate) code_text: String<MAX_ERROR_CODE>,
    pub(crate) description: Option<String<MAX_ERROR_TEXT>>,
    pub(crate) uri: Option<String<MAX_ERROR_TEXT>>,
    pub(crate) status: Option<u16>,
}

impl ServerError {
    /// The error code.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// The error code as the server wrote it (cut at [`MAX_ERROR_CODE`] bytes).
    #[must_use]
    pub fn code_text(&self) -> &str {
        &self.code_text
    }

    /// `error_description`, when sent (cut at [`MAX_ERROR_TEXT`] bytes).
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// `error_uri`, when sent (cut at [`MAX_ERROR_TEXT`] bytes).
    #[must_use]
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }

    /// The HTTP status of the response, for token endpoint errors (`None` for an error on
    /// the redirect).
    #[must_use]
    pub const fn status(&self) -> Option<u16> {
        self.status
    }

    pub(crate) fn new(
        code_text: &str,
        description: Option<&str>,
        uri: Option<&str>,
        status: Option<u16>,
    ) -> Self {
        Self {
            code: ErrorCode::parse(code_text),
            code_text: truncated(code_text),
            description: description.map(truncated),
            uri: uri.map(truncated),
            status,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code_text)?;
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

pub(crate) use crate::wire::utf8::truncated;

/// How the access token is presented to resource servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// `Authorization: Bearer <token>` (RFC 6750).
    Bearer,
    /// Workfront's `sessionID: <token>` header.
    SessionId,
}

impl TokenType {
    /// The `token_type` value: `Bearer` or `sessionID`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Bearer => "Bearer",
            Self::SessionId => "sessionID",
        }
    }

    /// The HTTP header that carries the access token, and the prefix before the token in
    /// it: `("Authorization", "Bearer ")` or `("sessionID", "")`.
    #[must_use]
    pub const fn header(self) -> (&'static str, &'static str) {
        match self {
            Self::Bearer => ("Authorization", "Bearer "),
            Self::SessionId => ("sessionID", ""),
        }
    }
}

/// The tokens of an authorized session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub(crate) access_token: Secret<MAX_ACCESS_TOKEN>,
    pub(crate) token_type: TokenType,
    /// Empty when the server issued none.
    pub(crate) refresh_token: Secret<MAX_REFRESH_TOKEN>,
    pub(crate) expires_at: Option<Timestamp>,
    pub(crate) scope: Option<String<MAX_SCOPE>>,
    pub(crate) wid: Option<String<MAX_WORKFRONT_VALUE>>,
    pub(crate) subject: Option<String<MAX_SUBJECT>>,
    pub(crate) received_at: Timestamp,
    /// The verified OpenID Connect ID token (empty when none was checked).
    #[cfg(feature = "oidc")]
    pub(crate) id_token: Secret<{ super::id_token::MAX_ID_TOKEN }>,
}

impl Tokens {
    /// No tokens: the storage a session keeps until it is authorized.
    pub(crate) const fn empty() -> Self {
        Self {
            access_token: Secret::new(),
            token_type: TokenType::Bearer,
            refresh_token: Secret::new(),
            expires_at: None,
            scope: None,
            wid: None,
            subject: None,
            received_at: Timestamp::from_unix_seconds(0),
            #[cfg(feature = "oidc")]
            id_token: Secret::new(),
        }
    }

    /// Wipes the tokens in place.
    pub(crate) fn clear(&mut self) {
        self.access_token.clear();
        self.refresh_token.clear();
        self.expires_at = None;
        self.scope = None;
        self.wid = None;
        self.subject = None;
        #[cfg(feature = "oidc")]
        self.id_token.clear();
    }

    /// The access token.
    #[must_use]
    pub fn access_token(&self) -> &str {
        self.access_token.as_str()
    }

    /// How to present the access token.
    #[must_use]
    pub const fn token_type(&self) -> TokenType {
        self.token_type
    }

    /// The refresh token, if the server issued one.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&str> {
        (!self.refresh_token.is_empty()).then(|| self.refresh_token.as_str())
    }

    /// When the access token expires (host clock at receipt + `expires_in`), or `None`
    /// when the server did not say.
    #[must_use]
    pub const fn expires_at(&self) -> Option<Timestamp> {
        self.expires_at
    }

    /// The granted scope when the server stated it (RFC 6749 §5.1: when absent, it is the
    /// scope requested).
    #[must_use]
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Workfront's `wid`, when sent.
    #[must_use]
    pub fn wid(&self) -> Option<&str> {
        self.wid.as_deref()
    }

    /// The `sub` member (the user or app the tokens are for), when sent — Adobe IMS sends
    /// it. It is the server's word, not a checked identity (ID tokens are not read yet).
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The OpenID Connect ID token checked by
    /// [`Session::on_token_response_verified`](super::Session::on_token_response_verified),
    /// in compact serialization (for `id_token_hint` at logout, or to read more claims
    /// with [`Tokens::id_token_claims`]). Saves do not carry it (only its verified
    /// [`Tokens::subject`]), so a restored session has none.
    #[cfg(feature = "oidc")]
    #[must_use]
    pub fn id_token(&self) -> Option<&str> {
        (!self.id_token.is_empty()).then(|| self.id_token.as_str())
    }

    /// The claims of the ID token (checked when it was received), decoded into `buf`
    /// (`email`, `name` … through [`Claims::string_claim`](crate::jose::Claims::string_claim)).
    /// `None` without an ID token or when `buf` is too small.
    #[cfg(feature = "oidc")]
    #[must_use]
    pub fn id_token_claims<'buf>(&self, buf: &'buf mut [u8]) -> Option<crate::jose::Claims<'buf>> {
        let payload = crate::jose::Compact::parse(self.id_token()?.as_bytes())
            .ok()?
            .unverified_payload(buf)?;
        crate::jose::Claims::parse(payload).ok()
    }

    /// When these tokens were received (host clock).
    #[must_use]
    pub const fn received_at(&self) -> Timestamp {
        self.received_at
    }

    /// Whether the access token has expired at `now` (never, when the expiry is unknown).
    #[must_use]
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|expiry| now >= expiry)
    }
}

/// Why a token endpoint response could not be read. The HTTP status is carried so the host
/// can log and decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseError {
    /// The body is not JSON at all (an HTML error page, a proxy's text).
    NotJson {
        /// HTTP status.
        status: u16,
    },
    /// The body is JSON but malformed.
    MalformedJson {
        /// HTTP status.
        status: u16,
        /// The problem.
        error: JsonError,
    },
    /// A member appears twice (RFC 6749 §5.1 forbids repeating parameters; it is also how
    /// a smuggled second token would look).
    DuplicateMember {
        /// HTTP status.
        status: u16,
        /// The member.
        member: &'static str,
    },
    /// A member has the wrong type or an impossible value.
    InvalidMember {
        /// HTTP status.
        status: u16,
        /// The member.
        member: &'static str,
    },
    /// A member is longer than the engine keeps ([`crate::client::limits`]).
    MemberTooLong {
        /// HTTP status.
        status: u16,
        /// The member.
        member: &'static str,
        /// Capacity in bytes.
        max: usize,
    },
    /// A success response without `access_token`.
    MissingAccessToken {
        /// HTTP status.
        status: u16,
    },
    /// `token_type` is neither `Bearer` (any case) nor `sessionID`.
    UnsupportedTokenType {
        /// HTTP status.
        status: u16,
    },
    /// An error status with a JSON body that has no `error` member, or a status that is
    /// neither success nor error (1xx, 3xx).
    UnexpectedStatus {
        /// HTTP status.
        status: u16,
    },
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson { status } => write!(f, "HTTP {status}: the response body is not JSON"),
            Self::MalformedJson { status, error } => write!(f, "HTTP {status}: {error}"),
            Self::DuplicateMember { status, member } => {
                write!(f, "HTTP {status}: \"{member}\" appears more than once")
            }
            Self::InvalidMember { status, member } => {
                write!(f, "HTTP {status}: \"{member}\" has an invalid value")
            }
            Self::MemberTooLong {
                status,
                member,
                max,
            } => {
                write!(
                    f,
                    "HTTP {status}: \"{member}\" is longer than the {max} bytes authcode keeps"
                )
            }
            Self::MissingAccessToken { status } => {
                write!(f, "HTTP {status}: no access_token in the response")
            }
            Self::UnsupportedTokenType { status } => {
                write!(
                    f,
                    "HTTP {status}: token_type is neither Bearer nor sessionID"
                )
            }
            Self::UnexpectedStatus { status } => {
                write!(f, "HTTP {status}: not a token or OAuth error response")
            }
        }
    }
}

impl core::error::Error for ResponseError {}

/// A token endpoint's answer: the tokens were written, or the server's error.
pub(crate) type Answer = Result<(), ServerError>;

/// The members this reader knows, in the order [`read_members`] reads them; each may
/// appear once. Unknown members (`id_token`, `user`, …) are ignored, whatever their type.
const NAMES: [&str; 10] = [
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "scope",
    "wid",
    "error",
    "error_description",
    "error_uri",
    "sub",
];

/// The known members of a token endpoint response.
struct Members<'a> {
    access_token: Option<Value<'a>>,
    token_type: Option<Value<'a>>,
    expires_in: Option<Value<'a>>,
    refresh_token: Option<Value<'a>>,
    scope: Option<Value<'a>>,
    wid: Option<Value<'a>>,
    error: Option<Value<'a>>,
    error_description: Option<Value<'a>>,
    error_uri: Option<Value<'a>>,
    sub: Option<Value<'a>>,
}

fn read_members(status: u16, body: &[u8]) -> Result<Members<'_>, ResponseError> {
    let [
        access_token,
        token_type,
        expires_in,
        refresh_token,
        scope,
        wid,
        error,
        error_description,
        error_uri,
        sub,
    ] = named::read_object(body, &NAMES).map_err(|error| match error {
        ObjectError::Json(JsonError::NotAnObject) => ResponseError::NotJson { status },
        ObjectError::Json(error) => ResponseError::MalformedJson { status, error },
        ObjectError::Duplicate(index) => ResponseError::DuplicateMember {
            status,
            member: NAMES.get(index).copied().unwrap_or("?"),
        },
    })?;
    Ok(Members {
        access_token,
        token_type,
        expires_in,
        refresh_token,
        scope,
        wid,
        error,
        error_description,
        error_uri,
        sub,
    })
}

/// A string member, decoded into `out`; `null` counts as absent.
fn string_member<'out>(
    status: u16,
    member: &'static str,
    value: Option<Value<'_>>,
    out: &'out mut [u8],
) -> Result<Option<&'out str>, ResponseError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(raw)) => decode(status, member, raw, out).map(Some),
        Some(_) => Err(ResponseError::InvalidMember { status, member }),
    }
}

fn decode<'out>(
    status: u16,
    member: &'static str,
    raw: RawStr<'_>,
    out: &'out mut [u8],
) -> Result<&'out str, ResponseError> {
    raw.decode_into(out).map_err(|error| match error {
        JsonError::TooLong { max } => ResponseError::MemberTooLong {
            status,
            member,
            max,
        },
        error => ResponseError::MalformedJson { status, error },
    })
}

/// A secret string member, decoded straight into `out`; `null` or absence leave it empty.
/// Returns whether a value was present.
fn secret_member<const N: usize>(
    status: u16,
    member: &'static str,
    value: Option<Value<'_>>,
    out: &mut Secret<N>,
) -> Result<bool, ResponseError> {
    out.clear();
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(raw)) => out
            .set_with(
                |buf| decode(status, member, raw, buf).map(str::len),
                ResponseError::MalformedJson {
                    status,
                    error: JsonError::NotUtf8,
                },
            )
            .map(|()| true),
        Some(_) => Err(ResponseError::InvalidMember { status, member }),
    }
}

/// A member that may be a string or a number (Workfront's `wid`), as text.
fn string_or_number<'out>(
    status: u16,
    member: &'static str,
    value: Option<Value<'_>>,
    out: &'out mut [u8],
) -> Result<Option<&'out str>, ResponseError> {
    match value {
        Some(Value::Number(number)) => {
            let max = out.len();
            let slot = out
                .get_mut(..number.len())
                .ok_or(ResponseError::MemberTooLong {
                    status,
                    member,
                    max,
                })?;
            slot.copy_from_slice(number.as_bytes());
            Ok(Some(core::str::from_utf8(slot).unwrap_or_default()))
        }
        other => string_member(status, member, other, out),
    }
}

/// Reads a token endpoint response.
///
/// Tolerances, each because real servers do it:
/// * `token_type` may be `Bearer` in any case (RFC 6749 §5.1 says case-insensitive),
///   Workfront's `sessionID`, or missing (then the profile's type is assumed);
/// * `expires_in` may be a number, a string of digits (several servers quote it), `null`
///   or absent (expiry unknown); it must be a non-negative integer;
/// * `refresh_token`, `scope`, `error_description`, `error_uri` may be `null`;
/// * unknown members of any type are ignored; JSON string escapes are decoded;
/// * an error body is read whatever the error status (400, 401, 5xx) and also with 200,
///   which some servers send — an `error` member without `access_token` is an error.
///
/// The tokens are decoded straight into `out` (no second copy of kilobytes of token
/// storage); unless the result is `Ok(Ok(()))`, `out` is left cleared.
pub(crate) fn read_token_response(
    status: u16,
    body: &[u8],
    now: Timestamp,
    default_type: TokenType,
    out: &mut Tokens,
) -> Result<Answer, ResponseError> {
    let result = read_into(status, body, now, default_type, out);
    if !matches!(result, Ok(Ok(()))) {
        out.clear();
    }
    result
}

fn read_into(
    status: u16,
    body: &[u8],
    now: Timestamp,
    default_type: TokenType,
    out: &mut Tokens,
) -> Result<Answer, ResponseError> {
    let members = read_members(status, body)?;
    let is_success = (200..300).contains(&status);

    if members.error.is_some() && (!is_success || members.access_token.is_none()) {
        return read_error(status, &members).map(Err);
    }
    if !is_success {
        return Err(ResponseError::UnexpectedStatus { status });
    }

    secret_member(
        status,
        "access_token",
        members.access_token,
        &mut out.access_token,
    )?;
    if out.access_token.is_empty() {
        return Err(ResponseError::MissingAccessToken { status });
    }
    // Tokens go into HTTP headers: visible ASCII only (RFC 6750 §2.1's `b64token` is a
    // subset; real servers send JWTs, hex and base64), never CR, LF or other controls.
    if !is_header_safe(out.access_token.as_bytes()) {
        return Err(ResponseError::InvalidMember {
            status,
            member: "access_token",
        });
    }

    let mut type_buf = [0u8; 32];
    let token_type = match string_member(status, "token_type", members.token_type, &mut type_buf) {
        Ok(None) => default_type,
        Ok(Some(text)) if text.eq_ignore_ascii_case("bearer") => TokenType::Bearer,
        Ok(Some("sessionID")) => TokenType::SessionId,
        Ok(Some(_)) | Err(ResponseError::MemberTooLong { .. }) => {
            return Err(ResponseError::UnsupportedTokenType { status });
        }
        Err(error) => return Err(error),
    };

    let expires_in = match members.expires_in {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) => Some(number.parse::<u64>().ok()),
        Some(Value::String(raw)) => {
            let mut digits = [0u8; 24];
            let text = decode(status, "expires_in", raw, &mut digits).map_err(|_| {
                ResponseError::InvalidMember {
                    status,
                    member: "expires_in",
                }
            })?;
            Some(
                text.bytes()
                    .all(|b| b.is_ascii_digit())
                    .then(|| text.parse::<u64>().ok())
                    .flatten(),
            )
        }
        Some(_) => Some(None),
    };
    let expires_at = match expires_in {
        None => None,
        Some(Some(seconds)) => Some(now.plus(seconds)),
        Some(None) => {
            return Err(ResponseError::InvalidMember {
                status,
                member: "expires_in",
            });
        }
    };

    secret_member(
        status,
        "refresh_token",
        members.refresh_token,
        &mut out.refresh_token,
    )?;
    if !out.refresh_token.is_empty() && !is_header_safe(out.refresh_token.as_bytes()) {
        return Err(ResponseError::InvalidMember {
            status,
            member: "refresh_token",
        });
    }

    let mut scope_buf = [0u8; MAX_SCOPE];
    let scope = string_member(status, "scope", members.scope, &mut scope_buf)?
        .map(|scope| String::try_from(scope).unwrap_or_default());
    let mut wid_buf = [0u8; MAX_WORKFRONT_VALUE];
    let wid = string_or_number(status, "wid", members.wid, &mut wid_buf)?
        .map(|wid| String::try_from(wid).unwrap_or_default());

    let mut sub_buf = [0u8; MAX_SUBJECT];
    // OpenID Connect Core §2: at most 255 ASCII characters; a number is read as text too.
    let subject = match string_or_number(status, "sub", members.sub, &mut sub_buf)? {
        Some(sub) => Some(
            String::try_from(sub).map_err(|_| ResponseError::InvalidMember {
                status,
                member: "sub",
            })?,
        ),
        None => None,
    };

    out.token_type = token_type;
    out.expires_at = expires_at;
    out.scope = scope;
    out.wid = wid;
    out.subject = subject;
    out.received_at = now;
    Ok(Ok(()))
}

/// Whether a token is visible ASCII (0x21–0x7E), so it can go into an HTTP header.
pub(crate) fn is_header_safe(token: &[u8]) -> bool {
    token.iter().all(|byte| (0x21..=0x7e).contains(byte))
}

fn read_error(status: u16, members: &Members<'_>) -> Result<ServerError, ResponseError> {
    // Error codes and texts are informational: decode generously, cut what is too long.
    let mut code = [0u8; 256];
    let code = lenient_string(status, "error", members.error, &mut code)?
        .ok_or(ResponseError::UnexpectedStatus { status })?;
    let mut description = [0u8; 1024];
    let description = lenient_string(
        status,
        "error_description",
        members.error_description,
        &mut description,
    )?;
    let mut uri = [0u8; 1024];
    let uri = lenient_string(status, "error_uri", members.error_uri, &mut uri)?;
    Ok(ServerError::new(code, description, uri, Some(status)))
}

/// A string member where an over-long value is cut rather than refused.
fn lenient_string<'out>(
    status: u16,
    member: &'static str,
    value: Option<Value<'_>>,
    out: &'out mut [u8],
) -> Result<Option<&'out str>, ResponseError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(raw)) => {
            // Decode into the buffer; when it does not fit, keep the undecoded prefix.
            let fits = raw.decode_into(out).is_ok();
            if fits {
                return raw
                    .decode_into(out)
                    .map(Some)
                    .map_err(|error| ResponseError::MalformedJson { status, error });
            }
            let raw = raw.raw();
            let keep = raw.len().min(out.len());
            let slot = out.get_mut(..keep).unwrap_or_default();
            slot.copy_from_slice(raw.get(..keep).unwrap_or_default());
            Ok(Some(crate::wire::utf8::valid_prefix(slot)))
        }
        Some(_) => Err(ResponseError::InvalidMember { status, member }),
    }
}
