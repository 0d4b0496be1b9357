package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zkml.compiler.BatchCircuit;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.Visibility;
import io.zkml.prover.Bn254;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.VerifyingKey;

/**
 * Hashed outputs on a real chain (issue 8): the credit-risk demo with hashed inputs and outputs
 * (two commitments), with public inputs and hashed outputs, and a batch of 16 with hashed inputs
 * and outputs (one commitment each for the whole batch). Each proof verifies with gnark's Solidity
 * verifier on anvil and off chain, its public inputs are what the Java reference computes (the Go
 * gadget and the Java Poseidon2 agree), and a changed output commitment, the commitment to another
 * output under the same salt, and a changed input commitment are rejected. With hashed outputs the
 * batch verifies under the bar (250k gas) like a single inference.
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HashedOutputOnChainTest {

    static final long GAS_BAR = 250_000;
    private static final Path REPO = Path.of(System.getProperty("zkml.repo.dir", "..")).toAbsolutePath().normalize();
    private static final BigInteger SALT = new BigInteger("9487031582318541238958376041389045823571639827591037419237490123748912374891");
    private static final BigInteger OUTPUT_SALT = new BigInteger("1234567890123456789012345678901234567890");

    @TempDir
    Path keys;

    private Groth16Prover prover;
    private SolidityCompiler solc;
    private AnvilNode node;
    private final Map<String, Deployed> deployed = new HashMap<>();

    private record Deployed(String name, CompiledCircuit circuit, List<BigInteger> input, List<BigInteger> output,
                            VerifyingKey vk, Proof proof, List<BigInteger> publicInputs, CompiledContract contract,
                            VerifierContract verifier, int constraints) {
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
    @ValueSource(strings = {"credit-risk:hashed/hashed", "credit-risk:public/hashed", "credit-risk-batch-16:hashed/hashed"})
    void theProofVerifiesOnChainAndAChangedCommitmentOrOutputDoesNot(String name) {
        Deployed d = deployed.computeIfAbsent(name, this::deploy);
        byte[] calldata = VerifierContract.verifyProofCalldata(d.proof().solidityProof(), d.publicInputs());
        assertThat("0x" + HexFormat.of().formatHex(calldata)).isEqualTo(d.proof().calldataHex());
        assertThat(d.verifier().call(calldata).success()).isTrue();
        assertThat(offChain(d, d.publicInputs())).isTrue();
        VerifierContract.TransactionOutcome tx = d.verifier().transact(calldata);
        assertThat(tx.success()).isTrue();
        System.out.printf("[evm-visibility] %-36s constraints=%d publicInputs=%d commitments=%d deployedSize=%d B verifyGasUsed=%d%n",
                name, d.constraints(), d.publicInputs().size(), d.proof().commitments().size(), d.contract().deployedSize(), tx.gasUsed());
        assertThat(d.contract().deployedSize()).isLessThan(CompiledContract.MAX_DEPLOYED_SIZE);
        assertThat(tx.gasUsed()).as("%s: one word for the outputs keeps it under the bar", name).isLessThanOrEqualTo(GAS_BAR);

        int last = d.publicInputs().size() - 1; // the output commitment is the last public input
        assertThat(d.publicInputs().get(last)).isEqualTo(d.circuit().outputCommitmentOf(d.output(), OUTPUT_SALT).orElseThrow());
        assertRejected(d, last, d.publicInputs().get(last).add(BigInteger.ONE).mod(Bn254.R), "the output commitment + 1");
        // an honest commitment to another output (the first label + 1, or - 1) under the same salt
        List<BigInteger> other = new ArrayList<>(d.output());
        CircuitIr ir = d.circuit().ir();
        BigInteger hi = ir.outputTensors().getFirst().hi().getFirst();
        other.set(0, other.getFirst().equals(hi) ? other.getFirst().subtract(BigInteger.ONE) : other.getFirst().add(BigInteger.ONE));
        assertRejected(d, last, d.circuit().outputCommitmentOf(other, OUTPUT_SALT).orElseThrow(), "another output's commitment");
        assertRejected(d, last, d.circuit().outputCommitmentOf(d.output(), OUTPUT_SALT.add(BigInteger.ONE)).orElseThrow(),
                "another output salt's commitment");
        // the first public input: the input commitment, or the first input value
        assertRejected(d, 0, d.publicInputs().getFirst().add(BigInteger.ONE).mod(Bn254.R), "the first public input");
    }

    private void assertRejected(Deployed d, int at, BigInteger value, String what) {
        List<BigInteger> changed = new ArrayList<>(d.publicInputs());
        changed.set(at, value);
        VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.verifyProofCalldata(d.proof().solidityProof(), changed));
        assertThat(out.success()).as("%s: on chain, %s", d.name(), what).isFalse();
        assertThat(offChain(d, changed)).as("%s: off chain, %s", d.name(), what).isFalse();
    }

    private boolean offChain(Deployed d, List<BigInteger> publicInputs) {
        try {
            return prover.verify(d.vk(), d.proof().solidityProof(), publicInputs);
        } catch (NativeProverException e) {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_PROOF);
            return false;
        }
    }

    private Deployed deploy(String name) {
        try {
            String base = name.substring(0, name.indexOf(':'));
            String[] vis = name.substring(name.indexOf(':') + 1).split("/");
            Visibility in = Visibility.fromIrName(vis[0]).orElseThrow(), out = Visibility.fromIrName(vis[1]).orElseThrow();
            CompiledCircuit single = CompiledCircuit.fromIr(Files.readAllBytes(REPO.resolve("examples/credit-risk/circuit.ir.json")))
                    .withVisibility(in, out);
            CompiledCircuit c;
            List<BigInteger> input;
            if (base.equals("credit-risk-batch-16")) {
                BatchCircuit b = BatchCircuit.of(single, 16);
                List<double[]> rows = new ArrayList<>();
                for (int k = 0; k < 12; k++) {
                    rows.add(new double[]{2.0 + k, 0.05 * k, 40.0 + 10 * k, k % 4, 5.0 + 3 * k});
                }
                input = b.quantizeRows(rows);
                c = CompiledCircuit.fromIr(b.irJson());
            } else {
                c = single;
                input = single.quantizeInput(new double[]{12.5, 0.35, 85, 1, 25});
            }
            BigInteger salt = in == Visibility.HASHED ? SALT : null;
            try (ConstraintSystem cs = prover.compile(c.irJson())) {
                String file = name.replaceAll("[:/]", "-");
                prover.setup(cs, keys.resolve(file + ".pk"), keys.resolve(file + ".vk"));
                Proof proof;
                try (ProvingKey pk = prover.loadProvingKey(keys.resolve(file + ".pk"))) {
                    proof = prover.prove(cs, pk, input, salt, OUTPUT_SALT);
                }
                List<BigInteger> output = c.evaluate(input);
                assertThat(proof.outputs()).as("the requester still gets every output").isEqualTo(output);
                List<BigInteger> publicInputs = proof.publicInputs().stream().map(BigInteger::new).toList();
                assertThat(publicInputs).as("%s: the Go circuit's public inputs = the Java reference's", name)
                        .isEqualTo(c.publicInputs(input, salt, OUTPUT_SALT));
                assertThat(publicInputs).hasSize(IrReader.read(c.irJson()).publicSize());
                assertThat(publicInputs.size()).isEqualTo(in == Visibility.HASHED ? 2 : 1 + c.ir().inputSize());
                VerifyingKey vk = prover.loadVerifyingKey(keys.resolve(file + ".vk"));
                CompiledContract contract = solc.compile("Verifier.sol", prover.exportSolidity(vk), VerifierContract.GNARK_CONTRACT_NAME);
                return new Deployed(name, c, input, output, vk, proof, publicInputs, contract, VerifierContract.deploy(node, contract),
                        cs.constraints());
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }
}
