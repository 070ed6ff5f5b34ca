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
//! server.revoke(&request, buf)                          -> RFC 7009
//! ```
//!
//! The tables keep SHA-256 digests of codes and tokens, never the values. Every rule of
//! RFC 6749 / 7636 / 9700 that applies to the code grant is enforced; see each method.

mod app;
mod authorize;
mod config;
mod core;
mod entries;
pub mod limits;
mod params;
mod registry;
mod scope;
mod storage;
mod table;
mod token;

pub use self::app::{App, AppError, AppKind, AppSpec, RefreshPolicy};
pub use self::authorize::{AuthorizeError, AuthorizeInfo, AuthorizeRedirect};
pub use self::config::{ServerConfig, ServerConfigError, WorkfrontIdentity};
pub use self::core::{InvalidToken, Server, TokenInfo};
pub use self::entries::{CodeEntry, FamilyEntry, FamilyId, TokenEntry};
pub use self::registry::{AppId, Created, Registry};
pub use self::scope::MAX_SCOPE_TOKENS;
pub use self::storage::{InlineStorage, SliceStorage, Storage, Tables, TablesRef};
pub use self::table::{MAX_LOAD_DENOMINATOR, MAX_LOAD_NUMERATOR};
pub use self::token::{RESPONSE_BUFFER_LEN, TokenRequest, TokenResponse};
