//! The token endpoint (RFC 6749 §3.2, §4.1.3, §5, §6) and the revocation endpoint
//! (RFC 7009).

use core::fmt::Write as _;

use base64ct::{Base64, Encoding as _};
use heapless::String;
use rand_core::TryCryptoRng;
use zeroize::Zeroize;

use super::app::{App, AppKind};
use super::core::{IssueError, Server, digest, family_alive, refresh_expired, revoke_family};
use super::entries::{CodeState, FamilyId, TokenKind};
use super::limits::{MAX_CLIENT_ID, TOKEN_LEN};
use super::params::{self, Field, Format, MAX_VALUE, ParamSet};
use super::registry::{AppId, secret_matches};
use super::scope;
use super::storage::Storage;
use super::table;
use crate::client::ErrorCode;
use crate::pkce::Verifier;
use crate::profile::Profile;
use crate::time::Timestamp;
use crate::wire::query::decode_into;
use crate::wire::{Writer, json};
use crate::{BufferTooSmall, Secret};

/// A buffer of this many bytes always holds a token or revocation response.
pub const RESPONSE_BUFFER_LEN: usize = 1024;

/// A request to the token or revocation endpoint, as the host's HTTP layer sees it.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    /// The HTTP method; only `POST` is accepted.
    pub method: &'a str,
    /// The `Content-Type` header: `application/x-www-form-urlencoded` or
    /// `application/json` (parameters such as `; charset=UTF-8` are ignored).
    pub content_type: Option<&'a str>,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

/// The HTTP response to send back. Always JSON; always `Cache-Control: no-store` and
/// `Pragma: no-cache` (RFC 6749 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenResponse<'buf> {
    /// The HTTP status: 200, 400, 401, 405 or 503.
    pub status: u16,
    /// `WWW-Authenticate` value, when the client tried HTTP authentication and failed
    /// (RFC 6749 §5.2).
    pub www_authenticate: Option<&'static str>,
    /// The JSON body. On success it holds tokens: do not log it.
    pub body: &'buf str,
}

impl<'buf> TokenResponse<'buf> {
    /// Every header to send: `Content-Type`, `Cache-Control`, `Pragma`, and
    /// `WWW-Authenticate` when due.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        [
            Some(("Content-Type", "application/json")),
            Some(("Cache-Control", "no-store")),
            Some(("Pragma", "no-cache")),
            self.www_authenticate
                .map(|value| ("WWW-Authenticate", value)),
        ]
        .into_iter()
        .flatten()
    }
}

/// An OAuth error answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Refusal {
    status: u16,
    code: ErrorCode,
    description: &'static str,
    www_authenticate: bool,
}

const fn refuse(code: ErrorCode, description: &'static str) -> Refusal {
    Refusal {
        status: match code {
            ErrorCode::InvalidClient => 401,
            ErrorCode::TemporarilyUnavailable => 503,
            ErrorCode::ServerError => 500,
            _ => 400,
        },
        code,
        description,
        www_authenticate: false,
    }
}

/// The parameters of a token or revocation request.
#[derive(Default)]
struct Params {
    grant_type: Option<String<32>>,
    code: Option<Secret<MAX_VALUE>>,
    redirect_uri: Option<String<MAX_VALUE>>,
    code_verifier: Option<Secret<MAX_VALUE>>,
    client_id: Option<String<MAX_VALUE>>,
    client_secret: Option<Secret<MAX_VALUE>>,
    refresh_token: Option<Secret<MAX_VALUE>>,
    scope: Option<String<MAX_VALUE>>,
    token: Option<Secret<MAX_VALUE>>,
    token_type_hint: Option<String<32>>,
}

