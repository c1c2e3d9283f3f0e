// graph.js — front end of GraphExplorer (chapter 2, the chain rule on a computational graph).
//
// Draws a scalar graph in layers (inputs on the left, the output on the right): every node
// shows its value (blue, above) and its gradient ∂f/∂node (vermilion, below); an edge leaving
// a node used several times shows the gradient it sends back (upstream × local), so the sum at
// the node is visible; a checkbox adds every edge's local gradient. With a kernel the sliders
// set the Python controls and the Python state is drawn; without one (a static book page) the
// state is recomputed here from the graph's template with evalGraph of mlmath.js (gxState is
// the twin of GraphExplorer.compute).

const GX_OPS = { "+": "+", "*": "×", "1/x": "1/x", "σ": "σ" };
const gxOpLabel = (op) => GX_OPS[op] || (op.startsWith("**")
  ? (/^-?\d+$/.test(op.slice(2)) ? `x${superscript(op.slice(2))}` : `x^${op.slice(2)}`) : op);
const GX_COL = { data: COLORS.blue, grad: COLORS.textRed, local: "#57606a" };  // text colours

// For each node, the indices of its inputs in slot order.
function gxSources(tpl) {
  const src = tpl.nodes.map(() => []);
  for (const e of tpl.edges) src[e.target][e.slot] = e.source;
  return src;
}

// ∂op/∂input_k for each input slot k: a one-node graph of fresh leaves through evalGraph (the
// twin of graph.local_gradients).
function gxLocal(op, xs) {
  const n = xs.length;
  const { grad } = evalGraph({
    nodes: [...xs.map((x) => ({ op: "", data: x })), { op, data: 0 }],
    edges: xs.map((_, k) => ({ source: k, target: n, slot: k })),
  });
  return grad.slice(0, n);
}

// The state of GraphExplorer.compute() for controls {example, inputs}, computed here.
function gxState(templates, controls) {
  const tpl = templates[controls.example];
  if (!tpl) {
    throw new Error(`ValueError: unknown example '${controls.example}'; choose one of `
      + Object.keys(templates).join(", "));
  }
  const given = controls.inputs || {};
  const inputs = tpl.inputs.map((i) => ({ name: i.name,
    value: i.name in given ? Number(given[i.name]) : i.value }));
  const value = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
  const { data, grad } = evalGraph({ edges: tpl.edges,
    nodes: tpl.nodes.map((n) => ({ op: n.op, data: n.kind === "input" ? value[n.name] : n.data })) });
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new Error(`ValueError: the node ${gxOpLabel(tpl.nodes[bad].op)} has no finite value `
      + "for these inputs (outside its domain)");
  }
  const src = gxSources(tpl);
  const local = tpl.nodes.map((n, i) => (src[i].length ? gxLocal(n.op, src[i].map((j) => data[j])) : []));
  return {
    example: controls.example, title: tpl.title, formula: tpl.formula, inputs,
    nodes: tpl.nodes.map((n, i) => ({ id: i, name: n.name, op: n.op, kind: n.kind,
      data: data[i], grad: grad[i] })),
    edges: tpl.edges.map((e) => {
      const d = local[e.target][e.slot];
      return { source: e.source, target: e.target, slot: e.slot, data: data[e.source],
        local: d, grad: d * grad[e.target] };
    }),
  };
}

// ---- layout: layers, then an order in each layer, then y positions -------------------------

// Least-squares y positions close to `want`, in the given order, at least `gap[i]` apart
// (pool-adjacent-violators on y_i − Σ gaps).
function gxSpread(want, gap) {
  const offset = [0];
  for (let i = 1; i < want.length; i++) offset.push(offset[i - 1] + gap[i - 1]);
  const blocks = [];
  want.forEach((w, i) => {
    blocks.push({ sum: w - offset[i], n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1], a = blocks[blocks.length - 2];
      if (a.sum / a.n <= b.sum / b.n) break;
      a.sum += b.sum; a.n += b.n; blocks.pop();
    }
  });
  const y = [];
  for (const b of blocks) for (let k = 0; k < b.n; k++) y.push(b.sum / b.n + offset[y.length]);
  return y;
}

