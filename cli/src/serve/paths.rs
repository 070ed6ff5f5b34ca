//! Where each endpoint of `authcode serve` lives, per profile: Workfront's paths for
//! `workfront` and `rfc`, Adobe IMS's for `adobe-ims` — so an app can be pointed at the
//! same paths it will use against the real provider.

use authcode::profile::Profile;

/// The endpoint paths of one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paths {
    /// The authorization endpoint (the consent page).
    pub authorize: &'static str,
    /// Where the consent form posts the user's decision.
    pub decision: &'static str,
    /// The token endpoint.
    pub token: &'static str,
    /// The revocation endpoint (RFC 7009).
    pub revoke: &'static str,
    /// The userinfo endpoint, for the profiles that have one.
    pub userinfo: Option<&'static str>,
    /// The metadata document: RFC 8414's, or IMS's OpenID configuration.
    pub metadata: &'static str,
    /// The JWK Set of the ID token key, for the profiles that issue ID tokens.
    pub jwks: Option<&'static str>,
}

impl Paths {
    /// The paths of `profile`.
    #[must_use]
    pub const fn of(profile: Profile) -> Self {
        match profile {
            Profile::Workfront => Self {
                authorize: "/integrations/oauth2/authorize",
                decision: "/integrations/oauth2/authorize/decision",
                token: "/integrations/oauth2/api/v1/token",
                revoke: "/integrations/oauth2/api/v1/revoke",
                userinfo: None,
                metadata: "/.well-known/oauth-authorization-server",
                jwks: None,
            },
            Profile::Rfc => Self {
                jwks: Some("/.well-known/jwks.json"),
                ..Self::of(Profile::Workfront)
            },
            Profile::AdobeIms => Self {
                authorize: "/ims/authorize/v2",
                decision: "/ims/authorize/v2/decision",
                token: "/ims/token/v3",
                revoke: "/ims/revoke",
                userinfo: Some("/ims/userinfo/v2"),
                metadata: "/ims/.well-known/openid-configuration",
                jwks: Some("/ims/keys"),
            },
        }
    }
}
