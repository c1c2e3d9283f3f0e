"""mlmath.js, the JavaScript twin of the library's maths, against the library itself (Node).

Every case is computed twice: in Python by ``backprop`` and in JavaScript by ``mlmath.js``,
which the static book pages use to recompute the explorers without a kernel. All cases go to
one Node process as JSON on stdin; the results come back as JSON on stdout. Both sides use
float64, so the twins must agree to a relative error of 1e-12.
"""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest
from node_runner import NODE, run_module

from backprop.activations import log_softmax, softmax
from backprop.gradcheck import relative_error
from backprop.layers import ACTIVATION_LAYERS, ActivationLayer, Linear, Sequential
from backprop.losses import MSE, SoftmaxCrossEntropy
from backprop.scalar import Value

pytestmark = pytest.mark.skipif(
    NODE is None, reason="Node.js is not installed (apt-get install nodejs): mlmath.js not tested")
TOL = 1e-12

RUNNER = """
import * as M from "./mlmath.mjs";
const run = {
  mlp: ({ layers, X, dOut }) => {
    const cache = M.mlpForward(layers, X);
    return { Z: cache.Z, A: cache.A, ...M.mlpBackward(layers, cache, dOut) };
  },
  mse: ({ pred, target, reduction }) => M.mse(pred, target, reduction),
  softmaxCrossEntropy: ({ logits, labels }) => M.softmaxCrossEntropy(logits, labels),
  softmaxRows: ({ Z }) => ({ p: Z.map(M.softmaxRow), logp: Z.map(M.logSoftmaxRow) }),
  evalGraph: ({ graph }) => M.evalGraph(graph),
  relativeError: ({ A, B }) => ({ error: M.relativeError(A, B) }),
};
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ kind, args }) => run[kind](args));
  process.stdout.write(JSON.stringify(out));
});
"""


# -- the cases, computed by the library ---------------------------------------------------------
def _mlp_case(seed: int, sizes: list[int], acts: list[str], n: int) -> dict:
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    bs = [rng.standard_normal(b) for b in sizes[1:]]
    X, dOut = rng.standard_normal((n, sizes[0])), rng.standard_normal((n, sizes[-1]))
    pairs = [(Linear.from_weights(W, b), ACTIVATION_LAYERS[f]())
             for W, b, f in zip(Ws, bs, acts, strict=True)]
    net = Sequential(*[layer for pair in pairs for layer in pair])
    Z, A, a = [], [], X
    for linear, f in pairs:
        Z.append(linear.forward(a))
        a = f.forward(Z[-1])
        A.append(a)
    assert np.allclose(net.forward(X), a)
    deltas, dW, db, d = [], [], [], dOut
    for linear, f in reversed(pairs):
        deltas.insert(0, f.backward(d))           # δ = ∂L/∂Z of this layer
        d = linear.backward(deltas[0])
        dW.insert(0, linear.dW)
        db.insert(0, linear.db)
    net.forward(X)
    assert np.allclose(net.backward(dOut), d)     # the layer-by-layer run is the network's
    layers = [{"W": W.tolist(), "b": b.tolist(), "act": f}
              for W, b, f in zip(Ws, bs, acts, strict=True)]
    return {"kind": "mlp", "args": {"layers": layers, "X": X.tolist(), "dOut": dOut.tolist()},
            "expected": {"Z": Z, "A": A, "deltas": deltas, "dW": dW, "db": db, "dX": d}}


MLP_SPECS = [
    (0, [2, 3, 1], ["tanh", "identity"], 4),
    (1, [3, 5, 4, 2], ["sigmoid", "relu", "identity"], 6),
    (2, [2, 3, 3, 3], ["identity", "identity", "identity"], 1),   # note 000's network
    (3, [4, 4, 4], ["relu", "sigmoid"], 5),
    (4, [1, 6, 2], ["tanh", "tanh"], 3),
    (5, [5, 2, 3, 2, 1], ["sigmoid", "tanh", "relu", "sigmoid"], 8),
]


def _mse_case(seed: int, shape: tuple[int, int], reduction: str) -> dict:
    rng = np.random.default_rng(seed)
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    loss = MSE(reduction)
    value = loss.forward(pred, target)
    return {"kind": "mse",
            "args": {"pred": pred.tolist(), "target": target.tolist(), "reduction": reduction},
            "expected": {"value": value, "grad": loss.backward()}}


