//! The grant store: one regression test per attack on the tables, quotas, all-or-nothing
//! issuance, mass revocation, client secrets, the refresh grace window.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod failing_rng;
mod server_common;

use authcode::profile::Profile;
use authcode::server::{
    AppError, AppKind, AppSpec, InlineStorage, InvalidToken, MemoryStore, Quotas, RefreshPolicy,
    SecretRotation, Server, ServerConfig, TokenRequest,
};
use failing_rng::FailingRng;
use server_common::*;

fn rotating() -> RefreshPolicy {
    RefreshPolicy {
        rotation: true,
        absolute_lifetime: Some(10_000),
        inactivity_lifetime: None,
    }
}

fn form(body: &str) -> TokenRequest<'_> {
    TokenRequest {
        method: "POST",
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
    }
}

fn code_for(f: &mut Fixture, subject: &str, seed: u64, now: u64) -> (String, String) {
    let (verifier, challenge) = pkce(seed);
    let query = authorize_query(&f.spa, SPA_REDIRECT, &challenge);
    let mut buf = [0u8; 1024];
    let redirect = f
        .server
        .authorize(query.as_bytes(), subject, at(now), &mut f.rng, &mut buf)
        .unwrap();
    let params = location_params(redirect.location);
    match params.get("code") {
        Some(code) => (code.clone(), verifier.as_str().to_owned()),
        None => (String::new(), params["error_description"].clone()),
    }
}

fn exchange_body(f: &Fixture, code: &str, verifier: &str) -> String {
    format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&code_verifier={verifier}",
        enc(code),
        enc(SPA_REDIRECT),
        enc(&f.spa)
    )
}

// --- The five attacks of the grant-store issue ---------------------------------------

#[test]
fn attack_1_a_refresh_token_two_rotations_old_still_ends_the_grant() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    let (_, r0) = f.spa_tokens(1, at(0));
    let (_, json) = f.refresh_spa(&r0, None, at(10));
    let r1 = json["refresh_token"].as_str().unwrap().to_owned();
    let (_, json) = f.refresh_spa(&r1, None, at(20));
    let (a2, r2) = (
        json["access_token"].as_str().unwrap().to_owned(),
        json["refresh_token"].as_str().unwrap().to_owned(),
    );
    // The real client comes back with R0: the thief's R2 must die with the grant.
    let (status, json) = f.refresh_spa(&r0, None, at(30));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
    assert_eq!(
        error_of(&f.refresh_spa(&r2, None, at(31)).1),
        "invalid_grant"
    );
    assert_eq!(f.server.validate(&a2, at(31)), Err(InvalidToken));
}

#[test]
fn attack_2_one_grant_refreshing_in_a_loop_cannot_fill_the_tables() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    let (first_access, mut refresh) = f.spa_tokens(1, at(0));
    let mut accesses = vec![first_access];
    for _ in 0..1000 {
        let (status, json) = f.refresh_spa(&refresh, None, at(1));
        assert_eq!(status, 200, "{json}");
        refresh = json["refresh_token"].as_str().unwrap().to_owned();
        accesses.push(json["access_token"].as_str().unwrap().to_owned());
    }
    // The grant holds two live access tokens: the newest two.
    let live: Vec<bool> = accesses
        .iter()
        .map(|token| f.server.validate(token, at(2)).is_ok())
        .collect();
    assert_eq!(live.iter().filter(|ok| **ok).count(), 2);
    assert!(live[999] && live[1000]);
    assert_eq!(f.server.store().live().grants, 1);
    // Every other grant still gets tokens.
    let (code, verifier) = f.spa_code(2, at(2));
    assert_eq!(f.redeem_spa(&code, &verifier, at(2)).0, 200);
}

#[test]
fn attack_3_a_failed_issuance_changes_nothing_and_the_code_stays_redeemable() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    let (code, verifier) = code_for(&mut f, "user-1", 1, 0);
    let before = f.server.store().live();
    let body = exchange_body(&f, &code, &verifier);
    let mut buf = [0u8; 1024];
    let response = f
        .server
        .token(&form(&body), at(1), &mut FailingRng, &mut buf)
        .unwrap();
    assert_eq!(response.status, 500, "{}", response.body);
    assert!(response.body.contains("server_error"));
    assert_eq!(f.server.store().live(), before, "no slot taken");
    let (status, json, _) = f.token_form(&body, None, at(2));
    assert_eq!(status, 200, "the code is still live: {json}");

    // A failing RNG at refresh leaves the refresh token current.
    let refresh = json["refresh_token"].as_str().unwrap().to_owned();
    let body = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={}",
        enc(&refresh),
        enc(&f.spa)
    );
    let response = f
        .server
        .token(&form(&body), at(3), &mut FailingRng, &mut buf)
        .unwrap();
    assert_eq!(response.status, 500);
    assert_eq!(f.refresh_spa(&refresh, None, at(4)).0, 200);
}

