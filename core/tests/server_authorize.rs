//! The authorization endpoint, one test per rule.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod server_common;

use authcode::client::ErrorCode;
use authcode::profile::Profile;
use authcode::server::{AppKind, AppSpec, AuthorizeError, RefreshPolicy, ServerConfig};
use server_common::*;

fn authorize(f: &mut Fixture, query: &str) -> Result<(String, Option<ErrorCode>), AuthorizeError> {
    let mut buf = [0u8; 2048];
    f.server
        .authorize(query.as_bytes(), "user-1", at(0), &mut f.rng, &mut buf)
        .map(|redirect| (redirect.location.to_owned(), redirect.error))
}

fn redirected_error(
    f: &mut Fixture,
    query: &str,
) -> (ErrorCode, std::collections::BTreeMap<String, String>) {
    let (location, error) = authorize(f, query).unwrap();
    let params = location_params(&location);
    assert!(!params.contains_key("code"), "{location}");
    assert_eq!(params["error"], error.unwrap().as_str());
    (error.unwrap(), params)
}

#[test]
fn a_valid_request_redirects_with_code_and_state() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let (location, error) = {
        let q = authorize_query(&f.spa, SPA_REDIRECT, &challenge);
        authorize(&mut f, &q)
    }
    .unwrap();
    assert_eq!(error, None);
    assert!(location.starts_with("https://spa.example.com/callback?code="));
    let params = location_params(&location);
    assert_eq!(params["code"].len(), 43, "256-bit code");
    assert_eq!(params["state"], "xyz");
    assert!(!params.contains_key("iss"));
}

#[test]
fn iss_is_added_when_an_issuer_is_configured() {
    let mut f = fixture();
    let config = ServerConfig::new(Profile::Rfc)
        .with_issuer("https://as.example.com")
        .unwrap();
    let mut server: Box<
        authcode::server::Server<
            authcode::server::MemoryStore<authcode::server::InlineStorage<8, 8, 8>>,
        >,
    > = Box::new(authcode::server::Server::new(
        config,
        authcode::server::InlineStorage::new(),
    ));
    let spa = server
        .registry_mut()
        .create(
            &AppSpec::new("x", AppKind::SinglePage, &[SPA_REDIRECT]),
            &mut f.rng,
        )
        .unwrap();
    let (_, challenge) = pkce(1);
    let mut buf = [0u8; 1024];
    let query = authorize_query(&spa.client_id, SPA_REDIRECT, &challenge);
    let redirect = server
        .authorize(query.as_bytes(), "u", at(0), &mut f.rng, &mut buf)
        .unwrap();
    assert_eq!(
        location_params(redirect.location)["iss"],
        "https://as.example.com"
    );
}

#[test]
fn workfront_redirect_carries_domain_and_lane() {
    let mut f = fixture_with(Profile::Workfront, RefreshPolicy::default());
    let (_, challenge) = pkce(1);
    let (location, _) = {
        let q = authorize_query(&f.spa, SPA_REDIRECT, &challenge);
        authorize(&mut f, &q)
    }
    .unwrap();
    let params = location_params(&location);
    assert_eq!(params["domain"], "acme.my.workfront.com");
    assert_eq!(params["lane"], "lane-1");
}

#[test]
fn unknown_client_is_shown_not_redirected() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    assert_eq!(
        authorize(&mut f, &authorize_query("nobody", SPA_REDIRECT, &challenge)),
        Err(AuthorizeError::UnknownClient)
    );
    assert_eq!(
        authorize(&mut f, "response_type=code"),
        Err(AuthorizeError::MissingClientId)
    );
    let spa = f.spa.clone();
    assert_eq!(
        authorize(
            &mut f,
            &format!(
                "client_id={spa}&client_id={spa}&redirect_uri={}",
                enc(SPA_REDIRECT)
            )
        ),
        Err(AuthorizeError::MissingClientId)
    );
}

