//! Saving a session to bytes and restoring it, so a login survives the app being killed
//! between opening the browser and receiving the redirect — the verifier and state are
//! not lost — and an authorized session survives a restart.
//!
//! **The saved bytes hold secrets** (the PKCE verifier, the code, the access and refresh
//! tokens). Store them where the platform keeps secrets: the iOS Keychain, Android's
//! Keystore-backed encrypted storage, a file only the user can read. The checksum detects
//! corruption and truncation; it is not a MAC and does not stop deliberate tampering.
//!
//! Format, version 1 (integers little-endian):
//!
//! ```text
//! "ACSS" | version: u8 = 1 | total length: u32 | client fingerprint: 16 bytes
//!        | stage: u8 | stage fields … | checksum: first 16 bytes of SHA-256(all before)
//! ```
//!
//! Fields are `u16` length + bytes; optional fields a `0`/`1` byte first; times `u64`.
//! The client fingerprint (SHA-256 of `client_id`, redirect URI and token endpoint) makes
//! restoring under a different client configuration an error. The configuration itself
//! is not saved: the app builds it as it did at start.

use core::cell::Cell;
use core::fmt;

use heapless::String;
use sha2::{Digest, Sha256};

use super::config::ClientConfig;
use super::error::ClientError;
use super::limits::MAX_CODE;
use super::response::{ServerError, TokenType, Tokens};
use super::session::{
    Authorized, CodeReceived, Failure, PendingLogin, STATE_LEN, Session, State, WorkfrontRouting,
};
use crate::Secret;
use crate::pkce::Verifier;
use crate::time::Timestamp;
use crate::wire::Writer;

const MAGIC: &[u8; 4] = b"ACSS";
const VERSION: u8 = 1;
const HEADER_LEN: usize = 4 + 1 + 4 + 16;
const CHECKSUM_LEN: usize = 16;

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
    /// Saved by a different client (client_id, redirect URI or token endpoint differ).
    DifferentClient,
    /// The checksum matches but a field is invalid.
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
            Self::DifferentClient => {
                f.write_str("the saved session belongs to a different client configuration")
            }
            Self::Invalid => f.write_str("the saved session holds an invalid field"),
        }
    }
}

impl core::error::Error for RestoreError {}

fn fingerprint(config: &ClientConfig) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(config.client_id())
        .chain_update([0])
        .chain_update(config.redirect_uri())
        .chain_update([0])
        .chain_update(config.token_endpoint())
        .finalize();
    digest.first_chunk::<16>().copied().unwrap_or([0; 16])
}

/// Writes fields while hashing them.
struct Encoder<'w, 'buf> {
    out: &'w mut Writer<'buf>,
    hasher: Sha256,
}

