//! The client session through whole flows, against a scripted server, in both profiles.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;
mod failing_rng;

use authcode::client::{
    ClientError, Failure, RedirectOutcome, RefreshOutcome, Session, Stage, TokenKind, TokenOutcome,
    TokenType,
};
use authcode::pkce::{Challenge, Verifier};
use common::*;
use failing_rng::FailingRng;
use rand::SeedableRng as _;

#[test]
fn rfc_public_client_from_login_to_refresh_and_revocation() {
    let mut session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    assert_eq!(session.stage(), Stage::AwaitingRedirect);
    assert_eq!(session.login_started_at(), Some(now()));

    // 1. The authorize URL, read back by an independent parser.
    let url = authorize_url(&session);
    assert!(url.starts_with("https://as.example.com/oauth2/authorize?response_type=code&"));
    let params = query_params(&url);
    let names: Vec<_> = params.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "code_challenge",
            "code_challenge_method",
            "redirect_uri",
            "response_type",
            "scope",
            "state"
        ]
    );
    assert_eq!(params["client_id"], "native-app");
    assert_eq!(params["redirect_uri"], "com.example.app:/oauth2redirect");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["scope"], "read write");
    assert_eq!(params["state"].len(), 43, "256-bit state");
    let challenge = Challenge::parse(&params["code_challenge"]).unwrap();

    // 2. The redirect back.
    let redirect = format!(
        "com.example.app:/oauth2redirect?code=SplxlOBeZQQYbYS6WxSbIA&state={}",
        params["state"]
    );
    assert_eq!(
        session.on_redirect(redirect.as_bytes()),
        Ok(RedirectOutcome::CodeReceived)
    );
    assert_eq!(session.stage(), Stage::AwaitingToken);

    // 3. The token request: a public client sends client_id and code_verifier, no secret.
    let mut buf = [0u8; 2048];
    let request = session.token_request(&mut buf).unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, "https://as.example.com/oauth2/token");
    assert_eq!(request.content_type, "application/x-www-form-urlencoded");
    assert_eq!(request.accept, "application/json");
    assert_eq!(request.authorization, None);
    let headers: Vec<_> = request.headers().collect();
    assert_eq!(
        headers,
        [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json")
        ]
    );
    let body = body_params(&request);
    let names: Vec<_> = body.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "code",
            "code_verifier",
            "grant_type",
            "redirect_uri"
        ]
    );
    assert_eq!(body["grant_type"], "authorization_code");
    assert_eq!(body["code"], "SplxlOBeZQQYbYS6WxSbIA");
    assert_eq!(body["redirect_uri"], "com.example.app:/oauth2redirect");
    // The verifier sent now is the one whose challenge went out in step 1.
    assert!(challenge.verify(&Verifier::parse(&body["code_verifier"]).unwrap()));

    // 4. The token response.
    assert_eq!(
        session.on_token_response(200, TOKENS.as_bytes(), now()),
        Ok(TokenOutcome::Authorized)
    );
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.access_token(), "at-1");
    assert_eq!(tokens.refresh_token(), Some("rt-1"));
    assert_eq!(tokens.token_type(), TokenType::Bearer);
    assert_eq!(tokens.expires_at(), Some(at(3600)));
    assert_eq!(tokens.scope(), Some("read write"));
    let mut header = [0u8; 64];
    assert_eq!(
        session.authorization_header(&mut header),
        Ok(("Authorization", "Bearer at-1"))
    );

    // 5. Refresh: due 60 s before expiry.
    assert!(!session.refresh_due(at(3539)));
    assert!(session.refresh_due(at(3540)));
    let request = session.refresh_request(&mut buf).unwrap();
    let body = body_params(&request);
    assert_eq!(body["grant_type"], "refresh_token");
    assert_eq!(body["refresh_token"], "rt-1");
    assert_eq!(body["client_id"], "native-app");
    assert_eq!(session.stage(), Stage::Refreshing);
    assert!(
        !session.refresh_due(at(3600)),
        "not due while one is in flight"
    );
    let rotated = r#"{"access_token":"at-2","token_type":"bearer","expires_in":"1800","refresh_token":"rt-2"}"#;
    assert_eq!(
        session.on_refresh_response(200, rotated.as_bytes(), at(3550)),
        Ok(RefreshOutcome::Refreshed)
    );
    let tokens = session.tokens().unwrap();
    assert_eq!(
        (tokens.access_token(), tokens.refresh_token()),
        ("at-2", Some("rt-2"))
    );
    assert_eq!(tokens.expires_at(), Some(at(3550 + 1800)));
    assert_eq!(
        tokens.scope(),
        Some("read write"),
        "an omitted scope keeps the granted one"
    );

    // Without rotation the server sends no refresh token: the old one stays.
    session.refresh_request(&mut buf).unwrap();
    let unrotated = r#"{"access_token":"at-3","token_type":"Bearer","expires_in":1800}"#;
    assert_eq!(
        session.on_refresh_response(200, unrotated.as_bytes(), at(5000)),
        Ok(RefreshOutcome::Refreshed)
    );
    assert_eq!(session.tokens().unwrap().refresh_token(), Some("rt-2"));
    assert_eq!(session.tokens().unwrap().access_token(), "at-3");

    // 6. Revocation (RFC 7009), then sign-out wipes the tokens.
    let request = session
        .revocation_request(TokenKind::Refresh, &mut buf)
        .unwrap();
    assert_eq!(request.url, "https://as.example.com/oauth2/revoke");
    assert_eq!(request.content_type, "application/x-www-form-urlencoded");
    let body = body_params(&request);
    assert_eq!(body["token"], "rt-2");
    assert_eq!(body["token_type_hint"], "refresh_token");
    assert_eq!(body["client_id"], "native-app");
    let request = session
        .revocation_request(TokenKind::Access, &mut buf)
        .unwrap();
    assert_eq!(body_params(&request)["token"], "at-3");
    session.sign_out();
    assert_eq!(session.stage(), Stage::Failed);
    assert_eq!(session.failure(), Some(&Failure::SignedOut));
    assert!(session.tokens().is_none());
}

