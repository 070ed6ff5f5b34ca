//! The client session: authorize URL, redirect, token exchange, refresh, revocation,
//! save and restore.

use authcode::Timestamp;
use authcode::client::{
    ClientError, RedirectOutcome, RefreshOutcome, SaveKey, ServerError, Session, TokenOutcome,
};

use super::{
    authcode_client_config, authcode_error_code, authcode_http_request, authcode_redirect_outcome,
    authcode_refresh_outcome, authcode_stage, authcode_token_kind, authcode_token_outcome,
    authcode_token_type, error_code,
};
use crate::memory::{deinit, init_in};
use crate::result::{FfiResult, authcode_result};
use crate::rng::{Rng, authcode_rng};
use crate::util::{
    Failure, Handle, LastError, buffer, check_out, copy_out, guard, object, object_mut, put,
    recorded, report_len,
};

/// A client session (opaque).
pub struct authcode_session {
    session: Session,
    last_error: LastError<{ crate::sizes::AUTHCODE_LAST_ERROR_MAX }>,
    server_error: Option<ServerError>,
}

impl Handle for authcode_session {
    fn failure(&self) -> &dyn Failure {
        &self.last_error
    }
}

impl authcode_session {
    fn record(&mut self, error: ClientError) -> authcode_result {
        self.last_error.set(&error);
        match error {
            ClientError::WrongStage { .. } => authcode_result::WrongState,
            ClientError::Randomness => authcode_result::Randomness,
            ClientError::BufferTooSmall(_) => authcode_result::BufferTooSmall,
            ClientError::Redirect(_) => authcode_result::RedirectRefused,
            ClientError::Response(_) => authcode_result::ResponseUnreadable,
            ClientError::RefreshInFlight => authcode_result::RefreshInFlight,
            ClientError::NoRefreshToken => authcode_result::NoRefreshToken,
            ClientError::NoRevocationEndpoint => authcode_result::NoRevocationEndpoint,
            ClientError::IdToken(_) => authcode_result::IdTokenRefused,
            ClientError::Signing(_) => authcode_result::SigningFailed,
            _ => authcode_result::ResponseUnreadable,
        }
    }

    fn server_said(&mut self, error: ServerError) {
        self.last_error.set(&error);
        self.server_error = Some(error);
    }
}

fn start(
    config: *const authcode_client_config,
    rng: *const authcode_rng,
    now: u64,
) -> Result<authcode_session, authcode_result> {
    // SAFETY: valid handles when non-NULL, per the caller of the extern function.
    let (config, mut rng) = unsafe { (object(config)?, Rng::from_ptr(rng)?) };
    let session = Session::start(
        config.config.clone(),
        &mut rng,
        Timestamp::from_unix_seconds(now),
    )
    .map_err(|_| authcode_result::Randomness)?;
    Ok(authcode_session {
        session,
        last_error: LastError::new(),
        server_error: None,
    })
}

/// Starts a login on the heap: a fresh PKCE verifier and state from `rng` (NULL: the OS
/// source). `now` is Unix seconds. Free with `authcode_session_free`.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_RANDOMNESS`. On failure nothing is allocated and `*out` is not written.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_new(
    config: *const authcode_client_config,
    rng: *const authcode_rng,
    now: u64,
    out: *mut *mut authcode_session,
) -> authcode_result {
    guard(|| {
        check_out(out)?;
        let session = start(config, rng, now)?;
        // SAFETY: `out` checked non-NULL.
        unsafe { crate::memory::boxed(session, out) }
    })
}

/// Frees a session from `authcode_session_new`, wiping its secrets. NULL is a no-op.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_free(session: *mut authcode_session) {
    // SAFETY: from `authcode_session_new`, per the caller.
    unsafe { crate::memory::free(session) }
}

/// Bytes of storage `authcode_session_init` needs.
#[unsafe(no_mangle)]
pub extern "C" fn authcode_session_size() -> usize {
    core::mem::size_of::<authcode_session>()
}

/// Alignment `authcode_session_init` needs.
#[unsafe(no_mangle)]
pub extern "C" fn authcode_session_align() -> usize {
    core::mem::align_of::<authcode_session>()
}

