package io.zkml.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code --report DIR}: {@code results.csv}, {@code plots/<name>.png} and {@code .svg}, and
 * {@code report.html}, one self-contained file (plots inlined as SVG data, styles inline, no script, no
 * external reference). The JSON ({@code results.json}) is written by {@link ResultWriter}.
 */
final class ReportWriter {

    static final String CSV = "results.csv";
    static final String HTML = "report.html";
    static final String PLOTS = "plots";

    private ReportWriter() {
    }

    /** Writes the CSV, the plots and the HTML report into {@code dir} (created if needed). */
    static void write(BenchReport r, Path dir) throws IOException {
        Files.createDirectories(dir.resolve(PLOTS));
        Files.writeString(dir.resolve(CSV), CsvWriter.toCsv(r), StandardCharsets.UTF_8);
        List<Plots.Rendered> rendered = new ArrayList<>();
        for (Plots.Plot p : Plots.of(r)) {
            Plots.Rendered x = Plots.render(p);
            Files.write(dir.resolve(PLOTS).resolve(p.name() + ".png"), x.png());
            Files.writeString(dir.resolve(PLOTS).resolve(p.name() + ".svg"), x.svg(), StandardCharsets.UTF_8);
            rendered.add(x);
        }
        Files.writeString(dir.resolve(HTML), html(r, rendered), StandardCharsets.UTF_8);
    }

    static String html(BenchReport r, List<Plots.Rendered> plots) {
        StringBuilder b = new StringBuilder();
        String title = "zkml benchmark report" + (r.settings().suite() == null ? "" : " — suite " + r.settings().suite());
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}\n")
                .append("th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}\n")
                .append("td.n{text-align:right;font-variant-numeric:tabular-nums}\nth{background:#f3f3f3}\n")
                .append("figure{margin:1em 0 2em}figcaption{font-size:13px;color:#444;max-width:900px}\n")
                .append("img{max-width:100%;border:1px solid #ddd}.muted{color:#777}\n</style>\n</head>\n<body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<p>Started ").append(esc(r.startedAt())).append(", finished ")
                .append(esc(r.finishedAt())).append("; result schema <code>").append(esc(r.schema())).append("</code>; ")
                .append(r.models().size()).append(" measurement(s), ").append(r.refused().size())
                .append(" refused sweep point(s), ").append(r.failures().size()).append(" failure(s). ")
                .append("The same numbers are in <code>results.json</code> and <code>results.csv</code> next to this file; "
                        + "the plots, as PNG and SVG, in <code>plots/</code>.</p>\n");

        b.append("<h2>Machine</h2>\n");
        MachineInfo m = r.machine();
        kv(b, new Object[][]{{"CPU", m.cpuModel()}, {"CPUs the JVM sees", m.availableProcessors()},
                {"memory", m.totalMemoryBytes() == null ? null : gib(m.totalMemoryBytes())},
                {"OS", m.osName() + " " + m.osVersion() + " (" + m.osArch() + ")"},
                {"Java", m.javaVersion() + " (" + m.javaVendor() + "), max heap " + gib(m.jvmMaxHeapBytes())}});

        b.append("<h2>Versions</h2>\n");
        BenchReport.Versions v = r.versions();
        kv(b, new Object[][]{{"zkml", v.zkml()}, {"gnark", v.gnark()}, {"Go", v.go()}, {"native ABI", v.nativeAbi()},
                {"curve", v.curve()}, {"circuit compiler", v.circuitCompiler()}, {"Tribuo", v.tribuo()},
                {"solc", v.solc() == null ? "— (no EVM)" : v.solc()}, {"anvil", v.anvil() == null ? "— (no EVM)" : v.anvil()}});

        b.append("<h2>Run settings</h2>\n");
        BenchReport.Settings s = r.settings();
        kv(b, new Object[][]{{"suite", s.suite() == null ? "— (options)" : s.suite()},
                {"measured runs per model (median reported)", s.runs()}, {"warm-up runs", s.warmupRuns()},
                {"fidelity samples", s.fidelitySamples()}, {"seed", s.seed()}, {"EVM", s.evm() ? "yes (anvil)" : "no (--skip-evm)"},
                {"solc settings", s.solcSettings() == null ? null : s.solcSettings().toString()}});
        b.append("<p>Settings axes: each measurement records all of them (<code>models[].setting</code>, the CSV's setting "
                + "columns). Values in this run:</p>\n");
        Map<String, Function<Setting, Object>> axes = new LinkedHashMap<>();
        axes.put("sweep", Setting::sweep);
        axes.put("proving system", Setting::provingSystem);
        axes.put("range-check strategy", Setting::rangeCheck);
        axes.put("visibility", Setting::visibility);
        axes.put("batch size", Setting::batchSize);
        axes.put("requested input scale", x -> x.inputScale() == null ? "compiler's choice" : x.inputScale());
        List<Object[]> axisRows = new ArrayList<>();
        for (Map.Entry<String, Function<Setting, Object>> e : axes.entrySet()) {
            Set<String> vals = new LinkedHashSet<>();
            for (ModelResult x : r.models()) {
                if (x.setting() != null) {
                    vals.add(String.valueOf(e.getValue().apply(x.setting())));
                }
            }
            axisRows.add(new Object[]{e.getKey(), String.join(", ", vals)});
        }
        kv(b, axisRows.toArray(Object[][]::new));

