package dev.authcode;

import java.nio.charset.StandardCharsets;

/**
 * An embedded authorization server. Safe to share between threads: calls on one server
 * are serialized (one at a time); see {@link #close()}. A call that throws
 * {@link AuthcodeException} leaves the server unchanged; its
 * {@link AuthcodeException#lastError()} says why.
 */
public final class Server extends Handle {
    /** The kind of app ({@code AUTHCODE_APP_KIND_*}). */
    public enum AppKind {
        /** Confidential web application (gets a client secret). */
        WEB,
        /** Public single-page or native application (PKCE). */
        SINGLE_PAGE,
        /** Machine-to-machine: gets a client secret for the client credentials grant (refused the code grant). */
        MACHINE_TO_MACHINE
    }

    /** A registered app: its client id and, for a web or machine-to-machine app, the secret shown this once. */
    public static final class App {
        /** The client id (32 characters). */
        public final String clientId;
        /** The client secret (43 ASCII bytes; wipe it once stored), or null for public apps. */
        public final byte[] clientSecret;

        App(byte[][] fields) {
            this.clientId = new String(fields[0], StandardCharsets.US_ASCII);
            this.clientSecret = fields[1];
        }
    }

    /** A second secret of a web app and the slot to delete it by. */
    public static final class AddedSecret {
        /** The slot, 0 or 1 ({@link #deleteSecret}). */
        public final int slot;
        /** The secret (43 ASCII bytes), shown this once. */
        public final byte[] secret;

        AddedSecret(int slot, byte[] secret) {
            this.slot = slot;
            this.secret = secret;
        }
    }

    /** A redirect: the Location and, when the request failed, the OAuth error it carries. */
    public static final class Redirect {
        /** The URL for the Location header. */
        public final String location;
        /** The OAuth error code it carries, e.g. {@code "access_denied"}; null for a code. */
        public final String error;
        /** The same error, typed; null for a code. */
        public final OAuthError errorCode;

        Redirect(String location, int error) {
            this.location = location;
            this.errorCode = OAuthError.of(error);
            this.error = errorCode == null ? null : errorCode.toString();
        }
    }

    /** A token or revocation endpoint response; send it as JSON with Cache-Control: no-store. */
    public static final class Response {
        /** The HTTP status. */
        public final int status;
        /** The WWW-Authenticate header, or null. */
        public final String wwwAuthenticate;
        /** The JSON body. */
        public final String body;

        Response(int status, String[] fields) {
            this.status = status;
            this.wwwAuthenticate = fields[0];
            this.body = fields[1];
        }
    }

    /** What a valid access token grants. */
    public static final class TokenInfo {
        /** The app's client id. */
        public final String clientId;
        /** The subject (user). */
        public final String subject;
        /** The granted scope. */
        public final String scope;
        /** The expiry, Unix seconds. */
        public final long expiresAt;

        TokenInfo(String[] fields, long expiresAt) {
            this.clientId = fields[0];
            this.subject = fields[1];
            this.scope = fields[2];
            this.expiresAt = expiresAt;
        }
    }

    /** What one app holds in the server's tables, and its quotas. */
    public static final class AppUsage {
        /** Pending codes (expired ones not yet reclaimed included). */
        public final long codes;
        /** Grants (expired ones not yet reclaimed included). */
        public final long grants;
        /** The app's quota of pending codes. */
        public final long codesQuota;
        /** The app's quota of grants. */
        public final long grantsQuota;

        AppUsage(long[] fields) {
            this.codes = fields[0];
            this.grants = fields[1];
            this.codesQuota = fields[2];
            this.grantsQuota = fields[3];
        }
    }

    /**
     * A server for {@code profile} with an empty registry.
     *
     * @param profile the dialect
     */
    public Server(Profile profile) {
        super(Native.serverNew(Checks.nonNull(profile, "profile").code()), Native::serverFree);
    }

    /**
     * Announces {@code issuer} as {@code iss} on redirects (RFC 9207).
     *
     * @param issuer an https URL
     * @throws AuthcodeException INVALID_SERVER_CONFIG when refused
     */
    public void issuer(String issuer) {
        Checks.nonNull(issuer, "issuer");
        callVoid(p -> Native.serverSetIssuer(p, issuer));
    }

