//! Scopes: checked at the authorization endpoint, narrowed (never widened) on refresh.
//! A grant's scope is at most [`MAX_SCOPE_TOKENS`] tokens, so a token's share of it is a
//! bit mask — no scope text per token in the tables.

use heapless::String;

use super::limits::MAX_SCOPE;
use crate::profile::Profile;

/// Most scope tokens one grant may carry.
pub const MAX_SCOPE_TOKENS: usize = 32;

/// Whether `scope` is valid RFC 6749 §3.3 syntax (space-separated `NQCHAR` tokens, no empty
/// token), within [`MAX_SCOPE`] bytes and [`MAX_SCOPE_TOKENS`] tokens. The empty string
/// (no scope) is valid.
pub(crate) fn is_valid(scope: &str) -> bool {
    if scope.is_empty() {
        return true;
    }
    scope.len() <= MAX_SCOPE
        && scope.split(|c: char| c == ' ').count() <= MAX_SCOPE_TOKENS
        && scope.split(|c: char| c == ' ').all(|token| {
            !token.is_empty()
                && token
                    .bytes()
                    .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\')
        })
}

/// `requested` as the profile reads it, space-separated: Adobe IMS also delimits scope
/// tokens with commas (`openid,AdobeID,offline_access`, optionally `a, b`), so there a
/// comma separates tokens and empty tokens between delimiters are dropped; every other
/// profile reads the text as RFC 6749 §3.3 writes it (a comma is part of a token). `None`
/// when the normalised text does not fit [`MAX_SCOPE`].
pub(crate) fn normalized(profile: Profile, requested: &str) -> Option<String<MAX_SCOPE>> {
    if profile != Profile::AdobeIms {
        return String::try_from(requested).ok();
    }
    let mut out = String::new();
    for token in requested
        .split(|c: char| c == ' ' || c == ',')
        .filter(|token| !token.is_empty())
    {
        if !out.is_empty() {
            out.push(' ').ok()?;
        }
        out.push_str(token).ok()?;
    }
    Some(out)
}

/// The mask covering every token of `scope`.
pub(crate) fn full_mask(scope: &str) -> u32 {
    let count = if scope.is_empty() {
        0
    } else {
        scope.split(|c: char| c == ' ').count()
    };
    match u32::try_from(count) {
        Ok(32..) | Err(_) => u32::MAX,
        Ok(count) => (1u32 << count).wrapping_sub(1),
    }
}

/// The mask of `requested` within `granted`, or `None` when `requested` asks for a token
/// `granted` does not hold (`invalid_scope`).
pub(crate) fn narrow(granted: &str, requested: &str) -> Option<u32> {
    if requested.is_empty() {
        return Some(full_mask(granted));
    }
    let mut mask = 0u32;
    for wanted in requested.split(|c: char| c == ' ') {
        let index = granted
            .split(|c: char| c == ' ')
            .position(|token| token == wanted)?;
        mask |= 1u32.checked_shl(u32::try_from(index).ok()?)?;
    }
    Some(mask)
}

/// The tokens of `granted` selected by `mask`, space-separated.
pub(crate) fn text(granted: &str, mask: u32) -> String<MAX_SCOPE> {
    let mut out = String::new();
    if granted.is_empty() {
        return out;
    }
    for (index, token) in granted.split(|c: char| c == ' ').enumerate() {
        let selected = u32::try_from(index)
            .ok()
            .and_then(|i| 1u32.checked_shl(i))
            .is_some_and(|bit| mask & bit != 0);
        if selected {
            // Within MAX_SCOPE: a subset of `granted`, which fits.
            let _ = if out.is_empty() {
                Ok(())
            } else {
                out.push(' ')
            };
            let _ = out.push_str(token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax() {
        assert!(is_valid(""));
        assert!(is_valid("read write"));
        assert!(!is_valid("read  write"));
        assert!(!is_valid(" read"));
        assert!(!is_valid("re\"ad"));
        assert!(!is_valid("é"));
        let many = (0..33)
            .map(|i| std::format!("s{i}"))
            .collect::<std::vec::Vec<_>>()
            .join(" ");
        assert!(!is_valid(&many));
    }

    extern crate std;

    #[test]
    fn narrowing() {
        assert_eq!(full_mask("a b c"), 0b111);
        assert_eq!(full_mask(""), 0);
        assert_eq!(narrow("a b c", "c a"), Some(0b101));
        assert_eq!(narrow("a b c", ""), Some(0b111));
        assert_eq!(narrow("a b c", "d"), None);
        assert_eq!(narrow("a b", "a b"), Some(0b11));
        assert_eq!(text("a b c", 0b101).as_str(), "a c");
        assert_eq!(text("a b c", 0).as_str(), "");
    }

    #[test]
    fn adobe_ims_reads_commas_as_delimiters_and_rfc_does_not() {
        let ims = |text| normalized(Profile::AdobeIms, text).unwrap();
        assert_eq!(
            ims("openid,AdobeID,offline_access").as_str(),
            "openid AdobeID offline_access"
        );
        assert_eq!(ims("openid, AdobeID").as_str(), "openid AdobeID");
        assert_eq!(ims("openid AdobeID").as_str(), "openid AdobeID");
        assert_eq!(ims("").as_str(), "");
        let rfc = normalized(Profile::Rfc, "a,b").unwrap();
        assert_eq!(rfc.as_str(), "a,b");
        assert_eq!(full_mask(&rfc), 0b1);
        assert_eq!(
            normalized(Profile::Workfront, "a  b").unwrap().as_str(),
            "a  b"
        );
    }
}
