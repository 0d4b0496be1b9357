package io.zkml.api.artifacts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeVersions;

/** Loads the native gnark library once, at start-up: a service that cannot prove fails early. */
@Configuration(proxyBeanMethods = false)
class ProverConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ProverConfiguration.class);

    @Bean
    Groth16Prover groth16Prover() {
        Groth16Prover prover = Groth16Prover.load();
        NativeVersions v = prover.versions();
        log.info("native prover loaded: gnark {}, ABI {}, {}, {}", v.gnarkVersion(), v.abiVersion(), v.curve(), v.goVersion());
        return prover;
    }
}
