package io.zkml.api.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * {@code make run} asks for an optional local chain: without anvil and solc installed the chain's
 * beans are left out (the service starts without a chain); a chain that is not optional, or one
 * with an RPC URL, is never silently dropped.
 */
class ChainEnabledConditionTest {

    @Configuration(proxyBeanMethods = false)
    static class Marker {
        @Bean
        @Conditional(ChainEnabledCondition.class)
        String chainMarker() {
            return "chain";
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Marker.class);

    @AfterEach
    void clear() {
        System.clearProperty("zkml.contracts.dir");
    }

    @Test
    void anOptionalLocalChainWithoutItsToolchainIsLeftOut(@TempDir Path empty) throws Exception {
        Files.writeString(empty.resolve("package.json"), "{\"name\": \"zkml-verifier-contracts\"}");
        System.setProperty("zkml.contracts.dir", empty.toString()); // no node_modules: neither solc nor anvil
        runner.withPropertyValues("zkml.chain.enabled=true", "zkml.chain.local-node.enabled=true",
                "zkml.chain.local-node.optional=true").run(ctx -> assertThat(ctx).doesNotHaveBean("chainMarker"));
        runner.withPropertyValues("zkml.chain.enabled=true", "zkml.chain.local-node.enabled=true")
                .run(ctx -> assertThat(ctx).as("not optional: the start fails loudly instead").hasBean("chainMarker"));
        runner.withPropertyValues("zkml.chain.enabled=true", "zkml.chain.rpc-url=http://127.0.0.1:1")
                .run(ctx -> assertThat(ctx).hasBean("chainMarker"));
        runner.withPropertyValues("zkml.chain.enabled=false", "zkml.chain.local-node.enabled=true")
                .run(ctx -> assertThat(ctx).doesNotHaveBean("chainMarker"));
    }
}
