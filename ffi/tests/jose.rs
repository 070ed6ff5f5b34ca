//! JOSE through the C ABI: a machine-to-machine client signs JWT grants with a key handed
//! to the core or with the host's callback (returning DER or `r || s`), the C server
//! accepts them once; a session checks an OpenID Connect ID token against a JWK Set.

#![cfg(test)]
// These tests call the C ABI, which is unsafe by nature; each block states why it is sound.
#![allow(unsafe_code)]

use core::ffi::c_void;
use core::ptr::{null, null_mut};

use authcode_ffi::authcode_result as R;
use authcode_ffi::authcode_str;
use authcode_ffi::client::*;
use authcode_ffi::jose::*;
use authcode_ffi::server::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const NOW: u64 = 1_900_000_000;
const TOKEN_URL: &str = "https://as.example.com/token";
const ISSUER: &str = "https://as.example.com";
const P256_KEY: [u8; 32] = [0x11; 32];

/// A C server with one machine-to-machine app holding `jwk`: (server, client id, secret).
fn server_with_key(jwk: &str) -> (*mut authcode_server, String, String) {
    let mut server = null_mut();
    let key = authcode_str::of(jwk);
    let spec = authcode_app_spec {
        name: authcode_str::of("robot"),
        kind: 2,
        redirect_uris: null(),
        redirect_uri_count: 0,
        public_keys: &key,
        public_key_count: 1,
        rotation: false,
        absolute_lifetime: 0,
        inactivity_lifetime: 0,
        require_pkce: true,
        client_credentials: false,
        scope: authcode_str::of("read"),
    };
    let (mut id, mut secret) = ([0u8; 64], [0u8; 64]);
    let (mut id_len, mut secret_len) = (0, 0);
    // SAFETY: valid out pointers, spec, strings and buffers.
    unsafe {
        assert_eq!(authcode_server_new(0, &mut server), R::Ok);
        assert_eq!(
            authcode_server_set_issuer(server, ISSUER.as_ptr(), ISSUER.len()),
            R::Ok
        );
        assert_eq!(
            authcode_server_create_app(
                server,
                &spec,
                null(),
                id.as_mut_ptr(),
                id.len(),
                &mut id_len,
                secret.as_mut_ptr(),
                secret.len(),
                &mut secret_len,
            ),
            R::Ok
        );
    }
    (
        server,
        String::from_utf8(id[..id_len].to_vec()).unwrap(),
        String::from_utf8(secret[..secret_len].to_vec()).unwrap(),
    )
}

fn client(client_id: &str, secret: &str) -> *mut authcode_credentials_client {
    let params = authcode_credentials_params {
        profile: 0,
        token_endpoint: authcode_str::of(TOKEN_URL),
        client_id: authcode_str::of(client_id),
        client_secret: authcode_str::of(secret),
        auth: 1,
    };
    let mut client = null_mut();
    // SAFETY: valid params and out pointer.
    let result = unsafe { authcode_credentials_client_new(&params, &mut client) };
    assert_eq!(result, R::Ok);
    client
}

/// Writes a JWT grant request with `signer`: the result and the request's body.
fn jwt_request(client: *mut authcode_credentials_client, signer: &authcode_signer) -> (R, String) {
    let grant = authcode_jwt_grant {
        subject: authcode_str::of("user-7"),
        // The issuer: the C server knows no token endpoint URL (RFC 7523 takes either).
        audience: authcode_str::of(ISSUER),
        issuer: authcode_str::NONE,
        lifetime_seconds: 120,
        workfront: false,
    };
    let mut buf = vec![0u8; 8192];
    let mut len = 0;
    let mut request = core::mem::MaybeUninit::<authcode_http_request>::uninit();
    // SAFETY: live client; valid grant, signer, buffer and out pointers.
    unsafe {
        let result = authcode_credentials_client_jwt_grant_request(
            client,
            &grant,
            signer,
            null(),
            NOW,
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
            request.as_mut_ptr(),
        );
        if result != R::Ok {
            return (result, String::new());
        }
        let request = request.assume_init();
        let body = core::slice::from_raw_parts(request.body.ptr, request.body.len);
        (result, String::from_utf8(body.to_vec()).unwrap())
    }
}

