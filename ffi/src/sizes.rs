//! The sizes of the buffers the API documents, as constants in the header. Each is checked
//! at compile time against the core's own limit, so the two cannot drift apart.

use authcode::server::limits as server_limits;

/// Bytes that always hold a saved session (`authcode_session_save` /
/// `_save_keyed`).
pub const AUTHCODE_SAVED_SESSION_MAX: usize = 8192;
const _: () = assert!(AUTHCODE_SAVED_SESSION_MAX == authcode::client::MAX_SAVED_LEN);

/// The longest access token a session accepts (`authcode_session_access_token`).
pub const AUTHCODE_ACCESS_TOKEN_MAX: usize = 4096;
const _: () = assert!(AUTHCODE_ACCESS_TOKEN_MAX == authcode::client::limits::MAX_ACCESS_TOKEN);

/// The longest refresh token a session accepts (`authcode_session_refresh_token`).
pub const AUTHCODE_REFRESH_TOKEN_MAX: usize = 2048;
const _: () = assert!(AUTHCODE_REFRESH_TOKEN_MAX == authcode::client::limits::MAX_REFRESH_TOKEN);

/// The longest URL (endpoint, redirect URI) a configuration accepts.
pub const AUTHCODE_URL_MAX: usize = 512;
const _: () = assert!(AUTHCODE_URL_MAX == authcode::oauth::limits::MAX_URL);

/// Bytes that always hold the authorization URL (`authcode_session_authorize_url`): the
/// endpoint, and every parameter at its longest and fully percent-encoded.
pub const AUTHCODE_AUTHORIZE_URL_MAX: usize = 8192;
const _: () = assert!(
    AUTHCODE_AUTHORIZE_URL_MAX
        >= authcode::oauth::limits::MAX_URL
            + 3 * (authcode::client::limits::MAX_CLIENT_ID
                + authcode::oauth::limits::MAX_URL
                + authcode::client::limits::MAX_SCOPE)
            + 2 * 43
            + authcode::client::limits::MAX_EXTRA_PARAMS
                * (3 * (authcode::client::limits::MAX_EXTRA_NAME
                    + authcode::client::limits::MAX_EXTRA_VALUE)
                    + 2)
            + 256
);

/// Bytes that always hold a token-endpoint or revocation response of the server
/// (`authcode_server_token`, `authcode_server_revoke` require at least this).
pub const AUTHCODE_TOKEN_RESPONSE_MIN: usize = 1024;
const _: () = assert!(AUTHCODE_TOKEN_RESPONSE_MIN == authcode::server::RESPONSE_BUFFER_LEN);

/// The length of a client id the server issues (`authcode_server_create_app`).
pub const AUTHCODE_CLIENT_ID_LEN: usize = 32;
const _: () = assert!(AUTHCODE_CLIENT_ID_LEN == server_limits::CLIENT_ID_LEN);

/// The length of a client secret the server issues (`_create_app`, `_rotate_secret`,
/// `_add_secret`, `_rotate_secret_with`).
pub const AUTHCODE_CLIENT_SECRET_LEN: usize = 43;
const _: () = assert!(AUTHCODE_CLIENT_SECRET_LEN == server_limits::TOKEN_LEN);

/// Bytes that always hold a PKCE code verifier (`authcode_pkce_generate`).
pub const AUTHCODE_PKCE_VERIFIER_MAX: usize = 128;

/// The length of a PKCE S256 challenge (`authcode_pkce_challenge`).
pub const AUTHCODE_PKCE_CHALLENGE_LEN: usize = 43;
const _: () = assert!(AUTHCODE_PKCE_CHALLENGE_LEN == authcode::pkce::Challenge::ENCODED_LEN);

/// Bytes that always hold a `_last_error` text.
pub const AUTHCODE_LAST_ERROR_MAX: usize = 256;

// The longest verifier RFC 7636 §4.1 allows.
const _: () = assert!(AUTHCODE_PKCE_VERIFIER_MAX == 128);
