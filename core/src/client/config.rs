//! What a client is: endpoints, identity, scopes, authentication and dialect — validated
//! once, when built.

use core::fmt;

use heapless::{String, Vec};

use super::limits::{
    MAX_CLIENT_ID, MAX_CLIENT_SECRET, MAX_EXTRA_NAME, MAX_EXTRA_PARAMS, MAX_EXTRA_VALUE, MAX_SCOPE,
    MAX_URL,
};
use crate::Secret;
use crate::oauth::url::{UrlError, check_endpoint, check_redirect_uri};
use crate::profile::{BodyFormat, Profile};

/// How the client authenticates at the token endpoint (RFC 6749 §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// A public client (native, mobile, single-page app): no secret; PKCE protects the code.
    /// `client_id` goes in the body.
    None,
    /// `Authorization: Basic` with the form-urlencoded id and secret (RFC 6749 §2.3.1).
    SecretBasic(Secret<MAX_CLIENT_SECRET>),
    /// `client_id` and `client_secret` in the request body.
    SecretPost(Secret<MAX_CLIENT_SECRET>),
}

impl ClientAuth {
    /// Whether the client is confidential (holds a secret).
    #[must_use]
    pub const fn is_confidential(&self) -> bool {
        !matches!(self, Self::None)
    }
}

/// Which value of the configuration an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigField {
    /// The authorization endpoint.
    AuthorizationEndpoint,
    /// The token endpoint.
    TokenEndpoint,
    /// The revocation endpoint.
    RevocationEndpoint,
    /// The OpenID Connect userinfo endpoint.
    UserinfoEndpoint,
    /// The JWK Set document's URL.
    JwksUri,
    /// The redirect URI.
    RedirectUri,
    /// The client id.
    ClientId,
    /// The client secret.
    ClientSecret,
    /// The scope.
    Scope,
    /// The expected issuer.
    Issuer,
    /// The Workfront domain.
    WorkfrontDomain,
    /// The Adobe IMS origin.
    AdobeImsOrigin,
    /// An extra authorization parameter.
    ExtraParameter,
}

impl fmt::Display for ConfigField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AuthorizationEndpoint => "authorization endpoint",
            Self::TokenEndpoint => "token endpoint",
            Self::RevocationEndpoint => "revocation endpoint",
            Self::UserinfoEndpoint => "userinfo endpoint",
            Self::JwksUri => "jwks_uri",
            Self::RedirectUri => "redirect URI",
            Self::ClientId => "client_id",
            Self::ClientSecret => "client secret",
            Self::Scope => "scope",
            Self::Issuer => "issuer",
            Self::WorkfrontDomain => "Workfront domain",
            Self::AdobeImsOrigin => "Adobe IMS origin",
            Self::ExtraParameter => "extra authorization parameter",
        })
    }
}

/// Why a configuration was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigError {
    /// A URL failed its checks.
    Url {
        /// Which URL.
        field: ConfigField,
        /// What is wrong with it.
        error: UrlError,
    },
    /// A value is longer than its fixed capacity.
    TooLong {
        /// Which value.
        field: ConfigField,
        /// The capacity in bytes.
        max: usize,
    },
    /// A value is empty, or holds characters it may not (RFC 6749 Appendix A).
    Invalid {
        /// Which value.
        field: ConfigField,
    },
    /// An extra authorization parameter would override one the engine sets
    /// (`response_type`, `client_id`, `redirect_uri`, `state`, `scope`, `code_challenge`,
    /// `code_challenge_method`), or is given twice.
    ReservedParameter,
    /// More than [`MAX_EXTRA_PARAMS`] extra parameters.
    TooManyExtraParameters,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url { field, error } => write!(f, "{field}: {error}"),
            Self::TooLong { field, max } => write!(f, "{field}: longer than {max} bytes"),
            Self::Invalid { field } => {
                write!(f, "{field}: empty or contains characters it may not")
            }
            Self::ReservedParameter => {
                f.write_str("extra authorization parameter: set by authcode itself or given twice")
            }
            Self::TooManyExtraParameters => write!(
                f,
                "more than {MAX_EXTRA_PARAMS} extra authorization parameters"
            ),
        }
    }
}

