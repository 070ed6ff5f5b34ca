//! The app registry: a fixed number of app slots (a const generic).

use base64ct::{Base64UrlUnpadded, Encoding};
use heapless::String;
use rand_core::TryCryptoRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroize;

use super::app::{App, AppError, AppKind, AppSpec, ClientSecret};
use super::limits::{
    CLIENT_ID_LEN, MAX_APP_NAME, MAX_CLIENT_SECRETS, MAX_PUBLIC_KEY, MAX_PUBLIC_KEYS,
    MAX_REDIRECT_URI, MAX_REDIRECT_URIS, MAX_SCOPE, MAX_SECRET_OVERLAP, TOKEN_LEN,
};
use crate::Secret;
use crate::time::Timestamp;

/// Identifies an app slot and its incarnation: deleting an app bumps the slot's
/// generation, so every code and token issued to it stops working at once.
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AppId {
    pub(crate) index: u16,
    pub(crate) generation: u32,
}

impl AppId {
    /// The id as one number (generation in the high half), for keys in shared stores.
    #[must_use]
    pub const fn as_u64(self) -> u64 {
        ((self.generation as u64) << 32) | self.index as u64
    }

    /// The id from [`AppId::as_u64`], if its slot index fits.
    #[must_use]
    pub fn from_u64(value: u64) -> Option<Self> {
        Some(Self {
            index: u16::try_from(value & 0xffff_ffff).ok()?,
            generation: u32::try_from(value >> 32).ok()?,
        })
    }
}

#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
#[derive(Debug, Clone)]
struct Slot {
    app: Option<App>,
    generation: u32,
}

impl Slot {
    const EMPTY: Self = Self {
        app: None,
        generation: 0,
    };
}

/// What [`Registry::create`] returns: the new client id and, for a web app, its secret —
/// shown this once; the registry keeps only its SHA-256 digest.
#[derive(Debug)]
pub struct Created {
    /// The generated client id.
    pub client_id: String<CLIENT_ID_LEN>,
    /// The client secret of a web app.
    pub client_secret: Option<Secret<TOKEN_LEN>>,
}

/// Up to `APPS` registered apps.
#[derive(Debug, Clone)]
pub struct Registry<const APPS: usize> {
    slots: [Slot; APPS],
}

impl<const APPS: usize> Default for Registry<APPS> {
    fn default() -> Self {
        Self::new()
    }
}

/// 256 random bits as 43 base64url characters.
pub(crate) fn random_token<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Secret<TOKEN_LEN>, ()> {
    random_text::<R, 32, TOKEN_LEN>(rng).map_err(|_| ())
}

fn random_text<R: TryCryptoRng + ?Sized, const BYTES: usize, const CHARS: usize>(
    rng: &mut R,
) -> Result<Secret<CHARS>, ()> {
    let mut random = [0u8; BYTES];
    let mut text = [0u8; CHARS];
    let result = rng
        .try_fill_bytes(&mut random)
        .map_err(|_| ())
        .and_then(|()| Base64UrlUnpadded::encode(&random, &mut text).map_err(|_| ()))
        .and_then(|encoded| Secret::copy_from(encoded).map_err(|_| ()));
    random.zeroize();
    text.zeroize();
    result
}

