//! The admin API, mirroring Workfront's "Create app integration" (create, list, delete
//! apps) and Adobe Developer Console's credential page (two client secrets with their
//! last use), plus mass revocation: every grant of a subject, every grant of an app.
//! Guarded by the admin bearer token, compared in constant time.

use std::sync::Arc;

use authcode::server::{AppError, AppKind, SecretRotation};
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::config::kind_name;
use super::details::{AppDetails, parse_app};
use super::node::{Changed, StoreDown};
use super::routes::store_down;
use super::{State, now};

fn authorized(state: &State, headers: &HeaderMap) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            // RFC 9110 §11.1: the scheme name is case-insensitive.
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .unwrap_or_default();
    authcode::Secret::<128>::copy_from(&state.admin_token)
        .is_ok_and(|expected| expected.ct_eq_bytes(presented.as_bytes()))
}

/// Runs `act` on a server of the node for a request that carries the admin token; `act`
/// says whether it changed the registry (over Redis the change is then published, and
/// `act` runs again on the newer registry if another node published first).
async fn as_admin(
    state: &State,
    headers: &HeaderMap,
    act: impl FnMut(&mut super::CoreServer) -> (Response, Changed) + Send + 'static,
) -> Response {
    if !authorized(state, headers) {
        return forbidden();
    }
    state
        .node
        .admin(act)
        .await
        .unwrap_or_else(|StoreDown| store_down(false))
}

/// `Changed::Registry` when `response` reports success.
fn changed_if_ok(response: Response) -> (Response, Changed) {
    let changed = if response.status().is_success() {
        Changed::Registry
    } else {
        Changed::Nothing
    };
    (response, changed)
}

fn revoked(count: usize) -> Response {
    (StatusCode::OK, axum::Json(json!({ "revoked": count }))).into_response()
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
    // The core's app settings and the consent page's details, unknown fields refused by
    // name. `"generate_key": true` (Workfront's "Generate a public/private keypair"):
    // an RSA-2048 key pair is made, its public half registered, its private half
    // returned in this answer only.
    let mut value = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(value) => value,
        Err(problem) => return error(StatusCode::BAD_REQUEST, &format!("invalid app: {problem}")),
    };
    let generate = value
        .as_object_mut()
        .and_then(|object| object.remove("generate_key"));
    let private_key = match generate {
        None | Some(serde_json::Value::Bool(false)) => None,
        Some(serde_json::Value::Bool(true)) => {
            let made = tokio::task::spawn_blocking(generated_key_pair).await;
            match made {
                Ok(Ok((public, private))) => {
                    if let Some(object) = value.as_object_mut() {
                        let keys = object.entry("public_keys").or_insert_with(|| json!([]));
                        if let Some(keys) = keys.as_array_mut() {
                            keys.push(json!(public));
                        }
                    }
                    Some(private)
                }
                _ => {
                    return error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the key pair could not be generated",
                    );
                }
            }
        }
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid app: generate_key must be true or false",
            );
        }
    };
    let parsed = parse_app(value);
    let (settings, details) = match parsed {
        Ok(parsed) => parsed,
        Err(problem) => return error(StatusCode::BAD_REQUEST, &format!("invalid app: {problem}")),
    };
    let store = Arc::clone(&state.details);
    as_admin(&state, &headers, move |server| {
        let created = server
            .registry_mut()
            .create_from(&settings, &mut getrandom::SysRng);
        if let Ok(created) = &created
            && store.save(server, &created.client_id, &details).is_err()
        {
            return (store_down(false), Changed::Nothing);
        }
        changed_if_ok(created_response(
            created,
            &settings.name,
            settings.kind,
            &details,
            private_key.as_deref(),
        ))
    })
    .await
}

/// An RSA-2048 key pair: (public key PEM, private key PKCS#8 PEM).
fn generated_key_pair() -> Result<(String, String), String> {
    use rsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
    let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).map_err(|e| e.to_string())?;
    let public = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    let private = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    Ok((public, private.to_string()))
}

