package dev.authcode;

/**
 * The JNI entry points into libauthcode_ffi ({@code ffi/src/jni.rs}, {@code ffi/src/jni/}).
 * Handles are native pointers held as longs; the public classes pass only live ones (see
 * {@link Handle}). Out-parameters are small arrays the caller allocates.
 */
final class Native {
    static {
        System.loadLibrary("authcode_ffi");
        int abi = abiVersion();
        if (abi != Authcode.ABI_VERSION) {
            throw new UnsatisfiedLinkError("libauthcode_ffi has ABI version " + abi + "; this binding needs "
                    + Authcode.ABI_VERSION);
        }
    }

    private Native() {}

    static native String version();
    static native int abiVersion();
    static native String resultName(int code);
    static native String resultMessage(int code);

    static native String pkceGenerate(int length);
    static native String pkceChallenge(String verifier);
    static native boolean pkceVerify(String verifier, String challenge);

    static native long configNew(int profile, String authorizationEndpoint, String tokenEndpoint, String clientId,
                                 String redirectUri, String workfrontDomain);
    /** {@code clientSecret} null: a public client. */
    static native long configFromMetadata(int profile, byte[] document, String issuer, String clientId,
                                          String redirectUri, byte[] clientSecret);
    static native void configFree(long config);
    /** {@code setting}: 0 scope, 1 issuer, 2 basic secret, 3 post secret, 4 revocation endpoint. */
    static native void configSet(long config, int setting, byte[] value);
    static native void configAddAuthorizationParameter(long config, String name, String value);
    static native void configSetBodyFormat(long config, int format);
    static native void configSetRefreshMargin(long config, long seconds);
    static native void configCheckIdTokens(long config);
    static native String configLastError(long config);

    static native long sessionNew(long config, long now);
    static native void sessionFree(long session);
    static native int sessionStage(long session);
    static native String sessionAuthorizeUrl(long session);
    static native int sessionOnRedirect(long session, String redirect);
    /** {@code which}: 0 token, 1 refresh, 2 revocation of token {@code kind}. */
    static native String[] sessionRequest(long session, int which, int kind);
    /** {@code which}: 0 token response, 1 refresh response. */
    static native int sessionOnResponse(long session, int which, int status, byte[] body, long now);
    static native int sessionOnTokenResponseVerified(long session, int status, byte[] body, byte[] jwkSet, long now);
    static native String sessionIdToken(long session);
    static native boolean sessionRefreshDue(long session, long now);
    static native void sessionCancelRefresh(long session);
    static native void sessionSignOut(long session);
    static native String sessionAccessToken(long session);
    static native String sessionRefreshToken(long session);
    static native String sessionSubject(long session);
    /** {@code out}: token type, expiry. */
    static native void sessionTokenInfo(long session, long[] out);
    static native int sessionServerError(long session);
    static native String sessionLastError(long session);
    /** {@code key} null: an unkeyed save. */
    static native byte[] sessionSave(long session, byte[] key);
    /** {@code key} null: restores an unkeyed save. */
    static native void sessionRestore(long session, byte[] key, byte[] saved);

    static native long credentialsNew(int profile, String tokenEndpoint, String clientId, byte[] clientSecret, int auth);
    static native long credentialsFromConfig(long config);
    static native void credentialsFree(long client);
    static native void credentialsSetScope(long client, String scope);
    static native String[] credentialsTokenRequest(long client);
    /** {@code signFunction} null: the core signs with {@code privateKey}. */
    static native String[] credentialsJwtGrantRequest(long client, String subject, String audience, String issuer,
                                                      long lifetime, boolean workfront, int algorithm, String keyId,
                                                      byte[] privateKey, Signer.SignFunction signFunction, long now);
    static native int credentialsOnTokenResponse(long client, int status, byte[] body, long now);
    /** Null when no token is cached or it is due. */
    static native String credentialsAccessToken(long client, long now);
    static native void credentialsForgetToken(long client);
    static native int credentialsServerError(long client);
    static native String credentialsLastError(long client);
    static native String signerPublicJwk(int algorithm, String keyId, byte[] privateKey,
                                         Signer.SignFunction signFunction);

    static native long serverNew(int profile);
    static native void serverFree(long server);
    static native void serverSetIssuer(long server, String issuer);
    static native void serverSetLifetimes(long server, long codeSeconds, long accessTokenSeconds);
    static native void serverSetWorkfrontIdentity(long server, String domain, String lane, String wid);
    /** Returns the client id and the secret (null without one), as bytes. */
    static native byte[][] serverCreateApp(long server, String name, int kind, String[] redirectUris, boolean rotation,
                                           long absoluteLifetime, long inactivityLifetime, String[] publicKeys,
                                           boolean clientCredentials, String scope);
    static native void serverUpdateApp(long server, String clientId, String name, int kind, String[] redirectUris,
                                       boolean rotation, long absoluteLifetime, long inactivityLifetime);
    static native void serverDeleteApp(long server, String clientId);
    static native byte[] serverRotateSecret(long server, String clientId);
    static native byte[] serverRotateSecretWith(long server, String clientId, long overlapSeconds, boolean endGrants,
                                                long now);
    static native byte[] serverAddSecret(long server, String clientId, long now, int[] slot);
    static native void serverDeleteSecret(long server, String clientId, int slot, long now);
    static native int serverAppCount(long server);
    /** {@code out}: codes, grants, codes quota, grants quota. */
    static native void serverAppUsage(long server, String clientId, long[] out);
    static native String serverAuthorize(long server, String query, String subject, long now, int[] error);
    static native String serverDeny(long server, String query, int[] error);
    /** Returns WWW-Authenticate (or null) and the body; {@code status[0]}: the HTTP status. */
    static native String[] serverToken(long server, boolean revoke, String method, String contentType,
                                       String authorization, byte[] body, long now, int[] status);
    /** Returns client id, subject, scope, or null for an invalid token. */
    static native String[] serverValidate(long server, String token, long now, long[] expiresAt);
    static native boolean serverRevokeToken(long server, String token);
    static native long serverPurgeExpired(long server, long now);
    static native void serverSetQuotas(long server, int codesPerApp, int grantsPerApp, int codesPerSubject);
    static native void serverSetAccessTokensPerGrant(long server, int count);
    static native void serverSetRefreshGrace(long server, long seconds);
    static native long serverRevokeSubject(long server, String subject);
    static native long serverRevokeAppGrants(long server, String clientId);
    static native String serverLastError(long server);
}
