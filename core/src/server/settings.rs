//! [`AppSettings`]: an app's definition as owned data — what an apps file or an admin API
//! reads (through the `serde` feature, unknown fields refused by name) and what
//! [`Registry::create_from`](super::Registry::create_from) registers.

use heapless::{String, Vec};

use super::app::{AppKind, AppSpec, RefreshPolicy};
use super::limits::{
    CLIENT_ID_LEN, MAX_APP_NAME, MAX_PUBLIC_KEY_TEXT, MAX_PUBLIC_KEYS, MAX_REDIRECT_URI,
    MAX_REDIRECT_URIS, MAX_SCOPE,
};

/// Everything that defines an app, owned, in fixed capacity. Defaults: refresh-token
/// rotation on, no absolute or inactivity lifetime, PKCE required, a generated client id.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct AppSettings {
    /// Display name (shown on the consent page).
    pub name: String<MAX_APP_NAME>,
    /// `web`, `single-page` or `machine-to-machine`.
    pub kind: AppKind,
    /// A chosen client id; generated when absent.
    #[cfg_attr(feature = "serde", serde(default))]
    pub client_id: Option<String<CLIENT_ID_LEN>>,
    /// Registered redirect URIs.
    #[cfg_attr(feature = "serde", serde(default))]
    pub redirect_uris: Vec<String<MAX_REDIRECT_URI>, MAX_REDIRECT_URIS>,
    /// Public keys (machine-to-machine and web apps): JWKs, public key PEMs or
    /// certificate PEMs.
    #[cfg_attr(feature = "serde", serde(default))]
    pub public_keys: Vec<String<MAX_PUBLIC_KEY_TEXT>, MAX_PUBLIC_KEYS>,
    /// Refresh-token rotation.
    #[cfg_attr(feature = "serde", serde(default = "yes"))]
    pub rotation: bool,
    /// Seconds from a grant's start after which its refresh tokens expire.
    #[cfg_attr(feature = "serde", serde(default))]
    pub absolute_lifetime: Option<u64>,
    /// Seconds of disuse after which a grant's refresh tokens expire.
    #[cfg_attr(feature = "serde", serde(default))]
    pub inactivity_lifetime: Option<u64>,
    /// Whether a web app must use PKCE (public apps always must).
    #[cfg_attr(feature = "serde", serde(default = "yes"))]
    pub require_pkce: bool,
    /// Whether a web app may also use the client credentials grant (machine-to-machine
    /// apps always may).
    #[cfg_attr(feature = "serde", serde(default))]
    pub client_credentials: bool,
    /// The scope the app may be granted without a user (client credentials).
    #[cfg_attr(feature = "serde", serde(default))]
    pub scope: String<MAX_SCOPE>,
}

#[cfg(feature = "serde")]
const fn yes() -> bool {
    true
}

impl AppSettings {
    /// Settings for an app `name` of `kind` with the defaults.
    #[must_use]
    pub const fn new(name: String<MAX_APP_NAME>, kind: AppKind) -> Self {
        Self {
            name,
            kind,
            client_id: None,
            redirect_uris: Vec::new(),
            public_keys: Vec::new(),
            rotation: true,
            absolute_lifetime: None,
            inactivity_lifetime: None,
            require_pkce: true,
            client_credentials: false,
            scope: String::new(),
        }
    }

    /// The refresh policy these settings give.
    #[must_use]
    pub const fn refresh_policy(&self) -> RefreshPolicy {
        RefreshPolicy {
            rotation: self.rotation,
            absolute_lifetime: self.absolute_lifetime,
            inactivity_lifetime: self.inactivity_lifetime,
        }
    }

    /// Calls `use_spec` with the [`AppSpec`] these settings describe (borrowed, on the
    /// stack: no allocation).
    pub fn with_spec<T>(&self, use_spec: impl FnOnce(&AppSpec<'_>) -> T) -> T {
        let mut uris = [""; MAX_REDIRECT_URIS];
        for (place, uri) in uris.iter_mut().zip(&self.redirect_uris) {
            *place = uri.as_str();
        }
        let mut keys = [""; MAX_PUBLIC_KEYS];
        for (place, key) in keys.iter_mut().zip(&self.public_keys) {
            *place = key.as_str();
        }
        let uris = uris.get(..self.redirect_uris.len()).unwrap_or(&[]);
        let keys = keys.get(..self.public_keys.len()).unwrap_or(&[]);
        let mut spec = AppSpec::new(&self.name, self.kind, uris);
        spec.public_keys = keys;
        spec.refresh = self.refresh_policy();
        spec.require_pkce = self.require_pkce;
        spec.client_credentials = self.client_credentials;
        spec.scope = &self.scope;
        use_spec(&spec)
    }
}