    /**
     * Sets the code and access token lifetimes.
     *
     * @param codeSeconds the code lifetime (0 keeps the current one)
     * @param accessTokenSeconds the access token lifetime (0 keeps the current one)
     * @throws AuthcodeException INVALID_SERVER_CONFIG when out of range
     */
    public void lifetimes(long codeSeconds, long accessTokenSeconds) {
        Checks.nonNegative(codeSeconds, "codeSeconds");
        Checks.nonNegative(accessTokenSeconds, "accessTokenSeconds");
        callVoid(p -> Native.serverSetLifetimes(p, codeSeconds, accessTokenSeconds));
    }

    /**
     * Sets Workfront's {@code domain}, {@code lane} (on redirects) and {@code wid} (in token
     * responses).
     *
     * @param domain the organisation's domain
     * @param lane the lane
     * @param wid the wid
     */
    public void workfrontIdentity(String domain, String lane, String wid) {
        Checks.nonNull(domain, "domain");
        Checks.nonNull(lane, "lane");
        Checks.nonNull(wid, "wid");
        callVoid(p -> Native.serverSetWorkfrontIdentity(p, domain, lane, wid));
    }

    /**
     * Registers an app without refresh-token lifetimes.
     *
     * @param name the display name
     * @param kind the kind
     * @param redirectUris its redirect URIs (at most 4)
     * @param rotation rotate refresh tokens at every use
     * @return its client id and secret
     * @throws AuthcodeException APP_REFUSED (with the reason)
     */
    public App createApp(String name, AppKind kind, String[] redirectUris, boolean rotation) {
        return createApp(name, kind, redirectUris, rotation, 0, 0);
    }

    /**
     * Registers an app.
     *
     * @param name the display name
     * @param kind the kind
     * @param redirectUris its redirect URIs (at most 4)
     * @param rotation rotate refresh tokens at every use
     * @param absoluteLifetime absolute refresh lifetime in seconds (0: none)
     * @param inactivityLifetime inactivity refresh lifetime in seconds (0: none)
     * @return its client id and secret
     * @throws AuthcodeException APP_REFUSED (with the reason)
     */
    public App createApp(String name, AppKind kind, String[] redirectUris, boolean rotation, long absoluteLifetime,
                         long inactivityLifetime) {
        return createApp(name, kind, redirectUris, rotation, absoluteLifetime, inactivityLifetime, new String[0],
                false, null);
    }

    /**
     * Registers an app with public keys and the grants without a user.
     *
     * @param name the display name
     * @param kind the kind
     * @param redirectUris its redirect URIs (at most 4)
     * @param rotation rotate refresh tokens at every use
     * @param absoluteLifetime absolute refresh lifetime in seconds (0: none)
     * @param inactivityLifetime inactivity refresh lifetime in seconds (0: none)
     * @param publicKeys up to 4 public keys (JWKs, public key PEMs or certificate PEMs) of a
     *     machine-to-machine or web app, for JWT grants and {@code private_key_jwt}
     * @param clientCredentials web apps: also allow the client credentials grant
     * @param scope the scope granted without a user, or null for none
     * @return its client id and secret
     * @throws AuthcodeException APP_REFUSED (with the reason: an unreadable key, …)
     */
    public App createApp(String name, AppKind kind, String[] redirectUris, boolean rotation, long absoluteLifetime,
                         long inactivityLifetime, String[] publicKeys, boolean clientCredentials, String scope) {
        Checks.nonNull(name, "name");
        int number = Checks.nonNull(kind, "kind").ordinal();
        Checks.nonNullElements(redirectUris, "redirectUris");
        Checks.nonNullElements(publicKeys, "publicKeys");
        Checks.nonNegative(absoluteLifetime, "absoluteLifetime");
        Checks.nonNegative(inactivityLifetime, "inactivityLifetime");
        return new App(call(p -> Native.serverCreateApp(p, name, number, redirectUris, rotation, absoluteLifetime,
                inactivityLifetime, publicKeys, clientCredentials, scope)));
    }

    /**
     * Replaces an app's settings (its kind, client id and secret stay).
     *
     * @param clientId the app
     * @param name the display name
     * @param kind the app's kind (must be its current one)
     * @param redirectUris its redirect URIs (at most 4)
     * @param rotation rotate refresh tokens at every use
     * @param absoluteLifetime absolute refresh lifetime in seconds (0: none)
     * @param inactivityLifetime inactivity refresh lifetime in seconds (0: none)
     * @throws AuthcodeException APP_REFUSED (unknown app, …; the app is unchanged)
     */
    public void updateApp(String clientId, String name, AppKind kind, String[] redirectUris, boolean rotation,
                          long absoluteLifetime, long inactivityLifetime) {
        Checks.nonNull(clientId, "clientId");
        Checks.nonNull(name, "name");
        int number = Checks.nonNull(kind, "kind").ordinal();
        Checks.nonNullElements(redirectUris, "redirectUris");
        Checks.nonNegative(absoluteLifetime, "absoluteLifetime");
        Checks.nonNegative(inactivityLifetime, "inactivityLifetime");
        callVoid(p -> Native.serverUpdateApp(p, clientId, name, number, redirectUris, rotation, absoluteLifetime,
                inactivityLifetime));
    }

