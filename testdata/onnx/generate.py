#!/usr/bin/env python3
"""Makes the ONNX test models of testdata/onnx/ and their expected outputs.

The build never runs this: the .onnx files and the *.expected.json files it writes are committed.
Run it again after changing it (pinned versions, see requirements.txt):

    python3 -m venv /tmp/onnx-venv && /tmp/onnx-venv/bin/pip install -r testdata/onnx/requirements.txt
    /tmp/onnx-venv/bin/python testdata/onnx/generate.py

The graphs are built with onnx.helper node by node, the way torch.onnx.export (opset 13) and
skl2onnx emit small MLPs: Gemm with transB = 1, or MatMul + Add; Relu; Flatten / Reshape /
Identity / Dropout around them; Sub / Div by constants for a standardizing front; ArgMax (with or
without a Softmax before it) for a classifier. The weights are trained here with numpy on seeded
synthetic data (no data set is downloaded), so the models make real decisions. The expected
outputs are ONNX Runtime's, in float32, for seeded inputs.
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 13
IR_VERSION = 8


def blobs(rng, n, centers, spread):
    k, d = centers.shape
    y = rng.integers(0, k, size=n)
    x = centers[y] + rng.normal(0, spread, size=(n, d))
    return x.astype(np.float64), y


def train_mlp(x, y, sizes, rng, steps=400, lr=0.05, regression=False):
    """A plain full-batch gradient descent on a ReLU MLP (softmax cross-entropy or squared error)."""
    ws, bs = [], []
    for a, b in zip(sizes[:-1], sizes[1:]):
        ws.append(rng.normal(0, np.sqrt(2.0 / a), size=(a, b)))
        bs.append(np.zeros(b))
    n = len(x)
    for _ in range(steps):
        acts = [x]
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w + b
            acts.append(np.maximum(z, 0) if i < len(ws) - 1 else z)
        out = acts[-1]
        if regression:
            g = 2 * (out - y.reshape(-1, 1)) / n
        else:
            p = np.exp(out - out.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(n), y] -= 1
            g = p / n
        for i in reversed(range(len(ws))):
            gw = acts[i].T @ g
            gb = g.sum(axis=0)
            if i > 0:
                g = (g @ ws[i].T) * (acts[i] > 0)
            ws[i] -= lr * gw
            bs[i] -= lr * gb
    return [w.astype(np.float32) for w in ws], [b.astype(np.float32) for b in bs]


def init(name, a):
    return numpy_helper.from_array(np.asarray(a), name)


def f32(v):
    """The shortest decimal that reads back as the same float32 (in JSON as a number)."""
    return float(np.format_float_positional(np.float32(v), unique=True, trim="-"))


def save(name, graph, doc, inputs, feature_names=None, opset_ml=None, scores=None):
    """scores: an intermediate tensor (the logits before an ArgMax) whose values are recorded too."""
    imports = [helper.make_opsetid("", OPSET)]
    if opset_ml:
        imports.append(helper.make_opsetid("ai.onnx.ml", opset_ml))
    model = helper.make_model(graph, opset_imports=imports, producer_name="zkml testdata/onnx/generate.py",
                              producer_version="1", doc_string=doc)
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(HERE, name + ".onnx")
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    if scores:
        probe.graph.output.append(helper.make_empty_tensor_value_info(scores))
    sess = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    in_name = sess.get_inputs()[0].name
    out_names = [o.name for o in sess.get_outputs()]
    rows = []
    for x in inputs:
        shape = [1] + [d if isinstance(d, int) else 1 for d in sess.get_inputs()[0].shape[1:]]
        res = sess.run(None, {in_name: np.asarray(x, dtype=np.float32).reshape(shape)})
        row = {"input": [f32(v) for v in np.asarray(x, dtype=np.float32).ravel()]}
        for o, r in zip(out_names, res):
            r = np.asarray(r).ravel()
            row[o] = [f32(v) for v in r] if r.dtype == np.float32 else [
                v if isinstance(v, str) else {str(k): f32(p) for k, p in v.items()} if isinstance(v, dict) else v.item()
                for v in r]  # a dict: ZipMap's output
        rows.append(row)
    exp = {"model": name + ".onnx", "runtime": "onnxruntime " + ort.__version__, "onnx": onnx.__version__,
           "outputs": [o for o in out_names if o != scores], "scores": scores, "features": feature_names,
           "cases": rows}
    with open(os.path.join(HERE, name + ".expected.json"), "w", newline="\n") as f:
        json.dump(exp, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("%-22s %7d bytes, %d cases, outputs %s" % (name + ".onnx", os.path.getsize(path), len(rows), out_names))


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


# 1. tabular classifier, as torch.onnx.export writes nn.Sequential(Linear, ReLU, Linear) + argmax --
def mlp_tabular():
    rng = np.random.default_rng(601)
    centers = np.array([[2.0, 0.0, -1.0, 1.0], [-1.0, 2.0, 1.0, 0.0], [0.0, -2.0, 2.0, -1.5]])
    x, y = blobs(rng, 600, centers, 0.9)
    ws, bs = train_mlp(x, y, [4, 8, 3], rng, steps=600, lr=0.1)
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"], name="/fc1/Gemm",
                         alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Relu", ["/fc1/Gemm_output_0"], ["/act/Relu_output_0"], name="/act/Relu"),
        helper.make_node("Gemm", ["/act/Relu_output_0", "fc2.weight", "fc2.bias"], ["logits"], name="/fc2/Gemm",
                         alpha=1.0, beta=1.0, transB=1),
        helper.make_node("ArgMax", ["logits"], ["label"], name="/ArgMax", axis=1, keepdims=0),
    ]
    g = helper.make_graph(nodes, "mlp_tabular", [vi("input", TensorProto.FLOAT, ["batch", 4])],
                          [vi("label", TensorProto.INT64, ["batch"])],
                          [init("fc1.weight", ws[0].T), init("fc1.bias", bs[0]),
                           init("fc2.weight", ws[1].T), init("fc2.bias", bs[1])])
    xt, _ = blobs(np.random.default_rng(602), 120, centers, 1.2)
    save("mlp-tabular", g, "4-8-3 ReLU MLP classifier (Gemm transB=1, ArgMax)", xt, scores="logits")


# 2. regressor: a standardizing front (Sub, Div), Flatten, MatMul + Add, Dropout, Identity, Reshape
def mlp_regressor():
    rng = np.random.default_rng(611)
    x = rng.uniform(-3, 3, size=(500, 3)) * np.array([1.0, 10.0, 0.5]) + np.array([0.0, 50.0, 1.0])
    mean, std = x.mean(axis=0), x.std(axis=0)
    xs = (x - mean) / std
    y = np.sin(xs[:, 0]) + 0.5 * xs[:, 1] ** 2 - xs[:, 2]
    ws, bs = train_mlp(xs, y, [3, 6, 1], rng, steps=800, lr=0.05, regression=True)
    nodes = [
        helper.make_node("Sub", ["x", "mean"], ["centered"], name="center"),
        helper.make_node("Div", ["centered", "std"], ["scaled"], name="scale"),
        helper.make_node("Flatten", ["scaled"], ["flat"], name="flatten", axis=1),
        helper.make_node("MatMul", ["flat", "W1"], ["mm1"], name="layer1/MatMul"),
        helper.make_node("Add", ["mm1", "B1"], ["z1"], name="layer1/Add"),
        helper.make_node("Relu", ["z1"], ["h1"], name="layer1/Relu"),
        helper.make_node("Dropout", ["h1"], ["h1d"], name="dropout"),
        helper.make_node("Identity", ["h1d"], ["h1i"], name="identity"),
        helper.make_node("MatMul", ["h1i", "W2"], ["mm2"], name="layer2/MatMul"),
        helper.make_node("Add", ["mm2", "B2"], ["z2"], name="layer2/Add"),
        helper.make_node("Mul", ["z2", "gain"], ["z3"], name="gain"),
        helper.make_node("Reshape", ["z3", "shape"], ["y"], name="reshape"),
    ]
    g = helper.make_graph(nodes, "mlp_regressor", [vi("x", TensorProto.FLOAT, [1, 3])],
                          [vi("y", TensorProto.FLOAT, [1, 1])],
                          [init("mean", mean.astype(np.float32)), init("std", std.astype(np.float32)),
                           init("W1", ws[0]), init("B1", bs[0]), init("W2", ws[1]), init("B2", bs[1]),
                           init("gain", np.array([2.0], dtype=np.float32)),
                           init("shape", np.array([1, 1], dtype=np.int64))])
    xt = np.random.default_rng(612).uniform(-3, 3, size=(120, 3)) * np.array([1.0, 10.0, 0.5]) + np.array([0.0, 50.0, 1.0])
    save("mlp-regressor", g, "3-6-1 ReLU MLP regressor behind a standardizing Sub/Div", xt,
         feature_names=["temperature", "pressure", "flow"])


# 3. two hidden layers, raw_data and float_data initializers, a Softmax before the ArgMax -------
def mlp_softmax():
    rng = np.random.default_rng(621)
    centers = rng.normal(0, 2.0, size=(4, 6))
    x, y = blobs(rng, 800, centers, 1.0)
    ws, bs = train_mlp(x, y, [6, 10, 8, 4], rng, steps=600, lr=0.05)
    nodes = [
        helper.make_node("Gemm", ["features", "w0", "b0"], ["g0"], name="dense_0"),
        helper.make_node("Relu", ["g0"], ["r0"], name="relu_0"),
        helper.make_node("Gemm", ["r0", "w1", "b1"], ["g1"], name="dense_1", alpha=0.5, beta=2.0),
        helper.make_node("Relu", ["g1"], ["r1"], name="relu_1"),
        helper.make_node("Gemm", ["r1", "w2", "b2"], ["g2"], name="dense_2"),
        helper.make_node("Softmax", ["g2"], ["probabilities"], name="softmax", axis=1),
        helper.make_node("ArgMax", ["probabilities"], ["class"], name="argmax", axis=-1, keepdims=1),
    ]
    # float_data (not raw_data) for one tensor: both encodings occur in exported files
    w1 = helper.make_tensor("w1", TensorProto.FLOAT, list((ws[1] * 2.0).shape), (ws[1] * 2.0).ravel().tolist())
    b1 = helper.make_tensor("b1", TensorProto.FLOAT, [len(bs[1])], (bs[1] / 2.0).ravel().tolist())
    g = helper.make_graph(nodes, "mlp_softmax", [vi("features", TensorProto.FLOAT, ["N", 6])],
                          [vi("class", TensorProto.INT64, ["N", 1])],
                          [init("w0", ws[0]), init("b0", bs[0]), w1, b1,
                           init("w2", ws[2]), init("b2", bs[2])])
    xt, _ = blobs(np.random.default_rng(622), 120, centers, 1.3)
    save("mlp-softmax", g, "6-10-8-4 MLP with Gemm alpha/beta, Softmax before ArgMax", xt, scores="g2")


# 4. operators this slice does not support (every one must be listed, with its node name) -------
def unsupported():
    rng = np.random.default_rng(631)
    nodes = [
        helper.make_node("Gemm", ["x", "w", "b"], ["g"], name="dense"),
        helper.make_node("Erf", ["g"], ["s"], name="gate"),
        helper.make_node("Softplus", ["s"], ["t"], name="squash"),
        helper.make_node("Gemm", ["t", "w2", "b2"], ["g2"], name="dense_out"),
        helper.make_node("Elu", ["g2"], ["y"], name="elu", alpha=0.1),
    ]
    g = helper.make_graph(nodes, "unsupported", [vi("x", TensorProto.FLOAT, [1, 2])],
                          [vi("y", TensorProto.FLOAT, [1, 2])],
                          [init("w", rng.normal(size=(2, 2)).astype(np.float32)),
                           init("b", np.zeros(2, dtype=np.float32)),
                           init("w2", rng.normal(size=(2, 2)).astype(np.float32)),
                           init("b2", np.zeros(2, dtype=np.float32))])
    save("unsupported-ops", g, "Erf, Softplus and Elu between two Gemms", rng.normal(size=(3, 2)))


# 5. the benchmark's MNIST-shaped 784-56-10 MLP (synthetic 28x28 "digits": one blob per class) --
def mnist_mlp():
    rng = np.random.default_rng(641)
    protos = rng.uniform(0, 1, size=(10, 784)) ** 3
    y = rng.integers(0, 10, size=2000)
    x = np.clip(protos[y] + rng.normal(0, 0.25, size=(2000, 784)), 0, 1)
    ws, bs = train_mlp(x, y, [784, 56, 10], rng, steps=150, lr=0.1)
    nodes = [
        helper.make_node("Flatten", ["image"], ["flat"], name="/flatten/Flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc1.weight", "fc1.bias"], ["h"], name="/fc1/Gemm", transB=1),
        helper.make_node("Relu", ["h"], ["hr"], name="/relu/Relu"),
        helper.make_node("Gemm", ["hr", "fc2.weight", "fc2.bias"], ["logits"], name="/fc2/Gemm", transB=1),
        helper.make_node("ArgMax", ["logits"], ["digit"], name="/ArgMax", axis=1, keepdims=0),
    ]
    g = helper.make_graph(nodes, "mnist_mlp", [vi("image", TensorProto.FLOAT, ["batch", 1, 28, 28])],
                          [vi("digit", TensorProto.INT64, ["batch"])],
                          [init("fc1.weight", ws[0].T), init("fc1.bias", bs[0]),
                           init("fc2.weight", ws[1].T), init("fc2.bias", bs[1])])
    r2 = np.random.default_rng(642)
    yt = r2.integers(0, 10, size=40)
    xt = np.clip(protos[yt] + r2.normal(0, 0.25, size=(40, 784)), 0, 1)
    save("mnist-mlp-784-56-10", g, "784-56-10 MLP on 1x28x28 inputs (the published zkML benchmark shape)",
         np.round(xt, 2), scores="logits")


# 6. smooth and leaky activations inside a network: Sigmoid, Tanh, LeakyRelu, Clip (ReLU6) -----
def mlp_activations():
    rng = np.random.default_rng(651)
    sizes = [5, 8, 6, 6, 4]
    ws = [rng.normal(0, 1.0 / np.sqrt(a), size=(b, a)).astype(np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(0, 0.2, size=b).astype(np.float32) for b in sizes[1:]]
    nodes = [
        helper.make_node("Gemm", ["x", "w0", "b0"], ["g0"], name="dense_0", transB=1),
        helper.make_node("Sigmoid", ["g0"], ["a0"], name="sigmoid"),
        helper.make_node("Gemm", ["a0", "w1", "b1"], ["g1"], name="dense_1", transB=1),
        helper.make_node("Tanh", ["g1"], ["a1"], name="tanh"),
        helper.make_node("Gemm", ["a1", "w2", "b2"], ["g2"], name="dense_2", transB=1),
        helper.make_node("LeakyRelu", ["g2"], ["a2"], name="leaky", alpha=0.1),
        helper.make_node("Clip", ["a2", "zero", "six"], ["a3"], name="relu6"),
        helper.make_node("Gemm", ["a3", "w3", "b3"], ["scores"], name="dense_3", transB=1),
        helper.make_node("ArgMax", ["scores"], ["label"], name="argmax", axis=1, keepdims=0),
    ]
    inits = [init("w%d" % i, w) for i, w in enumerate(ws)] + [init("b%d" % i, b) for i, b in enumerate(bs)]
    inits += [init("zero", np.array(0.0, dtype=np.float32)), init("six", np.array(6.0, dtype=np.float32))]
    g = helper.make_graph(nodes, "mlp_activations", [vi("x", TensorProto.FLOAT, ["batch", 5])],
                          [vi("label", TensorProto.INT64, ["batch"])], inits)
    xt = np.random.default_rng(652).uniform(-3, 3, size=(120, 5))
    save("mlp-activations", g, "5-8-6-6-4 classifier: Sigmoid, Tanh, LeakyRelu(0.1), Clip(0, 6) between Gemms", xt,
         scores="scores")


# 7. a real skl2onnx export: scikit-learn MLPClassifier with string class labels (zipmap off) ------
def sklearn_mlp():
    from sklearn.neural_network import MLPClassifier
    from skl2onnx import to_onnx
    rng = np.random.default_rng(661)
    x = rng.normal(size=(400, 4))
    score = x[:, 0] + x[:, 1] ** 2 - 0.5 * x[:, 2]
    y = np.where(score > 1.5, "high", np.where(score > 0.2, "medium", "low"))
    m = MLPClassifier(hidden_layer_sizes=(10,), max_iter=2000, random_state=0).fit(x, y)
    onx = to_onnx(m, x[:1].astype(np.float32), target_opset={"": OPSET, "ai.onnx.ml": 1}, options={"zipmap": False})
    onx.graph.name = "sklearn_mlp"
    g = onx.graph
    xt = np.random.default_rng(662).normal(size=(120, 4))
    save("sklearn-mlp-classifier", g, "scikit-learn %s MLPClassifier (4-10-3, string labels) exported by skl2onnx %s"
         % (__import__("sklearn").__version__, __import__("skl2onnx").__version__), xt, opset_ml=1, scores="add_result1")



def tree_inputs(rng, onx, n_random, d):
    """Seeded random inputs, then inputs at and one float32 step either side of thresholds
    (the branch strictness must match ONNX Runtime exactly there)."""
    xs = list(rng.normal(size=(n_random, d)).astype(np.float32))
    base = np.zeros(d, dtype=np.float32)
    for node in onx.graph.node:
        if node.op_type.startswith("TreeEnsemble"):
            a = {at.name: at for at in node.attribute}
            feats = list(a["nodes_featureids"].ints)
            vals = list(a["nodes_values"].floats) if "nodes_values" in a else list(numpy_helper.to_array(a["nodes_values_as_tensor"].t))
            modes = [m.decode() for m in a["nodes_modes"].strings]
            picked = [k for k in range(len(modes)) if modes[k] != "LEAF"][:12]
            for k in picked:
                t = np.float32(vals[k])
                for v in (t, np.nextafter(t, np.float32(-np.inf)), np.nextafter(t, np.float32(np.inf))):
                    x = base.copy()
                    x[feats[k]] = v
                    xs.append(x)
    return xs


def tree_data(seed, n=300, d=4):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    score = x[:, 0] + 0.8 * x[:, 1] ** 2 - 0.6 * x[:, 2] + 0.3 * x[:, 3]
    return rng, x.astype(np.float32), score


def sklearn_random_forest():
    from sklearn.ensemble import RandomForestClassifier
    from skl2onnx import to_onnx
    rng, x, score = tree_data(701)
    y = np.where(score > 1.5, "high", np.where(score > 0.2, "medium", "low"))
    m = RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0).fit(x, y)
    onx = to_onnx(m, x[:1], target_opset={"": OPSET, "ai.onnx.ml": 1})  # with its ZipMap
    onx.graph.name = "sklearn_random_forest"
    save("sklearn-random-forest-classifier", onx.graph, "scikit-learn %s RandomForestClassifier (8 trees, depth 4, "
         "string labels, ZipMap) exported by skl2onnx %s" % (__import__("sklearn").__version__,
         __import__("skl2onnx").__version__), tree_inputs(np.random.default_rng(702), onx, 120, 4), opset_ml=1)


def sklearn_gradient_boosting():
    from sklearn.ensemble import GradientBoostingClassifier
    from skl2onnx import to_onnx
    rng, x, score = tree_data(711)
    y = (score > 0.6).astype(np.int64)
    m = GradientBoostingClassifier(n_estimators=12, max_depth=3, random_state=0).fit(x, y)
    onx = to_onnx(m, x[:1], target_opset={"": OPSET, "ai.onnx.ml": 3}, options={"zipmap": False})
    onx.graph.name = "sklearn_gradient_boosting"
    save("sklearn-gradient-boosting-classifier", onx.graph, "scikit-learn %s GradientBoostingClassifier (binary, 12 "
         "trees, depth 3) exported by skl2onnx %s" % (__import__("sklearn").__version__,
         __import__("skl2onnx").__version__), tree_inputs(np.random.default_rng(712), onx, 120, 4), opset_ml=3)


def sklearn_random_forest_regressor():
    from sklearn.ensemble import RandomForestRegressor
    from skl2onnx import to_onnx
    rng, x, score = tree_data(721)
    m = RandomForestRegressor(n_estimators=6, max_depth=4, random_state=0).fit(x, score)
    onx = to_onnx(m, x[:1], target_opset={"": OPSET, "ai.onnx.ml": 3})
    onx.graph.name = "sklearn_random_forest_regressor"
    save("sklearn-random-forest-regressor", onx.graph, "scikit-learn %s RandomForestRegressor (6 trees, depth 4) "
         "exported by skl2onnx %s" % (__import__("sklearn").__version__, __import__("skl2onnx").__version__),
         tree_inputs(np.random.default_rng(722), onx, 120, 4), opset_ml=3)


def xgboost_classifier():
    import xgboost
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType
    rng, x, score = tree_data(731)
    y = np.where(score > 1.5, 2, np.where(score > 0.2, 1, 0))
    m = xgboost.XGBClassifier(n_estimators=6, max_depth=3, learning_rate=0.5, random_state=0).fit(x, y)
    onx = onnxmltools.convert_xgboost(m, initial_types=[("X", FloatTensorType([None, 4]))], target_opset=OPSET)
    onx.graph.name = "xgboost_classifier"
    save("xgboost-classifier", onx.graph, "XGBoost %s XGBClassifier (3 classes, 6 rounds = 18 trees, depth 3) "
         "exported by onnxmltools %s" % (xgboost.__version__, onnxmltools.__version__),
         tree_inputs(np.random.default_rng(732), onx, 120, 4), opset_ml=_ml_opset(onx))


def lightgbm_classifier():
    import lightgbm
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType
    rng, x, score = tree_data(741)
    y = np.where(score > 1.5, 2, np.where(score > 0.2, 1, 0))
    m = lightgbm.LGBMClassifier(n_estimators=5, max_depth=3, num_leaves=8, learning_rate=0.3, random_state=0,
                                verbose=-1).fit(x, y)
    onx = onnxmltools.convert_lightgbm(m, initial_types=[("X", FloatTensorType([None, 4]))], target_opset=OPSET,
                                       zipmap=False)
    onx.graph.name = "lightgbm_classifier"
    save("lightgbm-classifier", onx.graph, "LightGBM %s LGBMClassifier (3 classes, 5 rounds = 15 trees, depth 3) "
         "exported by onnxmltools %s" % (lightgbm.__version__, onnxmltools.__version__),
         tree_inputs(np.random.default_rng(742), onx, 120, 4), opset_ml=_ml_opset(onx))


def xgboost_classifier_100():
    """The benchmark's tree ensemble (issue 6 bar: 50-200 trees); tests only read its recorded labels."""
    import xgboost
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType
    rng = np.random.default_rng(751)
    x = rng.normal(size=(600, 6)).astype(np.float32)
    score = x[:, 0] + 0.8 * x[:, 1] ** 2 - 0.6 * x[:, 2] + 0.3 * x[:, 3] * x[:, 4] - 0.2 * x[:, 5]
    y = (score > 0.6).astype(np.int64)
    m = xgboost.XGBClassifier(n_estimators=100, max_depth=4, learning_rate=0.1, random_state=0).fit(x, y)
    onx = onnxmltools.convert_xgboost(m, initial_types=[("X", FloatTensorType([None, 6]))], target_opset=OPSET)
    onx.graph.name = "xgboost_classifier_100"
    save("xgboost-classifier-100-trees", onx.graph, "XGBoost %s XGBClassifier (binary, 100 trees, depth 4, 6 features) "
         "exported by onnxmltools %s" % (xgboost.__version__, onnxmltools.__version__),
         tree_inputs(np.random.default_rng(752), onx, 80, 6), opset_ml=_ml_opset(onx))


