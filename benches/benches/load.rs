//! Load: many concurrent clients drive `authcode serve` over loopback HTTP, sustained:
//! each client loops GET authorize (auto-approved) → POST token, timing the POST, for at
//! least three code lifetimes, with grants that die after one (so the tables reach their
//! steady state). Three setups in one run, for same-run ratios: in-memory tables, one
//! node over Redis, two nodes over one Redis (authorize at one, exchange at the other).
//!
//! `cargo bench -p authcode-benches --bench load` (options: `-- --clients N
//! --code-lifetime S --seconds S --setups memory,redis1,redis2`). Needs `redis-server`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    missing_docs
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use authcode_cli::http;
use authcode_cli::serve::{self, ServeOptions, ServerSettings};
use authcode_store_redis::testing::RedisServer;
use serde_json::json;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One measured configuration: where the state lives and how many nodes serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setup {
    Memory,
    Redis { nodes: usize },
}

impl Setup {
    fn name(self) -> String {
        match self {
            Self::Memory => "in-memory, 1 node".to_owned(),
            Self::Redis { nodes } => {
                format!("Redis, {nodes} node{}", if nodes == 1 { "" } else { "s" })
            }
        }
    }
}

/// What one configuration sustained.
struct Outcome {
    setup: Setup,
    seconds: f64,
    grants: usize,
    failures: BTreeMap<u16, usize>,
    p50: Duration,
    p99: Duration,
}

fn main() {
    // `cargo bench` passes `--bench`; ignore everything else.
    let clients = arg("--clients", 32);
    let lifetime = arg("--code-lifetime", 30);
    // At least three code (and grant) lifetimes: the tables reach their steady state
    // after one, so the figure is sustained, not a burst into empty tables.
    let seconds = arg("--seconds", 3 * lifetime + 10).max(3 * lifetime);
    let only = std::env::args()
        .skip_while(|a| a != "--setups")
        .nth(1)
        .unwrap_or_else(|| "memory,redis1,redis2".to_owned());
    let mut outcomes = Vec::new();
    for setup in only.split(',') {
        let setup = match setup {
            "memory" => Setup::Memory,
            "redis1" => Setup::Redis { nodes: 1 },
            "redis2" => Setup::Redis { nodes: 2 },
            other => panic!("unknown setup {other}: memory, redis1, redis2"),
        };
        outcomes.push(run(setup, clients, lifetime, seconds));
    }
    println!();
    println!(
        "load: {clients} clients, code, access-token and grant lifetime {lifetime} s, {seconds} s per setup, 2 cores shared by clients, nodes and Redis"
    );
    println!("| setup | grants/s | token p50 | token p99 | failed requests |");
    println!("| --- | ---: | ---: | ---: | --- |");
    let base = outcomes.first().map(|o| o.grants as f64 / o.seconds);
    for outcome in &outcomes {
        let rate = outcome.grants as f64 / outcome.seconds;
        let ratio = base.map_or(String::new(), |base| format!(" ({:.2}×)", rate / base));
        println!(
            "| {} | {rate:.0}{ratio} | {:?} | {:?} | {:?} |",
            outcome.setup.name(),
            outcome.p50,
            outcome.p99,
            outcome.failures
        );
    }
}

fn run(setup: Setup, clients: u64, lifetime: u64, seconds: u64) -> Outcome {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let redis = matches!(setup, Setup::Redis { .. }).then(|| RedisServer::start().unwrap());
    let nodes = match setup {
        Setup::Memory => 1,
        Setup::Redis { nodes } => nodes,
    };
    let options = ServeOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        admin_token: Some("load".into()),
        // A new user per login: one user holds at most 8 pending codes.
        auto_approve: Some("load-*".into()),
        profile: Profile::Rfc,
        // Pending codes live `lifetime` seconds at most and are redeemed at once; grants
        // die after `lifetime` (the app's refresh lifetime and the access token's).
        codes: 1 << 16,
        grants: 1 << 20,
        // One app makes every grant: let it use the whole tables.
        settings: ServerSettings {
            codes_per_app: Some(u32::MAX),
            grants_per_app: Some(u32::MAX),
            code_lifetime: Some(lifetime),
            access_token_lifetime: Some(lifetime),
            ..ServerSettings::default()
        },
        store: redis.as_ref().map(RedisServer::url),
        store_connections: 16,
        ..ServeOptions::default()
    };
    let running: Vec<_> = (0..nodes)
        .map(|_| {
            runtime
                .block_on(serve::start(options.clone(), false))
                .unwrap()
        })
        .collect();
    let bases: Vec<String> = running.iter().map(serve::Running::base_url).collect();
    let created = http::post_json(
        &format!("{}/integrations/oauth2/admin/apps", bases[0]),
        &[("Authorization", "Bearer load")],
        &json!({ "name": "load", "kind": "single-page", "redirect_uris": ["http://127.0.0.1/cb"],
                 "absolute_lifetime": lifetime, "inactivity_lifetime": lifetime }),
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
        .map(|client| {
            let stop = stop.clone();
            // Behind a load balancer: authorize at one node, exchange at the next.
            let authorize_base = bases[client as usize % bases.len()].clone();
            let token_base = bases[(client as usize + 1) % bases.len()].clone();
            let client_id = client_id.clone();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
                let mut latencies = Vec::new();
                let mut failures = BTreeMap::<u16, usize>::new();
                while !stop.load(Ordering::Relaxed) {
                    let verifier = Verifier::generate(&mut getrandom::SysRng, VerifierLength::DEFAULT).unwrap();
                    let challenge = Challenge::s256(&verifier);
                    let url = format!(
                        "{authorize_base}/integrations/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_challenge={challenge}&code_challenge_method=S256&state=s"
                    );
                    let response = agent.get(&url).call().unwrap();
                    let location = response
                        .headers()
                        .get("location")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let Some(code) = location.split("code=").nth(1).and_then(|rest| rest.split('&').next()) else {
                        *failures.entry(response.status().as_u16()).or_default() += 1;
                        continue;
                    };
                    let body = format!(
                        "grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&client_id={client_id}&code_verifier={}",
                        verifier.as_str()
                    );
                    let sent = Instant::now();
                    let mut response = agent
                        .post(&format!("{token_base}/integrations/oauth2/api/v1/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .send(body)
                        .unwrap();
                    let _ = response.body_mut().read_to_vec().unwrap();
                    let status = response.status().as_u16();
                    if status == 200 {
                        latencies.push(sent.elapsed());
                    } else {
                        *failures.entry(status).or_default() += 1;
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<Duration> = Vec::new();
    let mut failures = BTreeMap::<u16, usize>::new();
    for worker in workers {
        let (times, failed) = worker.join().unwrap();
        latencies.extend(times);
        for (status, count) in failed {
            *failures.entry(status).or_default() += count;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let count = latencies.len();
    let percentile = |p: f64| latencies[((count as f64 * p) as usize).min(count.saturating_sub(1))];
    let outcome = Outcome {
        setup,
        seconds: elapsed,
        grants: count,
        failures,
        p50: percentile(0.50),
        p99: percentile(0.99),
    };
    println!(
        "{}: {count} grants in {elapsed:.0} s ({:.0}/s), token p50 {:?} p99 {:?}, failures {:?}",
        setup.name(),
        count as f64 / elapsed,
        outcome.p50,
        outcome.p99,
        outcome.failures
    );
    for node in running {
        runtime.block_on(node.stop()).unwrap();
    }
    outcome
}
