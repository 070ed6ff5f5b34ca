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

    /** The saved session. It holds secrets: keep it in the Android Keystore-backed storage. */
    public byte[] save() {
        return Native.sessionSave(pointer());
    }

    public void restore(byte[] saved) {
        Native.sessionRestore(pointer(), saved);
    }

    @Override
    void free(long pointer) {
        Native.sessionFree(pointer);
    }
}
