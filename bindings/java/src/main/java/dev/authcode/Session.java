package dev.authcode;

/**
 * A client session: one login and the grant it produces. Safe to share between threads
 * (calls are serialized); see {@link #close()}. A call that throws
 * {@link AuthcodeException} leaves the session unchanged.
 */
public final class Session extends Handle {
    /** Where a session is in the flow ({@code AUTHCODE_STAGE_*}). */
    public enum Stage {
        /** Waiting for the redirect. */
        AWAITING_REDIRECT,
        /** Waiting for the token exchange. */
        AWAITING_TOKEN,
        /** Tokens held. */
        AUTHORIZED,
        /** Tokens held, refresh in flight. */
        REFRESHING,
        /** Ended without tokens, or sign-in required. */
        FAILED
    }

    /** What the redirect carried ({@code AUTHCODE_REDIRECT_OUTCOME_*}). */
    public enum RedirectOutcome {
        /** A code: send {@link #tokenRequest()} next. */
        CODE_RECEIVED,
        /** The server's error ({@link #serverError()}); the session has failed. */
        DENIED
    }

    /** What the token endpoint answered to the code exchange. */
    public enum TokenOutcome {
        /** Tokens are held. */
        AUTHORIZED,
        /** Refused ({@link #serverError()}); the session has failed. */
        REJECTED
    }

    /** What the token endpoint answered to a refresh. */
    public enum RefreshOutcome {
        /** New tokens are held. */
        REFRESHED,
        /** {@code invalid_grant}: the user must sign in again; tokens wiped. */
        SIGN_IN_REQUIRED,
        /** Another error; the old tokens are kept. */
        REJECTED
    }

    /** Which token a revocation request names ({@code AUTHCODE_TOKEN_KIND_*}). */
    public enum TokenKind {
        /** The access token. */
        ACCESS,
        /** The refresh token. */
        REFRESH
    }

    /** How the access token is presented ({@code AUTHCODE_TOKEN_TYPE_*}). */
    public enum TokenType {
        /** {@code Authorization: Bearer <token>}. */
        BEARER,
        /** Workfront's {@code sessionID: <token>} header. */
        SESSION_ID
    }

    /** How the access token is presented and when it expires. */
    public static final class TokenInfo {
        /** The token type. */
        public final TokenType tokenType;
        /** The access token's expiry in Unix seconds, or 0 when the server gave none. */
        public final long expiresAt;

        TokenInfo(TokenType tokenType, long expiresAt) {
            this.tokenType = tokenType;
            this.expiresAt = expiresAt;
        }
    }

    private static <E extends Enum<E>> E outcome(Class<E> type, int number) {
        E[] all = type.getEnumConstants();
        if (number < 0 || number >= all.length) {
            throw new IllegalStateException("unknown " + type.getSimpleName() + " " + number);
        }
        return all[number];
    }

    /**
     * Starts a login: a fresh PKCE verifier and state from the OS randomness.
     *
     * @param config the client configuration (its settings are copied)
     * @param now Unix seconds
     */
    public Session(ClientConfig config, long now) {
        super(Checks.nonNull(config, "config").callLong(p -> Native.sessionNew(p, Checks.nonNegative(now, "now"))),
                Native::sessionFree);
    }

    /**
     * The session's stage.
     *
     * @return the stage
     */
    public Stage stage() {
        return outcome(Stage.class, callInt(Native::sessionStage));
    }

    /**
     * The authorization URL to open in the system browser.
     *
     * @return the URL
     * @throws AuthcodeException WRONG_STATE after the redirect
     */
    public String authorizeUrl() {
        return call(Native::sessionAuthorizeUrl);
    }

