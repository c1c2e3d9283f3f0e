// forward_net.js — front end of ForwardNetworkExplorer (chapter 1, the forward pass).
//
// Draws one sample going forward through a small network (row convention, z = a W + b,
// a = f(z)) with a slider on every weight, bias, input and target entry. With a kernel the
// sliders set the Python controls and the Python state is drawn; without one (a static book
// page) the same state is recomputed here with mlmath.js (fwdState is the twin of
// ForwardNetworkExplorer.compute).

const FWD_CONTROLS = ["weights", "biases", "activations", "x", "target", "reduction"];
const FWD_ACTS = ["identity", "sigmoid", "tanh", "relu"];
const FWD_REDUCTIONS = { mean: "mean((ŷ − t)²)", sum: "Σ(ŷ − t)²", half_sum: "½Σ(ŷ − t)²" };
const FWD_STEP = 0.05;


// The state of ForwardNetworkExplorer.compute() for controls c, computed in the browser.
function fwdState(c) {
  const layers = c.weights.map((W, l) => ({ W, b: c.biases[l], act: c.activations[l] }));
  const { Z, A } = mlpForward(layers, [c.x]);
  return {
    sizes: [c.x.length, ...c.weights.map((W) => W[0].length)],
    z: Z.map((m) => m[0]),
    a: [c.x.slice(), ...A.map((m) => m[0])],
    loss: mse(A[A.length - 1], [c.target], c.reduction).value,
  };
}

// "a¹ = tanh(z¹)" — the formula under a column of the drawing.
function fwdActLabel(act, l, last) {
  const a = last ? `ŷ = a${superscript(l)}` : `a${superscript(l)}`;
  const z = `z${superscript(l)}`;
  return act === "identity" ? `${a} = ${z}` : `${a} = ${act === "sigmoid" ? "σ" : act}(${z})`;
}

// The network as SVG: edges coloured by sign and as wide as |w|, every neuron's value.
function fwdDraw(svg, c, st, limit, focus) {
  const sizes = st.sizes, L = sizes.length - 1;
  const gap = 72, top = 30, width = 700;  // gap: room for the "z …" line under each neuron
  const height = top + Math.max(...sizes) * gap + 44;
  const x0 = 56, x1 = width - 200;
  const cx = (l) => x0 + (l * (x1 - x0)) / L;
  const cy = (l, i) => top + (Math.max(...sizes) - sizes[l]) * gap / 2 + i * gap + gap / 2;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const edges = svgEl("g"), nodes = svgEl("g"), notes = svgEl("g");
  svg.append(edges, nodes, notes);
  c.weights.forEach((W, l) => W.forEach((row, i) => row.forEach((w, j) => {
    const strength = Math.min(1, Math.abs(w) / limit);
    const on = focus && focus.kind === "W" && focus.l === l && focus.i === i && focus.j === j;
    const attrs = { x1: cx(l), y1: cy(l, i), x2: cx(l + 1), y2: cy(l + 1, j),
      "data-edge": `${l},${i},${j}` };
    if (on) edges.append(svgEl("line", { ...attrs, stroke: COLORS.ink, "stroke-width": 9 }));
    edges.append(svgEl("line", { ...attrs, stroke: signedColor(w),
      "stroke-dasharray": signedDash(w), "stroke-width": 0.75 + 6 * strength,
      "stroke-opacity": on ? 1 : 0.3 + 0.65 * strength },
    svgEl("title", {},
      `w${superscript(l + 1)}${subscript(i + 1)}${subscript(j + 1)} = ${fmt(w, 3)}`)));
    if (on) {
      const t = 0.45;
      notes.append(svgEl("text", { x: (1 - t) * cx(l) + t * cx(l + 1),
        y: (1 - t) * cy(l, i) + t * cy(l + 1, j) - 14, class: "fwdnet-edge-label" },
      `w${superscript(l + 1)}${subscript(i + 1)}${subscript(j + 1)} = ${fmt(w, 2)}`));
    }
  })));
  sizes.forEach((n, l) => {
    for (let i = 0; i < n; i++) {
      const v = st.a[l][i];
      const on = focus && ((focus.kind === "b" && focus.l + 1 === l && focus.j === i)
        || (focus.kind === "x" && l === 0 && focus.j === i)
        || (focus.kind === "t" && l === L && focus.j === i));
      nodes.append(svgEl("circle", { cx: cx(l), cy: cy(l, i), r: 23, fill: "#fff" }));
      nodes.append(svgEl("circle", { cx: cx(l), cy: cy(l, i), r: 23,
        class: `fwdnet-node${l === 0 ? " fwdnet-input" : ""}${l === L ? " fwdnet-output" : ""}`
          + `${on ? " fwdnet-focus" : ""}`,
        fill: signedColor(v), "fill-opacity": 0.08 + 0.4 * Math.min(1, Math.abs(v)) },
      svgEl("title", {}, l === 0 ? `x${subscript(i + 1)} = ${fmt(v, 4)}`
        : `z = ${fmt(st.z[l - 1][i], 4)}, b = ${fmt(c.biases[l - 1][i], 2)}, a = ${fmt(v, 4)}`)));
      nodes.append(svgEl("text", { x: cx(l), y: cy(l, i) + 4, class: "fwdnet-value" }, fmt(v, 2)));
      if (l > 0) {
        notes.append(svgEl("text", { x: cx(l), y: cy(l, i) + 36, class: "fwdnet-z" },
          `z ${fmt(st.z[l - 1][i], 2)}`));
      }
    }
    const label = l === 0 ? "a⁰ = x" : fwdActLabel(c.activations[l - 1], l, l === L);
    notes.append(svgEl("text", { x: cx(l), y: 16, class: "fwdnet-layer" }, label));
  });
  // target column and the loss
  const tx = width - 110;
  st.a[L].forEach((_, j) => {
    const y = cy(L, j);
    notes.append(svgEl("line", { x1: cx(L) + 24, y1: y, x2: tx - 34, y2: y, class: "fwdnet-dash" }));
    notes.append(svgEl("text", { x: tx, y: y + 4, class: "fwdnet-target" },
      `t${subscript(j + 1)} = ${fmt(c.target[j], 2)}`));
  });
  notes.append(svgEl("text", { x: tx, y: 16, class: "fwdnet-layer" }, "target t"));
  notes.append(svgEl("text", { x: tx, y: height - 10, class: "fwdnet-loss" },
    `L = ${fmt(st.loss, 4)}`));
  notes.append(svgEl("text", { x: 8, y: height - 10, class: "fwdnet-legend" }, [
    "edges: ", svgEl("tspan", { fill: COLORS.blue }, "blue w > 0"), ", ",
    svgEl("tspan", { fill: COLORS.textOrange }, "orange dashed w < 0"), ", width ∝ |w|"]));
}

