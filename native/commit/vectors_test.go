package commit

import (
	"bytes"
	"encoding/json"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"golang.org/x/crypto/sha3"
)

var update = flag.Bool("update", false, "rewrite "+VectorsFile+" from gnark-crypto")

func vectorsPath() string { return filepath.Join("..", "..", VectorsFile) }

func n(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 0)
	if !ok {
		panic(s)
	}
	return v
}

func ns(ss ...string) []*big.Int {
	out := make([]*big.Int, len(ss))
	for i, s := range ss {
		out[i] = n(s)
	}
	return out
}

func el(s string) fr.Element {
	var e fr.Element
	e.SetBigInt(n(s))
	return e
}

// deterministicSalt is keccak256(label) mod r: reproducible salts for the vectors.
func deterministicSalt(label string) *big.Int {
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(label))
	return new(big.Int).Mod(new(big.Int).SetBytes(h.Sum(nil)), Modulus())
}

type commitCase struct {
	name   string
	domain string
	widths []int
	lows   []*big.Int
	values []*big.Int
	salt   *big.Int
}

func repeat(n int, f func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func repeat2(k, w int) []int {
	out := make([]int, k)
	for i := range out {
		out[i] = w
	}
	return out
}

func commitCases() []commitCase {
	rMinus1 := new(big.Int).Sub(Modulus(), big.NewInt(1))
	two247 := new(big.Int).Lsh(big.NewInt(1), 247)
	byteWidths := func(k int) []int {
		w := make([]int, k)
		for i := range w {
			w[i] = 8
		}
		return w
	}
	return []commitCase{
		{"no values", InputsDomain, []int{}, ns(), ns(), deterministicSalt("salt-0")},
		{"one value, zero salt", InputsDomain, []int{4}, ns("0"), ns("5"), big.NewInt(0)},
		{"signed bytes", InputsDomain, []int{8, 8, 8}, ns("-128", "-128", "-128"), ns("-128", "0", "127"), deterministicSalt("salt-1")},
		{"mixed widths, negative values", InputsDomain, []int{12, 1, 20, 0}, ns("-2048", "0", "-500000", "-7"), ns("-1", "1", "123456", "-7"), deterministicSalt("salt-2")},
		{"31 bytes fill one element (248 bits)", InputsDomain, byteWidths(31), ns(repeat(31, func(int) string { return "0" })...), ns(repeat(31, func(i int) string { return big.NewInt(int64(255 - 7*i)).String() })...), deterministicSalt("salt-3")},
		{"32 bytes spill into a second element", InputsDomain, byteWidths(32), ns(repeat(32, func(int) string { return "-100" })...), ns(repeat(32, func(i int) string { return big.NewInt(int64(155 - 3*i)).String() })...), deterministicSalt("salt-4")},
		{"one 248-bit value, all ones", InputsDomain, []int{MaxElementBits}, []*big.Int{new(big.Int).Neg(two247)}, []*big.Int{new(big.Int).Sub(two247, big.NewInt(1))}, rMinus1},
		{"widths 200 then 100: two elements", InputsDomain, []int{200, 100}, ns("0", "-1"), []*big.Int{new(big.Int).Lsh(big.NewInt(3), 190), n("1000")}, deterministicSalt("salt-5")},
		{"signed bytes, outputs domain", OutputsDomain, []int{8, 8, 8}, ns("-128", "-128", "-128"), ns("-128", "0", "127"), deterministicSalt("salt-1")},
		{"hashed outputs: 16 class indices in [0, 2] (a batch's labels), outputs domain", OutputsDomain, repeat2(16, 2), ns(repeat(16, func(int) string { return "0" })...), ns(repeat(16, func(i int) string { return big.NewInt(int64(i % 3)).String() })...), deterministicSalt("salt-7")},
		{"quantized features (scale 8)", InputsDomain, []int{17, 17, 17, 17}, ns("-65536", "-65536", "-65536", "-65536"), ns("1311", "-845", "0", "65535"), deterministicSalt("salt-6")},
	}
}

func invalidCases() []InvalidVector {
	r := Modulus().String()
	return []InvalidVector{
		{"value below its lower bound", InputsDomain, []int{8}, []string{"-128"}, []string{"-129"}, "1"},
		{"value above lo + 2^w - 1", InputsDomain, []int{8}, []string{"-128"}, []string{"128"}, "1"},
		{"width above 248", InputsDomain, []int{249}, []string{"0"}, []string{"0"}, "1"},
		{"negative width", InputsDomain, []int{-1}, []string{"0"}, []string{"0"}, "1"},
		{"salt equal to r", InputsDomain, []int{8}, []string{"0"}, []string{"1"}, r},
		{"negative salt", InputsDomain, []int{8}, []string{"0"}, []string{"1"}, "-1"},
		{"empty domain", "", []int{8}, []string{"0"}, []string{"1"}, "1"},
		{"domain of 32 bytes", "zkml-inputs-v1-zkml-inputs-v1-xx", []int{8}, []string{"0"}, []string{"1"}, "1"},
		{"fewer values than widths", InputsDomain, []int{8, 8}, []string{"0", "0"}, []string{"1"}, "1"},
	}
}

// generate computes the vectors from gnark-crypto.
func generate(t *testing.T) Vectors {
	p := Params()
	v := Vectors{
		Description: "Poseidon2 (gnark-crypto v0.21.0, BN254, t=2, rF=6, rP=50, d=5), its Merkle-Damgard hash " +
			"(IV 0, Compress(s,m) = P(s,m)[1] + m) and the zkml input commitment (docs/commitments.md). " +
			"Integers are decimal strings. Generated; do not edit.",
		Regenerate: "cd native && go test ./commit -run TestVectors -update",
		Modulus:    Modulus().String(),
		Poseidon2: ParamsVector{Width: Width, FullRounds: FullRounds, PartialRounds: PartialRounds,
			SBoxDegree: SBoxDegree, Seed: p.String()},
	}
	for _, rk := range p.RoundKeys {
		v.Poseidon2.RoundKeys = append(v.Poseidon2.RoundKeys, decs(rk))
	}
	rm1 := new(big.Int).Sub(Modulus(), big.NewInt(1)).String()
	for _, in := range [][2]string{{"0", "0"}, {"0", "1"}, {"1", "2"}, {rm1, rm1},
		{deterministicSalt("perm-a").String(), deterministicSalt("perm-b").String()}} {
		a, b := Permute(el(in[0]), el(in[1]))
		v.Permutation = append(v.Permutation, PermVector{In: in[:], Out: decs([]fr.Element{a, b})})
	}
	for k := 0; k <= 7; k++ {
		seq := make([]fr.Element, k)
		for i := range seq {
			seq[i].SetUint64(uint64(i))
		}
		if k == 7 { // large elements
			for i := range seq {
				seq[i].SetBigInt(deterministicSalt("hash-" + big.NewInt(int64(i)).String()))
			}
		}
		h := Hash(seq)
		v.Hash = append(v.Hash, HashVector{In: decs(seq), Out: dec(h)})
	}
	for _, c := range commitCases() {
		l, err := NewLayout(c.widths, c.lows)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		tag, _ := Tag(c.domain)
		packed, err := Pack(l, c.values)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		com, err := Commit(c.domain, l, c.values, c.salt)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		slots, _ := l.Slots()
		cv := CommitVector{CommitInput: CommitInput{Name: c.name, Domain: c.domain, Widths: c.widths, Lows: bigs(c.lows),
			Values: bigs(c.values), Salt: c.salt.String()}, Tag: dec(tag), Packed: decs(packed),
			Commitment: com.String(), Slots: [][2]int{}}
		for _, s := range slots {
			cv.Slots = append(cv.Slots, [2]int{s.Element, s.Offset})
		}
		v.Commitments = append(v.Commitments, cv)
	}
	v.InvalidCommit = invalidCases()
	return v
}

func encode(t *testing.T, v Vectors) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestVectors: the checked-in file is exactly what gnark-crypto computes today.
func TestVectors(t *testing.T) {
	want := encode(t, generate(t))
	if *update {
		if err := os.MkdirAll(filepath.Dir(vectorsPath()), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsPath(), want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(vectorsPath())
	if err != nil {
		t.Fatalf("%v (regenerate: go test ./commit -run TestVectors -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from gnark-crypto's output; regenerate with -update and review the diff", VectorsFile)
	}
}

func readVectors(t *testing.T) Vectors {
	b, err := os.ReadFile(vectorsPath())
	if err != nil {
		t.Fatal(err)
	}
	var v Vectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestVectorsIndependently recomputes the file's outputs from its inputs with the code paths a
// port would use: Permute, a fold of Compress (not gnark-crypto's byte hasher), Commit.
func TestVectorsIndependently(t *testing.T) {
	v := readVectors(t)
	for _, pv := range v.Permutation {
		a, b := Permute(el(pv.In[0]), el(pv.In[1]))
		if dec(a) != pv.Out[0] || dec(b) != pv.Out[1] {
			t.Errorf("permutation %v", pv.In)
		}
	}
	for _, hv := range v.Hash {
		var s fr.Element
		for _, x := range hv.In {
			s = Compress(s, el(x))
		}
		if dec(s) != hv.Out {
			t.Errorf("hash of %d elements: fold of Compress differs", len(hv.In))
		}
	}
	for _, cv := range v.Commitments {
		l, err := NewLayout(cv.Widths, ns(cv.Lows...))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Commit(cv.Domain, l, ns(cv.Values...), n(cv.Salt))
		if err != nil || got.String() != cv.Commitment {
			t.Errorf("%s: %v %v", cv.Name, got, err)
		}
	}
	for _, iv := range v.InvalidCommit {
		l, err := NewLayout(iv.Widths, ns(iv.Lows...))
		if err == nil {
			_, err = Commit(iv.Domain, l, ns(iv.Values...), n(iv.Salt))
		}
		if err == nil {
			t.Errorf("%s: accepted", iv.Name)
		}
	}
}

// TestRoundKeyDerivation re-derives the t=2 round keys as docs/commitments.md states it.
func TestRoundKeyDerivation(t *testing.T) {
	p := Params()
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(RoundKeySeed))
	rnd := h.Sum(nil)
	if len(p.RoundKeys) != FullRounds+PartialRounds {
		t.Fatalf("%d rounds", len(p.RoundKeys))
	}
	for i, rk := range p.RoundKeys {
		want := 2
		if i >= FullRounds/2 && i < FullRounds/2+PartialRounds {
			want = 1
		}
		if len(rk) != want {
			t.Fatalf("round %d: %d keys", i, len(rk))
		}
		for j := range rk {
			h.Reset()
			h.Write(rnd)
			rnd = h.Sum(nil)
			var e fr.Element
			e.SetBigInt(new(big.Int).SetBytes(rnd))
			if !e.Equal(&rk[j]) {
				t.Fatalf("round %d key %d differs", i, j)
			}
		}
	}
}

func TestTagAndPacking(t *testing.T) {
	tag, err := Tag(InputsDomain)
	if err != nil {
		t.Fatal(err)
	}
	if Int(tag).Text(16) != "7a6b6d6c2d696e707574732d7631" {
		t.Errorf("tag %x", Int(tag))
	}
	l, _ := NewLayout([]int{3, 5}, ns("-4", "10"))
	p, err := Pack(l, ns("-1", "12"))
	if err != nil || Int(p[0]).Int64() != 3+2<<3 {
		t.Errorf("pack %v %v", p, err)
	}
	lb, err := LayoutFromBounds(ns("-128", "5", "0"), ns("127", "5", "1"))
	if err != nil || lb.Widths[0] != 8 || lb.Widths[1] != 0 || lb.Widths[2] != 1 {
		t.Errorf("layout from bounds %v %v", lb, err)
	}
}
