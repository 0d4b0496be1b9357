package circuit

import (
	"bytes"
	"fmt"
	"math/big"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/ir"
)

// withLookup is doc with "range_check": "lookup" as its first key (what the service's compile
// job writes for a circuit asked with "rangeCheck": "lookup").
func withLookup(t *testing.T, doc []byte) []byte {
	t.Helper()
	i := bytes.IndexByte(doc, '{')
	if i < 0 {
		t.Fatal("not a JSON object")
	}
	return append(append(append([]byte(nil), doc[:i+1]...), []byte(`"range_check":"lookup",`)...), doc[i+1:]...)
}

// lookupGolden is every version-2 golden document (and demo model) with range checks by lookup.
func lookupGolden(t *testing.T) []goldenFile {
	t.Helper()
	var out []goldenFile
	for _, g := range loadGolden(t) {
		if g.ir.Version != ir.Version {
			continue
		}
		var raw []byte
		for _, s := range golden.MustLoad(t) {
			if s.Name == g.name {
				raw = s.IR
			}
		}
		d, err := ir.Parse(withLookup(t, raw))
		if err != nil {
			t.Fatalf("%s with lookup: %v", g.name, err)
		}
		if !d.Lookup() || d.CircuitHash() == g.ir.CircuitHash() {
			t.Fatalf("%s: lookup=%v, circuit hash %s (bits: %s): the option must change the circuit hash", g.name, d.Lookup(), d.CircuitHash(), g.ir.CircuitHash())
		}
		g.ir = d
		out = append(out, g)
	}
	if len(out) == 0 {
		t.Fatal("no version-2 golden documents")
	}
	return out
}

func TestRangeCheckKeyIsParsed(t *testing.T) {
	doc := golden.MustLoad(t)[0].IR
	for _, bad := range []string{`"range_check":"table",`, `"range_check":1,`} {
		i := bytes.IndexByte(doc, '{')
		d := append(append(append([]byte(nil), doc[:i+1]...), bad...), doc[i+1:]...)
		if _, err := ir.Parse(d); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestLookupCircuitsAcceptRightWitnessesAndRejectWrongOnes: with std/rangecheck instead of bit
// decompositions, the circuit still accepts the golden cases and the bounds, and rejects wrong
// outputs and every input just outside its range (and far outside, where x − lo wraps).
func TestLookupCircuitsAcceptRightWitnessesAndRejectWrongOnes(t *testing.T) {
	for _, g := range lookupGolden(t) {
		t.Run(g.name, func(t *testing.T) {
			ccs, byOp, err := compileWith(g.ir, nil)
			if err != nil {
				t.Fatal(err)
			}
			// one commitment (std/rangecheck's), none if every check is 0 or 1 bit wide (those stay
			// an equality or a boolean constraint)
			if n := len(ccs.GetCommitments().CommitmentIndexes()); n > 1 {
				t.Errorf("%d commitments, want at most 1 (std/rangecheck's)", n)
			}
			if byOp.Total() != ccs.GetNbConstraints() {
				t.Errorf("per-op counts %d, constraints %d", byOp.Total(), ccs.GetNbConstraints())
			}
			c := &checker{t: t, d: g.ir, ccs: ccs}
			for i, in := range g.cases[:min(3, len(g.cases))] {
				if len(g.ir.Commitments) > 0 {
					continue // hashed inputs need the case's salt; covered by the bits tests
				}
				ev, _ := g.ir.Evaluate(in)
				c.accept(fmt.Sprintf("case %d", i), in, ev.Outputs)
				c.reject(fmt.Sprintf("case %d output 0 + 1", i), in, plus(ev.Outputs, 0, 1))
			}
			if len(g.ir.Commitments) > 0 {
				return
			}
			lo, hi := g.ir.InputBounds()
			c.accept("all lo", lo, evalWith(g.ir, lo, 0, ir.Argmax))
			c.accept("all hi", hi, evalWith(g.ir, hi, 0, ir.Argmax))
			for i := range lo {
				if lo[i].Cmp(hi[i]) == 0 {
					continue
				}
				for _, bad := range []*big.Int{new(big.Int).Add(hi[i], big.NewInt(1)), new(big.Int).Sub(lo[i], big.NewInt(1)),
					new(big.Int).Sub(lo[i], new(big.Int).Lsh(big.NewInt(1), 200))} {
					in := append([]*big.Int(nil), lo...)
					in[i] = bad
					c.reject(fmt.Sprintf("input %d = %s", i, bad), in, evalWith(g.ir, in, 0, ir.Argmax))
				}
			}
		})
	}
}

// TestLookupRejectsLyingRescaleHints: a rescale remainder ≥ 2^shift is caught by the lookup
// range check as it was by the bits.
func TestLookupRejectsLyingRescaleHints(t *testing.T) {
	for _, g := range lookupGolden(t) {
		hasRescale := false
		for _, n := range g.ir.Nodes {
			hasRescale = hasRescale || n.Kind() == "rescale"
		}
		if !hasRescale || len(g.ir.Commitments) > 0 {
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			h := &Hints{Rescale: rescaleRemainderTooBig, Argmax: ArgmaxHint, SplitBits: SplitBitsHint}
			c := newChecker(t, g.ir, h)
			for i, in := range g.cases[:min(3, len(g.cases))] {
				c.reject(fmt.Sprintf("case %d (q, r+2^k)", i), in, evalWith(g.ir, in, 0, ir.Argmax))
			}
		})
		return
	}
	t.Skip("no version-2 golden document with a rescale")
}

// TestLookupConstraintCounts logs bits vs lookup for every version-2 golden document (R1CS and
// sparse R1CS); the benchmark JSON records the demo models' numbers.
func TestLookupConstraintCounts(t *testing.T) {
	bitsDocs := map[string]*ir.IR{}
	for _, g := range loadGolden(t) {
		bitsDocs[g.name] = g.ir
	}
	for _, g := range lookupGolden(t) {
		b, _ := Compile(bitsDocs[g.name])
		l, _ := Compile(g.ir)
		bs, _, _ := CompileSparseWithCounts(bitsDocs[g.name])
		ls, _, _ := CompileSparseWithCounts(g.ir)
		t.Logf("%s: R1CS bits %d lookup %d; SCS bits %d lookup %d", g.name, b.GetNbConstraints(), l.GetNbConstraints(),
			bs.GetNbConstraints(), ls.GetNbConstraints())
	}
}
