//! Saving and restoring a session: a login survives the app being killed, and damaged
//! bytes are refused with a typed error.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use authcode::client::{
    ClientConfig, MAX_SAVE_KEY, MAX_SAVED_LEN, MIN_SAVE_KEY, RedirectOutcome, RestoreError,
    SaveKey, SaveKeyError, Session, Stage, TokenKind, TokenOutcome,
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
    let mut session = authorized(rfc_config(), TOKENS);
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
            4 => RestoreError::UnsupportedVersion { found: 3 },
            5..=8 => {
                if damaged.len() < u32::from_le_bytes(damaged[5..9].try_into().unwrap()) as usize {
                    RestoreError::Truncated
                } else {
                    RestoreError::Corrupted
                }
            }
            // The seal byte now says "keyed", and no key was given.
            9 => RestoreError::Tampered,
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
    future[4] = 3;
    assert_eq!(
        Session::restore(rfc_config(), &future).unwrap_err(),
        RestoreError::UnsupportedVersion { found: 3 }
    );
}

/// Bytes of a version 2 header: magic, version, length, seal byte, fingerprint.
const HEADER_LEN: usize = 26;

/// Saved bytes with the body (after the header, before the checksum) replaced and the
/// length and checksum made right again — what a forger with the (unkeyed) format can do.
fn forged(saved: &[u8], body: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    use sha2::Digest as _;
    let (header, rest) = saved.split_at(HEADER_LEN);
    let body = body(&rest[..rest.len() - 16]);
    let total = u32::try_from(HEADER_LEN + body.len() + 16).unwrap();
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

// ---- keyed saves -------------------------------------------------------------------

fn key(byte: u8) -> SaveKey {
    SaveKey::new(&[byte; 32]).unwrap()
}

fn save_keyed(session: &Session, key: &SaveKey) -> Vec<u8> {
    let mut buf = vec![0u8; MAX_SAVED_LEN];
    session.save_keyed(key, &mut buf).unwrap().to_vec()
}

#[test]
fn a_keyed_save_restores_with_its_key() {
    let session = authorized(rfc_config(), TOKENS);
    let saved = save_keyed(&session, &key(7));
    let restored = Session::restore_keyed(rfc_config(), &saved, &key(7)).unwrap();
    assert_eq!(restored.stage(), Stage::Authorized);
    assert_eq!(restored.tokens(), session.tokens());
    // A pending login too: same verifier and state.
    let pending = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    let restored =
        Session::restore_keyed(rfc_config(), &save_keyed(&pending, &key(7)), &key(7)).unwrap();
    assert_eq!(authorize_url(&restored), authorize_url(&pending));
}

#[test]
fn a_keyed_save_restores_only_with_its_key() {
    let saved = save_keyed(&authorized(rfc_config(), TOKENS), &key(7));
    assert_eq!(
        Session::restore_keyed(rfc_config(), &saved, &key(8)).map(|_| ()),
        Err(RestoreError::Tampered)
    );
    // A key that differs in one bit, and a shorter key with the same prefix.
    let mut near = [7u8; 32];
    near[31] ^= 1;
    let near = SaveKey::new(&near).unwrap();
    assert_eq!(
        Session::restore_keyed(rfc_config(), &saved, &near).map(|_| ()),
        Err(RestoreError::Tampered)
    );
    let shorter = SaveKey::new(&[7u8; 31]).unwrap();
    assert_eq!(
        Session::restore_keyed(rfc_config(), &saved, &shorter).map(|_| ()),
        Err(RestoreError::Tampered)
    );
    // Without a key.
    assert_eq!(
        Session::restore(rfc_config(), &saved).map(|_| ()),
        Err(RestoreError::Tampered)
    );
}

#[test]
fn every_changed_byte_of_a_keyed_save_is_tampering() {
    let saved = save_keyed(&authorized(rfc_config(), TOKENS), &key(7));
    for position in 0..saved.len() {
        for flip in [0x01, 0x80] {
            let mut damaged = saved.clone();
            damaged[position] ^= flip;
            let error = Session::restore_keyed(rfc_config(), &damaged, &key(7)).unwrap_err();
            let expected = match position {
                0..=3 => RestoreError::NotASavedSession,
                4 => RestoreError::UnsupportedVersion { found: damaged[4] },
                _ => RestoreError::Tampered,
            };
            assert_eq!(error, expected, "byte {position} ^ {flip:#x}");
        }
    }
    for len in [saved.len() - 1, saved.len() - 32, saved.len() / 2, 10] {
        assert_eq!(
            Session::restore_keyed(rfc_config(), &saved[..len], &key(7)).map(|_| ()),
            Err(RestoreError::Tampered),
            "cut to {len}"
        );
    }
}

#[test]
fn an_unkeyed_save_is_refused_where_a_key_is_expected() {
    // A forger who can write the saves can always write an unkeyed one.
    let session = authorized(rfc_config(), TOKENS);
    assert_eq!(
        Session::restore_keyed(rfc_config(), &save(&session), &key(7)).map(|_| ()),
        Err(RestoreError::Tampered)
    );
    // So can one who turns a keyed save into an unkeyed one with a fresh checksum.
    let keyed = save_keyed(&session, &key(7));
    let mut stripped = keyed[..keyed.len() - 32].to_vec();
    stripped[9] = 0;
    let total = u32::try_from(stripped.len() + 16).unwrap();
    stripped[5..9].copy_from_slice(&total.to_le_bytes());
    let checksum = <sha2::Sha256 as sha2::Digest>::digest(&stripped);
    stripped.extend_from_slice(&checksum[..16]);
    assert!(
        Session::restore(rfc_config(), &stripped).is_ok(),
        "faithful"
    );
    assert_eq!(
        Session::restore_keyed(rfc_config(), &stripped, &key(7)).map(|_| ()),
        Err(RestoreError::Tampered)
    );
}

#[test]
fn a_keyed_save_under_another_configuration_is_another_client() {
    let saved = save_keyed(&authorized(rfc_config(), TOKENS), &key(7));
    assert_eq!(
        Session::restore_keyed(workfront_config(), &saved, &key(7)).map(|_| ()),
        Err(RestoreError::DifferentClient)
    );
}

#[test]
fn save_keys_have_a_size_range_and_hide_their_bytes() {
    assert_eq!(
        SaveKey::new(&[1; MIN_SAVE_KEY - 1]).unwrap_err(),
        SaveKeyError::TooShort {
            found: MIN_SAVE_KEY - 1
        }
    );
    assert_eq!(
        SaveKey::new(&[1; MAX_SAVE_KEY + 1]).unwrap_err(),
        SaveKeyError::TooLong {
            found: MAX_SAVE_KEY + 1
        }
    );
    assert!(SaveKey::new(&[1; MIN_SAVE_KEY]).is_ok());
    assert!(SaveKey::new(&[1; MAX_SAVE_KEY]).is_ok());
    let shown = format!("{:?}", SaveKey::new(&[0xab; 20]).unwrap());
    assert!(!shown.contains("ab") && !shown.contains("171"), "{shown}");
}

#[test]
fn the_tag_is_hmac_sha256_of_everything_before_it() {
    use hmac::{KeyInit as _, Mac as _};
    let raw = [9u8; 40];
    let saved = save_keyed(
        &authorized(rfc_config(), TOKENS),
        &SaveKey::new(&raw).unwrap(),
    );
    let (content, tag) = saved.split_at(saved.len() - 32);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&raw).unwrap();
    mac.update(content);
    assert_eq!(&mac.finalize().into_bytes()[..], tag);
    assert_eq!(saved[9], 1, "seal byte: keyed");
}

