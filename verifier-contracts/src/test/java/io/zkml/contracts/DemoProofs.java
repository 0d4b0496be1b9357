package io.zkml.contracts;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A demo circuit ({@code examples/NAME}: its committed {@code circuit.ir.json}) set up and proven on
 * the first case of its {@code circuit.cases.json}, for the snarkjs tests.
 */
final class DemoProofs {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path REPO = Path.of(System.getProperty("zkml.repo.dir", "..")).toAbsolutePath().normalize();

    private DemoProofs() {
    }

    /** The first case of {@code examples/NAME/circuit.cases.json} ({@code input}, {@code output}). */
    static JsonNode firstCase(String example) {
        return JSON.readTree(REPO.resolve("examples").resolve(example).resolve("circuit.cases.json").toFile())
                .get("cases").get(0);
    }

    /**
     * Compiles the example's IR, runs the Groth16 setup into {@code out/pk.bin} and
     * {@code out/vk.bin} ({@code out} is created) and proves {@link #firstCase}'s input.
     */
    static Proof prove(Groth16Prover prover, String example, Path out) throws IOException {
        byte[] ir = Files.readAllBytes(REPO.resolve("examples").resolve(example).resolve("circuit.ir.json"));
        List<BigInteger> input = new ArrayList<>();
        firstCase(example).get("input").forEach(v -> input.add(new BigInteger(v.asString())));
        Files.createDirectories(out);
        try (ConstraintSystem cs = prover.compile(ir)) {
            prover.setup(cs, out.resolve("pk.bin"), out.resolve("vk.bin"));
            try (ProvingKey pk = prover.loadProvingKey(out.resolve("pk.bin"))) {
                return prover.prove(cs, pk, input);
            }
        }
    }
}
