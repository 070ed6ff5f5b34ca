//! A firmware-shaped program that drives authcode's public API with input the optimiser
//! cannot see (volatile reads), and whose panic handler calls a function that does not
//! exist. If any panic path in the core survives optimisation, the link fails with an
//! undefined reference to `authcode_panic_is_reachable`.
//!
//! `cargo build --release --manifest-path panic-check/Cargo.toml --target thumbv7em-none-eabihf`
//! (and `--features client-only`). For footprint figures: `--profile release-small
//! --features footprint[,client-only]`, then `python3 panic-check/sizes.py BINARY`.
#![no_std]
#![no_main]

use core::convert::Infallible;
use core::panic::PanicInfo;
use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};

use authcode::Timestamp;
use authcode::client::{
    ClientConfig, CredentialsAuth, CredentialsClient, Discovery, Session, TokenKind,
};
use authcode::pkce::{Challenge, Verifier, VerifierLength};
use authcode::profile::Profile;
use rand_core::{TryCryptoRng, TryRng};

unsafe extern "C" {
    /// Deliberately never defined: referencing it from the panic handler makes every
    /// surviving panic path a link error.
    fn authcode_panic_is_reachable() -> !;
}

#[cfg(not(feature = "footprint"))]
#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    // SAFETY: never defined, so never called; the link fails first if this is reachable.
    unsafe { authcode_panic_is_reachable() }
}

#[cfg(feature = "footprint")]
#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {}
}

/// Input the optimiser must treat as unknown.
static mut INPUT: [u8; 2048] = [0; 2048];
static mut OUTPUT: [u8; 8192] = [0; 8192];
static mut SINK: usize = 0;

fn input(len_seed: usize) -> &'static [u8] {
    // SAFETY: single-threaded program; volatile reads keep the content opaque.
    unsafe {
        let len = read_volatile(addr_of!(INPUT[0])) as usize * 8 + len_seed % 8;
        let all = &*addr_of!(INPUT);
        all.get(..len.min(all.len())).unwrap_or(&[])
    }
}

fn output() -> &'static mut [u8] {
    // SAFETY: single-threaded program; one borrow at a time.
    unsafe { &mut *addr_of_mut!(OUTPUT) }
}

fn sink(value: usize) {
    // SAFETY: single-threaded program.
    unsafe { write_volatile(addr_of_mut!(SINK), value) }
}

fn now() -> Timestamp {
    // SAFETY: single-threaded program.
    Timestamp::from_unix_seconds(unsafe { read_volatile(addr_of!(INPUT[1])) } as u64 * 1000)
}

struct HardwareRng;

impl TryRng for HardwareRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // SAFETY: single-threaded program.
        Ok(unsafe { read_volatile(addr_of!(INPUT[2])) } as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(u64::from(self.try_next_u32()?))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for byte in dst {
            // SAFETY: single-threaded program.
            *byte = unsafe { read_volatile(addr_of!(INPUT[3])) };
        }
        Ok(())
    }
}

impl TryCryptoRng for HardwareRng {}

fn text(seed: usize) -> &'static str {
    core::str::from_utf8(input(seed)).unwrap_or("")
}

fn pkce() {
    if let Ok(verifier) = Verifier::parse_bytes(input(1)) {
        if let Ok(challenge) = Challenge::parse_bytes(input(2)) {
            sink(usize::from(challenge.verify(&verifier)));
        }
        sink(
            Challenge::s256(&verifier)
                .encode_into(output())
                .map_or(0, str::len),
        );
    }
    if let Ok(length) = VerifierLength::new(input(3).len()) {
        sink(Verifier::generate(&mut HardwareRng, length).map_or(0, |v| v.as_bytes().len()));
    }
}

fn client() {
    let Ok(config) = ClientConfig::new(Profile::Workfront, text(1), text(2), text(3), text(4))
    else {
        return;
    };
    let config = config.with_scope(text(5)).unwrap_or_else(|_| {
        ClientConfig::workfront(text(6), text(7), text(0)).unwrap_or(config_fallback())
    });
    let Ok(mut session) = Session::start(config, &mut HardwareRng, now()) else {
        return;
    };
    sink(session.authorize_url(output()).map_or(0, str::len));
    sink(session.on_redirect(input(1)).is_ok() as usize);
    sink(session.token_request(output()).map_or(0, |r| r.body.len()));
    sink(session.on_token_response(200, input(2), now()).is_ok() as usize);
    sink(usize::from(session.refresh_due(now())));
    sink(
        session
            .refresh_request(output())
            .map_or(0, |r| r.body.len()),
    );
    sink(session.on_refresh_response(400, input(3), now()).is_ok() as usize);
    sink(
        session
            .revocation_request(TokenKind::Refresh, output())
            .map_or(0, |r| r.body.len()),
    );
    sink(session.save(output()).map_or(0, <[u8]>::len));
    let config = session.config().clone();
    sink(Session::restore(config, input(4)).is_ok() as usize);
}

