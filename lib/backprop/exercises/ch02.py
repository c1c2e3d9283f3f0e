"""Exercises of chapter 2, the chain rule on computational graphs.

Each ``check_<name>(learner_fn)`` runs the learner's function on seeded cases, compares it
with the reference solution (computed by ``Value``, the library's scalar autograd, where a
graph is involved) and, when they differ, names the typical mistake: the multiply gate's two
gradients swapped, the upstream gradient forgotten, ``σ'`` taken at the wrong place, a wrong
sign, a gradient overwritten instead of accumulated; and, for the gradient check of exercise 5
(compared with the library's ``numerical_gradient``), a one-sided difference, a division by ε
instead of 2ε, an ``x`` not restored, all entries nudged at once. Usage in the notebook::

    from backprop.exercises import ch02
    ch02.check_multiply_gate(multiply_gate)
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from backprop import gradcheck
from backprop.activations import sigmoid
from backprop.exercises._core import Diagnosis, Exercise, Result, shape_hint
from backprop.scalar import Value

Array = np.ndarray
_rng = np.random.default_rng(202)


def _uniform(*shape: int) -> Array:
    return _rng.uniform(-2.0, 2.0, shape).round(3)


def _both(message: str, wrong: Callable, outputs: tuple[str, ...]) -> list[Diagnosis]:
    """The same diagnosis for each named output of a function returning a tuple."""
    return [Diagnosis(message, wrong, name) for name in outputs]


# -- 1. the multiply gate ----------------------------------------------------------------------
def reference_multiply_gate(x: Array, y: Array, upstream: Array) -> tuple[Array, Array]:
    """Backward of ``out = x·y``: ``(∂L/∂x, ∂L/∂y) = (y · upstream, x · upstream)``.

    ``upstream = ∂L/∂out``; numbers or arrays of one shape (element-wise gates).
    """
    return y * upstream, x * upstream


_MUL = ("dx", "dy")
MULTIPLY_GATE = Exercise(
    "multiply_gate",
    reference_multiply_gate,
    cases=[(1.5, -2.0, 3.0), (_uniform(5), _uniform(5), _uniform(5)),
           (_uniform(2, 3), _uniform(2, 3), _uniform(2, 3))],
    outputs=_MUL,
    diagnoses=[
        *_both("swapped: the multiply gate sends each input the OTHER input times the upstream "
               "gradient (∂(xy)/∂x = y, so dx = y · upstream, and dy = x · upstream).",
               lambda x, y, up: (x * up, y * up), _MUL),
        *_both("you forgot the upstream gradient: the local gradient (y for x, x for y) must "
               "be multiplied by ∂L/∂out (chain rule: upstream × local).",
               lambda x, y, up: (y, x), _MUL),
        *_both("that is the add gate's rule (it passes the upstream gradient on unchanged); the "
               "multiply gate scales it by the other input.",
               lambda x, y, up: (up, up), _MUL),
    ],
)


def check_multiply_gate(fn: Callable[[Array, Array, Array], tuple[Array, Array]]) -> Result:
    """Check ``fn(x, y, upstream) -> (dx, dy)``, the backward pass of ``out = x·y``."""
    return shape_hint(MULTIPLY_GATE.check(fn))


# -- 2. the sigmoid gate -----------------------------------------------------------------------
def reference_sigmoid_gate(z: Array, upstream: Array) -> Array:
    """Backward of ``s = σ(z)``: ``∂L/∂z = σ(z) (1 − σ(z)) · upstream``."""
    s = sigmoid(z)
    return s * (1.0 - s) * upstream


SIGMOID_GATE = Exercise(
    "sigmoid_gate",
    reference_sigmoid_gate,
    # z = 0.7 first: at z = 1 (or 0) the mistake z(1 − z) gives 0, like any answer of zeros
    cases=[(0.7, -0.5), (_uniform(6), _uniform(6)), (_uniform(3, 2) * 2, _uniform(3, 2))],
    diagnoses=[
        Diagnosis("you used the input z in z(1 − z); the formula needs the gate's OUTPUT: "
                  "σ'(z) = σ(z)(1 − σ(z)).",
                  lambda z, up: z * (1 - z) * up),
        Diagnosis("the factor (1 − σ(z)) is missing: σ'(z) = σ(z)(1 − σ(z)), not σ(z).",
                  lambda z, up: sigmoid(z) * up),
        Diagnosis("you forgot the upstream gradient: multiply the local gradient σ(z)(1 − σ(z)) "
                  "by ∂L/∂s.",
                  lambda z, up: sigmoid(z) * (1 - sigmoid(z))),
        Diagnosis("the sign is wrong: σ is increasing, so σ'(z) = σ(z)(1 − σ(z)) > 0 (the minus "
                  "signs of −z and of the 1/x gate cancel).",
                  lambda z, up: -sigmoid(z) * (1 - sigmoid(z)) * up),
        Diagnosis("you passed the gate's output σ(z) back instead of its derivative.",
                  lambda z, up: sigmoid(z)),
        Diagnosis("σ′ is evaluated at the output: σ(s)(1 − σ(s)) with s = σ(z) applies the "
                  "sigmoid twice (note 004's slip). \"In terms of the output\" means "
                  "σ′(z) = s(1 − s): the output s itself, not σ of it.",
                  lambda z, up: sigmoid(sigmoid(z)) * (1 - sigmoid(sigmoid(z))) * up),
    ],
)


def check_sigmoid_gate(fn: Callable[[Array, Array], Array]) -> Result:
    """Check ``fn(z, upstream) -> dz``, the backward pass of ``s = σ(z)``."""
    return shape_hint(SIGMOID_GATE.check(fn))


# -- 3. the sigmoid neuron by hand -------------------------------------------------------------
def reference_neuron_backward(w: Array, x: Array) -> tuple[Array, Array]:
    """Gradients of ``f = σ(w0 x0 + w1 x1 + w2)``: ``(∂f/∂w : (3,), ∂f/∂x : (2,))``.

    Computed with ``Value`` (reverse mode on the neuron's graph).
    """
    wv = [Value(float(v)) for v in w]
    xv = [Value(float(v)) for v in x]
    (wv[0] * xv[0] + wv[1] * xv[1] + wv[2]).sigmoid().backward()
    return np.array([v.grad for v in wv]), np.array([v.grad for v in xv])


def _s_prime(w: Array, x: Array) -> float:
    s = float(sigmoid(w[0] * x[0] + w[1] * x[1] + w[2]))
    return s * (1 - s)


def _with_bias(x: Array, last: float) -> Array:
    return np.array([x[0], x[1], last])


_NEURON = ("dw", "dx")
NEURON_BACKWARD = Exercise(
    "neuron_backward",
    reference_neuron_backward,
    cases=[(np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0])),       # the notes' neuron
           (_uniform(3), _uniform(2)), (_uniform(3), _uniform(2))],
    outputs=_NEURON,
    diagnoses=[
        *_both("the factor σ'(z) = σ(z)(1 − σ(z)) is missing: it is the upstream gradient that "
               "reaches the multiply and add gates.",
               lambda w, x: (_with_bias(x, 1.0), w[:2].copy()), _NEURON),
        *_both("you used σ(z) where the derivative σ'(z) = σ(z)(1 − σ(z)) belongs.",
               lambda w, x: (_with_bias(x, 1.0) * sigmoid(w @ [*x, 1.0]),
                             w[:2] * sigmoid(w @ [*x, 1.0])), _NEURON),
        *_both("swapped multiply-gate gradients: ∂(w_i x_i)/∂w_i = x_i, so dw_i = x_i σ'(z) and "
               "dx_i = w_i σ'(z).",
               lambda w, x: (_with_bias(w[:2], 1.0) * _s_prime(w, x), x * _s_prime(w, x)),
               _NEURON),
        Diagnosis("the bias gradient dw[2] is wrong: w2 enters through an add gate, so it gets "
                  "the upstream gradient σ'(z) unchanged (times 1).",
                  lambda w, x: (_with_bias(x, 0.0) * _s_prime(w, x), w[:2] * _s_prime(w, x)),
                  "dw"),
        Diagnosis("the bias gradient dw[2] is wrong: w2 enters through an add gate, so it gets "
                  "the upstream gradient σ'(z) unchanged, not w2 · σ'(z).",
                  lambda w, x: (_with_bias(x, w[2]) * _s_prime(w, x), w[:2] * _s_prime(w, x)),
                  "dw"),
    ],
)


def check_neuron_backward(fn: Callable[[Array, Array], tuple[Array, Array]]) -> Result:
    """Check ``fn(w, x) -> (dw, dx)`` for ``f = σ(w0 x0 + w1 x1 + w2)``."""
    return shape_hint(NEURON_BACKWARD.check(fn))


# -- 4. a value used three times: gradients accumulate -----------------------------------------
def reference_reuse_gradients(a: float, b: float) -> tuple[float, float]:
    """``(∂f/∂a, ∂f/∂b)`` for ``e = a·b, s = e + a, f = s·a`` (``a`` is used three times).

    Computed with ``Value``, which adds the three contributions of ``a``: ``b·a`` (through
    ``e``), ``a`` (through ``s``) and ``s`` (the direct use in ``f``), so ``da = 2s``.
    """
    av, bv = Value(a), Value(b)
    ((av * bv + av) * av).backward()
    return av.grad, bv.grad


_ONE_PATH = ("you kept only one of the three contributions to da: a gradient that is "
             "overwritten (=) instead of accumulated (+=). a is used three times (in e, in s "
             "and in f), so da = b·a + a + s.")
_HALF = ("your da = s = a·b + a is only half of it: that is the direct use of a in f = s·a "
         "(the first = of a backward pass that overwrites), and the two other uses, through "
         "e and s, send b·a + a = s more. Accumulate all three (+=): da = 2s.")
_TWO_PATHS = ("you added two of the three contributions to da and missed one: a is used "
              "three times (in e = a·b, in s = e + a and in f = s·a).")
_REUSE = ("da", "db")
REUSE_GRADIENTS = Exercise(
    "reuse_gradients",
    reference_reuse_gradients,
    cases=[(3.0, -3.0), *[tuple(_uniform(2).tolist()) for _ in range(3)]],
    outputs=_REUSE,
    diagnoses=[
        Diagnosis(_ONE_PATH, lambda a, b: (b * a, a * a), "da"),          # through e only
        Diagnosis(_ONE_PATH, lambda a, b: (a, a * a), "da"),              # through s only
        Diagnosis(_HALF, lambda a, b: (a * b + a, a * a), "da"),          # direct, or e + s
        Diagnosis(_TWO_PATHS, lambda a, b: (b * a + a * b + a, a * a), "da"),   # missed s
        Diagnosis(_TWO_PATHS, lambda a, b: (a + a * b + a, a * a), "da"),       # missed e
        Diagnosis("db misses the upstream gradient: ∂e/∂b = a is the local gradient, and "
                  "∂f/∂e = ∂f/∂s = a multiplies it, so db = a·a.",
                  lambda a, b: (0.0, a), "db"),
        Diagnosis("swapped multiply gate in e = a·b: b's local gradient is a (the other "
                  "input), so db = a · ∂f/∂e = a·a.",
                  lambda a, b: (0.0, b * a), "db"),
    ],
)


def check_reuse_gradients(fn: Callable[[float, float], tuple[float, float]]) -> Result:
    """Check ``fn(a, b) -> (da, db)`` for ``e = a·b, s = e + a, f = s·a``."""
    return shape_hint(REUSE_GRADIENTS.check(fn))


# -- 5. a gradient check: central differences --------------------------------------------------
def reference_central_gradient(f: Callable[[Array], float], x: Array,
                                 eps: float = 1e-6) -> Array:
    """``g_i = (f(x + ε e_i) − f(x − ε e_i)) / (2ε)`` for every entry ``i`` of the float array
    ``x`` (any shape), one entry nudged at a time; an array of ``x``'s shape, ``x`` unchanged.

    The library's :func:`backprop.gradcheck.numerical_gradient`.
    """
    return gradcheck.numerical_gradient(f, x, eps)


def _cubic(v: Array) -> float:
    """``Σ v_i³ + v0 v1 + v2 v3``, read entry by entry; ``∂f/∂v = 3v² + (v1, v0, v3, v2)``.

    Curved (``f'' = 6 v_i``), so a one-sided difference is off by ``3 ε v_i``; the products
    couple the entries, so an entry computed at a point left shifted shows it.
    """
    return float(v[0] ** 3 + v[1] ** 3 + v[2] ** 3 + v[3] ** 3 + v[0] * v[1] + v[2] * v[3])


def _products_and_sigmoid(X: Array) -> float:
    """``Σ_j X_0j X_1j + Σ_ij σ(X_ij)`` of a ``(2, n)`` array;
    ``∂f/∂X = (X_1 + σ'(X_0), X_0 + σ'(X_1))`` row by row."""
    return float(np.sum(X[0] * X[1]) + np.sum(sigmoid(X)))


def _exp(v: Array) -> float:
    """``Σ e^{1.5 v_i}``: at ``ε = 10⁻²`` its central difference is ``1 + (1.5ε)²/6 ≈ 1 +
    4·10⁻⁵`` times ``1.5 e^{1.5 v_i}``, so a step other than the ``eps`` given shows."""
    return float(np.sum(np.exp(1.5 * v)))


def _neuron(v: Array) -> float:
    """``σ(v0 v1 − v2) + v0 v2``, read entry by entry."""
    return float(sigmoid(v[0] * v[1] - v[2]) + v[0] * v[2])


def _nudged(x: Array, i: tuple, step: float) -> Array:
    """A copy of ``x`` with entry ``i`` moved by ``step``."""
    y = np.array(x, dtype=np.float64)
    y[i] += step
    return y


def _one_sided(f: Callable[[Array], float], x: Array, eps: float = 1e-6,
               side: int = 1) -> Array:
    """The forward (``side = 1``) or backward (``−1``) difference, entry by entry."""
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        grad[i] = side * (f(_nudged(x, i, side * eps)) - f(x)) / eps
    return grad


def _not_restored(f: Callable[[Array], float], x: Array, eps: float = 1e-6) -> Array:
    """Each entry nudged to ``x_i + ε``, then ``x_i − ε``, and left there."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        grad[i] = (f_plus - f(x)) / (2 * eps)
    return grad


def _cumulative(f: Callable[[Array], float], x: Array, eps: float = 1e-6) -> Array:
    """Two copies ``x ± ε`` made once, each nudge kept for the later entries."""
    plus, minus = np.array(x, dtype=np.float64), np.array(x, dtype=np.float64)
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def _all_at_once(f: Callable[[Array], float], x: Array, eps: float = 1e-6) -> Array:
    """``(f(x + ε) − f(x − ε)) / 2ε`` in every entry: the derivative along (1, 1, …, 1)."""
    return np.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps))