#[test]
fn unregistered_redirect_uri_is_shown_not_redirected() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let spa = f.spa.clone();
    for bad in [
        "https://evil.example.com/callback",
        "https://spa.example.com/callback/x",
        "https://spa.example.com/callback?a=1",
    ] {
        assert_eq!(
            authorize(&mut f, &authorize_query(&spa, bad, &challenge)),
            Err(AuthorizeError::InvalidRedirectUri),
            "{bad}"
        );
    }
    // The SPA has two registered URIs, so one must be named.
    let query = format!(
        "response_type=code&client_id={spa}&code_challenge={challenge}&code_challenge_method=S256"
    );
    assert_eq!(
        authorize(&mut f, &query),
        Err(AuthorizeError::InvalidRedirectUri)
    );
}

#[test]
fn the_only_registered_redirect_uri_is_used_when_none_is_given() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let web = f.web.clone();
    let query = format!(
        "response_type=code&client_id={web}&code_challenge={challenge}&code_challenge_method=S256"
    );
    let (location, error) = authorize(&mut f, &query).unwrap();
    assert_eq!(error, None);
    assert!(location.starts_with(WEB_REDIRECT));
}

#[test]
fn loopback_redirect_uri_matches_any_port() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let (location, error) = {
        let q = authorize_query(&f.spa, "http://127.0.0.1:49152/cb", &challenge);
        authorize(&mut f, &q)
    }
    .unwrap();
    assert_eq!(error, None);
    assert!(location.starts_with("http://127.0.0.1:49152/cb?code="));
}

#[test]
fn response_type_must_be_code() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let query = authorize_query(&f.spa.clone(), SPA_REDIRECT, &challenge)
        .replace("response_type=code", "response_type=token");
    let (error, params) = redirected_error(&mut f, &query);
    assert_eq!(error, ErrorCode::UnsupportedResponseType);
    assert_eq!(params["state"], "xyz", "state is echoed on errors too");
    let query = authorize_query(&f.spa.clone(), SPA_REDIRECT, &challenge)
        .replace("response_type=code&", "");
    assert_eq!(
        redirected_error(&mut f, &query).0,
        ErrorCode::InvalidRequest
    );
}

#[test]
fn pkce_is_required_for_public_apps() {
    let mut f = fixture();
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&state=s",
        f.spa,
        enc(SPA_REDIRECT)
    );
    let (error, params) = redirected_error(&mut f, &query);
    assert_eq!(error, ErrorCode::InvalidRequest);
    assert!(params["error_description"].contains("code_challenge"));
}

#[test]
fn pkce_is_required_for_web_apps_by_default_and_can_be_relaxed() {
    let mut f = fixture();
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}",
        f.web,
        enc(WEB_REDIRECT)
    );
    assert_eq!(
        redirected_error(&mut f, &query).0,
        ErrorCode::InvalidRequest
    );

    let mut spec = AppSpec::new("Legacy", AppKind::WebApp, &[WEB_REDIRECT]);
    spec.require_pkce = false;
    let legacy = f.server.registry_mut().create(&spec, &mut f.rng).unwrap();
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}",
        legacy.client_id,
        enc(WEB_REDIRECT)
    );
    assert_eq!(authorize(&mut f, &query).unwrap().1, None);
    // The switch does not apply to public apps.
    let mut spec = AppSpec::new("Public", AppKind::SinglePage, &[SPA_REDIRECT]);
    spec.require_pkce = false;
    let public = f.server.registry_mut().create(&spec, &mut f.rng).unwrap();
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}",
        public.client_id,
        enc(SPA_REDIRECT)
    );
    assert_eq!(
        redirected_error(&mut f, &query).0,
        ErrorCode::InvalidRequest
    );
}

#[test]
fn plain_pkce_is_refused() {
    let mut f = fixture();
    let (verifier, _) = pkce(1);
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge={}&code_challenge_method=plain",
        f.spa,
        enc(SPA_REDIRECT),
        verifier.as_str()
    );
    let (error, params) = redirected_error(&mut f, &query);
    assert_eq!(error, ErrorCode::InvalidRequest);
    assert!(params["error_description"].contains("plain"));
}

