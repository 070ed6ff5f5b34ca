//! The authorization server over the C ABI.

use core::ptr::NonNull;

use authcode::Timestamp;
use authcode::server::{
    AppError, AppKind, AppSpec, AuthorizeError, CodeEntry, GrantEntry, KeyEntry, MemoryStore,
    Quotas, RefreshPolicy, SecretRotation, Server, ServerConfig, Storage, SubjectEntry, Tables,
    TablesRef, TokenRequest, limits,
};

use crate::client::{authcode_error_code, authcode_profile, error_code};
use crate::result::{FfiResult, authcode_result};
use crate::rng::{Rng, authcode_rng};
use crate::util::{
    Failure, Handle, LastError, OutBuf, authcode_str, buffer, bytes, check_out, guard, object,
    object_mut, put, recorded, report_len, text,
};

/// Code slots of an FFI server (at most 7/8 live: 224 pending authorizations, 22 per
/// app with the default quotas), and as many subject slots.
pub const AUTHCODE_SERVER_CODES: usize = 256;
/// Grant slots of an FFI server (each grant holds its tokens; 12 per app with the default
/// quotas).
pub const AUTHCODE_SERVER_GRANTS: usize = 128;
/// Key index slots of an FFI server: two per grant, at most 7/8 live.
pub const AUTHCODE_SERVER_KEYS: usize = 320;
/// Apps an FFI server's registry holds (Workfront's cap).
pub const AUTHCODE_SERVER_APPS: usize = 10;

/// The server's fixed capacities, as built.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_server_capacities {
    /// Registered apps.
    pub apps: usize,
    /// Code slots (and subject slots).
    pub codes: usize,
    /// Grant slots.
    pub grants: usize,
    /// Key index slots.
    pub keys: usize,
}

/// The kind of app: `AUTHCODE_APP_KIND_WEB_APP`, `_SINGLE_PAGE`, `_MACHINE_TO_MACHINE`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum authcode_app_kind {
    /// Confidential web application (gets a client secret).
    WebApp = 0,
    /// Public single-page or native application (PKCE).
    SinglePage = 1,
    /// Machine-to-machine (public keys; refused the code grant).
    MachineToMachine = 2,
}

/// What an app is created or updated from.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_app_spec {
    /// Display name.
    pub name: authcode_str,
    /// One of `AUTHCODE_APP_KIND_*`.
    pub kind: u32,
    /// `redirect_uri_count` redirect URIs (at most 4).
    pub redirect_uris: *const authcode_str,
    /// Number of redirect URIs.
    pub redirect_uri_count: usize,
    /// `public_key_count` public keys (machine-to-machine and web apps, at most 4): JWKs,
    /// public key PEMs or certificate PEMs.
    pub public_keys: *const authcode_str,
    /// Number of public keys.
    pub public_key_count: usize,
    /// Rotate refresh tokens at every use.
    pub rotation: bool,
    /// Absolute refresh lifetime in seconds; 0 = no expiration.
    pub absolute_lifetime: u64,
    /// Inactivity refresh lifetime in seconds; 0 = no expiration.
    pub inactivity_lifetime: u64,
    /// Web apps: require PKCE (recommended). Public apps always require it.
    pub require_pkce: bool,
    /// Web apps: also allow the client credentials grant (machine-to-machine apps always
    /// may; single-page apps never — `AUTHCODE_RESULT_APP_REFUSED`).
    pub client_credentials: bool,
    /// The scope the app may be granted without a user (client credentials tokens carry at
    /// most these, all of them when a request names none); absent (NULL) or empty: none.
    pub scope: authcode_str,
}

/// A request to the token or revocation endpoint as the HTTP layer saw it. An absent
/// header has a NULL `ptr`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_token_request {
    /// The HTTP method.
    pub method: authcode_str,
    /// The `Content-Type` header.
    pub content_type: authcode_str,
    /// The `Authorization` header.
    pub authorization: authcode_str,
    /// The body.
    pub body: authcode_str,
}

/// The response to send: status, `WWW-Authenticate` (absent: NULL `ptr`) and the JSON
/// body, which points into the caller's buffer. Always send `Content-Type:
/// application/json`, `Cache-Control: no-store` and `Pragma: no-cache` with it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_token_response {
    /// HTTP status.
    pub status: u16,
    /// `WWW-Authenticate` value, or absent.
    pub www_authenticate: authcode_str,
    /// The JSON body.
    pub body: authcode_str,
}

/// What `authcode_server_validate` reports for a valid access token.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_token_info {
    /// The client id (`client_id_len` bytes, no NUL).
    pub client_id: [u8; 32],
    /// Its length.
    pub client_id_len: usize,
    /// The subject (`subject_len` bytes, no NUL).
    pub subject: [u8; 64],
    /// Its length.
    pub subject_len: usize,
    /// The scope (`scope_len` bytes, no NUL).
    pub scope: [u8; 256],
    /// Its length.
    pub scope_len: usize,
    /// Expiry, Unix seconds.
    pub expires_at: u64,
}

/// Table storage the FFI owns (heap) or borrows (caller memory).
struct FfiStorage {
    codes: NonNull<[Option<CodeEntry>]>,
    subjects: NonNull<[Option<SubjectEntry>]>,
    grants: NonNull<[GrantEntry]>,
    keys: NonNull<[Option<KeyEntry>]>,
    #[cfg(feature = "std")]
    owned: bool,
}

