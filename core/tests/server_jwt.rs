//! Machine-to-machine apps with registered keys: the JWT bearer grant (RFC 7523 §2.1),
//! `private_key_jwt` (§2.2) at the token and revocation endpoints, Workfront's JWT
//! exchange — and every check, named in the refusal.

#![cfg(test)]
#![cfg(all(
    feature = "jose-rsa",
    feature = "jose-ec",
    feature = "jose-ed25519",
    feature = "jose-der"
))]

mod server_common;

use authcode::jose::{Ed25519Signer, Es256Signer, JwsSigner, sign_compact};
use authcode::profile::Profile;
use authcode::server::{
    AppError, AppKind, AppSpec, GrantType, InlineStorage, Server, ServerConfig, TokenRequest,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use server_common::{NOW, TestServer, at, enc, rng};

/// An RNG other than the fixture's, so a second app gets another client id.
fn other_rng(seed: u64) -> rand::rngs::StdRng {
    rand::SeedableRng::seed_from_u64(seed)
}

const ISSUER: &str = "https://as.example.com";
const TOKEN_URL: &str = "https://as.example.com/token";

struct M2m {
    server: Box<TestServer>,
    client_id: String,
    secret: String,
    ed: Ed25519Signer<'static>,
    es: Es256Signer<'static>,
}

fn jwk(signer: &dyn Fn(&mut [u8]) -> String) -> String {
    let mut buf = [0u8; 1024];
    signer(&mut buf)
}

fn m2m(profile: Profile) -> M2m {
    // A grant quota above the app's share of the jti table (25), so that share is what
    // a burst of assertions meets first.
    let mut config = ServerConfig::new(profile)
        .with_issuer(ISSUER)
        .unwrap()
        .with_token_endpoint(TOKEN_URL)
        .unwrap()
        .with_quotas(authcode::server::Quotas {
            grants_per_app: Some(60),
            ..authcode::server::Quotas::default()
        })
        .unwrap();
    if profile == Profile::Workfront {
        config = config
            .with_workfront_identity("acme.my.workfront.com", "lane", "customer-7")
            .unwrap();
    }
    let mut server = Box::new(Server::new(config, InlineStorage::new()));
    let ed = Ed25519Signer::from_bytes(&[5u8; 32], Some("ed")).unwrap();
    let es = Es256Signer::from_bytes(&[6u8; 32], None).unwrap();
    let ed_jwk = jwk(&|buf| {
        ed.public_key()
            .write_jwk(Some("ed"), buf)
            .unwrap()
            .to_owned()
    });
    let es_jwk = jwk(&|buf| es.public_key().write_jwk(None, buf).unwrap().to_owned());
    let keys = [ed_jwk.as_str(), es_jwk.as_str()];
    let mut spec = AppSpec::new("Service", AppKind::MachineToMachine, &[]);
    spec.public_keys = &keys;
    spec.scope = "read write";
    let created = server.registry_mut().create(&spec, &mut rng()).unwrap();
    M2m {
        server,
        client_id: created.client_id.to_string(),
        secret: created.client_secret.unwrap().as_str().to_owned(),
        ed,
        es,
    }
}

fn sign(signer: &dyn JwsSigner, claims: &Value) -> String {
    let mut out = [0u8; 4096];
    sign_compact(signer, "JWT", claims.to_string().as_bytes(), &mut out)
        .unwrap()
        .to_owned()
}

impl M2m {
    fn claims(&self, sub: &str, jti: &str) -> Value {
        json!({"iss": self.client_id, "sub": sub, "aud": TOKEN_URL,
               "exp": NOW + 120, "iat": NOW, "jti": jti})
    }

    fn post(&mut self, body: &str, offset: u64) -> (u16, Value) {
        let request = TokenRequest {
            method: "POST",
            content_type: Some("application/x-www-form-urlencoded"),
            authorization: None,
            body: body.as_bytes(),
        };
        let mut buf = [0u8; 1024];
        let response = self
            .server
            .token(&request, at(offset), &mut rng(), &mut buf)
            .unwrap();
        (
            response.status,
            serde_json::from_str(response.body).unwrap(),
        )
    }

    fn bearer(&mut self, assertion: &str, offset: u64) -> (u16, Value) {
        let body = format!(
            "grant_type={}&assertion={}&client_id={}&client_secret={}",
            enc("urn:ietf:params:oauth:grant-type:jwt-bearer"),
            enc(assertion),
            enc(&self.client_id),
            enc(&self.secret)
        );
        self.post(&body, offset)
    }
}

#[test]
fn the_jwt_bearer_grant_acts_for_the_subject() {
    let mut f = m2m(Profile::Rfc);
    let assertion = sign(&f.ed, &f.claims("user-42", "j-1"));
    let (status, json) = f.bearer(&assertion, 0);
    assert_eq!(status, 200, "{json}");
    assert!(json.get("refresh_token").is_none(), "{json}");
    assert_eq!(json["scope"], "read write");
    let info = f
        .server
        .validate(json["access_token"].as_str().unwrap(), at(1))
        .unwrap();
    assert_eq!(info.subject.as_str(), "user-42");
    assert_eq!(info.grant_type, GrantType::JwtBearer);
    assert!(!info.is_app_token());
    // The same assertion again: its jti was used.
    let (status, json) = f.bearer(&assertion, 1);
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        json["error_description"],
        "the assertion's jti was already used"
    );
    // ES256, the other registered key, with a narrower scope.
    let assertion = sign(&f.es, &f.claims("user-43", "j-2"));
    let body = format!(
        "grant_type={}&assertion={}&scope=read&client_id={}&client_secret={}",
        enc("urn:ietf:params:oauth:grant-type:jwt-bearer"),
        enc(&assertion),
        enc(&f.client_id),
        enc(&f.secret)
    );
    let (status, json) = f.post(&body, 2);
    assert_eq!(
        (status, json["scope"].as_str()),
        (200, Some("read")),
        "{json}"
    );
}

