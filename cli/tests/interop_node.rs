//! Interop with independent, OpenID-certified peers from the npm registry:
//! - `authcode login` / `refresh` / `revoke` / `token` against panva's **oidc-provider**
//!   (an OpenID-certified authorization server) on loopback, configured by discovery
//!   alone; a script plays the user at its sign-in and consent pages;
//! - panva's **openid-client** (an OpenID-certified relying party, strict about issuer,
//!   state, PKCE and `iss`) against `authcode serve --profile rfc` and
//!   `--profile adobe-ims`, configured by discovery alone, checking serve's ID tokens;
//! - panva's **jose** (an independent JOSE implementation): RS256, ES256 and EdDSA JWTs
//!   it signs verify in authcode, and JWTs authcode signs (core ES256 / Ed25519 keys,
//!   the CLI's RSA key) verify there.
//!
//! They need Node.js with the packages of `tests/interop/package.json` installed in the
//! directory `AUTHCODE_INTEROP_NODE_DIR` names, and `AUTHCODE_INTEROP_PYTHON` (a Python with
//! `requests`); `.ci/run` installs both and runs these with `-- --ignored`.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

mod common;

use core::time::Duration;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use authcode::client::TokenKind;
use authcode::profile::Profile;
use authcode_cli::client_options::ClientOptions;
use authcode_cli::login::{Browser, LoginOptions, login, run_refresh, run_revoke};
use serde_json::{Value, json};

fn node_dir() -> PathBuf {
    PathBuf::from(std::env::var("AUTHCODE_INTEROP_NODE_DIR").expect(
        "AUTHCODE_INTEROP_NODE_DIR must name a directory with tests/interop/package.json installed (.ci/run sets it)",
    ))
}

fn python() -> String {
    std::env::var("AUTHCODE_INTEROP_PYTHON")
        .expect("AUTHCODE_INTEROP_PYTHON must name a Python with requests (.ci/run sets it)")
}

fn interop(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/interop")
        .join(name)
}

/// A Node script of `tests/interop`, copied beside the installed packages (ES modules
/// resolve packages from the script's own directory).
fn node_script(name: &str) -> PathBuf {
    let target = node_dir().join(name);
    std::fs::copy(interop(name), &target).unwrap();
    target
}

