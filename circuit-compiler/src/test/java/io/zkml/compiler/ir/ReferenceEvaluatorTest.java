package io.zkml.compiler.ir;

import io.zkml.compiler.InputValidationException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.ops.DenseOp;
import io.zkml.compiler.ir.ops.RescaleOp;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReferenceEvaluatorTest {

    static BigInteger b(long v) {
        return BigInteger.valueOf(v);
    }

    static List<BigInteger> apply(io.zkml.compiler.ir.IrOp op, List<BigInteger> in) {
        return op.evaluate(List.of(in)).getFirst();
    }

    @Test
    void rescale_floors_toward_minus_infinity() {
        RescaleOp op = new RescaleOp("a", "b", 8);
        assertThat(apply(op, List.of(b(-1), b(-256), b(-257), b(255), b(256), b(0))))
                .containsExactly(b(-1), b(-1), b(-2), b(0), b(1), b(0));
    }

    @Test
    void argmax_breaks_ties_toward_the_lowest_index() {
        ArgmaxOp op = new ArgmaxOp("a", "b");
        assertThat(apply(op, List.of(b(-3), b(3), b(3)))).containsExactly(b(1));
        assertThat(apply(op, List.of(b(7), b(7), b(7)))).containsExactly(b(0));
        assertThat(apply(op, List.of(b(-9), b(-8), b(-8), b(-10)))).containsExactly(b(1));
    }

    @Test
    void dense_is_an_exact_integer_sum_beyond_64_bits() {
        BigInteger big = BigInteger.ONE.shiftLeft(100);
        DenseOp op = new DenseOp("a", "w", "bias", "b");
        assertThat(op.evaluate(List.of(List.of(big, b(3)), List.of(big, b(-1)), List.of(b(5)))).getFirst())
                .containsExactly(big.multiply(big).add(b(2)));
    }

    @Test
    void a_wrong_input_count_and_an_out_of_range_input_are_told_apart() throws Exception {
        CircuitIr ir = IrReader.read(GoldenIrTest.irBytes("regressor-2x3"));

        var count = catchThrowableOfType(InputValidationException.class,
                () -> ReferenceEvaluator.evaluate(ir, List.of(b(1), b(2))));
        var range = catchThrowableOfType(InputValidationException.class,
                () -> ReferenceEvaluator.evaluate(ir, List.of(b(1), b(-1001), b(2))));

        assertThat(count.reason()).isEqualTo(InputValidationException.Reason.WRONG_COUNT);
        assertThat(count).hasMessageContaining("expected 3");
        assertThat(range.reason()).isEqualTo(InputValidationException.Reason.OUT_OF_RANGE);
        assertThat(range).hasMessageContaining("x[1]").hasMessageContaining("\"b\"").hasMessageContaining("[-1000, 1000]");
    }

    @Test
    void public_inputs_map_negative_values_to_r_plus_v() {
        assertThat(ReferenceEvaluator.publicInputs(List.of(b(-2)), List.of(b(5))))
                .containsExactly(CircuitIr.BN254_R.subtract(b(2)), b(5));
    }
}