    /**
     * Reads the redirect (full URL, request target or query).
     *
     * @param redirect what the browser delivered
     * @return a code, or the server's refusal
     * @throws AuthcodeException REDIRECT_REFUSED for a forged or broken redirect (the
     *     session is unchanged; {@link AuthcodeException#lastError()} says why)
     */
    public RedirectOutcome onRedirect(String redirect) {
        Checks.nonNull(redirect, "redirect");
        return outcome(RedirectOutcome.class, callInt(p -> Native.sessionOnRedirect(p, redirect)));
    }

    /**
     * The token request that exchanges the code.
     *
     * @return the request to send
     */
    public HttpRequest tokenRequest() {
        return new HttpRequest(call(p -> Native.sessionRequest(p, 0, 0)));
    }

    /**
     * Reads the token endpoint's answer to the code exchange.
     *
     * @param status the HTTP status
     * @param body the response body
     * @param now Unix seconds
     * @return authorized or rejected
     */
    public TokenOutcome onTokenResponse(int status, byte[] body, long now) {
        Checks.nonNull(body, "body");
        Checks.nonNegative(now, "now");
        return outcome(TokenOutcome.class, callInt(p -> Native.sessionOnResponse(p, 0, status, body, now)));
    }

    /**
     * Reads the token endpoint's answer to the code exchange and checks its OpenID Connect
     * ID token against {@code jwkSet} (the issuer's JWK Set document, from discovery's
     * {@code jwks_uri}): signature, iss, aud, azp, exp, iat, nonce. The verified {@code sub}
     * becomes {@link #subject()}.
     *
     * @param status the HTTP status
     * @param body the response body
     * @param jwkSet the issuer's JWK Set document
     * @param now Unix seconds
     * @return authorized or rejected
     * @throws AuthcodeException ID_TOKEN_REFUSED (the last error names the check; the
     *     session still waits for the token)
     */
    public TokenOutcome onTokenResponse(int status, byte[] body, byte[] jwkSet, long now) {
        Checks.nonNull(body, "body");
        Checks.nonNull(jwkSet, "jwkSet");
        Checks.nonNegative(now, "now");
        return outcome(TokenOutcome.class,
                callInt(p -> Native.sessionOnTokenResponseVerified(p, status, body, jwkSet, now)));
    }

    /**
     * The ID token {@link #onTokenResponse(int, byte[], byte[], long)} checked.
     *
     * @return the ID token (compact JWS), or null when none was checked or the session was
     *     restored
     * @throws AuthcodeException WRONG_STATE without tokens
     */
    public String idToken() {
        return call(Native::sessionIdToken);
    }

    /**
     * Whether a refresh is due.
     *
     * @param now Unix seconds
     * @return true when the access token expires within the refresh margin
     */
    public boolean refreshDue(long now) {
        Checks.nonNegative(now, "now");
        return callBoolean(p -> Native.sessionRefreshDue(p, now));
    }

    /**
     * The refresh request; marks a refresh in flight.
     *
     * @return the request to send
     * @throws AuthcodeException REFRESH_IN_FLIGHT, NO_REFRESH_TOKEN, WRONG_STATE
     */
    public HttpRequest refreshRequest() {
        return new HttpRequest(call(p -> Native.sessionRequest(p, 1, 0)));
    }

    /**
     * Reads the answer to the refresh request.
     *
     * @param status the HTTP status
     * @param body the response body
     * @param now Unix seconds
     * @return the outcome
     */
    public RefreshOutcome onRefreshResponse(int status, byte[] body, long now) {
        Checks.nonNull(body, "body");
        Checks.nonNegative(now, "now");
        return outcome(RefreshOutcome.class, callInt(p -> Native.sessionOnResponse(p, 1, status, body, now)));
    }

    /** Forgets an in-flight refresh that will never be answered. */
    public void cancelRefresh() {
        callVoid(Native::sessionCancelRefresh);
    }

    /**
     * The RFC 7009 request revoking the refresh token.
     *
     * @return the request to send
     */
    public HttpRequest revocationRequest() {
        return revocationRequest(TokenKind.REFRESH);
    }