/// Checks a spec in full (pass one of a registration or an update): nothing is stored.
fn check_spec(spec: &AppSpec<'_>) -> Result<(), AppError> {
    if spec.name.is_empty() || spec.name.len() > MAX_APP_NAME {
        return Err(AppError::InvalidName);
    }
    let uses_code_grant = spec.kind != AppKind::MachineToMachine;
    if uses_code_grant && spec.redirect_uris.is_empty() {
        return Err(AppError::NoRedirectUri);
    }
    if spec.redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(AppError::TooManyRedirectUris);
    }
    for (index, uri) in spec.redirect_uris.iter().enumerate() {
        let invalid = AppError::InvalidRedirectUri { index };
        crate::oauth::check_redirect_uri(uri).map_err(|_| invalid)?;
        if uri.len() > MAX_REDIRECT_URI {
            return Err(invalid);
        }
    }
    if spec.kind.is_confidential() {
        if spec.public_keys.len() > MAX_PUBLIC_KEYS {
            return Err(AppError::InvalidPublicKeys);
        }
        for (index, key) in spec.public_keys.iter().enumerate() {
            if key.is_empty() {
                return Err(AppError::InvalidPublicKeys);
            }
            check_key(key, index)?;
        }
    } else if !spec.public_keys.is_empty() {
        return Err(AppError::InvalidPublicKeys);
    }
    if spec.client_credentials && spec.kind == AppKind::SinglePage {
        return Err(AppError::NotConfidential);
    }
    if !super::scope::is_valid(spec.scope) || spec.scope.len() > MAX_SCOPE {
        return Err(AppError::InvalidScope);
    }
    Ok(())
}

/// Pass two: writes a checked spec into `app` in place (an app is about 9.5 KB: it never
/// passes over the stack). The secrets and client id are the caller's.
fn write_spec(app: &mut App, spec: &AppSpec<'_>) {
    // Every value was checked to fit (`check_spec`), so these pushes succeed.
    app.name.clear();
    let _ = app.name.push_str(spec.name);
    app.kind = spec.kind;
    app.redirect_uris.clear();
    for uri in spec.redirect_uris {
        if app.redirect_uris.push(String::new()).is_ok()
            && let Some(stored) = app.redirect_uris.last_mut()
        {
            let _ = stored.push_str(uri);
        }
    }
    app.public_keys.clear();
    if spec.kind.is_confidential() {
        for (index, key) in spec.public_keys.iter().enumerate() {
            if app.public_keys.push(String::new()).is_ok()
                && let Some(stored) = app.public_keys.last_mut()
            {
                let _ = store_key(key, index, stored);
            }
        }
    }
    app.refresh = spec.refresh;
    app.require_pkce = spec.require_pkce || !spec.kind.is_confidential();
    app.client_credentials = spec.client_credentials;
    app.scope.clear();
    let _ = app.scope.push_str(spec.scope);
}

/// A registered public key as stored: with the JOSE layer, read (a JWK, a SubjectPublicKeyInfo
/// or certificate PEM) and kept as its JWK; without it, kept as given.
/// Whether a public key can be registered (pass one).
fn check_key(key: &str, index: usize) -> Result<(), AppError> {
    let mut scratch = String::new();
    store_key(key, index, &mut scratch)
}

/// A registered public key as stored, written into `out`: with the JOSE layer, read (a
/// JWK, a SubjectPublicKeyInfo or certificate PEM) and kept as its JWK; without it, kept
/// as given.
#[cfg(feature = "jose")]
fn store_key(key: &str, index: usize, out: &mut String<MAX_PUBLIC_KEY>) -> Result<(), AppError> {
    let unreadable = AppError::UnreadablePublicKey { index };
    let trimmed = key.trim();
    let (public, kid) = if trimmed.starts_with('{') {
        let jwk = crate::jose::Jwk::parse(trimmed.as_bytes()).map_err(|_| unreadable)?;
        // A key its owner marked for encryption does not sign assertions (RFC 7517 §4.2).
        if jwk
            .key_use()
            .is_some_and(|key_use| key_use != crate::jose::KeyUse::Signature)
        {
            return Err(unreadable);
        }
        let kid: Option<String<{ crate::jose::MAX_KID_LEN }>> =
            jwk.key_id().and_then(|kid| String::try_from(kid).ok());
        (jwk.key().clone(), kid)
    } else {
        #[cfg(feature = "jose-der")]
        {
            (
                crate::jose::PublicKey::from_pem(trimmed.as_bytes()).map_err(|_| unreadable)?,
                None,
            )
        }
        #[cfg(not(feature = "jose-der"))]
        return Err(unreadable);
    };
    let mut text = [0u8; MAX_PUBLIC_KEY];
    let jwk = public
        .write_jwk(kid.as_deref(), &mut text)
        .map_err(|_| unreadable)?;
    out.clear();
    out.push_str(jwk).map_err(|_| unreadable)
}

