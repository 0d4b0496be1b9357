package ir

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
)

var (
	nameRe     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	decimalRe  = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)
	smallIntRe = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,8})$`)
	maxBound   = new(big.Int).Lsh(big.NewInt(1), MaxBoundBits)
)

// Parse parses and validates an IR v1 document. The error is an *Error for anything that is
// not valid IR v1.
func Parse(data []byte) (*IR, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, errf("", "not JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errf("", "trailing data after the JSON document")
	}
	top, ok := root.(map[string]any)
	if !ok {
		return nil, errf("", "the document must be a JSON object")
	}
	if err := rejectDuplicateKeys(data); err != nil {
		return nil, err
	}
	d := &IR{SHA256: sha256.Sum256(data), byName: map[string]*Tensor{}}
	if err := d.parseHeader(top); err != nil {
		return nil, err
	}
	if err := d.parseTensors(top); err != nil {
		return nil, err
	}
	if err := d.parseOps(top); err != nil {
		return nil, err
	}
	if err := d.checkGraph(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *IR) parseHeader(top map[string]any) error {
	format, err := reqString(top, "format", "format")
	if err != nil {
		return err
	}
	if format != Format {
		return errf("format", "expected %q, got %q", Format, format)
	}
	v, ok := top["version"]
	if !ok {
		return errf("version", "missing")
	}
	version, err := smallInt(v, "version")
	if err != nil {
		return err
	}
	if version != Version {
		return errf("version", "unsupported IR version %d (this reader knows version %d only)", version, Version)
	}
	field, err := reqString(top, "field", "field")
	if err != nil {
		return err
	}
	if field != Field {
		return errf("field", "unsupported field %q (only %q)", field, Field)
	}
	// Metadata: type-checked when present, never used for constraints.
	if d.Name, err = optString(top, "name"); err != nil {
		return err
	}
	if d.Task, err = optString(top, "task"); err != nil {
		return err
	}
	if d.Task != "" && d.Task != "classification" && d.Task != "regression" {
		return errf("task", "expected \"classification\" or \"regression\", got %q", d.Task)
	}
	if raw, ok := top["features"]; ok {
		if d.Features, err = stringArray(raw, "features"); err != nil {
			return err
		}
	}
	if raw, ok := top["labels"]; ok {
		if d.Labels, err = stringArray(raw, "labels"); err != nil {
			return err
		}
	}
	return nil
}

var tensorKeys = map[string]bool{"name": true, "size": true, "scale": true, "lo": true, "hi": true}

func (d *IR) parseTensors(top map[string]any) error {
	raw, ok := top["tensors"]
	if !ok {
		return errf("tensors", "missing")
	}
	arr, ok := raw.([]any)
	if !ok {
		return errf("tensors", "must be an array")
	}
	if len(arr) == 0 {
		return errf("tensors", "must not be empty")
	}
	for i, e := range arr {
		path := fmt.Sprintf("tensors[%d]", i)
		obj, ok := e.(map[string]any)
		if !ok {
			return errf(path, "must be an object")
		}
		if err := onlyKeys(obj, tensorKeys, path); err != nil {
			return err
		}
		name, err := reqString(obj, "name", path+".name")
		if err != nil {
			return err
		}
		if !nameRe.MatchString(name) {
			return errf(path+".name", "%q does not match ^[a-z][a-z0-9_]*$", name)
		}
		if d.byName[name] != nil {
			return errf(path+".name", "duplicate tensor name %q", name)
		}
		t := &Tensor{Name: name}
		if t.Size, err = reqSmallInt(obj, "size", path+".size"); err != nil {
			return err
		}
		if t.Size < 1 {
			return errf(path+".size", "must be >= 1, got %d", t.Size)
		}
		if t.Scale, err = reqSmallInt(obj, "scale", path+".scale"); err != nil {
			return err
		}
		if t.Lo, err = boundArray(obj, "lo", path, t.Size); err != nil {
			return err
		}
		if t.Hi, err = boundArray(obj, "hi", path, t.Size); err != nil {
			return err
		}
		for j := range t.Lo {
			if t.Lo[j].Cmp(t.Hi[j]) > 0 {
				return errf(fmt.Sprintf("%s.lo[%d]", path, j), "lo %s > hi %s", t.Lo[j], t.Hi[j])
			}
		}
		d.Tensors = append(d.Tensors, t)
		d.byName[name] = t
	}
	return nil
}

var opKeys = map[OpKind]map[string]bool{
	OpDense:   {"op": true, "in": true, "out": true, "weightScale": true, "weights": true, "bias": true},
	OpRescale: {"op": true, "in": true, "out": true, "shift": true},
	OpArgmax:  {"op": true, "in": true, "out": true},
}

func (d *IR) parseOps(top map[string]any) error {
	var err error
	if d.Inputs, err = nameList(top, "inputs"); err != nil {
		return err
	}
	if d.Outputs, err = nameList(top, "outputs"); err != nil {
		return err
	}
	raw, ok := top["ops"]
	if !ok {
		return errf("ops", "missing")
	}
	arr, ok := raw.([]any)
	if !ok {
		return errf("ops", "must be an array")
	}
	if len(arr) == 0 {
		return errf("ops", "must not be empty")
	}
	for i, e := range arr {
		path := fmt.Sprintf("ops[%d]", i)
		obj, ok := e.(map[string]any)
		if !ok {
			return errf(path, "must be an object")
		}
		kind, err := reqString(obj, "op", path+".op")
		if err != nil {
			return err
		}
		keys, known := opKeys[OpKind(kind)]
		if !known {
			return errf(path+".op", "unknown op %q (IR v1 knows dense, rescale, argmax)", kind)
		}
		if err := onlyKeys(obj, keys, path); err != nil {
			return err
		}
		op := Op{Kind: OpKind(kind)}
		if op.In, err = reqString(obj, "in", path+".in"); err != nil {
			return err
		}
		if op.Out, err = reqString(obj, "out", path+".out"); err != nil {
			return err
		}
		switch op.Kind {
		case OpDense:
			if op.WeightScale, err = reqSmallInt(obj, "weightScale", path+".weightScale"); err != nil {
				return err
			}
			wraw, ok := obj["weights"]
			if !ok {
				return errf(path+".weights", "missing")
			}
			rows, ok := wraw.([]any)
			if !ok {
				return errf(path+".weights", "must be an array of arrays")
			}
			for r, row := range rows {
				rpath := fmt.Sprintf("%s.weights[%d]", path, r)
				cells, ok := row.([]any)
				if !ok {
					return errf(rpath, "must be an array")
				}
				vals := make([]*big.Int, len(cells))
				for c, cell := range cells {
					if vals[c], err = decimal(cell, fmt.Sprintf("%s[%d]", rpath, c)); err != nil {
						return err
					}
				}
				op.Weights = append(op.Weights, vals)
			}
			braw, ok := obj["bias"]
			if !ok {
				return errf(path+".bias", "missing")
			}
			barr, ok := braw.([]any)
			if !ok {
				return errf(path+".bias", "must be an array")
			}
			op.Bias = make([]*big.Int, len(barr))
			for j, b := range barr {
				if op.Bias[j], err = decimal(b, fmt.Sprintf("%s.bias[%d]", path, j)); err != nil {
					return err
				}
			}
		case OpRescale:
			shift, err := reqSmallInt(obj, "shift", path+".shift")
			if err != nil {
				return err
			}
			if shift < 0 || shift > MaxShift {
				return errf(path+".shift", "must be in [0, %d], got %d", MaxShift, shift)
			}
			op.Shift = uint(shift)
		}
		d.Ops = append(d.Ops, op)
	}
	return nil
}

// checkGraph checks names, the data flow, sizes, scales and bounds of every op.
func (d *IR) checkGraph() error {
	if len(d.Inputs) != 1 {
		return errf("inputs", "IR v1 has exactly one input tensor, got %d", len(d.Inputs))
	}
	if len(d.Outputs) != 1 {
		return errf("outputs", "IR v1 has exactly one output tensor, got %d", len(d.Outputs))
	}
	defined := map[string]bool{}
	isInput := map[string]bool{}
	for i, name := range d.Inputs {
		if d.byName[name] == nil {
			return errf(fmt.Sprintf("inputs[%d]", i), "unknown tensor %q", name)
		}
		defined[name] = true
		isInput[name] = true
	}
	for i := range d.Ops {
		op := &d.Ops[i]
		path := fmt.Sprintf("ops[%d]", i)
		in, out := d.byName[op.In], d.byName[op.Out]
		if in == nil {
			return errf(path+".in", "unknown tensor %q", op.In)
		}
		if out == nil {
			return errf(path+".out", "unknown tensor %q", op.Out)
		}
		if !defined[op.In] {
			return errf(path+".in", "tensor %q is neither an input nor the output of an earlier op", op.In)
		}
		if isInput[op.Out] {
			return errf(path+".out", "tensor %q is an input and cannot be written by an op", op.Out)
		}
		if defined[op.Out] {
			return errf(path+".out", "tensor %q is written by more than one op", op.Out)
		}
		if err := checkOp(op, in, out, path); err != nil {
			return err
		}
		defined[op.Out] = true
	}
	for i, name := range d.Outputs {
		if d.byName[name] == nil {
			return errf(fmt.Sprintf("outputs[%d]", i), "unknown tensor %q", name)
		}
		if isInput[name] {
			return errf(fmt.Sprintf("outputs[%d]", i), "tensor %q is an input; an output must be written by an op", name)
		}
	}
	for i, t := range d.Tensors {
		if !defined[t.Name] {
			return errf(fmt.Sprintf("tensors[%d]", i), "tensor %q is neither an input nor written by an op", t.Name)
		}
	}
	return nil
}

func checkOp(op *Op, in, out *Tensor, path string) error {
	var lo, hi []*big.Int
	switch op.Kind {
	case OpDense:
		if len(op.Weights) != out.Size {
			return errf(path+".weights", "has %d rows, out tensor %q has size %d", len(op.Weights), out.Name, out.Size)
		}
		for r, row := range op.Weights {
			if len(row) != in.Size {
				return errf(fmt.Sprintf("%s.weights[%d]", path, r), "has %d entries, in tensor %q has size %d", len(row), in.Name, in.Size)
			}
		}
		if len(op.Bias) != out.Size {
			return errf(path+".bias", "has %d entries, out tensor %q has size %d", len(op.Bias), out.Name, out.Size)
		}
		if out.Scale != in.Scale+op.WeightScale {
			return errf(path, "out scale %d != in scale %d + weightScale %d", out.Scale, in.Scale, op.WeightScale)
		}
		lo, hi = DenseBounds(op.Weights, op.Bias, in.Lo, in.Hi)
	case OpRescale:
		if out.Size != in.Size {
			return errf(path, "rescale out size %d != in size %d", out.Size, in.Size)
		}
		if out.Scale != in.Scale-int(op.Shift) {
			return errf(path, "out scale %d != in scale %d - shift %d", out.Scale, in.Scale, op.Shift)
		}
		lo, hi = make([]*big.Int, in.Size), make([]*big.Int, in.Size)
		for i := range lo {
			lo[i] = new(big.Int).Rsh(in.Lo[i], op.Shift)
			hi[i] = new(big.Int).Rsh(in.Hi[i], op.Shift)
		}
	case OpArgmax:
		if out.Size != 1 {
			return errf(path, "argmax out size must be 1, got %d", out.Size)
		}
		if out.Scale != 0 {
			return errf(path, "argmax out scale must be 0, got %d", out.Scale)
		}
		lo, hi = []*big.Int{big.NewInt(0)}, []*big.Int{big.NewInt(int64(in.Size - 1))}
	}
	for i := range lo {
		if lo[i].Cmp(out.Lo[i]) != 0 || hi[i].Cmp(out.Hi[i]) != 0 {
			return errf(path, "bounds of %q[%d] are [%s, %s], the interval analysis gives [%s, %s]",
				out.Name, i, out.Lo[i], out.Hi[i], lo[i], hi[i])
		}
	}
	return nil
}

// DenseBounds is the interval analysis of dense: lo[j] = bias[j] + Σ min(w·lo, w·hi), hi likewise.
func DenseBounds(weights [][]*big.Int, bias, inLo, inHi []*big.Int) (lo, hi []*big.Int) {
	lo, hi = make([]*big.Int, len(weights)), make([]*big.Int, len(weights))
	a, b := new(big.Int), new(big.Int)
	for j, row := range weights {
		l, h := new(big.Int).Set(bias[j]), new(big.Int).Set(bias[j])
		for i, w := range row {
			a.Mul(w, inLo[i])
			b.Mul(w, inHi[i])
			if a.Cmp(b) > 0 {
				a, b = b, a
			}
			l.Add(l, a)
			h.Add(h, b)
		}
		lo[j], hi[j] = l, h
	}
	return lo, hi
}

// --- JSON helpers -------------------------------------------------------------------------

func onlyKeys(obj map[string]any, allowed map[string]bool, path string) error {
	for k := range obj {
		if !allowed[k] {
			return errf(path, "unknown key %q", k)
		}
	}
	return nil
}

func reqString(obj map[string]any, key, path string) (string, error) {
	v, ok := obj[key]
	if !ok {
		return "", errf(path, "missing")
	}
	s, ok := v.(string)
	if !ok {
		return "", errf(path, "must be a string")
	}
	return s, nil
}

func optString(obj map[string]any, key string) (string, error) {
	v, ok := obj[key]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", errf(key, "must be a string")
	}
	return s, nil
}

func stringArray(v any, path string) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, errf(path, "must be an array of strings")
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, errf(fmt.Sprintf("%s[%d]", path, i), "must be a string")
		}
		out[i] = s
	}
	return out, nil
}

func nameList(obj map[string]any, key string) ([]string, error) {
	v, ok := obj[key]
	if !ok {
		return nil, errf(key, "missing")
	}
	names, err := stringArray(v, key)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, n := range names {
		if seen[n] {
			return nil, errf(fmt.Sprintf("%s[%d]", key, i), "duplicate name %q", n)
		}
		seen[n] = true
	}
	return names, nil
}

func smallInt(v any, path string) (int, error) {
	n, ok := v.(json.Number)
	if !ok || !smallIntRe.MatchString(n.String()) {
		return 0, errf(path, "must be a small integer number, got %v", v)
	}
	i, err := strconv.Atoi(n.String())
	if err != nil {
		return 0, errf(path, "must be a small integer number, got %v", v)
	}
	return i, nil
}

func reqSmallInt(obj map[string]any, key, path string) (int, error) {
	v, ok := obj[key]
	if !ok {
		return 0, errf(path, "missing")
	}
	return smallInt(v, path)
}

// decimal parses a canonical decimal integer string with |v| < 2^248.
func decimal(v any, path string) (*big.Int, error) {
	s, ok := v.(string)
	if !ok {
		return nil, errf(path, "integers are decimal strings, got %v", v)
	}
	i, err := ParseDecimal(s)
	if err != nil {
		return nil, errf(path, "%v", err)
	}
	if new(big.Int).Abs(i).Cmp(maxBound) >= 0 {
		return nil, errf(path, "|%s| >= 2^%d", s, MaxBoundBits)
	}
	return i, nil
}

// ParseDecimal parses a canonical decimal integer: optional '-', digits, no leading zeros,
// no "-0".
func ParseDecimal(s string) (*big.Int, error) {
	if !decimalRe.MatchString(s) || s == "-0" {
		return nil, fmt.Errorf("%q is not a canonical decimal integer", s)
	}
	i, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal integer", s)
	}
	return i, nil
}

func boundArray(obj map[string]any, key, path string, size int) ([]*big.Int, error) {
	v, ok := obj[key]
	if !ok {
		return nil, errf(path+"."+key, "missing")
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, errf(path+"."+key, "must be an array")
	}
	if len(arr) != size {
		return nil, errf(path+"."+key, "has %d entries, size is %d", len(arr), size)
	}
	out := make([]*big.Int, size)
	for i, e := range arr {
		var err error
		if out[i], err = decimal(e, fmt.Sprintf("%s.%s[%d]", path, key, i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rejectDuplicateKeys fails on an object that names a key twice. encoding/json keeps the last
// value of a repeated key while other readers (Jackson with STRICT_DUPLICATE_DETECTION, which the
// Java IrReader uses) reject the document: two readers must never see different weights behind
// the same bytes and so the same circuit hash. data is already known to be one valid JSON value.
func rejectDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return errf(path, "not JSON: %v", err)
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errf(path, "not JSON: %v", err)
				}
				key := kt.(string)
				if seen[key] {
					return errf(joinPath(path, key), "duplicate key %q", key)
				}
				seen[key] = true
				if err := walk(joinPath(path, key)); err != nil {
					return err
				}
			}
			_, err = dec.Token() // '}'
			return err
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			_, err = dec.Token() // ']'
			return err
		}
		return nil
	}
	return walk("")
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
