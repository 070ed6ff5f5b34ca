//! The embedded default store: fixed-capacity tables in memory the host provides.
//!
//! - Pending codes and subjects: hash tables keyed by digests ([`super::table`]).
//! - Grants: a slab with a free list. A revoked grant is freed at once; a grant that died
//!   of old age is found by a sweep, which runs only when the slab (or an app's quota) is
//!   full *and* some grant can have died since the last sweep — the store remembers the
//!   earliest time one can (`reclaim_at`), so a full table of live grants costs no scan.
//! - The key index: refresh and access keys → grant, reclaimed lazily once the grant is gone.
//! - Per-app counters of codes and grants, for the quotas.

use super::entries::{
    CodeEntry, GrantEntry, GrantId, GrantStatus, Key, KeyEntry, PendingRef, SubjectEntry,
};
use super::registry::AppId;
use super::storage::{Storage, Tables, TablesRef};
#[cfg(feature = "jose")]
use super::store::{AssertionMark, Noted};
use super::store::{
    Capacity, FoundGrant, GrantFilter, GrantStore, Limits, NewGrant, RedeemError, RotateOutcome,
    StoreError, TableKind, Usage,
};
use super::table::{self, Occupancy, max_live};
use super::tokens::digest;
use crate::time::Timestamp;

const NEVER: Timestamp = Timestamp::from_unix_seconds(u64::MAX);
const UNKNOWN: Timestamp = Timestamp::from_unix_seconds(0);

/// One app's share of the tables.
#[derive(Debug, Clone, Copy)]
struct AppUsage {
    /// The app counted here (a deleted app's slot is taken over by the next one).
    app: Option<AppId>,
    codes: u32,
    grants: u32,
    /// None of the app's codes expires before this (0: unknown, look).
    codes_reclaim_at: Timestamp,
    /// None of the app's grants dies before this.
    grants_reclaim_at: Timestamp,
}

impl AppUsage {
    const EMPTY: Self = Self {
        app: None,
        codes: 0,
        grants: 0,
        codes_reclaim_at: UNKNOWN,
        grants_reclaim_at: UNKNOWN,
    };
}

/// How many entries each table of a [`MemoryStore`] holds right now (expired ones not
/// yet reclaimed included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Live {
    /// Pending codes.
    pub codes: usize,
    /// Subjects with pending codes.
    pub subjects: usize,
    /// Grants.
    pub grants: usize,
    /// Index keys.
    pub keys: usize,
}

/// The in-memory [`GrantStore`] over [`Storage`] (inline arrays or caller slices).
/// `APPS` is how many apps it keeps counters for: at least the registry's capacity.
#[derive(Debug)]
pub struct MemoryStore<S, const APPS: usize = 10> {
    storage: S,
    codes: Occupancy,
    subjects: Occupancy,
    keys: Occupancy,
    grants: usize,
    /// Head of the free list of grant slots.
    free: Option<u32>,
    /// Slots `0..fresh` have been handed out at least once; the rest were never used.
    fresh: u32,
    /// No grant dies before this (0: unknown).
    grants_reclaim_at: Timestamp,
    usage: [AppUsage; APPS],
    /// Assertion ids against replay (`MAX_ASSERTION_IDS` of them).
    #[cfg(feature = "jose")]
    assertions: super::assertion::AssertionIds,
}

impl<S: Storage, const APPS: usize> From<S> for MemoryStore<S, APPS> {
    fn from(storage: S) -> Self {
        Self::new(storage)
    }
}

impl<S: Storage, const APPS: usize> MemoryStore<S, APPS> {
    /// A store over `storage`, which must start empty (code, subject and key slots
    /// `None`, grant slots [`GrantEntry::EMPTY`]).
    pub const fn new(storage: S) -> Self {
        Self {
            storage,
            codes: Occupancy { live: 0 },
            subjects: Occupancy { live: 0 },
            keys: Occupancy { live: 0 },
            grants: 0,
            free: None,
            fresh: 0,
            grants_reclaim_at: UNKNOWN,
            usage: [AppUsage::EMPTY; APPS],
            #[cfg(feature = "jose")]
            assertions: super::assertion::AssertionIds::new(),
        }
    }