/// `authcode_session_new` in caller storage (≥ `_size()`, aligned to `_align()`), valid
/// until `authcode_session_deinit`.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_RANDOMNESS`, `AUTHCODE_RESULT_STORAGE_TOO_SMALL`,
/// `AUTHCODE_RESULT_STORAGE_MISALIGNED`. On failure the storage holds no object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_init(
    storage: *mut u8,
    storage_len: usize,
    config: *const authcode_client_config,
    rng: *const authcode_rng,
    now: u64,
    out: *mut *mut authcode_session,
) -> authcode_result {
    // SAFETY: storage contract forwarded from the caller.
    guard(|| unsafe { init_in(storage, storage_len, || start(config, rng, now), out) })
}

/// Ends a session made by `authcode_session_init`, wiping its secrets. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_deinit(session: *mut authcode_session) {
    // SAFETY: from `_init`, per the caller.
    unsafe { deinit(session) }
}

/// The session's stage.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_stage(
    session: *const authcode_session,
    out: *mut authcode_stage,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle and out pointer, per the caller.
        let handle = unsafe { object(session)? };
        let stage = authcode_stage::from(handle.session.stage());
        // SAFETY: as above.
        unsafe { put(out, stage) }
    })
}

/// Writes the authorization URL to open in the system browser.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL`, `AUTHCODE_RESULT_WRONG_STATE`. `*out_len`: the URL's
/// length, or on `AUTHCODE_RESULT_BUFFER_TOO_SMALL` the size needed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_authorize_url(
    session: *mut authcode_session,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    recorded(session, || {
        check_out(out_len)?;
        // SAFETY: valid handle and buffer, per the caller.
        let (handle, buffer) = unsafe { (object_mut(session)?, buffer(buf, len)?) };
        let result = match handle.session.authorize_url(buffer) {
            Ok(url) => Ok(url.len()),
            Err(ClientError::BufferTooSmall(too_small)) => Err(too_small),
            Err(error) => return Err(handle.record(error)),
        };
        // SAFETY: checked non-NULL.
        unsafe { report_len(result, out_len) }
    })
}

/// Reads the redirect (full URL, request target or query). On
/// `AUTHCODE_RESULT_REDIRECT_REFUSED` the session is unchanged and
/// `authcode_session_last_error` says why.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_on_redirect(
    session: *mut authcode_session,
    redirect: *const u8,
    redirect_len: usize,
    out: *mut authcode_redirect_outcome,
) -> authcode_result {
    recorded(session, || {
        check_out(out)?;
        // SAFETY: valid handle and byte range, per the caller.
        let (handle, redirect) = unsafe {
            (
                object_mut(session)?,
                crate::util::bytes(redirect, redirect_len)?,
            )
        };
        let outcome = match handle.session.on_redirect(redirect) {
            Ok(RedirectOutcome::CodeReceived) => authcode_redirect_outcome::CodeReceived,
            Ok(RedirectOutcome::Denied(error)) => {
                handle.server_said(error);
                authcode_redirect_outcome::Denied
            }
            Err(error) => return Err(handle.record(error)),
        };
        // SAFETY: checked non-NULL.
        unsafe { put(out, outcome) }
    })
}

fn request_out(
    handle: &mut authcode_session,
    build: impl FnOnce(&mut Session, &mut [u8]) -> Result<authcode_http_request, ClientError>,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    out: *mut authcode_http_request,
) -> FfiResult {
    check_out(out_len)?;
    check_out(out)?;
    // SAFETY: buffer contract from the caller.
    let buffer = unsafe { buffer(buf, len)? };
    match build(&mut handle.session, buffer) {
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
        Err(error) => Err(handle.record(error)),
    }
}

/// Writes the token request that exchanges the code. `*out` points into `buf` and the
/// session; send it as is.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL`, `AUTHCODE_RESULT_WRONG_STATE`. `*out_len`: the bytes
/// of `buf` used, or the size needed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_token_request(
    session: *mut authcode_session,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    out: *mut authcode_http_request,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(session)? };
        request_out(
            handle,
            |session, buffer| session.token_request(buffer).map(Into::into),
            buf,
            len,
            out_len,
            out,
        )
    })
}

