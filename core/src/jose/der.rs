//! Public keys from DER and PEM: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) and X.509
//! certificates — the form Workfront's "Add a public key" takes (`openssl req -x509 …`).
//!
//! RustCrypto's `x509-cert` needs `alloc`, so a certificate is walked with `der`'s reader
//! (no allocation) down to its `subjectPublicKeyInfo`, which `spki` decodes. The
//! certificate's own signature and validity are not checked: a registered certificate is
//! only a carrier of the key the app registers.

use der::asn1::{ObjectIdentifier, UintRef};
use der::{Decode, Reader, SliceReader};
use spki::SubjectPublicKeyInfoRef;

use super::error::KeyError;
use super::key::PublicKey;

/// The largest DER decoded from PEM.
pub const MAX_DER_LEN: usize = 8192;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

impl PublicKey {
    /// A key from a DER SubjectPublicKeyInfo: RSA (`rsaEncryption`), EC P-256
    /// (`id-ecPublicKey` + `prime256v1`) or Ed25519.
    ///
    /// # Errors
    ///
    /// [`KeyError::Der`]; [`KeyError::UnsupportedKeyType`] / [`KeyError::UnsupportedCurve`];
    /// the key checks of [`PublicKey::rsa`], [`PublicKey::p256_sec1`],
    /// [`PublicKey::ed25519`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| KeyError::Der)?;
        let key = spki.subject_public_key.as_bytes().ok_or(KeyError::Der)?;
        let oid = spki.algorithm.oid;
        if oid == RSA_ENCRYPTION {
            // RFC 3279 §2.3.1: the parameters are NULL (some encoders omit them).
            if spki
                .algorithm
                .parameters
                .is_some_and(|parameters| !parameters.is_null())
            {
                return Err(KeyError::Der);
            }
            // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
            let (n, e) = read_all(key, |reader| {
                reader.sequence(|seq| {
                    let n = UintRef::decode(seq)?;
                    let e = UintRef::decode(seq)?;
                    Ok::<_, der::Error>((n, e))
                })
            })?;
            Self::rsa(n.as_bytes(), e.as_bytes())
        } else if oid == EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .ok_or(KeyError::Der)?
                .decode_as::<ObjectIdentifier>()
                .map_err(|_| KeyError::Der)?;
            if curve != PRIME256V1 {
                return Err(KeyError::UnsupportedCurve);
            }
            Self::p256_sec1(key)
        } else if oid == ED25519 {
            if spki.algorithm.parameters.is_some() {
                return Err(KeyError::Der);
            }
            Self::ed25519(key)
        } else {
            Err(KeyError::UnsupportedKeyType)
        }
    }

    /// The subject public key of a DER X.509 certificate.
    ///
    /// # Errors
    ///
    /// [`KeyError::Der`] unless it is `SEQUENCE { tbsCertificate, signatureAlgorithm,
    /// signatureValue }` with the RFC 5280 fields; then as [`PublicKey::from_spki_der`].
    pub fn from_certificate_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki = read_all(der, |reader| {
            reader.sequence(|certificate| {
                let spki = certificate.sequence(|tbs| {
                    // version [0] EXPLICIT, optional
                    if tbs.peek_byte() == Some(0xa0) {
                        tbs.tlv_bytes()?;
                    }
                    // serialNumber, signature, issuer, validity, subject
                    for _ in 0..5 {
                        tbs.tlv_bytes()?;
                    }
                    let spki = tbs.tlv_bytes()?;
                    // issuerUniqueID, subjectUniqueID, extensions
                    while !tbs.is_finished() {
                        tbs.tlv_bytes()?;
                    }
                    Ok::<_, der::Error>(spki)
                })?;
                certificate.tlv_bytes()?; // signatureAlgorithm
                certificate.tlv_bytes()?; // signatureValue
                Ok::<_, der::Error>(spki)
            })
        })?;
        Self::from_spki_der(spki)
    }

    /// A key from PEM: `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo) or
    /// `-----BEGIN CERTIFICATE-----`.
    ///
    /// # Errors
    ///
    /// [`KeyError::Pem`] for malformed PEM or another label; then as
    /// [`PublicKey::from_spki_der`] / [`PublicKey::from_certificate_der`].
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let mut buf = [0u8; MAX_DER_LEN];
        let (label, der) =
            pem_rfc7468::decode(pem.trim_ascii(), &mut buf).map_err(|_| KeyError::Pem)?;
        match label {
            "PUBLIC KEY" => Self::from_spki_der(der),
            "CERTIFICATE" => Self::from_certificate_der(der),
            _ => Err(KeyError::Pem),
        }
    }
}

/// Runs `read` over all of `der`, which must be consumed completely.
fn read_all<'a, T>(
    der: &'a [u8],
    read: impl FnOnce(&mut SliceReader<'a>) -> Result<T, der::Error>,
) -> Result<T, KeyError> {
    let mut reader = SliceReader::new(der).map_err(|_| KeyError::Der)?;
    let value = read(&mut reader).map_err(|_| KeyError::Der)?;
    reader.finish().map_err(|_| KeyError::Der)?;
    Ok(value)
}
