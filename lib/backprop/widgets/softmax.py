"""``SoftmaxExplorer``: logits → softmax → cross-entropy, and the gradient ``(ŷ − y)/T``.

Chapter 6's explorer. One sample with ``C`` logits ``z`` (sliders), a target class ``t`` and a
temperature ``T``. The probabilities are ``p = softmax(z / T)`` and the loss is the
cross-entropy ``L = −log p_t``, computed by :class:`backprop.losses.SoftmaxCrossEntropy` on the
scaled logits ``z / T``; its gradient is

    ∂L/∂z = (p − y) / T          (y the one-hot target; ŷ − y for T = 1)

For contrast the state also holds the squared error *after* the softmax,
``E = ½ ‖p − y‖²`` (:class:`backprop.losses.MSE` ``"half_sum"``), whose gradient must pass
through the softmax Jacobian ``J = diag(p) − p pᵀ``:  ``∂E/∂z = J (p − y) / T``. When the
network is confidently wrong, ``(p − y)/T`` stays large while ``J (p − y)/T`` vanishes.

Without a kernel the front end recomputes the same state with ``mlmath.js``
(``softmaxCrossEntropy``, ``mse`` and the chapter-6 ``softmaxJacobian``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets

from backprop.activations import softmax_jacobian
from backprop.losses import MSE, SoftmaxCrossEntropy
from backprop.widgets._base import Explorer, _read

#: the logits the explorer opens with (the classic three-class example 2, 1, 0.1)
DEFAULT_LOGITS = [2.0, 1.0, 0.1]
#: the number of classes the front end offers
MIN_CLASSES, MAX_CLASSES = 2, 6

_CSS = """
/* ---- SoftmaxExplorer (softmax.js, chapter 6) ---- */
.bp-sm .bp-body { display: block; }
.bp-sm-controls { display: flex; flex-wrap: wrap; gap: 4px 22px; margin-bottom: 6px; }
.bp-sm-col { display: flex; flex-direction: column; gap: 3px; min-width: 250px; }
.bp-sm-row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; font-size: 13px; }
.bp-sm-select { font-size: 13px; }
.bp-sm-temp.bp-slider { grid-template-columns: 104px 1fr 48px; }
.bp-sm-note { font-size: 12px; color: #57606a; }
svg.bp-sm-bars { width: 100%; max-width: 640px; min-width: 530px; height: auto;
  background: #fff; display: block; }  /* min-width: 11-px text above 9 px (explorer.css) */
.bp-sm-head { font: 600 12px system-ui, sans-serif; fill: #222; }
.bp-sm-label { font: 12px ui-monospace, monospace; fill: #222; }
.bp-sm-label.bp-sm-target { font-weight: 700; fill: var(--bp-text-red); }
.bp-sm-num { font: 11px ui-monospace, monospace; fill: #444; }
.bp-sm-axis { stroke: #999; }
.bp-sm-track { fill: #f1f3f5; }
.bp-sm-readout { margin: 4px 0; padding: 5px 8px; background: #f6f8fa; border-radius: 5px;
  overflow-x: auto; }
table.bp-sm-jac { border-collapse: collapse; font: 11.5px ui-monospace, monospace;
  margin: 4px 0 0 0; }
table.bp-sm-jac td, table.bp-sm-jac th { padding: 1px 5px; text-align: right; }
table.bp-sm-jac th { color: #57606a; font-weight: 400; }
.bp-sm-jac-cap { font-size: 12px; color: #57606a; margin-top: 6px; }
"""


def softmax_state(logits: list[float], target: int, temperature: float = 1.0) -> dict:
    """Everything the explorer shows for one sample.

    Parameters
    ----------
    logits : (C,) the logits ``z``; target : the class index ``t`` in ``[0, C)``;
    temperature : ``T > 0``; the softmax sees ``z / T``.

    Returns
    -------
    dict of plain data: ``classes`` (C), ``scaled`` (``z/T``), ``probs`` (``p``), ``onehot``
    (``y``), ``loss`` (``−log p_t``), ``grad`` (``∂L/∂z = (p − y)/T``), ``jacobian``
    (``diag(p) − p pᵀ``, the Jacobian of ``p`` with respect to ``z/T``), ``mse_loss``
    (``½‖p − y‖²``), ``mse_grad`` (``∂/∂z ½‖p − y‖² = J (p − y)/T``) and ``predicted``
    (``argmax p``).
    """
    z = np.asarray(logits, dtype=np.float64)
    C = z.size
    if z.ndim != 1 or not MIN_CLASSES <= C <= MAX_CLASSES:
        raise ValueError(f"need between {MIN_CLASSES} and {MAX_CLASSES} logits, got "
                         f"shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("the logits must be finite numbers")
    if isinstance(target, bool) or int(target) != target or not 0 <= target < C:
        raise ValueError(f"target must be a class index in 0 … {C - 1}, got {target!r}")
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be positive, got {temperature}")
    T, t = float(temperature), int(target)
    scaled = z / T
    ce = SoftmaxCrossEntropy()
    loss = ce.forward(scaled[None, :], np.array([t]))
    grad = ce.backward()[0] / T                        # chain rule through z/T: a factor 1/T
    p = ce.probs[0]
    y = np.zeros(C)
    y[t] = 1.0
    J = softmax_jacobian(p)
    sq = MSE(reduction="half_sum")
    mse_loss = sq.forward(p, y)
    # ∂E/∂z = Jᵀ ∂E/∂p / T, summed term by term in the order the front end sums them
    mse_grad = (J * sq.backward()[:, None]).sum(axis=0) / T
    return {
        "classes": C,
        "scaled": scaled.tolist(),
        "probs": p.tolist(),
        "onehot": y.tolist(),
        "loss": float(loss),
        "grad": grad.tolist(),
        "jacobian": J.tolist(),
        "mse_loss": float(mse_loss),
        "mse_grad": mse_grad.tolist(),
        "predicted": int(np.argmax(p)),
    }


class SoftmaxExplorer(Explorer):
    """Logit sliders, a target class and a temperature → softmax, cross-entropy, gradients.

    Controls (also constructor keywords): ``logits`` (``C`` numbers, ``2 ≤ C ≤ 6``),
    ``target`` (the true class, 0-based) and ``temperature`` (``T > 0``). ``state`` is
    :func:`softmax_state`.
    """

    _front_end = "softmax.js"
    _css = _read("explorer.css") + _CSS
    _controls = ("logits", "target", "temperature")

    logits = traitlets.List(DEFAULT_LOGITS).tag(sync=True)
    target = traitlets.Int(0).tag(sync=True)
    temperature = traitlets.Float(1.0).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        if "logits" in kwargs:
            kwargs["logits"] = np.asarray(kwargs["logits"], dtype=np.float64).tolist()
        super().__init__(**kwargs)

    def compute(self) -> dict:
        return softmax_state(self.logits, self.target, self.temperature)
