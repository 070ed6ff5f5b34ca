//! The client session against the authorization server, in memory, through the whole life
//! of a grant — every profile, and the client credentials grant.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use authcode::Timestamp;
use authcode::client::{
    ClientConfig, ClientError, CredentialsAuth, CredentialsClient, CredentialsOutcome, HttpRequest,
    RefreshOutcome, Session, Stage, TokenKind, TokenOutcome, TokenType,
};
use authcode::profile::Profile;
use authcode::server::{
    AppKind, AppSpec, GrantType, InlineStorage, InvalidToken, MemoryStore, RefreshPolicy, Server,
    ServerConfig, TokenRequest,
};
use authcode_tests::seeded_rng;
use rand::rngs::StdRng;

type TestServer = Server<MemoryStore<InlineStorage<64, 64, 160>>>;

const REDIRECT: &str = "com.example.app:/oauth2redirect";

fn at(offset: u64) -> Timestamp {
    Timestamp::from_unix_seconds(1_700_000_000 + offset)
}

struct World {
    server: Box<TestServer>,
    rng: StdRng,
    client_id: String,
    secret: Option<String>,
}

fn world(profile: Profile, kind: AppKind, rotation: bool) -> World {
    let mut config = ServerConfig::new(profile)
        .with_issuer("https://acme.my.workfront.com")
        .unwrap();
    if profile == Profile::Workfront {
        config = config
            .with_workfront_identity("acme.my.workfront.com", "lane-7", "wid-42")
            .unwrap();
    }
    let mut server: Box<TestServer> = Box::new(Server::new(config, InlineStorage::new()));
    let mut rng = seeded_rng(11);
    let mut spec = AppSpec::new("Mobile", kind, &[REDIRECT]);
    spec.refresh = RefreshPolicy {
        rotation,
        absolute_lifetime: Some(86_400),
        inactivity_lifetime: Some(3600 * 12),
    };
    let created = server.registry_mut().create(&spec, &mut rng).unwrap();
    World {
        server,
        rng,
        client_id: created.client_id.to_string(),
        secret: created.client_secret.map(|s| s.as_str().to_owned()),
    }
}

impl World {
    fn client_config(&self, profile: Profile) -> ClientConfig {
        let config = match profile {
            Profile::Workfront => {
                ClientConfig::workfront("acme.my.workfront.com", &self.client_id, REDIRECT).unwrap()
            }
            Profile::Rfc => ClientConfig::new(
                Profile::Rfc,
                "https://acme.my.workfront.com/authorize",
                "https://acme.my.workfront.com/token",
                &self.client_id,
                REDIRECT,
            )
            .unwrap()
            .with_scope("projects:read tasks:write")
            .unwrap()
            .with_revocation_endpoint("https://acme.my.workfront.com/revoke")
            .unwrap(),
            Profile::AdobeIms => {
                ClientConfig::adobe_ims("https://acme.my.workfront.com", &self.client_id, REDIRECT)
                    .unwrap()
                    .with_scope("openid,AdobeID")
                    .unwrap()
            }
        };
        let config = config.with_issuer("https://acme.my.workfront.com").unwrap();
        match &self.secret {
            Some(secret) => config.with_client_secret_basic(secret).unwrap(),
            None => config,
        }
    }

    /// Sends a request the session wrote to the server's token (or revocation) endpoint.
    fn send(&mut self, request: &HttpRequest<'_>, now: Timestamp) -> (u16, Vec<u8>) {
        let token_request = TokenRequest {
            method: request.method,
            content_type: Some(request.content_type),
            authorization: request.authorization,
            body: request.body.as_bytes(),
        };
        let mut buf = [0u8; 1024];
        let response = if request.url.contains("revoke") {
            self.server.revoke(&token_request, now, &mut buf).unwrap()
        } else {
            self.server
                .token(&token_request, now, &mut self.rng, &mut buf)
                .unwrap()
        };
        (response.status, response.body.as_bytes().to_vec())
    }

    /// Start → authorize URL → server redirect → token exchange.
    fn login(&mut self, profile: Profile, now: Timestamp) -> Session {
        let mut session = Session::start(
            self.client_config(profile),
            &mut seeded_rng(now.unix_seconds()),
            now,
        )
        .unwrap();
        let mut url = [0u8; 2048];
        let url = session.authorize_url(&mut url).unwrap().to_owned();
        let query = url.split_once('?').unwrap().1;
        let mut location = [0u8; 1024];
        let redirect = self
            .server
            .authorize(
                query.as_bytes(),
                "user-77",
                now,
                &mut self.rng,
                &mut location,
            )
            .unwrap();
        assert_eq!(redirect.error, None, "{}", redirect.location);
        session.on_redirect(redirect.location.as_bytes()).unwrap();
        let mut buf = [0u8; 2048];
        let request = session.token_request(&mut buf).unwrap();
        let (status, body) = self.send(&request, now);
        assert_eq!(
            session.on_token_response(status, &body, now),
            Ok(TokenOutcome::Authorized)
        );
        session
    }
}

