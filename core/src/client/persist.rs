//! Saving a session to bytes and restoring it, so a login survives the app being killed
//! between opening the browser and receiving the redirect — the verifier and state are
//! not lost — and an authorized session survives a restart.
//!
//! **The saved bytes hold secrets** (the PKCE verifier, the code, the access and refresh
//! tokens). Store them where the platform keeps secrets: the iOS Keychain, Android's
//! Keystore-backed encrypted storage, a file only the user can read.
//!
//! Two ways to close a save:
//!
//! - [`Session::save`] / [`Session::restore`]: an unkeyed checksum. It detects damage and
//!   truncation; it does **not** stop someone who can write the saved bytes from forging
//!   a save (their own tokens, a state of their choosing).
//! - [`Session::save_keyed`] / [`Session::restore_keyed`] with a host [`SaveKey`] (kept in
//!   the Keychain / Keystore, apart from the saves): an HMAC-SHA-256 tag. A keyed save
//!   restores only with its key; a changed one, one restored with another key or with
//!   none, and an unkeyed save offered to `restore_keyed` are all
//!   [`RestoreError::Tampered`] (a forger can always write an unkeyed save, so a host that
//!   uses a key must not fall back to one). To move an app to keyed saves, restore its old
//!   save once with `restore`, then save it with `save_keyed`, and from then on only
//!   `restore_keyed`.
//!
//! Either way, a restored session satisfies every invariant a live one does: the checks
//! of [`Session::start`], [`Session::on_redirect`] and [`Session::on_token_response`] are
//! made again on the restored fields.
//!
//! Format, version 2 (integers little-endian), written by this version:
//!
//! ```text
//! "ACSS" | version: u8 = 2 | total length: u32 | seal: u8 (0 checksum, 1 HMAC)
//!        | client fingerprint: 16 bytes | stage: u8 | stage fields …
//!          (stage 5, written when the token response had a `sub`, is stage 3's
//!          authorized fields followed by the subject; stages 6 and 7 are stages 1
//!          and 2 followed by the OpenID Connect nonce. The ID token is not saved —
//!          its verified `sub` is — so a restored session has no `Tokens::id_token`)
//!        | checksum: first 16 bytes of SHA-256(all before)
//!          or tag: HMAC-SHA-256(key, all before), 32 bytes
//! ```
//!
//! Version 1 (read, never written; unkeyed) has no seal byte, a fingerprint of
//! `client_id`, redirect URI and token endpoint only, and the 16-byte checksum.
//!
//! Fields are `u16` length + bytes; optional fields a `0`/`1` byte first; times `u64`.
//! The client fingerprint — the first 16 bytes of SHA-256 over the profile, every
//! endpoint, the client id, the redirect URI, the scope, the expected issuer and the kind
//! of client authentication (not the secret: rotating it keeps sessions) — makes
//! restoring under a configuration that would give the saved bytes another meaning
//! [`RestoreError::DifferentClient`]. The configuration itself is not saved: the app
//! builds it as it did at start.

use core::fmt;

use heapless::String;
use sha2::{Digest, Sha256};

use super::config::{ClientAuth, ClientConfig};
use super::error::ClientError;
use super::limits::{
    MAX_ACCESS_TOKEN, MAX_CODE, MAX_REFRESH_TOKEN, MAX_SCOPE, MAX_SUBJECT, MAX_WORKFRONT_VALUE,
};
use super::response::{ServerError, TokenType, Tokens};
use super::seal::{SaveKey, SealKind, Sealer};
use super::session::{NONCE_LEN, STATE_LEN, Session};
use super::state::{Authorized, CodeReceived, Failure, PendingLogin, State, WorkfrontRouting};
use crate::Secret;
use crate::pkce::Verifier;
use crate::profile::Profile;
use crate::time::Timestamp;
use crate::wire::Writer;

const MAGIC: &[u8; 4] = b"ACSS";
/// The version this crate writes.
const VERSION: u8 = 2;
/// The unkeyed version earlier releases wrote; still read.
const VERSION_1: u8 = 1;
const FINGERPRINT_LEN: usize = 16;