def _ce_case(seed: int, n: int, C: int, scale: float) -> dict:
    rng = np.random.default_rng(seed)
    logits, labels = scale * rng.standard_normal((n, C)), rng.integers(0, C, n)
    ce = SoftmaxCrossEntropy()
    value = ce.forward(logits, labels)
    return {"kind": "softmaxCrossEntropy",
            "args": {"logits": logits.tolist(), "labels": labels.tolist()},
            "expected": {"value": value, "grad": ce.backward(), "probs": ce.probs}}


def _softmax_case(seed: int, n: int, C: int, shift: float) -> dict:
    Z = np.random.default_rng(seed).standard_normal((n, C)) * 3 + shift
    return {"kind": "softmaxRows", "args": {"Z": Z.tolist()},
            "expected": {"p": softmax(Z), "logp": log_softmax(Z)}}


# Expressions on Value: each takes the leaves (Values) and returns the output node.
def _circuit_gates(w0, x0, w1, x1, w2):          # note 002: the sigmoid neuron, gate by gate
    return 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())


def _circuit_sigmoid(w0, x0, w1, x1, w2):        # the same neuron with one sigmoid gate
    return (w0 * x0 + w1 * x1 + w2).sigmoid()


EXPRESSIONS = {
    "f=(x+y)z": (lambda x, y, z: (x + y) * z, 3),
    "sigmoid neuron, elementary gates": (_circuit_gates, 5),
    "sigmoid neuron, one gate": (_circuit_sigmoid, 5),
    "reused node a·a + a": (lambda a, b: (a * a + a) * b, 2),
    "reused node c + c": (lambda a, b: (lambda c: (c + c).tanh())(a * b), 2),
    "sub, div, pow": (lambda a, b, c: (a - b) / (c**2 + 1) + (c * c + 2) ** 0.5, 3),
    "exp, log, relu, max": (lambda a, b, c: (a.exp() + 1).log() * b.relu() + a.max(c), 3),
    "tanh chain": (lambda a, b: ((a * b).tanh() * a + b).tanh() - a ** -2, 2),
}
LEAVES = {"f=(x+y)z": [-2.0, 5.0, -4.0],
          "sigmoid neuron, elementary gates": [2.0, -1.0, -3.0, -2.0, -3.0],
          "sigmoid neuron, one gate": [2.0, -1.0, -3.0, -2.0, -3.0]}


def _graph_case(name: str, seed: int) -> dict:
    build, n_leaves = EXPRESSIONS[name]
    rng = np.random.default_rng(seed)
    if seed == 0 and name in LEAVES:
        values = LEAVES[name]                     # the worked examples of note 002
    else:                                         # either sign, away from 0 (a ** -2, relu)
        values = rng.choice([-1.0, 1.0], n_leaves) * rng.uniform(0.2, 2.0, n_leaves)
    leaves = [Value(float(v), name=f"v{i}") for i, v in enumerate(values)]
    out = build(*leaves)
    out.backward()
    graph = out.to_graph()
    return {"kind": "evalGraph", "args": {"graph": graph},
            "expected": {"data": [node["data"] for node in graph["nodes"]],
                         "grad": [node["grad"] for node in graph["nodes"]]}}


def _relative_error_case(seed: int, shape: tuple[int, ...], scale: float) -> dict:
    """Two arrays about 10 % apart, of entries near ``scale`` (1e-200 and 1e200 test the
    division by the largest entry: unscaled, the squares under- or overflow)."""
    rng = np.random.default_rng(seed)
    A = scale * rng.standard_normal(shape)
    B = A + 0.1 * scale * rng.standard_normal(shape)
    return {"kind": "relativeError", "args": {"A": A.tolist(), "B": B.tolist()},
            "expected": {"error": relative_error(A, B)}}


CASES: dict[str, dict] = {}
for spec in MLP_SPECS:
    CASES[f"mlp-{spec[0]}-{'x'.join(map(str, spec[1]))}-{'-'.join(spec[2])}"] = _mlp_case(*spec)
