//! The checks a URL must pass to be an endpoint or a redirect URI (RFC 6749 §3.1, §3.1.2;
//! RFC 8252 §7, §8.3).

use core::fmt;

/// Why a URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlError {
    /// No `scheme:` at the start.
    NotAbsolute,
    /// Contains a space, a control character or a non-ASCII byte (percent-encode them).
    InvalidCharacter,
    /// Contains a `#fragment` (RFC 6749 §3.1, §3.1.2: endpoints and redirect URIs must not).
    HasFragment,
    /// Contains `user:password@` credentials.
    HasUserInfo,
    /// No host after `//`.
    MissingHost,
    /// `http` to a host that is not loopback: only `https` protects the code and tokens in
    /// transit (RFC 6749 §3.1, RFC 8252 §8.3).
    InsecureHttp,
    /// An endpoint must be `https` (or `http` on loopback).
    UnsupportedScheme,
    /// A scheme that can run code or read local data (`javascript:`, `data:`, `file:`, …)
    /// is never a redirect target.
    DangerousScheme,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotAbsolute => "not an absolute URL (no scheme)",
            Self::InvalidCharacter => "contains a space, control character or non-ASCII byte",
            Self::HasFragment => "must not contain a #fragment (RFC 6749 §3.1)",
            Self::HasUserInfo => "must not contain user:password@ credentials",
            Self::MissingHost => "has no host",
            Self::InsecureHttp => {
                "plain http is allowed only for loopback hosts (RFC 8252 §8.3); use https"
            }
            Self::UnsupportedScheme => "must be an https URL",
            Self::DangerousScheme => "uses a scheme that is never a safe redirect target",
        })
    }
}

impl core::error::Error for UrlError {}

/// The parts of an absolute URL the checks need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    /// Lower-cased comparison is done by callers; this is the scheme as written.
    pub(crate) scheme: &'a str,
    /// The authority (`host[:port]`), when the URL has `//`.
    pub(crate) authority: Option<&'a str>,
}

pub(crate) fn split(url: &str) -> Result<UrlParts<'_>, UrlError> {
    if url.bytes().any(|b| b <= b' ' || b >= 0x7f) {
        return Err(UrlError::InvalidCharacter);
    }
    if url.contains(|c: char| c == '#') {
        return Err(UrlError::HasFragment);
    }
    let (scheme, rest) = url
        .split_once(|c: char| c == ':')
        .ok_or(UrlError::NotAbsolute)?;
    let valid_scheme = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !valid_scheme {
        return Err(UrlError::NotAbsolute);
    }
    let authority = rest.strip_prefix("//").map(|after| {
        let end = after.find(['/', '?']).unwrap_or(after.len());
        after.get(..end).unwrap_or_default()
    });
    if let Some(authority) = authority {
        if authority.contains(|c: char| c == '@') {
            return Err(UrlError::HasUserInfo);
        }
        if host_of(authority).is_empty() {
            return Err(UrlError::MissingHost);
        }
    }
    Ok(UrlParts { scheme, authority })
}

/// The host of an authority: `[::1]:8080` → `[::1]`, `example.com:443` → `example.com`.
pub(crate) fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(|c: char| c == ']')
            .and_then(|end| authority.get(..=end))
            .unwrap_or(authority);
    }
    authority
        .split(|c: char| c == ':')
        .next()
        .unwrap_or_default()
}

/// Loopback per RFC 8252 §7.3 and §8.3: `127.0.0.0/8`, `[::1]`, and `localhost`.
///
/// `localhost` is accepted for convenience (RFC 8252 §8.3 says it is NOT RECOMMENDED for
/// redirect URIs because it may resolve elsewhere; prefer `127.0.0.1`).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host == "[::1]" || is_loopback_ip(host)
}

/// An IPv4 literal in `127.0.0.0/8`.
pub(crate) fn is_loopback_ip(host: &str) -> bool {
    let mut octets = host.split(|c: char| c == '.');
    octets.next() == Some("127")
        && octets.clone().count() == 3
        && octets.all(|octet| !octet.is_empty() && octet.len() <= 3 && octet.parse::<u8>().is_ok())
}

/// Checks an authorization, token or revocation endpoint: `https`, or `http` on loopback.
pub(crate) fn check_endpoint(url: &str) -> Result<(), UrlError> {
    let parts = split(url)?;
    let authority = parts.authority.ok_or(UrlError::MissingHost)?;
    if parts.scheme.eq_ignore_ascii_case("https") {
        Ok(())
    } else if parts.scheme.eq_ignore_ascii_case("http") {
        if is_loopback_host(host_of(authority)) {
            Ok(())
        } else {
            Err(UrlError::InsecureHttp)
        }
    } else {
        Err(UrlError::UnsupportedScheme)
    }
}

