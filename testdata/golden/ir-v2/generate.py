#!/usr/bin/env python3
"""Golden files of the circuit IR, version 2 (docs/ir-format.md).

A third, independent evaluator of the IR (Python, standard library only), written from the
text of docs/ir-format.md alone. It writes, next to itself:

  NAME.ir.json + NAME.cases.json   valid documents and their evaluation cases
  invalid/NAME.ir.json             documents every reader must reject (one defect each)
  invalid/index.json               [{"file", "rule"}] for the invalid documents

Run: python3 testdata/golden/ir-v2/generate.py   (from anywhere; deterministic)

Structure:
  OPS       the one registry: op name -> Op(attributes, check, bounds, evaluate)
  read()    a strict reader (every rule of the spec, duplicate keys included)
  run()     the generic graph evaluator, looping over OPS
  Builder   writes documents in the canonical key order
Self-checks: tree-depth2 equals the spec's worked example; every case is cross-checked against a
direct node-by-node walk of each tree (no split_bits, no tree op); every evaluated value lies
within its tensor's bounds; every invalid document is rejected by read() for the intended rule.
"""
import collections
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
LIMIT = 1 << 248  # every bound and constant: |v| < 2^248
PRODUCER = {"name": "golden generator (python)", "version": "2"}
ROLES = ("input", "constant", "intermediate", "output")
VISIBILITY = {"input": ("public", "private", "hashed"), "output": ("public",), "constant": ("fixed",),
              "intermediate": ("private",)}   # the first one is the writer's default
RESERVED = {"input": (), "output": ("private", "hashed"), "constant": ("hashed",), "intermediate": ()}
INPUTS_DOMAIN = "zkml-inputs-v1"
ELEMENT_BITS = 248
NAME_RE = re.compile(r"[a-z][a-z0-9_]*")
BIG_RE = re.compile(r"-?(0|[1-9][0-9]*)")
MAX_ELEMENTS = 1 << 24


# ---------------------------------------------------------------------------------------------
# errors

class IrError(Exception):
    """A document that a reader must reject; code names the rule (used by the self-checks)."""

    def __init__(self, code, msg):
        super().__init__("%s: %s" % (code, msg))
        self.code = code


class CaseError(Exception):
    """An input vector the evaluator rejects ("wrong_input_count", "input_out_of_range")."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def need(cond, code, msg=""):
    if not cond:
        raise IrError(code, msg)


# ---------------------------------------------------------------------------------------------
# tensors

class Tensor:
    """name, role, visibility, shape, scale; lo/hi (for a constant: its values); values."""

    def __init__(self, name, role, visibility, shape, scale, lo=None, hi=None, values=None):
        self.name, self.role, self.visibility = name, role, visibility
        self.shape, self.scale = list(shape), scale
        self.values = values
        if role == "constant":
            lo = hi = values
        self.lo, self.hi = lo, hi

    @property
    def size(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def const(self):
        return self.role == "constant"


def nonconst(t, what):
    need(not t.const, "role", "%s (%s) must not be a constant" % (what, t.name))


def isconst(t, what):
    need(t.const, "role", "%s (%s) must be a constant" % (what, t.name))


def vector(t, what):
    need(len(t.shape) == 1, "shape", "%s (%s) must have shape [n]" % (what, t.name))
    return t.shape[0]


# ---------------------------------------------------------------------------------------------
# the ops: check(ins, attrs) -> (out shape, out scale), raising IrError on a broken rule;
# bounds(ins, attrs) -> (lo, hi); evaluate(values, ins, attrs) -> out values (flat).
# ins are the Tensors read (positional), values their values (flat lists of ints).

def _arity(ins, n, op):
    need(len(ins) == n, "arity", "%s reads %d tensors, not %d" % (op, n, len(ins)))


# dense ----------------------------------------------------------------------------------------
def dense_check(ins, a):
    _arity(ins, 3, "dense")
    x, w, b = ins
    nonconst(x, "dense x")
    n = vector(x, "dense x")
    isconst(w, "dense weight")
    isconst(b, "dense bias")
    need(len(w.shape) == 2 and w.shape[1] == n, "shape", "dense weight must have shape [m, %d]" % n)
    m = w.shape[0]
    need(b.shape == [m], "shape", "dense bias must have shape [%d]" % m)
    need(b.scale == x.scale + w.scale, "scale", "dense bias.scale must equal out.scale")
    return [m], x.scale + w.scale


def dense_bounds(ins, a):
    x, w, b = ins
    n, m = x.shape[0], w.shape[0]
    lo, hi = [], []
    for j in range(m):
        l = h = b.values[j]
        for i in range(n):
            c = w.values[j * n + i]
            l += min(c * x.lo[i], c * x.hi[i])
            h += max(c * x.lo[i], c * x.hi[i])
        lo.append(l)
        hi.append(h)
    return lo, hi


def dense_eval(v, ins, a):
    x, w, b = v
    n, m = len(x), len(b)
    return [b[j] + sum(w[j * n + i] * x[i] for i in range(n)) for j in range(m)]


# rescale --------------------------------------------------------------------------------------
def rescale_check(ins, a):
    _arity(ins, 1, "rescale")
    x = ins[0]
    nonconst(x, "rescale x")
    need(0 <= a["shift"] <= 128, "attribute_range", "rescale shift must be in [0, 128]")
    return list(x.shape), x.scale - a["shift"]


def rescale_bounds(ins, a):
    x = ins[0]
    return [v >> a["shift"] for v in x.lo], [v >> a["shift"] for v in x.hi]


def rescale_eval(v, ins, a):
    return [e >> a["shift"] for e in v[0]]  # Python's >> is floor (toward -infinity)


# argmax ---------------------------------------------------------------------------------------
def argmax_check(ins, a):
    _arity(ins, 1, "argmax")
    nonconst(ins[0], "argmax x")
    vector(ins[0], "argmax x")
    return [1], 0


def argmax_bounds(ins, a):
    return [0], [ins[0].shape[0] - 1]


def argmax_eval(v, ins, a):
    x = v[0]
    m = max(x)
    return [x.index(m)]  # the smallest index of the maximum


# split_bits -----------------------------------------------------------------------------------
def split_bits_check(ins, a):
    _arity(ins, 2, "split_bits")
    x, th = ins
    nonconst(x, "split_bits x")
    n = vector(x, "split_bits x")
    isconst(th, "split_bits thresholds")
    t = vector(th, "split_bits thresholds")
    need(th.scale == x.scale, "scale", "split_bits thresholds.scale must equal x.scale")
    f = a["feature"]
    need(len(f) == t, "attribute_range", "split_bits feature must have %d entries" % t)
    for k in range(t):
        need(0 <= f[k] < n, "attribute_range", "split_bits feature[%d] not in [0, %d)" % (k, n))
        if k > 0:
            need((f[k - 1], th.values[k - 1]) < (f[k], th.values[k]), "split_order",
                 "split_bits (feature, threshold) pairs must be sorted and distinct (at %d)" % k)
    return [t], 0


def split_bits_bounds(ins, a):
    x, th = ins
    f = a["feature"]
    lo = [1 if x.lo[f[k]] > th.values[k] else 0 for k in range(len(f))]
    hi = [1 if x.hi[f[k]] > th.values[k] else 0 for k in range(len(f))]
    return lo, hi


def split_intervals(lo, hi, ts):
    """The m + 1 intervals of the gadget for thresholds t_1 < ... < t_m over [lo, hi]."""
    iv = [(lo, min(hi, ts[0]))]
    for j in range(1, len(ts)):
        iv.append((max(lo, ts[j - 1] + 1), min(hi, ts[j])))
    iv.append((max(lo, ts[-1] + 1), hi))
    return iv


def split_bits_eval(v, ins, a):
    # evaluated the way the gadget defines it: a one-hot over the non-empty intervals of each
    # feature, and the bit of t_i is the prefix sum sum_{j >= i} h_j (the cross-check in
    # check_case compares it with the plain comparison x[f] > t)
    x, th = v
    xt = ins[0]
    f = a["feature"]
    out = [None] * len(f)
    by_feature = collections.OrderedDict()
    for k, fk in enumerate(f):
        by_feature.setdefault(fk, []).append(k)
    for fk, ks in by_feature.items():
        ts = [th[k] for k in ks]
        iv = split_intervals(xt.lo[fk], xt.hi[fk], ts)
        h = [1 if (l <= u and l <= x[fk] <= u) else 0 for (l, u) in iv]
        assert sum(h) == 1, "x[%d] = %d is in no interval" % (fk, x[fk])
        for i, k in enumerate(ks, start=1):
            out[k] = sum(h[i:])
    return out


# tree -----------------------------------------------------------------------------------------
def tree_check(ins, a):
    _arity(ins, 2, "tree")
    bits, leaves = ins
    nonconst(bits, "tree bits")
    t = vector(bits, "tree bits")
    need(all(l >= 0 for l in bits.lo) and all(h <= 1 for h in bits.hi), "tree_bits",
         "tree bits must have bounds within [0, 1]")
    isconst(leaves, "tree leaves")
    need(len(leaves.shape) == 2, "shape", "tree leaves must have shape [L, k]")
    nl, k = leaves.shape
    bit, le, gt = a["bit"], a["le"], a["gt"]
    n = len(bit)
    need(len(le) == n and len(gt) == n, "tree_structure", "tree bit, le, gt must have equal lengths")
    need(nl == (1 if n == 0 else n + 1), "tree_structure",
         "tree with %d internal nodes must have %d leaves, not %d" % (n, 1 if n == 0 else n + 1, nl))
    for i in range(n):
        need(0 <= bit[i] < t, "attribute_range", "tree bit[%d] not in [0, %d)" % (i, t))
    node_refs = [0] * n
    leaf_refs = [0] * nl
    for i in range(n):
        for c in (le[i], gt[i]):
            if c >= 0:
                need(c < n, "tree_structure", "tree node %d: child %d is no internal node" % (i, c))
                need(c > i, "tree_structure", "tree node %d: child %d not greater than the parent" % (i, c))
                node_refs[c] += 1
            else:
                need(-c - 1 < nl, "tree_structure", "tree node %d: leaf %d does not exist" % (i, -c - 1))
                leaf_refs[-c - 1] += 1
    for c in range(1, n):
        need(node_refs[c] == 1, "tree_structure", "tree node %d is the child of %d nodes" % (c, node_refs[c]))
    if n > 0:
        for l in range(nl):
            need(leaf_refs[l] == 1, "tree_structure", "tree leaf %d is the child of %d nodes" % (l, leaf_refs[l]))
    return [k], leaves.scale


def tree_bounds(ins, a):
    leaves = ins[1]
    nl, k = leaves.shape
    col = [[leaves.values[l * k + c] for l in range(nl)] for c in range(k)]
    return [min(x) for x in col], [max(x) for x in col]


def tree_eval(v, ins, a):
    # evaluated the way the gadget defines it: indicators, root 1, gt child a*b, le child a - a*b,
    # out = sum of indicator * leaf row (the cross-check walks the tree node by node instead)
    bits, leaves = v
    nl, k = ins[1].shape
    bit, le, gt = a["bit"], a["le"], a["gt"]
    n = len(bit)
    ind_leaf = [0] * nl
    if n == 0:
        ind_leaf[0] = 1
    else:
        ind_node = [0] * n
        ind_node[0] = 1
        for i in range(n):
            ab = ind_node[i] * bits[bit[i]]
            for c, val in ((gt[i], ab), (le[i], ind_node[i] - ab)):
                if c >= 0:
                    ind_node[c] = val
                else:
                    ind_leaf[-c - 1] = val
    assert sum(ind_leaf) == 1 and all(e in (0, 1) for e in ind_leaf)
    return [sum(ind_leaf[l] * leaves[l * k + c] for l in range(nl)) for c in range(k)]


# weighted_sum ---------------------------------------------------------------------------------
def weighted_sum_check(ins, a):
    need(len(ins) >= 2, "arity", "weighted_sum reads weights and at least one member")
    w, xs = ins[0], ins[1:]
    isconst(w, "weighted_sum weights")
    m = vector(w, "weighted_sum weights")
    need(len(xs) == m, "arity", "weighted_sum has %d weights but %d members" % (m, len(xs)))
    need(len(set(id(x) for x in xs)) == len(xs), "arity",
         "weighted_sum members must be distinct tensors (a repeated member would make the work grow with repeats, not with the document)")
    for x in xs:
        nonconst(x, "weighted_sum member")
        need(x.shape == xs[0].shape, "shape", "weighted_sum members must have the same shape")
        need(x.scale == xs[0].scale, "scale", "weighted_sum members must have the same scale")
    return list(xs[0].shape), w.scale + xs[0].scale


def weighted_sum_bounds(ins, a):
    w, xs = ins[0].values, ins[1:]
    lo, hi = [], []
    for i in range(xs[0].size):
        lo.append(sum(min(c * x.lo[i], c * x.hi[i]) for c, x in zip(w, xs)))
        hi.append(sum(max(c * x.lo[i], c * x.hi[i]) for c, x in zip(w, xs)))
    return lo, hi


def weighted_sum_eval(v, ins, a):
    w, xs = v[0], v[1:]
    return [sum(c * x[i] for c, x in zip(w, xs)) for i in range(len(xs[0]))]


# relu -----------------------------------------------------------------------------------------
def relu_check(ins, a):
    _arity(ins, 1, "relu")
    x = ins[0]
    nonconst(x, "relu x")
    return list(x.shape), x.scale


def relu_bounds(ins, a):
    x = ins[0]
    return [max(v, 0) for v in x.lo], [max(v, 0) for v in x.hi]


def relu_eval(v, ins, a):
    return [max(e, 0) for e in v[0]]


# conv2d / avgpool2d / maxpool2d / reshape ---------------------------------------------------------
def window(x, kernel, a, op):
    """(C, H, W, OH, OW, taps(i, j) -> [(u, v, p, q)]) for x [C, H, W] (docs/ir-format.md, "conv2d")."""
    need(len(x.shape) == 3, "shape", "%s x (%s) must have shape [C, H, W]" % (op, x.name))
    C, H, W = x.shape
    kh, kw = kernel
    need(kh >= 1 and kw >= 1, "attribute_range", "%s kernel must be positive" % op)
    st, pd = a["strides"], a["pads"]
    need(len(st) == 2 and all(1 <= v <= 1024 for v in st), "attribute_range", "%s strides: 2 integers in [1, 1024]" % op)
    need(len(pd) == 4, "attribute_range", "%s pads: 4 integers" % op)
    for i, p in enumerate(pd):
        need(0 <= p < (kh if i % 2 == 0 else kw), "attribute_range", "%s pads[%d] must be in [0, kernel)" % (op, i))
    need(H + pd[0] + pd[2] >= kh and W + pd[1] + pd[3] >= kw, "attribute_range", "%s kernel larger than the padded input" % op)
    OH = (H + pd[0] + pd[2] - kh) // st[0] + 1
    OW = (W + pd[1] + pd[3] - kw) // st[1] + 1

    def taps(i, j):
        r = []
        for u in range(kh):
            p = i * st[0] - pd[0] + u
            if 0 <= p < H:
                for v in range(kw):
                    q = j * st[1] - pd[1] + v
                    if 0 <= q < W:
                        r.append((u, v, p, q))
        return r
    return C, H, W, OH, OW, taps


def conv2d_geom(ins, a):
    x, w = ins[0], ins[1]
    need(len(w.shape) == 4, "shape", "conv2d weight must have shape [M, C, KH, KW]")
    return window(x, w.shape[2:], a, "conv2d")


def conv2d_check(ins, a):
    _arity(ins, 3, "conv2d")
    x, w, b = ins
    nonconst(x, "conv2d x")
    isconst(w, "conv2d weight")
    isconst(b, "conv2d bias")
    need(len(x.shape) == 3, "shape", "conv2d x must have shape [C, H, W]")
    need(len(w.shape) == 4 and w.shape[1] == x.shape[0], "shape", "conv2d weight must have shape [M, C, KH, KW]")
    C, H, W, OH, OW, _ = conv2d_geom(ins, a)
    m = w.shape[0]
    need(b.shape == [m], "shape", "conv2d bias must have shape [%d]" % m)
    need(b.scale == x.scale + w.scale, "scale", "conv2d bias.scale must equal out.scale")
    return [m, OH, OW], x.scale + w.scale


def conv2d_terms(ins, a, o, i, j):
    """[(weight index, x index)] of output (o, i, j)."""
    C, H, W, OH, OW, taps = conv2d_geom(ins, a)
    kh, kw = ins[1].shape[2:]
    return [(((o * C + c) * kh + u) * kw + v, (c * H + p) * W + q) for c in range(C) for (u, v, p, q) in taps(i, j)]


def conv2d_bounds(ins, a):
    x, w, b = ins
    _, _, _, OH, OW, _ = conv2d_geom(ins, a)
    lo, hi = [], []
    for o in range(w.shape[0]):
        for i in range(OH):
            for j in range(OW):
                l = h = b.values[o]
                for wi, xi in conv2d_terms(ins, a, o, i, j):
                    c = w.values[wi]
                    l += min(c * x.lo[xi], c * x.hi[xi])
                    h += max(c * x.lo[xi], c * x.hi[xi])
                lo.append(l)
                hi.append(h)
    return lo, hi


def conv2d_eval(v, ins, a):
    x, w, b = v
    _, _, _, OH, OW, _ = conv2d_geom(ins, a)
    return [b[o] + sum(w[wi] * x[xi] for wi, xi in conv2d_terms(ins, a, o, i, j))
            for o in range(len(b)) for i in range(OH) for j in range(OW)]


def pool_geom(ins, a, op):
    k = a["kernel"]
    need(len(k) == 2 and k[0] >= 1 and k[1] >= 1, "attribute_range", "%s kernel: 2 positive integers" % op)
    return window(ins[0], k, a, op)


def pool_index(ins, a, op):
    """[(output index, spatial index i*OW + j, [x indexes])]."""
    C, H, W, OH, OW, taps = pool_geom(ins, a, op)
    return [((c * OH + i) * OW + j, i * OW + j, [(c * H + p) * W + q for (_, _, p, q) in taps(i, j)])
            for c in range(C) for i in range(OH) for j in range(OW)]


def maxpool2d_check(ins, a):
    _arity(ins, 1, "maxpool2d")
    x = ins[0]
    nonconst(x, "maxpool2d x")
    C, H, W, OH, OW, _ = pool_geom(ins, a, "maxpool2d")
    return [C, OH, OW], x.scale


def maxpool2d_bounds(ins, a):
    x = ins[0]
    idx = pool_index(ins, a, "maxpool2d")
    return [max(x.lo[k] for k in ks) for _, _, ks in idx], [max(x.hi[k] for k in ks) for _, _, ks in idx]


def maxpool2d_eval(v, ins, a):
    return [max(v[0][k] for k in ks) for _, _, ks in pool_index(ins, a, "maxpool2d")]


def avgpool2d_check(ins, a):
    _arity(ins, 2, "avgpool2d")
    x, m = ins
    nonconst(x, "avgpool2d x")
    isconst(m, "avgpool2d mult")
    C, H, W, OH, OW, _ = pool_geom(ins, a, "avgpool2d")
    need(m.shape == [OH, OW], "shape", "avgpool2d mult must have shape [%d, %d]" % (OH, OW))
    need(all(e > 0 for e in m.values), "attribute_range", "avgpool2d mult values must be positive")
    return [C, OH, OW], x.scale + m.scale


def avgpool2d_bounds(ins, a):
    x, m = ins
    idx = pool_index(ins, a, "avgpool2d")
    return ([m.values[s] * sum(x.lo[k] for k in ks) for _, s, ks in idx],
            [m.values[s] * sum(x.hi[k] for k in ks) for _, s, ks in idx])


def avgpool2d_eval(v, ins, a):
    x, m = v
    return [m[s] * sum(x[k] for k in ks) for _, s, ks in pool_index(ins, a, "avgpool2d")]


def reshape_check(ins, a):
    _arity(ins, 1, "reshape")
    x = ins[0]
    nonconst(x, "reshape x")
    sh = a["shape"]
    need(1 <= len(sh) <= 8 and all(d >= 1 for d in sh), "shape", "reshape shape: 1 to 8 positive dimensions")
    n = 1
    for d in sh:
        n *= d
    need(n == x.size, "shape", "reshape shape %r does not hold x's %d elements" % (sh, x.size))
    return list(sh), x.scale


def reshape_bounds(ins, a):
    return list(ins[0].lo), list(ins[0].hi)


def reshape_eval(v, ins, a):
    return list(v[0])


Op = collections.namedtuple("Op", "attributes check bounds evaluate")
# THE registry. attributes: (key, type) in the order of the op's table ("int" or "ints").
OPS = {
    "dense": Op((), dense_check, dense_bounds, dense_eval),
    "rescale": Op((("shift", "int"),), rescale_check, rescale_bounds, rescale_eval),
    "argmax": Op((), argmax_check, argmax_bounds, argmax_eval),
    "split_bits": Op((("feature", "ints"),), split_bits_check, split_bits_bounds, split_bits_eval),
    "tree": Op((("bit", "ints"), ("le", "ints"), ("gt", "ints")), tree_check, tree_bounds, tree_eval),
    "weighted_sum": Op((), weighted_sum_check, weighted_sum_bounds, weighted_sum_eval),
    "relu": Op((), relu_check, relu_bounds, relu_eval),
    "conv2d": Op((("strides", "ints"), ("pads", "ints")), conv2d_check, conv2d_bounds, conv2d_eval),
    "avgpool2d": Op((("kernel", "ints"), ("strides", "ints"), ("pads", "ints")), avgpool2d_check, avgpool2d_bounds,
                    avgpool2d_eval),
    "maxpool2d": Op((("kernel", "ints"), ("strides", "ints"), ("pads", "ints")), maxpool2d_check, maxpool2d_bounds,
                    maxpool2d_eval),
    "reshape": Op((("shape", "ints"),), reshape_check, reshape_bounds, reshape_eval),
}


# ---------------------------------------------------------------------------------------------
# the reader

def _pairs(pairs):
    d = {}
    for k, v in pairs:
        need(k not in d, "duplicate_key", "the key %r appears twice in one object" % k)
        d[k] = v
    return d


def small_int(v):
    return type(v) is int and abs(v) <= 2 ** 31 - 1 and len(str(abs(v))) <= 9


def big_int(s, what):
    need(isinstance(s, str) and BIG_RE.fullmatch(s) is not None and s != "-0", "integer",
         "%s: %r is not a decimal integer string" % (what, s))
    v = int(s)
    need(abs(v) < LIMIT, "overflow", "%s: |%s| >= 2^248" % (what, s))
    return v


def big_list(xs, n, what):
    need(isinstance(xs, list) and len(xs) == n, "tensor_values", "%s must have %d entries" % (what, n))
    return [big_int(s, what) for s in xs]


Model = collections.namedtuple("Model", "doc tensors order inputs outputs ops commitments")


def read_bytes(data):
    """The document's bytes: UTF-8 without a byte order mark (docs/ir-format.md, "Encoding"), then read()."""
    need(not data.startswith(b"\xef\xbb\xbf"), "encoding", "the document starts with a byte order mark")
    # valid UTF-8, but JSON text never holds a raw NUL (not even in a string): UTF-16 or UTF-32
    need(b"\x00" not in data, "encoding", "a NUL byte (UTF-16 or UTF-32?)")
    try:
        text = data.decode("utf-8", errors="strict")  # RFC 3629: no overlong forms, surrogates, > U+10FFFF
    except UnicodeDecodeError as e:
        raise IrError("encoding", "not UTF-8: %s" % e)
    return read(text)


