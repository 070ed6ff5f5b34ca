//! `authcode` — the command-line face of the authcode engine.
//!
//! Exit codes (also in `authcode --help`):
//!
//! | code | meaning |
//! | ---- | ------- |
//! | 0 | success; for `verify`, the verifier matches the challenge |
//! | 1 | `verify`: both inputs are well-formed but do not match |
//! | 2 | usage error, or an input is malformed (the message says which and why) |
//! | 3 | the system failed us: standard input unreadable, OS randomness unavailable |

#![allow(clippy::std_instead_of_core)] // a std program

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use authcode::client::TokenKind;
use authcode::profile::{BodyFormat, Profile};
use authcode_cli::login::{ClientOptions, LoginOptions};
use authcode_cli::serve::{HttpLimits, ServeOptions};
use authcode_cli::{demo, login, pkce, serve};
use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (for verify: the verifier matches the challenge)
  1  verify: the inputs are well-formed but do not match
  2  usage error or malformed input (the message says which input and why)
  3  system error: standard input unreadable, OS randomness unavailable";

/// OAuth 2.0 authorization code + PKCE tools (RFC 7636, S256).
#[derive(Debug, Parser)]
#[command(name = "authcode", version, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a PKCE code verifier and its S256 challenge, as JSON, from OS randomness.
    ///
    /// Prints {"code_verifier":"…","code_challenge":"…","code_challenge_method":"S256"}.
    Pkce(pkce::PkceArgs),
    /// Print the S256 code challenge of a code verifier.
    Challenge(pkce::ChallengeArgs),
    /// Check that a code verifier matches an S256 code challenge (exit 0 on a match).
    Verify(pkce::VerifyArgs),
    /// Run a local Workfront-style authorization server (HTML sign-in, token endpoint,
    /// revocation, a sample API, RFC 8414 metadata, an admin API).
    Serve(ServeArgs),
    /// Sign in through the browser (RFC 8252 loopback redirect) and print the tokens.
    Login(LoginArgs),
    /// Refresh a session saved by `login --save`.
    Refresh(RefreshArgs),
    /// Revoke a saved session's tokens at the server (RFC 7009) and sign it out.
    Revoke(RevokeArgs),
    /// Get a token with the client credentials grant, or a user's token from a signed JWT
    /// (Workfront's machine-to-machine JWT flow, RFC 7523), and print it as JSON.
    Token(TokenArgs),
    /// Make a key pair and self-signed certificate for a machine-to-machine app
    /// (what Workfront's "Add a public key" takes).
    Keygen(KeygenArgs),
    /// Start a server in-process and log in against it headlessly, printing every step.
    Demo,
}

/// A dialect of OAuth 2.0, as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ProfileArg {
    /// Adobe Workfront's legacy OAuth2 service (stops 2027-02-01): `sessionID` tokens,
    /// JSON token bodies, `/integrations/oauth2/…` paths.
    Workfront,
    /// Adobe IMS (Adobe Developer Console), Workfront's successor: `/ims/…` paths,
    /// lower-case `bearer`, an OpenID configuration at `/ims/.well-known/openid-configuration`.
    AdobeIms,
    /// RFC 6749 as written: `Bearer` tokens, form bodies.
    Rfc,
}

impl From<ProfileArg> for Profile {
    fn from(profile: ProfileArg) -> Self {
        match profile {
            ProfileArg::Workfront => Self::Workfront,
            ProfileArg::AdobeIms => Self::AdobeIms,
            ProfileArg::Rfc => Self::Rfc,
        }
    }
}