/// Posts `body` to the C server's token endpoint: (status, JSON text).
fn post(server: *mut authcode_server, body: &str) -> (u16, String) {
    let request = authcode_token_request {
        method: authcode_str::of("POST"),
        content_type: authcode_str::of("application/x-www-form-urlencoded"),
        authorization: authcode_str::NONE,
        body: authcode_str::of(body),
    };
    let mut buf = vec![0u8; 4096];
    let mut response = core::mem::MaybeUninit::<authcode_token_response>::uninit();
    // SAFETY: live server; valid request, buffer and out pointer.
    unsafe {
        assert_eq!(
            authcode_server_token(
                server,
                &request,
                NOW + 1,
                null(),
                buf.as_mut_ptr(),
                buf.len(),
                response.as_mut_ptr()
            ),
            R::Ok
        );
        let response = response.assume_init();
        let body = core::slice::from_raw_parts(response.body.ptr, response.body.len);
        (response.status, String::from_utf8(body.to_vec()).unwrap())
    }
}

fn core_signer() -> authcode_signer {
    authcode_signer {
        algorithm: authcode_jws_algorithm::Es256 as u32,
        key_id: authcode_str::of("device-1"),
        private_key: authcode_str {
            ptr: P256_KEY.as_ptr(),
            len: P256_KEY.len(),
        },
        context: null_mut(),
        sign: None,
    }
}

fn public_jwk(signer: &authcode_signer) -> String {
    let mut buf = [0u8; 256];
    let mut len = 0;
    // SAFETY: valid signer and buffer.
    let result =
        unsafe { authcode_signer_public_jwk(signer, buf.as_mut_ptr(), buf.len(), &mut len) };
    assert_eq!(result, R::Ok);
    String::from_utf8(buf[..len].to_vec()).unwrap()
}

#[test]
fn a_key_handed_to_the_core_signs_a_jwt_grant_the_c_server_accepts_once() {
    let signer = core_signer();
    let jwk = public_jwk(&signer);
    assert!(
        jwk.contains(r#""kty":"EC""#) && jwk.contains(r#""kid":"device-1""#),
        "{jwk}"
    );
    let (server, client_id, secret) = server_with_key(&jwk);
    let client = client(&client_id, &secret);
    let (result, body) = jwt_request(client, &signer);
    assert_eq!(result, R::Ok);
    assert!(body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"));
    let (status, json) = post(server, &body);
    assert_eq!(status, 200, "{json}");
    // The same request again: its jti was used.
    let (status, again) = post(server, &body);
    assert_eq!(status, 400, "{again}");
    assert!(again.contains("jti was already used"), "{again}");

    let mut outcome = authcode_credentials_outcome::Rejected;
    let mut token = [0u8; 256];
    let mut len = 0;
    // SAFETY: live client; valid body, buffer and out pointers.
    unsafe {
        assert_eq!(
            authcode_credentials_client_access_token(
                client,
                NOW,
                token.as_mut_ptr(),
                token.len(),
                &mut len
            ),
            R::WrongState
        );
        assert_eq!(
            authcode_credentials_client_on_token_response(
                client,
                200,
                json.as_ptr(),
                json.len(),
                NOW + 1,
                &mut outcome
            ),
            R::Ok
        );
        assert_eq!(outcome, authcode_credentials_outcome::Issued);
        assert_eq!(
            authcode_credentials_client_access_token(
                client,
                NOW + 2,
                token.as_mut_ptr(),
                token.len(),
                &mut len
            ),
            R::Ok
        );
        let access = core::str::from_utf8(&token[..len]).unwrap();
        let mut info = core::mem::MaybeUninit::<authcode_token_info>::uninit();
        assert_eq!(
            authcode_server_validate(
                server,
                access.as_ptr(),
                access.len(),
                NOW + 3,
                info.as_mut_ptr()
            ),
            R::Ok
        );
        // The refusal of the replay, read as the client sees it.
        assert_eq!(
            authcode_credentials_client_on_token_response(
                client,
                400,
                again.as_ptr(),
                again.len(),
                NOW + 4,
                &mut outcome
            ),
            R::Ok
        );
        assert_eq!(outcome, authcode_credentials_outcome::Rejected);
        let mut code = authcode_error_code::None;
        assert_eq!(
            authcode_credentials_client_server_error(client, &mut code),
            R::Ok
        );
        assert_eq!(code, authcode_error_code::InvalidGrant);
        // The cached token stays until it is forgotten.
        assert_eq!(
            authcode_credentials_client_access_token(
                client,
                NOW + 5,
                token.as_mut_ptr(),
                token.len(),
                &mut len
            ),
            R::Ok
        );
        assert_eq!(authcode_credentials_client_forget_token(client), R::Ok);
        assert_eq!(
            authcode_credentials_client_access_token(
                client,
                NOW + 5,
                token.as_mut_ptr(),
                token.len(),
                &mut len
            ),
            R::WrongState
        );
        authcode_credentials_client_free(client);
        authcode_server_free(server);
    }
}

/// The host's "keystore": signs with a P-256 key and answers DER, as iOS and Android do;
/// `fail` set in the context makes it refuse.
struct Keystore {
    key: p256::ecdsa::SigningKey,
    der: bool,
    fail: bool,
    calls: usize,
}

unsafe extern "C" fn keystore_sign(
    context: *mut c_void,
    input: *const u8,
    input_len: usize,
    signature: *mut u8,
    capacity: usize,
    signature_len: *mut usize,
) -> i32 {
    use p256::ecdsa::signature::Signer as _;
    // SAFETY: the test passes a `Keystore` as context; authcode passes valid buffers.
    unsafe {
        let keystore = &mut *context.cast::<Keystore>();
        keystore.calls += 1;
        if keystore.fail {
            return -1;
        }
        let input = core::slice::from_raw_parts(input, input_len);
        let signed: p256::ecdsa::Signature = keystore.key.sign(input);
        let der = signed.to_der();
        let bytes = if keystore.der {
            der.as_bytes().to_vec()
        } else {
            signed.to_bytes().to_vec()
        };
        assert!(bytes.len() <= capacity);
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), signature, bytes.len());
        *signature_len = bytes.len();
    }
    0
}

