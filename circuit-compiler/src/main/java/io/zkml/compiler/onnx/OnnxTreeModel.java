package io.zkml.compiler.onnx;

import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.Task;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.tribuo.FloatPrediction;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX {@code ai.onnx.ml} TreeEnsembleClassifier / TreeEnsembleRegressor read by {@link
 * OnnxTreeReader} into a {@link TreeEnsembleStructure} with the {@link TreeEnsembleStructure.Combiner#SUM}
 * combiner (base values and AVERAGE folded into the leaves). Its float prediction rounds the input to
 * float32 first, as ONNX Runtime does with a float32 input tensor, then follows the trees in double
 * precision: every threshold is a float32 (or a double of the *_as_tensor attributes) and every
 * rounded input a float32, so each comparison is the one ONNX Runtime makes.
 */
public final class OnnxTreeModel implements ImportedModel {

    private final TreeEnsembleStructure structure;
    private final Task task;
    private final List<String> features;
    private final List<String> outputs;
    private final String modelClass;
    private final boolean floatInput;

    OnnxTreeModel(TreeEnsembleStructure structure, Task task, List<String> features, List<String> outputs,
                  String modelClass, boolean floatInput) {
        this.structure = structure;
        this.task = task;
        this.features = List.copyOf(features);
        this.outputs = List.copyOf(outputs);
        this.modelClass = modelClass;
        this.floatInput = floatInput;
    }

    @Override
    public String format() {
        return OnnxImporter.FORMAT;
    }

    @Override
    public String modelClass() {
        return modelClass;
    }

    @Override
    public Task task() {
        return task;
    }

    @Override
    public ModelFamily family() {
        return structure.members().size() == 1 ? ModelFamily.TREE : ModelFamily.ENSEMBLE;
    }

    @Override
    public TreeEnsembleStructure structure() {
        return structure;
    }

    @Override
    public int memberCount() {
        return structure.members().size();
    }

    @Override
    public int maxDepth() {
        return structure.maxDepth();
    }

    @Override
    public List<String> features() {
        return features;
    }

    @Override
    public List<String> outputs() {
        return outputs;
    }

    @Override
    public double[][] weights() {
        throw new UnsupportedOperationException("a tree ensemble has no weight matrix: use structure()");
    }

    @Override
    public double[] biases() {
        throw new UnsupportedOperationException("a tree ensemble has no bias vector: use structure()");
    }

    /** ONNX files carry no training ranges: declare inputRanges or give sampleInputs. */
    @Override
    public List<FeatureRange> trainingRanges() {
        return null;
    }

    /** The input as ONNX Runtime reads it: each value rounded to float32 when the graph input is float. */
    public double[] asRuntimeInput(double[] input) {
        double[] x = input.clone();
        if (floatInput) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) x[i];
            }
        }
        return x;
    }

    @Override
    public FloatPrediction predict(double[] input) {
        TreeEnsembleStructure.Result r = structure.predict(asRuntimeInput(input));
        Map<String, Double> values = new LinkedHashMap<>();
        for (int k = 0; k < r.values().length; k++) {
            values.put(outputs.get(k), r.values()[k]);
        }
        return new FloatPrediction(task == Task.REGRESSION ? null : outputs.get(r.label()), values);
    }
}
