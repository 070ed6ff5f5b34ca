//! The authorization endpoint (RFC 6749 §4.1.1–4.1.2, RFC 7636 §4.3, RFC 9207).

use core::fmt;
use core::fmt::Write as _;

use heapless::String;
use rand_core::TryCryptoRng;

use super::endpoint::store_refusal;
use super::entries::CodeEntry;
use super::limits::{
    MAX_CLIENT_ID, MAX_NONCE, MAX_REDIRECT_URI, MAX_SCOPE, MAX_STATE, MAX_SUBJECT,
};
use super::registry::{AppId, random_token};
use super::scope;
use super::server::Server;
use super::store::GrantStore;
use super::tokens::digest;
use crate::BufferTooSmall;
use crate::oauth::ErrorCode;
use crate::pkce::{Challenge, Method, MethodError};
use crate::profile::Profile;
use crate::wire::Writer;
use crate::wire::named;
use crate::wire::query::{decode_into, encode};

/// An authorization request that cannot be answered with a redirect, because the client or
/// the redirect URI cannot be trusted (RFC 6749 §4.1.2.1): the host shows this to the user
/// instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthorizeError {
    /// `client_id` is missing, repeated or malformed.
    MissingClientId,
    /// No app has this `client_id`.
    UnknownClient,
    /// `redirect_uri` is missing (and the app has more than one), repeated, or not
    /// registered for the app.
    InvalidRedirectUri,
    /// The host passed an empty subject, or one longer than [`MAX_SUBJECT`] bytes.
    InvalidSubject,
    /// The caller's buffer is too small for the redirect URL.
    BufferTooSmall(BufferTooSmall),
}

impl fmt::Display for AuthorizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingClientId => f.write_str("the request has no valid client_id"),
            Self::UnknownClient => f.write_str("unknown client"),
            Self::InvalidRedirectUri => {
                f.write_str("the redirect_uri is missing or not registered for this app")
            }
            Self::InvalidSubject => write!(f, "the subject must be 1 to {MAX_SUBJECT} bytes"),
            Self::BufferTooSmall(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl core::error::Error for AuthorizeError {}

/// A redirect back to the client: with a code, or with an error the client will see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorizeRedirect<'buf> {
    /// The URL for the `Location` header (HTTP 302/303).
    pub location: &'buf str,
    /// `None` when the redirect carries a code; otherwise the error it carries.
    pub error: Option<ErrorCode>,
}

/// A valid authorization request, for the host's sign-in and consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeInfo {
    /// The app's client id.
    pub client_id: String<MAX_CLIENT_ID>,
    /// The app's display name.
    pub app_name: String<64>,
    /// The requested scope (empty when none).
    pub scope: String<MAX_SCOPE>,
}

/// As long as a real code ([`super::limits::TOKEN_LEN`] characters), to size the redirect.
const CODE_PLACEHOLDER: &str = "0000000000000000000000000000000000000000000";

/// A request parsed far enough to know where to redirect.
struct Parsed {
    app: AppId,
    redirect_uri: String<MAX_REDIRECT_URI>,
    redirect_uri_given: bool,
    state: Option<String<MAX_STATE>>,
    problem: Option<(ErrorCode, &'static str)>,
    challenge: Option<Challenge>,
    scope: String<MAX_SCOPE>,
    nonce: Option<String<MAX_NONCE>>,
}

/// The parameters of an authorization request, in the order they are read.
const NAMES: [&str; 8] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "nonce",
];
const CLIENT_ID: usize = 0;
const REDIRECT_URI: usize = 1;
const STATE: usize = 3;

fn decode_text<const N: usize>(raw: &[u8]) -> Option<String<N>> {
    let mut buf = [0u8; 512];
    let text = decode_into(raw, &mut buf).ok()?;
    String::try_from(text).ok()
}

