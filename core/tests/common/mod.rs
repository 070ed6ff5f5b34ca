//! Shared helpers for the client tests: configurations, a seeded RNG, and independent
//! parsers (the `url` crate, `serde_json`) to read what the session writes.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;

use authcode::Timestamp;
use authcode::client::{ClientConfig, HttpRequest, RedirectOutcome, Session};
use authcode::profile::Profile;
use rand::SeedableRng;
use rand::rngs::StdRng;

pub const NOW: u64 = 1_700_000_000;

pub fn now() -> Timestamp {
    Timestamp::from_unix_seconds(NOW)
}

pub fn at(offset: u64) -> Timestamp {
    Timestamp::from_unix_seconds(NOW.saturating_add(offset))
}

pub fn rng() -> StdRng {
    StdRng::seed_from_u64(42)
}

pub fn rfc_config() -> ClientConfig {
    ClientConfig::new(
        Profile::Rfc,
        "https://as.example.com/oauth2/authorize",
        "https://as.example.com/oauth2/token",
        "native-app",
        "com.example.app:/oauth2redirect",
    )
    .unwrap()
    .with_scope("read write")
    .unwrap()
    .with_revocation_endpoint("https://as.example.com/oauth2/revoke")
    .unwrap()
}

pub fn workfront_config() -> ClientConfig {
    ClientConfig::workfront(
        "acme.my.workfront.com",
        "wf-client-id",
        "https://app.example.com/callback",
    )
    .unwrap()
}

/// The query parameters of a URL, parsed by the `url` crate.
pub fn query_params(url: &str) -> BTreeMap<String, String> {
    let parsed = url::Url::parse(url).unwrap();
    let mut params = BTreeMap::new();
    for (name, value) in parsed.query_pairs() {
        assert!(
            params
                .insert(name.into_owned(), value.into_owned())
                .is_none(),
            "repeated parameter"
        );
    }
    params
}

/// A form body's parameters, parsed by the `url` crate.
pub fn form_params(body: &str) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(body.as_bytes()) {
        assert!(
            params
                .insert(name.into_owned(), value.into_owned())
                .is_none(),
            "repeated parameter"
        );
    }
    params
}

/// A request body's parameters, whichever its content type.
pub fn body_params(request: &HttpRequest<'_>) -> BTreeMap<String, String> {
    match request.content_type {
        "application/x-www-form-urlencoded" => form_params(request.body),
        "application/json" => {
            let value: serde_json::Value = serde_json::from_str(request.body).unwrap();
            value
                .as_object()
                .unwrap()
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().unwrap().to_owned()))
                .collect()
        }
        other => panic!("unexpected content type {other}"),
    }
}

pub fn authorize_url(session: &Session) -> String {
    let mut buf = [0u8; 2048];
    session.authorize_url(&mut buf).unwrap().to_owned()
}

/// The `state` the session put in its authorize URL.
pub fn sent_state(session: &Session) -> String {
    query_params(&authorize_url(session))["state"].clone()
}

/// A session that has received `code` on its redirect.
pub fn session_with_code(config: ClientConfig, code: &str) -> Session {
    let mut session = Session::start(config, &mut rng(), now()).unwrap();
    let state = sent_state(&session);
    let redirect = format!("https://app.example.com/callback?code={code}&state={state}");
    assert_eq!(
        session.on_redirect(redirect.as_bytes()).unwrap(),
        RedirectOutcome::CodeReceived
    );
    session
}

/// A session holding tokens from `body`.
pub fn authorized(config: ClientConfig, body: &str) -> Session {
    let mut session = session_with_code(config, "the-code");
    session
        .on_token_response(200, body.as_bytes(), now())
        .unwrap();
    session
}

pub const TOKENS: &str = r#"{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1","scope":"read write"}"#;
