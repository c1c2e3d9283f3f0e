"""Data sets: seeded 2-D toy sets and scikit-learn's bundled digits (no download).

Every generator returns ``X : (n, 2)`` float64 and ``y : (n,)`` int class labels.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def _rng(seed: int | None) -> np.random.Generator:
    return np.random.default_rng(seed)


def xor(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> tuple[Array, Array]:
    """Four clusters at ``(±1, ±1)``; class 1 where the signs differ (not linearly separable)."""
    rng = _rng(seed)
    corners = rng.integers(0, 4, size=n)
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    X = centres[corners] + noise * rng.standard_normal((n, 2))
    y = (corners >= 2).astype(int)
    return X, y


def moons(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> tuple[Array, Array]:
    """Two interleaving half circles (as scikit-learn's ``make_moons``)."""
    rng = _rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, size=n)
    X = np.where(
        y[:, None] == 0,
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]),
    )
    X = X + noise * rng.standard_normal((n, 2))
    return X, y


def spirals(
    n: int = 300, classes: int = 3, noise: float = 0.2, seed: int | None = 0
) -> tuple[Array, Array]:
    """``classes`` interleaved spiral arms (CS231n's classic), radius in ``[0, 1]``."""
    rng = _rng(seed)
    y = np.arange(n) % classes
    r = rng.uniform(0.05, 1.0, size=n)
    theta = y * (2 * np.pi / classes) + 4.0 * r + noise * rng.standard_normal(n)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X, y


def blobs(n: int = 200, noise: float = 0.5, seed: int | None = 0) -> tuple[Array, Array]:
    """Two Gaussian blobs at ``(−1, −1)`` and ``(1, 1)``: linearly separable for small noise."""
    rng = _rng(seed)
    y = np.arange(n) % 2
    X = np.where(y[:, None] == 1, 1.0, -1.0) + noise * rng.standard_normal((n, 2))
    return X, y


TOY_SETS = {"xor": xor, "moons": moons, "spirals": spirals, "blobs": blobs}


def toy(name: str, n: int = 200, noise: float | None = None, seed: int | None = 0):
    """A toy set by name: ``"xor"``, ``"moons"``, ``"spirals"`` or ``"blobs"``."""
    if name not in TOY_SETS:
        raise ValueError(f"unknown toy set {name!r}; expected one of {sorted(TOY_SETS)}")
    kwargs = {} if noise is None else {"noise": noise}
    return TOY_SETS[name](n=n, seed=seed, **kwargs)


def digits() -> tuple[Array, Array]:
    """scikit-learn's bundled 8×8 digits: ``X : (1797, 64)`` in ``[0, 16]``, ``y : (1797,)``."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.data.astype(np.float64), bunch.target.astype(int)


def train_test_split(
    X: Array, y: Array, test_fraction: float = 0.25, seed: int | None = 0
) -> tuple[Array, Array, Array, Array]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test``."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie in (0, 1), got {test_fraction}")
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} rows but y has {len(y)}")
    order = _rng(seed).permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def standardize(X_train: Array, *others: Array) -> tuple[Array, ...]:
    """Scale every column to mean 0 and standard deviation 1 using ``X_train``'s statistics.

    Returns the scaled ``X_train`` followed by each of ``others`` scaled the same way. Columns
    that are constant in ``X_train`` are centred and left unscaled.
    """
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return tuple((X - mean) / std for X in (X_train, *others))


def one_hot(y: Array, num_classes: int | None = None) -> Array:
    """``(n,)`` int labels -> ``(n, C)`` float one-hot rows."""
    y = np.asarray(y)
    C = int(y.max()) + 1 if num_classes is None else num_classes
    out = np.zeros((len(y), C))
    out[np.arange(len(y)), y] = 1.0
    return out
