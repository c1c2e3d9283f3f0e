// mlmath.js — the JavaScript twin of the backprop library's core maths.
//
// Used by every explorer's front end to recompute its state when the page has no kernel
// (a static book page). Plain numbers and nested arrays; row convention as in the library:
// a batch X is an array of n rows of length `in`, W is (in, out), b is (out), Y = X W + b.
// Tested against NumPy in tests/ (the twins must agree).

export const ACT = {
  sigmoid: {
    f: (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))),
    df: (z) => { const s = ACT.sigmoid.f(z); return s * (1 - s); },
  },
  tanh: { f: (z) => Math.tanh(z), df: (z) => { const t = Math.tanh(z); return 1 - t * t; } },
  relu: { f: (z) => (z > 0 ? z : 0), df: (z) => (z > 0 ? 1 : 0) },
  identity: { f: (z) => z, df: () => 1 },
};

export function zeros(rows, cols) {
  return Array.from({ length: rows }, () => new Array(cols).fill(0));
}

export function transpose(A) {
  return A[0].map((_, j) => A.map((row) => row[j]));
}

// C = A B for A (n, k) and B (k, m).
export function matmul(A, B) {
  const n = A.length, k = B.length, m = B[0].length;
  const C = zeros(n, m);
  for (let i = 0; i < n; i++) {
    const Ai = A[i], Ci = C[i];
    for (let p = 0; p < k; p++) {
      const a = Ai[p], Bp = B[p];
      for (let j = 0; j < m; j++) Ci[j] += a * Bp[j];
    }
  }
  return C;
}

export const map2 = (A, B, fn) => A.map((row, i) => row.map((x, j) => fn(x, B[i][j])));
export const mapM = (A, fn) => A.map((row) => row.map(fn));
export const addBias = (Y, b) => Y.map((row) => row.map((y, j) => y + b[j]));
export const colSum = (A) => A[0].map((_, j) => A.reduce((s, row) => s + row[j], 0));
export const norm = (A) => Math.sqrt(A.flat(Infinity).reduce((s, x) => s + x * x, 0));

export function softmaxRow(z) {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function logSoftmaxRow(z) {
  const m = Math.max(...z);
  const lse = Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return z.map((v) => v - m - lse);
}

// MSE with reduction "mean" | "sum" | "half_sum": {value, grad} with grad = ∂L/∂pred.
export function mse(pred, target, reduction = "mean") {
  const diff = map2(pred, target, (p, t) => p - t);
  const sq = diff.flat().reduce((s, d) => s + d * d, 0);
  const N = diff.length * diff[0].length;
  if (reduction === "mean") return { value: sq / N, grad: mapM(diff, (d) => (2 * d) / N) };
  if (reduction === "sum") return { value: sq, grad: mapM(diff, (d) => 2 * d) };
  return { value: 0.5 * sq, grad: diff };
}

// Softmax + cross-entropy averaged over rows; labels are class indices.
// Returns {value, grad = (softmax − onehot)/n, probs}.
export function softmaxCrossEntropy(logits, labels) {
  const n = logits.length;
  let value = 0;
  const probs = [], grad = [];
  logits.forEach((z, i) => {
    const logp = logSoftmaxRow(z);
    value -= logp[labels[i]];
    const p = logp.map(Math.exp);
    probs.push(p);
    grad.push(p.map((v, c) => (v - (c === labels[i] ? 1 : 0)) / n));
  });
  return { value: value / n, grad, probs };
}

// A small MLP: layers = [{W: (in, out), b: (out), act: "tanh"}, …] (act of the layer's output).
// Forward returns the cache {X, Z: [...], A: [...]} with A[L-1] the output.
export function mlpForward(layers, X) {
  const Z = [], A = [];
  let a = X;
  for (const { W, b, act } of layers) {
    const z = addBias(matmul(a, W), b);
    a = mapM(z, ACT[act].f);
    Z.push(z);
    A.push(a);
  }
  return { X, Z, A };
}

// Backward from dOut = ∂L/∂A_L: per layer delta = ∂L/∂Z (n, out), dW = Aprevᵀ delta,
// db = 1ᵀ delta, and dX = ∂L/∂X.
export function mlpBackward(layers, cache, dOut) {
  const L = layers.length;
  const deltas = new Array(L), dW = new Array(L), db = new Array(L);
  let dA = dOut;
  for (let l = L - 1; l >= 0; l--) {
    const { W, act } = layers[l];
    const delta = map2(dA, cache.Z[l], (g, z) => g * ACT[act].df(z));
    const aPrev = l === 0 ? cache.X : cache.A[l - 1];
    deltas[l] = delta;
    dW[l] = matmul(transpose(aPrev), delta);
    db[l] = colSum(delta);
    dA = matmul(delta, transpose(W));
  }
  return { deltas, dW, db, dX: dA };
}

// In-place SGD step on layers' W and b.
export function sgdStep(layers, grads, lr) {
  layers.forEach((layer, l) => {
    layer.W = map2(layer.W, grads.dW[l], (w, g) => w - lr * g);
    layer.b = layer.b.map((v, j) => v - lr * grads.db[l][j]);
  });
}

// Seeded generator (mulberry32) and standard normals (Box–Muller), for in-browser training.
export function rngFrom(seed) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = 1 - uniform(), v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal };
}

