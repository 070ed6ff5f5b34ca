//! Properties of PKCE over generated inputs (proptest).

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use authcode::pkce::{Challenge, Verifier, VerifierLength};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Any valid verifier text: 43..=128 unreserved characters.
fn verifier_text() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(UNRESERVED), 43..=128)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn every_generated_verifier_parses_and_verifies(seed: u64, chars in 43usize..=128) {
        let mut rng = StdRng::seed_from_u64(seed);
        let verifier = Verifier::generate(&mut rng, VerifierLength::new(chars).unwrap()).unwrap();
        let reparsed = Verifier::parse(verifier.as_str()).unwrap();
        prop_assert_eq!(reparsed.as_str(), verifier.as_str());
        let text = Challenge::s256(&verifier).to_string();
        prop_assert_eq!(text.len(), 43);
        prop_assert!(Challenge::parse(&text).unwrap().verify(&reparsed));
    }

    #[test]
    fn every_valid_verifier_text_verifies_against_its_challenge(text in verifier_text()) {
        let verifier = Verifier::parse_bytes(&text).unwrap();
        prop_assert_eq!(verifier.as_bytes(), &text[..]);
        prop_assert!(Challenge::s256(&verifier).verify(&verifier));
    }

    #[test]
    fn any_changed_verifier_character_fails(
        text in verifier_text(),
        position in any::<prop::sample::Index>(),
        replacement in prop::sample::select(UNRESERVED),
    ) {
        let original = Verifier::parse_bytes(&text).unwrap();
        let challenge = Challenge::s256(&original);
        let mut changed = text.clone();
        let at = position.index(changed.len());
        prop_assume!(changed[at] != replacement);
        changed[at] = replacement;
        let changed = Verifier::parse_bytes(&changed).unwrap();
        prop_assert!(!challenge.verify(&changed));
    }

    #[test]
    fn any_changed_challenge_character_fails(
        seed: u64,
        position in 0usize..43,
        replacement in prop::sample::select(BASE64URL),
    ) {
        let verifier = Verifier::generate(&mut StdRng::seed_from_u64(seed), VerifierLength::DEFAULT).unwrap();
        let mut text = Challenge::s256(&verifier).to_string().into_bytes();
        prop_assume!(text[position] != replacement);
        text[position] = replacement;
        // Either the text no longer parses (a non-canonical last character) or it no
        // longer verifies.
        if let Ok(changed) = Challenge::parse_bytes(&text) {
            prop_assert!(!changed.verify(&verifier));
        }
    }

    #[test]
    fn verifier_parser_accepts_exactly_valid_input(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let valid = (43..=128).contains(&bytes.len()) && bytes.iter().all(|b| UNRESERVED.contains(b));
        prop_assert_eq!(Verifier::parse_bytes(&bytes).is_ok(), valid);
    }

    #[test]
    fn challenge_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..100)) {
        let parsed = Challenge::parse_bytes(&bytes);
        if let Ok(challenge) = parsed {
            // Whatever parses re-encodes to exactly the input.
            let text = challenge.to_string();
            prop_assert_eq!(text.as_bytes(), &bytes[..]);
        }
    }
}
