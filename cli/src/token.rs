//! `authcode token --client-credentials`: a token for the client itself (RFC 6749 §4.4;
//! Adobe Developer Console's Server-to-Server credential), printed as JSON; and
//! `authcode token --jwt-key KEY --subject USER`: a token for a user from a JWT the app
//! signs (Workfront's machine-to-machine JWT exchange, or RFC 7523's JWT bearer grant).

use std::io::Write;

use authcode::client::{ClientConfig, CredentialsAuth, CredentialsClient, CredentialsOutcome};
use authcode::profile::Profile;
use serde_json::json;

use crate::client_options::ClientOptions;
use crate::failure::Failure;
use crate::http;
use crate::serve::{Paths, now};

/// The client of the grant, from the same options as `login`: discovery (`--issuer`), a
/// running `authcode serve` (`--server`), or `--token-url`.
///
/// # Errors
///
/// [`Failure::Input`] when the options do not make a client of this grant.
pub fn credentials_client(options: &ClientOptions) -> Result<CredentialsClient, Failure> {
    let invalid = |error: authcode::client::ConfigError| Failure::Input(error.to_string());
    let Some(secret) = options.client_secret.as_deref() else {
        return Err(Failure::Input(
            "the client credentials grant needs --client-secret".into(),
        ));
    };
    if options.workfront_domain.is_some() {
        return Err(Failure::Input(
            "Workfront's legacy OAuth2 service has no client credentials grant; use Adobe IMS (--issuer https://ims-na1.adobelogin.com --discovery-url https://ims-na1.adobelogin.com/ims/.well-known/openid-configuration --profile adobe-ims)".into(),
        ));
    }
    let client = if options.issuer.is_some() {
        // Discovery needs a redirect URI for the configuration; this grant never uses it.
        let config: ClientConfig = options.config("http://127.0.0.1/unused")?;
        CredentialsClient::from_config(&config).map_err(invalid)?
    } else {
        let (profile, token_url) = match (&options.server, &options.token_url) {
            (Some(server), None) => {
                let profile = options.profile.unwrap_or(Profile::Workfront);
                let base = server.trim_end_matches('/');
                (profile, format!("{base}{}", Paths::of(profile).token))
            }
            (None, Some(url)) => (options.profile.unwrap_or(Profile::Rfc), url.clone()),
            _ => {
                return Err(Failure::Input(
                    "give exactly one of --issuer, --server and --token-url".into(),
                ));
            }
        };
        // Adobe's Server-to-Server credential sends the secret in the form body.
        let auth = if profile == Profile::AdobeIms {
            CredentialsAuth::Post(secret)
        } else {
            CredentialsAuth::Basic(secret)
        };
        CredentialsClient::new(profile, &token_url, &options.client_id, auth).map_err(invalid)?
    };
    match &options.scope {
        Some(scope) => client.with_scope(scope).map_err(invalid),
        None => Ok(client),
    }
}

/// What `token --jwt-key` asserts.
#[derive(Debug, Clone)]
pub struct JwtOptions {
    /// The app's private key, PKCS#8 PEM (RSA for RS256, P-256 for ES256).
    pub key: std::path::PathBuf,
    /// `sub`: the user the token is to act for.
    pub subject: String,
    /// `aud` (RFC 7523); the token endpoint URL by default.
    pub audience: Option<String>,
    /// `iss` when it is not the client id (Workfront: the customer id).
    pub issuer: Option<String>,
}

/// `authcode token --jwt-key`: Workfront's exchange (`--workfront-domain`, or `--server`
/// under the Workfront profile) or RFC 7523 (`--token-url`, `--issuer`, `--server` under
/// another profile).
///
/// # Errors
///
/// [`Failure`], as [`run_token`]; [`Failure::Input`] for a key file that is not a PKCS#8
/// RSA or P-256 key.
pub fn run_jwt_token(
    options: &ClientOptions,
    jwt: &JwtOptions,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    use authcode::client::JwtGrant;
    let key = crate::signing::SigningKey::load(&jwt.key).map_err(Failure::Input)?;
    let invalid = |error: authcode::client::ConfigError| Failure::Input(error.to_string());
    let secret = options.client_secret.as_deref();
    let workfront_url = match (&options.workfront_domain, &options.server) {
        (Some(domain), _) => Some(format!(
            "https://{}/integrations/oauth2/api/v1/jwt/exchange",
            domain.trim_end_matches('/')
        )),
        (None, Some(server))
            if options.profile.unwrap_or(Profile::Workfront) == Profile::Workfront =>
        {
            Some(format!(
                "{}/integrations/oauth2/api/v1/jwt/exchange",
                server.trim_end_matches('/')
            ))
        }
        _ => None,
    };
    let (client, audience, workfront) = match workfront_url {
        Some(url) => {
            let secret = secret.ok_or_else(|| {
                Failure::Input("Workfront's JWT exchange needs --client-secret".into())
            })?;
            let client = CredentialsClient::new(
                Profile::Workfront,
                &url,
                &options.client_id,
                CredentialsAuth::Post(secret),
            )
            .map_err(invalid)?;
            (client, jwt.audience.clone(), true)
        }
        None => {
            let client = credentials_client(options)?;
            let audience = jwt
                .audience
                .clone()
                .unwrap_or_else(|| client.token_endpoint().to_owned());
            (client, Some(audience), false)
        }
    };
    let mut grant = if workfront {
        JwtGrant::workfront(&jwt.subject)
    } else {
        JwtGrant::rfc7523(&jwt.subject, audience.as_deref().unwrap_or_default())
    };
    grant.audience = audience.as_deref();
    grant.issuer = jwt.issuer.as_deref();
    let mut buf = vec![0u8; 16 * 1024];
    let request = client
        .jwt_grant_request(&grant, &key, &mut getrandom::SysRng, now(), &mut buf)
        .map_err(|error| Failure::System(error.to_string()))?;
    answer(client.clone(), &request, out)
}

/// `authcode token --client-credentials`.
///
/// # Errors
///
/// [`Failure`]: options that do not fit, a network failure (naming the URL), a refusal
/// (exit 1, with the server's `error` and `error_description`).
pub fn run_token(options: &ClientOptions, out: &mut dyn Write) -> Result<(), Failure> {
    let client = credentials_client(options)?;
    let mut buf = vec![0u8; 4096];
    let request = client
        .token_request(&mut buf)
        .map_err(|error| Failure::System(error.to_string()))?;
    answer(client.clone(), &request, out)
}

/// Sends `request` and prints the token the answer carries.
fn answer(
    mut client: CredentialsClient,
    request: &authcode::client::HttpRequest<'_>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let url = request.url.to_owned();
    let response = http::send(request).map_err(Failure::System)?;
    match client.on_token_response(response.status, &response.body, now()) {
        Ok(CredentialsOutcome::Issued) => {
            let tokens = client
                .tokens(now())
                .ok_or_else(|| Failure::System(format!("POST {url}: the token expired at once")))?;
            writeln!(
                out,
                "{}",
                json!({
                    "access_token": tokens.access_token(),
                    "token_type": tokens.token_type().as_str(),
                    "expires_at": tokens.expires_at().map(authcode::Timestamp::unix_seconds),
                    "scope": tokens.scope(),
                    "wid": tokens.wid(),
                })
            )?;
            Ok(())
        }
        Ok(CredentialsOutcome::Rejected(error)) => Err(Failure::Mismatch(format!(
            "POST {url}: HTTP {}: the token endpoint refused: {error}",
            response.status
        ))),
        Err(error) => Err(Failure::System(format!("POST {url}: {error}"))),
    }
}
