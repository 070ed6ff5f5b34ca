//! `Server::authorize` (and `authorize_info`, `deny`) on arbitrary queries: never panics.
#![no_main]

mod common;

use authcode::Timestamp;
use authcode::profile::Profile;
use authcode::server::{AppKind, AppSpec, InlineStorage, MemoryStore, Server, ServerConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut server: Box<Server<MemoryStore<InlineStorage<8, 8, 8>>>> = Box::new(Server::new(ServerConfig::new(Profile::Workfront), InlineStorage::new()));
    let mut rng = common::rng(2);
    let app = server.registry_mut().create(&AppSpec::new("x", AppKind::SinglePage, &["https://a.example/cb"]), &mut rng).unwrap();
    // Prefix a real client and redirect URI half the time, to get past the first checks.
    let mut query = Vec::new();
    if data.first().is_some_and(|b| b & 1 == 1) {
        query.extend_from_slice(format!("client_id={}&redirect_uri=https%3A%2F%2Fa.example%2Fcb&", app.client_id).as_bytes());
    }
    query.extend_from_slice(data);
    let mut buf = [0u8; 2048];
    let _ = server.authorize_info(&query);
    let _ = server.deny(&query, &mut buf);
    let _ = server.authorize(&query, "subject", Timestamp::from_unix_seconds(0), &mut rng, &mut buf);
});
