package dev.authcode;

/** The dialect a client or server speaks ({@code AUTHCODE_PROFILE_*}). */
public enum Profile {
    /** Plain RFC 6749: Bearer tokens, form bodies. */
    RFC,
    /** Adobe Workfront: sessionID tokens, JSON bodies, domain/lane/wid. */
    WORKFRONT,
    /** Adobe IMS (Adobe Developer Console), Workfront's successor: form bodies, lower-case bearer. */
    ADOBE_IMS;

    /** The C number. */
    int code() {
        return ordinal();
    }
}
