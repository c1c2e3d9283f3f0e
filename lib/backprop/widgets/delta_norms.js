// delta_norms.js — front end of DeltaNormExplorer (chapter 4): ‖δ^l‖ per layer of a seeded
// random network, on a log scale, for sigmoid, tanh and ReLU on the same weights.
// Concatenated after mlmath.js and ui.js.

const DN_CONTROLS = ["depth", "width", "activation", "weight_scale", "seed"];
const DN_ACTS = ["sigmoid", "tanh", "relu"];
const DN_SAMPLES = 8;  // as SAMPLES in delta_norms.py (the state says so too, once there is one)
const DN_COLORS = { sigmoid: COLORS.blue, tanh: COLORS.orange, relu: COLORS.green };
const dnPow = (k) => `10${superscript(k)}`;

// The twin of delta_norms() in delta_norms.py: the same seeded weights (rngFrom is the twin of
// mulberry32_normals), the same batch, the same keys. Row convention inside (samples as rows):
// forward Z^l = A^{l-1} (W^l)ᵀ (biases are 0), backward Δ^l = (Δ^{l+1} W^{l+1}) ⊙ f'(Z^l) —
// only the δ's, which is all the plot needs (no dW, so it stays well inside one frame).
function dnCompute(c, samples) {
  const L = c.depth, N = c.width, n = samples;
  const rng = rngFrom(c.seed);
  const scale = c.weight_scale / Math.sqrt(N);
  const draw = (rows, cols, k) => {
    const M = new Array(rows);
    for (let i = 0; i < rows; i++) {
      const row = (M[i] = new Array(cols));
      for (let j = 0; j < cols; j++) row[j] = rng.normal() * k;
    }
    return M;
  };
  const sum = (M, fn) => {
    let s = 0;
    for (const row of M) for (const v of row) s += fn(v);
    return s;
  };
  const weights = Array.from({ length: L }, () => draw(N, N, scale));
  const Xr = transpose(draw(N, n, 1)), Yr = transpose(draw(N, n, 1));
  const rowWeights = weights.map(transpose);
  const out = { layers: weights.map((_, l) => l + 1), samples: n, norms: {}, mean_fprime: {},
    ratio: {} };
  for (const act of DN_ACTS) {
    const { f, df } = ACT[act];
    const Z = [];
    let A = Xr;
    for (const W of rowWeights) {
      Z.push(matmul(A, W));
      A = mapM(Z[Z.length - 1], f);
    }
    const fprime = Z.map((z) => mapM(z, df));
    const deltas = new Array(L);
    deltas[L - 1] = map2(map2(A, Yr, (a, y) => a - y), fprime[L - 1], (g, d) => g * d);
    for (let l = L - 2; l >= 0; l--) {
      deltas[l] = map2(matmul(deltas[l + 1], weights[l + 1]), fprime[l], (g, d) => g * d);
    }
    const norms = deltas.map((d) => Math.sqrt(sum(d, (v) => v * v)) / Math.sqrt(n));
    out.norms[act] = norms;
    out.mean_fprime[act] = fprime.map((d) => sum(d, (v) => v) / (n * N));
    out.ratio[act] = norms[L - 1] > 0 ? norms[0] / norms[L - 1] : null;
  }
  return out;
}

