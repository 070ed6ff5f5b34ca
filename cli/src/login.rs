//! `authcode login` and `authcode refresh`: an RFC 8252 loopback client.
//!
//! `login` listens on `127.0.0.1` (any free port, or `--port`), sends the user's browser
//! to the authorization server, waits for the redirect back to
//! `http://127.0.0.1:PORT/callback`, exchanges the code, and prints the tokens as JSON.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use authcode::client::{RedirectOutcome, RefreshOutcome, Session, TokenKind, TokenOutcome};
use serde_json::json;

use crate::failure::Failure;
use crate::http;
use crate::serve::now;

pub use crate::client_options::ClientOptions;

/// Settings of `authcode login`.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// The client.
    pub client: ClientOptions,
    /// Loopback port; 0 picks a free one.
    pub port: u16,
    /// Print the URL instead of opening the browser.
    pub no_browser: bool,
    /// How long to wait for the redirect.
    pub timeout: Duration,
    /// Save the session here (it holds secrets; written with mode 0600).
    pub save: Option<PathBuf>,
}

/// How the authorization URL reaches a browser.
pub trait Browser {
    /// Shows or opens `url`.
    fn open(&mut self, url: &str);
}

/// The real thing: the system browser, or printing the URL with `--no-browser`.
pub struct SystemBrowser {
    /// Print instead of opening.
    pub print_only: bool,
}

impl Browser for SystemBrowser {
    fn open(&mut self, url: &str) {
        // Progress lines only: a closed stderr must not end the login (no `eprintln!`,
        // which panics when the write fails).
        let mut stderr = std::io::stderr();
        let _ = writeln!(stderr, "Open this URL in your browser to sign in:\n{url}");
        if !self.print_only && webbrowser::open(url).is_err() {
            let _ = writeln!(stderr, "(could not open a browser; open the URL yourself)");
        }
        let _ = writeln!(
            stderr,
            "Waiting for the browser to come back from the sign-in… (Ctrl-C stops)"
        );
    }
}

/// What a finished login produced.
pub struct LoggedIn {
    /// The session, authorized.
    pub session: Session,
    /// The token request that exchanged the code (kept for the demo's replay).
    pub exchange: (String, &'static str, Option<String>, String),
}

/// Runs the login; returns the authorized session.
///
/// # Errors
///
/// [`Failure`] for a refused redirect, a server error, a timeout, or I/O problems.
pub fn login(
    options: &LoginOptions,
    browser: &mut dyn Browser,
    log: &mut dyn FnMut(&str),
) -> Result<LoggedIn, Failure> {
    let listener = TcpListener::bind(("127.0.0.1", options.port)).map_err(|error| {
        Failure::System(format!(
            "cannot listen on 127.0.0.1:{}: {error}",
            options.port
        ))
    })?;
    let port = listener
        .local_addr()
        .map_err(|error| Failure::System(error.to_string()))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let mut config = options.client.config(&redirect_uri)?;
    if config.requests_openid() {
        config = config.checking_id_tokens();
    }
    let mut session = Session::start(config, &mut getrandom::SysRng, now())
        .map_err(|error| Failure::System(error.to_string()))?;
    let mut url = vec![0u8; 4096];
    let url = session
        .authorize_url(&mut url)
        .map_err(|error| Failure::System(error.to_string()))?
        .to_owned();
    log(&format!("authorize URL: {url}"));
    browser.open(&url);

    let target = wait_for_redirect(&listener, options.timeout, |target| {
        match session.on_redirect(target.as_bytes()) {
            Ok(RedirectOutcome::CodeReceived) => {
                Ok("Signed in. You can close this window and return to the terminal.".to_owned())
            }
            Ok(RedirectOutcome::Denied(error)) => {
                Err(Failure::Mismatch(format!("the server refused: {error}")))
            }
            Err(error) => Err(Failure::Input(format!("redirect refused: {error}"))),
        }
    })?;
    log(&format!("redirect: {}", redact_code(&target)));

    let mut buf = vec![0u8; 8192];
    let request = session
        .token_request(&mut buf)
        .map_err(|error| Failure::System(error.to_string()))?;
    let exchange = (
        request.url.to_owned(),
        request.content_type,
        request.authorization.map(str::to_owned),
        request.body.to_owned(),
    );
    log(&format!(
        "token request: POST {} ({})",
        request.url, request.content_type
    ));
    let url = request.url.to_owned();
    // OpenID Connect: the ID token is checked against the issuer's JWK Set.
    let jwk_set = if session.config().checks_id_tokens() {
        let jwks_uri = session.config().jwks_uri().ok_or_else(|| {
            Failure::Input(
                "openid is in the scope but no jwks_uri is known to check the ID token with: \
                 use --issuer (discovery) or --jwks-url"
                    .to_owned(),
            )
        })?;
        log(&format!("JWK Set: GET {jwks_uri}"));
        Some(crate::http::get_document(jwks_uri).map_err(Failure::System)?)
    } else {
        None
    };
    let response = send(&request)?;
    log(&format!("token response: HTTP {}", response.status));
    let outcome = match &jwk_set {
        Some(keys) => {
            session.on_token_response_verified(response.status, &response.body, now(), keys)
        }
        None => session.on_token_response(response.status, &response.body, now()),
    };
    match outcome {
        Ok(TokenOutcome::Authorized) => {}
        Ok(TokenOutcome::Rejected(error)) => {
            return Err(Failure::Mismatch(format!(
                "POST {url}: HTTP {}: the token endpoint refused: {error}",
                response.status
            )));
        }
        Err(error) => return Err(Failure::System(format!("POST {url}: {error}"))),
    }
    if let Some(path) = &options.save {
        save(&session, path)?;
    }
    Ok(LoggedIn { session, exchange })
}

/// Replaces the code's value with `…` for logs.
pub fn redact_code(target: &str) -> String {
    let Some(start) = target.find("code=") else {
        return target.to_owned();
    };
    let value_start = start.saturating_add(5);
    let rest = target.get(value_start..).unwrap_or_default();
    let end = rest
        .find('&')
        .map_or(target.len(), |offset| value_start.saturating_add(offset));
    format!(
        "{}…{}",
        target.get(..value_start).unwrap_or_default(),
        target.get(end..).unwrap_or_default()
    )
}

/// Accepts connections until one is `GET /callback?…`; answers it with a page saying how
/// `handle` went, and returns its request target.
fn wait_for_redirect(
    listener: &TcpListener,
    timeout: Duration,
    mut handle: impl FnMut(&str) -> Result<String, Failure>,
) -> Result<String, Failure> {
    let deadline = Instant::now() + timeout;
    listener
        .set_nonblocking(true)
        .map_err(|error| Failure::System(error.to_string()))?;
    loop {
        if Instant::now() >= deadline {
            return Err(Failure::System(format!(
                "no redirect arrived within {} s",
                timeout.as_secs()
            )));
        }
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            Err(error) => return Err(Failure::System(error.to_string())),
        };
        let Some(target) = read_request_target(&mut stream) else {
            continue;
        };
        if !target.starts_with("/callback") {
            respond(&mut stream, 404, "Not found.");
            continue;
        }
        return match handle(&target) {
            Ok(message) => {
                respond(&mut stream, 200, &message);
                Ok(target)
            }
            Err(failure) => {
                respond(&mut stream, 400, &failure.to_string());
                Err(failure)
            }
        };
    }
}

fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut request = Vec::new();
    let mut chunk = [0u8; 1024];
    while !request.windows(4).any(|window| window == b"\r\n\r\n") && request.len() < 16 * 1024 {
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            break;
        }
        request.extend_from_slice(chunk.get(..read)?);
    }
    let line = request.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_owned)
}

fn respond(stream: &mut TcpStream, status: u16, message: &str) {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>authcode login</title></head><body><main><p>{}</p></main></body></html>",
        crate::serve::escape_html(message)
    );
    let reason = if status == 200 {
        "OK"
    } else if status == 404 {
        "Not Found"
    } else {
        "Bad Request"
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
}

/// The tokens as JSON for stdout.
#[must_use]
pub fn tokens_json(session: &Session) -> serde_json::Value {
    let Some(tokens) = session.tokens() else {
        return json!({});
    };
    json!({
        "access_token": tokens.access_token(),
        "token_type": tokens.token_type().as_str(),
        "refresh_token": tokens.refresh_token(),
        "expires_at": tokens.expires_at().map(authcode::Timestamp::unix_seconds),
        "scope": tokens.scope(),
        "wid": tokens.wid(),
        "sub": tokens.subject(),
        // The OpenID Connect ID token, when one was checked at login.
        "id_token": tokens.id_token(),
    })
}

/// Writes the saved session with the configuration it was made for (endpoints, profile,
/// client; the restore needs exactly the same), as JSON, readable only by the user.
fn save(session: &Session, path: &PathBuf) -> Result<(), Failure> {
    let mut buf = vec![0u8; authcode::client::MAX_SAVED_LEN];
    let saved = session
        .save(&mut buf)
        .map_err(|error| Failure::System(error.to_string()))?;
    let hex: String = saved.iter().map(|byte| format!("{byte:02x}")).collect();
    let document = json!({
        "redirect_uri": session.config().redirect_uri(),
        "config": crate::client_options::saved_config(session.config()),
        "session": hex,
    });
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|error| Failure::System(format!("cannot write {}: {error}", path.display())))?;
    writeln!(file, "{document}")
        .map_err(|error| Failure::System(format!("cannot write {}: {error}", path.display())))
}

