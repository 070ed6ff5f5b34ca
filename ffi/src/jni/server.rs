//! The authorization server (`Server.java`).

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JIntArray, JLongArray, JObjectArray, JString};
use jni::sys::{jboolean, jbyteArray, jint, jlong, jobjectArray, jstring};
use zeroize::Zeroizing;

use super::{
    JniResult, Subject, byte_array, byte_arrays, bytes, check, copy, count, new_string, null,
    number, optional_string, put_ints, put_longs, read_byte_array, read_bytes, read_string, run,
    seconds, string, string_array, strings, throw_result,
};
use crate::authcode_result;
use crate::authcode_str;
use crate::client::authcode_error_code;
use crate::server::{authcode_app_spec, authcode_server};

/// A server handle from Java.
fn server_ptr(server: jlong) -> *mut authcode_server {
    server as *mut authcode_server
}

/// The bytes a secret output needs (`AUTHCODE_CLIENT_SECRET_LEN`, with room to spare).
const SECRET_BUF: usize = 64;

/// `Native.serverNew(profile)`: `authcode_server_new`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverNew")]
extern "system" fn server_new(mut env: JNIEnv<'_>, _: JClass<'_>, profile: jint) -> jlong {
    run(&mut env, 0, |env| {
        let mut server: *mut authcode_server = null();
        // SAFETY: valid out pointer.
        let result = unsafe { crate::server::authcode_server_new(number(profile), &mut server) };
        check(env, result, Subject::Nothing)?;
        Ok(server as jlong)
    })
}

/// `Native.serverFree(server)`: `authcode_server_free`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverFree")]
extern "system" fn server_free(_: JNIEnv<'_>, _: JClass<'_>, server: jlong) {
    // SAFETY: the Java object frees its handle exactly once, after its last call
    // (Handle.java).
    unsafe { crate::server::authcode_server_free(server_ptr(server)) }
}

/// Calls `body` with the server pointer and throws with the server's last error when it
/// fails.
fn on_server(
    env: &mut JNIEnv<'_>,
    server: jlong,
    body: impl FnOnce(*mut authcode_server) -> authcode_result,
) -> JniResult<()> {
    let server = server_ptr(server);
    let result = body(server);
    check(env, result, Subject::Server(server))
}

/// `Native.serverSetIssuer(server, issuer)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverSetIssuer")]
extern "system" fn server_set_issuer(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    issuer: JString<'_>,
) {
    run(&mut env, (), |env| {
        let issuer = string(env, &issuer, "issuer")?;
        // SAFETY: live handle; `issuer` outlives the call.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_set_issuer(s, issuer.as_ptr(), issuer.len())
        })
    })
}

/// `Native.serverSetLifetimes(server, codeSeconds, accessTokenSeconds)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverSetLifetimes")]
extern "system" fn server_set_lifetimes(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    code: jlong,
    access_token: jlong,
) {
    run(&mut env, (), |env| {
        // SAFETY: live handle.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_set_lifetimes(s, seconds(code), seconds(access_token))
        })
    })
}

/// `Native.serverSetWorkfrontIdentity(server, domain, lane, wid)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverSetWorkfrontIdentity")]
extern "system" fn server_set_workfront_identity(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    domain: JString<'_>,
    lane: JString<'_>,
    wid: JString<'_>,
) {
    run(&mut env, (), |env| {
        let domain = string(env, &domain, "domain")?;
        let lane = string(env, &lane, "lane")?;
        let wid = string(env, &wid, "wid")?;
        // SAFETY: live handle; the strings outlive the call.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_set_workfront_identity(
                s,
                authcode_str::of(&domain),
                authcode_str::of(&lane),
                authcode_str::of(&wid),
            )
        })
    })
}

/// What `createApp` and `updateApp` pass: the app's settings, read from Java.
struct Spec {
    /// Display name.
    name: String,
    /// `AUTHCODE_APP_KIND_*`.
    kind: u32,
    /// Redirect URIs.
    uris: Vec<String>,
    /// Refresh-token rotation.
    rotation: bool,
    /// Absolute refresh lifetime (seconds; 0: none).
    absolute: u64,
    /// Inactivity refresh lifetime (seconds; 0: none).
    inactivity: u64,
    /// Public keys (JWK, public key PEM or certificate PEM).
    keys: Vec<String>,
    /// Web apps: the client credentials grant too.
    client_credentials: bool,
    /// The scope granted without a user (client credentials, JWT grants).
    scope: Option<String>,
}

