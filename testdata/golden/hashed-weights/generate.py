#!/usr/bin/env python3
"""Golden files for hashed weights (issue 8): IR documents whose dense weights and biases are
hashed constants (declared ranges, no values), and cases that give the private weights, the
weights salt, the inputs and what the circuit must compute: outputs and public inputs (the
commitments included). Read by the Go tests (native/circuit/hashed_weights_test.go: the circuit
proves every case) and the Java tests (HashedWeightsGoldenTest: the reference evaluator and
Commitments give the same numbers). An independent third implementation: the dense bounds are
the product of two intervals, the commitments come from scripts/zkml-commitment.py's Poseidon2.

    python3 testdata/golden/hashed-weights/generate.py
"""
import importlib.util
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
spec = importlib.util.spec_from_file_location("zc", os.path.join(ROOT, "scripts", "zkml-commitment.py"))
zc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zc)
R = zc.R


def signed_range(bits, n):
    return [str(-(1 << (bits - 1)))] * n, [str((1 << (bits - 1)) - 1)] * n


def dense_bounds(xlo, xhi, wlo, whi, blo, bhi, m, n):
    lo, hi = [], []
    for j in range(m):
        l, h = blo[j], bhi[j]
        for i in range(n):
            k = j * n + i
            ps = [wlo[k] * xlo[i], wlo[k] * xhi[i], whi[k] * xlo[i], whi[k] * xhi[i]]
            l += min(ps)
            h += max(ps)
        lo.append(l)
        hi.append(h)
    return lo, hi


def document(name, task, x_vis, m, n, wbits, bbits, xlo, xhi, xscale, wscale, shift, labels):
    wlo, whi = signed_range(wbits, m * n)
    blo, bhi = signed_range(bbits, m)
    alo, ahi = dense_bounds(xlo, xhi, [int(v) for v in wlo], [int(v) for v in whi],
                            [int(v) for v in blo], [int(v) for v in bhi], m, n)
    tensors = [
        {"name": "x", "role": "input", "visibility": x_vis, "shape": [n], "scale": xscale,
         "lo": [str(v) for v in xlo], "hi": [str(v) for v in xhi]},
        {"name": "weight", "role": "constant", "visibility": "hashed", "shape": [m, n], "scale": wscale, "lo": wlo, "hi": whi},
        {"name": "bias", "role": "constant", "visibility": "hashed", "shape": [m], "scale": xscale + wscale, "lo": blo, "hi": bhi},
        {"name": "acc", "role": "intermediate", "visibility": "private", "shape": [m], "scale": xscale + wscale,
         "lo": [str(v) for v in alo], "hi": [str(v) for v in ahi]},
    ]
    if task == "classification":
        tensors.append({"name": "label", "role": "output", "visibility": "public", "shape": [1], "scale": 0,
                        "lo": ["0"], "hi": [str(m - 1)]})
        ops = [{"op": "dense", "inputs": ["x", "weight", "bias"], "outputs": ["acc"], "attributes": {}},
               {"op": "argmax", "inputs": ["acc"], "outputs": ["label"], "attributes": {}}]
        outputs = ["label"]
    else:
        tensors.append({"name": "y", "role": "output", "visibility": "public", "shape": [m], "scale": xscale + wscale - shift,
                        "lo": [str(v >> shift) for v in alo], "hi": [str(v >> shift) for v in ahi]})
        ops = [{"op": "dense", "inputs": ["x", "weight", "bias"], "outputs": ["acc"], "attributes": {}},
               {"op": "rescale", "inputs": ["acc"], "outputs": ["y"], "attributes": {"shift": shift}}]
        outputs = ["y"]
    commitments = []
    if x_vis == "hashed":
        commitments.append({"name": "input_commitment", "domain": "zkml-inputs-v1", "tensors": ["x"]})
    commitments.append({"name": "weights_commitment", "domain": "zkml-weights-v1", "tensors": ["weight", "bias"]})
    return {"format": "zkml-ir", "version": 2, "field": "bn254", "name": name, "task": task,
            "producer": {"name": "golden generator (python)", "version": "2"},
            "features": ["f%d" % i for i in range(n)], "labels": labels, "tensors": tensors, "inputs": ["x"],
            "commitments": commitments, "ops": ops, "outputs": outputs}


