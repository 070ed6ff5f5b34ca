//! `authcode pkce`, `authcode challenge`, `authcode verify`.

use std::ffi::OsString;
use std::io::Write;

use authcode::pkce::{Challenge, Method, Verifier, VerifierLength};
use clap::Args;
use serde::Serialize;

use crate::failure::Failure;
use crate::input::value_bytes;

/// Arguments of `authcode pkce`.
#[derive(Debug, Args)]
pub struct PkceArgs {
    /// Length of the code verifier in characters, 43 to 128. The default 43 carries 256
    /// bits of entropy.
    #[arg(long, value_name = "N", default_value_t = VerifierLength::DEFAULT.get())]
    length: usize,
}

/// Arguments of `authcode challenge`.
#[derive(Debug, Args)]
pub struct ChallengeArgs {
    /// The code verifier, or `-` to read it from standard input (keeps it out of shell
    /// history).
    #[arg(value_name = "VERIFIER")]
    verifier: OsString,
}

/// Arguments of `authcode verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The code verifier, or `-` to read it from standard input.
    #[arg(long, value_name = "V")]
    verifier: OsString,
    /// The S256 code challenge, or `-` to read it from standard input.
    #[arg(long, value_name = "C")]
    challenge: OsString,
}

/// The JSON `authcode pkce` prints — the shape Workfront's documentation shows.
#[derive(Debug, Serialize)]
struct PkcePair<'a> {
    code_verifier: &'a str,
    code_challenge: &'a str,
    code_challenge_method: &'a str,
}

/// `authcode pkce`: a fresh verifier and its challenge from OS randomness.
///
/// # Errors
///
/// A [`Failure`] that says which input is wrong and how, or what the system failed to do.
pub fn run_pkce(args: &PkceArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let length = VerifierLength::new(args.length)
        .map_err(|error| Failure::Input(format!("--length {}: {error}", args.length)))?;
    let verifier = Verifier::generate(&mut getrandom::SysRng, length)
        .map_err(|error| Failure::System(format!("could not generate a verifier: {error}")))?;
    let challenge = Challenge::s256(&verifier);
    let mut challenge_text = [0u8; Challenge::ENCODED_LEN];
    let challenge_text = challenge
        .encode_into(&mut challenge_text)
        .map_err(|error| Failure::System(format!("could not encode the challenge: {error}")))?;
    let pair = PkcePair {
        code_verifier: verifier.as_str(),
        code_challenge: challenge_text,
        code_challenge_method: Method::S256.as_str(),
    };
    serde_json::to_writer(&mut *out, &pair)
        .map_err(|error| Failure::System(format!("could not write the output: {error}")))?;
    writeln!(out)?;
    Ok(())
}

/// `authcode challenge VERIFIER`: the S256 challenge of a verifier.
///
/// # Errors
///
/// A [`Failure`] that says which input is wrong and how, or what the system failed to do.
pub fn run_challenge(args: &ChallengeArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let bytes = value_bytes(&args.verifier, &mut std::io::stdin().lock())?;
    let verifier = Verifier::parse_bytes(&bytes).map_err(|error| {
        Failure::Input(format!("VERIFIER is not a valid code verifier: {error}"))
    })?;
    writeln!(out, "{}", Challenge::s256(&verifier))?;
    Ok(())
}

/// `authcode verify --verifier V --challenge C`: exit 0 on a match.
///
/// # Errors
///
/// A [`Failure`] that says which input is wrong and how, or what the system failed to do.
pub fn run_verify(args: &VerifyArgs, out: &mut dyn Write) -> Result<(), Failure> {
    if args.verifier == "-" && args.challenge == "-" {
        return Err(Failure::Input(
            "only one of --verifier and --challenge can be read from standard input (-)".into(),
        ));
    }
    let mut stdin = std::io::stdin().lock();
    let verifier_bytes = value_bytes(&args.verifier, &mut stdin)?;
    let challenge_bytes = value_bytes(&args.challenge, &mut stdin)?;

    // Report every malformed input at once, so one run tells the user all that is wrong.
    let verifier = Verifier::parse_bytes(&verifier_bytes);
    let challenge = Challenge::parse_bytes(&challenge_bytes);
    let (verifier, challenge) = match (verifier, challenge) {
        (Ok(verifier), Ok(challenge)) => (verifier, challenge),
        (verifier, challenge) => {
            let mut problems = Vec::new();
            if let Err(error) = verifier {
                problems.push(format!("--verifier is not a valid code verifier: {error}"));
            }
            if let Err(error) = challenge {
                problems.push(format!(
                    "--challenge is not a valid S256 code challenge: {error}"
                ));
            }
            return Err(Failure::Input(problems.join("\nauthcode: ")));
        }
    };

    if challenge.verify(&verifier) {
        writeln!(out, "ok: the code verifier matches the S256 challenge")?;
        Ok(())
    } else {
        Err(Failure::Mismatch(format!(
            "mismatch: the code verifier's S256 challenge is {}, not the --challenge given",
            Challenge::s256(&verifier)
        )))
    }
}
