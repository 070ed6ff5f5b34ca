//! A client configuration from the authorization server's own metadata: an RFC 8414
//! authorization-server metadata document or an OpenID Connect Discovery 1.0 provider
//! configuration, fetched by the host.
//!
//! The host fetches the document from wherever the provider publishes it — usually
//! `{issuer}/.well-known/openid-configuration` or
//! `{issuer}/.well-known/oauth-authorization-server`, but not always (Adobe IMS: issuer
//! `https://ims-na1.adobelogin.com`, document at
//! `https://ims-na1.adobelogin.com/ims/.well-known/openid-configuration`). What decides
//! trust is not the location but the `issuer` member, which must equal the issuer the app
//! expects, byte for byte (RFC 8414 §3.3; the mix-up defence of RFC 9207 rests on it).

use core::fmt;

use heapless::String;

use super::config::{ClientConfig, ConfigError};
use super::limits::MAX_URL;
use crate::oauth::UrlError;
use crate::oauth::url::check_endpoint;
use crate::profile::Profile;
use crate::wire::json::{JsonError, RawStr, StringArray, Value};
use crate::wire::named::{self, ObjectError};

/// The largest metadata document read, in bytes (real ones are 1–8 KiB).
pub const MAX_METADATA_LEN: usize = 64 * 1024;

/// How the client authenticates at the token endpoint, as RFC 8414 names the methods in
/// `token_endpoint_auth_methods_supported`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// `none`: a public client (PKCE protects the code).
    None,
    /// `client_secret_basic`: HTTP Basic.
    ClientSecretBasic,
    /// `client_secret_post`: `client_id` and `client_secret` in the body.
    ClientSecretPost,
}

impl AuthMethod {
    /// The method's registered name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
        }
    }
}

/// What the app knows before it reads the document.
#[derive(Debug, Clone, Copy)]
pub struct Discovery<'a> {
    /// The issuer the app expects; the document's `issuer` must equal it exactly.
    pub issuer: &'a str,
    /// The app's `client_id`.
    pub client_id: &'a str,
    /// The app's redirect URI.
    pub redirect_uri: &'a str,
    /// The dialect; [`Profile::Rfc`] for any standard server.
    pub profile: Profile,
    /// The client secret of a confidential client; `None` for a public one.
    pub client_secret: Option<&'a str>,
    /// The authentication method, when the app must use one; `None` picks it from
    /// `token_endpoint_auth_methods_supported`: `client_secret_basic` when listed (or when
    /// the member is absent, RFC 8414's default), else `client_secret_post`.
    pub auth_method: Option<AuthMethod>,
}

/// Why a metadata document was refused. Every variant names the member at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiscoveryError {
    /// The document is longer than [`MAX_METADATA_LEN`].
    TooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// The document is not a well-formed JSON object.
    Json(JsonError),
    /// A member appears twice.
    DuplicateMember {
        /// The member.
        member: &'static str,
    },
    /// A required member is absent (or `null`).
    MissingMember {
        /// The member.
        member: &'static str,
    },
    /// A member has the wrong JSON type, or a string in it is malformed or too long.
    InvalidMember {
        /// The member.
        member: &'static str,
    },
    /// `issuer` is not the issuer the app expects (RFC 8414 §3.3).
    IssuerMismatch,
    /// An endpoint URL failed its checks (`https`, or `http` only on loopback; no
    /// fragment, no credentials).
    Endpoint {
        /// The member.
        member: &'static str,
        /// What is wrong with it.
        error: UrlError,
    },
    /// A list says the server does not support what this client needs.
    Unsupported {
        /// The member.
        member: &'static str,
        /// What it would have to contain.
        needed: &'static str,
    },
    /// The method in [`Discovery::auth_method`] does not fit the client: a secret method
    /// without a secret, `none` with one.
    AuthMethodMismatch,
    /// The client's own values (`client_id`, redirect URI, secret) were refused.
    Config(ConfigError),
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { max } => {
                write!(f, "server metadata: longer than {max} bytes")
            }
            Self::Json(error) => write!(f, "server metadata: {error}"),
            Self::DuplicateMember { member } => {
                write!(f, "server metadata: {member} appears more than once")
            }
            Self::MissingMember { member } => {
                write!(f, "server metadata: {member} is required but missing")
            }
            Self::InvalidMember { member } => write!(
                f,
                "server metadata: {member} has the wrong type, or a malformed or too long value"
            ),
            Self::IssuerMismatch => f.write_str(
                "server metadata: issuer is not the expected issuer (RFC 8414 §3.3)",
            ),
            Self::Endpoint { member, error } => write!(f, "server metadata: {member}: {error}"),
            Self::Unsupported { member, needed } => {
                write!(f, "server metadata: {member} does not contain {needed}")
            }
            Self::AuthMethodMismatch => f.write_str(
                "the client authentication method does not fit: a secret method needs a secret, none takes none",
            ),
            Self::Config(error) => error.fmt(f),
        }
    }
}