def read(text):
    """Parses and checks a version 2 document; returns a Model or raises IrError."""
    doc = json.loads(text, object_pairs_hook=_pairs)
    need(isinstance(doc, dict), "document", "not an object")
    need(doc.get("format") == "zkml-ir", "format", "format must be zkml-ir")
    need(type(doc.get("version")) is int and doc.get("version") == 2, "version",
         "unsupported version %r" % (doc.get("version"),))
    need(doc.get("field") == "bn254", "field", "field must be bn254")
    for k in ("tensors", "inputs", "ops", "outputs"):
        need(isinstance(doc.get(k), list), "document", "%s must be an array" % k)
    if "task" in doc:
        need(doc["task"] in ("classification", "regression"), "document", "unknown task")
    tensors, order = {}, []
    for t in doc["tensors"]:
        need(isinstance(t, dict), "tensor", "a tensor must be an object")
        role = t.get("role")
        need(role in ROLES, "role", "unknown role %r" % (role,))
        allowed = ["name", "role", "visibility", "shape", "scale"] + (
            ["values"] if role == "constant" else ["lo", "hi"])
        for k in t:
            need(k in allowed, "tensor_key", "unknown key %r in a %s tensor" % (k, role))
        for k in allowed:
            need(k in t, "tensor_key", "missing key %r in a %s tensor" % (k, role))
        name = t["name"]
        need(isinstance(name, str) and NAME_RE.fullmatch(name) is not None, "name", "bad name %r" % (name,))
        need(name not in tensors, "name", "tensor %s defined twice" % name)
        vis = t["visibility"]
        need(vis not in RESERVED[role], "visibility_reserved",
             "visibility %r of a %s is not supported yet" % (vis, role))
        need(vis in VISIBILITY[role], "visibility", "unknown visibility %r for a %s" % (vis, role))
        shape = t["shape"]
        need(isinstance(shape, list) and 1 <= len(shape) <= 8, "shape", "%s: 1 to 8 dimensions" % name)
        for d in shape:
            need(small_int(d) and d >= 1, "shape", "%s: every dimension is an integer >= 1" % name)
        need(small_int(t["scale"]) and -1024 <= t["scale"] <= 1024, "scale", "%s: scale in [-1024, 1024]" % name)
        tt = Tensor(name, role, vis, shape, t["scale"])
        need(tt.size <= MAX_ELEMENTS, "shape", "%s: more than 2^24 elements" % name)
        if role == "constant":
            tt.values = big_list(t["values"], tt.size, name + ".values")
            tt.lo = tt.hi = tt.values
        else:
            tt.lo = big_list(t["lo"], tt.size, name + ".lo")
            tt.hi = big_list(t["hi"], tt.size, name + ".hi")
            for l, h in zip(tt.lo, tt.hi):
                need(l <= h, "bounds", "%s: lo > hi" % name)
        tensors[name] = tt
        order.append(name)
    for key, role in (("inputs", "input"), ("outputs", "output")):
        names = doc[key]
        need(all(isinstance(n, str) for n in names), "io_list", "%s holds names" % key)
        need(len(set(names)) == len(names), "io_list", "%s names a tensor twice" % key)
        want = sorted(n for n in order if tensors[n].role == role)
        need(sorted(names) == want, "io_list", "%s must list exactly the %s tensors" % (key, role))
        need(len(names) >= 1, "io_list", "at least one %s" % role)
    defined = {n for n in order if tensors[n].role in ("input", "constant")}
    written, read_names, ops = set(), set(), []
    for op in doc["ops"]:
        need(isinstance(op, dict), "op", "an op must be an object")
        for k in op:
            need(k in ("op", "inputs", "outputs", "attributes"), "op_key", "unknown key %r in an op" % k)
        for k in ("op", "inputs", "outputs", "attributes"):
            need(k in op, "op_key", "missing key %r in an op" % k)
        spec = OPS.get(op["op"])
        need(spec is not None, "unknown_op", "unknown op %r" % (op["op"],))
        ins, outs = op["inputs"], op["outputs"]
        need(isinstance(ins, list) and isinstance(outs, list), "op", "inputs/outputs are arrays")
        for n in ins + outs:
            need(isinstance(n, str) and n in tensors, "unknown_tensor", "no tensor %r" % (n,))
        for n in ins:
            need(n in defined, "order", "%s reads %s before it is written" % (op["op"], n))
        need(len(outs) == 1, "arity", "%s writes exactly one tensor" % op["op"])
        out = tensors[outs[0]]
        need(out.role in ("intermediate", "output"), "write_role",
             "%s writes %s, a %s" % (op["op"], out.name, out.role))
        need(out.name not in written, "written_twice", "%s is written twice" % out.name)
        attrs = op["attributes"]
        need(isinstance(attrs, dict), "attribute_type", "attributes is an object")
        keys = [k for k, _ in spec.attributes]
        for k in attrs:
            need(k in keys, "unknown_attribute", "unknown attribute %r of %s" % (k, op["op"]))
        for k, typ in spec.attributes:
            need(k in attrs, "missing_attribute", "missing attribute %r of %s" % (k, op["op"]))
            v = attrs[k]
            if typ == "int":
                need(small_int(v), "attribute_type", "%s.%s must be an integer" % (op["op"], k))
            else:
                need(isinstance(v, list) and all(small_int(e) for e in v), "attribute_type",
                     "%s.%s must be an array of integers" % (op["op"], k))
        in_t = [tensors[n] for n in ins]
        shape, scale = spec.check(in_t, attrs)
        need(out.shape == shape, "shape", "%s: out shape %s, expected %s" % (op["op"], out.shape, shape))
        need(out.scale == scale, "scale", "%s: out scale %d, expected %d" % (op["op"], out.scale, scale))
        lo, hi = spec.bounds(in_t, attrs)
        need(out.lo == lo and out.hi == hi, "bounds", "%s: bounds of %s differ from the interval analysis"
             % (op["op"], out.name))
        written.add(out.name)
        defined.add(out.name)
        read_names.update(ins)
        ops.append((op["op"], list(ins), out.name, dict(attrs)))
    for n in doc["outputs"]:
        need(n in written, "output_unwritten", "output %s is written by no op" % n)
    for n in order:
        if tensors[n].const:
            need(n in read_names, "unused_constant", "constant %s is read by no op" % n)
    return Model(doc, tensors, order, list(doc["inputs"]), list(doc["outputs"]), ops,
                 read_commitments(doc, tensors))


