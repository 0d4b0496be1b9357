package io.zkml.api.security;

import java.util.Locale;
import java.util.Optional;

/**
 * What an API key may do. {@code read}: GET the owner's resources; {@code prove}: create models,
 * circuits and inferences (every write); {@code admin}: create, list and revoke keys. The scopes are
 * independent: a client that submits proofs and polls for them has {@code read} and {@code prove}.
 */
public enum Scope {
    READ,
    PROVE,
    ADMIN;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Scope> parse(String s) {
        for (Scope v : values()) {
            if (v.apiName().equals(s)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
