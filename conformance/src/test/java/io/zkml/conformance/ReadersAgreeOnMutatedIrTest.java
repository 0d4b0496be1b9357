package io.zkml.conformance;

import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IntervalAnalysis;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Differential test of the two IR readers: for every golden document of testdata/golden/ir-v2 and
 * ir-v1, seeded structural mutations (a bound, a constant, a scale, a shape dimension, an attribute
 * entry changed; ops or tensors swapped, removed or duplicated; a tensor reference renamed; a key
 * dropped, duplicated or added; a role or visibility changed; an integer written as a JSON number,
 * ...), each read by the Java {@link IrReader} and by the Go reader behind
 * {@link Groth16Prover#compile(byte[])} (closed at once; nothing is proven). The two must agree:
 * Java accepts ⇔ Go accepts.
 *
 * <p>Documented differences (docs/ir-format.md, "Reader differences") are kept out: no mutation
 * touches {@code name}, {@code task}, {@code features}, {@code labels}, {@code producer},
 * {@code source} or {@code quantization}. A structural mutation may still break the Java-only
 * metadata consistency ({@code features} one per input element, {@code labels} per class index or
 * output element, v1's {@code task} against its output op): when Java rejects the document for that
 * alone, its verdict is taken on the same document with {@code features}, {@code labels} (and
 * {@code task}) rewritten to fit, which Go reads exactly as the original (it only type-checks them).
 *
 * <p>System properties: {@code zkml.diff.perKind} (mutations per kind and document, default 3),
 * {@code zkml.diff.seed}.
 */
class ReadersAgreeOnMutatedIrTest {

    static final long SEED = Long.getLong("zkml.diff.seed", 20261202L);
    static final int PER_KIND = Integer.getInteger("zkml.diff.perKind", 3);

    /** Keys the Go reader does not read (or only type-checks): never mutated. */
    static final Set<String> METADATA = Set.of("name", "task", "features", "labels", "producer", "source", "quantization");
    static final List<String> STRUCTURAL_TOP = List.of("format", "version", "field", "tensors", "inputs", "ops", "outputs");
    static final Set<String> BIG_ARRAYS = Set.of("lo", "hi", "values", "bias");
    static final List<String> ROLES = List.of("input", "constant", "intermediate", "output");
    static final List<String> VISIBILITIES = List.of("public", "fixed", "private", "hashed");
    static final List<String> V2_OPS = List.of("dense", "rescale", "argmax", "split_bits", "tree", "weighted_sum", "relu");
    static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(248);
    /** Mutation kinds that keep the document's meaning: both readers must accept them (agreeing on a rejection is a failure). */
    static final Set<String> MEANING_KEPT = Set.of("same-meaning", "swap-tensors");

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    static Groth16Prover prover;
    static final Map<String, Integer> KIND_COUNTS = Collections.synchronizedMap(new TreeMap<>());

    @BeforeAll
    static void loadProver() {
        prover = Groth16Prover.load();
    }

    static List<Path> goldenFiles() throws IOException {
        Path root = ReferenceMatchesCircuitTest.repositoryRoot();
        List<Path> files = new ArrayList<>();
        for (String folder : List.of("ir-v2", "ir-v1")) {
            try (Stream<Path> s = Files.list(root.resolve("testdata/golden").resolve(folder))) {
                List<Path> golden = s.filter(f -> f.getFileName().toString().endsWith(".ir.json")).sorted().toList();
                assertThat(golden).as("golden IR files in testdata/golden/" + folder).isNotEmpty();
                files.addAll(golden);
            }
        }
        return files;
    }

    @TestFactory
    Stream<DynamicTest> javaAndGoReadersAcceptTheSameMutatedDocuments() throws IOException {
        Path root = ReferenceMatchesCircuitTest.repositoryRoot();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : goldenFiles()) {
            String doc = root.relativize(f).toString();
            tests.add(DynamicTest.dynamicTest(doc, () -> checkDocument(doc, Files.readAllBytes(f))));
        }
        tests.add(DynamicTest.dynamicTest("summary", () -> {
            int total = KIND_COUNTS.values().stream().mapToInt(Integer::intValue).sum();
            System.out.println("[readers-agree] " + total + " mutated documents, " + KIND_COUNTS.size() + " kinds: " + KIND_COUNTS);
            assertThat(total).as("mutated documents in all").isGreaterThanOrEqualTo(300);
        }));
        return tests.stream();
    }

    // ---- verdicts ----

    /** accepted, or the reason for the rejection. */
    record Verdict(boolean accepted, String reason) {
        @Override
        public String toString() {
            return accepted ? "accepts" : "rejects (" + reason + ")";
        }
    }

    static Verdict go(byte[] bytes) {
        try (ConstraintSystem cs = prover.compile(bytes)) {
            return new Verdict(true, null);
        } catch (NativeProverException e) {
            if (e.errorCode() != ErrorCode.INVALID_IR) {
                return new Verdict(false, "NOT INVALID_IR but " + e.errorCode() + ": " + e.getMessage());
            }
            return new Verdict(false, e.getMessage());
        }
    }

    static Verdict java(byte[] bytes) {
        try {
            IrReader.read(bytes);
            return new Verdict(true, null);
        } catch (IrValidationException e) {
            return new Verdict(false, e.getMessage());
        } catch (RuntimeException e) {
            return new Verdict(false, "NOT IrValidationException but " + e);
        }
    }

    /** The messages of IrReader's Java-only metadata consistency checks (docs/ir-format.md, "Reader differences"). */
    static boolean metadataOnly(Verdict v) {
        if (v.accepted()) {
            return false;
        }
        String m = v.reason();
        return m.startsWith("features must name") || m.startsWith("labels must") || m.startsWith("a classification has exactly one output")
                || m.startsWith("the classification output") || (m.startsWith("task \"") && m.contains("does not match the output op"));
    }

    private static void checkDocument(String doc, byte[] original) throws IOException {
        ObjectNode base = (ObjectNode) JSON.readTree(original);
        byte[] baseBytes = serialize(base, null, null, null);
        assertThat(java(baseBytes).accepted()).as("Java reads %s", doc).isTrue();
        assertThat(go(baseBytes).accepted()).as("Go reads %s", doc).isTrue();

        List<Mutation> mutations = sample(doc, candidates(base));
        List<String> mismatches = new ArrayList<>();
        int accepted = 0;
        for (Mutation m : mutations) {
            byte[] bytes = m.apply(base);
            Verdict j = java(bytes);
            Verdict g = go(bytes);
            String note = "";
            if (metadataOnly(j)) {
                byte[] repaired = repairMetadata(bytes);
                j = java(repaired);
                note = " (Java verdict on the document with features/labels/task rewritten to fit)";
            }
            boolean crash = (!j.accepted() && j.reason().startsWith("NOT ")) || (!g.accepted() && g.reason().startsWith("NOT "));
            // A change that keeps the meaning must be accepted, not merely rejected by both readers alike.
            boolean keepsMeaning = MEANING_KEPT.contains(m.kind());
            if (j.accepted() != g.accepted() || crash || (keepsMeaning && !j.accepted())) {
                mismatches.add(doc + " | " + m.kind() + " | " + m.what() + (keepsMeaning ? " (keeps the meaning: both must accept)" : "")
                        + "\n    Java " + j + note + "\n    Go   " + g);
            }
            if (j.accepted()) {
                accepted++;
            }
            KIND_COUNTS.merge(m.kind(), 1, Integer::sum);
        }
        System.out.println("[readers-agree] " + doc + ": " + mutations.size() + " mutations, " + accepted + " accepted by both readers, "
                + mismatches.size() + " disagreements");
        assertThat(mismatches).as("Java and Go readers disagree on %d of %d mutations of %s:\n%s", mismatches.size(),
                mutations.size(), doc, String.join("\n", mismatches)).isEmpty();
    }

    // ---- mutations ----

    /** kind (the sampling group), what (a description of the change), and the change. */
    record Mutation(String kind, String what, Consumer<ObjectNode> edit, Dup dup, UnaryOperator<byte[]> post) {
        Mutation(String kind, String what, Consumer<ObjectNode> edit, Dup dup) {
            this(kind, what, edit, dup, null);
        }

        byte[] apply(ObjectNode base) {
            ObjectNode copy = base.deepCopy();
            if (edit != null) {
                edit.accept(copy);
            }
            byte[] bytes = dup == null ? serialize(copy, null, null, null)
                    : serialize(copy, (ObjectNode) get(copy, dup.path()), dup.key(), dup.value());
            return post == null ? bytes : post.apply(bytes);
        }
    }

    /** Write the key {@code key} of the object at {@code path} twice, the second time with {@code value}. */
    record Dup(List<Object> path, String key, JsonNode value) {
    }

    static List<Mutation> sample(String doc, List<Mutation> all) {
        Map<String, List<Mutation>> byKind = new LinkedHashMap<>();
        for (Mutation m : all) {
            byKind.computeIfAbsent(m.kind(), k -> new ArrayList<>()).add(m);
        }
        Random random = new Random(SEED ^ doc.hashCode());
        List<Mutation> out = new ArrayList<>();
        for (List<Mutation> group : byKind.values()) {
            List<Mutation> g = new ArrayList<>(group);
            Collections.shuffle(g, random);
            out.addAll(g.subList(0, Math.min(PER_KIND, g.size())));
        }
        return out;
    }

    static List<Mutation> candidates(ObjectNode root) {
        List<Mutation> out = new ArrayList<>();
        int version = root.get("version").asInt();
        List<String> names = new ArrayList<>();
        for (JsonNode t : root.get("tensors")) {
            names.add(t.get("name").asString());
        }

        // the document
        for (String key : STRUCTURAL_TOP) {
            dropAndDuplicate(out, List.of(), root, key, "");
        }
        // commitments (docs/ir-format.md, "Commitments"); a v1 document ignores the key
        if (root.has("commitments")) {
            dropAndDuplicate(out, List.of(), root, "commitments", "");
            List<Object> c0 = List.of("commitments", 0);
            out.add(put("commitments", c0, "domain", F.stringNode("zkml-inputs-v2"), "commitment domain zkml-inputs-v2"));
            out.add(put("commitments", List.of(), "commitments", F.arrayNode(), "commitments []"));
            out.add(put("commitments", c0, "tensors", F.arrayNode(), "commitment over no tensor"));
            out.add(put("commitments", c0, "name", F.stringNode(names.getFirst()), "commitment named like a tensor"));
            out.add(put("commitments", c0, "salt", F.stringNode("1"), "commitment with a salt key"));
        } else {
            ArrayNode cs = F.arrayNode();
            cs.addObject().put("name", "input_commitment").put("domain", "zkml-inputs-v1")
                    .putArray("tensors").add(root.get("inputs").get(0));
            out.add(put("commitments", List.of(), "commitments", cs, "commitments over a public input"));
        }
        out.add(put("unknown-key", List.of(), "comment", F.stringNode("ignored"), "top-level key \"comment\" (readers ignore it)"));
        out.add(put("header", List.of(), "version", F.numberNode(3), "version 3"));
        out.add(put("header", List.of(), "version", F.numberNode(version == 1 ? 2 : 1), "version " + version + " -> " + (version == 1 ? 2 : 1)));
        out.add(put("header", List.of(), "version", F.stringNode(String.valueOf(version)), "version as a string"));
        out.add(put("header", List.of(), "version", raw(version + ".0"), "version written " + version + ".0"));
        out.add(put("header", List.of(), "version", raw(version + "e0"), "version written " + version + "e0"));
        out.add(put("header", List.of(), "format", F.stringNode("zkml-ir2"), "format zkml-ir2"));
        out.add(put("header", List.of(), "field", F.stringNode("bls12-381"), "field bls12-381"));

        // top-level inputs / outputs
        for (String list : List.of("inputs", "outputs")) {
            refListMutations(out, List.of(list), names, "list-" + list);
        }

        // tensors
        ArrayNode tensors = (ArrayNode) root.get("tensors");
        for (int i = 0; i < tensors.size(); i++) {
            List<Object> tp = List.of("tensors", i);
            ObjectNode t = (ObjectNode) tensors.get(i);
            String tn = t.get("name").asString();
            String at = "tensors[" + i + "] \"" + tn + "\"";
            int idx = i;
            out.add(new Mutation("remove-tensor", "remove " + at, r -> ((ArrayNode) r.get("tensors")).remove(idx), null));
            out.add(new Mutation("duplicate-tensor", "declare " + at + " twice", r -> ((ArrayNode) r.get("tensors")).insert(idx,
                    r.get("tensors").get(idx).deepCopy()), null));
            if (i + 1 < tensors.size()) {
                out.add(new Mutation("swap-tensors", "swap tensors[" + i + "] and [" + (i + 1) + "] (order is free)",
                        r -> swap((ArrayNode) r.get("tensors"), idx, idx + 1), null));
            }
            for (String key : t.propertyNames()) {
                dropAndDuplicate(out, tp, t, key, at + ".");
            }
            out.add(put("unknown-key", tp, "weigths", F.arrayNode(), at + " gets unknown key \"weigths\""));
            if (version == 2) {
                out.add(put("unknown-key", tp, t.has("values") ? "lo" : "values", t.get(t.has("values") ? "values" : "lo"),
                        at + " gets the key of the other kind (" + (t.has("values") ? "lo" : "values") + ")"));
            }
            // name
            out.add(put("rename-tensor", tp, "name", F.stringNode(tn + "_renamed"), at + " renamed to \"" + tn + "_renamed\" (references dangle)"));
            out.add(put("rename-tensor", tp, "name", F.stringNode(tn.toUpperCase()), at + " renamed to \"" + tn.toUpperCase() + "\""));
            out.add(put("rename-tensor", tp, "name", F.stringNode("1" + tn), at + " renamed to \"1" + tn + "\""));
            for (String other : names) {
                if (!other.equals(tn)) {
                    out.add(put("rename-tensor", tp, "name", F.stringNode(other), at + " renamed to \"" + other + "\" (a duplicate)"));
                }
            }
            if (version == 2) {
                String role = t.get("role").asString();
                for (String r : ROLES) {
                    if (!r.equals(role)) {
                        out.add(put("role", tp, "role", F.stringNode(r), at + " role " + role + " -> " + r));
                    }
                }
                out.add(put("role", tp, "role", F.stringNode("weight"), at + " role " + role + " -> weight (unknown)"));
                out.add(put("role", tp, "role", F.stringNode(role.toUpperCase()), at + " role " + role + " -> " + role.toUpperCase()));
                String vis = t.get("visibility").asString();
                for (String v : VISIBILITIES) {
                    if (!v.equals(vis)) {
                        out.add(put("visibility", tp, "visibility", F.stringNode(v), at + " visibility " + vis + " -> " + v));
                    }
                }
                out.add(put("visibility", tp, "visibility", F.stringNode("secret"), at + " visibility " + vis + " -> secret"));
                ArrayNode shape = (ArrayNode) t.get("shape");
                for (int d = 0; d < shape.size(); d++) {
                    smallIntMutations(out, "shape", append(tp, "shape", d), shape.get(d).asInt(), at + ".shape[" + d + "]");
                }
                out.add(new Mutation("shape", at + ".shape gets a dimension 1 appended", r -> ((ArrayNode) get(r, append(tp, "shape"))).add(1), null));
                out.add(new Mutation("shape", at + ".shape gets a dimension 1 prepended", r -> ((ArrayNode) get(r, append(tp, "shape"))).insert(0, 1), null));
                if (shape.size() > 1) {
                    out.add(new Mutation("shape", at + ".shape loses its last dimension", r -> ((ArrayNode) get(r, append(tp, "shape"))).remove(shape.size() - 1), null));
                }
                out.add(put("shape", tp, "shape", F.arrayNode(), at + ".shape = []"));
                out.add(put("shape", tp, "shape", F.numberNode(size(t)), at + ".shape = " + size(t) + " (not an array)"));
            } else {
                smallIntMutations(out, "shape", append(tp, "size"), t.get("size").asInt(), at + ".size");
            }
            smallIntMutations(out, "scale", append(tp, "scale"), t.get("scale").asInt(), at + ".scale");
            out.add(put("scale", tp, "scale", F.numberNode(1025), at + ".scale = 1025"));
            out.add(put("scale", tp, "scale", F.numberNode(-1025), at + ".scale = -1025"));
            for (String key : BIG_ARRAYS) {
                if (t.has(key)) {
                    String kind = key.equals("values") ? "constant" : "bound";
                    bigArrayMutations(out, kind, append(tp, key), (ArrayNode) t.get(key), at + "." + key);
                }
            }
        }

        // ops
        ArrayNode ops = (ArrayNode) root.get("ops");
        for (int i = 0; i < ops.size(); i++) {
            List<Object> op = List.of("ops", i);
            ObjectNode o = (ObjectNode) ops.get(i);
            String kind = o.get("op").asString();
            String at = "ops[" + i + "] (" + kind + ")";
            int idx = i;
            out.add(new Mutation("remove-op", "remove " + at, r -> ((ArrayNode) r.get("ops")).remove(idx), null));
            out.add(new Mutation("duplicate-op", "run " + at + " twice", r -> ((ArrayNode) r.get("ops")).insert(idx, r.get("ops").get(idx).deepCopy()), null));
            for (int j = i + 1; j < ops.size(); j++) {
                int jdx = j;
                out.add(new Mutation("swap-ops", "swap ops[" + i + "] and ops[" + j + "]", r -> swap((ArrayNode) r.get("ops"), idx, jdx), null));
            }
            for (String key : o.propertyNames()) {
                dropAndDuplicate(out, op, o, key, at + ".");
            }
            out.add(put("unknown-key", op, "weigths", F.arrayNode(), at + " gets unknown key \"weigths\""));
            List<String> opNames = version == 2 ? V2_OPS : List.of("dense", "rescale", "argmax");
            for (String other : opNames) {
                if (!other.equals(kind)) {
                    out.add(put("op-kind", op, "op", F.stringNode(other), at + " op -> " + other));
                }
            }
            out.add(put("op-kind", op, "op", F.stringNode("lstm"), at + " op -> lstm (unknown)"));
            if (version == 2) {
                refListMutations(out, append(op, "inputs"), names, "op-inputs");
                refListMutations(out, append(op, "outputs"), names, "op-outputs");
                ObjectNode attrs = (ObjectNode) o.get("attributes");
                List<Object> ap = append(op, "attributes");
                out.add(put("attribute", ap, "extra", F.numberNode(0), at + ".attributes gets unknown attribute \"extra\""));
                for (String a : attrs.propertyNames()) {
                    dropAndDuplicate(out, ap, attrs, a, at + ".attributes.");
                    JsonNode v = attrs.get(a);
                    if (v.isArray()) {
                        for (int e = 0; e < v.size(); e++) {
                            smallIntMutations(out, "attribute", append(ap, a, e), v.get(e).asInt(), at + ".attributes." + a + "[" + e + "]");
                        }
                        out.add(new Mutation("attribute", at + ".attributes." + a + " loses its last entry", r -> {
                            ArrayNode arr = (ArrayNode) get(r, append(ap, a));
                            if (!arr.isEmpty()) {
                                arr.remove(arr.size() - 1);
                            }
                        }, null));
                        out.add(new Mutation("attribute", at + ".attributes." + a + " gets an entry 0 appended", r -> ((ArrayNode) get(r, append(ap, a))).add(0), null));
                        out.add(put("attribute", ap, a, F.numberNode(0), at + ".attributes." + a + " = 0 (not an array)"));
                    } else {
                        smallIntMutations(out, "attribute", append(ap, a), v.asInt(), at + ".attributes." + a);
                        out.add(put("attribute", ap, a, F.arrayNode().add(v.asInt()), at + ".attributes." + a + " = [" + v.asInt() + "] (an array)"));
                    }
                }
            } else {
                for (String key : List.of("in", "out")) {
                    String cur = o.get(key).asString();
                    for (String other : names) {
                        if (!other.equals(cur)) {
                            out.add(put("op-" + key, op, key, F.stringNode(other), at + "." + key + " \"" + cur + "\" -> \"" + other + "\""));
                        }
                    }
                    out.add(put("op-" + key, op, key, F.stringNode("nowhere"), at + "." + key + " \"" + cur + "\" -> \"nowhere\" (undeclared)"));
                }
                for (String key : List.of("shift", "weightScale")) {
                    if (o.has(key)) {
                        smallIntMutations(out, "attribute", append(op, key), o.get(key).asInt(), at + "." + key);
                    }
                }
                if (o.has("weights")) {
                    ArrayNode w = (ArrayNode) o.get("weights");
                    for (int row = 0; row < w.size(); row++) {
                        bigArrayMutations(out, "constant", append(op, "weights", row), (ArrayNode) w.get(row), at + ".weights[" + row + "]");
                    }
                    out.add(new Mutation("constant", at + ".weights loses its last row", r -> {
                        ArrayNode a = (ArrayNode) get(r, append(op, "weights"));
                        a.remove(a.size() - 1);
                    }, null));
                    out.add(new Mutation("constant", at + ".weights gets its first row twice", r -> {
                        ArrayNode a = (ArrayNode) get(r, append(op, "weights"));
                        a.add(a.get(0).deepCopy());
                    }, null));
                    bigArrayMutations(out, "constant", append(op, "bias"), (ArrayNode) o.get("bias"), at + ".bias");
                }
            }
        }
        encodingMutations(out);
        scaleRebalanceMutations(out, root, version);
        recomputedBoundsMutations(out, root);
        keyOrderAndEscapeMutations(out, root);
        out.add(put("remove-op", List.of(), "ops", F.arrayNode(), "ops = []"));
        out.add(put("remove-tensor", List.of(), "tensors", F.arrayNode(), "tensors = []"));
        return out;
    }

    /** Byte-level: a byte order mark, UTF-16/32, invalid UTF-8 in an ignored top-level key, whitespace and trailing data. */
    static void encodingMutations(List<Mutation> out) {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        out.add(new Mutation("encoding", "UTF-8 byte order mark before the document", null, null, b -> concat(bom, b)));
        for (String cs : List.of("UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32BE")) {
            out.add(new Mutation("encoding", "the document encoded in " + cs, null, null,
                    b -> new String(b, StandardCharsets.UTF_8).getBytes(java.nio.charset.Charset.forName(cs))));
        }
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("byte FF", new byte[] {(byte) 0xFF});
        bad.put("a lone continuation byte 80", new byte[] {(byte) 0x80});
        bad.put("the overlong C0 AF", new byte[] {(byte) 0xC0, (byte) 0xAF});
        bad.put("the surrogate ED A0 80", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        bad.put("F4 90 80 80 (above U+10FFFF)", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
        bad.put("the truncated E2 82", new byte[] {(byte) 0xE2, (byte) 0x82});
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            out.add(new Mutation("encoding", "invalid UTF-8 (" + e.getKey() + ") in the value of an ignored top-level key \"comment\"",
                    r -> r.put("comment", "a" + MARK + "b"), null, b -> replace(b, MARK, e.getValue())));
            out.add(new Mutation("encoding", "invalid UTF-8 (" + e.getKey() + ") in an ignored top-level key name",
                    r -> r.put("c" + MARK, "x"), null, b -> replace(b, MARK, e.getValue())));
        }
        out.add(new Mutation("encoding", "valid non-ASCII text (é € U+1F600) in an ignored top-level key", r -> r.put("comment", "é € \uD83D\uDE00"), null));
        out.add(new Mutation("encoding", "the escaped lone surrogate \\ud800 in an ignored top-level key", r -> r.set("comment", raw("\"\\ud800\"")), null));
        out.add(new Mutation("encoding", "a raw control character (TAB) inside an ignored string", r -> r.put("comment", "a" + MARK + "b"), null,
                b -> replace(b, MARK, new byte[] {9})));
        out.add(new Mutation("encoding", "leading and trailing whitespace", null, null, b -> concat(" \n\t\r".getBytes(StandardCharsets.UTF_8), b, "\n ".getBytes(StandardCharsets.UTF_8))));
        out.add(new Mutation("encoding", "trailing garbage after the document", null, null, b -> concat(b, "x".getBytes(StandardCharsets.UTF_8))));
        out.add(new Mutation("encoding", "a second JSON value after the document", null, null, b -> concat(b, "{}".getBytes(StandardCharsets.UTF_8))));
        out.add(new Mutation("encoding", "a NUL byte after the document", null, null, b -> concat(b, new byte[] {0})));
        out.add(new Mutation("encoding", "the document truncated by one byte", null, null, b -> java.util.Arrays.copyOf(b, b.length - 1)));
    }

    /**
     * Scales changed together so that every scale rule still holds: the scale of an input read by
     * the first op and the scale of the constant that compensates (weightScale, the weight, or the
     * thresholds of a split_bits, which move with x), to a value in range, and just out of range.
     */
    static void scaleRebalanceMutations(List<Mutation> out, ObjectNode root, int version) {
        JsonNode op = root.get("ops").get(0);
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < root.get("tensors").size(); i++) {
            index.put(root.get("tensors").get(i).get("name").asString(), i);
        }
        if (version == 1) {
            if (!op.get("op").asString().equals("dense")) {
                return;
            }
            int xi = index.get(op.get("in").asString());
            int oi = index.get(op.get("out").asString());
            int xs = root.get("tensors").get(xi).get("scale").asInt();
            int ws = op.get("weightScale").asInt();
            int os = root.get("tensors").get(oi).get("scale").asInt();
            for (int k : new int[] {1, -1, 1024 - xs, 1025 - xs, -1024 - xs, -1025 - xs, ws + 1025, ws - 1025}) {
                out.add(new Mutation("scale-rebalance", "v1 input scale " + xs + " -> " + (xs + k) + ", ops[0].weightScale " + ws + " -> " + (ws - k), r -> {
                    ((ObjectNode) r.get("tensors").get(xi)).put("scale", xs + k);
                    ((ObjectNode) r.get("ops").get(0)).put("weightScale", ws - k);
                }, null));
            }
            // the dense output's scale with weightScale: valid when only an argmax reads it
            for (int k : new int[] {1, 1024 - os, 1025 - os, -1025 - os}) {
                out.add(new Mutation("scale-rebalance", "v1 ops[0].weightScale " + ws + " -> " + (ws + k) + ", its output's scale " + os + " -> " + (os + k), r -> {
                    ((ObjectNode) r.get("tensors").get(oi)).put("scale", os + k);
                    ((ObjectNode) r.get("ops").get(0)).put("weightScale", ws + k);
                }, null));
            }
            return;
        }
        String kind = op.get("op").asString();
        if (!kind.equals("dense") && !kind.equals("split_bits")) {
            return;
        }
        int xi = index.get(op.get("inputs").get(0).asString());
        int ci = index.get(op.get("inputs").get(1).asString());
        int xs = root.get("tensors").get(xi).get("scale").asInt();
        int cs = root.get("tensors").get(ci).get("scale").asInt();
        int sign = kind.equals("dense") ? -1 : 1;
        for (int k : new int[] {1, -1, 1024 - xs, 1025 - xs, -1025 - xs}) {
            out.add(new Mutation("scale-rebalance", "ops[0] (" + kind + ") x scale " + xs + " -> " + (xs + k) + ", its constant's scale " + cs + " -> " + (cs + sign * k), r -> {
                ((ObjectNode) r.get("tensors").get(xi)).put("scale", xs + k);
                ((ObjectNode) r.get("tensors").get(ci)).put("scale", cs + sign * k);
            }, null));
        }
    }

    /**
     * An input bound or a constant value changed, and the declared bounds of every op-written tensor
     * rewritten to the interval analysis of the changed graph (so the document stays valid unless
     * the change breaks an op rule or the 2^248 limit). The analysis is the Java one; the Go reader
     * recomputes it independently.
     */
    static void recomputedBoundsMutations(List<Mutation> out, ObjectNode root) {
        CircuitIr ir;
        try {
            ir = IrReader.read(serialize(root, null, null, null));
        } catch (IrValidationException e) {
            throw new IllegalStateException(e);
        }
        List<IrTensor> tensors = ir.tensors();
        for (int i = 0; i < tensors.size(); i++) {
            IrTensor t = tensors.get(i);
            if (!t.isConstant() && !ir.inputs().contains(t.name())) {
                continue;
            }
            if (t.isConstant() && ir.version() == 1) {
                continue; // v1 constants are inline in the ops
            }
            int ti = i;
            for (int e = 0; e < t.size(); e++) {
                int ei = e;
                List<BigInteger> deltas = List.of(BigInteger.ONE, BigInteger.ONE.negate(), BigInteger.valueOf(7),
                        BigInteger.ONE.shiftLeft(200), BigInteger.ONE.shiftLeft(247));
                for (BigInteger d : deltas) {
                    for (String which : t.isConstant() ? List.of("values") : List.of("lo", "hi")) {
                        BigInteger old = (which.equals("hi") ? t.hi() : t.lo()).get(e);
                        BigInteger nv = which.equals("lo") ? old.subtract(d) : old.add(d);
                        if (d.signum() < 0 && !which.equals("values")) {
                            nv = which.equals("lo") ? old.add(BigInteger.ONE) : old.subtract(BigInteger.ONE); // narrow the range
                        }
                        BigInteger value = nv;
                        out.add(new Mutation("recomputed-bounds", t.name() + "." + which + "[" + e + "] " + abbreviate(old.toString()) + " -> "
                                + abbreviate(value.toString()) + ", op-written bounds recomputed", r -> {
                            List<BigInteger> lo = new ArrayList<>(tensors.get(ti).lo());
                            List<BigInteger> hi = new ArrayList<>(tensors.get(ti).hi());
                            if (!which.equals("hi")) {
                                lo.set(ei, value);
                            }
                            if (!which.equals("lo")) {
                                hi.set(ei, value);
                            }
                            IrTensor changed = tensors.get(ti);
                            changed = changed.isConstant() ? IrTensor.constant(changed.name(), changed.shape(), changed.scale(), lo)
                                    : IrTensor.input(changed.name(), changed.shape(), changed.scale(), lo, hi);
                            List<IrTensor> ts = new ArrayList<>(tensors);
                            ts.set(ti, changed);
                            ArrayNode jt = (ArrayNode) r.get("tensors");
                            ObjectNode tj = (ObjectNode) jt.get(ti);
                            String[] keys = changed.isConstant() ? new String[] {"values"} : new String[] {"lo", "hi"};
                            for (String key : keys) {
                                ArrayNode a = F.arrayNode();
                                for (BigInteger v : key.equals("hi") ? changed.hi() : changed.lo()) {
                                    a.add(v.toString());
                                }
                                tj.set(key, a);
                            }
                            Map<String, IntervalAnalysis.Bounds> bounds;
                            try {
                                bounds = IntervalAnalysis.analyse(new CircuitIr(ir.format(), ir.version(), ir.field(), ir.name(), ir.task(),
                                        ir.producer(), ir.source(), ir.quantization(), ir.features(), ir.labels(), ts, ir.inputs(), ir.ops(),
                                        ir.outputs()));
                            } catch (IrValidationException | RuntimeException ex) {
                                return; // an op rule is broken now: keep the declared bounds, both readers must reject
                            }
                            for (JsonNode tn : jt) {
                                IntervalAnalysis.Bounds b = bounds.get(tn.get("name").asString());
                                if (b != null && !ir.inputs().contains(tn.get("name").asString())) {
                                    ArrayNode lo2 = F.arrayNode();
                                    ArrayNode hi2 = F.arrayNode();
                                    b.lo().forEach(v -> lo2.add(v.toString()));
                                    b.hi().forEach(v -> hi2.add(v.toString()));
                                    ((ObjectNode) tn).set("lo", lo2);
                                    ((ObjectNode) tn).set("hi", hi2);
                                }
                            }
                        }, null));
                    }
                }
            }
        }
    }

    /** Changes that keep the document's meaning: keys in reverse order, a tensor name or op name written with \\u escapes. */
    static void keyOrderAndEscapeMutations(List<Mutation> out, ObjectNode root) {
        out.add(new Mutation("same-meaning", "top-level keys in reverse order", r -> reverseKeys(r), null));
        for (int i = 0; i < root.get("tensors").size(); i++) {
            int idx = i;
            String name = root.get("tensors").get(i).get("name").asString();
            out.add(new Mutation("same-meaning", "tensors[" + i + "] keys in reverse order", r -> reverseKeys((ObjectNode) r.get("tensors").get(idx)), null));
            out.add(new Mutation("same-meaning", "tensors[" + i + "].name \"" + name + "\" written with \\u escapes", r ->
                    ((ObjectNode) r.get("tensors").get(idx)).set("name", raw(escaped(name))), null));
        }
        for (int i = 0; i < root.get("ops").size(); i++) {
            int idx = i;
            String op = root.get("ops").get(i).get("op").asString();
            out.add(new Mutation("same-meaning", "ops[" + i + "] keys in reverse order", r -> reverseKeys((ObjectNode) r.get("ops").get(idx)), null));
            out.add(new Mutation("same-meaning", "ops[" + i + "].op \"" + op + "\" written with \\u escapes", r ->
                    ((ObjectNode) r.get("ops").get(idx)).set("op", raw(escaped(op))), null));
        }
    }

    static void reverseKeys(ObjectNode o) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(o.properties());
        o.removeAll();
        for (int i = entries.size() - 1; i >= 0; i--) {
            o.set(entries.get(i).getKey(), entries.get(i).getValue());
        }
    }

    static String escaped(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            sb.append(String.format("\\u%04x", (int) c));
        }
        return sb.append('"').toString();
    }

    static final String MARK = "@@MARK@@";

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] replace(byte[] b, String mark, byte[] with) {
        byte[] m = mark.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < b.length; i++) {
            if (i + m.length <= b.length && java.util.Arrays.equals(b, i, i + m.length, m, 0, m.length)) {
                o.writeBytes(with);
                i += m.length - 1;
            } else {
                o.write(b[i]);
            }
        }
        return o.toByteArray();
    }

    static void refListMutations(List<Mutation> out, List<Object> path, List<String> names, String kind) {
        // called on the base document: read the list from the path as it is there
        out.add(new Mutation(kind, pathText(path) + " = []", r -> set(r, path, F.arrayNode()), null));
        out.add(new Mutation(kind, pathText(path) + " gets \"nowhere\" (undeclared) appended", r -> ((ArrayNode) get(r, path)).add("nowhere"), null));
        out.add(new Mutation(kind, pathText(path) + " gets its first entry twice", r -> {
            ArrayNode a = (ArrayNode) get(r, path);
            if (!a.isEmpty()) {
                a.add(a.get(0).deepCopy());
            }
        }, null));
        out.add(new Mutation(kind, pathText(path) + " loses its last entry", r -> {
            ArrayNode a = (ArrayNode) get(r, path);
            if (!a.isEmpty()) {
                a.remove(a.size() - 1);
            }
        }, null));
        out.add(new Mutation(kind, pathText(path) + " reversed", r -> {
            ArrayNode a = (ArrayNode) get(r, path);
            for (int i = 0, j = a.size() - 1; i < j; i++, j--) {
                swap(a, i, j);
            }
        }, null));
        out.add(new Mutation(kind, pathText(path) + "[0] as a JSON number", r -> {
            ArrayNode a = (ArrayNode) get(r, path);
            if (!a.isEmpty()) {
                a.set(0, F.numberNode(0));
            }
        }, null));
        for (String other : names) {
            out.add(new Mutation(kind, pathText(path) + "[0] -> \"" + other + "\"", r -> {
                ArrayNode a = (ArrayNode) get(r, path);
                if (!a.isEmpty()) {
                    a.set(0, F.stringNode(other));
                }
            }, null));
            out.add(new Mutation(kind, pathText(path) + " gets \"" + other + "\" appended", r -> ((ArrayNode) get(r, path)).add(other), null));
        }
    }

    /** A small JSON integer (shape dimension, scale, size, attribute entry): ±1, 0, negative, out of range, other JSON types. */
    static void smallIntMutations(List<Mutation> out, String kind, List<Object> path, int v, String at) {
        for (long nv : new long[] {v + 1L, v - 1L, 0, -1, -v - 1L, 999_999_999L, 1_000_000_000L, -1_000_000_000L, 2_147_483_648L}) {
            if (nv != v) {
                out.add(new Mutation(kind, at + " " + v + " -> " + nv, r -> set(r, path, F.numberNode(nv)), null));
            }
        }
        out.add(new Mutation(kind + "-type", at + " " + v + " as the string \"" + v + "\"", r -> set(r, path, F.stringNode(String.valueOf(v))), null));
        for (String text : List.of(v + ".0", v + "e0", v + "E+0", "-0")) {
            out.add(new Mutation(kind + "-type", at + " " + v + " written " + text, r -> set(r, path, raw(text)), null));
        }
        out.add(new Mutation(kind + "-type", at + " " + v + " as null", r -> set(r, path, F.nullNode()), null));
        out.add(new Mutation(kind + "-type", at + " " + v + " as true", r -> set(r, path, F.booleanNode(true)), null));
    }

    /** Big integers (bounds, constant values, v1 weights and bias). */
    static void bigArrayMutations(List<Mutation> out, String kind, List<Object> path, ArrayNode a, String at) {
        for (int e = 0; e < a.size(); e++) {
            List<Object> p = append(path, e);
            BigInteger v = new BigInteger(a.get(e).asString());
            String here = at + "[" + e + "] " + v;
            for (BigInteger nv : List.of(v.add(BigInteger.ONE), v.subtract(BigInteger.ONE), v.negate(), BigInteger.ZERO,
                    LIMIT.subtract(BigInteger.ONE), LIMIT, LIMIT.negate(), LIMIT.negate().add(BigInteger.ONE))) {
                if (!nv.equals(v)) {
                    out.add(new Mutation(kind, here + " -> " + abbreviate(nv.toString()), r -> set(r, p, F.stringNode(nv.toString())), null));
                }
            }
            out.add(new Mutation("integer-as-number", here + " as a JSON number", r -> set(r, p, F.numberNode(v)), null));
            String s = v.toString();
            for (String bad : List.of("0" + s, "+" + s, " " + s, s + ".0", s + "e0", v.signum() == 0 ? "-0" : (v.signum() < 0 ? "-0" + s.substring(1) : s + " "), "0x" + v.toString(16))) {
                out.add(new Mutation("integer-form", here + " written \"" + bad + "\"", r -> set(r, p, F.stringNode(bad)), null));
            }
        }
        out.add(new Mutation(kind + "-length", at + " loses its last entry", r -> {
            ArrayNode x = (ArrayNode) get(r, path);
            x.remove(x.size() - 1);
        }, null));
        out.add(new Mutation(kind + "-length", at + " gets its first entry twice", r -> {
            ArrayNode x = (ArrayNode) get(r, path);
            x.add(x.get(0).deepCopy());
        }, null));
    }

    /** The key {@code key} of {@code obj} (at {@code parent}) dropped, and written twice with the same value; {@code at} prefixes the key in the description. */
    static void dropAndDuplicate(List<Mutation> out, List<Object> parent, ObjectNode obj, String key, String at) {
        out.add(drop("drop-key", parent, key));
        out.add(new Mutation("duplicate-key", at + key + " written twice (same value)", null, new Dup(parent, key, obj.get(key))));
    }

    static Mutation drop(String kind, List<Object> parent, String key) {
        return new Mutation(kind, "drop " + pathText(append(parent, key)), r -> ((ObjectNode) get(r, parent)).remove(key), null);
    }

    static Mutation put(String kind, List<Object> parent, String key, JsonNode value, String what) {
        return new Mutation(kind, what, r -> ((ObjectNode) get(r, parent)).set(key, value.deepCopy()), null);
    }

    // ---- metadata repair (Java-only checks) ----

    /**
     * The document with {@code features} one per input element and {@code labels}/{@code task}
     * consistent with the outputs: version 2 becomes a regression with one label per output element;
     * version 1 is a classification exactly when an argmax writes its output (hi + 1 labels).
     * Only called when the Java reader got as far as those checks.
     */
    static byte[] repairMetadata(byte[] bytes) {
        ObjectNode r;
        try {
            r = (ObjectNode) JSON.readTree(bytes);
        } catch (RuntimeException e) {
            return bytes;
        }
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode t : r.get("tensors")) {
            byName.putIfAbsent(t.get("name").asString(), t);
        }
        ArrayNode features = F.arrayNode();
        for (JsonNode n : r.get("inputs")) {
            for (int i = 0; i < size(byName.get(n.asString())); i++) {
                features.add("f" + features.size());
            }
        }
        r.set("features", features);
        ArrayNode labels = F.arrayNode();
        String out0 = r.get("outputs").get(0).asString();
        boolean v1Classification = false;
        if (r.get("version").asInt() == 1) {
            for (JsonNode o : r.get("ops")) {
                v1Classification |= o.get("op").asString().equals("argmax") && o.get("out").asString().equals(out0);
            }
        }
        if (v1Classification) {
            r.put("task", "classification");
            int hi = Integer.parseInt(byName.get(out0).get("hi").get(0).asString());
            for (int i = 0; i <= hi; i++) {
                labels.add("c" + i);
            }
        } else {
            r.put("task", "regression");
            for (JsonNode n : r.get("outputs")) {
                for (int i = 0; i < size(byName.get(n.asString())); i++) {
                    labels.add("y" + labels.size());
                }
            }
        }
        r.set("labels", labels);
        return serialize(r, null, null, null);
    }

    static int size(JsonNode t) {
        if (t.has("size")) {
            return t.get("size").asInt();
        }
        int n = 1;
        for (JsonNode d : t.get("shape")) {
            n *= d.asInt();
        }
        return n;
    }

    // ---- JSON helpers ----

    /** Marks a string node whose text {@link #serialize} writes as it is (a JSON number such as 4.0 or 4e0). */
    private static final String RAW = "\u0000raw:";

    static JsonNode raw(String text) {
        return F.stringNode(RAW + text);
    }

    static List<Object> append(List<Object> path, Object... more) {
        List<Object> p = new ArrayList<>(path);
        Collections.addAll(p, more);
        return List.copyOf(p);
    }

    static JsonNode get(JsonNode root, List<Object> path) {
        JsonNode n = root;
        for (Object step : path) {
            n = step instanceof Integer i ? n.get(i) : n.get((String) step);
        }
        return n;
    }

    static void set(JsonNode root, List<Object> path, JsonNode value) {
        JsonNode parent = get(root, path.subList(0, path.size() - 1));
        Object last = path.getLast();
        if (last instanceof Integer i) {
            ((ArrayNode) parent).set(i, value);
        } else {
            ((ObjectNode) parent).set((String) last, value);
        }
    }

    static void swap(ArrayNode a, int i, int j) {
        JsonNode x = a.get(i);
        a.set(i, a.get(j));
        a.set(j, x);
    }

    static String pathText(List<Object> path) {
        StringBuilder sb = new StringBuilder();
        for (Object step : path) {
            if (step instanceof Integer i) {
                sb.append('[').append(i).append(']');
            } else {
                sb.append(sb.isEmpty() ? "" : ".").append(step);
            }
        }
        return sb.isEmpty() ? "(document)" : sb.toString();
    }

    static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 10) + "…" + s.substring(s.length() - 10);
    }

    /** Compact JSON; the object {@code dupIn} (by identity) gets its key {@code dupKey} a second time, with {@code dupValue}. */
    static byte[] serialize(JsonNode root, ObjectNode dupIn, String dupKey, JsonNode dupValue) {
        StringBuilder sb = new StringBuilder();
        write(root, sb, dupIn, dupKey, dupValue);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(JsonNode n, StringBuilder sb, ObjectNode dupIn, String dupKey, JsonNode dupValue) {
        if (n.isObject()) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                first = member(sb, first, e.getKey(), e.getValue(), dupIn, dupKey, dupValue);
                if (n == dupIn && e.getKey().equals(dupKey)) {
                    first = member(sb, first, dupKey, dupValue, dupIn, dupKey, dupValue);
                }
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(n.get(i), sb, dupIn, dupKey, dupValue);
            }
            sb.append(']');
        } else if (n.isString() && n.asString().startsWith(RAW)) {
            sb.append(n.asString().substring(RAW.length()));
        } else {
            sb.append(JSON.writeValueAsString(n));
        }
    }

    private static boolean member(StringBuilder sb, boolean first, String key, JsonNode value, ObjectNode dupIn, String dupKey, JsonNode dupValue) {
        if (!first) {
            sb.append(',');
        }
        sb.append(JSON.writeValueAsString(F.stringNode(key))).append(':');
        write(value, sb, dupIn, dupKey, dupValue);
        return false;
    }
}