impl Storage for FfiStorage {
    fn tables(&mut self) -> Tables<'_> {
        // SAFETY: the four slices are disjoint, initialised, and live as long as `self`
        // (heap allocations owned by it, or caller storage promised until `_deinit`).
        unsafe {
            Tables {
                codes: self.codes.as_mut(),
                subjects: self.subjects.as_mut(),
                grants: self.grants.as_mut(),
                keys: self.keys.as_mut(),
            }
        }
    }

    fn tables_ref(&self) -> TablesRef<'_> {
        // SAFETY: as in `tables`.
        unsafe {
            TablesRef {
                codes: self.codes.as_ref(),
                subjects: self.subjects.as_ref(),
                grants: self.grants.as_ref(),
                keys: self.keys.as_ref(),
            }
        }
    }
}

#[cfg(feature = "std")]
impl Drop for FfiStorage {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: created by `Box::into_raw` in `FfiStorage::heap` and not freed since.
            unsafe {
                drop(Box::from_raw(self.codes.as_ptr()));
                drop(Box::from_raw(self.subjects.as_ptr()));
                drop(Box::from_raw(self.grants.as_ptr()));
                drop(Box::from_raw(self.keys.as_ptr()));
            }
        }
    }
}

impl FfiStorage {
    #[cfg(feature = "std")]
    fn heap() -> Self {
        let codes = Box::into_raw(vec![None; AUTHCODE_SERVER_CODES].into_boxed_slice());
        let subjects = Box::into_raw(vec![None; AUTHCODE_SERVER_CODES].into_boxed_slice());
        let grants =
            Box::into_raw(vec![GrantEntry::EMPTY; AUTHCODE_SERVER_GRANTS].into_boxed_slice());
        let keys = Box::into_raw(vec![None; AUTHCODE_SERVER_KEYS].into_boxed_slice());
        // SAFETY: `Box::into_raw` never returns NULL.
        unsafe {
            Self {
                codes: NonNull::new_unchecked(codes),
                subjects: NonNull::new_unchecked(subjects),
                grants: NonNull::new_unchecked(grants),
                keys: NonNull::new_unchecked(keys),
                owned: true,
            }
        }
    }
}

/// An authorization server (opaque).
pub struct authcode_server {
    server: Server<MemoryStore<FfiStorage, AUTHCODE_SERVER_APPS>, AUTHCODE_SERVER_APPS>,
    last_error: LastError<{ crate::sizes::AUTHCODE_LAST_ERROR_MAX }>,
}

impl Handle for authcode_server {
    fn failure(&self) -> &dyn Failure {
        &self.last_error
    }
}

impl authcode_server {
    fn record(&mut self, code: authcode_result, error: &dyn core::fmt::Display) -> authcode_result {
        self.last_error.set(error);
        code
    }
}

/// The server's capacities (fixed at build time).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_get_capacities(
    out: *mut authcode_server_capacities,
) -> authcode_result {
    guard(|| {
        let capacities = authcode_server_capacities {
            apps: AUTHCODE_SERVER_APPS,
            codes: AUTHCODE_SERVER_CODES,
            grants: AUTHCODE_SERVER_GRANTS,
            keys: AUTHCODE_SERVER_KEYS,
        };
        // SAFETY: valid when non-NULL, per the caller.
        unsafe { put(out, capacities) }
    })
}

/// Creates a server for `profile` (`AUTHCODE_PROFILE_*`) on the heap, with an empty
/// registry. Free with `authcode_server_free`.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_ARGUMENT`. (unknown profile). On failure nothing is allocated.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_new(
    profile: u32,
    out: *mut *mut authcode_server,
) -> authcode_result {
    guard(|| {
        check_out(out)?;
        let config = ServerConfig::new(authcode_profile::try_from(profile)?.into());
        let server = authcode_server {
            server: Server::new(config, FfiStorage::heap()),
            last_error: LastError::new(),
        };
        // SAFETY: `out` checked non-NULL.
        unsafe { crate::memory::boxed(server, out) }
    })
}

/// Frees a server from `authcode_server_new`. NULL is a no-op.
#[cfg(feature = "std")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_free(server: *mut authcode_server) {
    // SAFETY: from `authcode_server_new`, per the caller.
    unsafe { crate::memory::free(server) }
}

/// Offsets of the parts inside caller storage: the object, then the four tables.
struct Layout {
    codes: usize,
    subjects: usize,
    grants: usize,
    keys: usize,
    end: usize,
}

const fn layout() -> Layout {
    const fn align_up(offset: usize, align: usize) -> usize {
        offset.div_ceil(align) * align
    }
    let codes = align_up(
        core::mem::size_of::<authcode_server>(),
        core::mem::align_of::<Option<CodeEntry>>(),
    );
    let subjects = align_up(
        codes + AUTHCODE_SERVER_CODES * core::mem::size_of::<Option<CodeEntry>>(),
        core::mem::align_of::<Option<SubjectEntry>>(),
    );
    let grants = align_up(
        subjects + AUTHCODE_SERVER_CODES * core::mem::size_of::<Option<SubjectEntry>>(),
        core::mem::align_of::<GrantEntry>(),
    );
    let keys = align_up(
        grants + AUTHCODE_SERVER_GRANTS * core::mem::size_of::<GrantEntry>(),
        core::mem::align_of::<Option<KeyEntry>>(),
    );
    let end = keys + AUTHCODE_SERVER_KEYS * core::mem::size_of::<Option<KeyEntry>>();
    Layout {
        codes,
        subjects,
        grants,
        keys,
        end,
    }
}