#[test]
fn the_hosts_callback_signs_in_der_or_r_s_and_a_failure_changes_nothing() {
    // The same key the core would hold, so the registered JWK is the core signer's.
    let jwk = public_jwk(&core_signer());
    let (server, client_id, secret) = server_with_key(&jwk);
    let client = client(&client_id, &secret);
    for der in [true, false] {
        let mut keystore = Keystore {
            key: p256::ecdsa::SigningKey::from_slice(&P256_KEY).unwrap(),
            der,
            fail: false,
            calls: 0,
        };
        let signer = authcode_signer {
            algorithm: authcode_jws_algorithm::Es256 as u32,
            key_id: authcode_str::of("device-1"),
            private_key: authcode_str::NONE,
            context: (&raw mut keystore).cast(),
            sign: Some(keystore_sign),
        };
        let (result, body) = jwt_request(client, &signer);
        assert_eq!(result, R::Ok);
        assert_eq!(keystore.calls, 1);
        let (status, json) = post(server, &body);
        assert_eq!(status, 200, "der {der}: {json}");
        // The host's key has no public half the core could write.
        let mut buf = [0u8; 256];
        let mut len = 0;
        // SAFETY: valid signer and buffer.
        let result =
            unsafe { authcode_signer_public_jwk(&signer, buf.as_mut_ptr(), buf.len(), &mut len) };
        assert_eq!(result, R::InvalidArgument);
    }
    let mut keystore = Keystore {
        key: p256::ecdsa::SigningKey::from_slice(&P256_KEY).unwrap(),
        der: true,
        fail: true,
        calls: 0,
    };
    let failing = authcode_signer {
        algorithm: authcode_jws_algorithm::Es256 as u32,
        key_id: authcode_str::NONE,
        private_key: authcode_str::NONE,
        context: (&raw mut keystore).cast(),
        sign: Some(keystore_sign),
    };
    assert_eq!(jwt_request(client, &failing).0, R::SigningFailed);
    let mut text = [0u8; 256];
    let mut len = 0;
    // SAFETY: live client and valid buffers.
    unsafe {
        assert_eq!(
            authcode_credentials_client_last_error(client, text.as_mut_ptr(), text.len(), &mut len),
            R::Ok
        );
        assert!(
            core::str::from_utf8(&text[..len])
                .unwrap()
                .contains("signing key"),
            "{}",
            String::from_utf8_lossy(&text[..len])
        );
    }
    // Refused signers: RS256 without a callback, a key of the wrong size, an unknown
    // algorithm, NULL.
    for (algorithm, key) in [
        (0u32, &P256_KEY[..]),
        (1, &P256_KEY[..31]),
        (9, &P256_KEY[..]),
    ] {
        let signer = authcode_signer {
            algorithm,
            key_id: authcode_str::NONE,
            private_key: authcode_str {
                ptr: key.as_ptr(),
                len: key.len(),
            },
            context: null_mut(),
            sign: None,
        };
        assert_eq!(
            jwt_request(client, &signer).0,
            R::InvalidArgument,
            "{algorithm}"
        );
    }
    let mut len = 0;
    let mut request = core::mem::MaybeUninit::<authcode_http_request>::uninit();
    // SAFETY: deliberately NULL grant and signer; otherwise valid pointers.
    unsafe {
        assert_eq!(
            authcode_credentials_client_jwt_grant_request(
                client,
                null(),
                null(),
                null(),
                NOW,
                null_mut(),
                0,
                &mut len,
                request.as_mut_ptr()
            ),
            R::NullPointer
        );
        authcode_credentials_client_free(client);
        authcode_server_free(server);
    }
}

