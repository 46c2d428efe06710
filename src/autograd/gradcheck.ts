// torch.autograd.gradcheck / gradgradcheck: the Jacobian autograd computes, compared with central
// differences (f(x + eps) - f(x - eps)) / (2 eps) of the function itself, in float64.
//
// For each differentiable input element the function is evaluated twice on perturbed copies of
// the inputs, which gives one column of the numerical Jacobian. The analytical side runs
// autograd.grad with cotangents: one-hot rows (the full Jacobian) for small outputs, a few random
// ones otherwise, compared against the same products of the numerical Jacobian.

import { DType } from "../../assembly/abi.js";
import { Tensor, describe } from "../tensor.js";
import { grad } from "../autograd.js";
import { tensor } from "../ops/creation.js";
import { tidy } from "../lifetime.js";
import { enableGrad, noGrad } from "../gradMode.js";
import { AutogradError, DTypeError, ShapeError, formatShape } from "../errors.js";

/** Options of `autograd.gradcheck()` (torch.autograd.gradcheck's eps, atol, rtol). */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, against the numerical value (default 1e-3). */
  rtol?: number;
}

/** Options of `autograd.gradgradcheck()`. */
export interface GradgradcheckOptions extends GradcheckOptions {
  /** Gradients of the outputs to differentiate through (default: random float64 ones). */
  gradOutputs?: Tensor | Tensor[] | null;
}

// Above this many elements per output, rows are sampled with random cotangents.
const FULL_ROWS = 128;
const RANDOM_ROWS = 6;

type Fn = (...args: any[]) => Tensor | readonly Tensor[];

/** A small deterministic generator (mulberry32), so checks never disturb manualSeed's stream. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function values(t: Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return idx;
}

/** A float64 leaf of `shape` holding v, requiring grad when asked. */
function leaf(v: Float64Array, shape: readonly number[], requiresGrad: boolean): Tensor {
  const t = noGrad(() => tensor(v, { dtype: "float64" }).reshape(shape as number[]));
  return requiresGrad ? t.requiresGrad_(true) : t;
}

function asOutputs(r: unknown, op: string): Tensor[] {
  const outs = r instanceof Tensor ? [r] : Array.isArray(r) ? r : null;
  if (!outs || outs.length === 0 || outs.some((o) => !(o instanceof Tensor))) {
    const got = Array.isArray(r) ? (r.length ? "an array with a non-tensor element" : "an empty array") : describe(r);
    throw new DTypeError(`${op}: fn must return a Tensor or a non-empty array of tensors, got ${got}`);
  }
  return outs as Tensor[];
}

interface Prepared {
  args: unknown[];
  /** Positions in args of the inputs that require grad. */
  diff: number[];
}

function prepare(inputs: Tensor | readonly unknown[], op: string): Prepared {
  const args = inputs instanceof Tensor ? [inputs] : Array.isArray(inputs) ? inputs.slice() : null;
  if (!args) throw new DTypeError(`${op}: inputs must be a Tensor or an array, got ${describe(inputs)}`);
  const diff: number[] = [];
  args.forEach((a, i) => {
    if (!(a instanceof Tensor) || !a.requiresGrad) return;
    if (a._dt !== DType.Float64) {
      throw new DTypeError(
        `${op}: input ${i} requires grad but has dtype ${a.dtype}; finite differences need float64 inputs ` +
        `(make it with { dtype: "float64" } or .to("float64"))`);
    }
    diff.push(i);
  });
  if (diff.length === 0) {
    throw new AutogradError(`${op}: expects at least one input tensor to require gradient, but none of them have requiresGrad = true`);
  }
  return { args, diff };
}

/**
 * Checks the gradients of fn at inputs against finite differences (torch.autograd.gradcheck).
 * Inputs that require grad must be float64; other arguments (tensors or not) are passed as given.
 * Returns true, or throws an AutogradError naming the output, the input, the worst entry and
 * both values. Example: `autograd.gradcheck((x) => x.tanh(), [randn([3], { dtype: "float64", requiresGrad: true })])`.
 */
export function gradcheck(fn: Fn, inputs: Tensor | readonly unknown[], opts: GradcheckOptions = {}): boolean {
  return check(fn, inputs, opts, "gradcheck");
}

