//! The client over the C ABI: the values both objects use (here), the configuration
//! ([`config`]) and the session ([`session`]).

use authcode::client::{ErrorCode, HttpRequest, Stage, TokenKind, TokenType};
use authcode::profile::{BodyFormat, Profile};

use crate::util::{authcode_str, enum_from_u32};

pub mod config;
pub mod credentials;
pub mod session;

pub use config::*;
pub use credentials::*;
pub use session::*;

/// The dialect: `AUTHCODE_PROFILE_RFC`, `AUTHCODE_PROFILE_WORKFRONT` (Adobe's legacy
/// service, which stops on 2027-02-01) or `AUTHCODE_PROFILE_ADOBE_IMS` (its successor).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_profile {
    /// Plain RFC 6749: Bearer tokens, form bodies.
    Rfc = 0,
    /// Adobe Workfront: sessionID tokens, JSON bodies, domain/lane/wid.
    Workfront = 1,
    /// Adobe IMS (Adobe Developer Console): form bodies, lower-case `bearer`, `client_id`
    /// in the token and revocation URLs of public clients, comma-delimited scopes. Give
    /// its endpoints (`{origin}/ims/authorize/v2`, `{origin}/ims/token/v3`).
    AdobeIms = 2,
}

enum_from_u32!(authcode_profile {
    Rfc,
    Workfront,
    AdobeIms
});

impl From<authcode_profile> for Profile {
    fn from(profile: authcode_profile) -> Self {
        match profile {
            authcode_profile::Rfc => Self::Rfc,
            authcode_profile::Workfront => Self::Workfront,
            authcode_profile::AdobeIms => Self::AdobeIms,
        }
    }
}

/// Token request body format: `AUTHCODE_BODY_FORMAT_FORM` or `AUTHCODE_BODY_FORMAT_JSON`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_body_format {
    /// `application/x-www-form-urlencoded`.
    Form = 0,
    /// `application/json`.
    Json = 1,
}

enum_from_u32!(authcode_body_format { Form, Json });

impl From<authcode_body_format> for BodyFormat {
    fn from(format: authcode_body_format) -> Self {
        match format {
            authcode_body_format::Form => Self::Form,
            authcode_body_format::Json => Self::Json,
        }
    }
}

/// Which token: `AUTHCODE_TOKEN_KIND_ACCESS` or `AUTHCODE_TOKEN_KIND_REFRESH`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_token_kind {
    /// The access token.
    Access = 0,
    /// The refresh token.
    Refresh = 1,
}

enum_from_u32!(authcode_token_kind { Access, Refresh });

impl From<authcode_token_kind> for TokenKind {
    fn from(kind: authcode_token_kind) -> Self {
        match kind {
            authcode_token_kind::Access => Self::Access,
            authcode_token_kind::Refresh => Self::Refresh,
        }
    }
}

/// Where a session is in the flow.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_stage {
    /// Waiting for the redirect.
    AwaitingRedirect = 0,
    /// Waiting for the token exchange.
    AwaitingToken = 1,
    /// Tokens held.
    Authorized = 2,
    /// Tokens held, refresh in flight.
    Refreshing = 3,
    /// Ended without tokens, or sign-in required.
    Failed = 4,
}

impl From<Stage> for authcode_stage {
    fn from(stage: Stage) -> Self {
        match stage {
            Stage::AwaitingRedirect => Self::AwaitingRedirect,
            Stage::AwaitingToken => Self::AwaitingToken,
            Stage::Authorized => Self::Authorized,
            Stage::Refreshing => Self::Refreshing,
            Stage::Failed => Self::Failed,
        }
    }
}

/// What the redirect carried.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_redirect_outcome {
    /// A code: send the token request next.
    CodeReceived = 0,
    /// The server's error (see `authcode_session_server_error`); the session has failed.
    Denied = 1,
}

