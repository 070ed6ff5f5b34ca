package dev.authcode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** The Java binding's test, run on the host JVM against libauthcode_ffi (no test framework needed). */
public final class AuthcodeTest {
    private static final long NOW = 1700000000L;
    private static final String APP_URI = "com.example.app:/oauth2";
    private static final String WEB_URI = "https://web.example.com/cb";
    private static final String DOMAIN = "acme.my.workfront.com";

    private static int passed = 0;
    private static int failed = 0;

    private static void check(boolean condition, String what) {
        if (condition) {
            passed++;
        } else {
            failed++;
            System.err.println("FAILED: " + what);
        }
    }

    private interface Body {
        void run();
    }

    /** The AuthcodeException thrown by {@code body}, or null. */
    private static AuthcodeException exception(Body body) {
        try {
            body.run();
        } catch (AuthcodeException e) {
            return e;
        }
        return null;
    }

    /** The result code thrown by {@code body}, or 0. */
    private static int thrown(Body body) {
        AuthcodeException e = exception(body);
        return e == null ? 0 : e.resultCode();
    }

    /** The message of the NullPointerException thrown by {@code body}, or null. */
    private static String npe(Body body) {
        try {
            body.run();
        } catch (NullPointerException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return "not an NPE: " + e;
        }
        return null;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String query(String url) {
        return url.substring(url.indexOf('?') + 1);
    }

    private static void library() {
        check(Authcode.version().matches("\\d+\\.\\d+\\.\\d+.*"), "version " + Authcode.version());
        check(Authcode.abiVersion() == Authcode.ABI_VERSION, "ABI version matches");
        check(AuthcodeException.nameOf(AuthcodeException.APP_REFUSED).equals("AUTHCODE_RESULT_APP_REFUSED"), "result name");
        check(AuthcodeException.nameOf(12345).equals("AUTHCODE_RESULT_UNKNOWN"), "unknown result name");
        check(!AuthcodeException.messageOf(AuthcodeException.WRONG_STATE).isEmpty(), "result message");
    }

    private static void pkce() {
        check(Pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").equals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), "RFC 7636 vector");
        String verifier = Pkce.generate(43);
        check(verifier.length() == 43, "43 characters");
        check(Pkce.verify(verifier, Pkce.challenge(verifier)), "verifies");
        check(!Pkce.verify(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), "mismatch");
        check(thrown(() -> Pkce.generate(42)) == AuthcodeException.INVALID_ARGUMENT, "length 42 refused");
        AuthcodeException bad = exception(() -> Pkce.verify("short", "x"));
        check(bad != null && bad.resultCode() == AuthcodeException.INVALID_VERIFIER
                && bad.resultName().equals("AUTHCODE_RESULT_INVALID_VERIFIER") && bad.lastError().isEmpty(), "bad verifier");
        check("verifier is null".equals(npe(() -> Pkce.challenge(null))), "null verifier: NPE");
    }

    /** Logs in through {@code server}; returns the session (authorized) or null when the token endpoint refused. */
    private static Session login(Server server, ClientConfig config, String subject, long now) {
        Session session = new Session(config, now);
        Server.Redirect redirect = server.authorize(query(session.authorizeUrl()), subject, now);
        check(redirect.error == null && redirect.errorCode == null, "code issued");
        check(session.onRedirect(redirect.location) == Session.RedirectOutcome.CODE_RECEIVED, "code received");
        HttpRequest request = session.tokenRequest();
        Server.Response response = server.token(request.method, request.contentType, request.authorization, utf8(request.body), now);
        if (session.onTokenResponse(response.status, utf8(response.body), now) != Session.TokenOutcome.AUTHORIZED) {
            session.close();
            return null;
        }
        return session;
    }

    private static void flow() {
        try (Server server = new Server(Profile.WORKFRONT)) {
            Server.App app = server.createApp("Android", Server.AppKind.SINGLE_PAGE, new String[] {APP_URI}, true);
            check(app.clientId.length() == 32 && app.clientSecret == null, "public app");
            try (ClientConfig config = ClientConfig.workfront(DOMAIN, app.clientId, APP_URI);
                 Session session = new Session(config, NOW)) {
                AuthcodeException scope = exception(() -> config.scope("bad  scope"));
                check(scope != null && scope.resultCode() == AuthcodeException.INVALID_CONFIG
                        && scope.resultName().equals("AUTHCODE_RESULT_INVALID_CONFIG"), "bad scope refused");
                check(scope != null && !scope.lastError().isEmpty() && scope.lastError().equals(config.lastError())
                        && scope.getMessage().contains(scope.lastError()), "the exception carries the last error");
                check(session.stage() == Session.Stage.AWAITING_REDIRECT, "awaiting redirect");
                check(thrown(session::tokenRequest) == AuthcodeException.WRONG_STATE, "wrong state");
                String url = session.authorizeUrl();
                check(url.startsWith("https://acme.my.workfront.com/integrations/oauth2/authorize?"), "authorize URL");
                Server.Redirect redirect = server.authorize(query(url), "user-5", NOW);
                check(redirect.error == null, "code issued");
                AuthcodeException forged = exception(() -> session.onRedirect(APP_URI + "?code=x&state=forged"));
                check(forged != null && forged.resultCode() == AuthcodeException.REDIRECT_REFUSED
                        && forged.lastError().equals(session.lastError()) && !forged.lastError().isEmpty(), "forged redirect");
                check(session.stage() == Session.Stage.AWAITING_REDIRECT, "a refused redirect changes nothing");
                check(session.onRedirect(redirect.location) == Session.RedirectOutcome.CODE_RECEIVED, "code received");

                HttpRequest request = session.tokenRequest();
                check(request.authorization == null && request.contentType.equals("application/json"), "public client, JSON");
                Server.Response response = server.token(request.method, request.contentType, request.authorization, utf8(request.body), NOW + 1);
                check(response.status == 200 && response.wwwAuthenticate == null, "token response 200");
                check(session.onTokenResponse(response.status, utf8(response.body), NOW + 1) == Session.TokenOutcome.AUTHORIZED, "authorized");
                Server.TokenInfo info = server.validate(session.accessToken(), NOW + 2);
                check(info != null && "user-5".equals(info.subject) && app.clientId.equals(info.clientId) && info.expiresAt > NOW, "sessionID validates");
                Session.TokenInfo tokenInfo = session.tokenInfo();
                check(tokenInfo.tokenType == Session.TokenType.SESSION_ID && tokenInfo.expiresAt > NOW + 1, "token info");
                check(session.refreshToken() != null && !session.refreshToken().isEmpty(), "refresh token held");
                check(session.subject() == null, "Workfront answers no sub");
                check(session.serverError() == null, "no server error");

                check(session.refreshDue(NOW + 3600), "refresh due");
                HttpRequest refresh = session.refreshRequest();
                check(thrown(session::refreshRequest) == AuthcodeException.REFRESH_IN_FLIGHT, "one refresh at a time");
                session.cancelRefresh();
                refresh = session.refreshRequest();
                response = server.token(refresh.method, refresh.contentType, refresh.authorization, utf8(refresh.body), NOW + 3600);
                check(session.onRefreshResponse(response.status, utf8(response.body), NOW + 3600) == Session.RefreshOutcome.REFRESHED, "refreshed");

                byte[] saved = session.save();
                try (Session restored = new Session(config, NOW)) {
                    restored.restore(saved);
                    check(restored.stage() == Session.Stage.AUTHORIZED, "restored");
                    byte[] truncated = Arrays.copyOf(saved, saved.length - 1);
                    check(thrown(() -> restored.restore(truncated)) == AuthcodeException.RESTORE_FAILED, "truncated refused");

                    // Keyed saves restore only with their key.
                    byte[] key = new byte[32];
                    Arrays.fill(key, (byte) 7);
                    byte[] other = key.clone();
                    other[0] = 8;
                    byte[] keyed = session.save(key);
                    check(thrown(() -> restored.restore(keyed, other)) == AuthcodeException.RESTORE_FAILED, "another key refused");
                    check(thrown(() -> restored.restore(keyed)) == AuthcodeException.RESTORE_FAILED, "no key refused");
                    check(thrown(() -> restored.restore(saved, key)) == AuthcodeException.RESTORE_FAILED, "unkeyed save refused under a key");
                    check(thrown(() -> session.save(new byte[15])) == AuthcodeException.INVALID_ARGUMENT, "a 15-byte key refused");
                    restored.restore(keyed, key);
                    check(restored.stage() == Session.Stage.AUTHORIZED, "restored with its key");
                }
                session.signOut();
                check(session.stage() == Session.Stage.FAILED && thrown(session::accessToken) == AuthcodeException.WRONG_STATE, "signed out");
            }
            check(thrown(() -> server.authorize("response_type=code&client_id=nobody", "u", NOW)) == AuthcodeException.AUTHORIZE_REFUSED, "unknown client");

            // The grant-store controls.
            server.setQuotas(0, 0, 8);
            server.setAccessTokensPerGrant(2);
            server.setRefreshGrace(10);
            AuthcodeException grace = exception(() -> server.setRefreshGrace(61));
            check(grace != null && grace.resultCode() == AuthcodeException.INVALID_SERVER_CONFIG
                    && grace.lastError().equals(server.lastError()), "grace at most 60 s");
            check(server.revokeSubject("user-5") == 1, "signed out everywhere");
            check(server.revokeAppGrants(app.clientId) == 0, "nothing left to end");
            Server.App web = server.createApp("Web", Server.AppKind.WEB, new String[] {WEB_URI}, true);
            check(web.clientSecret != null && web.clientSecret.length == 43, "a web app's secret");
            Server.AddedSecret second = server.addSecret(web.clientId, NOW);
            check(second.secret.length == 43 && !Arrays.equals(second.secret, web.clientSecret) && (second.slot == 0 || second.slot == 1), "a second secret");
            check(thrown(() -> server.addSecret(web.clientId, NOW)) == AuthcodeException.APP_REFUSED, "at most two");
            server.deleteSecret(web.clientId, second.slot, NOW);
            check(server.rotateSecret(web.clientId, 60, true, NOW).length == 43, "rotated with overlap");
        }
    }

    private static void server() {
        try (Server server = new Server(Profile.WORKFRONT)) {
            server.issuer("https://issuer.example.com");
            check(thrown(() -> server.issuer("http://insecure.example.com")) == AuthcodeException.INVALID_SERVER_CONFIG, "issuer must be https");
            server.lifetimes(60, 600);
            server.workfrontIdentity(DOMAIN, "cl01", "wid-1");
            check(server.appCount() == 0, "no apps");
            Server.App web = server.createApp("Web", Server.AppKind.WEB, new String[] {WEB_URI}, true, 86400, 3600);
            Server.App spa = server.createApp("SPA", Server.AppKind.SINGLE_PAGE, new String[] {APP_URI}, true);
            check(server.appCount() == 2, "two apps");

            // A web app logs in with its secret (Basic).
            try (ClientConfig config = ClientConfig.workfront(DOMAIN, web.clientId, WEB_URI).clientSecretBasic(web.clientSecret)
                         .issuer("https://issuer.example.com")) {
                Session session = login(server, config, "user-1", NOW);
                check(session != null, "web app logged in with its secret");
                if (session != null) {
                    try (session) {
                        check(session.tokenInfo().expiresAt == NOW + 600, "access token lifetime 600 s");
                        Server.AppUsage usage = server.appUsage(web.clientId);
                        check(usage.grants == 1 && usage.codes <= 1 && usage.codesQuota == 22 && usage.grantsQuota == 12, "app usage");
                        String token = session.accessToken();
                        check(server.revokeToken(token), "a known token revoked");
                        check(server.validate(token, NOW + 1) == null, "revoked token invalid");
                        check(!server.revokeToken("nonsense"), "an unknown token");
                    }
                }

                // A failed call changes nothing: the old secret keeps working.
                AuthcodeException unknown = exception(() -> server.rotateSecret("nobody"));
                check(unknown != null && unknown.resultCode() == AuthcodeException.APP_REFUSED
                        && unknown.resultName().equals("AUTHCODE_RESULT_APP_REFUSED") && !unknown.lastError().isEmpty(), "unknown app refused");
                check(thrown(() -> server.rotateSecret(web.clientId, 100000, false, NOW)) == AuthcodeException.APP_REFUSED, "overlap too long");
                Session again = login(server, config, "user-1", NOW + 10);
                check(again != null, "the old secret still works after failed rotations");
                if (again != null) {
                    again.close();
                }

                // A real rotation: the old secret stops, the new one works.
                byte[] rotated = server.rotateSecret(web.clientId);
                check(rotated.length == 43 && !Arrays.equals(rotated, web.clientSecret), "rotated secret");
                check(login(server, config, "user-1", NOW + 20) == null, "the old secret stopped working");
                try (ClientConfig fresh = ClientConfig.workfront(DOMAIN, web.clientId, WEB_URI).clientSecretPost(rotated)
                        .issuer("https://issuer.example.com")) {
                    Session third = login(server, fresh, "user-1", NOW + 30);
                    check(third != null, "the new secret works (in the body)");
                    if (third != null) {
                        third.close();
                    }
                }
            }

            // Redirect errors are OAuth error codes.
            try (ClientConfig config = ClientConfig.workfront(DOMAIN, spa.clientId, APP_URI).issuer("https://issuer.example.com");
                 Session session = new Session(config, NOW)) {
                String url = session.authorizeUrl();
                Server.Redirect ok = server.authorize(query(url), "user-2", NOW);
                check(ok.location.contains("lane=cl01") && ok.location.contains("iss="), "lane and iss on the redirect");
                Server.Redirect denied = server.deny(query(url));
                check("access_denied".equals(denied.error) && denied.errorCode == OAuthError.ACCESS_DENIED
                        && denied.location.contains("error=access_denied"), "deny: access_denied, not AccessDenied");
                String noChallenge = "response_type=code&client_id=" + spa.clientId + "&redirect_uri=" + APP_URI + "&state=s1";
                Server.Redirect invalid = server.authorize(noChallenge, "user-2", NOW);
                check("invalid_request".equals(invalid.error) && invalid.errorCode == OAuthError.INVALID_REQUEST, "missing PKCE: " + invalid.error);
                check(session.onRedirect(denied.location) == Session.RedirectOutcome.DENIED, "the client sees the denial");
                check(session.serverError() == OAuthError.ACCESS_DENIED && session.serverError().code().equals("access_denied"), "server error access_denied");
            }

            // Update and delete apps.
            server.updateApp(spa.clientId, "SPA 2", Server.AppKind.SINGLE_PAGE, new String[] {APP_URI, "com.example.app:/other"}, false, 0, 0);
            try (ClientConfig config = ClientConfig.workfront(DOMAIN, spa.clientId, "com.example.app:/other");
                 Session session = new Session(config, NOW)) {
                check(server.authorize(query(session.authorizeUrl()), "user-3", NOW).error == null, "the updated redirect URI works");
            }
            check(thrown(() -> server.updateApp("nobody", "x", Server.AppKind.WEB, new String[] {WEB_URI}, true, 0, 0)) == AuthcodeException.APP_REFUSED, "update of an unknown app");
            check(server.purgeExpired(NOW + 100000) >= 1, "expired codes purged");
            server.deleteApp(spa.clientId);
            check(server.appCount() == 1, "one app left");
            check(thrown(() -> server.appUsage(spa.clientId)) == AuthcodeException.APP_REFUSED, "a deleted app");
            check(thrown(() -> server.deleteApp(spa.clientId)) == AuthcodeException.APP_REFUSED, "deleted twice");
        }
    }

    private static void clientSettings() {
        try (ClientConfig config = ClientConfig.create(Profile.RFC, "https://a.example.com/a", "https://a.example.com/t", "app", "https://app.example.com/cb")) {
            config.authorizationParameter("prompt", "login").bodyFormat(ClientConfig.BodyFormat.JSON).refreshMargin(300)
                    .revocationEndpoint("https://a.example.com/revoke").scope("openid profile");
            AuthcodeException reserved = exception(() -> config.authorizationParameter("state", "x"));
            check(reserved != null && reserved.resultCode() == AuthcodeException.INVALID_CONFIG && !reserved.lastError().isEmpty(), "reserved parameter refused");
            try (Session session = new Session(config, NOW)) {
                String url = session.authorizeUrl();
                check(url.contains("prompt=login") && url.contains("scope=openid"), "authorization parameter sent");
                check(thrown(session::revocationRequest) == AuthcodeException.WRONG_STATE, "nothing to revoke yet");
            }
        }
        try (Server server = new Server(Profile.RFC)) {
            Server.App app = server.createApp("App", Server.AppKind.SINGLE_PAGE, new String[] {"https://app.example.com/cb"}, true);
            try (ClientConfig config = ClientConfig.create(Profile.RFC, "https://a.example.com/a", "https://a.example.com/t", app.clientId, "https://app.example.com/cb")
                    .bodyFormat(ClientConfig.BodyFormat.JSON).refreshMargin(300).revocationEndpoint("https://a.example.com/revoke")) {
                try (Session session = new Session(config, NOW)) {
                    session.onRedirect(server.authorize(query(session.authorizeUrl()), "u", NOW).location);
                    check(session.tokenRequest().contentType.equals("application/json"), "JSON body format");
                }
                Session session = login(server, config, "u", NOW);
                check(session != null, "RFC login");
                if (session != null) {
                    try (session) {
                        long expires = session.tokenInfo().expiresAt;
                        check(session.tokenInfo().tokenType == Session.TokenType.BEARER, "Bearer");
                        check(session.refreshDue(expires - 299) && !session.refreshDue(expires - 301), "refresh margin 300 s");
                        HttpRequest revoke = session.revocationRequest(Session.TokenKind.ACCESS);
                        check(revoke.url.equals("https://a.example.com/revoke") && revoke.body.contains("token_type_hint=access_token"), "access token revocation request");
                        Server.Response response = server.revoke(revoke.method, revoke.contentType, revoke.authorization, utf8(revoke.body), NOW);
                        check(response.status == 200, "revoked");
                        check(server.validate(session.accessToken(), NOW) == null, "revoked token refused");
                    }
                }
            }
            try (ClientConfig config = ClientConfig.create(Profile.RFC, "https://a.example.com/a", "https://a.example.com/t", app.clientId, "https://app.example.com/cb")
                    .bodyFormat(ClientConfig.BodyFormat.FORM)) {
                try (Session session = new Session(config, NOW)) {
                    session.onRedirect(server.authorize(query(session.authorizeUrl()), "u", NOW).location);
                    check(session.tokenRequest().contentType.equals("application/x-www-form-urlencoded"), "form body format");
                }
            }
        }
    }

    private static void nulls() {
        try (Server server = new Server(Profile.RFC);
             ClientConfig config = ClientConfig.create(Profile.RFC, "https://a.example.com/a", "https://a.example.com/t", "app", "https://app.example.com/cb");
             Session session = new Session(config, NOW)) {
            // The Java API checks first.
            check("redirectUris is null".equals(npe(() -> server.createApp("x", Server.AppKind.WEB, null, true))), "null array: NPE");
            check("redirectUris[1] is null".equals(npe(() -> server.createApp("x", Server.AppKind.WEB, new String[] {WEB_URI, null}, true))), "null element: NPE");
            check("name is null".equals(npe(() -> server.createApp(null, Server.AppKind.WEB, new String[] {WEB_URI}, true))), "null name: NPE");
            check("kind is null".equals(npe(() -> server.createApp("x", null, new String[] {WEB_URI}, true))), "null kind: NPE");
            check("redirect is null".equals(npe(() -> session.onRedirect(null))), "null redirect: NPE");
            check("saved is null".equals(npe(() -> session.restore(null))), "null save: NPE");
            check("key is null".equals(npe(() -> session.save(null))), "null key: NPE");
            check("body is null".equals(npe(() -> server.token("POST", null, null, null, NOW))), "null body: NPE");
            check("secret is null".equals(npe(() -> config.clientSecretBasic(null))), "null secret: NPE");
            check("config is null".equals(npe(() -> new Session(null, NOW))), "null config: NPE");
            check("profile is null".equals(npe(() -> new Server(null))), "null profile: NPE");
            check("domain is null".equals(npe(() -> server.workfrontIdentity(null, "l", "w"))), "null domain: NPE");
            check(server.appCount() == 0, "nothing registered by the refused calls");
            // The JNI layer checks too (Native reached directly).
            check("redirectUris is null".equals(npe(() -> server.call(p -> Native.serverCreateApp(p, "x", 0, null, true, 0, 0, new String[0], false, null)))), "JNI: null array: NPE");
            check("redirectUris[1] is null".equals(npe(() -> server.call(p -> Native.serverCreateApp(p, "x", 0, new String[] {WEB_URI, null}, true, 0, 0, new String[0], false, null)))), "JNI: null element: NPE");
            check("name is null".equals(npe(() -> server.call(p -> Native.serverCreateApp(p, null, 0, new String[] {WEB_URI}, true, 0, 0, new String[0], false, null)))), "JNI: null name: NPE");
            check("publicKeys is null".equals(npe(() -> server.call(p -> Native.serverCreateApp(p, "x", 2, new String[0], true, 0, 0, null, false, null)))), "JNI: null keys: NPE");
            check("verifier is null".equals(npe(() -> Native.pkceChallenge(null))), "JNI: null string: NPE");
            check("saved is null".equals(npe(() -> session.callVoid(p -> Native.sessionRestore(p, null, null)))), "JNI: null byte[]: NPE");
            check("body is null".equals(npe(() -> server.call(p -> Native.serverToken(p, false, "POST", null, null, null, NOW, new int[1])))), "JNI: null body: NPE");
            check("status is null".equals(npe(() -> server.call(p -> Native.serverToken(p, false, "POST", null, null, new byte[0], NOW, null)))), "JNI: null out array: NPE");
            check("clientId is null".equals(npe(() -> Native.configNew(0, "https://a.example.com/a", "https://a.example.com/t", null, "https://app.example.com/cb", null))), "JNI: null client id: NPE");
            check(server.appCount() == 0, "nothing registered by the refused native calls");

            // Many elements: each local reference is released in the loop (-Xcheck:jni warns past 16).
            String[] many = new String[200];
            Arrays.fill(many, WEB_URI);
            int code = thrown(() -> server.createApp("x", Server.AppKind.WEB, many, true));
            check(code == AuthcodeException.APP_REFUSED || code == AuthcodeException.INVALID_ARGUMENT, "200 redirect URIs refused: " + code);
            String[] many2 = many.clone();
            many2[199] = null;
            check("redirectUris[199] is null".equals(npe(() -> server.call(p -> Native.serverCreateApp(p, "x", 0, many2, true, 0, 0, new String[0], false, null)))), "JNI: late null element");
            for (int i = 0; i < 100; i++) {
                server.createApp("App " + i, Server.AppKind.WEB, new String[] {WEB_URI, "https://web.example.com/b", "https://web.example.com/c"}, true);
                session.authorizeUrl();
                server.deleteApp(server.createApp("tmp", Server.AppKind.SINGLE_PAGE, new String[] {APP_URI}, true).clientId);
                if (server.appCount() >= 9) {
                    break;
                }
            }
        }
    }

    private static void closeRace() throws InterruptedException {
        // A call in flight keeps the object alive: close() defers the free to its release.
        Server held = new Server(Profile.RFC);
        Handle.State heldState = held.state();
        long pointer = heldState.acquire();
        held.close();
        check(held.isClosed() && heldState.frees() == 0, "not freed while a call is in flight");
        check(Native.serverAppCount(pointer) == 0, "the in-flight call still works");
        check(thrown(held::appCount) == AuthcodeException.CLOSED, "new calls after close throw CLOSED");
        heldState.release();
        check(heldState.frees() == 1, "freed when the last call released it");

        for (int round = 0; round < 20; round++) {
            Server server = new Server(Profile.WORKFRONT);
            Server.App app = server.createApp("App", Server.AppKind.SINGLE_PAGE, new String[] {APP_URI}, true);
            Handle.State state = server.state();
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger closedErrors = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            String query = "response_type=code&client_id=" + app.clientId + "&redirect_uri=" + APP_URI
                    + "&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&state=s";
            Thread[] threads = new Thread[3];
            for (int t = 0; t < threads.length; t++) {
                final int which = t;
                threads[t] = new Thread(() -> {
                    try {
                        while (true) {
                            if (which == 0) {
                                server.appCount();
                            } else if (which == 1) {
                                server.authorize(query, "user", NOW);
                                server.purgeExpired(NOW + 1000);
                            } else {
                                server.appUsage(app.clientId);
                            }
                            calls.incrementAndGet();
                        }
                    } catch (AuthcodeException e) {
                        if (e.resultCode() == AuthcodeException.CLOSED) {
                            closedErrors.incrementAndGet();
                        } else {
                            unexpected.set(e);
                        }
                    } catch (Throwable e) {
                        unexpected.set(e);
                    }
                });
                threads[t].start();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (calls.get() < 50 * (round + 1) && unexpected.get() == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Thread closer = new Thread(server::close);
            closer.start();
            server.close();
            closer.join();
            for (Thread thread : threads) {
                thread.join();
            }
            if (round == 0 || unexpected.get() != null || closedErrors.get() != 3 || state.frees() != 1) {
                check(unexpected.get() == null, "no other failure while closing: " + unexpected.get());
                check(closedErrors.get() == 3, "every hammering thread ends with CLOSED");
                check(state.frees() == 1, "the native free ran exactly once: " + state.frees());
            }
            check(thrown(server::appCount) == AuthcodeException.CLOSED, "calls after close throw CLOSED");
        }

        // Sessions started while their configuration is being closed.
        ClientConfig config = ClientConfig.create(Profile.RFC, "https://a.example.com/a", "https://a.example.com/t", "app", "https://app.example.com/cb");
        Handle.State configState = config.state();
        AtomicInteger sessions = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                while (true) {
                    try (Session session = new Session(config, NOW)) {
                        session.authorizeUrl();
                        sessions.incrementAndGet();
                    }
                }
            } catch (AuthcodeException e) {
                if (e.resultCode() != AuthcodeException.CLOSED) {
                    unexpected.set(e);
                }
            } catch (Throwable e) {
                unexpected.set(e);
            }
        });
        starter.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sessions.get() < 100 && unexpected.get() == null && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        config.close();
        starter.join();
        check(unexpected.get() == null && configState.frees() == 1, "config closed under a starting thread: " + unexpected.get());
    }

    /** Objects made and dropped without close(); returns their states (which do not reference them). */
    private static List<Handle.State> abandon(int count) {
        List<Handle.State> states = new ArrayList<>();
        ClientConfig config = ClientConfig.create(Profile.RFC, "https://a.example.com/a", "https://a.example.com/t", "app", "https://app.example.com/cb");
        states.add(config.state());
        for (int i = 0; i < count; i++) {
            Session session = new Session(config, NOW);
            session.authorizeUrl();
            states.add(session.state());
            Server server = new Server(Profile.RFC);
            server.appCount();
            states.add(server.state());
        }
        // One closed explicitly, then dropped: the Cleaner must not free it again.
        Server closed = new Server(Profile.RFC);
        closed.close();
        closed.close();
        states.add(closed.state());
        return states;
    }

    private static boolean allFreed(List<Handle.State> states) {
        for (Handle.State state : states) {
            if (state.frees() == 0) {
                return false;
            }
        }
        return true;
    }

    private static void cleaner() throws InterruptedException {
        long before = Handle.nativeFrees();
        List<Handle.State> states = abandon(30);
        for (int i = 0; i < 500 && !allFreed(states); i++) {
            System.gc();
            Thread.sleep(10);
        }
        check(allFreed(states), "the Cleaner freed every object never closed");
        boolean once = true;
        for (Handle.State state : states) {
            once &= state.frees() == 1;
        }
        check(once, "each freed exactly once");
        check(Handle.nativeFrees() - before >= states.size(), "native frees counted");
    }

    private static void closed() {
        Session closed;
        try (ClientConfig config = ClientConfig.create(Profile.RFC, "https://a.example.com/a", "https://a.example.com/t", "app", "https://app.example.com/cb")) {
            closed = new Session(config, NOW);
        }
        closed.close();
        closed.close();
        AuthcodeException e = exception(closed::authorizeUrl);
        check(e != null && e.resultCode() == AuthcodeException.CLOSED && e.resultName().equals("CLOSED"), "use after close is an exception, not a crash");
        check(closed.state().frees() == 1, "closed twice, freed once");
    }

    /**
     * Runs every test; exits 1 when one failed.
     *
     * @param args unused
     * @throws InterruptedException never (the race tests join their threads)
     */
    private static void discovery() {
        byte[] document = utf8("{\"issuer\":\"https://ims.example.com\","
                + "\"authorization_endpoint\":\"https://ims.example.com/ims/authorize/v2\","
                + "\"token_endpoint\":\"https://ims.example.com/ims/token/v3\","
                + "\"response_types_supported\":[\"code\"],\"code_challenge_methods_supported\":[\"S256\"],"
                + "\"token_endpoint_auth_methods_supported\":[\"client_secret_post\"]}");
        try (ClientConfig config = ClientConfig.fromMetadata(Profile.ADOBE_IMS, document, "https://ims.example.com", "app",
                "http://127.0.0.1/callback", null);
             Session session = new Session(config, NOW)) {
            check(session.authorizeUrl().startsWith("https://ims.example.com/ims/authorize/v2?"), "discovered authorize URL");
        }
        try (ClientConfig config = ClientConfig.fromMetadata(Profile.ADOBE_IMS, document, "https://ims.example.com", "app",
                "http://127.0.0.1/callback", utf8("p8e"))) {
            check(config != null, "discovered confidential client");
        }
        AuthcodeException refused = exception(() -> ClientConfig.fromMetadata(Profile.RFC, document,
                "https://other.example.com", "app", "http://127.0.0.1/callback", null));
        check(refused != null && refused.resultCode() == AuthcodeException.INVALID_CONFIG
                && refused.lastError().contains("issuer"), "wrong issuer refused, naming the member");
        check("document is null".equals(npe(() -> ClientConfig.fromMetadata(Profile.RFC, null, "https://x", "a", "b", null))),
                "null document");
    }

    /** A machine-to-machine app: JWT grants signed by a core-held key and by Java code. */
    private static void machineToMachine() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 0x22);
        try (Server server = new Server(Profile.RFC); Signer signer = Signer.es256Key(key, "k1")) {
            server.issuer("https://as.example.com");
            String jwk = signer.publicJwk();
            check(jwk.contains("\"kty\":\"EC\"") && jwk.contains("\"kid\":\"k1\""), "public JWK " + jwk);
            Server.App app = server.createApp("Robot", Server.AppKind.MACHINE_TO_MACHINE, new String[0], false, 0, 0,
                    new String[] {jwk}, false, "read");
            try (CredentialsClient client = CredentialsClient.create(Profile.RFC, "https://as.example.com/token",
                    app.clientId, app.clientSecret, CredentialsClient.Auth.POST)) {
                client.scope("read");
                check(client.accessToken(NOW) == null, "no token yet");
                CredentialsClient.JwtGrant grant = new CredentialsClient.JwtGrant("user-1")
                        .audience("https://as.example.com").lifetime(120);
                HttpRequest request = client.jwtGrantRequest(grant, signer, NOW);
                check(request.body.contains("assertion="), "RFC 7523 body");
                Server.Response response = server.token("POST", request.contentType, request.authorization,
                        utf8(request.body), NOW);
                check(response.status == 200, "JWT grant accepted: " + response.body);
                check(client.onTokenResponse(response.status, utf8(response.body), NOW)
                        == CredentialsClient.Outcome.ISSUED, "issued");
                String token = client.accessToken(NOW + 1);
                check(token != null && "user-1".equals(server.validate(token, NOW + 2).subject), "acts for the subject");
                Server.Response replay = server.token("POST", request.contentType, request.authorization,
                        utf8(request.body), NOW);
                check(replay.status == 400 && replay.body.contains("jti"), "a replay is refused");
                check(client.onTokenResponse(replay.status, utf8(replay.body), NOW)
                        == CredentialsClient.Outcome.REJECTED, "rejected");
                check(client.serverError() == OAuthError.INVALID_GRANT, "invalid_grant");
                client.forgetToken();
                check(client.accessToken(NOW + 1) == null, "forgotten");

                // Java code as the keystore: the core signer's signature, handed back.
                AtomicInteger calls = new AtomicInteger();
                Signer locked = Signer.host(Signer.Algorithm.ES256, null, input -> {
                    calls.incrementAndGet();
                    return null;
                });
                check(thrown(() -> client.jwtGrantRequest(grant, locked, NOW)) == AuthcodeException.SIGNING_FAILED,
                        "a key that answers null");
                Signer throwing = Signer.host(Signer.Algorithm.RS256, null, input -> {
                    throw new IllegalStateException("keystore locked");
                });
                check(thrown(() -> client.jwtGrantRequest(grant, throwing, NOW)) == AuthcodeException.SIGNING_FAILED,
                        "a key that throws");
                check(calls.get() == 1, "the function is called once");
                Signer reentrant = Signer.host(Signer.Algorithm.ES256, null, input -> {
                    client.lastError();
                    return new byte[64];
                });
                check(thrown(() -> client.jwtGrantRequest(grant, reentrant, NOW)) == AuthcodeException.SIGNING_FAILED,
                        "a function that calls the client back is refused");
                Signer closedSigner = Signer.ed25519Key(new byte[32], null);
                closedSigner.close();
                check(thrown(() -> client.jwtGrantRequest(grant, closedSigner, NOW)) == AuthcodeException.CLOSED,
                        "a closed signer does not sign");
                check(thrown(locked::publicJwk) == AuthcodeException.INVALID_ARGUMENT, "no public half of a host key");
                check(client.tokenRequest().body.startsWith("grant_type=client_credentials"), "client credentials body");
                check("subject is null".equals(npe(() -> new CredentialsClient.JwtGrant(null))), "null subject: NPE");
            }
        }
    }

    /** ID token checks: required when configured; a refusal leaves the session waiting. */
    private static void idTokens() {
        try (ClientConfig config = ClientConfig.create(Profile.RFC, "https://as.example.com/authorize",
                "https://as.example.com/token", "app", WEB_URI)) {
            config.scope("openid").issuer("https://as.example.com").checkIdTokens();
            try (Session session = new Session(config, NOW)) {
                String url = session.authorizeUrl();
                check(url.contains("nonce="), "a nonce is sent");
                int at = url.indexOf("state=") + 6;
                int end = url.indexOf('&', at);
                String state = url.substring(at, end < 0 ? url.length() : end);
                session.onRedirect("code=c&iss=https%3A%2F%2Fas.example.com&state=" + state);
                byte[] body = utf8("{\"access_token\":\"at\",\"token_type\":\"Bearer\",\"id_token\":\"e30.e30.AA\"}");
                check(thrown(() -> session.onTokenResponse(200, body, NOW)) == AuthcodeException.ID_TOKEN_REFUSED,
                        "keys needed");
                AuthcodeException refused = exception(() -> session.onTokenResponse(200, body, utf8("{\"keys\":[]}"), NOW));
                check(refused != null && refused.resultCode() == AuthcodeException.ID_TOKEN_REFUSED
                        && !refused.lastError().isEmpty(), "refused with a reason");
                check(session.stage() == Session.Stage.AWAITING_TOKEN, "still awaiting the token");
                check(thrown(session::idToken) == AuthcodeException.WRONG_STATE, "no ID token without tokens");
            }
        }
    }

    public static void main(String[] args) throws InterruptedException {
        library();
        machineToMachine();
        idTokens();
        pkce();
        flow();
        server();
        clientSettings();
        discovery();
        nulls();
        closeRace();
        closed();
        cleaner();
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
