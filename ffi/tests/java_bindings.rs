//! Compiles the Java binding (`bindings/java`) and its test with `javac` and runs it on
//! the host JVM against this crate's `cdylib`, with `-Xcheck:jni`.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)
#![cfg(feature = "jni")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn java_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            java_sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "java") {
            out.push(path);
        }
    }
}

#[test]
fn the_java_binding_test_passes() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let lib_dir = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    assert!(
        lib_dir.join("libauthcode_ffi.so").exists(),
        "libauthcode_ffi.so not in {}",
        lib_dir.display()
    );
    let classes = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("java-classes");
    std::fs::create_dir_all(&classes).unwrap();
    let mut sources = Vec::new();
    java_sources(&repo.join("bindings/java/src"), &mut sources);
    let status = Command::new("javac")
        .args(["-Xlint:all", "-Werror", "-d"])
        .arg(&classes)
        .args(&sources)
        .status()
        .expect("javac is required");
    assert!(status.success(), "javac failed");
    let output = Command::new("java")
        .arg("-Xcheck:jni")
        .arg(format!("-Djava.library.path={}", lib_dir.display()))
        .arg("-cp")
        .arg(&classes)
        .arg("dev.authcode.AuthcodeTest")
        .output()
        .expect("java is required");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "java failed\n{stdout}\n{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    assert!(
        !stderr.contains("WARNING"),
        "-Xcheck:jni reported:\n{stderr}"
    );
}
