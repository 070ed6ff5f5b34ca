// A strict, independent client library (panva's openid-client, an OpenID-certified
// relying party, from the npm registry) against `authcode serve`, configured only by
// discovery: authorization code + PKCE + state + nonce (the server auto-approves), iss
// checked (RFC 9207), the ID token checked (signature against jwks_uri, iss, aud, exp,
// iat, nonce), refresh, revocation. Usage:
//   node openid_client.mjs ISSUER DISCOVERY_URL CLIENT_ID
// Prints one JSON line with what happened; exits non-zero on any failure.
import * as client from 'openid-client';

const [issuer, discoveryUrl, clientId] = process.argv.slice(2);
const redirectUri = 'http://127.0.0.1:9/callback';

const config = await client.discovery(new URL(discoveryUrl), clientId, undefined, client.None(), {
  execute: [client.allowInsecureRequests],
});
const metadata = config.serverMetadata();
if (metadata.issuer !== issuer) throw new Error(`issuer ${metadata.issuer} is not ${issuer}`);

const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const url = client.buildAuthorizationUrl(config, {
  nonce,
  redirect_uri: redirectUri,
  scope: 'openid',
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state,
});
const answer = await fetch(url, { redirect: 'manual' });
const location = answer.headers.get('location');
if (answer.status !== 302 || !location) throw new Error(`authorize answered ${answer.status}`);

const tokens = await client.authorizationCodeGrant(config, new URL(location), {
  pkceCodeVerifier: verifier,
  expectedState: state,
  expectedNonce: nonce,
  idTokenExpected: true,
});
const claims = tokens.claims();
const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
await client.tokenRevocation(config, refreshed.refresh_token);
let refusedAfterRevocation = false;
try {
  await client.refreshTokenGrant(config, refreshed.refresh_token);
} catch (error) {
  refusedAfterRevocation = error.error === 'invalid_grant';
}
console.log(JSON.stringify({
  issuer: metadata.issuer,
  token_type: tokens.token_type,
  id_token_alg: JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url')).alg,
  sub: claims.sub,
  aud: claims.aud,
  rotated: refreshed.refresh_token !== tokens.refresh_token,
  refused_after_revocation: refusedAfterRevocation,
}));