/// What the token endpoint answered to the code exchange.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_token_outcome {
    /// Tokens are held.
    Authorized = 0,
    /// Refused (see `authcode_session_server_error`); the session has failed.
    Rejected = 1,
}

/// What the token endpoint answered to a refresh.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_refresh_outcome {
    /// New tokens are held.
    Refreshed = 0,
    /// `invalid_grant`: the user must sign in again; tokens wiped.
    SignInRequired = 1,
    /// Another error; the old tokens are kept.
    Rejected = 2,
}

/// How the access token is presented.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_token_type {
    /// `Authorization: Bearer <token>`.
    Bearer = 0,
    /// Workfront's `sessionID: <token>` header.
    SessionId = 1,
}

impl From<TokenType> for authcode_token_type {
    fn from(kind: TokenType) -> Self {
        match kind {
            TokenType::Bearer => Self::Bearer,
            TokenType::SessionId => Self::SessionId,
        }
    }
}

/// An OAuth error code the server answered with (RFC 6749 §4.1.2.1, §5.2).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_error_code {
    /// No error.
    None = 0,
    /// `invalid_request`
    InvalidRequest = 1,
    /// `invalid_client`
    InvalidClient = 2,
    /// `invalid_grant`
    InvalidGrant = 3,
    /// `unauthorized_client`
    UnauthorizedClient = 4,
    /// `unsupported_grant_type`
    UnsupportedGrantType = 5,
    /// `invalid_scope`
    InvalidScope = 6,
    /// `access_denied`
    AccessDenied = 7,
    /// `unsupported_response_type`
    UnsupportedResponseType = 8,
    /// `server_error`
    ServerError = 9,
    /// `temporarily_unavailable`
    TemporarilyUnavailable = 10,
    /// `unsupported_token_type`
    UnsupportedTokenType = 11,
    /// Any other code.
    Other = 99,
}

pub(crate) fn error_code(code: ErrorCode) -> authcode_error_code {
    match code {
        ErrorCode::InvalidRequest => authcode_error_code::InvalidRequest,
        ErrorCode::InvalidClient => authcode_error_code::InvalidClient,
        ErrorCode::InvalidGrant => authcode_error_code::InvalidGrant,
        ErrorCode::UnauthorizedClient => authcode_error_code::UnauthorizedClient,
        ErrorCode::UnsupportedGrantType => authcode_error_code::UnsupportedGrantType,
        ErrorCode::InvalidScope => authcode_error_code::InvalidScope,
        ErrorCode::AccessDenied => authcode_error_code::AccessDenied,
        ErrorCode::UnsupportedResponseType => authcode_error_code::UnsupportedResponseType,
        ErrorCode::ServerError => authcode_error_code::ServerError,
        ErrorCode::TemporarilyUnavailable => authcode_error_code::TemporarilyUnavailable,
        ErrorCode::UnsupportedTokenType => authcode_error_code::UnsupportedTokenType,
        ErrorCode::Other => authcode_error_code::Other,
    }
}

/// An HTTP request to send. Every field points into the caller's buffer or the session and
/// stays valid until the next call on that session or the buffer is reused. Absent fields
/// have a NULL `ptr`. `authorization` and `body` hold secrets: do not log them.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_http_request {
    /// `"POST"`.
    pub method: authcode_str,
    /// The endpoint URL.
    pub url: authcode_str,
    /// The `Content-Type` header value.
    pub content_type: authcode_str,
    /// The `Accept` header value.
    pub accept: authcode_str,
    /// The `Authorization` header value, or absent.
    pub authorization: authcode_str,
    /// The body.
    pub body: authcode_str,
}

impl From<HttpRequest<'_>> for authcode_http_request {
    fn from(request: HttpRequest<'_>) -> Self {
        Self {
            method: authcode_str::of(request.method),
            url: authcode_str::of(request.url),
            content_type: authcode_str::of(request.content_type),
            accept: authcode_str::of(request.accept),
            authorization: authcode_str::of_option(request.authorization),
            body: authcode_str::of(request.body),
        }
    }
}
