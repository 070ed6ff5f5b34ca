//! The C ABI exercised from Rust, so Miri can check the unsafe boundary: NULL pointers,
//! short buffers, wrong states, invalid UTF-8, caller-provided storage, and a whole flow.
//! (`cargo +nightly miri test -p authcode-ffi --test abi`.)

#![cfg(test)]
// lets clippy treat helpers as test code (see clippy.toml)
// These tests call the C ABI, which is unsafe by nature; each block states why it is sound.
#![allow(unsafe_code)]

use core::ffi::c_void;
use core::ptr::{null, null_mut};

use authcode_ffi::authcode_result as R;
use authcode_ffi::authcode_str;
use authcode_ffi::client::*;
use authcode_ffi::pkce::*;
use authcode_ffi::rng::authcode_rng;
use authcode_ffi::server::*;

unsafe extern "C" fn counter(context: *mut c_void, buf: *mut u8, len: usize) -> i32 {
    // SAFETY: the tests pass a valid `u8` counter as context and a valid buffer.
    unsafe {
        let state = &mut *context.cast::<u8>();
        for i in 0..len {
            *state = state.wrapping_mul(31).wrapping_add(17);
            *buf.add(i) = *state;
        }
    }
    0
}

fn rng(state: &mut u8) -> authcode_rng {
    authcode_rng {
        context: (state as *mut u8).cast(),
        fill: Some(counter),
    }
}

#[test]
fn pkce_null_pointers_short_buffers_and_bad_input() {
    let mut state = 1u8;
    let rng = rng(&mut state);
    let mut buf = [0u8; 64];
    let mut len = 0usize;
    // SAFETY: every pointer is valid or deliberately NULL; lengths match the buffers.
    unsafe {
        assert_eq!(
            authcode_pkce_generate(&rng, 43, buf.as_mut_ptr(), buf.len(), &mut len),
            R::Ok
        );
        assert_eq!(len, 43);
        assert_eq!(
            authcode_pkce_generate(&rng, 43, buf.as_mut_ptr(), 3, &mut len),
            R::BufferTooSmall
        );
        assert_eq!(len, 43);
        assert_eq!(
            authcode_pkce_generate(&rng, 43, null_mut(), 10, &mut len),
            R::NullPointer
        );
        assert_eq!(
            authcode_pkce_generate(&rng, 43, buf.as_mut_ptr(), buf.len(), null_mut()),
            R::NullPointer
        );
        let verifier = b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            authcode_pkce_challenge(
                verifier.as_ptr(),
                verifier.len(),
                buf.as_mut_ptr(),
                buf.len(),
                &mut len
            ),
            R::Ok
        );
        assert_eq!(&buf[..len], b"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(
            authcode_pkce_verify(verifier.as_ptr(), verifier.len(), buf.as_ptr(), len),
            R::Ok
        );
        assert_eq!(
            authcode_pkce_verify(null(), 5, buf.as_ptr(), len),
            R::NullPointer
        );
        assert_eq!(
            authcode_pkce_verify(null(), 0, buf.as_ptr(), len),
            R::InvalidVerifier,
            "(NULL, 0) is empty"
        );
    }
}

