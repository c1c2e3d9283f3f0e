// playground.js — front end of Playground (chapter 7): a small network learns a 2-D toy set
// by full-batch gradient descent, like TensorFlow Playground.
// Concatenated after mlmath.js and ui.js (same module scope).
//
// With a kernel, Start asks Python for 3 more steps, draws the new state and asks again.
// Without one (a static book page), the same steps run here with mlmath.js, from the initial
// weights and the data that Python shipped in `static_data`.

const PLAYGROUND_CONTROLS = ["dataset", "hidden", "activation", "learning_rate", "steps", "seed"];
const PLAYGROUND_CHUNK = 3;  // gradient steps per request (or per frame in the browser)
const PLAYGROUND_SPEAK_MS = 4000;  // while training, the live region speaks at most this often
const PLAYGROUND_CLASS_COLORS = [COLORS.blue, COLORS.orange, COLORS.green];
const PLAYGROUND_ACTIVATIONS = ["tanh", "relu", "sigmoid", "identity"];

// One run in the browser: the twin of playground.py's _Run (same initial weights, same steps).
export function playgroundRun(c, data) {
  const set = data.sets[c.dataset];
  if (!set) throw new Error(`unknown dataset '${c.dataset}'`);
  if (!ACT[c.activation]) throw new Error(`unknown activation '${c.activation}'`);
  const sizes = [2, ...c.hidden, set.classes];
  const layers = [];
  let k = 0;  // mlp(sizes, activation, seed): consecutive standard normals, scaled (He/Xavier)
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l], nOut = sizes[l + 1];
    const scale = c.activation === "relu" ? Math.sqrt(2 / nIn) : Math.sqrt(2 / (nIn + nOut));
    const W = [];
    for (let i = 0; i < nIn; i++) {
      const row = [];
      for (let j = 0; j < nOut; j++) row.push(data.normals[k++] * scale);
      W.push(row);
    }
    layers.push({ W, b: new Array(nOut).fill(0), act: l + 2 < sizes.length ? c.activation : "identity" });
  }
  const grid = [];
  for (const yv of set.ys) for (const xv of set.xs) grid.push([xv, yv]);
  return { key: playgroundKey(c), set, sizes, layers, grid, losses: [], step: 0, lr: c.learning_rate };
}

function playgroundKey(c) {
  return JSON.stringify([c.dataset, c.hidden, c.activation, c.learning_rate, c.seed]);
}

// softmax cross-entropy of the run's logits; throws when training has diverged
function playgroundLoss(run, logits) {
  if (!logits.every((row) => row.every(Number.isFinite))) {
    throw new Error(`training diverged after ${run.step} steps: the logits contain NaN or ` +
      "inf (the learning rate is too large)");
  }
  return softmaxCrossEntropy(logits, run.set.y);
}

// One full-batch gradient step: forward, loss, backward, W ← W − α ∂L/∂W (as Trainer.step).
export function playgroundStep(run) {
  const cache = mlpForward(run.layers, run.set.X);
  const { value, grad } = playgroundLoss(run, cache.A[cache.A.length - 1]);
  sgdStep(run.layers, mlpBackward(run.layers, cache, grad), run.lr);
  run.losses.push(value);
  run.step += 1;
}

const argmaxRow = (row) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);

// The state of Playground.compute() for the run (same keys, same numbers).
export function playgroundState(run) {
  const logits = mlpForward(run.layers, run.set.X).A.at(-1);
  const { value } = playgroundLoss(run, logits);
  const correct = logits.filter((row, i) => argmaxRow(row) === run.set.y[i]).length;
  const probs = mlpForward(run.layers, run.grid).A.at(-1).map(softmaxRow);
  const G = run.set.xs.length;
  const label = [], confidence = [];
  for (let i = 0; i < G; i++) {
    const rows = probs.slice(i * G, (i + 1) * G);
    label.push(rows.map(argmaxRow));
    confidence.push(rows.map((p) => Math.max(...p)));
  }
  return {
    sizes: run.sizes,
    step: run.step,
    loss: [...run.losses, value],
    accuracy: correct / run.set.y.length,
    weights: run.layers.map((layer) => layer.W.map((row) => row.slice())),
    biases: run.layers.map((layer) => layer.b.slice()),
    grid: { label, confidence },
  };
}

// A training point of class k at (x, y): a circle, a square or a triangle in the class's
// colour, so that the classes differ by shape as well.
function playgroundMarker(k, x, y) {
  const attrs = { fill: PLAYGROUND_CLASS_COLORS[k], class: "pg-point" };
  if (k === 0) return svgEl("circle", { cx: x, cy: y, r: 3.6, ...attrs });
  if (k === 1) return svgEl("rect", { x: x - 3.2, y: y - 3.2, width: 6.4, height: 6.4, ...attrs });
  return svgEl("path", { d: `M${x},${y - 4.4} l4,7 h-8 z`, ...attrs });
}