// ‖δ^l‖ against l on a log scale; the selected activation in front.
function dnPlot(svg, st, selected) {
  const width = 480, height = 300, m = { l: 58, r: 16, t: 30, b: 44 };
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "bp-dn-plot");
  const L = st.layers.length;
  const ys = DN_ACTS.flatMap((a) => st.norms[a]).filter((v) => v > 0 && Number.isFinite(v));
  let lo = Math.floor(Math.log10(Math.min(...ys))), hi = Math.ceil(Math.log10(Math.max(...ys)));
  if (hi <= lo) hi = lo + 1;
  const sx = (l) => m.l + ((l - 1) / Math.max(L - 1, 1)) * (width - m.l - m.r);
  const sy = (v) => height - m.b - ((Math.log10(v) - lo) / (hi - lo)) * (height - m.t - m.b);
  svg.append(svgEl("rect", { x: m.l, y: m.t, width: width - m.l - m.r,
    height: height - m.t - m.b, class: "bp-plot-frame" }));
  const ystep = Math.max(1, Math.ceil((hi - lo) / 7));
  for (let k = lo; k <= hi; k += ystep) {
    svg.append(svgEl("line", { x1: m.l, x2: width - m.r, y1: sy(10 ** k), y2: sy(10 ** k),
      class: "bp-dn-grid" }));
    svg.append(svgEl("text", { x: m.l - 5, y: sy(10 ** k) + 4, class: "bp-tick",
      "text-anchor": "end" }, dnPow(k)));
  }
  const xstep = Math.max(1, Math.ceil(L / 10));
  for (let l = 1; l <= L; l += xstep) {
    svg.append(svgEl("text", { x: sx(l), y: height - m.b + 15, class: "bp-tick",
      "text-anchor": "middle" }, String(l)));
  }
  svg.append(svgEl("text", { x: (m.l + width - m.r) / 2, y: height - 8, class: "bp-axis-label" },
    "layer l   (the backward pass runs right to left, from L to 1)"));
  svg.append(svgEl("text", { x: 14, y: (m.t + height - m.b) / 2, class: "bp-axis-label",
    transform: `rotate(-90 14 ${(m.t + height - m.b) / 2})` }, "‖δˡ‖  (log scale)"));
  const order = [...DN_ACTS.filter((a) => a !== selected), selected];
  for (const act of order) {
    const on = act === selected;
    const pts = st.norms[act].map((v, i) => [sx(i + 1), v > 0 ? sy(v) : null]);
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        svg.append(svgEl("polyline", { points: run.map((p) => p.join(",")).join(" "), fill: "none",
          stroke: DN_COLORS[act], "stroke-width": on ? 2.6 : 1.4,
          "stroke-dasharray": on ? "none" : "5 4", "stroke-opacity": on ? 1 : 0.75 }));
      }
      run = [];
    };
    pts.forEach((p) => { if (p[1] === null) flush(); else run.push(p); });
    flush();
    if (on) {
      pts.forEach(([x, y], i) => {
        if (y === null) return;
        svg.append(svgEl("circle", { cx: x, cy: y, r: 3.2, fill: DN_COLORS[act] },
          svgEl("title", {}, `‖δ${i + 1}‖ = ${fmt(st.norms[act][i], 4)}`)));
      });
    }
  }
  DN_ACTS.forEach((act, i) => {
    const x = m.l + 8 + i * 92;
    svg.append(svgEl("line", { x1: x, x2: x + 22, y1: 15, y2: 15, stroke: DN_COLORS[act],
      "stroke-width": act === selected ? 2.6 : 1.4,
      "stroke-dasharray": act === selected ? "none" : "5 4" }));
    svg.append(svgEl("text", { x: x + 27, y: 19, class: "bp-dn-legend" }, act));
  });
}

function dnTable(st, selected) {
  const L = st.layers.length;
  const head = h("tr", {},
    ["f", "‖δ¹‖ / ‖δᴸ‖", "per layer", "mean f′(z)"].map((t) => h("th", {}, t)));
  const rows = DN_ACTS.map((act) => {
    const r = st.ratio[act];
    const fp = st.mean_fprime[act];
    const mean = fp.reduce((s, v) => s + v, 0) / fp.length;
    return h("tr", { class: act === selected ? "bp-dn-on" : "" }, [
      h("td", {}, [
        h("span", { class: "bp-dn-swatch", style: `background:${DN_COLORS[act]}` }), act]),
      h("td", {}, r === null ? "—" : fmt(r, 3)),
      h("td", {}, r === null || r === 0 ? "—" : `× ${fmt(r ** (1 / (L - 1)), 3)}`),
      h("td", {}, fmt(mean, 3))]);
  });
  return h("table", { class: "bp-dn-table" }, [head, ...rows]);
}

