package io.zkml.benchmarks;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationReport;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.onnx.OnnxModelReader;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.VerifyingKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX networks of testdata/onnx/ (issue 6) through import → calibrated compile → R1CS →
 * Groth16 setup → prove (median of {@code --runs}) → verify, with the label agreement against ONNX
 * Runtime's recorded outputs on the held-out half of the recorded inputs (the other half calibrates)
 * and the published figures beside ours. Writes one JSON file; asserts nothing about time.
 *
 * <pre>java -cp benchmarks/target/zkml-benchmarks.jar:benchmarks/target/lib/* io.zkml.benchmarks.OnnxBenchmark
 *     [--runs N] [--out FILE] [--model NAME]... [--target accuracy|resources]</pre>
 */
public final class OnnxBenchmark {

    /** The ai.onnx.ml tree ensembles (issue 6b): scikit-learn, XGBoost and LightGBM exports. */
    static final List<String> TREE_MODELS = List.of("sklearn-random-forest-classifier", "sklearn-gradient-boosting-classifier",
            "sklearn-random-forest-regressor", "xgboost-classifier", "lightgbm-classifier", "xgboost-classifier-100-trees",
            "sklearn-decision-tree-classifier", "sklearn-hist-gradient-boosting-classifier");
    /**
     * The convolutional networks (issue 6, CNN); {@code NAME@lookup} compiles the same circuit with
     * {@code "rangeCheck": "lookup"} (gnark's std/rangecheck) instead of bit decompositions.
     */
    static final List<String> CNN_MODELS = List.of("lenet5-28x28", "lenet5-28x28@lookup", "cnn-small");
    static final List<String> MODELS = java.util.stream.Stream.of(java.util.stream.Stream.of("mnist-mlp-784-56-10",
            "mlp-tabular", "mlp-softmax", "mlp-regressor", "mlp-activations"), TREE_MODELS.stream(), CNN_MODELS.stream())
            .flatMap(x -> x).toList();

