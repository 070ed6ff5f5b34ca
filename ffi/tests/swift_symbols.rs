//! The Swift package cannot be compiled on Linux (there is no Swift toolchain here), so this
//! checks statically what a compiler would, as far as it can, over every `.swift` file of
//! `bindings/swift` (the sources and the XCTest suite), with comments and string literals
//! blanked out:
//!
//! - every C function called is declared in `include/authcode.h` and is called with as many
//!   arguments as the header declares; a C function used other than by a direct call (passed
//!   as a value, whose arguments cannot be counted) fails;
//! - every C struct constructed exists, and a memberwise initialiser names all its fields in
//!   the header's order;
//! - no enum typedef name (`authcode_result`, …) and no enumerator constant
//!   (`AUTHCODE_RESULT_OK`, …) is used: every boundary enum is a plain `UInt32` (how Swift
//!   imports a `typedef uint32_t authcode_x;` beside an `enum authcode_x` tag is not
//!   something to rely on); every `AUTHCODE_*` macro used is `#define`d;
//! - every header enum has a Swift mirror (`MIRRORS`) with exactly its constants and values
//!   (`AUTHCODE_RESULT_BUFFER_TOO_SMALL = 3` ↔ `case bufferTooSmall = 3`; a word may also be
//!   all capitals, `sessionID`, `invalidUTF8`);
//! - every header function that `bindings/parity.txt` does not exclude for Swift is called
//!   by the sources (a mention in a comment is not a wrapper);
//! - every failing call attaches the last error of the object it was made on: inside
//!   `ClientConfig`, `Session` and `Server` only that object's functions are called, and every
//!   `check(…)` passes `lastError` (except where the object is created);
//! - every public declaration and enum case has a `///` doc comment;
//! - the package wiring: the `AuthcodeFFI` binary target, `import AuthcodeFFI`, and the
//!   module map the XCFramework script writes.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

// ---------------------------------------------------------------------------------------
// The header

/// What the header declares.
#[derive(Default)]
struct Header {
    /// Function name → number of parameters.
    functions: BTreeMap<String, usize>,
    /// `typedef struct { … } name;` → field names in order.
    structs: BTreeMap<String, Vec<String>>,
    /// `typedef struct name name;` (opaque handles).
    opaque: BTreeSet<String>,
    /// Enum tag (`authcode_result`) → its constants and values.
    enums: BTreeMap<String, Vec<(String, u64)>>,
    /// `#define` names.
    defines: BTreeSet<String>,
}

