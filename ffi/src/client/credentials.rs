//! The machine-to-machine client over the C ABI: the client credentials grant (RFC 6749
//! §4.4) and JWT grants (RFC 7523 §2.1, Workfront's `jwt/exchange`) signed by the host's
//! key or one handed to the core, with the token cached until it is due.

use authcode::Timestamp;
use authcode::client::{
    ClientError, CredentialsAuth, CredentialsClient, CredentialsOutcome, JwtGrant, ServerError,
};

use super::{authcode_error_code, authcode_http_request, authcode_profile};
use crate::jose::{Signer, authcode_signer};
use crate::memory::{deinit, init_in};
use crate::result::{FfiResult, authcode_result};
use crate::rng::{Rng, authcode_rng};
use crate::util::{
    Failure, Handle, LastError, authcode_str, buffer, check_out, copy_out, enum_from_u32, guard,
    object, object_mut, put, recorded, report_len, try_ref,
};

/// How a machine-to-machine client sends its secret: `AUTHCODE_CREDENTIALS_AUTH_BASIC`
/// (`Authorization: Basic`, RFC 6749 §2.3.1) or `AUTHCODE_CREDENTIALS_AUTH_POST`
/// (`client_id` and `client_secret` in the body, as Adobe's Server-to-Server credential
/// and Workfront's JWT exchange send them).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_credentials_auth {
    /// `Authorization: Basic`.
    Basic = 0,
    /// In the form body.
    Post = 1,
}

enum_from_u32!(authcode_credentials_auth { Basic, Post });

/// What a machine-to-machine client is built from. Text is read during the call only.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_credentials_params {
    /// One of `AUTHCODE_PROFILE_*`.
    pub profile: u32,
    /// The token endpoint (https, or http on loopback) — for Workfront's JWT exchange,
    /// `https://<domain>/integrations/oauth2/api/v1/jwt/exchange`.
    pub token_endpoint: authcode_str,
    /// The client id.
    pub client_id: authcode_str,
    /// The client secret (copied; wiped when the client is freed).
    pub client_secret: authcode_str,
    /// One of `AUTHCODE_CREDENTIALS_AUTH_*`.
    pub auth: u32,
}

/// What a JWT grant asserts (`authcode_credentials_client_jwt_grant_request`). Text is
/// read during the call only.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_jwt_grant {
    /// `sub`: the user the token is to act for.
    pub subject: authcode_str,
    /// `aud`: the server's issuer or token endpoint URL (RFC 7523 requires it), or absent
    /// (NULL `ptr`; Workfront does not use it).
    pub audience: authcode_str,
    /// `iss` when it is not the client id (Workfront: the customer id), or absent.
    pub issuer: authcode_str,
    /// Seconds from `iat` to `exp`; 0 means 300 (Workfront's maximum).
    pub lifetime_seconds: u64,
    /// Workfront's exchange body (`client_id`, `client_secret`, `jwt_token`) instead of
    /// RFC 7523's (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, `assertion`).
    pub workfront: bool,
}

/// What the token endpoint answered a machine-to-machine client.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_credentials_outcome {
    /// A token was issued and is cached.
    Issued = 0,
    /// Refused (see `authcode_credentials_client_server_error`); the cache is unchanged.
    Rejected = 1,
}

/// A machine-to-machine client with its cached token (opaque).
pub struct authcode_credentials_client {
    client: CredentialsClient,
    last_error: LastError<{ crate::sizes::AUTHCODE_LAST_ERROR_MAX }>,
    server_error: Option<ServerError>,
}

impl Handle for authcode_credentials_client {
    fn failure(&self) -> &dyn Failure {
        &self.last_error
    }
}

impl authcode_credentials_client {
    fn of(client: CredentialsClient) -> Self {
        Self {
            client,
            last_error: LastError::new(),
            server_error: None,
        }
    }

    fn build(params: &authcode_credentials_params) -> Result<Self, authcode_result> {
        // SAFETY: the caller of the `extern "C"` function promised valid string ranges.
        let read = |s: authcode_str| unsafe { crate::util::text(s.ptr, s.len) };
        let profile = authcode_profile::try_from(params.profile)?;
        let secret = read(params.client_secret)?;
        let auth = match authcode_credentials_auth::try_from(params.auth)? {
            authcode_credentials_auth::Basic => CredentialsAuth::Basic(secret),
            authcode_credentials_auth::Post => CredentialsAuth::Post(secret),
        };
        CredentialsClient::new(
            profile.into(),
            read(params.token_endpoint)?,
            read(params.client_id)?,
            auth,
        )
        .map(Self::of)
        .map_err(|_| authcode_result::InvalidConfig)
    }

