package io.zkml.compiler.ir;

import tools.jackson.databind.JsonNode;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes a version 2 {@link CircuitIr} as canonical, byte-deterministic JSON (version 1 documents
 * are read and lifted, never written: keep their original bytes).
 *
 * <p>The canonical form (documented in docs/quantization.md, "Canonical IR bytes"):
 * <ul>
 *   <li>top-level keys in the order of the table in docs/ir-format.md: {@code format, version, field,
 *       name, task, producer, source, quantization, features, labels, tensors, inputs, commitments (only when
 *       an input is hashed), ops, outputs};
 *       {@code source} and {@code quantization} are left out when absent;</li>
 *   <li>tensor keys {@code name, role, visibility, shape, scale}, then {@code lo, hi} (non-constants)
 *       or {@code values} (constants); op keys {@code op, inputs, outputs, attributes}, the
 *       attribute keys in the order of the op's table ({@link IrOp#writeAttributes});</li>
 *   <li>2-space indentation, one value per line, {@code ": "} after keys, {@code ","} at line ends,
 *       {@code []}/{@code {}} for empty containers, a final newline: exactly what Python's
 *       {@code json.dump(obj, f, indent=2)} followed by {@code "\n"} writes, so the golden files
 *       round-trip byte for byte;</li>
 *   <li>strings escape {@code "} {@code \} and control characters, and every non-ASCII character as
 *       {@code \\uXXXX} (lowercase hex, UTF-16 units): the bytes are pure ASCII;</li>
 *   <li>integers as decimal strings without leading zeros or {@code "-0"}.</li>
 * </ul>
 */
public final class IrWriter {

    private static final String INDENT = "  ";

    private IrWriter() {
    }

    /** The canonical bytes of the IR (ASCII, ends with a newline). */
    public static byte[] write(CircuitIr ir) {
        if (ir.version() != CircuitIr.VERSION) {
            throw new IllegalArgumentException("IrWriter writes IR version " + CircuitIr.VERSION + " only, not version "
                    + ir.version() + " (keep a version 1 document's original bytes)");
        }
        Json w = new Json();
        w.beginObject();
        w.key("format").string(ir.format());
        w.key("version").number(ir.version());
        w.key("field").string(ir.field());
        w.key("name").string(ir.name());
        w.key("task").string(ir.task());
        if (ir.producer() != null) {
            w.key("producer").beginObject();
            w.key("name").string(ir.producer().name());
            w.key("version").string(ir.producer().version());
            w.endObject();
        }
        if (ir.source() != null) {
            w.key("source").beginObject();
            w.key("format").string(ir.source().format());
            w.key("sha256").string(ir.source().sha256());
            w.key("modelClass").string(ir.source().modelClass());
            w.endObject();
        }
        if (ir.quantization() != null) {
            w.key("quantization").node(ir.quantization());
        }
        w.key("features").strings(ir.features());
        w.key("labels").strings(ir.labels());
        w.key("tensors").beginArray();
        for (IrTensor t : ir.tensors()) {
            w.beginObject();
            w.key("name").string(t.name());
            w.key("role").string(t.role().irName());
            w.key("visibility").string(t.visibility().irName());
            w.key("shape").beginArray();
            t.shape().forEach(w::number);
            w.endArray();
            w.key("scale").number(t.scale());
            if (t.isConstant() && !t.isHashedConstant()) {
                w.key("values").integers(t.values());
            } else {
                w.key("lo").integers(t.lo());
                w.key("hi").integers(t.hi());
            }
            w.endObject();
        }
        w.endArray();
        w.key("inputs").strings(ir.inputs());
        if (!ir.commitments().isEmpty()) {
            w.key("commitments").beginArray();
            for (CircuitIr.Commitment c : ir.commitments()) {
                w.beginObject();
                w.key("name").string(c.name());
                w.key("domain").string(c.domain());
                w.key("tensors").strings(c.tensors());
                w.endObject();
            }
            w.endArray();
        }
        w.key("ops").beginArray();
        for (IrOp op : ir.ops()) {
            w.beginObject();
            w.key("op").string(op.op());
            w.key("inputs").strings(op.inputs());
            w.key("outputs").strings(op.outputs());
            w.key("attributes").beginObject();
            op.writeAttributes(new AttributeWriter() {
                @Override
                public void integer(String key, int value) {
                    w.key(key).number(value);
                }

                @Override
                public void ints(String key, List<Integer> values) {
                    w.key(key).beginArray();
                    values.forEach(w::number);
                    w.endArray();
                }
            });
            w.endObject();
            w.endObject();
        }
        w.endArray();
        w.key("outputs").strings(ir.outputs());
        w.endObject();
        w.out.append('\n');
        return w.out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Lowercase hex SHA-256 of the bytes: the circuit hash when applied to IR bytes. */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A tiny pretty printer in Python's {@code json.dumps(indent=2)} layout. */
    private static final class Json {
        final StringBuilder out = new StringBuilder(4096);
        /** Per open container: how many values it holds so far. */
        private int[] counts = new int[16];
        private int depth = 0;
        private boolean afterKey = false;

        private void beforeValue() {
            if (afterKey) {
                afterKey = false;
                return;
            }
            if (depth > 0) {
                if (counts[depth - 1]++ > 0) {
                    out.append(',');
                }
                newline(depth);
            }
        }

        private void newline(int level) {
            out.append('\n');
            out.append(INDENT.repeat(level));
        }

        Json key(String k) {
            if (counts[depth - 1]++ > 0) {
                out.append(',');
            }
            newline(depth);
            quote(k);
            out.append(": ");
            afterKey = true;
            return this;
        }

        Json beginObject() {
            beforeValue();
            out.append('{');
            push();
            return this;
        }

        Json endObject() {
            close('}');
            return this;
        }

        Json beginArray() {
            beforeValue();
            out.append('[');
            push();
            return this;
        }

        Json endArray() {
            close(']');
            return this;
        }

        private void push() {
            if (depth == counts.length) {
                counts = java.util.Arrays.copyOf(counts, depth * 2);
            }
            counts[depth++] = 0;
        }

        private void close(char c) {
            depth--;
            if (counts[depth] > 0) {
                newline(depth);
            }
            out.append(c);
        }

        Json string(String s) {
            beforeValue();
            quote(s);
            return this;
        }

        Json number(long v) {
            beforeValue();
            out.append(v);
            return this;
        }

        Json strings(List<String> values) {
            beginArray();
            values.forEach(this::string);
            return endArray();
        }

        Json integers(List<BigInteger> values) {
            beginArray();
            values.forEach(v -> string(v.toString()));
            return endArray();
        }

        Json node(JsonNode n) {
            if (n.isObject()) {
                beginObject();
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    key(e.getKey()).node(e.getValue());
                }
                endObject();
            } else if (n.isArray()) {
                beginArray();
                for (JsonNode v : n.values()) {
                    node(v);
                }
                endArray();
            } else if (n.isString()) {
                string(n.stringValue());
            } else if (n.isIntegralNumber()) {
                beforeValue();
                out.append(n.bigIntegerValue());
            } else if (n.isBoolean()) {
                beforeValue();
                out.append(n.booleanValue());
            } else if (n.isNull()) {
                beforeValue();
                out.append("null");
            } else if (n.isNumber()) {
                // Floats have no canonical text across languages: the compiler never writes them.
                throw new IllegalArgumentException("floating-point numbers are not allowed in IR metadata: " + n);
            } else {
                throw new IllegalArgumentException("unsupported JSON node in IR metadata: " + n.getNodeType());
            }
            return this;
        }

        private void quote(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        if (c < 0x20 || c > 0x7e) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }
}
