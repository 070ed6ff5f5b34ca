//! The client session: one state machine from "start a login" to "authorized, refreshing".

use core::fmt;
use core::fmt::Write as _;

use base64ct::{Base64UrlUnpadded, Encoding};
use heapless::String;
use rand_core::TryCryptoRng;
use zeroize::Zeroize;

use super::config::ClientConfig;
use super::error::ClientError;
use super::limits::{MAX_CODE, MAX_STATE, MAX_URL, MAX_WORKFRONT_VALUE};
use super::redirect::{self, RedirectError, RedirectParams};
use super::request::{HttpRequest, body_client_auth, write_request};
use super::response::{
    Answer, Merge, ResponseError, ServerError, TokenType, Tokens, read_token_response,
};
pub(crate) use super::state::{Authorized, CodeReceived, PendingLogin, State, WorkfrontRouting};
pub use super::state::{Failure, Stage};
use crate::Secret;
use crate::oauth::ErrorCode;
use crate::pkce::{Challenge, Method, Verifier, VerifierLength};
use crate::profile::{BodyFormat, Profile};
use crate::time::Timestamp;
use crate::wire::Writer;
use crate::wire::query::{DecodeError, decode_into, encode};

/// Length of the `state` values the session generates: base64url of 32 random bytes
/// (256 bits; RFC 6749 §10.10 asks for at least 128).
pub const STATE_LEN: usize = 43;

/// The OpenID Connect nonce: 256 random bits as base64url, like `state`.
pub(crate) const NONCE_LEN: usize = STATE_LEN;

/// What [`Session::on_redirect`] found.
// The crate does not allocate, so there is no `Box` to shrink the large variant with:
// the value lives inline, by design.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectOutcome {
    /// A code arrived; send [`Session::token_request`] next.
    CodeReceived,
    /// The server answered with an error; the session has failed.
    Denied(ServerError),
}

/// What [`Session::on_token_response`] found.
// The crate does not allocate, so there is no `Box` to shrink the large variant with:
// the value lives inline, by design.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOutcome {
    /// Tokens are held; see [`Session::tokens`].
    Authorized,
    /// The server refused the exchange; the session has failed.
    Rejected(ServerError),
}

/// What [`Session::on_refresh_response`] found.
// The crate does not allocate, so there is no `Box` to shrink the large variant with:
// the value lives inline, by design.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// New tokens are held.
    Refreshed,
    /// `invalid_grant`: the user must sign in again; the session has failed and its
    /// tokens are wiped.
    SignInRequired(ServerError),
    /// Another error (`temporarily_unavailable`, `invalid_client`, …); the old tokens are
    /// kept and a refresh can be tried again later.
    Rejected(ServerError),
}

/// Which token to revoke (RFC 7009 `token_type_hint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// The access token.
    Access,
    /// The refresh token (revoking it ends the whole grant at most servers).
    Refresh,
}

/// The client side of one authorization-code + PKCE grant.
///
/// Sans-IO: the session never reads a clock, a socket or the OS random source. The host
/// passes `now` and an RNG, sends the requests the session writes into its buffers, and
/// hands back what the server answered.
///
/// ```text
/// start ─► AwaitingRedirect ─on_redirect─► AwaitingToken ─on_token_response─► Authorized
///               │ error=…                       │ error                        │   ▲
///               ▼                               ▼                 refresh_request  on_refresh_response
///             Failed ◄──────────────────────────┘                              ▼   │
///               ▲                                                          Refreshing
///               └──────────────── invalid_grant on refresh ◄───────────────────┘
/// ```
///
/// A call that is not valid in the current stage returns [`ClientError::WrongStage`] and
/// changes nothing; so does every malformed input. Secrets (verifier, state, code,
/// tokens) are wiped when the session is dropped or leaves the stage that held them.
///
/// A session is `Send` and `Sync`; every call that changes it takes `&mut self`.
#[derive(Clone)]
pub struct Session {
    pub(crate) config: ClientConfig,
    pub(crate) state: State,
    /// The tokens, valid only in the `Authorized` state and empty (wiped) otherwise. Kept
    /// outside `State` so that several kilobytes of token storage are decoded in place and
    /// never copied by a state transition.
    pub(crate) tokens: Tokens,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("client_id", &self.config.client_id())
            .field("stage", &self.stage())
            .finish_non_exhaustive()
    }
}

