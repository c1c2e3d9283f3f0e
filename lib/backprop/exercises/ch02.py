"""Exercises of chapter 2, the chain rule on computational graphs.

Each ``check_<name>(learner_fn)`` runs the learner's function on seeded cases, compares it
with the reference solution (computed by ``Value``, the library's scalar autograd, where a
graph is involved) and, when they differ, names the typical mistake: the multiply gate's two
gradients swapped, the upstream gradient forgotten, ``σ'`` taken at the wrong place, a wrong
sign, a gradient overwritten instead of accumulated. Usage in the notebook::

    from backprop.exercises import ch02
    ch02.check_multiply_gate(multiply_gate)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop.activations import sigmoid
from backprop.exercises._core import Diagnosis, Exercise, Result
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
    return MULTIPLY_GATE.check(fn)


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
    ],
)


def check_sigmoid_gate(fn: Callable[[Array, Array], Array]) -> Result:
    """Check ``fn(z, upstream) -> dz``, the backward pass of ``s = σ(z)``."""
    return SIGMOID_GATE.check(fn)


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
    return NEURON_BACKWARD.check(fn)


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
    return REUSE_GRADIENTS.check(fn)
