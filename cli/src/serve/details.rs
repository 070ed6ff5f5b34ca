//! The fields of Workfront's "Create app integration" form that the protocol does not need
//! — description, logo, app description URL, developer name and e-mail, privacy policy
//! URL. `serve` keeps them (the core does not), returns them from the admin API and shows
//! them on the consent page; over Redis they are kept there, so every node shows them.

use std::collections::HashMap;
use std::sync::Mutex;

use authcode::server::AppSettings;
use serde::{Deserialize, Serialize};

use super::node::{CoreServer, StoreDown};

/// The longest logo as a `data:` URL (the page carries it inline).
pub(crate) const MAX_LOGO_DATA_URL: usize = 64 * 1024;
const MAX_TEXT: usize = 2_000;
const MAX_URL: usize = 2_048;

/// What the consent page may show about an app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AppDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) logo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) app_description_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) developer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) developer_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) privacy_policy_url: Option<String>,
}

/// The names of those fields, as they appear beside the core's in a request.
const FIELDS: [&str; 6] = [
    "description",
    "logo_url",
    "app_description_url",
    "developer_name",
    "developer_email",
    "privacy_policy_url",
];

fn https_url(field: &str, value: &str) -> Result<(), String> {
    let parsed = url::Url::parse(value).map_err(|error| format!("{field}: {error}"))?;
    if parsed.scheme() != "https" || value.len() > MAX_URL {
        return Err(format!(
            "{field} must be an https URL of at most {MAX_URL} bytes"
        ));
    }
    Ok(())
}

/// Whether `value` is a base64 `data:` URL of a raster image.
fn image_data_url(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("data:image/") else {
        return false;
    };
    let Some((kind, data)) = rest.split_once(";base64,") else {
        return false;
    };
    matches!(kind, "png" | "jpeg" | "gif" | "webp")
        && data
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

impl AppDetails {
    /// Checks every field: texts of bounded length, `https` URLs, a logo from `https` or
    /// a `data:image/…;base64,` URL of at most 64 KiB, an e-mail address with an `@`.
    pub(crate) fn check(&self) -> Result<(), String> {
        for (field, value) in [
            ("description", &self.description),
            ("developer_name", &self.developer_name),
        ] {
            if value.as_ref().is_some_and(|text| text.len() > MAX_TEXT) {
                return Err(format!("{field} is longer than {MAX_TEXT} bytes"));
            }
        }
        if let Some(email) = &self.developer_email {
            let plausible = email.len() <= 254
                && email.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty()
                        && domain.contains('.')
                        && !email.contains(char::is_whitespace)
                });
            if !plausible {
                return Err("developer_email is not an e-mail address".to_owned());
            }
        }
        for (field, value) in [
            ("app_description_url", &self.app_description_url),
            ("privacy_policy_url", &self.privacy_policy_url),
        ] {
            if let Some(value) = value {
                https_url(field, value)?;
            }
        }
        if let Some(logo) = &self.logo_url {
            if logo.starts_with("data:") {
                if logo.len() > MAX_LOGO_DATA_URL || !image_data_url(logo) {
                    return Err(format!(
                        "logo_url as a data URL must be data:image/(png|jpeg|gif|webp);base64,… of at most {MAX_LOGO_DATA_URL} bytes"
                    ));
                }
            } else {
                https_url("logo_url", logo)?;
            }
        }
        Ok(())
    }

    /// Whether every field is empty.
    pub(crate) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Reads one app of an apps file or an admin request: the core's [`AppSettings`] and
/// `serve`'s [`AppDetails`], each refusing unknown fields by name.
pub(crate) fn parse_app(value: serde_json::Value) -> Result<(AppSettings, AppDetails), String> {
    let serde_json::Value::Object(mut fields) = value else {
        return Err("an app must be an object".to_owned());
    };
    let mut details = serde_json::Map::new();
    for name in FIELDS {
        if let Some(value) = fields.remove(name) {
            details.insert(name.to_owned(), value);
        }
    }
    let settings: AppSettings = serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|error| error.to_string())?;
    let details: AppDetails = serde_json::from_value(serde_json::Value::Object(details))
        .map_err(|error| error.to_string())?;
    details.check()?;
    Ok((settings, details))
}

/// Where the details are kept: in this process, or in the node's Redis.
#[derive(Default)]
pub(crate) struct DetailsStore {
    local: Mutex<HashMap<String, AppDetails>>,
}

/// The Redis key space of the details.
const SHARED_NAME: &str = "app-details";

impl DetailsStore {
    /// Keeps `details` for `client_id` (an empty set removes them).
    pub(crate) fn save(
        &self,
        server: &CoreServer,
        client_id: &str,
        details: &AppDetails,
    ) -> Result<(), StoreDown> {
        if details.is_empty() {
            return self.remove(server, client_id);
        }
        match server.store() {
            super::NodeStore::Redis(redis) => {
                let value = serde_json::to_vec(details).map_err(|_| StoreDown)?;
                redis
                    .put_value(SHARED_NAME, client_id, &value)
                    .map_err(|_| StoreDown)
            }
            super::NodeStore::Memory(_) => {
                let mut local = self.local.lock().map_err(|_| StoreDown)?;
                local.insert(client_id.to_owned(), details.clone());
                Ok(())
            }
        }
    }

    /// The details of `client_id` (empty when none were given).
    pub(crate) fn load(
        &self,
        server: &CoreServer,
        client_id: &str,
    ) -> Result<AppDetails, StoreDown> {
        match server.store() {
            super::NodeStore::Redis(redis) => {
                let value = redis
                    .get_value(SHARED_NAME, client_id)
                    .map_err(|_| StoreDown)?;
                Ok(value
                    .and_then(|value| serde_json::from_slice(&value).ok())
                    .unwrap_or_default())
            }
            super::NodeStore::Memory(_) => {
                let local = self.local.lock().map_err(|_| StoreDown)?;
                Ok(local.get(client_id).cloned().unwrap_or_default())
            }
        }
    }

    /// Forgets the details of `client_id` (its app was deleted).
    pub(crate) fn remove(&self, server: &CoreServer, client_id: &str) -> Result<(), StoreDown> {
        match server.store() {
            super::NodeStore::Redis(redis) => redis
                .delete_value(SHARED_NAME, client_id)
                .map_err(|_| StoreDown),
            super::NodeStore::Memory(_) => {
                let mut local = self.local.lock().map_err(|_| StoreDown)?;
                local.remove(client_id);
                Ok(())
            }
        }
    }
}
