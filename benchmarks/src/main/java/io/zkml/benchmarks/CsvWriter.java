package io.zkml.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * {@code results.csv}: one row per model × setting (measured, refused or failed), flat columns
 * (docs/benchmarks.md, "results.csv"). RFC 4180: comma-separated, CRLF-free ({@code \n}), fields with a
 * comma, quote or newline quoted; empty where a value does not apply (a failed row, no EVM, ...).
 * Times in milliseconds, sizes in bytes, gas in gas units.
 */
final class CsvWriter {

    private CsvWriter() {
    }

    private record Column(String name, Function<ModelResult, Object> value) {
    }

    private static final List<Column> MEASURED = List.of(
            new Column("family", m -> m.family().name()),
            new Column("task", ModelResult::task),
            new Column("features", ModelResult::features),
            new Column("outputs", ModelResult::outputs),
            new Column("trees", m -> m.family().trees()),
            new Column("max_depth", m -> m.family().maxDepth()),
            new Column("tree_nodes", m -> m.family().treeNodes()),
            new Column("input_scale", m -> m.quantization().inputScale()),
            new Column("weight_scale", m -> m.quantization().weightScale()),
            new Column("error_bound", m -> m.quantization().errorBound()),
            new Column("constraints", m -> m.circuit().constraints()),
            new Column("public_inputs", m -> m.circuit().publicInputs()),
            new Column("ir_bytes", m -> m.circuit().irBytes()),
            new Column("proving_key_bytes", m -> m.circuit().provingKeyBytes()),
            new Column("verifying_key_bytes", m -> m.circuit().verifyingKeyBytes()),
            new Column("ir_compile_ms", m -> m.timings().irCompileMillis()),
            new Column("r1cs_compile_ms", m -> m.timings().r1csCompileMillis()),
            new Column("setup_ms", m -> m.timings().setupMillis()),
            new Column("prove_runs", m -> m.timings().prove().runs()),
            new Column("prove_median_ms", m -> m.timings().prove().medianMillis()),
            new Column("prove_min_ms", m -> m.timings().prove().minMillis()),
            new Column("prove_max_ms", m -> m.timings().prove().maxMillis()),
            new Column("prove_native_median_ms", m -> m.timings().proveNative().medianMillis()),
            new Column("witness_native_median_ms", m -> m.timings().witnessNative().medianMillis()),
            new Column("verify_median_ms", m -> m.timings().verify().medianMillis()),
            new Column("proof_bytes", ModelResult::proofBytes),
            new Column("heap_peak_bytes", m -> m.memory().heapPeakBytes()),
            new Column("rss_peak_bytes", m -> m.memory().rssPeakBytes()),
            new Column("rss_at_start_bytes", m -> m.memory().rssAtStartBytes()),
            new Column("verifier_deployed_bytes", m -> m.evm() == null ? null : m.evm().deployedSize()),
            new Column("fits_mainnet_limits", m -> m.evm() == null ? null : m.evm().fitsMainnetLimits()),
            new Column("deployment_gas", m -> m.evm() == null ? null : m.evm().deploymentGas()),
            new Column("verification_gas", m -> m.evm() == null ? null : m.evm().verificationGasUsed()),
            new Column("fidelity_samples", m -> m.fidelity().samples()),
            new Column("label_agreement_rate", m -> m.fidelity().labelAgreementRate()),
            new Column("max_abs_error", m -> m.fidelity().maxAbsError()),
            new Column("mean_abs_error", m -> m.fidelity().meanAbsError()),
            new Column("within_bound", m -> m.fidelity().withinBound()),
            new Column("proven_output_matches_reference", m -> m.fidelity().provenOutputMatchesReference()),
            new Column("circuit_hash", m -> m.circuit().circuitHash()),
            new Column("model_sha256", ModelResult::modelSha256));

    /** Identify the row: model, status, the setting's axes; then {@link #MEASURED}; then the note (refusal or error). */
    static final List<String> HEADER;

    static {
        List<String> h = new ArrayList<>(List.of("model", "source", "status", "sweep", "proving_system", "range_check",
                "visibility", "batch_size", "requested_input_scale", "requested_weight_scale"));
        MEASURED.forEach(c -> h.add(c.name()));
        h.add("note");
        HEADER = List.copyOf(h);
    }

    static String toCsv(BenchReport r) {
        StringBuilder b = new StringBuilder();
        line(b, HEADER);
        for (ModelResult m : r.models()) {
            List<Object> row = new ArrayList<>(Arrays.asList(m.name(), m.source(), "measured"));
            setting(row, m.setting());
            MEASURED.forEach(c -> row.add(c.value().apply(m)));
            row.add(null);
            line(b, row);
        }
        for (BenchReport.Failure f : r.refused()) {
            unmeasured(b, f, "refused");
        }
        for (BenchReport.Failure f : r.failures()) {
            unmeasured(b, f, "failed");
        }
        return b.toString();
    }

    private static void unmeasured(StringBuilder b, BenchReport.Failure f, String status) {
        List<Object> row = new ArrayList<>(Arrays.asList(f.model(), null, status));
        setting(row, f.setting());
        MEASURED.forEach(c -> row.add(null));
        row.add(f.error());
        line(b, row);
    }

    private static void setting(List<Object> row, Setting s) {
        if (s == null) {
            row.addAll(Arrays.asList(null, null, null, null, null, null, null));
        } else {
            row.addAll(Arrays.asList(s.sweep(), s.provingSystem(), s.rangeCheck(), s.visibility(), s.batchSize(),
                    s.inputScale(), s.weightScale()));
        }
    }

    private static void line(StringBuilder b, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(field(values.get(i)));
        }
        b.append('\n');
    }

    static String field(Object v) {
        if (v == null) {
            return "";
        }
        String s = String.valueOf(v);
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