impl Encoder<'_, '_> {
    fn bytes_raw(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
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

fn encode(session: &Session, total_len: u32, out: &mut Writer<'_>) {
    let mut encoder = Encoder {
        out,
        hasher: Sha256::new(),
    };
    encoder.bytes_raw(MAGIC);
    encoder.u8(VERSION);
    encoder.bytes_raw(&total_len.to_le_bytes());
    encoder.bytes_raw(&fingerprint(&session.config));
    match &session.state {
        State::AwaitingRedirect(pending) => {
            encoder.u8(1);
            encoder.field(pending.verifier.as_bytes());
            encoder.field(pending.state.as_bytes());
            encoder.u64(pending.started_at.unix_seconds());
        }
        State::AwaitingToken(received) => {
            encoder.u8(2);
            encoder.field(received.verifier.as_bytes());
            encoder.field(received.code.as_bytes());
            encoder.routing(&received.workfront);
        }
        State::Authorized(authorized) => {
            let tokens = &session.tokens;
            encoder.u8(3);
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
    let checksum = encoder.hasher.finalize();
    encoder
        .out
        .push_bytes(checksum.get(..CHECKSUM_LEN).unwrap_or_default());
}

impl Session {
    /// Saves the session into `buf` ([`MAX_SAVED_LEN`] bytes always suffice) and returns
    /// the bytes written. **The bytes hold secrets** (verifier, code, tokens): store them
    /// where the platform keeps secrets — the iOS Keychain, Android's Keystore-backed
    /// storage. The format is versioned and checksummed (not a MAC).
    ///
    /// A refresh in flight is not saved: a restored session is not refreshing.
    ///
    /// # Errors
    ///
    /// [`ClientError::BufferTooSmall`] with the size needed.
    pub fn save<'buf>(&self, buf: &'buf mut [u8]) -> Result<&'buf [u8], ClientError> {
        let mut counter = Writer::new(&mut []);
        encode(self, 0, &mut counter);
        let total = counter.needed();
        let total_len = u32::try_from(total).unwrap_or(u32::MAX);
        let mut out = Writer::new(buf);
        encode(self, total_len, &mut out);
        Ok(out.finish_bytes()?)
    }

    /// Restores a session saved by [`Session::save`], under the same client
    /// configuration.
    ///
    /// # Errors
    ///
    /// [`RestoreError`]: not a saved session, unsupported version, truncated, corrupted,
    /// saved by a different client, or an invalid field.
    pub fn restore(config: ClientConfig, saved: &[u8]) -> Result<Self, RestoreError> {
        let mut reader = Reader {
            bytes: saved,
            pos: 0,
        };
        if reader.take(4).map_err(|_| RestoreError::NotASavedSession)? != MAGIC {
            return Err(RestoreError::NotASavedSession);
        }
        let version = reader.u8().map_err(|_| RestoreError::Truncated)?;
        if version != VERSION {
            return Err(RestoreError::UnsupportedVersion { found: version });
        }
        let total = reader.u32().map_err(|_| RestoreError::Truncated)?;
        let total = usize::try_from(total).map_err(|_| RestoreError::Corrupted)?;
        if saved.len() < total {
            return Err(RestoreError::Truncated);
        }
        if saved.len() > total || total < HEADER_LEN.saturating_add(1).saturating_add(CHECKSUM_LEN)
        {
            return Err(RestoreError::Corrupted);
        }
        let (content, checksum) = saved.split_at(total.saturating_sub(CHECKSUM_LEN));
        let computed = Sha256::digest(content);
        if computed.get(..CHECKSUM_LEN) != Some(checksum) {
            return Err(RestoreError::Corrupted);
        }
        if reader.take(16).map_err(|_| RestoreError::Truncated)? != fingerprint(&config) {
            return Err(RestoreError::DifferentClient);
        }
        let mut reader = Reader {
            bytes: content,
            pos: reader.pos,
        };
        let mut tokens = Tokens::empty();
        let state = read_state(&mut reader, &mut tokens).map_err(|_| RestoreError::Invalid)?;
        if reader.pos != content.len() {
            return Err(RestoreError::Invalid);
        }
        Ok(Self {
            config,
            state,
            tokens,
        })
    }
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

    fn string<const N: usize>(&mut self) -> Result<Option<String<N>>, Bad> {
        self.optional_text()?
            .map(|text| String::try_from(text).map_err(|_| Bad))
            .transpose()
    }

    fn secret<const N: usize>(&mut self) -> Result<Secret<N>, Bad> {
        Secret::copy_from(self.text()?).map_err(|_| Bad)
    }

    fn verifier(&mut self) -> Result<Verifier, Bad> {
        Verifier::parse_bytes(self.field()?).map_err(|_| Bad)
    }

    fn routing(&mut self) -> Result<WorkfrontRouting, Bad> {
        Ok(WorkfrontRouting {
            domain: self.string()?,
            lane: self.string()?,
        })
    }

    fn server_error(&mut self) -> Result<ServerError, Bad> {
        let code = self.text()?;
        let description = self.optional_text()?;
        let uri = self.optional_text()?;
        let status = self
            .optional_u64()?
            .map(|status| u16::try_from(status).map_err(|_| Bad))
            .transpose()?;
        Ok(ServerError::new(code, description, uri, status))
    }
}

fn read_state(reader: &mut Reader<'_>, tokens: &mut Tokens) -> Result<State, Bad> {
    Ok(match reader.u8()? {
        1 => {
            let verifier = reader.verifier()?;
            let state = reader.secret::<STATE_LEN>()?;
            // Exactly what `Session::start` makes: STATE_LEN base64url characters.
            let full_state = state.as_bytes().len() == STATE_LEN
                && state
                    .as_bytes()
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !full_state {
                return Err(Bad);
            }
            let started_at = Timestamp::from_unix_seconds(reader.u64()?);
            State::AwaitingRedirect(PendingLogin {
                verifier,
                state,
                started_at,
            })
        }
        2 => {
            let verifier = reader.verifier()?;
            let code: Secret<MAX_CODE> = reader.secret()?;
            // As `on_redirect` accepts it: non-empty VSCHARs.
            if code.is_empty() || !code.as_bytes().iter().all(|&b| (0x20..=0x7e).contains(&b)) {
                return Err(Bad);
            }
            State::AwaitingToken(CodeReceived {
                verifier,
                code,
                workfront: reader.routing()?,
            })
        }
        3 => {
            tokens.access_token = reader.secret()?;
            tokens.token_type = match reader.u8()? {
                0 => TokenType::Bearer,
                1 => TokenType::SessionId,
                _ => return Err(Bad),
            };
            if reader.present()? {
                tokens.refresh_token = reader.secret()?;
            }
            tokens.expires_at = reader.optional_u64()?.map(Timestamp::from_unix_seconds);
            tokens.scope = reader.string()?;
            tokens.wid = reader.string()?;
            tokens.received_at = Timestamp::from_unix_seconds(reader.u64()?);
            // As `on_token_response` accepts them: a non-empty, header-safe access token, a
            // header-safe refresh token, an expiry not before receipt.
            let header_safe = |token: &[u8]| super::response::is_header_safe(token);
            if tokens.access_token.is_empty()
                || !header_safe(tokens.access_token.as_bytes())
                || !header_safe(tokens.refresh_token.as_bytes())
                || tokens
                    .expires_at
                    .is_some_and(|expires_at| expires_at < tokens.received_at)
            {
                return Err(Bad);
            }
            State::Authorized(Authorized {
                refreshing: Cell::new(false),
                workfront: reader.routing()?,
            })
        }
        4 => State::Failed(match reader.u8()? {
            0 => Failure::Denied(reader.server_error()?),
            1 => Failure::Rejected(reader.server_error()?),
            2 => Failure::SignInRequired(reader.server_error()?),
            3 => Failure::SignedOut,
            _ => return Err(Bad),
        }),
        _ => return Err(Bad),
    })
}
