// An independent JOSE implementation (panva's jose, from the npm registry) for the interop
// tests. Usage:
//   node jose_peer.mjs sign AUDIENCE   — makes an RS256, an ES256 and an EdDSA key, signs a
//                                        JWT with each, prints {"jwks":…,"tokens":{alg:jwt}}
//   node jose_peer.mjs verify          — reads {"jwks":…,"tokens":[…],"audience":…} on
//                                        stdin, verifies each JWT against the set, prints
//                                        {"verified":[{alg, sub}]}; exits non-zero on any failure
import * as jose from 'jose';

const [mode, audience] = process.argv.slice(2);

if (mode === 'sign') {
  const keys = [];
  const tokens = {};
  for (const [alg, options] of [['RS256', { modulusLength: 2048 }], ['ES256', {}], ['EdDSA', { crv: 'Ed25519' }]]) {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { ...options, extractable: true });
    const jwk = await jose.exportJWK(publicKey);
    jwk.kid = `peer-${alg}`;
    jwk.alg = alg;
    jwk.use = 'sig';
    keys.push(jwk);
    tokens[alg] = await new jose.SignJWT({ nonce: 'n-1' })
      .setProtectedHeader({ alg, kid: jwk.kid, typ: 'JWT' })
      .setIssuer('https://peer.example')
      .setSubject(`subject-${alg}`)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(`jti-${alg}`)
      .sign(privateKey);
  }
  console.log(JSON.stringify({ jwks: { keys }, tokens }));
} else if (mode === 'verify') {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const { jwks, tokens, audience: expected } = JSON.parse(input);
  const set = jose.createLocalJWKSet(jwks);
  const verified = [];
  for (const token of tokens) {
    const { payload, protectedHeader } = await jose.jwtVerify(token, set, {
      audience: expected,
      algorithms: ['RS256', 'ES256', 'EdDSA'],
    });
    verified.push({ alg: protectedHeader.alg, sub: payload.sub });
  }
  console.log(JSON.stringify({ verified }));
} else {
  console.error('usage: node jose_peer.mjs sign AUDIENCE | verify');
  process.exit(2);
}