/// A buffer of this many bytes always holds a saved session.
pub const MAX_SAVED_LEN: usize = 8192;

/// Why saved bytes could not be restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestoreError {
    /// The bytes are not a saved authcode session.
    NotASavedSession,
    /// Saved by a version of authcode whose format this one does not read.
    UnsupportedVersion {
        /// The format version found.
        found: u8,
    },
    /// Fewer bytes than were saved.
    Truncated,
    /// The checksum does not match: the bytes were changed or damaged.
    Corrupted,
    /// The save's authentication does not hold: its tag does not match under the key
    /// given (changed bytes, another key), it is keyed and no key was given, or no key
    /// closes it and a key was given.
    Tampered,
    /// Saved under a different client configuration (an endpoint, the client id, the
    /// redirect URI, the scope, the issuer, the profile or the kind of client
    /// authentication differ).
    DifferentClient,
    /// The seal holds but a field is invalid.
    Invalid,
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotASavedSession => f.write_str("not a saved authcode session"),
            Self::UnsupportedVersion { found } => {
                write!(f, "saved session format version {found} is not supported")
            }
            Self::Truncated => f.write_str("the saved session is truncated"),
            Self::Corrupted => f.write_str("the saved session is corrupted (checksum mismatch)"),
            Self::Tampered => f.write_str(
                "the saved session is not authenticated by the key given (tampered, another key, or unkeyed)",
            ),
            Self::DifferentClient => {
                f.write_str("the saved session belongs to a different client configuration")
            }
            Self::Invalid => f.write_str("the saved session holds an invalid field"),
        }
    }
}

impl core::error::Error for RestoreError {}

/// The fingerprint version 1 saves carry.
fn fingerprint_v1(config: &ClientConfig) -> [u8; FINGERPRINT_LEN] {
    let digest = Sha256::new()
        .chain_update(config.client_id())
        .chain_update([0])
        .chain_update(config.redirect_uri())
        .chain_update([0])
        .chain_update(config.token_endpoint())
        .finalize();
    digest.first_chunk().copied().unwrap_or_default()
}

/// Every configuration field that changes what saved bytes mean, each length-prefixed.
fn fingerprint(config: &ClientConfig) -> [u8; FINGERPRINT_LEN] {
    fn text(hasher: &mut Sha256, value: Option<&str>) {
        match value {
            Some(value) => {
                hasher.update([1]);
                hasher.update((value.len() as u64).to_le_bytes());
                hasher.update(value);
            }
            None => hasher.update([0]),
        }
    }
    let mut hasher = Sha256::new();
    hasher.update(b"authcode client fingerprint 2");
    hasher.update([match config.profile() {
        Profile::Rfc => 0,
        Profile::Workfront => 1,
        Profile::AdobeIms => 2,
    }]);
    hasher.update([match config.auth() {
        ClientAuth::None => 0,
        ClientAuth::SecretBasic(_) => 1,
        ClientAuth::SecretPost(_) => 2,
    }]);
    text(&mut hasher, Some(config.authorization_endpoint()));
    text(&mut hasher, Some(config.token_endpoint()));
    text(&mut hasher, config.revocation_endpoint());
    text(&mut hasher, Some(config.client_id()));
    text(&mut hasher, Some(config.redirect_uri()));
    text(&mut hasher, Some(config.scope()));
    text(&mut hasher, config.issuer());
    hasher.finalize().first_chunk().copied().unwrap_or_default()
}

/// Writes fields while sealing them.
struct Encoder<'w, 'buf> {
    out: &'w mut Writer<'buf>,
    sealer: Sealer,
}

impl Encoder<'_, '_> {
    fn bytes_raw(&mut self, bytes: &[u8]) {
        self.sealer.update(bytes);
        self.out.push_bytes(bytes);
    }

    fn u8(&mut self, value: u8) {
        self.bytes_raw(&[value]);
    }

    fn u64(&mut self, value: u64) {
        self.bytes_raw(&value.to_le_bytes());
    }

    fn field(&mut self, bytes: &[u8]) {
        // Every field's capacity is below 64 KiB.
        let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
        self.bytes_raw(&len.to_le_bytes());
        self.bytes_raw(bytes.get(..usize::from(len)).unwrap_or_default());
    }

