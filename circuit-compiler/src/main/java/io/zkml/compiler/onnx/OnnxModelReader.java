package io.zkml.compiler.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.zkml.compiler.Task;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.NetworkStructure;
import io.zkml.compiler.tribuo.ModelFormatException;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import io.zkml.compiler.tribuo.ModelFormatException.UnsupportedOperator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an ONNX {@code ModelProto} (the generated classes of ONNX's own schema, {@code
 * ai.onnx.proto.OnnxMl} from {@code org.tribuo:tribuo-util-onnx}; ADR 0010) and folds its graph
 * into a {@link NetworkStructure}: every linear operator (Gemm, MatMul, Add, Sub, Mul and Div by
 * constants, Flatten, Reshape, Identity, Dropout) is composed, in double precision, into the affine
 * map between two ReLUs; a Softmax right before the final ArgMax is dropped (it is monotone).
 *
 * <p>Untrusted bytes: the parse is bounded ({@link #MAX_BYTES}, a protobuf recursion limit of
 * {@link #RECURSION_LIMIT}); every tensor's element count is checked against {@link
 * #MAX_TENSOR_ELEMENTS} before anything is allocated for it, and the folding's work against
 * {@link #MAX_FOLD_WORK}. Nothing here runs code the document names. Any operator outside {@link
 * #SUPPORTED_OPERATORS} is refused, all of them listed, before the graph is interpreted.
 */
public final class OnnxModelReader {

    /** Largest accepted file (the service's upload limit). */
    public static final int MAX_BYTES = 16 * 1024 * 1024;
    /** Protobuf nesting limit (ONNX models of this slice nest 5 deep). */
    public static final int RECURSION_LIMIT = 32;
    /** The most elements of one tensor (initializer, input, or folded weight matrix). */
    public static final long MAX_TENSOR_ELEMENTS = 1L << 24;
    /** The most elements of all initializers together. */
    public static final long MAX_TOTAL_ELEMENTS = 1L << 25;
    /** The most nodes of the graph. */
    public static final int MAX_NODES = 10_000;
    /** The most multiply-adds that folding the linear operators may take. */
    public static final long MAX_FOLD_WORK = 1L << 31;
    /** Default-domain opsets accepted ({@code ai.onnx}). */
    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 21;
    /** {@code ai.onnx.ml} opsets accepted (imported by exporters; none of its operators is supported yet). */
    public static final int MIN_ML_OPSET = 1;
    public static final int MAX_ML_OPSET = 3;
    /** ONNX IR versions accepted (3 = ONNX 1.1 … 10 = ONNX 1.16/1.17). */
    public static final int MIN_IR_VERSION = 3;
    public static final int MAX_IR_VERSION = 10;

    /** The operators of the default domain that this reader folds or maps (docs/onnx-models.md). */
    public static final List<String> SUPPORTED_OPERATORS = List.of("Gemm", "MatMul", "Add", "Sub", "Mul", "Div",
            "Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Flatten", "Reshape", "Identity", "Dropout", "Softmax", "ArgMax", "Constant", "BatchNormalization",
            "Transpose", "Cast", "Conv", "MaxPool", "AveragePool", "GlobalAveragePool");

    /**
     * The operators of {@code ai.onnx.ml} that this reader maps: a linear model (skl2onnx's export of
     * LogisticRegression, LinearSVC, LinearRegression, …) becomes a one-layer network; Normalizer and
     * ZipMap may only turn its probabilities into a graph output, which is not proven.
     */
    public static final List<String> SUPPORTED_ML_OPERATORS = List.of("LinearClassifier", "LinearRegressor", "Normalizer",
            "ZipMap", "ArrayFeatureExtractor", "TreeEnsembleClassifier", "TreeEnsembleRegressor");

    private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    private static final int DOUBLE = TensorProto.DataType.DOUBLE_VALUE;
    private static final int INT64 = TensorProto.DataType.INT64_VALUE;

    private OnnxModelReader() {
    }

    /**
     * Reads a model.
     *
     * @param featureNames names of the flat input values, or null for {@code X[0]}, {@code X[1]}, …
     * @throws ModelFormatException EMPTY, TOO_LARGE, JAVA_SERIALIZED, NOT_PROTOBUF (not an ONNX model,
     *                              truncated), UNSUPPORTED_OPERATOR (every unsupported node listed),
     *                              UNSUPPORTED_MODEL_TYPE (a graph outside this slice: several inputs,
     *                              dynamic shapes, external data, an opset outside the range, an
     *                              operator used in a way that is not supported)
     * @throws IllegalArgumentException featureNames do not fit the input
     */
    public static OnnxModel read(byte[] bytes, List<String> featureNames) throws ModelFormatException {
        ImportedModel model = readModel(bytes, featureNames, null);
        if (!(model instanceof OnnxModel network)) {
            throw unsupported("the graph is a tree ensemble, not a network (read it with readModel)");
        }
        return network;
    }

    /**
     * Reads a network ({@link OnnxModel}) or a tree ensemble ({@link OnnxTreeModel}).
     *
     * @param limits tree size limits (null: {@link ImportLimits#defaults()})
     */
    public static ImportedModel readModel(byte[] bytes, List<String> featureNames, ImportLimits limits)
            throws ModelFormatException {
        ModelProto m = parse(bytes);
        checkVersions(m);
        GraphProto g = m.getGraph();
        if (g.getNodeCount() > MAX_NODES) {
            throw new ModelFormatException(Reason.TOO_LARGE, "the graph has " + g.getNodeCount() + " nodes; the limit is " + MAX_NODES);
        }
        checkOperators(g);
        // issue 6b: a graph with an ai.onnx.ml TreeEnsembleClassifier/Regressor has its own reader
        if (OnnxTreeReader.isTreeGraph(g)) {
            return OnnxTreeReader.read(m, g, featureNames, limits);
        }
        // issue 6 (CNN): a graph with a Conv or a pool has its own reader (OnnxConvReader)
        if (OnnxConvReader.isConvGraph(g)) {
            return OnnxConvReader.read(m, g, featureNames);
        }
        return new Folder(m, g).fold(featureNames);
    }

    static ModelProto parse(byte[] bytes) throws ModelFormatException {
        if (bytes == null || bytes.length == 0) {
            throw new ModelFormatException(Reason.EMPTY, "the model file is empty");
        }
        if (bytes.length > MAX_BYTES) {
            throw new ModelFormatException(Reason.TOO_LARGE,
                    "the model file is " + bytes.length + " bytes; the limit is " + MAX_BYTES + " bytes");
        }
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xAC && (bytes[1] & 0xff) == 0xED) {
            throw new ModelFormatException(Reason.JAVA_SERIALIZED,
                    "this is a Java-serialized object, which is never accepted; export the model to ONNX");
        }
        ModelProto m;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            in.setSizeLimit(bytes.length);
            m = ModelProto.parseFrom(in);
        } catch (java.io.IOException e) { // InvalidProtocolBufferException: truncated, malformed, too deep
            throw new ModelFormatException(Reason.NOT_PROTOBUF,
                    "the file is not an ONNX model (not a valid ONNX ModelProto: "
                            + io.zkml.compiler.tribuo.ProtobufErrors.describe(e, RECURSION_LIMIT) + ")", e);
        }
        if (m.getIrVersion() <= 0 || !m.hasGraph() || m.getOpsetImportCount() == 0) {
            throw new ModelFormatException(Reason.NOT_PROTOBUF,
                    "the file is not an ONNX model (no ir_version, opset_import or graph)");
        }
        return m;
    }

    private static void checkVersions(ModelProto m) throws ModelFormatException {
        if (m.getIrVersion() < MIN_IR_VERSION || m.getIrVersion() > MAX_IR_VERSION) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, "ONNX IR version " + m.getIrVersion()
                    + " is not supported; supported: " + MIN_IR_VERSION + " to " + MAX_IR_VERSION);
        }
        boolean defaultDomain = false;
        for (OnnxMl.OperatorSetIdProto o : m.getOpsetImportList()) {
            String d = o.getDomain();
            if (d.isEmpty() || d.equals("ai.onnx")) {
                defaultDomain = true;
                if (o.getVersion() < MIN_OPSET || o.getVersion() > MAX_OPSET) {
                    throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, "opset " + o.getVersion()
                            + " of the default domain (ai.onnx) is not supported; supported: " + MIN_OPSET + " to " + MAX_OPSET
                            + " (re-export with opset_version=" + MIN_OPSET + " or later)");
                }
            } else if (d.equals("ai.onnx.ml") && (o.getVersion() < MIN_ML_OPSET || o.getVersion() > MAX_ML_OPSET)) {
                throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, "opset " + o.getVersion()
                        + " of ai.onnx.ml is not supported; supported: " + MIN_ML_OPSET + " to " + MAX_ML_OPSET);
            }
        }
        if (!defaultDomain) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, "the model imports no opset of the default domain (ai.onnx)");
        }
    }

    /** Every node whose operator is not supported, listed together. */
    private static void checkOperators(GraphProto g) throws ModelFormatException {
        List<UnsupportedOperator> bad = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String d = n.getDomain();
            boolean ok = (d.isEmpty() || d.equals("ai.onnx")) && SUPPORTED_OPERATORS.contains(n.getOpType())
                    || d.equals("ai.onnx.ml") && SUPPORTED_ML_OPERATORS.contains(n.getOpType());
            if (!ok) {
                bad.add(new UnsupportedOperator(printable(d.isEmpty() ? n.getOpType() : d + "." + n.getOpType()),
                        nodeName(n, i)));
            }
        }
        if (!bad.isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (UnsupportedOperator u : bad) {
                b.append(b.isEmpty() ? "" : ", ").append(u.opType()).append(" (node \"").append(u.node()).append("\")");
            }
            throw ModelFormatException.unsupportedOperators(bad, bad.size() + " unsupported operator"
                    + (bad.size() == 1 ? "" : "s") + ": " + b + "; supported: " + String.join(", ", SUPPORTED_OPERATORS)
                    + " and ai.onnx.ml." + String.join(", ai.onnx.ml.", SUPPORTED_ML_OPERATORS));
        }
    }

    static String nodeName(NodeProto n, int index) {
        return n.getName().isEmpty() ? "#" + index + " " + printable(n.getOpType()) : printable(n.getName());
    }

    /** At most 200 printable characters (names come from untrusted files and end up in messages). */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> b.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return s.codePointCount(0, s.length()) > 200 ? b + "..." : b.toString();
    }

    static ModelFormatException unsupported(String message) {
        return new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE, message);
    }

    // ------------------------------------------------------------------------------------------
    // values of the symbolic interpretation

    /** What a graph tensor is: a constant, an affine function of the current base vector, or the label. */
    private sealed interface Val permits Const, Ints, Strings, Affine, Label, Unusable {
    }

    /** A string constant (class labels). */
    private record Strings(long[] shape, List<String> data) implements Val {
    }

    /** A float constant (initializer or Constant node), row-major. */
    private record Const(long[] shape, double[] data) implements Val {
    }

    /** An int64 constant (Reshape's shape). */
    private record Ints(long[] shape, long[] data) implements Val {
    }

    /**
     * {@code value[j] = Σ_t w[j][t]·base[t] + b[j]} over the vector {@code base} (the input, or the
     * output of the last ReLU); {@code w == null} is the identity. {@code softmax}: a Softmax was
     * applied (only an ArgMax may read it).
     */
    private record Affine(long[] shape, double[][] w, double[] b, int base, boolean softmax, String softmaxNode)
            implements Val {
        int size() {
            return b.length;
        }
    }

    /**
     * The output of the final ArgMax (or LinearClassifier) over an affine value; {@code classLabels}
     * names the classes in score order (null: the indices).
     */
    private record Label(Affine scores, String node, List<String> classLabels) implements Val {
        Label(Affine scores, String node) {
            this(scores, node, null);
        }
    }

    /** A value no node may read (Dropout's mask). */
    private record Unusable(String why) implements Val {
    }

    // ------------------------------------------------------------------------------------------

    private static final class Folder {
        private final ModelProto model;
        private final GraphProto g;
        private final Map<String, Val> vals = new HashMap<>();
        private final List<NetworkStructure.Layer> layers = new ArrayList<>();
        private int base;
        private int baseSize;
        private long work;
        private long totalElements;

        Folder(ModelProto model, GraphProto g) {
            this.model = model;
            this.g = g;
        }

        OnnxModel fold(List<String> featureNames) throws ModelFormatException {
            if (g.getSparseInitializerCount() > 0) {
                throw unsupported("sparse initializers are not supported");
            }
            Set<String> initNames = new HashSet<>();
            for (TensorProto t : g.getInitializerList()) {
                initNames.add(t.getName());
                vals.put(t.getName(), tensor(t, "initializer \"" + printable(t.getName()) + "\""));
            }
            List<ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !initNames.contains(v.getName())).toList();
            if (inputs.size() != 1) {
                throw unsupported("the graph has " + inputs.size() + " inputs (besides initializers); exactly one is supported");
            }
            ValueInfoProto in = inputs.getFirst();
            long[] inShape = inputShape(in);
            int n = Math.toIntExact(product(inShape, "input \"" + printable(in.getName()) + "\""));
            vals.put(in.getName(), new Affine(inShape, null, new double[n], 0, false, null));
            base = 0;
            baseSize = n;

            Map<String, Integer> uses = new HashMap<>();
            for (NodeProto node : g.getNodeList()) {
                for (String s : node.getInputList()) {
                    uses.merge(s, 1, Integer::sum);
                }
            }
            for (int i = 0; i < g.getNodeCount(); i++) {
                NodeProto node = g.getNode(i);
                String where = node.getOpType() + " node \"" + nodeName(node, i) + "\"";
                apply(node, where);
            }
            String outName;
            if (g.getOutputCount() == 1) {
                outName = g.getOutput(0).getName();
            } else {
                // a classifier's label beside its probabilities (skl2onnx): the label is proven, the rest not
                List<String> labels = g.getOutputList().stream().map(ValueInfoProto::getName)
                        .filter(o -> vals.get(o) instanceof Label).toList();
                boolean othersUnusable = g.getOutputList().stream().map(ValueInfoProto::getName)
                        .allMatch(o -> vals.get(o) instanceof Label || vals.get(o) instanceof Unusable
                                || vals.get(o) instanceof Affine a && a.softmax()); // probabilities: not proven
                if (labels.size() != 1 || !othersUnusable) {
                    throw unsupported("the graph has " + g.getOutputCount() + " outputs; exactly one is supported, or a "
                            + "classifier's label beside its probabilities");
                }
                outName = labels.getFirst();
            }
            Val out = vals.get(outName);
            if (out == null) {
                throw unsupported("the graph output \"" + printable(outName) + "\" is written by no node");
            }
            Task task;
            List<String> outputs = new ArrayList<>();
            String inName = printable(in.getName());
            switch (out) {
                case Label l -> {
                    finalLayer(l.scores(), l.node());
                    task = Task.CLASSIFICATION;
                    for (int k = 0; k < l.scores().size(); k++) {
                        outputs.add(l.classLabels() == null ? Integer.toString(k) : l.classLabels().get(k));
                    }
                }
                case Affine a -> {
                    if (a.softmax()) {
                        throw unsupported("Softmax node \"" + a.softmaxNode() + "\" writes the graph output; a Softmax is only "
                                + "supported right before an ArgMax (probabilities are not proven)");
                    }
                    boolean isLastLayer = a.w() == null && !layers.isEmpty() && a.base() == base && allZero(a.b());
                    if (!isLastLayer) {
                        finalLayer(a, "output \"" + printable(outName) + "\"");
                    }
                    task = Task.REGRESSION;
                    String on = printable(outName);
                    for (int k = 0; k < a.size(); k++) {
                        outputs.add(a.size() == 1 ? on : on + "[" + k + "]");
                    }
                }
                default -> throw unsupported("the graph output \"" + printable(outName)
                        + "\" does not depend on the input (a constant)");
            }
            if (uses.containsKey(outName)) {
                throw unsupported("the graph output \"" + printable(outName) + "\" is also read by a node");
            }
            List<String> features = featureNames(featureNames, n, inName);
            NetworkStructure s = new NetworkStructure(n, layers, task == Task.CLASSIFICATION);
            String producer = printable(model.getProducerName() + (model.getProducerVersion().isEmpty() ? "" : " " + model.getProducerVersion()));
            return new OnnxModel(s, task, features, outputs, "onnx:" + (g.getName().isEmpty() ? "graph" : printable(g.getName())),
                    producer, model.getIrVersion(), opset(model));
        }

        private static int opset(ModelProto m) {
            for (OnnxMl.OperatorSetIdProto o : m.getOpsetImportList()) {
                if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                    return (int) o.getVersion();
                }
            }
            return 0;
        }

        private static List<String> featureNames(List<String> given, int n, String inName) {
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
                    throw new IllegalArgumentException("features: the name \"" + printable(s) + "\" appears twice");
                }
            }
            return List.copyOf(given);
        }

        private void finalLayer(Affine a, String name) throws ModelFormatException {
            if (a.base() != base) {
                throw unsupported(name + " does not read the last layer");
            }
            layers.add(new NetworkStructure.Layer(matrix(a), a.b(), false, name));
        }

        private long[] inputShape(ValueInfoProto in) throws ModelFormatException {
            String what = "input \"" + printable(in.getName()) + "\"";
            if (!in.hasType() || !in.getType().hasTensorType()) {
                throw unsupported(what + " is not a tensor");
            }
            OnnxMl.TypeProto.Tensor t = in.getType().getTensorType();
            if (t.getElemType() != FLOAT && t.getElemType() != DOUBLE) {
                throw unsupported(what + " has element type " + dataType(t.getElemType()) + "; float or double is supported");
            }
            if (!t.hasShape() || t.getShape().getDimCount() < 2) {
                throw unsupported(what + " must have a batch dimension and at least one more: [batch, ...]");
            }
            List<OnnxMl.TensorShapeProto.Dimension> dims = t.getShape().getDimList();
            OnnxMl.TensorShapeProto.Dimension b = dims.getFirst();
            if (b.hasDimValue() && b.getDimValue() != 1) {
                throw unsupported(what + " has batch dimension " + b.getDimValue() + "; it must be 1 or symbolic");
            }
            long[] shape = new long[dims.size()];
            shape[0] = 1;
            for (int i = 1; i < dims.size(); i++) {
                OnnxMl.TensorShapeProto.Dimension d = dims.get(i);
                if (!d.hasDimValue() || d.getDimValue() <= 0) {
                    throw unsupported(what + " has a dynamic dimension " + i + " ("
                            + (d.hasDimParam() ? "\"" + printable(d.getDimParam()) + "\"" : "unknown")
                            + "); every dimension but the batch must be a positive constant");
                }
                shape[i] = d.getDimValue();
            }
            product(shape, what);
            return shape;
        }

        /** The element count of a shape, refused above {@link #MAX_TENSOR_ELEMENTS} before any allocation. */
        private static long product(long[] shape, String what) throws ModelFormatException {
            long p = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new ModelFormatException(Reason.NOT_PROTOBUF, what + " has a negative dimension " + d);
                }
                p = d == 0 ? 0 : (p > MAX_TENSOR_ELEMENTS / Math.max(d, 1) ? MAX_TENSOR_ELEMENTS + 1 : p * d);
                if (p > MAX_TENSOR_ELEMENTS) {
                    throw new ModelFormatException(Reason.TOO_LARGE, what + " has shape " + java.util.Arrays.toString(shape)
                            + ", over " + MAX_TENSOR_ELEMENTS + " elements");
                }
            }
            return p;
        }

        private Val tensor(TensorProto t, String what) throws ModelFormatException {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
                throw unsupported(what + " keeps its data in an external file; save the model with the weights inside "
                        + "(onnx.save_model(..., save_as_external_data=False))");
            }
            if (t.hasSegment()) {
                throw unsupported(what + " is a segment of a tensor");
            }
            long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
            long n = product(shape, what);
            totalElements += n;
            if (totalElements > MAX_TOTAL_ELEMENTS) {
                throw new ModelFormatException(Reason.TOO_LARGE, "the initializers hold over " + MAX_TOTAL_ELEMENTS + " elements");
            }
            int count = (int) n;
            ByteString raw = t.getRawData();
            if (t.getDataType() == TensorProto.DataType.STRING_VALUE) {
                need(t.getStringDataCount() == count, what + ": string_data has " + t.getStringDataCount() + " values for " + count);
                List<String> strs = new ArrayList<>(count);
                t.getStringDataList().forEach(b -> strs.add(printable(b.toStringUtf8())));
                return new Strings(shape, List.copyOf(strs));
            }
            switch (t.getDataType()) {
                case FLOAT -> {
                    double[] d = new double[count];
                    if (t.hasRawData()) {
                        need(raw.size() == 4L * count, what + ": raw_data has " + raw.size() + " bytes for " + count + " floats");
                        ByteBuffer bb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                        for (int i = 0; i < count; i++) {
                            d[i] = bb.getFloat();
                        }
                    } else {
                        need(t.getFloatDataCount() == count, what + ": float_data has " + t.getFloatDataCount() + " values for " + count);
                        for (int i = 0; i < count; i++) {
                            d[i] = t.getFloatData(i);
                        }
                    }
                    return finite(new Const(shape, d), what);
                }
                case DOUBLE -> {
                    double[] d = new double[count];
                    if (t.hasRawData()) {
                        need(raw.size() == 8L * count, what + ": raw_data has " + raw.size() + " bytes for " + count + " doubles");
                        ByteBuffer bb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                        for (int i = 0; i < count; i++) {
                            d[i] = bb.getDouble();
                        }
                    } else {
                        need(t.getDoubleDataCount() == count, what + ": double_data has " + t.getDoubleDataCount() + " values for " + count);
                        for (int i = 0; i < count; i++) {
                            d[i] = t.getDoubleData(i);
                        }
                    }
                    return finite(new Const(shape, d), what);
                }
                case INT64 -> {
                    long[] d = new long[count];
                    if (t.hasRawData()) {
                        need(raw.size() == 8L * count, what + ": raw_data has " + raw.size() + " bytes for " + count + " int64");
                        ByteBuffer bb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                        for (int i = 0; i < count; i++) {
                            d[i] = bb.getLong();
                        }
                    } else {
                        need(t.getInt64DataCount() == count, what + ": int64_data has " + t.getInt64DataCount() + " values for " + count);
                        for (int i = 0; i < count; i++) {
                            d[i] = t.getInt64Data(i);
                        }
                    }
                    return new Ints(shape, d);
                }
                default -> throw unsupported(what + " has data type " + dataType(t.getDataType())
                        + "; supported: float and double (and int64 for shapes)");
            }
        }

        private static Const finite(Const c, String what) throws ModelFormatException {
            for (double v : c.data()) {
                if (!Double.isFinite(v)) {
                    throw unsupported(what + " holds a non-finite value " + v);
                }
            }
            return c;
        }

        private static void need(boolean ok, String message) throws ModelFormatException {
            if (!ok) {
                throw new ModelFormatException(Reason.NOT_PROTOBUF, "the ONNX model is inconsistent: " + message);
            }
        }

        private static String dataType(int t) {
            TensorProto.DataType d = TensorProto.DataType.forNumber(t);
            return d == null ? Integer.toString(t) : d.name();
        }

        // --------------------------------------------------------------------------------------

        private Val in(NodeProto n, int i, String where) throws ModelFormatException {
            if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
                throw unsupported(where + ": input " + i + " is missing");
            }
            Val v = vals.get(n.getInput(i));
            if (v == null) {
                throw unsupported(where + " reads \"" + printable(n.getInput(i)) + "\", which no earlier node writes "
                        + "(the nodes must be in topological order)");
            }
            if (v instanceof Unusable u) {
                throw unsupported(where + " reads " + u.why());
            }
            if (v instanceof Label) {
                throw unsupported(where + " reads the output of an ArgMax; the ArgMax must be the last node");
            }
            if (v instanceof Affine a && a.softmax()) {
                throw unsupported(where + " reads the output of Softmax node \"" + a.softmaxNode()
                        + "\"; a Softmax is only supported right before an ArgMax");
            }
            return v;
        }

        private Affine affine(NodeProto n, int i, String where) throws ModelFormatException {
            Val v = in(n, i, where);
            if (!(v instanceof Affine a)) {
                throw unsupported(where + ": input " + i + " must depend on the model input, not be a constant");
            }
            return a;
        }

        private Const constant(NodeProto n, int i, String where) throws ModelFormatException {
            Val v = in(n, i, where);
            if (!(v instanceof Const c)) {
                throw unsupported(where + ": input " + i + " must be a float constant (an initializer)");
            }
            return c;
        }

        private void out(NodeProto n, Val v, String where) throws ModelFormatException {
            if (n.getOutputCount() < 1 || n.getOutput(0).isEmpty()) {
                throw unsupported(where + " has no output");
            }
            put(n.getOutput(0), v, where);
        }

        private void put(String name, Val v, String where) throws ModelFormatException {
            if (vals.putIfAbsent(name, v) != null) {
                throw unsupported(where + " writes \"" + printable(name) + "\", which is already written");
            }
        }

        private static AttributeProto attr(NodeProto n, String name) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.getName().equals(name)) {
                    return a;
                }
            }
            return null;
        }

        private static String stringAttr(NodeProto n, String name, String dflt) {
            AttributeProto a = attr(n, name);
            return a == null ? dflt : a.getS().toStringUtf8();
        }

        private static double[] floats(NodeProto n, String name) {
            AttributeProto a = attr(n, name);
            return a == null ? new double[0] : a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray();
        }

        private static double[] finiteData(double[] d, String where) throws ModelFormatException {
            for (double v : d) {
                if (!Double.isFinite(v)) {
                    throw unsupported(where + ": a coefficient is not finite (" + v + ")");
                }
            }
            return d;
        }

        private static long intAttr(NodeProto n, String name, long dflt) {
            AttributeProto a = attr(n, name);
            return a == null ? dflt : a.getI();
        }

        private static double floatAttr(NodeProto n, String name, double dflt) {
            AttributeProto a = attr(n, name);
            return a == null ? dflt : a.getF();
        }

        private static void onlyAttrs(NodeProto n, String where, String... allowed) throws ModelFormatException {
            List<String> ok = List.of(allowed);
            for (AttributeProto a : n.getAttributeList()) {
                if (!ok.contains(a.getName())) {
                    throw unsupported(where + " has the attribute \"" + printable(a.getName()) + "\", which is not supported"
                            + (ok.isEmpty() ? "" : " (supported: " + String.join(", ", ok) + ")"));
                }
            }
        }

        private void addWork(long w, String where) throws ModelFormatException {
            work += w;
            if (work > MAX_FOLD_WORK) {
                throw new ModelFormatException(Reason.TOO_LARGE, where + ": folding the linear operators takes over "
                        + MAX_FOLD_WORK + " multiply-adds");
            }
        }

        private void apply(NodeProto n, String where) throws ModelFormatException {
            switch (n.getOpType()) {
                case "Identity" -> {
                    onlyAttrs(n, where);
                    Val v = n.getInputCount() > 0 ? vals.get(n.getInput(0)) : null;
                    // a label, or probabilities (a Softmax) on their way to an ArgMax or a graph output, pass through
                    out(n, v instanceof Label || v instanceof Affine a && a.softmax() ? v : in(n, 0, where), where);
                }
                case "ArrayFeatureExtractor" -> {
                    // skl2onnx's classifier label: the class labels indexed by the ArgMax
                    Val classes = n.getInputCount() > 0 ? vals.get(n.getInput(0)) : null;
                    Val index = n.getInputCount() > 1 ? vals.get(n.getInput(1)) : null;
                    if (!(index instanceof Label l)) {
                        throw unsupported(where + " is only supported over class labels indexed by the final ArgMax");
                    }
                    List<String> labels = new ArrayList<>();
                    if (classes instanceof Ints ci) {
                        for (long v : ci.data()) {
                            labels.add(Long.toString(v));
                        }
                    } else if (classes instanceof Strings cs) {
                        labels.addAll(cs.data());
                    } else {
                        throw unsupported(where + ": the class labels must be an int64 or string constant");
                    }
                    if (labels.size() != l.scores().size() || new HashSet<>(labels).size() != labels.size()) {
                        throw unsupported(where + ": " + labels.size() + " class labels (distinct needed) for " + l.scores().size() + " scores");
                    }
                    out(n, new Label(l.scores(), l.node(), List.copyOf(labels)), where);
                }
                case "Dropout" -> {
                    onlyAttrs(n, where, "seed");
                    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                        Val t = vals.get(n.getInput(2));
                        if (!(t instanceof Ints i && i.data().length == 1 && i.data()[0] == 0)) {
                            throw unsupported(where + ": training_mode must be absent or false");
                        }
                    }
                    out(n, in(n, 0, where), where);
                    if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                        put(n.getOutput(1), new Unusable("the mask of " + where), where);
                    }
                }
                case "Constant" -> {
                    onlyAttrs(n, where, "value", "value_float", "value_floats", "value_int", "value_ints");
                    AttributeProto a = n.getAttributeCount() == 1 ? n.getAttribute(0) : null;
                    if (a == null) {
                        throw unsupported(where + " must have exactly one value attribute");
                    }
                    Val v = switch (a.getName()) {
                        case "value" -> tensor(a.getT(), where);
                        case "value_float" -> new Const(new long[0], new double[] {a.getF()});
                        case "value_floats" -> new Const(new long[] {a.getFloatsCount()},
                                a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray());
                        case "value_int" -> new Ints(new long[0], new long[] {a.getI()});
                        default -> new Ints(new long[] {a.getIntsCount()}, a.getIntsList().stream().mapToLong(Long::longValue).toArray());
                    };
                    out(n, v, where);
                }
                case "Flatten" -> {
                    onlyAttrs(n, where, "axis");
                    Val v = in(n, 0, where);
                    long[] s = shapeOf(v);
                    int axis = (int) intAttr(n, "axis", 1);
                    if (axis < 0) {
                        axis += s.length;
                    }
                    if (axis < 0 || axis > s.length) {
                        throw unsupported(where + ": axis " + intAttr(n, "axis", 1) + " is out of range for rank " + s.length);
                    }
                    long a = 1;
                    long b = 1;
                    for (int i = 0; i < s.length; i++) {
                        if (i < axis) {
                            a *= s[i];
                        } else {
                            b *= s[i];
                        }
                    }
                    out(n, reshaped(v, new long[] {a, b}), where);
                }
                case "Reshape" -> {
                    onlyAttrs(n, where, "allowzero");
                    if (n.getInputCount() > 0 && vals.get(n.getInput(0)) instanceof Label l) {
                        out(n, l, where); // the label of one input is one value, whatever its shape
                        return;
                    }
                    Val v = in(n, 0, where);
                    Val sv = in(n, 1, where);
                    if (!(sv instanceof Ints si)) {
                        throw unsupported(where + ": the shape must be an int64 constant");
                    }
                    out(n, reshaped(v, newShape(shapeOf(v), si.data(), intAttr(n, "allowzero", 0) != 0, where)), where);
                }
                case "Gemm" -> {
                    onlyAttrs(n, where, "alpha", "beta", "transA", "transB");
                    Affine a = affine(n, 0, where);
                    Const b = constant(n, 1, where);
                    if (intAttr(n, "transA", 0) != 0) {
                        throw unsupported(where + ": transA = 1 is not supported");
                    }
                    if (a.shape().length != 2 || a.shape()[0] != 1) {
                        throw unsupported(where + ": A has shape " + java.util.Arrays.toString(a.shape()) + "; [1, k] is supported");
                    }
                    if (b.shape().length != 2) {
                        throw unsupported(where + ": B must be a matrix");
                    }
                    boolean tb = intAttr(n, "transB", 0) != 0;
                    int k = (int) a.shape()[1];
                    int kb = (int) (tb ? b.shape()[1] : b.shape()[0]);
                    int m = (int) (tb ? b.shape()[0] : b.shape()[1]);
                    if (kb != k) {
                        throw unsupported(where + ": A has " + k + " columns, B " + kb + " rows");
                    }
                    double alpha = floatAttr(n, "alpha", 1.0);
                    double beta = floatAttr(n, "beta", 1.0);
                    double[] c = new double[m];
                    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                        Const cc = constant(n, 2, where);
                        double[] bc = broadcast(cc, new long[] {1, m}, where);
                        for (int j = 0; j < m; j++) {
                            c[j] = beta * bc[j];
                        }
                    }
                    out(n, matmul(a, b.data(), k, m, tb, alpha, c, new long[] {1, m}, where), where);
                }
                case "MatMul" -> {
                    onlyAttrs(n, where);
                    Affine a = affine(n, 0, where);
                    Const b = constant(n, 1, where);
                    long[] s = a.shape();
                    if (b.shape().length != 2) {
                        throw unsupported(where + ": B must be a matrix (batched MatMul is not supported)");
                    }
                    int k = (int) s[s.length - 1];
                    if (s.length < 1 || a.size() != k) {
                        throw unsupported(where + ": A has shape " + java.util.Arrays.toString(s) + "; [1, k] is supported");
                    }
                    if (b.shape()[0] != k) {
                        throw unsupported(where + ": A has " + k + " columns, B " + b.shape()[0] + " rows");
                    }
                    int m = (int) b.shape()[1];
                    long[] os = s.clone();
                    os[os.length - 1] = m;
                    out(n, matmul(a, b.data(), k, m, false, 1.0, new double[m], os, where), where);
                }
                case "Add", "Sub", "Mul", "Div" -> {
                    onlyAttrs(n, where);
                    out(n, elementwise(n, where), where);
                }
                case "Relu" -> {
                    onlyAttrs(n, where);
                    activate(n, NetworkStructure.Activation.RELU, where);
                }
                case "BatchNormalization" -> {
                    onlyAttrs(n, where, "epsilon", "momentum", "training_mode", "spatial");
                    if (intAttr(n, "training_mode", 0) != 0) {
                        throw unsupported(where + ": training_mode = 1 is not supported (inference only)");
                    }
                    if (n.getOutputCount() > 1 && n.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
                        throw unsupported(where + ": only the Y output is supported (inference)");
                    }
                    Affine a = affine(n, 0, where);
                    double eps = floatAttr(n, "epsilon", 1e-5);
                    long[] shape = a.shape();
                    if (shape.length < 2) {
                        throw unsupported(where + ": X must be [N, C, ...]");
                    }
                    int channels = (int) shape[1];
                    long inner = 1;
                    for (int i = 2; i < shape.length; i++) {
                        inner *= shape[i];
                    }
                    double[][] p = new double[4][];
                    for (int i = 0; i < 4; i++) {
                        Const c = constant(n, i + 1, where);
                        if (c.data().length != channels) {
                            throw unsupported(where + ": input " + (i + 1) + " has " + c.data().length + " values for " + channels + " channels");
                        }
                        p[i] = c.data();
                    }
                    int size = a.size();
                    double[] factor = new double[size];
                    double[] shift = new double[size];
                    for (int j = 0; j < size; j++) {
                        int ch = (int) ((j / inner) % channels);
                        double v = p[3][ch] + eps;
                        if (!(v > 0)) {
                            throw unsupported(where + ": variance + epsilon of channel " + ch + " is not positive");
                        }
                        factor[j] = p[0][ch] / Math.sqrt(v);
                        shift[j] = p[1][ch] - p[2][ch] * factor[j];
                    }
                    out(n, scaled(a, factor, shift, where), where); // folded into the previous linear op
                }
                case "Transpose" -> {
                    onlyAttrs(n, where, "perm");
                    Val v = in(n, 0, where);
                    if (!(v instanceof Const c)) {
                        throw unsupported(where + ": only a Transpose of a constant is supported");
                    }
                    out(n, transposed(c, attr(n, "perm"), where), where);
                }
                case "Cast" -> {
                    onlyAttrs(n, where, "to", "saturate");
                    long to = intAttr(n, "to", 0);
                    if (n.getInputCount() > 0 && vals.get(n.getInput(0)) instanceof Label l) {
                        out(n, l, where); // a label cast to int64 or string stays that label
                        return;
                    }
                    Val v = in(n, 0, where);
                    if ((to != FLOAT && to != DOUBLE) || !(v instanceof Affine || v instanceof Const)) {
                        throw unsupported(where + ": only a Cast of a float value to float or double (a no-op) is supported");
                    }
                    out(n, v, where);
                }
                case "Sigmoid" -> {
                    onlyAttrs(n, where);
                    activate(n, NetworkStructure.Activation.SIGMOID, where);
                }
                case "Tanh" -> {
                    onlyAttrs(n, where);
                    activate(n, NetworkStructure.Activation.TANH, where);
                }
                case "LeakyRelu" -> {
                    onlyAttrs(n, where, "alpha");
                    double alpha = floatAttr(n, "alpha", 0.01);
                    if (!Double.isFinite(alpha)) {
                        throw unsupported(where + ": alpha must be finite, got " + alpha);
                    }
                    activate(n, NetworkStructure.Activation.leakyRelu((float) alpha), where);
                }
                case "Clip" -> {
                    onlyAttrs(n, where);
                    double lo = clipBound(n, 1, Double.NEGATIVE_INFINITY, where);
                    double hi = clipBound(n, 2, Double.POSITIVE_INFINITY, where);
                    if (lo > hi) {
                        throw unsupported(where + ": min " + lo + " is greater than max " + hi);
                    }
                    if (lo == Double.NEGATIVE_INFINITY && hi == Double.POSITIVE_INFINITY) {
                        out(n, in(n, 0, where), where); // no bound: the identity
                    } else {
                        activate(n, NetworkStructure.Activation.clip(lo, hi), where);
                    }
                }
                case "Softmax" -> {
                    onlyAttrs(n, where, "axis");
                    Affine a = affine(n, 0, where);
                    lastAxisHoldsAll(a, intAttr(n, "axis", -1), where);
                    out(n, new Affine(a.shape(), a.w(), a.b(), a.base(), true, nodeNameOf(n, where)), where);
                }
                case "ArgMax" -> {
                    onlyAttrs(n, where, "axis", "keepdims", "select_last_index");
                    if (intAttr(n, "select_last_index", 0) != 0) {
                        throw unsupported(where + ": select_last_index = 1 is not supported (ties go to the first index)");
                    }
                    Val v = vals.get(n.getInputCount() > 0 ? n.getInput(0) : "");
                    Affine a;
                    if (v instanceof Affine sa && sa.softmax()) {
                        a = sa; // monotone: the argmax of the softmax is the argmax of its input
                    } else {
                        a = affine(n, 0, where);
                    }
                    lastAxisHoldsAll(a, intAttr(n, "axis", 0), where);
                    out(n, new Label(new Affine(a.shape(), a.w(), a.b(), a.base(), false, null), nodeNameOf(n, where)), where);
                }
                case "LinearRegressor" -> {
                    onlyAttrs(n, where, "coefficients", "intercepts", "targets", "post_transform");
                    String post = stringAttr(n, "post_transform", "NONE");
                    if (!post.equals("NONE")) {
                        throw unsupported(where + ": post_transform " + printable(post) + " is not supported (NONE is)");
                    }
                    Affine a = affine(n, 0, where);
                    int k = a.size();
                    int m = (int) intAttr(n, "targets", 1);
                    double[] coef = floats(n, "coefficients");
                    double[] icpt = floats(n, "intercepts");
                    if (m < 1 || coef.length != (long) m * k || (icpt.length != 0 && icpt.length != m)) {
                        throw unsupported(where + ": " + coef.length + " coefficients and " + icpt.length + " intercepts for "
                                + m + " targets of " + k + " inputs");
                    }
                    out(n, matmul(a, finiteData(coef, where), k, m, true, 1.0,
                            icpt.length == 0 ? new double[m] : finiteData(icpt, where), new long[] {1, m}, where), where);
                }
                case "LinearClassifier" -> {
                    onlyAttrs(n, where, "coefficients", "intercepts", "classlabels_ints", "classlabels_strings", "multi_class",
                            "post_transform");
                    String post = stringAttr(n, "post_transform", "NONE");
                    if (!List.of("NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO").contains(post)) {
                        throw unsupported(where + ": post_transform " + printable(post) + " is not supported "
                                + "(NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO are: they do not change which score is largest)");
                    }
                    if (intAttr(n, "multi_class", 0) != 0) {
                        throw unsupported(where + ": multi_class = 1 is not supported");
                    }
                    AttributeProto ints = attr(n, "classlabels_ints");
                    AttributeProto strs = attr(n, "classlabels_strings");
                    List<String> labels = new ArrayList<>();
                    if (ints != null && ints.getIntsCount() > 0) {
                        ints.getIntsList().forEach(v -> labels.add(Long.toString(v)));
                    } else if (strs != null) {
                        strs.getStringsList().forEach(v -> labels.add(printable(v.toStringUtf8())));
                    }
                    if (labels.size() < 2 || new HashSet<>(labels).size() != labels.size()) {
                        throw unsupported(where + ": needs at least 2 distinct class labels, got " + labels.size());
                    }
                    Affine a = affine(n, 0, where);
                    int k = a.size();
                    double[] coef = finiteData(floats(n, "coefficients"), where);
                    double[] icpt = finiteData(floats(n, "intercepts"), where);
                    int rows = k == 0 ? 0 : coef.length / k;
                    if (coef.length != (long) rows * k || (icpt.length != 0 && icpt.length != rows)) {
                        throw unsupported(where + ": " + coef.length + " coefficients and " + icpt.length + " intercepts for "
                                + k + " inputs");
                    }
                    double[] w;
                    double[] c;
                    if (rows == labels.size()) {
                        w = coef;
                        c = icpt.length == 0 ? new double[rows] : icpt;
                    } else if (rows == 1 && labels.size() == 2) {
                        // binary, one score s: ONNX Runtime predicts the second class when s > 0, i.e. the
                        // argmax of (−s, s) with ties to the first
                        w = new double[2 * k];
                        for (int i = 0; i < k; i++) {
                            w[i] = -coef[i];
                            w[k + i] = coef[i];
                        }
                        double b0 = icpt.length == 0 ? 0 : icpt[0];
                        c = new double[] {-b0, b0};
                    } else {
                        throw unsupported(where + ": " + rows + " coefficient rows for " + labels.size() + " class labels");
                    }
                    Affine scores = matmul(a, w, k, labels.size(), true, 1.0, c, new long[] {1, labels.size()}, where);
                    out(n, new Label(scores, nodeNameOf(n, where), List.copyOf(labels)), where);
                    if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                        put(n.getOutput(1), new Unusable("the scores of " + where + " (probabilities are not proven; only the label is)"), where);
                    }
                }
                case "Normalizer", "ZipMap" -> {
                    // only over unproven probabilities, into a graph output
                    Val v = n.getInputCount() > 0 ? vals.get(n.getInput(0)) : null;
                    if (!(v instanceof Unusable)) {
                        throw unsupported(where + " is only supported over a classifier's probabilities (which are not proven)");
                    }
                    out(n, new Unusable("the probabilities written by " + where + " (not proven)"), where);
                }
                default -> throw new IllegalStateException("operator " + n.getOpType() + " passed the check");
            }
        }

        /** A non-linearity: the affine value before it becomes a layer, its output the new base. */
        private void activate(NodeProto n, NetworkStructure.Activation act, String where) throws ModelFormatException {
            Affine a = affine(n, 0, where);
            if (a.base() != base) {
                throw unsupported(where + " reads a value from before the last activation (skip connections are not supported)");
            }
            layers.add(new NetworkStructure.Layer(matrix(a), a.b(), act, printable(n.getName().isEmpty() ? where : n.getName())));
            base = layers.size();
            baseSize = a.size();
            out(n, new Affine(a.shape(), null, new double[a.size()], base, false, null), where);
        }

        /** Clip's optional min (input 1) or max (input 2): a scalar float constant, or {@code dflt} when absent. */
        private double clipBound(NodeProto n, int i, double dflt, String where) throws ModelFormatException {
            if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
                return dflt;
            }
            Const c = constant(n, i, where);
            if (c.data().length != 1 || Double.isNaN(c.data()[0])) {
                throw unsupported(where + ": " + (i == 1 ? "min" : "max") + " must be a scalar constant");
            }
            return c.data()[0];
        }

        private static String nodeNameOf(NodeProto n, String where) {
            return n.getName().isEmpty() ? where : printable(n.getName());
        }

        /** The axis holds every element (all other dimensions are 1). */
        private static void lastAxisHoldsAll(Affine a, long axis, String where) throws ModelFormatException {
            long[] s = a.shape();
            long ax = axis < 0 ? axis + s.length : axis;
            if (ax < 0 || ax >= s.length || s[(int) ax] != a.size()) {
                throw unsupported(where + ": axis " + axis + " of shape " + java.util.Arrays.toString(s)
                        + " must hold all " + a.size() + " values (batch 1)");
            }
        }

        private static long[] shapeOf(Val v) {
            return switch (v) {
                case Const c -> c.shape();
                case Ints i -> i.shape();
                case Affine a -> a.shape();
                default -> throw new IllegalStateException();
            };
        }

        private static Val reshaped(Val v, long[] s) {
            return switch (v) {
                case Const c -> new Const(s, c.data());
                case Ints i -> new Ints(s, i.data());
                case Affine a -> new Affine(s, a.w(), a.b(), a.base(), a.softmax(), a.softmaxNode());
                default -> throw new IllegalStateException();
            };
        }

        private static long[] newShape(long[] old, long[] spec, boolean allowZero, String where) throws ModelFormatException {
            long total = 1;
            for (long d : old) {
                total *= d;
            }
            long[] s = new long[spec.length];
            int infer = -1;
            long known = 1;
            for (int i = 0; i < spec.length; i++) {
                long d = spec[i];
                if (d == 0 && !allowZero) {
                    if (i >= old.length) {
                        throw unsupported(where + ": shape[" + i + "] = 0 copies a dimension the input does not have");
                    }
                    d = old[i];
                }
                if (d == -1) {
                    if (infer >= 0) {
                        throw unsupported(where + ": the shape has two -1 entries");
                    }
                    infer = i;
                    continue;
                }
                if (d < 0 || d > MAX_TENSOR_ELEMENTS) {
                    throw unsupported(where + ": shape[" + i + "] = " + spec[i] + " is not supported");
                }
                s[i] = d;
                known *= d;
                if (known > MAX_TENSOR_ELEMENTS) {
                    throw unsupported(where + ": the shape " + java.util.Arrays.toString(spec) + " is too large");
                }
            }
            if (infer >= 0) {
                if (known == 0 || total % known != 0) {
                    throw unsupported(where + ": cannot infer -1 in " + java.util.Arrays.toString(spec) + " for " + total + " values");
                }
                s[infer] = total / known;
                known = total;
            }
            if (known != total) {
                throw unsupported(where + ": shape " + java.util.Arrays.toString(spec) + " does not hold " + total + " values");
            }
            return s;
        }

        /** {@code out[j] = alpha · Σ_i a[i]·B(i, j) + c[j]}, B {@code [k, m]} (or {@code [m, k]} when transposed). */
        private Affine matmul(Affine a, double[] bm, int k, int m, boolean transB, double alpha, double[] c, long[] shape,
                              String where) throws ModelFormatException {
            int nb = baseFor(a);
            if ((long) m * k > MAX_TENSOR_ELEMENTS || (long) m * nb > MAX_TENSOR_ELEMENTS) {
                throw new ModelFormatException(Reason.TOO_LARGE, where + ": a " + m + " x " + nb + " weight matrix is too large");
            }
            double[][] w = new double[m][nb];
            double[] b = new double[m];
            addWork((long) m * k * (a.w() == null ? 1 : nb), where);
            for (int j = 0; j < m; j++) {
                double bj = 0;
                double[] wj = w[j];
                for (int i = 0; i < k; i++) {
                    double bij = alpha * (transB ? bm[j * k + i] : bm[i * m + j]);
                    if (bij == 0) {
                        continue;
                    }
                    bj += bij * a.b()[i];
                    if (a.w() == null) {
                        wj[i] += bij;
                    } else {
                        double[] ai = a.w()[i];
                        for (int t = 0; t < nb; t++) {
                            wj[t] += bij * ai[t];
                        }
                    }
                }
                b[j] = bj + c[j];
            }
            return new Affine(shape, w, b, a.base(), false, null);
        }

        private int baseFor(Affine a) {
            return a.w() == null ? a.size() : a.w()[0].length;
        }

        private Val elementwise(NodeProto n, String where) throws ModelFormatException {
            String op = n.getOpType();
            Val x = in(n, 0, where);
            Val y = in(n, 1, where);
            if (x instanceof Affine a && y instanceof Affine b) {
                if (!op.equals("Add") && !op.equals("Sub")) {
                    throw unsupported(where + ": both operands depend on the input; only Add and Sub of two such values are linear");
                }
                if (a.base() != b.base() || !java.util.Arrays.equals(a.shape(), b.shape())) {
                    throw unsupported(where + ": the operands must have the same shape and come after the same ReLU");
                }
                double sign = op.equals("Add") ? 1 : -1;
                double[][] wa = matrix(a);
                double[][] wb = matrix(b);
                addWork((long) wa.length * wa[0].length, where);
                double[] bb = new double[a.size()];
                for (int j = 0; j < wa.length; j++) {
                    for (int t = 0; t < wa[j].length; t++) {
                        wa[j][t] += sign * wb[j][t];
                    }
                    bb[j] = a.b()[j] + sign * b.b()[j];
                }
                return new Affine(a.shape(), wa, bb, a.base(), false, null);
            }
            boolean varFirst = x instanceof Affine;
            if (!(x instanceof Affine) && !(y instanceof Affine)) {
                throw unsupported(where + ": both operands are constants (constant folding is not supported)");
            }
            Affine a = (Affine) (varFirst ? x : y);
            Val cv = varFirst ? y : x;
            if (!(cv instanceof Const cc)) {
                throw unsupported(where + ": the constant operand must be a float tensor");
            }
            double[] c = broadcast(cc, a.shape(), where);
            if (op.equals("Div") && !varFirst) {
                throw unsupported(where + ": dividing a constant by a value is not linear");
            }
            int size = a.size();
            double[] b = a.b().clone();
            double[][] w = a.w() == null ? null : new double[size][];
            boolean scaling = op.equals("Mul") || op.equals("Div") || (op.equals("Sub") && !varFirst);
            double[][] wNew = null;
            if (scaling) {
                wNew = new double[size][];
                addWork((long) size * baseFor(a), where);
                if (a.w() == null && (long) size * size > MAX_TENSOR_ELEMENTS) {
                    throw new ModelFormatException(Reason.TOO_LARGE, where + ": a " + size + " x " + size + " matrix is too large");
                }
            }
            for (int j = 0; j < size; j++) {
                double f = switch (op) {
                    case "Mul" -> c[j];
                    case "Div" -> {
                        if (c[j] == 0) {
                            throw unsupported(where + ": division by zero (element " + j + ")");
                        }
                        yield 1.0 / c[j];
                    }
                    case "Sub" -> varFirst ? 1.0 : -1.0;
                    default -> 1.0;
                };
                switch (op) {
                    case "Add" -> b[j] += c[j];
                    case "Sub" -> b[j] = varFirst ? b[j] - c[j] : c[j] - b[j];
                    case "Mul" -> b[j] *= c[j];
                    default -> b[j] /= c[j];
                }
                if (scaling) {
                    double[] row = a.w() == null ? unit(j, size) : a.w()[j].clone();
                    if (op.equals("Div")) {
                        for (int t = 0; t < row.length; t++) {
                            row[t] /= c[j];
                        }
                    } else {
                        for (int t = 0; t < row.length; t++) {
                            row[t] *= f;
                        }
                    }
                    wNew[j] = row;
                }
            }
            return new Affine(a.shape(), scaling ? wNew : a.w(), b, a.base(), false, null);
        }

        /** {@code value[j]·factor[j] + shift[j]}, folded into the affine value. */
        private Affine scaled(Affine a, double[] factor, double[] shift, String where) throws ModelFormatException {
            int size = a.size();
            addWork((long) size * baseFor(a), where);
            if (a.w() == null && (long) size * size > MAX_TENSOR_ELEMENTS) {
                throw new ModelFormatException(Reason.TOO_LARGE, where + ": a " + size + " x " + size + " matrix is too large");
            }
            double[][] w = new double[size][];
            double[] b = new double[size];
            for (int j = 0; j < size; j++) {
                double[] row = a.w() == null ? unit(j, size) : a.w()[j].clone();
                for (int t = 0; t < row.length; t++) {
                    row[t] *= factor[j];
                }
                w[j] = row;
                b[j] = a.b()[j] * factor[j] + shift[j];
            }
            return new Affine(a.shape(), w, b, a.base(), false, null);
        }

        /** A constant with its axes permuted ({@code perm}, default reversed). */
        private static Const transposed(Const c, AttributeProto permAttr, String where) throws ModelFormatException {
            long[] shape = c.shape();
            int r = shape.length;
            int[] perm = new int[r];
            if (permAttr == null || permAttr.getIntsCount() == 0) {
                for (int i = 0; i < r; i++) {
                    perm[i] = r - 1 - i;
                }
            } else {
                if (permAttr.getIntsCount() != r) {
                    throw unsupported(where + ": perm has " + permAttr.getIntsCount() + " entries for rank " + r);
                }
                boolean[] seen = new boolean[r];
                for (int i = 0; i < r; i++) {
                    long p = permAttr.getInts(i);
                    if (p < 0 || p >= r || seen[(int) p]) {
                        throw unsupported(where + ": perm is not a permutation of 0.." + (r - 1));
                    }
                    seen[(int) p] = true;
                    perm[i] = (int) p;
                }
            }
            long[] out = new long[r];
            for (int i = 0; i < r; i++) {
                out[i] = shape[perm[i]];
            }
            long[] inStride = new long[r];
            long[] outStride = new long[r];
            long si = 1;
            long so = 1;
            for (int i = r - 1; i >= 0; i--) {
                inStride[i] = si;
                si *= shape[i];
                outStride[i] = so;
                so *= out[i];
            }
            double[] d = new double[c.data().length];
            for (int k = 0; k < d.length; k++) {
                long rest = k;
                long src = 0;
                for (int i = 0; i < r; i++) {
                    long idx = rest / outStride[i];
                    rest %= outStride[i];
                    src += idx * inStride[perm[i]];
                }
                d[k] = c.data()[(int) src];
            }
            return new Const(out, d);
        }

        private static double[] unit(int j, int n) {
            double[] r = new double[n];
            r[j] = 1;
            return r;
        }

        private double[][] matrix(Affine a) throws ModelFormatException {
            if (a.w() != null) {
                double[][] c = new double[a.w().length][];
                for (int j = 0; j < c.length; j++) {
                    c[j] = a.w()[j].clone();
                }
                return c;
            }
            int n = a.size();
            if ((long) n * n > MAX_TENSOR_ELEMENTS) {
                throw new ModelFormatException(Reason.TOO_LARGE, "an identity layer of " + n + " values is too large");
            }
            double[][] c = new double[n][];
            for (int j = 0; j < n; j++) {
                c[j] = unit(j, n);
            }
            return c;
        }

        /** The constant's values for each element of {@code target} (numpy broadcasting; the result has the target's shape). */
        private static double[] broadcast(Const c, long[] target, String where) throws ModelFormatException {
            long[] s = c.shape();
            if (s.length > target.length) {
                throw unsupported(where + ": the constant's shape " + java.util.Arrays.toString(s) + " has more dimensions than "
                        + java.util.Arrays.toString(target));
            }
            int r = target.length;
            long[] cs = new long[r];
            java.util.Arrays.fill(cs, 1);
            System.arraycopy(s, 0, cs, r - s.length, s.length);
            for (int i = 0; i < r; i++) {
                if (cs[i] != 1 && cs[i] != target[i]) {
                    throw unsupported(where + ": the constant's shape " + java.util.Arrays.toString(s) + " does not broadcast to "
                            + java.util.Arrays.toString(target));
                }
            }
            long total = 1;
            for (long d : target) {
                total *= d;
            }
            double[] out = new double[(int) total];
            long[] idx = new long[r];
            for (int flat = 0; flat < total; flat++) {
                long rem = flat;
                for (int i = r - 1; i >= 0; i--) {
                    idx[i] = rem % target[i];
                    rem /= target[i];
                }
                long ci = 0;
                for (int i = 0; i < r; i++) {
                    ci = ci * cs[i] + (cs[i] == 1 ? 0 : idx[i]);
                }
                out[flat] = c.data()[(int) ci];
            }
            return out;
        }

        private static boolean allZero(double[] v) {
            for (double d : v) {
                if (d != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
