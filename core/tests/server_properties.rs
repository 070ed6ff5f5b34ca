//! Server invariants over generated input (proptest).

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod server_common;

use authcode::server::TokenRequest;
use proptest::prelude::*;
use server_common::*;

#[derive(Debug, Clone)]
enum Attempt {
    Right,
    WrongVerifier(u64),
    NoVerifier,
    OtherRedirect,
}

fn attempt() -> impl Strategy<Value = Attempt> {
    prop_oneof![
        Just(Attempt::Right),
        any::<u64>().prop_map(Attempt::WrongVerifier),
        Just(Attempt::NoVerifier),
        Just(Attempt::OtherRedirect),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_code_is_redeemed_at_most_once(attempts in prop::collection::vec((attempt(), 0u64..200), 1..8)) {
        let mut f = fixture();
        let (code, verifier) = f.spa_code(1, at(0));
        let mut successes = 0;
        let mut failed_before = false;
        for (attempt, offset) in attempts {
            let (verifier_text, redirect) = match attempt {
                Attempt::Right => (Some(verifier.as_str().to_owned()), SPA_REDIRECT),
                Attempt::WrongVerifier(seed) => (Some(pkce(seed.wrapping_add(1000)).0.as_str().to_owned()), SPA_REDIRECT),
                Attempt::NoVerifier => (None, SPA_REDIRECT),
                Attempt::OtherRedirect => (Some(verifier.as_str().to_owned()), "http://127.0.0.1/cb"),
            };
            let mut body = format!("grant_type=authorization_code&code={}&redirect_uri={}&client_id={}", enc(&code), enc(redirect), f.spa);
            if let Some(v) = verifier_text { body.push_str(&format!("&code_verifier={v}")); }
            let (status, _, _) = f.token_form(&body, None, at(offset));
            if status == 200 {
                successes += 1;
                prop_assert!(!failed_before, "a code that failed once must never succeed");
            } else {
                failed_before = true;
            }
        }
        prop_assert!(successes <= 1);
    }

    #[test]
    fn nothing_is_valid_after_its_grant_is_revoked(ops in prop::collection::vec((0u8..4, 0usize..8), 1..30)) {
        let mut f = fixture();
        // One app makes every grant here: give it the whole grant table.
        let quotas = authcode::server::Quotas { grants_per_app: Some(128), ..Default::default() };
        let config = f.server.config().clone().with_quotas(quotas).unwrap();
        f.server.set_config(config);
        let mut grants: Vec<(String, String)> = Vec::new();
        let mut revoked: Vec<String> = Vec::new();
        let mut now = 0u64;
        for (seed, (op, pick)) in ops.into_iter().enumerate() {
            now += 7;
            match op {
                0 => grants.push(f.spa_tokens(seed as u64, at(now))),
                1 if !grants.is_empty() => {
                    let (access, refresh) = grants[pick % grants.len()].clone();
                    let (status, json) = f.refresh_spa(&refresh, None, at(now));
                    if status == 200 {
                        let index = pick % grants.len();
                        grants[index] = (json["access_token"].as_str().unwrap().to_owned(), json["refresh_token"].as_str().unwrap().to_owned());
                        revoked.retain(|r| *r != access);
                    }
                }
                2 if !grants.is_empty() => {
                    let (access, _) = grants.remove(pick % grants.len());
                    prop_assert!(f.server.revoke_token(&access).unwrap());
                    revoked.push(access);
                }
                _ => {}
            }
            for access in &revoked {
                prop_assert!(f.server.validate(access, at(now)).is_err());
            }
        }
    }

    #[test]
    fn authorize_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut f = fixture();
        let mut buf = [0u8; 1024];
        let _ = f.server.authorize(&bytes, "u", at(0), &mut f.rng, &mut buf);
        let _ = f.server.authorize_info(&bytes);
    }

    #[test]
    fn authorize_never_panics_on_query_like_input(
        params in prop::collection::vec(("(client_id|redirect_uri|response_type|state|scope|code_challenge|code_challenge_method|x)", "[a-zA-Z0-9%+=&:/._~-]{0,50}"), 0..10),
        use_real_client in any::<bool>(),
    ) {
        let mut f = fixture();
        let mut query: Vec<String> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
        if use_real_client {
            query.push(format!("client_id={}", f.spa));
            query.push(format!("redirect_uri={}", enc(SPA_REDIRECT)));
        }
        let mut buf = [0u8; 1024];
        let _ = f.server.authorize(query.join("&").as_bytes(), "u", at(0), &mut f.rng, &mut buf);
    }

    #[test]
    fn the_token_endpoint_never_panics(
        body in prop::collection::vec(any::<u8>(), 0..300),
        json in any::<bool>(),
        authorization in proptest::option::of("[ -~]{0,80}"),
    ) {
        let mut f = fixture();
        let content_type = if json { "application/json" } else { "application/x-www-form-urlencoded" };
        let request = TokenRequest { method: "POST", content_type: Some(content_type), authorization: authorization.as_deref(), body: &body };
        let mut buf = [0u8; 1024];
        let response = f.server.token(&request, at(0), &mut f.rng, &mut buf).unwrap();
        prop_assert!(serde_json::from_str::<serde_json::Value>(response.body).is_ok(), "always JSON");
        let mut buf = [0u8; 1024];
        let _ = f.server.revoke(&request, at(1), &mut buf).unwrap();
    }

    #[test]
    fn the_token_endpoint_never_panics_on_param_like_bodies(
        params in prop::collection::vec(("(grant_type|code|redirect_uri|code_verifier|client_id|client_secret|refresh_token|scope)", "[a-zA-Z0-9%+=&:/._~-]{0,60}"), 0..10),
    ) {
        let mut f = fixture();
        let body: Vec<String> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let (status, _, _) = f.token_form(&body.join("&"), None, at(0));
        prop_assert!(status >= 400, "random parameters never earn tokens");
    }
}
