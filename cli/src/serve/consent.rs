//! Binding each consent decision to the page that was shown (RFC 6749 §10.12, RFC 9700
//! §4.4.1.8): the page carries a single-use token tied to its authorization request; the
//! decision is refused unless it brings that token back, unused, unexpired, for the same
//! request. Only SHA-256 digests of tokens are kept, and the request is compared in
//! constant time.
//!
//! A second layer: the page sets a `SameSite=Strict` cookie naming the browser; when a
//! decision carries the cookie it must be the browser the page was shown to. (Clients
//! without a cookie jar still work: the token alone is the protection.)

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How long a shown page's decision stays possible.
pub(crate) const LIFETIME_SECONDS: u64 = 600;
/// At most this many pages await a decision; beyond it the oldest one is forgotten.
const CAPACITY: usize = 16_384;
/// The cookie naming the browser.
pub(crate) const BROWSER_COOKIE: &str = "authcode_browser";

type Digest32 = [u8; 32];

fn digest(text: &str) -> Digest32 {
    Sha256::digest(text.as_bytes()).into()
}

/// A page awaiting its decision.
struct Pending {
    request: Digest32,
    browser: Digest32,
    expires_at: u64,
}

/// Why a decision was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No token, or one that was never issued, already used, or expired.
    UnknownToken,
    /// The token was issued for another authorization request.
    OtherRequest,
    /// The decision came from another browser than the one shown the page.
    OtherBrowser,
}

impl Refusal {
    pub(crate) const fn message(self) -> &'static str {
        match self {
            Self::UnknownToken => {
                "This sign-in form has expired or was already used. Start the sign-in again."
            }
            Self::OtherRequest => "This sign-in form belongs to another authorization request.",
            Self::OtherBrowser => "This sign-in form was opened in another browser.",
        }
    }
}

/// The tokens of the pages awaiting a decision.
#[derive(Default)]
pub(crate) struct ConsentTokens {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    pending: HashMap<Digest32, Pending>,
    /// Issue order, for forgetting the oldest; entries already redeemed are skipped.
    order: VecDeque<Digest32>,
}

/// 32 random bytes as 64 hex characters.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness, no token: such a page can never be decided (fails closed).
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl ConsentTokens {
    /// A token for a page showing the authorization request `query` to `browser`.
    pub(crate) fn issue(&self, query: &str, browser: &str, now: u64) -> Option<String> {
        let token = random_token();
        if token.is_empty() {
            return None;
        }
        let mut inner = self.inner.lock().ok()?;
        while inner.pending.len() >= CAPACITY {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            inner.pending.remove(&oldest);
        }
        // Drop redeemed or expired entries at the front as we go.
        while let Some(front) = inner.order.front().copied() {
            match inner.pending.get(&front) {
                Some(entry) if entry.expires_at > now => break,
                _ => {
                    inner.pending.remove(&front);
                    inner.order.pop_front();
                }
            }
        }
        let key = digest(&token);
        inner.pending.insert(
            key,
            Pending {
                request: digest(query),
                browser: digest(browser),
                expires_at: now.saturating_add(LIFETIME_SECONDS),
            },
        );
        inner.order.push_back(key);
        if inner.order.len() > 2 * CAPACITY {
            // Redeemed tokens behind a live one: drop their places in the order.
            let Inner { pending, order } = &mut *inner;
            order.retain(|key| pending.contains_key(key));
        }
        Some(token)
    }

    /// Uses up `token` for a decision on `query` from `browser` (when it sent the cookie).
    /// A token is spent by any attempt, right or wrong.
    pub(crate) fn redeem(
        &self,
        token: &str,
        query: &str,
        browser: Option<&str>,
        now: u64,
    ) -> Result<(), Refusal> {
        if token.is_empty() {
            return Err(Refusal::UnknownToken);
        }
        let entry = self
            .inner
            .lock()
            .map_err(|_| Refusal::UnknownToken)?
            .pending
            .remove(&digest(token))
            .ok_or(Refusal::UnknownToken)?;
        if entry.expires_at <= now {
            return Err(Refusal::UnknownToken);
        }
        if !bool::from(entry.request.ct_eq(&digest(query))) {
            return Err(Refusal::OtherRequest);
        }
        if let Some(browser) = browser
            && !bool::from(entry.browser.ct_eq(&digest(browser)))
        {
            return Err(Refusal::OtherBrowser);
        }
        Ok(())
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_decides_its_own_request_once() {
        let tokens = ConsentTokens::default();
        let token = tokens.issue("q=1", "b", 100).unwrap();
        assert_eq!(
            tokens.redeem(&token, "q=2", Some("b"), 101),
            Err(Refusal::OtherRequest)
        );
        let token = tokens.issue("q=1", "b", 100).unwrap();
        assert_eq!(
            tokens.redeem(&token, "q=1", Some("other"), 101),
            Err(Refusal::OtherBrowser)
        );
        let token = tokens.issue("q=1", "b", 100).unwrap();
        assert_eq!(tokens.redeem(&token, "q=1", None, 101), Ok(()));
        assert_eq!(
            tokens.redeem(&token, "q=1", None, 101),
            Err(Refusal::UnknownToken),
            "single use"
        );
        let token = tokens.issue("q=1", "b", 100).unwrap();
        assert_eq!(
            tokens.redeem(&token, "q=1", Some("b"), 100 + LIFETIME_SECONDS),
            Err(Refusal::UnknownToken),
            "expired"
        );
        assert_eq!(
            tokens.redeem("", "q=1", None, 100),
            Err(Refusal::UnknownToken)
        );
    }

    #[test]
    fn the_oldest_pages_are_forgotten_beyond_capacity() {
        let tokens = ConsentTokens::default();
        let first = tokens.issue("q", "b", 0).unwrap();
        for _ in 0..CAPACITY {
            tokens.issue("q", "b", 0).unwrap();
        }
        assert_eq!(
            tokens.redeem(&first, "q", None, 1),
            Err(Refusal::UnknownToken)
        );
        assert!(tokens.inner.lock().unwrap().pending.len() <= CAPACITY);
    }
}
