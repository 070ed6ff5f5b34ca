//! Shared helpers for the server tests: a server with small inline tables, apps of each
//! kind, and a scripted client that walks the code grant.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;

use authcode::Timestamp;
use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode::server::{
    AppKind, AppSpec, InlineStorage, MemoryStore, RefreshPolicy, Server, ServerConfig, TokenRequest,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// 128 code slots, 128 grants, 320 keys: with the registry's 10 app slots, each app's
/// default quota is 11 pending codes and 12 grants.
pub type TestServer = Server<MemoryStore<InlineStorage<128, 128, 320>>>;

pub const NOW: u64 = 1_700_000_000;
pub const SPA_REDIRECT: &str = "https://spa.example.com/callback";
pub const WEB_REDIRECT: &str = "https://web.example.com/oauth/callback";

pub fn at(offset: u64) -> Timestamp {
    Timestamp::from_unix_seconds(NOW.saturating_add(offset))
}

pub fn rng() -> StdRng {
    StdRng::seed_from_u64(7)
}

pub struct Fixture {
    pub server: Box<TestServer>,
    pub rng: StdRng,
    pub spa: String,
    pub web: String,
    pub web_secret: String,
}

pub fn fixture_with(profile: Profile, spa_refresh: RefreshPolicy) -> Fixture {
    let mut config = ServerConfig::new(profile);
    if profile == Profile::Workfront {
        config = config
            .with_workfront_identity("acme.my.workfront.com", "lane-1", "wid-123")
            .unwrap();
    }
    let mut server = Box::new(Server::new(config, InlineStorage::new()));
    let mut rng = rng();
    let mut spa_spec = AppSpec::new(
        "Single Page",
        AppKind::SinglePage,
        &[SPA_REDIRECT, "http://127.0.0.1/cb"],
    );
    spa_spec.refresh = spa_refresh;
    let spa = server.registry_mut().create(&spa_spec, &mut rng).unwrap();
    let web = server
        .registry_mut()
        .create(
            &AppSpec::new("Web App", AppKind::WebApp, &[WEB_REDIRECT]),
            &mut rng,
        )
        .unwrap();
    Fixture {
        server,
        rng,
        spa: spa.client_id.to_string(),
        web: web.client_id.to_string(),
        web_secret: web.client_secret.unwrap().as_str().to_owned(),
    }
}

pub fn fixture() -> Fixture {
    fixture_with(Profile::Rfc, RefreshPolicy::default())
}

pub fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A PKCE pair.
pub fn pkce(seed: u64) -> (Verifier, String) {
    let verifier =
        Verifier::generate(&mut StdRng::seed_from_u64(seed), VerifierLength::DEFAULT).unwrap();
    let challenge = Challenge::s256(&verifier).to_string();
    (verifier, challenge)
}

pub fn authorize_query(client_id: &str, redirect: &str, challenge: &str) -> String {
    format!(
        "response_type=code&client_id={}&redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256&state=xyz&scope=read%20write",
        enc(client_id),
        enc(redirect)
    )
}

/// The query parameters of a redirect `Location`.
pub fn location_params(location: &str) -> BTreeMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl Fixture {
    /// Authorizes the SPA and returns (code, verifier).
    pub fn spa_code(&mut self, seed: u64, now: Timestamp) -> (String, Verifier) {
        let (verifier, challenge) = pkce(seed);
        let query = authorize_query(&self.spa, SPA_REDIRECT, &challenge);
        let mut buf = [0u8; 1024];
        let redirect = self
            .server
            .authorize(query.as_bytes(), "user-1", now, &mut self.rng, &mut buf)
            .unwrap();
        assert_eq!(redirect.error, None, "{}", redirect.location);
        (location_params(redirect.location)["code"].clone(), verifier)
    }

    /// Sends a form token request; returns (status, JSON body, www-authenticate).
    pub fn token_form(
        &mut self,
        body: &str,
        authorization: Option<&str>,
        now: Timestamp,
    ) -> (u16, serde_json::Value, Option<&'static str>) {
        let request = TokenRequest {
            method: "POST",
            content_type: Some("application/x-www-form-urlencoded"),
            authorization,
            body: body.as_bytes(),
        };
        self.token(&request, now)
    }

    pub fn token(
        &mut self,
        request: &TokenRequest<'_>,
        now: Timestamp,
    ) -> (u16, serde_json::Value, Option<&'static str>) {
        let mut buf = [0u8; 1024];
        let response = self
            .server
            .token(request, now, &mut self.rng, &mut buf)
            .unwrap();
        let headers: Vec<_> = response.headers().collect();
        assert!(headers.contains(&("Cache-Control", "no-store")));
        assert!(headers.contains(&("Pragma", "no-cache")));
        (
            response.status,
            serde_json::from_str(response.body).unwrap(),
            response.www_authenticate,
        )
    }

    /// Exchanges a SPA code; returns (status, body).
    pub fn redeem_spa(
        &mut self,
        code: &str,
        verifier: &Verifier,
        now: Timestamp,
    ) -> (u16, serde_json::Value) {
        let body = format!(
            "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&code_verifier={}",
            enc(code),
            enc(SPA_REDIRECT),
            enc(&self.spa),
            verifier.as_str()
        );
        let (status, json, _) = self.token_form(&body, None, now);
        (status, json)
    }

    /// A SPA grant: returns (access, refresh).
    pub fn spa_tokens(&mut self, seed: u64, now: Timestamp) -> (String, String) {
        let (code, verifier) = self.spa_code(seed, now);
        let (status, json) = self.redeem_spa(&code, &verifier, now);
        assert_eq!(status, 200, "{json}");
        (
            json["access_token"].as_str().unwrap().to_owned(),
            json["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    pub fn refresh_spa(
        &mut self,
        refresh: &str,
        scope: Option<&str>,
        now: Timestamp,
    ) -> (u16, serde_json::Value) {
        let mut body = format!(
            "grant_type=refresh_token&refresh_token={}&client_id={}",
            enc(refresh),
            enc(&self.spa)
        );
        if let Some(scope) = scope {
            body.push_str(&format!("&scope={}", enc(scope)));
        }
        let (status, json, _) = self.token_form(&body, None, now);
        (status, json)
    }
}

pub fn error_of(json: &serde_json::Value) -> &str {
    json["error"].as_str().unwrap_or("<none>")
}
