package io.zkml.conformance;

import io.zkml.compiler.commit.Commitments;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ReferenceEvaluator;
import io.zkml.compiler.ir.ops.SplitBitsOp;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.VerifyingKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bit-exact agreement: for every golden IR file (testdata/golden/ir-v1, lifted, and ir-v2) and
 * every demo model's IR (version 2), the Java reference
 * evaluator and the gnark circuit (through JNI) produce the same integers on the corner inputs and
 * on 100 seeded random inputs, and the circuit's proof of that output verifies.
 *
 * <p>A proof can only be produced when the circuit's constraints hold with the public outputs the
 * prover claims, so "prove succeeded and its outputs equal Java's" means the circuit computes
 * Java's result; the verification step checks the proof binds exactly those public inputs.
 *
 * <p>The system property {@code zkml.conformance.golden} restricts the golden folders (comma
 * separated, default {@code ir-v1,ir-v2}); {@code zkml.conformance.demos=false} leaves the demos
 * out. A Go library that reads version 1 only passes with {@code -Dzkml.conformance.golden=ir-v1
 * -Dzkml.conformance.demos=false}.
 */
class ReferenceMatchesCircuitTest {

    static final int RANDOM_INPUTS = 100;
    static final long SEED = 20261124L;
    /** Salts for the proofs of hashed-input documents: a seeded generator, so a failure repeats. */
    static final SecureRandom SALTS = seededSalts();

    static SecureRandom seededSalts() {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(SEED);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Groth16Prover prover;
    @TempDir
    static Path keys;

    @BeforeAll
    static void loadProver() {
        prover = Groth16Prover.load();
    }

    static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("testdata/golden/ir-v1"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("run from inside the repository: testdata/golden/ir-v1 not found");
        }
        return p;
    }

    /**
     * Every golden {@code *.ir.json} and the {@code circuit.ir.json} of every demo folder. Neither
     * list may be empty, and a demo folder without its IR is an error, not a circuit left out.
     */
    static List<Path> irFiles() throws IOException {
        Path root = repositoryRoot();
        List<Path> files = new ArrayList<>();
        for (String folder : System.getProperty("zkml.conformance.golden", "ir-v1,ir-v2").split(",")) {
            if (folder.isBlank()) {
                continue;
            }
            List<Path> golden;
            try (Stream<Path> s = Files.list(root.resolve("testdata/golden").resolve(folder.strip()))) {
                golden = s.filter(f -> f.getFileName().toString().endsWith(".ir.json")).sorted().toList();
            }
            assertThat(golden).as("golden IR files in testdata/golden/" + folder).isNotEmpty();
            files.addAll(golden);
        }
        if (Boolean.parseBoolean(System.getProperty("zkml.conformance.demos", "true"))) {
            List<Path> demos;
            try (Stream<Path> s = Files.list(root.resolve("examples"))) {
                demos = s.filter(Files::isDirectory).sorted().map(d -> d.resolve("circuit.ir.json")).toList();
            }
            assertThat(demos).as("demo folders in examples/").isNotEmpty();
            assertThat(demos).as("every demo folder has its circuit.ir.json").allMatch(Files::isRegularFile);
            files.addAll(demos);
        }
        assertThat(files).as("IR files to check").isNotEmpty();
        return files;
    }

    @TestFactory
    Stream<DynamicTest> javaReferenceAndGnarkCircuitAgreeOnCornersAndRandomInputs() throws IOException {
        List<Path> files = irFiles();
        Path root = repositoryRoot();
        return files.stream().map(f -> DynamicTest.dynamicTest(root.relativize(f).toString(), () -> check(f)));
    }

    /** At most this many thresholds of a tree IR get inputs on, just below and just above them. */
    static final int MAX_THRESHOLD_INPUTS = 60;

