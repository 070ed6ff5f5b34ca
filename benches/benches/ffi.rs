//! The cost of crossing the C ABI: PKCE verification and a whole code exchange, called
//! through `authcode_*` functions (as C, C++, Swift or JNI callers do) beside the same work
//! through the Rust API, in the same run.
//!
//! `cargo bench -p authcode-benches --bench ffi`; figures in BENCHMARKS.md.

// A benchmark is a test harness: a failed unwrap here is a broken benchmark, not input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    unsafe_code
)]

use core::hint::black_box;
use core::time::Duration;
use std::time::Instant;

use authcode::Timestamp;
use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode::server::{
    AppKind, AppSpec, InlineStorage, MemoryStore, RefreshPolicy, Server, ServerConfig, TokenRequest,
};
use authcode_ffi::authcode_result;
use authcode_ffi::authcode_str;
use authcode_ffi::pkce::authcode_pkce_verify;
use authcode_ffi::server as ffi;
use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;

const REDIRECT: &str = "https://app.example.com/cb";
const BATCH: u64 = 64;

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("ffi/verify");
    let verifier =
        Verifier::generate(&mut StdRng::seed_from_u64(1), VerifierLength::DEFAULT).unwrap();
    let verifier_text = verifier.as_str().to_owned();
    let challenge_text = Challenge::s256(&verifier).to_string();
    group.bench_function("rust: parse both + verify", |b| {
        b.iter(|| {
            let verifier = Verifier::parse(black_box(&verifier_text)).unwrap();
            let challenge = Challenge::parse(black_box(&challenge_text)).unwrap();
            black_box(challenge.verify(&verifier))
        });
    });
    group.bench_function("c abi: authcode_pkce_verify", |b| {
        b.iter(|| {
            // SAFETY: both ranges are live strings.
            let result = unsafe {
                authcode_pkce_verify(
                    black_box(verifier_text.as_ptr()),
                    verifier_text.len(),
                    black_box(challenge_text.as_ptr()),
                    challenge_text.len(),
                )
            };
            black_box(result == authcode_result::Ok)
        });
    });
    group.finish();
}

fn query(client_id: &str, challenge: &str) -> String {
    format!(
        "response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&code_challenge={challenge}&code_challenge_method=S256&state=s"
    )
}

fn code_of(location: &str) -> String {
    let start = location.find("code=").unwrap() + 5;
    location[start..].split('&').next().unwrap().to_owned()
}

fn body(client_id: &str, code: &str, verifier: &str) -> String {
    format!(
        "grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&client_id={client_id}&code_verifier={verifier}"
    )
}

