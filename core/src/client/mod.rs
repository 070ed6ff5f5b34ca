//! The client side of the authorization-code + PKCE flow: what a mobile or native app,
//! or a CLI, runs.
//!
//! ```text
//! let mut session = Session::start(config, &mut rng, now)?;
//! open_browser(session.authorize_url(&mut url_buf)?);
//! session.on_redirect(redirect_url)?;                       // state, iss, error, code
//! let request = session.token_request(&mut request_buf)?;  // send it
//! session.on_token_response(status, &body, now)?;           // tokens
//! if session.refresh_due(now) { session.refresh_request(&mut buf)?; … on_refresh_response … }
//! let saved = session.save_keyed(&key, &mut save_buf)?;     // survive the app being killed
//! ```
//!
//! Everything is allocation-free: values live in fixed-capacity fields
//! ([`limits`]), output goes to the caller's buffers, and running out of room is
//! [`ClientError::BufferTooSmall`] with the size needed.

mod config;
mod credentials;
mod discovery;
mod error;
#[cfg(feature = "oidc")]
mod id_token;
pub mod limits;
mod persist;
mod redirect;
mod request;
mod response;
mod seal;
mod session;
mod state;

pub use crate::oauth::ErrorCode;
pub use crate::oauth::UrlError;
pub use config::{ClientAuth, ClientConfig, ConfigError, ConfigField};
#[cfg(feature = "jose")]
pub use credentials::JwtGrant;
pub use credentials::{CredentialsAuth, CredentialsClient, CredentialsOutcome};
pub use discovery::{AuthMethod, Discovery, DiscoveryError, MAX_METADATA_LEN};
pub use error::ClientError;
#[cfg(feature = "oidc")]
pub use id_token::{ID_TOKEN_SKEW_SECONDS, IdTokenError, MAX_ID_TOKEN};
pub use persist::{MAX_SAVED_LEN, RestoreError};
pub use redirect::RedirectError;
pub use request::HttpRequest;
pub use response::{ResponseError, ServerError, TokenType, Tokens};
pub use seal::{MAX_SAVE_KEY, MIN_SAVE_KEY, SaveKey, SaveKeyError};
pub use session::{
    Failure, RedirectOutcome, RefreshOutcome, STATE_LEN, Session, Stage, TokenKind, TokenOutcome,
};
