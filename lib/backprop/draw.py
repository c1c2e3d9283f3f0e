"""Matplotlib figures for the text: pure functions of data, no widget code.

Every function returns the ``Figure`` (so a notebook shows it once) and uses the Okabe–Ito
colour-blind-safe palette, labelled axes and a size readable at book width.
Diagrams of networks and graphs are drawn by the explorers' front end, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from numbers import Integral

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from backprop._arrays import float_array, positive_whole, shape_text, table
from backprop.activations import ACTIVATIONS
from backprop.train import History

#: dash patterns of successive curves: solid, dashed, dotted, dash-dotted
LINESTYLES = ("-", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)))
#: Okabe–Ito palette, in the order lines are drawn.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: for more classes than ``PALETTE`` has colours: matplotlib's 20 qualitative ones, the ten
#: dark hues first and then their light partners, so that up to ten classes get ten hues
MANY_CLASS_COLOURS = tuple(matplotlib.colormaps["tab20"].colors[0::2]
                           + matplotlib.colormaps["tab20"].colors[1::2])
#: marker shapes of the classes of a scatter, so that classes differ in shape as well as in
#: colour (blue and green nearly merge under tritanopia); see ``class_marker``
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "p")
#: width of a figure that fills the book's text column, in inches
BOOK_WIDTH = 7.0


def _sharp_inline_figures() -> None:
    """In a notebook, show figures as PNGs with twice the pixels at the same size on the page
    (IPython's "retina" format): sharp on high-DPI screens, in JupyterLab and in the book."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # plain Python: nothing is shown inline
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


_sharp_inline_figures()


def _figure(ncols: int = 1, height: float = 3.0) -> tuple[plt.Figure, np.ndarray]:
    fig, axes = plt.subplots(1, ncols, figsize=(BOOK_WIDTH, height), squeeze=False,
                             layout="constrained")
    for ax in axes.flat:
        ax.grid(True, alpha=0.3)
    return fig, axes[0]


def class_marker(k: int) -> str:
    """The marker of class ``k``: ten shapes for the first ten classes, then the same ten
    shifted by five, so that class ``k + 10`` (the light partner of class ``k``'s hue in
    ``MANY_CLASS_COLOURS``) never has class ``k``'s shape."""
    return MARKERS[(k + 5 * (k // len(MARKERS))) % len(MARKERS)]


def _marker_area(marker: str) -> float:
    """Area of a filled marker of size 1 (a circle's is π/4), to give every class's marker the
    circle's area: at one ``s`` a triangle covers half a square and looks much smaller."""
    style = MarkerStyle(marker)
    path = style.get_path().transformed(style.get_transform())
    return float(abs(sum(0.5 * (x @ np.roll(y, -1) - y @ np.roll(x, -1))
                         for x, y in (poly.T for poly in path.to_polygons(closed_only=False)))))


def activations(names: Sequence[str] = ("sigmoid", "tanh", "relu"),
                z: np.ndarray | None = None) -> plt.Figure:
    """Each activation ``f(z)`` (left) and its derivative ``f'(z)`` (right); ``names`` from
    ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"identity"`` (one name or several), ``z`` a 1-D
    grid. Curves differ in colour and in dash pattern; one legend above names them in both
    panels."""
    names = [names] if isinstance(names, str) else list(names)
    unknown = [name for name in names if name not in ACTIVATIONS]
    if unknown:
        raise ValueError(f"draw.activations: unknown activation(s) {unknown}; expected names "
                         f"from {sorted(ACTIVATIONS)}")
    z = np.linspace(-5, 5, 401) if z is None else z
    fig, (ax_f, ax_df) = _figure(2)
    for k, name in enumerate(names):
        act = ACTIVATIONS[name]
        style = dict(color=PALETTE[k % len(PALETTE)], linestyle=LINESTYLES[k % len(LINESTYLES)],
                     label=name, linewidth=2)
        ax_f.plot(z, act.f(z), **style)
        ax_df.plot(z, act.df(z), **style)
    ax_f.set(xlabel="$z$", ylabel="$f(z)$", title="activation")
    ax_df.set(xlabel="$z$", ylabel="$f'(z)$", title="derivative")
    # one legend for both panels (a curve has the same colour and dash pattern in each)
    fig.legend(handles=ax_f.lines, loc="outside upper center", ncols=len(names), frameon=False)
    return fig


def curves(series: Mapping[str, Sequence[float]], *, xlabel: str = "epoch",
           ylabel: str = "loss", logy: bool = False, title: str | None = None,
           first: int = 1) -> plt.Figure:
    """Several named curves on one axis, e.g. ``{"train": [...], "test": [...]}``.

    Value ``k`` of a curve is drawn at ``x = first + k``, on whole-number ticks: ``first=1``
    for one value per epoch or layer, ``first=0`` for a loss recorded before each step (the
    starting loss at step 0). Curves differ in colour and in dash pattern, so that curves
    lying on top of each other all stay visible.
    """
    if not isinstance(series, Mapping):
        raise TypeError("draw.curves: give the curves a name each, as a dict: "
                        "draw.curves({'training loss': history.loss})")
    curves = {label: _curve(label, ys) for label, ys in series.items()}
    fig, (ax,) = _figure(1)
    for k, (label, ys) in enumerate(curves.items()):
        ax.plot(first + np.arange(len(ys)), ys, color=PALETTE[k % len(PALETTE)],
                linestyle=LINESTYLES[k % len(LINESTYLES)], label=label, linewidth=2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    return fig


def _curve(label: str, ys: object) -> np.ndarray:
    """The values of the curve ``label`` as a 1-D float array; a clear error otherwise."""
    if isinstance(ys, History):
        raise TypeError(f"draw.curves: curve {label!r} is a whole History; pass history.loss "
                        f"(a list), e.g. draw.curves({{{label!r}: history.loss}})")
    ys = float_array("draw.curves", f"curve {label!r}", ys)
    if ys.ndim != 1:
        raise ValueError(f"draw.curves: curve {label!r} must be a list of numbers, one per "
                         f"epoch or step, got an array of shape {shape_text(ys.shape)}")
    return ys


def heatmaps(matrices: Mapping[str, np.ndarray], *, cmap: str = "cividis",
             annotate: bool = True, shared_scale: bool = True,
             outline: Sequence[tuple[int, int]] = (), colorbar_label: str = "") -> plt.Figure:
    """Matrices side by side as heatmaps (e.g. analytic vs numerical ``dW``), with a colour bar.

    Rows and columns are numbered from 1, as the text numbers entries (``g₂₃`` is row 2,
    column 3). Entries are printed in the cells when ``annotate`` and the matrices are small
    (≤ 64 cells). A matrix is 2-D and not empty; a vector ``(k,)`` is drawn as one row.
    ``outline`` lists cells to frame in every panel, as NumPy indices ``(i, j)`` (so
    ``[(1, 2)]`` frames row 2, column 3).
    """
    if not isinstance(matrices, Mapping) or not matrices:
        raise TypeError("draw.heatmaps: give the matrices a title each, as a non-empty dict: "
                        "draw.heatmaps({'analytic dW': dW, 'numerical dW': dW_num})")
    mats = {title: _matrix(title, m) for title, m in matrices.items()}
    cells = _cells(outline)
    fig, axes = _figure(len(mats), height=3.2)
    lo = min(m.min() for m in mats.values())
    hi = max(m.max() for m in mats.values())
    for ax, (title, m) in zip(axes, mats.items(), strict=True):
        ax.grid(False)
        vmin, vmax = (lo, hi) if shared_scale else (m.min(), m.max())
        image = ax.imshow(m, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(title)
        ax.set_xticks(range(m.shape[1]), labels=[str(j + 1) for j in range(m.shape[1])])
        ax.set_yticks(range(m.shape[0]), labels=[str(i + 1) for i in range(m.shape[0])])
        ax.set(xlabel="column", ylabel="row")
        if annotate and m.size <= 64:
            mid = (vmin + vmax) / 2
            tiny = 1e-12 * np.abs(m).max()           # rounding noise next to the largest entry
            for (i, j), v in np.ndenumerate(m):
                text = "0" if abs(v) <= tiny else f"{v:.2g}"
                ax.text(j, i, text, ha="center", va="center", fontsize=9,
                        color="white" if v < mid else "black")
        for i, j in cells:
            if not (0 <= i < m.shape[0] and 0 <= j < m.shape[1]):
                raise ValueError(f"draw.heatmaps: outline cell {(i, j)} is outside the "
                                 f"{m.shape[0]} × {m.shape[1]} matrix {title!r}")
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=PALETTE[3],
                                   linewidth=2.5))
        if not shared_scale:
            fig.colorbar(image, ax=ax, shrink=0.8, label=colorbar_label)
    if shared_scale:
        fig.colorbar(image, ax=list(axes), shrink=0.8, label=colorbar_label)
    return fig


def _matrix(title: str, m: object) -> np.ndarray:
    """The matrix ``title`` as a non-empty 2-D float array (a vector as one row)."""
    m = float_array("draw.heatmaps", f"matrix {title!r}", m)
    if m.ndim not in (1, 2) or m.size == 0:
        raise ValueError(f"draw.heatmaps: matrix {title!r} must be a non-empty 2-D array "
                         f"(rows, columns), got shape {shape_text(m.shape)}")
    return np.atleast_2d(m)


def _cells(outline: object) -> list[tuple[int, int]]:
    """``outline`` as a list of ``(i, j)`` pairs of whole numbers; a clear error otherwise."""
    try:
        cells = [(i, j) for i, j in outline]
    except (TypeError, ValueError):
        cells = None
    if cells is None or not all(isinstance(k, Integral) for cell in cells for k in cell):
        one = (f" (for the one cell {outline} write outline=[{outline}])"
               if isinstance(outline, tuple) and len(outline) == 2 else "")
        raise TypeError(f"draw.heatmaps: outline is a list of (i, j) cells, such as "
                        f"outline=[(0, 2), (1, 1)]; got {outline!r}{one}")
    return [(int(i), int(j)) for i, j in cells]


def decision_boundary(predict_proba, X: np.ndarray, y: np.ndarray, *, resolution: int = 200,
                      ax: plt.Axes | None = None) -> plt.Figure:
    """Class regions of a 2-D classifier with the data on top.

    ``predict_proba(P)`` maps grid points ``P : (m, 2)`` to class scores ``(m, C)``, to one
    probability per point ``(m,)`` or ``(m, 1)`` (class 1 above 0.5), or to integer class
    labels ``(m,)`` (as ``train.predict`` gives). ``X : (n, 2)``; ``y`` holds class indices
    ``(n,)`` (whole numbers ≥ 0) or one-hot rows ``(n, C)``; ``n ≥ 1``. The grid has
    ``resolution ≥ 2`` points along each axis, ``m = resolution²`` in all. Each class's points
    have its colour and its own marker shape (``class_marker``), so that they differ without
    colour too; every shape covers the area of the circle, so that no class looks lighter
    than another.
    """
    X, y = _points(predict_proba, X, y)
    if not (positive_whole(resolution) and resolution >= 2):
        raise ValueError(f"draw.decision_boundary: resolution is the number of grid points "
                         f"along each axis, a whole number ≥ 2 (default 200), got {resolution!r}")
    if ax is None:
        fig, (ax,) = _figure(1, height=4.0)
        ax.grid(False)
    else:
        fig = ax.figure
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)
    labels, columns = _grid_classes(predict_proba, np.column_stack([gx.ravel(), gy.ravel()]))
    classes = int(max(y.max() + 1, labels.max() + 1, columns))
    if classes > len(MANY_CLASS_COLOURS):
        raise ValueError(f"draw.decision_boundary: {classes} classes; it tells at most "
                         f"{len(MANY_CLASS_COLOURS)} apart by colour")
    colours = PALETTE if classes <= len(PALETTE) else MANY_CLASS_COLOURS
    cmap = matplotlib.colors.ListedColormap(colours[:classes])
    ax.contourf(gx, gy, labels.reshape(gx.shape), levels=np.arange(classes + 1) - 0.5,
                cmap=cmap, alpha=0.25)
    for k in range(classes):                # each class in its colour and its own shape
        mine = y == k
        if mine.any():
            marker = class_marker(k)
            ax.scatter(X[mine, 0], X[mine, 1], color=colours[k], marker=marker,
                       s=16 * (np.pi / 4) / _marker_area(marker), edgecolors="white",
                       linewidths=0.4, label=f"class {k}")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    return fig


def _points(predict_proba: object, X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """``decision_boundary``'s data checked: ``X : (n, 2)`` finite with ``n ≥ 1``, and ``y``
    as ``n`` class indices ≥ 0 (from indices or one-hot rows)."""
    where = "draw.decision_boundary"
    if not callable(predict_proba):
        swapped = (" (it comes first: decision_boundary(predict_proba, X, y))"
                   if callable(X) else "")
        raise TypeError(f"{where}: predict_proba must be a function of the grid points "
                        f"P : (m, 2), got {type(predict_proba).__name__}{swapped}")
    X = float_array(where, "X", X)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        hint = (": pick two features, e.g. X[:, :2]" if X.ndim == 2 and X.shape[1] > 2 else "")
        raise ValueError(f"{where}: X must have shape (n, 2) with n ≥ 1 (one point per row, "
                         f"two features), got {shape_text(X.shape)}{hint}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{where}: X must hold finite numbers (a NaN or inf is in it)")
    y = table(where, "y", y)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{where}: y must hold class indices or one-hot rows, got dtype "
                        f"{y.dtype}")
    one_hot = y.ndim == 2 and np.isin(y, (0, 1)).all() and (y.sum(axis=1) == 1).all()
    if one_hot:
        y = y.argmax(axis=1)
    whole = y.dtype.kind in "biu" or (y.dtype.kind == "f" and np.all(y == np.round(y)))
    if y.ndim != 1 or not whole or (y.size and y.min() < 0):
        raise ValueError(f"{where}: y must hold class indices (n,), whole numbers ≥ 0, or "
                         f"one-hot rows (n, C); got shape {shape_text(y.shape)}, dtype {y.dtype}"
                         + (f", values from {y.min()} to {y.max()}" if y.size else ""))
    if len(y) != len(X):
        raise ValueError(f"{where}: X has {len(X)} points but y has {len(y)} labels; give one "
                         "label per row of X")
    return X, y.astype(int)


def _grid_classes(predict_proba: Callable, P: np.ndarray) -> tuple[np.ndarray, int]:
    """The class ``predict_proba`` gives each point of ``P : (m, 2)``, shape ``(m,)``, and the
    number of classes its scores ``(m, C)`` have (0 for probabilities or labels)."""
    where = "draw.decision_boundary"
    scores = predict_proba(P)
    if scores is None:
        raise TypeError(f"{where}: predict_proba returned None (did it forget `return`?)")
    scores = table(where, "predict_proba's result", scores)
    m = len(P)
    if scores.dtype.kind not in "biuf":
        raise TypeError(f"{where}: predict_proba must return numbers, got dtype {scores.dtype}")
    if scores.ndim not in (1, 2) or len(scores) != m:
        raise ValueError(f"{where}: predict_proba must return one row per grid point of P "
                         f"{shape_text(P.shape)}: scores ({m}, C), probabilities ({m},) or "
                         f"class labels ({m},); got shape {shape_text(scores.shape)}")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{where}: predict_proba returned a NaN or inf; it must return finite "
                         "scores, probabilities or labels")
    if scores.ndim == 2 and scores.shape[1] > 1:
        return scores.argmax(axis=1), scores.shape[1]
    if scores.dtype.kind in "iub":
        labels = scores.reshape(-1).astype(int)
        if labels.min() < 0:
            raise ValueError(f"{where}: predict_proba returned the class label {labels.min()}; "
                             "class labels are whole numbers ≥ 0")
        return labels, 0
    return (scores.reshape(-1) > 0.5).astype(int), 0