    fn record(&mut self, error: &ClientError) -> authcode_result {
        self.last_error.set(error);
        match error {
            ClientError::BufferTooSmall(_) => authcode_result::BufferTooSmall,
            ClientError::Randomness => authcode_result::Randomness,
            ClientError::Signing(_) => authcode_result::SigningFailed,
            // `JwtTooLong`: the claims or `kid` the caller gave.
            _ => authcode_result::InvalidArgument,
        }
    }
}

/// Creates a machine-to-machine client on the heap and stores it in `*out`; free it with
/// `authcode_credentials_client_free`. `params` and its text are read during the call only.
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER` (`params` or `out` NULL, or
/// a text field NULL with a length); `AUTHCODE_RESULT_INVALID_UTF8`;
/// `AUTHCODE_RESULT_INVALID_ARGUMENT` (an unknown `profile` or `auth`);
/// `AUTHCODE_RESULT_INVALID_CONFIG` (the endpoint not https nor loopback http, an empty or
/// over-long client id or secret). On failure nothing is allocated and `*out` is not
/// written.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_new(
    params: *const authcode_credentials_params,
    out: *mut *mut authcode_credentials_client,
) -> authcode_result {
    guard(|| {
        check_out(out)?;
        let client = authcode_credentials_client::build(try_ref!(params))?;
        // SAFETY: `out` checked non-NULL.
        unsafe { crate::memory::boxed(client, out) }
    })
}

/// Creates a machine-to-machine client with the profile, token endpoint, client id,
/// secret, scope and refresh margin of a confidential client's configuration (for
/// example one from `authcode_client_config_from_metadata`), and stores it in `*out`; free
/// it with `authcode_credentials_client_free`. `config` is read during the call only.
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER`;
/// `AUTHCODE_RESULT_INVALID_CONFIG` (a public client: these grants need a secret). On
/// failure nothing is allocated and `*out` is not written.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_from_config(
    config: *const super::authcode_client_config,
    out: *mut *mut authcode_credentials_client,
) -> authcode_result {
    guard(|| {
        check_out(out)?;
        let config = try_ref!(config);
        let client = CredentialsClient::from_config(&config.config)
            .map_err(|_| authcode_result::InvalidConfig)?;
        // SAFETY: `out` checked non-NULL.
        unsafe { crate::memory::boxed(authcode_credentials_client::of(client), out) }
    })
}

/// Frees a client from `authcode_credentials_client_new` or `_from_config`, wiping its
/// secret and cached token. NULL is a no-op.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_free(
    client: *mut authcode_credentials_client,
) {
    // SAFETY: from `authcode_credentials_client_new`, per the caller.
    unsafe { crate::memory::free(client) }
}

/// Bytes of storage `authcode_credentials_client_init` needs.
#[unsafe(no_mangle)]
pub extern "C" fn authcode_credentials_client_size() -> usize {
    core::mem::size_of::<authcode_credentials_client>()
}

/// Alignment `authcode_credentials_client_init` needs.
#[unsafe(no_mangle)]
pub extern "C" fn authcode_credentials_client_align() -> usize {
    core::mem::align_of::<authcode_credentials_client>()
}

/// `authcode_credentials_client_new` in caller storage (≥ `_size()`, aligned to
/// `_align()`), valid and unmoved until `authcode_credentials_client_deinit`.
///
/// Returns as `authcode_credentials_client_new`, and `AUTHCODE_RESULT_STORAGE_TOO_SMALL` /
/// `AUTHCODE_RESULT_STORAGE_MISALIGNED`. On failure the storage holds no object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_init(
    storage: *mut u8,
    storage_len: usize,
    params: *const authcode_credentials_params,
    out: *mut *mut authcode_credentials_client,
) -> authcode_result {
    guard(|| {
        let params = try_ref!(params);
        // SAFETY: storage contract forwarded from the caller.
        unsafe {
            init_in(
                storage,
                storage_len,
                || authcode_credentials_client::build(params),
                out,
            )
        }
    })
}

/// Ends a client made by `authcode_credentials_client_init`, wiping its secret and token.
/// NULL is a no-op. The storage may then be reused.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_deinit(
    client: *mut authcode_credentials_client,
) {
    // SAFETY: from `_init`, per the caller.
    unsafe { deinit(client) }
}

