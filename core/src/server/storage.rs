//! Where the server's tables live: inline arrays sized by const generics, or slices the
//! host provides (a `static`, or memory from its allocator).

use super::entries::{CodeEntry, FamilyEntry, TokenEntry};

/// The three tables, borrowed together.
#[derive(Debug)]
pub struct Tables<'a> {
    /// Authorization codes.
    pub codes: &'a mut [Option<CodeEntry>],
    /// Token families (grants).
    pub families: &'a mut [FamilyEntry],
    /// Access and refresh tokens.
    pub tokens: &'a mut [Option<TokenEntry>],
}

/// The three tables, borrowed for reading.
#[derive(Debug, Clone, Copy)]
pub struct TablesRef<'a> {
    /// Authorization codes.
    pub codes: &'a [Option<CodeEntry>],
    /// Token families (grants).
    pub families: &'a [FamilyEntry],
    /// Access and refresh tokens.
    pub tokens: &'a [Option<TokenEntry>],
}

/// Storage for the server's tables.
pub trait Storage {
    /// All tables, mutably.
    fn tables(&mut self) -> Tables<'_>;
    /// All tables, for reading.
    fn tables_ref(&self) -> TablesRef<'_>;
}

/// Tables held inline, sized at compile time: `CODES` code slots, `FAMILIES` grants,
/// `TOKENS` token slots. Tables keep at most 7/8 of their slots live, so size them with
/// room to spare. Bytes per slot: see `README.md` (Footprint).
#[derive(Debug, Clone)]
pub struct InlineStorage<const CODES: usize, const FAMILIES: usize, const TOKENS: usize> {
    codes: [Option<CodeEntry>; CODES],
    families: [FamilyEntry; FAMILIES],
    tokens: [Option<TokenEntry>; TOKENS],
}

impl<const CODES: usize, const FAMILIES: usize, const TOKENS: usize>
    InlineStorage<CODES, FAMILIES, TOKENS>
{
    /// Empty tables.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            codes: [const { None }; CODES],
            families: [const { FamilyEntry::EMPTY }; FAMILIES],
            tokens: [const { None }; TOKENS],
        }
    }
}

impl<const CODES: usize, const FAMILIES: usize, const TOKENS: usize> Default
    for InlineStorage<CODES, FAMILIES, TOKENS>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const CODES: usize, const FAMILIES: usize, const TOKENS: usize> Storage
    for InlineStorage<CODES, FAMILIES, TOKENS>
{
    fn tables(&mut self) -> Tables<'_> {
        Tables {
            codes: &mut self.codes,
            families: &mut self.families,
            tokens: &mut self.tokens,
        }
    }

    fn tables_ref(&self) -> TablesRef<'_> {
        TablesRef {
            codes: &self.codes,
            families: &self.families,
            tokens: &self.tokens,
        }
    }
}

/// Tables in slices the host owns — for large tables on a host with an allocator
/// (`vec![None; n]`, `vec![FamilyEntry::EMPTY; n]`), or in `static` memory.
/// Initialise code and token slots to `None` and family slots to [`FamilyEntry::EMPTY`].
#[derive(Debug)]
pub struct SliceStorage<'a> {
    /// Code slots.
    pub codes: &'a mut [Option<CodeEntry>],
    /// Family slots.
    pub families: &'a mut [FamilyEntry],
    /// Token slots.
    pub tokens: &'a mut [Option<TokenEntry>],
}

impl Storage for SliceStorage<'_> {
    fn tables(&mut self) -> Tables<'_> {
        Tables {
            codes: self.codes,
            families: self.families,
            tokens: self.tokens,
        }
    }

    fn tables_ref(&self) -> TablesRef<'_> {
        TablesRef {
            codes: self.codes,
            families: self.families,
            tokens: self.tokens,
        }
    }
}
