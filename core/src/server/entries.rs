//! What the server's tables hold: pending codes, the per-subject index of pending codes,
//! grants (everything one redeemed code produced, its tokens included) and the key index
//! that finds a grant from a token. Every secret is kept as a SHA-256 digest, never as
//! the value handed out.
//!
//! The rules of a grant live here, as methods of [`GrantEntry`]: when it dies, which
//! refresh secret is current, which access token is live, how a rotation changes it.

use heapless::{String, Vec};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::limits::{
    MAX_ACCESS_TOKENS_PER_GRANT, MAX_CODES_PER_SUBJECT, MAX_NONCE, MAX_SCOPE, MAX_SUBJECT,
};
use super::registry::AppId;
use super::table::Keyed;
use crate::pkce::Challenge;
use crate::time::Timestamp;

/// The key under which the index finds a grant: the first 16 characters of its tokens,
/// base64url of a 96-bit digest derived from the authorization code (see `README.md`,
/// "Token format"). The rest of a token is checked against a full 32-byte digest.
pub type Key = [u8; 16];

/// Identifies a grant slot and its incarnation: freeing a slot bumps the incarnation, so
/// everything that still names the old grant stops finding it.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GrantId {
    pub(crate) index: u32,
    pub(crate) incarnation: u32,
}

impl GrantId {
    /// The id as one number (incarnation in the high half), for logs and shared stores.
    #[must_use]
    pub const fn as_u64(self) -> u64 {
        ((self.incarnation as u64) << 32) | self.index as u64
    }

    /// The id from [`GrantId::as_u64`].
    #[must_use]
    pub const fn from_u64(value: u64) -> Self {
        Self {
            index: (value & 0xffff_ffff) as u32,
            incarnation: (value >> 32) as u32,
        }
    }
}

/// An issued authorization code that has not been redeemed, bound to everything the token
/// request must repeat. Redeeming it removes it; what remains of it is the grant, which a
/// replay of the code finds again through the refresh key derived from the code.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    pub(crate) digest: [u8; 32],
    pub(crate) app: AppId,
    /// SHA-256 of the `redirect_uri` of the authorization request, when it carried one.
    pub(crate) redirect_uri_digest: Option<[u8; 32]>,
    pub(crate) challenge: Option<Challenge>,
    pub(crate) subject: String<MAX_SUBJECT, u8>,
    pub(crate) scope: String<MAX_SCOPE, u16>,
    pub(crate) expires_at: Timestamp,
    /// The OpenID Connect `nonce` of the authorization request, for the ID token.
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) nonce: Option<String<MAX_NONCE, u8>>,
}

impl CodeEntry {
    /// The SHA-256 digest of the code (what a store keys it by).
    #[must_use]
    pub const fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The app it was issued to.
    #[must_use]
    pub const fn app(&self) -> AppId {
        self.app
    }

    /// The user who approved it.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// When it stops being redeemable.
    #[must_use]
    pub const fn expires_at(&self) -> Timestamp {
        self.expires_at
    }

    /// Whether the code can no longer be redeemed at `now`.
    pub(crate) fn expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}

impl Keyed for CodeEntry {
    fn key(&self) -> &[u8] {
        &self.digest
    }
}

/// One pending code in a subject's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PendingRef {
    pub(crate) code: [u8; 32],
    pub(crate) app: AppId,
    pub(crate) expires_at: Timestamp,
}

/// The pending codes of one subject (across apps), so that a subject's share of the code
/// table is bounded and the oldest code of a (subject, app) pair can be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectEntry {
    pub(crate) key: [u8; 32],
    pub(crate) pending: Vec<PendingRef, MAX_CODES_PER_SUBJECT>,
}

impl SubjectEntry {
    /// Whether none of the codes it lists is pending any more (expired, redeemed, burned
    /// or replaced), `is_pending` telling whether a code is still in the code table.
    pub(crate) fn reclaimable(
        &self,
        now: Timestamp,
        is_pending: impl Fn(&[u8; 32]) -> bool,
    ) -> bool {
        self.pending
            .iter()
            .all(|pending| now >= pending.expires_at || !is_pending(&pending.code))
    }

