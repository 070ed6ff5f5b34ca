//! Registered apps: kinds, redirect URIs, refresh-token policy.

use core::fmt;

use heapless::{String, Vec};
use subtle::ConstantTimeEq;

use super::limits::{
    CLIENT_ID_LEN, MAX_APP_NAME, MAX_CLIENT_SECRETS, MAX_PUBLIC_KEY, MAX_PUBLIC_KEYS,
    MAX_REDIRECT_URI, MAX_REDIRECT_URIS, MAX_SCOPE, MAX_SECRET_OVERLAP,
};
use super::store::StoreError;
use crate::time::Timestamp;

/// What kind of app, as in Workfront's "Create app integration". As serde data (and in
/// [`AppKind::name`]): `web`, `single-page`, `machine-to-machine` (also read: `web-app`,
/// `spa`, `native`, `m2m`).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppKind {
    /// A confidential web application: authenticates with a client secret that the server
    /// generates, shows once, and keeps only as a digest.
    #[cfg_attr(feature = "serde", serde(rename = "web", alias = "web-app"))]
    WebApp,
    /// A public single-page or native application: no secret; PKCE is required.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "single-page", alias = "spa", alias = "native")
    )]
    SinglePage,
    /// A machine-to-machine app: no user, no redirect. It authenticates with a client
    /// secret the server generates (like a web app's) and uses the client credentials
    /// grant (RFC 6749 §4.4; Adobe Developer Console's Server-to-Server credential). Its
    /// optional public keys are for Workfront's legacy JWT grant, which is not implemented
    /// yet. It is refused the code grant (`unauthorized_client`).
    #[cfg_attr(feature = "serde", serde(rename = "machine-to-machine", alias = "m2m"))]
    MachineToMachine,
}

impl AppKind {
    /// Its name in files and APIs.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::WebApp => "web",
            Self::SinglePage => "single-page",
            Self::MachineToMachine => "machine-to-machine",
        }
    }

    /// The kind a name (or one of its aliases) stands for.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "web" | "web-app" => Some(Self::WebApp),
            "single-page" | "spa" | "native" => Some(Self::SinglePage),
            "machine-to-machine" | "m2m" => Some(Self::MachineToMachine),
            _ => None,
        }
    }

    /// Whether apps of this kind hold a client secret: web and machine-to-machine apps.
    #[must_use]
    pub const fn is_confidential(self) -> bool {
        matches!(self, Self::WebApp | Self::MachineToMachine)
    }
}

/// How long refresh tokens live, and whether they rotate — Workfront's per-app settings.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefreshPolicy {
    /// Issue a new refresh token at every use; the old one dies, and presenting it again
    /// revokes the whole grant (RFC 9700 §4.14.2).
    pub rotation: bool,
    /// Seconds from the grant's start after which its refresh tokens expire; `None`: no
    /// absolute expiration.
    pub absolute_lifetime: Option<u64>,
    /// Seconds of disuse after which its refresh tokens expire; `None`: no inactivity
    /// expiration.
    pub inactivity_lifetime: Option<u64>,
}

impl Default for RefreshPolicy {
    /// Rotation on; 90-day absolute and 30-day inactivity lifetimes.
    fn default() -> Self {
        Self {
            rotation: true,
            absolute_lifetime: Some(90 * 24 * 3600),
            inactivity_lifetime: Some(30 * 24 * 3600),
        }
    }
}

/// What a host supplies to create or update an app.
#[derive(Debug, Clone, Copy)]
pub struct AppSpec<'a> {
    /// Display name (shown on the consent page).
    pub name: &'a str,
    /// The kind of app.
    pub kind: AppKind,
    /// Registered redirect URIs, at most [`MAX_REDIRECT_URIS`], each at most
    /// [`MAX_REDIRECT_URI`] bytes; not needed for machine-to-machine apps.
    pub redirect_uris: &'a [&'a str],
    /// Refresh-token rotation and lifetimes.
    pub refresh: RefreshPolicy,
    /// For machine-to-machine apps: their public keys (PEM or JWK text).
    pub public_keys: &'a [&'a str],
    /// For web apps: whether PKCE is required (default and recommended: `true`, RFC 9700
    /// §2.1.1). Public apps always require PKCE.
    pub require_pkce: bool,
    /// For web apps: whether they may also use the client credentials grant (default
    /// `false`). Machine-to-machine apps always may; single-page apps never (no secret).
    pub client_credentials: bool,
    /// The scope the app may be granted without a user (client credentials): a token
    /// request asks for a subset, or gets all of it when it names none. Empty: such
    /// tokens carry no scope. The code grant is not limited by it (the user consents).
    pub scope: &'a str,
}

