//! OpenID Connect end to end, in memory: the server signs ID tokens (ES256 and Ed25519
//! signers held by the core, and a host signer that fails), the client checks them
//! against the JWK Set the server's public key makes.

#![cfg(test)]
#![cfg(all(feature = "oidc", feature = "jose-ec", feature = "jose-ed25519"))]

mod server_common;

use authcode::Timestamp;
use authcode::client::{ClientConfig, IdTokenError, RedirectOutcome, Session, TokenOutcome};
use authcode::jose::{Algorithm, Ed25519Signer, Es256Signer, JwsSigner, SignError};
use authcode::profile::Profile;
use authcode::server::{
    AppKind, AppSpec, ID_TOKEN_RESPONSE_LEN, InlineStorage, Server, ServerConfig, TokenRequest,
};
use server_common::{NOW, TestServer, at, location_params, rng};

const ISSUER: &str = "https://as.example.com";
const REDIRECT: &str = "com.example.app:/cb";

fn server() -> (Box<TestServer>, String) {
    let config = ServerConfig::new(Profile::Rfc).with_issuer(ISSUER).unwrap();
    let mut server = Box::new(Server::new(config, InlineStorage::new()));
    let mut spec = AppSpec::new("Native", AppKind::SinglePage, &[REDIRECT]);
    spec.scope = "openid profile read";
    let app = server.registry_mut().create(&spec, &mut rng()).unwrap();
    (server, app.client_id.to_string())
}

fn client(client_id: &str, scope: &str) -> ClientConfig {
    ClientConfig::new(
        Profile::Rfc,
        "https://as.example.com/authorize",
        "https://as.example.com/token",
        client_id,
        REDIRECT,
    )
    .unwrap()
    .with_scope(scope)
    .unwrap()
    .with_issuer(ISSUER)
    .unwrap()
    .checking_id_tokens()
}

/// Logs in through the server up to the token response; returns the session and the
/// server's answer (status, body).
fn exchange(
    server: &mut TestServer,
    client_id: &str,
    scope: &str,
    signer: &dyn JwsSigner,
    now: Timestamp,
) -> (Session, u16, String, String) {
    let mut session = Session::start(client(client_id, scope), &mut rng(), now).unwrap();
    let mut url = [0u8; 2048];
    let url = session.authorize_url(&mut url).unwrap().to_owned();
    let query = url.split_once('?').unwrap().1;
    let mut buf = [0u8; 2048];
    let redirect = server
        .authorize(query.as_bytes(), "user-1", now, &mut rng(), &mut buf)
        .unwrap();
    assert_eq!(redirect.error, None, "{}", redirect.location);
    assert_eq!(
        session.on_redirect(redirect.location.as_bytes()).unwrap(),
        RedirectOutcome::CodeReceived
    );
    let mut request = [0u8; 4096];
    let request = session.token_request(&mut request).unwrap();
    let body = request.body.to_owned();
    let mut out = vec![0u8; ID_TOKEN_RESPONSE_LEN];
    let response = server
        .token_with_id_tokens(
            &TokenRequest {
                method: "POST",
                content_type: Some(request.content_type),
                authorization: None,
                body: body.as_bytes(),
            },
            now,
            &mut rng(),
            signer,
            &mut out,
        )
        .unwrap();
    let (status, answer) = (response.status, response.body.to_owned());
    (session, status, answer, body)
}

fn jwks(signer: &Es256Signer<'_>, kid: &str) -> String {
    let mut jwk = [0u8; 1024];
    let jwk = signer.public_key().write_jwk(Some(kid), &mut jwk).unwrap();
    format!(r#"{{"keys":[{jwk}]}}"#)
}

#[test]
fn the_server_signs_and_the_client_checks() {
    let (mut server, client_id) = server();
    let signer = Es256Signer::from_bytes(&[9u8; 32], Some("es-1")).unwrap();
    let (mut session, status, answer, _) =
        exchange(&mut server, &client_id, "openid read", &signer, at(0));
    assert_eq!(status, 200, "{answer}");
    let json: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let id_token = json["id_token"].as_str().unwrap();
    assert_eq!(id_token.split('.').count(), 3);
    assert_eq!(
        session
            .on_token_response_verified(
                status,
                answer.as_bytes(),
                at(0),
                jwks(&signer, "es-1").as_bytes()
            )
            .unwrap(),
        TokenOutcome::Authorized
    );
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.subject(), Some("user-1"));
    let mut buf = [0u8; 1024];
    let claims = tokens.id_token_claims(&mut buf).unwrap();
    assert!(claims.issuer.unwrap().is(ISSUER));
    assert!(claims.audience.contains(&client_id));
    assert_eq!(claims.issued_at, Some(NOW));
    assert!(claims.nonce.is_some());
}