fn created_response(
    created: Result<authcode::server::Created, AppError>,
    name: &str,
    kind: AppKind,
    details: &AppDetails,
    private_key: Option<&str>,
) -> Response {
    match created {
        Ok(created) => {
            let mut body = json!({ "client_id": created.client_id.as_str(), "name": name, "kind": kind_name(kind), "details": details });
            if let Some(secret) = &created.client_secret {
                // Shown this once; only its digest is kept.
                if let Some(object) = body.as_object_mut() {
                    object.insert("client_secret".into(), json!(secret.as_str()));
                }
            }
            if let (Some(private_key), Some(object)) = (private_key, body.as_object_mut()) {
                // Shown this once; the server keeps only the public half.
                object.insert("private_key".into(), json!(private_key));
            }
            (StatusCode::CREATED, axum::Json(body)).into_response()
        }
        Err(problem) => {
            let status = if matches!(problem, AppError::RegistryFull) {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            error(status, &problem.to_string())
        }
    }
}

pub(crate) async fn list(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap) -> Response {
    let store = Arc::clone(&state.details);
    as_admin(&state, &headers, move |server| {
        (list_apps(server, &store), Changed::Nothing)
    })
    .await
}

fn list_apps(server: &super::CoreServer, store: &super::details::DetailsStore) -> Response {
    let limits = server.limits();
    let mut apps = Vec::new();
    for app in server.registry().iter() {
        let Ok(details) = store.load(server, app.client_id()) else {
            return store_down(false);
        };
        apps.push({
            let policy = app.refresh_policy();
            let usage = server.usage(app.client_id()).unwrap_or_default();
            json!({
                "client_id": app.client_id(),
                "name": app.name(),
                "kind": kind_name(app.kind()),
                "redirect_uris": app.redirect_uris().collect::<Vec<_>>(),
                "rotation": policy.rotation,
                "absolute_lifetime": policy.absolute_lifetime,
                "inactivity_lifetime": policy.inactivity_lifetime,
                "has_secret": app.kind() == AppKind::WebApp,
                "secrets": secrets_json(app),
                "usage": { "codes": usage.codes, "grants": usage.grants },
                "details": details,
            })
        });
    }
    (
        StatusCode::OK,
        axum::Json(json!({
            "apps": apps,
            "capacity": server.registry().capacity(),
            "quotas": {
                "codes_per_app": limits.codes_per_app,
                "grants_per_app": limits.grants_per_app,
                "codes_per_subject": limits.codes_per_subject,
                "access_tokens_per_grant": limits.access_tokens_per_grant,
            },
        })),
    )
        .into_response()
}

pub(crate) async fn remove(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
) -> Response {
    let store = Arc::clone(&state.details);
    as_admin(&state, &headers, move |server| {
        changed_if_ok(match server.delete_app(&client_id) {
            // Best effort: a leftover is replaced when the client id is used again.
            Ok(()) => {
                let _ = store.remove(server, &client_id);
                StatusCode::NO_CONTENT.into_response()
            }
            Err(problem) => app_error(problem),
        })
    })
    .await
}

fn app_error(problem: AppError) -> Response {
    let status = match problem {
        AppError::UnknownApp | AppError::UnknownSecret => StatusCode::NOT_FOUND,
        AppError::TooManySecrets | AppError::LastSecret | AppError::RegistryFull => {
            StatusCode::CONFLICT
        }
        AppError::Store(_) | AppError::Randomness => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    error(status, &problem.to_string())
}

fn secrets_json(app: &authcode::server::App) -> Vec<serde_json::Value> {
    app.secrets()
        .map(|secret| {
            json!({
                "slot": secret.slot,
                "created_at": secret.created_at.map(|at| at.unix_seconds()),
                "last_used_at": secret.last_used_at.map(|at| at.unix_seconds()),
                "expires_at": secret.expires_at.map(|at| at.unix_seconds()),
            })
        })
        .collect()
}

/// The body of `POST /integrations/oauth2/admin/apps/{id}/secrets` (all optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSecret {
    /// Replace the other secrets (after `overlap` seconds) instead of adding a second one.
    #[serde(default)]
    rotate: bool,
    /// With `rotate`: seconds the replaced secrets keep working (0 to 86400).
    #[serde(default)]
    overlap: u64,
    /// End every grant of the app at once (a leaked secret).
    #[serde(default)]
    end_grants: bool,
}

/// `POST …/apps/{id}/secrets`: a new client secret, shown once — a second one beside the
/// current (at most two), or with `"rotate": true` one that replaces the others after
/// `overlap` seconds.
pub(crate) async fn add_secret(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    if !authorized(&state, &headers) {
        return forbidden();
    }
    let request: NewSecret = if body.is_empty() {
        NewSecret::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(request) => request,
            Err(problem) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("invalid request: {problem}"),
                );
            }
        }
    };
    as_admin(&state, &headers, move |server| {
        changed_if_ok(new_secret(server, &client_id, &request))
    })
    .await
}

