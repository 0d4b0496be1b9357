package io.zkml.compiler.ir;

import java.util.List;

/** What an op writes into one of its outputs: shape, scale and the interval-analysis bounds. */
public record OutputSpec(List<Integer> shape, int scale, IntervalAnalysis.Bounds bounds) {
    public OutputSpec {
        shape = List.copyOf(shape);
    }
}
