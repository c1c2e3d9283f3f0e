"""Exercises of chapter 7, training end to end.

1. ``momentum_step(model, loss, X, y, lr, mu, velocities)``: one step of SGD with momentum by
   hand (forward, loss, backward, ``v ← μ v + ∂L/∂w``, ``w ← w − α v``, in place), checked
   over several steps against ``SGD(model, lr, momentum=mu)``, which ``Trainer`` and ``fit``
   use. (``reference_training_step``, the plain step, is §7.1's.)
2. ``diverging_lr``: a learning rate at which full-batch gradient descent on the digits
   network diverges; the checker trains with it and looks.
3. ``init_weights(n_in, n_out, rng) -> (W, b)``: repair an all-zero initialisation; the
   checker looks at the symmetry, centring and scale of the weights, then trains a network
   initialised by it (biases are judged by whether that network learns).

Usage in the notebook::

    from backprop.exercises import ch07
    ch07.check_momentum_step(momentum_step)
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from backprop import data
from backprop.exercises._core import (
    ATOL,
    LEARNER_ERRORS,
    RTOL,
    Diagnosis,
    Exercise,
    Result,
    almost_equal,
    as_array,
    call_learner,
    constant_factor,
    describe,
    factor_text,
    learner_number,
    raised,
)
from backprop.layers import Layer, Linear, Sequential, Tanh, mlp
from backprop.losses import Loss, SoftmaxCrossEntropy
from backprop.train import Trainer, accuracy, fit

Array = np.ndarray


# -- 1. one step of SGD with momentum, by hand --------------------------------------------------
def reference_training_step(model: Layer, loss: Loss, X: Array, y: Array, lr: float) -> float:
    """Forward, loss, backward and ``w ← w − α ∂L/∂w`` for every parameter; return the loss
    (computed before the update). §7.1 compares it with ``Trainer.step``."""
    value = loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    for param, grad in model.parameters():
        param -= lr * grad
    return value


def reference_momentum_step(model: Layer, loss: Loss, X: Array, y: Array, lr: float, mu: float,
                            velocities: list[Array]) -> float:
    """Forward, loss, backward, then for every parameter ``w`` and its velocity ``v`` (the
    list ``velocities``, in the order of ``model.parameters()``) ``v ← μ v + ∂L/∂w`` and
    ``w ← w − α v``, both in place, as ``SGD(model, lr, momentum=mu).step()`` does. Returns
    the loss computed before the update."""
    value = loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    for v, (param, grad) in zip(velocities, model.parameters(), strict=True):
        v *= mu
        v += grad
        param -= lr * v
    return value


#: calls of the learner's step per test case, on the same model and the same velocities
MOMENTUM_STEPS = 3
#: learning rate and momentum of each test case (two pairs, so that a step that ignores its
#: ``lr`` and ``mu`` for constants of its own cannot pass)
MOMENTUM_RATES = ((0.3, 0.9), (0.1, 0.5))


def _flat_parameters(model: Layer) -> Array:
    """Every parameter of ``model``, raveled and concatenated (a copy)."""
    return np.concatenate([np.ravel(p) for p, _ in model.parameters()]).astype(float)


def _flat_velocities(velocities: Any, model: Layer) -> Any:
    """``velocities`` raveled and concatenated when it still holds one array of numbers per
    parameter, of that parameter's shape; else ``velocities`` itself (the learner broke it)."""
    shapes = [p.shape for p, _ in model.parameters()]
    try:
        if (isinstance(velocities, list) and len(velocities) == len(shapes)
                and all(np.shape(v) == s for v, s in zip(velocities, shapes, strict=True))):
            return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in velocities])
    except Exception:  # not numbers
        pass
    return velocities


