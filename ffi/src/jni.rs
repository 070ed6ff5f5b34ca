//! JNI glue for the Android/JVM binding (`bindings/java`, package `dev.authcode`), behind
//! the `jni` feature. Each function converts Java values, calls the C ABI, and turns a
//! failure into a thrown `dev.authcode.AuthcodeException(resultCode, message)`.
//!
//! Only local references are created, and none in loops beyond a handful, so the JVM frees
//! them all when the native call returns; no global reference is ever taken.

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString, JValue};
use jni::sys::{jboolean, jint, jlong, jobjectArray, jstring};
use zeroize::Zeroizing;

use crate::authcode_result;
use crate::client::{
    authcode_client_config, authcode_client_config_free, authcode_client_config_new,
    authcode_client_config_params, authcode_http_request, authcode_session,
    authcode_session_access_token, authcode_session_authorize_url, authcode_session_free,
    authcode_session_last_error, authcode_session_new, authcode_session_on_redirect,
    authcode_session_on_refresh_response, authcode_session_on_token_response,
    authcode_session_refresh_due, authcode_session_refresh_request, authcode_session_restore,
    authcode_session_restore_keyed, authcode_session_revocation_request, authcode_session_save,
    authcode_session_save_keyed, authcode_session_stage, authcode_session_token_request,
};
use crate::server::{authcode_server, authcode_server_free, authcode_server_new};
use crate::util::authcode_str;

/// A Java exception is pending (thrown or about to be).
struct Thrown;

type JniResult<T> = Result<T, Thrown>;

fn throw(env: &mut JNIEnv<'_>, code: authcode_result, detail: &str) -> Thrown {
    // SAFETY: `authcode_result_message` returns a static NUL-terminated string.
    let message =
        unsafe { core::ffi::CStr::from_ptr(crate::result::authcode_result_message(code as i32)) };
    let text = if detail.is_empty() {
        message.to_string_lossy().into_owned()
    } else {
        format!("{}: {detail}", message.to_string_lossy())
    };
    if let Ok(text) = env.new_string(text) {
        let args = [JValue::Int(code as jint), JValue::Object(&text)];
        if let Ok(exception) = env.new_object(
            "dev/authcode/AuthcodeException",
            "(ILjava/lang/String;)V",
            &args,
        ) {
            let _ = env.throw(jni::objects::JThrowable::from(exception));
        }
    }
    Thrown
}

fn check(
    env: &mut JNIEnv<'_>,
    code: authcode_result,
    detail: impl FnOnce() -> String,
) -> JniResult<()> {
    if code == authcode_result::Ok {
        Ok(())
    } else {
        Err(throw(env, code, &detail()))
    }
}

fn string(env: &mut JNIEnv<'_>, value: &JString<'_>) -> JniResult<Option<String>> {
    if value.is_null() {
        return Ok(None);
    }
    match env.get_string(value) {
        Ok(text) => Ok(Some(text.into())),
        Err(_) => Err(throw(env, authcode_result::InvalidUtf8, "")),
    }
}

fn required(env: &mut JNIEnv<'_>, value: &JString<'_>) -> JniResult<String> {
    match string(env, value)? {
        Some(text) => Ok(text),
        None => Err(throw(
            env,
            authcode_result::NullPointer,
            "a required string was null",
        )),
    }
}

fn bytes(env: &mut JNIEnv<'_>, value: &JByteArray<'_>) -> JniResult<Vec<u8>> {
    if value.is_null() {
        return Ok(Vec::new());
    }
    env.convert_byte_array(value)
        .map_err(|_| throw(env, authcode_result::NullPointer, "unreadable byte array"))
}

fn view(text: &str) -> authcode_str {
    authcode_str::of(text)
}

fn new_string(env: &mut JNIEnv<'_>, text: &str) -> JniResult<jstring> {
    env.new_string(text)
        .map(JString::into_raw)
        .map_err(|_| Thrown)
}