impl<St: GrantStore, const APPS: usize> Server<St, APPS> {
    fn parse_authorize(&self, query_bytes: &[u8]) -> Result<Parsed, AuthorizeError> {
        let query_bytes = query_bytes.strip_prefix(b"?").unwrap_or(query_bytes);
        let read = named::read_query(query_bytes, &NAMES);
        let repeated = match &read {
            Ok(params) => params.repeated.map(|repeated| repeated.known),
            Err(_) => Some(None),
        };
        let [
            raw_client,
            raw_redirect,
            response_type,
            state,
            scope,
            code_challenge,
            code_challenge_method,
            nonce,
        ] = read.map_or([None; 8], |params| params.values);
        // 1. The client and the redirect URI: errors here are shown to the user, never
        //    redirected (RFC 6749 §4.1.2.1).
        if repeated == Some(Some(CLIENT_ID)) {
            return Err(AuthorizeError::MissingClientId);
        }
        let client_id: String<MAX_CLIENT_ID> = raw_client
            .and_then(decode_text)
            .filter(|id: &String<MAX_CLIENT_ID>| !id.is_empty())
            .ok_or(AuthorizeError::MissingClientId)?;
        let (app_id, app) = self
            .registry
            .lookup(&client_id)
            .ok_or(AuthorizeError::UnknownClient)?;
        if repeated == Some(Some(REDIRECT_URI)) {
            return Err(AuthorizeError::InvalidRedirectUri);
        }
        let (redirect_uri, redirect_uri_given) = match raw_redirect {
            Some(raw) => {
                let uri: String<MAX_REDIRECT_URI> =
                    decode_text(raw).ok_or(AuthorizeError::InvalidRedirectUri)?;
                if !app.matches_redirect_uri(&uri) {
                    return Err(AuthorizeError::InvalidRedirectUri);
                }
                (uri, true)
            }
            // RFC 6749 §3.1.2.3: optional when exactly one is registered.
            None => {
                let mut registered = app.redirect_uris();
                match (registered.next(), registered.next()) {
                    (Some(only), None) => (
                        String::try_from(only).map_err(|_| AuthorizeError::InvalidRedirectUri)?,
                        false,
                    ),
                    _ => return Err(AuthorizeError::InvalidRedirectUri),
                }
            }
        };

        // 2. From here on, problems go back to the client on the redirect.
        let mut parsed = Parsed {
            app: app_id,
            redirect_uri,
            redirect_uri_given,
            state: None,
            problem: None,
            challenge: None,
            scope: String::new(),
            nonce: None,
        };
        let invalid = |description| Some((ErrorCode::InvalidRequest, description));
        parsed.state = match state.filter(|_| repeated != Some(Some(STATE))) {
            Some(raw) => match decode_text(raw) {
                Some(state) => Some(state),
                None => {
                    parsed.problem = invalid("state is too long or not UTF-8");
                    return Ok(parsed);
                }
            },
            None => None,
        };
        if repeated.is_some() {
            parsed.problem = invalid("a parameter is repeated");
            return Ok(parsed);
        }
        parsed.problem = match response_type {
            Some(b"code") => None,
            Some(_) => Some((
                ErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            )),
            _ => invalid("response_type is required"),
        };
        if parsed.problem.is_some() {
            return Ok(parsed);
        }
        if app.kind() == super::app::AppKind::MachineToMachine {
            parsed.problem = Some((
                ErrorCode::UnauthorizedClient,
                "machine-to-machine apps cannot use the code grant",
            ));
            return Ok(parsed);
        }

        // PKCE (RFC 7636 §4.3, RFC 9700 §2.1.1).
        parsed.problem = match (code_challenge, code_challenge_method) {
            (None, None) if app.requires_pkce() => {
                invalid("code_challenge and code_challenge_method=S256 are required")
            }
            (None, None) => None,
            (Some(_), None) => invalid("code_challenge_method is required (S256)"),
            (None, Some(_)) => invalid("code_challenge_method without code_challenge"),
            (Some(challenge), Some(method)) => {
                let method = core::str::from_utf8(method)
                    .map_err(|_| MethodError::Unsupported)
                    .and_then(Method::parse);
                match method {
                    Err(MethodError::PlainRefused) => {
                        invalid("code_challenge_method plain is not allowed; use S256")
                    }
                    Err(MethodError::Unsupported) => {
                        invalid("unsupported code_challenge_method; use S256")
                    }
                    Ok(Method::S256) => match Challenge::parse_bytes(challenge) {
                        Ok(challenge) => {
                            parsed.challenge = Some(challenge);
                            None
                        }
                        Err(_) => invalid("code_challenge is not a valid S256 challenge"),
                    },
                }
            }
        };
        if parsed.problem.is_some() {
            return Ok(parsed);
        }

        let scope_text: Option<String<MAX_SCOPE>> = match scope {
            Some(raw) => decode_text::<MAX_SCOPE>(raw)
                .and_then(|text| scope::normalized(self.config.profile, &text)),
            None => Some(String::new()),
        };
        // OpenID Connect's nonce, carried into the ID token: printable ASCII, bounded.
        if let Some(raw) = nonce {
            match decode_text::<MAX_NONCE>(raw) {
                Some(text)
                    if !text.is_empty() && text.bytes().all(|b| (0x20..=0x7e).contains(&b)) =>
                {
                    parsed.nonce = Some(text);
                }
                _ => {
                    parsed.problem = invalid("nonce is empty, too long or not printable ASCII");
                    return Ok(parsed);
                }
            }
        }
        match scope_text.filter(|text| scope::is_valid(text)) {
            Some(text) => parsed.scope = text,
            None => {
                parsed.problem = Some((
                    ErrorCode::InvalidScope,
                    "the scope is malformed or too long",
                ))
            }
        }
        Ok(parsed)
    }

