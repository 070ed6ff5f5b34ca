//! Where this node keeps its state: the in-memory tables (one server behind a mutex, the
//! embedded default) or a shared Redis (a pool of servers, one connection each, called on
//! blocking threads so that no runtime worker waits on the network).

use std::sync::{Arc, Condvar, Mutex};

use super::metrics::Metrics;
use authcode::Timestamp;
use authcode::server::{
    AssertionMark, Capacity, CodeEntry, FoundGrant, GrantFilter, GrantId, GrantStore, Key, Limits,
    MemoryStore, NewGrant, Noted, RedeemError, RotateOutcome, Rotation, Server, SliceStorage,
    StoreError, Usage,
};
use authcode_store_redis::{
    Published, RedisBacked, RedisStore, publish_registry, reload_registry, with_current_registry,
};

/// The grant store of a node: in-memory tables or Redis.
#[derive(Debug)]
pub enum NodeStore {
    /// Tables in this process (lost when it stops).
    Memory(Box<MemoryStore<SliceStorage<'static>>>),
    /// A Redis shared by every node.
    Redis(Box<RedisStore>),
}

macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            Self::Memory($store) => $call,
            Self::Redis($store) => $call,
        }
    };
}

impl GrantStore for NodeStore {
    fn capacity(&self) -> Capacity {
        delegate!(self, store => store.capacity())
    }

    fn insert_code(
        &mut self,
        code: &CodeEntry,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.insert_code(code, limits, now))
    }

    fn code(&self, digest: &[u8; 32]) -> Result<Option<CodeEntry>, StoreError> {
        delegate!(self, store => store.code(digest))
    }

    fn burn_code(&mut self, digest: &[u8; 32]) -> Result<(), StoreError> {
        delegate!(self, store => store.burn_code(digest))
    }

    fn redeem_code(
        &mut self,
        digest: &[u8; 32],
        grant: NewGrant,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<GrantId, RedeemError> {
        delegate!(self, store => store.redeem_code(digest, grant, limits, now))
    }

    fn find_key(&self, key: &Key) -> Result<Option<FoundGrant>, StoreError> {
        delegate!(self, store => store.find_key(key))
    }

    fn rotate(
        &mut self,
        id: GrantId,
        rotation: &Rotation,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<RotateOutcome, StoreError> {
        delegate!(self, store => store.rotate(id, rotation, limits, now))
    }

    fn revoke_grant(&mut self, id: GrantId) -> Result<bool, StoreError> {
        delegate!(self, store => store.revoke_grant(id))
    }

    fn revoke_where(&mut self, filter: GrantFilter<'_>) -> Result<usize, StoreError> {
        delegate!(self, store => store.revoke_where(filter))
    }

    fn note_assertion(
        &mut self,
        mark: &AssertionMark,
        limits: &Limits,
        now: Timestamp,
    ) -> Result<Noted, StoreError> {
        delegate!(self, store => store.note_assertion(mark, limits, now))
    }

    fn forget_assertion(&mut self, mark: &AssertionMark) -> Result<(), StoreError> {
        delegate!(self, store => store.forget_assertion(mark))
    }

    fn purge(&mut self, now: Timestamp) -> Result<usize, StoreError> {
        delegate!(self, store => store.purge(now))
    }

    fn usage(&self, app: authcode::server::AppId) -> Result<Usage, StoreError> {
        delegate!(self, store => store.usage(app))
    }
}

/// The core server of a node.
pub type CoreServer = Server<NodeStore>;

/// The shared store could not be reached (or answered too slowly): the request changed
/// nothing and may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoreDown;

/// Whether an admin call changed the registry (which must then be published).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Changed {
    /// The registry is as it was.
    Nothing,
    /// An app was created, changed or deleted, or a secret added, rotated or deleted.
    Registry,
}

/// A pool of servers over one Redis, each with its own connection and registry copy.
pub(crate) struct Pool {
    /// Boxed: a server with its registry is tens of kilobytes, not to be copied per request.
    idle: Mutex<Vec<Box<CoreServer>>>,
    returned: Condvar,
    metrics: Arc<Metrics>,
}

impl Pool {
    fn take(&self) -> Option<Box<CoreServer>> {
        let mut idle = self.idle.lock().ok()?;
        loop {
            if let Some(server) = idle.pop() {
                return Some(server);
            }
            idle = self.returned.wait(idle).ok()?;
        }
    }

    fn give_back(&self, server: Box<CoreServer>) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(server);
        }
        self.returned.notify_one();
    }
}

/// A server taken from the pool, given back when dropped — even if the call unwound.
struct Checkout<'a> {
    server: Option<Box<CoreServer>>,
    pool: &'a Pool,
}

