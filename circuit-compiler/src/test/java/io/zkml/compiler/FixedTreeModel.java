package io.zkml.compiler;

import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.ModelStructure;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.tribuo.FloatPrediction;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tree model with given trees, in plain Java: lets compiler tests pick thresholds, leaves and
 * member weights (huge values, fine scales, many outputs) that training would not produce. Its
 * predict is {@link TreeEnsembleStructure#predict}, Tribuo's arithmetic.
 */
record FixedTreeModel(Task task, List<String> features, List<String> outputs, TreeEnsembleStructure trees,
                      List<FeatureRange> trainingRanges) implements ImportedModel {

    @Override
    public String format() {
        return "test";
    }

    @Override
    public String modelClass() {
        return "test.FixedTreeModel";
    }

    @Override
    public ModelFamily family() {
        return trees.members().size() == 1 ? ModelFamily.TREE : ModelFamily.ENSEMBLE;
    }

    @Override
    public ModelStructure structure() {
        return trees;
    }

    @Override
    public int memberCount() {
        return trees.members().size();
    }

    @Override
    public int maxDepth() {
        return trees.maxDepth();
    }

    @Override
    public double[][] weights() {
        return null;
    }

    @Override
    public double[] biases() {
        return null;
    }

    @Override
    public FloatPrediction predict(double[] input) {
        TreeEnsembleStructure.Result r = trees.predict(input);
        Map<String, Double> v = new LinkedHashMap<>();
        for (int j = 0; j < outputs.size(); j++) {
            v.put(outputs.get(j), r.values()[j]);
        }
        return new FloatPrediction(task == Task.CLASSIFICATION ? outputs.get(r.label()) : null, v);
    }
}
