package io.zkml.api.runtime;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The process's role and mode ({@code zkml.role}, {@code zkml.mode}; docs/operations.md).
 *
 * @param role {@code all} (default), {@code api} or {@code worker} ({@link ServiceRole})
 * @param mode {@code development} (default of the jar) or {@code production} (default of the
 *     container image) ({@link ServiceMode})
 */
@ConfigurationProperties("zkml")
public record RuntimeProperties(
        @DefaultValue("all") ServiceRole role,
        @DefaultValue("development") ServiceMode mode) {

    /** The property names, for conditions that run before binding. */
    public static final String ROLE = "zkml.role";
    public static final String MODE = "zkml.mode";
}
