//! The token and revocation endpoints on arbitrary requests: form and JSON bodies, Basic
//! headers. Never panic; always answer JSON; random input never earns tokens; a JSON body
//! is refused as malformed exactly when `serde_json` refuses it (beyond serde_json's own
//! limits and authcode's depth limit).
#![no_main]

mod common;

use arbitrary::Arbitrary;
use authcode::Timestamp;
use authcode::profile::Profile;
use authcode::wire::json::{JsonError, ObjectReader};
use authcode::server::{AppKind, AppSpec, InlineStorage, MemoryStore, Server, ServerConfig, TokenRequest};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    json: bool,
    post: bool,
    method: &'a str,
    authorization: Option<&'a str>,
    body: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let mut server: Box<Server<MemoryStore<InlineStorage<8, 8, 8>>>> = Box::new(Server::new(ServerConfig::new(Profile::Rfc), InlineStorage::new()));
    let mut rng = common::rng(3);
    let _ = server.registry_mut().create(&AppSpec::new("web", AppKind::WebApp, &["https://a.example/cb"]), &mut rng);
    let request = TokenRequest {
        method: if input.post { "POST" } else { input.method },
        content_type: Some(if input.json { "application/json" } else { "application/x-www-form-urlencoded" }),
        authorization: input.authorization,
        body: input.body,
    };
    let mut buf = [0u8; 1024];
    let response = server.token(&request, Timestamp::from_unix_seconds(0), &mut rng, &mut buf).unwrap();
    assert_ne!(response.status, 200, "random input earned tokens");
    assert!(response.body.starts_with('{') && response.body.ends_with('}'));
    if input.json && request.method == "POST" {
        let theirs = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(input.body);
        let limit = theirs.as_ref().err().is_some_and(|error| {
            let message = error.to_string();
            message.contains("number out of range") || message.contains("recursion limit")
        });
        let mut reader = ObjectReader::new(input.body);
        let mine = loop {
            match reader.next_member() {
                Ok(Some(_)) => {}
                Ok(None) => break Ok(()),
                Err(error) => break Err(error),
            }
        };
        let malformed = response.body.contains("the body is malformed");
        if !limit && mine != Err(JsonError::TooDeep) {
            assert_eq!(malformed, theirs.is_err(), "serde_json {theirs:?}: {}", response.body);
        }
        if malformed {
            assert_eq!(response.status, 400);
            assert!(response.body.contains("\"invalid_request\""));
        }
    }
    let _ = server.revoke(&request, Timestamp::from_unix_seconds(0), &mut buf).unwrap();
});