#[test]
fn attack_3_a_full_index_or_grant_quota_leaves_the_code_live_and_no_slot_taken() {
    // 8 key slots hold 7 keys: three grants. The quota is set above that, so the index
    // itself runs out.
    let config = ServerConfig::new(Profile::Rfc)
        .with_quotas(Quotas {
            grants_per_app: Some(100),
            ..Quotas::default()
        })
        .unwrap();
    let mut server: Box<Server<MemoryStore<InlineStorage<16, 16, 8>>>> =
        Box::new(Server::new(config, InlineStorage::new()));
    let mut rng = rng();
    let app = server
        .registry_mut()
        .create(
            &AppSpec::new("x", AppKind::SinglePage, &[SPA_REDIRECT]),
            &mut rng,
        )
        .unwrap();
    let mut grant = |server: &mut Server<MemoryStore<InlineStorage<16, 16, 8>>>, seed: u64| {
        let (verifier, challenge) = pkce(seed);
        let query = authorize_query(&app.client_id, SPA_REDIRECT, &challenge);
        let mut buf = [0u8; 1024];
        let redirect = server
            .authorize(query.as_bytes(), "u", at(0), &mut rng, &mut buf)
            .unwrap();
        let code = location_params(redirect.location)["code"].clone();
        let body = format!(
            "grant_type=authorization_code&code={code}&redirect_uri={}&client_id={}&code_verifier={}",
            enc(SPA_REDIRECT),
            app.client_id,
            verifier.as_str()
        );
        let mut out = [0u8; 1024];
        let status = server
            .token(&form(&body), at(1), &mut rng, &mut out)
            .unwrap()
            .status;
        (status, body)
    };
    for seed in 0..3 {
        assert_eq!(grant(&mut server, seed).0, 200);
    }
    let before = server.store().live();
    let (status, body) = grant(&mut server, 100);
    assert_eq!(status, 503);
    let after = server.store().live();
    assert_eq!((after.grants, after.keys), (before.grants, before.keys));
    assert_eq!(after.codes, before.codes + 1, "the code is still pending");
    // Once a grant ends, the same code is redeemed.
    assert_eq!(server.revoke_subject("u").unwrap(), 3);
    let mut out = [0u8; 1024];
    let response = server
        .token(&form(&body), at(2), &mut rng, &mut out)
        .unwrap();
    assert_eq!(response.status, 200, "{}", response.body);
}

#[test]
fn attack_4_one_app_cannot_take_another_apps_codes_or_grants() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    // The SPA fills its code quota (11) with distinct users…
    for seed in 0..11 {
        let (code, _) = code_for(&mut f, &format!("user-{seed}"), seed, 0);
        assert!(!code.is_empty());
    }
    let (code, description) = code_for(&mut f, "user-99", 99, 0);
    assert!(
        code.is_empty() && description.contains("quota"),
        "{description}"
    );
    // …and the web app is not affected.
    let web = f.web.clone();
    let query = format!(
        "response_type=code&client_id={web}&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
        enc(WEB_REDIRECT),
        pkce(5).1
    );
    let mut buf = [0u8; 1024];
    let redirect = f
        .server
        .authorize(query.as_bytes(), "user-1", at(0), &mut f.rng, &mut buf)
        .unwrap();
    assert_eq!(redirect.error, None, "{}", redirect.location);
}

