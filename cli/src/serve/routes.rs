//! HTTP routes: each handler turns the request into the core's input and the core's
//! output into a response.

use std::sync::Arc;
use std::time::Instant;

use authcode::server::{AuthorizeError, TokenRequest, TokenResponse};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, RawQuery, Request, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post};

use super::node::StoreDown;
use super::{State, admin, consent, html, now};

type Shared = AxumState<Arc<State>>;

pub(crate) fn router(state: Arc<State>) -> Router {
    let paths = state.paths;
    let mut router = Router::new()
        .route(paths.authorize, get(authorize))
        .route(paths.decision, post(decision))
        .route(paths.token, post(token))
        .route(paths.revoke, post(revoke))
        .route(paths.metadata, get(metadata));
    if let Some(userinfo) = paths.userinfo {
        router = router.route(userinfo, get(userinfo_endpoint).post(userinfo_endpoint));
    }
    if paths.metadata != "/.well-known/oauth-authorization-server" {
        // Also where RFC 8414 clients look first, for the issuer (the server's origin).
        router = router.route("/.well-known/oauth-authorization-server", get(metadata));
    }
    if state.profile == authcode::profile::Profile::Workfront {
        // Workfront's machine-to-machine apps exchange a signed JWT for a session.
        router = router.route(
            "/integrations/oauth2/api/v1/jwt/exchange",
            post(jwt_exchange),
        );
    }
    if let Some(jwks_path) = paths.jwks {
        router = router.route(jwks_path, get(jwks));
        if paths.metadata != "/.well-known/openid-configuration" {
            // Where OpenID Connect Discovery looks, for the issuer (the server's origin).
            router = router.route("/.well-known/openid-configuration", get(metadata));
        }
    }
    router
        .route("/attask/api/{version}/{object}/search", get(search))
        .route("/metrics", get(metrics))
        .route(
            "/integrations/oauth2/admin/apps",
            get(admin::list).post(admin::create),
        )
        .route(
            "/integrations/oauth2/admin/apps/{client_id}",
            delete(admin::remove),
        )
        .route(
            "/integrations/oauth2/admin/apps/{client_id}/secrets",
            get(admin::list_secrets).post(admin::add_secret),
        )
        .route(
            "/integrations/oauth2/admin/apps/{client_id}/secrets/{slot}",
            delete(admin::delete_secret),
        )
        .route(
            "/integrations/oauth2/admin/apps/{client_id}/grants",
            delete(admin::end_app_grants),
        )
        .route(
            "/integrations/oauth2/admin/subjects/{subject}/grants",
            delete(admin::end_subject_grants),
        )
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            read_body_in_time,
        ))
        .layer(axum::middleware::from_fn(page_headers))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            log_request,
        ))
        .with_state(state)
}

