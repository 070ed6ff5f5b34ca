//! `authcode serve --profile adobe-ims` over real HTTP: IMS's paths and response shape,
//! its OpenID configuration under `/ims/.well-known/`, a client configured from that
//! document alone (discovery), and the Server-to-Server (client credentials) grant.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use authcode::client::{
    ClientConfig, CredentialsAuth, CredentialsClient, CredentialsOutcome, Discovery,
    RedirectOutcome, RefreshOutcome, Session, TokenKind, TokenOutcome,
};
use authcode::profile::Profile;
use authcode_cli::http;
use authcode_cli::serve;
use common::{Harness, json_of};
use serde_json::{Value, json};

fn start() -> Harness {
    common::auto_approving(Profile::AdobeIms, "alice@AdobeID")
}

impl Harness {
    fn metadata(&self) -> Vec<u8> {
        let (response, _) = http::get(
            &format!("{}/ims/.well-known/openid-configuration", self.base),
            &[],
        )
        .unwrap();
        assert_eq!(response.status, 200);
        response.body
    }

    fn discovered(&self, client_id: &str, secret: Option<&str>) -> ClientConfig {
        ClientConfig::from_metadata(
            &self.metadata(),
            &Discovery {
                issuer: &self.base,
                client_id,
                redirect_uri: "http://127.0.0.1:9/callback",
                profile: Profile::AdobeIms,
                client_secret: secret,
                auth_method: None,
            },
        )
        .unwrap()
        .with_scope("openid,AdobeID,offline_access")
        .unwrap()
    }
}

