//! Client authentication at the token and revocation endpoints (RFC 6749 §2.3): HTTP
//! Basic or `client_id` (+ `client_secret`) in the body, never both.

use base64ct::{Base64, Encoding as _};
use heapless::String;
use zeroize::Zeroize;

use super::app::AppKind;
use super::endpoint::{Params, Refusal, TokenRequest, refuse};
use super::limits::MAX_CLIENT_ID;
use super::params::MAX_VALUE;
use super::registry::{AppId, Registry};
use crate::Secret;
use crate::client::ErrorCode;
use crate::time::Timestamp;
use crate::wire::query::decode_into;

/// The authenticated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Client {
    pub(crate) id: AppId,
    pub(crate) kind: AppKind,
}

/// `id` and `secret` from `Authorization: Basic …` (RFC 6749 §2.3.1: each form-urlencoded
/// before base64; the scheme name is case-insensitive).
fn basic_credentials(header: &str) -> Result<(String<MAX_CLIENT_ID>, Secret<MAX_VALUE>), Refusal> {
    let invalid = Refusal {
        www_authenticate: true,
        ..refuse(
            ErrorCode::InvalidClient,
            "malformed or unsupported Authorization header",
        )
    };
    let header = header.trim();
    let (scheme, credentials) = header.split_once(|c: char| c == ' ').ok_or(invalid)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid);
    }
    let mut decoded = [0u8; 3 * MAX_VALUE];
    // The credentials are secret: the constant-time `base64ct` decoder.
    let result = Base64::decode(credentials.trim().as_bytes(), &mut decoded)
        .ok()
        .and_then(|bytes| {
            let colon = bytes.iter().position(|&b| b == b':')?;
            let (id, secret) = (bytes.get(..colon)?, bytes.get(colon.saturating_add(1)..)?);
            let mut id_buf = [0u8; MAX_CLIENT_ID];
            let id = String::try_from(decode_into(id, &mut id_buf).ok()?).ok()?;
            let mut secret_out = Secret::<MAX_VALUE>::new();
            secret_out
                .set_with(
                    |buf| decode_into(secret, buf).map(str::len),
                    crate::wire::query::DecodeError::NotUtf8,
                )
                .ok()?;
            Some((id, secret_out))
        });
    decoded.zeroize();
    result.ok_or(invalid)
}

/// Authenticates the client of `request`. Web apps must present one of their live
/// secrets (its last use is recorded); public apps must not present one.
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
    let used_slot = match (kind, secret.as_ref()) {
        (AppKind::WebApp, Some(secret)) => {
            Some(app.matching_secret(secret.as_bytes(), now).ok_or(failed)?)
        }
        (AppKind::WebApp, None) => return Err(failed),
        // A public client presenting a secret is misconfigured or an impostor.
        (_, Some(_)) => return Err(failed),
        (_, None) => None,
    };
    if let Some(slot) = used_slot {
        registry.secret_used(id, slot, now);
    }
    Ok(Client { id, kind })
}