impl core::error::Error for ConfigError {}

/// Parameters the engine writes itself; an extra parameter may not use these names.
const RESERVED: [&str; 7] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
];

/// A client's configuration. Build it with [`ClientConfig::new`] or
/// [`ClientConfig::workfront`], then the `with_*` methods; every value is checked as it
/// is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    pub(crate) profile: Profile,
    pub(crate) authorization_endpoint: String<MAX_URL>,
    pub(crate) token_endpoint: String<MAX_URL>,
    pub(crate) revocation_endpoint: Option<String<MAX_URL>>,
    pub(crate) userinfo_endpoint: Option<String<MAX_URL>>,
    pub(crate) jwks_uri: Option<String<MAX_URL>>,
    pub(crate) client_id: String<MAX_CLIENT_ID>,
    pub(crate) redirect_uri: String<MAX_URL>,
    pub(crate) scope: String<MAX_SCOPE>,
    pub(crate) issuer: Option<String<MAX_URL>>,
    pub(crate) issuer_required_on_redirect: bool,
    /// Whether OpenID Connect ID tokens are checked (a nonce sent, the ID token required)
    /// when the scope has `openid`.
    pub(crate) checks_id_tokens: bool,
    pub(crate) auth: ClientAuth,
    pub(crate) body_format: BodyFormat,
    pub(crate) extra_params:
        Vec<(String<MAX_EXTRA_NAME>, String<MAX_EXTRA_VALUE>), MAX_EXTRA_PARAMS>,
    pub(crate) refresh_margin_seconds: u64,
}

fn text<const N: usize>(value: &str, field: ConfigField) -> Result<String<N>, ConfigError> {
    String::try_from(value).map_err(|_| ConfigError::TooLong { field, max: N })
}

fn url<const N: usize>(
    value: &str,
    field: ConfigField,
    check: fn(&str) -> Result<(), UrlError>,
) -> Result<String<N>, ConfigError> {
    check(value).map_err(|error| ConfigError::Url { field, error })?;
    text(value, field)
}

/// RFC 6749 Appendix A: `client_id` is `*VSCHAR` (printable ASCII); scope tokens are
/// `NQCHAR` (printable ASCII without `"` and `\`), separated by single spaces.
fn is_vschar(byte: u8) -> bool {
    (0x20..=0x7e).contains(&byte)
}

/// `scope` checked (RFC 6749 §3.3: space-separated `NQCHAR` tokens; for Adobe IMS also
/// comma-separated) and copied.
pub(crate) fn checked_scope(
    profile: Profile,
    scope: &str,
) -> Result<String<MAX_SCOPE>, ConfigError> {
    let adobe = profile == Profile::AdobeIms;
    let valid = scope
        .split(|c: char| c == ' ' || (adobe && c == ','))
        .all(|token| {
            !token.is_empty()
                && token
                    .bytes()
                    .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
        });
    if !valid {
        return Err(ConfigError::Invalid {
            field: ConfigField::Scope,
        });
    }
    text(scope, ConfigField::Scope)
}

/// A `client_id` checked (non-empty printable ASCII) and copied.
pub(crate) fn checked_client_id(client_id: &str) -> Result<String<MAX_CLIENT_ID>, ConfigError> {
    if client_id.is_empty() || !client_id.bytes().all(is_vschar) {
        return Err(ConfigError::Invalid {
            field: ConfigField::ClientId,
        });
    }
    text(client_id, ConfigField::ClientId)
}

impl ClientConfig {
    /// Default seconds before expiry at which [`crate::client::Session::refresh_due`] says
    /// yes.
    pub const DEFAULT_REFRESH_MARGIN_SECONDS: u64 = 60;

