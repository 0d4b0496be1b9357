package io.zkml.api.chain;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

import io.zkml.contracts.ContractsToolchain;
import io.zkml.contracts.ToolchainException;

/**
 * Matches when {@code zkml.chain.enabled=true}, except for an <em>optional</em> local node
 * ({@code zkml.chain.local-node.enabled} and {@code .optional}, as {@code make run} sets them) whose
 * toolchain (anvil, solc from {@code verifier-contracts/node_modules}) is not installed: then the
 * service runs without a chain and says so in one log line.
 */
final class ChainEnabledCondition extends SpringBootCondition {

    private static final Logger log = LoggerFactory.getLogger(ChainEnabledCondition.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Environment env = context.getEnvironment();
        if (!env.getProperty("zkml.chain.enabled", Boolean.class, false)) {
            return ConditionOutcome.noMatch("zkml.chain.enabled is not true");
        }
        boolean local = env.getProperty("zkml.chain.local-node.enabled", Boolean.class, false);
        boolean optional = env.getProperty("zkml.chain.local-node.optional", Boolean.class, false);
        if (local && optional) {
            try {
                ContractsToolchain.locate(); // solc-js and anvil installed
            } catch (ToolchainException e) {
                if (WARNED.compareAndSet(false, true)) {
                    log.warn("zkml.chain: no local chain (running without one): {}", e.getMessage());
                }
                return ConditionOutcome.noMatch("the local chain's toolchain is not installed: " + e.getMessage());
            }
        }
        return ConditionOutcome.match("zkml.chain.enabled=true");
    }
}
