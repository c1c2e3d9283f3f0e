// ui.js — DOM and SVG helpers shared by the explorers' front ends (no maths here).
//
// The explorers' convention: an explorer whose render starts timers or animation frames, or
// listens to document or window, returns a cleanup function that stops them (anywidget calls
// it when the view is removed; the model.on listeners it removes itself).

const SVG_NS = "http://www.w3.org/2000/svg";

// Okabe–Ito colour-blind-safe palette. Text in a colour uses the darker shades (text*), which
// keep a contrast of at least 4.5 : 1 on white (WCAG AA); blue already does.
export const COLORS = {
  blue: "#0072B2", orange: "#E69F00", green: "#009E73", red: "#D55E00",
  sky: "#56B4E9", grey: "#777777", ink: "#222222",
  textOrange: "#946200", textRed: "#B35000",
};

// Superscript and subscript forms of digits and of the few letters and signs the labels use
// ("l−1" → "ˡ⁻¹", "ij" → "ᵢⱼ"); other characters stay as they are.
const SUPERSCRIPTS = { ..."⁰¹²³⁴⁵⁶⁷⁸⁹", "-": "⁻", "−": "⁻", "+": "⁺", ".": "˙",
  l: "ˡ", L: "ᴸ", i: "ⁱ", j: "ʲ", k: "ᵏ" };
const SUBSCRIPTS = { ..."₀₁₂₃₄₅₆₇₈₉", i: "ᵢ", j: "ⱼ", k: "ₖ", l: "ₗ" };
export const superscript = (s) => [...String(s)].map((c) => SUPERSCRIPTS[c] || c).join("");
export const subscript = (s) => [...String(s)].map((c) => SUBSCRIPTS[c] || c).join("");

// A deep copy of plain data (the controls: nested lists of numbers).
export const clone = (v) => JSON.parse(JSON.stringify(v));

// A hex colour mixed with white, as [r, g, b]: t = 0 white, t = 1 the colour.
export function tint(hex, t) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => Math.round(255 - t * (255 - v)));
}

// h("div", {class: "x", onclick: f}, [children]) — children are nodes or strings.
// (named `h`, not `el`, because anywidget passes the container as `el` to render)
export function h(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  for (const c of [].concat(children)) node.append(c instanceof Node ? c : String(c));
  return node;
}

export function svgEl(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  for (const c of [].concat(children)) node.append(c instanceof Node ? c : String(c));
  return node;
}

function setAttrs(node, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
}

// The minus sign (U+2212) for every hyphen of a formatted number, the exponent's too.
const minusSigns = (s) => s.replace(/-/g, "−");

// Format a number for display (the one number formatter of the explorers): `digits` decimals,
// or `digits` significant digits in exponential notation when |x| ≥ 1e4 or 0 < |x| < 1e−3
// (always, with `exponential`); a proper minus sign, also in the exponent ("−1.50e−5"), and
// "∞" for infinities.
export function fmt(x, digits = 3, { exponential = false } = {}) {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  const sci = () => x.toExponential(Math.max(digits - 1, 0));
  let s = exponential || Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0)
    ? sci() : x.toFixed(digits);
  if (Math.abs(Number(s)) >= 1e4 && !s.includes("e")) s = sci();  // 9999.9996 → 1.00e+4
  return minusSigns(/^-0\.?0*$/.test(s) ? s.slice(1) : s);  // no "−0.00"
}

// A labelled range slider. onInput(value) is called on every move.
export function slider({ label, min, max, step, value, onInput, digits = 2 }) {
  const input = h("input", { type: "range", min, max, step, value, "aria-label": label });
  const out = h("span", { class: "bp-slider-value" }, fmt(Number(value), digits));
  input.addEventListener("input", () => {
    out.textContent = fmt(Number(input.value), digits);
    onInput(Number(input.value));
  });
  const root = h("label", { class: "bp-slider" }, [h("span", { class: "bp-slider-label" }, label), input, out]);
  const set = (v) => { input.value = v; out.textContent = fmt(Number(v), digits); };
  return { root, input, set };
}

export function button(label, onClick) {
  return h("button", { class: "bp-button", type: "button", onclick: onClick }, label);
}

// Enable or disable a button; a focused button that disables itself hands the focus to
// `partner` (Next → Prev), so that a keyboard user does not lose their place.
export function setDisabled(button, disabled, partner) {
  if (disabled && button === document.activeElement) partner.focus();
  button.disabled = disabled;
}

