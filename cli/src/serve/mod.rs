//! `authcode serve`: a local Workfront-style authorization server over real HTTP.
//!
//! The HTTP layer is axum on tokio — the mainstream choice for an async Rust HTTP server:
//! it handles many concurrent clients on a few threads, has first-class graceful shutdown,
//! and keeps handlers plain functions. Every OAuth decision is made by `authcode::server`;
//! this module only moves bytes between HTTP and the core, which sits behind one mutex
//! (the core is single-threaded by design).

mod admin;
mod config;
mod consent;
mod details;
pub mod html;
mod listener;
mod metrics;
mod node;
mod paths;
mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use authcode::Timestamp;
use authcode::profile::Profile;
use authcode::server::{GrantEntry, MemoryStore, Server, ServerConfig, SliceStorage};
use authcode_store_redis::{RedisConfig, RedisStore, reload_registry};

pub use self::config::{AppConfig, AppsFile, ServerSettings};
pub use self::html::escape as escape_html;
pub use self::listener::HttpLimits;

pub use self::node::{CoreServer, NodeStore};
pub use self::paths::Paths;

/// Settings of `authcode serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen (loopback by default).
    pub listen: SocketAddr,
    /// The admin API's bearer token; generated and printed when `None`.
    pub admin_token: Option<String>,
    /// Sign in as this subject and approve at once, skipping the page (scripted use). A
    /// trailing `*` stands for a counter: a new subject per request.
    pub auto_approve: Option<String>,
    /// Apps to register at start.
    pub apps_file: Option<PathBuf>,
    /// Workfront (default), plain RFC or Adobe IMS paths and responses.
    pub profile: Profile,
    /// Code table slots (and as many subject slots) of the in-memory tables: pending codes.
    /// A code leaves its slot when redeemed (a replay is recognised through its grant) or
    /// expired, so this bounds logins started and not finished (65 536 / 120 s ≈ 540
    /// abandoned logins per second by default).
    pub codes: usize,
    /// Grant slots (each grant holds its tokens) of the in-memory tables. A grant keeps its
    /// slot until its refresh tokens expire: size for logins per second × refresh lifetime.
    pub grants: usize,
    /// Server settings; each one set here overrides the apps file's `[server]` table.
    pub settings: ServerSettings,
    /// Connection limits and timeouts of the HTTP front.
    pub http: HttpLimits,
    /// Keep codes, grants and apps in this Redis (`redis://HOST:PORT/DB`) instead of in
    /// this process, shared with every node started with the same URL and prefix.
    pub store: Option<String>,
    /// The prefix of every Redis key (several deployments may share one Redis).
    pub store_prefix: String,
    /// Connections to Redis (and so requests served at once).
    pub store_connections: usize,
    /// How long one Redis round trip may take before the request is answered 503.
    pub store_timeout: std::time::Duration,
    /// The algorithm of the ID token key generated at start (`rfc` and `adobe-ims`
    /// profiles; Workfront's legacy service has no ID tokens).
    pub id_token_algorithm: crate::signing::KeyAlgorithm,
    /// A PKCS#8 PEM private key (RSA or P-256) to sign ID tokens with instead.
    pub id_token_key: Option<PathBuf>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            admin_token: None,
            auto_approve: None,
            apps_file: None,
            profile: Profile::Workfront,
            codes: 65_536,
            grants: 65_536,
            settings: ServerSettings::default(),
            http: HttpLimits::default(),
            store: None,
            store_prefix: "authcode".to_owned(),
            store_connections: 8,
            store_timeout: std::time::Duration::from_millis(500),
            id_token_algorithm: crate::signing::KeyAlgorithm::default(),
            id_token_key: None,
        }
    }
}