#[test]
fn attack_4_one_user_cannot_take_the_code_table() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    let mut codes = Vec::new();
    for seed in 0..8 {
        codes.push(code_for(&mut f, "mallory", seed, seed));
    }
    // A ninth code for the same app replaces the pair's oldest one.
    let ninth = code_for(&mut f, "mallory", 8, 8);
    assert!(!ninth.0.is_empty());
    assert_eq!(f.server.store().live().codes, 8);
    let (status, json, _) = f.token_form(&exchange_body(&f, &codes[0].0, &codes[0].1), None, at(9));
    assert_eq!(
        (status, error_of(&json)),
        (400, "invalid_grant"),
        "the oldest is gone"
    );
    let (status, _, _) = f.token_form(&exchange_body(&f, &codes[1].0, &codes[1].1), None, at(9));
    assert_eq!(status, 200, "the others stay");
    // For another app the subject is refused: its share is full.
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
        f.web,
        enc(WEB_REDIRECT),
        pkce(5).1
    );
    let mut buf = [0u8; 1024];
    // Seven of mallory's eight codes are pending.
    let redirect = f
        .server
        .authorize(query.as_bytes(), "mallory", at(9), &mut f.rng, &mut buf)
        .unwrap();
    assert_eq!(redirect.error, None, "7 pending: room for one more");
    let redirect = f
        .server
        .authorize(query.as_bytes(), "mallory", at(9), &mut f.rng, &mut buf)
        .unwrap();
    assert_eq!(redirect.error, None, "replaces the web app's own oldest");
    let spa = f.spa.clone();
    let spa_query = authorize_query(&spa, SPA_REDIRECT, &pkce(6).1);
    let redirect = f
        .server
        .authorize(spa_query.as_bytes(), "alice", at(9), &mut f.rng, &mut buf)
        .unwrap();
    assert_eq!(redirect.error, None, "other users are not affected");
}

#[test]
fn attack_4_a_subject_at_its_cap_is_refused_for_an_app_it_has_no_code_for() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    for seed in 0..8 {
        code_for(&mut f, "mallory", seed, 0);
    }
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
        f.web,
        enc(WEB_REDIRECT),
        pkce(5).1
    );
    let mut buf = [0u8; 1024];
    let redirect = f
        .server
        .authorize(query.as_bytes(), "mallory", at(1), &mut f.rng, &mut buf)
        .unwrap();
    assert_eq!(
        redirect.error,
        Some(authcode::client::ErrorCode::TemporarilyUnavailable)
    );
    assert!(redirect.location.contains("user"), "{}", redirect.location);
}

#[test]
fn attack_5_a_code_replayed_after_its_lifetime_still_revokes_its_tokens() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    let (code, verifier) = f.spa_code(1, at(0));
    let (status, json) = f.redeem_spa(&code, &verifier, at(1));
    assert_eq!(status, 200);
    let access = json["access_token"].as_str().unwrap().to_owned();
    let refresh = json["refresh_token"].as_str().unwrap().to_owned();
    // The code lifetime is 600 s; the replay comes much later.
    let (status, json) = f.redeem_spa(&code, &verifier, at(3000));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
    assert!(
        json["error_description"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );
    assert_eq!(f.server.validate(&access, at(3001)), Err(InvalidToken));
    assert_eq!(f.refresh_spa(&refresh, None, at(3001)).0, 400);
}

// --- Quotas, caps and the grace window ------------------------------------------------

#[test]
fn a_grant_holds_two_live_access_tokens_by_default_and_the_cap_is_configurable() {
    for cap in [1u8, 2, 4] {
        let mut f = fixture_with(Profile::Rfc, rotating());
        let config = f
            .server
            .config()
            .clone()
            .with_access_tokens_per_grant(cap)
            .unwrap();
        f.server.set_config(config);
        let (first, mut refresh) = f.spa_tokens(1, at(0));
        let mut accesses = vec![first];
        for step in 1..=5 {
            let (_, json) = f.refresh_spa(&refresh, None, at(step));
            refresh = json["refresh_token"].as_str().unwrap().to_owned();
            accesses.push(json["access_token"].as_str().unwrap().to_owned());
        }
        let live: Vec<usize> = (0..accesses.len())
            .filter(|&i| f.server.validate(&accesses[i], at(6)).is_ok())
            .collect();
        let expected: Vec<usize> = (6 - usize::from(cap)..6).collect();
        assert_eq!(live, expected, "cap {cap}");
    }
    assert!(
        ServerConfig::new(Profile::Rfc)
            .with_access_tokens_per_grant(0)
            .is_err()
    );
    assert!(
        ServerConfig::new(Profile::Rfc)
            .with_access_tokens_per_grant(5)
            .is_err()
    );
}