def _by_rows(f: Callable[[Array], float], x: Array, eps: float = 1e-6) -> Array:
    """``x[i]`` nudged for ``i in range(len(x))``: a whole row of a 2-D ``x`` at a time."""
    out = []
    for i in range(len(x)):
        plus, minus = np.array(x, dtype=np.float64), np.array(x, dtype=np.float64)
        plus[i] += eps
        minus[i] -= eps
        out.append((f(plus) - f(minus)) / (2 * eps))
    return np.array(out)


def _first_only(f: Callable[[Array], float], x: Array, eps: float = 1e-6) -> Array:
    """The right first entry, zeros elsewhere (the loop over the entries is missing)."""
    grad = np.zeros(x.shape)
    grad.flat[0] = reference_central_gradient(f, np.array(x), eps).flat[0]
    return grad


ONE_SIDED = ("you used a one-sided difference, (f(x + ε e_i) − f(x)) / ε: its error is of "
             "order ε (about ε·f''/2), where the central difference's is of order ε². Evaluate "
             "f on both sides, at x + ε e_i and at x − ε e_i, and divide by 2ε.")
NOT_RESTORED = ("you did not put x back: after its two nudges each entry stays at x_i − ε, so "
                "every later entry is computed at a shifted point, and the caller's x is left "
                "changed. Save the entry, nudge it, and restore it (x[i] = old) before the next "
                "one — or nudge a copy.")