        b.append("<h2>Results</h2>\n<table>\n<tr>");
        for (String h : List.of("model", "sweep", "family", "features", "trees × depth", "splits", "s_in", "s_w",
                "constraints", "public inputs", "setup ms", "prove ms (median)", "verify ms", "RSS peak MiB", "verifier B",
                "verification gas", "fidelity")) {
            b.append("<th>").append(esc(h)).append("</th>");
        }
        b.append("</tr>\n");
        for (ModelResult x : r.models()) {
            b.append("<tr>");
            td(b, x.name(), false);
            td(b, x.setting() == null ? null : x.setting().sweep(), false);
            td(b, x.family().name(), false);
            td(b, x.features(), true);
            td(b, x.family().trees() == 0 ? "—" : x.family().trees() + " × " + x.family().maxDepth(), true);
            td(b, x.family().trees() == 0 ? "—" : x.family().treeNodes(), true);
            td(b, x.quantization().inputScale(), true);
            td(b, x.quantization().weightScale(), true);
            td(b, String.format(Locale.ROOT, "%,d", x.circuit().constraints()), true);
            td(b, x.circuit().publicInputs(), true);
            td(b, fmt(x.timings().setupMillis(), 0), true);
            td(b, fmt(x.timings().prove().medianMillis(), 1), true);
            td(b, fmt(x.timings().verify().medianMillis(), 1), true);
            td(b, x.memory().rssPeakBytes() == null ? null : fmt(x.memory().rssPeakBytes() / 1048576.0, 0), true);
            td(b, x.evm() == null ? "—" : String.format(Locale.ROOT, "%,d%s", x.evm().deployedSize(),
                    x.evm().fitsMainnetLimits() ? "" : " (over EIP-170)"), true);
            td(b, x.evm() == null ? "—" : String.format(Locale.ROOT, "%,d", x.evm().verificationGasUsed()), true);
            td(b, fidelity(x.fidelity()), false);
            b.append("</tr>\n");
        }
        b.append("</table>\n");
        if (!r.refused().isEmpty() || !r.failures().isEmpty()) {
            b.append("<h3>Not measured</h3>\n<table>\n<tr><th>model</th><th>status</th><th>reason</th></tr>\n");
            for (BenchReport.Failure f : r.refused()) {
                b.append("<tr>");
                td(b, f.model(), false);
                td(b, "refused by the compiler", false);
                td(b, f.error(), false);
                b.append("</tr>\n");
            }
            for (BenchReport.Failure f : r.failures()) {
                b.append("<tr>");
                td(b, f.model(), false);
                td(b, "failed", false);
                td(b, f.error(), false);
                b.append("</tr>\n");
            }
            b.append("</table>\n");
        }

        b.append("<h2>Plots</h2>\n");
        for (Plots.Rendered p : plots) {
            b.append("<figure id=\"").append(esc(p.plot().name())).append("\">\n<img alt=\"").append(esc(p.plot().title()))
                    .append("\" src=\"data:image/svg+xml;base64,")
                    .append(Base64.getEncoder().encodeToString(p.svg().getBytes(StandardCharsets.UTF_8))).append("\">\n")
                    .append("<figcaption><b>").append(esc(p.plot().title())).append(".</b> ").append(esc(p.plot().caption()));
            for (String n : p.plot().notes()) {
                b.append(" <i>").append(esc(n)).append(".</i>");
            }
            if (!p.withText()) {
                b.append(" <i>(drawn without text: no usable font on this machine)</i>");
            }
            b.append(" Files: <code>plots/").append(esc(p.plot().name())).append(".png</code>, <code>.svg</code>.</figcaption>\n</figure>\n");
        }

        b.append("<h2>Published figures beside ours</h2>\n<p>Published figures of other systems where the model shape "
                + "is comparable, each with its source. Other hardware: compare orders of magnitude. Rows whose model this "
                + "project cannot import yet are kept, marked as not measured.</p>\n<table>\n"
                + "<tr><th>model</th><th>system</th><th>published figure</th><th>source</th><th>ours (this run)</th></tr>\n");
        for (PublishedFigures.Row a : PublishedFigures.rows(r)) {
            b.append("<tr class=\"anchor\">");
            td(b, a.model(), false);
            td(b, a.system(), false);
            td(b, a.figure(), false);
            td(b, a.source(), false);
            td(b, a.ours(), false);
            b.append("</tr>\n");
        }
        b.append("</table>\n<p class=\"muted\">Generated by benchmarks/ (docs/benchmarks.md).</p>\n</body>\n</html>\n");
        return b.toString();
    }

    private static String fidelity(FidelityResult f) {
        if (f.labelAgreements() != null) {
            return f.labelAgreements() + "/" + f.samples() + " labels agree";
        }
        if (f.maxAbsError() != null) {
            return String.format(Locale.ROOT, "max |err| %.4g%s", f.maxAbsError(),
                    f.errorBound() == null ? "" : String.format(Locale.ROOT, " (bound %.4g)", f.errorBound()));
        }
        return "—";
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static void kv(StringBuilder b, Object[][] rows) {
        b.append("<table>\n");
        for (Object[] row : rows) {
            b.append("<tr><th>").append(esc(String.valueOf(row[0]))).append("</th>");
            td(b, row[1], false);
            b.append("</tr>\n");
        }
        b.append("</table>\n");
    }

    private static void td(StringBuilder b, Object v, boolean numeric) {
        b.append(numeric ? "<td class=\"n\">" : "<td>").append(v == null ? "—" : esc(String.valueOf(v))).append("</td>");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
