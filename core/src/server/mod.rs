//! The authorization server a host embeds: app registry, fixed-capacity code and token
//! tables, the authorization and token endpoints, refresh with rotation and lifetimes,
//! revocation and access-token validation.
//!
//! ```text
//! server.registry_mut().create(&spec, rng)            -> client_id (+ secret, shown once)
//! server.authorize_info(query)                          -> app name + scope for the consent page
//! server.authorize(query, subject, now, rng, buf)       -> Location: redirect_uri?code=…&state=…
//! server.token(&request, now, rng, buf)                 -> status + JSON (tokens or error)
//! server.validate(access_token, now)                    -> subject, scope, client — or invalid_token
//! server.revoke(&request, now, buf)                     -> RFC 7009
//! server.revoke_subject(subject) / delete_app(id) / rotate_secret(id, …)
//! ```
//!
//! The server reaches its tables through one trait, [`GrantStore`], whose operations are
//! the atomic primitives a shared store needs; [`MemoryStore`] is the embedded default
//! over fixed-capacity tables ([`InlineStorage`] or [`SliceStorage`]). The tables keep
//! SHA-256 digests of codes and tokens, never the values; every app (and every subject,
//! for pending codes) has a quota, so no client can make another's request fail for lack
//! of room. Every rule of RFC 6749 / 7636 / 9700 that applies to the code grant is
//! enforced; see each method.

mod app;
#[cfg(feature = "jose")]
mod assertion;
mod authorize;
mod client_auth;
mod config;
mod endpoint;
mod entries;
pub mod limits;
mod memory;
mod params;
mod registry;
mod revocation;
mod scope;
#[allow(clippy::module_inception)]
mod server;
mod settings;
mod storage;
mod store;
mod table;
mod token;
mod tokens;

pub use self::app::{App, AppError, AppKind, AppSpec, RefreshPolicy, SecretInfo};
pub use self::authorize::{AuthorizeError, AuthorizeInfo, AuthorizeRedirect};
pub use self::config::{Quotas, ServerConfig, ServerConfigError, WorkfrontIdentity};
pub use self::endpoint::{RESPONSE_BUFFER_LEN, TokenRequest, TokenResponse};
pub use self::entries::{
    AccessSlot, CodeEntry, GrantEntry, GrantId, GrantStatus, GrantType, Key, KeyEntry, KeyKind,
    Rotated, Rotation, SubjectEntry,
};
pub use self::memory::{Live, MemoryStore};
pub use self::registry::{AppId, Created, Registry};
pub use self::scope::MAX_SCOPE_TOKENS;
pub use self::server::{InvalidToken, SecretRotation, Server, TokenInfo};
pub use self::settings::AppSettings;
pub use self::storage::{InlineStorage, SliceStorage, Storage, Tables, TablesRef};
pub use self::store::{
    AssertionMark, Capacity, FoundGrant, GrantFilter, GrantStore, Limits, NewGrant, Noted,
    RedeemError, RotateOutcome, StoreError, TableKind, Usage,
};
pub use self::table::{MAX_LOAD_DENOMINATOR, MAX_LOAD_NUMERATOR};
#[cfg(feature = "jose")]
pub use self::token::{ID_TOKEN_RESPONSE_LEN, ID_TOKEN_TEXT_LEN};