/// The headers every HTML page carries: it may not be framed (RFC 9700 §4.16), runs no
/// script, loads nothing from elsewhere (no `form-action`: browsers apply it to the
/// redirect that follows the decision, which goes to the app), leaks no referrer
/// (the URL holds the authorization request) and is never cached.
const PAGE_HEADERS: [(&str, &str); 5] = [
    ("x-frame-options", "DENY"),
    (
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
    ("x-content-type-options", "nosniff"),
];

async fn page_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if is_html {
        let headers = response.headers_mut();
        for (name, value) in PAGE_HEADERS {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// Reads the whole body within the body deadline and size limit before any handler runs:
/// a body that trickles in is 408 (and the connection closes), one too large 413.
async fn read_body_in_time(AxumState(state): Shared, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let limits = state.http_limits;
    match tokio::time::timeout(
        limits.body_timeout,
        axum::body::to_bytes(body, limits.max_body),
    )
    .await
    {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => {
            let mut response = (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is larger than {} bytes (or was cut off)\n",
                    limits.max_body
                ),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
        Err(_) => {
            let mut response = (
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s\n",
                    limits.body_timeout.as_secs()
                ),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// One structured log line per request: method, path (never the query or body, which
/// carry codes and credentials), status, latency; and the request's metrics, by route.
async fn log_request(AxumState(state): Shared, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .request(&endpoint, response.status().as_u16(), started.elapsed());
    tracing::info!(
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "request"
    );
    response
}

pub(crate) fn internal_error() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

fn redirect(location: &str, status: StatusCode) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = status.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => internal_error(),
    }
}

fn refused(error: &AuthorizeError) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(html::error_page(&error.to_string())),
    )
        .into_response()
}

/// What a request answers while the shared store is away: 503 with `Retry-After`, as
/// JSON for API callers and as a plain page for browsers. Nothing was changed.
pub(crate) fn store_down(html: bool) -> Response {
    let description = "the grant store is unavailable; try again in a moment";
    let mut response = if html {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Html(html::error_page(
                "The sign-in service is briefly unavailable. Try again in a moment.",
            )),
        )
            .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({
                "error": "temporarily_unavailable",
                "error_description": description,
            })),
        )
            .into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Issues a code for `subject` (or refuses), as the redirect to send.
async fn approve(state: &State, query: String, subject: String, status: StatusCode) -> Response {
    let answer = state
        .node
        .run(move |server| {
            let mut buf = vec![0u8; 4096];
            server
                .authorize(
                    query.as_bytes(),
                    &subject,
                    now(),
                    &mut getrandom::SysRng,
                    &mut buf,
                )
                .map(|answer| answer.location.to_owned())
        })
        .await;
    match answer {
        Ok(Ok(location)) => redirect(&location, status),
        Ok(Err(error)) => refused(&error),
        Err(StoreDown) => store_down(true),
    }
}

async fn authorize(
    AxumState(state): Shared,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    if let Some(subject) = &state.auto_approve {
        // `load-*`: a new subject per request (load tests: each user holds at most 8
        // pending codes).
        let subject = match subject.strip_suffix('*') {
            Some(prefix) => format!(
                "{prefix}{}",
                state
                    .auto_approved
                    .fetch_add(1, core::sync::atomic::Ordering::Relaxed)
            ),
            None => subject.clone(),
        };
        return approve(&state, query, subject, StatusCode::FOUND).await;
    }
    let info_query = query.clone();
    let details = Arc::clone(&state.details);
    let shown = state
        .node
        .run(move |server| {
            let info = server.authorize_info(info_query.as_bytes())?;
            let details = details.load(server, &info.client_id);
            Ok((info, details))
        })
        .await;
    match shown {
        Ok(Ok((_, Err(StoreDown)))) | Err(StoreDown) => store_down(true),
        Ok(Ok((info, Ok(details)))) => {
            let page = html::ConsentPage {
                decision_path: state.paths.decision,
                app_name: &info.app_name,
                scope: &info.scope,
                details: &details,
            };
            consent_page(&state, &headers, &page, &query).await
        }
        Ok(Err(error)) => refused(&error),
    }
}

/// The sign-in page with a fresh single-use consent token; the browser cookie is set
/// when the request had none.
async fn consent_page(
    state: &State,
    headers: &HeaderMap,
    page: &html::ConsentPage<'_>,
    query: &str,
) -> Response {
    let known = consent::cookie(headers, consent::BROWSER_COOKIE)
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()));
    let browser = known.map_or_else(consent::random_token, str::to_owned);
    let token = match state
        .consent
        .issue_anywhere(query, &browser, now().unix_seconds())
        .await
    {
        Ok(Some(token)) => token,
        Ok(None) => return internal_error(),
        Err(StoreDown) => return store_down(true),
    };
    let mut response = Html(html::consent_page(page, query, &token)).into_response();
    if known.is_none() {
        let cookie = format!(
            "{}={browser}; Path={}; HttpOnly; SameSite=Strict; Max-Age={}",
            consent::BROWSER_COOKIE,
            state.paths.authorize,
            consent::LIFETIME_SECONDS
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}

/// The consent form's answer: only with the token of the page that was shown.
async fn decision(AxumState(state): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let mut query = String::new();
    let mut username = String::new();
    let mut token = String::new();
    let mut allow = false;
    for (name, value) in form_urlencoded(&body) {
        match name.as_str() {
            "query" => query = value,
            "username" => username = value.trim().to_owned(),
            "consent_token" => token = value,
            "decision" => allow = value == "allow",
            _ => {}
        }
    }
    if allow && username.is_empty() {
        // Before the token is spent: the user goes back and fills it in.
        return (
            StatusCode::BAD_REQUEST,
            Html(html::error_page("Enter a username to sign in.")),
        )
            .into_response();
    }
    let browser = consent::cookie(&headers, consent::BROWSER_COOKIE);
    match state
        .consent
        .redeem_anywhere(&token, &query, browser, now().unix_seconds())
        .await
    {
        Ok(Ok(())) => {}
        Ok(Err(refusal)) => {
            return (
                StatusCode::FORBIDDEN,
                Html(html::error_page(refusal.message())),
            )
                .into_response();
        }
        Err(StoreDown) => return store_down(true),
    }
    if allow {
        return approve(&state, query, username, StatusCode::SEE_OTHER).await;
    }
    let answer = state
        .node
        .run(move |server| {
            let mut buf = vec![0u8; 4096];
            server
                .deny(query.as_bytes(), &mut buf)
                .map(|answer| answer.location.to_owned())
        })
        .await;
    match answer {
        Ok(Ok(location)) => redirect(&location, StatusCode::SEE_OTHER),
        Ok(Err(error)) => refused(&error),
        Err(StoreDown) => store_down(true),
    }
}

/// `application/x-www-form-urlencoded` pairs, decoded.
pub(crate) fn form_urlencoded(body: &[u8]) -> Vec<(String, String)> {
    let decode = |raw: &[u8]| {
        let mut out = vec![0u8; raw.len()];
        authcode::wire::query::decode_into(raw, &mut out)
            .map(str::to_owned)
            .unwrap_or_default()
    };
    authcode::wire::query::params(body)
        .map(|param| (decode(param.name), decode(param.value)))
        .collect()
}

fn token_response(answer: TokenResponse<'_>) -> Response {
    let mut response = Response::new(Body::from(answer.body.to_owned()));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in answer.headers() {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::try_from(name),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    response
}

/// What the token and revocation endpoints need of a request, owned (the core runs on
/// another thread when the store is Redis).
struct OwnedRequest {
    method: String,
    content_type: Option<String>,
    authorization: Option<String>,
    body: Bytes,
}

impl OwnedRequest {
    fn new(method: &Method, headers: &HeaderMap, body: Bytes) -> Self {
        let text = |name| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            method: method.as_str().to_owned(),
            content_type: text(header::CONTENT_TYPE),
            authorization: text(header::AUTHORIZATION),
            body,
        }
    }

    fn borrow(&self) -> TokenRequest<'_> {
        TokenRequest {
            method: &self.method,
            content_type: self.content_type.as_deref(),
            authorization: self.authorization.as_deref(),
            body: &self.body,
        }
    }
}

/// Runs the core's token or revocation endpoint on the request.
async fn endpoint(
    state: &State,
    request: OwnedRequest,
    call: impl Fn(
        &mut super::CoreServer,
        &TokenRequest<'_>,
        &mut [u8],
    ) -> Result<Response, authcode::BufferTooSmall>
    + Send
    + 'static,
) -> Response {
    let answer = state
        .node
        .run(move |server| {
            let mut buf = vec![0u8; authcode::server::ID_TOKEN_RESPONSE_LEN];
            call(server, &request.borrow(), &mut buf).unwrap_or_else(|_| internal_error())
        })
        .await;
    answer.unwrap_or_else(|StoreDown| store_down(false))
}

async fn token(
    AxumState(state): Shared,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let body = with_query_client_id(&state, &headers, query.as_deref(), body);
    let request = OwnedRequest::new(&method, &headers, body);
    let signer = state.id_token_key.clone();
    endpoint(&state, request, move |server, request, buf| {
        match &signer {
            Some(key) => server.token_with_id_tokens(
                request,
                now(),
                &mut getrandom::SysRng,
                key.as_ref(),
                buf,
            ),
            None => server.token(request, now(), &mut getrandom::SysRng, buf),
        }
        .map(token_response)
    })
    .await
}

/// Workfront's machine-to-machine JWT exchange: `client_id`, `client_secret`, `jwt_token`.
async fn jwt_exchange(
    AxumState(state): Shared,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = OwnedRequest::new(&method, &headers, body);
    endpoint(&state, request, |server, request, buf| {
        server
            .jwt_exchange(request, now(), &mut getrandom::SysRng, buf)
            .map(token_response)
    })
    .await
}

/// The JWK Set of the ID token key (`jwks_uri`).
async fn jwks(AxumState(state): Shared) -> Response {
    match &state.id_token_key {
        Some(key) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            key.jwks().to_owned(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn revoke(
    AxumState(state): Shared,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let body = with_query_client_id(&state, &headers, query.as_deref(), body);
    let request = OwnedRequest::new(&method, &headers, body);
    endpoint(&state, request, |server, request, buf| {
        server.revoke(request, now(), buf).map(token_response)
    })
    .await
}

/// Adobe IMS takes a public client's `client_id` as a query parameter of the token and
/// revocation URLs (its examples send it only there). Under that profile, a form body
/// without `client_id` gets the query's; a body that names one keeps its own (the core
/// then decides), and other profiles ignore the query, as RFC 6749 §3.2 expects.
fn with_query_client_id(
    state: &State,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Bytes,
) -> Bytes {
    if state.profile != authcode::profile::Profile::AdobeIms {
        return body;
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.split(';').next().is_some_and(|kind| {
                kind.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    let from_query = query
        .map(|query| form_urlencoded(query.as_bytes()))
        .and_then(|pairs| {
            let mut ids = pairs.into_iter().filter(|(name, _)| name == "client_id");
            let first = ids.next();
            // A repeated client_id is left for the core to refuse from the body.
            if ids.next().is_some() { None } else { first }
        });
    let (Some((_, client_id)), true) = (from_query, is_form) else {
        return body;
    };
    if form_urlencoded(&body)
        .iter()
        .any(|(name, _)| name == "client_id")
    {
        return body;
    }
    let mut merged = body.to_vec();
    if !merged.is_empty() {
        merged.push(b'&');
    }
    merged.extend_from_slice(b"client_id=");
    merged.extend_from_slice(
        authcode::wire::query::encode(&client_id)
            .to_string()
            .as_bytes(),
    );
    Bytes::from(merged)
}

/// `/ims/userinfo/v2` (Adobe IMS profile): the subject of a valid bearer token.
async fn userinfo_endpoint(AxumState(state): Shared, headers: HeaderMap) -> Response {
    let Some(token) = presented_token(&headers) else {
        return no_credentials("missing Bearer token");
    };
    match validate(&state, token).await {
        Err(StoreDown) => store_down(false),
        Ok(Ok(info)) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({
                "sub": info.subject.as_str(),
                "client_id": info.client_id.as_str(),
                "scope": info.scope.as_str(),
            })),
        )
            .into_response(),
        Ok(Err(_)) => unauthorized("invalid_token"),
    }
}

/// 401 for a request that carried no token (RFC 6750 §3.1: the challenge has no error
/// code then).
fn no_credentials(description: &str) -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        axum::Json(serde_json::json!({
            "error": "invalid_request",
            "error_description": description
        })),
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"authcode\""),
    );
    response
}

/// Validates an access token on the core.
async fn validate(
    state: &State,
    token: &str,
) -> Result<Result<authcode::server::TokenInfo, authcode::server::InvalidToken>, StoreDown> {
    let token = token.to_owned();
    state
        .node
        .run(move |server| server.validate(&token, now()))
        .await
}

/// The access token from Workfront's `sessionID` header or `Authorization: Bearer`.
fn presented_token(headers: &HeaderMap) -> Option<&str> {
    if let Some(session_id) = headers
        .get("sessionID")
        .and_then(|value| value.to_str().ok())
    {
        return Some(session_id.trim());
    }
    let authorization = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = authorization.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A stand-in for Workfront's `/attask/api/{version}/{object}/search`.
async fn search(
    AxumState(state): Shared,
    Path((version, object)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = presented_token(&headers) else {
        return no_credentials("missing sessionID header or Bearer token");
    };
    match validate(&state, token).await {
        Err(StoreDown) => store_down(false),
        Ok(Ok(info)) => {
            let body = serde_json::json!({
                "version": version,
                "subject": info.subject.as_str(),
                "client_id": info.client_id.as_str(),
                "scope": info.scope.as_str(),
                "data": [{ "ID": "0001", "name": format!("Sample {object}"), "objCode": object }],
            });
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Ok(Err(_)) => unauthorized("invalid_token"),
    }
}

fn unauthorized(description: &str) -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        axum::Json(
            serde_json::json!({ "error": "invalid_token", "error_description": description }),
        ),
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"authcode\", error=\"invalid_token\""),
    );
    response
}

/// RFC 8414 authorization server metadata.
async fn metadata(AxumState(state): Shared) -> Response {
    let base = &state.base_url;
    let paths = state.paths;
    let methods = [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    ];
    let mut body = serde_json::json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}{}", paths.authorize),
        "token_endpoint": format!("{base}{}", paths.token),
        "revocation_endpoint": format!("{base}{}", paths.revoke),
        "response_types_supported": ["code"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
        ],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": methods,
        "revocation_endpoint_auth_methods_supported": methods,
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
        "authorization_response_iss_parameter_supported": true,
    });
    if let (Some(userinfo), Some(object)) = (paths.userinfo, body.as_object_mut()) {
        // IMS's OpenID configuration: userinfo and its scopes.
        object.insert(
            "userinfo_endpoint".into(),
            format!("{base}{userinfo}").into(),
        );
        object.insert(
            "scopes_supported".into(),
            serde_json::json!(["openid", "AdobeID", "offline_access"]),
        );
    }
    if let (Some(jwks_path), Some(key), Some(object)) =
        (paths.jwks, &state.id_token_key, body.as_object_mut())
    {
        // OpenID Connect Discovery: ID tokens signed with the key at jwks_uri.
        use authcode::jose::JwsSigner as _;
        object.insert("jwks_uri".into(), format!("{base}{jwks_path}").into());
        object.insert(
            "id_token_signing_alg_values_supported".into(),
            serde_json::json!([key.algorithm().name()]),
        );
        object.insert(
            "subject_types_supported".into(),
            serde_json::json!(["public"]),
        );
        object
            .entry("scopes_supported")
            .or_insert_with(|| serde_json::json!(["openid"]));
    }
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `/metrics` (OpenMetrics text, which Prometheus scrapes): see [`super::metrics`].
async fn metrics(AxumState(state): Shared) -> Response {
    let occupancy = state
        .node
        .run(|server| {
            let apps: Vec<(String, authcode::server::Usage)> = server
                .registry()
                .iter()
                .map(|app| {
                    let usage = server.usage(app.client_id()).unwrap_or_default();
                    (app.client_id().to_owned(), usage)
                })
                .collect();
            let tables = match server.store() {
                super::NodeStore::Memory(store) => {
                    let live = store.live();
                    vec![
                        ("codes", live.codes),
                        ("subjects", live.subjects),
                        ("grants", live.grants),
                        ("keys", live.keys),
                    ]
                }
                super::NodeStore::Redis(_) => {
                    let sum = |pick: fn(&authcode::server::Usage) -> u32| {
                        apps.iter()
                            .map(|(_, usage)| usize::try_from(pick(usage)).unwrap_or(0))
                            .sum::<usize>()
                    };
                    vec![("codes", sum(|u| u.codes)), ("grants", sum(|u| u.grants))]
                }
            };
            (tables, apps)
        })
        .await;
    let (tables, apps) = occupancy.unwrap_or_default();
    let per_app: Vec<(String, &str, u32)> = apps
        .iter()
        .flat_map(|(client_id, usage)| {
            [
                (client_id.clone(), "codes", usage.codes),
                (client_id.clone(), "grants", usage.grants),
            ]
        })
        .collect();
    match state.metrics.render(&tables, &per_app) {
        Ok(text) => {
            let mut response = text.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            response
        }
        Err(_) => internal_error(),
    }
}
