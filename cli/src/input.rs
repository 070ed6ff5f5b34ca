//! Command-line values that may come from standard input.

use std::ffi::OsString;
use std::io::Read;

use crate::failure::Failure;

/// The most bytes read from standard input for one value: far more than any PKCE value,
/// small enough that a mistaken pipe cannot exhaust memory.
const STDIN_LIMIT: u64 = 64 * 1024;

/// The raw bytes of a value given on the command line, where `-` means "read standard
/// input". One trailing line ending (`\n` or `\r\n`) is removed from standard input, so
/// `echo "$VERIFIER" | authcode challenge -` works. Non-UTF-8 arguments are passed on as
/// bytes, so the parser can say which byte is wrong.
///
/// # Errors
///
/// [`Failure::System`] when standard input cannot be read; [`Failure::Input`] when it
/// holds more than 64 KiB.
pub fn value_bytes(value: &OsString, stdin: &mut dyn Read) -> Result<Vec<u8>, Failure> {
    if value != "-" {
        return Ok(value.as_encoded_bytes().to_vec());
    }
    let mut bytes = Vec::new();
    stdin
        .take(STDIN_LIMIT.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| Failure::System(format!("could not read standard input: {error}")))?;
    if u64::try_from(bytes.len()).map_or(true, |len| len > STDIN_LIMIT) {
        return Err(Failure::Input(format!(
            "standard input holds more than {STDIN_LIMIT} bytes; expected one value"
        )));
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: &str, stdin: &[u8]) -> Result<Vec<u8>, Failure> {
        value_bytes(&OsString::from(value), &mut &stdin[..])
    }

    #[test]
    fn a_literal_value_is_used_as_is() {
        assert_eq!(read("abc", b"ignored").unwrap(), b"abc");
    }

    #[test]
    fn dash_reads_stdin_without_one_line_ending() {
        assert_eq!(read("-", b"abc\n").unwrap(), b"abc");
        assert_eq!(read("-", b"abc\r\n").unwrap(), b"abc");
        assert_eq!(read("-", b"abc").unwrap(), b"abc");
        assert_eq!(read("-", b"abc\n\n").unwrap(), b"abc\n");
    }

    #[test]
    fn oversized_stdin_is_an_input_error() {
        let big = vec![b'a'; 64 * 1024 + 1];
        assert!(matches!(read("-", &big), Err(Failure::Input(_))));
    }
}
