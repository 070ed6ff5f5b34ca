//! A third-party Rust client — the `oauth2` crate — runs the code flow with PKCE, a
//! refresh and a resource call against `authcode serve --rfc`.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use authcode::profile::Profile;
use authcode_cli::http;
use authcode_cli::serve::{self, ServeOptions};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, RefreshToken,
    Scope, TokenResponse, TokenUrl,
};
use serde_json::json;

#[test]
fn the_oauth2_crate_completes_a_grant() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(serve::start(
            ServeOptions {
                listen: ([127, 0, 0, 1], 0).into(),
                auto_approve: Some("carol".into()),
                profile: Profile::Rfc,
                ..ServeOptions::default()
            },
            false,
        ))
        .unwrap();
    let base = running.base_url();
    let created = http::post_json(
        &format!("{base}/integrations/oauth2/admin/apps"),
        &[("Authorization", &format!("Bearer {}", running.admin_token))],
        &json!({ "name": "oauth2-rs", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/cb"] }),
    )
    .unwrap();
    let created: serde_json::Value = serde_json::from_slice(&created.body).unwrap();
    let client_id = created["client_id"].as_str().unwrap().to_owned();

    let client = BasicClient::new(ClientId::new(client_id))
        .set_auth_uri(AuthUrl::new(format!("{base}/integrations/oauth2/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(format!("{base}/integrations/oauth2/api/v1/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new("http://127.0.0.1:7000/cb".into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("read".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The "browser": the server approves at once and redirects.
    let (response, location) = http::get(url.as_str(), &[]).unwrap();
    assert_eq!(response.status, 302);
    let location = url::Url::parse(&location.unwrap()).unwrap();
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params["state"], *csrf.secret());
    let code = AuthorizationCode::new(params["code"].clone());

    let http_client = oauth2::ureq::builder().redirects(0).build();
    let token = client
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request(&http_client)
        .unwrap();
    assert_eq!(
        token.scopes().map(|s| s[0].to_string()),
        Some("read".into())
    );
    let refresh = token.refresh_token().unwrap().secret().clone();

    let (api, _) = http::get(
        &format!("{base}/attask/api/v15.0/project/search"),
        &[(
            "Authorization",
            &format!("Bearer {}", token.access_token().secret()),
        )],
    )
    .unwrap();
    assert_eq!(api.status, 200);

    let refreshed = client
        .exchange_refresh_token(&RefreshToken::new(refresh.clone()))
        .request(&http_client)
        .unwrap();
    assert_ne!(
        refreshed.refresh_token().unwrap().secret(),
        &refresh,
        "rotated"
    );
    let (api, _) = http::get(
        &format!("{base}/attask/api/v15.0/project/search"),
        &[(
            "Authorization",
            &format!("Bearer {}", refreshed.access_token().secret()),
        )],
    )
    .unwrap();
    assert_eq!(api.status, 200);
    runtime.block_on(running.stop()).unwrap();
}
