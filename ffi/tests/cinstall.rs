//! authcode installs like a C library: `cargo cinstall` (cargo-c) puts the header, the
//! static and shared libraries and `authcode.pc` under a prefix, and a C program builds
//! and runs with nothing but `pkg-config --cflags --libs authcode`.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use std::path::PathBuf;
use std::process::Command;

#[test]
#[ignore = "needs cargo-c (cargo install cargo-c; .ci/run installs it and runs this)"]
fn cargo_cinstall_gives_a_library_that_pkg_config_finds() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let work = repo.join("target/tmp/cinstall");
    let _ = std::fs::remove_dir_all(&work);
    let prefix = work.join("prefix");
    let status = Command::new(env!("CARGO"))
        .current_dir(&repo)
        .args([
            "cinstall",
            "-p",
            "authcode-ffi",
            "--release",
            "--libdir",
            "lib",
        ])
        .arg("--prefix")
        .arg(&prefix)
        .arg("--target-dir")
        .arg(repo.join("target/cinstall"))
        .status()
        .expect("cargo cinstall runs");
    assert!(status.success(), "cargo cinstall failed");
    for file in [
        "include/authcode.h",
        "lib/libauthcode.a",
        "lib/pkgconfig/authcode.pc",
    ] {
        assert!(prefix.join(file).exists(), "{file} was not installed");
    }
    let shared = prefix.join(format!(
        "lib/libauthcode.so.{}",
        authcode_ffi::AUTHCODE_ABI_VERSION
    ));
    assert!(shared.exists(), "{} was not installed", shared.display());

    let program = work.join("program.c");
    std::fs::write(
        &program,
        r#"#include <authcode.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    uint8_t verifier[AUTHCODE_PKCE_VERIFIER_MAX];
    uint8_t challenge[AUTHCODE_PKCE_CHALLENGE_LEN];
    size_t verifier_len = 0, challenge_len = 0;
    if (authcode_abi_version() != AUTHCODE_ABI_VERSION) return 2;
    if (strcmp(authcode_version(), AUTHCODE_VERSION_STRING) != 0) return 3;
    if (authcode_pkce_generate(NULL, 43, verifier, sizeof verifier, &verifier_len) != AUTHCODE_RESULT_OK) return 4;
    if (authcode_pkce_challenge(verifier, verifier_len, challenge, sizeof challenge, &challenge_len) != AUTHCODE_RESULT_OK) return 5;
    if (authcode_pkce_verify(verifier, verifier_len, challenge, challenge_len) != AUTHCODE_RESULT_OK) return 6;
    printf("installed authcode %s works\n", authcode_version());
    return 0;
}
"#,
    )
    .unwrap();
    let pkg_config = |flag: &str| {
        let output = Command::new("pkg-config")
            .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
            .args([flag, "authcode"])
            .output()
            .expect("pkg-config runs");
        assert!(output.status.success(), "pkg-config {flag} authcode failed");
        String::from_utf8(output.stdout).unwrap()
    };
    let flags = format!("{} {}", pkg_config("--cflags"), pkg_config("--libs"));
    let binary = work.join("program");
    let status = Command::new("gcc")
        .args(["-std=c11", "-Wall", "-Werror"])
        .arg(&program)
        .arg("-o")
        .arg(&binary)
        .args(flags.split_whitespace())
        .status()
        .expect("gcc runs");
    assert!(
        status.success(),
        "gcc with only the pkg-config flags failed: {flags}"
    );
    let output = Command::new(&binary)
        .env("LD_LIBRARY_PATH", prefix.join("lib"))
        .output()
        .expect("the program runs");
    assert!(
        output.status.success(),
        "the installed library failed the program: {output:?}"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("works"));
}
