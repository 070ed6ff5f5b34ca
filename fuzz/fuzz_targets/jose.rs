//! The JOSE layer on arbitrary bytes: JWS compact tokens, JWKs, JWK Sets, JWT claims, PEM
//! and DER keys. Never panics, and:
//! - a token signed by the core (Ed25519 and ES256, over fuzzer-chosen payloads) verifies
//!   with its key and gives back exactly the payload;
//! - changing any one byte of such a token makes verification fail (or the token
//!   unreadable) — never a different accepted payload;
//! - an arbitrary token never verifies with a fixed key (no forgery from noise);
//! - `alg: none` and HMAC are refused whatever follows;
//! - a JWK that parses writes a JWK that parses back to the same key.
#![no_main]

use authcode::jose::{
    Claims, Compact, Ed25519Signer, Es256Signer, Jwk, JwkSet, JwsSigner, PublicKey,
    sign_compact,
};
use libfuzzer_sys::fuzz_target;

fn signed_round_trip(signer: &dyn JwsSigner, key: &PublicKey, payload: &[u8], flip: usize) {
    let mut out = [0u8; 4096];
    let Ok(token) = sign_compact(signer, "JWT", payload, &mut out) else {
        assert!(payload.len() > 2000, "only an oversized payload may not fit");
        return;
    };
    let token = token.as_bytes().to_vec();
    let jws = Compact::parse(&token).expect("the core's own token parses");
    let mut decoded = [0u8; 4096];
    assert_eq!(
        jws.verify(key, &mut decoded).expect("the core's own token verifies"),
        payload
    );
    // One byte changed anywhere: never accepted as (another) payload.
    let mut tampered = token.clone();
    let at = flip % tampered.len();
    tampered[at] ^= 0x01;
    if let Ok(jws) = Compact::parse(&tampered) {
        let mut decoded = [0u8; 4096];
        if let Ok(accepted) = jws.verify(key, &mut decoded) {
            // Only a change base64url ignores (a no-op flip is impossible: canonical
            // decoding refuses stray bits), so acceptance means the same payload.
            assert_eq!(accepted, payload, "a tampered token verified");
        }
    }
}

fuzz_target!(|input: (u8, u16, &[u8])| {
    let (mode, flip, bytes) = input;
    let ed = Ed25519Signer::from_bytes(&[7u8; 32], Some("ed")).unwrap();
    let es = Es256Signer::from_bytes(&[9u8; 32], None).unwrap();
    match mode % 6 {
        0 => signed_round_trip(&ed, &ed.public_key(), bytes, usize::from(flip)),
        1 => signed_round_trip(&es, &es.public_key(), bytes, usize::from(flip)),
        2 => {
            // Arbitrary tokens: never verified with the fixed keys; a header refused
            // (none, HMAC, crit, malformed) is refused by verify with the same error.
            if let Ok(jws) = Compact::parse(bytes) {
                let _ = jws.signing_input();
                let header = jws.header();
                let mut out = [0u8; 4096];
                for key in [ed.public_key(), es.public_key()] {
                    let verified = jws.verify(&key, &mut out).map(|_| ());
                    match &header {
                        Err(refused) => assert_eq!(verified, Err(*refused)),
                        Ok(_) => assert!(verified.is_err(), "an arbitrary token verified"),
                    }
                }
            }
        }
        3 => {
            if let Ok(jwk) = Jwk::parse(bytes) {
                let mut text = [0u8; 1024];
                let written = jwk.key().write_jwk(jwk.key_id(), &mut text).unwrap();
                let again = Jwk::parse(written.as_bytes()).expect("a written JWK parses");
                assert_eq!(again.key(), jwk.key());
            }
            if let Ok(set) = JwkSet::parse(bytes) {
                assert!(set.keys().count() <= authcode::jose::MAX_JWKS_KEYS);
            }
        }
        4 => {
            if let Ok(claims) = Claims::parse(bytes) {
                let _ = claims.audience.count();
                let _ = claims.audience.contains("x");
                let mut out = [0u8; 64];
                let _ = claims.string_claim("email", &mut out);
            }
        }
        _ => {
            let _ = PublicKey::from_pem(bytes);
            let _ = PublicKey::from_spki_der(bytes);
            let _ = PublicKey::from_certificate_der(bytes);
        }
    }
});