/// Arguments of `authcode serve`.
#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Bearer token for the admin API; a random one is printed when omitted.
    #[arg(long, value_name = "TOKEN")]
    admin_token: Option<String>,
    /// Skip the sign-in page: sign in as SUBJECT and approve at once (scripted use).
    #[arg(long, value_name = "SUBJECT")]
    auto_approve: Option<String>,
    /// Register the apps of this TOML file at start (see README).
    #[arg(long, value_name = "FILE")]
    apps: Option<PathBuf>,
    /// The provider to stand in for: its paths, token responses and metadata.
    #[arg(long, value_enum, default_value_t = ProfileArg::Workfront)]
    profile: ProfileArg,
    /// Same as `--profile rfc` (kept for existing scripts).
    #[arg(long, conflicts_with = "profile")]
    rfc: bool,
    /// Code table slots (in-memory tables): pending codes. A code leaves its slot when it
    /// is redeemed or expires, so this bounds logins started but not yet finished.
    #[arg(long, value_name = "SLOTS", default_value_t = 65_536, value_parser = clap::value_parser!(u32).range(8..=16_777_216))]
    codes: u32,
    /// Grant slots (each grant holds its tokens) of the in-memory tables. A grant keeps its
    /// slot until its refresh tokens expire: size for logins per second × refresh lifetime.
    #[arg(long, value_name = "SLOTS", default_value_t = 65_536, value_parser = clap::value_parser!(u32).range(8..=16_777_216))]
    grants: u32,
    /// Seconds a request's header may take to arrive.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Seconds a request's body may take to arrive.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_timeout: u64,
    /// Seconds an idle keep-alive connection stays open.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_timeout: u64,
    /// Connections open at once; more wait in the backlog.
    #[arg(long, value_name = "COUNT", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,
    /// Keep codes, grants and apps in Redis (redis://HOST:PORT/DB), shared by every node
    /// started with the same URL and prefix; without it they live in this process.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Prefix of every Redis key.
    #[arg(
        long,
        value_name = "PREFIX",
        default_value = "authcode",
        requires = "store"
    )]
    store_prefix: String,
    /// Connections to Redis: requests served at once.
    #[arg(long, value_name = "COUNT", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1024), requires = "store")]
    store_connections: u32,
    /// Milliseconds one Redis round trip may take before a request is answered 503.
    #[arg(long, value_name = "MS", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=60_000), requires = "store")]
    store_timeout: u64,
    /// The algorithm of the OpenID Connect ID token key generated at start (rfc and
    /// adobe-ims profiles).
    #[arg(long, value_enum, default_value = "rs256")]
    id_token_alg: IdTokenAlgArg,
    /// Sign ID tokens with this PKCS#8 PEM private key (RSA or P-256) instead.
    #[arg(long, value_name = "FILE")]
    id_token_key: Option<PathBuf>,
}

/// An ID token signing algorithm, as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum IdTokenAlgArg {
    /// RS256 (RSA-2048), what OpenID relying parties expect by default.
    Rs256,
    /// ES256 (P-256).
    Es256,
}

/// Which authorization server and client.
#[derive(Debug, Args)]
struct ClientArgs {
    /// A running `authcode serve`, e.g. http://127.0.0.1:8787 (paths per --profile).
    #[arg(long, value_name = "URL", conflicts_with_all = ["workfront_domain", "issuer", "authorize_url", "token_url"])]
    server: Option<String>,
    /// A Workfront organisation, e.g. acme.my.workfront.com (the legacy service).
    #[arg(long, value_name = "DOMAIN", conflicts_with_all = ["issuer", "authorize_url", "token_url"])]
    workfront_domain: Option<String>,
    /// Any provider by discovery: the issuer its metadata must name exactly
    /// (e.g. https://ims-na1.adobelogin.com).
    #[arg(long, value_name = "URL", conflicts_with_all = ["authorize_url", "token_url"])]
    issuer: Option<String>,
    /// Where the issuer's metadata is, when not at {issuer}/.well-known/openid-configuration
    /// or RFC 8414's place (Adobe IMS: https://ims-na1.adobelogin.com/ims/.well-known/openid-configuration).
    #[arg(long, value_name = "URL", requires = "issuer")]
    discovery_url: Option<String>,
    /// The authorization endpoint (with --token-url), for a provider without discovery.
    #[arg(long, value_name = "URL", requires = "token_url")]
    authorize_url: Option<String>,
    /// The token endpoint.
    #[arg(long, value_name = "URL")]
    token_url: Option<String>,
    /// The revocation endpoint (RFC 7009).
    #[arg(long, value_name = "URL")]
    revocation_url: Option<String>,
    /// The issuer's JWK Set, to check OpenID Connect ID tokens with when the scope has
    /// openid (discovery's jwks_uri otherwise).
    #[arg(long, value_name = "URL")]
    jwks_url: Option<String>,
    /// The provider's dialect (default: workfront with --server/--workfront-domain, rfc
    /// otherwise).
    #[arg(long, value_enum)]
    profile: Option<ProfileArg>,
    /// How token requests are encoded (default: the profile's; JSON only for Workfront).
    #[arg(long, value_enum)]
    token_body: Option<TokenBodyArg>,
    /// The app's client id.
    #[arg(long)]
    client_id: Option<String>,
    /// A confidential app's client secret (HTTP Basic, or the body for Adobe IMS and when
    /// the metadata lists only client_secret_post); omit for single-page/native apps.
    #[arg(long)]
    client_secret: Option<String>,
    /// Scope to request (Adobe IMS takes commas: openid,AdobeID,offline_access).
    #[arg(long)]
    scope: Option<String>,
}