    /// Drops the references to codes that are no longer pending.
    pub(crate) fn prune(&mut self, now: Timestamp, is_pending: impl Fn(&[u8; 32]) -> bool) {
        self.pending
            .retain(|pending| now < pending.expires_at && is_pending(&pending.code));
    }

    /// The oldest pending code of `app`.
    pub(crate) fn oldest_of(&self, app: AppId) -> Option<[u8; 32]> {
        self.pending
            .iter()
            .filter(|pending| pending.app == app)
            .min_by_key(|pending| pending.expires_at)
            .map(|pending| pending.code)
    }
}

impl Keyed for SubjectEntry {
    fn key(&self) -> &[u8] {
        &self.key
    }
}

/// How a grant came about.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantType {
    /// A redeemed authorization code (RFC 6749 §4.1).
    AuthorizationCode,
    /// The client credentials grant (RFC 6749 §4.4): an app token, whose subject is the
    /// app's own `client_id`; it has no usable refresh token.
    ClientCredentials,
    /// A JWT assertion an app signed (RFC 7523 §2.1, or Workfront's machine-to-machine
    /// JWT exchange): the token acts for the assertion's `sub`; no usable refresh token.
    JwtBearer,
}

/// Whether a grant slot holds a grant.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantStatus {
    /// Unused; `next` links the store's list of free slots.
    Free {
        /// The next free slot.
        next: Option<u32>,
    },
    /// Holds a live (or expired but not yet reclaimed) grant. A revoked grant is freed at
    /// once, so there is no revoked state to keep.
    Active,
}

/// One live access token of a grant.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessSlot {
    /// SHA-256 of the token's secret half.
    pub(crate) secret: [u8; 32],
    /// The token is valid while `now < expires_at`.
    pub(crate) expires_at: Timestamp,
    /// The tokens of the grant's scope this access token carries.
    pub(crate) scope_mask: u32,
}

/// The refresh secret rotated out last, kept for the optional grace window.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotated {
    /// SHA-256 of the rotated-out secret.
    pub(crate) secret: [u8; 32],
    /// When it was rotated out.
    pub(crate) rotated_at: Timestamp,
    /// Whether it may still be exchanged once within the grace window.
    pub(crate) grace: bool,
}

/// How a presented refresh secret relates to its grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshMatch {
    /// The current refresh token.
    Current,
    /// The token rotated out last, within the grace window and not yet used in it.
    Grace,
    /// Any other token carrying this grant's refresh key: rotated out earlier (at any depth),
    /// or forged by someone who saw a token of the grant.
    Reuse,
}

/// A grant: its app, subject and scope, its lifetimes, its current refresh secret and
/// generation, and its live access tokens. One entry holds everything, so a grant can
/// never spread over a table, and freeing it ends every token at once.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantEntry {
    pub(crate) incarnation: u32,
    pub(crate) status: GrantStatus,
    pub(crate) grant_type: GrantType,
    pub(crate) app: AppId,
    pub(crate) subject: String<MAX_SUBJECT, u8>,
    pub(crate) scope: String<MAX_SCOPE, u16>,
    pub(crate) started_at: Timestamp,
    pub(crate) last_used: Timestamp,
    /// When the refresh tokens stop working (absolute and inactivity lifetimes folded in);
    /// `None`: never.
    pub(crate) refresh_expires_at: Option<Timestamp>,
    /// SHA-256 of the current refresh secret.
    pub(crate) refresh_secret: [u8; 32],
    /// Bumped at every rotation: a rotation names the generation it consumes, so two
    /// racing rotations of the same token cannot both win.
    pub(crate) generation: u32,
    pub(crate) rotated: Option<Rotated>,
    pub(crate) access: [Option<AccessSlot>; MAX_ACCESS_TOKENS_PER_GRANT],
}