    fn optional(&mut self, bytes: Option<&[u8]>) {
        match bytes {
            Some(bytes) => {
                self.u8(1);
                self.field(bytes);
            }
            None => self.u8(0),
        }
    }

    fn optional_u64(&mut self, value: Option<u64>) {
        match value {
            Some(value) => {
                self.u8(1);
                self.u64(value);
            }
            None => self.u8(0),
        }
    }

    fn routing(&mut self, routing: &WorkfrontRouting) {
        self.optional(routing.domain.as_deref().map(str::as_bytes));
        self.optional(routing.lane.as_deref().map(str::as_bytes));
    }

    fn server_error(&mut self, error: &ServerError) {
        self.field(error.code_text().as_bytes());
        self.optional(error.description().map(str::as_bytes));
        self.optional(error.uri().map(str::as_bytes));
        self.optional_u64(error.status().map(u64::from));
    }
}

fn encode(session: &Session, key: Option<&SaveKey>, total_len: u32, out: &mut Writer<'_>) {
    let mut encoder = Encoder {
        out,
        sealer: Sealer::new(key),
    };
    let kind = encoder.sealer.kind();
    encoder.bytes_raw(MAGIC);
    encoder.u8(VERSION);
    encoder.bytes_raw(&total_len.to_le_bytes());
    encoder.u8(kind as u8);
    encoder.bytes_raw(&fingerprint(&session.config));
    match &session.state {
        // Stages 6 and 7 are stages 1 and 2 followed by the OpenID Connect nonce; a login
        // without one is saved as before.
        State::AwaitingRedirect(pending) => {
            encoder.u8(if pending.nonce.is_some() { 6 } else { 1 });
            encoder.field(pending.verifier.as_bytes());
            encoder.field(pending.state.as_bytes());
            encoder.u64(pending.started_at.unix_seconds());
            if let Some(nonce) = &pending.nonce {
                encoder.field(nonce.as_bytes());
            }
        }
        State::AwaitingToken(received) => {
            encoder.u8(if received.nonce.is_some() { 7 } else { 2 });
            encoder.field(received.verifier.as_bytes());
            encoder.field(received.code.as_bytes());
            encoder.routing(&received.workfront);
            if let Some(nonce) = &received.nonce {
                encoder.field(nonce.as_bytes());
            }
        }
        State::Authorized(authorized) | State::Refreshing(authorized) => {
            let tokens = &session.tokens;
            // Stage 5 is stage 3 with the token response's `sub` after the routing; a
            // session without one is saved as before, so earlier versions still read it.
            // The ID token itself is not saved (its verified `sub` is): saves stay within
            // MAX_SAVED_LEN.
            encoder.u8(if tokens.subject.is_some() { 5 } else { 3 });
            encoder.field(tokens.access_token.as_bytes());
            encoder.u8(match tokens.token_type {
                TokenType::Bearer => 0,
                TokenType::SessionId => 1,
            });
            encoder.optional(tokens.refresh_token().map(str::as_bytes));
            encoder.optional_u64(tokens.expires_at.map(Timestamp::unix_seconds));
            encoder.optional(tokens.scope.as_deref().map(str::as_bytes));
            encoder.optional(tokens.wid.as_deref().map(str::as_bytes));
            encoder.u64(tokens.received_at.unix_seconds());
            encoder.routing(&authorized.workfront);
            if let Some(subject) = &tokens.subject {
                encoder.field(subject.as_bytes());
            }
        }
        State::Failed(failure) => {
            encoder.u8(4);
            match failure {
                Failure::Denied(error) => {
                    encoder.u8(0);
                    encoder.server_error(error);
                }
                Failure::Rejected(error) => {
                    encoder.u8(1);
                    encoder.server_error(error);
                }
                Failure::SignInRequired(error) => {
                    encoder.u8(2);
                    encoder.server_error(error);
                }
                Failure::SignedOut => encoder.u8(3),
            }
        }
    }
    let seal = encoder.sealer.finish();
    encoder
        .out
        .push_bytes(seal.get(..kind.len()).unwrap_or_default());
}

