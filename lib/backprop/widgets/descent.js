// descent.js — front end of DescentExplorer (chapter 3): gradient descent on one weight of a
// chain of one-neuron layers x → w1 → f → w2 → f → … → wL → y, with an MSE loss.
// Concatenated after mlmath.js and ui.js (same module scope).

const DESCENT_CONTROLS = ["weights", "which", "lr", "steps", "activation", "reduction", "x", "t",
  "w_range"];
const DESCENT_CURVE_POINTS = 121;  // as CURVE_POINTS in descent.py
const DESCENT_W_LIMIT = 1e6;       // as W_LIMIT in descent.py

// np.linspace(a, b, n): a + i (b − a)/(n − 1), the last point exactly b.
function descentLinspace(a, b, n) {
  const step = (b - a) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : a + i * step));
}

// The state of DescentExplorer.compute() for the controls c, recomputed in the browser with
// mlmath.js (same keys, same numbers). Throws an Error for invalid controls.
export function descentState(c) {
  const L = c.weights.length, k = c.which;
  if (!(k >= 0 && k < L)) throw new Error(`which = ${k}: choose a weight index from 0 to ${L - 1}`);
  if (c.x.length !== c.t.length || !c.x.length) {
    throw new Error(`x and t need the same number (≥ 1) of samples, got ${c.x.length} and ` +
      `${c.t.length}`);
  }
  if (!(ACT[c.activation])) throw new Error(`unknown activation '${c.activation}'`);
  const X = c.x.map((v) => [v]), T = c.t.map((v) => [v]);
  const ws = c.weights.slice();
  const layers = () => ws.map((w, l) => ({ W: [[w]], b: [0], act: l < L - 1 ? c.activation : "identity" }));
  const run = (w) => {
    ws[k] = w;
    const net = layers(), cache = mlpForward(net, X);
    return { net, cache, ...mse(cache.A[L - 1], T, c.reduction) };
  };
  const lossAndGrad = (w) => {
    const r = run(w);
    return [r.value, mlpBackward(r.net, r.cache, r.grad).dW[k][0][0]];
  };

  const [lo, hi] = c.w_range;
  const grid = descentLinspace(lo, hi, DESCENT_CURVE_POINTS);
  const curve = grid.map((w) => run(w).value);

  const w0 = c.weights[k];
  const r0 = run(w0);
  const grad = mlpBackward(r0.net, r0.cache, r0.grad).dW[k][0][0];
  const col = (M) => M.map((row) => row[0]);
  const Z = r0.cache.Z.map(col), A = r0.cache.A.map(col), x = c.x, dLdy = col(r0.grad);

  // chain-rule factors of ∂L/∂w_{k+1}, from the loss down: ∂L/∂y · Π (w_m f′(z_{m−1})) · a_k
  const labels = ["∂L/∂y"], columns = [dLdy];
  for (let m = L; m > k + 1; m--) {
    labels.push(`w${m}`, `f′(z${m - 1})`);
    columns.push(x.map(() => c.weights[m - 1]), Z[m - 2].map(ACT[c.activation].df));
  }
  labels.push(k === 0 ? "x" : `a${k}`);
  columns.push(k === 0 ? x : A[k - 1]);
  const values = x.map((_, i) => columns.map((colm) => colm[i]));

  const path = { w: [w0], loss: [r0.value], grad: [grad] };
  let w = w0, g = grad, diverged = false;
  for (let s = 0; s < c.steps; s++) {
    w = w - c.lr * g;
    if (!(Math.abs(w) <= DESCENT_W_LIMIT)) { diverged = true; break; }
    const [v, gg] = lossAndGrad(w);
    g = gg;
    path.w.push(w); path.loss.push(v); path.grad.push(g);
  }
  let status = "";
  if (c.steps) {
    diverged = diverged || path.loss[path.loss.length - 1] > path.loss[0];
    status = diverged ? "diverges" : path.grad.every((gk) => gk === 0) ? "stuck" : "descends";
  }

  const top = Math.max(...curve);
  const flat = top - Math.min(...curve) < 0.05 * top;   // e.g. behind a ReLU that is off
  const ymax = top * (flat ? 1.5 : 1.08) || 1;
  let half = 0.12 * (hi - lo);
  if (grad !== 0) half = Math.min(half, (0.3 * ymax) / Math.abs(grad));
  const nodeLabels = ["x"];
  for (let l = 1; l < L; l++) nodeLabels.push(`z${l}`, `a${l}`);
  nodeLabels.push("y");
  const nodeValues = [x.slice()];
  for (let l = 0; l < L; l++) { nodeValues.push(Z[l]); if (l < L - 1) nodeValues.push(A[l]); }
  return {
    names: c.weights.map((_, l) => `w${l + 1}`),
    w: w0,
    loss: r0.value,
    grad,
    nodes: { labels: nodeLabels, values: nodeValues },
    factors: { labels, values, products: values.map((row) => row.reduce((p, v) => p * v, 1)) },
    curve: { w: grid, loss: curve },
    tangent: { w: [w0 - half, w0 + half], loss: [r0.value - grad * half, r0.value + grad * half] },
    path,
    status,
    ylim: [0, ymax],
  };
}

