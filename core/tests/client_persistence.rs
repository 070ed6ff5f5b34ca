//! Saving and restoring a session: a login survives the app being killed, and damaged
//! bytes are refused with a typed error.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use authcode::client::{
    ClientConfig, MAX_SAVED_LEN, RedirectOutcome, RestoreError, Session, Stage, TokenKind,
    TokenOutcome,
};
use common::*;

fn save(session: &Session) -> Vec<u8> {
    let mut buf = vec![0u8; MAX_SAVED_LEN];
    session.save(&mut buf).unwrap().to_vec()
}

#[test]
fn a_pending_login_survives_the_app_being_killed() {
    let session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    let url = authorize_url(&session);
    let saved = save(&session);
    drop(session); // the app is killed while the browser is open

    let mut restored = Session::restore(rfc_config(), &saved).unwrap();
    assert_eq!(restored.stage(), Stage::AwaitingRedirect);
    assert_eq!(restored.login_started_at(), Some(now()));
    assert_eq!(authorize_url(&restored), url, "same verifier and state");
    let state = query_params(&url)["state"].clone();
    let redirect = format!("code=c&state={state}");
    assert_eq!(
        restored.on_redirect(redirect.as_bytes()),
        Ok(RedirectOutcome::CodeReceived)
    );

    // Saved again between the redirect and the exchange.
    let mut restored = Session::restore(rfc_config(), &save(&restored)).unwrap();
    assert_eq!(restored.stage(), Stage::AwaitingToken);
    let mut buf = [0u8; 1024];
    let body = body_params(&restored.token_request(&mut buf).unwrap());
    let challenge =
        authcode::pkce::Challenge::parse(&query_params(&url)["code_challenge"]).unwrap();
    assert!(challenge.verify(&authcode::pkce::Verifier::parse(&body["code_verifier"]).unwrap()));
    assert_eq!(
        restored.on_token_response(200, TOKENS.as_bytes(), now()),
        Ok(TokenOutcome::Authorized)
    );
}

#[test]
fn an_authorized_session_round_trips() {
    let config = workfront_config();
    let mut session = session_with_code(config.clone(), "c");
    let body = r#"{"token_type":"sessionID","access_token":"a","refresh_token":"r","expires_in":60,"wid":"w","scope":"s"}"#;
    session
        .on_token_response(200, body.as_bytes(), now())
        .unwrap();
    let restored = Session::restore(config, &save(&session)).unwrap();
    assert_eq!(restored.stage(), Stage::Authorized);
    assert_eq!(restored.tokens(), session.tokens());
    let mut a = [0u8; 512];
    let mut b = [0u8; 512];
    assert_eq!(
        restored
            .revocation_request(TokenKind::Refresh, &mut a)
            .unwrap(),
        session
            .revocation_request(TokenKind::Refresh, &mut b)
            .unwrap()
    );
}

#[test]
fn a_refresh_in_flight_is_not_saved() {
    let session = authorized(rfc_config(), TOKENS);
    let mut buf = [0u8; 1024];
    session.refresh_request(&mut buf).unwrap();
    assert_eq!(session.stage(), Stage::Refreshing);
    let restored = Session::restore(rfc_config(), &save(&session)).unwrap();
    assert_eq!(restored.stage(), Stage::Authorized);
}

#[test]
fn failed_sessions_round_trip() {
    let mut session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    let state = sent_state(&session);
    session
        .on_redirect(format!("error=access_denied&error_description=no&state={state}").as_bytes())
        .unwrap();
    let restored = Session::restore(rfc_config(), &save(&session)).unwrap();
    assert_eq!(restored.failure(), session.failure());

    let mut session = authorized(rfc_config(), TOKENS);
    session.sign_out();
    let restored = Session::restore(rfc_config(), &save(&session)).unwrap();
    assert_eq!(restored.failure(), session.failure());
}

#[test]
fn the_largest_session_fits_max_saved_len() {
    let access = "a".repeat(authcode::client::limits::MAX_ACCESS_TOKEN);
    let refresh = "r".repeat(authcode::client::limits::MAX_REFRESH_TOKEN);
    let scope = "s".repeat(authcode::client::limits::MAX_SCOPE);
    let wid = "w".repeat(authcode::client::limits::MAX_WORKFRONT_VALUE);
    let value = "d".repeat(authcode::client::limits::MAX_WORKFRONT_VALUE);
    let mut session = Session::start(workfront_config(), &mut rng(), now()).unwrap();
    let state = sent_state(&session);
    session
        .on_redirect(format!("code=c&state={state}&domain={value}&lane={value}").as_bytes())
        .unwrap();
    let body = format!(
        r#"{{"access_token":"{access}","refresh_token":"{refresh}","scope":"{scope}","wid":"{wid}","expires_in":1}}"#
    );
    session
        .on_token_response(200, body.as_bytes(), now())
        .unwrap();
    let saved = save(&session);
    assert!(saved.len() <= MAX_SAVED_LEN, "{}", saved.len());
    assert_eq!(
        Session::restore(workfront_config(), &saved)
            .unwrap()
            .tokens(),
        session.tokens()
    );
}

#[test]
fn a_small_buffer_reports_the_size_needed() {
    let session = authorized(rfc_config(), TOKENS);
    let needed = save(&session).len();
    let mut small = vec![0u8; needed - 1];
    assert_eq!(
        session.save(&mut small).map(<[u8]>::len),
        Err(authcode::client::ClientError::BufferTooSmall(
            authcode::BufferTooSmall { needed }
        ))
    );
}