/// What the request handlers share.
pub struct State {
    pub(crate) node: node::Node,
    pub(crate) metrics: Arc<metrics::Metrics>,
    pub(crate) details: Arc<details::DetailsStore>,
    pub(crate) admin_token: String,
    pub(crate) auto_approve: Option<String>,
    pub(crate) auto_approved: core::sync::atomic::AtomicU64,
    pub(crate) base_url: String,
    pub(crate) profile: Profile,
    pub(crate) paths: Paths,
    pub(crate) consent: consent::ConsentTokens,
    pub(crate) http_limits: HttpLimits,
    /// What signs ID tokens (none under the Workfront profile).
    pub(crate) id_token_key: Option<Arc<crate::signing::SigningKey>>,
}

/// Unix seconds from the system clock.
pub fn now() -> Timestamp {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    Timestamp::from_unix_seconds(seconds)
}

fn leak<T: Clone>(value: T, len: usize) -> &'static mut [T] {
    Box::leak(vec![value; len].into_boxed_slice())
}

/// A running server: its address, its admin token, the secrets of web apps loaded from
/// the apps file (shown once), and a handle that stops it.
pub struct Running {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// The admin API token.
    pub admin_token: String,
    /// `(name, client_id, client_secret)` of apps registered from the apps file.
    pub registered: Vec<(String, String, Option<String>)>,
    /// The Redis version, when the state is in Redis.
    pub redis_version: Option<String>,
    /// The profile served.
    pub profile: Profile,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// The base URL, e.g. `http://127.0.0.1:8787`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, finishes in-flight requests, and returns.
    ///
    /// # Errors
    ///
    /// The server task's I/O error, if it failed.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Why the server could not start.
#[derive(Debug)]
pub enum StartError {
    /// The address is taken or not ours to bind.
    Bind(SocketAddr, std::io::Error),
    /// The apps file is unreadable or invalid.
    Config(String),
    /// The shared store cannot be used: its URL and why.
    Store(String, String),
}

impl core::fmt::Display for StartError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Bind(addr, error) if error.kind() == std::io::ErrorKind::AddrInUse => {
                write!(
                    f,
                    "{addr} is already in use; stop the other process or pick another --port"
                )
            }
            Self::Bind(addr, error) => write!(f, "cannot listen on {addr}: {error}"),
            Self::Config(message) => f.write_str(message),
            Self::Store(url, cause) => write!(f, "--store {url}: {cause}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Binds, registers the apps of the apps file, and serves in the background of the current
/// tokio runtime. `shutdown_on_ctrl_c` also stops it on Ctrl-C.
///
/// # Errors
///
/// [`StartError`] for a taken port or a bad apps file.
pub async fn start(options: ServeOptions, shutdown_on_ctrl_c: bool) -> Result<Running, StartError> {
    let apps = match &options.apps_file {
        Some(path) => AppsFile::load(path).map_err(StartError::Config)?,
        None => AppsFile::default(),
    };
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|error| StartError::Bind(options.listen, error))?;
    let addr = listener
        .local_addr()
        .map_err(|error| StartError::Bind(options.listen, error))?;
    let base_url = format!("http://{addr}");

    let token_url = format!("{base_url}{}", Paths::of(options.profile).token);
    let mut config = ServerConfig::new(options.profile)
        .with_issuer(&base_url)
        .and_then(|config| config.with_token_endpoint(&token_url))
        .map_err(|error| StartError::Config(format!("issuer {base_url}: {error}")))?;
    if options.profile == Profile::Workfront {
        config = config
            .with_workfront_identity(&addr.to_string(), "local", "authcode-dev")
            .map_err(|error| StartError::Config(error.to_string()))?;
    }
    config = apps
        .server
        .overridden_by(&options.settings)
        .apply(config)
        .map_err(|error| StartError::Config(format!("[server] settings: {error}")))?;
    let metrics = Arc::new(metrics::Metrics::default());
    let details = Arc::new(details::DetailsStore::default());
    let (node, consent, registered, redis_version) = match &options.store {
        None => {
            let mut server = memory_server(config, &options);
            let registered = apps
                .register(&mut server, &details)
                .map_err(StartError::Config)?;
            let consent = consent::ConsentTokens::default();
            (node::Node::memory(server), consent, registered, None)
        }
        Some(url) => {
            // Connecting and registering wait on the network: not on a runtime worker.
            let (options, url, apps, details) = (
                options.clone(),
                url.clone(),
                apps.clone(),
                Arc::clone(&details),
            );
            let (servers, registered, version) = tokio::task::spawn_blocking(move || {
                redis_servers(config, &options, &url, &apps, &details)
            })
            .await
            .map_err(|error| StartError::Config(error.to_string()))??;
            let consent = match servers.first().map(|server| server.store()) {
                Some(NodeStore::Redis(store)) => consent::ConsentTokens::shared(store.sibling()),
                _ => consent::ConsentTokens::default(),
            };
            let node = node::Node::shared(servers, Arc::clone(&metrics));
            (node, consent, registered, Some(version))
        }
    };

    let id_token_key = if options.profile == Profile::Workfront {
        None
    } else {
        let (algorithm, path) = (options.id_token_algorithm, options.id_token_key.clone());
        // RSA key generation takes a while: not on a runtime worker.
        let key = tokio::task::spawn_blocking(move || match path {
            Some(path) => crate::signing::SigningKey::load(&path),
            None => crate::signing::SigningKey::generate(algorithm),
        })
        .await
        .map_err(|error| StartError::Config(error.to_string()))?
        .map_err(StartError::Config)?;
        Some(Arc::new(key))
    };
    let admin_token = options
        .admin_token
        .clone()
        .unwrap_or_else(random_admin_token);
    let state = Arc::new(State {
        node,
        metrics,
        details,
        admin_token: admin_token.clone(),
        auto_approve: options.auto_approve.clone(),
        auto_approved: core::sync::atomic::AtomicU64::new(0),
        base_url,
        profile: options.profile,
        paths: Paths::of(options.profile),
        consent,
        http_limits: options.http,
        id_token_key,
    });
    let app = routes::router(state);
    let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        listener::serve(listener, app, options.http, async move {
            if shutdown_on_ctrl_c {
                tokio::select! {
                    _ = shutdown_rx => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            } else {
                let _ = shutdown_rx.await;
            }
        })
        .await
    });
    Ok(Running {
        addr,
        admin_token,
        registered,
        redis_version,
        profile: options.profile,
        shutdown: Some(shutdown_tx),
        task,
    })
}