    /// A public client (no secret, PKCE) of `profile`, with its endpoints, `client_id` and
    /// redirect URI.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the value that failed: endpoints must be `https` (or `http`
    /// on loopback), without fragment or credentials; the redirect URI must be `https`,
    /// loopback `http` or a private-use scheme; `client_id` must be non-empty printable
    /// ASCII; every value must fit its capacity ([`crate::client::limits`]).
    pub fn new(
        profile: Profile,
        authorization_endpoint: &str,
        token_endpoint: &str,
        client_id: &str,
        redirect_uri: &str,
    ) -> Result<Self, ConfigError> {
        let client_id = checked_client_id(client_id)?;
        Ok(Self {
            profile,
            authorization_endpoint: url(
                authorization_endpoint,
                ConfigField::AuthorizationEndpoint,
                check_endpoint,
            )?,
            token_endpoint: url(token_endpoint, ConfigField::TokenEndpoint, check_endpoint)?,
            revocation_endpoint: None,
            userinfo_endpoint: None,
            jwks_uri: None,
            client_id,
            redirect_uri: url(redirect_uri, ConfigField::RedirectUri, check_redirect_uri)?,
            scope: String::new(),
            issuer: None,
            issuer_required_on_redirect: false,
            checks_id_tokens: false,
            auth: ClientAuth::None,
            body_format: profile.token_body_format(),
            extra_params: Vec::new(),
            refresh_margin_seconds: Self::DEFAULT_REFRESH_MARGIN_SECONDS,
        })
    }

    /// A Workfront client for the organisation at `domain` (for example
    /// `acme.my.workfront.com`): authorize at `https://{domain}/integrations/oauth2/authorize`,
    /// tokens at `https://{domain}/integrations/oauth2/api/v1/token`, revocation at
    /// `https://{domain}/integrations/oauth2/api/v1/revoke`. `domain` may carry a port.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a domain that is not a host name (letters, digits,
    /// `-` and `.`, optionally `:port`); otherwise as [`ClientConfig::new`].
    pub fn workfront(
        domain: &str,
        client_id: &str,
        redirect_uri: &str,
    ) -> Result<Self, ConfigError> {
        let (host, port) = domain
            .split_once(|c: char| c == ':')
            .unwrap_or((domain, ""));
        let host_ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !host.starts_with(['.', '-']);
        let port_ok = if domain.contains(|c: char| c == ':') {
            port.parse::<u16>().is_ok()
        } else {
            true
        };
        if !host_ok || !port_ok {
            return Err(ConfigError::Invalid {
                field: ConfigField::WorkfrontDomain,
            });
        }
        let mut authorize = String::<MAX_URL>::new();
        let mut token = String::<MAX_URL>::new();
        let mut revoke = String::<MAX_URL>::new();
        let too_long = |_| ConfigError::TooLong {
            field: ConfigField::WorkfrontDomain,
            max: MAX_URL,
        };
        for (target, path) in [
            (&mut authorize, "/integrations/oauth2/authorize"),
            (&mut token, "/integrations/oauth2/api/v1/token"),
            (&mut revoke, "/integrations/oauth2/api/v1/revoke"),
        ] {
            target.push_str("https://").map_err(too_long)?;
            target.push_str(domain).map_err(too_long)?;
            target.push_str(path).map_err(too_long)?;
        }
        Self::new(
            Profile::Workfront,
            &authorize,
            &token,
            client_id,
            redirect_uri,
        )?
        .with_revocation_endpoint(&revoke)
    }

    /// Adobe IMS's origin for the North American and global region.
    pub const ADOBE_IMS_ORIGIN: &'static str = "https://ims-na1.adobelogin.com";

