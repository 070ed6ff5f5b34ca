//! The machine-to-machine client and JWS signers (`CredentialsClient.java`,
//! `Signer.java`). A host signer is a Java `Signer.SignFunction`, called back through the
//! C ABI's `authcode_signer.sign` during the request call, on the calling thread.

use core::ffi::c_void;

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JObject, JString, JValue};
use jni::sys::{jboolean, jint, jlong, jobjectArray, jstring};
use zeroize::Zeroizing;

use super::{
    JniResult, Subject, bytes, check, copy, new_string, null, number, optional_bytes,
    optional_string, read_bytes, read_string, run, seconds, string, string_array, throw_result,
};
use crate::authcode_result;
use crate::authcode_str;
use crate::client::{
    authcode_credentials_client, authcode_credentials_params, authcode_error_code,
    authcode_http_request, authcode_jwt_grant,
};
use crate::jose::authcode_signer;

/// A client handle from Java.
fn client_ptr(client: jlong) -> *mut authcode_credentials_client {
    client as *mut authcode_credentials_client
}

/// A signer's parts as Java passes them: the algorithm's number, the `kid` (or none), the
/// private key (or none, for the host's) and the host's `SignFunction` (or null).
struct JavaSigner<'a> {
    algorithm: u32,
    key_id: Option<String>,
    key: Option<Zeroizing<Vec<u8>>>,
    function: &'a JObject<'a>,
}

/// What the C callback reaches through its context: the JNI environment of the call and
/// the Java function to call.
struct Callback<'a, 'local> {
    env: &'a mut JNIEnv<'local>,
    function: &'a JObject<'a>,
}

impl<'a> JavaSigner<'a> {
    fn read(
        env: &mut JNIEnv<'_>,
        algorithm: jint,
        key_id: &JString<'_>,
        key: &JByteArray<'_>,
        function: &'a JObject<'a>,
    ) -> JniResult<Self> {
        Ok(Self {
            algorithm: number(algorithm),
            key_id: optional_string(env, key_id)?,
            key: optional_bytes(env, key)?,
            function,
        })
    }

    /// Calls `body` with the C view of the signer, whose callback (when the Java side
    /// gave a function) calls it through `env`.
    fn with<T>(&self, env: &mut JNIEnv<'_>, body: impl FnOnce(&authcode_signer) -> T) -> T {
        let mut callback = Callback {
            env,
            function: self.function,
        };
        let host = !self.function.is_null();
        let signer = authcode_signer {
            algorithm: self.algorithm,
            key_id: authcode_str::of_option(self.key_id.as_deref()),
            private_key: self
                .key
                .as_ref()
                .map_or(authcode_str::NONE, |key| authcode_str {
                    ptr: key.as_ptr(),
                    len: key.len(),
                }),
            context: if host {
                (&raw mut callback).cast::<c_void>()
            } else {
                core::ptr::null_mut()
            },
            sign: if host { Some(java_sign) } else { None },
        };
        body(&signer)
    }
}

/// The C callback: calls `SignFunction.sign(byte[])`. A Java exception (a locked key, a
/// cancelled prompt) is cleared and reported as a failure, so the call ends with
/// `SIGNING_FAILED`.
unsafe extern "C" fn java_sign(
    context: *mut c_void,
    input: *const u8,
    input_len: usize,
    signature: *mut u8,
    capacity: usize,
    signature_len: *mut usize,
) -> i32 {
    // SAFETY: `context` is the `Callback` of `JavaSigner::with`, alive for the C call that
    // makes this callback; authcode passes valid input and output buffers.
    let (callback, input) = unsafe {
        (
            &mut *context.cast::<Callback<'_, '_>>(),
            core::slice::from_raw_parts(input, input_len),
        )
    };
    let env = &mut *callback.env;
    let signed = env.with_local_frame(4, |env| -> jni::errors::Result<Option<Vec<u8>>> {
        let array = env.byte_array_from_slice(input)?;
        let answer = env.call_method(
            callback.function,
            "sign",
            "([B)[B",
            &[JValue::Object(&array)],
        )?;
        let answer = JByteArray::from(answer.l()?);
        if answer.is_null() {
            return Ok(None);
        }
        Ok(Some(env.convert_byte_array(&answer)?))
    });
    let signed = match signed {
        Ok(Some(signed)) => signed,
        _ => {
            // The Java exception, if any, becomes this call's SIGNING_FAILED.
            let _ = env.exception_clear();
            return -1;
        }
    };
    if signed.len() > capacity {
        return -1;
    }
    // SAFETY: `signature` has room for `capacity` bytes; `signature_len` is valid.
    unsafe {
        core::ptr::copy_nonoverlapping(signed.as_ptr(), signature, signed.len());
        *signature_len = signed.len();
    }
    0
}