#[test]
fn workfront_flow_with_json_bodies_and_the_session_id_header() {
    let mut session = Session::start(workfront_config(), &mut rng(), now()).unwrap();
    let url = authorize_url(&session);
    assert!(url.starts_with("https://acme.my.workfront.com/integrations/oauth2/authorize?response_type=code&client_id=wf-client-id&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&code_challenge="));
    let state = query_params(&url)["state"].clone();

    // Workfront's redirect carries domain and lane.
    let redirect = format!(
        "https://app.example.com/callback?code=wf-code&domain=acme.my.workfront.com&lane=lane-1&state={state}"
    );
    session.on_redirect(redirect.as_bytes()).unwrap();
    assert_eq!(session.workfront_domain(), Some("acme.my.workfront.com"));
    assert_eq!(session.workfront_lane(), Some("lane-1"));

    let mut buf = [0u8; 2048];
    let request = session.token_request(&mut buf).unwrap();
    assert_eq!(
        request.url,
        "https://acme.my.workfront.com/integrations/oauth2/api/v1/token"
    );
    assert_eq!(request.content_type, "application/json");
    let body = body_params(&request);
    let names: Vec<_> = body.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "code",
            "code_verifier",
            "grant_type",
            "redirect_uri"
        ]
    );
    assert_eq!(body["client_id"], "wf-client-id");

    // The response in the shape Workfront documents.
    let response = r#"{
        "token_type": "sessionID",
        "access_token": "5e3b5d2c8f1a4c7b9e0d1f2a3b4c5d6e",
        "refresh_token": "a1b2c3d4e5f60718293a4b5c6d7e8f90_1234567890abcdef1234567890abcdef",
        "expires_in": 3600,
        "wid": "5f0c6b2e000a1b2c3d4e5f6a7b8c9d0e"
    }"#;
    assert_eq!(
        session.on_token_response(200, response.as_bytes(), now()),
        Ok(TokenOutcome::Authorized)
    );
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.token_type(), TokenType::SessionId);
    assert_eq!(tokens.wid(), Some("5f0c6b2e000a1b2c3d4e5f6a7b8c9d0e"));
    assert_eq!(tokens.expires_at(), Some(at(3600)));
    let mut header = [0u8; 64];
    assert_eq!(
        session.authorization_header(&mut header),
        Ok(("sessionID", "5e3b5d2c8f1a4c7b9e0d1f2a3b4c5d6e"))
    );
    assert_eq!(
        session.workfront_domain(),
        Some("acme.my.workfront.com"),
        "kept after the exchange"
    );

    // Refresh in JSON too; Workfront rotates when the app is set to.
    let request = session.refresh_request(&mut buf).unwrap();
    assert_eq!(request.content_type, "application/json");
    assert_eq!(body_params(&request)["grant_type"], "refresh_token");
}

