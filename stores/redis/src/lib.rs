//! # authcode-store-redis — the authorization server's state in Redis
//!
//! [`RedisStore`] implements the core's [`GrantStore`] on Redis, so that several
//! `authcode serve` processes (or any host embedding [`Server`]) share one set of codes,
//! grants and tokens, and one app registry:
//!
//! - Every operation that decides a race is **one Lua script** (see [`scripts`]): consuming
//!   a live code together with creating its grant, a refresh token's compare-and-swap with
//!   reuse detection, the quota checks with the insert. Redis runs a script as one step.
//! - Only digests are stored (codes, tokens and client secrets are SHA-256 digests in the
//!   core's entries); values are compact binary ([`postcard`]); every entry expires as a
//!   Redis TTL at the instant the core says it dies.
//! - A token exchange costs two round trips (read the code, redeem it), a refresh two (find
//!   the grant, compare-and-swap it).
//! - The app registry lives in the same Redis ([`RedisStore::publish_registry`],
//!   [`RedisStore::load_registry`]) with a version number that every script checks: a
//!   node whose registry is older gets [`StoreError::Unavailable`] with
//!   [`RedisStore::take_stale`] set, reloads, and retries — an admin change at one node
//!   holds at every node from its next request on.
//! - When Redis is unreachable, slow (past the timeout) or answers an error, the operation
//!   is [`StoreError::Unavailable`] and changes nothing; the connection is made again on
//!   the next operation, so a node recovers as soon as Redis is back.
//!
//! The store is synchronous (the core is sans-IO and synchronous): an async host calls the
//! server on a blocking thread (`tokio::task::spawn_blocking`), never on a runtime worker.
//!
//! Clocks: expiries are the host's Unix seconds, applied as Redis `EXPIREAT`; nodes and
//! Redis need synchronised clocks (NTP), as any distributed token service does.
//!
//! [`Server`]: authcode::server::Server

// A host crate: std is its home (the lint guards the no_std core).
#![allow(clippy::std_instead_of_core)]

pub mod scripts;
#[cfg(feature = "testing")]
pub mod testing;

use std::cell::RefCell;
use std::time::{Duration, Instant};

use authcode::Timestamp;
use authcode::server::{
    AppId, AssertionMark, Capacity, CodeEntry, FoundGrant, GrantEntry, GrantFilter, GrantId,
    GrantStore, Key, KeyKind, Limits, NewGrant, Noted, RedeemError, Registry, RotateOutcome,
    Rotation, Server, StoreError, TableKind, Usage,
};
use redis::Value;
use sha2::{Digest, Sha256};

use self::scripts::Scripts;

/// Where the store connects and how it names its keys.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// `redis://HOST:PORT/DB` (or `redis+unix:///path`, `rediss://` without TLS support
    /// compiled in is refused at [`RedisStore::connect`]).
    pub url: String,
    /// Every key starts with `prefix:` (several servers may share one Redis).
    pub prefix: String,
    /// How long one round trip (and a connection attempt) may take before the operation
    /// is [`StoreError::Unavailable`].
    pub timeout: Duration,
    /// The live codes and grants the store is sized for: the core derives its default
    /// per-app quotas from these (capacity / registry capacity).
    pub capacity: Capacity,
}

impl RedisConfig {
    /// `url` with prefix `authcode`, a 500 ms timeout and room for a million codes and a
    /// million grants.
    #[must_use]
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            prefix: "authcode".to_owned(),
            timeout: Duration::from_millis(500),
            capacity: Capacity {
                codes: 1 << 20,
                grants: 1 << 20,
                assertions: 1 << 20,
            },
        }
    }
}

/// Why [`RedisStore::connect`] failed.
#[derive(Debug)]
pub enum ConnectError {
    /// The URL is not a Redis URL.
    Url(String),
    /// Redis could not be reached or refused the connection.
    Unreachable(String),
    /// Redis answered, but it is older than 7.0 (the scripts use `EXPIRETIME`).
    Version(String),
}

