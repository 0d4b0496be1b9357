// Package ir reads, validates and evaluates documents of the zkml circuit IR, version 2 (a typed
// graph; docs/ir-format.md in the repository, the contract between the Java compiler and this
// module), and defines their constraints. Version 1 documents are lifted into the same graph
// (parse_v1.go).
//
// Every op is an [OpType] in one file op_<name>.go that registers itself ([Register]): Check
// validates a node and computes its output's shape, scale and bounds, Eval computes it with exact
// integers (math/big), Define emits its constraints through gnark's frontend.API. [Parse], the
// evaluator and package circuit look ops up in the registry and never switch on an op's name.
//
// [Parse] rejects an unknown format, version, field or op, any tensor, op or attribute key it
// does not know (unknown top-level keys are metadata and are ignored), a missing attribute,
// duplicate JSON keys, names that break ^[a-z][a-z0-9_]*$, integers that are not canonical
// decimal strings ("0", never "-0" or "007"), values with |v| >= 2^248, shapes of rank > 8 or
// more than 2^24 elements, and non-input tensors whose lo/hi differ from the interval analysis,
// which Parse recomputes.
//
// [IR.Evaluate] checks the inputs first and reports an [*InputError] of kind [WrongInputCount]
// or [InputOutOfRange].
package ir
