//! The Lua scripts: each store operation that decides anything is one script, so Redis
//! runs it as one step (scripts are atomic: nothing else runs while one does).
//!
//! Key layout under the prefix `P` (all names built here, from `ARGV[1]`; a single Redis
//! or a primary with replicas — not Redis Cluster, whose scripts may only touch declared
//! keys of one slot):
//!
//! | key | type | holds |
//! | --- | --- | --- |
//! | `P:registry` | hash | `version` (bumped by every published change), `body` (the registry) |
//! | `P:code:<hex digest>` | hash | `app`, `subj`, `exp`, `body`; TTL: the code's expiry |
//! | `P:app:<app>:codes` | zset | the app's code digests, scored by expiry (its quota) |
//! | `P:subject:<hex>:codes` | zset | the subject's code digests, scored by expiry |
//! | `P:grant:<id>` | hash | `gen`, `ver`, `app`, `subj`, `rk`, `ak`, `body`; TTL: when the grant dies |
//! | `P:app:<app>:grants` | zset | the app's grant ids, scored by when they die (`+inf`: never) |
//! | `P:subject:<hex>:grants` | zset | the subject's grant ids, scored the same way |
//! | `P:key:<hex key>` | string | `R<id>` or `A<id>`: a token locator; TTL: the grant's |
//! | `P:next-grant` | string | the last grant id handed out |
//! | `P:assertion:<hex digest>` | string | the app of a JWT assertion accepted once; TTL: when it can no longer be accepted |
//! | `P:app:<app>:assertions` | zset | the app's live assertion digests, scored by expiry (its quota) |
//!
//! Every script takes `ARGV[1]` = prefix and `ARGV[2]` = the registry version the
//! caller's registry was read at, and answers `{"stale", version}` without changing
//! anything when the shared registry has moved on: the caller reloads it and retries, so
//! no decision is ever made on an app that was changed or deleted elsewhere.

/// Helpers every script starts with.
const PRELUDE: &str = r"
local P = ARGV[1]
local function registry_version()
  return redis.call('HGET', P .. ':registry', 'version') or '0'
end
local function extend(key, at)
  local current = redis.call('EXPIRETIME', key)
  if current ~= -2 and current < tonumber(at) then
    redis.call('EXPIREAT', key, at)
  end
end
local function revoke(id)
  local g = P .. ':grant:' .. id
  local f = redis.call('HMGET', g, 'app', 'subj', 'rk', 'ak')
  if not f[1] then return 0 end
  redis.call('DEL', g, P .. ':key:' .. f[3], P .. ':key:' .. f[4])
  redis.call('ZREM', P .. ':app:' .. f[1] .. ':grants', id)
  redis.call('ZREM', P .. ':subject:' .. f[2] .. ':grants', id)
  return 1
end
local function set_grant_expiry(g, rk, ak, dead)
  local keys = { g, P .. ':key:' .. rk, P .. ':key:' .. ak }
  for _, key in ipairs(keys) do
    if dead == '-1' then redis.call('PERSIST', key) else redis.call('EXPIREAT', key, dead) end
  end
end
local version = registry_version()
if version ~= ARGV[2] then return { 'stale', version } end
";

/// `ARGV`: prefix, registry version, digest, app, subject, expires_at, now,
/// codes_per_app, codes_per_subject, body.
const INSERT_CODE: &str = r"
local digest, app, subj, exp, now = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local per_app, per_subject, body = tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10]
local sz = P .. ':subject:' .. subj .. ':codes'
local az = P .. ':app:' .. app .. ':codes'
redis.call('ZREMRANGEBYSCORE', sz, '-inf', now)
for _, m in ipairs(redis.call('ZRANGE', sz, 0, -1)) do
  if redis.call('EXISTS', P .. ':code:' .. m) == 0 then redis.call('ZREM', sz, m) end
end
local replace = nil
if redis.call('ZCARD', sz) >= per_subject then
  for _, m in ipairs(redis.call('ZRANGE', sz, 0, -1)) do
    if redis.call('HGET', P .. ':code:' .. m, 'app') == app then replace = m; break end
  end
  if not replace then return { 'subject_quota' } end
end
if replace then
  redis.call('DEL', P .. ':code:' .. replace)
  redis.call('ZREM', sz, replace)
  redis.call('ZREM', az, replace)
else
  redis.call('ZREMRANGEBYSCORE', az, '-inf', now)
  if redis.call('ZCARD', az) >= per_app then return { 'app_quota' } end
end
local code = P .. ':code:' .. digest
redis.call('HSET', code, 'app', app, 'subj', subj, 'exp', exp, 'body', body)
redis.call('EXPIREAT', code, exp)
redis.call('ZADD', az, exp, digest)
redis.call('ZADD', sz, exp, digest)
extend(az, exp)
extend(sz, exp)
return { 'ok' }
";