def evaluate(doc, x, w, b):
    t = {d["name"]: d for d in doc["tensors"]}
    m, n = t["weight"]["shape"]
    acc = [b[j] + sum(w[j * n + i] * x[i] for i in range(n)) for j in range(m)]
    for j in range(m):
        assert int(t["acc"]["lo"][j]) <= acc[j] <= int(t["acc"]["hi"][j])
    if doc["task"] == "classification":
        best = max(acc)
        return [acc.index(best)]
    shift = doc["ops"][1]["attributes"]["shift"]
    return [v >> shift for v in acc]


def cases(doc, rng, weight_sets, inputs):
    t = {d["name"]: d for d in doc["tensors"]}
    wl = [int(v) for v in t["weight"]["lo"] + t["bias"]["lo"]]
    wh = [int(v) for v in t["weight"]["hi"] + t["bias"]["hi"]]
    xl = [int(v) for v in t["x"]["lo"]]
    xh = [int(v) for v in t["x"]["hi"]]
    m, n = t["weight"]["shape"]
    out = []
    for ws in weight_sets:
        w, b = ws[:m * n], ws[m * n:]
        wsalt = rng.randrange(R)
        wcom = zc.commit("zkml-weights-v1", wl, wh, ws, wsalt)
        for x in inputs:
            c = {"weights": {"weight": [str(v) for v in w], "bias": [str(v) for v in b]}, "weightsSalt": str(wsalt),
                 "input": [str(v) for v in x]}
            y = evaluate(doc, x, w, b)
            c["output"] = [str(v) for v in y]
            public = []
            if t["x"]["visibility"] == "public":
                public += [v % R for v in x]
            else:
                salt = rng.randrange(R)
                c["salt"] = str(salt)
                public.append(zc.commit("zkml-inputs-v1", xl, xh, x, salt))
            public.append(wcom)
            public += [v % R for v in y]
            c["weightsCommitment"] = str(wcom)
            c["publicInputs"] = [str(v) for v in public]
            out.append(c)
    return out


def mlp_document():
    """A two-layer network with every weight hashed: dense -> rescale 2 -> relu -> dense -> argmax (the
    shape of ir-v2/mlp-relu), 6-bit weights and 12-bit biases."""
    xlo, xhi = [-12, -8, 0], [12, 8, 20]
    w1lo, w1hi = signed_range(6, 12)
    b1lo, b1hi = signed_range(12, 4)
    w2lo, w2hi = signed_range(6, 12)
    b2lo, b2hi = signed_range(12, 3)
    i = lambda v: [int(x) for x in v]
    a1lo, a1hi = dense_bounds(xlo, xhi, i(w1lo), i(w1hi), i(b1lo), i(b1hi), 4, 3)
    hplo, hphi = [v >> 2 for v in a1lo], [v >> 2 for v in a1hi]
    hlo, hhi = [max(v, 0) for v in hplo], [max(v, 0) for v in hphi]
    slo, shi = dense_bounds(hlo, hhi, i(w2lo), i(w2hi), i(b2lo), i(b2hi), 3, 4)
    st = lambda v: [str(x) for x in v]
    tensors = [
        {"name": "x", "role": "input", "visibility": "public", "shape": [3], "scale": 2, "lo": st(xlo), "hi": st(xhi)},
        {"name": "w1", "role": "constant", "visibility": "hashed", "shape": [4, 3], "scale": 2, "lo": w1lo, "hi": w1hi},
        {"name": "b1", "role": "constant", "visibility": "hashed", "shape": [4], "scale": 4, "lo": b1lo, "hi": b1hi},
        {"name": "acc1", "role": "intermediate", "visibility": "private", "shape": [4], "scale": 4, "lo": st(a1lo), "hi": st(a1hi)},
        {"name": "h_pre", "role": "intermediate", "visibility": "private", "shape": [4], "scale": 2, "lo": st(hplo), "hi": st(hphi)},
        {"name": "h", "role": "intermediate", "visibility": "private", "shape": [4], "scale": 2, "lo": st(hlo), "hi": st(hhi)},
        {"name": "w2", "role": "constant", "visibility": "hashed", "shape": [3, 4], "scale": 1, "lo": w2lo, "hi": w2hi},
        {"name": "b2", "role": "constant", "visibility": "hashed", "shape": [3], "scale": 3, "lo": b2lo, "hi": b2hi},
        {"name": "scores", "role": "intermediate", "visibility": "private", "shape": [3], "scale": 3, "lo": st(slo), "hi": st(shi)},
        {"name": "label", "role": "output", "visibility": "public", "shape": [1], "scale": 0, "lo": ["0"], "hi": ["2"]},
    ]
    ops = [{"op": "dense", "inputs": ["x", "w1", "b1"], "outputs": ["acc1"], "attributes": {}},
           {"op": "rescale", "inputs": ["acc1"], "outputs": ["h_pre"], "attributes": {"shift": 2}},
           {"op": "relu", "inputs": ["h_pre"], "outputs": ["h"], "attributes": {}},
           {"op": "dense", "inputs": ["h", "w2", "b2"], "outputs": ["scores"], "attributes": {}},
           {"op": "argmax", "inputs": ["scores"], "outputs": ["label"], "attributes": {}}]
    return {"format": "zkml-ir", "version": 2, "field": "bn254", "name": "mlp-relu-hashed-weights", "task": "classification",
            "producer": {"name": "golden generator (python)", "version": "2"}, "features": ["f0", "f1", "f2"],
            "labels": ["a", "b", "c"], "tensors": tensors, "inputs": ["x"],
            "commitments": [{"name": "weights_commitment", "domain": "zkml-weights-v1", "tensors": ["w1", "b1", "w2", "b2"]}],
            "ops": ops, "outputs": ["label"]}


