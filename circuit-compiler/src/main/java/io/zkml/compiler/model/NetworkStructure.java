package io.zkml.compiler.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A feed-forward network over the flat input vector: {@code h_0 = x}, then for each layer
 * {@code h_{l+1} = act(W_l · h_l + b_l)} with {@code act} the ReLU or the identity; classification
 * picks the argmax of the last layer's output. The importer folds every linear op of the source
 * graph (Gemm, MatMul, Add, Sub, Mul, Div by constants, reshapes) into the layers, in double
 * precision, so a layer is exactly the affine map between two non-linearities.
 *
 * @param inputs the length of the flat input vector
 * @param layers at least one
 * @param argmax whether the network ends in an argmax (a classifier)
 */
public record NetworkStructure(int inputs, List<Layer> layers, boolean argmax) implements ModelStructure {

    /**
     * The non-linearity after a layer: none, ReLU, LeakyReLU ({@code x ≥ 0 ? x : alpha·x}) or Clip
     * ({@code min(max(x, min), max)}, either bound may be infinite).
     */
    public record Activation(Kind kind, double alpha, double min, double max) {
        public enum Kind { NONE, RELU, LEAKY_RELU, CLIP, SIGMOID, TANH }

        public static final Activation NONE = new Activation(Kind.NONE, 0, 0, 0);
        public static final Activation RELU = new Activation(Kind.RELU, 0, 0, 0);
        public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0, 0, 0);
        public static final Activation TANH = new Activation(Kind.TANH, 0, 0, 0);

        public Activation {
            Objects.requireNonNull(kind, "kind");
            if (kind == Kind.LEAKY_RELU && !Double.isFinite(alpha)) {
                throw new IllegalArgumentException("LeakyRelu alpha must be finite, got " + alpha);
            }
            if (kind == Kind.CLIP && (Double.isNaN(min) || Double.isNaN(max) || min > max
                    || min == Double.POSITIVE_INFINITY || max == Double.NEGATIVE_INFINITY)) {
                throw new IllegalArgumentException("Clip needs min <= max, got [" + min + ", " + max + "]");
            }
        }

        public static Activation leakyRelu(double alpha) {
            return new Activation(Kind.LEAKY_RELU, alpha, 0, 0);
        }

        public static Activation clip(double min, double max) {
            return new Activation(Kind.CLIP, 0, min, max);
        }

        public double apply(double v) {
            return switch (kind) {
                case NONE -> v;
                case RELU -> Math.max(v, 0);
                case LEAKY_RELU -> v >= 0 ? v : alpha * v;
                case CLIP -> Math.min(Math.max(v, min), max);
                case SIGMOID -> 1 / (1 + Math.exp(-v));
                case TANH -> Math.tanh(v);
            };
        }

        @Override
        public String toString() {
            return switch (kind) {
                case NONE -> "";
                case RELU -> "relu";
                case LEAKY_RELU -> "leaky_relu(" + alpha + ")";
                case CLIP -> "clip(" + min + ", " + max + ")";
                case SIGMOID -> "sigmoid";
                case TANH -> "tanh";
            };
        }
    }

    /**
     * One layer: {@code out[j] = act(bias[j] + Σ_i weights[j][i] · in[i])}. The arrays are copied in
     * and out.
     *
     * @param weights    {@code [outputs][inputs]}
     * @param activation what follows: {@link Activation#NONE}, {@link Activation#RELU}, …
     * @param name       the source graph's node that the layer ends at (for messages)
     */
    public record Layer(double[][] weights, double[] biases, Activation activation, String name) {

        /** A layer followed by a ReLU or by nothing. */
        public Layer(double[][] weights, double[] biases, boolean relu, String name) {
            this(weights, biases, relu ? Activation.RELU : Activation.NONE, name);
        }

        /** Whether a ReLU follows (not LeakyRelu or Clip: see {@link #activation()}). */
        public boolean relu() {
            return activation.kind() == Activation.Kind.RELU;
        }

        /** Whether some non-linearity follows. */
        public boolean activated() {
            return activation.kind() != Activation.Kind.NONE;
        }

        public Layer {
            Objects.requireNonNull(activation, "activation");
            Objects.requireNonNull(weights, "weights");
            Objects.requireNonNull(biases, "biases");
            if (weights.length != biases.length || weights.length == 0) {
                throw new IllegalArgumentException(weights.length + " weight rows for " + biases.length + " biases");
            }
            double[][] c = new double[weights.length][];
            for (int j = 0; j < weights.length; j++) {
                c[j] = weights[j].clone();
                if (c[j].length != c[0].length) {
                    throw new IllegalArgumentException("weight rows differ in length");
                }
            }
            weights = c;
            biases = biases.clone();
        }

        public int outputs() {
            return biases.length;
        }

        public int inputs() {
            return weights[0].length;
        }

        @Override
        public double[][] weights() {
            double[][] c = new double[weights.length][];
            for (int j = 0; j < weights.length; j++) {
                c[j] = weights[j].clone();
            }
            return c;
        }

        @Override
        public double[] biases() {
            return biases.clone();
        }

        /** {@code weights[j][i]} without a copy. */
        public double weight(int j, int i) {
            return weights[j][i];
        }

        public double bias(int j) {
            return biases[j];
        }
    }

    public NetworkStructure {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network has at least one layer");
        }
        int n = inputs;
        for (Layer l : layers) {
            if (l.inputs() != n) {
                throw new IllegalArgumentException("layer " + l.name() + " reads " + l.inputs() + " values, the one before writes " + n);
            }
            n = l.outputs();
        }
    }

    /** The length of the last layer's output. */
    public int outputs() {
        return layers.getLast().outputs();
    }

    /** The float evaluation (double precision): the last layer's values. */
    public double[] evaluate(double[] x) {
        if (x.length != inputs) {
            throw new IllegalArgumentException("expected " + inputs + " inputs, got " + x.length);
        }
        double[] h = x;
        for (Layer l : layers) {
            double[] o = new double[l.outputs()];
            for (int j = 0; j < o.length; j++) {
                double acc = l.biases[j];
                double[] row = l.weights[j];
                for (int i = 0; i < row.length; i++) {
                    acc += row[i] * h[i];
                }
                o[j] = l.activation().apply(acc);
            }
            h = o;
        }
        return h;
    }

    /** The float values of every layer (for calibration): {@code [layer][unit]}. */
    public List<double[]> activations(double[] x) {
        List<double[]> out = new ArrayList<>();
        double[] h = x;
        for (Layer l : layers) {
            double[] o = new double[l.outputs()];
            for (int j = 0; j < o.length; j++) {
                double acc = l.biases[j];
                for (int i = 0; i < h.length; i++) {
                    acc += l.weights[j][i] * h[i];
                }
                o[j] = l.activation().apply(acc);
            }
            out.add(o);
            h = o;
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("NetworkStructure[").append(inputs);
        for (Layer l : layers) {
            b.append(" -> ").append(l.outputs()).append(l.activated() ? " " + l.activation() : "");
        }
        return b.append(argmax ? " -> argmax]" : "]").toString();
    }
}
