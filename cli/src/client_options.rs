//! Which authorization server and client the CLI talks to — a Workfront organisation, a
//! running `authcode serve`, any provider by discovery (`--issuer`), or explicit
//! endpoints — and how a saved session records that, so `refresh` and `revoke` need
//! nothing but the file.

use authcode::client::{ClientAuth, ClientConfig, ConfigError, Discovery};
use authcode::profile::{BodyFormat, Profile};
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::http;
use crate::serve::Paths;

/// Where the authorization server is and who the client is.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// A running `authcode serve`, e.g. `http://127.0.0.1:8787` (its paths follow
    /// `profile`).
    pub server: Option<String>,
    /// A real Workfront organisation, e.g. `acme.my.workfront.com`.
    pub workfront_domain: Option<String>,
    /// Any provider by discovery: the issuer its metadata must name.
    pub issuer: Option<String>,
    /// Where the metadata document is, when not under the issuer's `/.well-known/`.
    pub discovery_url: Option<String>,
    /// Explicit authorization endpoint (with `token_url`).
    pub authorize_url: Option<String>,
    /// Explicit token endpoint.
    pub token_url: Option<String>,
    /// Explicit revocation endpoint.
    pub revocation_url: Option<String>,
    /// The issuer's JWK Set (for OpenID Connect ID tokens), when discovery does not
    /// give it.
    pub jwks_url: Option<String>,
    /// The dialect; by default Workfront for `--server` and `--workfront-domain`, plain
    /// RFC otherwise.
    pub profile: Option<Profile>,
    /// The token request body; by default the profile's.
    pub token_body: Option<BodyFormat>,
    /// The client id.
    pub client_id: String,
    /// A confidential client's secret; none for public apps.
    pub client_secret: Option<String>,
    /// Requested scope.
    pub scope: Option<String>,
}

fn invalid(error: ConfigError) -> Failure {
    Failure::Input(error.to_string())
}

/// The metadata locations to try for `issuer`: OpenID Connect Discovery's, then RFC 8414's
/// (`/.well-known/oauth-authorization-server` inserted before the issuer's path).
fn metadata_urls(issuer: &str) -> Vec<String> {
    let trimmed = issuer.trim_end_matches('/');
    let mut urls = vec![format!("{trimmed}/.well-known/openid-configuration")];
    let (scheme, rest) = trimmed.split_once("://").unwrap_or(("https", trimmed));
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    urls.push(format!(
        "{scheme}://{host}/.well-known/oauth-authorization-server{path}"
    ));
    urls
}

impl ClientOptions {
    /// The options' profile, or the default for the way the server is given.
    fn profile_or(&self, default: Profile) -> Profile {
        self.profile.unwrap_or(default)
    }

    /// Which of the mutually exclusive ways to name the server was given.
    fn sources(&self) -> usize {
        [
            self.server.is_some(),
            self.workfront_domain.is_some(),
            self.issuer.is_some(),
            self.authorize_url.is_some() || self.token_url.is_some(),
        ]
        .into_iter()
        .filter(|given| *given)
        .count()
    }

    /// Whether any way to name the server was given.
    #[must_use]
    pub fn names_a_server(&self) -> bool {
        self.sources() > 0
    }

