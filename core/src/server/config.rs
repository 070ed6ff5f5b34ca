//! Server-wide settings.

use heapless::String;

use super::limits::MAX_APP_NAME;
use crate::client::limits::MAX_URL;
use crate::profile::Profile;

/// Workfront's values that go on the redirect (`domain`, `lane`) and in the token
/// response (`wid`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkfrontIdentity {
    /// The organisation's domain, e.g. `acme.my.workfront.com`.
    pub domain: String<MAX_URL>,
    /// The cluster lane.
    pub lane: String<MAX_APP_NAME>,
    /// The workspace id returned as `wid`.
    pub wid: String<MAX_APP_NAME>,
}

/// Why a server setting was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerConfigError {
    /// The issuer must be an `https` URL (or `http` on loopback) without query or fragment
    /// (RFC 8414 §2), at most 512 bytes.
    InvalidIssuer,
    /// A Workfront identity value is too long or contains characters outside
    /// `A-Z a-z 0-9 - . _ ~ :`.
    InvalidWorkfrontIdentity,
    /// A lifetime of zero seconds.
    ZeroLifetime,
}

impl core::fmt::Display for ServerConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::InvalidIssuer => "the issuer must be an https URL without query or fragment",
            Self::InvalidWorkfrontIdentity => {
                "a Workfront domain, lane or wid value is too long or malformed"
            }
            Self::ZeroLifetime => "a lifetime must be at least one second",
        })
    }
}

impl core::error::Error for ServerConfigError {}

/// How the server behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    pub(crate) profile: Profile,
    pub(crate) issuer: Option<String<MAX_URL>>,
    pub(crate) code_lifetime: u64,
    pub(crate) access_token_lifetime: u64,
    pub(crate) workfront: Option<WorkfrontIdentity>,
}

impl ServerConfig {
    /// Default access token lifetime: one hour.
    pub const DEFAULT_ACCESS_TOKEN_LIFETIME: u64 = 3600;

    /// Settings for `profile`: its code lifetime (120 s for Workfront, 600 s otherwise),
    /// one-hour access tokens, no issuer.
    #[must_use]
    pub const fn new(profile: Profile) -> Self {
        Self {
            profile,
            issuer: None,
            code_lifetime: profile.code_lifetime_seconds(),
            access_token_lifetime: Self::DEFAULT_ACCESS_TOKEN_LIFETIME,
            workfront: None,
        }
    }

    /// Announces `issuer` as `iss` on every redirect (RFC 9207).
    ///
    /// # Errors
    ///
    /// [`ServerConfigError::InvalidIssuer`].
    pub fn with_issuer(mut self, issuer: &str) -> Result<Self, ServerConfigError> {
        crate::client::check_endpoint(issuer).map_err(|_| ServerConfigError::InvalidIssuer)?;
        if issuer.contains(|c: char| c == '?') {
            return Err(ServerConfigError::InvalidIssuer);
        }
        self.issuer = Some(String::try_from(issuer).map_err(|_| ServerConfigError::InvalidIssuer)?);
        Ok(self)
    }

    /// Sets Workfront's `domain`, `lane` (sent on redirects) and `wid` (sent in token
    /// responses). Used by the Workfront profile only.
    ///
    /// # Errors
    ///
    /// [`ServerConfigError::InvalidWorkfrontIdentity`].
    pub fn with_workfront_identity(
        mut self,
        domain: &str,
        lane: &str,
        wid: &str,
    ) -> Result<Self, ServerConfigError> {
        let ok = |value: &str| {
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~:".contains(&b))
        };
        if !ok(domain) || !ok(lane) || !ok(wid) {
            return Err(ServerConfigError::InvalidWorkfrontIdentity);
        }
        let invalid = |_| ServerConfigError::InvalidWorkfrontIdentity;
        self.workfront = Some(WorkfrontIdentity {
            domain: String::try_from(domain).map_err(invalid)?,
            lane: String::try_from(lane).map_err(invalid)?,
            wid: String::try_from(wid).map_err(invalid)?,
        });
        Ok(self)
    }

    /// Sets how long codes stay valid (seconds).
    ///
    /// # Errors
    ///
    /// [`ServerConfigError::ZeroLifetime`].
    pub fn with_code_lifetime(mut self, seconds: u64) -> Result<Self, ServerConfigError> {
        if seconds == 0 {
            return Err(ServerConfigError::ZeroLifetime);
        }
        self.code_lifetime = seconds;
        Ok(self)
    }

    /// Sets how long access tokens stay valid (seconds).
    ///
    /// # Errors
    ///
    /// [`ServerConfigError::ZeroLifetime`].
    pub fn with_access_token_lifetime(mut self, seconds: u64) -> Result<Self, ServerConfigError> {
        if seconds == 0 {
            return Err(ServerConfigError::ZeroLifetime);
        }
        self.access_token_lifetime = seconds;
        Ok(self)
    }

    /// The profile.
    #[must_use]
    pub const fn profile(&self) -> Profile {
        self.profile
    }

    /// The issuer, if set.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Seconds a code stays valid: a code issued at `t` is redeemable while `now < t +
    /// lifetime`.
    #[must_use]
    pub const fn code_lifetime(&self) -> u64 {
        self.code_lifetime
    }

    /// Seconds an access token stays valid.
    #[must_use]
    pub const fn access_token_lifetime(&self) -> u64 {
        self.access_token_lifetime
    }
}