/// Reads the token endpoint's answer to the code exchange (`status`, body, `now`). An
/// `id_token` in it is not read — unless the configuration checks ID tokens and the scope
/// has `openid`: then use `authcode_session_on_token_response_verified`; this call
/// returns `AUTHCODE_RESULT_ID_TOKEN_REFUSED` ("a JWK Set is needed").
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_WRONG_STATE`, `AUTHCODE_RESULT_RESPONSE_UNREADABLE`,
/// `AUTHCODE_RESULT_ID_TOKEN_REFUSED` (the session is then unchanged; `*out` says what the
/// server answered on success).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_on_token_response(
    session: *mut authcode_session,
    status: u16,
    body: *const u8,
    body_len: usize,
    now: u64,
    out: *mut authcode_token_outcome,
) -> authcode_result {
    recorded(session, || {
        check_out(out)?;
        // SAFETY: valid handle and byte range, per the caller.
        let (handle, body) = unsafe { (object_mut(session)?, crate::util::bytes(body, body_len)?) };
        let outcome =
            match handle
                .session
                .on_token_response(status, body, Timestamp::from_unix_seconds(now))
            {
                Ok(TokenOutcome::Authorized) => authcode_token_outcome::Authorized,
                Ok(TokenOutcome::Rejected(error)) => {
                    handle.server_said(error);
                    authcode_token_outcome::Rejected
                }
                Err(error) => return Err(handle.record(error)),
            };
        // SAFETY: checked non-NULL.
        unsafe { put(out, outcome) }
    })
}

/// Reads the token endpoint's answer to the code exchange as
/// `authcode_session_on_token_response` does, and checks the OpenID Connect ID token of a
/// successful answer against `jwk_set` — the issuer's JWK Set document (from discovery's
/// `jwks_uri`), as the host fetched it: the signature (the key chosen by `kid` and
/// algorithm; RS256, ES256, EdDSA; `none` and HMAC refused), `iss` equal to the
/// configured issuer, `aud` containing the client id, `azp` when there are several
/// audiences, `exp` / `iat` within 60 s, and the `nonce` this login sent. The verified
/// `sub` becomes `authcode_session_subject`; the ID token is kept
/// (`authcode_session_id_token`). When the configuration checks ID tokens
/// (`authcode_client_config_check_id_tokens`) and the scope has `openid`, an answer
/// without one is refused. `body` and `jwk_set` are read during the call only.
///
/// `session` and `out` must not be NULL; `body` / `jwk_set` may be NULL only with length 0.
/// Returns `AUTHCODE_RESULT_OK` (`*out`: what the server answered),
/// `AUTHCODE_RESULT_NULL_POINTER`, `AUTHCODE_RESULT_WRONG_STATE`,
/// `AUTHCODE_RESULT_RESPONSE_UNREADABLE`, `AUTHCODE_RESULT_ID_TOKEN_REFUSED` (the ID token
/// is missing or fails a check, or the JWK Set is unreadable; `authcode_session_last_error`
/// names the check). On any failure the session is unchanged, still awaiting the token.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_on_token_response_verified(
    session: *mut authcode_session,
    status: u16,
    body: *const u8,
    body_len: usize,
    jwk_set: *const u8,
    jwk_set_len: usize,
    now: u64,
    out: *mut authcode_token_outcome,
) -> authcode_result {
    recorded(session, || {
        check_out(out)?;
        // SAFETY: valid handle and byte ranges, per the caller.
        let (handle, body, jwk_set) = unsafe {
            (
                object_mut(session)?,
                crate::util::bytes(body, body_len)?,
                crate::util::bytes(jwk_set, jwk_set_len)?,
            )
        };
        let answer = handle.session.on_token_response_verified(
            status,
            body,
            Timestamp::from_unix_seconds(now),
            jwk_set,
        );
        let outcome = match answer {
            Ok(TokenOutcome::Authorized) => authcode_token_outcome::Authorized,
            Ok(TokenOutcome::Rejected(error)) => {
                handle.server_said(error);
                authcode_token_outcome::Rejected
            }
            Err(error) => return Err(handle.record(error)),
        };
        // SAFETY: checked non-NULL.
        unsafe { put(out, outcome) }
    })
}

/// Copies the OpenID Connect ID token `authcode_session_on_token_response_verified`
/// checked, in compact serialization (for `id_token_hint` at logout, or to read more of
/// its claims), into `buf` (`len` bytes; 4096 always suffice). `*out_len` is 0 when the
/// session holds none (no ID token was checked, or the session was restored: saves carry
/// its verified `sub`, not the token). A refresh keeps it.
///
/// `session` and `out_len` must not be NULL; `buf` may be NULL only when `len` is 0.
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_BUFFER_TOO_SMALL` (the size needed in
/// `*out_len`), `AUTHCODE_RESULT_NULL_POINTER`, `AUTHCODE_RESULT_WRONG_STATE` (no tokens
/// held). The session is not changed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_id_token(
    session: *const authcode_session,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object(session)? };
        let tokens = handle.session.tokens().ok_or(authcode_result::WrongState)?;
        let id_token = tokens.id_token().unwrap_or_default();
        // SAFETY: buffer contract from the caller.
        unsafe { copy_out(id_token.as_bytes(), buf, len, out_len) }
    })
}

