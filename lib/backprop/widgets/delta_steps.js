// delta_steps.js — front end of BackwardStepper (chapter 4): the backward pass, one step at a
// time, on a small column-convention network (W^l is (N^l, N^{l-1}), z^l = W^l a^{l-1} + b^l).
// Concatenated after mlmath.js and ui.js.

const BS_CONTROLS = ["weights", "biases", "x", "y", "activation", "output_activation", "step"];
const BS_ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity"];

// The twin of backward_steps() in delta_steps.py: same keys, same nesting. Uses mlmath's
// row-convention MLP on the transposed weights (W_row = (W^l)ᵀ) with the one sample as a row.
function bsCompute(c) {
  const L = c.weights.length;
  const acts = [...new Array(L - 1).fill(c.activation), c.output_activation];
  const layers = c.weights.map((W, l) => ({ W: transpose(W), b: c.biases[l], act: acts[l] }));
  const cache = mlpForward(layers, [c.x]);
  const { value, grad } = mse(cache.A[L - 1], [c.y], "half_sum");
  const back = mlpBackward(layers, cache, grad);
  const upstream = [];
  for (let l = 0; l < L - 1; l++) {
    upstream.push(matmul(back.deltas[l + 1], transpose(layers[l + 1].W))[0]);
  }
  upstream.push(grad[0]);
  const steps = [{ kind: "forward", layer: L }];
  for (let l = L; l >= 1; l--) {
    steps.push({ kind: "delta", layer: l }, { kind: "grads", layer: l });
  }
  return {
    sizes: [c.x.length, ...c.weights.map((W) => W.length)],
    activations: acts,
    x: c.x.slice(),
    y: c.y.slice(),
    z: cache.Z.map((r) => r[0]),
    a: [c.x.slice(), ...cache.A.map((r) => r[0])],
    fprime: cache.Z.map((r, l) => r[0].map(ACT[acts[l]].df)),
    loss: value,
    upstream,
    deltas: back.deltas.map((r) => r[0]),
    dW: back.dW.map(transpose),
    db: back.db,
    steps,
  };
}

// The short name of a step, on its button: "forward", "δ²", "∂W², ∂b²".
function bsStepName({ kind, layer }) {
  return kind === "forward" ? "forward" : kind === "delta" ? `δ${superscript(layer)}`
    : `∂W${superscript(layer)}, ∂b${superscript(layer)}`;
}

// ---- small HTML pieces for the equations ----

function bsMat(M, caption, cls = "") {
  const table = h("table", { class: `bp-bs-mat ${cls}` },
    M.map((row) => h("tr", {}, row.map((v) => h("td", {}, fmt(v, 3))))));
  return h("div", { class: "bp-bs-term" }, [table, h("div", { class: "bp-bs-cap" }, caption)]);
}
const bsCol = (v) => v.map((x) => [x]);
const bsOp = (s) => h("div", { class: "bp-bs-op" }, s);
const bsNum = (x) => (x < 0 ? `(${fmt(x, 3)})` : fmt(x, 3));

// One line per entry i of δ^l: the sum over k written out with the numbers.
function bsDeltaLines(st, l) {
  const L = st.sizes.length - 1, i0 = l - 1;
  return st.deltas[i0].map((d, i) => {
    let inner;
    if (l === L) {
      inner = `(${bsNum(st.a[l][i])} − ${bsNum(st.y[i])})`;
    } else {
      const W = st.weightsNext, w2 = (w) => (w < 0 ? `(${fmt(w, 2)})` : fmt(w, 2));
      inner = "(" + st.deltas[l].map((dk, k) => `${w2(W[k][i])}·${bsNum(dk)}`).join(" + ") + ")";
    }
    const head = `δ${superscript(l)}${subscript(i + 1)} = ${inner}`;
    const tail = `· ${bsNum(st.fprime[i0][i])} = ${fmt(d, 4)}`;
    return head.length + tail.length > 44 ? `${head}\n      ${tail}` : `${head} ${tail}`;
  });
}