impl Session {
    /// Saves the session into `buf` ([`MAX_SAVED_LEN`] bytes always suffice) and returns
    /// the bytes written, closed by an unkeyed checksum (see [`Session::save_keyed`] for
    /// saves that cannot be forged). **The bytes hold secrets** (verifier, code, tokens):
    /// store them where the platform keeps secrets — the iOS Keychain, Android's
    /// Keystore-backed storage.
    ///
    /// A refresh in flight is not saved: a restored session is not refreshing.
    ///
    /// # Errors
    ///
    /// [`ClientError::BufferTooSmall`] with the size needed.
    pub fn save<'buf>(&self, buf: &'buf mut [u8]) -> Result<&'buf [u8], ClientError> {
        self.save_sealed(None, buf)
    }

    /// Saves the session as [`Session::save`] does, authenticated with `key`
    /// (HMAC-SHA-256): it restores only through [`Session::restore_keyed`] with the same
    /// key.
    ///
    /// # Errors
    ///
    /// [`ClientError::BufferTooSmall`] with the size needed.
    pub fn save_keyed<'buf>(
        &self,
        key: &SaveKey,
        buf: &'buf mut [u8],
    ) -> Result<&'buf [u8], ClientError> {
        self.save_sealed(Some(key), buf)
    }

    fn save_sealed<'buf>(
        &self,
        key: Option<&SaveKey>,
        buf: &'buf mut [u8],
    ) -> Result<&'buf [u8], ClientError> {
        let mut counter = Writer::new(&mut []);
        encode(self, key, 0, &mut counter);
        let total = counter.needed();
        let total_len = u32::try_from(total).unwrap_or(u32::MAX);
        let mut out = Writer::new(buf);
        encode(self, key, total_len, &mut out);
        Ok(out.finish_bytes()?)
    }

    /// Restores a session saved by [`Session::save`] (this version's format or version
    /// 1), under the same client configuration.
    ///
    /// # Errors
    ///
    /// [`RestoreError`]: not a saved session, unsupported version, truncated, corrupted,
    /// saved with a key ([`RestoreError::Tampered`]: use [`Session::restore_keyed`]),
    /// saved by a different client, or an invalid field.
    pub fn restore(config: ClientConfig, saved: &[u8]) -> Result<Self, RestoreError> {
        Self::restore_sealed(config, saved, None)
    }

    /// Restores a session saved by [`Session::save_keyed`] with the same `key`, under the
    /// same client configuration.
    ///
    /// # Errors
    ///
    /// As [`Session::restore`]; [`RestoreError::Tampered`] when the tag does not hold
    /// under `key` (bytes changed, another key) or the save is unkeyed.
    pub fn restore_keyed(
        config: ClientConfig,
        saved: &[u8],
        key: &SaveKey,
    ) -> Result<Self, RestoreError> {
        Self::restore_sealed(config, saved, Some(key))
    }

    fn restore_sealed(
        config: ClientConfig,
        saved: &[u8],
        key: Option<&SaveKey>,
    ) -> Result<Self, RestoreError> {
        let mut session = Self::signed_out(config);
        session.restore_in_place(saved, key)?;
        Ok(session)
    }

    /// Replaces this session, in place, with one saved by [`Session::save`] under the
    /// same client configuration (the one this session holds) — for firmware that keeps
    /// its session in a static and cannot afford a second one on the stack.
    ///
    /// The save is checked in full first; a refused save leaves this session unchanged.
    ///
    /// # Errors
    ///
    /// As [`Session::restore`].
    pub fn restore_from(&mut self, saved: &[u8]) -> Result<(), RestoreError> {
        self.restore_in_place(saved, None)
    }

    /// As [`Session::restore_from`], for a save made by [`Session::save_keyed`] with the
    /// same `key`.
    ///
    /// # Errors
    ///
    /// As [`Session::restore_keyed`].
    pub fn restore_keyed_from(&mut self, saved: &[u8], key: &SaveKey) -> Result<(), RestoreError> {
        self.restore_in_place(saved, Some(key))
    }

    fn restore_in_place(
        &mut self,
        saved: &[u8],
        key: Option<&SaveKey>,
    ) -> Result<(), RestoreError> {
        let content = unseal(&self.config, saved, key)?;
        let mut reader = Reader {
            bytes: content.fields,
            pos: 0,
        };
        let saved = read_state(&mut reader).map_err(|_| RestoreError::Invalid)?;
        if reader.pos != content.fields.len() {
            return Err(RestoreError::Invalid);
        }
        // Every field is checked; the values are built straight from the saved bytes
        // into the session's own storage.
        self.install(saved);
        Ok(())
    }

    /// Pass two of a restore: builds the checked saved state in place. One function per
    /// stage, so that their temporaries never share a stack frame.
    fn install(&mut self, saved: SavedState<'_>) {
        match saved {
            SavedState::AwaitingRedirect {
                verifier,
                state,
                started_at,
                nonce,
            } => self.install_pending(verifier, state, started_at, nonce),
            SavedState::AwaitingToken {
                verifier,
                code,
                routing,
                nonce,
            } => self.install_code(verifier, code, &routing, nonce),
            SavedState::Authorized { tokens, routing } => {
                self.install_authorized(&tokens, &routing);
            }
            SavedState::Failed(failure) => self.install_failure(&failure),
        }
    }

    #[inline(never)]
    fn install_pending(
        &mut self,
        verifier: Verifier,
        state: &str,
        started_at: Timestamp,
        nonce: Option<&str>,
    ) {
        self.set_state(State::AwaitingRedirect(PendingLogin {
            verifier,
            state: checked_secret(state),
            started_at,
            nonce: nonce.map(checked_secret),
        }));
    }

    #[inline(never)]
    fn install_code(
        &mut self,
        verifier: Verifier,
        code: &str,
        routing: &SavedRouting<'_>,
        nonce: Option<&str>,
    ) {
        // Entered with empty values, then filled in place (no stack copy of the code and
        // routing storage).
        self.set_state(State::AwaitingToken(CodeReceived {
            verifier,
            code: Secret::new(),
            workfront: WorkfrontRouting::default(),
            nonce: nonce.map(checked_secret),
        }));
        if let State::AwaitingToken(received) = &mut self.state {
            // Checked to fit in pass one.
            let _ = received.code.push_str(code);
            routing.write(&mut received.workfront);
        }
    }

    #[inline(never)]
    fn install_authorized(&mut self, tokens: &SavedTokens<'_>, routing: &SavedRouting<'_>) {
        self.set_state(State::Authorized(Authorized {
            workfront: WorkfrontRouting::default(),
        }));
        if let State::Authorized(authorized) = &mut self.state {
            routing.write(&mut authorized.workfront);
        }
        self.tokens.clear();
        tokens.write(&mut self.tokens);
    }

    #[inline(never)]
    fn install_failure(&mut self, failure: &SavedFailure<'_>) {
        self.set_state(State::Failed(match failure {
            SavedFailure::Denied(error) => Failure::Denied(error.build()),
            SavedFailure::Rejected(error) => Failure::Rejected(error.build()),
            SavedFailure::SignInRequired(error) => Failure::SignInRequired(error.build()),
            SavedFailure::SignedOut => Failure::SignedOut,
        }));
    }
}