// ---- drawing -------------------------------------------------------------------------------

// The chain x → z1 → a1 → … → y → L with the weights on their edges; the weight slid and the
// path from L down to it in orange, labelled with the local derivatives (of sample 1).
function drawDescentChain(svg, st, which, weights, arrowId) {
  svg.replaceChildren();
  const labels = [...st.nodes.labels, "L"];
  const vals = [...st.nodes.values.map((v) => v[0]), st.loss];
  const n = labels.length, width = 720, height = 144, pad = 30, Y = 54, R = 21;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "descent-chain");
  svg.append(arrowDefs(arrowId, { viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 8,
    markerHeight: 8, markerUnits: "userSpaceOnUse" },
  { d: "M 0 0 L 10 5 L 0 10 z", fill: COLORS.grey }));
  const X = (i) => pad + R + (i * (width - 2 * pad - 2 * R)) / (n - 1);
  const wEdge = 2 * which;  // edge i joins node i and i + 1; edge 2l carries w_{l+1}
  for (let i = 0; i < n - 1; i++) {
    const mid = (X(i) + X(i + 1)) / 2;
    const cls = i === wEdge ? "descent-edge descent-edge-w"
      : i > wEdge ? "descent-edge descent-edge-path" : "descent-edge";
    svg.append(svgEl("line", { x1: X(i) + R, y1: Y, x2: X(i + 1) - R - 2, y2: Y, class: cls,
      "marker-end": `url(#${arrowId})` }));
    const top = i === n - 2 ? "MSE" : i % 2 === 0 ? `×w${i / 2 + 1} = ${fmt(weights[i / 2], 2)}` : "f";
    svg.append(svgEl("text", { x: mid, y: Y - R - 4, class: i === wEdge
      ? "descent-edge-label descent-edge-label-w" : "descent-edge-label" }, top));
    if (i >= wEdge) {  // factor j of ∂L/∂w, counted from the loss down
      const j = n - 2 - i;
      svg.append(svgEl("text", { x: mid, y: Y + R + 34, class: "descent-factor" },
        i === wEdge ? `∂z/∂w = ${st.factors.labels[j]}` : st.factors.labels[j]));
      svg.append(svgEl("text", { x: mid, y: Y + R + 50, class: "descent-factor" },
        fmt(st.factors.values[0][j], 3)));
    }
  }
  const ns = st.factors.values.length;
  svg.append(svgEl("text", { x: 4, y: height - 4, class: "descent-legend" },
    `orange: the path from L down to w${which + 1} and its local derivatives` +
    (ns > 1 ? ` (node values and factors of sample 1 of ${ns})` : "")));
  labels.forEach((lab, i) => {
    svg.append(svgEl("circle", { cx: X(i), cy: Y, r: R,
      class: i === n - 1 ? "bp-node descent-loss-node" : "bp-node" }));
    svg.append(svgEl("text", { x: X(i), y: Y + 4, class: "bp-node-text" }, fmt(vals[i], 2)));
    svg.append(svgEl("text", { x: X(i), y: Y + R + 15, class: "descent-node-label" }, lab));
  });
}

