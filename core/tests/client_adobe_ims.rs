//! The Adobe IMS profile (Adobe Developer Console's OAuth Web App, Single-Page App and
//! Native App credentials) and the client credentials grant (its Server-to-Server
//! credential, and any RFC 6749 §4.4 server).

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use authcode::Timestamp;
use authcode::client::{
    ClientConfig, ConfigError, ConfigField, CredentialsAuth, CredentialsClient, CredentialsOutcome,
    ResponseError, Session, TokenOutcome, TokenType, UrlError,
};
use authcode::profile::{BodyFormat, Profile};
use common::{at, form_params, now, query_params, rng, session_with_code};

fn native_app() -> ClientConfig {
    ClientConfig::adobe_ims(
        ClientConfig::ADOBE_IMS_ORIGIN,
        "native-client",
        "adobe+abc123://callback",
    )
    .unwrap()
    .with_scope("openid,AdobeID,offline_access")
    .unwrap()
}

#[test]
fn the_profile_has_adobes_documented_endpoints() {
    let config = native_app();
    assert_eq!(config.profile(), Profile::AdobeIms);
    assert_eq!(
        config.authorization_endpoint(),
        "https://ims-na1.adobelogin.com/ims/authorize/v2"
    );
    assert_eq!(
        config.token_endpoint(),
        "https://ims-na1.adobelogin.com/ims/token/v3"
    );
    assert_eq!(
        config.revocation_endpoint(),
        Some("https://ims-na1.adobelogin.com/ims/revoke")
    );
    assert_eq!(
        config.userinfo_endpoint(),
        Some("https://ims-na1.adobelogin.com/ims/userinfo/v2")
    );
    assert_eq!(config.issuer(), Some("https://ims-na1.adobelogin.com"));
    assert!(!config.issuer_required_on_redirect());
    assert_eq!(config.body_format(), BodyFormat::Form);
    // A local stand-in on loopback.
    let local =
        ClientConfig::adobe_ims("http://127.0.0.1:8787/", "c", "http://127.0.0.1/cb").unwrap();
    assert_eq!(local.token_endpoint(), "http://127.0.0.1:8787/ims/token/v3");
    for bad in [
        "",
        "ims-na1.adobelogin.com",
        "https://ims.example/path",
        "https://u@ims.example",
        "https://ims.example?x",
    ] {
        assert_eq!(
            ClientConfig::adobe_ims(bad, "c", "http://127.0.0.1/cb").unwrap_err(),
            ConfigError::Invalid {
                field: ConfigField::AdobeImsOrigin
            },
            "{bad:?}"
        );
    }
    assert_eq!(
        ClientConfig::adobe_ims("http://ims.example", "c", "http://127.0.0.1/cb").unwrap_err(),
        ConfigError::Url {
            field: ConfigField::AuthorizationEndpoint,
            error: UrlError::InsecureHttp
        }
    );
}

#[test]
fn scopes_may_be_comma_delimited_for_adobe_only() {
    let url = common::authorize_url(&Session::start(native_app(), &mut rng(), now()).unwrap());
    assert_eq!(query_params(&url)["scope"], "openid,AdobeID,offline_access");
    assert!(native_app().with_scope("openid AdobeID").is_ok());
    for bad in ["openid,,AdobeID", ",openid", "openid,"] {
        assert_eq!(
            native_app().with_scope(bad).unwrap_err(),
            ConfigError::Invalid {
                field: ConfigField::Scope
            },
            "{bad}"
        );
    }
    // Elsewhere a comma is just a character of a scope token (RFC 6749 NQCHAR).
    assert!(common::rfc_config().with_scope("a,b").is_ok());
}