// Positions for the template's nodes and routes for its edges (long edges pass through one
// dummy point per layer they cross, which takes a place in that layer's order).
function gxLayout(tpl) {
  const N = tpl.nodes.length, src = gxSources(tpl);
  const layer = new Array(N).fill(0);
  tpl.nodes.forEach((n, i) => {
    if (n.kind === "op") layer[i] = 1 + Math.max(...src[i].map((j) => layer[j]));
  });
  tpl.nodes.forEach((n, i) => {              // a constant sits just before its first use
    if (n.kind !== "const") return;
    const uses = tpl.edges.filter((e) => e.source === i).map((e) => layer[e.target]);
    if (uses.length) layer[i] = Math.min(...uses) - 1;
  });
  const L = Math.max(...layer);
  // items: nodes, then dummies; links between items of consecutive layers
  const items = tpl.nodes.map((n, i) => ({ layer: layer[i], node: i, size: 88 }));
  const links = [];
  const routes = tpl.edges.map((e) => {
    const chain = [e.source];
    for (let l = layer[e.source] + 1; l < layer[e.target]; l++) {
      items.push({ layer: l, node: null, size: 26 });
      chain.push(items.length - 1);
    }
    chain.push(e.target);
    for (let k = 1; k < chain.length; k++) links.push([chain[k - 1], chain[k]]);
    return chain;
  });
  const preds = items.map(() => []), succs = items.map(() => []);
  for (const [a, b] of links) { succs[a].push(b); preds[b].push(a); }
  let order = Array.from({ length: L + 1 }, (_, l) => items.map((it, k) => k)
    .filter((k) => items[k].layer === l));
  const pos = new Array(items.length);
  const setPos = (ord) => ord.forEach((ids) => ids.forEach((k, p) => { pos[k] = p; }));
  const crossings = () => {
    let c = 0;
    for (let i = 0; i < links.length; i++) {
      for (let j = i + 1; j < links.length; j++) {
        const [a, b] = links[i], [p, q] = links[j];
        if (items[a].layer === items[p].layer && (pos[a] - pos[p]) * (pos[b] - pos[q]) < 0) c++;
      }
    }
    return c;
  };
  const sortBy = (ids, nb) => ids.map((k) => {
    const m = nb[k].length ? nb[k].reduce((s, j) => s + pos[j], 0) / nb[k].length : pos[k];
    return [m, pos[k], k];
  }).sort((u, v) => u[0] - v[0] || u[1] - v[1]).map((t) => t[2]);
  setPos(order);
  let best = order.map((ids) => ids.slice()), bestC = crossings();
  for (let it = 0; it < 6 && bestC > 0; it++) {
    for (let l = 1; l <= L; l++) { order[l] = sortBy(order[l], preds); setPos(order); }
    for (let l = L - 1; l >= 0; l--) { order[l] = sortBy(order[l], succs); setPos(order); }
    const c = crossings();
    if (c < bestC) { bestC = c; best = order.map((ids) => ids.slice()); }
  }
  order = best;
  setPos(order);
  // y: start stacked, then pull each item towards its neighbours (a few sweeps)
  const y = new Array(items.length).fill(0);
  const gaps = (ids) => ids.slice(1).map((k, i) => (items[ids[i]].size + items[k].size) / 2);
  order.forEach((ids) => {
    const g = gaps(ids), total = g.reduce((s, v) => s + v, 0);
    let acc = -total / 2;
    ids.forEach((k, i) => { y[k] = acc; acc += g[i] || 0; });
  });
  const mean = (ks) => ks.reduce((s, j) => s + y[j], 0) / ks.length;
  for (let sweep = 0; sweep < 8; sweep++) {
    const layers = sweep % 2 ? [...order.keys()].reverse() : [...order.keys()];
    for (const l of layers) {
      const ids = order[l];
      const want = ids.map((k) => {
        const nb = [...preds[k], ...succs[k]];
        return nb.length ? mean(nb) : y[k];
      });
      gxSpread(want, gaps(ids)).forEach((v, i) => { y[ids[i]] = v; });
    }
  }
  const top = Math.min(...items.map((it, k) => y[k] - it.size / 2));
  const bottom = Math.max(...items.map((it, k) => y[k] + it.size / 2));
  // columns: 86–150 px apart, wider where many edges cross (room for their labels)
  const colW = Math.max(86, Math.min(150, 560 / Math.max(L, 1)));
  const crossing = new Array(L + 1).fill(0);
  for (const [a] of links) crossing[items[a].layer] += 1;
  const colX = [46];
  for (let l = 1; l <= L; l++) {
    colX.push(colX[l - 1] + colW + Math.min(110, 8 * Math.max(0, crossing[l - 1] - 6)));
  }
  const head = 8;
  return {
    x: items.map((it) => colX[it.layer]), y: y.map((v) => v - top + head), layer,
    routes, width: colX[L] + 70, height: bottom - top + head + 4,
  };
}

