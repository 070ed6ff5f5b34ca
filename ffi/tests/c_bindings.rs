//! Builds the C test suite and examples in `bindings/c/` against this crate's static
//! library and runs them: plain, under AddressSanitizer + UBSan, and under valgrind.
//! Every compile uses `-std=c11 -Wall -Wextra -Werror -pedantic`.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The directory holding `libauthcode_ffi.a`, built by cargo next to this test binary.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().to_path_buf();
    assert!(
        deps.join("libauthcode_ffi.a").exists(),
        "libauthcode_ffi.a not found in {}",
        deps.display()
    );
    deps
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c-bindings");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn compile(compiler: &str, source: &Path, output: &Path, extra: &[&str]) {
    let status = Command::new(compiler)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .args(extra)
        .arg("-I")
        .arg(repo().join("include"))
        .arg(source)
        .arg(lib_dir().join("libauthcode_ffi.a"))
        .args(["-lpthread", "-ldl", "-lm", "-lrt", "-lutil", "-lgcc_s"])
        .arg("-o")
        .arg(output)
        .status()
        .unwrap_or_else(|error| panic!("cannot run {compiler}: {error}"));
    assert!(
        status.success(),
        "{compiler} failed on {}",
        source.display()
    );
}

fn run(command: &mut Command) -> String {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    println!("{stdout}");
    stdout
}

fn suite() -> PathBuf {
    repo().join("bindings/c/tests/test_authcode.c")
}

#[test]
fn the_c_suite_passes() {
    let binary = out_dir().join("test_authcode");
    compile("gcc", &suite(), &binary, &[]);
    let stdout = run(&mut Command::new(&binary));
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

/// With `-fshort-enums` a C enum may be one byte; every type the library writes through a
/// pointer is a fixed-width `uint32_t` typedef, so nothing beyond the caller's variable is
/// overwritten (run under the sanitizers, which would see it).
#[test]
fn the_c_suite_passes_built_with_short_enums() {
    let binary = out_dir().join("test_authcode_short_enums");
    compile(
        "gcc",
        &suite(),
        &binary,
        &[
            "-fshort-enums",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
        ],
    );
    let stdout = run(&mut Command::new(&binary));
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn the_c_suite_is_clean_under_address_and_undefined_behaviour_sanitizers() {
    let binary = out_dir().join("test_authcode_asan");
    compile(
        "gcc",
        &suite(),
        &binary,
        &[
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ],
    );
    let stdout = run(Command::new(&binary).env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1"));
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn the_c_suite_is_clean_under_valgrind() {
    let binary = out_dir().join("test_authcode_valgrind");
    compile("gcc", &suite(), &binary, &["-O1"]);
    let probe = Command::new("valgrind").arg("--version").output();
    assert!(
        probe.is_ok(),
        "valgrind is required (apt-get install valgrind; .ci/run installs it)"
    );
    let stdout = run(Command::new("valgrind")
        .args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--track-origins=yes",
        ])
        .arg(&binary));
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn the_c_examples_build_and_run() {
    for example in ["client_login", "server_exchange"] {
        let source = repo().join(format!("bindings/c/examples/{example}.c"));
        let binary = out_dir().join(example);
        compile("gcc", &source, &binary, &[]);
        let stdout = run(&mut Command::new(&binary));
        assert!(stdout.contains("done"), "{example}: {stdout}");
    }
}

#[test]
fn the_cpp_wrapper_test_passes() {
    let binary = out_dir().join("test_authcode_cpp");
    let status = Command::new("g++")
        .args([
            "-std=c++17",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-g",
            "-fsanitize=address,undefined",
        ])
        .arg("-I")
        .arg(repo().join("include"))
        .arg("-I")
        .arg(repo().join("bindings/cpp"))
        .arg(repo().join("bindings/cpp/tests/test_authcode.cpp"))
        .arg(lib_dir().join("libauthcode_ffi.a"))
        .args(["-lpthread", "-ldl", "-lm", "-lrt", "-lutil", "-lgcc_s"])
        .arg("-o")
        .arg(&binary)
        .status()
        .expect("cannot run g++");
    assert!(status.success(), "g++ failed");
    let stdout = run(&mut Command::new(&binary));
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

/// The shared library names its ABI in its SONAME, and that is `AUTHCODE_ABI_VERSION`.
#[test]
fn the_shared_library_carries_the_abi_version_in_its_soname() {
    let output = Command::new("readelf")
        .arg("-d")
        .arg(lib_dir().join("libauthcode_ffi.so"))
        .output()
        .expect("readelf (binutils) runs");
    assert!(output.status.success(), "readelf failed");
    let dynamic = String::from_utf8_lossy(&output.stdout);
    let expected = format!(
        "[libauthcode_ffi.so.{}]",
        authcode_ffi::AUTHCODE_ABI_VERSION
    );
    assert!(
        dynamic
            .lines()
            .any(|line| line.contains("(SONAME)") && line.contains(&expected)),
        "no SONAME {expected} in:\n{dynamic}"
    );
    assert_eq!(
        authcode_ffi::authcode_abi_version(),
        authcode_ffi::AUTHCODE_ABI_VERSION
    );
}