def _steps(step: Callable[..., Any]) -> Callable[..., tuple[Any, Any, list]]:
    """A run of ``step`` on a case ``(model, loss, Xs, ys, lr, mu, velocities)``: one call
    per batch ``Xs[k], ys[k]``, all on the same model and the same list ``velocities``.

    Returns ``(parameters, velocities, loss)``: the change of every parameter at every step,
    concatenated, shape ``(steps, P)`` (changes Δw rather than parameters, so that a wrong
    step size shows as a factor); the velocities after the last step, concatenated; the
    values the calls returned."""

    def run(model: Layer, loss: Loss, Xs: tuple, ys: tuple, lr: float, mu: float,
            velocities: list[Array]) -> tuple[Any, Any, list]:
        changes, values = [], []
        for X, y in zip(Xs, ys, strict=True):
            before = _flat_parameters(model)
            values.append(step(model, loss, X, y, lr, mu, velocities))
            after = _flat_parameters(model)
            changes.append(after - before if after.shape == before.shape else None)
        moved = np.stack(changes) if all(c is not None for c in changes) else changes
        return moved, _flat_velocities(velocities, model), values

    run.__wrapped__ = step          # a stub's message looks through to the learner's step
    return run


def _learner_steps(fn: Callable[..., Any]) -> Callable[..., tuple[Any, Any, list]]:
    """``_steps(fn)``, explaining the error of a step that updates before ``backward``."""

    def step(model: Layer, *args: Any) -> Any:
        try:
            return fn(model, *args)
        except TypeError as exc:
            wrong_call = re.search(r"(positional|keyword|required) argument", str(exc))
            try:  # arithmetic on a gradient that is still None, not a call of the wrong kind
                missing = not wrong_call and any(grad is None for _, grad in model.parameters())
            except Exception:  # a model the learner broke: report the original error
                missing = False
            if missing:
                raise TypeError(f"{exc} — a gradient is None: call "
                                "model.backward(loss.backward()) after the forward pass and "
                                "before updating, so that every parameter has its "
                                "gradient.") from exc
            raise

    step.__wrapped__ = fn
    return _steps(step)


def _variant(update: Callable[[Array, Array, Array, float, float], None],
             loss_after: bool = False) -> Callable[..., tuple[Any, Any, list]]:
    """A typical wrong step: ``update(v, param, grad, lr, mu)`` for every parameter instead
    of the right one (``loss_after``: returns the loss after the update)."""

    def step(model: Layer, loss: Loss, X: Array, y: Array, lr: float, mu: float,
             velocities: list[Array]) -> float:
        value = loss.forward(model.forward(X), y)
        model.backward(loss.backward())
        for v, (param, grad) in zip(velocities, model.parameters(), strict=True):
            update(v, param, grad, lr, mu)
        return loss.forward(model.forward(X), y) if loss_after else value

    return _steps(step)


def _momentum(v: Array, param: Array, grad: Array, lr: float, mu: float) -> None:
    v *= mu
    v += grad
    param -= lr * v


def _plain_sgd(v: Array, param: Array, grad: Array, lr: float, mu: float) -> None:
    """The velocity ignored, or a new list of zeros at each call (v = ∂L/∂w every time)."""
    param -= lr * grad


def _velocity_rebound(v: Array, param: Array, grad: Array, lr: float, mu: float) -> None:
    """``v = mu * v + grad``: a new array; the caller's velocities never change."""
    param -= lr * (mu * v + grad)


def _gradient_subtracted(v: Array, param: Array, grad: Array, lr: float, mu: float) -> None:
    v *= mu
    v -= grad
    param -= lr * v


def _step_in_v(v: Array, param: Array, grad: Array, lr: float, mu: float) -> None:
    """The other convention: ``v ← μ v + α g``, ``w ← w − v``."""
    v *= mu
    v += lr * grad
    param -= v


def _step_in_v_negated(v: Array, param: Array, grad: Array, lr: float, mu: float) -> None:
    """The other convention with both signs flipped: ``v ← μ v − α g``, ``w ← w + v``."""
    v *= mu
    v -= lr * grad
    param += v


def _update_first(v: Array, param: Array, grad: Array, lr: float, mu: float) -> None:
    param -= lr * v
    v *= mu
    v += grad


def _fixed_rates(v: Array, param: Array, grad: Array, lr: float, mu: float, *,
                 fixed: tuple[float | None, float | None]) -> None:
    """The right update with ``lr`` or ``mu`` (where ``fixed`` gives one) replaced by a
    constant: a step that ignores its arguments for numbers of its own."""
    _momentum(v, param, grad, lr if fixed[0] is None else fixed[0],
              mu if fixed[1] is None else fixed[1])