function bsEquation(st, weights, step) {
  const { kind, layer: l } = st.steps[step];
  const L = st.sizes.length - 1, s = superscript;
  const parts = [];
  let title, lines = [], note = "";
  if (kind === "forward") {
    title = `Forward pass: z${s("l")} = W${s("l")}a${s("l−1")} + b${s("l")}, ` +
      `a${s("l")} = f(z${s("l")}); loss L = ½‖a${s(L)} − y‖²`;
    const cell = (v, cap) => h("td", {}, v ? bsMat(bsCol(v), cap) : "");
    const head = h("tr", {}, [h("th", {}, ""), ...st.a.map((_, l) =>
      h("th", {}, l === 0 ? "input" : `layer ${l} (${st.activations[l - 1]})`))]);
    const row = (name, get) => h("tr", {}, [h("th", {}, name),
      ...st.a.map((_, l) => cell(get(l), ""))]);
    parts.push(h("table", { class: "bp-bs-table" }, [head,
      row("z", (l) => (l ? st.z[l - 1] : null)),
      row("a = f(z)", (l) => st.a[l]),
      row("f′(z)", (l) => (l ? st.fprime[l - 1] : null))]));
    const ys = st.y.map((v) => fmt(v, 2)).join(", ");
    lines = [`L = ½‖a${s(L)} − y‖² = ${fmt(st.loss, 5)}   (y = ${ys})`];
    note = "Next: start the backward pass at the output layer.";
  } else if (kind === "delta" && l === L) {
    title = `Output layer: δ${s(L)} = ∂L/∂a${s(L)} ⊙ f′(z${s(L)}) = (a${s(L)} − y) ⊙ f′(z${s(L)})`;
    parts.push(bsMat(bsCol(st.upstream[L - 1]), `a${s(L)} − y`), bsOp("⊙"),
      bsMat(bsCol(st.fprime[L - 1]), `f′(z${s(L)})`), bsOp("="),
      bsMat(bsCol(st.deltas[L - 1]), `δ${s(L)}`, "bp-bs-result"));
    lines = bsDeltaLines(st, l);
    note = st.activations[L - 1] === "identity"
      ? `Identity output: f′ = 1, so δ${s(L)} = a${s(L)} − y — the note's formula holds here.`
      : `Note 001 writes δ${s("L")} = ∂L/∂a${s("L")}: that drops f′(z${s(L)}) and holds only ` +
        "for an identity output layer.";
  } else if (kind === "delta") {
    title = `δ${s(l)} = (W${s(l + 1)})ᵀ δ${s(l + 1)} ⊙ f′(z${s(l)})`;
    parts.push(bsMat(transpose(weights[l]), `(W${s(l + 1)})ᵀ`),
      bsMat(bsCol(st.deltas[l]), `δ${s(l + 1)}`),
      bsOp("="), bsMat(bsCol(st.upstream[l - 1]), `∂L/∂a${s(l)}`), bsOp("⊙"),
      bsMat(bsCol(st.fprime[l - 1]), `f′(z${s(l)})`), bsOp("="),
      bsMat(bsCol(st.deltas[l - 1]), `δ${s(l)}`, "bp-bs-result"));
    lines = bsDeltaLines({ ...st, weightsNext: weights[l] }, l);
    note = `Row i of (W${s(l + 1)})ᵀ is column i of W${s(l + 1)}: the weights leaving node i ` +
      `of layer ${l}. Evaluated right to left, only matrix–vector products.`;
  } else {
    title = `∂L/∂W${s(l)} = δ${s(l)} (a${s(l - 1)})ᵀ  and  ∂L/∂b${s(l)} = δ${s(l)}`;
    parts.push(bsMat(bsCol(st.deltas[l - 1]), `δ${s(l)}`), bsMat([st.a[l - 1]], `(a${s(l - 1)})ᵀ`),
      bsOp("="), bsMat(st.dW[l - 1], `∂L/∂W${s(l)}`, "bp-bs-result"), bsOp(" "),
      bsMat(bsCol(st.db[l - 1]), `∂L/∂b${s(l)}`, "bp-bs-result"));
    const d = st.deltas[l - 1], a = st.a[l - 1];
    const dW11 = fmt(st.dW[l - 1][0][0], 4);
    lines = [`∂L/∂W${s(l)}${subscript("ij")} = δ${s(l)}${subscript("i")} ` +
      `a${s(l - 1)}${subscript("j")}, e.g.`,
      `∂L/∂W${s(l)}${subscript(11)} = ${bsNum(d[0])} · ${bsNum(a[0])} = ${dW11}`];
    const [n1, n0] = [st.sizes[l], st.sizes[l - 1]];
    note = `Shape check: (${n1}×1)(1×${n0}) = ${n1}×${n0}` +
      `, the shape of W${s(l)}. Over a batch, both sum over the samples.`;
  }
  return h("div", { class: "bp-bs-eq" }, [
    h("div", { class: "bp-bs-eq-title" }, title),
    h("div", { class: "bp-bs-terms" }, parts),
    h("div", { class: "bp-readout bp-bs-lines" }, lines.join("\n")),
    h("div", { class: "bp-bs-note" }, note),
  ]);
}