    /// An Adobe IMS client (Adobe Developer Console's OAuth Native App, Single-Page App or
    /// — with [`ClientConfig::with_client_secret_post`] — Web App credential), at
    /// `origin` (normally [`ClientConfig::ADOBE_IMS_ORIGIN`]; a loopback `http` origin for
    /// `authcode serve --profile adobe-ims`): authorize at `{origin}/ims/authorize/v2`,
    /// tokens at `{origin}/ims/token/v3`, revocation at `{origin}/ims/revoke`, userinfo at
    /// `{origin}/ims/userinfo/v2`; the origin is the issuer, checked on a redirect that
    /// carries `iss`. Scopes may be comma-delimited (`openid,AdobeID,offline_access`);
    /// refresh tokens come only to Web App credentials that ask for `offline_access`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming [`ConfigField::AdobeImsOrigin`] for an origin with
    /// a path, query or fragment; otherwise as [`ClientConfig::new`].
    pub fn adobe_ims(
        origin: &str,
        client_id: &str,
        redirect_uri: &str,
    ) -> Result<Self, ConfigError> {
        let origin = origin.strip_suffix('/').unwrap_or(origin);
        let authority = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .unwrap_or("");
        if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
            return Err(ConfigError::Invalid {
                field: ConfigField::AdobeImsOrigin,
            });
        }
        let mut endpoints = [
            String::<MAX_URL>::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
        let paths = [
            "/ims/authorize/v2",
            "/ims/token/v3",
            "/ims/revoke",
            "/ims/userinfo/v2",
        ];
        for (target, path) in endpoints.iter_mut().zip(paths) {
            target
                .push_str(origin)
                .and_then(|()| target.push_str(path))
                .map_err(|_| ConfigError::TooLong {
                    field: ConfigField::AdobeImsOrigin,
                    max: MAX_URL,
                })?;
        }
        let [authorize, token, revoke, userinfo] = &endpoints;
        let mut config = Self::new(Profile::AdobeIms, authorize, token, client_id, redirect_uri)?
            .with_revocation_endpoint(revoke)?
            .with_userinfo_endpoint(userinfo)?;
        config.issuer = Some(url(origin, ConfigField::AdobeImsOrigin, check_endpoint)?);
        Ok(config)
    }

    /// Requests `scope`: space-separated scope tokens (RFC 6749 §3.3).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for characters outside RFC 6749's `NQCHAR` or empty tokens;
    /// [`ConfigError::TooLong`].
    pub fn with_scope(mut self, scope: &str) -> Result<Self, ConfigError> {
        // Adobe IMS documents comma-delimited scopes (`openid,AdobeID`); a comma is an
        // NQCHAR, so the value is sent as given, and here each comma-separated part is
        // checked as a token too.
        self.scope = checked_scope(self.profile, scope)?;
        Ok(self)
    }

    /// Expects redirects to carry `iss` equal to `issuer` (RFC 9207), defending against
    /// mix-up attacks when the app talks to more than one authorization server.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Url`], [`ConfigError::TooLong`].
    pub fn with_issuer(mut self, issuer: &str) -> Result<Self, ConfigError> {
        self.issuer = Some(url(issuer, ConfigField::Issuer, check_endpoint)?);
        self.issuer_required_on_redirect = true;
        Ok(self)
    }

    /// Whether a redirect without `iss` is refused. [`ClientConfig::with_issuer`] sets it;
    /// a configuration from discovery sets it only when the server's metadata says
    /// `authorization_response_iss_parameter_supported: true` (RFC 9207 §3), and otherwise
    /// checks `iss` only when the redirect carries one.
    #[must_use]
    pub const fn with_issuer_required_on_redirect(mut self, required: bool) -> Self {
        self.issuer_required_on_redirect = required;
        self
    }

