package io.zkml.compiler.ir;

import java.util.List;

/** Receives an op's attributes, in the canonical order of its table in docs/ir-format.md. */
public interface AttributeWriter {
    /** An {@code int} attribute. */
    void integer(String key, int value);

    /** An {@code ints} attribute. */
    void ints(String key, List<Integer> values);
}
