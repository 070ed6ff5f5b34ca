//! OpenID Connect on the client: the nonce goes out with the authorize request and is
//! saved with the pending login; the ID token is checked against the host's JWK Set —
//! signature, iss, aud, azp, exp, iat, nonce — and every refusal leaves the session as it
//! was.

#![cfg(test)]
#![cfg(all(feature = "oidc", feature = "jose-ed25519", feature = "jose-ec"))]

mod common;

use authcode::client::{ClientError, IdTokenError, Session, Stage, TokenOutcome};
use authcode::jose::JoseError;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use ed25519_dalek::Signer as _;
use serde_json::json;

const ISSUER: &str = "https://as.example.com";

fn config() -> authcode::client::ClientConfig {
    rfc_config()
        .with_scope("openid profile")
        .unwrap()
        .with_issuer(ISSUER)
        .unwrap()
        .checking_id_tokens()
}

fn signing_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
}

fn jwks() -> String {
    let x = URL_SAFE_NO_PAD.encode(signing_key().verifying_key().as_bytes());
    // A P-256 key of another kid beside it, and a key type this crate skips.
    json!({"keys": [
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "use": "sig", "x": x},
        {"kty": "EC", "crv": "P-256", "kid": "ec-1",
         "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
         "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
    ]})
    .to_string()
}

fn sign(header: &serde_json::Value, claims: &serde_json::Value) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = signing_key().sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

fn claims(nonce: &str) -> serde_json::Value {
    json!({
        "iss": ISSUER, "sub": "user-1", "aud": "native-app",
        "exp": NOW + 300, "iat": NOW, "nonce": nonce, "email": "user@example.com"
    })
}

fn header() -> serde_json::Value {
    json!({"alg": "EdDSA", "kid": "ed-1", "typ": "JWT"})
}

fn body(id_token: &str) -> String {
    json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600,
           "refresh_token": "rt-1", "id_token": id_token})
    .to_string()
}

/// A session past the redirect, and the nonce its authorize URL carried.
fn awaiting_token() -> (Session, String) {
    let mut session = Session::start(config(), &mut rng(), now()).unwrap();
    let params = query_params(&authorize_url(&session));
    let nonce = params["nonce"].clone();
    let redirect = format!(
        "https://app.example.com/cb?code=c&iss=https%3A%2F%2Fas.example.com&state={}",
        params["state"]
    );
    session.on_redirect(redirect.as_bytes()).unwrap();
    (session, nonce)
}

#[test]
fn openid_sends_a_nonce_and_checks_the_id_token() {
    let (mut session, nonce) = awaiting_token();
    assert_eq!(nonce.len(), 43, "256-bit nonce");
    let token = sign(&header(), &claims(&nonce));

    // Without the keys the ID token cannot be checked: refused, nothing changes.
    assert_eq!(
        session.on_token_response(200, body(&token).as_bytes(), now()),
        Err(ClientError::IdToken(IdTokenError::KeysNeeded))
    );
    assert_eq!(session.stage(), Stage::AwaitingToken);

    let outcome = session
        .on_token_response_verified(200, body(&token).as_bytes(), now(), jwks().as_bytes())
        .unwrap();
    assert_eq!(outcome, TokenOutcome::Authorized);
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.subject(), Some("user-1"));
    assert_eq!(tokens.id_token(), Some(token.as_str()));
    let mut buf = [0u8; 1024];
    let claims = tokens.id_token_claims(&mut buf).unwrap();
    let mut email = [0u8; 64];
    assert_eq!(
        claims.string_claim("email", &mut email).unwrap(),
        Some("user@example.com")
    );
}