fn new_secret(server: &mut super::CoreServer, client_id: &str, request: &NewSecret) -> Response {
    let at = now();
    let created = if request.rotate {
        let rotation = SecretRotation {
            overlap: request.overlap,
            end_grants: request.end_grants,
        };
        server
            .rotate_secret(client_id, rotation, at, &mut getrandom::SysRng)
            .map(|secret| (None, secret))
    } else if request.overlap > 0 {
        return error(
            StatusCode::BAD_REQUEST,
            "overlap applies to a rotation: add \"rotate\": true",
        );
    } else {
        // Check everything before changing anything: the secret first, then the grants.
        match server
            .registry_mut()
            .add_secret(client_id, at, &mut getrandom::SysRng)
        {
            Ok((slot, secret)) => {
                if request.end_grants && server.revoke_app_grants(client_id).is_err() {
                    let _ = server.registry_mut().delete_secret(client_id, slot, at);
                    return error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the grant store is unavailable",
                    );
                }
                Ok((Some(slot), secret))
            }
            Err(problem) => Err(problem),
        }
    };
    match created {
        Ok((slot, secret)) => {
            let secrets = server
                .registry()
                .get(client_id)
                .map(secrets_json)
                .unwrap_or_default();
            (
                StatusCode::CREATED,
                axum::Json(json!({
                    "client_id": client_id,
                    "slot": slot,
                    "client_secret": secret.as_str(),
                    "secrets": secrets,
                })),
            )
                .into_response()
        }
        Err(problem) => app_error(problem),
    }
}

/// `GET …/apps/{id}/secrets`: slot, creation, last use and expiry of each secret.
pub(crate) async fn list_secrets(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
) -> Response {
    as_admin(&state, &headers, move |server| {
        let response = match server.registry().get(&client_id) {
            Some(app) => (
                StatusCode::OK,
                axum::Json(json!({ "secrets": secrets_json(app) })),
            )
                .into_response(),
            None => app_error(AppError::UnknownApp),
        };
        (response, Changed::Nothing)
    })
    .await
}

/// `DELETE …/apps/{id}/secrets/{slot}`: that secret stops working at once (the last one
/// cannot be deleted).
pub(crate) async fn delete_secret(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Path((client_id, slot)): Path<(String, String)>,
) -> Response {
    as_admin(&state, &headers, move |server| {
        let Ok(slot) = slot.parse::<usize>() else {
            return (
                error(StatusCode::NOT_FOUND, "no live secret in that slot"),
                Changed::Nothing,
            );
        };
        changed_if_ok(
            match server.registry_mut().delete_secret(&client_id, slot, now()) {
                Ok(()) => StatusCode::NO_CONTENT.into_response(),
                Err(problem) => app_error(problem),
            },
        )
    })
    .await
}

/// `DELETE …/apps/{id}/grants`: every grant of the app ends.
pub(crate) async fn end_app_grants(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
) -> Response {
    as_admin(&state, &headers, move |server| {
        let response = server
            .revoke_app_grants(&client_id)
            .map_or_else(app_error, revoked);
        (response, Changed::Nothing)
    })
    .await
}

/// `DELETE …/subjects/{subject}/grants`: every grant of the subject, in every app, ends
/// ("sign out everywhere", a password change).
pub(crate) async fn end_subject_grants(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    Path(subject): Path<String>,
) -> Response {
    as_admin(&state, &headers, move |server| {
        let response = server.revoke_subject(&subject).map_or_else(
            |problem| error(StatusCode::SERVICE_UNAVAILABLE, &problem.to_string()),
            revoked,
        );
        (response, Changed::Nothing)
    })
    .await
}
