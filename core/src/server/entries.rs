//! What the server's tables hold: codes, token families (grants), tokens — each keyed by
//! the SHA-256 digest of the random value handed out, never the value itself.

use heapless::String;

use super::limits::{MAX_SCOPE, MAX_SUBJECT};
use super::registry::AppId;
use super::table::Keyed;
use crate::pkce::Challenge;
use crate::time::Timestamp;

/// Identifies a family slot and its incarnation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FamilyId {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

/// What became of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeState {
    /// Not yet presented.
    Live,
    /// Exchanged once; presenting it again revokes the family it started.
    Redeemed(FamilyId),
    /// A redemption attempt failed (wrong verifier, client or redirect URI): it can never
    /// be redeemed.
    Burned,
}

/// An issued authorization code, bound to everything the token request must repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    pub(crate) digest: [u8; 32],
    pub(crate) app: AppId,
    /// SHA-256 of the `redirect_uri` of the authorization request, when it carried one.
    pub(crate) redirect_uri_digest: Option<[u8; 32]>,
    pub(crate) challenge: Option<Challenge>,
    pub(crate) subject: String<MAX_SUBJECT>,
    pub(crate) scope: String<MAX_SCOPE>,
    pub(crate) expires_at: Timestamp,
    pub(crate) state: CodeState,
}

impl Keyed for CodeEntry {
    fn key(&self) -> &[u8; 32] {
        &self.digest
    }
}

/// A grant: everything issued from one redeemed code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyEntry {
    pub(crate) generation: u32,
    pub(crate) in_use: bool,
    pub(crate) app: AppId,
    pub(crate) subject: String<MAX_SUBJECT>,
    pub(crate) scope: String<MAX_SCOPE>,
    pub(crate) started_at: Timestamp,
    pub(crate) last_used: Timestamp,
    /// The latest expiry of any access token issued in this family.
    pub(crate) access_expires_at: Timestamp,
    pub(crate) revoked: bool,
    /// Digest of the refresh token rotated out last, kept in the token table so that its
    /// reuse is recognised; older rotated-out tokens are dropped, so a grant that refreshes
    /// for years holds at most two refresh-token entries.
    pub(crate) previous_refresh: Option<[u8; 32]>,
}

impl FamilyEntry {
    /// An unused slot.
    pub const EMPTY: Self = Self {
        generation: 0,
        in_use: false,
        app: AppId {
            index: 0,
            generation: 0,
        },
        subject: String::new(),
        scope: String::new(),
        started_at: Timestamp::from_unix_seconds(0),
        last_used: Timestamp::from_unix_seconds(0),
        access_expires_at: Timestamp::from_unix_seconds(0),
        revoked: false,
        previous_refresh: None,
    };
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// An access token, valid until `expires_at`, for the scope tokens of its family that
    /// `scope_mask` selects.
    Access {
        expires_at: Timestamp,
        scope_mask: u32,
    },
    /// A refresh token; `current` is false once rotated out (kept to recognise a replay).
    Refresh { current: bool },
}

/// An issued access or refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEntry {
    pub(crate) digest: [u8; 32],
    pub(crate) family: FamilyId,
    pub(crate) kind: TokenKind,
}

impl Keyed for TokenEntry {
    fn key(&self) -> &[u8; 32] {
        &self.digest
    }
}
