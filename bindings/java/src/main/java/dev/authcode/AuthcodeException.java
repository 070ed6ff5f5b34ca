package dev.authcode;

/** A failed authcode call: the C API's result code and a description. */
public final class AuthcodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** AUTHCODE_RESULT_* values (include/authcode.h). */
    public static final int BUFFER_TOO_SMALL = 3;
    public static final int WRONG_STATE = 4;
    public static final int INVALID_ARGUMENT = 6;
    public static final int INVALID_VERIFIER = 10;
    public static final int INVALID_CHALLENGE = 11;
    public static final int INVALID_CONFIG = 20;
    public static final int REDIRECT_REFUSED = 30;
    public static final int RESPONSE_UNREADABLE = 31;
    public static final int REFRESH_IN_FLIGHT = 32;
    public static final int RESTORE_FAILED = 35;
    public static final int APP_REFUSED = 40;
    public static final int AUTHORIZE_REFUSED = 41;
    public static final int INVALID_TOKEN = 42;
    public static final int INVALID_SERVER_CONFIG = 43;
    public static final int STORE_UNAVAILABLE = 44;
    public static final int CLOSED = 1000;

    private final int resultCode;

    public AuthcodeException(int resultCode, String message) {
        super(message);
        this.resultCode = resultCode;
    }

    /** The AUTHCODE_RESULT_* code. */
    public int resultCode() {
        return resultCode;
    }
}