def _fixed_rate_variants() -> list[tuple[tuple[float | None, float | None], list[str], str]]:
    """``(fixed, names, rates)`` for each test case's rates, hard-coded: both, ``lr`` only,
    ``mu`` only; ``names`` are the arguments ignored, ``rates`` the constants in words."""
    variants = []
    for lr, mu in MOMENTUM_RATES:
        variants += [((lr, mu), ["`lr`", "`mu`"], f"α = {lr:g}, μ = {mu:g}"),
                     ((lr, None), ["`lr`"], f"α = {lr:g}"),
                     ((None, mu), ["`mu`"], f"μ = {mu:g}")]
    return variants


def _parameters_rebound(v: Array, param: Array, grad: Array, lr: float, mu: float) -> None:
    """``param = param - lr * v``: the layer keeps its old array."""
    v *= mu
    v += grad


def _momentum_cases() -> list[tuple]:
    """Two networks, ``MOMENTUM_STEPS`` batches each: the first in the middle of a run (its
    velocities built up by two steps, so that a step that starts from zeros, or never stores
    v, shows), the second from zero velocities, as a run starts."""
    rng = np.random.default_rng(7)
    cases = []
    shapes = (([4, 5, 3], "tanh", 6, 2), ([3, 4, 4, 2], "relu", 5, 0))
    for (sizes, act, n, warm), (lr, mu) in zip(shapes, MOMENTUM_RATES, strict=True):
        def batch(n: int = n, sizes: list[int] = sizes) -> tuple[Array, Array]:
            return rng.standard_normal((n, sizes[0])), rng.integers(0, sizes[-1], n)

        model = mlp(sizes, act, rng=rng)
        velocities = [np.zeros_like(p) for p, _ in model.parameters()]
        warmed = copy.deepcopy(model)
        for _ in range(warm):
            reference_momentum_step(warmed, SoftmaxCrossEntropy(), *batch(), lr, mu,
                                    velocities)
        for (param, _), (value, _) in zip(model.parameters(), warmed.parameters(),
                                          strict=True):
            param[...] = value        # no gradients yet, as before a learner's first step
        batches = [batch() for _ in range(MOMENTUM_STEPS)]
        cases.append((model, SoftmaxCrossEntropy(), tuple(X for X, _ in batches),
                      tuple(y for _, y in batches), lr, mu, velocities))
    return cases


def _momentum_problem(got: Any, want: Any, model: Layer) -> str | None:
    """How the learner's parameter changes ``got`` (one row per step) differ from the right
    ones ``want``: at which step, and in the first step for which parameter; ``None`` when
    the generic diagnosis says it better (wrong shape, NaN)."""
    got, want = as_array(got), as_array(want)
    if got is None or want is None or got.shape != want.shape or not np.all(np.isfinite(got)):
        return None
    wrong = [k for k in range(len(want))
             if not np.allclose(got[k], want[k], rtol=RTOL, atol=ATOL)]
    if not wrong or almost_equal(got, want):      # rounding: the generic "almost right"
        return None
    if wrong[0] > 0:
        k = wrong[0] + 1
        return (f"step {k - 1} moved the parameters as it should, step {k} did not: what your "
                "function leaves in `velocities` is not the new v (the v ← μ v + ∂L/∂w that "
                "moved w), so the next step starts from a wrong velocity.")
    start = 0
    for name, param, _ in model.named_parameters():
        g, w = got[0, start:start + param.size], want[0, start:start + param.size]
        start += param.size
        if np.allclose(g, w, rtol=RTOL, atol=ATOL):
            continue
        if np.allclose(g, 0, atol=ATOL):
            return (f"in the first step {name} did not change: update every parameter that "
                    "model.parameters() yields, each with its own velocity.")
        c = constant_factor(g, w)
        if c is not None:
            way = "the wrong way (uphill), " if c < 0 else ""
            return (f"in the first step {name} moved {way}{factor_text(abs(c))} times as far "
                    "as it should: v ← μ v + ∂L/∂w, then w ← w − α v, with α once.")
        diff = np.abs(g - w)
        i = int(np.argmax(diff))
        where = tuple(int(j) for j in np.unravel_index(i, param.shape))
        return (f"in the first step {name} moved wrongly: at index {where} it changed by "
                f"{g[i]:.6g} where −α v is {w[i]:.6g}.")
    return None


