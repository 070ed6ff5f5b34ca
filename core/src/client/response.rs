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
        Self::from_parts(
            truncated(code_text),
            description.map(truncated),
            uri.map(truncated),
            status,
        )
    }

    /// From texts already cut to their storage (decoded straight into it).
    pub(crate) fn from_parts(
        code_text: String<MAX_ERROR_CODE>,
        description: Option<String<MAX_ERROR_TEXT>>,
        uri: Option<String<MAX_ERROR_TEXT>>,
        status: Option<u16>,
    ) -> Self {
        Self {
            code: ErrorCode::parse(&code_text),
            code_text,
            description,
            uri,
            status,
        }
    }

    /// From an error answer's JSON strings, each decoded straight into its storage and
    /// cut where too long.
    fn from_raw(
        code: RawStr<'_>,
        description: Option<RawStr<'_>>,
        uri: Option<RawStr<'_>>,
        status: u16,
    ) -> Self {
        // Filled in place (one error's storage on the stack, not one per text).
        let mut error = Self {
            code: ErrorCode::Other,
            code_text: String::new(),
            description: None,
            uri: None,
            status: Some(status),
        };
        code.decode_lossy_into(&mut error.code_text);
        if let Some(raw) = description {
            raw.decode_lossy_into(error.description.insert(String::new()));
        }
        if let Some(raw) = uri {
            raw.decode_lossy_into(error.uri.insert(String::new()));
        }
        error.code = ErrorCode::parse(&error.code_text);
        error
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

/// A string member's raw value; `null` counts as absent, any other non-string is refused.
fn string_value<'a>(
    status: u16,
    member: &'static str,
    value: Option<Value<'a>>,
) -> Result<Option<RawStr<'a>>, ResponseError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(raw)) => Ok(Some(raw)),
        Some(_) => Err(ResponseError::InvalidMember { status, member }),
    }
}

/// Checks a string value without storing it: its escapes and UTF-8 decode, it fits `max`
/// bytes, and every character passes `allowed`. Returns the decoded length.
fn check_string(
    status: u16,
    member: &'static str,
    raw: RawStr<'_>,
    max: usize,
    allowed: Allowed,
) -> Result<usize, ResponseError> {
    // Without escapes (nearly always) the text is checked in one pass over its bytes.
    let unescaped = raw
        .unescaped()
        .map_err(|error| ResponseError::MalformedJson { status, error })?;
    if let Some(text) = unescaped {
        if text.len() > max {
            return Err(ResponseError::MemberTooLong {
                status,
                member,
                max,
            });
        }
        if allowed == Allowed::HeaderSafe && !is_header_safe(text.as_bytes()) {
            return Err(ResponseError::InvalidMember { status, member });
        }
        return Ok(text.len());
    }
    let allowed = match allowed {
        Allowed::Any => any_char,
        Allowed::HeaderSafe => header_char,
    };
    let mut len = 0usize;
    for c in raw.chars() {
        let c = c.map_err(|error| ResponseError::MalformedJson { status, error })?;
        len = len.saturating_add(c.len_utf8());
        if len > max {
            return Err(ResponseError::MemberTooLong {
                status,
                member,
                max,
            });
        }
        if !allowed(c) {
            return Err(ResponseError::InvalidMember { status, member });
        }
    }
    Ok(len)
}

/// Which characters a string member may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Allowed {
    /// Any character.
    Any,
    /// Visible ASCII only: the value goes into HTTP headers.
    HeaderSafe,
}

/// Any character.
const fn any_char(_: char) -> bool {
    true
}

/// Tokens go into HTTP headers: visible ASCII only (RFC 6750 §2.1's `b64token` is a
/// subset; real servers send JWTs, hex and base64), never CR, LF or other controls.
fn header_char(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_header_byte)
}

/// A byte a token may hold in an HTTP header: visible ASCII (0x21–0x7E).
const fn is_header_byte(byte: u8) -> bool {
    matches!(byte, 0x21..=0x7e)
}

/// A text member once checked: a JSON string, or a number read as its text (Workfront's
/// `wid`, a numeric `sub`).
#[derive(Clone, Copy)]
enum Text<'a> {
    Json(RawStr<'a>),
    Number(&'a str),
}

impl Text<'_> {
    /// Writes the checked value into `out` (replacing it).
    fn write_to<const N: usize>(
        self,
        status: u16,
        out: &mut String<N>,
    ) -> Result<(), ResponseError> {
        match self {
            Self::Json(raw) => raw
                .decode_to(out)
                .map_err(|error| ResponseError::MalformedJson { status, error }),
            Self::Number(number) => {
                out.clear();
                out.push_str(number)
                    .map_err(|_| ResponseError::MalformedJson {
                        status,
                        error: JsonError::TooLong { max: N },
                    })
            }
        }
    }
}

