package dev.authcode;

/** PKCE (RFC 7636, S256) with the operating system's randomness. Thread-safe. */
public final class Pkce {
    private Pkce() {}

    /**
     * A fresh code verifier.
     *
     * @param length 43 to 128 characters (43 = 256 bits)
     * @return the verifier
     * @throws AuthcodeException INVALID_ARGUMENT for another length
     */
    public static String generate(int length) {
        return Native.pkceGenerate(length);
    }

    /**
     * The S256 challenge of a verifier.
     *
     * @param verifier the code verifier
     * @return its 43-character challenge
     * @throws AuthcodeException INVALID_VERIFIER for a malformed verifier
     */
    public static String challenge(String verifier) {
        return Native.pkceChallenge(Checks.nonNull(verifier, "verifier"));
    }

    /**
     * Whether the verifier matches the challenge (constant time).
     *
     * @param verifier the code verifier
     * @param challenge the S256 challenge
     * @return true on a match
     * @throws AuthcodeException INVALID_VERIFIER / INVALID_CHALLENGE for malformed input
     */
    public static boolean verify(String verifier, String challenge) {
        return Native.pkceVerify(Checks.nonNull(verifier, "verifier"), Checks.nonNull(challenge, "challenge"));
    }
}
