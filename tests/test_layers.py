"""Tests of backprop.layers: gradients vs central differences, API contract, errors."""

import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop.gradcheck import check_layer, numerical_gradient, relative_error
from backprop.layers import (
    ACTIVATION_LAYERS,
    Identity,
    Layer,
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    mlp,
)

TOL = 1e-7  # the bound on the relative error of float64 gradients
ACTIVATION_CLASSES = [Sigmoid, Tanh, ReLU, Identity]


def inputs(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """Random inputs with |x| in [0.1, 2]: no ReLU input within ε of its kink."""
    return rng.choice([-1.0, 1.0], size=(n, width)) * rng.uniform(0.1, 2.0, size=(n, width))


def make_layer(kind, n_in: int, n_out: int, seed: int) -> Layer:
    if kind is Linear:
        layer = Linear(n_in, n_out, seed=seed)
        layer.b[:] = np.random.default_rng(seed + 1).standard_normal(n_out)
        return layer
    return kind()


# -- forward values on a hand-worked case ------------------------------------------------------

def test_linear_forward_hand_worked():
    layer = Linear.from_weights([[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]], [0.5, -1.0])
    X = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    # row 0: [1 + 4 + 0 + 0.5, -1 + 1 + 9 - 1] ; row 1: [0 - 2 + 0 + 0.5, 0 - 0.5 + 3 - 1]
    np.testing.assert_allclose(layer.forward(X), [[5.5, 8.0], [-1.5, 1.5]])


def test_linear_backward_hand_worked():
    layer = Linear.from_weights([[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]], [0.5, -1.0])
    layer.forward(np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]]))
    dX = layer.backward(np.array([[1.0, 0.0], [0.0, 2.0]]))
    # L = Y[0,0] + 2 Y[1,1]: ∂L/∂W[i,0] = X[0,i], ∂L/∂W[i,1] = 2 X[1,i]; ∂L/∂b = [1, 2]
    np.testing.assert_allclose(layer.dW, [[1.0, 0.0], [2.0, -2.0], [3.0, 2.0]])
    np.testing.assert_allclose(layer.db, [1.0, 2.0])
    np.testing.assert_allclose(dX, [[1.0, 2.0, 0.0], [-2.0, 1.0, 6.0]])


@pytest.mark.parametrize("cls", ACTIVATION_CLASSES)
def test_activation_layers_forward(cls):
    Z = np.array([[-2.0, -0.5, 0.5, 2.0]])
    expected = {Sigmoid: 1 / (1 + np.exp(-Z)), Tanh: np.tanh(Z), ReLU: np.maximum(Z, 0),
                Identity: Z}[cls]
    np.testing.assert_allclose(cls().forward(Z), expected, rtol=1e-15)


# -- gradients against numerical differentiation -------------------------------------------

@pytest.mark.parametrize("kind", [Linear, *ACTIVATION_CLASSES])
def test_layer_gradients_fixed(kind, rng):
    layer = make_layer(kind, 4, 3, seed=1)
    errors = check_layer(layer, inputs(rng, 5, 4))
    assert set(errors) == ({"X", "W", "b"} if kind is Linear else {"X"})
    assert max(errors.values()) < TOL, errors


@settings(max_examples=25, deadline=None)
@given(kind=st.sampled_from([Linear, *ACTIVATION_CLASSES]), n=st.integers(1, 5),
       n_in=st.integers(1, 5), n_out=st.integers(1, 5), seed=st.integers(0, 10**6))
def test_layer_gradients_random(kind, n, n_in, n_out, seed):
    layer = make_layer(kind, n_in, n_out, seed)
    errors = check_layer(layer, inputs(np.random.default_rng(seed), n, n_in), seed=seed)
    assert max(errors.values()) < TOL, errors


