package dev.authcode;

/** The dialect a client or server speaks ({@code AUTHCODE_PROFILE_*}). */
public enum Profile {
    /** Plain RFC 6749: Bearer tokens, form bodies. */
    RFC,
    /** Adobe Workfront: sessionID tokens, JSON bodies, domain/lane/wid. */
    WORKFRONT;

    /** The C number. */
    int code() {
        return ordinal();
    }
}
