//! The vocabulary both roles speak: the OAuth error codes, the URL rules (endpoints,
//! redirect URIs, loopback hosts — RFC 8252, RFC 8414, RFC 9700) and the limits both sides
//! use. The client and the server are siblings over this module, `wire` and `pkce`; neither
//! imports the other.

mod error_code;
pub mod limits;
pub(crate) mod url;

pub use error_code::ErrorCode;
pub use url::UrlError;
pub(crate) use url::{check_endpoint, check_redirect_uri, is_loopback_ip};
