//! The admin API, mirroring Workfront's "Create app integration": create, list, delete
//! apps. Guarded by the admin bearer token, compared in constant time.

use std::sync::Arc;

use authcode::server::{AppKind, AppSpec, RefreshPolicy};
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::State;
use super::config::{kind_name, parse_kind};
use super::routes::internal_error;

/// The body of `POST /integrations/oauth2/admin/apps`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewApp {
    name: String,
    kind: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
    rotation: Option<bool>,
    absolute_lifetime: Option<u64>,
    inactivity_lifetime: Option<u64>,
    #[serde(default)]
    public_keys: Vec<String>,
    require_pkce: Option<bool>,
}

fn authorized(state: &State, headers: &HeaderMap) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    authcode::Secret::<128>::copy_from(&state.admin_token)
        .is_ok_and(|expected| expected.ct_eq_bytes(presented.as_bytes()))
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

fn forbidden() -> Response {
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "admin token required (Authorization: Bearer …)",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

pub(crate) async fn create(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorized(&state, &headers) {
        return forbidden();
    }
    let app: NewApp = match serde_json::from_slice(&body) {
        Ok(app) => app,
        Err(problem) => return error(StatusCode::BAD_REQUEST, &format!("invalid app: {problem}")),
    };
    let Some(kind) = parse_kind(&app.kind) else {
        return error(
            StatusCode::BAD_REQUEST,
            "kind must be web, single-page or machine-to-machine",
        );
    };
    let uris: Vec<&str> = app.redirect_uris.iter().map(String::as_str).collect();
    let keys: Vec<&str> = app.public_keys.iter().map(String::as_str).collect();
    let mut spec = AppSpec::new(&app.name, kind, &uris);
    spec.public_keys = &keys;
    spec.require_pkce = app.require_pkce.unwrap_or(true);
    spec.refresh = RefreshPolicy {
        rotation: app.rotation.unwrap_or(true),
        absolute_lifetime: app.absolute_lifetime,
        inactivity_lifetime: app.inactivity_lifetime,
    };
    let Ok(mut server) = state.server.lock() else {
        return internal_error();
    };
    match server.registry_mut().create(&spec, &mut getrandom::SysRng) {
        Ok(created) => {
            let mut body = json!({ "client_id": created.client_id.as_str(), "name": app.name, "kind": kind_name(kind) });
            if let Some(secret) = &created.client_secret {
                // Shown this once; only its digest is kept.
                if let Some(object) = body.as_object_mut() {
                    object.insert("client_secret".into(), json!(secret.as_str()));
                }
            }
            (StatusCode::CREATED, axum::Json(body)).into_response()
        }
        Err(problem) => {
            let status = if matches!(problem, authcode::server::AppError::RegistryFull) {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            error(status, &problem.to_string())
        }
    }
}

pub(crate) async fn list(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap) -> Response {
    if !authorized(&state, &headers) {
        return forbidden();
    }
    let Ok(server) = state.server.lock() else {
        return internal_error();
    };
    let apps: Vec<_> = server
        .registry()
        .iter()
        .map(|app| {
            let policy = app.refresh_policy();
            json!({
                "client_id": app.client_id(),
                "name": app.name(),
                "kind": kind_name(app.kind()),
                "redirect_uris": app.redirect_uris().collect::<Vec<_>>(),
                "rotation": policy.rotation,
                "absolute_lifetime": policy.absolute_lifetime,
                "inactivity_lifetime": policy.inactivity_lifetime,
                "has_secret": app.kind() == AppKind::WebApp,
            })
        })
        .collect();
    (
        StatusCode::OK,
        axum::Json(json!({ "apps": apps, "capacity": server.registry().capacity() })),
    )
        .into_response()
}

pub(crate) async fn remove(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
) -> Response {
    if !authorized(&state, &headers) {
        return forbidden();
    }
    let Ok(mut server) = state.server.lock() else {
        return internal_error();
    };
    match server.registry_mut().delete(&client_id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(problem) => error(StatusCode::NOT_FOUND, &problem.to_string()),
    }
}