// ---- the fingerprint ---------------------------------------------------------------

#[test]
fn every_field_that_changes_the_meaning_is_in_the_fingerprint() {
    let saved = save(&authorized(rfc_config(), TOKENS));
    let base = || rfc_config();
    let others: Vec<(&str, ClientConfig)> = vec![
        (
            "authorization endpoint",
            ClientConfig::new(
                authcode::Profile::Rfc,
                "https://other.example.com/oauth2/authorize",
                base().token_endpoint(),
                base().client_id(),
                base().redirect_uri(),
            )
            .unwrap(),
        ),
        ("scope", base().with_scope("admin").unwrap()),
        (
            "issuer",
            base().with_issuer("https://as.example.com").unwrap(),
        ),
        (
            "revocation endpoint",
            base()
                .with_revocation_endpoint("https://as.example.com/oauth2/revoke-all")
                .unwrap(),
        ),
        (
            "client authentication",
            base().with_client_secret_basic("s3cret").unwrap(),
        ),
        (
            "profile",
            ClientConfig::new(
                authcode::Profile::Workfront,
                base().authorization_endpoint(),
                base().token_endpoint(),
                base().client_id(),
                base().redirect_uri(),
            )
            .unwrap(),
        ),
    ];
    for (what, config) in others {
        assert_ne!(config, base(), "{what}");
        assert_eq!(
            Session::restore(config, &saved).map(|_| ()),
            Err(RestoreError::DifferentClient),
            "{what}"
        );
    }
}

#[test]
fn a_rotated_client_secret_keeps_sessions() {
    let config = rfc_config().with_client_secret_basic("old").unwrap();
    let saved = save(&authorized(config, TOKENS));
    let rotated = rfc_config().with_client_secret_basic("new").unwrap();
    assert!(Session::restore(rotated, &saved).is_ok());
}

// ---- version 1 saves (written by earlier releases) --------------------------------

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).unwrap())
        .collect()
}

