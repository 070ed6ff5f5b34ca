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

mod failure;
mod input;
mod pkce;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let outcome = match cli.command {
        Command::Pkce(args) => pkce::run_pkce(&args, &mut stdout),
        Command::Challenge(args) => pkce::run_challenge(&args, &mut stdout),
        Command::Verify(args) => pkce::run_verify(&args, &mut stdout),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("authcode: {failure}");
            failure.exit_code()
        }
    }
}
