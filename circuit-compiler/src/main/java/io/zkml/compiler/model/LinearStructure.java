package io.zkml.compiler.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A linear model: {@code scores[j] = biases[j] + Σ_i weights[j][i] · x[i]}; classification picks
 * the argmax. The arrays are copied in and out.
 *
 * @param weights {@code [outputs][features]}
 * @param biases  {@code [outputs]}
 */
public record LinearStructure(double[][] weights, double[] biases) implements ModelStructure {

    public LinearStructure {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(biases, "biases");
        if (weights.length != biases.length) {
            throw new IllegalArgumentException(weights.length + " weight rows for " + biases.length + " biases");
        }
        weights = deepCopy(weights);
        biases = biases.clone();
        for (double[] row : weights) {
            if (row.length != weights[0].length) {
                throw new IllegalArgumentException("weight rows differ in length");
            }
        }
    }

    @Override
    public double[][] weights() {
        return deepCopy(weights);
    }

    @Override
    public double[] biases() {
        return biases.clone();
    }

    private static double[][] deepCopy(double[][] w) {
        double[][] c = new double[w.length][];
        for (int j = 0; j < w.length; j++) {
            c[j] = Objects.requireNonNull(w[j], "weight row").clone();
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearStructure l && Arrays.deepEquals(weights, l.weights) && Arrays.equals(biases, l.biases);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(weights) + Arrays.hashCode(biases);
    }

    @Override
    public String toString() {
        return "LinearStructure[" + biases.length + " outputs x " + (weights.length == 0 ? 0 : weights[0].length) + " features]";
    }
}
