//! The `authcode` binary, run as a user runs it.
#![cfg(test)] // lets clippy treat the helpers below as test code (see clippy.toml)

use std::io::Write;
use std::process::{Command, Output, Stdio};

use authcode::pkce::{Challenge, Verifier};

const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const WORKFRONT_VERIFIER: &str = "N28zVMsKU6ptUjHaYWg3T1NFTDQqcW1R4BU5NXywapNac4hhfkxjwfhZQat";
const WORKFRONT_DOCUMENTED_CHALLENGE: &str = "wzgjYF9qEiWep-CwqgrTE78-2ghjwCtRO3vj23o4W_fw";
const WORKFRONT_REAL_CHALLENGE: &str = "r-Jd5JtWMBfjRSq4Cjldx9XLerqNL4pJJHE3cYHb84g";

fn authcode(args: &[&str]) -> Output {
    authcode_with_stdin(args, b"")
}

fn authcode_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authcode"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit before reading its input (a usage error); a broken pipe here is
    // then expected, and the assertions on its output decide the test.
    let written = child.stdin.take().unwrap().write_all(stdin);
    if let Err(error) = written {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
    }
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

#[test]
fn pkce_prints_a_fresh_verifying_pair_as_json() {
    let output = authcode(&["pkce"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("{\"code_verifier\":\""), "{text}");
    assert!(
        text.ends_with("\"code_challenge_method\":\"S256\"}\n"),
        "{text}"
    );

    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let object = json.as_object().unwrap();
    assert_eq!(object.len(), 3);
    let verifier = Verifier::parse(object["code_verifier"].as_str().unwrap()).unwrap();
    assert_eq!(verifier.as_str().len(), 43);
    let challenge = Challenge::parse(object["code_challenge"].as_str().unwrap()).unwrap();
    assert!(challenge.verify(&verifier));
    assert_eq!(object["code_challenge_method"], "S256");

    let again = stdout(&authcode(&["pkce"]));
    assert_ne!(again, text, "every run draws new randomness");
}

#[test]
fn pkce_length_is_honoured_and_checked() {
    for length in ["43", "64", "128"] {
        let output = authcode(&["pkce", "--length", length]);
        assert_eq!(code(&output), 0);
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(
            json["code_verifier"].as_str().unwrap().len().to_string(),
            length
        );
    }
    for (length, message) in [
        ("42", "42 characters; a code verifier has 43 to 128"),
        ("129", "129 characters; a code verifier has 43 to 128"),
    ] {
        let output = authcode(&["pkce", "--length", length]);
        assert_eq!(code(&output), 2);
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
        assert!(output.stdout.is_empty());
    }
    let output = authcode(&["pkce", "--length", "many"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("invalid value 'many'"));
}

#[test]
fn challenge_prints_the_s256_challenge() {
    let output = authcode(&["challenge", RFC_VERIFIER]);
    assert_eq!(code(&output), 0);
    assert_eq!(stdout(&output), format!("{RFC_CHALLENGE}\n"));

    let output = authcode(&["challenge", WORKFRONT_VERIFIER]);
    assert_eq!(stdout(&output), format!("{WORKFRONT_REAL_CHALLENGE}\n"));
}

#[test]
fn challenge_reads_the_verifier_from_stdin() {
    let output = authcode_with_stdin(&["challenge", "-"], format!("{RFC_VERIFIER}\n").as_bytes());
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{RFC_CHALLENGE}\n"));
}

#[test]
fn challenge_of_a_malformed_verifier_says_what_is_wrong() {
    let output = authcode(&["challenge", "too-short"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("VERIFIER is not a valid code verifier: 9 characters"));

    let with_space = format!("{} {}", &RFC_VERIFIER[..20], &RFC_VERIFIER[21..]);
    let output = authcode(&["challenge", &with_space]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("a space (0x20) at position 20 is not allowed"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn verify_exits_0_on_a_match() {
    let output = authcode(&[
        "verify",
        "--verifier",
        RFC_VERIFIER,
        "--challenge",
        RFC_CHALLENGE,
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).starts_with("ok"));
}

#[test]
fn verify_exits_1_on_a_mismatch() {
    let output = authcode(&[
        "verify",
        "--verifier",
        WORKFRONT_VERIFIER,
        "--challenge",
        RFC_CHALLENGE,
    ]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("mismatch"));
    assert!(stderr(&output).contains(WORKFRONT_REAL_CHALLENGE));
}

#[test]
fn verify_rejects_workfronts_documented_challenge_as_malformed() {
    let output = authcode(&[
        "verify",
        "--verifier",
        WORKFRONT_VERIFIER,
        "--challenge",
        WORKFRONT_DOCUMENTED_CHALLENGE,
    ]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains(
            "--challenge is not a valid S256 code challenge: 44 characters; an S256 challenge \
             has exactly 43"
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn verify_reports_every_malformed_input() {
    let output = authcode(&["verify", "--verifier", "short", "--challenge", "also=bad"]);
    assert_eq!(code(&output), 2);
    let errors = stderr(&output);
    assert!(errors.contains("--verifier is not a valid code verifier: 5 characters"));
    assert!(errors.contains("--challenge is not a valid S256 code challenge: 8 characters"));
}

#[test]
fn verify_reads_one_value_from_stdin() {
    let output = authcode_with_stdin(
        &["verify", "--verifier", "-", "--challenge", RFC_CHALLENGE],
        RFC_VERIFIER.as_bytes(),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));

    let output = authcode_with_stdin(
        &["verify", "--verifier", RFC_VERIFIER, "--challenge", "-"],
        format!("{RFC_CHALLENGE}\r\n").as_bytes(),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));

    let output = authcode_with_stdin(&["verify", "--verifier", "-", "--challenge", "-"], b"x");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("only one of --verifier and --challenge"));
}

#[test]
fn verify_needs_both_inputs() {
    let output = authcode(&["verify", "--verifier", RFC_VERIFIER]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--challenge"));
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["pkce", "--help"],
        &["challenge", "--help"],
        &["verify", "--help"],
    ] {
        let output = authcode(args);
        assert_eq!(code(&output), 0, "{args:?}");
        assert!(stdout(&output).contains("Usage: authcode"), "{args:?}");
    }
    assert!(stdout(&authcode(&["--help"])).contains("Exit codes:"));
}

#[test]
fn no_command_is_a_usage_error() {
    let output = authcode(&[]);
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("Usage: authcode"));
}

#[test]
fn non_utf8_arguments_are_reported_by_byte() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let mut verifier = RFC_VERIFIER.as_bytes().to_vec();
    verifier[7] = 0xff;
    let output = Command::new(env!("CARGO_BIN_EXE_authcode"))
        .arg("challenge")
        .arg(OsStr::from_bytes(&verifier))
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("byte 0xff at position 7 is not allowed"),
        "{}",
        stderr(&output)
    );
}