    /// How many entries each table holds.
    pub const fn live(&self) -> Live {
        Live {
            codes: self.codes.live,
            subjects: self.subjects.live,
            grants: self.grants,
            keys: self.keys.live,
        }
    }

    /// The tables, for reading (inspection and tests).
    pub fn tables(&self) -> TablesRef<'_> {
        self.storage.tables_ref()
    }
}

/// The counters of `app`, taking the slot over from a deleted app.
fn usage_of<const APPS: usize>(usage: &mut [AppUsage; APPS], app: AppId) -> Option<&mut AppUsage> {
    let slot = usage.get_mut(usize::from(app.index))?;
    if slot.app != Some(app) {
        *slot = AppUsage {
            app: Some(app),
            ..AppUsage::EMPTY
        };
    }
    Some(slot)
}

fn release_code<const APPS: usize>(usage: &mut [AppUsage; APPS], app: AppId) {
    if let Some(slot) = usage
        .get_mut(usize::from(app.index))
        .filter(|slot| slot.app == Some(app))
    {
        slot.codes = slot.codes.saturating_sub(1);
    }
}

fn subject_key(subject: &str) -> [u8; 32] {
    digest(subject.as_bytes())
}

/// Removes the pending code `digest`. (Its reference in its subject's entry goes stale:
/// a subject's references are checked against the code table whenever they are counted.)
fn remove_code<const APPS: usize>(
    tables: &mut Tables<'_>,
    codes: &mut Occupancy,
    usage: &mut [AppUsage; APPS],
    digest: &[u8; 32],
) -> Option<CodeEntry> {
    let index = table::find(tables.codes, digest)?;
    let removed = table::remove(tables.codes, codes, index)?;
    release_code(usage, removed.app);
    Some(removed)
}

/// Whether `codes` holds the code `digest`.
fn pending(codes: &[Option<CodeEntry>], digest: &[u8; 32]) -> bool {
    table::find(codes, digest).is_some()
}

/// Frees grant slot `index`, wiping it, and updates the counters.
fn free_grant<const APPS: usize>(
    grants: &mut [GrantEntry],
    index: u32,
    free: &mut Option<u32>,
    live: &mut usize,
    usage: &mut [AppUsage; APPS],
) {
    let Some(grant) = usize::try_from(index).ok().and_then(|i| grants.get_mut(i)) else {
        return;
    };
    if !grant.is_active() {
        return;
    }
    let app = grant.app;
    grant.free(*free);
    *free = Some(index);
    *live = live.saturating_sub(1);
    if let Some(slot) = usage
        .get_mut(usize::from(app.index))
        .filter(|slot| slot.app == Some(app))
    {
        slot.grants = slot.grants.saturating_sub(1);
    }
}

/// Frees every active grant `dead` selects; returns how many and the earliest death time
/// of those that stay (`NEVER` when none can die).
fn free_grants_where<const APPS: usize>(
    grants: &mut [GrantEntry],
    free: &mut Option<u32>,
    live: &mut usize,
    usage: &mut [AppUsage; APPS],
    mut dead: impl FnMut(&GrantEntry) -> bool,
    mut counts_for_next: impl FnMut(&GrantEntry) -> bool,
) -> (usize, Timestamp) {
    let mut freed = 0usize;
    let mut next = NEVER;
    for index in 0..grants.len() {
        let Some(grant) = grants.get(index) else {
            break;
        };
        if !grant.is_active() {
            continue;
        }
        if dead(grant) {
            if let Ok(index) = u32::try_from(index) {
                free_grant(grants, index, free, live, usage);
                freed = freed.saturating_add(1);
            }
        } else if counts_for_next(grant) {
            next = next.min(grant.dead_at().unwrap_or(NEVER));
        }
    }
    (freed, next)
}

