//! The library-wide calls, PKCE, the client configuration and the session
//! (`Authcode.java`, `Pkce.java`, `ClientConfig.java`, `Session.java`).

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JLongArray, JString};
use jni::sys::{jboolean, jbyteArray, jint, jlong, jobjectArray, jstring};

use super::{
    Subject, bytes, check, copy, new_string, null, number, optional_bytes, optional_string,
    put_longs, read_byte_array, read_bytes, read_string, result_message, result_name, run, seconds,
    static_text, string, string_array, throw_result,
};
use crate::authcode_result;
use crate::authcode_str;
use crate::client::{
    authcode_client_config, authcode_client_config_params, authcode_http_request, authcode_session,
};

/// A configuration handle from Java.
fn config_ptr(config: jlong) -> *mut authcode_client_config {
    config as *mut authcode_client_config
}

/// A session handle from Java.
fn session_ptr(session: jlong) -> *mut authcode_session {
    session as *mut authcode_session
}

// ---- the library ----

/// `Native.version()`: `authcode_version`.
#[unsafe(export_name = "Java_dev_authcode_Native_version")]
extern "system" fn version(mut env: JNIEnv<'_>, _: JClass<'_>) -> jstring {
    run(&mut env, null(), |env| {
        new_string(env, &static_text(crate::authcode_version()))
    })
}

/// `Native.abiVersion()`: `authcode_abi_version`.
#[unsafe(export_name = "Java_dev_authcode_Native_abiVersion")]
extern "system" fn abi_version(_: JNIEnv<'_>, _: JClass<'_>) -> jint {
    jint::try_from(crate::authcode_abi_version()).unwrap_or(jint::MAX)
}

/// `Native.resultName(code)`: `authcode_result_name`.
#[unsafe(export_name = "Java_dev_authcode_Native_resultName")]
extern "system" fn result_name_of(mut env: JNIEnv<'_>, _: JClass<'_>, code: jint) -> jstring {
    run(&mut env, null(), |env| new_string(env, &result_name(code)))
}

/// `Native.resultMessage(code)`: `authcode_result_message`.
#[unsafe(export_name = "Java_dev_authcode_Native_resultMessage")]
extern "system" fn result_message_of(mut env: JNIEnv<'_>, _: JClass<'_>, code: jint) -> jstring {
    run(&mut env, null(), |env| {
        new_string(env, &result_message(code))
    })
}

// ---- PKCE ----

/// `Native.pkceGenerate(length)`: `authcode_pkce_generate` with the OS randomness.
#[unsafe(export_name = "Java_dev_authcode_Native_pkceGenerate")]
extern "system" fn pkce_generate(mut env: JNIEnv<'_>, _: JClass<'_>, length: jint) -> jstring {
    run(&mut env, null(), |env| {
        let length = usize::try_from(length).unwrap_or(0);
        // SAFETY: buffers from `read_string`; NULL rng = the OS source.
        read_string(env, Subject::Nothing, 128, |b, n, o| unsafe {
            crate::pkce::authcode_pkce_generate(core::ptr::null(), length, b, n, o)
        })
    })
}

/// `Native.pkceChallenge(verifier)`: `authcode_pkce_challenge`.
#[unsafe(export_name = "Java_dev_authcode_Native_pkceChallenge")]
extern "system" fn pkce_challenge(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    verifier: JString<'_>,
) -> jstring {
    run(&mut env, null(), |env| {
        let verifier = string(env, &verifier, "verifier")?;
        // SAFETY: `verifier` outlives the call; buffers from `read_string`.
        read_string(env, Subject::Nothing, 64, |b, n, o| unsafe {
            crate::pkce::authcode_pkce_challenge(verifier.as_ptr(), verifier.len(), b, n, o)
        })
    })
}

