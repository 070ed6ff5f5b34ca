//! Refresh tokens, validation, revocation and the registry, one test per rule.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod server_common;

use authcode::profile::Profile;
use authcode::server::{AppError, AppKind, AppSpec, InvalidToken, RefreshPolicy, TokenRequest};
use server_common::*;

fn policy(rotation: bool, absolute: Option<u64>, inactivity: Option<u64>) -> RefreshPolicy {
    RefreshPolicy {
        rotation,
        absolute_lifetime: absolute,
        inactivity_lifetime: inactivity,
    }
}

#[test]
fn with_rotation_every_refresh_issues_a_new_refresh_token() {
    let mut f = fixture_with(Profile::Rfc, policy(true, None, None));
    let (_, refresh) = f.spa_tokens(1, at(0));
    let (status, json) = f.refresh_spa(&refresh, None, at(10));
    assert_eq!(status, 200, "{json}");
    let rotated = json["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, refresh);
    assert!(
        f.server
            .validate(json["access_token"].as_str().unwrap(), at(11))
            .is_ok()
    );
    let (status, _) = f.refresh_spa(&rotated, None, at(20));
    assert_eq!(status, 200);
}

#[test]
fn a_rotated_out_refresh_token_revokes_the_whole_grant() {
    let mut f = fixture_with(Profile::Rfc, policy(true, None, None));
    let (_, refresh) = f.spa_tokens(1, at(0));
    let (_, json) = f.refresh_spa(&refresh, None, at(10));
    let rotated = json["refresh_token"].as_str().unwrap().to_owned();
    let access = json["access_token"].as_str().unwrap().to_owned();
    // The old token comes back: a copy is in someone else's hands (RFC 9700 §4.14.2).
    let (status, json) = f.refresh_spa(&refresh, None, at(20));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
    assert_eq!(f.server.validate(&access, at(21)), Err(InvalidToken));
    let (status, json) = f.refresh_spa(&rotated, None, at(22));
    assert_eq!(
        (status, error_of(&json)),
        (400, "invalid_grant"),
        "the legitimate holder must sign in again"
    );
}

#[test]
fn without_rotation_the_same_refresh_token_keeps_working() {
    let mut f = fixture_with(Profile::Rfc, policy(false, None, None));
    let (_, refresh) = f.spa_tokens(1, at(0));
    for step in 1..=3 {
        let (status, json) = f.refresh_spa(&refresh, None, at(step * 100));
        assert_eq!(status, 200);
        assert_eq!(json["refresh_token"], refresh.as_str());
    }
}

#[test]
fn the_absolute_lifetime_counts_from_the_grants_start() {
    let mut f = fixture_with(Profile::Rfc, policy(false, Some(1000), None));
    let (_, refresh) = f.spa_tokens(1, at(0));
    assert_eq!(
        f.refresh_spa(&refresh, None, at(500)).0,
        200,
        "use does not extend it"
    );
    assert_eq!(f.refresh_spa(&refresh, None, at(999)).0, 200);
    let (status, json) = f.refresh_spa(&refresh, None, at(1000));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
}

#[test]
fn the_inactivity_lifetime_counts_from_the_last_use() {
    let mut f = fixture_with(Profile::Rfc, policy(true, None, Some(100)));
    let (_, refresh) = f.spa_tokens(1, at(0));
    let (status, json) = f.refresh_spa(&refresh, None, at(99));
    assert_eq!(status, 200);
    let refresh = json["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        f.refresh_spa(&refresh, None, at(198)).0,
        200,
        "99 s after the last use"
    );
    let refresh2 = f.refresh_spa(&refresh, None, at(198));
    assert_eq!(refresh2.0, 400, "rotated out already");

    let mut f = fixture_with(Profile::Rfc, policy(false, None, Some(100)));
    let (_, refresh) = f.spa_tokens(1, at(0));
    let (status, json) = f.refresh_spa(&refresh, None, at(100));
    assert_eq!(
        (status, error_of(&json)),
        (400, "invalid_grant"),
        "100 s of disuse"
    );
}

#[test]
fn scope_may_narrow_on_refresh_never_widen() {
    let mut f = fixture_with(Profile::Rfc, policy(false, None, None));
    let (_, refresh) = f.spa_tokens(1, at(0));
    let (status, json) = f.refresh_spa(&refresh, Some("read"), at(1));
    assert_eq!(status, 200);
    assert_eq!(json["scope"], "read");
    let info = f
        .server
        .validate(json["access_token"].as_str().unwrap(), at(1))
        .unwrap();
    assert_eq!(info.scope.as_str(), "read");
    let (status, json) = f.refresh_spa(&refresh, Some("read admin"), at(2));
    assert_eq!((status, error_of(&json)), (400, "invalid_scope"));
    let (status, json) = f.refresh_spa(&refresh, None, at(3));
    assert_eq!(
        (status, json["scope"].as_str()),
        (200, Some("read write")),
        "the grant keeps its scope"
    );
}

#[test]
fn another_clients_refresh_token_is_invalid_grant() {
    let mut f = fixture();
    let (_, refresh) = f.spa_tokens(1, at(0));
    let body = format!(
        "grant_type=refresh_token&refresh_token={}&client_id={}&client_secret={}",
        enc(&refresh),
        f.web,
        enc(&f.web_secret)
    );
    let (status, json, _) = f.token_form(&body, None, at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
}

#[test]
fn an_access_token_is_not_a_refresh_token() {
    let mut f = fixture();
    let (access, _) = f.spa_tokens(1, at(0));
    let (status, json) = f.refresh_spa(&access, None, at(1));
    assert_eq!((status, error_of(&json)), (400, "invalid_grant"));
}

#[test]
fn access_tokens_expire_after_their_lifetime() {
    let mut f = fixture();
    let (access, _) = f.spa_tokens(1, at(0));
    assert!(f.server.validate(&access, at(3599)).is_ok());
    assert_eq!(f.server.validate(&access, at(3600)), Err(InvalidToken));
    assert_eq!(f.server.validate("unknown", at(0)), Err(InvalidToken));
}

#[test]
fn revoking_a_token_revokes_its_family() {
    for revoke_access in [true, false] {
        let mut f = fixture();
        let (access, refresh) = f.spa_tokens(1, at(0));
        let (other_access, _) = f.spa_tokens(2, at(0));
        let token = if revoke_access { &access } else { &refresh };
        let body = format!("token={}&client_id={}", enc(token), f.spa);
        let request = TokenRequest {
            method: "POST",
            content_type: Some("application/x-www-form-urlencoded"),
            authorization: None,
            body: body.as_bytes(),
        };
        let mut buf = [0u8; 1024];
        let response = f.server.revoke(&request, at(1), &mut buf).unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(f.server.validate(&access, at(1)), Err(InvalidToken));
        assert_eq!(f.refresh_spa(&refresh, None, at(1)).0, 400);
        assert!(
            f.server.validate(&other_access, at(1)).is_ok(),
            "other grants are untouched"
        );
    }
}

#[test]
fn revoking_an_unknown_token_is_fine_and_another_clients_is_refused() {
    let mut f = fixture();
    let (access, _) = f.spa_tokens(1, at(0));
    let mut buf = [0u8; 1024];
    let body = format!("token=unknown&client_id={}", f.spa);
    let request = TokenRequest {
        method: "POST",
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
    };
    assert_eq!(
        f.server.revoke(&request, at(1), &mut buf).unwrap().status,
        200
    );
    let body = format!(
        "token={}&client_id={}&client_secret={}",
        enc(&access),
        f.web,
        enc(&f.web_secret)
    );
    let request = TokenRequest {
        method: "POST",
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
    };
    assert_eq!(
        f.server.revoke(&request, at(1), &mut buf).unwrap().status,
        400
    );
    assert!(f.server.validate(&access, at(1)).is_ok());
    assert!(f.server.revoke_token(&access).unwrap());
    assert!(f.server.validate(&access, at(1)).is_err());
}

#[test]
fn deleting_an_app_invalidates_its_codes_and_tokens() {
    let mut f = fixture();
    let (access, refresh) = f.spa_tokens(1, at(0));
    let (code, verifier) = f.spa_code(2, at(0));
    let spa = f.spa.clone();
    f.server.delete_app(&spa).unwrap();
    assert_eq!(f.server.validate(&access, at(1)), Err(InvalidToken));
    assert_eq!(
        f.refresh_spa(&refresh, None, at(1)).0,
        401,
        "the client itself is unknown now"
    );
    assert_eq!(f.redeem_spa(&code, &verifier, at(1)).0, 401);
}

#[test]
fn a_web_app_secret_is_shown_once_and_kept_as_a_digest() {
    let mut f = fixture();
    let app = f.server.registry().get(&f.web).unwrap().clone();
    let shown = format!("{app:?}");
    assert!(
        !shown.contains(&f.web_secret),
        "the registry never holds the secret itself"
    );
    // Rotation: the new secret works, the old one stops.
    let web = f.web.clone();
    let new_secret = f
        .server
        .registry_mut()
        .rotate_secret(&web, &mut f.rng)
        .unwrap();
    assert_ne!(new_secret.as_str(), f.web_secret);
    let body = |secret: &str| {
        format!(
            "grant_type=refresh_token&refresh_token=x&client_id={web}&client_secret={}",
            enc(secret)
        )
    };
    let old = body(&f.web_secret.clone());
    assert_eq!(
        error_of(&f.token_form(&old, None, at(0)).1),
        "invalid_client"
    );
    let new = body(new_secret.as_str());
    assert_eq!(
        error_of(&f.token_form(&new, None, at(0)).1),
        "invalid_grant",
        "authenticated; the token is unknown"
    );
    let spa = f.spa.clone();
    assert_eq!(
        f.server
            .registry_mut()
            .rotate_secret(&spa, &mut f.rng)
            .map(|_| ()),
        Err(AppError::NotConfidential)
    );
}

#[test]
fn the_workfront_registry_holds_ten_apps() {
    let mut registry =
        authcode::server::Registry::<{ authcode::server::limits::WORKFRONT_MAX_APPS }>::new();
    let mut rng = rng();
    for i in 0..10 {
        let name = format!("app {i}");
        registry
            .create(
                &AppSpec::new(&name, AppKind::SinglePage, &[SPA_REDIRECT]),
                &mut rng,
            )
            .unwrap();
    }
    assert_eq!(
        registry
            .create(
                &AppSpec::new("eleventh", AppKind::SinglePage, &[SPA_REDIRECT]),
                &mut rng
            )
            .map(|_| ()),
        Err(AppError::RegistryFull)
    );
    let first = registry.iter().next().unwrap().client_id().to_owned();
    registry.delete(&first).unwrap();
    assert!(
        registry
            .create(
                &AppSpec::new("again", AppKind::SinglePage, &[SPA_REDIRECT]),
                &mut rng
            )
            .is_ok()
    );
    assert_eq!(registry.len(), 10);
}

#[test]
fn client_ids_are_random_and_url_safe() {
    let f = fixture();
    for id in [&f.spa, &f.web] {
        assert_eq!(id.len(), 32);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
    assert_ne!(f.spa, f.web);
}

#[test]
fn app_specs_are_checked() {
    let mut f = fixture();
    let cases: [(AppSpec<'_>, AppError); 7] = [
        (
            AppSpec::new("", AppKind::SinglePage, &[SPA_REDIRECT]),
            AppError::InvalidName,
        ),
        (
            AppSpec::new("x", AppKind::SinglePage, &[]),
            AppError::NoRedirectUri,
        ),
        (
            AppSpec::new("x", AppKind::WebApp, &["http://web.example.com/cb"]),
            AppError::InvalidRedirectUri { index: 0 },
        ),
        (
            AppSpec::new("x", AppKind::WebApp, &[SPA_REDIRECT, "javascript:alert(1)"]),
            AppError::InvalidRedirectUri { index: 1 },
        ),
        (
            AppSpec {
                public_keys: &[""],
                ..AppSpec::new("x", AppKind::MachineToMachine, &[])
            },
            AppError::InvalidPublicKeys,
        ),
        (
            AppSpec {
                scope: "a  b",
                ..AppSpec::new("x", AppKind::MachineToMachine, &[])
            },
            AppError::InvalidScope,
        ),
        (
            AppSpec {
                client_credentials: true,
                ..AppSpec::new("x", AppKind::SinglePage, &[SPA_REDIRECT])
            },
            AppError::NotConfidential,
        ),
    ];
    for (spec, error) in cases {
        assert_eq!(
            f.server
                .registry_mut()
                .create(&spec, &mut f.rng)
                .map(|_| ()),
            Err(error)
        );
    }
    let too_many = [SPA_REDIRECT; 5];
    assert_eq!(
        f.server
            .registry_mut()
            .create(
                &AppSpec::new("x", AppKind::SinglePage, &too_many),
                &mut f.rng
            )
            .map(|_| ()),
        Err(AppError::TooManyRedirectUris)
    );
}

#[test]
fn update_changes_settings_but_not_the_kind() {
    let mut f = fixture();
    let spa = f.spa.clone();
    let mut spec = AppSpec::new(
        "Renamed",
        AppKind::SinglePage,
        &["https://new.example.com/cb"],
    );
    spec.refresh = policy(false, Some(10), None);
    f.server.registry_mut().update(&spa, &spec).unwrap();
    let app = f.server.registry().get(&spa).unwrap();
    assert_eq!(app.name(), "Renamed");
    assert!(app.matches_redirect_uri("https://new.example.com/cb"));
    assert!(!app.matches_redirect_uri(SPA_REDIRECT));
    assert!(!app.refresh_policy().rotation);
    let spec = AppSpec::new("x", AppKind::WebApp, &[SPA_REDIRECT]);
    assert!(f.server.registry_mut().update(&spa, &spec).is_err());
    assert_eq!(
        f.server.registry_mut().update("nobody", &spec),
        Err(AppError::UnknownApp)
    );
}

#[test]
fn an_app_at_its_grant_quota_is_temporarily_unavailable_until_its_grants_end() {
    let mut f = fixture_with(Profile::Rfc, policy(false, Some(5000), None));
    // 128 grant slots shared by 10 app slots: 12 grants per app.
    for seed in 0..12 {
        let (code, verifier) = f.spa_code(seed, at(0));
        assert_eq!(f.redeem_spa(&code, &verifier, at(0)).0, 200, "grant {seed}");
    }
    let (code, verifier) = f.spa_code(500, at(0));
    let (status, json) = f.redeem_spa(&code, &verifier, at(1));
    assert_eq!((status, error_of(&json)), (503, "temporarily_unavailable"));
    assert!(
        json["error_description"]
            .as_str()
            .unwrap()
            .contains("quota")
    );
    // The failed exchange leaves the code usable; once the old grants' refresh lifetime
    // and access tokens are over, their slots are reused.
    let (status, json) = f.redeem_spa(&code, &verifier, at(2));
    assert_eq!(status, 503, "{json}");
    let (code, verifier) = f.spa_code(501, at(5000));
    let (status, json) = f.redeem_spa(&code, &verifier, at(5000));
    assert_eq!(status, 200, "{json}");
}

#[test]
fn reuse_of_any_rotated_out_refresh_token_revokes_the_grant() {
    for depth in 1..=5usize {
        let mut f = fixture_with(Profile::Rfc, policy(true, None, None));
        let (access, first) = f.spa_tokens(1, at(0));
        let mut current = first.clone();
        for step in 0..depth {
            let (status, json) = f.refresh_spa(&current, None, at(10 + step as u64));
            assert_eq!(status, 200, "{json}");
            current = json["refresh_token"].as_str().unwrap().to_owned();
        }
        let (status, json) = f.refresh_spa(&first, None, at(100));
        assert_eq!(
            (status, error_of(&json)),
            (400, "invalid_grant"),
            "depth {depth}"
        );
        assert!(
            json["error_description"]
                .as_str()
                .unwrap()
                .contains("reuse")
        );
        assert_eq!(
            error_of(&f.refresh_spa(&current, None, at(101)).1),
            "invalid_grant",
            "depth {depth}: the newest token of the grant is dead too"
        );
        assert_eq!(f.server.validate(&access, at(101)), Err(InvalidToken));
    }
}

#[test]
fn a_long_lived_rotating_grant_stays_one_grant() {
    let mut f = fixture_with(Profile::Rfc, policy(true, None, None));
    let (_, mut refresh) = f.spa_tokens(1, at(0));
    for step in 1..=300u64 {
        let (status, json) = f.refresh_spa(&refresh, None, at(step * 7200));
        assert_eq!(status, 200, "step {step}: {json}");
        refresh = json["refresh_token"].as_str().unwrap().to_owned();
        f.server.purge_expired(at(step * 7200)).unwrap();
        let live = f.server.store().live();
        assert_eq!((live.grants, live.keys), (1, 2), "step {step}");
    }
}

#[test]
fn a_public_client_may_send_basic_with_an_empty_secret() {
    let mut f = fixture();
    let (code, verifier) = f.spa_code(1, at(0));
    let credentials = base64_basic(&f.spa.clone(), "");
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={}",
        enc(&code),
        enc(SPA_REDIRECT),
        verifier.as_str()
    );
    let (status, json, _) = f.token_form(&body, Some(&credentials), at(1));
    assert_eq!(status, 200, "{json}");
}

fn base64_basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

#[test]
fn an_app_can_be_imported_under_a_chosen_client_id() {
    let mut f = fixture();
    let spec = AppSpec::new("Imported", AppKind::SinglePage, &[SPA_REDIRECT]);
    let created = f
        .server
        .registry_mut()
        .create_with_client_id(&spec, "legacy-app.1", &mut f.rng)
        .unwrap();
    assert_eq!(created.client_id.as_str(), "legacy-app.1");
    for bad in ["", "has space", "legacy-app.1", &"x".repeat(33)] {
        assert_eq!(
            f.server
                .registry_mut()
                .create_with_client_id(&spec, bad, &mut f.rng)
                .map(|_| ()),
            Err(AppError::InvalidClientId),
            "{bad:?}"
        );
    }
}

#[test]
fn revoking_with_an_expired_refresh_token_still_ends_the_grant() {
    let mut f = fixture_with(Profile::Rfc, policy(true, Some(30), None));
    let (access, refresh) = f.spa_tokens(1, at(0));
    // The refresh token has expired (30 s); the access token lives until 3600 s. A purge
    // must not forget the refresh token while the grant's access tokens live.
    f.server.purge_expired(at(43)).unwrap();
    assert!(f.server.revoke_token(&refresh).unwrap(), "still known");
    assert_eq!(f.server.validate(&access, at(44)), Err(InvalidToken));
}
