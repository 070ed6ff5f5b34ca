package dev.authcode;

import java.nio.charset.StandardCharsets;

/** The Java binding's test, run on the host JVM against libauthcode_ffi (no test framework needed). */
public final class AuthcodeTest {
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

    private static int thrown(Body body) {
        try {
            body.run();
        } catch (AuthcodeException e) {
            return e.resultCode();
        }
        return 0;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void pkce() {
        check(Pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").equals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), "RFC 7636 vector");
        String verifier = Pkce.generate(43);
        check(verifier.length() == 43, "43 characters");
        check(Pkce.verify(verifier, Pkce.challenge(verifier)), "verifies");
        check(!Pkce.verify(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), "mismatch");
        check(thrown(() -> Pkce.generate(42)) == AuthcodeException.INVALID_ARGUMENT, "length 42 refused");
        check(thrown(() -> Pkce.verify("short", "x")) == AuthcodeException.INVALID_VERIFIER, "bad verifier");
        check(thrown(() -> Pkce.challenge(null)) == 1, "null refused");
    }

    private static void flow() {
        long now = 1700000000L;
        try (Server server = new Server(ClientConfig.PROFILE_WORKFRONT)) {
            Server.App app = server.createApp("Android", Server.APP_SINGLE_PAGE, new String[] {"com.example.app:/oauth2"}, true);
            check(app.clientId.length() == 32 && app.clientSecret == null, "public app");
            try (ClientConfig config = ClientConfig.workfront("acme.my.workfront.com", app.clientId, "com.example.app:/oauth2");
                 Session session = new Session(config, now)) {
                check(thrown(() -> config.scope("bad  scope")) == AuthcodeException.INVALID_CONFIG, "bad scope refused");
                check(session.stage() == Session.STAGE_AWAITING_REDIRECT, "awaiting redirect");
                check(thrown(session::tokenRequest) == AuthcodeException.WRONG_STATE, "wrong state");
                String url = session.authorizeUrl();
                check(url.startsWith("https://acme.my.workfront.com/integrations/oauth2/authorize?"), "authorize URL");
                Server.Redirect redirect = server.authorize(url.substring(url.indexOf('?') + 1), "user-5", now);
                check(redirect.error == null, "code issued");
                check(thrown(() -> session.onRedirect("com.example.app:/oauth2?code=x&state=forged")) == AuthcodeException.REDIRECT_REFUSED, "forged redirect");
                check(session.onRedirect(redirect.location) == Session.OUTCOME_OK, "code received");

                HttpRequest request = session.tokenRequest();
                check(request.authorization == null && request.contentType.equals("application/json"), "public client, JSON");
                Server.Response response = server.token(request.method, request.contentType, request.authorization, utf8(request.body), now + 1);
                check(response.status == 200, "token response 200");
                check(session.onTokenResponse(response.status, utf8(response.body), now + 1) == Session.OUTCOME_OK, "authorized");
                check("user-5".equals(server.validate(session.accessToken(), now + 2)), "sessionID validates");

                check(session.refreshDue(now + 3600), "refresh due");
                HttpRequest refresh = session.refreshRequest();
                response = server.token(refresh.method, refresh.contentType, refresh.authorization, utf8(refresh.body), now + 3600);
                check(session.onRefreshResponse(response.status, utf8(response.body), now + 3600) == Session.OUTCOME_OK, "refreshed");

                byte[] saved = session.save();
                try (Session restored = new Session(config, now)) {
                    restored.restore(saved);
                    check(restored.stage() == Session.STAGE_AUTHORIZED, "restored");
                    byte[] truncated = java.util.Arrays.copyOf(saved, saved.length - 1);
                    check(thrown(() -> restored.restore(truncated)) == AuthcodeException.RESTORE_FAILED, "truncated refused");

                    // Keyed saves restore only with their key.
                    byte[] key = new byte[32];
                    java.util.Arrays.fill(key, (byte) 7);
                    byte[] other = key.clone();
                    other[0] = 8;
                    byte[] keyed = session.save(key);
                    check(thrown(() -> restored.restore(keyed, other)) == AuthcodeException.RESTORE_FAILED, "another key refused");
                    check(thrown(() -> restored.restore(keyed)) == AuthcodeException.RESTORE_FAILED, "no key refused");
                    check(thrown(() -> restored.restore(saved, key)) == AuthcodeException.RESTORE_FAILED, "unkeyed save refused under a key");
                    check(thrown(() -> session.save(new byte[15])) == AuthcodeException.INVALID_ARGUMENT, "a 15-byte key refused");
                    restored.restore(keyed, key);
                    check(restored.stage() == Session.STAGE_AUTHORIZED, "restored with its key");
                }
            }
            check(thrown(() -> server.authorize("response_type=code&client_id=nobody", "u", now)) == AuthcodeException.AUTHORIZE_REFUSED, "unknown client");

            // The grant-store controls.
            server.setQuotas(0, 0, 8);
            server.setAccessTokensPerGrant(2);
            server.setRefreshGrace(10);
            check(thrown(() -> server.setRefreshGrace(61)) == AuthcodeException.INVALID_SERVER_CONFIG, "grace at most 60 s");
            check(server.revokeSubject("user-5") == 1, "signed out everywhere");
            check(server.revokeAppGrants(app.clientId) == 0, "nothing left to end");
            Server.App web = server.createApp("Web", Server.APP_WEB, new String[] {"https://web.example.com/cb"}, true);
            String second = server.addSecret(web.clientId, now);
            check(second.length() == 43 && !second.equals(web.clientSecret), "a second secret");
            check(thrown(() -> server.addSecret(web.clientId, now)) == AuthcodeException.APP_REFUSED, "at most two");
            server.deleteSecret(web.clientId, 0, now);
            check(server.rotateSecret(web.clientId, 60, true, now).length() == 43, "rotated with overlap");
        }
        Session closed;
        try (ClientConfig config = ClientConfig.create(ClientConfig.PROFILE_RFC, "https://a.example.com/a", "https://a.example.com/t", "app", "https://app.example.com/cb")) {
            closed = new Session(config, now);
        }
        closed.close();
        closed.close();
        check(thrown(closed::authorizeUrl) == AuthcodeException.CLOSED, "use after close is an exception, not a crash");
    }

    public static void main(String[] args) {
        pkce();
        flow();
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