// Scalar computational graph, the twin of backprop.scalar.Value.to_graph():
// nodes in topological order {op, data (leaves only needed)}, edges {source, target, slot}.
// Returns {data: [...], grad: [...]} with grad = ∂(last node)/∂node.
export function evalGraph(graph) {
  const { nodes, edges } = graph;
  const inputs = nodes.map(() => []);
  for (const e of edges) inputs[e.target][e.slot] = e.source;
  const data = nodes.map((n) => n.data);
  const power = (op) => (op === "1/x" ? -1 : Number(op.slice(2)));
  nodes.forEach((node, i) => {
    const x = inputs[i].map((j) => data[j]);
    switch (node.op) {
      case "": break;
      case "+": data[i] = x[0] + x[1]; break;
      case "*": data[i] = x[0] * x[1]; break;
      case "exp": data[i] = Math.exp(x[0]); break;
      case "log": data[i] = Math.log(x[0]); break;
      case "tanh": data[i] = Math.tanh(x[0]); break;
      case "σ": data[i] = ACT.sigmoid.f(x[0]); break;
      case "relu": data[i] = ACT.relu.f(x[0]); break;
      case "max": data[i] = Math.max(x[0], x[1]); break;
      default: data[i] = x[0] ** power(node.op);
    }
  });
  const grad = nodes.map(() => 0);
  grad[nodes.length - 1] = 1;
  for (let i = nodes.length - 1; i >= 0; i--) {
    const [a, b] = inputs[i], g = grad[i], out = data[i];
    switch (nodes[i].op) {
      case "": break;
      case "+": grad[a] += g; grad[b] += g; break;
      case "*": grad[a] += data[b] * g; grad[b] += data[a] * g; break;
      case "exp": grad[a] += out * g; break;
      case "log": grad[a] += g / data[a]; break;
      case "tanh": grad[a] += (1 - out * out) * g; break;
      case "σ": grad[a] += out * (1 - out) * g; break;
      case "relu": grad[a] += (data[a] > 0 ? 1 : 0) * g; break;
      case "max": if (data[a] >= data[b]) grad[a] += g; else grad[b] += g; break;
      default: { const k = power(nodes[i].op); grad[a] += k * data[a] ** (k - 1) * g; }
    }
  }
  return { data, grad };
}

// ---- chapter 6: softmax Jacobian and a log1p log-softmax (SoftmaxExplorer) ----
// J = diag(p) − p pᵀ for p = softmax(z): J[i][j] = ∂p_i/∂z_j (symmetric, rows sum to 0).
export function softmaxJacobian(p) {
  return p.map((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj));
}

// log softmax of one row exactly as the library computes it (activations.log_softmax): the
// largest logit's term e⁰ = 1 stays out of the sum and is added by log1p, so a confident
// prediction (p_t → 1) keeps its tiny loss −log p_t and gradient p_t − 1 to full precision.
export function logSoftmaxRow1p(z) {
  let k = 0;
  for (let j = 1; j < z.length; j++) if (z[j] > z[k]) k = j;
  const shifted = z.map((v) => v - z[k]);
  let s = 0;
  shifted.forEach((v, j) => { if (j !== k) s += Math.exp(v); });
  const l = Math.log1p(s);
  return shifted.map((v) => v - l);
}