    private static void check(Path irFile) throws Exception {
        byte[] bytes = Files.readAllBytes(irFile);
        CircuitIr ir = IrReader.read(bytes);
        // every input value, all input tensors concatenated (the order of the public inputs)
        List<BigInteger> lo = ir.inputLo();
        List<BigInteger> hi = ir.inputHi();
        Path dir = Files.createTempDirectory(keys, "circuit");
        try (ConstraintSystem cs = prover.compile(bytes)) {
            prover.setup(cs, dir.resolve("pk"), dir.resolve("vk"));
            try (ProvingKey pk = prover.loadProvingKey(dir.resolve("pk"));
                 VerifyingKey vk = prover.loadVerifyingKey(dir.resolve("vk"))) {
                Random random = new Random(SEED ^ IrWriter.sha256Hex(bytes).hashCode());
                List<List<BigInteger>> inputs = new ArrayList<>();
                inputs.add(lo);
                inputs.add(hi);
                for (int i = 0; i < RANDOM_INPUTS; i++) {
                    List<BigInteger> x = new ArrayList<>(lo.size());
                    for (int j = 0; j < lo.size(); j++) {
                        x.add(uniform(random, lo.get(j), hi.get(j)));
                    }
                    inputs.add(x);
                }
                List<List<BigInteger>> thresholdInputs = onThresholds(ir, inputs.get(2));
                boolean splitsAnInput = ir.ops().stream().anyMatch(op -> op instanceof SplitBitsOp split && ir.inputs().contains(split.x()));
                if (splitsAnInput) {
                    assertThat(thresholdInputs).as("inputs on the thresholds of a split_bits over an input").isNotEmpty();
                }
                inputs.addAll(thresholdInputs);
                int checked = 0;
                boolean hashed = !ir.commitments().isEmpty();
                for (List<BigInteger> x : inputs) {
                    List<BigInteger> expected = ReferenceEvaluator.evaluate(ir, x);
                    // hashed inputs: a salt per proof; the Java commitment must be the proof's public input
                    List<BigInteger> salts = hashed ? List.of(Commitments.randomSalt(SALTS)) : List.of();
                    Proof proof = hashed ? prover.prove(cs, pk, x, salts.getFirst()) : prover.prove(cs, pk, x);
                    assertThat(proof.outputs()).as("output for input %s", x).isEqualTo(expected);
                    assertThat(proof.publicInputs()).as("public inputs for input %s", x)
                            .isEqualTo(ReferenceEvaluator.publicInputs(ir, x, expected, salts).stream().map(BigInteger::toString).toList());
                    assertThat(proof.commitments()).as("commitments for input %s", x)
                            .isEqualTo(ReferenceEvaluator.commitments(ir, x, salts).stream().map(BigInteger::toString).toList());
                    if (ir.commitments().isEmpty() && ir.publicInputSize() == ir.inputSize()) {
                        assertThat(proof.publicInputs()).isEqualTo(ReferenceEvaluator.publicInputs(x, expected).stream()
                                .map(BigInteger::toString).toList());
                    }
                    // verifying every proof is cheap (about a millisecond); do it for all of them
                    List<BigInteger> publicInputs = proof.publicInputs().stream().map(BigInteger::new).toList();
                    assertThat(prover.verify(vk, proof.solidityProof(), publicInputs)).as("proof for %s verifies", x).isTrue();
                    checked++;
                }
                assertThat(checked).isEqualTo(RANDOM_INPUTS + 2 + thresholdInputs.size());
            }
        }
    }

    /**
     * For every {@code split_bits} over an input tensor: inputs whose compared feature is exactly a
     * threshold τ, τ − 1 and τ + 1 (inside the input range), the other values from {@code base}. At
     * most {@link #MAX_THRESHOLD_INPUTS} thresholds, evenly spread.
     */
    static List<List<BigInteger>> onThresholds(CircuitIr ir, List<BigInteger> base) {
        List<List<BigInteger>> out = new ArrayList<>();
        List<BigInteger> lo = ir.inputLo();
        List<BigInteger> hi = ir.inputHi();
        for (IrOp op : ir.ops()) {
            if (!(op instanceof SplitBitsOp split) || !ir.inputs().contains(split.x())) {
                continue;
            }
            int offset = 0;
            for (IrTensor t : ir.inputTensors()) {
                if (t.name().equals(split.x())) {
                    break;
                }
                offset += t.size();
            }
            List<BigInteger> taus = ir.requireTensor(split.thresholds()).values();
            int step = Math.max(1, (taus.size() + MAX_THRESHOLD_INPUTS - 1) / MAX_THRESHOLD_INPUTS);
            for (int k = 0; k < taus.size(); k += step) {
                int at = offset + split.feature().get(k);
                for (int d = -1; d <= 1; d++) {
                    BigInteger v = taus.get(k).add(BigInteger.valueOf(d));
                    if (v.compareTo(lo.get(at)) >= 0 && v.compareTo(hi.get(at)) <= 0) {
                        List<BigInteger> x = new ArrayList<>(base);
                        x.set(at, v);
                        out.add(x);
                    }
                }
            }
        }
        return out;
    }

    /** A uniform integer in [lo, hi]. */
    static BigInteger uniform(Random random, BigInteger lo, BigInteger hi) {
        BigInteger span = hi.subtract(lo).add(BigInteger.ONE);
        BigInteger r;
        do {
            r = new BigInteger(span.bitLength(), random);
        } while (r.compareTo(span) >= 0);
        return lo.add(r);
    }
}
