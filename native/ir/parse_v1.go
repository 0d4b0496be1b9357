package ir

import (
	"fmt"
	"math/big"
)

// Version 1 documents (v0.1 of the service) are lifted into the version 2 graph
// (docs/ir-format.md, "Version 1 documents"; ADR 0005): the tensor named in "inputs" gets role
// input, the one in "outputs" role output, the others role intermediate, each with shape [size];
// a dense op's inline weights and bias become the constants <out>_weight (shape [m, n], scale
// weightScale) and <out>_bias (shape [m], the output's scale). The lifted graph runs through the
// same op registry, and so defines the constraints v0.1 defined, in the same order, with the same
// hints (TestV1ConstraintSystemsAreUnchanged pins the R1CS bytes). This code is frozen: no new v1
// features.

var tensorKeysV1 = map[string]bool{"name": true, "size": true, "scale": true, "lo": true, "hi": true}

var opKeysV1 = map[string]map[string]bool{
	"dense":   {"op": true, "in": true, "out": true, "weightScale": true, "weights": true, "bias": true},
	"rescale": {"op": true, "in": true, "out": true, "shift": true},
	"argmax":  {"op": true, "in": true, "out": true},
}

func (d *IR) liftV1(top map[string]any) error {
	err := forEachObject(top, "tensors", true, func(obj map[string]any, path string) error {
		if err := onlyKeys(obj, tensorKeysV1, path); err != nil {
			return err
		}
		name, err := d.tensorName(obj, path)
		if err != nil {
			return err
		}
		t := &Tensor{Name: name, Role: RoleIntermediate, Visibility: "private"}
		if t.Size, err = reqSmallInt(obj, "size", path+".size"); err != nil {
			return err
		}
		if t.Size < 1 {
			return errf(path+".size", "must be >= 1, got %d", t.Size)
		}
		if t.Size > MaxElements {
			return errf(path+".size", "more than 2^24 elements")
		}
		t.Shape = []int{t.Size}
		// The lifted tensors follow the tensor rules of version 2 (the Java reader checked the scale
		// range of v1 documents already in v0.1).
		if t.Scale, err = tensorScale(obj, path); err != nil {
			return err
		}
		if err := t.parseBounds(obj, path); err != nil {
			return err
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
	if len(d.Inputs) != 1 {
		return errf("inputs", "IR v1 has exactly one input tensor, got %d", len(d.Inputs))
	}
	if len(d.Outputs) != 1 {
		return errf("outputs", "IR v1 has exactly one output tensor, got %d", len(d.Outputs))
	}
	for key, role := range map[string]Role{"inputs": RoleInput, "outputs": RoleOutput} {
		list := d.Inputs
		if role == RoleOutput {
			list = d.Outputs
		}
		t := d.byName[list[0]]
		if t == nil {
			return errf(key+"[0]", "unknown tensor %q", list[0])
		}
		if t.Role == RoleInput {
			return errf(key+"[0]", "tensor %q is an input; an output must be written by an op", t.Name)
		}
		t.Role, t.Visibility = role, "public"
	}
	return forEachObject(top, "ops", true, func(obj map[string]any, path string) error {
		n, err := d.liftOpV1(obj, path)
		if err != nil {
			return err
		}
		d.Nodes = append(d.Nodes, n)
		return nil
	})
}

func (d *IR) liftOpV1(obj map[string]any, path string) (*Node, error) {
	kind, err := reqString(obj, "op", path+".op")
	if err != nil {
		return nil, err
	}
	keys, known := opKeysV1[kind]
	if !known {
		return nil, errf(path+".op", "unknown op %q (IR v1 knows dense, rescale, argmax)", kind)
	}
	if err := onlyKeys(obj, keys, path); err != nil {
		return nil, err
	}
	typ, _ := Lookup(kind)
	n := &Node{Type: typ, Attrs: map[string]any{}}
	var in, out *Tensor
	for _, k := range []string{"in", "out"} {
		name, err := reqString(obj, k, path+"."+k)
		if err != nil {
			return nil, err
		}
		t := d.byName[name]
		if t == nil {
			return nil, errf(path+"."+k, "unknown tensor %q", name)
		}
		if k == "in" {
			in = t
		} else {
			out = t
		}
	}
	n.Inputs, n.Outputs = []*Tensor{in}, []*Tensor{out}
	switch kind {
	case "rescale":
		if n.Attrs["shift"], err = reqSmallInt(obj, "shift", path+".shift"); err != nil {
			return nil, err
		}
	case "dense":
		weightScale, err := reqSmallInt(obj, "weightScale", path+".weightScale")
		if err != nil {
			return nil, err
		}
		if weightScale < -MaxScale || weightScale > MaxScale {
			return nil, errf(path+".weightScale", "must be in [%d, %d] (the scale of the lifted weight), got %d", -MaxScale, MaxScale, weightScale)
		}
		rows, err := reqArray(obj, "weights", path+".weights")
		if err != nil {
			return nil, errf(path+".weights", "must be an array of arrays")
		}
		if len(rows) != out.Size {
			return nil, errf(path+".weights", "has %d rows, out tensor %q has size %d", len(rows), out.Name, out.Size)
		}
		if out.Size > MaxElements/in.Size {
			return nil, errf(path+".weights", "the lifted weight [%d, %d] has more than 2^24 elements", out.Size, in.Size)
		}
		weight := &Tensor{Name: out.Name + "_weight", Role: RoleConstant, Visibility: "fixed",
			Shape: []int{out.Size, in.Size}, Size: out.Size * in.Size, Scale: weightScale}
		for r, row := range rows {
			rpath := fmt.Sprintf("%s.weights[%d]", path, r)
			cells, ok := row.([]any)
			if !ok {
				return nil, errf(rpath, "must be an array")
			}
			if len(cells) != in.Size {
				return nil, errf(rpath, "has %d entries, in tensor %q has size %d", len(cells), in.Name, in.Size)
			}
			for c, cell := range cells {
				v, err := decimal(cell, fmt.Sprintf("%s[%d]", rpath, c))
				if err != nil {
					return nil, err
				}
				weight.Values = append(weight.Values, v)
			}
		}
		barr, err := reqArray(obj, "bias", path+".bias")
		if err != nil {
			return nil, err
		}
		if len(barr) != out.Size {
			return nil, errf(path+".bias", "has %d entries, out tensor %q has size %d", len(barr), out.Name, out.Size)
		}
		bias := &Tensor{Name: out.Name + "_bias", Role: RoleConstant, Visibility: "fixed",
			Shape: []int{out.Size}, Size: out.Size, Scale: out.Scale, Values: make([]*big.Int, len(barr))}
		for j, b := range barr {
			if bias.Values[j], err = decimal(b, fmt.Sprintf("%s.bias[%d]", path, j)); err != nil {
				return nil, err
			}
		}
		if out.Scale != in.Scale+weightScale {
			return nil, errf(path, "out scale %d != in scale %d + weightScale %d", out.Scale, in.Scale, weightScale)
		}
		for _, c := range []*Tensor{weight, bias} {
			c.Lo, c.Hi = c.Values, c.Values
			if d.byName[c.Name] != nil {
				return nil, errf(path, "lifting to IR v2 names the constant %q, which is already a tensor of the document", c.Name)
			}
			if err := d.addTensor(c, path); err != nil {
				return nil, err
			}
		}
		n.Inputs = append(n.Inputs, weight, bias)
	}
	return n, nil
}
