//! No function of the crate writes CR or LF (or any other control character) into a header
//! value: tokens must be visible ASCII, a redirect's `code` must be VSCHARs, and every
//! header the client builds is checked over generated input (proptest).

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use authcode::client::{ClientError, RedirectError, ResponseError, Session, TokenKind};
use common::*;
use proptest::prelude::*;

fn header_safe(value: &str) -> bool {
    value.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// Every header the session can build right now, as (name, value).
fn headers(session: &Session) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    if let Ok((name, value)) = session.authorization_header(&mut buf) {
        out.push((name.to_owned(), value.to_owned()));
    }
    let mut buf = vec![0u8; 16 * 1024];
    // On a copy: writing it starts a refresh.
    let mut refreshing = session.clone();
    if let Ok(request) = refreshing.refresh_request(&mut buf) {
        out.push(("Content-Type".into(), request.content_type.to_owned()));
        if let Some(authorization) = request.authorization {
            out.push(("Authorization".into(), authorization.to_owned()));
        }
    }
    let mut buf = vec![0u8; 16 * 1024];
    if let Ok(request) = session.revocation_request(TokenKind::Refresh, &mut buf)
        && let Some(authorization) = request.authorization
    {
        out.push(("Authorization".into(), authorization.to_owned()));
    }
    out
}

#[test]
fn a_token_with_cr_or_lf_is_refused_naming_the_member() {
    for (member, body) in [
        (
            "access_token",
            r#"{"access_token":"at\r\nX-Injected: 1","token_type":"Bearer"}"#,
        ),
        (
            "access_token",
            r#"{"access_token":"a b","token_type":"Bearer"}"#,
        ),
        (
            "access_token",
            r#"{"access_token":"caf\u00e9","token_type":"Bearer"}"#,
        ),
        (
            "refresh_token",
            r#"{"access_token":"at","refresh_token":"rt\nX: 1","token_type":"Bearer"}"#,
        ),
    ] {
        let mut session = session_with_code(rfc_config(), "the-code");
        let error = session
            .on_token_response(200, body.as_bytes(), now())
            .unwrap_err();
        assert!(
            matches!(error, ClientError::Response(ResponseError::InvalidMember { member: m, .. }) if m == member),
            "{body}: {error:?}"
        );
        assert!(session.tokens().is_none(), "nothing was stored");
    }
}

#[test]
fn a_code_with_control_characters_is_refused() {
    for code in ["ab%0D%0Acd", "ab%0Acd", "%00", "ab%7Fcd"] {
        let mut session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
        let state = sent_state(&session);
        let redirect = format!("https://app.example.com/callback?code={code}&state={state}");
        let error = session.on_redirect(redirect.as_bytes()).unwrap_err();
        assert_eq!(
            error,
            ClientError::Redirect(RedirectError::InvalidCharacters { parameter: "code" }),
            "{code}"
        );
    }
    // A space is a VSCHAR (RFC 6749 Appendix A.11).
    let session = session_with_code(rfc_config(), "a+b");
    assert!(session.tokens().is_none());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn no_header_the_client_builds_holds_a_control_character(
        access in "\\PC{1,40}|[\\x00-\\x7f]{1,40}",
        refresh in proptest::option::of("\\PC{1,40}|[\\x00-\\x7f]{1,40}"),
    ) {
        let mut body = serde_json::json!({ "access_token": access, "token_type": "Bearer" });
        if let Some(refresh) = &refresh {
            body["refresh_token"] = refresh.clone().into();
        }
        for config in [rfc_config(), workfront_config()] {
            let mut session = session_with_code(config, "the-code");
            let accepted = session
                .on_token_response(200, body.to_string().as_bytes(), now())
                .is_ok();
            let all_visible = access.bytes().all(|b| (0x21..=0x7e).contains(&b))
                && refresh
                    .as_deref()
                    .is_none_or(|r| r.bytes().all(|b| (0x21..=0x7e).contains(&b)));
            prop_assert_eq!(accepted, all_visible, "{}", body);
            for (name, value) in headers(&session) {
                prop_assert!(header_safe(&value), "{}: {:?}", name, value);
            }
        }
    }
}
