package io.zkml.compiler.ir;

/** Inline version 2 documents for the reader tests. */
final class V2Docs {

    private V2Docs() {
    }

    /** The worked example of docs/ir-format.md ("Worked example: a tree"), with a producer. */
    static final String TREE = """
            {
              "format": "zkml-ir", "version": 2, "field": "bn254",
              "name": "tree-depth2", "task": "classification",
              "producer": {"name": "test", "version": "1"},
              "features": ["x0", "x1"], "labels": ["a", "b", "c"],
              "tensors": [
                {"name": "x", "role": "input", "visibility": "public", "shape": [2], "scale": 4,
                 "lo": ["-64", "-64"], "hi": ["64", "64"]},
                {"name": "thresholds", "role": "constant", "visibility": "fixed", "shape": [3], "scale": 4,
                 "values": ["24", "-4", "32"]},
                {"name": "bits", "role": "intermediate", "visibility": "private", "shape": [3], "scale": 0,
                 "lo": ["0", "0", "0"], "hi": ["1", "1", "1"]},
                {"name": "leaves", "role": "constant", "visibility": "fixed", "shape": [4, 1], "scale": 0,
                 "values": ["0", "1", "1", "2"]},
                {"name": "label", "role": "output", "visibility": "public", "shape": [1], "scale": 0,
                 "lo": ["0"], "hi": ["2"]}
              ],
              "inputs": ["x"],
              "ops": [
                {"op": "split_bits", "inputs": ["x", "thresholds"], "outputs": ["bits"],
                 "attributes": {"feature": [0, 1, 1]}},
                {"op": "tree", "inputs": ["bits", "leaves"], "outputs": ["label"],
                 "attributes": {"bit": [0, 1, 2], "le": [1, -1, -3], "gt": [2, -2, -4]}}
              ],
              "outputs": ["label"]
            }
            """;

    /**
     * A voting forest over two features: split_bits, two trees with one-hot leaf rows, a
     * weighted_sum of the votes and an argmax; plus a rescaled second output (multi-output).
     */
    static final String FOREST = """
            {
              "format": "zkml-ir", "version": 2, "field": "bn254",
              "name": "forest", "task": "regression",
              "producer": {"name": "test", "version": "1"},
              "features": ["x0", "x1"], "labels": ["v0", "v1", "class", "h0", "h1"],
              "tensors": [
                {"name": "x", "role": "input", "visibility": "public", "shape": [2], "scale": 2,
                 "lo": ["-8", "0"], "hi": ["8", "16"]},
                {"name": "thresholds", "role": "constant", "visibility": "fixed", "shape": [2], "scale": 2,
                 "values": ["0", "4"]},
                {"name": "bits", "role": "intermediate", "visibility": "private", "shape": [2], "scale": 0,
                 "lo": ["0", "0"], "hi": ["1", "1"]},
                {"name": "leaves_a", "role": "constant", "visibility": "fixed", "shape": [2, 2], "scale": 0,
                 "values": ["1", "0", "0", "1"]},
                {"name": "leaves_b", "role": "constant", "visibility": "fixed", "shape": [2, 2], "scale": 0,
                 "values": ["0", "1", "1", "0"]},
                {"name": "tree_a", "role": "intermediate", "visibility": "private", "shape": [2], "scale": 0,
                 "lo": ["0", "0"], "hi": ["1", "1"]},
                {"name": "tree_b", "role": "intermediate", "visibility": "private", "shape": [2], "scale": 0,
                 "lo": ["0", "0"], "hi": ["1", "1"]},
                {"name": "votes_w", "role": "constant", "visibility": "fixed", "shape": [2], "scale": 1,
                 "values": ["2", "-1"]},
                {"name": "votes", "role": "output", "visibility": "public", "shape": [2], "scale": 1,
                 "lo": ["-1", "-1"], "hi": ["2", "2"]},
                {"name": "class", "role": "output", "visibility": "public", "shape": [1], "scale": 0,
                 "lo": ["0"], "hi": ["1"]},
                {"name": "half", "role": "output", "visibility": "public", "shape": [2], "scale": 1,
                 "lo": ["-4", "0"], "hi": ["4", "8"]}
              ],
              "inputs": ["x"],
              "ops": [
                {"op": "split_bits", "inputs": ["x", "thresholds"], "outputs": ["bits"], "attributes": {"feature": [0, 1]}},
                {"op": "tree", "inputs": ["bits", "leaves_a"], "outputs": ["tree_a"],
                 "attributes": {"bit": [0], "le": [-1], "gt": [-2]}},
                {"op": "tree", "inputs": ["bits", "leaves_b"], "outputs": ["tree_b"],
                 "attributes": {"bit": [1], "le": [-1], "gt": [-2]}},
                {"op": "weighted_sum", "inputs": ["votes_w", "tree_a", "tree_b"], "outputs": ["votes"], "attributes": {}},
                {"op": "argmax", "inputs": ["votes"], "outputs": ["class"], "attributes": {}},
                {"op": "rescale", "inputs": ["x"], "outputs": ["half"], "attributes": {"shift": 1}}
              ],
              "outputs": ["votes", "class", "half"]
            }
            """;
}