#[test]
fn workfront_token_type_is_assumed_when_missing() {
    let session = authorized(
        workfront_config(),
        r#"{"access_token":"x","expires_in":60}"#,
    );
    assert_eq!(session.tokens().unwrap().token_type(), TokenType::SessionId);
    let session = authorized(rfc_config(), r#"{"access_token":"x"}"#);
    assert_eq!(session.tokens().unwrap().token_type(), TokenType::Bearer);
    assert_eq!(
        session.tokens().unwrap().expires_at(),
        None,
        "expiry unknown"
    );
    assert!(
        !session.refresh_due(at(1_000_000)),
        "no expiry, no refresh schedule"
    );
}

#[test]
fn web_app_with_client_secret_basic() {
    let config = rfc_config().with_client_secret_basic("s3cr:t é").unwrap();
    let session = session_with_code(config, "c");
    let mut buf = [0u8; 2048];
    let request = session.token_request(&mut buf).unwrap();
    // base64("native-app:s3cr%3At%20%C3%A9"), the secret form-urlencoded first (RFC 6749 §2.3.1).
    assert_eq!(
        request.authorization,
        Some("Basic bmF0aXZlLWFwcDpzM2NyJTNBdCUyMCVDMyVBOQ==")
    );
    let body = body_params(&request);
    assert!(!body.contains_key("client_id") && !body.contains_key("client_secret"));
    assert!(request.headers().any(|(name, _)| name == "Authorization"));
}

#[test]
fn web_app_with_client_secret_post() {
    let config = rfc_config().with_client_secret_post("s3cret").unwrap();
    let session = session_with_code(config, "c");
    let mut buf = [0u8; 2048];
    let request = session.token_request(&mut buf).unwrap();
    assert_eq!(request.authorization, None);
    let body = body_params(&request);
    assert_eq!(body["client_id"], "native-app");
    assert_eq!(body["client_secret"], "s3cret");
}

#[test]
fn extra_parameters_and_an_endpoint_with_its_own_query() {
    let config = authcode::client::ClientConfig::new(
        authcode::Profile::Rfc,
        "https://as.example.com/authorize?tenant=a%20b",
        "https://as.example.com/token",
        "app",
        "http://127.0.0.1:8400/cb",
    )
    .unwrap()
    .with_authorization_parameter("prompt", "login")
    .unwrap()
    .with_authorization_parameter("login_hint", "jo+e@example.com")
    .unwrap();
    let session = Session::start(config, &mut rng(), now()).unwrap();
    let url = authorize_url(&session);
    assert!(url.starts_with("https://as.example.com/authorize?tenant=a%20b&response_type=code&"));
    let params = query_params(&url);
    assert_eq!(params["tenant"], "a b");
    assert_eq!(params["prompt"], "login");
    assert_eq!(params["login_hint"], "jo+e@example.com");
    assert!(
        !params.contains_key("scope"),
        "no scope configured, none sent"
    );
}

#[test]
fn outputs_report_the_buffer_size_they_need() {
    let session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    let mut small = [0u8; 10];
    let Err(ClientError::BufferTooSmall(too_small)) = session.authorize_url(&mut small) else {
        panic!("expected BufferTooSmall");
    };
    let mut exact = vec![0u8; too_small.needed];
    assert_eq!(
        session.authorize_url(&mut exact).unwrap().len(),
        too_small.needed
    );

    let session = session_with_code(
        rfc_config().with_client_secret_basic("secret").unwrap(),
        "c",
    );
    let mut small = [0u8; 10];
    let Err(ClientError::BufferTooSmall(too_small)) = session.token_request(&mut small) else {
        panic!("expected BufferTooSmall");
    };
    let mut exact = vec![0u8; too_small.needed];
    let request = session.token_request(&mut exact).unwrap();
    assert_eq!(
        request.authorization.unwrap().len() + request.body.len(),
        too_small.needed
    );
}

#[test]
fn a_refresh_that_fails_to_fit_is_not_in_flight() {
    let mut session = authorized(rfc_config(), TOKENS);
    let mut small = [0u8; 4];
    assert!(matches!(
        session.refresh_request(&mut small),
        Err(ClientError::BufferTooSmall(_))
    ));
    assert_eq!(session.stage(), Stage::Authorized);
}

#[test]
fn every_step_refuses_the_wrong_stage_and_changes_nothing() {
    let mut buf = [0u8; 2048];
    let mut session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    let wrong = Err(ClientError::WrongStage {
        stage: Stage::AwaitingRedirect,
    });
    assert_eq!(session.token_request(&mut buf).map(|_| ()), wrong);
    assert_eq!(
        session
            .on_token_response(200, TOKENS.as_bytes(), now())
            .map(|_| ()),
        wrong
    );
    assert_eq!(session.refresh_request(&mut buf).map(|_| ()), wrong);
    assert_eq!(
        session
            .on_refresh_response(200, TOKENS.as_bytes(), now())
            .map(|_| ()),
        wrong
    );
    assert_eq!(
        session
            .revocation_request(TokenKind::Access, &mut buf)
            .map(|_| ()),
        wrong
    );
    assert_eq!(session.authorization_header(&mut buf).map(|_| ()), wrong);
    assert_eq!(session.stage(), Stage::AwaitingRedirect);

    let mut session = session_with_code(rfc_config(), "c");
    let wrong = Err(ClientError::WrongStage {
        stage: Stage::AwaitingToken,
    });
    assert_eq!(session.authorize_url(&mut buf).map(|_| ()), wrong);
    assert_eq!(session.on_redirect(b"code=x&state=y").map(|_| ()), wrong);
    assert_eq!(session.refresh_request(&mut buf).map(|_| ()), wrong);
    assert_eq!(session.stage(), Stage::AwaitingToken);

    let mut session = authorized(rfc_config(), TOKENS);
    let wrong = Err(ClientError::WrongStage {
        stage: Stage::Authorized,
    });
    assert_eq!(session.token_request(&mut buf).map(|_| ()), wrong);
    assert_eq!(
        session
            .on_token_response(200, TOKENS.as_bytes(), now())
            .map(|_| ()),
        wrong
    );
    assert_eq!(
        session
            .on_refresh_response(200, TOKENS.as_bytes(), now())
            .map(|_| ()),
        wrong,
        "no refresh in flight"
    );
    assert_eq!(session.tokens().unwrap().access_token(), "at-1");
}

#[test]
fn one_refresh_in_flight_at_a_time() {
    let mut session = authorized(rfc_config(), TOKENS);
    let mut buf = [0u8; 1024];
    session.refresh_request(&mut buf).unwrap();
    let mut again = [0u8; 1024];
    assert_eq!(
        session.refresh_request(&mut again).map(|_| ()),
        Err(ClientError::RefreshInFlight)
    );
    // A lost request can be cancelled, then retried.
    assert!(session.cancel_refresh());
    assert!(!session.cancel_refresh());
    assert!(session.refresh_request(&mut buf).is_ok());
}

#[test]
fn invalid_grant_on_refresh_means_sign_in_again() {
    let mut session = authorized(rfc_config(), TOKENS);
    let mut buf = [0u8; 1024];
    session.refresh_request(&mut buf).unwrap();
    let body = br#"{"error":"invalid_grant","error_description":"refresh token was rotated"}"#;
    let Ok(RefreshOutcome::SignInRequired(error)) = session.on_refresh_response(400, body, at(10))
    else {
        panic!("expected SignInRequired");
    };
    assert_eq!(error.description(), Some("refresh token was rotated"));
    assert_eq!(session.stage(), Stage::Failed);
    assert!(matches!(
        session.failure(),
        Some(Failure::SignInRequired(_))
    ));
    assert!(session.tokens().is_none(), "tokens wiped");
}

#[test]
fn other_refresh_errors_keep_the_tokens() {
    let mut session = authorized(rfc_config(), TOKENS);
    let mut buf = [0u8; 1024];
    session.refresh_request(&mut buf).unwrap();
    let body = br#"{"error":"temporarily_unavailable"}"#;
    assert!(matches!(
        session.on_refresh_response(503, body, at(10)),
        Ok(RefreshOutcome::Rejected(_))
    ));
    assert_eq!(session.stage(), Stage::Authorized);
    assert_eq!(session.tokens().unwrap().refresh_token(), Some("rt-1"));

    session.refresh_request(&mut buf).unwrap();
    assert!(matches!(
        session.on_refresh_response(502, b"<html>Bad Gateway</html>", at(10)),
        Err(ClientError::Response(_))
    ));
    assert_eq!(
        session.stage(),
        Stage::Authorized,
        "no refresh left in flight after an unreadable answer"
    );
}

#[test]
fn refresh_without_a_refresh_token() {
    let mut session = authorized(rfc_config(), r#"{"access_token":"at","expires_in":10}"#);
    let mut buf = [0u8; 256];
    assert_eq!(
        session.refresh_request(&mut buf).map(|_| ()),
        Err(ClientError::NoRefreshToken)
    );
    assert!(!session.refresh_due(at(100)));
    assert_eq!(
        session
            .revocation_request(TokenKind::Refresh, &mut buf)
            .map(|_| ()),
        Err(ClientError::NoRefreshToken)
    );
}

#[test]
fn revocation_needs_an_endpoint() {
    let config = authcode::client::ClientConfig::new(
        authcode::Profile::Rfc,
        "https://as.example.com/a",
        "https://as.example.com/t",
        "app",
        "https://app.example.com/cb",
    )
    .unwrap();
    let session = authorized(config, TOKENS);
    let mut buf = [0u8; 256];
    assert_eq!(
        session
            .revocation_request(TokenKind::Access, &mut buf)
            .map(|_| ()),
        Err(ClientError::NoRevocationEndpoint)
    );
}

#[test]
fn the_code_exchange_refused_ends_the_login() {
    let mut session = session_with_code(rfc_config(), "c");
    let body = br#"{"error":"invalid_grant","error_description":"code expired","error_uri":"https://as.example.com/e"}"#;
    let Ok(TokenOutcome::Rejected(error)) = session.on_token_response(400, body, now()) else {
        panic!("expected Rejected");
    };
    assert_eq!(error.code(), authcode::client::ErrorCode::InvalidGrant);
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.uri(), Some("https://as.example.com/e"));
    assert_eq!(error.to_string(), "invalid_grant: code expired (HTTP 400)");
    assert_eq!(session.stage(), Stage::Failed);
}

#[test]
fn an_unreadable_token_response_leaves_the_exchange_pending() {
    let mut session = session_with_code(rfc_config(), "c");
    let result = session.on_token_response(502, b"<html><body>Bad Gateway</body></html>", now());
    assert_eq!(
        result,
        Err(ClientError::Response(
            authcode::client::ResponseError::NotJson { status: 502 }
        ))
    );
    assert_eq!(
        result.unwrap_err().to_string(),
        "token endpoint response: HTTP 502: the response body is not JSON"
    );
    assert_eq!(session.stage(), Stage::AwaitingToken);
    assert_eq!(
        session.on_token_response(200, TOKENS.as_bytes(), now()),
        Ok(TokenOutcome::Authorized)
    );
}

#[test]
fn restart_begins_a_new_login_in_place_from_any_stage() {
    let mut session = authorized(rfc_config(), TOKENS);
    let old_state = sent_state(&session_with_state());
    // One generator for the whole test (`rng()` is seeded the same each time).
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    // A failing RNG changes nothing.
    assert_eq!(
        session.restart(&mut FailingRng, at(5)),
        Err(ClientError::Randomness)
    );
    assert_eq!(session.stage(), Stage::Authorized);
    assert_eq!(session.tokens().unwrap().access_token(), "at-1");

    session.restart(&mut rng, at(5)).unwrap();
    assert_eq!(session.stage(), Stage::AwaitingRedirect);
    assert!(session.tokens().is_none(), "the old tokens are gone");
    assert_eq!(session.login_started_at(), Some(at(5)));
    let state = sent_state(&session);
    assert_eq!(state.len(), 43);
    // The new login runs to the end.
    let redirect = format!("code=c2&state={state}");
    assert_eq!(
        session.on_redirect(redirect.as_bytes()),
        Ok(RedirectOutcome::CodeReceived)
    );
    assert_eq!(
        session.on_token_response(200, TOKENS.as_bytes(), at(6)),
        Ok(TokenOutcome::Authorized)
    );
    // From a failed or a pending login too; a new state each time.
    session.sign_out();
    session.restart(&mut rng, at(7)).unwrap();
    let first = sent_state(&session);
    session.restart(&mut rng, at(8)).unwrap();
    assert_ne!(sent_state(&session), first);
    assert_ne!(first, old_state);
}

fn session_with_state() -> Session {
    Session::start(rfc_config(), &mut rng(), now()).unwrap()
}

#[test]
fn a_refused_refresh_answer_leaves_every_token_as_it_was() {
    let body = r#"{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1","scope":"read write","sub":"user-1"}"#;
    let mut session = authorized(rfc_config(), body);
    let before = session.tokens().cloned();
    let mut buf = [0u8; 1024];
    // Each is refused after some members would have been read: a late bad member.
    let long_scope = format!(
        r#"{{"access_token":"at-2","refresh_token":"rt-2","scope":"{}"}}"#,
        "s".repeat(600)
    );
    for bad in [
        r#"{"access_token":"at-2","refresh_token":"rt-2","expires_in":-1}"#,
        r#"{"access_token":"at-2","refresh_token":"rt 2"}"#,
        r#"{"access_token":"at-2","token_type":"mac"}"#,
        r#"{"access_token":"at-2","refresh_token":"rt-2","wid":{}}"#,
        long_scope.as_str(),
    ] {
        session.refresh_request(&mut buf).unwrap();
        assert!(
            matches!(
                session.on_refresh_response(200, bad.as_bytes(), at(10)),
                Err(ClientError::Response(_))
            ),
            "{bad}"
        );
        assert_eq!(session.tokens().cloned(), before, "{bad}");
    }
    // A good answer merges: new access and refresh token, the scope kept when absent,
    // the login's subject kept.
    session.refresh_request(&mut buf).unwrap();
    let fresh = br#"{"access_token":"at-2","expires_in":60,"sub":"someone-else"}"#;
    assert_eq!(
        session.on_refresh_response(200, fresh, at(10)),
        Ok(RefreshOutcome::Refreshed)
    );
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.access_token(), "at-2");
    assert_eq!(tokens.refresh_token(), Some("rt-1"));
    assert_eq!(tokens.scope(), Some("read write"));
    assert_eq!(tokens.subject(), Some("user-1"));
    assert_eq!(tokens.expires_at(), Some(at(70)));
    assert_eq!(tokens.received_at(), at(10));
}