#[test]
fn client_config_and_session_through_the_abi() {
    let mut state = 7u8;
    let rng = rng(&mut state);
    let params = authcode_client_config_params {
        profile: 0,
        authorization_endpoint: authcode_str::of("https://as.example.com/authorize"),
        token_endpoint: authcode_str::of("https://as.example.com/token"),
        client_id: authcode_str::of("app"),
        redirect_uri: authcode_str::of("https://app.example.com/cb"),
        workfront_domain: authcode_str::NONE,
    };
    let mut config = null_mut();
    let mut session = null_mut();
    let mut buf = vec![0u8; 4096];
    let mut len = 0usize;
    let mut request = core::mem::MaybeUninit::<authcode_http_request>::uninit();
    let mut outcome = authcode_redirect_outcome::Denied;
    // SAFETY: every pointer is valid or deliberately NULL; lengths match the buffers.
    unsafe {
        assert_eq!(
            authcode_client_config_new(null(), &mut config),
            R::NullPointer
        );
        assert_eq!(authcode_client_config_new(&params, &mut config), R::Ok);
        let bad = [0xffu8, 0xfe];
        assert_eq!(
            authcode_client_config_set_scope(config, bad.as_ptr(), bad.len()),
            R::InvalidUtf8
        );
        assert_eq!(
            authcode_client_config_set_scope(config, b"a  b".as_ptr(), 4),
            R::InvalidConfig
        );
        assert_eq!(
            authcode_client_config_last_error(config, buf.as_mut_ptr(), buf.len(), &mut len),
            R::Ok
        );
        assert!(len > 0);
        assert_eq!(
            authcode_session_new(config, &rng, 1_000, &mut session),
            R::Ok
        );
        authcode_client_config_free(config);

        assert_eq!(
            authcode_session_token_request(
                session,
                buf.as_mut_ptr(),
                buf.len(),
                &mut len,
                request.as_mut_ptr()
            ),
            R::WrongState
        );
        assert_eq!(
            authcode_session_authorize_url(session, buf.as_mut_ptr(), 10, &mut len),
            R::BufferTooSmall
        );
        let needed = len;
        assert_eq!(
            authcode_session_authorize_url(session, buf.as_mut_ptr(), needed, &mut len),
            R::Ok
        );
        let url = String::from_utf8(buf[..len].to_vec()).unwrap();
        let state_value = url
            .split("state=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned();
        let forged = b"code=x&state=nope";
        assert_eq!(
            authcode_session_on_redirect(session, forged.as_ptr(), forged.len(), &mut outcome),
            R::RedirectRefused
        );
        let redirect = format!("code=c0de&state={state_value}");
        assert_eq!(
            authcode_session_on_redirect(session, redirect.as_ptr(), redirect.len(), &mut outcome),
            R::Ok
        );
        assert_eq!(outcome, authcode_redirect_outcome::CodeReceived);
        assert_eq!(
            authcode_session_token_request(
                session,
                buf.as_mut_ptr(),
                buf.len(),
                &mut len,
                request.as_mut_ptr()
            ),
            R::Ok
        );
        let request = request.assume_init();
        let body = core::slice::from_raw_parts(request.body.ptr, request.body.len);
        assert!(core::str::from_utf8(body).unwrap().contains("code=c0de"));
        let response =
            br#"{"access_token":"at","token_type":"Bearer","expires_in":60,"refresh_token":"rt"}"#;
        let mut token_outcome = authcode_token_outcome::Rejected;
        assert_eq!(
            authcode_session_on_token_response(
                session,
                200,
                response.as_ptr(),
                response.len(),
                1_001,
                &mut token_outcome
            ),
            R::Ok
        );
        assert_eq!(token_outcome, authcode_token_outcome::Authorized);
        // No `sub` in this answer: an empty subject.
        let mut subject = [0u8; 256];
        let mut subject_len = 99usize;
        assert_eq!(
            authcode_session_subject(
                session,
                subject.as_mut_ptr(),
                subject.len(),
                &mut subject_len
            ),
            R::Ok
        );
        assert_eq!(subject_len, 0);
        assert_eq!(
            authcode_session_subject(
                session,
                subject.as_mut_ptr(),
                subject.len(),
                core::ptr::null_mut()
            ),
            R::NullPointer
        );
        let mut saved = vec![0u8; 8192];
        let mut saved_len = 0usize;
        assert_eq!(
            authcode_session_save(session, saved.as_mut_ptr(), saved.len(), &mut saved_len),
            R::Ok
        );
        assert_eq!(
            authcode_session_restore(session, saved.as_ptr(), saved_len - 1),
            R::RestoreFailed
        );
        assert_eq!(
            authcode_session_restore(session, saved.as_ptr(), saved_len),
            R::Ok
        );
        // Keyed saves: restore only with their key; every failure leaves the session as it was.
        let key = [7u8; 32];
        let mut keyed = vec![0u8; 8192];
        let mut keyed_len = 0usize;
        assert_eq!(
            authcode_session_save_keyed(
                session,
                key.as_ptr(),
                key.len(),
                keyed.as_mut_ptr(),
                keyed.len(),
                &mut keyed_len
            ),
            R::Ok
        );
        let keyed = &keyed[..keyed_len];
        let other = [8u8; 32];
        assert_eq!(
            authcode_session_restore_keyed(
                session,
                other.as_ptr(),
                other.len(),
                keyed.as_ptr(),
                keyed.len()
            ),
            R::RestoreFailed
        );
        assert!(last_error(session).contains("not authenticated by the key"));
        assert_eq!(
            authcode_session_restore(session, keyed.as_ptr(), keyed.len()),
            R::RestoreFailed
        );
        assert_eq!(
            authcode_session_restore_keyed(
                session,
                key.as_ptr(),
                key.len(),
                saved.as_ptr(),
                saved_len
            ),
            R::RestoreFailed,
            "an unkeyed save where a key is expected"
        );
        let mut changed = keyed.to_vec();
        changed[40] ^= 1;
        assert_eq!(
            authcode_session_restore_keyed(
                session,
                key.as_ptr(),
                key.len(),
                changed.as_ptr(),
                changed.len()
            ),
            R::RestoreFailed
        );
        for (key_ptr, key_len, expected) in [
            (null(), 32, R::NullPointer),
            (null(), 0, R::NullPointer),
            (key.as_ptr(), 15, R::InvalidArgument),
            (key.as_ptr(), 0, R::InvalidArgument),
        ] {
            assert_eq!(
                authcode_session_restore_keyed(
                    session,
                    key_ptr,
                    key_len,
                    keyed.as_ptr(),
                    keyed.len()
                ),
                expected
            );
            let mut out = 0usize;
            assert_eq!(
                authcode_session_save_keyed(
                    session,
                    key_ptr,
                    key_len,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut out
                ),
                expected
            );
        }
        let mut stage = authcode_stage::Failed;
        assert_eq!(authcode_session_stage(session, &mut stage), R::Ok);
        assert_eq!(
            stage,
            authcode_stage::Authorized,
            "unchanged by the failures"
        );
        assert_eq!(
            authcode_session_restore_keyed(
                session,
                key.as_ptr(),
                key.len(),
                keyed.as_ptr(),
                keyed.len()
            ),
            R::Ok
        );
        assert_eq!(
            authcode_session_access_token(session, buf.as_mut_ptr(), buf.len(), &mut len),
            R::Ok
        );
        assert_eq!(&buf[..len], b"at");
        assert_eq!(
            authcode_session_stage(null(), &mut authcode_stage::Failed),
            R::NullPointer
        );
        authcode_session_free(session);
        authcode_session_free(null_mut());
    }
}

#[test]
fn objects_in_caller_storage() {
    let mut state = 3u8;
    let rng = rng(&mut state);
    let params = authcode_client_config_params {
        profile: 1,
        authorization_endpoint: authcode_str::NONE,
        token_endpoint: authcode_str::NONE,
        client_id: authcode_str::of("app"),
        redirect_uri: authcode_str::of("https://app.example.com/cb"),
        workfront_domain: authcode_str::of("acme.my.workfront.com"),
    };
    // u128 backing storage is 16-byte aligned, enough for every object here.
    let words = |size: usize| vec![0u128; size.div_ceil(16) + 1];
    let mut config_storage = words(authcode_client_config_size());
    let mut session_storage = words(authcode_session_size());
    let mut server_storage = words(authcode_server_size());
    assert!(authcode_server_align() <= 16 && authcode_session_align() <= 16);
    let mut config = null_mut();
    let mut session = null_mut();
    let mut server = null_mut();
    let mut buf = vec![0u8; 4096];
    let mut len = 0usize;
    // SAFETY: the storage vectors outlive the objects, which are deinitialised before them.
    unsafe {
        let base = config_storage.as_mut_ptr().cast::<u8>();
        assert_eq!(
            authcode_client_config_init(base, 8, &params, &mut config),
            R::StorageTooSmall
        );
        assert_eq!(
            authcode_client_config_init(
                base.add(1),
                authcode_client_config_size(),
                &params,
                &mut config
            ),
            R::StorageMisaligned
        );
        assert_eq!(
            authcode_client_config_init(base, authcode_client_config_size(), &params, &mut config),
            R::Ok
        );
        let session_base = session_storage.as_mut_ptr().cast::<u8>();
        assert_eq!(
            authcode_session_init(
                session_base,
                authcode_session_size(),
                config,
                &rng,
                5,
                &mut session
            ),
            R::Ok
        );
        assert_eq!(
            authcode_session_authorize_url(session, buf.as_mut_ptr(), buf.len(), &mut len),
            R::Ok
        );
        let server_base = server_storage.as_mut_ptr().cast::<u8>();
        assert_eq!(
            authcode_server_init(server_base, authcode_server_size(), 1, &mut server),
            R::Ok
        );
        let redirect = authcode_str::of("https://app.example.com/cb");
        let spec = authcode_app_spec {
            name: authcode_str::of("app"),
            kind: 1,
            redirect_uris: &redirect,
            redirect_uri_count: 1,
            public_keys: null(),
            public_key_count: 0,
            rotation: true,
            absolute_lifetime: 0,
            inactivity_lifetime: 0,
            require_pkce: true,
            client_credentials: false,
            scope: authcode_str::NONE,
        };
        let (mut id, mut secret) = ([0u8; 64], [0u8; 64]);
        let (mut id_len, mut secret_len) = (0, 0);
        // A NULL output with a length, or one too short: refused before anything changes.
        let mut count = 0usize;
        assert_eq!(authcode_server_app_count(server, &mut count), R::Ok);
        let before = count;
        assert_eq!(
            authcode_server_create_app(
                server,
                &spec,
                &rng,
                id.as_mut_ptr(),
                id.len(),
                &mut id_len,
                null_mut(),
                64,
                &mut secret_len
            ),
            R::NullPointer
        );
        assert_eq!(
            authcode_server_create_app(
                server,
                &spec,
                &rng,
                id.as_mut_ptr(),
                3,
                &mut id_len,
                secret.as_mut_ptr(),
                secret.len(),
                &mut secret_len
            ),
            R::BufferTooSmall
        );
        assert_eq!(authcode_server_app_count(server, &mut count), R::Ok);
        assert_eq!(count, before, "no app registered by a failed call");
        assert_eq!(
            authcode_server_create_app(
                server,
                &spec,
                &rng,
                id.as_mut_ptr(),
                id.len(),
                &mut id_len,
                secret.as_mut_ptr(),
                secret.len(),
                &mut secret_len
            ),
            R::Ok
        );
        let mut info = core::mem::MaybeUninit::<authcode_token_info>::uninit();
        assert_eq!(
            authcode_server_validate(server, b"nope".as_ptr(), 4, 0, info.as_mut_ptr()),
            R::InvalidToken
        );
        authcode_server_deinit(server);
        authcode_session_deinit(session);
        authcode_client_config_deinit(config);
    }
}

/// The session's last error, as text.
unsafe fn last_error(session: *const authcode_session) -> String {
    let mut buf = vec![0u8; 512];
    let mut len = 0usize;
    // SAFETY: a live session and a valid buffer.
    let result =
        unsafe { authcode_session_last_error(session, buf.as_mut_ptr(), buf.len(), &mut len) };
    assert_eq!(result, R::Ok);
    String::from_utf8(buf[..len].to_vec()).unwrap()
}