#[test]
fn every_assertion_check_is_named() {
    let mut f = m2m(Profile::Rfc);
    let other = Ed25519Signer::from_bytes(&[99u8; 32], Some("ed")).unwrap();
    let base = f.claims("user", "x");
    let with = |key: &str, value: Value| {
        let mut claims = base.clone();
        claims[key] = value;
        claims
    };
    let without = |key: &str| {
        let mut claims = base.clone();
        claims.as_object_mut().unwrap().remove(key);
        claims
    };
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(base.to_string())
    );
    let hs = format!(
        "{}.{}.AAAA",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
        URL_SAFE_NO_PAD.encode(base.to_string())
    );
    let unknown_kid = Ed25519Signer::from_bytes(&[5u8; 32], Some("other")).unwrap();
    let cases: Vec<(String, &str)> = vec![
        ("not a jwt".into(), "the assertion is not a JWS"),
        (none, "the assertion is not a JWS"),
        (hs, "the assertion's alg is refused (RS256, ES256 or EdDSA)"),
        (
            sign(&other, &base),
            "the assertion's signature does not verify",
        ),
        (
            sign(&unknown_kid, &base),
            "no registered key of the assertion's alg and kid",
        ),
        (
            sign(&f.ed, &with("iss", json!("someone"))),
            "the assertion's iss is not the client id",
        ),
        (sign(&f.ed, &without("iss")), "the assertion has no iss"),
        (
            sign(&f.ed, &without("sub")),
            "the assertion has no sub, or it is too long",
        ),
        (
            sign(&f.ed, &with("aud", json!("https://elsewhere"))),
            "the assertion's aud is not this server",
        ),
        (
            sign(&f.ed, &without("aud")),
            "the assertion's aud is not this server",
        ),
        (sign(&f.ed, &without("exp")), "the assertion has no exp"),
        (
            sign(&f.ed, &with("exp", json!(NOW - 61))),
            "the assertion has expired (exp)",
        ),
        (
            sign(&f.ed, &with("exp", json!(NOW + 3700))),
            "the assertion's exp is more than an hour ahead",
        ),
        (
            sign(&f.ed, &with("nbf", json!(NOW + 61))),
            "the assertion is not valid yet (nbf)",
        ),
        (
            sign(&f.ed, &with("iat", json!(NOW + 61))),
            "the assertion was issued in the future (iat)",
        ),
        (sign(&f.ed, &without("jti")), "the assertion has no jti"),
    ];
    for (assertion, description) in cases {
        let (status, json) = f.bearer(&assertion, 0);
        assert_eq!(status, 400, "{description}: {json}");
        assert_eq!(json["error"], "invalid_grant", "{description}");
        assert_eq!(json["error_description"], description);
    }
    // Within the skew: accepted; the issuer is an accepted audience too.
    let skewed = with("exp", json!(NOW - 30));
    let mut skewed = skewed;
    skewed["aud"] = json!([ISSUER, "another"]);
    skewed["jti"] = json!("skewed");
    assert_eq!(f.bearer(&sign(&f.ed, &skewed), 0).0, 200);
}

