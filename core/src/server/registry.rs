//! The app registry: a fixed number of app slots (a const generic).

use base64ct::{Base64UrlUnpadded, Encoding};
use heapless::{String, Vec};
use rand_core::TryCryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::app::{App, AppError, AppKind, AppSpec};
use super::limits::{
    CLIENT_ID_LEN, MAX_APP_NAME, MAX_PUBLIC_KEY, MAX_PUBLIC_KEYS, MAX_REDIRECT_URI,
    MAX_REDIRECT_URIS, TOKEN_LEN,
};
use crate::Secret;

/// Identifies an app slot and its incarnation: deleting an app bumps the slot's
/// generation, so every code and token issued to it stops working at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AppId {
    pub(crate) index: u16,
    pub(crate) generation: u32,
}

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

fn build_app(spec: &AppSpec<'_>, client_id: String<CLIENT_ID_LEN>) -> Result<App, AppError> {
    if spec.name.is_empty() || spec.name.len() > MAX_APP_NAME {
        return Err(AppError::InvalidName);
    }
    let name = String::try_from(spec.name).map_err(|_| AppError::InvalidName)?;
    let uses_code_grant = spec.kind != AppKind::MachineToMachine;
    if uses_code_grant && spec.redirect_uris.is_empty() {
        return Err(AppError::NoRedirectUri);
    }
    if spec.redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(AppError::TooManyRedirectUris);
    }
    let mut redirect_uris = Vec::new();
    for (index, uri) in spec.redirect_uris.iter().enumerate() {
        let invalid = AppError::InvalidRedirectUri { index };
        crate::client::check_redirect_uri(uri).map_err(|_| invalid)?;
        let uri: String<MAX_REDIRECT_URI> = String::try_from(*uri).map_err(|_| invalid)?;
        redirect_uris
            .push(uri)
            .map_err(|_| AppError::TooManyRedirectUris)?;
    }
    let mut public_keys = Vec::new();
    if spec.kind == AppKind::MachineToMachine {
        if spec.public_keys.is_empty() || spec.public_keys.len() > MAX_PUBLIC_KEYS {
            return Err(AppError::InvalidPublicKeys);
        }
        for key in spec.public_keys {
            if key.is_empty() {
                return Err(AppError::InvalidPublicKeys);
            }
            let key: String<MAX_PUBLIC_KEY> =
                String::try_from(*key).map_err(|_| AppError::InvalidPublicKeys)?;
            public_keys
                .push(key)
                .map_err(|_| AppError::InvalidPublicKeys)?;
        }
    }
    Ok(App {
        client_id,
        name,
        kind: spec.kind,
        secret_digest: None,
        redirect_uris,
        public_keys,
        refresh: spec.refresh,
        require_pkce: spec.require_pkce || !spec.kind.is_confidential(),
    })
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
        let mut app = build_app(spec, client_id.clone())?;
        let client_secret = if spec.kind.is_confidential() {
            let secret = random_token(rng).map_err(|()| AppError::Randomness)?;
            app.secret_digest = Some(Sha256::digest(secret.as_bytes()).into());
            Some(secret)
        } else {
            None
        };
        let slot = self.slots.get_mut(free).ok_or(AppError::RegistryFull)?;
        slot.app = Some(app);
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
        let mut updated = build_app(spec, app.client_id.clone())?;
        updated.secret_digest = app.secret_digest;
        *app = updated;
        Ok(())
    }

    /// Removes an app. Every code and token issued to it stops working at once.
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

    /// Replaces a web app's secret with a new one, returned here once. The old secret stops
    /// working at once.
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
        let app = self.find_mut(client_id).ok_or(AppError::UnknownApp)?;
        if !app.kind.is_confidential() {
            return Err(AppError::NotConfidential);
        }
        let secret = random_token(rng).map_err(|()| AppError::Randomness)?;
        app.secret_digest = Some(Sha256::digest(secret.as_bytes()).into());
        Ok(secret)
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

/// Whether `presented` is the secret whose digest is `digest`, in constant time.
pub(crate) fn secret_matches(digest: &[u8; 32], presented: &str) -> bool {
    let computed: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
    computed.ct_eq(digest).into()
}
