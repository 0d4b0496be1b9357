package io.zkml.compiler.ir.ops;

import io.zkml.compiler.ir.Attributes;
import io.zkml.compiler.ir.AttributeWriter;
import io.zkml.compiler.ir.IntervalAnalysis;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.OutputSpec;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tree}: {@code out = leaves[ℓ]}, the row of the leaf reached from node 0 by taking
 * {@code gt[i]} where {@code bits[bit[i]] = 1} and {@code le[i]} where it is 0. A child
 * {@code c ≥ 0} is internal node {@code c} (greater than its parent), {@code c < 0} is leaf
 * {@code −c − 1}. {@code bits} non-constant {@code [T]} with bounds in {@code [0, 1]};
 * {@code leaves} constant {@code [L, k]} ({@code L = N + 1}, or 1 when {@code N = 0});
 * {@code out} {@code [k]} at {@code leaves.scale}, bounds min/max over all leaves.
 */
public record TreeOp(String bits, String leaves, String out, List<Integer> bit, List<Integer> le, List<Integer> gt)
        implements IrOp {

    public static final String NAME = "tree";

    /**
     * The bits tensor this thread last found within [0, 1] (the same instance: tensors are
     * immutable records). A forest's trees all read one bits tensor, so checking it once per tensor
     * rather than once per tree keeps reading a forest O(trees + T) instead of O(trees · T).
     */
    private static final ThreadLocal<java.lang.ref.WeakReference<IrTensor>> LAST_BITS =
            ThreadLocal.withInitial(() -> new java.lang.ref.WeakReference<>(null));

    public TreeOp {
        bit = List.copyOf(bit);
        le = List.copyOf(le);
        gt = List.copyOf(gt);
    }

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 2, where + ".inputs", "bits, leaves");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new TreeOp(inputs.get(0), inputs.get(1), outputs.getFirst(), a.ints("bit"), a.ints("le"), a.ints("gt"));
    }

    @Override
    public String op() {
        return NAME;
    }

    @Override
    public List<String> inputs() {
        return List.of(bits, leaves);
    }

    @Override
    public List<String> outputs() {
        return List.of(out);
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        w.ints("bit", bit);
        w.ints("le", le);
        w.ints("gt", gt);
    }

    @Override
    public List<OutputSpec> check(List<IrTensor> in, String where) throws IrValidationException {
        IrTensor bt = OpChecks.nonConstant(in, 0, "bits", where);
        IrTensor lt = OpChecks.constant(in, 1, "leaves", where);
        String bitsAt = OpChecks.at(where, 0, "bits", bt);
        int t = OpChecks.rank(bt, 1, bitsAt, "[T]").getFirst();
        if (LAST_BITS.get().get() != bt) {
            for (int k = 0; k < t; k++) {
                if (bt.lo().get(k).signum() < 0 || bt.hi().get(k).compareTo(BigInteger.ONE) > 0) {
                    throw new IrValidationException(bitsAt + ": element " + k + " has bounds [" + bt.lo().get(k) + ", "
                            + bt.hi().get(k) + "], not within [0, 1] (bits must be 0 or 1)");
                }
            }
            LAST_BITS.set(new java.lang.ref.WeakReference<>(bt));
        }
        String leavesAt = OpChecks.at(where, 1, "leaves", lt);
        List<Integer> ls = OpChecks.rank(lt, 2, leavesAt, "[L, k]");
        int leafCount = ls.get(0);
        int width = ls.get(1);
        String attr = where + ".attributes.";
        int nodes = bit.size();
        if (le.size() != nodes || gt.size() != nodes) {
            throw new IrValidationException(attr + (le.size() != nodes ? "le" : "gt") + ": must have N = " + nodes
                    + " entries (as bit), got " + (le.size() != nodes ? le.size() : gt.size()));
        }
        int expectedLeaves = nodes == 0 ? 1 : nodes + 1;
        OpChecks.dim(leafCount, expectedLeaves, leavesAt, "shape[0] (leaf count L = N + 1, or 1 when N = 0)");
        int[] nodeParents = new int[nodes];
        int[] leafParents = new int[leafCount];
        for (int i = 0; i < nodes; i++) {
            int b = bit.get(i);
            if (b < 0 || b >= t) {
                throw new IrValidationException(attr + "bit[" + i + "]: " + b + " is not a bit index in [0, " + t + ")");
            }
            for (int side = 0; side < 2; side++) {
                String key = side == 0 ? "le" : "gt";
                long c = (side == 0 ? le : gt).get(i);
                if (c >= 0) {
                    if (c <= i || c >= nodes) {
                        throw new IrValidationException(attr + key + "[" + i + "]: internal child " + c
                                + " must be greater than its parent " + i + " and less than N = " + nodes);
                    }
                    nodeParents[(int) c]++;
                } else {
                    long leaf = -c - 1;
                    if (leaf >= leafCount) {
                        throw new IrValidationException(attr + key + "[" + i + "]: " + c + " is leaf " + leaf
                                + ", not in [0, " + leafCount + ")");
                    }
                    leafParents[(int) leaf]++;
                }
            }
        }
        for (int c = 1; c < nodes; c++) {
            if (nodeParents[c] != 1) {
                throw new IrValidationException(attr + "le/gt: internal node " + c + " is the child of " + nodeParents[c]
                        + " nodes, not exactly one");
            }
        }
        if (nodes > 0) {
            for (int l = 0; l < leafCount; l++) {
                if (leafParents[l] != 1) {
                    throw new IrValidationException(attr + "le/gt: leaf " + l + " (child " + (-l - 1) + ") is the child of "
                            + leafParents[l] + " nodes, not exactly one");
                }
            }
        }
        List<BigInteger> lo = new ArrayList<>(width);
        List<BigInteger> hi = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
            BigInteger l = lt.values().get(c);
            BigInteger h = l;
            for (int r = 1; r < leafCount; r++) {
                BigInteger v = lt.values().get(r * width + c);
                l = l.min(v);
                h = h.max(v);
            }
            lo.add(l);
            hi.add(h);
        }
        return List.of(new OutputSpec(List.of(width), lt.scale(), new IntervalAnalysis.Bounds(lo, hi)));
    }

    /** The leaf reached for these bit values. */
    public int leaf(List<BigInteger> bitValues) {
        if (bit.isEmpty()) {
            return 0;
        }
        int node = 0;
        while (true) {
            int c = bitValues.get(bit.get(node)).signum() != 0 ? gt.get(node) : le.get(node);
            if (c < 0) {
                return -c - 1;
            }
            node = c;
        }
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        List<BigInteger> values = in.get(1);
        int width = values.size() / (bit.isEmpty() ? 1 : bit.size() + 1);
        int l = leaf(in.get(0));
        return List.of(List.copyOf(OpChecks.row(values, l, width)));
    }
}