/// `Native.pkceVerify(verifier, challenge)`: `authcode_pkce_verify` (false on a
/// mismatch).
#[unsafe(export_name = "Java_dev_authcode_Native_pkceVerify")]
extern "system" fn pkce_verify(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    verifier: JString<'_>,
    challenge: JString<'_>,
) -> jboolean {
    run(&mut env, 0, |env| {
        let verifier = string(env, &verifier, "verifier")?;
        let challenge = string(env, &challenge, "challenge")?;
        // SAFETY: both strings outlive the call.
        let result = unsafe {
            crate::pkce::authcode_pkce_verify(
                verifier.as_ptr(),
                verifier.len(),
                challenge.as_ptr(),
                challenge.len(),
            )
        };
        match result {
            authcode_result::VerifierMismatch => Ok(0),
            code => check(env, code, Subject::Nothing).map(|()| 1),
        }
    })
}

// ---- client configuration ----

/// `Native.configNew(...)`: `authcode_client_config_new` (Workfront endpoints when
/// `workfrontDomain` is not null).
#[unsafe(export_name = "Java_dev_authcode_Native_configNew")]
extern "system" fn config_new(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    profile: jint,
    authorization_endpoint: JString<'_>,
    token_endpoint: JString<'_>,
    client_id: JString<'_>,
    redirect_uri: JString<'_>,
    workfront_domain: JString<'_>,
) -> jlong {
    run(&mut env, 0, |env| {
        let domain = optional_string(env, &workfront_domain)?;
        // With a domain, the endpoints are built from it and may be null.
        let endpoint = |env: &mut JNIEnv<'_>, value: &JString<'_>, name: &str| {
            if domain.is_some() {
                optional_string(env, value)
            } else {
                string(env, value, name).map(Some)
            }
        };
        let authorize = endpoint(env, &authorization_endpoint, "authorizationEndpoint")?;
        let token = endpoint(env, &token_endpoint, "tokenEndpoint")?;
        let client_id = string(env, &client_id, "clientId")?;
        let redirect_uri = string(env, &redirect_uri, "redirectUri")?;
        let params = authcode_client_config_params {
            profile: number(profile),
            authorization_endpoint: authcode_str::of_option(authorize.as_deref()),
            token_endpoint: authcode_str::of_option(token.as_deref()),
            client_id: authcode_str::of(&client_id),
            redirect_uri: authcode_str::of(&redirect_uri),
            workfront_domain: authcode_str::of_option(domain.as_deref()),
        };
        let mut config: *mut authcode_client_config = null();
        // SAFETY: every string outlives the call; `config` is a valid out pointer.
        let result = unsafe { crate::client::authcode_client_config_new(&params, &mut config) };
        check(env, result, Subject::Nothing)?;
        Ok(config as jlong)
    })
}

/// `Native.configFromMetadata(...)`: `authcode_client_config_from_metadata`; a refusal's
/// reason (naming the member) becomes the exception's last error.
#[unsafe(export_name = "Java_dev_authcode_Native_configFromMetadata")]
extern "system" fn config_from_metadata(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    profile: jint,
    document: JByteArray<'_>,
    issuer: JString<'_>,
    client_id: JString<'_>,
    redirect_uri: JString<'_>,
    client_secret: JByteArray<'_>,
) -> jlong {
    run(&mut env, 0, |env| {
        let document = bytes(env, &document, "document")?;
        let issuer = string(env, &issuer, "issuer")?;
        let client_id = string(env, &client_id, "clientId")?;
        let redirect_uri = string(env, &redirect_uri, "redirectUri")?;
        let secret = optional_bytes(env, &client_secret)?;
        let secret_str = match secret.as_deref() {
            Some(bytes) => authcode_str {
                ptr: bytes.as_ptr(),
                len: bytes.len(),
            },
            None => authcode_str::of_option(None),
        };
        let params = crate::client::authcode_discovery_params {
            profile: number(profile),
            issuer: authcode_str::of(&issuer),
            client_id: authcode_str::of(&client_id),
            redirect_uri: authcode_str::of(&redirect_uri),
            client_secret: secret_str,
        };
        let mut reason = vec![0u8; crate::sizes::AUTHCODE_LAST_ERROR_MAX];
        let mut reason_len = 0usize;
        let mut config: *mut authcode_client_config = null();
        // SAFETY: every buffer outlives the call; the out pointers are valid.
        let result = unsafe {
            crate::client::authcode_client_config_from_metadata(
                document.as_ptr(),
                document.len(),
                &params,
                reason.as_mut_ptr(),
                reason.len(),
                &mut reason_len,
                &mut config,
            )
        };
        reason.truncate(reason_len);
        let reason = String::from_utf8_lossy(&reason).into_owned();
        check(env, result, Subject::Reason(reason))?;
        Ok(config as jlong)
    })
}

