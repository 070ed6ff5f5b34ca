//! The store boundary: the one trait through which the server reaches its codes, grants
//! and tokens.
//!
//! Every operation is one atomic primitive. The in-memory store ([`MemoryStore`]) is
//! trivially atomic (it is borrowed mutably); a store that several processes share (the
//! Redis store) must make each operation **linearizable**: it takes effect at one instant
//! between its call and its return, as if no other operation ran at the same time. The
//! operations that decide races say so:
//!
//! | operation | must hold under concurrency |
//! | --- | --- |
//! | [`insert_code`](GrantStore::insert_code) | quota checks and the insert are one step: two racing inserts never both pass a quota with room for one |
//! | [`redeem_code`](GrantStore::redeem_code) | *consume a live code*: exactly one caller wins; the grant, its keys and first tokens appear together with the code's removal, or nothing changes |
//! | [`rotate`](GrantStore::rotate) | compare-and-swap on the grant's generation: of two rotations of the same refresh token exactly one applies, and the other revokes the grant in the same step |
//! | [`revoke_grant`](GrantStore::revoke_grant) / [`revoke_where`](GrantStore::revoke_where) | after return, no read of any node sees the grant |
//! | [`code`](GrantStore::code) / [`find_key`](GrantStore::find_key) | read-only snapshots; every decision they inform is re-checked by the atomic operation that follows (a generation or a live code) |
//! | [`note_assertion`](GrantStore::note_assertion) | *insert if absent*: of two racing notes of one assertion id exactly one is `First`; the quota check and the insert are one step |
//! | [`purge`](GrantStore::purge) | removes only what is dead at `now`; may run beside anything |
//!
//! The server generates every random value before it calls a mutating operation, so a
//! failing random number generator never leaves a half-made grant.
//!
//! [`MemoryStore`]: super::MemoryStore

use core::fmt;

use super::entries::{CodeEntry, GrantEntry, GrantId, Key, KeyKind, Rotation};
use super::registry::AppId;
use crate::time::Timestamp;

/// Which table an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableKind {
    /// Pending codes.
    Codes,
    /// Grants (and the key index they need).
    Grants,
    /// Assertion ids remembered against replay (RFC 7523 §3).
    Assertions,
}

impl TableKind {
    /// Its name in messages and metrics.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Codes => "codes",
            Self::Grants => "grants",
            Self::Assertions => "assertions",
        }
    }
}

/// Why a store operation changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreError {
    /// The table holds as many live entries as it can (another app may be using the room
    /// it has beyond its quota — only possible when quotas oversubscribe the table).
    Full(TableKind),
    /// The app holds its quota of this table.
    AppQuota(TableKind),
    /// The subject holds its quota of pending codes, none of them for this app.
    SubjectQuota,
    /// The store could not be reached or answered an error (shared stores only).
    Unavailable,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(table) => write!(f, "the {} table is full", table.name()),
            Self::AppQuota(table) => write!(f, "the app holds its quota of {}", table.name()),
            Self::SubjectQuota => f.write_str("the user holds too many pending authorizations"),
            Self::Unavailable => f.write_str("the grant store is unavailable"),
        }
    }
}

impl core::error::Error for StoreError {}

/// Why [`GrantStore::redeem_code`] changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedeemError {
    /// The code is no longer live: another request redeemed (or burned) it first.
    NotLive,
    /// The store refused.
    Store(StoreError),
}

impl From<StoreError> for RedeemError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// What [`GrantStore::rotate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RotateOutcome {
    /// Applied.
    Rotated,
    /// The grant had moved past the expected generation: the presented token was rotated
    /// out concurrently. The grant is revoked (RFC 9700 §4.14.2).
    Reused,
    /// The grant no longer exists.
    Gone,
}

/// Which grants a mass revocation ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantFilter<'a> {
    /// Every grant of this subject, whatever the app ("sign out everywhere").
    Subject(&'a str),
    /// Every grant of this app.
    App(AppId),
}

impl GrantFilter<'_> {
    /// Whether `grant` matches.
    pub(crate) fn matches(&self, grant: &GrantEntry) -> bool {
        match self {
            Self::Subject(subject) => grant.subject.as_str() == *subject,
            Self::App(app) => grant.app == *app,
        }
    }
}

/// The quotas the server asks the store to enforce, already resolved to numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Live codes one app may hold.
    pub codes_per_app: u32,
    /// Pending codes one subject may hold (all apps together).
    pub codes_per_subject: u8,
    /// Live grants one app may hold.
    pub grants_per_app: u32,
    /// Live access tokens one grant holds; one more ends its oldest.
    pub access_tokens_per_grant: u8,
    /// Live assertion ids one app may have remembered (JWT grants and `private_key_jwt`).
    pub assertions_per_app: u32,
}

/// How many live entries a store holds at most, for quotas derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Capacity {
    /// Live pending codes.
    pub codes: usize,
    /// Live grants (each with its keys and tokens).
    pub grants: usize,
    /// Live assertion ids (0: the store keeps none and refuses every
    /// [`note_assertion`](GrantStore::note_assertion), as the in-memory store built
    /// without `jose` does).
    pub assertions: usize,
}

/// What one app holds in a store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Usage {
    /// Pending codes (expired ones not yet reclaimed included).
    pub codes: u32,
    /// Grants (expired ones not yet reclaimed included).
    pub grants: u32,
}

