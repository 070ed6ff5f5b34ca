//! The client configuration: endpoints, client id, redirect URI, and the setters.

use authcode::client::{ClientConfig, ConfigError};

use super::{authcode_body_format, authcode_profile};
use crate::memory::{deinit, init_in};
use crate::result::{FfiResult, authcode_result};
use crate::util::{Failure, Handle, LastError, authcode_str, guard, on_mut, try_ref};

/// What a client configuration is built from. Text fields are `authcode_str`; when
/// `workfront_domain` is set (non-NULL `ptr`), the Workfront endpoints are built from it
/// and `profile`, `authorization_endpoint` and `token_endpoint` are ignored.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_client_config_params {
    /// One of `AUTHCODE_PROFILE_*`.
    pub profile: u32,
    /// The authorization endpoint (https, or http on loopback).
    pub authorization_endpoint: authcode_str,
    /// The token endpoint.
    pub token_endpoint: authcode_str,
    /// The client id.
    pub client_id: authcode_str,
    /// The redirect URI (https, loopback http, or a private-use scheme).
    pub redirect_uri: authcode_str,
    /// The organisation's Workfront domain, e.g. `acme.my.workfront.com`, or absent.
    pub workfront_domain: authcode_str,
}

/// A client configuration (opaque). Build it, adjust it with the setters, then start
/// sessions from it; a session copies what it needs, so the configuration may be freed
/// after.
pub struct authcode_client_config {
    pub(crate) config: ClientConfig,
    last_error: LastError<{ crate::sizes::AUTHCODE_LAST_ERROR_MAX }>,
}

impl Handle for authcode_client_config {
    fn failure(&self) -> &dyn Failure {
        &self.last_error
    }
}

impl authcode_client_config {
    fn build(params: &authcode_client_config_params) -> Result<Self, authcode_result> {
        // SAFETY: the caller of the `extern "C"` function promised valid string ranges.
        let read = |s: authcode_str| unsafe { crate::util::text(s.ptr, s.len) };
        let client_id = read(params.client_id)?;
        let redirect_uri = read(params.redirect_uri)?;
        let config = if params.workfront_domain.ptr.is_null() {
            let profile = authcode_profile::try_from(params.profile)?;
            let authorize = read(params.authorization_endpoint)?;
            let token = read(params.token_endpoint)?;
            ClientConfig::new(profile.into(), authorize, token, client_id, redirect_uri)
        } else {
            let domain = read(params.workfront_domain)?;
            ClientConfig::workfront(domain, client_id, redirect_uri)
        };
        config
            .map(|config| Self {
                config,
                last_error: LastError::new(),
            })
            .map_err(|_| authcode_result::InvalidConfig)
    }

    /// Applies `change` to a copy and keeps it only when it succeeds (a refused setter
    /// changes nothing).
    fn update(
        &mut self,
        change: impl FnOnce(ClientConfig) -> Result<ClientConfig, ConfigError>,
    ) -> FfiResult {
        match change(self.config.clone()) {
            Ok(config) => {
                self.config = config;
                Ok(())
            }
            Err(error) => {
                self.last_error.set(&error);
                Err(authcode_result::InvalidConfig)
            }
        }
    }
}