/// Asks for `scope` (space-separated; Adobe IMS also takes commas). A cached token of
/// another scope is dropped.
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER`;
/// `AUTHCODE_RESULT_INVALID_UTF8`; `AUTHCODE_RESULT_INVALID_CONFIG` (a malformed scope).
/// On failure the client is unchanged and `authcode_credentials_client_last_error` says why.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_set_scope(
    client: *mut authcode_credentials_client,
    scope: *const u8,
    scope_len: usize,
) -> authcode_result {
    crate::util::on_mut(client, |handle| {
        let scope = crate::util::try_text!(scope, scope_len);
        match handle.client.clone().with_scope(scope) {
            Ok(client) => {
                handle.client = client;
                Ok(())
            }
            Err(error) => {
                handle.last_error.set(&error);
                Err(authcode_result::InvalidConfig)
            }
        }
    })
}

/// Writes the request into `buf` and `*out` (whose fields point into `buf` or the
/// client), reporting the bytes used or the size needed in `*out_len`.
fn request_out(
    handle: &mut authcode_credentials_client,
    build: impl FnOnce(&CredentialsClient, &mut [u8]) -> Result<authcode_http_request, ClientError>,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    out: *mut authcode_http_request,
) -> FfiResult {
    check_out(out_len)?;
    check_out(out)?;
    // SAFETY: buffer contract from the caller.
    let buffer = unsafe { buffer(buf, len)? };
    match build(&handle.client, buffer) {
        Ok(request) => {
            let written = request.authorization.len.saturating_add(request.body.len);
            // SAFETY: both checked non-NULL.
            unsafe {
                put(out_len, written)?;
                put(out, request)
            }
        }
        Err(ClientError::BufferTooSmall(too_small)) => {
            // SAFETY: checked non-NULL.
            unsafe { report_len(Err(too_small), out_len) }
        }
        Err(error) => Err(handle.record(&error)),
    }
}

/// Writes the client credentials token request (`grant_type=client_credentials`, the
/// scope, the client's authentication). `*out` points into `buf` and the client; send it
/// as is and read the answer with `authcode_credentials_client_on_token_response`.
///
/// `client`, `out_len` and `out` must not be NULL; `buf` may be NULL only when `len` is 0.
/// Returns `AUTHCODE_RESULT_OK` (`*out_len`: the bytes of `buf` used),
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL` (`*out_len`: the size needed; 2048 always suffice),
/// `AUTHCODE_RESULT_NULL_POINTER`. The client is not changed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_token_request(
    client: *mut authcode_credentials_client,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    out: *mut authcode_http_request,
) -> authcode_result {
    recorded(client, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(client)? };
        request_out(
            handle,
            |client, buffer| {
                client
                    .token_request(buffer)
                    .map(Into::into)
                    .map_err(ClientError::BufferTooSmall)
            },
            buf,
            len,
            out_len,
            out,
        )
    })
}

/// Writes a JWT grant request: the claims `iss` (the client id, or `grant->issuer`),
/// `sub`, `aud` (when given), `iat` = `now`, `exp` = `now` + the lifetime and a 128-bit
/// random `jti` from `rng` (NULL: the OS source), signed by `signer` — the host's callback
/// (Keychain, Android Keystore, an HSM) or a P-256 / Ed25519 key handed to the core — as
/// RFC 7523 §2.1's JWT bearer grant or, with `grant->workfront`, Workfront's exchange body.
/// `*out` points into `buf` and the client; read the answer with
/// `authcode_credentials_client_on_token_response`. `grant`, `signer` and their text and
/// key are read during the call only.
///
/// `client`, `grant`, `signer`, `out_len` and `out` must not be NULL; `buf` may be NULL
/// only when `len` is 0. Returns `AUTHCODE_RESULT_OK` (`*out_len`: the bytes of `buf`
/// used), `AUTHCODE_RESULT_BUFFER_TOO_SMALL` (`*out_len`: the size needed; 8192 always
/// suffice — the JWT was signed before the body was found not to fit, so a host whose
/// signature prompts the user passes 8192), `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8`, `AUTHCODE_RESULT_INVALID_ARGUMENT` (an unknown
/// algorithm, a private key that is not a valid 32-byte P-256 scalar or Ed25519 seed,
/// RS256 without a callback, or claims and `kid` too long for the JWT: claims at most
/// 2 KiB, the JWT 4 KiB), `AUTHCODE_RESULT_RANDOMNESS`, `AUTHCODE_RESULT_SIGNING_FAILED`
/// (the callback returned non-zero, or a signature of the wrong length or form).
/// The client is not changed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_jwt_grant_request(
    client: *mut authcode_credentials_client,
    grant: *const authcode_jwt_grant,
    signer: *const authcode_signer,
    rng: *const authcode_rng,
    now: u64,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    out: *mut authcode_http_request,
) -> authcode_result {
    recorded(client, || {
        let grant = try_ref!(grant);
        let signer = try_ref!(signer);
        // SAFETY: valid signer and RNG, per the caller.
        let (signer, mut rng) = unsafe { (Signer::from_c(signer)?, Rng::from_ptr(rng)?) };
        // SAFETY: valid string ranges, per the caller.
        let read = |s: authcode_str| unsafe { crate::util::text(s.ptr, s.len) };
        let optional = |s: authcode_str| {
            if s.ptr.is_null() {
                Ok(None)
            } else {
                read(s).map(Some)
            }
        };
        let jwt = JwtGrant {
            subject: read(grant.subject)?,
            audience: optional(grant.audience)?,
            issuer: optional(grant.issuer)?,
            lifetime_seconds: if grant.lifetime_seconds == 0 {
                300
            } else {
                grant.lifetime_seconds
            },
            workfront: grant.workfront,
        };
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(client)? };
        request_out(
            handle,
            |client, buffer| {
                client
                    .jwt_grant_request(
                        &jwt,
                        &signer,
                        &mut rng,
                        Timestamp::from_unix_seconds(now),
                        buffer,
                    )
                    .map(Into::into)
            },
            buf,
            len,
            out_len,
            out,
        )
    })
}

