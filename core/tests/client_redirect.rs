//! Every rule `Session::on_redirect` enforces, one test each.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use authcode::client::{
    ClientError, ErrorCode, Failure, RedirectError, RedirectOutcome, Session, Stage,
};
use authcode::wire::query::{DecodeError, QueryError};
use common::*;

fn start() -> (Session, String) {
    let session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    let state = sent_state(&session);
    (session, state)
}

fn refused(session: &mut Session, redirect: &str) -> RedirectError {
    match session.on_redirect(redirect.as_bytes()) {
        Err(ClientError::Redirect(error)) => {
            assert_eq!(
                session.stage(),
                Stage::AwaitingRedirect,
                "a refused redirect changes nothing"
            );
            error
        }
        other => panic!("expected a refused redirect, got {other:?}"),
    }
}

#[test]
fn a_mismatched_state_is_refused_and_the_real_redirect_still_works() {
    let (mut session, state) = start();
    let forged = "com.example.app:/oauth2redirect?code=attacker-code&state=guessed";
    assert_eq!(refused(&mut session, forged), RedirectError::StateMismatch);
    // One character off.
    let mut off = state.clone().into_bytes();
    off[10] = if off[10] == b'A' { b'B' } else { b'A' };
    let off = format!("code=x&state={}", String::from_utf8(off).unwrap());
    assert_eq!(refused(&mut session, &off), RedirectError::StateMismatch);
    // A prefix of the state.
    assert_eq!(
        refused(&mut session, &format!("code=x&state={}", &state[..42])),
        RedirectError::StateMismatch
    );
    let real = format!("code=real&state={state}");
    assert_eq!(
        session.on_redirect(real.as_bytes()),
        Ok(RedirectOutcome::CodeReceived)
    );
}

#[test]
fn a_missing_state_is_refused() {
    let (mut session, _) = start();
    assert_eq!(refused(&mut session, "code=x"), RedirectError::MissingState);
    assert_eq!(
        refused(&mut session, "code=x&state="),
        RedirectError::MissingState
    );
}

#[test]
fn a_state_is_accepted_once() {
    let (mut session, state) = start();
    let redirect = format!("code=x&state={state}");
    session.on_redirect(redirect.as_bytes()).unwrap();
    assert_eq!(
        session.on_redirect(redirect.as_bytes()),
        Err(ClientError::WrongStage {
            stage: Stage::AwaitingToken
        })
    );
}

#[test]
fn duplicated_parameters_are_refused_before_anything_else() {
    let (mut session, state) = start();
    for redirect in [
        format!("code=a&code=b&state={state}"),
        format!("code=a&state={state}&state={state}"),
        format!("code=a&state={state}&error=x&error=y"),
        format!("code=a&state={state}&%63ode=b"),
    ] {
        assert!(
            matches!(
                refused(&mut session, &redirect),
                RedirectError::Query(QueryError::Duplicate { .. })
            ),
            "{redirect}"
        );
    }
}

#[test]
fn issuer_is_checked_when_configured() {
    let config = rfc_config().with_issuer("https://as.example.com").unwrap();
    let mut session = Session::start(config, &mut rng(), now()).unwrap();
    let state = sent_state(&session);
    assert_eq!(
        refused(&mut session, &format!("code=x&state={state}")),
        RedirectError::MissingIssuer
    );
    assert_eq!(
        refused(
            &mut session,
            &format!("code=x&state={state}&iss=https%3A%2F%2Fevil.example.com")
        ),
        RedirectError::IssuerMismatch
    );
    // Checked before the state: a mix-up is reported as such.
    assert_eq!(
        refused(
            &mut session,
            "code=x&state=wrong&iss=https%3A%2F%2Fevil.example.com"
        ),
        RedirectError::IssuerMismatch
    );
    let good = format!("code=x&state={state}&iss=https%3A%2F%2Fas.example.com");
    assert_eq!(
        session.on_redirect(good.as_bytes()),
        Ok(RedirectOutcome::CodeReceived)
    );
}