for seed, shape in enumerate([(4, 3), (1, 1), (7, 2)]):
    for reduction in ("mean", "sum", "half_sum"):
        CASES[f"mse-{reduction}-{shape[0]}x{shape[1]}"] = _mse_case(seed, shape, reduction)
for seed, (n, C, scale) in enumerate([(5, 3, 1.0), (1, 4, 10.0), (8, 10, 40.0)]):
    CASES[f"cross-entropy-{n}x{C}-scale{scale:g}"] = _ce_case(seed, n, C, scale)
for seed, (n, C, shift) in enumerate([(3, 4, 0.0), (2, 5, 1000.0), (4, 3, -800.0)]):
    CASES[f"softmax-rows-{n}x{C}-shift{shift:g}"] = _softmax_case(seed, n, C, shift)
for seed, (shape, scale) in enumerate([((3, 4), 1.0), ((5,), 1e-200), ((2, 3), 1e200)]):
    CASES[f"relative-error-{'x'.join(map(str, shape))}-scale{scale:g}"] = (
        _relative_error_case(seed, shape, scale))
for name in EXPRESSIONS:
    for seed in (0, 1, 2):
        CASES[f"graph-{name}-seed{seed}"] = _graph_case(name, seed)


@pytest.fixture(scope="module")
def js_results(tmp_path_factory) -> dict:
    """Every case computed by mlmath.js in one Node process."""
    names = list(CASES)
    payload = json.dumps([{"kind": CASES[k]["kind"], "args": CASES[k]["args"]} for k in names])
    results = run_module(tmp_path_factory.mktemp("mlmath"), "mlmath", RUNNER, payload)
    return dict(zip(names, results, strict=True))


def _assert_twins(got, want, path: str) -> None:
    if isinstance(want, dict):
        for key in want:
            assert key in got, f"{path}: the JS result has no {key!r}"
            _assert_twins(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list) and not all(isinstance(w, (int, float)) for w in want):
        assert len(got) == len(want), f"{path}: {len(got)} items, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _assert_twins(g, w, f"{path}[{i}]")
    else:
        g, w = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
        assert g.shape == w.shape, f"{path}: shape {g.shape}, expected {w.shape}"
        err = relative_error(g, w)
        assert err <= TOL, f"{path}: relative error {err:.3g} > {TOL:g}\n JS {g}\n py {w}"


@pytest.mark.parametrize("name", list(CASES))
def test_js_twin_agrees_with_the_library(js_results, name):
    _assert_twins(js_results[name], CASES[name]["expected"], name)


def test_note_002_numbers_through_the_twin(js_results):
    """The chapter 2 numbers, as the static page shows them: f = −12, ∂f/∂x = −4; 0.73."""
    res = js_results["graph-f=(x+y)z-seed0"]
    assert res["data"][-1] == pytest.approx(-12.0)
    leaves = CASES["graph-f=(x+y)z-seed0"]["args"]["graph"]["nodes"]
    grads = {n["name"]: g for n, g in zip(leaves, res["grad"], strict=True) if n["name"]}
    assert grads == pytest.approx({"v0": -4.0, "v1": -4.0, "v2": 3.0})
    for name in ("sigmoid neuron, elementary gates", "sigmoid neuron, one gate"):
        assert js_results[f"graph-{name}-seed0"]["data"][-1] == pytest.approx(0.7311, abs=1e-4)


def test_reused_nodes_accumulate_in_the_twin(js_results):
    """(a·a + a)·b: ∂/∂a = (2a + 1) b — the JS twin must add both uses of a."""
    case = CASES["graph-reused node a·a + a-seed1"]
    nodes = case["args"]["graph"]["nodes"]
    a, b = (next(n["data"] for n in nodes if n["name"] == v) for v in ("v0", "v1"))
    grad = js_results["graph-reused node a·a + a-seed1"]["grad"]
    index = next(i for i, n in enumerate(nodes) if n["name"] == "v0")
    assert grad[index] == pytest.approx((2 * a + 1) * b, rel=1e-12)


def test_every_library_activation_has_a_twin():
    source = resources.files("backprop.widgets").joinpath("mlmath.js").read_text("utf-8")
    for name, cls in ACTIVATION_LAYERS.items():
        assert issubclass(cls, ActivationLayer)
        assert f"{name}:" in source, f"mlmath.js has no activation {name!r}"
