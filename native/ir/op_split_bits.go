package ir

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// split_bits: out[k] = 1 if x[feature[k]] > thresholds[k], else 0, each feature decomposed once.
// For a feature f with thresholds t_1 < … < t_m and bounds [lo, hi], the intervals
// I_0 = [lo, min(hi, t_1)], I_j = [max(lo, t_j + 1), min(hi, t_{j+1})], I_m = [max(lo, t_m + 1), hi];
// with E ≥ 2 non-empty ones a hint supplies a one-hot h over them; each h_j boolean, Σh = 1,
// x − Σ h_j·L_j ∈ [0, 2^w) and Σ h_j·U_j − x ∈ [0, 2^w), w = bitlen(hi − lo). The bit of t_i is
// Σ_{j ≥ i} h_j. A bit the bounds decide is a constant.
type splitBitsOp struct{}

func init() { Register(splitBitsOp{}) }

func (splitBitsOp) Name() string       { return "split_bits" }
func (splitBitsOp) Attributes() []Attr { return []Attr{{"feature", AttrInts}} }

// interval is a non-empty interval of a feature: orig is its index j in I_0 … I_m.
type interval struct {
	orig   int
	lo, hi *big.Int
}

// splitGroup is one feature with thresholds: the entries ks (in order), the non-empty intervals,
// and for each entry the positions in ivs whose h sums to its bit (nil for a constant bit).
type splitGroup struct {
	feature int
	ks      []int
	ivs     []interval
	w       int
	// first[i]: the bit of ks[i] is Σ_{p ≥ first[i]} h_p over ivs; -1: constant (value in konst).
	first []int
	konst []int
}

func (splitBitsOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 2, 1); err != nil {
		return nil, err
	}
	if err := requireVariable(n, path, 0, "x"); err != nil {
		return nil, err
	}
	x, th := n.Inputs[0], n.Inputs[1]
	if err := requireRank1(x, inPath(path, 0), "x"); err != nil {
		return nil, err
	}
	if err := requireConstant(n, path, 1, "thresholds"); err != nil {
		return nil, err
	}
	if err := requireRank1(th, inPath(path, 1), "thresholds"); err != nil {
		return nil, err
	}
	if th.Scale != x.Scale {
		return nil, errf(inPath(path, 1), "thresholds scale %d != x scale %d", th.Scale, x.Scale)
	}
	feature := n.Ints("feature")
	apath := path + ".attributes.feature"
	if len(feature) != th.Size {
		return nil, errf(apath, "has %d entries, thresholds %q has %d", len(feature), th.Name, th.Size)
	}
	for k, f := range feature {
		if f < 0 || f >= x.Size {
			return nil, errf(fmt.Sprintf("%s[%d]", apath, k), "feature %d is not in [0, %d)", f, x.Size)
		}
		if k > 0 {
			if f < feature[k-1] {
				return nil, errf(fmt.Sprintf("%s[%d]", apath, k), "features must be non-decreasing: %d after %d", f, feature[k-1])
			}
			if f == feature[k-1] && th.Values[k].Cmp(th.Values[k-1]) <= 0 {
				return nil, errf(fmt.Sprintf("%s[%d]", apath, k), "thresholds of feature %d must strictly increase: %s after %s", f, th.Values[k], th.Values[k-1])
			}
		}
	}
	T := th.Size
	lo, hi := make([]*big.Int, T), make([]*big.Int, T)
	var groups []*splitGroup
	one := big.NewInt(1)
	for k := 0; k < T; {
		f := feature[k]
		g := &splitGroup{feature: f}
		for k < T && feature[k] == f {
			g.ks = append(g.ks, k)
			k++
		}
		flo, fhi := x.Lo[f], x.Hi[f]
		m := len(g.ks)
		t := func(i int) *big.Int { return th.Values[g.ks[i-1]] } // 1-based t_i
		for j := 0; j <= m; j++ {
			l, u := flo, fhi
			if j > 0 {
				if v := new(big.Int).Add(t(j), one); v.Cmp(l) > 0 {
					l = v
				}
			}
			if j < m && t(j+1).Cmp(u) < 0 {
				u = t(j + 1)
			}
			if l.Cmp(u) <= 0 {
				g.ivs = append(g.ivs, interval{orig: j, lo: l, hi: u})
			}
		}
		g.w = RangeBits(flo, fhi)
		p := 0 // the first non-empty interval I_j with j ≥ i; i only grows, so does p
		for i := 1; i <= m; i++ {
			ti := t(i)
			bl, bh := 0, 0
			if flo.Cmp(ti) > 0 {
				bl = 1
			}
			if fhi.Cmp(ti) > 0 {
				bh = 1
			}
			lo[g.ks[i-1]], hi[g.ks[i-1]] = big.NewInt(int64(bl)), big.NewInt(int64(bh))
			if bl == bh {
				g.first, g.konst = append(g.first, -1), append(g.konst, bl)
				continue
			}
			for p < len(g.ivs) && g.ivs[p].orig < i {
				p++
			}
			g.first, g.konst = append(g.first, p), append(g.konst, 0)
		}
		groups = append(groups, g)
	}
	n.State = groups
	return []OutSpec{{Shape: []int{T}, Scale: 0, Lo: lo, Hi: hi}}, nil
}

