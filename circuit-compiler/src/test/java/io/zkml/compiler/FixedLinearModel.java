package io.zkml.compiler;

import io.zkml.compiler.tribuo.FloatPrediction;
import io.zkml.compiler.tribuo.ImportedModel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A linear model with given weights, in plain Java: lets compiler tests pick exact weights
 * (ties, overflow, rounding) that training would not produce. Its predict is the float reference.
 */
record FixedLinearModel(Task task, List<String> features, List<String> outputs, double[][] w, double[] b,
                        List<FeatureRange> trainingRanges) implements ImportedModel {

    @Override
    public String modelClass() {
        return "test.FixedLinearModel";
    }

    @Override
    public double[][] weights() {
        return java.util.Arrays.stream(w).map(double[]::clone).toArray(double[][]::new);
    }

    @Override
    public double[] biases() {
        return b.clone();
    }

    @Override
    public FloatPrediction predict(double[] input) {
        Map<String, Double> v = new LinkedHashMap<>();
        int best = 0;
        double[] s = new double[outputs.size()];
        for (int j = 0; j < s.length; j++) {
            s[j] = b[j];
            for (int i = 0; i < input.length; i++) {
                s[j] += w[j][i] * input[i];
            }
            v.put(outputs.get(j), s[j]);
            if (s[j] > s[best]) {
                best = j;
            }
        }
        return task == Task.CLASSIFICATION ? new FloatPrediction(outputs.get(best), v) : new FloatPrediction(null, v);
    }
}