    /// Checks OpenID Connect ID tokens when the scope has `openid`: the session sends a
    /// nonce (256 bits, saved with the pending login) and requires a verified ID token
    /// ([`Session::on_token_response_verified`](super::Session::on_token_response_verified)
    /// with the issuer's JWK Set; `on_token_response` is then refused with
    /// [`IdTokenError::KeysNeeded`](super::IdTokenError::KeysNeeded)). Needs an issuer
    /// ([`ClientConfig::with_issuer`] or discovery) to compare `iss` with.
    #[cfg(feature = "oidc")]
    #[must_use]
    pub const fn checking_id_tokens(mut self) -> Self {
        self.checks_id_tokens = true;
        self
    }

    /// Whether ID tokens are checked when the scope has `openid` (see
    /// `ClientConfig::checking_id_tokens`, feature `oidc`).
    #[must_use]
    pub fn checks_id_tokens(&self) -> bool {
        self.checks_id_tokens && self.requests_openid()
    }

    /// Sets the OpenID Connect userinfo endpoint (kept for the host; the engine does not
    /// call it).
    ///
    /// # Errors
    ///
    /// As for the other endpoints.
    pub fn with_userinfo_endpoint(mut self, endpoint: &str) -> Result<Self, ConfigError> {
        self.userinfo_endpoint = Some(url(
            endpoint,
            ConfigField::UserinfoEndpoint,
            check_endpoint,
        )?);
        Ok(self)
    }

    /// Sets the URL of the server's JWK Set (kept for the host and for signed-token
    /// checks).
    ///
    /// # Errors
    ///
    /// As for the other endpoints.
    pub fn with_jwks_uri(mut self, uri: &str) -> Result<Self, ConfigError> {
        self.jwks_uri = Some(url(uri, ConfigField::JwksUri, check_endpoint)?);
        Ok(self)
    }

    /// Authenticates with `Authorization: Basic` (a confidential web application).
    ///
    /// # Errors
    ///
    /// [`ConfigError::TooLong`]; [`ConfigError::Invalid`] for an empty secret.
    pub fn with_client_secret_basic(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.auth = ClientAuth::SecretBasic(Self::secret(secret)?);
        Ok(self)
    }

    /// Authenticates with `client_id` and `client_secret` in the token request body.
    ///
    /// # Errors
    ///
    /// [`ConfigError::TooLong`]; [`ConfigError::Invalid`] for an empty secret.
    pub fn with_client_secret_post(mut self, secret: &str) -> Result<Self, ConfigError> {
        self.auth = ClientAuth::SecretPost(Self::secret(secret)?);
        Ok(self)
    }

    pub(crate) fn secret(secret: &str) -> Result<Secret<MAX_CLIENT_SECRET>, ConfigError> {
        if secret.is_empty() {
            return Err(ConfigError::Invalid {
                field: ConfigField::ClientSecret,
            });
        }
        Secret::copy_from(secret).map_err(|_| ConfigError::TooLong {
            field: ConfigField::ClientSecret,
            max: MAX_CLIENT_SECRET,
        })
    }

    /// Sets the RFC 7009 revocation endpoint.
    ///
    /// # Errors
    ///
    /// As for the other endpoints.
    pub fn with_revocation_endpoint(mut self, endpoint: &str) -> Result<Self, ConfigError> {
        self.revocation_endpoint = Some(url(
            endpoint,
            ConfigField::RevocationEndpoint,
            check_endpoint,
        )?);
        Ok(self)
    }

    /// Adds a parameter to the authorization request, such as `prompt=login` or
    /// `login_hint=…`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::ReservedParameter`] for a name the engine sets or a repeated name;
    /// [`ConfigError::TooManyExtraParameters`]; [`ConfigError::Invalid`] for an empty name;
    /// [`ConfigError::TooLong`].
    pub fn with_authorization_parameter(
        mut self,
        name: &str,
        value: &str,
    ) -> Result<Self, ConfigError> {
        if name.is_empty() {
            return Err(ConfigError::Invalid {
                field: ConfigField::ExtraParameter,
            });
        }
        if RESERVED.contains(&name)
            || self
                .extra_params
                .iter()
                .any(|(existing, _)| existing == name)
        {
            return Err(ConfigError::ReservedParameter);
        }
        let pair = (
            text(name, ConfigField::ExtraParameter)?,
            text(value, ConfigField::ExtraParameter)?,
        );
        self.extra_params
            .push(pair)
            .map_err(|_| ConfigError::TooManyExtraParameters)?;
        Ok(self)
    }