def test_linear_gradients_by_hand_with_numerical_gradient(rng):
    """Spell out the check without check_layer: L = Σ (XW + b) ⊙ R."""
    layer = Linear(3, 2, rng=rng)
    X, R = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))

    def L(_):
        return float(np.sum(layer.forward(X) * R))

    layer.forward(X)
    dX = layer.backward(R)
    assert relative_error(dX, numerical_gradient(L, X)) < TOL
    assert relative_error(layer.dW, numerical_gradient(L, layer.W)) < TOL
    assert relative_error(layer.db, numerical_gradient(L, layer.b)) < TOL


NET_EPS = 1e-5  # near the best step ε_mach^(1/3) for central differences through deep chains


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
       activation=st.sampled_from(sorted(ACTIVATION_LAYERS)), n=st.integers(1, 4),
       seed=st.integers(0, 10**6))
def test_sequential_gradients_random(sizes, activation, n, seed, floored_relative_error):
    net = mlp(sizes, activation, seed=seed)
    rng = np.random.default_rng(seed)
    for layer in net:
        if isinstance(layer, Linear):  # non-zero biases: a dead ReLU must not sit at its kink
            layer.b[:] = rng.standard_normal(layer.b.shape)
    X = inputs(rng, n, sizes[0])
    R = rng.standard_normal(net.forward(X).shape)
    # a ReLU input within the step of the central differences of 0 straddles the kink, where
    # the numerical slope is neither 0 nor 1 (about 1 draw in 10⁴ without this)
    assume(all(np.abs(layer._X).min() > 100 * NET_EPS for layer in net if isinstance(layer, ReLU)))

    def probe(_):
        return float(np.vdot(net.forward(X), R))

    dX = net.backward(R)
    checked = [("X", X, dX)] + [(name, p, g.copy()) for name, p, g in net.named_parameters()]
    assert [name for name, _, _ in checked[1:]] == [f"layers[{2 * i}].{p}"
                                                    for i in range(len(sizes) - 1) for p in "Wb"]
    for name, array, analytic in checked:
        numeric = numerical_gradient(probe, array, NET_EPS)
        assert floored_relative_error(analytic, numeric, np.linalg.norm(R)) < TOL, name


@pytest.mark.parametrize("activation", sorted(ACTIVATION_LAYERS))
def test_sequential_gradients_fixed(activation, rng):
    net = mlp([3, 5, 4, 2], activation, rng=rng)
    for layer in net:
        if isinstance(layer, Linear):
            layer.b[:] = 0.1 * rng.standard_normal(layer.b.shape)
    errors = check_layer(net, inputs(rng, 6, 3))
    assert len(errors) == 7 and max(errors.values()) < TOL, errors


# -- the contract of forward/backward ------------------------------------------------------

@pytest.mark.parametrize("kind", [Linear, *ACTIVATION_CLASSES, Sequential])
def test_backward_does_not_modify_its_argument(kind, rng):
    layer = (Sequential(Linear(3, 3, rng=rng), Tanh(), Identity()) if kind is Sequential
             else make_layer(kind, 3, 3, seed=0))
    X = inputs(rng, 4, 3)
    X_before = X.copy()
    layer.forward(X)
    dY = rng.standard_normal((4, 3))
    dY_before = dY.copy()
    dX = layer.backward(dY)
    np.testing.assert_array_equal(dY, dY_before)
    np.testing.assert_array_equal(X, X_before)
    assert not np.shares_memory(dX, dY)
    assert not np.shares_memory(dX, X)


def test_gradients_are_assigned_not_accumulated(rng):
    layer = Linear(3, 2, rng=rng)
    X, dY = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer.forward(X)
    layer.backward(dY)
    first = layer.dW.copy(), layer.db.copy()
    layer.backward(dY)
    np.testing.assert_array_equal(layer.dW, first[0])
    np.testing.assert_array_equal(layer.db, first[1])


