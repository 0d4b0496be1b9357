package io.zkml.compiler.onnx;

import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.Task;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.ModelStructure;
import io.zkml.compiler.tribuo.FloatPrediction;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an ONNX network read by {@link OnnxModelReader} or {@link OnnxConvReader} has in common: its
 * names, task and ONNX metadata, and float predictions from the structure's own evaluation. Its float
 * predictions are the project's own evaluation of that structure in double precision (tests check
 * it against ONNX Runtime's outputs, testdata/onnx/); ONNX bytes are never handed to native code.
 * Classification: the label is the index of the largest score, as a string ({@code "0"}, …), and
 * the values are the scores before any Softmax.
 */
abstract sealed class OnnxNetworkModel<S extends ModelStructure> implements ImportedModel permits OnnxModel, OnnxConvModel {

    private final S structure;
    private final Task task;
    private final List<String> features;
    private final List<String> outputs;
    private final String modelClass;
    private final String producer;
    private final long irVersion;
    private final int opset;

    OnnxNetworkModel(S structure, Task task, List<String> features, List<String> outputs, String modelClass,
              String producer, long irVersion, int opset) {
        this.structure = structure;
        this.task = task;
        this.features = List.copyOf(features);
        this.outputs = List.copyOf(outputs);
        this.modelClass = modelClass;
        this.producer = producer;
        this.irVersion = irVersion;
        this.opset = opset;
    }

    @Override
    public String format() {
        return OnnxImporter.FORMAT;
    }

    /** {@code onnx:<graph name>}. */
    @Override
    public String modelClass() {
        return modelClass;
    }

    /** The producer the file names (producer_name and producer_version), possibly empty. */
    public String producer() {
        return producer;
    }

    public long irVersion() {
        return irVersion;
    }

    /** The default-domain opset the model imports. */
    public int opset() {
        return opset;
    }

    @Override
    public Task task() {
        return task;
    }

    @Override
    public ModelFamily family() {
        return ModelFamily.MLP;
    }

    @Override
    public S structure() {
        return structure;
    }

    @Override
    public int memberCount() {
        return 1;
    }

    @Override
    public int maxDepth() {
        return 0;
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
        throw new UnsupportedOperationException("a network has one weight tensor per layer: use structure()");
    }

    @Override
    public double[] biases() {
        throw new UnsupportedOperationException("a network has one bias vector per layer: use structure()");
    }

    /** ONNX files carry no training ranges: declare inputRanges or give sampleInputs. */
    @Override
    public List<FeatureRange> trainingRanges() {
        return null;
    }

    /** The structure's float evaluation (double precision). */
    abstract double[] evaluate(double[] input);

    @Override
    public FloatPrediction predict(double[] input) {
        double[] y = evaluate(input);
        Map<String, Double> values = new LinkedHashMap<>();
        for (int k = 0; k < y.length; k++) {
            values.put(outputs.get(k), y[k]);
        }
        if (task == Task.REGRESSION) {
            return new FloatPrediction(null, values);
        }
        int best = 0;
        for (int k = 1; k < y.length; k++) {
            if (y[k] > y[best]) {
                best = k;
            }
        }
        return new FloatPrediction(outputs.get(best), values);
    }
}