export default {
  render({ model, el }) {
    const title = "How big is δˡ? Depth, width and activation";
    const { root, body, kernel, announce } = frame(model, el, title);
    const controls = Object.fromEntries(DN_CONTROLS.map((k) => [k, model.get(k)]));
    let state = model.get("state");
    const sync = controlSync(model, kernel);

    // With a kernel, a new state is drawn when Python sends it (not the old one first); the
    // activation only brings another curve of the same state to the front: drawn at once.
    function changed(key, value) {
      controls[key] = value;
      if (key === "activation") {
        sync.update({ [key]: value });
        draw();
        return;
      }
      // drawn only when the state follows the controls (a failed recompute shows its error)
      const here = sync.update({ [key]: value }, () => recomputeHere(model,
        () => dnCompute(controls, state.samples ?? DN_SAMPLES), (st) => { state = st; draw(); }));
      if (!here) publish(root, model, { ...controls }, state);
    }
    const sliders = {
      depth: slider({ label: "depth L", min: 2, max: 30, step: 1, value: controls.depth, digits: 0,
        onInput: (v) => changed("depth", v) }),
      width: slider({ label: "width N", min: 2, max: 32, step: 1, value: controls.width, digits: 0,
        onInput: (v) => changed("width", v) }),
      weight_scale: slider({ label: "σ_w", min: 0.25, max: 4, step: 0.05,
        value: controls.weight_scale, digits: 2, onInput: (v) => changed("weight_scale", v) }),
    };
    const group = uniqueId("bp-dn-act");  // one name: the arrow keys move between the three
    const radios = DN_ACTS.map((act) => {
      const input = h("input", { type: "radio", name: group, value: act,
        onchange: () => changed("activation", act) });
      input.checked = act === controls.activation;
      return { act, input, label: h("label", { class: "bp-dn-radio" }, [input, ` ${act}`]) };
    });
    const seedText = h("span", { class: "bp-dn-seed" });
    const reseed = button("New random network", () => changed("seed", controls.seed + 1));
    const svg = svgEl("svg", { role: "img" });
    const table = h("div", { class: "bp-dn-readout" });
    body.append(
      h("div", { class: "bp-dn-controls" }, [
        h("div", { class: "bp-dn-col" }, [
          sliders.depth.root, sliders.width.root, sliders.weight_scale.root]),
        h("div", { class: "bp-dn-col" }, [
          h("div", { class: "bp-dn-radios", role: "radiogroup", "aria-label": "activation" },
            radios.map((r) => r.label)),
          h("div", {}, [reseed, seedText]),
          h("div", { class: "bp-dn-hint" },
          "Wˡᵢⱼ ~ N(0, σ_w²/N), biases 0; a batch of 8 random samples; every layer uses f; " +
            "all three activations share the weights.")])]),
      h("div", { class: "bp-dn-right" }, [svg, table]));

    function draw() {
      if (!hasState(state)) return;
      seedText.textContent = `seed ${controls.seed}`;
      radios.forEach((r) => { r.input.checked = r.act === controls.activation; });
      dnPlot(svg, state, controls.activation);
      const act = controls.activation, norms = state.norms[act], r = state.ratio[act];
      const summary = `${act}: ‖δ¹‖ = ${fmt(norms[0], 4)}, ‖δᴸ‖ = ${fmt(norms.at(-1), 4)}` +
        (r === null ? "" : `, ‖δ¹‖ / ‖δᴸ‖ = ${fmt(r, 3)}`);
      svg.setAttribute("aria-label", `‖δˡ‖ against the layer l = 1 to ${norms.length}, on a ` +
        `log scale, for ${DN_ACTS.join(", ")}; ${summary}`);
      announce(summary);
      table.replaceChildren(dnTable(state, controls.activation));
      publish(root, model, { ...controls }, state);
    }

    model.on("change:state", () => { state = model.get("state"); draw(); });
    followControls(model, DN_CONTROLS, controls, sliders, draw);

    draw();
  },
};
