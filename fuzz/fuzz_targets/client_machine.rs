//! The client session driven by fuzzer-chosen calls and times. After every step: the
//! stage and what the session holds agree, a refresh is never due while one is in
//! flight, and a subject the login established never changes while the tokens are held
//! (a refresh answer's `sub` does not replace it). A refused token or refresh answer, or a
//! refused save, leaves the tokens as they were (both are checked in full before anything
//! is written).
#![no_main]

mod common;

use arbitrary::Arbitrary;
use authcode::Timestamp;
use authcode::client::{Session, Stage, TokenKind};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Call<'a> {
    AuthorizeUrl,
    Redirect { real_state: bool, tail: &'a [u8] },
    TokenRequest,
    TokenResponse { status: u16, body: &'a [u8] },
    GoodTokens { expires_in: u16, with_refresh: bool, subject: Option<u8> },
    RefreshRequest,
    RefreshResponse { status: u16, body: &'a [u8] },
    CancelRefresh,
    Revocation { refresh: bool },
    SaveRestore,
    SignOut,
    Wait(u16),
}

fuzz_target!(|calls: Vec<Call<'_>>| {
    let mut session = common::started();
    let state = common::state_of(&session);
    let mut now = 1_000u64;
    let mut buf = vec![0u8; 8192];
    for call in calls.into_iter().take(64) {
        let at = Timestamp::from_unix_seconds(now);
        let subject_before = session.tokens().and_then(|t| t.subject()).map(str::to_owned);
        match call {
            Call::AuthorizeUrl => {
                let _ = session.authorize_url(&mut buf);
            }
            Call::Redirect { real_state, tail } => {
                let mut redirect = b"code=c&".to_vec();
                if real_state {
                    redirect.extend_from_slice(format!("state={state}&").as_bytes());
                }
                redirect.extend_from_slice(tail);
                let before = session.stage();
                if session.on_redirect(&redirect).is_err() {
                    assert_eq!(session.stage(), before);
                }
            }
            Call::TokenRequest => {
                let _ = session.token_request(&mut buf);
            }
            Call::TokenResponse { status, body } => {
                let (stage, tokens) = (session.stage(), session.tokens().cloned());
                if session.on_token_response(status, body, at).is_err() {
                    assert_eq!(session.stage(), stage, "a refused answer changed the stage");
                    assert_eq!(session.tokens().cloned(), tokens, "a refused answer changed the tokens");
                }
            }
            Call::GoodTokens { expires_in, with_refresh, subject } => {
                let refresh = if with_refresh { r#","refresh_token":"r""# } else { "" };
                let sub = subject.map(|n| format!(r#","sub":"user-{n}""#)).unwrap_or_default();
                let body = format!(r#"{{"access_token":"a","expires_in":{expires_in}{refresh}{sub}}}"#);
                let _ = session.on_token_response(200, body.as_bytes(), at);
                let _ = session.on_refresh_response(200, body.as_bytes(), at);
            }
            Call::RefreshRequest => {
                let _ = session.refresh_request(&mut buf);
            }
            Call::RefreshResponse { status, body } => {
                let tokens = session.tokens().cloned();
                if session.on_refresh_response(status, body, at).is_err() {
                    assert_eq!(session.tokens().cloned(), tokens, "a refused refresh answer changed the tokens");
                }
            }
            Call::CancelRefresh => drop(session.cancel_refresh()),
            Call::Revocation { refresh } => {
                let _ = session.revocation_request(if refresh { TokenKind::Refresh } else { TokenKind::Access }, &mut buf);
            }
            Call::SaveRestore => {
                let saved = session.save(&mut buf).unwrap().to_vec();
                let tokens = session.tokens().cloned();
                // In place: a cut-off save is refused and changes nothing.
                let cut = saved.len() / 2;
                assert!(session.restore_from(&saved[..cut]).is_err());
                assert_eq!(session.tokens().cloned(), tokens, "a refused save changed the tokens");
                session.restore_from(&saved).unwrap();
                let in_place = session.tokens().cloned();
                session = Session::restore(common::config(), &saved).unwrap();
                assert_eq!(session.tokens().cloned(), in_place, "restore_from and restore differ");
            }
            Call::SignOut => session.sign_out(),
            Call::Wait(seconds) => now += u64::from(seconds),
        }
        // Invariants.
        let stage = session.stage();
        assert_eq!(session.tokens().is_some(), matches!(stage, Stage::Authorized | Stage::Refreshing));
        assert_eq!(session.failure().is_some(), stage == Stage::Failed);
        if stage == Stage::Refreshing {
            assert!(!session.refresh_due(Timestamp::from_unix_seconds(u64::MAX)));
        }
        if let (Some(before), Some(tokens)) = (&subject_before, session.tokens()) {
            assert_eq!(tokens.subject(), Some(before.as_str()), "a refresh changed the subject");
        }
    }
});
