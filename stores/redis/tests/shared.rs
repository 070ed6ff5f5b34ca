//! Several servers ("nodes") sharing one real Redis: each test starts its own
//! `redis-server` on a free port in a temporary directory.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};

use authcode::Timestamp;
use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode::server::{
    AppKind, AppSpec, GrantStore, Quotas, RESPONSE_BUFFER_LEN, Server, ServerConfig, StoreError,
    TokenRequest,
};
use authcode_store_redis::testing::{RedisServer, available};
use authcode_store_redis::{Published, RedisConfig, RedisStore, with_current_registry};
use rand::SeedableRng;
use rand::rngs::StdRng;

type Node = Server<RedisStore>;

const REDIRECT: &str = "https://app.example/cb";
const NEEDS: &str = "needs redis-server (Debian package; .ci/run installs it)";

fn redis() -> RedisServer {
    assert!(available(), "{NEEDS}");
    RedisServer::start().unwrap()
}

fn at(seconds: u64) -> Timestamp {
    Timestamp::from_unix_seconds(1_900_000_000 + seconds)
}

fn node_with(redis: &RedisServer, config: ServerConfig) -> Node {
    let (store, version) = RedisStore::connect(RedisConfig::new(&redis.url())).unwrap();
    assert!(version.starts_with(char::is_numeric), "{version}");
    let mut node = Server::new(config, store);
    sync(&mut node);
    node
}

fn node(redis: &RedisServer) -> Node {
    node_with(redis, ServerConfig::new(Profile::Rfc))
}

/// Loads the shared registry into the node.
fn sync(node: &mut Node) {
    if let Some(registry) = node.store_mut().load_registry::<10>().unwrap() {
        *node.registry_mut() = registry;
    }
}

/// Runs `call`, reloading the registry and running it again while the store says the
/// node's registry is stale (what `authcode serve` does around every request).
fn call<R>(node: &mut Node, call: impl FnMut(&mut Node) -> R) -> R {
    with_current_registry(node, call).unwrap()
}

/// Registers a public app at `node` and publishes the registry.
fn create_app(node: &mut Node, name: &str) -> String {
    loop {
        let spec = AppSpec::new(name, AppKind::SinglePage, &[REDIRECT]);
        let created = node
            .registry_mut()
            .create(&spec, &mut rand::make_rng::<StdRng>())
            .unwrap();
        let registry = node.registry().clone();
        match node.store_mut().publish_registry(&registry).unwrap() {
            Published::Installed(_) => return created.client_id.to_string(),
            Published::Stale => sync(node),
        }
    }
}

fn publish(node: &mut Node) {
    let registry = node.registry().clone();
    assert!(matches!(
        node.store_mut().publish_registry(&registry).unwrap(),
        Published::Installed(_)
    ));
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn params(location: &str) -> BTreeMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Authorizes `client_id` for `subject` at `node`: (code, verifier) or the redirect's error.
fn authorize(
    node: &mut Node,
    client_id: &str,
    subject: &str,
    seed: u64,
    now: Timestamp,
) -> Result<(String, Verifier), String> {
    let verifier =
        Verifier::generate(&mut StdRng::seed_from_u64(seed), VerifierLength::DEFAULT).unwrap();
    let challenge = Challenge::s256(&verifier).to_string();
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256&state=s&scope=read",
        enc(client_id),
        enc(REDIRECT)
    );
    let location = call(node, |node| {
        let mut buf = [0u8; 2048];
        node.authorize(
            query.as_bytes(),
            subject,
            now,
            &mut StdRng::seed_from_u64(seed ^ 0xabcd),
            &mut buf,
        )
        .map(|redirect| redirect.location.to_owned())
    })
    .unwrap();
    let params = params(&location);
    match params.get("code") {
        Some(code) => Ok((code.clone(), verifier)),
        None => Err(params.get("error").cloned().unwrap_or_default()),
    }
}

/// Runs the token endpoint: (status, JSON).
fn token(node: &mut Node, body: &str, now: Timestamp, seed: u64) -> (u16, serde_json::Value) {
    call(node, |node| {
        let request = TokenRequest {
            method: "POST",
            content_type: Some("application/x-www-form-urlencoded"),
            authorization: None,
            body: body.as_bytes(),
        };
        let mut buf = vec![0u8; RESPONSE_BUFFER_LEN];
        let response = node
            .token(&request, now, &mut StdRng::seed_from_u64(seed), &mut buf)
            .unwrap();
        (
            response.status,
            serde_json::from_str(response.body).unwrap(),
        )
    })
}