/// `Native.configFree(config)`: `authcode_client_config_free`.
#[unsafe(export_name = "Java_dev_authcode_Native_configFree")]
extern "system" fn config_free(_: JNIEnv<'_>, _: JClass<'_>, config: jlong) {
    // SAFETY: the Java object frees its handle exactly once, after its last call
    // (Handle.java).
    unsafe { crate::client::authcode_client_config_free(config_ptr(config)) }
}

/// `Native.configSet(config, setting, value)`: the text setters by number (0 scope,
/// 1 issuer, 2 basic secret, 3 post secret, 4 revocation endpoint). The value is bytes so
/// that secrets can be wiped by the caller.
#[unsafe(export_name = "Java_dev_authcode_Native_configSet")]
extern "system" fn config_set(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    config: jlong,
    setting: jint,
    value: JByteArray<'_>,
) {
    run(&mut env, (), |env| {
        let value = bytes(env, &value, "value")?;
        let config = config_ptr(config);
        let setter = match setting {
            0 => crate::client::authcode_client_config_set_scope,
            1 => crate::client::authcode_client_config_set_issuer,
            2 => crate::client::authcode_client_config_set_client_secret_basic,
            3 => crate::client::authcode_client_config_set_client_secret_post,
            4 => crate::client::authcode_client_config_set_revocation_endpoint,
            _ => return check(env, authcode_result::InvalidArgument, Subject::Nothing),
        };
        // SAFETY: live handle; `value` outlives the call.
        let result = unsafe { setter(config, value.as_ptr(), value.len()) };
        check(env, result, Subject::Config(config))
    })
}

/// `Native.configAddAuthorizationParameter(config, name, value)`.
#[unsafe(export_name = "Java_dev_authcode_Native_configAddAuthorizationParameter")]
extern "system" fn config_add_authorization_parameter(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    config: jlong,
    name: JString<'_>,
    value: JString<'_>,
) {
    run(&mut env, (), |env| {
        let name = string(env, &name, "name")?;
        let value = string(env, &value, "value")?;
        let config = config_ptr(config);
        // SAFETY: live handle; both strings outlive the call.
        let result = unsafe {
            crate::client::authcode_client_config_add_authorization_parameter(
                config,
                name.as_ptr(),
                name.len(),
                value.as_ptr(),
                value.len(),
            )
        };
        check(env, result, Subject::Config(config))
    })
}

/// `Native.configSetBodyFormat(config, format)`.
#[unsafe(export_name = "Java_dev_authcode_Native_configSetBodyFormat")]
extern "system" fn config_set_body_format(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    config: jlong,
    format: jint,
) {
    run(&mut env, (), |env| {
        let config = config_ptr(config);
        // SAFETY: live handle.
        let result = unsafe {
            crate::client::authcode_client_config_set_body_format(config, number(format))
        };
        check(env, result, Subject::Config(config))
    })
}

/// `Native.configSetRefreshMargin(config, seconds)`.
#[unsafe(export_name = "Java_dev_authcode_Native_configSetRefreshMargin")]
extern "system" fn config_set_refresh_margin(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    config: jlong,
    margin: jlong,
) {
    run(&mut env, (), |env| {
        let config = config_ptr(config);
        // SAFETY: live handle.
        let result = unsafe {
            crate::client::authcode_client_config_set_refresh_margin(config, seconds(margin))
        };
        check(env, result, Subject::Config(config))
    })
}

