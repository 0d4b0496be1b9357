/**
 * The circuit compiler: quantizes an imported model to fixed point and lowers it to the circuit
 * IR ({@link io.zkml.compiler.CircuitCompiler}), and gives the compiled circuit's exact reference
 * semantics ({@link io.zkml.compiler.CompiledCircuit}). Scales, rounding, overflow and the
 * accuracy budget are documented in docs/quantization.md.
 */
package io.zkml.compiler;