/// `(name, client_id, client_secret)` of each app registered from the apps file.
type Registered = Vec<(String, String, Option<String>)>;

/// A server over in-memory tables in leaked heap memory (they live as long as the
/// process, which is how long `serve` runs).
fn memory_server(config: ServerConfig, options: &ServeOptions) -> CoreServer {
    let codes = options.codes.max(8);
    let grants = options.grants.max(8);
    // Two keys per grant, at most 7/8 of the index live.
    let keys = grants
        .saturating_mul(2)
        .saturating_add(grants / 3)
        .saturating_add(8);
    let storage = SliceStorage {
        codes: leak(None, codes),
        subjects: leak(None, codes),
        grants: leak(GrantEntry::EMPTY, grants),
        keys: leak(None, keys),
    };
    Server::new(
        config,
        NodeStore::Memory(Box::new(MemoryStore::new(storage))),
    )
}

/// The servers of a node over Redis: connects (failing with the URL and the cause),
/// registers the apps of the apps file that the shared registry does not hold yet (by
/// name), and gives each server its own connection.
fn redis_servers(
    config: ServerConfig,
    options: &ServeOptions,
    url: &str,
    apps: &AppsFile,
    details: &details::DetailsStore,
) -> Result<(Vec<CoreServer>, Registered, String), StartError> {
    let store_error = |cause: String| StartError::Store(url.to_owned(), cause);
    let mut redis_config = RedisConfig::new(url);
    redis_config.prefix.clone_from(&options.store_prefix);
    redis_config.timeout = options.store_timeout;
    let (store, version) =
        RedisStore::connect(redis_config).map_err(|error| store_error(error.to_string()))?;
    let mut first = Server::new(config.clone(), NodeStore::Redis(Box::new(store)));
    let mut registered = Vec::new();
    loop {
        reload_registry(&mut first).map_err(|error| store_error(error.to_string()))?;
        let missing = apps.without(|name| first.registry().iter().any(|app| app.name() == name));
        if missing.app.is_empty() {
            break;
        }
        registered = missing
            .register(&mut first, details)
            .map_err(StartError::Config)?;
        match authcode_store_redis::publish_registry(&mut first)
            .map_err(|error| store_error(error.to_string()))?
        {
            authcode_store_redis::Published::Installed(_) => break,
            // Another node published first: start again from its registry.
            authcode_store_redis::Published::Stale => registered.clear(),
        }
    }
    let mut servers = Vec::new();
    for _ in 1..options.store_connections.max(1) {
        let sibling = match first.store() {
            NodeStore::Redis(store) => store.sibling(),
            NodeStore::Memory(_) => return Err(store_error("not a Redis store".to_owned())),
        };
        let mut server = Server::new(config.clone(), NodeStore::Redis(Box::new(sibling)));
        *server.registry_mut() = first.registry().clone();
        servers.push(server);
    }
    servers.push(first);
    Ok((servers, registered, version))
}