/// A session file: the redirect URI, the recorded configuration (absent in files of
/// earlier versions) and the saved bytes.
struct SessionFile {
    redirect_uri: String,
    config: Option<serde_json::Value>,
    bytes: Vec<u8>,
}

fn load(path: &PathBuf) -> Result<SessionFile, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| Failure::System(format!("cannot read {}: {error}", path.display())))?;
    let bad = || {
        Failure::Input(format!(
            "{} is not a session saved by authcode login",
            path.display()
        ))
    };
    let document: serde_json::Value = serde_json::from_str(&text).map_err(|_| bad())?;
    let field = |name: &str| document.get(name).and_then(serde_json::Value::as_str);
    let redirect_uri = field("redirect_uri").ok_or_else(bad)?.to_owned();
    let hex = field("session").ok_or_else(bad)?;
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|at| {
            hex.get(at..at + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(bad)?;
    Ok(SessionFile {
        redirect_uri,
        config: document.get("config").cloned(),
        bytes,
    })
}

/// The session saved at `path`, restored with the configuration the file records — or,
/// when the command line names a server (or the file is from an earlier version), with
/// the command line's.
fn restore(client: &ClientOptions, path: &PathBuf) -> Result<Session, Failure> {
    let file = load(path)?;
    let config = match (&file.config, client.names_a_server()) {
        (Some(saved), false) => {
            crate::client_options::config_from_saved(saved, client.client_secret.as_deref())?
        }
        (None, false) => {
            return Err(Failure::Input(format!(
                "{} does not record its server: give --server, --workfront-domain, --issuer or --token-url",
                path.display()
            )));
        }
        (_, true) => client.config(&file.redirect_uri)?,
    };
    Session::restore(config, &file.bytes)
        .map_err(|error| Failure::Input(format!("{}: {error}", path.display())))
}

/// Sends `request`; a failure names the URL and the cause.
fn send(request: &authcode::client::HttpRequest<'_>) -> Result<http::HttpResponse, Failure> {
    http::send(request).map_err(Failure::System)
}

/// `authcode login`.
///
/// # Errors
///
/// As [`login`].
pub fn run_login(options: &LoginOptions, out: &mut dyn Write) -> Result<(), Failure> {
    let mut browser = SystemBrowser {
        print_only: options.no_browser,
    };
    let logged_in = login(options, &mut browser, &mut |_| {})?;
    writeln!(out, "{}", tokens_json(&logged_in.session))?;
    Ok(())
}

/// `authcode refresh`: refreshes a saved session and saves it again.
///
/// # Errors
///
/// [`Failure`] for an unreadable session, a refused refresh, or I/O problems.
pub fn run_refresh(
    client: &ClientOptions,
    path: &PathBuf,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let mut session = restore(client, path)?;
    let mut buf = vec![0u8; 8192];
    let request = session
        .refresh_request(&mut buf)
        .map_err(|error| Failure::Input(error.to_string()))?;
    let url = request.url.to_owned();
    let response = send(&request)?;
    match session.on_refresh_response(response.status, &response.body, now()) {
        Ok(RefreshOutcome::Refreshed) => {
            save(&session, path)?;
            writeln!(out, "{}", tokens_json(&session))?;
            Ok(())
        }
        Ok(RefreshOutcome::SignInRequired(error)) => {
            save(&session, path)?;
            Err(Failure::Mismatch(format!(
                "POST {url}: HTTP {}: sign in again: {error}",
                response.status
            )))
        }
        Ok(RefreshOutcome::Rejected(error)) => Err(Failure::Mismatch(format!(
            "POST {url}: HTTP {}: refresh refused: {error}",
            response.status
        ))),
        Err(error) => Err(Failure::System(format!("POST {url}: {error}"))),
    }
}

/// `authcode revoke`: revokes the saved session's refresh token (ending the grant at
/// most servers) or its access token, then signs the saved session out.
///
/// # Errors
///
/// [`Failure`] for an unreadable session, no revocation endpoint, a refused revocation,
/// or I/O problems.
pub fn run_revoke(
    client: &ClientOptions,
    path: &PathBuf,
    which: TokenKind,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let mut session = restore(client, path)?;
    let mut buf = vec![0u8; 8192];
    let request = session
        .revocation_request(which, &mut buf)
        .map_err(|error| Failure::Input(error.to_string()))?;
    let url = request.url.to_owned();
    let response = send(&request)?;
    // RFC 7009 §2.2: 200 whether or not the token was valid; anything else is an error.
    if response.status != 200 {
        return Err(Failure::Mismatch(http::describe_status(
            "POST", &url, &response,
        )));
    }
    session.sign_out();
    save(&session, path)?;
    let kind = match which {
        TokenKind::Access => "access_token",
        TokenKind::Refresh => "refresh_token",
    };
    writeln!(out, "{}", json!({ "revoked": kind, "endpoint": url }))?;
    Ok(())
}
