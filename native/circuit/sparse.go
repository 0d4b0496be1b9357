package circuit

import (
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend/cs/scs"

	"github.com/zkml-service/zkml/native/ir"
)

// CompileSparseWithCounts compiles the circuit of d to a sparse R1CS (PLONK's constraint system,
// gnark's scs builder) over BN254, and returns the constraints each op kind added, as
// CompileWithCounts does for the R1CS. The circuit definition (Define) is the same; only the
// builder differs, so a PLONK circuit has the same public inputs in the same order.
//
// A PLONK constraint is one gate qL·a + qR·b + qM·a·b + qO·c + qK = 0, so a circuit has more of
// them than R1CS constraints (a linear combination of n terms costs about n-1 gates, where the
// R1CS folds it into one constraint).
func CompileSparseWithCounts(d *ir.IR) (constraint.ConstraintSystem, ConstraintsByOp, error) {
	return compileOn(d, nil, scs.NewBuilder[constraint.U64], "sparse R1CS")
}