// ---- drawing -------------------------------------------------------------------------------

// Half-width of a node's shape (for where edges start and end).
function gxHalf(node) {
  if (node.kind === "op") return 17;
  return Math.max(15, 4 + 3.8 * gxLeafText(node).length);
}

const gxLeafText = (node) => (node.kind === "input" ? node.name
  : Number.isInteger(node.data) ? String(node.data).replace("-", "−") : fmt(node.data, 2));

function gxText(x, y, cls, text, attrs = {}) {
  return svgEl("text", { x, y, class: cls, ...attrs }, text);
}

// The box a text will cover (font size `px`, monospace, centred at x, baseline y).
const gxBox = (x, y, text, px) => {
  const w = 0.61 * px * text.length;
  return { x0: x - w / 2, x1: x + w / 2, y0: y - 0.92 * px, y1: y + 0.28 * px };
};
// The area two boxes share (with a 1.5 px margin).
const gxOverlap = (a, b) => Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) + 1.5)
  * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) + 1.5);

// A cubic route through pts with horizontal tangents; `bend` lifts the middle (parallel edges).
function gxRoute(pts, bend) {
  const segs = [];
  for (let i = 1; i < pts.length; i++) {
    const [ax, ay] = pts[i - 1], [bx, by] = pts[i], h = (bx - ax) / 2;
    const first = i === 1, last = i === pts.length - 1;
    segs.push([[ax, ay], [ax + h, ay + (first ? bend : 0)], [bx - h, by + (last ? bend : 0)],
      [bx, by]]);
  }
  const at = (u) => {                        // the point at fraction u of the route
    const k = Math.min(segs.length - 1, Math.floor(u * segs.length));
    const t = u * segs.length - k, [p0, p1, p2, p3] = segs[k], v = 1 - t;
    const c = [v * v * v, 3 * v * v * t, 3 * v * t * t, t * t * t];
    return [0, 1].map((d) => c[0] * p0[d] + c[1] * p1[d] + c[2] * p2[d] + c[3] * p3[d]);
  };
  const d = `M${pts[0][0]},${pts[0][1]}` + segs.map(([, p1, p2, p3]) =>
    ` C${p1[0]},${p1[1]} ${p2[0]},${p2[1]} ${p3[0]},${p3[1]}`).join("");
  return { d, at };
}

// Where along an edge (0 = source, 1 = target) its labels may go, in order of preference: the
// share sent back sits towards the gate that sends it, the local gradient right before it.
const GX_SHARE_AT = [0.62, 0.7, 0.55, 0.76, 0.5, 0.45, 0.8, 0.4, 0.35, 0.3, 0.25, 0.2, 0.85];
const GX_LOCAL_AT = [0.84, 0.9, 0.78, 0.72, 0.66, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3];

