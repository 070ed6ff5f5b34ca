//! Where the in-memory store's tables live: inline arrays sized by const generics, or
//! slices the host provides (a `static`, or memory from its allocator).

use super::entries::{CodeEntry, GrantEntry, KeyEntry, SubjectEntry};

/// The four tables, borrowed together.
#[derive(Debug)]
pub struct Tables<'a> {
    /// Pending authorization codes.
    pub codes: &'a mut [Option<CodeEntry>],
    /// Each subject's pending codes (as many slots as `codes` is a good size).
    pub subjects: &'a mut [Option<SubjectEntry>],
    /// Grants, each with its tokens.
    pub grants: &'a mut [GrantEntry],
    /// The key index: two keys per grant (its refresh and access locators).
    pub keys: &'a mut [Option<KeyEntry>],
}

/// The four tables, borrowed for reading.
#[derive(Debug, Clone, Copy)]
pub struct TablesRef<'a> {
    /// Pending authorization codes.
    pub codes: &'a [Option<CodeEntry>],
    /// Each subject's pending codes.
    pub subjects: &'a [Option<SubjectEntry>],
    /// Grants.
    pub grants: &'a [GrantEntry],
    /// The key index.
    pub keys: &'a [Option<KeyEntry>],
}

/// Memory for the in-memory store's tables.
pub trait Storage {
    /// All tables, mutably.
    fn tables(&mut self) -> Tables<'_>;
    /// All tables, for reading.
    fn tables_ref(&self) -> TablesRef<'_>;
}

/// Tables held inline, sized at compile time: `CODES` code slots (and as many subject
/// slots), `GRANTS` grants, `KEYS` index slots. Keyed tables keep at most 7/8 of their
/// slots live, and every grant needs two keys, so `KEYS` ≥ 2 × 8/7 × `GRANTS` (e.g.
/// `GRANTS * 2 + GRANTS / 4`) lets every grant slot be used. Bytes per slot: `README.md`
/// (Footprint).
#[derive(Debug, Clone)]
pub struct InlineStorage<const CODES: usize, const GRANTS: usize, const KEYS: usize> {
    codes: [Option<CodeEntry>; CODES],
    subjects: [Option<SubjectEntry>; CODES],
    grants: [GrantEntry; GRANTS],
    keys: [Option<KeyEntry>; KEYS],
}

impl<const CODES: usize, const GRANTS: usize, const KEYS: usize>
    InlineStorage<CODES, GRANTS, KEYS>
{
    /// Empty tables.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            codes: [const { None }; CODES],
            subjects: [const { None }; CODES],
            grants: [const { GrantEntry::EMPTY }; GRANTS],
            keys: [const { None }; KEYS],
        }
    }
}

impl<const CODES: usize, const GRANTS: usize, const KEYS: usize> Default
    for InlineStorage<CODES, GRANTS, KEYS>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const CODES: usize, const GRANTS: usize, const KEYS: usize> Storage
    for InlineStorage<CODES, GRANTS, KEYS>
{
    fn tables(&mut self) -> Tables<'_> {
        Tables {
            codes: &mut self.codes,
            subjects: &mut self.subjects,
            grants: &mut self.grants,
            keys: &mut self.keys,
        }
    }

    fn tables_ref(&self) -> TablesRef<'_> {
        TablesRef {
            codes: &self.codes,
            subjects: &self.subjects,
            grants: &self.grants,
            keys: &self.keys,
        }
    }
}

/// Tables in slices the host owns — for large tables on a host with an allocator
/// (`vec![None; n]`, `vec![GrantEntry::EMPTY; n]`), or in `static` memory. Initialise
/// code, subject and key slots to `None` and grant slots to [`GrantEntry::EMPTY`].
#[derive(Debug)]
pub struct SliceStorage<'a> {
    /// Code slots.
    pub codes: &'a mut [Option<CodeEntry>],
    /// Subject slots.
    pub subjects: &'a mut [Option<SubjectEntry>],
    /// Grant slots.
    pub grants: &'a mut [GrantEntry],
    /// Key index slots.
    pub keys: &'a mut [Option<KeyEntry>],
}

impl Storage for SliceStorage<'_> {
    fn tables(&mut self) -> Tables<'_> {
        Tables {
            codes: self.codes,
            subjects: self.subjects,
            grants: self.grants,
            keys: self.keys,
        }
    }

    fn tables_ref(&self) -> TablesRef<'_> {
        TablesRef {
            codes: self.codes,
            subjects: self.subjects,
            grants: self.grants,
            keys: self.keys,
        }
    }
}
