package io.zkml.compiler.ir;

import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * An IR document (docs/ir-format.md), in memory: a typed graph of version 2, or a version 1
 * document lifted into that graph by {@link IrReader} ({@code version} is then 1). Build it with
 * {@link IrGraph} or read it with {@link IrReader}; write it with {@link IrWriter} (version 2 only).
 * The record does not validate itself: {@link IrReader#validate(CircuitIr)} does.
 *
 * @param format       always {@value #FORMAT}
 * @param version      {@value #VERSION}, or {@value #V1} for a lifted version 1 document
 * @param field        always {@value #FIELD}
 * @param name         human name of the circuit
 * @param task         {@code "classification"} or {@code "regression"}
 * @param producer     the program that wrote the IR
 * @param source       the model it came from, or null
 * @param quantization the settings the compiler used (an arbitrary JSON object, key order kept), or null
 * @param features     input feature names in input order
 * @param labels       classification: label of each class index; regression: output element names
 * @param tensors      every tensor
 * @param inputs       input tensor names, in public-input order
 * @param ops          operations in evaluation order
 * @param outputs      output tensor names, in public-input order
 */
public record CircuitIr(String format, int version, String field, String name, String task,
                        Producer producer, Source source, ObjectNode quantization,
                        List<String> features, List<String> labels, List<IrTensor> tensors,
                        List<String> inputs, List<IrOp> ops, List<String> outputs, List<Commitment> commitments) {

    public static final String FORMAT = "zkml-ir";
    /** The version this code writes. */
    public static final int VERSION = 2;
    /** The previous version, still read (and lifted). */
    public static final int V1 = 1;
    public static final String FIELD = "bn254";
    /** The BN254 scalar field modulus r. */
    public static final BigInteger BN254_R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
    /** Every bound must satisfy {@code |bound| < 2^248}. */
    public static final int MAX_BOUND_BITS = 248;
    public static final BigInteger BOUND_LIMIT = BigInteger.ONE.shiftLeft(MAX_BOUND_BITS);

    /** The commitment of {@link Commitment#INPUTS_DOMAIN} (docs/commitments.md, recipe v1). */
    public static final String INPUTS_DOMAIN = Commitment.INPUTS_DOMAIN;

    /** A document without commitments (every input public or private). */
    public CircuitIr(String format, int version, String field, String name, String task,
                     Producer producer, Source source, ObjectNode quantization,
                     List<String> features, List<String> labels, List<IrTensor> tensors,
                     List<String> inputs, List<IrOp> ops, List<String> outputs) {
        this(format, version, field, name, task, producer, source, quantization, features, labels, tensors, inputs, ops,
                outputs, List.of());
    }

    public CircuitIr {
        commitments = commitments == null ? List.of() : List.copyOf(commitments);
        features = List.copyOf(features);
        labels = List.copyOf(labels);
        tensors = List.copyOf(tensors);
        inputs = List.copyOf(inputs);
        ops = List.copyOf(ops);
        outputs = List.copyOf(outputs);
        quantization = quantization == null ? null : quantization.deepCopy();
    }

    @Override
    public ObjectNode quantization() {
        return quantization == null ? null : quantization.deepCopy();
    }

    /**
     * A public Poseidon2 commitment (docs/commitments.md, recipe v1) to the values of {@code tensors}
     * (the hashed inputs, in input order) under {@code domain} and a private salt given with the
     * witness. The IR's top-level {@code commitments} (docs/ir-format.md, "Commitments").
     */
    public record Commitment(String name, String domain, List<String> tensors) {
        /** The domain of the commitment to the hashed inputs. */
        public static final String INPUTS_DOMAIN = "zkml-inputs-v1";
        /** The domain of the commitment to the hashed outputs (issue 8): distinct from the inputs'. */
        public static final String OUTPUTS_DOMAIN = "zkml-outputs-v1";

        /** The domain of the commitment to the hashed constants (issue 8: private weights and biases). */
        public static final String WEIGHTS_DOMAIN = "zkml-weights-v1";

        /** Whether this is the commitment to the hashed constants (the weights). */
        public boolean ofWeights() {
            return WEIGHTS_DOMAIN.equals(domain);
        }

        /** Whether this is the commitment to the hashed inputs. */
        public boolean ofInputs() {
            return INPUTS_DOMAIN.equals(domain);
        }

        /** Whether this is the commitment to the hashed outputs. */
        public boolean ofOutputs() {
            return OUTPUTS_DOMAIN.equals(domain);
        }

        public Commitment {
            tensors = List.copyOf(tensors);
        }
    }

    /** Who wrote the IR. */
    public record Producer(String name, String version) {
    }

    /** The model the IR was compiled from ({@code format} is {@code "tribuo"}). */
    public record Source(String format, String sha256, String modelClass) {
    }

    /** The tensor with this name. */
    public Optional<IrTensor> tensor(String tensorName) {
        return tensors.stream().filter(t -> t.name().equals(tensorName)).findFirst();
    }

    /** The tensor with this name; IllegalArgumentException if there is none. */
    public IrTensor requireTensor(String tensorName) {
        return tensor(tensorName).orElseThrow(() -> new IllegalArgumentException("no tensor \"" + tensorName + "\""));
    }

    /** The input tensors, in {@code inputs} order. */
    public List<IrTensor> inputTensors() {
        return inputs.stream().map(this::requireTensor).toList();
    }

    /** The output tensors, in {@code outputs} order. */
    public List<IrTensor> outputTensors() {
        return outputs.stream().map(this::requireTensor).toList();
    }

    /**
     * The input tensor of a document with exactly one (what the compiler writes for linear models).
     *
     * @throws IllegalStateException the document has several inputs: use {@link #inputTensors()}
     */
    public IrTensor inputTensor() {
        if (inputs.size() != 1) {
            throw new IllegalStateException("the IR has " + inputs.size() + " input tensors " + inputs + "; use inputTensors()");
        }
        return requireTensor(inputs.getFirst());
    }

    /**
     * The output tensor of a document with exactly one.
     *
     * @throws IllegalStateException the document has several outputs: use {@link #outputTensors()}
     */
    public IrTensor outputTensor() {
        if (outputs.size() != 1) {
            throw new IllegalStateException("the IR has " + outputs.size() + " output tensors " + outputs + "; use outputTensors()");
        }
        return requireTensor(outputs.getFirst());
    }

    /** The number of input values: every input's elements, all inputs concatenated. */
    public int inputSize() {
        return inputTensors().stream().mapToInt(IrTensor::size).sum();
    }

    /** The number of output values. */
    public int outputSize() {
        return outputTensors().stream().mapToInt(IrTensor::size).sum();
    }

    /** The number of values of public inputs: the first public inputs of the proof. */
    public int publicInputSize() {
        return inputTensors().stream().filter(t -> t.visibility() == Visibility.PUBLIC).mapToInt(IrTensor::size).sum();
    }

    /** The number of values of public outputs: the last public inputs of the proof. */
    public int publicOutputSize() {
        return outputTensors().stream().filter(t -> t.visibility() == Visibility.PUBLIC).mapToInt(IrTensor::size).sum();
    }

    /** The number of public inputs of the proof: the public input values, one per commitment, then the public outputs. */
    public int publicSize() {
        return publicInputSize() + commitments.size() + publicOutputSize();
    }

    /** The hashed constants (private weights), in tensor order: the order of the weights witness and commitment. */
    public List<IrTensor> hashedConstants() {
        return tensors.stream().filter(IrTensor::isHashedConstant).toList();
    }

    /** Whether some constant is hashed (private weights with a public commitment, issue 8). */
    public boolean hasHashedWeights() {
        return tensors.stream().anyMatch(IrTensor::isHashedConstant);
    }

    /** Whether some output is hashed (its values are committed to, not public). */
    public boolean hasHashedOutputs() {
        return commitments.stream().anyMatch(Commitment::ofOutputs);
    }

    /** The lower bounds of all input values (inputs in order, each flat). */
    public List<BigInteger> inputLo() {
        return inputTensors().stream().flatMap(t -> t.lo().stream()).toList();
    }

    /** The upper bounds of all input values (inputs in order, each flat). */
    public List<BigInteger> inputHi() {
        return inputTensors().stream().flatMap(t -> t.hi().stream()).toList();
    }
}