/// `Native.credentialsNew(profile, tokenEndpoint, clientId, clientSecret, auth)`.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsNew")]
extern "system" fn credentials_new(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    profile: jint,
    token_endpoint: JString<'_>,
    client_id: JString<'_>,
    client_secret: JByteArray<'_>,
    auth: jint,
) -> jlong {
    run(&mut env, 0, |env| {
        let token_endpoint = string(env, &token_endpoint, "tokenEndpoint")?;
        let client_id = string(env, &client_id, "clientId")?;
        let client_secret = bytes(env, &client_secret, "clientSecret")?;
        let params = authcode_credentials_params {
            profile: number(profile),
            token_endpoint: authcode_str::of(&token_endpoint),
            client_id: authcode_str::of(&client_id),
            client_secret: authcode_str {
                ptr: client_secret.as_ptr(),
                len: client_secret.len(),
            },
            auth: number(auth),
        };
        let mut client = null();
        // SAFETY: valid params (their text outlives the call) and out pointer.
        let result =
            unsafe { crate::client::authcode_credentials_client_new(&params, &mut client) };
        check(env, result, Subject::Nothing)?;
        Ok(client as jlong)
    })
}

/// `Native.credentialsFromConfig(config)`.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsFromConfig")]
extern "system" fn credentials_from_config(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    config: jlong,
) -> jlong {
    run(&mut env, 0, |env| {
        let mut client = null();
        // SAFETY: live configuration handle; valid out pointer.
        let result = unsafe {
            crate::client::authcode_credentials_client_from_config(
                config as *const crate::client::authcode_client_config,
                &mut client,
            )
        };
        check(env, result, Subject::Nothing)?;
        Ok(client as jlong)
    })
}

/// `Native.credentialsFree(client)`.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsFree")]
extern "system" fn credentials_free(_: JNIEnv<'_>, _: JClass<'_>, client: jlong) {
    // SAFETY: from `credentialsNew` / `credentialsFromConfig`, freed once (Handle.java).
    unsafe { crate::client::authcode_credentials_client_free(client_ptr(client)) }
}

/// `Native.credentialsSetScope(client, scope)`.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsSetScope")]
extern "system" fn credentials_set_scope(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    client: jlong,
    scope: JString<'_>,
) {
    run(&mut env, (), |env| {
        let scope = string(env, &scope, "scope")?;
        let client = client_ptr(client);
        // SAFETY: live handle; `scope` outlives the call.
        let result = unsafe {
            crate::client::authcode_credentials_client_set_scope(
                client,
                scope.as_ptr(),
                scope.len(),
            )
        };
        check(env, result, Subject::Credentials(client))
    })
}

/// The request `build` writes, as the six strings of `HttpRequest.java`.
fn request_strings(
    env: &mut JNIEnv<'_>,
    client: *mut authcode_credentials_client,
    initial: usize,
    mut build: impl FnMut(
        &mut JNIEnv<'_>,
        *mut u8,
        usize,
        *mut usize,
        *mut authcode_http_request,
    ) -> authcode_result,
) -> JniResult<jobjectArray> {
    let mut request = core::mem::MaybeUninit::<authcode_http_request>::uninit();
    let out = request.as_mut_ptr();
    let mut buf = Zeroizing::new(vec![0u8; initial]);
    let mut len = 0usize;
    let mut result = build(env, buf.as_mut_ptr(), buf.len(), &mut len, out);
    if result == authcode_result::BufferTooSmall {
        buf.resize(len, 0);
        result = build(env, buf.as_mut_ptr(), buf.len(), &mut len, out);
    }
    check(env, result, Subject::Credentials(client))?;
    // SAFETY: written on success; its views point into `buf` (alive here) or the client.
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
}

/// `Native.credentialsTokenRequest(client)`: the client credentials request.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsTokenRequest")]
extern "system" fn credentials_token_request(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    client: jlong,
) -> jobjectArray {
    run(&mut env, null(), |env| {
        let client = client_ptr(client);
        request_strings(env, client, 2048, |_, buf, len, out_len, out| {
            // SAFETY: live handle; buffer and out pointers valid for the call.
            unsafe {
                crate::client::authcode_credentials_client_token_request(
                    client, buf, len, out_len, out,
                )
            }
        })
    })
}

/// `Native.credentialsJwtGrantRequest(client, subject, audience, issuer, lifetime,
/// workfront, algorithm, keyId, privateKey, signFunction, now)`: a JWT grant signed by the
/// key (`signFunction` null) or by the Java function.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsJwtGrantRequest")]
#[allow(clippy::too_many_arguments)]
extern "system" fn credentials_jwt_grant_request(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    client: jlong,
    subject: JString<'_>,
    audience: JString<'_>,
    issuer: JString<'_>,
    lifetime: jlong,
    workfront: jboolean,
    algorithm: jint,
    key_id: JString<'_>,
    private_key: JByteArray<'_>,
    function: JObject<'_>,
    now: jlong,
) -> jobjectArray {
    run(&mut env, null(), |env| {
        let subject = string(env, &subject, "subject")?;
        let audience = optional_string(env, &audience)?;
        let issuer = optional_string(env, &issuer)?;
        let signer = JavaSigner::read(env, algorithm, &key_id, &private_key, &function)?;
        let grant = authcode_jwt_grant {
            subject: authcode_str::of(&subject),
            audience: authcode_str::of_option(audience.as_deref()),
            issuer: authcode_str::of_option(issuer.as_deref()),
            lifetime_seconds: seconds(lifetime),
            workfront: workfront != 0,
        };
        let client = client_ptr(client);
        // 8192 always suffice, so the host's key is asked once.
        request_strings(env, client, 8192, |env, buf, len, out_len, out| {
            signer.with(env, |c_signer| {
                // SAFETY: live handle; grant, signer, buffer and out pointers valid for
                // the call; NULL rng = the OS source.
                unsafe {
                    crate::client::authcode_credentials_client_jwt_grant_request(
                        client,
                        &grant,
                        c_signer,
                        core::ptr::null(),
                        seconds(now),
                        buf,
                        len,
                        out_len,
                        out,
                    )
                }
            })
        })
    })
}