impl core::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Url(cause) => write!(f, "not a usable Redis URL: {cause}"),
            Self::Unreachable(cause) => write!(f, "cannot reach Redis: {cause}"),
            Self::Version(version) => {
                write!(
                    f,
                    "Redis {version} is too old: authcode needs Redis 7.0 or newer"
                )
            }
        }
    }
}

impl std::error::Error for ConnectError {}

/// What [`RedisStore::publish_registry`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// Installed; the shared registry is now at this version.
    Installed(u64),
    /// Someone published since this store's registry was read: reload and redo the change.
    Stale,
}

/// Counters a host exports as metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Round trips made.
    pub round_trips: u64,
    /// Round trips that failed (unreachable, timeout, error answer, undecodable value).
    pub errors: u64,
    /// Total time spent in round trips, in microseconds.
    pub round_trip_micros: u64,
}

/// The grant store and shared app registry on Redis. One per connection: a host with
/// several threads gives each its own (they share all state through Redis).
///
/// The core reads through `&self` (validation is a read); the connection and counters
/// sit in a `RefCell`, so a store is `Send` but not `Sync` — one thread at a time.
pub struct RedisStore {
    client: redis::Client,
    config: RedisConfig,
    scripts: Scripts,
    inner: RefCell<Inner>,
}

/// What operations change.
#[derive(Default)]
struct Inner {
    connection: Option<redis::Connection>,
    /// The version of the shared registry the host's registry was read at.
    registry_version: u64,
    stale: bool,
    failed: bool,
    /// The grant the last `find_key` returned, with its version, for the compare-and-swap
    /// of the `rotate` that follows it.
    snapshot: Option<(GrantId, String, GrantEntry)>,
    stats: Stats,
    last_round_trip: Duration,
    /// Round-trip times not yet taken by [`RedisStore::take_round_trips`] (at most 64).
    recent: Vec<Duration>,
    /// Script answers that confirmed the registry version (every script checks it).
    verified: u64,
}

impl core::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.config.url)
            .field("prefix", &self.config.prefix)
            .finish_non_exhaustive()
    }
}

/// A script's answer: its tag and its values.
struct Answer {
    tag: String,
    values: Vec<Value>,
}

impl Answer {
    fn is(&self, tag: &str) -> bool {
        self.tag == tag
    }

    fn count(&self) -> usize {
        self.values
            .first()
            .and_then(number)
            .and_then(|count| usize::try_from(count).ok())
            .unwrap_or(0)
    }
}

fn hex(bytes: &[u8]) -> String {
    use core::fmt::Write;
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn subject_key(subject: &str) -> String {
    hex(&Sha256::digest(subject.as_bytes()))
}

fn app_key(app: AppId) -> String {
    app.as_u64().to_string()
}

fn dead_arg(grant: &GrantEntry) -> String {
    grant
        .dead_at()
        .map_or_else(|| "-1".to_owned(), |at| at.unix_seconds().to_string())
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
        Value::SimpleString(text) => Some(text.clone()),
        Value::Int(number) => Some(number.to_string()),
        _ => None,
    }
}

fn number(value: &Value) -> Option<u64> {
    match value {
        Value::Int(number) => u64::try_from(*number).ok(),
        other => text(other)?.parse().ok(),
    }
}

fn decode<T: serde::de::DeserializeOwned>(value: Option<&Value>) -> Option<T> {
    match value? {
        Value::BulkString(bytes) => postcard::from_bytes(bytes).ok(),
        _ => None,
    }
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_allocvec(value).map_err(|_| StoreError::Unavailable)
}