impl core::error::Error for DiscoveryError {}

impl From<ConfigError> for DiscoveryError {
    fn from(error: ConfigError) -> Self {
        Self::Config(error)
    }
}

/// The members read, in the order of [`MEMBERS`].
const MEMBERS: [&str; 12] = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "revocation_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "response_types_supported",
    "grant_types_supported",
    "code_challenge_methods_supported",
    "token_endpoint_auth_methods_supported",
    "authorization_response_iss_parameter_supported",
    "scopes_supported",
];

/// The document's members, as read.
struct Members<'a> {
    issuer: Option<Value<'a>>,
    authorization_endpoint: Option<Value<'a>>,
    token_endpoint: Option<Value<'a>>,
    revocation_endpoint: Option<Value<'a>>,
    userinfo_endpoint: Option<Value<'a>>,
    jwks_uri: Option<Value<'a>>,
    response_types: Option<Value<'a>>,
    grant_types: Option<Value<'a>>,
    challenge_methods: Option<Value<'a>>,
    auth_methods: Option<Value<'a>>,
    iss_parameter: Option<Value<'a>>,
    scopes: Option<Value<'a>>,
}

/// `null` counts as absent throughout, as for token responses.
fn present(value: Option<Value<'_>>) -> Option<Value<'_>> {
    value.filter(|value| *value != Value::Null)
}

fn read_members(document: &[u8]) -> Result<Members<'_>, DiscoveryError> {
    if document.len() > MAX_METADATA_LEN {
        return Err(DiscoveryError::TooLarge {
            max: MAX_METADATA_LEN,
        });
    }
    let [
        issuer,
        authorization_endpoint,
        token_endpoint,
        revocation_endpoint,
        userinfo_endpoint,
        jwks_uri,
        response_types,
        grant_types,
        challenge_methods,
        auth_methods,
        iss_parameter,
        scopes,
    ] = named::read_object(document, &MEMBERS).map_err(|error| match error {
        ObjectError::Json(error) => DiscoveryError::Json(error),
        ObjectError::Duplicate(index) => DiscoveryError::DuplicateMember {
            member: MEMBERS.get(index).copied().unwrap_or("?"),
        },
    })?;
    Ok(Members {
        issuer: present(issuer),
        authorization_endpoint: present(authorization_endpoint),
        token_endpoint: present(token_endpoint),
        revocation_endpoint: present(revocation_endpoint),
        userinfo_endpoint: present(userinfo_endpoint),
        jwks_uri: present(jwks_uri),
        response_types: present(response_types),
        grant_types: present(grant_types),
        challenge_methods: present(challenge_methods),
        auth_methods: present(auth_methods),
        iss_parameter: present(iss_parameter),
        scopes: present(scopes),
    })
}

