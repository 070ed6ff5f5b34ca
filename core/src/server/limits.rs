//! Fixed capacities of the server, in bytes or counts.

/// Apps the Workfront profile allows (Workfront documents a cap of 10 OAuth2 apps).
pub const WORKFRONT_MAX_APPS: usize = 10;
/// An app's display name.
pub const MAX_APP_NAME: usize = 64;
/// Redirect URIs registered per app.
pub const MAX_REDIRECT_URIS: usize = 4;
/// One redirect URI.
pub const MAX_REDIRECT_URI: usize = 256;
/// Public keys registered per machine-to-machine app.
pub const MAX_PUBLIC_KEYS: usize = 2;
/// One public key (PEM or JWK text).
pub const MAX_PUBLIC_KEY: usize = 1024;
/// The authenticated subject (user id) a grant belongs to.
pub const MAX_SUBJECT: usize = 64;
/// A grant's space-separated scope.
pub const MAX_SCOPE: usize = 256;
/// A `state` value echoed back on the redirect.
pub const MAX_STATE: usize = 256;
/// Length of a generated `client_id`: base64url of 24 random bytes.
pub const CLIENT_ID_LEN: usize = 32;
/// Length of generated secrets, codes and tokens: base64url of 32 random bytes (256 bits).
pub const TOKEN_LEN: usize = 43;
/// Longest `client_id` accepted in a request (ours are [`CLIENT_ID_LEN`]).
pub const MAX_CLIENT_ID: usize = 64;