fn exchange_body(client_id: &str, code: &str, verifier: &Verifier) -> String {
    format!(
        "grant_type=authorization_code&client_id={}&code={}&redirect_uri={}&code_verifier={}",
        enc(client_id),
        enc(code),
        enc(REDIRECT),
        verifier.as_str()
    )
}

fn refresh_body(client_id: &str, refresh: &str) -> String {
    format!(
        "grant_type=refresh_token&client_id={}&refresh_token={}",
        enc(client_id),
        enc(refresh)
    )
}

fn valid(node: &mut Node, access: &str, now: Timestamp) -> bool {
    call(node, |node| node.validate(access, now).is_ok())
}

fn text(json: &serde_json::Value, field: &str) -> String {
    json[field].as_str().unwrap_or_default().to_owned()
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn a_code_issued_at_one_node_is_redeemed_and_refreshed_at_another() {
    let redis = redis();
    let mut a = node(&redis);
    let mut b = node(&redis);
    let app = create_app(&mut a, "Shared");
    let (code, verifier) = authorize(&mut a, &app, "alice", 1, at(0)).unwrap();
    let (status, json) = token(&mut b, &exchange_body(&app, &code, &verifier), at(1), 2);
    assert_eq!(status, 200, "{json}");
    let access = text(&json, "access_token");
    assert!(valid(&mut a, &access, at(2)));
    assert!(valid(&mut b, &access, at(2)));
    // A refresh at B of the grant made at A, then the next one at A.
    let (status, json) = token(
        &mut b,
        &refresh_body(&app, &text(&json, "refresh_token")),
        at(3),
        3,
    );
    assert_eq!(status, 200, "{json}");
    let (status, json) = token(
        &mut a,
        &refresh_body(&app, &text(&json, "refresh_token")),
        at(4),
        4,
    );
    assert_eq!(status, 200, "{json}");
    assert!(valid(&mut b, &text(&json, "access_token"), at(5)));
    // Redis holds digests only: no code, token or verifier text anywhere in it.
    let mut connection = redis::Client::open(redis.url())
        .unwrap()
        .get_connection()
        .unwrap();
    let keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(&mut connection).unwrap();
    let mut everything = Vec::new();
    for key in keys {
        everything.extend_from_slice(&key);
        let dump: Option<Vec<u8>> = redis::cmd("DUMP").arg(&key).query(&mut connection).unwrap();
        everything.extend(dump.unwrap_or_default());
    }
    for secret in [
        code.as_str(),
        verifier.as_str(),
        access.as_str(),
        &access[16..],
    ] {
        assert!(
            !everything
                .windows(secret.len())
                .any(|window| window == secret.as_bytes()),
            "{secret} is stored in clear"
        );
    }
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn one_code_raced_from_32_threads_at_two_nodes_is_redeemed_once_and_the_replay_revokes() {
    let redis = redis();
    let mut a = node(&redis);
    let app = create_app(&mut a, "Raced");
    let (code, verifier) = authorize(&mut a, &app, "bob", 1, at(0)).unwrap();
    let body = exchange_body(&app, &code, &verifier);
    let barrier = Arc::new(Barrier::new(32));
    let threads: Vec<_> = (0..32)
        .map(|thread| {
            let (url, body, barrier) = (redis.url(), body.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                // 16 connections stand for node A, 16 for node B: each is its own server.
                let (store, _) = RedisStore::connect(RedisConfig::new(&url)).unwrap();
                let mut node = Server::new(ServerConfig::new(Profile::Rfc), store);
                sync(&mut node);
                barrier.wait();
                token(&mut node, &body, at(1), thread)
            })
        })
        .collect();
    let answers: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let winners: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    for (status, json) in answers.iter().filter(|(status, _)| *status != 200) {
        assert_eq!(
            (*status, text(json, "error").as_str()),
            (400, "invalid_grant"),
            "{json}"
        );
    }
    // The replays revoked what the winner got, at both nodes.
    let access = text(&winners[0].1, "access_token");
    let mut b = node(&redis);
    assert!(!valid(&mut a, &access, at(2)));
    assert!(!valid(&mut b, &access, at(2)));
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn a_rotating_refresh_token_raced_across_nodes_wins_at_most_once_and_reuse_ends_the_grant() {
    let redis = redis();
    let mut a = node(&redis);
    let app = create_app(&mut a, "Rotating");
    let (code, verifier) = authorize(&mut a, &app, "carol", 1, at(0)).unwrap();
    let (_, json) = token(&mut a, &exchange_body(&app, &code, &verifier), at(1), 1);
    let body = refresh_body(&app, &text(&json, "refresh_token"));
    let barrier = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|thread| {
            let (url, body, barrier) = (redis.url(), body.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let (store, _) = RedisStore::connect(RedisConfig::new(&url)).unwrap();
                let mut node = Server::new(ServerConfig::new(Profile::Rfc), store);
                sync(&mut node);
                barrier.wait();
                token(&mut node, &body, at(2), 100 + thread)
            })
        })
        .collect();
    let answers: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let winners: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == 200)
        .collect();
    assert!(winners.len() <= 1, "{answers:?}");
    // Every loser presented a token that had been rotated out: the grant is over, so
    // the winner's tokens (if any) are dead too.
    if let Some((_, json)) = winners.first() {
        let mut b = node(&redis);
        assert!(!valid(&mut b, &text(json, "access_token"), at(3)));
        let (status, _) = token(
            &mut b,
            &refresh_body(&app, &text(json, "refresh_token")),
            at(3),
            9,
        );
        assert_eq!(status, 400);
    }
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn reuse_of_a_token_rotated_out_two_generations_ago_ends_the_grant_at_every_node() {
    let redis = redis();
    let mut a = node(&redis);
    let mut b = node(&redis);
    let app = create_app(&mut a, "Depth");
    let (code, verifier) = authorize(&mut a, &app, "dave", 1, at(0)).unwrap();
    let (_, r0) = token(&mut a, &exchange_body(&app, &code, &verifier), at(1), 1);
    let (status, r1) = token(
        &mut b,
        &refresh_body(&app, &text(&r0, "refresh_token")),
        at(2),
        2,
    );
    assert_eq!(status, 200);
    let (status, r2) = token(
        &mut b,
        &refresh_body(&app, &text(&r1, "refresh_token")),
        at(3),
        3,
    );
    assert_eq!(status, 200);
    let (status, json) = token(
        &mut a,
        &refresh_body(&app, &text(&r0, "refresh_token")),
        at(4),
        4,
    );
    assert_eq!(
        (status, text(&json, "error").as_str()),
        (400, "invalid_grant")
    );
    assert!(!valid(&mut a, &text(&r2, "access_token"), at(5)));
    assert!(!valid(&mut b, &text(&r2, "access_token"), at(5)));
    let (status, _) = token(
        &mut b,
        &refresh_body(&app, &text(&r2, "refresh_token")),
        at(5),
        5,
    );
    assert_eq!(status, 400);
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn admin_changes_at_one_node_hold_at_the_other_on_its_next_request() {
    let redis = redis();
    let mut a = node(&redis);
    let mut b = node(&redis);
    // An app created at A is known at B at once.
    let app = create_app(&mut a, "Created at A");
    let (code, verifier) = authorize(&mut b, &app, "erin", 1, at(0)).unwrap();
    let (status, json) = token(&mut a, &exchange_body(&app, &code, &verifier), at(1), 1);
    assert_eq!(status, 200, "{json}");
    let access = text(&json, "access_token");
    // All grants of a subject ended at A: gone at B.
    let ended = call(&mut a, |node| node.revoke_subject("erin")).unwrap();
    assert_eq!(ended, 1);
    assert!(!valid(&mut b, &access, at(2)));
    // A web app's secret rotated at A: the old one is refused at B, the new one works.
    let spec = AppSpec::new("Web", AppKind::WebApp, &[REDIRECT]);
    let web = a
        .registry_mut()
        .create(&spec, &mut StdRng::seed_from_u64(3))
        .unwrap();
    publish(&mut a);
    let old = web.client_secret.unwrap();
    let new = a
        .rotate_secret(
            &web.client_id,
            authcode::server::SecretRotation::default(),
            at(3),
            &mut StdRng::seed_from_u64(4),
        )
        .unwrap();
    publish(&mut a);
    let client_credentials = |secret: &str| {
        format!(
            "grant_type=refresh_token&client_id={}&client_secret={}&refresh_token=x",
            enc(&web.client_id),
            enc(secret)
        )
    };
    let (status, json) = token(&mut b, &client_credentials(old.as_str()), at(4), 5);
    assert_eq!(
        (status, text(&json, "error").as_str()),
        (401, "invalid_client")
    );
    let (status, json) = token(&mut b, &client_credentials(new.as_str()), at(4), 6);
    assert_eq!(
        (status, text(&json, "error").as_str()),
        (400, "invalid_grant")
    );
    // An app deleted at A: its codes and tokens stop working at B.
    let (code, verifier) = authorize(&mut b, &app, "frank", 2, at(5)).unwrap();
    let (_, json) = token(&mut b, &exchange_body(&app, &code, &verifier), at(6), 7);
    let access = text(&json, "access_token");
    assert!(valid(&mut b, &access, at(6)));
    call(&mut a, |node| node.delete_app(&app)).unwrap();
    publish(&mut a);
    assert!(!valid(&mut b, &access, at(7)));
    assert_eq!(
        authorize_error(&mut b, &app),
        "unknown client",
        "a deleted app cannot start a login at another node"
    );
}

/// What the authorization endpoint says about an app it must not know.
fn authorize_error(node: &mut Node, client_id: &str) -> &'static str {
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        enc(client_id),
        enc(REDIRECT)
    );
    let result = call(node, |node| {
        let mut buf = [0u8; 2048];
        node.authorize(
            query.as_bytes(),
            "x",
            at(8),
            &mut StdRng::seed_from_u64(1),
            &mut buf,
        )
        .map(|_| ())
    });
    match result {
        Err(authcode::server::AuthorizeError::UnknownClient) => "unknown client",
        _ => "something else",
    }
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn quotas_hold_across_nodes() {
    let redis = redis();
    let config = ServerConfig::new(Profile::Rfc)
        .with_quotas(Quotas {
            codes_per_app: Some(3),
            grants_per_app: Some(2),
            codes_per_subject: 2,
        })
        .unwrap();
    let mut a = node_with(&redis, config.clone());
    let mut b = node_with(&redis, config);
    let app = create_app(&mut a, "Quota");
    let other = create_app(&mut a, "Other");
    let third = create_app(&mut b, "Third");
    // The app's code quota: 3 live codes, two at A, one at B, the fourth refused at either.
    let mut codes = Vec::new();
    for (index, subject) in ["u1", "u2", "u3"].iter().enumerate() {
        let node = if index == 1 { &mut b } else { &mut a };
        codes.push(authorize(node, &app, subject, index as u64, at(0)).unwrap());
    }
    assert_eq!(
        authorize(&mut b, &app, "u4", 9, at(0)).unwrap_err(),
        "temporarily_unavailable"
    );
    // The subject's quota: two pending codes; a third for an app it has no code for is
    // refused at the other node, one for an app it has replaces that app's oldest.
    authorize(&mut a, &other, "u1", 10, at(0)).unwrap();
    assert_eq!(
        authorize(&mut b, &third, "u1", 11, at(0)).unwrap_err(),
        "temporarily_unavailable"
    );
    authorize(&mut b, &other, "u1", 12, at(0)).unwrap();
    // The grant quota: two grants, the third exchange refused — and its code stays live.
    for (index, (code, verifier)) in codes.iter().enumerate() {
        let node = if index == 0 { &mut a } else { &mut b };
        let (status, json) = token(
            node,
            &exchange_body(&app, code, verifier),
            at(1),
            index as u64,
        );
        if index < 2 {
            assert_eq!(status, 200, "{json}");
        } else {
            assert_eq!(
                (status, text(&json, "error").as_str()),
                (503, "temporarily_unavailable")
            );
        }
    }
    assert_eq!(call(&mut b, |node| node.usage(&app)).unwrap().grants, 2);
}

