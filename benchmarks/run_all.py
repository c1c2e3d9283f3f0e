"""Run every benchmark of the book (``make bench``): print a table, then one line per figure.

The figures (issue 5 and issue 7), each printed as ``name value``:

- ``step_ratio_digits``: backprop / PyTorch time of a training step, digits network, batch 64,
  float64 (target ≤ 0.8);
- ``step_ratio_large``: the same for 784-512-512-10, batch 512, float32 (target ≤ 1.0);
- ``gemm_share_large``: the step's matrix products alone / the whole step, on the large
  network (target ≥ 0.8);
- ``step_ratio_large_1thread``, ``gemm_share_large_1thread``: the same two figures with one
  thread for each library (no target: they show what the second core is worth to each);
- ``step_ratio_large_fused``, ``gemm_share_large_fused``: the same two figures for the large
  step with its update and ReLUs as compiled one-pass loops (numba; a what-if that the library
  does not use, ``fused_kernels.py``);
- ``elementwise_ms_large``: the large step's time outside its matrix products, in ms, with a
  table of where it goes (the update, the ReLUs, the loss; ``step_profile.py``);
- ``widget_median_ms``, ``widget_worst_ms``: kernel-side latency of a control change over 50
  changes, the largest median and the worst over all explorers (targets ≤ 30 and ≤ 100 ms);
- ``book_exec_s``: executing every chapter notebook (target ≤ 60 s);
- ``digits_test_accuracy``: chapter 7's digits network (target ≥ 0.97), and
  ``digits_train_s``, the seconds its 20 epochs of training take ("a few seconds");
- ``static_explorer_median_ms``, ``static_explorer_worst_ms``: in the browser without a
  kernel, from an input event to the redrawn view (target: median ≤ 16 ms).

A figure whose benchmark cannot run (e.g. PyTorch or Chromium missing) is printed as ``nan``
after the reason. Never part of ``make test``.
"""

from __future__ import annotations

import math
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import book_exec  # noqa: E402
import digits_accuracy  # noqa: E402
import static_latency  # noqa: E402
import step_profile  # noqa: E402
import step_vs_torch  # noqa: E402
import widget_latency  # noqa: E402


def fused_kernels() -> dict[str, float]:
    """``fused_kernels.run``, imported here: without numba only its own figures are lost."""
    import fused_kernels as module

    return module.run()


SECTIONS: list[tuple[str, Callable[[], dict[str, float]], tuple[str, ...]]] = [
    ("Training step: backprop vs PyTorch", step_vs_torch.run,
     ("step_ratio_digits", "step_ratio_large", "gemm_share_large", "step_ratio_large_1thread",
      "gemm_share_large_1thread")),
    ("Outside the matrix products: the large step's profile", step_profile.run,
     ("elementwise_ms_large",)),
    ("What compiled one-pass kernels would buy (numba; not in the library)", fused_kernels,
     ("step_ratio_large_fused", "gemm_share_large_fused")),
    ("Widget latency (kernel side)", widget_latency.run,
     ("widget_median_ms", "widget_worst_ms")),
    ("Static explorers (browser, no kernel)", static_latency.run,
     ("static_explorer_median_ms", "static_explorer_worst_ms")),
    ("Digits test accuracy", digits_accuracy.run, ("digits_test_accuracy", "digits_train_s")),
    ("Whole-book execution", book_exec.run, ("book_exec_s",)),
]


def main() -> int:
    figures: dict[str, float] = {}
    for title, run, names in SECTIONS:
        print(f"\n== {title} ==")
        start = time.perf_counter()
        try:
            figures.update(run())
        except Exception:  # report and go on: one missing tool must not hide the rest
            traceback.print_exc(limit=3)
            figures.update({name: math.nan for name in names})
        print(f"({time.perf_counter() - start:.1f} s)")
    print()
    for _, _, names in SECTIONS:
        for name in names:
            print(name, f"{figures[name]:.4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
