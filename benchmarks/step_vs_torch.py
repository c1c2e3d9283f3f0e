"""A training step of ``backprop`` against PyTorch on the CPU, and its matrix products alone.

Same network (the weights are copied into PyTorch), same batch, same dtype, same optimizer
(SGD with momentum 0.9), same number of threads (PyTorch is set to NumPy's BLAS threads).
A step is forward, softmax cross-entropy, backward and the update. Warm-up steps are
excluded; the two libraries run in alternating blocks so that a change in the machine's load
hits both alike; each figure is the median over many steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from backprop.layers import Linear, mlp
from backprop.losses import SoftmaxCrossEntropy
from backprop.train import Trainer

#: the book's digits network (chapter 7): 64 pixels, 256 ReLU units, 10 classes
DIGITS_SIZES = (64, 256, 10)
LARGE_SIZES = (784, 512, 512, 10)
LR, MOMENTUM = 0.01, 0.9
#: untimed calls at the start of every block
BLOCK_WARMUP = 2


@dataclass
class StepTimes:
    """Median seconds per training step, and of the step's matrix products alone."""

    name: str
    backprop: float
    torch: float
    gemm: float

    @property
    def ratio(self) -> float:
        return self.backprop / self.torch

    @property
    def gemm_share(self) -> float:
        return self.gemm / self.backprop


def blas_threads() -> int:
    """Threads of NumPy's BLAS (OpenBLAS here), as threadpoolctl reports them."""
    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


def interleaved(fns: dict[str, Callable[[], object]], steps: int, block: int,
                warmup: int) -> dict[str, float]:
    """Median seconds of one call of each function, timed in alternating blocks.

    Each block starts with untimed calls: after a switch, the other library's thread pool
    may still be spinning, and the caches hold the other's data.
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(max(1, steps // block)):
        for name, fn in fns.items():
            for _ in range(BLOCK_WARMUP):
                fn()
            for _ in range(block):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
    return {name: float(np.median(ts)) for name, ts in times.items()}


def _torch_copy(net, dtype):
    import torch

    modules = []
    for layer in net.layers:
        if isinstance(layer, Linear):
            lin = torch.nn.Linear(layer.in_features, layer.out_features, dtype=dtype)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(layer.W.T.copy()))
                lin.bias.copy_(torch.from_numpy(layer.b))
            modules.append(lin)
        else:
            modules.append(torch.nn.ReLU())
    return torch.nn.Sequential(*modules)


def matrix_products(net, X: np.ndarray) -> Callable[[], None]:
    """The matrix products of one step of ``net`` on ``X``, and nothing else.

    Forward ``A_l W_l`` for every layer; backward ``A_lᵀ δ_l`` for every layer and
    ``δ_l W_lᵀ`` for every layer but the first (no gradient is needed for the data).
    """
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    acts = [X] + [np.ones((len(X), lin.out_features), X.dtype) for lin in linears]

    def run() -> None:
        for lin, A in zip(linears, acts, strict=False):
            A @ lin.W
        for l, lin in enumerate(linears):
            acts[l].T @ acts[l + 1]
            if l > 0:
                acts[l + 1] @ lin.W.T

    return run


def torch_training_step(net, X: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    """One PyTorch training step (same weights, loss and SGD with momentum) on ``X, y``.

    Returns a function that runs the step and returns the loss.
    """
    import torch

    tdtype = torch.float64 if X.dtype == np.float64 else torch.float32
    tnet = _torch_copy(net, tdtype)
    opt = torch.optim.SGD(tnet.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = torch.nn.CrossEntropyLoss()
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)

    def step() -> float:
        opt.zero_grad()
        loss = loss_fn(tnet(tX), ty)
        loss.backward()
        opt.step()
        return float(loss.detach())

    return step


def measure(name: str, sizes: tuple[int, ...], batch: int, dtype: type, steps: int,
            block: int = 10, warmup: int = 20) -> StepTimes:
    """Time one training step of both libraries (and the products alone) for one setting."""
    import torch

    torch.set_num_threads(blas_threads())
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch)
    net = mlp(list(sizes), "relu", seed=0, dtype=dtype)
    trainer = Trainer(net, SoftmaxCrossEntropy(), X, y, lr=LR, momentum=MOMENTUM,
                      batch_size=batch)
    torch_step = torch_training_step(net, X, y)

    first_bp, first_torch = trainer.step(X, y), torch_step()
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    if not np.isclose(first_bp, first_torch, rtol=rtol):
        raise AssertionError(f"{name}: the two libraries disagree on the first loss: "
                             f"{first_bp} vs {first_torch}")
    medians = interleaved({"backprop": lambda: trainer.step(X, y), "torch": torch_step,
                           "gemm": matrix_products(net, X)}, steps, block, warmup)
    return StepTimes(name, medians["backprop"], medians["torch"], medians["gemm"])


def run() -> dict[str, float]:
    """Both settings of issue 5: (a) the digits network, (b) the large float32 network.

    (b) is also measured with one thread for each library: then neither can spread its
    element-wise work over the cores, and the comparison isolates what two threads change.
    """
    digits = measure("digits 64-256-10, batch 64, float64", DIGITS_SIZES, 64, np.float64,
                     steps=3000, block=50)
    large = measure("784-512-512-10, batch 512, float32", LARGE_SIZES, 512, np.float32,
                    steps=200, block=10, warmup=10)
    threads = blas_threads()
    with threadpool_limits(1):
        large_1 = measure("the same, one thread each", LARGE_SIZES, 512, np.float32,
                          steps=200, block=10, warmup=10)
    print(f"threads: {threads} (NumPy's BLAS and torch.set_num_threads), except where noted")
    print(f"{'training step':<40} {'backprop':>10} {'PyTorch':>10} {'ratio':>7} "
          f"{'products':>10} {'share':>6}")
    for t in (digits, large, large_1):
        print(f"{t.name:<40} {t.backprop * 1e3:>8.3f}ms {t.torch * 1e3:>8.3f}ms "
              f"{t.ratio:>7.3f} {t.gemm * 1e3:>8.3f}ms {t.gemm_share:>6.3f}")
    return {"step_ratio_digits": digits.ratio, "step_ratio_large": large.ratio,
            "gemm_share_large": large.gemm_share, "step_ratio_large_1thread": large_1.ratio,
            "gemm_share_large_1thread": large_1.gemm_share}


if __name__ == "__main__":
    for key, value in run().items():
        print(key, f"{value:.4f}")