impl<'a> AppSpec<'a> {
    /// A spec with the default refresh policy and PKCE required.
    #[must_use]
    pub fn new(name: &'a str, kind: AppKind, redirect_uris: &'a [&'a str]) -> Self {
        Self {
            name,
            kind,
            redirect_uris,
            refresh: RefreshPolicy::default(),
            public_keys: &[],
            require_pkce: true,
            client_credentials: false,
            scope: "",
        }
    }
}

/// Why an app spec was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppError {
    /// The registry holds its maximum number of apps.
    RegistryFull,
    /// No app with that client_id.
    UnknownApp,
    /// The name is empty or longer than [`MAX_APP_NAME`].
    InvalidName,
    /// An app that uses the code grant needs at least one redirect URI.
    NoRedirectUri,
    /// More than [`MAX_REDIRECT_URIS`] redirect URIs.
    TooManyRedirectUris,
    /// A redirect URI is malformed, too long, has a fragment, is plain `http` to a
    /// non-loopback host, or uses a dangerous scheme.
    InvalidRedirectUri {
        /// Its position in the list.
        index: usize,
    },
    /// A machine-to-machine or web app may hold at most [`MAX_PUBLIC_KEYS`] public keys,
    /// each non-empty and at most [`MAX_PUBLIC_KEY`] bytes; single-page apps hold none.
    InvalidPublicKeys,
    /// A public key is not a JWK, SubjectPublicKeyInfo PEM or certificate PEM of an RSA
    /// (2048–4096 bits), P-256 or Ed25519 signing key (a JWK whose `use` is not `sig` is
    /// refused).
    UnreadablePublicKey {
        /// Its position in the list.
        index: usize,
    },
    /// Only web and machine-to-machine apps hold a secret; single-page apps cannot use
    /// the client credentials grant.
    NotConfidential,
    /// The app's scope is malformed (RFC 6749 §3.3) or longer than its capacity.
    InvalidScope,
    /// The random number generator failed.
    Randomness,
    /// A chosen client id is empty, too long, not URL-safe, or already in use.
    InvalidClientId,
    /// The app already holds two live secrets: delete one first.
    TooManySecrets,
    /// No live secret in that slot.
    UnknownSecret,
    /// The app's only live secret cannot be deleted (rotate it instead).
    LastSecret,
    /// A secret overlap longer than 24 hours.
    InvalidOverlap,
    /// The grant store refused (ending the app's grants).
    Store(StoreError),
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RegistryFull => f.write_str("the app registry is full"),
            Self::UnknownApp => f.write_str("no app with that client_id"),
            Self::InvalidName => write!(f, "the app name must be 1 to {MAX_APP_NAME} bytes"),
            Self::NoRedirectUri => f.write_str("the app needs at least one redirect URI"),
            Self::TooManyRedirectUris => write!(f, "at most {MAX_REDIRECT_URIS} redirect URIs"),
            Self::InvalidRedirectUri { index } => {
                write!(f, "redirect URI #{index} is not acceptable")
            }
            Self::InvalidPublicKeys => {
                write!(
                    f,
                    "a machine-to-machine or web app holds at most {MAX_PUBLIC_KEYS} non-empty public keys of at most {MAX_PUBLIC_KEY} bytes (single-page apps none)"
                )
            }
            Self::UnreadablePublicKey { index } => write!(
                f,
                "public key #{index} is not a JWK, public key PEM or certificate PEM of an RSA (2048-4096 bits), P-256 or Ed25519 signing key (use \"sig\")"
            ),
            Self::NotConfidential => f.write_str(
                "only web and machine-to-machine apps have a client secret (and may use client credentials)",
            ),
            Self::InvalidScope => f.write_str("the app's scope is malformed or too long"),
            Self::Randomness => f.write_str("the random number generator failed"),
            Self::InvalidClientId => {
                f.write_str("the client_id must be 1 to 32 URL-safe characters and unused")
            }
            Self::TooManySecrets => write!(
                f,
                "the app already holds {MAX_CLIENT_SECRETS} secrets; delete one first"
            ),
            Self::UnknownSecret => f.write_str("no live secret in that slot"),
            Self::LastSecret => f.write_str("the app's only secret cannot be deleted"),
            Self::InvalidOverlap => write!(
                f,
                "the secret overlap is at most {MAX_SECRET_OVERLAP} seconds"
            ),
            Self::Store(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl core::error::Error for AppError {}

/// One client secret of a web app: its SHA-256 digest and when it was made, last used,
/// and stops working.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientSecret {
    pub(crate) digest: [u8; 32],
    pub(crate) created_at: Option<Timestamp>,
    pub(crate) last_used: Option<Timestamp>,
    pub(crate) expires_at: Option<Timestamp>,
}

impl ClientSecret {
    pub(crate) fn live(&self, now: Option<Timestamp>) -> bool {
        match (self.expires_at, now) {
            (Some(expires_at), Some(now)) => now < expires_at,
            _ => true,
        }
    }
}

/// What the host may see of a client secret (never the secret itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretInfo {
    /// Its slot (0 or 1), to delete it by.
    pub slot: usize,
    /// When it was made, if the call that made it was given the time.
    pub created_at: Option<Timestamp>,
    /// When a client last authenticated with it.
    pub last_used_at: Option<Timestamp>,
    /// When it stops working (set when it was rotated out with an overlap).
    pub expires_at: Option<Timestamp>,
}

