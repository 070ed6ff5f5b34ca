//! `authcode serve` over real HTTP on loopback: endpoints, the admin API, the consent
//! page, and the server issue's attack cases repeated over the wire.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use std::io::Write as _;

use authcode::client::{ClientConfig, RedirectOutcome, Session};
use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode_cli::http;
use authcode_cli::serve::{self, Running, ServeOptions};
use serde_json::{Value, json};

struct Harness {
    runtime: tokio::runtime::Runtime,
    running: Option<Running>,
    base: String,
    admin: String,
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = self.runtime.block_on(running.stop());
        }
    }
}

fn start(options: ServeOptions) -> Harness {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(serve::start(
            ServeOptions {
                listen: ([127, 0, 0, 1], 0).into(),
                ..options
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

fn auto_approving(profile: Profile) -> Harness {
    start(ServeOptions {
        auto_approve: Some("alice".into()),
        profile,
        ..ServeOptions::default()
    })
}

fn json(response: &http::HttpResponse) -> Value {
    serde_json::from_slice(&response.body).unwrap_or(Value::Null)
}

impl Harness {
    fn admin(&self) -> String {
        format!("Bearer {}", self.admin)
    }

    fn create_app(&self, body: Value) -> Value {
        let response = http::post_json(
            &format!("{}/integrations/oauth2/admin/apps", self.base),
            &[("Authorization", &self.admin())],
            &body,
        )
        .unwrap();
        assert_eq!(
            response.status,
            201,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        json(&response)
    }

    fn spa(&self) -> String {
        self.create_app(json!({ "name": "SPA", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/callback"] }))["client_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn config(&self, client_id: &str) -> ClientConfig {
        ClientConfig::new(
            Profile::Workfront,
            &format!("{}/integrations/oauth2/authorize", self.base),
            &format!("{}/integrations/oauth2/api/v1/token", self.base),
            client_id,
            "http://127.0.0.1:9/callback",
        )
        .unwrap()
    }

    /// A session that went through authorize (auto-approved) and has its code.
    fn session_with_code(&self, client_id: &str) -> Session {
        let mut session =
            Session::start(self.config(client_id), &mut getrandom::SysRng, serve::now()).unwrap();
        let mut url = vec![0u8; 4096];
        let url = session.authorize_url(&mut url).unwrap().to_owned();
        let (response, location) = http::get(&url, &[]).unwrap();
        assert_eq!(response.status, 302);
        assert_eq!(
            session.on_redirect(location.unwrap().as_bytes()).unwrap(),
            RedirectOutcome::CodeReceived
        );
        session
    }

    fn exchange(&self, session: &mut Session) -> (u16, Value) {
        let mut buf = vec![0u8; 8192];
        let request = session.token_request(&mut buf).unwrap();
        let response = http::send(&request).unwrap();
        let body = json(&response);
        let _ = session.on_token_response(response.status, &response.body, serve::now());
        (response.status, body)
    }

    fn api(&self, session_id: &str) -> u16 {
        http::get(
            &format!("{}/attask/api/v15.0/task/search", self.base),
            &[("sessionID", session_id)],
        )
        .unwrap()
        .0
        .status
    }
}

#[test]
fn metadata_describes_the_server() {
    let h = auto_approving(Profile::Workfront);
    let (response, _) = http::get(
        &format!("{}/.well-known/oauth-authorization-server", h.base),
        &[],
    )
    .unwrap();
    assert_eq!(response.status, 200);
    let metadata = json(&response);
    assert_eq!(metadata["issuer"], h.base.as_str());
    assert_eq!(
        metadata["token_endpoint"],
        format!("{}/integrations/oauth2/api/v1/token", h.base)
    );
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        json!(["S256"])
    );
}

#[test]
fn a_whole_grant_over_http() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let mut session = h.session_with_code(&client_id);
    let (status, body) = h.exchange(&mut session);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "sessionID");
    let access = session.tokens().unwrap().access_token().to_owned();
    assert_eq!(h.api(&access), 200);
    let (response, _) = http::get(
        &format!("{}/attask/api/v15.0/task/search", h.base),
        &[("Authorization", &format!("Bearer {access}"))],
    )
    .unwrap();
    assert_eq!(response.status, 200, "Bearer works too");
    assert_eq!(json(&response)["subject"], "alice");
    assert_eq!(h.api("nonsense"), 401);
    let (response, _) =
        http::get(&format!("{}/attask/api/v15.0/task/search", h.base), &[]).unwrap();
    assert_eq!(response.status, 401);
}

#[test]
fn the_token_endpoint_sends_no_store_headers() {
    let h = auto_approving(Profile::Workfront);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let response = agent
        .post(&format!("{}/integrations/oauth2/api/v1/token", h.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("grant_type=authorization_code&code=x&client_id=nobody")
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    assert_eq!(response.headers().get("pragma").unwrap(), "no-cache");
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/json"
    );
}

#[test]
fn a_replayed_code_is_refused_and_its_tokens_revoked() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let mut session = h.session_with_code(&client_id);
    let replay = session.clone();
    assert_eq!(h.exchange(&mut session).0, 200);
    let access = session.tokens().unwrap().access_token().to_owned();
    let mut replay = replay;
    let (status, body) = h.exchange(&mut replay);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(h.api(&access), 401);
}

#[test]
fn a_wrong_verifier_burns_the_code() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let verifier = Verifier::generate(&mut getrandom::SysRng, VerifierLength::DEFAULT).unwrap();
    let challenge = Challenge::s256(&verifier).to_string();
    let query = format!(
        "response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&code_challenge={challenge}&code_challenge_method=S256&state=s"
    );
    let (_, location) = http::get(
        &format!("{}/integrations/oauth2/authorize?{query}", h.base),
        &[],
    )
    .unwrap();
    let location = location.unwrap();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let token = |verifier: &str| {
        let body = json!({ "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/callback", "client_id": client_id, "code_verifier": verifier });
        let response = http::post_json(
            &format!("{}/integrations/oauth2/api/v1/token", h.base),
            &[],
            &body,
        )
        .unwrap();
        (
            response.status,
            json(&response)["error"].as_str().map(str::to_owned),
        )
    };
    let wrong = Verifier::generate(&mut getrandom::SysRng, VerifierLength::DEFAULT).unwrap();
    assert_eq!(token(wrong.as_str()), (400, Some("invalid_grant".into())));
    assert_eq!(
        token(verifier.as_str()),
        (400, Some("invalid_grant".into())),
        "one guess only"
    );
}

#[test]
fn pkce_plain_and_missing_pkce_are_refused_on_the_redirect() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    for extra in [
        "",
        "&code_challenge=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq&code_challenge_method=plain",
    ] {
        let url = format!(
            "{}/integrations/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&state=s{extra}",
            h.base
        );
        let (response, location) = http::get(&url, &[]).unwrap();
        assert_eq!(response.status, 302);
        let location = location.unwrap();
        assert!(location.contains("error=invalid_request"), "{location}");
        assert!(!location.contains("code="), "{location}");
    }
}

#[test]
fn an_unregistered_redirect_uri_is_never_redirected_to() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let url = format!(
        "{}/integrations/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&state=s",
        h.base
    );
    let (response, location) = http::get(&url, &[]).unwrap();
    assert_eq!((response.status, location), (400, None));
    assert!(String::from_utf8_lossy(&response.body).contains("redirect_uri"));
}

#[test]
fn a_rotated_refresh_token_replayed_revokes_the_grant() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let mut session = h.session_with_code(&client_id);
    h.exchange(&mut session);
    let mut stolen = session.clone();
    for copy in [&mut stolen, &mut session] {
        let mut buf = vec![0u8; 8192];
        let request = copy.refresh_request(&mut buf).unwrap();
        let response = http::send(&request).unwrap();
        let _ = copy.on_refresh_response(response.status, &response.body, serve::now());
    }
    assert_eq!(
        session.stage(),
        authcode::client::Stage::Failed,
        "the legitimate copy must sign in again"
    );
    assert_eq!(
        h.api(stolen.tokens().unwrap().access_token()),
        401,
        "and the thief's tokens are dead"
    );
}

/// A plain agent that follows no redirects and treats every status as an answer.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// The consent page for `url`: status, headers, body.
fn consent_page(url: &str, cookie: Option<&str>) -> (u16, ureq::http::HeaderMap, String) {
    let mut request = agent().get(url);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let mut response = request.call().unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.body_mut().read_to_string().unwrap(),
    )
}

/// The hidden `consent_token` of a consent page.
fn consent_token(page: &str) -> String {
    page.split(r#"name="consent_token" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// Posts a decision; returns status and `Location`.
fn decide(
    base: &str,
    query: &str,
    token: &str,
    cookie: Option<&str>,
    decision: &str,
    username: &str,
) -> (u16, Option<String>) {
    let form = format!(
        "query={}&consent_token={token}&username={username}&password=x&decision={decision}",
        url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>()
    );
    let mut request = agent()
        .post(&format!("{base}/integrations/oauth2/authorize/decision"))
        .header("Content-Type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let response = request.send(form).unwrap();
    (
        response.status().as_u16(),
        response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned()),
    )
}

#[test]
fn the_consent_page_signs_in_and_asks() {
    let h = start(ServeOptions::default());
    let client_id = h.spa();
    let mut session =
        Session::start(h.config(&client_id), &mut getrandom::SysRng, serve::now()).unwrap();
    let mut url = vec![0u8; 4096];
    let url = session.authorize_url(&mut url).unwrap().to_owned();
    let (status, _, page) = consent_page(&url, None);
    assert_eq!(status, 200);
    assert!(page.contains(r#"<label for="username">Username</label>"#) && page.contains("SPA"));
    let query = url.split_once('?').unwrap().1;
    let (status, location) = decide(&h.base, query, &consent_token(&page), None, "deny", "");
    assert_eq!(status, 303);
    assert!(location.unwrap().contains("error=access_denied"));
    let (_, _, page) = consent_page(&url, None);
    let token = consent_token(&page);
    let (status, location) = decide(&h.base, query, &token, None, "allow", "");
    assert_eq!((status, location), (400, None), "a username is required");
    let (status, location) = decide(&h.base, query, &token, None, "allow", "bob");
    assert_eq!(status, 303, "the token was not spent by the form error");
    assert_eq!(
        session.on_redirect(location.unwrap().as_bytes()).unwrap(),
        RedirectOutcome::CodeReceived
    );
    let (status, _) = h.exchange(&mut session);
    assert_eq!(status, 200);
    assert!(session.tokens().is_some());
}

#[test]
fn every_html_page_forbids_framing_scripts_referrers_and_caching() {
    let h = start(ServeOptions::default());
    let client_id = h.spa();
    let session =
        Session::start(h.config(&client_id), &mut getrandom::SysRng, serve::now()).unwrap();
    let mut url = vec![0u8; 4096];
    let url = session.authorize_url(&mut url).unwrap().to_owned();
    let unknown_client = format!(
        "{}/integrations/oauth2/authorize?response_type=code&client_id=nobody",
        h.base
    );
    for page in [url.as_str(), unknown_client.as_str()] {
        let (_, headers, _) = consent_page(page, None);
        let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{page}");
        let csp = header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            csp.contains("default-src 'none'") && !csp.contains("script-src"),
            "no scripts: {csp}"
        );
        assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"));
        assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    }
}

#[test]
fn a_decision_without_the_pages_token_is_refused() {
    let h = start(ServeOptions::default());
    let client_id = h.spa();
    let session =
        Session::start(h.config(&client_id), &mut getrandom::SysRng, serve::now()).unwrap();
    let mut url = vec![0u8; 4096];
    let url = session.authorize_url(&mut url).unwrap().to_owned();
    let query = url.split_once('?').unwrap().1;
    // A cross-origin POST that never loaded the page: no token, a made-up one.
    for token in ["", "00", &"ab".repeat(32)] {
        let (status, location) = decide(&h.base, query, token, None, "allow", "victim");
        assert_eq!((status, location), (403, None), "token {token:?}");
    }
    // The token of another authorization request.
    let other = Session::start(h.config(&client_id), &mut getrandom::SysRng, serve::now()).unwrap();
    let mut other_url = vec![0u8; 4096];
    let other_url = other.authorize_url(&mut other_url).unwrap().to_owned();
    let (_, _, page) = consent_page(&other_url, None);
    let (status, location) = decide(&h.base, query, &consent_token(&page), None, "allow", "bob");
    assert_eq!((status, location), (403, None), "bound to its own request");
    // The page's own token works once, and only from the browser it was shown to.
    let (_, headers, page) = consent_page(&url, None);
    let set_cookie = headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.contains("SameSite=Strict") && set_cookie.contains("HttpOnly"));
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let token = consent_token(&page);
    let other_browser = format!("authcode_browser={}", "cd".repeat(32));
    let (status, _) = decide(&h.base, query, &token, Some(&other_browser), "allow", "bob");
    assert_eq!(status, 403, "another browser's cookie");
    let (_, _, page) = consent_page(&url, Some(&cookie));
    let token = consent_token(&page);
    let (status, location) = decide(&h.base, query, &token, Some(&cookie), "allow", "bob");
    assert_eq!(status, 303);
    assert!(location.unwrap().contains("code="));
    let (status, location) = decide(&h.base, query, &token, Some(&cookie), "allow", "bob");
    assert_eq!((status, location), (403, None), "single use");
}

/// Connects and sends `bytes`; returns the stream.
fn raw(base: &str, bytes: &[u8]) -> std::net::TcpStream {
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(bytes).unwrap();
    stream
        .set_read_timeout(Some(core::time::Duration::from_secs(20)))
        .unwrap();
    stream
}

/// Reads until the server closes the connection; what it sent.
fn until_closed(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read as _;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(error) => panic!("the server kept the connection open: {error}"),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn short_limits() -> ServeOptions {
    ServeOptions {
        http: serve::HttpLimits {
            header_timeout: core::time::Duration::from_secs(1),
            body_timeout: core::time::Duration::from_secs(1),
            idle_timeout: core::time::Duration::from_secs(1),
            max_connections: 16,
            ..serve::HttpLimits::default()
        },
        ..ServeOptions::default()
    }
}

#[test]
fn slow_headers_are_cut_off() {
    let h = start(short_limits());
    let mut stream = raw(
        &h.base,
        b"GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: x\r\n",
    );
    let answer = until_closed(&mut stream);
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[test]
fn a_slow_body_is_cut_off_with_408() {
    let h = start(short_limits());
    let mut stream = raw(
        &h.base,
        b"POST /integrations/oauth2/api/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type",
    );
    let answer = until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[test]
fn idle_connections_are_closed_and_do_not_starve_the_server() {
    let h = start(short_limits());
    // An idle connection (nothing sent) and an idle keep-alive one are both closed.
    let mut silent = raw(&h.base, b"");
    assert_eq!(until_closed(&mut silent), "");
    let mut kept = raw(
        &h.base,
        b"GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert!(until_closed(&mut kept).starts_with("HTTP/1.1 200"));
    // Four times the connection cap of idle connections: a real request is still served.
    let idle: Vec<_> = (0..64).map(|_| raw(&h.base, b"")).collect();
    let (response, _) = http::get(
        &format!("{}/.well-known/oauth-authorization-server", h.base),
        &[],
    )
    .unwrap();
    assert_eq!(response.status, 200);
    drop(idle);
}

#[test]
fn the_api_names_no_error_when_no_credentials_were_sent() {
    let h = auto_approving(Profile::Workfront);
    let url = format!("{}/attask/api/v19.0/proj/search", h.base);
    let response = agent().get(&url).call().unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let challenge = response
        .headers()
        .get("www-authenticate")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        challenge.starts_with("Bearer") && !challenge.contains("error="),
        "{challenge}"
    );
    let response = agent()
        .get(&url)
        .header("Authorization", "Bearer not-a-token")
        .call()
        .unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
}

#[test]
fn the_admin_api_needs_its_token_and_mirrors_workfront() {
    let h = auto_approving(Profile::Workfront);
    let url = format!("{}/integrations/oauth2/admin/apps", h.base);
    let response = http::post_json(
        &url,
        &[],
        &json!({ "name": "x", "kind": "web", "redirect_uris": ["https://a.example/cb"] }),
    )
    .unwrap();
    assert_eq!(response.status, 401);
    let response = http::post_json(&url, &[("Authorization", "Bearer wrong")], &json!({})).unwrap();
    assert_eq!(response.status, 401);

    let web = h.create_app(json!({ "name": "Web", "kind": "web", "redirect_uris": ["https://a.example/cb"], "rotation": false, "absolute_lifetime": 3600 }));
    assert_eq!(
        web["client_secret"].as_str().unwrap().len(),
        43,
        "the secret is returned once"
    );
    let (listing, _) = http::get(&url, &[("Authorization", &h.admin())]).unwrap();
    let listing = json(&listing);
    assert_eq!(listing["apps"].as_array().unwrap().len(), 1);
    assert!(
        !listing
            .to_string()
            .contains(web["client_secret"].as_str().unwrap()),
        "never listed again"
    );
    assert_eq!(listing["capacity"], 10);

    for i in 1..10 {
        h.create_app(json!({ "name": format!("app {i}"), "kind": "single-page", "redirect_uris": ["http://127.0.0.1/cb"] }));
    }
    let response = http::post_json(&url, &[("Authorization", &h.admin())], &json!({ "name": "eleventh", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/cb"] })).unwrap();
    assert_eq!(response.status, 409, "Workfront's cap of 10 apps");
    let response = http::post_json(
        &url,
        &[("Authorization", &h.admin())],
        &json!({ "name": "bad", "kind": "robot" }),
    )
    .unwrap();
    assert_eq!(response.status, 400);

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let delete = |id: &str| {
        agent
            .delete(&format!("{url}/{id}"))
            .header("Authorization", &h.admin())
            .call()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(delete(web["client_id"].as_str().unwrap()), 204);
    assert_eq!(delete(web["client_id"].as_str().unwrap()), 404);
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let h = auto_approving(Profile::Workfront);
    let addr: core::net::SocketAddr = h.base.trim_start_matches("http://").parse().unwrap();
    let error = h
        .runtime
        .block_on(serve::start(
            ServeOptions {
                listen: addr,
                ..ServeOptions::default()
            },
            false,
        ))
        .err()
        .unwrap();
    assert!(error.to_string().contains("already in use"), "{error}");
}

#[test]
fn apps_load_from_a_toml_file_and_bad_files_are_clear_errors() {
    let dir = std::env::temp_dir().join(format!("authcode-apps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("apps.toml");
    std::fs::File::create(&good)
        .unwrap()
        .write_all(b"[[app]]\nname = \"Mobile\"\nkind = \"single-page\"\nclient_id = \"mobile-dev\"\nredirect_uris = [\"http://127.0.0.1/callback\"]\ninactivity_lifetime = 600\n")
        .unwrap();
    let h = start(ServeOptions {
        apps_file: Some(good),
        auto_approve: Some("a".into()),
        ..ServeOptions::default()
    });
    let mut session = h.session_with_code("mobile-dev");
    assert_eq!(h.exchange(&mut session).0, 200);

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[app]]\nname = \"x\"\nkind = \"robot\"\n").unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let error = runtime
        .block_on(serve::start(
            ServeOptions {
                listen: ([127, 0, 0, 1], 0).into(),
                apps_file: Some(bad),
                ..ServeOptions::default()
            },
            false,
        ))
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("unknown variant `robot`"),
        "{error}"
    );
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[[app]\nname = 1\n").unwrap();
    let error = runtime
        .block_on(serve::start(
            ServeOptions {
                listen: ([127, 0, 0, 1], 0).into(),
                apps_file: Some(broken.clone()),
                ..ServeOptions::default()
            },
            false,
        ))
        .err()
        .unwrap();
    assert!(error.to_string().contains("broken.toml"), "{error}");
}

#[test]
fn the_demo_command_runs_end_to_end() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_authcode"))
        .arg("demo")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for step in [
        "HTTP 302",
        "sessionID header → HTTP 200",
        "refresh with rotation → HTTP 200",
        "replayed → HTTP 400: invalid_grant",
        "answers HTTP 401",
        "done",
    ] {
        assert!(stdout.contains(step), "missing {step:?} in\n{stdout}");
    }
}

#[test]
fn a_code_redeemed_concurrently_over_http_succeeds_once() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let session = h.session_with_code(&client_id);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let copy = session.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 8192];
                let request = copy.token_request(&mut buf).unwrap();
                barrier.wait();
                http::send(&request).unwrap().status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|&&status| status == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|&status| status == 200 || status == 400),
        "{statuses:?}"
    );
}

#[test]
fn a_refresh_token_refreshed_concurrently_over_http_succeeds_once() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let mut session = h.session_with_code(&client_id);
    assert_eq!(h.exchange(&mut session).0, 200);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let mut copy = session.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 8192];
                let request = copy.refresh_request(&mut buf).unwrap();
                barrier.wait();
                let response = http::send(&request).unwrap();
                (response.status, json(&response))
            })
        })
        .collect();
    let results: Vec<(u16, Value)> = handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();
    let winners: Vec<_> = results
        .iter()
        .filter(|(status, _)| *status == 200)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    // The others presented a rotated-out token: the grant is revoked, as documented.
    assert!(
        results
            .iter()
            .filter(|(status, _)| *status != 200)
            .all(|(_, body)| body["error"] == "invalid_grant")
    );
    assert_eq!(h.api(winners[0].1["access_token"].as_str().unwrap()), 401);
}