def sklearn_decision_tree():
    """One tree: the circuit outputs the leaf's label directly (no sum, no argmax)."""
    from sklearn.tree import DecisionTreeClassifier
    from skl2onnx import to_onnx
    rng, x, score = tree_data(761)
    y = np.where(score > 1.5, "high", np.where(score > 0.2, "medium", "low"))
    m = DecisionTreeClassifier(max_depth=4, random_state=0).fit(x, y)
    onx = to_onnx(m, x[:1], target_opset={"": OPSET, "ai.onnx.ml": 3}, options={"zipmap": False})
    onx.graph.name = "sklearn_decision_tree"
    save("sklearn-decision-tree-classifier", onx.graph, "scikit-learn %s DecisionTreeClassifier (depth 4, string labels) "
         "exported by skl2onnx %s" % (__import__("sklearn").__version__, __import__("skl2onnx").__version__),
         tree_inputs(np.random.default_rng(762), onx, 120, 4), opset_ml=3)


def sklearn_hist_gradient_boosting():
    from sklearn.ensemble import HistGradientBoostingClassifier
    from skl2onnx import to_onnx
    rng, x, score = tree_data(771)
    y = np.where(score > 1.5, 2, np.where(score > 0.2, 1, 0))
    m = HistGradientBoostingClassifier(max_iter=5, max_depth=3, random_state=0).fit(x, y)
    onx = to_onnx(m, x[:1], target_opset={"": OPSET, "ai.onnx.ml": 3}, options={"zipmap": False})
    onx.graph.name = "sklearn_hist_gradient_boosting"
    save("sklearn-hist-gradient-boosting-classifier", onx.graph, "scikit-learn %s HistGradientBoostingClassifier (3 classes, "
         "5 iterations = 15 trees, depth 3) exported by skl2onnx %s" % (__import__("sklearn").__version__,
         __import__("skl2onnx").__version__), tree_inputs(np.random.default_rng(772), onx, 120, 4), opset_ml=3)


