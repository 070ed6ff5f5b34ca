//! The token endpoint's code exchange and client authentication, one test per rule.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod server_common;

use authcode::profile::Profile;
use authcode::server::{RefreshPolicy, TokenRequest};
use base64::Engine as _;
use server_common::*;

fn basic(id: &str, secret: &str) -> String {
    let credentials = format!("{}:{}", enc(id), enc(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    )
}

/// Authorizes the web app and returns (code, verifier).
fn web_code(f: &mut Fixture, seed: u64) -> (String, authcode::pkce::Verifier) {
    let (verifier, challenge) = pkce(seed);
    let query = authorize_query(&f.web, WEB_REDIRECT, &challenge);
    let mut buf = [0u8; 1024];
    let redirect = f
        .server
        .authorize(query.as_bytes(), "user-2", at(0), &mut f.rng, &mut buf)
        .unwrap();
    (location_params(redirect.location)["code"].clone(), verifier)
}

fn web_body(code: &str, verifier: &authcode::pkce::Verifier) -> String {
    format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={}",
        enc(code),
        enc(WEB_REDIRECT),
        verifier.as_str()
    )
}

#[test]
fn a_public_client_exchanges_its_code_for_tokens() {
    let mut f = fixture();
    let (code, verifier) = f.spa_code(1, at(0));
    let (status, json) = f.redeem_spa(&code, &verifier, at(5));
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["expires_in"], 3600);
    assert_eq!(json["scope"], "read write");
    assert_eq!(json["access_token"].as_str().unwrap().len(), 64);
    assert_eq!(json["refresh_token"].as_str().unwrap().len(), 64);
    let info = f
        .server
        .validate(json["access_token"].as_str().unwrap(), at(5))
        .unwrap();
    assert_eq!(info.subject.as_str(), "user-1");
    assert_eq!(info.client_id.as_str(), f.spa);
    assert_eq!(info.scope.as_str(), "read write");
    assert_eq!(info.expires_at, at(3605));
}

#[test]
fn the_workfront_response_shape() {
    let mut f = fixture_with(Profile::Workfront, RefreshPolicy::default());
    let (code, verifier) = f.spa_code(1, at(0));
    let (status, json) = f.redeem_spa(&code, &verifier, at(1));
    assert_eq!(status, 200);
    let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "refresh_token",
            "token_type",
            "wid"
        ]
    );
    assert_eq!(json["token_type"], "sessionID");
    assert_eq!(json["wid"], "wid-123");
}

#[test]
fn json_bodies_are_accepted() {
    let mut f = fixture_with(Profile::Workfront, RefreshPolicy::default());
    let (code, verifier) = f.spa_code(1, at(0));
    let body = serde_json::json!({
        "grant_type": "authorization_code", "code": code, "redirect_uri": SPA_REDIRECT,
        "client_id": f.spa, "code_verifier": verifier.as_str(), "unknown": {"nested": [1]}
    })
    .to_string();
    let request = TokenRequest {
        method: "POST",
        content_type: Some("application/json; charset=utf-8"),
        authorization: None,
        body: body.as_bytes(),
    };
    let (status, json, _) = f.token(&request, at(1));
    assert_eq!(status, 200, "{json}");
}

#[test]
fn a_code_is_valid_for_119_seconds_not_120() {
    for (offset, ok) in [(119, true), (120, false), (121, false)] {
        let mut f = fixture_with(Profile::Workfront, RefreshPolicy::default());
        let (code, verifier) = f.spa_code(1, at(0));
        let (status, json) = f.redeem_spa(&code, &verifier, at(offset));
        assert_eq!(status == 200, ok, "{offset}s: {json}");
        if !ok {
            assert_eq!(error_of(&json), "invalid_grant");
        }
    }
}