/// A fresh 256-bit random value as 43 base64url characters.
fn random_state<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Secret<STATE_LEN>, ClientError> {
    let mut random = [0u8; 32];
    let mut text = [0u8; STATE_LEN];
    let result = rng
        .try_fill_bytes(&mut random)
        .map_err(|_| ClientError::Randomness)
        .and_then(|()| {
            Base64UrlUnpadded::encode(&random, &mut text).map_err(|_| ClientError::Randomness)
        })
        .and_then(|encoded| Secret::copy_from(encoded).map_err(|_| ClientError::Randomness));
    random.zeroize();
    text.zeroize();
    result
}

impl Session {
    /// Starts a login: generates the PKCE verifier (43 characters, 256 bits) and a
    /// `state` value (256 bits) from `rng`.
    ///
    /// # Errors
    ///
    /// [`ClientError::Randomness`] when the RNG fails.
    pub fn start<R: TryCryptoRng + ?Sized>(
        config: ClientConfig,
        rng: &mut R,
        now: Timestamp,
    ) -> Result<Self, ClientError> {
        let mut session = Self::signed_out(config);
        session.restart(rng, now)?;
        Ok(session)
    }

    /// A session under `config` that holds nothing yet: the constructors fill it in place.
    pub(super) const fn signed_out(config: ClientConfig) -> Self {
        Self {
            config,
            state: State::Failed(Failure::SignedOut),
            tokens: Tokens::empty(),
        }
    }