def read_commitments(doc, tensors):
    """docs/ir-format.md, "Commitments": absent unless an input is hashed; then exactly one, of the
    inputs domain, over the hashed inputs in input order, each element at most 248 bits wide."""
    hashed = [n for n in doc["inputs"] if tensors[n].visibility == "hashed"]
    if "commitments" not in doc:
        need(not hashed, "commitment", "hashed inputs but no commitments")
        return []
    need(hashed, "commitment", "commitments but no hashed input")
    cs = doc["commitments"]
    need(isinstance(cs, list) and len(cs) == 1, "commitment", "exactly one commitment")
    c = cs[0]
    need(isinstance(c, dict), "commitment", "a commitment is an object")
    need(sorted(c) == ["domain", "name", "tensors"], "commitment", "keys name, domain, tensors")
    need(isinstance(c["name"], str) and NAME_RE.fullmatch(c["name"]) is not None, "commitment", "bad name")
    need(c["name"] not in tensors, "commitment", "the name of a tensor")
    need(c["domain"] == INPUTS_DOMAIN, "commitment", "unknown domain %r" % (c["domain"],))
    need(c["tensors"] == hashed, "commitment", "tensors must be the hashed inputs in input order")
    for n in hashed:
        t = tensors[n]
        for l, h in zip(t.lo, t.hi):
            need(bitlen(h - l) <= ELEMENT_BITS, "commitment", "%s: a hashed value wider than 248 bits" % n)
    return [(c["name"], c["domain"], list(c["tensors"]))]


# ---------------------------------------------------------------------------------------------
# Poseidon2 (docs/commitments.md): the permutation written from the spec's text, with the round
# keys of testdata/vectors/poseidon2.json (checked against its permutation and hash vectors).

with open(os.path.join(HERE, "..", "..", "vectors", "poseidon2.json")) as _f:
    P2_VECTORS = json.load(_f)
P2 = P2_VECTORS["poseidon2"]
ROUND_KEYS = [[int(k) for k in r] for r in P2["roundKeys"]]


def permute(a, b):
    """P(a, b): width 2, x^5, M_E = [[2,1],[1,2]], M_I = [[2,1],[1,3]], 3 + 50 + 3 rounds."""
    ext = lambda a, b: ((2 * a + b) % R, (a + 2 * b) % R)
    half, partial = P2["fullRounds"] // 2, P2["partialRounds"]
    a, b = ext(a, b)
    for i, keys in enumerate(ROUND_KEYS):
        if half <= i < half + partial:
            a = pow((a + keys[0]) % R, 5, R)
            a, b = (2 * a + b) % R, (a + 3 * b) % R
        else:
            a, b = pow((a + keys[0]) % R, 5, R), pow((b + keys[1]) % R, 5, R)
            a, b = ext(a, b)
    return a, b


def p2_hash(elems):
    """Merkle-Damgard: state 0; Compress(s, m) = P(s, m)[1] + m."""
    st = 0
    for m in elems:
        assert 0 <= m < R
        st = (permute(st, m)[1] + m) % R
    return st


def commitment(domain, lo, hi, values, salt):
    """Recipe v1: Hash([tag, packed..., salt]); widths bitlen(hi - lo), values offset by lo,
    greedy little-endian packing into 248-bit elements."""
    tag = int.from_bytes(domain.encode("ascii"), "big")
    packed, pos = [], ELEMENT_BITS
    for v, l, h in zip(values, lo, hi):
        w = bitlen(h - l)
        assert 0 <= v - l < 1 << w
        if pos + w > ELEMENT_BITS:
            packed.append(0)
            pos = 0
        packed[-1] += (v - l) << pos
        pos += w
    assert 0 <= salt < R
    return p2_hash([tag] + packed + [salt])


def poseidon2_self_check():
    for v in P2_VECTORS["permutation"]:
        assert [s(x) for x in permute(*[int(x) for x in v["in"]])] == v["out"], v
    for v in P2_VECTORS["hash"]:
        assert s(p2_hash([int(x) for x in v["in"]])) == v["out"], v
    for v in P2_VECTORS["commitments"]:
        lows = [int(x) for x in v["lows"]]
        his = [l + (1 << w) - 1 for l, w in zip(lows, v["widths"])]
        got = commitment(v["domain"], lows, his, [int(x) for x in v["values"]], int(v["salt"]))
        assert s(got) == v["commitment"], v["name"]


# ---------------------------------------------------------------------------------------------
# the generic graph evaluator

def run(model, flat):
    """flat: all input tensors flattened in input order. Returns (outputs flat, env)."""
    if len(flat) != sum(model.tensors[n].size for n in model.inputs):
        raise CaseError("wrong_input_count")
    env, pos = {}, 0
    for n in model.inputs:
        t = model.tensors[n]
        vals = flat[pos:pos + t.size]
        pos += t.size
        for v, l, h in zip(vals, t.lo, t.hi):
            if not l <= v <= h:
                raise CaseError("input_out_of_range")
        env[n] = vals
    for n in model.order:
        if model.tensors[n].const:
            env[n] = model.tensors[n].values
    for name, ins, out, attrs in model.ops:
        t = model.tensors[out]
        vals = OPS[name].evaluate([env[n] for n in ins], [model.tensors[n] for n in ins], attrs)
        assert len(vals) == t.size
        for v, l, h in zip(vals, t.lo, t.hi):  # self-check of the interval analysis
            assert l <= v <= h, "%s: %d not in [%d, %d]" % (out, v, l, h)
        env[out] = vals
    res = []
    for n in model.outputs:
        res += env[n]
    return res, env


# ---------------------------------------------------------------------------------------------
# the writer

def s(v):
    return str(v)


class Builder:
    """Builds a document; op() checks the op with the registry and computes the bounds."""

    def __init__(self, name, task, features, labels, source=None, quantization=None):
        self.name, self.task, self.features, self.labels = name, task, features, labels
        self.source, self.quantization = source, quantization
        self.tensors, self.by_name, self.inputs, self.outputs, self.ops = [], {}, [], [], []

    def _add(self, t):
        assert t.name not in self.by_name, t.name
        self.tensors.append(t)
        self.by_name[t.name] = t
        return t.name

    def input(self, name, shape, scale, lo, hi, visibility="public"):
        self.inputs.append(name)
        return self._add(Tensor(name, "input", visibility, shape, scale, list(lo), list(hi)))

    def const(self, name, shape, scale, values):
        return self._add(Tensor(name, "constant", "fixed", shape, scale, values=list(values)))

    def op(self, op, ins, out, attrs=None, role="intermediate"):
        attrs = dict(attrs or {})
        spec = OPS[op]
        attrs = {k: attrs[k] for k, _ in spec.attributes}  # canonical attribute order
        in_t = [self.by_name[n] for n in ins]
        shape, scale = spec.check(in_t, attrs)
        lo, hi = spec.bounds(in_t, attrs)
        self._add(Tensor(out, role, VISIBILITY[role][0], shape, scale, lo, hi))
        self.ops.append({"op": op, "inputs": list(ins), "outputs": [out], "attributes": attrs})
        return out

    def output_order(self, names):
        assert sorted(names) == sorted(t.name for t in self.tensors if t.role == "output")
        self.outputs = list(names)

    def input_order(self, names):
        assert sorted(names) == sorted(self.inputs)
        self.inputs = list(names)

    def doc(self):
        if not self.outputs:
            self.outputs = [t.name for t in self.tensors if t.role == "output"]
        d = collections.OrderedDict()
        d["format"] = "zkml-ir"
        d["version"] = 2
        d["field"] = "bn254"
        d["name"] = self.name
        d["task"] = self.task
        d["producer"] = dict(PRODUCER)
        if self.source is not None:
            d["source"] = self.source
        if self.quantization is not None:
            d["quantization"] = self.quantization
        d["features"] = list(self.features)
        d["labels"] = list(self.labels)
        ts = []
        for t in self.tensors:
            e = collections.OrderedDict()
            e["name"] = t.name
            e["role"] = t.role
            e["visibility"] = t.visibility
            e["shape"] = list(t.shape)
            e["scale"] = t.scale
            if t.const:
                e["values"] = [s(v) for v in t.values]
            else:
                e["lo"] = [s(v) for v in t.lo]
                e["hi"] = [s(v) for v in t.hi]
            ts.append(e)
        d["tensors"] = ts
        d["inputs"] = list(self.inputs)
        hashed = [n for n in self.inputs if self.by_name[n].visibility == "hashed"]
        if hashed:
            d["commitments"] = [collections.OrderedDict([("name", "input_commitment"),
                                                         ("domain", INPUTS_DOMAIN), ("tensors", hashed)])]
        d["ops"] = [collections.OrderedDict([("op", o["op"]), ("inputs", o["inputs"]),
                                             ("outputs", o["outputs"]), ("attributes", o["attributes"])])
                    for o in self.ops]
        d["outputs"] = list(self.outputs)
        return d


def dumps(obj):
    return json.dumps(obj, indent=2) + "\n"


def write(path, obj):
    with open(path, "w", newline="\n") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# trees, written as nested nodes (for the documents and the node-by-node walk)

class Leaf:
    def __init__(self, *row):
        self.row = list(row)


class Split:
    """key: (input element, threshold) for trees over split_bits, or a bit index."""

    def __init__(self, key, le, gt):
        self.key, self.le, self.gt = key, le, gt


def V(c, n=3):
    """A one-hot vote for class c of n."""
    return Leaf(*[1 if i == c else 0 for i in range(n)])


def tree_keys(node):
    if isinstance(node, Leaf):
        return []
    return [node.key] + tree_keys(node.le) + tree_keys(node.gt)


def flatten(root, bit_of, order="pre"):
    """(bit, le, gt, leaf rows): internal nodes numbered in pre-order or breadth-first order."""
    if isinstance(root, Leaf):
        return [], [], [], [root.row]
    internal, leaves = [], []
    if order == "pre":
        def visit(n):
            if isinstance(n, Leaf):
                leaves.append(n)
            else:
                internal.append(n)
                visit(n.le)
                visit(n.gt)
        visit(root)
    else:
        queue = [root]
        while queue:
            n = queue.pop(0)
            if isinstance(n, Leaf):
                leaves.append(n)
            else:
                internal.append(n)
                queue += [n.le, n.gt]
    nid = {id(n): i for i, n in enumerate(internal)}
    lid = {id(n): i for i, n in enumerate(leaves)}

    def ref(n):
        return -lid[id(n)] - 1 if isinstance(n, Leaf) else nid[id(n)]
    return ([bit_of(n.key) for n in internal], [ref(n.le) for n in internal],
            [ref(n.gt) for n in internal], [l.row for l in leaves])


def walk(node, test):
    """The leaf row reached node by node; test(key) -> bool (True: take gt)."""
    while isinstance(node, Split):
        node = node.gt if test(node.key) else node.le
    return node.row


# ---------------------------------------------------------------------------------------------
# the golden documents. Each entry: (Builder, extra points, direct(flat) -> expected outputs or
# None, tree checks [(tensor, root, test(flat, key))], thresholds {flat input index: [t, ...]})

GOLDEN = []


def gt_x(flat, key):
    f, t = key
    return flat[f] > t


def add_forest(g, x, trees, leaf_scale, prefix="tree", orders=None):
    """split_bits over all thresholds of the trees, then one tree op per tree."""
    keys = sorted({k for t in trees for k in tree_keys(t)})
    bit_index = {k: i for i, k in enumerate(keys)}
    g.const("thresholds", [len(keys)], g.by_name[x].scale, [t for _, t in keys])
    g.op("split_bits", [x, "thresholds"], "bits", {"feature": [f for f, _ in keys]})
    outs = []
    for i, root in enumerate(trees):
        bit, le, gt, rows = flatten(root, bit_index.__getitem__, (orders or {}).get(i, "pre"))
        k = len(rows[0])
        g.const("%s%d_leaves" % (prefix, i), [len(rows), k], leaf_scale, [v for r in rows for v in r])
        outs.append(g.op("tree", ["bits", "%s%d_leaves" % (prefix, i)], "%s%d_out" % (prefix, i),
                         {"bit": bit, "le": le, "gt": gt}))
    return keys, outs


def thresholds_of(keys):
    d = {}
    for f, t in keys:
        d.setdefault(f, []).append(t)
    return d


# tree-depth2: the spec's worked example --------------------------------------------------------
SPEC_EXAMPLE = {
    "format": "zkml-ir", "version": 2, "field": "bn254",
    "name": "tree-depth2", "task": "classification",
    "features": ["x0", "x1"], "labels": ["a", "b", "c"],
    "tensors": [
        {"name": "x", "role": "input", "visibility": "public", "shape": [2], "scale": 4,
         "lo": ["-64", "-64"], "hi": ["64", "64"]},
        {"name": "thresholds", "role": "constant", "visibility": "fixed", "shape": [3], "scale": 4,
         "values": ["24", "-4", "32"]},
        {"name": "bits", "role": "intermediate", "visibility": "private", "shape": [3], "scale": 0,
         "lo": ["0", "0", "0"], "hi": ["1", "1", "1"]},
        {"name": "leaves", "role": "constant", "visibility": "fixed", "shape": [4, 1], "scale": 0,
         "values": ["0", "1", "1", "2"]},
        {"name": "label", "role": "output", "visibility": "public", "shape": [1], "scale": 0,
         "lo": ["0"], "hi": ["2"]}
    ],
    "inputs": ["x"],
    "ops": [
        {"op": "split_bits", "inputs": ["x", "thresholds"], "outputs": ["bits"],
         "attributes": {"feature": [0, 1, 1]}},
        {"op": "tree", "inputs": ["bits", "leaves"], "outputs": ["label"],
         "attributes": {"bit": [0, 1, 2], "le": [1, -1, -3], "gt": [2, -2, -4]}}
    ],
    "outputs": ["label"]
}


def tree_depth2(visibility="public"):
    name = "tree-depth2" if visibility == "public" else "tree-depth2-" + visibility
    g = Builder(name, "classification", ["x0", "x1"], ["a", "b", "c"])
    g.input("x", [2], 4, [-64, -64], [64, 64], visibility)
    root = Split((0, 24), Split((1, -4), Leaf(0), Leaf(1)), Split((1, 32), Leaf(1), Leaf(2)))
    keys = sorted(set(tree_keys(root)))
    bit_index = {k: i for i, k in enumerate(keys)}
    g.const("thresholds", [3], 4, [t for _, t in keys])
    g.op("split_bits", ["x", "thresholds"], "bits", {"feature": [f for f, _ in keys]})
    bit, le, gt, rows = flatten(root, bit_index.__getitem__)
    g.const("leaves", [len(rows), 1], 0, [v for r in rows for v in r])
    g.op("tree", ["bits", "leaves"], "label", {"bit": bit, "le": le, "gt": gt}, role="output")
    direct = lambda flat: walk(root, lambda k: gt_x(flat, k))
    return g, [[24, 33]], direct, [("label", root, gt_x)], thresholds_of(keys)


