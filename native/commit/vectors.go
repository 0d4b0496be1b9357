package commit

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// VectorsFile is the shared test-vector file, relative to the repository root; the Go tests
// (vectors_test.go) and the Java tests (circuit-compiler, Poseidon2VectorsTest) read it.
const VectorsFile = "testdata/vectors/poseidon2.json"

// Vectors is the JSON document of VectorsFile. Every integer is a decimal string.
type Vectors struct {
	Description   string          `json:"description"`
	Regenerate    string          `json:"regenerate"`
	Modulus       string          `json:"modulus"`
	Poseidon2     ParamsVector    `json:"poseidon2"`
	Permutation   []PermVector    `json:"permutation"`
	Hash          []HashVector    `json:"hash"`
	Commitments   []CommitVector  `json:"commitments"`
	InvalidCommit []InvalidVector `json:"invalidCommitments"`
}

// ParamsVector are the permutation's parameters and round keys (rounds in order; a full round
// has 2 keys, a partial round 1).
type ParamsVector struct {
	Width         int        `json:"width"`
	FullRounds    int        `json:"fullRounds"`
	PartialRounds int        `json:"partialRounds"`
	SBoxDegree    int        `json:"sboxDegree"`
	Seed          string     `json:"seed"`
	RoundKeys     [][]string `json:"roundKeys"`
}

// PermVector is one permutation input and output.
type PermVector struct {
	In  []string `json:"in"`
	Out []string `json:"out"`
}

// HashVector is the Merkle–Damgård hash of a sequence of field elements.
type HashVector struct {
	In  []string `json:"in"`
	Out string   `json:"out"`
}

// CommitInput is what the recipe takes: the domain, the layout (widths and lows), the values and
// the salt, with a name for the vector. InvalidVector is exactly this; CommitVector adds the
// intermediate values and the result.
type CommitInput struct {
	Name   string   `json:"name"`
	Domain string   `json:"domain"`
	Widths []int    `json:"widths"`
	Lows   []string `json:"lows"`
	Values []string `json:"values"`
	Salt   string   `json:"salt"`
}

// CommitVector is one commitment with its intermediate values (the embedded fields come first
// in the JSON object, as they are written).
type CommitVector struct {
	CommitInput
	Tag        string   `json:"tag"`
	Slots      [][2]int `json:"slots"`
	Packed     []string `json:"packed"`
	Commitment string   `json:"commitment"`
}

// InvalidVector is an input the recipe must reject (both implementations).
type InvalidVector = CommitInput

func dec(e fr.Element) string { return Int(e).String() }

func decs(es []fr.Element) []string {
	out := make([]string, len(es))
	for i := range es {
		out[i] = dec(es[i])
	}
	return out
}

func bigs(vs []*big.Int) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}
