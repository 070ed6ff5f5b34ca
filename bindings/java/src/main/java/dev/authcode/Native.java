package dev.authcode;

/** The JNI entry points into libauthcode_ffi. Handles are native pointers held as longs. */
final class Native {
    static {
        System.loadLibrary("authcode_ffi");
    }

    private Native() {}

    static native String pkceGenerate(int length);
    static native String pkceChallenge(String verifier);
    static native boolean pkceVerify(String verifier, String challenge);

    static native long configNew(int profile, String authorizationEndpoint, String tokenEndpoint, String clientId,
                                 String redirectUri, String workfrontDomain);
    static native void configSet(long config, int setting, String value);
    static native void configFree(long config);

    static native long sessionNew(long config, long now);
    static native void sessionFree(long session);
    static native int sessionStage(long session);
    static native String sessionAuthorizeUrl(long session);
    static native int sessionOnRedirect(long session, String redirect);
    static native String[] sessionRequest(long session, int which);
    static native int sessionOnResponse(long session, int which, int status, byte[] body, long now);
    static native boolean sessionRefreshDue(long session, long now);
    static native String sessionAccessToken(long session);
    /** {@code key} null: an unkeyed save. */
    static native byte[] sessionSave(long session, byte[] key);
    /** {@code key} null: restores an unkeyed save. */
    static native void sessionRestore(long session, byte[] key, byte[] saved);

    static native long serverNew(int profile);
    static native void serverFree(long server);
    static native String[] serverCreateApp(long server, String name, int kind, String[] redirectUris, boolean rotation);
    static native String[] serverAuthorize(long server, String query, String subject, long now);
    static native String[] serverToken(long server, boolean revoke, String method, String contentType,
                                       String authorization, byte[] body, long now);
    static native String serverValidate(long server, String token, long now);
    static native String serverAdmin(long server, int op, String arg, long a, long b, long now);
}