impl GrantEntry {
    /// An unused slot.
    pub const EMPTY: Self = Self {
        incarnation: 0,
        status: GrantStatus::Free { next: None },
        grant_type: GrantType::AuthorizationCode,
        app: AppId {
            index: 0,
            generation: 0,
        },
        subject: String::new(),
        scope: String::new(),
        started_at: Timestamp::from_unix_seconds(0),
        last_used: Timestamp::from_unix_seconds(0),
        refresh_expires_at: None,
        refresh_secret: [0; 32],
        generation: 0,
        rotated: None,
        access: [None; MAX_ACCESS_TOKENS_PER_GRANT],
    };

    /// Whether the slot holds a grant.
    pub(crate) const fn is_active(&self) -> bool {
        matches!(self.status, GrantStatus::Active)
    }

    /// Whether the slot holds the grant `id`.
    pub(crate) fn is(&self, id: GrantId) -> bool {
        self.is_active() && self.incarnation == id.incarnation
    }

    /// The latest expiry of its access tokens.
    pub(crate) fn access_expires_at(&self) -> Timestamp {
        self.access
            .iter()
            .flatten()
            .map(|slot| slot.expires_at)
            .max()
            .unwrap_or(Timestamp::from_unix_seconds(0))
    }

    /// The app the grant belongs to.
    #[must_use]
    pub const fn app(&self) -> AppId {
        self.app
    }

    /// The user the grant belongs to.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Its generation: bumped by every rotation of its refresh token.
    #[must_use]
    pub const fn generation(&self) -> u32 {
        self.generation
    }

    /// Marks the entry as the live grant `id` — what a shared store does with
    /// [`NewGrant::entry`](super::NewGrant) (and with a grant it reads back), since the
    /// store, not the server, names grants.
    pub fn store_as(&mut self, id: GrantId) {
        self.incarnation = id.incarnation;
        self.status = GrantStatus::Active;
    }

    /// Applies a refresh to this snapshot exactly as [`GrantStore::rotate`] must (for a
    /// shared store that reads a grant, applies the change, and writes it back with a
    /// compare-and-swap): installs the successor secret and bumps the generation when the
    /// app rotates, records the use, and adds the access token, ending the oldest beyond
    /// `limits.access_tokens_per_grant`. Checking `rotation.expected_generation` is the
    /// caller's part of the compare-and-swap.
    ///
    /// [`GrantStore::rotate`]: super::GrantStore::rotate
    pub fn apply_rotation(
        &mut self,
        rotation: &Rotation,
        limits: &super::store::Limits,
        now: Timestamp,
    ) {
        self.apply(rotation, usize::from(limits.access_tokens_per_grant), now);
    }

    /// When no token of the grant can be valid any more — its refresh tokens expired and
    /// its last access token too; `None`: never (refresh tokens without lifetimes). A
    /// shared store may drop the grant then (a TTL).
    #[must_use]
    pub fn dead_at(&self) -> Option<Timestamp> {
        self.refresh_expires_at
            .map(|refresh| refresh.max(self.access_expires_at()))
    }

    /// Whether the grant can no longer produce a valid token at `now`.
    pub(crate) fn is_dead(&self, now: Timestamp) -> bool {
        self.dead_at().is_some_and(|dead_at| now >= dead_at)
    }

    /// Whether its refresh tokens have expired at `now`.
    pub(crate) fn refresh_expired(&self, now: Timestamp) -> bool {
        self.refresh_expires_at
            .is_some_and(|expires_at| now >= expires_at)
    }

    /// Which refresh token the secret digest `presented` is, in constant time.
    pub(crate) fn classify_refresh(
        &self,
        presented: &[u8; 32],
        now: Timestamp,
        grace_seconds: u64,
    ) -> RefreshMatch {
        if bool::from(self.refresh_secret.ct_eq(presented)) {
            return RefreshMatch::Current;
        }
        match self.rotated {
            Some(rotated)
                if grace_seconds > 0
                    && rotated.grace
                    && now < rotated.rotated_at.plus(grace_seconds)
                    && bool::from(rotated.secret.ct_eq(presented)) =>
            {
                RefreshMatch::Grace
            }
            _ => RefreshMatch::Reuse,
        }
    }