impl RedisStore {
    /// Connects (within the timeout) and checks that Redis answers and is 7.0 or newer.
    /// Returns the store and Redis's version.
    ///
    /// # Errors
    ///
    /// [`ConnectError`] naming what is wrong.
    pub fn connect(config: RedisConfig) -> Result<(Self, String), ConnectError> {
        use redis::IntoConnectionInfo as _;
        // Each operation is one small request and one answer: send it at once (no Nagle).
        let info = config
            .url
            .as_str()
            .into_connection_info()
            .map_err(|error| ConnectError::Url(error.to_string()))?
            .set_tcp_settings(redis::io::tcp::TcpSettings::default().set_nodelay(true));
        let client =
            redis::Client::open(info).map_err(|error| ConnectError::Url(error.to_string()))?;
        let store = Self {
            client,
            config,
            scripts: Scripts::new(),
            inner: RefCell::new(Inner::default()),
        };
        let info: String = store
            .round_trip(|connection| redis::cmd("INFO").arg("server").query(connection))
            .map_err(|_| {
                let cause = store
                    .client
                    .get_connection_with_timeout(store.config.timeout)
                    .err()
                    .map_or_else(|| "no answer in time".to_owned(), |error| error.to_string());
                ConnectError::Unreachable(cause)
            })?;
        let version = info
            .lines()
            .find_map(|line| line.strip_prefix("redis_version:"))
            .unwrap_or("unknown")
            .trim()
            .to_owned();
        let major = version
            .split('.')
            .next()
            .and_then(|major| major.parse::<u32>().ok());
        if major.is_none_or(|major| major < 7) {
            return Err(ConnectError::Version(version));
        }
        store.with(|inner| inner.failed = false);
        Ok((store, version))
    }

    /// A second store on the same Redis with the same settings (for another thread); it
    /// connects on first use and starts at this store's registry version.
    #[must_use]
    pub fn sibling(&self) -> Self {
        let registry_version = self.registry_version();
        Self {
            client: self.client.clone(),
            config: self.config.clone(),
            scripts: Scripts::new(),
            inner: RefCell::new(Inner {
                registry_version,
                ..Inner::default()
            }),
        }
    }

    /// The settings.
    #[must_use]
    pub const fn config(&self) -> &RedisConfig {
        &self.config
    }

    fn with<T: Default>(&self, change: impl FnOnce(&mut Inner) -> T) -> T {
        self.inner
            .try_borrow_mut()
            .map(|mut inner| change(&mut inner))
            .unwrap_or_default()
    }

    /// Whether an operation since the last call found the shared registry newer than
    /// this store's (it then answered [`StoreError::Unavailable`] and changed nothing):
    /// reload it with [`RedisStore::load_registry`] and retry. Clears the flag.
    pub fn take_stale(&mut self) -> bool {
        self.with(|inner| core::mem::take(&mut inner.stale))
    }

    /// Whether an operation since the last call failed because Redis was unreachable,
    /// slow or answered something unreadable. Clears the flag.
    pub fn take_failed(&mut self) -> bool {
        self.with(|inner| core::mem::take(&mut inner.failed))
    }