    /// Checks an authorization request before the host signs the user in and asks for
    /// consent: which app asks, for what scope.
    ///
    /// # Errors
    ///
    /// The [`AuthorizeError`]s that must be shown to the user rather than redirected. A
    /// request with other problems is still `Ok`: [`Server::authorize`] will redirect the
    /// error back to the client.
    pub fn authorize_info(&self, query_bytes: &[u8]) -> Result<AuthorizeInfo, AuthorizeError> {
        let parsed = self.parse_authorize(query_bytes)?;
        let app = self
            .registry
            .by_id(parsed.app)
            .ok_or(AuthorizeError::UnknownClient)?;
        Ok(AuthorizeInfo {
            client_id: String::try_from(app.client_id())
                .map_err(|_| AuthorizeError::UnknownClient)?,
            app_name: String::try_from(app.name()).map_err(|_| AuthorizeError::UnknownClient)?,
            scope: parsed.scope,
        })
    }

    /// Answers an authorization request for `subject`, whom the host has signed in and who
    /// consented: a redirect with a fresh code (256 bits; the table keeps its digest, bound
    /// to client, redirect URI, challenge, subject and scope, valid for the configured
    /// code lifetime), `state`, `iss` when an issuer is configured, and Workfront's
    /// `domain` and `lane` in that profile — or a redirect with the error the request
    /// deserves (`invalid_request`, `unsupported_response_type`, `unauthorized_client`,
    /// `invalid_scope`, `temporarily_unavailable` when the app holds its quota of pending
    /// codes, the subject holds too many for other apps, or the code table is full;
    /// `server_error` when the RNG fails). A subject at its cap of pending codes who asks
    /// again for the same app has that pair's oldest pending code replaced.
    ///
    /// # Errors
    ///
    /// [`AuthorizeError`] when the client or redirect URI cannot be trusted, the subject is
    /// invalid, or `buf` is too small (with the size needed; no code is issued then).
    pub fn authorize<'buf, R: TryCryptoRng + ?Sized>(
        &mut self,
        query_bytes: &[u8],
        subject: &str,
        now: crate::Timestamp,
        rng: &mut R,
        buf: &'buf mut [u8],
    ) -> Result<AuthorizeRedirect<'buf>, AuthorizeError> {
        if subject.is_empty() || subject.len() > MAX_SUBJECT {
            return Err(AuthorizeError::InvalidSubject);
        }
        let parsed = self.parse_authorize(query_bytes)?;
        if let Some((code, description)) = parsed.problem {
            return self.error_redirect(&parsed, code, description, buf);
        }
        // Size the answer before issuing anything, so a short buffer never burns a code.
        let needed = self
            .code_redirect(&parsed, CODE_PLACEHOLDER, &mut Writer::new(&mut []))
            .needed();
        if buf.len() < needed {
            return Err(AuthorizeError::BufferTooSmall(BufferTooSmall { needed }));
        }
        let Ok(code) = random_token(rng) else {
            return self.error_redirect(
                &parsed,
                ErrorCode::ServerError,
                "randomness unavailable",
                buf,
            );
        };
        let entry = CodeEntry {
            digest: digest(code.as_bytes()),
            app: parsed.app,
            redirect_uri_digest: parsed
                .redirect_uri_given
                .then(|| digest(parsed.redirect_uri.as_bytes())),
            challenge: parsed.challenge,
            subject: String::try_from(subject).map_err(|_| AuthorizeError::InvalidSubject)?,
            scope: String::try_from(parsed.scope.as_str())
                .map_err(|_| AuthorizeError::InvalidSubject)?,
            expires_at: now.plus(self.config.code_lifetime),
            nonce: parsed
                .nonce
                .as_deref()
                .and_then(|nonce| String::try_from(nonce).ok()),
        };
        let limits = self.limits();
        if let Err(error) = self.store.insert_code(&entry, &limits, now) {
            let refusal = store_refusal(error);
            return self.error_redirect(&parsed, refusal.code, refusal.description, buf);
        }
        let mut out = Writer::new(buf);
        self.code_redirect(&parsed, code.as_str(), &mut out);
        let location = out.finish().map_err(AuthorizeError::BufferTooSmall)?;
        Ok(AuthorizeRedirect {
            location,
            error: None,
        })
    }

    /// Answers an authorization request the user declined: a redirect with
    /// `error=access_denied` (or the request's own error, if it had one).
    ///
    /// # Errors
    ///
    /// As [`Server::authorize`].
    pub fn deny<'buf>(
        &self,
        query_bytes: &[u8],
        buf: &'buf mut [u8],
    ) -> Result<AuthorizeRedirect<'buf>, AuthorizeError> {
        let parsed = self.parse_authorize(query_bytes)?;
        let (code, description) = parsed
            .problem
            .unwrap_or((ErrorCode::AccessDenied, "the user denied the request"));
        self.error_redirect(&parsed, code, description, buf)
    }

    fn redirect_start<'w, 'b>(
        &self,
        parsed: &Parsed,
        out: &'w mut Writer<'b>,
    ) -> &'w mut Writer<'b> {
        out.push(&parsed.redirect_uri);
        out.push(if parsed.redirect_uri.contains(|c: char| c == '?') {
            "&"
        } else {
            "?"
        });
        out
    }

    fn redirect_end(&self, parsed: &Parsed, out: &mut Writer<'_>) {
        if let Some(state) = &parsed.state {
            let _ = write!(out, "&state={}", encode(state));
        }
        if let Some(issuer) = self.config.issuer() {
            let _ = write!(out, "&iss={}", encode(issuer));
        }
    }

    fn code_redirect<'w, 'b>(
        &self,
        parsed: &Parsed,
        code: &str,
        out: &'w mut Writer<'b>,
    ) -> &'w mut Writer<'b> {
        let out = self.redirect_start(parsed, out);
        let _ = write!(out, "code={}", encode(code));
        self.redirect_end(parsed, out);
        if let (Profile::Workfront, Some(identity)) = (self.config.profile, &self.config.workfront)
        {
            let _ = write!(
                out,
                "&domain={}&lane={}",
                encode(&identity.domain),
                encode(&identity.lane)
            );
        }
        out
    }

    fn error_redirect<'buf>(
        &self,
        parsed: &Parsed,
        code: ErrorCode,
        description: &str,
        buf: &'buf mut [u8],
    ) -> Result<AuthorizeRedirect<'buf>, AuthorizeError> {
        let mut out = Writer::new(buf);
        let writer = self.redirect_start(parsed, &mut out);
        let _ = write!(
            writer,
            "error={}&error_description={}",
            code.as_str(),
            encode(description)
        );
        self.redirect_end(parsed, writer);
        let location = out.finish().map_err(AuthorizeError::BufferTooSmall)?;
        Ok(AuthorizeRedirect {
            location,
            error: Some(code),
        })
    }
}
