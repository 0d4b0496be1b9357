package circuit

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/zkml-service/zkml/native/ir"
)

// edgeIR: a fixed input element (lo = hi), a dense row with only zero weights (a constant),
// a rescale by 0 (identity), an argmax over a single element (constant 0) and one over
// several; then a wide circuit near the 2^248 bound with the largest shift.
func edgeIR(t *testing.T) *ir.IR {
	t.Helper()
	doc := `{"format":"zkml-ir","version":1,"field":"bn254","name":"edge",
	 "tensors":[
	  {"name":"x","size":2,"scale":0,"lo":["5","-3"],"hi":["5","4"]},
	  {"name":"acc","size":2,"scale":1,"lo":["-7","-6"],"hi":["-7","8"]},
	  {"name":"y","size":2,"scale":1,"lo":["-7","-6"],"hi":["-7","8"]},
	  {"name":"label","size":1,"scale":0,"lo":["0"],"hi":["1"]}],
	 "inputs":["x"],
	 "ops":[
	  {"op":"dense","in":"x","out":"acc","weightScale":1,"weights":[["0","0"],["0","2"]],"bias":["-7","0"]},
	  {"op":"rescale","in":"acc","out":"y","shift":0},
	  {"op":"argmax","in":"y","out":"label"}],
	 "outputs":["label"]}`
	d, err := ir.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func single(t *testing.T) *ir.IR {
	t.Helper()
	doc := `{"format":"zkml-ir","version":1,"field":"bn254","name":"single",
	 "tensors":[
	  {"name":"x","size":1,"scale":0,"lo":["-3"],"hi":["3"]},
	  {"name":"label","size":1,"scale":0,"lo":["0"],"hi":["0"]}],
	 "inputs":["x"],
	 "ops":[{"op":"argmax","in":"x","out":"label"}],
	 "outputs":["label"]}`
	d, err := ir.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// wideIR has inputs in ±2^200, weights 2^40, accumulators near ±2^241 and a shift of 128.
func wideIR(t *testing.T) *ir.IR {
	t.Helper()
	p := func(e uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), e) }
	neg := func(v *big.Int) *big.Int { return new(big.Int).Neg(v) }
	w := p(40)
	lo, hi := neg(p(200)), p(200)
	weights := [][]*big.Int{{w, neg(w)}, {neg(w), big.NewInt(3)}}
	bias := []*big.Int{big.NewInt(0), p(127)}
	accLo, accHi := denseBounds(weights, bias, []*big.Int{lo, lo}, []*big.Int{hi, hi})
	q := func(vs []*big.Int) string {
		var s []string
		for _, v := range vs {
			s = append(s, `"`+v.String()+`"`)
		}
		return "[" + strings.Join(s, ",") + "]"
	}
	shr := func(vs []*big.Int) []*big.Int {
		out := make([]*big.Int, len(vs))
		for i, v := range vs {
			out[i] = new(big.Int).Rsh(v, 128)
		}
		return out
	}
	doc := fmt.Sprintf(`{"format":"zkml-ir","version":1,"field":"bn254","name":"wide",
	 "tensors":[
	  {"name":"x","size":2,"scale":100,"lo":%s,"hi":%s},
	  {"name":"acc","size":2,"scale":140,"lo":%s,"hi":%s},
	  {"name":"y","size":2,"scale":12,"lo":%s,"hi":%s},
	  {"name":"label","size":1,"scale":0,"lo":["0"],"hi":["1"]}],
	 "inputs":["x"],
	 "ops":[
	  {"op":"dense","in":"x","out":"acc","weightScale":40,"weights":[[%q,%q],[%q,"3"]],"bias":["0",%q]},
	  {"op":"rescale","in":"acc","out":"y","shift":128},
	  {"op":"argmax","in":"y","out":"label"}],
	 "outputs":["y"]}`,
		q([]*big.Int{lo, lo}), q([]*big.Int{hi, hi}), q(accLo), q(accHi), q(shr(accLo)), q(shr(accHi)),
		w.String(), neg(w).String(), neg(w).String(), p(127).String())
	d, err := ir.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEdgeShapes(t *testing.T) {
	d := edgeIR(t)
	c := newChecker(t, d, nil)
	for _, x1 := range []int64{-3, 0, 4} {
		in := ints(5, x1)
		c.accept(fmt.Sprintf("x1=%d", x1), in, evalWith(d, in, 0, ir.Argmax))
		c.reject(fmt.Sprintf("x1=%d wrong label", x1), in, plus(evalWith(d, in, 0, ir.Argmax), 0, 1))
	}
	c.reject("fixed input changed", ints(6, 0), evalWith(d, ints(6, 0), 0, ir.Argmax))

	s := single(t)
	cs := newChecker(t, s, nil)
	cs.accept("single", ints(-2), ints(0))
	cs.reject("single, label 1", ints(-2), ints(1))
}

func TestWideValuesNearTheBound(t *testing.T) {
	d := wideIR(t)
	c := newChecker(t, d, nil)
	minus := newChecker(t, d, &Hints{Rescale: rescaleQMinus1, Argmax: ArgmaxHint, SplitBits: SplitBitsHint})
	other := newChecker(t, d, &Hints{Rescale: rescaleOtherRemainder, Argmax: ArgmaxHint, SplitBits: SplitBitsHint})
	lo, hi := d.InputBounds()
	p200 := new(big.Int).Lsh(big.NewInt(1), 200)
	for i, in := range [][]*big.Int{lo, hi, {hi[0], lo[1]}, {big.NewInt(-1), big.NewInt(1)}, {new(big.Int).Rsh(p200, 3), big.NewInt(-12345)}} {
		out := evalWith(d, in, 0, ir.Argmax)
		c.accept(fmt.Sprintf("wide %d", i), in, out)
		c.reject(fmt.Sprintf("wide %d output+1", i), in, plus(out, 1, 1))
		minus.reject(fmt.Sprintf("wide %d q-1", i), in, evalWith(d, in, -1, ir.Argmax))
		other.reject(fmt.Sprintf("wide %d field quotient", i), in, evalWithRescaleHint(d, in, rescaleOtherRemainder))
	}
	c.reject("wide input 2^200+1", []*big.Int{new(big.Int).Add(p200, big.NewInt(1)), big.NewInt(0)},
		evalWith(d, []*big.Int{new(big.Int).Add(p200, big.NewInt(1)), big.NewInt(0)}, 0, ir.Argmax))
}

// denseBounds is dense's interval analysis: lo[j] = bias[j] + Σ min(w·lo, w·hi), hi likewise.
func denseBounds(weights [][]*big.Int, bias, inLo, inHi []*big.Int) (lo, hi []*big.Int) {
	for j, row := range weights {
		l, h := new(big.Int).Set(bias[j]), new(big.Int).Set(bias[j])
		for i, w := range row {
			a, b := new(big.Int).Mul(w, inLo[i]), new(big.Int).Mul(w, inHi[i])
			if a.Cmp(b) > 0 {
				a, b = b, a
			}
			l.Add(l, a)
			h.Add(h, b)
		}
		lo, hi = append(lo, l), append(hi, h)
	}
	return lo, hi
}