/// A token request body encoding, as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TokenBodyArg {
    /// application/x-www-form-urlencoded (RFC 6749).
    Form,
    /// application/json (Workfront's legacy service).
    Json,
}

impl ClientArgs {
    fn options(&self) -> ClientOptions {
        ClientOptions {
            server: self.server.clone(),
            workfront_domain: self.workfront_domain.clone(),
            issuer: self.issuer.clone(),
            discovery_url: self.discovery_url.clone(),
            authorize_url: self.authorize_url.clone(),
            token_url: self.token_url.clone(),
            revocation_url: self.revocation_url.clone(),
            jwks_url: self.jwks_url.clone(),
            profile: self.profile.map(Profile::from),
            token_body: self.token_body.map(|body| match body {
                TokenBodyArg::Form => BodyFormat::Form,
                TokenBodyArg::Json => BodyFormat::Json,
            }),
            client_id: self.client_id.clone().unwrap_or_default(),
            client_secret: self.client_secret.clone(),
            scope: self.scope.clone(),
        }
    }

    /// The options for a command that must name its client.
    fn required(&self) -> Result<ClientOptions, authcode_cli::failure::Failure> {
        if self.client_id.as_deref().is_none_or(str::is_empty) {
            return Err(authcode_cli::failure::Failure::Input(
                "--client-id is required".into(),
            ));
        }
        Ok(self.options())
    }
}

/// Arguments of `authcode login`.
#[derive(Debug, Args)]
struct LoginArgs {
    #[command(flatten)]
    client: ClientArgs,
    /// Loopback port for the redirect (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Print the URL instead of opening the browser.
    #[arg(long)]
    no_browser: bool,
    /// Seconds to wait for the redirect.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Save the session to FILE (it holds secrets; written readable only by you).
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
}

/// Arguments of `authcode refresh`.
#[derive(Debug, Args)]
struct RefreshArgs {
    /// Only needed for session files of earlier versions, which do not record their
    /// server; otherwise the file's own configuration is used.
    #[command(flatten)]
    client: ClientArgs,
    /// The session file written by `login --save`.
    #[arg(long, value_name = "FILE")]
    session: PathBuf,
}

/// Arguments of `authcode revoke`.
#[derive(Debug, Args)]
struct RevokeArgs {
    /// Only needed for session files of earlier versions (see `refresh`).
    #[command(flatten)]
    client: ClientArgs,
    /// The session file written by `login --save`; signed out afterwards.
    #[arg(long, value_name = "FILE")]
    session: PathBuf,
    /// Revoke the access token instead of the refresh token (which ends the whole grant
    /// at most servers).
    #[arg(long)]
    access_token: bool,
}

/// Arguments of `authcode token`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("grant").required(true).args(["client_credentials", "jwt_key"])))]
struct TokenArgs {
    #[command(flatten)]
    client: ClientArgs,
    /// The client credentials grant (RFC 6749 §4.4; Adobe's Server-to-Server): a token
    /// for the client itself.
    #[arg(long)]
    client_credentials: bool,
    /// A JWT grant signed with this PKCS#8 PEM private key (RSA: RS256, P-256: ES256):
    /// Workfront's machine-to-machine exchange (--workfront-domain, or --server under the
    /// workfront profile), RFC 7523's JWT bearer grant otherwise.
    #[arg(long, value_name = "KEY.pem", requires = "subject")]
    jwt_key: Option<PathBuf>,
    /// The user the JWT's token acts for (its `sub`).
    #[arg(long, value_name = "USER", requires = "jwt_key")]
    subject: Option<String>,
    /// The JWT's `aud` (RFC 7523; default: the token endpoint URL).
    #[arg(long, value_name = "URL", requires = "jwt_key")]
    jwt_audience: Option<String>,
    /// The JWT's `iss` when it is not the client id (Workfront: your customer id).
    #[arg(long, value_name = "ID", requires = "jwt_key")]
    jwt_issuer: Option<String>,
}

