//! The server: configuration, registry and store, validation and the administrative
//! operations (mass revocation, secret rotation, app deletion).

use heapless::String;
use rand_core::TryCryptoRng;

use super::app::AppError;
use super::config::ServerConfig;
use super::entries::{GrantType, KeyKind};
use super::limits::{CLIENT_ID_LEN, MAX_SCOPE, MAX_SUBJECT, TOKEN_LEN};
use super::registry::{AppId, Registry};
use super::scope;
use super::store::{GrantFilter, GrantStore, Limits, StoreError, Usage};
use super::tokens;
use crate::Secret;
use crate::time::Timestamp;

/// An embedded OAuth 2.0 authorization server (authorization-code grant with PKCE,
/// refresh tokens, revocation, token validation).
///
/// `APPS` is the registry's capacity (Workfront allows 10). `St` is the grant store: a
/// [`MemoryStore`](super::MemoryStore) over inline arrays or caller slices, or a shared
/// store implementing [`GrantStore`].
///
/// Sans-IO and single-threaded by design: a host shares it between threads behind a lock.
#[derive(Debug)]
pub struct Server<St, const APPS: usize = 10> {
    pub(crate) config: ServerConfig,
    pub(crate) registry: Registry<APPS>,
    pub(crate) store: St,
}

/// What [`Server::validate`] tells a resource server about a valid access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The app the token was issued to.
    pub client_id: String<CLIENT_ID_LEN>,
    /// The user the grant belongs to.
    pub subject: String<MAX_SUBJECT>,
    /// The scope of this access token (possibly narrower than the grant's).
    pub scope: String<MAX_SCOPE>,
    /// When the token expires.
    pub expires_at: Timestamp,
    /// How the grant was obtained: [`GrantType::ClientCredentials`] marks an app token,
    /// whose `subject` is the app's own `client_id` (no user is involved).
    pub grant_type: GrantType,
}

impl TokenInfo {
    /// Whether this is an app token (client credentials grant) rather than a user's.
    #[must_use]
    pub const fn is_app_token(&self) -> bool {
        matches!(self.grant_type, GrantType::ClientCredentials)
    }
}

/// The token is unknown, expired, or revoked (RFC 6750 `invalid_token`) — or the store
/// could not be asked (a shared store that is down; the token is not known to be valid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvalidToken;

impl core::fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("invalid_token: unknown, expired or revoked access token")
    }
}

impl core::error::Error for InvalidToken {}

/// How [`Server::rotate_secret`] treats what the old secret made possible.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SecretRotation {
    /// Seconds the replaced secret keeps working (0: stops at once; at most 24 h).
    pub overlap: u64,
    /// End every grant of the app at once (a leaked secret).
    pub end_grants: bool,
}

impl<St: GrantStore, const APPS: usize> Server<St, APPS> {
    /// A server with `config`, an empty registry, and `store` (which must start empty).
    /// A [`Storage`](super::Storage) converts into a [`MemoryStore`](super::MemoryStore).
    pub fn new(config: ServerConfig, store: impl Into<St>) -> Self {
        Self {
            config,
            registry: Registry::new(),
            store: store.into(),
        }
    }

    /// As [`Server::new`], usable in a `const` or `static` initialiser: firmware places
    /// its server (registry and tables, tens of kilobytes) in a static at build time,
    /// without it ever passing over the stack.
    pub const fn with_store(config: ServerConfig, store: St) -> Self {
        Self {
            config,
            registry: Registry::new(),
            store,
        }
    }

    /// The configuration.
    pub const fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Replaces the configuration (issuer, lifetimes, quotas, Workfront identity). Codes
    /// and tokens already issued keep the expiry they were given.
    pub fn set_config(&mut self, config: ServerConfig) {
        self.config = config;
    }

    /// The app registry.
    pub const fn registry(&self) -> &Registry<APPS> {
        &self.registry
    }

    /// The app registry, to create and update apps and manage their secrets.
    pub fn registry_mut(&mut self) -> &mut Registry<APPS> {
        &mut self.registry
    }

    /// The grant store.
    pub const fn store(&self) -> &St {
        &self.store
    }

    /// The grant store, mutably (for a host's own maintenance).
    pub fn store_mut(&mut self) -> &mut St {
        &mut self.store
    }

    /// The quotas in force, resolved against the store's capacity: a quota left to its
    /// default is the table's live capacity divided by the registry's capacity (at least
    /// one).
    pub fn limits(&self) -> Limits {
        let capacity = self.store.capacity();
        let share = |live: usize| {
            u32::try_from(live.checked_div(APPS).unwrap_or(live).max(1)).unwrap_or(u32::MAX)
        };
        let quotas = self.config.quotas;
        Limits {
            codes_per_app: quotas.codes_per_app.unwrap_or(share(capacity.codes)),
            codes_per_subject: quotas.codes_per_subject,
            grants_per_app: quotas.grants_per_app.unwrap_or(share(capacity.grants)),
            access_tokens_per_grant: self.config.access_tokens_per_grant,
            assertions_per_app: share(capacity.assertions),
        }
    }

    /// What the app `client_id` holds in the store.
    ///
    /// # Errors
    ///
    /// [`AppError::UnknownApp`]; [`AppError::Store`].
    pub fn usage(&self, client_id: &str) -> Result<Usage, AppError> {
        let (id, _) = self
            .registry
            .lookup(client_id)
            .ok_or(AppError::UnknownApp)?;
        self.store.usage(id).map_err(AppError::Store)
    }