#[cfg(not(feature = "jose"))]
fn store_key(key: &str, _index: usize, out: &mut String<MAX_PUBLIC_KEY>) -> Result<(), AppError> {
    // Kept as given (it cannot be checked without the JOSE layer).
    out.clear();
    out.push_str(key).map_err(|_| AppError::InvalidPublicKeys)
}

impl<const APPS: usize> Registry<APPS> {
    /// An empty registry.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            slots: [const { Slot::EMPTY }; APPS],
        }
    }

    /// The capacity.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        APPS
    }

    /// Registers the app `settings` define (with its chosen client id, if any). A web app
    /// gets a generated secret, returned here once.
    ///
    /// # Errors
    ///
    /// As [`Registry::create`] and [`Registry::create_with_client_id`].
    pub fn create_from<R: TryCryptoRng + ?Sized>(
        &mut self,
        settings: &super::AppSettings,
        rng: &mut R,
    ) -> Result<Created, AppError> {
        settings.with_spec(|spec| match &settings.client_id {
            Some(client_id) => self.create_with_client_id(spec, client_id, rng),
            None => self.create(spec, rng),
        })
    }

    /// Registers an app. A web app gets a generated secret, returned here once.
    ///
    /// # Errors
    ///
    /// [`AppError`] for an invalid spec, a full registry, or a failing RNG.
    pub fn create<R: TryCryptoRng + ?Sized>(
        &mut self,
        spec: &AppSpec<'_>,
        rng: &mut R,
    ) -> Result<Created, AppError> {
        let id = random_text::<R, 24, CLIENT_ID_LEN>(rng).map_err(|()| AppError::Randomness)?;
        let client_id = String::try_from(id.as_str()).map_err(|_| AppError::Randomness)?;
        self.insert(spec, client_id, rng)
    }

    fn insert<R: TryCryptoRng + ?Sized>(
        &mut self,
        spec: &AppSpec<'_>,
        client_id: String<CLIENT_ID_LEN>,
        rng: &mut R,
    ) -> Result<Created, AppError> {
        let free = self
            .slots
            .iter()
            .position(|slot| slot.app.is_none())
            .ok_or(AppError::RegistryFull)?;
        check_spec(spec)?;
        let client_secret = if spec.kind.is_confidential() {
            Some(random_token(rng).map_err(|()| AppError::Randomness)?)
        } else {
            None
        };
        // Every check passed and every random value is drawn: the app is built in its
        // slot.
        let slot = self.slots.get_mut(free).ok_or(AppError::RegistryFull)?;
        let app = slot.app.insert(App::empty(spec.kind));
        app.client_id.clone_from(&client_id);
        write_spec(app, spec);
        if let (Some(secret), Some(first)) = (&client_secret, app.secrets.first_mut()) {
            *first = Some(new_secret(secret, None));
        }
        Ok(Created {
            client_id,
            client_secret,
        })
    }

    /// Registers an app under a client id the host chooses — to import apps whose clients
    /// are already configured. The id must be 1 to 32 URL-safe characters
    /// (`A-Z a-z 0-9 - _ .`) and not in use.
    ///
    /// # Errors
    ///
    /// As [`Registry::create`], and [`AppError::InvalidClientId`].
    pub fn create_with_client_id<R: TryCryptoRng + ?Sized>(
        &mut self,
        spec: &AppSpec<'_>,
        client_id: &str,
        rng: &mut R,
    ) -> Result<Created, AppError> {
        let valid = !client_id.is_empty()
            && client_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && self.get(client_id).is_none();
        let id: String<CLIENT_ID_LEN> =
            String::try_from(client_id).map_err(|_| AppError::InvalidClientId)?;
        if !valid {
            return Err(AppError::InvalidClientId);
        }
        self.insert(spec, id, rng)
    }

    /// Replaces an app's name, redirect URIs, refresh policy, keys and PKCE switch. The
    /// kind, client id and secret stay; codes and tokens already issued stay valid.
    ///
    /// # Errors
    ///
    /// [`AppError::UnknownApp`]; [`AppError::InvalidName`] and the other spec errors; a
    /// spec of another kind is [`AppError::NotConfidential`] or
    /// [`AppError::InvalidPublicKeys`] as it applies.
    pub fn update(&mut self, client_id: &str, spec: &AppSpec<'_>) -> Result<(), AppError> {
        let app = self.find_mut(client_id).ok_or(AppError::UnknownApp)?;
        if spec.kind != app.kind {
            return Err(if app.kind.is_confidential() {
                AppError::NotConfidential
            } else {
                AppError::InvalidPublicKeys
            });
        }
        check_spec(spec)?;
        write_spec(app, spec);
        Ok(())
    }

    /// Removes an app. Every code and token issued to it stops working at once. For a
    /// server's app use [`Server::delete_app`](super::Server::delete_app), which also
    /// frees the app's grants at once (otherwise their slots are held until they expire).
    ///
    /// # Errors
    ///
    /// [`AppError::UnknownApp`].
    pub fn delete(&mut self, client_id: &str) -> Result<(), AppError> {
        let slot = self
            .slots
            .iter_mut()
            .find(|slot| {
                slot.app
                    .as_ref()
                    .is_some_and(|app| app.client_id == client_id)
            })
            .ok_or(AppError::UnknownApp)?;
        slot.app = None;
        slot.generation = slot.generation.wrapping_add(1);
        Ok(())
    }

    /// Replaces a web app's secrets with a new one, returned here once. The old ones stop
    /// working at once. (With an overlap window: [`Registry::rotate_secret_at`].)
    ///
    /// # Errors
    ///
    /// [`AppError::UnknownApp`]; [`AppError::NotConfidential`] for other kinds;
    /// [`AppError::Randomness`].
    pub fn rotate_secret<R: TryCryptoRng + ?Sized>(
        &mut self,
        client_id: &str,
        rng: &mut R,
    ) -> Result<Secret<TOKEN_LEN>, AppError> {
        let app = self.confidential_mut(client_id)?;
        let secret = random_token(rng).map_err(|()| AppError::Randomness)?;
        app.secrets = [Some(new_secret(&secret, None)), None];
        Ok(secret)
    }

    /// Gives a web app a new secret, returned here once; every other secret keeps working
    /// for `overlap` more seconds (0: stops at once; at most 24 h), so a deployment can
    /// roll to the new one without downtime. With two live secrets already, the older one
    /// is replaced.
    ///
    /// # Errors
    ///
    /// [`AppError::UnknownApp`], [`AppError::NotConfidential`],
    /// [`AppError::InvalidOverlap`], [`AppError::Randomness`].
    pub fn rotate_secret_at<R: TryCryptoRng + ?Sized>(
        &mut self,
        client_id: &str,
        overlap: u64,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<Secret<TOKEN_LEN>, AppError> {
        self.check_rotation(client_id, overlap)?;
        let secret = random_token(rng).map_err(|()| AppError::Randomness)?;
        self.install_secret(client_id, &secret, overlap, now)?;
        Ok(secret)
    }

    /// Whether [`Registry::rotate_secret_at`] would accept `client_id` and `overlap`.
    pub(crate) fn check_rotation(&self, client_id: &str, overlap: u64) -> Result<(), AppError> {
        if overlap > MAX_SECRET_OVERLAP {
            return Err(AppError::InvalidOverlap);
        }
        let app = self.get(client_id).ok_or(AppError::UnknownApp)?;
        if app.kind.is_confidential() {
            Ok(())
        } else {
            Err(AppError::NotConfidential)
        }
    }

    /// Installs `secret` as the app's newest; the newest other secret keeps working for
    /// `overlap` seconds, the rest stop at once.
    pub(crate) fn install_secret(
        &mut self,
        client_id: &str,
        secret: &Secret<TOKEN_LEN>,
        overlap: u64,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let app = self.confidential_mut(client_id)?;
        drop_expired(&mut app.secrets, now);
        // Keep the newest other secret for the overlap (if any); replace the rest.
        let keep = newest(&app.secrets).filter(|_| overlap > 0);
        for (slot, entry) in app.secrets.iter_mut().enumerate() {
            if Some(slot) == keep {
                if let Some(kept) = entry {
                    let ends = now.plus(overlap);
                    kept.expires_at = Some(kept.expires_at.map_or(ends, |at| at.min(ends)));
                }
            } else {
                *entry = None;
            }
        }
        if let Some(free) = app.secrets.iter_mut().find(|entry| entry.is_none()) {
            *free = Some(new_secret(secret, Some(now)));
        }
        Ok(())
    }

    /// Adds a second secret to a web app, returned here once with its slot; the current
    /// one keeps working (Adobe Developer Console's "Add client secret").
    ///
    /// # Errors
    ///
    /// [`AppError::UnknownApp`], [`AppError::NotConfidential`],
    /// [`AppError::TooManySecrets`], [`AppError::Randomness`].
    pub fn add_secret<R: TryCryptoRng + ?Sized>(
        &mut self,
        client_id: &str,
        now: Timestamp,
        rng: &mut R,
    ) -> Result<(usize, Secret<TOKEN_LEN>), AppError> {
        let app = self.confidential_mut(client_id)?;
        let mut secrets = app.secrets;
        drop_expired(&mut secrets, now);
        let slot = secrets
            .iter()
            .position(Option::is_none)
            .ok_or(AppError::TooManySecrets)?;
        let secret = random_token(rng).map_err(|()| AppError::Randomness)?;
        if let Some(free) = secrets.get_mut(slot) {
            *free = Some(new_secret(&secret, Some(now)));
        }
        app.secrets = secrets;
        Ok((slot, secret))
    }

    /// Deletes a web app's secret in `slot`; it stops working at once. The last live
    /// secret cannot be deleted.
    ///
    /// # Errors
    ///
    /// [`AppError::UnknownApp`], [`AppError::NotConfidential`],
    /// [`AppError::UnknownSecret`], [`AppError::LastSecret`].
    pub fn delete_secret(
        &mut self,
        client_id: &str,
        slot: usize,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let app = self.confidential_mut(client_id)?;
        let mut secrets = app.secrets;
        drop_expired(&mut secrets, now);
        let entry = secrets.get_mut(slot).ok_or(AppError::UnknownSecret)?;
        if entry.is_none() {
            return Err(AppError::UnknownSecret);
        }
        *entry = None;
        if secrets.iter().all(Option::is_none) {
            return Err(AppError::LastSecret);
        }
        app.secrets = secrets;
        Ok(())
    }

    /// Records that a client authenticated with the secret in `slot`.
    pub(crate) fn secret_used(&mut self, id: AppId, slot: usize, now: Timestamp) {
        let Some(app) = self
            .slots
            .get_mut(usize::from(id.index))
            .filter(|entry| entry.generation == id.generation)
            .and_then(|entry| entry.app.as_mut())
        else {
            return;
        };
        if let Some(Some(secret)) = app.secrets.get_mut(slot) {
            secret.last_used = Some(now);
        }
    }

    fn confidential_mut(&mut self, client_id: &str) -> Result<&mut App, AppError> {
        let app = self.find_mut(client_id).ok_or(AppError::UnknownApp)?;
        if app.kind.is_confidential() {
            Ok(app)
        } else {
            Err(AppError::NotConfidential)
        }
    }

    /// The app with `client_id`.
    #[must_use]
    pub fn get(&self, client_id: &str) -> Option<&App> {
        self.lookup(client_id).map(|(_, app)| app)
    }

    /// Every registered app.
    pub fn iter(&self) -> impl Iterator<Item = &App> {
        self.slots.iter().filter_map(|slot| slot.app.as_ref())
    }

    /// How many apps are registered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether no app is registered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn find_mut(&mut self, client_id: &str) -> Option<&mut App> {
        self.slots
            .iter_mut()
            .filter_map(|slot| slot.app.as_mut())
            .find(|app| app.client_id == client_id)
    }

    pub(crate) fn lookup(&self, client_id: &str) -> Option<(AppId, &App)> {
        self.slots.iter().enumerate().find_map(|(index, slot)| {
            let app = slot.app.as_ref().filter(|app| app.client_id == client_id)?;
            let index = u16::try_from(index).ok()?;
            Some((
                AppId {
                    index,
                    generation: slot.generation,
                },
                app,
            ))
        })
    }

    /// The app an id refers to, if it still exists (not deleted since).
    pub(crate) fn by_id(&self, id: AppId) -> Option<&App> {
        let slot = self.slots.get(usize::from(id.index))?;
        if slot.generation == id.generation {
            slot.app.as_ref()
        } else {
            None
        }
    }
}

