// gradcheck_view.js — front end of GradCheckExplorer (chapter 5): a layer's analytic gradient
// next to central differences, as two heatmaps, with the relative error against the step ε.
// Concatenated after mlmath.js and ui.js; without a kernel the state comes from gradcheckState.
//
// A learner's own layer (layer "custom", its class in the trait layer_class) runs in Python
// only: the selector shows "your <class>" and nothing else, the in/out sliders stay at the
// sizes its weights fix (fixed_sizes), and the controls wait for a kernel. A page without one
// keeps the state Python computed when the page was built, says so, and marks the explorer
// data-kernel-only (its controls stay disabled).

const GC_CONTROLS = ["layer", "batch", "n_in", "n_out", "seed", "log_eps"];
const GC_LAYERS = [["linear", "Linear"], ["sigmoid", "Sigmoid"], ["tanh", "Tanh"],
  ["relu", "ReLU"], ["linear+tanh", "Sequential(Linear, Tanh)"]];

// Blue for positive, orange for negative, paler towards 0; the same scale for both maps. At
// most 70 % of the full colour, so the dark numbers on it keep a contrast of 5 : 1.
function gcColor(v, vmax) {
  const t = 0.7 * Math.min(1, Math.abs(v) / vmax);
  const [r, g, b] = tint(v >= 0 ? COLORS.blue : COLORS.orange, t);
  return `rgb(${r},${g},${b})`;
}

// A relative error: three significant digits, always as a power of ten ("1.23e−9").
const gcSci = (v) => fmt(v, 3, { exponential: true });

function gcHeatmap(svg, M, vmax) {
  const rows = M.length, cols = M[0].length, cell = 34, top = 2, left = 2;
  svg.replaceChildren();
  const width = left + cols * cell + 4, height = top + rows * cell + 4;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "bp-gc-map");
  svg.setAttribute("width", width);
  M.forEach((row, i) => row.forEach((v, j) => {
    const x = left + j * cell, y = top + i * cell;
    svg.append(svgEl("rect", { x, y, width: cell - 1, height: cell - 1, fill: gcColor(v, vmax) },
      svgEl("title", {}, `[${i}, ${j}] = ${v}`)));
    svg.append(svgEl("text", { x: x + cell / 2, y: y + cell / 2 + 4, class: "bp-gc-num" },
      fmt(v, 2)));
  }));
}

function gcCurve(svg, st) {
  const floor = -17;
  const ys = st.curve.rel_error.map((e) => Math.max(Math.log10(Math.max(e, 1e-300)), floor));
  const lo = Math.min(-16, Math.floor(Math.min(...ys)));
  const hi = Math.max(0, Math.ceil(Math.max(...ys)));
  const here = Math.log10(st.eps);
  const k = st.curve.log_eps.findIndex((v) => Math.abs(v - here) < 1e-9);
  const series = [{ x: st.curve.log_eps, y: ys, color: COLORS.blue, points: true }];
  if (k >= 0) series.push({ x: [here], y: [ys[k]], color: COLORS.red, pointsOnly: true });
  linePlot(svg, { series, xlim: [-10, -1], ylim: [lo, hi], width: 330, height: 220,
    xlabel: "log₁₀ ε", ylabel: "log₁₀ relative error" });
  svg.setAttribute("class", "bp-plot bp-gc-curve");
}

