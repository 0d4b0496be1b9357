package io.zkml.benchmarks;

import java.util.List;

import io.zkml.contracts.CompilerSettings;

/**
 * The JSON document one benchmark run writes (docs/benchmarks.md describes every field).
 *
 * @param schema {@value #SCHEMA}
 * @param startedAt ISO-8601 UTC
 * @param finishedAt ISO-8601 UTC
 * @param machine where it ran
 * @param versions what ran
 * @param settings how it ran
 * @param models one result per demo model that succeeded
 * @param failures one entry per measurement that failed
 * @param refused one entry per sweep point the compiler refused (e.g. an input scale that merges two
 *     thresholds of a forest): an outcome of the sweep, not a failure
 */
public record BenchReport(String schema, String startedAt, String finishedAt, MachineInfo machine, Versions versions,
                          Settings settings, List<ModelResult> models, List<Failure> failures, List<Failure> refused) {

    /** Version 2 added {@code models[].setting}, {@code settings.suite/forests/forestFeatures}, {@code failures[].setting} and {@code refused}. */
    public static final String SCHEMA = "zkml-bench/2";

    public BenchReport {
        models = List.copyOf(models);
        failures = List.copyOf(failures);
        refused = List.copyOf(refused);
    }

    /**
     * @param zkml the project version (the benchmarks jar's Implementation-Version), or null
     * @param gnark gnark module version compiled into the native library
     * @param go Go toolchain of the native library
     * @param nativeAbi C ABI version of the native library
     * @param curve the curve of every artifact
     * @param circuitCompiler version of the circuit compiler (IR producer)
     * @param tribuo Tribuo version on the classpath
     * @param solc solc's full version string, or null with {@code --skip-evm}
     * @param anvil anvil's {@code web3_clientVersion}, or null with {@code --skip-evm}
     */
    public record Versions(String zkml, String gnark, String go, int nativeAbi, String curve, String circuitCompiler,
                           String tribuo, String solc, String anvil) {
    }

    /**
     * @param runs measured prove and verify runs per model
     * @param warmupRuns unmeasured runs before them
     * @param fidelitySamples random inputs (within the declared ranges) compared with the float model,
     *     besides {@code input.json}
     * @param seed seed of those random inputs
     * @param evm whether verifiers were compiled and deployed on anvil
     * @param examplesDir where the demo models were read from
     * @param synthetic feature counts of the synthetic classifiers measured
     * @param solcSettings the solc settings of the verifier contracts, or null without EVM
     * @param suite the {@code --suite} name, or null
     * @param forests the synthetic forests measured ({@code TxD}), outside a suite
     * @param forestFeatures features of those forests
     */
    public record Settings(int runs, int warmupRuns, int fidelitySamples, long seed, boolean evm, String examplesDir,
                           List<Integer> synthetic, CompilerSettings solcSettings, String suite, List<String> forests,
                           int forestFeatures) {
    }

    /** A measurement that failed (or a sweep point that was refused): the model, the error, the setting. */
    public record Failure(String model, String error, Setting setting) {
    }
}
