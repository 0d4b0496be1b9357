package io.zkml.compiler.tribuo;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.SimpleProvenanceProto;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.EnumProvenance;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.TreeEnsembleStructure.Combiner;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import org.tribuo.Model;
import org.tribuo.classification.protos.ImmutableLabelInfoProto;
import org.tribuo.classification.protos.LabelProto;
import org.tribuo.classification.sgd.protos.ClassificationLinearSGDProto;
import org.tribuo.common.tree.protos.LeafNodeProto;
import org.tribuo.common.tree.protos.SplitNodeProto;
import org.tribuo.common.tree.protos.TreeModelProto;
import org.tribuo.common.tree.protos.TreeNodeProto;
import org.tribuo.math.protos.DenseTensorProto;
import org.tribuo.math.protos.LinearParametersProto;
import org.tribuo.protos.core.CategoricalIDInfoProto;
import org.tribuo.protos.core.ImmutableFeatureMapProto;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.protos.core.RealIDInfoProto;
import org.tribuo.protos.core.WeightedEnsembleModelProto;
import org.tribuo.regression.protos.DimensionTupleProto;
import org.tribuo.regression.protos.ImmutableRegressionInfoProto;
import org.tribuo.regression.protos.RegressorProto;
import org.tribuo.regression.rtree.protos.IndependentRegressionTreeModelProto;
import org.tribuo.regression.rtree.protos.TreeNodeListProto;
import org.tribuo.regression.sgd.protos.RegressionLinearSGDProto;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a Tribuo model in Tribuo's protobuf format ({@code Model.serializeToStream} /
 * {@code serializeToFile}, Tribuo 4.3) from untrusted bytes.
 *
 * <p>Security: Java serialization is refused outright (the bytes are never given to an
 * {@code ObjectInputStream}). Tribuo's protobuf reader instantiates classes named inside the
 * document by reflection ({@code Class.forName}, which also runs static initializers), and so
 * does OLCUT's provenance reader. So before Tribuo sees the bytes, this reader parses the whole
 * protobuf tree itself and checks every class name in it:
 * <ul>
 *   <li>every Tribuo {@code class_name} must be on a fixed allow-list (the classes the supported linear SGD,
 *       CART tree and tree-ensemble models are made of; docs/tribuo-models.md);</li>
 *   <li>every {@code google.protobuf.Any} must hold one of a fixed set of message types, which are
 *       unpacked and checked recursively (anything else is refused);</li>
 *   <li>every provenance class name must be a class under {@code org.tribuo.} or
 *       {@code com.oracle.labs.mlrg.olcut.} that implements OLCUT's {@code Provenance} (checked by
 *       loading it <em>without</em> initializing it), and enum provenance types must be such enums.</li>
 * </ul>
 * Then the structure of tree models and the {@link ImportLimits} are checked on the protobuf
 * (depth, ensemble members, internal nodes), and only then is {@link Model#deserialize(ModelProto)} called.
 */
public final class TribuoModelReader {

    /** Largest upload accepted. */
    public static final int MAX_BYTES = 16 * 1024 * 1024;
    /** Largest number of features of a supported model. */
    public static final int MAX_FEATURES = 4096;
    /** Largest number of outputs (labels or regression dimensions) of a supported model. */
    public static final int MAX_OUTPUTS = 256;
    /** Largest tensor inside a supported model: outputs × (features + bias). */
    static final long MAX_TENSOR_ELEMENTS = (long) MAX_OUTPUTS * (MAX_FEATURES + 1);

    static final String CLASSIFICATION_SGD = "org.tribuo.classification.sgd.linear.LinearSGDModel";
    static final String REGRESSION_SGD = "org.tribuo.regression.sgd.linear.LinearSGDModel";
    /** CART classification tree (CARTClassificationTrainer); a TreeModel of regressors is refused. */
    static final String TREE = "org.tribuo.common.tree.TreeModel";
    /** CART regression, one tree per output dimension (CARTRegressionTrainer). */
    static final String REGRESSION_TREE = "org.tribuo.regression.rtree.IndependentRegressionTreeModel";
    /** RandomForestTrainer, ExtraTreesTrainer, createEnsembleFromExistingModels: of the two tree classes above. */
    static final String ENSEMBLE = "org.tribuo.ensemble.WeightedEnsembleModel";
    static final String VOTING = "org.tribuo.classification.ensemble.VotingCombiner";
    static final String FULLY_WEIGHTED_VOTING = "org.tribuo.classification.ensemble.FullyWeightedVotingCombiner";
    static final String AVERAGING = "org.tribuo.regression.ensemble.AveragingCombiner";
    static final String LABEL_INFO = "org.tribuo.classification.ImmutableLabelInfo";
    static final String REGRESSION_INFO = "org.tribuo.regression.ImmutableRegressionInfo";
    /** Model classes this compiler supports. */
    public static final List<String> SUPPORTED_MODEL_CLASSES = List.of(CLASSIFICATION_SGD, REGRESSION_SGD,
            TREE, REGRESSION_TREE, ENSEMBLE);

    /**
     * Every Tribuo class a supported model may name (models, domains, outputs, parameters,
     * normalizers, tree nodes, ensemble combiners). Tribuo 4.3 writes every tree node, split nodes
     * included, with class name LeafNode ({@code SplitNode.serialize}) and picks the node type from
     * the Any's message type; SplitNode is allowed for a writer without that slip.
     */
    private static final Set<String> ALLOWED_TRIBUO_CLASSES = Set.of(
            CLASSIFICATION_SGD, REGRESSION_SGD, TREE, REGRESSION_TREE, ENSEMBLE,
            "org.tribuo.common.tree.LeafNode", "org.tribuo.common.tree.SplitNode",
            VOTING, FULLY_WEIGHTED_VOTING, AVERAGING,
            "org.tribuo.ImmutableFeatureMap", "org.tribuo.RealIDInfo", "org.tribuo.CategoricalIDInfo",
            "org.tribuo.classification.ImmutableLabelInfo", "org.tribuo.classification.Label",
            "org.tribuo.regression.ImmutableRegressionInfo", "org.tribuo.regression.Regressor",
            "org.tribuo.regression.Regressor$DimensionTuple",
            "org.tribuo.math.LinearParameters", "org.tribuo.math.la.DenseMatrix", "org.tribuo.math.la.DenseVector",
            "org.tribuo.math.util.NoopNormalizer", "org.tribuo.math.util.ExpNormalizer",
            "org.tribuo.math.util.Normalizer", "org.tribuo.math.util.SigmoidNormalizer");

    /** Message types an {@code Any} inside a supported model may hold. */
    private static final Map<String, Message> ALLOWED_ANY_TYPES = Stream.<Message>of(
                    ClassificationLinearSGDProto.getDefaultInstance(), RegressionLinearSGDProto.getDefaultInstance(),
                    ImmutableFeatureMapProto.getDefaultInstance(), RealIDInfoProto.getDefaultInstance(),
                    CategoricalIDInfoProto.getDefaultInstance(),
                    ImmutableLabelInfoProto.getDefaultInstance(), LabelProto.getDefaultInstance(),
                    ImmutableRegressionInfoProto.getDefaultInstance(), RegressorProto.getDefaultInstance(),
                    DimensionTupleProto.getDefaultInstance(),
                    LinearParametersProto.getDefaultInstance(), DenseTensorProto.getDefaultInstance(),
                    TreeModelProto.getDefaultInstance(), IndependentRegressionTreeModelProto.getDefaultInstance(),
                    SplitNodeProto.getDefaultInstance(), LeafNodeProto.getDefaultInstance(),
                    WeightedEnsembleModelProto.getDefaultInstance())
            .collect(Collectors.toUnmodifiableMap(m -> m.getDescriptorForType().getFullName(), Function.identity()));

    private static final List<String> PROVENANCE_PACKAGES = List.of("org.tribuo.", "com.oracle.labs.mlrg.olcut.");
    private static final int MAX_DEPTH = 64;

    private TribuoModelReader() {
    }

    /** Reads a supported Tribuo model within {@link ImportLimits#defaults()}. */
    public static ImportedModel read(byte[] bytes) throws ModelFormatException {
        return read(bytes, ImportLimits.defaults());
    }

    /**
     * Reads a supported Tribuo model.
     *
     * @throws ModelFormatException EMPTY, TOO_LARGE, JAVA_SERIALIZED, NOT_PROTOBUF (not a valid Tribuo
     *                              protobuf model), UNSUPPORTED_MODEL_TYPE or LIMIT_EXCEEDED (checked on
     *                              the protobuf, before Tribuo builds the model)
     */
    public static ImportedModel read(byte[] bytes, ImportLimits limits) throws ModelFormatException {
        java.util.Objects.requireNonNull(limits, "limits");
        if (bytes == null || bytes.length == 0) {
            throw new ModelFormatException(Reason.EMPTY, "the model file is empty");
        }
        if (bytes.length > MAX_BYTES) {
            throw new ModelFormatException(Reason.TOO_LARGE,
                    "the model file is " + bytes.length + " bytes; the limit is " + MAX_BYTES + " bytes");
        }
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xAC && (bytes[1] & 0xff) == 0xED) {
            throw new ModelFormatException(Reason.JAVA_SERIALIZED,
                    "this is a Java-serialized object, which is never accepted (deserializing untrusted Java objects "
                            + "can run arbitrary code); save the model in Tribuo's protobuf format "
                            + "(Model.serializeToFile / serializeToStream)");
        }
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw notProtobuf("the file is not a Tribuo model (not a valid protobuf message: "
                    + ProtobufErrors.describe(e, ProtobufErrors.DEFAULT_RECURSION_LIMIT) + ")", e);
        }
        String className = proto.getClassName();
        if (className.isEmpty() || !proto.hasSerializedData()) {
            throw notProtobuf("the file is not a Tribuo protobuf model (no model class or no model data)", null);
        }
        if (!SUPPORTED_MODEL_CLASSES.contains(className)) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "model type \"" + printable(className) + "\" is not supported; supported: Tribuo linear SGD "
                            + "classification and regression, CART trees, and weighted ensembles of CART trees "
                            + SUPPORTED_MODEL_CLASSES);
        }
        if (proto.getVersion() != 0) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "serialized model version " + proto.getVersion() + " of " + className
                            + " is not supported (Tribuo 4.3 writes version 0)");
        }
        // Check the whole tree before anything is instantiated by reflection.
        checkTree(proto, 0);
        // Check the structure and the size limits before Tribuo builds anything.
        checkShape(proto, limits);

        Model<?> model;
        try {
            model = Model.deserialize(proto);
        } catch (RuntimeException e) {
            throw notProtobuf("the Tribuo model data is invalid: " + printable(rootMessage(e)), e);
        }
        try {
            return className.equals(CLASSIFICATION_SGD) || className.equals(REGRESSION_SGD)
                    ? TribuoLinearModel.of(model, proto)
                    : TribuoTreeModel.of(model, proto, limits);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw notProtobuf("the Tribuo model data is inconsistent: " + printable(e.getMessage()), e);
        }
    }

    /** The combiner of a supported ensemble, by Tribuo class name. */
    static Combiner combinerOf(String className) throws ModelFormatException {
        return switch (className) {
            case VOTING -> Combiner.VOTING;
            case FULLY_WEIGHTED_VOTING -> Combiner.FULLY_WEIGHTED_VOTING;
            case AVERAGING -> Combiner.AVERAGING;
            default -> throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, "ensemble combiner \""
                    + printable(className) + "\" is not supported; supported: " + List.of(VOTING, FULLY_WEIGHTED_VOTING, AVERAGING));
        };
    }

    /**
     * Checks a tree or ensemble model on its protobuf, before Tribuo builds it: the model and member
     * kinds, the combiner, the weights, that every tree's node list is one well-formed binary tree
     * as Tribuo writes it, and the {@link ImportLimits}. Nothing here allocates more than the parsed
     * protobuf already holds.
     */
    private static void checkShape(ModelProto proto, ImportLimits limits) throws ModelFormatException {
        String cls = proto.getClassName();
        if (cls.equals(CLASSIFICATION_SGD) || cls.equals(REGRESSION_SGD)) {
            return;
        }
        List<List<TreeNodeProto>> trees = new java.util.ArrayList<>();
        switch (cls) {
            case TREE, REGRESSION_TREE -> addTrees(proto, cls.equals(TREE) ? LABEL_INFO : REGRESSION_INFO, trees);
            case ENSEMBLE -> {
                WeightedEnsembleModelProto ep = unpack(proto, WeightedEnsembleModelProto.class);
                int members = ep.getModelsCount();
                if (members > limits.maxEnsembleMembers()) {
                    throw ModelFormatException.limitExceeded(ImportLimits.MAX_ENSEMBLE_MEMBERS, limits.maxEnsembleMembers(),
                            members, "the number of ensemble members");
                }
                if (members == 0 || ep.getWeightsCount() != members) {
                    throw notProtobuf("the ensemble has " + members + " members and " + ep.getWeightsCount() + " weights", null);
                }
                for (int m = 0; m < members; m++) {
                    float w = ep.getWeights(m);
                    if (!Float.isFinite(w) || w <= 0) {
                        throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                                "ensemble member " + m + " has weight " + w + "; only finite positive weights are supported");
                    }
                }
                Combiner combiner = combinerOf(ep.getCombiner().getClassName());
                String domain = combiner == Combiner.AVERAGING ? REGRESSION_INFO : LABEL_INFO;
                requireDomain(ep.getMetadata(), domain, "ensemble with " + ep.getCombiner().getClassName());
                String memberClass = combiner == Combiner.AVERAGING ? REGRESSION_TREE : TREE;
                for (ModelProto member : ep.getModelsList()) {
                    if (!member.getClassName().equals(memberClass)) {
                        throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, "ensemble member type \""
                                + printable(member.getClassName()) + "\" is not supported: the members of an ensemble with "
                                + ep.getCombiner().getClassName() + " must be " + memberClass);
                    }
                    if (member.getVersion() != 0) {
                        throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, "serialized member version "
                                + member.getVersion() + " is not supported (Tribuo 4.3 writes version 0)");
                    }
                    addTrees(member, domain, trees);
                }
            }
            default -> throw new IllegalStateException(cls);
        }
        long internal = 0;
        for (List<TreeNodeProto> t : trees) {
            for (TreeNodeProto node : t) {
                if (node.getSerializedData().is(SplitNodeProto.class)) {
                    internal++;
                }
            }
        }
        if (internal > limits.maxTreeNodes()) {
            throw ModelFormatException.limitExceeded(ImportLimits.MAX_TREE_NODES, limits.maxTreeNodes(), internal,
                    "the number of internal tree nodes (all trees together)");
        }
        for (List<TreeNodeProto> t : trees) {
            int depth = checkTreeNodes(t);
            if (depth > limits.maxTreeDepth()) {
                throw ModelFormatException.limitExceeded(ImportLimits.MAX_TREE_DEPTH, limits.maxTreeDepth(), depth,
                        "a tree's depth");
            }
        }
    }

    /** The node lists of a TreeModel or an IndependentRegressionTreeModel (one per dimension). */
    private static void addTrees(ModelProto proto, String domain, List<List<TreeNodeProto>> trees) throws ModelFormatException {
        if (proto.getClassName().equals(TREE)) {
            TreeModelProto tp = unpack(proto, TreeModelProto.class);
            requireDomain(tp.getMetadata(), domain, TREE);
            trees.add(tp.getNodesList());
        } else {
            IndependentRegressionTreeModelProto rp = unpack(proto, IndependentRegressionTreeModelProto.class);
            requireDomain(rp.getMetadata(), domain, REGRESSION_TREE);
            if (rp.getNodesCount() == 0) {
                throw notProtobuf("a regression tree model has no trees", null);
            }
            for (TreeNodeListProto l : rp.getNodesMap().values()) {
                trees.add(l.getNodesList());
            }
        }
    }

    private static void requireDomain(org.tribuo.protos.core.ModelDataProto metadata, String domain, String what)
            throws ModelFormatException {
        String actual = metadata.getOutputDomain().getClassName();
        if (actual.isEmpty()) {
            throw notProtobuf("the model has no output domain", null);
        }
        if (!actual.equals(domain)) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, printable(what) + " with output domain \""
                    + printable(actual) + "\" is not supported (expected " + domain
                    + (what.equals(TREE) ? "; a TreeModel of regressors, from CARTJointRegressionTrainer, is not supported" : "")
                    + ")");
        }
    }

    private static <M extends Message> M unpack(ModelProto proto, Class<M> type) throws ModelFormatException {
        try {
            return proto.getSerializedData().unpack(type);
        } catch (InvalidProtocolBufferException e) {
            throw notProtobuf("the " + printable(proto.getClassName()) + " data is not a " + type.getSimpleName(), e);
        }
    }

    /**
     * Checks that a node list is one binary tree as Tribuo writes it ({@code TreeModel.serializeToNodes}):
     * node {@code i} has {@code cur_idx = i}, the root is node 0 with parent −1, every split's two
     * children are distinct later nodes whose {@code parent_idx} is the split, and every node but the
     * root is the child of exactly one split. Returns the depth (the most splits on a root-to-leaf path).
     */
    private static int checkTreeNodes(List<TreeNodeProto> nodes) throws ModelFormatException {
        int n = nodes.size();
        if (n == 0) {
            throw notProtobuf("a tree has no nodes", null);
        }
        int[] parent = new int[n];
        int[][] children = new int[n][];
        for (int i = 0; i < n; i++) {
            Any a = nodes.get(i).getSerializedData();
            int cur;
            try {
                if (a.is(SplitNodeProto.class)) {
                    SplitNodeProto s = a.unpack(SplitNodeProto.class);
                    cur = s.getCurIdx();
                    parent[i] = s.getParentIdx();
                    children[i] = new int[]{s.getLessThanOrEqualIdx(), s.getGreaterThanIdx()};
                } else if (a.is(LeafNodeProto.class)) {
                    LeafNodeProto l = a.unpack(LeafNodeProto.class);
                    cur = l.getCurIdx();
                    parent[i] = l.getParentIdx();
                } else {
                    throw notProtobuf("a tree node holds " + printable(a.getTypeUrl()) + ", not a split or a leaf", null);
                }
            } catch (InvalidProtocolBufferException e) {
                throw notProtobuf("invalid tree node: " + ProtobufErrors.describe(e, ProtobufErrors.DEFAULT_RECURSION_LIMIT), e);
            }
            if (cur != i || (i == 0 ? parent[i] != -1 : parent[i] < 0 || parent[i] >= i)) {
                throw notProtobuf("malformed tree: node " + i + " has index " + cur + " and parent " + parent[i], null);
            }
        }
        boolean[] claimed = new boolean[n];
        int[] depth = new int[n];
        int max = 0;
        for (int i = 0; i < n; i++) {
            if (children[i] == null) {
                max = Math.max(max, depth[i]);
                continue;
            }
            for (int c : children[i]) {
                if (c <= i || c >= n || claimed[c] || parent[c] != i) {
                    throw notProtobuf("malformed tree: split node " + i + " has child " + c, null);
                }
                claimed[c] = true;
                depth[c] = depth[i] + 1;
            }
        }
        for (int i = 1; i < n; i++) {
            if (!claimed[i]) {
                throw notProtobuf("malformed tree: node " + i + " is not the child of any split", null);
            }
        }
        return max;
    }

    private static ModelFormatException notProtobuf(String message, Throwable cause) {
        return new ModelFormatException(Reason.NOT_PROTOBUF, message, cause);
    }

    /** Walks every field of the message; unpacks and checks every Any; checks every class name. */
    private static void checkTree(Message m, int depth) throws ModelFormatException {
        if (depth > MAX_DEPTH) {
            throw notProtobuf("the model data is nested too deeply", null);
        }
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            List<?> values = f.isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
            for (Object v : values) {
                if (v instanceof Any any) {
                    checkAny(any, depth);
                } else if (v instanceof Message child) {
                    checkTree(child, depth + 1);
                } else if (v instanceof String s) {
                    checkClassNameField(m, f, s);
                }
            }
        }
    }

    private static void checkAny(Any any, int depth) throws ModelFormatException {
        if (any.getTypeUrl().isEmpty() && any.getValue().isEmpty()) {
            return; // an empty Any: classes without serialized state (normalizers)
        }
        String url = any.getTypeUrl();
        String type = url.substring(url.lastIndexOf('/') + 1);
        Message prototype = ALLOWED_ANY_TYPES.get(type);
        if (prototype == null || !url.equals("type.googleapis.com/" + type)) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "the model contains data of type \"" + printable(url) + "\", which a supported model does not use");
        }
        Message unpacked;
        try {
            unpacked = prototype.getParserForType().parseFrom(any.getValue());
        } catch (InvalidProtocolBufferException ex) {
            throw notProtobuf("invalid " + type + " inside the model: " + ProtobufErrors.describe(ex, ProtobufErrors.DEFAULT_RECURSION_LIMIT), ex);
        }
        if (unpacked instanceof DenseTensorProto tensor) {
            checkTensor(tensor);
        }
        checkTree(unpacked, depth + 1);
    }

    /**
     * Tribuo checks a dense tensor's value count against the int product of its dimensions, which
     * overflows: dimensions [65536, 65537] with 65536 values would pass and then allocate 34 GB.
     * Check the exact product, and the size limits, before Tribuo allocates anything.
     */
    private static void checkTensor(DenseTensorProto tensor) throws ModelFormatException {
        long product = 1;
        for (int d : tensor.getDimensionsList()) {
            if (d < 1) {
                throw notProtobuf("a tensor in the model has a dimension of " + d, null);
            }
            product *= d;
            if (product > MAX_TENSOR_ELEMENTS) {
                throw new ModelFormatException(Reason.TOO_LARGE, "a tensor in the model has more than "
                        + MAX_TENSOR_ELEMENTS + " elements (dimensions " + tensor.getDimensionsList() + ")");
            }
        }
        if (tensor.getValues().size() != product * Double.BYTES) {
            throw notProtobuf("a tensor in the model claims dimensions " + tensor.getDimensionsList() + " but holds "
                    + tensor.getValues().size() + " bytes of values", null);
        }
    }

    private static void checkClassNameField(Message container, FieldDescriptor f, String value) throws ModelFormatException {
        String field = f.getName();
        String container_ = container.getDescriptorForType().getFullName();
        if (container_.startsWith("olcut.")) {
            if (field.equals("provenance_class_name")) {
                checkProvenanceClass(value, Provenance.class);
            } else if (field.equals("additional") && container instanceof SimpleProvenanceProto smp
                    && smp.getProvenanceClassName().equals(EnumProvenance.class.getName())) {
                checkProvenanceClass(value, Enum.class);
            }
            // object_class_name and the other strings are only read as text by OLCUT.
            return;
        }
        if (field.equals("class_name") && !ALLOWED_TRIBUO_CLASSES.contains(value)) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "the model contains a component of class \"" + printable(value)
                            + "\", which a supported model does not use");
        }
    }

    /** Loads the class WITHOUT initializing it and checks package and type. */
    private static void checkProvenanceClass(String name, Class<?> expected) throws ModelFormatException {
        boolean allowedPackage = PROVENANCE_PACKAGES.stream().anyMatch(name::startsWith);
        boolean ok = false;
        if (allowedPackage) {
            try {
                Class<?> c = Class.forName(name, false, TribuoModelReader.class.getClassLoader());
                ok = expected.isAssignableFrom(c);
            } catch (ClassNotFoundException | LinkageError e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "the model's provenance names class \"" + printable(name)
                            + "\", which is not a Tribuo/OLCUT " + expected.getSimpleName() + " class");
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? "unreadable model data" : c.getMessage();
    }

    /** Bounded, printable text for messages (never echo arbitrary bytes). */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(120).forEach(cp -> b.appendCodePoint(cp >= 0x20 && cp < 0x7f ? cp : '?'));
        return s.codePointCount(0, s.length()) > 120 ? b + "..." : b.toString();
    }
}
