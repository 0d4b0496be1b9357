package io.zkml.compiler.tribuo;

import com.google.protobuf.InvalidProtocolBufferException;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.Task;
import io.zkml.compiler.model.LinearStructure;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.ModelStructure;
import org.tribuo.Example;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.protos.RegressionLinearSGDProto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Tribuo linear SGD model (classification or regression), as the compiler sees it.
 *
 * <p>Tribuo 4.3 computes {@code scores = W · [x, 1]}: the weight matrix is
 * {@code [outputs][features + 1]}, its last column is the bias, rows are in output id order
 * and columns in feature id order (ids are assigned in sorted feature-name order). Classification
 * then applies a monotone normalizer (softmax for log loss, none for hinge) and picks the first
 * maximum, so the label is the argmax of the linear scores. Regression returns the scores as they
 * are, named by the model's dimension names array ({@code dimensionNames[id]}); linear SGD
 * regression in Tribuo 4.3 does no target standardization.
 */
final class TribuoLinearModel implements ImportedModel {

    private final Model<?> model;
    private final Task task;
    private final List<String> features;
    private final List<String> outputs;
    private final double[][] weights;
    private final double[] biases;
    private final List<FeatureRange> trainingRanges;

    private TribuoLinearModel(Model<?> model, Task task, List<String> features, List<String> outputs,
                              double[][] weights, double[] biases, List<FeatureRange> trainingRanges) {
        this.model = model;
        this.task = task;
        this.features = features;
        this.outputs = outputs;
        this.weights = weights;
        this.biases = biases;
        this.trainingRanges = trainingRanges;
    }

    static ImportedModel of(Model<?> model, ModelProto proto) throws ModelFormatException {
        Task task;
        if (model instanceof org.tribuo.classification.sgd.linear.LinearSGDModel) {
            task = Task.CLASSIFICATION;
        } else if (model instanceof org.tribuo.regression.sgd.linear.LinearSGDModel) {
            task = Task.REGRESSION;
        } else {
            throw new ModelFormatException(ModelFormatException.Reason.UNSUPPORTED_MODEL_TYPE,
                    "model type " + model.getClass().getName() + " is not supported");
        }
        TribuoModelShape shape = TribuoModelShape.of(model, proto);
        ImmutableOutputInfo<?> outInfo = shape.outputInfo();
        List<String> features = shape.features();
        int nIn = features.size();
        int nOut = outInfo.size();
        List<String> outputs = new ArrayList<>(nOut);
        if (task == Task.CLASSIFICATION) {
            for (int id = 0; id < nOut; id++) {
                Object o = outInfo.getOutput(id);
                if (!(o instanceof Label l)) {
                    throw new IllegalStateException("output id " + id + " is not a label");
                }
                outputs.add(l.getLabel());
            }
        } else {
            // The names Tribuo's predict uses, in output id order (LinearSGDModel.dimensionNames).
            try {
                RegressionLinearSGDProto rp = proto.getSerializedData().unpack(RegressionLinearSGDProto.class);
                outputs.addAll(rp.getDimensionNamesList());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("invalid regression model data", e);
            }
            if (outputs.size() != nOut) {
                throw new IllegalStateException("the model has " + outputs.size() + " dimension names for " + nOut + " outputs");
            }
        }
        if (TribuoModelShape.hasDuplicates(outputs)) {
            throw new IllegalStateException("duplicate output names");
        }
        DenseMatrix m = ((AbstractLinearSGDModel<?>) model).getWeightsCopy();
        if (m.getDimension1Size() != nOut || (m.getDimension2Size() != nIn + 1 && m.getDimension2Size() != nIn)) {
            throw new IllegalStateException("weight matrix is " + m.getDimension1Size() + "x" + m.getDimension2Size()
                    + ", expected " + nOut + "x" + (nIn + 1) + " (features + bias)");
        }
        boolean hasBias = m.getDimension2Size() == nIn + 1;
        double[][] w = new double[nOut][nIn];
        double[] b = new double[nOut];
        for (int j = 0; j < nOut; j++) {
            for (int i = 0; i < nIn; i++) {
                w[j][i] = m.get(j, i);
            }
            b[j] = hasBias ? m.get(j, nIn) : 0.0;
        }
        return new TribuoLinearModel(model, task, features, List.copyOf(outputs), w, b, shape.trainingRanges());
    }

    @Override
    public String modelClass() {
        return model.getClass().getName();
    }

    @Override
    public Task task() {
        return task;
    }

    @Override
    public ModelFamily family() {
        return ModelFamily.LINEAR;
    }

    @Override
    public ModelStructure structure() {
        return new LinearStructure(weights, biases);
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
        double[][] copy = new double[weights.length][];
        for (int j = 0; j < weights.length; j++) {
            copy[j] = weights[j].clone();
        }
        return copy;
    }

    @Override
    public double[] biases() {
        return biases.clone();
    }

    @Override
    public List<FeatureRange> trainingRanges() {
        return trainingRanges.contains(null) ? null : trainingRanges;
    }

    @Override
    public FloatPrediction predict(double[] input) {
        return tribuoPredict(model, task, features, outputs, input);
    }

    /** Tribuo's own prediction of {@code model} for an input in feature order (linear and tree models alike). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static FloatPrediction tribuoPredict(Model<?> model, Task task, List<String> features, List<String> outputs, double[] input) {
        if (input == null || input.length != features.size()) {
            throw new IllegalArgumentException("expected " + features.size() + " values, one per feature " + features
                    + ", got " + (input == null ? 0 : input.length));
        }
        for (int i = 0; i < input.length; i++) {
            if (!Double.isFinite(input[i])) {
                throw new IllegalArgumentException("input " + i + " (feature \"" + features.get(i) + "\") is not finite: " + input[i]);
            }
        }
        String[] names = features.toArray(new String[0]);
        if (task == Task.CLASSIFICATION) {
            Example<Label> ex = new ArrayExample<>(org.tribuo.classification.LabelFactory.UNKNOWN_LABEL, names, input.clone());
            Prediction<Label> p = ((Model<Label>) (Model) model).predict(ex);
            Map<String, Double> scores = new LinkedHashMap<>();
            Map<String, Label> dist = p.getOutputScores();
            for (String label : outputs) {
                Label l = dist.get(label);
                scores.put(label, l == null ? Double.NaN : l.getScore());
            }
            return new FloatPrediction(p.getOutput().getLabel(), Collections.unmodifiableMap(scores));
        }
        Example<Regressor> ex = new ArrayExample<>(org.tribuo.regression.RegressionFactory.UNKNOWN_REGRESSOR, names, input.clone());
        Prediction<Regressor> p = ((Model<Regressor>) (Model) model).predict(ex);
        Map<String, Double> values = new LinkedHashMap<>();
        for (String dim : outputs) {
            values.put(dim, p.getOutput().getDimension(dim)
                    .orElseThrow(() -> new IllegalStateException("Tribuo's prediction has no dimension " + dim))
                    .getValue());
        }
        return new FloatPrediction(null, Collections.unmodifiableMap(values));
    }
}