function check(fn: Fn, inputs: Tensor | readonly unknown[], opts: GradcheckOptions, op: string): boolean {
  if (typeof fn !== "function") throw new DTypeError(`${op}: expected a function, got ${describe(fn)}`);
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = opts ?? {};
  for (const [k, v] of [["eps", eps], ["atol", atol], ["rtol", rtol]] as const) {
    if (typeof v !== "number" || !(v >= 0) || (k === "eps" && v === 0)) {
      throw new DTypeError(`${op}: ${k} must be a positive number, got ${typeof v === "number" ? v : describe(v)}`);
    }
  }
  const { args, diff } = prepare(inputs, op);
  const base = diff.map((i) => values(args[i] as Tensor));
  const shapes = diff.map((i) => (args[i] as Tensor).shape);

  return tidy(() => {
    const outs = enableGrad(() => asOutputs(fn(...args), op));
    const outShapes = outs.map((o) => o.shape);
    const outN = outShapes.map((s) => s.reduce((a, b) => a * b, 1));

    // Numerical Jacobian: numeric[k][j][o][i] = d output o element i / d input k element j.
    const evalAt = (k: number, v: Float64Array): Float64Array[] => tidy(() => {
      const xs = args.slice();
      diff.forEach((p, m) => { xs[p] = leaf(m === k ? v : base[m], shapes[m], true); });
      const ys = enableGrad(() => asOutputs(fn(...xs), op));
      if (ys.length !== outs.length || ys.some((y, o) => y.shape.join() !== outShapes[o].join())) {
        throw new ShapeError(`${op}: fn returned outputs of shapes ${ys.map((y) => formatShape(y._shape)).join(", ")} on perturbed inputs; ` +
          `expected ${outShapes.map(formatShape).join(", ")}`);
      }
      return ys.map(values);
    });
    const numeric: Float64Array[][][] = diff.map((_, k) => {
      const n = base[k].length, cols: Float64Array[][] = [];
      const pert = Float64Array.from(base[k]);
      for (let j = 0; j < n; j++) {
        const x0 = base[k][j];
        pert[j] = x0 + eps;
        const hi = evalAt(k, pert);
        pert[j] = x0 - eps;
        const lo = evalAt(k, pert);
        pert[j] = x0;
        cols.push(hi.map((h, o) => h.map((v, i) => (v - lo[o][i]) / (2 * eps))));
      }
      return cols;
    });

    const diffInputs = diff.map((i) => args[i] as Tensor);
    const next = rng(0x5eed);
    outs.forEach((out, o) => {
      const full = outN[o] <= FULL_ROWS;
      const rows = full ? outN[o] : RANDOM_ROWS;
      const block = diffInputs.map(() => new Mismatch());
      for (let r = 0; r < rows; r++) {
        const c = new Float64Array(outN[o]);
        if (full) c[r] = 1;
        else for (let i = 0; i < c.length; i++) c[i] = 2 * next() - 1;
        const analytic = vjp(out, diffInputs, c, outShapes[o], op);
        diffInputs.forEach((_, k) => {
          for (let j = 0; j < numeric[k].length; j++) {
            let num = 0;
            const col = numeric[k][j][o];
            for (let i = 0; i < c.length; i++) num += c[i] * col[i];
            block[k].add(analytic[k][j], num, full ? r : -1, j, atol, rtol);
          }
        });
      }
      block.forEach((m, k) => m.raise({ o, k: diff[k], outShape: outShapes[o], inShape: shapes[k], eps, atol, rtol, op }));
    });
    return true;
  });
}

/** c^T J for one output: the gradient w.r.t. each input (zeros where the output does not reach it). */
function vjp(out: Tensor, inputs: Tensor[], c: Float64Array, shape: number[], op: string): Float64Array[] {
  if (!out.requiresGrad) return inputs.map((x) => new Float64Array(x.numel()));
  const go = noGrad(() => tensor(c, { dtype: "float64" }).reshape(shape).to(out.dtype));
  const gs = grad([out], inputs, { gradOutputs: [go], retainGraph: true, allowUnused: true });
  return gs.map((g, k) => {
    if (g === null) return new Float64Array(inputs[k].numel());
    if (g.shape.join() !== inputs[k].shape.join()) {
      throw new AutogradError(`${op}: gradient for input ${k} has shape ${formatShape(g._shape)}; expected ${formatShape(inputs[k]._shape)}`);
    }
    if (g._dt !== inputs[k]._dt) throw new AutogradError(`${op}: gradient for input ${k} has dtype ${g.dtype}; expected ${inputs[k].dtype}`);
    return values(g);
  });
}

