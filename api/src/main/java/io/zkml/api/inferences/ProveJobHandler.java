package io.zkml.api.inferences;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import io.zkml.api.artifacts.HandleCache;
import io.zkml.api.artifacts.IncompatibleArtifactException;
import io.zkml.api.artifacts.NativeHandles;
import io.zkml.api.circuits.CircuitRecord;
import io.zkml.api.circuits.CircuitService;
import io.zkml.api.circuits.CircuitStatus;
import io.zkml.api.jobs.Job;
import io.zkml.api.jobs.JobContext;
import io.zkml.api.jobs.JobFailedException;
import io.zkml.api.jobs.JobHandler;
import io.zkml.api.jobs.JobKind;
import io.zkml.api.models.ModelService;
import io.zkml.compiler.BatchCircuit;
import io.zkml.compiler.CircuitOutput;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.Fidelity;
import io.zkml.compiler.ir.Visibility;
import io.zkml.compiler.tribuo.FloatPrediction;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.Proof;
import io.zkml.prover.Prover;
import io.zkml.prover.ProvingSystem;

/**
 * The prove job: evaluate and prove one inference with gnark (the circuit's proving system: Groth16
 * or PLONK), check that gnark's outputs are
 * bit-for-bit the Java reference evaluator's, dequantize, and compare with the float model.
 */
@Component
class ProveJobHandler implements JobHandler {

    private static final Logger log = LoggerFactory.getLogger(ProveJobHandler.class);

    private final InferenceRepository inferences;
    private final CircuitService circuits;
    private final ModelService models;
    private final NativeHandles handles;

    ProveJobHandler(InferenceRepository inferences, CircuitService circuits, ModelService models, NativeHandles handles) {
        this.inferences = inferences;
        this.circuits = circuits;
        this.models = models;
        this.handles = handles;
    }

    @Override
    public JobKind kind() {
        return JobKind.PROVE;
    }