export default {
  render({ model, el }) {
    const { root, body, kernel, announce } = frame(model, el, "Training playground");
    root.classList.add("pg-explorer");
    const data = () => model.get("static_data");
    const ctl = {};
    const readControls = () => PLAYGROUND_CONTROLS.forEach((k) => { ctl[k] = model.get(k); });
    readControls();
    let live = null;      // null until the kernel probe answers; false may turn true later
    let running = false;
    let run = null;       // the in-browser run (static mode)
    let shown = model.get("state");

    // ---- controls -------------------------------------------------------------------------
    const select = (label, options, value, onChange) => {
      const s = h("select", { class: "pg-select", "aria-label": label },
        options.map((o) => h("option", { value: o }, o)));
      s.value = value;
      s.addEventListener("change", () => onChange(s.value));
      return { root: h("label", { class: "pg-field" }, [h("span", {}, label), s]), input: s };
    };
    const dataSel = select("data", Object.keys(data().sets), ctl.dataset,
      (v) => change({ dataset: v }));
    const actSel = select("activation", PLAYGROUND_ACTIVATIONS, ctl.activation,
      (v) => change({ activation: v }));
    const rates = data().learning_rates;
    const nearestRate = (lr) => rates.reduce((best, r, i) =>
      (Math.abs(Math.log(r / lr)) < Math.abs(Math.log(rates[best] / lr)) ? i : best), 0);
    const lrInput = h("input", { type: "range", min: 0, max: rates.length - 1, step: 1,
      value: nearestRate(ctl.learning_rate), "aria-label": "learning rate" });
    const lrOut = h("span", { class: "bp-slider-value" }, String(ctl.learning_rate));
    lrInput.addEventListener("input", () => change({ learning_rate: rates[Number(lrInput.value)] }));
    const lrField = h("label", { class: "pg-field pg-lr" },
      [h("span", {}, "learning rate α"), lrInput, lrOut]);

    const startBtn = button("▶ Start", () => setRunning(!running));
    startBtn.classList.add("pg-start");
    const stepBtn = button("Step", () => { setRunning(false); request(ctl.steps + 1); });
    const resetBtn = button("Reset", () => { setRunning(false); request(0); });
    const readout = h("div", { class: "bp-readout pg-readout" });

    // The layer buttons are made once (a hidden layer's when it is added) and only updated
    // after: a button pressed with the keyboard keeps the focus, or hands it to its partner
    // (− to +) when it disables itself.
    const small = (label, title, onClick) => {
      const b = button(label, onClick);
      b.classList.add("pg-small");
      b.title = title;
      b.setAttribute("aria-label", title);
      return b;
    };
    const layersLabel = h("span", { class: "pg-layers-label" });
    const removeLayer = small("−", "remove a hidden layer",
      () => change({ hidden: ctl.hidden.slice(0, -1) }));
    const addLayer = small("+", "add a hidden layer",
      () => change({ hidden: [...ctl.hidden, ctl.hidden.at(-1) || 4] }));
    const layersBox = h("div", { class: "pg-layers" }, [layersLabel, removeLayer, addLayer]);
    const widths = [];  // per hidden layer: {root, fewer, value, more}
    const widthControl = (l) => {
      const set = (dw) => change({ hidden: ctl.hidden.map((w, i) => (i === l ? w + dw : w)) });
      const fewer = small("−", `fewer units in layer ${l + 1}`, () => set(-1));
      const more = small("+", `more units in layer ${l + 1}`, () => set(1));
      const value = h("span", { class: "pg-width-value" });
      return { root: h("span", { class: "pg-width" }, [fewer, value, more]), fewer, value, more };
    };
    const drawLayerControls = () => {
      const lim = data().limits;
      const hidden = ctl.hidden;
      while (widths.length < hidden.length) {
        widths.push(widthControl(widths.length));
        layersBox.append(widths.at(-1).root);
      }
      while (widths.length > hidden.length) widths.pop().root.remove();
      layersLabel.textContent = `hidden layers: ${hidden.length}`;
      setDisabled(removeLayer, hidden.length === 0, addLayer);
      setDisabled(addLayer, hidden.length >= lim.layers, removeLayer);
      widths.forEach(({ fewer, value, more }, l) => {
        value.textContent = `h${l + 1}: ${hidden[l]}`;
        setDisabled(fewer, hidden[l] <= 1, more);
        setDisabled(more, hidden[l] >= lim.width, fewer);
      });
    };

    // ---- views ----------------------------------------------------------------------------
    const boundary = svgEl("svg", { class: "pg-boundary", viewBox: "0 0 300 300",
      role: "img" });
    const netSvg = svgEl("svg", { role: "img" });
    const lossSvg = svgEl("svg", { role: "img" });
    const canvas = document.createElement("canvas");
    const background = svgEl("image", { x: 0, y: 0, width: 300, height: 300,
      preserveAspectRatio: "none" });
    const points = svgEl("g");
    let pointsOf = null;
    boundary.append(background, points, svgEl("rect", { x: 0.5, y: 0.5, width: 299,
      height: 299, class: "bp-plot-frame" }));

    body.append(
      h("div", { class: "pg-controls" }, [
        h("div", { class: "pg-row" }, [dataSel.root, actSel.root, lrField]),
        layersBox,
        h("div", { class: "pg-row" }, [startBtn, stepBtn, resetBtn, readout]),
      ]),
      h("div", { class: "pg-views" }, [
        h("figure", { class: "pg-fig pg-boundary-fig" }, [boundary,
          h("figcaption", {}, "class regions (shade = probability) and training points " +
            "(● ■ ▲: one shape per class)")]),
        h("div", { class: "pg-side" }, [
          h("figure", { class: "pg-fig" }, [netSvg,
            h("figcaption", {}, [h("span", { style: `color:${COLORS.blue}` }, "positive"), " / ",
              h("span", { style: `color:${COLORS.textOrange}` }, "negative (dashed)"),
              " weights; width ∝ |w|"])]),
          h("figure", { class: "pg-fig" }, [lossSvg]),
        ]),
      ]),
    );

    const drawBoundary = (st) => {
      const set = data().sets[ctl.dataset];
      const G = st.grid.label.length;
      canvas.width = G;
      canvas.height = G;
      const ctx = canvas.getContext("2d");
      const img = ctx.createImageData(G, G);
      const C = set.classes;
      for (let i = 0; i < G; i++) {
        for (let j = 0; j < G; j++) {
          const t = 0.1 + 0.5 * (st.grid.confidence[i][j] - 1 / C) / (1 - 1 / C);
          const rgb = tint(PLAYGROUND_CLASS_COLORS[st.grid.label[i][j]], t);
          const o = 4 * ((G - 1 - i) * G + j);  // row 0 of the grid is the lowest y
          img.data.set([...rgb, 255], o);
        }
      }
      ctx.putImageData(img, 0, 0);
      background.setAttribute("href", canvas.toDataURL());
      if (pointsOf !== ctl.dataset) {  // the points change only with the data set
        pointsOf = ctl.dataset;
        const [x0, x1] = [set.xs[0], set.xs.at(-1)], [y0, y1] = [set.ys[0], set.ys.at(-1)];
        const sx = (v) => ((v - x0) / (x1 - x0)) * 300;
        const sy = (v) => 300 - ((v - y0) / (y1 - y0)) * 300;
        points.replaceChildren(...set.X.map(([a, b], i) => playgroundMarker(set.y[i], sx(a),
          sy(b))));
      }
    };

    // the live region: every change at rest, at most every few seconds while training, and
    // where training stops
    let summary = "", spokenAt = 0;
    const speak = () => {
      announce(summary);
      spokenAt = performance.now();
    };
    const draw = (st) => {
      shown = st;
      drawBoundary(st);
      const labels = st.sizes.map((_, l) => (l === 0 ? "x" : l === st.sizes.length - 1 ? "ŷ" : `h${l}`));
      // drawn 300 wide, the width of the column at book width: the text keeps its 11–12 px
      drawNetwork(netSvg, { sizes: st.sizes, weights: st.weights, labels, width: 300,
        height: Math.max(180, 32 * (Math.max(...st.sizes) + 1)) });
      netSvg.classList.add("pg-network");
      const steps = st.loss.map((_, i) => i);
      // the curve, and a dot on the latest loss (the only mark before the first step)
      linePlot(lossSvg, { series: [{ x: steps, y: st.loss, color: COLORS.red },
        { x: [steps.at(-1)], y: [st.loss.at(-1)], color: COLORS.red, pointsOnly: true }],
        xlim: [0, Math.max(10, st.step)], ylim: [0, Math.max(...st.loss.filter(Number.isFinite), 1e-3)],
        xlabel: "gradient step", ylabel: "training loss", width: 300, height: 170 });
      lossSvg.classList.add("pg-loss");
      const accuracy = `accuracy ${fmt(100 * st.accuracy, 1)} %`;
      readout.textContent = `step ${st.step}   loss ${fmt(st.loss.at(-1), 4)}   ${accuracy}`;
      boundary.setAttribute("aria-label", `class regions and training points of the ` +
        `${ctl.dataset} data set; ${accuracy}`);
      netSvg.setAttribute("aria-label", `the network ${st.sizes.join("–")}, weights as edge ` +
        "widths, negative ones dashed");
      lossSvg.setAttribute("aria-label", `training loss against the gradient step: ` +
        `${fmt(st.loss[0], 4)} at step 0, ${fmt(st.loss.at(-1), 4)} at step ${st.step}`);
      summary = `step ${st.step}, loss ${fmt(st.loss.at(-1), 4)}, ${accuracy}`;
      if (!running || performance.now() - spokenAt > PLAYGROUND_SPEAK_MS) speak();
      showControls();
    };
    // the controls as `ctl` holds them (and publish what is shown)
    const showControls = () => {
      drawLayerControls();
      dataSel.input.value = ctl.dataset;
      actSel.input.value = ctl.activation;
      lrInput.value = nearestRate(ctl.learning_rate);
      lrOut.textContent = String(ctl.learning_rate);
      lrInput.setAttribute("aria-valuetext", String(ctl.learning_rate));  // not the index
      publish(root, model, { ...ctl }, shown);
    };

    // ---- computing: Python (live) or the browser (static) --------------------------------
    const computeHere = () => {
      if (!run || run.key !== playgroundKey(ctl) || run.step > ctl.steps) run = playgroundRun(ctl, data());
      while (run.step < ctl.steps) playgroundStep(run);
      return playgroundState(run);
    };
    const showError = (msg) => { model.set("error", msg); };

    // Apply new control values: Python recomputes (live) or we do (static).
    const apply = (changes) => {
      Object.assign(ctl, changes);
      if (live === false) {
        try {
          const st = computeHere();
          showError("");
          draw(st);
        } catch (err) {
          run = null;
          setRunning(false);
          showError(`Error: ${err.message}`);
          drawLayerControls();
        }
        return;
      }
      for (const [k, v] of Object.entries(changes)) model.set(k, v);
      model.save_changes();
      showControls();  // at once; the new state follows from Python (if it changes)
    };
    // A new setting starts again from the same initial weights (comparable runs).
    const change = (changes) => apply({ ...changes, steps: 0 });
    const request = (steps) => apply({ steps: Math.max(0, Math.min(steps, data().limits.steps)) });

    // One training loop at a time: at most one frame scheduled (Pause cancels it) and, with a
    // kernel, at most one request awaiting Python's answer (Pause and Start again before the
    // answer arrives must not start a second loop).
    let tickFrame = 0, awaiting = false;
    const schedule = () => {
      if (!running || tickFrame) return;
      tickFrame = requestAnimationFrame(() => { tickFrame = 0; tick(); });
    };
    const tick = () => {
      if (!running || (live === true && awaiting)) return;
      const target = Math.min(ctl.steps + PLAYGROUND_CHUNK, data().limits.steps);
      if (target === ctl.steps) { setRunning(false); return; }
      awaiting = live === true;
      request(target);
      if (live === false) schedule();
    };
    const setRunning = (on) => {
      if (on === running) return;
      running = on;
      startBtn.textContent = on ? "❚❚ Pause" : "▶ Start";
      if (on) {
        tick();
      } else {
        cancelAnimationFrame(tickFrame);
        tickFrame = 0;
        speak();
      }
    };

    // live mode: Python's answers. Every request is answered with "refreshed", also when
    // nothing changed (a diverging run raises the same error at every step): only then does
    // the loop ask for the next steps.
    model.on("change:state", () => {
      readControls();
      draw(model.get("state"));
    });
    model.on("change:error", () => {
      if (model.get("error")) setRunning(false);
    });
    model.on("msg:custom", (msg) => {
      if (!msg || msg.type !== "refreshed") return;
      awaiting = false;
      if (msg.error) setRunning(false);
      else if (live !== false) schedule();
    });
    model.on("change:static_data", () => { run = null; });

    if (hasState(shown)) draw(shown);
    else showControls();
    kernel.watch((alive) => {
      const late = live === false && alive === true;
      live = alive;
      if (late) apply({ ...ctl });  // a busy kernel answered after all: Python takes over here
      // Start pressed before the probe answered sent its request to no kernel: train here
      if (running && alive === false) schedule();
    });
    // anywidget calls this when the view is removed: its training loop stops with it
    return () => {
      running = false;
      cancelAnimationFrame(tickFrame);
      tickFrame = 0;
    };
  },
};