/// Checks a member that may be a string or, when `numbers` allows, a number.
fn check_text<'a>(
    status: u16,
    member: &'static str,
    value: Option<Value<'a>>,
    max: usize,
    numbers: bool,
) -> Result<Option<Text<'a>>, ResponseError> {
    match value {
        Some(Value::Number(number)) if numbers => {
            if number.len() > max {
                return Err(ResponseError::MemberTooLong {
                    status,
                    member,
                    max,
                });
            }
            Ok(Some(Text::Number(number)))
        }
        other => match string_value(status, member, other)? {
            Some(raw) => {
                check_string(status, member, raw, max, Allowed::Any)?;
                Ok(Some(Text::Json(raw)))
            }
            None => Ok(None),
        },
    }
}

/// Decodes a checked token straight into its storage.
fn write_secret<const N: usize>(
    status: u16,
    raw: RawStr<'_>,
    out: &mut Secret<N>,
) -> Result<(), ResponseError> {
    let malformed = |error| ResponseError::MalformedJson { status, error };
    out.set_with(
        |buf| raw.decode_into(buf).map(str::len).map_err(malformed),
        malformed(JsonError::NotUtf8),
    )
}

/// How an answer's tokens go into the tokens a caller holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
    /// A login or a new token: everything is replaced, and what the answer lacks is
    /// absent afterwards.
    Replace,
    /// A refresh (RFC 6749 §6): the access token, its type, expiry and receipt time are
    /// replaced; the refresh token, `scope` and `wid` only when the answer carries them
    /// (servers without rotation send no refresh token); the subject stays the login's
    /// when it had one. The ID token is never touched.
    Refresh,
}

/// A successful answer once every member is checked (pass one); nothing is stored yet.
struct Checked<'a> {
    access_token: RawStr<'a>,
    token_type: TokenType,
    expires_at: Option<Timestamp>,
    /// Present and non-empty.
    refresh_token: Option<RawStr<'a>>,
    scope: Option<Text<'a>>,
    wid: Option<Text<'a>>,
    subject: Option<Text<'a>>,
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
/// Two passes, so that a refused answer changes nothing and no second token buffer
/// exists: every member is checked first (decoded on the fly, nothing stored), and only
/// then are the tokens decoded straight into `out`, as `merge` says. Unless the result is
/// `Ok(Ok(()))`, `out` is unchanged.
pub(crate) fn read_token_response(
    status: u16,
    body: &[u8],
    now: Timestamp,
    default_type: TokenType,
    out: &mut Tokens,
    merge: Merge,
) -> Result<Answer, ResponseError> {
    let members = read_members(status, body)?;
    let is_success = (200..300).contains(&status);
    if members.error.is_some() && (!is_success || members.access_token.is_none()) {
        return read_error(status, &members);
    }
    if !is_success {
        return Err(ResponseError::UnexpectedStatus { status });
    }
    let checked = check_success(status, members, now, default_type)?;
    // Pass two decodes what pass one checked, so it does not fail; if it ever did, a
    // half-written mix of old and new tokens must not be used.
    let written = write_tokens(status, &checked, now, merge, out);
    if written.is_err() {
        out.clear();
    }
    written.map(Ok)
}

