package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.StaticArray3;
import org.web3j.abi.datatypes.generated.Uint256;

class VerifyProofCalldataTest {

    @Test
    void encodingMatchesWeb3jsAbiEncoder() {
        byte[] proof = new byte[VerifierContract.PROOF_BYTES];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (i * 7 + 1);
        }
        BigInteger r = new BigInteger("21888242871839275222246405745257275088548364400416034343698204186575808495617");
        List<BigInteger> inputs = List.of(BigInteger.ZERO, r.subtract(BigInteger.ONE), BigInteger.TWO.pow(255));

        List<Type> params = new ArrayList<>();
        params.add(new DynamicBytes(proof));
        params.add(new StaticArray3<>(Uint256.class, inputs.stream().map(Uint256::new).toList()));
        String expected = FunctionEncoder.encode(new Function("verifyProof", params, List.of()));

        byte[] actual = VerifierContract.verifyProofCalldata(proof, inputs);

        assertThat("0x" + HexFormat.of().formatHex(actual)).isEqualTo(expected);
        assertThat(actual).hasSize(4 + 32 * 4 + 32 + 256);
    }

    @Test
    void padsAProofThatIsNotAWholeNumberOfWords() {
        byte[] calldata = VerifierContract.verifyProofCalldata(new byte[]{1, 2, 3}, List.of(BigInteger.ONE));
        assertThat(calldata).hasSize(4 + 32 * 2 + 32 + 32);
    }

    @Test
    void rejectsValuesThatAreNotUint256() {
        assertThatThrownBy(() -> VerifierContract.verifyProofCalldata(new byte[256], List.of(BigInteger.valueOf(-1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public input 0");
        assertThatThrownBy(() -> VerifierContract.verifyProofCalldata(new byte[256], List.of(BigInteger.TWO.pow(256))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void selectorOfGnarksProofInvalidError() {
        // cast sig "ProofInvalid()"
        assertThat(VerifierContract.selector("ProofInvalid()")).isEqualTo("0x7fcdd1f4");
    }
}
