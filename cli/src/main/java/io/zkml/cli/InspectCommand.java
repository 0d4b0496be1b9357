package io.zkml.cli;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.ir.AttributeWriter;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeVersions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Describe an IR document (version 2, or version 1 lifted): circuit hash, producer, source model, "
                + "features and labels, quantization, every tensor (role, visibility, shape, scale, range of its bounds), "
                + "every op (inputs, outputs, attributes), and the constraints each op kind adds (the IR is compiled with "
                + "gnark to count them), with the versions involved."})
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the IR file (circuit.ir.json)")
    Path file;

    @Option(names = "--no-constraints", description = "do not compile the IR to count constraints (no native library needed)")
    boolean noConstraints;

    @Override
    public Integer call() {
        byte[] bytes = Artifacts.read(file, "IR");
        CircuitIr ir;
        try {
            ir = IrReader.read(bytes);
        } catch (IrValidationException e) {
            throw CliException.badInput("IR " + file + " is invalid: " + Artifacts.firstLine(e.getMessage()), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("circuit       %s%n", ir.name());
        out.printf("format        %s version %d, field %s, task %s%n", ir.format(), ir.version(), ir.field(), ir.task());
        out.printf("circuit hash  %s (SHA-256 of the %d IR bytes)%n", Artifacts.sha256(bytes), bytes.length);
        out.printf("producer      %s%n", ir.producer() == null ? "(none)" : ir.producer().name() + " " + ir.producer().version());
        out.printf("source        %s%n", ir.source() == null ? "(none)"
                : ir.source().format() + " model, sha256 " + ir.source().sha256() + ", " + ir.source().modelClass());
        out.printf("features      %s%n", String.join(", ", ir.features()));
        out.printf("labels        %s%n", String.join(", ", ir.labels()));
        out.printf("inputs        %s (%d values)    outputs %s (%d values)    public inputs %d%n", ir.inputs(), ir.inputSize(),
                ir.outputs(), ir.outputSize(), ir.inputSize() + ir.outputSize());
        if (ir.quantization() != null) {
            out.printf("quantization  %s%n", quantizationSummary(ir));
        }
        out.println();
        out.printf("tensors (%d)%n", ir.tensors().size());
        out.printf("  %-14s %-12s %-10s %-10s %6s  %s%n", "name", "role", "visibility", "shape", "scale", "bounds");
        for (IrTensor t : ir.tensors()) {
            out.printf("  %-14s %-12s %-10s %-10s %6d  %s%n", t.name(), t.role().irName(), t.visibility().irName(),
                    t.shape(), t.scale(), boundsSummary(t));
        }
        out.println();
        out.printf("ops (%d)%n", ir.ops().size());
        for (int i = 0; i < ir.ops().size(); i++) {
            IrOp op = ir.ops().get(i);
            out.printf("  ops[%d] %-12s (%s) -> (%s)%s%n", i, op.op(), String.join(", ", op.inputs()),
                    String.join(", ", op.outputs()), attributes(op));
        }
        out.println();
        Groth16Prover prover = null;
        if (!noConstraints) {
            prover = Artifacts.prover();
            try (ConstraintSystem cs = prover.compile(bytes)) {
                out.printf("constraints   %d R1CS constraints, %d public inputs%n", cs.constraints(), cs.publicInputs());
                for (Map.Entry<String, Integer> e : cs.constraintsByOp().entrySet()) {
                    out.printf("  %-14s %8d%n", e.getKey(), e.getValue());
                }
            }
            out.println();
        }
        out.printf("versions      IR written by %s; read by %s %s (IR version %d)%s%n",
                ir.producer() == null ? "(unknown)" : ir.producer().name() + " " + ir.producer().version(),
                CircuitCompiler.PRODUCER, CircuitCompiler.version(), CircuitIr.VERSION, nativeVersions(prover));
        return Zkml.OK;
    }

    private static String nativeVersions(Groth16Prover prover) {
        if (prover == null) {
            return "";
        }
        NativeVersions n = prover.versions();
        return ", counted with gnark " + n.gnarkVersion() + " (ABI " + n.abiVersion() + ", " + n.curve() + ")";
    }

    private static String quantizationSummary(CircuitIr ir) {
        List<String> parts = new ArrayList<>();
        ir.quantization().properties().forEach(e -> {
            if (e.getValue().isValueNode()) {
                parts.add(e.getKey() + " " + e.getValue().asString());
            } else if (e.getValue().isArray()) {
                parts.add(e.getKey() + " [" + e.getValue().size() + "]");
            } else {
                parts.add(e.getKey() + " {…}");
            }
        });
        return String.join(", ", parts);
    }

    static String boundsSummary(IrTensor t) {
        List<BigInteger> lo = t.lo();
        List<BigInteger> hi = t.hi();
        if (lo.isEmpty()) {
            return "(empty)";
        }
        BigInteger min = Collections.min(lo);
        BigInteger max = Collections.max(hi);
        String what = t.isConstant() ? "values" : "bounds";
        int bits = Math.max(min.abs().bitLength(), max.abs().bitLength());
        return what + " in [" + min + ", " + max + "] (" + lo.size() + " elements, |v| < 2^" + bits + ")";
    }

    /** The attributes of an op, summarised: ints as they are, long int lists by count and range. */
    static String attributes(IrOp op) {
        List<String> parts = new ArrayList<>();
        op.writeAttributes(new AttributeWriter() {
            @Override
            public void integer(String key, int value) {
                parts.add(key + "=" + value);
            }

            @Override
            public void ints(String key, List<Integer> values) {
                if (values.size() <= 8) {
                    parts.add(key + "=" + values);
                } else {
                    parts.add(key + "=[" + values.size() + " ints in " + Collections.min(values) + ".." + Collections.max(values) + "]");
                }
            }
        });
        return parts.isEmpty() ? "" : "  " + String.join(" ", parts);
    }
}