// Draw the state `st` into `svg` with `layout` (its template's). Labels on edges go to the
// first place along the edge where they overlap no node and no other label.
function gxDraw(svg, st, layout, { showLocal, arrowId }) {
  const { x, y, routes } = layout;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${layout.width} ${layout.height}`);
  // natural size; shrinks to fit a narrow page down to 85 % (the 11-px labels stay above 9 px),
  // then the figure scrolls sideways
  svg.style.width = `${layout.width}px`;
  svg.style.minWidth = `${Math.ceil(0.85 * layout.width)}px`;
  const defs = arrowDefs(arrowId, { viewBox: "0 0 8 8", refX: 7, refY: 4, markerWidth: 7,
    markerHeight: 7 }, { d: "M0,0 L8,4 L0,8 z", fill: "#8c959f" });
  const gEdges = svgEl("g"), gNodes = svgEl("g"), gLabels = svgEl("g");
  svg.append(defs, gEdges, gNodes, gLabels);
  const nodes = st.nodes, out = nodes.length - 1;
  const fanOut = nodes.map(() => 0), nIn = nodes.map(() => 0);
  st.edges.forEach((e) => { fanOut[e.source] += 1; nIn[e.target] += 1; });
  const name = (i) => nodes[i].name || gxOpLabel(nodes[i].op);
  const taken = [];                          // boxes already covered (nodes and labels)
  const label = (px, cx, cy, cls, text, attrs, backed = false) => {
    const box = gxBox(cx, cy, text, px);
    taken.push(box);
    if (backed) {                            // an edge label: a white card hides the edge under it
      gLabels.append(svgEl("rect", { x: box.x0 - 2, y: box.y0 - 1, width: box.x1 - box.x0 + 4,
        height: box.y1 - box.y0 + 2, rx: 3, class: "bp-gx-label-card" }));
    }
    gLabels.append(gxText(cx, cy, cls, text, attrs));
  };
  nodes.forEach((n, i) => {
    const cx = x[i], cy = y[i], half = gxHalf(n), r = n.kind === "op" ? half : 12;
    const tip = `${n.kind === "op" ? `${name(i)} = ${gxOpLabel(n.op)}(…)` : name(i)}\n`
      + `value ${n.data}\n∂${name(out)}/∂${name(i)} = ${n.grad}`;
    const g = svgEl("g", { class: `bp-gx-node bp-gx-${n.kind}${i === out ? " bp-gx-out" : ""}`,
      "data-node": i }, svgEl("title", {}, tip));
    if (n.kind === "op") {
      g.append(svgEl("circle", { cx, cy, r: half }));
      const op = gxOpLabel(n.op);
      g.append(gxText(cx, cy + (op.length > 2 ? 3.5 : 4.5),
        op.length > 2 ? "bp-gx-op bp-gx-op-small" : "bp-gx-op", op));
    } else {
      g.append(svgEl("rect", { x: cx - half, y: cy - 12, width: 2 * half, height: 24, rx: 5 }));
      g.append(gxText(cx, cy + 4.5, "bp-gx-name", gxLeafText(n)));
    }
    gNodes.append(g);
    taken.push({ x0: cx - half, x1: cx + half, y0: cy - r, y1: cy + r });
    if (n.kind !== "const") {
      label(12, cx, cy - r - 6, "bp-gx-value",
        n.kind === "op" && n.name ? `${n.name} = ${fmt(n.data, 2)}` : fmt(n.data, 2),
        { fill: GX_COL.data, "data-node-value": i });
    }
    label(12, cx, cy + r + 14, "bp-gx-grad", fmt(n.grad, 2),
      { fill: GX_COL.grad, "data-node-grad": i });
  });
  const pairs = {};
  const drawn = st.edges.map((e, k) => {
    const s = e.source, t = e.target, key = `${s},${t}`;
    const twins = st.edges.filter((f) => f.source === s && f.target === t);
    const nth = (pairs[key] = (pairs[key] ?? -1) + 1);
    const pts = routes[k].map((it) => [x[it], y[it]]);
    pts[0] = [x[s] + gxHalf(nodes[s]), y[s]];
    const phi = (e.slot - (nIn[t] - 1) / 2) * 0.55, r = gxHalf(nodes[t]) + 1;
    pts[pts.length - 1] = [x[t] - r * Math.cos(phi), y[t] + r * Math.sin(phi)];
    const route = gxRoute(pts, (nth - (twins.length - 1) / 2) * 36);
    const tip = `${name(s)} → ${name(t)} (input ${e.slot + 1})\nvalue ${e.data}\n`
      + `local ∂${name(t)}/∂${name(s)} = ${e.local}\nupstream ∂${name(out)}/∂${name(t)} = `
      + `${nodes[t].grad}\nsent back: ${e.grad}`;
    gEdges.append(svgEl("path", { d: route.d, class: "bp-gx-edge",
      "marker-end": `url(#${arrowId})`, "data-edge": k }, svgEl("title", {}, tip)));
    return route;
  });
  // An optional label that finds no free place is left out (its edge's tooltip has it).
  const place = (route, at, text, cls, attrs, optional) => {
    const spots = [0, -11, 11, -21, 21].flatMap((dy) => at.map((u) => {
      const [px, py] = route.at(u);
      return [px, py + 4 + dy];
    }));
    const clash = ([px, py]) => taken.reduce((sum, b) => sum + gxOverlap(b, gxBox(px, py, text, 11)), 0);
    const free = spots.find((p) => clash(p) === 0);
    if (!free && optional) return;
    const [px, py] = free || spots.reduce((a, b) => (clash(b) < clash(a) ? b : a));
    label(11, px, py, cls, text, attrs, true);
  };
  st.edges.forEach((e, k) => {                // the share each edge sends back to its source
    if (fanOut[e.source] > 1) {
      place(drawn[k], GX_SHARE_AT, `◂${fmt(e.grad, 2)}`, "bp-gx-share",
        { fill: GX_COL.grad, "data-edge-grad": k });
    }
  });
  if (showLocal) {
    st.edges.forEach((e, k) => place(drawn[k], GX_LOCAL_AT, `×${fmt(e.local, 2)}`,
      "bp-gx-local", { fill: GX_COL.local, "data-edge-local": k }, true));
  }
}

