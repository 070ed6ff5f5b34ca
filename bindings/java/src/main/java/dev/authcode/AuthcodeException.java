package dev.authcode;

/**
 * A failed authcode call: the C API's result code, its C name (e.g.
 * {@code "AUTHCODE_RESULT_APP_REFUSED"}), its message, and the object's last-error text for
 * this failure (which field, why a redirect was refused, the server's reason …).
 *
 * <p>A call that throws it changes nothing: the object is as it was before the call.
 */
public final class AuthcodeException extends RuntimeException {
    private static final long serialVersionUID = 2L;

    /** AUTHCODE_RESULT_NULL_POINTER: a required pointer was NULL. */
    public static final int NULL_POINTER = 1;
    /** AUTHCODE_RESULT_INVALID_UTF8: text that must be UTF-8 is not. */
    public static final int INVALID_UTF8 = 2;
    /** AUTHCODE_RESULT_BUFFER_TOO_SMALL (the binding grows its buffers; not expected). */
    public static final int BUFFER_TOO_SMALL = 3;
    /** AUTHCODE_RESULT_WRONG_STATE: the call is not valid in the object's current state. */
    public static final int WRONG_STATE = 4;
    /** AUTHCODE_RESULT_RANDOMNESS: the random number generator failed. */
    public static final int RANDOMNESS = 5;
    /** AUTHCODE_RESULT_INVALID_ARGUMENT: an argument is out of range. */
    public static final int INVALID_ARGUMENT = 6;
    /** AUTHCODE_RESULT_INVALID_VERIFIER: the code verifier is malformed. */
    public static final int INVALID_VERIFIER = 10;
    /** AUTHCODE_RESULT_INVALID_CHALLENGE: the code challenge is malformed. */
    public static final int INVALID_CHALLENGE = 11;
    /** AUTHCODE_RESULT_INVALID_CONFIG: the client configuration was refused. */
    public static final int INVALID_CONFIG = 20;
    /** AUTHCODE_RESULT_REDIRECT_REFUSED: the redirect was refused (state, iss, …). */
    public static final int REDIRECT_REFUSED = 30;
    /** AUTHCODE_RESULT_RESPONSE_UNREADABLE: the token endpoint's answer was unreadable. */
    public static final int RESPONSE_UNREADABLE = 31;
    /** AUTHCODE_RESULT_REFRESH_IN_FLIGHT: a refresh is already in flight. */
    public static final int REFRESH_IN_FLIGHT = 32;
    /** AUTHCODE_RESULT_NO_REFRESH_TOKEN: the server issued no refresh token. */
    public static final int NO_REFRESH_TOKEN = 33;
    /** AUTHCODE_RESULT_NO_REVOCATION_ENDPOINT: no revocation endpoint is configured. */
    public static final int NO_REVOCATION_ENDPOINT = 34;
    /** AUTHCODE_RESULT_RESTORE_FAILED: saved session bytes could not be restored. */
    public static final int RESTORE_FAILED = 35;
    /** AUTHCODE_RESULT_ID_TOKEN_REFUSED: the ID token is missing or failed a check. */
    public static final int ID_TOKEN_REFUSED = 36;
    /** AUTHCODE_RESULT_SIGNING_FAILED: the signing key was unavailable. */
    public static final int SIGNING_FAILED = 37;
    /** AUTHCODE_RESULT_APP_REFUSED: an app registry operation was refused. */
    public static final int APP_REFUSED = 40;
    /** AUTHCODE_RESULT_AUTHORIZE_REFUSED: refuse the request to the user, do not redirect. */
    public static final int AUTHORIZE_REFUSED = 41;
    /** AUTHCODE_RESULT_INVALID_TOKEN: the access token is unknown, expired or revoked. */
    public static final int INVALID_TOKEN = 42;
    /** AUTHCODE_RESULT_INVALID_SERVER_CONFIG: the server configuration was refused. */
    public static final int INVALID_SERVER_CONFIG = 43;
    /** AUTHCODE_RESULT_STORE_UNAVAILABLE: the grant store could not be reached. */
    public static final int STORE_UNAVAILABLE = 44;
    /** AUTHCODE_RESULT_PANIC: a bug in authcode, caught at the boundary. */
    public static final int PANIC = 99;
    /** Not a C code: the Java object was closed (name {@code "CLOSED"}). */
    public static final int CLOSED = 1000;

    /** The AUTHCODE_RESULT_* code. */
    private final int resultCode;
    /** Its C name. */
    private final String resultName;
    /** The object's last-error text for this failure. */
    private final String lastError;

    /**
     * An exception for a failed call (the JNI glue builds them).
     *
     * @param resultCode the AUTHCODE_RESULT_* number
     * @param resultName its C name ({@code authcode_result_name})
     * @param message its message ({@code authcode_result_message})
     * @param lastError the object's last-error text for this failure, or empty
     */
    public AuthcodeException(int resultCode, String resultName, String message, String lastError) {
        super(describe(resultName, message, lastError));
        this.resultCode = resultCode;
        this.resultName = resultName;
        this.lastError = lastError == null ? "" : lastError;
    }

    private static String describe(String name, String message, String lastError) {
        boolean specific = lastError != null && !lastError.isEmpty();
        return name + ": " + (specific ? lastError : message);
    }

    /** The exception for a call on a closed object. */
    static AuthcodeException closed() {
        return new AuthcodeException(CLOSED, "CLOSED", "the object is closed", "");
    }

    /**
     * The AUTHCODE_RESULT_* code (or {@link #CLOSED}).
     *
     * @return the code
     */
    public int resultCode() {
        return resultCode;
    }

    /**
     * The code's C name, e.g. {@code "AUTHCODE_RESULT_APP_REFUSED"} ({@code "CLOSED"} for
     * {@link #CLOSED}).
     *
     * @return the name
     */
    public String resultName() {
        return resultName;
    }

    /**
     * The object's last-error text for this failure (empty when the call has no object,
     * e.g. a constructor or PKCE).
     *
     * @return the text
     */
    public String lastError() {
        return lastError;
    }

    /**
     * The C name of any result code ({@code authcode_result_name}); unknown numbers get
     * {@code "AUTHCODE_RESULT_UNKNOWN"}.
     *
     * @param resultCode an AUTHCODE_RESULT_* number
     * @return its name
     */
    public static String nameOf(int resultCode) {
        return Native.resultName(resultCode);
    }

    /**
     * The English message of any result code ({@code authcode_result_message}).
     *
     * @param resultCode an AUTHCODE_RESULT_* number
     * @return its message
     */
    public static String messageOf(int resultCode) {
        return Native.resultMessage(resultCode);
    }
}
