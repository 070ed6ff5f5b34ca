package dev.authcode;

/** An embedded authorization server. Use from one thread at a time (lock around it). */
public final class Server extends Handle {
    public static final int APP_WEB = 0;
    public static final int APP_SINGLE_PAGE = 1;
    public static final int APP_MACHINE_TO_MACHINE = 2;

    /** A registered app: its client id and, for a web app, the secret shown this once. */
    public static final class App {
        public final String clientId;
        public final String clientSecret;

        App(String[] fields) {
            this.clientId = fields[0];
            this.clientSecret = fields[1];
        }
    }

    /** A redirect: the Location and, when the request failed, the OAuth error it carries. */
    public static final class Redirect {
        public final String location;
        public final String error;

        Redirect(String[] fields) {
            this.location = fields[0];
            this.error = fields[1];
        }
    }

    /** A token endpoint response; send it as JSON with Cache-Control: no-store. */
    public static final class Response {
        public final int status;
        public final String wwwAuthenticate;
        public final String body;

        Response(String[] fields) {
            this.status = Integer.parseInt(fields[0]);
            this.wwwAuthenticate = fields[1];
            this.body = fields[2];
        }
    }

    public Server(int profile) {
        super(Native.serverNew(profile));
    }

    public App createApp(String name, int kind, String[] redirectUris, boolean rotation) {
        return new App(Native.serverCreateApp(pointer(), name, kind, redirectUris, rotation));
    }

    /** Throws AUTHORIZE_REFUSED when the client or redirect URI must be refused to the user. */
    public Redirect authorize(String query, String subject, long now) {
        return new Redirect(Native.serverAuthorize(pointer(), query, subject, now));
    }

    public Response token(String method, String contentType, String authorization, byte[] body, long now) {
        return new Response(Native.serverToken(pointer(), false, method, contentType, authorization, body, now));
    }

    /** The RFC 7009 revocation endpoint, at {@code now} (Unix seconds). */
    public Response revoke(String method, String contentType, String authorization, byte[] body, long now) {
        return new Response(Native.serverToken(pointer(), true, method, contentType, authorization, body, now));
    }

    /** Ends every grant of {@code subject} in every app; returns how many. */
    public int revokeSubject(String subject) {
        return Integer.parseInt(Native.serverAdmin(pointer(), 0, subject, 0, 0, 0));
    }

    /** Ends every grant of the app; returns how many. */
    public int revokeAppGrants(String clientId) {
        return Integer.parseInt(Native.serverAdmin(pointer(), 1, clientId, 0, 0, 0));
    }

    /**
     * Gives a web app a new secret (returned once); the old ones keep working for
     * {@code overlapSeconds} (0: stop at once), and {@code endGrants} ends the app's grants.
     */
    public String rotateSecret(String clientId, long overlapSeconds, boolean endGrants, long now) {
        return Native.serverAdmin(pointer(), 2, clientId, overlapSeconds, endGrants ? 1 : 0, now);
    }

    /** Adds a second secret to a web app (returned once); the current one keeps working. */
    public String addSecret(String clientId, long now) {
        return Native.serverAdmin(pointer(), 3, clientId, 0, 0, now);
    }

    /** Deletes the web app's secret in {@code slot} (0 or 1). */
    public void deleteSecret(String clientId, int slot, long now) {
        Native.serverAdmin(pointer(), 4, clientId, slot, 0, now);
    }

    /** Per-app quotas (0: the default share) and pending codes per subject (1 to 8). */
    public void setQuotas(int codesPerApp, int grantsPerApp, int codesPerSubject) {
        Native.serverAdmin(pointer(), 5, null, codesPerApp, grantsPerApp, codesPerSubject);
    }

    /** Live access tokens per grant (1 to 4, default 2). */
    public void setAccessTokensPerGrant(int count) {
        Native.serverAdmin(pointer(), 6, null, count, 0, 0);
    }

    /** The refresh grace window in seconds (0 = off, at most 60). */
    public void setRefreshGrace(long seconds) {
        Native.serverAdmin(pointer(), 7, null, seconds, 0, 0);
    }

    /** The token's subject, or null for an unknown, expired or revoked token. */
    public String validate(String token, long now) {
        return Native.serverValidate(pointer(), token, now);
    }

    @Override
    void free(long pointer) {
        Native.serverFree(pointer);
    }
}
