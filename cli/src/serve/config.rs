//! The apps file: apps to register when `serve` starts.
//!
//! ```toml
//! [[app]]
//! name = "Mobile"
//! kind = "single-page"            # or "web", "machine-to-machine"
//! client_id = "mobile-dev"        # optional: a fixed id, so clients can be configured
//! redirect_uris = ["http://127.0.0.1/callback", "com.example.app:/oauth2"]
//! rotation = true                 # default true
//! absolute_lifetime = 7776000     # seconds; omit for no absolute expiration
//! inactivity_lifetime = 2592000   # seconds; omit for no inactivity expiration
//! public_keys = []                # machine-to-machine apps only
//! require_pkce = true             # web apps may turn it off; public apps always use PKCE
//! description = "Field app"       # optional, shown on the consent page, like
//! logo_url = "https://example.com/logo.png"  # https, or data:image/png;base64,… ≤ 64 KiB
//! app_description_url = "https://example.com/app"
//! developer_name = "Example Ltd"
//! developer_email = "dev@example.com"
//! privacy_policy_url = "https://example.com/privacy"
//!
//! [server]                        # optional: how the tables are shared
//! codes_per_app = 400             # default: code slots × 7/8 / 10
//! grants_per_app = 6500           # default: grant slots / 10
//! codes_per_subject = 8           # 1 to 8
//! access_tokens_per_grant = 2     # 1 to 4
//! refresh_grace = 0               # seconds, 0 (off) to 60
//! code_lifetime = 120             # seconds (default: the profile's)
//! access_token_lifetime = 3600    # seconds
//! ```

use std::path::Path;

use authcode::server::{AppKind, AppSettings, Quotas, ServerConfig, ServerConfigError};
use serde::Deserialize;

use super::CoreServer;
use super::details::{AppDetails, DetailsStore, parse_app};

/// The file's contents.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppsFile {
    /// Server-wide settings.
    #[serde(default)]
    pub server: ServerSettings,
    /// The apps.
    #[serde(default)]
    pub app: Vec<AppConfig>,
}

/// The `[server]` table: quotas, access tokens per grant, the refresh grace window.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Live pending codes one app may hold (default: its share of the code table).
    pub codes_per_app: Option<u32>,
    /// Live grants one app may hold (default: its share of the grant table).
    pub grants_per_app: Option<u32>,
    /// Pending codes one subject may hold, 1 to 8 (default 8).
    pub codes_per_subject: Option<u8>,
    /// Live access tokens per grant, 1 to 4 (default 2).
    pub access_tokens_per_grant: Option<u8>,
    /// Refresh grace window in seconds, 0 to 60 (default 0: off).
    pub refresh_grace: Option<u64>,
    /// Seconds a code stays valid (default: the profile's, 120 for Workfront).
    pub code_lifetime: Option<u64>,
    /// Seconds an access token stays valid (default 3600).
    pub access_token_lifetime: Option<u64>,
}

impl ServerSettings {
    /// These settings with each one that `other` sets taken from `other`.
    #[must_use]
    pub fn overridden_by(&self, other: &Self) -> Self {
        Self {
            codes_per_app: other.codes_per_app.or(self.codes_per_app),
            grants_per_app: other.grants_per_app.or(self.grants_per_app),
            codes_per_subject: other.codes_per_subject.or(self.codes_per_subject),
            access_tokens_per_grant: other
                .access_tokens_per_grant
                .or(self.access_tokens_per_grant),
            refresh_grace: other.refresh_grace.or(self.refresh_grace),
            code_lifetime: other.code_lifetime.or(self.code_lifetime),
            access_token_lifetime: other.access_token_lifetime.or(self.access_token_lifetime),
        }
    }

    /// `config` with these settings.
    ///
    /// # Errors
    ///
    /// The core's refusal of a value out of range.
    pub fn apply(&self, config: ServerConfig) -> Result<ServerConfig, ServerConfigError> {
        let defaults = Quotas::default();
        let mut config = config.with_quotas(Quotas {
            codes_per_app: self.codes_per_app,
            grants_per_app: self.grants_per_app,
            codes_per_subject: self.codes_per_subject.unwrap_or(defaults.codes_per_subject),
        })?;
        if let Some(count) = self.access_tokens_per_grant {
            config = config.with_access_tokens_per_grant(count)?;
        }
        if let Some(seconds) = self.refresh_grace {
            config = config.with_refresh_grace(seconds)?;
        }
        if let Some(seconds) = self.code_lifetime {
            config = config.with_code_lifetime(seconds)?;
        }
        if let Some(seconds) = self.access_token_lifetime {
            config = config.with_access_token_lifetime(seconds)?;
        }
        Ok(config)
    }
}

/// One app of the file: the core's [`AppSettings`] (name, kind, client id, redirect URIs,
/// rotation, lifetimes, public keys, PKCE) and what the consent page shows about it.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// What the core registers.
    pub settings: AppSettings,
    pub(crate) details: AppDetails,
}

impl<'de> Deserialize<'de> for AppConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let (settings, details) = parse_app(value).map_err(serde::de::Error::custom)?;
        Ok(Self { settings, details })
    }
}

/// The name of an app kind.
pub(crate) const fn kind_name(kind: AppKind) -> &'static str {
    kind.name()
}

impl AppsFile {
    /// Reads and parses the file.
    ///
    /// # Errors
    ///
    /// A message naming the file and the problem (with the TOML line for syntax errors).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        toml::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// The same file without the apps whose name `known` says is registered already.
    pub(crate) fn without(&self, known: impl Fn(&str) -> bool) -> Self {
        Self {
            server: self.server.clone(),
            app: self
                .app
                .iter()
                .filter(|app| !known(&app.settings.name))
                .cloned()
                .collect(),
        }
    }

    /// Registers every app; returns `(name, client_id, secret)` for each.
    ///
    /// # Errors
    ///
    /// A message naming the app and what is wrong with it.
    pub(crate) fn register(
        &self,
        server: &mut CoreServer,
        details: &DetailsStore,
    ) -> Result<Vec<(String, String, Option<String>)>, String> {
        let mut registered = Vec::new();
        for app in &self.app {
            let name = app.settings.name.as_str();
            let created = server
                .registry_mut()
                .create_from(&app.settings, &mut getrandom::SysRng)
                .map_err(|error| format!("app {name:?}: {error}"))?;
            details
                .save(server, &created.client_id, &app.details)
                .map_err(|_| format!("app {name:?}: the store is unavailable"))?;
            registered.push((
                name.to_owned(),
                created.client_id.to_string(),
                created
                    .client_secret
                    .map(|secret| secret.as_str().to_owned()),
            ));
        }
        Ok(registered)
    }
}
