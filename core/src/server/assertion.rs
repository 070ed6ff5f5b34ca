//! JWT assertions an app signs with a key it registered (RFC 7523): the JWT bearer grant
//! (§2.1), `private_key_jwt` client authentication (§2.2), and Workfront's
//! machine-to-machine `jwt_token`. Each check that fails is named in the refusal's
//! description — and nothing more.

use heapless::String;

use super::app::App;
use super::limits::{MAX_ASSERTION_IDS, MAX_SUBJECT};
use super::registry::AppId;
use super::tokens::digest;
use crate::jose::{Compact, Jwk};
use crate::time::Timestamp;

/// What an assertion is for, which decides the rules it is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// RFC 7523 §2.1: `sub` is the user the token is for; `aud` and `jti` required.
    BearerGrant,
    /// RFC 7523 §2.2: `iss` = `sub` = the client id; `aud` and `jti` required.
    ClientAuthentication,
    /// Workfront's exchange: `exp` at most five minutes ahead; `aud` and `jti` optional
    /// (checked when present); `iss` may also be the Workfront customer id.
    Workfront,
}

/// The most a Workfront `jwt_token` may live (its documentation: five minutes).
pub(crate) const WORKFRONT_MAX_LIFETIME: u64 = 300;
/// The most any assertion may live: replay protection remembers its `jti` that long.
pub(crate) const MAX_LIFETIME: u64 = 3600;

/// What the server expects of an assertion.
pub(crate) struct Expected<'a> {
    pub(crate) client_id: &'a str,
    /// Accepted `aud` values: the issuer, the token endpoint.
    pub(crate) audiences: [Option<&'a str>; 2],
    /// Another accepted `iss` (Workfront's customer id).
    pub(crate) other_issuer: Option<&'a str>,
    pub(crate) now: Timestamp,
    pub(crate) skew: u64,
}

/// A verified assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verified {
    pub(crate) subject: String<MAX_SUBJECT>,
    pub(crate) jti_digest: Option<[u8; 32]>,
    pub(crate) expires_at: Timestamp,
}

/// Checks `assertion` against `app`'s registered keys and `expected`.
pub(crate) fn verify(
    app: &App,
    assertion: &str,
    purpose: Purpose,
    expected: &Expected<'_>,
) -> Result<Verified, &'static str> {
    let jws = Compact::parse(assertion.as_bytes()).map_err(|_| "the assertion is not a JWS")?;
    let header = jws.header().map_err(|error| match error {
        crate::jose::JoseError::AlgorithmNone
        | crate::jose::JoseError::SymmetricAlgorithm
        | crate::jose::JoseError::UnsupportedAlgorithm => {
            "the assertion's alg is refused (RS256, ES256 or EdDSA)"
        }
        crate::jose::JoseError::UnknownCritical => "the assertion has unknown crit extensions",
        _ => "the assertion's header is malformed",
    })?;
    let mut payload = [0u8; 2048];
    let mut any_key = false;
    let mut verified: Option<&[u8]> = None;
    for text in app.public_keys() {
        let Ok(jwk) = Jwk::parse(text.as_bytes()) else {
            continue;
        };
        let kid_differs = matches!((header.key_id(), jwk.key_id()), (Some(a), Some(b)) if a != b);
        if jwk.key().algorithm() != header.algorithm() || kid_differs {
            continue;
        }
        any_key = true;
        if let Ok(bytes) = jws.verify_with(&header, jwk.key(), &mut payload) {
            let len = bytes.len();
            verified = payload.get(..len);
            break;
        }
    }
    if !any_key {
        return Err("no registered key of the assertion's alg and kid");
    }
    let payload = verified.ok_or("the assertion's signature does not verify")?;
    let claims =
        crate::jose::Claims::parse(payload).map_err(|_| "the assertion's claims are malformed")?;
    let now = expected.now.unix_seconds();
    let skew = expected.skew;

    let iss = claims.issuer.ok_or("the assertion has no iss")?;
    if !iss.is(expected.client_id) && !expected.other_issuer.is_some_and(|other| iss.is(other)) {
        return Err("the assertion's iss is not the client id");
    }
    let sub: String<MAX_SUBJECT> = crate::jose::Claims::text(claims.subject)
        .ok_or("the assertion has no sub, or it is too long")?;
    if sub.is_empty() {
        return Err("the assertion has no sub, or it is too long");
    }
    if purpose == Purpose::ClientAuthentication && sub != expected.client_id {
        return Err("the assertion's sub is not the client id");
    }
    let audience_required = purpose != Purpose::Workfront;
    match claims.audience {
        crate::jose::Audience::Absent if !audience_required => {}
        audience => {
            let ours = expected
                .audiences
                .iter()
                .flatten()
                .any(|accepted| audience.contains(accepted));
            if !ours {
                return Err("the assertion's aud is not this server");
            }
        }
    }
    let exp = claims.expires_at.ok_or("the assertion has no exp")?;
    if exp.saturating_add(skew) <= now {
        return Err("the assertion has expired (exp)");
    }
    let max_lifetime = if purpose == Purpose::Workfront {
        WORKFRONT_MAX_LIFETIME
    } else {
        MAX_LIFETIME
    };
    if exp > now.saturating_add(max_lifetime).saturating_add(skew) {
        return Err(if purpose == Purpose::Workfront {
            "the assertion's exp is more than 5 minutes ahead"
        } else {
            "the assertion's exp is more than an hour ahead"
        });
    }
    if claims
        .not_before
        .is_some_and(|nbf| nbf > now.saturating_add(skew))
    {
        return Err("the assertion is not valid yet (nbf)");
    }
    if claims
        .issued_at
        .is_some_and(|iat| iat > now.saturating_add(skew))
    {
        return Err("the assertion was issued in the future (iat)");
    }
    let jti_digest = match claims.jwt_id {
        Some(raw) => {
            let jti: String<256> =
                crate::jose::Claims::text(Some(raw)).ok_or("the assertion's jti is too long")?;
            if jti.is_empty() {
                return Err("the assertion has an empty jti");
            }
            Some(jti_digest(expected.client_id, &jti))
        }
        None if purpose == Purpose::Workfront => None,
        None => return Err("the assertion has no jti"),
    };
    Ok(Verified {
        subject: sub,
        jti_digest,
        // Remembered until it can no longer be accepted.
        expires_at: Timestamp::from_unix_seconds(exp.saturating_add(skew)),
    })
}