#[test]
fn truncated_bytes_are_refused() {
    let saved = save(&authorized(rfc_config(), TOKENS));
    for len in [saved.len() - 1, saved.len() / 2, 30, 9, 5] {
        assert_eq!(
            Session::restore(rfc_config(), &saved[..len]).unwrap_err(),
            RestoreError::Truncated,
            "{len}"
        );
    }
    assert_eq!(
        Session::restore(rfc_config(), &saved[..3]).unwrap_err(),
        RestoreError::NotASavedSession
    );
    assert_eq!(
        Session::restore(rfc_config(), &[]).unwrap_err(),
        RestoreError::NotASavedSession
    );
}

#[test]
fn every_changed_byte_is_detected() {
    let saved = save(&Session::start(rfc_config(), &mut rng(), now()).unwrap());
    for position in 0..saved.len() {
        let mut damaged = saved.clone();
        damaged[position] ^= 0x01;
        let error = Session::restore(rfc_config(), &damaged).unwrap_err();
        let expected = match position {
            0..=3 => RestoreError::NotASavedSession,
            4 => RestoreError::UnsupportedVersion { found: 0 },
            5..=8 => {
                if damaged.len() < u32::from_le_bytes(damaged[5..9].try_into().unwrap()) as usize {
                    RestoreError::Truncated
                } else {
                    RestoreError::Corrupted
                }
            }
            _ => RestoreError::Corrupted,
        };
        assert_eq!(error, expected, "byte {position}");
    }
}

#[test]
fn extra_bytes_are_refused() {
    let mut saved = save(&authorized(rfc_config(), TOKENS));
    saved.push(0);
    assert_eq!(
        Session::restore(rfc_config(), &saved).unwrap_err(),
        RestoreError::Corrupted
    );
}

#[test]
fn another_clients_session_is_refused() {
    let saved = save(&authorized(rfc_config(), TOKENS));
    let other = ClientConfig::new(
        authcode::Profile::Rfc,
        "https://as.example.com/oauth2/authorize",
        "https://as.example.com/oauth2/token",
        "another-app",
        "com.example.app:/oauth2redirect",
    )
    .unwrap();
    assert_eq!(
        Session::restore(other, &saved).unwrap_err(),
        RestoreError::DifferentClient
    );
}

#[test]
fn not_a_saved_session() {
    assert_eq!(
        Session::restore(rfc_config(), b"{\"access_token\":\"x\"}").unwrap_err(),
        RestoreError::NotASavedSession
    );
    let mut future = save(&authorized(rfc_config(), TOKENS));
    future[4] = 2;
    assert_eq!(
        Session::restore(rfc_config(), &future).unwrap_err(),
        RestoreError::UnsupportedVersion { found: 2 }
    );
}

/// Saved bytes with the body (after the 25-byte header, before the checksum) replaced and
/// the length and checksum made right again — what a forger with the (unkeyed) format can do.
fn forged(saved: &[u8], body: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    use sha2::Digest as _;
    let (header, rest) = saved.split_at(25);
    let body = body(&rest[..rest.len() - 16]);
    let total = u32::try_from(25 + body.len() + 16).unwrap();
    let mut out = header.to_vec();
    out[5..9].copy_from_slice(&total.to_le_bytes());
    out.extend_from_slice(&body);
    let checksum = sha2::Sha256::digest(&out);
    out.extend_from_slice(&checksum[..16]);
    out
}

/// A length-prefixed field of the save format.
fn field(bytes: &[u8]) -> Vec<u8> {
    let mut out = u16::try_from(bytes.len()).unwrap().to_le_bytes().to_vec();
    out.extend_from_slice(bytes);
    out
}

#[test]
fn a_forged_save_with_weakened_invariants_is_refused() {
    // The forging helper itself is faithful: an unchanged body restores.
    let session = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    let mut buf = vec![0u8; MAX_SAVED_LEN];
    let saved = session.save(&mut buf).unwrap().to_vec();
    let same = forged(&saved, <[u8]>::to_vec);
    assert!(Session::restore(rfc_config(), &same).is_ok());

    // A pending login with a one-character state.
    let weak_state = forged(&saved, |body| {
        let verifier_len = usize::from(u16::from_le_bytes([body[1], body[2]]));
        let mut out = body[..3 + verifier_len].to_vec();
        out.extend(field(b"x"));
        out.extend_from_slice(&body[body.len() - 8..]);
        out
    });
    assert_eq!(
        Session::restore(rfc_config(), &weak_state).map(|_| ()),
        Err(RestoreError::Invalid)
    );

    // Tokens with an empty access token, or one carrying CR LF.
    let session = authorized(rfc_config(), TOKENS);
    let mut buf = vec![0u8; MAX_SAVED_LEN];
    let saved = session.save(&mut buf).unwrap().to_vec();
    for access in [&b""[..], b"at\r\nX-Injected: 1"] {
        let bad = forged(&saved, |body| {
            let old_len = usize::from(u16::from_le_bytes([body[1], body[2]]));
            let mut out = vec![body[0]];
            out.extend(field(access));
            out.extend_from_slice(&body[3 + old_len..]);
            out
        });
        assert_eq!(
            Session::restore(rfc_config(), &bad).map(|_| ()),
            Err(RestoreError::Invalid),
            "{access:?}"
        );
    }
}
