package io.zkml.compiler.ir;

import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.ops.AvgPool2dOp;
import io.zkml.compiler.ir.ops.Conv2dOp;
import io.zkml.compiler.ir.ops.DenseOp;
import io.zkml.compiler.ir.ops.MaxPool2dOp;
import io.zkml.compiler.ir.ops.RescaleOp;
import io.zkml.compiler.ir.ops.ReluOp;
import io.zkml.compiler.ir.ops.ReshapeOp;
import io.zkml.compiler.ir.ops.SplitBitsOp;
import io.zkml.compiler.ir.ops.TreeOp;
import io.zkml.compiler.ir.ops.WeightedSumOp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The one registry of IR ops: op name → record class and reader. Adding an op is one record in
 * {@code io.zkml.compiler.ir.ops} and one line here
 * (docs/adding-an-op.md).
 */
public final class IrOps {

    /** Builds an op record from its positional tensor names and its attributes. */
    @FunctionalInterface
    public interface Reader {
        /**
         * @param where the op's location, e.g. {@code "ops[1]"}
         */
        IrOp read(String where, List<String> inputs, List<String> outputs, Attributes attributes) throws IrValidationException;
    }

    /** One registered op: its record class and its reader. */
    public record Entry(Class<? extends IrOp> type, Reader reader) {
    }

    private static final SequencedMap<String, Entry> OPS = new LinkedHashMap<>();

    static {
        OPS.put(DenseOp.NAME, new Entry(DenseOp.class, DenseOp::read));
        OPS.put(RescaleOp.NAME, new Entry(RescaleOp.class, RescaleOp::read));
        OPS.put(ArgmaxOp.NAME, new Entry(ArgmaxOp.class, ArgmaxOp::read));
        OPS.put(SplitBitsOp.NAME, new Entry(SplitBitsOp.class, SplitBitsOp::read));
        OPS.put(TreeOp.NAME, new Entry(TreeOp.class, TreeOp::read));
        OPS.put(WeightedSumOp.NAME, new Entry(WeightedSumOp.class, WeightedSumOp::read));
        OPS.put(ReluOp.NAME, new Entry(ReluOp.class, ReluOp::read));
        OPS.put(Conv2dOp.NAME, new Entry(Conv2dOp.class, Conv2dOp::read));
        OPS.put(AvgPool2dOp.NAME, new Entry(AvgPool2dOp.class, AvgPool2dOp::read));
        OPS.put(MaxPool2dOp.NAME, new Entry(MaxPool2dOp.class, MaxPool2dOp::read));
        OPS.put(ReshapeOp.NAME, new Entry(ReshapeOp.class, ReshapeOp::read));
    }

    private IrOps() {
    }

    public static Optional<Reader> reader(String op) {
        return Optional.ofNullable(OPS.get(op)).map(Entry::reader);
    }

    /** Whether {@code op} is an instance of the record registered under its name. */
    public static boolean isRegistered(IrOp op) {
        Entry e = OPS.get(op.op());
        return e != null && e.type() == op.getClass();
    }

    /** Every op name, in registry order. */
    public static List<String> names() {
        return List.copyOf(OPS.keySet());
    }
}