// The key to the colours, above the graph.
function gxLegend(box, st, showLocal) {
  const f = st.nodes[st.nodes.length - 1].name || "f";
  const item = (color, mark, text) => h("span", { class: "bp-gx-key" }, [
    h("span", { style: `color:${color}`, class: "bp-gx-mark" }, mark), text]);
  const fan = st.nodes.some((_, i) => st.edges.filter((e) => e.source === i).length > 1);
  box.replaceChildren(
    item(GX_COL.data, "1.00", " value (forward, above a node)"),
    item(GX_COL.grad, "1.00", ` gradient ∂${f}/∂node (backward, below)`),
    fan ? item(GX_COL.grad, "◂1.00", " gradient sent back along an edge (they add up)") : "",
    showLocal ? item(GX_COL.local, "×1.00", " local gradient ∂node/∂input") : "");
}

// The output and the gradient on every input (the line under the graph, after the formula).
function gxResult(st) {
  const out = st.nodes[st.nodes.length - 1], f = out.name || "f";
  const grads = st.nodes.filter((n) => n.kind === "input")
    .map((n) => `∂${f}/∂${n.name} = ${fmt(n.grad, 4)}`);
  return `${f} = ${fmt(out.data, 4)}    ${grads.join("   ")}`;
}

// Arrow keys step a range input by hand: JupyterLab's notebook keeps the browser's default
// action of arrow keys from reaching inputs inside an output, so they would do nothing there.
function gxArrowKeys(input) {
  const steps = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };
  input.addEventListener("keydown", (event) => {
    const k = steps[event.key];
    if (!k) return;
    event.preventDefault();
    event.stopPropagation();
    const step = Number(input.step), lo = Number(input.min), hi = Number(input.max);
    const next = Math.min(hi, Math.max(lo, Number(input.value) + k * step));
    input.value = String(Number(next.toFixed(10)));
    input.dispatchEvent(new Event("input"));
  });
}

