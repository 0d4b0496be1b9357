// Package golden loads the shared test vectors of the IR: the golden files in
// testdata/golden/ir-v1 and testdata/golden/ir-v2 (with the documents of ir-v2/invalid/, which
// every reader must reject) and the compiled demo models in examples/*/, which the Java tests read
// too. It is for tests only, and it imports nothing of this module (package ir's own tests use
// it): it hands back raw IR bytes, which the caller parses with ir.Parse.
//
// A cases file (`*.cases.json`, `examples/*/circuit.cases.json`) reads
//
//	{"ir": "<IR file, relative to the cases file>",
//	 "cases":   [{"input": ["<decimal>", ...], "output": ["<decimal>", ...]}, ...],
//	            (documents with hashed inputs: also "salt" and "commitment", decimal strings)
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

// IRDir is the folder of the version 1 golden IR files, relative to the repository root; IRDirV2
// that of the version 2 files, and InvalidDirV2 that of the version 2 documents every reader
// must reject (listed in its index.json).
const (
	IRDir        = "testdata/golden/ir-v1"
	IRDirV2      = "testdata/golden/ir-v2"
	InvalidDirV2 = IRDirV2 + "/invalid"
)

// Case is a valid input and the outputs the reference evaluator computes for it.
type Case struct {
	Input  []string `json:"input"`
	Output []string `json:"output"`
	// Salt and Commitment: only for documents with hashed inputs, the salt of the case and the
	// commitment to its hashed inputs (docs/commitments.md).
	Salt       string `json:"salt,omitempty"`
	Commitment string `json:"commitment,omitempty"`
}

// Invalid is an input the evaluator must refuse, with the InputError kind it must give.
type Invalid struct {
	Input []string `json:"input"`
	Error string   `json:"error"`
}

// Set is one cases file with the IR it names.
type Set struct {
	// Name is the IR file's name for a v1 golden file ("classifier-3x4.ir.json"),
	// "ir-v2/<IR file>" for a v2 golden file and "examples/<model>" for a demo model.
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

// Load reads every golden cases file (ir-v1, then ir-v2 if that folder exists) and every demo
// model's cases file, in that order, each group sorted by path. It fails when there is no v1
// golden cases file at all.
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
	v2Files, err := filepath.Glob(filepath.Join(root, IRDirV2, "*.cases.json"))
	if err != nil {
		return nil, err
	}
	exampleFiles, err := filepath.Glob(filepath.Join(root, "examples", "*", "circuit.cases.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(goldenFiles)
	sort.Strings(v2Files)
	sort.Strings(exampleFiles)
	var sets []Set
	for _, f := range append(append(goldenFiles, v2Files...), exampleFiles...) {
		s, err := readSet(f)
		if err != nil {
			return nil, err
		}
		switch filepath.Dir(f) {
		case filepath.Join(root, IRDir):
		case filepath.Join(root, IRDirV2):
			s.Name = "ir-v2/" + s.Name
		default:
			s.Name = "examples/" + filepath.Base(filepath.Dir(f))
		}
		sets = append(sets, s)
	}
	return sets, nil
}

// InvalidDoc is a document every reader must reject, and the rule it breaks.
type InvalidDoc struct {
	File string `json:"file"`
	Rule string `json:"rule"`
	IR   []byte `json:"-"`
}

// LoadInvalid reads the documents listed in ir-v2/invalid/index.json (none if the folder does
// not exist). Every file of the folder but index.json and README.md must be listed.
func LoadInvalid() ([]InvalidDoc, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, InvalidDirV2)
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var docs []InvalidDoc
	if err := json.Unmarshal(raw, &docs); err != nil {
		return nil, fmt.Errorf("%s/index.json: %w", dir, err)
	}
	listed := map[string]bool{}
	for i := range docs {
		if docs[i].File == "" || filepath.Base(docs[i].File) != docs[i].File {
			return nil, fmt.Errorf("%s/index.json: entry %d: bad file %q", dir, i, docs[i].File)
		}
		if docs[i].IR, err = os.ReadFile(filepath.Join(dir, docs[i].File)); err != nil {
			return nil, err
		}
		listed[docs[i].File] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if n := e.Name(); n != "index.json" && n != "README.md" && !listed[n] {
			return nil, fmt.Errorf("%s: %s is not listed in index.json", dir, n)
		}
	}
	return docs, nil
}

// MustLoadInvalid is LoadInvalid for a test: it fails t on an error.
func MustLoadInvalid(t testing.TB) []InvalidDoc {
	t.Helper()
	docs, err := LoadInvalid()
	if err != nil {
		t.Fatal(err)
	}
	return docs
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
