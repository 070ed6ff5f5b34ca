//! A client configuration from server metadata (RFC 8414, OpenID Connect Discovery 1.0):
//! what is kept, and every refusal, each naming the member.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use authcode::client::{
    AuthMethod, ClientAuth, ClientConfig, ClientError, Discovery, DiscoveryError, MAX_METADATA_LEN,
    RedirectError, RedirectOutcome, Session, UrlError,
};
use authcode::profile::Profile;
use common::{now, rng, sent_state};
use serde_json::{Value, json};

const ISSUER: &str = "https://idp.example.com";

fn document() -> Value {
    json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://idp.example.com/authorize",
        "token_endpoint": "https://idp.example.com/token",
        "revocation_endpoint": "https://idp.example.com/revoke",
        "userinfo_endpoint": "https://idp.example.com/userinfo",
        "jwks_uri": "https://idp.example.com/jwks",
        "response_types_supported": ["code", "code id_token"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "none"],
        "scopes_supported": ["openid", "offline_access"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "mtls_endpoint_aliases": {"token_endpoint": "https://mtls.idp.example.com/token"}
    })
}

fn public() -> Discovery<'static> {
    Discovery {
        issuer: ISSUER,
        client_id: "app",
        redirect_uri: "com.example.app:/cb",
        profile: Profile::Rfc,
        client_secret: None,
        auth_method: None,
    }
}

fn discover(document: &Value, discovery: &Discovery<'_>) -> Result<ClientConfig, DiscoveryError> {
    ClientConfig::from_metadata(document.to_string().as_bytes(), discovery)
}

fn with(member: &str, value: Value) -> Value {
    let mut document = document();
    document[member] = value;
    document
}

fn without(member: &str) -> Value {
    let mut document = document();
    document.as_object_mut().unwrap().remove(member);
    document
}

#[test]
fn a_document_gives_every_endpoint_and_the_issuer() {
    let config = discover(&document(), &public()).unwrap();
    assert_eq!(
        config.authorization_endpoint(),
        "https://idp.example.com/authorize"
    );
    assert_eq!(config.token_endpoint(), "https://idp.example.com/token");
    assert_eq!(
        config.revocation_endpoint(),
        Some("https://idp.example.com/revoke")
    );
    assert_eq!(
        config.userinfo_endpoint(),
        Some("https://idp.example.com/userinfo")
    );
    assert_eq!(config.jwks_uri(), Some("https://idp.example.com/jwks"));
    assert_eq!(config.issuer(), Some(ISSUER));
    assert_eq!(config.auth(), &ClientAuth::None);
    assert!(!config.issuer_required_on_redirect());
    assert_eq!(config.profile(), Profile::Rfc);
}

#[test]
fn the_issuer_must_match_exactly() {
    for wrong in [
        "https://idp.example.com/",
        "https://IDP.example.com",
        "https://evil.example.com",
        "http://idp.example.com",
    ] {
        assert_eq!(
            discover(&with("issuer", json!(wrong)), &public()).unwrap_err(),
            DiscoveryError::IssuerMismatch,
            "{wrong}"
        );
    }
    assert_eq!(
        discover(&without("issuer"), &public()).unwrap_err(),
        DiscoveryError::MissingMember { member: "issuer" }
    );
    assert_eq!(
        discover(&with("issuer", json!(null)), &public()).unwrap_err(),
        DiscoveryError::MissingMember { member: "issuer" }
    );
    assert_eq!(
        discover(&with("issuer", json!(["x"])), &public()).unwrap_err(),
        DiscoveryError::InvalidMember { member: "issuer" }
    );
    // An escaped issuer is compared decoded.
    let escaped = document().to_string().replace(
        "\"issuer\":\"https://idp.example.com\"",
        "\"issuer\":\"https:\\/\\/idp.example.com\"",
    );
    assert!(ClientConfig::from_metadata(escaped.as_bytes(), &public()).is_ok());
}

