package io.zkml.prover;

/**
 * The versions compiled into the loaded native library.
 *
 * @param abiVersion the C ABI version ({@link NativeLibrary#ABI_VERSION} on the Java side)
 * @param gnarkVersion the gnark module version, e.g. {@code v0.16.3}
 * @param goVersion the Go toolchain that built the library, e.g. {@code go1.26.8}
 * @param curve the curve of every artifact, {@code bn254}
 */
public record NativeVersions(int abiVersion, String gnarkVersion, String goVersion, String curve) {
}