#[test]
fn an_ed25519_signer_and_a_client_with_the_wrong_keys() {
    let (mut server, client_id) = server();
    let signer = Ed25519Signer::from_bytes(&[3u8; 32], Some("ed-1")).unwrap();
    let (mut session, status, answer, _) =
        exchange(&mut server, &client_id, "openid", &signer, at(0));
    assert_eq!(status, 200, "{answer}");
    // The ES256 key set cannot check an EdDSA token.
    let other = Es256Signer::from_bytes(&[9u8; 32], Some("ed-1")).unwrap();
    assert!(matches!(
        session.on_token_response_verified(
            status,
            answer.as_bytes(),
            at(0),
            jwks(&other, "ed-1").as_bytes()
        ),
        Err(authcode::client::ClientError::IdToken(IdTokenError::Jose(
            _
        )))
    ));
    let mut jwk = [0u8; 512];
    let jwk = signer
        .public_key()
        .write_jwk(Some("ed-1"), &mut jwk)
        .unwrap();
    let set = format!(r#"{{"keys":[{jwk}]}}"#);
    assert!(
        session
            .on_token_response_verified(status, answer.as_bytes(), at(0), set.as_bytes())
            .is_ok()
    );
}

/// A host signer whose key is gone (a locked keystore).
struct Locked;

impl JwsSigner for Locked {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }
    fn key_id(&self) -> Option<&str> {
        None
    }
    fn sign(&self, _: &[u8], _: &mut [u8]) -> Result<usize, SignError> {
        Err(SignError::Unavailable)
    }
}

#[test]
fn a_failing_signer_changes_nothing_and_plain_oauth_gets_no_id_token() {
    let (mut server, client_id) = server();
    let (_, status, answer, body) = exchange(&mut server, &client_id, "openid", &Locked, at(0));
    assert_eq!(status, 500, "{answer}");
    assert!(answer.contains("server_error"), "{answer}");
    // The code is still redeemable (with a working signer).
    let signer = Es256Signer::from_bytes(&[9u8; 32], None).unwrap();
    let mut out = vec![0u8; ID_TOKEN_RESPONSE_LEN];
    let request = TokenRequest {
        method: "POST",
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
    };
    let response = server
        .token_with_id_tokens(&request, at(1), &mut rng(), &signer, &mut out)
        .unwrap();
    assert_eq!(response.status, 200, "{}", response.body);

    // Without openid in the scope: no ID token.
    let (_, status, answer, _) = exchange(&mut server, &client_id, "read", &signer, at(2));
    assert_eq!(status, 200);
    assert!(!answer.contains("id_token"), "{answer}");
    // Too small a buffer is refused before anything happens.
    assert!(
        server
            .token_with_id_tokens(&request, at(3), &mut rng(), &signer, &mut [0u8; 1024])
            .is_err()
    );
}

#[test]
fn the_authorization_endpoint_refuses_a_bad_nonce() {
    let (mut server, client_id) = server();
    for nonce in ["", "%0A", &"n".repeat(256)] {
        let query = format!(
            "response_type=code&client_id={client_id}&redirect_uri={}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s&nonce={nonce}",
            url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
        );
        let mut buf = [0u8; 2048];
        let redirect = server
            .authorize(query.as_bytes(), "user-1", at(0), &mut rng(), &mut buf)
            .unwrap();
        assert_eq!(
            location_params(redirect.location)["error"],
            "invalid_request",
            "{nonce}"
        );
    }
}