// ---- chapter 5: layer shapes (ShapesExplorer) and gradient checks (GradCheckExplorer) ----
// shapesState is the twin of backprop.widgets.shapes.layer_shapes; gradcheckState of
// backprop.widgets.gradcheck_view.gradient_check (same keys, same nesting, same numbers).
const SHAPES_TITLES = {
  row: "row convention (library, note 002 §7): Y = XW + b",
  column: "column convention (note 002 §8.4): Y = WX",
  network: "column network (note 001): z = Wa + b",
};

export function shapesState(n, nin, nout, convention) {
  const fac = (name, shape, role) => ({ name, shape, role });
  const prod = (label, formula, factors, shape, sumsOver, matches) => ({
    label, formula, factors, shape, inner: factors[0].shape[1], sums_over: sumsOver,
    madds: factors[0].shape[0] * factors[0].shape[1] * factors[1].shape[1], matches,
  });
  const batch = "n (the batch)";
  let matrices, forward, backward;
  if (convention === "row") {
    matrices = { X: [n, nin], W: [nin, nout], b: [nout], Y: [n, nout], "∂L/∂Y": [n, nout],
      "∂L/∂X": [n, nin], "∂L/∂W": [nin, nout], "∂L/∂b": [nout] };
    forward = [prod("Y", "X W + b", [fac("X", [n, nin], "input"), fac("W", [nin, nout], "param")],
      [n, nout], "in", "Y")];
    backward = [
      prod("∂L/∂X", "∂L/∂Y Wᵀ", [fac("∂L/∂Y", [n, nout], "grad"), fac("Wᵀ", [nout, nin], "param")],
        [n, nin], "out", "X"),
      prod("∂L/∂W", "Xᵀ ∂L/∂Y", [fac("Xᵀ", [nin, n], "input"), fac("∂L/∂Y", [n, nout], "grad")],
        [nin, nout], batch, "W"),
      prod("∂L/∂b", "1ᵀ ∂L/∂Y", [fac("1ᵀ", [1, n], "ones"), fac("∂L/∂Y", [n, nout], "grad")],
        [1, nout], batch, "b"),
    ];
  } else {
    const col = convention === "column";
    const [x, y] = col ? ["X", "Y"] : ["a", "z"];
    const gy = col ? "∂L/∂Y" : "δ = ∂L/∂z", g = col ? "∂L/∂Y" : "δ";
    matrices = { W: [nout, nin], [x]: [nin, n], [y]: [nout, n], [gy]: [nout, n],
      [`∂L/∂${x}`]: [nin, n], "∂L/∂W": [nout, nin] };
    forward = [prod(y, `W ${x}` + (col ? "" : " + b"),
      [fac("W", [nout, nin], "param"), fac(x, [nin, n], "input")], [nout, n], "in", y)];
    backward = [
      prod(`∂L/∂${x}`, `Wᵀ ${g}`, [fac("Wᵀ", [nin, nout], "param"), fac(g, [nout, n], "grad")],
        [nin, n], "out", x),
      prod("∂L/∂W", `${g} ${x}ᵀ`, [fac(g, [nout, n], "grad"), fac(`${x}ᵀ`, [n, nin], "input")],
        [nout, nin], batch, "W"),
    ];
    if (!col) {
      matrices.b = [nout];
      matrices["∂L/∂b"] = [nout];
      backward.push(prod("∂L/∂b", "δ 1", [fac("δ", [nout, n], "grad"), fac("1", [n, 1], "ones")],
        [nout, 1], batch, "b"));
    }
  }
  return { convention, title: SHAPES_TITLES[convention], sizes: { n, in: nin, out: nout },
    matrices, forward, backward };
}

// ‖a − b‖ / max(‖a‖ + ‖b‖, tiny), as backprop.gradcheck.relative_error.
export function relativeError(A, B) {
  // divided by the largest entry, as relative_error, so that the squares neither underflow
  // nor overflow; the difference is taken before the division
  const a = A.flat(Infinity), b = B.flat(Infinity);
  let scale = 0;
  for (const v of a.concat(b)) scale = Math.max(scale, Math.abs(v));
  if (!(scale > 0 && scale < Infinity)) scale = 1;
  const d = norm(a.map((v, i) => (v - b[i]) / scale));
  return d / Math.max(norm(a.map((v) => v / scale)) + norm(b.map((v) => v / scale)),
                      2.2250738585072014e-308);
}

