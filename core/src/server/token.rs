//! The token endpoint (RFC 6749 §3.2, §4.1.3, §5, §6): the code exchange and the refresh,
//! each all-or-nothing — every random value is drawn first, then one atomic store
//! operation makes the change or nothing changes.

use core::fmt::Write as _;

use heapless::String;
use rand_core::TryCryptoRng;

use super::app::AppKind;
use super::client_auth::Client;
use super::endpoint::{
    Params, RESPONSE_BUFFER_LEN, Refusal, TokenRequest, TokenResponse, read_params, refuse,
    store_refusal, write_refusal,
};
use super::entries::{
    AccessSlot, CodeEntry, GrantEntry, GrantStatus, GrantType, KeyKind, RefreshMatch, Rotation,
};
use super::limits::{ISSUED_TOKEN_LEN, MAX_ACCESS_TOKENS_PER_GRANT, MAX_SCOPE, MAX_SUBJECT};
use super::scope;
use super::server::Server;
use super::store::{GrantStore, NewGrant, RedeemError, RotateOutcome};
use super::tokens::{self, digest};
use crate::oauth::ErrorCode;
use crate::pkce::Verifier;
use crate::profile::Profile;
use crate::time::Timestamp;
use crate::wire::{Writer, json};
use crate::{BufferTooSmall, Secret};

/// Tokens just issued.
struct Issued {
    access: Secret<ISSUED_TOKEN_LEN>,
    /// `None` for the client credentials grant (RFC 6749 §4.4.3).
    refresh: Option<Secret<ISSUED_TOKEN_LEN>>,
    expires_in: u64,
    scope: String<MAX_SCOPE>,
    /// The grant's subject (Adobe IMS answers it as `sub`).
    subject: String<MAX_SUBJECT>,
    /// The signed OpenID Connect ID token, for a code whose scope has `openid` when the
    /// host gave a signer.
    id_token: Option<String<ID_TOKEN_TEXT_LEN>>,
}

/// The longest ID token the server writes (compact serialization).
#[cfg(feature = "jose")]
pub const ID_TOKEN_TEXT_LEN: usize = 3072;
#[cfg(not(feature = "jose"))]
const ID_TOKEN_TEXT_LEN: usize = 0;

/// A buffer of this many bytes always holds a token response with an ID token
/// ([`Server::token_with_id_tokens`]).
#[cfg(feature = "jose")]
pub const ID_TOKEN_RESPONSE_LEN: usize = RESPONSE_BUFFER_LEN + ID_TOKEN_TEXT_LEN + 16;

/// What signs ID tokens, when the host gave anything.
#[cfg(feature = "jose")]
type IdTokenSigner<'s> = Option<&'s dyn crate::jose::JwsSigner>;
#[cfg(not(feature = "jose"))]
type IdTokenSigner<'s> = Option<&'s core::convert::Infallible>;

const fn invalid_grant(description: &'static str) -> Refusal {
    refuse(ErrorCode::InvalidGrant, description)
}

const RANDOMNESS: Refusal = refuse(ErrorCode::ServerError, "randomness unavailable");

/// The JWT bearer grant type (RFC 7523 §2.1).
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

