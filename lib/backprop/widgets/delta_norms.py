"""``DeltaNormExplorer``: the size of ``δ^l`` layer by layer, for deep sigmoid, tanh and ReLU nets.

Chapter 4's second explorer. A seeded random network of ``depth`` layers of ``width`` units
(column convention, ``ColumnNetwork``, zero biases) with weights

    W^l_{ij} = σ_w g / √N^{l-1},        g ~ N(0, 1),

sees a batch of ``SAMPLES`` random inputs with random targets and the loss
``L = ½ Σ ‖a^L − y‖²``. The state holds, for each of the three activations on the *same*
weights, ``‖δ^l‖`` per layer (root mean square over the batch) and the mean ``f'(z^l)``.

The random numbers come from :func:`mulberry32_normals`, the twin of ``rngFrom(seed).normal()``
in ``mlmath.js``, so the front end redraws the same network without a kernel.
"""

from __future__ import annotations

import numpy as np
import traitlets

from backprop.network import ColumnNetwork
from backprop.widgets._base import Explorer

#: batch size of the explorer's network
SAMPLES = 8
#: the activations compared (every layer, the output included, uses the same one)
ACTIVATIONS = ("sigmoid", "tanh", "relu")

_U32 = np.uint32


def mulberry32_normals(seed: int, count: int) -> np.ndarray:
    """``count`` standard normals, the same numbers as ``rngFrom(seed).normal()`` in mlmath.js.

    mulberry32 is a counter-based generator: the ``k``-th state is
    ``s_k = seed + k · 0x6D2B79F5 (mod 2^32)``, hashed into a uniform ``u_k ∈ [0, 1)``; each
    normal is Box–Muller of two uniforms, ``√(−2 log(1 − u)) cos(2π v)``. Vectorised in
    ``uint32`` arithmetic, which wraps modulo ``2^32`` exactly as ``Math.imul`` and ``>>> 0``.

    Returns a float64 array of shape ``(count,)``.
    """
    k = np.arange(1, 2 * count + 1, dtype=np.uint64)
    t = ((np.uint64(seed & 0xFFFFFFFF) + k * np.uint64(0x6D2B79F5)) & np.uint64(0xFFFFFFFF))
    t = t.astype(_U32)
    t = (t ^ (t >> _U32(15))) * (t | _U32(1))
    t = t ^ (t + (t ^ (t >> _U32(7))) * (t | _U32(61)))
    u = (t ^ (t >> _U32(14))).astype(np.float64) / 4294967296.0
    first, second = 1.0 - u[0::2], u[1::2]
    return np.sqrt(-2.0 * np.log(first)) * np.cos(2.0 * np.pi * second)


def random_network(depth: int, width: int, weight_scale: float, seed: int,
                   samples: int = SAMPLES) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The explorer's seeded network and batch.

    Returns ``weights`` (``depth`` matrices ``(width, width)``, entries ``σ_w g / √width``),
    ``X : (width, samples)`` and ``Y : (width, samples)`` (standard normals), drawn in this
    order, each matrix row by row, from :func:`mulberry32_normals`.
    """
    g = mulberry32_normals(seed, depth * width * width + 2 * width * samples)
    scale = weight_scale / np.sqrt(width)
    cut = depth * width * width
    weights = list(g[:cut].reshape(depth, width, width) * scale)
    X, Y = g[cut:].reshape(2, width, samples)
    return weights, X, Y


def delta_norms(depth: int, width: int, weight_scale: float, seed: int) -> dict:
    """``‖δ^l‖`` per layer for each activation of :data:`ACTIVATIONS` on the same weights.

    ``‖δ^l‖`` is the root mean square over the batch of the per-sample norms,
    ``‖Δ^l‖_F / √n`` for ``Δ^l : (N^l, n)``. ``ratio`` is ``‖δ^1‖ / ‖δ^L‖`` (``None`` when
    ``δ^L = 0``), ``mean_fprime`` the mean of ``f'(z^l)`` over units and samples, per layer.
    """
    weights, X, Y = random_network(depth, width, weight_scale, seed)
    norms, mean_fprime, ratio = {}, {}, {}
    for name in ACTIVATIONS:
        net = ColumnNetwork(weights, None, name)
        A = net.forward(X)
        result = net.backward(A - Y)
        values = [float(np.linalg.norm(d) / np.sqrt(SAMPLES)) for d in result.deltas]
        norms[name] = values
        mean_fprime[name] = [float(f.df(z).mean()) for f, z in zip(net.f, net.z, strict=True)]
        ratio[name] = values[0] / values[-1] if values[-1] > 0 else None
    return {"layers": list(range(1, depth + 1)), "samples": SAMPLES, "norms": norms,
            "mean_fprime": mean_fprime, "ratio": ratio}


class DeltaNormExplorer(Explorer):
    """Depth, width, activation and weight scale of a random network → ``‖δ^l‖`` per layer.

    Controls (also constructor keywords): ``depth`` (number of layers ``L``), ``width``
    (units per layer), ``activation`` (the curve in front: ``"sigmoid"``, ``"tanh"`` or
    ``"relu"``; all three are computed on the same weights), ``weight_scale`` (``σ_w``) and
    ``seed``. ``state`` is :func:`delta_norms`.
    """

    _front_end = "delta_norms.js"
    _controls = ("depth", "width", "activation", "weight_scale", "seed")

    depth = traitlets.Int(10).tag(sync=True)
    width = traitlets.Int(16).tag(sync=True)
    activation = traitlets.Unicode("sigmoid").tag(sync=True)
    weight_scale = traitlets.Float(1.0).tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)

    def compute(self) -> dict:
        if self.depth < 2 or self.width < 1:
            raise ValueError(f"need depth ≥ 2 and width ≥ 1, got depth={self.depth}, "
                             f"width={self.width}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, "
                             f"got {self.activation!r}")
        if not self.weight_scale > 0:
            raise ValueError(f"weight_scale must be positive, got {self.weight_scale}")
        return delta_norms(self.depth, self.width, self.weight_scale, self.seed)
