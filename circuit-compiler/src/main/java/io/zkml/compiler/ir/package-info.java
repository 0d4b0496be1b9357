/**
 * The circuit IR, version 1 (docs/ir-format.md): records, the canonical writer, the validating
 * reader and the exact {@link java.math.BigInteger} reference evaluator. Golden files shared with
 * the Go reader live in testdata/golden/ir-v1/.
 */
package io.zkml.compiler.ir;