def test_parameters_are_the_layer_arrays(rng):
    layer = Linear(3, 2, rng=rng)
    assert [g for _, g in layer.parameters()] == [None, None]
    layer.forward(rng.standard_normal((2, 3)))
    layer.backward(np.ones((2, 2)))
    (W, dW), (b, db) = layer.parameters()
    assert W is layer.W and b is layer.b and dW is layer.dW and db is layer.db
    W -= 1.0  # an optimizer updating in place changes the layer itself
    np.testing.assert_array_equal(layer.W, W)
    assert [name for name, _, _ in layer.named_parameters()] == ["W", "b"]


def test_sequential_parameters_and_names(rng):
    net = Sequential(Linear(2, 3, rng=rng), Tanh(), Linear(3, 1, rng=rng))
    names = [name for name, _, _ in net.named_parameters()]
    assert names == ["layers[0].W", "layers[0].b", "layers[2].W", "layers[2].b"]
    assert [p.shape for p, _ in net.parameters()] == [(2, 3), (3,), (3, 1), (1,)]
    assert net.parameters().__next__()[0] is net[0].W
    assert len(net) == 3 and list(net) == list(net.layers)
    assert (net.in_features, net.out_features) == (2, 1)
    assert "Linear(2, 3)" in repr(net) and "Tanh()" in repr(net)


def test_sequential_accepts_a_list_and_nests(rng):
    inner = Sequential([Linear(2, 3, rng=rng), ReLU()])
    net = Sequential(inner, Linear(3, 2, rng=rng))
    X = inputs(rng, 4, 2)
    np.testing.assert_allclose(net.forward(X), net[1].forward(inner.forward(X)))
    assert max(check_layer(net, X).values()) < TOL


def test_sequential_equals_composition(rng):
    l1, l2 = Linear(2, 4, rng=rng), Linear(4, 3, rng=rng)
    net = Sequential(l1, Sigmoid(), l2)
    X = rng.standard_normal((5, 2))
    expected = l2.forward(1 / (1 + np.exp(-l1.forward(X))))
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-14)


# -- construction --------------------------------------------------------------------------

def test_linear_init_shapes_dtype_and_seed():
    layer = Linear(3, 2, seed=0)
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,)
    assert layer.W.dtype == np.float64 and layer.b.dtype == np.float64
    np.testing.assert_array_equal(layer.b, 0.0)
    np.testing.assert_array_equal(Linear(3, 2, seed=0).W, layer.W)
    assert not np.array_equal(Linear(3, 2, seed=1).W, layer.W)
    same = Linear(3, 2, rng=np.random.default_rng(0), seed=99)  # rng wins over seed
    np.testing.assert_array_equal(same.W, layer.W)


@pytest.mark.parametrize(("init", "std"), [("he", np.sqrt(2 / 400)),
                                           ("xavier", np.sqrt(2 / 600))])
def test_linear_init_scale(init, std):
    W = Linear(400, 200, seed=0, init=init).W
    assert abs(W.mean()) < 0.05 * std
    assert abs(W.std() / std - 1) < 0.02


def test_linear_zeros_init():
    np.testing.assert_array_equal(Linear(3, 2, init="zeros").W, 0.0)