/// Whether a refresh is due at `now` (`*out`).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_refresh_due(
    session: *const authcode_session,
    now: u64,
    out: *mut bool,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle and out pointer, per the caller.
        let handle = unsafe { object(session)? };
        // SAFETY: as above.
        unsafe {
            put(
                out,
                handle
                    .session
                    .refresh_due(Timestamp::from_unix_seconds(now)),
            )
        }
    })
}

/// Writes the refresh request and marks a refresh in flight.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL`, `AUTHCODE_RESULT_WRONG_STATE`,
/// `AUTHCODE_RESULT_REFRESH_IN_FLIGHT`, `AUTHCODE_RESULT_NO_REFRESH_TOKEN`. On failure no
/// refresh is marked in flight.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_refresh_request(
    session: *mut authcode_session,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    out: *mut authcode_http_request,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(session)? };
        request_out(
            handle,
            |session, buffer| session.refresh_request(buffer).map(Into::into),
            buf,
            len,
            out_len,
            out,
        )
    })
}

/// Forgets an in-flight refresh that will never be answered.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_cancel_refresh(
    session: *mut authcode_session,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(session)? };
        handle.session.cancel_refresh();
        Ok(())
    })
}

/// Reads the answer to the refresh request.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_WRONG_STATE`, `AUTHCODE_RESULT_RESPONSE_UNREADABLE`. (the session is
/// then unchanged).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_on_refresh_response(
    session: *mut authcode_session,
    status: u16,
    body: *const u8,
    body_len: usize,
    now: u64,
    out: *mut authcode_refresh_outcome,
) -> authcode_result {
    recorded(session, || {
        check_out(out)?;
        // SAFETY: valid handle and byte range, per the caller.
        let (handle, body) = unsafe { (object_mut(session)?, crate::util::bytes(body, body_len)?) };
        let outcome = match handle.session.on_refresh_response(
            status,
            body,
            Timestamp::from_unix_seconds(now),
        ) {
            Ok(RefreshOutcome::Refreshed) => authcode_refresh_outcome::Refreshed,
            Ok(RefreshOutcome::SignInRequired(error)) => {
                handle.server_said(error);
                authcode_refresh_outcome::SignInRequired
            }
            Ok(RefreshOutcome::Rejected(error)) => {
                handle.server_said(error);
                authcode_refresh_outcome::Rejected
            }
            Err(error) => return Err(handle.record(error)),
        };
        // SAFETY: checked non-NULL.
        unsafe { put(out, outcome) }
    })
}

/// Writes an RFC 7009 revocation request for the access or refresh token
/// (`AUTHCODE_TOKEN_KIND_*`).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_ARGUMENT`, `AUTHCODE_RESULT_BUFFER_TOO_SMALL`,
/// `AUTHCODE_RESULT_WRONG_STATE`, `AUTHCODE_RESULT_NO_REVOCATION_ENDPOINT`,
/// `AUTHCODE_RESULT_NO_REFRESH_TOKEN`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_revocation_request(
    session: *mut authcode_session,
    kind: u32,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    out: *mut authcode_http_request,
) -> authcode_result {
    recorded(session, || {
        let which = authcode_token_kind::try_from(kind)?.into();
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(session)? };
        request_out(
            handle,
            |session, buffer| session.revocation_request(which, buffer).map(Into::into),
            buf,
            len,
            out_len,
            out,
        )
    })
}

/// Ends the session: wipes its tokens or pending login.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_sign_out(
    session: *mut authcode_session,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle, per the caller.
        unsafe { object_mut(session)? }.session.sign_out();
        Ok(())
    })
}

/// Copies the access token (`AUTHCODE_RESULT_WRONG_STATE` without tokens).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_access_token(
    session: *const authcode_session,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object(session)? };
        let tokens = handle.session.tokens().ok_or(authcode_result::WrongState)?;
        // SAFETY: buffer contract from the caller.
        unsafe { copy_out(tokens.access_token().as_bytes(), buf, len, out_len) }
    })
}

/// Copies the refresh token (`AUTHCODE_RESULT_NO_REFRESH_TOKEN` when none).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_refresh_token(
    session: *const authcode_session,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object(session)? };
        let tokens = handle.session.tokens().ok_or(authcode_result::WrongState)?;
        let token = tokens
            .refresh_token()
            .ok_or(authcode_result::NoRefreshToken)?;
        // SAFETY: buffer contract from the caller.
        unsafe { copy_out(token.as_bytes(), buf, len, out_len) }
    })
}

