//! Fixed-capacity hash tables keyed by SHA-256 digests, over storage the host provides.
//!
//! Open addressing with linear probing. The key is a SHA-256 digest of a 256-bit random
//! value, so its first eight bytes are already a uniform hash. Deletion shifts the
//! following entries back (no tombstones), and an insert reuses the first slot on its
//! probe path that holds a reclaimable (expired or dead) entry, so expired entries are
//! reclaimed as a side effect of normal traffic. Lookups and inserts are expected O(1)
//! while the table is at most [`MAX_LOAD_NUMERATOR`]/[`MAX_LOAD_DENOMINATOR`] full; beyond
//! that an insert first sweeps the table once for reclaimable entries and then, if none,
//! reports it full — a live entry is never evicted.

/// Tables refuse to hold more live entries than 7/8 of their slots, which keeps probe
/// sequences short.
pub const MAX_LOAD_NUMERATOR: usize = 7;
/// See [`MAX_LOAD_NUMERATOR`].
pub const MAX_LOAD_DENOMINATOR: usize = 8;

/// An entry stored under a digest.
pub(crate) trait Keyed {
    /// The digest the entry is stored under (at least 8 bytes; the first 8 are the hash).
    fn key(&self) -> &[u8];
}

/// The table holds as many live entries as it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

/// Most live entries a table of `slots` slots holds.
pub(crate) const fn max_live(slots: usize) -> usize {
    // slots × 7 / 8 without overflow: whole eighths, then the remainder's share.
    let eighths = slots / MAX_LOAD_DENOMINATOR;
    let rest = slots % MAX_LOAD_DENOMINATOR;
    eighths
        .saturating_mul(MAX_LOAD_NUMERATOR)
        .saturating_add(rest.saturating_mul(MAX_LOAD_NUMERATOR) / MAX_LOAD_DENOMINATOR)
}

fn home(key: &[u8], slots: usize) -> usize {
    let (prefix, _) = key.split_first_chunk::<8>().unwrap_or((&[0; 8], &[]));
    let hash = u64::from_le_bytes(*prefix);
    let slots = u64::try_from(slots).unwrap_or(u64::MAX);
    usize::try_from(hash.checked_rem(slots).unwrap_or(0)).unwrap_or(0)
}

fn next(index: usize, slots: usize) -> usize {
    let next = index.saturating_add(1);
    if next >= slots { 0 } else { next }
}

/// The slot holding `key`.
pub(crate) fn find<E: Keyed>(slots: &[Option<E>], key: &[u8]) -> Option<usize> {
    let len = slots.len();
    let mut index = home(key, len);
    for _ in 0..len {
        match slots.get(index)? {
            None => return None,
            Some(entry) if entry.key() == key => return Some(index),
            Some(_) => index = next(index, len),
        }
    }
    None
}

/// A live-entry counter kept beside each table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Occupancy {
    pub(crate) live: usize,
}

/// Whether `count` more entries fit, after reclaiming what can be reclaimed if needed.
pub(crate) fn make_room<E: Keyed>(
    slots: &mut [Option<E>],
    occupancy: &mut Occupancy,
    count: usize,
    reclaimable: impl Fn(&E) -> bool,
    on_remove: impl FnMut(&E),
) -> bool {
    let fits =
        |occupancy: &Occupancy| occupancy.live.saturating_add(count) <= max_live(slots.len());
    if fits(occupancy) {
        return true;
    }
    sweep(slots, occupancy, reclaimable, on_remove);
    occupancy.live.saturating_add(count) <= max_live(slots.len())
}

/// Inserts `entry`, reusing a reclaimable slot on its probe path when there is one.
/// Returns the slot index and the reclaimed entry it replaced, if any (so the caller can
/// update what it counts). Call [`make_room`] first: without room this is [`Full`].
pub(crate) fn insert<E: Keyed>(
    slots: &mut [Option<E>],
    occupancy: &mut Occupancy,
    entry: E,
    reclaimable: impl Fn(&E) -> bool,
) -> Result<(usize, Option<E>), Full> {
    let len = slots.len();
    if len == 0 {
        return Err(Full);
    }
    let room = occupancy.live < max_live(len);
    let mut index = home(entry.key(), len);
    for _ in 0..len {
        let slot = slots.get_mut(index).ok_or(Full)?;
        match slot {
            // A lookup stops at the first empty slot, so an entry can never go past one.
            None if !room => return Err(Full),
            None => {
                *slot = Some(entry);
                occupancy.live = occupancy.live.saturating_add(1);
                return Ok((index, None));
            }
            Some(old) if reclaimable(old) => {
                let replaced = slot.replace(entry);
                return Ok((index, replaced));
            }
            _ => index = next(index, len),
        }
    }
    Err(Full)
}