    /**
     * The RFC 7009 request revoking the access or refresh token.
     *
     * @param kind which token
     * @return the request to send
     * @throws AuthcodeException NO_REVOCATION_ENDPOINT, NO_REFRESH_TOKEN, WRONG_STATE
     */
    public HttpRequest revocationRequest(TokenKind kind) {
        int number = Checks.nonNull(kind, "kind").ordinal();
        return new HttpRequest(call(p -> Native.sessionRequest(p, 2, number)));
    }

    /** Ends the session: wipes its tokens or pending login. */
    public void signOut() {
        callVoid(Native::sessionSignOut);
    }

    /**
     * The access token.
     *
     * @return the token
     * @throws AuthcodeException WRONG_STATE without tokens
     */
    public String accessToken() {
        return call(Native::sessionAccessToken);
    }

    /**
     * The refresh token.
     *
     * @return the token, or null when the server issued none
     * @throws AuthcodeException WRONG_STATE without tokens
     */
    public String refreshToken() {
        return call(Native::sessionRefreshToken);
    }

    /**
     * The subject ({@code sub}) the token response carried (Adobe IMS sends it).
     *
     * @return the subject, or null when the server gave none
     * @throws AuthcodeException WRONG_STATE without tokens
     */
    public String subject() {
        return call(Native::sessionSubject);
    }

    /**
     * The token type and the access token's expiry.
     *
     * @return the information
     * @throws AuthcodeException WRONG_STATE without tokens
     */
    public TokenInfo tokenInfo() {
        long[] out = new long[2];
        callVoid(p -> Native.sessionTokenInfo(p, out));
        return new TokenInfo(outcome(TokenType.class, (int) out[0]), out[1]);
    }

    /**
     * The last OAuth error the server answered with.
     *
     * @return the error, or null when none
     */
    public OAuthError serverError() {
        return OAuthError.of(callInt(Native::sessionServerError));
    }

    /**
     * The last failure as text: why a call failed, or the server's error and description.
     *
     * @return the text
     */
    public String lastError() {
        return call(Native::sessionLastError);
    }

    /**
     * The saved session, closed by an unkeyed checksum. It holds secrets: keep it in the
     * Android Keystore-backed storage. See {@link #save(byte[])} for saves that cannot be
     * forged.
     *
     * @return the saved bytes
     */
    public byte[] save() {
        return call(p -> Native.sessionSave(p, null));
    }

    /**
     * The saved session, authenticated with HMAC-SHA-256 under {@code key} (16 to 64 random
     * bytes kept in the Android Keystore, apart from the saves). It restores only through
     * {@link #restore(byte[], byte[])} with the same key.
     *
     * @param key the key
     * @return the saved bytes
     * @throws AuthcodeException INVALID_ARGUMENT when the key is not 16..64 bytes
     */
    public byte[] save(byte[] key) {
        Checks.nonNull(key, "key");
        return call(p -> Native.sessionSave(p, key));
    }

    /**
     * Replaces the state with a save from {@link #save()} (this version or an earlier one).
     * On failure (RESTORE_FAILED, with the reason) the session is unchanged.
     *
     * @param saved the saved bytes
     */
    public void restore(byte[] saved) {
        Checks.nonNull(saved, "saved");
        callVoid(p -> Native.sessionRestore(p, null, saved));
    }

    /**
     * Replaces the state with a save from {@link #save(byte[])} made with {@code key}. A
     * changed save, another key, or an unkeyed save fail with RESTORE_FAILED ("not
     * authenticated by the key given") and leave the session unchanged. To move an app to
     * keyed saves, restore its old save once with {@link #restore(byte[])}, then save it
     * with a key.
     *
     * @param saved the saved bytes
     * @param key the key they were saved with
     */
    public void restore(byte[] saved, byte[] key) {
        Checks.nonNull(saved, "saved");
        Checks.nonNull(key, "key");
        callVoid(p -> Native.sessionRestore(p, key, saved));
    }
}
