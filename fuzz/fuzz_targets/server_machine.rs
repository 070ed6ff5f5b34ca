//! The server driven by fuzzer-chosen operations, apps, users and times. Invariants after
//! every step:
//! - a code is redeemed at most once;
//! - no access token validates after its grant was revoked or after its expiry;
//! - a rotated-out refresh token of a live grant, when presented, ends the grant — however
//!   many rotations ago it was replaced;
//! - no app under its quota is refused for lack of room (a refusal names the app's or the
//!   user's own share, and the app really holds its quota);
//! - after every lifetime has passed and `purge_expired` ran, every table is empty;
//! - a client credentials token (a machine-to-machine app's) carries no refresh token,
//!   validates as an app token whose subject is the app, within the app's scope, never
//!   past its lifetime, and a scope beyond the app's is `invalid_scope`;
//! - a JWT bearer grant (RFC 7523) is accepted only with a JWT signed by the app's
//!   registered key and a `jti` not accepted before (while that earlier JWT could still be
//!   accepted); its token acts for the JWT's `sub`, as a JWT grant, without a refresh
//!   token; a JWT signed by another key is always `invalid_grant`;
//! - a registry written out and read back (serde, as a shared store reloads it) holds the
//!   same apps, and the server goes on exactly as before with it.
#![no_main]

mod common;

use std::collections::{HashMap, HashSet};

use arbitrary::Arbitrary;
use authcode::Timestamp;
use authcode::jose::{Ed25519Signer, JwsSigner, sign_compact};
use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode::server::{AppKind, AppSpec, InlineStorage, MemoryStore, RefreshPolicy, Server, ServerConfig, TokenRequest};
use libfuzzer_sys::fuzz_target;

type FuzzServer = Server<MemoryStore<InlineStorage<32, 32, 80>, 3>, 3>;

#[derive(Debug, Arbitrary)]
enum Op {
    Authorize { app: bool, user: u8 },
    Redeem { code: u8, right_verifier: bool },
    Refresh { grant: u8 },
    ReuseOld { grant: u8, depth: u8 },
    Revoke { grant: u8 },
    RevokeUser { user: u8 },
    Validate { grant: u8 },
    Wait(u16),
    Purge,
    ReloadRegistry,
    /// The machine-to-machine app asks for a token: bit 0 asks for `a`, bit 1 for `b`,
    /// bit 2 for `c` (which it may not have); 0 asks for nothing (all it may have).
    ClientCredentials { scope: u8 },
    ValidateAppToken { token: u8 },
    /// The machine-to-machine app presents a JWT for user `user % 3` with `jti` number
    /// `jti`, valid `lifetime % 120 + 1` seconds, signed by its key or (`forged`) another.
    JwtGrant { jti: u8, user: u8, lifetime: u8, forged: bool },
}

struct Grant {
    app: usize,
    access: String,
    refresh: String,
    /// Refresh tokens rotated out, oldest first.
    rotated_out: Vec<String>,
    access_expires: u64,
    user: u8,
}

fn form(body: &str) -> TokenRequest<'_> {
    TokenRequest { method: "POST", content_type: Some("application/x-www-form-urlencoded"), authorization: None, body: body.as_bytes() }
}