/// Removes the entry at `index`, shifting later entries of its cluster back so that no
/// lookup stops early.
pub(crate) fn remove<E: Keyed>(
    slots: &mut [Option<E>],
    occupancy: &mut Occupancy,
    index: usize,
) -> Option<E> {
    let len = slots.len();
    let removed = slots.get_mut(index)?.take()?;
    occupancy.live = occupancy.live.saturating_sub(1);
    let mut hole = index;
    let mut probe = next(index, len);
    for _ in 0..len {
        let Some(Some(entry)) = slots.get(probe) else {
            break;
        };
        let entry_home = home(entry.key(), len);
        // The entry may move into the hole unless its home lies cyclically in (hole, probe].
        let stays = if hole <= probe {
            hole < entry_home && entry_home <= probe
        } else {
            hole < entry_home || entry_home <= probe
        };
        if !stays {
            let moved = slots.get_mut(probe).and_then(Option::take);
            if let Some(slot) = slots.get_mut(hole) {
                *slot = moved;
            }
            hole = probe;
        }
        probe = next(probe, len);
    }
    Some(removed)
}

/// Removes every reclaimable entry, telling `on_remove` about each. Returns how many.
pub(crate) fn sweep<E: Keyed>(
    slots: &mut [Option<E>],
    occupancy: &mut Occupancy,
    reclaimable: impl Fn(&E) -> bool,
    mut on_remove: impl FnMut(&E),
) -> usize {
    let mut removed = 0usize;
    let mut index = 0;
    // A removal can shift a later entry into `index`, so the same index is looked at again;
    // the pass is bounded by twice the slot count.
    let mut budget = slots.len().saturating_mul(2);
    while index < slots.len() && budget > 0 {
        budget = budget.saturating_sub(1);
        let dead = slots
            .get(index)
            .and_then(Option::as_ref)
            .is_some_and(&reclaimable);
        if dead {
            if let Some(entry) = remove(slots, occupancy, index) {
                on_remove(&entry);
            }
            removed = removed.saturating_add(1);
        } else {
            index = index.saturating_add(1);
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec;
    use std::vec::Vec;

    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Entry {
        key: [u8; 32],
        dead: bool,
    }

    impl Keyed for Entry {
        fn key(&self) -> &[u8] {
            &self.key
        }
    }

    fn key(home: u64, tag: u8) -> [u8; 32] {
        let mut key = [tag; 32];
        key[..8].copy_from_slice(&home.to_le_bytes());
        key
    }

    fn live(key: [u8; 32]) -> Entry {
        Entry { key, dead: false }
    }

    #[test]
    fn insert_find_remove_with_collisions_and_wraparound() {
        let mut slots: Vec<Option<Entry>> = vec![None; 8];
        let mut occupancy = Occupancy::default();
        // Three keys whose home is slot 7: they wrap to 0 and 1.
        let keys = [key(7, 1), key(15, 2), key(23, 3), key(0, 4)];
        for k in keys {
            insert(&mut slots, &mut occupancy, live(k), |e| e.dead).unwrap();
        }
        for k in keys {
            assert!(find(&slots, &k).is_some());
        }
        // Removing the first of the cluster keeps the rest reachable.
        let at = find(&slots, &keys[0]).unwrap();
        remove(&mut slots, &mut occupancy, at);
        assert_eq!(find(&slots, &keys[0]), None);
        for k in &keys[1..] {
            assert!(find(&slots, k).is_some(), "{k:?}");
        }
        assert_eq!(occupancy.live, 3);
    }

    #[test]
    fn refuses_past_the_load_limit_unless_something_is_reclaimable() {
        let mut slots: Vec<Option<Entry>> = vec![None; 8];
        let mut occupancy = Occupancy::default();
        assert_eq!(max_live(8), 7);
        for i in 0..7 {
            insert(&mut slots, &mut occupancy, live(key(i, 9)), |e| e.dead).unwrap();
        }
        assert_eq!(
            insert(&mut slots, &mut occupancy, live(key(3, 1)), |e| e.dead),
            Err(Full)
        );
        // Mark one dead: the next insert reclaims it.
        let at = find(&slots, &key(5, 9)).unwrap();
        slots[at].as_mut().unwrap().dead = true;
        insert(&mut slots, &mut occupancy, live(key(3, 1)), |e| e.dead).unwrap();
        assert!(find(&slots, &key(3, 1)).is_some());
        assert_eq!(find(&slots, &key(5, 9)), None);
    }

    #[test]
    fn sweep_removes_every_dead_entry() {
        let mut slots: Vec<Option<Entry>> = vec![None; 16];
        let mut occupancy = Occupancy::default();
        for i in 0..12u8 {
            let mut entry = live(key(u64::from(i % 4), i));
            entry.dead = i % 2 == 0;
            insert(&mut slots, &mut occupancy, entry, |_| false).unwrap();
        }
        let mut seen = 0;
        assert_eq!(
            sweep(&mut slots, &mut occupancy, |e| e.dead, |_| seen += 1),
            6
        );
        assert_eq!(seen, 6);
        assert_eq!(occupancy.live, 6);
        for i in 0..12u8 {
            assert_eq!(
                find(&slots, &key(u64::from(i % 4), i)).is_some(),
                i % 2 == 1
            );
        }
    }

    #[test]
    fn max_live_is_seven_eighths() {
        assert_eq!(max_live(0), 0);
        assert_eq!(max_live(1), 0);
        assert_eq!(max_live(16), 14);
        assert_eq!(max_live(1024), 896);
    }
}
