//! Why a command failed, and the exit code each reason maps to.

use core::fmt;
use std::process::ExitCode;

/// A command's failure: what to tell the user on stderr, and how to exit.
#[derive(Debug)]
pub enum Failure {
    /// The inputs are well-formed but the check failed (exit 1).
    Mismatch(String),
    /// An input is malformed or the arguments do not fit together (exit 2).
    Input(String),
    /// The system failed: stdin, stdout, OS randomness (exit 3).
    System(String),
}

impl Failure {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Mismatch(_) => ExitCode::from(1),
            Self::Input(_) => ExitCode::from(2),
            Self::System(_) => ExitCode::from(3),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mismatch(message) | Self::Input(message) | Self::System(message) => {
                f.write_str(message)
            }
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Self::System(format!("could not write the output: {error}"))
    }
}