// Central differences (f(x + ε e_i) − f(x − ε e_i)) / (2ε) of f() at the matrix X, which f
// reads; X is perturbed in place one entry at a time and restored, as numerical_gradient.
export function numericalGradient(f, X, eps) {
  return X.map((row, i) => row.map((orig, j) => {
    X[i][j] = orig + eps;
    const plus = f();
    X[i][j] = orig - eps;
    const minus = f();
    X[i][j] = orig;
    return (plus - minus) / (2 * eps);
  }));
}

const GC_CURVE = Array.from({ length: 10 }, (_, k) => k - 10);
const GC_ACT = { linear: "identity", sigmoid: "sigmoid", tanh: "tanh", relu: "relu",
  "linear+tanh": "tanh" };
// exp, sigmoid and tanh rounded exactly as exp_twin/act_twin in gradcheck_view.py (a central
// difference at ε = 1e-10 magnifies any other rounding by 1e10): 2^k · Taylor(x − k ln 2).
const GC_LN2 = 0.6931471805599453;
const GC_COEF = [1];
for (let k = 1; k < 18; k++) GC_COEF.push(GC_COEF[k - 1] / k);
export function expTwin(x) {
  const xc = Math.min(60, Math.max(-60, x));
  const k = Math.floor(xc / GC_LN2 + 0.5);
  const r = xc - k * GC_LN2;
  let p = GC_COEF[GC_COEF.length - 1];
  for (let m = GC_COEF.length - 2; m >= 0; m--) p = p * r + GC_COEF[m];
  if (k > 0) for (let i = 0; i < k; i++) p *= 2;
  else for (let i = 0; i < -k; i++) p /= 2;
  return p;
}
const GC_F = {
  sigmoid: (z) => 1 / (1 + expTwin(-z)),
  tanh: (z) => {
    const t = expTwin(-2 * Math.abs(z)), v = (1 - t) / (1 + t);
    return z < 0 ? -v : v;
  },
  relu: (z) => (z > 0 ? z : 0),
  identity: (z) => z,
};

export function gradcheckState(layer, n, nin, nout, seed, logEps) {
  const hasW = layer === "linear" || layer === "linear+tanh";
  const rng = rngFrom(seed);
  const grid = () => Math.floor(rng.normal() * 2 ** 20 + 0.5) / 2 ** 20; // as random_case
  const take = (rows, cols, k = 1) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => grid() * k));
  const X = take(n, nin);
  const W = hasW ? take(nin, nout, 1 / Math.sqrt(nin)) : null;
  const b = hasW ? take(1, nout)[0] : null;
  const R = take(n, hasW ? nout : nin);
  const f = GC_F[GC_ACT[layer]];
  const forward = () => mapM(hasW ? addBias(matmul(X, W), b) : X, f);
  const probe = () => {
    const Y = forward();
    let s = 0;
    for (let i = 0; i < Y.length; i++) {
      for (let j = 0; j < Y[i].length; j++) s += Y[i][j] * R[i][j];
    }
    return s;
  };
  const A = forward();
  const act = GC_ACT[layer];
  const dZ = act === "identity" ? R.map((r) => r.slice())
    : act === "relu" ? map2(R, X, (r, x) => (x > 0 ? r : 0))
      : act === "sigmoid" ? map2(R, A, (r, a) => r * (a * (1 - a)))
        : map2(R, A, (r, a) => r * (1 - a * a));
  const grads = { X: hasW ? matmul(dZ, transpose(W)) : dZ };
  const arrays = { X };
  if (hasW) {
    grads.W = matmul(transpose(X), dZ);
    grads.b = [colSum(dZ)];
    arrays.W = W;
    arrays.b = [b];
  }
  const param = hasW ? "W" : "X";
  const eps = Number(`1e${logEps}`);
  const errors = {};
  let numerical = null;
  for (const name of Object.keys(grads)) {
    const num = numericalGradient(probe, arrays[name], eps);
    errors[name] = relativeError(grads[name], num);
    if (name === param) numerical = num;
  }
  const curve = GC_CURVE.map((k) =>
    relativeError(grads[param], numericalGradient(probe, arrays[param], Number(`1e${k}`))));
  return {
    layer, param, shape: [grads[param].length, grads[param][0].length], eps, loss: probe(),
    analytic: grads[param], numerical, rel_error: errors[param], errors,
    curve: { log_eps: GC_CURVE.slice(), rel_error: curve },
  };
}
