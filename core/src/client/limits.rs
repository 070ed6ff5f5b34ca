//! Fixed capacities of the client, in bytes. Values longer than these are refused with an
//! error that names the value and the limit — never cut short, never a panic.

pub use crate::oauth::limits::MAX_URL;
/// A `client_id`.
pub const MAX_CLIENT_ID: usize = 128;
/// A client secret.
pub const MAX_CLIENT_SECRET: usize = 256;
/// The space-separated scope string.
pub const MAX_SCOPE: usize = 512;
/// An authorization code as received on the redirect.
pub const MAX_CODE: usize = 512;
/// The `state` value on a redirect (ours are 43 characters; a longer one cannot match).
pub const MAX_STATE: usize = 256;
/// An access token. JWT access tokens from some providers run past 2 KiB.
pub const MAX_ACCESS_TOKEN: usize = 4096;
/// A refresh token.
pub const MAX_REFRESH_TOKEN: usize = 2048;
/// An OAuth error code (`invalid_grant`, …).
pub const MAX_ERROR_CODE: usize = 64;
/// An `error_description` or `error_uri`; longer ones are cut at a character boundary,
/// since they are informational only.
pub const MAX_ERROR_TEXT: usize = 256;
/// Workfront's `domain`, `lane` and `wid` values.
pub const MAX_WORKFRONT_VALUE: usize = 256;
/// Extra authorization parameters (`prompt`, `login_hint`, …) a configuration may carry.
pub const MAX_EXTRA_PARAMS: usize = 4;
/// The name of an extra authorization parameter.
pub const MAX_EXTRA_NAME: usize = 32;
/// The value of an extra authorization parameter.
pub const MAX_EXTRA_VALUE: usize = 256;
/// The `sub` (subject) a token response may carry (Adobe IMS sends it).
pub const MAX_SUBJECT: usize = 256;
