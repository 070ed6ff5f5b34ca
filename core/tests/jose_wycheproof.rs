//! Every Wycheproof vector for RSASSA-PKCS1-v1_5 with SHA-256 (2048, 3072, 4096 bits),
//! ECDSA P-256 with SHA-256 in P1363 (JWS) form, and Ed25519 gives the expected verdict
//! — with the key read from its DER SubjectPublicKeyInfo, from its PEM, and (where the
//! vectors carry one) from its JWK.

#![cfg(test)]
#![cfg(all(
    feature = "jose-rsa",
    feature = "jose-ec",
    feature = "jose-ed25519",
    feature = "jose-der"
))]

use authcode::jose::{Algorithm, PublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use wycheproof::TestResult;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Checks one test: `valid` must verify, `invalid` must not; `acceptable` (legacy
/// encodings Wycheproof lets a verifier take or refuse) is counted.
fn check(
    key: &PublicKey,
    algorithm: Algorithm,
    id: usize,
    msg: &[u8],
    sig: &[u8],
    result: TestResult,
    counts: &mut [usize; 3],
) {
    let verdict = key.verify(algorithm, msg, sig).is_ok();
    match result {
        TestResult::Valid => {
            assert!(verdict, "tcId {id}: a valid signature was refused");
            counts[0] += 1;
        }
        TestResult::Invalid => {
            assert!(!verdict, "tcId {id}: an invalid signature was accepted");
            counts[1] += 1;
        }
        TestResult::Acceptable => counts[2] += 1,
    }
}

fn same_key_three_ways(der: &[u8], pem: &str, jwk: Option<String>) -> PublicKey {
    let from_der = PublicKey::from_spki_der(der).unwrap();
    let from_pem = PublicKey::from_pem(pem.as_bytes()).unwrap();
    assert_eq!(from_der, from_pem);
    if let Some(jwk) = jwk {
        let from_jwk = authcode::jose::Jwk::parse(jwk.as_bytes()).unwrap();
        assert_eq!(&from_der, from_jwk.key(), "{jwk}");
    }
    from_der
}

#[test]
fn rsa_pkcs1_sha256_vectors() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    for name in [
        TestName::Rsa2048Sha256,
        TestName::Rsa3072Sha256,
        TestName::Rsa4096Sha256,
    ] {
        let set = TestSet::load(name).unwrap();
        let mut counts = [0usize; 3];
        for group in &set.test_groups {
            let jwk = group.jwk.as_ref().map(|jwk| {
                format!(
                    r#"{{"kty":"RSA","n":"{}","e":"{}"}}"#,
                    b64(strip(&jwk.n)),
                    b64(strip(&jwk.e))
                )
            });
            let key = same_key_three_ways(&group.der, &group.pem, jwk);
            for test in &group.tests {
                check(
                    &key,
                    Algorithm::Rs256,
                    test.tc_id,
                    &test.msg,
                    &test.sig,
                    test.result,
                    &mut counts,
                );
            }
        }
        assert_eq!(
            counts.iter().sum::<usize>(),
            set.number_of_tests,
            "{name:?}"
        );
        assert!(counts[0] > 0 && counts[1] > 0, "{name:?}: {counts:?}");
    }
}

fn strip(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

#[test]
fn ecdsa_p256_sha256_p1363_vectors() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    let mut counts = [0usize; 3];
    for group in &set.test_groups {
        let jwk = group.jwk.as_ref().map(|jwk| {
            format!(
                r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
                b64(&pad32(&jwk.affine_x)),
                b64(&pad32(&jwk.affine_y))
            )
        });
        let key = same_key_three_ways(&group.der, &group.pem, jwk);
        for test in &group.tests {
            check(
                &key,
                Algorithm::Es256,
                test.tc_id,
                &test.msg,
                &test.sig,
                test.result,
                &mut counts,
            );
        }
    }
    assert_eq!(counts.iter().sum::<usize>(), set.number_of_tests);
    assert!(counts[0] > 0 && counts[1] > 0, "{counts:?}");
}

fn pad32(bytes: &[u8]) -> Vec<u8> {
    let bytes = strip(bytes);
    let mut out = vec![0u8; 32usize.saturating_sub(bytes.len())];
    out.extend_from_slice(bytes);
    out
}

#[test]
fn ed25519_vectors() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap();
    let mut counts = [0usize; 3];
    for group in &set.test_groups {
        let jwk = format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
            b64(&group.key.pk)
        );
        let key = same_key_three_ways(&group.der, &group.pem, Some(jwk));
        for test in &group.tests {
            check(
                &key,
                Algorithm::EdDsa,
                test.tc_id,
                &test.msg,
                &test.sig,
                test.result,
                &mut counts,
            );
        }
    }
    assert_eq!(counts.iter().sum::<usize>(), set.number_of_tests);
    assert!(counts[0] > 0 && counts[1] > 0, "{counts:?}");
}

#[test]
fn the_key_decides_the_algorithm() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap();
    let group = &set.test_groups[0];
    let key = PublicKey::from_spki_der(&group.der).unwrap();
    let test = group
        .tests
        .iter()
        .find(|t| t.result == TestResult::Valid)
        .unwrap();
    assert!(key.verify(Algorithm::EdDsa, &test.msg, &test.sig).is_ok());
    assert_eq!(
        key.verify(Algorithm::Rs256, &test.msg, &test.sig),
        Err(authcode::jose::JoseError::AlgorithmMismatch {
            header: Algorithm::Rs256,
            key: Algorithm::EdDsa
        })
    );
}