// The network: nodes show a^l, badges below them δ^l once computed; the edges the current step
// uses are highlighted.
function bsDrawNet(svg, st, weights, step) {
  const width = 360, height = 250;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "bp-bs-net");
  const { kind, layer } = st.steps[step];
  const L = st.sizes.length - 1, nmax = Math.max(...st.sizes);
  const gap = Math.min(64, (height - 70) / Math.max(nmax - 1, 1));
  const px = (l) => 34 + (l * (width - 80)) / L;
  const py = (l, i) => (height - 40) / 2 + (i - (st.sizes[l] - 1) / 2) * gap;
  // 19 holds a five-character value such as "−0.50" in 11 px monospace; less if layers are tall
  const r = Math.min(19, gap / 2 - 2);
  const wmax = Math.max(1e-9, ...weights.flat(2).map(Math.abs));
  const activeW = kind === "delta" && layer < L ? layer + 1 : kind === "grads" ? layer : null;
  weights.forEach((W, k) => W.forEach((row, i) => row.forEach((w, j) => {
    const on = activeW === k + 1;
    svg.append(svgEl("line", { x1: px(k), y1: py(k, j), x2: px(k + 1), y2: py(k + 1, i),
      stroke: on ? signedColor(w) : "#9aa4ad", "stroke-dasharray": on ? signedDash(w) : null,
      "stroke-width": 0.8 + 4 * Math.abs(w) / wmax,
      "stroke-opacity": activeW === null || on ? 0.85 : 0.3 },
    svgEl("title", {}, `W${superscript(k + 1)}${subscript(`${i + 1}${j + 1}`)} = ${fmt(w)}`)));
  })));
  const deltaStep = (l) => 1 + 2 * (L - l);
  st.sizes.forEach((n, l) => {
    const target = (kind === "delta" || kind === "grads") && l === layer;
    const source = kind === "delta" && l === layer + 1;
    for (let i = 0; i < n; i++) {
      const cx = px(l), cy = py(l, i);
      svg.append(svgEl("circle", { cx, cy, r,
        class: `bp-bs-node${target ? " bp-bs-target" : ""}${source ? " bp-bs-source" : ""}` }));
      svg.append(svgEl("text", { x: cx, y: cy + 4, class: "bp-node-text" }, fmt(st.a[l][i], 2)));
      if (l >= 1 && step >= deltaStep(l)) {
        svg.append(svgEl("text", { x: cx, y: cy + 31, class: "bp-bs-delta" },
          `δ=${fmt(st.deltas[l - 1][i], 3)}`));
      }
    }
    svg.append(svgEl("text", { x: px(l), y: height - 6, class: "bp-axis-label" },
      l === 0 ? "x = a⁰" : `layer ${l}`));
  });
}