/// `text` with `/* … */` and `// …` comments replaced by spaces (newlines kept).
fn strip_c_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            let end = text[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |e| i + 2 + e + 2);
            out.extend(
                bytes[i..end]
                    .iter()
                    .map(|&b| if b == b'\n' { b'\n' } else { b' ' }),
            );
            i = end;
        } else if bytes[i..].starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else {
            out.push(if bytes[i].is_ascii() { bytes[i] } else { b' ' });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The index of the bracket closing the one at `open` (`(`, `[` or `{`), counting all three
/// kinds; `text` has no comments or string contents left.
fn matching_close(text: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in text.iter().enumerate().skip(open) {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The top-level comma-separated pieces of `inner` (the text between a call's brackets),
/// trimmed; none for empty text.
fn top_level_args(inner: &[u8]) -> Vec<String> {
    let mut args = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, &b) in inner.iter().enumerate() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                args.push(String::from_utf8_lossy(&inner[start..i]).trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = String::from_utf8_lossy(&inner[start..]).trim().to_owned();
    if !last.is_empty() || !args.is_empty() {
        args.push(last);
    }
    args
}

fn parse_header() -> Header {
    let raw = read(&repo().join("include/authcode.h"));
    let text = strip_c_comments(&raw);
    let bytes = text.as_bytes();
    let mut header = Header::default();

    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("#define ")
            && let Some(name) = rest.split_whitespace().next()
        {
            header.defines.insert(name.to_owned());
        }
        // `typedef struct authcode_x authcode_x;`
        if let Some(rest) = line.strip_prefix("typedef struct authcode_")
            && let Some(name) = rest.split_whitespace().next()
        {
            header.opaque.insert(format!("authcode_{name}"));
        }
    }

    // Functions: `authcode_name(` at the start of a declaration, after a return type on the
    // same line (lines inside bodies and parameter lists are indented).
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start_of_line = offset;
        offset += line.len();
        if line.starts_with([' ', '#', '}', '\t']) {
            continue;
        }
        let Some(open) = line.find('(') else { continue };
        let before = &line[..open];
        let Some(name) = before.rsplit([' ', '*']).next() else {
            continue;
        };
        if !name.starts_with("authcode_") || before.len() == name.len() || before.contains('=') {
            continue;
        }
        let open_at = start_of_line + open;
        let close = matching_close(bytes, open_at).unwrap();
        let params = top_level_args(&bytes[open_at + 1..close]);
        let count = if params.len() == 1 && params[0] == "void" {
            0
        } else {
            params.len()
        };
        header.functions.insert(name.to_owned(), count);
    }

    // `typedef struct { fields } name;`
    let mut at = 0;
    while let Some(found) = text[at..].find("typedef struct {") {
        let open = at + found + "typedef struct ".len();
        let close = matching_close(bytes, open).unwrap();
        let after = &text[close + 1..];
        let name = after
            .trim_start()
            .split(';')
            .next()
            .unwrap()
            .trim()
            .to_owned();
        let mut fields = Vec::new();
        for declaration in text[open + 1..close].split(';') {
            let declaration = declaration.trim();
            if declaration.is_empty() {
                continue;
            }
            let field = if let Some(pointer) = declaration.find("(*") {
                // A function pointer: `int32_t (*fill)(…)`.
                declaration[pointer + 2..]
                    .split(')')
                    .next()
                    .unwrap()
                    .trim()
                    .to_owned()
            } else {
                let without_array = declaration.split('[').next().unwrap();
                without_array
                    .rsplit([' ', '*'])
                    .next()
                    .unwrap()
                    .trim()
                    .to_owned()
            };
            fields.push(field);
        }
        header.structs.insert(name, fields);
        at = close;
    }

    // `enum authcode_x … { NAME = value, … };`
    let mut at = 0;
    while let Some(found) = text[at..].find("\nenum authcode_") {
        let name_start = at + found + "\nenum ".len();
        let name_end = name_start
            + text[name_start..]
                .find(|c: char| !is_ident(c as u8))
                .unwrap();
        let tag = text[name_start..name_end].to_owned();
        let open = name_end + text[name_end..].find('{').unwrap();
        let close = matching_close(bytes, open).unwrap();
        let mut constants = Vec::new();
        for entry in text[open + 1..close].split(',') {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let (constant, value) = entry
                .split_once('=')
                .unwrap_or_else(|| panic!("enum {tag}: `{entry}` has no explicit value"));
            constants.push((constant.trim().to_owned(), value.trim().parse().unwrap()));
        }
        header.enums.insert(tag, constants);
        at = close;
    }
    header
}

// ---------------------------------------------------------------------------------------
// The Swift sources

/// One Swift file: its path (for messages) and its code with comments and string contents
/// blanked (newlines kept, so byte offsets give the same line numbers).
struct SwiftFile {
    path: String,
    code: Vec<u8>,
}

impl SwiftFile {
    fn line_of(&self, at: usize) -> usize {
        self.code[..at].iter().filter(|&&b| b == b'\n').count() + 1
    }

    fn code_str(&self) -> &str {
        core::str::from_utf8(&self.code).unwrap()
    }
}

/// Swift `text` with comments (nested `/* */` included) and the contents of string literals
/// (`"…"`, `"""…"""`) replaced by spaces; the quotes stay, so `f("x")` has one argument.
fn strip_swift(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let blank = |b: u8| if b == b'\n' { b'\n' } else { b' ' };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if rest.starts_with(b"/*") {
            let mut depth = 0;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    out.extend(b"  ");
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth -= 1;
                    out.extend(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(bytes[i]));
                    i += 1;
                }
            }
        } else if rest.starts_with(b"\"\"\"") {
            out.extend(b"\"\"\"");
            i += 3;
            while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                out.push(blank(bytes[i]));
                i += 1;
            }
            out.extend(b"\"\"\"");
            i += 3;
        } else if bytes[i] == b'"' {
            out.push(b'"');
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                if bytes[i] == b'\\' && i + 1 < bytes.len() {
                    out.push(b' ');
                    i += 1;
                }
                out.push(blank(bytes[i]));
                i += 1;
            }
            if i < bytes.len() {
                out.push(bytes[i]);
                i += 1;
            }
        } else {
            out.push(if bytes[i].is_ascii() { bytes[i] } else { b' ' });
            i += 1;
        }
    }
    out
}

