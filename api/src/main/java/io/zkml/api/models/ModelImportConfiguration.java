package io.zkml.api.models;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.zkml.compiler.model.ModelImporters;

/** The importers the service reads uploads with: the compiler's registry, by format name. */
@Configuration(proxyBeanMethods = false)
class ModelImportConfiguration {

    @Bean
    ModelImporters modelImporters() {
        return ModelImporters.standard();
    }
}