#[test]
fn an_unconfigured_issuer_must_match_the_authorization_endpoint_origin() {
    let (mut session, state) = start();
    assert_eq!(
        refused(
            &mut session,
            &format!("code=x&state={state}&iss=https%3A%2F%2Fother.example.com")
        ),
        RedirectError::IssuerMismatch
    );
    let same_origin = format!("code=x&state={state}&iss=https%3A%2F%2Fas.example.com%2Foauth2");
    assert_eq!(
        session.on_redirect(same_origin.as_bytes()),
        Ok(RedirectOutcome::CodeReceived)
    );
}

#[test]
fn a_server_error_is_surfaced_only_after_the_state_checks() {
    let (mut session, state) = start();
    // An error with a wrong state is an attack or a stale redirect, not the server's answer.
    assert_eq!(
        refused(&mut session, "error=access_denied&state=wrong"),
        RedirectError::StateMismatch
    );
    let denied = format!(
        "error=access_denied&error_description=The+user+said+no&error_uri=https%3A%2F%2Fas.example.com%2Fhelp&state={state}"
    );
    let Ok(RedirectOutcome::Denied(error)) = session.on_redirect(denied.as_bytes()) else {
        panic!("expected Denied");
    };
    assert_eq!(error.code(), ErrorCode::AccessDenied);
    assert_eq!(error.description(), Some("The user said no"));
    assert_eq!(error.uri(), Some("https://as.example.com/help"));
    assert_eq!(error.status(), None);
    assert_eq!(session.stage(), Stage::Failed);
    assert!(matches!(session.failure(), Some(Failure::Denied(_))));
}

#[test]
fn an_unknown_error_code_is_kept_as_text() {
    let (mut session, state) = start();
    let Ok(RedirectOutcome::Denied(error)) =
        session.on_redirect(format!("error=consent_required&state={state}").as_bytes())
    else {
        panic!("expected Denied");
    };
    assert_eq!(error.code(), ErrorCode::Other);
    assert_eq!(error.code_text(), "consent_required");
}

#[test]
fn neither_code_nor_error() {
    let (mut session, state) = start();
    assert_eq!(
        refused(&mut session, &format!("state={state}")),
        RedirectError::MissingCode
    );
    assert_eq!(
        refused(&mut session, &format!("code=&state={state}")),
        RedirectError::MissingCode
    );
}

#[test]
fn no_query_at_all() {
    let (mut session, _) = start();
    assert_eq!(
        refused(&mut session, "com.example.app:/oauth2redirect"),
        RedirectError::NoQuery
    );
    assert_eq!(refused(&mut session, ""), RedirectError::NoQuery);
}

#[test]
fn an_oversized_or_undecodable_code_is_refused() {
    let (mut session, state) = start();
    let long = "c".repeat(authcode::client::limits::MAX_CODE + 1);
    assert_eq!(
        refused(&mut session, &format!("code={long}&state={state}")),
        RedirectError::Decode {
            parameter: "code",
            error: DecodeError::TooLong { max: 512 }
        }
    );
    assert_eq!(
        refused(&mut session, &format!("code=%FF&state={state}")),
        RedirectError::Decode {
            parameter: "code",
            error: DecodeError::NotUtf8
        }
    );
}

#[test]
fn every_form_of_redirect_is_read() {
    for prefix in [
        "com.example.app:/oauth2redirect?",
        "/oauth2redirect?",
        "?",
        "",
    ] {
        let (mut session, state) = start();
        let redirect = format!("{prefix}code=a%2Bb&state={state}#fragment");
        assert_eq!(
            session.on_redirect(redirect.as_bytes()),
            Ok(RedirectOutcome::CodeReceived),
            "{prefix}"
        );
        let mut buf = [0u8; 1024];
        let request = session.token_request(&mut buf).unwrap();
        assert_eq!(
            body_params(&request)["code"],
            "a+b",
            "the code is percent-decoded"
        );
    }
}
