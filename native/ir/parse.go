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
	"strings"
	"unicode/utf8"
)

var (
	nameRe     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	decimalRe  = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)
	smallIntRe = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,8})$`)
	maxBound   = new(big.Int).Lsh(big.NewInt(1), MaxBoundBits)
)

// Parse parses and validates an IR document of version 2, or of version 1 (lifted into the
// version 2 graph, parse_v1.go). The error is an *Error for anything that is not a valid document.
func Parse(data []byte) (*IR, error) {
	// A document is UTF-8 without a byte order mark (docs/ir-format.md, "Document"). encoding/json
	// would replace invalid bytes inside strings by U+FFFD and accept them (the Java reader rejects
	// them), so check the bytes first.
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, errf("", "the document starts with a byte order mark (IR documents are UTF-8 without one)")
	}
	if !utf8.Valid(data) {
		return nil, errf("", "the document is not valid UTF-8")
	}
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
	var err error
	if d.Version == VersionV1 {
		err = d.liftV1(top)
	} else {
		err = d.parseV2(top)
	}
	if err != nil {
		return nil, err
	}
	if err := d.checkGraph(); err != nil {
		return nil, err
	}
	if d.Version == Version {
		if err := d.parseCommitments(top); err != nil {
			return nil, err
		}
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
	if version != Version && version != VersionV1 {
		return errf("version", "unsupported IR version %d (this reader knows versions %d and %d)", version, VersionV1, Version)
	}
	d.Version = version
	field, err := reqString(top, "field", "field")
	if err != nil {
		return err
	}
	if field != Field {
		return errf("field", "unsupported field %q (only %q)", field, Field)
	}
	// "range_check": how every range check is made (absent: "bits"); version 2 only.
	rc, err := optString(top, "range_check")
	if err != nil {
		return err
	}
	switch {
	case rc == "":
		d.RangeCheck = RangeCheckBits
	case version == VersionV1:
		return errf("range_check", "version 1 documents have no range_check (bit decompositions only)")
	case rc == RangeCheckBits || rc == RangeCheckLookup:
		d.RangeCheck = rc
	default:
		return errf("range_check", "expected %q or %q, got %q", RangeCheckBits, RangeCheckLookup, rc)
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

// --- version 2 ------------------------------------------------------------------------------

var tensorKeysV2 = map[string]bool{"name": true, "role": true, "visibility": true, "shape": true,
	"scale": true, "lo": true, "hi": true, "values": true}

// visibilities[role] lists the visibilities version 2 accepts; reserved[role] the names kept for
// a later version.
var (
	visibilities = map[Role][]string{
		RoleInput:        {VisibilityPublic, VisibilityPrivate, VisibilityHashed},
		RoleOutput:       {VisibilityPublic, VisibilityHashed},
		RoleConstant:     {"fixed", VisibilityHashed},
		RoleIntermediate: {VisibilityPrivate},
	}
	reserved = map[Role][]string{RoleOutput: {"private"}}
)

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func quotedList(list []string) string {
	q := make([]string, len(list))
	for i, e := range list {
		q[i] = strconv.Quote(e)
	}
	return strings.Join(q, ", ")
}

func (d *IR) parseV2(top map[string]any) error {
	err := forEachObject(top, "tensors", true, func(obj map[string]any, path string) error {
		if err := onlyKeys(obj, tensorKeysV2, path); err != nil {
			return err
		}
		t, err := d.newTensor(obj, path)
		if err != nil {
			return err
		}
		role, err := reqString(obj, "role", path+".role")
		if err != nil {
			return err
		}
		t.Role = Role(role)
		want, known := visibilities[t.Role]
		if !known {
			return errf(path+".role", "unknown role %q (input, constant, intermediate or output)", role)
		}
		if t.Visibility, err = reqString(obj, "visibility", path+".visibility"); err != nil {
			return err
		}
		if !contains(want, t.Visibility) {
			if contains(reserved[t.Role], t.Visibility) {
				return errf(path+".visibility", "visibility %q of a%s %s is not supported yet (only %s)", t.Visibility, article(role), role, quotedList(want))
			}
			return errf(path+".visibility", "unknown visibility %q for a%s %s (only %s)", t.Visibility, article(role), role, quotedList(want))
		}
		shapeRaw, ok := obj["shape"]
		if !ok {
			return errf(path+".shape", "missing")
		}
		if t.Shape, t.Size, err = parseShape(shapeRaw, path+".shape"); err != nil {
			return err
		}
		if t.IsHashed() {
			// A hashed constant (issue 8, hashed weights): its values are private witness values
			// given at prove time; the document declares only their range.
			if _, ok := obj["values"]; ok {
				return errf(path+".values", "a hashed constant has no values in the document (they are private witness values), only its declared range lo, hi")
			}
			if err := t.parseBounds(obj, path); err != nil {
				return err
			}
		} else if t.IsConstant() {
			for _, k := range []string{"lo", "hi"} {
				if _, ok := obj[k]; ok {
					return errf(path+"."+k, "a constant has values, not bounds")
				}
			}
			if t.Values, err = boundArray(obj, "values", path, t.Size); err != nil {
				return err
			}
			t.Lo, t.Hi = t.Values, t.Values
		} else {
			if _, ok := obj["values"]; ok {
				return errf(path+".values", "only a constant has values")
			}
			if err := t.parseBounds(obj, path); err != nil {
				return err
			}
		}
		return d.addTensor(t, path)
	})
	if err != nil {
		return err
	}
	if d.Inputs, err = nameList(top, "inputs"); err != nil {
		return err
	}
	if d.Outputs, err = nameList(top, "outputs"); err != nil {
		return err
	}
	return forEachObject(top, "ops", false, func(obj map[string]any, path string) error {
		n, err := d.parseNode(obj, path)
		if err != nil {
			return err
		}
		d.Nodes = append(d.Nodes, n)
		return nil
	})
}

var commitmentKeys = map[string]bool{"name": true, "domain": true, "tensors": true}

// group is one hashed group of parseCommitments: the hashed inputs, outputs or constants.
type group struct {
	domain, what string
	role         Role
	names        []string
}

// order names the order of the group's tensors ("input order", "tensor order" for constants).
func (g *group) order() string {
	if g.role == RoleConstant {
		return "tensor"
	}
	return g.what
}

// parseCommitments reads the top-level "commitments" (docs/ir-format.md, "Commitments"): absent
// unless an input or an output is hashed; otherwise one commitment per hashed group, in this
// order: the hashed inputs (domain InputsDomain, in input order), then the hashed outputs (domain
// OutputsDomain, in output order), each value at most 248 bits wide.
func (d *IR) parseCommitments(top map[string]any) error {
	var groups []*group
	var constants []string
	for _, t := range d.Tensors {
		if t.IsConstant() {
			constants = append(constants, t.Name)
		}
	}
	for _, g := range []*group{{domain: InputsDomain, what: "input", role: RoleInput}, {domain: OutputsDomain, what: "output", role: RoleOutput},
		{domain: WeightsDomain, what: "constant", role: RoleConstant}} {
		list := d.Inputs
		if g.role == RoleOutput {
			list = d.Outputs
		} else if g.role == RoleConstant {
			list = constants
		}
		for _, name := range list {
			if d.byName[name].Visibility == VisibilityHashed {
				g.names = append(g.names, name)
			}
		}
		if len(g.names) > 0 {
			groups = append(groups, g)
		}
	}
	if _, ok := top["commitments"]; !ok {
		if len(groups) > 0 {
			return errf("commitments", "missing: %s %q is hashed, so the document must describe its commitment", groups[0].what, groups[0].names[0])
		}
		return nil
	}
	if len(groups) == 0 {
		return errf("commitments", "no input, output or constant is hashed, so there is nothing to commit to (remove the key)")
	}
	k := 0
	err := forEachObject(top, "commitments", true, func(obj map[string]any, path string) error {
		if k >= len(groups) {
			return errf(path, "one commitment per hashed group (%d here: hashed inputs, then hashed outputs, then hashed constants), got more", len(groups))
		}
		g := groups[k]
		k++
		if err := onlyKeys(obj, commitmentKeys, path); err != nil {
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
			return errf(path+".name", "%q is already the name of a tensor", name)
		}
		for _, c := range d.Commitments {
			if c.Name == name {
				return errf(path+".name", "%q is already the name of a commitment", name)
			}
		}
		domain, err := reqString(obj, "domain", path+".domain")
		if err != nil {
			return err
		}
		if domain != g.domain {
			if domain != InputsDomain && domain != OutputsDomain && domain != WeightsDomain {
				return errf(path+".domain", "unknown commitment domain %q (only %q, %q and %q)", domain, InputsDomain, OutputsDomain, WeightsDomain)
			}
			return errf(path+".domain", "the commitment to the hashed %ss has domain %q, got %q", g.what, g.domain, domain)
		}
		raw, ok := obj["tensors"]
		if !ok {
			return errf(path+".tensors", "missing")
		}
		names, err := stringArray(raw, path+".tensors")
		if err != nil {
			return err
		}
		for j, n := range names {
			p := fmt.Sprintf("%s.tensors[%d]", path, j)
			t := d.byName[n]
			switch {
			case t == nil:
				return errf(p, "unknown tensor %q", n)
			case t.Role != g.role || t.Visibility != VisibilityHashed:
				return errf(p, "tensor %q is not a hashed %s", n, g.what)
			case j >= len(g.names) || g.names[j] != n:
				return errf(p, "the tensors must be the hashed %ss in %s order (%s), got %q here", g.what, g.order(), quotedList(g.names), n)
			}
		}
		if len(names) != len(g.names) {
			return errf(path+".tensors", "the tensors must be the hashed %ss in %s order (%s); %q is missing", g.what, g.order(), quotedList(g.names), g.names[len(names)])
		}
		for _, n := range names {
			t := d.byName[n]
			for i := range t.Lo {
				if w := RangeBits(t.Lo[i], t.Hi[i]); w > MaxBoundBits {
					return errf(fmt.Sprintf("%s.tensors (%s[%d])", path, n, i), "a hashed value is at most %d bits wide (hi - lo < 2^%d), this one is %d", MaxBoundBits, MaxBoundBits, w)
				}
			}
		}
		d.Commitments = append(d.Commitments, &Commitment{Name: name, Domain: domain, Tensors: names})
		return nil
	})
	if err == nil && k < len(groups) {
		g := groups[k]
		return errf("commitments", "missing the commitment to the hashed %ss (%s, domain %q)", g.what, quotedList(g.names), g.domain)
	}
	return err
}

var opKeysV2 = map[string]bool{"op": true, "inputs": true, "outputs": true, "attributes": true}

func (d *IR) parseNode(obj map[string]any, path string) (*Node, error) {
	kind, err := reqString(obj, "op", path+".op")
	if err != nil {
		return nil, err
	}
	typ, known := Lookup(kind)
	if !known {
		return nil, errf(path+".op", "unknown op %q (IR version %d knows %s)", kind, Version, strings.Join(OpNames(), ", "))
	}
	if err := onlyKeys(obj, opKeysV2, path); err != nil {
		return nil, err
	}
	n := &Node{Type: typ, Attrs: map[string]any{}}
	for _, k := range []string{"inputs", "outputs"} {
		raw, ok := obj[k]
		if !ok {
			return nil, errf(path+"."+k, "missing")
		}
		names, err := stringArray(raw, path+"."+k)
		if err != nil {
			return nil, err
		}
		for j, name := range names {
			t := d.byName[name]
			if t == nil {
				return nil, errf(fmt.Sprintf("%s.%s[%d]", path, k, j), "unknown tensor %q", name)
			}
			if k == "inputs" {
				n.Inputs = append(n.Inputs, t)
			} else {
				n.Outputs = append(n.Outputs, t)
			}
		}
	}
	raw, ok := obj["attributes"]
	if !ok {
		return nil, errf(path+".attributes", "missing")
	}
	attrs, ok := raw.(map[string]any)
	if !ok {
		return nil, errf(path+".attributes", "must be an object")
	}
	allowed := map[string]bool{}
	for _, a := range typ.Attributes() {
		allowed[a.Name] = true
	}
	if err := onlyKeys(attrs, allowed, path+".attributes"); err != nil {
		return nil, err
	}
	for _, a := range typ.Attributes() {
		apath := path + ".attributes." + a.Name
		v, ok := attrs[a.Name]
		if !ok {
			return nil, errf(apath, "missing")
		}
		if a.Type == AttrInt {
			if n.Attrs[a.Name], err = smallInt(v, apath); err != nil {
				return nil, err
			}
			continue
		}
		list, ok := v.([]any)
		if !ok {
			return nil, errf(apath, "must be an array of integers")
		}
		ints := make([]int, len(list))
		for j, e := range list {
			if ints[j], err = smallInt(e, fmt.Sprintf("%s[%d]", apath, j)); err != nil {
				return nil, err
			}
		}
		n.Attrs[a.Name] = ints
	}
	return n, nil
}

// newTensor reads the name and the scale of a tensor.
func (d *IR) newTensor(obj map[string]any, path string) (*Tensor, error) {
	name, err := d.tensorName(obj, path)
	if err != nil {
		return nil, err
	}
	t := &Tensor{Name: name}
	if t.Scale, err = tensorScale(obj, path); err != nil {
		return nil, err
	}
	return t, nil
}

// tensorName reads the "name" of a tensor object: a new name matching ^[a-z][a-z0-9_]*$.
func (d *IR) tensorName(obj map[string]any, path string) (string, error) {
	name, err := reqString(obj, "name", path+".name")
	if err != nil {
		return "", err
	}
	if !nameRe.MatchString(name) {
		return "", errf(path+".name", "%q does not match ^[a-z][a-z0-9_]*$", name)
	}
	if d.byName[name] != nil {
		return "", errf(path+".name", "duplicate tensor name %q", name)
	}
	return name, nil
}

// tensorScale reads the "scale" of a tensor object, in [-MaxScale, MaxScale].
func tensorScale(obj map[string]any, path string) (int, error) {
	scale, err := reqSmallInt(obj, "scale", path+".scale")
	if err != nil {
		return 0, err
	}
	if scale < -MaxScale || scale > MaxScale {
		return 0, errf(path+".scale", "must be in [%d, %d], got %d", -MaxScale, MaxScale, scale)
	}
	return scale, nil
}

// forEachObject calls f on each element of the array top[key] in order (path key[i]), after
// checking that the array is present (and not empty if nonEmpty) and just before each call that
// the element is an object. It stops at the first error.
func forEachObject(top map[string]any, key string, nonEmpty bool, f func(obj map[string]any, path string) error) error {
	arr, err := reqArray(top, key, key)
	if err != nil {
		return err
	}
	if nonEmpty && len(arr) == 0 {
		return errf(key, "must not be empty")
	}
	for i, e := range arr {
		path := fmt.Sprintf("%s[%d]", key, i)
		obj, ok := e.(map[string]any)
		if !ok {
			return errf(path, "must be an object")
		}
		if err := f(obj, path); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tensor) parseBounds(obj map[string]any, path string) error {
	var err error
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
	return nil
}

func (d *IR) addTensor(t *Tensor, path string) error {
	if d.byName[t.Name] != nil {
		return errf(path, "duplicate tensor name %q", t.Name)
	}
	d.Tensors = append(d.Tensors, t)
	d.byName[t.Name] = t
	return nil
}

func parseShape(v any, path string) ([]int, int, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, 0, errf(path, "must be an array of integers")
	}
	if len(arr) < 1 || len(arr) > MaxRank {
		return nil, 0, errf(path, "must have 1 to %d dimensions, has %d", MaxRank, len(arr))
	}
	shape := make([]int, len(arr))
	size := 1
	for i, e := range arr {
		dim, err := smallInt(e, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, 0, err
		}
		if dim < 1 {
			return nil, 0, errf(fmt.Sprintf("%s[%d]", path, i), "must be >= 1, got %d", dim)
		}
		if size > MaxElements/dim {
			return nil, 0, errf(path, "more than 2^24 elements")
		}
		size *= dim
		shape[i] = dim
	}
	return shape, size, nil
}

// --- the graph rules, for both versions -----------------------------------------------------

// checkGraph checks the input and output lists, the data flow, and every op (its Check, then the
// declared shape, scale and bounds of what it writes against those Check computes).
func (d *IR) checkGraph() error {
	if len(d.Inputs) == 0 {
		return errf("inputs", "must name at least one tensor")
	}
	if len(d.Outputs) == 0 {
		return errf("outputs", "must name at least one tensor")
	}
	if len(d.Nodes) == 0 {
		return errf("ops", "must not be empty")
	}
	defined := map[string]bool{}
	listed := map[string]bool{}
	for i, name := range d.Inputs {
		t := d.byName[name]
		if t == nil {
			return errf(fmt.Sprintf("inputs[%d]", i), "unknown tensor %q", name)
		}
		if t.Role != RoleInput {
			return errf(fmt.Sprintf("inputs[%d]", i), "tensor %q has role %s, not input", name, t.Role)
		}
		defined[name] = true
		listed[name] = true
	}
	for i, name := range d.Outputs {
		t := d.byName[name]
		if t == nil {
			return errf(fmt.Sprintf("outputs[%d]", i), "unknown tensor %q", name)
		}
		if t.Role != RoleOutput {
			if t.Role == RoleInput {
				return errf(fmt.Sprintf("outputs[%d]", i), "tensor %q is an input; an output must be written by an op", name)
			}
			return errf(fmt.Sprintf("outputs[%d]", i), "tensor %q has role %s, not output", name, t.Role)
		}
		listed[name] = true
	}
	read := map[string]bool{}
	for i, t := range d.Tensors {
		if (t.Role == RoleInput || t.Role == RoleOutput) && !listed[t.Name] {
			return errf(fmt.Sprintf("tensors[%d]", i), "tensor %q has role %s but is not listed in %ss", t.Name, t.Role, t.Role)
		}
		if t.IsConstant() {
			defined[t.Name] = true
		}
	}
	for i, n := range d.Nodes {
		path := fmt.Sprintf("ops[%d]", i)
		for j, t := range n.Inputs {
			if !defined[t.Name] {
				return errf(fmt.Sprintf("%s.inputs[%d]", path, j), "tensor %q is neither an input nor the output of an earlier op", t.Name)
			}
			read[t.Name] = true
		}
		for j, t := range n.Outputs {
			p := fmt.Sprintf("%s.outputs[%d]", path, j)
			switch {
			case t.Role == RoleInput:
				return errf(p, "tensor %q is an input and cannot be written by an op", t.Name)
			case t.IsConstant():
				return errf(p, "tensor %q is a constant and cannot be written by an op", t.Name)
			case defined[t.Name]:
				return errf(p, "tensor %q is written by more than one op", t.Name)
			}
		}
		specs, err := n.Type.Check(n, path)
		if err != nil {
			return err
		}
		if len(specs) != len(n.Outputs) {
			return errf(path+".outputs", "%s has %d output(s), got %d", n.Kind(), len(specs), len(n.Outputs))
		}
		for j, s := range specs {
			if err := checkOut(n, path, n.Outputs[j], s); err != nil {
				return err
			}
			defined[n.Outputs[j].Name] = true
		}
	}
	for i, t := range d.Tensors {
		if !defined[t.Name] {
			return errf(fmt.Sprintf("tensors[%d]", i), "tensor %q is neither an input nor written by an op", t.Name)
		}
		if t.IsConstant() && !read[t.Name] {
			return errf(fmt.Sprintf("tensors[%d]", i), "constant %q is read by no op", t.Name)
		}
	}
	return nil
}

func checkOut(n *Node, path string, out *Tensor, s OutSpec) error {
	if !sameShape(out.Shape, s.Shape) {
		return errf(path, "%s output %q has shape %v, the op gives %v", n.Kind(), out.Name, out.Shape, s.Shape)
	}
	if out.Scale != s.Scale {
		return errf(path, "%s output %q has scale %d, the op's scale rule gives %d", n.Kind(), out.Name, out.Scale, s.Scale)
	}
	for i := range s.Lo {
		if s.Lo[i].Cmp(out.Lo[i]) != 0 || s.Hi[i].Cmp(out.Hi[i]) != 0 {
			return errf(path, "bounds of %q[%d] are [%s, %s], the interval analysis gives [%s, %s]",
				out.Name, i, out.Lo[i], out.Hi[i], s.Lo[i], s.Hi[i])
		}
		if s.Lo[i].CmpAbs(maxBound) >= 0 || s.Hi[i].CmpAbs(maxBound) >= 0 {
			return errf(path, "bounds of %q[%d] overflow: |bound| >= 2^%d", out.Name, i, MaxBoundBits)
		}
	}
	return nil
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

func reqArray(obj map[string]any, key, path string) ([]any, error) {
	v, ok := obj[key]
	if !ok {
		return nil, errf(path, "missing")
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, errf(path, "must be an array")
	}
	return arr, nil
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
