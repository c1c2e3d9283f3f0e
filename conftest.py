"""pytest settings for the whole repository: tests/ and the chapter notebooks run by nbval.

Kernels started at the same moment (nbval in two xdist workers, the book build beside them)
pick their TCP ports separately and can race for one: the loser exits at once with "Address
already in use", which nbval reports as "Kernel died before replying to kernel_info" for every
cell of the notebook (jupyter/nbconvert#1066). A kernel that dies while starting is therefore
started again; a notebook that fails once its kernel runs still fails.
"""

from __future__ import annotations

import os

import nbval.kernel

from backprop.book_check import STRICT

# the notebooks' checks of the numbers their text quotes are errors here (backprop.book_check);
# kernels started by nbval, nbclient and the book build inherit the setting
os.environ[STRICT] = "1"

KERNEL_START_ATTEMPTS = 3
_start_new_kernel = nbval.kernel.start_new_kernel


def _start_new_kernel_again_if_it_dies(*args, **kwargs):
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        try:
            return _start_new_kernel(*args, **kwargs)
        except RuntimeError:
            if attempt == KERNEL_START_ATTEMPTS:
                raise


nbval.kernel.start_new_kernel = _start_new_kernel_again_if_it_dies