/// A running oidc-provider, stopped on drop.
struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn oidc_provider() -> Provider {
    let mut child = Command::new("node")
        .arg(node_script("oidc_provider.mjs"))
        .arg(free_port().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node is required");
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    // Keep draining its output: a closed pipe would end the provider at its next write.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let issuer = line
        .trim()
        .strip_prefix("listening ")
        .unwrap_or_else(|| panic!("oidc-provider did not start: {line:?}"))
        .to_owned();
    Provider { child, issuer }
}

/// Plays the user at oidc-provider's pages (tests/interop/play_user.py).
struct ScriptedUser;

impl Browser for ScriptedUser {
    fn open(&mut self, url: &str) {
        let url = url.to_owned();
        std::thread::spawn(move || {
            let status = Command::new(python())
                .arg(interop("play_user.py"))
                .arg(&url)
                .arg("dana")
                .status();
            assert!(
                status.is_ok_and(|status| status.success()),
                "the scripted user failed"
            );
        });
    }
}

fn run(command: impl FnOnce(&mut Vec<u8>) -> Result<(), authcode_cli::failure::Failure>) -> Value {
    let mut out = Vec::new();
    command(&mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
#[ignore = "needs Node.js with oidc-provider (AUTHCODE_INTEROP_NODE_DIR) and AUTHCODE_INTEROP_PYTHON — run by .ci/run"]
fn authcode_login_refresh_revoke_and_token_against_oidc_provider() {
    let provider = oidc_provider();
    let dir = std::env::temp_dir().join(format!("authcode-oidc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("session.json");
    let options = LoginOptions {
        client: ClientOptions {
            issuer: Some(provider.issuer.clone()),
            client_id: "authcode-native".into(),
            scope: Some("openid offline_access".into()),
            ..ClientOptions::default()
        },
        port: 0,
        no_browser: true,
        timeout: Duration::from_secs(30),
        save: Some(file.clone()),
    };
    let logged_in = login(&options, &mut ScriptedUser, &mut |_| {}).unwrap();
    let config = logged_in.session.config();
    assert_eq!(config.issuer(), Some(provider.issuer.as_str()));
    assert!(
        config.issuer_required_on_redirect(),
        "oidc-provider advertises RFC 9207 iss"
    );
    let tokens = logged_in.session.tokens().unwrap();
    // oidc-provider's ID token was checked against its JWK Set (signature, iss, aud, exp,
    // iat, the nonce authcode sent); its sub is the verified subject.
    let id_token = tokens.id_token().expect("a checked ID token");
    assert_eq!(id_token.split('.').count(), 3);
    assert_eq!(tokens.subject(), Some("dana"));
    let first_refresh = tokens.refresh_token().unwrap().to_owned();

    // Refresh with rotation, from the session file alone.
    let refreshed = run(|out| run_refresh(&ClientOptions::default(), &file, out));
    let second_refresh = refreshed["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first_refresh, "oidc-provider rotates");

    // Revocation ends the refresh token: refreshing a copy of the file then fails.
    let copy = dir.join("copy.json");
    std::fs::copy(&file, &copy).unwrap();
    let revoked = run(|out| run_revoke(&ClientOptions::default(), &file, TokenKind::Refresh, out));
    assert_eq!(
        revoked["endpoint"],
        format!("{}/token/revocation", provider.issuer)
    );
    let failure = run_refresh(&ClientOptions::default(), &copy, &mut Vec::new()).unwrap_err();
    assert!(failure.to_string().contains("invalid_grant"), "{failure}");

    // The client credentials grant, by discovery.
    let token = run(|out| {
        authcode_cli::token::run_token(
            &ClientOptions {
                issuer: Some(provider.issuer.clone()),
                client_id: "authcode-service".into(),
                client_secret: Some("service-secret-0123456789".into()),
                scope: Some("api:read".into()),
                ..ClientOptions::default()
            },
            out,
        )
    });
    assert_eq!(token["scope"], "api:read");
    assert_eq!(token["token_type"], "Bearer");
}

fn openid_client_against(profile: Profile, metadata_path: &str) -> Value {
    let server = common::auto_approving(profile, "erin");
    let base = server.base.clone();
    let created = server.create_app(
        json!({ "name": "openid-client", "kind": "native", "redirect_uris": ["http://127.0.0.1/callback"] }),
    );
    let script = node_script("openid_client.mjs");
    let output = Command::new("node")
        .arg(script)
        .arg(&base)
        .arg(format!("{base}{metadata_path}"))
        .arg(created["client_id"].as_str().unwrap())
        .output()
        .expect("node is required");
    drop(server);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "openid-client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["issuer"], base.as_str());
    // openid-client checked serve's RS256 ID token against the published JWK Set.
    assert_eq!(result["id_token_alg"], "RS256");
    assert_eq!(result["sub"], "erin");
    assert_eq!(result["aud"], created["client_id"]);
    assert_eq!(result["rotated"], true);
    assert_eq!(result["refused_after_revocation"], true);
    result
}

#[test]
#[ignore = "needs Node.js with openid-client (AUTHCODE_INTEROP_NODE_DIR) — run by .ci/run"]
fn openid_client_uses_serve_rfc_through_discovery() {
    openid_client_against(Profile::Rfc, "/.well-known/oauth-authorization-server");
}

#[test]
#[ignore = "needs Node.js with openid-client (AUTHCODE_INTEROP_NODE_DIR) — run by .ci/run"]
fn openid_client_uses_serve_adobe_ims_through_discovery() {
    openid_client_against(Profile::AdobeIms, "/ims/.well-known/openid-configuration");
}

#[test]
#[ignore = "needs Node.js with jose (AUTHCODE_INTEROP_NODE_DIR) — run by .ci/run"]
fn jose_signs_what_authcode_verifies_and_verifies_what_authcode_signs() {
    use authcode::jose::{
        Claims, Compact, Ed25519Signer, Es256Signer, JwkSet, JwsSigner, sign_compact,
    };
    const AUDIENCE: &str = "https://authcode.example";
    let script = node_script("jose_peer.mjs");

    // 1. jose signs; authcode verifies with the JWK Set jose exported.
    let output = Command::new("node")
        .arg(&script)
        .arg("sign")
        .arg(AUDIENCE)
        .output()
        .expect("node is required");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let signed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let jwks = signed["jwks"].to_string();
    let set = JwkSet::parse(jwks.as_bytes()).unwrap();
    for alg in ["RS256", "ES256", "EdDSA"] {
        let token = signed["tokens"][alg].as_str().unwrap();
        let jws = Compact::parse(token.as_bytes()).unwrap();
        let header = jws.header().unwrap();
        assert_eq!(header.algorithm().name(), alg);
        let key = set.find(&header).unwrap();
        let mut payload = [0u8; 1024];
        let payload = jws.verify(&key, &mut payload).unwrap();
        let claims = Claims::parse(payload).unwrap();
        assert!(claims.subject.unwrap().is(&format!("subject-{alg}")));
        assert!(claims.audience.contains(AUDIENCE));
        // One byte of the payload changed: refused.
        let forged = token.replacen('.', ".e", 1);
        assert!(
            Compact::parse(forged.as_bytes())
                .and_then(|jws| jws.verify(&key, &mut [0u8; 1024]).map(|_| ()))
                .is_err()
        );
    }

    // 2. authcode signs (core keys and the CLI's RSA key); jose verifies.
    let ed = Ed25519Signer::from_bytes(&[11u8; 32], Some("ac-ed")).unwrap();
    let es = Es256Signer::from_bytes(&[12u8; 32], Some("ac-es")).unwrap();
    let rsa =
        authcode_cli::signing::SigningKey::generate(authcode_cli::signing::KeyAlgorithm::Rs256)
            .unwrap();
    let mut keys = Vec::new();
    let mut tokens = Vec::new();
    let claims = format!(
        r#"{{"iss":"https://authcode.example","sub":"from-authcode","aud":"{AUDIENCE}","iat":{},"exp":{}}}"#,
        authcode_cli::serve::now().unix_seconds(),
        authcode_cli::serve::now().unix_seconds() + 300
    );
    let signers: [&dyn JwsSigner; 3] = [&ed, &es, &rsa];
    for signer in signers {
        let mut out = [0u8; 4096];
        tokens.push(
            sign_compact(signer, "JWT", claims.as_bytes(), &mut out)
                .unwrap()
                .to_owned(),
        );
    }
    for (signer, kid) in [(&ed.public_key(), "ac-ed"), (&es.public_key(), "ac-es")] {
        let mut jwk = [0u8; 1024];
        keys.push(
            serde_json::from_str::<Value>(signer.write_jwk(Some(kid), &mut jwk).unwrap()).unwrap(),
        );
    }
    let rsa_set: Value = serde_json::from_str(rsa.jwks()).unwrap();
    keys.push(rsa_set["keys"][0].clone());
    let input = json!({ "jwks": { "keys": keys }, "tokens": tokens, "audience": AUDIENCE });
    let mut child = Command::new("node")
        .arg(&script)
        .arg("verify")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        input.to_string().as_bytes(),
    )
    .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "jose refused authcode's JWTs: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let verified: Value = serde_json::from_slice(&output.stdout).unwrap();
    let algs: Vec<&str> = verified["verified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["alg"].as_str().unwrap())
        .collect();
    assert_eq!(algs, ["EdDSA", "ES256", "RS256"]);
    assert!(
        verified["verified"]
            .as_array()
            .unwrap()
            .iter()
            .all(|entry| entry["sub"] == "from-authcode")
    );
}