    /// The live access token whose secret digest is `presented`.
    pub(crate) fn live_access(&self, presented: &[u8; 32], now: Timestamp) -> Option<AccessSlot> {
        let mut found = None;
        // Look at every slot, so the time taken does not depend on which one matches.
        for slot in self.access.iter().flatten() {
            if bool::from(slot.secret.ct_eq(presented)) && now < slot.expires_at {
                found = Some(*slot);
            }
        }
        found
    }

    /// Whether `presented` is the secret of any of its access tokens, live or expired.
    pub(crate) fn knows_access(&self, presented: &[u8; 32]) -> bool {
        let mut known = false;
        for slot in self.access.iter().flatten() {
            known |= bool::from(slot.secret.ct_eq(presented));
        }
        known
    }

    /// Adds an access token, ending the grant's oldest one when it already holds `cap`
    /// live ones (expired ones are dropped first). Slots are kept in issue order.
    pub(crate) fn add_access(&mut self, token: AccessSlot, cap: usize, now: Timestamp) {
        let cap = cap.clamp(1, MAX_ACCESS_TOKENS_PER_GRANT);
        let mut kept = [None; MAX_ACCESS_TOKENS_PER_GRANT];
        let live = self
            .access
            .iter()
            .flatten()
            .filter(|slot| now < slot.expires_at);
        let count = live.clone().count();
        // Keep the newest `cap - 1`, then add the new one.
        let skip = count.saturating_sub(cap.saturating_sub(1));
        let mut next = 0usize;
        for slot in live.skip(skip) {
            if let Some(place) = kept.get_mut(next) {
                *place = Some(*slot);
                next = next.saturating_add(1);
            }
        }
        if let Some(place) = kept.get_mut(next) {
            *place = Some(token);
        }
        self.access = kept;
    }

    /// Applies a rotation (or a plain refresh, when `rotation.refresh_secret` is `None`).
    pub(crate) fn apply(&mut self, rotation: &Rotation, cap: usize, now: Timestamp) {
        if let Some(secret) = rotation.refresh_secret {
            self.rotated = Some(Rotated {
                secret: self.refresh_secret,
                rotated_at: now,
                grace: rotation.grace_for_rotated,
            });
            self.refresh_secret = secret;
            self.generation = self.generation.wrapping_add(1);
        }
        self.last_used = now;
        self.refresh_expires_at = rotation.refresh_expires_at;
        self.add_access(rotation.access, cap, now);
    }

    /// Wipes the secrets and frees the slot (bumping its incarnation).
    pub(crate) fn free(&mut self, next: Option<u32>) {
        let incarnation = self.incarnation.wrapping_add(1);
        self.refresh_secret.zeroize();
        if let Some(rotated) = &mut self.rotated {
            rotated.secret.zeroize();
        }
        *self = Self {
            incarnation,
            status: GrantStatus::Free { next },
            ..Self::EMPTY
        };
    }
}

/// What a refresh changes in a grant (see [`GrantStore::rotate`](super::GrantStore::rotate)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// The generation the presented refresh token belongs to: the rotation applies only
    /// while the grant is still at it.
    pub expected_generation: u32,
    /// The digest of the successor's secret, or `None` when the app does not rotate.
    pub refresh_secret: Option<[u8; 32]>,
    /// Whether the secret rotated out now may be used once within the grace window.
    pub grace_for_rotated: bool,
    /// The new access token.
    pub access: AccessSlot,
    /// The refresh lifetime end after this use.
    pub refresh_expires_at: Option<Timestamp>,
}

/// What a key in the index points at.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// The grant's refresh key (derived from its code, so a replay finds the grant).
    Refresh,
    /// The grant's access key.
    Access,
}

/// An entry of the key index: a key and the grant it leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyEntry {
    pub(crate) key: Key,
    pub(crate) kind: KeyKind,
    pub(crate) grant: GrantId,
}

impl Keyed for KeyEntry {
    fn key(&self) -> &[u8] {
        &self.key
    }
}