    @Override
    public void run(Job job, JobContext context) throws Exception {
        UUID id = job.subjectId();
        // issue 9 (ADR 0027): the claim already moved the inference to proving (phase loading, its
        // attempt); one read gets the row and its batch rows
        InferenceRepository.Row row = inferences.findRow(id)
                .orElseThrow(() -> new JobFailedException("inference " + id + " does not exist"));
        InferenceRecord inference = row.record();
        if (inference.status() == InferenceStatus.SUCCEEDED) {
            context.complete(() -> { });
            return;
        }
        CircuitRecord circuit = circuits.getForProof(inference.circuitId()); // ADR 0027: a ready one is cached briefly
        if (circuit.status() != CircuitStatus.READY) {
            throw new JobFailedException("circuit " + circuit.id() + " is " + circuit.status().dbName() + ", not ready");
        }
        if (context.jobId() == null) {
            context.progress(() -> inferences.markProving(id)); // a context without a lease (tests): as before
        }
        CompiledCircuit compiled = circuits.compiled(circuit);
        if (inference.quantizedInput() == null) {
            throw new JobFailedException("inference " + id + " has no input any more (erased after an earlier attempt)");
        }
        List<BigInteger> quantized = inference.quantizedInput().stream().map(BigInteger::new).toList();
        BigInteger salt = inference.salt() == null ? null : new BigInteger(inference.salt());
        if (compiled.inputVisibility() == Visibility.HASHED && salt == null) {
            throw new JobFailedException("inference " + id + " of a circuit with hashed inputs has no salt");
        }
        // issue 8: hashed outputs have their own salt, kept until this job ends
        boolean hashedOutputs = compiled.ir().hasHashedOutputs();
        BigInteger outputSalt = inference.outputSalt() == null ? null : new BigInteger(inference.outputSalt());
        if (hashedOutputs && outputSalt == null) {
            throw new JobFailedException("inference " + id + " of a circuit with hashed outputs has no output salt");
        }

        // issue 8 (ADR 0025): hashed weights are the circuit's private witness with the circuit's salt
        io.zkml.api.circuits.CircuitRepository.HashedWeightsInfo hashedWeights = compiled.hashedWeights()
                ? circuits.hashedWeights(circuit.id()).orElseThrow(() -> new JobFailedException("circuit " + circuit.id()
                + " has hashed weights and no weights salt")) : null;
        BigInteger weightsSalt = hashedWeights == null ? null : new BigInteger(hashedWeights.salt());

        Integer batchRows = row.batchRows();
        BatchCircuit batch = batchRows == null ? null : circuits.batch(circuit);

        Proof proof;
        ProvingSystem system = ProvingSystem.of(circuit.provingSystem());
        Prover prover = Prover.of(system);
        try (HandleCache<String, NativeHandles.ProvingHandles>.Lease lease = handles.proving(circuit.id(), system,
                circuit.circuitHash(), circuit.irSha256(), circuit.csSha256(), circuit.pkSha256())) {
            phase(context, id, "proving"); // issue 9: witness and proof, one native call
            proof = hashedWeights != null ? prover.prove(lease.value().cs(), lease.value().pk(), quantized, salt, outputSalt,
                    compiled.weights(), weightsSalt)
                    : hashedOutputs ? prover.prove(lease.value().cs(), lease.value().pk(), quantized, salt, outputSalt)
                    : salt == null ? prover.prove(lease.value().cs(), lease.value().pk(), quantized)
                    : prover.prove(lease.value().cs(), lease.value().pk(), quantized, salt);
        } catch (IncompatibleArtifactException e) {
            throw new JobFailedException(e.getMessage(), e);
        } catch (NativeProverException e) {
            if (e.errorCode() == ErrorCode.UNSATISFIED || e.errorCode() == ErrorCode.INVALID_ARGUMENT
                    || e.errorCode() == ErrorCode.VERSION_MISMATCH) {
                throw new JobFailedException("proving failed: " + e.getMessage(), e);
            }
            throw e;
        }

        context.provingTime(proof.proveMillis()); // issue 9: the proving-time histogram
        phase(context, id, "checking"); // issue 9: against the Java reference
        // issue 8: a batch's reference is the BatchCircuit's (every row, padding included, one commitment)
        List<BigInteger> reference = batch == null ? compiled.evaluate(quantized)
                : batch.evaluate(quantized).stream().flatMap(List::stream).toList();
        // the Java reference's public inputs: for hashed inputs its commitment (Commitments.commit),
        // which the request already recorded, must be the proof's public input
        List<String> expectedPublic = (batch == null ? compiled.publicInputs(quantized, salt, outputSalt, weightsSalt)
                : batch.publicInputs(quantized, salt, outputSalt)).stream().map(BigInteger::toString).toList();
        List<String> recorded = new java.util.ArrayList<>();
        if (inference.commitment() != null) {
            recorded.add(inference.commitment());
        }
        if (inference.outputCommitment() != null) {
            recorded.add(inference.outputCommitment());
        }
        if (hashedWeights != null) {
            recorded.add(hashedWeights.commitment()); // the circuit's weightsCommitment, the same in every proof
        }
        boolean commitmentAgrees = proof.commitments().equals(recorded);
        if (!reference.equals(proof.outputs()) || !expectedPublic.equals(proof.publicInputs()) || !commitmentAgrees) {
            log.error("""
                    !!! PROVER/REFERENCE MISMATCH on inference {} (circuit {}, circuit hash {}):
                    !!!   quantized input   {}
                    !!!   gnark outputs     {}   Java reference outputs {}
                    !!!   gnark public      {}
                    !!!   expected public   {}
                    !!! The proof is discarded. This is a bug in the compiler or the native circuit.""",
                    id, circuit.id(), circuit.circuitHash(), quantized, proof.outputs(), reference,
                    proof.publicInputs(), expectedPublic);
            throw new JobFailedException("internal error: the prover's output differs from the reference evaluator's; "
                    + "the proof was discarded and the mismatch logged");
        }

        io.zkml.compiler.model.ImportedModel imported = models.imported(circuit.modelId());
        Object outputJson;
        Object fidelity;
        if (batch == null) {
            CircuitOutput output = compiled.dequantize(proof.outputs());
            double[] input = inference.input().stream().mapToDouble(Double::doubleValue).toArray();
            FloatPrediction floatPrediction = Fidelity.asClassifiedBy(imported.predict(input), imported.outputs(), compiled);
            fidelity = fidelityJson(Fidelity.of(floatPrediction, output), floatPrediction, compiled);
            outputJson = outputJson(output);
        } else {
            // one output and one fidelity per row the client sent; the padding rows are not reported
            CompiledCircuit single = batch.single();
            List<List<BigInteger>> rows = batch.byRow(proof.outputs());
            int per = single.features().size();
            List<Object> outputs = new java.util.ArrayList<>();
            List<Object> fidelities = new java.util.ArrayList<>();
            for (int k = 0; k < batchRows; k++) {
                CircuitOutput output = single.dequantize(rows.get(k));
                double[] input = inference.input().subList(k * per, (k + 1) * per).stream()
                        .mapToDouble(Double::doubleValue).toArray();
                FloatPrediction floatPrediction = Fidelity.asClassifiedBy(imported.predict(input), imported.outputs(), single);
                outputs.add(outputJson(output));
                fidelities.add(fidelityJson(Fidelity.of(floatPrediction, output), floatPrediction, single));
            }
            outputJson = outputs;
            fidelity = fidelities;
        }

        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("queueMillis", context.queueMillis());
        timings.put("witnessMillis", proof.witnessMillis());
        timings.put("proveMillis", proof.proveMillis());
        // issue 8 (ADR 0008): hashed outputs are shown to the requester once (the POST's 202), never
        // stored: neither the outputs nor the fidelity (which names the label) are kept, and the output salt is erased
        Object storedOutput = hashedOutputs ? null : outputJson;
        Object storedFidelity = hashedOutputs ? null : fidelity;
        if (context.jobId() == null) {
            context.complete(() -> inferences.markSucceeded(id, storedOutput, proof.publicInputs(), proof.proofHex(),
                    proof.calldataHex(), storedFidelity, timings, inference.inputHidden(), hashedOutputs));
            return;
        }
        // issue 9 (ADR 0027): one statement, one transaction: the job's success under its lease, the
        // result, the erasure of a hidden input and of the output salt
        context.completeInOneStatement(() -> inferences.markSucceededInLease(id, context.jobId(), context.leaseOwner(),
                storedOutput, proof.publicInputs(), proof.proofHex(), proof.calldataHex(), storedFidelity, timings,
                inference.inputHidden(), hashedOutputs));
    }

