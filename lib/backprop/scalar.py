"""``Value``: scalar reverse-mode automatic differentiation over a computational graph.

Each operation creates a node that remembers its inputs (``children``, a tuple, in order),
an ``op`` label and a ``_backward`` closure that applies the operation's local derivative
(the chain rule: ``child.grad += local_derivative * node.grad``). ``backward()`` visits the
nodes in reverse topological order.

Gradients *accumulate* inside one backward pass (a value used twice receives both
contributions). A second call to ``backward()`` first zeroes every gradient in the graph, so
it gives the same result again instead of silently doubling it.

Every node holds a finite number: ``Value(nan)`` is refused, and an operation whose result
would be inf (past the largest float) raises an ``OverflowError`` that names it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

Number = int | float


def _check_number(what: str, x: object) -> None:
    """Raise a ``TypeError`` naming ``what`` unless ``x`` is a number (``float(x)`` works)."""
    if isinstance(x, (str, bytes)) or not hasattr(x, "__float__"):
        raise TypeError(f"{what} must be a number, got {type(x).__name__} {x!r}")
    if getattr(x, "ndim", 0) != 0:  # a NumPy array (of one entry, or float() would fail)
        raise TypeError(f"{what} must be one number, got an array of shape {x.shape}: a "
                        "Value holds a scalar (use one Value per entry)")


def _power_derivative(x: float, exponent: Number) -> float:
    """``d(x**e)/dx = e·x**(e−1)``; ``0`` for ``e = 0`` and ``+inf`` at ``x = 0`` for
    ``0 < e < 1`` (the slope of ``√x`` at 0, as PyTorch gives it)."""
    if exponent == 0:
        return 0.0
    if x == 0 and exponent < 1:
        return math.inf
    try:
        return exponent * x ** (exponent - 1)
    except OverflowError:
        raise OverflowError(f"Value ** {exponent}, backward: the derivative {exponent}·x**"
                            f"({exponent} − 1) at x = {x:g} is larger than the largest "
                            "float") from None


def _refuse_non_finite(data: float, children: tuple[Value, ...], op: str) -> None:
    """Raise for a node whose ``data`` is inf or nan: a ``ValueError`` for a number given
    directly or a nan result, an ``OverflowError`` naming the operation for a result too large
    for a float, as ``exp`` and ``**`` do."""
    if not op:
        raise ValueError(f"Value(data): data must be a finite number, got {data}")
    inputs = ", ".join(f"{child.data:g}" for child in children)
    if math.isnan(data):
        raise ValueError(f"Value {op}: the result of ({inputs}) is not a number (nan)")
    raise OverflowError(f"Value {op}: the result of ({inputs}) is {data}, beyond the largest "
                        f"float (±{sys.float_info.max:.3g}); a diverging computation?")


#: the largest x with a finite e^x in float64 (about 709.78)
_EXP_MAX = math.log(sys.float_info.max)


class Value:
    """A scalar ``data`` with a gradient ``grad = ∂out/∂self`` after ``out.backward()``."""

    __slots__ = ("data", "grad", "children", "op", "name", "_backward")

    def __init__(
        self, data: Number, children: tuple[Value, ...] = (), op: str = "", name: str = ""
    ) -> None:
        if isinstance(data, Value):
            raise TypeError("Value(data): data is already a Value")
        _check_number("Value(data): data", data)
        self.data = float(data)
        if not math.isfinite(self.data):
            _refuse_non_finite(self.data, children, op)
        self.grad = 0.0
        self.children = tuple(children)
        self.op = op
        self.name = name
        self._backward: Callable[[], None] = lambda: None

    # -- arithmetic --------------------------------------------------------------------------
    @staticmethod
    def _lift(other: Value | Number) -> Value:
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other: Value | Number) -> Value:
        other = self._lift(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | Number) -> Value:
        other = self._lift(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent: Number) -> Value:
        if isinstance(exponent, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be a number")
        _check_number("Value ** exponent: the exponent", exponent)
        if not math.isfinite(exponent):
            raise ValueError(f"Value ** {exponent}: the exponent must be a finite number")
        if self.data < 0 and exponent != int(exponent):
            raise ValueError(f"Value ** {exponent}: a negative base {self.data} with a "
                             "fractional exponent has no real value")
        if self.data == 0 and exponent < 0:
            raise ValueError(f"Value ** {exponent}: zero to a negative power (division by 0)")
        # the label keeps the exponent exactly (repr round-trips), so a graph can be rebuilt
        whole = float(exponent).is_integer()
        label = "1/x" if exponent == -1 else f"**{int(exponent) if whole else exponent!r}"
        try:
            result = self.data**exponent
        except OverflowError:
            raise OverflowError(f"Value ** {exponent}: {self.data:g} ** {exponent} is larger "
                                "than the largest float") from None
        out = Value(result, (self,), label)

        def _backward() -> None:
            self.grad += _power_derivative(self.data, exponent) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-self._lift(other))

    def __truediv__(self, other: Value | Number) -> Value:
        other = self._lift(other)
        if other.data == 0:
            raise ZeroDivisionError(f"Value division by zero: {self.data!r} / 0")
        return self * other**-1

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rsub__(self, other: Number) -> Value:
        return self._lift(other) + (-self)

    def __rtruediv__(self, other: Number) -> Value:
        if self.data == 0:
            raise ZeroDivisionError(f"Value division by zero: {other!r} / Value(0)")
        return self._lift(other) * self**-1

    def __rpow__(self, base: Number) -> Value:
        raise TypeError(f"{base!r} ** Value is not supported: a Value can only be raised to a "
                        "number; for b ** x write (x * math.log(b)).exp()")

    # -- functions ---------------------------------------------------------------------------
    def _unary(self, op: str, value: float, local_grad: float) -> Value:
        out = Value(value, (self,), op)

        def _backward() -> None:
            self.grad += local_grad * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        """``e^x``; local derivative ``e^x``."""
        if self.data > _EXP_MAX:
            raise OverflowError(f"Value.exp: e^{self.data:g} is larger than the largest float "
                                f"(e^{_EXP_MAX:.1f}); a diverging computation, or subtract the "
                                "largest logit first")
        e = math.exp(self.data)
        return self._unary("exp", e, e)

    def log(self) -> Value:
        """Natural log ``ln x`` for ``x > 0``; local derivative ``1/x``."""
        if self.data <= 0:
            raise ValueError(f"Value.log: log of a non-positive number {self.data}")
        return self._unary("log", math.log(self.data), 1.0 / self.data)

    def tanh(self) -> Value:
        """``tanh x``; local derivative ``1 − tanh² x``."""
        t = math.tanh(self.data)
        return self._unary("tanh", t, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """``σ(x) = 1/(1+e^{-x})`` as one gate; local derivative ``σ(x)(1 − σ(x))``."""
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return self._unary("σ", s, s * (1.0 - s))

    def relu(self) -> Value:
        """``max(0, x)``; local derivative ``1`` if ``x > 0`` else ``0``."""
        return self._unary("relu", max(self.data, 0.0), 1.0 if self.data > 0 else 0.0)

    def max(self, other: Value | Number) -> Value:
        """``max(x, y)``: the gradient goes to the larger input (to ``x`` on a tie)."""
        other = self._lift(other)
        out = Value(max(self.data, other.data), (self, other), "max")

        def _backward() -> None:
            if self.data >= other.data:
                self.grad += out.grad
            else:
                other.grad += out.grad

        out._backward = _backward
        return out

    # -- the backward pass -------------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every node this value depends on, children before parents, ending with ``self``."""
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for child in reversed(node.children):
                if id(child) not in seen:
                    stack.append((child, False))
        return order

    def zero_grad(self) -> None:
        """Set ``grad = 0`` on every node of the graph that ends in this value."""
        for node in self.topological_order():
            node.grad = 0.0

    def backward(self) -> None:
        """Fill ``grad = ∂self/∂node`` for every node of the graph, in reverse topological
        order.

        Gradients of the graph are zeroed first, so calling ``backward()`` twice gives the
        same gradients, not twice them.
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def to_graph(self) -> dict:
        """The graph as plain data for drawing: nodes (id, name, op, data, grad) and edges.

        ``nodes`` are in topological order; an edge ``{"source": i, "target": j}`` goes from
        an input node ``i`` to the node ``j`` computed from it.
        """
        order = self.topological_order()
        index = {id(node): i for i, node in enumerate(order)}
        nodes = [
            {"id": i, "name": node.name, "op": node.op, "data": node.data, "grad": node.grad}
            for i, node in enumerate(order)
        ]
        edges = [
            {"source": index[id(child)], "target": index[id(node)], "slot": k}
            for node in order
            for k, child in enumerate(node.children)
        ]
        return {"nodes": nodes, "edges": edges}

    def __repr__(self) -> str:
        label = f"{self.name}=" if self.name else ""
        return f"Value({label}{self.data:.6g}, grad={self.grad:.6g})"