/// A string member decoded into `out`.
fn text<'out>(
    member: &'static str,
    value: Option<Value<'_>>,
    out: &'out mut [u8],
) -> Result<Option<&'out str>, DiscoveryError> {
    match value {
        None => Ok(None),
        Some(Value::String(raw)) => raw
            .decode_into(out)
            .map(Some)
            .map_err(|_| DiscoveryError::InvalidMember { member }),
        Some(_) => Err(DiscoveryError::InvalidMember { member }),
    }
}

/// An endpoint member: decoded and checked like a configured endpoint.
fn endpoint<'out>(
    member: &'static str,
    value: Option<Value<'_>>,
    out: &'out mut [u8; MAX_URL],
) -> Result<Option<&'out str>, DiscoveryError> {
    let Some(url) = text(member, value, out)? else {
        return Ok(None);
    };
    check_endpoint(url).map_err(|error| DiscoveryError::Endpoint { member, error })?;
    Ok(Some(url))
}

fn required<T>(member: &'static str, value: Option<T>) -> Result<T, DiscoveryError> {
    value.ok_or(DiscoveryError::MissingMember { member })
}

/// Whether the array member lists `wanted`; `None` when the member is absent.
fn lists(
    member: &'static str,
    value: Option<Value<'_>>,
    wanted: &str,
) -> Result<Option<bool>, DiscoveryError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Value::Composite(raw) = value else {
        return Err(DiscoveryError::InvalidMember { member });
    };
    let items = StringArray::new(raw).ok_or(DiscoveryError::InvalidMember { member })?;
    let mut found = false;
    for item in items {
        let item: RawStr<'_> = item.ok_or(DiscoveryError::InvalidMember { member })?;
        found |= item.is(wanted);
    }
    Ok(Some(found))
}

/// Fails unless the array member (when present) lists `needed`.
fn must_list(
    member: &'static str,
    value: Option<Value<'_>>,
    needed: &'static str,
) -> Result<(), DiscoveryError> {
    match lists(member, value, needed)? {
        Some(false) => Err(DiscoveryError::Unsupported { member, needed }),
        _ => Ok(()),
    }
}

/// The client authentication to use, given the app's wish and the server's list.
fn pick_auth_method(
    discovery: &Discovery<'_>,
    listed: Option<Value<'_>>,
) -> Result<AuthMethod, DiscoveryError> {
    const MEMBER: &str = "token_endpoint_auth_methods_supported";
    let has_secret = discovery.client_secret.is_some();
    if let Some(method) = discovery.auth_method {
        if (method == AuthMethod::None) == has_secret {
            return Err(DiscoveryError::AuthMethodMismatch);
        }
        // A public client is not refused over the list: many servers leave `none` out
        // of it although they serve PKCE public clients.
        if method != AuthMethod::None {
            must_list(MEMBER, listed, method.name())?;
        }
        return Ok(method);
    }
    if !has_secret {
        // Checked for well-formedness all the same.
        lists(MEMBER, listed, "none")?;
        return Ok(AuthMethod::None);
    }
    match lists(MEMBER, listed, AuthMethod::ClientSecretBasic.name())? {
        // RFC 8414 §2: when omitted, the default is client_secret_basic.
        None | Some(true) => Ok(AuthMethod::ClientSecretBasic),
        Some(false) => match lists(MEMBER, listed, AuthMethod::ClientSecretPost.name())? {
            Some(true) => Ok(AuthMethod::ClientSecretPost),
            _ => Err(DiscoveryError::Unsupported {
                member: MEMBER,
                needed: "client_secret_basic or client_secret_post",
            }),
        },
    }
}