/// `ARGV`: prefix, registry version, digest, app, expires_at, now, assertions_per_app.
/// Answers `first` (remembered now), `replayed` (live already; nothing changed) or
/// `app_quota`.
const NOTE_ASSERTION: &str = r"
local digest, app, exp, now, per_app = ARGV[3], ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local mark = P .. ':assertion:' .. digest
if redis.call('EXISTS', mark) == 1 then return { 'replayed' } end
local az = P .. ':app:' .. app .. ':assertions'
redis.call('ZREMRANGEBYSCORE', az, '-inf', now)
if redis.call('ZCARD', az) >= per_app then return { 'app_quota' } end
-- A relative TTL: the mark lives as long as the node that decided says, whatever Redis's
-- own clock reads (an absolute time already past on Redis's clock would drop it at once).
local ttl = math.max(1, tonumber(exp) - tonumber(now))
redis.call('SET', mark, app, 'EX', ttl)
redis.call('ZADD', az, exp, digest)
local left = redis.call('TTL', az)
if left >= 0 and left < ttl or left == -1 then redis.call('EXPIRE', az, ttl) end
return { 'first' }
";

/// `ARGV`: prefix, registry version (not checked: forgetting is right whatever the
/// registry, and a stale answer here would leave the assertion burned), digest, app.
const FORGET_ASSERTION: &str = r"
local P = ARGV[1]
redis.call('DEL', P .. ':assertion:' .. ARGV[3])
redis.call('ZREM', P .. ':app:' .. ARGV[4] .. ':assertions', ARGV[3])
return { 'ok' }
";

/// `ARGV`: prefix, registry version, digest.
const CODE: &str = r"
local body = redis.call('HGET', P .. ':code:' .. ARGV[3], 'body')
if not body then return { 'none' } end
return { 'found', body }
";

/// `ARGV`: prefix, registry version, digest.
const BURN_CODE: &str = r"
local code = P .. ':code:' .. ARGV[3]
local f = redis.call('HMGET', code, 'app', 'subj')
if f[1] then
  redis.call('ZREM', P .. ':app:' .. f[1] .. ':codes', ARGV[3])
  redis.call('ZREM', P .. ':subject:' .. f[2] .. ':codes', ARGV[3])
end
redis.call('DEL', code)
return { 'ok' }
";

/// `ARGV`: prefix, registry version, digest, now, grants_per_app, body, generation,
/// refresh key, access key, dead_at (`-1`: never), app, subject.
const REDEEM_CODE: &str = r"
local digest, now, per_app, body, gen = ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]
local rk, ak, dead, app, subj = ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12]
local code = P .. ':code:' .. digest
local c = redis.call('HMGET', code, 'exp', 'app', 'subj')
if not c[1] or tonumber(c[1]) <= tonumber(now) then return { 'not_live' } end
local ag = P .. ':app:' .. app .. ':grants'
local sg = P .. ':subject:' .. subj .. ':grants'
redis.call('ZREMRANGEBYSCORE', ag, '-inf', now)
if redis.call('ZCARD', ag) >= per_app then return { 'app_quota' } end
local id = tostring(redis.call('INCR', P .. ':next-grant'))
redis.call('DEL', code)
redis.call('ZREM', P .. ':app:' .. c[2] .. ':codes', digest)
redis.call('ZREM', P .. ':subject:' .. c[3] .. ':codes', digest)
local g = P .. ':grant:' .. id
redis.call('HSET', g, 'gen', gen, 'ver', '1', 'app', app, 'subj', subj, 'rk', rk, 'ak', ak, 'body', body)
redis.call('SET', P .. ':key:' .. rk, 'R' .. id)
redis.call('SET', P .. ':key:' .. ak, 'A' .. id)
local score = dead
if dead == '-1' then score = '+inf' end
redis.call('ZADD', ag, score, id)
redis.call('ZADD', sg, score, id)
set_grant_expiry(g, rk, ak, dead)
return { 'ok', id }
";

/// `ARGV`: prefix, registry version, key.
const FIND_KEY: &str = r"
local k = redis.call('GET', P .. ':key:' .. ARGV[3])
if not k then return { 'none' } end
local kind, id = string.sub(k, 1, 1), string.sub(k, 2)
local f = redis.call('HMGET', P .. ':grant:' .. id, 'ver', 'body')
if not f[1] then return { 'none' } end
return { 'found', kind, id, f[1], f[2] }
";

/// `ARGV`: prefix, registry version, id.
const GRANT: &str = r"
local f = redis.call('HMGET', P .. ':grant:' .. ARGV[3], 'ver', 'body')
if not f[1] then return { 'none' } end
return { 'found', f[1], f[2] }
";

