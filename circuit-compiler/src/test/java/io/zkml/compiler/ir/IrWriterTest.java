package io.zkml.compiler.ir;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import io.zkml.compiler.ir.ops.DenseOp;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class IrWriterTest {

    static CircuitIr tiny(String name, ObjectNode quantization) {
        BigInteger one = BigInteger.ONE;
        return new CircuitIr("zkml-ir", 2, "bn254", name, "regression", new CircuitIr.Producer("p", "1"), null, quantization,
                List.of("f"), List.of("y"),
                List.of(IrTensor.input("x", List.of(1), 0, List.of(one.negate()), List.of(one)),
                        IrTensor.constant("w", List.of(1, 1), 0, List.of(BigInteger.TWO)),
                        IrTensor.constant("b", List.of(1), 0, List.of(BigInteger.ZERO)),
                        IrTensor.output("acc", List.of(1), 0, List.of(BigInteger.valueOf(-2)), List.of(BigInteger.TWO))),
                List.of("x"), List.of(new DenseOp("x", "w", "b", "acc")),
                List.of("acc"));
    }

    @Test
    void strings_are_escaped_exactly_as_python_json_dumps_does_so_the_bytes_are_ascii() {
        String name = "cr\u00e9dit \u2713 \"q\" \\ \n\t\u0001\u007f \uD83D\uDE00";
        String json = new String(IrWriter.write(tiny(name, null)), StandardCharsets.US_ASCII);
        // python3 -c 'import json; print(json.dumps({"name": NAME}, indent=2))'
        assertThat(json).contains("\"name\": \"cr\\u00e9dit \\u2713 \\\"q\\\" \\\\ \\n\\t\\u0001\\u007f \\ud83d\\ude00\",");
        for (byte b : IrWriter.write(tiny(name, null))) {
            assertThat(b == '\n' || (b >= 0x20 && b <= 0x7e)).as("byte %d is printable ASCII", b).isTrue();
        }
    }

    @Test
    void empty_containers_and_nested_metadata_keep_their_order_and_layout() throws Exception {
        ObjectNode q = JsonNodeFactory.instance.objectNode();
        q.put("z", 1);
        q.putArray("empty");
        q.putObject("obj").put("a", "b");
        q.put("flag", true);
        byte[] bytes = IrWriter.write(tiny("t", q));
        String json = new String(bytes, StandardCharsets.US_ASCII);
        assertThat(json).contains("""
                  "quantization": {
                    "z": 1,
                    "empty": [],
                    "obj": {
                      "a": "b"
                    },
                    "flag": true
                  },
                """);
        assertThat(json).endsWith("}\n");
        assertThat(IrWriter.write(IrReader.read(bytes))).isEqualTo(bytes);
    }

    @Test
    void floats_in_metadata_are_refused_because_they_have_no_canonical_text() {
        ObjectNode q = JsonNodeFactory.instance.objectNode().put("margin", 0.1);
        assertThatThrownBy(() -> IrWriter.write(tiny("t", q))).isInstanceOf(IllegalArgumentException.class);
    }
}
