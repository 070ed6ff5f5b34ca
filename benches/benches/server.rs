//! The server: authorize, code exchange, refresh, validate — each with 16, 1 024 and
//! 65 536 live grants in the tables, beside one S256 verification (the unit of cost).
//!
//! `cargo bench -p authcode-benches --bench server`; figures in BENCHMARKS.md.
//!
//! The grant table holds the live grants plus room for two batches of inserts. Operations that add entries are
//! timed in batches with `iter_custom`; between batches, untimed, the entries they added
//! are made to expire and are purged, so every timed call sees the same table fill. The
//! pre-filled entries are issued "later" (their expiry lies beyond the purge time), so they
//! stay live throughout.

// A benchmark is a test harness: a failed unwrap here is a broken benchmark, not input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use core::hint::black_box;
use core::time::Duration;
use std::time::Instant;

use authcode::Timestamp;
use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode::server::{
    AppKind, AppSpec, GrantEntry, MemoryStore, Quotas, RefreshPolicy, Server, ServerConfig,
    SliceStorage, TokenRequest,
};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;

const REDIRECT: &str = "https://app.example.com/callback";
const BASE: u64 = 1_700_000_000;
/// The pre-filled entries are issued this much later than the benchmarked ones.
const PREFILL_OFFSET: u64 = 10_000_000;
const BATCH: u64 = 256;

type BenchServer = Server<MemoryStore<SliceStorage<'static>>>;

struct Setup {
    server: BenchServer,
    rng: StdRng,
    client_id: String,
    verifier: Verifier,
    challenge: String,
    access: String,
    refresh: String,
}

fn leak<T: Clone>(value: T, len: usize) -> &'static mut [T] {
    Box::leak(vec![value; len].into_boxed_slice())
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn authorize_query(client_id: &str, challenge: &str) -> String {
    format!(
        "response_type=code&client_id={client_id}&redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256&state=abc&scope=read",
        url_encode(REDIRECT)
    )
}

fn code_of(location: &str) -> String {
    let start = location.find("code=").unwrap() + 5;
    location[start..].split('&').next().unwrap().to_owned()
}

fn exchange_body(client_id: &str, code: &str, verifier: &str) -> String {
    format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&client_id={client_id}&code_verifier={verifier}",
        url_encode(REDIRECT)
    )
}

fn form(body: &str) -> TokenRequest<'_> {
    TokenRequest {
        method: "POST",
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
    }
}

fn json_field(body: &str, name: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).unwrap();
    value[name].as_str().unwrap().to_owned()
}

/// A server with `live` grants (and `live / 2` pending codes) in its tables.
fn setup(live: usize) -> Setup {
    let grants = live + 2 * BATCH as usize;
    let codes = live + 4 * BATCH as usize;
    let storage = SliceStorage {
        codes: leak(None, codes),
        subjects: leak(None, codes),
        grants: leak(GrantEntry::EMPTY, grants),
        // Two keys per grant, at most 7/8 of the index live.
        keys: leak(None, grants * 2 + grants / 3 + 8),
    };
    // One app makes every grant here: let it use the whole tables.
    let config = ServerConfig::new(Profile::Rfc)
        .with_quotas(Quotas {
            codes_per_app: Some(u32::MAX),
            grants_per_app: Some(u32::MAX),
            ..Quotas::default()
        })
        .unwrap();
    let mut server: BenchServer = Server::new(config, storage);
    let mut rng = StdRng::seed_from_u64(live as u64);
    let mut spec = AppSpec::new("bench", AppKind::SinglePage, &[REDIRECT]);
    spec.refresh = RefreshPolicy {
        rotation: false,
        absolute_lifetime: None,
        inactivity_lifetime: None,
    };
    let client_id = server
        .registry_mut()
        .create(&spec, &mut rng)
        .unwrap()
        .client_id
        .to_string();
    let verifier = Verifier::generate(&mut rng, VerifierLength::DEFAULT).unwrap();
    let challenge = Challenge::s256(&verifier).to_string();
    let query = authorize_query(&client_id, &challenge);
    let later = Timestamp::from_unix_seconds(BASE + PREFILL_OFFSET);
    let mut buf = [0u8; 1024];
    let mut access = String::new();
    let mut refresh = String::new();
    // `live` grants (each: a grant entry with its tokens, two index keys) …
    for index in 0..live {
        let location = server
            .authorize(
                query.as_bytes(),
                &format!("user-{index}"),
                later,
                &mut rng,
                &mut buf,
            )
            .unwrap()
            .location
            .to_owned();
        let body = exchange_body(&client_id, &code_of(&location), verifier.as_str());
        let response = server
            .token(&form(&body), later, &mut rng, &mut buf)
            .unwrap();
        assert_eq!(response.status, 200, "{}", response.body);
        // Validate a token of the first grant; refresh the last (its access tokens are
        // replaced as it refreshes: a grant holds two).
        if access.is_empty() {
            access = json_field(response.body, "access_token");
        }
        refresh = json_field(response.body, "refresh_token");
    }
    // … and live / 2 codes still waiting.
    for index in 0..live / 2 {
        server
            .authorize(
                query.as_bytes(),
                &format!("pending-{index}"),
                later,
                &mut rng,
                &mut buf,
            )
            .unwrap();
    }
    let tables = server.store().live();
    assert_eq!((tables.grants, tables.codes), (live, live / 2));
    Setup {
        server,
        rng,
        client_id,
        verifier,
        challenge,
        access,
        refresh,
    }
}

