package io.zkml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rebuilds every demo circuit from scratch (examples/NAME/model.tribuo + quantization.json, circuit
 * name NAME) and compares the IR's SHA-256 and the constraint-system file's SHA-256 with the values
 * committed in examples/reproducibility.json (docs/reproducibility.md). Refresh that file after a
 * change of the compiler, gnark or the artifact format:
 * {@code ./mvnw -B -ntp -pl cli -am verify -DskipGoTests=true -Dzkml.reproducibility.regenerate=true}.
 */
class ReproducibilityTest {

    static final List<String> DEMOS = List.of("credit-risk", "credit-forest", "eth-price");

    @TempDir
    Path tmp;

    @Test
    void demoCircuitsRebuildToTheCommittedIrAndConstraintSystemHashes() throws IOException {
        Path file = CliRun.root().resolve("examples/reproducibility.json");
        Groth16Prover prover = Groth16Prover.load();
        ObjectNode now = Artifacts.JSON.createObjectNode();
        now.put("about", "SHA-256 of the IR and of the constraint-system file (circuit.cs) that the compiler and gnark "
                + "versions below make from examples/NAME/model.tribuo + quantization.json with circuit name NAME; "
                + "checked by cli/src/test/java/io/zkml/cli/ReproducibilityTest.java (docs/reproducibility.md)");
        now.set("versions", versionsWithoutGo(prover));
        ObjectNode circuits = now.putObject("circuits");
        for (String demo : DEMOS) {
            Path ex = CliRun.example(demo);
            CompiledCircuit c = ModelCompilation.compile(ex.resolve("model.tribuo"), "tribuo",
                    Artifacts.readSettings(ex.resolve("quantization.json")), demo).circuit();
            byte[] ir = c.irJson();
            assertThat(ir).as(demo + ": the committed circuit.ir.json").isEqualTo(Files.readAllBytes(ex.resolve("circuit.ir.json")));
            String cs1;
            String cs2;
            int constraints;
            try (ConstraintSystem cs = prover.compile(ir)) {
                cs.writeTo(tmp.resolve(demo + "-1.cs"));
                constraints = cs.constraints();
            }
            try (ConstraintSystem cs = prover.compile(ir)) {
                cs.writeTo(tmp.resolve(demo + "-2.cs"));
            }
            cs1 = Artifacts.sha256(tmp.resolve(demo + "-1.cs"), "cs");
            cs2 = Artifacts.sha256(tmp.resolve(demo + "-2.cs"), "cs");
            assertThat(cs2).as(demo + ": two compilations of the same IR").isEqualTo(cs1);
            ObjectNode e = circuits.putObject("examples/" + demo);
            e.put("irSha256", c.circuitHash());
            e.put("constraintSystemSha256", cs1);
            e.put("constraints", constraints);
        }
        if (Boolean.getBoolean("zkml.reproducibility.regenerate")) {
            Artifacts.writeJson(file, now);
        }
        JsonNode committed = Artifacts.readJson(file, "reproducibility file");
        assertThat(committed.get("versions")).as("versions in " + file + " (refresh it after a version change)")
                .isEqualTo(now.get("versions"));
        for (Map.Entry<String, JsonNode> e : now.get("circuits").properties()) {
            assertThat(committed.path("circuits").get(e.getKey())).as(e.getKey() + " in " + file).isEqualTo(e.getValue());
        }
        assertThat(committed.get("circuits").size()).isEqualTo(DEMOS.size());
        assertThat(now.get("versions").get("compiler").asString()).isEqualTo(CircuitCompiler.version());
    }

    private static ObjectNode versionsWithoutGo(Groth16Prover prover) {
        ObjectNode v = Artifacts.versions(prover);
        v.remove("go");
        return v;
    }
}