/// `ARGV`: prefix, registry version, id, expected generation, expected version, new
/// generation, body, dead_at (`-1`: never). Answers `rotated`, `reused` (the grant had
/// moved past the generation: revoked here), `gone`, or `retry` (another refresh that
/// did not rotate changed the grant in between: read it again and reapply).
const ROTATE: &str = r"
local id, expected_gen, expected_ver = ARGV[3], ARGV[4], ARGV[5]
local new_gen, body, dead = ARGV[6], ARGV[7], ARGV[8]
local g = P .. ':grant:' .. id
local f = redis.call('HMGET', g, 'gen', 'ver', 'app', 'subj', 'rk', 'ak')
if not f[1] then return { 'gone' } end
if f[1] ~= expected_gen then
  revoke(id)
  return { 'reused' }
end
if f[2] ~= expected_ver then return { 'retry' } end
redis.call('HSET', g, 'gen', new_gen, 'ver', tostring(tonumber(f[2]) + 1), 'body', body)
local score = dead
if dead == '-1' then score = '+inf' end
redis.call('ZADD', P .. ':app:' .. f[3] .. ':grants', score, id)
redis.call('ZADD', P .. ':subject:' .. f[4] .. ':grants', score, id)
set_grant_expiry(g, f[5], f[6], dead)
return { 'rotated' }
";

/// `ARGV`: prefix, registry version, id.
const REVOKE_GRANT: &str = r"
return { 'ok', revoke(ARGV[3]) }
";

/// `ARGV`: prefix, registry version, `app` or `subject`, its key part.
const REVOKE_WHERE: &str = r"
local set = P .. ':' .. ARGV[3] .. ':' .. ARGV[4] .. ':grants'
local count = 0
for _, id in ipairs(redis.call('ZRANGE', set, 0, -1)) do
  count = count + revoke(id)
end
redis.call('DEL', set)
return { 'ok', count }
";

/// `ARGV`: prefix, registry version, now. Drops the members of every index set that
/// are dead at `now` (what TTLs removed from the entries themselves).
const PURGE: &str = r"
local now = ARGV[3]
local removed = 0
local cursor = '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', P .. ':*:*:codes', 'COUNT', 512)
  cursor = page[1]
  for _, key in ipairs(page[2]) do
    removed = removed + redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  end
until cursor == '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', P .. ':*:*:grants', 'COUNT', 512)
  cursor = page[1]
  for _, key in ipairs(page[2]) do
    removed = removed + redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  end
until cursor == '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', P .. ':app:*:assertions', 'COUNT', 512)
  cursor = page[1]
  for _, key in ipairs(page[2]) do
    removed = removed + redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  end
until cursor == '0'
return { 'ok', removed }
";

/// `ARGV`: prefix, registry version the caller's change was made on, new body. Installs
/// the registry and bumps its version only if nobody published since (compare-and-swap).
const PUBLISH_REGISTRY: &str = r"
local next = tostring(tonumber(version) + 1)
redis.call('HSET', P .. ':registry', 'version', next, 'body', ARGV[3])
return { 'ok', next }
";

/// The compiled scripts (their SHA-1 is computed once; Redis caches the body).
pub(crate) struct Scripts {
    pub(crate) insert_code: redis::Script,
    pub(crate) code: redis::Script,
    pub(crate) burn_code: redis::Script,
    pub(crate) redeem_code: redis::Script,
    pub(crate) find_key: redis::Script,
    pub(crate) grant: redis::Script,
    pub(crate) rotate: redis::Script,
    pub(crate) revoke_grant: redis::Script,
    pub(crate) revoke_where: redis::Script,
    pub(crate) purge: redis::Script,
    pub(crate) note_assertion: redis::Script,
    pub(crate) forget_assertion: redis::Script,
    pub(crate) publish_registry: redis::Script,
}

impl Scripts {
    pub(crate) fn new() -> Self {
        let script = |body: &str| redis::Script::new(&format!("{PRELUDE}{body}"));
        Self {
            insert_code: script(INSERT_CODE),
            code: script(CODE),
            burn_code: script(BURN_CODE),
            redeem_code: script(REDEEM_CODE),
            find_key: script(FIND_KEY),
            grant: script(GRANT),
            rotate: script(ROTATE),
            revoke_grant: script(REVOKE_GRANT),
            revoke_where: script(REVOKE_WHERE),
            purge: script(PURGE),
            note_assertion: script(NOTE_ASSERTION),
            forget_assertion: redis::Script::new(FORGET_ASSERTION),
            publish_registry: script(PUBLISH_REGISTRY),
        }
    }
}
