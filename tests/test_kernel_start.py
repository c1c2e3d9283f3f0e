"""nbval's kernel start is tried again when the kernel dies while starting (../conftest.py)."""

import nbval.kernel
import pytest


def _dies(times, calls):
    def start(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) <= times:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "km", "kc"
    return start


def test_a_kernel_that_dies_while_starting_is_started_again(monkeypatch):
    start, calls = nbval.kernel.start_new_kernel, []
    monkeypatch.setitem(start.__globals__, "_start_new_kernel", _dies(2, calls))
    assert start(kernel_name="python3") == ("km", "kc")
    assert calls == [{"kernel_name": "python3"}] * 3


def test_three_deaths_are_reported(monkeypatch):
    start, calls = nbval.kernel.start_new_kernel, []
    monkeypatch.setitem(start.__globals__, "_start_new_kernel", _dies(3, calls))
    with pytest.raises(RuntimeError, match="Kernel died"):
        start()
    assert len(calls) == 3