export default {
  render({ model, el }) {
    const { root, body, kernel, announce } = frame(model, el, model.get("title"));
    root.classList.add("bp-gx");
    const templates = model.get("templates");
    const sync = controlSync(model, kernel);
    let controls = { example: model.get("example"), inputs: { ...model.get("inputs") } };
    let state = model.get("state");
    let built = null, sliders = {};
    const layouts = {};
    const layoutOf = (key) => (layouts[key] ||= gxLayout(templates[key]));
    const arrowId = uniqueId("bp-gx-arrow");  // this view's arrowhead

    const select = h("select", { class: "bp-gx-select", "aria-label": "graph" },
      Object.entries(templates).map(([key, t]) => h("option", { value: key }, t.title)));
    select.value = controls.example;
    const localBox = h("input", { type: "checkbox", class: "bp-gx-check" });
    const bar = h("div", { class: "bp-gx-bar" }, [
      Object.keys(templates).length > 1 ? select : "",
      button("Reset inputs", () => update({ example: controls.example, inputs: {} })),
      h("label", { class: "bp-gx-checklabel" }, [localBox, " local gradients on the edges"]),
    ]);
    const sliderBox = h("div", { class: "bp-gx-sliders" });
    const svg = svgEl("svg", { class: "bp-gx-svg", role: "img" });
    const figure = h("div", { class: "bp-gx-figure" }, svg);
    const readout = h("div", { class: "bp-readout bp-gx-readout" });
    const legend = h("div", { class: "bp-gx-legend" });
    body.append(bar, sliderBox, legend, figure, readout);

    function buildSliders(st) {
      sliderBox.replaceChildren();
      sliders = {};
      const tpl = templates[st.example];
      tpl.inputs.forEach((inp) => {
        const now = st.inputs.find((i) => i.name === inp.name).value;
        const s = slider({ label: inp.name, min: inp.min, max: inp.max, step: inp.step,
          value: now, digits: 2,
          onInput: (v) => update({ example: controls.example,
            inputs: { ...controls.inputs, [inp.name]: v } }) });
        gxArrowKeys(s.input);
        sliders[inp.name] = s;
        sliderBox.append(s.root);
      });
      built = st.example;
    }

    function draw() {
      if (!hasState(state)) return;
      if (built !== state.example) buildSliders(state);
      for (const inp of state.inputs) {
        const s = sliders[inp.name];
        if (s && Number(s.input.value) !== inp.value) s.set(inp.value);
      }
      select.value = state.example;
      gxDraw(svg, state, layoutOf(state.example),
        { showLocal: localBox.checked, arrowId });
      const result = gxResult(state);
      // one span per "∂f/∂x = …" entry, kept on one line (a line may break after "/")
      readout.replaceChildren(`${state.formula}\n`, ...result.split(/( {3,})/).map((part, i) =>
        (i % 2 ? part : h("span", { class: "bp-gx-entry" }, part))));
      const spoken = result.replace(/ {3,}/g, "; ");
      svg.setAttribute("aria-label", `computational graph of ${state.formula}: values and ` +
        `gradients on every node; ${spoken}`);
      announce(spoken);
      gxLegend(legend, state, localBox.checked);
      publish(root, model, { ...controls, templates }, state);   // templates: which graphs
    }

    function update(next) {
      controls = next;
      sync.update({ example: controls.example, inputs: controls.inputs },
        () => recomputeHere(model, () => gxState(templates, controls), (st) => {
          state = st;
          draw();
        }));
    }

    select.addEventListener("change", () => update({ example: select.value,
      inputs: controls.inputs }));
    localBox.addEventListener("change", draw);
    model.on("change:state", () => {
      state = model.get("state");
      controls = { example: model.get("example"), inputs: { ...model.get("inputs") } };
      draw();
    });
    draw();
  },
};