/// Bytes of storage `authcode_server_init` needs (the object and its tables).
#[unsafe(no_mangle)]
pub extern "C" fn authcode_server_size() -> usize {
    layout().end
}

/// Alignment `authcode_server_init` needs.
#[unsafe(no_mangle)]
pub extern "C" fn authcode_server_align() -> usize {
    core::mem::align_of::<authcode_server>()
        .max(core::mem::align_of::<Option<CodeEntry>>())
        .max(core::mem::align_of::<Option<SubjectEntry>>())
        .max(core::mem::align_of::<GrantEntry>())
        .max(core::mem::align_of::<Option<KeyEntry>>())
}

/// `authcode_server_new` in caller storage (≥ `_size()`, aligned to `_align()`), valid
/// until `authcode_server_deinit`. The tables are built in place, element by element.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_ARGUMENT`, `AUTHCODE_RESULT_STORAGE_TOO_SMALL`,
/// `AUTHCODE_RESULT_STORAGE_MISALIGNED`. On failure the storage holds no object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_init(
    storage: *mut u8,
    storage_len: usize,
    profile: u32,
    out: *mut *mut authcode_server,
) -> authcode_result {
    guard(|| {
        check_out(out)?;
        if storage.is_null() {
            return Err(authcode_result::NullPointer);
        }
        let at = layout();
        if storage_len < at.end {
            return Err(authcode_result::StorageTooSmall);
        }
        if !(storage as usize).is_multiple_of(authcode_server_align()) {
            return Err(authcode_result::StorageMisaligned);
        }
        let config = ServerConfig::new(authcode_profile::try_from(profile)?.into());
        // SAFETY: the storage holds `at.end` writable bytes, aligned for every part
        // (checked above); each part is written before a reference to it is made.
        unsafe {
            let codes = storage.add(at.codes).cast::<Option<CodeEntry>>();
            for index in 0..AUTHCODE_SERVER_CODES {
                codes.add(index).write(None);
            }
            let subjects = storage.add(at.subjects).cast::<Option<SubjectEntry>>();
            for index in 0..AUTHCODE_SERVER_CODES {
                subjects.add(index).write(None);
            }
            let grants = storage.add(at.grants).cast::<GrantEntry>();
            for index in 0..AUTHCODE_SERVER_GRANTS {
                grants.add(index).write(GrantEntry::EMPTY);
            }
            let keys = storage.add(at.keys).cast::<Option<KeyEntry>>();
            for index in 0..AUTHCODE_SERVER_KEYS {
                keys.add(index).write(None);
            }
            let table_storage = FfiStorage {
                codes: NonNull::slice_from_raw_parts(
                    NonNull::new_unchecked(codes),
                    AUTHCODE_SERVER_CODES,
                ),
                subjects: NonNull::slice_from_raw_parts(
                    NonNull::new_unchecked(subjects),
                    AUTHCODE_SERVER_CODES,
                ),
                grants: NonNull::slice_from_raw_parts(
                    NonNull::new_unchecked(grants),
                    AUTHCODE_SERVER_GRANTS,
                ),
                keys: NonNull::slice_from_raw_parts(
                    NonNull::new_unchecked(keys),
                    AUTHCODE_SERVER_KEYS,
                ),
                #[cfg(feature = "std")]
                owned: false,
            };
            let object = storage.cast::<authcode_server>();
            object.write(authcode_server {
                server: Server::new(config, table_storage),
                last_error: LastError::new(),
            });
            out.write(object);
        }
        Ok(())
    })
}

/// Ends a server made by `authcode_server_init`. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_deinit(server: *mut authcode_server) {
    // SAFETY: from `_init`, per the caller; the tables are plain data in the same storage.
    unsafe { crate::memory::deinit(server) }
}

fn update_config(
    handle: &mut authcode_server,
    change: impl FnOnce(ServerConfig) -> Result<ServerConfig, authcode::server::ServerConfigError>,
) -> FfiResult {
    match change(handle.server.config().clone()) {
        Ok(config) => {
            handle.server.set_config(config);
            Ok(())
        }
        Err(error) => Err(handle.record(authcode_result::InvalidServerConfig, &error)),
    }
}

/// Announces `issuer` as `iss` on redirects (RFC 9207).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8`, `AUTHCODE_RESULT_INVALID_SERVER_CONFIG`. On failure the
/// configuration is unchanged.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_set_issuer(
    server: *mut authcode_server,
    issuer: *const u8,
    issuer_len: usize,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid handle and string, per the caller.
        let (handle, issuer) = unsafe { (object_mut(server)?, text(issuer, issuer_len)?) };
        update_config(handle, |config| config.with_issuer(issuer))
    })
}

/// Sets Workfront's `domain`, `lane` (on redirects) and `wid` (in token responses).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8`, `AUTHCODE_RESULT_INVALID_SERVER_CONFIG`. On failure the
/// configuration is unchanged.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_set_workfront_identity(
    server: *mut authcode_server,
    domain: authcode_str,
    lane: authcode_str,
    wid: authcode_str,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid handle and strings, per the caller.
        let (handle, domain, lane, wid) = unsafe {
            (
                object_mut(server)?,
                text(domain.ptr, domain.len)?,
                text(lane.ptr, lane.len)?,
                text(wid.ptr, wid.len)?,
            )
        };
        update_config(handle, |config| {
            config.with_workfront_identity(domain, lane, wid)
        })
    })
}