/// Every `.swift` file under `dir`, sorted by path.
fn swift_files(dir: &Path) -> Vec<SwiftFile> {
    let mut paths = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        if next.is_dir() {
            for entry in std::fs::read_dir(&next).unwrap() {
                pending.push(entry.unwrap().path());
            }
        } else if next.extension().is_some_and(|e| e == "swift") {
            paths.push(next);
        }
    }
    paths.sort();
    let root = repo();
    paths
        .into_iter()
        .map(|path| SwiftFile {
            path: path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string(),
            code: strip_swift(&read(&path)),
        })
        .collect()
}

fn sources() -> Vec<SwiftFile> {
    swift_files(&repo().join("bindings/swift/Sources"))
}

fn all_swift() -> Vec<SwiftFile> {
    let mut files = sources();
    files.extend(swift_files(&repo().join("bindings/swift/Tests")));
    files
}

/// `(offset, identifier)` of every whole-word identifier starting with `prefix`.
fn identifiers_with_prefix<'a>(code: &'a [u8], prefix: &str) -> Vec<(usize, &'a str)> {
    let text = core::str::from_utf8(code).unwrap();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = text[at..].find(prefix) {
        let start = at + offset;
        let mut end = start;
        while end < code.len() && is_ident(code[end]) {
            end += 1;
        }
        if start == 0 || !is_ident(code[start - 1]) {
            found.push((start, &text[start..end]));
        }
        at = end.max(start + 1);
    }
    found
}

/// The arguments of the call whose name ends at `name_end`, or None when no `(` follows.
fn call_args(code: &[u8], name_end: usize) -> Option<Vec<String>> {
    if code.get(name_end) != Some(&b'(') {
        return None;
    }
    let close = matching_close(code, name_end)?;
    Some(top_level_args(&code[name_end + 1..close]))
}

/// The label of a call argument (`ptr: nil` → `ptr`), if it has one.
fn label(arg: &str) -> Option<&str> {
    let end = arg.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let rest = arg[end..].trim_start();
    (end > 0 && rest.starts_with(':') && !rest.starts_with("::")).then(|| &arg[..end])
}

