package io.zkml.compiler.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A convolutional network over one {@code [C, H, W]} image (the graph input {@code [1, C, H, W]}
 * flattened row-major, NCHW): a sequence of {@link Stage}s, convolutions, ReLUs and pools first,
 * then, after the (implicit, row-major) flattening, dense layers; classification picks the argmax
 * of the last stage's output. The importer folds BatchNormalization after a Conv and a constant
 * Add after a Conv/Gemm/MatMul into the stage's weights and bias (double precision).
 *
 * @param argmax whether the network ends in an argmax (a classifier)
 */
public record ConvNetStructure(int channels, int height, int width, List<Stage> stages, boolean argmax) implements ModelStructure {

    /** One stage; {@code name} is the source graph's node (for messages and the report). */
    public sealed interface Stage permits Conv, Relu, MaxPool, AvgPool, Dense {
        String name();
    }

    /**
     * {@code out[m, i, j] = bias[m] + Σ weights[m, c, u, v] · in[c, i·sh − pt + u, j·sw − pl + v]}
     * (zero padding). {@code weights} is {@code [M, C, KH, KW]} flat, row-major.
     *
     * @param pads {@code [top, left, bottom, right]}
     */
    public record Conv(double[] weights, double[] bias, int inChannels, int kh, int kw, int[] strides, int[] pads, String name)
            implements Stage {
        public Conv {
            weights = weights.clone();
            bias = bias.clone();
            strides = strides.clone();
            pads = pads.clone();
            if (weights.length != bias.length * inChannels * kh * kw) {
                throw new IllegalArgumentException(weights.length + " weights for [" + bias.length + ", " + inChannels + ", " + kh + ", " + kw + "]");
            }
        }

        public int outChannels() {
            return bias.length;
        }

        public double weight(int m, int c, int u, int v) {
            return weights[((m * inChannels + c) * kh + u) * kw + v];
        }
    }

    /** ReLU of every value. */
    public record Relu(String name) implements Stage {
    }

    /** Maximum over each window's taps inside the image (padding is never the maximum). */
    public record MaxPool(int kh, int kw, int[] strides, int[] pads, String name) implements Stage {
        public MaxPool {
            strides = strides.clone();
            pads = pads.clone();
        }
    }

    /**
     * Average over each window: the sum of its taps inside the image divided by {@code kh·kw}
     * ({@code countIncludePad}) or by the number of taps inside the image. GlobalAveragePool is
     * the kernel {@code [H, W]}.
     */
    public record AvgPool(int kh, int kw, int[] strides, int[] pads, boolean countIncludePad, String name) implements Stage {
        public AvgPool {
            strides = strides.clone();
            pads = pads.clone();
        }
    }

    /** {@code out[j] = bias[j] + Σ_i weights[j][i] · in[i]} over the flattened input. */
    public record Dense(double[][] weights, double[] bias, String name) implements Stage {
        public Dense {
            double[][] c = new double[weights.length][];
            for (int j = 0; j < weights.length; j++) {
                c[j] = weights[j].clone();
            }
            weights = c;
            bias = bias.clone();
            if (weights.length != bias.length || weights.length == 0) {
                throw new IllegalArgumentException(weights.length + " weight rows for " + bias.length + " biases");
            }
        }

        public int outputs() {
            return bias.length;
        }

        public int inputs() {
            return weights[0].length;
        }
    }

    /** A shape {@code [C, H, W]} (images) or {@code [n]} (after flattening). */
    public record Shape(int c, int h, int w, boolean flat) {
        public int size() {
            return c * h * w;
        }

        public static Shape image(int c, int h, int w) {
            return new Shape(c, h, w, false);
        }

        public static Shape vector(int n) {
            return new Shape(n, 1, 1, true);
        }

        @Override
        public String toString() {
            return flat ? "[" + c + "]" : "[" + c + ", " + h + ", " + w + "]";
        }
    }

    /** Output extent of a window op: {@code (n + before + after − k) / s + 1}. */
    public static int extent(int n, int k, int s, int before, int after) {
        return (n + before + after - k) / s + 1;
    }

