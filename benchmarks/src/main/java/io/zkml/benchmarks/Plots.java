package io.zkml.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's plots, drawn with JFreeChart (PNG) and JFreeSVG (SVG), headless. Each {@link Plot} is a
 * set of named point series; {@link #of(BenchReport)} builds the suite's plots from a result.
 */
final class Plots {

    static final int WIDTH = 900;
    static final int HEIGHT = 540;
    private static final double MIB = 1024.0 * 1024.0;

    /** Execution gas of gnark's Groth16 verifier as anchors.md gives it: ≈ 182k + 6.5k per public input (+21k base, + calldata). */
    static final double PUBLISHED_GAS_BASE = 182_000;
    static final double PUBLISHED_GAS_PER_INPUT = 6_500;
    static final double INTRINSIC_GAS = 21_000;

    private Plots() {
    }

    /**
     * One chart.
     *
     * @param name the file name without extension
     * @param title the chart's title
     * @param xLabel the x axis, with its unit
     * @param yLabel the y axis, with its unit
     * @param logX logarithmic x axis
     * @param logY logarithmic y axis
     * @param series name → points {x, y}, in legend order; a series whose name starts with
     *     {@code "published"} is drawn as a dashed line without markers
     * @param notes subtitles (what is not in the data, e.g. "no EVM data")
     * @param caption what the report says under the plot
     */
    record Plot(String name, String title, String xLabel, String yLabel, boolean logX, boolean logY,
                Map<String, List<double[]>> series, List<String> notes, String caption) {

        boolean empty() {
            return series.values().stream().allMatch(List::isEmpty);
        }
    }

    /** The plots of a result: always the same six, with a note where a plot has no data. */
    static List<Plot> of(BenchReport r) {
        List<ModelResult> sizes = r.models().stream()
                .filter(m -> m.setting() == null || !(Setting.INPUT_SCALE.equals(m.setting().sweep())
                        || Setting.VISIBILITY.equals(m.setting().sweep()) || Setting.BATCH.equals(m.setting().sweep()))).toList();
        List<ModelResult> sweep = r.models().stream()
                .filter(m -> m.setting() != null && Setting.INPUT_SCALE.equals(m.setting().sweep())).toList();
        List<Plot> plots = new ArrayList<>();

        Map<String, List<double[]>> size = new LinkedHashMap<>();
        size.put("linear (x = features)", points(sizes, m -> isLinear(m), m -> m.features(), m -> m.circuit().constraints()));
        size.put("trees (x = splits, internal nodes)", points(sizes, m -> !isLinear(m),
                m -> m.family().treeNodes(), m -> m.circuit().constraints()));
        plots.add(new Plot("constraints-vs-model-size", "R1CS constraints vs. model size",
                "model size (features for linear models; splits over all trees for tree models)", "R1CS constraints",
                true, true, size, notes(sizes.isEmpty(), "no model at default scales in this run"),
                "Constraints (gnark's count) of every model at the compiler's default scales: linear models by "
                        + "their features, tree models by their splits. Log–log."));

        plots.add(new Plot("prove-time-vs-constraints", "Proving time vs. constraints",
                "R1CS constraints", "proving time, median (ms)", true, true,
                byFamily(r.models(), m -> m.circuit().constraints(), m -> m.timings().prove().medianMillis()),
                List.of(), "Median wall time of one prove call through JNI (witness + Groth16 proof), every measurement. Log–log."));

        Map<String, List<double[]>> mem = new LinkedHashMap<>();
        mem.put("RSS peak of the process", points(r.models(), m -> m.memory().rssPeakBytes() != null,
                m -> m.circuit().constraints(), m -> m.memory().rssPeakBytes() / MIB));
        mem.put("RSS growth during the model", points(r.models(), m -> m.memory().rssPeakBytes() != null
                && m.memory().rssAtStartBytes() != null, m -> m.circuit().constraints(),
                m -> Math.max(0, m.memory().rssPeakBytes() - m.memory().rssAtStartBytes()) / MIB));
        mem.put("JVM heap peak (sum of pools)", points(r.models(), m -> true, m -> m.circuit().constraints(),
                m -> m.memory().heapPeakBytes() / MIB));
        plots.add(new Plot("memory-vs-constraints", "Memory vs. constraints", "R1CS constraints", "memory (MiB)",
                true, false, mem, notes(r.models().stream().noneMatch(m -> m.memory().rssPeakBytes() != null),
                "no RSS figures (not Linux)"),
                "Peak resident memory of the whole process (JVM + Go + native) while one model was compiled, set up, "
                        + "proven and verified; its growth over the RSS at the model's start; and the JVM heap peak."));

        List<ModelResult> withEvm = r.models().stream().filter(m -> m.evm() != null).toList();
        Map<String, List<double[]>> gas = byFamily(withEvm, m -> m.circuit().publicInputs(),
                m -> m.evm().verificationGasUsed());
        double minIn = r.models().stream().mapToInt(m -> m.circuit().publicInputs()).min().orElse(1);
        double maxIn = r.models().stream().mapToInt(m -> m.circuit().publicInputs()).max().orElse(20);
        List<double[]> published = new ArrayList<>();
        for (double n : new double[]{minIn, maxIn}) {
            published.add(new double[]{n, PUBLISHED_GAS_BASE + PUBLISHED_GAS_PER_INPUT * n + INTRINSIC_GAS});
        }
        gas.put("published (anchors.md): 182k + 6.5k per input + 21k base, without calldata", published);
        plots.add(new Plot("gas-vs-public-inputs", "Verification gas vs. public inputs", "public inputs (inputs + outputs)",
                "gas of one verifyProof transaction", false, false, gas,
                notes(withEvm.isEmpty(), "no EVM data in this run (--skip-evm): only the published line"),
                "Gas of a verifyProof transaction on anvil (receipt: execution + 21,000 intrinsic + calldata), beside "
                        + "the published execution-gas rule of gnark's Groth16 verifier plus the 21,000 base."));

        Map<String, List<double[]>> fid = new LinkedHashMap<>();
        Map<String, List<double[]>> cost = new LinkedHashMap<>();
        for (ModelResult m : sweep) {
            if (m.fidelity().labelAgreementRate() != null) {
                fid.computeIfAbsent(m.name(), k -> new ArrayList<>())
                        .add(new double[]{m.quantization().inputScale(), 100 * m.fidelity().labelAgreementRate()});
            }
            cost.computeIfAbsent(m.name(), k -> new ArrayList<>())
                    .add(new double[]{m.quantization().inputScale(), m.circuit().constraints()});
        }
        List<String> refusedNotes = new ArrayList<>(notes(sweep.isEmpty(), "no input-scale sweep in this run"));
        if (!r.refused().isEmpty()) {
            refusedNotes.add(r.refused().size() + " sweep point(s) refused by the compiler (see the table)");
        }
        plots.add(new Plot("fidelity-vs-input-scale", "Fidelity vs. input scale", "input scale s_in (fractional bits)",
                "labels equal to Tribuo's float model (%)", false, false, fid, refusedNotes,
                "Share of random inputs (uniform in the declared ranges, plus the example input) whose circuit label "
                        + "equals Tribuo's, per requested input scale."));
        plots.add(new Plot("constraints-vs-input-scale", "Constraints vs. input scale", "input scale s_in (fractional bits)",
                "R1CS constraints", false, false, cost, refusedNotes,
                "What the precision costs: constraints of the same models at each input scale (wider range checks)."));
        return plots;
    }

    private static boolean isLinear(ModelResult m) {
        return m.family().trees() == 0;
    }

    private static List<String> notes(boolean when, String note) {
        return when ? List.of(note) : List.of();
    }

    private static List<double[]> points(List<ModelResult> ms, Predicate<ModelResult> keep,
                                         java.util.function.ToDoubleFunction<ModelResult> x,
                                         java.util.function.ToDoubleFunction<ModelResult> y) {
        List<double[]> p = new ArrayList<>();
        for (ModelResult m : ms) {
            if (keep.test(m)) {
                p.add(new double[]{x.applyAsDouble(m), y.applyAsDouble(m)});
            }
        }
        return p;
    }

    private static Map<String, List<double[]>> byFamily(List<ModelResult> ms, java.util.function.ToDoubleFunction<ModelResult> x,
                                                        java.util.function.ToDoubleFunction<ModelResult> y) {
        Map<String, List<double[]>> s = new LinkedHashMap<>();
        s.put("linear", points(ms, Plots::isLinear, x, y));
        s.put("trees (forests, single trees)", points(ms, m -> !isLinear(m), x, y));
        return s;
    }

    /** The chart of a plot; {@code withText} false draws no text at all (the fallback where no font works). */
    static JFreeChart chart(Plot p, boolean withText) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, List<double[]>> e : p.series().entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), true, true);
            for (double[] xy : e.getValue()) {
                if ((!p.logX() || xy[0] > 0) && (!p.logY() || xy[1] > 0)) {
                    s.add(xy[0], xy[1]);
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(p.title(), p.xLabel(), p.yLabel(), data,
                PlotOrientation.VERTICAL, true, false, false);
        theme().apply(chart);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        Color[] colors = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd),
                new Color(0xff7f0e), new Color(0x8c564b)};
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, colors[i % colors.length]);
            if (data.getSeriesKey(i).toString().startsWith("published")) {
                renderer.setSeriesShapesVisible(i, false);
                renderer.setSeriesPaint(i, Color.GRAY);
                renderer.setSeriesStroke(i, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[]{8f, 6f}, 0f));
            } else {
                renderer.setSeriesStroke(i, new BasicStroke(1.5f));
            }
        }
        plot.setRenderer(renderer);
        if (p.logX()) {
            plot.setDomainAxis(decades(logAxis(p.xLabel()), data, true));
        } else {
            ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        }
        if (p.logY()) {
            plot.setRangeAxis(decades(logAxis(p.yLabel()), data, false));
        } else {
            ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        }
        plot.setNoDataMessage("no data in this run");
        for (String n : p.notes()) {
            chart.addSubtitle(new TextTitle(n, new Font(Font.SANS_SERIF, Font.ITALIC, 13)));
        }
        if (!withText) {
            chart.setTitle((TextTitle) null);
            chart.clearSubtitles();
            chart.removeLegend();
            plot.setNoDataMessage(null);
            for (ValueAxis a : new ValueAxis[]{plot.getDomainAxis(), plot.getRangeAxis()}) {
                a.setLabel(null);
                a.setTickLabelsVisible(false);
            }
        }
        return chart;
    }

    /**
     * A log axis ticks once per decade: over data that stays inside one decade it would show no
     * tick label at all. Widen its range to the enclosing powers of ten (at least one decade).
     */
    private static LogAxis decades(LogAxis a, XYSeriesCollection data, boolean x) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (int i = 0; i < data.getSeriesCount(); i++) {
            for (int j = 0; j < data.getItemCount(i); j++) {
                double v = x ? data.getXValue(i, j) : data.getYValue(i, j);
                if (v > 0 && Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (max > 0) {
            double lo = Math.pow(10, Math.floor(Math.log10(min)));
            double hi = Math.pow(10, Math.ceil(Math.log10(max)));
            // A hair beyond the decades, so that their tick labels are drawn too.
            a.setRange(lo * 0.98, (hi > lo ? hi : lo * 10) * 1.02);
        }
        return a;
    }

    private static LogAxis logAxis(String label) {
        LogAxis a = new LogAxis(label);
        a.setBase(10);
        a.setSmallestValue(0.1);
        a.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1)); // one tick per decade (10, 100, ...), minor ticks between
        a.setMinorTickCount(9);
        a.setMinorTickMarksVisible(true);
        a.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
        a.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        a.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return a;
    }

    private static StandardChartTheme theme() {
        StandardChartTheme t = new StandardChartTheme("zkml");
        t.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        t.setLargeFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        t.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        t.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        t.setChartBackgroundPaint(Color.WHITE);
        return t;
    }

    /** A rendered plot. */
    record Rendered(Plot plot, byte[] png, String svg, boolean withText) {
    }

    /**
     * Renders a plot as PNG and SVG. If drawing text fails (no usable font on a bare machine), the plot is
     * drawn again without any text, so that the figures still exist.
     */
    static Rendered render(Plot p) throws IOException {
        try {
            return render(p, true);
        } catch (RuntimeException | Error e) { // font subsystem failures surface as either
            return render(p, false);
        }
    }

    static Rendered render(Plot p, boolean withText) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(png, chart(p, withText), WIDTH, HEIGHT);
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart(p, withText).draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        String svg = g.getSVGDocument();
        if (svg.getBytes(StandardCharsets.UTF_8).length == 0) {
            throw new IOException("empty SVG for " + p.name());
        }
        return new Rendered(p, png.toByteArray(), svg, withText);
    }
}