export default {
  render({ model, el }) {
    const { root, body, kernel, announce } = frame(model, el, "Step through the backward pass");
    const controls = Object.fromEntries(BS_CONTROLS.map((k) => [k, clone(model.get(k))]));
    let state = model.get("state");
    const sync = controlSync(model, kernel);

    const prev = button("◀ Prev", () => setStep(controls.step - 1));
    const next = button("Next ▶", () => setStep(controls.step + 1));
    const pills = h("div", { class: "bp-bs-pills" });
    const svg = svgEl("svg", { role: "img" });
    const eq = h("div", { class: "bp-bs-calc" });
    const sliderBox = h("div", { class: "bp-bs-sliders" });
    body.append(
      h("div", { class: "bp-bs-bar" }, [prev, next, pills]),
      h("div", { class: "bp-bs-main" }, [h("div", { class: "bp-bs-netbox" }, svg), eq]),
      sliderBox);

    let sliders = [];
    function buildSliders() {
      sliders = [];
      const blocks = controls.weights.map((W, k) => {
        const grid = h("div", { class: "bp-bs-grid",
          style: `grid-template-columns: repeat(${W[0].length}, auto)` });
        W.forEach((row, i) => row.forEach((w, j) => {
          const name = `W${superscript(k + 1)}${subscript(`${i + 1}${j + 1}`)}`;
          const s = slider({ label: name, min: -3, max: 3, step: 0.05, value: w, digits: 2,
            onInput: (v) => { controls.weights[k][i][j] = v; changed("weights"); } });
          s.root.classList.add("bp-bs-slider");
          sliders.push({ s, get: () => controls.weights[k][i][j] });
          grid.append(s.root);
        }));
        const block = h("div", { class: "bp-bs-block", "data-layer": k + 1 }, [
          h("div", { class: "bp-bs-block-title" },
            `W${superscript(k + 1)}  (${W.length}×${W[0].length})`), grid]);
        return block;
      });
      const inputs = h("div", { class: "bp-bs-grid", style: "grid-template-columns: auto" });
      const addInput = (key, idx, label, lo, hi) => {
        const s = slider({ label, min: lo, max: hi, step: 0.05, value: controls[key][idx],
          digits: 2,
          onInput: (v) => { controls[key][idx] = v; changed(key); } });
        s.root.classList.add("bp-bs-slider");
        sliders.push({ s, get: () => controls[key][idx] });
        inputs.append(s.root);
      };
      controls.x.forEach((_, i) => addInput("x", i, `x${subscript(i + 1)}`, -3, 3));
      controls.y.forEach((_, i) => addInput("y", i, `y${subscript(i + 1)}`, -1, 2));
      const select = (key, label) => {
        const sel = h("select", { "aria-label": label, class: "bp-bs-select",
          onchange: () => { controls[key] = sel.value; changed(key); } },
        BS_ACTIVATIONS.map((a) => h("option", { value: a }, a)));
        sel.value = controls[key];
        return h("label", { class: "bp-bs-sel" }, [label, " ", sel]);
      };
      const inputBlock = h("div", { class: "bp-bs-block" }, [
        h("div", { class: "bp-bs-block-title" }, "sample and activations"), inputs,
        select("activation", "hidden f"), select("output_activation", "output f")]);
      sliderBox.replaceChildren(...blocks, inputBlock);
    }

    function changed(key) {
      sync.update({ [key]: clone(controls[key]) },
        () => recomputeHere(model, () => bsCompute(controls), (st) => { state = st; draw(); }));
    }

    function setStep(k) {
      if (!hasState(state)) return;
      const last = state.steps.length - 1;
      controls.step = Math.max(0, Math.min(last, k));
      sync.update({ step: controls.step });
      draw();
    }

    // one pill per step, made again only when the number of steps changes: a pill pressed with
    // the keyboard keeps the focus
    let pillButtons = [];
    function buildPills() {
      pillButtons = state.steps.map((st, k) => h("button", { type: "button",
        class: "bp-bs-pill", onclick: () => setStep(k),
        "aria-label": `step ${k}: ${bsStepName(st)}` }, bsStepName(st)));  // name ⊃ the text
      pills.replaceChildren(...pillButtons);
    }

    function draw() {
      if (!hasState(state)) return;
      const step = Math.min(controls.step, state.steps.length - 1);
      const L = state.sizes.length - 1;
      setDisabled(prev, step === 0, next);
      setDisabled(next, step === state.steps.length - 1, prev);
      if (pillButtons.length !== state.steps.length) buildPills();
      pillButtons.forEach((pill, k) => {
        pill.classList.toggle("bp-bs-on", k === step);
        if (k === step) pill.setAttribute("aria-current", "step");
        else pill.removeAttribute("aria-current");
      });
      bsDrawNet(svg, state, controls.weights, step);
      const where = `step ${step} of ${state.steps.length - 1}, ${bsStepName(state.steps[step])}`;
      const loss = `loss L = ${fmt(state.loss, 4)}`;
      svg.setAttribute("aria-label", `the network ${state.sizes.join("–")} with the value of ` +
        `every node and the δ computed so far, at ${where}; ${loss}`);
      announce(`${where}; ${loss}`);
      eq.replaceChildren(bsEquation(state, controls.weights, step));
      const { kind, layer } = state.steps[step];
      const active = kind === "delta" && layer < L ? layer + 1 : kind === "grads" ? layer : 0;
      sliderBox.querySelectorAll(".bp-bs-block[data-layer]").forEach((b) => {
        b.classList.toggle("bp-bs-active", Number(b.dataset.layer) === active);
      });
      publish(root, model, clone(controls), state);
    }

    model.on("change:state", () => { state = model.get("state"); draw(); });
    BS_CONTROLS.forEach((key) => model.on(`change:${key}`, () => {
      const v = model.get(key);
      if (JSON.stringify(v) === JSON.stringify(controls[key])) return;
      const reshape = key !== "step" && JSON.stringify(v).replace(/[-\d.e]+/g, "0") !==
        JSON.stringify(controls[key]).replace(/[-\d.e]+/g, "0");
      controls[key] = clone(v);
      if (reshape || key === "activation" || key === "output_activation") buildSliders();
      else sliders.forEach(({ s, get }) => s.set(get()));
      draw();
    }));

    buildSliders();
    draw();
  },
};
