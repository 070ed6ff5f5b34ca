//! Limits both roles share.

/// An endpoint URL, a redirect URI or an issuer identifier.
pub const MAX_URL: usize = 512;