# voting forest ------------------------------------------------------------------------------
def voting_forest():
    labels = ["red", "green", "blue"]
    g = Builder("voting-forest", "classification", ["f0", "f1", "f2", "f3"], labels,
                quantization={"inputScale": 3, "leafScale": 0, "method": "golden"})
    lo, hi = [0, -40, -100, 0], [80, 40, 100, 7]
    g.input("x", [4], 3, lo, hi)
    trees = [
        V(2),                                                            # depth 0, N = 0
        Split((0, 40), V(0), V(1)),                                      # depth 1
        Split((1, 0), Split((2, -20), V(0), V(2)), Split((2, 30), V(1), V(2))),   # depth 2, full
        Split((2, 30), V(1), Split((0, 20), V(2), Split((3, 3), V(0), V(1)))),    # depth 3
        Split((3, 5), Split((1, -10), V(1), V(0)), V(2)),                # depth 2, weight 2
    ]
    weights = [1, 1, 1, 1, 2]
    keys, outs = add_forest(g, "x", trees, 0, orders={3: "bfs", 4: "bfs"})
    g.const("weights", [len(weights)], 0, weights)
    g.op("weighted_sum", ["weights"] + outs, "votes")
    g.op("argmax", ["votes"], "label", role="output")

    def direct(flat):
        votes = [0, 0, 0]
        for w, root in zip(weights, trees):
            for c, v in enumerate(walk(root, lambda k: gt_x(flat, k))):
                votes[c] += w * v
        best = max(votes)
        return [min(c for c in range(3) if votes[c] == best)]
    extra = [[40, 0, 30, 5], [41, 1, -19, 3], [20, 0, -20, 4], [21, -10, 31, 3], [0, 0, 0, 0]]
    checks = [(o, t, gt_x) for o, t in zip(outs, trees)]
    return g, extra, direct, checks, thresholds_of(keys)


# regression forests -------------------------------------------------------------------------
REG_TREES = lambda: [
    Split((0, -16), Leaf(-100, 40), Split((1, 128), Leaf(25, -64), Leaf(90, 7))),
    Split((2, 0), Split((0, 48), Leaf(-3, -200), Leaf(12, 0)),
          Split((2, 40), Leaf(64, 64), Split((1, 200), Leaf(-128, 1), Leaf(0, -1)))),
    Split((1, 16), Leaf(-50, 33), Leaf(77, -45)),
]


