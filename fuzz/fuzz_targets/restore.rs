//! `Session::restore` / `restore_keyed` on arbitrary bytes and on mutations of real saves
//! (unkeyed and keyed): never panics; a restored session satisfies every invariant of a
//! live one (`common::assert_live_invariants`) and saves back to bytes that restore to
//! the same save; a keyed save whose bytes changed never restores under the key, and a
//! keyed save never restores without it.
#![no_main]

mod common;

use authcode::Timestamp;
use authcode::client::{MAX_SAVED_LEN, RestoreError, SaveKey, Session};
use libfuzzer_sys::fuzz_target;

fn key() -> SaveKey {
    SaveKey::new(b"fuzzing key, 32 bytes long.....!").unwrap()
}

/// A real session of the stage the selector picks.
fn session(selector: u8) -> Session {
    match selector % 3 {
        0 => common::started(),
        1 => common::with_code(),
        _ => {
            let mut session = common::with_code();
            session
                .on_token_response(
                    200,
                    br#"{"access_token":"at","token_type":"Bearer","expires_in":60,"refresh_token":"rt"}"#,
                    Timestamp::from_unix_seconds(2_000),
                )
                .unwrap();
            session
        }
    }
}

fn check_restored(restored: &Session, keyed: bool) {
    common::assert_live_invariants(restored);
    let mut buf = vec![0u8; MAX_SAVED_LEN];
    let again = if keyed {
        restored.save_keyed(&key(), &mut buf).unwrap().to_vec()
    } else {
        restored.save(&mut buf).unwrap().to_vec()
    };
    let twice = if keyed {
        Session::restore_keyed(common::config(), &again, &key()).unwrap()
    } else {
        Session::restore(common::config(), &again).unwrap()
    };
    let mut buf = vec![0u8; MAX_SAVED_LEN];
    let thrice = if keyed {
        twice.save_keyed(&key(), &mut buf).unwrap()
    } else {
        twice.save(&mut buf).unwrap()
    };
    assert_eq!(again, thrice, "a restored session saves to the same bytes");
}

fuzz_target!(|input: (u8, &[u8])| {
    let (mode, data) = input;
    let keyed = mode & 4 != 0;
    if mode & 8 != 0 {
        // Arbitrary bytes.
        let restored = if keyed {
            Session::restore_keyed(common::config(), data, &key())
        } else {
            Session::restore(common::config(), data)
        };
        if let Ok(restored) = restored {
            check_restored(&restored, keyed);
        }
        return;
    }
    let original = session(mode);
    let mut buf = vec![0u8; MAX_SAVED_LEN];
    let saved = if keyed {
        original.save_keyed(&key(), &mut buf).unwrap().to_vec()
    } else {
        original.save(&mut buf).unwrap().to_vec()
    };
    let mut mutated = saved.clone();
    for (index, byte) in data.iter().enumerate().take(16) {
        let at = (usize::from(*byte) * 31 + index) % mutated.len();
        mutated[at] ^= byte | 1;
    }
    if mode & 16 != 0 {
        let cut = usize::from(data.first().copied().unwrap_or(0)) % mutated.len();
        mutated.truncate(cut);
    }
    if keyed {
        // Without the key, a keyed save never restores.
        assert!(Session::restore(common::config(), &mutated).is_err());
        match Session::restore_keyed(common::config(), &mutated, &key()) {
            Ok(restored) => {
                assert_eq!(mutated, saved, "a changed keyed save restored");
                check_restored(&restored, true);
            }
            Err(error) => {
                assert_ne!(mutated, saved);
                if mutated.get(..5) == saved.get(..5) {
                    assert_eq!(error, RestoreError::Tampered);
                }
            }
        }
    } else {
        // An unkeyed save never restores where a key is expected.
        assert!(Session::restore_keyed(common::config(), &mutated, &key()).is_err());
        if let Ok(restored) = Session::restore(common::config(), &mutated) {
            check_restored(&restored, false);
        }
    }
});
