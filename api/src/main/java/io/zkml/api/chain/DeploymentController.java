package io.zkml.api.chain;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.support.Ids;

/**
 * {@code POST /v1/circuits/{id}/deployments} ({@code {"chain": "local"}}): deploy the circuit's
 * verifier and register it in the chain's registry; {@code GET} lists a circuit's deployments.
 */
@RestController
class DeploymentController {

    private final DeploymentService service;
    private final ChainRepository repo;

    DeploymentController(DeploymentService service, ChainRepository repo) {
        this.service = service;
        this.repo = repo;
    }

    /** A deployment as the API shows it; {@code requests} counts the oracle requests the relayer saw for it. */
    record DeploymentResponse(UUID id, UUID circuitId, String chain, long chainId, String registryAddress,
                              String oracleAddress, String verifierAddress, String registryModelId, int inputWords,
                              int outputWords, List<ChainRepository.Deployment.Step> transactions, long gasUsed,
                              ChainRepository.Deployment.Consumer consumer, java.time.Instant createdAt) {
        static DeploymentResponse of(ChainRepository.Deployment d) {
            return new DeploymentResponse(d.id(), d.circuitId(), d.chain(), d.chainId(), d.registryAddress(), d.oracleAddress(),
                    d.verifierAddress(), d.modelId().toString(), d.inputWords(), d.outputWords(), d.transactions(),
                    d.transactions().stream().mapToLong(ChainRepository.Deployment.Step::gasUsed).sum(), d.consumer(),
                    d.createdAt());
        }
    }

    record OracleRequestResponse(String requestId, String status, List<String> inputs, long deadline, long blockNumber,
                                 String requestTxHash, UUID inferenceId, String fulfilTxHash, Long fulfilGasUsed,
                                 int attempts, String error) {
        static OracleRequestResponse of(ChainRepository.OracleRequest r) {
            return new OracleRequestResponse(r.requestId().toString(), r.status(), r.inputs(), r.deadline(), r.blockNumber(),
                    r.requestTxHash(), r.inferenceId(), r.fulfilTxHash(), r.fulfilGasUsed(), r.attempts(), r.error());
        }
    }

    @PostMapping(path = "/v1/circuits/{circuitId}/deployments", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<DeploymentResponse> deploy(@PathVariable("circuitId") String circuitId, @RequestBody JsonNode body) {
        UUID circuit = Ids.parse(circuitId, "circuit");
        if (body == null || !body.isObject() || !body.path("chain").isString()) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "the body must be {\"chain\": \"<name>\"}");
        }
        java.util.Map<String, Integer> factors = null;
        JsonNode consumer = body.get("consumer");
        if (consumer != null && !consumer.isNull()) {
            if (!consumer.isObject() || !DeploymentService.LENDING_POOL.equals(consumer.path("contract").asString(""))
                    || !consumer.path("collateralFactorsBps").isObject()) {
                throw new ApiException(ProblemType.INVALID_REQUEST, "consumer must be {\"contract\": \""
                        + DeploymentService.LENDING_POOL + "\", \"collateralFactorsBps\": {\"<label>\": <0..10000>, ...}}");
            }
            factors = new java.util.LinkedHashMap<>();
            for (var e : consumer.get("collateralFactorsBps").properties()) {
                if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt()) {
                    throw new ApiException(ProblemType.INVALID_REQUEST, "consumer.collateralFactorsBps values are integers "
                            + "(basis points, 0..10000)");
                }
                factors.put(e.getKey(), e.getValue().intValue());
            }
        }
        ChainRepository.Deployment d = service.deploy(circuit, body.get("chain").asString(), factors);
        return ResponseEntity.created(URI.create("/v1/circuits/" + circuit + "/deployments/" + d.id()))
                .body(DeploymentResponse.of(d));
    }

    @GetMapping("/v1/circuits/{circuitId}/deployments")
    List<DeploymentResponse> list(@PathVariable("circuitId") String circuitId) {
        return service.list(Ids.parse(circuitId, "circuit")).stream().map(DeploymentResponse::of).toList();
    }

    /** The oracle requests the relayer has seen for one deployment, with what it did about each. */
    @GetMapping("/v1/circuits/{circuitId}/deployments/{deploymentId}/requests")
    List<OracleRequestResponse> requests(@PathVariable("circuitId") String circuitId,
                                         @PathVariable("deploymentId") String deploymentId) {
        UUID circuit = Ids.parse(circuitId, "circuit");
        UUID id = Ids.parse(deploymentId, "deployment");
        ChainRepository.Deployment d = repo.deployment(id).filter(x -> x.circuitId().equals(circuit))
                .orElseThrow(() -> ApiException.notFound("deployment", deploymentId));
        return repo.requestsOf(d.id()).stream().map(OracleRequestResponse::of).toList();
    }
}
