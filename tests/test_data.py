"""Tests of backprop.data: shapes, dtypes, determinism, balance, splits, standardisation."""

import numpy as np
import pytest

from backprop import data

TOY = ["xor", "moons", "spirals", "blobs"]


@pytest.mark.parametrize("name", TOY)
def test_toy_shapes_dtypes_and_labels(name):
    X, y = data.toy(name, n=120, seed=0)
    assert X.shape == (120, 2) and X.dtype == np.float64
    assert y.shape == (120,) and y.dtype.kind == "i"
    assert np.all(np.isfinite(X))
    assert set(np.unique(y)) == (set(range(3)) if name == "spirals" else {0, 1})


@pytest.mark.parametrize("name", TOY)
def test_toy_is_deterministic_per_seed(name):
    X0, y0 = data.toy(name, seed=0)
    X0b, y0b = data.toy(name, seed=0)
    X1, _ = data.toy(name, seed=1)
    assert np.array_equal(X0, X0b) and np.array_equal(y0, y0b)
    assert not np.array_equal(X0, X1)


@pytest.mark.parametrize(("name", "n"), [("xor", 200), ("xor", 202), ("xor", 7), ("moons", 201),
                                         ("spirals", 300), ("blobs", 100)])
def test_classes_are_balanced(name, n):
    _, y = data.toy(name, n=n, seed=3)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
    if name == "xor":
        X, _ = data.toy(name, n=n, seed=3)
        corner_counts = np.bincount(2 * (X[:, 0] > 0) + (X[:, 1] > 0), minlength=4)
        assert corner_counts.max() - corner_counts.min() <= 1


def test_xor_labels_follow_the_signs():
    X, y = data.xor(400, noise=0.1, seed=0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    corners = np.unique(np.sign(X), axis=0)
    assert len(corners) == 4
    assert np.all(np.bincount(2 * (X[:, 0] > 0) + (X[:, 1] > 0)) == 100)


def test_noise_parameter():
    X_clean, y = data.blobs(200, noise=1e-9, seed=0)
    np.testing.assert_allclose(X_clean, np.where(y == 1, 1.0, -1.0)[:, None] * [1, 1],
                               atol=1e-7)
    X_small, _ = data.toy("moons", noise=0.0, seed=0)
    assert np.all(np.abs(np.linalg.norm(X_small[::2], axis=1) - 1.0) < 1e-12)  # on the circle


def test_moons_are_two_interleaved_half_circles():
    """Without noise, class 0 lies on the upper half of the unit circle and class 1 on the
    lower half of the unit circle centred at (1, 0.5)."""
    X, y = data.moons(200, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1] - [1.0, 0.5]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(*lower.T), 1.0, rtol=1e-12)
    assert (upper[:, 1] >= 0).all() and (lower[:, 1] <= 0).all()


def test_spirals_radius_and_classes():
    X, y = data.spirals(300, classes=4, seed=0)
    assert set(np.unique(y)) == {0, 1, 2, 3}
    r = np.linalg.norm(X, axis=1)
    assert r.min() >= 0.05 - 1e-12 and r.max() <= 1.0 + 1e-12


def test_digits():
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype.kind == "i"
    assert X.min() == 0.0 and X.max() == 16.0
    assert set(np.unique(y)) == set(range(10))
    assert np.bincount(y).min() >= 170  # roughly 180 images of each digit


def test_train_test_split_sizes_and_disjointness():
    X = np.arange(200.0).reshape(100, 2)
    y = np.arange(100)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.3, seed=0)
    assert (len(X_train), len(X_test), len(y_train), len(y_test)) == (70, 30, 70, 30)
    assert set(y_train).isdisjoint(y_test) and set(y_train) | set(y_test) == set(range(100))
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)  # rows stay with their labels
    again = data.train_test_split(X, y, test_fraction=0.3, seed=0)
    assert np.array_equal(again[3], y_test)
    assert not np.array_equal(data.train_test_split(X, y, 0.3, seed=1)[3], y_test)
    assert not np.array_equal(np.sort(y_test), y_test)  # shuffled, not the first 30


def test_train_test_split_rounds_the_test_size_to_nearest():
    """The test part has round(fraction · n) rows, not the truncated int(fraction · n)."""
    X, y = np.arange(18.0).reshape(9, 2), np.arange(9)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.3)
    assert (len(X_train), len(X_test)) == (6, 3)  # 0.3 · 9 = 2.7 rounds to 3
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.2)
    assert (len(X_train), len(X_test)) == (7, 2)  # 0.2 · 9 = 1.8 rounds to 2


def test_train_test_split_errors():
    X, y = np.ones((10, 2)), np.zeros(10, dtype=int)
    for fraction in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="test_fraction must lie in"):
            data.train_test_split(X, y, test_fraction=fraction)
    with pytest.raises(ValueError, match="X has 10 rows but y has 9"):
        data.train_test_split(X, y[:9])
    with pytest.raises(ValueError, match="leaves 0 test and 10 training rows"):
        data.train_test_split(X, y, test_fraction=0.01)


