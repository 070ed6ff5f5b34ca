//! `Session::restore` on arbitrary bytes (and on mutations of a real save): never panics.
#![no_main]

mod common;

use authcode::client::{MAX_SAVED_LEN, Session};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (bool, &[u8])| {
    let (mutate, data) = input;
    if mutate {
        let session = common::with_code();
        let mut buf = vec![0u8; MAX_SAVED_LEN];
        let mut saved = session.save(&mut buf).unwrap().to_vec();
        for (index, byte) in data.iter().enumerate().take(16) {
            let at = (usize::from(*byte) * 31 + index) % saved.len();
            saved[at] ^= byte | 1;
        }
        let _ = Session::restore(common::config(), &saved);
    } else {
        let _ = Session::restore(common::config(), data);
    }
});