class _MomentumExercise(Exercise):
    """Several momentum steps, whose parameter changes are explained step by step."""

    def _inputs_changed(self, args: tuple, case: tuple) -> list[int]:
        """Only ``Xs``, ``ys``, ``lr`` and ``mu``: a step changes the model, the loss's caches
        and the velocities."""
        return [i + 2 for i in super()._inputs_changed(args[2:6], case[2:6])]

    def _first_problem(self, actual: Any, expected: Any, case: tuple) -> str | None:
        for value in actual[2] if isinstance(actual, tuple) and len(actual) == 3 else ():
            if value is None:
                return "loss: your function returned None — did you forget `return`?"
            number = as_array(value)
            if number is None or number.ndim != 0:
                return (f"loss: return the loss value (a number, the one loss.forward gives), "
                        f"got {describe(value)}.")
        problem = super()._first_problem(actual, expected, case)
        known = {f"{d.output}: {d.message}" for d in self.diagnoses}
        if problem is None or problem in known:
            return problem
        if problem.startswith("parameters: ") and not isinstance(actual[0], np.ndarray):
            return ("parameters: a parameter changed its shape or type: update each one in "
                    "place (param -= ...) by an array of its own shape.")
        if problem.startswith("velocities: ") and not isinstance(actual[1], np.ndarray):
            return (f"velocities: keep `velocities` the list it was, one array per parameter "
                    f"in the order of model.parameters(), each of its parameter's shape, and "
                    f"change those arrays in place; it now holds {describe(actual[1])}.")
        if problem.startswith("parameters: "):
            try:
                better = _momentum_problem(actual[0], expected[0], case[0])
            except Exception:  # never raise from a checker: keep the generic diagnosis
                better = None
            return f"parameters: {better}" if better else problem
        return problem


_CONVENTION = ("Equivalent for a constant α, but the velocities given here are in the "
               "library's (and PyTorch's) convention: v ← μ v + ∂L/∂w, w ← w − α v.")

MOMENTUM_STEP = _MomentumExercise(
    "momentum_step",
    _steps(reference_momentum_step),
    cases=_momentum_cases(),
    outputs=("parameters", "velocities", "loss"),
    diagnoses=[
        Diagnosis("your parameters moved as plain SGD moves them, w ← w − α ∂L/∂w: the "
                  "velocity plays no part. Either your step ignores `velocities`, or it starts "
                  "from a new list of zeros at every call, so that v = ∂L/∂w every time and "
                  "momentum never builds up. Use the list you are given: it carries v from "
                  "one call to the next.", _variant(_plain_sgd), "parameters"),
        Diagnosis("every step started again from the velocities it was given: your step "
                  "computes μ v + ∂L/∂w but puts it in a new array (v = mu * v + grad, or a "
                  "new list), so the list `velocities` never changes and the next call does "
                  "not see the new v. Change the arrays in place: v *= mu, then v += grad "
                  "(or assign velocities[i] = ...).", _variant(_velocity_rebound), "parameters"),
        Diagnosis("you subtracted the gradient in v (v ← μ v − ∂L/∂w), so v points uphill and "
                  "w ← w − α v climbs: v adds the gradient, v ← μ v + ∂L/∂w; the minus sign "
                  "is in the update of w.", _variant(_gradient_subtracted), "parameters"),
        Diagnosis("your v is the step itself, the other convention: v ← μ v + α ∂L/∂w, "
                  "w ← w − v, whose v is α times the library's. " + _CONVENTION,
                  _variant(_step_in_v), "parameters"),
        Diagnosis("your v is minus the step, the other convention with both signs flipped: "
                  "v ← μ v − α ∂L/∂w, w ← w + v, whose v is −α times the library's. "
                  + _CONVENTION, _variant(_step_in_v_negated), "parameters"),
        Diagnosis("you moved w with the old v and updated v afterwards, so every step uses the "
                  "velocity of the step before (from v = 0 the first step does not move at "
                  "all). Update v first, v ← μ v + ∂L/∂w, then w ← w − α v with the new v.",
                  _variant(_update_first), "parameters"),
        Diagnosis("no parameter changed — did you update in place (param -= lr * v)? "
                  "param = param - lr * v would make a new array and bind the name param to "
                  "it, while the layer keeps the old one.",
                  _variant(_parameters_rebound), "parameters", zeros_are_evidence=True),
        *(Diagnosis(f"your step ignores its argument{'s' if len(names) > 1 else ''} "
                    f"{' and '.join(names)}: it moved the parameters as {rates} would, the "
                    "rates of one test case but not of this one. Use the lr and mu the step "
                    "is given (the caller chooses them), not numbers of your own.",
                    _variant(functools.partial(_fixed_rates, fixed=fixed)), "parameters")
          for fixed, names, rates in _fixed_rate_variants()),
        Diagnosis("return the loss computed before the update (the one backward "
                  "differentiated), as Trainer.step does; yours is the loss after the step.",
                  _variant(_momentum, loss_after=True), "loss"),
    ],
)


