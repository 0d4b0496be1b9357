package io.zkml.api.config;

import tools.jackson.core.json.JsonReadFeature;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * JSON reading rules. JSON has no NaN or Infinity; some clients send them anyway, as bare tokens
 * ({@code NaN}) or as strings ({@code "NaN"}). We <em>accept</em> both spellings when reading so
 * that an inference input with such a value is answered with the same
 * {@code urn:zkml:problem:invalid-input} (reason {@code not-finite}) whichever spelling was used,
 * instead of a generic parse error for one spelling and a range error for the other.
 */
@Configuration(proxyBeanMethods = false)
public class JacksonConfiguration {

    @Bean
    JsonMapperBuilderCustomizer nonNumericNumbers() {
        return builder -> builder.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);
    }
}
