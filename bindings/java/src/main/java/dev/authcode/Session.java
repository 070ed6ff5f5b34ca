package dev.authcode;

/** A client session: one login and the grant it produces. Use from one thread at a time. */
public final class Session extends Handle {
    public static final int STAGE_AWAITING_REDIRECT = 0;
    public static final int STAGE_AWAITING_TOKEN = 1;
    public static final int STAGE_AUTHORIZED = 2;
    public static final int STAGE_REFRESHING = 3;
    public static final int STAGE_FAILED = 4;

    /** on* outcomes: 0 = success (code received / authorized / refreshed); otherwise the server refused. */
    public static final int OUTCOME_OK = 0;

    /** Starts a login; {@code now} is Unix seconds. */
    public Session(ClientConfig config, long now) {
        super(Native.sessionNew(config.pointer(), now));
    }

    public int stage() {
        return Native.sessionStage(pointer());
    }

    public String authorizeUrl() {
        return Native.sessionAuthorizeUrl(pointer());
    }

    /** 0: a code arrived; 1: the server denied. Throws REDIRECT_REFUSED for a forged or broken redirect. */
    public int onRedirect(String redirect) {
        return Native.sessionOnRedirect(pointer(), redirect);
    }

    public HttpRequest tokenRequest() {
        return new HttpRequest(Native.sessionRequest(pointer(), 0));
    }

    /** 0: authorized; 1: rejected. */
    public int onTokenResponse(int status, byte[] body, long now) {
        return Native.sessionOnResponse(pointer(), 0, status, body, now);
    }

    public boolean refreshDue(long now) {
        return Native.sessionRefreshDue(pointer(), now);
    }

    public HttpRequest refreshRequest() {
        return new HttpRequest(Native.sessionRequest(pointer(), 1));
    }

    /** 0: refreshed; 1: sign in again; 2: rejected, old tokens kept. */
    public int onRefreshResponse(int status, byte[] body, long now) {
        return Native.sessionOnResponse(pointer(), 1, status, body, now);
    }

    /** The RFC 7009 request revoking the refresh token. */
    public HttpRequest revocationRequest() {
        return new HttpRequest(Native.sessionRequest(pointer(), 2));
    }

    public String accessToken() {
        return Native.sessionAccessToken(pointer());
    }

    /**
     * The saved session, closed by an unkeyed checksum. It holds secrets: keep it in the
     * Android Keystore-backed storage. See {@link #save(byte[])} for saves that cannot be
     * forged.
     */
    public byte[] save() {
        return Native.sessionSave(pointer(), null);
    }

    /**
     * The saved session, authenticated with HMAC-SHA-256 under {@code key} (16 to 64 random
     * bytes kept in the Android Keystore, apart from the saves). It restores only through
     * {@link #restore(byte[], byte[])} with the same key.
     *
     * @throws AuthcodeException INVALID_ARGUMENT when the key is not 16..64 bytes
     */
    public byte[] save(byte[] key) {
        if (key == null) throw new NullPointerException("key");
        return Native.sessionSave(pointer(), key);
    }

    /**
     * Replaces the state with a save from {@link #save()} (this version or an earlier one).
     * On failure (RESTORE_FAILED, with the reason) the session is unchanged.
     */
    public void restore(byte[] saved) {
        Native.sessionRestore(pointer(), null, saved);
    }

    /**
     * Replaces the state with a save from {@link #save(byte[])} made with {@code key}. A
     * changed save, another key, or an unkeyed save fail with RESTORE_FAILED ("not
     * authenticated by the key given") and leave the session unchanged. To move an app to
     * keyed saves, restore its old save once with {@link #restore(byte[])}, then save it
     * with a key.
     */
    public void restore(byte[] saved, byte[] key) {
        if (key == null) throw new NullPointerException("key");
        Native.sessionRestore(pointer(), key, saved);
    }

    @Override
    void free(long pointer) {
        Native.sessionFree(pointer);
    }
}
