//! The `serde` feature: a registry read back is the same registry (apps, secret digests,
//! slot generations), and a registry too large for the reader is refused.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)
#![cfg(feature = "serde")]

use authcode::server::{AppKind, AppSpec, Registry};
use rand::SeedableRng;
use rand::rngs::StdRng;

#[test]
fn a_registry_round_trips_with_its_secrets_and_generations() {
    let mut rng = StdRng::seed_from_u64(1);
    let mut registry = Registry::<4>::new();
    let web = registry
        .create(
            &AppSpec::new("Web", AppKind::WebApp, &["https://app.example/cb"]),
            &mut rng,
        )
        .unwrap();
    let gone = registry
        .create(
            &AppSpec::new("Gone", AppKind::SinglePage, &["http://127.0.0.1/cb"]),
            &mut rng,
        )
        .unwrap();
    registry.delete(&gone.client_id).unwrap();
    registry
        .create(
            &AppSpec::new("Spa", AppKind::SinglePage, &["http://127.0.0.1/cb"]),
            &mut rng,
        )
        .unwrap();
    let text = serde_json::to_string(&registry).unwrap();
    let secret = web.client_secret.unwrap();
    assert!(
        !text.contains(secret.as_str()),
        "only the digest is written"
    );
    let back: Registry<4> = serde_json::from_str(&text).unwrap();
    let apps: Vec<_> = registry.iter().cloned().collect();
    let read: Vec<_> = back.iter().cloned().collect();
    assert_eq!(apps, read);
    // The slot generations came along: writing the copy gives the same text.
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    assert!(Registry::<2>::new().capacity() == 2);
    let refused = serde_json::from_str::<Registry<2>>(&text).unwrap_err();
    assert!(refused.to_string().contains("at most 2"), "{refused}");
}

#[test]
fn unknown_fields_are_refused_by_name() {
    let text = serde_json::to_string(&Registry::<1>::new()).unwrap();
    let tampered = text.replacen("\"generation\"", "\"extra\":1,\"generation\"", 1);
    let refused = serde_json::from_str::<Registry<1>>(&tampered).unwrap_err();
    assert!(refused.to_string().contains("extra"), "{refused}");
}