#[test]
fn only_machine_to_machine_apps_use_the_jwt_grant() {
    let mut f = m2m(Profile::Rfc);
    let (_, web_id, web_secret) = {
        let key = jwk(&|buf| f.ed.public_key().write_jwk(None, buf).unwrap().to_owned());
        let keys = [key.as_str()];
        let mut spec = AppSpec::new("Web", AppKind::WebApp, &["https://web.example.com/cb"]);
        spec.public_keys = &keys;
        let created = f
            .server
            .registry_mut()
            .create(&spec, &mut other_rng(2))
            .unwrap();
        (
            (),
            created.client_id.to_string(),
            created.client_secret.unwrap().as_str().to_owned(),
        )
    };
    let mut claims = f.claims("user", "w-1");
    claims["iss"] = json!(web_id);
    let body = format!(
        "grant_type={}&assertion={}&client_id={}&client_secret={}",
        enc("urn:ietf:params:oauth:grant-type:jwt-bearer"),
        enc(&sign(&f.ed, &claims)),
        enc(&web_id),
        enc(&web_secret)
    );
    let (status, json) = f.post(&body, 0);
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("unauthorized_client")),
        "{json}"
    );
    // Missing assertion.
    let body = format!(
        "grant_type={}&client_id={}&client_secret={}",
        enc("urn:ietf:params:oauth:grant-type:jwt-bearer"),
        enc(&f.client_id),
        enc(&f.secret)
    );
    let (status, json) = f.post(&body, 0);
    assert_eq!(
        (status, json["error_description"].as_str()),
        (400, Some("assertion is required"))
    );
}

#[test]
fn private_key_jwt_authenticates_at_the_token_and_revocation_endpoints() {
    let mut f = m2m(Profile::Rfc);
    let client_assertion = |f: &M2m, jti: &str| {
        let claims = json!({"iss": f.client_id, "sub": f.client_id, "aud": TOKEN_URL,
                            "exp": NOW + 60, "jti": jti});
        sign(&f.es, &claims)
    };
    let kind = enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    // Client credentials with private_key_jwt and no client_id (the assertion's sub).
    let body = format!(
        "grant_type=client_credentials&client_assertion_type={kind}&client_assertion={}",
        enc(&client_assertion(&f, "c-1"))
    );
    let (status, json) = f.post(&body, 0);
    assert_eq!(status, 200, "{json}");
    let access = json["access_token"].as_str().unwrap().to_owned();
    // Replayed: refused.
    let (status, json) = f.post(&body, 1);
    assert_eq!(
        (status, json["error"].as_str()),
        (401, Some("invalid_client")),
        "{json}"
    );
    assert_eq!(
        json["error_description"],
        "the client assertion's jti was already used"
    );
    // sub must be the client.
    let mut claims = json!({"iss": f.client_id, "sub": "user", "aud": TOKEN_URL,
                            "exp": NOW + 60, "jti": "c-2"});
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_assertion_type={kind}&client_assertion={}",
        enc(&f.client_id),
        enc(&sign(&f.es, &claims))
    );
    let (_, json) = f.post(&body, 1);
    assert_eq!(
        json["error_description"],
        "the assertion's sub is not the client id"
    );
    // Together with a secret: refused.
    claims["sub"] = json!(f.client_id);
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&client_assertion_type={kind}&client_assertion={}",
        enc(&f.client_id),
        enc(&f.secret),
        enc(&sign(&f.es, &claims))
    );
    let (_, json) = f.post(&body, 1);
    assert_eq!(
        json["error_description"],
        "more than one client authentication method"
    );
    // Another assertion type.
    let body = format!(
        "grant_type=client_credentials&client_assertion_type=saml&client_assertion={}",
        enc(&client_assertion(&f, "c-3"))
    );
    assert_eq!(f.post(&body, 1).1["error"], "invalid_client");

    // The app's share of the assertion ids holds for client assertions too: the
    // refusal says to retry, not that the client is unknown.
    let mut refused = 0;
    for i in 0..30 {
        let body = format!(
            "grant_type=client_credentials&client_assertion_type={kind}&client_assertion={}",
            enc(&client_assertion(&f, &format!("many-{i}")))
        );
        let (status, json) = f.post(&body, 1);
        if status != 200 {
            refused += 1;
            assert_eq!(json["error"], "temporarily_unavailable", "{json}");
        }
    }
    assert!(refused > 0);
    // Revocation with private_key_jwt (once those assertions expired).
    let late = json!({"iss": f.client_id, "sub": f.client_id, "aud": TOKEN_URL,
                      "iat": NOW + 200, "exp": NOW + 260, "jti": "r-1"});
    let body = format!(
        "token={}&client_assertion_type={kind}&client_assertion={}",
        enc(&access),
        enc(&sign(&f.es, &late))
    );
    let request = TokenRequest {
        method: "POST",
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
    };
    let mut buf = [0u8; 1024];
    assert!(f.server.validate(&access, at(199)).is_ok());
    let response = f.server.revoke(&request, at(200), &mut buf).unwrap();
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(f.server.validate(&access, at(201)).is_err());
}

