// softmax.js — front end of SoftmaxExplorer (chapter 6): logits → softmax → cross-entropy, with
// the gradient (p − y)/T next to the squared error's J (p − y)/T.
// Concatenated after mlmath.js and ui.js.

const SM_CONTROLS = ["logits", "target", "temperature"];

// The twin of softmax_state() in softmax.py: same keys, same order of operations.
function smCompute(c) {
  const C = c.logits.length, T = c.temperature, t = c.target;
  const scaled = c.logits.map((v) => v / T);
  const logp = logSoftmaxRow1p(scaled);
  const probs = logp.map(Math.exp);
  const onehot = probs.map((_, j) => (j === t ? 1 : 0));
  const grad = probs.map((p, j) => (p - onehot[j]) / 1 / T);
  const jacobian = softmaxJacobian(probs);
  const sq = mse([probs], [onehot], "half_sum");
  const g = sq.grad[0];
  const mseGrad = probs.map((_, i) => jacobian.reduce((s, row, j) => s + row[i] * g[j], 0) / T);
  let predicted = 0;
  probs.forEach((p, j) => { if (p > probs[predicted]) predicted = j; });
  return { classes: C, scaled, probs, onehot, loss: -logp[t], grad, jacobian,
    mse_loss: sq.value, mse_grad: mseGrad, predicted };
}

// One row per class: p_c as a bar in [0, 1] (the target's track outlined), then the two
// gradients as signed bars on the common scale 1/T (|p − y| ≤ 1).
function smBars(svg, st, T, target) {
  const C = st.classes, width = 640, rowH = 34, top = 40;
  const height = top + C * rowH + 4;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "bp-sm-bars");
  const pX = 104, pW = 170;
  const cols = [{ key: "grad", mid: 395, head: ["cross-entropy L", "∂L/∂z = (p − y)/T"] },
    { key: "mse_grad", mid: 562, head: ["squared error E", "∂E/∂z = J(p − y)/T"] }];
  const half = 70, vmax = 1 / T;
  const head = (x, lines, anchor = "middle") => lines.forEach((s, k) => svg.append(
    svgEl("text", { x, y: 13 + 14 * k, class: "bp-sm-head", "text-anchor": anchor }, s)));
  head(pX, ["probability p = softmax(z/T)", "and target y (outlined)"], "start");
  cols.forEach((col) => head(col.mid, col.head));
  for (let c = 0; c < C; c++) {
    const y0 = top + c * rowH, isT = c === target;
    const cls = `bp-sm-label${isT ? " bp-sm-target" : ""}`;
    svg.append(svgEl("text", { x: 4, y: y0 + 13, class: cls },
      `class ${c + 1}${isT ? " ← y" : ""}`));
    svg.append(svgEl("text", { x: 4, y: y0 + 27, class: "bp-sm-num" },
      `z/T = ${fmt(st.scaled[c], 2)}`));
    svg.append(svgEl("rect", { x: pX, y: y0 + 3, width: pW, height: 14, class: "bp-sm-track",
      stroke: isT ? COLORS.red : "none", "stroke-width": 1.5 }));
    svg.append(svgEl("rect", { x: pX, y: y0 + 3, width: pW * st.probs[c], height: 14,
      fill: c === st.predicted ? COLORS.blue : COLORS.sky },
    svgEl("title", {}, `p${subscript(c + 1)} = ${fmt(st.probs[c], 6)}`)));
    svg.append(svgEl("text", { x: pX, y: y0 + 29, class: "bp-sm-num" },
      `p = ${fmt(st.probs[c], 4)}   y = ${st.onehot[c]}`));
    for (const col of cols) {
      const v = st[col.key][c];
      const w = Math.min(1, Math.abs(v) / vmax) * half;
      svg.append(svgEl("line", { x1: col.mid, x2: col.mid, y1: y0, y2: y0 + 20,
        class: "bp-sm-axis" }));
      svg.append(svgEl("rect", { x: v >= 0 ? col.mid : col.mid - w, y: y0 + 3, width: w,
        height: 14, fill: signedColor(v) }, svgEl("title", {}, fmt(v, 6))));
      svg.append(svgEl("text", { x: col.mid, y: y0 + 29, class: "bp-sm-num",
        "text-anchor": "middle" }, fmt(v, 4)));
    }
  }
}

function smJacobian(st) {
  const C = st.classes;
  const head = h("tr", {}, [h("th", {}, ""),
    ...Array.from({ length: C }, (_, j) => h("th", {}, `∂(z${subscript(j + 1)}/T)`))]);
  const rows = st.jacobian.map((row, i) => h("tr", {}, [h("th", {}, `∂p${subscript(i + 1)}`),
    ...row.map((v) => h("td", {}, fmt(v, 3)))]));
  return h("div", {}, [
    h("div", { class: "bp-sm-jac-cap" }, "Jacobian of the softmax J = diag(p) − p pᵀ " +
      "(with respect to z/T; rows sum to 0):"),
    h("table", { class: "bp-sm-jac" }, [head, ...rows])]);
}