/// Creates a client configuration on the heap and stores it in `*out`; free it with
/// `authcode_client_config_free`. `params` and its text are read during the call only.
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER` (`params` or `out` NULL,
/// or a text field NULL with a length); `AUTHCODE_RESULT_INVALID_UTF8`;
/// `AUTHCODE_RESULT_INVALID_ARGUMENT` (unknown `profile`); `AUTHCODE_RESULT_INVALID_CONFIG`
/// (an endpoint, client id or redirect URI refused). On failure nothing is allocated and
/// `*out` is not written; there is no object to hold the reason, so validate values with
/// the rules of `authcode_client_config_set_*`.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_new(
    params: *const authcode_client_config_params,
    out: *mut *mut authcode_client_config,
) -> authcode_result {
    guard(|| {
        crate::util::check_out(out)?;
        let config = authcode_client_config::build(try_ref!(params))?;
        // SAFETY: `out` checked non-NULL.
        unsafe { crate::memory::boxed(config, out) }
    })
}

/// What a configuration from server metadata is built from (see
/// `authcode_client_config_from_metadata`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_discovery_params {
    /// One of `AUTHCODE_PROFILE_*` (`AUTHCODE_PROFILE_RFC` for any standard server,
    /// `AUTHCODE_PROFILE_ADOBE_IMS` for Adobe IMS).
    pub profile: u32,
    /// The issuer the app expects; the document's `issuer` must equal it exactly.
    pub issuer: authcode_str,
    /// The client id.
    pub client_id: authcode_str,
    /// The redirect URI.
    pub redirect_uri: authcode_str,
    /// A confidential client's secret, or absent (NULL `ptr`) for a public client; the
    /// authentication method is picked from `token_endpoint_auth_methods_supported`.
    pub client_secret: authcode_str,
}

/// Creates a client configuration from the authorization server's metadata — an RFC 8414
/// document or an OpenID Connect provider configuration that the host fetched — and
/// stores it in `*out`; free it with `authcode_client_config_free`. The document's
/// `issuer` must equal `params->issuer` exactly; its endpoints must be https (http only on
/// loopback); `code_challenge_methods_supported`, when present, must list `S256`;
/// `authorization_response_iss_parameter_supported: true` makes `iss` required on
/// redirects. `document`, `params` and their text are read during the call only.
///
/// `error_buf` / `error_buf_len` / `error_len` are optional (all may be NULL / 0): on
/// `AUTHCODE_RESULT_INVALID_CONFIG` the reason, naming the member at fault (for example
/// `server metadata: issuer is not the expected issuer (RFC 8414 §3.3)`), is written there,
/// cut at a character boundary to fit, and `*error_len` holds the bytes written (0 on
/// success). There is no object to hold the reason, since none is created on failure.
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER` (`params` or `out` NULL,
/// or `document` or a text field NULL with a length); `AUTHCODE_RESULT_INVALID_UTF8`;
/// `AUTHCODE_RESULT_INVALID_ARGUMENT` (unknown `profile`); `AUTHCODE_RESULT_INVALID_CONFIG`
/// (the document or the client's values refused). On failure nothing is allocated and
/// `*out` is not written.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_from_metadata(
    document: *const u8,
    document_len: usize,
    params: *const authcode_discovery_params,
    error_buf: *mut u8,
    error_buf_len: usize,
    error_len: *mut usize,
    out: *mut *mut authcode_client_config,
) -> authcode_result {
    guard(|| {
        crate::util::check_out(out)?;
        let params = try_ref!(params);
        // SAFETY: the caller promised valid ranges for the document and the text fields.
        let document = unsafe { crate::util::bytes(document, document_len)? };
        // SAFETY: as above.
        let read = |s: authcode_str| unsafe { crate::util::text(s.ptr, s.len) };
        let profile = authcode_profile::try_from(params.profile)?;
        let secret = if params.client_secret.ptr.is_null() {
            None
        } else {
            Some(read(params.client_secret)?)
        };
        let discovery = authcode::client::Discovery {
            issuer: read(params.issuer)?,
            client_id: read(params.client_id)?,
            redirect_uri: read(params.redirect_uri)?,
            profile: profile.into(),
            client_secret: secret,
            auth_method: None,
        };
        let mut reason = heapless::String::<{ crate::sizes::AUTHCODE_LAST_ERROR_MAX }>::new();
        let built = ClientConfig::from_metadata(document, &discovery).map_err(|error| {
            reason = crate::util::describe(&error);
            authcode_result::InvalidConfig
        });
        if !error_len.is_null() {
            let written = if error_buf.is_null() {
                0
            } else {
                let cut = (0..=error_buf_len.min(reason.len()))
                    .rev()
                    .find(|&at| reason.is_char_boundary(at))
                    .unwrap_or(0);
                // SAFETY: the caller promised `error_buf_len` writable bytes at `error_buf`.
                let target = unsafe { core::slice::from_raw_parts_mut(error_buf, cut) };
                target.copy_from_slice(reason.as_bytes().get(..cut).unwrap_or_default());
                cut
            };
            // SAFETY: `error_len` is non-NULL and, per the caller, writable.
            unsafe { error_len.write(written) };
        }
        let config = authcode_client_config {
            config: built?,
            last_error: LastError::new(),
        };
        // SAFETY: `out` checked non-NULL.
        unsafe { crate::memory::boxed(config, out) }
    })
}