#[test]
fn a_code_is_single_use_and_a_replay_revokes_its_tokens() {
    let mut f = fixture();
    let (code, verifier) = f.spa_code(1, at(0));
    let (status, json) = f.redeem_spa(&code, &verifier, at(1));
    assert_eq!(status, 200);
    let access = json["access_token"].as_str().unwrap().to_owned();
    let refresh = json["refresh_token"].as_str().unwrap().to_owned();
    assert!(f.server.validate(&access, at(2)).is_ok());

    let (status, json) = f.redeem_spa(&code, &verifier, at(3));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
    assert!(
        f.server.validate(&access, at(4)).is_err(),
        "access token revoked"
    );
    let (status, json) = f.refresh_spa(&refresh, None, at(5));
    assert_eq!(
        (status, error_of(&json)),
        (400, "invalid_grant"),
        "refresh token revoked"
    );
}

#[test]
fn a_code_belongs_to_its_client() {
    let mut f = fixture();
    let (code, verifier) = f.spa_code(1, at(0));
    let body = web_body(&code, &verifier).replace(&enc(WEB_REDIRECT), &enc(SPA_REDIRECT));
    let auth = basic(&f.web, &f.web_secret.clone());
    let (status, json, _) = f.token_form(&body, Some(&auth), at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
}

#[test]
fn redirect_uri_must_equal_the_authorized_one() {
    let mut f = fixture();
    let (code, verifier) = f.spa_code(1, at(0));
    for redirect in [Some("http://127.0.0.1/cb"), None] {
        let mut body = format!(
            "grant_type=authorization_code&code={}&client_id={}&code_verifier={}",
            enc(&code),
            f.spa,
            verifier.as_str()
        );
        if let Some(redirect) = redirect {
            body.push_str(&format!("&redirect_uri={}", enc(redirect)));
        }
        let (status, json, _) = f.token_form(&body, None, at(1));
        assert_eq!(
            (status, error_of(&json)),
            (400, "invalid_grant"),
            "{redirect:?}"
        );
    }
}

#[test]
fn a_wrong_verifier_fails_and_burns_the_code() {
    let mut f = fixture();
    let (code, verifier) = f.spa_code(1, at(0));
    let (wrong, _) = pkce(2);
    let (status, json) = f.redeem_spa(&code, &wrong, at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
    // The right verifier can no longer redeem it: a guessing attacker gets one try.
    let (status, json) = f.redeem_spa(&code, &verifier, at(2));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
}

#[test]
fn a_malformed_verifier_is_invalid_grant() {
    let mut f = fixture();
    let (code, _) = f.spa_code(1, at(0));
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&code_verifier=short",
        enc(&code),
        enc(SPA_REDIRECT),
        f.spa
    );
    let (status, json, _) = f.token_form(&body, None, at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
}

#[test]
fn a_missing_verifier_is_invalid_grant() {
    let mut f = fixture();
    let (code, _) = f.spa_code(1, at(0));
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}",
        enc(&code),
        enc(SPA_REDIRECT),
        f.spa
    );
    let (status, json, _) = f.token_form(&body, None, at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
}

#[test]
fn a_verifier_for_a_code_issued_without_challenge_is_refused() {
    // PKCE downgrade: an attacker injects a code obtained without PKCE and sends a verifier.
    let mut f = fixture();
    let mut spec = authcode::server::AppSpec::new(
        "Legacy",
        authcode::server::AppKind::WebApp,
        &[WEB_REDIRECT],
    );
    spec.require_pkce = false;
    let legacy = f.server.registry_mut().create(&spec, &mut f.rng).unwrap();
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}",
        legacy.client_id,
        enc(WEB_REDIRECT)
    );
    let mut buf = [0u8; 1024];
    let redirect = f
        .server
        .authorize(query.as_bytes(), "u", at(0), &mut f.rng, &mut buf)
        .unwrap();
    let code = location_params(redirect.location)["code"].clone();
    let (verifier, _) = pkce(3);
    let auth = basic(
        &legacy.client_id,
        legacy.client_secret.as_ref().unwrap().as_str(),
    );
    let (status, json, _) = f.token_form(&web_body(&code, &verifier), Some(&auth), at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
}

