"""backprop: a small NumPy library that teaches backpropagation from the ground up.

Row (batch-first) convention throughout: a batch ``X`` has shape ``(n, in)`` and a
``Linear`` layer computes ``Y = X @ W + b`` with ``W`` of shape ``(in, out)``.
Arrays are float64 unless a layer is created with another ``dtype``.
"""

__version__ = "0.1.0"
