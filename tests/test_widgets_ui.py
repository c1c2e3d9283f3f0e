"""ui.js, the helpers shared by the explorers' front ends, in Node (no browser needed).

Every case is a JavaScript expression over the exports of ``ui.js`` (plus a few test doubles
defined in ``RUNNER``), evaluated in one Node process; its JSON value is compared with the
expected one.
"""

from __future__ import annotations

import json

import pytest
from node_runner import NODE, run_module

pytestmark = pytest.mark.skipif(
    NODE is None, reason="Node.js is not installed (apt-get install nodejs): ui.js not tested")

RUNNER = """
import { readFileSync } from "node:fs";
import * as ui from "./ui.mjs";
const cases = JSON.parse(readFileSync(0, "utf-8"));
const out = {};
for (const [name, expr] of Object.entries(cases)) {
  try {
    // sloppy-mode function: `with` puts ui's exports in scope
    out[name] = { value: new Function("ui", `with (ui) { return (${expr}); }`)(ui) };
  } catch (err) {
    out[name] = { error: String(err) };
  }
}
process.stdout.write(JSON.stringify(out));
"""

#: name → (JavaScript expression, expected JSON value)
CASES: dict[str, tuple[str, object]] = {
    # what the tests of the explorers pin
    "fmt fixed": ("fmt(-4, 2)", "−4.00"),
    "fmt default digits": ("fmt(0.5)", "0.500"),
    "fmt no minus zero": ("[fmt(-0.001, 2), fmt(-0.4, 0)]", ["0.00", "0"]),
    "fmt large": ("fmt(12345.6, 3)", "1.23e+4"),
    # a minus sign in the exponent too, not only the first hyphen
    "fmt minus in exponent": ("fmt(-1.5e-5, 3)", "−1.50e−5"),
    "fmt small positive": ("fmt(2.5e-7, 2)", "2.5e−7"),
    # infinities as the maths writes them
    "fmt infinities": ("[fmt(Infinity), fmt(-Infinity, 2), fmt(NaN)]", ["∞", "−∞", "NaN"]),
    # rounding up to 1e4 switches to the exponent, as 1e4 itself does
    "fmt rounds up to 1e4": ("[fmt(9999.9996, 3), fmt(-9999.9996, 3), fmt(9999.5, 0)]",
                             ["1.00e+4", "−1.00e+4", "1e+4"]),
    # zero digits: no RangeError from toExponential(-1)
    "fmt zero digits": ("[fmt(12345, 0), fmt(-2e-5, 0), fmt(7, 0), fmt(-3, 0)]",
                        ["1e+4", "−2e−5", "7", "−3"]),
    # always exponential: the gradient check's relative errors
    "fmt exponential": ("[fmt(0.0123, 3, { exponential: true }), "
                        "fmt(3.1e-11, 3, { exponential: true })]", ["1.23e−2", "3.10e−11"]),
    # a state to draw: {} is Python's first computation failing
    "hasState": ("[hasState({}), hasState(null), hasState(undefined), hasState({ loss: 0 })]",
                 [False, False, False, True]),
    # the labels' super- and subscripts (one helper for every explorer)
    "superscript": ("[superscript('l−1'), superscript(-12), superscript('2.5'), "
                    "superscript('L'), subscript('ij'), subscript(12)]",
                    ["ˡ⁻¹", "⁻¹²", "²˙⁵", "ᴸ", "ᵢⱼ", "₁₂"]),
    "clone": ("(() => { const a = { w: [[1, 2]] }, b = clone(a); b.w[0][0] = 5;"
              " return [a.w[0][0], b.w[0][0]]; })()", [1, 5]),
    # the gradient check's heat map at 70 %: as its own mix did, 255 + (c − 255) t
    "tint": ("[tint(COLORS.blue, 0.7), tint(COLORS.orange, 0), tint('#E69F00', 1)]",
             [[77, 156, 201], [255, 255, 255], [230, 159, 0]]),
    # the in-browser recompute: drawn, or the error shown as Python's would be
    "recomputeHere": ("""(() => {
      const traits = {}, drawn = [], model = { set: (k, v) => { traits[k] = v; } };
      const ok = recomputeHere(model, () => ({ loss: 1 }), (st) => drawn.push(st));
      const cleared = traits.error;
      const failed = recomputeHere(model, () => { throw new Error("which = 7: no"); },
        (st) => drawn.push(st));
      const plain = traits.error;
      recomputeHere(model, () => { throw new Error("ValueError: log of −3"); },
        (st) => drawn.push(st));
      return [ok, cleared, failed, plain, traits.error, drawn];
    })()""", [True, "", False, "Error: which = 7: no", "ValueError: log of −3", [{"loss": 1}]]),
}


@pytest.fixture(scope="module")
def js_results(tmp_path_factory) -> dict:
    """Every case evaluated by ui.js in one Node process."""
    payload = json.dumps({name: expr for name, (expr, _) in CASES.items()})
    return run_module(tmp_path_factory.mktemp("ui"), "ui", RUNNER, payload)


@pytest.mark.parametrize("name", list(CASES))
def test_ui_helper(js_results, name):
    expr, expected = CASES[name]
    got = js_results[name]
    assert "error" not in got, f"{expr} threw {got['error']}"
    assert got["value"] == expected, f"{expr}"