/// A host "key" that answers a 10-byte signature, whatever the algorithm.
unsafe extern "C" fn short_signature(
    _: *mut c_void,
    _: *const u8,
    _: usize,
    signature: *mut u8,
    _: usize,
    signature_len: *mut usize,
) -> i32 {
    // SAFETY: authcode passes a buffer of at least 512 bytes and a valid length pointer.
    unsafe {
        core::ptr::write_bytes(signature, 7, 10);
        *signature_len = 10;
    }
    0
}

#[test]
fn a_signature_of_the_wrong_length_is_signing_failed() {
    let client = client("robot", "s3cret");
    for algorithm in [
        authcode_jws_algorithm::Rs256,
        authcode_jws_algorithm::Es256,
        authcode_jws_algorithm::Eddsa,
    ] {
        let signer = authcode_signer {
            algorithm: algorithm as u32,
            key_id: authcode_str::NONE,
            private_key: authcode_str::NONE,
            context: null_mut(),
            sign: Some(short_signature),
        };
        assert_eq!(
            jwt_request(client, &signer).0,
            R::SigningFailed,
            "{algorithm:?}"
        );
    }
    // A `kid` longer than 128 bytes.
    let long = "k".repeat(129);
    let mut signer = core_signer();
    signer.key_id = authcode_str::of(&long);
    assert_eq!(jwt_request(client, &signer).0, R::InvalidArgument);
    // SAFETY: created above, freed once.
    unsafe { authcode_credentials_client_free(client) };
}

#[test]
fn client_credentials_and_workfront_bodies() {
    let client = client("robot", "s3cret");
    let mut buf = vec![0u8; 4096];
    let mut len = 0;
    let mut request = core::mem::MaybeUninit::<authcode_http_request>::uninit();
    let grant = authcode_jwt_grant {
        subject: authcode_str::of("user@acme.com"),
        audience: authcode_str::NONE,
        issuer: authcode_str::of("customer-7"),
        lifetime_seconds: 0,
        workfront: true,
    };
    let signer = core_signer();
    // SAFETY: live client; valid strings, buffers and out pointers.
    unsafe {
        assert_eq!(
            authcode_credentials_client_set_scope(client, b"a  b".as_ptr(), 4),
            R::InvalidConfig
        );
        assert_eq!(
            authcode_credentials_client_set_scope(client, b"read".as_ptr(), 4),
            R::Ok
        );
        assert_eq!(
            authcode_credentials_client_token_request(
                client,
                buf.as_mut_ptr(),
                buf.len(),
                &mut len,
                request.as_mut_ptr()
            ),
            R::Ok
        );
        let written = request.assume_init();
        let body = core::slice::from_raw_parts(written.body.ptr, written.body.len);
        let body = core::str::from_utf8(body).unwrap();
        assert!(
            body.starts_with("grant_type=client_credentials&scope=read"),
            "{body}"
        );
        assert!(body.contains("client_secret=s3cret"), "{body}");

        assert_eq!(
            authcode_credentials_client_jwt_grant_request(
                client,
                &grant,
                &signer,
                null(),
                NOW,
                buf.as_mut_ptr(),
                buf.len(),
                &mut len,
                request.as_mut_ptr()
            ),
            R::Ok
        );
        let written = request.assume_init();
        let body = core::slice::from_raw_parts(written.body.ptr, written.body.len);
        let body = core::str::from_utf8(body).unwrap();
        let jwt = body.split("jwt_token=").nth(1).unwrap();
        let claims = URL_SAFE_NO_PAD
            .decode(jwt.split('.').nth(1).unwrap())
            .unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap();
        assert_eq!(claims["iss"], "customer-7");
        assert_eq!(claims["sub"], "user@acme.com");
        assert_eq!(claims["exp"], NOW + 300);
        assert!(claims.get("aud").is_none());
        authcode_credentials_client_free(client);
    }
}