interface Where {
  o: number; k: number; outShape: number[]; inShape: number[];
  eps: number; atol: number; rtol: number; op: string;
}

/** The entries of one (output, input) block of the Jacobian outside tolerance, and the worst of them. */
class Mismatch {
  bad = 0;
  total = 0;
  private excess = -1;
  private worst: [number, number, number, number] = [0, 0, 0, 0]; // analytical, numerical, row, input element

  add(a: number, n: number, row: number, j: number, atol: number, rtol: number): void {
    this.total++;
    const d = Math.abs(a - n), tol = atol + rtol * Math.abs(n);
    if (d <= tol) return;
    this.bad++;
    const excess = Number.isNaN(d) ? Infinity : d - tol;
    if (excess > this.excess) { this.excess = excess; this.worst = [a, n, row, j]; }
  }

  raise(w: Where): void {
    if (this.bad === 0) return;
    const [a, n, row, j] = this.worst;
    const at = (i: number, s: number[]) => `[${unravel(i, s).join(", ")}]`;
    const where = row >= 0 ? `output element ${at(row, w.outShape)}` : "a random cotangent";
    throw new AutogradError(
      `${w.op}: Jacobian mismatch for output ${w.o} with respect to input ${w.k}: ${this.bad} of ${this.total} entries differ ` +
      `(eps ${w.eps}, atol ${w.atol}, rtol ${w.rtol}); worst at ${where}, input element ${at(j, w.inShape)}: ` +
      `analytical ${a} vs numerical ${n}`);
  }
}

/**
 * Checks second derivatives (torch.autograd.gradgradcheck): gradcheck of the function
 * (inputs, gradOutputs) → autograd.grad(fn(inputs), inputs, { gradOutputs, createGraph: true }).
 * gradOutputs default to random float64 tensors of the outputs' shapes.
 */
export function gradgradcheck(fn: Fn, inputs: Tensor | readonly unknown[], opts: GradgradcheckOptions = {}): boolean {
  const op = "gradgradcheck";
  if (typeof fn !== "function") throw new DTypeError(`${op}: expected a function, got ${describe(fn)}`);
  const { args, diff } = prepare(inputs, op);
  return tidy(() => {
    let gos: Tensor[];
    if (opts?.gradOutputs) {
      gos = (Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs]).map((g, i) => {
        if (!(g instanceof Tensor)) throw new DTypeError(`${op}: gradOutputs[${i}] must be a Tensor, got ${describe(g)}`);
        if (g._dt !== DType.Float64) throw new DTypeError(`${op}: gradOutputs[${i}] has dtype ${g.dtype}; expected float64`);
        return noGrad(() => g.detach().clone()).requiresGrad_(true);
      });
    } else {
      const outs = enableGrad(() => asOutputs(fn(...args), op));
      const next = rng(0x9e3779b9);
      gos = outs.map((o) => leaf(Float64Array.from({ length: o.numel() }, () => 2 * next() - 1), o.shape, true));
    }
    const nArgs = args.length;
    const gradFn = (...xs: unknown[]): Tensor[] => {
      const outs = asOutputs(fn(...xs.slice(0, nArgs)), op);
      if (outs.length !== gos.length) throw new AutogradError(`${op}: got ${gos.length} gradOutputs for ${outs.length} outputs`);
      const used = outs.map((o, i) => [o, xs[nArgs + i] as Tensor] as const).filter(([o]) => o.requiresGrad);
      if (used.length === 0) return [];
      const gs = grad(used.map((u) => u[0]), diff.map((i) => xs[i] as Tensor),
        { gradOutputs: used.map((u) => u[1]), createGraph: true, allowUnused: true });
      return gs.filter((g): g is Tensor => g !== null);
    };
    const probe = enableGrad(() => gradFn(...args, ...gos));
    if (probe.length === 0) return true; // nothing reaches the inputs: no second derivative to check
    return check(gradFn, [...args, ...gos], opts, op);
  });
}