    /// Round-trip counters since this store was made.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.with(|inner| inner.stats)
    }

    /// The round-trip times since the last call (at most 64), for a latency histogram.
    pub fn take_round_trips(&mut self) -> Vec<Duration> {
        self.with(|inner| core::mem::take(&mut inner.recent))
    }

    /// How long the last round trip took.
    #[must_use]
    pub fn last_round_trip(&self) -> Duration {
        self.with(|inner| inner.last_round_trip)
    }

    /// How many operations have confirmed that the host's registry is current (every
    /// script checks the version; plain reads and writes do not).
    #[must_use]
    pub fn verified(&self) -> u64 {
        self.with(|inner| inner.verified)
    }

    /// The registry version this store's operations are checked against.
    #[must_use]
    pub fn registry_version(&self) -> u64 {
        self.with(|inner| inner.registry_version)
    }

    /// Marks the host's registry as not to be trusted (it may hold a change that was never
    /// published): every later operation finds it stale until it is reloaded.
    pub fn invalidate_registry(&mut self) {
        self.with(|inner| inner.registry_version = u64::MAX);
    }

    fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.config.prefix)
    }

    fn fail(&self) -> StoreError {
        self.with(|inner| {
            inner.failed = true;
            inner.stats.errors = inner.stats.errors.saturating_add(1);
        });
        StoreError::Unavailable
    }

    /// One round trip; a failure drops the connection (the next call connects again).
    fn round_trip<T>(
        &self,
        call: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, StoreError> {
        let Ok(mut inner) = self.inner.try_borrow_mut() else {
            return Err(StoreError::Unavailable);
        };
        let started = Instant::now();
        if inner.connection.is_none() {
            inner.connection = self
                .client
                .get_connection_with_timeout(self.config.timeout)
                .and_then(|connection| {
                    connection.set_read_timeout(Some(self.config.timeout))?;
                    connection.set_write_timeout(Some(self.config.timeout))?;
                    Ok(connection)
                })
                .ok();
        }
        let result = match inner.connection.as_mut() {
            Some(connection) => call(connection).ok(),
            None => None,
        };
        let elapsed = started.elapsed();
        inner.last_round_trip = elapsed;
        if inner.recent.len() < 64 {
            inner.recent.push(elapsed);
        }
        inner.stats.round_trips = inner.stats.round_trips.saturating_add(1);
        inner.stats.round_trip_micros = inner
            .stats
            .round_trip_micros
            .saturating_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
        if result.is_none() {
            inner.connection = None;
        }
        drop(inner);
        result.ok_or_else(|| self.fail())
    }

    /// Runs a script with the prefix and registry version before `args`.
    fn run(&self, script: &redis::Script, args: &[&[u8]]) -> Result<Answer, StoreError> {
        let version = self.registry_version().to_string();
        let mut invocation = script.prepare_invoke();
        invocation
            .arg(self.config.prefix.as_bytes())
            .arg(version.as_bytes());
        for arg in args {
            invocation.arg(*arg);
        }
        let values: Vec<Value> = self.round_trip(|connection| invocation.invoke(connection))?;
        let mut values = values.into_iter();
        match values.next().as_ref().and_then(text) {
            Some(tag) if tag == "stale" => {
                self.with(|inner| inner.stale = true);
                Err(StoreError::Unavailable)
            }
            Some(tag) => {
                self.with(|inner| inner.verified = inner.verified.saturating_add(1));
                Ok(Answer {
                    tag,
                    values: values.collect(),
                })
            }
            None => Err(self.fail()),
        }
    }

    /// Reads the shared registry and remembers its version (operations are then checked
    /// against it). `None` when nothing was published yet.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when Redis cannot be reached or the stored registry
    /// cannot be read as a `Registry<APPS>` (e.g. more apps than `APPS`).
    pub fn load_registry<const APPS: usize>(
        &mut self,
    ) -> Result<Option<Registry<APPS>>, StoreError> {
        let key = self.key("registry");
        let (version, body): (Option<u64>, Option<Vec<u8>>) = self.round_trip(|connection| {
            redis::cmd("HMGET")
                .arg(&key)
                .arg("version")
                .arg("body")
                .query(connection)
        })?;
        let registry = match body {
            Some(body) => {
                Some(postcard::from_bytes::<Registry<APPS>>(&body).map_err(|_| self.fail())?)
            }
            None => None,
        };
        self.with(|inner| {
            inner.registry_version = version.unwrap_or(0);
            inner.stale = false;
        });
        Ok(registry)
    }

    /// Publishes `registry` as the shared one, if nobody published since this store's
    /// registry was read (else [`Published::Stale`]: reload, redo the change, publish).
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when Redis cannot be reached (nothing was published).
    pub fn publish_registry<const APPS: usize>(
        &mut self,
        registry: &Registry<APPS>,
    ) -> Result<Published, StoreError> {
        let body = encode(registry)?;
        match self.run(&self.scripts.publish_registry, &[&body]) {
            Ok(answer) if answer.is("ok") => {
                let version = answer
                    .values
                    .first()
                    .and_then(number)
                    .ok_or_else(|| self.fail())?;
                self.with(|inner| inner.registry_version = version);
                Ok(Published::Installed(version))
            }
            Ok(_) => Err(self.fail()),
            Err(StoreError::Unavailable) if self.take_stale() => Ok(Published::Stale),
            Err(error) => Err(error),
        }
    }

    /// The current version of the shared registry (one round trip), to check before a
    /// decision that touches no other shared state (showing a consent page).
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    pub fn shared_registry_version(&self) -> Result<u64, StoreError> {
        let key = self.key("registry");
        let version: Option<u64> = self.round_trip(|connection| {
            redis::cmd("HGET")
                .arg(&key)
                .arg("version")
                .query(connection)
        })?;
        Ok(version.unwrap_or(0))
    }

    /// Keeps `value` under `name`/`id` with no expiry (one round trip) — for data a host
    /// keeps beside the registry, such as what its consent page shows about an app.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    pub fn put_value(&self, name: &str, id: &str, value: &[u8]) -> Result<(), StoreError> {
        let key = self.key(&format!("{name}:{id}"));
        self.round_trip(|connection| {
            redis::cmd("SET")
                .arg(&key)
                .arg(value)
                .query::<()>(connection)
        })
    }

    /// The value [`RedisStore::put_value`] kept under `name`/`id`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    pub fn get_value(&self, name: &str, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = self.key(&format!("{name}:{id}"));
        self.round_trip(|connection| redis::cmd("GET").arg(&key).query(connection))
    }

    /// Removes the value under `name`/`id`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    pub fn delete_value(&self, name: &str, id: &str) -> Result<(), StoreError> {
        let key = self.key(&format!("{name}:{id}"));
        self.round_trip(|connection| redis::cmd("DEL").arg(&key).query::<()>(connection))
    }

    /// Keeps `value` under `name`/`key` for `ttl` seconds (one round trip) — for
    /// short-lived values every node must see, such as the consent pages awaiting a
    /// decision. The key should be a digest: it is stored as is.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    pub fn put_expiring(
        &self,
        name: &str,
        key: &[u8; 32],
        value: &[u8],
        ttl: u64,
    ) -> Result<(), StoreError> {
        let key = self.key(&format!("{name}:{}", hex(key)));
        self.round_trip(|connection| {
            redis::cmd("SET")
                .arg(&key)
                .arg(value)
                .arg("EX")
                .arg(ttl.max(1))
                .query::<()>(connection)
        })
    }

    /// Takes the value [`RedisStore::put_expiring`] kept under `name`/`key`, removing it
    /// in the same step (`GETDEL`): of several nodes taking it at once, one gets it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`].
    pub fn take(&self, name: &str, key: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        let key = self.key(&format!("{name}:{}", hex(key)));
        self.round_trip(|connection| redis::cmd("GETDEL").arg(&key).query(connection))
    }

    /// Reads a grant by id (for a compare-and-swap that must start again).
    fn grant(&self, id: GrantId) -> Result<Option<(String, GrantEntry)>, StoreError> {
        let id_text = id.as_u64().to_string();
        let answer = self.run(&self.scripts.grant, &[id_text.as_bytes()])?;
        if answer.is("none") {
            return Ok(None);
        }
        let version = answer.values.first().and_then(text);
        match (version, decode::<GrantEntry>(answer.values.get(1))) {
            (Some(version), Some(mut entry)) if answer.is("found") => {
                entry.store_as(id);
                Ok(Some((version, entry)))
            }
            _ => Err(self.fail()),
        }
    }
}