def check_momentum_step(fn: Callable[..., float]) -> Result:
    """Check ``fn(model, loss, X, y, lr, mu, velocities) -> loss value``, which must update
    ``velocities`` and ``model``'s parameters in place as ``SGD(model, lr, momentum=mu)``
    does: ``MOMENTUM_STEPS`` calls per network, on the same list ``velocities``."""
    return MOMENTUM_STEP.check(_learner_steps(fn) if callable(fn) else fn)


# -- 2. a learning rate that diverges ---------------------------------------------------------
#: full-batch gradient descent on the digits network with tanh: steps taken by the checker
DIVERGE_STEPS = 30


@functools.lru_cache(maxsize=1)
def _digits_train() -> tuple[Array, Array]:
    X, y = data.digits()
    X_train, _, y_train, _ = data.train_test_split(X / 16.0, y, test_fraction=0.25, seed=0)
    return X_train, y_train


def full_batch_losses(lr: float, steps: int = DIVERGE_STEPS) -> list[float]:
    """Losses of ``steps`` full-batch gradient steps with learning rate ``lr`` on the digits
    training set (pixels / 16), network ``mlp([64, 256, 10], "tanh", seed=0)``, softmax
    cross-entropy; the last entry is the loss after the last step (``nan`` once the logits
    overflow). Runs are remembered, so asking twice costs nothing."""
    return list(_full_batch_losses(float(lr), steps))


@functools.lru_cache(maxsize=32)
def _full_batch_losses(lr: float, steps: int) -> tuple[float, ...]:
    X, y = _digits_train()
    net, loss = mlp([64, 256, 10], "tanh", seed=0), SoftmaxCrossEntropy()
    trainer = Trainer(net, loss, X, y, lr=lr, batch_size=len(X))
    losses = []
    with np.errstate(all="ignore"):
        try:
            for _ in range(steps):
                losses.append(trainer.step(X, y))
            losses.append(loss.forward(net.forward(X), y))
        except ValueError:  # NaN or inf logits: diverged beyond doubt
            losses.append(float("nan"))
    return tuple(losses)


def check_diverging_lr(value: Any) -> Result:
    """Check a learning rate at which full-batch gradient descent on the digits network
    diverges (the loss ends higher than it started, or overflows): a number, or a function
    returning it, as for :meth:`Exercise.check_number`; ``...`` or ``None``: not done yet."""
    name = "diverging_lr"
    lr = learner_number(value, name)
    if isinstance(lr, Result):
        return lr
    if not np.isfinite(lr):
        return Result("fail", f"α = {lr} is not a finite number: choose a finite rate that "
                      "still makes training blow up.", name)
    if lr <= 0:
        return Result("fail", f"α = {lr:g} is not a learning rate: a step w − α ∂L/∂w with "
                      "α ≤ 0 stands still or climbs the loss on purpose. Find a positive α so "
                      "large that descending steps overshoot.", name)
    try:
        losses = full_batch_losses(lr)
    except Exception as exc:  # never raise from a checker
        return Result("error", f"training raised {type(exc).__name__}: {exc}", name)
    start, end = losses[0], losses[-1]
    if not np.isfinite(end) or end > start:
        outcome = ("the logits overflowed (NaN/inf)" if not np.isfinite(end)
                   else f"the loss went from {start:.3f} up to {end:.4g}")
        return Result("pass", f"with α = {lr:g}, {outcome} in {DIVERGE_STEPS} steps: each "
                      "step overshoots the valley it aims for, by more every time.", name)
    if lr < 1e-2:
        return Result("fail", f"with α = {lr:g} the loss only crept from {start:.3f} to "
                      f"{end:.3f}: far too small to diverge; think orders of magnitude "
                      "(×10, ×100).", name)
    return Result("fail", f"with α = {lr:g} the loss still fell from {start:.3f} to "
                  f"{end:.3f} in {DIVERGE_STEPS} steps: training is still converging. Try a "
                  "larger α.", name)


