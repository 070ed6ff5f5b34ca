//! Quotas over random interleavings (proptest): many apps and users share small tables,
//! and no app's request is ever refused because of another app that keeps within its
//! quota — a refusal always names the refused app's (or user's) own share, and that share
//! really is used up.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod server_common;

use authcode::Timestamp;
use authcode::pkce::Verifier;
use authcode::profile::Profile;
use authcode::server::{
    AppKind, AppSpec, InlineStorage, MemoryStore, RefreshPolicy, Server, ServerConfig, TokenRequest,
};
use proptest::prelude::*;
use server_common::{at, authorize_query, enc, location_params, pkce, rng};

const APPS: usize = 4;
const REDIRECT: &str = "https://app.example.com/cb";
type SmallServer = Server<MemoryStore<InlineStorage<32, 24, 60>, APPS>, APPS>;

#[derive(Debug, Clone)]
enum Op {
    Authorize { app: usize, user: u8 },
    Redeem { code: usize },
    Refresh { grant: usize },
    RevokeUser { user: u8 },
    Wait(u64),
    Purge,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..APPS, 0u8..12).prop_map(|(app, user)| Op::Authorize { app, user }),
        5 => (0usize..64).prop_map(|code| Op::Redeem { code }),
        2 => (0usize..64).prop_map(|grant| Op::Refresh { grant }),
        1 => (0u8..6).prop_map(|user| Op::RevokeUser { user }),
        2 => (0u64..90).prop_map(Op::Wait),
        1 => Just(Op::Purge),
    ]
}

fn form(body: &str) -> TokenRequest<'_> {
    TokenRequest {
        method: "POST",
        content_type: Some("application/x-www-form-urlencoded"),
        authorization: None,
        body: body.as_bytes(),
    }
}

fn setup() -> (Box<SmallServer>, Vec<String>, rand::rngs::StdRng) {
    let config = ServerConfig::new(Profile::Rfc)
        .with_code_lifetime(300)
        .unwrap()
        .with_access_token_lifetime(120)
        .unwrap();
    let mut server: Box<SmallServer> = Box::new(Server::new(config, InlineStorage::new()));
    let mut rng = rng();
    let mut spec = AppSpec::new("app", AppKind::SinglePage, &[REDIRECT]);
    spec.refresh = RefreshPolicy {
        rotation: true,
        absolute_lifetime: Some(3000),
        inactivity_lifetime: None,
    };
    let apps = (0..APPS)
        .map(|_| {
            server
                .registry_mut()
                .create(&spec, &mut rng)
                .unwrap()
                .client_id
                .to_string()
        })
        .collect();
    (server, apps, rng)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_app_is_refused_for_another_apps_use_of_the_tables(ops in prop::collection::vec(op(), 1..200)) {
        let (mut server, apps, mut rng) = setup();
        let limits = server.limits();
        let mut now = 0u64;
        let mut codes: Vec<(String, Verifier, usize)> = Vec::new();
        let mut grants: Vec<(String, usize)> = Vec::new();
        let mut seed = 0u64;
        let mut buf = [0u8; 1024];
        for op in ops {
            let time: Timestamp = at(now);
            match op {
                Op::Authorize { app, user } => {
                    seed += 1;
                    let (verifier, challenge) = pkce(seed);
                    let query = authorize_query(&apps[app], REDIRECT, &challenge);
                    let redirect = server
                        .authorize(query.as_bytes(), &format!("user-{user}"), time, &mut rng, &mut buf)
                        .unwrap();
                    let params = location_params(redirect.location);
                    match params.get("code") {
                        Some(code) => codes.push((code.clone(), verifier, app)),
                        None => {
                            let description = &params["error_description"];
                            prop_assert_eq!(&params["error"], "temporarily_unavailable");
                            if description.contains("quota") {
                                let usage = server.usage(&apps[app]).unwrap();
                                prop_assert!(usage.codes >= limits.codes_per_app, "{:?} {}", usage, description);
                            } else {
                                prop_assert!(description.contains("user"), "refused for lack of room: {}", description);
                            }
                        }
                    }
                }
                Op::Redeem { code } => {
                    if codes.is_empty() { continue; }
                    let (code, verifier, app) = codes.swap_remove(code % codes.len());
                    let body = format!(
                        "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&code_verifier={}",
                        enc(&code), enc(REDIRECT), apps[app], verifier.as_str()
                    );
                    let response = server.token(&form(&body), time, &mut rng, &mut buf).unwrap();
                    match response.status {
                        200 => {
                            let json: serde_json::Value = serde_json::from_str(response.body).unwrap();
                            grants.push((json["refresh_token"].as_str().unwrap().to_owned(), app));
                        }
                        503 => {
                            prop_assert!(response.body.contains("quota"), "refused for lack of room: {}", response.body);
                            let usage = server.usage(&apps[app]).unwrap();
                            prop_assert!(usage.grants >= limits.grants_per_app, "{:?}", usage);
                        }
                        _ => prop_assert!(response.body.contains("invalid_grant"), "{}", response.body),
                    }
                }
                Op::Refresh { grant } => {
                    if grants.is_empty() { continue; }
                    let index = grant % grants.len();
                    let (refresh, app) = grants[index].clone();
                    let body = format!("grant_type=refresh_token&refresh_token={}&client_id={}", enc(&refresh), apps[app]);
                    let response = server.token(&form(&body), time, &mut rng, &mut buf).unwrap();
                    prop_assert_ne!(response.status, 503, "a refresh needs no room: {}", response.body);
                    if response.status == 200 {
                        let json: serde_json::Value = serde_json::from_str(response.body).unwrap();
                        grants[index].0 = json["refresh_token"].as_str().unwrap().to_owned();
                    }
                }
                Op::RevokeUser { user } => {
                    server.revoke_subject(&format!("user-{user}")).unwrap();
                }
                Op::Wait(seconds) => now += seconds,
                Op::Purge => {
                    server.purge_expired(time).unwrap();
                }
            }
        }
    }
}