impl Spec {
    /// Reads the settings (NPE for a null name, array or element).
    #[allow(clippy::too_many_arguments)]
    fn read(
        env: &mut JNIEnv<'_>,
        name: &JString<'_>,
        kind: jint,
        uris: &JObjectArray<'_>,
        rotation: jboolean,
        absolute: jlong,
        inactivity: jlong,
    ) -> JniResult<Self> {
        Ok(Self {
            name: string(env, name, "name")?,
            kind: number(kind),
            uris: strings(env, uris, "redirectUris")?,
            rotation: rotation != 0,
            absolute: seconds(absolute),
            inactivity: seconds(inactivity),
            keys: Vec::new(),
            client_credentials: false,
            scope: None,
        })
    }

    /// Calls `body` with the C view of the settings (valid during the call).
    fn with<T>(&self, body: impl FnOnce(&authcode_app_spec) -> T) -> T {
        let uris: Vec<authcode_str> = self.uris.iter().map(|uri| authcode_str::of(uri)).collect();
        let keys: Vec<authcode_str> = self.keys.iter().map(|key| authcode_str::of(key)).collect();
        let spec = authcode_app_spec {
            name: authcode_str::of(&self.name),
            kind: self.kind,
            redirect_uris: uris.as_ptr(),
            redirect_uri_count: uris.len(),
            public_keys: keys.as_ptr(),
            public_key_count: keys.len(),
            rotation: self.rotation,
            absolute_lifetime: self.absolute,
            inactivity_lifetime: self.inactivity,
            require_pkce: true,
            client_credentials: self.client_credentials,
            scope: authcode_str::of_option(self.scope.as_deref()),
        };
        body(&spec)
    }
}

/// `Native.serverCreateApp(...)`: `authcode_server_create_app`; `byte[2][]` of the client
/// id and the secret (null for apps without one). `publicKeys` may be empty, `scope` null.
#[unsafe(export_name = "Java_dev_authcode_Native_serverCreateApp")]
#[allow(clippy::too_many_arguments)]
extern "system" fn server_create_app(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    name: JString<'_>,
    kind: jint,
    redirect_uris: JObjectArray<'_>,
    rotation: jboolean,
    absolute: jlong,
    inactivity: jlong,
    public_keys: JObjectArray<'_>,
    client_credentials: jboolean,
    scope: JString<'_>,
) -> jobjectArray {
    run(&mut env, null(), |env| {
        let mut spec = Spec::read(
            env,
            &name,
            kind,
            &redirect_uris,
            rotation,
            absolute,
            inactivity,
        )?;
        spec.keys = strings(env, &public_keys, "publicKeys")?;
        spec.client_credentials = client_credentials != 0;
        spec.scope = optional_string(env, &scope)?;
        let mut id = [0u8; 64];
        let mut secret = Zeroizing::new([0u8; SECRET_BUF]);
        let (mut id_len, mut secret_len) = (0usize, 0usize);
        on_server(env, server, |s| {
            // SAFETY: live handle; spec and buffers valid for the call; NULL rng = the OS.
            spec.with(|spec| unsafe {
                crate::server::authcode_server_create_app(
                    s,
                    spec,
                    core::ptr::null(),
                    id.as_mut_ptr(),
                    id.len(),
                    &mut id_len,
                    secret.as_mut_ptr(),
                    secret.len(),
                    &mut secret_len,
                )
            })
        })?;
        let id = String::from_utf8_lossy(id.get(..id_len).unwrap_or_default()).into_owned();
        let secret = secret.get(..secret_len).unwrap_or_default();
        byte_arrays(
            env,
            &[Some(id.as_bytes()), (!secret.is_empty()).then_some(secret)],
        )
    })
}

