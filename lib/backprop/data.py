"""Data sets: seeded 2-D toy sets and scikit-learn's bundled digits (no download).

Every generator returns ``X : (n, 2)`` float64 and ``y : (n,)`` int class labels.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from backprop._arrays import check_seed, float_array, positive_whole

Array = np.ndarray


def _rng(name: str, seed: int | None) -> np.random.Generator:
    """``np.random.default_rng(seed)``, for ``None`` or a whole number ≥ 0 (else an error
    that names ``name``)."""
    return np.random.default_rng(check_seed(name, seed))


def _check_noise(name: str, noise: float) -> None:
    if isinstance(noise, bool) or not isinstance(noise, Real) or not 0 <= noise < np.inf:
        raise ValueError(f"{name}: noise must be a finite number ≥ 0, got {noise!r}")


def _check_n(name: str, n: int) -> None:
    if not positive_whole(n):
        raise ValueError(f"{name}: n must be a positive integer, got {n!r}")


def xor(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> tuple[Array, Array]:
    """Four clusters at ``(±1, ±1)``; class 1 where the signs differ (not linearly separable).

    The ``n`` points are spread evenly over the four corners (in a shuffled order), so the
    corners and the two classes have counts that differ by at most one.
    """
    _check_n("xor", n)
    _check_noise("xor", noise)
    rng = _rng("xor", seed)
    corners = rng.permutation(np.array([0, 2, 1, 3])[np.arange(n) % 4])
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    X = centres[corners] + noise * rng.standard_normal((n, 2))
    y = (corners >= 2).astype(int)
    return X, y


def moons(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> tuple[Array, Array]:
    """Two interleaving half circles (as scikit-learn's ``make_moons``); classes alternate."""
    _check_n("moons", n)
    _check_noise("moons", noise)
    rng = _rng("moons", seed)
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
    _check_n("spirals", n)
    if not isinstance(classes, (int, np.integer)) or isinstance(classes, bool) or classes < 2:
        raise ValueError(f"spirals: classes must be a whole number of at least 2, got "
                         f"{classes!r}")
    _check_noise("spirals", noise)
    rng = _rng("spirals", seed)
    y = np.arange(n) % classes
    r = rng.uniform(0.05, 1.0, size=n)
    theta = y * (2 * np.pi / classes) + 4.0 * r + noise * rng.standard_normal(n)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X, y


def blobs(n: int = 200, noise: float = 0.5, seed: int | None = 0) -> tuple[Array, Array]:
    """Two Gaussian blobs at ``(−1, −1)`` and ``(1, 1)``: linearly separable for small noise."""
    _check_n("blobs", n)
    _check_noise("blobs", noise)
    rng = _rng("blobs", seed)
    y = np.arange(n) % 2
    X = np.where(y[:, None] == 1, 1.0, -1.0) + noise * rng.standard_normal((n, 2))
    return X, y


TOY_SETS = {"xor": xor, "moons": moons, "spirals": spirals, "blobs": blobs}


def toy(name: str, n: int = 200, noise: float | None = None,
        seed: int | None = 0) -> tuple[Array, Array]:
    """A toy set by name: ``"xor"``, ``"moons"``, ``"spirals"`` or ``"blobs"``.

    Returns ``X : (n, 2)`` and class indices ``y : (n,)``; ``noise=None`` keeps the set's own
    default.
    """
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
    """Shuffle and split into ``X_train, X_test, y_train, y_test``.

    The test part has ``round(test_fraction · n)`` rows; both parts must be non-empty.
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, Real) or not (
            0 < test_fraction < 1):
        raise ValueError(f"train_test_split: test_fraction must lie in (0, 1), "
                         f"got {test_fraction!r}")
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} rows but y has {len(y)}")
    order = _rng("train_test_split", seed).permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    if not 0 < n_test < len(X):
        raise ValueError(f"train_test_split: a test fraction of {test_fraction} of {len(X)} "
                         f"rows leaves {n_test} test and {len(X) - n_test} training rows")
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def standardize(X_train: Array, *others: Array) -> tuple[Array, ...]:
    """Scale every column to mean 0 and standard deviation 1 using ``X_train``'s statistics.

    ``X_train : (n, d)`` and every one of ``others : (m, d)``: ``(X − mean) / std`` with the
    column means and standard deviations ``(d,)`` of ``X_train``.
    Returns the scaled ``X_train`` followed by each of ``others`` scaled the same way. Columns
    that are constant in ``X_train`` are centred and left unscaled. Lists are accepted.
    """
    X_train = float_array("standardize", "X_train", X_train).astype(float, copy=False)
    others = [float_array("standardize", f"array {i}", X).astype(float, copy=False)
              for i, X in enumerate(others, start=2)]
    if X_train.ndim != 2 or len(X_train) == 0:
        raise ValueError(f"standardize: X_train must be a non-empty table (n, d), got shape "
                         f"{X_train.shape}")
    for i, X in enumerate(others, start=2):
        if X.ndim != 2 or X.shape[1] != X_train.shape[1]:
            raise ValueError(f"standardize: array {i} has shape {X.shape}, but X_train has "
                             f"{X_train.shape[1]} columns: expected (m, {X_train.shape[1]})")
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return tuple((X - mean) / std for X in (X_train, *others))


def one_hot(y: Array, num_classes: int | None = None) -> Array:
    """``(n,)`` int labels in ``[0, C)`` -> ``(n, C)`` float64 one-hot rows.

    ``C`` is ``num_classes``, or ``max(y) + 1`` when omitted.
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"one_hot: expected integer labels of shape (n,), got dtype "
                         f"{y.dtype} and shape {y.shape}")
    if y.size and y.min() < 0:
        raise ValueError(f"one_hot: labels must be non-negative class indices, got {y.min()}")
    if num_classes is None and not y.size:
        raise ValueError("one_hot: no labels to count the classes from: pass num_classes")
    if num_classes is not None and not positive_whole(num_classes):
        raise ValueError(f"one_hot: num_classes must be a positive whole number, got "
                         f"{num_classes!r}")
    C = int(y.max()) + 1 if num_classes is None else int(num_classes)
    if y.size and y.max() >= C:
        raise ValueError(f"one_hot: labels must lie in [0, {C - 1}] for {C} classes, "
                         f"got values from {y.min()} to {y.max()}")
    out = np.zeros((len(y), C))
    out[np.arange(len(y)), y] = 1.0
    return out