// The part of the segment p→q inside the box [x0, y0, x1, y1] (Liang–Barsky), or null.
function descentClip(p, q, [x0, y0, x1, y1]) {
  const dx = q[0] - p[0], dy = q[1] - p[1];
  let t0 = 0, t1 = 1;
  for (const [a, b] of [[-dx, p[0] - x0], [dx, x1 - p[0]], [-dy, p[1] - y0], [dy, y1 - p[1]]]) {
    if (a === 0) { if (b < 0) return null; continue; }
    const r = b / a;
    if (a < 0) t0 = Math.max(t0, r); else t1 = Math.min(t1, r);
    if (t0 > t1) return null;
  }
  return [[p[0] + t0 * dx, p[1] + t0 * dy], [p[0] + t1 * dx, p[1] + t1 * dy]];
}

function drawDescentPlot(svg, st, name) {
  const [lo, hi] = [st.curve.w[0], st.curve.w[st.curve.w.length - 1]];
  const { sx, sy } = linePlot(svg, {
    series: [
      { x: st.curve.w, y: st.curve.loss, color: COLORS.blue, width: 2.5 },
    ],
    xlim: [lo, hi], ylim: st.ylim, xlabel: name, ylabel: `L(${name})`, width: 460, height: 280,
  });
  const box = [sx(lo), sy(st.ylim[1]), sx(hi), sy(st.ylim[0])];  // x0, y0 (top), x1, y1
  const inside = ([a, b]) => a >= box[0] - 1e-9 && a <= box[2] + 1e-9 && b >= box[1] - 1e-9 && b <= box[3] + 1e-9;
  const tan = descentClip([sx(st.tangent.w[0]), sy(st.tangent.loss[0])],
    [sx(st.tangent.w[1]), sy(st.tangent.loss[1])], box);
  if (tan) {
    svg.append(svgEl("line", { x1: tan[0][0], y1: tan[0][1], x2: tan[1][0], y2: tan[1][1],
      class: "descent-tangent" }));
  }
  const pts = st.path.w.map((w, i) => [sx(w), sy(st.path.loss[i])]);
  let outside = 0;
  pts.forEach((p, i) => {
    if (i > 0) {
      const seg = descentClip(pts[i - 1], p, box);
      if (seg) {
        svg.append(svgEl("line", { x1: seg[0][0], y1: seg[0][1], x2: seg[1][0], y2: seg[1][1],
          class: "descent-path" }));
      }
    }
    if (i === 0) return;
    if (!inside(p)) { outside += 1; return; }
    svg.append(svgEl("circle", { cx: p[0], cy: p[1], r: 3.5, class: "descent-step" },
      svgEl("title", {}, `step ${i}: ${name} = ${fmt(st.path.w[i], 4)}, L = ${fmt(st.path.loss[i], 4)}`)));
  });
  const cx = (w) => Math.max(box[0], Math.min(box[2], sx(w)));
  const cy = (v) => Math.max(box[1], Math.min(box[3], sy(v)));
  svg.append(svgEl("circle", { cx: cx(st.w), cy: cy(st.loss), r: 6, class: "descent-current" },
    svgEl("title", {}, `${name} = ${fmt(st.w, 4)}, L = ${fmt(st.loss, 4)}`)));
  // notes in the top corner away from the current point
  const left = sx(st.w) > (box[0] + box[2]) / 2;
  const note = { x: left ? box[0] + 8 : box[2] - 8, "text-anchor": left ? "start" : "end" };
  if (st.status === "diverges") {
    svg.append(svgEl("text", { ...note, y: box[1] + 20, class: "descent-diverges-label" },
      "diverges"));
  }
  if (outside) {
    svg.append(svgEl("text", { ...note, y: box[1] + 38, class: "descent-outside" },
      `${outside} step${outside === 1 ? "" : "s"} outside the plot`));
  }
}

