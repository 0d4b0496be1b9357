package io.zkml.compiler.ir;

import java.util.Optional;

/**
 * Who sees a tensor's values: {@code public} (public inputs of the proof), {@code fixed} (baked into
 * the circuit), {@code private} (witness), {@code hashed} (witness, with a public Poseidon2
 * commitment to it: inputs only, docs/commitments.md). {@code private} and {@code hashed} outputs
 * and {@code hashed} constants are reserved: version 2 readers reject them as not supported yet
 * ({@link Role#reserves}); {@link Role#accepts} says which visibility each role takes.
 */
public enum Visibility {
    PUBLIC("public"),
    FIXED("fixed"),
    PRIVATE("private"),
    HASHED("hashed");

    private final String irName;

    Visibility(String irName) {
        this.irName = irName;
    }

    public String irName() {
        return irName;
    }

    public static Optional<Visibility> fromIrName(String name) {
        for (Visibility v : values()) {
            if (v.irName.equals(name)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