    /// The client configuration for `redirect_uri`, fetching the metadata document when
    /// the server is given by its issuer.
    ///
    /// # Errors
    ///
    /// [`Failure::Input`] when the options do not make a valid client or the metadata is
    /// refused; [`Failure::System`] when the metadata cannot be fetched.
    pub fn config(&self, redirect_uri: &str) -> Result<ClientConfig, Failure> {
        if self.sources() != 1 {
            return Err(Failure::Input(
                "give exactly one of --server, --workfront-domain, --issuer, or --authorize-url with --token-url".into(),
            ));
        }
        let secret = self.client_secret.as_deref();
        let mut config = if let Some(domain) = &self.workfront_domain {
            if self.profile_or(Profile::Workfront) != Profile::Workfront {
                return Err(Failure::Input(
                    "--workfront-domain is Workfront's legacy service: use --profile workfront (or --issuer for Adobe IMS)".into(),
                ));
            }
            ClientConfig::workfront(domain, &self.client_id, redirect_uri).map_err(invalid)?
        } else if let Some(server) = &self.server {
            let base = server.trim_end_matches('/');
            let profile = self.profile_or(Profile::Workfront);
            let paths = Paths::of(profile);
            ClientConfig::new(
                profile,
                &format!("{base}{}", paths.authorize),
                &format!("{base}{}", paths.token),
                &self.client_id,
                redirect_uri,
            )
            .and_then(|config| config.with_revocation_endpoint(&format!("{base}{}", paths.revoke)))
            .map_err(invalid)?
        } else if let Some(issuer) = &self.issuer {
            self.discover(issuer, redirect_uri)?
        } else {
            let (Some(authorize), Some(token)) = (&self.authorize_url, &self.token_url) else {
                return Err(Failure::Input(
                    "--authorize-url and --token-url go together".into(),
                ));
            };
            let config = ClientConfig::new(
                self.profile_or(Profile::Rfc),
                authorize,
                token,
                &self.client_id,
                redirect_uri,
            )
            .map_err(invalid)?;
            match &self.revocation_url {
                Some(url) => config.with_revocation_endpoint(url).map_err(invalid)?,
                None => config,
            }
        };
        if self.revocation_url.is_some() && self.authorize_url.is_none() {
            config = config
                .with_revocation_endpoint(self.revocation_url.as_deref().unwrap_or_default())
                .map_err(invalid)?;
        }
        if let Some(scope) = &self.scope {
            config = config.with_scope(scope).map_err(invalid)?;
        }
        if let Some(url) = &self.jwks_url {
            config = config.with_jwks_uri(url).map_err(invalid)?;
        }
        if self.issuer.is_none()
            && let Some(secret) = secret
        {
            // Adobe IMS takes the secret in the body; elsewhere HTTP Basic, the method every
            // server must support (RFC 6749 §2.3.1).
            config = if config.profile() == Profile::AdobeIms {
                config.with_client_secret_post(secret)
            } else {
                config.with_client_secret_basic(secret)
            }
            .map_err(invalid)?;
        }
        if let Some(format) = self.token_body {
            config = config.with_body_format(format);
        }
        Ok(config)
    }