CUMULATIVE = ("your copies keep the nudges of the earlier entries: entry i is computed with "
              "entries 0, …, i all moved by ±ε. Move only entry i: restore it after its two "
              "evaluations (x_plus[i] = x[i]), or copy x afresh for every entry.")
X_CHANGED = ("the result is right, but x is changed after your call: a gradient check must "
             "leave x as it found it (the x it checks is, say, a layer's weights). Save each "
             "entry before its nudge and put it back afterwards (x[i] = old), or nudge a copy.")
X_ROUNDED = ("the result is right, but x is not exactly as before: in floating point "
             "x_i + ε − ε is not always x_i (rounding), so undoing a nudge by subtracting it "
             "leaves some entries a hair off. Save each entry before its nudge and restore it "
             "by assignment, x[i] = old — or nudge a copy.")
PRECEDENCE = ("your result is ε² times the right one: brackets: / (2 * eps). Without them, "
              "`/ 2*eps` divides by 2 and then multiplies by ε, since / and * are done left to "
              "right.")
BY_ROWS = ("for a 2-D x, x[i] with i in range(len(x)) is a whole row: you nudged a row at a "
           "time. Nudge every single entry, x[i, j]; np.ndindex(x.shape) gives the index of "
           "every entry of an array of any shape.")
ONE_NUMBER = ("you returned one number; return an array of x's shape with one partial "
              "derivative in each entry: ∂f/∂x_i, entry by entry (start from np.zeros(x.shape) "
              "and fill in entry i in the loop).")
