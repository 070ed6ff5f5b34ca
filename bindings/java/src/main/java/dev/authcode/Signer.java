package dev.authcode;

import java.util.Arrays;

/**
 * A JWS signing key for JWT grants: a P-256 or Ed25519 private key the core holds during
 * each call ({@link #close()} wipes this copy), or the host's own signing function — an
 * Android Keystore key ({@code Signature.getInstance("SHA256withECDSA")} answers DER, which
 * is accepted), an HSM.
 */
public final class Signer implements AutoCloseable {
    /** The JWS algorithm ({@code AUTHCODE_JWS_ALGORITHM_*}). */
    public enum Algorithm {
        /** RSASSA-PKCS1-v1_5 with SHA-256 (the host's key only). */
        RS256,
        /** ECDSA on P-256 with SHA-256. */
        ES256,
        /** Ed25519. */
        EDDSA
    }

    /** Signs JWS signing inputs with the host's key. */
    @FunctionalInterface
    public interface SignFunction {
        /**
         * Signs {@code signingInput}; called on the thread of the request call, during it.
         *
         * @param signingInput the JWS signing input (ASCII)
         * @return the signature (RS256: PKCS#1 v1.5; ES256: 64-byte r||s or DER; EdDSA: 64
         *     bytes), or null when the key is unavailable
         * @throws Exception when the key is unavailable (the call then throws SIGNING_FAILED)
         */
        byte[] sign(byte[] signingInput) throws Exception;
    }

    final Algorithm algorithm;
    final String keyId;
    final byte[] privateKey;
    final SignFunction function;
    private volatile boolean closed;

    private Signer(Algorithm algorithm, String keyId, byte[] privateKey, SignFunction function) {
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.privateKey = privateKey;
        this.function = function;
    }

    /**
     * A P-256 private scalar held by the core.
     *
     * @param key 32 bytes (copied)
     * @param keyId the {@code kid}, or null
     * @return the signer
     */
    public static Signer es256Key(byte[] key, String keyId) {
        return new Signer(Algorithm.ES256, keyId, Checks.nonNull(key, "key").clone(), null);
    }

    /**
     * An Ed25519 seed held by the core.
     *
     * @param seed 32 bytes (copied)
     * @param keyId the {@code kid}, or null
     * @return the signer
     */
    public static Signer ed25519Key(byte[] seed, String keyId) {
        return new Signer(Algorithm.EDDSA, keyId, Checks.nonNull(seed, "seed").clone(), null);
    }

    /**
     * The host's key, signing through {@code function}.
     *
     * @param algorithm the key's algorithm
     * @param keyId the {@code kid}, or null
     * @param function signs the JWS signing input
     * @return the signer
     */
    public static Signer host(Algorithm algorithm, String keyId, SignFunction function) {
        return new Signer(Checks.nonNull(algorithm, "algorithm"), keyId, null, Checks.nonNull(function, "function"));
    }

    /**
     * The public JWK of a key the core holds, to register with the server.
     *
     * @return the JWK text
     * @throws AuthcodeException INVALID_ARGUMENT for the host's key, or a key that is not
     *     32 valid bytes; CLOSED after {@link #close()}
     */
    public String publicJwk() {
        checkOpen();
        return Native.signerPublicJwk(algorithm.ordinal(), keyId, privateKey, function);
    }

    /** Throws CLOSED once {@link #close()} wiped the key (an all-zero key must never sign). */
    void checkOpen() {
        if (closed) {
            throw AuthcodeException.closed();
        }
    }

    /** Wipes this copy of the private key; the signer then throws CLOSED. */
    @Override
    public void close() {
        closed = true;
        if (privateKey != null) {
            Arrays.fill(privateKey, (byte) 0);
        }
    }
}