#[test]
fn the_openid_configuration_lives_under_ims_with_ims_paths() {
    let h = start();
    let document: Value = serde_json::from_slice(&h.metadata()).unwrap();
    assert_eq!(document["issuer"], h.base.as_str());
    assert_eq!(
        document["authorization_endpoint"],
        format!("{}/ims/authorize/v2", h.base)
    );
    assert_eq!(
        document["token_endpoint"],
        format!("{}/ims/token/v3", h.base)
    );
    assert_eq!(
        document["revocation_endpoint"],
        format!("{}/ims/revoke", h.base)
    );
    assert_eq!(
        document["userinfo_endpoint"],
        format!("{}/ims/userinfo/v2", h.base)
    );
    assert!(
        document["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("client_credentials"))
    );
    // Workfront's paths are not served under this profile.
    let (response, _) =
        http::get(&format!("{}/integrations/oauth2/authorize", h.base), &[]).unwrap();
    assert_eq!(response.status, 404);
}

#[test]
fn a_native_app_signs_in_refreshes_and_revokes_through_discovery() {
    let h = start();
    let app = h.create_app(json!({ "name": "Native", "kind": "native", "redirect_uris": ["http://127.0.0.1/callback"] }));
    let client_id = app["client_id"].as_str().unwrap();
    let config = h.discovered(client_id, None);
    assert_eq!(
        config.authorization_endpoint(),
        format!("{}/ims/authorize/v2", h.base)
    );
    assert!(config.issuer_required_on_redirect());

    let mut session = Session::start(config, &mut getrandom::SysRng, serve::now()).unwrap();
    let mut url = vec![0u8; 4096];
    let url = session.authorize_url(&mut url).unwrap().to_owned();
    let (response, location) = http::get(&url, &[]).unwrap();
    assert_eq!(response.status, 302);
    let location = location.unwrap();
    assert!(location.contains("iss="), "{location}");
    assert_eq!(
        session.on_redirect(location.as_bytes()).unwrap(),
        RedirectOutcome::CodeReceived
    );

    let mut buf = vec![0u8; 8192];
    let request = session.token_request(&mut buf).unwrap();
    assert!(
        request
            .url
            .ends_with(&format!("/ims/token/v3?client_id={client_id}")),
        "{}",
        request.url
    );
    let response = http::send(&request).unwrap();
    let body = json_of(&response);
    assert_eq!(response.status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["sub"], "alice@AdobeID");
    assert_eq!(
        session
            .on_token_response(response.status, &response.body, serve::now())
            .unwrap(),
        TokenOutcome::Authorized
    );

    // userinfo with the bearer token.
    let access = session.tokens().unwrap().access_token().to_owned();
    let (response, _) = http::get(
        &format!("{}/ims/userinfo/v2", h.base),
        &[("Authorization", &format!("Bearer {access}"))],
    )
    .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(json_of(&response)["sub"], "alice@AdobeID");

    // Refresh with rotation.
    let first_refresh = session
        .tokens()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();
    let request = session.refresh_request(&mut buf).unwrap();
    let response = http::send(&request).unwrap();
    assert_eq!(
        session
            .on_refresh_response(response.status, &response.body, serve::now())
            .unwrap(),
        RefreshOutcome::Refreshed
    );
    assert_ne!(
        session.tokens().unwrap().refresh_token(),
        Some(first_refresh.as_str())
    );

    // Revocation at /ims/revoke ends the grant.
    let access = session.tokens().unwrap().access_token().to_owned();
    let request = session
        .revocation_request(TokenKind::Refresh, &mut buf)
        .unwrap();
    assert!(request.url.contains("/ims/revoke?client_id="));
    assert_eq!(http::send(&request).unwrap().status, 200);
    let (response, _) = http::get(
        &format!("{}/ims/userinfo/v2", h.base),
        &[("Authorization", &format!("Bearer {access}"))],
    )
    .unwrap();
    assert_eq!(response.status, 401);
}

#[test]
fn client_id_only_in_the_query_is_accepted_as_adobes_examples_send_it() {
    let h = start();
    let app = h.create_app(json!({ "name": "Native", "kind": "native", "redirect_uris": ["http://127.0.0.1/callback"] }));
    let client_id = app["client_id"].as_str().unwrap();
    // A refresh with an unknown token, client_id only in the URL: the client is found
    // (invalid_grant), not unauthenticated (invalid_client).
    let request = authcode::client::HttpRequest {
        method: "POST",
        url: &format!("{}/ims/token/v3?client_id={client_id}", h.base),
        content_type: "application/x-www-form-urlencoded",
        accept: "application/json",
        authorization: None,
        body: "grant_type=refresh_token&refresh_token=unknown",
    };
    let response = http::send(&request).unwrap();
    assert_eq!(
        json_of(&response)["error"],
        "invalid_grant",
        "{}",
        json_of(&response)
    );
    // Without it anywhere: invalid_client.
    let request = authcode::client::HttpRequest {
        url: &format!("{}/ims/token/v3", h.base),
        ..request
    };
    assert_eq!(
        json_of(&http::send(&request).unwrap())["error"],
        "invalid_client"
    );
}

#[test]
fn server_to_server_credentials_get_app_tokens() {
    let h = start();
    let app = h.create_app(json!({ "name": "Sync", "kind": "machine-to-machine", "scope": "openid,AdobeID read_organizations" }));
    let client_id = app["client_id"].as_str().unwrap();
    let secret = app["client_secret"]
        .as_str()
        .expect("machine-to-machine apps get a secret");
    let config = h.discovered(client_id, Some(secret));
    let mut client = CredentialsClient::from_config(&config)
        .unwrap()
        .with_scope("read_organizations")
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let response = http::send(&client.token_request(&mut buf).unwrap()).unwrap();
    let body = json_of(&response);
    assert_eq!(response.status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());
    assert_eq!(body["sub"], client_id);
    assert_eq!(
        client
            .on_token_response(response.status, &response.body, serve::now())
            .unwrap(),
        CredentialsOutcome::Issued
    );
    let token = client.access_token(serve::now()).unwrap().to_owned();
    let (response, _) = http::get(
        &format!("{}/ims/userinfo/v2", h.base),
        &[("Authorization", &format!("Bearer {token}"))],
    )
    .unwrap();
    assert_eq!(json_of(&response)["sub"], client_id);
    assert_eq!(json_of(&response)["scope"], "read_organizations");

    // Adobe's form, credentials in the body; a scope beyond the app's is refused.
    let greedy = CredentialsClient::new(
        Profile::AdobeIms,
        config.token_endpoint(),
        client_id,
        CredentialsAuth::Post(secret),
    )
    .unwrap()
    .with_scope("admin")
    .unwrap();
    let response = http::send(&greedy.token_request(&mut buf).unwrap()).unwrap();
    assert_eq!(response.status, 400);
    assert_eq!(json_of(&response)["error"], "invalid_scope");
}
