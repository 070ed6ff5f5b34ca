//! Result codes. Numbers are explicit and never reused.

/// The outcome of every fallible call. `AUTHCODE_RESULT_OK` is 0.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum authcode_result {
    /// Success.
    Ok = 0,
    /// A required pointer was NULL (or a string pointer was NULL with a non-zero length).
    NullPointer = 1,
    /// Text that must be UTF-8 is not.
    InvalidUtf8 = 2,
    /// The output buffer is too small; `*out_len` holds the size needed.
    BufferTooSmall = 3,
    /// The call is not valid in the object's current state.
    WrongState = 4,
    /// The random number generator failed.
    Randomness = 5,
    /// An argument is out of range (an unknown enum value, a length outside 43..=128, …).
    InvalidArgument = 6,
    /// The code verifier is malformed (RFC 7636 §4.1).
    InvalidVerifier = 10,
    /// The code challenge is malformed (not 43 base64url characters).
    InvalidChallenge = 11,
    /// The verifier does not match the challenge.
    VerifierMismatch = 12,
    /// The client configuration was refused; `authcode_client_config_last_error` says why.
    InvalidConfig = 20,
    /// The redirect was refused (state, iss, duplicates, …); the session is unchanged.
    RedirectRefused = 30,
    /// The token endpoint's response could not be read; the session is unchanged.
    ResponseUnreadable = 31,
    /// A refresh is already in flight.
    RefreshInFlight = 32,
    /// The server issued no refresh token.
    NoRefreshToken = 33,
    /// No revocation endpoint is configured.
    NoRevocationEndpoint = 34,
    /// Saved session bytes could not be restored.
    RestoreFailed = 35,
    /// An app registry operation was refused; `authcode_server_last_error` says why.
    AppRefused = 40,
    /// The authorization request must be refused to the user, not redirected (unknown
    /// client, unregistered redirect URI, invalid subject).
    AuthorizeRefused = 41,
    /// The access token is unknown, expired or revoked.
    InvalidToken = 42,
    /// The server configuration was refused.
    InvalidServerConfig = 43,
    /// The grant store could not be reached (shared stores; answer 503).
    StoreUnavailable = 44,
    /// Caller-provided storage is smaller than `_size()`.
    StorageTooSmall = 50,
    /// Caller-provided storage is not aligned to `_align()`.
    StorageMisaligned = 51,
    /// A panic was caught at the boundary (a bug in authcode; please report it).
    Panic = 99,
}

/// A static, NUL-terminated English description of the result code `result` (an
/// `authcode_result` value). Never NULL; never free it. Any number is accepted: unknown
/// ones get "unknown result code". (The parameter is a plain integer so that no
/// out-of-range value ever becomes a Rust enum.)
#[unsafe(no_mangle)]
pub extern "C" fn authcode_result_message(result: i32) -> *const core::ffi::c_char {
    let Some(result) = authcode_result::from_code(result) else {
        return c"unknown result code".as_ptr();
    };
    let message: &'static str = match result {
        authcode_result::Ok => "ok\0",
        authcode_result::NullPointer => "a required pointer was NULL\0",
        authcode_result::InvalidUtf8 => "text is not valid UTF-8\0",
        authcode_result::BufferTooSmall => {
            "the output buffer is too small; *out_len holds the size needed\0"
        }
        authcode_result::WrongState => "the call is not valid in the object's current state\0",
        authcode_result::Randomness => "the random number generator failed\0",
        authcode_result::InvalidArgument => "an argument is out of range\0",
        authcode_result::InvalidVerifier => {
            "the code verifier is malformed (RFC 7636 section 4.1)\0"
        }
        authcode_result::InvalidChallenge => "the code challenge is not 43 base64url characters\0",
        authcode_result::VerifierMismatch => "the code verifier does not match the challenge\0",
        authcode_result::InvalidConfig => "the client configuration was refused\0",
        authcode_result::RedirectRefused => "the redirect was refused; the session is unchanged\0",
        authcode_result::ResponseUnreadable => "the token endpoint response could not be read\0",
        authcode_result::RefreshInFlight => "a refresh is already in flight\0",
        authcode_result::NoRefreshToken => "the server issued no refresh token\0",
        authcode_result::NoRevocationEndpoint => "no revocation endpoint is configured\0",
        authcode_result::RestoreFailed => "the saved session could not be restored\0",
        authcode_result::AppRefused => "the app registry refused the operation\0",
        authcode_result::AuthorizeRefused => {
            "the authorization request must be refused to the user\0"
        }
        authcode_result::InvalidToken => "the access token is unknown, expired or revoked\0",
        authcode_result::InvalidServerConfig => "the server configuration was refused\0",
        authcode_result::StoreUnavailable => "the grant store is unavailable\0",
        authcode_result::StorageTooSmall => "the caller-provided storage is too small\0",
        authcode_result::StorageMisaligned => "the caller-provided storage is misaligned\0",
        authcode_result::Panic => "internal error: a panic was caught (please report it)\0",
    };
    message.as_ptr().cast()
}

impl authcode_result {
    /// Every result code, for mapping numbers back.
    const ALL: [Self; 25] = [
        Self::Ok,
        Self::NullPointer,
        Self::InvalidUtf8,
        Self::BufferTooSmall,
        Self::WrongState,
        Self::Randomness,
        Self::InvalidArgument,
        Self::InvalidVerifier,
        Self::InvalidChallenge,
        Self::VerifierMismatch,
        Self::InvalidConfig,
        Self::RedirectRefused,
        Self::ResponseUnreadable,
        Self::RefreshInFlight,
        Self::NoRefreshToken,
        Self::NoRevocationEndpoint,
        Self::RestoreFailed,
        Self::AppRefused,
        Self::AuthorizeRefused,
        Self::InvalidToken,
        Self::InvalidServerConfig,
        Self::StoreUnavailable,
        Self::StorageTooSmall,
        Self::StorageMisaligned,
        Self::Panic,
    ];

    /// The result with number `code`, if there is one.
    #[must_use]
    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|result| *result as i32 == code)
    }
}

/// `Ok(())` or the code, for `?` inside the implementation.
pub(crate) type FfiResult = Result<(), authcode_result>;

impl From<authcode::server::StoreError> for authcode_result {
    fn from(_: authcode::server::StoreError) -> Self {
        Self::StoreUnavailable
    }
}

impl From<authcode::BufferTooSmall> for authcode_result {
    fn from(_: authcode::BufferTooSmall) -> Self {
        Self::BufferTooSmall
    }
}
