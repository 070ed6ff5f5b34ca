//! The client credentials grant (RFC 6749 §4.4): a confidential client — a service, a
//! daemon, Adobe Developer Console's *Server-to-Server* credential — asks for a token on its
//! own behalf, with no user and no redirect.
//!
//! ```text
//! let mut client = CredentialsClient::new(Profile::Rfc, token_url, id, CredentialsAuth::Basic(secret))?;
//! if client.token_due(now) {
//!     let request = client.token_request(&mut buf)?;      // send it
//!     client.on_token_response(status, &body, now)?;        // cached until expiry − margin
//! }
//! let token = client.access_token(now);
//! ```

use heapless::String;

use super::config::{
    ClientAuth, ClientConfig, ConfigError, ConfigField, checked_client_id, checked_scope,
};
use super::limits::{MAX_CLIENT_ID, MAX_SCOPE, MAX_URL};
use super::request::{Caller, HttpRequest, body_client_auth, write_request};
use super::response::{Merge, ResponseError, ServerError, TokenType, Tokens, read_token_response};
use crate::oauth::url::check_endpoint;
use crate::profile::{BodyFormat, Profile};
use crate::{BufferTooSmall, Timestamp};

/// What a JWT grant request asserts ([`CredentialsClient::jwt_grant_request`]).
#[cfg(feature = "jose")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwtGrant<'a> {
    /// `sub`: the user the token is to act for.
    pub subject: &'a str,
    /// `aud`: the authorization server's issuer or token endpoint URL (RFC 7523 requires
    /// it; Workfront's exchange does not use it).
    pub audience: Option<&'a str>,
    /// `iss` when it is not the client id (Workfront: the customer id).
    pub issuer: Option<&'a str>,
    /// Seconds from `iat` to `exp` (Workfront allows at most 300).
    pub lifetime_seconds: u64,
    /// Workfront's exchange body (`client_id`, `client_secret`, `jwt_token`) instead of
    /// RFC 7523's.
    pub workfront: bool,
}

#[cfg(feature = "jose")]
impl<'a> JwtGrant<'a> {
    /// An RFC 7523 grant for `subject`, addressed to `audience`, valid 5 minutes.
    #[must_use]
    pub const fn rfc7523(subject: &'a str, audience: &'a str) -> Self {
        Self {
            subject,
            audience: Some(audience),
            issuer: None,
            lifetime_seconds: 300,
            workfront: false,
        }
    }

    /// Workfront's machine-to-machine exchange for `subject` (the user's id or
    /// username), valid 5 minutes (Workfront's maximum).
    #[must_use]
    pub const fn workfront(subject: &'a str) -> Self {
        Self {
            subject,
            audience: None,
            issuer: None,
            lifetime_seconds: 300,
            workfront: true,
        }
    }
}

/// How a client-credentials client authenticates; it always holds a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsAuth<'a> {
    /// `Authorization: Basic` (RFC 6749 §2.3.1), the method every server must support.
    Basic(&'a str),
    /// `client_id` and `client_secret` in the form body, as Adobe's Server-to-Server
    /// credential sends them.
    Post(&'a str),
}

/// What the token endpoint answered.
// The crate does not allocate, so there is no `Box` to shrink the large variant with.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsOutcome {
    /// A token was issued and is cached.
    Issued,
    /// The server refused (`invalid_client`, `invalid_scope`, …); the cache is unchanged.
    Rejected(ServerError),
}

/// A client of the client credentials grant, with its cached token.
#[derive(Debug, Clone)]
pub struct CredentialsClient {
    profile: Profile,
    token_endpoint: String<MAX_URL>,
    client_id: String<MAX_CLIENT_ID>,
    auth: ClientAuth,
    scope: String<MAX_SCOPE>,
    refresh_margin_seconds: u64,
    /// The cached token, meaningful only while `cached` (decoded in place, wiped when
    /// dropped or forgotten).
    tokens: Tokens,
    cached: bool,
}

impl Caller for CredentialsClient {
    fn profile(&self) -> Profile {
        self.profile
    }
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn auth(&self) -> &ClientAuth {
        &self.auth
    }
}

