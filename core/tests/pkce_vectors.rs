//! Published PKCE examples: RFC 7636 Appendix B, and the sample pair in Adobe Workfront's
//! OAuth2 documentation.

#![cfg(test)] // lets clippy treat helpers as test code (see clippy.toml)

use authcode::pkce::{Challenge, ChallengeError, Method, MethodError, Verifier};

#[test]
fn rfc_7636_appendix_b() {
    // The 32 octets of Appendix B, their base64url verifier, and its S256 challenge.
    let verifier = Verifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let challenge = Challenge::s256(&verifier);
    assert_eq!(
        challenge.to_string(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert!(
        Challenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
            .unwrap()
            .verify(&verifier)
    );
    assert_eq!(Method::parse("S256"), Ok(challenge.method()));
}

const WORKFRONT_VERIFIER: &str = "N28zVMsKU6ptUjHaYWg3T1NFTDQqcW1R4BU5NXywapNac4hhfkxjwfhZQat";
const WORKFRONT_DOCUMENTED_CHALLENGE: &str = "wzgjYF9qEiWep-CwqgrTE78-2ghjwCtRO3vj23o4W_fw";
const WORKFRONT_REAL_CHALLENGE: &str = "r-Jd5JtWMBfjRSq4Cjldx9XLerqNL4pJJHE3cYHb84g";

#[test]
fn workfront_documented_challenge_is_malformed() {
    // The documentation's sample challenge has 44 characters; an S256 challenge has 43.
    assert_eq!(
        Challenge::parse(WORKFRONT_DOCUMENTED_CHALLENGE),
        Err(ChallengeError::Length { found: 44 })
    );
}

#[test]
fn workfront_documented_verifier_is_valid_and_has_its_real_challenge() {
    let verifier = Verifier::parse(WORKFRONT_VERIFIER).unwrap();
    assert_eq!(verifier.len().get(), 59);
    let challenge = Challenge::s256(&verifier);
    assert_eq!(challenge.to_string(), WORKFRONT_REAL_CHALLENGE);
    assert!(
        Challenge::parse(WORKFRONT_REAL_CHALLENGE)
            .unwrap()
            .verify(&verifier)
    );
    // Even cut to 43 characters, the documented challenge is not this verifier's.
    let truncated = Challenge::parse(&WORKFRONT_DOCUMENTED_CHALLENGE[..43]);
    assert!(truncated.map_or(true, |c| !c.verify(&verifier)));
}

#[test]
fn plain_method_is_refused() {
    assert_eq!(Method::parse("plain"), Err(MethodError::PlainRefused));
    assert!(
        MethodError::PlainRefused
            .to_string()
            .contains("RFC 7636 §7.2"),
        "the refusal says why"
    );
    assert_eq!(Method::parse("S512"), Err(MethodError::Unsupported));
    assert!(MethodError::Unsupported.to_string().contains("unsupported"));
}
