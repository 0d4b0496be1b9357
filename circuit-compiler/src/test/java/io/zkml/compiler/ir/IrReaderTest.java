package io.zkml.compiler.ir;

import io.zkml.compiler.ir.ops.DenseOp;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reader rejects every document that breaks a rule of docs/ir-format.md, and says where. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class IrReaderTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** The spec's tree example (tensors x, thresholds, bits, leaves, label), changed by {@code edit}. */
    static byte[] tree(Consumer<ObjectNode> edit) throws Exception {
        return edit(V2Docs.TREE.getBytes(StandardCharsets.UTF_8), edit);
    }

    /** The forest (x, thresholds, bits, leaves_a, leaves_b, tree_a, tree_b, votes_w, votes, class, half). */
    static byte[] forest(Consumer<ObjectNode> edit) throws Exception {
        return edit(V2Docs.FOREST.getBytes(StandardCharsets.UTF_8), edit);
    }

    /** The classifier-3x4 v1 golden, lifted and written as v2 (x, acc_weight, acc_bias, acc, label). */
    static byte[] linear(Consumer<ObjectNode> edit) throws Exception {
        CircuitIr v1 = IrReader.read(GoldenIrTest.irBytes("classifier-3x4"));
        CircuitIr v2 = new CircuitIr(v1.format(), CircuitIr.VERSION, v1.field(), v1.name(), v1.task(), v1.producer(), v1.source(),
                v1.quantization(), v1.features(), v1.labels(), v1.tensors(), v1.inputs(), v1.ops(), v1.outputs());
        return edit(IrWriter.write(v2), edit);
    }

    /** The classifier-3x4 v1 golden, changed by {@code edit}. */
    static byte[] v1(String golden, Consumer<ObjectNode> edit) throws Exception {
        return edit(GoldenIrTest.irBytes(golden), edit);
    }

    static byte[] edit(byte[] bytes, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(bytes);
        edit.accept(doc);
        return JSON.writeValueAsBytes(doc);
    }

    static ObjectNode tensor(ObjectNode doc, int i) {
        return (ObjectNode) doc.get("tensors").get(i);
    }

    static ObjectNode op(ObjectNode doc, int i) {
        return (ObjectNode) doc.get("ops").get(i);
    }

    static ObjectNode attrs(ObjectNode doc, int i) {
        return (ObjectNode) op(doc, i).get("attributes");
    }

    static ArrayNode arr(JsonNode n, String key) {
        return (ArrayNode) n.get(key);
    }

    static void assertRejected(byte[] doc, String... messageParts) {
        var a = assertThatThrownBy(() -> IrReader.read(doc)).isInstanceOf(IrValidationException.class);
        for (String p : messageParts) {
            a.hasMessageContaining(p);
        }
    }

    @Test
    void range_check_is_bits_or_lookup_in_version_2_only() throws Exception {
        // issue 7 (docs/ir-format.md, "Range checks")
        assertThatCode(() -> IrReader.read(tree(d -> d.put("range_check", "lookup")))).doesNotThrowAnyException();
        assertThatCode(() -> IrReader.read(tree(d -> d.put("range_check", "bits")))).doesNotThrowAnyException();
        assertThatThrownBy(() -> IrReader.read(tree(d -> d.put("range_check", "table"))))
                .isInstanceOf(IrValidationException.class).hasMessageContaining("range_check");
        assertThatThrownBy(() -> IrReader.read(tree(d -> d.put("range_check", 1))))
                .isInstanceOf(IrValidationException.class).hasMessageContaining("range_check");
        assertThatThrownBy(() -> IrReader.read(v1("classifier-3x4", d -> d.put("range_check", "lookup"))))
                .isInstanceOf(IrValidationException.class).hasMessageContaining("version 1");
        // withRangeCheckLookup: the same graph and evaluation, another circuit hash
        io.zkml.compiler.CompiledCircuit bits = io.zkml.compiler.CompiledCircuit.fromIr(tree(d -> { }));
        io.zkml.compiler.CompiledCircuit lookup = bits.withRangeCheckLookup();
        assertThat(lookup.circuitHash()).isNotEqualTo(bits.circuitHash());
        assertThat(new String(lookup.irJson(), StandardCharsets.UTF_8)).startsWith("{\"range_check\":\"lookup\",");
        assertThat(lookup.ir()).isEqualTo(bits.ir());
    }

    @Test
    void the_unchanged_documents_are_accepted() throws Exception {
        assertThatCode(() -> IrReader.read(tree(d -> { }))).doesNotThrowAnyException();
        assertThatCode(() -> IrReader.read(forest(d -> { }))).doesNotThrowAnyException();
        assertThatCode(() -> IrReader.read(linear(d -> { }))).doesNotThrowAnyException();
    }

    @Test
    void unknown_versions_formats_and_fields_are_rejected() throws Exception {
        assertRejected(tree(d -> d.put("version", 3)), "unsupported IR version 3");
        assertRejected(tree(d -> d.put("version", 0)), "unsupported IR version 0");
        assertRejected(tree(d -> d.put("version", "2")), "version must be an integer");
        assertRejected(tree(d -> d.remove("version")), "version must be an integer");
        assertRejected(tree(d -> d.put("format", "onnx")), "format must be \"zkml-ir\"");
        assertRejected(tree(d -> d.put("field", "bls12-381")), "field must be \"bn254\"");
    }

    /** The tree document with {@code "comment": "a<bytes>b"} first (a top-level key both readers ignore). */
    static byte[] treeWithComment(byte[] inComment) throws Exception {
        byte[] doc = tree(d -> { });
        byte[] head = "{\"comment\":\"a".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "b\",".getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + inComment.length + tail.length + doc.length - 1];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(inComment, 0, out, head.length, inComment.length);
        System.arraycopy(tail, 0, out, head.length + inComment.length, tail.length);
        System.arraycopy(doc, 1, out, head.length + inComment.length + tail.length, doc.length - 1);
        return out;
    }

    @Test
    void a_document_is_utf8_without_a_byte_order_mark() throws Exception {
        assertThatCode(() -> IrReader.read(treeWithComment("é € \uD83D\uDE00".getBytes(StandardCharsets.UTF_8)))).doesNotThrowAnyException();
        // invalid UTF-8, even inside a key both readers ignore (the Go reader rejects it too)
        for (byte[] bad : List.of(new byte[] {(byte) 0xFF}, new byte[] {(byte) 0x80}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xE2, (byte) 0x82})) {
            assertRejected(treeWithComment(bad), "IR document is not valid UTF-8");
        }
        // Jackson on its own would detect and accept these (ReadersAgreeOnMutatedIrTest found them)
        byte[] doc = tree(d -> { });
        byte[] bom = new byte[doc.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(doc, 0, bom, 3, doc.length);
        assertRejected(bom, "byte order mark");
        String text = new String(doc, StandardCharsets.UTF_8);
        for (String charset : List.of("UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32BE", "UTF-32LE")) {
            assertRejected(text.getBytes(java.nio.charset.Charset.forName(charset)), "IR document");
        }
    }

    @Test
    void a_v2_document_with_v1_tensors_or_ops_is_rejected_and_vice_versa() throws Exception {
        assertRejected(v1("classifier-3x4", d -> d.put("version", 2)), "tensors[0].role must be a string");
        assertRejected(tree(d -> d.put("version", 1)), "tensors[0]: unknown key \"role\"");
    }

    @Test
    void unknown_top_level_keys_are_ignored_but_unknown_tensor_op_and_attribute_keys_are_not() throws Exception {
        assertThatCode(() -> IrReader.read(tree(d -> d.put("comment", "hi")))).doesNotThrowAnyException();
        assertRejected(tree(d -> tensor(d, 0).put("private", true)), "tensors[0] (input): unknown key \"private\"");
        assertRejected(tree(d -> tensor(d, 1).putArray("lo")), "tensors[1] (constant): unknown key \"lo\"");
        assertRejected(tree(d -> tensor(d, 2).putArray("values")), "tensors[2] (intermediate): unknown key \"values\"");
        assertRejected(tree(d -> tensor(d, 0).remove("hi")), "tensors[0] (input): key \"hi\" is missing");
        assertRejected(tree(d -> tensor(d, 3).remove("values")), "tensors[3] (constant): key \"values\" is missing");
        assertRejected(tree(d -> op(d, 0).put("in", "x")), "ops[0]: unknown key \"in\"");
        assertRejected(tree(d -> op(d, 0).remove("attributes")), "ops[0]: key \"attributes\" is missing");
        assertRejected(tree(d -> attrs(d, 0).putArray("featrue")), "ops[0].attributes: unknown attribute \"featrue\"");
        assertRejected(tree(d -> attrs(d, 1).remove("gt")), "ops[1].attributes.gt is missing");
        assertRejected(linear(d -> attrs(d, 1).put("shift", 3)), "ops[1].attributes: unknown attribute \"shift\"");
    }

    @Test
    void an_unknown_op_is_rejected_and_op_classes_must_be_the_registered_ones() throws Exception {
        assertRejected(tree(d -> op(d, 1).put("op", "lstm")), "ops[1]: unknown op \"lstm\"", "split_bits");
        IrOp fake = new IrOp() {
            public String op() {
                return "dense";
            }

            public List<String> inputs() {
                return List.of("x");
            }

            public List<String> outputs() {
                return List.of("y");
            }

            public void writeAttributes(AttributeWriter w) {
            }

            public List<OutputSpec> check(List<IrTensor> inputs, String where) {
                return List.of();
            }

            public List<List<BigInteger>> evaluate(List<List<BigInteger>> inputs) {
                return List.of();
            }
        };
        CircuitIr ir = IrReader.read(tree(d -> { }));
        CircuitIr bad = new CircuitIr(ir.format(), ir.version(), ir.field(), ir.name(), ir.task(), ir.producer(), ir.source(),
                ir.quantization(), ir.features(), ir.labels(), ir.tensors(), ir.inputs(), List.of(fake), ir.outputs());
        assertThatThrownBy(() -> IrReader.validate(bad)).isInstanceOf(IrValidationException.class)
                .hasMessageContaining("not a registered op");
    }

    @Test
    void integers_that_are_not_canonical_decimal_strings_are_rejected_with_their_location() throws Exception {
        for (String bad : List.of("007", "-0", "+1", "1.0", "1e3", "", " 1", "0x10")) {
            assertRejected(tree(d -> arr(tensor(d, 1), "values").set(0, bad)), "tensors[1].values[0]", "not a canonical decimal integer");
        }
        assertRejected(tree(d -> arr(tensor(d, 1), "values").set(0, 24)), "tensors[1].values[0] must be an integer written as a JSON string");
        assertRejected(tree(d -> arr(tensor(d, 0), "lo").set(1, -64)), "tensors[0].lo[1] must be an integer written as a JSON string");
    }

    @Test
    void small_integers_are_json_integers_of_at_most_9_digits() throws Exception {
        assertRejected(tree(d -> tensor(d, 0).put("scale", "4")), "tensors[0].scale must be a JSON integer");
        assertRejected(tree(d -> tensor(d, 0).put("scale", 4.0)), "tensors[0].scale must be a JSON integer");
        assertRejected(tree(d -> arr(attrs(d, 0), "feature").set(2, 1.5)), "ops[0].attributes.feature[2] must be a JSON integer");
        assertRejected(tree(d -> arr(attrs(d, 0), "feature").set(2, "1")), "ops[0].attributes.feature[2] must be a JSON integer");
        assertRejected(tree(d -> arr(attrs(d, 1), "le").set(0, 1_000_000_000L)), "ops[1].attributes.le[0]", "at most 9 digits");
        assertRejected(tree(d -> arr(attrs(d, 1), "le").set(0, 1L << 40)), "ops[1].attributes.le[0]", "out of range");
        assertRejected(tree(d -> attrs(d, 0).put("feature", 0)), "ops[0].attributes.feature must be an array of JSON integers");
        assertRejected(linear(d -> attrs(d, 1).put("x", 1)), "unknown attribute \"x\"");
    }

    @Test
    void every_bound_and_constant_must_be_below_2_to_the_248() throws Exception {
        String limit = BigInteger.ONE.shiftLeft(248).toString();
        String below = BigInteger.ONE.shiftLeft(248).subtract(BigInteger.ONE).toString();
        assertRejected(tree(d -> arr(tensor(d, 0), "hi").set(1, limit)), "tensors[0] \"x\": bound 1", "2^248");
        assertRejected(tree(d -> arr(tensor(d, 0), "lo").set(1, "-" + limit)), "2^248");
        assertRejected(tree(d -> arr(tensor(d, 3), "values").set(2, limit)), "tensors[3] \"leaves\": values[2]", "2^248");
        assertRejected(tree(d -> arr(tensor(d, 3), "values").set(2, "-" + limit)), "values[2]", "2^248");
        // 2^248 − 1 is fine as a threshold (above the whole range of x1, so its bit is the constant 0)
        assertThatCode(() -> IrReader.read(tree(d -> {
            arr(tensor(d, 1), "values").set(2, below);
            arr(tensor(d, 2), "hi").set(2, "0");
        }))).doesNotThrowAnyException();
    }

    @Test
    void names_must_be_lowercase_identifiers_and_unique() throws Exception {
        assertRejected(tree(d -> tensor(d, 4).put("name", "Label")), "tensors[4] \"Label\": name must match");
        assertRejected(tree(d -> tensor(d, 4).put("name", "bits")), "tensors[4]: tensor \"bits\" is declared twice");
    }

    @Test
    void roles_and_visibilities_are_checked_and_reserved_visibilities_are_not_supported_yet() throws Exception {
        assertRejected(tree(d -> tensor(d, 3).put("role", "weights")), "tensors[3].role: unknown role \"weights\"");
        // a hashed input needs its commitment described; a private input is fine
        assertRejected(tree(d -> tensor(d, 0).put("visibility", "hashed")), "input \"x\" is hashed", "commitment");
        assertThat(IrReader.read(tree(d -> tensor(d, 0).put("visibility", "private"))).publicSize()).isEqualTo(1);
        CircuitIr hashed = IrReader.read(tree(d -> {
            tensor(d, 0).put("visibility", "hashed");
            ObjectNode c = d.putArray("commitments").addObject();
            c.put("name", "input_commitment").put("domain", "zkml-inputs-v1").putArray("tensors").add("x");
        }));
        assertThat(hashed.commitments()).containsExactly(new CircuitIr.Commitment("input_commitment", "zkml-inputs-v1", List.of("x")));
        assertThat(hashed.publicSize()).isEqualTo(2);
        assertRejected(tree(d -> d.putArray("commitments")), "commitments must not be empty");
        assertRejected(tree(d -> tensor(d, 4).put("visibility", "private")), "tensors[4] \"label\"", "not supported yet");
        // issue 8: a hashed output needs its commitment (domain zkml-outputs-v1, after the inputs')
        assertRejected(tree(d -> tensor(d, 4).put("visibility", "hashed")), "output \"label\" is hashed, so the document must describe its commitment");
        CircuitIr hashedOut = IrReader.read(tree(d -> {
            tensor(d, 4).put("visibility", "hashed");
            d.putArray("commitments").addObject().put("name", "output_commitment").put("domain", "zkml-outputs-v1")
                    .putArray("tensors").add("label");
        }));
        assertThat(hashedOut.publicSize()).isEqualTo(hashedOut.publicInputSize() + 1);
        assertThat(hashedOut.hasHashedOutputs()).isTrue();
        assertRejected(tree(d -> {
            tensor(d, 4).put("visibility", "hashed");
            d.putArray("commitments").addObject().put("name", "output_commitment").put("domain", "zkml-inputs-v1")
                    .putArray("tensors").add("label");
        }), "the commitment to the hashed outputs has domain \"zkml-outputs-v1\"");
        // Issue 8: a hashed constant declares a range and has no values; only dense reads one.
        assertRejected(tree(d -> tensor(d, 1).put("visibility", "hashed")), "tensors[1]", "a hashed constant has no values");
        assertRejected(tree(d -> tensor(d, 0).put("visibility", "secret")), "tensors[0].visibility: unknown visibility \"secret\"");
        assertRejected(tree(d -> tensor(d, 0).put("visibility", "fixed")), "visibility \"fixed\" is unknown for an input");
        assertRejected(tree(d -> tensor(d, 1).put("visibility", "public")), "visibility \"public\" is unknown for an constant");
        assertRejected(tree(d -> tensor(d, 2).put("visibility", "public")), "visibility \"public\" is unknown for an intermediate");
        assertRejected(tree(d -> tensor(d, 2).put("visibility", "hashed")), "visibility \"hashed\" is unknown for an intermediate");
    }

    @Test
    void shapes_have_rank_1_to_8_dimensions_at_least_1_and_at_most_2_to_the_24_elements() throws Exception {
        assertRejected(tree(d -> tensor(d, 0).putArray("shape")), "tensors[0] \"x\": shape must have 1 to 8 dimensions");
        assertRejected(tree(d -> {
            ArrayNode s = tensor(d, 0).putArray("shape");
            for (int i = 0; i < 9; i++) {
                s.add(1);
            }
        }), "shape must have 1 to 8 dimensions");
        assertRejected(tree(d -> tensor(d, 0).putArray("shape").add(2).add(0)), "tensors[0] \"x\": shape[1] must be at least 1");
        assertRejected(tree(d -> tensor(d, 0).putArray("shape").add(-2)), "shape[0] must be at least 1");
        assertRejected(tree(d -> tensor(d, 0).putArray("shape").add(1 << 12).add(1 << 12).add(2)), "more than 2^24 elements");
        assertRejected(tree(d -> tensor(d, 0).putArray("shape").add(3)), "tensors[0] \"x\": lo and hi must have 3 entries");
        assertRejected(tree(d -> tensor(d, 3).putArray("shape").add(2).add(1)), "tensors[3] \"leaves\": values must have 2 entries");
        assertRejected(tree(d -> tensor(d, 0).put("shape", 2)), "tensors[0].shape must be an array");
        // a rank-8 shape of 1s is fine for an input of one element
        assertThatCode(() -> IrReader.read(forest(d -> {
            ArrayNode s = tensor(d, 9).putArray("shape");
            for (int i = 0; i < 8; i++) {
                s.add(1);
            }
        }))).isInstanceOf(IrValidationException.class); // the argmax output must be [1]: rank 8 is read, then the op rejects it
    }

    @Test
    void scales_are_within_1024_and_lo_must_not_exceed_hi() throws Exception {
        assertRejected(tree(d -> tensor(d, 0).put("scale", 1025)), "tensors[0] \"x\": scale 1025 is outside [-1024, 1024]");
        assertRejected(tree(d -> arr(tensor(d, 0), "lo").set(0, "65")), "tensors[0] \"x\": lo[0] = 65 is greater than hi[0] = 64");
    }

    @Test
    void inputs_and_outputs_list_exactly_the_tensors_of_their_role() throws Exception {
        assertRejected(tree(d -> d.putArray("inputs")), "inputs must name at least one tensor");
        assertRejected(tree(d -> arr(d, "inputs").add("x")), "inputs[1]: \"x\" is listed twice");
        assertRejected(tree(d -> arr(d, "inputs").add("bits")), "inputs[1]: \"bits\" has role intermediate, not input");
        assertRejected(tree(d -> arr(d, "inputs").add("nope")), "inputs[1]: \"nope\" is not a declared tensor");
        assertRejected(tree(d -> arr(d, "outputs").add("bits")), "outputs[1]: \"bits\" has role intermediate, not output");
        assertRejected(tree(d -> d.putArray("outputs")), "outputs must name at least one tensor");
        assertRejected(forest(d -> arr(d, "outputs").remove(2)), "tensor \"half\" has role output but is not listed in outputs");
        assertRejected(tree(d -> {
            tensor(d, 2).put("role", "input").put("visibility", "public");
        }), "tensor \"bits\" has role input but is not listed in inputs");
    }

    @Test
    void ops_read_only_available_tensors_and_write_only_new_intermediates_or_outputs() throws Exception {
        assertRejected(tree(d -> arr(op(d, 0), "inputs").set(0, "nope")), "ops[0].inputs[0]: \"nope\" is not a declared tensor");
        assertRejected(tree(d -> arr(op(d, 0), "inputs").set(0, "bits")),
                "ops[0].inputs[0]: \"bits\" is neither an input, a constant, nor written by an earlier op");
        assertRejected(tree(d -> arr(op(d, 1), "outputs").set(0, "x")), "ops[1].outputs[0]: \"x\" has role input");
        assertRejected(tree(d -> arr(op(d, 1), "outputs").set(0, "leaves")), "ops[1].outputs[0]: \"leaves\" has role constant");
        assertRejected(tree(d -> arr(op(d, 1), "outputs").set(0, "bits")), "ops[1].outputs[0]: \"bits\" is written twice");
        assertRejected(tree(d -> arr(op(d, 1), "outputs").add("label")), "ops[1].outputs must have 1 entry");
        assertRejected(tree(d -> arr(op(d, 1), "outputs").set(0, "nope")), "ops[1].outputs[0]: \"nope\" is not a declared tensor");
        assertRejected(tree(d -> arr(op(d, 0), "inputs").add("x")), "ops[0].inputs must have 2 entries (x, thresholds)");
        assertRejected(tree(d -> arr(op(d, 0), "inputs").set(1, 3)), "ops[0].inputs[1] must be a string");
    }

    @Test
    void every_output_and_intermediate_is_written_and_every_constant_read() throws Exception {
        assertRejected(forest(d -> {
            arr(d, "ops").remove(5);
        }), "tensors[10] \"half\": output is not written by any op");
        assertRejected(forest(d -> {
            arr(d, "ops").remove(5);
            tensor(d, 10).put("role", "intermediate").put("visibility", "private");
            arr(d, "outputs").remove(2);
            arr(d, "labels").remove(4);
            arr(d, "labels").remove(3);
        }), "tensors[10] \"half\": intermediate is not written by any op");
        assertRejected(tree(d -> ((ArrayNode) d.get("tensors")).addObject().put("name", "spare").put("role", "constant")
                .put("visibility", "fixed").put("scale", 0).set("shape", JSON.createArrayNode().add(1))), "key \"values\" is missing");
        assertRejected(tree(d -> {
            ObjectNode t = ((ArrayNode) d.get("tensors")).addObject().put("name", "spare").put("role", "constant")
                    .put("visibility", "fixed");
            t.putArray("shape").add(1);
            t.put("scale", 0);
            t.putArray("values").add("1");
        }), "tensors[5] \"spare\": constant is not read by any op");
        // an intermediate written but never read is allowed
        assertThatCode(() -> IrReader.read(forest(d -> {
            tensor(d, 10).put("role", "intermediate").put("visibility", "private");
            arr(d, "outputs").remove(2);
            arr(d, "labels").remove(4);
            arr(d, "labels").remove(3);
        }))).doesNotThrowAnyException();
    }

    @Test
    void bounds_that_differ_from_the_interval_analysis_are_rejected_even_by_one() throws Exception {
        assertRejected(tree(d -> arr(tensor(d, 4), "hi").set(0, "3")),
                "ops[1] (tree).outputs[0] \"label\": bounds differ from the interval analysis at element 0: expected [0, 2], got [0, 3]");
        assertRejected(tree(d -> arr(tensor(d, 2), "lo").set(1, "1")), "ops[0] (split_bits).outputs[0] \"bits\"", "expected [0, 1], got [1, 1]");
        assertRejected(linear(d -> arr(tensor(d, 3), "lo").set(2, "-508")), "\"acc\": bounds differ");
        assertRejected(forest(d -> arr(tensor(d, 8), "lo").set(1, "-2")), "\"votes\": bounds differ", "element 1");
        assertRejected(forest(d -> arr(tensor(d, 10), "hi").set(1, "9")), "\"half\": bounds differ");
        // split_bits: a threshold below the whole range makes the bit the constant 1, and its bounds say so
        assertRejected(tree(d -> arr(tensor(d, 1), "values").set(1, "-100")), "\"bits\"", "expected [1, 1], got [0, 1]");
    }

    @Test
    void dense_checks_roles_shapes_and_scales() throws Exception {
        assertRejected(linear(d -> tensor(d, 3).put("scale", 13)), "ops[0] (dense).outputs[0] \"acc\": must have scale 12, got 13");
        assertRejected(linear(d -> tensor(d, 2).put("scale", 11)), "ops[0] (dense).inputs[2] (bias \"acc_bias\"): scale");
        assertRejected(linear(d -> arr(op(d, 0), "inputs").set(1, "x")), "ops[0] (dense).inputs[1] (weight \"x\"): must be a constant");
        assertRejected(linear(d -> arr(op(d, 0), "inputs").set(0, "acc_bias")), "ops[0] (dense).inputs[0] (x \"acc_bias\"): must not be a constant");
        assertRejected(linear(d -> tensor(d, 1).putArray("shape").add(12)), "(weight \"acc_weight\"): shape must be [m, n], got [12]");
        assertRejected(linear(d -> tensor(d, 1).putArray("shape").add(4).add(3)), "(weight \"acc_weight\"): shape[1] (x's n) must be 4, got 3");
        assertRejected(linear(d -> {
            tensor(d, 2).putArray("shape").add(2);
            arr(tensor(d, 2), "values").remove(2);
        }), "(bias \"acc_bias\"): shape[0] (weight's m) must be 3, got 2");
        assertRejected(linear(d -> arr(op(d, 0), "inputs").remove(2)), "ops[0].inputs must have 3 entries (x, weight, bias)");
    }

    @Test
    void rescale_and_argmax_check_their_attributes_shapes_and_scales() throws Exception {
        assertRejected(forest(d -> attrs(d, 5).put("shift", 129)), "ops[5] (rescale).attributes.shift: must be in [0, 128], got 129");
        assertRejected(forest(d -> attrs(d, 5).put("shift", -1)), "must be in [0, 128]");
        assertRejected(forest(d -> tensor(d, 10).put("scale", 2)), "ops[5] (rescale).outputs[0] \"half\": must have scale 1, got 2");
        assertRejected(forest(d -> tensor(d, 9).put("scale", 1)), "ops[4] (argmax).outputs[0] \"class\": must have scale 0");
        assertRejected(forest(d -> arr(op(d, 4), "inputs").set(0, "votes_w")), "ops[4] (argmax).inputs[0] (x \"votes_w\"): must not be a constant");
        assertRejected(linear(d -> attrs(d, 1).put("shift", 1)), "unknown attribute \"shift\"");
    }

    @Test
    void split_bits_checks_features_order_and_threshold_scale() throws Exception {
        assertRejected(tree(d -> arr(attrs(d, 0), "feature").set(2, 2)), "ops[0] (split_bits).attributes.feature[2]: 2 is not a feature index in [0, 2)");
        assertRejected(tree(d -> arr(attrs(d, 0), "feature").set(2, -1)), "feature[2]: -1 is not a feature index");
        assertRejected(tree(d -> arr(attrs(d, 0), "feature").removeAll().add(1).add(0).add(1)),
                "ops[0] (split_bits).attributes.feature[1]: features must be non-decreasing");
        assertRejected(tree(d -> arr(tensor(d, 1), "values").set(2, "-4")),
                "ops[0] (split_bits).attributes.feature[2]: the thresholds of feature 1 must strictly increase, got -4 then -4");
        assertRejected(tree(d -> arr(attrs(d, 0), "feature").remove(2)), "attributes.feature: must have T = 3 entries");
        assertRejected(tree(d -> tensor(d, 1).put("scale", 3)), "(thresholds \"thresholds\"): scale (x's scale) must be 4, got 3");
        assertRejected(tree(d -> arr(op(d, 0), "inputs").set(1, "x")), "(thresholds \"x\"): must be a constant");
    }

    @Test
    void tree_checks_the_shape_of_the_tree_and_its_bits() throws Exception {
        String a = "ops[1] (tree).attributes.";
        assertRejected(tree(d -> arr(attrs(d, 1), "bit").set(2, 3)), a + "bit[2]: 3 is not a bit index in [0, 3)");
        assertRejected(tree(d -> arr(attrs(d, 1), "le").set(0, 0)), a + "le[0]: internal child 0 must be greater than its parent 0");
        assertRejected(tree(d -> arr(attrs(d, 1), "le").set(1, 3)), a + "le[1]: internal child 3 must be greater than its parent 1 and less than N = 3");
        assertRejected(tree(d -> arr(attrs(d, 1), "le").set(1, -5)), a + "le[1]: -5 is leaf 4, not in [0, 4)");
        assertRejected(tree(d -> arr(attrs(d, 1), "gt").set(1, -1)), a + "le/gt: leaf 0 (child -1) is the child of 2 nodes, not exactly one");
        assertRejected(tree(d -> arr(attrs(d, 1), "gt").set(0, 1)), a + "le/gt: internal node 1 is the child of 2 nodes, not exactly one");
        assertRejected(tree(d -> arr(attrs(d, 1), "le").remove(2)), a + "le: must have N = 3 entries");
        assertRejected(tree(d -> {
            tensor(d, 3).putArray("shape").add(4);
        }), "(leaves \"leaves\"): shape must be [L, k], got [4]");
        assertRejected(tree(d -> {
            tensor(d, 3).putArray("shape").add(2).add(2);
        }), "(leaves \"leaves\"): shape[0] (leaf count L = N + 1, or 1 when N = 0) must be 4, got 2");
        assertRejected(tree(d -> arr(op(d, 1), "inputs").set(0, "x")), "(bits \"x\"): element 0 has bounds [-64, 64], not within [0, 1]");
        assertRejected(tree(d -> tensor(d, 4).put("scale", 1)), "ops[1] (tree).outputs[0] \"label\": must have scale 0, got 1");
        // N = 0: a tree of one leaf
        assertThatCode(() -> IrReader.read(forest(d -> {
            attrs(d, 1).putArray("bit");
            attrs(d, 1).putArray("le");
            attrs(d, 1).putArray("gt");
            tensor(d, 3).putArray("shape").add(1).add(2);
            arr(tensor(d, 3), "values").remove(3);
            arr(tensor(d, 3), "values").remove(2);
            arr(tensor(d, 5), "hi").set(1, "0");
            arr(tensor(d, 5), "lo").set(0, "1");
            arr(tensor(d, 8), "lo").set(0, "1").set(1, "-1");
            arr(tensor(d, 8), "hi").set(0, "2").set(1, "0");
        }))).doesNotThrowAnyException();
    }

    @Test
    void weighted_sum_checks_its_members() throws Exception {
        assertRejected(forest(d -> { arr(op(d, 3), "inputs").remove(2); arr(op(d, 3), "inputs").remove(1); }), "ops[3].inputs must have at least 2 entries");
        assertRejected(forest(d -> arr(op(d, 3), "inputs").set(2, "x")), "(x_2 \"x\"): every member must have x_1's shape [2] and scale 0, got [2] and 2");
        assertRejected(forest(d -> arr(op(d, 3), "inputs").add("tree_b")), "(weights \"votes_w\"): shape[0] (the number of members M) must be 3, got 2");
        assertRejected(forest(d -> arr(op(d, 3), "inputs").set(0, "tree_a")), "(weights \"tree_a\"): must be a constant");
        assertRejected(forest(d -> arr(op(d, 3), "inputs").set(1, "leaves_a")), "(x_1 \"leaves_a\"): must not be a constant");
        assertRejected(forest(d -> tensor(d, 8).put("scale", 0)), "ops[3] (weighted_sum).outputs[0] \"votes\": must have scale 1, got 0");
    }

    @Test
    void the_metadata_is_required_and_consistent_with_the_tensors() throws Exception {
        assertRejected(tree(d -> arr(d, "features").remove(0)), "features must name the 2 input elements, got 1");
        assertRejected(tree(d -> arr(d, "labels").remove(2)), "at least hi + 1 = 3 labels), got lo = 0 and 2 labels");
        // More labels than class indices: a tree whose leaves never predict the last class.
        IrReader.read(tree(d -> arr(d, "labels").add("d")));
        assertRejected(forest(d -> arr(d, "labels").remove(0)), "labels must have 5 entries (one per output element), got 4");
        assertRejected(forest(d -> d.put("task", "classification")), "a classification has exactly one output");
        assertRejected(linear(d -> d.put("task", "regression")), "labels must have 1 entries (one per output element), got 3");
        assertRejected(tree(d -> d.put("task", "clustering")), "task must be");
        assertRejected(tree(d -> d.remove("name")), "name must be a string");
        assertRejected(tree(d -> d.remove("producer")), "producer is missing");
        assertRejected(tree(d -> ((ObjectNode) d.get("producer")).put("extra", "x")), "producer: unknown key \"extra\"");
        assertRejected(tree(d -> d.putObject("source").put("format", "tribuo")), "source: key");
        assertRejected(tree(d -> d.putObject("quantization").put("margin", 0.1)), "floating-point numbers are not allowed");
        assertThatCode(() -> IrReader.read(tree(d -> d.putObject("quantization").put("margin", "0.1")))).doesNotThrowAnyException();
        assertRejected(tree(d -> {
            ObjectNode q = d.putObject("quantization");
            for (int i = 0; i < 20; i++) {
                q = q.putObject("n");
            }
        }), "nested too deeply");
    }

    @Test
    void malformed_json_duplicate_keys_trailing_data_and_huge_documents_are_rejected() throws Exception {
        assertRejected("{\"format\": \"zkml-ir\",".getBytes(StandardCharsets.UTF_8), "not valid JSON");
        assertRejected("{\"format\": \"zkml-ir\", \"format\": \"zkml-ir\"}".getBytes(StandardCharsets.UTF_8), "not valid JSON");
        String dup = V2Docs.TREE.replace("\"values\": [\"0\", \"1\", \"1\", \"2\"]", "\"values\": [\"0\", \"1\", \"1\", \"2\"], \"values\": [\"2\", \"1\", \"1\", \"0\"]");
        assertThat(dup).isNotEqualTo(V2Docs.TREE);
        assertRejected(dup.getBytes(StandardCharsets.UTF_8), "not valid JSON", "values");
        assertRejected((V2Docs.TREE + " {}").getBytes(StandardCharsets.UTF_8), "not valid JSON");
        assertRejected(new byte[0], "empty");
        assertRejected(new byte[IrReader.MAX_BYTES + 1], "more than the limit");
        assertRejected(("[".repeat(100) + "]".repeat(100)).getBytes(StandardCharsets.UTF_8), "not valid JSON");
        assertRejected("[]".getBytes(StandardCharsets.UTF_8), "must be a JSON object");
    }

    // ---- version 1 ----

    @Test
    void v1_documents_keep_their_rules() throws Exception {
        assertRejected(v1("classifier-3x4", d -> arr(d, "inputs").add("acc")), "exactly one input");
        assertRejected(v1("classifier-3x4", d -> arr(d, "outputs").add("acc")), "exactly one output");
        assertRejected(v1("classifier-3x4", d -> d.put("task", "regression")), "does not match the output op");
        assertRejected(v1("classifier-3x4", d -> op(d, 1).put("op", "relu")), "ops[1]: unknown op \"relu\" (IR v1 knows");
        assertRejected(v1("classifier-3x4", d -> op(d, 0).remove("bias")), "key \"bias\" is missing");
        assertRejected(v1("classifier-3x4", d -> op(d, 1).put("shift", 3)), "ops[1] (argmax): unknown key \"shift\"");
        assertRejected(v1("classifier-3x4", d -> tensor(d, 0).put("private", true)), "tensors[0]: unknown key \"private\"");
        assertRejected(v1("classifier-3x4", d -> ((ArrayNode) op(d, 0).get("weights").get(1)).remove(0)),
                "ops[0].weights[1] must have 4 entries like weights[0], got 3");
        assertRejected(v1("classifier-3x4", d -> arr(op(d, 0), "bias").remove(0)), "(bias \"acc_bias\"): shape[0] (weight's m) must be 3, got 2");
        // the lifted bias is at the output scale, so a v1 output scale that breaks the rule shows in the bias
        assertRejected(v1("classifier-3x4", d -> tensor(d, 1).put("scale", 13)),
                "(bias \"acc_bias\"): scale (the output scale x.scale + weight.scale) must be 12, got 13");
        assertRejected(v1("classifier-3x4", d -> arr(tensor(d, 1), "hi").set(0, "3584")), "\"acc\": bounds differ");
        assertRejected(v1("classifier-3x4", d -> op(d, 1).put("out", "x")), "out \"x\" is the input tensor");
        assertRejected(v1("regressor-2x3", d -> op(d, 1).put("out", "acc")), "written twice");
        assertRejected(v1("classifier-3x4", d -> op(d, 0).put("in", "nope")), "\"nope\" is not a declared tensor");
        assertRejected(v1("classifier-3x4", d -> op(d, 0).put("weightScale", 4096)), "\"acc_weight\": scale 4096 is outside [-1024, 1024]");
        // the lifted tensors follow the v2 scale rule even when every v1 scale rule holds (the Go reader agrees)
        assertRejected(v1("classifier-3x4", d -> {
            tensor(d, 0).put("scale", 1025);
            op(d, 0).put("weightScale", 12 - 1025);
        }), "\"x\": scale 1025 is outside [-1024, 1024]");
        assertRejected(v1("classifier-3x4", d -> op(d, 0).put("weightScale", 1L << 40)), "ops[0].weightScale", "at most 9 digits");
        assertRejected(v1("regressor-2x3", d -> op(d, 1).put("shift", 129)), "shift: must be in [0, 128]");
        assertRejected(v1("regressor-2x3", d -> d.putArray("ops")), "needs at least one op");
        assertRejected(v1("classifier-3x4", d -> ((ArrayNode) d.get("tensors")).addObject().put("name", "spare").put("size", 1)
                .put("scale", 0).set("lo", JSON.createArrayNode().add("0"))), "key \"hi\" is missing");
        String limit = BigInteger.ONE.shiftLeft(248).toString();
        assertRejected(v1("regressor-2x3", d -> arr(op(d, 0), "bias").set(0, limit)), "\"acc_bias\": values[0] has |v| >= 2^248");
    }

    @Test
    void a_v1_tensor_named_like_a_lifted_constant_is_a_duplicate() throws Exception {
        assertRejected(v1("regressor-2x3", d -> {
            tensor(d, 2).put("name", "acc_bias");
            arr(d, "outputs").set(0, "acc_bias");
            op(d, 1).put("out", "acc_bias");
        }), "tensor \"acc_bias\" is declared twice");
    }

    @Test
    void the_compiler_and_the_reader_agree_on_constructed_ops() throws Exception {
        IrGraph g = new IrGraph();
        g.input("x", List.of(2), 0, List.of(BigInteger.valueOf(-3), BigInteger.ZERO), List.of(BigInteger.valueOf(3), BigInteger.TEN));
        g.constant("w", List.of(1, 2), 1, List.of(BigInteger.TWO, BigInteger.valueOf(-1)));
        g.constant("b", List.of(1), 1, List.of(BigInteger.ONE));
        IrTensor y = g.output(new DenseOp("x", "w", "b", "y"));
        assertThat(y.lo()).containsExactly(BigInteger.valueOf(-15));
        assertThat(y.hi()).containsExactly(BigInteger.valueOf(7));
        assertThat(y.scale()).isEqualTo(1);
        CircuitIr ir = g.build("g", "regression", new CircuitIr.Producer("t", "1"), null, null, List.of("a", "b"), List.of("y"));
        assertThat(IrReader.read(IrWriter.write(ir))).isEqualTo(ir);
        assertThatThrownBy(() -> g.output(new DenseOp("y", "w", "b", "z"))).isInstanceOf(IrValidationException.class)
                .hasMessageContaining("ops[1] (dense).inputs[1] (weight \"w\"): shape[1] (x's n) must be 1, got 2");
    }
}
