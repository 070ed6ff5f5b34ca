//! Machine-to-machine JWTs from the terminal against `authcode serve`: `keygen` makes the
//! key pair and certificate Workfront asks for, the app registers the certificate, and
//! `token --jwt-key` exchanges a signed JWT — Workfront's `jwt/exchange` and RFC 7523's
//! JWT bearer grant; the admin API's `generate_key` hands out a private key once.

#![cfg(test)]
#![allow(clippy::std_instead_of_core)]

mod common;

use std::path::PathBuf;

use authcode::profile::Profile;
use authcode_cli::client_options::ClientOptions;
use authcode_cli::keygen::{KeygenOptions, run_keygen};
use authcode_cli::signing::KeyAlgorithm;
use authcode_cli::token::{JwtOptions, run_jwt_token};
use serde_json::{Value, json};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authcode-jwt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn keygen(algorithm: KeyAlgorithm, dir: &std::path::Path) -> Value {
    let mut out = Vec::new();
    run_keygen(
        &KeygenOptions {
            algorithm,
            out_dir: dir.to_path_buf(),
            common_name: "test app".into(),
            days: 30,
        },
        &mut out,
    )
    .unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn token(options: &ClientOptions, key: PathBuf, subject: &str) -> Result<Value, String> {
    let mut out = Vec::new();
    run_jwt_token(
        options,
        &JwtOptions {
            key,
            subject: subject.into(),
            audience: None,
            issuer: None,
        },
        &mut out,
    )
    .map_err(|failure| failure.to_string())?;
    Ok(serde_json::from_slice(&out).unwrap())
}

#[test]
fn keygen_certificate_then_the_workfront_jwt_exchange() {
    let h = common::auto_approving(Profile::Workfront, "nobody");
    let dir = temp_dir("workfront");
    let made = keygen(KeyAlgorithm::Rs256, &dir);
    assert_eq!(made["alg"], "RS256");
    let certificate = std::fs::read_to_string(dir.join("certificate.pem")).unwrap();
    assert!(certificate.starts_with("-----BEGIN CERTIFICATE-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("private.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the private key is the user's alone");
    }
    // keygen does not overwrite.
    let again = run_keygen(
        &KeygenOptions {
            algorithm: KeyAlgorithm::Rs256,
            out_dir: dir.clone(),
            common_name: "x".into(),
            days: 1,
        },
        &mut Vec::new(),
    );
    assert!(again.unwrap_err().to_string().contains("exists"));

    let app = h.create_app(json!({
        "name": "Robot", "kind": "machine-to-machine", "public_keys": [certificate]
    }));
    let options = ClientOptions {
        server: Some(h.base.clone()),
        client_id: app["client_id"].as_str().unwrap().into(),
        client_secret: Some(app["client_secret"].as_str().unwrap().into()),
        ..ClientOptions::default()
    };
    let answer = token(&options, dir.join("private.pem"), "alice@example.com").unwrap();
    assert_eq!(answer["token_type"], "sessionID", "{answer}");
    // The session works against the sample API as alice.
    let response = authcode_cli::http::get(
        &format!("{}/attask/api/v15.0/user/search", h.base),
        &[("sessionID", answer["access_token"].as_str().unwrap())],
    )
    .unwrap()
    .0;
    assert_eq!(response.status, 200);

    // A key the app did not register: refused, and the refusal says why.
    let other = temp_dir("workfront-other");
    keygen(KeyAlgorithm::Rs256, &other);
    let refused = token(&options, other.join("private.pem"), "alice@example.com").unwrap_err();
    assert!(refused.contains("invalid_grant"), "{refused}");
    assert!(refused.contains("signature does not verify"), "{refused}");
}

#[test]
fn an_es256_key_and_rfc7523_and_a_generated_key_pair() {
    let h = common::auto_approving(Profile::Rfc, "nobody");
    let dir = temp_dir("rfc");
    keygen(KeyAlgorithm::Es256, &dir);
    let public = std::fs::read_to_string(dir.join("public.pem")).unwrap();
    let app = h.create_app(json!({
        "name": "Service", "kind": "machine-to-machine", "public_keys": [public], "scope": "reports"
    }));
    let options = ClientOptions {
        server: Some(h.base.clone()),
        profile: Some(Profile::Rfc),
        client_id: app["client_id"].as_str().unwrap().into(),
        client_secret: Some(app["client_secret"].as_str().unwrap().into()),
        ..ClientOptions::default()
    };
    let answer = token(&options, dir.join("private.pem"), "bob").unwrap();
    assert_eq!(answer["token_type"], "Bearer", "{answer}");
    assert_eq!(answer["scope"], "reports");

    // generate_key: the server makes the pair; the private key is shown once.
    let generated = h.create_app(json!({
        "name": "Generated", "kind": "machine-to-machine", "generate_key": true
    }));
    let private = generated["private_key"].as_str().unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
    let key_file = temp_dir("generated-key");
    std::fs::create_dir_all(&key_file).unwrap();
    let key_path = key_file.join("key.pem");
    std::fs::write(&key_path, private).unwrap();
    let options = ClientOptions {
        client_id: generated["client_id"].as_str().unwrap().into(),
        client_secret: Some(generated["client_secret"].as_str().unwrap().into()),
        ..options
    };
    assert_eq!(
        token(&options, key_path, "carol").unwrap()["token_type"],
        "Bearer"
    );
    let listed = authcode_cli::http::get(
        &format!("{}/integrations/oauth2/admin/apps", h.base),
        &[("Authorization", &format!("Bearer {}", h.admin_token()))],
    )
    .unwrap()
    .0;
    assert!(
        !String::from_utf8_lossy(&listed.body).contains("PRIVATE KEY"),
        "the server keeps no private key"
    );
}

#[test]
#[ignore = "needs the openssl command (Debian's openssl package) — run by .ci/run"]
fn openssl_verifies_keygen_certificates_and_reads_its_keys() {
    for (algorithm, name) in [(KeyAlgorithm::Rs256, "rs"), (KeyAlgorithm::Es256, "es")] {
        let dir = temp_dir(&format!("openssl-{name}"));
        keygen(algorithm, &dir);
        let certificate = dir.join("certificate.pem");
        let verify = std::process::Command::new("openssl")
            .args(["verify", "-check_ss_sig", "-CAfile"])
            .arg(&certificate)
            .arg(&certificate)
            .output()
            .unwrap();
        assert!(
            verify.status.success(),
            "{}",
            String::from_utf8_lossy(&verify.stderr)
        );
        let pkey = std::process::Command::new("openssl")
            .args(["pkey", "-noout", "-in"])
            .arg(dir.join("private.pem"))
            .status()
            .unwrap();
        assert!(pkey.success());
    }
}
