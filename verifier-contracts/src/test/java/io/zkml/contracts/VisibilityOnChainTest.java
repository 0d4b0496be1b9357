package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.zkml.compiler.BatchCircuit;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.InputValidationException;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.ReferenceEvaluator;
import io.zkml.compiler.ir.Visibility;
import io.zkml.compiler.tribuo.TribuoModelReader;
import io.zkml.prover.Bn254;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.VerifyingKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Proofs of every input visibility (issue 8) on a real chain: public, private, hashed (Poseidon2
 * commitment, docs/commitments.md) and mixed (one public and one hashed input tensor), for golden
 * IR, the credit-risk demo through the Tribuo import and the compiler, and a 784-input linear
 * classifier. Each proof verifies with gnark's Solidity verifier on anvil and off chain; a changed
 * commitment, a changed output and (mixed) a changed public input value are rejected. Prints the
 * verification gas (transaction, calldata included) and the verifier size per visibility, and checks
 * the bar: with hashed inputs every single inference verifies for at most 250k gas with a
 * verifier under the 24 KB limit. A batch of 16 credit-risk inferences in one proof (one commitment,
 * 16 public labels) verifies too; its gas grows with the outputs, so the bar is not asserted for it.
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VisibilityOnChainTest {

    /** The bar for hashed inputs: gas of the verifying transaction, calldata included. */
    static final long GAS_BAR = 250_000;
    static final int WIDE = 784;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path REPO = Path.of(System.getProperty("zkml.repo.dir", "..")).toAbsolutePath().normalize();
    private static final Path GOLDEN = REPO.resolve("testdata/golden/ir-v2");
    private static final BigInteger SALT = new BigInteger(
            "9487031582318541238958376041389045823571639827591037419237490123748912374891");

    @TempDir
    Path keys;

    private Groth16Prover prover;
    private SolidityCompiler solc;
    private AnvilNode node;
    private final Map<String, Deployed> deployed = new HashMap<>();

    /** A circuit (by name): its IR, one input (every input tensor, flat, in input order) and a salt. */
    private record Source(byte[] irJson, CircuitIr ir, List<BigInteger> input, BigInteger salt) {

        static Source of(CompiledCircuit c, List<BigInteger> input, BigInteger salt) {
            return new Source(c.irJson(), c.ir(), input, salt);
        }

        List<BigInteger> output() {
            try {
                return ReferenceEvaluator.evaluate(ir, input);
            } catch (InputValidationException e) {
                throw new IllegalStateException(e);
            }
        }

        List<BigInteger> salts(BigInteger s) {
            return ir.commitments().isEmpty() ? List.of() : List.of(s);
        }
    }

    private record Deployed(String name, String visibility, VerifyingKey vk, Proof proof, List<BigInteger> publicInputs,
                            int publicValues, int commitments, CompiledContract contract, VerifierContract verifier,
                            int constraints) {
    }

    static Stream<Arguments> circuits() {
        return Stream.of(Arguments.of("golden-3x4:public"), Arguments.of("golden-3x4:private"),
                Arguments.of("golden-3x4-hashed"), Arguments.of("golden-multi-io-hashed"),
                Arguments.of("credit-risk:public"), Arguments.of("credit-risk:private"), Arguments.of("credit-risk:hashed"),
                Arguments.of("wide-784:hashed"), Arguments.of("credit-risk-batch-16:hashed"));
    }

    @BeforeAll
    void start() {
        prover = Groth16Prover.load();
        solc = SolidityCompiler.locate();
        node = AnvilNode.start(solc.toolchain());
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
        deployed.values().forEach(d -> d.vk().close());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void theProofVerifiesOnChainAndOffChain(String name) {
        Deployed d = deployed(name);
        byte[] calldata = VerifierContract.verifyProofCalldata(d.proof().solidityProof(), d.publicInputs());
        assertThat("0x" + HexFormat.of().formatHex(calldata)).isEqualTo(d.proof().calldataHex());
        VerifierContract.CallOutcome onChain = d.verifier().call(calldata);
        assertThat(onChain.success()).as("on chain: %s", onChain.revertReason()).isTrue();
        assertThat(offChain(d, d.publicInputs())).isTrue();
        VerifierContract.TransactionOutcome tx = d.verifier().transact(calldata);
        assertThat(tx.success()).isTrue();
        System.out.printf("[evm-visibility] %-24s visibility=%-7s constraints=%d publicInputs=%d commitments=%d "
                        + "deployedSize=%d B verifyGasUsed=%d%n", d.name(), d.visibility(), d.constraints(),
                d.publicInputs().size(), d.commitments(), d.contract().deployedSize(), tx.gasUsed());
        assertThat(d.contract().deployedSize()).isLessThan(CompiledContract.MAX_DEPLOYED_SIZE);
        if (d.visibility().equals("hashed") && !name.contains("batch")) {
            assertThat(tx.gasUsed()).as("%s: gas of the verifying transaction (issue 8's bar)", name).isLessThanOrEqualTo(GAS_BAR);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void aChangedOutputIsRejected(String name) {
        Deployed d = deployed(name);
        assertRejected(d, d.publicInputs().size() - 1, "the last output");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void aChangedCommitmentIsRejected(String name) {
        Deployed d = deployed(name);
        if (d.commitments() == 0) {
            assertThat(d.visibility()).isIn("public", "private");
            return;
        }
        int at = d.publicValues(); // the commitment follows the public input values
        assertThat(d.publicInputs().get(at).toString()).isEqualTo(d.proof().commitments().getFirst());
        assertRejected(d, at, "the commitment");
        // The commitment of the same input under another salt: a real commitment, not this proof's.
        Source s = source(name);
        BigInteger other = ReferenceEvaluator.commitments(s.ir(), s.input(), s.salts(s.salt().add(BigInteger.ONE).mod(Bn254.R)))
                .getFirst();
        List<BigInteger> changed = new ArrayList<>(d.publicInputs());
        changed.set(at, other);
        assertThat(d.verifier().verify(d.proof().solidityProof(), changed)).as("another salt's commitment").isFalse();
        assertThat(offChain(d, changed)).isFalse();
    }

    @Test
    void aChangedPublicInputValueOfAMixedCircuitIsRejected() {
        Deployed d = deployed("golden-multi-io-hashed");
        assertThat(d.publicValues()).isPositive();
        assertRejected(d, 0, "the first public input value");
    }

    @Test
    void privateAndHashedInputsLeaveNoInputValueInThePublicInputs() {
        for (String name : List.of("golden-3x4:private", "credit-risk:private")) {
            Deployed d = deployed(name);
            assertThat(d.publicValues()).isZero();
            assertThat(d.commitments()).isZero();
            assertThat(d.publicInputs()).hasSize(source(name).output().size());
        }
        for (String name : List.of("golden-3x4-hashed", "credit-risk:hashed", "wide-784:hashed")) {
            Deployed d = deployed(name);
            assertThat(d.publicValues()).isZero();
            assertThat(d.commitments()).isEqualTo(1);
            assertThat(d.publicInputs()).hasSize(1 + source(name).output().size());
        }
    }

    private void assertRejected(Deployed d, int at, String what) {
        List<BigInteger> changed = new ArrayList<>(d.publicInputs());
        changed.set(at, changed.get(at).add(BigInteger.ONE).mod(Bn254.R));
        VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.verifyProofCalldata(d.proof().solidityProof(), changed));
        assertThat(out.success()).as("%s: on chain, %s changed", d.name(), what).isFalse();
        assertThat(out.revertReason()).isEqualTo("ProofInvalid()");
        assertThat(offChain(d, changed)).as("%s: off chain, %s changed", d.name(), what).isFalse();
    }

    private boolean offChain(Deployed d, List<BigInteger> publicInputs) {
        try {
            return prover.verify(d.vk(), d.proof().solidityProof(), publicInputs);
        } catch (NativeProverException e) {
            assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(ErrorCode.MALFORMED_PROOF);
            return false;
        }
    }

    private Deployed deployed(String name) {
        return deployed.computeIfAbsent(name, this::deploy);
    }

    private final Map<String, Source> sources = new HashMap<>();

    private Source source(String name) {
        return sources.computeIfAbsent(name, VisibilityOnChainTest::load);
    }

    private static Source load(String name) {
        try {
            String base = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
            Visibility v = name.contains(":") ? Visibility.fromIrName(name.substring(name.indexOf(':') + 1)).orElseThrow() : null;
            return switch (base) {
                case "golden-3x4", "golden-3x4-hashed", "golden-multi-io-hashed" -> {
                    String file = switch (base) {
                        case "golden-3x4" -> "linear-classifier-3x4";
                        case "golden-3x4-hashed" -> "linear-classifier-3x4-hashed";
                        default -> "multi-io-hashed";
                    };
                    byte[] ir = Files.readAllBytes(GOLDEN.resolve(file + ".ir.json"));
                    if (v != null) {
                        ir = CompiledCircuit.fromIr(ir).withInputVisibility(v).irJson();
                    }
                    JsonNode cs = JSON.readTree(GOLDEN.resolve(file + ".cases.json").toFile()).get("cases").get(1);
                    BigInteger salt = cs.has("salt") ? new BigInteger(cs.get("salt").asString()) : SALT;
                    yield new Source(ir, IrReader.read(ir), integers(cs.get("input")), salt);
                }
                case "credit-risk" -> {
                    Path dir = REPO.resolve("examples/credit-risk");
                    byte[] model = Files.readAllBytes(dir.resolve("model.tribuo"));
                    QuantizationSettings settings = JSON.readValue(dir.resolve("quantization.json").toFile(), QuantizationSettings.class);
                    CompiledCircuit c = CircuitCompiler.compile(TribuoModelReader.read(model), "credit-risk", sha256(model), settings)
                            .withInputVisibility(v);
                    double[] real = JSON.readValue(dir.resolve("input.json").toFile(), GnarkVerifierOnChainTest.DemoInput.class).input();
                    yield Source.of(c, c.quantizeInput(real), SALT);
                }
                case "credit-risk-batch-16" -> {
                    // 16 inferences in one proof (BatchCircuit): one commitment to all rows, 16 labels
                    Path dir = REPO.resolve("examples/credit-risk");
                    CompiledCircuit c = CompiledCircuit.fromIr(Files.readAllBytes(dir.resolve("circuit.ir.json")))
                            .withInputVisibility(v);
                    BatchCircuit b = BatchCircuit.of(c, 16);
                    List<double[]> rows = new ArrayList<>();
                    for (int k = 0; k < 12; k++) { // 12 rows, padded to 16
                        rows.add(new double[]{2.0 + k, 0.05 * k, 40.0 + 10 * k, k % 4, 5.0 + 3 * k});
                    }
                    yield new Source(b.irJson(), b.ir(), b.quantizeRows(rows), SALT);
                }
                case "wide-784" -> {
                    CompiledCircuit c = CompiledCircuit.fromIr(wideLinearClassifier(WIDE)).withInputVisibility(v);
                    List<BigInteger> x = new ArrayList<>();
                    for (int i = 0; i < WIDE; i++) {
                        x.add(BigInteger.valueOf((i * 37L) % 256 - 128));
                    }
                    yield Source.of(c, x, SALT);
                }
                default -> throw new IllegalArgumentException(name);
            };
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the files of " + name + ": " + e.getMessage(), e);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    private Deployed deploy(String name) {
        Source s = source(name);
        CircuitIr c = s.ir();
        List<Visibility> kinds = c.inputTensors().stream().map(t -> t.visibility()).distinct().toList();
        String visibility = kinds.size() == 1 ? kinds.getFirst().irName() : "mixed";
        boolean hashed = !c.commitments().isEmpty();
        try (ConstraintSystem cs = prover.compile(s.irJson())) {
            String file = name.replace(':', '-');
            prover.setup(cs, keys.resolve(file + ".pk"), keys.resolve(file + ".vk"));
            Proof proof;
            try (ProvingKey pk = prover.loadProvingKey(keys.resolve(file + ".pk"))) {
                proof = hashed ? prover.prove(cs, pk, s.input(), s.salt()) : prover.prove(cs, pk, s.input());
            }
            List<BigInteger> expectedOutput = s.output();
            assertThat(proof.outputs()).isEqualTo(expectedOutput);
            List<BigInteger> publicInputs = proof.publicInputs().stream().map(BigInteger::new).toList();
            assertThat(publicInputs).as("%s: public inputs = public values, commitments, outputs (the Java reference)", name)
                    .isEqualTo(ReferenceEvaluator.publicInputs(c, s.input(), expectedOutput, s.salts(s.salt())));
            int commitments = proof.commitments().size();
            assertThat(commitments).isEqualTo(c.commitments().size());
            int publicValues = publicInputs.size() - commitments - expectedOutput.size();
            VerifyingKey vk = prover.loadVerifyingKey(keys.resolve(file + ".vk"));
            CompiledContract contract = solc.compile("Verifier.sol", prover.exportSolidity(vk), VerifierContract.GNARK_CONTRACT_NAME);
            VerifierContract verifier = VerifierContract.deploy(node, contract);
            return new Deployed(name, visibility, vk, proof, publicInputs, publicValues, commitments, contract, verifier,
                    cs.constraints());
        }
    }

    /**
     * A linear classifier of {@code n} signed-byte inputs (scale 0) and 3 labels, written as IR v2:
     * dense (weights in [-3, 3], exact bounds as docs/ir-format.md defines them) then argmax. The shape
     * of an MNIST-sized model's first layer, small enough for a test.
     */
    static byte[] wideLinearClassifier(int n) {
        int labels = 3;
        ObjectNode ir = JSON.createObjectNode();
        ir.put("format", "zkml-ir").put("version", 2).put("field", "bn254").put("name", "wide-linear-" + n)
                .put("task", "classification");
        ir.putObject("producer").put("name", "VisibilityOnChainTest").put("version", "1");
        ArrayNode features = ir.putArray("features");
        for (int i = 0; i < n; i++) {
            features.add("f" + i);
        }
        ir.putArray("labels").add("a").add("b").add("c");
        ArrayNode tensors = ir.putArray("tensors");
        ObjectNode x = tensors.addObject().put("name", "x").put("role", "input").put("visibility", "public");
        x.putArray("shape").add(n);
        x.put("scale", 0);
        ArrayNode xlo = x.putArray("lo");
        ArrayNode xhi = x.putArray("hi");
        for (int i = 0; i < n; i++) {
            xlo.add("-128");
            xhi.add("127");
        }
        ObjectNode w = tensors.addObject().put("name", "w").put("role", "constant").put("visibility", "fixed");
        w.putArray("shape").add(labels).add(n);
        w.put("scale", 0);
        ArrayNode wv = w.putArray("values");
        long[] lo = new long[labels];
        long[] hi = new long[labels];
        for (int j = 0; j < labels; j++) {
            for (int i = 0; i < n; i++) {
                long v = (i * 7L + j * 13L) % 7 - 3;
                wv.add(Long.toString(v));
                lo[j] += Math.min(v * -128, v * 127);
                hi[j] += Math.max(v * -128, v * 127);
            }
        }
        ObjectNode b = tensors.addObject().put("name", "b").put("role", "constant").put("visibility", "fixed");
        b.putArray("shape").add(labels);
        b.put("scale", 0);
        ArrayNode bv = b.putArray("values");
        for (int j = 0; j < labels; j++) {
            bv.add(Integer.toString(j));
            lo[j] += j;
            hi[j] += j;
        }
        ObjectNode acc = tensors.addObject().put("name", "acc").put("role", "intermediate").put("visibility", "private");
        acc.putArray("shape").add(labels);
        acc.put("scale", 0);
        ArrayNode alo = acc.putArray("lo");
        ArrayNode ahi = acc.putArray("hi");
        for (int j = 0; j < labels; j++) {
            alo.add(Long.toString(lo[j]));
            ahi.add(Long.toString(hi[j]));
        }
        ObjectNode label = tensors.addObject().put("name", "label").put("role", "output").put("visibility", "public");
        label.putArray("shape").add(1);
        label.put("scale", 0);
        label.putArray("lo").add("0");
        label.putArray("hi").add(Integer.toString(labels - 1));
        ir.putArray("inputs").add("x");
        ArrayNode ops = ir.putArray("ops");
        ObjectNode dense = ops.addObject().put("op", "dense");
        dense.putArray("inputs").add("x").add("w").add("b");
        dense.putArray("outputs").add("acc");
        dense.putObject("attributes");
        ObjectNode argmax = ops.addObject().put("op", "argmax");
        argmax.putArray("inputs").add("acc");
        argmax.putArray("outputs").add("label");
        argmax.putObject("attributes");
        ir.putArray("outputs").add("label");
        return JSON.writeValueAsBytes(ir);
    }

    private static List<BigInteger> integers(JsonNode array) {
        List<BigInteger> out = new ArrayList<>();
        array.forEach(v -> out.add(new BigInteger(v.asString())));
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