# -- 3. repair a broken initialisation --------------------------------------------------------
def broken_init(n_in: int, n_out: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """The broken initialisation of the chapter: every weight and bias zero."""
    return np.zeros((n_in, n_out)), np.zeros(n_out)


def reference_init_weights(n_in: int, n_out: int,
                           rng: np.random.Generator) -> tuple[Array, Array]:
    """Xavier: ``W ~ N(0, 2 / (n_in + n_out))`` (random, so units differ), ``b = 0``."""
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out)), np.zeros(n_out)


#: widths of the network the checker initialises and trains (digits, tanh)
INIT_SIZES = (64, 32, 32, 10)
#: test accuracy the trained network must reach
INIT_ACCURACY = 0.9


def network_from_init(init: Callable[[int, int, np.random.Generator], tuple[Array, Array]],
                      sizes: tuple[int, ...] = INIT_SIZES, seed: int = 0) -> Sequential:
    """``Linear, Tanh, …, Linear`` with each layer's ``(W, b) = init(n_in, n_out, rng)``."""
    rng = np.random.default_rng(seed)
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        W, b = init(n_in, n_out, rng)
        layers.append(Linear.from_weights(W, b))
        if i < len(sizes) - 2:
            layers.append(Tanh())
    return Sequential(*layers)


def train_digits(net: Sequential, epochs: int = 10) -> float:
    """Train ``net`` on the digits (pixels / 16) with SGD, batch 32, α = 0.1; test accuracy."""
    X, y = data.digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X / 16.0, y, 0.25, seed=0)
    fit(net, SoftmaxCrossEntropy(), X_train, y_train, epochs=epochs, batch_size=32, lr=0.1,
        progress=False)
    return accuracy(net, X_test, y_test)


def _init_problem(W: Any, b: Any, n_in: int, n_out: int) -> str | None:
    """What is wrong with one layer's ``(W, b)``, or ``None``. The size of the biases is
    judged by training (``check_init_weights``): random biases of moderate size still learn."""
    if any(np.iscomplexobj(x) for x in (W, b)):
        return ("W or b holds complex numbers (an array + 0j, or np.sqrt of a negative "
                "number?): weights and biases are real numbers.")
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if W.shape == (n_out, n_in) and n_in != n_out:
        return (f"W has shape {W.shape}: in the row convention W is (n_in, n_out) = "
                f"{(n_in, n_out)}, one row per input.")
    if W.shape != (n_in, n_out) or b.shape != (n_out,):
        return (f"expected W of shape {(n_in, n_out)} and b of shape {(n_out,)}, got "
                f"{W.shape} and {b.shape}.")
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        return "W or b contains NaN or inf."
    if np.all(W == 0):
        return ("every weight is zero: every hidden unit computes the same value and, with "
                "W = 0 above it, gets a zero gradient, so nothing but the output bias ever "
                "learns. Draw W at random.")
    if np.allclose(W, W[:, :1]):
        return ("all columns of W are equal, so every unit of the layer computes the same "
                "thing and receives the same gradient: they stay identical forever "
                "(symmetry). Draw each weight at random.")
    if n_in > 1 and np.allclose(W, W[:1]):
        return ("all rows of W are equal, so each unit sees only the sum of its inputs "
                "(times its own weight): the units differ by a scale only, and no unit can "
                "tell one input from another. Draw each weight at random.")
    mirrored = _mirrored_columns(W)
    if mirrored:
        i, j = mirrored
        return (f"columns {i} and {j} of W are equal up to sign, so units {i} and {j} of the "
                "layer compute the same thing (or its negative): the layer has fewer "
                "different units than it seems. Draw each weight at random.")
    rank = int(np.linalg.matrix_rank(W))
    if rank < min(n_in, n_out):
        return (f"W has a pattern, not random entries: its rank is {rank}, where random "
                f"weights have {min(n_in, n_out)}, so its {n_out} units compute combinations "
                f"of only {rank} different sums of the inputs (a linspace, a checkerboard or "
                "repeated columns give that). Draw each weight at random.")
    return None