/// A secret already checked to fit.
fn checked_secret<const N: usize>(text: &str) -> Secret<N> {
    Secret::copy_from(text).unwrap_or_default()
}

/// A saved session once every field is checked (pass one of a restore): the values
/// still in the saved bytes, but for the verifier, which is parsed once.
enum SavedState<'a> {
    AwaitingRedirect {
        verifier: Verifier,
        state: &'a str,
        started_at: Timestamp,
        nonce: Option<&'a str>,
    },
    AwaitingToken {
        verifier: Verifier,
        code: &'a str,
        routing: SavedRouting<'a>,
        nonce: Option<&'a str>,
    },
    Authorized {
        tokens: SavedTokens<'a>,
        routing: SavedRouting<'a>,
    },
    Failed(SavedFailure<'a>),
}

/// Workfront's `domain` and `lane`, checked to fit.
struct SavedRouting<'a> {
    domain: Option<&'a str>,
    lane: Option<&'a str>,
}

impl SavedRouting<'_> {
    /// Writes the values (checked to fit) into `out`, which is empty.
    fn write(&self, out: &mut WorkfrontRouting) {
        put_text(&mut out.domain, self.domain);
        put_text(&mut out.lane, self.lane);
    }
}

/// Stores a value checked to fit into `slot` in place (no stack copy of its storage).
fn put_text<const N: usize>(slot: &mut Option<String<N>>, value: Option<&str>) {
    match value {
        Some(value) => {
            let stored = slot.insert(String::new());
            // Checked to fit in pass one.
            let _ = stored.push_str(value);
        }
        None => *slot = None,
    }
}

