//! `authcode login` / `refresh` / `revoke` / `token` against any provider: discovery
//! (`--issuer`, `--discovery-url`), explicit endpoints, each profile of `authcode serve`,
//! session files that record their server, and one-line network errors.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use core::time::Duration;
use std::path::{Path, PathBuf};
use std::process::Command;

use authcode::profile::Profile;
use authcode_cli::client_options::ClientOptions;
use authcode_cli::http;
use authcode_cli::login::{Browser, LoginOptions, login, run_refresh, run_revoke};
use common::Harness;
use serde_json::{Value, json};

fn start(profile: Profile) -> Harness {
    common::auto_approving(profile, "carol")
}

/// Plays the user: follows the authorize URL to the loopback redirect.
struct ScriptedBrowser;

impl Browser for ScriptedBrowser {
    fn open(&mut self, url: &str) {
        let url = url.to_owned();
        std::thread::spawn(move || {
            if let Ok((_, Some(location))) = http::get(&url, &[]) {
                let _ = http::get(&location, &[]);
            }
        });
    }
}

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authcode-any-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("session.json")
}

fn login_with(client: ClientOptions, save: &Path) -> Value {
    let options = LoginOptions {
        client,
        port: 0,
        no_browser: true,
        timeout: Duration::from_secs(20),
        save: Some(save.to_path_buf()),
    };
    let logged_in = login(&options, &mut ScriptedBrowser, &mut |_| {}).unwrap();
    authcode_cli::login::tokens_json(&logged_in.session)
}

fn run(command: impl FnOnce(&mut Vec<u8>) -> Result<(), authcode_cli::failure::Failure>) -> Value {
    let mut out = Vec::new();
    command(&mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn adobe_ims_by_discovery_then_refresh_and_revoke_from_the_file_alone() {
    let h = start(Profile::AdobeIms);
    let app = h.create_app(
        json!({ "name": "CLI", "kind": "native", "redirect_uris": ["http://127.0.0.1/callback"] }),
    );
    let file = temp_file("adobe");
    let tokens = login_with(
        ClientOptions {
            issuer: Some(h.base.clone()),
            discovery_url: Some(format!("{}/ims/.well-known/openid-configuration", h.base)),
            profile: Some(Profile::AdobeIms),
            client_id: app["client_id"].as_str().unwrap().to_owned(),
            scope: Some("openid,AdobeID,offline_access".into()),
            ..ClientOptions::default()
        },
        &file,
    );
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["sub"], "carol", "IMS's sub is kept");
    // openid was asked for: serve's RS256 ID token was checked against its JWK Set.
    let id_token = tokens["id_token"].as_str().expect("a checked ID token");
    let header = id_token.split('.').next().unwrap();
    assert!(header.starts_with("eyJhbGciOiJSUzI1NiI"), "RS256: {header}");
    let first = tokens["refresh_token"].as_str().unwrap().to_owned();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["config"]["profile"], "adobe-ims");
    assert_eq!(
        saved["config"]["token_endpoint"],
        format!("{}/ims/token/v3", h.base)
    );

    // refresh needs nothing but the file.
    let refreshed = run(|out| run_refresh(&ClientOptions::default(), &file, out));
    assert_eq!(
        refreshed["sub"], "carol",
        "through the save and the refresh"
    );
    assert_ne!(
        refreshed["refresh_token"].as_str().unwrap(),
        first,
        "rotated"
    );
    let access = refreshed["access_token"].as_str().unwrap().to_owned();

    let revoked = run(|out| {
        run_revoke(
            &ClientOptions::default(),
            &file,
            authcode::client::TokenKind::Refresh,
            out,
        )
    });
    assert_eq!(revoked["revoked"], "refresh_token");
    let (response, _) = http::get(
        &format!("{}/ims/userinfo/v2", h.base),
        &[("Authorization", &format!("Bearer {access}"))],
    )
    .unwrap();
    assert_eq!(response.status, 401, "the grant ended");
    // The file is signed out now: a refresh is refused, and says why.
    let mut out = Vec::new();
    let failure = run_refresh(&ClientOptions::default(), &file, &mut out).unwrap_err();
    assert_eq!(
        failure.exit_code(),
        std::process::ExitCode::from(2),
        "{failure}"
    );
}

#[test]
fn rfc_by_issuer_alone_finds_rfc_8414_metadata_and_sends_form_bodies() {
    let h = start(Profile::Rfc);
    let app = h.create_app(
        json!({ "name": "Web", "kind": "web", "redirect_uris": ["http://127.0.0.1/callback"] }),
    );
    let file = temp_file("rfc");
    // No OpenID configuration here: the RFC 8414 location is tried next.
    let tokens = login_with(
        ClientOptions {
            issuer: Some(h.base.clone()),
            client_id: app["client_id"].as_str().unwrap().to_owned(),
            client_secret: Some(app["client_secret"].as_str().unwrap().to_owned()),
            ..ClientOptions::default()
        },
        &file,
    );
    assert_eq!(tokens["token_type"], "Bearer");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["config"]["token_body"], "form");
    assert_eq!(
        saved["config"]["token_endpoint_auth_method"],
        "client_secret_basic"
    );
    assert!(
        saved["config"]["issuer_required_on_redirect"]
            .as_bool()
            .unwrap()
    );
    let refreshed = run(|out| run_refresh(&ClientOptions::default(), &file, out));
    assert!(refreshed["access_token"].is_string());
}