/// Reads the token endpoint's answer to a token or JWT grant request (`status`, body,
/// `now` in Unix seconds). An issued token is cached (a refresh token, which these grants
/// should not carry, is dropped); a refusal keeps the cache and is described by
/// `authcode_credentials_client_server_error` / `_last_error`. `body` is read during the
/// call only.
///
/// `client` and `out` must not be NULL; `body` may be NULL only when `body_len` is 0.
/// Returns `AUTHCODE_RESULT_OK` (`*out`: what the server answered),
/// `AUTHCODE_RESULT_NULL_POINTER`, `AUTHCODE_RESULT_RESPONSE_UNREADABLE` (the client is
/// then unchanged and `_last_error` says why).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_on_token_response(
    client: *mut authcode_credentials_client,
    status: u16,
    body: *const u8,
    body_len: usize,
    now: u64,
    out: *mut authcode_credentials_outcome,
) -> authcode_result {
    recorded(client, || {
        check_out(out)?;
        // SAFETY: valid handle and byte range, per the caller.
        let (handle, body) = unsafe { (object_mut(client)?, crate::util::bytes(body, body_len)?) };
        let answer =
            handle
                .client
                .on_token_response(status, body, Timestamp::from_unix_seconds(now));
        let outcome = match answer {
            Ok(CredentialsOutcome::Issued) => {
                handle.server_error = None;
                authcode_credentials_outcome::Issued
            }
            Ok(CredentialsOutcome::Rejected(error)) => {
                handle.last_error.set(&error);
                handle.server_error = Some(error);
                authcode_credentials_outcome::Rejected
            }
            Err(error) => {
                handle.last_error.set(&error);
                return Err(authcode_result::ResponseUnreadable);
            }
        };
        // SAFETY: checked non-NULL.
        unsafe { put(out, outcome) }
    })
}

/// Copies the cached access token while it is not due at `now` (it expires later than the
/// refresh margin, default 60 s; a token without a stated expiry stays until
/// `authcode_credentials_client_forget_token`).
///
/// `client` and `out_len` must not be NULL; `buf` may be NULL only when `len` is 0.
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_BUFFER_TOO_SMALL` (the size needed in
/// `*out_len`; `AUTHCODE_ACCESS_TOKEN_MAX` always suffice), `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_WRONG_STATE` (no token, or it is due: request a new one).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_access_token(
    client: *const authcode_credentials_client,
    now: u64,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    recorded(client, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object(client)? };
        let token = handle
            .client
            .access_token(Timestamp::from_unix_seconds(now))
            .ok_or(authcode_result::WrongState)?;
        // SAFETY: buffer contract from the caller.
        unsafe { copy_out(token.as_bytes(), buf, len, out_len) }
    })
}

/// Drops the cached token (wiped) — call it when a resource server answers 401.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_forget_token(
    client: *mut authcode_credentials_client,
) -> authcode_result {
    recorded(client, || {
        // SAFETY: valid handle, per the caller.
        unsafe { object_mut(client)? }.client.forget_token();
        Ok(())
    })
}

/// The OAuth error of the last refused answer (`AUTHCODE_ERROR_CODE_NONE` when the last
/// answer issued a token, or none was read).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`. Does not clear the last
/// error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_server_error(
    client: *const authcode_credentials_client,
    out: *mut authcode_error_code,
) -> authcode_result {
    guard(|| {
        // SAFETY: valid handle and out pointer, per the caller.
        let handle = unsafe { object(client)? };
        let code = handle
            .server_error
            .as_ref()
            .map_or(authcode_error_code::None, |error| {
                super::error_code(error.code())
            });
        // SAFETY: as above.
        unsafe { put(out, code) }
    })
}

/// Why the previous call on `client` failed, or the server's error and description (empty
/// when it succeeded). Reading it does not clear it.
///
/// Returns `AUTHCODE_RESULT_OK` with the length in `*out_len`;
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL` with the length needed in `*out_len` (at most
/// `AUTHCODE_LAST_ERROR_MAX`); `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_credentials_client_last_error(
    client: *const authcode_credentials_client,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    // SAFETY: valid handle and buffer, per the caller.
    guard(|| unsafe { object(client)?.last_error.copy_out(buf, len, out_len) })
}