/// A grant ready to be stored: its entry (incarnation and status are the store's to set)
/// and the keys of its two locators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrant {
    /// The grant with its first tokens.
    pub entry: GrantEntry,
    /// Key of the refresh locator (derived from the code, so a replay finds the grant).
    pub refresh_key: Key,
    /// Key of the access locator.
    pub access_key: Key,
}

/// A JWT assertion the server accepted (a JWT bearer grant, `private_key_jwt`, a
/// Workfront `jwt_token`), remembered until it expires so that it is accepted once
/// (RFC 7523 §3 item 7) — by every node sharing the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssertionMark {
    /// SHA-256 over the app's client id and the assertion's `jti` (or, for a Workfront JWT
    /// without one, its signing input).
    pub digest: [u8; 32],
    /// The app that presented it (whose quota it takes).
    pub app: AppId,
    /// When the assertion can no longer be accepted (its `exp` plus the clock skew).
    pub expires_at: Timestamp,
}

/// What [`GrantStore::note_assertion`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Noted {
    /// The assertion id was not live: it is remembered now.
    First,
    /// The assertion id is live already: a replay. Nothing changed.
    Replayed,
}

/// A grant as [`GrantStore::find_key`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundGrant {
    /// Which locator the key belongs to.
    pub kind: KeyKind,
    /// The grant's id.
    pub id: GrantId,
    /// A snapshot of the grant.
    pub grant: GrantEntry,
}

/// The server's tables, behind the atomic operations a shared store needs. See the
/// module documentation for the linearizability each operation must provide.
///
/// Every error leaves the store unchanged.
pub trait GrantStore {
    /// The most live entries of each table, for the default quotas.
    fn capacity(&self) -> Capacity;

    /// Stores a pending code, enforcing the app's code quota and the subject's: when the
    /// subject holds `codes_per_subject` codes and one of them is for the same app, the
    /// oldest of those is removed to make room; otherwise the subject's refusal is
    /// [`StoreError::SubjectQuota`].
    ///
    /// # Errors
    ///
    /// [`StoreError::AppQuota`], [`StoreError::SubjectQuota`], [`StoreError::Full`],
    /// [`StoreError::Unavailable`].
    fn insert_code(
        &mut self,
        code: &CodeEntry,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<(), StoreError>;

    /// The pending code with this digest (expired or not), as a snapshot.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    fn code(&self, digest: &[u8; 32]) -> Result<Option<CodeEntry>, StoreError>;

    /// Removes a pending code that a failed redemption burned.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    fn burn_code(&mut self, digest: &[u8; 32]) -> Result<(), StoreError>;

    /// Consumes the live code `digest` and creates `grant` with its keys, in one step,
    /// enforcing the app's grant quota.
    ///
    /// # Errors
    ///
    /// [`RedeemError::NotLive`] when the code is gone or expired; [`RedeemError::Store`]
    /// when there is no room or the store is unavailable — the code then stays live.
    fn redeem_code(
        &mut self,
        digest: &[u8; 32],
        grant: NewGrant,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<GrantId, RedeemError>;

    /// The grant a locator key leads to, if it still exists.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    fn find_key(&self, key: &Key) -> Result<Option<FoundGrant>, StoreError>;

    /// Refreshes grant `id`: when it is still at `rotation.expected_generation`, installs
    /// the successor refresh secret (if any), bumps the generation, adds the access token
    /// (ending the oldest beyond `limits.access_tokens_per_grant`) and records the use.
    /// When it has moved on, revokes it and reports [`RotateOutcome::Reused`].
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    fn rotate(
        &mut self,
        id: GrantId,
        rotation: &Rotation,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<RotateOutcome, StoreError>;

    /// Ends grant `id` and every token of it. Returns whether it existed.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    fn revoke_grant(&mut self, id: GrantId) -> Result<bool, StoreError>;

    /// Ends every grant `filter` matches. Returns how many.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    fn revoke_where(&mut self, filter: GrantFilter<'_>) -> Result<usize, StoreError>;

    /// Remembers `mark` until it expires, unless its digest is remembered and live already
    /// ([`Noted::Replayed`]), enforcing the app's quota (`limits.assertions_per_app`).
    ///
    /// # Errors
    ///
    /// [`StoreError::AppQuota`] / [`StoreError::Full`] of [`TableKind::Assertions`],
    /// [`StoreError::Unavailable`].
    ///
    /// The default keeps nothing and refuses ([`StoreError::Full`]): a store written
    /// before this method existed accepts no JWT assertion rather than every replay.
    fn note_assertion(
        &mut self,
        mark: &AssertionMark,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<Noted, StoreError> {
        let _ = (mark, limits, now);
        Err(StoreError::Full(TableKind::Assertions))
    }

    /// Forgets `mark`, noted for a request that then issued nothing (so the client may
    /// present the assertion again). The default does nothing.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    fn forget_assertion(&mut self, mark: &AssertionMark) -> Result<(), StoreError> {
        let _ = mark;
        Ok(())
    }

    /// Removes everything that is dead at `now`: expired codes, grants that can no longer
    /// produce a valid token, index keys of ended grants. Returns how many entries.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    fn purge(&mut self, now: Timestamp) -> Result<usize, StoreError>;

    /// What `app` holds.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    fn usage(&self, app: AppId) -> Result<Usage, StoreError>;
}
