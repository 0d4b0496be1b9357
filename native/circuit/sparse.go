package circuit

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
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
	c := New(d)
	c.count = &counter{}
	newBuilder := func(field *big.Int, cfg frontend.CompileConfig) (frontend.Builder[constraint.U64], error) {
		b, err := scs.NewBuilder[constraint.U64](field, cfg)
		if err != nil {
			return nil, err
		}
		// As in compileWith: the builder's own system, read while Define runs.
		cs, err := b.Compile()
		if err != nil {
			return nil, err
		}
		c.count.cs = cs
		return b, nil
	}
	cs, err := frontend.Compile(ecc.BN254.ScalarField(), newBuilder, c)
	if err != nil {
		return nil, nil, err
	}
	if got := c.count.byOp.Total(); got != cs.GetNbConstraints() {
		return nil, nil, fmt.Errorf("circuit: the per-op counts add up to %d constraints, the sparse system has %d", got, cs.GetNbConstraints())
	}
	return cs, c.count.byOp, nil
}