/// Checks a redirect URI: `https`; `http` on loopback (RFC 8252 §7.3); or a private-use
/// scheme such as `com.example.app:/callback` (RFC 8252 §7.1, which recommends a
/// reverse-domain scheme name; any other valid scheme is accepted too, except ones that
/// run code or read local data).
pub(crate) fn check_redirect_uri(url: &str) -> Result<(), UrlError> {
    let parts = split(url)?;
    let scheme = parts.scheme;
    if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http") {
        let authority = parts.authority.ok_or(UrlError::MissingHost)?;
        if scheme.eq_ignore_ascii_case("http") && !is_loopback_host(host_of(authority)) {
            return Err(UrlError::InsecureHttp);
        }
        return Ok(());
    }
    const DANGEROUS: [&str; 7] = [
        "javascript",
        "data",
        "file",
        "vbscript",
        "about",
        "blob",
        "filesystem",
    ];
    if DANGEROUS.iter().any(|bad| scheme.eq_ignore_ascii_case(bad)) {
        return Err(UrlError::DangerousScheme);
    }
    Ok(())
}

/// `scheme://authority` of an absolute http(s) URL, for comparing origins.
pub(crate) fn origin(url: &str) -> Option<(&str, &str)> {
    let parts = split(url).ok()?;
    Some((parts.scheme, parts.authority?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            check_endpoint("https://acme.my.workfront.com/integrations/oauth2/authorize"),
            Ok(())
        );
        assert_eq!(
            check_endpoint("https://example.com/authorize?tenant=x"),
            Ok(())
        );
        assert_eq!(check_endpoint("http://127.0.0.1:8787/token"), Ok(()));
        assert_eq!(check_endpoint("http://[::1]:8787/token"), Ok(()));
        assert_eq!(check_endpoint("http://localhost/token"), Ok(()));
        assert_eq!(
            check_endpoint("http://example.com/token"),
            Err(UrlError::InsecureHttp)
        );
        assert_eq!(
            check_endpoint("http://127.0.0.1.evil.com/token"),
            Err(UrlError::InsecureHttp)
        );
        assert_eq!(
            check_endpoint("http://128.0.0.1/token"),
            Err(UrlError::InsecureHttp)
        );
        assert_eq!(
            check_endpoint("ftp://example.com/"),
            Err(UrlError::UnsupportedScheme)
        );
        assert_eq!(check_endpoint("/token"), Err(UrlError::NotAbsolute));
        assert_eq!(check_endpoint("https:///token"), Err(UrlError::MissingHost));
        assert_eq!(
            check_endpoint("https://u:p@example.com/"),
            Err(UrlError::HasUserInfo)
        );
        assert_eq!(
            check_endpoint("https://example.com/a#b"),
            Err(UrlError::HasFragment)
        );
        assert_eq!(
            check_endpoint("https://exa mple.com/"),
            Err(UrlError::InvalidCharacter)
        );
        assert_eq!(
            check_endpoint("https:example.com"),
            Err(UrlError::MissingHost)
        );
    }

    #[test]
    fn redirect_uris() {
        assert_eq!(check_redirect_uri("https://app.example.com/cb"), Ok(()));
        assert_eq!(
            check_redirect_uri("http://127.0.0.1:49152/callback"),
            Ok(())
        );
        assert_eq!(check_redirect_uri("http://[::1]/callback"), Ok(()));
        assert_eq!(
            check_redirect_uri("com.example.app:/oauth2redirect"),
            Ok(())
        );
        assert_eq!(check_redirect_uri("myapp://callback"), Ok(()));
        assert_eq!(
            check_redirect_uri("http://example.com/cb"),
            Err(UrlError::InsecureHttp)
        );
        assert_eq!(
            check_redirect_uri("javascript:alert(1)"),
            Err(UrlError::DangerousScheme)
        );
        assert_eq!(
            check_redirect_uri("DATA:text/html,x"),
            Err(UrlError::DangerousScheme)
        );
        assert_eq!(
            check_redirect_uri("https://a.example/cb#x"),
            Err(UrlError::HasFragment)
        );
        assert_eq!(check_redirect_uri("1app:/cb"), Err(UrlError::NotAbsolute));
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("[::1]:80"), "[::1]");
        assert_eq!(host_of("example.com:443"), "example.com");
        assert!(is_loopback_host("127.1.2.3"));
        assert!(!is_loopback_host("127.1.2"));
        assert!(!is_loopback_host("127.0.0.256"));
    }
}