/// Copies the subject (`sub`) the token response carried — Adobe IMS sends it — into `buf`
/// (`len` bytes; 256 always suffice). `*out_len` is 0 when the server gave none.
///
/// `session` and `out_len` must not be NULL; `buf` may be NULL only when `len` is 0 (to
/// ask for the size). The session is not changed. Returns `AUTHCODE_RESULT_OK`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL` (the size needed in `*out_len`),
/// `AUTHCODE_RESULT_NULL_POINTER`, `AUTHCODE_RESULT_WRONG_STATE` (no tokens held).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_subject(
    session: *const authcode_session,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object(session)? };
        let tokens = handle.session.tokens().ok_or(authcode_result::WrongState)?;
        let subject = tokens.subject().unwrap_or_default();
        // SAFETY: buffer contract from the caller.
        unsafe { copy_out(subject.as_bytes(), buf, len, out_len) }
    })
}

/// The token type and the access token's expiry: `*expires_at` is Unix seconds, or 0
/// when the server gave none.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_WRONG_STATE`. (no tokens held).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_token_info(
    session: *const authcode_session,
    token_type: *mut authcode_token_type,
    expires_at: *mut u64,
) -> authcode_result {
    recorded(session, || {
        check_out(token_type)?;
        check_out(expires_at)?;
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object(session)? };
        let tokens = handle.session.tokens().ok_or(authcode_result::WrongState)?;
        let kind = authcode_token_type::from(tokens.token_type());
        // SAFETY: checked non-NULL.
        unsafe {
            put(token_type, kind)?;
            put(
                expires_at,
                tokens.expires_at().map_or(0, Timestamp::unix_seconds),
            )
        }
    })
}

/// Saves the session into `buf` (`len` bytes; `AUTHCODE_SAVED_SESSION_MAX`, 8192, always suffice), closed by an unkeyed
/// checksum; see `authcode_session_save_keyed` for saves that cannot be forged. The bytes
/// hold secrets: store them in the Keychain / Keystore. The session is not changed.
///
/// `session` and `out_len` must not be NULL; `buf` may be NULL only when `len` is 0 (to
/// ask for the size). Returns `AUTHCODE_RESULT_OK` with the bytes written in `*out_len`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL` with the size needed in `*out_len`, or
/// `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_save(
    session: *const authcode_session,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    // SAFETY: the caller's guarantees are this function's.
    recorded(session, || unsafe {
        save_sealed(session, None, buf, len, out_len)
    })
}

/// Saves the session as `authcode_session_save` does, authenticated with HMAC-SHA-256
/// under the `key_len` bytes at `key` (16..=64 random bytes the host keeps in the
/// Keychain / Android Keystore, apart from the saves). Such a save restores only through
/// `authcode_session_restore_keyed` with the same key. `key` is read during the call and
/// not kept (authcode's copy is wiped before return).
///
/// NULL handling and results as `authcode_session_save`, and
/// `AUTHCODE_RESULT_NULL_POINTER` for a NULL `key`, `AUTHCODE_RESULT_INVALID_ARGUMENT`
/// when `key_len` is outside 16..=64.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_save_keyed(
    session: *const authcode_session,
    key: *const u8,
    key_len: usize,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: a valid byte range, per the caller.
        let key = unsafe { save_key(key, key_len)? };
        // SAFETY: the caller's guarantees are this function's.
        unsafe { save_sealed(session, Some(&key), buf, len, out_len) }
    })
}

/// The key bytes as a `SaveKey`: NULL is `NullPointer`, a length outside 16..=64
/// `InvalidArgument`.
///
/// # Safety
///
/// `key` points to `key_len` readable bytes (or is NULL).
unsafe fn save_key(key: *const u8, key_len: usize) -> Result<SaveKey, authcode_result> {
    if key.is_null() {
        return Err(authcode_result::NullPointer);
    }
    // SAFETY: non-NULL and `key_len` bytes, per the caller.
    let bytes = unsafe { crate::util::bytes(key, key_len)? };
    SaveKey::new(bytes).map_err(|_| authcode_result::InvalidArgument)
}

