package io.zkml.compiler.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.zkml.compiler.Task;
import io.zkml.compiler.model.DecisionTree;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.model.TreeEnsembleStructure.Combiner;
import io.zkml.compiler.model.TreeEnsembleStructure.Member;
import io.zkml.compiler.tribuo.ModelFormatException;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import io.zkml.compiler.tribuo.ModelFormatException.UnsupportedOperator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a graph whose model is an {@code ai.onnx.ml} {@code TreeEnsembleClassifier} or {@code
 * TreeEnsembleRegressor} (opsets 1–3, as skl2onnx and onnxmltools export scikit-learn, XGBoost and
 * LightGBM tree models) into a {@link TreeEnsembleStructure} with the {@link Combiner#SUM} combiner,
 * following ONNX Runtime 1.20's semantics (docs/onnx-models.md, "Tree ensembles"):
 * <ul>
 *   <li>Branch modes: {@code BRANCH_LEQ} ({@code x ≤ t} true) and {@code BRANCH_GT} ({@code x > t}
 *       true) are the tree op's {@code x > t} with the children swapped or not; {@code BRANCH_LT} and
 *       {@code BRANCH_GTE} are {@code x ≥ t}, i.e. {@code x > nextDown(t)} (exact for every double
 *       {@code x}; the compiler's floor then gives {@code τ = ⌈t·2^s⌉ − 1}, so a quantized input on
 *       the grid compares exactly as ONNX Runtime does). {@code BRANCH_EQ}/{@code BRANCH_NEQ} are
 *       refused (422 unsupported-operator naming the node and mode).</li>
 *   <li>A float32 graph input: ONNX Runtime compares float32 inputs with float32 thresholds and adds
 *       float32 weights ({@code *_as_tensor} must then be float tensors, else refused as ONNX Runtime
 *       does), so {@link OnnxTreeModel#predict} rounds the input to float32; a double input keeps
 *       doubles (double {@code *_as_tensor} attributes).</li>
 *   <li>Scores: the sum of the leaf weights per class / target, plus {@code base_values}, divided by
 *       the number of trees for {@code aggregate_function = AVERAGE} (folded into the leaves: base
 *       values into tree 0's). Classifier label: the first maximum of the scores (3+ classes); two
 *       classes whose weights all go to one class id (ONNX Runtime's binary case, score {@code s}):
 *       the second label iff {@code s > 0.5} when every weight is ≥ 0, else iff {@code s > 0},
 *       lowered as the two scores {@code (K − s, s)}. {@code post_transform} (LOGISTIC, SOFTMAX,
 *       SOFTMAX_ZERO) is monotone and ONNX Runtime picks the label from the raw scores: not proven.</li>
 *   <li>Missing-value tracks and hit rates do not matter for finite inputs and are ignored.</li>
 * </ul>
 * The only other nodes allowed: Identity/Cast before the trees, Identity/Cast/Reshape on the label
 * (or the regressor's output), and ZipMap/Normalizer/Mul/Identity/Cast/Softmax on the probabilities,
 * which may only feed graph outputs (not proven).
 */
final class OnnxTreeReader {

    static final String CLASSIFIER = "TreeEnsembleClassifier";
    static final String REGRESSOR = "TreeEnsembleRegressor";
    /** The most classes or regression targets. */
    static final int MAX_OUTPUTS = 4096;
    /** The most leaf values (leaves × classes or targets, over all trees) allocated. */
    static final long MAX_LEAF_VALUES = 1L << 24;

    private OnnxTreeReader() {
    }

    /** Whether the graph holds a tree ensemble node (then this reader handles it). */
    static boolean isTreeGraph(GraphProto g) {
        return g.getNodeList().stream().anyMatch(OnnxTreeReader::isTreeNode);
    }

    private static boolean isTreeNode(NodeProto n) {
        return n.getDomain().equals("ai.onnx.ml") && (n.getOpType().equals(CLASSIFIER) || n.getOpType().equals(REGRESSOR));
    }

    private enum Kind { INPUT, CONST, LABEL, OUTPUT, SCORES }

    static ImportedModel read(ModelProto m, GraphProto g, List<String> featureNames, ImportLimits limits)
            throws ModelFormatException {
        if (limits == null) {
            limits = ImportLimits.defaults();
        }
        Map<String, Kind> kinds = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            kinds.put(t.getName(), Kind.CONST);
        }
        List<ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !kinds.containsKey(v.getName())).toList();
        if (inputs.size() != 1) {
            throw unsupported("the graph has " + inputs.size() + " inputs (besides initializers); exactly one is supported");
        }
        ValueInfoProto in = inputs.getFirst();
        String what = "input \"" + OnnxModelReader.printable(in.getName()) + "\"";
        if (!in.hasType() || !in.getType().hasTensorType()) {
            throw unsupported(what + " is not a tensor");
        }
        OnnxMl.TypeProto.Tensor tt = in.getType().getTensorType();
        int elem = tt.getElemType();
        if (elem != TensorProto.DataType.FLOAT_VALUE && elem != TensorProto.DataType.DOUBLE_VALUE) {
            throw unsupported(what + " has element type " + elem + "; float or double is supported");
        }
        if (!tt.hasShape() || tt.getShape().getDimCount() != 2) {
            throw unsupported(what + " must be [batch, features] for a tree ensemble");
        }
        var bd = tt.getShape().getDim(0);
        if (bd.hasDimValue() && bd.getDimValue() != 1) {
            throw unsupported(what + " has batch dimension " + bd.getDimValue() + "; it must be 1 or symbolic");
        }
        var fd = tt.getShape().getDim(1);
        if (!fd.hasDimValue() || fd.getDimValue() <= 0 || fd.getDimValue() > OnnxModelReader.MAX_TENSOR_ELEMENTS) {
            throw unsupported(what + " must have a static positive number of features (at most "
                    + OnnxModelReader.MAX_TENSOR_ELEMENTS + ")");
        }
        int n = (int) fd.getDimValue();
        boolean floatInput = elem == TensorProto.DataType.FLOAT_VALUE;
        kinds.put(in.getName(), Kind.INPUT);

        NodeProto tree = null;
        String treeWhere = null;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto node = g.getNode(i);
            String where = node.getOpType() + " node \"" + OnnxModelReader.nodeName(node, i) + "\"";
            if (isTreeNode(node)) {
                if (tree != null) {
                    throw unsupported(where + ": the graph has a second tree ensemble; one is supported");
                }
                if (kindOf(kinds, node, 0, where) != Kind.INPUT) {
                    throw unsupported(where + " must read the graph input (optionally through Identity or Cast)");
                }
                tree = node;
                treeWhere = where;
                boolean cls = node.getOpType().equals(CLASSIFIER);
                put(kinds, node, 0, cls ? Kind.LABEL : Kind.OUTPUT, where);
                if (cls) {
                    put(kinds, node, 1, Kind.SCORES, where);
                }
                continue;
            }
            String op = node.getOpType();
            Kind k = node.getInputCount() == 0 ? null : kindOf(kinds, node, 0, where);
            Kind out;
            switch (op) {
                case "Identity" -> out = k;
                case "Cast" -> {
                    long to = 0;
                    for (AttributeProto a : node.getAttributeList()) {
                        if (a.getName().equals("to")) {
                            to = a.getI();
                        }
                    }
                    if (k == Kind.INPUT && to != TensorProto.DataType.FLOAT_VALUE && to != TensorProto.DataType.DOUBLE_VALUE) {
                        throw unsupported(where + ": a Cast of the input must be to float or double");
                    }
                    if (k == Kind.INPUT && to == TensorProto.DataType.FLOAT_VALUE) {
                        floatInput = true; // the trees then compare float32 values
                    }
                    out = k;
                }
                case "Reshape" -> {
                    if (k != Kind.LABEL && k != Kind.OUTPUT && k != Kind.SCORES) {
                        throw unsupported(where + " is only supported on the label, the output or the probabilities");
                    }
                    out = k;
                }
                case "ZipMap", "Normalizer", "Mul", "Softmax" -> {
                    if (k != Kind.SCORES) {
                        throw unsupported(where + " is only supported on the classifier's probabilities (which are not proven)");
                    }
                    out = Kind.SCORES;
                }
                case "Constant" -> out = Kind.CONST;
                default -> throw unsupported(where + " is not supported in a tree-ensemble graph (only Identity, Cast and "
                        + "Reshape around the " + CLASSIFIER + " / " + REGRESSOR + ", and ZipMap/Normalizer on its probabilities)");
            }
            if (tree == null && k != Kind.INPUT && k != Kind.CONST && k != null) {
                throw unsupported(where + " comes before the tree ensemble and does not read the input");
            }
            for (int j = 1; j < node.getInputCount(); j++) {
                Kind other = kindOf(kinds, node, j, where);
                if (other != Kind.CONST) {
                    throw unsupported(where + ": input " + j + " must be a constant");
                }
            }
            for (int j = 0; j < node.getOutputCount(); j++) {
                if (!node.getOutput(j).isEmpty()) {
                    put(kinds, node, j, out, where);
                }
            }
        }
        if (tree == null) {
            throw new IllegalStateException("no tree node");
        }
        Set<String> read = new HashSet<>();
        for (NodeProto node : g.getNodeList()) {
            read.addAll(node.getInputList());
        }
        String outName = null;
        for (ValueInfoProto o : g.getOutputList()) {
            Kind k = kinds.get(o.getName());
            if (k == Kind.LABEL || k == Kind.OUTPUT) {
                if (outName != null) {
                    throw unsupported("the graph has two label outputs (\"" + OnnxModelReader.printable(outName) + "\", \""
                            + OnnxModelReader.printable(o.getName()) + "\"); one is supported");
                }
                outName = o.getName();
            } else if (k != Kind.SCORES) {
                throw unsupported("the graph output \"" + OnnxModelReader.printable(o.getName())
                        + "\" is neither the tree ensemble's label / output nor its probabilities");
            }
        }
        if (outName == null) {
            throw unsupported(treeWhere + ": its label (or output) is not a graph output");
        }
        if (read.contains(outName)) {
            throw unsupported("the graph output \"" + OnnxModelReader.printable(outName) + "\" is also read by a node");
        }
        List<String> features = features(featureNames, n, OnnxModelReader.printable(in.getName()));
        String modelClass = "onnx:" + (g.getName().isEmpty() ? "graph" : OnnxModelReader.printable(g.getName()));
        boolean classifier = tree.getOpType().equals(CLASSIFIER);
        Built b = new Converter(tree, treeWhere, n, floatInput, limits, classifier, OnnxModelReader.printable(outName)).convert();
        return new OnnxTreeModel(b.structure(), classifier ? Task.CLASSIFICATION : Task.REGRESSION, features, b.outputs(),
                modelClass, floatInput);
    }

    private record Built(TreeEnsembleStructure structure, List<String> outputs) {
    }

    private static Kind kindOf(Map<String, Kind> kinds, NodeProto node, int i, String where) throws ModelFormatException {
        if (i >= node.getInputCount() || node.getInput(i).isEmpty()) {
            throw unsupported(where + ": input " + i + " is missing");
        }
        Kind k = kinds.get(node.getInput(i));
        if (k == null) {
            throw unsupported(where + " reads \"" + OnnxModelReader.printable(node.getInput(i))
                    + "\", which no earlier node writes (the nodes must be in topological order)");
        }
        return k;
    }

    private static void put(Map<String, Kind> kinds, NodeProto node, int j, Kind k, String where) throws ModelFormatException {
        if (j >= node.getOutputCount() || node.getOutput(j).isEmpty()) {
            if (j == 0) {
                throw unsupported(where + " has no output");
            }
            return;
        }
        if (kinds.putIfAbsent(node.getOutput(j), k) != null) {
            throw unsupported(where + " writes \"" + OnnxModelReader.printable(node.getOutput(j)) + "\", which is already written");
        }
    }

    private static List<String> features(List<String> given, int n, String inName) {
        if (given == null || given.isEmpty()) {
            List<String> f = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                f.add("X[" + i + "]");
            }
            return f;
        }
        if (given.size() != n) {
            throw new IllegalArgumentException("features has " + given.size() + " names; the model's input \"" + inName
                    + "\" has " + n + " values");
        }
        Set<String> seen = new HashSet<>();
        for (String s : given) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException("features: a name is blank");
            }
            if (!seen.add(s)) {
                throw new IllegalArgumentException("features: the name \"" + OnnxModelReader.printable(s) + "\" appears twice");
            }
        }
        return List.copyOf(given);
    }

    static ModelFormatException unsupported(String message) {
        return new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, message);
    }

    // ------------------------------------------------------------------------------------------

    /** Branch modes as the tree op's {@code x > threshold} test. */
    private enum Mode {
        LEAF, LEQ, LT, GTE, GT
    }

    private static final class Converter {
        private final NodeProto node;
        private final String where;
        private final int features;
        private final boolean floatInput;
        private final ImportLimits limits;
        private final boolean classifier;
        private final String outName;
        private final Map<String, AttributeProto> attrs = new HashMap<>();

        Converter(NodeProto node, String where, int features, boolean floatInput, ImportLimits limits, boolean classifier,
                  String outName) {
            this.node = node;
            this.where = where;
            this.features = features;
            this.floatInput = floatInput;
            this.limits = limits;
            this.classifier = classifier;
            this.outName = outName;
        }

        Built convert() throws ModelFormatException {
            List<String> allowed = new ArrayList<>(List.of("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes",
                    "nodes_values", "nodes_values_as_tensor", "nodes_truenodeids", "nodes_falsenodeids",
                    "nodes_missing_value_tracks_true", "nodes_hitrates", "nodes_hitrates_as_tensor", "post_transform",
                    "base_values", "base_values_as_tensor"));
            String p = classifier ? "class_" : "target_";
            allowed.addAll(List.of(p + "treeids", p + "nodeids", p + "ids", p + "weights", p + "weights_as_tensor"));
            allowed.addAll(classifier ? List.of("classlabels_strings", "classlabels_int64s")
                    : List.of("n_targets", "aggregate_function"));
            for (AttributeProto a : node.getAttributeList()) {
                if (!allowed.contains(a.getName())) {
                    throw unsupported(where + " has the attribute \"" + OnnxModelReader.printable(a.getName())
                            + "\", which is not supported (supported: " + String.join(", ", allowed) + ")");
                }
                attrs.put(a.getName(), a);
            }
            String post = string("post_transform", "NONE");
            if (classifier ? !List.of("NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO").contains(post) : !post.equals("NONE")) {
                throw unsupported(where + ": post_transform " + OnnxModelReader.printable(post) + " is not supported ("
                        + (classifier ? "NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO: monotone, the label is read from the raw scores"
                        : "NONE; a regressor's output must be the raw sum") + ")");
            }
            String aggregate = string("aggregate_function", "SUM");
            if (!aggregate.equals("SUM") && !aggregate.equals("AVERAGE")) {
                throw unsupported(where + ": aggregate_function " + OnnxModelReader.printable(aggregate)
                        + " is not supported (SUM, AVERAGE)");
            }

            long[] treeIds = ints("nodes_treeids");
            int count = treeIds.length;
            long[] nodeIds = ints("nodes_nodeids");
            long[] featureIds = ints("nodes_featureids");
            long[] trueIds = ints("nodes_truenodeids");
            long[] falseIds = ints("nodes_falsenodeids");
            List<String> modeNames = strings("nodes_modes");
            double[] values = doubles("nodes_values");
            sameLength(count, "nodes_treeids", nodeIds.length, "nodes_nodeids");
            sameLength(count, "nodes_treeids", featureIds.length, "nodes_featureids");
            sameLength(count, "nodes_treeids", trueIds.length, "nodes_truenodeids");
            sameLength(count, "nodes_treeids", falseIds.length, "nodes_falsenodeids");
            sameLength(count, "nodes_treeids", modeNames.size(), "nodes_modes");
            sameLength(count, "nodes_treeids", values.length, "nodes_values");
            if (count == 0) {
                throw unsupported(where + " has no nodes");
            }
            Mode[] modes = new Mode[count];
            List<UnsupportedOperator> badModes = new ArrayList<>();
            Set<String> badNames = new java.util.TreeSet<>();
            for (int i = 0; i < count; i++) {
                String mode = modeNames.get(i);
                modes[i] = switch (mode) {
                    case "LEAF" -> Mode.LEAF;
                    case "BRANCH_LEQ" -> Mode.LEQ;
                    case "BRANCH_LT" -> Mode.LT;
                    case "BRANCH_GTE" -> Mode.GTE;
                    case "BRANCH_GT" -> Mode.GT;
                    default -> null;
                };
                if (modes[i] == null && badNames.add(mode)) {
                    badModes.add(new UnsupportedOperator("ai.onnx.ml." + node.getOpType() + " (nodes_modes "
                            + OnnxModelReader.printable(mode) + ")", OnnxModelReader.printable(node.getName())));
                }
            }
            if (!badModes.isEmpty()) {
                throw ModelFormatException.unsupportedOperators(badModes, where + ": branch mode" + (badNames.size() == 1 ? " " : "s ")
                        + String.join(", ", badNames.stream().map(OnnxModelReader::printable).toList())
                        + " not supported (BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT are; BRANCH_EQ / BRANCH_NEQ, "
                        + "categorical splits, would need two comparisons and a copied subtree)");
            }

            // (tree id, node id) → attribute index; trees in the order of their first node (ONNX Runtime's roots).
            Map<Long, Map<Long, Integer>> byTree = new LinkedHashMap<>();
            long lastTree = Long.MIN_VALUE;
            int splits = 0;
            for (int i = 0; i < count; i++) {
                if (treeIds[i] != lastTree && byTree.containsKey(treeIds[i])) {
                    throw unsupported(where + ": the nodes of tree " + treeIds[i] + " are not listed together");
                }
                lastTree = treeIds[i];
                Map<Long, Integer> nodes = byTree.computeIfAbsent(treeIds[i], t -> new HashMap<>());
                if (nodes.put(nodeIds[i], i) != null) {
                    throw unsupported(where + ": node " + nodeIds[i] + " of tree " + treeIds[i] + " is listed twice");
                }
                if (modes[i] != Mode.LEAF) {
                    splits++;
                    if (featureIds[i] < 0 || featureIds[i] >= features) {
                        throw unsupported(where + ": node " + nodeIds[i] + " of tree " + treeIds[i] + " tests feature "
                                + featureIds[i] + "; the input has " + features);
                    }
                    if (Double.isNaN(values[i])) {
                        throw unsupported(where + ": node " + nodeIds[i] + " of tree " + treeIds[i] + " has a NaN threshold");
                    }
                }
                if (byTree.size() > limits.maxEnsembleMembers()) {
                    throw ModelFormatException.limitExceeded(ImportLimits.MAX_ENSEMBLE_MEMBERS, limits.maxEnsembleMembers(),
                            byTree.size(), where + ": the number of trees");
                }
            }
            if (splits > limits.maxTreeNodes()) {
                throw ModelFormatException.limitExceeded(ImportLimits.MAX_TREE_NODES, limits.maxTreeNodes(), splits,
                        where + ": the number of split nodes");
            }
            int trees = byTree.size();

            // Leaf weights.
            long[] wTree = ints(classifier ? "class_treeids" : "target_treeids");
            long[] wNode = ints(classifier ? "class_nodeids" : "target_nodeids");
            long[] wId = ints(classifier ? "class_ids" : "target_ids");
            double[] w = doubles(classifier ? "class_weights" : "target_weights");
            String pre = classifier ? "class_" : "target_";
            sameLength(wTree.length, pre + "treeids", wNode.length, pre + "nodeids");
            sameLength(wTree.length, pre + "treeids", wId.length, pre + "ids");
            sameLength(wTree.length, pre + "treeids", w.length, pre + "weights");
            List<String> outputs;
            int width;
            if (classifier) {
                List<String> labels = attrs.containsKey("classlabels_strings") ? strings("classlabels_strings")
                        : java.util.Arrays.stream(ints("classlabels_int64s")).mapToObj(Long::toString).toList();
                if (labels.size() < 2 || new HashSet<>(labels).size() != labels.size()) {
                    throw unsupported(where + ": needs at least 2 distinct class labels, got " + labels.size()
                            + (labels.isEmpty() ? "" : " " + labels.subList(0, Math.min(labels.size(), 10))));
                }
                if (labels.size() > MAX_OUTPUTS) {
                    throw unsupported(where + ": " + labels.size() + " class labels; at most " + MAX_OUTPUTS);
                }
                outputs = labels.stream().map(OnnxModelReader::printable).toList();
                width = labels.size();
            } else {
                long t = attrs.containsKey("n_targets") ? attrs.get("n_targets").getI() : 1;
                if (t < 1 || t > MAX_OUTPUTS) {
                    throw unsupported(where + ": n_targets " + t + " is not in [1, " + MAX_OUTPUTS + "]");
                }
                width = (int) t;
                List<String> o = new ArrayList<>(width);
                for (int d = 0; d < width; d++) {
                    o.add(width == 1 ? outName : outName + "[" + d + "]");
                }
                outputs = o;
            }
            double[] base = doubles("base_values");
            Set<Long> ids = new HashSet<>();
            boolean allPositive = true;
            for (int e = 0; e < wId.length; e++) {
                if (wId[e] < 0 || wId[e] >= width) {
                    throw unsupported(where + ": " + pre + "ids[" + e + "] = " + wId[e] + " is not in [0, " + width + ")");
                }
                if (!Double.isFinite(w[e])) {
                    throw unsupported(where + ": " + pre + "weights[" + e + "] is not finite (" + w[e] + ")");
                }
                ids.add(wId[e]);
                allPositive &= !(w[e] < 0);
            }
            boolean binary = classifier && width == 2 && ids.size() == 1;
            if (classifier && !binary && ids.size() != width && base.length != width) {
                throw unsupported(where + ": " + (width - ids.size()) + " of the " + width + " classes have no leaf weight and "
                        + "no base value (ONNX Runtime leaves them out of the label; not supported)");
            }
            if (classifier && width == 2 && !binary) {
                throw unsupported(where + ": two classes with leaf weights for both: ONNX Runtime's label is then "
                        + "score[1] > 0, not the larger score; export binary models with one score (skl2onnx, onnxmltools do)");
            }
            if (binary ? base.length > 1 : base.length != 0 && base.length != width) {
                throw unsupported(where + ": " + base.length + " base_values for " + (binary ? "a binary classifier (0 or 1)"
                        : width + (classifier ? " classes" : " targets") + " (0 or " + width + ")"));
            }
            for (double v : base) {
                if (!Double.isFinite(v)) {
                    throw unsupported(where + ": a base value is not finite (" + v + ")");
                }
            }
            int leafWidth = binary ? 1 : width;
            long leafValues = (long) (count - splits) * width * (classifier ? 1 : width);
            if (leafValues > MAX_LEAF_VALUES) {
                throw ModelFormatException.limitExceeded(ImportLimits.MAX_TREE_NODES, MAX_LEAF_VALUES, leafValues,
                        where + ": leaves × " + (classifier ? "classes" : "targets × targets") + " (values to allocate)");
            }
            // Σ of the weights per (attribute index of the leaf, class or target).
            Map<Integer, double[]> leafSums = new HashMap<>();
            for (int e = 0; e < wTree.length; e++) {
                Map<Long, Integer> nodes = byTree.get(wTree[e]);
                Integer idx = nodes == null ? null : nodes.get(wNode[e]);
                if (idx == null) {
                    throw unsupported(where + ": " + pre + "weights[" + e + "] names node " + wNode[e] + " of tree " + wTree[e]
                            + ", which does not exist");
                }
                if (modes[idx] != Mode.LEAF) {
                    throw unsupported(where + ": " + pre + "weights[" + e + "] names node " + wNode[e] + " of tree " + wTree[e]
                            + ", which is not a LEAF");
                }
                double[] sum = leafSums.computeIfAbsent(idx, k -> new double[leafWidth]);
                sum[binary ? 0 : (int) wId[e]] += weight(w[e]);
            }
            double divisor = aggregate.equals("AVERAGE") ? trees : 1;
            double binaryK = allPositive ? 1.0 : 0.0; // the label is the second one iff s > K/2

            List<Member> members = new ArrayList<>(trees);
            int treeNumber = 0;
            for (Map.Entry<Long, Map<Long, Integer>> tr : byTree.entrySet()) {
                long treeId = tr.getKey();
                Map<Long, Integer> nodes = tr.getValue();
                int root = nodes.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
                boolean first = treeNumber == 0;
                // Breadth-first: internal nodes and leaves numbered in the order reached.
                List<Integer> internal = new ArrayList<>();
                List<Integer> leaves = new ArrayList<>();
                List<int[]> children = new ArrayList<>();
                List<Integer> depth = new ArrayList<>();
                Set<Integer> seen = new HashSet<>();
                ArrayDeque<Integer> queue = new ArrayDeque<>();
                seen.add(root);
                if (modes[root] == Mode.LEAF) {
                    leaves.add(root);
                } else {
                    internal.add(root);
                    depth.add(1);
                    queue.add(0);
                }
                while (!queue.isEmpty()) {
                    int k = queue.poll();
                    int idx = internal.get(k);
                    if (depth.get(k) > limits.maxTreeDepth()) {
                        throw ModelFormatException.limitExceeded(ImportLimits.MAX_TREE_DEPTH, limits.maxTreeDepth(),
                                depth.get(k), where + ": the depth of tree " + treeId);
                    }
                    int[] c = new int[2];
                    long[] targets = {trueIds[idx], falseIds[idx]};
                    for (int side = 0; side < 2; side++) {
                        Integer child = nodes.get(targets[side]);
                        if (child == null) {
                            throw unsupported(where + ": node " + nodeIds[idx] + " of tree " + treeId + " has the "
                                    + (side == 0 ? "true" : "false") + " child " + targets[side] + ", which does not exist");
                        }
                        if (!seen.add(child)) {
                            throw unsupported(where + ": node " + targets[side] + " of tree " + treeId
                                    + " is reached twice (the nodes do not form a tree)");
                        }
                        if (modes[child] == Mode.LEAF) {
                            c[side] = -leaves.size() - 1;
                            leaves.add(child);
                        } else {
                            c[side] = internal.size();
                            internal.add(child);
                            depth.add(depth.get(k) + 1);
                            queue.add(c[side]);
                        }
                    }
                    children.add(c);
                }
                int ni = internal.size();
                int[] feature = new int[ni];
                double[] threshold = new double[ni];
                int[] le = new int[ni];
                int[] gt = new int[ni];
                for (int k = 0; k < ni; k++) {
                    int idx = internal.get(k);
                    feature[k] = (int) featureIds[idx];
                    double t = floatInput ? (double) (float) values[idx] : values[idx];
                    int[] c = children.get(k);
                    switch (modes[idx]) {
                        case LEQ -> { // x ≤ t → true
                            threshold[k] = t;
                            le[k] = c[0];
                            gt[k] = c[1];
                        }
                        case GT -> { // x > t → true
                            threshold[k] = t;
                            gt[k] = c[0];
                            le[k] = c[1];
                        }
                        case LT -> { // x < t → true, i.e. x ≥ t (x > nextDown(t)) → false
                            threshold[k] = Math.nextDown(t);
                            le[k] = c[0];
                            gt[k] = c[1];
                        }
                        case GTE -> { // x ≥ t → true
                            threshold[k] = Math.nextDown(t);
                            gt[k] = c[0];
                            le[k] = c[1];
                        }
                        default -> throw new IllegalStateException();
                    }
                }
                int nl = leaves.size();
                double[][] leafRows = new double[nl][];
                for (int l = 0; l < nl; l++) {
                    double[] sum = leafSums.getOrDefault(leaves.get(l), new double[leafWidth]);
                    double[] row = new double[width];
                    if (binary) {
                        double s = sum[0] / divisor + (first && base.length == 1 ? base[0] : 0);
                        row[0] = (first ? binaryK : 0) - s;
                        row[1] = s;
                    } else {
                        for (int j = 0; j < width; j++) {
                            row[j] = sum[j] / divisor + (first && base.length == width ? base[j] : 0);
                        }
                    }
                    leafRows[l] = row;
                }
                List<DecisionTree> dts = new ArrayList<>();
                try {
                    if (classifier) {
                        int[] labels = new int[nl];
                        for (int l = 0; l < nl; l++) {
                            int best = 0;
                            for (int j = 1; j < width; j++) {
                                if (leafRows[l][j] > leafRows[l][best]) {
                                    best = j;
                                }
                            }
                            labels[l] = best;
                        }
                        dts.add(new DecisionTree(feature, threshold, le, gt, leafRows, labels, -1));
                    } else {
                        for (int d = 0; d < width; d++) {
                            double[][] col = new double[nl][];
                            for (int l = 0; l < nl; l++) {
                                col[l] = new double[] {leafRows[l][d]};
                            }
                            dts.add(new DecisionTree(feature, threshold, le, gt, col, null, d));
                        }
                    }
                } catch (IllegalArgumentException e) {
                    throw unsupported(where + ": tree " + treeId + ": " + e.getMessage());
                }
                members.add(new Member(1.0, dts));
                treeNumber++;
            }
            try {
                return new Built(new TreeEnsembleStructure(members, Combiner.SUM), outputs);
            } catch (IllegalArgumentException e) {
                throw unsupported(where + ": " + e.getMessage());
            }
        }

        /** A leaf weight as ONNX Runtime holds it: a float32 for a float32 input. */
        private double weight(double v) {
            return floatInput ? (double) (float) v : v;
        }

        private void sameLength(int a, String an, int b, String bn) throws ModelFormatException {
            if (a != b) {
                throw unsupported(where + ": " + an + " has " + a + " entries but " + bn + " has " + b
                        + " (the attribute lengths must agree)");
            }
        }

        private String string(String name, String dflt) {
            AttributeProto a = attrs.get(name);
            return a == null ? dflt : a.getS().toStringUtf8();
        }

        private long[] ints(String name) {
            AttributeProto a = attrs.get(name);
            return a == null ? new long[0] : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
        }

        private List<String> strings(String name) {
            AttributeProto a = attrs.get(name);
            return a == null ? List.of() : a.getStringsList().stream().map(com.google.protobuf.ByteString::toStringUtf8).toList();
        }

        /** {@code name} (floats) or {@code name_as_tensor} (a float or double tensor), not both. */
        private double[] doubles(String name) throws ModelFormatException {
            AttributeProto a = attrs.get(name);
            AttributeProto t = attrs.get(name + "_as_tensor");
            if (a != null && t != null) {
                throw unsupported(where + " has both " + name + " and " + name + "_as_tensor");
            }
            if (t != null) {
                return tensor(t.getT(), name + "_as_tensor");
            }
            return a == null ? new double[0] : a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray();
        }

        private double[] tensor(TensorProto t, String what) throws ModelFormatException {
            String w = where + ": " + what;
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
                throw unsupported(w + " keeps its data in an external file");
            }
            long n = 1;
            for (long d : t.getDimsList()) {
                if (d < 0 || d > OnnxModelReader.MAX_TENSOR_ELEMENTS) {
                    throw unsupported(w + " has a dimension " + d);
                }
                n *= d;
                if (n > OnnxModelReader.MAX_TENSOR_ELEMENTS) {
                    throw new ModelFormatException(Reason.TOO_LARGE, w + " has over " + OnnxModelReader.MAX_TENSOR_ELEMENTS + " elements");
                }
            }
            int count = (int) n;
            boolean isFloat = t.getDataType() == TensorProto.DataType.FLOAT_VALUE;
            boolean isDouble = t.getDataType() == TensorProto.DataType.DOUBLE_VALUE;
            if (!isFloat && !isDouble) {
                throw unsupported(w + " must be a float or double tensor");
            }
            if (isDouble && floatInput) {
                throw unsupported(w + " is a double tensor but the trees read float32 values (ONNX Runtime refuses this too: "
                        + "the *_as_tensor type must be the input's)");
            }
            double[] out = new double[count];
            if (t.hasRawData()) {
                int size = isFloat ? 4 : 8;
                if (t.getRawData().size() != (long) size * count) {
                    throw unsupported(w + ": raw_data has " + t.getRawData().size() + " bytes for " + count + " values");
                }
                ByteBuffer bb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < count; i++) {
                    out[i] = isFloat ? bb.getFloat() : bb.getDouble();
                }
            } else {
                int have = isFloat ? t.getFloatDataCount() : t.getDoubleDataCount();
                if (have != count) {
                    throw unsupported(w + " has " + have + " values for " + count);
                }
                for (int i = 0; i < count; i++) {
                    out[i] = isFloat ? t.getFloatData(i) : t.getDoubleData(i);
                }
            }
            return out;
        }
    }
}
