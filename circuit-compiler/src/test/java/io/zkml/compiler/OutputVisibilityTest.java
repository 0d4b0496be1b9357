package io.zkml.compiler;

import io.zkml.compiler.commit.Commitments;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.Visibility;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static io.zkml.compiler.InputVisibilityTest.demo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 8: hashed outputs — one commitment (domain zkml-outputs-v1, its own salt) replaces the outputs as public inputs. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OutputVisibilityTest {

    static final BigInteger SALT = new BigInteger("12803458532109668549473379212188388257061604801235355615243203723415643492298");
    static final BigInteger OUTPUT_SALT = new BigInteger("987654321987654321");

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest", "eth-price"})
    void hashed_outputs_are_one_commitment_after_the_input_commitment(String name) throws Exception {
        CompiledCircuit pub = demo(name);
        CompiledCircuit both = pub.withVisibility(Visibility.HASHED, Visibility.HASHED);
        CircuitIr ir = both.ir();
        assertThat(ir.outputTensors()).allMatch(t -> t.visibility() == Visibility.HASHED);
        assertThat(ir.commitments()).containsExactly(
                new CircuitIr.Commitment("input_commitment", "zkml-inputs-v1", ir.inputs()),
                new CircuitIr.Commitment("output_commitment", "zkml-outputs-v1", ir.outputs()));
        assertThat(ir.publicSize()).isEqualTo(2);
        assertThat(both.outputVisibility()).isEqualTo(Visibility.HASHED);
        assertThat(IrReader.read(both.irJson())).isEqualTo(ir);

        List<BigInteger> x = ir.inputHi();
        List<BigInteger> y = both.evaluate(x);
        List<BigInteger> lo = new ArrayList<>(), hi = new ArrayList<>();
        ir.outputTensors().forEach(t -> {
            lo.addAll(t.lo());
            hi.addAll(t.hi());
        });
        BigInteger want = Commitments.commit("zkml-outputs-v1", Commitments.Layout.fromBounds(lo, hi), y, OUTPUT_SALT);
        assertThat(both.outputCommitment(x, OUTPUT_SALT)).contains(want);
        assertThat(both.publicInputs(x, SALT, OUTPUT_SALT)).containsExactly(both.commitment(x, SALT).orElseThrow(), want);
        // the input commitment is unchanged by hashing the outputs; the domains differ
        assertThat(both.commitment(x, SALT)).isEqualTo(pub.withInputVisibility(Visibility.HASHED).commitment(x, SALT));
        assertThat(Commitments.commit("zkml-inputs-v1", Commitments.Layout.fromBounds(lo, hi), y, OUTPUT_SALT)).isNotEqualTo(want);
        assertThat(both.outputCommitment(x, OUTPUT_SALT.add(BigInteger.ONE)).orElseThrow()).isNotEqualTo(want);

        // public inputs, hashed outputs: the input values, then the output commitment
        CompiledCircuit out = pub.withVisibility(Visibility.PUBLIC, Visibility.HASHED);
        assertThat(out.ir().publicSize()).isEqualTo(ir.inputSize() + 1);
        List<BigInteger> pi = out.publicInputs(x, null, OUTPUT_SALT);
        assertThat(pi.getLast()).isEqualTo(want);
        assertThat(pi.subList(0, ir.inputSize())).isEqualTo(pub.publicInputs(x).subList(0, ir.inputSize()));
        assertThat(out.commitment(x, SALT)).isEmpty();
        // withInputVisibility keeps the output visibility
        assertThat(out.withInputVisibility(Visibility.HASHED).ir()).isEqualTo(ir);
        assertThat(pub.withVisibility(Visibility.PUBLIC, Visibility.PUBLIC)).isSameAs(pub);
        assertThat(pub.outputCommitment(x, OUTPUT_SALT)).isEmpty();
    }

    @Test
    void outputs_cannot_be_private_yet() throws Exception {
        assertThatThrownBy(() -> demo("credit-risk").withVisibility(Visibility.PUBLIC, Visibility.PRIVATE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outputs cannot be private");
    }

    @Test
    void a_batch_has_one_output_commitment_to_every_rows_outputs() throws Exception {
        CompiledCircuit single = demo("credit-risk").withVisibility(Visibility.HASHED, Visibility.HASHED);
        BatchCircuit batch = BatchCircuit.of(single, 4);
        CircuitIr ir = batch.ir();
        assertThat(ir.commitments()).hasSize(2);
        assertThat(ir.commitments().getLast().domain()).isEqualTo("zkml-outputs-v1");
        assertThat(ir.commitments().getLast().tensors()).hasSize(4 * single.ir().outputs().size());
        assertThat(ir.publicSize()).isEqualTo(2);
        List<BigInteger> row = single.ir().inputLo();
        List<BigInteger> in = batch.pad(List.of(row, single.ir().inputHi()));
        List<BigInteger> flat = batch.evaluate(in).stream().flatMap(List::stream).toList();
        List<BigInteger> lo = new ArrayList<>(), hi = new ArrayList<>();
        ir.outputTensors().forEach(t -> {
            lo.addAll(t.lo());
            hi.addAll(t.hi());
        });
        BigInteger want = Commitments.commit("zkml-outputs-v1", Commitments.Layout.fromBounds(lo, hi), flat, OUTPUT_SALT);
        assertThat(batch.outputCommitment(in, OUTPUT_SALT)).contains(want);
        assertThat(batch.publicInputs(in, SALT, OUTPUT_SALT)).containsExactly(batch.commitment(in, SALT).orElseThrow(), want);
    }
}
