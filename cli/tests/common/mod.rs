//! Shared by the `authcode serve` tests: an in-process server on a free loopback port
//! that signs every request in as one subject, stopped on drop, and its admin API.

#![allow(dead_code, unreachable_pub)]

use authcode::profile::Profile;
use authcode_cli::http;
use authcode_cli::serve::{self, Running, ServeOptions};
use serde_json::Value;

/// A running `authcode serve`.
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    running: Option<Running>,
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub base: String,
    admin: String,
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = self.runtime.block_on(running.stop());
        }
    }
}

/// A server of `profile` that approves every authorization as `subject` at once.
pub fn auto_approving(profile: Profile, subject: &str) -> Harness {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(serve::start(
            ServeOptions {
                listen: ([127, 0, 0, 1], 0).into(),
                auto_approve: Some(subject.into()),
                profile,
                ..ServeOptions::default()
            },
            false,
        ))
        .unwrap();
    let base = running.base_url();
    let admin = running.admin_token.clone();
    Harness {
        runtime,
        running: Some(running),
        base,
        admin,
    }
}

/// The body of `response` as JSON (`null` when it is not JSON).
pub fn json_of(response: &http::HttpResponse) -> Value {
    serde_json::from_slice(&response.body).unwrap_or(Value::Null)
}

impl Harness {
    /// The admin API's bearer token.
    pub fn admin_token(&self) -> &str {
        &self.admin
    }

    /// Registers an app through the admin API; its JSON (client id, secret …).
    pub fn create_app(&self, body: Value) -> Value {
        let response = http::post_json(
            &format!("{}/integrations/oauth2/admin/apps", self.base),
            &[("Authorization", &format!("Bearer {}", self.admin))],
            &body,
        )
        .unwrap();
        assert_eq!(
            response.status,
            201,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        json_of(&response)
    }
}
