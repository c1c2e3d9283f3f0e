"""Where the large network's training step spends its time outside the matrix products.

The step of ``784-512-512-10`` (batch 512, float32, SGD with momentum) is timed whole and
with one part taken out at a time: the update, the two ReLU layers (passed through) or the
loss (a fixed gradient). All variants run in one process, in alternating blocks, so the
difference between the whole step and a variant is that part's cost *inside* the step.
Next to it, each part is timed alone on arrays that stay in the cache, repeated back to back:
the update and the ReLUs cost 1.2–1.6 times more inside the step, where every array they read
was just written by a matrix product on both cores or evicted by one.
"""

from __future__ import annotations

import numpy as np
from step_vs_torch import LARGE_SIZES, MOMENTUM, interleaved, matrix_products

from backprop.layers import Layer, ReLU, mlp
from backprop.losses import SoftmaxCrossEntropy
from backprop.optim import SGD
from backprop.train import Trainer

BATCH = 512
#: small enough that no variant drifts far in thousands of steps (a fixed gradient pushes the
#: weights the same way every step); the time of a step does not depend on it
LR = 1e-6


class PassThrough(Layer):
    """Stands in for a ReLU: hands ``X`` and ``dY`` on untouched."""

    def _forward(self, X: np.ndarray) -> np.ndarray:
        return X

    def _backward(self, dY: np.ndarray) -> np.ndarray:
        return dY


class NoUpdate(SGD):
    """SGD that leaves the parameters alone."""

    def step(self) -> None:
        pass


class FixedGradient(SoftmaxCrossEntropy):
    """A loss that costs nothing: value 0, gradient a fixed array."""

    def forward(self, logits: np.ndarray, labels: np.ndarray) -> float:
        self._grad = np.full(logits.shape, 1e-3, logits.dtype)
        return 0.0

    def backward(self) -> np.ndarray:
        return self._grad


def large_trainer(X, y, *, update=SGD, relu=ReLU, loss=SoftmaxCrossEntropy,
                  lr: float = LR) -> Trainer:
    """A trainer of the large network whose optimizer, ReLU layers and loss may be swapped."""
    net = mlp(list(LARGE_SIZES), "relu", seed=0, dtype=np.float32)
    net.layers = tuple(relu() if isinstance(layer, ReLU) else layer for layer in net.layers)
    trainer = Trainer(net, loss(), X, y, lr=lr, momentum=MOMENTUM, batch_size=BATCH)
    trainer.optimizer = update(net, lr=lr, momentum=MOMENTUM)
    return trainer


def large_batch() -> tuple[np.ndarray, np.ndarray]:
    """Seeded batch: ``X : (BATCH, 784)`` float32, labels ``(BATCH,)``."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((BATCH, LARGE_SIZES[0])).astype(np.float32)
    return X, rng.integers(0, LARGE_SIZES[-1], BATCH)


def run(steps: int = 400) -> dict[str, float]:
    X, y = large_batch()
    variants = {
        "whole step": large_trainer(X, y),
        "without the update": large_trainer(X, y, update=NoUpdate),
        "without the ReLUs": large_trainer(X, y, relu=PassThrough),
        "without the loss": large_trainer(X, y, loss=FixedGradient),
    }
    fns = {name: (lambda t=t: t.step(X, y)) for name, t in variants.items()}
    fns["matrix products"] = matrix_products(variants["whole step"].model, X)
    medians = interleaved(fns, steps, block=10, warmup=10)

    whole = variants["whole step"]
    relus = [layer for layer in whole.model if isinstance(layer, ReLU)]
    hidden = [whole.model[0].forward(X)]
    hidden.append(whole.model[2].forward(relus[0].forward(hidden[0])))
    relus[1].forward(hidden[1])
    logits = whole.model.forward(X)

    def relu_both() -> None:
        for layer, Z in zip(relus, hidden, strict=True):
            layer.forward(Z)
            layer.backward(Z)

    def loss_both() -> None:
        whole.loss.forward(logits, y)
        whole.loss.backward()

    # each part alone: one block of all its calls, back to back, so its arrays stay in the cache
    alone = interleaved({"the update": whole.optimizer.step, "the ReLUs": relu_both,
                         "the loss": loss_both}, steps=300, block=300, warmup=10)
    step, products = medians["whole step"], medians["matrix products"]
    print(f"784-512-512-10, batch {BATCH}, float32: step {step * 1e3:.2f} ms, matrix products "
          f"{products * 1e3:.2f} ms, the rest {(step - products) * 1e3:.2f} ms")
    print(f"{'part of the step':<20} {'in the step':>12} {'alone':>10} {'ratio':>6}")
    for part, t_alone in alone.items():
        inside = step - medians[f"without {part}"]
        print(f"{part:<20} {inside * 1e3:>10.2f}ms {t_alone * 1e3:>8.2f}ms "
              f"{inside / t_alone:>6.1f}")
    return {"elementwise_ms_large": (step - products) * 1e3}


if __name__ == "__main__":
    for key, value in run().items():
        print(key, f"{value:.4f}")