    /// Overrides the profile's token request body format.
    #[must_use]
    pub const fn with_body_format(mut self, format: BodyFormat) -> Self {
        self.body_format = format;
        self
    }

    /// Seconds before expiry at which a refresh becomes due (default 60).
    #[must_use]
    pub const fn with_refresh_margin(mut self, seconds: u64) -> Self {
        self.refresh_margin_seconds = seconds;
        self
    }

    /// The dialect.
    #[must_use]
    pub const fn profile(&self) -> Profile {
        self.profile
    }

    /// The authorization endpoint.
    #[must_use]
    pub fn authorization_endpoint(&self) -> &str {
        &self.authorization_endpoint
    }

    /// The token endpoint.
    #[must_use]
    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }

    /// The revocation endpoint, if configured.
    #[must_use]
    pub fn revocation_endpoint(&self) -> Option<&str> {
        self.revocation_endpoint.as_deref()
    }

    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The redirect URI.
    #[must_use]
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The requested scope (empty when none).
    #[must_use]
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Whether the scope asks for `openid` (OpenID Connect): tokens separated by spaces,
    /// or commas for Adobe IMS.
    #[must_use]
    pub fn requests_openid(&self) -> bool {
        let comma = self.profile == Profile::AdobeIms;
        self.scope
            .split(|c: char| c == ' ' || (comma && c == ','))
            .any(|token| token == "openid")
    }

    /// The expected issuer, if configured.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Whether redirects must carry `iss` (see
    /// [`ClientConfig::with_issuer_required_on_redirect`]).
    #[must_use]
    pub const fn issuer_required_on_redirect(&self) -> bool {
        self.issuer_required_on_redirect
    }

    /// The userinfo endpoint, if known.
    #[must_use]
    pub fn userinfo_endpoint(&self) -> Option<&str> {
        self.userinfo_endpoint.as_deref()
    }

    /// The JWK Set URL, if known.
    #[must_use]
    pub fn jwks_uri(&self) -> Option<&str> {
        self.jwks_uri.as_deref()
    }

    /// The client authentication method.
    #[must_use]
    pub const fn auth(&self) -> &ClientAuth {
        &self.auth
    }

    /// The token request body format.
    #[must_use]
    pub const fn body_format(&self) -> BodyFormat {
        self.body_format
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc() -> Result<ClientConfig, ConfigError> {
        ClientConfig::new(
            Profile::Rfc,
            "https://as.example.com/authorize",
            "https://as.example.com/token",
            "app",
            "com.example.app:/cb",
        )
    }

    #[test]
    fn a_valid_public_client() {
        let config = rfc().unwrap();
        assert_eq!(config.auth(), &ClientAuth::None);
        assert_eq!(config.body_format(), BodyFormat::Form);
        assert_eq!(config.scope(), "");
    }

    #[test]
    fn workfront_helper_builds_the_documented_endpoints() {
        let config =
            ClientConfig::workfront("acme.my.workfront.com", "abc", "https://app.example/cb")
                .unwrap();
        assert_eq!(
            config.authorization_endpoint(),
            "https://acme.my.workfront.com/integrations/oauth2/authorize"
        );
        assert_eq!(
            config.token_endpoint(),
            "https://acme.my.workfront.com/integrations/oauth2/api/v1/token"
        );
        assert_eq!(
            config.revocation_endpoint(),
            Some("https://acme.my.workfront.com/integrations/oauth2/api/v1/revoke")
        );
        assert_eq!(config.profile(), Profile::Workfront);
        assert_eq!(config.body_format(), BodyFormat::Json);
        for bad in [
            "",
            "acme.com/evil",
            "https://acme.com",
            "a b.com",
            ".acme.com",
            "acme.com:x",
            "u@acme.com",
        ] {
            assert_eq!(
                ClientConfig::workfront(bad, "abc", "https://app.example/cb"),
                Err(ConfigError::Invalid {
                    field: ConfigField::WorkfrontDomain
                }),
                "{bad}"
            );
        }
        assert!(ClientConfig::workfront("localhost:8787", "abc", "http://127.0.0.1/cb").is_ok());
    }

    #[test]
    fn endpoints_must_be_https_or_loopback() {
        let error = ClientConfig::new(
            Profile::Rfc,
            "http://as.example.com/a",
            "https://as.example.com/t",
            "app",
            "https://x.example/cb",
        )
        .unwrap_err();
        assert_eq!(
            error,
            ConfigError::Url {
                field: ConfigField::AuthorizationEndpoint,
                error: UrlError::InsecureHttp
            }
        );
        let error = ClientConfig::new(
            Profile::Rfc,
            "https://as.example.com/a",
            "https://as.example.com/t",
            "app",
            "http://x.example/cb",
        )
        .unwrap_err();
        assert_eq!(
            error,
            ConfigError::Url {
                field: ConfigField::RedirectUri,
                error: UrlError::InsecureHttp
            }
        );
    }

    #[test]
    fn client_id_and_scope_are_checked() {
        assert_eq!(
            ClientConfig::new(
                Profile::Rfc,
                "https://a.example/a",
                "https://a.example/t",
                "",
                "https://x.example/cb"
            ),
            Err(ConfigError::Invalid {
                field: ConfigField::ClientId
            })
        );
        assert!(rfc().unwrap().with_scope("openid profile").is_ok());
        for bad in ["", "a  b", " a", "a\"b", "a\\b", "é"] {
            assert_eq!(
                rfc().unwrap().with_scope(bad),
                Err(ConfigError::Invalid {
                    field: ConfigField::Scope
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn extra_parameters_cannot_override_the_engine() {
        let config = rfc()
            .unwrap()
            .with_authorization_parameter("prompt", "login")
            .unwrap();
        assert_eq!(
            config.clone().with_authorization_parameter("state", "x"),
            Err(ConfigError::ReservedParameter)
        );
        assert_eq!(
            config.clone().with_authorization_parameter("prompt", "x"),
            Err(ConfigError::ReservedParameter)
        );
        let config = config
            .with_authorization_parameter("a", "1")
            .and_then(|c| c.with_authorization_parameter("b", "2"))
            .and_then(|c| c.with_authorization_parameter("c", "3"))
            .unwrap();
        assert_eq!(
            config.with_authorization_parameter("d", "4"),
            Err(ConfigError::TooManyExtraParameters)
        );
    }

    #[test]
    fn values_over_capacity_are_refused() {
        let long = "a".repeat(MAX_CLIENT_ID + 1);
        assert_eq!(
            ClientConfig::new(
                Profile::Rfc,
                "https://a.example/a",
                "https://a.example/t",
                &long,
                "https://x.example/cb"
            ),
            Err(ConfigError::TooLong {
                field: ConfigField::ClientId,
                max: MAX_CLIENT_ID
            })
        );
        assert_eq!(
            rfc().unwrap().with_client_secret_basic(""),
            Err(ConfigError::Invalid {
                field: ConfigField::ClientSecret
            })
        );
    }

    extern crate std;
    use std::string::ToString;

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            ConfigError::Url {
                field: ConfigField::TokenEndpoint,
                error: UrlError::InsecureHttp
            }
            .to_string(),
            "token endpoint: plain http is allowed only for loopback hosts (RFC 8252 §8.3); use https"
        );
    }
}
