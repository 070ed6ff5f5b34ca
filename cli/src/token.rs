//! `authcode token --client-credentials`: a token for the client itself (RFC 6749 §4.4;
//! Adobe Developer Console's Server-to-Server credential), printed as JSON.

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

/// `authcode token --client-credentials`.
///
/// # Errors
///
/// [`Failure`]: options that do not fit, a network failure (naming the URL), a refusal
/// (exit 1, with the server's `error` and `error_description`).
pub fn run_token(options: &ClientOptions, out: &mut dyn Write) -> Result<(), Failure> {
    let mut client = credentials_client(options)?;
    let mut buf = vec![0u8; 4096];
    let request = client
        .token_request(&mut buf)
        .map_err(|error| Failure::System(error.to_string()))?;
    let url = request.url.to_owned();
    let response = http::send(&request).map_err(Failure::System)?;
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
