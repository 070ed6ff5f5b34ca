//! The server shared between threads through the C ABI, behind one lock (the core is
//! single-threaded by design): racing redemptions, racing refreshes, and a mixed load.

#![cfg(test)]
// lets clippy treat helpers as test code (see clippy.toml)
// These tests call the C ABI, which is unsafe by nature; each block states why it is sound.
#![allow(unsafe_code)]

use std::collections::HashSet;
use std::sync::{Arc, Barrier, Mutex};

use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode_ffi::authcode_result;
use authcode_ffi::authcode_str;
use authcode_ffi::client::authcode_error_code;
use authcode_ffi::server::{
    authcode_app_spec, authcode_server, authcode_server_authorize, authcode_server_create_app,
    authcode_server_free, authcode_server_new, authcode_server_token, authcode_server_validate,
    authcode_token_info, authcode_token_request, authcode_token_response,
};

const THREADS: usize = 16;
const NOW: u64 = 1_700_000_000;

/// The server pointer, shareable behind the mutex (one thread at a time, as the header
/// says).
struct Shared(*mut authcode_server);
// SAFETY: the pointer is only used while holding the mutex that wraps it.
unsafe impl Send for Shared {}

struct Fixture {
    server: Arc<Mutex<Shared>>,
    client_id: String,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let guard = self.server.lock().unwrap();
        // SAFETY: created by `authcode_server_new`; no other thread uses it any more.
        unsafe { authcode_server_free(guard.0) };
    }
}

fn fixture(rotation: bool) -> Fixture {
    let mut server = core::ptr::null_mut();
    // SAFETY: valid out pointer.
    let created = unsafe { authcode_server_new(0, &mut server) };
    assert_eq!(created, authcode_result::Ok);
    let redirect = authcode_str::of("https://app.example.com/cb");
    let spec = authcode_app_spec {
        name: authcode_str::of("race"),
        kind: 1,
        redirect_uris: &redirect,
        redirect_uri_count: 1,
        public_keys: core::ptr::null(),
        public_key_count: 0,
        rotation,
        absolute_lifetime: 0,
        inactivity_lifetime: 0,
        require_pkce: true,
        client_credentials: false,
        scope: authcode_str::NONE,
    };
    let (mut id, mut secret) = ([0u8; 64], [0u8; 64]);
    let (mut id_len, mut secret_len) = (0, 0);
    // SAFETY: live server; valid spec and buffers.
    let result = unsafe {
        authcode_server_create_app(
            server,
            &spec,
            core::ptr::null(),
            id.as_mut_ptr(),
            id.len(),
            &mut id_len,
            secret.as_mut_ptr(),
            secret.len(),
            &mut secret_len,
        )
    };
    assert_eq!(result, authcode_result::Ok);
    // One app makes all the grants here: let it use the whole grant table.
    // SAFETY: live server.
    let result = unsafe { authcode_ffi::server::authcode_server_set_quotas(server, 0, 128, 8) };
    assert_eq!(result, authcode_result::Ok);
    Fixture {
        server: Arc::new(Mutex::new(Shared(server))),
        client_id: String::from_utf8(id[..id_len].to_vec()).unwrap(),
    }
}

