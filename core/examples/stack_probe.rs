//! Runs the deepest calls of the client and the server once, for stack measurement.
//! Figures in README.md (Footprint).

// A measurement harness: a failed expect is a broken probe, not input.
#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    missing_docs
)]

use authcode::Timestamp;
use authcode::client::{ClientConfig, Session};
use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode::server::{
    AppKind, AppSpec, InlineStorage, MemoryStore, Server, ServerConfig, TokenRequest,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn client() {
    let config = ClientConfig::new(
        Profile::Rfc,
        "https://a.example/authorize",
        "https://a.example/token",
        "app",
        "https://app.example/cb",
    )
    .expect("config");
    let mut session = Session::start(
        config,
        &mut StdRng::seed_from_u64(1),
        Timestamp::from_unix_seconds(1),
    )
    .expect("start");
    let mut buf = vec![0u8; 8192];
    let url = session.authorize_url(&mut buf).expect("url").to_owned();
    let state = url
        .split("state=")
        .nth(1)
        .expect("state")
        .split('&')
        .next()
        .expect("state")
        .to_owned();
    session
        .on_redirect(format!("code=c&state={state}").as_bytes())
        .expect("redirect");
    session.token_request(&mut buf).expect("request");
    let body = br#"{"access_token":"a","token_type":"Bearer","expires_in":60,"refresh_token":"r","scope":"x"}"#;
    session
        .on_token_response(200, body, Timestamp::from_unix_seconds(2))
        .expect("tokens");
    session.refresh_request(&mut buf).expect("refresh");
    session
        .on_refresh_response(200, body, Timestamp::from_unix_seconds(3))
        .expect("refreshed");
    let saved = session.save(&mut buf).expect("save").to_vec();
    let config = session.config().clone();
    Session::restore(config, &saved).expect("restore");
}

fn server() {
    let mut server: Box<Server<MemoryStore<InlineStorage<16, 16, 40>>>> = Box::new(Server::new(
        ServerConfig::new(Profile::Rfc),
        InlineStorage::new(),
    ));
    let mut rng = StdRng::seed_from_u64(2);
    let app = server
        .registry_mut()
        .create(
            &AppSpec::new("x", AppKind::SinglePage, &["https://app.example/cb"]),
            &mut rng,
        )
        .expect("app");
    let verifier = Verifier::generate(&mut rng, VerifierLength::DEFAULT).expect("verifier");
    let query = format!(
        "response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_challenge={}&code_challenge_method=S256",
        app.client_id,
        Challenge::s256(&verifier)
    );
    let mut buf = vec![0u8; 2048];
    let location = server
        .authorize(
            query.as_bytes(),
            "u",
            Timestamp::from_unix_seconds(1),
            &mut rng,
            &mut buf,
        )
        .expect("authorize")
        .location
        .to_owned();
    let code = location
        .split("code=")
        .nth(1)
        .expect("code")
        .split('&')
        .next()
        .expect("code")
        .to_owned();
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&client_id={}&code_verifier={}",
        app.client_id,
        verifier.as_str()
    );
    let request = TokenRequest {
        method: "POST",
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
    };
    let response = server
        .token(
            &request,
            Timestamp::from_unix_seconds(2),
            &mut rng,
            &mut buf,
        )
        .expect("token");
    assert_eq!(response.status, 200);
}

/// `stack_probe client|server [STACK_BYTES]`: runs the calls on a thread with that much
/// stack (the process aborts with "has overflowed its stack" when it is too little), so
/// a bisection over STACK_BYTES measures the peak — see `panic-check/stack.sh`.
fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let stack: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(8 << 20);
    let worker = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || match mode.as_str() {
            "server" => server(),
            "none" => {}
            _ => client(),
        })
        .expect("thread");
    worker.join().expect("worker");
}