/// Untimed: lets everything the timed calls added expire (they were issued at BASE; the
/// pre-fill lives far beyond) and removes it.
fn purge(setup: &mut Setup) {
    setup
        .server
        .purge_expired(Timestamp::from_unix_seconds(BASE + 7_200))
        .unwrap();
}

fn server_benches(c: &mut Criterion) {
    // The unit of cost: one S256 verification of a 43-character verifier.
    {
        let mut group = c.benchmark_group("server");
        let verifier =
            Verifier::generate(&mut StdRng::seed_from_u64(1), VerifierLength::DEFAULT).unwrap();
        let challenge = Challenge::s256(&verifier);
        group.bench_function("s256 verify (unit)", |b| {
            b.iter(|| black_box(challenge.verify(black_box(&verifier))))
        });
        group.finish();
    }
    let now = Timestamp::from_unix_seconds(BASE);
    for live in [16usize, 1024, 65_536] {
        let mut s = setup(live);
        let mut group = c.benchmark_group("server");
        let mut buf = [0u8; 1024];

        let query = authorize_query(&s.client_id, &s.challenge);
        group.bench_function(BenchmarkId::new("authorize", live), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut done = 0;
                while done < iters {
                    let batch = BATCH.min(iters - done);
                    let subjects: Vec<String> = (0..batch).map(|i| format!("u{i}")).collect();
                    let start = Instant::now();
                    for subject in &subjects {
                        black_box(
                            s.server
                                .authorize(
                                    black_box(query.as_bytes()),
                                    subject,
                                    now,
                                    &mut s.rng,
                                    &mut buf,
                                )
                                .unwrap(),
                        );
                    }
                    total += start.elapsed();
                    done += batch;
                    purge(&mut s);
                }
                total
            });
        });

        group.bench_function(BenchmarkId::new("code exchange", live), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut done = 0;
                let mut bodies = Vec::with_capacity(BATCH as usize);
                let mut outputs = vec![[0u8; 1024]; BATCH as usize];
                let mut lens = Vec::with_capacity(BATCH as usize);
                while done < iters {
                    let batch = BATCH.min(iters - done);
                    bodies.clear();
                    lens.clear();
                    for index in 0..batch {
                        let location = s
                            .server
                            .authorize(
                                query.as_bytes(),
                                &format!("u{index}"),
                                now,
                                &mut s.rng,
                                &mut buf,
                            )
                            .unwrap()
                            .location
                            .to_owned();
                        bodies.push(exchange_body(
                            &s.client_id,
                            &code_of(&location),
                            s.verifier.as_str(),
                        ));
                    }
                    let start = Instant::now();
                    for (body, output) in bodies.iter().zip(outputs.iter_mut()) {
                        let response = s
                            .server
                            .token(black_box(&form(body)), now, &mut s.rng, output)
                            .unwrap();
                        lens.push(black_box(response.body.len()));
                    }
                    total += start.elapsed();
                    done += batch;
                    // Untimed: end this batch's grants so their family slots and tokens are
                    // reclaimed, then purge.
                    for (output, len) in outputs.iter().zip(&lens) {
                        let body = core::str::from_utf8(&output[..*len]).unwrap();
                        assert!(
                            s.server
                                .revoke_token(&json_field(body, "access_token"))
                                .unwrap(),
                            "{body}"
                        );
                    }
                    purge(&mut s);
                }
                total
            });
        });

        let refresh_body = format!(
            "grant_type=refresh_token&refresh_token={}&client_id={}",
            s.refresh, s.client_id
        );
        group.bench_function(BenchmarkId::new("refresh", live), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut done = 0;
                while done < iters {
                    let batch = BATCH.min(iters - done);
                    let start = Instant::now();
                    for _ in 0..batch {
                        let response = s
                            .server
                            .token(black_box(&form(&refresh_body)), now, &mut s.rng, &mut buf)
                            .unwrap();
                        debug_assert_eq!(response.status, 200);
                        black_box(response);
                    }
                    total += start.elapsed();
                    done += batch;
                    purge(&mut s);
                }
                total
            });
        });

        let access = s.access.clone();
        group.bench_function(BenchmarkId::new("validate", live), |b| {
            b.iter(|| black_box(s.server.validate(black_box(&access), now).unwrap()));
        });
        group.finish();
        assert!(
            s.server.validate(&access, now).is_ok(),
            "the pre-fill stayed live"
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = server_benches
}
criterion_main!(benches);
