//! authcode's S256 against an independent implementation: the `oauth2` crate (its own
//! `sha2` and `base64` versions), over thousands of random verifiers of every length.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode_tests::seeded_rng;
use oauth2::{PkceCodeChallenge, PkceCodeVerifier};

const CASES: usize = 5_000;

#[test]
fn s256_challenges_agree_with_the_oauth2_crate() {
    let mut rng = seeded_rng(0xd1ff);
    for case in 0..CASES {
        let chars = 43 + case % 86; // every length 43..=128
        let length = VerifierLength::new(chars).unwrap();
        let verifier = Verifier::generate(&mut rng, length).unwrap();

        let theirs = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            verifier.as_str().to_owned(),
        ));
        assert_eq!(theirs.method().as_str(), "S256");

        let ours = Challenge::s256(&verifier);
        assert_eq!(ours.to_string(), theirs.as_str(), "verifier length {chars}");

        // Their text parses on our side and verifies the verifier.
        let parsed = Challenge::parse(theirs.as_str()).unwrap();
        assert_eq!(parsed, ours);
        assert!(parsed.verify(&verifier));
    }
}

#[test]
fn verifiers_from_the_oauth2_crate_parse_and_verify() {
    for _ in 0..500 {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let ours = Verifier::parse(verifier.secret()).unwrap();
        assert!(Challenge::parse(challenge.as_str()).unwrap().verify(&ours));
    }
    for len in [32, 64, 96] {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(len);
        let ours = Verifier::parse(verifier.secret()).unwrap();
        assert!(Challenge::parse(challenge.as_str()).unwrap().verify(&ours));
    }
}