fn refresh(world: &mut World, session: &mut Session, now: Timestamp) -> RefreshOutcome {
    let mut buf = [0u8; 2048];
    let request = session.refresh_request(&mut buf).unwrap();
    let (status, body) = world.send(&request, now);
    session.on_refresh_response(status, &body, now).unwrap()
}

#[test]
fn workfront_single_page_app_for_a_whole_grant() {
    let mut world = world(Profile::Workfront, AppKind::SinglePage, true);
    let mut session = world.login(Profile::Workfront, at(0));
    assert_eq!(session.workfront_domain(), Some("acme.my.workfront.com"));
    assert_eq!(session.workfront_lane(), Some("lane-7"));
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.token_type(), TokenType::SessionId);
    assert_eq!(tokens.wid(), Some("wid-42"));
    assert_eq!(tokens.expires_at(), Some(at(3600)));

    // The resource server checks the sessionID header.
    let mut header = [0u8; 128];
    let (name, value) = session.authorization_header(&mut header).unwrap();
    assert_eq!(name, "sessionID");
    let info = world.server.validate(value, at(10)).unwrap();
    assert_eq!(info.subject.as_str(), "user-77");
    assert_eq!(info.client_id.as_str(), world.client_id);

    // Refresh when due, with rotation.
    assert!(!session.refresh_due(at(3000)));
    assert!(session.refresh_due(at(3540)));
    let old_refresh = session
        .tokens()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();
    assert_eq!(
        refresh(&mut world, &mut session, at(3540)),
        RefreshOutcome::Refreshed
    );
    let new_refresh = session
        .tokens()
        .unwrap()
        .refresh_token()
        .unwrap()
        .to_owned();
    assert_ne!(old_refresh, new_refresh, "rotated");
    assert!(
        world
            .server
            .validate(session.tokens().unwrap().access_token(), at(3541))
            .is_ok()
    );

    // The session survives the app being killed, and keeps working.
    let mut saved = vec![0u8; authcode::client::MAX_SAVED_LEN];
    let saved = session.save(&mut saved).unwrap().to_vec();
    let mut session = Session::restore(world.client_config(Profile::Workfront), &saved).unwrap();
    assert_eq!(
        refresh(&mut world, &mut session, at(7000)),
        RefreshOutcome::Refreshed
    );

    // Revocation ends the grant.
    let mut buf = [0u8; 1024];
    let request = session
        .revocation_request(TokenKind::Refresh, &mut buf)
        .unwrap();
    let access = session.tokens().unwrap().access_token().to_owned();
    let (status, _) = world.send(&request, at(7001));
    assert_eq!(status, 200);
    session.sign_out();
    assert_eq!(world.server.validate(&access, at(7002)), Err(InvalidToken));
}

#[test]
fn rfc_web_app_with_basic_authentication_and_scope() {
    let mut world = world(Profile::Rfc, AppKind::WebApp, false);
    let mut session = world.login(Profile::Rfc, at(0));
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.token_type(), TokenType::Bearer);
    assert_eq!(tokens.scope(), Some("projects:read tasks:write"));
    let info = world.server.validate(tokens.access_token(), at(1)).unwrap();
    assert_eq!(info.scope.as_str(), "projects:read tasks:write");
    // No rotation: the refresh token stays.
    let before = tokens.refresh_token().unwrap().to_owned();
    assert_eq!(
        refresh(&mut world, &mut session, at(100)),
        RefreshOutcome::Refreshed
    );
    assert_eq!(
        session.tokens().unwrap().refresh_token(),
        Some(before.as_str())
    );
}

#[test]
fn a_stolen_rotated_refresh_token_forces_sign_in() {
    let mut world = world(Profile::Rfc, AppKind::SinglePage, true);
    let mut session = world.login(Profile::Rfc, at(0));
    // An attacker copied the session (say, a backup) and refreshes first.
    let mut stolen = session.clone();
    assert_eq!(
        refresh(&mut world, &mut stolen, at(10)),
        RefreshOutcome::Refreshed
    );
    // The legitimate app now presents the rotated-out token: the grant is revoked.
    let outcome = refresh(&mut world, &mut session, at(20));
    assert!(
        matches!(outcome, RefreshOutcome::SignInRequired(_)),
        "{outcome:?}"
    );
    assert_eq!(session.stage(), Stage::Failed);
    // …and the attacker's copy dies with it.
    assert!(matches!(
        refresh(&mut world, &mut stolen, at(30)),
        RefreshOutcome::SignInRequired(_)
    ));
}