/// `Native.serverUpdateApp(...)`: `authcode_server_update_app`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverUpdateApp")]
#[allow(clippy::too_many_arguments)]
extern "system" fn server_update_app(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    client_id: JString<'_>,
    name: JString<'_>,
    kind: jint,
    redirect_uris: JObjectArray<'_>,
    rotation: jboolean,
    absolute: jlong,
    inactivity: jlong,
) {
    run(&mut env, (), |env| {
        let client_id = string(env, &client_id, "clientId")?;
        let spec = Spec::read(
            env,
            &name,
            kind,
            &redirect_uris,
            rotation,
            absolute,
            inactivity,
        )?;
        on_server(env, server, |s| {
            // SAFETY: live handle; `client_id` and the spec outlive the call.
            spec.with(|spec| unsafe {
                crate::server::authcode_server_update_app(
                    s,
                    client_id.as_ptr(),
                    client_id.len(),
                    spec,
                )
            })
        })
    })
}

/// `Native.serverDeleteApp(server, clientId)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverDeleteApp")]
extern "system" fn server_delete_app(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    client_id: JString<'_>,
) {
    run(&mut env, (), |env| {
        let client_id = string(env, &client_id, "clientId")?;
        // SAFETY: live handle; `client_id` outlives the call.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_delete_app(s, client_id.as_ptr(), client_id.len())
        })
    })
}

/// `Native.serverRotateSecret(server, clientId)`: the new secret; the old one stops at
/// once.
#[unsafe(export_name = "Java_dev_authcode_Native_serverRotateSecret")]
extern "system" fn server_rotate_secret(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    client_id: JString<'_>,
) -> jbyteArray {
    run(&mut env, null(), |env| {
        let client_id = string(env, &client_id, "clientId")?;
        let s = server_ptr(server);
        // SAFETY: live handle; `client_id` and buffers valid; NULL rng = the OS.
        read_byte_array(env, Subject::Server(s), SECRET_BUF, |b, n, o| unsafe {
            crate::server::authcode_server_rotate_secret(
                s,
                client_id.as_ptr(),
                client_id.len(),
                core::ptr::null(),
                b,
                n,
                o,
            )
        })
    })
}

/// `Native.serverRotateSecretWith(server, clientId, overlap, endGrants, now)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverRotateSecretWith")]
extern "system" fn server_rotate_secret_with(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    client_id: JString<'_>,
    overlap: jlong,
    end_grants: jboolean,
    now: jlong,
) -> jbyteArray {
    run(&mut env, null(), |env| {
        let client_id = string(env, &client_id, "clientId")?;
        let s = server_ptr(server);
        // SAFETY: live handle; `client_id` and buffers valid; NULL rng = the OS.
        read_byte_array(env, Subject::Server(s), SECRET_BUF, |b, n, o| unsafe {
            crate::server::authcode_server_rotate_secret_with(
                s,
                client_id.as_ptr(),
                client_id.len(),
                seconds(overlap),
                end_grants != 0,
                seconds(now),
                core::ptr::null(),
                b,
                n,
                o,
            )
        })
    })
}

/// `Native.serverAddSecret(server, clientId, now, slot)`: the second secret; `slot[0]`
/// its slot.
#[unsafe(export_name = "Java_dev_authcode_Native_serverAddSecret")]
extern "system" fn server_add_secret(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    client_id: JString<'_>,
    now: jlong,
    slot_out: JIntArray<'_>,
) -> jbyteArray {
    run(&mut env, null(), |env| {
        let client_id = string(env, &client_id, "clientId")?;
        let s = server_ptr(server);
        let mut slot = 0u32;
        let slot_ptr: *mut u32 = &mut slot;
        // SAFETY: live handle; `client_id`, buffers and `slot` valid; NULL rng = the OS.
        let secret = read_bytes(SECRET_BUF, |b, n, o| unsafe {
            crate::server::authcode_server_add_secret(
                s,
                client_id.as_ptr(),
                client_id.len(),
                seconds(now),
                core::ptr::null(),
                b,
                n,
                o,
                slot_ptr,
            )
        })
        .map_err(|code| throw_result(env, code, Subject::Server(s)))?;
        put_ints(
            env,
            &slot_out,
            "slot",
            &[jint::try_from(slot).unwrap_or(jint::MAX)],
        )?;
        byte_array(env, &secret)
    })
}