def mlp_cases(doc, rng, weight_sets, inputs):
    t = {d["name"]: d for d in doc["tensors"]}
    names = ["w1", "b1", "w2", "b2"]
    lo = [int(v) for n in names for v in t[n]["lo"]]
    hi = [int(v) for n in names for v in t[n]["hi"]]
    out = []
    for ws in weight_sets:
        parts, k = {}, 0
        for n in names:
            size = len(t[n]["lo"])
            parts[n] = ws[k:k + size]
            k += size
        salt = rng.randrange(R)
        com = zc.commit("zkml-weights-v1", lo, hi, ws, salt)
        for x in inputs:
            acc1 = [parts["b1"][j] + sum(parts["w1"][j * 3 + i] * x[i] for i in range(3)) for j in range(4)]
            h = [max(v >> 2, 0) for v in acc1]
            scores = [parts["b2"][j] + sum(parts["w2"][j * 4 + i] * h[i] for i in range(4)) for j in range(3)]
            for j in range(3):
                assert int(t["scores"]["lo"][j]) <= scores[j] <= int(t["scores"]["hi"][j])
            label = scores.index(max(scores))
            out.append({"weights": {n: [str(v) for v in parts[n]] for n in names}, "weightsSalt": str(salt),
                        "input": [str(v) for v in x], "output": [str(label)], "weightsCommitment": str(com),
                        "publicInputs": [str(v % R) for v in x] + [str(com), str(label)]})
    return out


