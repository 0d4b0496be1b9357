package io.zkml.compiler.ir;

import java.util.Optional;

/** What a tensor is in the graph (docs/ir-format.md, "Tensors"). */
public enum Role {
    INPUT("input", Visibility.PUBLIC),
    CONSTANT("constant", Visibility.FIXED),
    INTERMEDIATE("intermediate", Visibility.PRIVATE),
    OUTPUT("output", Visibility.PUBLIC);

    private final String irName;
    private final Visibility visibility;

    Role(String irName, Visibility visibility) {
        this.irName = irName;
        this.visibility = visibility;
    }

    /** The name as written in the IR. */
    public String irName() {
        return irName;
    }

    /** The default visibility of this role (what {@link IrGraph} gives it unless told otherwise). */
    public Visibility visibility() {
        return visibility;
    }

    /** Whether version 2 accepts this visibility for this role: an input is public, private or hashed, an output public or hashed; the others have one. */
    public boolean accepts(Visibility v) {
        return switch (this) {
            case INPUT -> v == Visibility.PUBLIC || v == Visibility.PRIVATE || v == Visibility.HASHED;
            case OUTPUT -> v == Visibility.PUBLIC || v == Visibility.HASHED;
            case CONSTANT -> v == Visibility.FIXED || v == Visibility.HASHED;
            default -> v == visibility;
        };
    }

    /** Whether the visibility is a name reserved for a later version for this role (rejected as "not supported yet"). */
    public boolean reserves(Visibility v) {
        return switch (this) {
            case OUTPUT -> v == Visibility.PRIVATE;
            case CONSTANT, INPUT, INTERMEDIATE -> false;
        };
    }

    public static Optional<Role> fromIrName(String name) {
        for (Role r : values()) {
            if (r.irName.equals(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
