//! The server: configuration, registry and tables, and the rules that tie them together.

use heapless::String;
use rand_core::TryCryptoRng;
use sha2::{Digest, Sha256};

use super::config::ServerConfig;
use super::entries::{CodeEntry, FamilyEntry, FamilyId, TokenEntry, TokenKind};
use super::limits::{CLIENT_ID_LEN, MAX_SCOPE, MAX_SUBJECT, TOKEN_LEN};
use super::registry::{AppId, Registry, random_token};
use super::scope;
use super::storage::Storage;
use super::table::{self, Occupancy};
use crate::Secret;
use crate::time::Timestamp;

/// An embedded OAuth 2.0 authorization server (authorization-code grant with PKCE,
/// refresh tokens, revocation, token validation).
///
/// `APPS` is the registry's capacity (Workfront allows 10). `S` holds the code, family and
/// token tables: [`InlineStorage`](super::InlineStorage) sized by const generics, or
/// [`SliceStorage`](super::SliceStorage) over memory the host provides.
///
/// Sans-IO and single-threaded by design: a host shares it between threads behind a lock.
#[derive(Debug)]
pub struct Server<S, const APPS: usize = 10> {
    pub(crate) config: ServerConfig,
    pub(crate) registry: Registry<APPS>,
    pub(crate) storage: S,
    pub(crate) codes: Occupancy,
    pub(crate) tokens: Occupancy,
    pub(crate) family_cursor: usize,
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
}

/// The token is unknown, expired, or revoked (RFC 6750 `invalid_token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvalidToken;

impl core::fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("invalid_token: unknown, expired or revoked access token")
    }
}

impl core::error::Error for InvalidToken {}

pub(crate) fn digest(value: &[u8]) -> [u8; 32] {
    Sha256::digest(value).into()
}

/// Whether the family `id` is in use, unrevoked, and its app still exists.
pub(crate) fn family_alive<'f, const APPS: usize>(
    families: &'f [FamilyEntry],
    registry: &Registry<APPS>,
    id: FamilyId,
) -> Option<&'f FamilyEntry> {
    let family = families.get(usize::try_from(id.index).ok()?)?;
    let alive = family.in_use
        && family.generation == id.generation
        && !family.revoked
        && registry.by_id(family.app).is_some();
    alive.then_some(family)
}

/// Whether the refresh tokens of `family` have expired at `now` under its app's policy
/// (absolute lifetime from the start, inactivity lifetime from the last use).
pub(crate) fn refresh_expired<const APPS: usize>(
    family: &FamilyEntry,
    registry: &Registry<APPS>,
    now: Timestamp,
) -> bool {
    let Some(app) = registry.by_id(family.app) else {
        return true;
    };
    let policy = app.refresh_policy();
    let absolute = policy
        .absolute_lifetime
        .is_some_and(|lifetime| now >= family.started_at.plus(lifetime));
    let inactive = policy
        .inactivity_lifetime
        .is_some_and(|lifetime| now >= family.last_used.plus(lifetime));
    absolute || inactive
}

/// Whether a family slot may be given to a new grant: unused, revoked, its app gone, or its
/// refresh tokens expired and its last access token too.
fn family_reusable<const APPS: usize>(
    family: &FamilyEntry,
    registry: &Registry<APPS>,
    now: Timestamp,
) -> bool {
    !family.in_use
        || family.revoked
        || registry.by_id(family.app).is_none()
        || (refresh_expired(family, registry, now) && now >= family.access_expires_at)
}

/// Whether a token entry can be dropped: its family is dead, or it is an expired access
/// token, or a refresh token whose family's refresh lifetime is over.
pub(crate) fn token_reclaimable<const APPS: usize>(
    entry: &TokenEntry,
    families: &[FamilyEntry],
    registry: &Registry<APPS>,
    now: Timestamp,
) -> bool {
    let Some(family) = family_alive(families, registry, entry.family) else {
        return true;
    };
    match entry.kind {
        TokenKind::Access { expires_at, .. } => now >= expires_at,
        // An expired refresh token is kept while the grant's access tokens live, so that
        // revoking with it (RFC 7009) still finds — and ends — the grant. Found by the
        // `server_machine` fuzz target.
        TokenKind::Refresh { .. } => {
            refresh_expired(family, registry, now) && now >= family.access_expires_at
        }
    }
}

impl<S: Storage, const APPS: usize> Server<S, APPS> {
    /// A server with `config`, an empty registry, and `storage` (which must start empty:
    /// code and token slots `None`, family slots [`FamilyEntry::EMPTY`]).
    pub fn new(config: ServerConfig, storage: S) -> Self {
        Self {
            config,
            registry: Registry::new(),
            storage,
            codes: Occupancy::default(),
            tokens: Occupancy::default(),
            family_cursor: 0,
        }
    }

    /// The configuration.
    pub const fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Replaces the configuration (issuer, lifetimes, Workfront identity). Codes and
    /// tokens already issued keep the expiry they were given.
    pub fn set_config(&mut self, config: ServerConfig) {
        self.config = config;
    }

    /// The app registry.
    pub const fn registry(&self) -> &Registry<APPS> {
        &self.registry
    }

    /// The app registry, to create, update, delete apps and rotate secrets.
    pub fn registry_mut(&mut self) -> &mut Registry<APPS> {
        &mut self.registry
    }

