package dev.authcode;

import java.nio.charset.StandardCharsets;

/**
 * A client configuration. Sessions copy what they need, so it may be closed once they are
 * started. Safe to share between threads (calls are serialized); see {@link #close()}.
 * A failing setter throws {@link AuthcodeException} (INVALID_CONFIG, with the reason) and
 * leaves the configuration unchanged.
 */
public final class ClientConfig extends Handle {
    /** The token request body format ({@code AUTHCODE_BODY_FORMAT_*}). */
    public enum BodyFormat {
        /** {@code application/x-www-form-urlencoded}. */
        FORM,
        /** {@code application/json}. */
        JSON
    }

    private ClientConfig(long pointer) {
        super(pointer, Native::configFree);
    }

    /**
     * A client of an RFC or Workfront server with explicit endpoints.
     *
     * @param profile the dialect
     * @param authorizationEndpoint the authorization endpoint (https, or http on loopback)
     * @param tokenEndpoint the token endpoint
     * @param clientId the client id
     * @param redirectUri the redirect URI (https, loopback http, or a private-use scheme)
     * @return the configuration
     * @throws AuthcodeException INVALID_CONFIG when a value is refused
     */
    public static ClientConfig create(Profile profile, String authorizationEndpoint, String tokenEndpoint,
                                      String clientId, String redirectUri) {
        return new ClientConfig(Native.configNew(Checks.nonNull(profile, "profile").code(),
                Checks.nonNull(authorizationEndpoint, "authorizationEndpoint"),
                Checks.nonNull(tokenEndpoint, "tokenEndpoint"), Checks.nonNull(clientId, "clientId"),
                Checks.nonNull(redirectUri, "redirectUri"), null));
    }

    /**
     * A Workfront client for the organisation at {@code domain}.
     *
     * @param domain e.g. {@code acme.my.workfront.com}
     * @param clientId the client id
     * @param redirectUri the redirect URI
     * @return the configuration
     * @throws AuthcodeException INVALID_CONFIG when a value is refused
     */
    public static ClientConfig workfront(String domain, String clientId, String redirectUri) {
        return new ClientConfig(Native.configNew(Profile.WORKFRONT.code(), null, null,
                Checks.nonNull(clientId, "clientId"), Checks.nonNull(redirectUri, "redirectUri"),
                Checks.nonNull(domain, "domain")));
    }

    /**
     * A configuration from the authorization server's metadata (an RFC 8414 document or an
     * OpenID Connect provider configuration the app fetched). The document's {@code issuer}
     * must equal {@code issuer} exactly; its endpoints must be https (http only on loopback);
     * {@code S256} must be listed when methods are. A refusal throws
     * {@link AuthcodeException} ({@code INVALID_CONFIG}) whose {@code lastError()} names the
     * member at fault.
     *
     * @param profile the dialect ({@link Profile#RFC} for any standard server)
     * @param document the metadata document's bytes
     * @param issuer the issuer the app expects
     * @param clientId the client id
     * @param redirectUri the redirect URI
     * @param clientSecret a confidential client's secret (UTF-8), or null for a public one
     * @return the configuration
     */
    public static ClientConfig fromMetadata(Profile profile, byte[] document, String issuer, String clientId,
                                            String redirectUri, byte[] clientSecret) {
        return new ClientConfig(Native.configFromMetadata(Checks.nonNull(profile, "profile").code(),
                Checks.nonNull(document, "document"), Checks.nonNull(issuer, "issuer"),
                Checks.nonNull(clientId, "clientId"), Checks.nonNull(redirectUri, "redirectUri"), clientSecret));
    }

    private ClientConfig set(int setting, byte[] value) {
        callVoid(p -> Native.configSet(p, setting, value));
        return this;
    }

    private static byte[] utf8(String value, String name) {
        return Checks.nonNull(value, name).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sets the requested scope (space-separated).
     *
     * @param scope the scope
     * @return this configuration
     */
    public ClientConfig scope(String scope) {
        return set(0, utf8(scope, "scope"));
    }

    /**
     * Expects {@code iss} on redirects equal to this issuer (RFC 9207).
     *
     * @param issuer an https URL
     * @return this configuration
     */
    public ClientConfig issuer(String issuer) {
        return set(1, utf8(issuer, "issuer"));
    }

    /**
     * Authenticates with {@code Authorization: Basic} and this secret (UTF-8). The native
     * copy is wiped when the configuration is freed; wipe {@code secret} yourself.
     *
     * @param secret the client secret
     * @return this configuration
     */
    public ClientConfig clientSecretBasic(byte[] secret) {
        return set(2, Checks.nonNull(secret, "secret"));
    }

    /**
     * Authenticates with {@code client_id} + {@code client_secret} in the body (UTF-8
     * secret; wiped natively when the configuration is freed).
     *
     * @param secret the client secret
     * @return this configuration
     */
    public ClientConfig clientSecretPost(byte[] secret) {
        return set(3, Checks.nonNull(secret, "secret"));
    }

    /**
     * Sets the RFC 7009 revocation endpoint.
     *
     * @param endpoint https, or http on loopback
     * @return this configuration
     */
    public ClientConfig revocationEndpoint(String endpoint) {
        return set(4, utf8(endpoint, "endpoint"));
    }

    /**
     * Adds an authorization request parameter such as {@code prompt=login}.
     *
     * @param name the parameter's name (not a reserved one such as {@code state})
     * @param value its value
     * @return this configuration
     */
    public ClientConfig authorizationParameter(String name, String value) {
        Checks.nonNull(name, "name");
        Checks.nonNull(value, "value");
        callVoid(p -> Native.configAddAuthorizationParameter(p, name, value));
        return this;
    }

    /**
     * Overrides the profile's token request body format.
     *
     * @param format form or JSON
     * @return this configuration
     */
    public ClientConfig bodyFormat(BodyFormat format) {
        int number = Checks.nonNull(format, "format").ordinal();
        callVoid(p -> Native.configSetBodyFormat(p, number));
        return this;
    }

    /**
     * Seconds before expiry at which a refresh becomes due (default 60).
     *
     * @param seconds the margin
     * @return this configuration
     */
    public ClientConfig refreshMargin(long seconds) {
        Checks.nonNegative(seconds, "seconds");
        callVoid(p -> Native.configSetRefreshMargin(p, seconds));
        return this;
    }

    /**
     * Checks OpenID Connect ID tokens when the scope has {@code openid}: sessions send a
     * nonce and answer the code exchange with
     * {@link Session#onTokenResponse(int, byte[], byte[], long)} and the issuer's JWK Set.
     * Needs an issuer ({@link #issuer}, or discovery).
     *
     * @return this configuration
     */
    public ClientConfig checkIdTokens() {
        callVoid(Native::configCheckIdTokens);
        return this;
    }

    /**
     * Why the previous call on this configuration failed (empty after a success).
     *
     * @return the text
     */
    public String lastError() {
        return call(Native::configLastError);
    }
}
