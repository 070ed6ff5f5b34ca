//! Generates, from the one definition of `authcode_result` in `src/result.rs`, the list of
// A build script that cannot do its job must stop the build, loudly.
#![allow(clippy::panic, clippy::std_instead_of_core)]
//! every code, each code's message (its doc comment) and its C name. cbindgen reads the
//! enum as written (it does not expand macros), so the enum is the table and the rest is
//! derived from it here.

use std::fmt::Write as _;

/// The ABI version in the shared library's SONAME; keep it equal to
/// `AUTHCODE_ABI_VERSION` in src/lib.rs (a test checks both).
const ABI_VERSION: u32 = 1;

fn main() {
    // ELF shared libraries carry the ABI version in their SONAME, so that a program linked
    // against ABI 1 never loads a library of another ABI.
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // cargo-c (which turns on the `capi` feature) names the library libauthcode and sets
    // its SONAME itself from [package.metadata.capi.library] version, the same ABI version.
    let cargo_c = std::env::var_os("CARGO_FEATURE_CAPI").is_some();
    if matches!(os.as_str(), "linux" | "android" | "freebsd") && !cargo_c {
        println!("cargo::rustc-cdylib-link-arg=-Wl,-soname,libauthcode_ffi.so.{ABI_VERSION}");
    }
    let source = std::fs::read_to_string("src/result.rs").unwrap_or_else(|error| {
        panic!("build.rs: cannot read src/result.rs: {error}");
    });
    println!("cargo::rerun-if-changed=src/result.rs");
    let body = source
        .split("pub enum authcode_result {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .unwrap_or_else(|| panic!("build.rs: no `pub enum authcode_result {{` in src/result.rs"));
    let mut doc = String::new();
    let mut codes = Vec::new();
    for line in body.lines().map(str::trim) {
        if let Some(text) = line.strip_prefix("///") {
            if !doc.is_empty() {
                doc.push(' ');
            }
            doc.push_str(text.trim());
        } else if let Some((name, number)) = line.trim_end_matches(',').split_once(" = ") {
            assert!(
                !doc.is_empty(),
                "build.rs: result code {name} has no doc comment"
            );
            let message = doc.replace('`', "").replace('"', "'");
            codes.push((name.to_owned(), number.to_owned(), message));
            doc.clear();
        }
    }
    assert!(
        codes.len() > 10,
        "build.rs: found only {} result codes",
        codes.len()
    );
    let mut out = String::new();
    let _ = writeln!(out, "impl authcode_result {{");
    let _ = writeln!(
        out,
        "    /// Every result code, in the order of the definition."
    );
    let _ = writeln!(out, "    pub const ALL: [Self; {}] = [", codes.len());
    for (name, _, _) in &codes {
        let _ = writeln!(out, "        Self::{name},");
    }
    let _ = writeln!(out, "    ];\n");
    let _ = writeln!(
        out,
        "    /// What the code means: its doc comment, as a static C string."
    );
    let _ = writeln!(out, "    #[must_use]");
    let _ = writeln!(
        out,
        "    pub const fn message(self) -> &'static core::ffi::CStr {{"
    );
    let _ = writeln!(out, "        match self {{");
    for (name, _, message) in &codes {
        let _ = writeln!(out, "            Self::{name} => c\"{message}\",");
    }
    let _ = writeln!(out, "        }}\n    }}\n");
    let _ = writeln!(
        out,
        "    /// The constant's name in the C header, e.g. `AUTHCODE_RESULT_OK`."
    );
    let _ = writeln!(out, "    #[must_use]");
    let _ = writeln!(
        out,
        "    pub const fn name(self) -> &'static core::ffi::CStr {{"
    );
    let _ = writeln!(out, "        match self {{");
    for (name, _, _) in &codes {
        let _ = writeln!(
            out,
            "            Self::{name} => c\"AUTHCODE_RESULT_{}\",",
            screaming(name)
        );
    }
    let _ = writeln!(out, "        }}\n    }}\n}}");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| {
        panic!("build.rs: OUT_DIR is not set");
    }))
    .join("results.rs");
    std::fs::write(&path, out).unwrap_or_else(|error| {
        panic!("build.rs: cannot write {}: {error}", path.display());
    });
}

/// `BufferTooSmall` → `BUFFER_TOO_SMALL`, as cbindgen's `ScreamingSnakeCase`.
fn screaming(name: &str) -> String {
    let mut out = String::new();
    for (index, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && index > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}