enum SavedFailure<'a> {
    Denied(SavedError<'a>),
    Rejected(SavedError<'a>),
    SignInRequired(SavedError<'a>),
    SignedOut,
}

/// A server error as saved (its texts are cut to their storage when built).
struct SavedError<'a> {
    code: &'a str,
    description: Option<&'a str>,
    uri: Option<&'a str>,
    status: Option<u16>,
}

impl SavedError<'_> {
    fn build(&self) -> ServerError {
        ServerError::new(self.code, self.description, self.uri, self.status)
    }
}

/// The tokens of an authorized save, checked, still in the saved bytes.
struct SavedTokens<'a> {
    access_token: &'a str,
    token_type: TokenType,
    refresh_token: Option<&'a str>,
    expires_at: Option<Timestamp>,
    scope: Option<&'a str>,
    wid: Option<&'a str>,
    received_at: Timestamp,
    subject: Option<&'a str>,
}

impl SavedTokens<'_> {
    /// Whether every value fits its storage and is what `on_token_response` accepts: a
    /// non-empty, header-safe access token, a header-safe refresh token, an expiry not
    /// before receipt.
    fn is_valid(&self) -> bool {
        let header_safe = |token: &str| super::response::is_header_safe(token.as_bytes());
        let fits = |text: Option<&str>, max: usize| text.is_none_or(|text| text.len() <= max);
        !self.access_token.is_empty()
            && self.access_token.len() <= MAX_ACCESS_TOKEN
            && header_safe(self.access_token)
            && self
                .refresh_token
                .is_none_or(|token| token.len() <= MAX_REFRESH_TOKEN && header_safe(token))
            && fits(self.scope, MAX_SCOPE)
            && fits(self.wid, MAX_WORKFRONT_VALUE)
            && fits(self.subject, MAX_SUBJECT)
            && self
                .expires_at
                .is_none_or(|expires_at| expires_at >= self.received_at)
    }

    /// Writes the checked tokens into `out`, which is empty.
    fn write(&self, out: &mut Tokens) {
        // Each value was checked to fit (`is_valid`), so these pushes succeed.
        let _ = out.access_token.push_str(self.access_token);
        out.token_type = self.token_type;
        if let Some(refresh_token) = self.refresh_token {
            let _ = out.refresh_token.push_str(refresh_token);
        }
        out.expires_at = self.expires_at;
        put_text(&mut out.scope, self.scope);
        put_text(&mut out.wid, self.wid);
        put_text(&mut out.subject, self.subject);
        out.received_at = self.received_at;
    }
}

/// What a save holds once its seal and fingerprint are checked.
struct Unsealed<'a> {
    /// The stage and its fields.
    fields: &'a [u8],
}