    /**
     * Deletes an app; every code and token it holds stops working at once.
     *
     * @param clientId the app
     * @throws AuthcodeException APP_REFUSED for an unknown app
     */
    public void deleteApp(String clientId) {
        Checks.nonNull(clientId, "clientId");
        callVoid(p -> Native.serverDeleteApp(p, clientId));
    }

    /**
     * How many apps are registered.
     *
     * @return the count
     */
    public int appCount() {
        return callInt(Native::serverAppCount);
    }

    /**
     * What the app holds in the tables, and its quotas.
     *
     * @param clientId the app
     * @return its usage
     * @throws AuthcodeException APP_REFUSED for an unknown app
     */
    public AppUsage appUsage(String clientId) {
        Checks.nonNull(clientId, "clientId");
        long[] out = new long[4];
        callVoid(p -> Native.serverAppUsage(p, clientId, out));
        return new AppUsage(out);
    }

    /**
     * Answers an authorization request for {@code subject} (signed in, consented).
     *
     * @param query the request's query string
     * @param subject the user
     * @param now Unix seconds
     * @return the redirect (with a code, or the error it carries)
     * @throws AuthcodeException AUTHORIZE_REFUSED when the client or redirect URI must be
     *     refused to the user instead of redirected
     */
    public Redirect authorize(String query, String subject, long now) {
        Checks.nonNull(query, "query");
        Checks.nonNull(subject, "subject");
        Checks.nonNegative(now, "now");
        int[] error = new int[1];
        String location = call(p -> Native.serverAuthorize(p, query, subject, now, error));
        return new Redirect(location, error[0]);
    }

    /**
     * Answers an authorization request the user declined ({@code access_denied}).
     *
     * @param query the request's query string
     * @return the redirect carrying the error
     * @throws AuthcodeException AUTHORIZE_REFUSED as {@link #authorize}
     */
    public Redirect deny(String query) {
        Checks.nonNull(query, "query");
        int[] error = new int[1];
        String location = call(p -> Native.serverDeny(p, query, error));
        return new Redirect(location, error[0]);
    }

    private Response respond(boolean revoke, String method, String contentType, String authorization, byte[] body,
                             long now) {
        Checks.nonNull(method, "method");
        Checks.nonNull(body, "body");
        Checks.nonNegative(now, "now");
        int[] status = new int[1];
        String[] fields = call(p -> Native.serverToken(p, revoke, method, contentType, authorization, body, now,
                status));
        return new Response(status[0], fields);
    }

    /**
     * The token endpoint ({@code authorization_code} and {@code refresh_token} grants).
     *
     * @param method the HTTP method
     * @param contentType the Content-Type header, or null
     * @param authorization the Authorization header, or null
     * @param body the request body
     * @param now Unix seconds
     * @return the response to send
     */
    public Response token(String method, String contentType, String authorization, byte[] body, long now) {
        return respond(false, method, contentType, authorization, body, now);
    }

    /**
     * The RFC 7009 revocation endpoint.
     *
     * @param method the HTTP method
     * @param contentType the Content-Type header, or null
     * @param authorization the Authorization header, or null
     * @param body the request body
     * @param now Unix seconds (client secrets expire)
     * @return the response to send
     */
    public Response revoke(String method, String contentType, String authorization, byte[] body, long now) {
        return respond(true, method, contentType, authorization, body, now);
    }

    /**
     * Checks an access token for a resource server.
     *
     * @param token the access token
     * @param now Unix seconds
     * @return what it grants, or null for an unknown, expired or revoked token
     */
    public TokenInfo validate(String token, long now) {
        Checks.nonNull(token, "token");
        Checks.nonNegative(now, "now");
        long[] expiresAt = new long[1];
        String[] fields = call(p -> Native.serverValidate(p, token, now, expiresAt));
        return fields == null ? null : new TokenInfo(fields, expiresAt[0]);
    }

    /**
     * Revokes the grant an access or refresh token belongs to.
     *
     * @param token the token
     * @return whether the token was known
     */
    public boolean revokeToken(String token) {
        Checks.nonNull(token, "token");
        return callBoolean(p -> Native.serverRevokeToken(p, token));
    }

