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
        .map_err(|error| format!("POST {}: {error}", request.url))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_vec()
        .map_err(|error| format!("reading the response: {error}"))?;
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
        .map_err(|error| format!("GET {url}: {error}"))?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response
        .body_mut()
        .read_to_vec()
        .map_err(|error| format!("reading the response: {error}"))?;
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
        .map_err(|error| format!("POST {url}: {error}"))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_vec()
        .map_err(|error| format!("reading the response: {error}"))?;
    Ok(HttpResponse { status, body })
}
