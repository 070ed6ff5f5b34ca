//! The JSON object reader against `serde_json` (proptest): for generated objects and for
//! mutations of them, authcode accepts exactly when `serde_json` accepts, and reads the
//! same members.
//!
//! Two limits of `serde_json`'s, not of JSON, are left out: numbers beyond `f64`'s range
//! (`1e400`, which RFC 8259 §6 allows and `serde_json` refuses) and nesting deeper than
//! `serde_json`'s recursion limit (authcode's own limit, 32 levels, is lower and refused
//! with its own error).

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use authcode::wire::json::{JsonError, ObjectReader, Value};
use proptest::prelude::*;

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        (-1_000_000i64..1_000_000).prop_map(|n| n.to_string()),
        (-1000.0f64..1000.0).prop_map(|f| format!("{f}")),
        Just("1e10".to_owned()),
        Just("-0.5E-3".to_owned()),
        "[ -~]{0,12}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        Just(r#""\u00e9\ud83d\ude00\n\"\\/""#.to_owned()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5)
                .prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..5).prop_map(|members| {
                let body: Vec<String> = members
                    .into_iter()
                    .map(|(name, value)| {
                        format!("{}:{value}", serde_json::to_string(&name).unwrap())
                    })
                    .collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

fn object() -> impl Strategy<Value = String> {
    prop::collection::vec(("[a-z_]{1,12}", value()), 0..6).prop_map(|members| {
        let body: Vec<String> = members
            .into_iter()
            .map(|(name, value)| format!("{} : {value}", serde_json::to_string(&name).unwrap()))
            .collect();
        format!(" {{ {} }} ", body.join(" , "))
    })
}

/// A byte edit that is likely to break or change JSON structure.
fn mutation() -> impl Strategy<Value = (usize, u8, u8)> {
    (
        any::<usize>(),
        0u8..3,
        prop::sample::select(b"{}[]:,\"\\ -0123456789.eE+tfnulrsa\x01\x7f\xc3\xa9\xff".to_vec()),
    )
}

fn mutate(text: &str, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for &(at, kind, byte) in edits {
        let at = if bytes.is_empty() {
            0
        } else {
            at % (bytes.len() + 1)
        };
        match kind {
            0 => bytes.insert(at.min(bytes.len()), byte),
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ if at < bytes.len() => bytes[at] = byte,
            _ => bytes.push(byte),
        }
    }
    bytes
}

/// authcode's reading: `Ok(members)` (name, decoded string value or `None`) or the error.
fn ours(bytes: &[u8]) -> Result<Vec<(String, Option<String>)>, JsonError> {
    let mut reader = ObjectReader::new(bytes);
    let mut members = Vec::new();
    while let Some((name, value)) = reader.next_member()? {
        let mut buf = vec![0u8; 4096];
        let name = name.decode_into(&mut buf)?.to_owned();
        let text = match value {
            Value::String(raw) => Some(raw.decode_into(&mut buf)?.to_owned()),
            _ => None,
        };
        members.push((name, text));
    }
    Ok(members)
}

/// Whether `serde_json` refuses for one of its own limits rather than for JSON's rules.
fn serde_limit(error: &serde_json::Error) -> bool {
    let message = error.to_string();
    message.contains("number out of range") || message.contains("recursion limit")
}

fn compare(bytes: &[u8]) -> Result<(), TestCaseError> {
    let theirs = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes);
    let mine = ours(bytes);
    match (&theirs, &mine) {
        (Err(error), _) if serde_limit(error) => {}
        (_, Err(JsonError::TooDeep)) => {}
        (Ok(map), Ok(members)) => {
            // serde_json keeps the last of repeated names: so does this view of ours.
            let last: std::collections::BTreeMap<&str, &Option<String>> = members
                .iter()
                .map(|(name, text)| (name.as_str(), text))
                .collect();
            prop_assert_eq!(last.len(), map.len());
            for (name, text) in last {
                let value = map.get(name);
                prop_assert!(value.is_some(), "{} missing for serde_json", name);
                if let Some(text) = text {
                    prop_assert_eq!(value.and_then(|v| v.as_str()), Some(text.as_str()));
                }
            }
        }
        (Err(_), Err(_)) => {}
        _ => prop_assert!(
            false,
            "disagreement on {:?}: serde_json {:?}, authcode {:?}",
            String::from_utf8_lossy(bytes),
            theirs.as_ref().map(|_| ()).map_err(ToString::to_string),
            mine.as_ref().map(|_| ())
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_objects_are_read_like_serde_json_reads_them(text in object()) {
        prop_assert!(ours(text.as_bytes()).is_ok(), "{text}");
        compare(text.as_bytes())?;
    }

    #[test]
    fn mutated_objects_are_accepted_exactly_when_serde_json_accepts(
        text in object(),
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        compare(&mutate(&text, &edits))?;
    }
}

#[test]
fn the_reported_inputs_are_refused() {
    for body in [
        &br#"{"a":[}"#[..],
        br#"{"a":{]}"#,
        br#"{"a":[not json, 'x', @@]}"#,
        b"{\"a\":[\"\x01\"]}",
        br#"{"a":[1 2]}"#,
        br#"{"a":{"b"}}"#,
        br#"{"a":{"b":}}"#,
        br#"{"a":[1,]}"#,
        br#"{"a":[tru]}"#,
        br#"{"a":[01]}"#,
        b"{\"a\":\"\xff\"}",
    ] {
        assert!(ours(body).is_err(), "{:?}", String::from_utf8_lossy(body));
        assert!(serde_json::from_slice::<serde_json::Value>(body).is_err());
    }
}
