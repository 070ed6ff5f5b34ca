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

use authcode::server::{AppKind, AppSpec, Quotas, RefreshPolicy, ServerConfig, ServerConfigError};
use serde::Deserialize;

use super::CoreServer;

/// The file's contents.
#[derive(Debug, Default, Deserialize)]
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

/// One app.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    /// Display name.
    pub name: String,
    /// `web`, `single-page` or `machine-to-machine`.
    pub kind: String,
    /// A fixed client id, or a random one when absent.
    pub client_id: Option<String>,
    /// Registered redirect URIs.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Refresh-token rotation (default on).
    pub rotation: Option<bool>,
    /// Absolute refresh lifetime in seconds.
    pub absolute_lifetime: Option<u64>,
    /// Inactivity refresh lifetime in seconds.
    pub inactivity_lifetime: Option<u64>,
    /// Public keys (machine-to-machine).
    #[serde(default)]
    pub public_keys: Vec<String>,
}

/// An app kind from its name in files and the admin API.
pub(crate) fn parse_kind(kind: &str) -> Option<AppKind> {
    match kind {
        "web" | "web-app" => Some(AppKind::WebApp),
        "single-page" | "spa" | "native" => Some(AppKind::SinglePage),
        "machine-to-machine" | "m2m" => Some(AppKind::MachineToMachine),
        _ => None,
    }
}

/// The name of an app kind.
pub(crate) const fn kind_name(kind: AppKind) -> &'static str {
    match kind {
        AppKind::WebApp => "web",
        AppKind::SinglePage => "single-page",
        AppKind::MachineToMachine => "machine-to-machine",
    }
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
                .filter(|app| !known(&app.name))
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
    ) -> Result<Vec<(String, String, Option<String>)>, String> {
        let mut registered = Vec::new();
        for app in &self.app {
            let kind = parse_kind(&app.kind).ok_or_else(|| {
                format!(
                    "app {:?}: kind must be web, single-page or machine-to-machine, not {:?}",
                    app.name, app.kind
                )
            })?;
            let uris: Vec<&str> = app.redirect_uris.iter().map(String::as_str).collect();
            let keys: Vec<&str> = app.public_keys.iter().map(String::as_str).collect();
            let mut spec = AppSpec::new(&app.name, kind, &uris);
            spec.public_keys = &keys;
            spec.refresh = RefreshPolicy {
                rotation: app.rotation.unwrap_or(true),
                absolute_lifetime: app.absolute_lifetime,
                inactivity_lifetime: app.inactivity_lifetime,
            };
            let mut rng = getrandom::SysRng;
            let created = match &app.client_id {
                Some(id) => server
                    .registry_mut()
                    .create_with_client_id(&spec, id, &mut rng),
                None => server.registry_mut().create(&spec, &mut rng),
            }
            .map_err(|error| format!("app {:?}: {error}", app.name))?;
            registered.push((
                app.name.clone(),
                created.client_id.to_string(),
                created
                    .client_secret
                    .map(|secret| secret.as_str().to_owned()),
            ));
        }
        Ok(registered)
    }
}