#[test]
fn a_public_client_sends_client_id_in_the_token_and_revocation_urls() {
    let session = session_with_code(native_app(), "code-1");
    let mut buf = [0u8; 2048];
    let request = session.token_request(&mut buf).unwrap();
    assert_eq!(
        request.url,
        "https://ims-na1.adobelogin.com/ims/token/v3?client_id=native-client"
    );
    assert_eq!(request.content_type, "application/x-www-form-urlencoded");
    let body = form_params(request.body);
    assert_eq!(body["client_id"], "native-client");
    assert_eq!(body["grant_type"], "authorization_code");
    assert!(body.contains_key("code_verifier"));
    assert_eq!(request.authorization, None);

    // A confidential Web App credential: the secret in the body, the URL as configured.
    let web = native_app().with_client_secret_post("p8e-secret").unwrap();
    let session = session_with_code(web, "code-2");
    let request = session.token_request(&mut buf).unwrap();
    assert_eq!(request.url, "https://ims-na1.adobelogin.com/ims/token/v3");
    assert_eq!(form_params(request.body)["client_secret"], "p8e-secret");
}

#[test]
fn client_id_joins_an_existing_query_and_is_encoded() {
    let config = ClientConfig::adobe_ims(
        "https://ims.example",
        "id with space",
        "http://127.0.0.1/cb",
    )
    .unwrap();
    let session = session_with_code(config, "c");
    let mut buf = [0u8; 2048];
    let request = session.token_request(&mut buf).unwrap();
    assert_eq!(query_params(request.url)["client_id"], "id with space");
    // Too small a buffer reports the size that fits the URL, header and body.
    let needed = match session.token_request(&mut [0u8; 10]) {
        Err(authcode::client::ClientError::BufferTooSmall(too_small)) => too_small.needed,
        other => panic!("{other:?}"),
    };
    let mut exact = vec![0u8; needed];
    assert_eq!(session.token_request(&mut exact).unwrap(), request);
}

#[test]
fn a_lower_case_bearer_token_response_with_sub_and_id_token_is_read() {
    // Unless the configuration checks ID tokens (tests/client_oidc.rs), `id_token` is
    // not read.
    let app = native_app;
    let mut session = session_with_code(app(), "code-1");
    let body = br#"{"access_token":"eyJhbGciOi.x.y","refresh_token":"r1","sub":"1234@AdobeID","id_token":"eyJ.a.b","token_type":"bearer","expires_in":86399}"#;
    assert_eq!(
        session.on_token_response(200, body, now()).unwrap(),
        TokenOutcome::Authorized
    );
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.token_type(), TokenType::Bearer);
    assert_eq!(tokens.access_token(), "eyJhbGciOi.x.y");
    assert_eq!(tokens.refresh_token(), Some("r1"));
    assert_eq!(tokens.expires_at(), Some(at(86399)));
    assert_eq!(tokens.subject(), Some("1234@AdobeID"));
    // Kept through a save (stage 5) and a restore.
    let mut saved = vec![0u8; authcode::client::MAX_SAVED_LEN];
    let saved = session.save(&mut saved).unwrap().to_vec();
    let restored = Session::restore(app(), &saved).unwrap();
    assert_eq!(restored.tokens().unwrap().subject(), Some("1234@AdobeID"));
    assert_eq!(restored.tokens(), session.tokens());
    // Revocation carries client_id in the URL too.
    let mut buf = [0u8; 2048];
    let request = session
        .revocation_request(authcode::client::TokenKind::Access, &mut buf)
        .unwrap();
    assert_eq!(
        request.url,
        "https://ims-na1.adobelogin.com/ims/revoke?client_id=native-client"
    );
}

fn server_to_server() -> CredentialsClient {
    CredentialsClient::new(
        Profile::AdobeIms,
        "https://ims-na1.adobelogin.com/ims/token/v3",
        "s2s-client",
        CredentialsAuth::Post("p8e-secret"),
    )
    .unwrap()
    .with_scope("openid,AdobeID,read_organizations")
    .unwrap()
}