    /**
     * Removes expired codes and dead tokens now.
     *
     * @param now Unix seconds
     * @return how many entries were removed
     */
    public long purgeExpired(long now) {
        Checks.nonNegative(now, "now");
        return callLong(p -> Native.serverPurgeExpired(p, now));
    }

    /**
     * Ends every grant of {@code subject} in every app ("sign out everywhere").
     *
     * @param subject the user
     * @return how many grants ended
     */
    public long revokeSubject(String subject) {
        Checks.nonNull(subject, "subject");
        return callLong(p -> Native.serverRevokeSubject(p, subject));
    }

    /**
     * Ends every grant of the app.
     *
     * @param clientId the app
     * @return how many grants ended
     * @throws AuthcodeException APP_REFUSED for an unknown app
     */
    public long revokeAppGrants(String clientId) {
        Checks.nonNull(clientId, "clientId");
        return callLong(p -> Native.serverRevokeAppGrants(p, clientId));
    }

    /**
     * Gives a web app a new secret; the old one stops working at once. On failure the old
     * secret still works.
     *
     * @param clientId the app
     * @return the new secret (43 ASCII bytes), shown this once
     * @throws AuthcodeException APP_REFUSED (unknown app, not a web app)
     */
    public byte[] rotateSecret(String clientId) {
        Checks.nonNull(clientId, "clientId");
        return call(p -> Native.serverRotateSecret(p, clientId));
    }

    /**
     * Gives a web app a new secret; the old ones keep working for {@code overlapSeconds}
     * (0: they stop at once; at most 86400), and {@code endGrants} ends the app's grants.
     *
     * @param clientId the app
     * @param overlapSeconds how long the old secrets keep working
     * @param endGrants end every grant of the app at once
     * @param now Unix seconds
     * @return the new secret (43 ASCII bytes), shown this once
     */
    public byte[] rotateSecret(String clientId, long overlapSeconds, boolean endGrants, long now) {
        Checks.nonNull(clientId, "clientId");
        Checks.nonNegative(overlapSeconds, "overlapSeconds");
        Checks.nonNegative(now, "now");
        return call(p -> Native.serverRotateSecretWith(p, clientId, overlapSeconds, endGrants, now));
    }

    /**
     * Adds a second secret to a web app; the current one keeps working.
     *
     * @param clientId the app
     * @param now Unix seconds
     * @return the secret, shown this once, and its slot
     * @throws AuthcodeException APP_REFUSED (two secrets already, …)
     */
    public AddedSecret addSecret(String clientId, long now) {
        Checks.nonNull(clientId, "clientId");
        Checks.nonNegative(now, "now");
        int[] slot = new int[1];
        byte[] secret = call(p -> Native.serverAddSecret(p, clientId, now, slot));
        return new AddedSecret(slot[0], secret);
    }

    /**
     * Deletes the web app's secret in {@code slot}; it stops working at once.
     *
     * @param clientId the app
     * @param slot 0 or 1
     * @param now Unix seconds
     * @throws AuthcodeException APP_REFUSED (unknown slot, the last secret)
     */
    public void deleteSecret(String clientId, int slot, long now) {
        Checks.nonNull(clientId, "clientId");
        Checks.nonNegative(now, "now");
        callVoid(p -> Native.serverDeleteSecret(p, clientId, slot, now));
    }

    /**
     * How the tables are shared between apps and subjects.
     *
     * @param codesPerApp pending codes per app (0: the default share)
     * @param grantsPerApp grants per app (0: the default share)
     * @param codesPerSubject pending codes per subject (1 to 8)
     * @throws AuthcodeException INVALID_SERVER_CONFIG when out of range
     */
    public void setQuotas(int codesPerApp, int grantsPerApp, int codesPerSubject) {
        callVoid(p -> Native.serverSetQuotas(p, codesPerApp, grantsPerApp, codesPerSubject));
    }

    /**
     * Live access tokens per grant (1 to 4, default 2).
     *
     * @param count the count
     */
    public void setAccessTokensPerGrant(int count) {
        callVoid(p -> Native.serverSetAccessTokensPerGrant(p, count));
    }

    /**
     * The refresh grace window (0 = off, at most 60 s).
     *
     * @param seconds the window
     */
    public void setRefreshGrace(long seconds) {
        Checks.nonNegative(seconds, "seconds");
        callVoid(p -> Native.serverSetRefreshGrace(p, seconds));
    }

    /**
     * Why the last failing call on this server failed.
     *
     * @return the text
     */
    public String lastError() {
        return call(Native::serverLastError);
    }
}