def _ml_opset(onx):
    return next(o.version for o in onx.opset_import if o.domain == "ai.onnx.ml")


# 8. convolutional networks (issue 6, CNN): built node by node as torch.onnx.export (opset 13) writes
# nn.Conv2d / nn.BatchNorm2d / nn.ReLU / nn.MaxPool2d / nn.AvgPool2d / nn.AdaptiveAvgPool2d(1) /
# nn.Flatten / nn.Linear. torch is not needed: the convolution weights are seeded (He-scaled
# random features, fixed), and the dense head is trained here with numpy (train_mlp) on the
# convolution features of seeded synthetic images, so the models make real decisions.
def _features(nodes, inits, inp, feat, feat_shape, xs):
    """ONNX Runtime's values of the tensor feat for images xs (the convolutional front alone)."""
    g = helper.make_graph(nodes, "front", [inp], [vi(feat, TensorProto.FLOAT, feat_shape)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = IR_VERSION
    sess = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"])
    return np.stack([sess.run(None, {inp.name: x[None].astype(np.float32)})[0].ravel() for x in xs]).astype(np.float64)


def _images(rng, protos, n, noise):
    y = rng.integers(0, len(protos), size=n)
    x = np.clip(protos[y] + rng.normal(0, noise, size=(n,) + protos.shape[1:]), 0, 1)
    return np.round(x, 2), y


def cnn_small():
    """8x8 images of 3 stroke patterns: Conv(1->4, 3x3, pad 1) + BatchNormalization, Relu,
    MaxPool(2), AveragePool(3, stride 1, pad 1, count_include_pad 0), Conv(4->6, 2x2, stride 2),
    Relu, GlobalAveragePool, Flatten, Gemm(6->3), ArgMax."""
    rng = np.random.default_rng(651)
    protos = np.zeros((3, 1, 8, 8))
    protos[0, 0, 3:5, :] = 1          # horizontal bar
    protos[1, 0, :, 3:5] = 1          # vertical bar
    for i in range(8):
        protos[2, 0, i, i] = 1        # diagonal
        protos[2, 0, i, max(i - 1, 0)] = 0.6
    w1 = rng.normal(0, np.sqrt(2 / 9), size=(4, 1, 3, 3)).astype(np.float32)
    b1 = rng.normal(0, 0.1, size=4).astype(np.float32)
    gamma = rng.uniform(0.5, 1.5, size=4).astype(np.float32)
    beta = rng.normal(0, 0.1, size=4).astype(np.float32)
    mean = rng.normal(0, 0.2, size=4).astype(np.float32)
    var = rng.uniform(0.5, 2, size=4).astype(np.float32)
    w2 = rng.normal(0, np.sqrt(2 / 16), size=(6, 4, 2, 2)).astype(np.float32)
    b2 = rng.normal(0, 0.1, size=6).astype(np.float32)
    front = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], name="/conv1/Conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1),
        helper.make_node("BatchNormalization", ["c1", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"], ["n1"],
                         name="/bn1/BatchNormalization", epsilon=1e-5, momentum=0.9),
        helper.make_node("Relu", ["n1"], ["r1"], name="/relu1/Relu"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="/pool1/MaxPool", kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0],
                         ceil_mode=0),
        helper.make_node("AveragePool", ["p1"], ["a1"], name="/avg/AveragePool", kernel_shape=[3, 3], strides=[1, 1],
                         pads=[1, 1, 1, 1], count_include_pad=0, ceil_mode=0),
        helper.make_node("Conv", ["a1", "conv2.weight", "conv2.bias"], ["c2"], name="/conv2/Conv",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"], name="/relu2/Relu"),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"], name="/gap/GlobalAveragePool"),
        helper.make_node("Flatten", ["g"], ["flat"], name="/flatten/Flatten", axis=1),
    ]
    inits = [init("conv1.weight", w1), init("conv1.bias", b1), init("bn1.weight", gamma), init("bn1.bias", beta),
             init("bn1.running_mean", mean), init("bn1.running_var", var), init("conv2.weight", w2), init("conv2.bias", b2)]
    inp = vi("input", TensorProto.FLOAT, ["batch", 1, 8, 8])
    x, y = _images(rng, protos, 600, 0.2)
    feats = _features(front, inits, inp, "flat", ["batch", 6], x)
    mu, sd = feats.mean(axis=0), feats.std(axis=0) + 1e-6
    ws, bs = train_mlp((feats - mu) / sd, y, [6, 3], rng, steps=300, lr=0.5)
    # the standardization folded into the head: W' = W / sd, b' = b - (mu / sd) W
    w = (ws[0].astype(np.float64) / sd[:, None])
    b = bs[0].astype(np.float64) - (mu / sd) @ ws[0].astype(np.float64)
    nodes = front + [
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], name="/fc/Gemm", transB=1),
        helper.make_node("ArgMax", ["logits"], ["label"], name="/ArgMax", axis=1, keepdims=0),
    ]
    g = helper.make_graph(nodes, "cnn_small", [inp], [vi("label", TensorProto.INT64, ["batch"])],
                          inits + [init("fc.weight", w.T.astype(np.float32)), init("fc.bias", b.astype(np.float32))])
    r2 = np.random.default_rng(652)
    xt, _ = _images(r2, protos, 40, 0.2)
    save("cnn-small", g, "small CNN on 1x8x8 images: Conv+BN, Relu, MaxPool, AveragePool (pads, count_include_pad 0), "
         "Conv (stride 2), Relu, GlobalAveragePool, Gemm, ArgMax", [v.ravel() for v in xt], scores="logits")