/// A registered app.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub(crate) client_id: String<CLIENT_ID_LEN>,
    pub(crate) name: String<MAX_APP_NAME>,
    pub(crate) kind: AppKind,
    pub(crate) secrets: [Option<ClientSecret>; MAX_CLIENT_SECRETS],
    pub(crate) redirect_uris: Vec<String<MAX_REDIRECT_URI>, MAX_REDIRECT_URIS>,
    pub(crate) public_keys: Vec<String<MAX_PUBLIC_KEY>, MAX_PUBLIC_KEYS>,
    pub(crate) refresh: RefreshPolicy,
    pub(crate) require_pkce: bool,
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) client_credentials: bool,
    #[cfg_attr(feature = "serde", serde(default))]
    pub(crate) scope: String<MAX_SCOPE>,
}

impl App {
    /// An app of `kind` with nothing in it yet, which the registry fills in place.
    pub(crate) const fn empty(kind: AppKind) -> Self {
        Self {
            client_id: String::new(),
            name: String::new(),
            kind,
            secrets: [None; MAX_CLIENT_SECRETS],
            redirect_uris: Vec::new(),
            public_keys: Vec::new(),
            refresh: RefreshPolicy {
                rotation: false,
                absolute_lifetime: None,
                inactivity_lifetime: None,
            },
            require_pkce: true,
            client_credentials: false,
            scope: String::new(),
        }
    }

    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The display name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The kind.
    #[must_use]
    pub const fn kind(&self) -> AppKind {
        self.kind
    }

    /// The registered redirect URIs.
    pub fn redirect_uris(&self) -> impl Iterator<Item = &str> {
        self.redirect_uris.iter().map(String::as_str)
    }

    /// The registered public keys (machine-to-machine apps).
    pub fn public_keys(&self) -> impl Iterator<Item = &str> {
        self.public_keys.iter().map(String::as_str)
    }

    /// The refresh-token policy.
    #[must_use]
    pub const fn refresh_policy(&self) -> RefreshPolicy {
        self.refresh
    }

    /// Whether the app may use the client credentials grant.
    #[must_use]
    pub const fn uses_client_credentials(&self) -> bool {
        matches!(self.kind, AppKind::MachineToMachine)
            || (matches!(self.kind, AppKind::WebApp) && self.client_credentials)
    }

    /// The scope the app may be granted without a user (see [`AppSpec::scope`]).
    #[must_use]
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The app's client secrets (web apps): slot, creation, last use, expiry.
    pub fn secrets(&self) -> impl Iterator<Item = SecretInfo> + '_ {
        self.secrets
            .iter()
            .enumerate()
            .filter_map(|(slot, secret)| {
                secret.map(|secret| SecretInfo {
                    slot,
                    created_at: secret.created_at,
                    last_used_at: secret.last_used,
                    expires_at: secret.expires_at,
                })
            })
    }

    /// The slot of the live secret whose digest matches SHA-256 of `presented`, comparing
    /// every slot in constant time.
    pub(crate) fn matching_secret(&self, presented: &[u8], now: Timestamp) -> Option<usize> {
        let computed = super::tokens::digest(presented);
        let mut found = None;
        for (slot, secret) in self.secrets.iter().enumerate() {
            if let Some(secret) = secret {
                let equal = bool::from(computed.ct_eq(&secret.digest));
                if equal && secret.live(Some(now)) {
                    found = Some(slot);
                }
            }
        }
        found
    }

    /// Whether the code grant requires PKCE for this app.
    #[must_use]
    pub const fn requires_pkce(&self) -> bool {
        self.require_pkce || !self.kind.is_confidential()
    }

    /// Whether `presented` is one of the registered redirect URIs.
    ///
    /// Exact string comparison (RFC 9700 §4.1.3), except for loopback IP literals:
    /// `http://127.0.0.1:PORT/…` and `http://[::1]:PORT/…` match whatever the port
    /// (RFC 8252 §7.3), since a native app picks a free port at run time. `localhost` gets
    /// no such allowance: it is compared exactly, because the name may resolve to something
    /// other than the loopback interface (RFC 8252 §8.3) — register `127.0.0.1` instead.
    #[must_use]
    pub fn matches_redirect_uri(&self, presented: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| registered == presented || loopback_match(registered, presented))
    }
}