#[test]
fn an_issuer_on_plain_http_is_allowed_only_on_loopback() {
    let mut document = document();
    for member in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ] {
        let value = document[member]
            .as_str()
            .unwrap()
            .replace("https://idp.example.com", "http://127.0.0.1:8080");
        document[member] = json!(value);
    }
    let discovery = Discovery {
        issuer: "http://127.0.0.1:8080",
        ..public()
    };
    assert!(discover(&document, &discovery).is_ok());
    document["issuer"] = json!("http://idp.example.com");
    let discovery = Discovery {
        issuer: "http://idp.example.com",
        ..public()
    };
    assert_eq!(
        discover(&document, &discovery).unwrap_err(),
        DiscoveryError::Endpoint {
            member: "issuer",
            error: UrlError::InsecureHttp
        }
    );
}

#[test]
fn every_endpoint_must_be_https_off_loopback() {
    for member in [
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ] {
        let error =
            discover(&with(member, json!("http://idp.example.com/x")), &public()).unwrap_err();
        assert_eq!(
            error,
            DiscoveryError::Endpoint {
                member,
                error: UrlError::InsecureHttp
            },
            "{member}"
        );
        assert!(error.to_string().contains(member), "{error}");
        assert_eq!(
            discover(&with(member, json!(42)), &public()).unwrap_err(),
            DiscoveryError::InvalidMember { member }
        );
        assert!(matches!(
            discover(&with(member, json!("https://idp.example.com/x#frag")), &public()).unwrap_err(),
            DiscoveryError::Endpoint { member: m, .. } if m == member
        ));
    }
}

#[test]
fn required_members_are_named_when_missing() {
    for member in [
        "authorization_endpoint",
        "token_endpoint",
        "response_types_supported",
    ] {
        assert_eq!(
            discover(&without(member), &public()).unwrap_err(),
            DiscoveryError::MissingMember { member },
            "{member}"
        );
    }
    // Optional ones may be absent.
    for member in [
        "revocation_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "grant_types_supported",
        "code_challenge_methods_supported",
        "token_endpoint_auth_methods_supported",
        "scopes_supported",
    ] {
        assert!(discover(&without(member), &public()).is_ok(), "{member}");
    }
    assert_eq!(
        discover(&without("revocation_endpoint"), &public())
            .unwrap()
            .revocation_endpoint(),
        None
    );
}

#[test]
fn pkce_s256_and_the_code_flow_must_be_supported_when_listed() {
    assert_eq!(
        discover(
            &with("code_challenge_methods_supported", json!(["plain"])),
            &public()
        )
        .unwrap_err(),
        DiscoveryError::Unsupported {
            member: "code_challenge_methods_supported",
            needed: "S256"
        }
    );
    assert_eq!(
        discover(
            &with("code_challenge_methods_supported", json!([])),
            &public()
        )
        .unwrap_err(),
        DiscoveryError::Unsupported {
            member: "code_challenge_methods_supported",
            needed: "S256"
        }
    );
    assert_eq!(
        discover(
            &with("code_challenge_methods_supported", json!(["s256"])),
            &public()
        )
        .unwrap_err(),
        DiscoveryError::Unsupported {
            member: "code_challenge_methods_supported",
            needed: "S256"
        },
        "method names are case-sensitive"
    );
    assert_eq!(
        discover(
            &with("code_challenge_methods_supported", json!("S256")),
            &public()
        )
        .unwrap_err(),
        DiscoveryError::InvalidMember {
            member: "code_challenge_methods_supported"
        }
    );
    assert_eq!(
        discover(
            &with("code_challenge_methods_supported", json!(["S256", 1])),
            &public()
        )
        .unwrap_err(),
        DiscoveryError::InvalidMember {
            member: "code_challenge_methods_supported"
        }
    );
    assert_eq!(
        discover(
            &with("response_types_supported", json!(["token", "id_token"])),
            &public()
        )
        .unwrap_err(),
        DiscoveryError::Unsupported {
            member: "response_types_supported",
            needed: "code"
        }
    );
    assert_eq!(
        discover(
            &with("grant_types_supported", json!(["implicit"])),
            &public()
        )
        .unwrap_err(),
        DiscoveryError::Unsupported {
            member: "grant_types_supported",
            needed: "authorization_code"
        }
    );
}