/// Checks the header, the seal (before anything inside is read) and the fingerprint.
///
/// Under a key the tag is the only authority: past the version byte, whatever does not
/// verify — a changed length, a cut-off end, a changed seal byte — is
/// [`RestoreError::Tampered`].
fn unseal<'a>(
    config: &ClientConfig,
    saved: &'a [u8],
    key: Option<&SaveKey>,
) -> Result<Unsealed<'a>, RestoreError> {
    let mut reader = Reader {
        bytes: saved,
        pos: 0,
    };
    if reader.take(4).map_err(|_| RestoreError::NotASavedSession)? != MAGIC {
        return Err(RestoreError::NotASavedSession);
    }
    let version = reader.u8().map_err(|_| RestoreError::Truncated)?;
    if version != VERSION && version != VERSION_1 {
        return Err(RestoreError::UnsupportedVersion { found: version });
    }
    let sealed = check_seal(&mut reader, version, key).map_err(|error| match (error, key) {
        (RestoreError::Truncated | RestoreError::Corrupted, Some(_)) => RestoreError::Tampered,
        (error, _) => error,
    })?;
    let expected = if version == VERSION_1 {
        fingerprint_v1(config)
    } else {
        fingerprint(config)
    };
    if reader
        .take(FINGERPRINT_LEN)
        .map_err(|_| RestoreError::Truncated)?
        != expected
    {
        return Err(RestoreError::DifferentClient);
    }
    Ok(Unsealed {
        fields: sealed.get(reader.pos..).ok_or(RestoreError::Truncated)?,
    })
}

/// Reads the length and the seal kind, verifies the seal and returns the sealed bytes
/// (everything before the seal). `reader` stands after the version byte and is left at
/// the fingerprint.
fn check_seal<'a>(
    reader: &mut Reader<'a>,
    version: u8,
    key: Option<&SaveKey>,
) -> Result<&'a [u8], RestoreError> {
    let saved = reader.bytes;
    let total = reader.u32().map_err(|_| RestoreError::Truncated)?;
    let total = usize::try_from(total).map_err(|_| RestoreError::Corrupted)?;
    if saved.len() < total {
        return Err(RestoreError::Truncated);
    }
    let kind = if version == VERSION_1 {
        SealKind::Checksum
    } else {
        let byte = reader.u8().map_err(|_| RestoreError::Truncated)?;
        SealKind::from_byte(byte).ok_or(RestoreError::Corrupted)?
    };
    let fields_at = reader.pos.saturating_add(FINGERPRINT_LEN);
    if saved.len() > total || total < fields_at.saturating_add(1).saturating_add(kind.len()) {
        return Err(RestoreError::Corrupted);
    }
    let (sealed, seal) = saved.split_at(total.saturating_sub(kind.len()));
    let mut sealer = Sealer::new(if kind == SealKind::Keyed { key } else { None });
    if sealer.kind() != kind {
        // A keyed save and no key.
        return Err(RestoreError::Tampered);
    }
    sealer.update(sealed);
    if !sealer.verify(seal) {
        return Err(RestoreError::Corrupted);
    }
    if kind == SealKind::Checksum && key.is_some() {
        // Intact, but anyone who can write the saves could have written it.
        return Err(RestoreError::Tampered);
    }
    Ok(sealed)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// A field is missing or malformed.
struct Bad;

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], Bad> {
        let end = self.pos.checked_add(len).ok_or(Bad)?;
        let bytes = self.bytes.get(self.pos..end).ok_or(Bad)?;
        self.pos = end;
        Ok(bytes)
    }

    fn u8(&mut self) -> Result<u8, Bad> {
        self.take(1)?.first().copied().ok_or(Bad)
    }

    fn u32(&mut self) -> Result<u32, Bad> {
        let bytes: [u8; 4] = self.take(4)?.try_into().map_err(|_| Bad)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn u64(&mut self) -> Result<u64, Bad> {
        let bytes: [u8; 8] = self.take(8)?.try_into().map_err(|_| Bad)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn field(&mut self) -> Result<&'a [u8], Bad> {
        let len: [u8; 2] = self.take(2)?.try_into().map_err(|_| Bad)?;
        self.take(usize::from(u16::from_le_bytes(len)))
    }

    fn text(&mut self) -> Result<&'a str, Bad> {
        core::str::from_utf8(self.field()?).map_err(|_| Bad)
    }

    fn present(&mut self) -> Result<bool, Bad> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Bad),
        }
    }

    fn optional_text(&mut self) -> Result<Option<&'a str>, Bad> {
        if self.present()? {
            self.text().map(Some)
        } else {
            Ok(None)
        }
    }

    fn optional_u64(&mut self) -> Result<Option<u64>, Bad> {
        if self.present()? {
            self.u64().map(Some)
        } else {
            Ok(None)
        }
    }

    fn verifier(&mut self) -> Result<Verifier, Bad> {
        Verifier::parse_bytes(self.field()?).map_err(|_| Bad)
    }

    /// The nonce of stages 6 and 7: exactly what `Session::start` makes.
    fn nonce(&mut self, present: bool) -> Result<Option<&'a str>, Bad> {
        if !present {
            return Ok(None);
        }
        let nonce = self.text()?;
        if is_random_text(nonce, NONCE_LEN) {
            Ok(Some(nonce))
        } else {
            Err(Bad)
        }
    }

    fn routing(&mut self) -> Result<SavedRouting<'a>, Bad> {
        let fits = |text: Option<&str>| text.is_none_or(|text| text.len() <= MAX_WORKFRONT_VALUE);
        let domain = self.optional_text()?;
        let lane = self.optional_text()?;
        if fits(domain) && fits(lane) {
            Ok(SavedRouting { domain, lane })
        } else {
            Err(Bad)
        }
    }

    fn server_error(&mut self) -> Result<SavedError<'a>, Bad> {
        let code = self.text()?;
        let description = self.optional_text()?;
        let uri = self.optional_text()?;
        let status = self
            .optional_u64()?
            .map(|status| u16::try_from(status).map_err(|_| Bad))
            .transpose()?;
        Ok(SavedError {
            code,
            description,
            uri,
            status,
        })
    }
}

