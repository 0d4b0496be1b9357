package io.zkml.api.artifacts;

/**
 * The programs that made an artifact (stored as {@code artifacts.versions} and
 * {@code circuits.versions}).
 *
 * @param compiler the circuit-compiler version that wrote the IR
 * @param gnark the gnark version of the native library, e.g. {@code v0.16.3}
 * @param abi the native library's C ABI version
 * @param curve the curve of every key and proof, {@code bn254}
 * @param go the Go toolchain that built the native library
 * @param irVersion the IR format version
 */
public record ArtifactVersions(String compiler, String gnark, int abi, String curve, String go, int irVersion) {

    /**
     * Why a native-format artifact made with {@code made} cannot be loaded by a process running
     * {@code this}, or null if it can.
     */
    public String incompatibilityWith(ArtifactVersions made) {
        if (made == null) {
            return "it records no versions";
        }
        if (!gnark.equals(made.gnark()) || abi != made.abi() || !curve.equals(made.curve())) {
            return "it was made by gnark " + made.gnark() + " (native ABI " + made.abi() + ", " + made.curve()
                    + ") and this service runs gnark " + gnark + " (native ABI " + abi + ", " + curve + ")";
        }
        return null;
    }
}
