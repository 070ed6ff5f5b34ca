//! `authcode keygen`: a key pair for a machine-to-machine app and the self-signed
//! certificate Workfront's "Add a public key" takes (what `openssl req -x509 -sha256
//! -nodes -newkey rsa:2048 …` makes): `private.pem` (PKCS#8, readable by the user only),
//! `public.pem` (SubjectPublicKeyInfo) and `certificate.pem`, in a directory.

use std::io::Write;
use std::path::Path;
use std::str::FromStr as _;
use std::time::Duration;

use rsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
use serde_json::json;
use x509_cert::builder::{Builder as _, CertificateBuilder, profile::BuilderProfile};
use x509_cert::der::EncodePem as _;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfo;
use x509_cert::time::Validity;

use crate::failure::Failure;
use crate::signing::KeyAlgorithm;

/// What `keygen` makes.
#[derive(Debug, Clone)]
pub struct KeygenOptions {
    /// RS256 (RSA-2048) or ES256 (P-256).
    pub algorithm: KeyAlgorithm,
    /// The directory the three files go to (created if missing; existing files are not
    /// overwritten).
    pub out_dir: std::path::PathBuf,
    /// The certificate's subject common name.
    pub common_name: String,
    /// Days the certificate is valid.
    pub days: u32,
}

/// A self-signed end-entity certificate, as `openssl req -x509` makes: issuer =
/// subject, no extensions (the CA/Browser Forum profiles x509-cert ships require
/// country and organisation names a key carrier does not need).
struct SelfSigned {
    subject: Name,
}

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _: x509_cert::spki::SubjectPublicKeyInfoRef<'_>,
        _: x509_cert::spki::SubjectPublicKeyInfoRef<'_>,
        _: &x509_cert::certificate::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<x509_cert::ext::Extension>> {
        Ok(Vec::new())
    }
}

fn system(what: &str) -> impl Fn(String) -> Failure + '_ {
    move |error| Failure::System(format!("{what}: {error}"))
}

/// Writes `contents` to `path` unless it exists; the private key readable by the user only.
fn write_new(path: &Path, contents: &str, private: bool) -> Result<(), Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|error| {
        if error.kind() == std::io::ErrorKind::AlreadyExists {
            Failure::Input(format!("{} exists; not overwritten", path.display()))
        } else {
            Failure::System(format!("{}: {error}", path.display()))
        }
    })?;
    file.write_all(contents.as_bytes())
        .map_err(|error| Failure::System(format!("{}: {error}", path.display())))
}

/// `authcode keygen`.
///
/// # Errors
///
/// [`Failure::Input`] for a bad common name or files that exist; [`Failure::System`] when
/// a key or file cannot be made.
pub fn run_keygen(options: &KeygenOptions, out: &mut dyn Write) -> Result<(), Failure> {
    let name = Name::from_str(&format!("CN={}", options.common_name))
        .map_err(|error| Failure::Input(format!("--common-name: {error}")))?;
    let profile = SelfSigned { subject: name };
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial).map_err(|e| system("randomness")(e.to_string()))?;
    serial[0] &= 0x7f;
    let serial = SerialNumber::new(&serial).map_err(|e| system("certificate")(e.to_string()))?;
    let validity = Validity::from_now(Duration::from_secs(u64::from(options.days) * 86_400))
        .map_err(|e| system("certificate")(e.to_string()))?;
    let (private, public, certificate) = match options.algorithm {
        KeyAlgorithm::Rs256 => {
            let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048)
                .map_err(|e| system("RSA key")(e.to_string()))?;
            let public = key.to_public_key();
            let spki = SubjectPublicKeyInfo::from_key(&public)
                .map_err(|e| system("public key")(e.to_string()))?;
            let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
            let certificate = CertificateBuilder::new(profile, serial, validity, spki)
                .map_err(|e| system("certificate")(e.to_string()))?
                .build::<_, rsa::pkcs1v15::Signature>(&signer)
                .map_err(|e| system("certificate")(e.to_string()))?;
            (
                key.to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| system("private key")(e.to_string()))?
                    .to_string(),
                public
                    .to_public_key_pem(LineEnding::LF)
                    .map_err(|e| system("public key")(e.to_string()))?,
                certificate,
            )
        }
        KeyAlgorithm::Es256 => {
            let mut secret = [0u8; 32];
            let key = loop {
                getrandom::fill(&mut secret).map_err(|e| system("randomness")(e.to_string()))?;
                if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&secret) {
                    break key;
                }
            };
            let spki = SubjectPublicKeyInfo::from_key(key.verifying_key())
                .map_err(|e| system("public key")(e.to_string()))?;
            let certificate = CertificateBuilder::new(profile, serial, validity, spki)
                .map_err(|e| system("certificate")(e.to_string()))?
                .build::<_, p256::ecdsa::DerSignature>(&key)
                .map_err(|e| system("certificate")(e.to_string()))?;
            let secret_key = p256::SecretKey::from(&key);
            (
                secret_key
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| system("private key")(e.to_string()))?
                    .to_string(),
                key.verifying_key()
                    .to_public_key_pem(LineEnding::LF)
                    .map_err(|e| system("public key")(e.to_string()))?,
                certificate,
            )
        }
    };
    let certificate = certificate
        .to_pem(LineEnding::LF)
        .map_err(|e| system("certificate")(e.to_string()))?;
    std::fs::create_dir_all(&options.out_dir)
        .map_err(|error| Failure::System(format!("{}: {error}", options.out_dir.display())))?;
    let paths = [
        options.out_dir.join("private.pem"),
        options.out_dir.join("public.pem"),
        options.out_dir.join("certificate.pem"),
    ];
    for path in &paths {
        if path.exists() {
            return Err(Failure::Input(format!(
                "{} exists; not overwritten",
                path.display()
            )));
        }
    }
    let [private_path, public_path, certificate_path] = &paths;
    write_new(private_path, &private, true)?;
    write_new(public_path, &public, false)?;
    write_new(certificate_path, &certificate, false)?;
    writeln!(
        out,
        "{}",
        json!({
            "alg": match options.algorithm {
                KeyAlgorithm::Rs256 => "RS256",
                KeyAlgorithm::Es256 => "ES256",
            },
            "private_key": private_path.display().to_string(),
            "public_key": public_path.display().to_string(),
            "certificate": certificate_path.display().to_string(),
        })
    )?;
    Ok(())
}