/// Registered and presented are both `http://<loopback IP literal>[:port]<rest>` with the
/// same IP and the same rest.
fn loopback_match(registered: &str, presented: &str) -> bool {
    match (split_loopback(registered), split_loopback(presented)) {
        (Some((ip_a, rest_a)), Some((ip_b, rest_b))) => ip_a == ip_b && rest_a == rest_b,
        _ => false,
    }
}

/// `http://127.0.0.1:8080/cb` → (`127.0.0.1`, `/cb`); `None` unless a loopback IP literal.
fn split_loopback(uri: &str) -> Option<(&str, &str)> {
    let after = uri.strip_prefix("http://")?;
    let (host, rest) = if after.starts_with("[::1]") {
        after.split_at_checked(5)?
    } else {
        let end = after.find([':', '/', '?']).unwrap_or(after.len());
        after.split_at_checked(end)?
    };
    let is_v4_loopback = host != "[::1]" && crate::oauth::is_loopback_ip(host);
    if host != "[::1]" && !is_v4_loopback {
        return None;
    }
    // Drop the port, if any.
    let rest = match rest.strip_prefix(':') {
        Some(port_and_path) => {
            let digits = port_and_path
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(port_and_path.len());
            if digits == 0 || digits > 5 {
                return None;
            }
            port_and_path.get(digits..)?
        }
        None => rest,
    };
    Some((host, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(uris: &[&str]) -> App {
        App {
            client_id: String::new(),
            name: String::new(),
            kind: AppKind::SinglePage,
            secrets: [None; MAX_CLIENT_SECRETS],
            redirect_uris: uris.iter().map(|u| String::try_from(*u).unwrap()).collect(),
            public_keys: Vec::new(),
            refresh: RefreshPolicy::default(),
            require_pkce: true,
            client_credentials: false,
            scope: String::new(),
        }
    }

    #[test]
    fn redirect_uris_match_exactly() {
        let app = app(&["https://app.example.com/cb", "com.example.app:/oauth2"]);
        assert!(app.matches_redirect_uri("https://app.example.com/cb"));
        assert!(app.matches_redirect_uri("com.example.app:/oauth2"));
        for other in [
            "https://app.example.com/cb/",
            "https://app.example.com/cb?x=1",
            "https://APP.example.com/cb",
            "https://app.example.com/c",
            "https://app.example.com/cb#",
            "http://app.example.com/cb",
        ] {
            assert!(!app.matches_redirect_uri(other), "{other}");
        }
    }

    #[test]
    fn loopback_ip_redirects_match_any_port() {
        let app = app(&["http://127.0.0.1/callback", "http://[::1]:8080/cb"]);
        assert!(app.matches_redirect_uri("http://127.0.0.1:51234/callback"));
        assert!(app.matches_redirect_uri("http://127.0.0.1/callback"));
        assert!(app.matches_redirect_uri("http://[::1]:1/cb"));
        assert!(app.matches_redirect_uri("http://[::1]/cb"));
        assert!(!app.matches_redirect_uri("http://127.0.0.1:51234/other"));
        assert!(
            !app.matches_redirect_uri("http://127.0.0.2:51234/callback"),
            "same IP required"
        );
        assert!(!app.matches_redirect_uri("http://[::1]:1/callback"));
        assert!(!app.matches_redirect_uri("http://127.0.0.1:abc/callback"));
        assert!(!app.matches_redirect_uri("https://127.0.0.1:5/callback"));
    }

    #[test]
    fn localhost_is_compared_exactly() {
        let app = app(&["http://localhost:8080/cb"]);
        assert!(app.matches_redirect_uri("http://localhost:8080/cb"));
        assert!(!app.matches_redirect_uri("http://localhost:9090/cb"));
    }
}
