package dev.authcode;

/** A client configuration. Close it when done; sessions keep their own copy. */
public final class ClientConfig extends Handle {
    public static final int PROFILE_RFC = 0;
    public static final int PROFILE_WORKFRONT = 1;

    private ClientConfig(long pointer) {
        super(pointer);
    }

    /** A client of an RFC or Workfront server with explicit endpoints. */
    public static ClientConfig create(int profile, String authorizationEndpoint, String tokenEndpoint, String clientId,
                                      String redirectUri) {
        return new ClientConfig(Native.configNew(profile, authorizationEndpoint, tokenEndpoint, clientId, redirectUri, null));
    }

    /** A Workfront client for the organisation at {@code domain}, e.g. acme.my.workfront.com. */
    public static ClientConfig workfront(String domain, String clientId, String redirectUri) {
        return new ClientConfig(Native.configNew(PROFILE_WORKFRONT, null, null, clientId, redirectUri, domain));
    }

    public ClientConfig scope(String scope) {
        Native.configSet(pointer(), 0, scope);
        return this;
    }

    public ClientConfig issuer(String issuer) {
        Native.configSet(pointer(), 1, issuer);
        return this;
    }

    public ClientConfig clientSecretBasic(String secret) {
        Native.configSet(pointer(), 2, secret);
        return this;
    }

    public ClientConfig clientSecretPost(String secret) {
        Native.configSet(pointer(), 3, secret);
        return this;
    }

    public ClientConfig revocationEndpoint(String endpoint) {
        Native.configSet(pointer(), 4, endpoint);
        return this;
    }

    @Override
    void free(long pointer) {
        Native.configFree(pointer);
    }
}
