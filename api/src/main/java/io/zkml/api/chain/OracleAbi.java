package io.zkml.api.chain;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.Log;

/** The ABI of ZkmlRegistry and ZkmlOracle that the service uses (verifier-contracts/src/main/solidity). */
final class OracleAbi {

    static final Event MODEL_REGISTERED = new Event("ModelRegistered", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Address>(true) { }, new TypeReference<Bytes32>() { },
            new TypeReference<Bytes32>() { }, new TypeReference<Uint8>() { }, new TypeReference<Address>() { }));
    static final Event INFERENCE_REQUESTED = new Event("InferenceRequested", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>(true) { }, new TypeReference<Address>(true) { },
            new TypeReference<DynamicArray<Uint256>>() { }, new TypeReference<Address>() { }, new TypeReference<Uint64>() { },
            new TypeReference<Uint32>() { }, new TypeReference<Uint256>() { }));
    static final String INFERENCE_REQUESTED_TOPIC = EventEncoder.encode(INFERENCE_REQUESTED);
    static final String MODEL_REGISTERED_TOPIC = EventEncoder.encode(MODEL_REGISTERED);

    /** Custom errors a fulfilment can revert with, by selector. */
    static final Map<String, String> ERRORS = Map.ofEntries(
            error("NotPending(uint256,uint8)"), error("Expired(uint256,uint64)"), error("InputsMismatch(uint256)"),
            error("ProofRejected(uint256)"), error("WrongOutputCount(uint256,uint256)"), error("UnknownRequest(uint256)"),
            error("InsufficientGasForCallback(uint256,uint256)"), error("VerifierHasNoCode(address)"),
            error("UnknownModel(uint256)"));

    private OracleAbi() {
    }

    private static Map.Entry<String, String> error(String sig) {
        return Map.entry(Hash.sha3String(sig).substring(0, 10), sig.substring(0, sig.indexOf('(')));
    }

    /** The name of the custom error in revert data, or the data itself. */
    static String errorName(String revertData) {
        if (revertData == null || revertData.length() < 10) {
            return String.valueOf(revertData);
        }
        return ERRORS.getOrDefault(revertData.substring(0, 10).toLowerCase(Locale.ROOT), revertData);
    }

    static String registerModel(byte[] weightsHash, byte[] circuitHash, byte[] vkHash, int proofSystemId, String verifier,
                                int inputWords, int outputWords, boolean hashedInputs) {
        StaticStruct c = new StaticStruct(new Bytes32(weightsHash), new Bytes32(circuitHash), new Bytes32(vkHash),
                new Uint8(proofSystemId), new Address(verifier), new Uint16(inputWords), new Uint16(outputWords),
                new Bool(hashedInputs));
        return FunctionEncoder.encode(new Function("registerModel", List.of(c), List.of()));
    }

    static String fulfil(BigInteger requestId, List<BigInteger> inputs, List<BigInteger> outputs, byte[] proof) {
        return FunctionEncoder.encode(new Function("fulfil", List.of(new Uint256(requestId), words(inputs), words(outputs),
                new DynamicBytes(proof)), List.of()));
    }

    /** A decoded {@code InferenceRequested} log. */
    record Requested(BigInteger requestId, BigInteger modelId, String requester, List<BigInteger> inputs, String callback,
                     long deadline, long callbackGasLimit, BigInteger fee, long blockNumber, String txHash) {
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static Requested requested(Log log) {
        List<Type> data = FunctionReturnDecoder.decode(log.getData(), INFERENCE_REQUESTED.getNonIndexedParameters());
        List<BigInteger> inputs = ((List<Uint256>) data.get(0).getValue()).stream().map(Uint256::getValue).toList();
        return new Requested(topic(log, 1), topic(log, 2), "0x" + log.getTopics().get(3).substring(26), inputs,
                (String) data.get(1).getValue(), ((BigInteger) data.get(2).getValue()).longValueExact(),
                ((BigInteger) data.get(3).getValue()).longValueExact(), (BigInteger) data.get(4).getValue(),
                log.getBlockNumber().longValueExact(), log.getTransactionHash());
    }

    static BigInteger topic(Log log, int i) {
        return new BigInteger(log.getTopics().get(i).substring(2), 16);
    }

    static DynamicArray<Uint256> words(List<BigInteger> values) {
        return new DynamicArray<>(Uint256.class, values.stream().map(Uint256::new).toList());
    }

    static byte[] hex32(String hex, String what) {
        String h = hex.startsWith("0x") ? hex.substring(2) : hex;
        if (h.length() != 64) {
            throw new IllegalStateException(what + " is not 32 bytes of hex: " + hex);
        }
        return HexFormat.of().parseHex(h);
    }
}
