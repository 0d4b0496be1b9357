package io.zkml.api.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.security.ApiKeys;
import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;

/**
 * {@code DELETE /v1/models/{id}} and {@code DELETE /v1/circuits/{id}} (issue 9): two circuits of one
 * model with the same settings share their IR and constraint-system artifacts (content-addressed)
 * and have keys of their own. Another owner's DELETE is a 404 and a read-only key's a 403; the
 * owner's DELETE of a circuit is a 204 that cancels its queued jobs, deletes its inferences and
 * removes the artifacts only it referred to while the shared ones stay (the other circuit still
 * serves its verifier and proves); a second DELETE is a 404. A running job or a recorded on-chain
 * deployment is a 409 {@code resource-in-use} listing them, with nothing changed; a model with
 * circuits is a 409 listing them, and an admin key deletes it with {@code cascade=true}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeletionFlowTest {

    static final String ADMIN_KEY = ApiKeys.generate();
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.auth.required", () -> "true");
        registry.add("zkml.auth.bootstrap-admin-key-sha256", () -> ApiKeys.sha256(ADMIN_KEY));
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http admin;
    Http alice;
    Http aliceReadOnly;
    Http bob;
    TestModels.Example credit;
    String model;
    String first;
    String second;

    String key(String owner, List<String> scopes) {
        Http.Response r = admin.postJson("/v1/api-keys", Map.of("owner", owner, "scopes", scopes));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.text("key");
    }

    @BeforeAll
    void twoCircuitsOfOneModel() {
        admin = new Http(port).withKey(ADMIN_KEY);
        alice = admin.withKey(key("alice", List.of("read", "prove")));
        aliceReadOnly = admin.withKey(key("alice", List.of("read")));
        bob = admin.withKey(key("bob", List.of("read", "prove")));
        credit = TestModels.creditRisk();
        Http.Response upload = alice.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", credit.name()));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        model = upload.text("id");
        first = circuit();
        second = circuit();
        for (String c : List.of(first, second)) {
            JsonNode done = alice.awaitStatus("/v1/circuits/" + c, Set.of("ready", "failed"), DEADLINE);
            assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("ready");
        }
        // content-addressed: the same IR and constraint system, keys of their own
        assertThat(artifacts(first).subList(0, 2)).isEqualTo(artifacts(second).subList(0, 2));
        assertThat(artifacts(first).get(2)).isNotEqualTo(artifacts(second).get(2));
    }

    String circuit() {
        Http.Response r = alice.postJson("/v1/models/" + model + "/circuits", Map.of("quantization", credit.quantization()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        return r.text("id");
    }

    /** ir, cs, pk, vk, verifier. */
    List<String> artifacts(String circuit) {
        return jdbc.sql("SELECT ir_sha256, cs_sha256, pk_sha256, vk_sha256, verifier_sha256 FROM circuits WHERE id = ?")
                .param(UUID.fromString(circuit))
                .query((rs, n) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                .single();
    }

    boolean stored(String sha) {
        return jdbc.sql("SELECT count(*) FROM artifacts WHERE sha256 = ?").param(sha).query(Long.class).single() == 1;
    }

    static JsonNode problem(Http.Response r, int status, String type) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asString()).isEqualTo("urn:zkml:problem:" + type);
        return r.json();
    }

    @Test
    @Order(1)
    void anotherOwnerGets404AndAReadOnlyKey403AndNothingIsDeleted() {
        problem(bob.delete("/v1/circuits/" + first), 404, "not-found");
        problem(bob.delete("/v1/models/" + model), 404, "not-found");
        problem(aliceReadOnly.delete("/v1/circuits/" + first), 403, "forbidden");
        problem(new Http(port).delete("/v1/circuits/" + first), 401, "unauthorized");
        problem(alice.delete("/v1/circuits/" + UUID.randomUUID()), 404, "not-found");
        problem(alice.delete("/v1/circuits/not-a-uuid"), 404, "not-found");
        problem(alice.delete("/v1/models/" + model + "?cascade=maybe"), 400, "invalid-request");
        assertThat(alice.get("/v1/circuits/" + first).status()).isEqualTo(200);
        assertThat(alice.get("/v1/models/" + model).status()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void theOwnerDeletesACircuitItsQueuedJobsAreCancelledAndOnlyItsOwnArtifactsAreCollected() {
        Http.Response proved = alice.postJson("/v1/circuits/" + first + "/inferences", Map.of("input", credit.input()));
        assertThat(proved.status()).as(proved.toString()).isEqualTo(202);
        String provedId = proved.text("id");
        assertThat(alice.awaitStatus("/v1/inferences/" + provedId, Set.of("succeeded", "failed"), DEADLINE)
                .get("status").asString()).isEqualTo("succeeded");
        // a queued inference whose job no worker takes yet (run_after in an hour)
        UUID queued = UUID.randomUUID();
        UUID queuedJob = UUID.randomUUID();
        jdbc.sql("INSERT INTO inferences (id, circuit_id, status, input, quantized_input, owner)"
                + " VALUES (?, ?, 'queued', '[]', '[]', 'alice')").params(queued, UUID.fromString(first)).update();
        jdbc.sql("INSERT INTO jobs (id, kind, subject_id, status, max_attempts, run_after)"
                + " VALUES (?, 'prove', ?, 'queued', 3, now() + interval '1 hour')").params(queuedJob, queued).update();
        List<String> own = artifacts(first);
        List<String> other = artifacts(second);

        Http.Response deleted = alice.delete("/v1/circuits/" + first);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);

        problem(alice.get("/v1/circuits/" + first), 404, "not-found");
        problem(alice.get("/v1/inferences/" + provedId), 404, "not-found");
        problem(alice.delete("/v1/circuits/" + first), 404, "not-found");
        assertThat(jdbc.sql("SELECT count(*) FROM inferences WHERE circuit_id = ?").param(UUID.fromString(first))
                .query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT status || ' ' || last_error FROM jobs WHERE id = ?").param(queuedJob)
                .query(String.class).single()).isEqualTo("failed " + DeletionService.CANCELLED);
        // the shared IR and constraint system stay; its own keys and verifier are gone
        assertThat(stored(own.get(0))).isTrue();
        assertThat(stored(own.get(1))).isTrue();
        for (String sha : own.subList(2, 5)) {
            if (!other.contains(sha)) {
                assertThat(stored(sha)).as(sha).isFalse();
            }
        }
        other.forEach(sha -> assertThat(stored(sha)).as(sha).isTrue());
        // and the other circuit still serves and proves
        assertThat(alice.get("/v1/circuits/" + second + "/verifier.sol").status()).isEqualTo(200);
        Http.Response again = alice.postJson("/v1/circuits/" + second + "/inferences", Map.of("input", credit.input()));
        assertThat(again.status()).as(again.toString()).isEqualTo(202);
        assertThat(alice.awaitStatus("/v1/inferences/" + again.text("id"), Set.of("succeeded", "failed"), DEADLINE)
                .get("status").asString()).isEqualTo("succeeded");
    }

    @Test
    @Order(3)
    void aRunningJobOrADeploymentIsA409ListingThemAndNothingChanges() {
        UUID circuit = UUID.fromString(second);
        UUID proving = UUID.randomUUID();
        UUID running = UUID.randomUUID();
        UUID queuedJob = UUID.randomUUID();
        jdbc.sql("INSERT INTO inferences (id, circuit_id, status, input, quantized_input, owner)"
                + " VALUES (?, ?, 'proving', '[]', '[]', 'alice')").params(proving, circuit).update();
        jdbc.sql("INSERT INTO jobs (id, kind, subject_id, status, attempts, max_attempts, lease_owner, lease_expires_at, started_at)"
                + " VALUES (?, 'prove', ?, 'running', 1, 3, 'elsewhere', now() + interval '1 hour', now())")
                .params(running, proving).update();
        jdbc.sql("INSERT INTO jobs (id, kind, subject_id, status, max_attempts, run_after)"
                + " VALUES (?, 'compile', ?, 'queued', 3, now() + interval '1 hour')").params(queuedJob, circuit).update();
        UUID deployment = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO chain_deployments (id, circuit_id, chain, chain_id, registry_address, verifier_address,
                       registry_model_id, input_words, output_words, transactions)
                VALUES (?, ?, 'anvil', 31337, '0x01', '0x02', 7, 5, 1, '[]')
                """).params(deployment, circuit).update();

        JsonNode p = problem(alice.delete("/v1/circuits/" + second), 409, "resource-in-use");
        assertThat(p.get("detail").asString()).contains("on-chain deployment").contains("running prove job");
        assertThat(p.get("references")).hasSize(2);
        assertThat(p.get("references").get(0).get("kind").asString()).isEqualTo("deployment");
        assertThat(p.get("references").get(0).get("id").asString()).isEqualTo(deployment.toString());
        assertThat(p.get("references").get(1).get("kind").asString()).isEqualTo("job");
        assertThat(p.get("references").get(1).get("id").asString()).isEqualTo(running.toString());
        assertThat(p.get("references").get(1).get("jobKind").asString()).isEqualTo("prove");
        // nothing changed: the queued job is still queued, the circuit still there
        assertThat(jdbc.sql("SELECT status FROM jobs WHERE id = ?").param(queuedJob).query(String.class).single())
                .isEqualTo("queued");
        assertThat(alice.get("/v1/circuits/" + second).status()).isEqualTo(200);

        jdbc.sql("DELETE FROM chain_deployments WHERE id = ?").param(deployment).update();
        p = problem(alice.delete("/v1/circuits/" + second), 409, "resource-in-use");
        assertThat(p.get("references")).hasSize(1);
        jdbc.sql("UPDATE jobs SET status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, finished_at = now()"
                + " WHERE id = ?").param(running).update();
        jdbc.sql("UPDATE jobs SET status = 'failed', last_error = 'test', finished_at = now() WHERE id = ?")
                .param(queuedJob).update();
    }

    @Test
    @Order(4)
    void aModelWithCircuitsIsA409UntilCascadeAndAnAdminMayDeleteAnyOwnersModel() {
        JsonNode p = problem(alice.delete("/v1/models/" + model), 409, "resource-in-use");
        assertThat(p.get("references")).hasSize(1);
        assertThat(p.get("references").get(0).get("kind").asString()).isEqualTo("circuit");
        assertThat(p.get("references").get(0).get("id").asString()).isEqualTo(second);
        assertThat(p.get("references").get(0).get("status").asString()).isEqualTo("ready");
        List<String> own = artifacts(second);

        Http.Response deleted = admin.delete("/v1/models/" + model + "?cascade=true");
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        problem(alice.get("/v1/models/" + model), 404, "not-found");
        problem(alice.get("/v1/circuits/" + second), 404, "not-found");
        problem(alice.delete("/v1/models/" + model), 404, "not-found");
        // nothing refers to any of them now
        own.forEach(sha -> assertThat(stored(sha)).as(sha).isFalse());
        assertThat(jdbc.sql("SELECT count(*) FROM inferences WHERE circuit_id = ?").param(UUID.fromString(second))
                .query(Long.class).single()).isZero();
    }

    @Autowired
    DeletionService deletions;

    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    @Test
    @Order(5)
    void anInferenceRequestRacingTheDeletionOfItsCircuitWaitsAndIsA404NotA500() throws Exception {
        Http.Response upload = alice.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", credit.name()));
        model = upload.text("id");
        String third = circuit();
        assertThat(alice.awaitStatus("/v1/circuits/" + third, Set.of("ready", "failed"), DEADLINE)
                .get("status").asString()).isEqualTo("ready");
        // the deletion's transaction holds the circuit while a request for an inference comes in
        java.util.concurrent.CompletableFuture<Http.Response> request;
        var tx = new org.springframework.transaction.support.TransactionTemplate(transactions);
        java.util.concurrent.CountDownLatch deleted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch commit = new java.util.concurrent.CountDownLatch(1);
        // threads of their own (the common pool may have a single thread on a 2-core machine)
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        var deleter = java.util.concurrent.CompletableFuture.runAsync(() -> tx.executeWithoutResult(status -> {
            deletions.deleteCircuit(UUID.fromString(third));
            deleted.countDown();
            try {
                commit.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), threads);
        assertThat(deleted.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        request = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> alice.postJson("/v1/circuits/" + third + "/inferences", Map.of("input", credit.input())), threads);
        // it reaches the database and waits on the circuit's row (a lock wait, not just a slow request)
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long waiting = 0;
        while (waiting == 0 && System.nanoTime() < end && !request.isDone()) {
            Thread.sleep(50);
            waiting = jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
                    .query(Long.class).single();
        }
        assertThat(request).isNotDone();
        assertThat(waiting).isPositive();
        commit.countDown();
        deleter.get(30, java.util.concurrent.TimeUnit.SECONDS);
        problem(request.get(30, java.util.concurrent.TimeUnit.SECONDS), 404, "not-found");
        threads.shutdown();
        assertThat(jdbc.sql("SELECT count(*) FROM inferences WHERE circuit_id = ?").param(UUID.fromString(third))
                .query(Long.class).single()).isZero();
    }
}