impl CredentialsClient {
    /// A client of `token_endpoint` with `client_id` and its secret.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the value: the endpoint must be `https` (or loopback
    /// `http`); `client_id` non-empty printable ASCII; the secret non-empty; each within
    /// its capacity.
    pub fn new(
        profile: Profile,
        token_endpoint: &str,
        client_id: &str,
        auth: CredentialsAuth<'_>,
    ) -> Result<Self, ConfigError> {
        check_endpoint(token_endpoint).map_err(|error| ConfigError::Url {
            field: ConfigField::TokenEndpoint,
            error,
        })?;
        let auth = match auth {
            CredentialsAuth::Basic(text) => ClientAuth::SecretBasic(ClientConfig::secret(text)?),
            CredentialsAuth::Post(text) => ClientAuth::SecretPost(ClientConfig::secret(text)?),
        };
        Ok(Self {
            profile,
            token_endpoint: String::try_from(token_endpoint).map_err(|_| ConfigError::TooLong {
                field: ConfigField::TokenEndpoint,
                max: MAX_URL,
            })?,
            client_id: checked_client_id(client_id)?,
            auth,
            scope: String::new(),
            refresh_margin_seconds: ClientConfig::DEFAULT_REFRESH_MARGIN_SECONDS,
            tokens: Tokens::empty(),
            cached: false,
        })
    }

    /// The same client as `config` (its profile, token endpoint, `client_id`, secret,
    /// scope and refresh margin) — for example one built from discovery.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming [`ConfigField::ClientSecret`] when `config` is a
    /// public client: the grant needs a secret.
    pub fn from_config(config: &ClientConfig) -> Result<Self, ConfigError> {
        if !config.auth().is_confidential() {
            return Err(ConfigError::Invalid {
                field: ConfigField::ClientSecret,
            });
        }
        Ok(Self {
            profile: config.profile(),
            token_endpoint: config.token_endpoint.clone(),
            client_id: config.client_id.clone(),
            auth: config.auth().clone(),
            scope: config.scope.clone(),
            refresh_margin_seconds: config.refresh_margin_seconds,
            tokens: Tokens::empty(),
            cached: false,
        })
    }

