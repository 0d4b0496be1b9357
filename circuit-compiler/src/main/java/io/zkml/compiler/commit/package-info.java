/**
 * Poseidon2 commitments to quantized values ({@link io.zkml.compiler.commit.Commitments}) over
 * gnark's BN254 Poseidon2 ({@link io.zkml.compiler.commit.Poseidon2}): the service's cross-check of
 * what the circuit computes and a client library for users (docs/commitments.md, ADR 0007).
 */
package io.zkml.compiler.commit;