/// Frees a configuration from `authcode_client_config_new`, wiping its client secret.
/// NULL is a no-op. Sessions started from it are not affected.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_free(config: *mut authcode_client_config) {
    // SAFETY: from `authcode_client_config_new`, per the caller.
    unsafe { crate::memory::free(config) }
}

/// Bytes of storage `authcode_client_config_init` needs.
#[unsafe(no_mangle)]
pub extern "C" fn authcode_client_config_size() -> usize {
    core::mem::size_of::<authcode_client_config>()
}

/// Alignment `authcode_client_config_init` needs.
#[unsafe(no_mangle)]
pub extern "C" fn authcode_client_config_align() -> usize {
    core::mem::align_of::<authcode_client_config>()
}

/// Builds a configuration in caller storage (`storage_len` ≥ `_size()`, aligned to
/// `_align()`), for hosts without an allocator; `*out` then points into `storage`, which
/// must stay valid and unmoved until `authcode_client_config_deinit`.
///
/// Returns as `authcode_client_config_new` (`AUTHCODE_RESULT_OK`,
/// `AUTHCODE_RESULT_NULL_POINTER`, `AUTHCODE_RESULT_INVALID_UTF8`,
/// `AUTHCODE_RESULT_INVALID_ARGUMENT`, `AUTHCODE_RESULT_INVALID_CONFIG`), and
/// `AUTHCODE_RESULT_STORAGE_TOO_SMALL` / `AUTHCODE_RESULT_STORAGE_MISALIGNED`. On failure
/// the storage holds no object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_init(
    storage: *mut u8,
    storage_len: usize,
    params: *const authcode_client_config_params,
    out: *mut *mut authcode_client_config,
) -> authcode_result {
    guard(|| {
        let params = try_ref!(params);
        // SAFETY: storage contract forwarded from the caller.
        unsafe {
            init_in(
                storage,
                storage_len,
                || authcode_client_config::build(params),
                out,
            )
        }
    })
}

/// Ends a configuration made by `authcode_client_config_init` (wipes its secret). NULL is
/// a no-op. The storage may then be reused.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_deinit(config: *mut authcode_client_config) {
    // SAFETY: from `_init`, per the caller.
    unsafe { deinit(config) }
}

/// Applies a setter that takes one text value.
fn set_text(
    config: *mut authcode_client_config,
    value: *const u8,
    value_len: usize,
    change: impl FnOnce(ClientConfig, &str) -> Result<ClientConfig, ConfigError>,
) -> authcode_result {
    on_mut(config, |handle| {
        let value = crate::util::try_text!(value, value_len);
        handle.update(|config| change(config, value))
    })
}

/// Sets the requested scope (space-separated).
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER`;
/// `AUTHCODE_RESULT_INVALID_UTF8`; `AUTHCODE_RESULT_INVALID_CONFIG` (malformed scope). On
/// failure the configuration is unchanged and `authcode_client_config_last_error` says why.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_set_scope(
    config: *mut authcode_client_config,
    value: *const u8,
    value_len: usize,
) -> authcode_result {
    set_text(config, value, value_len, |config, value| {
        config.with_scope(value)
    })
}

/// Expects `iss` on redirects equal to this issuer (RFC 9207).
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER`;
/// `AUTHCODE_RESULT_INVALID_UTF8`; `AUTHCODE_RESULT_INVALID_CONFIG` (not an https URL).
/// On failure the configuration is unchanged and `authcode_client_config_last_error` says why.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_set_issuer(
    config: *mut authcode_client_config,
    value: *const u8,
    value_len: usize,
) -> authcode_result {
    set_text(config, value, value_len, |config, value| {
        config.with_issuer(value)
    })
}