/// # Safety
///
/// As `authcode_session_save`.
unsafe fn save_sealed(
    session: *const authcode_session,
    key: Option<&SaveKey>,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> FfiResult {
    check_out(out_len)?;
    // SAFETY: valid handle and buffer, per the caller.
    let (handle, buffer) = unsafe { (object(session)?, buffer(buf, len)?) };
    let saved = match key {
        Some(key) => handle.session.save_keyed(key, buffer),
        None => handle.session.save(buffer),
    };
    let result = match saved {
        Ok(saved) => Ok(saved.len()),
        Err(ClientError::BufferTooSmall(too_small)) => Err(too_small),
        Err(_) => return Err(authcode_result::WrongState),
    };
    // SAFETY: checked non-NULL.
    unsafe { report_len(result, out_len) }
}

/// Replaces the session's state with saved bytes (from `authcode_session_save` under the
/// same client configuration, by this version or an earlier one). `saved` is read during
/// the call and not kept.
///
/// `session` must not be NULL; `saved` may be NULL only when `saved_len` is 0. Returns
/// `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`, or
/// `AUTHCODE_RESULT_RESTORE_FAILED` — the session is then unchanged and
/// `authcode_session_last_error` says why (not a saved session, truncated, corrupted,
/// saved with a key, another client configuration, an invalid field).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_restore(
    session: *mut authcode_session,
    saved: *const u8,
    saved_len: usize,
) -> authcode_result {
    // SAFETY: the caller's guarantees are this function's.
    recorded(session, || unsafe {
        restore_sealed(session, None, saved, saved_len)
    })
}

/// Replaces the session's state with bytes from `authcode_session_save_keyed`, made with
/// the same `key_len` bytes at `key` and under the same client configuration. A save
/// whose bytes changed, one made with another key, and an unkeyed save (anyone who can
/// write the saves can write one of those) fail with `AUTHCODE_RESULT_RESTORE_FAILED`
/// and the last error "… not authenticated by the key given …". To move an app to keyed
/// saves, restore its old save once with `authcode_session_restore`, then save it with
/// `authcode_session_save_keyed`. `key` and `saved` are read during the call and not kept.
///
/// NULL handling and results as `authcode_session_restore`, and
/// `AUTHCODE_RESULT_NULL_POINTER` for a NULL `key`, `AUTHCODE_RESULT_INVALID_ARGUMENT`
/// when `key_len` is outside 16..=64. On any failure the session is unchanged.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_restore_keyed(
    session: *mut authcode_session,
    key: *const u8,
    key_len: usize,
    saved: *const u8,
    saved_len: usize,
) -> authcode_result {
    recorded(session, || {
        // SAFETY: a valid byte range, per the caller.
        let key = unsafe { save_key(key, key_len)? };
        // SAFETY: the caller's guarantees are this function's.
        unsafe { restore_sealed(session, Some(&key), saved, saved_len) }
    })
}

/// # Safety
///
/// As `authcode_session_restore`.
unsafe fn restore_sealed(
    session: *mut authcode_session,
    key: Option<&SaveKey>,
    saved: *const u8,
    saved_len: usize,
) -> FfiResult {
    // SAFETY: valid handle and byte range, per the caller.
    let (handle, saved) = unsafe { (object_mut(session)?, crate::util::bytes(saved, saved_len)?) };
    let config = handle.session.config().clone();
    let restored = match key {
        Some(key) => Session::restore_keyed(config, saved, key),
        None => Session::restore(config, saved),
    };
    match restored {
        Ok(restored) => {
            handle.session = restored;
            handle.server_error = None;
            Ok(())
        }
        Err(error) => {
            handle.last_error.set(&error);
            Err(authcode_result::RestoreFailed)
        }
    }
}

/// The last server error the session saw (`AUTHCODE_ERROR_CODE_NONE` when none).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`. Does not clear the last
/// error.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_server_error(
    session: *const authcode_session,
    out: *mut authcode_error_code,
) -> authcode_result {
    guard(|| {
        // SAFETY: valid handle and out pointer, per the caller.
        let handle = unsafe { object(session)? };
        let code = handle
            .server_error
            .as_ref()
            .map_or(authcode_error_code::None, |error| error_code(error.code()));
        // SAFETY: as above.
        unsafe { put(out, code) }
    })
}

/// The last failure as text: why a call failed, or the server's error and description.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL`. `*out_len`: the text's length (at most `AUTHCODE_LAST_ERROR_MAX`), or the
/// size needed. Does not clear it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_session_last_error(
    session: *const authcode_session,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    // SAFETY: valid handle and buffer, per the caller.
    guard(|| unsafe { object(session)?.last_error.copy_out(buf, len, out_len) })
}