#[test]
fn the_grace_window_gives_a_just_rotated_token_one_more_pair() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    let config = f.server.config().clone().with_refresh_grace(30).unwrap();
    f.server.set_config(config);
    let (_, r1) = f.spa_tokens(1, at(0));
    let (_, json) = f.refresh_spa(&r1, None, at(10));
    let r2 = json["refresh_token"].as_str().unwrap().to_owned();
    // The response was lost; the client retries with R1 within 30 s.
    let (status, json) = f.refresh_spa(&r1, None, at(20));
    assert_eq!(status, 200, "{json}");
    let (a3, r3) = (
        json["access_token"].as_str().unwrap().to_owned(),
        json["refresh_token"].as_str().unwrap().to_owned(),
    );
    assert!(f.server.validate(&a3, at(21)).is_ok(), "same grant, live");
    // Only once: R1 again (or R2, rotated out by the grace exchange) is reuse.
    assert_eq!(f.refresh_spa(&r1, None, at(22)).0, 400);
    assert_eq!(
        error_of(&f.refresh_spa(&r3, None, at(23)).1),
        "invalid_grant"
    );
    drop(r2);

    // Outside the window it is reuse at once.
    let mut f = fixture_with(Profile::Rfc, rotating());
    let config = f.server.config().clone().with_refresh_grace(30).unwrap();
    f.server.set_config(config);
    let (_, r1) = f.spa_tokens(1, at(0));
    let (_, json) = f.refresh_spa(&r1, None, at(10));
    let r2 = json["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(f.refresh_spa(&r1, None, at(40)).0, 400);
    assert_eq!(
        f.refresh_spa(&r2, None, at(41)).0,
        400,
        "the grant is revoked"
    );
    assert!(
        ServerConfig::new(Profile::Rfc)
            .with_refresh_grace(61)
            .is_err()
    );
}

#[test]
fn the_grace_window_is_off_by_default() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    let (_, r1) = f.spa_tokens(1, at(0));
    let (_, json) = f.refresh_spa(&r1, None, at(10));
    let r2 = json["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(f.refresh_spa(&r1, None, at(11)).0, 400);
    assert_eq!(f.refresh_spa(&r2, None, at(12)).0, 400);
}

#[test]
fn after_every_lifetime_a_purge_leaves_every_table_empty() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    for seed in 0..5 {
        let (_, refresh) = f.spa_tokens(seed, at(0));
        f.refresh_spa(&refresh, None, at(5));
        code_for(&mut f, &format!("pending-{seed}"), 100 + seed, 0);
    }
    let live = f.server.store().live();
    assert!(
        live.codes == 5 && live.grants == 5 && live.keys == 10,
        "{live:?}"
    );
    f.server.purge_expired(at(20_000)).unwrap();
    assert_eq!(f.server.store().live(), Default::default());
    let spa = f.spa.clone();
    assert_eq!(f.server.usage(&spa).unwrap(), Default::default());
}

// --- Mass revocation and app deletion -------------------------------------------------

#[test]
fn signing_a_subject_out_everywhere_ends_its_grants_in_every_app() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    let (spa_access, _) = f.spa_tokens(1, at(0));
    let (other_code, other_verifier) = code_for(&mut f, "user-2", 2, 0);
    let (status, json, _) = f.token_form(
        &exchange_body(&f, &other_code, &other_verifier),
        None,
        at(0),
    );
    assert_eq!(status, 200);
    let other_access = json["access_token"].as_str().unwrap().to_owned();
    // A web-app grant of user-1 too.
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
        f.web,
        enc(WEB_REDIRECT),
        pkce(3).1
    );
    let mut buf = [0u8; 1024];
    let redirect = f
        .server
        .authorize(query.as_bytes(), "user-1", at(0), &mut f.rng, &mut buf)
        .unwrap();
    let code = location_params(redirect.location)["code"].clone();
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&client_secret={}&code_verifier={}",
        enc(&code),
        enc(WEB_REDIRECT),
        f.web,
        enc(&f.web_secret),
        pkce(3).0.as_str()
    );
    let (status, json, _) = f.token_form(&body, None, at(0));
    assert_eq!(status, 200, "{json}");
    let web_access = json["access_token"].as_str().unwrap().to_owned();

    assert_eq!(f.server.revoke_subject("user-1").unwrap(), 2);
    assert!(f.server.validate(&spa_access, at(1)).is_err());
    assert!(f.server.validate(&web_access, at(1)).is_err());
    assert!(f.server.validate(&other_access, at(1)).is_ok());
    assert_eq!(f.server.revoke_subject("nobody").unwrap(), 0);
}