#[test]
fn a_replayed_code_is_refused_and_its_tokens_revoked() {
    let mut world = world(Profile::Rfc, AppKind::SinglePage, true);
    let mut session =
        Session::start(world.client_config(Profile::Rfc), &mut seeded_rng(5), at(0)).unwrap();
    let mut url = [0u8; 2048];
    let url = session.authorize_url(&mut url).unwrap().to_owned();
    let mut location = [0u8; 1024];
    let redirect = world
        .server
        .authorize(
            url.split_once('?').unwrap().1.as_bytes(),
            "u",
            at(0),
            &mut world.rng,
            &mut location,
        )
        .unwrap();
    session.on_redirect(redirect.location.as_bytes()).unwrap();
    let replay = session.clone();
    let mut buf = [0u8; 2048];
    let (status, body) = world.send(&session.token_request(&mut buf).unwrap(), at(1));
    session.on_token_response(status, &body, at(1)).unwrap();
    let access = session.tokens().unwrap().access_token().to_owned();

    let mut replay = replay;
    let mut buf = [0u8; 2048];
    let (status, body) = world.send(&replay.token_request(&mut buf).unwrap(), at(2));
    assert!(matches!(
        replay.on_token_response(status, &body, at(2)),
        Ok(TokenOutcome::Rejected(_))
    ));
    assert_eq!(world.server.validate(&access, at(3)), Err(InvalidToken));
}

#[test]
fn a_denied_login_reaches_the_client_as_the_servers_answer() {
    let world = world(Profile::Rfc, AppKind::SinglePage, true);
    let mut session =
        Session::start(world.client_config(Profile::Rfc), &mut seeded_rng(6), at(0)).unwrap();
    let mut url = [0u8; 2048];
    let url = session.authorize_url(&mut url).unwrap().to_owned();
    let mut location = [0u8; 1024];
    let redirect = world
        .server
        .deny(url.split_once('?').unwrap().1.as_bytes(), &mut location)
        .unwrap();
    let outcome = session.on_redirect(redirect.location.as_bytes()).unwrap();
    assert!(
        matches!(outcome, authcode::client::RedirectOutcome::Denied(ref e) if e.code() == authcode::client::ErrorCode::AccessDenied)
    );
    let mut buf = [0u8; 64];
    assert!(matches!(
        session.token_request(&mut buf),
        Err(ClientError::WrongStage { .. })
    ));
}

#[test]
fn adobe_ims_native_app_for_a_whole_grant() {
    let mut world = world(Profile::AdobeIms, AppKind::SinglePage, true);
    let mut session = world.login(Profile::AdobeIms, at(0));
    let tokens = session.tokens().unwrap();
    assert_eq!(tokens.token_type(), TokenType::Bearer);
    let first_refresh = tokens.refresh_token().unwrap().to_owned();
    let info = world.server.validate(tokens.access_token(), at(1)).unwrap();
    assert_eq!(info.subject.as_str(), "user-77");
    assert_eq!(info.grant_type, GrantType::AuthorizationCode);
    assert!(!info.is_app_token());
    assert_eq!(
        refresh(&mut world, &mut session, at(100)),
        RefreshOutcome::Refreshed
    );
    assert_ne!(
        session.tokens().unwrap().refresh_token(),
        Some(first_refresh.as_str())
    );
    let mut buf = [0u8; 2048];
    let request = session
        .revocation_request(TokenKind::Refresh, &mut buf)
        .unwrap();
    assert_eq!(
        request.url,
        format!(
            "https://acme.my.workfront.com/ims/revoke?client_id={}",
            world.client_id
        )
    );
    let access = session.tokens().unwrap().access_token().to_owned();
    let (status, _) = world.send(&request, at(200));
    assert_eq!(status, 200);
    assert_eq!(world.server.validate(&access, at(201)), Err(InvalidToken));
}

/// A server-to-server app: a machine-to-machine app with a registered scope.
fn service(
    world: &mut World,
    scope: &'static str,
    kind: AppKind,
    enabled: bool,
) -> (String, String) {
    let mut spec = AppSpec::new("Nightly sync", kind, &[REDIRECT]);
    spec.scope = scope;
    spec.client_credentials = enabled;
    let created = world
        .server
        .registry_mut()
        .create(&spec, &mut world.rng)
        .unwrap();
    (
        created.client_id.to_string(),
        created.client_secret.unwrap().as_str().to_owned(),
    )
}