fn new_secret(secret: &Secret<TOKEN_LEN>, now: Option<Timestamp>) -> ClientSecret {
    ClientSecret {
        digest: Sha256::digest(secret.as_bytes()).into(),
        created_at: now,
        last_used: None,
        expires_at: None,
    }
}

fn drop_expired(secrets: &mut [Option<ClientSecret>; MAX_CLIENT_SECRETS], now: Timestamp) {
    for entry in secrets.iter_mut() {
        if entry.is_some_and(|secret| !secret.live(Some(now))) {
            *entry = None;
        }
    }
}

/// The slot of the most recently made secret (one made without a time counts as oldest).
fn newest(secrets: &[Option<ClientSecret>; MAX_CLIENT_SECRETS]) -> Option<usize> {
    secrets
        .iter()
        .enumerate()
        .filter_map(|(slot, entry)| entry.map(|secret| (slot, secret.created_at)))
        .max_by_key(|(_, created_at)| *created_at)
        .map(|(slot, _)| slot)
}

/// The registry as serde data: a sequence of its slots (each app with its secret digests,
/// and the slot's generation, so that codes and grants naming an app keep naming it in a
/// registry read back elsewhere). Reading refuses more slots than `APPS`.
#[cfg(feature = "serde")]
mod serde_impl {
    use core::fmt;
    use core::marker::PhantomData;

    use serde::de::{Error, SeqAccess, Visitor};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Registry, Slot};

    impl<const APPS: usize> Serialize for Registry<APPS> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut seq = serializer.serialize_seq(Some(APPS))?;
            for slot in &self.slots {
                seq.serialize_element(slot)?;
            }
            seq.end()
        }
    }

    struct Slots<const APPS: usize>(PhantomData<[(); APPS]>);

    impl<'de, const APPS: usize> Visitor<'de> for Slots<APPS> {
        type Value = Registry<APPS>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "at most {APPS} registry slots")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut registry = Registry::<APPS>::new();
            let mut index = 0usize;
            while let Some(slot) = seq.next_element::<Slot>()? {
                let place = registry
                    .slots
                    .get_mut(index)
                    .ok_or_else(|| A::Error::invalid_length(index.saturating_add(1), &self))?;
                *place = slot;
                index = index.saturating_add(1);
            }
            Ok(registry)
        }
    }

    impl<'de, const APPS: usize> Deserialize<'de> for Registry<APPS> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_seq(Slots::<APPS>(PhantomData))
        }
    }
}
