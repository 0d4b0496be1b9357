package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import io.zkml.cli.Zkml;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;

/**
 * {@code zkml export snarkjs} (the CLI's command, run in-process) checked by the real snarkjs of
 * this module's node_modules: the three files it writes from {@code vk.bin} and a
 * {@code proof.json} verify ({@code snarkJS: OK!}), and with a changed public input they do not.
 * Here rather than in cli/ because this module's build installs snarkjs (npm ci); the service path
 * of the command writes the same bytes (cli's CliEndToEndTest compares them).
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliExportSnarkjsTest {

    private static final JsonMapper JSON = DemoProofs.JSON;

    @TempDir
    Path dir;

    private Groth16Prover prover;
    private SnarkjsCli snarkjs;

    @BeforeAll
    void locate() {
        prover = Groth16Prover.load();
        snarkjs = SnarkjsCli.locate();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run zkml(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = String.valueOf(args[i]);
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Zkml.execute(a, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void snarkjsAcceptsWhatTheCommandWritesAndRejectsAChangedPublicInput(String example) throws IOException {
        Path circuit = dir.resolve(example);
        Proof proof = DemoProofs.prove(prover, example, circuit);
        ObjectNode proofJson = JSON.createObjectNode();
        proofJson.put("proof", proof.proofHex());
        proofJson.set("publicInputs", JSON.valueToTree(proof.publicInputs()));
        Files.writeString(circuit.resolve("proof.json"), JSON.writeValueAsString(proofJson));

        Path out = dir.resolve(example + "-snarkjs");
        Run r = zkml("export", "snarkjs", "--vk", circuit.resolve("vk.bin"), "--proof", circuit.resolve("proof.json"), "--out", out);
        assertThat(r.code()).as("%s%n%s", r.out(), r.err()).isZero();
        SnarkjsCli.Outcome ok = snarkjs.groth16Verify(out.resolve("verification_key.json"), out.resolve("public.json"),
                out.resolve("proof.json"));
        assertThat(ok.valid()).as("snarkjs on zkml export snarkjs: %s", ok.output()).isTrue();

        // the claimed output (the last public input) changed, through --public
        ArrayNode pub = JSON.valueToTree(proof.publicInputs());
        int last = pub.size() - 1;
        pub.set(last, pub.get(last).asString().equals("0") ? "1" : "0");
        Path changed = circuit.resolve("changed.json");
        Files.writeString(changed, JSON.writeValueAsString(pub));
        Path out2 = dir.resolve(example + "-snarkjs-changed");
        Run r2 = zkml("export", "snarkjs", "--vk", circuit.resolve("vk.bin"), "--proof", circuit.resolve("proof.json"),
                "--public", changed, "--out", out2);
        assertThat(r2.code()).as("%s%n%s", r2.out(), r2.err()).isZero();
        SnarkjsCli.Outcome bad = snarkjs.groth16Verify(out2.resolve("verification_key.json"), out2.resolve("public.json"),
                out2.resolve("proof.json"));
        assertThat(bad.valid()).as("snarkjs on a changed public input: %s", bad.output()).isFalse();
        // the pairing check failed, not a file snarkjs could not read
        assertThat(bad.output()).as("snarkjs's reason").contains("Invalid proof");
    }
}