#[test]
fn a_challenge_without_a_method_is_refused() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge={challenge}",
        f.spa,
        enc(SPA_REDIRECT)
    );
    assert_eq!(
        redirected_error(&mut f, &query).0,
        ErrorCode::InvalidRequest
    );
}

#[test]
fn a_method_without_a_challenge_is_refused() {
    let mut f = fixture();
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge_method=S256",
        f.spa,
        enc(SPA_REDIRECT)
    );
    assert_eq!(
        redirected_error(&mut f, &query).0,
        ErrorCode::InvalidRequest
    );
}

#[test]
fn a_malformed_challenge_is_refused() {
    let mut f = fixture();
    // Workfront's documented sample challenge: 44 characters.
    let query = authorize_query(
        &f.spa.clone(),
        SPA_REDIRECT,
        "wzgjYF9qEiWep-CwqgrTE78-2ghjwCtRO3vj23o4W_fw",
    );
    assert_eq!(
        redirected_error(&mut f, &query).0,
        ErrorCode::InvalidRequest
    );
    let query = authorize_query(&f.spa.clone(), SPA_REDIRECT, "not-a-challenge");
    assert_eq!(
        redirected_error(&mut f, &query).0,
        ErrorCode::InvalidRequest
    );
}

#[test]
fn a_repeated_parameter_is_invalid_request() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let query = authorize_query(&f.spa.clone(), SPA_REDIRECT, &challenge) + "&scope=admin";
    assert_eq!(
        redirected_error(&mut f, &query).0,
        ErrorCode::InvalidRequest
    );
}

#[test]
fn a_malformed_scope_is_invalid_scope() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let query = authorize_query(&f.spa.clone(), SPA_REDIRECT, &challenge)
        .replace("scope=read%20write", "scope=read%20%20write");
    assert_eq!(redirected_error(&mut f, &query).0, ErrorCode::InvalidScope);
}

#[test]
fn machine_to_machine_apps_are_refused_the_code_grant() {
    let mut f = fixture();
    let mut spec = AppSpec::new("Robot", AppKind::MachineToMachine, &[SPA_REDIRECT]);
    spec.public_keys =
        &[r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#];
    let robot = f.server.registry_mut().create(&spec, &mut f.rng).unwrap();
    assert!(
        robot.client_secret.is_some(),
        "machine-to-machine apps authenticate with a secret"
    );
    let (_, challenge) = pkce(1);
    let query = authorize_query(&robot.client_id, SPA_REDIRECT, &challenge);
    assert_eq!(
        redirected_error(&mut f, &query).0,
        ErrorCode::UnauthorizedClient
    );
}

#[test]
fn the_subject_is_checked() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let query = authorize_query(&f.spa.clone(), SPA_REDIRECT, &challenge);
    let mut buf = [0u8; 1024];
    assert_eq!(
        f.server
            .authorize(query.as_bytes(), "", at(0), &mut f.rng, &mut buf)
            .map(|_| ()),
        Err(AuthorizeError::InvalidSubject)
    );
    let long = "u".repeat(65);
    assert_eq!(
        f.server
            .authorize(query.as_bytes(), &long, at(0), &mut f.rng, &mut buf)
            .map(|_| ()),
        Err(AuthorizeError::InvalidSubject)
    );
}

#[test]
fn a_short_buffer_issues_no_code() {
    let mut f = fixture();
    let (_, challenge) = pkce(1);
    let query = authorize_query(&f.spa.clone(), SPA_REDIRECT, &challenge);
    let mut small = [0u8; 20];
    let Err(AuthorizeError::BufferTooSmall(too_small)) =
        f.server
            .authorize(query.as_bytes(), "u", at(0), &mut f.rng, &mut small)
    else {
        panic!("expected BufferTooSmall");
    };
    assert_eq!(f.server.store().live().codes, 0, "no code stored");
    let mut exact = vec![0u8; too_small.needed];
    assert!(
        f.server
            .authorize(query.as_bytes(), "u", at(0), &mut f.rng, &mut exact)
            .is_ok()
    );
}

