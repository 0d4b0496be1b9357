/**
 * The ops of IR version 2, one record each (docs/ir-format.md, "Ops"): reading of attributes
 * ({@code read}, listed in {@link io.zkml.compiler.ir.IrOps}), canonical attribute writing, checks of
 * what the op reads, its output bounds, and exact evaluation. Recipe for a new op:
 * docs/adding-an-op.md.
 */
package io.zkml.compiler.ir.ops;
