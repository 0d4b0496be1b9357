package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import io.zkml.cli.Zkml;
import io.zkml.prover.Bn254;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Ceremony;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.SetupResult;
import io.zkml.prover.VerifyingKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A 3-party Groth16 ceremony on the credit-risk demo circuit (issue 7): phase 1 from a
 * powers-of-tau file the pinned snarkjs makes (power 9, one contribution), phase 2 by the service
 * and two contributors who run {@code zkml ceremony contribute} (the CLI, offline), each
 * contribution verified against the state before; a stale contribution, a changed byte and a
 * transcript with a stale state are refused; the final keys (trust {@code ceremony}) prove, and the
 * proof verifies on anvil while a changed output is rejected.
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CeremonyOnChainTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path REPO = Path.of(System.getProperty("zkml.repo.dir", "..")).toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    private Groth16Prover prover;
    private SolidityCompiler solc;
    private AnvilNode node;
    private Path ptau;

    @BeforeAll
    void start() {
        prover = Groth16Prover.load();
        solc = SolidityCompiler.locate();
        node = AnvilNode.start(solc.toolchain());
        ptau = SnarkjsCli.locate().powersOfTau(dir, 9, "entropy of the ceremony test");
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static int cli(StringWriter out, String... args) {
        return Zkml.execute(args, new PrintWriter(out, true), new PrintWriter(out, true));
    }

    @Test
    void threeContributorsMakeKeysWhoseProofsVerifyOnChain() throws Exception {
        Path demo = REPO.resolve("examples/credit-risk");
        byte[] ir = Files.readAllBytes(demo.resolve("circuit.ir.json"));
        JsonNode c = JSON.readTree(demo.resolve("circuit.cases.json").toFile()).get("cases").get(0);
        List<BigInteger> input = new ArrayList<>();
        c.get("input").forEach(v -> input.add(new BigInteger(v.asString())));

        try (ConstraintSystem cs = prover.compile(ir)) {
            Path p1 = dir.resolve("phase1.bin");
            Groth16Ceremony.StateInfo s0 = Groth16Ceremony.start(cs, ptau, p1, dir.resolve("s0"));
            assertThat(s0.srsSha256()).isEqualTo(sha256(Files.readAllBytes(ptau)));
            assertThat(s0.srsPower()).isEqualTo(9);
            assertThat(s0.domainSize()).isEqualTo(512); // 294 constraints
            assertThat(s0.stateSha256()).isEqualTo(sha256(Files.readAllBytes(dir.resolve("s0"))));

            // the service contributes first
            Groth16Ceremony.StateInfo s1 = Groth16Ceremony.contribute(dir.resolve("s0"), dir.resolve("s1"));
            assertThat(Groth16Ceremony.verifyContribution(cs, dir.resolve("s0"), dir.resolve("s1")).stateSha256())
                    .isEqualTo(s1.stateSha256());
            // two contributors with the command line, offline
            Path prev = dir.resolve("s1");
            for (String s : List.of("s2", "s3")) {
                StringWriter out = new StringWriter();
                int code = cli(out, "ceremony", "contribute", "--state", prev.toString(), "--out", dir.resolve(s).toString());
                assertThat(code).as(out.toString()).isZero();
                assertThat(out.toString()).contains(sha256(Files.readAllBytes(prev)));
                Groth16Ceremony.StateInfo v = Groth16Ceremony.verifyContribution(cs, prev, dir.resolve(s));
                assertThat(out.toString()).contains(v.stateSha256());
                prev = dir.resolve(s);
            }

            // a contribution on a stale state (s1 instead of s3) is refused
            Groth16Ceremony.contribute(dir.resolve("s1"), dir.resolve("stale"));
            assertThatThrownBy(() -> Groth16Ceremony.verifyContribution(cs, dir.resolve("s3"), dir.resolve("stale")))
                    .isInstanceOfSatisfying(NativeProverException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                        assertThat(e.getMessage()).contains("challenge does not match");
                    });
            // one changed byte
            byte[] b = Files.readAllBytes(dir.resolve("s3"));
            b[b.length - 50] ^= 1;
            Files.write(dir.resolve("s3x"), b);
            assertThatThrownBy(() -> Groth16Ceremony.verifyContribution(cs, dir.resolve("s2"), dir.resolve("s3x")))
                    .isInstanceOfSatisfying(NativeProverException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.IO));
            // a garbage file to the CLI: one line, exit 3
            Files.writeString(dir.resolve("junk"), "not a state");
            StringWriter junk = new StringWriter();
            assertThat(cli(junk, "ceremony", "contribute", "--state", dir.resolve("junk").toString(), "--out",
                    dir.resolve("junk.out").toString())).isEqualTo(Zkml.BAD_INPUT);
            assertThat(junk.toString().strip().lines().count()).isEqualTo(1);
            // a transcript with the stale state in it does not finalize, and writes no key
            byte[] beacon = HexFormat.of().parseHex("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
            assertThatThrownBy(() -> Groth16Ceremony.finalize(cs, p1, List.of(dir.resolve("s1"), dir.resolve("s2"),
                    dir.resolve("stale")), beacon, dir.resolve("bad.pk"), dir.resolve("bad.vk")))
                    .isInstanceOfSatisfying(NativeProverException.class,
                            e -> assertThat(e.getMessage()).contains("the transcript does not verify"));
            assertThat(dir.resolve("bad.vk")).doesNotExist();

            SetupResult keys = Groth16Ceremony.finalize(cs, p1, List.of(dir.resolve("s1"), dir.resolve("s2"), dir.resolve("s3")),
                    beacon, dir.resolve("pk"), dir.resolve("vk"));
            assertThat(keys.trust()).isEqualTo("ceremony");
            Proof proof;
            try (ProvingKey pk = prover.loadProvingKey(dir.resolve("pk"), cs.circuitSha256())) {
                proof = prover.prove(cs, pk, input);
            }
            try (VerifyingKey vk = prover.loadVerifyingKey(dir.resolve("vk"), cs.circuitSha256())) {
                assertThat(vk.info().trust()).isEqualTo("ceremony");
                assertThat(prover.verify(vk, proof)).isTrue();
                CompiledContract contract = solc.compile("Verifier.sol", prover.exportSolidity(vk), VerifierContract.GNARK_CONTRACT_NAME);
                VerifierContract verifier = VerifierContract.deploy(node, contract);
                List<BigInteger> pub = proof.publicInputs().stream().map(BigInteger::new).toList();
                VerifierContract.CallOutcome ok = verifier.call(VerifierContract.verifyProofCalldata(proof.solidityProof(), pub));
                assertThat(ok.success()).as("on chain: %s", ok.revertReason()).isTrue();
                VerifierContract.TransactionOutcome tx = verifier.transact(VerifierContract.verifyProofCalldata(proof.solidityProof(), pub));
                List<BigInteger> changed = new ArrayList<>(pub);
                changed.set(pub.size() - 1, pub.getLast().add(BigInteger.ONE).mod(Bn254.R));
                VerifierContract.CallOutcome bad = verifier.call(VerifierContract.verifyProofCalldata(proof.solidityProof(), changed));
                assertThat(bad.success()).isFalse();
                assertThat(bad.revertReason()).isEqualTo("ProofInvalid()");
                System.out.printf("[evm] ceremony credit-risk contributions=3 verifyGasUsed=%d finalizeMillis=%d%n",
                        tx.gasUsed(), keys.setupMillis());
            }
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