    /// Fetches and reads the metadata of `issuer` (from `--discovery-url` when given).
    fn discover(&self, issuer: &str, redirect_uri: &str) -> Result<ClientConfig, Failure> {
        let urls = match &self.discovery_url {
            Some(url) => vec![url.clone()],
            None => metadata_urls(issuer),
        };
        let mut problems = Vec::new();
        for url in &urls {
            let document = match http::get_document(url) {
                Ok(document) => document,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            let discovery = Discovery {
                issuer,
                client_id: &self.client_id,
                redirect_uri,
                profile: self.profile_or(Profile::Rfc),
                client_secret: self.client_secret.as_deref(),
                auth_method: None,
            };
            return ClientConfig::from_metadata(&document, &discovery)
                .map_err(|error| Failure::Input(format!("{url}: {error}")));
        }
        Err(Failure::System(format!(
            "no server metadata for issuer {issuer}: {}",
            problems.join("; ")
        )))
    }
}

/// The configuration a session was made with, as a saved session file records it (the
/// secret too when the client has one: the file is readable only by its owner and already
/// holds the refresh token).
#[must_use]
pub fn saved_config(config: &ClientConfig) -> Value {
    let (auth, secret) = match config.auth() {
        ClientAuth::None => ("none", None),
        ClientAuth::SecretBasic(secret) => ("client_secret_basic", Some(secret.as_str())),
        ClientAuth::SecretPost(secret) => ("client_secret_post", Some(secret.as_str())),
    };
    json!({
        "profile": config.profile().name(),
        "authorization_endpoint": config.authorization_endpoint(),
        "token_endpoint": config.token_endpoint(),
        "revocation_endpoint": config.revocation_endpoint(),
        "userinfo_endpoint": config.userinfo_endpoint(),
        "jwks_uri": config.jwks_uri(),
        "issuer": config.issuer(),
        "issuer_required_on_redirect": config.issuer_required_on_redirect(),
        "client_id": config.client_id(),
        "redirect_uri": config.redirect_uri(),
        "scope": config.scope(),
        "token_endpoint_auth_method": auth,
        "client_secret": secret,
        "token_body": match config.body_format() {
            BodyFormat::Form => "form",
            BodyFormat::Json => "json",
        },
    })
}

/// The configuration [`saved_config`] wrote, rebuilt exactly (the saved session's
/// fingerprint must match). `secret` overrides the saved secret.
///
/// # Errors
///
/// [`Failure::Input`] naming the field that is missing or refused.
pub fn config_from_saved(saved: &Value, secret: Option<&str>) -> Result<ClientConfig, Failure> {
    let text = |name: &str| saved.get(name).and_then(Value::as_str);
    let required = |name: &'static str| {
        text(name).ok_or_else(|| Failure::Input(format!("the session file has no {name}")))
    };
    let field_error = |name: &str, error: ConfigError| {
        Failure::Input(format!("the session file's {name}: {error}"))
    };
    let profile = Profile::from_name(required("profile")?)
        .ok_or_else(|| Failure::Input("the session file's profile is unknown".into()))?;
    let mut config = ClientConfig::new(
        profile,
        required("authorization_endpoint")?,
        required("token_endpoint")?,
        required("client_id")?,
        required("redirect_uri")?,
    )
    .map_err(|error| field_error("client", error))?;
    if let Some(url) = text("revocation_endpoint") {
        config = config
            .with_revocation_endpoint(url)
            .map_err(|error| field_error("revocation_endpoint", error))?;
    }
    if let Some(url) = text("userinfo_endpoint") {
        config = config
            .with_userinfo_endpoint(url)
            .map_err(|error| field_error("userinfo_endpoint", error))?;
    }
    if let Some(url) = text("jwks_uri") {
        config = config
            .with_jwks_uri(url)
            .map_err(|error| field_error("jwks_uri", error))?;
    }
    if let Some(scope) = text("scope").filter(|scope| !scope.is_empty()) {
        config = config
            .with_scope(scope)
            .map_err(|error| field_error("scope", error))?;
    }
    if let Some(issuer) = text("issuer") {
        config = config
            .with_issuer(issuer)
            .map_err(|error| field_error("issuer", error))?;
    }
    let iss_required = saved
        .get("issuer_required_on_redirect")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    config = config.with_issuer_required_on_redirect(iss_required);
    let secret = secret.or_else(|| text("client_secret"));
    config = match (text("token_endpoint_auth_method"), secret) {
        (Some("client_secret_basic"), Some(secret)) => config.with_client_secret_basic(secret),
        (Some("client_secret_post"), Some(secret)) => config.with_client_secret_post(secret),
        (Some("none") | None, _) => Ok(config),
        (Some(_), _) => {
            return Err(Failure::Input(
                "the session file's client needs its secret: give --client-secret".into(),
            ));
        }
    }
    .map_err(|error| field_error("client_secret", error))?;
    config = config.with_body_format(match text("token_body") {
        Some("json") => BodyFormat::Json,
        _ => BodyFormat::Form,
    });
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_locations_follow_both_specs() {
        assert_eq!(
            metadata_urls("https://idp.example.com"),
            [
                "https://idp.example.com/.well-known/openid-configuration",
                "https://idp.example.com/.well-known/oauth-authorization-server"
            ]
        );
        assert_eq!(
            metadata_urls("https://idp.example.com/tenant/"),
            [
                "https://idp.example.com/tenant/.well-known/openid-configuration",
                "https://idp.example.com/.well-known/oauth-authorization-server/tenant"
            ]
        );
    }

    #[test]
    fn a_saved_configuration_is_rebuilt_exactly() {
        let config = ClientConfig::adobe_ims(
            ClientConfig::ADOBE_IMS_ORIGIN,
            "web",
            "http://127.0.0.1:5555/callback",
        )
        .unwrap()
        .with_scope("openid,AdobeID,offline_access")
        .unwrap()
        .with_client_secret_post("p8e")
        .unwrap()
        .with_body_format(BodyFormat::Form);
        let saved = saved_config(&config);
        assert_eq!(config_from_saved(&saved, None).unwrap(), config);
        let workfront =
            ClientConfig::workfront("acme.my.workfront.com", "id", "http://127.0.0.1:1/callback")
                .unwrap();
        assert_eq!(
            config_from_saved(&saved_config(&workfront), None).unwrap(),
            workfront
        );
        let mut broken = saved.clone();
        broken["profile"] = json!("nope");
        assert!(config_from_saved(&broken, None).is_err());
    }
}
