package io.zkml.compiler.tribuo;

import com.google.protobuf.InvalidProtocolBufferException;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.Task;
import io.zkml.compiler.model.DecisionTree;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.ModelStructure;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.model.TreeEnsembleStructure.Combiner;
import io.zkml.compiler.model.TreeEnsembleStructure.Member;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.Node;
import org.tribuo.common.tree.SplitNode;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.protos.core.WeightedEnsembleModelProto;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.rtree.IndependentRegressionTreeModel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Tribuo tree model ({@code TreeModel} of labels, {@code IndependentRegressionTreeModel}) or a
 * {@code WeightedEnsembleModel} of them, converted from Tribuo's deserialized object graph into
 * {@link TreeEnsembleStructure}. See {@link TreeEnsembleStructure} and docs/tribuo-models.md for
 * the semantics and where in Tribuo they come from.
 *
 * <p>Node numbering (deterministic): breadth-first from the root; the children of an internal node
 * are numbered {@code lessThanOrEqual} first, then {@code greaterThan}; internal nodes and leaves
 * each count up from 0 in the order they are reached.
 */
final class TribuoTreeModel implements ImportedModel {

    private final Model<?> model;
    private final Task task;
    private final ModelFamily family;
    private final List<String> features;
    private final List<String> outputs;
    private final List<FeatureRange> trainingRanges;
    private final TreeEnsembleStructure structure;

    private TribuoTreeModel(Model<?> model, Task task, ModelFamily family, List<String> features, List<String> outputs,
                            List<FeatureRange> trainingRanges, TreeEnsembleStructure structure) {
        this.model = model;
        this.task = task;
        this.family = family;
        this.features = features;
        this.outputs = outputs;
        this.trainingRanges = trainingRanges;
        this.structure = structure;
    }

    /** Converts a deserialized model whose protobuf {@link TribuoModelReader} has already checked. */
    static ImportedModel of(Model<?> model, ModelProto proto, ImportLimits limits) throws ModelFormatException {
        TribuoModelShape shape = TribuoModelShape.of(model, proto);
        ImmutableOutputInfo<?> outInfo = shape.outputInfo();
        Object first = outInfo.getOutput(0);
        Task task = first instanceof Label ? Task.CLASSIFICATION : first instanceof Regressor ? Task.REGRESSION : null;
        if (task == null) {
            throw new IllegalStateException("the output domain is neither labels nor regressors");
        }
        List<String> features = shape.features();
        Map<String, Integer> featureIndex = new HashMap<>();
        for (int id = 0; id < features.size(); id++) {
            featureIndex.put(features.get(id), id);
        }
        List<String> outputs = outputNames(outInfo, task);
        Map<String, Integer> outputIndex = new HashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
            if (outputIndex.put(outputs.get(i), i) != null) {
                throw new IllegalStateException("duplicate output name " + outputs.get(i));
            }
        }