    /// Starts a new login in this session, in place, under its configuration: whatever
    /// the stage, the tokens or the pending login are wiped and the session awaits the
    /// redirect of the new login. For firmware that keeps its one session in a static
    /// (a new [`Session::start`] returns the whole session by value).
    ///
    /// # Errors
    ///
    /// [`ClientError::Randomness`] when the RNG fails; the session is then unchanged.
    pub fn restart<R: TryCryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        now: Timestamp,
    ) -> Result<(), ClientError> {
        let verifier = Verifier::generate(rng, VerifierLength::DEFAULT)
            .map_err(|_| ClientError::Randomness)?;
        let state = random_state(rng)?;
        let nonce = if self.config.checks_id_tokens() {
            Some(random_state(rng)?)
        } else {
            None
        };
        self.set_state(State::AwaitingRedirect(PendingLogin {
            verifier,
            state,
            started_at: now,
            nonce,
        }));
        Ok(())
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The current stage.
    #[must_use]
    pub fn stage(&self) -> Stage {
        match &self.state {
            State::AwaitingRedirect(_) => Stage::AwaitingRedirect,
            State::AwaitingToken(_) => Stage::AwaitingToken,
            State::Authorized(_) => Stage::Authorized,
            State::Refreshing(_) => Stage::Refreshing,
            State::Failed(_) => Stage::Failed,
        }
    }

    /// Why the session failed, in [`Stage::Failed`].
    #[must_use]
    pub const fn failure(&self) -> Option<&Failure> {
        match &self.state {
            State::Failed(failure) => Some(failure),
            _ => None,
        }
    }

    /// The tokens, in [`Stage::Authorized`] and [`Stage::Refreshing`].
    #[must_use]
    pub const fn tokens(&self) -> Option<&Tokens> {
        match &self.state {
            State::Authorized(_) | State::Refreshing(_) => Some(&self.tokens),
            _ => None,
        }
    }

    /// When the login started (the host's `now` passed to [`Session::start`]), while it
    /// waits for the redirect. A host can give up on a login that is too old.
    #[must_use]
    pub const fn login_started_at(&self) -> Option<Timestamp> {
        match &self.state {
            State::AwaitingRedirect(pending) => Some(pending.started_at),
            _ => None,
        }
    }

    fn workfront(&self) -> Option<&WorkfrontRouting> {
        match &self.state {
            State::AwaitingToken(received) => Some(&received.workfront),
            State::Authorized(authorized) | State::Refreshing(authorized) => {
                Some(&authorized.workfront)
            }
            _ => None,
        }
    }

    /// Workfront's `domain` from the redirect, when it carried one.
    #[must_use]
    pub fn workfront_domain(&self) -> Option<&str> {
        self.workfront()?.domain.as_deref()
    }

    /// Workfront's `lane` from the redirect, when it carried one.
    #[must_use]
    pub fn workfront_lane(&self) -> Option<&str> {
        self.workfront()?.lane.as_deref()
    }

    fn wrong_stage(&self) -> ClientError {
        ClientError::WrongStage {
            stage: self.stage(),
        }
    }

    /// Writes the authorization request URL into `buf`: the endpoint with
    /// `response_type=code`, `client_id`, `redirect_uri`, `code_challenge`,
    /// `code_challenge_method=S256`, `state`, `scope` (when set) and the configured extra
    /// parameters, each percent-encoded. Open it in the system browser (RFC 8252 §6).
    ///
    /// # Errors
    ///
    /// [`ClientError::WrongStage`] outside [`Stage::AwaitingRedirect`];
    /// [`ClientError::BufferTooSmall`] with the size needed.
    pub fn authorize_url<'buf>(&self, buf: &'buf mut [u8]) -> Result<&'buf str, ClientError> {
        let State::AwaitingRedirect(pending) = &self.state else {
            return Err(self.wrong_stage());
        };
        let config = &self.config;
        let mut challenge = [0u8; Challenge::ENCODED_LEN];
        let challenge = Challenge::s256(&pending.verifier).encode_into(&mut challenge)?;

        let mut out = Writer::new(buf);
        let endpoint = config.authorization_endpoint();
        out.push(endpoint);
        // An endpoint may carry its own query (RFC 6749 §3.1), which is kept.
        out.push(match endpoint.rfind(|c: char| c == '?') {
            None => "?",
            Some(at) if at.saturating_add(1) == endpoint.len() || endpoint.ends_with('&') => "",
            Some(_) => "&",
        });
        let mut param = |name: &str, value: &str, first: bool| {
            // Writing into a Writer never fails; overflow is counted.
            let _ = write!(
                out,
                "{}{}={}",
                if first { "" } else { "&" },
                name,
                encode(value)
            );
        };
        param("response_type", "code", true);
        param("client_id", config.client_id(), false);
        param("redirect_uri", config.redirect_uri(), false);
        param("code_challenge", challenge, false);
        param("code_challenge_method", Method::S256.as_str(), false);
        param("state", pending.state.as_str(), false);
        if !config.scope().is_empty() {
            param("scope", config.scope(), false);
        }
        if let Some(nonce) = &pending.nonce {
            param("nonce", nonce.as_str(), false);
        }
        for (name, value) in &config.extra_params {
            let _ = write!(out, "&{}={}", encode(name), encode(value));
        }
        Ok(out.finish()?)
    }

    /// Reads the redirect back from the authorization server: a full URL, a request target
    /// (`/callback?…`) or just the query.
    ///
    /// In this order: repeated parameters are refused; `iss` is checked (RFC 9207) —
    /// against the configured issuer, which then must be present, or, when none is
    /// configured but `iss` is present, against the origin of the authorization endpoint;
    /// `state` is compared in constant time; only then is `error` surfaced as the server's
    /// answer, or `code` taken. Workfront's `domain` and `lane` are kept.
    ///
    /// A state value is accepted once: after a code or an error the session has moved on,
    /// and a replayed redirect is [`ClientError::WrongStage`].
    ///
    /// The part before `?` is not compared with the configured redirect URI: hosts hand
    /// over what their URL handler or loopback listener received (often only the request
    /// target), and it is `state`, not the path, that binds a redirect to this login.
    ///
    /// # Errors
    ///
    /// [`ClientError::WrongStage`] outside [`Stage::AwaitingRedirect`];
    /// [`ClientError::Redirect`] for a refused redirect. Either way the session is
    /// unchanged, so an attacker's forged redirect cannot end the user's login.
    pub fn on_redirect(
        &mut self,
        redirect_url_or_query: &[u8],
    ) -> Result<RedirectOutcome, ClientError> {
        let State::AwaitingRedirect(pending) = &self.state else {
            return Err(self.wrong_stage());
        };
        let query = redirect::query_of(redirect_url_or_query)?;
        let params = redirect::read_params(query)?;
        self.check_issuer(&params)?;
        check_state(&pending.state, params.state)?;

        if let Some(error) = params.error {
            return Ok(self.denied(error, params.error_description, params.error_uri));
        }

        let raw_code = params
            .code
            .filter(|code| !code.is_empty())
            .ok_or(RedirectError::MissingCode)?;
        // Checked here, decoded below straight into the next stage's storage.
        crate::wire::query::check_decoded(raw_code, MAX_CODE).map_err(|error| {
            RedirectError::Decode {
                parameter: "code",
                error,
            }
        })?;
        if !crate::wire::query::decoded(raw_code).all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(RedirectError::InvalidCharacters { parameter: "code" }.into());
        }
        let workfront = WorkfrontRouting {
            domain: decode_text(params.domain, "domain")?,
            lane: decode_text(params.lane, "lane")?,
        };
        // Every check passed: the verifier and nonce move on (taken out of the pending
        // login, which is not copied); its `state` is wiped as it drops.
        let State::AwaitingRedirect(pending) = &mut self.state else {
            return Err(self.wrong_stage());
        };
        let (verifier, nonce) = (pending.verifier.take(), pending.nonce.take());
        // Entered with an empty code and routing, then filled in place (the stage is not
        // assembled on the stack first).
        self.set_state(State::AwaitingToken(CodeReceived {
            verifier,
            code: Secret::new(),
            workfront: WorkfrontRouting::default(),
            nonce,
        }));
        if let State::AwaitingToken(received) = &mut self.state {
            // Checked above, so this decode succeeds.
            let _ = received.code.set_with(
                |buf| decode_into(raw_code, buf).map(str::len),
                DecodeError::NotUtf8,
            );
            received.workfront = workfront;
        }
        Ok(RedirectOutcome::CodeReceived)
    }

    /// The redirect carried the server's error: the login fails with it. Out of line, so
    /// that a code's path does not hold the error's storage.
    #[inline(never)]
    fn denied(
        &mut self,
        error: &[u8],
        description: Option<&[u8]>,
        uri: Option<&[u8]>,
    ) -> RedirectOutcome {
        let server_error = ServerError::from_parts(
            lenient(error),
            description.map(lenient),
            uri.map(lenient),
            None,
        );
        self.fail(Failure::Denied(server_error.clone()));
        RedirectOutcome::Denied(server_error)
    }

    // Its own frame: the issuer's decoding buffer is not held through the rest.
    #[inline(never)]
    fn check_issuer(&self, params: &RedirectParams<'_>) -> Result<(), RedirectError> {
        let mut buf = [0u8; MAX_URL];
        let iss = match params.iss {
            Some(raw) => {
                Some(decode_into(raw, &mut buf).map_err(|_| RedirectError::IssuerMismatch)?)
            }
            None => None,
        };
        match (self.config.issuer(), iss) {
            (Some(expected), Some(iss)) if iss == expected => Ok(()),
            (Some(_), Some(_)) => Err(RedirectError::IssuerMismatch),
            (Some(_), None) if self.config.issuer_required_on_redirect() => {
                Err(RedirectError::MissingIssuer)
            }
            (Some(_), None) => Ok(()),
            (None, None) => Ok(()),
            (None, Some(iss)) => {
                let same_origin = match (
                    crate::oauth::url::origin(iss),
                    crate::oauth::url::origin(self.config.authorization_endpoint()),
                ) {
                    (Some((iss_scheme, iss_host)), Some((endpoint_scheme, endpoint_host))) => {
                        iss_scheme.eq_ignore_ascii_case(endpoint_scheme)
                            && iss_host.eq_ignore_ascii_case(endpoint_host)
                    }
                    _ => false,
                };
                if same_origin {
                    Ok(())
                } else {
                    Err(RedirectError::IssuerMismatch)
                }
            }
        }
    }

    /// Writes the token request that exchanges the code (RFC 6749 §4.1.3): `grant_type`,
    /// `code`, `redirect_uri`, `code_verifier`, and client authentication per the
    /// configuration — `client_id` in the body for public clients (never a secret),
    /// `Authorization: Basic` or `client_id` + `client_secret` in the body for web apps.
    /// The body is form-encoded, or JSON where the profile or configuration asks.
    ///
    /// May be called again (to retry a request that got no answer).
    ///
    /// # Errors
    ///
    /// [`ClientError::WrongStage`] outside [`Stage::AwaitingToken`];
    /// [`ClientError::BufferTooSmall`].
    pub fn token_request<'a>(&'a self, buf: &'a mut [u8]) -> Result<HttpRequest<'a>, ClientError> {
        let State::AwaitingToken(received) = &self.state else {
            return Err(self.wrong_stage());
        };
        let config = &self.config;
        Ok(write_request(
            config,
            config.body_format(),
            config.token_endpoint(),
            buf,
            |body| {
                body.param("grant_type", "authorization_code");
                body.param("code", received.code.as_str());
                body.param("redirect_uri", config.redirect_uri());
                body.param("code_verifier", received.verifier.as_str());
                body_client_auth(body, config);
            },
        )?)
    }

    /// Reads a token endpoint answer into the session's tokens, as `merge` says (the
    /// profile gives the token type a server leaves out).
    fn read_answer(
        &mut self,
        status: u16,
        body: &[u8],
        now: Timestamp,
        merge: Merge,
    ) -> Result<Answer, ResponseError> {
        let default_type = match self.config.profile() {
            Profile::Rfc | Profile::AdobeIms => TokenType::Bearer,
            Profile::Workfront => TokenType::SessionId,
        };
        read_token_response(status, body, now, default_type, &mut self.tokens, merge)
    }

    /// Reads the token endpoint's answer to [`Session::token_request`]: HTTP status, body,
    /// and `now` (the host's clock, from which the expiry is computed).
    ///
    /// The body is read as JSON whatever its `Content-Type` says, because servers mislabel
    /// it; see [`ResponseError`](super::ResponseError) for what is refused and the
    /// tolerances documented on it.
    ///
    /// An `id_token` member is not read — unless the configuration checks ID tokens
    /// (`ClientConfig::checking_id_tokens`, feature `oidc`) and the scope has `openid`:
    /// then use `Session::on_token_response_verified`; this call refuses with
    /// `IdTokenError::KeysNeeded`.
    ///
    /// # Errors
    ///
    /// [`ClientError::WrongStage`] outside [`Stage::AwaitingToken`];
    /// [`ClientError::Response`] when the response cannot be read — the session is then
    /// unchanged, so the request may be retried.
    pub fn on_token_response(
        &mut self,
        status: u16,
        body: &[u8],
        now: Timestamp,
    ) -> Result<TokenOutcome, ClientError> {
        self.read_token_answer(status, body, now, None)
    }

    /// As [`Session::on_token_response`], and checks the OpenID Connect ID token of a
    /// successful answer against `jwk_set` — the issuer's JWK Set document (from
    /// discovery's `jwks_uri`), as the host fetched it: the signature (the key chosen by
    /// `kid` and algorithm; `none` and HMAC refused), `iss` equal to the configured
    /// issuer, `aud` containing the client id, `azp` when there are several audiences,
    /// `exp` and `iat` within [`ID_TOKEN_SKEW_SECONDS`](super::ID_TOKEN_SKEW_SECONDS),
    /// and `nonce` equal to the one this login sent. The verified `sub` becomes
    /// [`Tokens::subject`]; the ID token is kept ([`Tokens::id_token`]).
    ///
    /// When `openid` was not asked for, an `id_token` in the answer is checked all the
    /// same (without a nonce).
    ///
    /// # Errors
    ///
    /// As [`Session::on_token_response`]; [`ClientError::IdToken`] when the ID token is
    /// absent although `openid` was asked for, or fails a check — the session is then
    /// unchanged (still awaiting the token).
    #[cfg(feature = "oidc")]
    pub fn on_token_response_verified(
        &mut self,
        status: u16,
        body: &[u8],
        now: Timestamp,
        jwk_set: &[u8],
    ) -> Result<TokenOutcome, ClientError> {
        self.read_token_answer(status, body, now, Some(jwk_set))
    }

    fn read_token_answer(
        &mut self,
        status: u16,
        body: &[u8],
        now: Timestamp,
        jwk_set: Option<&[u8]>,
    ) -> Result<TokenOutcome, ClientError> {
        if !matches!(self.state, State::AwaitingToken(_)) {
            return Err(self.wrong_stage());
        }
        #[cfg(feature = "oidc")]
        if self.config.checks_id_tokens() && jwk_set.is_none() {
            return Err(ClientError::IdToken(super::IdTokenError::KeysNeeded));
        }
        #[cfg(not(feature = "oidc"))]
        let _ = jwk_set;
        // The tokens are empty while awaiting the token, and stay so unless the answer
        // is read in full.
        match self.read_answer(status, body, now, Merge::Replace)? {
            Ok(()) => {
                #[cfg(feature = "oidc")]
                if let Some(keys) = jwk_set
                    && let Err(error) = self.check_id_token(body, keys, now)
                {
                    self.tokens.clear();
                    return Err(ClientError::IdToken(error));
                }
                self.enter_authorized();
                Ok(TokenOutcome::Authorized)
            }
            Err(server_error) => Ok(self.rejected(server_error)),
        }
    }

    /// The code exchange refused: the session fails with the server's answer. Out of
    /// line, so that a successful answer's frame does not hold the failed state.
    #[inline(never)]
    fn rejected(&mut self, server_error: ServerError) -> TokenOutcome {
        self.fail(Failure::Rejected(server_error.clone()));
        TokenOutcome::Rejected(server_error)
    }

    /// A refresh refused with `invalid_grant`: the grant is gone (out of line, as
    /// [`Session::rejected`]).
    #[inline(never)]
    fn sign_in_required(&mut self, server_error: ServerError) -> RefreshOutcome {
        self.fail(Failure::SignInRequired(server_error.clone()));
        RefreshOutcome::SignInRequired(server_error)
    }

    /// From the code exchange to the authorized stage: Workfront's routing moves on (no
    /// copy); the code and verifier are wiped as the old stage drops.
    #[inline(never)]
    fn enter_authorized(&mut self) {
        let workfront = match &mut self.state {
            State::AwaitingToken(received) => core::mem::take(&mut received.workfront),
            _ => WorkfrontRouting::default(),
        };
        self.set_state(State::Authorized(Authorized { workfront }));
    }

    /// Checks the answer's ID token; on success the verified `sub` and the token are
    /// stored in the tokens just read.
    #[cfg(feature = "oidc")]
    fn check_id_token(
        &mut self,
        body: &[u8],
        keys: &[u8],
        now: Timestamp,
    ) -> Result<(), super::IdTokenError> {
        use super::IdTokenError;
        use crate::wire::json::Value;
        let State::AwaitingToken(received) = &self.state else {
            return Err(IdTokenError::Malformed);
        };
        let [id_token] = crate::wire::named::read_object(body, &["id_token"])
            .map_err(|_| IdTokenError::Malformed)?;
        // The configuration decides what is required, not what a save brought back.
        let required = self.config.checks_id_tokens();
        let raw = match id_token {
            None | Some(Value::Null) if required => return Err(IdTokenError::Missing),
            None | Some(Value::Null) => return Ok(()),
            Some(Value::String(raw)) => raw,
            Some(_) => return Err(IdTokenError::Malformed),
        };
        // Decoded straight into the session's storage (empty until now); the caller wipes
        // the tokens when a check fails.
        self.tokens.id_token.set_with(
            |buf| {
                raw.decode_into(buf)
                    .map(str::len)
                    .map_err(|_| IdTokenError::Malformed)
            },
            IdTokenError::Malformed,
        )?;
        let expected = super::id_token::Expected {
            issuer: self.config.issuer(),
            client_id: self.config.client_id(),
            nonce: match &received.nonce {
                Some(nonce) => Some(nonce.as_str()),
                // A login that sent no nonce (restored from an older save) cannot be
                // checked as this configuration requires.
                None if required => return Err(IdTokenError::Nonce),
                None => None,
            },
            subject: self.tokens.subject.as_deref(),
            now,
        };
        let subject = super::id_token::verify(self.tokens.id_token.as_bytes(), keys, &expected)?;
        self.tokens.subject = Some(subject);
        Ok(())
    }

    /// Whether the access token should be refreshed at `now`: the session is authorized
    /// (no refresh in flight), holds a refresh token, and the access token expires within
    /// the configured margin (default 60 s). When the server gave no expiry this is
    /// `false`: refresh when a resource server answers 401.
    #[must_use]
    pub fn refresh_due(&self, now: Timestamp) -> bool {
        let State::Authorized(_) = &self.state else {
            return false;
        };
        !self.tokens.refresh_token.is_empty()
            && self
                .tokens
                .expires_at
                .is_some_and(|expiry| now.plus(self.config.refresh_margin_seconds) >= expiry)
    }

    /// Writes the refresh request (RFC 6749 §6) and moves to [`Stage::Refreshing`], so that
    /// a second refresh cannot spend the same (rotating) refresh token.
    ///
    /// # Errors
    ///
    /// [`ClientError::RefreshInFlight`] while one is in flight; [`ClientError::WrongStage`]
    /// when not authorized; [`ClientError::NoRefreshToken`];
    /// [`ClientError::BufferTooSmall`] (the stage is then unchanged).
    pub fn refresh_request<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> Result<HttpRequest<'a>, ClientError> {
        match &self.state {
            State::Authorized(_) => {}
            State::Refreshing(_) => return Err(ClientError::RefreshInFlight),
            _ => return Err(self.wrong_stage()),
        }
        // Written once to know it fits (nothing changes on failure), then, in the
        // refreshing stage, again for the request handed back: the same bytes.
        self.write_refresh(buf).map(|_| ())?;
        let previous = core::mem::replace(&mut self.state, State::Failed(Failure::SignedOut));
        let (State::Authorized(authorized) | State::Refreshing(authorized)) = previous else {
            self.state = previous;
            return Err(self.wrong_stage());
        };
        self.set_state(State::Refreshing(authorized));
        let this: &'a Self = self;
        this.write_refresh(buf)
    }

    /// The refresh request's bytes, into `buf`.
    fn write_refresh<'a>(&'a self, buf: &'a mut [u8]) -> Result<HttpRequest<'a>, ClientError> {
        let refresh_token = self
            .tokens
            .refresh_token()
            .ok_or(ClientError::NoRefreshToken)?;
        let config = &self.config;
        Ok(write_request(
            config,
            config.body_format(),
            config.token_endpoint(),
            buf,
            |body| {
                body.param("grant_type", "refresh_token");
                body.param("refresh_token", refresh_token);
                body_client_auth(body, config);
            },
        )?)
    }

    /// Leaves [`Stage::Refreshing`] for [`Stage::Authorized`]; whether it was refreshing.
    fn end_refresh(&mut self) -> bool {
        if !matches!(self.state, State::Refreshing(_)) {
            return false;
        }
        let previous = core::mem::replace(&mut self.state, State::Failed(Failure::SignedOut));
        match previous {
            State::Refreshing(authorized) => {
                self.set_state(State::Authorized(authorized));
                true
            }
            other => {
                self.state = other;
                false
            }
        }
    }

    /// Forgets an in-flight refresh that will never be answered (the request failed to
    /// send, or timed out), so another can be made. Returns whether one was in flight.
    ///
    /// If the lost request did reach a server that rotates refresh tokens, the next
    /// refresh will get `invalid_grant` and the user must sign in again; that cannot be
    /// avoided by any client.
    pub fn cancel_refresh(&mut self) -> bool {
        self.end_refresh()
    }

    /// Reads the answer to [`Session::refresh_request`].
    ///
    /// On success the new access token replaces the old one; a new refresh token replaces
    /// the old one, and when none is sent the old one is kept (servers without rotation).
    /// The subject ([`Tokens::subject`]) and the ID token stay those of the login (a
    /// refresh answer's `sub` is used only when the login gave none; an ID token in it is
    /// not read). `invalid_grant` means the grant is gone: the session fails with
    /// [`Failure::SignInRequired`] and its tokens are wiped. Other server errors keep the
    /// old tokens. Either way no refresh is in flight afterwards.
    ///
    /// # Errors
    ///
    /// [`ClientError::WrongStage`] when no refresh is in flight; [`ClientError::Response`]
    /// when the response cannot be read (the old tokens are kept).
    pub fn on_refresh_response(
        &mut self,
        status: u16,
        body: &[u8],
        now: Timestamp,
    ) -> Result<RefreshOutcome, ClientError> {
        // No refresh is in flight afterwards, whatever the answer.
        if !self.end_refresh() {
            return Err(self.wrong_stage());
        }
        // Checked in full first, then decoded straight over the current tokens (which a
        // refused answer leaves intact): no second token buffer.
        match self.read_answer(status, body, now, Merge::Refresh)? {
            Ok(()) => Ok(RefreshOutcome::Refreshed),
            Err(server_error) if server_error.code() == ErrorCode::InvalidGrant => {
                Ok(self.sign_in_required(server_error))
            }
            Err(server_error) => Ok(RefreshOutcome::Rejected(server_error)),
        }
    }

    /// Moves to `Failed`, wiping the tokens and any pending login.
    fn fail(&mut self, failure: Failure) {
        self.set_state(State::Failed(failure));
    }

    /// The one place the stage changes: every transition passes here (a trace hook would
    /// sit here too). Leaving the authorized stage wipes the tokens, which are valid only
    /// there; the state left behind (verifier, `state`, code, nonce) is wiped as it drops.
    // Inlined so that the next state is built in place rather than in a stack temporary.
    #[inline(always)]
    pub(super) fn set_state(&mut self, next: State) {
        let keeps_tokens = matches!(next, State::Authorized(_) | State::Refreshing(_));
        self.state = next;
        if !keeps_tokens {
            self.tokens.clear();
        }
    }

    /// Writes an RFC 7009 revocation request for the access or refresh token, with client
    /// authentication per the configuration. The body is always form-encoded, as RFC 7009
    /// specifies. Call [`Session::sign_out`] afterwards to wipe the tokens.
    ///
    /// # Errors
    ///
    /// [`ClientError::NoRevocationEndpoint`]; [`ClientError::WrongStage`] when no tokens
    /// are held; [`ClientError::NoRefreshToken`]; [`ClientError::BufferTooSmall`].
    pub fn revocation_request<'a>(
        &'a self,
        which: TokenKind,
        buf: &'a mut [u8],
    ) -> Result<HttpRequest<'a>, ClientError> {
        let endpoint = self
            .config
            .revocation_endpoint()
            .ok_or(ClientError::NoRevocationEndpoint)?;
        let (State::Authorized(_) | State::Refreshing(_)) = &self.state else {
            return Err(self.wrong_stage());
        };
        let (token, hint) = match which {
            TokenKind::Access => (self.tokens.access_token(), "access_token"),
            TokenKind::Refresh => (
                self.tokens
                    .refresh_token()
                    .ok_or(ClientError::NoRefreshToken)?,
                "refresh_token",
            ),
        };
        let config = &self.config;
        Ok(write_request(
            config,
            BodyFormat::Form,
            endpoint,
            buf,
            |body| {
                body.param("token", token);
                body.param("token_type_hint", hint);
                body_client_auth(body, config);
            },
        )?)
    }

    /// Ends the session: wipes the tokens (or the pending login) and moves to
    /// [`Stage::Failed`] with [`Failure::SignedOut`].
    pub fn sign_out(&mut self) {
        self.fail(Failure::SignedOut);
    }

    /// The header that carries the access token to resource servers, written into `buf`:
    /// `("Authorization", "Bearer …")` or, for Workfront, `("sessionID", "…")`.
    ///
    /// # Errors
    ///
    /// [`ClientError::WrongStage`] when no tokens are held; [`ClientError::BufferTooSmall`].
    pub fn authorization_header<'buf>(
        &self,
        buf: &'buf mut [u8],
    ) -> Result<(&'static str, &'buf str), ClientError> {
        let tokens = self.tokens().ok_or_else(|| self.wrong_stage())?;
        let (name, prefix) = tokens.token_type().header();
        let mut out = Writer::new(buf);
        out.push(prefix);
        out.push(tokens.access_token());
        Ok((name, out.finish()?))
    }
}