#[test]
fn a_session_checks_the_id_token_against_the_jwk_set() {
    use ed25519_dalek::Signer as _;
    let issuer = "https://as.example.com";
    let params = authcode_client_config_params {
        profile: 0,
        authorization_endpoint: authcode_str::of("https://as.example.com/authorize"),
        token_endpoint: authcode_str::of(TOKEN_URL),
        client_id: authcode_str::of("native-app"),
        redirect_uri: authcode_str::of("https://app.example.com/cb"),
        workfront_domain: authcode_str::NONE,
    };
    let key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
    let jwks = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k1",
        "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes())}]})
    .to_string();
    let mut config = null_mut();
    let mut session = null_mut();
    let mut buf = vec![0u8; 8192];
    let mut len = 0;
    let mut redirect_outcome = authcode_redirect_outcome::Denied;
    let mut outcome = authcode_token_outcome::Rejected;
    // SAFETY: every pointer is valid; lengths match the buffers.
    unsafe {
        assert_eq!(authcode_client_config_new(&params, &mut config), R::Ok);
        assert_eq!(
            authcode_client_config_set_scope(config, b"openid".as_ptr(), 6),
            R::Ok
        );
        assert_eq!(
            authcode_client_config_set_issuer(config, issuer.as_ptr(), issuer.len()),
            R::Ok
        );
        assert_eq!(authcode_client_config_check_id_tokens(config), R::Ok);
        assert_eq!(
            authcode_session_new(config, null(), NOW, &mut session),
            R::Ok
        );
        authcode_client_config_free(config);
        assert_eq!(
            authcode_session_authorize_url(session, buf.as_mut_ptr(), buf.len(), &mut len),
            R::Ok
        );
        let url = String::from_utf8(buf[..len].to_vec()).unwrap();
        let param = |name: &str| {
            url.split(&format!("{name}="))
                .nth(1)
                .unwrap()
                .split('&')
                .next()
                .unwrap()
                .to_owned()
        };
        let (state, nonce) = (param("state"), param("nonce"));
        let redirect = format!("code=c&state={state}&iss=https%3A%2F%2Fas.example.com");
        assert_eq!(
            authcode_session_on_redirect(
                session,
                redirect.as_ptr(),
                redirect.len(),
                &mut redirect_outcome
            ),
            R::Ok
        );
        let sign = |claims: serde_json::Value| {
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"k1"}"#),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let signature = key.sign(input.as_bytes());
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
        };
        let claims = |nonce: &str| {
            serde_json::json!({"iss": issuer, "sub": "user-1", "aud": "native-app",
                               "exp": NOW + 300, "iat": NOW, "nonce": nonce})
        };
        let body = |id_token: &str| {
            serde_json::json!({"access_token": "at", "token_type": "Bearer",
                               "id_token": id_token})
            .to_string()
        };
        let good = sign(claims(&nonce));
        // Without the JWK Set: refused, the session still waits.
        let answer = body(&good);
        assert_eq!(
            authcode_session_on_token_response(
                session,
                200,
                answer.as_ptr(),
                answer.len(),
                NOW,
                &mut outcome
            ),
            R::IdTokenRefused
        );
        // Another login's nonce: refused, named.
        let other = body(&sign(claims("another-login")));
        assert_eq!(
            authcode_session_on_token_response_verified(
                session,
                200,
                other.as_ptr(),
                other.len(),
                jwks.as_ptr(),
                jwks.len(),
                NOW,
                &mut outcome
            ),
            R::IdTokenRefused
        );
        let mut text = [0u8; 256];
        assert_eq!(
            authcode_session_last_error(session, text.as_mut_ptr(), text.len(), &mut len),
            R::Ok
        );
        assert!(
            core::str::from_utf8(&text[..len])
                .unwrap()
                .contains("nonce"),
            "{}",
            String::from_utf8_lossy(&text[..len])
        );
        let mut stage = authcode_stage::Failed;
        assert_eq!(authcode_session_stage(session, &mut stage), R::Ok);
        assert_eq!(stage, authcode_stage::AwaitingToken);
        assert_eq!(
            authcode_session_on_token_response_verified(
                session,
                200,
                answer.as_ptr(),
                answer.len(),
                jwks.as_ptr(),
                jwks.len(),
                NOW,
                &mut outcome
            ),
            R::Ok
        );
        assert_eq!(outcome, authcode_token_outcome::Authorized);
        assert_eq!(
            authcode_session_subject(session, buf.as_mut_ptr(), buf.len(), &mut len),
            R::Ok
        );
        assert_eq!(&buf[..len], b"user-1");
        assert_eq!(
            authcode_session_id_token(session, buf.as_mut_ptr(), 10, &mut len),
            R::BufferTooSmall
        );
        assert_eq!(len, good.len());
        assert_eq!(
            authcode_session_id_token(session, buf.as_mut_ptr(), buf.len(), &mut len),
            R::Ok
        );
        assert_eq!(&buf[..len], good.as_bytes());
        authcode_session_free(session);
    }
}
