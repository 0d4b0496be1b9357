package io.zkml.compiler;

import io.zkml.compiler.commit.Commitments;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.Visibility;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class InputVisibilityTest {

    static CompiledCircuit demo(String name) throws Exception {
        return CompiledCircuit.fromIr(Files.readAllBytes(Path.of("..", "examples", name, "circuit.ir.json")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest", "eth-price"})
    void hashed_inputs_replace_the_input_values_by_one_commitment_that_the_java_recipe_computes(String name) throws Exception {
        CompiledCircuit pub = demo(name);
        CompiledCircuit hashed = pub.withInputVisibility(Visibility.HASHED);
        CircuitIr ir = hashed.ir();
        assertThat(ir.inputTensors()).allMatch(t -> t.visibility() == Visibility.HASHED);
        assertThat(ir.commitments()).containsExactly(new CircuitIr.Commitment("input_commitment", "zkml-inputs-v1", ir.inputs()));
        assertThat(ir.publicSize()).isEqualTo(1 + ir.outputSize());
        assertThat(hashed.inputVisibility()).isEqualTo(Visibility.HASHED);
        // the bytes read back as the same document (the writer wrote what the reader accepts)
        assertThat(IrReader.read(hashed.irJson())).isEqualTo(ir);
        assertThat(hashed.circuitHash()).isNotEqualTo(pub.circuitHash());

        List<BigInteger> x = ir.inputLo();
        BigInteger salt = new BigInteger("12803458532109668549473379212188388257061604801235355615243203723415643492298");
        List<BigInteger> lo = ir.inputLo(), hi = ir.inputHi();
        BigInteger want = Commitments.commit(Commitments.INPUTS_DOMAIN, Commitments.Layout.fromBounds(lo, hi), x, salt);
        assertThat(hashed.commitment(x, salt)).contains(want);
        List<BigInteger> pi = hashed.publicInputs(x, salt);
        assertThat(pi.getFirst()).isEqualTo(want);
        assertThat(pi.subList(1, pi.size())).isEqualTo(pub.publicInputs(x).subList(ir.inputSize(), pub.publicInputs(x).size()));
        assertThat(hashed.commitment(x, salt.add(BigInteger.ONE)).orElseThrow()).isNotEqualTo(want);
        // the same outputs and quantization as the public circuit
        assertThat(hashed.evaluate(x)).isEqualTo(pub.evaluate(x));
        assertThat(hashed.quantization()).isEqualTo(pub.quantization());
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void private_inputs_leave_only_the_outputs_public_and_public_keeps_the_circuit_as_it_is(String name) throws Exception {
        CompiledCircuit pub = demo(name);
        assertThat(pub.withInputVisibility(Visibility.PUBLIC)).isSameAs(pub);
        CompiledCircuit priv = pub.withInputVisibility(Visibility.PRIVATE);
        assertThat(priv.ir().commitments()).isEmpty();
        assertThat(priv.ir().publicSize()).isEqualTo(priv.ir().outputSize());
        List<BigInteger> x = priv.ir().inputHi();
        assertThat(priv.publicInputs(x, null)).isEqualTo(priv.evaluate(x).stream().map(v -> v.mod(CircuitIr.BN254_R)).toList());
        assertThat(priv.commitment(x, BigInteger.ONE)).isEmpty();
        // and back: public again gives the original bytes
        assertThat(priv.withInputVisibility(Visibility.PUBLIC).circuitHash()).isEqualTo(pub.circuitHash());
        assertThat(priv.ir().inputTensors()).extracting(IrTensor::visibility).containsOnly(Visibility.PRIVATE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixed"})
    void inputs_cannot_be_fixed(String vis) throws Exception {
        assertThatThrownBy(() -> demo("credit-risk").withInputVisibility(Visibility.fromIrName(vis).orElseThrow()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inputs cannot be fixed");
    }
}