/// `Native.configCheckIdTokens(config)`: `authcode_client_config_check_id_tokens`.
#[unsafe(export_name = "Java_dev_authcode_Native_configCheckIdTokens")]
extern "system" fn config_check_id_tokens(mut env: JNIEnv<'_>, _: JClass<'_>, config: jlong) {
    run(&mut env, (), |env| {
        let config = config_ptr(config);
        // SAFETY: live handle.
        let result = unsafe { crate::client::authcode_client_config_check_id_tokens(config) };
        check(env, result, Subject::Config(config))
    })
}

/// `Native.configLastError(config)`: `authcode_client_config_last_error`.
#[unsafe(export_name = "Java_dev_authcode_Native_configLastError")]
extern "system" fn config_last_error(mut env: JNIEnv<'_>, _: JClass<'_>, config: jlong) -> jstring {
    run(&mut env, null(), |env| {
        let config = config_ptr(config);
        // SAFETY: live handle; buffers from `read_string`.
        read_string(env, Subject::Nothing, 256, |b, n, o| unsafe {
            crate::client::authcode_client_config_last_error(config, b, n, o)
        })
    })
}

// ---- session ----

/// `Native.sessionNew(config, now)`: `authcode_session_new` with the OS randomness.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionNew")]
extern "system" fn session_new(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    config: jlong,
    now: jlong,
) -> jlong {
    run(&mut env, 0, |env| {
        let mut session: *mut authcode_session = null();
        // SAFETY: `config` is a live handle; NULL rng = the OS source; valid out pointer.
        let result = unsafe {
            crate::client::authcode_session_new(
                config_ptr(config),
                core::ptr::null(),
                seconds(now),
                &mut session,
            )
        };
        check(env, result, Subject::Nothing)?;
        Ok(session as jlong)
    })
}

/// `Native.sessionFree(session)`: `authcode_session_free`.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionFree")]
extern "system" fn session_free(_: JNIEnv<'_>, _: JClass<'_>, session: jlong) {
    // SAFETY: the Java object frees its handle exactly once, after its last call.
    unsafe { crate::client::authcode_session_free(session_ptr(session)) }
}

/// `Native.sessionStage(session)`.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionStage")]
extern "system" fn session_stage(mut env: JNIEnv<'_>, _: JClass<'_>, session: jlong) -> jint {
    run(&mut env, 0, |env| {
        let session = session_ptr(session);
        let mut stage = crate::client::authcode_stage::Failed;
        // SAFETY: live handle, valid out pointer.
        let result = unsafe { crate::client::authcode_session_stage(session, &mut stage) };
        check(env, result, Subject::Session(session))?;
        Ok(stage as jint)
    })
}

/// `Native.sessionAuthorizeUrl(session)`.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionAuthorizeUrl")]
extern "system" fn session_authorize_url(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let session = session_ptr(session);
        // SAFETY: live handle; buffers from `read_string`.
        read_string(env, Subject::Session(session), 2048, |b, n, o| unsafe {
            crate::client::authcode_session_authorize_url(session, b, n, o)
        })
    })
}

/// `Native.sessionOnRedirect(session, redirect)`: the `authcode_redirect_outcome`.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionOnRedirect")]
extern "system" fn session_on_redirect(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    redirect: JString<'_>,
) -> jint {
    run(&mut env, 0, |env| {
        let redirect = string(env, &redirect, "redirect")?;
        let session = session_ptr(session);
        let mut outcome = crate::client::authcode_redirect_outcome::Denied;
        // SAFETY: live handle; `redirect` outlives the call.
        let result = unsafe {
            crate::client::authcode_session_on_redirect(
                session,
                redirect.as_ptr(),
                redirect.len(),
                &mut outcome,
            )
        };
        check(env, result, Subject::Session(session))?;
        Ok(outcome as jint)
    })
}

