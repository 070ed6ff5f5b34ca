package dev.authcode;

/** PKCE (RFC 7636, S256) with the operating system's randomness. */
public final class Pkce {
    private Pkce() {}

    /** A fresh code verifier of {@code length} characters (43 to 128). */
    public static String generate(int length) {
        return Native.pkceGenerate(length);
    }

    /** The S256 challenge of a verifier. */
    public static String challenge(String verifier) {
        return Native.pkceChallenge(verifier);
    }

    /** Whether the verifier matches the challenge (constant time); throws for malformed input. */
    public static boolean verify(String verifier, String challenge) {
        return Native.pkceVerify(verifier, challenge);
    }
}