/// `Native.serverDeleteSecret(server, clientId, slot, now)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverDeleteSecret")]
extern "system" fn server_delete_secret(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    client_id: JString<'_>,
    slot: jint,
    now: jlong,
) {
    run(&mut env, (), |env| {
        let client_id = string(env, &client_id, "clientId")?;
        // SAFETY: live handle; `client_id` outlives the call.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_delete_secret(
                s,
                client_id.as_ptr(),
                client_id.len(),
                number(slot),
                seconds(now),
            )
        })
    })
}

/// `Native.serverAppCount(server)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverAppCount")]
extern "system" fn server_app_count(mut env: JNIEnv<'_>, _: JClass<'_>, server: jlong) -> jint {
    run(&mut env, 0, |env| {
        let mut apps = 0usize;
        // SAFETY: live handle, valid out pointer.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_app_count(s, &mut apps)
        })?;
        Ok(jint::try_from(apps).unwrap_or(jint::MAX))
    })
}

/// `Native.serverAppUsage(server, clientId, out)`: `out` = codes, grants, codes quota,
/// grants quota.
#[unsafe(export_name = "Java_dev_authcode_Native_serverAppUsage")]
extern "system" fn server_app_usage(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    client_id: JString<'_>,
    out: JLongArray<'_>,
) {
    run(&mut env, (), |env| {
        let client_id = string(env, &client_id, "clientId")?;
        let mut usage = crate::server::authcode_app_usage {
            codes: 0,
            grants: 0,
            codes_quota: 0,
            grants_quota: 0,
        };
        // SAFETY: live handle; `client_id` and the out pointer valid.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_app_usage(
                s,
                client_id.as_ptr(),
                client_id.len(),
                &mut usage,
            )
        })?;
        let values = [
            usage.codes,
            usage.grants,
            usage.codes_quota,
            usage.grants_quota,
        ]
        .map(jlong::from);
        put_longs(env, &out, "out", &values)
    })
}

/// `Native.serverAuthorize(server, query, subject, now, error)`: the redirect location;
/// `error[0]` the `authcode_error_code` it carries (0: a code).
#[unsafe(export_name = "Java_dev_authcode_Native_serverAuthorize")]
extern "system" fn server_authorize(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    query: JString<'_>,
    subject: JString<'_>,
    now: jlong,
    error_out: JIntArray<'_>,
) -> jstring {
    run(&mut env, null(), |env| {
        let query = string(env, &query, "query")?;
        let subject = string(env, &subject, "subject")?;
        let s = server_ptr(server);
        let mut error = authcode_error_code::None;
        let error_ptr: *mut authcode_error_code = &mut error;
        // SAFETY: live handle; strings, buffers and `error` valid; NULL rng = the OS.
        let location = read_bytes(2048, |b, n, o| unsafe {
            crate::server::authcode_server_authorize(
                s,
                query.as_ptr(),
                query.len(),
                subject.as_ptr(),
                subject.len(),
                seconds(now),
                core::ptr::null(),
                b,
                n,
                o,
                error_ptr,
            )
        });
        redirect(env, s, location, error, &error_out)
    })
}

/// `Native.serverDeny(server, query, error)`: the redirect carrying `access_denied`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverDeny")]
extern "system" fn server_deny(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    query: JString<'_>,
    error_out: JIntArray<'_>,
) -> jstring {
    run(&mut env, null(), |env| {
        let query = string(env, &query, "query")?;
        let s = server_ptr(server);
        let mut error = authcode_error_code::None;
        let error_ptr: *mut authcode_error_code = &mut error;
        // SAFETY: live handle; `query`, buffers and `error` valid.
        let location = read_bytes(2048, |b, n, o| unsafe {
            crate::server::authcode_server_deny(s, query.as_ptr(), query.len(), b, n, o, error_ptr)
        });
        redirect(env, s, location, error, &error_out)
    })
}

/// The location of `authorize` / `deny` as a Java string, its error code into `error_out`.
fn redirect(
    env: &mut JNIEnv<'_>,
    server: *mut authcode_server,
    location: Result<Zeroizing<Vec<u8>>, authcode_result>,
    error: authcode_error_code,
    error_out: &JIntArray<'_>,
) -> JniResult<jstring> {
    let location = location.map_err(|code| throw_result(env, code, Subject::Server(server)))?;
    put_ints(env, error_out, "error", &[error as jint])?;
    new_string(env, &String::from_utf8_lossy(&location))
}

