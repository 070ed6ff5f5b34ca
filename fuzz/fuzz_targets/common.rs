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
