//! Fixed capacities of the server, in bytes or counts.

/// Apps the Workfront profile allows (Workfront documents a cap of 10 OAuth2 apps).
pub const WORKFRONT_MAX_APPS: usize = 10;
/// An app's display name.
pub const MAX_APP_NAME: usize = 64;
/// Redirect URIs registered per app.
pub const MAX_REDIRECT_URIS: usize = 4;
/// One redirect URI.
pub const MAX_REDIRECT_URI: usize = 256;
/// Public keys registered per machine-to-machine (or web) app.
pub const MAX_PUBLIC_KEYS: usize = 4;
/// One public key as stored: its JWK text (with the `jose-der` feature a certificate or
/// SubjectPublicKeyInfo PEM is read and stored as its JWK, which fits: an RSA-4096 JWK is
/// under 800 bytes).
pub const MAX_PUBLIC_KEY: usize = 1024;
/// A public key as given at registration (a certificate PEM of an RSA-4096 key is about
/// 2 KiB).
pub const MAX_PUBLIC_KEY_TEXT: usize = 4096;
/// The longest JWT accepted as an assertion (RFC 7523) or Workfront `jwt_token`.
pub const MAX_ASSERTION: usize = 4096;
/// Assertion ids (`jti`) remembered against replay, across all apps.
pub const MAX_ASSERTION_IDS: usize = 256;
/// The authenticated subject (user id) a grant belongs to.
pub const MAX_SUBJECT: usize = 64;
/// A grant's space-separated scope.
pub const MAX_SCOPE: usize = 256;
/// A `state` value echoed back on the redirect.
pub const MAX_STATE: usize = 256;
/// The longest OpenID Connect `nonce` accepted on an authorization request.
pub const MAX_NONCE: usize = 255;
/// Length of a generated `client_id`: base64url of 24 random bytes.
pub const CLIENT_ID_LEN: usize = 32;
/// Length of generated secrets, codes and tokens: base64url of 32 random bytes (256 bits).
pub const TOKEN_LEN: usize = 43;
/// Longest `client_id` accepted in a request (ours are [`CLIENT_ID_LEN`]).
pub const MAX_CLIENT_ID: usize = 64;
/// Length of issued access and refresh tokens: a 16-character key and 48 characters of
/// secret, 36 random bytes (see `README.md`, "Token format").
pub const ISSUED_TOKEN_LEN: usize = 64;
/// Most live access tokens one grant holds; the per-server setting is 1 to this
/// (default 2). Issuing one more ends the grant's oldest.
pub const MAX_ACCESS_TOKENS_PER_GRANT: usize = 4;
/// Most pending codes one subject holds (all apps together); the per-server setting is 1
/// to this (default 8).
pub const MAX_CODES_PER_SUBJECT: usize = 8;
/// Longest refresh grace window, in seconds.
pub const MAX_REFRESH_GRACE: u64 = 60;
/// Longest overlap during which a replaced client secret keeps working, in seconds.
pub const MAX_SECRET_OVERLAP: u64 = 24 * 3600;
/// Client secrets a web app holds at once (Adobe Developer Console allows two).
pub const MAX_CLIENT_SECRETS: usize = 2;