def test_relu_passes_no_gradient_at_its_kink():
    """At z = 0 exactly the subgradient 0 is used, as relu_prime and PyTorch do. It happens:
    a zero-initialised layer feeds its ReLU zeros, which must then stop the gradient."""
    relu = ReLU()
    relu.forward(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(relu.backward(np.ones((1, 3))), [[0.0, 0.0, 1.0]])
    net = Sequential(Linear(2, 3, init="zeros"), ReLU(), Linear(3, 1, seed=0))
    net.forward(np.array([[1.0, -2.0], [0.5, 3.0]]))
    net.backward(np.ones((2, 1)))
    np.testing.assert_array_equal(net[0].dW, 0.0)


def test_from_weights_copies_and_is_contiguous():
    W = np.arange(6.0).reshape(2, 3)
    layer = Linear.from_weights(W.T, [1, 2])  # a transposed (Fortran-order) view
    W[0, 0] = 100.0
    assert layer.W[0, 0] == 0.0
    assert layer.W.flags.c_contiguous
    assert layer.b.dtype == np.float64
    np.testing.assert_array_equal(Linear.from_weights(np.eye(2)).b, [0.0, 0.0])
    assert Linear.from_weights(np.eye(2, dtype=int)).W.dtype == np.float64


def test_mlp_structure():
    net = mlp([4, 5, 3, 2], "tanh", seed=0)
    kinds = [type(layer) for layer in net]
    assert kinds == [Linear, Tanh, Linear, Tanh, Linear]
    assert [layer.W.shape for layer in net if isinstance(layer, Linear)] == [(4, 5), (5, 3),
                                                                            (3, 2)]
    np.testing.assert_array_equal(mlp([4, 5, 2], seed=3)[0].W, mlp([4, 5, 2], seed=3)[0].W)
    assert isinstance(mlp([4, 5, 2])[1], ReLU)


# -- dtypes --------------------------------------------------------------------------------

def test_float32_layers_stay_float32():
    net = mlp([3, 4, 2], "sigmoid", seed=0, dtype=np.float32)
    X = np.ones((5, 3))  # float64 input is converted to the layer's dtype
    Y = net.forward(X)
    dX = net.backward(np.ones((5, 2), dtype=np.float64))
    assert Y.dtype == np.float32 and dX.dtype == np.float32
    for name, param, grad in net.named_parameters():
        assert param.dtype == np.float32 and grad.dtype == np.float32, name


@pytest.mark.parametrize("kind", [Linear, *ACTIVATION_CLASSES])
def test_integer_input_becomes_float64(kind):
    layer = make_layer(kind, 2, 2, seed=0)
    Y = layer.forward(np.array([[1, -2], [3, 0]]))
    assert Y.dtype == np.float64
    assert layer.backward(np.ones((2, 2), dtype=int)).dtype == np.float64


@pytest.mark.parametrize(("X", "message"), [
    (np.array([[1.0, None]], dtype=object), "X must hold real numbers, but it holds None"),
    (np.array([[1.0, 2 + 1j]], dtype=object), r"X must hold real numbers, but it holds \(2\+1j\)"),
    ([[1.0, 2 + 1j]], r"X must hold real numbers \(float, int or bool\), got dtype complex128"),
    ([[1.0, "a"]], r"X must hold real numbers \(float, int or bool\), got dtype <U"),
])
@pytest.mark.parametrize("kind", [Linear, *ACTIVATION_CLASSES])
def test_non_numbers_are_refused_not_turned_into_nan(kind, X, message):
    # NumPy would make None a NaN and drop an imaginary part with only a warning
    layer = make_layer(kind, 2, 2, seed=0)
    with pytest.raises(TypeError, match=rf"{re.escape(layer.name)}.forward: {message}"):
        layer.forward(X)


@pytest.mark.parametrize("kind", [Linear, *ACTIVATION_CLASSES])
def test_ragged_rows_and_non_number_gradients_are_named(kind):
    layer = make_layer(kind, 2, 2, seed=0)
    name = re.escape(layer.name)
    with pytest.raises(ValueError, match=rf"{name}.forward: X must be a rectangular table of "
                                         r"numbers \(rows of one length\)"):
        layer.forward([[1.0, 2.0], [3.0]])
    layer.forward(np.ones((3, 2)))
    for dY, dtype in [(np.full((3, 2), "a"), "<U1"), (np.ones((3, 2)) * 1j, "complex128")]:
        with pytest.raises(TypeError, match=rf"{name}.backward: dY must hold real numbers, "
                                            rf"got dtype {dtype}"):
            layer.backward(dY)


def test_an_object_array_of_numbers_is_taken_as_float64():
    # e.g. the values of a table whose columns mix ints and floats
    layer = Linear(2, 2, seed=0)
    X = np.array([[1, 2.5], [np.int64(3), np.float32(-1.0)]], dtype=object)
    np.testing.assert_array_equal(layer.forward(X), layer.forward(X.astype(float)))


# -- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [0, -1, 2.5, True, "3"])
def test_linear_rejects_non_positive_or_non_integer_sizes(size):
    with pytest.raises(ValueError, match=r"Linear: in_features must be a positive integer"):
        Linear(size, 2)
    with pytest.raises(ValueError, match=r"Linear: out_features must be a positive integer"):
        Linear(2, size)


def test_linear_rejects_unknown_init_and_integer_dtype():
    with pytest.raises(ValueError, match=r"Linear: unknown init 'glorot'"):
        Linear(2, 2, init="glorot")
    with pytest.raises(ValueError, match=r"Linear: dtype must be a float type, got int64"):
        Linear(2, 2, dtype=np.int64)


def test_from_weights_errors():
    with pytest.raises(ValueError, match=r"W must be 2-D \(in, out\), got \(3,\)"):
        Linear.from_weights(np.ones(3))
    with pytest.raises(ValueError, match=re.escape("expected b of shape (2,), got (3,)")):
        Linear.from_weights(np.ones((3, 2)), np.ones(3))


@pytest.mark.parametrize("layer", [Linear(3, 2, seed=0),
                                   Sequential(Linear(3, 4, seed=0), ReLU(), Linear(4, 2))])
def test_wrong_input_width(layer):
    pattern = re.escape(f"{layer.name}.forward: expected X of shape (n, 3), got (5, 4)")
    with pytest.raises(ValueError, match=pattern):
        layer.forward(np.ones((5, 4)))


@pytest.mark.parametrize("layer", [Linear(3, 2, seed=0), Tanh(),
                                   Sequential(Linear(3, 2, seed=0), Sigmoid())])
def test_one_dimensional_input(layer):
    with pytest.raises(ValueError, match=r"\.forward: expected X of shape \(n, .*\), got \(3,\)"
                                         r" \(use X\.reshape\(1, -1\) for a single sample\)"):
        layer.forward(np.ones(3))
    with pytest.raises(ValueError, match=r"got \(2, 3, 1\)$"):
        layer.forward(np.ones((2, 3, 1)))


@pytest.mark.parametrize("layer", [Linear(3, 2, seed=0), *[c() for c in ACTIVATION_CLASSES],
                                   Sequential(Linear(3, 2, seed=0), Sigmoid())])
@pytest.mark.parametrize("bad_shape", [(4, 3), (5, 2), (4,), (4, 2, 1)])
def test_wrong_dY_shape(layer, bad_shape):
    Y = layer.forward(np.ones((4, 3)))
    if bad_shape == Y.shape:
        bad_shape = (4, 1)
    pattern = re.escape(f"{layer.name}.backward: expected dY of shape {_fmt(Y.shape)} "
                        f"(the shape of the last forward output), got {_fmt(bad_shape)}")
    with pytest.raises(ValueError, match=pattern):
        layer.backward(np.ones(bad_shape))


def _fmt(shape):
    return str(tuple(shape))


@pytest.mark.parametrize("layer", [Linear(3, 2, seed=0), *[c() for c in ACTIVATION_CLASSES],
                                   Sequential(Linear(3, 2, seed=0), Sigmoid())])
def test_backward_before_forward(layer):
    with pytest.raises(RuntimeError, match=re.escape(f"{layer.name}.backward called before "
                                                     "forward (or after a forward that failed): "
                                                     "run forward(X) first")):
        layer.backward(np.ones((1, 2)))


@pytest.mark.parametrize("layer", [Linear(3, 2, seed=0), *[c() for c in ACTIVATION_CLASSES],
                                   Sequential(Linear(3, 2, seed=0), Sigmoid())])
def test_none_as_input_or_gradient_is_named(layer):
    with pytest.raises(TypeError, match=re.escape("forward: X is None; pass an array")):
        layer.forward(None)
    layer.forward(np.ones((1, 3)))
    with pytest.raises(TypeError, match=re.escape("backward: dY is None; pass an array")):
        layer.backward(None)


@pytest.mark.parametrize("make", [lambda **kw: Linear(2, 2, **kw), lambda **kw: mlp([2, 2], **kw)])
def test_a_seed_passed_as_rng_points_to_seed(make):
    with pytest.raises(TypeError, match=re.escape("rng must be a NumPy Generator such as "
                                                  "np.random.default_rng(0), got 3; for a seed "
                                                  "write seed=3")):
        make(rng=3)
    with pytest.raises(TypeError, match="rng must be a NumPy Generator"):
        make(rng="seed")
    a, b = make(rng=np.random.default_rng(3)), make(seed=3)
    assert all(np.array_equal(p, q) for (p, _), (q, _) in
               zip(a.parameters(), b.parameters(), strict=True))


def test_sequential_widths_must_chain():
    pattern = (r"Sequential: widths do not chain: layer 2 Linear\(4→1\) expects inputs of "
               r"width 4, but layer 0 Linear\(2→3\) outputs width 3")
    with pytest.raises(ValueError, match=pattern):
        Sequential(Linear(2, 3), Tanh(), Linear(4, 1))


def test_sequential_needs_layers():
    with pytest.raises(ValueError, match="Sequential needs at least one layer"):
        Sequential()
    with pytest.raises(TypeError, match=r"Sequential: item 1 is 'tanh', not a Layer$"):
        Sequential(Linear(2, 2), "tanh")
    with pytest.raises(TypeError, match=r"item 1 is <class .*Tanh'>, not a Layer; did you "
                                        r"mean Tanh\(\)\?"):
        Sequential(Linear(2, 2), Tanh)


def test_mlp_errors():
    with pytest.raises(ValueError, match=r"mlp: unknown activation 'gelu'"):
        mlp([2, 3, 1], "gelu")
    with pytest.raises(ValueError, match=r"mlp: sizes is the list of widths"):
        mlp([2])
    with pytest.raises(ValueError, match=r"Linear: out_features must be a positive integer, "
                                         r"got 0"):
        mlp([2, 0, 1])


# -- backward(dY, input_grad=False): parameter gradients only (used by the training loop) ----

@pytest.mark.parametrize("make", [
    lambda rng: Linear(3, 2, rng=rng),
    lambda rng: Sequential(Linear(3, 4, rng=rng), ReLU(), Linear(4, 2, rng=rng)),
    lambda rng: Sequential(Tanh(), Linear(3, 2, rng=rng)),
    lambda rng: Sequential(Sequential(Linear(3, 3, rng=rng), Sigmoid()), Linear(3, 2, rng=rng)),
])
def test_input_grad_false_gives_the_same_parameter_gradients(make, rng):
    layer = make(rng)
    X, dY = inputs(rng, 5, 3), rng.standard_normal((5, 2))
    layer.forward(X)
    layer.backward(dY)
    full = [g.copy() for _, g in layer.parameters()]
    for _, g in layer.parameters():
        g[...] = np.nan  # the second pass must assign every gradient again
    assert layer.backward(dY, input_grad=False) is None
    for (name, _, g), expected in zip(layer.named_parameters(), full, strict=True):
        np.testing.assert_array_equal(g, expected, err_msg=name)


class LinearHalfBias(Linear):
    """A variant with its own _backward (as an exercise might write): db is halved."""

    def _backward(self, dY):
        dX = super()._backward(dY)
        self.db = self.db / 2
        return dX


def test_input_grad_false_respects_a_subclass_backward(rng):
    layer = LinearHalfBias(3, 2, rng=rng)
    layer.forward(inputs(rng, 4, 3))
    dY = rng.standard_normal((4, 2))
    layer.backward(dY, input_grad=False)
    np.testing.assert_allclose(layer.db, dY.sum(axis=0) / 2)


class DoubleBackwardOnly(Layer):
    """A user's layer overriding backward(dY) itself, without the keyword."""

    def forward(self, X):
        return 2 * np.asarray(X)

    def backward(self, dY):
        return 2 * dY


def test_sequential_calls_a_plain_backward_without_the_keyword(rng):
    net = Sequential(DoubleBackwardOnly(), Linear(3, 2, rng=rng))
    X = inputs(rng, 4, 3)
    net.forward(X)
    dX = net.backward(np.ones((4, 2)))
    np.testing.assert_allclose(dX, 2 * np.ones((4, 2)) @ net[1].W.T)


def test_one_layer_object_used_twice_is_refused():
    relu = ReLU()
    with pytest.raises(ValueError, match=r"layer 3 is the same object as layer 1 \(ReLU\); "
                                         r"put a new ReLU in one of the two places"):
        Sequential(Linear(2, 3), relu, Linear(3, 3), relu, Linear(3, 1))


def test_one_layer_object_used_twice_through_a_nested_sequential_is_refused(rng):
    """Used twice, a layer keeps only its second input for backward: its gradient would be
    wrong (relative error about 0.5 against central differences), and SGD would step it
    twice."""
    linear = Linear(2, 2, rng=rng)
    with pytest.raises(ValueError, match=r"Sequential: layer 1 is the same object as a layer "
                                         r"inside layer 0 \(Linear\(2→2\)\)"):
        Sequential(Sequential(linear, Tanh()), linear)
    with pytest.raises(ValueError, match=r"Linear\(2→2\) inside layer 1 is the same object "
                                         r"as layer 0"):
        Sequential(linear, Sequential(Tanh(), Sequential(linear)))
    inner = Sequential(Linear(2, 2, rng=rng), Tanh())
    with pytest.raises(ValueError, match=r"layer 1 is the same object as layer 0"):
        Sequential(inner, inner)


class TransposedDX(Linear):
    def _backward(self, dY):
        super()._backward(dY)
        return (dY @ self.W.T).T


class NoReturn(Linear):
    def _forward(self, X):
        X @ self.W + self.b


def test_a_layer_of_ones_own_is_checked():
    layer = TransposedDX(3, 2, seed=0)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"Linear\(3→2\)._backward returned dX of shape "
                                         r"\(3, 4\); it must have the shape of the input X, "
                                         r"\(4, 3\)"):
        layer.backward(np.ones((4, 2)))
    with pytest.raises(TypeError, match=r"\._forward returned NoneType.*forget `return`"):
        NoReturn(3, 2, seed=0).forward(np.ones((4, 3)))


