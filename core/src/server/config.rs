//! Server-wide settings.

use heapless::String;

use super::limits::{
    MAX_ACCESS_TOKENS_PER_GRANT, MAX_APP_NAME, MAX_CODES_PER_SUBJECT, MAX_REFRESH_GRACE,
};
use crate::oauth::limits::MAX_URL;
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
    /// A quota of zero, or a per-subject code cap outside 1 to 8.
    InvalidQuota,
    /// Access tokens per grant outside 1 to 4.
    InvalidAccessTokenCap,
    /// A refresh grace window longer than 60 seconds.
    GraceTooLong,
}

impl core::fmt::Display for ServerConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::InvalidIssuer => "the issuer must be an https URL without query or fragment",
            Self::InvalidWorkfrontIdentity => {
                "a Workfront domain, lane or wid value is too long or malformed"
            }
            Self::ZeroLifetime => "a lifetime must be at least one second",
            Self::InvalidQuota => "quotas must be at least 1, and pending codes per subject 1 to 8",
            Self::InvalidAccessTokenCap => "access tokens per grant must be 1 to 4",
            Self::GraceTooLong => "the refresh grace window is at most 60 seconds",
        })
    }
}

impl core::error::Error for ServerConfigError {}

/// How the tables are shared, so that no app and no user can take another's room.
///
/// With the defaults, each app may hold `capacity / APPS` of the code table and of the
/// grant table (`APPS`: the registry's capacity), so the quotas of all apps together never
/// exceed a table: an app under its quota always finds room. A quota set by hand may
/// oversubscribe a table; then an app under its quota can meet a full table
/// (`temporarily_unavailable`). See `README.md` ("Quotas").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quotas {
    /// Live pending codes one app may hold; `None`: the code table's live capacity divided
    /// by the registry's app capacity.
    pub codes_per_app: Option<u32>,
    /// Live grants one app may hold; `None`: the grant capacity divided likewise.
    pub grants_per_app: Option<u32>,
    /// Pending codes one subject may hold, all apps together, 1 to 8 (default 8). When the
    /// subject is at the cap, a new code for an app it already has a pending code for
    /// replaces that pair's oldest; for another app it is refused.
    pub codes_per_subject: u8,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            codes_per_app: None,
            grants_per_app: None,
            // Within 1..=MAX_CODES_PER_SUBJECT.
            codes_per_subject: 8,
        }
    }
}

/// How the server behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    pub(crate) profile: Profile,
    pub(crate) issuer: Option<String<MAX_URL>>,
    pub(crate) code_lifetime: u64,
    pub(crate) access_token_lifetime: u64,
    pub(crate) workfront: Option<WorkfrontIdentity>,
    pub(crate) quotas: Quotas,
    pub(crate) access_tokens_per_grant: u8,
    pub(crate) refresh_grace: u64,
    /// The token endpoint's URL, an accepted `aud` of JWT assertions (RFC 7523 §3).
    pub(crate) token_endpoint: Option<String<MAX_URL>>,
    /// Clock skew allowed on the `exp`, `nbf` and `iat` of JWT assertions, in seconds.
    pub(crate) clock_skew: u64,
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
            quotas: Quotas {
                codes_per_app: None,
                grants_per_app: None,
                codes_per_subject: 8,
            },
            access_tokens_per_grant: 2,
            refresh_grace: 0,
            token_endpoint: None,
            clock_skew: Self::DEFAULT_CLOCK_SKEW,
        }
    }

    /// Default clock skew allowed on JWT assertions: 60 seconds.
    pub const DEFAULT_CLOCK_SKEW: u64 = 60;

    /// The token endpoint's URL, which JWT assertions (RFC 7523 §3: the JWT bearer grant
    /// and `private_key_jwt`) may name as their `aud` besides the issuer.
    ///
    /// # Errors
    ///
    /// [`ServerConfigError::InvalidIssuer`] for a URL that is not `https` (or `http` on
    /// loopback) or too long.
    pub fn with_token_endpoint(mut self, url: &str) -> Result<Self, ServerConfigError> {
        crate::oauth::check_endpoint(url).map_err(|_| ServerConfigError::InvalidIssuer)?;
        self.token_endpoint =
            Some(String::try_from(url).map_err(|_| ServerConfigError::InvalidIssuer)?);
        Ok(self)
    }

    /// The clock skew allowed on the `exp`, `nbf` and `iat` of JWT assertions (default
    /// [`ServerConfig::DEFAULT_CLOCK_SKEW`]), at most 300 seconds.
    #[must_use]
    pub const fn with_clock_skew(mut self, seconds: u64) -> Self {
        self.clock_skew = if seconds > 300 { 300 } else { seconds };
        self
    }

    /// Sets the quotas.
    ///
    /// # Errors
    ///
    /// [`ServerConfigError::InvalidQuota`] for a quota of 0 or a per-subject cap outside
    /// 1 to 8.
    pub fn with_quotas(mut self, quotas: Quotas) -> Result<Self, ServerConfigError> {
        let subject_ok =
            (1..=MAX_CODES_PER_SUBJECT).contains(&usize::from(quotas.codes_per_subject));
        if !subject_ok || quotas.codes_per_app == Some(0) || quotas.grants_per_app == Some(0) {
            return Err(ServerConfigError::InvalidQuota);
        }
        self.quotas = quotas;
        Ok(self)
    }

    /// Sets how many live access tokens one grant holds (1 to 4, default 2): issuing one
    /// more ends that grant's oldest.
    ///
    /// # Errors
    ///
    /// [`ServerConfigError::InvalidAccessTokenCap`].
    pub fn with_access_tokens_per_grant(mut self, count: u8) -> Result<Self, ServerConfigError> {
        if !(1..=MAX_ACCESS_TOKENS_PER_GRANT).contains(&usize::from(count)) {
            return Err(ServerConfigError::InvalidAccessTokenCap);
        }
        self.access_tokens_per_grant = count;
        Ok(self)
    }

    /// Sets the refresh grace window (0 = off, the default; at most 60 s): a rotated-out
    /// refresh token presented by the same client within this many seconds of its
    /// rotation gets a fresh token pair of the same grant, once, instead of revoking the
    /// grant. It helps clients that lost a refresh response to the network; the price is
    /// that a thief who is that fast is not caught at once. See `README.md`.
    ///
    /// # Errors
    ///
    /// [`ServerConfigError::GraceTooLong`].
    pub fn with_refresh_grace(mut self, seconds: u64) -> Result<Self, ServerConfigError> {
        if seconds > MAX_REFRESH_GRACE {
            return Err(ServerConfigError::GraceTooLong);
        }
        self.refresh_grace = seconds;
        Ok(self)
    }

    /// The quotas.
    #[must_use]
    pub const fn quotas(&self) -> Quotas {
        self.quotas
    }

    /// Live access tokens per grant.
    #[must_use]
    pub const fn access_tokens_per_grant(&self) -> u8 {
        self.access_tokens_per_grant
    }

    /// The refresh grace window in seconds (0: off).
    #[must_use]
    pub const fn refresh_grace(&self) -> u64 {
        self.refresh_grace
    }

    /// Announces `issuer` as `iss` on every redirect (RFC 9207).
    ///
    /// # Errors
    ///
    /// [`ServerConfigError::InvalidIssuer`].
    pub fn with_issuer(mut self, issuer: &str) -> Result<Self, ServerConfigError> {
        crate::oauth::check_endpoint(issuer).map_err(|_| ServerConfigError::InvalidIssuer)?;
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
