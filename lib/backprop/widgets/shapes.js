// shapes.js — front end of ShapesExplorer (chapter 5): every matrix product of one layer's
// forward and backward pass, drawn as boxes of their shapes. Concatenated after mlmath.js and
// ui.js; the state without a kernel comes from shapesState (mlmath.js).

const SH_CONTROLS = ["batch", "n_in", "n_out", "convention"];
const SH_CONVENTIONS = [
  ["row", "row: Y = XW + b"], ["column", "column: Y = WX"], ["network", "network: z = Wa + b"],
];
const SH_FILL = { input: "#cfe6f5", param: "#fbe3b3", grad: "#c6ecdf", ones: "#e4e6e8",
  result: "#f3d4e6" };
// the symbolic size of each axis, by convention and array name
const SH_DIMS = {
  row: { X: ["n", "in"], W: ["in", "out"], "Wᵀ": ["out", "in"], "Xᵀ": ["in", "n"],
    "∂L/∂Y": ["n", "out"], "1ᵀ": ["1", "n"], Y: ["n", "out"], "∂L/∂X": ["n", "in"],
    "∂L/∂W": ["in", "out"], "∂L/∂b": ["1", "out"] },
  column: { W: ["out", "in"], "Wᵀ": ["in", "out"], X: ["in", "n"], "Xᵀ": ["n", "in"],
    "∂L/∂Y": ["out", "n"], Y: ["out", "n"], "∂L/∂X": ["in", "n"], "∂L/∂W": ["out", "in"] },
  network: { W: ["out", "in"], "Wᵀ": ["in", "out"], a: ["in", "n"], "aᵀ": ["n", "in"],
    "δ": ["out", "n"], "1": ["n", "1"], z: ["out", "n"], "∂L/∂a": ["in", "n"],
    "∂L/∂W": ["out", "in"], "∂L/∂b": ["out", "1"] },
};

const shDim = (conv, name, axis, size) => {
  const sym = (SH_DIMS[conv][name] || [])[axis];
  return sym && sym !== String(size) ? `${sym}=${size}` : String(size);
};

// One box: a grid of rows × cols cells, the array's name above, its sizes on two sides;
// `inner` marks the contracted side ("right" or "bottom"... as "cols"/"rows") in orange.
function shBox(g, { x, y, shape, name, fill, conv, inner = null, u }) {
  const [r, c] = shape, w = c * u, hgt = r * u;
  g.append(svgEl("rect", { x, y, width: w, height: hgt, fill, class: "bp-sh-box" }));
  for (let i = 1; i < r; i++) {
    g.append(svgEl("line", { x1: x, x2: x + w, y1: y + i * u, y2: y + i * u,
      class: "bp-sh-cell" }));
  }
  for (let j = 1; j < c; j++) {
    g.append(svgEl("line", { x1: x + j * u, x2: x + j * u, y1: y, y2: y + hgt,
      class: "bp-sh-cell" }));
  }
  if (inner === "cols") {
    g.append(svgEl("line", { x1: x, x2: x + w, y1: y - 1, y2: y - 1, class: "bp-sh-inner" }));
  } else if (inner === "rows") {
    g.append(svgEl("line", { x1: x - 1, x2: x - 1, y1: y, y2: y + hgt, class: "bp-sh-inner" }));
  }
  g.append(svgEl("text", { x: x + w / 2, y: y - 15, class: "bp-sh-name" }, name));
  g.append(svgEl("text", { x: x + w / 2, y: y - 4,
    class: `bp-sh-dim${inner === "cols" ? " bp-sh-dim-inner" : ""}` }, shDim(conv, name, 1, c)));
  g.append(svgEl("text", { x: x - 4, y: y + hgt / 2 + 4, "text-anchor": "end",
    class: `bp-sh-dim${inner === "rows" ? " bp-sh-dim-inner" : ""}` }, shDim(conv, name, 0, r)));
  return w;
}

// "(4, 3)", and "(2,)" for a vector, as NumPy prints shapes
const shShape = (shape) => `(${shape.length === 1 ? `${shape[0]},` : shape.join(", ")})`;

// The sentence that says where the bias goes, or "" in the convention without one. NumPy
// broadcasts a vector along rows only: in the network convention it must be made a column.
function shBiasNote(st) {
  if (!st.matrices.b) return "";
  const b = `b ${shShape(st.matrices.b)}`;
  return st.convention === "row" ? `${b} is added to every row of XW (broadcasting)`
    : `${b} is added to every column of Wa, as the column b[:, None]`;
}

