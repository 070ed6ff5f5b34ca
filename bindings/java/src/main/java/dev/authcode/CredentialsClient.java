package dev.authcode;

/**
 * A machine-to-machine client: the client credentials grant (RFC 6749 §4.4) and JWT grants
 * (RFC 7523 §2.1, Workfront's {@code jwt/exchange}) signed by a {@link Signer}, with the
 * token cached until it is due. Calls are serialized; see {@link #close()}.
 */
public final class CredentialsClient extends Handle {
    /** How the secret is sent ({@code AUTHCODE_CREDENTIALS_AUTH_*}). */
    public enum Auth {
        /** {@code Authorization: Basic}. */
        BASIC,
        /** {@code client_id} and {@code client_secret} in the form body. */
        POST
    }

    /** What the token endpoint answered ({@code AUTHCODE_CREDENTIALS_OUTCOME_*}). */
    public enum Outcome {
        /** A token was issued and is cached. */
        ISSUED,
        /** Refused (see {@link #serverError()}); the cache is unchanged. */
        REJECTED
    }

    /** What a JWT grant asserts. */
    public static final class JwtGrant {
        final String subject;
        String audience;
        String issuer;
        long lifetimeSeconds;
        boolean workfront;

        /**
         * A grant for {@code subject}.
         *
         * @param subject {@code sub}: the user the token acts for
         */
        public JwtGrant(String subject) {
            this.subject = Checks.nonNull(subject, "subject");
        }

        /**
         * Sets {@code aud} (RFC 7523 requires it: the server's issuer or token endpoint).
         *
         * @param audience the audience
         * @return this grant
         */
        public JwtGrant audience(String audience) {
            this.audience = audience;
            return this;
        }

        /**
         * Sets {@code iss} when it is not the client id (Workfront: the customer id).
         *
         * @param issuer the issuer
         * @return this grant
         */
        public JwtGrant issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /**
         * Seconds from {@code iat} to {@code exp} (0, the default: 300).
         *
         * @param seconds the lifetime
         * @return this grant
         */
        public JwtGrant lifetime(long seconds) {
            this.lifetimeSeconds = Checks.nonNegative(seconds, "seconds");
            return this;
        }

        /**
         * Writes Workfront's exchange body instead of RFC 7523's.
         *
         * @return this grant
         */
        public JwtGrant workfront() {
            this.workfront = true;
            return this;
        }
    }

    private CredentialsClient(long pointer) {
        super(pointer, Native::credentialsFree);
    }

    /**
     * A client of {@code tokenEndpoint} (Workfront's JWT exchange: its
     * {@code /integrations/oauth2/api/v1/jwt/exchange} URL).
     *
     * @param profile the dialect
     * @param tokenEndpoint the token endpoint
     * @param clientId the client id
     * @param clientSecret the secret (copied; wipe yours)
     * @param auth how the secret is sent
     * @return the client
     * @throws AuthcodeException INVALID_CONFIG when a value is refused
     */
    public static CredentialsClient create(Profile profile, String tokenEndpoint, String clientId, byte[] clientSecret,
                                           Auth auth) {
        return new CredentialsClient(Native.credentialsNew(Checks.nonNull(profile, "profile").code(),
                Checks.nonNull(tokenEndpoint, "tokenEndpoint"), Checks.nonNull(clientId, "clientId"),
                Checks.nonNull(clientSecret, "clientSecret"), Checks.nonNull(auth, "auth").ordinal()));
    }

    /**
     * The client of a confidential configuration (its endpoint, id, secret and scope).
     *
     * @param config the configuration
     * @return the client
     * @throws AuthcodeException INVALID_CONFIG for a public client
     */
    public static CredentialsClient fromConfig(ClientConfig config) {
        return new CredentialsClient(Checks.nonNull(config, "config").callLong(Native::credentialsFromConfig));
    }

    /**
     * Asks for {@code scope}; a cached token of another scope is dropped.
     *
     * @param scope space-separated
     * @return this client
     * @throws AuthcodeException INVALID_CONFIG for a malformed scope
     */
    public CredentialsClient scope(String scope) {
        Checks.nonNull(scope, "scope");
        callVoid(p -> Native.credentialsSetScope(p, scope));
        return this;
    }

    /**
     * The client credentials token request.
     *
     * @return the request to send
     */
    public HttpRequest tokenRequest() {
        return new HttpRequest(call(Native::credentialsTokenRequest));
    }

    /**
     * A JWT grant request signed by {@code signer} (OS randomness for its {@code jti}).
     *
     * @param grant what the JWT asserts
     * @param signer the key
     * @param now Unix seconds
     * @return the request to send
     * @throws AuthcodeException SIGNING_FAILED when the signing function fails or throws
     *     (also when it calls this client: a callback must not); INVALID_ARGUMENT for a key
     *     that is not 32 valid bytes, or claims too long for the JWT; CLOSED for a closed
     *     signer
     */
    public HttpRequest jwtGrantRequest(JwtGrant grant, Signer signer, long now) {
        Checks.nonNull(grant, "grant");
        Checks.nonNull(signer, "signer").checkOpen();
        Checks.nonNegative(now, "now");
        return new HttpRequest(call(p -> Native.credentialsJwtGrantRequest(p, grant.subject, grant.audience,
                grant.issuer, grant.lifetimeSeconds, grant.workfront, signer.algorithm.ordinal(), signer.keyId,
                signer.privateKey, signer.function, now)));
    }

    /**
     * Reads the answer to a token or JWT grant request; an issued token is cached.
     *
     * @param status the HTTP status
     * @param body the response body
     * @param now Unix seconds
     * @return issued or rejected
     * @throws AuthcodeException RESPONSE_UNREADABLE (the client is unchanged)
     */
    public Outcome onTokenResponse(int status, byte[] body, long now) {
        Checks.nonNull(body, "body");
        Checks.nonNegative(now, "now");
        int number = callInt(p -> Native.credentialsOnTokenResponse(p, status, body, now));
        return Outcome.values()[number == 0 ? 0 : 1];
    }

    /**
     * The cached access token while it is not due.
     *
     * @param now Unix seconds
     * @return the token, or null when none is cached or it is due (request a new one)
     */
    public String accessToken(long now) {
        Checks.nonNegative(now, "now");
        return call(p -> Native.credentialsAccessToken(p, now));
    }

    /** Drops the cached token (call it when a resource server answers 401). */
    public void forgetToken() {
        callVoid(Native::credentialsForgetToken);
    }

    /**
     * The OAuth error of the last refused answer.
     *
     * @return the error, or null when none
     */
    public OAuthError serverError() {
        return OAuthError.of(callInt(Native::credentialsServerError));
    }

    /**
     * Why the last failing call failed, or the server's error (empty after a success).
     *
     * @return the text
     */
    public String lastError() {
        return call(Native::credentialsLastError);
    }
}