func (splitBitsOp) Eval(n *Node, in [][]*big.Int) [][]*big.Int {
	x, th, feature := in[0], in[1], n.Ints("feature")
	out := make([]*big.Int, len(th))
	for k, t := range th {
		out[k] = big.NewInt(0)
		if x[feature[k]].Cmp(t) > 0 {
			out[k].SetInt64(1)
		}
	}
	return [][]*big.Int{out}
}

func (splitBitsOp) Define(api frontend.API, ctx *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	x := in[0]
	out := make([]frontend.Variable, n.Inputs[1].Size)
	for _, g := range n.State.([]*splitGroup) {
		E := len(g.ivs)
		if E == 1 {
			for i, k := range g.ks {
				out[k] = g.konst[i]
			}
			continue
		}
		hintIn := make([]frontend.Variable, 0, E+1)
		hintIn = append(hintIn, x[g.feature])
		for _, iv := range g.ivs {
			hintIn = append(hintIn, ToField(iv.lo))
		}
		h, err := ctx.NewHint(api, HintSplitBits, E, hintIn...)
		if err != nil {
			return nil, err
		}
		ls := make([]frontend.Variable, E)
		us := make([]frontend.Variable, E)
		for j := range h {
			api.AssertIsBoolean(h[j])
			ls[j] = api.Mul(h[j], ToField(g.ivs[j].lo))
			us[j] = api.Mul(h[j], ToField(g.ivs[j].hi))
		}
		api.AssertIsEqual(api.Add(h[0], h[1], h[2:]...), 1)
		L := api.Add(ls[0], ls[1], ls[2:]...)
		U := api.Add(us[0], us[1], us[2:]...)
		ctx.AssertBits(api, api.Sub(x[g.feature], L), g.w)
		ctx.AssertBits(api, api.Sub(U, x[g.feature]), g.w)
		// The bit of an entry whose first interval above its threshold is p is Σ_{q ≥ p} h_q,
		// or equally (Σh = 1 is constrained) 1 − Σ_{q < p} h_q: whichever has fewer terms, from
		// running sums, so that no linear combination exceeds E/2 terms (gnark compresses one of
		// 300 terms or more into a new variable, one constraint).
		prefix := make([]frontend.Variable, E+1) // prefix[p] = Σ_{q<p} h_q, for p ≤ E/2
		suffix := make([]frontend.Variable, E+1) // suffix[p] = Σ_{q≥p} h_q, for p ≥ E/2
		prefix[1], suffix[E-1] = h[0], h[E-1]
		for p := 2; p <= E/2; p++ {
			prefix[p] = api.Add(prefix[p-1], h[p-1])
		}
		for p := E - 2; p >= E/2 && p >= 1; p-- {
			suffix[p] = api.Add(suffix[p+1], h[p])
		}
		for i, k := range g.ks {
			switch p := g.first[i]; {
			case p < 0:
				out[k] = g.konst[i]
			case p >= E/2:
				out[k] = suffix[p]
			default:
				out[k] = api.Sub(1, prefix[p])
			}
		}
	}
	return [][]frontend.Variable{out}, nil
}

// SplitBitsHint computes the one-hot of split_bits: inputs (x, L_0, …, L_{E−1}), the signed
// value and the lower ends of the non-empty intervals in increasing order; output j is 1 for the
// last interval with L_j ≤ x. Package circuit registers it under its own name.
func SplitBitsHint(field *big.Int, inputs, outputs []*big.Int) error {
	if len(inputs) != len(outputs)+1 || len(outputs) < 2 {
		return fmt.Errorf("split_bits hint: %d inputs, %d outputs", len(inputs), len(outputs))
	}
	x := Signed(field, inputs[0])
	k := 0
	for j := 1; j < len(outputs); j++ {
		if x.Cmp(Signed(field, inputs[j+1])) >= 0 {
			k = j
		}
	}
	for j := range outputs {
		outputs[j].SetUint64(0)
	}
	outputs[k].SetUint64(1)
	return nil
}
