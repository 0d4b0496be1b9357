package io.zkml.api.ceremony;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

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
 * {@code /v1/circuits/{id}/ceremony}: a Groth16 circuit's ceremony (issue 7, docs/trust-model.md).
 */
@RestController
class CeremonyController {

    private final CeremonyService service;

    CeremonyController(CeremonyService service) {
        this.service = service;
    }

    /** One state of the chain. */
    record StateResponse(int index, String contributor, String sha256, String url, Instant createdAt) {
    }

    /**
     * A ceremony as GET shows it.
     *
     * @param status {@code awaiting_contributions} or {@code finalized}
     * @param contributions uploaded contributions so far (not the initial state, not the service's)
     * @param states the whole chain: index 0 the initial state, 1 the service's contribution, then the uploads
     * @param next what a contributor does next (while open)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CeremonyResponse(UUID circuitId, String circuitHash, String status, int minContributions, int contributions,
                            String latestStateSha256, String srsSha256, int srsPower, String phase1Sha256,
                            List<StateResponse> states, String beacon, Instant finalizedAt, String verifyingKeyHash,
                            List<String> next, Map<String, String> links) {
    }

    private static CeremonyResponse response(CeremonyService.View v) {
        String base = "/v1/circuits/" + v.circuit().id() + "/ceremony";
        List<StateResponse> states = new ArrayList<>();
        v.states().forEach(s -> states.add(new StateResponse(s.index(), s.contributor(), s.stateSha256(),
                base + "/states/" + s.index(), s.createdAt())));
        boolean open = v.ceremony().finalizedAt() == null;
        List<String> next = open ? List.of(
                "download the latest state: GET " + base + "/state (its SHA-256 must be latestStateSha256)",
                "contribute offline: zkml ceremony contribute --state state.bin --out contribution.bin",
                "upload it: POST " + base + "/contributions (body: contribution.bin, application/octet-stream)",
                v.external() < v.ceremony().minContributions()
                        ? "after " + v.ceremony().minContributions() + " contribution(s): POST " + base
                        + "/finalize {\"beacon\": \"<hex of a block hash mined after the last contribution>\"}"
                        : "the minimum is reached: POST " + base + "/finalize {\"beacon\": \"<hex of a block hash mined after the last contribution>\"}")
                : null;
        Map<String, String> links = new LinkedHashMap<>();
        links.put("self", base);
        links.put("state", base + "/state");
        links.put("transcript", base + "/transcript");
        links.put("phase1", base + "/phase1");
        return new CeremonyResponse(v.circuit().id(), v.circuit().circuitHash(), open ? "awaiting_contributions" : "finalized",
                v.ceremony().minContributions(), v.external(), v.latest().stateSha256(), v.ceremony().srsSha256(),
                v.ceremony().srsPower(), v.ceremony().phase1Sha256(), states, v.ceremony().beacon(), v.ceremony().finalizedAt(),
                open ? null : v.circuit().verifyingKeyHash(), next, links);
    }

    @GetMapping("/v1/circuits/{id}/ceremony")
    CeremonyResponse get(@PathVariable("id") String id) {
        return response(service.view(Ids.parse(id, "circuit")));
    }

    /**
     * The whole transcript, for re-verification by anyone: phase 1, every state with its hash and
     * where to download it, the beacon and the resulting verifying key. Each state is checked against
     * the one before with {@code zkml ceremony verify}; the keys are re-derived from phase 1, the
     * states and the beacon (the same inputs give the same verifying key).
     */
    @GetMapping("/v1/circuits/{id}/ceremony/transcript")
    CeremonyResponse transcript(@PathVariable("id") String id) {
        return response(service.view(Ids.parse(id, "circuit")));
    }

    /** The latest state: what the next contribution is made on. */
    @GetMapping(path = "/v1/circuits/{id}/ceremony/state", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<byte[]> state(@PathVariable("id") String id) {
        return bytes(service.stateBytes(Ids.parse(id, "circuit"), null), "state.bin");
    }

    @GetMapping(path = "/v1/circuits/{id}/ceremony/states/{index}", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<byte[]> stateAt(@PathVariable("id") String id, @PathVariable("index") String index) {
        int i;
        try {
            i = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("ceremony state", index);
        }
        if (i < 0) {
            throw ApiException.notFound("ceremony state", index);
        }
        return bytes(service.stateBytes(Ids.parse(id, "circuit"), i), "state-" + i + ".bin");
    }

    @GetMapping(path = "/v1/circuits/{id}/ceremony/phase1", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<byte[]> phase1(@PathVariable("id") String id) {
        return bytes(service.stateBytes(Ids.parse(id, "circuit"), -1), "phase1.bin");
    }

    @PostMapping(path = "/v1/circuits/{id}/ceremony/contributions", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<StateResponse> contribute(@PathVariable("id") String id, @RequestBody(required = false) byte[] body)
            throws Exception {
        UUID circuit = Ids.parse(id, "circuit");
        if (body != null && body.length > CeremonyService.MAX_STATE_BYTES) {
            throw new ApiException(ProblemType.INVALID_CONTRIBUTION, "a contribution of " + body.length + " bytes is larger than "
                    + CeremonyService.MAX_STATE_BYTES);
        }
        CeremonyRepository.Contribution c = service.contribute(circuit, body);
        String url = "/v1/circuits/" + circuit + "/ceremony/states/" + c.index();
        return ResponseEntity.created(URI.create(url)).body(new StateResponse(c.index(), c.contributor(), c.stateSha256(), url,
                c.createdAt()));
    }

    /** The body of finalize. */
    record FinalizeRequest(String beacon) {
    }

    @PostMapping("/v1/circuits/{id}/ceremony/finalize")
    CeremonyResponse finalize(@PathVariable("id") String id, @RequestBody(required = false) FinalizeRequest body) throws Exception {
        UUID circuit = Ids.parse(id, "circuit");
        service.finalize(circuit, body == null ? null : body.beacon());
        return response(service.view(circuit));
    }

    private static ResponseEntity<byte[]> bytes(byte[] b, String name) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"" + name + "\"").body(b);
    }
}