#[test]
fn every_check_refuses_and_leaves_the_session_waiting() {
    let (probe, nonce) = awaiting_token();
    drop(probe);
    let good = claims(&nonce);
    let with = |key: &str, value: serde_json::Value| {
        let mut claims = good.clone();
        claims[key] = value;
        claims
    };
    let without = |key: &str| {
        let mut claims = good.clone();
        claims.as_object_mut().unwrap().remove(key);
        claims
    };
    let cases: Vec<(String, IdTokenError)> = vec![
        (
            sign(&header(), &with("iss", json!("https://evil.example"))),
            IdTokenError::Issuer,
        ),
        (
            sign(&header(), &with("aud", json!("other-app"))),
            IdTokenError::Audience,
        ),
        (
            sign(&header(), &with("aud", json!(["native-app", "other"]))),
            IdTokenError::AuthorizedParty,
        ),
        (
            sign(&header(), &with("azp", json!("other"))),
            IdTokenError::AuthorizedParty,
        ),
        (
            sign(&header(), &with("exp", json!(NOW - 61))),
            IdTokenError::Expired,
        ),
        (
            sign(&header(), &with("iat", json!(NOW + 61))),
            IdTokenError::IssuedInFuture,
        ),
        (
            sign(&header(), &with("nonce", json!("replayed"))),
            IdTokenError::Nonce,
        ),
        (sign(&header(), &without("nonce")), IdTokenError::Nonce),
        (
            sign(&header(), &without("exp")),
            IdTokenError::MissingClaim { claim: "exp" },
        ),
        (
            sign(&header(), &without("iat")),
            IdTokenError::MissingClaim { claim: "iat" },
        ),
        (
            sign(&header(), &without("sub")),
            IdTokenError::MissingClaim { claim: "sub" },
        ),
        (
            sign(&header(), &without("iss")),
            IdTokenError::MissingClaim { claim: "iss" },
        ),
        (
            sign(&json!({"alg": "EdDSA", "kid": "unknown"}), &good),
            IdTokenError::Jose(JoseError::NoMatchingKey),
        ),
        (
            sign(&json!({"alg": "ES256", "kid": "ed-1"}), &good),
            IdTokenError::Jose(JoseError::NoMatchingKey),
        ),
        (
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
                URL_SAFE_NO_PAD.encode(good.to_string())
            ),
            IdTokenError::Jose(JoseError::Malformed {
                part: authcode::jose::Part::Signature,
            }),
        ),
        (
            // A valid signature over other claims, spliced onto these.
            {
                let signed = sign(&header(), &with("sub", json!("someone-else")));
                let parts: Vec<_> = signed.split('.').collect();
                let mine = sign(&header(), &good);
                let mine: Vec<_> = mine.split('.').collect();
                format!("{}.{}.{}", mine[0], mine[1], parts[2])
            },
            IdTokenError::Jose(JoseError::BadSignature),
        ),
    ];
    for (token, error) in cases {
        let (mut session, _) = awaiting_token();
        assert_eq!(
            session.on_token_response_verified(
                200,
                body(&token).as_bytes(),
                now(),
                jwks().as_bytes()
            ),
            Err(ClientError::IdToken(error)),
            "{token}"
        );
        assert_eq!(session.stage(), Stage::AwaitingToken, "{error:?}");
        assert!(session.tokens().is_none());
        // The genuine answer is still accepted afterwards.
        let genuine = sign(&header(), &good);
        assert!(
            session
                .on_token_response_verified(
                    200,
                    body(&genuine).as_bytes(),
                    now(),
                    jwks().as_bytes()
                )
                .is_ok()
        );
    }
}

#[test]
fn a_missing_id_token_a_bad_key_set_and_a_token_response_sub_that_differs() {
    let (mut session, nonce) = awaiting_token();
    let no_id_token = json!({"access_token": "at", "token_type": "Bearer"}).to_string();
    assert_eq!(
        session.on_token_response_verified(200, no_id_token.as_bytes(), now(), jwks().as_bytes()),
        Err(ClientError::IdToken(IdTokenError::Missing))
    );
    let token = sign(&header(), &claims(&nonce));
    assert!(matches!(
        session.on_token_response_verified(200, body(&token).as_bytes(), now(), b"{}"),
        Err(ClientError::IdToken(IdTokenError::Keys(_)))
    ));
    let differs = json!({"access_token": "at", "token_type": "Bearer", "sub": "user-2",
                         "id_token": token})
    .to_string();
    assert_eq!(
        session.on_token_response_verified(200, differs.as_bytes(), now(), jwks().as_bytes()),
        Err(ClientError::IdToken(IdTokenError::Subject))
    );
    // A server error is the server's answer, with or without an ID token.
    let error = json!({"error": "invalid_grant"}).to_string();
    assert!(matches!(
        session.on_token_response_verified(400, error.as_bytes(), now(), jwks().as_bytes()),
        Ok(TokenOutcome::Rejected(_))
    ));
}

#[test]
fn the_nonce_survives_save_and_restore_at_each_stage() {
    let mut session = Session::start(config(), &mut rng(), now()).unwrap();
    let params = query_params(&authorize_url(&session));
    let mut buf = [0u8; 8192];
    let saved = session.save(&mut buf).unwrap().to_vec();
    let restored = Session::restore(config(), &saved).unwrap();
    assert_eq!(
        query_params(&authorize_url(&restored))["nonce"],
        params["nonce"]
    );

    let redirect = format!(
        "https://app.example.com/cb?code=c&iss=https%3A%2F%2Fas.example.com&state={}",
        params["state"]
    );
    session.on_redirect(redirect.as_bytes()).unwrap();
    let saved = session.save(&mut buf).unwrap().to_vec();
    let mut restored = Session::restore(config(), &saved).unwrap();
    let token = sign(&header(), &claims(&params["nonce"]));
    assert!(
        restored
            .on_token_response_verified(200, body(&token).as_bytes(), now(), jwks().as_bytes())
            .is_ok()
    );
    // Authorized: the verified subject is saved; the ID token itself is not.
    let saved = restored.save(&mut buf).unwrap().to_vec();
    let again = Session::restore(config(), &saved).unwrap();
    assert_eq!(again.tokens().unwrap().subject(), Some("user-1"));
    assert_eq!(again.tokens().unwrap().id_token(), None);
}

