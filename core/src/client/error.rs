//! Errors in how the client session was used or fed — distinct from errors the server
//! answered with, which are data ([`super::ServerError`]).

use core::fmt;

use super::redirect::RedirectError;
use super::response::ResponseError;
use super::state::Stage;
use crate::BufferTooSmall;

/// Why a session call failed. The session is unchanged unless the call's documentation
/// says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientError {
    /// The call is not valid in the session's current stage.
    WrongStage {
        /// The stage the session is in.
        stage: Stage,
    },
    /// The random number generator failed.
    Randomness,
    /// The caller's buffer is too small; `needed` bytes are required.
    BufferTooSmall(BufferTooSmall),
    /// The redirect was refused.
    Redirect(RedirectError),
    /// The token endpoint's response could not be read.
    Response(ResponseError),
    /// A refresh is already in flight: answer it (or cancel it) before asking for another,
    /// so a rotated refresh token is never spent twice.
    RefreshInFlight,
    /// The server issued no refresh token.
    NoRefreshToken,
    /// No revocation endpoint is configured.
    NoRevocationEndpoint,
    /// The OpenID Connect ID token was refused.
    #[cfg(feature = "oidc")]
    IdToken(super::IdTokenError),
    /// The signer of a JWT failed.
    #[cfg(feature = "jose")]
    Signing(crate::jose::SignError),
    /// A JWT grant's claims (`sub`, `aud`, `iss`) or header (`kid`) do not fit the JWT's
    /// fixed capacity (claims 2 KiB, the JWT 4 KiB).
    #[cfg(feature = "jose")]
    JwtTooLong,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongStage { stage } => write!(f, "not valid while the session is {stage}"),
            Self::Randomness => f.write_str("the random number generator failed"),
            Self::BufferTooSmall(error) => fmt::Display::fmt(error, f),
            Self::Redirect(error) => fmt::Display::fmt(error, f),
            Self::Response(error) => write!(f, "token endpoint response: {error}"),
            Self::RefreshInFlight => f.write_str("a refresh is already in flight"),
            Self::NoRefreshToken => f.write_str("the server issued no refresh token"),
            Self::NoRevocationEndpoint => f.write_str("no revocation endpoint is configured"),
            #[cfg(feature = "oidc")]
            Self::IdToken(error) => fmt::Display::fmt(error, f),
            #[cfg(feature = "jose")]
            Self::Signing(error) => write!(f, "signing the JWT: {error}"),
            #[cfg(feature = "jose")]
            Self::JwtTooLong => f.write_str(
                "the JWT's claims (sub, aud, iss) or header (kid) are too long: claims at most 2 KiB, the JWT 4 KiB",
            ),
        }
    }
}

impl core::error::Error for ClientError {}

impl From<BufferTooSmall> for ClientError {
    fn from(error: BufferTooSmall) -> Self {
        Self::BufferTooSmall(error)
    }
}

impl From<RedirectError> for ClientError {
    fn from(error: RedirectError) -> Self {
        Self::Redirect(error)
    }
}

impl From<ResponseError> for ClientError {
    fn from(error: ResponseError) -> Self {
        Self::Response(error)
    }
}