def test_a_1d_input_gets_the_reshape_that_fits():
    with pytest.raises(ValueError, match=r"X.reshape\(-1, 1\): one feature per sample"):
        Linear(1, 4).forward(np.arange(5.0))
    with pytest.raises(ValueError, match=r"X.reshape\(1, -1\) for a single sample"):
        Linear(3, 4).forward(np.arange(3.0))


@pytest.mark.parametrize("sizes", [5, [5]])
def test_mlp_sizes_is_a_list_of_widths(sizes):
    with pytest.raises(ValueError, match=r"mlp: sizes is the list of widths \[in, hidden…, out\]"):
        mlp(sizes)


# -- parameters reassigned, failed forwards, layers of one's own -----------------------------

@pytest.mark.parametrize("W, b, message", [
    (np.ones((3, 2)), np.ones((2, 1)), r"expected b of shape \(2,\), one bias per column of W, "
                                       r"got \(2, 1\) \(a column bias: use b.ravel\(\)\)"),
    (np.ones((2, 3)), np.zeros(2), r"got \(2,\) \(W is \(2, 3\) = \(in, out\): is it "
                                   r"transposed\?\)"),
    (np.ones((2, 3)), np.zeros(3), r"expected X of shape \(n, 2\), got \(5, 3\); X has as many "
                                   r"columns as the layer has outputs: were in and out swapped, "
                                   r"or is W \(2, 3\) = \(in, out\) transposed\?"),
    (np.ones(3), np.zeros(2), r"W must be a 2-D float array \(in, out\), got shape \(3,\)"),
])
def test_reassigned_parameters_that_no_longer_fit_are_refused_at_forward(W, b, message):
    """A column bias (out, 1) would broadcast into an (out, out) output for n = out samples:
    silently wrong numbers, unless forward checks the parameters it is given."""
    layer = Linear(3, 2)
    layer.W, layer.b = W, b
    with pytest.raises(ValueError, match=r"Linear\(3→2\)\.forward: .*" + message):
        layer.forward(np.ones((5, 3)))


