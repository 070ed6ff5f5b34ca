//! The JWS examples of RFC 7515 Appendix A.2 (RS256) and A.3 (ES256) and RFC 8037 A.4
//! (Ed25519) verify; every refusal the JOSE layer promises is made; keys in certificates
//! made by `openssl req -x509` (as Workfront asks for) verify signatures OpenSSL made.

#![cfg(test)]
#![cfg(all(
    feature = "jose-rsa",
    feature = "jose-ec",
    feature = "jose-ed25519",
    feature = "jose-der"
))]

use std::process::Command;

use authcode::jose::{
    Algorithm, Audience, Claims, Compact, JoseError, Jwk, JwkSet, KeyError, Part, PublicKey,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const PAYLOAD: &str = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const A2_SIG: &str = "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
const A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const A3_SIG: &str =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const RFC8037_JWS: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

fn rsa_jwk() -> String {
    format!(r#"{{"kty":"RSA","kid":"2010-12-29","n":"{A2_N}","e":"AQAB"}}"#)
}

fn ec_jwk() -> String {
    format!(r#"{{"kty":"EC","crv":"P-256","kid":"e9bc097a","x":"{A3_X}","y":"{A3_Y}"}}"#)
}

fn ed_jwk() -> String {
    format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{RFC8037_X}"}}"#)
}

fn b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

#[test]
fn rfc7515_a2_rs256_verifies() {
    let key = Jwk::parse(rsa_jwk().as_bytes()).unwrap();
    assert_eq!(key.key().algorithm(), Algorithm::Rs256);
    let token = format!("eyJhbGciOiJSUzI1NiJ9.{PAYLOAD}.{A2_SIG}");
    let jws = Compact::parse(token.as_bytes()).unwrap();
    let mut payload = [0u8; 256];
    let payload = jws.verify(key.key(), &mut payload).unwrap();
    let claims = Claims::parse(payload).unwrap();
    assert!(claims.issuer.unwrap().is("joe"));
    assert_eq!(claims.expires_at, Some(1_300_819_380));
    // One changed payload byte breaks it.
    let forged = token.replacen(".eyJpc3MiOiJqb2Ui", ".eyJpc3MiOiJqb2Xi", 1);
    assert_eq!(
        Compact::parse(forged.as_bytes())
            .unwrap()
            .verify(key.key(), &mut [0u8; 256]),
        Err(JoseError::BadSignature)
    );
}

#[test]
fn rfc7515_a3_es256_verifies() {
    let key = Jwk::parse(ec_jwk().as_bytes()).unwrap();
    let token = format!("eyJhbGciOiJFUzI1NiJ9.{PAYLOAD}.{A3_SIG}");
    let jws = Compact::parse(token.as_bytes()).unwrap();
    assert!(jws.verify(key.key(), &mut [0u8; 256]).is_ok());
    // DER-encoded ECDSA signatures are not the JWS encoding.
    let der_sig = URL_SAFE_NO_PAD.encode([0x30u8; 70]);
    let token = format!("eyJhbGciOiJFUzI1NiJ9.{PAYLOAD}.{der_sig}");
    assert_eq!(
        Compact::parse(token.as_bytes())
            .unwrap()
            .verify(key.key(), &mut [0u8; 256]),
        Err(JoseError::BadSignature)
    );
}

#[test]
fn rfc8037_a4_ed25519_verifies() {
    let key = Jwk::parse(ed_jwk().as_bytes()).unwrap();
    let jws = Compact::parse(RFC8037_JWS.as_bytes()).unwrap();
    let mut payload = [0u8; 64];
    assert_eq!(
        jws.verify(key.key(), &mut payload).unwrap(),
        b"Example of Ed25519 signing"
    );
}

#[test]
fn the_key_decides_never_the_header() {
    let rsa = Jwk::parse(rsa_jwk().as_bytes()).unwrap();
    // alg none, with or without a signature.
    for token in [
        format!("{}.{PAYLOAD}.", b64(r#"{"alg":"none"}"#)),
        format!("{}.{PAYLOAD}.AAAA", b64(r#"{"alg":"none"}"#)),
    ] {
        let refused = Compact::parse(token.as_bytes())
            .and_then(|jws| jws.verify(rsa.key(), &mut [0u8; 256]).map(|_| ()));
        assert!(
            matches!(
                refused,
                Err(JoseError::AlgorithmNone | JoseError::Malformed { .. })
            ),
            "{refused:?}"
        );
    }
    // HS256 "signed" with the RSA public key's bytes (the classic key confusion).
    let token = format!("{}.{PAYLOAD}.AAAA", b64(r#"{"alg":"HS256"}"#));
    assert_eq!(
        Compact::parse(token.as_bytes())
            .unwrap()
            .verify(rsa.key(), &mut [0u8; 256]),
        Err(JoseError::SymmetricAlgorithm)
    );
    // ES256 header against the RSA key.
    let token = format!("eyJhbGciOiJFUzI1NiJ9.{PAYLOAD}.{A3_SIG}");
    assert_eq!(
        Compact::parse(token.as_bytes())
            .unwrap()
            .verify(rsa.key(), &mut [0u8; 256]),
        Err(JoseError::AlgorithmMismatch {
            header: Algorithm::Es256,
            key: Algorithm::Rs256
        })
    );
    // An unknown algorithm, a missing one, and one of the wrong case.
    for (header, error) in [
        (r#"{"alg":"PS256"}"#, JoseError::UnsupportedAlgorithm),
        (r#"{"typ":"JWT"}"#, JoseError::MissingAlgorithm),
        (r#"{"alg":"rs256"}"#, JoseError::UnsupportedAlgorithm),
        (
            r#"{"alg":"RS256","crit":["exp"],"exp":1}"#,
            JoseError::UnknownCritical,
        ),
        (
            r#"{"alg":"RS256","alg":"RS256"}"#,
            JoseError::DuplicateMember { member: "alg" },
        ),
        (r#"{"alg":7}"#, JoseError::InvalidMember { member: "alg" }),
    ] {
        let token = format!("{}.{PAYLOAD}.{A2_SIG}", b64(header));
        assert_eq!(
            Compact::parse(token.as_bytes()).unwrap().header(),
            Err(error),
            "{header}"
        );
    }
}

#[test]
fn malformed_and_oversized_parts_are_refused() {
    for token in ["", "a.b", "a.b.c.d", ".b.c", "a.b.", "a+b.c.d", "a.b.c="] {
        assert!(
            matches!(
                Compact::parse(token.as_bytes()),
                Err(JoseError::Malformed { .. })
            ),
            "{token}"
        );
    }
    let big_header = "A".repeat(2000);
    assert_eq!(
        Compact::parse(format!("{big_header}.{PAYLOAD}.AAAA").as_bytes()),
        Err(JoseError::TooLarge {
            part: Part::Header,
            max: 1024
        })
    );
    let big_sig = "A".repeat(1000);
    assert_eq!(
        Compact::parse(format!("eyJhbGciOiJSUzI1NiJ9.{PAYLOAD}.{big_sig}").as_bytes()),
        Err(JoseError::TooLarge {
            part: Part::Signature,
            max: 512
        })
    );
    // A payload larger than the caller's buffer: refused after the signature checked.
    let key = Jwk::parse(rsa_jwk().as_bytes()).unwrap();
    let token = format!("eyJhbGciOiJSUzI1NiJ9.{PAYLOAD}.{A2_SIG}");
    assert_eq!(
        Compact::parse(token.as_bytes())
            .unwrap()
            .verify(key.key(), &mut [0u8; 16]),
        Err(JoseError::TooLarge {
            part: Part::Payload,
            max: 16
        })
    );
}

#[test]
fn a_jwk_set_chooses_by_kid_and_algorithm() {
    let set = format!(
        r#"{{"keys":[{},{},{},{{"kty":"oct","k":"c2VjcmV0"}},{{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}}]}}"#,
        rsa_jwk(),
        ec_jwk(),
        ed_jwk()
    );
    let set = JwkSet::parse(set.as_bytes()).unwrap();
    assert_eq!(set.keys().count(), 5);
    assert_eq!(set.keys().filter(Result::is_ok).count(), 3);
    let header = |json: &str| {
        let token = format!("{}.{PAYLOAD}.AAAA", b64(json));
        Compact::parse(token.as_bytes()).unwrap().header().unwrap()
    };
    let rs = set
        .find(&header(r#"{"alg":"RS256","kid":"2010-12-29"}"#))
        .unwrap();
    assert_eq!(rs.algorithm(), Algorithm::Rs256);
    // No kid: the one key of that algorithm.
    assert_eq!(
        set.find(&header(r#"{"alg":"ES256"}"#)).unwrap().algorithm(),
        Algorithm::Es256
    );
    assert_eq!(
        set.find(&header(r#"{"alg":"RS256","kid":"other"}"#)),
        Err(JoseError::NoMatchingKey)
    );
    // The kid of an RSA key with an ES256 header: no key.
    assert_eq!(
        set.find(&header(r#"{"alg":"ES256","kid":"2010-12-29"}"#)),
        Err(JoseError::NoMatchingKey)
    );
    let two = format!(
        r#"{{"keys":[{},{}]}}"#,
        ec_jwk(),
        ec_jwk().replace("e9bc097a", "second")
    );
    let two = JwkSet::parse(two.as_bytes()).unwrap();
    assert_eq!(
        two.find(&header(r#"{"alg":"ES256"}"#)),
        Err(JoseError::AmbiguousKey)
    );
    // An encryption key is never used for signatures.
    let enc = ec_jwk().replace(r#""kty":"EC""#, r#""kty":"EC","use":"enc""#);
    let enc = format!(r#"{{"keys":[{enc}]}}"#);
    let enc = JwkSet::parse(enc.as_bytes()).unwrap();
    assert_eq!(
        enc.find(&header(r#"{"alg":"ES256"}"#)),
        Err(JoseError::NoMatchingKey)
    );
}

#[test]
fn malformed_keys_and_sets_name_what_is_wrong() {
    for (json, error) in [
        (r#"{"n":"AQAB"}"#, KeyError::MissingMember { member: "kty" }),
        (
            r#"{"kty":"RSA","e":"AQAB"}"#,
            KeyError::MissingMember { member: "n" },
        ),
        (
            r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#,
            KeyError::RsaModulus { bits: 17 },
        ),
        (
            r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}"#,
            KeyError::UnsupportedCurve,
        ),
        (
            r#"{"kty":"OKP","crv":"X25519","x":"AA"}"#,
            KeyError::UnsupportedCurve,
        ),
        (r#"{"kty":"oct","k":"AA"}"#, KeyError::UnsupportedKeyType),
        (
            r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#,
            KeyError::InvalidMember { member: "x" },
        ),
        (
            r#"{"kty":"OKP","crv":"Ed25519","x":"a+b/"}"#,
            KeyError::InvalidMember { member: "x" },
        ),
        (
            r#"{"kty":"OKP","kty":"OKP"}"#,
            KeyError::DuplicateMember { member: "kty" },
        ),
    ] {
        assert_eq!(Jwk::parse(json.as_bytes()), Err(error), "{json}");
    }
    // Exponents: even, 1, wider than 64 bits.
    for e in ["AQAA", "AQ", "AQAAAAAAAAAAAQ"] {
        let json = format!(r#"{{"kty":"RSA","n":"{A2_N}","e":"{e}"}}"#);
        assert_eq!(
            Jwk::parse(json.as_bytes()),
            Err(KeyError::RsaExponent),
            "{e}"
        );
    }
    // An EC point off the curve.
    let off = ec_jwk().replace(A3_Y, A3_X);
    assert_eq!(Jwk::parse(off.as_bytes()), Err(KeyError::InvalidPoint));
    // An alg that does not fit the key type.
    let wrong = rsa_jwk().replace(r#""kty":"RSA""#, r#""kty":"RSA","alg":"ES256""#);
    assert_eq!(
        Jwk::parse(wrong.as_bytes()),
        Err(KeyError::AlgorithmMismatch)
    );
    for (json, error) in [
        ("{}", KeyError::MissingMember { member: "keys" }),
        (r#"{"keys":{}}"#, KeyError::InvalidMember { member: "keys" }),
        (
            r#"{"keys":["x"]}"#,
            KeyError::InvalidMember { member: "keys" },
        ),
    ] {
        assert_eq!(JwkSet::parse(json.as_bytes()), Err(error), "{json}");
    }
    let many = format!(r#"{{"keys":[{}]}}"#, vec![ed_jwk(); 65].join(","));
    assert_eq!(JwkSet::parse(many.as_bytes()), Err(KeyError::TooLarge));
}

#[test]
fn claims_are_typed() {
    let claims = Claims::parse(
        br#"{"iss":"https://op","sub":"u1","aud":["a","b"],"exp":10.5,"iat":5,"nonce":"n","x":{"y":1}}"#,
    )
    .unwrap();
    assert!(claims.audience.contains("b"));
    assert!(!claims.audience.contains("c"));
    assert_eq!(claims.audience.count(), 2);
    assert_eq!(claims.expires_at, Some(10));
    assert!(matches!(
        Claims::parse(br#"{"aud":"a"}"#).unwrap().audience,
        Audience::One(_)
    ));
    for (json, member) in [
        (r#"{"exp":-1}"#, "exp"),
        (r#"{"exp":"10"}"#, "exp"),
        (r#"{"iat":1e3}"#, "iat"),
        (r#"{"aud":["a",1]}"#, "aud"),
        (r#"{"iss":1}"#, "iss"),
    ] {
        assert_eq!(
            Claims::parse(json.as_bytes()),
            Err(JoseError::InvalidMember { member }),
            "{json}"
        );
    }
    assert_eq!(
        Claims::parse(br#"{"sub":"a","sub":"b"}"#),
        Err(JoseError::DuplicateMember { member: "sub" })
    );
    let mut out = [0u8; 32];
    let claims = Claims::parse(br#"{"email":"a\u0040b.c","email_verified":true}"#).unwrap();
    assert_eq!(
        claims.string_claim("email", &mut out).unwrap(),
        Some("a@b.c")
    );
    assert_eq!(claims.bool_claim("email_verified").unwrap(), Some(true));
}

/// A key pair and a self-signed certificate made as Workfront's documentation shows,
/// and a signature OpenSSL makes with it.
fn openssl(args: &[&str], dir: &std::path::Path) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl {args:?}");
}

#[test]
#[ignore = "needs the openssl command (Debian's openssl package)"]
fn certificates_and_keys_from_openssl_verify_openssl_signatures() {
    let dir = std::env::temp_dir().join(format!("authcode-jose-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let signing_input = format!("{}.{}", b64(r#"{"alg":"RS256"}"#), b64(r#"{"sub":"x"}"#));
    std::fs::write(dir.join("input"), &signing_input).unwrap();
    for (newkey, alg, header) in [
        ("rsa:2048", Algorithm::Rs256, r#"{"alg":"RS256"}"#),
        ("rsa:4096", Algorithm::Rs256, r#"{"alg":"RS256"}"#),
        ("ec", Algorithm::Es256, r#"{"alg":"ES256"}"#),
        ("ed25519", Algorithm::EdDsa, r#"{"alg":"EdDSA"}"#),
    ] {
        let mut args = vec![
            "req",
            "-x509",
            "-sha256",
            "-nodes",
            "-days",
            "365",
            "-subj",
            "/CN=authcode-test",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ];
        match newkey {
            "ec" => args.extend(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]),
            other => args.extend(["-newkey", other]),
        }
        openssl(&args, &dir);
        openssl(
            &["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"],
            &dir,
        );
        let from_cert = PublicKey::from_pem(&std::fs::read(dir.join("cert.pem")).unwrap()).unwrap();
        let from_spki = PublicKey::from_pem(&std::fs::read(dir.join("pub.pem")).unwrap()).unwrap();
        assert_eq!(from_cert, from_spki, "{newkey}");
        assert_eq!(from_cert.algorithm(), alg);
        let signing_input = format!("{}.{}", b64(header), b64(r#"{"sub":"x"}"#));
        std::fs::write(dir.join("input"), &signing_input).unwrap();
        let signature = match alg {
            Algorithm::EdDsa => {
                openssl(
                    &[
                        "pkeyutl", "-sign", "-rawin", "-inkey", "key.pem", "-in", "input", "-out",
                        "sig",
                    ],
                    &dir,
                );
                std::fs::read(dir.join("sig")).unwrap()
            }
            Algorithm::Rs256 => {
                openssl(
                    &[
                        "dgst", "-sha256", "-sign", "key.pem", "-out", "sig", "input",
                    ],
                    &dir,
                );
                std::fs::read(dir.join("sig")).unwrap()
            }
            Algorithm::Es256 => {
                openssl(
                    &[
                        "dgst", "-sha256", "-sign", "key.pem", "-out", "sig", "input",
                    ],
                    &dir,
                );
                der_to_p1363(&std::fs::read(dir.join("sig")).unwrap())
            }
        };
        let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(&signature));
        let jws = Compact::parse(token.as_bytes()).unwrap();
        let mut payload = [0u8; 64];
        assert_eq!(
            jws.verify(&from_cert, &mut payload).unwrap(),
            br#"{"sub":"x"}"#,
            "{newkey}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An ECDSA signature from DER `SEQUENCE { r INTEGER, s INTEGER }` to JWS `r || s`.
fn der_to_p1363(der: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 2;
    for _ in 0..2 {
        assert_eq!(der[at], 0x02);
        let len = der[at + 1] as usize;
        let int = &der[at + 2..at + 2 + len];
        let int = &int[int.len().saturating_sub(32)..];
        out.extend(core::iter::repeat_n(0u8, 32 - int.len()));
        out.extend_from_slice(int);
        at += 2 + len;
    }
    out
}

#[test]
fn der_and_pem_refusals() {
    assert_eq!(PublicKey::from_spki_der(b"\x30\x00"), Err(KeyError::Der));
    assert_eq!(
        PublicKey::from_certificate_der(b"\x30\x03\x02\x01\x00"),
        Err(KeyError::Der)
    );
    assert_eq!(
        PublicKey::from_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        Err(KeyError::Pem)
    );
    assert_eq!(PublicKey::from_pem(b"not pem"), Err(KeyError::Pem));
}
