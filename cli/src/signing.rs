//! A private key the CLI signs JWTs with — `serve`'s OpenID Connect ID tokens (and the JWK
//! Set it publishes at `jwks_uri`), `token --jwt-key`'s assertions: RS256 (RSA-2048, the
//! algorithm every OpenID relying party accepts by default) or ES256, generated or loaded
//! from a PKCS#8 PEM file.

use std::path::Path;

use authcode::jose::{Algorithm, Es256Signer, JwsSigner, PublicKey, SignError};
use base64ct::{Base64UrlUnpadded, Encoding as _};
use p256::pkcs8::DecodePrivateKey as _;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest as _, Sha256};

/// Which algorithm a generated key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyAlgorithm {
    /// RS256 with a fresh RSA-2048 key.
    #[default]
    Rs256,
    /// ES256 with a fresh P-256 key.
    Es256,
}

enum Key {
    Rsa(Box<rsa::pkcs1v15::SigningKey<Sha256>>),
    P256(Es256Signer<'static>),
}

/// The signing key, its `kid`, and the JWK Set that publishes its public half.
pub struct SigningKey {
    key: Key,
    kid: String,
    jwks: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.algorithm())
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh key.
    ///
    /// # Errors
    ///
    /// When the system's random source fails.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self, String> {
        match algorithm {
            KeyAlgorithm::Rs256 => {
                let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048)
                    .map_err(|error| format!("generating the ID token key: {error}"))?;
                Self::from_rsa(key)
            }
            KeyAlgorithm::Es256 => {
                let mut secret = [0u8; 32];
                loop {
                    getrandom::fill(&mut secret)
                        .map_err(|error| format!("generating the ID token key: {error}"))?;
                    if let Ok(signer) = Es256Signer::from_bytes(&secret, None) {
                        return Self::from_p256(&signer, &secret);
                    }
                }
            }
        }
    }

    /// The key in a PKCS#8 PEM file (`-----BEGIN PRIVATE KEY-----`): RSA or EC P-256.
    ///
    /// # Errors
    ///
    /// A message naming the file when it cannot be read or holds another kind of key.
    pub fn load(path: &Path) -> Result<Self, String> {
        let pem = std::fs::read_to_string(path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        if let Ok(key) = <rsa::PrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&pem) {
            return Self::from_rsa(key);
        }
        if let Ok(key) = p256::SecretKey::from_pkcs8_pem(&pem) {
            let secret = key.to_bytes();
            let signer = Es256Signer::from_bytes(&secret, None)
                .map_err(|error| format!("{}: {error}", path.display()))?;
            return Self::from_p256(&signer, &secret);
        }
        Err(format!(
            "{}: not a PKCS#8 RSA or P-256 private key (-----BEGIN PRIVATE KEY-----)",
            path.display()
        ))
    }

    fn from_rsa(key: rsa::PrivateKey) -> Result<Self, String> {
        let public = PublicKey::rsa(&key.n().to_be_bytes(), &key.e().to_be_bytes())
            .map_err(|error| format!("the ID token key: {error}"))?;
        let signing = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
        Self::with_public(Key::Rsa(Box::new(signing)), &public)
    }

    fn from_p256(signer: &Es256Signer<'_>, secret: &[u8]) -> Result<Self, String> {
        let owned = Es256Signer::from_bytes(secret, None).map_err(|error| error.to_string())?;
        Self::with_public(Key::P256(owned), &signer.public_key())
    }

    fn with_public(key: Key, public: &PublicKey) -> Result<Self, String> {
        let mut jwk = [0u8; 1024];
        let bare = public
            .write_jwk(None, &mut jwk)
            .map_err(|error| error.to_string())?;
        // kid: the first 16 characters of the SHA-256 of the key's JWK.
        let mut digest = [0u8; 43];
        let kid = Base64UrlUnpadded::encode(&Sha256::digest(bare.as_bytes()), &mut digest)
            .map_err(|error| error.to_string())?
            .get(..16)
            .unwrap_or_default()
            .to_owned();
        let mut jwk = [0u8; 1024];
        let with_kid = public
            .write_jwk(Some(&kid), &mut jwk)
            .map_err(|error| error.to_string())?;
        let jwks = format!("{{\"keys\":[{with_kid}]}}");
        Ok(Self { key, kid, jwks })
    }

    /// The JWK Set document (`{"keys":[…]}`).
    #[must_use]
    pub fn jwks(&self) -> &str {
        &self.jwks
    }
}

impl JwsSigner for SigningKey {
    fn algorithm(&self) -> Algorithm {
        match &self.key {
            Key::Rsa(_) => Algorithm::Rs256,
            Key::P256(_) => Algorithm::Es256,
        }
    }

    fn key_id(&self) -> Option<&str> {
        Some(&self.kid)
    }

    fn sign(&self, signing_input: &[u8], signature: &mut [u8]) -> Result<usize, SignError> {
        match &self.key {
            Key::Rsa(key) => {
                let signed = key
                    .try_sign(signing_input)
                    .map_err(|_| SignError::Unavailable)?
                    .to_bytes();
                let slot = signature
                    .get_mut(..signed.len())
                    .ok_or(SignError::Unavailable)?;
                slot.copy_from_slice(&signed);
                Ok(signed.len())
            }
            Key::P256(key) => key.sign(signing_input, signature),
        }
    }
}
