// Package ir reads, validates and evaluates documents of the zkml circuit IR, version 1
// (docs/ir-format.md in the repository, the contract between the Java compiler and this
// module).
//
// [Parse] accepts exactly IR v1: it rejects an unknown format, version, field or op, any
// tensor or op key it does not know (unknown top-level keys are metadata and are ignored),
// names that break ^[a-z][a-z0-9_]*$, integers that are not canonical decimal strings
// ("0", never "-0" or "007"), bounds with |bound| >= 2^248, and non-input tensors whose
// lo/hi differ from the interval analysis, which Parse recomputes.
//
// [IR.Evaluate] is an exact integer evaluator (math/big): dense is an exact dot product,
// rescale is floor division by 2^shift (big.Int.Rsh semantics: -1 >> 8 = -1), argmax returns
// the lowest index of the maximum. It checks the inputs first and reports an [*InputError] of
// kind [WrongInputCount] or [InputOutOfRange].
package ir