/// Pass one: checks every member of a successful answer without storing anything.
fn check_success<'a>(
    status: u16,
    members: Members<'a>,
    now: Timestamp,
    default_type: TokenType,
) -> Result<Checked<'a>, ResponseError> {
    let access_token = string_value(status, "access_token", members.access_token)?
        .ok_or(ResponseError::MissingAccessToken { status })?;
    let access_len = check_string(
        status,
        "access_token",
        access_token,
        MAX_ACCESS_TOKEN,
        Allowed::HeaderSafe,
    )?;
    if access_len == 0 {
        return Err(ResponseError::MissingAccessToken { status });
    }

    let token_type = match string_value(status, "token_type", members.token_type)? {
        None => default_type,
        Some(raw) => {
            let mut text = String::<16>::new();
            if raw.decode_to(&mut text).is_err() {
                return Err(ResponseError::UnsupportedTokenType { status });
            }
            if text.eq_ignore_ascii_case("bearer") {
                TokenType::Bearer
            } else if text == "sessionID" {
                TokenType::SessionId
            } else {
                return Err(ResponseError::UnsupportedTokenType { status });
            }
        }
    };

    let invalid_expiry = ResponseError::InvalidMember {
        status,
        member: "expires_in",
    };
    let expires_in = match members.expires_in {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) => Some(number.parse::<u64>().map_err(|_| invalid_expiry)?),
        Some(Value::String(raw)) => {
            let mut digits = String::<24>::new();
            raw.decode_to(&mut digits).map_err(|_| invalid_expiry)?;
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid_expiry);
            }
            Some(digits.parse::<u64>().map_err(|_| invalid_expiry)?)
        }
        Some(_) => return Err(invalid_expiry),
    };

    let refresh_token = match string_value(status, "refresh_token", members.refresh_token)? {
        Some(raw) => {
            let len = check_string(
                status,
                "refresh_token",
                raw,
                MAX_REFRESH_TOKEN,
                Allowed::HeaderSafe,
            )?;
            (len > 0).then_some(raw)
        }
        None => None,
    };
    let scope = check_text(status, "scope", members.scope, MAX_SCOPE, false)?;
    let wid = check_text(status, "wid", members.wid, MAX_WORKFRONT_VALUE, true)?;
    // OpenID Connect Core §2: at most 255 ASCII characters; a number is read as text too.
    let subject = check_text(status, "sub", members.sub, MAX_SUBJECT, true)?;
    Ok(Checked {
        access_token,
        token_type,
        expires_at: expires_in.map(|seconds| now.plus(seconds)),
        refresh_token,
        scope,
        wid,
        subject,
    })
}

/// Pass two: decodes the checked answer straight into `out`.
fn write_tokens(
    status: u16,
    checked: &Checked<'_>,
    now: Timestamp,
    merge: Merge,
    out: &mut Tokens,
) -> Result<(), ResponseError> {
    let replace = merge == Merge::Replace;
    write_secret(status, checked.access_token, &mut out.access_token)?;
    out.token_type = checked.token_type;
    out.expires_at = checked.expires_at;
    out.received_at = now;
    match checked.refresh_token {
        Some(raw) => write_secret(status, raw, &mut out.refresh_token)?,
        None if replace => out.refresh_token.clear(),
        None => {}
    }
    write_text(status, checked.scope, replace, &mut out.scope)?;
    write_text(status, checked.wid, replace, &mut out.wid)?;
    // An ID token belongs to the login that checked it: a new token set has none until
    // its own is checked; a refresh keeps the login's.
    #[cfg(feature = "oidc")]
    if replace {
        out.id_token.clear();
    }
    // A grant is one user's: a refresh keeps the subject the login established.
    if replace || out.subject.is_none() {
        write_text(status, checked.subject, true, &mut out.subject)?;
    }
    Ok(())
}

/// Writes an optional text member: a present value replaces the slot's; an absent one
/// empties it when `replace`, and keeps it otherwise.
fn write_text<const N: usize>(
    status: u16,
    value: Option<Text<'_>>,
    replace: bool,
    slot: &mut Option<String<N>>,
) -> Result<(), ResponseError> {
    match value {
        Some(text) => {
            let stored = slot.get_or_insert_with(String::new);
            let written = text.write_to(status, stored);
            if written.is_err() {
                *slot = None;
            }
            written
        }
        None => {
            if replace {
                *slot = None;
            }
            Ok(())
        }
    }
}

/// Whether a token is visible ASCII (0x21–0x7E), so it can go into an HTTP header.
pub(crate) fn is_header_safe(token: &[u8]) -> bool {
    token.iter().all(|&byte| is_header_byte(byte))
}

/// Reads an error answer. Error codes and texts are informational: decoded generously,
/// cut (at a character boundary) where too long for their storage.
// Its own frame: a successful answer does not pay for the error's storage.
#[inline(never)]
fn read_error(status: u16, members: &Members<'_>) -> Result<Answer, ResponseError> {
    // Every member's type first; then the texts are decoded straight into the answer,
    // which is built in the caller's return slot.
    let code = string_value(status, "error", members.error)?
        .ok_or(ResponseError::UnexpectedStatus { status })?;
    let description = string_value(status, "error_description", members.error_description)?;
    let uri = string_value(status, "error_uri", members.error_uri)?;
    Ok(Err(ServerError::from_raw(code, description, uri, status)))
}
