//! Every function of `include/authcode.h` is reachable from the Swift, Java and C++
//! bindings, or is listed in `bindings/parity.txt` with the reason it is left out.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The text of every file under `dir` (recursively) whose name ends with `ext`.
fn sources(dir: &Path, ext: &str) -> String {
    let mut text = String::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        if next.is_dir() {
            for entry in std::fs::read_dir(&next).unwrap() {
                pending.push(entry.unwrap().path());
            }
        } else if next.to_string_lossy().ends_with(ext) {
            text.push_str(&std::fs::read_to_string(&next).unwrap());
            text.push('\n');
        }
    }
    text
}

/// Identifiers `authcode_…` of `text` (whole words).
fn identifiers(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut at = 0;
    while let Some(offset) = text[at..].find("authcode_") {
        let start = at + offset;
        let mut end = start;
        while end < bytes.len() && is_ident(bytes[end]) {
            end += 1;
        }
        if start == 0 || !is_ident(bytes[start - 1]) {
            found.insert(text[start..end].to_owned());
        }
        at = end.max(start + 1);
    }
    found
}

/// The functions the header declares: `name(` preceded by a return type on the same line.
fn header_functions() -> BTreeSet<String> {
    let header = std::fs::read_to_string(repo().join("include/authcode.h")).unwrap();
    let mut functions = BTreeSet::new();
    for line in header.lines() {
        if line.starts_with("//") || line.starts_with('#') || line.starts_with(' ') {
            continue;
        }
        if let Some(open) = line.find('(') {
            let before = &line[..open];
            if let Some(name) = before.rsplit([' ', '*']).next()
                && name.starts_with("authcode_")
                && before.len() > name.len()
            {
                functions.insert(name.to_owned());
            }
        }
    }
    functions
}

const BINDINGS: [&str; 3] = ["swift", "java", "cpp"];

fn binding_sources(binding: &str) -> String {
    let root = repo();
    match binding {
        "swift" => sources(&root.join("bindings/swift/Sources"), ".swift"),
        // The JNI glue calls the C functions; Java reaches them through it.
        "java" => {
            sources(&root.join("ffi/src/jni.rs"), ".rs")
                + &sources(&root.join("ffi/src/jni"), ".rs")
        }
        "cpp" => sources(&root.join("bindings/cpp"), ".hpp"),
        other => panic!("unknown binding {other}"),
    }
}

/// `(binding, function)` pairs of `bindings/parity.txt`.
fn exclusions() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo().join("bindings/parity.txt")).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(binding), Some(function), Some(_reason)) =
            (words.next(), words.next(), words.next())
        else {
            panic!("bindings/parity.txt: `{line}` is not `<binding> <function> <reason>`");
        };
        assert!(
            binding == "*" || BINDINGS.contains(&binding),
            "bindings/parity.txt: unknown binding {binding}"
        );
        out.push((binding.to_owned(), function.to_owned()));
    }
    out
}

#[test]
fn every_header_function_has_a_wrapper_in_every_binding_or_a_listed_reason() {
    let functions = header_functions();
    assert!(functions.len() > 60, "found only {functions:?}");
    let excluded = exclusions();
    let is_excluded = |binding: &str, function: &str| {
        excluded
            .iter()
            .any(|(b, f)| (b == "*" || b == binding) && f == function)
    };
    let mut missing = Vec::new();
    for binding in BINDINGS {
        let used = identifiers(&binding_sources(binding));
        for function in &functions {
            let wrapped = used.contains(function);
            let listed = is_excluded(binding, function);
            if !wrapped && !listed {
                missing.push(format!("{binding}: {function}"));
            }
            assert!(
                !(wrapped && listed),
                "bindings/parity.txt lists {function} as left out of {binding}, which wraps it"
            );
        }
    }
    assert!(
        missing.is_empty(),
        "no wrapper (add one, or list it with a reason in bindings/parity.txt):\n{}",
        missing.join("\n")
    );
    for (_, function) in &excluded {
        assert!(
            functions.contains(function),
            "bindings/parity.txt names {function}, which the header does not declare"
        );
    }
}

/// Each `native` method of `Native.java` has its `Java_dev_authcode_Native_…` export in the
/// glue and each export its `native` declaration, so no call ends in `UnsatisfiedLinkError`.
#[test]
fn java_native_methods_and_jni_exports_match() {
    let root = repo();
    let java =
        std::fs::read_to_string(root.join("bindings/java/src/main/java/dev/authcode/Native.java"))
            .unwrap();
    let glue = binding_sources("java");
    let declared: BTreeSet<String> = java
        .split("static native ")
        .skip(1)
        .filter_map(|rest| rest.split('(').next())
        .filter_map(|head| head.split_whitespace().last())
        .map(str::to_owned)
        .collect();
    let exported: BTreeSet<String> = glue
        .split("Java_dev_authcode_Native_")
        .skip(1)
        .filter_map(|rest| {
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
            Some(rest[..end].to_owned())
        })
        .filter(|name| !name.is_empty())
        .collect();
    assert!(declared.len() > 10, "found only {declared:?}");
    assert_eq!(
        declared, exported,
        "Native.java declarations vs JNI exports"
    );
}