impl Drop for Checkout<'_> {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.pool.give_back(server);
        }
    }
}

/// This node's servers.
pub(crate) enum Node {
    /// One server over in-memory tables, called inline (it never waits on I/O).
    Memory(Box<Mutex<CoreServer>>),
    /// Servers over Redis, called on blocking threads.
    Shared(Arc<Pool>),
}

impl RedisBacked for NodeStore {
    fn redis(&self) -> Option<&RedisStore> {
        match self {
            Self::Redis(redis) => Some(redis),
            Self::Memory(_) => None,
        }
    }

    fn redis_mut(&mut self) -> Option<&mut RedisStore> {
        match self {
            Self::Redis(redis) => Some(redis),
            Self::Memory(_) => None,
        }
    }
}

/// Drops a registry that may hold a change nobody else has: reloads the shared one, or
/// when Redis is away marks it stale (so it is reloaded before any further decision).
fn forget_registry(server: &mut CoreServer) {
    if reload_registry(server).is_err()
        && let Some(redis) = server.store_mut().redis_mut()
    {
        redis.invalidate_registry();
    }
}

impl Node {
    /// A node over in-memory tables.
    pub(crate) fn memory(server: CoreServer) -> Self {
        Self::Memory(Box::new(Mutex::new(server)))
    }

    /// A node over Redis with these servers (one per concurrent request).
    pub(crate) fn shared(servers: Vec<CoreServer>, metrics: Arc<Metrics>) -> Self {
        Self::Shared(Arc::new(Pool {
            idle: Mutex::new(servers.into_iter().map(Box::new).collect()),
            returned: Condvar::new(),
            metrics,
        }))
    }

    /// Runs `call` on one of the node's servers. Over Redis: on a blocking thread, with
    /// the registry current (reloaded and `call` run again when another node changed it),
    /// and [`StoreDown`] when Redis failed during the call.
    pub(crate) async fn run<R: Send + 'static>(
        &self,
        call: impl FnMut(&mut CoreServer) -> R + Send + 'static,
    ) -> Result<R, StoreDown> {
        let mut call = call;
        self.admin(move |server| (call(server), Changed::Nothing))
            .await
    }

    /// Runs an admin `call` that may change the registry; over Redis the change is
    /// published (and when another node published first, the registry is reloaded and
    /// `call` runs again on it). A change that cannot be published is undone.
    pub(crate) async fn admin<R: Send + 'static>(
        &self,
        mut call: impl FnMut(&mut CoreServer) -> (R, Changed) + Send + 'static,
    ) -> Result<R, StoreDown> {
        match self {
            Self::Memory(server) => {
                let mut server = server.lock().map_err(|_| StoreDown)?;
                Ok(call(&mut server).0)
            }
            Self::Shared(pool) => {
                let pool = Arc::clone(pool);
                tokio::task::spawn_blocking(move || {
                    let mut checkout = Checkout {
                        server: Some(pool.take().ok_or(StoreDown)?),
                        pool: &pool,
                    };
                    let server = checkout.server.as_mut().ok_or(StoreDown)?;
                    let errors_before = store_errors(server);
                    let result = run_shared(server, &mut call);
                    let errors = store_errors(server).saturating_sub(errors_before);
                    if let Some(redis) = server.store_mut().redis_mut() {
                        pool.metrics.store(&redis.take_round_trips(), errors);
                    }
                    result
                })
                .await
                .map_err(|_| StoreDown)?
            }
        }
    }
}

fn store_errors(server: &CoreServer) -> u64 {
    server
        .store()
        .redis()
        .map_or(0, |redis| redis.stats().errors)
}

/// One call on a Redis-backed server: registry current, changes published, failures
/// reported.
fn run_shared<R>(
    server: &mut CoreServer,
    call: &mut impl FnMut(&mut CoreServer) -> (R, Changed),
) -> Result<R, StoreDown> {
    for _ in 0..4 {
        // Only failures of this call count (an earlier cleanup may have left the flag).
        if let Some(redis) = server.store_mut().redis_mut() {
            redis.take_failed();
        }
        let outcome = with_current_registry(server, |server| call(server));
        let failed = server
            .store_mut()
            .redis_mut()
            .is_some_and(RedisStore::take_failed);
        let (result, changed) = match outcome {
            Ok(result) if !failed => result,
            _ => {
                forget_registry(server);
                return Err(StoreDown);
            }
        };
        if changed == Changed::Nothing {
            return Ok(result);
        }
        match publish_registry(server) {
            Ok(Published::Installed(_)) => return Ok(result),
            Ok(Published::Stale) => forget_registry(server),
            Err(_) => {
                forget_registry(server);
                return Err(StoreDown);
            }
        }
    }
    Err(StoreDown)
}