        int[] nodeBudget = {limits.maxTreeNodes()};
        ModelFamily family;
        Combiner combiner;
        List<Member> members = new ArrayList<>();
        if (model instanceof WeightedEnsembleModel<?> ensemble) {
            family = ModelFamily.ENSEMBLE;
            WeightedEnsembleModelProto ep;
            try {
                ep = proto.getSerializedData().unpack(WeightedEnsembleModelProto.class);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("invalid ensemble data", e);
            }
            combiner = TribuoModelReader.combinerOf(ep.getCombiner().getClassName());
            List<? extends Model<?>> models = ensemble.getModels();
            if (models.size() != ep.getModelsCount() || models.size() != ep.getWeightsCount()) {
                throw new IllegalStateException("the ensemble has " + models.size() + " members for "
                        + ep.getModelsCount() + " serialized members and " + ep.getWeightsCount() + " weights");
            }
            for (int m = 0; m < models.size(); m++) {
                members.add(new Member(ep.getWeights(m),
                        trees(models.get(m), task, featureIndex, outputIndex, outputs, limits, nodeBudget)));
            }
        } else if (model instanceof TreeModel<?>) {
            family = ModelFamily.TREE;
            combiner = Combiner.SINGLE;
            members.add(new Member(1.0, trees(model, task, featureIndex, outputIndex, outputs, limits, nodeBudget)));
        } else {
            throw new ModelFormatException(ModelFormatException.Reason.UNSUPPORTED_MODEL_TYPE,
                    "model type " + model.getClass().getName() + " is not supported");
        }
        TreeEnsembleStructure structure = new TreeEnsembleStructure(members, combiner);
        if (structure.maxDepth() > limits.maxTreeDepth()) { // checked on the protobuf already; kept as a guard
            throw ModelFormatException.limitExceeded(ImportLimits.MAX_TREE_DEPTH, limits.maxTreeDepth(),
                    structure.maxDepth(), "the deepest tree's depth");
        }
        return new TribuoTreeModel(model, task, family, features, List.copyOf(outputs), shape.trainingRanges(), structure);
    }

    private static List<String> outputNames(ImmutableOutputInfo<?> outInfo, Task task) {
        List<String> names = new ArrayList<>(outInfo.size());
        for (int id = 0; id < outInfo.size(); id++) {
            Object o = outInfo.getOutput(id);
            if (task == Task.CLASSIFICATION && o instanceof Label l) {
                names.add(l.getLabel());
            } else if (task == Task.REGRESSION && o instanceof Regressor r && r.size() == 1) {
                names.add(r.getNames()[0]);
            } else {
                throw new IllegalStateException("output id " + id + " is not a " + task.name().toLowerCase() + " output");
            }
        }
        return names;
    }

    /** The trees of one (member) model, with its feature and output ids mapped to the top model's by name. */
    private static List<DecisionTree> trees(Model<?> member, Task task, Map<String, Integer> featureIndex,
                                            Map<String, Integer> outputIndex, List<String> outputs,
                                            ImportLimits limits, int[] nodeBudget) throws ModelFormatException {
        ImmutableFeatureMap mfmap = member.getFeatureIDMap();
        int[] toInput = new int[mfmap.size()];
        for (int id = 0; id < toInput.length; id++) {
            VariableInfo info = mfmap.get(id);
            Integer pos = info == null ? null : featureIndex.get(info.getName());
            toInput[id] = pos == null ? -1 : pos;
        }
        if (task == Task.CLASSIFICATION) {
            if (!(member instanceof TreeModel<?> tm) || member instanceof IndependentRegressionTreeModel
                    || !(member.getOutputIDInfo().getOutput(0) instanceof Label)) {
                throw unsupportedMember(member);
            }
            return List.of(convert(tm.getRoot(), toInput, outputIndex, -1, null, limits, nodeBudget));
        }
        if (!(member instanceof IndependentRegressionTreeModel irt)) {
            throw unsupportedMember(member);
        }
        Map<String, Node<Regressor>> roots = irt.getRoots();
        if (roots.size() != outputs.size() || !roots.keySet().equals(new HashSet<>(outputs))) {
            throw new IllegalStateException("a regression tree model has trees for " + roots.keySet()
                    + ", the model's dimensions are " + outputs);
        }
        List<DecisionTree> trees = new ArrayList<>(outputs.size());
        for (int d = 0; d < outputs.size(); d++) {
            trees.add(convert(roots.get(outputs.get(d)), toInput, outputIndex, d, outputs.get(d), limits, nodeBudget));
        }
        return trees;
    }

    private static ModelFormatException unsupportedMember(Model<?> member) {
        return new ModelFormatException(ModelFormatException.Reason.UNSUPPORTED_MODEL_TYPE,
                "ensemble member type " + member.getClass().getName() + " is not supported here");
    }

    /** Breadth-first renumbering of a Tribuo node graph into the IR encoding. */
    private static DecisionTree convert(Node<?> root, int[] toInput, Map<String, Integer> outputIndex, int dimension,
                                        String dimensionName, ImportLimits limits, int[] nodeBudget) throws ModelFormatException {
        if (root == null) {
            throw new IllegalStateException("a tree has no root");
        }
        List<SplitNode<?>> internal = new ArrayList<>();
        List<LeafNode<?>> leaves = new ArrayList<>();
        List<int[]> children = new ArrayList<>(); // {le, gt} per internal node
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        if (root instanceof SplitNode<?> s) {
            take(s, internal, nodeBudget, limits);
            queue.add(0);
        } else if (root instanceof LeafNode<?> l) {
            leaves.add(l);
        } else {
            throw new IllegalStateException("unknown node type " + root.getClass().getName());
        }
        while (!queue.isEmpty()) {
            int i = queue.poll();
            SplitNode<?> s = internal.get(i);
            int[] c = new int[2];
            Node<?>[] next = {s.getLessThanOrEqual(), s.getGreaterThan()};
            for (int k = 0; k < 2; k++) {
                if (next[k] instanceof SplitNode<?> cs) {
                    c[k] = internal.size();
                    take(cs, internal, nodeBudget, limits);
                    queue.add(c[k]);
                } else if (next[k] instanceof LeafNode<?> cl) {
                    c[k] = -leaves.size() - 1;
                    leaves.add(cl);
                } else {
                    throw new IllegalStateException("a split node has a missing or unknown child");
                }
            }
            children.add(c);
        }
        int n = internal.size();
        int[] feature = new int[n];
        double[] threshold = new double[n];
        int[] le = new int[n];
        int[] gt = new int[n];
        for (int i = 0; i < n; i++) {
            SplitNode<?> s = internal.get(i);
            int f = s.getFeatureID();
            if (f < 0 || f >= toInput.length || toInput[f] < 0) {
                throw new IllegalStateException("a split tests feature id " + f + ", which is not a feature of the model");
            }
            if (!Double.isFinite(s.splitValue())) {
                throw new IllegalStateException("a split value is not finite: " + s.splitValue());
            }
            feature[i] = toInput[f];
            threshold[i] = s.splitValue();
            le[i] = children.get(i)[0];
            gt[i] = children.get(i)[1];
        }
        int k = dimension < 0 ? outputIndex.size() : 1;
        double[][] values = new double[leaves.size()][];
        int[] labels = dimension < 0 ? new int[leaves.size()] : null;
        for (int l = 0; l < leaves.size(); l++) {
            LeafNode<?> leaf = leaves.get(l);
            Output<?> out = leaf.getOutput();
            values[l] = new double[k];
            if (dimension < 0) {
                if (!(out instanceof Label label)) {
                    throw new IllegalStateException("a classification leaf holds " + out);
                }
                labels[l] = labelId(outputIndex, label.getLabel());
                Set<String> seen = new HashSet<>();
                for (Object o : leaf.getDistribution().values()) {
                    if (!(o instanceof Label sl) || !seen.add(sl.getLabel())) {
                        throw new IllegalStateException("a leaf's score distribution is not one score per label");
                    }
                    values[l][labelId(outputIndex, sl.getLabel())] = finite(sl.getScore());
                }
            } else {
                if (!(out instanceof Regressor r) || r.size() != 1 || !dimensionName.equals(r.getNames()[0])) {
                    throw new IllegalStateException("a leaf of the tree for dimension " + dimensionName + " holds " + out);
                }
                values[l][0] = finite(r.getValues()[0]);
            }
        }
        return new DecisionTree(feature, threshold, le, gt, values, labels, dimension);
    }

    private static void take(SplitNode<?> s, List<SplitNode<?>> internal, int[] nodeBudget, ImportLimits limits)
            throws ModelFormatException {
        if (--nodeBudget[0] < 0) { // checked on the protobuf already; bounds a shared (DAG) graph too
            throw ModelFormatException.limitExceeded(ImportLimits.MAX_TREE_NODES, limits.maxTreeNodes(),
                    limits.maxTreeNodes() + 1L, "the number of internal tree nodes");
        }
        internal.add(s);
    }

    private static int labelId(Map<String, Integer> outputIndex, String label) {
        Integer id = outputIndex.get(label);
        if (id == null) {
            throw new IllegalStateException("a leaf names label \"" + label + "\", which is not in the model's label domain");
        }
        return id;
    }

    private static double finite(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalStateException("a leaf value is not finite: " + v);
        }
        return v;
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
        return family;
    }

    @Override
    public ModelStructure structure() {
        return structure;
    }

    /** The same as {@link #structure()}, typed. */
    TreeEnsembleStructure trees() {
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
        throw new UnsupportedOperationException("a " + family.apiName() + " model (" + modelClass()
                + ") has no weight matrix; use structure()");
    }

    @Override
    public double[] biases() {
        throw new UnsupportedOperationException("a " + family.apiName() + " model (" + modelClass()
                + ") has no biases; use structure()");
    }

    @Override
    public List<FeatureRange> trainingRanges() {
        return trainingRanges.contains(null) ? null : trainingRanges;
    }

    @Override
    public FloatPrediction predict(double[] input) {
        return TribuoLinearModel.tribuoPredict(model, task, features, outputs, input);
    }
}