impl<S: Storage, const APPS: usize> MemoryStore<S, APPS> {
    /// Frees every active grant `dead` selects; returns how many and the earliest death
    /// time of those that stay and `counts_for_next` selects.
    fn free_grants(
        &mut self,
        dead: impl FnMut(&GrantEntry) -> bool,
        counts_for_next: impl FnMut(&GrantEntry) -> bool,
    ) -> (usize, Timestamp) {
        let Self {
            storage,
            usage,
            free,
            grants,
            ..
        } = self;
        free_grants_where(
            storage.tables().grants,
            free,
            grants,
            usage,
            dead,
            counts_for_next,
        )
    }

    /// Removes `app`'s expired codes when it is at its quota and one can have expired.
    fn reclaim_app_codes(&mut self, app: AppId, now: Timestamp) {
        let Self {
            storage,
            codes,
            usage,
            ..
        } = self;
        let Some(slot) = usage_of(usage, app) else {
            return;
        };
        if now < slot.codes_reclaim_at {
            return;
        }
        let tables = storage.tables();
        table::sweep(
            tables.codes,
            codes,
            |code| code.app == app && code.expired(now),
            |code| release_code(usage, code.app),
        );
        let next = tables
            .codes
            .iter()
            .flatten()
            .filter(|code| code.app == app)
            .map(|code| code.expires_at)
            .min()
            .unwrap_or(NEVER);
        if let Some(slot) = usage_of(usage, app) {
            slot.codes_reclaim_at = next;
        }
    }

    /// Frees `app`'s dead grants when it is at its quota and one can have died.
    fn reclaim_app_grants(&mut self, app: AppId, now: Timestamp) {
        let due = usage_of(&mut self.usage, app).is_some_and(|slot| now >= slot.grants_reclaim_at);
        if !due {
            return;
        }
        let (_, next) = self.free_grants(
            |grant| grant.app == app && grant.is_dead(now),
            |grant| grant.app == app,
        );
        if let Some(slot) = usage_of(&mut self.usage, app) {
            slot.grants_reclaim_at = next;
        }
    }

    /// A grant slot to fill: from the free list, a never-used slot, or a sweep.
    fn take_grant_slot(&mut self, now: Timestamp) -> Option<u32> {
        let len = self.storage.tables_ref().grants.len();
        if self.free.is_none()
            && usize::try_from(self.fresh).is_ok_and(|fresh| fresh >= len)
            && now >= self.grants_reclaim_at
        {
            let (_, next) = self.free_grants(|grant| grant.is_dead(now), |_| true);
            self.grants_reclaim_at = next;
        }
        if let Some(index) = self.free {
            let tables = self.storage.tables();
            let next = match usize::try_from(index)
                .ok()
                .and_then(|i| tables.grants.get(i))
            {
                Some(GrantEntry {
                    status: GrantStatus::Free { next },
                    ..
                }) => *next,
                _ => None,
            };
            self.free = next;
            return Some(index);
        }
        if usize::try_from(self.fresh).is_ok_and(|fresh| fresh < len) {
            let index = self.fresh;
            self.fresh = self.fresh.saturating_add(1);
            return Some(index);
        }
        None
    }

    /// Gives a slot from [`Self::take_grant_slot`] back (a later step failed).
    fn return_grant_slot(&mut self, index: u32) {
        let tables = self.storage.tables();
        if let Some(grant) = usize::try_from(index)
            .ok()
            .and_then(|i| tables.grants.get_mut(i))
        {
            grant.status = GrantStatus::Free { next: self.free };
            self.free = Some(index);
        }
    }
}

impl<S: Storage, const APPS: usize> GrantStore for MemoryStore<S, APPS> {
    fn capacity(&self) -> Capacity {
        let tables = self.storage.tables_ref();
        Capacity {
            // Every pending code may belong to another subject.
            codes: max_live(tables.codes.len()).min(max_live(tables.subjects.len())),
            grants: tables.grants.len().min(max_live(tables.keys.len()) / 2),
            assertions: if cfg!(feature = "jose") {
                super::limits::MAX_ASSERTION_IDS
            } else {
                0
            },
        }
    }