fn random_admin_token() -> String {
    let mut bytes = [0u8; 24];
    // The OS source failing here is fatal for a server that must issue secrets anyway.
    if getrandom::fill(&mut bytes).is_err() {
        bytes = [0; 24];
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `authcode serve`: start, print where and how, serve until Ctrl-C.
///
/// # Errors
///
/// [`Failure::Input`](crate::failure::Failure) (exit 2) for a bad apps file or a store
/// that cannot be used (named, with the cause); [`Failure::System`] otherwise.
pub fn run(options: ServeOptions) -> Result<(), crate::failure::Failure> {
    use crate::failure::Failure;
    init_logging();
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|error| Failure::System(format!("cannot start the runtime: {error}")))?;
    runtime.block_on(async move {
        let running = start(options, true).await.map_err(|error| match error {
            StartError::Config(_) | StartError::Store(..) => Failure::Input(error.to_string()),
            StartError::Bind(..) => Failure::System(error.to_string()),
        })?;
        println!("authcode serve listening on {}", running.base_url());
        if let Some(version) = &running.redis_version {
            println!("  state:      Redis {version} (shared by every node with the same --store and --store-prefix)");
        }
        let paths = Paths::of(running.profile);
        let base = running.base_url();
        println!("  profile:    {}", running.profile.name());
        println!("  authorize:  {base}{}", paths.authorize);
        println!("  token:      {base}{}", paths.token);
        println!("  revoke:     {base}{}", paths.revoke);
        if let Some(userinfo) = paths.userinfo {
            println!("  userinfo:   {base}{userinfo}");
        }
        println!("  metadata:   {base}{}", paths.metadata);
        println!(
            "  admin API:  {}/integrations/oauth2/admin/apps  (Authorization: Bearer {})",
            running.base_url(),
            running.admin_token
        );
        for (name, client_id, secret) in &running.registered {
            match secret {
                Some(secret) => println!(
                    "  app {name:?}: client_id {client_id}  client_secret {secret}  (shown once)"
                ),
                None => println!("  app {name:?}: client_id {client_id}"),
            }
        }
        println!("Ctrl-C stops it.");
        // Keep the shutdown sender alive: dropping it would stop the server.
        let Running { shutdown, task, .. } = running;
        let result = task.await;
        drop(shutdown);
        result
            .map_err(|error| Failure::System(error.to_string()))?
            .map_err(|error| Failure::System(error.to_string()))
    })
}

fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .try_init();
}