#[test]
fn workfront_exchanges_a_jwt_for_a_session_id() {
    let mut f = m2m(Profile::Workfront);
    let exchange_token = |f: &mut M2m, token: &str| {
        let body = json!({"client_id": f.client_id, "client_secret": f.secret,
                          "jwt_token": token})
        .to_string();
        let request = TokenRequest {
            method: "POST",
            content_type: Some("application/json"),
            authorization: None,
            body: body.as_bytes(),
        };
        let mut buf = [0u8; 1024];
        let response = f
            .server
            .jwt_exchange(&request, at(0), &mut rng(), &mut buf)
            .unwrap();
        (
            response.status,
            serde_json::from_str::<Value>(response.body).unwrap(),
        )
    };
    let exchange = |f: &mut M2m, claims: &Value| {
        let token = sign(&f.ed, claims);
        exchange_token(f, &token)
    };
    // Workfront's claims: exp, iss (the customer id here), sub; no aud, no jti.
    let claims = json!({"exp": NOW + 240, "iss": "customer-7", "sub": "user@acme.com"});
    let (status, json) = exchange(&mut f, &claims);
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["token_type"], "sessionID");
    assert!(json.get("refresh_token").is_none());
    let info = f
        .server
        .validate(json["access_token"].as_str().unwrap(), at(1))
        .unwrap();
    assert_eq!(info.subject.as_str(), "user@acme.com");
    // Without a jti, the same JWT (its signing input) is accepted once.
    let (status, json) = exchange(&mut f, &claims);
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(json["error_description"], "the assertion was already used");
    // Whitespace around it is still the same JWT.
    let token = sign(&f.ed, &claims);
    for spaced in [format!(" {token}"), format!("\n{token} ")] {
        let (status, json) = exchange_token(&mut f, &spaced);
        assert_eq!(
            (status, json["error"].as_str()),
            (400, Some("invalid_grant")),
            "{json}"
        );
        assert_eq!(json["error_description"], "the assertion was already used");
    }
    let another = json!({"exp": NOW + 241, "iss": "customer-7", "sub": "user@acme.com"});
    assert_eq!(exchange(&mut f, &another).0, 200);
    // The customer id is an iss of Workfront's exchange only, not of RFC 7523's grant.
    let rfc = json!({"iss": "customer-7", "sub": "u", "aud": TOKEN_URL,
                     "exp": NOW + 60, "jti": "rfc-1"});
    let (status, json) = f.bearer(&sign(&f.ed, &rfc), 0);
    assert_eq!(
        (status, json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(
        json["error_description"],
        "the assertion's iss is not the client id"
    );
    for (claims, description) in [
        (
            json!({"iss": "customer-7", "sub": "u"}),
            "the assertion has no exp",
        ),
        (
            json!({"exp": NOW + 400, "iss": "customer-7", "sub": "u"}),
            "the assertion's exp is more than 5 minutes ahead",
        ),
        (
            json!({"exp": NOW + 60, "iss": "other", "sub": "u"}),
            "the assertion's iss is not the client id",
        ),
        (
            json!({"exp": NOW + 60, "iss": "customer-7"}),
            "the assertion has no sub, or it is too long",
        ),
    ] {
        let (status, json) = exchange(&mut f, &claims);
        assert_eq!(
            (status, json["error"].as_str()),
            (400, Some("invalid_grant")),
            "{json}"
        );
        assert_eq!(json["error_description"], description);
    }
}

#[test]
fn keys_are_read_at_registration_and_the_jti_table_has_a_quota() {
    let mut f = m2m(Profile::Rfc);
    let signing = jwk(&|buf| f.es.public_key().write_jwk(None, buf).unwrap().to_owned());
    let enc_key = signing.replacen('{', r#"{"use":"enc","#, 1);
    for (keys, error) in [
        (
            vec!["not a key"],
            AppError::UnreadablePublicKey { index: 0 },
        ),
        (
            vec![r#"{"kty":"oct","k":"AA"}"#],
            AppError::UnreadablePublicKey { index: 0 },
        ),
        // A key marked for encryption signs nothing.
        (vec![&enc_key], AppError::UnreadablePublicKey { index: 0 }),
        (
            vec!["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"],
            AppError::UnreadablePublicKey { index: 0 },
        ),
        (vec!["a"; 5], AppError::InvalidPublicKeys),
    ] {
        let mut spec = AppSpec::new("Bad", AppKind::MachineToMachine, &[]);
        spec.public_keys = &keys;
        assert_eq!(
            f.server
                .registry_mut()
                .create(&spec, &mut rng())
                .unwrap_err(),
            error
        );
    }
    let key = jwk(&|buf| f.ed.public_key().write_jwk(None, buf).unwrap().to_owned());
    let keys = [key.as_str()];
    let mut spec = AppSpec::new("Spa", AppKind::SinglePage, &["https://spa.example.com/cb"]);
    spec.public_keys = &keys;
    assert_eq!(
        f.server
            .registry_mut()
            .create(&spec, &mut rng())
            .unwrap_err(),
        AppError::InvalidPublicKeys
    );
    // A certificate-less RSA public key PEM is stored as its JWK.
    let rsa = rsa::PrivateKey::new(&mut rand::rng(), 2048).unwrap();
    let pem = rsa::pkcs8::EncodePublicKey::to_public_key_pem(
        &rsa.to_public_key(),
        rsa::pkcs8::LineEnding::LF,
    )
    .unwrap();
    let keys = [pem.as_str()];
    let mut spec = AppSpec::new("Rsa", AppKind::MachineToMachine, &[]);
    spec.public_keys = &keys;
    let created = f
        .server
        .registry_mut()
        .create(&spec, &mut other_rng(3))
        .unwrap();
    let stored: Vec<_> = f
        .server
        .registry()
        .get(&created.client_id)
        .unwrap()
        .public_keys()
        .collect();
    assert!(
        stored[0].starts_with(r#"{"kty":"RSA","n":""#),
        "{}",
        stored[0]
    );

    // The app's share of the jti table: 256 ids over 10 app slots.
    let mut accepted = 0;
    for i in 0..30 {
        let (status, json) = f.bearer(&sign(&f.ed, &f.claims("user", &format!("q-{i}"))), 0);
        if status == 200 {
            accepted += 1;
        } else {
            assert_eq!(json["error"], "temporarily_unavailable", "{json}");
            assert_eq!(
                json["error_description"],
                "too many live assertions for this app; retry later"
            );
        }
    }
    assert_eq!(accepted, 25);
    // Once the assertions expire (exp + skew), room again.
    let mut late = f.claims("user", "late");
    late["exp"] = json!(NOW + 500);
    late["iat"] = json!(NOW + 400);
    assert_eq!(f.bearer(&sign(&f.ed, &late), 400).0, 200);
}

#[test]
fn the_client_writes_jwt_grants_the_server_accepts() {
    use authcode::client::{CredentialsAuth, CredentialsClient, CredentialsOutcome, JwtGrant};
    for profile in [Profile::Rfc, Profile::Workfront] {
        let mut f = m2m(profile);
        let url = if profile == Profile::Workfront {
            "https://as.example.com/integrations/oauth2/api/v1/jwt/exchange"
        } else {
            TOKEN_URL
        };
        let mut client =
            CredentialsClient::new(profile, url, &f.client_id, CredentialsAuth::Post(&f.secret))
                .unwrap();
        let grant = if profile == Profile::Workfront {
            JwtGrant::workfront("user-9")
        } else {
            JwtGrant::rfc7523("user-9", TOKEN_URL)
        };
        let mut buf = [0u8; 8192];
        let request = client
            .jwt_grant_request(&grant, &f.es, &mut rng(), at(0), &mut buf)
            .unwrap();
        assert_eq!(request.url, url);
        let token_request = TokenRequest {
            method: "POST",
            content_type: Some(request.content_type),
            authorization: request.authorization,
            body: request.body.as_bytes(),
        };
        let mut out = [0u8; 1024];
        let response = if profile == Profile::Workfront {
            assert!(request.body.contains("jwt_token="), "{}", request.body);
            f.server
                .jwt_exchange(&token_request, at(0), &mut rng(), &mut out)
        } else {
            assert!(request.body.contains("assertion="), "{}", request.body);
            f.server.token(&token_request, at(0), &mut rng(), &mut out)
        }
        .unwrap();
        assert_eq!(response.status, 200, "{}", response.body);
        let body = response.body.to_owned();
        assert_eq!(
            client
                .on_token_response(200, body.as_bytes(), at(0))
                .unwrap(),
            CredentialsOutcome::Issued
        );
        let token = client.access_token(at(1)).unwrap();
        assert_eq!(
            f.server.validate(token, at(1)).unwrap().subject.as_str(),
            "user-9"
        );
    }
}