/// Checks the redirect's `state` against ours, in constant time.
fn check_state(expected: &Secret<STATE_LEN>, received: Option<&[u8]>) -> Result<(), RedirectError> {
    let raw = received
        .filter(|state| !state.is_empty())
        .ok_or(RedirectError::MissingState)?;
    let mut buf = [0u8; MAX_STATE];
    let matches =
        decode_into(raw, &mut buf).is_ok_and(|state| expected.ct_eq_bytes(state.as_bytes()));
    buf.zeroize();
    if matches {
        Ok(())
    } else {
        Err(RedirectError::StateMismatch)
    }
}

/// Decodes an informational value straight into `N` bytes, keeping the valid UTF-8
/// prefix of what fits.
fn lenient<const N: usize>(raw: &[u8]) -> String<N> {
    let mut bytes = heapless::Vec::<u8, N>::new();
    for byte in crate::wire::query::decoded(raw) {
        if bytes.push(byte).is_err() {
            break;
        }
    }
    let valid = crate::wire::utf8::valid_prefix(&bytes).len();
    bytes.truncate(valid);
    String::from_utf8(bytes).unwrap_or_default()
}

fn decode_text(
    raw: Option<&[u8]>,
    parameter: &'static str,
) -> Result<Option<String<MAX_WORKFRONT_VALUE>>, RedirectError> {
    let Some(raw) = raw else { return Ok(None) };
    let mut buf = [0u8; MAX_WORKFRONT_VALUE];
    let text =
        decode_into(raw, &mut buf).map_err(|error| RedirectError::Decode { parameter, error })?;
    Ok(Some(String::try_from(text).unwrap_or_default()))
}