/// A grant store that may be a [`RedisStore`] — the store itself, or a host's enum of
/// stores — so that [`with_current_registry`] works on the host's server type.
pub trait RedisBacked {
    /// The Redis store, when this is one.
    fn redis(&self) -> Option<&RedisStore>;
    /// The Redis store, mutably, when this is one.
    fn redis_mut(&mut self) -> Option<&mut RedisStore>;
}

impl RedisBacked for RedisStore {
    fn redis(&self) -> Option<&RedisStore> {
        Some(self)
    }

    fn redis_mut(&mut self) -> Option<&mut RedisStore> {
        Some(self)
    }
}

/// Runs `call` on `server` as of the current shared registry, and returns what it
/// returned: when an operation of the store found the node's registry stale, or when no
/// operation of the call checked it (its answer came from the registry alone — an unknown
/// client, a wrong secret, an admin listing) and the shared registry has moved on since,
/// the registry is reloaded and `call` runs again. Every failed run changed nothing, so
/// running again is safe; at most four runs. A store that is not Redis runs `call` once.
///
/// # Errors
///
/// [`StoreError::Unavailable`] when the registry could not be read (Redis unreachable)
/// or kept changing.
pub fn with_current_registry<St: GrantStore + RedisBacked, const APPS: usize, R>(
    server: &mut Server<St, APPS>,
    mut call: impl FnMut(&mut Server<St, APPS>) -> R,
) -> Result<R, StoreError> {
    for _ in 0..4 {
        let before = server
            .store()
            .redis()
            .map(|redis| (redis.verified(), redis.stats().errors));
        let result = call(server);
        let Some(redis) = server.store_mut().redis_mut() else {
            return Ok(result);
        };
        // A call that met an unreachable Redis answered that already (nothing changed).
        let failed = before.is_some_and(|(_, errors)| redis.stats().errors != errors);
        let stale = redis.take_stale()
            || (!failed
                && before.is_some_and(|(verified, _)| redis.verified() == verified)
                && redis.shared_registry_version()? != redis.registry_version());
        if !stale {
            return Ok(result);
        }
        reload_registry(server)?;
    }
    Err(StoreError::Unavailable)
}