    /// Checks an access token for a resource server: `TokenInfo` while it is unexpired and
    /// its grant is neither revoked nor belonging to a deleted app.
    ///
    /// A token expires at issue time + the access token lifetime: it is valid while
    /// `now < expires_at`.
    ///
    /// # Errors
    ///
    /// [`InvalidToken`] for an unknown, expired or revoked token.
    pub fn validate(&self, access_token: &str, now: Timestamp) -> Result<TokenInfo, InvalidToken> {
        let presented = tokens::parse(access_token.as_bytes()).ok_or(InvalidToken)?;
        let found = self
            .store
            .find_key(&presented.key())
            .map_err(|_| InvalidToken)?
            .filter(|found| found.kind == KeyKind::Access)
            .ok_or(InvalidToken)?;
        let app = self.registry.by_id(found.grant.app).ok_or(InvalidToken)?;
        let slot = found
            .grant
            .live_access(&presented.secret_digest, now)
            .ok_or(InvalidToken)?;
        Ok(TokenInfo {
            client_id: String::try_from(app.client_id()).map_err(|_| InvalidToken)?,
            subject: String::try_from(found.grant.subject.as_str()).map_err(|_| InvalidToken)?,
            scope: scope::text(&found.grant.scope, slot.scope_mask),
            expires_at: slot.expires_at,
            grant_type: found.grant.grant_type,
        })
    }

    /// Removes everything that can no longer be used: expired codes, grants none of whose
    /// tokens can still be valid, index keys of ended grants (O(capacity)). Not needed for
    /// correctness — inserts reclaim on their own — but a host may call it when idle.
    /// Returns how many entries were removed.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] from a shared store.
    pub fn purge_expired(&mut self, now: Timestamp) -> Result<usize, StoreError> {
        self.store.purge(now)
    }

    /// Revokes the grant an access or refresh token belongs to: every token of it stops
    /// working at once. Returns whether the token was known. (The RFC 7009 endpoint is
    /// [`Server::revoke`].)
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] from a shared store.
    pub fn revoke_token(&mut self, token: &str) -> Result<bool, StoreError> {
        let Some(presented) = tokens::parse(token.as_bytes()) else {
            return Ok(false);
        };
        let Some(found) = self.store.find_key(&presented.key())? else {
            return Ok(false);
        };
        if !owns(&found, &presented.secret_digest) {
            return Ok(false);
        }
        self.store.revoke_grant(found.id)
    }

    /// Ends every grant of `subject`, whatever the app ("sign out everywhere", a password
    /// change). Returns how many.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] from a shared store.
    pub fn revoke_subject(&mut self, subject: &str) -> Result<usize, StoreError> {
        self.store.revoke_where(GrantFilter::Subject(subject))
    }

    /// Ends every grant of the app `client_id`. Returns how many.
    ///
    /// # Errors
    ///
    /// [`AppError::UnknownApp`]; [`AppError::Store`].
    pub fn revoke_app_grants(&mut self, client_id: &str) -> Result<usize, AppError> {
        let id = self.app_id(client_id)?;
        self.store
            .revoke_where(GrantFilter::App(id))
            .map_err(AppError::Store)
    }

    /// Removes an app and frees its grants: every code and token issued to it stops
    /// working at once.
    ///
    /// # Errors
    ///
    /// [`AppError::UnknownApp`]; [`AppError::Store`] (the app is then not deleted).
    pub fn delete_app(&mut self, client_id: &str) -> Result<(), AppError> {
        let id = self.app_id(client_id)?;
        self.store
            .revoke_where(GrantFilter::App(id))
            .map_err(AppError::Store)?;
        self.registry.delete(client_id)
    }

    /// Gives a web app a new secret (returned once); the old ones keep working for
    /// `rotation.overlap` seconds, and with `rotation.end_grants` every grant of the app
    /// ends at once.
    ///
    /// # Errors
    ///
    /// As [`Registry::rotate_secret_at`]; [`AppError::Store`] when the grants could not
    /// be ended (the secret is then not rotated).
    pub fn rotate_secret<R: TryCryptoRng + ?Sized>(
        &mut self,
        client_id: &str,
        rotation: SecretRotation,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Secret<TOKEN_LEN>, AppError> {
        // Everything that can fail before anything changes: the app and the overlap, the
        // random number generator, then the store (ending the grants); installing the new
        // secret cannot fail after that.
        self.registry.check_rotation(client_id, rotation.overlap)?;
        let secret = super::registry::random_token(rng).map_err(|()| AppError::Randomness)?;
        if rotation.end_grants {
            self.revoke_app_grants(client_id)?;
        }
        self.registry
            .install_secret(client_id, &secret, rotation.overlap, now)?;
        Ok(secret)
    }

    fn app_id(&self, client_id: &str) -> Result<AppId, AppError> {
        self.registry
            .lookup(client_id)
            .map(|(id, _)| id)
            .ok_or(AppError::UnknownApp)
    }
}

/// Whether a presented token whose key found `found` is one of that grant's: a refresh key
/// is the grant's own (current or rotated-out token: either may end it); an access key
/// needs the secret of one of its access tokens.
pub(crate) fn owns(found: &super::store::FoundGrant, secret_digest: &[u8; 32]) -> bool {
    match found.kind {
        KeyKind::Refresh => true,
        KeyKind::Access => found.grant.knows_access(secret_digest),
    }
}
