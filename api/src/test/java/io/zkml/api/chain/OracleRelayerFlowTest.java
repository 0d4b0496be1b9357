package io.zkml.api.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;
import io.zkml.contracts.AnvilNode;
import io.zkml.contracts.ContractsToolchain;
import io.zkml.contracts.EvmContract;
import io.zkml.contracts.SolidityCompiler;
import io.zkml.contracts.ZkmlContracts;

/**
 * The chain side end to end on a real anvil and a real service: the credit-risk demo is uploaded
 * and compiled, {@code POST /v1/circuits/{id}/deployments} deploys its verifier and registers it, a
 * lending pool is deployed against the service's oracle, a borrower requests a risk assessment on
 * chain, and the service's relayer proves and fulfils it: the pool's collateral factor changes.
 * Then the relayer is stopped, requests pile up, and after a restart every one is fulfilled exactly
 * once (one {@code InferenceFulfilled} each, one transaction each).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OracleRelayerFlowTest {

    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final Path DEMO = repositoryRoot().resolve("examples/credit-risk");
    /** Collateral factor per class index of the demo's labels [high, low, medium]. */
    private static final List<Integer> FACTORS = List.of(3_000, 8_000, 6_000);
    private static final List<String> LABELS = List.of("high", "low", "medium");
    private static AnvilNode anvil;
    private static Path stateFile;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        try {
            stateFile = Files.createTempDirectory("zkml-anvil").resolve("state.json");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        anvil = AnvilNode.start(ContractsToolchain.locate(), true, 0, 1, stateFile);
        registry.add("zkml.chain.enabled", () -> "true");
        registry.add("zkml.chain.rpc-url", anvil::rpcUrl);
        registry.add("zkml.chain.chain-id", () -> String.valueOf(anvil.chainId()));
        registry.add("zkml.chain.signer.private-key", () -> AnvilNode.DEV_PRIVATE_KEYS.getFirst());
        registry.add("zkml.chain.deploy-contracts", () -> "true");
        registry.add("zkml.chain.confirmations", () -> "1");
        registry.add("zkml.chain.poll-interval", () -> "200ms");
    }

    @LocalServerPort
    int port;

    @Autowired
    Relayer relayer;

    @Autowired
    ChainRuntime chain;

    Http http;
    String modelId;
    String circuitId;
    JsonNode deployment;
    ZkmlContracts contracts;
    EvmContract pool;
    EvmContract oracle;
    List<List<BigInteger>> cases = new ArrayList<>();
    List<Integer> classes = new ArrayList<>();

    @BeforeAll
    void uploadCompileAndDeploy() throws Exception {
        http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", Files.readAllBytes(DEMO.resolve("model.tribuo")),
                "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        Http.Response created = http.postJson("/v1/models/" + upload.text("id") + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        circuitId = created.text("id");
        modelId = upload.text("id");
        JsonNode circuit = http.awaitStatus("/v1/circuits/" + circuitId, Set.of("ready", "failed"), DEADLINE);
        assertThat(circuit.get("status").asString()).as(circuit.toString()).isEqualTo("ready");
        for (JsonNode c : Http.json().readTree(DEMO.resolve("circuit.cases.json").toFile()).get("cases")) {
            List<BigInteger> in = new ArrayList<>();
            c.get("input").forEach(v -> in.add(new BigInteger(v.asString())));
            cases.add(in);
            classes.add(c.get("output").get(0).asInt());
        }

        Map<String, Object> factors = new LinkedHashMap<>();
        for (int i = 0; i < LABELS.size(); i++) {
            factors.put(LABELS.get(i), FACTORS.get(i));
        }
        Http.Response d = http.postJson("/v1/circuits/" + circuitId + "/deployments", Map.of("chain", "local",
                "consumer", Map.of("contract", "RiskBasedLendingPool", "collateralFactorsBps", factors)));
        assertThat(d.status()).as(d.toString()).isEqualTo(201);
        deployment = d.json();
        System.out.printf("[gas] deployment: %s%n", deployment.get("transactions"));

        contracts = new ZkmlContracts(SolidityCompiler.locate());
        connectContracts();
    }

    private void connectContracts() {
        oracle = EvmContract.at(anvil, contracts.oracle(), deployment.get("oracleAddress").asString())
                .knowingErrorsOf(contracts.registry());
        pool = EvmContract.at(anvil, contracts.lendingPool(), deployment.get("consumer").get("address").asString());
    }

    @AfterAll
    void stopAnvil() {
        if (anvil != null) {
            anvil.close();
        }
    }

    @Test
    @Order(1)
    void theDeploymentIsListedAndBadChainsAreRefused() {
        assertThat(deployment.get("verifierAddress").asString()).startsWith("0x");
        assertThat(deployment.get("transactions")).hasSize(3);
        assertThat(deployment.get("transactions").get(2).get("step").asString()).isEqualTo("deployConsumer");
        assertThat(deployment.get("consumer").get("contract").asString()).isEqualTo("RiskBasedLendingPool");
        assertThat(chain.client().codeSize(deployment.get("consumer").get("address").asString())).isPositive();
        BigInteger poolModel = pool.callSingle(new Function("modelId", List.of(), List.of(new TypeReference<Uint256>() { })));
        assertThat(poolModel.toString()).isEqualTo(deployment.get("registryModelId").asString());
        // GET /v1/chain: the addresses a requester needs
        JsonNode info = http.get("/v1/chain").json();
        assertThat(info.get("enabled").asBoolean()).isTrue();
        assertThat(info.get("chainId").asLong()).isEqualTo(anvil.chainId());
        assertThat(info.get("oracleAddress").asString()).isEqualToIgnoringCase(deployment.get("oracleAddress").asString());
        assertThat(info.get("registryAddress").asString()).isEqualToIgnoringCase(deployment.get("registryAddress").asString());
        assertThat(info.has("rpcUrl")).as("the RPC URL of a node the service did not start is not shown").isFalse();
        // a consumer that does not name every label once is refused before anything is sent
        Http.Response badConsumer = http.postJson("/v1/circuits/" + circuitId + "/deployments", Map.of("chain", "local",
                "consumer", Map.of("contract", "RiskBasedLendingPool", "collateralFactorsBps", Map.of("low", 8000, "bogus", 1))));
        assertThat(badConsumer.status()).as(badConsumer.toString()).isEqualTo(400);
        assertThat(badConsumer.text("detail")).contains("missing [high, medium]").contains("unknown");
        assertThat(deployment.get("inputWords").asInt()).isEqualTo(5);
        assertThat(deployment.get("outputWords").asInt()).isEqualTo(1);
        Http.Response list = http.get("/v1/circuits/" + circuitId + "/deployments");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json()).hasSize(1);
        assertThat(list.json().get(0).get("consumer").get("address").asString())
                .isEqualTo(deployment.get("consumer").get("address").asString());
        Http.Response bad = http.postJson("/v1/circuits/" + circuitId + "/deployments", Map.of("chain", "mainnet"));
        assertThat(bad.status()).as(bad.toString()).isEqualTo(422);
        assertThat(bad.text("type")).isEqualTo("urn:zkml:problem:chain-not-configured");
        Http.Response malformed = http.postJson("/v1/circuits/" + circuitId + "/deployments", Map.of("network", 1));
        assertThat(malformed.status()).isEqualTo(400);
    }

    @Test
    @Order(2)
    void aRequestOnChainIsProvenAndFulfilledByTheService() {
        String borrower = anvil.accounts().get(2);
        EvmContract.Tx req = pool.send(borrower, requestRiskAssessment(field(cases.get(0)), deadline(600)));
        assertThat(req.gasUsed()).isPositive();
        int expected = classes.get(0);
        await(() -> factorOf(borrower) == FACTORS.get(expected), "the pool's collateral factor for " + borrower);
        JsonNode requests = await(() -> requests(), r -> r.size() == 1 && r.get(0).get("status").asString().equals("fulfilled"));
        JsonNode r = requests.get(0);
        assertThat(r.get("fulfilTxHash").asString()).startsWith("0x");
        assertThat(r.get("attempts").asInt()).isEqualTo(1);
        System.out.printf("[gas] fulfil by the relayer (Groth16 verify + record + pool callback): %d%n", r.get("fulfilGasUsed").asLong());
        Http.Response inf = http.get("/v1/inferences/" + r.get("inferenceId").asString());
        assertThat(inf.json().get("status").asString()).isEqualTo("succeeded");
    }

    @Test
    @Order(3)
    void requestsMadeWhileTheRelayerIsStoppedAreEachFulfilledOnceAfterARestart() {
        relayer.stop();
        List<String> borrowers = List.of(anvil.accounts().get(3), anvil.accounts().get(4), anvil.accounts().get(5));
        for (int i = 0; i < borrowers.size(); i++) {
            pool.send(borrowers.get(i), requestRiskAssessment(field(cases.get(i % cases.size())), deadline(600)));
        }
        relayer.start();
        for (int i = 0; i < borrowers.size(); i++) {
            String b = borrowers.get(i);
            int expected = FACTORS.get(classes.get(i % cases.size()));
            await(() -> factorOf(b) == expected, "factor of " + b);
        }
        JsonNode all = await(this::requests, r -> r.size() == 4 && allFulfilled(r));
        for (JsonNode r : all) {
            assertThat(r.get("attempts").asInt()).as(r.toString()).isEqualTo(1);
        }
        // on chain: exactly one InferenceFulfilled per request
        Map<BigInteger, Integer> fulfilled = new HashMap<>();
        for (Log l : oracleLogs("InferenceFulfilled")) {
            fulfilled.merge(new BigInteger(l.getTopics().get(1).substring(2), 16), 1, Integer::sum);
        }
        assertThat(fulfilled).hasSize(4).allSatisfy((id, n) -> assertThat(n).as("request " + id).isEqualTo(1));
    }

    @Test
    @Order(4)
    void aNodeThatIsDownForAWhileOnlyDelaysTheRelayer() throws Exception {
        relayer.stop();
        String borrower = anvil.accounts().get(1);
        int expected = FACTORS.get(classes.get(1 % cases.size()));
        pool.send(borrower, requestRiskAssessment(field(cases.get(1 % cases.size())), deadline(600)));
        int port = anvil.port();
        anvil.close(); // anvil writes its state on a graceful exit
        relayer.start();
        long passes = relayer.passes();
        await(() -> relayer.passes() >= passes + 3, "relayer passes while the node is down");
        assertThat(relayer.isRunning()).isTrue();
        anvil = AnvilNode.start(ContractsToolchain.locate(), true, port, 1, stateFile);
        connectContracts();
        await(() -> factorOf(borrower) == expected, "factor of " + borrower + " after the node came back");
        JsonNode all = await(this::requests, r -> r.size() == 5 && allFulfilled(r));
        assertThat(all).allSatisfy(r -> assertThat(r.get("attempts").asInt()).as(r.toString()).isEqualTo(1));
    }

    @Test
    @Order(5)
    void theCliRequestsOnChainAndReadsThePool() {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int rc = io.zkml.cli.Zkml.execute(new String[] {"chain", "request", "--service", "http://localhost:" + port,
                "--circuit", circuitId, "--rpc-url", anvil.rpcUrl(), "--input", DEMO.resolve("input.json").toString(),
                "--dev-account", "3", "--wait", "120"}, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        assertThat(rc).as(err.toString()).isZero();
        JsonNode r = Http.json().readTree(out.toString());
        assertThat(r.get("fulfilment").get("label").asString()).isIn(LABELS);
        int expected = FACTORS.get(LABELS.indexOf(r.get("fulfilment").get("label").asString()));
        assertThat(r.get("collateralFactorBps").asInt()).isEqualTo(expected);
        assertThat(r.get("requester").asString()).isEqualToIgnoringCase(anvil.accounts().get(3));
        assertThat(factorOf(anvil.accounts().get(3))).isEqualTo(expected);
        // without a key: exit 2 and one line
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        int noKey = io.zkml.cli.Zkml.execute(new String[] {"chain", "pool", "--service", "http://localhost:" + port,
                "--circuit", circuitId, "--rpc-url", anvil.rpcUrl()}, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        assertThat(noKey).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("zkml: error: no signing key").doesNotContain("\n");
    }

    @Test
    @Order(6)
    void hashedInputsGoOnChainAsTheirCommitmentOnly() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        body.put("visibility", Map.of("input", "hashed"));
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String hashed = created.text("id");
        JsonNode circuit = http.awaitStatus("/v1/circuits/" + hashed, Set.of("ready", "failed"), DEADLINE);
        assertThat(circuit.get("status").asString()).as(circuit.toString()).isEqualTo("ready");
        Map<String, Object> factors = new LinkedHashMap<>();
        for (int i = 0; i < LABELS.size(); i++) {
            factors.put(LABELS.get(i), FACTORS.get(i));
        }
        Http.Response d = http.postJson("/v1/circuits/" + hashed + "/deployments", Map.of("chain", "local",
                "consumer", Map.of("contract", "RiskBasedLendingPool", "collateralFactorsBps", factors)));
        assertThat(d.status()).as(d.toString()).isEqualTo(201);
        JsonNode dep = d.json();
        assertThat(dep.get("inputWords").asInt()).as("one word: the commitment").isEqualTo(1);
        EvmContract hashedPool = EvmContract.at(anvil, contracts.lendingPool(), dep.get("consumer").get("address").asString());

        // the CLI: input and salt to the service, only the commitment on chain; the relayer answers with that proof
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int rc = io.zkml.cli.Zkml.execute(new String[] {"chain", "request", "--service", "http://localhost:" + port,
                "--circuit", hashed, "--rpc-url", anvil.rpcUrl(), "--input", DEMO.resolve("input.json").toString(),
                "--dev-account", "1", "--wait", "120"}, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        assertThat(rc).as(err.toString()).isZero();
        JsonNode r = Http.json().readTree(out.toString());
        String commitment = r.get("commitment").asString();
        assertThat(r.get("inputs")).hasSize(1);
        assertThat(r.get("inputs").get(0).asString()).isEqualTo(commitment);
        int expected = FACTORS.get(LABELS.indexOf(r.get("fulfilment").get("label").asString()));
        BigInteger f = hashedPool.callSingle(new Function("collateralFactorBps", List.of(new Address(anvil.accounts().get(1))),
                List.of(new TypeReference<Uint16>() { })));
        assertThat(f.intValue()).isEqualTo(expected);
        JsonNode inf = http.get("/v1/inferences/" + r.get("inferenceId").asString()).json();
        assertThat(inf.get("commitment").asString()).isEqualTo(commitment);
        assertThat(inf.has("input")).as("the hidden input is never shown").isFalse();
        JsonNode seen = await(() -> http.get("/v1/circuits/" + hashed + "/deployments/" + dep.get("id").asString() + "/requests").json(),
                x -> x.size() == 1 && allFulfilled(x)); // the relayer's confirm pass may trail the event
        System.out.printf("[gas] hashed inputs: registerModel %d, pool requestRiskAssessment (1 commitment word) %d, "
                + "fulfil with callback %d%n", dep.get("transactions").get(1).get("gasUsed").asLong(), r.get("gasUsed").asLong(),
                seen.get(0).get("fulfilGasUsed").asLong());
        assertThat(seen.get(0).get("inputs").get(0).asString()).isEqualTo(commitment);

        // a changed commitment: its own request, and the real proof of the other commitment, reverts
        BigInteger changed = new BigInteger(commitment).add(BigInteger.ONE);
        BigInteger hashedModel = new BigInteger(dep.get("registryModelId").asString());
        EvmContract.Tx req = oracle.send(anvil.accounts().get(2), new Function("requestInference", List.<Type>of(
                new Uint256(hashedModel), new DynamicArray<>(Uint256.class, List.of(new Uint256(changed))),
                Address.DEFAULT, new Uint64(deadline(600)), new org.web3j.abi.datatypes.generated.Uint32(0)),
                List.of(new TypeReference<Uint256>() { })));
        BigInteger requestId = new BigInteger(req.logs().getFirst().getTopics().get(1).substring(2), 16);
        List<BigInteger> pub = new ArrayList<>();
        inf.get("publicInputs").forEach(v -> pub.add(new BigInteger(v.asString())));
        byte[] proof = java.util.HexFormat.of().parseHex(inf.get("proof").asString().substring(2));
        assertRevert(() -> oracle.send(anvil.accounts().get(2), fulfil(requestId, List.of(changed), pub.subList(1, pub.size()), proof)),
                "ProofRejected");
        assertRevert(() -> oracle.send(anvil.accounts().get(2), fulfil(requestId, pub.subList(0, 1), pub.subList(1, pub.size()), proof)),
                "InputsMismatch");
        // ... and the same commitment cannot be requested twice (its salt is the request's nonce)
        assertRevert(() -> oracle.send(anvil.accounts().get(2), new Function("requestInference", List.<Type>of(
                new Uint256(hashedModel), new DynamicArray<>(Uint256.class, List.of(new Uint256(new BigInteger(commitment)))),
                Address.DEFAULT, new Uint64(deadline(600)), new org.web3j.abi.datatypes.generated.Uint32(0)), List.of())),
                "CommitmentAlreadyRequested");
    }

    @Test
    @Order(7)
    void aReorgDeeperThanTheConfirmationsIsScannedAgain() throws Exception {
        relayer.stop();
        String snapshot = rpc("evm_snapshot", List.of());
        String a = anvil.accounts().get(4);
        String b = anvil.accounts().get(5);
        int before = requests().size();
        EvmContract.Tx reqA = pool.send(a, requestRiskAssessment(field(cases.get(0)), deadline(600)));
        long blockA = reqA.blockNumber();
        await(() -> chain.client().blockNumber() >= blockA + 2, "blocks over request A");
        relayer.pass(); // scans (and records A) without submitting: the relayer is stopped
        assertThat(requests().size()).isEqualTo(before + 1);
        // the chain drops A's block and more (deeper than the 1 confirmation); B takes A's request id
        assertThat(rpc("evm_revert", List.of(snapshot))).isEqualTo("true");
        int classB = classes.get(1 % cases.size());
        EvmContract.Tx reqB = pool.send(b, requestRiskAssessment(field(cases.get(1 % cases.size())), deadline(600)));
        BigInteger id = new BigInteger(reqB.logs().stream().filter(l -> l.getAddress().equalsIgnoreCase(oracle.address()))
                .findFirst().orElseThrow().getTopics().get(1).substring(2), 16);
        relayer.start();
        JsonNode rows = await(this::requests, r -> r.size() == before + 1 && allFulfilled(r));
        JsonNode last = rows.get(rows.size() - 1);
        assertThat(last.get("requestId").asString()).isEqualTo(id.toString());
        assertThat(last.get("requestTxHash").asString()).as("the row is B's request now").isEqualTo(reqB.hash());
        assertThat(factorOf(b)).isEqualTo(FACTORS.get(classB));
        long fulfilments = oracleLogs("InferenceFulfilled").stream()
                .filter(l -> new BigInteger(l.getTopics().get(1).substring(2), 16).equals(id)).count();
        assertThat(fulfilments).isEqualTo(1);
    }

    @Test
    @Order(8)
    void aPlonkCircuitIsDeployedAndItsRequestsFulfilled() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        body.put("provingSystem", "plonk");
        body.put("setup", Map.of("trust", "local-unsafe"));
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String plonk = created.text("id");
        JsonNode circuit = http.awaitStatus("/v1/circuits/" + plonk, Set.of("ready", "failed"), DEADLINE);
        assertThat(circuit.get("status").asString()).as(circuit.toString()).isEqualTo("ready");
        Map<String, Object> factors = new LinkedHashMap<>();
        for (int i = 0; i < LABELS.size(); i++) {
            factors.put(LABELS.get(i), FACTORS.get(i));
        }
        Http.Response d = http.postJson("/v1/circuits/" + plonk + "/deployments", Map.of("chain", "local",
                "consumer", Map.of("contract", "RiskBasedLendingPool", "collateralFactorsBps", factors)));
        assertThat(d.status()).as(d.toString()).isEqualTo(201);
        JsonNode dep = d.json();
        BigInteger plonkModel = new BigInteger(dep.get("registryModelId").asString());
        EvmContract registry = EvmContract.at(anvil, contracts.registry(), dep.get("registryAddress").asString());
        List<Type> model = registry.call(new Function("model", List.of(new Uint256(plonkModel)), List.of(
                new TypeReference<org.web3j.abi.datatypes.generated.Bytes32>() { },
                new TypeReference<org.web3j.abi.datatypes.generated.Bytes32>() { },
                new TypeReference<org.web3j.abi.datatypes.generated.Bytes32>() { },
                new TypeReference<org.web3j.abi.datatypes.generated.Uint8>() { })));
        assertThat(((BigInteger) model.get(3).getValue()).intValue()).as("registered as PLONK").isEqualTo(2);
        EvmContract plonkPool = EvmContract.at(anvil, contracts.lendingPool(), dep.get("consumer").get("address").asString());
        String plonkRequests = "/v1/circuits/" + plonk + "/deployments/" + dep.get("id").asString() + "/requests";

        // a request through the pool: the relayer proves it with PLONK and fulfils with the proof's Solidity part
        String borrower = anvil.accounts().get(3);
        plonkPool.send(borrower, requestRiskAssessment(field(cases.get(0)), deadline(600)));
        JsonNode seen = await(() -> http.get(plonkRequests).json(), x -> x.size() == 1 && allFulfilled(x));
        BigInteger f = plonkPool.callSingle(new Function("collateralFactorBps", List.of(new Address(borrower)),
                List.of(new TypeReference<Uint16>() { })));
        assertThat(f.intValue()).isEqualTo(FACTORS.get(classes.get(0)));
        System.out.printf("[gas] PLONK: deployVerifier %d, registerModel %d, fulfil by the relayer (PLONK verify + record + "
                + "pool callback) %d%n", dep.get("transactions").get(0).get("gasUsed").asLong(),
                dep.get("transactions").get(1).get("gasUsed").asLong(), seen.get(0).get("fulfilGasUsed").asLong());

        // a tampered PLONK proof: the verifier returns false, the oracle reverts ProofRejected
        JsonNode inf = http.get("/v1/inferences/" + seen.get(0).get("inferenceId").asString()).json();
        byte[] proof = java.util.HexFormat.of().parseHex(inf.get("proof").asString().substring(2));
        assertThat(proof.length).isEqualTo(800);
        List<BigInteger> pub = new ArrayList<>();
        inf.get("publicInputs").forEach(v -> pub.add(new BigInteger(v.asString())));
        relayer.stop();
        try {
            EvmContract.Tx req = oracle.send(anvil.accounts().get(1), new Function("requestInference", List.<Type>of(
                    new Uint256(plonkModel), new DynamicArray<>(Uint256.class, pub.subList(0, 5).stream().map(Uint256::new).toList()),
                    Address.DEFAULT, new Uint64(deadline(600)), new org.web3j.abi.datatypes.generated.Uint32(0)),
                    List.of(new TypeReference<Uint256>() { })));
            BigInteger requestId = new BigInteger(req.logs().getFirst().getTopics().get(1).substring(2), 16);
            byte[] tampered = java.util.Arrays.copyOf(proof, 768);
            tampered[12 * 32 + 31] ^= 1; // a bit of l(zeta)
            assertRevert(() -> oracle.send(anvil.accounts().get(1), fulfil(requestId, pub.subList(0, 5), pub.subList(5, pub.size()),
                    tampered)), "ProofRejected");
        } finally {
            relayer.start();
        }
        await(() -> http.get(plonkRequests).json(), x -> x.size() == 2 && allFulfilled(x));
    }

    @Test
    @Order(9)
    void aLookupCircuitIsDeployedAndItsRequestsFulfilled() throws Exception {
        // issue 7: "rangeCheck": "lookup" (Groth16 with a BSB22 commitment, 384-byte proofs) deploys and registers as
        // Groth16 does (proofSystemId 1); the relayer fulfils with the whole proof; a tampered commitment is rejected
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        body.put("rangeCheck", "lookup");
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String lookup = created.text("id");
        JsonNode circuit = http.awaitStatus("/v1/circuits/" + lookup, Set.of("ready", "failed"), DEADLINE);
        assertThat(circuit.get("status").asString()).as(circuit.toString()).isEqualTo("ready");
        Map<String, Object> factors = new LinkedHashMap<>();
        for (int i = 0; i < LABELS.size(); i++) {
            factors.put(LABELS.get(i), FACTORS.get(i));
        }
        Http.Response d = http.postJson("/v1/circuits/" + lookup + "/deployments", Map.of("chain", "local",
                "consumer", Map.of("contract", "RiskBasedLendingPool", "collateralFactorsBps", factors)));
        assertThat(d.status()).as(d.toString()).isEqualTo(201);
        JsonNode dep = d.json();
        BigInteger lookupModel = new BigInteger(dep.get("registryModelId").asString());
        EvmContract pool = EvmContract.at(anvil, contracts.lendingPool(), dep.get("consumer").get("address").asString());
        String requests = "/v1/circuits/" + lookup + "/deployments/" + dep.get("id").asString() + "/requests";
        String borrower = anvil.accounts().get(4);
        pool.send(borrower, requestRiskAssessment(field(cases.get(0)), deadline(600)));
        JsonNode seen = await(() -> http.get(requests).json(), x -> x.size() == 1 && allFulfilled(x));
        BigInteger f = pool.callSingle(new Function("collateralFactorBps", List.of(new Address(borrower)),
                List.of(new TypeReference<Uint16>() { })));
        assertThat(f.intValue()).isEqualTo(FACTORS.get(classes.get(0)));
        System.out.printf("[gas] groth16+lookup: deployVerifier %d, registerModel %d, fulfil by the relayer %d%n",
                dep.get("transactions").get(0).get("gasUsed").asLong(), dep.get("transactions").get(1).get("gasUsed").asLong(),
                seen.get(0).get("fulfilGasUsed").asLong());

        JsonNode inf = http.get("/v1/inferences/" + seen.get(0).get("inferenceId").asString()).json();
        byte[] proof = java.util.HexFormat.of().parseHex(inf.get("proof").asString().substring(2));
        assertThat(proof.length).isEqualTo(384);
        List<BigInteger> pub = new ArrayList<>();
        inf.get("publicInputs").forEach(v -> pub.add(new BigInteger(v.asString())));
        relayer.stop();
        try {
            EvmContract.Tx req = oracle.send(anvil.accounts().get(1), new Function("requestInference", List.<Type>of(
                    new Uint256(lookupModel), new DynamicArray<>(Uint256.class, pub.subList(0, 5).stream().map(Uint256::new).toList()),
                    Address.DEFAULT, new Uint64(deadline(600)), new org.web3j.abi.datatypes.generated.Uint32(0)),
                    List.of(new TypeReference<Uint256>() { })));
            BigInteger requestId = new BigInteger(req.logs().getFirst().getTopics().get(1).substring(2), 16);
            byte[] tampered = proof.clone();
            tampered[256 + 31] ^= 1; // the commitment's x
            assertRevert(() -> oracle.send(anvil.accounts().get(1), fulfil(requestId, pub.subList(0, 5), pub.subList(5, pub.size()),
                    tampered)), "ProofRejected");
        } finally {
            relayer.start();
        }
        await(() -> http.get(requests).json(), x -> x.size() == 2 && allFulfilled(x));
    }

    private String rpc(String method, List<Object> params) throws IOException {
        return String.valueOf(new org.web3j.protocol.core.Request<>(method, params,
                new org.web3j.protocol.http.HttpService(anvil.rpcUrl()), RawResponse.class).send().getResult());
    }

    /** A JSON-RPC answer whose result is shown as text. */
    public static final class RawResponse extends org.web3j.protocol.core.Response<Object> {
    }

    private static void assertRevert(Runnable call, String errorName) {
        org.assertj.core.api.Assertions.assertThatThrownBy(call::run).isInstanceOfSatisfying(EvmContract.Reverted.class,
                e -> assertThat(e.errorName()).as(e.getMessage()).isEqualTo(errorName));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Function fulfil(BigInteger requestId, List<BigInteger> inputs, List<BigInteger> outputs, byte[] proof) {
        return new Function("fulfil", (List<Type>) (List) List.of(new Uint256(requestId),
                new DynamicArray<>(Uint256.class, inputs.stream().map(Uint256::new).toList()),
                new DynamicArray<>(Uint256.class, outputs.stream().map(Uint256::new).toList()),
                new org.web3j.abi.datatypes.DynamicBytes(proof)), List.of(new TypeReference<Uint256>() { }));
    }

    // --- helpers --------------------------------------------------------------------------

    private static boolean allFulfilled(JsonNode r) {
        for (JsonNode x : r) {
            if (!x.get("status").asString().equals("fulfilled")) {
                return false;
            }
        }
        return true;
    }

    private JsonNode requests() {
        Http.Response r = http.get("/v1/circuits/" + circuitId + "/deployments/" + deployment.get("id").asString() + "/requests");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private int factorOf(String borrower) {
        BigInteger f = pool.callSingle(new Function("collateralFactorBps", List.of(new Address(borrower)),
                List.of(new TypeReference<Uint16>() { })));
        return f.intValue();
    }

    private List<Log> oracleLogs(String event) {
        org.web3j.abi.datatypes.Event e = new org.web3j.abi.datatypes.Event(event, List.of(
                new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>() { },
                new TypeReference<DynamicArray<Uint256>>() { }, new TypeReference<Address>() { },
                new TypeReference<org.web3j.abi.datatypes.Bool>() { }));
        EthFilter f = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.ZERO),
                org.web3j.protocol.core.DefaultBlockParameterName.LATEST, oracle.address());
        f.addSingleTopic(EventEncoder.encode(e));
        try {
            EthLog logs = anvil.web3j().ethGetLogs(f).send();
            return logs.getLogs().stream().map(l -> (Log) l.get()).toList();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private long deadline(long seconds) {
        return chain.client().latestTimestamp() + seconds;
    }

    private static List<BigInteger> field(List<BigInteger> signed) {
        return signed.stream().map(io.zkml.prover.Bn254::toField).toList();
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Function requestRiskAssessment(List<BigInteger> inputs, long deadline) {
        return new Function("requestRiskAssessment", (List<Type>) (List) List.of(
                new DynamicArray<>(Uint256.class, inputs.stream().map(Uint256::new).toList()), new Uint64(deadline)),
                List.of(new TypeReference<Uint256>() { }));
    }

    private static void await(BooleanSupplier condition, String what) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            sleep();
        }
    }

    private static JsonNode await(java.util.function.Supplier<JsonNode> get, java.util.function.Predicate<JsonNode> done) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            JsonNode v = get.get();
            if (done.test(v)) {
                return v;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out; last: " + v);
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("examples"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