fn jti_digest(client_id: &str, jti: &str) -> [u8; 32] {
    let mut input = [0u8; 512];
    let mut len = 0usize;
    for part in [client_id.as_bytes(), &[0u8], jti.as_bytes()] {
        for byte in part {
            if let Some(slot) = input.get_mut(len) {
                *slot = *byte;
                len = len.saturating_add(1);
            }
        }
    }
    digest(input.get(..len).unwrap_or_default())
}

/// Assertion ids (`jti`) seen and still acceptable, so none is accepted twice (RFC 7523
/// §3 item 7). Fixed capacity, shared by the apps with a quota each.
#[derive(Debug, Clone)]
pub(crate) struct AssertionIds {
    seen: [Option<Seen>; MAX_ASSERTION_IDS],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    digest: [u8; 32],
    app: AppId,
    expires_at: Timestamp,
}

impl AssertionIds {
    pub(crate) const fn new() -> Self {
        Self {
            seen: [None; MAX_ASSERTION_IDS],
        }
    }

    /// Whether the assertion was seen (and is still live).
    pub(crate) fn replayed(&self, verified: &Verified, now: Timestamp) -> bool {
        verified.jti_digest.is_some_and(|digest| {
            self.seen
                .iter()
                .flatten()
                .any(|seen| seen.digest == digest && now < seen.expires_at)
        })
    }

    /// Remembers the assertion's `jti` until it expires; `Err` when the app holds
    /// `per_app` live ones already, or the table is full.
    pub(crate) fn remember(
        &mut self,
        app: AppId,
        verified: &Verified,
        now: Timestamp,
        per_app: usize,
    ) -> Result<(), &'static str> {
        let Some(digest) = verified.jti_digest else {
            return Ok(());
        };
        let live = |seen: &Seen| now < seen.expires_at;
        let held = self
            .seen
            .iter()
            .flatten()
            .filter(|seen| seen.app == app && live(seen))
            .count();
        if held >= per_app.max(1) {
            return Err("too many live assertions for this app; retry later");
        }
        let slot = self
            .seen
            .iter_mut()
            .find(|slot| slot.as_ref().is_none_or(|seen| !live(seen)))
            .ok_or("too many live assertions; retry later")?;
        *slot = Some(Seen {
            digest,
            app,
            expires_at: verified.expires_at,
        });
        Ok(())
    }

    /// Forgets an assertion remembered for a grant that could then not be stored.
    pub(crate) fn forget(&mut self, verified: &Verified) {
        for slot in &mut self.seen {
            if slot.is_some_and(|seen| Some(seen.digest) == verified.jti_digest) {
                *slot = None;
            }
        }
    }
}
