//! Several `authcode serve` processes sharing one real Redis (Debian's `redis-server`,
//! one per test on a free port in a temporary directory), over HTTP on loopback.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use core::time::Duration;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode_store_redis::testing::{RedisServer, available};
use serde_json::{Value, json};

const ADMIN: &str = "admin-token-for-tests";
const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// One `authcode serve` process.
struct Node {
    child: Child,
    base: String,
}

impl Node {
    fn start(redis: &RedisServer, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_authcode"))
            .args([
                "serve",
                "--rfc",
                "--port",
                "0",
                "--admin-token",
                ADMIN,
                "--store",
                &redis.url(),
            ])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("serve exited before listening")
                .unwrap();
            if let Some(url) = line.strip_prefix("authcode serve listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, base }
    }

    fn auto(redis: &RedisServer) -> Self {
        Self::start(redis, &["--auto-approve", "user-*"])
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn redis() -> RedisServer {
    assert!(available(), "needs redis-server");
    RedisServer::start().unwrap()
}

fn body_json(response: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.into_body().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn create_app(node: &Node, name: &str) -> String {
    create_app_with(
        node,
        json!({ "name": name, "kind": "single-page", "redirect_uris": [REDIRECT] }),
    )
}

fn create_app_with(node: &Node, app: Value) -> String {
    let response = agent()
        .post(&format!("{}/integrations/oauth2/admin/apps", node.base))
        .header("Authorization", &format!("Bearer {ADMIN}"))
        .header("Content-Type", "application/json")
        .send(app.to_string())
        .unwrap();
    let (status, body) = body_json(response);
    assert_eq!(status, 201, "{body}");
    body["client_id"].as_str().unwrap().to_owned()
}

fn pkce(seed: u8) -> (Verifier, String) {
    let verifier = Verifier::generate(&mut Seeded(seed), VerifierLength::DEFAULT).unwrap();
    let challenge = Challenge::s256(&verifier).to_string();
    (verifier, challenge)
}

/// A small deterministic generator for verifiers (the test needs distinct ones, not
/// secret ones).
struct Seeded(u8);

impl rand_core::TryRng for Seeded {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(u32::from(self.0))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(u64::from(self.0))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for byte in dst {
            self.0 = self.0.wrapping_mul(29).wrapping_add(11);
            *byte = self.0;
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for Seeded {}

fn authorize_query(client_id: &str, challenge: &str) -> String {
    format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256&state=s",
        enc(client_id),
        enc(REDIRECT)
    )
}

/// Authorizes at an auto-approving node: the code, or the status when there is none.
fn code_at(node: &Node, client_id: &str, challenge: &str) -> Result<String, u16> {
    let response = agent()
        .get(&format!(
            "{}/integrations/oauth2/authorize?{}",
            node.base,
            authorize_query(client_id, challenge)
        ))
        .call()
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    location
        .and_then(|location| {
            url::Url::parse(&location)
                .ok()?
                .query_pairs()
                .find(|(name, _)| name == "code")
                .map(|(_, code)| code.into_owned())
        })
        .ok_or(status)
}

fn token(node: &Node, form: &str) -> (u16, Value) {
    body_json(
        agent()
            .post(&format!("{}/integrations/oauth2/api/v1/token", node.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(form)
            .unwrap(),
    )
}

fn exchange(node: &Node, client_id: &str, code: &str, verifier: &Verifier) -> (u16, Value) {
    token(
        node,
        &format!(
            "grant_type=authorization_code&client_id={}&code={}&redirect_uri={}&code_verifier={}",
            enc(client_id),
            enc(code),
            enc(REDIRECT),
            verifier.as_str()
        ),
    )
}

fn refresh(node: &Node, client_id: &str, refresh_token: &str) -> (u16, Value) {
    token(
        node,
        &format!(
            "grant_type=refresh_token&client_id={}&refresh_token={}",
            enc(client_id),
            enc(refresh_token)
        ),
    )
}

fn api(node: &Node, access: &str) -> u16 {
    agent()
        .get(&format!("{}/attask/api/v15.0/task/search", node.base))
        .header("Authorization", &format!("Bearer {access}"))
        .call()
        .unwrap()
        .status()
        .as_u16()
}

fn text(json: &Value, field: &str) -> String {
    json[field].as_str().unwrap_or_default().to_owned()
}

/// A whole grant for a new user at `issue`, exchanged at `redeem`: the token response.
fn grant(issue: &Node, redeem: &Node, client_id: &str, seed: u8) -> Value {
    let (verifier, challenge) = pkce(seed);
    let code = code_at(issue, client_id, &challenge).unwrap();
    let (status, json) = exchange(redeem, client_id, &code, &verifier);
    assert_eq!(status, 200, "{json}");
    json
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn two_nodes_share_codes_grants_and_admin_changes() {
    let redis = redis();
    let a = Node::auto(&redis);
    let b = Node::auto(&redis);
    let app = create_app(&a, "Shared");
    // The other node lists it at once.
    let response = agent()
        .get(&format!("{}/integrations/oauth2/admin/apps", b.base))
        .header("Authorization", &format!("Bearer {ADMIN}"))
        .call()
        .unwrap();
    let (_, listed) = body_json(response);
    assert_eq!(listed["apps"][0]["client_id"], app.as_str(), "{listed}");
    // Issued at A, redeemed at B, refreshed at A, used at both.
    let tokens = grant(&a, &b, &app, 1);
    let (status, refreshed) = refresh(&a, &app, &text(&tokens, "refresh_token"));
    assert_eq!(status, 200, "{refreshed}");
    let access = text(&refreshed, "access_token");
    assert_eq!((api(&a, &access), api(&b, &access)), (200, 200));
    // Round trips to Redis are measured; the grant shows in the app's occupancy.
    let metrics = agent()
        .get(&format!("{}/metrics", a.base))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(
        metrics.contains("authcode_store_round_trip_seconds_count "),
        "{metrics}"
    );
    assert!(
        !metrics.contains("authcode_store_round_trip_seconds_count 0\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            "authcode_app_table_entries{{client_id=\"{app}\",table=\"grants\"}} 1"
        )),
        "{metrics}"
    );
    // Everything of the subject ended at B: gone at A.
    let response = agent()
        .delete(&format!(
            "{}/integrations/oauth2/admin/subjects/user-0/grants",
            b.base
        ))
        .header("Authorization", &format!("Bearer {ADMIN}"))
        .call()
        .unwrap();
    let (status, body) = body_json(response);
    assert_eq!((status, body["revoked"].as_u64()), (200, Some(1)), "{body}");
    assert_eq!(api(&a, &access), 401);
    // The app deleted at B: a new login at A is refused, A's tokens stop.
    let tokens = grant(&a, &a, &app, 2);
    let response = agent()
        .delete(&format!("{}/integrations/oauth2/admin/apps/{app}", b.base))
        .header("Authorization", &format!("Bearer {ADMIN}"))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(api(&a, &text(&tokens, "access_token")), 401);
    let (_, challenge) = pkce(3);
    assert_eq!(code_at(&a, &app, &challenge), Err(400));
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn a_consent_page_shown_by_one_node_is_decided_at_another_once() {
    let redis = redis();
    let a = Node::start(&redis, &[]);
    let b = Node::start(&redis, &[]);
    // Registered at B with a description: A's page shows it.
    let app = create_app_with(
        &b,
        json!({ "name": "Consent", "kind": "single-page", "redirect_uris": [REDIRECT],
                "description": "Shared description" }),
    );
    let (_, challenge) = pkce(4);
    let query = authorize_query(&app, &challenge);
    let page = agent()
        .get(&format!("{}/integrations/oauth2/authorize?{query}", a.base))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(page.contains("Shared description"), "{page}");
    let token = page
        .split("name=\"consent_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let decide = |node: &Node| {
        agent()
            .post(&format!(
                "{}/integrations/oauth2/authorize/decision",
                node.base
            ))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(format!(
                "query={}&username=zoe&consent_token={token}&decision=allow",
                enc(&query)
            ))
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        decide(&b),
        303,
        "the page's token is known at the other node"
    );
    assert_eq!(decide(&a), 403, "and spent at every node");
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn a_node_killed_with_sigkill_restarts_with_every_app_grant_and_token() {
    let redis = redis();
    let mut a = Node::auto(&redis);
    let app = create_app(&a, "Survivor");
    let tokens = grant(&a, &a, &app, 5);
    a.kill();
    let a = Node::auto(&redis);
    assert_eq!(api(&a, &text(&tokens, "access_token")), 200);
    let (status, json) = refresh(&a, &app, &text(&tokens, "refresh_token"));
    assert_eq!(status, 200, "{json}");
    let response = agent()
        .get(&format!("{}/integrations/oauth2/admin/apps", a.base))
        .header("Authorization", &format!("Bearer {ADMIN}"))
        .call()
        .unwrap();
    let (_, body) = body_json(response);
    assert_eq!(body["apps"][0]["client_id"], app.as_str(), "{body}");
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn while_redis_is_away_nodes_answer_503_never_500_and_recover_on_the_next_request() {
    assert!(available(), "needs redis-server");
    let mut redis = RedisServer::start_with(&[
        ("appendonly", "yes"),
        ("appendfsync", "always"),
        ("save", ""),
    ])
    .unwrap();
    let a = Node::auto(&redis);
    let b = Node::auto(&redis);
    let app = create_app(&a, "Outage");
    // Logins at both nodes while Redis is killed and brought back.
    let mut received = Vec::new();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let mut seed = 10u8;
    let mut login = |node: &Node, received: &mut Vec<Value>| {
        seed = seed.wrapping_add(1);
        let (verifier, challenge) = pkce(seed);
        match code_at(node, &app, &challenge) {
            Ok(code) => {
                let (status, json) = exchange(node, &app, &code, &verifier);
                if status == 200 {
                    received.push(json);
                }
                status
            }
            Err(status) => status,
        }
    };
    for round in 0..60 {
        if round == 20 {
            redis.kill();
        }
        if round == 40 {
            redis.restart().unwrap();
        }
        let node = if round % 2 == 0 { &a } else { &b };
        let status = login(node, &mut received);
        *statuses.entry(status).or_default() += 1;
        if (20..40).contains(&round) {
            assert_eq!(status, 503, "round {round}: Redis is away");
        } else {
            assert_eq!(status, 200, "round {round}: Redis is there");
        }
    }
    assert!(!statuses.contains_key(&500), "{statuses:?}");
    // Every token a client received is still valid after Redis came back.
    for json in &received {
        assert_eq!(api(&b, &text(json, "access_token")), 200);
    }
    // The 503 carries Retry-After and the OAuth error.
    redis.kill();
    let response = agent()
        .post(&format!("{}/integrations/oauth2/api/v1/token", a.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("grant_type=refresh_token&client_id=x&refresh_token=y")
        .unwrap();
    assert_eq!(response.headers().get("retry-after").unwrap(), "1");
    let (status, json) = body_json(response);
    assert_eq!(
        (status, text(&json, "error").as_str()),
        (503, "temporarily_unavailable")
    );
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn a_store_that_cannot_be_reached_stops_serve_with_exit_2_naming_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}/0");
    let output = Command::new(env!("CARGO_BIN_EXE_authcode"))
        .args(["serve", "--port", "0", "--store", &url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&url), "{stderr}");
    assert!(stderr.contains("cannot reach Redis"), "{stderr}");
}

#[test]
#[ignore = "needs redis-server (Debian package; .ci/run installs it)"]
fn redis_killed_under_concurrent_load_gives_only_200_or_503_and_loses_no_token() {
    assert!(available(), "needs redis-server");
    let mut redis = RedisServer::start_with(&[
        ("appendonly", "yes"),
        ("appendfsync", "always"),
        ("save", ""),
    ])
    .unwrap();
    let a = std::sync::Arc::new(Node::auto(&redis));
    let b = std::sync::Arc::new(Node::auto(&redis));
    let app = create_app(&a, "Load");
    let stop = std::sync::Arc::new(core::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = (0..6u8)
        .map(|worker| {
            let (issue, redeem) = if worker % 2 == 0 {
                (std::sync::Arc::clone(&a), std::sync::Arc::clone(&b))
            } else {
                (std::sync::Arc::clone(&b), std::sync::Arc::clone(&a))
            };
            let (app, stop) = (app.clone(), std::sync::Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut statuses = Vec::new();
                let mut received = Vec::new();
                let mut seed = worker.wrapping_mul(40);
                // Bounded: at most 2 000 logins per worker, and it stops when told.
                for _ in 0..2_000 {
                    if stop.load(core::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    seed = seed.wrapping_add(1);
                    let (verifier, challenge) = pkce(seed);
                    match code_at(&issue, &app, &challenge) {
                        Ok(code) => {
                            let (status, json) = exchange(&redeem, &app, &code, &verifier);
                            statuses.push(status);
                            if status == 200 {
                                received.push(text(&json, "access_token"));
                            }
                        }
                        Err(status) => statuses.push(status),
                    }
                }
                (statuses, received)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    redis.kill();
    std::thread::sleep(Duration::from_millis(300));
    redis.restart().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, core::sync::atomic::Ordering::Relaxed);
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    let mut received = Vec::new();
    for worker in workers {
        let (seen, tokens) = worker.join().unwrap();
        for status in seen {
            *statuses.entry(status).or_default() += 1;
        }
        received.extend(tokens);
    }
    assert!(
        statuses.keys().all(|status| matches!(status, 200 | 503)),
        "{statuses:?}"
    );
    assert!(statuses.contains_key(&503), "Redis was away: {statuses:?}");
    for access in &received {
        assert_eq!(api(&a, access), 200, "a token a client received was lost");
    }
    // Back at once.
    let tokens = grant(&a, &b, &app, 250);
    assert_eq!(api(&b, &text(&tokens, "access_token")), 200);
}