CENTRAL_GRADIENT = Exercise(
    "central_gradient",
    reference_central_gradient,
    # eps of 1e-3 and 1e-2: a one-sided difference (error ~ε) or a step other than eps
    # (error ~ε²) is far outside the tolerance; the last case runs with the default eps
    cases=[(_cubic, _uniform(4), 1e-3), (_products_and_sigmoid, _uniform(2, 3), 1e-4),
           (_exp, _uniform(5), 1e-2), (_neuron, _uniform(3))],
    diagnoses=[
        Diagnosis(ONE_SIDED, _one_sided),
        Diagnosis(ONE_SIDED, lambda f, x, eps=1e-6: _one_sided(f, x, eps, -1)),
        Diagnosis("your result is twice the right one: the two points x + ε e_i and x − ε e_i "
                  "are 2ε apart, so divide the difference by 2ε, not by ε.",
                  lambda f, x, eps=1e-6: 2 * reference_central_gradient(f, x, eps)),
        Diagnosis(PRECEDENCE, lambda f, x, eps=1e-6: reference_central_gradient(f, x, eps)
                  * eps**2),
        Diagnosis(NOT_RESTORED, _not_restored),
        Diagnosis(CUMULATIVE, _cumulative),
        Diagnosis("you nudged every entry at once (x + ε): that is the derivative along the "
                  "direction (1, 1, …, 1), the sum of all the partial derivatives, the same "
                  "number in every entry. Nudge one entry at a time: x + ε e_i, where e_i is 1 "
                  "at entry i and 0 elsewhere.", _all_at_once),
        Diagnosis(BY_ROWS, _by_rows),
        Diagnosis(BY_ROWS, lambda f, x, eps=1e-6:
                  np.repeat(_by_rows(f, x, eps)[:, None], x.shape[1], 1) if x.ndim == 2 else None),
        Diagnosis("right numbers, flattened: return the gradient in x's shape, "
                  "an array of the same shape as x (np.zeros(x.shape), or .reshape(x.shape)).",
                  lambda f, x, eps=1e-6: reference_central_gradient(f, x, eps).ravel()
                  if x.ndim > 1 else None),
        Diagnosis("only the first entry is filled in: loop over every entry of x and compute "
                  "each ∂f/∂x_i the same way.", _first_only),
        Diagnosis("your result is the central difference with a fixed step, not with the eps "
                  "you were given: use the argument eps (its default is 1e-6).",
                  lambda f, x, eps=1e-6: reference_central_gradient(f, x)),
        Diagnosis("your gradient is all zeros: f got the same array on both sides, so it never "
                  "saw a nudge. Did you nudge x but pass f a copy made before the nudge? Or "
                  "write x_plus = x and x_minus = x, which copy nothing (they are x itself; "
                  "use x.copy())? Or make an int array, where a nudge of 1e-6 rounds away?",
                  lambda f, x, eps=1e-6: np.zeros(np.shape(x)), zeros_are_evidence=True),
    ],
)