/// Discovery and the client credentials grant, on input.
fn other_clients() {
    let discovery = Discovery {
        issuer: text(1),
        client_id: text(2),
        redirect_uri: text(3),
        profile: Profile::AdobeIms,
        client_secret: Some(text(4)),
        auth_method: None,
    };
    let discovered = ClientConfig::from_metadata(input(5), &discovery);
    sink(discovered.as_ref().map_or(0, |c| c.token_endpoint().len()));
    if let Ok(config) = ClientConfig::adobe_ims(text(6), text(7), text(0)) {
        sink(config.with_scope(text(5)).map_or(0, |c| c.scope().len()));
    }
    let Ok(client) = CredentialsClient::new(
        Profile::AdobeIms,
        text(1),
        text(2),
        CredentialsAuth::Post(text(3)),
    ) else {
        return;
    };
    let Ok(mut client) = client.with_scope(text(4)) else {
        return;
    };
    sink(client.token_request(output()).map_or(0, |r| r.body.len()));
    sink(client.on_token_response(200, input(6), now()).is_ok() as usize);
    sink(client.access_token(now()).map_or(0, str::len));
    if let Ok(discovered) = discovered
        && let Ok(client) = CredentialsClient::from_config(&discovered)
    {
        sink(client.token_request(output()).map_or(0, |r| r.url.len()));
    }
}

fn config_fallback() -> ClientConfig {
    // Unreachable in practice; keeps `client` total without a panic.
    loop {}
}

#[cfg(not(feature = "client-only"))]
fn server() {
    use authcode::server::{
        AppKind, AppSpec, InlineStorage, MemoryStore, SecretRotation, Server, ServerConfig,
        TokenRequest,
    };
    static mut SERVER: Option<Server<MemoryStore<InlineStorage<16, 16, 40>>, 4>> = None;
    // SAFETY: single-threaded program; the only access.
    let slot = unsafe { &mut *addr_of_mut!(SERVER) };
    let server = slot.get_or_insert_with(|| {
        Server::new(ServerConfig::new(Profile::Workfront), InlineStorage::new())
    });
    let redirect = [text(1)];
    sink(
        server
            .registry_mut()
            .create(
                &AppSpec::new(text(2), AppKind::SinglePage, &redirect),
                &mut HardwareRng,
            )
            .is_ok() as usize,
    );
    sink(
        server
            .authorize(input(3), text(4), now(), &mut HardwareRng, output())
            .map_or(0, |r| r.location.len()),
    );
    let request = TokenRequest {
        method: text(5),
        content_type: Some(text(6)),
        authorization: Some(text(7)),
        body: input(0),
    };
    sink(
        server
            .token(&request, now(), &mut HardwareRng, output())
            .map_or(0, |r| r.body.len()),
    );
    sink(
        server
            .revoke(&request, now(), output())
            .map_or(0, |r| r.body.len()),
    );
    sink(server.validate(text(1), now()).is_ok() as usize);
    sink(server.purge_expired(now()).unwrap_or(0));
    sink(server.revoke_token(text(2)).is_ok() as usize);
    sink(server.revoke_subject(text(3)).unwrap_or(0));
    sink(server.revoke_app_grants(text(4)).unwrap_or(0));
    sink(
        server
            .rotate_secret(
                text(5),
                SecretRotation {
                    overlap: 60,
                    end_grants: true,
                },
                now(),
                &mut HardwareRng,
            )
            .is_ok() as usize,
    );
    sink(server.delete_app(text(6)).is_ok() as usize);
}

#[cfg(feature = "client-only")]
fn server() {}

/// The JOSE layer on input: a JWS against a JWK (and a JWK Set), the features built in.
#[cfg(any(feature = "jose-rsa", feature = "jose-ec", feature = "jose-ed25519"))]
fn jose() {
    use authcode::jose::{Compact, Jwk, JwkSet};
    let mut payload = [0u8; 512];
    if let (Ok(jws), Ok(jwk)) = (Compact::parse(input(1)), Jwk::parse(input(2))) {
        sink(jws.verify(jwk.key(), &mut payload).map_or(0, <[u8]>::len));
    }
    if let (Ok(jws), Ok(set)) = (Compact::parse(input(3)), JwkSet::parse(input(4))) {
        if let Ok(header) = jws.header() {
            sink(set.find(&header).is_ok() as usize);
        }
    }
    #[cfg(feature = "jose-der")]
    sink(authcode::jose::PublicKey::from_pem(input(5)).is_ok() as usize);
}

#[cfg(not(any(feature = "jose-rsa", feature = "jose-ec", feature = "jose-ed25519")))]
fn jose() {}

/// OpenID Connect: a login whose ID token is checked.
#[cfg(feature = "oidc")]
fn oidc() {
    let Ok(config) = ClientConfig::new(Profile::Rfc, text(1), text(2), text(3), text(4)) else {
        return;
    };
    let Ok(config) = config
        .with_scope("openid")
        .and_then(|c| c.with_issuer(text(5)))
    else {
        return;
    };
    let Ok(mut session) = Session::start(config.checking_id_tokens(), &mut HardwareRng, now())
    else {
        return;
    };
    sink(session.on_redirect(input(1)).is_ok() as usize);
    sink(
        session
            .on_token_response_verified(200, input(2), now(), input(3))
            .is_ok() as usize,
    );
}

#[cfg(not(feature = "oidc"))]
fn oidc() {}

#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    loop {
        pkce();
        client();
        other_clients();
        server();
        jose();
        oidc();
    }
}
