// Package golden loads the shared test vectors of the IR: the golden files in
// testdata/golden/ir-v1 and the compiled demo models in examples/*/, which the Java tests read
// too. It is for tests only, and it imports nothing of this module (package ir's own tests use
// it): it hands back raw IR bytes, which the caller parses with ir.Parse.
//
// A cases file (`*.cases.json`, `examples/*/circuit.cases.json`) reads
//
//	{"ir": "<IR file, relative to the cases file>",
//	 "cases":   [{"input": ["<decimal>", ...], "output": ["<decimal>", ...]}, ...],
//	 "invalid": [{"input": ["<decimal>", ...], "error": "<InputError kind>"}, ...]}
package golden

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"testing"
)

// IRDir is the folder of the golden IR files, relative to the repository root.
const IRDir = "testdata/golden/ir-v1"

// Case is a valid input and the outputs the reference evaluator computes for it.
type Case struct {
	Input  []string `json:"input"`
	Output []string `json:"output"`
}

// Invalid is an input the evaluator must refuse, with the InputError kind it must give.
type Invalid struct {
	Input []string `json:"input"`
	Error string   `json:"error"`
}

// Set is one cases file with the IR it names.
type Set struct {
	// Name is the IR file's name for a golden file ("classifier-3x4.ir.json") and
	// "examples/<model>" for a demo model.
	Name string
	// CasesPath and IRPath are the files read.
	CasesPath, IRPath string
	// IR is the IR file's bytes, unparsed.
	IR      []byte
	Cases   []Case
	Invalid []Invalid
}

// Root returns the repository root: the nearest folder, from the working directory upwards
// (and failing that from this source file upwards), that holds testdata/golden/ir-v1.
func Root() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			if fi, err := os.Stat(filepath.Join(dir, IRDir)); err == nil && fi.IsDir() {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("no folder holding %s above %v", IRDir, starts)
}

// Load reads every golden cases file and every demo model's cases file, golden files first,
// each group sorted by path. It fails when there is no golden cases file at all.
func Load() ([]Set, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	goldenFiles, err := filepath.Glob(filepath.Join(root, IRDir, "*.cases.json"))
	if err != nil {
		return nil, err
	}
	if len(goldenFiles) == 0 {
		return nil, fmt.Errorf("no *.cases.json in %s", filepath.Join(root, IRDir))
	}
	exampleFiles, err := filepath.Glob(filepath.Join(root, "examples", "*", "circuit.cases.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(goldenFiles)
	sort.Strings(exampleFiles)
	var sets []Set
	for _, f := range append(goldenFiles, exampleFiles...) {
		s, err := readSet(f)
		if err != nil {
			return nil, err
		}
		if filepath.Dir(f) != filepath.Join(root, IRDir) {
			s.Name = "examples/" + filepath.Base(filepath.Dir(f))
		}
		sets = append(sets, s)
	}
	return sets, nil
}

func readSet(casesPath string) (Set, error) {
	raw, err := os.ReadFile(casesPath)
	if err != nil {
		return Set{}, err
	}
	var doc struct {
		IR      string    `json:"ir"`
		Cases   []Case    `json:"cases"`
		Invalid []Invalid `json:"invalid"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return Set{}, fmt.Errorf("%s: %w", casesPath, err)
	}
	if doc.IR == "" || filepath.Base(doc.IR) != doc.IR {
		return Set{}, fmt.Errorf("%s: \"ir\" must name a file beside it, got %q", casesPath, doc.IR)
	}
	irPath := filepath.Join(filepath.Dir(casesPath), doc.IR)
	irBytes, err := os.ReadFile(irPath)
	if err != nil {
		return Set{}, fmt.Errorf("%s: %w", casesPath, err)
	}
	return Set{Name: doc.IR, CasesPath: casesPath, IRPath: irPath, IR: irBytes, Cases: doc.Cases, Invalid: doc.Invalid}, nil
}

// ReadIR returns the bytes of the golden IR file name (e.g. "classifier-3x4.ir.json").
func ReadIR(name string) ([]byte, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(root, IRDir, name))
}

var canonical = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// Ints parses canonical decimal integers (no sign but a leading '-', no leading zeros, no
// "-0"), as the IR format writes them.
func Ints(ss []string) ([]*big.Int, error) {
	out := make([]*big.Int, len(ss))
	for i, s := range ss {
		v, ok := new(big.Int).SetString(s, 10)
		if !ok || !canonical.MatchString(s) || s == "-0" {
			return nil, fmt.Errorf("%q is not a canonical decimal integer", s)
		}
		out[i] = v
	}
	return out, nil
}

// MustLoad is Load for a test: it fails t on an error.
func MustLoad(t testing.TB) []Set {
	t.Helper()
	sets, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return sets
}

// MustReadIR is ReadIR for a test: it fails t on an error.
func MustReadIR(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := ReadIR(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// MustInts is Ints for a test: it fails t on an error.
func MustInts(t testing.TB, ss []string) []*big.Int {
	t.Helper()
	v, err := Ints(ss)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
