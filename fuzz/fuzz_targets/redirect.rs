//! `Session::on_redirect` on arbitrary bytes: never panics; a refusal changes nothing.
#![no_main]

mod common;

use authcode::client::Stage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut session = common::started();
    // Half the inputs get the real state appended, to reach the code and error paths.
    let mut input = data.to_vec();
    if data.first().is_some_and(|b| b & 1 == 1) {
        input.extend_from_slice(format!("&state={}", common::state_of(&session)).as_bytes());
    }
    if session.on_redirect(&input).is_err() {
        assert_eq!(session.stage(), Stage::AwaitingRedirect);
    }
});