    /// The token endpoint (or Workfront's exchange URL) requests go to.
    #[must_use]
    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }

    /// Asks for `scope` (space-separated; Adobe IMS also takes commas). A cached token
    /// of another scope is dropped.
    ///
    /// # Errors
    ///
    /// As [`ClientConfig::with_scope`].
    pub fn with_scope(mut self, scope: &str) -> Result<Self, ConfigError> {
        self.scope = checked_scope(self.profile, scope)?;
        self.forget_token();
        Ok(self)
    }

    /// Seconds before expiry at which the cached token counts as due (default 60).
    #[must_use]
    pub const fn with_refresh_margin(mut self, seconds: u64) -> Self {
        self.refresh_margin_seconds = seconds;
        self
    }

    /// The token request: `grant_type=client_credentials` and the scope, form-encoded,
    /// with the client's authentication (RFC 6749 §4.4.2).
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] with the size needed.
    pub fn token_request<'a>(
        &'a self,
        buf: &'a mut [u8],
    ) -> Result<HttpRequest<'a>, BufferTooSmall> {
        write_request(self, BodyFormat::Form, &self.token_endpoint, buf, |body| {
            body.param("grant_type", "client_credentials");
            if !self.scope.is_empty() {
                body.param("scope", &self.scope);
            }
            body_client_auth(body, self);
        })
    }

    /// Writes a JWT grant request: the JWT bearer grant (RFC 7523 §2.1:
    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, `assertion`, `scope`, and
    /// this client's authentication) or Workfront's machine-to-machine exchange (a form
    /// body with `client_id`, `client_secret`, `jwt_token`; the client's token endpoint
    /// is then the exchange URL). The JWT's claims are `iss` (the client id, or
    /// [`JwtGrant::issuer`]), `sub`, `aud` (when given), `iat` = `now`, `exp` = `now` +
    /// the lifetime, and a 128-bit random `jti`; `signer` signs it — a key the core
    /// holds ([`Es256Signer`](crate::jose::Es256Signer),
    /// [`Ed25519Signer`](crate::jose::Ed25519Signer)) or the host's (Keychain, Android
    /// Keystore, HSM). Answer it with [`CredentialsClient::on_token_response`].
    ///
    /// # Errors
    ///
    /// [`ClientError::BufferTooSmall`] (`buf`; the signer has run by then);
    /// [`ClientError::Randomness`]; [`ClientError::Signing`] when the signer fails;
    /// [`ClientError::JwtTooLong`] when the claims or the `kid` do not fit.
    #[cfg(feature = "jose")]
    pub fn jwt_grant_request<'a, R: rand_core::TryCryptoRng + ?Sized>(
        &'a self,
        grant: &JwtGrant<'_>,
        signer: &dyn crate::jose::JwsSigner,
        rng: &mut R,
        now: Timestamp,
        buf: &'a mut [u8],
    ) -> Result<HttpRequest<'a>, super::ClientError> {
        use core::fmt::Write as _;

        use crate::wire::{Writer, json};
        let mut random = [0u8; 16];
        rng.try_fill_bytes(&mut random)
            .map_err(|_| super::ClientError::Randomness)?;
        let mut jti = [0u8; 22];
        let jti = <base64ct::Base64UrlUnpadded as base64ct::Encoding>::encode(&random, &mut jti)
            .map_err(|_| super::ClientError::Randomness)?;
        let mut claims = [0u8; 2048];
        let mut writer = Writer::new(&mut claims);
        writer.push("{\"iss\":");
        json::write_string(&mut writer, grant.issuer.unwrap_or(&self.client_id));
        writer.push(",\"sub\":");
        json::write_string(&mut writer, grant.subject);
        if let Some(audience) = grant.audience {
            writer.push(",\"aud\":");
            json::write_string(&mut writer, audience);
        }
        let _ = write!(
            writer,
            ",\"iat\":{},\"exp\":{},\"jti\":\"{jti}\"}}",
            now.unix_seconds(),
            now.plus(grant.lifetime_seconds).unix_seconds()
        );
        let claims = writer
            .finish()
            .map_err(|_| super::ClientError::JwtTooLong)?;
        let mut jwt = [0u8; 4096];
        let jwt = crate::jose::sign_compact(signer, "JWT", claims.as_bytes(), &mut jwt).map_err(
            |error| match error {
                crate::jose::SignError::BufferTooSmall(_)
                | crate::jose::SignError::HeaderTooLong => super::ClientError::JwtTooLong,
                other => super::ClientError::Signing(other),
            },
        )?;
        Ok(write_request(
            self,
            BodyFormat::Form,
            &self.token_endpoint,
            buf,
            |body| {
                if grant.workfront {
                    body.param("client_id", &self.client_id);
                    if let ClientAuth::SecretBasic(secret) | ClientAuth::SecretPost(secret) =
                        &self.auth
                    {
                        body.param("client_secret", secret.as_str());
                    }
                    body.param("jwt_token", jwt);
                } else {
                    body.param("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
                    body.param("assertion", jwt);
                    if !self.scope.is_empty() {
                        body.param("scope", &self.scope);
                    }
                    body_client_auth(body, self);
                }
            },
        )?)
    }

    /// Reads the answer to [`CredentialsClient::token_request`] (or to a JWT grant request). A token is cached; a
    /// refresh token, which this grant should not carry (RFC 6749 §4.4.3), is dropped.
    ///
    /// # Errors
    ///
    /// [`ResponseError`] when the answer cannot be read; the cache is then unchanged, as
    /// it is on [`CredentialsOutcome::Rejected`].
    pub fn on_token_response(
        &mut self,
        status: u16,
        body: &[u8],
        now: Timestamp,
    ) -> Result<CredentialsOutcome, ResponseError> {
        // Checked in full before the cache is written, so a refused answer keeps it.
        match read_token_response(
            status,
            body,
            now,
            TokenType::Bearer,
            &mut self.tokens,
            Merge::Replace,
        )? {
            Ok(()) => {
                self.tokens.refresh_token.clear();
                self.cached = true;
                Ok(CredentialsOutcome::Issued)
            }
            Err(error) => Ok(CredentialsOutcome::Rejected(error)),
        }
    }

    /// Whether a new token should be requested at `now`: none is cached, or the cached
    /// one expires within the refresh margin. A token without a stated expiry stays
    /// cached until [`CredentialsClient::forget_token`] (call it when a resource server
    /// answers 401).
    #[must_use]
    pub fn token_due(&self, now: Timestamp) -> bool {
        self.current(now).is_none()
    }

    /// The cached tokens while they are not due (see [`CredentialsClient::token_due`]).
    #[must_use]
    pub fn tokens(&self, now: Timestamp) -> Option<&Tokens> {
        self.current(now)
    }

    /// The cached access token while it is not due.
    #[must_use]
    pub fn access_token(&self, now: Timestamp) -> Option<&str> {
        self.current(now).map(Tokens::access_token)
    }

    /// Drops the cached token (wiped).
    pub fn forget_token(&mut self) {
        self.tokens.clear();
        self.cached = false;
    }

    fn current(&self, now: Timestamp) -> Option<&Tokens> {
        let tokens = self.cached.then_some(&self.tokens)?;
        match tokens.expires_at() {
            Some(expires_at) => {
                (now.plus(self.refresh_margin_seconds) < expires_at).then_some(tokens)
            }
            None => Some(tokens),
        }
    }
}