    /// Live codes and tokens in the tables (expired ones not yet reclaimed included).
    pub const fn occupancy(&self) -> (usize, usize) {
        (self.codes.live, self.tokens.live)
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
        let tables = self.storage.tables_ref();
        let index =
            table::find(tables.tokens, &digest(access_token.as_bytes())).ok_or(InvalidToken)?;
        let entry = tables
            .tokens
            .get(index)
            .and_then(Option::as_ref)
            .ok_or(InvalidToken)?;
        let TokenKind::Access {
            expires_at,
            scope_mask,
        } = entry.kind
        else {
            return Err(InvalidToken);
        };
        if now >= expires_at {
            return Err(InvalidToken);
        }
        let family =
            family_alive(tables.families, &self.registry, entry.family).ok_or(InvalidToken)?;
        let app = self.registry.by_id(family.app).ok_or(InvalidToken)?;
        Ok(TokenInfo {
            client_id: String::try_from(app.client_id()).map_err(|_| InvalidToken)?,
            subject: family.subject.clone(),
            scope: scope::text(&family.scope, scope_mask),
            expires_at,
        })
    }

    /// Removes every expired code and every token that can no longer be used, in one pass
    /// over both tables (O(capacity)). Not needed for correctness — inserts reclaim expired
    /// entries on their own — but a host may call it when idle to keep probe paths short.
    /// Returns how many entries were removed.
    pub fn purge_expired(&mut self, now: Timestamp) -> usize {
        let tables = self.storage.tables();
        let registry = &self.registry;
        let families: &[FamilyEntry] = tables.families;
        let codes = table::sweep(tables.codes, &mut self.codes, |code| now >= code.expires_at);
        let tokens = table::sweep(tables.tokens, &mut self.tokens, |token| {
            token_reclaimable(token, families, registry, now)
        });
        codes.saturating_add(tokens)
    }

    /// Revokes the grant an access or refresh token belongs to: every token of it stops
    /// working at once. Returns whether the token was known. (The RFC 7009 endpoint is
    /// [`Server::revoke`].)
    pub fn revoke_token(&mut self, token: &str) -> bool {
        let tables = self.storage.tables();
        let Some(index) = table::find(tables.tokens, &digest(token.as_bytes())) else {
            return false;
        };
        let Some(Some(entry)) = tables.tokens.get(index) else {
            return false;
        };
        revoke_family(tables.families, entry.family);
        true
    }

    /// Finds a family slot for a new grant, starting after the last one handed out.
    pub(crate) fn allocate_family(
        &mut self,
        app: AppId,
        subject: &str,
        scope: &str,
        now: Timestamp,
    ) -> Option<FamilyId> {
        let tables = self.storage.tables();
        let len = tables.families.len();
        let registry = &self.registry;
        let start = self.family_cursor;
        for step in 0..len {
            let index = start.saturating_add(step).checked_rem(len).unwrap_or(0);
            let Some(family) = tables.families.get_mut(index) else {
                continue;
            };
            if !family_reusable(family, registry, now) {
                continue;
            }
            let generation = family.generation.wrapping_add(1);
            *family = FamilyEntry {
                generation,
                in_use: true,
                app,
                subject: String::try_from(subject).ok()?,
                scope: String::try_from(scope).ok()?,
                started_at: now,
                last_used: now,
                access_expires_at: now,
                revoked: false,
                previous_refresh: None,
            };
            self.family_cursor = index.saturating_add(1);
            return Some(FamilyId {
                index: u32::try_from(index).ok()?,
                generation,
            });
        }
        None
    }

    /// Issues a token of `kind` in `family`; returns the token text.
    pub(crate) fn issue_token<R: TryCryptoRng + ?Sized>(
        &mut self,
        family: FamilyId,
        kind: TokenKind,
        rng: &mut R,
        now: Timestamp,
    ) -> Result<Secret<TOKEN_LEN>, IssueError> {
        let token = random_token(rng).map_err(|()| IssueError::Randomness)?;
        let tables = self.storage.tables();
        let registry = &self.registry;
        let families: &[FamilyEntry] = tables.families;
        let entry = TokenEntry {
            digest: digest(token.as_bytes()),
            family,
            kind,
        };
        table::insert(tables.tokens, &mut self.tokens, entry, |old| {
            token_reclaimable(old, families, registry, now)
        })
        .map_err(|_| IssueError::Full)?;
        Ok(token)
    }

    /// Removes a token by its text (used to roll back a half-issued grant).
    pub(crate) fn remove_token(&mut self, token: &str) {
        let tables = self.storage.tables();
        if let Some(index) = table::find(tables.tokens, &digest(token.as_bytes())) {
            table::remove(tables.tokens, &mut self.tokens, index);
        }
    }

    /// Inserts a code entry, reclaiming expired codes.
    pub(crate) fn insert_code(
        &mut self,
        entry: CodeEntry,
        now: Timestamp,
    ) -> Result<(), table::Full> {
        let tables = self.storage.tables();
        table::insert(tables.codes, &mut self.codes, entry, |old| {
            now >= old.expires_at
        })
        .map(|_| ())
    }
}

/// Why a token could not be issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IssueError {
    Randomness,
    Full,
}

/// Marks a family revoked (if `id` still names it).
pub(crate) fn revoke_family(families: &mut [FamilyEntry], id: FamilyId) {
    let Some(family) = usize::try_from(id.index)
        .ok()
        .and_then(|index| families.get_mut(index))
    else {
        return;
    };
    if family.in_use && family.generation == id.generation {
        family.revoked = true;
    }
}