/// `Native.credentialsOnTokenResponse(client, status, body, now)`: the outcome's number.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsOnTokenResponse")]
extern "system" fn credentials_on_token_response(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    client: jlong,
    status: jint,
    body: JByteArray<'_>,
    now: jlong,
) -> jint {
    run(&mut env, 0, |env| {
        let body = bytes(env, &body, "body")?;
        let client = client_ptr(client);
        let mut outcome = crate::client::authcode_credentials_outcome::Rejected;
        // SAFETY: live handle; `body` outlives the call.
        let result = unsafe {
            crate::client::authcode_credentials_client_on_token_response(
                client,
                u16::try_from(status).unwrap_or(0),
                body.as_ptr(),
                body.len(),
                seconds(now),
                &mut outcome,
            )
        };
        check(env, result, Subject::Credentials(client))?;
        Ok(outcome as jint)
    })
}

/// `Native.credentialsAccessToken(client, now)`: the cached token, or null when due.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsAccessToken")]
extern "system" fn credentials_access_token(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    client: jlong,
    now: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let client = client_ptr(client);
        // SAFETY: live handle; buffers from `read_bytes`.
        let token = read_bytes(256, |b, n, o| unsafe {
            crate::client::authcode_credentials_client_access_token(client, seconds(now), b, n, o)
        });
        match token {
            Ok(token) => new_string(env, &String::from_utf8_lossy(&token)),
            Err(authcode_result::WrongState) => Ok(null()),
            Err(code) => Err(throw_result(env, code, Subject::Credentials(client))),
        }
    })
}

/// `Native.credentialsForgetToken(client)`.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsForgetToken")]
extern "system" fn credentials_forget_token(mut env: JNIEnv<'_>, _: JClass<'_>, client: jlong) {
    run(&mut env, (), |env| {
        let client = client_ptr(client);
        // SAFETY: live handle.
        let result = unsafe { crate::client::authcode_credentials_client_forget_token(client) };
        check(env, result, Subject::Credentials(client))
    })
}

/// `Native.credentialsServerError(client)`: the `authcode_error_code` number.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsServerError")]
extern "system" fn credentials_server_error(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    client: jlong,
) -> jint {
    run(&mut env, 0, |env| {
        let client = client_ptr(client);
        let mut code = authcode_error_code::None;
        // SAFETY: live handle; valid out pointer.
        let result =
            unsafe { crate::client::authcode_credentials_client_server_error(client, &mut code) };
        check(env, result, Subject::Credentials(client))?;
        Ok(code as jint)
    })
}

/// `Native.credentialsLastError(client)`.
#[unsafe(export_name = "Java_dev_authcode_Native_credentialsLastError")]
extern "system" fn credentials_last_error(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    client: jlong,
) -> jstring {
    run(&mut env, null(), |env| {
        let client = client_ptr(client);
        // SAFETY: live handle; buffers from `read_string`.
        read_string(env, Subject::Nothing, 256, |b, n, o| unsafe {
            crate::client::authcode_credentials_client_last_error(client, b, n, o)
        })
    })
}

/// `Native.signerPublicJwk(algorithm, keyId, privateKey, signFunction)`: the public JWK
/// of a key the core holds (a host's function: `INVALID_ARGUMENT`, it is never called).
#[unsafe(export_name = "Java_dev_authcode_Native_signerPublicJwk")]
extern "system" fn signer_public_jwk(
    mut env: JNIEnv<'_>,
    _: JClass<'_>,
    algorithm: jint,
    key_id: JString<'_>,
    private_key: JByteArray<'_>,
    function: JObject<'_>,
) -> jstring {
    run(&mut env, null(), |env| {
        let signer = JavaSigner::read(env, algorithm, &key_id, &private_key, &function)?;
        let written = signer.with(env, |c_signer| {
            // SAFETY: a valid signer; buffers from `read_bytes`.
            read_bytes(256, |b, n, o| unsafe {
                crate::jose::authcode_signer_public_jwk(c_signer, b, n, o)
            })
        });
        match written {
            Ok(jwk) => new_string(env, &String::from_utf8_lossy(&jwk)),
            Err(code) => Err(throw_result(env, code, Subject::Nothing)),
        }
    })
}