impl ParamSet for Params {
    fn field(&mut self, is: &dyn Fn(&str) -> bool) -> Option<&mut dyn Field> {
        Some(match () {
            () if is("grant_type") => &mut self.grant_type,
            () if is("code") => &mut self.code,
            () if is("redirect_uri") => &mut self.redirect_uri,
            () if is("code_verifier") => &mut self.code_verifier,
            () if is("client_id") => &mut self.client_id,
            () if is("client_secret") => &mut self.client_secret,
            () if is("refresh_token") => &mut self.refresh_token,
            () if is("scope") => &mut self.scope,
            () if is("token") => &mut self.token,
            () if is("token_type_hint") => &mut self.token_type_hint,
            () => return None,
        })
    }
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

/// The authenticated client.
struct Client {
    id: AppId,
    kind: AppKind,
}

impl<S: Storage, const APPS: usize> Server<S, APPS> {
    /// Client authentication (RFC 6749 §2.3): HTTP Basic or `client_id` (+ `client_secret`)
    /// in the body, never both. Web apps must present their secret; public apps must not
    /// present one.
    fn authenticate(&self, request: &TokenRequest<'_>, params: &Params) -> Result<Client, Refusal> {
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
        let (id, app) = self.registry.lookup(&client_id).ok_or(failed)?;
        let authenticated = match (app.kind(), app.secret_digest.as_ref(), secret.as_ref()) {
            (AppKind::WebApp, Some(digest), Some(secret)) => {
                secret_matches(digest, secret.as_str())
            }
            (AppKind::WebApp, _, _) => false,
            // A public client presenting a secret is misconfigured or an impostor.
            (_, _, Some(_)) => false,
            (_, _, None) => true,
        };
        if authenticated {
            Ok(Client {
                id,
                kind: app.kind(),
            })
        } else {
            Err(failed)
        }
    }