/// `Native.sessionRequest(session, which, kind)`: the token (0), refresh (1) or
/// revocation (2, of token `kind`) request as `String[6]` (method, url, content type,
/// accept, authorization or null, body).
#[unsafe(export_name = "Java_dev_authcode_Native_sessionRequest")]
extern "system" fn session_request(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    which: jint,
    kind: jint,
) -> jobjectArray {
    run(&mut env, null(), |env| {
        let session = session_ptr(session);
        let mut request = core::mem::MaybeUninit::<authcode_http_request>::uninit();
        let out = request.as_mut_ptr();
        // SAFETY: live handle; buffer and out pointers valid for each call.
        let built = read_bytes(2048, |buf, len, out_len| unsafe {
            match which {
                0 => crate::client::authcode_session_token_request(session, buf, len, out_len, out),
                1 => {
                    crate::client::authcode_session_refresh_request(session, buf, len, out_len, out)
                }
                2 => crate::client::authcode_session_revocation_request(
                    session,
                    number(kind),
                    buf,
                    len,
                    out_len,
                    out,
                ),
                _ => authcode_result::InvalidArgument,
            }
        });
        let buf = match built {
            Ok(buf) => buf,
            Err(code) => return Err(throw_result(env, code, Subject::Session(session))),
        };
        // SAFETY: written on success; its views point into `buf` (alive here) or the
        // session (no call on it since).
        let request = unsafe { request.assume_init() };
        let fields = [
            copy(request.method),
            copy(request.url),
            copy(request.content_type),
            copy(request.accept),
            copy(request.authorization),
            copy(request.body),
        ];
        drop(buf);
        let views: Vec<Option<&str>> = fields.iter().map(Option::as_deref).collect();
        string_array(env, &views)
    })
}

/// `Native.sessionOnResponse(session, which, status, body, now)`: the token (0) or
/// refresh (1) response; the outcome's number.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionOnResponse")]
extern "system" fn session_on_response(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    which: jint,
    status: jint,
    body: JByteArray<'_>,
    now: jlong,
) -> jint {
    run(&mut env, 0, |env| {
        let body = bytes(env, &body, "body")?;
        let session = session_ptr(session);
        let status = u16::try_from(status).unwrap_or(0);
        let now = seconds(now);
        let (result, outcome) = if which == 0 {
            let mut outcome = crate::client::authcode_token_outcome::Rejected;
            // SAFETY: live handle; `body` outlives the call.
            let result = unsafe {
                crate::client::authcode_session_on_token_response(
                    session,
                    status,
                    body.as_ptr(),
                    body.len(),
                    now,
                    &mut outcome,
                )
            };
            (result, outcome as jint)
        } else {
            let mut outcome = crate::client::authcode_refresh_outcome::Rejected;
            // SAFETY: as above.
            let result = unsafe {
                crate::client::authcode_session_on_refresh_response(
                    session,
                    status,
                    body.as_ptr(),
                    body.len(),
                    now,
                    &mut outcome,
                )
            };
            (result, outcome as jint)
        };
        check(env, result, Subject::Session(session))?;
        Ok(outcome)
    })
}

/// `Native.sessionOnTokenResponseVerified(session, status, body, jwkSet, now)`:
/// `authcode_session_on_token_response_verified`; the outcome's number.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionOnTokenResponseVerified")]
extern "system" fn session_on_token_response_verified(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    status: jint,
    body: JByteArray<'_>,
    jwk_set: JByteArray<'_>,
    now: jlong,
) -> jint {
    run(&mut env, 0, |env| {
        let body = bytes(env, &body, "body")?;
        let jwk_set = bytes(env, &jwk_set, "jwkSet")?;
        let session = session_ptr(session);
        let mut outcome = crate::client::authcode_token_outcome::Rejected;
        // SAFETY: live handle; `body` and `jwk_set` outlive the call.
        let result = unsafe {
            crate::client::authcode_session_on_token_response_verified(
                session,
                u16::try_from(status).unwrap_or(0),
                body.as_ptr(),
                body.len(),
                jwk_set.as_ptr(),
                jwk_set.len(),
                seconds(now),
                &mut outcome,
            )
        };
        check(env, result, Subject::Session(session))?;
        Ok(outcome as jint)
    })
}

