package io.zkml.compiler.tribuo;

import io.zkml.compiler.FeatureRange;
import org.tribuo.CategoricalInfo;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.RealInfo;
import org.tribuo.VariableInfo;
import org.tribuo.protos.core.ModelProto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;

/**
 * What {@link TribuoLinearModel} and {@link TribuoTreeModel} read the same way from a deserialized
 * model: its declared class, its output domain, and its features in id order with their training
 * ranges. An {@link IllegalStateException} here means the model data is inconsistent;
 * {@link TribuoModelReader} turns it into a {@link ModelFormatException}.
 *
 * @param outputInfo     the model's output domain, at least one and at most {@link TribuoModelReader#MAX_OUTPUTS} outputs
 * @param features       the feature names in id order, distinct
 * @param trainingRanges per feature, Tribuo's min and max over the training data, or null where there are none
 */
record TribuoModelShape(ImmutableOutputInfo<?> outputInfo, List<String> features, List<FeatureRange> trainingRanges) {

    static TribuoModelShape of(Model<?> model, ModelProto proto) throws ModelFormatException {
        if (!model.getClass().getName().equals(proto.getClassName())) {
            throw new IllegalStateException("model class differs from the declared class");
        }
        ImmutableFeatureMap fmap = model.getFeatureIDMap();
        ImmutableOutputInfo<?> outInfo = model.getOutputIDInfo();
        int nIn = fmap.size();
        int nOut = outInfo.size();
        if (nIn < 1 || nOut < 1) {
            throw new IllegalStateException("the model has " + nIn + " features and " + nOut + " outputs");
        }
        if (nIn > TribuoModelReader.MAX_FEATURES || nOut > TribuoModelReader.MAX_OUTPUTS) {
            throw new ModelFormatException(ModelFormatException.Reason.TOO_LARGE,
                    "the model has " + nIn + " features and " + nOut + " outputs; the limits are "
                            + TribuoModelReader.MAX_FEATURES + " features and " + TribuoModelReader.MAX_OUTPUTS + " outputs");
        }
        List<String> features = new ArrayList<>(nIn);
        List<FeatureRange> ranges = new ArrayList<>(nIn);
        for (int id = 0; id < nIn; id++) {
            VariableInfo info = fmap.get(id);
            if (info == null) {
                throw new IllegalStateException("feature ids are not 0.." + (nIn - 1));
            }
            features.add(info.getName());
            ranges.add(trainingRange(info));
        }
        if (hasDuplicates(features)) {
            throw new IllegalStateException("duplicate feature names");
        }
        return new TribuoModelShape(outInfo, List.copyOf(features), Collections.unmodifiableList(ranges));
    }

    /** Tribuo's min and max of a feature over the training data, or null where it has none (or they are not finite). */
    static FeatureRange trainingRange(VariableInfo info) {
        double min;
        double max;
        if (info instanceof RealInfo r) {
            min = r.getMin();
            max = r.getMax();
        } else if (info instanceof CategoricalInfo c) {
            RealInfo r = c.generateRealInfo();
            min = r.getMin();
            max = r.getMax();
        } else {
            return null;
        }
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            return null;
        }
        return new FeatureRange(min, max);
    }

    static boolean hasDuplicates(List<String> names) {
        return new HashSet<>(names).size() != names.size();
    }
}
