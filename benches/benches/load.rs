//! Load: many concurrent clients drive `authcode serve`'s token endpoint over loopback
//! HTTP. Each client loops: GET the authorize endpoint (auto-approved) for a code, then
//! POST the token request — timing the POST. Prints grants per second and the token
//! endpoint's p50/p99 latency.
//!
//! `cargo bench -p authcode-benches --bench load` (options: `-- --clients N --seconds S`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    missing_docs
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode_cli::http;
use authcode_cli::serve::{self, ServeOptions, ServerSettings};
use serde_json::json;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; ignore everything else.
    let clients = arg("--clients", 32);
    let seconds = arg("--seconds", 5);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let options = ServeOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        // A new user per login: one user holds at most 8 pending codes.
        auto_approve: Some("load-*".into()),
        profile: Profile::Rfc,
        codes: 1 << 14,
        grants: 1 << 19,
        // One app makes every grant: let it use the whole tables.
        settings: ServerSettings {
            codes_per_app: Some(u32::MAX),
            grants_per_app: Some(u32::MAX),
            ..ServerSettings::default()
        },
        ..ServeOptions::default()
    };
    let running = runtime.block_on(serve::start(options, false)).unwrap();
    let base = running.base_url();
    let created = http::post_json(
        &format!("{base}/integrations/oauth2/admin/apps"),
        &[("Authorization", &format!("Bearer {}", running.admin_token))],
        &json!({ "name": "load", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/cb"] }),
    )
    .unwrap();
    let client_id =
        serde_json::from_slice::<serde_json::Value>(&created.body).unwrap()["client_id"]
            .as_str()
            .unwrap()
            .to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let stop = stop.clone();
            let base = base.clone();
            let client_id = client_id.clone();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let verifier = Verifier::generate(&mut getrandom::SysRng, VerifierLength::DEFAULT).unwrap();
                    let challenge = Challenge::s256(&verifier);
                    let url = format!(
                        "{base}/integrations/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_challenge={challenge}&code_challenge_method=S256&state=s"
                    );
                    let response = agent.get(&url).call().unwrap();
                    let location = response.headers().get("location").unwrap().to_str().unwrap().to_owned();
                    let code = location.split("code=").nth(1).unwrap_or_else(|| panic!("{location}")).split('&').next().unwrap().to_owned();
                    let body = format!(
                        "grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&client_id={client_id}&code_verifier={}",
                        verifier.as_str()
                    );
                    let sent = Instant::now();
                    let mut response = agent
                        .post(&format!("{base}/integrations/oauth2/api/v1/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .send(body)
                        .unwrap();
                    let _ = response.body_mut().read_to_vec().unwrap();
                    latencies.push(sent.elapsed());
                    assert_eq!(response.status().as_u16(), 200);
                }
                latencies
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<Duration> = workers
        .into_iter()
        .flat_map(|worker| worker.join().unwrap())
        .collect();
    let elapsed = started.elapsed();
    latencies.sort();
    let count = latencies.len();
    let percentile = |p: f64| latencies[((count as f64 * p) as usize).min(count - 1)];
    println!(
        "load: {clients} concurrent clients for {:.1} s over loopback HTTP (axum server, 2 cores shared with the clients)",
        elapsed.as_secs_f64()
    );
    println!(
        "  grants completed: {count} ({:.0} per second; each = authorize GET + token POST)",
        count as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  token endpoint latency: p50 {:?}, p99 {:?}, max {:?}",
        percentile(0.50),
        percentile(0.99),
        latencies[count - 1]
    );
    runtime.block_on(running.stop()).unwrap();
}