def write(name, doc, cs, invalid):
    with open(os.path.join(HERE, name + ".ir.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    with open(os.path.join(HERE, name + ".cases.json"), "w") as f:
        json.dump({"ir": name + ".ir.json", "cases": cs, "invalid": invalid}, f, indent=2)
        f.write("\n")


def main():
    rng = random.Random(8)
    # Classifier: 4 public inputs, 3 classes, int8 weights, int16 biases (the golden 3x4's ranges).
    xlo, xhi = [-512, -512, 0, -100], [512, 512, 1023, 100]
    doc = document("linear-3x4-hashed-weights", "classification", "public", 3, 4, 8, 16, xlo, xhi, 8, 4, 0,
                   ["low", "medium", "high"])
    golden = [3, -2, 1, 0, -3, 2, 1, 0, 0, 0, 1, 5, 0, 0, -7]  # the fixed golden model's weights
    extremes = [-128] * 12 + [-32768] * 3
    top = [127] * 12 + [32767] * 3
    rand = [rng.randint(-128, 127) for _ in range(12)] + [rng.randint(-32768, 32767) for _ in range(3)]
    inputs = [[0, 0, 0, 0], [-1, 0, 0, 2], [10, 15, 0, 0], xlo, xhi, [100, -200, 512, -50], [0, 0, 7, 0]]
    inputs += [[rng.randint(l, h) for l, h in zip(xlo, xhi)] for _ in range(3)]
    cs = cases(doc, rng, [golden, extremes, top, rand], inputs)
    ws = [str(v) for v in golden]
    invalid = [
        {"weights": {"weight": ws[:11] + ["128"], "bias": ws[12:]}, "input": ["0", "0", "0", "0"], "error": "weight_out_of_range"},
        {"weights": {"weight": ws[:12], "bias": ["0", "0", "-32769"]}, "input": ["0", "0", "0", "0"], "error": "weight_out_of_range"},
        {"weights": {"weight": ["-129"] + ws[1:12], "bias": ws[12:]}, "input": ["0", "0", "0", "0"], "error": "weight_out_of_range"},
        {"weights": {"weight": ws[:11], "bias": ws[12:]}, "input": ["0", "0", "0", "0"], "error": "wrong_weight_count"},
    ]
    write("linear-3x4-hashed-weights", doc, cs, invalid)
    # Regressor: 3 hashed inputs, 2 outputs, int6 weights, int12 biases, rescale by 4 (negative floors).
    xlo, xhi = [-100, 0, -7], [100, 255, 7]
    doc = document("linear-2x3-hashed-weights-and-inputs", "regression", "hashed", 2, 3, 6, 12, xlo, xhi, 4, 4, 4,
                   ["y0", "y1"])
    sets = [[5, -3, 2, -32, 31, 0, 100, -2048], [31] * 6 + [2047, 2047], [-32] * 6 + [-2048, -2048],
            [rng.randint(-32, 31) for _ in range(6)] + [rng.randint(-2048, 2047) for _ in range(2)]]
    inputs = [[0, 0, 0], xlo, xhi, [-1, 1, -1], [37, 200, -5]] + [[rng.randint(l, h) for l, h in zip(xlo, xhi)] for _ in range(3)]
    cs = cases(doc, rng, sets, inputs)
    ws = [str(v) for v in sets[0]]
    invalid = [{"weights": {"weight": ws[:5] + ["32"], "bias": ws[6:]}, "input": ["0", "0", "0"], "error": "weight_out_of_range"}]
    write("linear-2x3-hashed-weights-and-inputs", doc, cs, invalid)
    # A two-layer network (issue 8: hashed weights for networks): mlp-relu's weights and three other sets.
    doc = mlp_document()
    known = [3, -2, 1, 1, 1, 0, -1, -1, -4, 0, 5, -3] + [2, 400, -300, -1] + [1, -1, 2, 0, -2, 1, 0, 1, 0, 0, 1, -1] + [0, 5, -5]
    sets = [known, [31] * 12 + [2047] * 4 + [-32] * 12 + [-2048] * 3, [-32] * 12 + [-2048] * 4 + [31] * 12 + [2047] * 3,
            [rng.randint(-32, 31) for _ in range(12)] + [rng.randint(-2048, 2047) for _ in range(4)]
            + [rng.randint(-32, 31) for _ in range(12)] + [rng.randint(-2048, 2047) for _ in range(3)]]
    xlo, xhi = [-12, -8, 0], [12, 8, 20]
    inputs = [[0, 0, 0], xlo, xhi, [5, -3, 7], [-1, 1, 19]] + [[rng.randint(l, h) for l, h in zip(xlo, xhi)] for _ in range(3)]
    cs = mlp_cases(doc, rng, sets, inputs)
    w = {n: list(v) for n, v in cs[0]["weights"].items()}
    w["b2"] = ["0", "5", "2048"]
    write("mlp-relu-hashed-weights", doc, cs, [{"weights": w, "input": ["0", "0", "0"], "error": "weight_out_of_range"}])


if __name__ == "__main__":
    main()