impl<St: GrantStore, const APPS: usize> Server<St, APPS> {
    /// Answers a token request: the `authorization_code`, `refresh_token` and
    /// `client_credentials` grants and — with the `jose` feature — the JWT bearer grant
    /// (RFC 7523 §2.1, machine-to-machine apps, a JWT signed with a key the app
    /// registered); JSON or form bodies; Basic, body, or (with `jose`) `private_key_jwt`
    /// client authentication (RFC 7523 §2.2). Writes the JSON into `buf`, which must hold
    /// [`RESPONSE_BUFFER_LEN`] bytes.
    ///
    /// Codes are single use: presenting a redeemed code again is `invalid_grant` **and**
    /// revokes every token issued from it (RFC 6749 §4.1.2), for as long as any token of
    /// that grant can still be valid. A failed redemption (wrong verifier, client or
    /// redirect URI) burns the code. A code issued at `t` is redeemable while
    /// `now < t + code lifetime` (120 s for Workfront: at 119 s yes, at 120 s no). With
    /// rotation, presenting any rotated-out refresh token of a live grant revokes the
    /// grant (RFC 9700 §4.14.2), however many rotations ago it was replaced.
    ///
    /// A request the server cannot complete (a table or quota full, a failing random
    /// number generator, a store that is down) changes nothing: the code stays live, the
    /// refresh token stays current.
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
        let outcome = self.token_outcome(request, now, rng, None);
        Ok(match outcome {
            Ok(issued) => self.write_tokens(&issued, buf),
            Err(refusal) => write_refusal(&refusal, buf),
        })
    }

    /// As [`Server::token`], and answers a code whose scope has `openid` with an OpenID
    /// Connect ID token signed by `signer` (RS256 in the host, or
    /// [`Es256Signer`](crate::jose::Es256Signer) /
    /// [`Ed25519Signer`](crate::jose::Ed25519Signer)): `iss` (the configured issuer,
    /// which is then required), `sub`, `aud` (the client id), `iat`, `exp` (the access
    /// token's lifetime) and the authorization request's `nonce`. A signer that fails
    /// is `server_error` and changes nothing: the code stays redeemable.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] when `buf` is shorter than [`ID_TOKEN_RESPONSE_LEN`].
    #[cfg(feature = "jose")]
    pub fn token_with_id_tokens<'buf, R: TryCryptoRng + ?Sized>(
        &mut self,
        request: &TokenRequest<'_>,
        now: Timestamp,
        rng: &mut R,
        signer: &dyn crate::jose::JwsSigner,
        buf: &'buf mut [u8],
    ) -> Result<TokenResponse<'buf>, BufferTooSmall> {
        if buf.len() < ID_TOKEN_RESPONSE_LEN {
            return Err(BufferTooSmall {
                needed: ID_TOKEN_RESPONSE_LEN,
            });
        }
        let outcome = self.token_outcome(request, now, rng, Some(signer));
        Ok(match outcome {
            Ok(issued) => self.write_tokens(&issued, buf),
            Err(refusal) => write_refusal(&refusal, buf),
        })
    }

    fn token_outcome<R: TryCryptoRng + ?Sized>(
        &mut self,
        request: &TokenRequest<'_>,
        now: Timestamp,
        rng: &mut R,
        signer: IdTokenSigner<'_>,
    ) -> Result<Issued, Refusal> {
        let params = read_params(request)?;
        let client = self.client_of(request, &params, now)?;
        let grant_type = params
            .grant_type
            .as_deref()
            .ok_or(refuse(ErrorCode::InvalidRequest, "grant_type is required"))?;
        match grant_type {
            "authorization_code" => {
                refuse_machine_to_machine(&client)?;
                self.redeem_code(&client, &params, now, rng, signer)
            }
            "refresh_token" => {
                refuse_machine_to_machine(&client)?;
                self.refresh(&client, &params, now, rng)
            }
            "client_credentials" => self.client_credentials(&client, &params, now, rng),
            JWT_BEARER_GRANT => self.jwt_bearer(&client, &params, now, rng, false),
            _ => Err(refuse(
                ErrorCode::UnsupportedGrantType,
                "supported: authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:jwt-bearer",
            )),
        }
    }

    /// Revokes the grant a redeemed code produced (found through the refresh locator the
    /// code derives), and answers the replay.
    fn replayed_code(&mut self, code_digest: &[u8; 32]) -> Refusal {
        let key = tokens::refresh_key(code_digest);
        match self.store.find_key(&key) {
            Ok(Some(found)) if found.kind == KeyKind::Refresh => {
                // RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for.
                match self.store.revoke_grant(found.id) {
                    Ok(_) => invalid_grant("the code was already used; its tokens are revoked"),
                    Err(error) => store_refusal(error),
                }
            }
            Ok(_) => invalid_grant("unknown code"),
            Err(error) => store_refusal(error),
        }
    }

    // Each grant in its own frame: a token call pays for its grant only.
    #[inline(never)]
    fn redeem_code<R: TryCryptoRng + ?Sized>(
        &mut self,
        client: &Client,
        params: &Params,
        now: Timestamp,
        rng: &mut R,
        signer: IdTokenSigner<'_>,
    ) -> Result<Issued, Refusal> {
        let code = params
            .code
            .as_ref()
            .ok_or(refuse(ErrorCode::InvalidRequest, "code is required"))?;
        let code_digest = digest(code.as_bytes());
        let entry = match self.store.code(&code_digest).map_err(store_refusal)? {
            Some(entry) => entry,
            None => return Err(self.replayed_code(&code_digest)),
        };
        if entry.expired(now) {
            return Err(invalid_grant("the code has expired"));
        }
        let failure = if entry.app != client.id {
            Some("the code was issued to another client")
        } else if entry.redirect_uri_digest.is_some()
            && entry.redirect_uri_digest
                != params
                    .redirect_uri
                    .as_ref()
                    .map(|uri| digest(uri.as_bytes()))
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
            self.store.burn_code(&code_digest).map_err(store_refusal)?;
            return Err(invalid_grant(description));
        }
        // Every random value first: a failing RNG changes nothing.
        let refresh_key = tokens::refresh_key(&code_digest);
        let access_key = tokens::access_key(&refresh_key);
        let refresh = tokens::mint(&refresh_key, rng).map_err(|()| RANDOMNESS)?;
        let access = tokens::mint(&access_key, rng).map_err(|()| RANDOMNESS)?;
        let lifetime = self.config.access_token_lifetime;
        let scope_mask = scope::full_mask(&entry.scope);
        let mut access_slots = [None; MAX_ACCESS_TOKENS_PER_GRANT];
        if let Some(first) = access_slots.first_mut() {
            *first = Some(AccessSlot {
                secret: access.secret_digest,
                expires_at: now.plus(lifetime),
                scope_mask,
            });
        }
        let grant = NewGrant {
            entry: GrantEntry {
                incarnation: 0,
                status: GrantStatus::Active,
                grant_type: GrantType::AuthorizationCode,
                app: client.id,
                subject: entry.subject.clone(),
                scope: entry.scope.clone(),
                started_at: now,
                last_used: now,
                refresh_expires_at: self.refresh_expiry(client, now, now),
                refresh_secret: refresh.secret_digest,
                generation: 0,
                rotated: None,
                access: access_slots,
            },
            refresh_key,
            access_key,
        };
        // Signed before anything is stored: a failing signer changes nothing.
        let id_token = self.id_token(signer, &entry, client, now)?;
        let limits = self.limits();
        match self.store.redeem_code(&code_digest, grant, &limits, now) {
            Ok(_) => Ok(Issued {
                access: access.text,
                refresh: Some(refresh.text),
                expires_in: lifetime,
                scope: scope::text(&entry.scope, scope_mask),
                subject: String::try_from(entry.subject.as_str()).unwrap_or_default(),
                id_token,
            }),
            // Redeemed by a racing request in between: this one is the replay.
            Err(RedeemError::NotLive) => Err(self.replayed_code(&code_digest)),
            Err(RedeemError::Store(error)) => Err(store_refusal(error)),
        }
    }

    /// The client credentials grant (RFC 6749 §4.4): an access token for the app itself
    /// (subject: its `client_id`), within the app's registered scope, no refresh token.
    ///
    /// Stored as a grant of its own, so the grant quota, revocation (of the token, the
    /// app's grants or the app) and purging apply as to any grant. The store creates
    /// grants only from a code, so a code no one sees is stored and redeemed at once; if
    /// the redemption cannot happen (a quota, a store that is down) the code is burned.
    // Each grant in its own frame: a token call pays for its grant only.
    #[inline(never)]
    fn client_credentials<R: TryCryptoRng + ?Sized>(
        &mut self,
        client: &Client,
        params: &Params,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Issued, Refusal> {
        let app = self.registry.by_id(client.id).ok_or(refuse(
            ErrorCode::InvalidClient,
            "client authentication failed",
        ))?;
        if !app.uses_client_credentials() {
            return Err(refuse(
                ErrorCode::UnauthorizedClient,
                "the client credentials grant is not enabled for this app",
            ));
        }
        let subject: String<MAX_SUBJECT> = copied(app.client_id())?;
        self.app_grant(
            client,
            &subject,
            params.scope.as_deref(),
            GrantType::ClientCredentials,
            now,
            rng,
        )
    }

    /// The JWT bearer grant (RFC 7523 §2.1; `workfront`: Workfront's machine-to-machine
    /// exchange): a machine-to-machine app presents a JWT signed with a key it
    /// registered; the token acts for the JWT's `sub`, within the app's scope, without a
    /// refresh token. The JWT's `jti` is accepted once.
    #[cfg(feature = "jose")]
    fn jwt_bearer<R: TryCryptoRng + ?Sized>(
        &mut self,
        client: &Client,
        params: &Params,
        now: Timestamp,
        rng: &mut R,
        workfront: bool,
    ) -> Result<Issued, Refusal> {
        use super::assertion::{self, Expected, Purpose};
        if client.kind != AppKind::MachineToMachine {
            return Err(refuse(
                ErrorCode::UnauthorizedClient,
                "only machine-to-machine apps use the JWT grant",
            ));
        }
        let (parameter, purpose) = if workfront {
            ("jwt_token is required", Purpose::Workfront)
        } else {
            ("assertion is required", Purpose::BearerGrant)
        };
        let jwt = params
            .assertion
            .as_deref()
            .ok_or(refuse(ErrorCode::InvalidRequest, parameter))?;
        let app = self.registry.by_id(client.id).ok_or(refuse(
            ErrorCode::InvalidClient,
            "client authentication failed",
        ))?;
        let expected = Expected {
            client_id: app.client_id(),
            audiences: [
                self.config.issuer.as_deref(),
                self.config.token_endpoint.as_deref(),
            ],
            // Workfront's customer id is an `iss` of Workfront's exchange only.
            other_issuer: self
                .config
                .workfront
                .as_ref()
                .filter(|_| workfront)
                .map(|identity| identity.wid.as_str()),
            now,
            skew: self.config.clock_skew,
        };
        let verified = assertion::verify(app, jwt, purpose, &expected).map_err(invalid_grant)?;
        // Noted first (a table at its quota refuses before anything is issued); forgotten
        // again if the grant cannot be stored.
        let mark = verified.mark(client.id);
        let limits = self.limits();
        match self.store.note_assertion(&mark, &limits, now) {
            Ok(super::store::Noted::First) => {}
            Ok(super::store::Noted::Replayed) => return Err(invalid_grant(verified.replayed())),
            Err(error) => return Err(store_refusal(error)),
        }
        let issued = self.app_grant(
            client,
            &verified.subject,
            params.scope.as_deref(),
            GrantType::JwtBearer,
            now,
            rng,
        );
        if issued.is_err() {
            // Best effort: a store that fails here leaves the id noted until it expires.
            let _ = self.store.forget_assertion(&mark);
        }
        issued
    }

    #[cfg(not(feature = "jose"))]
    #[allow(clippy::unused_self)]
    fn jwt_bearer<R: TryCryptoRng + ?Sized>(
        &mut self,
        _: &Client,
        _: &Params,
        _: Timestamp,
        _: &mut R,
        _: bool,
    ) -> Result<Issued, Refusal> {
        Err(refuse(
            ErrorCode::UnsupportedGrantType,
            "the JWT grant is not supported by this server",
        ))
    }

    /// Workfront's machine-to-machine exchange (`POST
    /// /integrations/oauth2/api/v1/jwt/exchange`): a form or JSON body with `client_id`,
    /// `client_secret` and `jwt_token` — a JWT signed with a key the app registered,
    /// with `exp` (at most five minutes ahead), `iss` (the client id, or the Workfront
    /// customer id) and `sub` (the user the token acts for). Answers in the profile's
    /// token response shape (`sessionID` under Workfront), without a refresh token.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] when `buf` is shorter than [`RESPONSE_BUFFER_LEN`].
    pub fn jwt_exchange<'buf, R: TryCryptoRng + ?Sized>(
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
        let outcome = read_params(request).and_then(|params| {
            let client = self.client_of(request, &params, now)?;
            self.jwt_bearer(&client, &params, now, rng, true)
        });
        Ok(match outcome {
            Ok(issued) => self.write_tokens(&issued, buf),
            Err(refusal) => write_refusal(&refusal, buf),
        })
    }

    /// A grant without a user's consent, issued to `client` for `subject`: the client
    /// credentials grant (subject: the app) and the JWT grant (subject: the JWT's `sub`).
    /// Stored as a grant of its own, so the grant quota, revocation and validation apply;
    /// it has no usable refresh token.
    // Each grant in its own frame: a token call pays for its grant only.
    #[inline(never)]
    fn app_grant<R: TryCryptoRng + ?Sized>(
        &mut self,
        client: &Client,
        subject: &str,
        requested_scope: Option<&str>,
        grant_type: GrantType,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Issued, Refusal> {
        let app = self.registry.by_id(client.id).ok_or(refuse(
            ErrorCode::InvalidClient,
            "client authentication failed",
        ))?;
        let allowed = app.scope();
        let requested = match requested_scope {
            None => None,
            Some(text) => Some(
                scope::normalized(self.config.profile, text)
                    .ok_or(refuse(ErrorCode::InvalidScope, "the scope is too long"))?,
            ),
        };
        let scope_mask = match requested.as_deref() {
            None => scope::full_mask(allowed),
            Some(requested) if scope::is_valid(requested) => scope::narrow(allowed, requested)
                .ok_or(refuse(
                    ErrorCode::InvalidScope,
                    "the scope exceeds what the app may be granted",
                ))?,
            Some(_) => return Err(refuse(ErrorCode::InvalidScope, "the scope is malformed")),
        };
        // The app's scope fits every field it is copied to (a registry invariant); the
        // check only keeps the code total.
        let granted: String<MAX_SCOPE> = copied(allowed)?;
        // Every random value first.
        let mut code = [0u8; 32];
        rng.try_fill_bytes(&mut code).map_err(|_| RANDOMNESS)?;
        let code_digest = digest(&code);
        let refresh_key = tokens::refresh_key(&code_digest);
        let access_key = tokens::access_key(&refresh_key);
        // The grant's refresh secret is drawn and forgotten: nobody can refresh it.
        let unused_refresh = tokens::mint(&refresh_key, rng).map_err(|()| RANDOMNESS)?;
        let access = tokens::mint(&access_key, rng).map_err(|()| RANDOMNESS)?;
        let lifetime = self.config.access_token_lifetime;
        let expires_at = now.plus(lifetime);
        let limits = self.limits();
        let code_entry = CodeEntry {
            digest: code_digest,
            app: client.id,
            redirect_uri_digest: None,
            challenge: None,
            subject: copied(subject)?,
            scope: copied(allowed)?,
            expires_at: now.plus(1),
            nonce: None,
        };
        let mut access_slots = [None; MAX_ACCESS_TOKENS_PER_GRANT];
        if let Some(first) = access_slots.first_mut() {
            *first = Some(AccessSlot {
                secret: access.secret_digest,
                expires_at,
                scope_mask,
            });
        }
        let grant = NewGrant {
            entry: GrantEntry {
                incarnation: 0,
                status: GrantStatus::Active,
                grant_type,
                app: client.id,
                subject: copied(subject)?,
                scope: copied(allowed)?,
                started_at: now,
                last_used: now,
                refresh_expires_at: Some(expires_at),
                refresh_secret: unused_refresh.secret_digest,
                generation: 0,
                rotated: None,
                access: access_slots,
            },
            refresh_key,
            access_key,
        };
        self.store
            .insert_code(&code_entry, &limits, now)
            .map_err(store_refusal)?;
        match self.store.redeem_code(&code_digest, grant, &limits, now) {
            Ok(_) => Ok(Issued {
                access: access.text,
                refresh: None,
                expires_in: lifetime,
                scope: scope::text(&granted, scope_mask),
                subject: copied(subject)?,
                id_token: None,
            }),
            Err(error) => {
                let _ = self.store.burn_code(&code_digest);
                Err(match error {
                    RedeemError::Store(error) => store_refusal(error),
                    RedeemError::NotLive => refuse(ErrorCode::ServerError, "internal error"),
                })
            }
        }
    }

    /// When the refresh tokens of a grant of `client` started at `started` and last used
    /// at `used` stop working, under the app's policy.
    fn refresh_expiry(
        &self,
        client: &Client,
        started: Timestamp,
        used: Timestamp,
    ) -> Option<Timestamp> {
        let policy = self.registry.by_id(client.id)?.refresh_policy();
        let absolute = policy
            .absolute_lifetime
            .map(|lifetime| started.plus(lifetime));
        let inactive = policy
            .inactivity_lifetime
            .map(|lifetime| used.plus(lifetime));
        match (absolute, inactive) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    // Each grant in its own frame: a token call pays for its grant only.
    #[inline(never)]
    fn refresh<R: TryCryptoRng + ?Sized>(
        &mut self,
        client: &Client,
        params: &Params,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Issued, Refusal> {
        let presented_text = params.refresh_token.as_ref().ok_or(refuse(
            ErrorCode::InvalidRequest,
            "refresh_token is required",
        ))?;
        let presented = tokens::parse(presented_text.as_bytes())
            .ok_or(invalid_grant("unknown refresh token"))?;
        let found = self
            .store
            .find_key(&presented.key())
            .map_err(store_refusal)?
            .ok_or(invalid_grant("unknown refresh token"))?;
        if found.kind != KeyKind::Refresh {
            return Err(invalid_grant("not a refresh token"));
        }
        let grant = &found.grant;
        let app = self
            .registry
            .by_id(grant.app)
            .ok_or(invalid_grant("the grant was revoked"))?;
        if grant.app != client.id {
            return Err(invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        let rotation = app.refresh_policy().rotation;
        let matched =
            grant.classify_refresh(&presented.secret_digest, now, self.config.refresh_grace);
        if matched == RefreshMatch::Reuse {
            if !rotation {
                return Err(invalid_grant("unknown refresh token"));
            }
            // RFC 9700 §4.14.2: a rotated-out refresh token came back — someone holds a
            // copy. End the whole grant.
            self.store.revoke_grant(found.id).map_err(store_refusal)?;
            return Err(invalid_grant(
                "refresh token reuse detected; the grant is revoked",
            ));
        }
        if grant.refresh_expired(now) {
            return Err(invalid_grant("the refresh token has expired"));
        }
        let requested = match params.scope.as_deref() {
            None => None,
            Some(text) => Some(
                scope::normalized(self.config.profile, text)
                    .ok_or(refuse(ErrorCode::InvalidScope, "the scope is too long"))?,
            ),
        };
        let scope_mask = match requested.as_deref() {
            None => scope::full_mask(&grant.scope),
            Some(requested) if scope::is_valid(requested) => scope::narrow(&grant.scope, requested)
                .ok_or(refuse(
                    ErrorCode::InvalidScope,
                    "the scope exceeds the original grant",
                ))?,
            Some(_) => return Err(refuse(ErrorCode::InvalidScope, "the scope is malformed")),
        };
        // Every random value first.
        let access =
            tokens::mint(&tokens::access_key(&presented.key), rng).map_err(|()| RANDOMNESS)?;
        let successor = if rotation {
            Some(tokens::mint(&presented.key, rng).map_err(|()| RANDOMNESS)?)
        } else {
            None
        };
        let lifetime = self.config.access_token_lifetime;
        let change = Rotation {
            expected_generation: grant.generation,
            refresh_secret: successor.as_ref().map(|minted| minted.secret_digest),
            // A grace exchange uses the grace up: what it rotates out gets none.
            grace_for_rotated: matched == RefreshMatch::Current,
            access: AccessSlot {
                secret: access.secret_digest,
                expires_at: now.plus(lifetime),
                scope_mask,
            },
            refresh_expires_at: self.refresh_expiry(client, grant.started_at, now),
        };
        let granted = grant.scope.clone();
        let grant_subject = grant.subject.clone();
        let limits = self.limits();
        match self
            .store
            .rotate(found.id, &change, &limits, now)
            .map_err(store_refusal)?
        {
            RotateOutcome::Rotated => {}
            RotateOutcome::Reused => {
                return Err(invalid_grant(
                    "refresh token reuse detected; the grant is revoked",
                ));
            }
            RotateOutcome::Gone => return Err(invalid_grant("the grant was revoked")),
        }
        let refresh = match successor {
            Some(minted) => minted.text,
            None => Secret::copy_from(presented_text.as_str())
                .map_err(|_| refuse(ErrorCode::ServerError, "internal error"))?,
        };
        Ok(Issued {
            access: access.text,
            refresh: Some(refresh),
            expires_in: lifetime,
            scope: scope::text(&granted, scope_mask),
            subject: String::try_from(grant_subject.as_str()).unwrap_or_default(),
            id_token: None,
        })
    }

    /// The ID token for a code whose scope has `openid`, when a signer is given.
    #[cfg(feature = "jose")]
    fn id_token(
        &self,
        signer: IdTokenSigner<'_>,
        entry: &CodeEntry,
        client: &Client,
        now: Timestamp,
    ) -> Result<Option<String<ID_TOKEN_TEXT_LEN>>, Refusal> {
        let Some(signer) = signer else {
            return Ok(None);
        };
        if !entry
            .scope
            .split(|c: char| c == ' ')
            .any(|token| token == "openid")
        {
            return Ok(None);
        }
        let unsigned = refuse(ErrorCode::ServerError, "the ID token could not be signed");
        let issuer = self.config.issuer.as_deref().ok_or(refuse(
            ErrorCode::ServerError,
            "ID tokens need the server's issuer configured",
        ))?;
        let app = self.registry.by_id(client.id).ok_or(unsigned)?;
        let mut payload = [0u8; 1536];
        let mut claims = Writer::new(&mut payload);
        claims.push("{\"iss\":");
        json::write_string(&mut claims, issuer);
        claims.push(",\"sub\":");
        json::write_string(&mut claims, &entry.subject);
        claims.push(",\"aud\":");
        json::write_string(&mut claims, app.client_id());
        let _ = write!(
            claims,
            ",\"iat\":{},\"exp\":{}",
            now.unix_seconds(),
            now.plus(self.config.access_token_lifetime).unix_seconds()
        );
        if let Some(nonce) = &entry.nonce {
            claims.push(",\"nonce\":");
            json::write_string(&mut claims, nonce);
        }
        claims.push("}");
        let claims = claims.finish().map_err(|_| unsigned)?;
        let mut text = [0u8; ID_TOKEN_TEXT_LEN];
        let token = crate::jose::sign_compact(signer, "JWT", claims.as_bytes(), &mut text)
            .map_err(|_| unsigned)?;
        String::try_from(token).map(Some).map_err(|_| unsigned)
    }

    #[cfg(not(feature = "jose"))]
    #[allow(clippy::unused_self, clippy::unnecessary_wraps)]
    fn id_token(
        &self,
        _: IdTokenSigner<'_>,
        _: &CodeEntry,
        _: &Client,
        _: Timestamp,
    ) -> Result<Option<String<ID_TOKEN_TEXT_LEN>>, Refusal> {
        Ok(None)
    }

    fn write_tokens<'buf>(&self, issued: &Issued, buf: &'buf mut [u8]) -> TokenResponse<'buf> {
        let mut out = Writer::new(buf);
        match self.config.profile {
            Profile::Workfront => {
                out.push("{\"token_type\":\"sessionID\",\"access_token\":");
                json::write_string(&mut out, issued.access.as_str());
                if let Some(refresh) = &issued.refresh {
                    out.push(",\"refresh_token\":");
                    json::write_string(&mut out, refresh.as_str());
                }
                let _ = write!(out, ",\"expires_in\":{}", issued.expires_in);
                if let Some(identity) = &self.config.workfront {
                    out.push(",\"wid\":");
                    json::write_string(&mut out, &identity.wid);
                }
                out.push("}");
            }
            Profile::Rfc | Profile::AdobeIms => {
                // Adobe IMS writes the type in lower case (case-insensitive, RFC 6749 §5.1).
                let token_type = if self.config.profile == Profile::AdobeIms {
                    "bearer"
                } else {
                    "Bearer"
                };
                out.push("{\"access_token\":");
                json::write_string(&mut out, issued.access.as_str());
                let _ = write!(
                    out,
                    ",\"token_type\":\"{token_type}\",\"expires_in\":{}",
                    issued.expires_in
                );
                if let Some(refresh) = &issued.refresh {
                    out.push(",\"refresh_token\":");
                    json::write_string(&mut out, refresh.as_str());
                }
                if !issued.scope.is_empty() {
                    out.push(",\"scope\":");
                    json::write_string(&mut out, &issued.scope);
                }
                if self.config.profile == Profile::AdobeIms {
                    out.push(",\"sub\":");
                    json::write_string(&mut out, &issued.subject);
                }
                if let Some(id_token) = &issued.id_token {
                    out.push(",\"id_token\":");
                    json::write_string(&mut out, id_token);
                }
                out.push("}");
            }
        }
        // RESPONSE_BUFFER_LEN covers the largest answer (two 64-character tokens, a scope
        // of at most 256 bytes escaped, a wid of at most 64).
        TokenResponse {
            status: 200,
            www_authenticate: None,
            body: out.finish().unwrap_or("{\"error\":\"server_error\"}"),
        }
    }
}

/// `text` copied into a fixed-capacity field; too long is an internal error.
fn copied<T: for<'a> TryFrom<&'a str>>(text: &str) -> Result<T, Refusal> {
    T::try_from(text).map_err(|_| refuse(ErrorCode::ServerError, "internal error"))
}

fn refuse_machine_to_machine(client: &Client) -> Result<(), Refusal> {
    if client.kind == AppKind::MachineToMachine {
        return Err(refuse(
            ErrorCode::UnauthorizedClient,
            "machine-to-machine apps use the JWT grant",
        ));
    }
    Ok(())
}
