package io.zkml.compiler.ir;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates an IR document against every rule of docs/ir-format.md (version 1).
 *
 * <p>Rejected with {@link IrValidationException}: malformed JSON, duplicate keys, a format other
 * than {@code "zkml-ir"}, any version other than 1, a field other than {@code "bn254"}, unknown
 * ops, unknown keys inside tensors and ops, bad names, integers not in canonical decimal string
 * form, wrong sizes, scale rules, non-input bounds that differ from the recomputed interval
 * analysis, any bound with {@code |bound| ≥ 2^248}, wrong evaluation order, no op at all, an output
 * that is the input. Unknown top-level keys are ignored (as the Go reader does); {@link IrWriter}
 * does not write them back.
 *
 * <p>Every integer of the document, weights and biases included, must satisfy {@code |v| < 2^248}
 * (as in the Go reader). One rule is stricter than the Go reader: every scale, weight scale and
 * shift must be within {@code ±}{@value #MAX_ABS_SCALE} (a scale beyond that cannot describe a value
 * below {@code 2^248} usefully). The metadata rules (name, task, producer, features and labels
 * present and consistent with the tensors) are checked here only; the Go reader does not need them.
 */
public final class IrReader {

    /** Largest IR document accepted. */
    public static final int MAX_BYTES = 64 * 1024 * 1024;
    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]*$");
    private static final Pattern INTEGER = Pattern.compile("^-?(0|[1-9][0-9]*)$");
    /** 2^248 has 75 decimal digits: anything longer is out of range before parsing. */
    private static final int MAX_INTEGER_CHARS = 80;
    private static final int MAX_METADATA_DEPTH = 16;
    /** Largest |scale| / |weightScale| accepted. */
    public static final int MAX_ABS_SCALE = 1024;
    private static final Set<String> TENSOR_KEYS = Set.of("name", "size", "scale", "lo", "hi");
    private static final Set<String> DENSE_KEYS = Set.of("op", "in", "out", "weightScale", "weights", "bias");
    private static final Set<String> RESCALE_KEYS = Set.of("op", "in", "out", "shift");
    private static final Set<String> ARGMAX_KEYS = Set.of("op", "in", "out");

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private IrReader() {
    }

    /** Parses and validates IR bytes (UTF-8 JSON). */
    public static CircuitIr read(byte[] json) throws IrValidationException {
        if (json == null || json.length == 0) {
            throw new IrValidationException("IR document is empty");
        }
        if (json.length > MAX_BYTES) {
            throw new IrValidationException("IR document is " + json.length + " bytes, more than the limit of " + MAX_BYTES);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new IrValidationException("IR document is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IrValidationException("IR document must be a JSON object");
        }
        CircuitIr ir = parse(root);
        validate(ir);
        return ir;
    }

    private static CircuitIr parse(JsonNode root) throws IrValidationException {
        String format = string(root, "format", "");
        if (!CircuitIr.FORMAT.equals(format)) {
            throw new IrValidationException("format must be \"" + CircuitIr.FORMAT + "\", got \"" + format + "\"");
        }
        JsonNode v = root.get("version");
        if (v == null || !v.isIntegralNumber()) {
            throw new IrValidationException("version must be an integer");
        }
        if (!v.bigIntegerValue().equals(BigInteger.valueOf(CircuitIr.VERSION))) {
            throw new IrValidationException("unsupported IR version " + v.bigIntegerValue()
                    + ": this reader knows version " + CircuitIr.VERSION + " only");
        }
        String field = string(root, "field", "");
        if (!CircuitIr.FIELD.equals(field)) {
            throw new IrValidationException("field must be \"" + CircuitIr.FIELD + "\", got \"" + field + "\"");
        }
        String name = string(root, "name", "");
        String task = string(root, "task", "");
        JsonNode p = object(root, "producer", "", true);
        exactKeys(p, Set.of("name", "version"), "producer");
        CircuitIr.Producer producer = new CircuitIr.Producer(string(p, "name", "producer."), string(p, "version", "producer."));
        CircuitIr.Source source = null;
        JsonNode s = object(root, "source", "", false);
        if (s != null) {
            exactKeys(s, Set.of("format", "sha256", "modelClass"), "source");
            source = new CircuitIr.Source(string(s, "format", "source."), string(s, "sha256", "source."),
                    string(s, "modelClass", "source."));
        }
        JsonNode q = object(root, "quantization", "", false);
        if (q != null) {
            checkMetadata(q, "quantization", 0);
        }
        List<String> features = strings(root, "features");
        List<String> labels = strings(root, "labels");

        List<IrTensor> tensors = new ArrayList<>();
        JsonNode ts = array(root, "tensors", "");
        for (int k = 0; k < ts.size(); k++) {
            tensors.add(parseTensor(ts.get(k), "tensors[" + k + "]"));
        }
        List<String> inputs = strings(root, "inputs");
        List<IrOp> ops = new ArrayList<>();
        JsonNode os = array(root, "ops", "");
        for (int k = 0; k < os.size(); k++) {
            ops.add(parseOp(os.get(k), "ops[" + k + "]"));
        }
        List<String> outputs = strings(root, "outputs");
        return new CircuitIr(format, CircuitIr.VERSION, field, name, task, producer, source,
                (ObjectNode) q, features, labels, tensors, inputs, ops, outputs);
    }

    private static IrTensor parseTensor(JsonNode t, String where) throws IrValidationException {
        if (t == null || !t.isObject()) {
            throw new IrValidationException(where + " must be an object");
        }
        exactKeys(t, TENSOR_KEYS, where);
        String name = string(t, "name", where + ".");
        int size = smallInt(t, "size", where);
        int scale = smallInt(t, "scale", where);
        return new IrTensor(name, size, scale, integers(t.get("lo"), where + ".lo"), integers(t.get("hi"), where + ".hi"));
    }

    private static IrOp parseOp(JsonNode o, String where) throws IrValidationException {
        if (o == null || !o.isObject()) {
            throw new IrValidationException(where + " must be an object");
        }
        String op = string(o, "op", where + ".");
        switch (op) {
            case "dense" -> {
                exactKeys(o, DENSE_KEYS, where + " (dense)");
                JsonNode ws = o.get("weights");
                if (!ws.isArray()) {
                    throw new IrValidationException(where + ".weights must be an array of arrays");
                }
                List<List<BigInteger>> weights = new ArrayList<>();
                for (int j = 0; j < ws.size(); j++) {
                    weights.add(integers(ws.get(j), where + ".weights[" + j + "]"));
                }
                return new DenseOp(string(o, "in", where + "."), string(o, "out", where + "."),
                        smallInt(o, "weightScale", where), weights, integers(o.get("bias"), where + ".bias"));
            }
            case "rescale" -> {
                exactKeys(o, RESCALE_KEYS, where + " (rescale)");
                return new RescaleOp(string(o, "in", where + "."), string(o, "out", where + "."), smallInt(o, "shift", where));
            }
            case "argmax" -> {
                exactKeys(o, ARGMAX_KEYS, where + " (argmax)");
                return new ArgmaxOp(string(o, "in", where + "."), string(o, "out", where + "."));
            }
            default -> throw new IrValidationException(where + ": unknown op \"" + op + "\" (IR v1 knows dense, rescale, argmax)");
        }
    }

    /**
     * Checks every semantic rule of IR v1 on a document in memory: names, sizes, op order, scale
     * rules, bounds (recomputed) and the {@code 2^248} limit. The compiler runs it on its own output.
     */
    public static void validate(CircuitIr ir) throws IrValidationException {
        if (!CircuitIr.FORMAT.equals(ir.format()) || ir.version() != CircuitIr.VERSION || !CircuitIr.FIELD.equals(ir.field())) {
            throw new IrValidationException("format/version/field must be \"zkml-ir\"/1/\"bn254\"");
        }
        if (!ir.task().equals("classification") && !ir.task().equals("regression")) {
            throw new IrValidationException("task must be \"classification\" or \"regression\", got \"" + ir.task() + "\"");
        }
        Map<String, IrTensor> byName = new HashMap<>();
        for (IrTensor t : ir.tensors()) {
            String where = "tensor \"" + t.name() + "\"";
            if (!NAME.matcher(t.name()).matches()) {
                throw new IrValidationException(where + ": name must match ^[a-z][a-z0-9_]*$");
            }
            if (byName.put(t.name(), t) != null) {
                throw new IrValidationException(where + " is declared twice");
            }
            if (t.size() < 1) {
                throw new IrValidationException(where + ": size must be at least 1, got " + t.size());
            }
            if (t.lo().size() != t.size() || t.hi().size() != t.size()) {
                throw new IrValidationException(where + ": lo and hi must have size=" + t.size() + " entries, got "
                        + t.lo().size() + " and " + t.hi().size());
            }
            for (int i = 0; i < t.size(); i++) {
                BigInteger lo = t.lo().get(i);
                BigInteger hi = t.hi().get(i);
                if (lo.compareTo(hi) > 0) {
                    throw new IrValidationException(where + ": lo[" + i + "] = " + lo + " is greater than hi[" + i + "] = " + hi);
                }
                if (!IntervalAnalysis.withinFieldLimit(lo) || !IntervalAnalysis.withinFieldLimit(hi)) {
                    throw new IrValidationException(where + ": bound " + i + " has |bound| >= 2^248 (overflow)");
                }
            }
        }
        if (ir.inputs().size() != 1) {
            throw new IrValidationException("IR v1 has exactly one input tensor, got " + ir.inputs().size());
        }
        if (ir.outputs().size() != 1) {
            throw new IrValidationException("IR v1 has exactly one output tensor, got " + ir.outputs().size());
        }
        IrTensor input = byName.get(ir.inputs().getFirst());
        if (input == null) {
            throw new IrValidationException("input \"" + ir.inputs().getFirst() + "\" is not a declared tensor");
        }
        if (ir.ops().isEmpty()) {
            throw new IrValidationException("IR v1 needs at least one op, got none");
        }
        Set<String> written = new HashSet<>();
        written.add(input.name());
        for (int k = 0; k < ir.ops().size(); k++) {
            IrOp op = ir.ops().get(k);
            String where = "ops[" + k + "] (" + op.op() + ")";
            IrTensor in = byName.get(op.in());
            IrTensor out = byName.get(op.out());
            if (in == null) {
                throw new IrValidationException(where + ": in \"" + op.in() + "\" is not a declared tensor");
            }
            if (out == null) {
                throw new IrValidationException(where + ": out \"" + op.out() + "\" is not a declared tensor");
            }
            if (!written.contains(in.name())) {
                throw new IrValidationException(where + ": in \"" + in.name() + "\" is neither the input nor written by an earlier op");
            }
            if (out.name().equals(input.name())) {
                throw new IrValidationException(where + ": out \"" + out.name() + "\" is the input tensor");
            }
            if (!written.add(out.name())) {
                throw new IrValidationException(where + ": out \"" + out.name() + "\" is written twice");
            }
            IntervalAnalysis.Bounds expected = switch (op) {
                case DenseOp d -> checkDense(d, in, out, where);
                case RescaleOp r -> {
                    if (r.shift() < 0 || r.shift() > RescaleOp.MAX_SHIFT) {
                        throw new IrValidationException(where + ": shift must be in [0, " + RescaleOp.MAX_SHIFT + "], got " + r.shift());
                    }
                    checkSizeAndScale(out, in.size(), (long) in.scale() - r.shift(), where);
                    yield IntervalAnalysis.rescale(r.shift(), in.lo(), in.hi());
                }
                case ArgmaxOp a -> {
                    checkSizeAndScale(out, 1, 0, where);
                    yield IntervalAnalysis.argmax(in.size());
                }
            };
            if (!expected.lo().equals(out.lo()) || !expected.hi().equals(out.hi())) {
                throw new IrValidationException(where + ": bounds of \"" + out.name() + "\" differ from the interval analysis: expected lo="
                        + expected.lo() + " hi=" + expected.hi() + ", got lo=" + out.lo() + " hi=" + out.hi());
            }
        }
        for (IrTensor t : ir.tensors()) {
            if (!written.contains(t.name())) {
                throw new IrValidationException("tensor \"" + t.name() + "\" is neither the input nor written by an op");
            }
        }
        String outputName = ir.outputs().getFirst();
        if (!byName.containsKey(outputName)) {
            throw new IrValidationException("output \"" + outputName + "\" is not a declared tensor");
        }
        if (outputName.equals(input.name())) {
            throw new IrValidationException("output \"" + outputName + "\" is the input tensor; an output must be written by an op");
        }
        checkMetadataSizes(ir, input, byName.get(outputName));
    }

    private static IntervalAnalysis.Bounds checkDense(DenseOp d, IrTensor in, IrTensor out, String where) throws IrValidationException {
        if (d.weights().size() != out.size()) {
            throw new IrValidationException(where + ": weights must have out.size=" + out.size() + " rows, got " + d.weights().size());
        }
        for (int j = 0; j < d.weights().size(); j++) {
            List<BigInteger> row = d.weights().get(j);
            if (row.size() != in.size()) {
                throw new IrValidationException(where + ": weights[" + j + "] must have in.size=" + in.size() + " entries, got " + row.size());
            }
            for (BigInteger w : row) {
                if (!IntervalAnalysis.withinFieldLimit(w)) {
                    throw new IrValidationException(where + ": weights[" + j + "] has an entry with |w| >= 2^248");
                }
            }
        }
        if (d.bias().size() != out.size()) {
            throw new IrValidationException(where + ": bias must have out.size=" + out.size() + " entries, got " + d.bias().size());
        }
        for (int j = 0; j < d.bias().size(); j++) {
            if (!IntervalAnalysis.withinFieldLimit(d.bias().get(j))) {
                throw new IrValidationException(where + ": bias[" + j + "] has |b| >= 2^248");
            }
        }
        checkSizeAndScale(out, out.size(), (long) in.scale() + d.weightScale(), where);
        return IntervalAnalysis.dense(d.weights(), d.bias(), in.lo(), in.hi());
    }

    private static void checkSizeAndScale(IrTensor out, int size, long scale, String where) throws IrValidationException {
        if (out.size() != size) {
            throw new IrValidationException(where + ": out \"" + out.name() + "\" must have size " + size + ", got " + out.size());
        }
        if (out.scale() != scale) {
            throw new IrValidationException(where + ": out \"" + out.name() + "\" must have scale " + scale + ", got " + out.scale());
        }
    }

    /** features name the input elements; labels name the argmax indices or the regression outputs. */
    private static void checkMetadataSizes(CircuitIr ir, IrTensor input, IrTensor output) throws IrValidationException {
        if (ir.features().size() != input.size()) {
            throw new IrValidationException("features must name the " + input.size() + " input elements, got " + ir.features().size());
        }
        IrOp last = ir.ops().stream().filter(o -> o.out().equals(output.name())).findFirst().orElse(null);
        int expected = last instanceof ArgmaxOp a
                ? ir.tensor(a.in()).orElseThrow().size()
                : output.size();
        if (ir.labels().size() != expected) {
            throw new IrValidationException("labels must have " + expected + " entries, got " + ir.labels().size());
        }
        if (ir.task().equals("classification") != (last instanceof ArgmaxOp)) {
            throw new IrValidationException("task \"" + ir.task() + "\" does not match the output op: classification ends in argmax, regression does not");
        }
    }

    // ---- JSON helpers ----

    private static String string(JsonNode parent, String key, String where) throws IrValidationException {
        JsonNode n = parent.get(key);
        if (n == null || !n.isString()) {
            throw new IrValidationException(where + key + " must be a string");
        }
        return n.stringValue();
    }

    private static JsonNode object(JsonNode parent, String key, String where, boolean required) throws IrValidationException {
        JsonNode n = parent.get(key);
        if (n == null) {
            if (required) {
                throw new IrValidationException(where + key + " is missing");
            }
            return null;
        }
        if (!n.isObject()) {
            throw new IrValidationException(where + key + " must be an object");
        }
        return n;
    }

    private static JsonNode array(JsonNode parent, String key, String where) throws IrValidationException {
        JsonNode n = parent.get(key);
        if (n == null || !n.isArray()) {
            throw new IrValidationException(where + key + " must be an array");
        }
        return n;
    }

    private static List<String> strings(JsonNode parent, String key) throws IrValidationException {
        JsonNode a = array(parent, key, "");
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isString()) {
                throw new IrValidationException(key + "[" + i + "] must be a string");
            }
            out.add(a.get(i).stringValue());
        }
        return out;
    }

    private static int smallInt(JsonNode parent, String key, String where) throws IrValidationException {
        JsonNode n = parent.get(key);
        if (n == null || !n.isIntegralNumber()) {
            throw new IrValidationException(where + "." + key + " must be a JSON integer");
        }
        BigInteger v = n.bigIntegerValue();
        if (v.abs().compareTo(BigInteger.valueOf(key.equals("size") ? Integer.MAX_VALUE : MAX_ABS_SCALE)) > 0) {
            throw new IrValidationException(where + "." + key + " = " + v + " is out of range");
        }
        return v.intValueExact();
    }

    private static List<BigInteger> integers(JsonNode a, String where) throws IrValidationException {
        if (a == null || !a.isArray()) {
            throw new IrValidationException(where + " must be an array of integer strings");
        }
        List<BigInteger> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(integer(a.get(i), where + "[" + i + "]"));
        }
        return out;
    }

    /** A canonical decimal integer string: optional '-', digits, no leading zeros, not "-0". */
    static BigInteger integer(JsonNode n, String where) throws IrValidationException {
        if (n == null || !n.isString()) {
            throw new IrValidationException(where + " must be an integer written as a JSON string, got " + n);
        }
        String s = n.stringValue();
        if (s.length() > MAX_INTEGER_CHARS || !INTEGER.matcher(s).matches() || s.equals("-0")) {
            throw new IrValidationException(where + " = \"" + abbreviate(s)
                    + "\" is not a canonical decimal integer (optional '-', digits, no leading zeros, not \"-0\", |v| < 2^248)");
        }
        return new BigInteger(s);
    }

    private static void exactKeys(JsonNode o, Set<String> allowed, String where) throws IrValidationException {
        for (String k : o.propertyNames()) {
            if (!allowed.contains(k)) {
                throw new IrValidationException(where + ": unknown key \"" + abbreviate(k) + "\"");
            }
        }
        for (String k : allowed) {
            if (!o.has(k)) {
                throw new IrValidationException(where + ": key \"" + k + "\" is missing");
            }
        }
    }

    private static void checkMetadata(JsonNode n, String where, int depth) throws IrValidationException {
        if (depth > MAX_METADATA_DEPTH) {
            throw new IrValidationException(where + " is nested too deeply");
        }
        if (n.isFloatingPointNumber()) {
            throw new IrValidationException(where + ": floating-point numbers are not allowed in IR metadata (write them as strings)");
        }
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                checkMetadata(e.getValue(), where + "." + e.getKey(), depth + 1);
            }
        } else if (n.isArray()) {
            for (JsonNode c : n.values()) {
                checkMetadata(c, where + "[]", depth + 1);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