/// `Native.sessionIdToken(session)`: the checked ID token, or null when none.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionIdToken")]
extern "system" fn session_id_token(mut env: JNIEnv<'_>, _: JClass<'_>, session: jlong) -> jstring {
    run(&mut env, null(), |env| {
        let session = session_ptr(session);
        // SAFETY: live handle; buffers from `read_bytes`.
        let token = read_bytes(4096, |b, n, o| unsafe {
            crate::client::authcode_session_id_token(session, b, n, o)
        });
        match token {
            Ok(token) if token.is_empty() => Ok(null()),
            Ok(token) => new_string(env, &String::from_utf8_lossy(&token)),
            Err(code) => Err(throw_result(env, code, Subject::Session(session))),
        }
    })
}

/// `Native.sessionRefreshDue(session, now)`.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionRefreshDue")]
extern "system" fn session_refresh_due(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    now: jlong,
) -> jboolean {
    run(&mut env, 0, |env| {
        let session = session_ptr(session);
        let mut due = false;
        // SAFETY: live handle, valid out pointer.
        let result =
            unsafe { crate::client::authcode_session_refresh_due(session, seconds(now), &mut due) };
        check(env, result, Subject::Session(session))?;
        Ok(jboolean::from(due))
    })
}

/// `Native.sessionCancelRefresh(session)`.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionCancelRefresh")]
extern "system" fn session_cancel_refresh(mut env: JNIEnv<'_>, _: JClass<'_>, session: jlong) {
    run(&mut env, (), |env| {
        let session = session_ptr(session);
        // SAFETY: live handle.
        let result = unsafe { crate::client::authcode_session_cancel_refresh(session) };
        check(env, result, Subject::Session(session))
    })
}

/// `Native.sessionSignOut(session)`.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionSignOut")]
extern "system" fn session_sign_out(mut env: JNIEnv<'_>, _: JClass<'_>, session: jlong) {
    run(&mut env, (), |env| {
        let session = session_ptr(session);
        // SAFETY: live handle.
        let result = unsafe { crate::client::authcode_session_sign_out(session) };
        check(env, result, Subject::Session(session))
    })
}

/// `Native.sessionAccessToken(session)`.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionAccessToken")]
extern "system" fn session_access_token(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let session = session_ptr(session);
        // SAFETY: live handle; buffers from `read_string`.
        read_string(env, Subject::Session(session), 1024, |b, n, o| unsafe {
            crate::client::authcode_session_access_token(session, b, n, o)
        })
    })
}

/// `Native.sessionRefreshToken(session)`: the refresh token, or null when the server
/// issued none.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionRefreshToken")]
extern "system" fn session_refresh_token(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let session = session_ptr(session);
        // SAFETY: live handle; buffers from `read_bytes`.
        let token = read_bytes(512, |b, n, o| unsafe {
            crate::client::authcode_session_refresh_token(session, b, n, o)
        });
        match token {
            Ok(token) => new_string(env, &String::from_utf8_lossy(&token)),
            Err(authcode_result::NoRefreshToken) => Ok(null()),
            Err(code) => Err(throw_result(env, code, Subject::Session(session))),
        }
    })
}

