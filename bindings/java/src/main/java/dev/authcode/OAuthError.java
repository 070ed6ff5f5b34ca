package dev.authcode;

/** An OAuth error code (RFC 6749 §4.1.2.1, §5.2; RFC 7009): {@code AUTHCODE_ERROR_CODE_*}. */
public enum OAuthError {
    /** {@code invalid_request} */
    INVALID_REQUEST(1, "invalid_request"),
    /** {@code invalid_client} */
    INVALID_CLIENT(2, "invalid_client"),
    /** {@code invalid_grant} */
    INVALID_GRANT(3, "invalid_grant"),
    /** {@code unauthorized_client} */
    UNAUTHORIZED_CLIENT(4, "unauthorized_client"),
    /** {@code unsupported_grant_type} */
    UNSUPPORTED_GRANT_TYPE(5, "unsupported_grant_type"),
    /** {@code invalid_scope} */
    INVALID_SCOPE(6, "invalid_scope"),
    /** {@code access_denied} */
    ACCESS_DENIED(7, "access_denied"),
    /** {@code unsupported_response_type} */
    UNSUPPORTED_RESPONSE_TYPE(8, "unsupported_response_type"),
    /** {@code server_error} */
    SERVER_ERROR(9, "server_error"),
    /** {@code temporarily_unavailable} */
    TEMPORARILY_UNAVAILABLE(10, "temporarily_unavailable"),
    /** {@code unsupported_token_type} */
    UNSUPPORTED_TOKEN_TYPE(11, "unsupported_token_type"),
    /**
     * A code outside this list (the session's {@code lastError()} has its text); its
     * {@link #code()} is {@code null}.
     */
    OTHER(99, null);

    private final int number;
    private final String code;

    OAuthError(int number, String code) {
        this.number = number;
        this.code = code;
    }

    /**
     * The code as sent on the wire, e.g. {@code "access_denied"} (null for {@link #OTHER}).
     *
     * @return the OAuth error code
     */
    public String code() {
        return code;
    }

    /** The wire code ({@code "other"} for {@link #OTHER}). */
    @Override
    public String toString() {
        return code == null ? "other" : code;
    }

    /** The error for a C number; null for AUTHCODE_ERROR_CODE_NONE (0). */
    static OAuthError of(int number) {
        if (number == 0) {
            return null;
        }
        for (OAuthError error : values()) {
            if (error.number == number) {
                return error;
            }
        }
        return OTHER;
    }
}