#[test]
fn every_c_call_matches_the_header() {
    let header = parse_header();
    assert!(
        header.functions.len() > 60,
        "parsed only {:?}",
        header.functions
    );
    assert_eq!(
        header.functions.get("authcode_server_create_app"),
        Some(&9),
        "the header parser miscounts parameters"
    );
    assert_eq!(header.functions.get("authcode_version"), Some(&0));
    let enum_typedefs: BTreeSet<&String> = header.enums.keys().collect();
    let enum_constants: BTreeSet<&str> = header
        .enums
        .values()
        .flatten()
        .map(|(name, _)| name.as_str())
        .collect();

    let mut problems = Vec::new();
    let mut calls = 0;
    for file in all_swift() {
        for (at, name) in identifiers_with_prefix(&file.code, "authcode_") {
            let place = format!("{}:{}", file.path, file.line_of(at));
            let args = call_args(&file.code, at + name.len());
            if let Some(&declared) = header.functions.get(name) {
                match args {
                    None => problems.push(format!(
                        "{place}: {name} is not called directly (passed as a value?), so its \
                         arguments cannot be counted; call it in place"
                    )),
                    Some(args) if args.len() != declared => problems.push(format!(
                        "{place}: {name} is called with {} arguments; include/authcode.h declares {declared}",
                        args.len()
                    )),
                    Some(_) => calls += 1,
                }
            } else if let Some(fields) = header.structs.get(name) {
                if let Some(args) = args
                    && !args.is_empty()
                {
                    let labels: Vec<&str> = args.iter().map(|a| label(a).unwrap_or("_")).collect();
                    if labels != *fields {
                        problems.push(format!(
                            "{place}: {name}({}) must name every field in order: {}",
                            labels.join(":, ") + ":",
                            fields.join(", ")
                        ));
                    }
                }
            } else if enum_typedefs.contains(&name.to_owned()) {
                problems.push(format!(
                    "{place}: names {name}; boundary enums are UInt32 in Swift (the import of the \
                     typedef beside the enum tag is not reliable)"
                ));
            } else if !header.opaque.contains(name) {
                problems.push(format!(
                    "{place}: {name} is not declared in include/authcode.h"
                ));
            }
        }
        for (at, name) in identifiers_with_prefix(&file.code, "AUTHCODE_") {
            let place = format!("{}:{}", file.path, file.line_of(at));
            if enum_constants.contains(name) {
                problems.push(format!(
                    "{place}: uses the C enumerator {name}; use the Swift enum's raw value"
                ));
            } else if !header.defines.contains(name) {
                problems.push(format!(
                    "{place}: {name} is not #defined in include/authcode.h"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        calls >= 60,
        "found only {calls} C calls in the Swift sources"
    );
}

/// Swift enum ↔ header enum tag.
const MIRRORS: [(&str, &str); 14] = [
    ("ResultCode", "authcode_result"),
    ("Stage", "authcode_stage"),
    ("RedirectOutcome", "authcode_redirect_outcome"),
    ("TokenOutcome", "authcode_token_outcome"),
    ("RefreshOutcome", "authcode_refresh_outcome"),
    ("TokenType", "authcode_token_type"),
    ("OAuthErrorCode", "authcode_error_code"),
    ("Profile", "authcode_profile"),
    ("BodyFormat", "authcode_body_format"),
    ("TokenKind", "authcode_token_kind"),
    ("AppKind", "authcode_app_kind"),
    ("JWSAlgorithm", "authcode_jws_algorithm"),
    ("CredentialsAuth", "authcode_credentials_auth"),
    ("CredentialsOutcome", "authcode_credentials_outcome"),
];

/// Whether `swift` is the lowerCamelCase of `words` (lower-case C words), each word after
/// the first either Capitalised or in capitals (`sessionId` or `sessionID`).
fn camel_matches(swift: &str, words: &[String]) -> bool {
    fn rest(swift: &str, words: &[String]) -> bool {
        let Some((word, tail)) = words.split_first() else {
            return swift.is_empty();
        };
        let mut capitalised = word.clone();
        capitalised[..1].make_ascii_uppercase();
        let upper = word.to_ascii_uppercase();
        [capitalised, upper].iter().any(|form| {
            swift
                .strip_prefix(form.as_str())
                .is_some_and(|s| rest(s, tail))
        })
    }
    let Some((first, tail)) = words.split_first() else {
        return false;
    };
    swift
        .strip_prefix(first.as_str())
        .is_some_and(|s| rest(s, tail))
}

/// The `case name = value` entries of the Swift enum `name` (declared `enum name: UInt32`).
fn swift_enum_cases(file: &SwiftFile, name: &str) -> Option<Result<Vec<(String, u64)>, String>> {
    let code = file.code_str();
    let marker = format!("enum {name}: UInt32");
    let start = code.find(&marker)?;
    let open = start + code[start..].find('{')?;
    let close = matching_close(&file.code, open)?;
    let mut cases = Vec::new();
    for line in code[open + 1..close].lines() {
        let Some(list) = line.trim().strip_prefix("case ") else {
            continue;
        };
        for entry in list.split(',') {
            let Some((case, value)) = entry.split_once('=') else {
                return Some(Err(format!(
                    "{}: enum {name}: `case {}` has no explicit raw value",
                    file.path,
                    entry.trim()
                )));
            };
            let Ok(value) = value.trim().parse() else {
                return Some(Err(format!(
                    "{}: enum {name}: `{}` is not a number",
                    file.path,
                    value.trim()
                )));
            };
            cases.push((case.trim().to_owned(), value));
        }
    }
    Some(Ok(cases))
}

#[test]
fn every_swift_enum_mirrors_its_header_enum_exactly() {
    let header = parse_header();
    let mirrored: BTreeSet<&str> = MIRRORS.iter().map(|(_, tag)| *tag).collect();
    let declared: BTreeSet<&str> = header.enums.keys().map(String::as_str).collect();
    assert_eq!(
        declared, mirrored,
        "header enums vs the Swift mirrors in MIRRORS (add a Swift enum with raw values and a row)"
    );
    let files = sources();
    let mut problems = Vec::new();
    for (swift_name, tag) in MIRRORS {
        let Some(found) = files.iter().find_map(|f| swift_enum_cases(f, swift_name)) else {
            problems.push(format!(
                "no `enum {swift_name}: UInt32` in bindings/swift/Sources (mirrors {tag})"
            ));
            continue;
        };
        let cases = match found {
            Ok(cases) => cases,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let prefix = format!("{}_", tag.to_ascii_uppercase());
        let mut matched = BTreeSet::new();
        for (constant, value) in &header.enums[tag] {
            let words: Vec<String> = constant
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{constant} does not start with {prefix}"))
                .split('_')
                .map(str::to_ascii_lowercase)
                .collect();
            match cases.iter().find(|(case, _)| camel_matches(case, &words)) {
                None => problems.push(format!(
                    "enum {swift_name} has no case for {constant} = {value} (expected `{}`)",
                    words
                        .iter()
                        .enumerate()
                        .map(|(i, w)| if i == 0 {
                            w.clone()
                        } else {
                            w[..1].to_ascii_uppercase() + &w[1..]
                        })
                        .collect::<String>()
                )),
                Some((case, swift_value)) => {
                    matched.insert(case.clone());
                    if swift_value != value {
                        problems.push(format!(
                            "enum {swift_name}: case {case} = {swift_value}, but {constant} = {value}"
                        ));
                    }
                }
            }
        }
        for (case, value) in &cases {
            if !matched.contains(case) {
                problems.push(format!(
                    "enum {swift_name}: case {case} = {value} matches no constant of enum {tag}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_function_not_excluded_for_swift_is_called() {
    let header = parse_header();
    let parity = read(&repo().join("bindings/parity.txt"));
    let excluded: BTreeSet<&str> = parity
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let binding = words.next()?;
            let function = words.next()?;
            (binding == "*" || binding == "swift").then_some(function)
        })
        .collect();
    let mut called = BTreeSet::new();
    for file in sources() {
        for (at, name) in identifiers_with_prefix(&file.code, "authcode_") {
            if file.code.get(at + name.len()) == Some(&b'(') {
                called.insert(name.to_owned());
            }
        }
    }
    let missing: Vec<&String> = header
        .functions
        .keys()
        .filter(|f| !excluded.contains(f.as_str()) && !called.contains(*f))
        .collect();
    assert!(
        missing.is_empty(),
        "the Swift sources call none of these (a comment is not a wrapper):\n{}",
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_package_uses_the_xcframework_and_its_module_map() {
    let swift_dir = repo().join("bindings/swift");
    let manifest: String = read(&swift_dir.join("Package.swift"))
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    for needed in [
        r#".binaryTarget(name: "AuthcodeFFI", path: "AuthcodeFFI.xcframework")"#,
        r#"dependencies: ["AuthcodeFFI"]"#,
        r#".testTarget(name: "AuthcodeTests", dependencies: ["Authcode"], path: "Tests/AuthcodeTests")"#,
    ] {
        assert!(manifest.contains(needed), "Package.swift lacks {needed}");
    }
    assert!(
        !manifest.contains("systemLibrary") && !swift_dir.join("Sources/CAuthcode").exists(),
        "the CAuthcode system library is gone: the binary target carries the module"
    );
    assert!(
        swift_dir
            .join("Tests/AuthcodeTests/AuthcodeTests.swift")
            .is_file(),
        "the XCTest suite is missing"
    );
    for file in sources() {
        assert!(
            file.code_str().contains("\nimport AuthcodeFFI\n"),
            "{} does not `import AuthcodeFFI`",
            file.path
        );
    }

    // The script's Headers directory: the committed header and a module map for AuthcodeFFI.
    let script = swift_dir.join("build-xcframework.sh");
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(syntax.success(), "bash -n build-xcframework.sh failed");
    let out = std::env::temp_dir().join(format!("authcode-swift-headers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = std::process::Command::new("bash")
        .arg(&script)
        .arg("--headers-only")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "build-xcframework.sh --headers-only failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        read(&out.join("authcode.h")),
        read(&repo().join("include/authcode.h")),
        "the staged header differs from include/authcode.h"
    );
    let module_map = read(&out.join("module.modulemap"));
    let words: Vec<&str> = module_map.split_whitespace().collect();
    assert_eq!(
        words,
        [
            "module",
            "AuthcodeFFI",
            "{",
            "header",
            "\"authcode.h\"",
            "export",
            "*",
            "}"
        ],
        "module.modulemap:\n{module_map}"
    );
    std::fs::remove_dir_all(&out).unwrap();
}

/// Swift class ↔ the C object it wraps (the prefix of its functions).
const CLASSES: [(&str, &str); 4] = [
    ("ClientConfig", "authcode_client_config_"),
    ("Session", "authcode_session_"),
    ("CredentialsClient", "authcode_credentials_client_"),
    ("Server", "authcode_server_"),
];

/// Every failing call on an object attaches that object's last error: inside each wrapper
/// class every C function called is one of that object's, every `check(…)` passes
/// `lastError` (only the call that creates the object, which has none yet, passes nothing),
/// and `lastError()` reads the object's `*_last_error`.
#[test]
fn every_failing_call_attaches_its_objects_last_error() {
    let header = parse_header();
    let mut problems = Vec::new();
    let files = sources();
    for (class, prefix) in CLASSES {
        let marker = format!("final class {class} {{");
        let Some((file, start)) = files
            .iter()
            .find_map(|f| f.code_str().find(&marker).map(|at| (f, at)))
        else {
            problems.push(format!(
                "no `final class {class}` in bindings/swift/Sources"
            ));
            continue;
        };
        let open = start + marker.len() - 1;
        let close = matching_close(&file.code, open).unwrap();
        let body = &file.code[..close];
        let text = file.code_str();
        let reader = format!("{prefix}last_error(");
        if !text[open..close].contains(&reader) {
            problems.push(format!("{class}.lastError() does not call {reader}…)"));
        }
        for (at, name) in identifiers_with_prefix(&file.code[..close], "authcode_") {
            if at > open
                && header.functions.contains_key(name)
                && body.get(at + name.len()) == Some(&b'(')
                && !name.starts_with(prefix)
            {
                // The one foreign call allowed: a session is created from a configuration.
                let creates_session = class == "Session" && name == "authcode_session_new";
                if !creates_session {
                    problems.push(format!(
                        "{}:{}: {class} calls {name}, not a function of its own object",
                        file.path,
                        file.line_of(at)
                    ));
                }
            }
        }
        let mut at = open;
        while let Some(found) = text[at..close].find("check(") {
            let position = at + found;
            at = position + "check(".len();
            if position > 0 && is_ident(file.code[position - 1]) {
                continue;
            }
            let Some(args) = call_args(&file.code, position + "check".len()) else {
                continue;
            };
            let place = format!("{}:{}", file.path, file.line_of(position));
            match args.as_slice() {
                [_, detail] if detail == "lastError" => {}
                [only] => {
                    // Creating the object: no object holds a reason yet.
                    let function_start = text[open..position]
                        .rfind("func ")
                        .max(text[open..position].rfind("init("))
                        .map_or(open, |f| open + f);
                    // (`_from_metadata` and `_from_config` create one too; the first hands
                    // back its own reason.)
                    let creates = |code: &str| {
                        code.contains("_new(")
                            || code.contains("_from_metadata(")
                            || code.contains("_from_config(")
                    };
                    if !creates(&text[function_start..position]) && !creates(only) {
                        problems.push(format!(
                            "{place}: {class}: check({only}) attaches no last error; pass lastError"
                        ));
                    }
                }
                other => problems.push(format!(
                    "{place}: {class}: check({}) must pass lastError as the detail",
                    other.join(", ")
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every public Swift declaration (and every enum case) has a `///` doc comment above it.
#[test]
fn every_public_swift_item_is_documented() {
    let mut problems = Vec::new();
    let root = repo();
    let mut pending = vec![root.join("bindings/swift/Sources")];
    while let Some(next) = pending.pop() {
        if next.is_dir() {
            for entry in std::fs::read_dir(&next).unwrap() {
                pending.push(entry.unwrap().path());
            }
            continue;
        }
        if next.extension().is_none_or(|e| e != "swift") {
            continue;
        }
        let text = read(&next);
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            // `case x:` of a switch is not a declaration.
            let declares = trimmed.starts_with("public ")
                || (trimmed.starts_with("case ") && !trimmed.trim_end().ends_with(':'));
            if !declares || trimmed.starts_with("public extension") {
                continue;
            }
            // The nearest line above that is not an attribute.
            let above = lines[..index]
                .iter()
                .rev()
                .map(|l| l.trim_start())
                .find(|l| !l.starts_with('@'));
            if !above.is_some_and(|l| l.starts_with("///")) {
                problems.push(format!(
                    "{}:{}: `{}` has no /// doc comment",
                    next.strip_prefix(&root).unwrap_or(&next).display(),
                    index + 1,
                    trimmed
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