function descentSelect(label, options, value, onChange) {
  const sel = h("select", { "aria-label": label, class: "descent-select" },
    options.map(([v, text]) => h("option", { value: v }, text)));
  sel.value = value;
  sel.addEventListener("change", () => onChange(sel.value));
  return { root: h("label", { class: "bp-slider" }, [h("span", { class: "bp-slider-label" }, label), sel]), sel };
}

function descentTable(st, name) {
  const labels = st.factors.labels, n = st.factors.values.length;
  const head = h("tr", {}, [h("th", {}, n > 1 ? "sample" : ""), ...labels.map((s) => h("th", {}, s)),
    h("th", {}, "product")]);
  const rows = st.factors.values.map((row, i) => h("tr", {}, [h("td", {}, n > 1 ? String(i + 1) : ""),
    ...row.map((v) => h("td", {}, fmt(v, 4))), h("td", {}, fmt(st.factors.products[i], 4))]));
  const total = h("tr", { class: "descent-total" }, [h("td", { colspan: labels.length + 1 },
    n > 1 ? `∂L/∂${name} = sum of the products (backprop gives ${fmt(st.grad, 4)})`
      : `∂L/∂${name} = the product (backprop gives ${fmt(st.grad, 4)})`),
  h("td", {}, fmt(st.factors.products.reduce((a, b) => a + b, 0), 4))]);
  return h("table", { class: "descent-table" }, [head, ...rows, total]);
}

