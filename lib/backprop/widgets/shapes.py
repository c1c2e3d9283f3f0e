"""``ShapesExplorer``: every matrix of one layer's forward and backward pass, with its shape.

Chapter 5's first explorer. Pick the batch size ``n``, the widths ``in`` and ``out`` and one of
three conventions:

    "row"       Y = X W + b       X : (n, in),  W : (in, out),  Y : (n, out)   (the library)
    "column"    Y = W X           W : (out, in), X : (in, n),   Y : (out, n)   (note 002 §8.4)
    "network"   z = W a + b       W : (out, in), a : (in, n),   z : (out, n)   (note 001)

The bias ``b`` and its gradient have the library's shape ``(out,)``: ``b`` is added to every row
of ``X W`` by broadcasting, and to every column of ``W a`` as the column ``b[:, None]``.

The state lists the forward product and the three backward products (∂L/∂X, ∂L/∂W, ∂L/∂b;
the column form of note 002 has no bias) as *factors* with their shapes, the shape of the
result, the dimension that the product sums over and its cost in multiply–adds. The shapes are
read off arrays that the library (``Linear``) or NumPy actually computes; the front end draws
each product as labelled boxes and recomputes the same state in the browser without a kernel
(``shapesState`` in ``mlmath.js``).
"""

from __future__ import annotations

import numpy as np
import traitlets

from backprop.layers import Linear
from backprop.widgets._base import Explorer, check_sizes

#: the conventions, in the order of the front end's selector
CONVENTIONS = ("row", "column", "network")
#: largest batch and widths the explorer accepts (the boxes must fit the book's column)
MAX_SIZE = 8

_TITLES = {
    "row": "row convention (library, note 002 §7): Y = XW + b",
    "column": "column convention (note 002 §8.4): Y = WX",
    "network": "column network (note 001): z = Wa + b",
}


def _factor(name: str, shape: tuple[int, ...], role: str) -> dict:
    return {"name": name, "shape": [int(s) for s in shape], "role": role}


def _product(label: str, formula: str, factors: list[dict], result: tuple[int, ...],
             sums_over: str, matches: str) -> dict:
    """One matrix product ``factors[0] @ factors[1]`` with its result shape and cost."""
    (r, k), (k2, c) = factors[0]["shape"], factors[1]["shape"]
    if k != k2:
        raise ValueError(f"{label}: inner dimensions differ ({k} vs {k2})")
    return {"label": label, "formula": formula, "factors": factors,
            "shape": [int(s) for s in result], "inner": int(k), "sums_over": sums_over,
            "madds": int(r * k * c), "matches": matches}


