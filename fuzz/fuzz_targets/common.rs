//! Shared setup for the fuzz targets.
#![allow(dead_code)]

use authcode::Timestamp;
use authcode::client::{ClientConfig, RedirectOutcome, Session};
use authcode::profile::Profile;
use rand::SeedableRng;
use rand::rngs::StdRng;

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

pub fn config() -> ClientConfig {
    ClientConfig::new(Profile::Rfc, "https://as.example.com/authorize", "https://as.example.com/token", "app", "com.example.app:/cb")
        .unwrap()
        .with_revocation_endpoint("https://as.example.com/revoke")
        .unwrap()
}

pub fn started() -> Session {
    Session::start(config(), &mut rng(1), Timestamp::from_unix_seconds(1_000)).unwrap()
}

/// The state the session sent, read back from its authorize URL.
pub fn state_of(session: &Session) -> String {
    let mut buf = [0u8; 2048];
    let url = session.authorize_url(&mut buf).unwrap();
    url.split("state=").nth(1).unwrap().split('&').next().unwrap().to_owned()
}

pub fn with_code() -> Session {
    let mut session = started();
    let redirect = format!("code=c&state={}", state_of(&session));
    assert_eq!(session.on_redirect(redirect.as_bytes()), Ok(RedirectOutcome::CodeReceived));
    session
}

/// Every header the session can build right now holds no control character.
pub fn assert_headers_safe(session: &Session) {
    let safe = |value: &str| value.bytes().all(|b| (0x20..=0x7e).contains(&b));
    let mut buf = vec![0u8; 16 * 1024];
    if let Ok((_, value)) = session.authorization_header(&mut buf) {
        assert!(safe(value), "{value:?}");
    }
    let mut buf = vec![0u8; 16 * 1024];
    if let Ok(request) = session.token_request(&mut buf) {
        assert!(request.headers().all(|(_, value)| safe(value)));
    }
    let mut buf = vec![0u8; 16 * 1024];
    // On a copy: writing it starts a refresh.
    let mut refreshing = session.clone();
    if let Ok(request) = refreshing.refresh_request(&mut buf) {
        assert!(request.headers().all(|(_, value)| safe(value)));
    }
    let mut buf = vec![0u8; 16 * 1024];
    if let Ok(request) = session.revocation_request(authcode::client::TokenKind::Refresh, &mut buf) {
        assert!(request.headers().all(|(_, value)| safe(value)));
    }
}

/// What every live session satisfies, whatever produced it: its stage's values are the
/// ones `start`, `on_redirect` and `on_token_response` would have accepted, and every
/// header it builds is safe.
pub fn assert_live_invariants(session: &Session) {
    use authcode::client::{STATE_LEN, Stage};
    match session.stage() {
        Stage::AwaitingRedirect => {
            let state = state_of(session);
            assert_eq!(state.len(), STATE_LEN, "{state:?}");
            assert!(state.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            let mut buf = [0u8; 4096];
            let url = session.authorize_url(&mut buf).unwrap();
            let challenge = url.split("code_challenge=").nth(1).unwrap().split('&').next().unwrap();
            assert_eq!(challenge.len(), 43, "{challenge:?}");
        }
        Stage::AwaitingToken => {
            let mut buf = vec![0u8; 16 * 1024];
            let request = session.token_request(&mut buf).unwrap();
            let body = request.body;
            let verifier = body.split("code_verifier=").nth(1).unwrap().split('&').next().unwrap();
            assert!((43..=128).contains(&verifier.len()), "{verifier:?}");
            assert!(body.contains("code="));
        }
        Stage::Authorized | Stage::Refreshing => {
            let tokens = session.tokens().unwrap();
            let header_token = |token: &str| token.bytes().all(|b| (0x21..=0x7e).contains(&b));
            assert!(!tokens.access_token().is_empty());
            assert!(header_token(tokens.access_token()));
            if let Some(refresh) = tokens.refresh_token() {
                assert!(!refresh.is_empty() && header_token(refresh), "{refresh:?}");
            }
            if let Some(expires_at) = tokens.expires_at() {
                assert!(expires_at >= tokens.received_at());
            }
        }
        Stage::Failed => assert!(session.failure().is_some()),
    }
    assert_headers_safe(session);
}