#[test]
fn deny_redirects_access_denied() {
    let f = fixture();
    let (_, challenge) = pkce(1);
    let query = authorize_query(&f.spa, SPA_REDIRECT, &challenge);
    let mut buf = [0u8; 1024];
    let redirect = f.server.deny(query.as_bytes(), &mut buf).unwrap();
    assert_eq!(redirect.error, Some(ErrorCode::AccessDenied));
    let params = location_params(redirect.location);
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "xyz");
}

#[test]
fn authorize_info_names_the_app_for_the_consent_page() {
    let f = fixture();
    let (_, challenge) = pkce(1);
    let info = f
        .server
        .authorize_info(authorize_query(&f.spa, SPA_REDIRECT, &challenge).as_bytes())
        .unwrap();
    assert_eq!(info.app_name.as_str(), "Single Page");
    assert_eq!(info.scope.as_str(), "read write");
}

#[test]
fn an_app_at_its_code_quota_is_temporarily_unavailable_and_expired_codes_are_reclaimed() {
    let mut f = fixture();
    let spa = f.spa.clone();
    // 128 slots hold at most 112 live codes; 10 app slots: 11 per app.
    let mut buf = [0u8; 1024];
    for seed in 0..11u64 {
        let (_, challenge) = pkce(seed);
        let query = authorize_query(&spa, SPA_REDIRECT, &challenge);
        let subject = format!("user-{seed}");
        let redirect = f
            .server
            .authorize(query.as_bytes(), &subject, at(0), &mut f.rng, &mut buf)
            .unwrap();
        assert_eq!(redirect.error, None);
    }
    let (_, challenge) = pkce(99);
    let query = authorize_query(&spa, SPA_REDIRECT, &challenge);
    let (error, params) = redirected_error(&mut f, &query);
    assert_eq!(error, ErrorCode::TemporarilyUnavailable);
    assert!(params["error_description"].contains("quota"), "{params:?}");
    // After the code lifetime (600 s in the RFC profile), the expired codes make room.
    let redirect = f
        .server
        .authorize(query.as_bytes(), "u", at(600), &mut f.rng, &mut buf)
        .unwrap();
    assert_eq!(redirect.error, None);
}

#[test]
fn adobe_ims_reads_comma_delimited_scopes_and_rfc_does_not() {
    for (profile, granted) in [
        (Profile::AdobeIms, Some("openid AdobeID offline_access")),
        (Profile::Rfc, Some("openid,AdobeID,offline_access")),
    ] {
        let mut f = fixture_with(profile, RefreshPolicy::default());
        let (verifier, challenge) = pkce(1);
        let query = authorize_query(&f.spa.clone(), SPA_REDIRECT, &challenge).replace(
            "scope=read%20write",
            "scope=openid%2CAdobeID%2C%20offline_access",
        );
        let query = if profile == Profile::Rfc {
            query.replace("%2C%20", "%2C")
        } else {
            query
        };
        let mut buf = [0u8; 1024];
        let redirect = f
            .server
            .authorize(query.as_bytes(), "user-1", at(0), &mut f.rng, &mut buf)
            .unwrap();
        assert_eq!(redirect.error, None, "{}", redirect.location);
        let code = location_params(redirect.location)["code"].clone();
        let (status, json) = f.redeem_spa(&code, &verifier, at(1));
        assert_eq!(status, 200, "{json}");
        assert_eq!(json["scope"].as_str(), granted, "{profile:?}");
        // Under IMS a refresh may narrow with commas too.
        if profile == Profile::AdobeIms {
            let refresh = json["refresh_token"].as_str().unwrap().to_owned();
            let (status, json) = f.refresh_spa(&refresh, Some("openid,AdobeID"), at(2));
            assert_eq!(
                (status, json["scope"].as_str()),
                (200, Some("openid AdobeID")),
                "{json}"
            );
        }
    }
}