/// Sets the code and access token lifetimes in seconds (0 keeps the current value).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_SERVER_CONFIG`. On failure the configuration is unchanged.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_set_lifetimes(
    server: *mut authcode_server,
    code_seconds: u64,
    access_token_seconds: u64,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(server)? };
        update_config(handle, |mut config| {
            if code_seconds > 0 {
                config = config.with_code_lifetime(code_seconds)?;
            }
            if access_token_seconds > 0 {
                config = config.with_access_token_lifetime(access_token_seconds)?;
            }
            Ok(config)
        })
    })
}

/// Reads a C app spec into the core's, with its string arrays on the stack.
fn with_spec<T>(
    spec: &authcode_app_spec,
    use_spec: impl FnOnce(&AppSpec<'_>) -> T,
) -> Result<T, authcode_result> {
    // SAFETY: the caller of the extern function promised valid strings and arrays.
    let name = unsafe { text(spec.name.ptr, spec.name.len)? };
    let kind = match spec.kind {
        0 => AppKind::WebApp,
        1 => AppKind::SinglePage,
        2 => AppKind::MachineToMachine,
        _ => return Err(authcode_result::InvalidArgument),
    };
    let mut uris: [&str; limits::MAX_REDIRECT_URIS] = [""; limits::MAX_REDIRECT_URIS];
    let mut keys: [&str; limits::MAX_PUBLIC_KEYS] = [""; limits::MAX_PUBLIC_KEYS];
    if spec.redirect_uri_count > uris.len() || spec.public_key_count > keys.len() {
        return Err(authcode_result::InvalidArgument);
    }
    for (index, slot) in uris.iter_mut().enumerate().take(spec.redirect_uri_count) {
        // SAFETY: `redirect_uris` points to `redirect_uri_count` entries, per the caller.
        let entry = unsafe { *object(spec.redirect_uris.wrapping_add(index))? };
        // SAFETY: as above.
        *slot = unsafe { text(entry.ptr, entry.len)? };
    }
    for (index, slot) in keys.iter_mut().enumerate().take(spec.public_key_count) {
        // SAFETY: `public_keys` points to `public_key_count` entries, per the caller.
        let entry = unsafe { *object(spec.public_keys.wrapping_add(index))? };
        // SAFETY: as above.
        *slot = unsafe { text(entry.ptr, entry.len)? };
    }
    let lifetime = |seconds: u64| (seconds > 0).then_some(seconds);
    // SAFETY: as above.
    let scope = unsafe { text(spec.scope.ptr, spec.scope.len)? };
    let core_spec = AppSpec {
        name,
        kind,
        redirect_uris: uris.get(..spec.redirect_uri_count).unwrap_or_default(),
        refresh: RefreshPolicy {
            rotation: spec.rotation,
            absolute_lifetime: lifetime(spec.absolute_lifetime),
            inactivity_lifetime: lifetime(spec.inactivity_lifetime),
        },
        public_keys: keys.get(..spec.public_key_count).unwrap_or_default(),
        require_pkce: spec.require_pkce,
        client_credentials: spec.client_credentials,
        scope,
    };
    Ok(use_spec(&core_spec))
}

/// Registers an app. Writes its client id (32 bytes) to `client_id_buf` and, for a web or
/// machine-to-machine app, its secret (43 bytes; shown this once, only its digest is kept)
/// to `secret_buf`.
/// Both buffers are checked before anything is created: on
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL` the out lengths hold the sizes needed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_create_app(
    server: *mut authcode_server,
    spec: *const authcode_app_spec,
    rng: *const authcode_rng,
    client_id_buf: *mut u8,
    client_id_len: usize,
    client_id_out_len: *mut usize,
    secret_buf: *mut u8,
    secret_len: usize,
    secret_out_len: *mut usize,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid spec, per the caller.
        let spec = unsafe { object(spec)? };
        // Web (0) and machine-to-machine (2) apps get a secret.
        let secret_needed = if matches!(spec.kind, 0 | 2) {
            limits::TOKEN_LEN
        } else {
            0
        };
        // Every output is checked before the registry changes.
        // SAFETY: buffer contracts from the caller.
        let (client_id_out, secret_out) = unsafe {
            (
                OutBuf::new(
                    client_id_buf,
                    client_id_len,
                    client_id_out_len,
                    limits::CLIENT_ID_LEN,
                ),
                OutBuf::new(secret_buf, secret_len, secret_out_len, secret_needed),
            )
        };
        let (client_id_out, secret_out) = (client_id_out?, secret_out?);
        // SAFETY: valid handle and RNG, per the caller.
        let (handle, mut rng) = unsafe { (object_mut(server)?, Rng::from_ptr(rng)?) };
        let created = with_spec(spec, |spec| {
            handle.server.registry_mut().create(spec, &mut rng)
        })?;
        let created = created.map_err(|error| handle.record(app_code(error), &error))?;
        client_id_out.write(created.client_id.as_bytes())?;
        secret_out.write(
            created
                .client_secret
                .as_ref()
                .map_or(&[][..], |secret| secret.as_bytes()),
        )
    })
}

fn app_code(error: AppError) -> authcode_result {
    match error {
        AppError::Randomness => authcode_result::Randomness,
        AppError::Store(_) => authcode_result::StoreUnavailable,
        _ => authcode_result::AppRefused,
    }
}

/// Replaces an app's settings (kind, client id and secret stay).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8`, `AUTHCODE_RESULT_INVALID_ARGUMENT`,
/// `AUTHCODE_RESULT_APP_REFUSED`, `AUTHCODE_RESULT_STORE_UNAVAILABLE`. On failure the app
/// is unchanged.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_update_app(
    server: *mut authcode_server,
    client_id: *const u8,
    client_id_len: usize,
    spec: *const authcode_app_spec,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid handle, string and spec, per the caller.
        let (handle, client_id, spec) = unsafe {
            (
                object_mut(server)?,
                text(client_id, client_id_len)?,
                object(spec)?,
            )
        };
        let result = with_spec(spec, |spec| {
            handle.server.registry_mut().update(client_id, spec)
        })?;
        result.map_err(|error| handle.record(app_code(error), &error))
    })
}

