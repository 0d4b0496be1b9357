package io.zkml.api.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import io.zkml.api.circuits.CircuitService;
import io.zkml.api.models.ModelService;
import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;
import io.zkml.contracts.CompiledContract;
import io.zkml.contracts.SolidityCompiler;

/**
 * Issue 9 (ADR 0022, ADR 0027): {@code POST /v1/circuits/{id}/deployments} holds its circuit
 * {@code FOR KEY SHARE} from the first read until the deployment's row is committed, the lock an
 * inference's POST takes. A {@code DELETE} of the circuit that comes in while the deployment talks
 * to the chain waits for it (a lock wait) and then finds the deployment: 409 {@code resource-in-use}
 * naming it, the circuit kept; without the lock it would have deleted the circuit under a verifier
 * registered on chain. The chain is a stand-in (mocked client and compiler), the rest is the
 * service's own: its circuit, its transactions, its deletion over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeploymentDeletionLockTest {

    private static final String REGISTRY = "0x00000000000000000000000000000000000000aa";
    private static final String VERIFIER = "0x00000000000000000000000000000000000000bb";

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ChainRepository chainRepository;

    @Autowired
    CircuitService circuits;

    @Autowired
    ModelService models;

    @Autowired
    TransactionTemplate tx;

    Http http;
    String circuit;

    @BeforeAll
    void aReadyCircuit() {
        http = new Http(port);
        TestModels.Example credit = TestModels.creditRisk();
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", credit.name()));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Http.Response r = http.postJson("/v1/models/" + upload.text("id") + "/circuits",
                Map.of("quantization", credit.quantization()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        circuit = r.text("id");
        JsonNode done = http.awaitStatus("/v1/circuits/" + circuit, Set.of("ready", "failed"), Duration.ofSeconds(180));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("ready");
    }

    private static TransactionReceipt receipt(String contractAddress, List<Log> logs) {
        TransactionReceipt t = new TransactionReceipt();
        t.setTransactionHash("0x" + "11".repeat(32));
        t.setContractAddress(contractAddress);
        t.setGasUsed("0x5208");
        t.setBlockNumber("0x7");
        t.setLogs(logs);
        return t;
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDeletionDuringADeploymentWaitsForItAndThenFindsTheDeployment() throws Exception {
        CountDownLatch registering = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ChainRuntime rt = mock(ChainRuntime.class);
        SolidityCompiler solc = mock(SolidityCompiler.class);
        CompiledContract verifier = mock(CompiledContract.class);
        ChainClient client = mock(ChainClient.class);
        when(rt.name()).thenReturn("anvil");
        when(rt.solc()).thenReturn(solc);
        when(rt.client()).thenReturn(client);
        when(rt.registryAddress()).thenReturn(REGISTRY);
        when(rt.oracleAddress()).thenReturn("0x00000000000000000000000000000000000000cc");
        when(solc.compile(anyString(), anyString(), anyString())).thenReturn(verifier);
        when(verifier.creationBytecodeHex()).thenReturn("0x6000");
        when(client.chainId()).thenReturn(31337L);
        when(client.transact(isNull(), eq("0x6000"), any(BigInteger.class), any(Duration.class)))
                .thenReturn(receipt(VERIFIER, List.of()));
        Log registered = new Log();
        registered.setAddress(REGISTRY);
        registered.setTopics(List.of(OracleAbi.MODEL_REGISTERED_TOPIC, "0x" + "0".repeat(63) + "9"));
        when(client.transact(eq(REGISTRY), anyString(), any(BigInteger.class), any(Duration.class))).thenAnswer(inv -> {
            registering.countDown();
            release.await(60, TimeUnit.SECONDS); // the chain takes its time: the DELETE comes in now
            return receipt(null, List.of(registered));
        });
        ObjectProvider<ChainRuntime> provider = mock(ObjectProvider.class);
        when(provider.getIfAvailable()).thenReturn(rt);
        DeploymentService deployments = new DeploymentService(provider, chainRepository, circuits, models, tx);

        ExecutorService threads = Executors.newFixedThreadPool(2);
        CompletableFuture<ChainRepository.Deployment> deploying = CompletableFuture.supplyAsync(
                () -> deployments.deploy(UUID.fromString(circuit), "anvil"), threads);
        assertThat(registering.await(60, TimeUnit.SECONDS)).as("the deployment reached the chain").isTrue();
        CompletableFuture<Http.Response> deleting = CompletableFuture.supplyAsync(
                () -> http.delete("/v1/circuits/" + circuit), threads);
        // the DELETE reaches the database and waits on the circuit's row (a lock wait)
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long waiting = 0;
        while (waiting == 0 && System.nanoTime() < end && !deleting.isDone()) {
            Thread.sleep(50);
            waiting = jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND datname = current_database()").query(Long.class).single();
        }
        assertThat(deleting).as("the DELETE waits for the deployment").isNotDone();
        assertThat(waiting).isPositive();

        release.countDown();
        ChainRepository.Deployment d = deploying.get(60, TimeUnit.SECONDS);
        assertThat(d.verifierAddress()).isEqualToIgnoringCase(VERIFIER);
        Http.Response deleted = deleting.get(60, TimeUnit.SECONDS);
        threads.shutdown();
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(409);
        assertThat(deleted.json().get("type").asString()).isEqualTo("urn:zkml:problem:resource-in-use");
        assertThat(deleted.json().get("references").get(0).get("kind").asString()).isEqualTo("deployment");
        assertThat(deleted.json().get("references").get(0).get("id").asString()).isEqualTo(d.id().toString());
        assertThat(http.get("/v1/circuits/" + circuit).status()).isEqualTo(200);
    }
}
