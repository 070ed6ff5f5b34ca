//! The client session: authorize URL, redirect parsing, token response parsing — each
//! beside the `oauth2` crate (or the `url` crate, for redirect parsing, which `oauth2`
//! leaves to the application) doing the same work.
//!
//! `cargo bench -p authcode-benches --bench client`; figures in BENCHMARKS.md.

// A benchmark is a test harness: a failed unwrap here is a broken benchmark, not input.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use core::hint::black_box;

use authcode::Timestamp;
use authcode::client::{ClientConfig, Session};
use authcode::profile::Profile;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope, TokenUrl};
use rand::SeedableRng;
use rand::rngs::StdRng;

const AUTHORIZE: &str = "https://as.example.com/oauth2/authorize";
const TOKEN: &str = "https://as.example.com/oauth2/token";
const CLIENT_ID: &str = "native-app";
const REDIRECT: &str = "https://app.example.com/callback";
const TOKEN_RESPONSE: &[u8] = br#"{"access_token":"2YotnFZFEjr1zCsicMWpAA-2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA-tGzv3JOkF0XG5Qx2TlKWIA","scope":"read write"}"#;

fn config() -> ClientConfig {
    ClientConfig::new(Profile::Rfc, AUTHORIZE, TOKEN, CLIENT_ID, REDIRECT)
        .unwrap()
        .with_scope("read write")
        .unwrap()
}

fn now() -> Timestamp {
    Timestamp::from_unix_seconds(1_700_000_000)
}

fn authorize(c: &mut Criterion) {
    let mut group = c.benchmark_group("authorize_url");
    let client = BasicClient::new(ClientId::new(CLIENT_ID.into()))
        .set_auth_uri(AuthUrl::new(AUTHORIZE.into()).unwrap())
        .set_token_uri(TokenUrl::new(TOKEN.into()).unwrap())
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());

    // URL building alone: verifier/challenge and state made beforehand on both sides.
    let session = Session::start(config(), &mut StdRng::seed_from_u64(1), now()).unwrap();
    let mut buf = [0u8; 1024];
    group.bench_function("authcode: build", |b| {
        b.iter(|| black_box(session.authorize_url(black_box(&mut buf)).map(str::len)));
    });
    let (challenge, _verifier) = PkceCodeChallenge::new_random_sha256();
    let state = CsrfToken::new_random();
    group.bench_function("oauth2: build", |b| {
        b.iter(|| {
            let (url, _) = client
                .authorize_url(|| state.clone())
                .add_scope(Scope::new("read".into()))
                .add_scope(Scope::new("write".into()))
                .set_pkce_challenge(challenge.clone())
                .url();
            black_box(url)
        });
    });

    // Whole start of a login: fresh verifier, challenge and state, then the URL. Both draw
    // from a thread-local ChaCha12 generator seeded by the OS.
    let mut rng = rand::rng();
    let config = config();
    // The session (about 12 KiB of fixed-capacity storage) is dropped inside the timed
    // routine, as a host's would be; cloning the configuration is setup.
    group.bench_function("authcode: start + build", |b| {
        b.iter_batched(
            || config.clone(),
            |config| {
                let session = Session::start(config, &mut rng, now()).unwrap();
                black_box(session.authorize_url(&mut buf).map(str::len)).ok();
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("oauth2: new pkce + state + build", |b| {
        b.iter(|| {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let (url, state) = client
                .authorize_url(CsrfToken::new_random)
                .add_scope(Scope::new("read".into()))
                .add_scope(Scope::new("write".into()))
                .set_pkce_challenge(challenge)
                .url();
            black_box((url, state, verifier))
        });
    });
    group.finish();
}

fn redirect(c: &mut Criterion) {
    let mut group = c.benchmark_group("redirect");
    let session = Session::start(config(), &mut StdRng::seed_from_u64(2), now()).unwrap();
    let mut buf = [0u8; 1024];
    let url = session.authorize_url(&mut buf).unwrap().to_owned();
    let state = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .into_owned();
    let redirect =
        format!("{REDIRECT}?code=SplxlOBeZQQYbYS6WxSbIA-SplxlOBeZQQYbYS6WxSbIA&state={state}");

    // Each iteration consumes a session waiting for its redirect; cloning it is setup.
    group.bench_function("authcode: on_redirect", |b| {
        b.iter_batched_ref(
            || session.clone(),
            |session| black_box(session.on_redirect(black_box(redirect.as_bytes()))).unwrap(),
            BatchSize::NumIterations(64),
        );
    });
    // `oauth2` leaves redirect handling to the app; this is the usual code with the `url`
    // crate (it checks neither duplicates nor iss, and compares state non-constant-time).
    group.bench_function("url: parse + code + state compare", |b| {
        b.iter(|| {
            let parsed = url::Url::parse(black_box(&redirect)).unwrap();
            let mut code = None;
            let mut received_state = None;
            for (name, value) in parsed.query_pairs() {
                match &*name {
                    "code" => code = Some(value.into_owned()),
                    "state" => received_state = Some(value.into_owned()),
                    _ => {}
                }
            }
            assert_eq!(received_state.as_deref(), Some(state.as_str()));
            black_box(code)
        });
    });
    group.finish();
}

fn token_response(c: &mut Criterion) {
    let mut group = c.benchmark_group("token_response");
    let mut session = Session::start(config(), &mut StdRng::seed_from_u64(3), now()).unwrap();
    let mut buf = [0u8; 1024];
    let url = session.authorize_url(&mut buf).unwrap().to_owned();
    let state = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .into_owned();
    session
        .on_redirect(format!("code=c&state={state}").as_bytes())
        .unwrap();

    group.bench_function("authcode: on_token_response", |b| {
        b.iter_batched_ref(
            || session.clone(),
            |session| {
                black_box(session.on_token_response(200, black_box(TOKEN_RESPONSE), now())).unwrap()
            },
            BatchSize::SmallInput,
        );
    });
    group.bench_function("oauth2: serde_json BasicTokenResponse", |b| {
        b.iter(|| {
            black_box(
                serde_json::from_slice::<BasicTokenResponse>(black_box(TOKEN_RESPONSE)).unwrap(),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, authorize, redirect, token_response);
criterion_main!(benches);