def layer_shapes(n: int, n_in: int, n_out: int, convention: str = "row") -> dict:
    """Every product of one linear layer's forward and backward pass, with shapes.

    Parameters
    ----------
    n : batch size; n_in, n_out : the layer's widths ``in`` and ``out``.
    convention : ``"row"`` (``Y = XW + b``), ``"column"`` (``Y = WX``, note 002 §8.4) or
        ``"network"`` (``z = Wa + b``, note 001).

    Returns
    -------
    dict with ``convention``, ``title``, ``sizes`` (``n``, ``in``, ``out``), ``matrices``
    (name → shape of every array), ``forward`` and ``backward`` (lists of products: ``label``,
    ``formula``, two ``factors`` with ``name``, ``shape``, ``role``, the result ``shape``, the
    contracted dimension ``inner`` and what it ``sums_over``, ``madds`` = rows·inner·cols and
    ``matches``: the array whose shape the result must have). A bias and its gradient have the
    shape ``(out,)``; the product that computes the gradient gives it as a row ``(1, out)`` (row
    convention) or a column ``(out, 1)`` (network).
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}, "
                         f"got {convention!r}")
    check_sizes(MAX_SIZE, batch=n, n_in=n_in, n_out=n_out)
    rng = np.random.default_rng(0)
    if convention == "row":
        layer = Linear(n_in, n_out, rng=rng)
        X = rng.standard_normal((n, n_in))
        Y = layer.forward(X)
        dY = np.ones_like(Y)
        dX = layer.backward(dY)
        one = np.ones((1, n))
        db = one @ dY
        assert np.allclose(db[0], layer.db)
        mats = {"X": X.shape, "W": layer.W.shape, "b": layer.b.shape, "Y": Y.shape,
                "∂L/∂Y": dY.shape, "∂L/∂X": dX.shape, "∂L/∂W": layer.dW.shape,
                "∂L/∂b": layer.db.shape}
        forward = [_product("Y", "X W + b", [_factor("X", X.shape, "input"),
                                              _factor("W", layer.W.shape, "param")],
                            Y.shape, "in", "Y")]
        backward = [
            _product("∂L/∂X", "∂L/∂Y Wᵀ", [_factor("∂L/∂Y", dY.shape, "grad"),
                                            _factor("Wᵀ", layer.W.T.shape, "param")],
                     dX.shape, "out", "X"),
            _product("∂L/∂W", "Xᵀ ∂L/∂Y", [_factor("Xᵀ", X.T.shape, "input"),
                                            _factor("∂L/∂Y", dY.shape, "grad")],
                     layer.dW.shape, "n (the batch)", "W"),
            _product("∂L/∂b", "1ᵀ ∂L/∂Y", [_factor("1ᵀ", one.shape, "ones"),
                                            _factor("∂L/∂Y", dY.shape, "grad")],
                     db.shape, "n (the batch)", "b"),
        ]
    else:
        W = rng.standard_normal((n_out, n_in))
        X = rng.standard_normal((n_in, n))
        b = rng.standard_normal(n_out)
        Y = W @ X + (b[:, None] if convention == "network" else 0.0)
        dY = np.ones_like(Y)
        dX, dW = W.T @ dY, dY @ X.T
        x, y = ("X", "Y") if convention == "column" else ("a", "z")
        gy = "∂L/∂Y" if convention == "column" else "δ = ∂L/∂z"
        g = "∂L/∂Y" if convention == "column" else "δ"
        mats = {"W": W.shape, x: X.shape, y: Y.shape, gy: dY.shape,
                f"∂L/∂{x}": dX.shape, "∂L/∂W": dW.shape}
        forward = [_product(y, f"W {x}" + (" + b" if convention == "network" else ""),
                            [_factor("W", W.shape, "param"), _factor(x, X.shape, "input")],
                            Y.shape, "in", y)]
        backward = [
            _product(f"∂L/∂{x}", f"Wᵀ {g}", [_factor("Wᵀ", W.T.shape, "param"),
                                            _factor(g, dY.shape, "grad")],
                     dX.shape, "out", x),
            _product("∂L/∂W", f"{g} {x}ᵀ", [_factor(g, dY.shape, "grad"),
                                           _factor(f"{x}ᵀ", X.T.shape, "input")],
                     dW.shape, "n (the batch)", "W"),
        ]
        if convention == "network":
            one = np.ones((n, 1))
            db = dY @ one
            mats["b"] = b.shape
            mats["∂L/∂b"] = db[:, 0].shape
            backward.append(_product("∂L/∂b", "δ 1", [_factor("δ", dY.shape, "grad"),
                                                       _factor("1", one.shape, "ones")],
                                     db.shape, "n (the batch)", "b"))
    for p in forward + backward:
        shape = mats[p["matches"]]       # a vector's product gives it as a row or a column
        as_2d = [[1, *shape], [*shape, 1]] if len(shape) == 1 else [list(shape)]
        if p["shape"] not in as_2d:
            raise AssertionError(f"{p['label']} has shape {p['shape']}, "
                                 f"{p['matches']} has {shape}")
    return {
        "convention": convention,
        "title": _TITLES[convention],
        "sizes": {"n": int(n), "in": int(n_in), "out": int(n_out)},
        "matrices": {k: [int(s) for s in v] for k, v in mats.items()},
        "forward": forward,
        "backward": backward,
    }


SHAPES_CSS = """
/* ---- ShapesExplorer (shapes.js, chapter 5) ---- */
.bp-sh-controls { flex: 1 1 100%; display: flex; flex-wrap: wrap; gap: 4px 28px; }
.bp-sh-col { display: flex; flex-direction: column; gap: 4px; min-width: 230px; }
.bp-sh-radios { font-size: 13px; font-family: ui-monospace, monospace; }
.bp-sh-radio { cursor: pointer; }
.bp-sh-title { flex: 1 1 100%; font-weight: 600; font-size: 13px; color: #57606a; }
svg.bp-sh-svg { width: 100%; max-width: 640px; min-width: 530px; height: auto;
  background: #fff; }  /* min-width: its 11-px text stays above 9 px (explorer.css) */
.bp-sh-box { stroke: #222; stroke-width: 1.2; }
.bp-sh-cell { stroke: #fff; stroke-width: 0.8; }
.bp-sh-inner { stroke: #D55E00; stroke-width: 3; }
.bp-sh-name { font: 600 12px ui-monospace, monospace; text-anchor: middle; fill: #222; }
.bp-sh-dim { font: 11px ui-monospace, monospace; text-anchor: middle; fill: #444; }
text.bp-sh-dim[text-anchor=end] { text-anchor: end; }
.bp-sh-dim-inner { fill: var(--bp-text-red); font-weight: 700; }
.bp-sh-op { font: 18px system-ui, sans-serif; text-anchor: middle; fill: #222; }
.bp-sh-formula { font: 600 13px ui-monospace, monospace; fill: #0072B2; }
.bp-sh-pass { font: 600 12px system-ui, sans-serif; fill: #57606a; text-transform: uppercase;
  letter-spacing: 0.04em; }
.bp-sh-info { font: 11.5px ui-monospace, monospace; fill: #333; }
table.bp-sh-table { border-collapse: collapse; font: 12px ui-monospace, monospace; }
table.bp-sh-table th { text-align: left; border-bottom: 1px solid #d0d7de; padding-right: 14px; }
table.bp-sh-table td { padding: 1px 14px 1px 0; }
"""


class ShapesExplorer(Explorer):
    """Batch size, widths and convention → every matrix product of a layer, with shapes.

    Controls (also constructor keywords): ``batch`` (``n``), ``n_in``, ``n_out`` (1 to
    :data:`MAX_SIZE`) and ``convention`` (``"row"``, ``"column"`` or ``"network"``).
    ``state`` is :func:`layer_shapes`.
    """

    _front_end = "shapes.js"
    _css = Explorer._css + SHAPES_CSS
    _controls = ("batch", "n_in", "n_out", "convention")

    batch = traitlets.Int(4).tag(sync=True)
    n_in = traitlets.Int(3).tag(sync=True)
    n_out = traitlets.Int(2).tag(sync=True)
    convention = traitlets.Unicode("row").tag(sync=True)

    def compute(self) -> dict:
        return layer_shapes(self.batch, self.n_in, self.n_out, self.convention)