export default {
  render({ model, el }) {
    const { root, body, kernel, announce } = frame(model, el,
      "Softmax and cross-entropy: logits → probabilities → loss → gradient");
    root.classList.add("bp-sm");
    const controls = Object.fromEntries(SM_CONTROLS.map((k) => [k, clone(model.get(k))]));
    let state = model.get("state");
    const sync = controlSync(model, kernel);

    const sliderBox = h("div", { class: "bp-sm-col" });
    const classSel = h("select", { "aria-label": "classes", class: "bp-sm-select",
      onchange: () => setClasses(Number(classSel.value)) },
    [2, 3, 4, 5, 6].map((k) => h("option", { value: k }, String(k))));
    const targetSel = h("select", { "aria-label": "target class", class: "bp-sm-select",
      onchange: () => { controls.target = Number(targetSel.value); changed(["target"]); } });
    const temp = slider({ label: "temperature T", min: 0.1, max: 5, step: 0.05,
      value: controls.temperature, digits: 2,
      onInput: (v) => { controls.temperature = v; changed(["temperature"]); } });
    temp.root.classList.add("bp-sm-temp");
    const wrong = button("Confidently wrong", () => {
      const C = controls.logits.length;
      controls.logits = controls.logits.map((_, j) =>
        (j === controls.target ? -4 : j === (controls.target + 1) % C ? 4 : 0));
      changed(["logits"]);
      buildSliders();
    });
    const readout = h("div", { class: "bp-readout bp-sm-readout" });
    const svg = svgEl("svg", { role: "img" });
    const jac = h("div");
    body.append(
      // the selects first: changing the number of classes rebuilds only the sliders after them
      h("div", { class: "bp-sm-controls" }, [
        h("div", { class: "bp-sm-col" }, [
          h("label", { class: "bp-sm-row" }, ["classes C ", classSel]),
          h("label", { class: "bp-sm-row" }, ["target class ", targetSel]),
          temp.root,
          h("div", { class: "bp-sm-row" }, [wrong])]),
        sliderBox]),
      svg,
      h("div", { class: "bp-sm-note" }, "Gradient bars share the scale ±1/T (|p − y| ≤ 1); " +
        "blue is positive, orange negative; the dark probability bar is the predicted class."),
      readout, jac);

    let sliders = [];
    function buildSliders() {
      sliders = controls.logits.map((v, j) => {
        const s = slider({ label: `z${subscript(j + 1)}`, min: -10, max: 10, step: 0.1, value: v,
          digits: 2, onInput: (x) => { controls.logits[j] = x; changed(["logits"]); } });
        return s;
      });
      sliderBox.replaceChildren(...sliders.map((s) => s.root));
      targetSel.replaceChildren(...controls.logits.map((_, j) =>
        h("option", { value: j }, `class ${j + 1}`)));
      targetSel.value = String(controls.target);
      classSel.value = String(controls.logits.length);
    }

    function setClasses(C) {
      const z = controls.logits.slice(0, C);
      while (z.length < C) z.push(0);
      controls.logits = z;
      const keys = ["logits"];
      if (controls.target >= C) {
        controls.target = C - 1;
        keys.unshift("target");
      }
      buildSliders();
      changed(keys);
    }

    function changed(keys) {
      sync.update(Object.fromEntries(keys.map((k) => [k, clone(controls[k])])),
        () => recomputeHere(model, () => smCompute(controls), (st) => { state = st; draw(); }));
    }

    function draw() {
      if (!hasState(state)) return;
      const T = controls.temperature, t = controls.target;
      smBars(svg, state, T, t);
      const lines = [
        `cross-entropy  L = −log p${subscript(t + 1)} = ${fmt(state.loss, 5)}` +
          `      squared error  E = ½‖p − y‖² = ${fmt(state.mse_loss, 5)}`,
        `predicted class ${state.predicted + 1}` +
          (state.predicted === t ? " (right)" : ` (wrong: the target is class ${t + 1})`),
        `gradient sizes  ‖∂L/∂z‖ = ${fmt(norm(state.grad), 4)}` +
          `      ‖∂E/∂z‖ = ${fmt(norm(state.mse_grad), 4)}`,
      ];
      readout.textContent = lines.join("\n");
      const list = (xs) => xs.map((v) => fmt(v, 3)).join(", ");
      svg.setAttribute("aria-label", `bars for classes 1 to ${state.classes}, the target ` +
        `class ${t + 1}: probabilities p = ${list(state.probs)}; gradients ∂L/∂z = ` +
        `${list(state.grad)}; ∂E/∂z = ${list(state.mse_grad)}`);
      announce(`L = ${fmt(state.loss, 4)}, E = ${fmt(state.mse_loss, 4)}; ${lines[1]}`);
      jac.replaceChildren(smJacobian(state));
      publish(root, model, clone(controls), state);
    }

    model.on("change:state", () => { state = model.get("state"); draw(); });
    SM_CONTROLS.forEach((key) => model.on(`change:${key}`, () => {
      const v = model.get(key);
      if (JSON.stringify(v) === JSON.stringify(controls[key])) return;
      controls[key] = clone(v);
      if (key === "temperature") temp.set(v);
      else buildSliders();
      draw();
    }));

    buildSliders();
    draw();
  },
};
