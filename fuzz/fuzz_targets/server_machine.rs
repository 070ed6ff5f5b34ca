//! The server driven by fuzzer-chosen operations and times. Invariants after every step:
//! a code is redeemed at most once; no access token validates after its grant was revoked
//! or after its expiry.
#![no_main]

mod common;

use std::collections::{HashMap, HashSet};

use arbitrary::Arbitrary;
use authcode::Timestamp;
use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode::server::{AppKind, AppSpec, InlineStorage, RefreshPolicy, Server, ServerConfig, TokenRequest};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Op {
    Authorize,
    Redeem { code: u8, right_verifier: bool },
    Refresh { grant: u8 },
    Revoke { grant: u8 },
    Validate { grant: u8 },
    Wait(u16),
    Purge,
}

fuzz_target!(|input: (bool, u8, Vec<Op>)| {
    let (rotation, lifetime, ops) = input;
    let config = ServerConfig::new(Profile::Rfc).with_access_token_lifetime(60).unwrap().with_code_lifetime(30).unwrap();
    let mut server: Box<Server<InlineStorage<16, 16, 64>>> = Box::new(Server::new(config, InlineStorage::new()));
    let mut rng = common::rng(4);
    let mut spec = AppSpec::new("x", AppKind::SinglePage, &["https://a.example/cb"]);
    spec.refresh = RefreshPolicy { rotation, absolute_lifetime: Some(u64::from(lifetime) + 1), inactivity_lifetime: None };
    let app = server.registry_mut().create(&spec, &mut rng).unwrap();
    let client_id = app.client_id.to_string();

    let mut now = 0u64;
    let mut codes: Vec<(String, Verifier)> = Vec::new();
    // code → the grant it produced
    let mut redeemed: HashMap<String, usize> = HashMap::new();
    // grant index → (access token, refresh token, access expiry)
    let mut grants: Vec<(String, String, u64)> = Vec::new();
    let mut revoked: HashSet<usize> = HashSet::new();
    let mut buf = vec![0u8; 2048];
    for op in ops.into_iter().take(64) {
        let at = Timestamp::from_unix_seconds(now);
        match op {
            Op::Authorize => {
                let verifier = Verifier::generate(&mut rng, VerifierLength::DEFAULT).unwrap();
                let query = format!(
                    "response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fa.example%2Fcb&code_challenge={}&code_challenge_method=S256",
                    Challenge::s256(&verifier)
                );
                if let Ok(answer) = server.authorize(query.as_bytes(), "u", at, &mut rng, &mut buf) {
                    if let Some(code) = answer.location.split("code=").nth(1) {
                        codes.push((code.split('&').next().unwrap().to_owned(), verifier));
                    }
                }
            }
            Op::Redeem { code, right_verifier } => {
                let Some((code, verifier)) = codes.get(usize::from(code) % codes.len().max(1)).cloned() else { continue };
                let verifier = if right_verifier { verifier } else { Verifier::generate(&mut rng, VerifierLength::DEFAULT).unwrap() };
                let body = format!(
                    "grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fa.example%2Fcb&client_id={client_id}&code_verifier={}",
                    verifier.as_str()
                );
                let request = TokenRequest { method: "POST", content_type: Some("application/x-www-form-urlencoded"), authorization: None, body: body.as_bytes() };
                let response = server.token(&request, at, &mut rng, &mut buf).unwrap();
                if response.status == 200 {
                    assert!(!redeemed.contains_key(&code), "a code was redeemed twice");
                    let access = field(response.body, "access_token");
                    let refresh = field(response.body, "refresh_token");
                    redeemed.insert(code, grants.len());
                    grants.push((access, refresh, now + 60));
                } else if let Some(&grant) = redeemed.get(&code) {
                    // A replayed code — presented again before it expires — revokes the grant
                    // it produced. (After expiry it is forgotten and merely unknown.)
                    if response.body.contains("already used") {
                        revoked.insert(grant);
                    }
                }
            }
            Op::Refresh { grant } => {
                let index = usize::from(grant) % grants.len().max(1);
                let Some(entry) = grants.get_mut(index) else { continue };
                let body = format!("grant_type=refresh_token&refresh_token={}&client_id={client_id}", entry.1);
                let request = TokenRequest { method: "POST", content_type: Some("application/x-www-form-urlencoded"), authorization: None, body: body.as_bytes() };
                let response = server.token(&request, at, &mut rng, &mut buf).unwrap();
                if response.status == 200 {
                    assert!(!revoked.contains(&index), "a revoked grant was refreshed");
                    entry.0 = field(response.body, "access_token");
                    entry.1 = field(response.body, "refresh_token");
                    entry.2 = now + 60;
                }
            }
            Op::Revoke { grant } => {
                let index = usize::from(grant) % grants.len().max(1);
                let Some(entry) = grants.get(index) else { continue };
                server.revoke_token(&entry.1);
                revoked.insert(index);
            }
            Op::Validate { grant } => {
                let index = usize::from(grant) % grants.len().max(1);
                let Some(entry) = grants.get(index) else { continue };
                if server.validate(&entry.0, at).is_ok() {
                    assert!(!revoked.contains(&index), "a revoked token validated");
                    assert!(now < entry.2, "a token outlived its lifetime");
                }
            }
            Op::Wait(seconds) => now += u64::from(seconds % 200),
            Op::Purge => drop(server.purge_expired(at)),
        }
    }
});

fn field(body: &str, name: &str) -> String {
    let marker = format!("\"{name}\":\"");
    body.split(&marker).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned()
}
