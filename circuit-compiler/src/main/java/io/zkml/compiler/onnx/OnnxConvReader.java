package io.zkml.compiler.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.zkml.compiler.Task;
import io.zkml.compiler.model.ConvNetStructure;
import io.zkml.compiler.model.ConvNetStructure.AvgPool;
import io.zkml.compiler.model.ConvNetStructure.Conv;
import io.zkml.compiler.model.ConvNetStructure.Dense;
import io.zkml.compiler.model.ConvNetStructure.MaxPool;
import io.zkml.compiler.model.ConvNetStructure.Relu;
import io.zkml.compiler.model.ConvNetStructure.Shape;
import io.zkml.compiler.model.ConvNetStructure.Stage;
import io.zkml.compiler.tribuo.ModelFormatException;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import io.zkml.compiler.tribuo.ModelFormatException.UnsupportedOperator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a convolutional ONNX graph (one with a Conv, MaxPool, AveragePool or GlobalAveragePool)
 * into a {@link ConvNetStructure} (docs/onnx-models.md, "Convolutional networks"; ADR 0018). The
 * graph is a chain from the one input {@code [1 or batch, C, H, W]}: Conv (2-D, strides, pads,
 * dilations 1, group 1, with bias; a BatchNormalization or a constant per-channel Add right after
 * it is folded into it), Relu, MaxPool, AveragePool, GlobalAveragePool, then Flatten / Reshape to
 * {@code [1, n]} (NCHW row-major), Gemm / MatMul (+ Add), Relu, … and an optional Softmax before an
 * ArgMax. Identity, Dropout and float Casts pass through. Attributes outside this (dilations,
 * ceil_mode = 1, auto_pad SAME_*, group ≠ 1, a MaxPool's Indices output) and any other operator
 * are refused with 422 {@code unsupported-operator} naming the node and the attribute.
 */
final class OnnxConvReader {

    static final Set<String> CONV_OPERATORS = Set.of("Conv", "MaxPool", "AveragePool", "GlobalAveragePool");
    private static final Set<String> ALLOWED = Set.of("Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization",
            "Relu", "Flatten", "Reshape", "Gemm", "MatMul", "Add", "Identity", "Dropout", "Softmax", "ArgMax", "Cast", "Constant");

    private OnnxConvReader() {
    }

    static boolean isConvGraph(GraphProto g) {
        return g.getNodeList().stream().anyMatch(n -> (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                && CONV_OPERATORS.contains(n.getOpType()));
    }

    private sealed interface Val permits FConst, IConst, Act, Label {
    }

    private record FConst(long[] shape, double[] data) implements Val {
    }

    private record IConst(long[] shape, long[] data) implements Val {
    }

    /** The output of the first {@code at} stages, of this shape; {@code softmax}: a Softmax was applied. */
    private record Act(Shape shape, int at, boolean softmax) implements Val {
    }

    private record Label(int classes) implements Val {
    }

    private final List<Stage> stages = new ArrayList<>();
    private final Map<String, Val> vals = new HashMap<>();
    private long total;

    static OnnxConvModel read(ModelProto model, GraphProto g, List<String> featureNames) throws ModelFormatException {
        List<UnsupportedOperator> bad = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            boolean def = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (!def || !ALLOWED.contains(n.getOpType())) {
                bad.add(new UnsupportedOperator(OnnxModelReader.printable(def ? n.getOpType() : n.getDomain() + "." + n.getOpType()),
                        OnnxModelReader.nodeName(n, i)));
            }
        }
        if (!bad.isEmpty()) {
            StringBuilder b = new StringBuilder();
            for (UnsupportedOperator u : bad) {
                b.append(b.isEmpty() ? "" : ", ").append(u.opType()).append(" (node \"").append(u.node()).append("\")");
            }
            throw ModelFormatException.unsupportedOperators(bad, bad.size() + " operator" + (bad.size() == 1 ? " is" : "s are")
                    + " not supported in a convolutional network: " + b + "; supported there: " + String.join(", ", ALLOWED.stream().sorted().toList()));
        }
        return new OnnxConvReader().fold(model, g, featureNames);
    }

    private OnnxConvModel fold(ModelProto model, GraphProto g, List<String> featureNames) throws ModelFormatException {
        if (g.getSparseInitializerCount() > 0) {
            throw OnnxModelReader.unsupported("sparse initializers are not supported");
        }
        Set<String> inits = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            inits.add(t.getName());
            vals.put(t.getName(), tensor(t, "initializer \"" + OnnxModelReader.printable(t.getName()) + "\""));
        }
        List<ValueInfoProto> inputs = g.getInputList().stream().filter(v -> !inits.contains(v.getName())).toList();
        if (inputs.size() != 1) {
            throw OnnxModelReader.unsupported("the graph has " + inputs.size() + " inputs (besides initializers); exactly one is supported");
        }
        ValueInfoProto in = inputs.getFirst();
        String what = "input \"" + OnnxModelReader.printable(in.getName()) + "\"";
        if (!in.hasType() || !in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()) {
            throw OnnxModelReader.unsupported(what + " is not a tensor with a shape");
        }
        OnnxMl.TypeProto.Tensor tt = in.getType().getTensorType();
        if (tt.getElemType() != TensorProto.DataType.FLOAT_VALUE && tt.getElemType() != TensorProto.DataType.DOUBLE_VALUE) {
            throw OnnxModelReader.unsupported(what + " must be float or double");
        }
        List<OnnxMl.TensorShapeProto.Dimension> dims = tt.getShape().getDimList();
        if (dims.size() != 4) {
            throw OnnxModelReader.unsupported(what + " has rank " + dims.size() + "; a convolutional network reads [batch, C, H, W]");
        }
        if (dims.getFirst().hasDimValue() && dims.getFirst().getDimValue() != 1) {
            throw OnnxModelReader.unsupported(what + " has batch dimension " + dims.getFirst().getDimValue() + "; it must be 1 or symbolic");
        }
        long[] chw = new long[3];
        for (int i = 1; i < 4; i++) {
            if (!dims.get(i).hasDimValue() || dims.get(i).getDimValue() <= 0 || dims.get(i).getDimValue() > 4096) {
                throw OnnxModelReader.unsupported(what + " dimension " + i + " must be a constant in [1, 4096]");
            }
            chw[i - 1] = dims.get(i).getDimValue();
        }
        if (chw[0] * chw[1] * chw[2] > OnnxModelReader.MAX_TENSOR_ELEMENTS) {
            throw new ModelFormatException(Reason.TOO_LARGE, what + " has over " + OnnxModelReader.MAX_TENSOR_ELEMENTS + " elements");
        }
        Shape input = Shape.image((int) chw[0], (int) chw[1], (int) chw[2]);
        vals.put(in.getName(), new Act(input, 0, false));
        Map<String, Integer> uses = new HashMap<>();
        for (NodeProto node : g.getNodeList()) {
            node.getInputList().forEach(s -> uses.merge(s, 1, Integer::sum));
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto node = g.getNode(i);
            apply(node, node.getOpType() + " node \"" + OnnxModelReader.nodeName(node, i) + "\"", OnnxModelReader.nodeName(node, i));
        }
        if (g.getOutputCount() != 1) {
            throw OnnxModelReader.unsupported("the graph has " + g.getOutputCount() + " outputs; a convolutional network has one");
        }
        String outName = g.getOutput(0).getName();
        Val out = vals.get(outName);
        if (uses.containsKey(outName)) {
            throw OnnxModelReader.unsupported("the graph output \"" + OnnxModelReader.printable(outName) + "\" is also read by a node");
        }
        Task task;
        List<String> outputs = new ArrayList<>();
        int n;
        if (out instanceof Label l) {
            task = Task.CLASSIFICATION;
            n = l.classes();
            for (int k = 0; k < n; k++) {
                outputs.add(Integer.toString(k));
            }
        } else if (out instanceof Act a && !a.softmax() && a.at() == stages.size()) {
            task = Task.REGRESSION;
            n = a.shape().size();
            String on = OnnxModelReader.printable(outName);
            for (int k = 0; k < n; k++) {
                outputs.add(n == 1 ? on : on + "[" + k + "]");
            }
        } else {
            throw OnnxModelReader.unsupported("the graph output \"" + OnnxModelReader.printable(outName)
                    + "\" is not the network's last value (or a Softmax not followed by an ArgMax)");
        }
        if (stages.isEmpty()) {
            throw OnnxModelReader.unsupported("the graph has no layer");
        }
        ConvNetStructure s;
        try {
            s = new ConvNetStructure(input.c(), input.h(), input.w(), stages, task == Task.CLASSIFICATION);
        } catch (IllegalArgumentException e) {
            throw OnnxModelReader.unsupported(e.getMessage());
        }
        int nIn = input.size();
        List<String> features;
        if (featureNames == null || featureNames.isEmpty()) {
            features = new ArrayList<>(nIn);
            for (int i = 0; i < nIn; i++) {
                features.add("X[" + i + "]");
            }
        } else {
            if (featureNames.size() != nIn) {
                throw new IllegalArgumentException("features has " + featureNames.size() + " names; the model's input has " + nIn + " values");
            }
            if (new HashSet<>(featureNames).size() != nIn || featureNames.stream().anyMatch(f -> f == null || f.isBlank())) {
                throw new IllegalArgumentException("features: the names must be distinct and not blank");
            }
            features = List.copyOf(featureNames);
        }
        String producer = OnnxModelReader.printable(model.getProducerName()
                + (model.getProducerVersion().isEmpty() ? "" : " " + model.getProducerVersion()));
        int opset = 0;
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = (int) o.getVersion();
            }
        }
        return new OnnxConvModel(s, task, features, outputs, "onnx:" + (g.getName().isEmpty() ? "graph" : OnnxModelReader.printable(g.getName())),
                producer, model.getIrVersion(), opset);
    }

    // --- nodes -------------------------------------------------------------------------------------

    private void apply(NodeProto n, String where, String node) throws ModelFormatException {
        switch (n.getOpType()) {
            case "Identity", "Dropout" -> {
                if (n.getOpType().equals("Dropout") && n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                    throw OnnxModelReader.unsupported(where + ": the mask output is not supported");
                }
                out(n, in(n, 0, where), where);
            }
            case "Cast" -> {
                long to = intAttr(n, "to", 0);
                if (to != TensorProto.DataType.FLOAT_VALUE && to != TensorProto.DataType.DOUBLE_VALUE) {
                    throw refuse(n, node, "to", where + ": only a Cast to float or double is supported (a no-op)");
                }
                out(n, in(n, 0, where), where);
            }
            case "Constant" -> {
                AttributeProto a = attr(n, "value");
                if (a == null || n.getAttributeCount() != 1) {
                    throw OnnxModelReader.unsupported(where + ": only a Constant with a tensor value is supported");
                }
                out(n, tensor(a.getT(), where), where);
            }
            case "Conv" -> {
                only(n, node, "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
                Act a = act(n, 0, where, false);
                FConst w = fconst(n, 1, where);
                if (w.shape().length != 4 || w.shape()[1] != a.shape().c()) {
                    throw OnnxModelReader.unsupported(where + ": W has shape " + Arrays.toString(w.shape()) + "; [M, " + a.shape().c()
                            + ", KH, KW] is supported (2-D, group 1)");
                }
                if (intAttr(n, "group", 1) != 1) {
                    throw refuse(n, node, "group " + intAttr(n, "group", 1), where + ": group = " + intAttr(n, "group", 1)
                            + " is not supported (group 1 only)");
                }
                int m = (int) w.shape()[0];
                int kh = (int) w.shape()[2];
                int kw = (int) w.shape()[3];
                kernelMatches(n, node, kh, kw, where);
                int[] st = strides(n, node, where);
                int[] pd = pads(n, node, kh, kw, where, false);
                noDilations(n, node, where);
                double[] b = new double[m];
                if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                    FConst bc = fconst(n, 2, where);
                    if (bc.data().length != m) {
                        throw OnnxModelReader.unsupported(where + ": B has " + bc.data().length + " values for " + m + " output channels");
                    }
                    b = bc.data();
                }
                addStage(new Conv(w.data(), b, a.shape().c(), kh, kw, st, pd, node), where);
                out(n, new Act(shapeAfter(), stages.size(), false), where);
            }
            case "BatchNormalization" -> {
                only(n, node, "epsilon", "momentum", "training_mode", "spatial");
                if (intAttr(n, "training_mode", 0) != 0) {
                    throw refuse(n, node, "training_mode 1", where + ": training_mode = 1 is not supported (inference only)");
                }
                Act a = act(n, 0, where, false);
                if (a.at() == 0 || !(stages.getLast() instanceof Conv c)) {
                    throw OnnxModelReader.unsupported(where + ": a BatchNormalization is only supported right after a Conv (folded into it)");
                }
                int ch = c.outChannels();
                double eps = floatAttr(n, "epsilon", 1e-5);
                double[][] p = new double[4][];
                for (int i = 0; i < 4; i++) {
                    FConst k = fconst(n, i + 1, where);
                    if (k.data().length != ch) {
                        throw OnnxModelReader.unsupported(where + ": input " + (i + 1) + " has " + k.data().length + " values for " + ch + " channels");
                    }
                    p[i] = k.data();
                }
                double[] w = c.weights();
                double[] b = c.bias();
                int per = w.length / ch;
                for (int mm = 0; mm < ch; mm++) {
                    double v = p[3][mm] + eps;
                    if (!(v > 0)) {
                        throw OnnxModelReader.unsupported(where + ": variance + epsilon of channel " + mm + " is not positive");
                    }
                    double f = p[0][mm] / Math.sqrt(v);
                    for (int i = 0; i < per; i++) {
                        w[mm * per + i] *= f;
                    }
                    b[mm] = (b[mm] - p[2][mm]) * f + p[1][mm];
                }
                stages.set(stages.size() - 1, new Conv(w, b, c.inChannels(), c.kh(), c.kw(), c.strides(), c.pads(), c.name()));
                out(n, new Act(a.shape(), a.at(), false), where);
            }
            case "Add" -> {
                Val x0 = in(n, 0, where);
                Val x1 = in(n, 1, where);
                Act a = x0 instanceof Act aa ? aa : x1 instanceof Act ab ? ab : null;
                FConst c = x0 instanceof FConst ca ? ca : x1 instanceof FConst cb ? cb : null;
                if (a == null || c == null || a.softmax() || a.at() != stages.size() || a.at() == 0
                        || !(stages.getLast() instanceof Conv || stages.getLast() instanceof Dense)) {
                    throw OnnxModelReader.unsupported(where + ": only a constant added to a Conv's, Gemm's or MatMul's output is supported");
                }
                int ch = stages.getLast() instanceof Conv cv ? cv.outChannels() : ((Dense) stages.getLast()).outputs();
                double[] add = perChannel(c, ch, where);
                if (stages.getLast() instanceof Conv cv) {
                    double[] b = cv.bias();
                    for (int i = 0; i < ch; i++) {
                        b[i] += add[i];
                    }
                    stages.set(stages.size() - 1, new Conv(cv.weights(), b, cv.inChannels(), cv.kh(), cv.kw(), cv.strides(), cv.pads(), cv.name()));
                } else {
                    Dense d = (Dense) stages.getLast();
                    double[] b = d.bias();
                    for (int i = 0; i < ch; i++) {
                        b[i] += add[i];
                    }
                    stages.set(stages.size() - 1, new Dense(d.weights(), b, d.name()));
                }
                out(n, a, where);
            }
            case "Relu" -> {
                only(n, node);
                act(n, 0, where, true);
                addStage(new Relu(node), where);
                out(n, new Act(shapeAfter(), stages.size(), false), where);
            }
            case "MaxPool" -> {
                only(n, node, "auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
                if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) {
                    throw refuse(n, node, "Indices output", where + ": the Indices output is not supported (only Y)");
                }
                Act a = act(n, 0, where, true);
                int[] k = kernel(n, node, where);
                int[] st = strides(n, node, where);
                int[] pd = pads(n, node, k[0], k[1], where, true);
                noDilations(n, node, where);
                ceilMode(n, node, where);
                image(a, where);
                addStage(new MaxPool(k[0], k[1], st, pd, node), where);
                out(n, new Act(shapeAfter(), stages.size(), false), where);
            }
            case "AveragePool" -> {
                only(n, node, "auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides");
                Act a = act(n, 0, where, true);
                int[] k = kernel(n, node, where);
                int[] st = strides(n, node, where);
                int[] pd = pads(n, node, k[0], k[1], where, true);
                noDilations(n, node, where);
                ceilMode(n, node, where);
                image(a, where);
                addStage(new AvgPool(k[0], k[1], st, pd, intAttr(n, "count_include_pad", 0) != 0, node), where);
                out(n, new Act(shapeAfter(), stages.size(), false), where);
            }
            case "GlobalAveragePool" -> {
                only(n, node);
                Act a = act(n, 0, where, true);
                image(a, where);
                addStage(new AvgPool(a.shape().h(), a.shape().w(), new int[]{1, 1}, new int[4], false, node), where);
                out(n, new Act(shapeAfter(), stages.size(), false), where);
            }
            case "Flatten" -> {
                only(n, node, "axis");
                Act a = act(n, 0, where, true);
                long axis = intAttr(n, "axis", 1);
                if (axis != 1 && !(a.shape().flat() && (axis == -1 || axis == 1))) {
                    throw refuse(n, node, "axis " + axis, where + ": only axis 1 (keep the batch, flatten C, H, W) is supported");
                }
                out(n, new Act(Shape.vector(a.shape().size()), a.at(), false), where);
            }
            case "Reshape" -> {
                only(n, node, "allowzero");
                Act a = act(n, 0, where, true);
                Val sv = in(n, 1, where);
                if (!(sv instanceof IConst s)) {
                    throw OnnxModelReader.unsupported(where + ": the shape must be an int64 constant");
                }
                long size = a.shape().size();
                long[] d = s.data();
                boolean ok = d.length == 2 && (d[0] == 1 || d[0] == -1 || d[0] == 0) && (d[1] == size || d[1] == -1)
                        && !(d[0] == -1 && d[1] == -1);
                if (!ok) {
                    throw OnnxModelReader.unsupported(where + ": shape " + Arrays.toString(d) + " is not supported; a Reshape to [1, "
                            + size + "] (or [-1, " + size + "], [1, -1], [0, -1]) flattens NCHW row-major");
                }
                out(n, new Act(Shape.vector((int) size), a.at(), false), where);
            }
            case "Gemm" -> {
                only(n, node, "alpha", "beta", "transA", "transB");
                if (intAttr(n, "transA", 0) != 0) {
                    throw refuse(n, node, "transA 1", where + ": transA = 1 is not supported");
                }
                Act a = act(n, 0, where, true);
                flat(a, where);
                FConst b = fconst(n, 1, where);
                boolean tb = intAttr(n, "transB", 0) != 0;
                int k = a.shape().size();
                if (b.shape().length != 2 || (tb ? b.shape()[1] : b.shape()[0]) != k) {
                    throw OnnxModelReader.unsupported(where + ": B has shape " + Arrays.toString(b.shape()) + " for " + k + " inputs");
                }
                int m = (int) (tb ? b.shape()[0] : b.shape()[1]);
                double alpha = floatAttr(n, "alpha", 1.0);
                double beta = floatAttr(n, "beta", 1.0);
                double[][] w = new double[m][k];
                for (int j = 0; j < m; j++) {
                    for (int i = 0; i < k; i++) {
                        w[j][i] = alpha * (tb ? b.data()[j * k + i] : b.data()[i * m + j]);
                    }
                }
                double[] bias = new double[m];
                if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                    double[] c = perChannel(fconst(n, 2, where), m, where);
                    for (int j = 0; j < m; j++) {
                        bias[j] = beta * c[j];
                    }
                }
                addStage(new Dense(w, bias, node), where);
                out(n, new Act(shapeAfter(), stages.size(), false), where);
            }
            case "MatMul" -> {
                only(n, node);
                Act a = act(n, 0, where, true);
                flat(a, where);
                FConst b = fconst(n, 1, where);
                int k = a.shape().size();
                if (b.shape().length != 2 || b.shape()[0] != k) {
                    throw OnnxModelReader.unsupported(where + ": B has shape " + Arrays.toString(b.shape()) + " for " + k + " inputs");
                }
                int m = (int) b.shape()[1];
                double[][] w = new double[m][k];
                for (int j = 0; j < m; j++) {
                    for (int i = 0; i < k; i++) {
                        w[j][i] = b.data()[i * m + j];
                    }
                }
                addStage(new Dense(w, new double[m], node), where);
                out(n, new Act(shapeAfter(), stages.size(), false), where);
            }
            case "Softmax" -> {
                only(n, node, "axis");
                Act a = act(n, 0, where, true);
                flat(a, where);
                long axis = intAttr(n, "axis", -1);
                if (axis != -1 && axis != 1) {
                    throw refuse(n, node, "axis " + axis, where + ": only the last axis is supported");
                }
                out(n, new Act(a.shape(), a.at(), true), where);
            }
            case "ArgMax" -> {
                only(n, node, "axis", "keepdims", "select_last_index");
                if (intAttr(n, "select_last_index", 0) != 0) {
                    throw refuse(n, node, "select_last_index 1", where + ": select_last_index = 1 is not supported (ties go to the first index)");
                }
                Val v = in(n, 0, where);
                if (!(v instanceof Act a) || a.at() != stages.size()) {
                    throw OnnxModelReader.unsupported(where + " must read the network's last value");
                }
                flat(a, where);
                long axis = intAttr(n, "axis", 0);
                if (axis != -1 && axis != 1) {
                    throw refuse(n, node, "axis " + axis, where + ": only the last axis is supported");
                }
                out(n, new Label(a.shape().size()), where);
            }
            default -> throw new IllegalStateException("operator " + n.getOpType() + " passed the check");
        }
    }

    private Shape shapeAfter() throws ModelFormatException {
        try {
            return new ConvNetStructure(inputShape().c(), inputShape().h(), inputShape().w(), stages, false).shapes().getLast();
        } catch (IllegalArgumentException e) {
            throw OnnxModelReader.unsupported(e.getMessage());
        }
    }

    private Shape inputShape;

    private Shape inputShape() {
        if (inputShape == null) {
            inputShape = vals.values().stream().filter(v -> v instanceof Act a && a.at() == 0).map(v -> ((Act) v).shape())
                    .findFirst().orElseThrow();
        }
        return inputShape;
    }

    private void addStage(Stage s, String where) throws ModelFormatException {
        stages.add(s);
        try {
            new ConvNetStructure(inputShape().c(), inputShape().h(), inputShape().w(), stages, false);
        } catch (IllegalArgumentException e) {
            throw OnnxModelReader.unsupported(where + ": " + e.getMessage());
        }
    }

    private static void image(Act a, String where) throws ModelFormatException {
        if (a.shape().flat()) {
            throw OnnxModelReader.unsupported(where + " reads a flattened value; pools read [1, C, H, W]");
        }
    }

    private static void flat(Act a, String where) throws ModelFormatException {
        if (!a.shape().flat()) {
            throw OnnxModelReader.unsupported(where + " reads a [1, C, H, W] value; Flatten or Reshape it to [1, n] first");
        }
    }

    private static double[] perChannel(FConst c, int ch, String where) throws ModelFormatException {
        if (c.data().length == ch) {
            return c.data();
        }
        if (c.data().length == 1) {
            double[] d = new double[ch];
            Arrays.fill(d, c.data()[0]);
            return d;
        }
        throw OnnxModelReader.unsupported(where + ": the constant has " + c.data().length + " values for " + ch + " channels");
    }

    // --- attributes --------------------------------------------------------------------------------

    private static ModelFormatException refuse(NodeProto n, String node, String attribute, String message) {
        return ModelFormatException.unsupportedOperators(List.of(new UnsupportedOperator(
                OnnxModelReader.printable(n.getOpType()) + " (" + OnnxModelReader.printable(attribute) + ")", node)), message);
    }

    private static void only(NodeProto n, String node, String... allowed) throws ModelFormatException {
        List<String> ok = List.of(allowed);
        for (AttributeProto a : n.getAttributeList()) {
            if (!ok.contains(a.getName())) {
                throw refuse(n, node, a.getName(), n.getOpType() + " node \"" + node + "\" has the attribute \""
                        + OnnxModelReader.printable(a.getName()) + "\", which is not supported");
            }
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

    private static long intAttr(NodeProto n, String name, long dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getI();
    }

    private static double floatAttr(NodeProto n, String name, double dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getF();
    }

    private static long[] ints(NodeProto n, String name) {
        AttributeProto a = attr(n, name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static int[] kernel(NodeProto n, String node, String where) throws ModelFormatException {
        long[] k = ints(n, "kernel_shape");
        if (k == null || k.length != 2 || k[0] < 1 || k[1] < 1 || k[0] > 4096 || k[1] > 4096) {
            throw refuse(n, node, "kernel_shape", where + ": kernel_shape must be 2 positive integers (2-D), got "
                    + (k == null ? "none" : Arrays.toString(k)));
        }
        return new int[]{(int) k[0], (int) k[1]};
    }

    private static void kernelMatches(NodeProto n, String node, int kh, int kw, String where) throws ModelFormatException {
        long[] k = ints(n, "kernel_shape");
        if (k != null && (k.length != 2 || k[0] != kh || k[1] != kw)) {
            throw refuse(n, node, "kernel_shape", where + ": kernel_shape " + Arrays.toString(k) + " does not match W's [" + kh + ", " + kw + "]");
        }
    }

    private static int[] strides(NodeProto n, String node, String where) throws ModelFormatException {
        long[] s = ints(n, "strides");
        if (s == null) {
            return new int[]{1, 1};
        }
        if (s.length != 2 || s[0] < 1 || s[1] < 1 || s[0] > 1024 || s[1] > 1024) {
            throw refuse(n, node, "strides", where + ": strides must be 2 integers in [1, 1024], got " + Arrays.toString(s));
        }
        return new int[]{(int) s[0], (int) s[1]};
    }

    /** ONNX pads [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right]; auto_pad NOTSET or VALID. */
    private static int[] pads(NodeProto n, String node, int kh, int kw, String where, boolean pool) throws ModelFormatException {
        AttributeProto ap = attr(n, "auto_pad");
        String auto = ap == null ? "NOTSET" : ap.getS().toStringUtf8();
        if (!auto.equals("NOTSET") && !auto.equals("VALID")) {
            throw refuse(n, node, "auto_pad " + auto, where + ": auto_pad " + OnnxModelReader.printable(auto)
                    + " is not supported (NOTSET with explicit pads, or VALID)");
        }
        long[] p = ints(n, "pads");
        if (p == null || auto.equals("VALID")) {
            return new int[4];
        }
        if (p.length != 4) {
            throw refuse(n, node, "pads", where + ": pads must have 4 entries (2-D), got " + p.length);
        }
        int[] out = new int[4];
        for (int i = 0; i < 4; i++) {
            int k = i % 2 == 0 ? kh : kw;
            if (p[i] < 0 || p[i] >= k) {
                throw refuse(n, node, "pads", where + ": pads " + Arrays.toString(p) + " are not supported: each must be in [0, kernel) "
                        + "(every window then holds an image element)");
            }
            out[i] = (int) p[i];
        }
        return out;
    }

    private static void noDilations(NodeProto n, String node, String where) throws ModelFormatException {
        long[] d = ints(n, "dilations");
        if (d != null && Arrays.stream(d).anyMatch(v -> v != 1)) {
            throw refuse(n, node, "dilations " + Arrays.toString(d), where + ": dilations " + Arrays.toString(d) + " are not supported (1 only)");
        }
    }

    private static void ceilMode(NodeProto n, String node, String where) throws ModelFormatException {
        if (intAttr(n, "ceil_mode", 0) != 0) {
            throw refuse(n, node, "ceil_mode 1", where + ": ceil_mode = 1 is not supported (floor only)");
        }
    }

    // --- values ------------------------------------------------------------------------------------

    private Val in(NodeProto n, int i, String where) throws ModelFormatException {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
            throw OnnxModelReader.unsupported(where + ": input " + i + " is missing");
        }
        Val v = vals.get(n.getInput(i));
        if (v == null) {
            throw OnnxModelReader.unsupported(where + " reads \"" + OnnxModelReader.printable(n.getInput(i))
                    + "\", which no earlier node writes (the nodes must be in topological order)");
        }
        if (v instanceof Label) {
            throw OnnxModelReader.unsupported(where + " reads the output of an ArgMax; the ArgMax must be the last node");
        }
        return v;
    }

    private Act act(NodeProto n, int i, String where, boolean any) throws ModelFormatException {
        Val v = in(n, i, where);
        if (!(v instanceof Act a)) {
            throw OnnxModelReader.unsupported(where + ": input " + i + " must depend on the model input, not be a constant");
        }
        if (a.softmax()) {
            throw OnnxModelReader.unsupported(where + " reads a Softmax's output; a Softmax is only supported right before an ArgMax");
        }
        if (a.at() != stages.size()) {
            throw OnnxModelReader.unsupported(where + " reads a value from before the last layer (skip connections are not supported)");
        }
        if (!any && a.shape().flat()) {
            throw OnnxModelReader.unsupported(where + " reads a flattened value; a Conv reads [1, C, H, W]");
        }
        return a;
    }

    private FConst fconst(NodeProto n, int i, String where) throws ModelFormatException {
        Val v = in(n, i, where);
        if (!(v instanceof FConst c)) {
            throw OnnxModelReader.unsupported(where + ": input " + i + " must be a float constant (an initializer)");
        }
        return c;
    }

    private void out(NodeProto n, Val v, String where) throws ModelFormatException {
        if (n.getOutputCount() < 1 || n.getOutput(0).isEmpty()) {
            throw OnnxModelReader.unsupported(where + " has no output");
        }
        if (vals.putIfAbsent(n.getOutput(0), v) != null) {
            throw OnnxModelReader.unsupported(where + " writes \"" + OnnxModelReader.printable(n.getOutput(0)) + "\", which is already written");
        }
    }

    private Val tensor(TensorProto t, String what) throws ModelFormatException {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw OnnxModelReader.unsupported(what + " keeps its data in an external file; save the model with the weights inside");
        }
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new ModelFormatException(Reason.NOT_PROTOBUF, what + " has a negative dimension " + d);
            }
            n = d == 0 ? 0 : (n > OnnxModelReader.MAX_TENSOR_ELEMENTS / Math.max(d, 1) ? OnnxModelReader.MAX_TENSOR_ELEMENTS + 1 : n * d);
            if (n > OnnxModelReader.MAX_TENSOR_ELEMENTS) {
                throw new ModelFormatException(Reason.TOO_LARGE, what + " has over " + OnnxModelReader.MAX_TENSOR_ELEMENTS + " elements");
            }
        }
        total += n;
        if (total > OnnxModelReader.MAX_TOTAL_ELEMENTS) {
            throw new ModelFormatException(Reason.TOO_LARGE, "the initializers hold over " + OnnxModelReader.MAX_TOTAL_ELEMENTS + " elements");
        }
        int count = (int) n;
        ByteString raw = t.getRawData();
        int type = t.getDataType();
        if (type == TensorProto.DataType.FLOAT_VALUE || type == TensorProto.DataType.DOUBLE_VALUE) {
            boolean f = type == TensorProto.DataType.FLOAT_VALUE;
            double[] d = new double[count];
            if (t.hasRawData()) {
                need(raw.size() == (long) (f ? 4 : 8) * count, what + ": raw_data has " + raw.size() + " bytes for " + count + " values");
                ByteBuffer bb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < count; i++) {
                    d[i] = f ? bb.getFloat() : bb.getDouble();
                }
            } else {
                need((f ? t.getFloatDataCount() : t.getDoubleDataCount()) == count, what + ": the data has the wrong length for " + count);
                for (int i = 0; i < count; i++) {
                    d[i] = f ? t.getFloatData(i) : t.getDoubleData(i);
                }
            }
            for (double v : d) {
                if (!Double.isFinite(v)) {
                    throw OnnxModelReader.unsupported(what + " holds a non-finite value " + v);
                }
            }
            return new FConst(shape, d);
        }
        if (type == TensorProto.DataType.INT64_VALUE) {
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
            return new IConst(shape, d);
        }
        throw OnnxModelReader.unsupported(what + " has data type " + type + "; float, double and int64 are supported");
    }

    private static void need(boolean ok, String message) throws ModelFormatException {
        if (!ok) {
            throw new ModelFormatException(Reason.NOT_PROTOBUF, "the ONNX model is inconsistent: " + message);
        }
    }
}