#[test]
fn client_credentials_request_matches_adobes_server_to_server_form() {
    let client = server_to_server();
    let mut buf = [0u8; 1024];
    let request = client.token_request(&mut buf).unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, "https://ims-na1.adobelogin.com/ims/token/v3");
    assert_eq!(request.content_type, "application/x-www-form-urlencoded");
    assert_eq!(request.authorization, None);
    let body = form_params(request.body);
    assert_eq!(body.len(), 4, "{body:?}");
    assert_eq!(body["grant_type"], "client_credentials");
    assert_eq!(body["client_id"], "s2s-client");
    assert_eq!(body["client_secret"], "p8e-secret");
    assert_eq!(body["scope"], "openid,AdobeID,read_organizations");

    let basic = CredentialsClient::new(
        Profile::Rfc,
        "https://as.example/token",
        "svc",
        CredentialsAuth::Basic("pw:1"),
    )
    .unwrap();
    let request = basic.token_request(&mut buf).unwrap();
    assert_eq!(
        request.authorization,
        Some("Basic c3ZjOnB3JTNBMQ=="),
        "RFC 6749 §2.3.1 form-encodes first"
    );
    assert_eq!(
        form_params(request.body).len(),
        1,
        "no scope asked: grant_type only"
    );
}

#[test]
fn client_credentials_tokens_are_cached_until_expiry_minus_the_margin() {
    let mut client = server_to_server().with_refresh_margin(30);
    assert!(client.token_due(now()));
    assert_eq!(client.access_token(now()), None);
    let body = br#"{"access_token":"at-1","token_type":"bearer","expires_in":3600,"refresh_token":"ignored"}"#;
    assert_eq!(
        client.on_token_response(200, body, now()).unwrap(),
        CredentialsOutcome::Issued
    );
    assert_eq!(client.access_token(now()), Some("at-1"));
    assert_eq!(
        client.tokens(now()).unwrap().refresh_token(),
        None,
        "RFC 6749 §4.4.3"
    );
    assert!(!client.token_due(at(3569)));
    assert!(client.token_due(at(3570)));
    assert_eq!(client.access_token(at(3570)), None);

    // A refusal or an unreadable answer leaves the cache as it was.
    let refused = br#"{"error":"invalid_client","error_description":"bad secret"}"#;
    match client.on_token_response(401, refused, now()).unwrap() {
        CredentialsOutcome::Rejected(error) => {
            assert_eq!(error.code(), authcode::client::ErrorCode::InvalidClient)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(client.access_token(now()), Some("at-1"));
    assert!(matches!(
        client.on_token_response(200, b"<html>", now()),
        Err(ResponseError::NotJson { .. })
    ));
    assert!(matches!(
        client.on_token_response(200, br#"{"token_type":"bearer"}"#, now()),
        Err(ResponseError::MissingAccessToken { .. })
    ));
    assert_eq!(client.access_token(now()), Some("at-1"));

    // No expiry: cached until forgotten.
    client
        .on_token_response(
            200,
            br#"{"access_token":"at-2","token_type":"Bearer"}"#,
            now(),
        )
        .unwrap();
    assert_eq!(
        client.access_token(Timestamp::from_unix_seconds(u64::MAX)),
        Some("at-2")
    );
    client.forget_token();
    assert!(client.token_due(now()));
}

#[test]
fn client_credentials_values_are_checked() {
    let new =
        |url: &str, id: &str, auth| CredentialsClient::new(Profile::Rfc, url, id, auth).map(|_| ());
    assert_eq!(
        new(
            "http://as.example/token",
            "svc",
            CredentialsAuth::Basic("s")
        ),
        Err(ConfigError::Url {
            field: ConfigField::TokenEndpoint,
            error: UrlError::InsecureHttp
        })
    );
    assert_eq!(
        new("https://as.example/token", "", CredentialsAuth::Basic("s")),
        Err(ConfigError::Invalid {
            field: ConfigField::ClientId
        })
    );
    assert_eq!(
        new("https://as.example/token", "svc", CredentialsAuth::Post("")),
        Err(ConfigError::Invalid {
            field: ConfigField::ClientSecret
        })
    );
    assert_eq!(
        CredentialsClient::from_config(&native_app()).map(|_| ()),
        Err(ConfigError::Invalid {
            field: ConfigField::ClientSecret
        }),
        "a public client cannot use the grant"
    );
    let from_config = CredentialsClient::from_config(
        &native_app().with_client_secret_post("p8e-secret").unwrap(),
    )
    .unwrap();
    let mut buf = [0u8; 1024];
    let body = form_params(from_config.token_request(&mut buf).unwrap().body);
    assert_eq!(body["scope"], "openid,AdobeID,offline_access");
    assert_eq!(body["client_secret"], "p8e-secret");
}