def test_split_and_standardize_take_lists():
    X, y = [[1, 2], [3, 4], [5, 6], [7, 8]], [0, 1, 0, 1]
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.25)
    assert X_train.shape == (3, 2) and X_test.shape == (1, 2)
    # every row keeps its label: the label is the row's index modulo 2
    rows = np.concatenate([X_train, X_test])
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), (rows[:, 0] - 1) // 2 % 2)
    Z_train, Z_test = data.standardize([[1, 2], [3, 4]], [[0, 0]])
    np.testing.assert_array_equal(Z_train, [[-1.0, -1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(Z_test, [[-2.0, -3.0]])


def test_standardize(rng):
    X_train = rng.normal(5.0, 3.0, size=(200, 3))
    X_train[:, 2] = 7.0  # a constant column
    X_test = rng.normal(5.0, 3.0, size=(50, 3))
    before = X_train.copy()
    Z_train, Z_test = data.standardize(X_train, X_test)
    np.testing.assert_allclose(Z_train[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z_train[:, :2].std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(Z_train[:, 2], 0.0)  # centred, not divided by 0
    # the test set uses the training statistics
    mean, std = X_train[:, :2].mean(axis=0), X_train[:, :2].std(axis=0)
    np.testing.assert_allclose(Z_test[:, :2], (X_test[:, :2] - mean) / std, rtol=1e-12)
    np.testing.assert_array_equal(X_train, before)  # inputs untouched
    (only,) = data.standardize(X_train)
    np.testing.assert_array_equal(only, Z_train)


def test_standardized_digits_have_finite_columns():
    X, _ = data.digits()
    (Z,) = data.standardize(X)
    assert np.all(np.isfinite(Z))


def test_one_hot():
    np.testing.assert_array_equal(data.one_hot(np.array([2, 0, 1])), np.eye(3)[[2, 0, 1]])
    assert data.one_hot([1, 1], num_classes=4).shape == (2, 4)
    assert data.one_hot([0]).dtype == np.float64


@pytest.mark.parametrize(("labels", "kwargs", "message"), [
    ([0.0, 1.0], {}, r"one_hot: expected integer labels of shape \(n,\), got dtype float64"),
    ([[0, 1]], {}, r"got dtype int64 and shape \(1, 2\)"),
    ([-1, 0], {}, r"labels must be non-negative class indices, got -1"),
    ([0, -2], {"num_classes": 3}, r"labels must be non-negative class indices, got -2"),
    (np.zeros(0, int), {}, r"no labels to count the classes from: pass num_classes"),
    ([0, 3], {"num_classes": 3}, r"labels must lie in \[0, 2\] for 3 classes"),
])
def test_one_hot_errors(labels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.one_hot(np.array(labels), **kwargs)


@pytest.mark.parametrize("name", TOY)
@pytest.mark.parametrize("n", [0, -5, 2.5])
def test_non_positive_sizes(name, n):
    with pytest.raises(ValueError, match=f"{name}: n must be a positive integer"):
        data.toy(name, n=n)


def test_unknown_toy_set():
    with pytest.raises(ValueError, match="unknown toy set 'circles'"):
        data.toy("circles")
    for classes in (1, 2.5, True):
        with pytest.raises(ValueError, match="spirals: classes must be a whole number of at "
                                             "least 2"):
            data.spirals(classes=classes)


@pytest.mark.parametrize("num_classes", [2.0, 0, -1, True])
def test_one_hot_num_classes_is_a_positive_whole_number(num_classes):
    with pytest.raises(ValueError, match="num_classes must be a positive whole number"):
        data.one_hot(np.array([0, 1]), num_classes)


@pytest.mark.parametrize(("args", "error", "message"), [
    (([[1, None], [2, 3]],), TypeError, r"standardize: X_train must hold real numbers, but it "
                                        r"holds None"),
    ((np.ones((5, 3)), np.ones((4, 2))), ValueError, r"standardize: array 2 has shape \(4, 2\), "
                                                     r"but X_train has 3 columns"),
    ((np.ones((0, 3)),), ValueError, r"standardize: X_train must be a non-empty table \(n, d\), "
                                     r"got shape \(0, 3\)"),
])
def test_standardize_refuses_what_would_become_nan_or_a_broadcast_error(args, error, message):
    with pytest.raises(error, match=message):
        data.standardize(*args)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: data.xor(8, seed=-1), r"xor: seed must be a whole number ≥ 0 or None, got -1"),
    (lambda: data.moons(8, seed=-2), r"moons: seed must be a whole number ≥ 0 or None"),
    (lambda: data.xor(8, noise=float("nan")), r"xor: noise must be a finite number ≥ 0, got nan"),
    (lambda: data.blobs(8, noise=-0.1), r"blobs: noise must be a finite number ≥ 0"),
    (lambda: data.spirals(9, noise="0.2"), r"spirals: noise must be a finite number ≥ 0"),
    (lambda: data.train_test_split(np.ones((8, 2)), np.zeros(8), "0.5"),
     r"train_test_split: test_fraction must lie in \(0, 1\), got '0.5'"),
    (lambda: data.train_test_split(np.ones((8, 2)), np.zeros(8), seed=-3),
     r"train_test_split: seed must be a whole number ≥ 0 or None, got -3"),
])
def test_the_data_sets_name_a_bad_seed_noise_or_fraction(make, message):
    with pytest.raises(ValueError, match=message):
        make()