fn exchange(c: &mut Criterion) {
    let mut group = c.benchmark_group("ffi/code exchange");
    let verifier =
        Verifier::generate(&mut StdRng::seed_from_u64(2), VerifierLength::DEFAULT).unwrap();
    let challenge = Challenge::s256(&verifier).to_string();
    let now = 1_700_000_000u64;

    // Rust API.
    let mut server: Box<Server<MemoryStore<InlineStorage<256, 256, 640>>>> = Box::new(Server::new(
        ServerConfig::new(Profile::Rfc),
        InlineStorage::new(),
    ));
    let mut rng = StdRng::seed_from_u64(3);
    let mut spec = AppSpec::new("bench", AppKind::SinglePage, &[REDIRECT]);
    // A one-second refresh lifetime lets finished grants be reclaimed between batches.
    spec.refresh = RefreshPolicy {
        rotation: true,
        absolute_lifetime: Some(1),
        inactivity_lifetime: None,
    };
    let app = server.registry_mut().create(&spec, &mut rng).unwrap();
    let rust_query = query(&app.client_id, &challenge);
    let mut rust_clock = now;
    group.bench_function("rust: Server::token", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let batch = BATCH.min(iters - done);
                let mut bodies = Vec::new();
                let mut buf = [0u8; 1024];
                for _ in 0..batch {
                    let location = server
                        .authorize(
                            rust_query.as_bytes(),
                            "u",
                            Timestamp::from_unix_seconds(rust_clock),
                            &mut rng,
                            &mut buf,
                        )
                        .unwrap();
                    bodies.push(body(
                        &app.client_id,
                        &code_of(location.location),
                        verifier.as_str(),
                    ));
                }
                let start = Instant::now();
                for body in &bodies {
                    let request = TokenRequest {
                        method: "POST",
                        content_type: Some("application/x-www-form-urlencoded"),
                        authorization: None,
                        body: body.as_bytes(),
                    };
                    black_box(
                        server
                            .token(
                                &request,
                                Timestamp::from_unix_seconds(rust_clock),
                                &mut rng,
                                &mut buf,
                            )
                            .unwrap()
                            .status,
                    );
                }
                total += start.elapsed();
                done += batch;
                // Untimed: step past the access-token lifetime and purge finished grants.
                rust_clock += 4000;
                server
                    .purge_expired(Timestamp::from_unix_seconds(rust_clock))
                    .unwrap();
            }
            total
        });
    });

    // C ABI.
    let mut ffi_server: *mut ffi::authcode_server = core::ptr::null_mut();
    // SAFETY: valid out pointer.
    let created_server = unsafe { ffi::authcode_server_new(0, &mut ffi_server) };
    assert_eq!(created_server, authcode_result::Ok);
    let redirect = authcode_str::of(REDIRECT);
    let spec = ffi::authcode_app_spec {
        name: authcode_str::of("bench"),
        kind: 1,
        redirect_uris: &redirect,
        redirect_uri_count: 1,
        public_keys: core::ptr::null(),
        public_key_count: 0,
        rotation: true,
        absolute_lifetime: 1,
        inactivity_lifetime: 0,
        require_pkce: true,
        client_credentials: false,
        scope: authcode_str::NONE,
    };
    let (mut id, mut secret) = ([0u8; 64], [0u8; 64]);
    let (mut id_len, mut secret_len) = (0usize, 0usize);
    // SAFETY: live server; valid spec and buffers.
    let created = unsafe {
        ffi::authcode_server_create_app(
            ffi_server,
            &spec,
            core::ptr::null(),
            id.as_mut_ptr(),
            id.len(),
            &mut id_len,
            secret.as_mut_ptr(),
            secret.len(),
            &mut secret_len,
        )
    };
    assert_eq!(created, authcode_result::Ok);
    let client_id = core::str::from_utf8(&id[..id_len]).unwrap().to_owned();
    let ffi_query = query(&client_id, &challenge);
    let mut clock = now;
    group.bench_function("c abi: authcode_server_token", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let batch = BATCH.min(iters - done);
                let mut bodies = Vec::new();
                let mut buf = [0u8; 2048];
                for _ in 0..batch {
                    let (mut len, mut error) =
                        (0usize, authcode_ffi::client::authcode_error_code::None);
                    // SAFETY: live server; valid strings and buffers.
                    let result = unsafe {
                        ffi::authcode_server_authorize(
                            ffi_server,
                            ffi_query.as_ptr(),
                            ffi_query.len(),
                            b"u".as_ptr(),
                            1,
                            clock,
                            core::ptr::null(),
                            buf.as_mut_ptr(),
                            buf.len(),
                            &mut len,
                            &mut error,
                        )
                    };
                    assert_eq!(result, authcode_result::Ok);
                    bodies.push(body(
                        &client_id,
                        &code_of(core::str::from_utf8(&buf[..len]).unwrap()),
                        verifier.as_str(),
                    ));
                }
                let start = Instant::now();
                for body in &bodies {
                    let request = ffi::authcode_token_request {
                        method: authcode_str::of("POST"),
                        content_type: authcode_str::of("application/x-www-form-urlencoded"),
                        authorization: authcode_str::NONE,
                        body: authcode_str::of(body),
                    };
                    let mut response = core::mem::MaybeUninit::uninit();
                    // SAFETY: live server; valid request, buffer and out pointer.
                    let result = unsafe {
                        ffi::authcode_server_token(
                            ffi_server,
                            &request,
                            clock,
                            core::ptr::null(),
                            buf.as_mut_ptr(),
                            buf.len(),
                            response.as_mut_ptr(),
                        )
                    };
                    black_box(result);
                }
                total += start.elapsed();
                done += batch;
                // Untimed: the app's refresh lifetime is 1 s, so stepping the clock past the
                // access-token lifetime lets every finished grant be reclaimed.
                clock += 4000;
                let mut removed = 0usize;
                // SAFETY: live server.
                unsafe { ffi::authcode_server_purge_expired(ffi_server, clock, &mut removed) };
            }
            total
        });
    });
    // SAFETY: created above, not used afterwards.
    unsafe { ffi::authcode_server_free(ffi_server) };
    group.finish();
}

criterion_group!(benches, verify, exchange);
criterion_main!(benches);
