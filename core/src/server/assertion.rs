//! JWT assertions an app signs with a key it registered (RFC 7523): the JWT bearer grant
//! (§2.1), `private_key_jwt` client authentication (§2.2), and Workfront's
//! machine-to-machine `jwt_token`. Each check that fails is named in the refusal's
//! description — and nothing more.

use heapless::String;

use super::app::App;
use super::limits::{MAX_ASSERTION_IDS, MAX_SUBJECT};
use super::registry::AppId;
use super::store::{AssertionMark, Noted, StoreError, TableKind};
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
    /// What identifies it against replay (see [`AssertionMark::digest`]).
    pub(crate) replay_id: [u8; 32],
    /// Whether it has a `jti` (else the replay id is its signing input's digest).
    pub(crate) has_jti: bool,
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
    let mut too_large = false;
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
        match jws.verify_with(&header, jwk.key(), &mut payload) {
            Ok(bytes) => {
                let len = bytes.len();
                verified = payload.get(..len);
                break;
            }
            Err(crate::jose::JoseError::TooLarge { .. }) => too_large = true,
            Err(_) => {}
        }
    }
    if !any_key {
        return Err("no registered key of the assertion's alg and kid");
    }
    if too_large && verified.is_none() {
        return Err("the assertion's claims are too long");
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
    let has_jti = claims.jwt_id.is_some();
    let replay_id = match claims.jwt_id {
        Some(raw) => {
            let jti: String<256> =
                crate::jose::Claims::text(Some(raw)).ok_or("the assertion's jti is too long")?;
            if jti.is_empty() {
                return Err("the assertion has an empty jti");
            }
            replay_digest(expected.client_id, b"jti", jti.as_bytes())
        }
        // Workfront's JWTs need no jti: the signing input (not the signature, which an
        // ECDSA signer can vary; the bytes the signature covers, so whitespace around the
        // parameter makes no other id) identifies the JWT.
        None if purpose == Purpose::Workfront => {
            replay_digest(expected.client_id, b"jws", jws.signing_input())
        }
        None => return Err("the assertion has no jti"),
    };
    Ok(Verified {
        subject: sub,
        replay_id,
        has_jti,
        // Remembered until it can no longer be accepted.
        expires_at: Timestamp::from_unix_seconds(exp.saturating_add(skew)),
    })
}

impl Verified {
    /// The refusal of a replay.
    pub(crate) const fn replayed(&self) -> &'static str {
        if self.has_jti {
            "the assertion's jti was already used"
        } else {
            "the assertion was already used"
        }
    }

    /// The store's record of this assertion, for `app`.
    pub(crate) const fn mark(&self, app: AppId) -> AssertionMark {
        AssertionMark {
            digest: self.replay_id,
            app,
            expires_at: self.expires_at,
        }
    }
}

/// SHA-256 over the client id, what the id is (`jti` or the JWS signing input) and it.
fn replay_digest(client_id: &str, kind: &[u8], id: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in [client_id.as_bytes(), &[0], kind, &[0], id] {
        hash.update(part);
    }
    hash.finalize().into()
}

/// The in-memory store's assertion ids seen and still acceptable, so none is accepted
/// twice (RFC 7523 §3 item 7). Fixed capacity, shared by the apps with a quota each.
#[derive(Debug, Clone)]
pub(crate) struct AssertionIds {
    seen: [Option<AssertionMark>; MAX_ASSERTION_IDS],
}

impl AssertionIds {
    pub(crate) const fn new() -> Self {
        Self {
            seen: [None; MAX_ASSERTION_IDS],
        }
    }

    /// Remembers `mark` until it expires unless it is live already; `per_app` live ids
    /// per app at most.
    pub(crate) fn note(
        &mut self,
        mark: &AssertionMark,
        per_app: u32,
        now: Timestamp,
    ) -> Result<Noted, StoreError> {
        let live = |seen: &AssertionMark| now < seen.expires_at;
        let mut held = 0u32;
        for seen in self.seen.iter().flatten().filter(|seen| live(seen)) {
            if seen.digest == mark.digest {
                return Ok(Noted::Replayed);
            }
            if seen.app == mark.app {
                held = held.saturating_add(1);
            }
        }
        if held >= per_app.max(1) {
            return Err(StoreError::AppQuota(TableKind::Assertions));
        }
        let slot = self
            .seen
            .iter_mut()
            .find(|slot| slot.as_ref().is_none_or(|seen| !live(seen)))
            .ok_or(StoreError::Full(TableKind::Assertions))?;
        *slot = Some(*mark);
        Ok(Noted::First)
    }

    /// Forgets `mark`.
    pub(crate) fn forget(&mut self, mark: &AssertionMark) {
        for slot in &mut self.seen {
            if slot.is_some_and(|seen| seen.digest == mark.digest) {
                *slot = None;
            }
        }
    }
}