function shDraw(svg, st, biasNote) {
  const u = 11, width = 640, gapOp = 66, left = 62;
  const products = [...st.forward.map((p) => ["forward", p]),
    ...st.backward.map((p) => ["backward", p])];
  svg.replaceChildren();
  let y = 8;
  let last = "";
  for (const [pass, p] of products) {
    if (pass !== last) {
      svg.append(svgEl("text", { x: 4, y: y + 12, class: "bp-sh-pass" },
        pass === "forward" ? "forward pass"
          : `backward pass (given ∂L/∂${st.forward[0].label}, the gradient of the output)`));
      y += 22;
      last = pass;
    }
    const [A, B] = p.factors;
    const rows = Math.max(A.shape[0], B.shape[0], p.shape[0]);
    const g = svgEl("g", { class: "bp-sh-product", "data-label": p.label });
    svg.append(g);
    const note = pass === "forward" ? biasNote : "";
    g.append(svgEl("text", { x: 4, y: y + 12, class: "bp-sh-formula" }, [
      `${p.label} = ${p.formula}`,
      ...(note ? [svgEl("tspan", { class: "bp-sh-info", dx: 16 }, note)] : [])]));
    const top = y + 38;
    let x = left;
    x += shBox(g, { x, y: top, shape: A.shape, name: A.name, fill: SH_FILL[A.role],
      conv: st.convention, inner: "cols", u });
    g.append(svgEl("text", { x: x + 14, y: top + (rows * u) / 2 + 5, class: "bp-sh-op" }, "×"));
    x += gapOp;
    x += shBox(g, { x, y: top, shape: B.shape, name: B.name, fill: SH_FILL[B.role],
      conv: st.convention, inner: "rows", u });
    g.append(svgEl("text", { x: x + 14, y: top + (rows * u) / 2 + 5, class: "bp-sh-op" }, "="));
    x += gapOp;
    x += shBox(g, { x, y: top, shape: p.shape, name: p.label, fill: SH_FILL.result,
      conv: st.convention, u });
    const target = st.matrices[p.matches];
    const axis = st.convention === "row" ? "row" : "column";
    const info = [
      `(${A.shape.join("×")})(${B.shape.join("×")}) → ${p.shape.join("×")}`,
      target.length === 1  // a vector (the bias), which this product gives as a row or column
        ? `= ${p.matches} ${shShape(target)} as a ${axis} ✓` : `= shape of ${p.matches} ✓`,
      `sums over ${p.sums_over}`,
      `${p.madds} multiply–adds`,
    ];
    info.forEach((t, i) => g.append(svgEl("text", { x: Math.max(x + 16, 470), y: top + 2 + i * 14,
      class: "bp-sh-info" }, t)));
    y = top + Math.max(rows * u, 4 * 14) + 14;
  }
  svg.setAttribute("viewBox", `0 0 ${width} ${y}`);
  svg.setAttribute("class", "bp-sh-svg");
}

function shTable(st) {
  const rows = Object.entries(st.matrices).map(([name, shape]) =>
    h("tr", {}, [h("td", {}, name), h("td", {}, shShape(shape))]));
  return h("table", { class: "bp-sh-table" },
    [h("tr", {}, [h("th", {}, "array"), h("th", {}, "shape")]), ...rows]);
}

export default {
  render({ model, el }) {
    const { root, body, kernel, announce } = frame(model, el, "Shapes of a layer's products");
    const controls = Object.fromEntries(SH_CONTROLS.map((k) => [k, model.get(k)]));
    let state = model.get("state");
    const sync = controlSync(model, kernel);

    // with a kernel, the new state is drawn when Python sends it (not the old one first)
    function changed(key, value) {
      controls[key] = value;
      const here = sync.update({ [key]: value }, () => recomputeHere(model,
        () => shapesState(controls.batch, controls.n_in, controls.n_out, controls.convention),
        (st) => { state = st; draw(); }));
      if (!here) publish(root, model, { ...controls }, state);
    }
    const mk = (key, label) => slider({ label, min: 1, max: 8, step: 1, value: controls[key],
      digits: 0, onInput: (v) => changed(key, v) });
    const sliders = { batch: mk("batch", "batch n"), n_in: mk("n_in", "in"),
      n_out: mk("n_out", "out") };
    const group = uniqueId("bp-sh-conv");
    const radios = SH_CONVENTIONS.map(([value, text]) => {
      const input = h("input", { type: "radio", name: group, value,
        onchange: () => changed("convention", value) });
      return { value, input, label: h("label", { class: "bp-sh-radio" }, [input, ` ${text}`]) };
    });
    const titleLine = h("div", { class: "bp-sh-title" });
    const svg = svgEl("svg", { role: "img" });
    const table = h("div", { class: "bp-sh-side" });
    body.append(
      h("div", { class: "bp-sh-controls" }, [
        h("div", { class: "bp-sh-col" }, Object.values(sliders).map((s) => s.root)),
        h("div", { class: "bp-sh-col bp-sh-radios", role: "radiogroup",
          "aria-label": "convention" }, radios.map((r) => r.label))]),
      titleLine, svg, table);

    function draw() {
      if (!hasState(state)) return;
      radios.forEach((r) => { r.input.checked = r.value === controls.convention; });
      titleLine.textContent = state.title;
      const biasNote = shBiasNote(state);
      shDraw(svg, state, biasNote);
      const products = [...state.forward, ...state.backward];
      const dims = (shape) => shape.join("×");
      svg.setAttribute("aria-label", `every product of ${state.title}, drawn as boxes of ` +
        "their shapes: " + products.map(({ label, formula, factors: [a, b], shape }) =>
        `${label} = ${formula}, (${dims(a.shape)})(${dims(b.shape)}) → ${dims(shape)}`)
        .join("; ") + (biasNote ? `; ${biasNote}` : ""));
      announce(products.map((p) => `${p.label} is ${dims(p.shape)}`).join(", "));
      table.replaceChildren(shTable(state));
      publish(root, model, { ...controls }, state);
    }

    model.on("change:state", () => { state = model.get("state"); draw(); });
    followControls(model, SH_CONTROLS, controls, sliders, draw);

    draw();
  },
};