/// Deletes an app and frees its grants; every code and token it holds stops working at
/// once.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_APP_REFUSED` (unknown client id),
/// `AUTHCODE_RESULT_NULL_POINTER`, `AUTHCODE_RESULT_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_delete_app(
    server: *mut authcode_server,
    client_id: *const u8,
    client_id_len: usize,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid handle and string, per the caller.
        let (handle, client_id) = unsafe { (object_mut(server)?, text(client_id, client_id_len)?) };
        handle
            .server
            .delete_app(client_id)
            .map_err(|error| handle.record(app_code(error), &error))
    })
}

/// Gives a web app a new secret (43 bytes, shown this once); the old one stops working.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8`, `AUTHCODE_RESULT_BUFFER_TOO_SMALL`,
/// `AUTHCODE_RESULT_APP_REFUSED`, `AUTHCODE_RESULT_RANDOMNESS`,
/// `AUTHCODE_RESULT_STORE_UNAVAILABLE`. Outputs are checked first: on failure the old
/// secret still works.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_rotate_secret(
    server: *mut authcode_server,
    client_id: *const u8,
    client_id_len: usize,
    rng: *const authcode_rng,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    recorded(server, || {
        // The output is checked before the secret changes.
        // SAFETY: buffer contract from the caller.
        let out = unsafe { OutBuf::new(buf, len, out_len, limits::TOKEN_LEN)? };
        // SAFETY: valid handle, string and RNG, per the caller.
        let (handle, client_id, mut rng) = unsafe {
            (
                object_mut(server)?,
                text(client_id, client_id_len)?,
                Rng::from_ptr(rng)?,
            )
        };
        let secret = handle
            .server
            .registry_mut()
            .rotate_secret(client_id, &mut rng)
            .map_err(|error| handle.record(app_code(error), &error))?;
        out.write(secret.as_bytes())
    })
}

/// The number of registered apps.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_app_count(
    server: *const authcode_server,
    out: *mut usize,
) -> authcode_result {
    // SAFETY: valid handle and out pointer, per the caller.
    recorded(server, || unsafe {
        put(out, object(server)?.server.registry().len())
    })
}

/// Answers an authorization request for `subject` (signed in, consented): writes the
/// redirect URL for the `Location` header. `*redirected_error` is
/// `AUTHCODE_ERROR_CODE_NONE` when it carries a code, else the error it carries. Returns
/// `AUTHCODE_RESULT_AUTHORIZE_REFUSED` when the client or redirect URI is not trusted —
/// show `authcode_server_last_error` to the user instead of redirecting.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_authorize(
    server: *mut authcode_server,
    query: *const u8,
    query_len: usize,
    subject: *const u8,
    subject_len: usize,
    now: u64,
    rng: *const authcode_rng,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    redirected_error: *mut authcode_error_code,
) -> authcode_result {
    recorded(server, || {
        check_out(out_len)?;
        check_out(redirected_error)?;
        // SAFETY: valid handle, ranges, RNG and buffer, per the caller.
        let (handle, query, subject, mut rng, buffer) = unsafe {
            (
                object_mut(server)?,
                bytes(query, query_len)?,
                text(subject, subject_len)?,
                Rng::from_ptr(rng)?,
                buffer(buf, len)?,
            )
        };
        let result = handle.server.authorize(
            query,
            subject,
            Timestamp::from_unix_seconds(now),
            &mut rng,
            buffer,
        );
        finish_authorize(
            handle,
            result.map(|r| (r.location.len(), r.error)),
            out_len,
            redirected_error,
        )
    })
}

fn finish_authorize(
    handle: &mut authcode_server,
    result: Result<(usize, Option<authcode::client::ErrorCode>), AuthorizeError>,
    out_len: *mut usize,
    redirected_error: *mut authcode_error_code,
) -> FfiResult {
    match result {
        Ok((written, error)) => {
            // SAFETY: both checked non-NULL by the caller.
            unsafe {
                put(out_len, written)?;
                put(
                    redirected_error,
                    error.map_or(authcode_error_code::None, error_code),
                )
            }
        }
        // SAFETY: checked non-NULL by the caller.
        Err(AuthorizeError::BufferTooSmall(too_small)) => unsafe {
            report_len(Err(too_small), out_len)
        },
        Err(error) => Err(handle.record(authcode_result::AuthorizeRefused, &error)),
    }
}

