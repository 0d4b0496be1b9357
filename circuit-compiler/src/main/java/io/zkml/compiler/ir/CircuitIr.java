package io.zkml.compiler.ir;

import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * An IR v1 document (docs/ir-format.md), in memory. Build it with the compiler or read it with
 * {@link IrReader}; write it with {@link IrWriter}. The record does not validate itself:
 * {@link IrReader#validate(CircuitIr)} does.
 *
 * @param format       always {@value #FORMAT}
 * @param version      always {@value #VERSION}
 * @param field        always {@value #FIELD}
 * @param name         human name of the circuit
 * @param task         {@code "classification"} or {@code "regression"}
 * @param producer     the program that wrote the IR
 * @param source       the model it came from, or null
 * @param quantization the settings the compiler used (an arbitrary JSON object, key order kept), or null
 * @param features     input feature names in input order
 * @param labels       classification: label of each argmax index; regression: output dimension names
 * @param tensors      every tensor
 * @param inputs       input tensor names (v1: exactly one)
 * @param ops          operations in evaluation order
 * @param outputs      output tensor names (v1: exactly one)
 */
public record CircuitIr(String format, int version, String field, String name, String task,
                        Producer producer, Source source, ObjectNode quantization,
                        List<String> features, List<String> labels, List<IrTensor> tensors,
                        List<String> inputs, List<IrOp> ops, List<String> outputs) {

    public static final String FORMAT = "zkml-ir";
    public static final int VERSION = 1;
    public static final String FIELD = "bn254";
    /** The BN254 scalar field modulus r. */
    public static final BigInteger BN254_R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
    /** Every bound must satisfy {@code |bound| < 2^248}. */
    public static final int MAX_BOUND_BITS = 248;
    public static final BigInteger BOUND_LIMIT = BigInteger.ONE.shiftLeft(MAX_BOUND_BITS);

    public CircuitIr {
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

    /** The single v1 input tensor. */
    public IrTensor inputTensor() {
        return tensor(inputs.getFirst()).orElseThrow();
    }

    /** The single v1 output tensor. */
    public IrTensor outputTensor() {
        return tensor(outputs.getFirst()).orElseThrow();
    }

}