/// `Native.serverToken(server, revoke, method, contentType, authorization, body, now,
/// status)`: the token (or, with `revoke`, revocation) endpoint; `String[2]` of the
/// `WWW-Authenticate` value (or null) and the JSON body; `status[0]` the HTTP status.
#[unsafe(export_name = "Java_dev_authcode_Native_serverToken")]
#[allow(clippy::too_many_arguments)]
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
    status_out: JIntArray<'_>,
) -> jobjectArray {
    run(&mut env, null(), |env| {
        let method = string(env, &method, "method")?;
        let content_type = optional_string(env, &content_type)?;
        let authorization = optional_string(env, &authorization)?;
        let body = bytes(env, &body, "body")?;
        let request = crate::server::authcode_token_request {
            method: authcode_str::of(&method),
            content_type: authcode_str::of_option(content_type.as_deref()),
            authorization: authcode_str::of_option(authorization.as_deref()),
            body: authcode_str {
                ptr: body.as_ptr(),
                len: body.len(),
            },
        };
        let mut buf = Zeroizing::new(vec![0u8; 2048]);
        let mut response =
            core::mem::MaybeUninit::<crate::server::authcode_token_response>::uninit();
        // SAFETY: live handle; request strings, buffer and out pointer valid for the call.
        on_server(env, server, |s| unsafe {
            if revoke != 0 {
                crate::server::authcode_server_revoke(
                    s,
                    &request,
                    seconds(now),
                    buf.as_mut_ptr(),
                    buf.len(),
                    response.as_mut_ptr(),
                )
            } else {
                crate::server::authcode_server_token(
                    s,
                    &request,
                    seconds(now),
                    core::ptr::null(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    response.as_mut_ptr(),
                )
            }
        })?;
        // SAFETY: written on success; its views point into `buf`, alive here.
        let response = unsafe { response.assume_init() };
        let www = copy(response.www_authenticate);
        let json = copy(response.body);
        put_ints(env, &status_out, "status", &[jint::from(response.status)])?;
        string_array(env, &[www.as_deref(), json.as_deref()])
    })
}

/// `Native.serverValidate(server, token, now, expiresAt)`: `String[3]` of the client id,
/// subject and scope, `expiresAt[0]` the expiry; null for an unknown, expired or revoked
/// token.
#[unsafe(export_name = "Java_dev_authcode_Native_serverValidate")]
extern "system" fn server_validate(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    token: JString<'_>,
    now: jlong,
    expires_out: JLongArray<'_>,
) -> jobjectArray {
    run(&mut env, null(), |env| {
        let token = string(env, &token, "token")?;
        let s = server_ptr(server);
        let mut info = core::mem::MaybeUninit::<crate::server::authcode_token_info>::uninit();
        // SAFETY: live handle; token and out pointer valid for the call.
        let result = unsafe {
            crate::server::authcode_server_validate(
                s,
                token.as_ptr(),
                token.len(),
                seconds(now),
                info.as_mut_ptr(),
            )
        };
        if result == authcode_result::InvalidToken {
            return Ok(null());
        }
        check(env, result, Subject::Server(s))?;
        // SAFETY: written on success.
        let info = unsafe { info.assume_init() };
        let text = |bytes: &[u8], len: usize| {
            String::from_utf8_lossy(bytes.get(..len).unwrap_or_default()).into_owned()
        };
        let client_id = text(&info.client_id, info.client_id_len);
        let subject = text(&info.subject, info.subject_len);
        let scope = text(&info.scope, info.scope_len);
        let expires_at = jlong::try_from(info.expires_at).unwrap_or(jlong::MAX);
        put_longs(env, &expires_out, "expiresAt", &[expires_at])?;
        string_array(env, &[Some(&client_id), Some(&subject), Some(&scope)])
    })
}

/// `Native.serverRevokeToken(server, token)`: whether the token was known.
#[unsafe(export_name = "Java_dev_authcode_Native_serverRevokeToken")]
extern "system" fn server_revoke_token(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    token: JString<'_>,
) -> jboolean {
    run(&mut env, 0, |env| {
        let token = string(env, &token, "token")?;
        let mut known = false;
        // SAFETY: live handle; `token` and the out pointer valid.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_revoke_token(s, token.as_ptr(), token.len(), &mut known)
        })?;
        Ok(jboolean::from(known))
    })
}