/// Answers an authorization request the user declined (`error=access_denied`).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL`, `AUTHCODE_RESULT_AUTHORIZE_REFUSED`. `*out_len`: the
/// redirect location's length, or the size needed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_deny(
    server: *mut authcode_server,
    query: *const u8,
    query_len: usize,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    redirected_error: *mut authcode_error_code,
) -> authcode_result {
    recorded(server, || {
        check_out(out_len)?;
        check_out(redirected_error)?;
        // SAFETY: valid handle, range and buffer, per the caller.
        let (handle, query, buffer) = unsafe {
            (
                object_mut(server)?,
                bytes(query, query_len)?,
                buffer(buf, len)?,
            )
        };
        let result = handle.server.deny(query, buffer);
        finish_authorize(
            handle,
            result.map(|r| (r.location.len(), r.error)),
            out_len,
            redirected_error,
        )
    })
}

fn token_request<'a>(
    request: &'a authcode_token_request,
) -> Result<TokenRequest<'a>, authcode_result> {
    // SAFETY: the caller of the extern function promised valid ranges.
    unsafe {
        Ok(TokenRequest {
            method: text(request.method.ptr, request.method.len)?,
            content_type: (!request.content_type.ptr.is_null())
                .then(|| text(request.content_type.ptr, request.content_type.len))
                .transpose()?,
            authorization: (!request.authorization.ptr.is_null())
                .then(|| text(request.authorization.ptr, request.authorization.len))
                .transpose()?,
            body: bytes(request.body.ptr, request.body.len)?,
        })
    }
}

fn response_out(response: authcode::server::TokenResponse<'_>) -> authcode_token_response {
    authcode_token_response {
        status: response.status,
        www_authenticate: authcode_str::of_option(response.www_authenticate),
        body: authcode_str::of(response.body),
    }
}

/// Answers a token request (`authorization_code` and `refresh_token` grants). `buf` must
/// hold at least `AUTHCODE_TOKEN_RESPONSE_MIN` (1024) bytes; `*out` describes the response, its body inside `buf`. A
/// request text that is not UTF-8 where text is required is
/// `AUTHCODE_RESULT_INVALID_UTF8` (answer 400 yourself).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_token(
    server: *mut authcode_server,
    request: *const authcode_token_request,
    now: u64,
    rng: *const authcode_rng,
    buf: *mut u8,
    len: usize,
    out: *mut authcode_token_response,
) -> authcode_result {
    recorded(server, || {
        check_out(out)?;
        // SAFETY: valid handle, request, RNG and buffer, per the caller.
        let (handle, request, mut rng, buffer) = unsafe {
            (
                object_mut(server)?,
                object(request)?,
                Rng::from_ptr(rng)?,
                buffer(buf, len)?,
            )
        };
        let request = token_request(request)?;
        let response = handle.server.token(
            &request,
            Timestamp::from_unix_seconds(now),
            &mut rng,
            buffer,
        )?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, response_out(response)) }
    })
}

/// Answers an RFC 7009 revocation request at `now` (Unix seconds; client secrets expire).
/// `buf` must hold at least `AUTHCODE_TOKEN_RESPONSE_MIN` (1024) bytes.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL`, `AUTHCODE_RESULT_STORE_UNAVAILABLE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_revoke(
    server: *mut authcode_server,
    request: *const authcode_token_request,
    now: u64,
    buf: *mut u8,
    len: usize,
    out: *mut authcode_token_response,
) -> authcode_result {
    recorded(server, || {
        check_out(out)?;
        // SAFETY: valid handle, request and buffer, per the caller.
        let (handle, request, buffer) =
            unsafe { (object_mut(server)?, object(request)?, buffer(buf, len)?) };
        let request = token_request(request)?;
        let response = handle
            .server
            .revoke(&request, Timestamp::from_unix_seconds(now), buffer)?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, response_out(response)) }
    })
}

/// Checks an access token for a resource server. `AUTHCODE_RESULT_INVALID_TOKEN` for
/// unknown, expired or revoked tokens (answer 401 with `invalid_token`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_validate(
    server: *const authcode_server,
    token: *const u8,
    token_len: usize,
    now: u64,
    out: *mut authcode_token_info,
) -> authcode_result {
    recorded(server, || {
        check_out(out)?;
        // SAFETY: valid handle and string, per the caller.
        let (handle, token) = unsafe { (object(server)?, text(token, token_len)?) };
        let info = handle
            .server
            .validate(token, Timestamp::from_unix_seconds(now))
            .map_err(|_| authcode_result::InvalidToken)?;
        let mut result = authcode_token_info {
            client_id: [0; 32],
            client_id_len: 0,
            subject: [0; 64],
            subject_len: 0,
            scope: [0; 256],
            scope_len: 0,
            expires_at: info.expires_at.unix_seconds(),
        };
        let copy = |from: &str, to: &mut [u8]| -> usize {
            let len = from.len().min(to.len());
            if let (Some(to), Some(from)) = (to.get_mut(..len), from.as_bytes().get(..len)) {
                to.copy_from_slice(from);
            }
            len
        };
        result.client_id_len = copy(&info.client_id, &mut result.client_id);
        result.subject_len = copy(&info.subject, &mut result.subject);
        result.scope_len = copy(&info.scope, &mut result.scope);
        // SAFETY: checked non-NULL.
        unsafe { put(out, result) }
    })
}

