package io.zkml.compiler.ir;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
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

/** The reader rejects every document that breaks a rule of docs/ir-format.md. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class IrReaderTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** The classifier-3x4 golden document, changed by {@code edit}. */
    static byte[] classifier(Consumer<ObjectNode> edit) throws Exception {
        return edited("classifier-3x4", edit);
    }

    static byte[] edited(String golden, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(GoldenIrTest.irBytes(golden));
        edit.accept(doc);
        return JSON.writeValueAsBytes(doc);
    }

    static ObjectNode tensor(ObjectNode doc, int i) {
        return (ObjectNode) doc.get("tensors").get(i);
    }

    static ObjectNode op(ObjectNode doc, int i) {
        return (ObjectNode) doc.get("ops").get(i);
    }

    /** Sets the acc and y bounds of an edited regressor-2x3 to the interval analysis of its x, weights and bias. */
    static void recomputeRegressorBounds(ObjectNode d) {
        List<List<BigInteger>> weights = d.get("ops").get(0).get("weights").valueStream().map(IrReaderTest::ints).toList();
        IntervalAnalysis.Bounds acc = IntervalAnalysis.dense(weights, ints(op(d, 0).get("bias")),
                ints(tensor(d, 0).get("lo")), ints(tensor(d, 0).get("hi")));
        IntervalAnalysis.Bounds y = IntervalAnalysis.rescale(op(d, 1).get("shift").intValue(), acc.lo(), acc.hi());
        setInts(tensor(d, 1), acc);
        setInts(tensor(d, 2), y);
    }

    static List<BigInteger> ints(tools.jackson.databind.JsonNode a) {
        return a.valueStream().map(n -> new BigInteger(n.stringValue())).toList();
    }

    static void setInts(ObjectNode t, IntervalAnalysis.Bounds b) {
        ArrayNode lo = t.putArray("lo");
        ArrayNode hi = t.putArray("hi");
        b.lo().forEach(v -> lo.add(v.toString()));
        b.hi().forEach(v -> hi.add(v.toString()));
    }

    static void assertRejected(byte[] doc, String messagePart) {
        assertThatThrownBy(() -> IrReader.read(doc))
                .isInstanceOf(IrValidationException.class)
                .hasMessageContaining(messagePart);
    }

    @Test
    void an_unchanged_golden_document_is_accepted() throws Exception {
        assertThatCode(() -> IrReader.read(classifier(d -> { }))).doesNotThrowAnyException();
    }

    @Test
    void an_unknown_version_is_rejected() throws Exception {
        assertRejected(classifier(d -> d.put("version", 2)), "unsupported IR version 2");
        assertRejected(classifier(d -> d.put("version", "1")), "version must be an integer");
        assertRejected(classifier(d -> d.remove("version")), "version must be an integer");
    }

    @Test
    void another_format_or_field_is_rejected() throws Exception {
        assertRejected(classifier(d -> d.put("format", "onnx")), "format must be \"zkml-ir\"");
        assertRejected(classifier(d -> d.put("field", "bls12-381")), "field must be \"bn254\"");
    }

    @Test
    void bounds_that_differ_from_the_interval_analysis_are_rejected() throws Exception {
        assertRejected(classifier(d -> ((ArrayNode) tensor(d, 1).get("hi")).set(0, "3584")),
                "differ from the interval analysis");
        assertRejected(classifier(d -> ((ArrayNode) tensor(d, 1).get("lo")).set(2, "-508")),
                "differ from the interval analysis");
        assertRejected(classifier(d -> ((ArrayNode) tensor(d, 2).get("hi")).set(0, "3")),
                "differ from the interval analysis");
        assertRejected(edited("regressor-2x3", d -> ((ArrayNode) tensor(d, 2).get("lo")).set(0, "0")),
                "differ from the interval analysis");
    }

    @Test
    void integers_that_are_not_canonical_decimal_strings_are_rejected() throws Exception {
        for (String bad : new String[]{"007", "-0", "1.5", "+3", "1e3", " 3", "", "0x10", "３"}) {
            assertRejected(classifier(d -> ((ArrayNode) op(d, 0).get("bias")).set(0, bad)), "not a canonical decimal integer");
        }
        assertRejected(classifier(d -> ((ArrayNode) op(d, 0).get("bias")).set(0, 0)), "must be an integer written as a JSON string");
        assertRejected(classifier(d -> ((ArrayNode) tensor(d, 0).get("lo")).set(0, -512)), "must be an integer written as a JSON string");
    }

    @Test
    void a_bound_at_2_to_the_248_is_an_overflow() throws Exception {
        String limit = java.math.BigInteger.ONE.shiftLeft(248).toString();
        assertRejected(classifier(d -> ((ArrayNode) tensor(d, 0).get("hi")).set(3, limit)), "2^248");
        assertRejected(classifier(d -> ((ArrayNode) tensor(d, 0).get("lo")).set(3, "-" + limit)), "2^248");
    }

    @Test
    void an_unknown_op_is_rejected() throws Exception {
        assertRejected(classifier(d -> op(d, 1).put("op", "relu")), "unknown op \"relu\"");
    }

    @Test
    void unknown_or_missing_keys_in_tensors_and_ops_are_rejected() throws Exception {
        assertRejected(classifier(d -> tensor(d, 0).put("private", true)), "unknown key \"private\"");
        assertRejected(classifier(d -> op(d, 0).remove("bias")), "key \"bias\" is missing");
        assertRejected(classifier(d -> op(d, 1).put("shift", 3)), "unknown key \"shift\"");
    }

    @Test
    void bad_names_and_duplicate_tensors_are_rejected() throws Exception {
        assertRejected(classifier(d -> {
            tensor(d, 0).put("name", "X");
            ((ArrayNode) d.get("inputs")).set(0, "X");
            op(d, 0).put("in", "X");
        }), "must match");
        assertRejected(classifier(d -> tensor(d, 2).put("name", "acc")), "declared twice");
    }

    @Test
    void ops_out_of_order_or_writing_twice_are_rejected() throws Exception {
        assertRejected(classifier(d -> {
            ArrayNode ops = (ArrayNode) d.get("ops");
            var first = ops.get(0);
            ops.set(0, ops.get(1));
            ops.set(1, first);
        }), "neither the input nor written by an earlier op");
        assertRejected(classifier(d -> op(d, 1).put("out", "x")), "is the input tensor");
        assertRejected(classifier(d -> op(d, 1).put("out", "acc")), "written twice");
        assertRejected(classifier(d -> op(d, 0).put("in", "nope")), "not a declared tensor");
    }

    @Test
    void a_tensor_that_nothing_writes_is_rejected() throws Exception {
        assertRejected(classifier(d -> ((ArrayNode) d.get("tensors")).addObject()
                        .put("name", "spare").put("size", 1).put("scale", 0)
                        .set("lo", JSON.createArrayNode().add("0"))),
                "key \"hi\" is missing");
        assertRejected(classifier(d -> {
            ObjectNode t = ((ArrayNode) d.get("tensors")).addObject().put("name", "spare").put("size", 1).put("scale", 0);
            t.set("lo", JSON.createArrayNode().add("0"));
            t.set("hi", JSON.createArrayNode().add("0"));
        }), "neither the input nor written by an op");
    }

    @Test
    void wrong_sizes_and_scales_are_rejected() throws Exception {
        assertRejected(classifier(d -> tensor(d, 1).put("scale", 13)), "must have scale 12");
        assertRejected(classifier(d -> ((ArrayNode) op(d, 0).get("weights").get(1)).remove(0)), "weights[1] must have in.size=4");
        assertRejected(classifier(d -> ((ArrayNode) op(d, 0).get("bias")).remove(0)), "bias must have out.size=3");
        assertRejected(classifier(d -> tensor(d, 0).put("size", 5)), "lo and hi must have size=5");
        assertRejected(classifier(d -> tensor(d, 2).put("scale", 1)), "must have scale 0");
        assertRejected(edited("regressor-2x3", d -> op(d, 1).put("shift", 129)), "shift must be in [0, 128]");
        assertRejected(edited("regressor-2x3", d -> op(d, 1).put("shift", -1)), "shift must be in [0, 128]");
        assertRejected(classifier(d -> ((ArrayNode) tensor(d, 0).get("lo")).set(0, "513")), "greater than hi");
        assertRejected(classifier(d -> op(d, 0).put("weightScale", 4096)), "out of range");
        assertRejected(classifier(d -> tensor(d, 0).put("size", 1L << 40)), "out of range");
    }

    @Test
    void a_document_without_ops_or_whose_output_is_the_input_is_rejected() throws Exception {
        // no ops at all: the output would be the input itself
        assertRejected(edited("regressor-2x3", d -> {
            d.putArray("ops");
            ArrayNode ts = (ArrayNode) d.get("tensors");
            ts.remove(2);
            ts.remove(1);
            ((ArrayNode) d.get("outputs")).set(0, "x");
            ((ArrayNode) d.get("labels")).add("third");
        }), "at least one op");
        // ops, but the output named is the input: every output must be written by an op
        assertRejected(edited("regressor-2x3", d -> {
            ((ArrayNode) d.get("outputs")).set(0, "x");
            ((ArrayNode) d.get("labels")).add("third");
        }), "output \"x\" is the input");
    }

    @Test
    void a_bias_at_2_to_the_248_is_rejected_even_when_the_bounds_are_small() throws Exception {
        // x[0] is fixed at 1 and its weight cancels the bias: acc[0] = 2^248 − (2^248 − 1) = 1
        BigInteger limit = BigInteger.ONE.shiftLeft(248);
        assertRejected(edited("regressor-2x3", d -> {
            ((ArrayNode) tensor(d, 0).get("lo")).set(0, "1");
            ((ArrayNode) tensor(d, 0).get("hi")).set(0, "1");
            ArrayNode row = (ArrayNode) op(d, 0).get("weights").get(0);
            row.set(0, limit.subtract(BigInteger.ONE).negate().toString());
            row.set(1, "0");
            row.set(2, "0");
            ((ArrayNode) op(d, 0).get("bias")).set(0, limit.toString());
            recomputeRegressorBounds(d);
            assertThat(tensor(d, 1).get("hi").get(0).stringValue()).isEqualTo("1");
        }), "bias[0]");
    }

    @Test
    void v1_documents_have_exactly_one_input_and_one_output() throws Exception {
        assertRejected(classifier(d -> ((ArrayNode) d.get("inputs")).add("acc")), "exactly one input");
        assertRejected(classifier(d -> ((ArrayNode) d.get("outputs")).add("acc")), "exactly one output");
    }

    @Test
    void features_and_labels_must_match_the_tensors() throws Exception {
        assertRejected(classifier(d -> ((ArrayNode) d.get("features")).remove(0)), "features must name the 4 input elements");
        assertRejected(classifier(d -> ((ArrayNode) d.get("labels")).add("extra")), "labels must have 3 entries");
        assertRejected(classifier(d -> d.put("task", "regression")), "does not match the output op");
        assertRejected(classifier(d -> d.put("task", "clustering")), "task must be");
    }

    @Test
    void malformed_json_duplicate_keys_and_trailing_data_are_rejected() throws Exception {
        assertRejected("{\"format\": \"zkml-ir\",".getBytes(StandardCharsets.UTF_8), "not valid JSON");
        assertRejected("{\"format\": \"zkml-ir\", \"format\": \"zkml-ir\"}".getBytes(StandardCharsets.UTF_8), "not valid JSON");
        byte[] ok = GoldenIrTest.irBytes("classifier-3x4");
        byte[] trailing = (new String(ok, StandardCharsets.UTF_8) + "{}").getBytes(StandardCharsets.UTF_8);
        assertRejected(trailing, "not valid JSON");
        assertRejected("[]".getBytes(StandardCharsets.UTF_8), "must be a JSON object");
        assertRejected(new byte[0], "empty");
    }

    @Test
    void unknown_top_level_metadata_is_ignored_as_by_the_go_reader() throws Exception {
        CircuitIr ir = IrReader.read(classifier(d -> d.put("comment", "hello")));
        assertThat(ir.name()).isEqualTo("classifier-3x4");
    }

    @Test
    void floats_in_quantization_metadata_are_rejected_because_they_have_no_canonical_text() throws Exception {
        assertRejected(classifier(d -> d.putObject("quantization").put("margin", 0.1)), "floating-point");
        assertThat(IrReader.read(classifier(d -> d.putObject("quantization").put("margin", "0.1"))).quantization())
                .isNotNull();
    }
}
