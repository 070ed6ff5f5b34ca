//! Properties of the client over arbitrary input (proptest): nothing panics, refused input
//! changes nothing, and save → restore round-trips.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use authcode::client::{MAX_SAVED_LEN, Session, Stage};
use authcode::wire::json::ObjectReader;
use common::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn on_redirect_never_panics_and_refusals_change_nothing(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
        if session.on_redirect(&bytes).is_err() {
            prop_assert_eq!(session.stage(), Stage::AwaitingRedirect);
        }
    }

    #[test]
    fn on_redirect_never_panics_on_query_like_input(
        params in prop::collection::vec(("(code|state|iss|error|error_description|domain|lane|x|%[0-9A-F]{2}|\\+)", "[a-zA-Z0-9%+=&#?/:]{0,20}"), 0..8),
    ) {
        let query: Vec<String> = params.iter().map(|(name, value)| format!("{name}={value}")).collect();
        let mut session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
        let _ = session.on_redirect(query.join("&").as_bytes());
    }

    #[test]
    fn on_token_response_never_panics(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut session = session_with_code(rfc_config(), "c");
        if session.on_token_response(status, &body, now()).is_err() {
            prop_assert_eq!(session.stage(), Stage::AwaitingToken);
        }
    }

    #[test]
    fn on_token_response_never_panics_on_json_like_input(
        members in prop::collection::vec((
            "(access_token|token_type|expires_in|refresh_token|scope|wid|error|error_description|x)",
            "(\"[a-zA-Z0-9\\\\/\"u]{0,12}\"|-?[0-9]{1,21}(\\.[0-9]+)?|null|true|\\{\\}|\\[1,\\[\\]\\])",
        ), 0..8),
        status in prop::sample::select(vec![200u16, 400, 401, 500]),
    ) {
        let body: Vec<String> = members.iter().map(|(name, value)| format!("\"{name}\":{value}")).collect();
        let body = format!("{{{}}}", body.join(","));
        let mut session = session_with_code(rfc_config(), "c");
        let _ = session.on_token_response(status, body.as_bytes(), now());
    }

    #[test]
    fn the_json_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut reader = ObjectReader::new(&bytes);
        for _ in 0..400 {
            match reader.next_member() {
                Ok(Some((name, _))) => {
                    let mut buf = [0u8; 16];
                    let _ = name.decode_into(&mut buf);
                }
                Ok(None) | Err(_) => break,
            }
        }
    }

    #[test]
    fn save_then_restore_round_trips(
        access in "[!-~]{1,200}",
        refresh in proptest::option::of("[!-~]{1,200}"),
        expires_in in proptest::option::of(0u64..10_000_000),
        scope in proptest::option::of("[a-z]{1,10}( [a-z]{1,10}){0,3}"),
    ) {
        let mut body = serde_json::json!({ "access_token": access });
        if let Some(refresh) = &refresh { body["refresh_token"] = refresh.clone().into(); }
        if let Some(expires_in) = expires_in { body["expires_in"] = expires_in.into(); }
        if let Some(scope) = &scope { body["scope"] = scope.clone().into(); }
        let session = authorized(rfc_config(), &body.to_string());
        prop_assert_eq!(session.tokens().unwrap().access_token(), access.as_str());
        let mut buf = vec![0u8; MAX_SAVED_LEN];
        let saved = session.save(&mut buf).unwrap();
        let restored = Session::restore(rfc_config(), saved).unwrap();
        prop_assert_eq!(restored.tokens(), session.tokens());
    }

    #[test]
    fn restore_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Session::restore(rfc_config(), &bytes);
    }
}
