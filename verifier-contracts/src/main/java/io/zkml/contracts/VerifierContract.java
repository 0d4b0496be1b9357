package io.zkml.contracts;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthGetCode;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * A contract deployed on an {@link AnvilNode}, called with raw calldata. Made for gnark's Groth16
 * Solidity verifier: its {@code verifyProof(bytes proof, uint256[N] input)} is a {@code view} with no
 * return value that <em>reverts</em> ({@code ProofInvalid()}, {@code PublicInputNotInField()}, ...)
 * when the proof does not verify, so a call verifies iff it does not revert.
 *
 * <p>Calls go through {@code eth_call} (no transaction, no gas paid); {@link #estimateGas} and
 * {@link #transact} measure what a verification transaction costs.
 */
public final class VerifierContract {

    /** The name of gnark's exported verifier contract. */
    public static final String GNARK_CONTRACT_NAME = "Verifier";

    /** The name of the contract in gnark's exported PLONK verifier source. */
    public static final String GNARK_PLONK_CONTRACT_NAME = "PlonkVerifier";

    /** Size of an uncompressed Groth16 proof without commitments in gnark's Solidity layout. */
    public static final int PROOF_BYTES = 256;

    private static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(30);
    private static final HexFormat HEX = HexFormat.of();

    /** Selectors of the custom errors in gnark's verifier template (backend/groth16/bn254/solidity.go). */
    private static final Map<String, String> GNARK_ERRORS = Map.of(
            selector("ProofInvalid()"), "ProofInvalid()",
            selector("PublicInputNotInField()"), "PublicInputNotInField()",
            selector("CommitmentInvalid()"), "CommitmentInvalid()");

    private final AnvilNode node;
    private final String address;
    private final long deploymentGasUsed;
    private final int deployedCodeSize;

    private VerifierContract(AnvilNode node, String address, long deploymentGasUsed, int deployedCodeSize) {
        this.node = node;
        this.address = address;
        this.deploymentGasUsed = deploymentGasUsed;
        this.deployedCodeSize = deployedCodeSize;
    }

    /**
     * Deploys the contract from the node's dev account and waits for the receipt.
     *
     * @throws ChainException if the deployment fails or reverts (e.g. code larger than EIP-170 allows)
     */
    public static VerifierContract deploy(AnvilNode node, CompiledContract contract) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(contract, "contract");
        Web3j w = node.web3j();
        Transaction tx = Transaction.createContractTransaction(node.devAccount(), null, null, null, BigInteger.ZERO,
                contract.creationBytecodeHex());
        String sizes = "runtime code " + contract.deployedSize() + " B (EIP-170 limit " + CompiledContract.MAX_DEPLOYED_SIZE
                + "), init code " + contract.creationSize() + " B (EIP-3860 limit " + CompiledContract.MAX_INITCODE_SIZE + ")";
        TransactionReceipt receipt;
        try {
            receipt = receipt(node, send(w, tx, "deployment of " + contract.contractName()));
        } catch (ChainException e) {
            throw new ChainException(e.getMessage() + "; " + sizes, e);
        }
        if (!receipt.isStatusOK() || receipt.getContractAddress() == null) {
            throw new ChainException("deployment of " + contract.contractName() + " failed (status "
                    + receipt.getStatus() + "); " + sizes);
        }
        String address = receipt.getContractAddress();
        EthGetCode code = rpc(() -> w.ethGetCode(address, DefaultBlockParameterName.LATEST).send(), "eth_getCode");
        if (code.hasError() || code.getCode() == null) {
            throw new ChainException("eth_getCode of " + address + " failed: "
                    + (code.hasError() ? code.getError().getMessage() : "no result"));
        }
        int size = (code.getCode().length() - 2) / 2;
        if (size != contract.deployedSize()) {
            throw new ChainException("deployed code is " + size + " bytes, solc said " + contract.deployedSize());
        }
        return new VerifierContract(node, address, receipt.getGasUsed().longValueExact(), size);
    }

    /** The contract's address, {@code 0x}-prefixed. */
    public String address() {
        return address;
    }

    /** Gas used by the deployment transaction. */
    public long deploymentGasUsed() {
        return deploymentGasUsed;
    }

    /** Size of the code stored at {@link #address()} ({@code eth_getCode}), in bytes. */
    public int deployedCodeSize() {
        return deployedCodeSize;
    }

    /**
     * {@code eth_call} with this calldata from the dev account.
     *
     * @return whether it returned (not reverted), with the return data or the revert reason
     * @throws ChainException if the node fails for a reason other than a revert
     */
    public CallOutcome call(byte[] calldata) {
        Objects.requireNonNull(calldata, "calldata");
        Transaction tx = Transaction.createEthCallTransaction(node.devAccount(), address, hex(calldata));
        EthCall r = rpc(() -> node.web3j().ethCall(tx, DefaultBlockParameterName.LATEST).send(), "eth_call");
        if (r.hasError()) {
            Response.Error e = r.getError();
            if (isRevert(e)) {
                return new CallOutcome(false, new byte[0], describeRevert(e.getMessage(), e.getData()));
            }
            throw new ChainException("eth_call failed: " + e.getCode() + " " + e.getMessage());
        }
        String value = r.getValue() == null ? "0x" : r.getValue();
        return new CallOutcome(true, HEX.parseHex(value.substring(2)), null);
    }

    /** Whether {@code verifyProof} accepts the proof: {@link #call} does not revert. */
    public boolean verify(byte[] proof, List<BigInteger> publicInputs) {
        return call(verifyProofCalldata(proof, publicInputs)).success();
    }

    /**
     * {@code eth_estimateGas} of a transaction with this calldata (the gas a wallet would ask for).
     *
     * @throws ChainException if the call would revert
     */
    public long estimateGas(byte[] calldata) {
        Objects.requireNonNull(calldata, "calldata");
        Transaction tx = Transaction.createFunctionCallTransaction(node.devAccount(), null, null, null, address, hex(calldata));
        EthEstimateGas r = rpc(() -> node.web3j().ethEstimateGas(tx).send(), "eth_estimateGas");
        if (r.hasError()) {
            Response.Error e = r.getError();
            throw new ChainException("eth_estimateGas failed: " + (isRevert(e) ? describeRevert(e.getMessage(), e.getData()) : e.getMessage()));
        }
        return r.getAmountUsed().longValueExact();
    }

    /**
     * Sends a transaction with this calldata from the dev account (gas limit from
     * {@link #estimateGas}) and waits for it to be mined.
     *
     * @return the receipt's gas used (intrinsic 21000 and calldata gas included) and status
     * @throws ChainException if the call would revert or the transaction is not mined
     */
    public TransactionOutcome transact(byte[] calldata) {
        long gas = estimateGas(calldata);
        Transaction tx = Transaction.createFunctionCallTransaction(node.devAccount(), null, null, BigInteger.valueOf(gas),
                address, hex(calldata));
        TransactionReceipt receipt = receipt(node, send(node.web3j(), tx, "transaction to " + address));
        return new TransactionOutcome(receipt.getTransactionHash(), receipt.getGasUsed().longValueExact(),
                receipt.isStatusOK(), gas);
    }

    /** Bytes of a PLONK proof in the layout of gnark's PLONK Solidity verifier. */
    public static final int PLONK_PROOF_BYTES = 768;

    /** What one BSB22 commitment (range checks by lookup, issue 7) adds to a PLONK proof: 3 words. */
    public static final int PLONK_COMMITMENT_BYTES = 96;

    /**
     * The Solidity part of a PLONK proof: a proof as the native library hands it out (800 bytes, or
     * 800 + 96 per BSB22 commitment of a lookup circuit: the Solidity layout and the 32-byte linearised
     * opening) without its last word; anything else as it is.
     */
    public static byte[] plonkSolidityProof(byte[] proof) {
        int full = PLONK_PROOF_BYTES + 32;
        if (proof.length >= full && (proof.length - full) % PLONK_COMMITMENT_BYTES == 0) {
            return java.util.Arrays.copyOf(proof, proof.length - 32);
        }
        return proof;
    }

    /**
     * ABI-encodes {@code Verify(bytes proof, uint256[] public_inputs)} of gnark's PLONK verifier
     * (both arguments dynamic): selector, the two offsets, {@code proof}'s length and bytes (padded to
     * words), the number of inputs and the inputs. A proof as the native library hands it out (800
     * bytes: the Solidity layout and the linearised opening) is cut to its first 768 bytes.
     *
     * <p>The PLONK verifier <b>returns false</b> for a proof that does not verify (it reverts only on
     * malformed input): read the call's return value, {@link #plonkAccepted(CallOutcome)}.
     */
    public static byte[] plonkVerifyCalldata(byte[] proof, List<BigInteger> publicInputs) {
        Objects.requireNonNull(proof, "proof");
        Objects.requireNonNull(publicInputs, "publicInputs");
        byte[] sol = plonkSolidityProof(proof);
        int n = publicInputs.size();
        int padded = (sol.length + 31) / 32 * 32;
        byte[] out = new byte[4 + 32 * 2 + 32 + padded + 32 + 32 * n];
        byte[] sel = HEX.parseHex(selector("Verify(bytes,uint256[])").substring(2));
        System.arraycopy(sel, 0, out, 0, 4);
        word(out, 4, BigInteger.valueOf(64));
        word(out, 36, BigInteger.valueOf(64 + 32 + padded));
        word(out, 68, BigInteger.valueOf(sol.length));
        System.arraycopy(sol, 0, out, 100, sol.length);
        int at = 100 + padded;
        word(out, at, BigInteger.valueOf(n));
        for (int i = 0; i < n; i++) {
            BigInteger v = Objects.requireNonNull(publicInputs.get(i), "public input " + i);
            if (v.signum() < 0 || v.bitLength() > 256) {
                throw new IllegalArgumentException("public input " + i + " is not a uint256: " + v);
            }
            word(out, at + 32 * (1 + i), v);
        }
        return out;
    }

    /**
     * Whether a call of the PLONK verifier's {@code Verify} accepted: it returned (did not revert)
     * and its return value is the ABI word {@code true}. A call that returned {@code false}, or
     * anything but one word 0 or 1, is not an acceptance.
     */
    public static boolean plonkAccepted(CallOutcome out) {
        if (!out.success()) {
            return false;
        }
        byte[] r = out.returnData();
        if (r.length != 32) {
            return false;
        }
        for (int i = 0; i < 31; i++) {
            if (r[i] != 0) {
                return false;
            }
        }
        return r[31] == 1;
    }

    /**
     * ABI-encodes {@code verifyProof(bytes proof, uint256[N] input)} of gnark's verifier:
     * selector, offset of {@code proof}, the N inputs, then {@code proof}'s length and bytes (padded
     * to 32-byte words).
     *
     * @param proof the proof bytes (256 for Groth16 without commitments); any length is encoded
     * @param publicInputs field elements in {@code [0, 2^256)} (the contract itself rejects values
     *     that are not below the scalar field modulus)
     */
    public static byte[] verifyProofCalldata(byte[] proof, List<BigInteger> publicInputs) {
        Objects.requireNonNull(proof, "proof");
        Objects.requireNonNull(publicInputs, "publicInputs");
        int n = publicInputs.size();
        int paddedProof = (proof.length + 31) / 32 * 32;
        byte[] out = new byte[4 + 32 * (1 + n) + 32 + paddedProof];
        byte[] sel = HEX.parseHex(selector("verifyProof(bytes,uint256[" + n + "])").substring(2));
        System.arraycopy(sel, 0, out, 0, 4);
        word(out, 4, BigInteger.valueOf(32L * (1 + n)));
        for (int i = 0; i < n; i++) {
            BigInteger v = Objects.requireNonNull(publicInputs.get(i), "public input " + i);
            if (v.signum() < 0 || v.bitLength() > 256) {
                throw new IllegalArgumentException("public input " + i + " is not a uint256: " + v);
            }
            word(out, 4 + 32 * (1 + i), v);
        }
        int lengthAt = 4 + 32 * (1 + n);
        word(out, lengthAt, BigInteger.valueOf(proof.length));
        System.arraycopy(proof, 0, out, lengthAt + 32, proof.length);
        return out;
    }

    /** {@code 0x} + the first 4 bytes of keccak256 of the signature, e.g. {@code ProofInvalid()}. */
    public static String selector(String signature) {
        return Hash.sha3String(signature).substring(0, 10);
    }

    private static void word(byte[] out, int at, BigInteger v) {
        byte[] b = v.toByteArray();
        int len = b.length;
        int from = 0;
        if (len == 33) { // sign byte of a 256-bit value
            from = 1;
            len = 32;
        }
        System.arraycopy(b, from, out, at + 32 - len, len);
    }

    private static boolean isRevert(Response.Error e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        return e.getCode() == 3 || msg.contains("revert");
    }

    private static String describeRevert(String message, String data) {
        if (data != null) {
            data = data.strip();
            if (data.length() >= 2 && data.startsWith("\"") && data.endsWith("\"")) {
                data = data.substring(1, data.length() - 1); // web3j keeps the JSON quotes of a string
            }
        }
        if (data != null && data.length() >= 10) {
            String known = GNARK_ERRORS.get(data.substring(0, 10).toLowerCase(Locale.ROOT));
            if (known != null) {
                return known;
            }
        }
        return message + (data == null ? "" : " (data " + data + ")");
    }

    private static String send(Web3j w, Transaction tx, String what) {
        EthSendTransaction r = rpc(() -> w.ethSendTransaction(tx).send(), "eth_sendTransaction");
        if (r.hasError()) {
            Response.Error e = r.getError();
            throw new ChainException(what + " rejected: " + (isRevert(e) ? describeRevert(e.getMessage(), e.getData()) : e.getMessage()));
        }
        return r.getTransactionHash();
    }

    /** Waits for the receipt; anvil automines, so it is normally there on the first request. */
    private static TransactionReceipt receipt(AnvilNode node, String hash) {
        long deadline = System.nanoTime() + RECEIPT_TIMEOUT.toNanos();
        long backoffMillis = 1;
        while (true) {
            EthGetTransactionReceipt r = rpc(() -> node.web3j().ethGetTransactionReceipt(hash).send(), "eth_getTransactionReceipt");
            if (r.hasError()) {
                throw new ChainException("eth_getTransactionReceipt failed: " + r.getError().getMessage());
            }
            Optional<TransactionReceipt> receipt = r.getTransactionReceipt();
            if (receipt.isPresent()) {
                return receipt.get();
            }
            if (System.nanoTime() > deadline) {
                throw new ChainException("transaction " + hash + " not mined within " + RECEIPT_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChainException("interrupted while waiting for " + hash, e);
            }
            backoffMillis = Math.min(backoffMillis * 2, 100);
        }
    }

    private static String hex(byte[] b) {
        return "0x" + HEX.formatHex(b);
    }

    private interface RpcCall<T> {
        T send() throws IOException;
    }

    private static <T> T rpc(RpcCall<T> call, String method) {
        try {
            return call.send();
        } catch (IOException e) {
            throw new ChainException(method + ": cannot reach the node: " + e.getMessage(), e);
        }
    }

    /**
     * The result of an {@code eth_call}.
     *
     * @param success whether the call returned without reverting
     * @param returnData what it returned (empty for gnark's {@code verifyProof})
     * @param revertReason the decoded reason when it reverted ({@code ProofInvalid()} for gnark's
     *     custom errors), else {@code null}
     */
    public record CallOutcome(boolean success, byte[] returnData, String revertReason) {
        public CallOutcome {
            returnData = returnData.clone();
        }

        @Override
        public byte[] returnData() {
            return returnData.clone();
        }
    }

    /**
     * A mined transaction.
     *
     * @param hash the transaction hash
     * @param gasUsed gas used according to the receipt
     * @param success the receipt's status
     * @param gasEstimate what {@code eth_estimateGas} said before sending (the gas limit used)
     */
    public record TransactionOutcome(String hash, long gasUsed, boolean success, long gasEstimate) {
    }
}
