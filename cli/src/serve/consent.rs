//! Binding each consent decision to the page that was shown (RFC 6749 §10.12, RFC 9700
//! §4.4.1.8): the page carries a single-use token tied to its authorization request; the
//! decision is refused unless it brings that token back, unused, unexpired, for the same
//! request. Only SHA-256 digests of tokens are kept, and the request is compared in
//! constant time.
//!
//! A second layer: the page sets a `SameSite=Strict` cookie naming the browser; when a
//! decision carries the cookie it must be the browser the page was shown to. (Clients
//! without a cookie jar still work: the token alone is the protection.)
//!
//! Over Redis the pages awaiting a decision are kept there (`GETDEL` spends a token at
//! every node at once), so the decision may reach another node than the page came from.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use authcode_store_redis::RedisStore;

use super::node::StoreDown;

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
    /// Where they are kept instead when the node's state is in Redis.
    shared: Option<Arc<Mutex<RedisStore>>>,
}

/// The Redis key space of the pages awaiting a decision.
const SHARED_NAME: &str = "consent";

impl Pending {
    fn to_bytes(&self) -> [u8; 72] {
        let mut bytes = [0u8; 72];
        let (request, rest) = bytes.split_at_mut(32);
        let (browser, expires_at) = rest.split_at_mut(32);
        request.copy_from_slice(&self.request);
        browser.copy_from_slice(&self.browser);
        expires_at.copy_from_slice(&self.expires_at.to_be_bytes());
        bytes
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let request = bytes.get(..32)?.try_into().ok()?;
        let browser = bytes.get(32..64)?.try_into().ok()?;
        let expires_at = u64::from_be_bytes(bytes.get(64..72)?.try_into().ok()?);
        Some(Self {
            request,
            browser,
            expires_at,
        })
    }

    /// Whether a decision on `query` from `browser` at `now` may use this page.
    fn check(&self, query: &str, browser: Option<&str>, now: u64) -> Result<(), Refusal> {
        if self.expires_at <= now {
            return Err(Refusal::UnknownToken);
        }
        if !bool::from(self.request.ct_eq(&digest(query))) {
            return Err(Refusal::OtherRequest);
        }
        if let Some(browser) = browser
            && !bool::from(self.browser.ct_eq(&digest(browser)))
        {
            return Err(Refusal::OtherBrowser);
        }
        Ok(())
    }
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
    /// Tokens kept in `store`'s Redis (shared by every node).
    pub(crate) fn shared(store: RedisStore) -> Self {
        Self {
            inner: Mutex::default(),
            shared: Some(Arc::new(Mutex::new(store))),
        }
    }

    /// A token for a page showing the authorization request `query` to `browser`
    /// (`None`: no randomness).
    pub(crate) async fn issue_anywhere(
        &self,
        query: &str,
        browser: &str,
        now: u64,
    ) -> Result<Option<String>, StoreDown> {
        let Some(shared) = &self.shared else {
            return Ok(self.issue(query, browser, now));
        };
        let token = random_token();
        if token.is_empty() {
            return Ok(None);
        }
        let pending = Pending {
            request: digest(query),
            browser: digest(browser),
            expires_at: now.saturating_add(LIFETIME_SECONDS),
        };
        let (shared, key) = (Arc::clone(shared), digest(&token));
        tokio::task::spawn_blocking(move || {
            let store = shared.lock().map_err(|_| StoreDown)?;
            store
                .put_expiring(SHARED_NAME, &key, &pending.to_bytes(), LIFETIME_SECONDS)
                .map_err(|_| StoreDown)
        })
        .await
        .map_err(|_| StoreDown)??;
        Ok(Some(token))
    }

    /// Uses up `token` (see [`ConsentTokens::redeem`]), wherever it is kept.
    pub(crate) async fn redeem_anywhere(
        &self,
        token: &str,
        query: &str,
        browser: Option<&str>,
        now: u64,
    ) -> Result<Result<(), Refusal>, StoreDown> {
        let Some(shared) = &self.shared else {
            return Ok(self.redeem(token, query, browser, now));
        };
        if token.is_empty() {
            return Ok(Err(Refusal::UnknownToken));
        }
        let (shared, key) = (Arc::clone(shared), digest(token));
        let taken = tokio::task::spawn_blocking(move || {
            let store = shared.lock().map_err(|_| StoreDown)?;
            store.take(SHARED_NAME, &key).map_err(|_| StoreDown)
        })
        .await
        .map_err(|_| StoreDown)??;
        Ok(taken
            .as_deref()
            .and_then(Pending::from_bytes)
            .ok_or(Refusal::UnknownToken)
            .and_then(|pending| pending.check(query, browser, now)))
    }

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
        entry.check(query, browser, now)
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