/// `Native.serverPurgeExpired(server, now)`: how many entries were removed.
#[unsafe(export_name = "Java_dev_authcode_Native_serverPurgeExpired")]
extern "system" fn server_purge_expired(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    now: jlong,
) -> jlong {
    run(&mut env, 0, |env| {
        let mut removed = 0usize;
        // SAFETY: live handle, valid out pointer.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_purge_expired(s, seconds(now), &mut removed)
        })?;
        Ok(count(removed))
    })
}

/// `Native.serverSetQuotas(server, codesPerApp, grantsPerApp, codesPerSubject)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverSetQuotas")]
extern "system" fn server_set_quotas(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    codes_per_app: jint,
    grants_per_app: jint,
    codes_per_subject: jint,
) {
    run(&mut env, (), |env| {
        let per_subject = u8::try_from(codes_per_subject).unwrap_or(u8::MAX);
        // SAFETY: live handle.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_set_quotas(
                s,
                number(codes_per_app),
                number(grants_per_app),
                per_subject,
            )
        })
    })
}

/// `Native.serverSetAccessTokensPerGrant(server, count)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverSetAccessTokensPerGrant")]
extern "system" fn server_set_access_tokens_per_grant(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    tokens: jint,
) {
    run(&mut env, (), |env| {
        let tokens = u8::try_from(tokens).unwrap_or(u8::MAX);
        // SAFETY: live handle.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_set_access_tokens_per_grant(s, tokens)
        })
    })
}

/// `Native.serverSetRefreshGrace(server, seconds)`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverSetRefreshGrace")]
extern "system" fn server_set_refresh_grace(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    grace: jlong,
) {
    run(&mut env, (), |env| {
        // SAFETY: live handle.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_set_refresh_grace(s, seconds(grace))
        })
    })
}

/// `Native.serverRevokeSubject(server, subject)`: how many grants ended.
#[unsafe(export_name = "Java_dev_authcode_Native_serverRevokeSubject")]
extern "system" fn server_revoke_subject(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    subject: JString<'_>,
) -> jlong {
    run(&mut env, 0, |env| {
        let subject = string(env, &subject, "subject")?;
        let mut ended = 0usize;
        // SAFETY: live handle; `subject` and the out pointer valid.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_revoke_subject(
                s,
                subject.as_ptr(),
                subject.len(),
                &mut ended,
            )
        })?;
        Ok(count(ended))
    })
}

/// `Native.serverRevokeAppGrants(server, clientId)`: how many grants ended.
#[unsafe(export_name = "Java_dev_authcode_Native_serverRevokeAppGrants")]
extern "system" fn server_revoke_app_grants(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    server: jlong,
    client_id: JString<'_>,
) -> jlong {
    run(&mut env, 0, |env| {
        let client_id = string(env, &client_id, "clientId")?;
        let mut ended = 0usize;
        // SAFETY: live handle; `client_id` and the out pointer valid.
        on_server(env, server, |s| unsafe {
            crate::server::authcode_server_revoke_app_grants(
                s,
                client_id.as_ptr(),
                client_id.len(),
                &mut ended,
            )
        })?;
        Ok(count(ended))
    })
}

/// `Native.serverLastError(server)`: `authcode_server_last_error`.
#[unsafe(export_name = "Java_dev_authcode_Native_serverLastError")]
extern "system" fn server_last_error(mut env: JNIEnv<'_>, _: JClass<'_>, server: jlong) -> jstring {
    run(&mut env, null(), |env| {
        let s = server_ptr(server);
        // SAFETY: live handle; buffers from `read_string`.
        read_string(env, Subject::Nothing, 256, |b, n, o| unsafe {
            crate::server::authcode_server_last_error(s, b, n, o)
        })
    })
}