#[test]
fn without_openid_there_is_no_nonce_and_an_id_token_is_still_checked_when_keys_are_given() {
    let mut session =
        Session::start(rfc_config().with_issuer(ISSUER).unwrap(), &mut rng(), now()).unwrap();
    let params = query_params(&authorize_url(&session));
    assert!(!params.contains_key("nonce"));
    let redirect = format!(
        "https://app.example.com/cb?code=c&iss=https%3A%2F%2Fas.example.com&state={}",
        params["state"]
    );
    session.on_redirect(redirect.as_bytes()).unwrap();
    // Plain on_token_response does not read it.
    let mut plain = session.clone();
    let token = sign(&header(), &without_nonce());
    assert!(
        plain
            .on_token_response(200, body(&token).as_bytes(), now())
            .is_ok()
    );
    let forged = sign(&header(), &without_nonce()).replace(".ey", ".eyX");
    assert!(matches!(
        session.on_token_response_verified(200, body(&forged).as_bytes(), now(), jwks().as_bytes()),
        Err(ClientError::IdToken(_))
    ));
    assert!(
        session
            .on_token_response_verified(200, body(&token).as_bytes(), now(), jwks().as_bytes())
            .is_ok()
    );
}

fn without_nonce() -> serde_json::Value {
    let mut claims = claims("");
    claims.as_object_mut().unwrap().remove("nonce");
    claims
}

#[test]
fn adobe_ims_comma_scopes_ask_for_openid_too() {
    let config = authcode::client::ClientConfig::adobe_ims(
        "https://ims-na1.adobelogin.com",
        "ims-client",
        "https://app.example.com/cb",
    )
    .unwrap()
    .with_scope("openid,AdobeID,offline_access")
    .unwrap();
    assert!(config.requests_openid());
    assert!(!config.checks_id_tokens(), "only when asked for");
    let session = Session::start(config.clone(), &mut rng(), now()).unwrap();
    assert!(!query_params(&authorize_url(&session)).contains_key("nonce"));
    let config = config.checking_id_tokens();
    let session = Session::start(config, &mut rng(), now()).unwrap();
    assert!(query_params(&authorize_url(&session)).contains_key("nonce"));
}

#[test]
fn the_configuration_decides_that_an_id_token_is_required_not_what_a_save_brought_back() {
    // A login begun without ID token checks (so without a nonce) and restored into a
    // configuration that checks them: the ID token is still required, and the nonce
    // check it cannot pass refuses it.
    let unchecked = rfc_config()
        .with_scope("openid profile")
        .unwrap()
        .with_issuer(ISSUER)
        .unwrap();
    let mut session = Session::start(unchecked, &mut rng(), now()).unwrap();
    let params = query_params(&authorize_url(&session));
    assert!(!params.contains_key("nonce"));
    let redirect = format!(
        "https://app.example.com/cb?code=c&iss=https%3A%2F%2Fas.example.com&state={}",
        params["state"]
    );
    session.on_redirect(redirect.as_bytes()).unwrap();
    let mut buf = [0u8; 8192];
    let saved = session.save(&mut buf).unwrap().to_vec();
    let mut restored = Session::restore(config(), &saved).unwrap();
    let token = sign(&header(), &without_nonce());
    assert_eq!(
        restored.on_token_response(200, body(&token).as_bytes(), now()),
        Err(ClientError::IdToken(IdTokenError::KeysNeeded))
    );
    let no_id_token = r#"{"access_token":"at-1","token_type":"Bearer"}"#;
    assert_eq!(
        restored.on_token_response_verified(200, no_id_token.as_bytes(), now(), jwks().as_bytes()),
        Err(ClientError::IdToken(IdTokenError::Missing))
    );
    assert_eq!(
        restored.on_token_response_verified(200, body(&token).as_bytes(), now(), jwks().as_bytes()),
        Err(ClientError::IdToken(IdTokenError::Nonce))
    );
    assert_eq!(restored.stage(), Stage::AwaitingToken);
}

#[test]
fn a_refresh_keeps_the_verified_subject_and_the_id_token() {
    let (mut session, nonce) = awaiting_token();
    let token = sign(&header(), &claims(&nonce));
    session
        .on_token_response_verified(200, body(&token).as_bytes(), now(), jwks().as_bytes())
        .unwrap();
    let mut buf = [0u8; 2048];
    session.refresh_request(&mut buf).unwrap();
    // The refresh answer's `sub` is not signed: it does not replace the verified one.
    let answer = json!({"access_token": "at-2", "token_type": "Bearer", "expires_in": 3600,
                        "sub": "someone-else"})
    .to_string();
    session
        .on_refresh_response(200, answer.as_bytes(), now())
        .unwrap();
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.access_token(), "at-2");
    assert_eq!(tokens.subject(), Some("user-1"));
    assert_eq!(tokens.id_token(), Some(token.as_str()));
}