def _scale_problem(W: Any, n_in: int, n_out: int) -> tuple[str, str] | None:
    """Why one layer's weights ``W`` (checked by :func:`_init_problem`) may keep the network
    from learning: not centred on zero, too large or too small, as ``(message, note)``: the
    message for a network that then does not learn, the note for one that learns all the same;
    ``None`` when they are neither. Training decides (weights 4× Xavier's still learn here)."""
    W = np.asarray(W, dtype=float)
    good = np.sqrt(2.0 / (n_in + n_out))
    mean, std = float(W.mean()), float(W.std())
    layer = f"layer {n_in}→{n_out}"
    if abs(mean) > 0.5 * std:
        return (f"{layer}: the weights are not centred on zero: mean(W) = {mean:.3g} against "
                f"std(W) = {std:.3g}, so nearly all of them have the same sign. Every unit "
                "then adds up its inputs with the same sign, and all units of the layer "
                "compute nearly the same sum — large ones saturate tanh. Draw weights of both "
                "signs, centred on zero (rng.standard_normal, or rng.uniform(-r, r)).",
                f"the weights of {layer} are not centred on zero (mean(W) = {mean:.3g}, "
                f"std(W) = {std:.3g}); weights of both signs are the usual start.")
    if std > 3 * np.sqrt(2.0 / n_in):
        return (f"{layer}: the weights are too large: std(W) = {std:.3g} for {n_in} inputs, "
                f"where about {good:.3g} (Xavier, √(2/(n_in+n_out))) keeps z of the size of "
                "x; large z saturates tanh, where its slope is near 0 and little gradient gets "
                "through.",
                f"the weights of {layer} are larger than Xavier's (std(W) = {std:.3g}, where "
                f"√(2/(n_in+n_out)) = {good:.3g} keeps z of the size of x); this network "
                "copes, but larger weights, or more layers, saturate tanh.")
    if std < good / 10:
        return (f"{layer}: the weights are too small: std(W) = {std:.3g}, where about "
                f"{good:.3g} (√(2/(n_in+n_out))) keeps the signal's size; smaller weights "
                "shrink it layer after layer, and the gradients of the early layers with it.",
                f"the weights of {layer} are smaller than Xavier's (std(W) = {std:.3g}, where "
                f"√(2/(n_in+n_out)) = {good:.3g} keeps the signal's size); this network "
                "copes, but in a deeper one the signal shrinks layer after layer.")
    return None


def _mirrored_columns(W: Array) -> tuple[int, int] | None:
    """Two columns ``i < j`` of ``W`` that are equal or opposite, or ``None``."""
    norms = np.linalg.norm(W, axis=0)
    cosines = (W.T @ W) / np.maximum(np.outer(norms, norms), 1e-300)
    i, j = np.nonzero(np.triu(np.abs(cosines) > 1 - 1e-9, k=1)
                      & np.isclose(norms[:, None], norms[None, :], rtol=1e-9))
    return (int(i[0]), int(j[0])) if len(i) else None


def _call_init(fn: Callable[..., Any], n_in: int, n_out: int,
               rng: np.random.Generator) -> tuple | Result:
    """``fn(n_in, n_out, rng)``, a pair ``(W, b)``; or the result that says why it is not."""
    name = "init_weights"
    result = call_learner(fn, (n_in, n_out, rng), name, ["n_in", "n_out", "rng"])
    if isinstance(result, Result):
        return result
    if not isinstance(result, (tuple, list)) or len(result) != 2:  # None: forgot return?
        return Result("fail", f"return a pair (W, b), got {describe(result)}.", name)
    return tuple(result)