    /// Answers a token request: the `authorization_code` and `refresh_token` grants,
    /// JSON or form bodies, Basic or body client authentication. Writes the JSON into
    /// `buf`, which must hold [`RESPONSE_BUFFER_LEN`] bytes.
    ///
    /// Codes are single use: presenting a redeemed code again is `invalid_grant` **and**
    /// revokes every token issued from it (RFC 6749 §4.1.2). A failed redemption (wrong
    /// verifier, client or redirect URI) burns the code. A code issued at `t` is
    /// redeemable while `now < t + code lifetime` (120 s for Workfront: at 119 s yes, at
    /// 120 s no). With rotation, presenting a rotated-out refresh token revokes the grant
    /// (RFC 9700 §4.14.2).
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] when `buf` is shorter than [`RESPONSE_BUFFER_LEN`]; nothing is
    /// changed then.
    pub fn token<'buf, R: TryCryptoRng + ?Sized>(
        &mut self,
        request: &TokenRequest<'_>,
        now: Timestamp,
        rng: &mut R,
        buf: &'buf mut [u8],
    ) -> Result<TokenResponse<'buf>, BufferTooSmall> {
        if buf.len() < RESPONSE_BUFFER_LEN {
            return Err(BufferTooSmall {
                needed: RESPONSE_BUFFER_LEN,
            });
        }
        let outcome = self.token_outcome(request, now, rng);
        Ok(match outcome {
            Ok(issued) => self.write_tokens(&issued, buf),
            Err(refusal) => write_refusal(&refusal, buf),
        })
    }

    fn read_params(request: &TokenRequest<'_>) -> Result<Params, Refusal> {
        if !request.method.eq_ignore_ascii_case("POST") {
            return Err(Refusal {
                status: 405,
                ..refuse(ErrorCode::InvalidRequest, "use POST")
            });
        }
        let content_type = request
            .content_type
            .map(|value| {
                value
                    .split(|c: char| c == ';')
                    .next()
                    .unwrap_or_default()
                    .trim()
            })
            .unwrap_or_default();
        let format = if content_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            Format::Form
        } else if content_type.eq_ignore_ascii_case("application/json") {
            Format::Json
        } else {
            return Err(refuse(
                ErrorCode::InvalidRequest,
                "Content-Type must be application/x-www-form-urlencoded or application/json",
            ));
        };
        let mut params = Params::default();
        params::read(request.body, format, &mut params).map_err(|error| {
            refuse(
                ErrorCode::InvalidRequest,
                match error {
                    params::ParamError::Duplicate => "a parameter is repeated",
                    params::ParamError::Malformed => "the body is malformed",
                    params::ParamError::NotAString => "parameters must be strings",
                    params::ParamError::BadValue => "a parameter value is too long or not UTF-8",
                },
            )
        })?;
        Ok(params)
    }

    fn token_outcome<R: TryCryptoRng + ?Sized>(
        &mut self,
        request: &TokenRequest<'_>,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Issued, Refusal> {
        let params = Self::read_params(request)?;
        let client = self.authenticate(request, &params)?;
        let grant_type = params
            .grant_type
            .as_deref()
            .ok_or(refuse(ErrorCode::InvalidRequest, "grant_type is required"))?;
        let is_code_grant = match grant_type {
            "authorization_code" => true,
            "refresh_token" => false,
            _ => {
                return Err(refuse(
                    ErrorCode::UnsupportedGrantType,
                    "supported: authorization_code, refresh_token",
                ));
            }
        };
        if client.kind == AppKind::MachineToMachine {
            return Err(refuse(
                ErrorCode::UnauthorizedClient,
                "machine-to-machine apps use the JWT grant",
            ));
        }
        if is_code_grant {
            self.redeem_code(&client, &params, now, rng)
        } else {
            self.refresh(&client, &params, now, rng)
        }
    }

    fn redeem_code<R: TryCryptoRng + ?Sized>(
        &mut self,
        client: &Client,
        params: &Params,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Issued, Refusal> {
        let invalid_grant = |description| refuse(ErrorCode::InvalidGrant, description);
        let code = params
            .code
            .as_ref()
            .ok_or(refuse(ErrorCode::InvalidRequest, "code is required"))?;
        let tables = self.storage.tables();
        let index = table::find(tables.codes, &digest(code.as_bytes()))
            .ok_or(invalid_grant("unknown code"))?;
        let Some(Some(entry)) = tables.codes.get_mut(index) else {
            return Err(invalid_grant("unknown code"));
        };
        if now >= entry.expires_at {
            return Err(invalid_grant("the code has expired"));
        }
        match entry.state {
            CodeState::Live => {}
            CodeState::Redeemed(family) => {
                // RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for.
                revoke_family(tables.families, family);
                return Err(invalid_grant(
                    "the code was already used; its tokens are revoked",
                ));
            }
            CodeState::Burned => return Err(invalid_grant("the code is no longer valid")),
        }
        let failure = if entry.app != client.id {
            Some("the code was issued to another client")
        } else if entry.redirect_uri_digest
            != params
                .redirect_uri
                .as_ref()
                .map(|uri| digest(uri.as_bytes()))
            && entry.redirect_uri_digest.is_some()
        {
            Some("redirect_uri differs from the authorization request")
        } else {
            match (&entry.challenge, &params.code_verifier) {
                (Some(challenge), Some(verifier)) => {
                    match Verifier::parse_bytes(verifier.as_bytes()) {
                        Ok(verifier) if challenge.verify(&verifier) => None,
                        Ok(_) => Some("code_verifier does not match the code_challenge"),
                        Err(_) => Some("code_verifier is malformed"),
                    }
                }
                (Some(_), None) => Some("code_verifier is required"),
                // PKCE downgrade: a verifier for a code issued without a challenge.
                (None, Some(_)) => Some("code_verifier given but no code_challenge was sent"),
                (None, None) => None,
            }
        };
        if let Some(description) = failure {
            // Never leave a way to redeem this code later.
            entry.state = CodeState::Burned;
            return Err(invalid_grant(description));
        }
        let subject = entry.subject.clone();
        let scope_text = entry.scope.clone();
        let family = self
            .allocate_family(client.id, &subject, &scope_text, now)
            .ok_or(refuse(
                ErrorCode::TemporarilyUnavailable,
                "too many active grants",
            ))?;
        let issued = self.issue_pair(
            family,
            scope::full_mask(&scope_text),
            None,
            &scope_text,
            now,
            rng,
        )?;
        let tables = self.storage.tables();
        if let Some(Some(entry)) = tables.codes.get_mut(index) {
            entry.state = CodeState::Redeemed(family);
        }
        Ok(issued)
    }

    /// Issues an access token and — unless `keep_refresh` carries the refresh token to keep
    /// (no rotation) — a new refresh token. Rolls back on failure.
    fn issue_pair<R: TryCryptoRng + ?Sized>(
        &mut self,
        family: FamilyId,
        scope_mask: u32,
        keep_refresh: Option<&str>,
        granted_scope: &str,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Issued, Refusal> {
        let unavailable = |error| match error {
            IssueError::Full => {
                refuse(ErrorCode::TemporarilyUnavailable, "the token table is full")
            }
            IssueError::Randomness => refuse(ErrorCode::ServerError, "randomness unavailable"),
        };
        let expires_at = now.plus(self.config.access_token_lifetime);
        let access = self
            .issue_token(
                family,
                TokenKind::Access {
                    expires_at,
                    scope_mask,
                },
                rng,
                now,
            )
            .map_err(unavailable)?;
        let refresh = match keep_refresh {
            Some(kept) => Secret::copy_from(kept)
                .map_err(|_| refuse(ErrorCode::ServerError, "internal error"))?,
            None => {
                match self.issue_token(family, TokenKind::Refresh { current: true }, rng, now) {
                    Ok(token) => token,
                    Err(error) => {
                        self.remove_token(access.as_str());
                        return Err(unavailable(error));
                    }
                }
            }
        };
        let tables = self.storage.tables();
        if let Some(entry) = usize::try_from(family.index)
            .ok()
            .and_then(|index| tables.families.get_mut(index))
        {
            entry.last_used = now;
            entry.access_expires_at = entry.access_expires_at.max(expires_at);
        }
        Ok(Issued {
            access,
            refresh,
            expires_in: self.config.access_token_lifetime,
            scope: scope::text(granted_scope, scope_mask),
        })
    }

    fn refresh<R: TryCryptoRng + ?Sized>(
        &mut self,
        client: &Client,
        params: &Params,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Issued, Refusal> {
        let invalid_grant = |description| refuse(ErrorCode::InvalidGrant, description);
        let presented = params.refresh_token.as_ref().ok_or(refuse(
            ErrorCode::InvalidRequest,
            "refresh_token is required",
        ))?;
        let presented_digest = digest(presented.as_bytes());
        let tables = self.storage.tables();
        let index = table::find(tables.tokens, &presented_digest)
            .ok_or(invalid_grant("unknown refresh token"))?;
        let Some(Some(entry)) = tables.tokens.get(index) else {
            return Err(invalid_grant("unknown refresh token"));
        };
        let TokenKind::Refresh { current } = entry.kind else {
            return Err(invalid_grant("not a refresh token"));
        };
        let family_id = entry.family;
        let registry = &self.registry;
        let family = family_alive(tables.families, registry, family_id)
            .ok_or(invalid_grant("the grant was revoked"))?;
        if family.app != client.id {
            return Err(invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        if !current {
            // RFC 9700 §4.14.2: a rotated-out refresh token came back — someone holds a
            // copy. End the whole grant.
            revoke_family(tables.families, family_id);
            return Err(invalid_grant(
                "refresh token reuse detected; the grant is revoked",
            ));
        }
        if refresh_expired(family, registry, now) {
            return Err(invalid_grant("the refresh token has expired"));
        }
        let granted = family.scope.clone();
        let scope_mask = match params.scope.as_deref() {
            None => scope::full_mask(&granted),
            Some(requested) if scope::is_valid(requested) => scope::narrow(&granted, requested)
                .ok_or(refuse(
                    ErrorCode::InvalidScope,
                    "the scope exceeds the original grant",
                ))?,
            Some(_) => return Err(refuse(ErrorCode::InvalidScope, "the scope is malformed")),
        };
        let rotation = registry
            .by_id(family.app)
            .is_some_and(|app: &App| app.refresh_policy().rotation);
        let issued = self.issue_pair(
            family_id,
            scope_mask,
            (!rotation).then_some(presented.as_str()),
            &granted,
            now,
            rng,
        )?;
        if rotation {
            let tables = self.storage.tables();
            if let Some(Some(old)) = table::find(tables.tokens, &presented_digest)
                .and_then(|index| tables.tokens.get_mut(index))
            {
                old.kind = TokenKind::Refresh { current: false };
            }
            // Keep one rotated-out token per grant for reuse detection; drop the one before.
            let family = usize::try_from(family_id.index)
                .ok()
                .and_then(|index| tables.families.get_mut(index));
            let dropped =
                family.and_then(|family| family.previous_refresh.replace(presented_digest));
            if let Some(index) = dropped.and_then(|digest| table::find(tables.tokens, &digest)) {
                table::remove(tables.tokens, &mut self.tokens, index);
            }
        }
        Ok(issued)
    }

    fn write_tokens<'buf>(&self, issued: &Issued, buf: &'buf mut [u8]) -> TokenResponse<'buf> {
        let mut out = Writer::new(buf);
        match self.config.profile {
            Profile::Workfront => {
                out.push("{\"token_type\":\"sessionID\",\"access_token\":");
                json::write_string(&mut out, issued.access.as_str());
                out.push(",\"refresh_token\":");
                json::write_string(&mut out, issued.refresh.as_str());
                let _ = write!(out, ",\"expires_in\":{}", issued.expires_in);
                if let Some(identity) = &self.config.workfront {
                    out.push(",\"wid\":");
                    json::write_string(&mut out, &identity.wid);
                }
                out.push("}");
            }
            Profile::Rfc => {
                out.push("{\"access_token\":");
                json::write_string(&mut out, issued.access.as_str());
                let _ = write!(
                    out,
                    ",\"token_type\":\"Bearer\",\"expires_in\":{}",
                    issued.expires_in
                );
                out.push(",\"refresh_token\":");
                json::write_string(&mut out, issued.refresh.as_str());
                if !issued.scope.is_empty() {
                    out.push(",\"scope\":");
                    json::write_string(&mut out, &issued.scope);
                }
                out.push("}");
            }
        }
        // RESPONSE_BUFFER_LEN covers the largest answer (two 43-character tokens, a scope
        // of at most 256 bytes escaped, a wid of at most 64).
        TokenResponse {
            status: 200,
            www_authenticate: None,
            body: out.finish().unwrap_or("{\"error\":\"server_error\"}"),
        }
    }

    /// The RFC 7009 revocation endpoint: authenticates the client like the token endpoint,
    /// then revokes the grant of `token` (access or refresh) when it belongs to that client.
    /// An unknown token is answered 200 as RFC 7009 §2.2 asks.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] when `buf` is shorter than [`RESPONSE_BUFFER_LEN`].
    pub fn revoke<'buf>(
        &mut self,
        request: &TokenRequest<'_>,
        buf: &'buf mut [u8],
    ) -> Result<TokenResponse<'buf>, BufferTooSmall> {
        if buf.len() < RESPONSE_BUFFER_LEN {
            return Err(BufferTooSmall {
                needed: RESPONSE_BUFFER_LEN,
            });
        }
        let outcome = Self::read_params(request).and_then(|params| {
            let client = self.authenticate(request, &params)?;
            let token = params
                .token
                .as_ref()
                .ok_or(refuse(ErrorCode::InvalidRequest, "token is required"))?;
            let tables = self.storage.tables();
            let Some(index) = table::find(tables.tokens, &digest(token.as_bytes())) else {
                return Ok(());
            };
            let Some(Some(entry)) = tables.tokens.get(index) else {
                return Ok(());
            };
            let family_id = entry.family;
            match family_alive(tables.families, &self.registry, family_id) {
                Some(family) if family.app != client.id => Err(refuse(
                    ErrorCode::InvalidRequest,
                    "the token was issued to another client",
                )),
                Some(_) => {
                    revoke_family(tables.families, family_id);
                    Ok(())
                }
                None => Ok(()),
            }
        });
        Ok(match outcome {
            Ok(()) => {
                let mut out = Writer::new(buf);
                out.push("{}");
                TokenResponse {
                    status: 200,
                    www_authenticate: None,
                    body: out.finish().unwrap_or("{}"),
                }
            }
            Err(refusal) => write_refusal(&refusal, buf),
        })
    }
}

/// Tokens just issued.
struct Issued {
    access: Secret<TOKEN_LEN>,
    refresh: Secret<TOKEN_LEN>,
    expires_in: u64,
    scope: String<{ super::limits::MAX_SCOPE }>,
}

fn write_refusal<'buf>(refusal: &Refusal, buf: &'buf mut [u8]) -> TokenResponse<'buf> {
    let mut out = Writer::new(buf);
    let _ = write!(
        out,
        "{{\"error\":\"{}\",\"error_description\":",
        refusal.code.as_str()
    );
    json::write_string(&mut out, refusal.description);
    out.push("}");
    TokenResponse {
        status: refusal.status,
        www_authenticate: refusal
            .www_authenticate
            .then_some("Basic realm=\"authcode\""),
        body: out.finish().unwrap_or("{\"error\":\"server_error\"}"),
    }
}