/// Replaces `server`'s registry with the shared one (an empty one when none was
/// published yet). A store that is not Redis keeps its registry.
///
/// # Errors
///
/// [`StoreError::Unavailable`].
pub fn reload_registry<St: GrantStore + RedisBacked, const APPS: usize>(
    server: &mut Server<St, APPS>,
) -> Result<(), StoreError> {
    let Some(redis) = server.store_mut().redis_mut() else {
        return Ok(());
    };
    let registry = redis.load_registry::<APPS>()?;
    *server.registry_mut() = registry.unwrap_or_default();
    Ok(())
}

/// Publishes `server`'s registry (see [`RedisStore::publish_registry`]); a store that is
/// not Redis has nothing to publish.
///
/// # Errors
///
/// [`StoreError::Unavailable`].
pub fn publish_registry<St: GrantStore + RedisBacked, const APPS: usize>(
    server: &mut Server<St, APPS>,
) -> Result<Published, StoreError> {
    let registry = server.registry().clone();
    match server.store_mut().redis_mut() {
        Some(redis) => redis.publish_registry(&registry),
        None => Ok(Published::Installed(0)),
    }
}

impl GrantStore for RedisStore {
    fn capacity(&self) -> Capacity {
        self.config.capacity
    }

    fn insert_code(
        &mut self,
        code: &CodeEntry,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let body = encode(code)?;
        let digest = hex(code.digest());
        let app = app_key(code.app());
        let subject = subject_key(code.subject());
        let expires_at = code.expires_at().unix_seconds().to_string();
        let now = now.unix_seconds().to_string();
        let per_app = limits.codes_per_app.to_string();
        let per_subject = limits.codes_per_subject.max(1).to_string();
        let args: [&[u8]; 8] = [
            digest.as_bytes(),
            app.as_bytes(),
            subject.as_bytes(),
            expires_at.as_bytes(),
            now.as_bytes(),
            per_app.as_bytes(),
            per_subject.as_bytes(),
            &body,
        ];
        let answer = self.run(&self.scripts.insert_code, &args)?;
        match answer.tag.as_str() {
            "ok" => Ok(()),
            "app_quota" => Err(StoreError::AppQuota(TableKind::Codes)),
            "subject_quota" => Err(StoreError::SubjectQuota),
            _ => Err(self.fail()),
        }
    }

