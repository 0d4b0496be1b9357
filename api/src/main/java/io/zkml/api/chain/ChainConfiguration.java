package io.zkml.api.chain;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.zkml.api.inferences.InferenceService;

/** The chain side, only with {@code zkml.chain.enabled=true} ({@link ChainProperties}). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ChainProperties.class)
class ChainConfiguration {

    @Bean(destroyMethod = "close")
    @Conditional(ChainEnabledCondition.class)
    ChainRuntime chainRuntime(ChainProperties props) {
        return ChainRuntime.start(props);
    }

    @Bean
    @Conditional(ChainEnabledCondition.class)
    @ConditionalOnProperty(name = "zkml.chain.relayer", havingValue = "true", matchIfMissing = true)
    Relayer relayer(ChainRuntime chain, ChainRepository repo, InferenceService inferences,
                    io.zkml.api.circuits.CircuitService circuits, PlatformTransactionManager txm) {
        return new Relayer(chain, repo, inferences, circuits, new TransactionTemplate(txm));
    }
}
