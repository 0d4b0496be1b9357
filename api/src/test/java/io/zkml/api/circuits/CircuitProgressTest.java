package io.zkml.api.circuits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;

/**
 * A circuit's {@code progress} (issue 9): a real compile job goes through its steps in order
 * (compile, constraint-system, setup, export; recorded by a trigger this test installs on
 * {@code circuits.step}), and GET shows no progress once it is ready; a circuit caught while
 * compiling or setting up shows its step and the share of steps done; a ceremony awaiting
 * contributions shows the external contributions against the minimum.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CircuitProgressTest {

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http http;
    TestModels.Example credit;
    String model;

    @BeforeAll
    void setUp() {
        http = new Http(port);
        credit = TestModels.creditRisk();
        model = http.postMultipart("/v1/models", Http.parts("file", credit.model())).text("id");
        jdbc.sql("CREATE TABLE IF NOT EXISTS test_step_log (n bigserial PRIMARY KEY, circuit_id uuid, step text)").update();
        jdbc.sql("""
                CREATE OR REPLACE FUNCTION test_log_step() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO test_step_log (circuit_id, step) VALUES (NEW.id, NEW.step); RETURN NEW; END $$
                """).update();
        jdbc.sql("DROP TRIGGER IF EXISTS test_circuit_steps ON circuits").update();
        jdbc.sql("CREATE TRIGGER test_circuit_steps AFTER UPDATE OF step ON circuits FOR EACH ROW"
                + " EXECUTE FUNCTION test_log_step()").update();
    }

    @Test
    void aCompileJobGoesThroughItsStepsInOrderAndAReadyCircuitShowsNoProgress() {
        Http.Response r = http.postJson("/v1/models/" + model + "/circuits", Map.of("quantization", credit.quantization()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().has("progress")).isFalse(); // queued: no step yet
        String id = r.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + id, Set.of("ready", "failed"), Duration.ofSeconds(120));
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        assertThat(c.has("progress")).isFalse();
        List<String> steps = jdbc.sql("SELECT step FROM test_step_log WHERE circuit_id = ? ORDER BY n")
                .param(UUID.fromString(id)).query(String.class).list();
        assertThat(steps).containsExactly("compile", "constraint-system", "setup", "export");
    }

    UUID circuit(String status, String step) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO circuits (id, model_id, status, proving_system, settings, step) VALUES (?, ?, ?, 'groth16', '{}', ?)")
                .params(id, UUID.fromString(model), status, step).update();
        return id;
    }

    JsonNode progress(UUID id) {
        Http.Response r = http.get("/v1/circuits/" + id);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("progress");
    }

    @Test
    void aCircuitBeingCompiledOrSetUpShowsItsStepAndTheShareOfStepsDone() {
        JsonNode p = progress(circuit("compiling", "compile"));
        assertThat(p.get("step").asString()).isEqualTo("compile");
        assertThat(p.get("stepsDone").asInt()).isZero();
        assertThat(p.get("steps").asInt()).isEqualTo(4);
        assertThat(p.get("percent").asInt()).isZero();
        p = progress(circuit("compiling", "constraint-system"));
        assertThat(p.get("percent").asInt()).isEqualTo(25);
        p = progress(circuit("setting_up", "setup"));
        assertThat(p.get("step").asString()).isEqualTo("setup");
        assertThat(p.get("percent").asInt()).isEqualTo(50);
        p = progress(circuit("setting_up", "export"));
        assertThat(p.get("stepsDone").asInt()).isEqualTo(3);
        assertThat(p.get("percent").asInt()).isEqualTo(75);
        // a step left from an earlier attempt is not shown once the circuit is queued again
        assertThat(progress(circuit("queued", "setup"))).isNull();
        // listed as GET shows it
        boolean listed = false;
        for (JsonNode c : http.get("/v1/circuits?status=setting_up&limit=100").json().get("items")) {
            listed |= c.has("progress") && c.get("progress").get("percent").asInt() >= 50;
        }
        assertThat(listed).isTrue();
    }

    @Test
    void aCeremonyAwaitingContributionsShowsTheContributionsAgainstTheMinimum() {
        UUID id = circuit("awaiting_contributions", null);
        String sha = "ab".repeat(32);
        jdbc.sql("INSERT INTO artifacts (sha256, kind, size_bytes, bytes, versions) VALUES (?, 'ceremony_state', 1, '\\x00', '{}')"
                + " ON CONFLICT DO NOTHING").param(sha).update();
        jdbc.sql("INSERT INTO ceremonies (circuit_id, phase1_sha256, srs_sha256, srs_power, min_contributions)"
                + " VALUES (?, ?, ?, 10, 2)").params(id, sha, sha).update();
        for (Object[] k : List.of(new Object[] {0, "initial"}, new Object[] {1, "service"}, new Object[] {2, "external"})) {
            jdbc.sql("INSERT INTO ceremony_contributions (circuit_id, index, state_sha256, contributor) VALUES (?, ?, ?, ?)")
                    .params(id, k[0], sha, k[1]).update();
        }
        JsonNode p = progress(id);
        assertThat(p.get("step").asString()).isEqualTo("contributions");
        assertThat(p.get("stepsDone").asInt()).isEqualTo(1);
        assertThat(p.get("steps").asInt()).isEqualTo(2);
        assertThat(p.get("percent").asInt()).isEqualTo(50);
    }
}
