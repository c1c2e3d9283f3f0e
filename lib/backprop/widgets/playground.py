"""A training playground (chapter 7), in the spirit of TensorFlow Playground.

A small network ``2 → hidden … → C`` (``backprop.layers.mlp``) learns a 2-D toy set
(``backprop.data.toy``) by full-batch gradient descent: every step is one
``Trainer.step`` on all the points, with softmax cross-entropy and
``W ← W − α ∂L/∂W``. The state after ``steps`` steps is a function of the controls alone, so
``Playground(**controls)`` reproduces it, and the browser (no kernel) recomputes it with the
same arithmetic (``mlmath.js``) from the same initial weights and data, shipped in
``static_data``.

In a notebook the front end drives the training: Start asks for ``steps + 3`` (a short
computation), draws the new state, and asks again; nothing blocks the kernel. The state holds
the loss after every step, the training accuracy, the weights (drawn as edge colours) and the
predicted class and its probability on a grid over the plane (the decision boundary).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from backprop.activations import ACTIVATIONS, softmax
from backprop.data import TOY_SETS, toy
from backprop.layers import Linear, Sequential, mlp
from backprop.losses import SoftmaxCrossEntropy
from backprop.train import Trainer
from backprop.widgets._base import Explorer

#: points per toy set, grid cells per side of the decision-boundary picture
N_POINTS, GRID = 200, 40
#: limits of the network the front end lets a reader build, and of a run
MAX_LAYERS, MAX_WIDTH, MAX_STEPS = 4, 8, 5000
#: the learning rates of the front end's slider (code may set any positive value)
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
#: a model's initial weights are the first standard normals of ``default_rng(seed)``, scaled
#: (this is what ``mlp(sizes, activation, seed=seed)`` draws); enough for the largest network
POOL_SIZE = 2 * MAX_WIDTH + (MAX_LAYERS - 1) * MAX_WIDTH**2 + MAX_WIDTH * 3


def _toy_set(name: str) -> dict[str, Any]:
    """Points, labels and the grid over the plane (padded bounding box) of one toy set."""
    X, y = toy(name, n=N_POINTS, seed=0)
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, GRID)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, GRID)
    return {"X": X.tolist(), "y": y.tolist(), "classes": int(y.max()) + 1,
            "xs": xs.tolist(), "ys": ys.tolist()}


class Playground(Explorer):
    """Train a small network on a 2-D toy set and watch the boundary, loss and weights change.

    Controls
    --------
    dataset : ``"moons"``, ``"xor"``, ``"spirals"`` (3 classes) or ``"blobs"``.
    hidden : widths of the hidden layers, e.g. ``[8, 8]`` (``[]`` is a linear classifier).
    activation : hidden activation: ``"tanh"``, ``"relu"``, ``"sigmoid"`` or ``"identity"``.
    learning_rate : ``α`` of the full-batch gradient step.
    steps : number of gradient steps taken from the initial weights.
    seed : seed of the initial weights.

    State
    -----
    ``sizes``; ``step``; ``loss`` (the loss after 0, 1, …, ``step`` steps); ``accuracy`` on
    the training points; ``weights`` and ``biases`` (lists per layer, ``W : (in, out)``);
    ``grid`` with ``label`` (predicted class) and ``confidence`` (its probability), both
    ``(GRID, GRID)`` with row ``i`` at ``ys[i]`` and column ``j`` at ``xs[j]``.

    A ``model`` (a ``Sequential`` of ``Linear`` and activation layers of one kind with input
    width 2) may be given instead of ``hidden``/``activation``; its weights are not used
    (the playground draws its own, from ``seed``), only its shape.
    """

    _front_end = "playground.js"
    _controls = ("dataset", "hidden", "activation", "learning_rate", "steps", "seed")

    dataset = traitlets.Unicode("moons").tag(sync=True)
    hidden = traitlets.List(traitlets.Int(), default_value=[8, 8]).tag(sync=True)
    activation = traitlets.Unicode("tanh").tag(sync=True)
    learning_rate = traitlets.Float(0.3).tag(sync=True)
    steps = traitlets.Int(0).tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)
    #: every toy set, the pool of initial normals and the limits: what the browser needs
    static_data = traitlets.Dict().tag(sync=True)

    def __init__(self, model: Sequential | None = None, **kwargs: Any) -> None:
        if model is not None:
            kwargs.update(_shape_of(model))
        self._run: _Run | None = None
        super().__init__(**kwargs)

    @traitlets.default("static_data")
    def _static_data(self) -> dict[str, Any]:
        return {
            "sets": {name: _toy_set(name) for name in TOY_SETS},
            "normals": np.random.default_rng(self.seed).standard_normal(POOL_SIZE).tolist(),
            "limits": {"layers": MAX_LAYERS, "width": MAX_WIDTH, "steps": MAX_STEPS},
            "learning_rates": list(LEARNING_RATES),
        }

    @traitlets.validate("seed")
    def _seed_is_not_negative(self, proposal: Any) -> int:
        if proposal["value"] < 0:
            raise traitlets.TraitError(f"seed must be a non-negative integer, got "
                                       f"{proposal['value']}")
        return proposal["value"]

    @traitlets.observe("seed")
    def _new_seed(self, _change: Any) -> None:
        self.static_data = self._static_data()

    def _check(self) -> None:
        if self.dataset not in TOY_SETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; expected one of "
                             f"{', '.join(TOY_SETS)}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; expected one of "
                             f"{', '.join(ACTIVATIONS)}")
        if len(self.hidden) > MAX_LAYERS or not all(1 <= w <= MAX_WIDTH for w in self.hidden):
            raise ValueError(f"hidden = {list(self.hidden)}: use at most {MAX_LAYERS} hidden "
                             f"layers of 1 to {MAX_WIDTH} units")
        if not self.learning_rate > 0:
            raise ValueError(f"the learning rate must be positive, got {self.learning_rate}")
        if not 0 <= self.steps <= MAX_STEPS:
            raise ValueError(f"steps must lie in [0, {MAX_STEPS}], got {self.steps}")

    def compute(self) -> dict:
        self._check()
        key = (self.dataset, tuple(self.hidden), self.activation, self.learning_rate, self.seed)
        if self._run is None or self._run.key != key or self._run.step > self.steps:
            self._run = _Run(key, self.static_data["sets"][self.dataset])
        try:
            self._run.train_to(self.steps)
        except Exception:
            self._run = None  # a diverged run is not continued
            raise
        return self._run.state()

    def set_state(self, sync_data: dict) -> None:
        """Take controls from the front end (the state recomputes), then answer: a
        ``"refreshed"`` message with the error (``""`` on success), sent for every update the
        front end sends, also one that changed nothing. While training, the front end waits
        for it before it asks for the next steps; a change of ``state`` or ``error`` cannot
        tell it, since a diverging run raises the same error at every step."""
        error = None
        try:
            super().set_state(sync_data)
        except Exception as exc:    # a control refused (a TraitError): answer, then raise
            error = str(exc) or type(exc).__name__
            raise
        finally:
            self.send({"type": "refreshed", "error": self.error if error is None else error})

    @property
    def model(self) -> Sequential:
        """The network after ``steps`` steps (the playground's own; train it further by
        setting ``steps``)."""
        if self._run is None:
            raise RuntimeError(f"Playground: no network to show, the last run failed: "
                               f"{self.error}")
        return self._run.model


class _Run:
    """One training run: the model, its trainer, the losses so far and the grid points."""

    def __init__(self, key: tuple, data: dict[str, Any]) -> None:
        dataset, hidden, activation, lr, seed = key
        self.key = key
        self.X, self.y = np.array(data["X"]), np.array(data["y"])
        gx, gy = np.meshgrid(data["xs"], data["ys"])
        self.grid_points = np.column_stack([gx.ravel(), gy.ravel()])
        sizes = [2, *hidden, data["classes"]]
        self.model = mlp(sizes, activation, seed=seed)
        self.trainer = Trainer(self.model, SoftmaxCrossEntropy(), self.X, self.y, lr=lr,
                               batch_size=len(self.X))
        self.losses: list[float] = []  # loss before step 1, 2, …

    @property
    def step(self) -> int:
        return self.trainer.steps

    def train_to(self, steps: int) -> None:
        """Take full-batch gradient steps until ``steps`` have been taken."""
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
            while self.trainer.steps < steps:
                self.losses.append(self.trainer.step(self.X, self.y))

    def state(self) -> dict:
        with np.errstate(over="ignore", invalid="ignore"):  # as in train_to
            loss_now, accuracy = self.trainer.evaluate(self.X, self.y)  # TrainingDiverged
            probs = softmax(self.model.forward(self.grid_points))
        linears = [layer for layer in self.model if isinstance(layer, Linear)]
        return {
            "sizes": [2] + [layer.out_features for layer in linears],
            "step": self.step,
            "loss": [*self.losses, loss_now],
            "accuracy": accuracy,
            "weights": [layer.W.tolist() for layer in linears],
            "biases": [layer.b.tolist() for layer in linears],
            "grid": {"label": probs.argmax(axis=1).reshape(GRID, GRID).tolist(),
                     "confidence": probs.max(axis=1).reshape(GRID, GRID).tolist()},
        }


def _shape_of(model: Sequential) -> dict[str, Any]:
    """``hidden`` and ``activation`` of an ``mlp``-shaped model with input width 2."""
    linears = [layer for layer in model if isinstance(layer, Linear)]
    acts = {type(layer).__name__.lower() for layer in model if not isinstance(layer, Linear)}
    if not linears or linears[0].in_features != 2 or len(acts) > 1:
        raise ValueError("Playground: the model must be Linear layers with one kind of "
                         "activation between them, taking 2 inputs (x1, x2)")
    return {"hidden": [layer.out_features for layer in linears[:-1]],
            "activation": acts.pop() if acts else "identity"}