#[test]
fn ending_an_apps_grants_and_deleting_it_frees_its_share() {
    let mut f = fixture_with(Profile::Rfc, rotating());
    let (access, _) = f.spa_tokens(1, at(0));
    f.spa_tokens(2, at(0));
    let spa = f.spa.clone();
    assert_eq!(f.server.usage(&spa).unwrap().grants, 2);
    assert_eq!(f.server.revoke_app_grants(&spa).unwrap(), 2);
    assert!(f.server.validate(&access, at(1)).is_err());
    assert_eq!(f.server.usage(&spa).unwrap().grants, 0);
    f.spa_tokens(3, at(2));
    f.server.delete_app(&spa).unwrap();
    assert_eq!(f.server.store().live().grants, 0);
    assert_eq!(f.server.revoke_app_grants(&spa), Err(AppError::UnknownApp));
    assert_eq!(f.server.delete_app(&spa), Err(AppError::UnknownApp));
}

// --- Client secrets -------------------------------------------------------------------

fn web_auth_status(f: &mut Fixture, secret: &str, now: u64) -> u16 {
    let body = format!(
        "token=unknown&client_id={}&client_secret={}",
        f.web,
        enc(secret)
    );
    let mut buf = [0u8; 1024];
    f.server
        .revoke(&form(&body), at(now), &mut buf)
        .unwrap()
        .status
}

#[test]
fn a_web_app_holds_two_secrets_each_with_its_last_use() {
    let mut f = fixture();
    let web = f.web.clone();
    let old = f.web_secret.clone();
    let (slot, second) = f
        .server
        .registry_mut()
        .add_secret(&web, at(0), &mut f.rng)
        .unwrap();
    assert_eq!(slot, 1);
    assert_eq!(web_auth_status(&mut f, &old, 5), 200);
    assert_eq!(web_auth_status(&mut f, second.as_str(), 7), 200);
    let secrets: Vec<_> = f.server.registry().get(&web).unwrap().secrets().collect();
    assert_eq!(secrets.len(), 2);
    assert_eq!(secrets[0].last_used_at, Some(at(5)));
    assert_eq!(secrets[1].last_used_at, Some(at(7)));
    assert_eq!(secrets[1].created_at, Some(at(0)));
    assert_eq!(
        f.server
            .registry_mut()
            .add_secret(&web, at(8), &mut f.rng)
            .map(|_| ()),
        Err(AppError::TooManySecrets)
    );
    f.server
        .registry_mut()
        .delete_secret(&web, 0, at(9))
        .unwrap();
    assert_eq!(web_auth_status(&mut f, &old, 10), 401);
    assert_eq!(web_auth_status(&mut f, second.as_str(), 10), 200);
    assert_eq!(
        f.server.registry_mut().delete_secret(&web, 1, at(11)),
        Err(AppError::LastSecret)
    );
    assert_eq!(
        f.server.registry_mut().delete_secret(&web, 0, at(11)),
        Err(AppError::UnknownSecret)
    );
    let spa = f.spa.clone();
    assert_eq!(
        f.server
            .registry_mut()
            .add_secret(&spa, at(0), &mut f.rng)
            .map(|_| ()),
        Err(AppError::NotConfidential)
    );
}

#[test]
fn a_rotated_secret_overlaps_for_a_while_and_can_end_the_grants() {
    let mut f = fixture();
    let web = f.web.clone();
    let old = f.web_secret.clone();
    let new = f
        .server
        .rotate_secret(
            &web,
            SecretRotation {
                overlap: 60,
                end_grants: false,
            },
            at(0),
            &mut f.rng,
        )
        .unwrap();
    assert_eq!(web_auth_status(&mut f, &old, 59), 200, "within the overlap");
    assert_eq!(web_auth_status(&mut f, &old, 60), 401, "after it");
    assert_eq!(web_auth_status(&mut f, new.as_str(), 60), 200);
    // Without overlap the old secret stops at once; `end_grants` ends the app's grants.
    let spa_access = f.spa_tokens(1, at(61)).0;
    let newer = f
        .server
        .rotate_secret(
            &web,
            SecretRotation {
                overlap: 0,
                end_grants: true,
            },
            at(62),
            &mut f.rng,
        )
        .unwrap();
    assert_eq!(web_auth_status(&mut f, new.as_str(), 62), 401);
    assert_eq!(web_auth_status(&mut f, newer.as_str(), 62), 200);
    assert!(
        f.server.validate(&spa_access, at(63)).is_ok(),
        "other apps keep theirs"
    );
    assert_eq!(
        f.server
            .rotate_secret(
                &web,
                SecretRotation {
                    overlap: 86_401,
                    end_grants: false
                },
                at(64),
                &mut f.rng
            )
            .map(|_| ()),
        Err(AppError::InvalidOverlap)
    );
}
