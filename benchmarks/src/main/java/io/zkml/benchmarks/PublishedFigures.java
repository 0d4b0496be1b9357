package io.zkml.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Published figures of other systems, beside ours where the model shape is comparable. The figures and
 * their attributions are those of the project's design notes ({@code design/anchors.md}, "Numbers to
 * beat"); nothing here is measured by this program. Hardware differs between published figures and ours:
 * compare orders of magnitude.
 */
final class PublishedFigures {

    /** Where every figure below is taken from. */
    static final String SOURCE_DOC = "design/anchors.md";

    private PublishedFigures() {
    }

    /**
     * One published figure and what this run has to put beside it.
     *
     * @param model the published model
     * @param system the system that was measured
     * @param figure the published figure
     * @param source where it is published (as the design notes attribute it)
     * @param ours our comparable figure(s), or why there is none
     */
    record Row(String model, String system, String figure, String source, String ours) {
    }

    static final String NO_ONNX = "not in this program: ONNX MLPs and CNNs are measured by OnnxBenchmark (docs/benchmarks.md, sections ONNX networks and ONNX CNNs)";

    static List<Row> rows(BenchReport r) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("128 trees of depth 9, batch 128", "Modulus (GKR prover)", "< 54 s, ≈ 3 ms per tree per input",
                table("Modulus (GKR)"), trees(r)));
        String mlp = "MNIST MLP 784-56-10";
        rows.add(new Row(mlp, "circom Groth16", "2.35 s, 2.3 GB (73k non-linear constraints)", table("circom Groth16"), NO_ONNX));
        rows.add(new Row(mlp, "EZKL, accuracy mode", "38.0 s, 4.8 GB, 0 % accuracy lost", table("EZKL, accuracy mode"), NO_ONNX));
        rows.add(new Row(mlp, "EZKL, resources mode", "2.66 s, 0.22 GB, 6.4 % accuracy lost", table("EZKL, resources mode"), NO_ONNX));
        rows.add(new Row(mlp, "ddkang/zkml (halo2)", "21.7 s, 2.4 GB", table("ddkang/zkml (halo2)"), NO_ONNX));
        rows.add(new Row("CNN (LeNet-like)", "circom Groth16", "43.8–59.8 s, 18.7–19.4 GB, 2.5–22.7 M constraints",
                table("circom Groth16"), NO_ONNX));
        rows.add(new Row("CNN, 264k parameters", "DeepProve / EZKL", "1.24 s / 196.6 s", table("DeepProve / EZKL, note: Lagrange's figures"), NO_ONNX));
        rows.add(new Row("random forest, tree ensemble, linear, SVM", "EZKL vs. RISC Zero", "EZKL 28–118× faster",
                table("EZKL vs RISC Zero, note: zkml-framework-benchmarks"), "not comparable: a ratio between two other systems; neither runs here"));
        rows.add(new Row("any circuit (gnark, BN254, 2-core machine)", "gnark Groth16",
                "≈ 50–75k constraints/s proving; setup 10–30× slower than proving", SOURCE_DOC + ", \"Numbers to beat\", paragraph \"gnark on BN254 (measured on a 2-core machine like ours)\"", throughput(r)));
        rows.add(new Row("Groth16 verifier on chain (solc 0.8.30, optimizer 200)", "gnark's Solidity verifier",
                "≈ 182k + 6.5k gas per public input (execution; +21k base and calldata per transaction)",
                SOURCE_DOC + ", \"Numbers to beat\", paragraph \"Gas on chain (solc 0.8.30, optimizer 200)\"", gasFit(r)));
        rows.add(new Row("Groth16 wrap of a zkVM proof", "Bonsai (hosted)", "≈ 215–316k gas", SOURCE_DOC + ", \"Feature reference\", hosted provers, on-chain verifier (Bonsai)",
                gasRange(r)));
        return rows;
    }

    /** A row of the "Numbers to beat" table, by its system column (and note, where it names the source). */
    private static String table(String row) {
        return SOURCE_DOC + ", \"Numbers to beat\" table, row " + row;
    }

    /** ms per tree per input of every tree model at default scales (batch 1). */
    static String trees(BenchReport r) {
        List<String> parts = new ArrayList<>();
        for (ModelResult m : r.models()) {
            if (m.family().trees() > 0 && (m.setting() == null || !Setting.INPUT_SCALE.equals(m.setting().sweep()))) {
                double perTree = m.timings().prove().medianMillis() / m.family().trees()
                        / (m.setting() == null ? 1 : m.setting().batchSize());
                parts.add(String.format(Locale.ROOT, "%s (%d trees, depth ≤ %d): %.1f ms / %d trees = %.2f ms per tree per input",
                        m.name(), m.family().trees(), m.family().maxDepth(), m.timings().prove().medianMillis(),
                        m.family().trees(), perTree));
            }
        }
        return parts.isEmpty() ? "no tree model in this run" : String.join("; ", parts) + " (batch 1, this machine)";
    }

    /** Constraints per second of the largest circuit, and the range of setup / prove ratios. */
    static String throughput(BenchReport r) {
        ModelResult big = r.models().stream().max(java.util.Comparator.comparingInt(m -> m.circuit().constraints())).orElse(null);
        if (big == null) {
            return "no measurement";
        }
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (ModelResult m : r.models()) {
            double ratio = m.timings().setupMillis() / m.timings().prove().medianMillis();
            lo = Math.min(lo, ratio);
            hi = Math.max(hi, ratio);
        }
        return String.format(Locale.ROOT, "largest circuit %s: %,d constraints in %.1f ms = %,.0f constraints/s; setup %.0f–%.0f× proving",
                big.name(), big.circuit().constraints(), big.timings().prove().medianMillis(),
                big.circuit().constraints() / (big.timings().prove().medianMillis() / 1000), lo, hi);
    }

    /** Least-squares fit of transaction gas against public inputs. */
    static String gasFit(BenchReport r) {
        List<ModelResult> ms = r.models().stream().filter(m -> m.evm() != null).toList();
        if (ms.isEmpty()) {
            return "no EVM data in this run (--skip-evm)";
        }
        double n = ms.size();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (ModelResult m : ms) {
            double x = m.circuit().publicInputs();
            double y = m.evm().verificationGasUsed();
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double den = n * sxx - sx * sx;
        if (ms.stream().mapToInt(m -> m.circuit().publicInputs()).distinct().count() < 2 || den == 0) {
            ModelResult m = ms.get(0);
            return String.format(Locale.ROOT, "%,d gas for %d public inputs (one input count: no fit)",
                    m.evm().verificationGasUsed(), m.circuit().publicInputs());
        }
        double b = (n * sxy - sx * sy) / den;
        double a = (sy - b * sx) / n;
        return String.format(Locale.ROOT, "fit over %d measurements: %,.0f + %,.0f gas per public input per transaction "
                + "(includes the 21,000 base and the calldata)", ms.size(), a, b);
    }

    static String gasRange(BenchReport r) {
        var stats = r.models().stream().filter(m -> m.evm() != null).mapToLong(m -> m.evm().verificationGasUsed()).summaryStatistics();
        if (stats.getCount() == 0) {
            return "no EVM data in this run (--skip-evm)";
        }
        return String.format(Locale.ROOT, "%,d–%,d gas per verifyProof transaction over this run's models", stats.getMin(), stats.getMax());
    }
}