/// Whether `text` is `len` base64url characters, as the session's random values are.
fn is_random_text(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Pass one of a restore: reads the stage and checks every field, storing nothing.
fn read_state<'a>(reader: &mut Reader<'a>) -> Result<SavedState<'a>, Bad> {
    Ok(match reader.u8()? {
        stage @ (1 | 6) => {
            let verifier = reader.verifier()?;
            let state = reader.text()?;
            // Exactly what `Session::start` makes: STATE_LEN base64url characters.
            if !is_random_text(state, STATE_LEN) {
                return Err(Bad);
            }
            let started_at = Timestamp::from_unix_seconds(reader.u64()?);
            SavedState::AwaitingRedirect {
                verifier,
                state,
                started_at,
                nonce: reader.nonce(stage == 6)?,
            }
        }
        stage @ (2 | 7) => {
            let verifier = reader.verifier()?;
            let code = reader.text()?;
            // As `on_redirect` accepts it: non-empty VSCHARs.
            if code.is_empty()
                || code.len() > MAX_CODE
                || !code.bytes().all(|b| (0x20..=0x7e).contains(&b))
            {
                return Err(Bad);
            }
            let routing = reader.routing()?;
            SavedState::AwaitingToken {
                verifier,
                code,
                routing,
                nonce: reader.nonce(stage == 7)?,
            }
        }
        stage @ (3 | 5) => {
            let access_token = reader.text()?;
            let token_type = match reader.u8()? {
                0 => TokenType::Bearer,
                1 => TokenType::SessionId,
                _ => return Err(Bad),
            };
            let refresh_token = reader.optional_text()?.filter(|token| !token.is_empty());
            let expires_at = reader.optional_u64()?.map(Timestamp::from_unix_seconds);
            let scope = reader.optional_text()?;
            let wid = reader.optional_text()?;
            let received_at = Timestamp::from_unix_seconds(reader.u64()?);
            let routing = reader.routing()?;
            let subject = if stage == 5 {
                Some(reader.text()?)
            } else {
                None
            };
            let tokens = SavedTokens {
                access_token,
                token_type,
                refresh_token,
                expires_at,
                scope,
                wid,
                received_at,
                subject,
            };
            if !tokens.is_valid() {
                return Err(Bad);
            }
            SavedState::Authorized { tokens, routing }
        }
        4 => SavedState::Failed(match reader.u8()? {
            0 => SavedFailure::Denied(reader.server_error()?),
            1 => SavedFailure::Rejected(reader.server_error()?),
            2 => SavedFailure::SignInRequired(reader.server_error()?),
            3 => SavedFailure::SignedOut,
            _ => return Err(Bad),
        }),
        _ => return Err(Bad),
    })
}