def lenet5():
    """LeNet-5-shaped on 1x28x28: Conv(1->6, 5x5), Relu, MaxPool(2), Conv(6->16, 5x5), Relu,
    MaxPool(2), Flatten (256), Gemm 120, Relu, Gemm 84, Relu, Gemm 10, ArgMax (the published
    zkML benchmark shape; synthetic digits: one blurred prototype per class)."""
    rng = np.random.default_rng(661)
    protos = (rng.uniform(0, 1, size=(10, 1, 28, 28)) ** 3)
    w1 = rng.normal(0, np.sqrt(2 / 25), size=(6, 1, 5, 5)).astype(np.float32)
    b1 = rng.normal(0, 0.05, size=6).astype(np.float32)
    w2 = rng.normal(0, np.sqrt(2 / 150), size=(16, 6, 5, 5)).astype(np.float32)
    b2 = rng.normal(0, 0.05, size=16).astype(np.float32)
    front = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], name="/conv1/Conv",
                         kernel_shape=[5, 5], pads=[0, 0, 0, 0], strides=[1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="/relu1/Relu"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="/pool1/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"], name="/conv2/Conv",
                         kernel_shape=[5, 5], strides=[1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"], name="/relu2/Relu"),
        helper.make_node("MaxPool", ["r2"], ["p2"], name="/pool2/MaxPool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Constant", [], ["shape"], name="/Constant", value=numpy_helper.from_array(np.array([1, 256], dtype=np.int64))),
        helper.make_node("Reshape", ["p2", "shape"], ["flat"], name="/Reshape"),
    ]
    inits = [init("conv1.weight", w1), init("conv1.bias", b1), init("conv2.weight", w2), init("conv2.bias", b2)]
    inp = vi("input", TensorProto.FLOAT, ["batch", 1, 28, 28])
    x, y = _images(rng, protos, 1500, 0.25)
    feats = _features(front, inits, inp, "flat", [1, 256], x)
    mu, sd = feats.mean(axis=0), feats.std(axis=0) + 1e-3
    ws, bs = train_mlp((feats - mu) / sd, y, [256, 120, 84, 10], rng, steps=300, lr=0.1)
    # the standardization folded into fc1: W' = W / sd, b' = b - (mu / sd) W
    b0 = bs[0].astype(np.float64) - (mu / sd) @ ws[0].astype(np.float64)
    ws[0] = (ws[0].astype(np.float64) / sd[:, None]).astype(np.float32)
    bs[0] = b0.astype(np.float32)
    pred = np.argmax(np.maximum(np.maximum(feats @ ws[0] + bs[0], 0) @ ws[1] + bs[1], 0) @ ws[2] + bs[2], axis=1)
    print("lenet5: training accuracy %.3f" % (pred == y).mean())
    nodes = front + [
        helper.make_node("Gemm", ["flat", "fc1.weight", "fc1.bias"], ["f1"], name="/fc1/Gemm", transB=1),
        helper.make_node("Relu", ["f1"], ["f1r"], name="/relu3/Relu"),
        helper.make_node("Gemm", ["f1r", "fc2.weight", "fc2.bias"], ["f2"], name="/fc2/Gemm", transB=1),
        helper.make_node("Relu", ["f2"], ["f2r"], name="/relu4/Relu"),
        helper.make_node("Gemm", ["f2r", "fc3.weight", "fc3.bias"], ["logits"], name="/fc3/Gemm", transB=1),
        helper.make_node("ArgMax", ["logits"], ["digit"], name="/ArgMax", axis=1, keepdims=0),
    ]
    g = helper.make_graph(nodes, "lenet5", [inp], [vi("digit", TensorProto.INT64, ["batch"])],
                          inits + [init("fc1.weight", ws[0].T), init("fc1.bias", bs[0]), init("fc2.weight", ws[1].T),
                                   init("fc2.bias", bs[1]), init("fc3.weight", ws[2].T), init("fc3.bias", bs[2])])
    r2 = np.random.default_rng(662)
    xt, _ = _images(r2, protos, 24, 0.25)
    save("lenet5-28x28", g, "LeNet-5-shaped CNN on 1x28x28 (conv 1->6 5x5, relu, maxpool 2, conv 6->16 5x5, relu, "
         "maxpool 2, dense 256-120-84-10, argmax)", [v.ravel() for v in xt], scores="logits")


CNNS = [cnn_small, lenet5]


TREES = [sklearn_random_forest, sklearn_gradient_boosting, sklearn_random_forest_regressor, xgboost_classifier,
         lightgbm_classifier, xgboost_classifier_100, sklearn_decision_tree, sklearn_hist_gradient_boosting]


if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["cnn"]:  # only the convolutional networks (issue 6, CNN)
        for fn in CNNS:
            fn()
        sys.exit(0)
    if sys.argv[1:] == ["trees"]:  # only the tree ensembles (issue 6b)
        for fn in TREES:
            fn()
        sys.exit(0)
    mlp_tabular()
    mlp_regressor()
    mlp_softmax()
    unsupported()
    mnist_mlp()
    mlp_activations()
    sklearn_mlp()
    for fn in CNNS:
        fn()
    for fn in TREES:
        fn()