/// `Native.sessionSubject(session)`: the token response's `sub`, or null when none.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionSubject")]
extern "system" fn session_subject(mut env: JNIEnv<'_>, _: JClass<'_>, session: jlong) -> jstring {
    run(&mut env, null(), |env| {
        let session = session_ptr(session);
        // SAFETY: live handle; buffers from `read_bytes`.
        let subject = read_bytes(256, |b, n, o| unsafe {
            crate::client::authcode_session_subject(session, b, n, o)
        });
        match subject {
            Ok(subject) if subject.is_empty() => Ok(null()),
            Ok(subject) => new_string(env, &String::from_utf8_lossy(&subject)),
            Err(code) => Err(throw_result(env, code, Subject::Session(session))),
        }
    })
}

/// `Native.sessionTokenInfo(session, out)`: `out[0]` the `authcode_token_type`, `out[1]`
/// the expiry (Unix seconds, 0: not given).
#[unsafe(export_name = "Java_dev_authcode_Native_sessionTokenInfo")]
extern "system" fn session_token_info(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    out: JLongArray<'_>,
) {
    run(&mut env, (), |env| {
        let session = session_ptr(session);
        let mut token_type = crate::client::authcode_token_type::Bearer;
        let mut expires_at = 0u64;
        // SAFETY: live handle, valid out pointers.
        let result = unsafe {
            crate::client::authcode_session_token_info(session, &mut token_type, &mut expires_at)
        };
        check(env, result, Subject::Session(session))?;
        let expires_at = jlong::try_from(expires_at).unwrap_or(jlong::MAX);
        put_longs(env, &out, "out", &[token_type as jlong, expires_at])
    })
}

/// `Native.sessionServerError(session)`: the `authcode_error_code` number.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionServerError")]
extern "system" fn session_server_error(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
) -> jint {
    run(&mut env, 0, |env| {
        let session = session_ptr(session);
        let mut code = crate::client::authcode_error_code::None;
        // SAFETY: live handle, valid out pointer.
        let result = unsafe { crate::client::authcode_session_server_error(session, &mut code) };
        check(env, result, Subject::Nothing)?;
        Ok(code as jint)
    })
}

/// `Native.sessionLastError(session)`: `authcode_session_last_error`.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionLastError")]
extern "system" fn session_last_error(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let session = session_ptr(session);
        // SAFETY: live handle; buffers from `read_string`.
        read_string(env, Subject::Nothing, 256, |b, n, o| unsafe {
            crate::client::authcode_session_last_error(session, b, n, o)
        })
    })
}

/// `Native.sessionSave(session, key)`: the save, keyed (HMAC) when `key` is not null.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionSave")]
extern "system" fn session_save(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    key: JByteArray<'_>,
) -> jbyteArray {
    run(&mut env, null(), |env| {
        let key = optional_bytes(env, &key)?;
        let session = session_ptr(session);
        // SAFETY: live handle; key and buffers valid for each call.
        read_byte_array(env, Subject::Session(session), 8192, |b, n, o| unsafe {
            match &key {
                Some(key) => crate::client::authcode_session_save_keyed(
                    session,
                    key.as_ptr(),
                    key.len(),
                    b,
                    n,
                    o,
                ),
                None => crate::client::authcode_session_save(session, b, n, o),
            }
        })
    })
}

/// `Native.sessionRestore(session, key, saved)`: restores a save, keyed when `key` is not
/// null.
#[unsafe(export_name = "Java_dev_authcode_Native_sessionRestore")]
extern "system" fn session_restore(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    key: JByteArray<'_>,
    saved: JByteArray<'_>,
) {
    run(&mut env, (), |env| {
        let key = optional_bytes(env, &key)?;
        let saved = bytes(env, &saved, "saved")?;
        let session = session_ptr(session);
        // SAFETY: live handle; `key` and `saved` outlive the call.
        let result = unsafe {
            match &key {
                Some(key) => crate::client::authcode_session_restore_keyed(
                    session,
                    key.as_ptr(),
                    key.len(),
                    saved.as_ptr(),
                    saved.len(),
                ),
                None => {
                    crate::client::authcode_session_restore(session, saved.as_ptr(), saved.len())
                }
            }
        };
        check(env, result, Subject::Session(session))
    })
}
