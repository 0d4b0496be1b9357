package circuit

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/zkml-service/zkml/native/ir"
)

// forestIR synthesizes a classification forest: trees full binary trees of the given depth over
// features inputs in [-2^15, 2^15], each node a random (feature, threshold), the thresholds of a
// feature shared by one split_bits; leaves vote for one of classes classes; weighted_sum of the
// votes, then argmax.
func forestIR(trees, depth, features, classes int, seed int64) []byte {
	rng := rand.New(rand.NewSource(seed))
	const lim = 1 << 15
	type node struct{ f, t int }
	nodesPer := 1<<depth - 1
	all := make([][]node, trees)
	perFeature := make([]map[int]bool, features)
	for f := range perFeature {
		perFeature[f] = map[int]bool{}
	}
	for i := range all {
		all[i] = make([]node, nodesPer)
		for j := range all[i] {
			n := node{rng.Intn(features), rng.Intn(2*lim) - lim}
			all[i][j] = n
			perFeature[n.f][n.t] = true
		}
	}
	// The sorted (feature, threshold) pairs and the bit index of each.
	var feature []int
	var thresholds []string
	index := map[node]int{}
	for f := range perFeature {
		var ts []int
		for t := range perFeature[f] {
			ts = append(ts, t)
		}
		sort.Ints(ts)
		for _, t := range ts {
			index[node{f, t}] = len(feature)
			feature = append(feature, f)
			thresholds = append(thresholds, fmt.Sprint(t))
		}
	}
	strs := func(n int, v string) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	type obj = map[string]any
	tensors := []obj{
		{"name": "x", "role": "input", "visibility": "public", "shape": []int{features}, "scale": 8,
			"lo": strs(features, fmt.Sprint(-lim)), "hi": strs(features, fmt.Sprint(lim))},
		{"name": "thresholds", "role": "constant", "visibility": "fixed", "shape": []int{len(thresholds)}, "scale": 8, "values": thresholds},
		{"name": "bits", "role": "intermediate", "visibility": "private", "shape": []int{len(thresholds)}, "scale": 0,
			"lo": strs(len(thresholds), "0"), "hi": strs(len(thresholds), "1")},
	}
	ops := []obj{{"op": "split_bits", "inputs": []string{"x", "thresholds"}, "outputs": []string{"bits"}, "attributes": obj{"feature": feature}}}
	sumInputs := []string{"ones"}
	for i, tr := range all {
		bit, le, gt := make([]int, nodesPer), make([]int, nodesPer), make([]int, nodesPer)
		leaves := make([]string, 0, (nodesPer+1)*classes)
		for j, n := range tr {
			bit[j] = index[n]
			// Heap layout: children 2j+1, 2j+2; leaves numbered left to right.
			for c, dst := range []*int{&le[j], &gt[j]} {
				child := 2*j + 1 + c
				if child < nodesPer {
					*dst = child
				} else {
					*dst = -(child - nodesPer) - 1
				}
			}
		}
		for l := 0; l <= nodesPer; l++ {
			vote := rng.Intn(classes)
			for c := 0; c < classes; c++ {
				leaves = append(leaves, map[bool]string{true: "1", false: "0"}[c == vote])
			}
		}
		name := fmt.Sprintf("tree%d", i)
		tensors = append(tensors,
			obj{"name": name + "_leaves", "role": "constant", "visibility": "fixed", "shape": []int{nodesPer + 1, classes}, "scale": 0, "values": leaves},
			obj{"name": name + "_votes", "role": "intermediate", "visibility": "private", "shape": []int{classes}, "scale": 0, "lo": nil, "hi": nil})
		ops = append(ops, obj{"op": "tree", "inputs": []string{"bits", name + "_leaves"}, "outputs": []string{name + "_votes"},
			"attributes": obj{"bit": bit, "le": le, "gt": gt}})
		sumInputs = append(sumInputs, name+"_votes")
	}
	// Bounds: min/max over all leaves of each column (0 or 1 unless a class gets no vote).
	for i := 3; i < len(tensors); i += 2 {
		vals := tensors[i]["values"].([]string)
		lo, hi := strs(classes, "1"), strs(classes, "0")
		for l := 0; l < len(vals); l++ {
			if vals[l] == "0" {
				lo[l%classes] = "0"
			} else {
				hi[l%classes] = "1"
			}
		}
		tensors[i+1]["lo"], tensors[i+1]["hi"] = lo, hi
	}
	sumLo, sumHi := make([]int, classes), make([]int, classes)
	for i := 4; i < len(tensors); i += 2 {
		for c := 0; c < classes; c++ {
			if tensors[i]["lo"].([]string)[c] == "1" {
				sumLo[c]++
			}
			if tensors[i]["hi"].([]string)[c] == "1" {
				sumHi[c]++
			}
		}
	}
	toStr := func(v []int) []string {
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = fmt.Sprint(x)
		}
		return s
	}
	tensors = append(tensors,
		obj{"name": "ones", "role": "constant", "visibility": "fixed", "shape": []int{trees}, "scale": 0, "values": strs(trees, "1")},
		obj{"name": "votes", "role": "intermediate", "visibility": "private", "shape": []int{classes}, "scale": 0, "lo": toStr(sumLo), "hi": toStr(sumHi)},
		obj{"name": "label", "role": "output", "visibility": "public", "shape": []int{1}, "scale": 0, "lo": []string{"0"}, "hi": []string{fmt.Sprint(classes - 1)}})
	ops = append(ops,
		obj{"op": "weighted_sum", "inputs": sumInputs, "outputs": []string{"votes"}, "attributes": obj{}},
		obj{"op": "argmax", "inputs": []string{"votes"}, "outputs": []string{"label"}, "attributes": obj{}})
	doc := obj{"format": "zkml-ir", "version": 2, "field": "bn254", "name": "forest", "tensors": tensors,
		"inputs": []string{"x"}, "ops": ops, "outputs": []string{"label"}}
	raw, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return raw
}

// TestForestPerformance: 100 trees of depth 6 over 16 features (6300 internal nodes). Run with
// ZKML_PERF=1 go test ./circuit -run TestForestPerformance -v; not part of CI.
func TestForestPerformance(t *testing.T) {
	if os.Getenv("ZKML_PERF") != "1" {
		t.Skip("set ZKML_PERF=1 to run")
	}
	raw := forestIR(100, 6, 16, 3, 1)
	start := time.Now()
	d, err := ir.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	parse := time.Since(start)
	start = time.Now()
	cs, byOp, err := CompileWithCounts(d)
	if err != nil {
		t.Fatal(err)
	}
	compile := time.Since(start)
	js, _ := byOp.MarshalJSON()
	t.Logf("forest 100x6x16: %d bytes of IR, %d thresholds; parse %v, compile %v; %d constraints %s",
		len(raw), d.Tensor("thresholds").Size, parse, compile, cs.GetNbConstraints(), js)
	if n := cs.GetNbConstraints(); n > 40000 {
		t.Errorf("%d constraints, more than 40k", n)
	}
	// One witness through the solver.
	in := make([]*big.Int, 16)
	for i := range in {
		in[i] = big.NewInt(int64(i*1000 - 8000))
	}
	start = time.Now()
	c := newChecker(t, d, nil)
	ev, err := d.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	c.accept("forest", in, ev.Outputs)
	t.Logf("solve (test engine + R1CS, with a second compile) %v", time.Since(start))
}
