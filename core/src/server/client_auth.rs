//! Client authentication at the token and revocation endpoints (RFC 6749 §2.3): HTTP
//! Basic or `client_id` (+ `client_secret`) in the body, never both.

use heapless::String;

use super::app::AppKind;
use super::endpoint::{Params, Refusal, TokenRequest, refuse};
use super::limits::MAX_CLIENT_ID;
use super::params::MAX_VALUE;
use super::registry::{AppId, Registry};
use crate::Secret;
use crate::oauth::ErrorCode;
use crate::time::Timestamp;
use crate::wire::basic;

/// The authenticated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Client {
    pub(crate) id: AppId,
    pub(crate) kind: AppKind,
}

/// `id` and `secret` from `Authorization: Basic …`; a malformed header is `invalid_client`
/// with a `WWW-Authenticate` challenge (RFC 6749 §5.2).
fn basic_credentials(header: &str) -> Result<(String<MAX_CLIENT_ID>, Secret<MAX_VALUE>), Refusal> {
    basic::read_header(header).map_err(|_| Refusal {
        www_authenticate: true,
        ..refuse(
            ErrorCode::InvalidClient,
            "malformed or unsupported Authorization header",
        )
    })
}

/// Authenticates the client of `request`. Web and machine-to-machine apps must present
/// one of their live secrets (its last use is recorded); public apps must not present one.
pub(crate) fn authenticate<const APPS: usize>(
    registry: &mut Registry<APPS>,
    request: &TokenRequest<'_>,
    params: &Params,
    now: Timestamp,
) -> Result<Client, Refusal> {
    let (client_id, secret, via_header) = match request.authorization {
        Some(header) => {
            let (id, secret) = basic_credentials(header)?;
            if params.client_secret.is_some() {
                return Err(refuse(
                    ErrorCode::InvalidRequest,
                    "more than one client authentication method",
                ));
            }
            if params
                .client_id
                .as_ref()
                .is_some_and(|body_id| body_id.as_str() != id.as_str())
            {
                return Err(refuse(
                    ErrorCode::InvalidRequest,
                    "client_id differs from the Authorization header",
                ));
            }
            (
                String::<MAX_VALUE>::try_from(id.as_str()).unwrap_or_default(),
                Some(secret),
                true,
            )
        }
        None => {
            let id = params
                .client_id
                .clone()
                .ok_or(refuse(ErrorCode::InvalidClient, "no client authentication"))?;
            (id, params.client_secret.clone(), false)
        }
    };
    let failed = Refusal {
        www_authenticate: via_header,
        ..refuse(ErrorCode::InvalidClient, "client authentication failed")
    };
    // Some public clients send `Basic base64(client_id:)`: an empty secret is no secret.
    let secret = secret.filter(|secret| !secret.is_empty());
    let (id, app) = registry.lookup(&client_id).ok_or(failed)?;
    let kind = app.kind();
    let used_slot = match (kind.is_confidential(), secret.as_ref()) {
        (true, Some(secret)) => Some(app.matching_secret(secret.as_bytes(), now).ok_or(failed)?),
        (true, None) => return Err(failed),
        // A public client presenting a secret is misconfigured or an impostor.
        (_, Some(_)) => return Err(failed),
        (_, None) => None,
    };
    if let Some(slot) = used_slot {
        registry.secret_used(id, slot, now);
    }
    Ok(Client { id, kind })
}
