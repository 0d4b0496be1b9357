package io.zkml.compiler.ir;

import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.ops.DenseOp;
import io.zkml.compiler.ir.ops.RescaleOp;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates an IR document against every rule of docs/ir-format.md: version 2, and
 * version 1 documents, which it lifts into the version 2 graph (constants {@code <out>_weight},
 * {@code <out>_bias}; {@link CircuitIr#version()} stays 1).
 *
 * <p>Rejected with {@link IrValidationException}, whose message locates the value (for example
 * {@code ops[1].attributes.feature[3]: ...}): bytes that are not UTF-8 (or begin with a byte order
 * mark), malformed JSON, duplicate keys, more than
 * {@value #MAX_BYTES} bytes or nesting deeper than 64, an unknown format, version or field,
 * unknown or missing keys in tensors, ops and attributes, unknown ops, bad names, roles and
 * visibilities (reserved ones: "not supported yet"), shapes (rank 1 to 8, dimensions ≥ 1, at most
 * 2^24 elements), scales outside ±{@value #MAX_ABS_SCALE}, small integers that are not JSON
 * integers of at most 9 digits, big integers not in canonical decimal string form or with
 * {@code |v| ≥ 2^248}, {@code inputs}/{@code outputs} that do not list exactly the tensors of
 * their role, ops out of evaluation order or writing a tensor twice, unread constants, unwritten
 * intermediates and outputs, each op's own rules, bounds that differ from the recomputed interval
 * analysis. Unknown top-level keys are ignored (as the Go reader does); {@link IrWriter} does not
 * write them back.
 *
 * <p>Java-only rules (docs/ir-format.md, "Reader differences"): {@code name}, {@code task},
 * {@code producer} (exactly {@code name}, {@code version}), {@code features}, {@code labels}
 * required; {@code source} exactly {@code format}, {@code sha256}, {@code modelClass};
 * {@code quantization} without floating-point numbers, nested at most 16 deep; {@code features}
 * one per input element; {@code labels}: classification has one output of shape {@code [1]} with
 * {@code lo >= 0} and at least {@code hi + 1} labels, regression one label per output element.
 */
public final class IrReader {

    /** Largest IR document accepted. */
    public static final int MAX_BYTES = 64 * 1024 * 1024;
    /** Largest |scale| accepted. */
    public static final int MAX_ABS_SCALE = 1024;
    /** Largest rank of a shape. */
    public static final int MAX_RANK = 8;
    /** Largest element count of a tensor. */
    public static final int MAX_ELEMENTS = 1 << 24;
    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]*$");
    private static final Pattern INTEGER = Pattern.compile("^-?(0|[1-9][0-9]*)$");
    /** 2^248 has 75 decimal digits: anything longer is out of range before parsing. */
    private static final int MAX_INTEGER_CHARS = 80;
    private static final int MAX_METADATA_DEPTH = 16;
    private static final Set<String> CONSTANT_KEYS = Set.of("name", "role", "visibility", "shape", "scale", "values");
    private static final Set<String> TENSOR_KEYS = Set.of("name", "role", "visibility", "shape", "scale", "lo", "hi");
    private static final Set<String> OP_KEYS = Set.of("op", "inputs", "outputs", "attributes");
    private static final Set<String> V1_TENSOR_KEYS = Set.of("name", "size", "scale", "lo", "hi");
    private static final Set<String> V1_DENSE_KEYS = Set.of("op", "in", "out", "weightScale", "weights", "bias");
    private static final Set<String> V1_RESCALE_KEYS = Set.of("op", "in", "out", "shift");
    private static final Set<String> V1_ARGMAX_KEYS = Set.of("op", "in", "out");

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

    /** Parses and validates IR bytes (UTF-8 JSON), version 2 or (lifted) version 1. */
    public static CircuitIr read(byte[] json) throws IrValidationException {
        if (json == null || json.length == 0) {
            throw new IrValidationException("IR document is empty");
        }
        if (json.length > MAX_BYTES) {
            throw new IrValidationException("IR document is " + json.length + " bytes, more than the limit of " + MAX_BYTES);
        }
        // A document is UTF-8 without a byte order mark (docs/ir-format.md, "Document"). Jackson would
        // detect and accept a BOM, UTF-16 or UTF-32 from the first bytes (the Go reader rejects them):
        // decode strictly here and hand Jackson the characters.
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IrValidationException("IR document is not valid UTF-8", e);
        }
        if (text.startsWith("\uFEFF")) {
            throw new IrValidationException("IR document starts with a byte order mark (IR documents are UTF-8 without one)");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
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

    private record Metadata(String name, String task, CircuitIr.Producer producer, CircuitIr.Source source,
                            ObjectNode quantization, List<String> features, List<String> labels) {
    }

    private static CircuitIr parse(JsonNode root) throws IrValidationException {
        String format = string(root, "format", "");
        if (!CircuitIr.FORMAT.equals(format)) {
            throw new IrValidationException("format must be \"" + CircuitIr.FORMAT + "\", got \"" + abbreviate(format) + "\"");
        }
        JsonNode v = root.get("version");
        if (v == null || !v.isIntegralNumber()) {
            throw new IrValidationException("version must be an integer");
        }
        BigInteger version = v.bigIntegerValue();
        if (!version.equals(BigInteger.valueOf(CircuitIr.VERSION)) && !version.equals(BigInteger.valueOf(CircuitIr.V1))) {
            throw new IrValidationException("unsupported IR version " + abbreviate(version.toString())
                    + ": this reader knows versions " + CircuitIr.V1 + " and " + CircuitIr.VERSION);
        }
        String field = string(root, "field", "");
        if (!CircuitIr.FIELD.equals(field)) {
            throw new IrValidationException("field must be \"" + CircuitIr.FIELD + "\", got \"" + abbreviate(field) + "\"");
        }
        JsonNode rc = root.get("range_check");
        if (rc != null) {
            // issue 7: how every range check is made (docs/ir-format.md, "Range checks"); version 2 only
            if (!version.equals(BigInteger.valueOf(CircuitIr.VERSION))) {
                throw new IrValidationException("range_check: version 1 documents have no range_check (bit decompositions only)");
            }
            if (!rc.isString() || !(rc.asString().equals("bits") || rc.asString().equals("lookup"))) {
                throw new IrValidationException("range_check must be \"bits\" or \"lookup\", got " + abbreviate(rc.toString()));
            }
        }
        Metadata meta = metadata(root);
        return version.intValue() == CircuitIr.V1 ? parseV1(root, meta) : parseV2(root, meta);
    }

    private static Metadata metadata(JsonNode root) throws IrValidationException {
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
        return new Metadata(name, task, producer, source, (ObjectNode) q, strings(root, "features"), strings(root, "labels"));
    }

    private static CircuitIr parseV2(JsonNode root, Metadata m) throws IrValidationException {
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
        List<CircuitIr.Commitment> commitments = parseCommitments(root);
        return new CircuitIr(CircuitIr.FORMAT, CircuitIr.VERSION, CircuitIr.FIELD, m.name(), m.task(), m.producer(),
                m.source(), m.quantization(), m.features(), m.labels(), tensors, inputs, ops, outputs, commitments);
    }

    private static final Set<String> COMMITMENT_KEYS = Set.of("name", "domain", "tensors");

    /** The top-level {@code commitments} (null when absent); {@link #validate} checks them against the inputs. */
    private static List<CircuitIr.Commitment> parseCommitments(JsonNode root) throws IrValidationException {
        if (!root.has("commitments")) {
            return null;
        }
        JsonNode cs = array(root, "commitments", "");
        if (cs.isEmpty()) {
            throw new IrValidationException("commitments must not be empty (leave the key out when no input is hashed)");
        }
        List<CircuitIr.Commitment> out = new ArrayList<>();
        for (int k = 0; k < cs.size(); k++) {
            String where = "commitments[" + k + "]";
            JsonNode c = cs.get(k);
            if (!c.isObject()) {
                throw new IrValidationException(where + " must be an object");
            }
            exactKeys(c, COMMITMENT_KEYS, where);
            out.add(new CircuitIr.Commitment(string(c, "name", where + "."), string(c, "domain", where + "."),
                    strings(c, "tensors", where + ".")));
        }
        return out;
    }

    private static IrTensor parseTensor(JsonNode t, String where) throws IrValidationException {
        if (t == null || !t.isObject()) {
            throw new IrValidationException(where + " must be an object");
        }
        String roleName = string(t, "role", where + ".");
        Role role = Role.fromIrName(roleName).orElseThrow(() -> new IrValidationException(where + ".role: unknown role \""
                + abbreviate(roleName) + "\" (input, constant, intermediate or output)"));
        boolean hashedConstant = role == Role.CONSTANT && "hashed".equals(t.path("visibility").asString(""));
        if (hashedConstant && t.has("values")) {
            throw new IrValidationException(where + ".values: a hashed constant has no values in the document (they are private"
                    + " witness values), only its declared range lo, hi");
        }
        exactKeys(t, role == Role.CONSTANT && !hashedConstant ? CONSTANT_KEYS : TENSOR_KEYS, where + " (" + role.irName() + ")");
        String name = string(t, "name", where + ".");
        String visName = string(t, "visibility", where + ".");
        Visibility visibility = Visibility.fromIrName(visName).orElseThrow(() -> new IrValidationException(where
                + ".visibility: unknown visibility \"" + abbreviate(visName) + "\""));
        JsonNode s = t.get("shape");
        if (!s.isArray()) {
            throw new IrValidationException(where + ".shape must be an array of JSON integers");
        }
        List<Integer> shape = new ArrayList<>(s.size());
        for (int i = 0; i < s.size() && i <= MAX_RANK; i++) {
            shape.add(Attributes.smallInt(s.get(i), where + ".shape[" + i + "]"));
        }
        int scale = Attributes.smallInt(t.get("scale"), where + ".scale");
        if (role == Role.CONSTANT && visibility == Visibility.HASHED) {
            if (t.has("values")) {
                throw new IrValidationException(where + ".values: a hashed constant has no values in the document (they are private"
                        + " witness values), only its declared range lo, hi");
            }
            return new IrTensor(name, role, visibility, shape, scale,
                    integers(t.get("lo"), where + ".lo"), integers(t.get("hi"), where + ".hi"), null);
        }
        if (role == Role.CONSTANT) {
            return new IrTensor(name, role, visibility, shape, scale, null, null, integers(t.get("values"), where + ".values"));
        }
        return new IrTensor(name, role, visibility, shape, scale,
                integers(t.get("lo"), where + ".lo"), integers(t.get("hi"), where + ".hi"), null);
    }

    private static IrOp parseOp(JsonNode o, String where) throws IrValidationException {
        if (o == null || !o.isObject()) {
            throw new IrValidationException(where + " must be an object");
        }
        exactKeys(o, OP_KEYS, where);
        String op = string(o, "op", where + ".");
        IrOps.Reader reader = IrOps.reader(op).orElseThrow(() -> new IrValidationException(where + ": unknown op \""
                + abbreviate(op) + "\" (version " + CircuitIr.VERSION + " knows " + String.join(", ", IrOps.names()) + ")"));
        List<String> inputs = strings(o, "inputs", where + ".");
        List<String> outputs = strings(o, "outputs", where + ".");
        JsonNode a = object(o, "attributes", where + ".", true);
        Attributes attributes = new Attributes(a, where + ".attributes");
        IrOp parsed = reader.read(where, inputs, outputs, attributes);
        attributes.finish();
        return parsed;
    }

    // ---- version 1 ----

    private static CircuitIr parseV1(JsonNode root, Metadata m) throws IrValidationException {
        record V1Tensor(String name, int size, int scale, List<BigInteger> lo, List<BigInteger> hi) {
        }
        List<V1Tensor> v1 = new ArrayList<>();
        Map<String, V1Tensor> byName = new HashMap<>();
        JsonNode ts = array(root, "tensors", "");
        for (int k = 0; k < ts.size(); k++) {
            JsonNode t = ts.get(k);
            String where = "tensors[" + k + "]";
            if (t == null || !t.isObject()) {
                throw new IrValidationException(where + " must be an object");
            }
            exactKeys(t, V1_TENSOR_KEYS, where);
            V1Tensor vt = new V1Tensor(string(t, "name", where + "."), Attributes.smallInt(t.get("size"), where + ".size"),
                    Attributes.smallInt(t.get("scale"), where + ".scale"),
                    integers(t.get("lo"), where + ".lo"), integers(t.get("hi"), where + ".hi"));
            v1.add(vt);
            byName.putIfAbsent(vt.name(), vt);
        }
        List<String> inputs = strings(root, "inputs");
        List<String> outputs = strings(root, "outputs");
        if (inputs.size() != 1) {
            throw new IrValidationException("IR v1 has exactly one input tensor, got " + inputs.size());
        }
        if (outputs.size() != 1) {
            throw new IrValidationException("IR v1 has exactly one output tensor, got " + outputs.size());
        }
        if (inputs.getFirst().equals(outputs.getFirst())) {
            throw new IrValidationException("output \"" + outputs.getFirst() + "\" is the input tensor; an output must be written by an op");
        }
        // Constants of each dense op, to be placed just before the tensor it writes.
        Map<String, List<IrTensor>> constantsBefore = new HashMap<>();
        List<IrOp> ops = new ArrayList<>();
        JsonNode os = array(root, "ops", "");
        if (os.isEmpty()) {
            throw new IrValidationException("IR v1 needs at least one op, got none");
        }
        for (int k = 0; k < os.size(); k++) {
            JsonNode o = os.get(k);
            String where = "ops[" + k + "]";
            if (o == null || !o.isObject()) {
                throw new IrValidationException(where + " must be an object");
            }
            String op = string(o, "op", where + ".");
            String in = null;
            String out = null;
            switch (op) {
                case "dense" -> {
                    exactKeys(o, V1_DENSE_KEYS, where + " (dense)");
                    in = string(o, "in", where + ".");
                    out = string(o, "out", where + ".");
                    int weightScale = Attributes.smallInt(o.get("weightScale"), where + ".weightScale");
                    JsonNode ws = o.get("weights");
                    if (!ws.isArray()) {
                        throw new IrValidationException(where + ".weights must be an array of arrays");
                    }
                    List<BigInteger> flat = new ArrayList<>();
                    int width = -1;
                    for (int j = 0; j < ws.size(); j++) {
                        List<BigInteger> row = integers(ws.get(j), where + ".weights[" + j + "]");
                        if (width >= 0 && row.size() != width) {
                            throw new IrValidationException(where + ".weights[" + j + "] must have " + width
                                    + " entries like weights[0], got " + row.size());
                        }
                        width = row.size();
                        flat.addAll(row);
                    }
                    List<BigInteger> bias = integers(o.get("bias"), where + ".bias");
                    V1Tensor outTensor = byName.get(out);
                    if (outTensor == null) {
                        throw new IrValidationException(where + ": out \"" + out + "\" is not a declared tensor");
                    }
                    List<IrTensor> constants = constantsBefore.computeIfAbsent(out, x -> new ArrayList<>());
                    constants.add(IrTensor.constant(out + "_weight", List.of(ws.size(), Math.max(width, 0)), weightScale, flat));
                    constants.add(IrTensor.constant(out + "_bias", List.of(bias.size()), outTensor.scale(), bias));
                    ops.add(new DenseOp(in, out + "_weight", out + "_bias", out));
                }
                case "rescale" -> {
                    exactKeys(o, V1_RESCALE_KEYS, where + " (rescale)");
                    in = string(o, "in", where + ".");
                    out = string(o, "out", where + ".");
                    ops.add(new RescaleOp(in, out, Attributes.smallInt(o.get("shift"), where + ".shift")));
                }
                case "argmax" -> {
                    exactKeys(o, V1_ARGMAX_KEYS, where + " (argmax)");
                    in = string(o, "in", where + ".");
                    out = string(o, "out", where + ".");
                    ops.add(new ArgmaxOp(in, out));
                }
                default -> throw new IrValidationException(where + ": unknown op \"" + abbreviate(op) + "\" (IR v1 knows dense, rescale, argmax)");
            }
            if (out.equals(inputs.getFirst())) {
                throw new IrValidationException(where + ": out \"" + out + "\" is the input tensor");
            }
        }
        boolean endsInArgmax = ops.stream().anyMatch(o -> o instanceof ArgmaxOp && o.outputs().getFirst().equals(outputs.getFirst()));
        if (m.task().equals("classification") != endsInArgmax && (m.task().equals("classification") || m.task().equals("regression"))) {
            throw new IrValidationException("task \"" + m.task() + "\" does not match the output op: classification ends in argmax, regression does not");
        }
        List<IrTensor> tensors = new ArrayList<>();
        for (V1Tensor t : v1) {
            List<IrTensor> constants = constantsBefore.remove(t.name());
            if (constants != null) {
                tensors.addAll(constants);
            }
            Role role = t.name().equals(inputs.getFirst()) ? Role.INPUT
                    : t.name().equals(outputs.getFirst()) ? Role.OUTPUT : Role.INTERMEDIATE;
            tensors.add(new IrTensor(t.name(), role, role.visibility(), List.of(t.size()), t.scale(), t.lo(), t.hi(), null));
        }
        return new CircuitIr(CircuitIr.FORMAT, CircuitIr.V1, CircuitIr.FIELD, m.name(), m.task(), m.producer(),
                m.source(), m.quantization(), m.features(), m.labels(), tensors, inputs, ops, outputs);
    }

    // ---- semantic rules ----

    /**
     * Checks every semantic rule on a document in memory: tensors, inputs/outputs, op order, each
     * op's rules, bounds (recomputed), the {@code 2^248} limit and the metadata. The compiler runs it
     * on its own output.
     */
    public static void validate(CircuitIr ir) throws IrValidationException {
        if (!CircuitIr.FORMAT.equals(ir.format()) || (ir.version() != CircuitIr.VERSION && ir.version() != CircuitIr.V1)
                || !CircuitIr.FIELD.equals(ir.field())) {
            throw new IrValidationException("format/version/field must be \"zkml-ir\"/2 (or 1)/\"bn254\"");
        }
        if (!ir.task().equals("classification") && !ir.task().equals("regression")) {
            throw new IrValidationException("task must be \"classification\" or \"regression\", got \"" + abbreviate(ir.task()) + "\"");
        }
        Map<String, IrTensor> byName = new HashMap<>();
        for (int k = 0; k < ir.tensors().size(); k++) {
            IrTensor t = ir.tensors().get(k);
            checkTensor(t, "tensors[" + k + "] \"" + abbreviate(t.name()) + "\"");
            if (byName.put(t.name(), t) != null) {
                throw new IrValidationException("tensors[" + k + "]: tensor \"" + t.name() + "\" is declared twice");
            }
        }
        checkListed(ir.inputs(), Role.INPUT, "inputs", byName, ir.tensors());
        checkListed(ir.outputs(), Role.OUTPUT, "outputs", byName, ir.tensors());

        Set<String> available = new HashSet<>();
        Set<String> read = new HashSet<>();
        for (IrTensor t : ir.tensors()) {
            if (t.role() == Role.INPUT || t.role() == Role.CONSTANT) {
                available.add(t.name());
            }
        }
        for (int k = 0; k < ir.ops().size(); k++) {
            IrOp op = ir.ops().get(k);
            String where = "ops[" + k + "]";
            String named = where + " (" + op.op() + ")";
            if (!IrOps.isRegistered(op)) {
                throw new IrValidationException(where + ": op \"" + abbreviate(op.op()) + "\" (" + op.getClass().getName()
                        + ") is not a registered op (known: " + String.join(", ", IrOps.names()) + ")");
            }
            List<IrTensor> in = new ArrayList<>();
            for (int i = 0; i < op.inputs().size(); i++) {
                String n = op.inputs().get(i);
                IrTensor t = byName.get(n);
                if (t == null) {
                    throw new IrValidationException(where + ".inputs[" + i + "]: \"" + abbreviate(n) + "\" is not a declared tensor");
                }
                if (!available.contains(n)) {
                    throw new IrValidationException(where + ".inputs[" + i + "]: \"" + n
                            + "\" is neither an input, a constant, nor written by an earlier op");
                }
                read.add(n);
                in.add(t);
            }
            List<IrTensor> out = new ArrayList<>();
            for (int j = 0; j < op.outputs().size(); j++) {
                String n = op.outputs().get(j);
                IrTensor t = byName.get(n);
                if (t == null) {
                    throw new IrValidationException(where + ".outputs[" + j + "]: \"" + abbreviate(n) + "\" is not a declared tensor");
                }
                if (t.role() != Role.INTERMEDIATE && t.role() != Role.OUTPUT) {
                    throw new IrValidationException(where + ".outputs[" + j + "]: \"" + n + "\" has role " + t.role().irName()
                            + "; an op writes only intermediates and outputs");
                }
                if (available.contains(n) || out.contains(t)) {
                    throw new IrValidationException(where + ".outputs[" + j + "]: \"" + n + "\" is written twice");
                }
                out.add(t);
            }
            List<OutputSpec> specs = op.check(in, named);
            if (specs.size() != out.size()) {
                throw new IrValidationException(named + ": writes " + specs.size() + " outputs, got " + out.size());
            }
            for (int j = 0; j < specs.size(); j++) {
                checkOutput(out.get(j), specs.get(j), named + ".outputs[" + j + "] \"" + out.get(j).name() + "\"");
                available.add(out.get(j).name());
            }
        }
        for (int k = 0; k < ir.tensors().size(); k++) {
            IrTensor t = ir.tensors().get(k);
            String where = "tensors[" + k + "] \"" + t.name() + "\"";
            if ((t.role() == Role.OUTPUT || t.role() == Role.INTERMEDIATE) && !available.contains(t.name())) {
                throw new IrValidationException(where + ": " + t.role().irName() + " is not written by any op");
            }
            if (t.role() == Role.CONSTANT && !read.contains(t.name())) {
                throw new IrValidationException(where + ": constant is not read by any op");
            }
        }
        checkCommitments(ir, byName);
        checkMetadataSizes(ir);
    }

    /**
     * docs/ir-format.md, "Commitments": absent unless an input or an output is hashed; then one per
     * hashed group, in this order: the hashed inputs (domain {@value CircuitIr.Commitment#INPUTS_DOMAIN},
     * in input order), then the hashed outputs (domain {@value CircuitIr.Commitment#OUTPUTS_DOMAIN}, in
     * output order); each named unlike every tensor and every other commitment, each element at most
     * 248 bits wide (hi − lo < 2^248). A version 1 document has none.
     */
    private static void checkCommitments(CircuitIr ir, Map<String, IrTensor> byName) throws IrValidationException {
        record Group(String domain, String what, List<String> names) {
        }
        List<Group> groups = new ArrayList<>();
        List<String> hashedIn = ir.inputs().stream().filter(n -> byName.get(n).visibility() == Visibility.HASHED).toList();
        List<String> hashedOut = ir.outputs().stream().filter(n -> byName.get(n).visibility() == Visibility.HASHED).toList();
        if (!hashedIn.isEmpty()) {
            groups.add(new Group(CircuitIr.Commitment.INPUTS_DOMAIN, "input", hashedIn));
        }
        if (!hashedOut.isEmpty()) {
            groups.add(new Group(CircuitIr.Commitment.OUTPUTS_DOMAIN, "output", hashedOut));
        }
        List<String> hashedConst = ir.tensors().stream().filter(IrTensor::isHashedConstant).map(IrTensor::name).toList();
        if (!hashedConst.isEmpty()) {
            groups.add(new Group(CircuitIr.Commitment.WEIGHTS_DOMAIN, "constant", hashedConst));
        }
        List<CircuitIr.Commitment> cs = ir.commitments();
        if (cs.isEmpty() && !groups.isEmpty()) {
            throw new IrValidationException("commitments: " + groups.getFirst().what() + " \"" + groups.getFirst().names().getFirst()
                    + "\" is hashed, so the document must describe its commitment");
        }
        if (!cs.isEmpty() && groups.isEmpty()) {
            throw new IrValidationException("commitments: no input, output or constant is hashed, so there is nothing to commit to");
        }
        if (cs.size() > groups.size()) {
            throw new IrValidationException("commitments: one commitment per hashed group (" + groups.size()
                    + " here: hashed inputs, then hashed outputs, then hashed constants), got " + cs.size());
        }
        if (cs.size() < groups.size()) {
            Group g = groups.get(cs.size());
            throw new IrValidationException("commitments: missing the commitment to the hashed " + g.what() + "s " + g.names()
                    + " (domain \"" + g.domain() + "\")");
        }
        Set<String> names = new HashSet<>();
        for (int k = 0; k < cs.size(); k++) {
            CircuitIr.Commitment c = cs.get(k);
            Group g = groups.get(k);
            String where = "commitments[" + k + "]";
            if (!NAME.matcher(c.name()).matches()) {
                throw new IrValidationException(where + ".name must match ^[a-z][a-z0-9_]*$");
            }
            if (byName.containsKey(c.name())) {
                throw new IrValidationException(where + ".name: \"" + c.name() + "\" is already the name of a tensor");
            }
            if (!names.add(c.name())) {
                throw new IrValidationException(where + ".name: \"" + c.name() + "\" is already the name of a commitment");
            }
            if (!g.domain().equals(c.domain())) {
                if (!CircuitIr.Commitment.INPUTS_DOMAIN.equals(c.domain()) && !CircuitIr.Commitment.OUTPUTS_DOMAIN.equals(c.domain())
                        && !CircuitIr.Commitment.WEIGHTS_DOMAIN.equals(c.domain())) {
                    throw new IrValidationException(where + ".domain: unknown commitment domain \"" + abbreviate(c.domain())
                            + "\" (only \"" + CircuitIr.Commitment.INPUTS_DOMAIN + "\", \"" + CircuitIr.Commitment.OUTPUTS_DOMAIN
                            + "\" and \"" + CircuitIr.Commitment.WEIGHTS_DOMAIN + "\")");
                }
                throw new IrValidationException(where + ".domain: the commitment to the hashed " + g.what() + "s has domain \""
                        + g.domain() + "\", got \"" + abbreviate(c.domain()) + "\"");
            }
            if (!c.tensors().equals(g.names())) {
                throw new IrValidationException(where + ".tensors must be the hashed " + g.what() + "s in "
                        + (g.what().equals("constant") ? "tensor" : g.what()) + " order "
                        + g.names() + ", got " + c.tensors().stream().map(IrReader::abbreviate).toList());
            }
            for (String n : g.names()) {
                IrTensor t = byName.get(n);
                for (int i = 0; i < t.size(); i++) {
                    int w = t.hi().get(i).subtract(t.lo().get(i)).bitLength();
                    if (w > CircuitIr.MAX_BOUND_BITS) {
                        throw new IrValidationException(where + ": hashed " + g.what() + " \"" + n + "\"[" + i + "] is " + w
                                + " bits wide; a hashed value is at most " + CircuitIr.MAX_BOUND_BITS + " bits wide (hi - lo < 2^248)");
                    }
                }
            }
        }
    }

    private static void checkTensor(IrTensor t, String where) throws IrValidationException {
        if (!NAME.matcher(t.name()).matches()) {
            throw new IrValidationException(where + ": name must match ^[a-z][a-z0-9_]*$");
        }
        if (t.role() == null || t.visibility() == null) {
            throw new IrValidationException(where + ": role and visibility are required");
        }
        if (t.role().reserves(t.visibility())) {
            throw new IrValidationException(where + ": visibility \"" + t.visibility().irName() + "\" of an "
                    + t.role().irName() + " is not supported yet (reserved for a later IR version)");
        }
        if (!t.role().accepts(t.visibility())) {
            throw new IrValidationException(where + ": visibility \"" + t.visibility().irName() + "\" is unknown for an "
                    + t.role().irName() + " (version 2: " + (t.role() == Role.INPUT ? "\"public\", \"private\" or \"hashed\""
                    : t.role() == Role.OUTPUT || t.role() == Role.CONSTANT ? "\"" + t.role().visibility().irName() + "\" or \"hashed\""
                    : "\"" + t.role().visibility().irName() + "\"") + ")");
        }
        if (t.shape().isEmpty() || t.shape().size() > MAX_RANK) {
            throw new IrValidationException(where + ": shape must have 1 to " + MAX_RANK + " dimensions, got "
                    + (t.shape().size() > MAX_RANK ? "more than " + MAX_RANK : "none"));
        }
        long n = 1;
        for (int i = 0; i < t.shape().size(); i++) {
            int d = t.shape().get(i);
            if (d < 1) {
                throw new IrValidationException(where + ": shape[" + i + "] must be at least 1, got " + d);
            }
            n *= d;
            if (n > MAX_ELEMENTS) {
                throw new IrValidationException(where + ": shape " + t.shape() + " has more than 2^24 elements");
            }
        }
        if (t.scale() < -MAX_ABS_SCALE || t.scale() > MAX_ABS_SCALE) {
            throw new IrValidationException(where + ": scale " + t.scale() + " is outside [-" + MAX_ABS_SCALE + ", " + MAX_ABS_SCALE + "]");
        }
        if (t.isConstant() && !t.isHashedConstant()) {
            if (t.values().size() != n) {
                throw new IrValidationException(where + ": values must have " + n + " entries (shape " + t.shape() + "), got "
                        + t.values().size());
            }
            for (int i = 0; i < n; i++) {
                if (!IntervalAnalysis.withinFieldLimit(t.values().get(i))) {
                    throw new IrValidationException(where + ": values[" + i + "] has |v| >= 2^248 (overflow)");
                }
            }
            return;
        }
        if (t.lo().size() != n || t.hi().size() != n) {
            throw new IrValidationException(where + ": lo and hi must have " + n + " entries (shape " + t.shape() + "), got "
                    + t.lo().size() + " and " + t.hi().size());
        }
        for (int i = 0; i < n; i++) {
            BigInteger lo = t.lo().get(i);
            BigInteger hi = t.hi().get(i);
            if (!IntervalAnalysis.withinFieldLimit(lo) || !IntervalAnalysis.withinFieldLimit(hi)) {
                throw new IrValidationException(where + ": bound " + i + " has |bound| >= 2^248 (overflow)");
            }
            if (lo.compareTo(hi) > 0) {
                throw new IrValidationException(where + ": lo[" + i + "] = " + lo + " is greater than hi[" + i + "] = " + hi);
            }
        }
    }

    private static void checkListed(List<String> names, Role role, String key, Map<String, IrTensor> byName,
                                    List<IrTensor> tensors) throws IrValidationException {
        if (names.isEmpty()) {
            throw new IrValidationException(key + " must name at least one tensor");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            IrTensor t = byName.get(n);
            if (t == null) {
                throw new IrValidationException(key + "[" + i + "]: \"" + abbreviate(n) + "\" is not a declared tensor");
            }
            if (t.role() != role) {
                throw new IrValidationException(key + "[" + i + "]: \"" + n + "\" has role " + t.role().irName() + ", not " + role.irName());
            }
            if (!seen.add(n)) {
                throw new IrValidationException(key + "[" + i + "]: \"" + n + "\" is listed twice");
            }
        }
        for (IrTensor t : tensors) {
            if (t.role() == role && !seen.contains(t.name())) {
                throw new IrValidationException("tensor \"" + t.name() + "\" has role " + role.irName() + " but is not listed in " + key);
            }
        }
    }

    private static void checkOutput(IrTensor t, OutputSpec spec, String where) throws IrValidationException {
        if (!t.shape().equals(spec.shape())) {
            throw new IrValidationException(where + ": must have shape " + spec.shape() + ", got " + t.shape());
        }
        if (t.scale() != spec.scale()) {
            throw new IrValidationException(where + ": must have scale " + spec.scale() + ", got " + t.scale());
        }
        for (int i = 0; i < spec.bounds().lo().size(); i++) {
            BigInteger lo = spec.bounds().lo().get(i);
            BigInteger hi = spec.bounds().hi().get(i);
            if (!lo.equals(t.lo().get(i)) || !hi.equals(t.hi().get(i))) {
                throw new IrValidationException(where + ": bounds differ from the interval analysis at element " + i
                        + ": expected [" + lo + ", " + hi + "], got [" + t.lo().get(i) + ", " + t.hi().get(i) + "]");
            }
        }
    }

    /** features name the input elements; labels name the class indices or the regression outputs. */
    private static void checkMetadataSizes(CircuitIr ir) throws IrValidationException {
        int inputs = ir.inputSize();
        if (ir.features().size() != inputs) {
            throw new IrValidationException("features must name the " + inputs + " input elements, got " + ir.features().size());
        }
        if (ir.task().equals("classification")) {
            // One class index per output: one output, or one per row of a batch (BatchCircuit).
            for (IrTensor out : ir.outputTensors()) {
                if (!out.shape().equals(List.of(1))) {
                    throw new IrValidationException(ir.outputs().size() == 1
                            ? "the classification output \"" + out.name() + "\" must have shape [1], got " + out.shape()
                            : "a classification has exactly one output (the class index), or one of shape [1] per row of "
                                    + "a batch; \"" + out.name() + "\" has shape " + out.shape());
                }
                // A class index lies in [lo, hi]: every index must have a label. A single tree whose leaves
                // never predict the last classes has hi + 1 < labels (the model still has those classes).
                BigInteger needed = out.hi().getFirst().add(BigInteger.ONE);
                if (out.lo().getFirst().signum() < 0 || BigInteger.valueOf(ir.labels().size()).compareTo(needed) < 0) {
                    throw new IrValidationException("labels must name every class index of the output \"" + out.name()
                            + "\" (lo >= 0 and at least hi + 1 = " + needed + " labels), got lo = " + out.lo().getFirst()
                            + " and " + ir.labels().size() + " labels");
                }
            }
        } else if (ir.labels().size() != ir.outputSize()) {
            throw new IrValidationException("labels must have " + ir.outputSize() + " entries (one per output element), got "
                    + ir.labels().size());
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
        return strings(parent, key, "");
    }

    private static List<String> strings(JsonNode parent, String key, String where) throws IrValidationException {
        JsonNode a = array(parent, key, where);
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isString()) {
                throw new IrValidationException(where + key + "[" + i + "] must be a string");
            }
            out.add(a.get(i).stringValue());
        }
        return out;
    }

    private static List<BigInteger> integers(JsonNode a, String where) throws IrValidationException {
        if (a == null || !a.isArray()) {
            throw new IrValidationException(where + " must be an array of integer strings");
        }
        if (a.size() > MAX_ELEMENTS) {
            throw new IrValidationException(where + " has more than 2^24 entries");
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
            throw new IrValidationException(where + " must be an integer written as a JSON string, got " + abbreviate(String.valueOf(n)));
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
        for (String k : allowed.stream().sorted().toList()) {
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

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
