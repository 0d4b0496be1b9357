package io.zkml.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompilationException;
import io.zkml.contracts.AnvilNode;
import io.zkml.contracts.SolidityCompiler;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeVersions;

/**
 * Benchmarks every demo model of {@code examples/} and writes the results as JSON
 * (docs/benchmarks.md). Run from the repository root:
 * <pre>
 * ./mvnw -B -ntp -DskipTests install
 * java -jar benchmarks/target/zkml-benchmarks.jar [--runs 5] [--out FILE] [--model NAME] [--skip-evm]
 * </pre>
 * Exit status: 0 when every model was measured, 1 when one failed (the others are still written),
 * 2 for a usage error.
 */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    /** Tribuo logs every ensemble member it trains (java.util.logging, INFO); keep the benchmark's output readable. */
    private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true"); // the plots: no display needed
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
        Instant started = Instant.now();
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args, started);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(BenchmarkOptions.USAGE);
            return 2;
        }
        if (options == null) {
            out.print(BenchmarkOptions.USAGE);
            return 0;
        }
        try {
            return benchmark(options, started, out, err);
        } catch (UsageError e) { // e.g. --model naming no demo
            err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** One measurement to make: a model (trained or read when its turn comes) at one setting. */
    private record Job(String label, ModelSource model, Setting setting) {
    }

    @FunctionalInterface
    private interface ModelSource {
        DemoModel get() throws IOException;
    }

    private static int benchmark(BenchmarkOptions options, Instant started, PrintStream out, PrintStream err)
            throws IOException {
        List<Job> jobs = new ArrayList<>();
        if (options.suite() != null) {
            Map<String, DemoModel> trained = new HashMap<>();
            for (Suite.Case c : options.suite().cases()) {
                jobs.add(new Job(c.label(), () -> withScales(trained.computeIfAbsent(c.modelName(), k -> train(c, options)),
                        c.setting()), c.setting()));
            }
        } else {
            if (options.demos()) {
                List<DemoModel> demos = select(DemoModel.discover(options.examplesDir()), options.models());
                if (demos.isEmpty()) {
                    throw new IOException("no demo models (model.tribuo) under " + options.examplesDir().toAbsolutePath());
                }
                for (DemoModel d : demos) {
                    for (String token : options.provingSystems()) {
                        // "system" or "system+rangeCheck" (issue 7: groth16+lookup)
                        String system = token.contains("+") ? token.substring(0, token.indexOf('+')) : token;
                        String rangeCheck = token.contains("+") ? token.substring(token.indexOf('+') + 1) : "bits";
                        String label = system.equals("groth16") && rangeCheck.equals("bits") ? d.name()
                                : d.name() + " (" + system + (rangeCheck.equals("bits") ? "" : "+" + rangeCheck) + ")";
                        jobs.add(new Job(label, () -> d,
                                Setting.of(Setting.DEMO).withProvingSystem(system).withRangeCheck(rangeCheck)));
                    }
                }
            }
            for (int n : options.synthetic()) {
                jobs.add(new Job("synthetic-" + n, () -> SyntheticModels.classifier(n, options.seed()), Setting.of(Setting.SIZE)));
            }
            for (BenchmarkOptions.Forest f : options.forests()) {
                jobs.add(new Job("forest-" + f.trees() + "x" + f.depth() + "x" + options.forestFeatures(),
                        () -> SyntheticModels.forest(f.trees(), f.depth(), options.forestFeatures(), options.seed()),
                        Setting.of(Setting.SIZE)));
            }
        }
        MachineInfo machine = MachineInfo.current();
        Groth16Prover prover = Groth16Prover.load();
        NativeVersions nv = prover.versions();
        err.printf("zkml bench: %s%d measurement(s), %d run(s) + %d warm-up, gnark %s, %d CPU(s), Java %s%n",
                options.suite() == null ? "" : "suite " + options.suite().name() + ", ", jobs.size(),
                options.runs(), options.warmupRuns(), nv.gnarkVersion(), machine.availableProcessors(), machine.javaVersion());

        List<ModelResult> results = new ArrayList<>();
        List<BenchReport.Failure> failures = new ArrayList<>();
        List<BenchReport.Failure> refused = new ArrayList<>();
        SolidityCompiler solc = null;
        AnvilNode node = null;
        String solcVersion = null;
        String anvilVersion = null;
        Path work = Files.createTempDirectory("zkml-bench-");
        try {
            if (options.evm()) {
                solc = SolidityCompiler.locate();
                solcVersion = solc.version();
                // No code-size limit: a verifier too large for mainnet is still deployed and its gas
                // measured; the result records whether it fits (evm.fitsMainnetLimits).
                node = AnvilNode.start(solc.toolchain(), false);
                anvilVersion = node.clientVersion();
                err.printf("zkml bench: solc %s, %s at %s%n", solcVersion, node.clientVersion(), node.rpcUrl());
            }
            Progress progress = Progress.forConsole(err, jobs.size());
            PrintStream log = progress.log();
            ModelBenchmark bench = new ModelBenchmark(prover, solc, node, options, work, log, progress::step);
            for (Job job : jobs) {
                progress.start(job.label());
                try {
                    progress.step("model");
                    results.add(bench.run(job.model().get(), job.setting()));
                } catch (CompilationException e) {
                    if (job.setting().inputScale() == null && job.setting().weightScale() == null) {
                        failures.add(failed(log, job, e));
                    } else { // a requested scale the compiler refuses: a result of the sweep
                        log.println("zkml bench: " + job.label() + " refused by the compiler: " + e.getMessage());
                        refused.add(new BenchReport.Failure(job.label(), e.getMessage(), job.setting()));
                    }
                } catch (Exception | LinkageError e) {
                    failures.add(failed(log, job, e));
                }
                progress.finish();
            }
        } finally {
            if (node != null) {
                node.close();
            }
            deleteTree(work);
        }

        BenchReport.Versions versions = new BenchReport.Versions(implementationVersion(), nv.gnarkVersion(), nv.goVersion(),
                nv.abiVersion(), nv.curve(), CircuitCompiler.version(), org.tribuo.Tribuo.VERSION, solcVersion,
                anvilVersion);
        BenchReport report = new BenchReport(BenchReport.SCHEMA, started.toString(), Instant.now().toString(), machine,
                versions, new BenchReport.Settings(options.runs(), options.warmupRuns(), options.fidelitySamples(),
                options.seed(), options.evm(), options.examplesDir().toString(), options.synthetic(),
                solc == null ? null : solc.settings(), options.suite() == null ? null : options.suite().name(),
                options.forests().stream().map(f -> f.trees() + "x" + f.depth()).toList(), options.forestFeatures()),
                results, failures, refused);
        ResultWriter.write(report, options.out());
        out.print(summary(report));
        out.println("wrote " + options.out().toAbsolutePath());
        if (options.reportDir() != null) {
            ReportWriter.write(report, options.reportDir());
            out.println("wrote " + options.reportDir().resolve("report.html").toAbsolutePath()
                    + " (with results.csv and plots/)");
        }
        return failures.isEmpty() ? 0 : 1;
    }

    private static BenchReport.Failure failed(PrintStream log, Job job, Throwable e) {
        String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
        log.println("zkml bench: " + job.label() + " FAILED: " + msg);
        return new BenchReport.Failure(job.label(), msg, job.setting());
    }

    private static DemoModel train(Suite.Case c, BenchmarkOptions options) {
        try {
            return c.family().equals("linear") ? SyntheticModels.classifier(c.features(), options.seed())
                    : SyntheticModels.forest(c.trees(), c.depth(), c.features(), options.seed());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The model with the setting's requested scales (unchanged where the setting requests none). */
    static DemoModel withScales(DemoModel d, Setting s) {
        if (s.inputScale() == null && s.weightScale() == null) {
            return d;
        }
        Integer in = s.inputScale() != null ? s.inputScale() : d.settings().inputScale();
        Integer w = s.weightScale() != null ? s.weightScale() : d.settings().weightScale();
        return new DemoModel(d.name(), d.source(), d.modelBytes(), d.modelSha256(), d.settings().withScales(in, w),
                d.settingsSource(), d.input());
    }

    /** A usage error found only after the options were parsed (exit status 2, like a bad option). */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    static List<DemoModel> select(List<DemoModel> all, List<String> names) {
        if (names.isEmpty()) {
            return all;
        }
        List<DemoModel> out = new ArrayList<>();
        for (String n : names) {
            out.add(all.stream().filter(d -> d.name().equals(n)).findFirst().orElseThrow(() ->
                    new UsageError("no demo \"" + n + "\"; have " + all.stream().map(DemoModel::name).toList())));
        }
        return out;
    }

    /** A fixed-width table of the headline numbers. */
    static String summary(BenchReport r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-24s %11s %6s %10s %10s %10s %6s %9s %9s %9s %9s%n", "model", "constraints",
                "public", "setup ms", "prove ms", "verify ms", "proof", "verifier", "gas", "heap MiB", "RSS MiB"));
        for (ModelResult m : r.models()) {
            b.append(String.format(Locale.ROOT, "%-24s %11d %6d %10.1f %10.1f %10.2f %6d %9s %9s %9.1f %9s%n", label(m),
                    m.circuit().constraints(), m.circuit().publicInputs(), m.timings().setupMillis(),
                    m.timings().prove().medianMillis(), m.timings().verify().medianMillis(), m.proofBytes(),
                    m.evm() == null ? "-" : m.evm().deployedSize() + " B", m.evm() == null ? "-" : Long.toString(m.evm().verificationGasUsed()),
                    m.memory().heapPeakBytes() / 1048576.0,
                    m.memory().rssPeakBytes() == null ? "-" : String.format(Locale.ROOT, "%.1f", m.memory().rssPeakBytes() / 1048576.0)));
        }
        for (BenchReport.Failure f : r.failures()) {
            b.append(String.format(Locale.ROOT, "%-24s FAILED: %s%n", f.model(), f.error()));
        }
        for (BenchReport.Failure f : r.refused()) {
            b.append(String.format(Locale.ROOT, "%-24s refused: %s%n", f.model(), f.error()));
        }
        return b.toString();
    }

    /** The model's name, with the requested input scale in a sweep ({@code synthetic-32 s_in=8}). */
    static String label(ModelResult m) {
        return m.setting() == null || m.setting().inputScale() == null ? m.name() : m.name() + " s_in=" + m.setting().inputScale();
    }

    private static String implementationVersion() {
        return BenchmarkMain.class.getPackage().getImplementationVersion();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(ModelBenchmark::deleteQuietly);
        } catch (IOException e) {
            // best effort
        }
    }
}