def regression_forest(rescaled):
    name = "regression-forest-rescaled" if rescaled else "regression-forest"
    src = None if rescaled else {"format": "tribuo",
                                 "sha256": "0" * 63 + "1",
                                 "modelClass": "org.tribuo.common.tree.TreeModel"}
    g = Builder(name, "regression", ["u", "v", "w"], ["mean", "spread"], source=src)
    lo, hi = [-160, 0, -32], [160, 255, 96]
    g.input("x", [3], 4, lo, hi)
    trees = REG_TREES()
    weights = [5, 5, 6]  # at scale 4: 5/16 + 5/16 + 6/16 = 1 (a normalised average)
    keys, outs = add_forest(g, "x", trees, 6, orders={1: "bfs"})
    g.const("weights", [3], 4, weights)
    shift = 6
    if rescaled:
        g.op("weighted_sum", ["weights"] + outs, "sum")
        g.op("rescale", ["sum"], "y", {"shift": shift}, role="output")
    else:
        g.op("weighted_sum", ["weights"] + outs, "y", role="output")

    def direct(flat):
        acc = [0, 0]
        for w, root in zip(weights, trees):
            for c, v in enumerate(walk(root, lambda k: gt_x(flat, k))):
                acc[c] += w * v
        return [a // (1 << shift) for a in acc] if rescaled else acc
    checks = [(o, t, gt_x) for o, t in zip(outs, trees)]
    return g, [[-16, 128, 0], [-15, 129, 1], [48, 200, 40]], direct, checks, thresholds_of(keys)


# split edge cases ---------------------------------------------------------------------------
def split_edges():
    lo, hi = [-20, 0, 10, -7, -100], [20, 100, 15, -7, -50]
    ths = {
        0: [-30, -21, -20, -5, 0, 1, 19, 20, 25],  # below lo, lo-1, lo, negative, t/t+1, hi-1, hi, above hi
        # 1: no thresholds at all
        2: [3, 9, 15, 40],  # exactly one non-empty interval ([10, 15]): every bit constant
        3: [-8, -7],  # lo = hi: constant bits
        4: [-75, -74, -51],  # negative range, adjacent thresholds
    }
    keys = sorted((f, t) for f, ts in ths.items() for t in ts)
    bit_index = {k: i for i, k in enumerate(keys)}
    labels = ["x%d>%d" % k for k in keys] + ["value"]
    g = Builder("split-edges", "regression", ["a", "b", "c", "d", "e"], labels)
    g.input("x", [5], 2, lo, hi)
    g.const("thresholds", [len(keys)], 2, [t for _, t in keys])
    g.op("split_bits", ["x", "thresholds"], "bits", {"feature": [f for f, _ in keys]}, role="output")
    root = Split((0, 0),
                 Split((4, -75), Leaf(-3), Split((0, 25), Leaf(-1), Leaf(-100))),
                 Split((2, 9), Leaf(5), Split((0, 1), Leaf(7), Split((3, -8), Leaf(-9), Leaf(11)))))
    bit, le, gt, rows = flatten(root, bit_index.__getitem__)
    g.const("leaves", [len(rows), 1], 2, [v for r in rows for v in r])
    g.op("tree", ["bits", "leaves"], "value", {"bit": bit, "le": le, "gt": gt}, role="output")

    # the spec's interval count E per feature: f2 and f3 decide all their bits (E = 1)
    def E(f):
        return sum(1 for l, u in split_intervals(lo[f], hi[f], ths[f]) if l <= u)
    assert (E(0), E(2), E(3), E(4)) == (6, 1, 1, 4), (E(0), E(2), E(3), E(4))
    bt = g.by_name["bits"]
    assert [bt.lo[bit_index[(2, t)]] for t in ths[2]] == [1, 1, 0, 0] == [bt.hi[bit_index[(2, t)]] for t in ths[2]]
    assert (bt.lo[bit_index[(0, -30)]], bt.hi[bit_index[(0, -30)]]) == (1, 1)   # below lo: constant 1
    assert (bt.lo[bit_index[(0, -21)]], bt.hi[bit_index[(0, -21)]]) == (1, 1)   # lo - 1: constant 1
    assert (bt.lo[bit_index[(0, -20)]], bt.hi[bit_index[(0, -20)]]) == (0, 1)   # at lo: not constant
    assert (bt.lo[bit_index[(0, 20)]], bt.hi[bit_index[(0, 20)]]) == (0, 0)     # at hi: constant 0
    assert (bt.lo[bit_index[(0, 25)]], bt.hi[bit_index[(0, 25)]]) == (0, 0)     # above hi: constant 0

    def direct(flat):
        return [1 if flat[f] > t else 0 for f, t in keys] + walk(root, lambda k: gt_x(flat, k))
    return g, [[0, 50, 12, -7, -75], [1, 0, 10, -7, -74]], direct, [("value", root, gt_x)], ths


# linear documents: the v1 golden models re-expressed in v2 (= their lifted graphs) ---------------
def linear(v1name, visibility="public"):
    with open(os.path.join(HERE, "..", "ir-v1", v1name + ".ir.json")) as f:
        v1 = json.load(f)
    with open(os.path.join(HERE, "..", "ir-v1", v1name + ".cases.json")) as f:
        v1cases = json.load(f)
    assert v1["version"] == 1 and v1["inputs"] == ["x"]
    suffix = "" if visibility == "public" else "-" + visibility
    g = Builder("linear-" + v1name + suffix, v1["task"], v1["features"], v1["labels"])
    tv1 = {t["name"]: t for t in v1["tensors"]}
    x = tv1["x"]
    g.input("x", [x["size"]], x["scale"], [int(v) for v in x["lo"]], [int(v) for v in x["hi"]], visibility)
    for op in v1["ops"]:
        out = op["out"]
        role = "output" if out in v1["outputs"] else "intermediate"
        if op["op"] == "dense":
            W = [[int(w) for w in r] for r in op["weights"]]
            g.const(out + "_weight", [len(W), len(W[0])], op["weightScale"], [w for r in W for w in r])
            g.const(out + "_bias", [len(W)], tv1[out]["scale"], [int(b) for b in op["bias"]])
            g.op("dense", [op["in"], out + "_weight", out + "_bias"], out, role=role)
        elif op["op"] == "rescale":
            g.op("rescale", [op["in"]], out, {"shift": op["shift"]}, role=role)
        else:
            g.op("argmax", [op["in"]], out, role=role)
    # the lifted graph has the v1 bounds
    for t in v1["tensors"]:
        bt = g.by_name[t["name"]]
        assert [s(v) for v in bt.lo] == t["lo"] and [s(v) for v in bt.hi] == t["hi"], t["name"]
    expected = {tuple(int(v) for v in c["input"]): [int(v) for v in c["output"]] for c in v1cases["cases"]}
    def direct(flat):  # v1 semantics straight from the v1 document (its ops, inline constants)
        env = {"x": list(flat)}
        for op in v1["ops"]:
            a = env[op["in"]]
            if op["op"] == "dense":
                env[op["out"]] = [int(bj) + sum(int(w) * v for w, v in zip(row, a))
                                  for row, bj in zip(op["weights"], op["bias"])]
            elif op["op"] == "rescale":
                env[op["out"]] = [v // (1 << op["shift"]) for v in a]
            else:
                env[op["out"]] = [min(i for i, v in enumerate(a) if v == max(a))]
        res = env[v1["outputs"][0]]
        if tuple(flat) in expected:  # and the committed v1 cases agree
            assert expected[tuple(flat)] == res
        return res
    return g, [list(k) for k in expected], direct, [], {}


# two inputs, two (three) outputs ------------------------------------------------------------
def multi_io(vis_b="public"):
    name = "multi-io" if vis_b == "public" else "multi-io-" + vis_b
    g = Builder(name, "regression", ["b0", "b1", "b2", "a0", "a1"], ["label", "y0", "y1", "s0", "s1", "s2"])
    g.input("a", [2], 2, [-50, 0], [50, 9])
    g.const("a_weight", [2, 2], 3, [7, -1, -2, 5])
    g.const("a_bias", [2], 5, [-3, 11])
    g.op("dense", ["a", "a_weight", "a_bias"], "acc_a")
    g.op("rescale", ["acc_a"], "y", {"shift": 0}, role="output")           # shift 0: the identity
    g.op("rescale", ["acc_a"], "acc_a_coarse", {"shift": 3})              # written, never read
    g.input("b", [3], 0, [-5, -5, 0], [5, 5, 3], vis_b)
    g.const("b_weight", [3, 3], 1, [1, 1, 0, -1, 2, 1, 0, 0, 3])
    g.const("b_bias", [3], 1, [0, 1, -1])
    g.op("dense", ["b", "b_weight", "b_bias"], "scores", role="output")   # an output read later
    g.op("argmax", ["scores"], "label", role="output")
    g.input_order(["b", "a"])                       # public-input order != tensor order
    g.output_order(["label", "y", "scores"])

    def direct(flat):
        b, a = flat[:3], flat[3:]
        y = [-3 + 7 * a[0] - a[1], 11 - 2 * a[0] + 5 * a[1]]
        sc = [b[0] + b[1], 1 - b[0] + 2 * b[1] + b[2], -1 + 3 * b[2]]
        return [sc.index(max(sc))] + y + sc
    return g, [[0, 0, 0, 0, 0], [1, 0, 0, 0, 0], [-1, 1, 2, 1, 1]], direct, [], {}


# a tree over input bits; a one-leaf tree; argmax over one element; a negative weight --------
def tree_input_bits():
    g = Builder("tree-input-bits", "regression", ["p", "q", "r", "s", "t", "one"],
                ["value0", "value1", "mix0", "mix1", "zero"])
    g.input("bits", [6], 0, [0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1])   # bits[5] is the constant 1
    # t0: the le child of the node on bits[5] is unreachable (its leaf still counts in the bounds)
    t0 = Split(0, Split(1, Leaf(-8, 3), Leaf(2, -1)),
               Split(5, Leaf(100, 100), Split(2, Leaf(-7, 0), Leaf(1, 1))))
    t1 = Split(3, Leaf(4, 4), Split(4, Leaf(-2, 9), Split(1, Leaf(6, -6), Leaf(0, 5))))
    t2 = Leaf(-5)
    outs = []
    for i, (root, order) in enumerate(((t0, "bfs"), (t1, "pre"), (t2, "pre"))):
        bit, le, gt, rows = flatten(root, lambda k: k, order)
        g.const("t%d_leaves" % i, [len(rows), len(rows[0])], 3 if i < 2 else 0, [v for r in rows for v in r])
        outs.append(g.op("tree", ["bits", "t%d_leaves" % i], "t%d_out" % i, {"bit": bit, "le": le, "gt": gt},
                         role="output" if i == 0 else "intermediate"))
    g.const("weights", [2], 1, [3, -2])
    g.op("weighted_sum", ["weights", "t0_out", "t1_out"], "mix", role="output")
    g.op("argmax", ["t2_out"], "zero", role="output")   # n = 1: always 0
    g.output_order(["t0_out", "mix", "zero"])
    test = lambda flat, k: flat[k] == 1

    def direct(flat):
        a = walk(t0, lambda k: flat[k] == 1)
        b = walk(t1, lambda k: flat[k] == 1)
        return a + [3 * a[i] - 2 * b[i] for i in range(2)] + [0]
    return g, [], direct, [("t0_out", t0, test), ("t1_out", t1, test), ("t2_out", t2, test)], {}


# hashed inputs that spill into a second packed element ----------------------------------------
def hashed_spill():
    """40 signed bytes (8 bits each: 31 fill the first 248-bit element, 9 spill into a second) and
    one 248-bit-wide value (the widest a hashed value may be: a third element of its own)."""
    n = 40
    feats = ["f%d" % i for i in range(n)]
    g = Builder("hashed-spill", "regression", feats + ["big"], ["label", "big_coarse"])
    g.input("x", [n], 0, [-128] * n, [127] * n, "hashed")
    m = (1 << 247) - 1
    g.input("big", [1], 0, [-m - 1], [m], "hashed")        # hi - lo = 2^248 - 1: 248 bits
    g.const("w", [2, n], 0, [((i * 7 + j * 3) % 5) - 2 for j in range(2) for i in range(n)])
    g.const("b", [2], 0, [0, 1])
    g.op("dense", ["x", "w", "b"], "acc")
    g.op("argmax", ["acc"], "label", role="output")
    g.op("rescale", ["big"], "big_coarse", {"shift": 120}, role="output")

    def direct(flat):
        x = flat[:n]
        acc = [sum((((i * 7 + j * 3) % 5) - 2) * x[i] for i in range(n)) + j for j in range(2)]
        return [acc.index(max(acc)), flat[n] >> 120]
    return g, [[-128] * n + [m], [127] * n + [-m - 1]], direct, [], {}


# bounds at the limit: |v| = 2^248 - 1 -------------------------------------------------------
def bounds_limit():
    m = LIMIT - 1
    g = Builder("bounds-limit", "regression", ["big", "small"], ["y0", "y1", "b0", "b1", "b2", "b3"])
    g.input("x", [2], 0, [-m, 0], [m, 5])
    g.op("rescale", ["x"], "y", {"shift": 8}, role="output")
    ths = {0: [-m, 0, m - 1], 1: [2]}
    keys = sorted((f, t) for f, ts in ths.items() for t in ts)
    g.const("thresholds", [len(keys)], 0, [t for _, t in keys])
    g.op("split_bits", ["x", "thresholds"], "bits", {"feature": [f for f, _ in keys]}, role="output")

    def direct(flat):
        return [v >> 8 for v in flat] + [1 if flat[f] > t else 0 for f, t in keys]
    return g, [[m - 1, 2], [-m + 1, 3], [-1, 0], [1 << 247, 4]], direct, [], ths


# a small MLP: dense -> rescale -> relu -> dense -> argmax (classifier) and a relu output -------
def mlp_relu():
    g = Builder("mlp-relu", "regression", ["a", "b", "c"], ["label", "h0", "h1", "h2", "h3"])
    g.input("x", [3], 2, [-12, -8, 0], [12, 8, 5])
    # hidden unit 0 and 3: mixed signs (the gadget); unit 1: bias keeps it >= 0 (identity);
    # unit 2: always <= 0 (the constant 0)
    g.const("w1", [4, 3], 2, [3, -2, 1,   1, 1, 0,   -1, -1, -4,   0, 5, -3])
    g.const("b1", [4], 4, [2, 400, -300, -1])
    g.op("dense", ["x", "w1", "b1"], "acc1")
    g.op("rescale", ["acc1"], "h_pre", {"shift": 2})
    g.op("relu", ["h_pre"], "h", role="output")
    g.const("w2", [3, 4], 1, [1, -1, 2, 0,   -2, 1, 0, 1,   0, 0, 1, -1])
    g.const("b2", [3], 3, [0, 5, -5])
    g.op("dense", ["h", "w2", "b2"], "scores")
    g.op("argmax", ["scores"], "label", role="output")
    g.output_order(["label", "h"])

    def direct(flat):
        x = flat
        w1 = [[3, -2, 1], [1, 1, 0], [-1, -1, -4], [0, 5, -3]]
        b1 = [2, 400, -300, -1]
        h = [max((b1[j] + sum(w1[j][i] * x[i] for i in range(3))) // 4, 0) for j in range(4)]
        w2 = [[1, -1, 2, 0], [-2, 1, 0, 1], [0, 0, 1, -1]]
        b2 = [0, 5, -5]
        sc = [b2[k] + sum(w2[k][j] * h[j] for j in range(4)) for k in range(3)]
        return [sc.index(max(sc))] + h
    # x such that h_pre[0] is exactly 0 and exactly -1 (the boundary of the sign check)
    extra = [[0, 1, 0], [0, 0, 0], [-1, 0, 1], [1, 2, 0], [12, -8, 5], [-12, 8, 0]]
    return g, extra, direct, [], {}


# relu alone on an input: every sign, the bounds at the boundary (hi = 0, lo = 0, lo = -1) -------
def relu_edges():
    g = Builder("relu-edges", "regression", ["p", "q", "r", "s", "t"], ["y0", "y1", "y2", "y3", "y4"])
    g.input("x", [5], 3, [-7, 0, -5, -1, -(1 << 200)], [9, 6, 0, 1 << 20, (1 << 200) + 1])
    g.op("relu", ["x"], "y", role="output")

    def direct(flat):
        return [max(v, 0) for v in flat]
    return g, [[0, 0, 0, 0, 0], [-1, 1, -1, -1, -1], [1, 0, -5, 0, 1]], direct, [], {}


# a small CNN: conv2d (strides, asymmetric pads) -> rescale -> relu -> maxpool2d (border windows of
# 2 to 6 taps, and of 1 tap) -> avgpool2d (count_include_pad = 0: per-position multipliers) ->
# reshape -> dense -> argmax; and a maxpool2d of the signed pre-activation as an output ----------
def _direct_conv(x, C, H, W, w, M, KH, KW, b, st, pd):
    OH = (H + pd[0] + pd[2] - KH) // st[0] + 1
    OW = (W + pd[1] + pd[3] - KW) // st[1] + 1
    out = []
    for o in range(M):
        for i in range(OH):
            for j in range(OW):
                acc = b[o]
                for c in range(C):
                    for u in range(KH):
                        for v in range(KW):
                            p, q = i * st[0] - pd[0] + u, j * st[1] - pd[1] + v
                            if 0 <= p < H and 0 <= q < W:
                                acc += w[((o * C + c) * KH + u) * KW + v] * x[(c * H + p) * W + q]
                out.append(acc)
    return out, OH, OW


def _direct_pool(x, C, H, W, K, st, pd, f):
    OH = (H + pd[0] + pd[2] - K[0]) // st[0] + 1
    OW = (W + pd[1] + pd[3] - K[1]) // st[1] + 1
    out = []
    for c in range(C):
        for i in range(OH):
            for j in range(OW):
                win = [x[(c * H + p) * W + q] for p in range(i * st[0] - pd[0], i * st[0] - pd[0] + K[0])
                       for q in range(j * st[1] - pd[1], j * st[1] - pd[1] + K[1]) if 0 <= p < H and 0 <= q < W]
                out.append(f(win, i, j))
    return out, OH, OW


def cnn_conv_pool():
    C, H, W, M = 2, 5, 5, 3
    n = C * H * W
    g = Builder("cnn-conv-pool", "regression", ["x%d" % i for i in range(n)], ["label"] + ["zmax%d" % i for i in range(18)])
    lo = [-4 + (i % 3) for i in range(n)]
    hi = [3 + (i % 4) for i in range(n)]
    g.input("x", [C, H, W], 1, lo, hi)
    w = [((k * 5 + 3) % 7) - 3 for k in range(M * C * 9)]   # in [-3, 3], zeros included
    b = [5, -7, 0]
    g.const("cw", [M, C, 3, 3], 2, w)
    g.const("cb", [M], 3, b)
    st, pd = [2, 1], [1, 0, 2, 1]
    g.op("conv2d", ["x", "cw", "cb"], "acc", {"strides": st, "pads": pd})
    g.op("rescale", ["acc"], "z", {"shift": 3})
    g.op("maxpool2d", ["z"], "zmax", {"kernel": [2, 2], "strides": [1, 1], "pads": [0, 0, 0, 0]}, role="output")
    g.op("relu", ["z"], "h")
    g.op("maxpool2d", ["h"], "m1", {"kernel": [2, 3], "strides": [1, 1], "pads": [1, 1, 0, 1]})
    g.op("maxpool2d", ["m1"], "m2", {"kernel": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1]})
    # avgpool over [3, 2, 3], kernel 2x2, pads bottom/right 1: counts [[4, 4, 2], [2, 2, 1]]; mult = 4 / count at scale 2
    g.const("am", [2, 3], 2, [1, 1, 2, 2, 2, 4])
    g.op("avgpool2d", ["m2", "am"], "a", {"kernel": [2, 2], "strides": [1, 1], "pads": [0, 0, 1, 1]})
    g.op("reshape", ["a"], "flat", {"shape": [18]})
    dw = [((k * 3 + 1) % 5) - 2 for k in range(3 * 18)]
    g.const("dw", [3, 18], 1, dw)
    g.const("db", [3], 3, [1, 0, -1])
    g.op("dense", ["flat", "dw", "db"], "scores")
    g.op("argmax", ["scores"], "label", role="output")
    g.output_order(["label", "zmax"])

    def direct(flat):
        acc, OH, OW = _direct_conv(flat, C, H, W, w, M, 3, 3, b, st, pd)
        z = [v >> 3 for v in acc]
        zmax, _, _ = _direct_pool(z, M, OH, OW, [2, 2], [1, 1], [0, 0, 0, 0], lambda win, i, j: max(win))
        h = [max(v, 0) for v in z]
        m1, H1, W1 = _direct_pool(h, M, OH, OW, [2, 3], [1, 1], [1, 1, 0, 1], lambda win, i, j: max(win))
        m2, H2, W2 = _direct_pool(m1, M, H1, W1, [2, 2], [2, 2], [1, 1, 1, 1], lambda win, i, j: max(win))
        am = [1, 1, 2, 2, 2, 4]
        a, _, _ = _direct_pool(m2, M, H2, W2, [2, 2], [1, 1], [0, 0, 1, 1], lambda win, i, j: am[i * 3 + j] * sum(win))
        assert len(a) == 18
        sc = [[1, 0, -1][k] + sum(dw[k * 18 + t] * a[t] for t in range(18)) for k in range(3)]
        return [sc.index(max(sc))] + zmax
    extra = [[0] * n, [(l + h) // 2 for l, h in zip(lo, hi)]]
    return g, extra, direct, [], {}


# maxpool2d alone: windows of 1, 2 and 4 taps (kernel 2x2, pads 1 all round), every sign, a
# constant element (lo = hi), 200-bit ranges, ties ---------------------------------------------
def maxpool_edges():
    big = 1 << 200
    g = Builder("maxpool-edges", "regression", ["p%d" % i for i in range(6)], ["y%d" % i for i in range(12)])
    g.input("x", [1, 2, 3], 0, [-7, -big, 5, -10, 0, -1], [9, big + 1, 5, -3, 1, 0])
    g.op("maxpool2d", ["x"], "y", {"kernel": [2, 2], "strides": [1, 1], "pads": [1, 1, 1, 1]}, role="output")

    def direct(flat):
        out, _, _ = _direct_pool(flat, 1, 2, 3, [2, 2], [1, 1], [1, 1, 1, 1], lambda win, i, j: max(win))
        return out
    extra = [[0, 0, 5, -3, 0, 0], [-7, -big, 5, -10, 0, -1], [9, big + 1, 5, -3, 1, 0], [5, 5, 5, -3, 1, 0],
             [-1, -1, 5, -4, 0, -1], [-7, 3, 5, -10, 1, -1]]
    return g, extra, direct, [], {}


# ---------------------------------------------------------------------------------------------
# cases

def points(model, extra, ths, rnd):
    lo, hi = [], []
    for n in model.inputs:
        lo += model.tensors[n].lo
        hi += model.tensors[n].hi
    n = len(lo)

    def rand():
        return [rnd.randint(l, h) for l, h in zip(lo, hi)]
    pts = [list(p) for p in extra]
    pts += [list(lo), list(hi)]
    if n <= 5:  # every corner
        for mask in range(1 << n):
            pts.append([hi[i] if mask >> i & 1 else lo[i] for i in range(n)])
    else:
        pts.append([hi[i] if i % 2 else lo[i] for i in range(n)])
        pts.append([lo[i] if i % 2 else hi[i] for i in range(n)])
    pts.append([(l + h) // 2 for l, h in zip(lo, hi)])
    domain = 1
    for l, h in zip(lo, hi):
        domain *= h - l + 1
    if domain <= 64:  # a small input domain: every point of it
        for i in range(domain):
            p, r = [], i
            for l, h in zip(lo, hi):
                p.append(l + r % (h - l + 1))
                r //= h - l + 1
            pts.append(p)
    for f in sorted(ths):  # every threshold, threshold - 1, threshold + 1 (where in range)
        for t in ths[f]:
            for d in (0, -1, 1):
                if lo[f] <= t + d <= hi[f]:
                    p = rand()
                    p[f] = t + d
                    pts.append(p)
    while len(pts) < 40 + len(extra):
        pts.append(rand())
    for _ in range(12):
        pts.append(rand())
    seen, res = set(), []
    for p in pts:
        if tuple(p) not in seen:
            seen.add(tuple(p))
            res.append(p)
    return res, lo, hi


def check_case(model, flat, out, env, direct, checks):
    exp = direct(flat)
    if exp is not None:
        assert exp == out, (model.doc["name"], flat, exp, out)
    for tname, root, test in checks:
        assert env[tname] == walk(root, lambda k: test(flat, k)), (model.doc["name"], tname, flat)
    for name, ins, o, attrs in model.ops:  # split_bits: the gadget's bits are the comparisons
        if name == "split_bits":
            x, th = env[ins[0]], env[ins[1]]
            assert env[o] == [1 if x[f] > th[k] else 0 for k, f in enumerate(attrs["feature"])]


def make_cases(model, extra, direct, checks, ths):
    rnd = random.Random("ir-v2:" + model.doc["name"])
    pts, lo, hi = points(model, extra, ths, rnd)
    cases = []
    for k, p in enumerate(pts):
        out, env = run(model, p)
        check_case(model, p, out, env, direct, checks)
        case = collections.OrderedDict([("input", [s(v) for v in p]), ("output", [s(v) for v in out])])
        for name, domain, tensors in model.commitments:  # hashed inputs: a salt and the commitment
            salt = [0, R - 1][k] if k < 2 else rnd.randrange(R)
            lo_c, hi_c, vals = [], [], []
            for n in tensors:
                lo_c += model.tensors[n].lo
                hi_c += model.tensors[n].hi
                vals += env[n]
            case["salt"] = s(salt)
            case["commitment"] = s(commitment(domain, lo_c, hi_c, vals, salt))
        cases.append(case)
    invalid = [{"input": [s(v) for v in lo[:-1]], "error": "wrong_input_count"},
               {"input": [s(v) for v in lo + [lo[-1]]], "error": "wrong_input_count"}]
    for i in range(len(lo)):
        p = list(lo)
        p[i] = lo[i] - 1
        invalid.append({"input": [s(v) for v in p], "error": "input_out_of_range"})
        p = list(hi)
        p[i] = hi[i] + 1
        invalid.append({"input": [s(v) for v in p], "error": "input_out_of_range"})
    for c in invalid:
        try:
            run(model, [int(v) for v in c["input"]])
            raise AssertionError("accepted an invalid case")
        except CaseError as e:
            assert e.code == c["error"]
    return {"ir": model.doc["name"] + ".ir.json", "cases": cases, "invalid": invalid}


# ---------------------------------------------------------------------------------------------
# invalid documents: (file, rule, base document, mutation, the rule code read() must report)

def T(d, name):
    return next(t for t in d["tensors"] if t["name"] == name)


def O(d, out):
    return next(o for o in d["ops"] if o["outputs"][0] == out)


def base_tree():
    return json.loads(dumps(tree_depth2()[0].doc()), object_pairs_hook=collections.OrderedDict)


def base_linear():
    g = Builder("invalid-linear", "regression", ["u", "v"], ["y0", "y1"])
    g.input("x", [2], 2, [-8, -8], [8, 8])
    g.const("weight", [2, 2], 1, [1, -2, 3, 0])
    g.const("bias", [2], 3, [1, -1])
    g.op("dense", ["x", "weight", "bias"], "acc")
    g.op("rescale", ["acc"], "y", {"shift": 1}, role="output")
    return json.loads(dumps(g.doc()), object_pairs_hook=collections.OrderedDict)


def base_ws():
    g = Builder("invalid-weighted-sum", "regression", ["u", "v"], ["y"])
    g.input("x", [2], 0, [-10, 0], [10, 10])
    add_forest(g, "x", [Split((0, 0), Leaf(1), Leaf(-1)), Split((1, 5), Leaf(2), Leaf(3))], 0)
    g.const("weights", [2], 0, [1, 2])
    g.op("weighted_sum", ["weights", "tree0_out", "tree1_out"], "y", role="output")
    return json.loads(dumps(g.doc()), object_pairs_hook=collections.OrderedDict)


def base_two_inputs():
    g = Builder("invalid-two-inputs", "regression", ["a0", "b0"], ["ya", "yb"])
    g.input("a", [1], 0, [0], [3])
    g.input("b", [1], 0, [0], [3])
    g.const("a_weight", [1, 1], 0, [2])
    g.const("a_bias", [1], 0, [0])
    g.const("b_weight", [1, 1], 0, [3])
    g.const("b_bias", [1], 0, [1])
    g.op("dense", ["a", "a_weight", "a_bias"], "ya", role="output")
    g.op("dense", ["b", "b_weight", "b_bias"], "yb", role="output")
    return json.loads(dumps(g.doc()), object_pairs_hook=collections.OrderedDict)


def base_rescale(lo, hi, shift, scale=0):
    g = Builder("invalid-rescale", "regression", ["u"], ["y"])
    g.input("x", [1], scale, [lo], [hi])
    g.op("rescale", ["x"], "y", {"shift": shift}, role="output")
    return json.loads(dumps(g.doc()), object_pairs_hook=collections.OrderedDict)


def base_tree_on_input(hi2):
    """tree over an input bit vector (valid when every hi <= 1)."""
    d = collections.OrderedDict([
        ("format", "zkml-ir"), ("version", 2), ("field", "bn254"), ("name", "invalid-tree-bits"),
        ("task", "regression"), ("producer", dict(PRODUCER)), ("features", ["p", "q", "r"]),
        ("labels", ["y"]),
        ("tensors", [
            collections.OrderedDict([("name", "bits"), ("role", "input"), ("visibility", "public"),
                                     ("shape", [3]), ("scale", 0), ("lo", ["0", "0", "0"]),
                                     ("hi", ["1", s(hi2), "1"])]),
            collections.OrderedDict([("name", "leaves"), ("role", "constant"), ("visibility", "fixed"),
                                     ("shape", [3, 1]), ("scale", 0), ("values", ["5", "6", "7"])]),
            collections.OrderedDict([("name", "y"), ("role", "output"), ("visibility", "public"),
                                     ("shape", [1]), ("scale", 0), ("lo", ["5"]), ("hi", ["7"])])]),
        ("inputs", ["bits"]),
        ("ops", [collections.OrderedDict([("op", "tree"), ("inputs", ["bits", "leaves"]), ("outputs", ["y"]),
                                          ("attributes", collections.OrderedDict(
                                              [("bit", [0, 1]), ("le", [-1, -2]), ("gt", [1, -3])]))])]),
        ("outputs", ["y"])])
    return d


def set_tree(d, out, bit, le, gt, rows=None):
    a = O(d, out)["attributes"]
    a["bit"], a["le"], a["gt"] = bit, le, gt
    if rows is not None:
        lv = T(d, O(d, out)["inputs"][1])
        lv["shape"] = [len(rows), len(rows[0])]
        lv["values"] = [s(v) for r in rows for v in r]


INVALID = []


def invalid(file, rule, code, base, mutate=None, text=None, data=None):
    """data: a change of the document's UTF-8 bytes (encodings), after mutate and text."""
    INVALID.append((file, rule, code, base, mutate, text, data))


def with_comment(value):
    """The bytes with a first top-level key "comment" (which readers ignore) holding value (bytes)."""
    return lambda b: b.replace(b"{\n", b'{\n  "comment": "a' + value + b'b",\n', 1)


def define_invalid():
    B = base_tree
    # document
    invalid("wrong-version.ir.json", "version is 3 (readers know 1 and 2 only)", "version",
            B, lambda d: d.__setitem__("version", 3))
    invalid("version-string.ir.json", "version is the string \"2\", not the integer 2", "version",
            B, lambda d: d.__setitem__("version", "2"))
    invalid("wrong-format.ir.json", "format is not \"zkml-ir\"", "format",
            B, lambda d: d.__setitem__("format", "zkml-ir-v2"))
    invalid("wrong-field.ir.json", "field is not \"bn254\"", "field",
            B, lambda d: d.__setitem__("field", "bls12-381"))
    invalid("duplicate-json-key.ir.json",
            "the constant \"leaves\" has the key \"values\" twice (with different values)", "duplicate_key",
            B, text=lambda t: t.replace('"values": [\n        "0",\n        "1",\n        "1",\n        "2"\n      ]',
                                        '"values": [\n        "0",\n        "1",\n        "1",\n        "2"\n      ],\n'
                                        '      "values": [\n        "2",\n        "1",\n        "1",\n        "0"\n      ]', 1))
    # encoding: UTF-8 without a byte order mark, checked over all bytes (even an ignored key's value)
    invalid("encoding-invalid-utf8.ir.json",
            "the ignored top-level key \"comment\" holds the byte 0xFF, which is not UTF-8", "encoding",
            B, data=with_comment(b"\xff"))
    invalid("encoding-utf8-surrogate.ir.json",
            "the ignored top-level key \"comment\" holds ED A0 80, an encoded surrogate (not UTF-8)", "encoding",
            B, data=with_comment(b"\xed\xa0\x80"))
    invalid("encoding-utf8-bom.ir.json", "the document starts with a UTF-8 byte order mark", "encoding",
            B, data=lambda b: b"\xef\xbb\xbf" + b)
    invalid("encoding-utf16le.ir.json", "the document is encoded in UTF-16LE, not UTF-8", "encoding",
            B, data=lambda b: b.decode("utf-8").encode("utf-16-le"))
    # visibility / role
    invalid("visibility-hashed-input.ir.json", "input x is \"hashed\" but the document has no \"commitments\"",
            "commitment", B, lambda d: T(d, "x").__setitem__("visibility", "hashed"))
    invalid("visibility-hashed-intermediate.ir.json", "intermediate bits has visibility \"hashed\" (only inputs may be hashed)",
            "visibility", B, lambda d: T(d, "bits").__setitem__("visibility", "hashed"))
    invalid("visibility-private-constant.ir.json", "constant leaves has visibility \"private\" (constants are \"fixed\")",
            "visibility", B, lambda d: T(d, "leaves").__setitem__("visibility", "private"))
    invalid("visibility-private-output.ir.json", "output label has the reserved visibility \"private\"",
            "visibility_reserved", B, lambda d: T(d, "label").__setitem__("visibility", "private"))
    invalid("visibility-hashed-constant.ir.json", "constant leaves has the reserved visibility \"hashed\"",
            "visibility_reserved", B, lambda d: T(d, "leaves").__setitem__("visibility", "hashed"))
    invalid("visibility-unknown.ir.json", "input x has the unknown visibility \"secret\"",
            "visibility", B, lambda d: T(d, "x").__setitem__("visibility", "secret"))
    invalid("visibility-public-intermediate.ir.json",
            "intermediate bits has visibility \"public\" (intermediates are \"private\")",
            "visibility", B, lambda d: T(d, "bits").__setitem__("visibility", "public"))
    invalid("visibility-public-constant.ir.json", "constant thresholds has visibility \"public\" (constants are \"fixed\")",
            "visibility", B, lambda d: T(d, "thresholds").__setitem__("visibility", "public"))
    invalid("role-unknown.ir.json", "constant leaves has the unknown role \"weight\"",
            "role", B, lambda d: T(d, "leaves").__setitem__("role", "weight"))

    def const_lohi(d):
        t = T(d, "thresholds")
        t["lo"] = list(t["values"])
        t["hi"] = list(t["values"])
    invalid("constant-with-lo-hi.ir.json", "constant thresholds has lo and hi (besides values)",
            "tensor_key", B, const_lohi)
    invalid("nonconstant-with-values.ir.json", "intermediate bits has values (besides lo and hi)",
            "tensor_key", B, lambda d: T(d, "bits").__setitem__("values", ["0", "1", "1"]))

    def const_no_values(d):
        t = T(d, "leaves")
        v = t.pop("values")
        t["lo"], t["hi"] = v, list(v)
    invalid("constant-lo-hi-instead-of-values.ir.json", "constant leaves has lo/hi instead of values",
            "tensor_key", B, const_no_values)
    invalid("input-missing-hi.ir.json", "input x has no hi", "tensor_key", B, lambda d: T(d, "x").pop("hi"))
    invalid("unknown-tensor-key.ir.json", "tensor x has the unknown key \"comment\"", "tensor_key",
            B, lambda d: T(d, "x").__setitem__("comment", "features"))
    # names, shapes, scales, integers
    def rename(d, old, new):
        T(d, old)["name"] = new
        for o in d["ops"]:
            o["inputs"] = [new if n == old else n for n in o["inputs"]]
            o["outputs"] = [new if n == old else n for n in o["outputs"]]
        d["inputs"] = [new if n == old else n for n in d["inputs"]]
        d["outputs"] = [new if n == old else n for n in d["outputs"]]
    invalid("name-uppercase.ir.json", "tensor name \"Leaves\" does not match ^[a-z][a-z0-9_]*$", "name",
            B, lambda d: rename(d, "leaves", "Leaves"))
    invalid("name-duplicate.ir.json", "two tensors are named \"thresholds\" (bits renamed)", "name",
            B, lambda d: rename(d, "bits", "thresholds"))
    def zero_dim(d):
        t = T(d, "bits")
        t["shape"] = [0]
    invalid("shape-zero-dimension.ir.json", "intermediate bits has shape [0] (a dimension 0)", "shape", B, zero_dim)

    def nine_dims():
        return base_rescale(-4, 4, 1)

    def nine(d):
        for n in ("x", "y"):
            T(d, n)["shape"] = [1] * 9
    invalid("shape-nine-dimensions.ir.json", "input x and its rescale output have 9 dimensions (at most 8)",
            "shape", nine_dims, nine)
    invalid("shape-empty.ir.json", "input x has shape [] (at least one dimension)", "shape",
            B, lambda d: T(d, "x").__setitem__("shape", []))
    invalid("scale-out-of-range.ir.json", "input x has scale 1025 (out of -1024..1024; its rescale by 1 gives 1024)",
            "scale", lambda: base_rescale(-4, 4, 1, scale=1025), None)
    invalid("bigint-leading-zero.ir.json", "threshold written \"024\" (leading zero)", "integer",
            B, lambda d: T(d, "thresholds")["values"].__setitem__(0, "024"))
    invalid("bigint-minus-zero.ir.json", "a leaf value written \"-0\"", "integer",
            B, lambda d: T(d, "leaves")["values"].__setitem__(0, "-0"))
    invalid("bigint-json-number.ir.json", "threshold written as the JSON number 24, not the string \"24\"", "integer",
            B, lambda d: T(d, "thresholds")["values"].__setitem__(0, 24))
    invalid("input-lo-greater-than-hi.ir.json", "input x has lo[1] = 65 > hi[1] = 64", "bounds",
            B, lambda d: T(d, "x")["lo"].__setitem__(1, "65"))
    invalid("lo-length-mismatch.ir.json", "input x has 3 lo entries for 2 elements", "tensor_values",
            B, lambda d: T(d, "x")["lo"].append("-64"))
    invalid("values-length-mismatch.ir.json", "constant leaves [4, 1] has 5 values", "tensor_values",
            B, lambda d: T(d, "leaves")["values"].append("0"))
    # bounds
    invalid("bound-intermediate-off-by-one.ir.json", "intermediate acc has hi[0] one above its interval bound",
            "bounds", base_linear, lambda d: T(d, "acc")["hi"].__setitem__(0, s(int(T(d, "acc")["hi"][0]) + 1)))
    invalid("bound-output-off-by-one.ir.json", "output label has lo -1 (the tree's leaves give 0)",
            "bounds", B, lambda d: T(d, "label")["lo"].__setitem__(0, "-1"))
    invalid("bound-split-bits-constant-bit.ir.json",
            "bits declares [0, 1] for a comparison the bounds decide (x0 > -100 with lo -64: constant 1)",
            "bounds", B, lambda d: T(d, "thresholds")["values"].__setitem__(0, "-100") or None)
    invalid("bound-input-2pow248.ir.json", "input x has hi = 2^248 (bounds must be < 2^248 in absolute value)",
            "overflow", lambda: base_rescale(0, LIMIT, 8), None)
    invalid("bound-input-minus-2pow248.ir.json", "input x has lo = -2^248", "overflow",
            lambda: base_rescale(-LIMIT, 0, 8), None)

    def overflow():
        g = Builder("invalid-overflow", "regression", ["u"], ["y"])
        g.input("x", [1], 0, [0], [1 << 200])
        g.const("weight", [1, 1], 0, [1 << 48])
        g.const("bias", [1], 0, [0])
        g.op("dense", ["x", "weight", "bias"], "acc")
        g.op("rescale", ["acc"], "y", {"shift": 128}, role="output")
        return json.loads(dumps(g.doc()), object_pairs_hook=collections.OrderedDict)
    invalid("bound-intermediate-overflow.ir.json",
            "dense output acc has the (correct) interval bound hi = 2^248: overflow", "overflow", overflow, None)

    def const_big(d):
        T(d, "thresholds")["values"][2] = s(LIMIT)
        T(d, "bits")["hi"][2] = "0"  # consistent with the threshold: 64 > 2^248 is false
    invalid("constant-2pow248.ir.json", "constant threshold 2^248 (bits bounds consistent with it)", "overflow",
            B, const_big)
    # ops and attributes
    invalid("unknown-op.ir.json", "op \"lstm\" is unknown", "unknown_op",
            base_linear, lambda d: O(d, "y").__setitem__("op", "lstm"))
    invalid("unknown-op-key.ir.json", "op has the unknown key \"name\"", "op_key",
            B, lambda d: O(d, "bits").__setitem__("name", "split"))
    invalid("unknown-attribute.ir.json", "rescale has the unknown attribute \"round\" besides shift",
            "unknown_attribute", base_linear, lambda d: O(d, "y")["attributes"].__setitem__("round", 1))
    invalid("unknown-attribute-dense.ir.json", "dense has the attribute \"transpose\" (dense has none)",
            "unknown_attribute", base_linear, lambda d: O(d, "acc")["attributes"].__setitem__("transpose", 0))
    invalid("missing-attribute.ir.json", "rescale has no shift", "missing_attribute",
            base_linear, lambda d: O(d, "y")["attributes"].pop("shift"))
    invalid("missing-attribute-tree.ir.json", "tree has no gt", "missing_attribute",
            B, lambda d: O(d, "label")["attributes"].pop("gt"))
    invalid("attribute-not-integer.ir.json", "rescale shift is the string \"1\"", "attribute_type",
            base_linear, lambda d: O(d, "y")["attributes"].__setitem__("shift", "1"))
    invalid("attribute-float.ir.json", "rescale shift is the JSON number 1.0", "attribute_type",
            base_linear, lambda d: O(d, "y")["attributes"].__setitem__("shift", 1.0))
    invalid("attribute-ints-element-string.ir.json", "split_bits feature holds the string \"1\"", "attribute_type",
            B, lambda d: O(d, "bits")["attributes"]["feature"].__setitem__(1, "1"))
    def shift129(d):
        O(d, "y")["attributes"]["shift"] = 129
        T(d, "y").update({"scale": 2 - 129, "lo": ["-1"], "hi": ["0"]})  # floor(-4 / 2^129), floor(4 / 2^129)
    invalid("rescale-shift-129.ir.json", "rescale shift 129 (at most 128; scale and bounds of y consistent with it)",
            "attribute_range", lambda: base_rescale(-4, 4, 1, scale=2), shift129)
    invalid("rescale-out-scale.ir.json", "rescale output scale is x.scale, not x.scale - shift", "scale",
            base_linear, lambda d: T(d, "y").__setitem__("scale", T(d, "acc")["scale"]))
    invalid("op-two-outputs.ir.json", "rescale lists two outputs", "arity",
            base_linear, lambda d: O(d, "y")["outputs"].append("acc"))
    invalid("op-unknown-tensor.ir.json", "tree reads the tensor \"leafs\", which does not exist", "unknown_tensor",
            B, lambda d: O(d, "label")["inputs"].__setitem__(1, "leafs"))
    # dense
    def weight_input(d):
        t = T(d, "weight")
        v = t.pop("values")
        t["role"], t["visibility"] = "input", "public"
        t["lo"], t["hi"] = v, list(v)
        d["inputs"].append("weight")
        d["features"] += ["w00", "w01", "w10", "w11"]
    invalid("dense-weight-not-constant.ir.json", "dense weight is an input tensor, not a constant", "role",
            base_linear, weight_input)
    invalid("dense-bias-scale.ir.json", "dense bias scale 2 differs from the output scale 3", "scale",
            base_linear, lambda d: T(d, "bias").__setitem__("scale", 2))
    invalid("dense-out-scale.ir.json",
            "dense output acc has scale 4, not x.scale + weight.scale = 3 (the rescale output moved along)",
            "scale", base_linear, lambda d: (T(d, "acc").__setitem__("scale", 4), T(d, "y").__setitem__("scale", 3)))

    def dense_shape(d):
        t = T(d, "weight")
        t["shape"] = [1, 4]
    invalid("dense-weight-shape.ir.json", "dense weight has shape [1, 4] for x of shape [2] (4 values)", "shape",
            base_linear, dense_shape)
    def argmax_const(d):
        d["tensors"].append(collections.OrderedDict([("name", "scores"), ("role", "constant"), ("visibility", "fixed"),
                                                     ("shape", [2]), ("scale", 0), ("values", ["3", "4"])]))
        d["tensors"].append(collections.OrderedDict([("name", "label"), ("role", "output"), ("visibility", "public"),
                                                     ("shape", [1]), ("scale", 0), ("lo", ["0"]), ("hi", ["1"])]))
        d["ops"].append(collections.OrderedDict([("op", "argmax"), ("inputs", ["scores"]), ("outputs", ["label"]),
                                                 ("attributes", {})]))
        d["outputs"].append("label")
        d["labels"].append("label")
    invalid("argmax-on-constant.ir.json", "argmax reads the constant scores (x must be a non-constant)", "role",
            base_linear, argmax_const)

    def argmax_scale():
        g = Builder("invalid-argmax", "classification", ["u", "v"], ["p", "q"])
        g.input("x", [2], 2, [-8, -8], [8, 8])
        g.op("argmax", ["x"], "label", role="output")
        return json.loads(dumps(g.doc()), object_pairs_hook=collections.OrderedDict)
    invalid("argmax-out-scale.ir.json", "argmax output has scale 2 (must be 0)", "scale",
            argmax_scale, lambda d: T(d, "label").__setitem__("scale", 2))
    invalid("argmax-out-shape.ir.json", "argmax output has shape [2] (must be [1])", "shape",
            argmax_scale, lambda d: T(d, "label").update({"shape": [2], "lo": ["0", "0"], "hi": ["1", "1"]}))
    # relu
    def relu_base():
        g = Builder("invalid-relu", "regression", ["u", "v"], ["y0", "y1"])
        g.input("x", [2], 2, [-8, 1], [8, 8])
        g.op("relu", ["x"], "y", role="output")
        return json.loads(dumps(g.doc()), object_pairs_hook=collections.OrderedDict)

    def relu_const(d):
        d["tensors"].insert(0, collections.OrderedDict([("name", "c"), ("role", "constant"), ("visibility", "fixed"),
                                                        ("shape", [2]), ("scale", 2), ("values", ["-3", "4"])]))
        O(d, "y")["inputs"] = ["c"]
        d["inputs"] = ["x"]
        d["tensors"].append(collections.OrderedDict([("name", "z"), ("role", "output"), ("visibility", "public"),
                                                     ("shape", [2]), ("scale", 2), ("lo", ["0", "1"]), ("hi", ["8", "8"])]))
        d["ops"].append(collections.OrderedDict([("op", "relu"), ("inputs", ["x"]), ("outputs", ["z"]),
                                                 ("attributes", {})]))
        d["outputs"].append("z")
    invalid("relu-on-constant.ir.json", "relu reads the constant c (x must be a non-constant)", "role",
            relu_base, relu_const)
    invalid("relu-out-scale.ir.json", "relu output has scale 0 for x at scale 2 (must be equal)", "scale",
            relu_base, lambda d: T(d, "y").__setitem__("scale", 0))
    invalid("relu-out-shape.ir.json", "relu output has shape [1] for x of shape [2]", "shape",
            relu_base, lambda d: T(d, "y").update({"shape": [1], "lo": ["0"], "hi": ["8"]}))
    invalid("relu-negative-lo.ir.json", "relu output declares lo -8 (the interval analysis gives max(lo, 0) = 0)",
            "bounds", relu_base, lambda d: T(d, "y").__setitem__("lo", ["-8", "1"]))
    invalid("relu-attribute.ir.json", "relu has an attribute \"alpha\" (it has none)", "unknown_attribute",
            relu_base, lambda d: O(d, "y").__setitem__("attributes", {"alpha": 1}))
    # split_bits
    def split_set(d, feature, values, bits_lo, bits_hi):
        O(d, "bits")["attributes"]["feature"] = feature
        t = T(d, "thresholds")
        t["values"] = [s(v) for v in values]
        t["shape"] = [len(values)]
        T(d, "bits").update({"shape": [len(values)], "lo": [s(v) for v in bits_lo], "hi": [s(v) for v in bits_hi]})
    invalid("split-features-not-sorted.ir.json", "split_bits feature [1, 0, 1]: not non-decreasing", "split_order",
            B, lambda d: split_set(d, [1, 0, 1], [-4, 24, 32], [0] * 3, [1] * 3))
    invalid("split-duplicate-pair.ir.json", "split_bits has the pair (feature 1, threshold -4) twice", "split_order",
            B, lambda d: split_set(d, [0, 1, 1], [24, -4, -4], [0] * 3, [1] * 3))
    invalid("split-thresholds-not-increasing.ir.json", "split_bits thresholds of feature 1 are 32, -4 (must increase)",
            "split_order", B, lambda d: split_set(d, [0, 1, 1], [24, 32, -4], [0] * 3, [1] * 3))
    invalid("split-feature-out-of-range.ir.json", "split_bits feature 2 for x of shape [2]", "attribute_range",
            B, lambda d: O(d, "bits")["attributes"].__setitem__("feature", [0, 1, 2]))
    invalid("split-feature-count.ir.json", "split_bits feature has 2 entries for 3 thresholds", "attribute_range",
            B, lambda d: O(d, "bits")["attributes"].__setitem__("feature", [0, 1]))
    invalid("split-threshold-scale.ir.json", "split_bits thresholds scale 3 differs from x scale 4", "scale",
            B, lambda d: T(d, "thresholds").__setitem__("scale", 3))
    invalid("split-out-scale.ir.json", "split_bits output bits has scale 4 (must be 0)", "scale",
            B, lambda d: T(d, "bits").__setitem__("scale", 4))
    # tree
    invalid("tree-child-not-greater.ir.json",
            "tree node 2 has the child node 1 (children must have a greater index): root -> 2 -> 1", "tree_structure",
            B, lambda d: set_tree(d, "label", [0, 2, 1], [2, -1, 1], [-4, -2, -3]))
    invalid("tree-leaf-twice.ir.json", "tree leaf 0 is the child of two nodes (so leaf 3 of none)", "tree_structure",
            B, lambda d: set_tree(d, "label", [0, 1, 2], [1, -1, -3], [2, -2, -1]))
    invalid("tree-wrong-leaf-count.ir.json", "tree with 3 internal nodes has 5 leaves (must be 4)", "tree_structure",
            B, lambda d: set_tree(d, "label", [0, 1, 2], [1, -1, -3], [2, -2, -4], [[0], [1], [1], [2], [1]]))
    invalid("tree-one-leaf-two-rows.ir.json", "tree with N = 0 internal nodes has 2 leaves (must be 1)",
            "tree_structure", B, lambda d: set_tree(d, "label", [], [], [], [[0], [2]]))
    invalid("tree-bits-hi-2.ir.json", "tree reads the input bits whose hi[1] is 2 (bits must lie in [0, 1])",
            "tree_bits", lambda: base_tree_on_input(2), None)
    invalid("tree-bit-index-out-of-range.ir.json", "tree bit index 3 for 3 bits", "attribute_range",
            B, lambda d: O(d, "label")["attributes"].__setitem__("bit", [0, 1, 3]))
    invalid("tree-lengths-differ.ir.json", "tree le has 2 entries, bit and gt 3", "tree_structure",
            B, lambda d: O(d, "label")["attributes"].__setitem__("le", [1, -1]))
    invalid("tree-out-scale.ir.json", "tree output scale 1 differs from the leaves scale 0", "scale",
            B, lambda d: T(d, "label").__setitem__("scale", 1))
    def leaves_input(d):
        t = T(d, "leaves")
        v = t.pop("values")
        t["role"], t["visibility"] = "input", "public"
        t["lo"], t["hi"] = v, list(v)
        d["inputs"].append("leaves")
        d["features"] += ["l0", "l1", "l2"]
    invalid("tree-leaves-not-constant.ir.json", "tree leaves is an input tensor, not a constant", "role",
            lambda: base_tree_on_input(1), leaves_input)
    # weighted_sum
    def ws_shapes(d):
        # tree1 gets two-element leaf rows: its output has shape [2]
        lv = T(d, "tree1_leaves")
        lv["shape"] = [2, 2]
        lv["values"] = ["2", "0", "3", "0"]
        T(d, "tree1_out").update({"shape": [2], "lo": ["2", "0"], "hi": ["3", "0"]})
    invalid("weighted-sum-shapes-differ.ir.json", "weighted_sum members have shapes [1] and [2]", "shape",
            base_ws, ws_shapes)
    invalid("weighted-sum-scales-differ.ir.json", "weighted_sum members have scales 0 and 1", "scale",
            base_ws, lambda d: (T(d, "tree1_leaves").__setitem__("scale", 1), T(d, "tree1_out").__setitem__("scale", 1)))

    def ws_count(d):
        t = T(d, "weights")
        t["shape"] = [3]
        t["values"] = ["1", "2", "1"]
    invalid("weighted-sum-weights-count.ir.json", "weighted_sum has 3 weights for 2 members", "arity",
            base_ws, ws_count)
    def ws_repeat(d):
        # tree0_out twice (tree1_out is then an intermediate nobody reads: allowed); y's bounds recomputed
        op = [o for o in d["ops"] if o["op"] == "weighted_sum"][0]
        op["inputs"] = ["weights", "tree0_out", "tree0_out"]
        w = [int(v) for v in T(d, "weights")["values"]]
        t0 = T(d, "tree0_out")
        lo = [sum(min(wi * int(l), wi * int(h)) for wi in w) for l, h in zip(t0["lo"], t0["hi"])]
        hi = [sum(max(wi * int(l), wi * int(h)) for wi in w) for l, h in zip(t0["lo"], t0["hi"])]
        T(d, "y").update({"lo": [str(v) for v in lo], "hi": [str(v) for v in hi]})
    invalid("weighted-sum-repeated-member.ir.json", "weighted_sum names the member tree0_out twice", "arity",
            base_ws, ws_repeat)
    invalid("weighted-sum-out-scale.ir.json", "weighted_sum output scale 1 (weights 0 + members 0 = 0)", "scale",
            base_ws, lambda d: T(d, "y").__setitem__("scale", 1))
    def ws_weights_input(d):
        t = T(d, "weights")
        v = t.pop("values")
        t["role"], t["visibility"] = "input", "public"
        t["lo"], t["hi"] = v, list(v)
        d["inputs"].append("weights")
        d["features"] += ["w0", "w1"]
    invalid("weighted-sum-weights-not-constant.ir.json", "weighted_sum weights is an input tensor, not a constant",
            "role", base_ws, ws_weights_input)
    # graph structure
    def op_writes_input(d):
        # rescale(a, shift 0) has exactly b's shape, scale and bounds: the only defect is the role
        d["ops"].insert(0, collections.OrderedDict([("op", "rescale"), ("inputs", ["a"]), ("outputs", ["b"]),
                                                    ("attributes", collections.OrderedDict([("shift", 0)]))]))
    invalid("op-writes-input.ir.json", "an op (rescale of a by 0, same shape, scale and bounds) writes the input b",
            "write_role", base_two_inputs, op_writes_input)

    def op_writes_constant(d):
        d["ops"].insert(0, collections.OrderedDict([("op", "dense"), ("inputs", ["a", "a_weight", "a_bias"]),
                                                    ("outputs", ["b_bias"]), ("attributes", {})]))
    invalid("op-writes-constant.ir.json", "an op writes the constant b_bias", "write_role",
            base_two_inputs, op_writes_constant)

    def written_twice(d):
        d["ops"].append(collections.OrderedDict([("op", "dense"), ("inputs", ["a", "a_weight", "a_bias"]),
                                                 ("outputs", ["ya"]), ("attributes", {})]))
    invalid("tensor-written-twice.ir.json", "output ya is written by two ops", "written_twice",
            base_two_inputs, written_twice)
    invalid("read-before-write.ir.json", "tree reads bits before split_bits writes it (ops swapped)", "order",
            B, lambda d: d.__setitem__("ops", [d["ops"][1], d["ops"][0]]))

    def unused_const(d):
        d["tensors"].insert(2, collections.OrderedDict([("name", "spare"), ("role", "constant"), ("visibility", "fixed"),
                                                        ("shape", [1]), ("scale", 0), ("values", ["7"])]))
    invalid("unused-constant.ir.json", "constant spare is read by no op", "unused_constant", B, unused_const)
    invalid("inputs-missing-tensor.ir.json", "inputs lists a but not the input tensor b", "io_list",
            base_two_inputs, lambda d: d.__setitem__("inputs", ["a"]))
    invalid("inputs-duplicate.ir.json", "inputs lists x twice", "io_list",
            B, lambda d: d.__setitem__("inputs", ["x", "x"]))
    invalid("inputs-lists-intermediate.ir.json", "inputs lists the intermediate bits besides x", "io_list",
            B, lambda d: d.__setitem__("inputs", ["x", "bits"]))
    invalid("outputs-missing-tensor.ir.json", "outputs lists ya but not the output tensor yb", "io_list",
            base_two_inputs, lambda d: d.__setitem__("outputs", ["ya"]))

    def output_unwritten(d):
        d["tensors"].append(collections.OrderedDict([("name", "extra"), ("role", "output"), ("visibility", "public"),
                                                     ("shape", [1]), ("scale", 0), ("lo", ["0"]), ("hi", ["0"])]))
        d["outputs"].append("extra")
        d["labels"].append("extra")
    invalid("output-not-written.ir.json", "output extra is written by no op", "output_unwritten", base_two_inputs,
            output_unwritten)
    define_invalid_commitments()
    define_invalid_cnn()


def base_hashed():
    """base_two_inputs with both inputs hashed (a and b, in input order)."""
    d = base_two_inputs()
    T(d, "a")["visibility"] = T(d, "b")["visibility"] = "hashed"
    items = list(d.items())
    i = [k for k, _ in items].index("inputs") + 1
    items.insert(i, ("commitments", [collections.OrderedDict([
        ("name", "input_commitment"), ("domain", INPUTS_DOMAIN), ("tensors", ["a", "b"])])]))
    return collections.OrderedDict(items)


def define_invalid_commitments():
    C = lambda d: d["commitments"][0]
    invalid("commitments-without-hashed-input.ir.json", "\"commitments\" is present but no input is hashed",
            "commitment", base_two_inputs, lambda d: d.__setitem__("commitments", base_hashed()["commitments"]))
    invalid("commitments-empty.ir.json", "inputs are hashed but \"commitments\" is empty",
            "commitment", base_hashed, lambda d: d.__setitem__("commitments", []))
    invalid("commitments-two.ir.json", "two commitments (this version has one, over all hashed inputs)",
            "commitment", base_hashed, lambda d: d["commitments"].append(
                collections.OrderedDict([("name", "second"), ("domain", INPUTS_DOMAIN), ("tensors", ["a", "b"])])))
    invalid("commitments-unknown-domain.ir.json", "the commitment's domain is \"zkml-inputs-v2\" (only \"zkml-inputs-v1\")",
            "commitment", base_hashed, lambda d: C(d).__setitem__("domain", "zkml-inputs-v2"))
    invalid("commitments-missing-tensor.ir.json", "the commitment lists a but not the hashed input b",
            "commitment", base_hashed, lambda d: C(d).__setitem__("tensors", ["a"]))
    invalid("commitments-wrong-order.ir.json", "the commitment lists b, a (the hashed inputs in input order are a, b)",
            "commitment", base_hashed, lambda d: C(d).__setitem__("tensors", ["b", "a"]))

    def public_b(d):
        T(d, "b")["visibility"] = "public"
    invalid("commitments-public-input.ir.json", "the commitment lists b, which is a public input",
            "commitment", base_hashed, public_b)
    invalid("commitments-unknown-tensor.ir.json", "the commitment lists the tensor \"c\", which does not exist",
            "commitment", base_hashed, lambda d: C(d).__setitem__("tensors", ["a", "b", "c"]))
    invalid("commitments-name-of-tensor.ir.json", "the commitment is named \"ya\", the name of a tensor",
            "commitment", base_hashed, lambda d: C(d).__setitem__("name", "ya"))
    invalid("commitments-unknown-key.ir.json", "the commitment has the unknown key \"salt\"",
            "commitment", base_hashed, lambda d: C(d).__setitem__("salt", "0"))
    invalid("commitments-missing-domain.ir.json", "the commitment has no domain",
            "commitment", base_hashed, lambda d: C(d).pop("domain"))

    def too_wide(d):
        m = (1 << 247)
        T(d, "a")["lo"], T(d, "a")["hi"] = [s(-m)], [s(m)]      # hi - lo = 2^248: 249 bits
        T(d, "a_weight")["values"] = ["1"]                        # so that ya stays < 2^248
        ya = T(d, "ya")
        ya["lo"], ya["hi"] = [s(-m)], [s(m)]
    invalid("hashed-input-249-bits.ir.json", "hashed input a has hi - lo = 2^248 (249 bits; a hashed value has at most 248)",
            "commitment", base_hashed, too_wide)


def base_cnn():
    g = Builder("invalid-cnn", "regression", ["x%d" % i for i in range(16)], ["y0", "y1"])
    g.input("x", [1, 4, 4], 0, [-2] * 16, [2] * 16)
    g.const("cw", [2, 1, 3, 3], 1, [1, -1, 0, 2, 1, -2, 0, 1, 1, -1, 0, 1, 1, 2, -1, 0, 0, 1])
    g.const("cb", [2], 1, [1, -1])
    g.op("conv2d", ["x", "cw", "cb"], "acc", {"strides": [1, 1], "pads": [0, 0, 0, 0]})
    g.op("maxpool2d", ["acc"], "mp", {"kernel": [2, 2], "strides": [1, 1], "pads": [1, 1, 0, 0]})
    g.const("am", [1, 1], 2, [1])
    g.op("avgpool2d", ["mp", "am"], "ap", {"kernel": [2, 2], "strides": [2, 2], "pads": [0, 0, 0, 0]})
    g.op("reshape", ["ap"], "y", {"shape": [2]}, role="output")
    return json.loads(dumps(g.doc()), object_pairs_hook=collections.OrderedDict)


def define_invalid_cnn():
    B = base_cnn
    A = lambda d, out: O(d, out)["attributes"]

    def weight_channels(d):
        T(d, "cw")["shape"] = [2, 2, 3, 3]
        T(d, "cw")["values"] = T(d, "cw")["values"] * 2
    invalid("conv2d-weight-channels.ir.json", "conv2d weight [2, 2, 3, 3] for an input of 1 channel", "shape", B, weight_channels)
    invalid("conv2d-bias-scale.ir.json", "conv2d bias at scale 2, not x.scale + weight.scale = 1", "scale",
            B, lambda d: T(d, "cb").__setitem__("scale", 2))
    invalid("conv2d-pad-at-kernel.ir.json", "conv2d pads[0] = 3, not below the kernel height 3", "attribute_range",
            B, lambda d: A(d, "acc").__setitem__("pads", [3, 0, 0, 0]))
    invalid("conv2d-stride-zero.ir.json", "conv2d strides [0, 1]", "attribute_range",
            B, lambda d: A(d, "acc").__setitem__("strides", [0, 1]))
    invalid("conv2d-pads-three.ir.json", "conv2d pads has 3 entries (4: top, left, bottom, right)", "attribute_range",
            B, lambda d: A(d, "acc").__setitem__("pads", [0, 0, 0]))
    invalid("conv2d-missing-strides.ir.json", "conv2d has no strides", "missing_attribute",
            B, lambda d: A(d, "acc").pop("strides"))
    invalid("conv2d-weight-rank.ir.json", "conv2d weight of shape [2, 9] (rank 2, not [M, C, KH, KW])", "shape",
            B, lambda d: T(d, "cw").__setitem__("shape", [2, 9]))
    invalid("maxpool2d-kernel-three.ir.json", "maxpool2d kernel [2, 2, 1] (2 entries)", "attribute_range",
            B, lambda d: A(d, "mp").__setitem__("kernel", [2, 2, 1]))
    invalid("maxpool2d-kernel-zero.ir.json", "maxpool2d kernel [0, 2]", "attribute_range",
            B, lambda d: A(d, "mp").__setitem__("kernel", [0, 2]))
    invalid("maxpool2d-bound-off-by-one.ir.json", "maxpool2d output mp has hi[0] one above the window's largest hi",
            "bounds", B, lambda d: T(d, "mp")["hi"].__setitem__(0, s(int(T(d, "mp")["hi"][0]) + 1)))
    invalid("maxpool2d-constant-x.ir.json", "maxpool2d reads the constant cb", "role",
            B, lambda d: O(d, "mp").__setitem__("inputs", ["cb"]))
    invalid("avgpool2d-mult-zero.ir.json", "avgpool2d multiplier 0 (must be positive)", "attribute_range",
            B, lambda d: T(d, "am").__setitem__("values", ["0"]))
    invalid("avgpool2d-mult-shape.ir.json", "avgpool2d mult of shape [2, 1] for a [1, 1] output", "shape",
            B, lambda d: (T(d, "am").__setitem__("shape", [2, 1]), T(d, "am").__setitem__("values", ["1", "1"])))
    invalid("avgpool2d-mult-variable.ir.json", "avgpool2d mult is the intermediate acc, not a constant", "role",
            B, lambda d: O(d, "ap")["inputs"].__setitem__(1, "acc"))
    invalid("reshape-size.ir.json", "reshape to [3] of a 2-element tensor", "shape",
            B, lambda d: A(d, "y").__setitem__("shape", [3]))


INVALID_README = """# Invalid IR v2 documents

Every reader of version 2 (Java `IrReader`, Go `native/ir`) must **reject** each of these %d
documents. Each one is a small document that is valid except for exactly one defect. Where a
change would alter derived bounds, scales or metadata counts, those were recomputed, so that the
listed rule is the only one broken; a few defects imply an unavoidable second symptom (a shape
[0] with 3 bound entries; a leaf referenced twice leaves another leaf unreferenced; a dense output
scale that is not x.scale + weight.scale also differs from the bias scale). `index.json` lists the same files and rules as
`[{"file": ..., "rule": ...}]`; the file names are relative to this folder.

The error message is not pinned, only the rejection. Generated by `../generate.py`, which checks
that its own strict reader rejects each file for the intended rule and accepts the valid base
the file was derived from.

| file | what is wrong |
|---|---|
"""


def build_invalid(outdir):
    define_invalid()
    index = []
    names = set()
    for file, rule, code, base, mutate, text, data in INVALID:
        assert file not in names, file
        names.add(file)
        d = base()
        if mutate is not None:
            mutate(d)
        raw = dumps(d)
        if text is not None:
            raw2 = text(raw)
            assert raw2 != raw, file
            raw = raw2
        blob = raw.encode("utf-8")
        if data is not None:
            blob2 = data(blob)
            assert blob2 != blob, file
            blob = blob2
        # the base is valid and the mutation is what read_bytes() rejects, for the intended rule
        if mutate is not None or text is not None or data is not None:
            read_bytes(dumps(base()).encode("utf-8"))
        try:
            read_bytes(blob)
            raise AssertionError("%s: accepted" % file)
        except IrError as e:
            assert e.code == code, (file, e.code, code, str(e))
        with open(os.path.join(outdir, file), "wb") as f:
            f.write(blob)
        index.append(collections.OrderedDict([("file", file), ("rule", rule)]))
    return index


# ---------------------------------------------------------------------------------------------
# self-checks of the worked example

def spec_example_checks(doc, model):
    for k, v in SPEC_EXAMPLE.items():
        assert json.loads(json.dumps(doc[k])) == v, k
    # the example block of docs/ir-format.md itself, when the checkout has it
    spec = os.path.join(HERE, "..", "..", "..", "docs", "ir-format.md")
    if os.path.exists(spec):
        with open(spec, encoding="utf-8") as f:
            text = f.read()
        part = text[text.index("## Worked example"):]
        block = part[part.index("```json") + 7:]
        block = block[:block.index("```")]
        assert json.loads(block) == SPEC_EXAMPLE, "the spec's worked example changed"
    out, env = run(model, [24, 33])
    assert env["bits"] == [0, 1, 1] and out == [1]
    assert [s(v) for v in [24, 33] + out] == ["24", "33", "1"]  # the public inputs
    assert cost(model) == 82, cost(model)


def bitlen(v):
    return v.bit_length()


def cost(model):
    """The spec's constraint count (only the parts the worked example uses)."""
    c = 0
    for n in model.inputs:
        t = model.tensors[n]
        for l, h in zip(t.lo, t.hi):
            c += 2 * (bitlen(h - l) + 1) if h > l else 1
    for name, ins, out, attrs in model.ops:
        if name == "split_bits":
            x, th = model.tensors[ins[0]], model.tensors[ins[1]]
            fs = collections.OrderedDict()
            for k, f in enumerate(attrs["feature"]):
                fs.setdefault(f, []).append(th.values[k])
            for f, ts in fs.items():
                e = sum(1 for l, u in split_intervals(x.lo[f], x.hi[f], ts) if l <= u)
                if e >= 2:
                    c += e + 1 + 2 * (bitlen(x.hi[f] - x.lo[f]) + 1)
        elif name == "tree":
            bits = model.tensors[ins[0]]
            bit, le, gt = attrs["bit"], attrs["le"], attrs["gt"]
            const_ind = {0: True}
            for i in range(len(bit)):
                b_const = bits.lo[bit[i]] == bits.hi[bit[i]]
                if not (const_ind[i] or b_const):
                    c += 1
                for ch in (le[i], gt[i]):
                    if ch >= 0:
                        const_ind[ch] = const_ind[i] and b_const
        else:
            raise NotImplementedError(name)
    for n in model.outputs:
        c += model.tensors[n].size
    return c


# ---------------------------------------------------------------------------------------------

def main():
    poseidon2_self_check()
    docs = [tree_depth2(), voting_forest(), regression_forest(False), regression_forest(True), split_edges(),
            linear("classifier-3x4"), linear("regressor-2x3"), linear("classifier-4x2-rescaled"),
            multi_io(), tree_input_bits(), bounds_limit(),
            linear("classifier-3x4", "hashed"), tree_depth2("private"), multi_io("hashed"), hashed_spill(),
            mlp_relu(), relu_edges(), cnn_conv_pool(), maxpool_edges()]
    summary = []
    for g, extra, direct, checks, ths in docs:
        doc = g.doc()
        raw = dumps(doc)
        model = read_bytes(raw.encode("utf-8"))  # the strict reader accepts what we write
        assert dumps(model.doc) == raw         # and the canonical writer round-trips
        if doc["name"] == "tree-depth2":
            spec_example_checks(doc, model)
        cases = make_cases(model, extra, direct, checks, ths)
        if doc["name"] == "voting-forest":     # ties happen, and go to the lowest index
            ties = 0
            for c in cases["cases"]:
                _, env = run(model, [int(v) for v in c["input"]])
                votes = env["votes"]
                if votes.count(max(votes)) > 1:
                    ties += 1
                    assert int(c["output"][0]) == votes.index(max(votes))
            assert ties >= 3, ties
        write(os.path.join(HERE, doc["name"] + ".ir.json"), doc)
        write(os.path.join(HERE, doc["name"] + ".cases.json"), cases)
        summary.append((doc["name"], len(cases["cases"]), len(cases["invalid"])))
    outdir = os.path.join(HERE, "invalid")
    os.makedirs(outdir, exist_ok=True)
    index = build_invalid(outdir)
    write(os.path.join(outdir, "index.json"), index)
    with open(os.path.join(outdir, "README.md"), "w", newline="\n") as f:
        f.write(INVALID_README % len(index))
        for e in index:
            f.write("| `%s` | %s |\n" % (e["file"], e["rule"].replace("|", "\\|")))
    for name, n, m in summary:
        print("%-32s %3d cases, %2d invalid cases" % (name, n, m))
    print("%d invalid documents" % len(index))


if __name__ == "__main__":
    main()