/// Posts a JWT bearer grant (RFC 7523 §2.1) for the machine-to-machine app.
fn jwt_grant(
    node: &mut Node,
    (client_id, secret): (&str, &str),
    assertion: &str,
    now: Timestamp,
) -> (u16, serde_json::Value) {
    let body = format!(
        "grant_type={}&assertion={}&client_id={}&client_secret={}",
        enc("urn:ietf:params:oauth:grant-type:jwt-bearer"),
        enc(assertion),
        enc(client_id),
        enc(secret)
    );
    token(node, &body, now, 7)
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn a_jwt_assertion_accepted_at_one_node_is_a_replay_at_every_other_and_after_a_restart() {
    use authcode::jose::{Ed25519Signer, sign_compact};
    let redis = redis();
    let issuer = "https://as.example";
    let config = ServerConfig::new(Profile::Rfc)
        .with_issuer(issuer)
        .unwrap()
        .with_quotas(Quotas {
            grants_per_app: Some(50),
            ..Quotas::default()
        })
        .unwrap();
    let mut a = node_with(&redis, config.clone());
    let mut b = node_with(&redis, config.clone());
    let signer = Ed25519Signer::from_bytes(&[9u8; 32], None).unwrap();
    let mut jwk = [0u8; 256];
    let jwk = signer.public_key().write_jwk(None, &mut jwk).unwrap();
    let keys = [jwk];
    let mut spec = AppSpec::new("Service", AppKind::MachineToMachine, &[]);
    spec.public_keys = &keys;
    let created = a
        .registry_mut()
        .create(&spec, &mut rand::make_rng::<StdRng>())
        .unwrap();
    let client_id = created.client_id.to_string();
    let secret = created.client_secret.unwrap().as_str().to_owned();
    publish(&mut a);
    let app = (client_id.as_str(), secret.as_str());
    let now = at(0).unix_seconds();
    let assertion = |jti: &str| {
        let claims = serde_json::json!({"iss": client_id, "sub": "user", "aud": issuer,
                                         "exp": now + 120, "jti": jti});
        let mut out = [0u8; 1024];
        sign_compact(&signer, "JWT", claims.to_string().as_bytes(), &mut out)
            .unwrap()
            .to_owned()
    };
    let once = assertion("once");
    let (status, json) = jwt_grant(&mut a, app, &once, at(1));
    assert_eq!(status, 200, "{json}");
    // The other node, and a node started afresh, both know it.
    let mut restarted = node_with(&redis, config);
    for node in [&mut b, &mut restarted, &mut a] {
        let (status, json) = jwt_grant(node, app, &once, at(2));
        assert_eq!(
            (status, text(&json, "error").as_str()),
            (400, "invalid_grant")
        );
        assert_eq!(
            text(&json, "error_description"),
            "the assertion's jti was already used"
        );
    }
    // Another jti is accepted at the other node.
    assert_eq!(jwt_grant(&mut b, app, &assertion("twice"), at(3)).0, 200);
    // The app's share of remembered ids holds across nodes: capacity 2^20 over 10 slots
    // leaves room; the ids expire with their assertions (exp + 60 s skew).
    assert_eq!(
        call(&mut a, |node| node.store_mut().purge(at(400))).unwrap(),
        2
    );
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn while_redis_is_away_every_operation_is_unavailable_and_changes_nothing_then_recovers() {
    let mut redis = redis();
    let mut a = node(&redis);
    let app = create_app(&mut a, "Outage");
    let (code, verifier) = authorize(&mut a, &app, "gail", 1, at(0)).unwrap();
    redis.kill();
    let (status, json) = token(&mut a, &exchange_body(&app, &code, &verifier), at(1), 1);
    assert_eq!(
        (status, text(&json, "error").as_str()),
        (503, "temporarily_unavailable")
    );
    assert!(a.store_mut().take_failed());
    assert_eq!(a.store_mut().purge(at(1)), Err(StoreError::Unavailable));
    redis.restart().unwrap();
    // Without persistence the data is gone, but the node works again at once.
    let app = create_app(&mut a, "After");
    let (code, verifier) = authorize(&mut a, &app, "gail", 2, at(2)).unwrap();
    let (status, json) = token(&mut a, &exchange_body(&app, &code, &verifier), at(3), 2);
    assert_eq!(status, 200, "{json}");
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn with_appendfsync_always_every_token_handed_out_survives_a_kill_9_of_redis() {
    assert!(available(), "{NEEDS}");
    let mut redis = RedisServer::start_with(&[
        ("appendonly", "yes"),
        ("appendfsync", "always"),
        ("save", ""),
    ])
    .unwrap();
    let mut a = node(&redis);
    let app = create_app(&mut a, "Durable");
    let mut tokens = Vec::new();
    for index in 0..20u64 {
        let (code, verifier) =
            authorize(&mut a, &app, &format!("user{index}"), index, at(0)).unwrap();
        let (status, json) = token(&mut a, &exchange_body(&app, &code, &verifier), at(1), index);
        assert_eq!(status, 200, "{json}");
        tokens.push(json);
    }
    redis.kill();
    redis.restart().unwrap();
    let mut b = node(&redis);
    for (index, json) in tokens.iter().enumerate() {
        assert!(
            valid(&mut b, &text(json, "access_token"), at(2)),
            "token {index}"
        );
        let (status, json) = token(
            &mut b,
            &refresh_body(&app, &text(json, "refresh_token")),
            at(3),
            50,
        );
        assert_eq!(status, 200, "{json}");
    }
}