#[test]
fn client_credentials_give_an_app_token_within_the_apps_scope() {
    let mut world = world(Profile::Rfc, AppKind::WebApp, false);
    let (id, secret) = service(
        &mut world,
        "reports:read reports:write",
        AppKind::MachineToMachine,
        false,
    );
    let token_url = "https://acme.my.workfront.com/token";
    let client = CredentialsClient::new(
        Profile::Rfc,
        token_url,
        &id,
        CredentialsAuth::Basic(&secret),
    )
    .unwrap()
    .with_scope("reports:read")
    .unwrap();
    let mut client = client;
    let mut buf = [0u8; 1024];
    let request = client.token_request(&mut buf).unwrap();
    let (status, body) = world.send(&request, at(0));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(
        json.get("refresh_token").is_none(),
        "RFC 6749 §4.4.3: {json}"
    );
    assert_eq!(json["scope"], "reports:read");
    assert_eq!(
        client.on_token_response(status, &body, at(0)).unwrap(),
        CredentialsOutcome::Issued
    );
    let token = client.access_token(at(1)).unwrap().to_owned();
    let info = world.server.validate(&token, at(1)).unwrap();
    assert!(info.is_app_token());
    assert_eq!(info.subject.as_str(), id);
    assert_eq!(info.client_id.as_str(), id);
    assert_eq!(info.scope.as_str(), "reports:read");

    // No scope asked: all the app may have. Beyond it: invalid_scope.
    let all = CredentialsClient::new(Profile::Rfc, token_url, &id, CredentialsAuth::Post(&secret))
        .unwrap();
    let (status, body) = world.send(&all.token_request(&mut buf).unwrap(), at(2));
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["scope"], "reports:read reports:write");
    let greedy = all.clone().with_scope("admin").unwrap();
    let (status, body) = world.send(&greedy.token_request(&mut buf).unwrap(), at(2));
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["error"],
        "invalid_scope"
    );

    // A wrong secret is invalid_client; revoking the app's grants ends the token.
    let wrong =
        CredentialsClient::new(Profile::Rfc, token_url, &id, CredentialsAuth::Basic("nope"))
            .unwrap();
    let (status, body) = world.send(&wrong.token_request(&mut buf).unwrap(), at(3));
    assert_eq!(status, 401);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["error"],
        "invalid_client"
    );
    // Past its lifetime the token no longer validates, and the client asks for a new one.
    let expires = client.tokens(at(1)).unwrap().expires_at().unwrap();
    assert!(client.token_due(expires));
    assert_eq!(world.server.validate(&token, expires), Err(InvalidToken));
}

#[test]
fn client_credentials_are_refused_to_apps_without_them() {
    let mut world = world(Profile::Rfc, AppKind::WebApp, false);
    let token_url = "https://acme.my.workfront.com/token";
    let mut buf = [0u8; 1024];
    // A web app without the switch: unauthorized_client.
    let (id, secret) = service(&mut world, "", AppKind::WebApp, false);
    let client = CredentialsClient::new(
        Profile::Rfc,
        token_url,
        &id,
        CredentialsAuth::Basic(&secret),
    )
    .unwrap();
    let (status, body) = world.send(&client.token_request(&mut buf).unwrap(), at(0));
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["error"],
        "unauthorized_client"
    );
    // With it: a token with no scope (none registered).
    let (id, secret) = service(&mut world, "", AppKind::WebApp, true);
    let client = CredentialsClient::new(
        Profile::Rfc,
        token_url,
        &id,
        CredentialsAuth::Basic(&secret),
    )
    .unwrap();
    let (status, body) = world.send(&client.token_request(&mut buf).unwrap(), at(0));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    // A single-page app cannot even be registered for it.
    let mut spec = AppSpec::new("SPA", AppKind::SinglePage, &[REDIRECT]);
    spec.client_credentials = true;
    assert_eq!(
        world
            .server
            .registry_mut()
            .create(&spec, &mut world.rng)
            .unwrap_err(),
        authcode::server::AppError::NotConfidential
    );
    // A public client's request carries no secret: invalid_client.
    let (status, _) = world.send(
        &HttpRequest {
            method: "POST",
            url: token_url,
            content_type: "application/x-www-form-urlencoded",
            accept: "application/json",
            authorization: None,
            body: &format!(
                "grant_type=client_credentials&client_id={}",
                world.client_id
            ),
        },
        at(0),
    );
    assert_eq!(status, 401);
}