    public ConvNetStructure {
        stages = List.copyOf(stages);
        Objects.requireNonNull(stages);
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("a network has at least one stage");
        }
        shapes(channels, height, width, stages); // validates
    }

    /** The shape after each stage. */
    public List<Shape> shapes() {
        return shapes(channels, height, width, stages);
    }

    private static List<Shape> shapes(int channels, int height, int width, List<Stage> stages) {
        List<Shape> out = new ArrayList<>(stages.size());
        Shape s = Shape.image(channels, height, width);
        for (Stage st : stages) {
            switch (st) {
                case Conv c -> {
                    if (s.flat() || c.inChannels() != s.c()) {
                        throw new IllegalArgumentException("Conv \"" + c.name() + "\" reads " + c.inChannels() + " channels, gets " + s);
                    }
                    s = Shape.image(c.outChannels(), extent(s.h(), c.kh(), c.strides()[0], c.pads()[0], c.pads()[2]),
                            extent(s.w(), c.kw(), c.strides()[1], c.pads()[1], c.pads()[3]));
                }
                case MaxPool p -> {
                    if (s.flat()) {
                        throw new IllegalArgumentException("MaxPool \"" + p.name() + "\" after flattening");
                    }
                    s = Shape.image(s.c(), extent(s.h(), p.kh(), p.strides()[0], p.pads()[0], p.pads()[2]),
                            extent(s.w(), p.kw(), p.strides()[1], p.pads()[1], p.pads()[3]));
                }
                case AvgPool p -> {
                    if (s.flat()) {
                        throw new IllegalArgumentException("AveragePool \"" + p.name() + "\" after flattening");
                    }
                    s = Shape.image(s.c(), extent(s.h(), p.kh(), p.strides()[0], p.pads()[0], p.pads()[2]),
                            extent(s.w(), p.kw(), p.strides()[1], p.pads()[1], p.pads()[3]));
                }
                case Relu r -> {
                }
                case Dense d -> {
                    if (d.inputs() != s.size()) {
                        throw new IllegalArgumentException("dense \"" + d.name() + "\" reads " + d.inputs() + " values, gets " + s);
                    }
                    s = Shape.vector(d.outputs());
                }
            }
            if (s.h() < 1 || s.w() < 1) {
                throw new IllegalArgumentException("stage \"" + st.name() + "\" has an empty output " + s);
            }
            out.add(s);
        }
        return out;
    }

    public int inputs() {
        return channels * height * width;
    }

    public int outputs() {
        return shapes().getLast().size();
    }

    /** The float evaluation (double precision) of every stage: {@code [stage][value]}. */
    public List<double[]> activations(double[] x) {
        if (x.length != inputs()) {
            throw new IllegalArgumentException("expected " + inputs() + " inputs, got " + x.length);
        }
        List<double[]> out = new ArrayList<>(stages.size());
        Shape s = Shape.image(channels, height, width);
        double[] h = x;
        List<Shape> shapes = shapes();
        for (int k = 0; k < stages.size(); k++) {
            Stage st = stages.get(k);
            Shape o = shapes.get(k);
            double[] v = new double[o.size()];
            switch (st) {
                case Conv c -> {
                    for (int m = 0; m < o.c(); m++) {
                        for (int i = 0; i < o.h(); i++) {
                            for (int j = 0; j < o.w(); j++) {
                                double acc = c.bias()[m];
                                for (int ch = 0; ch < s.c(); ch++) {
                                    for (int u = 0; u < c.kh(); u++) {
                                        int p = i * c.strides()[0] - c.pads()[0] + u;
                                        if (p < 0 || p >= s.h()) {
                                            continue;
                                        }
                                        for (int w = 0; w < c.kw(); w++) {
                                            int q = j * c.strides()[1] - c.pads()[1] + w;
                                            if (q >= 0 && q < s.w()) {
                                                acc += c.weight(m, ch, u, w) * h[(ch * s.h() + p) * s.w() + q];
                                            }
                                        }
                                    }
                                }
                                v[(m * o.h() + i) * o.w() + j] = acc;
                            }
                        }
                    }
                }
                case Relu r -> {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Math.max(h[i], 0);
                    }
                }
                case MaxPool p -> pool(h, s, o, p.kh(), p.kw(), p.strides(), p.pads(), v, true, false);
                case AvgPool p -> pool(h, s, o, p.kh(), p.kw(), p.strides(), p.pads(), v, false, p.countIncludePad());
                case Dense d -> {
                    for (int j = 0; j < d.outputs(); j++) {
                        double acc = d.bias()[j];
                        double[] row = d.weights()[j];
                        for (int i = 0; i < row.length; i++) {
                            acc += row[i] * h[i];
                        }
                        v[j] = acc;
                    }
                }
            }
            out.add(v);
            h = v;
            s = o;
        }
        return out;
    }

    private static void pool(double[] h, Shape s, Shape o, int kh, int kw, int[] st, int[] pd, double[] v, boolean max,
                             boolean includePad) {
        for (int c = 0; c < o.c(); c++) {
            for (int i = 0; i < o.h(); i++) {
                for (int j = 0; j < o.w(); j++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int n = 0;
                    for (int u = 0; u < kh; u++) {
                        int p = i * st[0] - pd[0] + u;
                        for (int w = 0; w < kw; w++) {
                            int q = j * st[1] - pd[1] + w;
                            if (p < 0 || p >= s.h() || q < 0 || q >= s.w()) {
                                continue;
                            }
                            double e = h[(c * s.h() + p) * s.w() + q];
                            acc = max ? Math.max(acc, e) : acc + e;
                            n++;
                        }
                    }
                    v[(c * o.h() + i) * o.w() + j] = max ? acc : acc / (includePad ? kh * kw : n);
                }
            }
        }
    }

    /** The float evaluation: the last stage's values. */
    public double[] evaluate(double[] x) {
        return activations(x).getLast();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ConvNetStructure[").append(Shape.image(channels, height, width));
        List<Shape> shapes = shapes();
        for (int k = 0; k < stages.size(); k++) {
            b.append(" -> ").append(stages.get(k).getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)).append(shapes.get(k));
        }
        return b.append(argmax ? " -> argmax]" : "]").toString();
    }
}