/// `Session::start(rfc_config(), &mut rng(), now())`, saved by version 1.
const V1_PENDING: &str = "41435353018c0000008d39ccd3e09e0d6d086093ec2eff8a2f012b006f69516e496d4e337a495a395561305f457772776974453055643578594f2d69736a42325f5867743657662b003337444b434b69424435366a6e4470712d33674957656a5978377733743434766d34316f32563644484b4500f1536500000000803c9b6c0b306206716b6fcb95123526";
/// `authorized(rfc_config(), TOKENS)`, saved by version 1.
const V1_AUTHORIZED: &str = "4143535301590000008d39ccd3e09e0d6d086093ec2eff8a2f03040061742d310001040072742d310110ff536500000000010a00726561642077726974650000f15365000000000000bede06425f3b0a11ee9302bf0183d55f";
/// A Workfront session with `wid`, saved by version 1.
const V1_WORKFRONT: &str = "414353530156000000df17e853cee4c194b2144565b49359b4030a0077662d73657373696f6e01010a0077662d726566726573680000010300772d3100f15365000000000000b43c90487c1c7f7f54fa87fbb971dcd9";

#[test]
fn version_1_saves_still_restore() {
    let pending = Session::restore(rfc_config(), &unhex(V1_PENDING)).unwrap();
    let fresh = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    assert_eq!(authorize_url(&pending), authorize_url(&fresh));

    let authorized_v1 = Session::restore(rfc_config(), &unhex(V1_AUTHORIZED)).unwrap();
    assert_eq!(
        authorized_v1.tokens(),
        authorized(rfc_config(), TOKENS).tokens()
    );
    let workfront = Session::restore(workfront_config(), &unhex(V1_WORKFRONT)).unwrap();
    assert_eq!(workfront.tokens().unwrap().wid(), Some("w-1"));

    // Saving again writes version 2, which restores.
    let again = save(&authorized_v1);
    assert_eq!(again[4], 2);
    assert_eq!(
        Session::restore(rfc_config(), &again).unwrap().tokens(),
        authorized_v1.tokens()
    );
}

#[test]
fn version_1_saves_keep_their_checks() {
    let mut damaged = unhex(V1_AUTHORIZED);
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    assert_eq!(
        Session::restore(rfc_config(), &damaged).map(|_| ()),
        Err(RestoreError::Corrupted)
    );
    assert_eq!(
        Session::restore(workfront_config(), &unhex(V1_AUTHORIZED)).map(|_| ()),
        Err(RestoreError::DifferentClient)
    );
    // Unkeyed, so not accepted where a key is expected.
    assert_eq!(
        Session::restore_keyed(rfc_config(), &unhex(V1_AUTHORIZED), &key(7)).map(|_| ()),
        Err(RestoreError::Tampered)
    );
}

#[test]
fn restore_from_replaces_the_session_in_place_and_a_refused_save_changes_nothing() {
    // Every stage a save can hold, restored in place over an authorized session.
    let pending = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    let with_code = session_with_code(rfc_config(), "c");
    let authorized_one = authorized(rfc_config(), TOKENS);
    let mut failed = authorized(rfc_config(), TOKENS);
    failed.sign_out();
    for source in [&pending, &with_code, &authorized_one, &failed] {
        let saved = save(source);
        let mut target = authorized(
            rfc_config(),
            r#"{"access_token":"other","refresh_token":"other-r","sub":"someone"}"#,
        );
        // Refused: cut off, another client's, not a save — nothing changes.
        let before = target.tokens().cloned();
        assert_eq!(
            target.restore_from(&saved[..saved.len() - 1]),
            Err(RestoreError::Truncated)
        );
        assert!(target.restore_from(b"not a save").is_err());
        assert_eq!(target.stage(), Stage::Authorized);
        assert_eq!(target.tokens().cloned(), before);

        target.restore_from(&saved).unwrap();
        let by_value = Session::restore(rfc_config(), &saved).unwrap();
        assert_eq!(target.stage(), by_value.stage());
        assert_eq!(target.tokens(), by_value.tokens());
        assert_eq!(target.failure(), by_value.failure());
        assert_eq!(
            save(&target),
            saved,
            "restored in place, saved again: the same bytes"
        );
    }
}

#[test]
fn restore_keyed_from_needs_the_key() {
    let session = authorized(rfc_config(), TOKENS);
    let saved = save_keyed(&session, &key(1));
    let mut target = Session::start(rfc_config(), &mut rng(), now()).unwrap();
    assert_eq!(
        target.restore_keyed_from(&saved, &key(2)),
        Err(RestoreError::Tampered)
    );
    assert_eq!(target.stage(), Stage::AwaitingRedirect);
    target.restore_keyed_from(&saved, &key(1)).unwrap();
    assert_eq!(target.tokens(), session.tokens());
}