    #[cfg(feature = "jose")]
    fn note_assertion(
        &mut self,
        mark: &AssertionMark,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<Noted, StoreError> {
        self.assertions.note(mark, limits.assertions_per_app, now)
    }

    #[cfg(feature = "jose")]
    fn forget_assertion(&mut self, mark: &AssertionMark) -> Result<(), StoreError> {
        self.assertions.forget(mark);
        Ok(())
    }

    fn insert_code(
        &mut self,
        code: &CodeEntry,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let app = code.app;
        let key = subject_key(&code.subject);
        // 1. The subject's share: at its cap, replace its oldest code for this app.
        let (has_subject, replace) = {
            let tables = self.storage.tables_ref();
            let is_pending = |code: &[u8; 32]| pending(tables.codes, code);
            match table::find(tables.subjects, &key).and_then(|i| tables.subjects.get(i)) {
                Some(Some(subject)) => {
                    let live = subject
                        .pending
                        .iter()
                        .filter(|code| now < code.expires_at && is_pending(&code.code))
                        .count();
                    if live >= usize::from(limits.codes_per_subject.max(1)) {
                        let mut unexpired = subject.clone();
                        unexpired.prune(now, is_pending);
                        match unexpired.oldest_of(app) {
                            Some(oldest) => (true, Some(oldest)),
                            None => return Err(StoreError::SubjectQuota),
                        }
                    } else {
                        (true, None)
                    }
                }
                _ => (false, None),
            }
        };
        // 2. The app's share (a replacement keeps its count).
        if replace.is_none() {
            let at_quota = |store: &mut Self| {
                usage_of(&mut store.usage, app)
                    .is_none_or(|slot| slot.codes >= limits.codes_per_app)
            };
            if at_quota(self) {
                self.reclaim_app_codes(app, now);
                if at_quota(self) {
                    return Err(StoreError::AppQuota(TableKind::Codes));
                }
            }
        }
        // 3. Room in the tables.
        let Self {
            storage,
            codes,
            subjects,
            usage,
            ..
        } = self;
        let mut tables = storage.tables();
        let room = {
            let codes_now: &[Option<CodeEntry>] = tables.codes;
            has_subject
                || table::make_room(
                    tables.subjects,
                    subjects,
                    1,
                    |subject| subject.reclaimable(now, |code| pending(codes_now, code)),
                    |_| {},
                )
        };
        if !room {
            return Err(StoreError::Full(TableKind::Codes));
        }
        if replace.is_none()
            && !table::make_room(
                tables.codes,
                codes,
                1,
                |old| old.expired(now),
                |old| release_code(usage, old.app),
            )
        {
            return Err(StoreError::Full(TableKind::Codes));
        }
        // 4. Change: nothing below can fail (room was made above).
        if let Some(oldest) = replace {
            remove_code(&mut tables, codes, usage, &oldest);
        }
        let (_, replaced) =
            table::insert(tables.codes, codes, code.clone(), |old| old.expired(now))
                .map_err(|_| StoreError::Full(TableKind::Codes))?;
        if let Some(old) = replaced {
            release_code(usage, old.app);
        }
        let pending = PendingRef {
            code: code.digest,
            app,
            expires_at: code.expires_at,
        };
        let codes_now: &[Option<CodeEntry>] = tables.codes;
        let is_pending = |code: &[u8; 32]| &pending.code == code || self::pending(codes_now, code);
        match table::find(tables.subjects, &key).and_then(|i| tables.subjects.get_mut(i)) {
            Some(Some(subject)) => {
                subject.prune(now, is_pending);
                let _ = subject.pending.push(pending);
            }
            _ => {
                let mut entry = SubjectEntry {
                    key,
                    pending: heapless::Vec::new(),
                };
                let _ = entry.pending.push(pending);
                let _ = table::insert(tables.subjects, subjects, entry, |old| {
                    old.reclaimable(now, is_pending)
                });
            }
        }
        if let Some(slot) = usage_of(usage, app) {
            slot.codes = slot.codes.saturating_add(1);
            slot.codes_reclaim_at = slot.codes_reclaim_at.min(code.expires_at);
        }
        Ok(())
    }

    fn code(&self, digest: &[u8; 32]) -> Result<Option<CodeEntry>, StoreError> {
        let tables = self.storage.tables_ref();
        Ok(table::find(tables.codes, digest)
            .and_then(|index| tables.codes.get(index))
            .and_then(Option::clone))
    }

    fn burn_code(&mut self, digest: &[u8; 32]) -> Result<(), StoreError> {
        let Self {
            storage,
            codes,
            usage,
            ..
        } = self;
        remove_code(&mut storage.tables(), codes, usage, digest);
        Ok(())
    }

    fn redeem_code(
        &mut self,
        digest: &[u8; 32],
        grant: NewGrant,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<GrantId, RedeemError> {
        let live = self.code(digest)?.is_some_and(|code| !code.expired(now));
        if !live {
            return Err(RedeemError::NotLive);
        }
        let app = grant.entry.app;
        let at_quota = |store: &mut Self| {
            usage_of(&mut store.usage, app).is_none_or(|slot| slot.grants >= limits.grants_per_app)
        };
        if at_quota(self) {
            self.reclaim_app_grants(app, now);
            if at_quota(self) {
                return Err(StoreError::AppQuota(TableKind::Grants).into());
            }
        }
        {
            let Self { storage, keys, .. } = self;
            let tables = storage.tables();
            let grants: &[GrantEntry] = tables.grants;
            let room = table::make_room(
                tables.keys,
                keys,
                2,
                |key| !grants_has(grants, key.grant),
                |_| {},
            );
            if !room {
                return Err(StoreError::Full(TableKind::Grants).into());
            }
        }
        let index = self
            .take_grant_slot(now)
            .ok_or(StoreError::Full(TableKind::Grants))?;
        let incarnation = {
            let tables = self.storage.tables_ref();
            usize::try_from(index)
                .ok()
                .and_then(|i| tables.grants.get(i))
                .map_or(0, |slot| slot.incarnation)
        };
        let id = GrantId { index, incarnation };
        // Keys first: they are the only step that could fail, and are undone if it does.
        let inserted = {
            let Self { storage, keys, .. } = self;
            let tables = storage.tables();
            let grants: &[GrantEntry] = tables.grants;
            let reclaimable = |key: &KeyEntry| key.grant != id && !grants_has(grants, key.grant);
            let refresh = KeyEntry {
                key: grant.refresh_key,
                kind: super::entries::KeyKind::Refresh,
                grant: id,
            };
            let access = KeyEntry {
                key: grant.access_key,
                kind: super::entries::KeyKind::Access,
                grant: id,
            };
            match table::insert(tables.keys, keys, refresh, reclaimable) {
                Ok(_) => match table::insert(tables.keys, keys, access, reclaimable) {
                    Ok(_) => true,
                    Err(_) => {
                        remove_key(tables.keys, keys, &grant.refresh_key);
                        false
                    }
                },
                Err(_) => false,
            }
        };
        if !inserted {
            self.return_grant_slot(index);
            return Err(StoreError::Full(TableKind::Grants).into());
        }
        let Self {
            storage,
            codes,
            usage,
            grants,
            grants_reclaim_at,
            ..
        } = self;
        let mut tables = storage.tables();
        remove_code(&mut tables, codes, usage, digest);
        if let Some(slot) = usize::try_from(index)
            .ok()
            .and_then(|i| tables.grants.get_mut(i))
        {
            *slot = GrantEntry {
                incarnation,
                status: GrantStatus::Active,
                ..grant.entry
            };
            let dies = slot.dead_at().unwrap_or(NEVER);
            *grants_reclaim_at = (*grants_reclaim_at).min(dies);
            *grants = grants.saturating_add(1);
            if let Some(usage) = usage_of(usage, app) {
                usage.grants = usage.grants.saturating_add(1);
                usage.grants_reclaim_at = usage.grants_reclaim_at.min(dies);
            }
        }
        Ok(id)
    }

    fn find_key(&self, key: &Key) -> Result<Option<FoundGrant>, StoreError> {
        let tables = self.storage.tables_ref();
        let Some(Some(entry)) = table::find(tables.keys, key).and_then(|i| tables.keys.get(i))
        else {
            return Ok(None);
        };
        let grant = usize::try_from(entry.grant.index)
            .ok()
            .and_then(|i| tables.grants.get(i))
            .filter(|grant| grant.is(entry.grant));
        Ok(grant.map(|grant| FoundGrant {
            kind: entry.kind,
            id: entry.grant,
            grant: grant.clone(),
        }))
    }

    fn rotate(
        &mut self,
        id: GrantId,
        rotation: &super::entries::Rotation,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<RotateOutcome, StoreError> {
        let Self {
            storage,
            usage,
            free,
            grants,
            ..
        } = self;
        let tables = storage.tables();
        let Some(grant) = usize::try_from(id.index)
            .ok()
            .and_then(|i| tables.grants.get_mut(i))
            .filter(|grant| grant.is(id))
        else {
            return Ok(RotateOutcome::Gone);
        };
        if grant.generation != rotation.expected_generation {
            free_grant(tables.grants, id.index, free, grants, usage);
            return Ok(RotateOutcome::Reused);
        }
        grant.apply(rotation, usize::from(limits.access_tokens_per_grant), now);
        Ok(RotateOutcome::Rotated)
    }

    fn revoke_grant(&mut self, id: GrantId) -> Result<bool, StoreError> {
        let Self {
            storage,
            usage,
            free,
            grants,
            ..
        } = self;
        let tables = storage.tables();
        if !grants_has(tables.grants, id) {
            return Ok(false);
        }
        free_grant(tables.grants, id.index, free, grants, usage);
        Ok(true)
    }

    fn revoke_where(&mut self, filter: GrantFilter<'_>) -> Result<usize, StoreError> {
        let (freed, _) = self.free_grants(|grant| filter.matches(grant), |_| false);
        Ok(freed)
    }

    fn purge(&mut self, now: Timestamp) -> Result<usize, StoreError> {
        let Self {
            storage,
            codes,
            subjects,
            keys,
            usage,
            free,
            grants,
            grants_reclaim_at,
            ..
        } = self;
        let tables = storage.tables();
        let removed_codes = table::sweep(
            tables.codes,
            codes,
            |code| code.expired(now),
            |code| release_code(usage, code.app),
        );
        let codes_now: &[Option<CodeEntry>] = tables.codes;
        let removed_subjects = table::sweep(
            tables.subjects,
            subjects,
            |subject| subject.reclaimable(now, |code| pending(codes_now, code)),
            |_| {},
        );
        let (freed, next) = free_grants_where(
            tables.grants,
            free,
            grants,
            usage,
            |grant| grant.is_dead(now),
            |_| true,
        );
        *grants_reclaim_at = next;
        let live_grants: &[GrantEntry] = tables.grants;
        let removed_keys = table::sweep(
            tables.keys,
            keys,
            |key| !grants_has(live_grants, key.grant),
            |_| {},
        );
        Ok(removed_codes
            .saturating_add(removed_subjects)
            .saturating_add(freed)
            .saturating_add(removed_keys))
    }

    fn usage(&self, app: AppId) -> Result<Usage, StoreError> {
        Ok(self
            .usage
            .get(usize::from(app.index))
            .filter(|slot| slot.app == Some(app))
            .map_or(Usage::default(), |slot| Usage {
                codes: slot.codes,
                grants: slot.grants,
            }))
    }
}

/// Whether `grants` holds the grant `id`.
fn grants_has(grants: &[GrantEntry], id: GrantId) -> bool {
    usize::try_from(id.index)
        .ok()
        .and_then(|i| grants.get(i))
        .is_some_and(|grant| grant.is(id))
}

fn remove_key(keys: &mut [Option<KeyEntry>], occupancy: &mut Occupancy, key: &Key) {
    if let Some(index) = table::find(keys, key) {
        table::remove(keys, occupancy, index);
    }
}
