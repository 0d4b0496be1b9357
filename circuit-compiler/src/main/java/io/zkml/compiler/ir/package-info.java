/**
 * The circuit IR, version 2 (docs/ir-format.md): a typed graph of tensors ({@link io.zkml.compiler.ir.IrTensor},
 * with {@link io.zkml.compiler.ir.Role} and {@link io.zkml.compiler.ir.Visibility}) and ops (one record each in
 * {@link io.zkml.compiler.ir.ops}, behind the sealed {@link io.zkml.compiler.ir.IrOp} and listed once in
 * {@link io.zkml.compiler.ir.IrOps}); {@link io.zkml.compiler.ir.IrGraph} builds a graph from code with
 * exact output bounds; {@link io.zkml.compiler.ir.IrWriter} writes the canonical bytes (version 2 only);
 * {@link io.zkml.compiler.ir.IrReader} validates version 2 and lifts version 1 documents;
 * {@link io.zkml.compiler.ir.ReferenceEvaluator} evaluates any graph exactly. Golden files shared with the
 * Go reader live in testdata/golden/ir-v1/ and testdata/golden/ir-v2/.
 */
package io.zkml.compiler.ir;
