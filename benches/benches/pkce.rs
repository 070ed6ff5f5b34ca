//! PKCE: generate, challenge (43 and 128 characters) and verify — each beside its floor
//! (the raw `sha2` digest of the same bytes) and the `oauth2` crate's equivalent.
//!
//! `cargo bench -p authcode-benches --bench pkce`; figures in BENCHMARKS.md.

// A benchmark is a test harness: a failed unwrap here is a broken benchmark, not input.
#![allow(clippy::unwrap_used, missing_docs)]

use core::hint::black_box;

use authcode::pkce::{Challenge, Verifier, VerifierLength};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sha2::{Digest, Sha256};

fn verifier_of(chars: usize) -> Verifier {
    let mut rng = StdRng::seed_from_u64(chars as u64);
    Verifier::generate(&mut rng, VerifierLength::new(chars).unwrap()).unwrap()
}

fn generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    // Both sides draw from a thread-local ChaCha12 generator seeded by the OS
    // (rand 0.10 for authcode, rand 0.8 inside oauth2).
    let mut rng = rand::rng();
    group.bench_function("floor: 32 random bytes + sha256", |b| {
        b.iter(|| {
            let mut bytes = [0u8; 32];
            rand::Rng::fill_bytes(&mut rng, &mut bytes);
            black_box(Sha256::digest(bytes))
        });
    });
    group.bench_function("authcode: verifier", |b| {
        b.iter(|| black_box(Verifier::generate(&mut rng, VerifierLength::DEFAULT)));
    });
    group.bench_function("authcode: verifier + challenge text", |b| {
        b.iter(|| {
            let verifier = Verifier::generate(&mut rng, VerifierLength::DEFAULT).unwrap();
            let mut text = [0u8; Challenge::ENCODED_LEN];
            let challenge = Challenge::s256(&verifier);
            black_box(challenge.encode_into(&mut text).map(str::len)).ok();
            black_box(verifier)
        });
    });
    group.bench_function("oauth2: new_random_sha256", |b| {
        b.iter(|| black_box(PkceCodeChallenge::new_random_sha256()));
    });
    group.finish();
}

fn challenge(c: &mut Criterion) {
    for chars in [43, 128] {
        let mut group = c.benchmark_group(format!("challenge/{chars}"));
        let verifier = verifier_of(chars);
        let theirs = PkceCodeVerifier::new(verifier.as_str().to_owned());
        group.bench_function(BenchmarkId::from_parameter("floor: sha256"), |b| {
            b.iter(|| black_box(Sha256::digest(black_box(verifier.as_bytes()))));
        });
        group.bench_function(BenchmarkId::from_parameter("authcode: s256"), |b| {
            b.iter(|| black_box(Challenge::s256(black_box(&verifier))));
        });
        group.bench_function(BenchmarkId::from_parameter("authcode: s256 + text"), |b| {
            b.iter(|| {
                let mut text = [0u8; Challenge::ENCODED_LEN];
                let challenge = Challenge::s256(black_box(&verifier));
                black_box(challenge.encode_into(&mut text).map(str::len)).ok();
                black_box(text)
            });
        });
        group.bench_function(
            BenchmarkId::from_parameter("oauth2: from_code_verifier_sha256"),
            |b| {
                b.iter(|| {
                    black_box(PkceCodeChallenge::from_code_verifier_sha256(black_box(
                        &theirs,
                    )))
                });
            },
        );
        group.finish();
    }
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    let verifier = verifier_of(43);
    let verifier_text = verifier.as_str().to_owned();
    let challenge_text = Challenge::s256(&verifier).to_string();
    // A server parses the challenge once, at authorize time, and keeps the digest.
    let stored = Challenge::parse(&challenge_text).unwrap();

    group.bench_function("floor: sha256", |b| {
        b.iter(|| black_box(Sha256::digest(black_box(verifier.as_bytes()))));
    });
    group.bench_function("authcode: verify", |b| {
        b.iter(|| black_box(black_box(&stored).verify(black_box(&verifier))));
    });
    group.bench_function("authcode: parse verifier + verify", |b| {
        b.iter(|| {
            let verifier = Verifier::parse(black_box(&verifier_text)).unwrap();
            black_box(stored.verify(&verifier))
        });
    });
    // oauth2 is a client library with no verify; what a server built on it would do is
    // recompute the challenge text and compare it with the stored text.
    group.bench_function("oauth2: challenge + compare", |b| {
        let theirs = PkceCodeVerifier::new(verifier_text.clone());
        b.iter(|| {
            let computed = PkceCodeChallenge::from_code_verifier_sha256(black_box(&theirs));
            black_box(computed.as_str() == black_box(challenge_text.as_str()))
        });
    });
    group.bench_function("oauth2: new verifier + challenge + compare", |b| {
        b.iter(|| {
            let theirs = PkceCodeVerifier::new(black_box(&verifier_text).clone());
            let computed = PkceCodeChallenge::from_code_verifier_sha256(&theirs);
            black_box(computed.as_str() == black_box(challenge_text.as_str()))
        });
    });
    group.finish();
}

criterion_group!(benches, generate, challenge, verify);
criterion_main!(benches);