impl Fixture {
    /// Authorizes and returns (code, verifier).
    fn code(&self) -> (String, Verifier) {
        let verifier = Verifier::generate(&mut getrandom::SysRng, VerifierLength::DEFAULT).unwrap();
        let query = format!(
            "response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&code_challenge={}&code_challenge_method=S256",
            self.client_id,
            Challenge::s256(&verifier)
        );
        let mut location = [0u8; 1024];
        let (mut len, mut error) = (0, authcode_error_code::None);
        // A user per code: each subject holds at most 8 pending codes.
        static USERS: core::sync::atomic::AtomicUsize = core::sync::atomic::AtomicUsize::new(0);
        let subject = format!(
            "user-{}",
            USERS.fetch_add(1, core::sync::atomic::Ordering::Relaxed)
        );
        let guard = self.server.lock().unwrap();
        // SAFETY: live server used under the lock; valid strings and buffers.
        let result = unsafe {
            authcode_server_authorize(
                guard.0,
                query.as_ptr(),
                query.len(),
                subject.as_ptr(),
                subject.len(),
                NOW,
                core::ptr::null(),
                location.as_mut_ptr(),
                location.len(),
                &mut len,
                &mut error,
            )
        };
        assert_eq!(result, authcode_result::Ok);
        let location = String::from_utf8(location[..len].to_vec()).unwrap();
        let code = location
            .split("code=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned();
        (code, verifier)
    }

    /// Sends a form body to the token endpoint; returns (status, JSON).
    fn token(&self, body: &str) -> (u16, serde_json::Value) {
        let request = authcode_token_request {
            method: authcode_str::of("POST"),
            content_type: authcode_str::of("application/x-www-form-urlencoded"),
            authorization: authcode_str::NONE,
            body: authcode_str::of(body),
        };
        let mut buf = [0u8; 1024];
        let mut response = core::mem::MaybeUninit::<authcode_token_response>::uninit();
        let guard = self.server.lock().unwrap();
        // SAFETY: live server used under the lock; valid request, buffer and out pointer.
        let result = unsafe {
            authcode_server_token(
                guard.0,
                &request,
                NOW + 1,
                core::ptr::null(),
                buf.as_mut_ptr(),
                buf.len(),
                response.as_mut_ptr(),
            )
        };
        assert_eq!(result, authcode_result::Ok);
        // SAFETY: written on success.
        let response = unsafe { response.assume_init() };
        // SAFETY: the body points into `buf`, still alive.
        let body = unsafe { core::slice::from_raw_parts(response.body.ptr, response.body.len) };
        (response.status, serde_json::from_slice(body).unwrap())
    }

    fn exchange_body(&self, code: &str, verifier: &Verifier) -> String {
        format!(
            "grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&client_id={}&code_verifier={}",
            self.client_id,
            verifier.as_str()
        )
    }

    /// Makes a grant and returns the body of a request refreshing it.
    fn refresh_body_of_new_grant(&self) -> String {
        let (code, verifier) = self.code();
        let (status, json) = self.token(&self.exchange_body(&code, &verifier));
        assert_eq!(status, 200, "{json}");
        self.refresh_body(json["refresh_token"].as_str().unwrap())
    }

    fn refresh_body(&self, refresh_token: &str) -> String {
        format!(
            "grant_type=refresh_token&refresh_token={refresh_token}&client_id={}",
            self.client_id
        )
    }

    fn valid(&self, access: &str) -> bool {
        let mut info = core::mem::MaybeUninit::<authcode_token_info>::uninit();
        let guard = self.server.lock().unwrap();
        // SAFETY: live server used under the lock; valid string and out pointer.
        unsafe {
            authcode_server_validate(
                guard.0,
                access.as_ptr(),
                access.len(),
                NOW + 2,
                info.as_mut_ptr(),
            ) == authcode_result::Ok
        }
    }
}

/// Runs `work` on THREADS threads released together; returns their results.
fn race<T: Send + 'static>(work: impl Fn() -> T + Send + Sync + 'static) -> Vec<T> {
    let work = Arc::new(work);
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (work, barrier) = (work.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                work()
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect()
}

#[test]
fn a_code_redeemed_from_many_threads_succeeds_exactly_once() {
    let fixture = Arc::new(fixture(true));
    let (code, verifier) = fixture.code();
    let body = fixture.exchange_body(&code, &verifier);
    let shared = fixture.clone();
    let results = race(move || shared.token(&body));
    let winners: Vec<_> = results
        .iter()
        .filter(|(status, _)| *status == 200)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter(|(status, _)| *status != 200)
            .all(|(status, json)| *status == 400 && json["error"] == "invalid_grant")
    );
    // The losers were replays: the winner's grant is revoked (RFC 6749 §4.1.2).
    assert!(!fixture.valid(winners[0].1["access_token"].as_str().unwrap()));
}

#[test]
fn a_rotating_refresh_token_refreshed_from_many_threads() {
    let fixture = Arc::new(fixture(true));
    let body = fixture.refresh_body_of_new_grant();
    let shared = fixture.clone();
    let results = race(move || shared.token(&body));
    let winners: Vec<_> = results
        .iter()
        .filter(|(status, _)| *status == 200)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one refresh succeeds");
    // Every other attempt presented a rotated-out token: invalid_grant, and the grant —
    // the winner's new tokens included — is revoked (RFC 9700 §4.14.2), as documented.
    assert!(
        results
            .iter()
            .filter(|(status, _)| *status != 200)
            .all(|(_, json)| json["error"] == "invalid_grant")
    );
    assert!(!fixture.valid(winners[0].1["access_token"].as_str().unwrap()));
}

#[test]
fn a_non_rotating_refresh_token_refreshed_from_many_threads_always_works() {
    let fixture = Arc::new(fixture(false));
    let body = fixture.refresh_body_of_new_grant();
    let shared = fixture.clone();
    let results = race(move || shared.token(&body));
    assert!(results.iter().all(|(status, _)| *status == 200));
    let access: HashSet<_> = results
        .iter()
        .map(|(_, json)| json["access_token"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(access.len(), THREADS, "no doubled tokens");
    // A grant holds two live access tokens: the last two issued.
    assert_eq!(
        access.iter().filter(|token| fixture.valid(token)).count(),
        2
    );
}

#[test]
fn a_mixed_load_loses_and_doubles_nothing() {
    let fixture = Arc::new(fixture(true));
    let shared = fixture.clone();
    let per_thread = 5;
    let results = race(move || {
        (0..per_thread)
            .map(|_| {
                let (status, json) = shared.token(&shared.refresh_body_of_new_grant());
                assert_eq!(status, 200, "{json}");
                json["access_token"].as_str().unwrap().to_owned()
            })
            .collect::<Vec<_>>()
    });
    let all: Vec<String> = results.into_iter().flatten().collect();
    assert_eq!(all.len(), THREADS * per_thread);
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "no doubled tokens");
    assert!(
        all.iter().all(|token| fixture.valid(token)),
        "no lost tokens"
    );
}
