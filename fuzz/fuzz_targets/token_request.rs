//! The token and revocation endpoints on arbitrary requests: form and JSON bodies, Basic
//! headers. Never panic; always answer JSON; random input never earns tokens.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use authcode::Timestamp;
use authcode::profile::Profile;
use authcode::server::{AppKind, AppSpec, InlineStorage, MemoryStore, Server, ServerConfig, TokenRequest};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    json: bool,
    method: &'a str,
    authorization: Option<&'a str>,
    body: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let mut server: Box<Server<MemoryStore<InlineStorage<8, 8, 8>>>> = Box::new(Server::new(ServerConfig::new(Profile::Rfc), InlineStorage::new()));
    let mut rng = common::rng(3);
    let _ = server.registry_mut().create(&AppSpec::new("web", AppKind::WebApp, &["https://a.example/cb"]), &mut rng);
    let request = TokenRequest {
        method: input.method,
        content_type: Some(if input.json { "application/json" } else { "application/x-www-form-urlencoded" }),
        authorization: input.authorization,
        body: input.body,
    };
    let mut buf = [0u8; 1024];
    let response = server.token(&request, Timestamp::from_unix_seconds(0), &mut rng, &mut buf).unwrap();
    assert_ne!(response.status, 200, "random input earned tokens");
    assert!(response.body.starts_with('{') && response.body.ends_with('}'));
    let _ = server.revoke(&request, Timestamp::from_unix_seconds(0), &mut buf).unwrap();
});