fn string_array(env: &mut JNIEnv<'_>, values: &[Option<&str>]) -> JniResult<jobjectArray> {
    let length = i32::try_from(values.len()).map_err(|_| Thrown)?;
    let array = env
        .new_object_array(length, "java/lang/String", JObject::null())
        .map_err(|_| Thrown)?;
    for (index, value) in values.iter().enumerate() {
        if let Some(value) = value {
            let text = env.new_string(value).map_err(|_| Thrown)?;
            env.set_object_array_element(&array, i32::try_from(index).map_err(|_| Thrown)?, &text)
                .map_err(|_| Thrown)?;
            env.delete_local_ref(text).map_err(|_| Thrown)?;
        }
    }
    Ok(array.into_raw())
}

/// Reads text from a C function with the `(buf, len, out_len)` convention, growing once.
fn read_text(
    fill: impl Fn(*mut u8, usize, *mut usize) -> authcode_result,
) -> Result<String, authcode_result> {
    let mut buf = vec![0u8; 1024];
    let mut len = 0usize;
    let mut result = fill(buf.as_mut_ptr(), buf.len(), &mut len);
    if result == authcode_result::BufferTooSmall {
        buf.resize(len, 0);
        result = fill(buf.as_mut_ptr(), buf.len(), &mut len);
    }
    if result != authcode_result::Ok {
        return Err(result);
    }
    buf.truncate(len);
    String::from_utf8(buf).map_err(|_| authcode_result::InvalidUtf8)
}

fn session_error(session: *const authcode_session) -> String {
    // SAFETY: `session` is a live handle owned by the Java object.
    read_text(|b, n, o| unsafe { authcode_session_last_error(session, b, n, o) })
        .unwrap_or_default()
}

fn run<T>(
    env: &mut JNIEnv<'_>,
    default: T,
    body: impl FnOnce(&mut JNIEnv<'_>) -> JniResult<T>,
) -> T {
    // A panic must not unwind into the JVM.
    match std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| body(env))) {
        Ok(Ok(value)) => value,
        Ok(Err(Thrown)) => default,
        Err(_) => {
            let _ = throw(env, authcode_result::Panic, "");
            default
        }
    }
}

fn null() -> jstring {
    core::ptr::null_mut()
}

fn text_result(
    env: &mut JNIEnv<'_>,
    text: Result<String, authcode_result>,
    detail: impl FnOnce() -> String,
) -> JniResult<jstring> {
    match text {
        Ok(text) => new_string(env, &text),
        Err(code) => Err(throw(env, code, &detail())),
    }
}

// ---- PKCE ----