@pytest.mark.parametrize("W, b, message", [
    (np.ones((3, 2), dtype=int), np.zeros(2), "W must be a float NumPy array, got dtype int64"),
    ([[1.0, 2.0]] * 3, np.zeros(2), "W must be a float NumPy array, got list"),
    (np.ones((3, 2)), np.array(["a", "b"]), "b must be a float NumPy array, got dtype <U1"),
])
def test_reassigned_parameters_that_are_not_float_arrays_are_a_type_error(W, b, message):
    layer = Linear(3, 2)
    layer.W, layer.b = W, b
    with pytest.raises(TypeError, match=re.escape(f"Linear(3→2).forward: {message}")):
        layer.forward(np.ones((5, 3)))


@pytest.mark.parametrize("make", [lambda: Linear(3, 2), lambda: Tanh(),
                                  lambda: Sequential(Linear(3, 2), Tanh())])
def test_a_forward_that_fails_leaves_nothing_for_backward(make, rng):
    """Otherwise backward would use the batch before the failed call, without a word."""
    layer = make()
    Y = layer.forward(inputs(rng, 5, 3))
    with pytest.raises(ValueError):
        layer.forward(np.zeros((4, 3, 1)))
    with pytest.raises(RuntimeError, match=r"backward called before forward \(or after a "
                                           r"forward that failed\)"):
        layer.backward(np.ones_like(Y))


