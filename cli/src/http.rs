//! Sending the requests the client session writes, with ureq (blocking, rustls): a CLI
//! does one request at a time, so a blocking client keeps `login` simple.

use std::time::Duration;

use authcode::client::HttpRequest;

/// An HTTP response: status and body.
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// One line naming the request and why it failed: DNS, refused, TLS, timeout, ….
#[must_use]
pub fn describe(method: &str, url: &str, error: &ureq::Error) -> String {
    use std::io::ErrorKind;
    let cause = match error {
        ureq::Error::HostNotFound => "DNS lookup failed (host not found)".to_owned(),
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused => "connection refused".to_owned(),
            ErrorKind::TimedOut => "timed out".to_owned(),
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => {
                "the connection was closed by the server".to_owned()
            }
            _ if io.to_string().contains("lookup address") => {
                format!("DNS lookup failed ({io})")
            }
            _ => format!("I/O error: {io}"),
        },
        ureq::Error::Timeout(which) => format!("timed out ({which})"),
        ureq::Error::ConnectionFailed => "could not connect".to_owned(),
        ureq::Error::Tls(problem) => format!("TLS: {problem}"),
        ureq::Error::BadUri(problem) => format!("not a usable URL: {problem}"),
        other => {
            let text = other.to_string();
            if text.to_ascii_lowercase().contains("tls") || text.contains("certificate") {
                format!("TLS: {text}")
            } else {
                text
            }
        }
    };
    format!("{method} {url}: {cause}")
}

/// A one-line summary of an error response: the status and the server's `error` and
/// `error_description`, when the body is an OAuth error.
#[must_use]
pub fn describe_status(method: &str, url: &str, response: &HttpResponse) -> String {
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
    let field = |name: &str| body.get(name).and_then(serde_json::Value::as_str);
    match (field("error"), field("error_description")) {
        (Some(error), Some(description)) => format!(
            "{method} {url}: HTTP {}: {error}: {description}",
            response.status
        ),
        (Some(error), None) => format!("{method} {url}: HTTP {}: {error}", response.status),
        _ => format!("{method} {url}: HTTP {}", response.status),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// Sends `request` (always a POST with a body).
///
/// # Errors
///
/// A message for a connection or I/O failure. HTTP error statuses are not errors: the
/// session reads them.
pub fn send(request: &HttpRequest<'_>) -> Result<HttpResponse, String> {
    let mut builder = agent()
        .post(request.url)
        .header("Content-Type", request.content_type)
        .header("Accept", request.accept);
    if let Some(authorization) = request.authorization {
        builder = builder.header("Authorization", authorization);
    }
    let mut response = builder
        .send(request.body)
        .map_err(|error| describe("POST", request.url, &error))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_vec()
        .map_err(|error| format!("reading the response of {}: {error}", request.url))?;
    Ok(HttpResponse { status, body })
}

/// A GET with optional headers; redirects are not followed (the `Location` is returned).
///
/// # Errors
///
/// A message for a connection or I/O failure.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Result<(HttpResponse, Option<String>), String> {
    let mut builder = agent().get(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut response = builder
        .call()
        .map_err(|error| describe("GET", url, &error))?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response
        .body_mut()
        .read_to_vec()
        .map_err(|error| format!("reading the response of {}: {error}", url))?;
    Ok((HttpResponse { status, body }, location))
}

/// A POST of a JSON body with optional headers.
///
/// # Errors
///
/// A message for a connection or I/O failure.
pub fn post_json(
    url: &str,
    headers: &[(&str, &str)],
    body: &serde_json::Value,
) -> Result<HttpResponse, String> {
    let mut builder = agent().post(url).header("Content-Type", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut response = builder
        .send(body.to_string())
        .map_err(|error| describe("POST", url, &error))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_vec()
        .map_err(|error| format!("reading the response of {}: {error}", url))?;
    Ok(HttpResponse { status, body })
}

/// A GET that expects a JSON document with status 200 (a metadata document).
///
/// # Errors
///
/// A one-line message naming the URL: the network failure, or the status.
pub fn get_document(url: &str) -> Result<Vec<u8>, String> {
    let (response, _) = get(url, &[("Accept", "application/json")])?;
    if response.status != 200 {
        return Err(describe_status("GET", url, &response));
    }
    Ok(response.body)
}