// Diverging colour for a signed value in [-1, 1]: blue for positive, orange for negative.
export function signedColor(v) {
  return v >= 0 ? COLORS.blue : COLORS.orange;
}

// The dashes of a line drawn in signedColor, so that the sign is not told by colour alone:
// negative dashed, positive solid (null: no attribute).
export function signedDash(v) {
  return v >= 0 ? null : "6 3";
}

// Draw a layered network into an <svg>: sizes = [n0, n1, …]; weights[l][i][j] is the weight
// from node i of layer l to node j of layer l+1 (row convention); labels[l] (optional) names
// the layer. Nodes have a radius of 15, less when the tallest layer's nodes are closer than
// 36 apart (they keep a gap of a sixth of their spacing).
export function drawNetwork(svg, { sizes, weights, labels = null, width = 460, height = 240 }) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "bp-network");
  const pad = 34, L = sizes.length;
  const x = (l) => pad + (l * (width - 2 * pad)) / Math.max(L - 1, 1);
  const y = (l, i) => (height - 20) * ((i + 1) / (sizes[l] + 1)) + 6;
  const r = Math.min(15, ((height - 20) / (Math.max(...sizes) + 1)) * (5 / 12));
  const wmax = Math.max(1e-9, ...weights.flat(2).map(Math.abs));
  weights.forEach((W, l) => W.forEach((row, i) => row.forEach((w, j) => {
    svg.append(svgEl("line", {
      x1: x(l), y1: y(l, i), x2: x(l + 1), y2: y(l + 1, j),
      stroke: signedColor(w), "stroke-dasharray": signedDash(w),
      "stroke-width": 0.5 + 5 * Math.abs(w) / wmax,
      "stroke-opacity": 0.35 + 0.6 * Math.abs(w) / wmax,
    }, svgEl("title", {}, `w = ${fmt(w)}`)));
  })));
  sizes.forEach((n, l) => {
    for (let i = 0; i < n; i++) {
      svg.append(svgEl("circle", { cx: x(l), cy: y(l, i), r, class: "bp-node" }));
    }
    if (labels) svg.append(svgEl("text", { x: x(l), y: height - 4, class: "bp-axis-label" }, labels[l]));
  });
}

// A small line plot. series = [{x: [...], y: [...], color, width, points, pointsOnly}];
// options {xlim: [x0, x1], ylim: [y0, y1], xlabel, ylabel, width, height}. Returns the scales
// {sx, sy}.
export function linePlot(svg, { series, xlim, ylim, xlabel = "", ylabel = "",
  width = 460, height = 260 }) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "bp-plot");
  const m = { l: 52, r: 12, t: 12, b: 38 };
  const [x0, x1] = xlim, [y0, y1] = ylim;
  const sx = (v) => m.l + ((v - x0) / (x1 - x0 || 1)) * (width - m.l - m.r);
  const sy = (v) => height - m.b - ((v - y0) / (y1 - y0 || 1)) * (height - m.t - m.b);
  const clip = (v) => Math.max(m.t - 4, Math.min(height - m.b + 4, v));
  svg.append(svgEl("rect", { x: m.l, y: m.t, width: width - m.l - m.r,
    height: height - m.t - m.b, class: "bp-plot-frame" }));
  for (const [t, label] of tickLabels(ticks(x0, x1))) {
    svg.append(svgEl("text", { x: sx(t), y: height - m.b + 14, class: "bp-tick",
      "text-anchor": "middle" }, label));
  }
  for (const [t, label] of tickLabels(ticks(y0, y1))) {
    svg.append(svgEl("text", { x: m.l - 4, y: sy(t) + 4, class: "bp-tick",
      "text-anchor": "end" }, label));
  }
  svg.append(svgEl("text", { x: (m.l + width - m.r) / 2, y: height - 4, class: "bp-axis-label" }, xlabel));
  svg.append(svgEl("text", { x: 12, y: (m.t + height - m.b) / 2, class: "bp-axis-label",
    transform: `rotate(-90 12 ${(m.t + height - m.b) / 2})` }, ylabel));
  for (const s of series) {
    const pts = s.x.map((v, i) => [sx(v), clip(sy(s.y[i]))]).filter(([, b]) => Number.isFinite(b));
    if (!s.pointsOnly) {
      svg.append(svgEl("polyline", { points: pts.map((p) => p.join(",")).join(" "), fill: "none",
        stroke: s.color || COLORS.blue, "stroke-width": s.width || 2 }));
    }
    if (s.points || s.pointsOnly) {
      pts.forEach(([a, b]) => svg.append(svgEl("circle", { cx: a, cy: b, r: 4,
        fill: s.color || COLORS.blue })));
    }
  }
  return { sx, sy };
}

