//! `Session::on_token_response` on arbitrary status and body: never panics; an unreadable
//! response leaves the exchange pending; accepted tokens are non-empty.
#![no_main]

mod common;

use authcode::Timestamp;
use authcode::client::{Stage, TokenOutcome};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u16, &[u8])| {
    let (status, body) = input;
    let mut session = common::with_code();
    match session.on_token_response(status, body, Timestamp::from_unix_seconds(2_000)) {
        Ok(TokenOutcome::Authorized) => assert!(!session.tokens().unwrap().access_token().is_empty()),
        Ok(TokenOutcome::Rejected(_)) => assert_eq!(session.stage(), Stage::Failed),
        Err(_) => assert_eq!(session.stage(), Stage::AwaitingToken),
    }
});
