//! Where a client session is in the flow: the public [`Stage`] and [`Failure`], and the
//! state each stage holds. Its own module so that errors can name a stage without
//! depending on the session (and the session's transitions live in one place:
//! `Session::set_state`).

use core::fmt;

use heapless::String;

use super::limits::{MAX_CODE, MAX_WORKFRONT_VALUE};
use super::response::ServerError;
use super::session::NONCE_LEN;
use super::session::STATE_LEN;
use crate::Secret;
use crate::pkce::Verifier;
use crate::time::Timestamp;

/// Where a session is in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The authorize URL can be opened; waiting for the redirect back.
    AwaitingRedirect,
    /// A code arrived; waiting for the token exchange.
    AwaitingToken,
    /// Tokens are held.
    Authorized,
    /// Tokens are held and a refresh request is in flight.
    Refreshing,
    /// The flow ended without tokens, or the user must sign in again; see
    /// [`Session::failure`](super::Session::failure).
    Failed,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AwaitingRedirect => "awaiting the redirect",
            Self::AwaitingToken => "awaiting the token exchange",
            Self::Authorized => "authorized",
            Self::Refreshing => "refreshing",
            Self::Failed => "failed",
        })
    }
}

/// Why a session is in [`Stage::Failed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The authorization server answered the redirect with an error (the user refused,
    /// `access_denied`, …).
    Denied(ServerError),
    /// The token endpoint refused the code exchange.
    Rejected(ServerError),
    /// A refresh was refused with `invalid_grant`: the grant is gone (expired, revoked, or
    /// a rotated refresh token was replayed). The user must sign in again.
    SignInRequired(ServerError),
    /// [`Session::sign_out`](super::Session::sign_out) was called.
    SignedOut,
}

#[derive(Clone)]
pub(crate) struct PendingLogin {
    pub(crate) verifier: Verifier,
    pub(crate) state: Secret<STATE_LEN>,
    pub(crate) started_at: Timestamp,
    /// The OpenID Connect nonce sent with the authorization request, when `openid` is
    /// in the scope and ID tokens are checked (feature `oidc`).
    pub(crate) nonce: Option<Secret<NONCE_LEN>>,
}

#[derive(Clone)]
pub(crate) struct CodeReceived {
    pub(crate) verifier: Verifier,
    pub(crate) code: Secret<MAX_CODE>,
    pub(crate) workfront: WorkfrontRouting,
    pub(crate) nonce: Option<Secret<NONCE_LEN>>,
}

/// Workfront's `domain` and `lane` from the redirect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WorkfrontRouting {
    pub(crate) domain: Option<String<MAX_WORKFRONT_VALUE>>,
    pub(crate) lane: Option<String<MAX_WORKFRONT_VALUE>>,
}

/// What the authorized stages hold beside the tokens.
#[derive(Clone)]
pub(crate) struct Authorized {
    pub(crate) workfront: WorkfrontRouting,
}

// The crate does not allocate, so there is no `Box` to shrink the large variant with:
// the value lives inline, by design.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(crate) enum State {
    AwaitingRedirect(PendingLogin),
    AwaitingToken(CodeReceived),
    Authorized(Authorized),
    /// Authorized, with a refresh request in flight (its refresh token is spent if the
    /// server rotates).
    Refreshing(Authorized),
    Failed(Failure),
}