def check_central_gradient(fn: Callable[..., Array]) -> Result:
    """Check ``fn(f, x, eps=1e-6) -> g`` of ``x``'s shape, ``g_i = (f(x + ε e_i) −
    f(x − ε e_i)) / (2ε)``, that leaves ``x`` unchanged."""
    result = shape_hint(CENTRAL_GRADIENT.check(fn))
    if result.status != "fail":
        return result
    if "changed its input arrays in place" in result.message:
        return Result("fail", X_ROUNDED if _x_off_by_rounding(fn) else X_CHANGED, result.exercise)
    if result.message.endswith("got ()"):          # a number where an array belongs
        return Result("fail", ONE_NUMBER, result.exercise)
    return result


def _x_off_by_rounding(fn: Callable[..., Array]) -> bool:
    """Whether ``fn`` leaves ``x`` different from before by rounding only (a few units in the
    last place), on the first case where it changes ``x``."""
    for case in CENTRAL_GRADIENT.cases:
        args = copy.deepcopy(case)
        try:
            fn(*args)
            after = np.asarray(args[1], dtype=np.float64)
            if after.shape != case[1].shape:
                return False
        except Exception:                  # the first check ran it; anything odd: not rounding
            return False
        if not np.array_equal(after, case[1]):
            return bool(np.allclose(after, case[1], rtol=1e-12, atol=0.0))
    return False