def test_a_layer_of_ones_own_is_told_what_it_lacks(rng):
    class Doubling(Layer):
        def _forward(self, X):
            return 2 * X

    layer = Doubling()
    layer.forward(inputs(rng, 2, 3))
    with pytest.raises(NotImplementedError, match=r"Doubling defines no _backward\(dY\)"):
        layer.backward(np.ones((2, 3)))
    with pytest.raises(NotImplementedError, match=r"Layer defines no _forward\(X\)"):
        Layer().forward(inputs(rng, 2, 3))


@pytest.mark.parametrize(("W", "b", "message"), [
    ([[1.0, None]], None, r"Linear.from_weights: W must hold real numbers, but it holds None"),
    ([[1.0, 2.0]], [None, 1.0], r"Linear\(1→2\).from_weights: b must hold real numbers, but it "
                                r"holds None"),
    ([["1", "2"]], None, r"Linear.from_weights: W must hold real numbers \(float, int or bool\), "
                         r"got dtype <U1"),
])
def test_from_weights_refuses_none_and_strings_instead_of_making_nan(W, b, message):
    with pytest.raises(TypeError, match=message):
        Linear.from_weights(W, b)


def test_a_nested_sequential_prints_indented_by_depth():
    net = Sequential(Sequential(Linear(2, 3), Tanh()), Linear(3, 1))
    assert repr(net) == ("Sequential(\n  Sequential(\n    Linear(2, 3),\n    Tanh()\n  ),\n"
                         "  Linear(3, 1)\n)")