// The forward pass as text, one line per step, in the chapter's matrix notation.
function fwdReadout(c, st) {
  const L = st.sizes.length - 1;
  const vec = (v, d = 3) => `[${v.map((x) => fmt(x, d).padStart(d + 4)).join(" ")}]`;
  const rows = [["x = a⁰", vec(st.a[0])]];
  for (let l = 1; l <= L; l++) {
    const [s, s0] = [superscript(l), superscript(l - 1)];
    rows.push([`z${s} = a${s0}W${s} + b${s}`, vec(st.z[l - 1])]);
    rows.push([fwdActLabel(c.activations[l - 1], l, l === L), vec(st.a[l])]);
  }
  rows.push(["t", vec(c.target)]);
  rows.push([`L = ${FWD_REDUCTIONS[c.reduction] || c.reduction}`, fmt(st.loss, 6)]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `${a.padEnd(w)} = ${b}`).join("\n");
}

export default {
  render({ model, el }) {
    const { root, body, kernel, announce } = frame(model, el, model.get("title"));
    root.classList.add("fwdnet");
    const sync = controlSync(model, kernel);
    let controls = {}, state = model.get("state");
    // the cell the mouse is over and the one with the keyboard focus, kept apart: the drawing
    // highlights the first, else the second, and is redrawn only when that one changes
    let hovered = null, focused = null, highlighted = null;
    const readControls = () => {
      controls = Object.fromEntries(FWD_CONTROLS.map((k) => [k, clone(model.get(k))]));
    };
    readControls();

    const svg = svgEl("svg", { class: "fwdnet-svg", role: "img" });
    const readout = h("pre", { class: "bp-readout fwdnet-readout" });
    const panel = h("div", { class: "fwdnet-panel" });
    body.append(h("div", { class: "fwdnet-main" }, [svg, readout, panel]));
    const sliders = [];                 // {path: [key, ...indices], s: slider}

    const draw = () => {
      if (!hasState(state)) return;
      highlighted = hovered ?? focused;
      fwdDraw(svg, controls, state, model.get("limit"), highlighted);
      const output = `ŷ = ${state.a.at(-1).map((v) => fmt(v, 3)).join(", ")}`;
      const loss = `loss L = ${fmt(state.loss, 4)}`;
      svg.setAttribute("aria-label", `the network ${state.sizes.join("–")}, edges sized by ` +
        `weight, negative ones dashed, node values: ${output}; ${loss}`);
      announce(`${output}; ${loss}`);
      readout.textContent = fwdReadout(controls, state);
      publish(root, model, controls, state);
    };

    const change = (key, value) => {
      controls[key] = value;
      sync.update({ [key]: clone(value) },
        () => recomputeHere(model, () => fwdState(controls), (st) => { state = st; draw(); }));
    };

    const setAt = (path, v) => {
      const [key, ...idx] = path;
      const value = clone(controls[key]);
      let obj = value;
      idx.slice(0, -1).forEach((k) => { obj = obj[k]; });
      obj[idx[idx.length - 1]] = v;
      change(key, value);
    };

    const getAt = ([key, ...idx]) => idx.reduce((o, k) => o[k], controls[key]);

    const cell = (path, label, aria, focusInfo) => {
      const lim = model.get("limit");
      const s = slider({ label, min: -lim, max: lim, step: FWD_STEP, value: getAt(path),
        onInput: (v) => setAt(path, v) });
      s.root.classList.add("fwdnet-cell");
      s.input.setAttribute("aria-label", aria);
      s.input.dataset.path = path.join(",");
      const highlight = () => { if ((hovered ?? focused) !== highlighted) draw(); };
      s.input.addEventListener("focus", () => { focused = focusInfo; highlight(); });
      s.input.addEventListener("blur", () => {
        if (focused === focusInfo) focused = null;
        highlight();
      });
      s.root.addEventListener("mouseenter", () => { hovered = focusInfo; highlight(); });
      s.root.addEventListener("mouseleave", () => {
        if (hovered === focusInfo) hovered = null;
        highlight();
      });
      sliders.push({ path, s });
      return s.root;
    };

    const selects = [];                 // {node, get: () => the control's current value}
    const select = (options, get, aria, onChange) => {
      const node = h("select", { class: "fwdnet-select", "aria-label": aria,
        onchange: (e) => onChange(e.target.value) },
      options.map(([v, text]) => h("option", { value: v }, text)));
      node.value = get();
      selects.push({ node, get });
      return node;
    };

    const card = (title, children) => h("div", { class: "fwdnet-card" },
      [h("div", { class: "fwdnet-card-title" }, title), ...children]);

    const buildPanel = () => {
      sliders.length = 0;
      selects.length = 0;
      panel.style.display = model.get("show_controls") ? "" : "none";
      const c = controls;
      const cards = [
        card("input x = a⁰", c.x.map((_, i) => cell(["x", i], `x${subscript(i + 1)}`,
          `input x${subscript(i + 1)}`, { kind: "x", j: i }))),
        card("target t", [
          ...c.target.map((_, j) => cell(["target", j], `t${subscript(j + 1)}`,
            `target t${subscript(j + 1)}`, { kind: "t", j })),
          h("label", { class: "fwdnet-row" }, ["loss L = ", select(
            Object.entries(FWD_REDUCTIONS), () => controls.reduction, "loss reduction",
            (v) => change("reduction", v))]),
        ]),
      ];
      c.weights.forEach((W, l) => {
        const n = l + 1;
        const grid = h("div", { class: "fwdnet-grid",
          style: `grid-template-columns: repeat(${W[0].length}, minmax(150px, 1fr))` });
        // named from the visible label (1-based), with the layer the card title gives
        W.forEach((row, i) => row.forEach((_, j) => {
          const name = `w${subscript(i + 1)}${subscript(j + 1)}`;
          grid.append(cell(["weights", l, i, j], name, `layer ${n} weight ${name}`,
            { kind: "W", l, i, j }));
        }));
        c.biases[l].forEach((_, j) => grid.append(cell(["biases", l, j], `b${subscript(j + 1)}`,
          `layer ${n} bias b${subscript(j + 1)}`, { kind: "b", l, j })));
        cards.push(card(`layer ${n}: W${superscript(n)} (${W.length} × ${W[0].length}), ` +
          `b${superscript(n)} (${W[0].length})`, [grid,
          h("label", { class: "fwdnet-row" }, [`f${superscript(n)} = `, select(
            FWD_ACTS.map((a) => [a, a]), () => controls.activations[l], `activation of layer ${n}`,
            (v) => {
              const acts = controls.activations.slice();
              acts[l] = v;
              change("activations", acts);
            })]),
        ]));
      });
      panel.replaceChildren(...cards);
      builtShape = shapeOf(c);
    };

    // Controls changed from Python (or echoed back): rebuild the sliders if the shapes changed.
    // Python may change the shapes one control at a time (weights, then biases, then
    // activations): while they disagree, the panel waits for the rest (Python shows the error).
    let builtShape = null;
    const shapeOf = (c) => JSON.stringify([c.x.length, c.target.length,
      c.weights.map((W) => [W.length, (W[0] || []).length]),
      c.biases.map((b) => (b || []).length), c.activations.length]);
    const consistent = (c) => c.weights.length > 0 &&
      c.activations.length === c.weights.length && c.weights.every((W, l) =>
        Array.isArray(W) && W.length > 0 && Array.isArray(W[0]) && W[0].length > 0 &&
        W.every((row) => Array.isArray(row) && row.length === W[0].length) &&
        W.length === (l === 0 ? c.x.length : c.weights[l - 1][0].length) &&
        Array.isArray(c.biases[l]) && c.biases[l].length === W[0].length) &&
      c.target.length === c.weights[c.weights.length - 1][0].length;
    const fromModel = () => {
      readControls();
      if (!consistent(controls)) return;
      if (shapeOf(controls) !== builtShape) {
        buildPanel();
        return;
      }
      for (const { path, s } of sliders) {
        if (s.input !== document.activeElement) s.set(getAt(path));
      }
      for (const { node, get } of selects) node.value = get();
    };
    FWD_CONTROLS.forEach((k) => model.on(`change:${k}`, fromModel));
    model.on("change:state", () => { state = model.get("state"); draw(); });
    model.on("change:show_controls", buildPanel);
    model.on("change:limit", () => { buildPanel(); draw(); });

    buildPanel();
    draw();
  },
};
