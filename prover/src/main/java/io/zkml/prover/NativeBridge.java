package io.zkml.prover;

import java.nio.file.Path;

/**
 * The JNI entry points of {@code libzkml.so} (implemented in {@code native/capi/jni.c}, which
 * calls the {@code zkml_*} C ABI). Every method throws {@link NativeProverException} on error.
 * Structured results cross as JSON strings. Callers must have loaded the library through
 * {@link NativeLibrary#load()} first.
 */
final class NativeBridge {

    private NativeBridge() {
    }

    /**
     * The absolute path as the native side receives it. JNI hands strings over as modified UTF-8,
     * which differs from UTF-8 for characters outside the Basic Multilingual Plane: such a path
     * would name another file on the native side (keys written where Java does not look), so it
     * is refused.
     *
     * @throws NativeProverException {@link ErrorCode#INVALID_ARGUMENT} for such a path
     */
    static String path(Path file) {
        String p = file.toAbsolutePath().toString();
        if (p.codePoints().anyMatch(c -> c > 0xFFFF)) {
            throw new NativeProverException(ErrorCode.INVALID_ARGUMENT,
                    "path " + p + " has a character outside the Basic Multilingual Plane; the native library cannot open it");
        }
        return p;
    }

    /** {@code {"abiVersion":1,"gnarkVersion":"v0.16.3","goVersion":"go1.26.8","curve":"bn254"}}. */
    static native String versions();

    /** Parses and validates IR JSON and compiles it to R1CS; returns a constraint-system handle. */
    static native long compile(byte[] irJson);

    /** Reads a constraint-system file written by {@link #writeConstraintSystem} for this IR. */
    static native long loadConstraintSystem(byte[] irJson, String csPath);

    /** {@code {"constraints":..,"publicInputs":..,"inputSize":..,"outputSize":..,"circuitSha256":"..","constraintsByOp":{"input_range":..,..}}}. */
    static native String constraintSystemInfo(long cs);

    static native void writeConstraintSystem(long cs, String csPath);

    /** Groth16 setup; writes both keys; returns {@code {"setupMillis":..,"verifyingKeySha256":".."}}. */
    static native String setup(long cs, String provingKeyPath, String verifyingKeyPath);

    static native long loadProvingKey(String path);

    static native long loadVerifyingKey(String path);

    /**
     * Proves one inference. {@code inputsJson} is a JSON array of decimal integer strings. Returns
     * {@code {"outputs":[..],"publicInputs":[..],"proofHex":"0x..","calldataHex":"0x..",
     * "witnessMillis":..,"proveMillis":..}}.
     */
    static native String prove(long cs, long pk, String inputsJson);

    /** {@code publicInputsJson}: JSON array of decimal field elements. */
    static native boolean verify(long vk, byte[] solidityProof, String publicInputsJson);

    static native String exportSolidity(long vk);

    /**
     * The verifying key's points as decimal JSON ({@code zkml_vk_export_json}):
     * {@code {"curve":"bn254","protocol":"groth16","circuitSha256":"..","publicInputs":N,"commitments":0,
     * "alpha1":{"x":..,"y":..},"beta2":{"x":{"a0":..,"a1":..},"y":{..}},"gamma2":..,"delta2":..,"k":[..]}}.
     */
    static native String verifyingKeyJson(long vk);

    // The proving-system layer: system = "groth16" | "plonk" (docs/native-abi.md, "Proving systems").

    /** {@code zkml_compile_for}: the constraint system of the IR for a proving system. */
    static native long compileFor(byte[] irJson, String system);

    /** {@code zkml_cs_load_for}: a constraint-system file of that system, written for this IR. */
    static native long loadConstraintSystemFor(byte[] irJson, String system, String csPath);

    /**
     * {@code zkml_setup_for}: options {@code {"ptauPath":..,"allowLocalUnsafe":..}}; returns
     * {@code {"setupMillis":..,"verifyingKeySha256":..,"provingSystem":..,"trust":..,"srsSha256":..,"srsPower":..,"srsSize":..}}.
     */
    static native String setupFor(long cs, String optionsJson, String provingKeyPath, String verifyingKeyPath);

    /** {@code zkml_pk_load_for}: refuses a key of another system or (if not null/empty) circuit. */
    static native long loadProvingKeyFor(String path, String system, String circuitSha256);

    /** {@code zkml_vk_load_for}: as {@link #loadProvingKeyFor}. */
    static native long loadVerifyingKeyFor(String path, String system, String circuitSha256);

    /** {@code zkml_key_info}: {@code {"kind":..,"provingSystem":..,"circuitSha256":..,"trust":..,..}}. */
    static native String keyInfo(long key);

    /** {@code zkml_ptau_info}: reads and checks a .ptau file ({@code minG1Powers} of them at least). */
    static native String ptauInfo(String path, long minG1Powers);

    // The Groth16 ceremony (docs/native-abi.md, "Ceremony"); results {"stateSha256":..,"domainSize":..,..}.

    /** {@code zkml_ceremony_start}: phase 1 from a .ptau file, phase 2 initialised for the circuit. */
    static native String ceremonyStart(long cs, String ptauPath, String phase1Path, String statePath);

    /** {@code zkml_ceremony_contribute}: the next state with fresh randomness (needs no circuit). */
    static native String ceremonyContribute(String inPath, String outPath);

    /** {@code zkml_ceremony_verify}: next is a valid contribution on prev, for this circuit. */
    static native String ceremonyVerify(long cs, String prevPath, String nextPath);

    /** {@code zkml_ceremony_finalize}: the whole transcript verified, the beacon applied, both keys written. */
    static native String ceremonyFinalize(long cs, String phase1Path, String contributionsJson, String beaconHex,
                                          String pkPath, String vkPath);

    /** Frees a handle of any kind. Freeing an unknown handle throws UNKNOWN_HANDLE. */
    static native void free(long handle);
}