#[test]
fn duplicate_members_oversized_and_malformed_documents_are_refused() {
    let text = document().to_string();
    let duplicated = text.replacen(
        '{',
        "{\"token_endpoint\":\"https://evil.example.com/t\",",
        1,
    );
    assert_eq!(
        ClientConfig::from_metadata(duplicated.as_bytes(), &public()).unwrap_err(),
        DiscoveryError::DuplicateMember {
            member: "token_endpoint"
        }
    );
    let duplicated_issuer = text.replacen('{', "{\"issuer\":\"https://idp.example.com\",", 1);
    assert_eq!(
        ClientConfig::from_metadata(duplicated_issuer.as_bytes(), &public()).unwrap_err(),
        DiscoveryError::DuplicateMember { member: "issuer" }
    );
    let mut big = document();
    big["padding"] = json!("x".repeat(MAX_METADATA_LEN));
    assert_eq!(
        discover(&big, &public()).unwrap_err(),
        DiscoveryError::TooLarge {
            max: MAX_METADATA_LEN
        }
    );
    for broken in ["", "[]", "<html>", "{\"issuer\":", &text[..text.len() - 1]] {
        assert!(
            matches!(
                ClientConfig::from_metadata(broken.as_bytes(), &public()),
                Err(DiscoveryError::Json(_))
            ),
            "{broken:?}"
        );
    }
    let long_url = format!("https://idp.example.com/{}", "a".repeat(600));
    assert_eq!(
        discover(&with("token_endpoint", json!(long_url)), &public()).unwrap_err(),
        DiscoveryError::InvalidMember {
            member: "token_endpoint"
        }
    );
}

#[test]
fn the_client_authentication_is_picked_from_the_list() {
    let confidential = Discovery {
        client_secret: Some("s3cret"),
        ..public()
    };
    let pick = |methods: Option<Value>| {
        let document = match methods {
            Some(list) => with("token_endpoint_auth_methods_supported", list),
            None => without("token_endpoint_auth_methods_supported"),
        };
        discover(&document, &confidential).map(|config| config.auth().clone())
    };
    assert!(
        matches!(pick(None), Ok(ClientAuth::SecretBasic(_))),
        "RFC 8414 default"
    );
    assert!(matches!(
        pick(Some(json!(["client_secret_post", "client_secret_basic"]))),
        Ok(ClientAuth::SecretBasic(_))
    ));
    assert!(matches!(
        pick(Some(json!(["client_secret_post"]))),
        Ok(ClientAuth::SecretPost(_))
    ));
    assert_eq!(
        pick(Some(json!(["private_key_jwt", "none"]))),
        Err(DiscoveryError::Unsupported {
            member: "token_endpoint_auth_methods_supported",
            needed: "client_secret_basic or client_secret_post"
        })
    );
    // A configured method wins, and must be listed.
    let post = Discovery {
        auth_method: Some(AuthMethod::ClientSecretPost),
        ..confidential
    };
    assert!(matches!(
        discover(&document(), &post).unwrap().auth(),
        ClientAuth::SecretPost(_)
    ));
    assert_eq!(
        discover(
            &with(
                "token_endpoint_auth_methods_supported",
                json!(["client_secret_basic"])
            ),
            &post
        )
        .unwrap_err(),
        DiscoveryError::Unsupported {
            member: "token_endpoint_auth_methods_supported",
            needed: "client_secret_post"
        }
    );
    // A method that does not fit the client.
    let none_with_secret = Discovery {
        auth_method: Some(AuthMethod::None),
        ..confidential
    };
    assert_eq!(
        discover(&document(), &none_with_secret).unwrap_err(),
        DiscoveryError::AuthMethodMismatch
    );
    let basic_without = Discovery {
        auth_method: Some(AuthMethod::ClientSecretBasic),
        ..public()
    };
    assert_eq!(
        discover(&document(), &basic_without).unwrap_err(),
        DiscoveryError::AuthMethodMismatch
    );
    // A public client is not refused when `none` is not listed.
    assert!(
        discover(
            &with(
                "token_endpoint_auth_methods_supported",
                json!(["client_secret_basic"])
            ),
            &public()
        )
        .is_ok()
    );
}

