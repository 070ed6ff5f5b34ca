//! HTTP requests the client asks the host to send, written into the host's buffer.

use core::fmt::Write as _;

use super::config::{ClientAuth, ClientConfig};
use crate::BufferTooSmall;
use crate::profile::{BodyFormat, Profile};
use crate::wire::query::encode;
use crate::wire::{Writer, basic, json};

/// An HTTP request for the host to send. Every header the request needs is here; the host
/// adds only what its HTTP stack always adds (`Host`, `Content-Length`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpRequest<'a> {
    /// Always `POST` for the token and revocation endpoints.
    pub method: &'static str,
    /// The endpoint URL.
    pub url: &'a str,
    /// The `Content-Type` of the body.
    pub content_type: &'static str,
    /// The `Accept` header: `application/json`.
    pub accept: &'static str,
    /// The `Authorization` header value, when the client authenticates with HTTP Basic.
    /// It holds the client secret: do not log it.
    pub authorization: Option<&'a str>,
    /// The body. It holds the code, verifier or tokens: do not log it.
    pub body: &'a str,
}

impl<'a> HttpRequest<'a> {
    /// The headers as `(name, value)` pairs: `Content-Type`, `Accept`, and
    /// `Authorization` when present.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &'a str)> + '_ {
        [
            Some(("Content-Type", self.content_type)),
            Some(("Accept", self.accept)),
            self.authorization.map(|value| ("Authorization", value)),
        ]
        .into_iter()
        .flatten()
    }
}

/// Builds a body of `name=value` parameters in the configured format.
pub(crate) struct BodyBuilder<'w, 'buf> {
    writer: &'w mut Writer<'buf>,
    format: BodyFormat,
    count: usize,
}

impl<'w, 'buf> BodyBuilder<'w, 'buf> {
    pub(crate) fn new(writer: &'w mut Writer<'buf>, format: BodyFormat) -> Self {
        if format == BodyFormat::Json {
            writer.push("{");
        }
        Self {
            writer,
            format,
            count: 0,
        }
    }

    pub(crate) fn param(&mut self, name: &str, value: &str) {
        match self.format {
            BodyFormat::Form => {
                if self.count > 0 {
                    self.writer.push("&");
                }
                // Writing into a Writer never fails; overflow is counted.
                let _ = write!(self.writer, "{}={}", encode(name), encode(value));
            }
            BodyFormat::Json => {
                if self.count > 0 {
                    self.writer.push(",");
                }
                json::write_string(self.writer, name);
                self.writer.push(":");
                json::write_string(self.writer, value);
            }
        }
        self.count = self.count.saturating_add(1);
    }

    pub(crate) fn finish(self) {
        if self.format == BodyFormat::Json {
            self.writer.push("}");
        }
    }
}

/// Who is calling the token endpoint: what [`write_request`] and [`body_client_auth`]
/// need of a client, whether an authorization-code client or a client-credentials one.
pub(crate) trait Caller {
    /// The dialect.
    fn profile(&self) -> Profile;
    /// The `client_id`.
    fn client_id(&self) -> &str;
    /// How the client authenticates.
    fn auth(&self) -> &ClientAuth;
}

impl Caller for ClientConfig {
    fn profile(&self) -> Profile {
        self.profile
    }
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn auth(&self) -> &ClientAuth {
        &self.auth
    }
}

/// Client authentication in the body, per the configuration: `client_id` for public
/// clients (RFC 6749 §4.1.3) and for `client_secret_post`, plus `client_secret` for the
/// latter. With Basic, nothing goes in the body.
pub(crate) fn body_client_auth(body: &mut BodyBuilder<'_, '_>, caller: &impl Caller) {
    match caller.auth() {
        ClientAuth::None => body.param("client_id", caller.client_id()),
        ClientAuth::SecretPost(secret) => {
            body.param("client_id", caller.client_id());
            body.param("client_secret", secret.as_str());
        }
        ClientAuth::SecretBasic(_) => {}
    }
}

/// Writes the request into `buf` — the URL when it needs a query parameter added, the
/// Basic header (when configured), then the body built by `fill` — and returns it.
///
/// Adobe IMS public clients also send `client_id` as a query parameter of the token and
/// revocation URLs, as Adobe's examples do (it stays in the body too).
pub(crate) fn write_request<'a>(
    config: &impl Caller,
    format: BodyFormat,
    url: &'a str,
    buf: &'a mut [u8],
    fill: impl FnOnce(&mut BodyBuilder<'_, '_>),
) -> Result<HttpRequest<'a>, BufferTooSmall> {
    let mut writer = Writer::new(buf);
    let client_id_in_query =
        config.profile() == Profile::AdobeIms && matches!(config.auth(), ClientAuth::None);
    if client_id_in_query {
        let separator = if url.contains('?') { '&' } else { '?' };
        let _ = write!(
            writer,
            "{url}{separator}client_id={}",
            encode(config.client_id())
        );
    }
    let url_len = writer.needed();
    if let ClientAuth::SecretBasic(secret) = config.auth() {
        // Capacities of client_id and secret keep the credentials within the limit.
        basic::write_header(&mut writer, config.client_id(), secret.as_str())
            .map_err(|_| BufferTooSmall { needed: usize::MAX })?;
    }
    let header_end = writer.needed();
    let mut body = BodyBuilder::new(&mut writer, format);
    fill(&mut body);
    body.finish();
    let written = writer.finish()?;
    let (url_text, rest) = written.split_at_checked(url_len).unwrap_or(("", written));
    let (header, body) = rest
        .split_at_checked(header_end.saturating_sub(url_len))
        .unwrap_or((rest, ""));
    Ok(HttpRequest {
        method: "POST",
        url: if client_id_in_query { url_text } else { url },
        content_type: format.content_type(),
        accept: "application/json",
        authorization: (!header.is_empty()).then_some(header),
        body,
    })
}
