//! `authcode demo`: a local server and a headless login against it, every step printed.

use std::io::Write;
use std::time::Duration;

use authcode::client::HttpRequest;
use serde_json::json;

use crate::failure::Failure;
use crate::http;
use crate::login::{Browser, ClientOptions, LoginOptions, login, redact_code};
use crate::serve::{self, ServeOptions};

/// Plays the browser: follows the authorization server's redirect (the server approves at
/// once, `--auto-approve`) back to the login's loopback listener, on another thread.
struct HeadlessBrowser {
    log: std::sync::mpsc::Sender<String>,
}

impl Browser for HeadlessBrowser {
    fn open(&mut self, url: &str) {
        let url = url.to_owned();
        let log = self.log.clone();
        std::thread::spawn(move || {
            let Ok((response, Some(location))) = http::get(&url, &[]) else {
                let _ = log.send("browser: the authorization server did not redirect".into());
                return;
            };
            let _ = log.send(format!(
                "browser: HTTP {} → Location: {}",
                response.status,
                redact_code(&location)
            ));
            let _ = http::get(&location, &[]);
        });
    }
}

fn short(secret: &str) -> String {
    let head: String = secret.chars().take(6).collect();
    format!("{head}… ({} chars)", secret.chars().count())
}

/// `authcode demo`.
///
/// # Errors
///
/// [`Failure`] when any step does not behave as it should.
pub fn run(out: &mut dyn Write) -> Result<(), Failure> {
    let runtime =
        tokio::runtime::Runtime::new().map_err(|error| Failure::System(error.to_string()))?;
    let options = ServeOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        auto_approve: Some("demo-user".into()),
        ..ServeOptions::default()
    };
    let running = runtime
        .block_on(serve::start(options, false))
        .map_err(|error| Failure::System(error.to_string()))?;
    let base = running.base_url();
    let result = steps(out, &base, &running.admin_token);
    let _ = runtime.block_on(running.stop());
    result
}

fn steps(out: &mut dyn Write, base: &str, admin_token: &str) -> Result<(), Failure> {
    let fail = |what: &str| Failure::Mismatch(format!("demo step failed: {what}"));
    writeln!(
        out,
        "1. authcode serve is listening on {base} (Workfront dialect)"
    )?;

    let bearer = format!("Bearer {admin_token}");
    let app = http::post_json(
        &format!("{base}/integrations/oauth2/admin/apps"),
        &[("Authorization", &bearer)],
        &json!({ "name": "Demo single-page app", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/callback"], "rotation": true }),
    )
    .map_err(Failure::System)?;
    let app: serde_json::Value =
        serde_json::from_slice(&app.body).map_err(|_| fail("registering the app"))?;
    let client_id = app
        .get("client_id")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| fail("registering the app"))?
        .to_owned();
    writeln!(
        out,
        "2. registered a single-page app (PKCE, no secret): client_id {client_id}"
    )?;

    let (sender, receiver) = std::sync::mpsc::channel();
    let mut browser = HeadlessBrowser { log: sender };
    let options = LoginOptions {
        client: ClientOptions {
            server: Some(base.to_owned()),
            client_id,
            ..ClientOptions::default()
        },
        port: 0,
        no_browser: true,
        timeout: Duration::from_secs(20),
        save: None,
    };
    let mut lines = Vec::new();
    let logged_in = login(&options, &mut browser, &mut |line| {
        lines.push(line.to_owned())
    })?;
    let browser_lines: Vec<String> = receiver.try_iter().collect();
    writeln!(
        out,
        "3. login: {}",
        lines.first().map_or("", String::as_str)
    )?;
    for line in &browser_lines {
        writeln!(out, "   {line}")?;
    }
    for line in lines.iter().skip(1) {
        writeln!(out, "   {line}")?;
    }
    let mut session = logged_in.session;
    let tokens = session.tokens().ok_or_else(|| fail("no tokens"))?;
    writeln!(
        out,
        "4. tokens: token_type {}, access_token {}, refresh_token {}, expires_in {} s",
        tokens.token_type().as_str(),
        short(tokens.access_token()),
        short(tokens.refresh_token().unwrap_or_default()),
        tokens
            .expires_at()
            .map_or(0, |at| crate::serve::now().seconds_until(at)),
    )?;

    let api = format!("{base}/attask/api/v15.0/project/search");
    let mut header = vec![0u8; 4096];
    let (name, value) = session
        .authorization_header(&mut header)
        .map_err(|error| Failure::System(error.to_string()))?;
    let (response, _) = http::get(&api, &[(name, value)]).map_err(Failure::System)?;
    writeln!(
        out,
        "5. GET /attask/api/v15.0/project/search with the {name} header → HTTP {}",
        response.status
    )?;
    if response.status != 200 {
        return Err(fail("the API call"));
    }

    let old_refresh = session
        .tokens()
        .and_then(|tokens| tokens.refresh_token())
        .unwrap_or_default()
        .to_owned();
    let mut buf = vec![0u8; 8192];
    let request = session
        .refresh_request(&mut buf)
        .map_err(|error| Failure::System(error.to_string()))?;
    let response = http::send(&request).map_err(Failure::System)?;
    session
        .on_refresh_response(response.status, &response.body, crate::serve::now())
        .map_err(|error| Failure::System(error.to_string()))?;
    let new_refresh = session
        .tokens()
        .and_then(|tokens| tokens.refresh_token())
        .unwrap_or_default()
        .to_owned();
    writeln!(
        out,
        "6. refresh with rotation → HTTP {}: refresh token {} replaced by {}",
        response.status,
        short(&old_refresh),
        short(&new_refresh)
    )?;
    if old_refresh == new_refresh {
        return Err(fail("rotation"));
    }

    let (url, content_type, authorization, body) = logged_in.exchange;
    let replay = HttpRequest {
        method: "POST",
        url: &url,
        content_type,
        accept: "application/json",
        authorization: authorization.as_deref(),
        body: &body,
    };
    let response = http::send(&replay).map_err(Failure::System)?;
    let answer: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
    writeln!(
        out,
        "7. the same code replayed → HTTP {}: {}",
        response.status,
        answer
            .get("error")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?")
    )?;
    let mut header = vec![0u8; 4096];
    let (name, value) = session
        .authorization_header(&mut header)
        .map_err(|error| Failure::System(error.to_string()))?;
    let (after, _) = http::get(&api, &[(name, value)]).map_err(Failure::System)?;
    writeln!(
        out,
        "8. the grant that code produced is revoked: the API now answers HTTP {}",
        after.status
    )?;
    if response.status != 400 || after.status != 401 {
        return Err(fail("replay protection"));
    }
    writeln!(out, "done")?;
    Ok(())
}
