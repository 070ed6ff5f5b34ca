package dev.authcode;

/** The library itself: its version and ABI. */
public final class Authcode {
    /** The ABI version this binding was written for ({@code AUTHCODE_ABI_VERSION}). */
    public static final int ABI_VERSION = 1;

    private Authcode() {}

    /**
     * The native library's version ({@code authcode_version}), e.g. {@code "0.1.0"}.
     *
     * @return the version string
     */
    public static String version() {
        return Native.version();
    }

    /**
     * The native library's ABI version ({@code authcode_abi_version}). Loading the binding
     * already fails with {@link UnsatisfiedLinkError} when it differs from
     * {@link #ABI_VERSION}.
     *
     * @return the ABI version
     */
    public static int abiVersion() {
        return Native.abiVersion();
    }
}
