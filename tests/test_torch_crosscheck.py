"""Optional cross-check against PyTorch's autograd (float64). Skips when torch is absent;
torch is not in requirements.txt (``pip install torch`` to run these)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", exc_type=ImportError)  # also a broken install

from backprop.layers import Linear, ReLU, Sequential, Sigmoid, Tanh  # noqa: E402
from backprop.losses import MSE, SoftmaxCrossEntropy  # noqa: E402
from backprop.scalar import Value  # noqa: E402

pytestmark = pytest.mark.torch

TORCH_ACT = {Tanh: torch.tanh, Sigmoid: torch.sigmoid, ReLU: torch.relu}


def small_mlp(rng, n_out):
    return Sequential(Linear(4, 5, rng=rng), Tanh(), Linear(5, 3, rng=rng), Sigmoid(),
                      Linear(3, 6, rng=rng), ReLU(), Linear(6, n_out, rng=rng))


def torch_forward(net, X):
    """The same network in torch, row convention ``X @ W + b``; returns output and leaves."""
    leaves = [torch.tensor(p, requires_grad=True) for p, _ in net.parameters()]
    Xt = torch.tensor(X, requires_grad=True)
    out, params = Xt, iter(leaves)
    for layer in net:
        out = out @ next(params) + next(params) if isinstance(layer, Linear) else \
            TORCH_ACT[type(layer)](out)
    return out, Xt, leaves


def compare(net, dX, Xt, leaves):
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-12, atol=1e-15)
    for (name, _, grad), leaf in zip(net.named_parameters(), leaves, strict=True):
        np.testing.assert_allclose(grad, leaf.grad.numpy(), rtol=1e-12, atol=1e-15,
                                   err_msg=name)


@pytest.mark.parametrize("reduction", ["mean", "sum", "half_sum"])
def test_mse_network_matches_torch(reduction, rng):
    net = small_mlp(rng, 2)
    X, T = rng.standard_normal((7, 4)), rng.standard_normal((7, 2))
    loss = MSE(reduction)
    value = loss.forward(net.forward(X), T)
    dX = net.backward(loss.backward())

    out, Xt, leaves = torch_forward(net, X)
    torch_reduction = "mean" if reduction == "mean" else "sum"
    t_loss = torch.nn.functional.mse_loss(out, torch.tensor(T), reduction=torch_reduction)
    if reduction == "half_sum":
        t_loss = 0.5 * t_loss
    t_loss.backward()
    assert value == pytest.approx(t_loss.item(), rel=1e-13)
    compare(net, dX, Xt, leaves)


@pytest.mark.parametrize("labels", ["index", "one_hot", "soft"])
def test_cross_entropy_network_matches_torch(labels, rng):
    net = small_mlp(rng, 4)
    X = rng.standard_normal((9, 4))
    idx = rng.integers(0, 4, size=9)
    y = {"index": idx, "one_hot": np.eye(4)[idx],
         "soft": rng.dirichlet(np.ones(4), size=9)}[labels]
    ce = SoftmaxCrossEntropy()
    value = ce.forward(net.forward(X), y)
    dX = net.backward(ce.backward())

    out, Xt, leaves = torch_forward(net, X)
    t_loss = torch.nn.functional.cross_entropy(out, torch.tensor(y))
    t_loss.backward()
    assert value == pytest.approx(t_loss.item(), rel=1e-13)
    compare(net, dX, Xt, leaves)


def test_cross_entropy_with_huge_logits_matches_torch():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [3.0, 1.0, -2.0]])
    y = np.array([1, 2, 0])
    ce = SoftmaxCrossEntropy()
    value = ce.forward(logits, y)
    t_logits = torch.tensor(logits, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy(t_logits, torch.tensor(y))
    t_loss.backward()
    assert value == pytest.approx(t_loss.item(), rel=1e-15)
    np.testing.assert_allclose(ce.backward(), t_logits.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_value_matches_torch_on_an_expression():
    data = {"a": 0.7, "b": -1.3, "c": 2.1}
    v = {k: Value(x) for k, x in data.items()}
    t = {k: torch.tensor(x, dtype=torch.float64, requires_grad=True) for k, x in data.items()}

    def expr(a, b, c, lib):
        q = a * b + c**2 / (1 + a * a)
        r = lib.tanh(q) * lib.sigmoid(b) + lib.exp(lib.tanh(c)) - lib.log(b * b + 1)
        return lib.relu(r) + r * q

    class V:  # the Value methods under torch's names
        tanh, sigmoid, exp, log, relu = (staticmethod(lambda x, m=m: getattr(x, m)())
                                         for m in ("tanh", "sigmoid", "exp", "log", "relu"))

    out = expr(v["a"], v["b"], v["c"], V)
    out.backward()
    t_out = expr(t["a"], t["b"], t["c"], torch)
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-14)
    for k in data:
        assert v[k].grad == pytest.approx(t[k].grad.item(), rel=1e-13), k