/// Revokes the grant a token belongs to (`*known`: whether the token was known).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8`, `AUTHCODE_RESULT_STORE_UNAVAILABLE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_revoke_token(
    server: *mut authcode_server,
    token: *const u8,
    token_len: usize,
    known: *mut bool,
) -> authcode_result {
    recorded(server, || {
        check_out(known)?;
        // SAFETY: valid handle and string, per the caller.
        let (handle, token) = unsafe { (object_mut(server)?, text(token, token_len)?) };
        let was_known = handle.server.revoke_token(token)?;
        // SAFETY: checked non-NULL.
        unsafe { put(known, was_known) }
    })
}

/// Removes expired codes and dead tokens now (`*removed`: how many).
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_STORE_UNAVAILABLE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_purge_expired(
    server: *mut authcode_server,
    now: u64,
    removed: *mut usize,
) -> authcode_result {
    recorded(server, || {
        check_out(removed)?;
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(server)? };
        let count = handle
            .server
            .purge_expired(Timestamp::from_unix_seconds(now))?;
        // SAFETY: checked non-NULL.
        unsafe { put(removed, count) }
    })
}

/// How the tables are shared: `codes_per_app` and `grants_per_app` (0: the default,
/// capacity / 10 apps), `codes_per_subject` (1 to 8). See the README's "Quotas".
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_INVALID_SERVER_CONFIG` (a value out of
/// range; nothing changes), `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_set_quotas(
    server: *mut authcode_server,
    codes_per_app: u32,
    grants_per_app: u32,
    codes_per_subject: u8,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(server)? };
        let quotas = Quotas {
            codes_per_app: (codes_per_app > 0).then_some(codes_per_app),
            grants_per_app: (grants_per_app > 0).then_some(grants_per_app),
            codes_per_subject,
        };
        update_config(handle, |config| config.with_quotas(quotas))
    })
}

/// How many live access tokens one grant holds (1 to 4, default 2): issuing one more ends
/// that grant's oldest.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_INVALID_SERVER_CONFIG`,
/// `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_set_access_tokens_per_grant(
    server: *mut authcode_server,
    count: u8,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(server)? };
        update_config(handle, |config| config.with_access_tokens_per_grant(count))
    })
}

/// The refresh grace window in seconds (0 = off, the default; at most 60): a rotated-out
/// refresh token presented by its client this soon after its rotation gets one fresh pair
/// of the same grant instead of revoking it.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_INVALID_SERVER_CONFIG`,
/// `AUTHCODE_RESULT_NULL_POINTER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_set_refresh_grace(
    server: *mut authcode_server,
    seconds: u64,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid handle, per the caller.
        let handle = unsafe { object_mut(server)? };
        update_config(handle, |config| config.with_refresh_grace(seconds))
    })
}

/// Ends every grant of `subject` in every app ("sign out everywhere"); `*count`: how many.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8`, `AUTHCODE_RESULT_STORE_UNAVAILABLE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_revoke_subject(
    server: *mut authcode_server,
    subject: *const u8,
    subject_len: usize,
    count: *mut usize,
) -> authcode_result {
    recorded(server, || {
        check_out(count)?;
        // SAFETY: valid handle and string, per the caller.
        let (handle, subject) = unsafe { (object_mut(server)?, text(subject, subject_len)?) };
        let ended = handle.server.revoke_subject(subject)?;
        // SAFETY: checked non-NULL.
        unsafe { put(count, ended) }
    })
}

/// Ends every grant of the app `client_id`; `*count`: how many.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_APP_REFUSED` (unknown client id),
/// `AUTHCODE_RESULT_NULL_POINTER`, `AUTHCODE_RESULT_INVALID_UTF8`,
/// `AUTHCODE_RESULT_STORE_UNAVAILABLE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_revoke_app_grants(
    server: *mut authcode_server,
    client_id: *const u8,
    client_id_len: usize,
    count: *mut usize,
) -> authcode_result {
    recorded(server, || {
        check_out(count)?;
        // SAFETY: valid handle and string, per the caller.
        let (handle, client_id) = unsafe { (object_mut(server)?, text(client_id, client_id_len)?) };
        let ended = handle
            .server
            .revoke_app_grants(client_id)
            .map_err(|error| handle.record(app_code(error), &error))?;
        // SAFETY: checked non-NULL.
        unsafe { put(count, ended) }
    })
}

/// Gives a web app a new secret (43 bytes, shown this once, into `buf`); its other
/// secrets keep working for `overlap_seconds` more (0: they stop at once; at most
/// 86400), and with `end_grants` every grant of the app ends at once. The buffer is
/// checked before anything changes.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_BUFFER_TOO_SMALL` (`*out_len`: 43),
/// `AUTHCODE_RESULT_APP_REFUSED` (unknown app, not a web app, overlap too long),
/// `AUTHCODE_RESULT_RANDOMNESS`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8`, `AUTHCODE_RESULT_STORE_UNAVAILABLE`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_rotate_secret_with(
    server: *mut authcode_server,
    client_id: *const u8,
    client_id_len: usize,
    overlap_seconds: u64,
    end_grants: bool,
    now: u64,
    rng: *const authcode_rng,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: buffer contract from the caller.
        let out = unsafe { OutBuf::new(buf, len, out_len, limits::TOKEN_LEN)? };
        // SAFETY: valid handle, string and RNG, per the caller.
        let (handle, client_id, mut rng) = unsafe {
            (
                object_mut(server)?,
                text(client_id, client_id_len)?,
                Rng::from_ptr(rng)?,
            )
        };
        let rotation = SecretRotation {
            overlap: overlap_seconds,
            end_grants,
        };
        let secret = handle
            .server
            .rotate_secret(
                client_id,
                rotation,
                Timestamp::from_unix_seconds(now),
                &mut rng,
            )
            .map_err(|error| handle.record(app_code(error), &error))?;
        out.write(secret.as_bytes())
    })
}