impl ClientConfig {
    /// A configuration from the server's metadata `document` (RFC 8414 or OpenID Connect
    /// Discovery 1.0), which the host fetched.
    ///
    /// Checked, in this order, each refusal naming the member: the size; well-formed JSON
    /// with no member twice; `issuer` present and equal to [`Discovery::issuer`] exactly;
    /// `authorization_endpoint` and `token_endpoint` present, and every endpoint `https`
    /// (`http` only on loopback); `response_types_supported` present and listing `code`;
    /// `grant_types_supported`, when present, listing `authorization_code`;
    /// `code_challenge_methods_supported`, when present, listing `S256`; the client
    /// authentication (see [`Discovery::auth_method`]).
    ///
    /// Kept in the configuration: the endpoints (revocation, userinfo and `jwks_uri` when
    /// present) and the issuer. A redirect must carry `iss` when the document says
    /// `authorization_response_iss_parameter_supported: true`; otherwise an `iss` that is
    /// present must still equal the issuer (RFC 9207).
    ///
    /// # Errors
    ///
    /// [`DiscoveryError`].
    pub fn from_metadata(
        document: &[u8],
        discovery: &Discovery<'_>,
    ) -> Result<Self, DiscoveryError> {
        let members = read_members(document)?;

        let mut issuer_buf = [0u8; MAX_URL];
        let issuer = required("issuer", text("issuer", members.issuer, &mut issuer_buf)?)?;
        if issuer != discovery.issuer {
            return Err(DiscoveryError::IssuerMismatch);
        }
        check_endpoint(issuer).map_err(|error| DiscoveryError::Endpoint {
            member: "issuer",
            error,
        })?;

        let mut authorize_buf = [0u8; MAX_URL];
        let authorize = required(
            "authorization_endpoint",
            endpoint(
                "authorization_endpoint",
                members.authorization_endpoint,
                &mut authorize_buf,
            )?,
        )?;
        let mut token_buf = [0u8; MAX_URL];
        let token = required(
            "token_endpoint",
            endpoint("token_endpoint", members.token_endpoint, &mut token_buf)?,
        )?;
        let mut revocation_buf = [0u8; MAX_URL];
        let revocation = endpoint(
            "revocation_endpoint",
            members.revocation_endpoint,
            &mut revocation_buf,
        )?;
        let mut userinfo_buf = [0u8; MAX_URL];
        let userinfo = endpoint(
            "userinfo_endpoint",
            members.userinfo_endpoint,
            &mut userinfo_buf,
        )?;
        let mut jwks_buf = [0u8; MAX_URL];
        let jwks = endpoint("jwks_uri", members.jwks_uri, &mut jwks_buf)?;

        required("response_types_supported", members.response_types)?;
        must_list("response_types_supported", members.response_types, "code")?;
        must_list(
            "grant_types_supported",
            members.grant_types,
            "authorization_code",
        )?;
        must_list(
            "code_challenge_methods_supported",
            members.challenge_methods,
            "S256",
        )?;
        // Read for well-formedness; the scope stays the app's choice.
        lists("scopes_supported", members.scopes, "openid")?;
        let iss_required = match members.iss_parameter {
            None => false,
            Some(Value::Bool(flag)) => flag,
            Some(_) => {
                return Err(DiscoveryError::InvalidMember {
                    member: "authorization_response_iss_parameter_supported",
                });
            }
        };
        let method = pick_auth_method(discovery, members.auth_methods)?;

        let mut config = Self::new(
            discovery.profile,
            authorize,
            token,
            discovery.client_id,
            discovery.redirect_uri,
        )?;
        config = match (method, discovery.client_secret) {
            (AuthMethod::ClientSecretBasic, Some(secret)) => {
                config.with_client_secret_basic(secret)?
            }
            (AuthMethod::ClientSecretPost, Some(secret)) => {
                config.with_client_secret_post(secret)?
            }
            _ => config,
        };
        if let Some(revocation) = revocation {
            config = config.with_revocation_endpoint(revocation)?;
        }
        if let Some(userinfo) = userinfo {
            config = config.with_userinfo_endpoint(userinfo)?;
        }
        if let Some(jwks) = jwks {
            config = config.with_jwks_uri(jwks)?;
        }
        config.issuer = Some(
            String::try_from(issuer)
                .map_err(|_| DiscoveryError::InvalidMember { member: "issuer" })?,
        );
        Ok(config.with_issuer_required_on_redirect(iss_required))
    }
}
