package io.zkml.compiler.ir;

/** An IR v1 operation: reads tensor {@link #in()}, writes tensor {@link #out()}. */
public sealed interface IrOp permits DenseOp, RescaleOp, ArgmaxOp {

    /** The op name as written in the IR ({@code "dense"}, {@code "rescale"}, {@code "argmax"}). */
    String op();

    String in();

    String out();
}