#[unsafe(export_name = "Java_dev_authcode_Native_pkceGenerate")]
extern "system" fn pkce_generate(mut env: JNIEnv<'_>, _: JClass<'_>, length: jint) -> jstring {
    run(&mut env, null(), |env| {
        let length = usize::try_from(length).unwrap_or(0);
        // SAFETY: the buffer pointers come from a live Vec in `read_text`; NULL rng = OS.
        let text = read_text(|b, n, o| unsafe {
            crate::pkce::authcode_pkce_generate(core::ptr::null(), length, b, n, o)
        });
        text_result(env, text, String::new)
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_pkceChallenge")]
extern "system" fn pkce_challenge(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    verifier: JString<'_>,
) -> jstring {
    run(&mut env, null(), |env| {
        let verifier = required(env, &verifier)?;
        // SAFETY: `verifier` outlives the call; buffers from `read_text`.
        let text = read_text(|b, n, o| unsafe {
            crate::pkce::authcode_pkce_challenge(verifier.as_ptr(), verifier.len(), b, n, o)
        });
        text_result(env, text, String::new)
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_pkceVerify")]
extern "system" fn pkce_verify(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    verifier: JString<'_>,
    challenge: JString<'_>,
) -> jboolean {
    run(&mut env, 0, |env| {
        let verifier = required(env, &verifier)?;
        let challenge = required(env, &challenge)?;
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
            authcode_result::Ok => Ok(1),
            authcode_result::VerifierMismatch => Ok(0),
            code => Err(throw(env, code, "")),
        }
    })
}

// ---- client configuration ----

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
        let authorize = string(env, &authorization_endpoint)?.unwrap_or_default();
        let token = string(env, &token_endpoint)?.unwrap_or_default();
        let client_id = required(env, &client_id)?;
        let redirect_uri = required(env, &redirect_uri)?;
        let domain = string(env, &workfront_domain)?;
        let params = authcode_client_config_params {
            profile: u32::try_from(profile).unwrap_or(u32::MAX),
            authorization_endpoint: view(&authorize),
            token_endpoint: view(&token),
            client_id: view(&client_id),
            redirect_uri: view(&redirect_uri),
            workfront_domain: domain.as_deref().map_or(authcode_str::NONE, view),
        };
        let mut config: *mut authcode_client_config = core::ptr::null_mut();
        // SAFETY: every string outlives the call; `config` is a valid out pointer.
        let result = unsafe { authcode_client_config_new(&params, &mut config) };
        check(env, result, String::new)?;
        Ok(config as jlong)
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_configSet")]
extern "system" fn config_set(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    config: jlong,
    setting: jint,
    value: JString<'_>,
) {
    run(&mut env, (), |env| {
        let value = required(env, &value)?;
        let config = config as *mut authcode_client_config;
        let setter = match setting {
            0 => crate::client::authcode_client_config_set_scope,
            1 => crate::client::authcode_client_config_set_issuer,
            2 => crate::client::authcode_client_config_set_client_secret_basic,
            3 => crate::client::authcode_client_config_set_client_secret_post,
            4 => crate::client::authcode_client_config_set_revocation_endpoint,
            _ => {
                return Err(throw(
                    env,
                    authcode_result::InvalidArgument,
                    "unknown setting",
                ));
            }
        };
        // SAFETY: `config` is the live handle of the Java object; `value` outlives the call.
        let result = unsafe { setter(config, value.as_ptr(), value.len()) };
        check(env, result, || {
            // SAFETY: as above.
            read_text(|b, n, o| unsafe {
                crate::client::authcode_client_config_last_error(config, b, n, o)
            })
            .unwrap_or_default()
        })
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_configFree")]
extern "system" fn config_free(_: JNIEnv<'_>, _: JClass<'_>, config: jlong) {
    // SAFETY: the Java object frees its handle exactly once (Handle.close).
    unsafe { authcode_client_config_free(config as *mut authcode_client_config) }
}

// ---- session ----

#[unsafe(export_name = "Java_dev_authcode_Native_sessionNew")]
extern "system" fn session_new(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    config: jlong,
    now: jlong,
) -> jlong {
    run(&mut env, 0, |env| {
        let mut session: *mut authcode_session = core::ptr::null_mut();
        // SAFETY: `config` is a live handle; NULL rng = the OS source.
        let result = unsafe {
            authcode_session_new(
                config as *const authcode_client_config,
                core::ptr::null(),
                now as u64,
                &mut session,
            )
        };
        check(env, result, String::new)?;
        Ok(session as jlong)
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_sessionFree")]
extern "system" fn session_free(_: JNIEnv<'_>, _: JClass<'_>, session: jlong) {
    // SAFETY: the Java object frees its handle exactly once.
    unsafe { authcode_session_free(session as *mut authcode_session) }
}

#[unsafe(export_name = "Java_dev_authcode_Native_sessionStage")]
extern "system" fn session_stage(mut env: JNIEnv<'_>, _: JClass<'_>, session: jlong) -> jint {
    run(&mut env, 0, |env| {
        let mut stage = crate::client::authcode_stage::Failed;
        // SAFETY: live handle, valid out pointer.
        let result =
            unsafe { authcode_session_stage(session as *const authcode_session, &mut stage) };
        check(env, result, String::new)?;
        Ok(stage as jint)
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_sessionAuthorizeUrl")]
extern "system" fn session_authorize_url(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let session = session as *mut authcode_session;
        // SAFETY: live handle; buffers from `read_text`.
        let text = read_text(|b, n, o| unsafe { authcode_session_authorize_url(session, b, n, o) });
        text_result(env, text, || session_error(session))
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_sessionOnRedirect")]
extern "system" fn session_on_redirect(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    redirect: JString<'_>,
) -> jint {
    run(&mut env, 0, |env| {
        let redirect = required(env, &redirect)?;
        let session = session as *mut authcode_session;
        let mut outcome = crate::client::authcode_redirect_outcome::Denied;
        // SAFETY: live handle; `redirect` outlives the call.
        let result = unsafe {
            authcode_session_on_redirect(session, redirect.as_ptr(), redirect.len(), &mut outcome)
        };
        check(env, result, || session_error(session))?;
        Ok(outcome as jint)
    })
}

fn copy(s: authcode_str) -> Option<String> {
    if s.ptr.is_null() {
        return None;
    }
    // SAFETY: the C API returned a valid range into the buffer or the session.
    let bytes = unsafe { core::slice::from_raw_parts(s.ptr, s.len) };
    Some(String::from_utf8_lossy(bytes).into_owned())
}

#[unsafe(export_name = "Java_dev_authcode_Native_sessionRequest")]
extern "system" fn session_request(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    which: jint,
) -> jobjectArray {
    run(&mut env, core::ptr::null_mut(), |env| {
        let session = session as *mut authcode_session;
        let build = |buf: *mut u8,
                     len: usize,
                     out_len: *mut usize,
                     out: *mut authcode_http_request| {
            // SAFETY: live handle; buffer and out pointers valid for the call.
            unsafe {
                match which {
                    0 => authcode_session_token_request(session, buf, len, out_len, out),
                    1 => authcode_session_refresh_request(session, buf, len, out_len, out),
                    _ => authcode_session_revocation_request(session, 1, buf, len, out_len, out),
                }
            }
        };
        let mut buf = vec![0u8; 2048];
        let mut len = 0usize;
        let mut request = core::mem::MaybeUninit::<authcode_http_request>::uninit();
        let mut result = build(buf.as_mut_ptr(), buf.len(), &mut len, request.as_mut_ptr());
        if result == authcode_result::BufferTooSmall {
            buf.resize(len, 0);
            result = build(buf.as_mut_ptr(), buf.len(), &mut len, request.as_mut_ptr());
        }
        check(env, result, || session_error(session))?;
        // SAFETY: written on success.
        let request = unsafe { request.assume_init() };
        let fields = [
            copy(request.method),
            copy(request.url),
            copy(request.content_type),
            copy(request.accept),
            copy(request.authorization),
            copy(request.body),
        ];
        let views: Vec<Option<&str>> = fields.iter().map(Option::as_deref).collect();
        string_array(env, &views)
    })
}

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
        let body = bytes(env, &body)?;
        let session = session as *mut authcode_session;
        let status = u16::try_from(status).unwrap_or(0);
        let now = now as u64;
        let (result, outcome) = if which == 0 {
            let mut outcome = crate::client::authcode_token_outcome::Rejected;
            // SAFETY: live handle; `body` outlives the call.
            let result = unsafe {
                authcode_session_on_token_response(
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
                authcode_session_on_refresh_response(
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
        check(env, result, || session_error(session))?;
        Ok(outcome)
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_sessionRefreshDue")]
extern "system" fn session_refresh_due(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    now: jlong,
) -> jboolean {
    run(&mut env, 0, |env| {
        let mut due = false;
        // SAFETY: live handle, valid out pointer.
        let result = unsafe {
            authcode_session_refresh_due(session as *const authcode_session, now as u64, &mut due)
        };
        check(env, result, String::new)?;
        Ok(jboolean::from(due))
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_sessionAccessToken")]
extern "system" fn session_access_token(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let session = session as *mut authcode_session;
        // SAFETY: live handle; buffers from `read_text`.
        let text = read_text(|b, n, o| unsafe { authcode_session_access_token(session, b, n, o) });
        text_result(env, text, String::new)
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_sessionSave")]
extern "system" fn session_save(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    key: JByteArray<'_>,
) -> jni::sys::jbyteArray {
    run(&mut env, core::ptr::null_mut(), |env| {
        // A null array is an unkeyed save.
        let key = if key.is_null() {
            None
        } else {
            Some(Zeroizing::new(bytes(env, &key)?))
        };
        let session = session as *const authcode_session;
        let mut buf = vec![0u8; 8192];
        let mut len = 0usize;
        // SAFETY: live handle; buffer and key valid for the call.
        let result = unsafe {
            match &key {
                Some(key) => authcode_session_save_keyed(
                    session,
                    key.as_ptr(),
                    key.len(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut len,
                ),
                None => authcode_session_save(session, buf.as_mut_ptr(), buf.len(), &mut len),
            }
        };
        check(env, result, String::new)?;
        buf.truncate(len);
        env.byte_array_from_slice(&buf)
            .map(JByteArray::into_raw)
            .map_err(|_| Thrown)
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_sessionRestore")]
extern "system" fn session_restore(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    session: jlong,
    key: JByteArray<'_>,
    saved: JByteArray<'_>,
) {
    run(&mut env, (), |env| {
        // A null array restores an unkeyed save.
        let key = if key.is_null() {
            None
        } else {
            Some(Zeroizing::new(bytes(env, &key)?))
        };
        let saved = Zeroizing::new(bytes(env, &saved)?);
        let session = session as *mut authcode_session;
        // SAFETY: live handle; `key` and `saved` outlive the call.
        let result = unsafe {
            match &key {
                Some(key) => authcode_session_restore_keyed(
                    session,
                    key.as_ptr(),
                    key.len(),
                    saved.as_ptr(),
                    saved.len(),
                ),
                None => authcode_session_restore(session, saved.as_ptr(), saved.len()),
            }
        };
        check(env, result, || session_error(session))
    })
}

// ---- server ----

fn server_error(server: *const authcode_server) -> String {
    // SAFETY: live handle owned by the Java object.
    read_text(|b, n, o| unsafe { crate::server::authcode_server_last_error(server, b, n, o) })
        .unwrap_or_default()
}

#[unsafe(export_name = "Java_dev_authcode_Native_serverNew")]
extern "system" fn server_new(mut env: JNIEnv<'_>, _: JClass<'_>, profile: jint) -> jlong {
    run(&mut env, 0, |env| {
        let mut server: *mut authcode_server = core::ptr::null_mut();
        // SAFETY: valid out pointer.
        let result =
            unsafe { authcode_server_new(u32::try_from(profile).unwrap_or(u32::MAX), &mut server) };
        check(env, result, String::new)?;
        Ok(server as jlong)
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_serverFree")]
extern "system" fn server_free(_: JNIEnv<'_>, _: JClass<'_>, server: jlong) {
    // SAFETY: the Java object frees its handle exactly once.
    unsafe { authcode_server_free(server as *mut authcode_server) }
}

#[unsafe(export_name = "Java_dev_authcode_Native_serverCreateApp")]
extern "system" fn server_create_app(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    name: JString<'_>,
    kind: jint,
    redirect_uris: JObjectArray<'_>,
    rotation: jboolean,
) -> jobjectArray {
    run(&mut env, core::ptr::null_mut(), |env| {
        let name = required(env, &name)?;
        let count = env.get_array_length(&redirect_uris).map_err(|_| Thrown)?;
        let mut uris = Vec::new();
        for index in 0..count {
            let element = env
                .get_object_array_element(&redirect_uris, index)
                .map_err(|_| Thrown)?;
            let uri = required(env, &JString::from(element))?;
            uris.push(uri);
        }
        let views: Vec<authcode_str> = uris.iter().map(|uri| view(uri)).collect();
        let spec = crate::server::authcode_app_spec {
            name: view(&name),
            kind: u32::try_from(kind).unwrap_or(u32::MAX),
            redirect_uris: views.as_ptr(),
            redirect_uri_count: views.len(),
            public_keys: core::ptr::null(),
            public_key_count: 0,
            rotation: rotation != 0,
            absolute_lifetime: 0,
            inactivity_lifetime: 0,
            require_pkce: true,
        };
        let server = server as *mut authcode_server;
        let (mut id, mut secret) = ([0u8; 64], [0u8; 64]);
        let (mut id_len, mut secret_len) = (0usize, 0usize);
        // SAFETY: live handle; spec and buffers valid for the call; NULL rng = OS.
        let result = unsafe {
            crate::server::authcode_server_create_app(
                server,
                &spec,
                core::ptr::null(),
                id.as_mut_ptr(),
                id.len(),
                &mut id_len,
                secret.as_mut_ptr(),
                secret.len(),
                &mut secret_len,
            )
        };
        check(env, result, || server_error(server))?;
        let id = core::str::from_utf8(id.get(..id_len).unwrap_or_default())
            .unwrap_or_default()
            .to_owned();
        let secret = core::str::from_utf8(secret.get(..secret_len).unwrap_or_default())
            .unwrap_or_default()
            .to_owned();
        string_array(
            env,
            &[Some(&id), (!secret.is_empty()).then_some(secret.as_str())],
        )
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_serverAuthorize")]
extern "system" fn server_authorize(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    query: JString<'_>,
    subject: JString<'_>,
    now: jlong,
) -> jobjectArray {
    run(&mut env, core::ptr::null_mut(), |env| {
        let query = required(env, &query)?;
        let subject = required(env, &subject)?;
        let server = server as *mut authcode_server;
        let mut location = vec![0u8; 2048];
        let mut len = 0usize;
        let mut error = crate::client::authcode_error_code::None;
        // SAFETY: live handle; strings and buffers valid for the call.
        let result = unsafe {
            crate::server::authcode_server_authorize(
                server,
                query.as_ptr(),
                query.len(),
                subject.as_ptr(),
                subject.len(),
                now as u64,
                core::ptr::null(),
                location.as_mut_ptr(),
                location.len(),
                &mut len,
                &mut error,
            )
        };
        check(env, result, || server_error(server))?;
        location.truncate(len);
        let location = String::from_utf8_lossy(&location).into_owned();
        let error_name = match error {
            crate::client::authcode_error_code::None => None,
            other => Some(format!("{other:?}")),
        };
        string_array(env, &[Some(&location), error_name.as_deref()])
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_serverToken")]
extern "system" fn server_token(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    revoke: jboolean,
    method: JString<'_>,
    content_type: JString<'_>,
    authorization: JString<'_>,
    body: JByteArray<'_>,
    now: jlong,
) -> jobjectArray {
    run(&mut env, core::ptr::null_mut(), |env| {
        let method = required(env, &method)?;
        let content_type = string(env, &content_type)?;
        let authorization = string(env, &authorization)?;
        let body = bytes(env, &body)?;
        let request = crate::server::authcode_token_request {
            method: view(&method),
            content_type: content_type.as_deref().map_or(authcode_str::NONE, view),
            authorization: authorization.as_deref().map_or(authcode_str::NONE, view),
            body: authcode_str {
                ptr: body.as_ptr(),
                len: body.len(),
            },
        };
        let server = server as *mut authcode_server;
        let mut buf = vec![0u8; 1024];
        let mut response =
            core::mem::MaybeUninit::<crate::server::authcode_token_response>::uninit();
        // SAFETY: live handle; request strings, buffer and out pointer valid for the call.
        let result = unsafe {
            if revoke != 0 {
                crate::server::authcode_server_revoke(
                    server,
                    &request,
                    now as u64,
                    buf.as_mut_ptr(),
                    buf.len(),
                    response.as_mut_ptr(),
                )
            } else {
                crate::server::authcode_server_token(
                    server,
                    &request,
                    now as u64,
                    core::ptr::null(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    response.as_mut_ptr(),
                )
            }
        };
        check(env, result, || server_error(server))?;
        // SAFETY: written on success.
        let response = unsafe { response.assume_init() };
        let status = response.status.to_string();
        let www = copy(response.www_authenticate);
        let body = copy(response.body);
        string_array(env, &[Some(&status), www.as_deref(), body.as_deref()])
    })
}

/// The server's administrative operations, by number (see `Server.java`): one entry point
/// instead of one JNI function each.
#[unsafe(export_name = "Java_dev_authcode_Native_serverAdmin")]
#[allow(clippy::too_many_arguments)]
extern "system" fn server_admin(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    op: jint,
    arg: JString<'_>,
    a: jlong,
    b: jlong,
    now: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let arg = string(env, &arg)?.unwrap_or_default();
        let server = server as *mut authcode_server;
        let now = now as u64;
        let number = |value: jlong| u32::try_from(value).unwrap_or(u32::MAX);
        let mut count = 0usize;
        let mut secret = [0u8; 64];
        let mut secret_len = 0usize;
        let mut slot = 0u32;
        let rng = core::ptr::null();
        // SAFETY: live handle; strings and out pointers valid for the call.
        let result = unsafe {
            match op {
                0 => crate::server::authcode_server_revoke_subject(
                    server,
                    arg.as_ptr(),
                    arg.len(),
                    &mut count,
                ),
                1 => crate::server::authcode_server_revoke_app_grants(
                    server,
                    arg.as_ptr(),
                    arg.len(),
                    &mut count,
                ),
                2 => crate::server::authcode_server_rotate_secret_with(
                    server,
                    arg.as_ptr(),
                    arg.len(),
                    a as u64,
                    b != 0,
                    now,
                    rng,
                    secret.as_mut_ptr(),
                    secret.len(),
                    &mut secret_len,
                ),
                3 => crate::server::authcode_server_add_secret(
                    server,
                    arg.as_ptr(),
                    arg.len(),
                    now,
                    rng,
                    secret.as_mut_ptr(),
                    secret.len(),
                    &mut secret_len,
                    &mut slot,
                ),
                4 => crate::server::authcode_server_delete_secret(
                    server,
                    arg.as_ptr(),
                    arg.len(),
                    number(a),
                    now,
                ),
                5 => crate::server::authcode_server_set_quotas(
                    server,
                    number(a),
                    number(b),
                    u8::try_from(now).unwrap_or(u8::MAX),
                ),
                6 => crate::server::authcode_server_set_access_tokens_per_grant(
                    server,
                    u8::try_from(a).unwrap_or(u8::MAX),
                ),
                7 => crate::server::authcode_server_set_refresh_grace(server, a as u64),
                _ => authcode_result::InvalidArgument,
            }
        };
        check(env, result, || server_error(server))?;
        match op {
            0 | 1 => new_string(env, &count.to_string()),
            2 | 3 => {
                let text = String::from_utf8_lossy(secret.get(..secret_len).unwrap_or_default())
                    .into_owned();
                new_string(env, &text)
            }
            _ => Ok(null()),
        }
    })
}

#[unsafe(export_name = "Java_dev_authcode_Native_serverValidate")]
extern "system" fn server_validate(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    token: JString<'_>,
    now: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let token = required(env, &token)?;
        let mut info = core::mem::MaybeUninit::<crate::server::authcode_token_info>::uninit();
        // SAFETY: live handle; token and out pointer valid for the call.
        let result = unsafe {
            crate::server::authcode_server_validate(
                server as *const authcode_server,
                token.as_ptr(),
                token.len(),
                now as u64,
                info.as_mut_ptr(),
            )
        };
        match result {
            authcode_result::Ok => {
                // SAFETY: written on success.
                let info = unsafe { info.assume_init() };
                let subject = String::from_utf8_lossy(
                    info.subject.get(..info.subject_len).unwrap_or_default(),
                )
                .into_owned();
                new_string(env, &subject)
            }
            authcode_result::InvalidToken => Ok(null()),
            code => Err(throw(env, code, "")),
        }
    })
}