#[test]
fn a_web_app_authenticates_with_basic_credentials_form_urlencoded() {
    let mut f = fixture();
    let (code, verifier) = web_code(&mut f, 1);
    let auth = basic(&f.web, &f.web_secret.clone());
    let (status, json, _) = f.token_form(&web_body(&code, &verifier), Some(&auth), at(1));
    assert_eq!(status, 200, "{json}");
}

#[test]
fn the_basic_scheme_is_case_insensitive() {
    let mut f = fixture();
    let (code, verifier) = web_code(&mut f, 1);
    let auth = basic(&f.web, &f.web_secret.clone()).replace("Basic", "bAsIc");
    let (status, _, _) = f.token_form(&web_body(&code, &verifier), Some(&auth), at(1));
    assert_eq!(status, 200);
}

#[test]
fn a_web_app_may_authenticate_in_the_body() {
    let mut f = fixture();
    let (code, verifier) = web_code(&mut f, 1);
    let body = format!(
        "{}&client_id={}&client_secret={}",
        web_body(&code, &verifier),
        f.web,
        enc(&f.web_secret)
    );
    let (status, json, www) = f.token_form(&body, None, at(1));
    assert_eq!(status, 200, "{json}");
    assert_eq!(www, None);
}

#[test]
fn two_authentication_methods_at_once_are_refused() {
    let mut f = fixture();
    let (code, verifier) = web_code(&mut f, 1);
    let auth = basic(&f.web, &f.web_secret.clone());
    let body = format!(
        "{}&client_secret={}",
        web_body(&code, &verifier),
        enc(&f.web_secret)
    );
    let (status, json, _) = f.token_form(&body, Some(&auth), at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_request"));
}

#[test]
fn a_wrong_secret_is_invalid_client_with_www_authenticate_for_basic() {
    let mut f = fixture();
    let (code, verifier) = web_code(&mut f, 1);
    let auth = basic(&f.web, "wrong-secret");
    let (status, json, www) = f.token_form(&web_body(&code, &verifier), Some(&auth), at(1));
    assert_eq!((status, error_of(&json)), (401, "invalid_client"));
    assert!(www.unwrap().starts_with("Basic"));
    // In the body: 401 without the header.
    let body = format!(
        "{}&client_id={}&client_secret=wrong",
        web_body(&code, &verifier),
        f.web
    );
    let (status, json, www) = f.token_form(&body, None, at(1));
    assert_eq!(
        (status, error_of(&json), www),
        (401, "invalid_client", None)
    );
}

#[test]
fn a_web_app_without_its_secret_is_invalid_client() {
    let mut f = fixture();
    let (code, verifier) = web_code(&mut f, 1);
    let body = format!("{}&client_id={}", web_body(&code, &verifier), f.web);
    let (status, json, _) = f.token_form(&body, None, at(1));
    assert_eq!((status, error_of(&json)), (401, "invalid_client"));
}

#[test]
fn a_public_app_presenting_a_secret_is_invalid_client() {
    let mut f = fixture();
    let (code, verifier) = f.spa_code(1, at(0));
    let auth = basic(&f.spa, "made-up");
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={}",
        enc(&code),
        enc(SPA_REDIRECT),
        verifier.as_str()
    );
    let (status, json, _) = f.token_form(&body, Some(&auth), at(1));
    assert_eq!((status, error_of(&json)), (401, "invalid_client"));
}

#[test]
fn an_unknown_client_is_invalid_client() {
    let mut f = fixture();
    let (status, json, _) = f.token_form(
        "grant_type=authorization_code&code=x&client_id=nobody",
        None,
        at(1),
    );
    assert_eq!((status, error_of(&json)), (401, "invalid_client"));
    let (status, json, www) = f.token_form(
        "grant_type=authorization_code&code=x",
        Some("Bearer abc"),
        at(1),
    );
    assert_eq!((status, error_of(&json)), (401, "invalid_client"));
    assert!(www.is_some());
    let (status, json, _) = f.token_form("grant_type=authorization_code&code=x", None, at(1));
    assert_eq!((status, error_of(&json)), (401, "invalid_client"));
}

