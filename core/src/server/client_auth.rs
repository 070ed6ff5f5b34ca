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

/// `client_assertion_type` of `private_key_jwt` (RFC 7523 §2.2).
const JWT_CLIENT_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

impl<St: super::store::GrantStore, const APPS: usize> super::server::Server<St, APPS> {
    /// The client of a token or revocation request: HTTP Basic, the body's
    /// `client_id` / `client_secret`, or a `client_assertion` signed with a key the app
    /// registered (`private_key_jwt`, RFC 7523 §2.2) — exactly one of them.
    pub(crate) fn client_of(
        &mut self,
        request: &TokenRequest<'_>,
        params: &Params,
        now: Timestamp,
    ) -> Result<Client, Refusal> {
        match (&params.client_assertion_type, &params.client_assertion) {
            (None, None) => authenticate(&mut self.registry, request, params, now),
            (Some(kind), Some(assertion)) if kind.as_str() == JWT_CLIENT_ASSERTION => {
                if request.authorization.is_some() || params.client_secret.is_some() {
                    return Err(refuse(
                        ErrorCode::InvalidRequest,
                        "more than one client authentication method",
                    ));
                }
                self.assertion_client(params, assertion, now)
            }
            (Some(_), Some(_)) => Err(refuse(
                ErrorCode::InvalidClient,
                "unsupported client_assertion_type (urn:ietf:params:oauth:client-assertion-type:jwt-bearer)",
            )),
            _ => Err(refuse(
                ErrorCode::InvalidRequest,
                "client_assertion and client_assertion_type go together",
            )),
        }
    }

    #[cfg(not(feature = "jose"))]
    #[allow(clippy::unused_self)]
    fn assertion_client(
        &mut self,
        _: &Params,
        _: &super::params::Jwt,
        _: Timestamp,
    ) -> Result<Client, Refusal> {
        Err(refuse(
            ErrorCode::InvalidClient,
            "private_key_jwt is not supported by this server",
        ))
    }

    #[cfg(feature = "jose")]
    fn assertion_client(
        &mut self,
        params: &Params,
        assertion: &super::params::Jwt,
        now: Timestamp,
    ) -> Result<Client, Refusal> {
        let assertion = assertion.as_str();
        use super::assertion::{self, Expected, Purpose};
        let failed = |description| refuse(ErrorCode::InvalidClient, description);
        // Which app: `client_id`, or else the assertion's `sub` (read before the
        // signature is checked only to choose the keys to check it with).
        let claimed: String<MAX_CLIENT_ID>;
        let client_id: &str = match &params.client_id {
            Some(id) => id.as_str(),
            None => {
                let jws = crate::jose::Compact::parse(assertion.as_bytes())
                    .map_err(|_| failed("the client assertion is not a JWS"))?;
                let mut buf = [0u8; 2048];
                let payload = jws
                    .unverified_payload(&mut buf)
                    .ok_or(failed("the client assertion is not a JWS"))?;
                let claims = crate::jose::Claims::parse(payload)
                    .map_err(|_| failed("the client assertion's claims are malformed"))?;
                claimed = crate::jose::Claims::text(claims.subject)
                    .ok_or(failed("the client assertion has no sub"))?;
                claimed.as_str()
            }
        };
        let (id, app) = self
            .registry
            .lookup(client_id)
            .ok_or(failed("client authentication failed"))?;
        let kind = app.kind();
        if !kind.is_confidential() {
            return Err(failed("single-page apps cannot use private_key_jwt"));
        }
        let expected = Expected {
            client_id: app.client_id(),
            audiences: [
                self.config.issuer.as_deref(),
                self.config.token_endpoint.as_deref(),
            ],
            other_issuer: None,
            now,
            skew: self.config.clock_skew,
        };
        let verified = assertion::verify(app, assertion, Purpose::ClientAuthentication, &expected)
            .map_err(failed)?;
        let limits = self.limits();
        match self.store.note_assertion(&verified.mark(id), &limits, now) {
            Ok(super::store::Noted::First) => {}
            Ok(super::store::Noted::Replayed) => {
                return Err(failed("the client assertion's jti was already used"));
            }
            Err(error) => return Err(super::endpoint::store_refusal(error)),
        }
        Ok(Client { id, kind })
    }
}
