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
 * {@code weighted_sum}: {@code out[i] = Σ_m weights[m] · members[m][i]}. {@code weights} constant
 * {@code [M]} (inputs[0]), then {@code M ≥ 1} non-constant members of one shape and one scale;
 * {@code out} that shape at {@code weights.scale + member scale}. No attributes.
 */
public record WeightedSumOp(String weights, List<String> members, String out) implements IrOp {

    public static final String NAME = "weighted_sum";

    public WeightedSumOp {
        members = List.copyOf(members);
    }

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        if (inputs.size() < 2) {
            throw new IrValidationException(where + ".inputs must have at least 2 entries (weights, x_1 … x_M), got " + inputs.size());
        }
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new WeightedSumOp(inputs.getFirst(), inputs.subList(1, inputs.size()), outputs.getFirst());
    }

    @Override
    public String op() {
        return NAME;
    }

    @Override
    public List<String> inputs() {
        List<String> all = new ArrayList<>(members.size() + 1);
        all.add(weights);
        all.addAll(members);
        return List.copyOf(all);
    }

    @Override
    public List<String> outputs() {
        return List.of(out);
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
    }

    @Override
    public List<OutputSpec> check(List<IrTensor> in, String where) throws IrValidationException {
        IrTensor wt = OpChecks.constant(in, 0, "weights", where);
        String wAt = OpChecks.at(where, 0, "weights", wt);
        int m = OpChecks.rank(wt, 1, wAt, "[M]").getFirst();
        OpChecks.dim(m, in.size() - 1, wAt, "shape[0] (the number of members M)");
        IrTensor first = OpChecks.nonConstant(in, 1, "x_1", where);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int k = 1; k < in.size(); k++) {
            if (!seen.add(in.get(k).name())) {
                throw new IrValidationException(OpChecks.at(where, k, "x_" + k, in.get(k))
                        + ": named twice: weighted_sum members must be distinct tensors");
            }
        }
        for (int k = 2; k < in.size(); k++) {
            IrTensor t = OpChecks.nonConstant(in, k, "x_" + k, where);
            if (!t.shape().equals(first.shape()) || t.scale() != first.scale()) {
                throw new IrValidationException(OpChecks.at(where, k, "x_" + k, t) + ": every member must have x_1's shape "
                        + first.shape() + " and scale " + first.scale() + ", got " + t.shape() + " and " + t.scale());
            }
        }
        int scale = OpChecks.scale((long) wt.scale() + first.scale(), where);
        int size = first.size();
        List<BigInteger> lo = new ArrayList<>(size);
        List<BigInteger> hi = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            BigInteger l = BigInteger.ZERO;
            BigInteger h = BigInteger.ZERO;
            for (int k = 0; k < m; k++) {
                BigInteger w = wt.values().get(k);
                BigInteger a = w.multiply(in.get(k + 1).lo().get(i));
                BigInteger b = w.multiply(in.get(k + 1).hi().get(i));
                l = l.add(a.min(b));
                h = h.add(a.max(b));
            }
            lo.add(l);
            hi.add(h);
        }
        return List.of(new OutputSpec(first.shape(), scale, new IntervalAnalysis.Bounds(lo, hi)));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        List<BigInteger> w = in.getFirst();
        int size = in.get(1).size();
        List<BigInteger> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            BigInteger acc = BigInteger.ZERO;
            for (int k = 0; k < w.size(); k++) {
                acc = acc.add(w.get(k).multiply(in.get(k + 1).get(i)));
            }
            out.add(acc);
        }
        return List.of(List.copyOf(out));
    }
}