#[test]
fn grant_types_other_than_code_and_refresh_are_unsupported() {
    let mut f = fixture();
    let spa = f.spa.clone();
    let (status, json, _) =
        f.token_form(&format!("grant_type=password&client_id={spa}"), None, at(1));
    assert_eq!((status, error_of(&json)), (400, "unsupported_grant_type"));
    let (status, json, _) = f.token_form(&format!("client_id={spa}"), None, at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_request"));
}

#[test]
fn machine_to_machine_apps_are_unauthorized_for_the_code_grant() {
    let mut f = fixture();
    let mut spec =
        authcode::server::AppSpec::new("Robot", authcode::server::AppKind::MachineToMachine, &[]);
    spec.public_keys =
        &[r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#];
    let robot = f.server.registry_mut().create(&spec, &mut f.rng).unwrap();
    let secret = robot.client_secret.as_ref().unwrap().as_str();
    for grant in [
        "grant_type=authorization_code&code=x",
        "grant_type=refresh_token&refresh_token=x",
    ] {
        let (status, json, _) = f.token_form(
            &format!(
                "{grant}&client_id={}&client_secret={secret}",
                robot.client_id
            ),
            None,
            at(1),
        );
        assert_eq!(
            (status, error_of(&json)),
            (400, "unauthorized_client"),
            "{grant}"
        );
    }
    // Without its secret it is not authenticated at all.
    let (status, json, _) = f.token_form(
        &format!(
            "grant_type=client_credentials&client_id={}",
            robot.client_id
        ),
        None,
        at(1),
    );
    assert_eq!((status, error_of(&json)), (401, "invalid_client"));
}

#[test]
fn malformed_requests_are_invalid_request() {
    let mut f = fixture();
    let spa = f.spa.clone();
    let cases: [(&str, Option<&str>, &[u8], u16); 6] = [
        (
            "GET",
            Some("application/x-www-form-urlencoded"),
            b"grant_type=refresh_token",
            405,
        ),
        ("POST", Some("text/plain"), b"grant_type=refresh_token", 400),
        ("POST", None, b"grant_type=refresh_token", 400),
        ("POST", Some("application/json"), b"{\"grant_type\":", 400),
        ("POST", Some("application/json"), b"{\"grant_type\":1}", 400),
        (
            "POST",
            Some("application/x-www-form-urlencoded"),
            b"grant_type=a&grant_type=b",
            400,
        ),
    ];
    for (method, content_type, body, expected) in cases {
        let request = TokenRequest {
            method,
            content_type,
            authorization: None,
            body,
        };
        let (status, json, _) = f.token(&request, at(1));
        assert_eq!(
            (status, error_of(&json)),
            (expected, "invalid_request"),
            "{method} {content_type:?} {:?}",
            String::from_utf8_lossy(body)
        );
    }
    let body = format!("grant_type=refresh_token&client_id={spa}&client_id={spa}");
    let (status, _, _) = f.token_form(&body, None, at(1));
    assert_eq!(status, 400);
}

#[test]
fn an_unknown_code_is_invalid_grant() {
    let mut f = fixture();
    let (verifier, _) = pkce(1);
    let (status, json) = f.redeem_spa("made-up-code", &verifier, at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
}

#[test]
fn a_small_response_buffer_changes_nothing() {
    let mut f = fixture();
    let (code, verifier) = f.spa_code(1, at(0));
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&code_verifier={}",
        enc(&code),
        enc(SPA_REDIRECT),
        f.spa,
        verifier.as_str()
    );
    let request = TokenRequest {
        method: "POST",
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
    };
    let mut small = [0u8; 100];
    assert_eq!(
        f.server
            .token(&request, at(1), &mut f.rng, &mut small)
            .map(|_| ()),
        Err(authcode::BufferTooSmall {
            needed: authcode::server::RESPONSE_BUFFER_LEN
        })
    );
    let (status, _) = f.redeem_spa(&code, &verifier, at(1));
    assert_eq!(status, 200, "the code was not spent");
}
