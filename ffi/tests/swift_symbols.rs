//! The Swift package cannot be compiled on Linux; this checks what can be: every C
//! function its sources call is declared in `include/authcode.h`.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use std::path::PathBuf;

#[test]
fn every_c_function_the_swift_sources_call_is_in_the_header() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let header = std::fs::read_to_string(repo.join("include/authcode.h")).unwrap();
    let swift =
        std::fs::read_to_string(repo.join("bindings/swift/Sources/Authcode/Authcode.swift"))
            .unwrap();
    let mut called = Vec::new();
    let mut rest = swift.as_str();
    while let Some(at) = rest.find("authcode_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        if tail[end..].starts_with('(') {
            called.push(name.to_owned());
        }
        rest = &tail[end..];
    }
    called.sort();
    called.dedup();
    assert!(called.len() >= 15, "found only {called:?}");
    for name in &called {
        // A call is a function, or a struct initialiser such as `authcode_http_request()`.
        let declared = header.contains(&format!(" {name}("))
            || header.contains(&format!("*{name}("))
            || header.contains(&format!("}} {name};"));
        assert!(
            declared,
            "Swift calls {name}, which include/authcode.h does not declare"
        );
    }
    // Types the Swift sources construct must exist too.
    for type_name in [
        "authcode_str",
        "authcode_client_config_params",
        "authcode_http_request",
    ] {
        assert!(
            header.contains(&format!("}} {type_name};")),
            "{type_name} missing from the header"
        );
    }
}