/// Arguments of `authcode keygen`.
#[derive(Debug, Args)]
struct KeygenArgs {
    /// The key's algorithm.
    #[arg(long, value_enum, default_value = "rs256")]
    alg: IdTokenAlgArg,
    /// The directory for private.pem, public.pem and certificate.pem.
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
    /// The certificate's subject common name.
    #[arg(
        long,
        value_name = "CN",
        default_value = "authcode machine-to-machine app"
    )]
    common_name: String,
    /// Days the certificate is valid.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    days: u32,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let outcome = match cli.command {
        Command::Pkce(args) => pkce::run_pkce(&args, &mut stdout),
        Command::Challenge(args) => pkce::run_challenge(&args, &mut stdout),
        Command::Verify(args) => pkce::run_verify(&args, &mut stdout),
        Command::Serve(args) => serve::run(ServeOptions {
            listen: SocketAddr::new(args.host, args.port),
            admin_token: args.admin_token,
            auto_approve: args.auto_approve,
            apps_file: args.apps,
            profile: if args.rfc {
                Profile::Rfc
            } else {
                args.profile.into()
            },
            codes: usize::try_from(args.codes).unwrap_or(usize::MAX),
            grants: usize::try_from(args.grants).unwrap_or(usize::MAX),
            http: HttpLimits {
                header_timeout: Duration::from_secs(args.header_timeout),
                body_timeout: Duration::from_secs(args.body_timeout),
                idle_timeout: Duration::from_secs(args.idle_timeout),
                max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
                ..HttpLimits::default()
            },
            store: args.store,
            store_prefix: args.store_prefix,
            store_connections: usize::try_from(args.store_connections).unwrap_or(8),
            store_timeout: Duration::from_millis(args.store_timeout),
            id_token_algorithm: match args.id_token_alg {
                IdTokenAlgArg::Rs256 => authcode_cli::signing::KeyAlgorithm::Rs256,
                IdTokenAlgArg::Es256 => authcode_cli::signing::KeyAlgorithm::Es256,
            },
            id_token_key: args.id_token_key,
            ..ServeOptions::default()
        }),
        Command::Login(args) => args.client.required().and_then(|client| {
            login::run_login(
                &LoginOptions {
                    client,
                    port: args.port,
                    no_browser: args.no_browser,
                    timeout: Duration::from_secs(args.timeout),
                    save: args.save,
                },
                &mut stdout,
            )
        }),
        Command::Refresh(args) => {
            login::run_refresh(&args.client.options(), &args.session, &mut stdout)
        }
        Command::Revoke(args) => login::run_revoke(
            &args.client.options(),
            &args.session,
            if args.access_token {
                TokenKind::Access
            } else {
                TokenKind::Refresh
            },
            &mut stdout,
        ),
        Command::Token(args) => {
            args.client
                .required()
                .and_then(|client| match (&args.jwt_key, &args.subject) {
                    (Some(key), Some(subject)) => authcode_cli::token::run_jwt_token(
                        &client,
                        &authcode_cli::token::JwtOptions {
                            key: key.clone(),
                            subject: subject.clone(),
                            audience: args.jwt_audience.clone(),
                            issuer: args.jwt_issuer.clone(),
                        },
                        &mut stdout,
                    ),
                    _ => authcode_cli::token::run_token(&client, &mut stdout),
                })
        }
        Command::Keygen(args) => authcode_cli::keygen::run_keygen(
            &authcode_cli::keygen::KeygenOptions {
                algorithm: match args.alg {
                    IdTokenAlgArg::Rs256 => authcode_cli::signing::KeyAlgorithm::Rs256,
                    IdTokenAlgArg::Es256 => authcode_cli::signing::KeyAlgorithm::Es256,
                },
                out_dir: args.out,
                common_name: args.common_name,
                days: args.days,
            },
            &mut stdout,
        ),
        Command::Demo => demo::run(&mut stdout),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Not `eprintln!`: a closed stderr must not turn the exit code into a panic.
            let _ = writeln!(std::io::stderr(), "authcode: {failure}");
            failure.exit_code()
        }
    }
}
