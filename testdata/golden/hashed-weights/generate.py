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


if __name__ == "__main__":
    main()