function ticks(a, b, n = 5) {
  if (!(b > a)) return [a];
  const step = 10 ** Math.floor(Math.log10((b - a) / n));
  const nice = [1, 2, 5, 10].map((k) => k * step).find((s) => (b - a) / s <= n) || step * 10;
  const out = [];
  for (let t = Math.ceil(a / nice) * nice; t <= b + 1e-12; t += nice) out.push(+t.toFixed(10));
  return out;
}

// [tick, label] pairs, the labels with as many decimals as the ticks' spacing needs: steps
// 0, 2, 4 rather than 0.00, 2.00, 4.00; 0.05, 0.10 where the spacing is 0.05.
function tickLabels(ts) {
  const spacing = ts.length > 1 ? ts[1] - ts[0] : Math.abs(ts[0]) || 1;
  const decimals = Math.max(0, -Math.floor(Math.log10(spacing) + 1e-9));
  const label = (t) => (t !== 0 && (Math.abs(t) >= 1e4 || decimals > 3)
    ? t.toExponential(1) : t.toFixed(decimals));
  return ts.map((t) => [t, minusSigns(label(t))]);
}

// A control changed on the Python side (code, or another view of the same widget): take the
// new value into `controls`, move its slider (`sliders[key]`, when there is one) and redraw.
export function followControls(model, keys, controls, sliders, draw) {
  keys.forEach((key) => model.on(`change:${key}`, () => {
    const v = model.get(key);
    if (v === controls[key]) return;
    controls[key] = v;
    if (sliders[key]) sliders[key].set(v);
    draw();
  }));
}

// Ask the kernel whether it is there. Returns `{watch(fn)}`: fn(alive) is called at once and
// at every change, with alive = null (no answer yet), false (no answer within `timeoutMs`: a
// static page) or true (the Python `Explorer` base answered "ping"). A kernel busy with other
// cells (Run All) answers late; its answer still turns a static explorer live. A page of the
// built book (its root element has data-bp-saved-widgets, set by tools/widgets-setup.js) has
// no kernel: alive is false at once, and a kernel that answers after all (Thebe) still wins.
export function probeKernel(model, timeoutMs = 1500) {
  let alive = null;
  const watchers = [];
  const become = (value) => {
    if (value === alive) return;
    alive = value;
    watchers.forEach((fn) => fn(alive));
  };
  model.on("msg:custom", (msg) => { if (msg && msg.type === "pong") become(true); });
  try {
    model.send({ type: "ping" });
  } catch {
    become(false);
  }
  if (document.documentElement.hasAttribute("data-bp-saved-widgets")) become(false);
  setTimeout(() => { if (alive === null) become(false); }, timeoutMs);
  return { watch(fn) { watchers.push(fn); fn(alive); } };
}

// True once `state` holds something to draw. Python leaves the state `{}` when its first
// computation failed (invalid controls; the error box says why): the explorers draw nothing
// until a state arrives, since drawing `{}` would throw half-way through building the view.
export function hasState(state) {
  return state !== null && typeof state === "object" && Object.keys(state).length > 0;
}

