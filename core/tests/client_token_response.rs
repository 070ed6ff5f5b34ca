//! What `on_token_response` accepts, tolerates and refuses — one test per rule.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use authcode::client::{
    ClientError, ErrorCode, ResponseError, Session, Stage, TokenOutcome, TokenType,
};
use authcode::wire::json::JsonError;
use common::*;

fn exchange(status: u16, body: &str) -> (Session, Result<TokenOutcome, ClientError>) {
    let mut session = session_with_code(rfc_config(), "c");
    let result = session.on_token_response(status, body.as_bytes(), now());
    (session, result)
}

fn accepted(body: &str) -> Session {
    let (session, result) = exchange(200, body);
    assert_eq!(result, Ok(TokenOutcome::Authorized), "{body}");
    session
}

fn refused(status: u16, body: &str) -> ResponseError {
    let (session, result) = exchange(status, body);
    assert_eq!(
        session.stage(),
        Stage::AwaitingToken,
        "refused responses change nothing"
    );
    match result {
        Err(ClientError::Response(error)) => error,
        other => panic!("expected a refused response for {body}, got {other:?}"),
    }
}

#[test]
fn token_type_bearer_in_any_case_session_id_or_missing() {
    for (token_type, expected) in [
        (r#""Bearer""#, TokenType::Bearer),
        (r#""bearer""#, TokenType::Bearer),
        (r#""BEARER""#, TokenType::Bearer),
        (r#""sessionID""#, TokenType::SessionId),
        ("null", TokenType::Bearer),
    ] {
        let session = accepted(&format!(
            r#"{{"access_token":"a","token_type":{token_type}}}"#
        ));
        assert_eq!(
            session.tokens().unwrap().token_type(),
            expected,
            "{token_type}"
        );
    }
}

#[test]
fn other_token_types_are_refused() {
    for token_type in [r#""mac""#, r#""DPoP""#, r#""SessionID""#, "1", r#""""#] {
        let body = format!(r#"{{"access_token":"a","token_type":{token_type}}}"#);
        let error = refused(200, &body);
        assert!(
            matches!(
                error,
                ResponseError::UnsupportedTokenType { status: 200 }
                    | ResponseError::InvalidMember {
                        member: "token_type",
                        ..
                    }
            ),
            "{token_type}: {error:?}"
        );
    }
}

#[test]
fn expires_in_as_number_numeric_string_null_or_absent() {
    for (expires_in, expected) in [
        ("3600", Some(3600)),
        (r#""3600""#, Some(3600)),
        ("0", Some(0)),
        ("null", None),
    ] {
        let session = accepted(&format!(
            r#"{{"access_token":"a","expires_in":{expires_in}}}"#
        ));
        assert_eq!(
            session.tokens().unwrap().expires_at(),
            expected.map(at),
            "{expires_in}"
        );
    }
    let session = accepted(r#"{"access_token":"a"}"#);
    assert_eq!(session.tokens().unwrap().expires_at(), None);
}

#[test]
fn impossible_expires_in_values_are_refused() {
    for expires_in in [
        "-1",
        "1.5",
        "1e3",
        r#""3600s""#,
        r#""""#,
        r#""-5""#,
        "true",
        "[3600]",
        "18446744073709551616",
    ] {
        assert_eq!(
            refused(
                200,
                &format!(r#"{{"access_token":"a","expires_in":{expires_in}}}"#)
            ),
            ResponseError::InvalidMember {
                status: 200,
                member: "expires_in"
            },
            "{expires_in}"
        );
    }
}

#[test]
fn unknown_members_of_any_type_are_ignored() {
    let session = accepted(
        r#"{"id_token":"x.y.z","user":{"name":"Jo","roles":["a",{"b":[1,2]}]},"n":1.5e3,"ok":true,
            "access_token":"a","nothing":null}"#,
    );
    assert_eq!(session.tokens().unwrap().access_token(), "a");
}

#[test]
fn json_escapes_are_decoded() {
    let session = accepted(
        r#"{"access_token":"a\/b\u002Bc\"d","refresh_token":"r\\s","scope":"read\u0020write"}"#,
    );
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.access_token(), "a/b+c\"d");
    assert_eq!(tokens.refresh_token(), Some("r\\s"));
    assert_eq!(tokens.scope(), Some("read write"));
}

#[test]
fn workfront_wid_as_string_or_number() {
    assert_eq!(
        accepted(r#"{"access_token":"a","wid":"w1"}"#)
            .tokens()
            .unwrap()
            .wid(),
        Some("w1")
    );
    assert_eq!(
        accepted(r#"{"access_token":"a","wid":12345}"#)
            .tokens()
            .unwrap()
            .wid(),
        Some("12345")
    );
}

#[test]
fn null_or_empty_refresh_token_means_none() {
    assert_eq!(
        accepted(r#"{"access_token":"a","refresh_token":null}"#)
            .tokens()
            .unwrap()
            .refresh_token(),
        None
    );
    assert_eq!(
        accepted(r#"{"access_token":"a","refresh_token":""}"#)
            .tokens()
            .unwrap()
            .refresh_token(),
        None
    );
}

#[test]
fn an_error_body_is_the_servers_answer_whatever_the_status() {
    for status in [400, 401, 403, 500, 503, 200] {
        let (session, result) = exchange(
            status,
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
        );
        let Ok(TokenOutcome::Rejected(error)) = result else {
            panic!("{status}: {result:?}");
        };
        assert_eq!(error.code(), ErrorCode::InvalidClient);
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.description(), Some("bad secret"));
        assert_eq!(session.stage(), Stage::Failed);
    }
}

#[test]
fn every_standard_error_code_is_recognised() {
    for (text, code) in [
        ("invalid_request", ErrorCode::InvalidRequest),
        ("invalid_client", ErrorCode::InvalidClient),
        ("invalid_grant", ErrorCode::InvalidGrant),
        ("unauthorized_client", ErrorCode::UnauthorizedClient),
        ("unsupported_grant_type", ErrorCode::UnsupportedGrantType),
        ("invalid_scope", ErrorCode::InvalidScope),
        ("server_error", ErrorCode::ServerError),
        ("temporarily_unavailable", ErrorCode::TemporarilyUnavailable),
    ] {
        let (_, result) = exchange(400, &format!(r#"{{"error":"{text}"}}"#));
        let Ok(TokenOutcome::Rejected(error)) = result else {
            panic!("{text}")
        };
        assert_eq!(error.code(), code);
    }
}

#[test]
fn an_overlong_error_description_is_cut_not_refused() {
    let long = "é".repeat(1000);
    let (_, result) = exchange(
        400,
        &format!(r#"{{"error":"invalid_grant","error_description":"{long}"}}"#),
    );
    let Ok(TokenOutcome::Rejected(error)) = result else {
        panic!()
    };
    let description = error.description().unwrap();
    assert!(description.len() <= authcode::client::limits::MAX_ERROR_TEXT);
    assert!(
        description.chars().all(|c| c == 'é'),
        "cut at a character boundary"
    );
}

#[test]
fn non_json_bodies_carry_the_status() {
    assert_eq!(
        refused(502, "<html><body>Bad Gateway</body></html>"),
        ResponseError::NotJson { status: 502 }
    );
    assert_eq!(refused(200, ""), ResponseError::NotJson { status: 200 });
    assert_eq!(
        refused(500, "Internal Server Error"),
        ResponseError::NotJson { status: 500 }
    );
    assert_eq!(refused(200, "[]"), ResponseError::NotJson { status: 200 });
}

#[test]
fn malformed_json_is_refused() {
    assert!(matches!(
        refused(200, r#"{"access_token":"a""#),
        ResponseError::MalformedJson { status: 200, .. }
    ));
    assert!(matches!(
        refused(200, r#"{"access_token":"a"} trailing"#),
        ResponseError::MalformedJson { .. }
    ));
    assert_eq!(
        refused(200, "{\"access_token\":\"\\q\"}"),
        ResponseError::MalformedJson {
            status: 200,
            error: JsonError::InvalidEscape
        }
    );
    let mut not_utf8 = b"{\"access_token\":\"a".to_vec();
    not_utf8.extend_from_slice(&[0xff, b'"', b'}']);
    let mut session = session_with_code(rfc_config(), "c");
    assert_eq!(
        session.on_token_response(200, &not_utf8, now()),
        Err(ClientError::Response(ResponseError::MalformedJson {
            status: 200,
            error: JsonError::NotUtf8
        }))
    );
}

#[test]
fn a_repeated_member_is_refused() {
    assert_eq!(
        refused(200, r#"{"access_token":"a","access_token":"b"}"#),
        ResponseError::DuplicateMember {
            status: 200,
            member: "access_token"
        }
    );
    assert_eq!(
        refused(
            200,
            r#"{"access_token":"a","refresh_token":"r","refresh_\u0074oken":"s"}"#
        ),
        ResponseError::DuplicateMember {
            status: 200,
            member: "refresh_token"
        }
    );
}

#[test]
fn success_without_an_access_token_is_refused() {
    assert_eq!(
        refused(200, r#"{"token_type":"Bearer"}"#),
        ResponseError::MissingAccessToken { status: 200 }
    );
    assert_eq!(
        refused(200, r#"{"access_token":""}"#),
        ResponseError::MissingAccessToken { status: 200 }
    );
    assert_eq!(
        refused(200, r#"{"access_token":null}"#),
        ResponseError::MissingAccessToken { status: 200 }
    );
    assert_eq!(
        refused(200, r#"{"access_token":42}"#),
        ResponseError::InvalidMember {
            status: 200,
            member: "access_token"
        }
    );
}

#[test]
fn an_error_status_without_an_error_member_is_unexpected() {
    assert_eq!(
        refused(401, r#"{"message":"unauthorized"}"#),
        ResponseError::UnexpectedStatus { status: 401 }
    );
    assert_eq!(
        refused(302, r#"{"access_token":"a"}"#),
        ResponseError::UnexpectedStatus { status: 302 }
    );
}

#[test]
fn tokens_longer_than_the_capacity_are_refused_by_name() {
    let long = "a".repeat(authcode::client::limits::MAX_ACCESS_TOKEN + 1);
    assert_eq!(
        refused(200, &format!(r#"{{"access_token":"{long}"}}"#)),
        ResponseError::MemberTooLong {
            status: 200,
            member: "access_token",
            max: 4096
        }
    );
    let fits = "a".repeat(authcode::client::limits::MAX_ACCESS_TOKEN);
    assert_eq!(
        accepted(&format!(r#"{{"access_token":"{fits}"}}"#))
            .tokens()
            .unwrap()
            .access_token(),
        fits
    );
    let long = "r".repeat(authcode::client::limits::MAX_REFRESH_TOKEN + 1);
    assert_eq!(
        refused(
            200,
            &format!(r#"{{"access_token":"a","refresh_token":"{long}"}}"#)
        ),
        ResponseError::MemberTooLong {
            status: 200,
            member: "refresh_token",
            max: 2048
        }
    );
}