/// Adds a second secret to a web app (43 bytes, shown this once, into `buf`; `*slot`:
/// its slot, 0 or 1, to delete it by). The existing secret keeps working. Outputs are
/// checked before anything changes.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_BUFFER_TOO_SMALL` (`*out_len`: 43),
/// `AUTHCODE_RESULT_APP_REFUSED` (unknown app, not a web app, two secrets already),
/// `AUTHCODE_RESULT_RANDOMNESS`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_add_secret(
    server: *mut authcode_server,
    client_id: *const u8,
    client_id_len: usize,
    now: u64,
    rng: *const authcode_rng,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
    slot: *mut u32,
) -> authcode_result {
    recorded(server, || {
        check_out(slot)?;
        // SAFETY: buffer contract from the caller.
        let out = unsafe { OutBuf::new(buf, len, out_len, limits::TOKEN_LEN)? };
        // SAFETY: valid handle, string and RNG, per the caller.
        let (handle, client_id, mut rng) = unsafe {
            (
                object_mut(server)?,
                text(client_id, client_id_len)?,
                Rng::from_ptr(rng)?,
            )
        };
        let (index, secret) = handle
            .server
            .registry_mut()
            .add_secret(client_id, Timestamp::from_unix_seconds(now), &mut rng)
            .map_err(|error| handle.record(app_code(error), &error))?;
        out.write(secret.as_bytes())?;
        // SAFETY: checked non-NULL above.
        unsafe { put(slot, u32::try_from(index).unwrap_or(u32::MAX)) }
    })
}

/// Deletes the web app's secret in `slot` (0 or 1); it stops working at once. The app's
/// last live secret cannot be deleted.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_APP_REFUSED` (unknown app or slot, the
/// last secret), `AUTHCODE_RESULT_NULL_POINTER`, `AUTHCODE_RESULT_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_delete_secret(
    server: *mut authcode_server,
    client_id: *const u8,
    client_id_len: usize,
    slot: u32,
    now: u64,
) -> authcode_result {
    recorded(server, || {
        // SAFETY: valid handle and string, per the caller.
        let (handle, client_id) = unsafe { (object_mut(server)?, text(client_id, client_id_len)?) };
        let slot = usize::try_from(slot).unwrap_or(usize::MAX);
        handle
            .server
            .registry_mut()
            .delete_secret(client_id, slot, Timestamp::from_unix_seconds(now))
            .map_err(|error| handle.record(app_code(error), &error))
    })
}

/// What one app holds in the server's tables.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct authcode_app_usage {
    /// Pending codes (expired ones not yet reclaimed included).
    pub codes: u32,
    /// Grants (expired ones not yet reclaimed included).
    pub grants: u32,
    /// The app's quota of pending codes.
    pub codes_quota: u32,
    /// The app's quota of grants.
    pub grants_quota: u32,
}

/// What the app `client_id` holds, and its quotas.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_APP_REFUSED` (unknown client id),
/// `AUTHCODE_RESULT_NULL_POINTER`, `AUTHCODE_RESULT_INVALID_UTF8`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_app_usage(
    server: *mut authcode_server,
    client_id: *const u8,
    client_id_len: usize,
    out: *mut authcode_app_usage,
) -> authcode_result {
    recorded(server, || {
        check_out(out)?;
        // SAFETY: valid handle and string, per the caller.
        let (handle, client_id) = unsafe { (object_mut(server)?, text(client_id, client_id_len)?) };
        let usage = handle
            .server
            .usage(client_id)
            .map_err(|error| handle.record(app_code(error), &error))?;
        let limits = handle.server.limits();
        // SAFETY: checked non-NULL.
        unsafe {
            put(
                out,
                authcode_app_usage {
                    codes: usage.codes,
                    grants: usage.grants,
                    codes_quota: limits.codes_per_app,
                    grants_quota: limits.grants_per_app,
                },
            )
        }
    })
}

/// Why the last failing call on this server failed, as text.
///
/// Returns `AUTHCODE_RESULT_OK`, `AUTHCODE_RESULT_NULL_POINTER`,
/// `AUTHCODE_RESULT_BUFFER_TOO_SMALL`. `*out_len`: the text's length (at most `AUTHCODE_LAST_ERROR_MAX`), or the
/// size needed. Does not clear it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn authcode_server_last_error(
    server: *const authcode_server,
    buf: *mut u8,
    len: usize,
    out_len: *mut usize,
) -> authcode_result {
    // SAFETY: valid handle and buffer, per the caller.
    guard(|| unsafe { object(server)?.last_error.copy_out(buf, len, out_len) })
}