export default {
  render({ model, el }) {
    const { root, body, kernel, announce } = frame(model, el,
      "Gradient check: backward against central differences");
    const controls = Object.fromEntries(GC_CONTROLS.map((k) => [k, model.get(k)]));
    let state = model.get("state");
    const sync = controlSync(model, kernel);
    const learner = model.get("layer_class");      // "" for a built-in layer
    const fixedSizes = Boolean(learner) && model.get("fixed_sizes");

    // with a kernel, the new state is drawn when Python sends it (not the old one first)
    function changed(key, value) {
      controls[key] = value;
      // a learner's layer is computed by Python only (its controls wait for the kernel)
      const here = sync.update({ [key]: value }, learner ? () => {} : () => recomputeHere(model,
        () => gradcheckState(controls.layer, controls.batch, controls.n_in, controls.n_out,
          controls.seed, controls.log_eps),
        (st) => { state = st; draw(); }));
      if (!here) publish(root, model, { ...controls }, state);
    }
    const mk = (key, label, min, max, step, digits) => slider({ label, min, max, step,
      value: controls[key], digits, onInput: (v) => changed(key, v) });
    const sliders = {
      batch: mk("batch", "batch n", 1, 6, 1, 0), n_in: mk("n_in", "in", 1, 6, 1, 0),
      n_out: mk("n_out", "out", 1, 6, 1, 0), log_eps: mk("log_eps", "log₁₀ ε", -10, -1, 1, 0),
    };
    const select = h("select", { "aria-label": "layer", class: "bp-gc-select",
      onchange: () => changed("layer", select.value) },
    (learner ? [["custom", `your ${learner}`]] : GC_LAYERS)
      .map(([v, t]) => h("option", { value: v }, t)));
    select.value = controls.layer;
    const reseed = button("New random batch", () => changed("seed", controls.seed + 1));
    const seedText = h("span", { class: "bp-gc-seed" });
    const [mapA, mapN, curve] = [0, 1, 2].map(() => svgEl("svg", { role: "img" }));
    const capA = h("div", { class: "bp-gc-map-title" });
    const capN = h("div", { class: "bp-gc-map-title" });
    const readout = h("div", { class: "bp-readout bp-gc-readout" });
    const kernelNote = h("div", { class: "bp-gc-kernel-note" },
      [`Your ${learner} runs in Python only: these are the numbers it gave when this page was ` +
       "built. Its controls need a Python kernel (Binder or ", h("code", {}, "make lab"), ")."]);
    kernelNote.style.display = "none";
    body.append(
      h("div", { class: "bp-gc-controls" }, [
        h("div", { class: "bp-gc-col" }, [
          h("label", { class: "bp-gc-sel" }, ["layer ", select]),
          h("div", {}, [reseed, seedText])]),
        h("div", { class: "bp-gc-col" }, Object.values(sliders).map((s) => s.root))]),
      h("div", { class: "bp-gc-maps" }, [
        h("div", {}, [capA, mapA]), h("div", {}, [capN, mapN])]),
      h("div", { class: "bp-gc-bottom" }, [readout, curve]), kernelNote);

    // A learner's layer: only the kernel can compute it, so its controls are enabled once a
    // kernel answers; without one the page keeps the state it was built with.
    if (learner) {
      select.disabled = true;
      select.title = `your ${learner}: GradCheckExplorer(layer="tanh") shows a built-in layer`;
      kernel.watch((alive) => {
        const off = alive !== true;
        for (const [key, s] of Object.entries(sliders)) {
          s.input.disabled = off || (fixedSizes && (key === "n_in" || key === "n_out"));
        }
        reseed.disabled = off;
        kernelNote.style.display = alive === false ? "block" : "none";
        if (alive === false) root.dataset.kernelOnly = "true";
        else delete root.dataset.kernelOnly;
      });
    }

    function draw() {
      if (!hasState(state)) return;
      select.value = controls.layer;
      sliders.n_out.root.style.opacity = controls.layer === "linear" ||
        controls.layer === "linear+tanh" || fixedSizes ? "1" : "0.45";
      seedText.textContent = ` seed ${controls.seed}`;
      const vmax = Math.max(1e-12, ...state.analytic.flat().map(Math.abs),
        ...state.numerical.flat().map(Math.abs));
      const p = state.param, shape = state.shape.join("×");
      gcHeatmap(mapA, state.analytic, vmax);
      gcHeatmap(mapN, state.numerical, vmax);
      capA.textContent = `analytic ∂L/∂${p} (backward), ${shape}`;
      capN.textContent = `numerical ∂L/∂${p}, ε = ${fmt(state.eps, 3)}`;
      const verdict = state.rel_error < 1e-7 ? "agree ✓" : state.rel_error < 1e-4
        ? "close (check ε)" : "DISAGREE";
      const lines = [`probe L = Σ Y ⊙ R = ${fmt(state.loss, 4)}  (so ∂L/∂Y = R)`,
        `relative error ‖a − n‖ / (‖a‖ + ‖n‖):`,
        ...Object.entries(state.errors).map(([k, v]) =>
          `  ∂L/∂${k}: ${gcSci(v)}${k === p ? `  ${verdict}` : ""}`)];
      readout.textContent = lines.join("\n");
      gcCurve(curve, state);
      const range = (M) => `values from ${fmt(Math.min(...M.flat()), 3)} to ` +
        `${fmt(Math.max(...M.flat()), 3)}`;
      mapA.setAttribute("aria-label", `heat map of the ${capA.textContent}: ` +
        range(state.analytic));
      mapN.setAttribute("aria-label", `heat map of the ${capN.textContent}: ` +
        range(state.numerical));
      const error = `relative error of ∂L/∂${p} ${gcSci(state.rel_error)} at ` +
        `ε = ${fmt(state.eps, 3)}: ${verdict}`;
      curve.setAttribute("aria-label", "log₁₀ relative error against log₁₀ ε from −10 to −1; " +
        error);
      announce(error);
      publish(root, model, { ...controls }, state);
    }

    model.on("change:state", () => { state = model.get("state"); draw(); });
    followControls(model, GC_CONTROLS, controls, sliders, draw);

    draw();
  },
};
