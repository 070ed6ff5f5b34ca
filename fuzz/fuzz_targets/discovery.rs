//! `ClientConfig::from_metadata` on arbitrary documents (half of them a real document
//! with fuzzer-chosen bytes spliced in): never panics; an accepted document is a JSON
//! object that `serde_json` reads too, whose `issuer` is exactly the expected one, whose
//! endpoints are the configuration's, all `https` or loopback `http`, whose
//! `code_challenge_methods_supported` (when present) lists `S256`, and whose
//! `authorization_response_iss_parameter_supported: true` makes `iss` required.
#![no_main]

use authcode::client::{ClientConfig, Discovery};
use authcode::profile::Profile;
use libfuzzer_sys::fuzz_target;

const ISSUER: &str = "https://idp.example.com";
const REAL: &str = r#"{"issuer":"https://idp.example.com","authorization_endpoint":"https://idp.example.com/a","token_endpoint":"https://idp.example.com/t","revocation_endpoint":"http://127.0.0.1/r","response_types_supported":["code"],"code_challenge_methods_supported":["S256"],"token_endpoint_auth_methods_supported":["client_secret_post"],"authorization_response_iss_parameter_supported":true}"#;

fn secure(url: &str) -> bool {
    // Schemes and hosts are case-insensitive.
    let url = url.to_ascii_lowercase();
    url.starts_with("https://")
        || url.starts_with("http://127.")
        || url.starts_with("http://[::1]")
        || url.starts_with("http://localhost")
}

fuzz_target!(|input: (bool, bool, u16, &[u8])| {
    let (splice, secret, at, bytes) = input;
    let document: Vec<u8> = if splice {
        let at = usize::from(at) % (REAL.len() + 1);
        let mut doc = REAL.as_bytes()[..at].to_vec();
        doc.extend_from_slice(bytes);
        doc.extend_from_slice(&REAL.as_bytes()[at..]);
        doc
    } else {
        bytes.to_vec()
    };
    let discovery = Discovery {
        issuer: ISSUER,
        client_id: "app",
        redirect_uri: "com.example.app:/cb",
        profile: Profile::Rfc,
        client_secret: secret.then_some("s3cret"),
        auth_method: None,
    };
    let Ok(config) = ClientConfig::from_metadata(&document, &discovery) else {
        return;
    };
    let parsed: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&document).expect("accepted, so serde_json reads it");
    assert_eq!(parsed.get("issuer").and_then(|v| v.as_str()), Some(ISSUER));
    assert_eq!(config.issuer(), Some(ISSUER));
    let member = |name: &str| parsed.get(name).and_then(|v| v.as_str());
    assert_eq!(member("authorization_endpoint"), Some(config.authorization_endpoint()));
    assert_eq!(member("token_endpoint"), Some(config.token_endpoint()));
    assert_eq!(member("revocation_endpoint"), config.revocation_endpoint());
    for url in [Some(config.authorization_endpoint()), Some(config.token_endpoint()), config.revocation_endpoint(), config.userinfo_endpoint(), config.jwks_uri()].into_iter().flatten() {
        assert!(secure(url), "{url}");
    }
    if let Some(methods) = parsed.get("code_challenge_methods_supported") {
        let methods = methods.as_array().expect("an array");
        assert!(methods.iter().any(|m| m.as_str() == Some("S256")));
    }
    let types = parsed["response_types_supported"].as_array().expect("an array");
    assert!(types.iter().any(|t| t.as_str() == Some("code")));
    let iss_required = parsed.get("authorization_response_iss_parameter_supported") == Some(&serde_json::Value::Bool(true));
    assert_eq!(config.issuer_required_on_redirect(), iss_required);
    assert_eq!(config.auth().is_confidential(), secret);
});
