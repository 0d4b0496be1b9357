package io.zkml.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.zkml.compiler.commit.Commitments;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.Visibility;

/**
 * Batches (issue 8): {@code n} copies of a circuit in one IR document. Every row evaluates exactly as
 * the single circuit; the batch has one commitment to all rows (the rows' layouts concatenated); the
 * public inputs are one commitment plus every row's outputs; padding repeats the first row; the
 * document is canonical and valid (the reader accepts one class index per row).
 */
class BatchCircuitTest {

    static final Path GOLDEN = Path.of("..", "testdata", "golden", "ir-v2");
    static final BigInteger SALT = new BigInteger("987654321987654321987654321");

    static CompiledCircuit golden(String name) throws Exception {
        return CompiledCircuit.fromIr(Files.readAllBytes(GOLDEN.resolve(name + ".ir.json")));
    }

    static List<List<BigInteger>> rows(int n, int width, long seed) {
        List<List<BigInteger>> rows = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            List<BigInteger> r = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                r.add(BigInteger.valueOf((k * 31L + i * 17L + seed) % 100));
            }
            rows.add(r);
        }
        return rows;
    }

    @Test
    void everyRowEvaluatesLikeTheSingleCircuitAndOneCommitmentCoversThemAll() throws Exception {
        CompiledCircuit single = golden("linear-classifier-3x4-hashed");
        BatchCircuit b = BatchCircuit.of(single, 4);
        CircuitIr ir = b.ir();
        assertThat(ir.inputs()).containsExactly("x_b0", "x_b1", "x_b2", "x_b3");
        assertThat(ir.outputs()).containsExactly("label_b0", "label_b1", "label_b2", "label_b3");
        assertThat(ir.commitments()).hasSize(1);
        assertThat(ir.commitments().getFirst().tensors()).containsExactlyElementsOf(ir.inputs());
        assertThat(ir.tensors().stream().filter(t -> t.name().equals("acc_weight"))).as("constants shared").hasSize(1);
        assertThat(ir.features()).hasSize(16).startsWith("f0[0]", "f1[0]").endsWith("f3[3]");
        assertThat(ir.labels()).isEqualTo(single.ir().labels());
        assertThat(ir.publicSize()).isEqualTo(1 + 4);

        List<List<BigInteger>> rows = rows(4, 4, 3);
        List<BigInteger> input = b.pad(rows);
        List<List<BigInteger>> out = b.evaluate(input);
        for (int k = 0; k < 4; k++) {
            assertThat(out.get(k)).as("row %d", k).isEqualTo(single.evaluate(rows.get(k)));
        }
        // the commitment: recipe v1 over the concatenated layouts of the rows
        List<Integer> widths = new ArrayList<>();
        List<BigInteger> lows = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            IrTensor x = single.ir().inputTensor();
            for (int i = 0; i < x.size(); i++) {
                widths.add(x.hi().get(i).subtract(x.lo().get(i)).bitLength());
                lows.add(x.lo().get(i));
            }
        }
        BigInteger expected = Commitments.commit(CircuitIr.INPUTS_DOMAIN, new Commitments.Layout(widths, lows), input, SALT);
        assertThat(b.commitment(input, SALT)).contains(expected);
        List<BigInteger> pub = b.publicInputs(input, SALT);
        assertThat(pub).hasSize(5);
        assertThat(pub.getFirst()).isEqualTo(expected);
        assertThat(pub.subList(1, 5)).containsExactlyElementsOf(out.stream().map(List::getFirst).toList());
        // another row order is another commitment
        List<List<BigInteger>> swapped = new ArrayList<>(rows);
        java.util.Collections.swap(swapped, 0, 1);
        assertThat(b.commitment(b.pad(swapped), SALT).orElseThrow()).isNotEqualTo(expected);
    }

    @Test
    void aShortBatchIsPaddedWithItsFirstRowAndALongOneIsRefused() throws Exception {
        BatchCircuit b = BatchCircuit.of(golden("linear-classifier-3x4"), 3);
        List<List<BigInteger>> rows = rows(2, 4, 5);
        List<BigInteger> input = b.pad(rows);
        assertThat(input).hasSize(12);
        assertThat(input.subList(8, 12)).isEqualTo(rows.getFirst());
        assertThat(b.ir().publicSize()).as("public inputs: 3 rows of 4 values, 3 labels").isEqualTo(12 + 3);
        assertThatThrownBy(() -> b.pad(rows(4, 4, 0))).hasMessageContaining("1 to 3 rows, got 4");
        assertThatThrownBy(() -> b.pad(List.of())).hasMessageContaining("1 to 3 rows, got 0");
        assertThatThrownBy(() -> b.pad(List.of(List.of(BigInteger.ONE)))).hasMessageContaining("row 0 has 1 values, expected 4");
        assertThatThrownBy(() -> BatchCircuit.of(golden("linear-classifier-3x4"), 0)).hasMessageContaining("[1, 256]");
        assertThatThrownBy(() -> BatchCircuit.of(golden("linear-classifier-3x4"), 257)).hasMessageContaining("[1, 256]");
    }

    @Test
    void aLookupRowBatchesToALookupBatch() throws Exception {
        // issue 7: the batch of a "range_check": "lookup" row says so too, and rebuilding it gives the same bytes
        CompiledCircuit bits = golden("linear-classifier-3x4");
        CompiledCircuit lookup = bits.withRangeCheckLookup();
        BatchCircuit b = BatchCircuit.of(lookup, 3);
        assertThat(new String(b.irJson(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("{\"range_check\":\"lookup\",");
        assertThat(BatchCircuit.of(CompiledCircuit.fromIr(lookup.irJson()), 3).circuitHash()).isEqualTo(b.circuitHash());
        BatchCircuit plain = BatchCircuit.of(bits, 3);
        assertThat(b.circuitHash()).isNotEqualTo(plain.circuitHash());
        assertThat(b.ir()).isEqualTo(plain.ir());
        assertThat(lookup.rangeCheckLookup()).isTrue();
        assertThat(bits.rangeCheckLookup()).isFalse();
    }

    @Test
    void realRowsAreQuantizedOneByOneAndABadRowIsNamed() throws Exception {
        CompiledCircuit single = CompiledCircuit.fromIr(Files.readAllBytes(Path.of("..", "examples", "credit-risk", "circuit.ir.json")))
                .withInputVisibility(Visibility.PRIVATE);
        BatchCircuit b = BatchCircuit.of(single, 2);
        double[] x = {12.5, 0.35, 85.0, 1.0, 25.0};
        assertThat(b.quantizeRows(List.of(x))).isEqualTo(b.pad(List.of(single.quantizeInput(x))));
        assertThat(b.ir().publicSize()).as("private inputs: the 2 labels only").isEqualTo(2);
        assertThatThrownBy(() -> b.quantizeRows(List.of(x, new double[]{12.5, 0.35, 850.0, 1.0, 25.0})))
                .isInstanceOf(InputValidationException.class).hasMessageStartingWith("row 1: input 2");
    }

    @Test
    void regressionAndTreeCircuitsBatchToo() throws Exception {
        for (String name : List.of("linear-regressor-2x3", "tree-depth2", "regression-forest", "multi-io-hashed")) {
            CompiledCircuit single;
            CircuitIr base;
            try {
                single = golden(name);
                base = single.ir();
            } catch (io.zkml.compiler.ir.IrValidationException e) {
                continue; // several input scales: not a CompiledCircuit (multi-io-hashed)
            }
            BatchCircuit b = BatchCircuit.of(single, 3);
            assertThat(b.ir().outputSize()).as(name).isEqualTo(3 * base.outputSize());
            assertThat(b.ir().labels()).hasSize(base.task().equals("regression") ? 3 * base.labels().size() : base.labels().size());
            List<List<BigInteger>> rows = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                List<BigInteger> r = new ArrayList<>();
                for (int i = 0; i < base.inputSize(); i++) {
                    BigInteger lo = base.inputLo().get(i);
                    BigInteger hi = base.inputHi().get(i);
                    r.add(lo.add(hi.subtract(lo).multiply(BigInteger.valueOf(k + 1)).divide(BigInteger.valueOf(4))));
                }
                rows.add(r);
            }
            List<List<BigInteger>> out = b.evaluate(b.pad(rows));
            for (int k = 0; k < 3; k++) {
                assertThat(out.get(k)).as("%s row %d", name, k).isEqualTo(single.evaluate(rows.get(k)));
            }
            // canonical and valid: read back to the same bytes
            assertThat(io.zkml.compiler.ir.IrWriter.write(IrReader.read(b.irJson()))).isEqualTo(b.irJson());
        }
    }
}