#[test]
fn explicit_endpoints_with_a_form_body_override_and_workfront_shorthands_still_work() {
    let h = start(Profile::Workfront);
    let app = h.create_app(json!({ "name": "SPA", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/callback"] }));
    let client_id = app["client_id"].as_str().unwrap().to_owned();
    let file = temp_file("explicit");
    let tokens = login_with(
        ClientOptions {
            authorize_url: Some(format!("{}/integrations/oauth2/authorize", h.base)),
            token_url: Some(format!("{}/integrations/oauth2/api/v1/token", h.base)),
            revocation_url: Some(format!("{}/integrations/oauth2/api/v1/revoke", h.base)),
            profile: Some(Profile::Workfront),
            token_body: Some(authcode::profile::BodyFormat::Form),
            client_id: client_id.clone(),
            ..ClientOptions::default()
        },
        &file,
    );
    assert_eq!(tokens["token_type"], "sessionID");
    // --token-body form overrides the Workfront profile's JSON, and the file records it.
    let saved = |file: &Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
    };
    assert_eq!(saved(&file)["config"]["token_body"], "form");
    assert_eq!(
        saved(&file)["config"]["revocation_endpoint"],
        format!("{}/integrations/oauth2/api/v1/revoke", h.base)
    );
    let file = temp_file("server");
    let tokens = login_with(
        ClientOptions {
            server: Some(h.base.clone()),
            client_id,
            ..ClientOptions::default()
        },
        &file,
    );
    assert_eq!(tokens["token_type"], "sessionID");
    assert_eq!(
        saved(&file)["config"]["token_body"],
        "json",
        "the profile's default"
    );
    run(|out| run_refresh(&ClientOptions::default(), &file, out));
}

fn authcode(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_authcode"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_token_command_runs_the_client_credentials_grant() {
    let h = start(Profile::AdobeIms);
    let app = h.create_app(json!({ "name": "S2S", "kind": "machine-to-machine", "scope": "openid,AdobeID read_organizations" }));
    let (id, secret) = (
        app["client_id"].as_str().unwrap(),
        app["client_secret"].as_str().unwrap(),
    );
    let discovery = format!("{}/ims/.well-known/openid-configuration", h.base);
    let (code, stdout, stderr) = authcode(&[
        "token",
        "--client-credentials",
        "--issuer",
        &h.base,
        "--discovery-url",
        &discovery,
        "--profile",
        "adobe-ims",
        "--client-id",
        id,
        "--client-secret",
        secret,
        "--scope",
        "read_organizations",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let printed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed["scope"], "read_organizations");
    assert!(printed["access_token"].is_string());
    // The same through --server, and a refusal naming the URL and the server's error.
    let (code, _, stderr) = authcode(&[
        "token",
        "--client-credentials",
        "--server",
        &h.base,
        "--profile",
        "adobe-ims",
        "--client-id",
        id,
        "--client-secret",
        "wrong",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("POST {}/ims/token/v3", h.base)),
        "{stderr}"
    );
    assert!(stderr.contains("invalid_client"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn network_failures_are_one_line_naming_the_url_and_the_cause() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let issuer = format!("http://127.0.0.1:{port}");
    let (code, _, stderr) = authcode(&[
        "login",
        "--issuer",
        &issuer,
        "--client-id",
        "x",
        "--no-browser",
        "--timeout",
        "1",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "GET {issuer}/.well-known/openid-configuration: connection refused"
        )),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let (code, _, stderr) = authcode(&[
        "token",
        "--client-credentials",
        "--token-url",
        &format!("{issuer}/token"),
        "--client-id",
        "x",
        "--client-secret",
        "y",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains(&format!("POST {issuer}/token: connection refused")),
        "{stderr}"
    );
    // A host that does not resolve (.invalid never does, RFC 6761).
    let (code, _, stderr) = authcode(&[
        "token",
        "--client-credentials",
        "--token-url",
        "https://authcode-test.invalid/token",
        "--client-id",
        "x",
        "--client-secret",
        "y",
    ]);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("https://authcode-test.invalid/token: DNS lookup failed"),
        "{stderr}"
    );
    // Metadata naming another issuer is refused, naming the member.
    let h = start(Profile::Rfc);
    let (code, _, stderr) = authcode(&[
        "login",
        "--issuer",
        "http://127.0.0.1:1",
        "--discovery-url",
        &format!("{}/.well-known/oauth-authorization-server", h.base),
        "--client-id",
        "x",
        "--no-browser",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("issuer is not the expected issuer"),
        "{stderr}"
    );
    // Usage: a login needs a client id and one server.
    let (code, _, stderr) = authcode(&["login", "--issuer", &h.base]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--client-id"), "{stderr}");
}
