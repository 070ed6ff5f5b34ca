//! Interop with programs outside this repository: Python Authlib's `OAuth2Session`, and a
//! real browser (headless Chromium via Selenium) signing in through `authcode login`.
//!
//! They need a Python with `authlib`, `requests` and `selenium`, and Debian's `chromium`
//! and `chromium-driver`; `.ci/run` installs them and points `AUTHCODE_INTEROP_PYTHON` at
//! the virtual environment's interpreter. They are `#[ignore]`d, so a plain `cargo test`
//! lists them as ignored instead of passing without running; `.ci/run` runs them with
//! `cargo test -p authcode-cli --test interop_external -- --ignored`, and a missing
//! `AUTHCODE_INTEROP_PYTHON` then fails them.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use authcode::profile::Profile;
use authcode_cli::http;
use authcode_cli::serve::{self, Running, ServeOptions};
use serde_json::json;

fn python() -> String {
    std::env::var("AUTHCODE_INTEROP_PYTHON")
        .expect("AUTHCODE_INTEROP_PYTHON must name a Python with authlib, requests and selenium (.ci/run sets it)")
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/interop")
        .join(name)
}

fn register(running: &Running) -> String {
    let created = http::post_json(
        &format!("{}/integrations/oauth2/admin/apps", running.base_url()),
        &[("Authorization", &format!("Bearer {}", running.admin_token))],
        &json!({ "name": "Interop", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/callback"] }),
    )
    .unwrap();
    let created: serde_json::Value = serde_json::from_slice(&created.body).unwrap();
    created["client_id"].as_str().unwrap().to_owned()
}

#[test]
#[ignore = "needs AUTHCODE_INTEROP_PYTHON (Python with authlib, requests) — run by .ci/run"]
fn python_authlib_completes_a_grant() {
    let python = python();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let options = ServeOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        auto_approve: Some("dave".into()),
        profile: Profile::Rfc,
        ..ServeOptions::default()
    };
    let running = runtime.block_on(serve::start(options, false)).unwrap();
    let client_id = register(&running);
    let output = Command::new(&python)
        .arg(script("authlib_flow.py"))
        .arg(running.base_url())
        .arg(&client_id)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    runtime.block_on(running.stop()).unwrap();
}

#[test]
#[ignore = "needs AUTHCODE_INTEROP_PYTHON (selenium) and Debian's chromium + chromium-driver — run by .ci/run"]
fn a_real_browser_signs_in_through_authcode_login() {
    let python = python();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(serve::start(
            ServeOptions {
                listen: ([127, 0, 0, 1], 0).into(),
                ..ServeOptions::default()
            },
            false,
        ))
        .unwrap();
    let client_id = register(&running);
    let mut login = Command::new(env!("CARGO_BIN_EXE_authcode"))
        .args([
            "login",
            "--server",
            &running.base_url(),
            "--client-id",
            &client_id,
            "--no-browser",
            "--timeout",
            "90",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = login.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|line| line.starts_with("http"))
        .expect("login printed no URL");
    // Keep reading its progress lines, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    let browser = Command::new(&python)
        .arg(script("browser_login.py"))
        .arg(&url)
        .output()
        .unwrap();
    let browser_out = String::from_utf8_lossy(&browser.stdout);
    assert!(
        browser.status.success(),
        "{browser_out}\n{}",
        String::from_utf8_lossy(&browser.stderr)
    );
    let output = login.wait_with_output().unwrap();
    assert!(output.status.success(), "login failed");
    let tokens: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(tokens["token_type"], "sessionID");
    let (api, _) = http::get(
        &format!("{}/attask/api/v15.0/project/search", running.base_url()),
        &[("sessionID", tokens["access_token"].as_str().unwrap())],
    )
    .unwrap();
    assert_eq!(api.status, 200);
    assert!(
        String::from_utf8_lossy(&api.body).contains("\"erin\""),
        "signed in as the user the browser typed"
    );
    runtime.block_on(running.stop()).unwrap();
}