export default {
  render({ model, el }) {
    const { root, body, kernel, announce } = frame(model, el,
      "Gradient descent on one weight");
    const ctl = Object.fromEntries(DESCENT_CONTROLS.map((k) => [k, model.get(k)]));
    const sync = controlSync(model, kernel);

    const chain = svgEl("svg", { role: "img" });
    const arrowId = uniqueId("descent-arrow");  // this view's arrowhead
    const plot = svgEl("svg", { role: "img" });
    const readout = h("div", { class: "bp-readout descent-readout" });
    const table = h("div", { class: "descent-factors" });
    const seg = h("div", { class: "descent-seg", role: "group", "aria-label": "weight to slide" });

    const push = (changes) => {
      Object.assign(ctl, changes);
      sync.update(changes, recompute);
    };
    const wSlider = slider({ label: "w", min: ctl.w_range[0], max: ctl.w_range[1], step: 0.01,
      value: ctl.weights[ctl.which], onInput: (v) => {
        const weights = ctl.weights.slice();
        weights[ctl.which] = v;
        push({ weights });
      } });
    const lrSlider = slider({ label: "α (rate)", min: 0.01, max: 3, step: 0.01, value: ctl.lr,
      onInput: (v) => push({ lr: v }) });
    const stepsSlider = slider({ label: "steps", min: 0, max: 30, step: 1, value: ctl.steps,
      digits: 0, onInput: (v) => push({ steps: v }) });
    const actSelect = descentSelect("f", [["tanh", "tanh"], ["sigmoid", "sigmoid"],
      ["relu", "ReLU"], ["identity", "identity"]], ctl.activation, (v) => push({ activation: v }));
    const redSelect = descentSelect("loss", [["mean", "(1/n) Σ (y − t)²"],
      ["half_sum", "½ Σ (y − t)²"], ["sum", "Σ (y − t)²"]], ctl.reduction,
    (v) => push({ reduction: v }));

    // one button per weight, made again only when the number of weights changes: a button
    // pressed with the keyboard keeps the focus
    let wButtons = [];
    const syncControls = () => {
      if (wButtons.length !== ctl.weights.length) {
        wButtons = ctl.weights.map((_, i) => h("button", { type: "button", class: "bp-button",
          onclick: () => { wSlider.set(ctl.weights[i]); push({ which: i }); syncControls(); },
        }, `w${i + 1}`));
        seg.replaceChildren(...wButtons);
      }
      wButtons.forEach((b, i) => {
        b.classList.toggle("descent-on", i === ctl.which);
        b.setAttribute("aria-pressed", String(i === ctl.which));
      });
      wSlider.root.querySelector(".bp-slider-label").textContent = `w${ctl.which + 1}`;
      wSlider.input.setAttribute("aria-label", `w${ctl.which + 1}`);
      wSlider.input.min = ctl.w_range[0];
      wSlider.input.max = ctl.w_range[1];
      wSlider.set(ctl.weights[ctl.which]);
      lrSlider.set(ctl.lr);
      stepsSlider.set(ctl.steps);
      actSelect.sel.value = ctl.activation;
      redSelect.sel.value = ctl.reduction;
    };

    const draw = (st) => {
      if (!hasState(st)) return;
      const name = st.names[ctl.which];
      drawDescentChain(chain, st, ctl.which, ctl.weights, arrowId);
      drawDescentPlot(plot, st, name);
      const last = st.path.loss.length - 1;
      const lines = [
        `L(${name}) = ${fmt(st.loss, 4)}`,
        `∂L/∂${name} = ${fmt(st.grad, 4)}`,
        h("span", { class: "descent-note" }, "(backprop: the slope of the tangent)"),
      ];
      if (st.status) {
        lines.push(`after ${last} step${last === 1 ? "" : "s"}:`,
          `${name} = ${fmt(st.path.w[last], 4)}, L = ${fmt(st.path.loss[last], 4)}`);
      }
      readout.replaceChildren(...lines.map((s) => h("div", {}, s)));
      const status = !st.status ? ""
        : st.status === "diverges"
          ? (last < ctl.steps ? `diverges: |${name}| passed 10⁶ — α is far too large`
            : `diverges: the loss went up from ${fmt(st.path.loss[0], 3)} — α is too large`)
          : st.status === "stuck" && st.path.loss[0] === 0
            ? `at a minimum: L = 0, so ∂L/∂${name} = 0 and no step moves ${name}`
          : st.status === "stuck"
            ? `stuck: ∂L/∂${name} = 0 at every step, so no step moves ${name}` +
              (ctl.activation === "relu" ? " (a ReLU is off for every input)" : "")
            : `the loss goes down: ${fmt(st.path.loss[0], 3)} → ${fmt(st.path.loss[last], 3)}`;
      if (status) {
        readout.append(h("div", { class: `descent-status descent-${st.status}` }, status));
      }
      const here = `L(${name}) = ${fmt(st.loss, 4)}, ∂L/∂${name} = ${fmt(st.grad, 4)}`;
      chain.setAttribute("aria-label", `the chain ${[...st.nodes.labels, "L"].join(" → ")}, ` +
        `the path from L down to ${name} marked with its local derivatives; ${here}`);
      plot.setAttribute("aria-label", `the loss against ${name}, with the tangent at ` +
        `${name} = ${fmt(st.w, 4)} and ${last} gradient step${last === 1 ? "" : "s"}; ${here}` +
        (status ? `; ${status}` : ""));
      announce(status ? `${here}; ${status}` : here);
      table.replaceChildren(descentTable(st, name));
      publish(root, model, ctl, st);
    };
    const recompute = () => recomputeHere(model, () => descentState(ctl), draw);

    syncControls();
    body.append(
      chain,
      h("div", { class: "bp-controls descent-controls" }, [seg, wSlider.root, lrSlider.root, stepsSlider.root,
        actSelect.root, redSelect.root, readout]),
      h("div", { class: "descent-plot-box" }, plot), table);
    model.on("change:state", () => {
      for (const k of DESCENT_CONTROLS) ctl[k] = model.get(k);
      syncControls();
      draw(model.get("state"));
    });
    draw(model.get("state"));
  },
};