#[test]
fn the_clients_own_values_are_still_checked() {
    let bad = Discovery {
        client_id: "",
        ..public()
    };
    assert!(matches!(
        discover(&document(), &bad),
        Err(DiscoveryError::Config(_))
    ));
    let bad = Discovery {
        redirect_uri: "http://evil.example.com/cb",
        ..public()
    };
    assert!(matches!(
        discover(&document(), &bad),
        Err(DiscoveryError::Config(_))
    ));
}

fn redirect_with(config: ClientConfig, iss: Option<&str>) -> Result<RedirectOutcome, ClientError> {
    let mut session = Session::start(config, &mut rng(), now()).unwrap();
    let state = sent_state(&session);
    let mut query = format!("code=abc&state={state}");
    if let Some(iss) = iss {
        query.push_str("&iss=");
        query.push_str(&iss.replace(':', "%3A").replace('/', "%2F"));
    }
    session.on_redirect(query.as_bytes())
}

#[test]
fn iss_on_the_redirect_is_required_only_when_the_server_says_so() {
    let plain = discover(&document(), &public()).unwrap();
    assert_eq!(
        redirect_with(plain.clone(), None).unwrap(),
        RedirectOutcome::CodeReceived
    );
    assert_eq!(
        redirect_with(plain.clone(), Some(ISSUER)).unwrap(),
        RedirectOutcome::CodeReceived
    );
    assert_eq!(
        redirect_with(plain, Some("https://evil.example.com")).unwrap_err(),
        ClientError::Redirect(RedirectError::IssuerMismatch)
    );
    let strict = discover(
        &with(
            "authorization_response_iss_parameter_supported",
            json!(true),
        ),
        &public(),
    )
    .unwrap();
    assert!(strict.issuer_required_on_redirect());
    assert_eq!(
        redirect_with(strict.clone(), None).unwrap_err(),
        ClientError::Redirect(RedirectError::MissingIssuer)
    );
    assert_eq!(
        redirect_with(strict, Some(ISSUER)).unwrap(),
        RedirectOutcome::CodeReceived
    );
    assert_eq!(
        discover(
            &with(
                "authorization_response_iss_parameter_supported",
                json!("true")
            ),
            &public()
        )
        .unwrap_err(),
        DiscoveryError::InvalidMember {
            member: "authorization_response_iss_parameter_supported"
        }
    );
}

#[test]
fn adobe_ims_metadata_lives_under_ims_and_names_the_origin_as_issuer() {
    // The shape of https://ims-na1.adobelogin.com/ims/.well-known/openid-configuration.
    let document = json!({
        "issuer": "https://ims-na1.adobelogin.com",
        "authorization_endpoint": "https://ims-na1.adobelogin.com/ims/authorize/v2",
        "token_endpoint": "https://ims-na1.adobelogin.com/ims/token/v3",
        "userinfo_endpoint": "https://ims-na1.adobelogin.com/ims/userinfo/v2",
        "revocation_endpoint": "https://ims-na1.adobelogin.com/ims/revoke",
        "jwks_uri": "https://ims-na1.adobelogin.com/ims/keys",
        "response_types_supported": ["code", "token", "id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "AdobeID", "offline_access"],
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "code_challenge_methods_supported": ["S256"]
    });
    let discovery = Discovery {
        issuer: "https://ims-na1.adobelogin.com",
        profile: Profile::AdobeIms,
        client_secret: Some("p8e-secret"),
        ..public()
    };
    let config = discover(&document, &discovery).unwrap();
    assert!(matches!(config.auth(), ClientAuth::SecretPost(_)));
    let expected =
        ClientConfig::adobe_ims(ClientConfig::ADOBE_IMS_ORIGIN, "app", "com.example.app:/cb")
            .unwrap()
            .with_client_secret_post("p8e-secret")
            .unwrap()
            .with_jwks_uri("https://ims-na1.adobelogin.com/ims/keys")
            .unwrap();
    assert_eq!(config, expected.with_issuer_required_on_redirect(false));
}