    private OnnxBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 5;
        Path out = Path.of("bench-results", "onnx-" + Instant.now().toString().replace(':', '-') + ".json");
        Path dir = Path.of("testdata", "onnx");
        String target = null;
        List<String> models = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--model" -> models.add(args[++i]);
                case "--target" -> target = args[++i];
                default -> {
                    System.err.println("unknown option " + args[i] + " (options: --runs N, --out FILE, --dir DIR, --model NAME, --target accuracy|resources)");
                    System.exit(2);
                }
            }
        }
        if (models.isEmpty()) {
            models = MODELS;
        }
        Groth16Prover prover = Groth16Prover.load();
        Path work = Files.createTempDirectory("zkml-onnx-bench");
        List<Map<String, Object>> results = new ArrayList<>();
        for (String name : models) {
            System.out.println(name + " ...");
            results.add(run(prover, dir, name, runs, target, work));
            System.gc();
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "onnx-networks");
        doc.put("createdAt", Instant.now().toString());
        doc.put("runs", runs);
        doc.put("machine", Map.of("cpus", Runtime.getRuntime().availableProcessors(), "os", System.getProperty("os.name"),
                "java", System.getProperty("java.version")));
        doc.put("loadAverageAtEnd", loadAverage());
        doc.put("models", results);
        doc.put("published", published(results));
        Files.createDirectories(out.toAbsolutePath().getParent());
        JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        Files.writeString(out, json.writeValueAsString(doc) + "\n");
        System.out.println("wrote " + out);
    }

    static Map<String, Object> run(Groth16Prover prover, Path dir, String model, int runs, String target, Path work)
            throws Exception {
        boolean lookup = model.endsWith("@lookup");
        String name = lookup ? model.substring(0, model.length() - "@lookup".length()) : model;
        MemoryProbe memory = new MemoryProbe();
        memory.reset();
        byte[] bytes = Files.readAllBytes(dir.resolve(name + ".onnx"));
        JsonNode exp = JsonMapper.builder().build().readTree(dir.resolve(name + ".expected.json").toFile());
        List<double[]> recorded = new ArrayList<>();
        for (JsonNode c : exp.get("cases")) {
            double[] x = new double[c.get("input").size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = c.get("input").get(i).asDouble();
            }
            recorded.add(x);
        }
        int half = recorded.size() / 2;
        int n = recorded.getFirst().length;
        // Declared ranges: MNIST-shaped pixels are [0, 1]; the others the recorded range, widened 10 %.
        List<FeatureRange> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double[] x : recorded) {
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
            }
            ranges.add(name.startsWith("mnist") || name.startsWith("lenet") || name.startsWith("cnn") ? new FeatureRange(0, 1)
                    : new FeatureRange(min - 0.1 * (max - min) - 1e-3, max + 0.1 * (max - min) + 1e-3));
        }
        long t0 = System.nanoTime();
        ImportedModel imported = OnnxModelReader.readModel(bytes, null, null);
        double importMillis = (System.nanoTime() - t0) / 1e6;
        long t1 = System.nanoTime();
        QuantizationSettings settings = new QuantizationSettings(null, null, ranges, recorded.subList(0, half))
                .withTarget(target, null);
        CompiledCircuit c = CircuitCompiler.compile(imported, name, null, settings);
        if (lookup) {
            c = c.withRangeCheckLookup();
        }
        double compileMillis = (System.nanoTime() - t1) / 1e6;
        QuantizationReport q = c.quantization();

        // Fidelity on the held-out half: labels (classification) or |error| against ONNX Runtime.
        String outKey = exp.get("outputs").get(0).asString();
        int agree = 0;
        double maxErr = 0;
        for (int k = half; k < recorded.size(); k++) {
            var pred = c.predict(recorded.get(k));
            JsonNode want = exp.get("cases").get(k).get(outKey);
            if (pred.label() != null) {
                agree += pred.label().equals(want.get(0).asString()) ? 1 : 0;
            } else {
                maxErr = Math.max(maxErr, Math.abs(pred.values().values().iterator().next() - want.get(0).asDouble()));
            }
        }
        int heldOut = recorded.size() - half;

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", name);
        r.put("rangeCheck", lookup ? "lookup" : "bits");
        r.put("structure", imported.structure().toString());
        r.put("task", c.task().irName());
        List<BigInteger> input = c.quantizeInput(recorded.get(half));
        try (ConstraintSystem cs = prover.compile(c.irJson())) {
            r.put("constraints", cs.constraints());
            r.put("constraintsByOp", cs.constraintsByOp());
            r.put("publicInputs", cs.publicInputs());
            long t2 = System.nanoTime();
            prover.setup(cs, work.resolve(name + ".pk"), work.resolve(name + ".vk"));
            double setupMillis = (System.nanoTime() - t2) / 1e6;
            try (ProvingKey pk = prover.loadProvingKey(work.resolve(name + ".pk"));
                 VerifyingKey vk = prover.loadVerifyingKey(work.resolve(name + ".vk"))) {
                prover.prove(cs, pk, input); // warm-up
                List<Long> times = new ArrayList<>();
                Proof proof = null;
                for (int i = 0; i < runs; i++) {
                    long s = System.nanoTime();
                    proof = prover.prove(cs, pk, input);
                    times.add(System.nanoTime() - s);
                }
                List<BigInteger> pub = proof.publicInputs().stream().map(BigInteger::new).toList();
                long s = System.nanoTime();
                boolean ok = prover.verify(vk, proof.solidityProof(), pub);
                double verifyMillis = (System.nanoTime() - s) / 1e6;
                if (!ok || !proof.outputs().equals(c.evaluate(input))) {
                    throw new IllegalStateException(name + ": the proof did not verify or its output is not the reference's");
                }
                Stats st = Stats.ofNanos(times);
                MemoryProbe.Peak peak = memory.peak();
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("importMillis", importMillis);
                t.put("calibrateAndCompileMillis", compileMillis);
                t.put("setupMillis", setupMillis);
                t.put("proveMedianMillis", st.medianMillis());
                t.put("proveRuns", st.runs());
                t.put("verifyMillis", verifyMillis);
                r.put("timings", t);
                r.put("peakRssBytes", peak.rssPeakBytes());
                r.put("peakRssSinceReset", peak.rssPeakSinceReset());
                r.put("peakHeapBytes", peak.heapPeakBytes());
            }
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("heldOutInputs", heldOut);
        if (c.task() == io.zkml.compiler.Task.CLASSIFICATION) {
            f.put("labelAgreementWithOnnxRuntime", agree / (double) heldOut);
        } else {
            f.put("maxAbsoluteErrorVsOnnxRuntime", maxErr);
        }
        f.put("errorBound", q.errorBound());
        r.put("fidelity", f);
        QuantizationReport.Network nw = q.network();
        if (nw == null) { // a tree ensemble: no calibration grid (ADR 0006: scales from the thresholds)
            // The recorded inputs include probes at a float32 threshold and one float32 step either side
            // (generate.py): off the quantized grid, those within half an input step of a split may take
            // the other branch (ADR 0006). Agreement is reported apart for them.
            var ts = (io.zkml.compiler.model.TreeEnsembleStructure) imported.structure();
            double halfStep = Math.scalb(1.0, -(q.inputScale() + 1));
            int[] away = new int[2];
            int[] near = new int[2];
            double awayErr = 0;
            for (int k = 0; k < recorded.size(); k++) {
                double[] x = recorded.get(k);
                boolean close = false;
                for (var mem : ts.members()) {
                    var t = mem.trees().get(0);
                    for (int node = 0; node < t.internalNodes() && !close; node++) {
                        close = Math.abs(x[t.feature()[node]] - t.threshold()[node]) <= halfStep;
                    }
                }
                var pred = c.predict(x);
                JsonNode want = exp.get("cases").get(k).get(outKey);
                int[] bucket = close ? near : away;
                bucket[0]++;
                if (pred.label() != null) {
                    bucket[1] += pred.label().equals(want.get(0).asString()) ? 1 : 0;
                } else if (!close) {
                    awayErr = Math.max(awayErr, Math.abs(pred.values().values().iterator().next() - want.get(0).asDouble()));
                }
            }
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("inputs", away[0]);
            if (c.task() == io.zkml.compiler.Task.CLASSIFICATION) {
                a.put("labelAgreementWithOnnxRuntime", away[1] / (double) away[0]);
            } else {
                a.put("maxAbsoluteErrorVsOnnxRuntime", awayErr);
            }
            f.put("allRecordedAwayFromSplits", a);
            Map<String, Object> nr = new LinkedHashMap<>();
            nr.put("inputs", near[0]);
            if (c.task() == io.zkml.compiler.Task.CLASSIFICATION) {
                nr.put("labelAgreementWithOnnxRuntime", near[0] == 0 ? null : near[1] / (double) near[0]);
            }
            nr.put("note", "within half an input step of a split (off the grid): the other branch is possible (ADR 0006)");
            f.put("allRecordedWithinHalfStepOfASplit", nr);
            Map<String, Object> tr = new LinkedHashMap<>();
            tr.put("trees", ((io.zkml.compiler.model.TreeEnsembleStructure) imported.structure()).treeCount());
            tr.put("maxDepth", imported.maxDepth());
            tr.put("inputScale", q.inputScale());
            tr.put("quantization", q.trees());
            r.put("trees", tr);
            System.out.printf("  %s: %d constraints, prove median %.1f ms, fidelity %s%n", name, r.get("constraints"),
                    ((Map<?, ?>) r.get("timings")).get("proveMedianMillis"), f);
            return r;
        }
        Map<String, Object> cal = new LinkedHashMap<>();
        cal.put("target", nw.calibration().target());
        cal.put("targetMet", nw.calibration().targetMet());
        cal.put("reason", nw.calibration().reason());
        cal.put("candidates", nw.calibration().candidates().size());
        cal.put("inputScale", q.inputScale());
        cal.put("layers", nw.layers());
        cal.put("inputConstraints", nw.inputConstraints());
        cal.put("constraintsEstimate", nw.constraints());
        r.put("calibration", cal);
        System.out.printf("  %s: %d constraints, prove median %.1f ms, fidelity %s%n", name, r.get("constraints"),
                ((Map<?, ?>) r.get("timings")).get("proveMedianMillis"), f);
        return r;
    }

    /** {@code /proc/loadavg}'s first three fields (other work on the machine slows proving), or null. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** The published figures (design/anchors.md, "Numbers to beat") beside ours, and the issue's bars. */
    static List<Map<String, Object>> published(List<Map<String, Object>> results) {
        Map<String, Object> mnist = results.stream().filter(r -> "mnist-mlp-784-56-10".equals(r.get("model"))).findFirst().orElse(null);
        String ours = mnist == null ? "not measured in this run" : String.format(java.util.Locale.ROOT,
                "%s constraints, prove %.0f ms median, peak RSS %.0f MB, label agreement %s",
                mnist.get("constraints"), ((Map<?, ?>) mnist.get("timings")).get("proveMedianMillis"),
                mnist.get("peakRssBytes") == null ? Double.NaN : ((Long) mnist.get("peakRssBytes")) / 1e6,
                ((Map<?, ?>) mnist.get("fidelity")).get("labelAgreementWithOnnxRuntime"));
        List<Map<String, Object>> rows = new ArrayList<>();
        String src = PublishedFigures.SOURCE_DOC + ", \"Numbers to beat\" table";
        rows.add(row("MNIST MLP 784-56-10", "circom Groth16", "2.35 s, 2.3 GB (73k non-linear constraints)", src, ours));
        rows.add(row("MNIST MLP 784-56-10", "EZKL, accuracy mode", "38.0 s, 4.8 GB, 0 % accuracy lost", src, ours));
        rows.add(row("MNIST MLP 784-56-10", "EZKL, resources mode", "2.66 s, 0.22 GB, 6.4 % accuracy lost", src, ours));
        rows.add(row("MNIST MLP 784-56-10", "ddkang/zkml (halo2)", "21.7 s, 2.4 GB", src, ours));
        rows.add(row("MNIST MLP 784-56-10", "issue 6 bar", "proving <= 0.5 s median, peak RSS <= 1 GB, label agreement >= 99.5 %",
                "issue 6, Bars", ours));
        StringBuilder lenet = new StringBuilder();
        for (Map<String, Object> r : results) {
            if ("lenet5-28x28".equals(r.get("model"))) {
                lenet.append(lenet.isEmpty() ? "" : "; ").append(String.format(java.util.Locale.ROOT,
                        "rangeCheck %s: %s constraints, prove %.0f ms median, peak RSS %.0f MB, label agreement %s",
                        r.get("rangeCheck"), r.get("constraints"), ((Map<?, ?>) r.get("timings")).get("proveMedianMillis"),
                        r.get("peakRssBytes") == null ? Double.NaN : ((Long) r.get("peakRssBytes")) / 1e6,
                        ((Map<?, ?>) r.get("fidelity")).get("labelAgreementWithOnnxRuntime")));
            }
        }
        String lenetOurs = lenet.isEmpty() ? "not measured in this run" : lenet.toString();
        rows.add(row("LeNet-5-shaped CNN on 28x28", "circom Groth16", "43.8 s, 18.7 GB, 2.56 M constraints", "issue 6, Benchmarks",
                lenetOurs));
        rows.add(row("LeNet-5-shaped CNN on 28x28", "issue 6 bar", "proving <= 10 s, constraints reported per layer", "issue 6, Bars",
                lenetOurs));
        StringBuilder trees = new StringBuilder();
        for (Map<String, Object> r : results) {
            if (r.get("trees") instanceof Map<?, ?> t) {
                Map<?, ?> fid = (Map<?, ?>) r.get("fidelity");
                Map<?, ?> away = (Map<?, ?>) fid.get("allRecordedAwayFromSplits");
                Map<?, ?> near = (Map<?, ?>) fid.get("allRecordedWithinHalfStepOfASplit");
                Object agreement = (away.containsKey("labelAgreementWithOnnxRuntime")
                        ? "label agreement " + away.get("labelAgreementWithOnnxRuntime") + " on " + away.get("inputs")
                        + " recorded inputs away from the splits, " + near.get("labelAgreementWithOnnxRuntime")
                        : "max |error| " + away.get("maxAbsoluteErrorVsOnnxRuntime") + " (bound " + fid.get("errorBound") + ") on "
                        + away.get("inputs") + " recorded inputs away from the splits") + " (" + near.get("inputs")
                        + " threshold probes within half a step)";
                trees.append(trees.isEmpty() ? "" : "; ").append(String.format(java.util.Locale.ROOT, "%s (%s trees): %s constraints, prove %.0f ms median, %s",
                        r.get("model"), t.get("trees"), r.get("constraints"), ((Map<?, ?>) r.get("timings")).get("proveMedianMillis"), agreement));
            }
        }
        String treesOurs = trees.isEmpty() ? "not measured in this run" : trees
                + " (ONNX fixtures of <= 20 trees; 50-200-tree Tribuo forests: make bench BENCH_ARGS=\"--forests standard\")";
        rows.add(row("tree ensembles (ONNX TreeEnsembleClassifier/Regressor)", "issue 6 bar", "calibration succeeds or says why; 50-200 trees",
                "issue 6, Bars", treesOurs));
        rows.add(row("tree ensemble, 128 trees depth 9, batch 128", "Modulus (GKR)", "< 54 s (about 3 ms per tree per input)", src, treesOurs));
        rows.add(row("random forest / tree ensemble", "EZKL vs RISC Zero", "EZKL 28-118x faster than RISC Zero (zkml-framework-benchmarks)",
                src, treesOurs));
        return rows;
    }

    private static Map<String, Object> row(String model, String system, String figure, String source, String ours) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("system", system);
        m.put("figure", figure);
        m.put("source", source);
        m.put("ours", ours);
        return m;
    }
}