/// Authenticates with `Authorization: Basic` and this secret (web apps). The secret is
/// copied and wiped when the configuration is freed.
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER`;
/// `AUTHCODE_RESULT_INVALID_UTF8`; `AUTHCODE_RESULT_INVALID_CONFIG` (empty or too long).
/// On failure the configuration is unchanged and `authcode_client_config_last_error` says why.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_set_client_secret_basic(
    config: *mut authcode_client_config,
    value: *const u8,
    value_len: usize,
) -> authcode_result {
    set_text(config, value, value_len, |config, value| {
        config.with_client_secret_basic(value)
    })
}

/// Authenticates with `client_id` + `client_secret` in the body. The secret is copied and
/// wiped when the configuration is freed.
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER`;
/// `AUTHCODE_RESULT_INVALID_UTF8`; `AUTHCODE_RESULT_INVALID_CONFIG` (empty or too long).
/// On failure the configuration is unchanged and `authcode_client_config_last_error` says why.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_set_client_secret_post(
    config: *mut authcode_client_config,
    value: *const u8,
    value_len: usize,
) -> authcode_result {
    set_text(config, value, value_len, |config, value| {
        config.with_client_secret_post(value)
    })
}

/// Sets the RFC 7009 revocation endpoint.
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER`;
/// `AUTHCODE_RESULT_INVALID_UTF8`; `AUTHCODE_RESULT_INVALID_CONFIG` (not https, nor http on
/// loopback). On failure the configuration is unchanged and
/// `authcode_client_config_last_error` says why.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_set_revocation_endpoint(
    config: *mut authcode_client_config,
    value: *const u8,
    value_len: usize,
) -> authcode_result {
    set_text(config, value, value_len, |config, value| {
        config.with_revocation_endpoint(value)
    })
}

/// Adds an authorization request parameter such as `prompt=login`.
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER`;
/// `AUTHCODE_RESULT_INVALID_UTF8`; `AUTHCODE_RESULT_INVALID_CONFIG` (a reserved name such as
/// `state`, a duplicate, or no room left). On failure the configuration is unchanged and
/// `authcode_client_config_last_error` says why.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_add_authorization_parameter(
    config: *mut authcode_client_config,
    name: *const u8,
    name_len: usize,
    value: *const u8,
    value_len: usize,
) -> authcode_result {
    on_mut(config, |handle| {
        let name = crate::util::try_text!(name, name_len);
        let value = crate::util::try_text!(value, value_len);
        handle.update(|config| config.with_authorization_parameter(name, value))
    })
}

/// Overrides the token request body format (`AUTHCODE_BODY_FORMAT_*`).
///
/// Returns `AUTHCODE_RESULT_OK`; `AUTHCODE_RESULT_NULL_POINTER`;
/// `AUTHCODE_RESULT_INVALID_ARGUMENT` (an unknown format; the configuration is unchanged).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_set_body_format(
    config: *mut authcode_client_config,
    format: u32,
) -> authcode_result {
    on_mut(config, |handle| {
        let format = authcode_body_format::try_from(format)?;
        handle.update(|config| Ok(config.with_body_format(format.into())))
    })
}

/// Checks OpenID Connect ID tokens when the scope has `openid`: sessions started from this
/// configuration send a nonce (256 bits, saved with the pending login) and require a
/// verified ID token — answer the code exchange with
/// `authcode_session_on_token_response_verified` and the issuer's JWK Set. Needs an issuer
/// (`authcode_client_config_set_issuer`, or discovery) to compare `iss` with.
///
/// Returns `AUTHCODE_RESULT_OK` or `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_check_id_tokens(
    config: *mut authcode_client_config,
) -> authcode_result {
    on_mut(config, |handle| {
        handle.update(|config| Ok(config.checking_id_tokens()))
    })
}

/// Seconds before expiry at which a refresh becomes due (default 60).
///
/// Returns `AUTHCODE_RESULT_OK` or `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_set_refresh_margin(
    config: *mut authcode_client_config,
    seconds: u64,
) -> authcode_result {
    on_mut(config, |handle| {
        handle.update(|config| Ok(config.with_refresh_margin(seconds)))
    })
}

/// Why the previous call on `config` failed, as UTF-8 text (empty when it succeeded).
/// Reading it does not clear it.
///
/// Returns `AUTHCODE_RESULT_OK` with the length in `*out_len`;
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL` with the length needed in `*out_len` (at most `AUTHCODE_LAST_ERROR_MAX`);
/// `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_client_config_last_error(
    config: *const authcode_client_config,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    guard(|| {
        let handle = try_ref!(config);
        // SAFETY: buffer contract forwarded from the caller.
        unsafe { handle.last_error.copy_out(buf, len, out_len) }
    })
}
