//! `Session::on_token_response` on arbitrary status and body: never panics; an unreadable
//! response leaves the exchange pending; accepted tokens are non-empty; the JSON reader
//! accepts exactly what `serde_json` accepts (beyond serde_json's own limits: numbers out
//! of `f64` range, its recursion limit); no accepted token puts a control character (CR,
//! LF …) into the header the session builds.
#![no_main]

mod common;

use authcode::Timestamp;
use authcode::client::{Stage, TokenOutcome};
use authcode::wire::json::{JsonError, ObjectReader};
use libfuzzer_sys::fuzz_target;

fn ours(body: &[u8]) -> Result<(), JsonError> {
    let mut reader = ObjectReader::new(body);
    while reader.next_member()?.is_some() {}
    Ok(())
}

fuzz_target!(|input: (u16, &[u8])| {
    let (status, body) = input;
    let theirs = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body);
    let limit = theirs.as_ref().err().is_some_and(|error| {
        let message = error.to_string();
        message.contains("number out of range") || message.contains("recursion limit")
    });
    let mine = ours(body);
    if !limit && mine != Err(JsonError::TooDeep) {
        assert_eq!(mine.is_ok(), theirs.is_ok(), "authcode {mine:?}, serde_json {theirs:?}");
    }
    let mut session = common::with_code();
    match session.on_token_response(status, body, Timestamp::from_unix_seconds(2_000)) {
        Ok(TokenOutcome::Authorized) => {
            assert!(!session.tokens().unwrap().access_token().is_empty());
            let mut buf = vec![0u8; 8192];
            let (_, value) = session.authorization_header(&mut buf).unwrap();
            assert!(value.bytes().all(|b| (0x20..=0x7e).contains(&b)), "{value:?}");
        }
        Ok(TokenOutcome::Rejected(_)) => assert_eq!(session.stage(), Stage::Failed),
        Err(_) => assert_eq!(session.stage(), Stage::AwaitingToken),
    }
});
