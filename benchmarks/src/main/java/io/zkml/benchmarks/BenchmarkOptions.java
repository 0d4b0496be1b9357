package io.zkml.benchmarks;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of the benchmark.
 *
 * @param runs measured prove and verify runs per model (the reported times are their median)
 * @param warmupRuns unmeasured runs before them
 * @param out the JSON file to write
 * @param examplesDir the model zoo
 * @param models the demo names to run (empty: all)
 * @param demos whether to run the demo models at all
 * @param synthetic feature counts of synthetic classifiers to add (a scaling curve)
 * @param fidelitySamples random inputs compared with the float model, besides {@code input.json}
 * @param seed seed of those inputs
 * @param evm whether to compile, deploy and call the Solidity verifiers on anvil
 * @param forests sizes of synthetic random forests to add ({@code --forests 100x6,...})
 * @param forestFeatures features of every synthetic forest
 * @param suite the {@code --suite} to measure instead of the demos, or null
 * @param reportDir where {@code --report} writes results.json, results.csv, plots and report.html, or null
 * @param provingSystems the proving systems every demo model is measured under ({@code --proving-systems
 *     groth16,plonk}; default groth16). PLONK runs on a locally drawn SRS (timings and gas do not depend
 *     on where the SRS came from)
 */
public record BenchmarkOptions(int runs, int warmupRuns, Path out, Path examplesDir, List<String> models,
                               boolean demos, List<Integer> synthetic, int fidelitySamples, long seed, boolean evm,
                               List<Forest> forests, int forestFeatures, Suite suite, Path reportDir,
                               List<String> provingSystems) {

    /** The options measuring Groth16 only (as before {@code --proving-systems} existed). */
    public BenchmarkOptions(int runs, int warmupRuns, Path out, Path examplesDir, List<String> models, boolean demos,
                            List<Integer> synthetic, int fidelitySamples, long seed, boolean evm, List<Forest> forests,
                            int forestFeatures, Suite suite, Path reportDir) {
        this(runs, warmupRuns, out, examplesDir, models, demos, synthetic, fidelitySamples, seed, evm, forests,
                forestFeatures, suite, reportDir, List.of("groth16"));
    }

    /** The options without a suite or a report (as before {@code --suite} existed). */
    public BenchmarkOptions(int runs, int warmupRuns, Path out, Path examplesDir, List<String> models, boolean demos,
                            List<Integer> synthetic, int fidelitySamples, long seed, boolean evm, List<Forest> forests,
                            int forestFeatures) {
        this(runs, warmupRuns, out, examplesDir, models, demos, synthetic, fidelitySamples, seed, evm, forests,
                forestFeatures, null, null);
    }

    /** A synthetic forest size: {@code trees} trees of at most {@code depth} levels. */
    public record Forest(int trees, int depth) {
        public Forest {
            if (trees < 1 || depth < 1) {
                throw new IllegalArgumentException("--forests needs TREESxDEPTH with both >= 1, got " + trees + "x" + depth);
            }
        }

        static Forest parse(String v) {
            String[] p = v.trim().split("x");
            if (p.length != 2) {
                throw new IllegalArgumentException("--forests needs TREESxDEPTH[,TREESxDEPTH...], got \"" + v + "\"");
            }
            return new Forest(intValue("--forests", p[0]), intValue("--forests", p[1]));
        }
    }

    /** The forests of the bar: 10 to 200 trees, depth 4 to 8. */
    public static final List<Forest> STANDARD_FORESTS = List.of(new Forest(10, 4), new Forest(50, 6),
            new Forest(100, 6), new Forest(200, 8));
    public static final int DEFAULT_FOREST_FEATURES = 16;

    public static final int DEFAULT_RUNS = 5;
    public static final int DEFAULT_WARMUP = 1;
    public static final int DEFAULT_FIDELITY_SAMPLES = 32;

    static final String USAGE = """
            usage: java -jar benchmarks/target/zkml-benchmarks.jar [options]   (from the repository root)
              --runs N              measured prove/verify runs per model, median reported (default 5)
              --warmup N            unmeasured runs before them (default 1)
              --out FILE            result file (default bench-results/bench-<UTC timestamp>.json)
              --examples DIR        model zoo: DIR/<name>/model.tribuo (+ quantization.json, input.json) (default examples)
              --model NAME          only this demo (repeatable; default: all)
              --no-demos            no demo models (with --synthetic)
              --synthetic N,N,...   add synthetic Tribuo classifiers with N features each (3 labels, ranges [-1, 1])
              --forests TxD,TxD,... add synthetic Tribuo random forests of T trees of depth <= D (3 labels, ranges [-1, 1]);
                                    --forests standard = 10x4,50x6,100x6,200x8
              --forest-features N   features of the synthetic forests (default 16)
              --fidelity-samples N  random inputs compared with the float model (default 32)
              --seed N              seed of those inputs (default 1)
              --skip-evm            no Solidity verifier, no anvil (no node needed)
              --proving-systems S,S measure every demo model under each: groth16 (default), plonk (local SRS),
                                    groth16+lookup, plonk+lookup (range checks by std/rangecheck, docs/adr/0024); a system
                                    without +lookup range-checks by bits
              --suite NAME          measure a suite instead of the demos: quick (seconds) or standard (minutes:
                                    linear 8..128 features, forests 10x4..200x8, input scales 6..20) or visibility
                                    (minutes: linear 5..784 features with public, private, hashed inputs); see docs/benchmarks.md
              --report DIR          also write DIR/results.json, results.csv, plots/*.png|svg and report.html
                                    (the JSON goes to DIR/results.json instead of --out)
              --help                this text
            """;

    public BenchmarkOptions {
        models = List.copyOf(models);
        provingSystems = provingSystems == null || provingSystems.isEmpty() ? List.of("groth16") : List.copyOf(provingSystems);
        for (String ps : provingSystems) {
            if (!ps.equals("groth16") && !ps.equals("plonk") && !ps.equals("groth16+lookup") && !ps.equals("groth16+bits")
                    && !ps.equals("plonk+bits") && !ps.equals("plonk+lookup")) {
                throw new IllegalArgumentException("--proving-systems: unknown proving system \"" + ps
                        + "\" (groth16, plonk, groth16+lookup, plonk+lookup)");
            }
        }
        synthetic = List.copyOf(synthetic);
        forests = List.copyOf(forests);
        if (forestFeatures < 2) {
            throw new IllegalArgumentException("--forest-features must be at least 2, got " + forestFeatures);
        }
        for (int n : synthetic) {
            if (n < 1) {
                throw new IllegalArgumentException("--synthetic feature counts must be at least 1, got " + n);
            }
        }
        if (suite != null && (!models.isEmpty() || !synthetic.isEmpty() || !forests.isEmpty() || !demos)) {
            throw new IllegalArgumentException("--suite chooses the models: no --model, --synthetic, --forests or --no-demos with it");
        }
        if (suite == null && !demos && synthetic.isEmpty() && forests.isEmpty()) {
            throw new IllegalArgumentException("--no-demos needs --synthetic or --forests: nothing to measure");
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
        }
        if (warmupRuns < 0) {
            throw new IllegalArgumentException("--warmup must be at least 0, got " + warmupRuns);
        }
        if (fidelitySamples < 0) {
            throw new IllegalArgumentException("--fidelity-samples must be at least 0, got " + fidelitySamples);
        }
    }

    /** The default result file for a run started at {@code now}. */
    static Path defaultOut(Instant now) {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
        return Path.of("bench-results", "bench-" + stamp + ".json");
    }

    /**
     * Parses the command line; {@code null} means {@code --help} was asked for.
     *
     * @throws IllegalArgumentException for an unknown option or a bad value (the message says which)
     */
    static BenchmarkOptions parse(String[] args, Instant now) {
        int runs = DEFAULT_RUNS;
        int warmup = DEFAULT_WARMUP;
        Path out = null;
        Path examples = Path.of("examples");
        List<String> models = new ArrayList<>();
        boolean demos = true;
        List<Integer> synthetic = new ArrayList<>();
        int samples = DEFAULT_FIDELITY_SAMPLES;
        long seed = 1;
        boolean evm = true;
        List<Forest> forests = new ArrayList<>();
        int forestFeatures = DEFAULT_FOREST_FEATURES;
        Suite suite = null;
        Path report = null;
        boolean samplesGiven = false;
        List<String> systems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--skip-evm" -> evm = false;
                case "--proving-systems" -> {
                    for (String ps : value(args, ++i, a).split(",")) {
                        systems.add(ps.strip().toLowerCase(java.util.Locale.ROOT));
                    }
                }
                case "--runs" -> runs = intValue(a, value(args, ++i, a));
                case "--warmup" -> warmup = intValue(a, value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--examples" -> examples = Path.of(value(args, ++i, a));
                case "--model" -> models.add(value(args, ++i, a));
                case "--no-demos" -> demos = false;
                case "--synthetic" -> {
                    for (String part : value(args, ++i, a).split(",")) {
                        synthetic.add(intValue(a, part.trim()));
                    }
                }
                case "--forests" -> {
                    String v = value(args, ++i, a);
                    if (v.equals("standard")) {
                        forests.addAll(STANDARD_FORESTS);
                    } else {
                        for (String part : v.split(",")) {
                            forests.add(Forest.parse(part));
                        }
                    }
                }
                case "--forest-features" -> forestFeatures = intValue(a, value(args, ++i, a));
                case "--fidelity-samples" -> {
                    samples = intValue(a, value(args, ++i, a));
                    samplesGiven = true;
                }
                case "--suite" -> suite = Suite.named(value(args, ++i, a));
                case "--report" -> report = Path.of(value(args, ++i, a));
                case "--seed" -> {
                    String v = value(args, ++i, a);
                    try {
                        seed = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(a + " needs an integer, got \"" + v + "\"");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option \"" + a + "\"");
            }
        }
        if (report != null && out != null) {
            throw new IllegalArgumentException("--report DIR writes DIR/results.json: no --out with it");
        }
        if (report != null) {
            out = report.resolve("results.json");
        }
        if (suite != null && !samplesGiven) {
            samples = suite.fidelitySamples();
        }
        return new BenchmarkOptions(runs, warmup, out == null ? defaultOut(now) : out, examples, models, demos, synthetic,
                samples, seed, evm, forests, forestFeatures, suite, report, systems);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int intValue(String option, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs an integer, got \"" + v + "\"");
        }
    }
}
