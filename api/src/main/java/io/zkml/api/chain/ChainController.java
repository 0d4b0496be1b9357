package io.zkml.api.chain;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/chain}: the chain this service talks to (name, chain id, the registry and oracle
 * addresses, the relayer's address and cursor, the head block), or {@code {"enabled": false}}.
 * The RPC URL is shown only for a local node the service started itself.
 */
@RestController
class ChainController {

    private final ObjectProvider<ChainRuntime> chain;
    private final ObjectProvider<Relayer> relayer;
    private final ChainRepository repo;

    ChainController(ObjectProvider<ChainRuntime> chain, ObjectProvider<Relayer> relayer, ChainRepository repo) {
        this.chain = chain;
        this.relayer = relayer;
        this.repo = repo;
    }

    @GetMapping("/v1/chain")
    Map<String, Object> chain() {
        ChainRuntime rt = chain.getIfAvailable();
        Map<String, Object> m = new LinkedHashMap<>();
        if (rt == null) {
            m.put("enabled", false);
            return m;
        }
        m.put("enabled", true);
        m.putAll(rt.info());
        Relayer r = relayer.getIfAvailable();
        m.put("relayerRunning", r != null && r.isRunning());
        repo.cursor(rt.name(), rt.oracleAddress()).ifPresent(c -> m.put("relayerNextBlock", c));
        try {
            m.put("headBlock", rt.client().blockNumber());
            m.put("nodeReachable", true);
        } catch (RuntimeException e) {
            m.put("nodeReachable", false);
        }
        return m;
    }
}