// An id no other element of the page has (several explorers, and several copies of one
// explorer, share a page).
export function uniqueId(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2)}`;
}

// The <defs> of an arrowhead marker named `id`, for "marker-end": `url(#${id})`. One id per
// view, from uniqueId(): several explorers, and several views of one, share a page, and an
// arrow whose id names another view's marker loses its head when that view is hidden.
// `marker`: the marker's attributes (viewBox, refX, …); `head`: the path's (d, fill).
export function arrowDefs(id, marker, head) {
  return svgEl("defs", {}, svgEl("marker", { id, orient: "auto", ...marker },
    svgEl("path", head)));
}

// The shared frame of an explorer: a group named by its title, an error box wired to the
// model's `error` trait, a note, once per page, when explorers compute in the browser, and the
// kernel probe. `announce(text)` puts a one-line summary of what the explorer shows in its
// live region, which a screen reader reads out when it changes (the region is visually
// hidden: the numbers are on screen already). Returns {root, body, kernel, announce}.
export function frame(model, container, title) {
  const errorBox = h("div", { class: "bp-error", role: "alert" });
  const showError = () => {
    const msg = model.get("error");
    errorBox.textContent = msg || "";
    errorBox.style.display = msg ? "block" : "none";
  };
  model.on("change:error", showError);
  showError();
  const note = h("div", { class: "bp-static-note" }, [
    "Running in your browser (no Python kernel): numbers are recomputed here. Binder or ",
    h("code", {}, "make lab"), " gives the full Python version."]);
  note.style.display = "none";
  const body = h("div", { class: "bp-body" });
  // Every control of the explorer keeps its keys in JupyterLab: Lumino walks up from the
  // focused element and stops at this attribute (arrows, "d d", "a", "b" are notebook commands
  // otherwise), and the notebook, which cancels arrow keys bubbling up from an output, never
  // sees them.
  const titleId = uniqueId("bp-title");
  const status = h("div", { class: "bp-status", "aria-live": "polite" });
  // On a screen narrower than the explorer (a phone) the card scrolls sideways; a line under
  // the title says so while it does (the class bp-overflows shows it).
  const scrollHint = h("div", { class: "bp-scroll-hint" },
    "Wider than the screen: scroll sideways →");
  const root = h("div", { class: "bp-explorer", role: "group", "aria-labelledby": titleId,
    "data-lm-suppress-shortcuts": "true" }, [
    h("div", { class: "bp-title", id: titleId }, title), scrollHint, status, errorBox, body,
    note]);
  root.addEventListener("keydown", (event) => event.stopPropagation());
  container.replaceChildren(root);
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(() => root.classList.toggle("bp-overflows",
      root.scrollWidth > root.clientWidth + 1)).observe(root);
  }
  // Without a kernel: mark the explorer (data-mode="static") and say so once per page, under
  // the first explorer that computes in the browser. A late answer (data-mode="kernel")
  // takes the note away again.
  const setMode = (alive) => {
    if (alive === null) return;
    root.dataset.mode = alive ? "kernel" : "static";
    if (alive) {
      note.classList.remove("bp-shown");
      note.style.display = "none";
    } else if (!document.querySelector(".bp-static-note.bp-shown")) {
      note.classList.add("bp-shown");
      note.style.display = "block";
    }
  };
  const kernel = probeKernel(model);
  kernel.watch(setMode);
  const announce = (text) => { status.textContent = text; };
  return { root, body, kernel, announce };
}

// Where a control change goes, given the kernel probe of `frame()`. `update(changes,
// recompute)` runs `recompute()` here unless a kernel has answered, and sends `changes`
// ({trait: value}) to the kernel unless the page is static; until the probe answers it does
// both, so a slider moved in the first moments of a static page still redraws.
//
// A static page keeps the controls moved to itself; when a kernel answers after all (it was
// busy with other cells), they are sent to it, and from then on every change goes there.
export function controlSync(model, kernel) {
  let live = null; // null: not known yet, true: a kernel answered, false: static page
  let unsent = {}; // the controls moved while the page was static
  const send = (changes) => {
    for (const [key, value] of Object.entries(changes)) model.set(key, value);
    model.save_changes();
  };
  kernel.watch((alive) => {
    if (live === false && alive === true && Object.keys(unsent).length) send(unsent);
    live = alive;
    unsent = {};
  });
  return {
    // returns true when it recomputed here (false: the kernel's answer will be drawn)
    update(changes, recompute = () => {}) {
      const here = live !== true;
      if (here) recompute();
      if (live === false) Object.assign(unsent, changes);
      else send(changes);
      return here;
    },
  };
}

// The recompute of a page without a kernel: `draw(compute())`, or, when compute throws, its
// message in the error box as Python's would be ("ValueError: …" kept, others prefixed
// "Error: "), the last state staying drawn. Returns whether a new state was drawn.
export function recomputeHere(model, compute, draw) {
  let state;
  try {
    state = compute();
  } catch (err) {
    const message = String(err && err.message !== undefined ? err.message : err);
    model.set("error", /^\w*Error: /.test(message) ? message : `Error: ${message}`);
    return false;
  }
  model.set("error", "");
  draw(state);
  return true;
}

// Publish what the explorer currently shows, for tests and for the static-page checks:
// data-explorer = the Python class ("module.Class"), data-controls = JSON of the control
// traits, data-state = JSON of the state drawn (same keys as the Python `compute()`).
export function publish(root, model, controls, state) {
  root.dataset.explorer = model.get("_anywidget_id") || "";
  root.dataset.controls = JSON.stringify(controls);
  root.dataset.state = JSON.stringify(state);
}