#[test]
fn a_mixed_load_over_http_loses_and_doubles_nothing() {
    let h = std::sync::Arc::new(auto_approving(Profile::Workfront));
    let client_id = h.spa();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (h, client_id) = (h.clone(), client_id.clone());
            std::thread::spawn(move || {
                (0..5)
                    .map(|_| {
                        let mut session = h.session_with_code(&client_id);
                        assert_eq!(h.exchange(&mut session).0, 200);
                        session.tokens().unwrap().access_token().to_owned()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let tokens: Vec<String> = handles
        .into_iter()
        .flat_map(|handle| handle.join().unwrap())
        .collect();
    let distinct: std::collections::HashSet<_> = tokens.iter().collect();
    assert_eq!(
        (tokens.len(), distinct.len()),
        (40, 40),
        "no doubled tokens"
    );
    assert!(
        tokens.iter().all(|token| h.api(token) == 200),
        "no lost tokens"
    );
}

// --- The grant-store issue's five attacks over HTTP, and its admin controls ------------

/// A server whose apps file holds only `[server]` settings.
fn with_settings(settings: &str) -> Harness {
    let dir = std::env::temp_dir().join(format!(
        "authcode-settings-{}-{}",
        std::process::id(),
        settings.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{:x}.toml", md5ish(settings)));
    std::fs::write(&file, format!("[server]\n{settings}\n")).unwrap();
    start(ServeOptions {
        apps_file: Some(file),
        auto_approve: Some("alice".into()),
        ..ServeOptions::default()
    })
}

fn md5ish(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    })
}

fn refresh_over_http(session: &mut Session) -> u16 {
    let mut buf = vec![0u8; 8192];
    let request = session.refresh_request(&mut buf).unwrap();
    let response = http::send(&request).unwrap();
    let _ = session.on_refresh_response(response.status, &response.body, serve::now());
    response.status
}

fn admin_call(h: &Harness, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{}/integrations/oauth2/admin/{path}", h.base);
    // Lower case on purpose: the scheme is case-insensitive (RFC 9110 §11.1).
    let authorization = format!("bearer {}", h.admin);
    let mut response = match (method, body) {
        ("DELETE", _) => agent
            .delete(&url)
            .header("Authorization", &authorization)
            .call()
            .unwrap(),
        ("GET", _) => agent
            .get(&url)
            .header("Authorization", &authorization)
            .call()
            .unwrap(),
        (_, body) => agent
            .post(&url)
            .header("Authorization", &authorization)
            .header("Content-Type", "application/json")
            .send(
                body.map(|body| body.to_string())
                    .unwrap_or_default()
                    .as_bytes(),
            )
            .unwrap(),
    };
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[test]
fn http_attack_1_a_refresh_token_two_rotations_old_ends_the_grant() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let mut session = h.session_with_code(&client_id);
    assert_eq!(h.exchange(&mut session).0, 200);
    let mut stolen_r0 = session.clone();
    assert_eq!(refresh_over_http(&mut session), 200);
    assert_eq!(refresh_over_http(&mut session), 200);
    let thief_access = session.tokens().unwrap().access_token().to_owned();
    assert_eq!(h.api(&thief_access), 200);
    // The real client's R0 comes back after R0 → R1 → R2.
    assert_eq!(refresh_over_http(&mut stolen_r0), 400);
    assert_eq!(
        h.api(&thief_access),
        401,
        "the newest tokens die with the grant"
    );
    assert_eq!(refresh_over_http(&mut session), 400);
}

#[test]
fn http_attack_2_one_grant_refreshing_in_a_loop_cannot_fill_the_token_table() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let mut session = h.session_with_code(&client_id);
    assert_eq!(h.exchange(&mut session).0, 200);
    let first = session.tokens().unwrap().access_token().to_owned();
    for _ in 0..300 {
        assert_eq!(refresh_over_http(&mut session), 200);
    }
    assert_eq!(h.api(&first), 401, "a grant holds two live access tokens");
    assert_eq!(h.api(session.tokens().unwrap().access_token()), 200);
    let other = h.spa();
    let mut fresh = h.session_with_code(&other);
    assert_eq!(
        h.exchange(&mut fresh).0,
        200,
        "other clients are not starved"
    );
}

#[test]
fn http_attack_3_a_refused_exchange_takes_no_slot_and_the_code_stays_live() {
    let h = with_settings("grants_per_app = 2");
    let client_id = h.spa();
    for _ in 0..2 {
        let mut session = h.session_with_code(&client_id);
        assert_eq!(h.exchange(&mut session).0, 200);
    }
    let mut session = h.session_with_code(&client_id);
    let retry = session.clone();
    let (status, body) = h.exchange(&mut session);
    assert_eq!(
        (status, body["error"].as_str()),
        (503, Some("temporarily_unavailable"))
    );
    let (_, listing) = admin_call(&h, "GET", "apps", None);
    assert_eq!(listing["apps"][0]["usage"]["grants"], 2, "no slot taken");
    assert_eq!(
        admin_call(&h, "DELETE", "subjects/alice/grants", None),
        (200, json!({ "revoked": 2 }))
    );
    let mut retry = retry;
    assert_eq!(
        h.exchange(&mut retry).0,
        200,
        "the same code, redeemed later"
    );
}

#[test]
fn http_attack_4_one_app_cannot_take_another_apps_codes() {
    let h = with_settings("codes_per_app = 3");
    let greedy = h.spa();
    for _ in 0..3 {
        h.session_with_code(&greedy);
    }
    let session = Session::start(h.config(&greedy), &mut getrandom::SysRng, serve::now()).unwrap();
    let mut url = vec![0u8; 4096];
    let url = session.authorize_url(&mut url).unwrap().to_owned();
    let (_, location) = http::get(&url, &[]).unwrap();
    let location = location.unwrap();
    assert!(
        location.contains("error=temporarily_unavailable"),
        "{location}"
    );
    let other = h.spa();
    let mut session = h.session_with_code(&other);
    assert_eq!(h.exchange(&mut session).0, 200);
}

#[test]
fn http_attack_5_a_code_replayed_after_its_lifetime_still_revokes_its_tokens() {
    let h = with_settings("code_lifetime = 1");
    let client_id = h.spa();
    let mut session = h.session_with_code(&client_id);
    let replay = session.clone();
    assert_eq!(h.exchange(&mut session).0, 200);
    let access = session.tokens().unwrap().access_token().to_owned();
    std::thread::sleep(core::time::Duration::from_millis(2100));
    let mut replay = replay;
    let (status, body) = h.exchange(&mut replay);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(h.api(&access), 401);
}

#[test]
fn the_admin_api_manages_two_secrets_and_ends_grants() {
    let h = auto_approving(Profile::Workfront);
    let web = h.create_app(
        json!({ "name": "Web", "kind": "web", "redirect_uris": ["https://a.example/cb"] }),
    );
    let id = web["client_id"].as_str().unwrap().to_owned();
    let (status, second) = admin_call(&h, "POST", &format!("apps/{id}/secrets"), None);
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["slot"], 1);
    assert_eq!(second["client_secret"].as_str().unwrap().len(), 43);
    let (status, _) = admin_call(&h, "POST", &format!("apps/{id}/secrets"), None);
    assert_eq!(status, 409, "at most two secrets");
    let (status, listing) = admin_call(&h, "GET", &format!("apps/{id}/secrets"), None);
    assert_eq!(
        (status, listing["secrets"].as_array().unwrap().len()),
        (200, 2)
    );
    assert!(
        !listing
            .to_string()
            .contains(second["client_secret"].as_str().unwrap())
    );
    assert_eq!(
        admin_call(&h, "DELETE", &format!("apps/{id}/secrets/0"), None).0,
        204
    );
    assert_eq!(
        admin_call(&h, "DELETE", &format!("apps/{id}/secrets/1"), None).0,
        409,
        "the last one stays"
    );
    assert_eq!(
        admin_call(&h, "DELETE", &format!("apps/{id}/secrets/7"), None).0,
        404
    );
    let (status, rotated) = admin_call(
        &h,
        "POST",
        &format!("apps/{id}/secrets"),
        Some(json!({ "rotate": true, "overlap": 3600, "end_grants": true })),
    );
    assert_eq!(status, 201, "{rotated}");
    assert_eq!(
        rotated["secrets"].as_array().unwrap().len(),
        2,
        "the old one overlaps"
    );
    let (status, _) = admin_call(
        &h,
        "POST",
        &format!("apps/{id}/secrets"),
        Some(json!({ "rotate": true, "overlap": 90000 })),
    );
    assert_eq!(status, 400, "at most 24 h");

    let spa = h.spa();
    let mut session = h.session_with_code(&spa);
    h.exchange(&mut session);
    let access = session.tokens().unwrap().access_token().to_owned();
    assert_eq!(
        admin_call(&h, "DELETE", &format!("apps/{spa}/grants"), None),
        (200, json!({ "revoked": 1 }))
    );
    assert_eq!(h.api(&access), 401);
    assert_eq!(admin_call(&h, "DELETE", "apps/nobody/grants", None).0, 404);
    assert_eq!(
        admin_call(&h, "DELETE", "subjects/nobody/grants", None),
        (200, json!({ "revoked": 0 }))
    );
}

#[test]
fn metrics_count_requests_by_route_and_status_and_show_occupancy_per_app() {
    let h = auto_approving(Profile::Workfront);
    let client_id = h.spa();
    let mut session = h.session_with_code(&client_id);
    let (status, _) = h.exchange(&mut session);
    assert_eq!(status, 200);
    let (response, _) = http::get(&format!("{}/metrics", h.base), &[]).unwrap();
    assert_eq!(response.status, 200);
    let text = String::from_utf8(response.body).unwrap();
    assert!(
        text.contains(
            "authcode_http_requests_total{endpoint=\"/integrations/oauth2/api/v1/token\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("authcode_http_request_duration_seconds_bucket{le="),
        "{text}"
    );
    assert!(
        text.contains("authcode_table_entries{table=\"grants\"} 1"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "authcode_app_table_entries{{client_id=\"{client_id}\",table=\"grants\"}} 1"
        )),
        "{text}"
    );
    assert!(
        text.ends_with("# EOF\n"),
        "OpenMetrics text ends with # EOF"
    );
}

#[test]
fn the_admin_form_fields_are_kept_returned_and_shown_on_the_consent_page() {
    let h = start(ServeOptions::default());
    let created = h.create_app(json!({
        "name": "Field", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/callback"],
        "description": "Inspections <offline>", "logo_url": "data:image/png;base64,iVBORw0KGgo=",
        "app_description_url": "https://example.com/app", "developer_name": "Example Ltd",
        "developer_email": "dev@example.com", "privacy_policy_url": "https://example.com/privacy"
    }));
    assert_eq!(created["details"]["developer_name"], "Example Ltd");
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    let (response, _) = http::get(
        &format!("{}/integrations/oauth2/admin/apps", h.base),
        &[("Authorization", &h.admin())],
    )
    .unwrap();
    let listed = json(&response);
    assert_eq!(
        listed["apps"][0]["details"]["privacy_policy_url"],
        "https://example.com/privacy"
    );
    let url = format!(
        "{}/integrations/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        h.base
    );
    let (page, _) = http::get(&url, &[]).unwrap();
    let page = String::from_utf8(page.body).unwrap();
    assert!(page.contains("Inspections &lt;offline&gt;"), "{page}");
    assert!(page.contains(r#"<img src="data:image/png;base64,iVBORw0KGgo=""#));
    assert!(page.contains(r#"href="https://example.com/privacy""#));
    assert!(page.contains("Example Ltd &lt;dev@example.com&gt;"));

    let refuse = |body: Value, expected: &str| {
        let response = http::post_json(
            &format!("{}/integrations/oauth2/admin/apps", h.base),
            &[("Authorization", &h.admin())],
            &body,
        )
        .unwrap();
        assert_eq!(response.status, 400);
        let message = json(&response)["error"].as_str().unwrap().to_owned();
        assert!(message.contains(expected), "{message}");
    };
    let app = |extra: Value| {
        let mut body =
            json!({ "name": "X", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/cb"] });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    refuse(app(json!({ "colour": "red" })), "unknown field `colour`");
    refuse(
        app(json!({ "logo_url": "javascript:alert(1)" })),
        "logo_url",
    );
    refuse(
        app(json!({ "logo_url": "http://example.com/l.png" })),
        "https",
    );
    refuse(
        app(json!({ "logo_url": format!("data:image/png;base64,{}", "A".repeat(70_000)) })),
        "at most 65536 bytes",
    );
    refuse(
        app(json!({ "logo_url": "data:image/svg+xml;base64,PHN2Zz4=" })),
        "logo_url",
    );
    refuse(
        app(json!({ "privacy_policy_url": "ftp://x" })),
        "privacy_policy_url",
    );
    refuse(
        app(json!({ "developer_email": "nobody" })),
        "developer_email",
    );
}
