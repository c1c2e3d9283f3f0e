"""What compiled, fused kernels would buy the large network's step: a what-if, not the library.

NumPy makes one pass over memory per operation: the momentum update ``v ← μ v + g``,
``w ← w − α v`` takes four passes (``v *= μ``, ``v += g``, ``t = α v``, ``w -= t``) and ReLU's
backward two (the mask, then the product). A compiled loop does each in one pass. This script
swaps exactly these for numba kernels (serial: one core, like NumPy's element-wise work), checks
that the step still computes the same numbers, and times it against the library's step, PyTorch's
and the matrix products alone, in alternating blocks in one process. The *share* column is the
products' time over each step's, PyTorch's included: how close each step gets to the products.

The library itself stays plain NumPy: a compiler in it would be one more thing for a learner
to install and to read past. (numba's ``parallel=True`` is no way out either: its thread pool
and OpenBLAS's then fight over the two cores, and the step took 44–48 ms instead of 8.)
"""

from __future__ import annotations

import numpy as np
from numba import njit
from step_profile import BATCH, large_batch, large_trainer
from step_vs_torch import (
    LR,
    blas_threads,
    interleaved,
    matrix_products,
    torch_training_step,
)

from backprop.layers import ReLU
from backprop.optim import SGD
from backprop.train import Trainer


@njit(cache=True)
def _momentum_update(w: np.ndarray, v: np.ndarray, g: np.ndarray, mu: float, lr: float) -> None:
    """``v ← μ v + g``, ``w ← w − α v`` for flat ``w, v, g``, in one pass."""
    for i in range(w.size):
        v[i] = mu * v[i] + g[i]
        w[i] -= lr * v[i]


@njit(cache=True)
def _relu(z: np.ndarray, out: np.ndarray) -> None:
    """``out = max(0, z)`` for flat arrays."""
    for i in range(z.size):
        out[i] = z[i] if z[i] > 0 else 0


@njit(cache=True)
def _relu_backward(dy: np.ndarray, z: np.ndarray, out: np.ndarray) -> None:
    """``out = dy ⊙ [z > 0]`` for flat arrays, in one pass."""
    for i in range(dy.size):
        out[i] = dy[i] if z[i] > 0 else 0


class FusedSGD(SGD):
    """``SGD`` with momentum whose update is one compiled pass per parameter."""

    def step(self) -> None:
        pairs = list(self.model.parameters())
        if self._velocity is None:
            self._velocity = [np.zeros_like(param) for param, _ in pairs]
        for v, (param, grad) in zip(self._velocity, pairs, strict=True):
            mu, lr = param.dtype.type(self.momentum), param.dtype.type(self.lr)
            _momentum_update(param.reshape(-1), v.reshape(-1), grad.reshape(-1), mu, lr)


class FusedReLU(ReLU):
    """``ReLU`` whose forward and backward are one compiled pass each."""

    def _forward(self, X: np.ndarray) -> np.ndarray:
        out = np.empty_like(X)
        _relu(X.reshape(-1), out.reshape(-1))
        return out

    def _backward(self, dY: np.ndarray) -> np.ndarray:
        out = np.empty_like(dY)
        _relu_backward(dY.reshape(-1), self._X.reshape(-1), out.reshape(-1))
        return out


def _check_same_steps(plain: Trainer, fused: Trainer, X: np.ndarray, y: np.ndarray,
                      steps: int = 5) -> None:
    """The fused step must train exactly like the library's (to float32 rounding)."""
    for _ in range(steps):
        loss_plain, loss_fused = plain.step(X, y), fused.step(X, y)
    pairs = zip(plain.model.parameters(), fused.model.parameters(), strict=True)
    if not (np.isclose(loss_plain, loss_fused, rtol=1e-5)
            and all(np.allclose(p, q, rtol=1e-4, atol=1e-6) for (p, _), (q, _) in pairs)):
        raise AssertionError("the fused step does not train like the library's step")


def run(steps: int = 200) -> dict[str, float]:
    import torch

    torch.set_num_threads(blas_threads())
    X, y = large_batch()
    plain = large_trainer(X, y, lr=LR)
    fused = large_trainer(X, y, update=FusedSGD, relu=FusedReLU, lr=LR)
    _check_same_steps(plain, fused, X, y)
    medians = interleaved({
        "backprop (NumPy)": lambda: plain.step(X, y),
        "fused update and ReLU (numba)": lambda: fused.step(X, y),
        "PyTorch": torch_training_step(plain.model, X, y),
        "matrix products": matrix_products(plain.model, X),
    }, steps, block=10, warmup=10)
    torch_s, gemm_s = medians["PyTorch"], medians["matrix products"]
    print(f"784-512-512-10, batch {BATCH}, float32, {blas_threads()} threads")
    print(f"{'training step':<32} {'time':>9} {'/ PyTorch':>10} {'share':>6}")
    for name, seconds in medians.items():
        if name != "matrix products":
            print(f"{name:<32} {seconds * 1e3:>7.2f}ms {seconds / torch_s:>10.3f} "
                  f"{gemm_s / seconds:>6.3f}")
    print(f"{'its matrix products alone':<32} {gemm_s * 1e3:>7.2f}ms")
    fused_s = medians["fused update and ReLU (numba)"]
    return {"step_ratio_large_fused": fused_s / torch_s,
            "gemm_share_large_fused": gemm_s / fused_s}


if __name__ == "__main__":
    for key, value in run().items():
        print(key, f"{value:.4f}")