def _same_weights(W: Any, other: Any) -> bool:
    """Whether ``other`` is the same array of weights as ``W``."""
    try:
        return bool(np.array_equal(np.asarray(W, dtype=float), np.asarray(other, dtype=float)))
    except (TypeError, ValueError):  # not numbers, or ragged: not the same
        return False


def check_init_weights(fn: Callable[[int, int, np.random.Generator], tuple[Array, Array]]
                       ) -> Result:
    """Check ``fn(n_in, n_out, rng) -> (W, b)``: random, well scaled, and a network
    initialised with it learns the digits."""
    name = "init_weights"
    if not callable(fn):
        return Result("fail", f"expected a function, got {type(fn).__name__}", name)
    sizes = list(zip(INIT_SIZES[:-1], INIT_SIZES[1:], strict=True))
    rng = np.random.default_rng(0)
    largest_bias, scale = 0.0, None
    for n_in, n_out in sizes:
        result = _call_init(fn, n_in, n_out, copy.deepcopy(rng))
        if isinstance(result, Result):
            return result
        try:
            problem = _init_problem(*result, n_in, n_out)
            scale = scale or (None if problem else _scale_problem(result[0], n_in, n_out))
        except (TypeError, ValueError) as exc:
            return Result("fail", f"W and b must be arrays of numbers ({exc}).", name)
        if problem:
            return Result("fail", f"layer {n_in}→{n_out}: {problem}", name)
        other = _call_init(fn, n_in, n_out, np.random.default_rng(1))
        if isinstance(other, Result):
            return other
        if _same_weights(result[0], other[0]):
            return Result("fail", f"layer {n_in}→{n_out}: W comes out the same for two "
                          "generators seeded differently: draw it from the rng you are given "
                          "(rng.standard_normal, rng.uniform), so that it is random, and "
                          "the same again for the same seed.", name)
        again = _call_init(fn, n_in, n_out, copy.deepcopy(rng))
        if isinstance(again, Result):
            return again
        if not _same_weights(result[0], again[0]):
            return Result("fail", f"layer {n_in}→{n_out}: W comes out different for two "
                          "generators seeded the same: your function draws its random numbers "
                          "from somewhere else than `rng` (np.random.randn, np.random.rand, "
                          "or a generator of its own such as np.random.default_rng() without "
                          "a seed). Draw them from `rng` (rng.standard_normal, rng.uniform), "
                          "so that the same seed gives the same weights and a run can be "
                          "repeated.", name)
        largest_bias = max(largest_bias, float(np.abs(np.asarray(result[1], float)).max()))
    try:
        with np.errstate(all="ignore"):     # huge weights overflow; the accuracy says so
            acc = train_digits(network_from_init(fn))
    except LEARNER_ERRORS as exc:  # e.g. an init that depends on global state in odd ways
        if scale:
            return Result("fail", f"{scale[0]} Training a network initialised with them "
                          f"failed ({type(exc).__name__}).", name)
        return Result("error", raised("training a network initialised by your function", exc),
                      name)
    reached = (f"a {INIT_SIZES} tanh network initialised with them reaches only {acc:.1%} "
               "test accuracy after 10 epochs")
    if acc < INIT_ACCURACY and scale:
        return Result("fail", f"{scale[0]} So {reached}.", name)
    if acc < INIT_ACCURACY and largest_bias > 1:
        return Result("fail", f"the biases are large (up to {largest_bias:.3g}): they push the "
                      "tanh units towards saturation, where f'(z) ≈ 0 and little gradient "
                      f"gets through, and {reached}. Start the biases at zero: the random "
                      "weights already make the units differ.", name)
    if acc < INIT_ACCURACY:
        return Result("fail", f"the weights look reasonable, but {reached}.", name)
    note = (" Your biases are not zero, which works here; zero is the usual start, since the "
            "random weights already make the units differ." if largest_bias > 0 else "")
    if scale:
        return Result("pass", f"random, and a {INIT_SIZES} tanh network initialised with it "
                      f"reaches {acc:.1%} test accuracy after 10 epochs. Note that "
                      f"{scale[1]}{note}", name)
    return Result("pass", f"random and well scaled: a {INIT_SIZES} tanh network initialised "
                  f"with it reaches {acc:.1%} test accuracy after 10 epochs.{note}", name)