fuzz_target!(|input: (bool, u8, Vec<Op>)| {
    let (rotation, lifetime, ops) = input;
    let config = ServerConfig::new(Profile::Rfc).with_access_token_lifetime(60).unwrap().with_code_lifetime(30).unwrap().with_issuer("https://as.example").unwrap();
    let mut server: Box<FuzzServer> = Box::new(Server::new(config, InlineStorage::new()));
    let mut rng = common::rng(4);
    let mut spec = AppSpec::new("x", AppKind::SinglePage, &["https://a.example/cb"]);
    let absolute = u64::from(lifetime) + 1;
    spec.refresh = RefreshPolicy { rotation, absolute_lifetime: Some(absolute), inactivity_lifetime: None };
    let apps: Vec<String> = (0..2).map(|_| server.registry_mut().create(&spec, &mut rng).unwrap().client_id.to_string()).collect();
    let robot_key = Ed25519Signer::from_bytes(&[3u8; 32], None).unwrap();
    let forger = Ed25519Signer::from_bytes(&[4u8; 32], None).unwrap();
    let mut jwk = [0u8; 512];
    let jwk = robot_key.public_key().write_jwk(None, &mut jwk).unwrap().to_owned();
    let robot_keys = [jwk.as_str()];
    let mut seen_jti: HashMap<u8, u64> = HashMap::new();
    let mut robot_spec = AppSpec::new("robot", AppKind::MachineToMachine, &[]);
    robot_spec.scope = "a b";
    robot_spec.public_keys = &robot_keys;
    let robot = server.registry_mut().create(&robot_spec, &mut rng).unwrap();
    let robot_id = robot.client_id.to_string();
    let robot_secret = robot.client_secret.unwrap().as_str().to_owned();
    let mut app_tokens: Vec<(String, u64)> = Vec::new();
    let limits = server.limits();

    let mut now = 0u64;
    let mut codes: Vec<(String, Verifier, usize, u8)> = Vec::new();
    let mut redeemed: HashMap<String, usize> = HashMap::new();
    let mut grants: Vec<Grant> = Vec::new();
    let mut revoked: HashSet<usize> = HashSet::new();
    let mut buf = vec![0u8; 2048];
    for op in ops.into_iter().take(96) {
        let at = Timestamp::from_unix_seconds(now);
        match op {
            Op::Authorize { app, user } => {
                let app = usize::from(app);
                let user = user % 3;
                let verifier = Verifier::generate(&mut rng, VerifierLength::DEFAULT).unwrap();
                let query = format!(
                    "response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fa.example%2Fcb&code_challenge={}&code_challenge_method=S256",
                    apps[app],
                    Challenge::s256(&verifier)
                );
                let answer = server.authorize(query.as_bytes(), &format!("user-{user}"), at, &mut rng, &mut buf).unwrap();
                if let Some(code) = answer.location.split("code=").nth(1) {
                    codes.push((code.split('&').next().unwrap().to_owned(), verifier, app, user));
                } else {
                    // Refused: only for the app's own quota or the user's own share.
                    let location = answer.location.to_owned();
                    let usage = server.usage(&apps[app]).unwrap();
                    if location.contains("quota") {
                        assert!(usage.codes >= limits.codes_per_app, "refused under quota: {usage:?} {location}");
                    } else {
                        assert!(location.contains("user"), "refused for lack of room: {location}");
                    }
                }
            }
            Op::Redeem { code, right_verifier } => {
                let Some((code, verifier, app, user)) = codes.get(usize::from(code) % codes.len().max(1)).map(|(c, v, a, u)| (c.clone(), v.clone(), *a, *u)) else { continue };
                let verifier = if right_verifier { verifier } else { Verifier::generate(&mut rng, VerifierLength::DEFAULT).unwrap() };
                let body = format!(
                    "grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fa.example%2Fcb&client_id={}&code_verifier={}",
                    apps[app],
                    verifier.as_str()
                );
                let response = server.token(&form(&body), at, &mut rng, &mut buf).unwrap();
                if response.status == 200 {
                    assert!(!redeemed.contains_key(&code), "a code was redeemed twice");
                    redeemed.insert(code, grants.len());
                    grants.push(Grant {
                        app,
                        access: field(response.body, "access_token"),
                        refresh: field(response.body, "refresh_token"),
                        rotated_out: Vec::new(),
                        access_expires: now + 60,
                        user,
                    });
                } else if response.status == 503 {
                    let usage = server.usage(&apps[app]).unwrap();
                    assert!(response.body.contains("quota"), "refused for lack of room: {}", response.body);
                    assert!(usage.grants >= limits.grants_per_app, "refused under quota: {usage:?}");
                } else if let Some(&grant) = redeemed.get(&code) {
                    // A replayed code revokes the grant it produced, whenever it comes.
                    if response.body.contains("already used") {
                        revoked.insert(grant);
                    }
                }
            }
            Op::Refresh { grant } => {
                let index = usize::from(grant) % grants.len().max(1);
                let Some(entry) = grants.get_mut(index) else { continue };
                let body = format!("grant_type=refresh_token&refresh_token={}&client_id={}", entry.refresh, apps[entry.app]);
                let response = server.token(&form(&body), at, &mut rng, &mut buf).unwrap();
                if response.status == 200 {
                    assert!(!revoked.contains(&index), "a revoked grant was refreshed");
                    let refresh = field(response.body, "refresh_token");
                    if refresh != entry.refresh {
                        entry.rotated_out.push(std::mem::replace(&mut entry.refresh, refresh));
                    }
                    entry.access = field(response.body, "access_token");
                    entry.access_expires = now + 60;
                }
            }
            Op::ReuseOld { grant, depth } => {
                let index = usize::from(grant) % grants.len().max(1);
                let Some(entry) = grants.get(index) else { continue };
                if entry.rotated_out.is_empty() {
                    continue;
                }
                let old = &entry.rotated_out[usize::from(depth) % entry.rotated_out.len()];
                let body = format!("grant_type=refresh_token&refresh_token={old}&client_id={}", apps[entry.app]);
                let response = server.token(&form(&body), at, &mut rng, &mut buf).unwrap();
                assert_ne!(response.status, 200, "a rotated-out refresh token was accepted");
                // Whatever state the grant was in, it is over now.
                let current = entry.access.clone();
                revoked.insert(index);
                assert!(server.validate(&current, at).is_err(), "reuse left the grant alive");
            }
            Op::Revoke { grant } => {
                let index = usize::from(grant) % grants.len().max(1);
                let Some(entry) = grants.get(index) else { continue };
                server.revoke_token(&entry.refresh).unwrap();
                revoked.insert(index);
            }
            Op::RevokeUser { user } => {
                let user = user % 3;
                server.revoke_subject(&format!("user-{user}")).unwrap();
                for (index, grant) in grants.iter().enumerate() {
                    if grant.user == user {
                        revoked.insert(index);
                    }
                }
            }
            Op::Validate { grant } => {
                let index = usize::from(grant) % grants.len().max(1);
                let Some(entry) = grants.get(index) else { continue };
                if server.validate(&entry.access, at).is_ok() {
                    assert!(!revoked.contains(&index), "a revoked token validated");
                    assert!(now < entry.access_expires, "a token outlived its lifetime");
                }
            }
            Op::Wait(seconds) => now += u64::from(seconds % 200),
            Op::Purge => drop(server.purge_expired(at).unwrap()),
            Op::ReloadRegistry => {
                let text = serde_json::to_string(server.registry()).unwrap();
                let reloaded: authcode::server::Registry<3> = serde_json::from_str(&text).unwrap();
                assert!(server.registry().iter().eq(reloaded.iter()), "a reloaded registry differs");
                *server.registry_mut() = reloaded;
            }
            Op::ClientCredentials { scope } => {
                let wanted: Vec<&str> = [(1, "a"), (2, "b"), (4, "c")].into_iter().filter(|(bit, _)| scope & bit != 0).map(|(_, name)| name).collect();
                let mut body = format!("grant_type=client_credentials&client_id={robot_id}&client_secret={robot_secret}");
                if !wanted.is_empty() {
                    body.push_str("&scope=");
                    body.push_str(&wanted.join("%20"));
                }
                let response = server.token(&form(&body), at, &mut rng, &mut buf).unwrap();
                if wanted.contains(&"c") {
                    assert_eq!(response.status, 400, "{}", response.body);
                    assert!(response.body.contains("invalid_scope"), "{}", response.body);
                    continue;
                }
                if response.status != 200 {
                    // Only for lack of the app's own room.
                    let usage = server.usage(&robot_id).unwrap();
                    assert!(response.body.contains("quota"), "refused for lack of room: {}", response.body);
                    assert!(usage.grants >= limits.grants_per_app, "refused under quota: {usage:?} {limits:?} {}", response.body);
                    continue;
                }
                assert!(!response.body.contains("refresh_token"), "{}", response.body);
                let token = field(response.body, "access_token");
                let info = server.validate(&token, at).expect("a fresh app token validates");
                assert!(info.is_app_token());
                assert_eq!(info.subject.as_str(), robot_id);
                let expected = if wanted.is_empty() { "a b".to_owned() } else { wanted.join(" ") };
                assert_eq!(info.scope.as_str(), expected);
                app_tokens.push((token, now + 60));
            }
            Op::JwtGrant { jti, user, lifetime, forged } => {
                let user = user % 3;
                let exp = now + u64::from(lifetime % 120) + 1;
                let claims = format!(
                    r#"{{"iss":"{robot_id}","sub":"user-{user}","aud":"https://as.example","exp":{exp},"iat":{now},"jti":"j{jti}"}}"#
                );
                let signer: &dyn JwsSigner = if forged { &forger } else { &robot_key };
                let mut jwt = [0u8; 1024];
                let jwt = sign_compact(signer, "JWT", claims.as_bytes(), &mut jwt).unwrap().to_owned();
                let body = format!(
                    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={jwt}&client_id={robot_id}&client_secret={robot_secret}"
                );
                let response = server.token(&form(&body), at, &mut rng, &mut buf).unwrap();
                if forged {
                    assert_eq!(response.status, 400, "{}", response.body);
                    assert!(response.body.contains("signature does not verify"), "{}", response.body);
                    continue;
                }
                // Remembered until exp + the 60 s skew.
                let replay = seen_jti.get(&jti).is_some_and(|until| now < *until);
                if replay {
                    assert!(response.body.contains("jti was already used"), "a replayed JWT: {}", response.body);
                    continue;
                }
                if response.status != 200 {
                    assert!(
                        response.body.contains("quota") || response.body.contains("too many live assertions"),
                        "refused for lack of room only: {}",
                        response.body
                    );
                    continue;
                }
                seen_jti.insert(jti, exp + 60);
                assert!(!response.body.contains("refresh_token"), "{}", response.body);
                let token = field(response.body, "access_token");
                let info = server.validate(&token, at).expect("a fresh JWT grant token validates");
                assert_eq!(info.subject.as_str(), format!("user-{user}"));
                assert_eq!(info.grant_type, authcode::server::GrantType::JwtBearer);
                app_tokens.push((token, now + 60));
            }
            Op::ValidateAppToken { token } => {
                let index = usize::from(token) % app_tokens.len().max(1);
                let Some((token, expires)) = app_tokens.get(index) else { continue };
                if let Ok(info) = server.validate(token, at) {
                    assert!(now < *expires, "an app token outlived its lifetime");
                    assert!(info.is_app_token() || info.grant_type == authcode::server::GrantType::JwtBearer);
                }
            }
        }
    }
    // Every lifetime over (codes 30 s, access 60 s, refresh ≤ 256 s after the last use):
    // a purge leaves nothing behind.
    server.purge_expired(Timestamp::from_unix_seconds(now + absolute + 61 + 30)).unwrap();
    assert_eq!(server.store().live(), Default::default(), "a table leaked entries");
});

fn field(body: &str, name: &str) -> String {
    let marker = format!("\"{name}\":\"");
    body.split(&marker).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned()
}
