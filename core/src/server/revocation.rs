//! The revocation endpoint (RFC 7009).

use super::endpoint::{
    RESPONSE_BUFFER_LEN, TokenRequest, TokenResponse, read_params, refuse, store_refusal,
    write_refusal,
};
use super::server::{Server, owns};
use super::store::GrantStore;
use super::tokens;
use crate::BufferTooSmall;
use crate::oauth::ErrorCode;
use crate::time::Timestamp;
use crate::wire::Writer;

impl<St: GrantStore, const APPS: usize> Server<St, APPS> {
    /// The RFC 7009 revocation endpoint: authenticates the client like the token endpoint,
    /// then revokes the grant of `token` (access or refresh) when it belongs to that client.
    /// An unknown token is answered 200 as RFC 7009 §2.2 asks.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] when `buf` is shorter than [`RESPONSE_BUFFER_LEN`].
    pub fn revoke<'buf>(
        &mut self,
        request: &TokenRequest<'_>,
        now: Timestamp,
        buf: &'buf mut [u8],
    ) -> Result<TokenResponse<'buf>, BufferTooSmall> {
        if buf.len() < RESPONSE_BUFFER_LEN {
            return Err(BufferTooSmall {
                needed: RESPONSE_BUFFER_LEN,
            });
        }
        let outcome = read_params(request).and_then(|params| {
            let client = self.client_of(request, &params, now)?;
            let token = params
                .token
                .as_ref()
                .ok_or(refuse(ErrorCode::InvalidRequest, "token is required"))?;
            let Some(presented) = tokens::parse(token.as_bytes()) else {
                return Ok(());
            };
            let found = self
                .store
                .find_key(&presented.key())
                .map_err(store_refusal)?;
            match found {
                Some(found) if owns(&found, &presented.secret_digest) => {
                    if found.grant.app != client.id {
                        return Err(refuse(
                            ErrorCode::InvalidRequest,
                            "the token was issued to another client",
                        ));
                    }
                    self.store.revoke_grant(found.id).map_err(store_refusal)?;
                    Ok(())
                }
                _ => Ok(()),
            }
        });
        Ok(match outcome {
            Ok(()) => {
                let mut out = Writer::new(buf);
                out.push("{}");
                TokenResponse {
                    status: 200,
                    www_authenticate: None,
                    body: out.finish().unwrap_or("{}"),
                }
            }
            Err(refusal) => write_refusal(&refusal, buf),
        })
    }
}
