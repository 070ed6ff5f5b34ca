//! OpenID Connect ID tokens (OpenID Connect Core 1.0 §3.1.3.7), checked by the client
//! without a heap: signature against the host's JWK Set, `iss`, `aud`, `azp`, `exp`,
//! `iat`, `nonce`.

use core::fmt;

use heapless::String;

use super::limits::MAX_SUBJECT;
use crate::jose::{Claims, Compact, JoseError, JwkSet, KeyError};
use crate::time::Timestamp;

/// The longest ID token kept (compact serialization).
pub const MAX_ID_TOKEN: usize = 4096;
/// The clock skew allowed on `exp` and `iat`, in seconds.
pub const ID_TOKEN_SKEW_SECONDS: u64 = 60;

/// Why an ID token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdTokenError {
    /// `openid` was asked for but the token response has no `id_token`.
    Missing,
    /// The response's `id_token` is not a string, or is longer than [`MAX_ID_TOKEN`].
    Malformed,
    /// `openid` was asked for and the host gave no JWK Set to check the ID token with:
    /// call `on_token_response_verified`.
    KeysNeeded,
    /// The JWK Set document is malformed.
    Keys(KeyError),
    /// The JWS is malformed, names a refused algorithm, no key fits, or the signature
    /// does not verify.
    Jose(JoseError),
    /// The client has no issuer configured to compare `iss` with.
    NoIssuer,
    /// `iss` is not the configured issuer.
    Issuer,
    /// `aud` does not contain the client id.
    Audience,
    /// `azp` is not the client id (or absent although there are several audiences).
    AuthorizedParty,
    /// A required claim is absent.
    MissingClaim {
        /// The claim.
        claim: &'static str,
    },
    /// `exp` has passed (beyond the allowed skew).
    Expired,
    /// `iat` is in the future (beyond the allowed skew).
    IssuedInFuture,
    /// `nonce` is not the one this login sent.
    Nonce,
    /// `sub` differs from the token response's `sub`, or is longer than
    /// [`MAX_SUBJECT`].
    Subject,
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("openid was requested but the response has no id_token"),
            Self::Malformed => f.write_str("the id_token is not a string or is too long"),
            Self::KeysNeeded => {
                f.write_str("the id_token needs the issuer's JWK Set to be checked")
            }
            Self::Keys(error) => write!(f, "the JWK Set: {error}"),
            Self::Jose(error) => write!(f, "the id_token: {error}"),
            Self::NoIssuer => f.write_str("no issuer is configured to check the id_token's iss"),
            Self::Issuer => f.write_str("the id_token's iss is not the issuer"),
            Self::Audience => f.write_str("the id_token's aud does not contain the client id"),
            Self::AuthorizedParty => f.write_str("the id_token's azp is not the client id"),
            Self::MissingClaim { claim } => write!(f, "the id_token has no {claim}"),
            Self::Expired => f.write_str("the id_token has expired"),
            Self::IssuedInFuture => f.write_str("the id_token's iat is in the future"),
            Self::Nonce => f.write_str("the id_token's nonce is not this login's"),
            Self::Subject => f.write_str(
                "the id_token's sub is too long or does not match the token response's sub",
            ),
        }
    }
}

impl core::error::Error for IdTokenError {}

/// What the checks compare against.
pub(crate) struct Expected<'a> {
    pub(crate) issuer: Option<&'a str>,
    pub(crate) client_id: &'a str,
    pub(crate) nonce: Option<&'a str>,
    pub(crate) subject: Option<&'a str>,
    pub(crate) now: Timestamp,
}

/// Verifies `id_token` and returns its `sub`.
pub(crate) fn verify(
    id_token: &[u8],
    keys: &[u8],
    expected: &Expected<'_>,
) -> Result<String<MAX_SUBJECT>, IdTokenError> {
    let keys = JwkSet::parse(keys).map_err(IdTokenError::Keys)?;
    let jws = Compact::parse(id_token).map_err(IdTokenError::Jose)?;
    let header = jws.header().map_err(IdTokenError::Jose)?;
    let key = keys.find(&header).map_err(IdTokenError::Jose)?;
    let mut payload = [0u8; MAX_ID_TOKEN];
    let payload = jws
        .verify_with(&header, &key, &mut payload)
        .map_err(IdTokenError::Jose)?;
    let claims = Claims::parse(payload).map_err(IdTokenError::Jose)?;
    check(&claims, expected)
}

fn check(
    claims: &Claims<'_>,
    expected: &Expected<'_>,
) -> Result<String<MAX_SUBJECT>, IdTokenError> {
    let issuer = expected.issuer.ok_or(IdTokenError::NoIssuer)?;
    let iss = claims
        .issuer
        .ok_or(IdTokenError::MissingClaim { claim: "iss" })?;
    if !iss.is(issuer) {
        return Err(IdTokenError::Issuer);
    }
    if !claims.audience.contains(expected.client_id) {
        return Err(IdTokenError::Audience);
    }
    match claims.authorized_party {
        Some(azp) if !azp.is(expected.client_id) => return Err(IdTokenError::AuthorizedParty),
        None if claims.audience.count() > 1 => return Err(IdTokenError::AuthorizedParty),
        _ => {}
    }
    let now = expected.now.unix_seconds();
    let exp = claims
        .expires_at
        .ok_or(IdTokenError::MissingClaim { claim: "exp" })?;
    if exp.saturating_add(ID_TOKEN_SKEW_SECONDS) <= now {
        return Err(IdTokenError::Expired);
    }
    let iat = claims
        .issued_at
        .ok_or(IdTokenError::MissingClaim { claim: "iat" })?;
    if iat > now.saturating_add(ID_TOKEN_SKEW_SECONDS) {
        return Err(IdTokenError::IssuedInFuture);
    }
    if let Some(nonce) = expected.nonce {
        match claims.nonce {
            Some(raw) if raw.is(nonce) => {}
            _ => return Err(IdTokenError::Nonce),
        }
    }
    let raw_sub = claims
        .subject
        .ok_or(IdTokenError::MissingClaim { claim: "sub" })?;
    let sub: String<MAX_SUBJECT> = Claims::text(Some(raw_sub)).ok_or(IdTokenError::Subject)?;
    if sub.is_empty() {
        return Err(IdTokenError::MissingClaim { claim: "sub" });
    }
    if expected
        .subject
        .is_some_and(|subject| subject != sub.as_str())
    {
        return Err(IdTokenError::Subject);
    }
    Ok(sub)
}