    fn code(&self, digest: &[u8; 32]) -> Result<Option<CodeEntry>, StoreError> {
        let digest = hex(digest);
        let answer = self.run(&self.scripts.code, &[digest.as_bytes()])?;
        if answer.is("none") {
            return Ok(None);
        }
        match decode::<CodeEntry>(answer.values.first()) {
            Some(entry) if answer.is("found") => Ok(Some(entry)),
            _ => Err(self.fail()),
        }
    }

    fn burn_code(&mut self, digest: &[u8; 32]) -> Result<(), StoreError> {
        let digest = hex(digest);
        let answer = self.run(&self.scripts.burn_code, &[digest.as_bytes()])?;
        if answer.is("ok") {
            Ok(())
        } else {
            Err(self.fail())
        }
    }

    fn redeem_code(
        &mut self,
        digest: &[u8; 32],
        grant: NewGrant,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<GrantId, RedeemError> {
        let body = encode(&grant.entry)?;
        let digest = hex(digest);
        let now = now.unix_seconds().to_string();
        let per_app = limits.grants_per_app.to_string();
        let generation = grant.entry.generation().to_string();
        let refresh_key = hex(&grant.refresh_key);
        let access_key = hex(&grant.access_key);
        let dead = dead_arg(&grant.entry);
        let app = app_key(grant.entry.app());
        let subject = subject_key(grant.entry.subject());
        let args: [&[u8]; 10] = [
            digest.as_bytes(),
            now.as_bytes(),
            per_app.as_bytes(),
            &body,
            generation.as_bytes(),
            refresh_key.as_bytes(),
            access_key.as_bytes(),
            dead.as_bytes(),
            app.as_bytes(),
            subject.as_bytes(),
        ];
        let answer = self.run(&self.scripts.redeem_code, &args)?;
        match answer.tag.as_str() {
            "ok" => answer
                .values
                .first()
                .and_then(number)
                .map(GrantId::from_u64)
                .ok_or_else(|| RedeemError::Store(self.fail())),
            "not_live" => Err(RedeemError::NotLive),
            "app_quota" => Err(RedeemError::Store(StoreError::AppQuota(TableKind::Grants))),
            _ => Err(RedeemError::Store(self.fail())),
        }
    }

    fn find_key(&self, key: &Key) -> Result<Option<FoundGrant>, StoreError> {
        let key = hex(key);
        let answer = self.run(&self.scripts.find_key, &[key.as_bytes()])?;
        if answer.is("none") {
            return Ok(None);
        }
        let values = &answer.values;
        let kind = values.first().and_then(text).and_then(|tag| key_kind(&tag));
        let id = values.get(1).and_then(number).map(GrantId::from_u64);
        let version = values.get(2).and_then(text);
        let entry = decode::<GrantEntry>(values.get(3));
        match (kind, id, version, entry) {
            (Some(kind), Some(id), Some(version), Some(mut grant)) if answer.is("found") => {
                grant.store_as(id);
                self.with(|inner| inner.snapshot = Some((id, version, grant.clone())));
                Ok(Some(FoundGrant { kind, id, grant }))
            }
            _ => Err(self.fail()),
        }
    }

    fn rotate(
        &mut self,
        id: GrantId,
        rotation: &Rotation,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<RotateOutcome, StoreError> {
        let id_text = id.as_u64().to_string();
        let expected_generation = rotation.expected_generation.to_string();
        let cached = self.with(|inner| inner.snapshot.take());
        let mut snapshot = match cached {
            Some((found, version, entry)) if found == id => Some((version, entry)),
            _ => self.grant(id)?,
        };
        // A refresh that does not rotate changes the grant without moving its generation:
        // when one raced this, read the grant again and reapply (bounded: every retry
        // means another refresh succeeded).
        for _ in 0..8 {
            let Some((version, entry)) = snapshot else {
                return Ok(RotateOutcome::Gone);
            };
            let mut next = entry;
            next.apply_rotation(rotation, limits, now);
            let body = encode(&next)?;
            let new_generation = next.generation().to_string();
            let dead = dead_arg(&next);
            let args: [&[u8]; 6] = [
                id_text.as_bytes(),
                expected_generation.as_bytes(),
                version.as_bytes(),
                new_generation.as_bytes(),
                &body,
                dead.as_bytes(),
            ];
            let answer = self.run(&self.scripts.rotate, &args)?;
            match answer.tag.as_str() {
                "rotated" => return Ok(RotateOutcome::Rotated),
                "reused" => return Ok(RotateOutcome::Reused),
                "gone" => return Ok(RotateOutcome::Gone),
                "retry" => snapshot = self.grant(id)?,
                _ => return Err(self.fail()),
            }
        }
        Err(self.fail())
    }

    fn revoke_grant(&mut self, id: GrantId) -> Result<bool, StoreError> {
        let id_text = id.as_u64().to_string();
        let answer = self.run(&self.scripts.revoke_grant, &[id_text.as_bytes()])?;
        if answer.is("ok") {
            Ok(answer.count() > 0)
        } else {
            Err(self.fail())
        }
    }

    fn revoke_where(&mut self, filter: GrantFilter<'_>) -> Result<usize, StoreError> {
        let (kind, key) = match filter {
            GrantFilter::Subject(subject) => ("subject", subject_key(subject)),
            GrantFilter::App(app) => ("app", app_key(app)),
        };
        let answer = self.run(
            &self.scripts.revoke_where,
            &[kind.as_bytes(), key.as_bytes()],
        )?;
        if answer.is("ok") {
            Ok(answer.count())
        } else {
            Err(self.fail())
        }
    }

    fn note_assertion(
        &mut self,
        mark: &AssertionMark,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<Noted, StoreError> {
        let digest = hex(&mark.digest);
        let app = app_key(mark.app);
        let expires_at = mark.expires_at.unix_seconds().to_string();
        let now = now.unix_seconds().to_string();
        let per_app = limits.assertions_per_app.max(1).to_string();
        let args: [&[u8]; 5] = [
            digest.as_bytes(),
            app.as_bytes(),
            expires_at.as_bytes(),
            now.as_bytes(),
            per_app.as_bytes(),
        ];
        let answer = self.run(&self.scripts.note_assertion, &args)?;
        match answer.tag.as_str() {
            "first" => Ok(Noted::First),
            "replayed" => Ok(Noted::Replayed),
            "app_quota" => Err(StoreError::AppQuota(TableKind::Assertions)),
            _ => Err(self.fail()),
        }
    }

    fn forget_assertion(&mut self, mark: &AssertionMark) -> Result<(), StoreError> {
        let digest = hex(&mark.digest);
        let app = app_key(mark.app);
        let answer = self.run(
            &self.scripts.forget_assertion,
            &[digest.as_bytes(), app.as_bytes()],
        )?;
        if answer.is("ok") {
            Ok(())
        } else {
            Err(self.fail())
        }
    }

    fn purge(&mut self, now: Timestamp) -> Result<usize, StoreError> {
        let now = now.unix_seconds().to_string();
        let answer = self.run(&self.scripts.purge, &[now.as_bytes()])?;
        if answer.is("ok") {
            Ok(answer.count())
        } else {
            Err(self.fail())
        }
    }

    fn usage(&self, app: AppId) -> Result<Usage, StoreError> {
        let codes = self.key(&format!("app:{}:codes", app_key(app)));
        let grants = self.key(&format!("app:{}:grants", app_key(app)));
        let (codes, grants): (u32, u32) = self.round_trip(|connection| {
            redis::pipe()
                .cmd("ZCARD")
                .arg(&codes)
                .cmd("ZCARD")
                .arg(&grants)
                .query(connection)
        })?;
        Ok(Usage { codes, grants })
    }
}

/// Whether a found key is a refresh or an access locator, from the script's tag.
fn key_kind(tag: &str) -> Option<KeyKind> {
    match tag {
        "R" => Some(KeyKind::Refresh),
        "A" => Some(KeyKind::Access),
        _ => None,
    }
}