    /**
     * Issue 9 (ADR 0027): a phase in one statement that checks the lease itself (no transaction of its
     * own); a lost lease changes nothing here, the completion refuses it.
     */
    private void phase(JobContext context, UUID id, String phase) {
        if (context.jobId() == null) {
            context.progress(() -> inferences.setPhase(id, phase));
            return;
        }
        // off the proof's critical path, in order (one writer thread): the statement's own guards
        // (status 'proving', the lease held) make a write that comes after the result or after a
        // lost lease change nothing
        UUID job = context.jobId();
        String owner = context.leaseOwner();
        PHASES.execute(() -> {
            try {
                inferences.setPhaseInLease(id, phase, job, owner);
            } catch (RuntimeException e) {
                log.debug("phase {} of inference {} not written: {}", phase, id, e.getMessage());
            }
        });
    }

    /** Issue 9 (ADR 0027): the writer of phases, one daemon thread for the process. */
    private static final java.util.concurrent.ExecutorService PHASES = java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("zkml-phase-writer").daemon().factory());

    /** {@code {"label": …}} or {@code {"values": {name: number}}}. */
    static Map<String, Object> outputJson(CircuitOutput output) {
        return output.label() != null ? Map.of("label", output.label()) : Map.of("values", output.values());
    }

    static Map<String, Object> fidelityJson(Fidelity f, FloatPrediction floatPrediction, CompiledCircuit compiled) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (f.floatLabel() != null) {
            m.put("floatLabel", f.floatLabel());
            m.put("circuitLabel", f.circuitLabel());
            m.put("labelsAgree", f.labelsAgree());
        } else {
            m.put("floatValues", floatPrediction.values());
            m.put("absoluteErrors", f.absoluteErrors());
            m.put("maxAbsoluteError", f.maxAbsoluteError());
            if (compiled.quantization().errorBound() != null) {
                m.put("errorBound", compiled.quantization().errorBound());
            }
        }
        return m;
    }

    @Override
    public void onRequeued(UUID subjectId) {
        inferences.requeue(subjectId);
    }

    @Override
    public void onFailed(UUID subjectId, String error) {
        inferences.fail(subjectId, error);
        inferences.find(subjectId).filter(InferenceRecord::inputHidden).ifPresent(r -> inferences.eraseInput(subjectId));
        inferences.eraseOutputSalt(subjectId); // issue 8: a no-op without hashed outputs
    }
}
